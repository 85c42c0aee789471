/* newrelic.c: New Relic webhooks: incident, legacy alert, APM and workflow (issue) forms. */
#include <string.h>
#include <strings.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/* The exact severity words of the alert and APM forms; anything else is warning. */
static enum event_severity exact_severity(const char *s, int with_error)
{
	if (s && !strcasecmp(s, "critical"))
		return SEV_CRITICAL;
	if (s && with_error && !strcasecmp(s, "error"))
		return SEV_ERROR;
	if (s && !strcasecmp(s, "info"))
		return SEV_INFO;
	return SEV_WARNING;
}

static const char *source(const struct vendor_ctx *c, struct json_object *body)
{
	const char *account = norm_str(c->arena, body, "account_name");

	return account ? arena_printf(c->arena, "New Relic - %s", account) : "New Relic";
}

static int done(struct event *ev, struct event **evs, size_t *n)
{
	*evs = ev;
	*n = 1;
	return 0;
}

static int map_incident(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	const char *id = norm_str(c->arena, body, "incident.id");
	struct event *ev;

	if (!json_object_is_type(norm_get(body, "incident"), json_type_object)) {
		verrs_add(c->errs, "'incident' must be an object");
		return -1;
	}
	if (!id) {
		verrs_add(c->errs, "'incident.id' is missing");
		return -1;
	}
	/* New Relic names the incident's state (and the event_type); Better Uptime's incident
	 * has a status instead. */
	if (!NORM_FIRST(c->arena, body, "incident.state", "event_type")) {
		verrs_add(c->errs, "'incident.state' (or 'event_type') is missing (not a New Relic "
				   "payload?)");
		return -1;
	}
	ev = norm_events(c, 1);
	norm_event(c, ev,
		norm_action(NORM_FIRST(c->arena, body, "incident.state", "event_type"), EV_TRIGGER),
		arena_printf(c->arena, "newrelic-%s", id),
		norm_str(c->arena, body, "incident.title"), source(c, body),
		norm_severity(norm_str(c->arena, body, "incident.severity"), SEV_WARNING), body);
	return done(ev, evs, n);
}

static int map_alert(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	const char *id = norm_str(c->arena, body, "alert.id");
	const char *state = norm_str(c->arena, body, "alert.state");
	const char *summary =
		NORM_FIRST(c->arena, body, "alert.alert_condition_name", "alert.message");
	struct event *ev;

	if (!json_object_is_type(norm_get(body, "alert"), json_type_object)) {
		verrs_add(c->errs, "'alert' must be an object");
		return -1;
	}
	if (!id) {
		verrs_add(c->errs, "'alert.id' is missing");
		return -1;
	}
	/* The legacy alert names its policy or condition; Elastic's alert (id, status, reason)
	 * does not. */
	if (!NORM_FIRST(c->arena, body, "alert.alert_condition_name", "alert.alert_policy_name")) {
		verrs_add(c->errs, "'alert.alert_condition_name' (or 'alert.alert_policy_name') is "
				   "missing (not a New Relic payload?)");
		return -1;
	}
	ev = norm_events(c, 1);
	norm_event(c, ev, state && !strcmp(state, "closed") ? EV_RESOLVE : EV_TRIGGER,
		arena_printf(c->arena, "newrelic-%s", id), summary ? summary : "New Relic Alert",
		source(c, body), exact_severity(norm_str(c->arena, body, "alert.severity"), 0),
		body);
	return done(ev, evs, n);
}

static int map_apm(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	const char *title = norm_str(c->arena, body, "alertTitle");
	const char *type = norm_str(c->arena, body, "alertType");
	const char *raw = arena_printf(c->arena, "newrelic-apm-%s", title ? title : type);
	int resolved = norm_contains(type, "resolved") || norm_contains(type, "closed");
	struct event *ev;

	/* The APM form titles its alert (and rates it); UptimeRobot's alertType comes with a
	 * monitor name and neither. */
	if (!title && !norm_str(c->arena, body, "alertSeverity")) {
		verrs_add(c->errs, "'alertTitle' (or 'alertSeverity') is missing (not a New Relic "
				   "payload?)");
		return -1;
	}
	ev = norm_events(c, 1);

	norm_event(c, ev, resolved ? EV_RESOLVE : EV_TRIGGER, norm_sha256_prefix(c->arena, raw, 32),
		title ? title : "New Relic Alert", source(c, body),
		exact_severity(norm_str(c->arena, body, "alertSeverity"), 1), body);
	return done(ev, evs, n);
}

/* Workflow notifications (the default issue template): id, state, title, priority. */
static int map_workflow(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct event *ev = norm_events(c, 1);

	norm_event(c, ev, norm_action(norm_str(c->arena, body, "state"), EV_TRIGGER),
		arena_printf(c->arena, "newrelic-%s", norm_str(c->arena, body, "id")),
		NORM_FIRST(c->arena, body, "title", "alertConditionNames.0"), source(c, body),
		norm_severity(norm_str(c->arena, body, "priority"), SEV_WARNING), body);
	return done(ev, evs, n);
}

int map_newrelic(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (norm_get(body, "incident"))
		return map_incident(body, c, evs, n);
	if (norm_get(body, "alert"))
		return map_alert(body, c, evs, n);
	if (NORM_FIRST(c->arena, body, "alertTitle", "alertType"))
		return map_apm(body, c, evs, n);
	if (norm_str(c->arena, body, "id") && norm_str(c->arena, body, "state"))
		return map_workflow(body, c, evs, n);
	verrs_add(c->errs,
		"body needs 'incident', 'alert', 'alertTitle'/'alertType', or a workflow "
		"'id' and 'state'");
	return -1;
}
