/* elastic.c: Elastic (Kibana alerting) webhook connector bodies → one event (appendix §B). */
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/* 1 (with a message) when path holds something other than an object. */
static int not_object(const struct vendor_ctx *c, struct json_object *body, const char *path)
{
	struct json_object *v = norm_get(body, path);

	if (!v || json_object_is_type(v, json_type_object))
		return 0;
	verrs_add(c->errs, "'%s' must be an object", path);
	return 1;
}

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

int map_elastic(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (!json_object_is_type(body, json_type_object)) {
		verrs_add(c->errs, "body must be a JSON object");
		return -1;
	}
	if (not_object(c, body, "rule") | not_object(c, body, "alert") |
		not_object(c, body, "context") | not_object(c, body, "event"))
		return -1;
	if (not_text(c, body, "alert.id") | not_text(c, body, "rule.id") |
		not_text(c, body, "alert.status"))
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
