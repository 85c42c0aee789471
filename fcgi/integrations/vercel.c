/* vercel.c: Vercel deployment webhooks into normalised events. */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B, by the lower-cased type: deployment.error/deployment.failed → trigger (production
 * critical, else error); deployment.canceled → acknowledge, warning; deployment.succeeded/ready →
 * resolve, info; deployment.created and anything else → acknowledge, info. Project =
 * payload.project.name|payload.deployment.name|payload.name; target = payload.target, absent →
 * "production" (as the reference). Dedup: production vercel-{lower(project)}-production, else
 * vercel-{lower(project)}-{lower(target)}-{payload.deployment.id|"unknown"}. Source "Vercel".
 * Refused: no type, or no project name (the dedup key would merge every project).
 */

struct kind {
	const char *const match[2]; /* substrings of the type */
	enum event_action action;
	enum event_severity sev; /* SEV_NONE: critical in production, else error */
	const char *what;	 /* summary verb; NULL: the failure summary */
};

static const struct kind kinds[] = {
	{{"deployment.error", "deployment.failed"}, EV_TRIGGER, SEV_NONE, NULL},
	{{"deployment.canceled", NULL}, EV_ACKNOWLEDGE, SEV_WARNING, "canceled"},
	{{"deployment.succeeded", "deployment.ready"}, EV_RESOLVE, SEV_INFO, "succeeded"},
	{{"deployment.created", NULL}, EV_ACKNOWLEDGE, SEV_INFO, "started"},
};

/* A violation when path holds an object or an array. */
static int want_scalar(const struct vendor_ctx *c, struct json_object *body, const char *path)
{
	struct json_object *v = norm_get(body, path);

	if (v && (json_object_is_type(v, json_type_object) ||
			 json_object_is_type(v, json_type_array))) {
		verrs_add(c->errs, "'%s' must be a string or a number", path);
		return -1;
	}
	return 0;
}

static const struct kind *kind_of(const char *type)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		for (size_t j = 0; j < 2 && kinds[i].match[j]; j++)
			if (strstr(type, kinds[i].match[j]))
				return &kinds[i];
	return NULL;
}

int map_vercel(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	static const char *const scalars[] = {"type", "payload.project.name",
		"payload.deployment.name", "payload.name", "payload.target",
		"payload.deployment.id", "payload.error.message", "payload.error.code"};
	int bad = 0;

	if (!json_object_is_type(body, json_type_object)) {
		verrs_add(c->errs, "body must be a JSON object");
		return -1;
	}
	struct json_object *p = norm_get(body, "payload");
	if (p && !json_object_is_type(p, json_type_object)) {
		verrs_add(c->errs, "'payload' must be an object");
		return -1;
	}
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++)
		bad |= want_scalar(c, body, scalars[i]);
	if (bad)
		return -1;

	const char *type = norm_str(c->arena, body, "type");
	const char *project = NORM_FIRST(
		c->arena, body, "payload.project.name", "payload.deployment.name", "payload.name");
	if (!type)
		verrs_add(c->errs, "'type' is missing");
	if (!project)
		verrs_add(c->errs, "'payload.project.name' (or 'payload.deployment.name', "
				   "'payload.name') is missing");
	if (!type || !project)
		return -1;

	type = norm_lower(c->arena, type);
	const char *target = norm_str(c->arena, body, "payload.target");
	if (!target)
		target = "production";
	int prod = !strcmp(target, "production");
	const struct kind *k = kind_of(type);
	enum event_action action = k ? k->action : EV_ACKNOWLEDGE;
	enum event_severity sev = SEV_INFO;
	const char *summary;

	if (k && !k->what) {
		const char *err =
			NORM_FIRST(c->arena, body, "payload.error.message", "payload.error.code");
		sev = prod ? SEV_CRITICAL : SEV_ERROR;
		summary = arena_printf(c->arena, "Vercel: Deployment failed for %s (%s) - %s",
			project, target, err ? err : "Build or Runtime Error");
	} else if (k) {
		sev = k->sev;
		summary = arena_printf(
			c->arena, "Vercel: Deployment %s for %s (%s)", k->what, project, target);
	} else {
		summary = arena_printf(c->arena, "Vercel: %s on %s (%s)", type, project, target);
	}

	const char *lproject = norm_lower(c->arena, project);
	const char *deployment = norm_str(c->arena, body, "payload.deployment.id");
	const char *key =
		prod ? arena_printf(c->arena, "vercel-%s-production", lproject)
		     : arena_printf(c->arena, "vercel-%s-%s-%s", lproject,
			       norm_lower(c->arena, target), deployment ? deployment : "unknown");

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action, key, summary, "Vercel", sev, body);
	return 0;
}
