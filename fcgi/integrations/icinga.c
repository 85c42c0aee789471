/* icinga.c: Icinga 2 notifications (and /v1/events stream objects) → one event
 * (appendix §B, Nagios/Icinga rules: nagios.h with Icinga's aliases and check_result). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "nagios.h"

/* Icinga 2 state numbers (CheckResult "state", a plugin exit code). A host's state follows
 * Icinga's Host::CalculateState: OK/WARNING → UP, anything else → DOWN. */
static const char *const service_states[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
static const char *const host_states[] = {"UP", "UP", "DOWN", "DOWN"};

/* Event-stream objects (CheckResult, StateChange, Notification) carry the state as a number
 * and the plugin output inside check_result, which marks an Icinga body by itself. */
static int check_result(const struct vendor_ctx *c, struct json_object *body, struct nagios_read *r)
{
	struct json_object *cr = norm_get(body, "check_result");

	if (norm_check_object(c, body, "check_result"))
		return -1;
	if (!cr)
		return 0;
	struct json_object *st = norm_get(cr, "state");
	if (!r->service_state && !r->host_state &&
		(json_object_is_type(st, json_type_int) ||
			json_object_is_type(st, json_type_double))) {
		double d = json_object_get_double(st);
		if (d >= 0 && d <= 3 && d == (int)d) {
			if (r->service)
				r->service_state = service_states[(int)d];
			else
				r->host_state = host_states[(int)d];
		}
	}
	if (!r->output)
		r->output = norm_str(c->arena, cr, "output");
	return 1;
}

static const struct nagios_fields icinga = {
	.prefix = "icinga",
	.source = "Icinga",
	.type = NAGIOS_ALIASES("notification_type", "notificationType", "type"),
	.host = NAGIOS_ALIASES("host_name", "hostName", "host", "host_display_name"),
	.host_state = NAGIOS_ALIASES("host_state", "hostState"),
	.service = NAGIOS_ALIASES("service_name", "serviceName", "service", "service_display_name"),
	.service_state = NAGIOS_ALIASES("service_state", "serviceState"),
	.output = NAGIOS_ALIASES(
		"service_output", "serviceOutput", "host_output", "hostOutput", "output"),
	.no_host = "'host_name' is missing (or 'hostName', 'host', 'host_display_name')",
	/* Icinga names the notification type (the event stream its object type) or a state. */
	.not_ours = "'notification_type' (or 'notificationType', 'type', 'host_state', "
		    "'service_state', 'check_result') is missing (not an Icinga payload?)",
	.extra = check_result,
};

int map_icinga(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	return nagios_map_with(&icinga, body, c, evs, n);
}
