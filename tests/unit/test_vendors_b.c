/* test_vendors_b.c: vendor mappers of group b (appdynamics, better-uptime, bitbucket,
 * dynatrace, elastic, google-cloud-monitoring, honeycomb, icinga, nagios) on fixtures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "vendor.h"
#include "normalize.h"
#include "arena.h"
#include "json.h"

static struct arena a;
static struct verrs errs;

static void put(void *o)
{
	json_object_put(o);
}

static struct json_object *parse_text(const char *s)
{
	enum json_parse_error e;
	struct json_object *o = json_parse(s, strlen(s), &e, NULL);

	ck_assert_msg(o != NULL, "cannot parse %s", s);
	arena_on_reset(&a, put, o);
	return o;
}

/* The fixture OK_FIXTURES/rel, parsed; lives until the arena resets. */
static struct json_object *load(const char *rel)
{
	char path[512], *buf;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", OK_FIXTURES, rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	struct json_object *o = parse_text(buf);
	free(buf);
	return o;
}

static int map(vendor_map_fn *fn, struct json_object *body, struct event **evs, size_t *n)
{
	struct vendor_ctx c = {&a, 1700000000, &errs};

	memset(&errs, 0, sizeof(errs));
	*evs = NULL;
	*n = 0;
	return fn(body, &c, evs, n);
}

