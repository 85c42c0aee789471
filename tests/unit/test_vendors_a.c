/* test_vendors_a.c: mappers prometheus, grafana, datadog, cloudwatch, azure, newrelic, sentry,
 * github and gitlab against the fixtures in tests/fixtures/<vendor>/. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "vendor.h"
#include "normalize.h"
#include "arena.h"
#include "json.h"

#define NOW 1800000000 /* 2027-01-15: every fixture endsAt but 2099's is in the past */

static struct arena a;
static struct verrs errs;
static struct vendor_ctx ctx;

static void put(void *o)
{
	json_object_put(o);
}

static void setup(void)
{
	arena_init(&a, 0);
	memset(&errs, 0, sizeof(errs));
	ctx.arena = &a;
	ctx.now = NOW;
	ctx.errs = &errs;
}

static void teardown(void)
{
	arena_release(&a);
}

static struct json_object *parse(const char *s, size_t n)
{
	enum json_parse_error e;
	struct json_object *o = json_parse(s, n, &e, NULL);
	ck_assert_msg(o != NULL, "bad JSON: %s", json_parse_error_str(e));
	arena_on_reset(&a, put, o);
	return o;
}

/* The parsed fixture OK_FIXTURES/rel (lives until the arena is released). */
static struct json_object *load(const char *rel)
{
	char path[512], buf[65536];
	snprintf(path, sizeof(path), "%s/%s", OK_FIXTURES, rel);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert_uint_lt(n, sizeof(buf));
	return parse(buf, n);
}

/* --- mapped fixtures: one row per event checked ------------------------------------------- */

struct row {
	vendor_map_fn *fn;
	const char *file;
	size_t count; /* number of events the body maps to */
	size_t i;     /* the event this row checks */
	enum event_action action;
	const char *key, *summary, *source;
	enum event_severity sev;
};

#define T EV_TRIGGER
#define R EV_RESOLVE
#define A EV_ACKNOWLEDGE

