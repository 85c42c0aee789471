/* dynatrace.c: Dynatrace problem notifications (custom integration) → one event (appendix §B). */
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

int map_dynatrace(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (!json_object_is_type(body, json_type_object)) {
		verrs_add(c->errs, "body must be a JSON object");
		return -1;
	}
	if (not_text(c, body, "ProblemID") | not_text(c, body, "ProblemTitle") |
		not_text(c, body, "State"))
		return -1;

	const char *id = norm_str(a, body, "ProblemID");
	const char *title = norm_str(a, body, "ProblemTitle");
	if (!id && !title) {
		verrs_add(c->errs, "'ProblemID' is missing (and no 'ProblemTitle' to key on)");
		return -1;
	}

	const char *key = id ? id : arena_printf(a, "dynatrace-%s", norm_slug(a, title));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(norm_str(a, body, "State"), EV_TRIGGER), key,
		NORM_FIRST(a, body, "ProblemTitle", "ProblemDetailsText"), "Dynatrace",
		norm_severity(NORM_FIRST(a, body, "SeverityLevel", "ProblemImpact"), SEV_WARNING),
		body);
	return 0;
}
