/* better_uptime.c: Better Uptime (Better Stack) incident webhooks → one event (appendix §B). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * The appendix reads incident.* (or top-level name/status/severity). Better Stack's own
 * webhook is a JSON:API document, {"data":{"id","attributes":{"name","cause","status"}}}; it
 * is read only when none of the appendix's key fields is there, so they keep precedence.
 */
int map_better_uptime(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_object, c, body, "incident", "data"))
		return -1;
	if (NORM_CHECK_ALL(norm_check_text, c, body, "incident.id", "incident.status", "status"))
		return -1;

	const char *id = norm_str(a, body, "incident.id");
	const char *name = NORM_FIRST(a, body, "incident.name", "name");
	const char *summary = NORM_FIRST(a, body, "incident.name", "name", "incident.cause");
	const char *status = NORM_FIRST(a, body, "incident.status", "status");

	if (!id && !name &&
		json_object_is_type(norm_get(body, "data.attributes"), json_type_object)) {
		if (NORM_CHECK_ALL(norm_check_text, c, body, "data.id", "data.attributes.status"))
			return -1;
		id = norm_str(a, body, "data.id");
		name = norm_str(a, body, "data.attributes.name");
		summary = NORM_FIRST(a, body, "data.attributes.name", "data.attributes.cause");
		if (!status)
			status = norm_str(a, body, "data.attributes.status");
	}
	if (!id && !name) {
		verrs_add(c->errs, "'incident.id' is missing (and no 'incident.name' or 'name' to "
				   "key on)");
		return -1;
	}
	/* Better Stack always reports the incident's status; New Relic's incident has a state. */
	if (!status) {
		verrs_add(c->errs, "'incident.status' is missing (or 'status', "
				   "'data.attributes.status'; not a Better Uptime payload?)");
		return -1;
	}

	const char *key = id ? id : arena_printf(a, "better-uptime-%s", norm_slug(a, name));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(status, EV_TRIGGER), key, summary, "Better Uptime",
		norm_severity(NORM_FIRST(a, body, "incident.severity", "severity"), SEV_WARNING),
		body);
	return 0;
}
