/* icinga.c: Icinga 2 notifications (and /v1/events stream objects) → one event
 * (appendix §B, Nagios/Icinga rules). */
#include <strings.h>
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

static const char *const f_type[] = {"notification_type", "notificationType", "type", NULL};
static const char *const f_host[] = {"host_name", "hostName", "host", "host_display_name", NULL};
static const char *const f_host_state[] = {"host_state", "hostState", NULL};
static const char *const f_service[] = {
	"service_name", "serviceName", "service", "service_display_name", NULL};
static const char *const f_service_state[] = {"service_state", "serviceState", NULL};
static const char *const f_output[] = {
	"service_output", "serviceOutput", "host_output", "hostOutput", "output", NULL};

/* Icinga 2 state numbers (CheckResult "state", a plugin exit code). A host's state follows
 * Icinga's Host::CalculateState: OK/WARNING → UP, anything else → DOWN. */
static const char *const service_states[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
static const char *const host_states[] = {"UP", "UP", "DOWN", "DOWN"};

/* The first non-blank text of paths; a non-text value is recorded in c->errs and sets *bad. */
static const char *pick(
	const struct vendor_ctx *c, struct json_object *body, const char *const *paths, int *bad)
{
	const char *s = NULL;

	for (; *paths; paths++) {
		struct json_object *v = norm_get(body, *paths);
		if (v && !json_object_is_type(v, json_type_string) &&
			!json_object_is_type(v, json_type_int) &&
			!json_object_is_type(v, json_type_double)) {
			verrs_add(c->errs, "'%s' must be a string", *paths);
			*bad = 1;
			continue;
		}
		if (!s)
			s = norm_str(c->arena, body, *paths);
	}
	return s;
}

static int is(const char *s, const char *word)
{
	return s && !strcasecmp(s, word);
}

static enum event_action action_of(
	const char *type, const char *host_state, const char *service_state)
{
	if (norm_contains(type, "RECOVERY"))
		return EV_RESOLVE;
	if (norm_contains(type, "ACK") || norm_contains(type, "DOWNTIME") ||
		norm_contains(type, "FLAPPING") || norm_contains(type, "CUSTOM"))
		return EV_ACKNOWLEDGE;
	if (is(service_state, "OK") || (is(host_state, "UP") && !service_state))
		return EV_RESOLVE;
	return EV_TRIGGER;
}

static enum event_severity severity_of(
	enum event_action action, const char *host_state, const char *service_state)
{
	if (action == EV_RESOLVE)
		return SEV_INFO;
	if (is(service_state, "CRITICAL") || is(host_state, "DOWN"))
		return SEV_CRITICAL;
	if (is(service_state, "WARNING"))
		return SEV_WARNING;
	if (is(service_state, "UNKNOWN") || is(host_state, "UNREACHABLE"))
		return SEV_ERROR;
	return norm_severity(service_state ? service_state : host_state, SEV_WARNING);
}

int map_icinga(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;
	int bad = 0;

	if (!json_object_is_type(body, json_type_object)) {
		verrs_add(c->errs, "body must be a JSON object");
		return -1;
	}
	const char *type = pick(c, body, f_type, &bad);
	const char *host = pick(c, body, f_host, &bad);
	const char *host_state = pick(c, body, f_host_state, &bad);
	const char *service = pick(c, body, f_service, &bad);
	const char *service_state = pick(c, body, f_service_state, &bad);
	const char *output = pick(c, body, f_output, &bad);
	struct json_object *cr = norm_get(body, "check_result");
	if (cr && !json_object_is_type(cr, json_type_object)) {
		verrs_add(c->errs, "'check_result' must be an object");
		bad = 1;
	}
	if (bad)
		return -1;
	if (!host) {
		verrs_add(c->errs, "'host_name' is missing (or 'hostName', 'host', "
				   "'host_display_name')");
		return -1;
	}
	/* Icinga names the notification type (the event stream its object type) or a state;
	 * Zabbix's host_name + event_status has neither. */
	if (!type && !host_state && !service_state && !cr) {
		verrs_add(c->errs, "'notification_type' (or 'notificationType', 'type', "
				   "'host_state', 'service_state', 'check_result') is missing (not an "
				   "Icinga payload?)");
		return -1;
	}

	/* Event-stream objects (CheckResult, StateChange, Notification) carry the state as a
	 * number and the plugin output inside check_result. */
	struct json_object *st = norm_get(cr, "state");
	if (!service_state && !host_state &&
		(json_object_is_type(st, json_type_int) ||
			json_object_is_type(st, json_type_double))) {
		double d = json_object_get_double(st);
		if (d >= 0 && d <= 3 && d == (int)d) {
			if (service)
				service_state = service_states[(int)d];
			else
				host_state = host_states[(int)d];
		}
	}
	if (!output)
		output = norm_str(a, cr, "output");

	enum event_action action = action_of(type, host_state, service_state);
	const char *key, *summary;
	if (service) {
		key = arena_printf(a, "icinga-%s-%s", norm_slug(a, host), norm_slug(a, service));
		summary = arena_printf(a, "%s on %s is %s%s%s", service, host,
			service_state ? service_state
			: type	      ? type
				      : "ALERT",
			output ? ": " : "", output ? output : "");
	} else {
		key = arena_printf(a, "icinga-%s", norm_slug(a, host));
		summary = arena_printf(a, "Host %s is %s%s%s", host,
			host_state ? host_state
			: type	   ? type
				   : "ALERT",
			output ? ": " : "", output ? output : "");
	}

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action, key, summary, "Icinga",
		severity_of(action, host_state, service_state), body);
	return 0;
}
