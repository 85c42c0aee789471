/* webhook.c: the generic webhook (any JSON object with a few conventional fields) into an event. */
#include <string.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Appendix §B: action from lower(status|action|state|"triggered"): contains resolved/ok/normal/
 * closed/fixed → resolve, else contains triggered/fired/alert/critical/error/open → trigger, else
 * contains ack → acknowledge, else trigger (substring tests, as the reference: "unresolved"
 * resolves). Dedup dedup_key|id|alert_id else webhook-{slug(summary)}; summary
 * summary|title|message|name (else "Webhook Alert"); source source|origin|system (else
 * "Webhook"); severity from lower(severity|level|priority|"warning"): exact
 * critical/error/warning/info, high → critical, medium → warning, low → info, else substrings
 * critical/high → critical, error → error, warning/medium → warning, else info. custom_details is
 * the whole body. Refused: a body with neither a key (dedup_key, id, alert_id) nor a summary
 * field, which would only ever produce the constant key "webhook-webhook-alert".
 */

static const char *const resolve_words[] = {"resolved", "ok", "normal", "closed", "fixed", NULL};
static const char *const trigger_words[] = {
	"triggered", "fired", "alert", "critical", "error", "open", NULL};

static const struct {
	const char *name;
	enum event_severity sev;
} severities[] = {
	{"critical", SEV_CRITICAL},
	{"error", SEV_ERROR},
	{"warning", SEV_WARNING},
	{"info", SEV_INFO},
	{"high", SEV_CRITICAL},
	{"medium", SEV_WARNING},
	{"low", SEV_INFO},
};

static int contains_any(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return 1;
	return 0;
}

static enum event_action action_of(const char *v)
{
	if (contains_any(v, resolve_words))
		return EV_RESOLVE;
	if (contains_any(v, trigger_words))
		return EV_TRIGGER;
	if (strstr(v, "ack"))
		return EV_ACKNOWLEDGE;
	return EV_TRIGGER;
}

static enum event_severity severity_of(const char *v)
{
	for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]); i++)
		if (!strcmp(v, severities[i].name))
			return severities[i].sev;
	if (strstr(v, "critical") || strstr(v, "high"))
		return SEV_CRITICAL;
	if (strstr(v, "error"))
		return SEV_ERROR;
	if (strstr(v, "warning") || strstr(v, "medium"))
		return SEV_WARNING;
	return SEV_INFO;
}

int map_webhook(struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;

	const char *id = NORM_FIRST(c->arena, body, "dedup_key", "id", "alert_id");
	const char *summary = NORM_FIRST(c->arena, body, "summary", "title", "message", "name");
	if (!id && !summary) {
		verrs_add(c->errs, "neither 'dedup_key' (or 'id', 'alert_id') nor 'summary' (or "
				   "'title', 'message', 'name') is present");
		return -1;
	}

	const char *act = NORM_FIRST(c->arena, body, "status", "action", "state");
	const char *sev = NORM_FIRST(c->arena, body, "severity", "level", "priority");
	const char *source = NORM_FIRST(c->arena, body, "source", "origin", "system");
	const char *key =
		id ? id : arena_printf(c->arena, "webhook-%s", norm_slug(c->arena, summary));

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action_of(norm_lower(c->arena, act ? act : "triggered")), key,
		summary ? summary : "Webhook Alert", source ? source : "Webhook",
		severity_of(norm_lower(c->arena, sev ? sev : "warning")), body);
	return 0;
}