static const struct row rows[] = {
	/* prometheus / alertmanager */
	{map_prometheus, "prometheus/trigger.json", 2, 0, T, "fp-1", "Auth service 5xx",
		"Prometheus Alertmanager", SEV_WARNING},
	{map_prometheus, "prometheus/trigger.json", 2, 1, T, "fp-2", "Billing service 5xx",
		"Prometheus Alertmanager", SEV_WARNING},
	{map_prometheus, "prometheus/resolve.json", 2, 0, R, "fp-1", "Auth service 5xx",
		"Prometheus Alertmanager", SEV_WARNING},
	{map_prometheus, "prometheus/resolve.json", 2, 1, R, "fp-2", "Billing service 5xx",
		"Prometheus Alertmanager", SEV_WARNING},
	{map_prometheus, "prometheus/alertmanager.json", 2, 0, T, "a1bc48475b20e73d",
		"High CPU core temperature", "Prometheus Alertmanager", SEV_CRITICAL},
	{map_prometheus, "prometheus/alertmanager.json", 2, 1, T, "c2ea85182f28cbd9",
		"High CPU core temperature", "Prometheus Alertmanager", SEV_CRITICAL},
	/* no status + endsAt past → resolve; no fingerprint → label hash; page → critical */
	{map_prometheus, "prometheus/mixed.json", 3, 0, R, "prometheus-42342f804421b4b1",
		"Disk 97% full", "Prometheus Alertmanager", SEV_CRITICAL},
	/* firing with endsAt past stays a trigger; summary falls back to alertname */
	{map_prometheus, "prometheus/mixed.json", 3, 1, T, "fp-db2", "DiskFull",
		"Prometheus Alertmanager", SEV_ERROR},
	/* endsAt in the future → trigger; info is not a Prometheus word → warning */
	{map_prometheus, "prometheus/mixed.json", 3, 2, T, "fp-db3", "Disk filling",
		"Prometheus Alertmanager", SEV_WARNING},
	/* grafana unified (Alertmanager-shaped) */
	{map_grafana, "grafana/trigger.json", 3, 0, T, "grafana-DatabaseHighConnections-db-primary",
		"DB connections > 90%", "Grafana", SEV_CRITICAL},
	{map_grafana, "grafana/trigger.json", 3, 1, T, "grafana-RedisMemoryHigh-cache-redis",
		"Redis memory > 85%", "Grafana", SEV_CRITICAL},
	{map_grafana, "grafana/trigger.json", 3, 2, R, "grafana-ApiLatencyHigh-api-gateway",
		"API latency recovered", "Grafana", SEV_CRITICAL},
	{map_grafana, "grafana/resolve.json", 1, 0, R, "grafana-DatabaseHighConnections-db-primary",
		"DB connections back to normal", "Grafana", SEV_CRITICAL},
	/* the documented unified body also carries legacy state/title: alerts[] wins */
	{map_grafana, "grafana/unified.json", 2, 0, T, "grafana-High memory usage-default",
		"This alert was triggered for zone us-1", "Grafana", SEV_CRITICAL},
	{map_grafana, "grafana/unified.json", 2, 1, T, "grafana-High CPU usage-default",
		"This alert was triggered for zone eu-1", "Grafana", SEV_CRITICAL},
	/* grafana legacy */
	{map_grafana, "grafana/legacy-trigger.json", 1, 0, T, "grafana-17",
		"[Alerting] Panel Title alert", "Grafana", SEV_CRITICAL},
	{map_grafana, "grafana/legacy-resolve.json", 1, 0, R, "grafana-17",
		"[OK] Panel Title alert", "Grafana", SEV_INFO},
	{map_grafana, "grafana/legacy-nodata.json", 1, 0, T, "grafana-queue-depth",
		"[No Data] Queue depth", "Grafana", SEV_WARNING},
	/* datadog */
	{map_datadog, "datadog/trigger.json", 1, 0, T, "datadog-0198e887101256aeb96068b2b00bc21d",
		"[Triggered] High Memory Usage on web-01", "Datadog", SEV_ERROR},
	{map_datadog, "datadog/opsknight-script.json", 1, 0, T, "datadog-test-1700000000000",
		"Test Datadog Alert", "Datadog", SEV_ERROR},
	{map_datadog, "datadog/opsknight-script-resolve.json", 1, 0, R, "datadog-test-1700000000000",
		"Test Datadog Alert", "Datadog", SEV_INFO},
	{map_datadog, "datadog/resolve.json", 1, 0, R, "datadog-0198e887101256aeb96068b2b00bc21d",
		"[Triggered] High Memory Usage on web-01", "Datadog", SEV_INFO},
	{map_datadog, "datadog/webhook.json", 1, 0, T, "datadog-dd5372b11e7ceb52971483dcc821e379",
		"[Triggered] [TEST] Service with IP 172.19.128.1 have exceeded memory limit",
		"Datadog", SEV_ERROR},
	{map_datadog, "datadog/default-template.json", 1, 0, T,
		"datadog-b274dd6880e01c3b1aabf1d1cf621f7e", "$EVENT_TITLE", "Datadog", SEV_WARNING},
	{map_datadog, "datadog/array.json", 2, 0, T, "datadog-monitor-4242",
		"Disk almost full on web-02", "Datadog", SEV_WARNING},
	{map_datadog, "datadog/array.json", 2, 1, R, "datadog-alert-a-77", "Queue backlog",
		"Datadog", SEV_CRITICAL},
	/* cloudwatch, bare and SNS */
	{map_cloudwatch, "cloudwatch/trigger.json", 1, 0, T,
		"cloudwatch-123456789012-us-east-1-HighCPUUtilization", "HighCPUUtilization",
		"AWS CloudWatch (us-east-1)", SEV_CRITICAL},
	{map_cloudwatch, "cloudwatch/resolve.json", 1, 0, R,
		"cloudwatch-123456789012-us-east-1-HighCPUUtilization", "HighCPUUtilization",
		"AWS CloudWatch (us-east-1)", SEV_INFO},
	{map_cloudwatch, "cloudwatch/sns-trigger.json", 1, 0, T,
		"cloudwatch-1234567890-EU (Ireland)-bucketbytesAlarm", "bucketbytesAlarm",
		"AWS CloudWatch (EU (Ireland))", SEV_CRITICAL},
	{map_cloudwatch, "cloudwatch/sns-resolve.json", 1, 0, R,
		"cloudwatch-1234567890-EU (Ireland)-bucketbytesAlarm", "bucketbytesAlarm",
		"AWS CloudWatch (EU (Ireland))", SEV_INFO},
	{map_cloudwatch, "cloudwatch/insufficient.json", 1, 0, T, "cloudwatch-eu-west-1-LatencyP99",
		"LatencyP99", "AWS CloudWatch (eu-west-1)", SEV_WARNING},
	{map_cloudwatch, "cloudwatch/described.json", 1, 0, T, "cloudwatch-eu-west-1-QueueDepth",
		"QueueDepth", "AWS CloudWatch (eu-west-1)", SEV_ERROR},
	/* azure (the sample says monitoringService; the rule reads monitorService) */
	{map_azure, "azure/trigger.json", 1, 0, T, "azure-/subscriptions/test/alerts/1700000000000",
		"Test-High-Memory-Alert", "Azure Monitor (Unknown)", SEV_ERROR},
	{map_azure, "azure/resolve.json", 1, 0, R, "azure-/subscriptions/test/alerts/1700000000000",
		"Test-High-Memory-Alert", "Azure Monitor (Platform)", SEV_ERROR},
	/* newrelic */
	{map_newrelic, "newrelic/trigger.json", 1, 0, T, "newrelic-nr-1700000000000",
		"High Response Time", "New Relic - Test Account", SEV_CRITICAL},
	{map_newrelic, "newrelic/resolve.json", 1, 0, R, "newrelic-nr-1700000000000",
		"High Response Time", "New Relic - Test Account", SEV_CRITICAL},
	{map_newrelic, "newrelic/ack.json", 1, 0, A, "newrelic-nr-1700000000000",
		"High Response Time", "New Relic - Test Account", SEV_CRITICAL},
	{map_newrelic, "newrelic/workflow.json", 1, 0, T,
		"newrelic-c5faa7e6-7b54-402d-af79-f99601e0278c",
		"zulip_app query result is > 1.0 for 1 minutes on 'Zulip Server Low Storage'",
		"New Relic", SEV_CRITICAL},
	{map_newrelic, "newrelic/workflow-resolve.json", 1, 0, R,
		"newrelic-c5faa7e6-7b54-402d-af79-f99601e0278c",
		"zulip_app query result is > 1.0 for 1 minutes on 'Zulip Server Low Storage'",
		"New Relic", SEV_CRITICAL},
	{map_newrelic, "newrelic/workflow-ack.json", 1, 0, A,
		"newrelic-c5faa7e6-7b54-402d-af79-f99601e0278c",
		"zulip_app query result is > 1.0 for 1 minutes on 'Zulip Server Low Storage'",
		"New Relic", SEV_CRITICAL},
	{map_newrelic, "newrelic/alert.json", 1, 0, T, "newrelic-98765", "Apdex low",
		"New Relic - Legacy", SEV_INFO},
	{map_newrelic, "newrelic/alert-resolve.json", 1, 0, R, "newrelic-98765", "Apdex low",
		"New Relic - Legacy", SEV_INFO},
	{map_newrelic, "newrelic/apm.json", 1, 0, T, "f130d713167f4cbfefd98e02bbc94315",
		"Error rate > 5%", "New Relic", SEV_ERROR},
	{map_newrelic, "newrelic/apm-resolve.json", 1, 0, R, "f130d713167f4cbfefd98e02bbc94315",
		"Error rate > 5%", "New Relic", SEV_ERROR},
	/* sentry */
	{map_sentry, "sentry/trigger.json", 1, 0, T, "sentry-4509112233",
		"TypeError: Cannot read property of null", "Sentry - frontend", SEV_ERROR},
	{map_sentry, "sentry/resolve.json", 1, 0, R, "sentry-4509112233",
		"TypeError: Cannot read property of null", "Sentry - frontend", SEV_ERROR},
	{map_sentry, "sentry/ack.json", 1, 0, A, "sentry-4509112233",
		"TypeError: Cannot read property of null", "Sentry - frontend", SEV_ERROR},
	{map_sentry, "sentry/event-alert.json", 1, 0, T, "sentry-1117540176",
		"ReferenceError: heck is not defined", "Sentry", SEV_ERROR},
	{map_sentry, "sentry/data-issue.json", 1, 0, A, "sentry-1170820242", "Error: Uncaught",
		"Sentry - front-end", SEV_WARNING},
	/* github */
	{map_github, "github/trigger.json", 1, 0, T,
		"github-opsknight-labs-ops-core-ci-build---test-main",
		"Workflow failed: CI Build & Test", "GitHub - opsknight-labs/ops-core",
		SEV_CRITICAL},
	{map_github, "github/resolve.json", 1, 0, R,
		"github-opsknight-labs-ops-core-ci-build---test-main",
		"Workflow failed: CI Build & Test", "GitHub - opsknight-labs/ops-core", SEV_INFO},
	{map_github, "github/ack.json", 1, 0, A,
		"github-opsknight-labs-ops-core-ci-build---test-main",
		"Workflow in progress: CI Build & Test", "GitHub - opsknight-labs/ops-core",
		SEV_INFO},
	{map_github, "github/check-run.json", 1, 0, T,
		"github-check-opsknight-labs-ops-core-lint---eslint", "Check failed: Lint / ESLint",
		"GitHub - opsknight-labs/ops-core", SEV_CRITICAL},
	{map_github, "github/deployment.json", 1, 0, T, "github-deployment-42",
		"Deployment failure: production", "GitHub - opsknight-labs/ops-core", SEV_CRITICAL},
	{map_github, "github/deployment-status.json", 1, 0, A, "github-deployment-43",
		"Deployment pending: staging", "GitHub - opsknight-labs/ops-core", SEV_INFO},
	{map_github, "github/gitlab-build.json", 1, 0, T, "gitlab-fintech-core-release-1-2",
		"Build failed: release/1.2", "GitLab - Fintech/Core", SEV_ERROR},
	{map_github, "github/push.json", 1, 0, A, "github-unknown-opsknight-labs/ops-core",
		"GitHub event received: unknown", "GitHub - opsknight-labs/ops-core", SEV_INFO},
	/* gitlab */
	{map_gitlab, "gitlab/trigger.json", 1, 0, T, "gitlab-fintech-core-main",
		"GitLab CI: Pipeline for fintech/core on main failed", "GitLab CI", SEV_ERROR},
	{map_gitlab, "gitlab/resolve.json", 1, 0, R, "gitlab-fintech-core-main",
		"GitLab CI: Pipeline for fintech/core on main success", "GitLab CI", SEV_INFO},
	{map_gitlab, "gitlab/ack.json", 1, 0, A, "gitlab-fintech-core-main",
		"GitLab CI: Pipeline for fintech/core on main running", "GitLab CI", SEV_INFO},
	{map_gitlab, "gitlab/pipeline-hook.json", 1, 0, A,
		"gitlab-gitlab-org-gitlab-test-pipeline-31",
		"GitLab CI: Pipeline for gitlab-org/gitlab-test on develop canceled", "GitLab CI",
		SEV_WARNING},
	{map_gitlab, "gitlab/merge-request.json", 1, 0, R, "gitlab-fintech-core-mr-7",
		"GitLab MR: Fix pool size (fix-pool \xe2\x86\x92 main)", "GitLab", SEV_INFO},
	{map_gitlab, "gitlab/deployment.json", 1, 0, T, "gitlab-fintech-core-deploy-production",
		"GitLab Deploy: fintech/core to production failed", "GitLab", SEV_ERROR},
	{map_gitlab, "gitlab/issue.json", 1, 0, T, "gitlab-fintech-core-issue-301",
		"GitLab: Checkout down", "GitLab", SEV_CRITICAL},
	{map_gitlab, "gitlab/issue-resolve.json", 1, 0, R, "gitlab-fintech-core-issue-301",
		"GitLab: Checkout down", "GitLab", SEV_CRITICAL},
	{map_gitlab, "gitlab/push.json", 1, 0, A, "gitlab-team-my-project-push",
		"GitLab Webhook: Team/My Project push", "GitLab", SEV_INFO},
};

