/* grafana.c: Grafana webhooks: legacy single alerts and unified alerting alerts[] batches. */
#include <stdio.h>
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

#define SOURCE "Grafana"

static int is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}


/* Unified alerting (Alertmanager-shaped): one event per alert, always critical. */
static int map_unified(struct json_object *body, struct json_object *alerts,
	const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	size_t len = json_object_array_length(alerts);

	if (norm_check_alerts(c, alerts))
		return -1;

	struct event *ev = norm_events(c, len);
	for (size_t i = 0; i < len; i++) {
		struct json_object *a = json_object_array_get_idx(alerts, i);
		const char *name = norm_str(c->arena, a, "labels.alertname");
		const char *inst = norm_str(c->arena, a, "labels.instance");
		const char *key = arena_printf(
			c->arena, "grafana-%s-%s", name ? name : "alert", inst ? inst : "default");
		const char *summary = NORM_FIRST(c->arena, a, "annotations.summary",
			"annotations.description", "labels.alertname");

		norm_event(c, &ev[i], norm_alert_resolved(c, body, a) ? EV_RESOLVE : EV_TRIGGER, key,
			summary, SOURCE, SEV_CRITICAL, a);
	}
	*evs = ev;
	*n = len;
	return 0;
}

/* Legacy alerting: one alert with state, ruleId/ruleName, title, message. */
static int map_legacy(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	const char *state = norm_str(c->arena, body, "state");
	const char *rule_id = norm_str(c->arena, body, "ruleId");
	const char *name = NORM_FIRST(c->arena, body, "ruleName", "title");
	const char *key;
	enum event_severity sev;

	if (!rule_id && !name) {
		verrs_add(c->errs, "'ruleId', 'ruleName' or 'title' is required");
		return -1;
	}
	if (rule_id && strcmp(rule_id, "0"))
		key = arena_printf(c->arena, "grafana-%s", rule_id);
	else
		key = arena_printf(
			c->arena, "grafana-%s", norm_slug(c->arena, name ? name : "unknown"));
	sev = SEV_INFO;
	if (is(state, "alerting"))
		sev = SEV_CRITICAL;
	else if (is(state, "no_data"))
		sev = SEV_WARNING;

	struct event *ev = norm_events(c, 1);
	norm_event(c, ev, is(state, "ok") ? EV_RESOLVE : EV_TRIGGER, key,
		NORM_FIRST(c->arena, body, "title", "ruleName", "message"), SOURCE, sev, body);
	*evs = ev;
	*n = 1;
	return 0;
}

int map_grafana(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct json_object *alerts = norm_get(body, "alerts");

	if (norm_check_body(c, body))
		return -1;
	/* Unified alerting also sends the deprecated legacy fields (state, title, message): a
	 * non-empty alerts[] wins. */
	if (json_object_is_type(alerts, json_type_array) && json_object_array_length(alerts))
		return map_unified(body, alerts, c, evs, n);
	if (norm_get(body, "state") || norm_get(body, "ruleName"))
		return map_legacy(body, c, evs, n);
	verrs_add(c->errs, "'alerts' must be a non-empty array (or 'state'/'ruleName' for a legacy "
			   "alert)");
	return -1;
}
