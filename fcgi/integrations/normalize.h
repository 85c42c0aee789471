/* normalize.h: the helpers every vendor mapper shares (spec appendix §A): lookups by dotted
 * path, first non-blank string, keyword normalisation of severity and action, slugs, and the
 * one way to finish an event (caps, fallbacks, text cleaning). Pure. */
#ifndef OK_NORMALIZE_H
#define OK_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "event.h"

struct arena;
struct vendor_ctx;

/* obj at a dotted path ("incident.state", "alerts.0.labels"), or NULL. Borrowed. */
struct json_object *norm_get(struct json_object *obj, const char *path);
/* The value at path as trimmed text (strings as they are, numbers and booleans rendered),
 * or NULL when absent, null, an object/array, or blank. Arena copy. */
const char *norm_str(struct arena *a, struct json_object *obj, const char *path);
/* firstString: the first of paths (NULL-terminated) with a non-blank value, or NULL. */
const char *norm_first(struct arena *a, struct json_object *obj, const char *const *paths);
#define NORM_FIRST(a, obj, ...) norm_first((a), (obj), (const char *const[]){ __VA_ARGS__, NULL })

/* Keyword match of §A: lower-cased, tokens split on [\s_\-.:,;/|]+; keys of up to 3 characters
 * must equal a token (or the whole string), longer keys match as a substring. */
int norm_match(const char *value, const char *const *keys);
/* normalizeSeverity: critical {critical,crit,p1,sev0,sev1,high,fatal,down} → error
 * {error,err,p2,sev2} → warning {warning,warn,p3,sev3,degraded,medium} → info
 * {info,informational,p4,p5,low,ok,normal}; else fallback (also for NULL). */
enum event_severity norm_severity(const char *value, enum event_severity fallback);
/* normalizeEventAction: acknowledge {ack,acknowledge,acknowledged} first, then resolve
 * {resolve,resolved,close,closed,recover,recovered,ok,up}; else fallback (also for NULL). */
enum event_action norm_action(const char *value, enum event_action fallback);
/* slug: white-space runs → '-', lower-case, at most 100 characters (code points). Arena copy. */
char *norm_slug(struct arena *a, const char *s);
/* lower-case ASCII copy (arena). */
char *norm_lower(struct arena *a, const char *s);
/* Case-insensitive substring test. */
int norm_contains(const char *haystack, const char *needle);
/* hex SHA-256 of s, first n hex digits (n <= 64), arena copy. */
char *norm_sha256_prefix(struct arena *a, const char *s, size_t n);

/* Unix seconds of an RFC 3339 time ("2026-08-17T10:00:00.123+02:00"; no offset = UTC).
 * Returns 0, or -1 when s is not such a time. */
int norm_time(const char *s, int64_t *out);
/* Alertmanager's resolve rule (also Grafana unified alerting): the group or the alert says
 * "resolved", or the alert is not "firing" and has a real endsAt (not the zero time) at or
 * before c->now. */
int norm_alert_resolved(const struct vendor_ctx *c, struct json_object *group,
	struct json_object *alert);

/*
 * Shape checks of a mapper's body. Each records its one violation in c->errs and returns 1, else
 * returns 0; an absent or null path passes (the mapper names what is missing). Chain them with |
 * (or NORM_CHECK_ALL) so that every violation of a body is reported, not just the first.
 */
/* "body must be a JSON object" unless body is one. */
int norm_check_body(const struct vendor_ctx *c, struct json_object *body);
/* "'path' must be an object" when path holds anything but an object. */
int norm_check_object(const struct vendor_ctx *c, struct json_object *obj, const char *path);
/* "'path' must be a string or a number" when path holds an object, an array or a boolean. */
int norm_check_text(const struct vendor_ctx *c, struct json_object *obj, const char *path);
/* The same message when path holds an object or an array; a boolean passes (read as text,
 * "true"/"false", as form-encoded bodies would have it). */
int norm_check_scalar(const struct vendor_ctx *c, struct json_object *obj, const char *path);
typedef int norm_check_fn(const struct vendor_ctx *c, struct json_object *obj, const char *path);
/* check on each of paths (NULL-terminated), every violation recorded; 1 when any failed. */
int norm_check_all(norm_check_fn *check, const struct vendor_ctx *c, struct json_object *obj,
	const char *const *paths);
#define NORM_CHECK_ALL(check, c, obj, ...)                                                         \
	norm_check_all((check), (c), (obj), (const char *const[]){__VA_ARGS__, NULL})
/* Alertmanager's alerts[] (also Grafana unified alerting): "'alerts.N' must be an object" or
 * "'alerts.N.labels' must be an object" for each alert that is not an object with labels. */
int norm_check_alerts(const struct vendor_ctx *c, struct json_object *alerts);

/*
 * Fills ev as the one finishing step: cleans control characters, caps summary (1024) and source
 * (1024), turns a blank summary into "Alert from {source}", shortens a dedup key over 255
 * characters to its first 222 + "_" + 32 hex digits of its SHA-256, sets custom_details and
 * payload to item (the vendor body, or one alert of a batch). dedup_key must not be NULL.
 */
void norm_event(const struct vendor_ctx *c, struct event *ev, enum event_action action,
	const char *dedup_key, const char *summary, const char *source,
	enum event_severity severity, struct json_object *item);
/* An arena array of n zeroed events. */
struct event *norm_events(const struct vendor_ctx *c, size_t n);

#endif
