/* honeycomb.c: Honeycomb trigger webhooks → one event (appendix §B). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/* 1 (with a message) when path holds an object, array or boolean instead of text. */
static int not_text(const struct vendor_ctx *c, struct json_object *body, const char *path)
{
	struct json_object *v = norm_get(body, path);

	if (!v || json_object_is_type(v, json_type_string) ||
		json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		return 0;
	verrs_add(c->errs, "'%s' must be a string or a number", path);
	return 1;
}

/*
 * The appendix reads alert_id/alert_name (the reference's documented template). Honeycomb's
 * default trigger webhook carries the trigger as "id" and "name" (status TRIGGERED / OK); those
 * are read only when neither alert_id nor alert_name is there.
 */
int map_honeycomb(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (!json_object_is_type(body, json_type_object)) {
		verrs_add(c->errs, "body must be a JSON object");
		return -1;
	}
	if (not_text(c, body, "alert_id") | not_text(c, body, "alert_name") |
		not_text(c, body, "status") | not_text(c, body, "event_type"))
		return -1;

	const char *id = norm_str(a, body, "alert_id");
	const char *name = norm_str(a, body, "alert_name");
	const char *summary = NORM_FIRST(a, body, "alert_name", "trigger_reason");

	if (!id && !name) {
		if (not_text(c, body, "id") | not_text(c, body, "name"))
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
