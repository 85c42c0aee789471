/* registry.c: the one table of vendors: path name, mapper, signature scheme, delivery id. */
#include <string.h>

#include "vendor.h"
#include "wrapper.h"

static const struct vendor vendors[] = {
	{ "appdynamics", map_appdynamics, SIG_GENERIC, NULL, NULL, 0 },
	{ "azure", map_azure, SIG_NONE, NULL, NULL, 0 },
	{ "better-uptime", map_better_uptime, SIG_GENERIC, NULL, NULL, 0 },
	{ "bitbucket", map_bitbucket, SIG_GENERIC, "X-Request-UUID", NULL, 0 },
	{ "cloudwatch", map_cloudwatch, SIG_SNS, NULL, "MessageId", 0 },
	{ "datadog", map_datadog, SIG_GENERIC, NULL, NULL, 0 },
	{ "dynatrace", map_dynatrace, SIG_GENERIC, NULL, NULL, 0 },
	{ "elastic", map_elastic, SIG_GENERIC, NULL, NULL, 0 },
	{ "github", map_github, SIG_GITHUB, "X-GitHub-Delivery", NULL, 0 },
	{ "gitlab", map_gitlab, SIG_GITLAB_TOKEN, "X-Gitlab-Event-UUID", NULL, 0 },
	{ "google-cloud-monitoring", map_google_cloud_monitoring, SIG_GENERIC, NULL, NULL, 0 },
	{ "grafana", map_grafana, SIG_GRAFANA, NULL, NULL, 0 },
	{ "honeycomb", map_honeycomb, SIG_GENERIC, NULL, NULL, 0 },
	{ "icinga", map_icinga, SIG_GENERIC, NULL, NULL, 0 },
	{ "nagios", map_nagios, SIG_GENERIC, NULL, NULL, 1 },
	{ "newrelic", map_newrelic, SIG_NONE, NULL, NULL, 0 },
	{ "opsgenie", map_opsgenie, SIG_GENERIC, NULL, NULL, 0 },
	{ "pingdom", map_pingdom, SIG_GENERIC, NULL, NULL, 1 },
	{ "prometheus", map_prometheus, SIG_NONE, NULL, NULL, 0 },
	{ "alertmanager", map_prometheus, SIG_NONE, NULL, NULL, 0 },
	{ "sentry", map_sentry, SIG_SENTRY, "Request-ID", NULL, 0 },
	{ "splunk-observability", map_splunk_observability, SIG_GENERIC, NULL, NULL, 0 },
	{ "splunk-oncall", map_splunk_oncall, SIG_GENERIC, NULL, NULL, 0 },
	{ "uptime-kuma", map_uptime_kuma, SIG_GENERIC, NULL, NULL, 0 },
	{ "uptimerobot", map_uptimerobot, SIG_GENERIC, NULL, NULL, 1 },
	{ "vercel", map_vercel, SIG_VERCEL, NULL, NULL, 0 },
	{ "webhook", map_webhook, SIG_GENERIC, NULL, NULL, 0 },
	{ "zabbix", map_zabbix, SIG_GITLAB_TOKEN, NULL, NULL, 0 },
};

const struct vendor *vendor_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(vendors); i++)
		if (!strcmp(vendors[i].name, name))
			return &vendors[i];
	return NULL;
}

size_t vendor_count(void)
{
	return ARRAY_SIZE(vendors);
}

const struct vendor *vendor_at(size_t i)
{
	return i < ARRAY_SIZE(vendors) ? &vendors[i] : NULL;
}
