/* splunk_observability.c: Splunk Observability Cloud (SignalFx) detector webhooks into events. */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B: action normAction(status|eventType), dedup incidentId|detectorId else
 * splunk-observability-{slug(detectorName|title)}, summary title|detectorName|description
 * (else "Splunk Observability Alert"), source "Splunk Observability", severity normSev(severity).
 * Refused: no identity (incidentId, detectorId, detectorName, title), no status/eventType, or
 * no detector (detector, detectorId, detectorName, title).
 */

int map_splunk_observability(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (NORM_CHECK_ALL(norm_check_scalar, c, body, "incidentId", "detectorId", "detectorName",
		    "title", "description", "status", "eventType", "severity"))
		return -1;

	const char *id = NORM_FIRST(c->arena, body, "incidentId", "detectorId");
	const char *name = NORM_FIRST(c->arena, body, "detectorName", "title");
	const char *status = NORM_FIRST(c->arena, body, "status", "eventType");
	if (!id && !name)
		verrs_add(c->errs,
			"'incidentId' (or 'detectorId', 'detectorName', 'title') is missing");
	if (!status)
		verrs_add(c->errs, "'status' (or 'eventType') is missing");
	if (!status || (!id && !name))
		return -1;
	/* Every detector notification names its detector (detectorName's appendix alias is
	 * title); AppDynamics' incidentId + eventType alone would pass the checks above. */
	if (!NORM_FIRST(c->arena, body, "detector", "detectorId", "detectorName", "title")) {
		verrs_add(c->errs, "'detector' (or 'detectorId', 'detectorName', 'title') is missing "
				   "(not a Splunk Observability payload?)");
		return -1;
	}

	const char *summary = NORM_FIRST(c->arena, body, "title", "detectorName", "description");
	const char *key =
		id ? id
		   : arena_printf(c->arena, "splunk-observability-%s", norm_slug(c->arena, name));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(status, EV_TRIGGER), key,
		summary ? summary : "Splunk Observability Alert", "Splunk Observability",
		norm_severity(norm_str(c->arena, body, "severity"), SEV_WARNING), body);
	return 0;
}