/* Maps the fixture and checks its one event; returns it for further checks. */
static struct event *expect(vendor_map_fn *fn, const char *rel, enum event_action action,
	const char *key, const char *summary, const char *source, enum event_severity sev)
{
	struct event *evs;
	size_t n;
	int rc = map(fn, load(rel), &evs, &n);

	ck_assert_msg(rc == 0, "%s: refused: %s", rel, errs.n ? errs.msg[0] : "(no message)");
	ck_assert_int_eq(errs.n, 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(evs[0].action, action);
	ck_assert_str_eq(evs[0].dedup_key, key);
	ck_assert_str_eq(evs[0].summary, summary);
	ck_assert_str_eq(evs[0].source, source);
	ck_assert_int_eq(evs[0].severity, sev);
	ck_assert_ptr_nonnull(evs[0].payload);
	ck_assert_ptr_eq(evs[0].payload, evs[0].custom_details);
	return &evs[0];
}

/* body is refused with msg among the messages. */
static void refuse(vendor_map_fn *fn, struct json_object *body, const char *msg)
{
	struct event *evs;
	size_t n;
	int found = 0;

	ck_assert_int_eq(map(fn, body, &evs, &n), -1);
	ck_assert_int_ge(errs.n, 1);
	for (int i = 0; i < errs.n; i++)
		found |= !strcmp(errs.msg[i], msg);
	ck_assert_msg(found, "expected \"%s\", got \"%s\"", msg, errs.msg[0]);
}

/* Another vendor's body and an empty object miss the key fields; arrays are not bodies. */
static void refusals(vendor_map_fn *fn, const char *missing)
{
	refuse(fn, load("pagerduty/trigger.json"), missing);
	refuse(fn, parse_text("{}"), missing);
	refuse(fn, parse_text("[]"), "body must be a JSON object");
	refuse(fn, parse_text("[{\"incidentId\":\"1\",\"HOSTNAME\":\"h\"}]"),
		"body must be a JSON object");
	refuse(fn, parse_text("\"text\""), "body must be a JSON object");
}

static void setup(void)
{
	arena_init(&a, 0);
}

static void teardown(void)
{
	arena_release(&a);
}

START_TEST(appdynamics)
{
	expect(map_appdynamics, "appdynamics/trigger.json", EV_TRIGGER, "appd-inc-777",
		"Response time exceeded 2000ms threshold", "AppDynamics", SEV_WARNING);
	expect(map_appdynamics, "appdynamics/resolve.json", EV_RESOLVE, "appd-inc-777",
		"Response time back under 2000ms threshold", "AppDynamics", SEV_WARNING);
	/* no id: key from the application; severity from the event type */
	expect(map_appdynamics, "appdynamics/no-id.json", EV_TRIGGER,
		"appdynamics-payment-gateway-eu", "POLICY_OPEN_CRITICAL", "AppDynamics",
		SEV_CRITICAL);
	refusals(map_appdynamics, "'incidentId' is missing (and no 'eventId', 'application', "
				  "'summary' or 'node' to key on)");
	refuse(map_appdynamics, parse_text("{\"incidentId\":{\"id\":1}}"),
		"'incidentId' must be a string or a number");
	/* key fields but no eventType: Splunk Observability's and the generic webhook's */
	refuse(map_appdynamics, load("splunk-observability/trigger.json"),
		"'eventType' is missing (not an AppDynamics payload?)");
	refuse(map_appdynamics, load("webhook/trigger.json"),
		"'eventType' is missing (not an AppDynamics payload?)");
}
END_TEST

START_TEST(better_uptime)
{
	expect(map_better_uptime, "better-uptime/trigger.json", EV_TRIGGER, "bu-1", "Web Outage",
		"Better Uptime", SEV_WARNING);
	expect(map_better_uptime, "better-uptime/resolve.json", EV_RESOLVE, "bu-1", "Web Outage",
		"Better Uptime", SEV_WARNING);
	expect(map_better_uptime, "better-uptime/ack.json", EV_ACKNOWLEDGE, "bu-1", "Web Outage",
		"Better Uptime", SEV_WARNING);
	expect(map_better_uptime, "better-uptime/betterstack.json", EV_TRIGGER, "417862",
		"api.example.com", "Better Uptime", SEV_WARNING);
	expect(map_better_uptime, "better-uptime/name-only.json", EV_TRIGGER,
		"better-uptime-checkout-api-down", "Checkout API down", "Better Uptime",
		SEV_CRITICAL);
	refusals(map_better_uptime,
		"'incident.id' is missing (and no 'incident.name' or 'name' to key on)");
	refuse(map_better_uptime, parse_text("{\"incident\":[1]}"), "'incident' must be an object");
	/* New Relic's incident has an id and a state, not a status */
	refuse(map_better_uptime, load("newrelic/trigger.json"),
		"'incident.status' is missing (or 'status', 'data.attributes.status'; not a Better "
		"Uptime payload?)");
}
END_TEST

START_TEST(bitbucket)
{
	expect(map_bitbucket, "bitbucket/trigger.json", EV_TRIGGER, "bitbucket-org/repo-service",
		"Bitbucket FAILED: org/repo-service", "Bitbucket", SEV_ERROR);
	expect(map_bitbucket, "bitbucket/resolve.json", EV_RESOLVE, "bitbucket-org/repo-service",
		"Bitbucket SUCCESSFUL: org/repo-service", "Bitbucket", SEV_INFO);
	expect(map_bitbucket, "bitbucket/commit-status.json", EV_TRIGGER,
		"bitbucket-org/repo-service-unit-tests", "Bitbucket FAILED: org/repo-service",
		"Bitbucket", SEV_ERROR);
	expect(map_bitbucket, "bitbucket/commit-status-resolve.json", EV_RESOLVE,
		"bitbucket-org/repo-service-unit-tests", "Bitbucket SUCCESSFUL: org/repo-service",
		"Bitbucket", SEV_INFO);
	refusals(map_bitbucket, "'repository.full_name' is missing");
	refuse(map_bitbucket, parse_text("{\"repository\":\"org/x\"}"),
		"'repository' must be an object");
	/* GitHub's workflow_run has a repository too, but no pipeline or commit_status */
	refuse(map_bitbucket, load("github/trigger.json"),
		"'commit_status' (or 'pipeline') is missing (not a Bitbucket payload?)");
}
END_TEST

START_TEST(dynatrace)
{
	expect(map_dynatrace, "dynatrace/trigger.json", EV_TRIGGER, "dt-prob-1", "Slow DB query",
		"Dynatrace", SEV_WARNING);
	expect(map_dynatrace, "dynatrace/resolve.json", EV_RESOLVE, "dt-prob-1", "Slow DB query",
		"Dynatrace", SEV_WARNING);
	refusals(map_dynatrace, "'ProblemID' is missing (and no 'ProblemTitle' to key on)");
	refuse(map_dynatrace, parse_text("{\"ProblemID\":true}"),
		"'ProblemID' must be a string or a number");
}
END_TEST

START_TEST(elastic)
{
	expect(map_elastic, "elastic/trigger.json", EV_TRIGGER, "123", "High CPU", "Elastic",
		SEV_CRITICAL);
	expect(map_elastic, "elastic/resolve.json", EV_RESOLVE, "123", "High CPU", "Elastic",
		SEV_CRITICAL);
	expect(map_elastic, "elastic/context-only.json", EV_TRIGGER,
		"elastic-disk-usage-above-85%-on-es-data-2", "Disk usage above 85% on es-data-2",
		"Elastic", SEV_WARNING);
	refusals(map_elastic, "'alert.id' is missing (and no 'rule.id', 'rule.name', "
			      "'alert.reason', 'context.message' or 'message' to key on)");
	refuse(map_elastic, parse_text("{\"alert\":\"x\",\"rule\":{\"id\":\"r\"}}"),
		"'alert' must be an object");
	/* Opsgenie's alert has a top-level message, but no rule, alert or context */
	refuse(map_elastic, load("opsgenie/trigger.json"),
		"'rule' (or 'alert', 'context') is missing (not an Elastic payload?)");
}
END_TEST

START_TEST(google_cloud_monitoring)
{
	const char *src = "Google Cloud Monitoring";

	expect(map_google_cloud_monitoring, "google-cloud-monitoring/trigger.json", EV_TRIGGER,
		"gcp-inc-999", "CPU utilization above 90%", src, SEV_WARNING);
	expect(map_google_cloud_monitoring, "google-cloud-monitoring/resolve.json", EV_RESOLVE,
		"gcp-inc-999", "CPU utilization for prod-vm-instance returned to normal", src,
		SEV_WARNING);
	struct event *ev = expect(map_google_cloud_monitoring,
		"google-cloud-monitoring/pubsub.json", EV_TRIGGER, "0.lxyz123abc",
		"Uptime check for checkout.example.com failing in 3 regions", src, SEV_CRITICAL);
	/* the decoded incident is the payload, with the envelope's metadata as _pubsub */
	ck_assert_str_eq(norm_str(&a, ev->payload, "_pubsub.messageId"), "9876543210123");
	ck_assert_str_eq(norm_str(&a, ev->payload, "_pubsub.subscription"),
		"projects/acme-prod/subscriptions/opsknight-push");
	ck_assert_str_eq(norm_str(&a, ev->payload, "incident.policy_name"), "Checkout uptime");
	/* no incident id: gcp-{policy}-{resource}, gcp-{policy}, gcp-{slug(summary)} */
	expect(map_google_cloud_monitoring, "google-cloud-monitoring/policy.json", EV_TRIGGER,
		"gcp-Disk full-gce_instance", "Disk above 95% on db-1", src, SEV_ERROR);

	refusals(map_google_cloud_monitoring, "'incident.incident_id' is missing (and no "
					      "'incident.policy_name' or summary to key on)");
	refuse(map_google_cloud_monitoring, parse_text("{\"message\":{\"data\":\"!!not*b64\"}}"),
		"'message.data' is not valid base64");
	refuse(map_google_cloud_monitoring, parse_text("{\"message\":{\"data\":42}}"),
		"'message.data' must be a base64 string");
	refuse(map_google_cloud_monitoring, parse_text("{\"message\":{\"data\":\"aGVsbG8=\"}}"),
		"'message.data' does not decode to JSON (invalid JSON)");
	refuse(map_google_cloud_monitoring, parse_text("{\"message\":{\"data\":\"WzFd\"}}"),
		"'message.data' must decode to a JSON object");
	/* base64 of {"x":1}: a valid envelope around a body that is not an incident */
	refuse(map_google_cloud_monitoring, parse_text("{\"message\":{\"data\":\"eyJ4IjoxfQ==\"}}"),
		"'incident.incident_id' is missing (and no 'incident.policy_name' or summary to "
		"key "
		"on)");
	refuse(map_google_cloud_monitoring, parse_text("{\"incident\":\"open\"}"),
		"'incident' must be an object");
	/* a top-level summary (AppDynamics, generic webhook); New Relic's incident (id, title) */
	refuse(map_google_cloud_monitoring, load("appdynamics/trigger.json"),
		"'incident.incident_id' (or 'incident.summary') is missing (not a Google Cloud "
		"Monitoring payload?)");
	refuse(map_google_cloud_monitoring, load("webhook/trigger.json"),
		"'incident.incident_id' (or 'incident.summary') is missing (not a Google Cloud "
		"Monitoring payload?)");
	refuse(map_google_cloud_monitoring, load("newrelic/trigger.json"),
		"'incident.incident_id' (or 'incident.summary') is missing (not a Google Cloud "
		"Monitoring payload?)");
}
END_TEST

START_TEST(honeycomb)
{
	expect(map_honeycomb, "honeycomb/trigger.json", EV_TRIGGER, "honeycomb-high-latency",
		"High Latency", "Honeycomb", SEV_CRITICAL);
	expect(map_honeycomb, "honeycomb/resolve.json", EV_RESOLVE, "honeycomb-high-latency",
		"High Latency", "Honeycomb", SEV_CRITICAL);
	expect(map_honeycomb, "honeycomb/native.json", EV_TRIGGER, "Tr1gg3rId9",
		"Checkout p99 latency", "Honeycomb", SEV_WARNING);
	expect(map_honeycomb, "honeycomb/native-resolve.json", EV_RESOLVE, "Tr1gg3rId9",
		"Checkout p99 latency", "Honeycomb", SEV_WARNING);
	refusals(map_honeycomb, "'alert_id' is missing (and no 'alert_name' to key on)");
	refuse(map_honeycomb, parse_text("{\"alert_name\":[\"x\"]}"),
		"'alert_name' must be a string or a number");
}
END_TEST

START_TEST(icinga)
{
	const char *key = "icinga-srv-db-01.internal-postgresql-connectivity";

	expect(map_icinga, "icinga/trigger.json", EV_TRIGGER, key,
		"PostgreSQL Connectivity on srv-db-01.internal is CRITICAL: CRITICAL - could not "
		"connect to server: Connection refused",
		"Icinga", SEV_CRITICAL);
	expect(map_icinga, "icinga/resolve.json", EV_RESOLVE, key,
		"PostgreSQL Connectivity on srv-db-01.internal is OK: OK - database postgres (2 "
		"sec.)",
		"Icinga", SEV_INFO);
	expect(map_icinga, "icinga/ack.json", EV_ACKNOWLEDGE, key,
		"PostgreSQL Connectivity on srv-db-01.internal is CRITICAL: CRITICAL - could not "
		"connect to server: Connection refused",
		"Icinga", SEV_CRITICAL);
	expect(map_icinga, "icinga/host-down.json", EV_TRIGGER, "icinga-edge-router-02",
		"Host edge-router-02 is DOWN: PING CRITICAL - Packet loss = 100%", "Icinga",
		SEV_CRITICAL);
	/* /v1/events CheckResult: numeric state 1 of a service = WARNING */
	expect(map_icinga, "icinga/event-stream.json", EV_TRIGGER, "icinga-icingacamp-random-8",
		"random-8 on icingacamp is WARNING: Hello from mbmif.int.netways.de", "Icinga",
		SEV_WARNING);
	expect(map_icinga, "icinga/event-stream-host-ok.json", EV_RESOLVE, "icinga-icingacamp",
		"Host icingacamp is UP: PING OK - Packet loss = 0%, RTA = 0.05 ms", "Icinga",
		SEV_INFO);
	refusals(map_icinga, "'host_name' is missing (or 'hostName', 'host', 'host_display_name')");
	refuse(map_icinga, parse_text("{\"host_name\":\"h\",\"service_state\":{\"a\":1}}"),
		"'service_state' must be a string or a number");
	refuse(map_icinga, parse_text("{\"host\":\"h\",\"check_result\":7}"),
		"'check_result' must be an object");
	/* Zabbix's host_name with event_status: no notification type, no state */
	refuse(map_icinga, load("zabbix/trigger.json"),
		"'notification_type' (or 'notificationType', 'type', 'host_state', "
		"'service_state', 'check_result') is missing (not an Icinga payload?)");
}
END_TEST

START_TEST(nagios)
{
	const char *key = "nagios-web-prod-01-http-service";

	expect(map_nagios, "nagios/trigger.json", EV_TRIGGER, key,
		"HTTP Service on web-prod-01 is CRITICAL: HTTP 500 Internal Server Error", "Nagios",
		SEV_CRITICAL);
	expect(map_nagios, "nagios/resolve.json", EV_RESOLVE, key,
		"HTTP Service on web-prod-01 is OK: HTTP OK: HTTP/1.1 200 OK", "Nagios", SEV_INFO);
	expect(map_nagios, "nagios/ack.json", EV_ACKNOWLEDGE, key,
		"HTTP Service on web-prod-01 is CRITICAL: HTTP 500 Internal Server Error", "Nagios",
		SEV_CRITICAL);
	/* the reference's own template (nagios-notification-template.json), macros expanded */
	expect(map_nagios, "nagios/template.json", EV_TRIGGER, key,
		"HTTP Service on web-prod-01 is WARNING: HTTP WARNING: 2.4 second response time",
		"Nagios", SEV_WARNING);
	/* form-encoded host notification (an object of strings) */
	expect(map_nagios, "nagios/form-host.json", EV_TRIGGER, "nagios-db-backup-03",
		"Host db-backup-03 is UNREACHABLE: CRITICAL - Host Unreachable (10.0.4.23)",
		"Nagios", SEV_ERROR);
	expect(map_nagios, "nagios/form-host-recovery.json", EV_RESOLVE, "nagios-db-backup-03",
		"Host db-backup-03 is UP: PING OK - Packet loss = 0%, RTA = 0.40 ms", "Nagios",
		SEV_INFO);
	refusals(map_nagios, "'HOSTNAME' is missing (or 'hostname', 'HOSTALIAS', 'host_name')");
	refuse(map_nagios, parse_text("{\"HOSTNAME\":[\"web\"]}"),
		"'HOSTNAME' must be a string or a number");
	/* Zabbix's host_name with event_status: no notification type, no state */
	refuse(map_nagios, load("zabbix/trigger.json"),
		"'NOTIFICATIONTYPE' (or 'HOSTSTATE', 'SERVICESTATE') is missing (not a Nagios "
		"payload?)");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("vendors_b");
	TCase *tc = tcase_create("vendors_b");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, appdynamics);
	tcase_add_test(tc, better_uptime);
	tcase_add_test(tc, bitbucket);
	tcase_add_test(tc, dynatrace);
	tcase_add_test(tc, elastic);
	tcase_add_test(tc, google_cloud_monitoring);
	tcase_add_test(tc, honeycomb);
	tcase_add_test(tc, icinga);
	tcase_add_test(tc, nagios);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
