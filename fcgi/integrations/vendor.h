/* vendor.h: the vendor mappers (one file per vendor) and their registry table. A mapper turns
 * one parsed body into zero or more normalised events (core/event.h); keys, signatures,
 * redelivery, rate limits, ingest and the response are the one shared pipeline around it.
 * Mappers are pure: no I/O, no clock reads (the pipeline passes now). */
#ifndef OK_VENDOR_H
#define OK_VENDOR_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "event.h"

struct arena;

/* How a vendor signs its deliveries (spec §2.3); checked only when the integration has a
 * signature secret. */
enum sig_scheme {
	SIG_GENERIC,      /* X-Signature / X-Webhook-Signature: hex HMAC-SHA256 (with or without sha256=) */
	SIG_GITHUB,       /* X-Hub-Signature-256: sha256=hex HMAC-SHA256 */
	SIG_GITLAB_TOKEN, /* X-Gitlab-Token: the secret itself (GitLab, Zabbix) */
	SIG_SENTRY,       /* Sentry-Hook-Signature: hex HMAC-SHA256 */
	SIG_GRAFANA,      /* X-Grafana-Signature or X-Grafana-Alerting-Signature (+ timestamp) */
	SIG_VERCEL,       /* X-Vercel-Signature: hex HMAC-SHA1 */
	SIG_SNS,          /* AWS SNS message signature (certificate at SigningCertURL) */
	SIG_NONE,         /* the vendor cannot sign */
};

struct vendor_ctx {
	struct arena *arena;  /* everything a mapper allocates */
	int64_t now;          /* Unix seconds (the one clock, from the pipeline) */
	struct verrs *errs;   /* violations: "'alerts' must be a non-empty array" */
};

/*
 * Maps body (a JSON object; form-encoded bodies arrive as an object of strings) into events.
 * Returns 0 with *evs (an arena array) and *n >= 1, or -1 with every violation in c->errs
 * (the body is not this vendor's shape: a 400 naming the field, never a 500).
 * Each event: action, dedup_key (norm_event shortens one over 255 code points), summary, source,
 * severity; custom_details and payload default to the body (or the alert of a batch).
 */
typedef int vendor_map_fn(struct json_object *body, const struct vendor_ctx *c, struct event **evs,
	size_t *n);

struct vendor {
	const char *name;            /* the path: POST /api/integrations/<name> */
	vendor_map_fn *map;
	enum sig_scheme sig;
	const char *delivery_header; /* the sender's delivery id (X-GitHub-Delivery, …) or NULL;
					Idempotency-Key is honoured for every vendor */
	const char *delivery_field;  /* or a body field holding it (SNS "MessageId"), or NULL */
	int accepts_form;            /* 1: application/x-www-form-urlencoded is accepted too */
};

/* The registry (registry.c): the vendor called name, or NULL. */
const struct vendor *vendor_find(const char *name);
/* Number of vendors and the i-th, for tests and docs. */
size_t vendor_count(void);
const struct vendor *vendor_at(size_t i);

/* The mappers, one file each (fcgi/integrations/<name>.c). */
vendor_map_fn map_appdynamics, map_azure, map_better_uptime, map_bitbucket, map_cloudwatch,
	map_datadog, map_dynatrace, map_elastic, map_github, map_gitlab, map_google_cloud_monitoring,
	map_grafana, map_honeycomb, map_icinga, map_nagios, map_newrelic, map_opsgenie, map_pingdom,
	map_prometheus, map_sentry, map_splunk_observability, map_splunk_oncall, map_uptime_kuma,
	map_uptimerobot, map_vercel, map_webhook, map_zabbix;

#endif
