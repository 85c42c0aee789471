/* uptimerobot.c: UptimeRobot webhook alert contacts (JSON or form-encoded) into events. */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B: alertType "2" or containing "up" → resolved, "1" or containing "down" → triggered,
 * containing "pause" → paused (a trigger), anything else is passed to normAction as it is. Dedup
 * monitorID else uptimerobot-{slug(monitorFriendlyName)}, summary
 * monitorFriendlyName|alertTypeFriendlyName (else "UptimeRobot Alert"), source "UptimeRobot",
 * resolved → info else critical. Refused: no monitorID/monitorFriendlyName or no alertType.
 */

/* toStatus of the reference: the alert type as a status word. */
static const char *status_of(struct arena *a, const char *alert_type)
{
	char *t = norm_lower(a, alert_type);

	if (!strcmp(t, "2") || strstr(t, "up"))
		return "resolved";
	if (!strcmp(t, "1") || strstr(t, "down"))
		return "triggered";
	if (strstr(t, "pause"))
		return "paused";
	return t;
}

int map_uptimerobot(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_scalar, c, body, "monitorID", "monitorFriendlyName",
		    "alertType", "alertTypeFriendlyName"))
		return -1;

	const char *id = norm_str(c->arena, body, "monitorID");
	const char *name = norm_str(c->arena, body, "monitorFriendlyName");
	const char *type = norm_str(c->arena, body, "alertType");
	if (!id && !name)
		verrs_add(c->errs, "'monitorID' or 'monitorFriendlyName' is missing");
	if (!type)
		verrs_add(c->errs, "'alertType' is missing");
	if (!type || (!id && !name))
		return -1;

	const char *status = status_of(c->arena, type);
	int resolved = !strcmp(status, "resolved");
	const char *summary =
		NORM_FIRST(c->arena, body, "monitorFriendlyName", "alertTypeFriendlyName");
	const char *key =
		id ? id : arena_printf(c->arena, "uptimerobot-%s", norm_slug(c->arena, name));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(status, EV_TRIGGER), key,
		summary ? summary : "UptimeRobot Alert", "UptimeRobot",
		resolved ? SEV_INFO : SEV_CRITICAL, body);
	return 0;
}
