/* pingdom.c: Pingdom state-change webhooks (JSON or form-encoded) into normalised events. */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B: action normAction(state), dedup check_id else pingdom-{slug(check_name)}, summary
 * check_name|message|description, source "Pingdom", state containing "down" → critical else info.
 * Pingdom's own webhook names the state current_state (UP/DOWN for uptime checks,
 * SUCCESS/FAILING for transaction checks): it is read when state is absent, SUCCESS resolves
 * and FAILING counts as down.
 */

int map_pingdom(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_scalar, c, body, "check_id", "check_name", "state",
		    "current_state", "message", "description"))
		return -1;

	const char *id = norm_str(c->arena, body, "check_id");
	const char *name = norm_str(c->arena, body, "check_name");
	const char *state = NORM_FIRST(c->arena, body, "state", "current_state");
	if (!id && !name)
		verrs_add(c->errs, "'check_id' or 'check_name' is missing");
	if (!state)
		verrs_add(c->errs, "'state' (or 'current_state') is missing");
	if (!state || (!id && !name))
		return -1;

	int down = norm_contains(state, "down") || norm_contains(state, "failing");
	enum event_action action = norm_action(state, EV_TRIGGER);
	if (!down && norm_contains(state, "success"))
		action = EV_RESOLVE;
	const char *summary = NORM_FIRST(c->arena, body, "check_name", "message", "description");
	const char *key = id ? id : arena_printf(c->arena, "pingdom-%s", norm_slug(c->arena, name));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action, key, summary ? summary : "Pingdom Alert", "Pingdom",
		down ? SEV_CRITICAL : SEV_INFO, body);
	return 0;
}
