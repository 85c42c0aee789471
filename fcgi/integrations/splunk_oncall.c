/* splunk_oncall.c: Splunk On-Call (VictorOps) REST-style alert bodies into normalised events. */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B: action normAction(status|state|message_type) (RECOVERY resolves,
 * ACKNOWLEDGEMENT acknowledges), dedup incident_id|entity_id|alert.id else
 * splunk-oncall-{slug(entity_display_name)}, summary message|state_message|entity_display_name|
 * alert.message (else "Splunk On-Call Alert"), source "Splunk On-Call", severity
 * normSev(severity|message_type|alert.severity). Refused: no identity or no action field.
 */

int map_splunk_oncall(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	int bad = NORM_CHECK_ALL(norm_check_scalar, c, body, "incident_id", "entity_id",
		"entity_display_name", "message", "state_message", "status", "state",
		"message_type", "severity");
	if (bad | norm_check_object(c, body, "alert"))
		return -1;

	const char *id = NORM_FIRST(c->arena, body, "incident_id", "entity_id", "alert.id");
	const char *name = norm_str(c->arena, body, "entity_display_name");
	const char *status = NORM_FIRST(c->arena, body, "status", "state", "message_type");
	if (!id && !name)
		verrs_add(c->errs, "'entity_id' (or 'incident_id', 'alert.id', "
				   "'entity_display_name') is missing");
	if (!status)
		verrs_add(c->errs, "'message_type' (or 'status', 'state') is missing");
	if (!status || (!id && !name))
		return -1;

	const char *summary = NORM_FIRST(
		c->arena, body, "message", "state_message", "entity_display_name", "alert.message");
	const char *sev = NORM_FIRST(c->arena, body, "severity", "message_type", "alert.severity");
	const char *key =
		id ? id : arena_printf(c->arena, "splunk-oncall-%s", norm_slug(c->arena, name));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(status, EV_TRIGGER), key,
		summary ? summary : "Splunk On-Call Alert", "Splunk On-Call",
		norm_severity(sev, SEV_WARNING), body);
	return 0;
}
