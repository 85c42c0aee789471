/* github.c: GitHub webhooks (workflow_run, check_run, deployment) and GitLab build events. */
#include <ctype.h>
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/* lower-case, every character outside [a-z0-9_-] becomes '-' (one per UTF-16 unit, as the
 * reference's JavaScript does: two for a character outside the BMP). */
static const char *sanitize(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int ch = tolower(*p);
		if (*p < 0x80)
			*o++ = (char)((isalnum(ch) || ch == '-' || ch == '_') ? ch : '-');
		else if ((*p & 0xC0) == 0xC0) /* lead byte: one unit, two from U+10000 on */
			for (int k = *p >= 0xF0 ? 2 : 1; k; k--)
				*o++ = '-';
	}
	*o = '\0';
	return out;
}

static int is(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

static const char *source(const struct vendor_ctx *c, struct json_object *body)
{
	const char *repo = norm_str(c->arena, body, "repository.full_name");

	return repo ? arena_printf(c->arena, "GitHub - %s", repo) : "GitHub";
}

/* workflow_run and check_run: queued/in_progress(/requested) → acknowledge, completed+success
 * → resolve, else trigger. */
static int map_run(
	struct json_object *body, const char *field, const struct vendor_ctx *c, struct event *ev)
{
	int workflow = !strcmp(field, "workflow_run");
	struct json_object *run = norm_get(body, field);
	const char *name = norm_str(c->arena, run, "name");
	const char *ident = name ? name : norm_str(c->arena, run, "id");
	const char *status = norm_str(c->arena, run, "status");
	const char *concl = norm_str(c->arena, run, "conclusion");
	const char *repo = norm_str(c->arena, body, "repository.full_name");
	const char *branch = workflow ? norm_str(c->arena, run, "head_branch") : NULL;
	int failure = is(concl, "failure") || is(concl, "cancelled") || is(concl, "timed_out");
	int pending = is(status, "queued") || is(status, "in_progress") ||
		      (workflow && is(status, "requested"));
	const char *key;

	if (!ident || !status) {
		verrs_add(c->errs, "'%s.%s' is missing", field, ident ? "status" : "name");
		return -1;
	}
	if (!repo)
		repo = "unknown";
	if (workflow)
		key = arena_printf(c->arena, "github-%s-%s%s%s", repo, ident, branch ? "-" : "",
			branch ? branch : "");
	else
		key = arena_printf(c->arena, "github-check-%s-%s", repo, ident);
	key = sanitize(c->arena, key);
	if (pending && !failure) {
		norm_event(c, ev, EV_ACKNOWLEDGE, key,
			arena_printf(c->arena, "%s in progress: %s",
				workflow ? "Workflow" : "Check", ident),
			source(c, body), SEV_INFO, body);
		return 0;
	}
	norm_event(c, ev, is(status, "completed") && is(concl, "success") ? EV_RESOLVE : EV_TRIGGER,
		key,
		arena_printf(c->arena, "%s failed: %s", workflow ? "Workflow" : "Check", ident),
		source(c, body), failure ? SEV_CRITICAL : SEV_INFO, body);
	return 0;
}

static int map_deployment(struct json_object *body, const struct vendor_ctx *c, struct event *ev)
{
	const char *id = norm_str(c->arena, body, "deployment.id");
	/* deployment.state as the reference reads it; real deliveries carry the state in
	 * deployment_status (the deployment_status event). */
	const char *state =
		NORM_FIRST(c->arena, body, "deployment.state", "deployment_status.state");
	const char *env = NORM_FIRST(
		c->arena, body, "deployment.environment", "deployment_status.environment");
	enum event_action act = EV_TRIGGER;

	if (!id) {
		verrs_add(c->errs, "'deployment.id' is missing");
		return -1;
	}
	if (!state)
		state = "unknown";
	if (is(state, "pending"))
		act = EV_ACKNOWLEDGE;
	else if (is(state, "success"))
		act = EV_RESOLVE;
	norm_event(c, ev, act, arena_printf(c->arena, "github-deployment-%s", id),
		arena_printf(c->arena, "Deployment %s: %s", state, env ? env : "unknown"),
		source(c, body),
		is(state, "failure") || is(state, "error") ? SEV_CRITICAL : SEV_INFO, body);
	return 0;
}

/* GitLab job events sent to the GitHub endpoint (object_kind build, or build_status). */
static int map_gitlab_build(struct json_object *body, const struct vendor_ctx *c, struct event *ev)
{
	const char *bs = norm_str(c->arena, body, "build_status");
	const char *st = norm_str(c->arena, body, "status");
	const char *path = norm_str(c->arena, body, "project.path_with_namespace");
	const char *ref = norm_str(c->arena, body, "ref");
	int failure = is(bs, "failed") || is(st, "failed");
	int success = is(bs, "success") || is(st, "success");
	const char *key = arena_printf(
		c->arena, "gitlab-%s%s%s", path ? path : "unknown", ref ? "-" : "", ref ? ref : "");
	enum event_action act = EV_ACKNOWLEDGE; /* pending and the like */

	if (success)
		act = EV_RESOLVE;
	else if (failure)
		act = EV_TRIGGER;
	if (!bs)
		bs = st ? st : "unknown";
	norm_event(c, ev, act, sanitize(c->arena, key),
		arena_printf(c->arena, "Build %s: %s", bs, ref ? ref : "unknown"),
		path ? arena_printf(c->arena, "GitLab - %s", path) : "GitLab",
		failure ? SEV_ERROR : SEV_INFO, body);
	return 0;
}

int map_github(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	const char *kind = norm_str(c->arena, body, "object_kind");
	struct event *ev;
	int rc;

	if (norm_check_body(c, body))
		return -1;
	ev = norm_events(c, 1);
	if (json_object_is_type(norm_get(body, "workflow_run"), json_type_object)) {
		rc = map_run(body, "workflow_run", c, ev);
	} else if (json_object_is_type(norm_get(body, "check_run"), json_type_object)) {
		rc = map_run(body, "check_run", c, ev);
	} else if (json_object_is_type(norm_get(body, "deployment"), json_type_object)) {
		rc = map_deployment(body, c, ev);
	} else if (is(kind, "build") || norm_str(c->arena, body, "build_status")) {
		rc = map_gitlab_build(body, c, ev);
	} else {
		/* Another GitHub (or GitLab) event of a repository: noted, never an alert. */
		const char *repo = NORM_FIRST(
			c->arena, body, "repository.full_name", "project.path_with_namespace");
		const char *what = NORM_FIRST(c->arena, body, "action", "object_kind");
		if (!repo) {
			verrs_add(c->errs,
				"body has no 'workflow_run', 'check_run', 'deployment' or "
				"GitLab build, nor a 'repository.full_name'");
			return -1;
		}
		/* A bare repository is any forge's (Bitbucket's too): GitHub sends sender with
		 * every delivery (action with most, pusher with a push); GitLab names object_kind. */
		if (!kind && !norm_get(body, "sender") && !norm_get(body, "action") &&
			!norm_get(body, "pusher")) {
			verrs_add(c->errs, "'sender' (or 'action', 'pusher') is missing (not a GitHub "
					   "payload?)");
			return -1;
		}
		norm_event(c, ev, EV_ACKNOWLEDGE, arena_printf(c->arena, "github-unknown-%s", repo),
			arena_printf(
				c->arena, "GitHub event received: %s", what ? what : "unknown"),
			arena_printf(c->arena, "GitHub - %s", repo), SEV_INFO, body);
		rc = 0;
	}
	if (rc < 0)
		return -1;
	*evs = ev;
	*n = 1;
	return 0;
}
