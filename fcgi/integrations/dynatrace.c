/* dynatrace.c: Dynatrace problem notifications (custom integration) → one event (appendix §B). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

int map_dynatrace(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_text, c, body, "ProblemID", "ProblemTitle", "State"))
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
