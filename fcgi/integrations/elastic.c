/* elastic.c: Elastic (Kibana alerting) webhook connector bodies → one event (appendix §B). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

int map_elastic(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_object, c, body, "rule", "alert", "context", "event"))
		return -1;
	if (NORM_CHECK_ALL(norm_check_text, c, body, "alert.id", "rule.id", "alert.status"))
		return -1;

	const char *id = NORM_FIRST(a, body, "alert.id", "rule.id");
	const char *summary =
		NORM_FIRST(a, body, "rule.name", "alert.reason", "context.message", "message");
	if (!id && !summary) {
		verrs_add(c->errs, "'alert.id' is missing (and no 'rule.id', 'rule.name', "
				   "'alert.reason', 'context.message' or 'message' to key on)");
		return -1;
	}
	/* Kibana's connector templates render {{rule.*}}, {{alert.*}} and {{context.*}}; a bare
	 * top-level message (Opsgenie's alert) is not an Elastic body. */
	if (!norm_get(body, "rule") && !norm_get(body, "alert") && !norm_get(body, "context")) {
		verrs_add(c->errs, "'rule' (or 'alert', 'context') is missing (not an Elastic "
				   "payload?)");
		return -1;
	}

	/* rule.name is the summary's first choice, so slug(rule.name|summary) = slug(summary) */
	const char *key = id ? id : arena_printf(a, "elastic-%s", norm_slug(a, summary));
	const char *status = NORM_FIRST(a, body, "alert.status", "event.action", "status");

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(status, EV_TRIGGER), key, summary, "Elastic",
		norm_severity(NORM_FIRST(a, body, "alert.severity", "context.severity", "severity"),
			SEV_WARNING),
		body);
	return 0;
}
