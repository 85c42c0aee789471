/* datadog.c: Datadog webhooks: one event object, or an array of them (one event each). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

#define SOURCE "Datadog"

static int check_item(struct json_object *it, const struct vendor_ctx *c, const char *where)
{
	if (!json_object_is_type(it, json_type_object)) {
		verrs_add(c->errs, "%s must be a JSON object", where);
		return -1;
	}
	if (!NORM_FIRST(c->arena, it, "title", "alert.title", "monitor.name", "aggregation_key",
		    "alert.id", "monitor.id")) {
		verrs_add(c->errs,
			"%s needs one of 'title', 'alert.title', 'monitor.name', "
			"'aggregation_key', "
			"'alert.id', 'monitor.id'",
			where);
		return -1;
	}
	/* Datadog's payloads (its default template, the reference's) always carry a title or
	 * its event/alert type; an id inside an alert or monitor object alone is Elastic's or
	 * Uptime Kuma's. */
	if (!NORM_FIRST(c->arena, it, "title", "alert.title", "event_type", "alert_type",
		    "aggregation_key")) {
		verrs_add(c->errs,
			"%s has no 'title', 'alert.title', 'event_type', 'alert_type' or "
			"'aggregation_key' (not a Datadog payload?)",
			where);
		return -1;
	}
	return 0;
}

static enum event_severity severity(const char *s)
{
	if (!strcmp(s, "critical"))
		return SEV_CRITICAL;
	if (!strcmp(s, "error"))
		return SEV_ERROR;
	if (!strcmp(s, "warning"))
		return SEV_WARNING;
	return SEV_INFO;
}

static void map_one(struct json_object *it, const struct vendor_ctx *c, struct event *ev)
{
	const char *title = NORM_FIRST(c->arena, it, "title", "alert.title", "monitor.name");
	const char *alert_type = NORM_FIRST(c->arena, it, "alert_type", "alert.severity");
	const char *status = NORM_FIRST(c->arena, it, "alert.status", "monitor.status");
	const char *key = norm_str(c->arena, it, "aggregation_key");
	const char *id;
	int resolved;

	if (!title)
		title = "Datadog Alert";
	if (!alert_type)
		alert_type = "warning";
	resolved = (status && (!strcasecmp(status, "resolved") || !strcasecmp(status, "ok"))) ||
		   !strcmp(alert_type, "success");
	if (!key && (id = norm_str(c->arena, it, "alert.id")))
		key = arena_printf(c->arena, "datadog-alert-%s", id);
	if (!key && (id = norm_str(c->arena, it, "monitor.id")))
		key = arena_printf(c->arena, "datadog-monitor-%s", id);
	if (!key)
		key = arena_printf(c->arena, "datadog-%s",
			norm_sha256_prefix(c->arena, norm_slug(c->arena, title), 32));
	norm_event(c, ev, resolved ? EV_RESOLVE : EV_TRIGGER, key, title, SOURCE,
		severity(alert_type), it);
}

int map_datadog(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct event *ev;

	if (json_object_is_type(body, json_type_array)) {
		size_t len = json_object_array_length(body);
		int bad = 0;

		if (!len) {
			verrs_add(c->errs, "body array must not be empty");
			return -1;
		}
		for (size_t i = 0; i < len; i++) {
			char where[32];
			snprintf(where, sizeof(where), "'%zu'", i);
			bad += check_item(json_object_array_get_idx(body, i), c, where) < 0;
		}
		if (bad)
			return -1;
		ev = norm_events(c, len);
		for (size_t i = 0; i < len; i++)
			map_one(json_object_array_get_idx(body, i), c, &ev[i]);
		*evs = ev;
		*n = len;
		return 0;
	}
	if (!json_object_is_type(body, json_type_object)) {
		verrs_add(c->errs, "body must be a JSON object or an array of objects");
		return -1;
	}
	if (check_item(body, c, "body") < 0)
		return -1;
	ev = norm_events(c, 1);
	map_one(body, c, ev);
	*evs = ev;
	*n = 1;
	return 0;
}
