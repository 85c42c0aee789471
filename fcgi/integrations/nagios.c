/* nagios.c: Nagios (Core/XI) notification macros, JSON or form-encoded → one event
 * (appendix §B, Nagios/Icinga rules, shared with icinga.c through nagios.h). */
#include <strings.h>
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "nagios.h"
#include "arena.h"

/* The first non-blank text of paths; a non-text value is recorded in c->errs and sets *bad. */
static const char *pick(
	const struct vendor_ctx *c, struct json_object *body, const char *const *paths, int *bad)
{
	const char *s = NULL;

	for (; *paths; paths++) {
		if (norm_check_text(c, body, *paths)) {
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

int nagios_map_with(const struct nagios_fields *f, struct json_object *body,
	const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;
	struct nagios_read r;
	int bad = 0, marker = 0;

	if (norm_check_body(c, body))
		return -1;
	r.type = pick(c, body, f->type, &bad);
	r.host = pick(c, body, f->host, &bad);
	r.host_state = pick(c, body, f->host_state, &bad);
	r.service = pick(c, body, f->service, &bad);
	r.service_state = pick(c, body, f->service_state, &bad);
	r.output = pick(c, body, f->output, &bad);
	if (f->extra) {
		marker = f->extra(c, body, &r);
		if (marker < 0)
			bad = 1;
	}
	if (bad)
		return -1;
	if (!r.host) {
		verrs_add(c->errs, "%s", f->no_host);
		return -1;
	}
	/* Both vendors name the notification type or a host/service state; Zabbix's host_name +
	 * event_status has neither. */
	if (!r.type && !r.host_state && !r.service_state && !marker) {
		verrs_add(c->errs, "%s", f->not_ours);
		return -1;
	}

	enum event_action action = action_of(r.type, r.host_state, r.service_state);
	const char *key, *summary;
	const char *output = r.output;
	if (r.service) {
		key = arena_printf(
			a, "%s-%s-%s", f->prefix, norm_slug(a, r.host), norm_slug(a, r.service));
		summary = arena_printf(a, "%s on %s is %s%s%s", r.service, r.host,
			r.service_state ? r.service_state
			: r.type	? r.type
					: "ALERT",
			output ? ": " : "", output ? output : "");
	} else {
		key = arena_printf(a, "%s-%s", f->prefix, norm_slug(a, r.host));
		summary = arena_printf(a, "Host %s is %s%s%s", r.host,
			r.host_state ? r.host_state
			: r.type     ? r.type
				     : "ALERT",
			output ? ": " : "", output ? output : "");
	}

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action, key, summary, f->source,
		severity_of(action, r.host_state, r.service_state), body);
	return 0;
}

/* Field aliases: the appendix's macro names first, then the lower-case names of the
 * reference's own notification template (nagios-notification-template.json). */
static const struct nagios_fields nagios = {
	.prefix = "nagios",
	.source = "Nagios",
	.type = NAGIOS_ALIASES("NOTIFICATIONTYPE", "notificationtype", "notification_type"),
	.host = NAGIOS_ALIASES("HOSTNAME", "hostname", "HOSTALIAS", "hostalias", "host_name"),
	.host_state = NAGIOS_ALIASES("HOSTSTATE", "hoststate", "host_state"),
	.service = NAGIOS_ALIASES(
		"SERVICEDESC", "servicedesc", "SERVICE", "service", "service_description"),
	.service_state = NAGIOS_ALIASES("SERVICESTATE", "servicestate", "service_state"),
	.output = NAGIOS_ALIASES("SERVICEOUTPUT", "serviceoutput", "HOSTOUTPUT", "hostoutput",
		"LONGSERVICEOUTPUT", "longserviceoutput", "LONGHOSTOUTPUT", "longhostoutput",
		"output", "long_output"),
	.no_host = "'HOSTNAME' is missing (or 'hostname', 'HOSTALIAS', 'host_name')",
	/* Nagios macros always carry $NOTIFICATIONTYPE$ and the host/service state. */
	.not_ours = "'NOTIFICATIONTYPE' (or 'HOSTSTATE', 'SERVICESTATE') is missing (not a Nagios "
		    "payload?)",
};

int map_nagios(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	return nagios_map_with(&nagios, body, c, evs, n);
}
