/* test_vendors_c.c: the vendor mappers of group c (pingdom … zabbix, opsgenie) on fixtures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "vendor.h"
#include "normalize.h"
#include "event.h"
#include "arena.h"
#include "json.h"

static struct arena a;
static struct verrs errs;

static void put(void *o)
{
	json_object_put(o);
}

static struct json_object *parse(const char *s, size_t n)
{
	enum json_parse_error e;
	struct json_object *o = json_parse(s, n, &e, NULL);

	ck_assert_msg(o != NULL, "unparsable JSON: %s", json_parse_error_str(e));
	arena_on_reset(&a, put, o);
	return o;
}

/* The fixture OK_FIXTURES/name, parsed (freed at the arena reset). */
static struct json_object *fixture(const char *name)
{
	char path[512], *buf;
	snprintf(path, sizeof(path), "%s/%s", OK_FIXTURES, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	buf = arena_alloc(&a, (size_t)len + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return parse(buf, (size_t)len);
}

static int run(vendor_map_fn *fn, struct json_object *body, struct event **evs, size_t *n)
{
	struct vendor_ctx c = {&a, 1700000000, &errs};

	memset(&errs, 0, sizeof(errs));
	*evs = NULL;
	*n = 0;
	int rc = fn(body, &c, evs, n);
	ck_assert_int_eq(rc == 0, errs.n == 0);
	return rc;
}

static int has_error(const char *msg)
{
	for (int i = 0; i < errs.n; i++)
		if (!strcmp(errs.msg[i], msg))
			return 1;
	return 0;
}

static void setup(void)
{
	arena_init(&a, 0);
}

static void teardown(void)
{
	arena_release(&a);
}

/* --- fixtures and their expected events ------------------------------------------------- */

struct expect {
	vendor_map_fn *fn;
	const char *file;
	enum event_action action;
	const char *key;
	const char *summary;
	const char *source;
	enum event_severity sev;
};

static const struct expect cases[] = {
	/* pingdom */
	{map_pingdom, "pingdom/trigger.json", EV_TRIGGER, "pingdom-login-page", "Login Page",
		"Pingdom", SEV_CRITICAL},
	{map_pingdom, "pingdom/resolve.json", EV_RESOLVE, "pingdom-login-page", "Login Page",
		"Pingdom", SEV_INFO},
	{map_pingdom, "pingdom/state-change-down.json", EV_TRIGGER, "803412", "Checkout API",
		"Pingdom", SEV_CRITICAL},
	{map_pingdom, "pingdom/state-change-up.json", EV_RESOLVE, "803412", "Checkout API",
		"Pingdom", SEV_INFO},
	{map_pingdom, "pingdom/form-trigger.json", EV_TRIGGER, "803412", "Checkout API", "Pingdom",
		SEV_CRITICAL},
	/* splunk-observability */
	{map_splunk_observability, "splunk-observability/trigger.json", EV_TRIGGER, "sfx-1",
		"Splunk Observability Alert", "Splunk Observability", SEV_WARNING},
	{map_splunk_observability, "splunk-observability/resolve.json", EV_RESOLVE, "sfx-1",
		"Splunk Observability Alert", "Splunk Observability", SEV_WARNING},
	{map_splunk_observability, "splunk-observability/detector-anomalous.json", EV_TRIGGER,
		"GkQ2bTcAcAA", "Checkout latency p99", "Splunk Observability", SEV_CRITICAL},
	{map_splunk_observability, "splunk-observability/detector-manually-resolved.json",
		EV_RESOLVE, "GkQ2bTcAcAA", "Checkout latency p99", "Splunk Observability",
		SEV_CRITICAL},
	/* splunk-oncall */
	{map_splunk_oncall, "splunk-oncall/trigger.json", EV_TRIGGER, "splunk-ent-1", "Outage",
		"Splunk On-Call", SEV_CRITICAL},
	{map_splunk_oncall, "splunk-oncall/resolve.json", EV_RESOLVE, "splunk-ent-1", "Outage over",
		"Splunk On-Call", SEV_WARNING},
	{map_splunk_oncall, "splunk-oncall/ack.json", EV_ACKNOWLEDGE, "splunk-ent-1",
		"Looking into it", "Splunk On-Call", SEV_WARNING},
	/* uptime-kuma */
	{map_uptime_kuma, "uptime-kuma/trigger.json", EV_TRIGGER, "1", "My API", "Uptime Kuma",
		SEV_CRITICAL},
	{map_uptime_kuma, "uptime-kuma/resolve.json", EV_RESOLVE, "1", "My API", "Uptime Kuma",
		SEV_INFO},
	{map_uptime_kuma, "uptime-kuma/pending.json", EV_TRIGGER, "7", "Status Page", "Uptime Kuma",
		SEV_CRITICAL},
	/* uptimerobot */
	{map_uptimerobot, "uptimerobot/trigger.json", EV_TRIGGER, "12345", "My Website",
		"UptimeRobot", SEV_CRITICAL},
	{map_uptimerobot, "uptimerobot/resolve.json", EV_RESOLVE, "12345", "My Website",
		"UptimeRobot", SEV_INFO},
	{map_uptimerobot, "uptimerobot/form-trigger.json", EV_TRIGGER, "778899", "Status Site",
		"UptimeRobot", SEV_CRITICAL},
	/* vercel */
	{map_vercel, "vercel/trigger.json", EV_TRIGGER, "vercel-dashboard-next-production",
		"Vercel: Deployment failed for dashboard-next (production) - Out of memory during "
		"static generation",
		"Vercel", SEV_CRITICAL},
	{map_vercel, "vercel/resolve.json", EV_RESOLVE, "vercel-dashboard-next-production",
		"Vercel: Deployment succeeded for dashboard-next (production)", "Vercel", SEV_INFO},
	{map_vercel, "vercel/ack.json", EV_ACKNOWLEDGE, "vercel-dashboard-next-production",
		"Vercel: Deployment canceled for dashboard-next (production)", "Vercel",
		SEV_WARNING},
	{map_vercel, "vercel/preview-error.json", EV_TRIGGER,
		"vercel-marketing-site-preview-dpl_8Hk2",
		"Vercel: Deployment failed for Marketing-Site (preview) - BUILD_FAILED", "Vercel",
		SEV_ERROR},
	/* webhook */
	{map_webhook, "webhook/trigger.json", EV_TRIGGER, "db-pool-primary",
		"Database connection pool exhausted", "custom-monitor", SEV_CRITICAL},
	{map_webhook, "webhook/resolve.json", EV_RESOLVE, "db-pool-primary",
		"Database connection pool exhausted", "custom-monitor", SEV_WARNING},
	{map_webhook, "webhook/ack.json", EV_ACKNOWLEDGE, "db-pool-primary", "Webhook Alert",
		"custom-monitor", SEV_WARNING},
	/* zabbix */
	{map_zabbix, "zabbix/trigger.json", EV_TRIGGER, "zabbix-db-master-01-zb-101",
		"PostgreSQL database pool exhausted", "Zabbix", SEV_CRITICAL},
	{map_zabbix, "zabbix/resolve.json", EV_RESOLVE, "zabbix-db-master-01-zb-101",
		"PostgreSQL database pool exhausted", "Zabbix", SEV_CRITICAL},
	{map_zabbix, "zabbix/ack.json", EV_ACKNOWLEDGE, "zabbix-db-master-01-zb-101",
		"PostgreSQL database pool exhausted", "Zabbix", SEV_CRITICAL},
	{map_zabbix, "zabbix/mediatype-trigger.json", EV_TRIGGER, "zabbix-app-server-03-48213",
		"High CPU utilization (over 90% for 5m)", "Zabbix", SEV_ERROR},
	{map_zabbix, "zabbix/mediatype-resolve.json", EV_RESOLVE, "zabbix-app-server-03-48213",
		"Resolved in 18m 29s: High CPU utilization (over 90% for 5m)", "Zabbix", SEV_ERROR},
	{map_zabbix, "zabbix/mediatype-ack.json", EV_ACKNOWLEDGE, "zabbix-app-server-03-48213",
		"Updated problem: High CPU utilization (over 90% for 5m)", "Zabbix", SEV_ERROR},
	{map_zabbix, "zabbix/script-trigger.json", EV_TRIGGER,
		"zabbix-www.example.com-zabbix-agent-on-www.example.com-is-unreachable-for-5-"
		"minutes",
		"Zabbix agent on www.example.com is unreachable for 5 minutes", "Zabbix",
		SEV_WARNING},
	{map_zabbix, "zabbix/script-resolve.json", EV_RESOLVE,
		"zabbix-www.example.com-zabbix-agent-on-www.example.com-is-unreachable-for-5-"
		"minutes",
		"Zabbix agent on www.example.com is unreachable for 5 minutes", "Zabbix",
		SEV_WARNING},
	/* the media type's parameter list as published: macros not expanded, still mappable */
	{map_zabbix, "zabbix/mediatype-params.json", EV_TRIGGER, "zabbix-{HOST.NAME}-{EVENT.ID}",
		"{ALERT.SUBJECT}", "Zabbix", SEV_WARNING},
	/* opsgenie */
	{map_opsgenie, "opsgenie/trigger.json", EV_TRIGGER, "Life is too short for no alias",
		"An example alert message", "An example entity", SEV_CRITICAL},
	{map_opsgenie, "opsgenie/close.json", EV_RESOLVE, "Life is too short for no alias",
		"Alert from AWS Lambda", "AWS Lambda", SEV_WARNING},
	{map_opsgenie, "opsgenie/ack.json", EV_ACKNOWLEDGE, "Life is too short for no alias",
		"Alert from Opsgenie", "Opsgenie", SEV_WARNING},
	{map_opsgenie, "opsgenie/webhook-create.json", EV_TRIGGER, "alert-alias", "another alert",
		"test@example.com", SEV_WARNING},
	{map_opsgenie, "opsgenie/webhook-close.json", EV_RESOLVE, "alert-alias", "another alert",
		"test@example.com", SEV_WARNING},
	{map_opsgenie, "opsgenie/webhook-ack.json", EV_ACKNOWLEDGE, "alert-alias", "another alert",
		"test@example.com", SEV_WARNING},
};

START_TEST(maps_fixture)
{
	const struct expect *x = &cases[_i];
	struct event *evs;
	size_t n;

	int rc = run(x->fn, fixture(x->file), &evs, &n);
	ck_assert_msg(rc == 0, "%s: refused: %s", x->file, errs.n ? errs.msg[0] : "");
	ck_assert_msg(n == 1, "%s: %zu events", x->file, n);
	ck_assert_msg(evs[0].action == x->action, "%s: action %s", x->file,
		event_action_name(evs[0].action));
	ck_assert_msg(!strcmp(evs[0].dedup_key, x->key), "%s: dedup_key \"%s\"", x->file,
		evs[0].dedup_key);
	ck_assert_msg(
		!strcmp(evs[0].summary, x->summary), "%s: summary \"%s\"", x->file, evs[0].summary);
	ck_assert_msg(
		!strcmp(evs[0].source, x->source), "%s: source \"%s\"", x->file, evs[0].source);
	ck_assert_msg(evs[0].severity == x->sev, "%s: severity %s", x->file,
		event_severity_name(evs[0].severity));
	ck_assert_ptr_nonnull(evs[0].custom_details);
	ck_assert_ptr_nonnull(evs[0].payload);
}
END_TEST

/* --- refusals --------------------------------------------------------------------------- */

struct refusal {
	vendor_map_fn *fn;
	const char *name;
	const char *foreign; /* another vendor's fixture */
	const char *foreign_msg;
	const char *empty_msg;
};

static const struct refusal refusals[] = {
	{map_pingdom, "pingdom", "pagerduty/trigger.json", "'check_id' or 'check_name' is missing",
		"'state' (or 'current_state') is missing"},
	{map_splunk_observability, "splunk-observability", "pagerduty/trigger.json",
		"'incidentId' (or 'detectorId', 'detectorName', 'title') is missing",
		"'status' (or 'eventType') is missing"},
	/* AppDynamics' incidentId + eventType pass the key checks; no detector is named */
	{map_splunk_observability, "splunk-observability", "appdynamics/trigger.json",
		"'detector' (or 'detectorId', 'detectorName', 'title') is missing (not a Splunk "
		"Observability payload?)",
		"'status' (or 'eventType') is missing"},
	{map_splunk_oncall, "splunk-oncall", "pagerduty/trigger.json",
		"'entity_id' (or 'incident_id', 'alert.id', 'entity_display_name') is missing",
		"'message_type' (or 'status', 'state') is missing"},
	{map_uptime_kuma, "uptime-kuma", "pagerduty/trigger.json",
		"'heartbeat.monitorID' (or 'monitor.id', 'monitor.name') is missing",
		"'heartbeat.status' (or 'status') is missing"},
	{map_uptimerobot, "uptimerobot", "pagerduty/trigger.json",
		"'monitorID' or 'monitorFriendlyName' is missing", "'alertType' is missing"},
	{map_vercel, "vercel", "pagerduty/trigger.json", "'type' is missing",
		"'payload.project.name' (or 'payload.deployment.name', 'payload.name') is missing"},
	/* the generic webhook takes the PagerDuty body (it has a dedup_key): see webhook_generic */
	{map_webhook, "webhook", "uptime-kuma/trigger.json",
		"neither 'dedup_key' (or 'id', 'alert_id') nor 'summary' (or 'title', 'message', "
		"'name') is present",
		"neither 'dedup_key' (or 'id', 'alert_id') nor 'summary' (or 'title', 'message', "
		"'name') is present"},
	{map_zabbix, "zabbix", "pagerduty/trigger.json",
		"'event_id' (or 'eventid', 'trigger_id', 'triggerid') or 'event_name' (or "
		"'eventname', 'trigger_name', 'subject', 'message') is missing",
		"'event_status' (or 'event_value', 'eventvalue', 'status', 'action') is missing"},
	{map_opsgenie, "opsgenie", "pagerduty/trigger.json", "'message' is missing",
		"'message' is missing"},
};

START_TEST(refuses_foreign_empty_array)
{
	const struct refusal *r = &refusals[_i];
	struct event *evs;
	size_t n;

	ck_assert_int_eq(run(r->fn, fixture(r->foreign), &evs, &n), -1);
	ck_assert_msg(
		has_error(r->foreign_msg), "%s on %s: \"%s\"", r->name, r->foreign, errs.msg[0]);
	ck_assert_int_eq(n, 0);

	ck_assert_int_eq(run(r->fn, parse("{}", 2), &evs, &n), -1);
	ck_assert_msg(has_error(r->empty_msg), "%s on {}: \"%s\"", r->name, errs.msg[0]);

	ck_assert_int_eq(run(r->fn, parse("[{\"a\":1}]", 9), &evs, &n), -1);
	ck_assert_msg(
		has_error("body must be a JSON object"), "%s on []: \"%s\"", r->name, errs.msg[0]);
}
END_TEST

/* Maps inline JSON; returns the first event (or NULL when refused). */
static struct event *map(vendor_map_fn *fn, const char *json)
{
	struct event *evs;
	size_t n;

	if (run(fn, parse(json, strlen(json)), &evs, &n))
		return NULL;
	ck_assert_int_eq(n, 1);
	return evs;
}

/* --- vendor specifics ------------------------------------------------------------------- */

START_TEST(pingdom_rules)
{
	struct event *ev = map(map_pingdom, "{\"check_id\":5,\"current_state\":\"FAILING\","
					    "\"check_name\":\"Checkout flow\"}");
	ck_assert_int_eq(ev->action, EV_TRIGGER);
	ck_assert_int_eq(ev->severity, SEV_CRITICAL);
	ev = map(map_pingdom, "{\"check_id\":5,\"current_state\":\"SUCCESS\"}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_int_eq(ev->severity, SEV_INFO);
	ck_assert_str_eq(ev->summary, "Pingdom Alert");
	/* state wins over current_state */
	ev = map(map_pingdom,
		"{\"check_name\":\"A  B\",\"state\":\"up\",\"current_state\":\"DOWN\"}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_str_eq(ev->dedup_key, "pingdom-a-b");
	ck_assert_ptr_null(map(map_pingdom, "{\"check_id\":{\"x\":1},\"state\":\"DOWN\"}"));
	ck_assert(has_error("'check_id' must be a string or a number"));
}
END_TEST

START_TEST(splunk_rules)
{
	struct event *ev = map(map_splunk_observability,
		"{\"title\":\"Disk  Full\",\"eventType\":\"resolved\",\"severity\":\"sev1\"}");
	ck_assert_str_eq(ev->dedup_key, "splunk-observability-disk-full");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_int_eq(ev->severity, SEV_CRITICAL);
	ev = map(map_splunk_oncall, "{\"entity_display_name\":\"Web Tier\",\"state\":\"open\","
				    "\"alert\":{\"severity\":\"info\",\"message\":\"m\"}}");
	ck_assert_str_eq(ev->dedup_key, "splunk-oncall-web-tier");
	ck_assert_str_eq(ev->summary, "Web Tier");
	ck_assert_int_eq(ev->severity, SEV_INFO);
	ck_assert_int_eq(ev->action, EV_TRIGGER);
	ck_assert_ptr_null(map(map_splunk_oncall, "{\"entity_id\":\"e\",\"message_type\":\"x\","
						  "\"alert\":\"nope\"}"));
	ck_assert(has_error("'alert' must be an object"));
}
END_TEST

START_TEST(uptime_kuma_rules)
{
	struct event *ev =
		map(map_uptime_kuma, "{\"monitor\":{\"name\":\"Edge  Cache\"},\"status\":\"Up\"}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_str_eq(ev->dedup_key, "uptime-kuma-edge-cache");
	ev = map(map_uptime_kuma, "{\"heartbeat\":{\"status\":\"1\",\"monitorID\":3}}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_str_eq(ev->summary, "Uptime Kuma Alert");
	ev = map(map_uptime_kuma, "{\"heartbeat\":{\"status\":\"\",\"monitorID\":3}}");
	ck_assert_int_eq(ev->action, EV_TRIGGER); /* Number("") is 0 */
	ev = map(map_uptime_kuma, "{\"heartbeat\":{\"status\":\"resolved\",\"monitorID\":3}}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	/* Uptime Kuma's "Test" notification */
	ck_assert_ptr_null(
		map(map_uptime_kuma, "{\"heartbeat\":null,\"monitor\":null,\"msg\":\"Testing\"}"));
	ck_assert(has_error("'heartbeat.status' (or 'status') is missing"));
	ck_assert_ptr_null(map(map_uptime_kuma, "{\"heartbeat\":[1],\"monitor\":{\"id\":1}}"));
	ck_assert(has_error("'heartbeat' must be an object"));
}
END_TEST

START_TEST(uptimerobot_rules)
{
	struct event *ev =
		map(map_uptimerobot, "{\"monitorFriendlyName\":\"Main Site\",\"alertType\":99,"
				     "\"alertTypeFriendlyName\":\"Paused\"}");
	ck_assert_int_eq(ev->action, EV_TRIGGER);
	ck_assert_int_eq(ev->severity, SEV_CRITICAL);
	ck_assert_str_eq(ev->dedup_key, "uptimerobot-main-site");
	ev = map(map_uptimerobot, "{\"monitorID\":1,\"alertType\":\"Up\"}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_int_eq(ev->severity, SEV_INFO);
	ck_assert_str_eq(ev->summary, "UptimeRobot Alert");
}
END_TEST

START_TEST(vercel_rules)
{
	struct event *ev = map(map_vercel, "{\"type\":\"deployment.created\",\"payload\":{"
					   "\"deployment\":{\"name\":\"Api\"}}}");
	ck_assert_int_eq(ev->action, EV_ACKNOWLEDGE);
	ck_assert_int_eq(ev->severity, SEV_INFO);
	ck_assert_str_eq(ev->summary, "Vercel: Deployment started for Api (production)");
	ck_assert_str_eq(ev->dedup_key, "vercel-api-production");
	ev = map(map_vercel, "{\"type\":\"Project.Created\",\"payload\":{\"name\":\"web\","
			     "\"target\":\"Staging\"}}");
	ck_assert_int_eq(ev->action, EV_ACKNOWLEDGE);
	ck_assert_str_eq(ev->summary, "Vercel: project.created on web (Staging)");
	ck_assert_str_eq(ev->dedup_key, "vercel-web-staging-unknown");
	ev = map(map_vercel, "{\"type\":\"deployment.failed\",\"payload\":{\"project\":{\"name\":"
			     "\"x\"},\"target\":\"production\"}}");
	ck_assert_str_eq(ev->summary,
		"Vercel: Deployment failed for x (production) - Build or Runtime Error");
	ck_assert_ptr_null(map(map_vercel, "{\"type\":\"deployment.error\",\"payload\":\"x\"}"));
	ck_assert(has_error("'payload' must be an object"));
}
END_TEST

START_TEST(webhook_generic)
{
	/* the generic webhook is deliberately lenient: a PagerDuty body has a dedup_key */
	struct event *ev =
		map(map_webhook, "{\"routing_key\":\"k\",\"event_action\":\"trigger\","
				 "\"dedup_key\":\"prod/x\",\"payload\":{\"summary\":\"s\"}}");
	ck_assert_str_eq(ev->dedup_key, "prod/x");
	ck_assert_str_eq(ev->summary, "Webhook Alert");
	ck_assert_str_eq(ev->source, "Webhook");
	ck_assert_int_eq(ev->severity, SEV_WARNING);
	ck_assert_int_eq(ev->action, EV_TRIGGER);

	ev = map(map_webhook, "{\"title\":\"Queue Backlog\",\"level\":\"HIGH\",\"state\":\"fired\","
			      "\"origin\":\"jobs\"}");
	ck_assert_str_eq(ev->dedup_key, "webhook-queue-backlog");
	ck_assert_int_eq(ev->severity, SEV_CRITICAL);
	ck_assert_str_eq(ev->source, "jobs");
	ev = map(map_webhook, "{\"id\":42,\"priority\":\"p1\",\"action\":\"ack\"}");
	ck_assert_str_eq(ev->dedup_key, "42");
	ck_assert_int_eq(ev->severity, SEV_INFO); /* reference: no keyword in "p1" */
	ck_assert_int_eq(ev->action, EV_ACKNOWLEDGE);
	ev = map(map_webhook, "{\"alert_id\":\"a\",\"severity\":\"Medium-ish\",\"status\":"
			      "\"unresolved\"}");
	ck_assert_int_eq(ev->severity, SEV_WARNING);
	ck_assert_int_eq(ev->action, EV_RESOLVE); /* substring rule of the reference */
	ev = map(map_webhook, "{\"message\":\"m\",\"severity\":\"error\",\"status\":\"weird\"}");
	ck_assert_int_eq(ev->severity, SEV_ERROR);
	ck_assert_int_eq(ev->action, EV_TRIGGER);
	/* custom_details is the whole body */
	ck_assert_ptr_nonnull(json_object_object_get(ev->custom_details, "status"));
}
END_TEST

START_TEST(webhook_long_key_shortened)
{
	char json[700];
	char key[401];
	memset(key, 'k', 400);
	key[400] = '\0';
	snprintf(json, sizeof(json), "{\"dedup_key\":\"%s\"}", key);
	struct event *ev = map(map_webhook, json);
	ck_assert_uint_eq(strlen(ev->dedup_key), 255);
	ck_assert_int_eq(ev->dedup_key[222], '_');
}
END_TEST

START_TEST(zabbix_rules)
{
	struct event *ev = map(map_zabbix, "{\"eventId\":9,\"eventValue\":0,\"eventSeverity\":"
					   "\"Not classified\"}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_str_eq(ev->dedup_key, "zabbix-unknown-host-9");
	ck_assert_str_eq(ev->summary, "Zabbix Alert");
	ck_assert_int_eq(ev->severity, SEV_INFO);
	ev = map(map_zabbix, "{\"problem_id\":\"7\",\"trigger_status\":\"recovered\","
			     "\"host_ip\":\"10.1.1.1\",\"severity\":\"3\"}");
	ck_assert_int_eq(ev->action, EV_RESOLVE);
	ck_assert_str_eq(ev->dedup_key, "zabbix-10.1.1.1-7");
	ck_assert_int_eq(ev->severity, SEV_WARNING);
	ev = map(map_zabbix, "{\"triggerid\":\"7\",\"action\":\"Update\",\"status\":\"PROBLEM\"}");
	ck_assert_int_eq(ev->action, EV_ACKNOWLEDGE);
	/* an update that is not an acknowledgement */
	ev = map(map_zabbix, "{\"eventid\":\"7\",\"eventupdate\":\"1\",\"eventack\":\"No\","
			     "\"eventvalue\":\"1\",\"severity\":\"5\"}");
	ck_assert_int_eq(ev->action, EV_TRIGGER);
	ck_assert_int_eq(ev->severity, SEV_CRITICAL);
	ev = map(
		map_zabbix, "{\"subject\":\"s\",\"status\":\"acknowledged\",\"severity\":\"low\"}");
	ck_assert_int_eq(ev->action, EV_ACKNOWLEDGE);
	ck_assert_int_eq(ev->severity, SEV_INFO);
	ck_assert_ptr_null(map(map_zabbix, "{\"event_id\":[1],\"status\":\"PROBLEM\"}"));
	ck_assert(has_error("'event_id' must be a string or a number"));
}
END_TEST

START_TEST(opsgenie_api)
{
	struct json_object *body = fixture("opsgenie/create-no-alias.json");
	struct event *evs;
	size_t n;
	ck_assert_int_eq(run(map_opsgenie, body, &evs, &n), 0);
	char *want = arena_printf(
		&a, "opsgenie-%s", norm_sha256_prefix(&a, "Disk usage above 95% on db-7", 32));
	ck_assert_str_eq(evs[0].dedup_key, want);
	ck_assert_uint_eq(strlen(evs[0].dedup_key), 9 + 32);
	ck_assert_int_eq(evs[0].severity, SEV_ERROR);
	ck_assert_str_eq(evs[0].source, "db-7");
	ck_assert_int_eq(evs[0].action, EV_TRIGGER);
	/* the close that carries the create's message finds the same key */
	ck_assert_int_eq(run(map_opsgenie, fixture("opsgenie/close-by-message.json"), &evs, &n), 0);
	ck_assert_str_eq(evs[0].dedup_key, want);
	ck_assert_int_eq(evs[0].action, EV_RESOLVE);

	static const struct {
		const char *p;
		enum event_severity sev;
	} prio[] = {{"P1", SEV_CRITICAL}, {"p2", SEV_ERROR}, {"P3", SEV_WARNING}, {"P4", SEV_INFO},
		{" P5 ", SEV_INFO}};
	for (size_t i = 0; i < sizeof(prio) / sizeof(prio[0]); i++) {
		char json[128];
		snprintf(json, sizeof(json), "{\"message\":\"m\",\"priority\":\"%s\"}", prio[i].p);
		ck_assert_int_eq(map(map_opsgenie, json)->severity, prio[i].sev);
	}
	struct event *ev = map(map_opsgenie, "{\"message\":\"m\",\"alias\":\"a\",\"source\":\"\","
					     "\"entity\":\"e\",\"action\":\"CREATE\"}");
	ck_assert_str_eq(ev->source, "e");
	ck_assert_int_eq(ev->action, EV_TRIGGER);

	ck_assert_ptr_null(map(map_opsgenie, "{\"message\":\"m\",\"priority\":\"P6\"}"));
	ck_assert(has_error("'priority' must be one of P1, P2, P3, P4, P5"));
	ck_assert_ptr_null(map(map_opsgenie, "{\"message\":\"m\",\"action\":\"snooze\"}"));
	ck_assert(has_error("'action' must be one of create, close, acknowledge"));
	ck_assert_ptr_null(map(map_opsgenie, "{\"action\":\"close\",\"note\":\"n\"}"));
	ck_assert(has_error("'alias' (or 'identifier', 'message') is missing"));
	ck_assert_ptr_null(map(map_opsgenie, "{\"action\":\"close\",\"identifier\":"
					     "\"8418d193\",\"identifierType\":\"id\"}"));
	ck_assert(has_error("'identifierType' must be \"alias\": alerts are known here by alias, "
			    "not by Opsgenie's id"));
	ck_assert_ptr_null(map(map_opsgenie, "{\"message\":[\"m\"]}"));
	ck_assert(has_error("'message' must be a string"));
	ck_assert_ptr_null(map(map_opsgenie, "{\"message\":\"m\",\"action\":1}"));
	ck_assert(has_error("'action' must be a string"));
}
END_TEST

START_TEST(opsgenie_webhook)
{
	struct event *ev = map(map_opsgenie, "{\"action\":\"AddNote\",\"alert\":{\"alias\":\"a\","
					     "\"message\":\"m\"}}");
	ck_assert_ptr_null(ev);
	ck_assert(has_error("'action' \"AddNote\" is not supported: expected Create, Close or "
			    "Acknowledge"));
	ck_assert_ptr_null(map(map_opsgenie, "{\"alert\":{\"alias\":\"a\"}}"));
	ck_assert(has_error("'action' is missing"));
	ck_assert_ptr_null(map(map_opsgenie, "{\"action\":\"Create\",\"alert\":\"a\"}"));
	ck_assert(has_error("'alert' must be an object"));
	ck_assert_ptr_null(
		map(map_opsgenie, "{\"action\":\"Create\",\"alert\":{\"alias\":\"a\"}}"));
	ck_assert(has_error("'alert.message' is missing"));
	ck_assert_ptr_null(
		map(map_opsgenie, "{\"action\":\"Close\",\"alert\":{\"tinyId\":\"2\"}}"));
	ck_assert(has_error("'alert.alias' (or 'alert.message') is missing"));
	ck_assert_ptr_null(map(map_opsgenie,
		"{\"action\":\"Create\",\"alert\":{\"message\":\"m\",\"priority\":9}}"));
	ck_assert(has_error("'alert.priority' must be one of P1, P2, P3, P4, P5"));
	ev = map(map_opsgenie, "{\"action\":\"Create\",\"source\":{\"name\":\"web\"},"
			       "\"alert\":{\"message\":\"m\",\"priority\":\"P1\"}}");
	ck_assert_str_eq(ev->source, "Opsgenie");
	ck_assert_int_eq(ev->severity, SEV_CRITICAL);
	ck_assert_str_eq(
		ev->dedup_key, arena_printf(&a, "opsgenie-%s", norm_sha256_prefix(&a, "m", 32)));
}
END_TEST

static Suite *vendors_c_suite(void)
{
	Suite *s = suite_create("vendors_c");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, maps_fixture, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(
		tc, refuses_foreign_empty_array, 0, (int)(sizeof(refusals) / sizeof(refusals[0])));
	tcase_add_test(tc, pingdom_rules);
	tcase_add_test(tc, splunk_rules);
	tcase_add_test(tc, uptime_kuma_rules);
	tcase_add_test(tc, uptimerobot_rules);
	tcase_add_test(tc, vercel_rules);
	tcase_add_test(tc, webhook_generic);
	tcase_add_test(tc, webhook_long_key_shortened);
	tcase_add_test(tc, zabbix_rules);
	tcase_add_test(tc, opsgenie_api);
	tcase_add_test(tc, opsgenie_webhook);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(vendors_c_suite)
