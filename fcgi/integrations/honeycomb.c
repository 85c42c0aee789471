/* honeycomb.c: Honeycomb trigger webhooks → one event (appendix §B). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * The appendix reads alert_id/alert_name (the reference's documented template). Honeycomb's
 * default trigger webhook carries the trigger as "id" and "name" (status TRIGGERED / OK); those
 * are read only when neither alert_id nor alert_name is there.
 */
int map_honeycomb(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(
		    norm_check_text, c, body, "alert_id", "alert_name", "status", "event_type"))
		return -1;

	const char *id = norm_str(a, body, "alert_id");
	const char *name = norm_str(a, body, "alert_name");
	const char *summary = NORM_FIRST(a, body, "alert_name", "trigger_reason");

	if (!id && !name) {
		if (NORM_CHECK_ALL(norm_check_text, c, body, "id", "name"))
			return -1;
		name = norm_str(a, body, "name");
		if (name) {
			id = norm_str(a, body, "id");
			summary = name;
		}
	}
	if (!id && !name) {
		verrs_add(c->errs, "'alert_id' is missing (and no 'alert_name' to key on)");
		return -1;
	}

	const char *key = id ? id : arena_printf(a, "honeycomb-%s", norm_slug(a, name));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(NORM_FIRST(a, body, "status", "event_type"), EV_TRIGGER),
		key, summary, "Honeycomb",
		norm_severity(norm_str(a, body, "alert_severity"), SEV_WARNING), body);
	return 0;
}
