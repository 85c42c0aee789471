/* azure.c: Azure Monitor alerts (common alert schema: data.essentials, or data.context). */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

static enum event_severity severity(struct arena *a, const char *s)
{
	const char *v = norm_lower(a, s ? s : "Sev3");

	if (strstr(v, "sev0") || strstr(v, "critical"))
		return SEV_CRITICAL;
	if (strstr(v, "sev1") || strstr(v, "error"))
		return SEV_ERROR;
	if (strstr(v, "sev2") || strstr(v, "warning"))
		return SEV_WARNING;
	return SEV_INFO;
}

int map_azure(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (!json_object_is_type(norm_get(body, "data"), json_type_object)) {
		verrs_add(c->errs, "'data' must be an object");
		return -1;
	}

	const char *id = NORM_FIRST(c->arena, body, "data.essentials.alertId", "data.context.id");
	const char *cond = norm_str(c->arena, body, "data.essentials.monitorCondition");
	const char *service = norm_str(c->arena, body, "data.essentials.monitorService");
	const char *rule =
		NORM_FIRST(c->arena, body, "data.essentials.alertRule", "data.context.name");

	if (!id) {
		verrs_add(c->errs, "'data.essentials.alertId' is missing");
		return -1;
	}
	if (!cond)
		cond = "Fired";

	struct event *ev = norm_events(c, 1);
	norm_event(c, ev,
		!strcmp(cond, "Fired") || !strcmp(cond, "Activated") ? EV_TRIGGER : EV_RESOLVE,
		arena_printf(c->arena, "azure-%s", id), rule ? rule : "Azure Alert",
		arena_printf(c->arena, "Azure Monitor (%s)", service ? service : "Unknown"),
		severity(c->arena, norm_str(c->arena, body, "data.essentials.severity")), body);
	*evs = ev;
	*n = 1;
	return 0;
}