START_TEST(maps_fixture)
{
	const struct row *r = &rows[_i];
	struct json_object *body = load(r->file);
	struct event *evs = NULL;
	size_t n = 0;

	ck_assert_msg(r->fn(body, &ctx, &evs, &n) == 0, "%s: %s", r->file,
		errs.n ? errs.msg[0] : "(no message)");
	ck_assert_int_eq(errs.n, 0);
	ck_assert_msg(n == r->count, "%s: %zu events, want %zu", r->file, n, r->count);
	const struct event *ev = &evs[r->i];
	ck_assert_msg(ev->action == r->action, "%s[%zu]: action %s", r->file, r->i,
		event_action_name(ev->action));
	ck_assert_str_eq(ev->dedup_key, r->key);
	ck_assert_str_eq(ev->summary, r->summary);
	ck_assert_str_eq(ev->source, r->source);
	ck_assert_msg(ev->severity == r->sev, "%s[%zu]: severity %s", r->file, r->i,
		event_severity_name(ev->severity));
	ck_assert_ptr_nonnull(ev->custom_details);
	ck_assert_ptr_nonnull(ev->payload);
}
END_TEST

/* --- batches: custom_details/payload are the alert, not the whole body --------------------- */

START_TEST(batch_item_is_the_alert)
{
	struct json_object *body = load("prometheus/alertmanager.json");
	struct event *evs;
	size_t n;

	ck_assert_int_eq(map_prometheus(body, &ctx, &evs, &n), 0);
	ck_assert_ptr_eq(evs[1].custom_details, norm_get(body, "alerts.1"));
	ck_assert_ptr_eq(evs[1].payload, norm_get(body, "alerts.1"));

	body = load("datadog/array.json");
	ck_assert_int_eq(map_datadog(body, &ctx, &evs, &n), 0);
	ck_assert_ptr_eq(evs[0].custom_details, json_object_array_get_idx(body, 0));
}
END_TEST

