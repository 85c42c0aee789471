/* opsgenie.c: a landing place for Opsgenie users: Alert API bodies and outgoing webhooks. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"

/*
 * Accepted bodies (Opsgenie puts the verb of its Alert API in the URL, /v2/alerts/{id}/close, so
 * here it travels in the body):
 *
 * 1. An Alert API request body with an optional top-level "action": "create" (the default),
 *    "close" or "acknowledge" (any case).
 *      create:       {"message": "...", "alias"?, "description"?, "priority"? "P1".."P5",
 *                     "source"?, "entity"?, "details"?, "tags"?, ...}  (message required)
 *      close/ack:    {"action": "close", "alias": "..." | "identifier": "...",
 *                     "identifierType"? "alias", "note"?, "source"?, "user"?}
 *    identifier is taken as the alias; identifierType "id" or "tiny" is refused (OpsKnight never
 *    saw Opsgenie's ids). A close/ack without alias/identifier may carry the create's message
 *    instead, which gives the same generated key.
 * 2. Opsgenie's outgoing webhook: {"action": "Create"|"Close"|"Acknowledge", "alert": {"alias",
 *    "message", "priority", "source", "entity", ...}, "source": {...}, ...}, recognised by its
 *    "alert" object. Other webhook actions (AddNote, UnAcknowledge, ...) are refused: turn them
 *    off in the Opsgenie webhook integration.
 *
 * Mapping: create → trigger, close → resolve, acknowledge → acknowledge; dedup key = alias, else
 * "opsgenie-" + the first 32 hex digits of SHA-256(message, trimmed); summary = message; source =
 * source|entity|"Opsgenie"; severity P1 → critical, P2 → error, P3 (also when absent) → warning,
 * P4/P5 → info (the webhook's numeric priority 1..5 is read as P1..P5).
 */

static const struct {
	const char *verb;
	enum event_action action;
} verbs[] = {
	{"create", EV_TRIGGER},
	{"close", EV_RESOLVE},
	{"acknowledge", EV_ACKNOWLEDGE},
};

static const enum event_severity priorities[] = {
	SEV_CRITICAL, SEV_ERROR, SEV_WARNING, SEV_INFO, SEV_INFO};

/* A violation when path holds anything but a string (null counts as absent). */
static int want_string(const struct vendor_ctx *c, struct json_object *obj, const char *path)
{
	struct json_object *v = norm_get(obj, path);

	if (v && !json_object_is_type(v, json_type_string)) {
		verrs_add(c->errs, "'%s' must be a string", path);
		return -1;
	}
	return 0;
}

/* The verb's action, or -1 when it is not one of verbs[]. */
static int verb_action(const char *verb)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcasecmp(verb, verbs[i].verb))
			return (int)verbs[i].action;
	return -1;
}

/* Severity of the priority at path (absent: P3), or SEV_NONE with a violation. */
static enum event_severity priority_of(
	const struct vendor_ctx *c, struct json_object *obj, const char *path, const char *label)
{
	struct json_object *v = norm_get(obj, path);
	int p = 0;

	if (!v)
		return SEV_WARNING;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);
		p = i >= 1 && i <= 5 ? (int)i : 0;
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = norm_str(c->arena, obj, path);
		if (s && (s[0] == 'P' || s[0] == 'p') && s[1] >= '1' && s[1] <= '5' && !s[2])
			p = s[1] - '0';
	}
	if (!p) {
		verrs_add(c->errs, "'%s' must be one of P1, P2, P3, P4, P5", label);
		return SEV_NONE;
	}
	return priorities[p - 1];
}

/* Maps one alert (the body itself, or the webhook's "alert") with the given action. */
static int map_alert(const struct vendor_ctx *c, struct json_object *body,
	struct json_object *alert, const char *prefix, enum event_action action, struct event **evs,
	size_t *n)
{
	static const char *const strings[] = {"message", "alias", "identifier", "identifierType",
		"source", "entity", "description", "note"};
	char path[64];
	int bad = 0;

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		struct json_object *v = norm_get(alert, strings[i]);
		/* the webhook's top-level "source" is an object; only the alert's is read */
		if (v && !json_object_is_type(v, json_type_string)) {
			snprintf(path, sizeof(path), "%s%s", prefix, strings[i]);
			verrs_add(c->errs, "'%s' must be a string", path);
			bad = -1;
		}
	}
	snprintf(path, sizeof(path), "%spriority", prefix);
	enum event_severity sev = priority_of(c, alert, "priority", path);
	if (bad || sev == SEV_NONE)
		return -1;

	const char *message = norm_str(c->arena, alert, "message");
	const char *alias = norm_str(c->arena, alert, "alias");
	if (!alias && !*prefix) {
		const char *type = norm_str(c->arena, alert, "identifierType");
		alias = norm_str(c->arena, alert, "identifier");
		if (alias && type && strcasecmp(type, "alias")) {
			verrs_add(c->errs,
				"'identifierType' must be \"alias\": alerts are known here by "
				"alias, not by Opsgenie's %s",
				type);
			return -1;
		}
	}
	if (action == EV_TRIGGER && !message) {
		verrs_add(c->errs, "'%smessage' is missing", prefix);
		return -1;
	}
	if (!alias && !message) {
		if (*prefix)
			verrs_add(c->errs, "'%salias' (or '%smessage') is missing", prefix, prefix);
		else
			verrs_add(c->errs, "'alias' (or 'identifier', 'message') is missing");
		return -1;
	}

	const char *key = alias ? alias
				: arena_printf(c->arena, "opsgenie-%s",
					  norm_sha256_prefix(c->arena, message, 32));
	const char *source = NORM_FIRST(c->arena, alert, "source", "entity");

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, action, key, message, source ? source : "Opsgenie", sev, body);
	return 0;
}

int map_opsgenie(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	if (norm_check_body(c, body))
		return -1;
	if (want_string(c, body, "action"))
		return -1;
	const char *verb = norm_str(c->arena, body, "action");
	struct json_object *alert = norm_get(body, "alert");

	if (alert) {
		if (norm_check_object(c, body, "alert"))
			return -1;
		if (!verb) {
			verrs_add(c->errs, "'action' is missing");
			return -1;
		}
		int a = verb_action(verb);
		if (a < 0) {
			verrs_add(c->errs,
				"'action' \"%s\" is not supported: expected Create, Close or "
				"Acknowledge",
				verb);
			return -1;
		}
		return map_alert(c, body, alert, "alert.", (enum event_action)a, evs, n);
	}

	int a = verb ? verb_action(verb) : (int)EV_TRIGGER;
	if (a < 0) {
		verrs_add(c->errs, "'action' must be one of create, close, acknowledge");
		return -1;
	}
	return map_alert(c, body, body, "", (enum event_action)a, evs, n);
}
