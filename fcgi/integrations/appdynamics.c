/* appdynamics.c: AppDynamics HTTP request template alerts → one event (appendix §B). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

int map_appdynamics(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_text, c, body, "incidentId", "eventId", "eventType"))
		return -1;

	const char *id = NORM_FIRST(a, body, "incidentId", "eventId");
	const char *base = NORM_FIRST(a, body, "application", "summary");
	if (!base && json_object_is_type(norm_get(body, "node"), json_type_string))
		base = norm_str(a, body, "node"); /* the reference reads node only as a string */
	if (!id && !base) {
		verrs_add(c->errs, "'incidentId' is missing (and no 'eventId', 'application', "
				   "'summary' or 'node' to key on)");
		return -1;
	}
	/* AppDynamics HTTP request templates always carry the event type; a body without one is
	 * another vendor's (Splunk Observability's incidentId, the generic webhook's summary). */
	const char *type = norm_str(a, body, "eventType");
	if (!type) {
		verrs_add(c->errs, "'eventType' is missing (not an AppDynamics payload?)");
		return -1;
	}

	const char *summary = NORM_FIRST(a, body, "summary", "eventMessage", "eventType");
	const char *key = id ? id : arena_printf(a, "appdynamics-%s", norm_slug(a, base));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(type, EV_TRIGGER), key,
		summary ? summary : "AppDynamics Alert", "AppDynamics",
		norm_severity(
			NORM_FIRST(a, body, "severity", "eventSeverity", "eventType"), SEV_WARNING),
		body);
	return 0;
}
