/* zabbix.c: Zabbix webhook media types (OpsKnight template, PagerDuty-style parameters, scripts).
 */
#include <string.h>
#include <strings.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B, with the field names of three shapes: the OpsKnight template (event_id,
 * event_name, event_status, host_name…, camelCase accepted), the parameters of Zabbix's PagerDuty
 * media type (eventid, eventname, eventvalue, eventupdate, eventack, hostname, hostip, severity =
 * {EVENT.NSEVERITY}, triggerid, alert_message) and alert scripts (hostname, status, severity,
 * trigger).
 * Action: action containing ACK/UPDATE, or eventupdate 1 (unless eventack says No) → acknowledge;
 * status (event_status|eventStatus|trigger_status|status, upper) RESOLVED/OK/RECOVERED or value
 * (event_value|eventValue|eventvalue|trigger_value) 0 → resolve; PROBLEM or value 1 → trigger;
 * else normAction(status|action). Dedup zabbix-{host}-{event id|trigger id} else
 * zabbix-{host}-{slug(summary)}; host defaults to "unknown-host". Severity 5/disaster/critical →
 * critical, 4/high/error → error, 3/2/average/warning → warning, 1/0/information/classified →
 * info, else normSev (absent → warning). Source "Zabbix".
 * Refused: neither an event/trigger id nor a summary field, or no status/value/action field.
 */

#define HOST_PATHS "host_name", "hostName", "hostname", "host_ip", "hostIp", "hostip"
#define ID_PATHS                                                                                   \
	"event_id", "eventId", "eventid", "r_event_id", "problem_id", "trigger_id", "triggerId",   \
		"triggerid"
#define SUMMARY_PATHS                                                                              \
	"event_name", "eventName", "trigger_name", "triggerName", "trigger_description",           \
		"triggerDescription", "subject", "message", "eventname", "trigger",                \
		"alert_message"
#define STATUS_PATHS "event_status", "eventStatus", "trigger_status", "status"
#define VALUE_PATHS "event_value", "eventValue", "eventvalue", "trigger_value"
#define SEVERITY_PATHS "event_severity", "eventSeverity", "severity"

static int one_of(const char *s, const char *const *words)
{
	for (; s && *words; words++)
		if (!strcasecmp(s, *words))
			return 1;
	return 0;
}

static enum event_action action_of(const struct vendor_ctx *c, struct json_object *body)
{
	static const char *const resolved[] = {"RESOLVED", "OK", "RECOVERED", NULL};
	static const char *const no[] = {"no", "0", "false", NULL};
	const char *status = NORM_FIRST(c->arena, body, STATUS_PATHS);
	const char *value = NORM_FIRST(c->arena, body, VALUE_PATHS);
	const char *action = norm_str(c->arena, body, "action");
	const char *update = norm_str(c->arena, body, "eventupdate");

	if (action && (norm_contains(action, "ACK") || norm_contains(action, "UPDATE")))
		return EV_ACKNOWLEDGE;
	if (update && !strcmp(update, "1") && !one_of(norm_str(c->arena, body, "eventack"), no))
		return EV_ACKNOWLEDGE;
	if (one_of(status, resolved) || (value && !strcmp(value, "0")))
		return EV_RESOLVE;
	if ((status && !strcasecmp(status, "PROBLEM")) || (value && !strcmp(value, "1")))
		return EV_TRIGGER;
	return norm_action(status ? status : action, EV_TRIGGER);
}

static enum event_severity severity_of(const char *s)
{
	if (!s)
		return SEV_WARNING;
	if (!strcmp(s, "5") || norm_contains(s, "disaster") || norm_contains(s, "critical"))
		return SEV_CRITICAL;
	if (!strcmp(s, "4") || norm_contains(s, "high") || norm_contains(s, "error"))
		return SEV_ERROR;
	if (!strcmp(s, "3") || !strcmp(s, "2") || norm_contains(s, "average") ||
		norm_contains(s, "warning"))
		return SEV_WARNING;
	if (!strcmp(s, "1") || !strcmp(s, "0") || norm_contains(s, "information") ||
		norm_contains(s, "classified"))
		return SEV_INFO;
	return norm_severity(s, SEV_WARNING);
}

int map_zabbix(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_scalar, c, body, HOST_PATHS, ID_PATHS, SUMMARY_PATHS,
		    STATUS_PATHS, VALUE_PATHS, SEVERITY_PATHS, "action", "eventupdate", "eventack"))
		return -1;

	const char *id = NORM_FIRST(c->arena, body, ID_PATHS);
	const char *summary = NORM_FIRST(c->arena, body, SUMMARY_PATHS);
	int has_action = NORM_FIRST(c->arena, body, STATUS_PATHS, VALUE_PATHS, "action",
				 "eventupdate") != NULL;
	if (!id && !summary)
		verrs_add(c->errs, "'event_id' (or 'eventid', 'trigger_id', 'triggerid') or "
				   "'event_name' (or 'eventname', 'trigger_name', 'subject', "
				   "'message') is missing");
	if (!has_action)
		verrs_add(c->errs, "'event_status' (or 'event_value', 'eventvalue', 'status', "
				   "'action') is missing");
	if (!has_action || (!id && !summary))
		return -1;

	const char *host = NORM_FIRST(c->arena, body, HOST_PATHS);
	if (!host)
		host = "unknown-host";
	const char *key =
		id ? arena_printf(c->arena, "zabbix-%s-%s", host, id)
		   : arena_printf(c->arena, "zabbix-%s-%s", host, norm_slug(c->arena, summary));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action_of(c, body), key, summary ? summary : "Zabbix Alert", "Zabbix",
		severity_of(NORM_FIRST(c->arena, body, SEVERITY_PATHS)), body);
	return 0;
}
