/* bitbucket.c: Bitbucket pipeline and commit-status webhooks → one event (appendix §B). */
#include <string.h>
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

#define STATUS_SLUG_MAX 50 /* the commit status name part of the key */

/* s cut to at most max bytes on a UTF-8 character boundary, in place. */
static char *cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	s[max] = '\0';
	return s;
}

/*
 * result/state are pipeline.state.result.name / pipeline.state.name. A repo:commit_status_*
 * webhook (Bitbucket's own format) has no pipeline; its commit_status.state (SUCCESSFUL,
 * FAILED, INPROGRESS, STOPPED) stands in for the result there.
 */
int map_bitbucket(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_object, c, body, "repository", "pipeline", "commit_status"))
		return -1;

	const char *repo = NORM_FIRST(a, body, "repository.full_name", "repository.name");
	if (!repo) {
		verrs_add(c->errs, "'repository.full_name' is missing");
		return -1;
	}
	/* A bare repository is every forge's; Bitbucket's build events carry one of these. */
	if (!norm_get(body, "commit_status") && !norm_get(body, "pipeline")) {
		verrs_add(c->errs, "'commit_status' (or 'pipeline') is missing (not a Bitbucket "
				   "payload?)");
		return -1;
	}

	const char *result = norm_str(a, body, "pipeline.state.result.name");
	const char *state = norm_str(a, body, "pipeline.state.name");
	if (!result && !state)
		result = norm_str(a, body, "commit_status.state");

	const char *both = arena_printf(a, "%s %s", result ? result : "", state ? state : "");
	enum event_action action = norm_contains(both, "success") ? EV_RESOLVE : EV_TRIGGER;
	enum event_severity sev = result && norm_contains(result, "success") ? SEV_INFO : SEV_ERROR;

	const char *status = norm_str(a, body, "commit_status.name");
	const char *key = arena_printf(a, "bitbucket-%s%s%s", norm_slug(a, repo), status ? "-" : "",
		status ? cut(norm_slug(a, status), STATUS_SLUG_MAX) : "");
	const char *summary = arena_printf(a, "Bitbucket %s: %s",
		result	? result
		: state ? state
			: "pipeline",
		repo);

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action, key, summary, "Bitbucket", sev, body);
	return 0;
}
