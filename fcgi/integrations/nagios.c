/* nagios.c: Nagios (Core/XI) notification macros, JSON or form-encoded → one event
 * (appendix §B, Nagios/Icinga rules). */
#include <strings.h>
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/* Field aliases: the appendix's macro names first, then the lower-case names of the
 * reference's own notification template (nagios-notification-template.json). */
static const char *const f_type[] = {
	"NOTIFICATIONTYPE", "notificationtype", "notification_type", NULL};
static const char *const f_host[] = {
	"HOSTNAME", "hostname", "HOSTALIAS", "hostalias", "host_name", NULL};
static const char *const f_host_state[] = {"HOSTSTATE", "hoststate", "host_state", NULL};
static const char *const f_service[] = {
	"SERVICEDESC", "servicedesc", "SERVICE", "service", "service_description", NULL};
static const char *const f_service_state[] = {
	"SERVICESTATE", "servicestate", "service_state", NULL};
static const char *const f_output[] = {"SERVICEOUTPUT", "serviceoutput", "HOSTOUTPUT", "hostoutput",
	"LONGSERVICEOUTPUT", "longserviceoutput", "LONGHOSTOUTPUT", "longhostoutput", "output",
	"long_output", NULL};

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

int map_nagios(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
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
	if (bad)
		return -1;
	if (!host) {
		verrs_add(
			c->errs, "'HOSTNAME' is missing (or 'hostname', 'HOSTALIAS', 'host_name')");
		return -1;
	}
	/* Nagios macros always carry $NOTIFICATIONTYPE$ and the host/service state; Zabbix's
	 * host_name + event_status has neither. */
	if (!type && !host_state && !service_state) {
		verrs_add(c->errs, "'NOTIFICATIONTYPE' (or 'HOSTSTATE', 'SERVICESTATE') is missing "
				   "(not a Nagios payload?)");
		return -1;
	}

	enum event_action action = action_of(type, host_state, service_state);
	const char *key, *summary;
	if (service) {
		key = arena_printf(a, "nagios-%s-%s", norm_slug(a, host), norm_slug(a, service));
		summary = arena_printf(a, "%s on %s is %s%s%s", service, host,
			service_state ? service_state
			: type	      ? type
				      : "ALERT",
			output ? ": " : "", output ? output : "");
	} else {
		key = arena_printf(a, "nagios-%s", norm_slug(a, host));
		summary = arena_printf(a, "Host %s is %s%s%s", host,
			host_state ? host_state
			: type	   ? type
				   : "ALERT",
			output ? ": " : "", output ? output : "");
	}

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action, key, summary, "Nagios",
		severity_of(action, host_state, service_state), body);
	return 0;
}
