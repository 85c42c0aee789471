/* sentry.c: Sentry webhooks: issue (created/resolved/assigned/...) and event alert forms. */
#include <string.h>
#include <strings.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

static enum event_severity severity(const char *level)
{
	static const struct {
		const char *level;
		enum event_severity sev;
	} map[] = {
		{"fatal", SEV_CRITICAL},
		{"error", SEV_ERROR},
		{"warning", SEV_WARNING},
		{"info", SEV_INFO},
		{"debug", SEV_INFO},
	};

	for (size_t i = 0; level && i < sizeof(map) / sizeof(*map); i++)
		if (!strcasecmp(level, map[i].level))
			return map[i].sev;
	return SEV_ERROR;
}

static int is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static const char *source(
	const struct vendor_ctx *c, struct json_object *body, struct json_object *issue)
{
	const char *project = norm_str(c->arena, body, "project.name");

	if (!project && issue)
		project = norm_str(c->arena, issue, "project.name");
	return project ? arena_printf(c->arena, "Sentry - %s", project) : "Sentry";
}

static int map_issue(struct json_object *body, struct json_object *issue,
	const struct vendor_ctx *c, struct event *ev)
{
	const char *id = norm_str(c->arena, issue, "id");
	const char *action = norm_str(c->arena, body, "action");
	const char *status = norm_str(c->arena, issue, "status");
	enum event_action act = EV_TRIGGER;

	if (!id) {
		verrs_add(c->errs, "'issue.id' is missing");
		return -1;
	}
	if (is(action, "resolved") || is(status, "resolved"))
		act = EV_RESOLVE;
	else if (is(action, "ignored") || is(action, "archived") || is(status, "ignored") ||
		 is(action, "assigned") || is(action, "unassigned"))
		act = EV_ACKNOWLEDGE;
	norm_event(c, ev, act, arena_printf(c->arena, "sentry-%s", id),
		norm_str(c->arena, issue, "title"), source(c, body, issue),
		severity(norm_str(c->arena, issue, "level")), body);
	return 0;
}

static int map_event(struct json_object *body, struct json_object *event,
	const struct vendor_ctx *c, struct event *ev)
{
	const char *group =
		NORM_FIRST(c->arena, event, "issue_id", "group_id", "fingerprint.0", "event_id");
	const char *summary = NORM_FIRST(c->arena, event, "message", "title");

	if (!group) {
		verrs_add(c->errs, "'event.issue_id' or 'event.event_id' is missing");
		return -1;
	}
	norm_event(c, ev, EV_TRIGGER, arena_printf(c->arena, "sentry-%s", group),
		summary ? summary : "Sentry Error", source(c, body, NULL),
		severity(norm_str(c->arena, event, "level")), body);
	return 0;
}

int map_sentry(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct json_object *issue, *event;
	struct event *ev;
	int rc;

	if (norm_check_body(c, body))
		return -1;
	/* Top-level issue/event as the reference reads them, or the integration platform's
	 * data.issue / data.event. */
	issue = norm_get(body, "issue");
	if (!issue)
		issue = norm_get(body, "data.issue");
	event = norm_get(body, "event");
	if (!event)
		event = norm_get(body, "data.event");
	ev = norm_events(c, 1);
	if (json_object_is_type(issue, json_type_object))
		rc = map_issue(body, issue, c, ev);
	else if (json_object_is_type(event, json_type_object))
		rc = map_event(body, event, c, ev);
	else {
		verrs_add(c->errs, "'issue' or 'event' (or 'data.issue'/'data.event') must be an "
				   "object");
		rc = -1;
	}
	if (rc < 0)
		return -1;
	*evs = ev;
	*n = 1;
	return 0;
}