START_TEST(sns_details_are_the_alarm)
{
	struct json_object *body = load("cloudwatch/sns-trigger.json");
	struct event *evs;
	size_t n;

	ck_assert_int_eq(map_cloudwatch(body, &ctx, &evs, &n), 0);
	ck_assert_ptr_eq(evs[0].payload, body);
	ck_assert_str_eq(
		norm_str(&a, evs[0].custom_details, "Trigger.MetricName"), "BucketSizeBytes");
}
END_TEST

START_TEST(endsat_now_boundary)
{
	struct event *evs;
	size_t n;
	/* endsAt exactly now (with an offset) resolves; one second later does not */
	const char *json = "{\"alerts\":[{\"labels\":{\"alertname\":\"x\"},"
			   "\"endsAt\":\"2027-01-15T09:00:00+01:00\"},"
			   "{\"labels\":{\"alertname\":\"y\"},"
			   "\"endsAt\":\"2027-01-15T08:00:01.5Z\"}]}";
	struct json_object *body = parse(json, strlen(json));
	ck_assert_int_eq(map_grafana(body, &ctx, &evs, &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(evs[0].action, EV_RESOLVE);
	ck_assert_int_eq(evs[1].action, EV_TRIGGER);
	ck_assert_int_eq(map_prometheus(body, &ctx, &evs, &n), 0);
	ck_assert_int_eq(evs[0].action, EV_RESOLVE);
	ck_assert_int_eq(evs[1].action, EV_TRIGGER);
}
END_TEST

/* --- refusals ------------------------------------------------------------------------------- */

struct refusal {
	vendor_map_fn *fn;
	const char *file; /* a fixture, or NULL to use json */
	const char *json;
	const char *msg; /* the first message */
};

static const struct refusal refusals[] = {
	/* another vendor's payload */
	{map_prometheus, "pagerduty/trigger.json", NULL, "'alerts' must be a non-empty array"},
	{map_grafana, "pagerduty/trigger.json", NULL,
		"'alerts' must be a non-empty array (or 'state'/'ruleName' for a legacy alert)"},
	{map_datadog, "pagerduty/trigger.json", NULL,
		"body needs one of 'title', 'alert.title', 'monitor.name', 'aggregation_key', "
		"'alert.id', 'monitor.id'"},
	{map_cloudwatch, "pagerduty/trigger.json", NULL, "'AlarmName' is missing"},
	{map_azure, "pagerduty/trigger.json", NULL, "'data' must be an object"},
	{map_newrelic, "pagerduty/trigger.json", NULL,
		"body needs 'incident', 'alert', 'alertTitle'/'alertType', or a workflow 'id' and "
		"'state'"},
	{map_sentry, "pagerduty/trigger.json", NULL,
		"'issue' or 'event' (or 'data.issue'/'data.event') must be an object"},
	{map_github, "pagerduty/trigger.json", NULL,
		"body has no 'workflow_run', 'check_run', 'deployment' or GitLab build, nor a "
		"'repository.full_name'"},
	{map_gitlab, "pagerduty/trigger.json", NULL, "'object_kind' is missing"},
	{map_prometheus, "cloudwatch/trigger.json", NULL, "'alerts' must be a non-empty array"},
	{map_cloudwatch, "prometheus/trigger.json", NULL, "'AlarmName' is missing"},
	{map_sentry, "github/trigger.json", NULL,
		"'issue' or 'event' (or 'data.issue'/'data.event') must be an object"},
	{map_azure, "sentry/event-alert.json", NULL, "'data.essentials.alertId' is missing"},
	/* foreign bodies that carry the key fields but not the vendor's shape discriminator */
	{map_datadog, "elastic/trigger.json", NULL,
		"body has no 'title', 'alert.title', 'event_type', 'alert_type' or "
		"'aggregation_key' (not a Datadog payload?)"},
	{map_datadog, "uptime-kuma/trigger.json", NULL,
		"body has no 'title', 'alert.title', 'event_type', 'alert_type' or "
		"'aggregation_key' (not a Datadog payload?)"},
	{map_newrelic, "better-uptime/trigger.json", NULL,
		"'incident.state' (or 'event_type') is missing (not a New Relic payload?)"},
	{map_newrelic, "elastic/trigger.json", NULL,
		"'alert.alert_condition_name' (or 'alert.alert_policy_name') is missing (not a New "
		"Relic payload?)"},
	{map_newrelic, "uptimerobot/trigger.json", NULL,
		"'alertTitle' (or 'alertSeverity') is missing (not a New Relic payload?)"},
	{map_github, "bitbucket/trigger.json", NULL,
		"'sender' (or 'action', 'pusher') is missing (not a GitHub payload?)"},
	{map_gitlab, "datadog/trigger.json", NULL, "'object_kind' is missing"},
	{map_gitlab, "newrelic/trigger.json", NULL, "'object_kind' is missing"},
	/* empty objects */
	{map_prometheus, NULL, "{}", "'alerts' must be a non-empty array"},
	{map_grafana, NULL, "{}",
		"'alerts' must be a non-empty array (or 'state'/'ruleName' for a legacy alert)"},
	{map_datadog, NULL, "{}",
		"body needs one of 'title', 'alert.title', 'monitor.name', 'aggregation_key', "
		"'alert.id', 'monitor.id'"},
	{map_cloudwatch, NULL, "{}", "'AlarmName' is missing"},
	{map_azure, NULL, "{}", "'data' must be an object"},
	{map_newrelic, NULL, "{}",
		"body needs 'incident', 'alert', 'alertTitle'/'alertType', or a workflow 'id' and "
		"'state'"},
	{map_sentry, NULL, "{}",
		"'issue' or 'event' (or 'data.issue'/'data.event') must be an object"},
	{map_github, NULL, "{}",
		"body has no 'workflow_run', 'check_run', 'deployment' or GitLab build, nor a "
		"'repository.full_name'"},
	{map_gitlab, NULL, "{}", "'object_kind' is missing"},
	/* arrays (datadog accepts arrays of objects, but not an empty one or one of non-objects) */
	{map_prometheus, NULL, "[{}]", "body must be a JSON object"},
	{map_grafana, NULL, "[{}]", "body must be a JSON object"},
	{map_cloudwatch, NULL, "[{}]", "body must be a JSON object"},
	{map_azure, NULL, "[{}]", "body must be a JSON object"},
	{map_newrelic, NULL, "[{}]", "body must be a JSON object"},
	{map_sentry, NULL, "[{}]", "body must be a JSON object"},
	{map_github, NULL, "[{}]", "body must be a JSON object"},
	{map_gitlab, NULL, "[{}]", "body must be a JSON object"},
	{map_datadog, NULL, "[]", "body array must not be empty"},
	{map_datadog, NULL, "[{\"title\":\"ok\"},1]", "'1' must be a JSON object"},
	{map_datadog, NULL, "\"text\"", "body must be a JSON object or an array of objects"},
	/* the vendor's shape, broken */
	{map_prometheus, NULL, "{\"alerts\":[]}", "'alerts' must be a non-empty array"},
	{map_prometheus, NULL, "{\"alerts\":{\"labels\":{}}}",
		"'alerts' must be a non-empty array"},
	{map_prometheus, NULL, "{\"alerts\":[1]}", "'alerts.0' must be an object"},
	{map_prometheus, NULL, "{\"alerts\":[{\"labels\":{}},{\"fingerprint\":\"x\"}]}",
		"'alerts.1.labels' must be an object"},
	{map_grafana, NULL, "{\"alerts\":[{\"status\":\"firing\"}]}",
		"'alerts.0.labels' must be an object"},
	{map_grafana, NULL, "{\"state\":\"alerting\"}",
		"'ruleId', 'ruleName' or 'title' is required"},
	{map_cloudwatch, NULL,
		"{\"AlarmName\":\"x\",\"NewStateValue\":\"BROKEN\",\"StateChangeTime\":\"t\","
		"\"Region\":\"r\"}",
		"'NewStateValue' must be OK, ALARM or INSUFFICIENT_DATA"},
	{map_cloudwatch, NULL, "{\"AlarmName\":\"x\",\"NewStateValue\":\"OK\"}",
		"'StateChangeTime' is missing"},
	{map_cloudwatch, "cloudwatch/sns-subscription-confirmation.json", NULL,
		"SNS SubscriptionConfirmation"},
	{map_cloudwatch, NULL, "{\"Type\":\"Notification\",\"Message\":\"not json\"}",
		"'Message' is not JSON: invalid JSON"},
	{map_cloudwatch, NULL,
		"{\"Type\":\"Notification\",\"Message\":\"{\\\"AlarmName\\\":\\\"x\\\"}\"}",
		"'Message.StateChangeTime' is missing"},
	{map_cloudwatch, NULL, "{\"Type\":\"UnsubscribeConfirmation\",\"Message\":\"bye\"}",
		"'Type' must be \"Notification\" for an SNS delivery, not "
		"\"UnsubscribeConfirmation\""},
	{map_newrelic, NULL, "{\"incident\":{\"title\":\"x\"}}", "'incident.id' is missing"},
	{map_newrelic, NULL, "{\"incident\":\"x\"}", "'incident' must be an object"},
	{map_sentry, NULL, "{\"action\":\"created\",\"issue\":{\"title\":\"x\"}}",
		"'issue.id' is missing"},
	{map_sentry, NULL, "{\"event\":{\"message\":\"x\"}}",
		"'event.issue_id' or 'event.event_id' is missing"},
	{map_github, NULL, "{\"workflow_run\":{\"name\":\"CI\"}}",
		"'workflow_run.status' is missing"},
	{map_github, NULL, "{\"deployment\":{\"state\":\"success\"}}",
		"'deployment.id' is missing"},
};

START_TEST(refuses)
{
	const struct refusal *r = &refusals[_i];
	struct json_object *body = r->file ? load(r->file) : parse(r->json, strlen(r->json));
	struct event *evs = NULL;
	size_t n = 0;

	ck_assert_int_eq(r->fn(body, &ctx, &evs, &n), -1);
	ck_assert_int_ge(errs.n, 1);
	ck_assert_str_eq(errs.msg[0], r->msg);
}
END_TEST

static Suite *vendors_suite(void)
{
	Suite *s = suite_create("vendors_a");
	TCase *tc = tcase_create("map");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, maps_fixture, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, batch_item_is_the_alert);
	tcase_add_test(tc, sns_details_are_the_alarm);
	tcase_add_test(tc, endsat_now_boundary);
	suite_add_tcase(s, tc);
	tc = tcase_create("refuse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, refuses, 0, (int)(sizeof(refusals) / sizeof(refusals[0])));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(vendors_suite)
