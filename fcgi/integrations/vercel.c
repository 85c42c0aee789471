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
	if (norm_check_body(c, body))
		return -1;
	if (norm_check_object(c, body, "payload"))
		return -1;
	if (NORM_CHECK_ALL(norm_check_scalar, c, body, "type", "payload.project.name",
		    "payload.deployment.name", "payload.name", "payload.target",
		    "payload.deployment.id", "payload.error.message", "payload.error.code"))
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
