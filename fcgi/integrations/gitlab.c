/* gitlab.c: GitLab webhooks: pipeline/build/job, merge_request, deployment, issue/incident/alert.
 */
#include <ctype.h>
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/* What every kind needs: the project as shown and as a key part, and the body. */
struct gl {
	struct json_object *body;
	const char *project; /* path_with_namespace | name | "gitlab-project" */
	const char *clean;   /* '/' and white-space runs → '-', lower-case */
};

static int in(const char *s, const char *const *words)
{
	for (; s && *words; words++)
		if (!strcmp(s, *words))
			return 1;
	return 0;
}

static const char *clean_project(struct arena *a, const char *p)
{
	char *out = arena_alloc(a, strlen(p) + 1), *o = out;

	while (*p) {
		if (isspace((unsigned char)*p)) {
			*o++ = '-';
			while (isspace((unsigned char)*p))
				p++;
			continue;
		}
		*o++ = *p == '/' ? '-' : (char)tolower((unsigned char)*p);
		p++;
	}
	*o = '\0';
	return out;
}

static void map_pipeline(const struct gl *g, const struct vendor_ctx *c, struct event *ev)
{
	static const char *const resolved[] = {"success", "passed", "manual", NULL};
	static const char *const running[] = {
		"running", "pending", "created", "preparing", "waiting_for_resource", NULL};
	static const char *const stopped[] = {"canceled", "skipped", NULL};
	const char *raw =
		NORM_FIRST(c->arena, g->body, "build_status", "status", "object_attributes.status");
	const char *ref = NORM_FIRST(c->arena, g->body, "ref", "object_attributes.ref");
	const char *id = NORM_FIRST(c->arena, g->body, "object_attributes.id", "build_id");
	enum event_action act = EV_TRIGGER;
	enum event_severity sev = SEV_ERROR;

	if (!raw)
		raw = "unknown";
	if (!ref)
		ref = "main";
	const char *status = norm_lower(c->arena, raw);
	if (in(status, resolved)) {
		act = EV_RESOLVE;
		sev = SEV_INFO;
	} else if (in(status, running)) {
		act = EV_ACKNOWLEDGE;
		sev = SEV_INFO;
	} else if (in(status, stopped)) {
		act = EV_ACKNOWLEDGE;
		sev = SEV_WARNING;
	}
	norm_event(c, ev, act,
		id ? arena_printf(c->arena, "gitlab-%s-pipeline-%s", g->clean, id)
		   : arena_printf(c->arena, "gitlab-%s-%s", g->clean, ref),
		arena_printf(c->arena, "GitLab CI: Pipeline for %s on %s %s", g->project, ref, raw),
		"GitLab CI", sev, g->body);
}

static void map_merge_request(const struct gl *g, const struct vendor_ctx *c, struct event *ev)
{
	static const char *const done[] = {"merge", "merged", "close", "closed", NULL};
	const char *action = NORM_FIRST(
		c->arena, g->body, "object_attributes.action", "object_attributes.state");
	const char *iid =
		NORM_FIRST(c->arena, g->body, "object_attributes.iid", "object_attributes.id");
	const char *title = norm_str(c->arena, g->body, "object_attributes.title");
	const char *from = norm_str(c->arena, g->body, "object_attributes.source_branch");
	const char *to = norm_str(c->arena, g->body, "object_attributes.target_branch");

	enum event_action act =
		in(norm_lower(c->arena, action), done) ? EV_RESOLVE : EV_ACKNOWLEDGE;

	norm_event(c, ev, act,
		arena_printf(c->arena, "gitlab-%s-mr-%s", g->clean, iid ? iid : "unknown"),
		arena_printf(c->arena, "GitLab MR: %s (%s \xe2\x86\x92 %s)",
			title ? title : "Merge Request", from ? from : "?", to ? to : "?"),
		"GitLab", SEV_INFO, g->body);
}

static void map_deployment(const struct gl *g, const struct vendor_ctx *c, struct event *ev)
{
	const char *st = NORM_FIRST(
		c->arena, g->body, "deployment_status", "status", "object_attributes.status");
	const char *env = norm_str(c->arena, g->body, "environment");
	enum event_action act = EV_ACKNOWLEDGE;
	enum event_severity sev = SEV_INFO;

	if (st)
		st = norm_lower(c->arena, st);
	if (!env)
		env = "unknown";
	if (in(st, (const char *const[]){"failed", NULL})) {
		act = EV_TRIGGER;
		sev = SEV_ERROR;
	} else if (in(st, (const char *const[]){"success", "created", NULL})) {
		act = EV_RESOLVE;
	} else if (in(st, (const char *const[]){"canceled", NULL})) {
		sev = SEV_WARNING;
	}
	norm_event(c, ev, act, arena_printf(c->arena, "gitlab-%s-deploy-%s", g->clean, env),
		arena_printf(c->arena, "GitLab Deploy: %s to %s %s", g->project, env,
			st ? st : "unknown"),
		"GitLab", sev, g->body);
}

static void map_issue(const struct gl *g, const struct vendor_ctx *c, struct event *ev)
{
	static const char *const closed[] = {"close", "closed", "resolved", NULL};
	const char *action = NORM_FIRST(
		c->arena, g->body, "object_attributes.action", "object_attributes.state");
	const char *title = NORM_FIRST(
		c->arena, g->body, "object_attributes.title", "object_attributes.description");
	const char *id = norm_str(c->arena, g->body, "object_attributes.id");

	norm_event(c, ev, in(norm_lower(c->arena, action), closed) ? EV_RESOLVE : EV_TRIGGER,
		arena_printf(c->arena, "gitlab-%s-issue-%s", g->clean, id ? id : "alert"),
		arena_printf(c->arena, "GitLab: %s", title ? title : "GitLab Alert"), "GitLab",
		norm_severity(norm_str(c->arena, g->body, "object_attributes.severity"), SEV_ERROR),
		g->body);
}

int map_gitlab(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct gl g = {body, NULL, NULL};
	const char *kind;

	if (norm_check_body(c, body))
		return -1;
	/* The reference defaulted to "pipeline" and fell back on event_type; GitLab names
	 * object_kind in every delivery, so a body without one is not a GitLab delivery (an
	 * event_type alone is Datadog's or New Relic's). */
	kind = norm_str(c->arena, body, "object_kind");
	if (!kind) {
		verrs_add(c->errs, "'object_kind' is missing");
		return -1;
	}
	kind = norm_lower(c->arena, kind);
	g.project = NORM_FIRST(c->arena, body, "project.path_with_namespace", "project.name");
	if (!g.project)
		g.project = "gitlab-project";
	g.clean = clean_project(c->arena, g.project);

	struct event *ev = norm_events(c, 1);
	if (in(kind, (const char *const[]){"pipeline", "build", "job", NULL}))
		map_pipeline(&g, c, ev);
	else if (!strcmp(kind, "merge_request"))
		map_merge_request(&g, c, ev);
	else if (!strcmp(kind, "deployment"))
		map_deployment(&g, c, ev);
	else if (in(kind, (const char *const[]){"issue", "incident", "alert", NULL}))
		map_issue(&g, c, ev);
	else
		norm_event(c, ev, EV_ACKNOWLEDGE,
			arena_printf(c->arena, "gitlab-%s-%s", g.clean, kind),
			arena_printf(c->arena, "GitLab Webhook: %s %s", g.project, kind), "GitLab",
			SEV_INFO, body);
	*evs = ev;
	*n = 1;
	return 0;
}
