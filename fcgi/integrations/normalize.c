/* normalize.c: lookups, keyword normalisation and event finishing shared by the mappers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "normalize.h"
#include "vendor.h"
#include "arena.h"
#include "crypto.h"

#define DEDUP_KEEP 222 /* + "_" + 32 hex = 255 */

struct json_object *norm_get(struct json_object *obj, const char *path)
{
	char seg[128];

	while (obj && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(seg))
			return NULL;
		memcpy(seg, path, n);
		seg[n] = '\0';
		path += n + (path[n] == '.');
		if (json_object_is_type(obj, json_type_object)) {
			if (!json_object_object_get_ex(obj, seg, &obj))
				return NULL;
		} else if (json_object_is_type(obj, json_type_array) && isdigit((unsigned char)*seg)) {
			obj = json_object_array_get_idx(obj, (size_t)strtoul(seg, NULL, 10));
		} else {
			return NULL;
		}
	}
	return obj;
}

const char *norm_str(struct arena *a, struct json_object *obj, const char *path)
{
	struct json_object *v = norm_get(obj, path);
	const char *s;

	if (!v)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
	case json_type_int:
	case json_type_double:
	case json_type_boolean:
		s = json_object_get_string(v);
		break;
	default:
		return NULL;
	}
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return n ? arena_strndup(a, s, n) : NULL;
}

const char *norm_first(struct arena *a, struct json_object *obj, const char *const *paths)
{
	for (; *paths; paths++) {
		const char *s = norm_str(a, obj, *paths);
		if (s)
			return s;
	}
	return NULL;
}

static int is_sep(int c)
{
	return isspace(c) || strchr("_-.:,;/|", c) != NULL;
}

/* 1 when key equals one of the tokens of the lower-cased value. */
static int has_token(const char *v, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = v; *p;) {
		while (*p && is_sep((unsigned char)*p))
			p++;
		size_t n = 0;
		while (p[n] && !is_sep((unsigned char)p[n]))
			n++;
		if (n == k && !strncmp(p, key, k))
			return 1;
		p += n;
	}
	return 0;
}

int norm_match(const char *value, const char *const *keys)
{
	char buf[512];
	size_t n = 0;

	if (!value)
		return 0;
	while (isspace((unsigned char)*value))
		value++;
	for (; value[n] && n < sizeof(buf) - 1; n++)
		buf[n] = (char)tolower((unsigned char)value[n]);
	while (n && isspace((unsigned char)buf[n - 1]))
		n--;
	buf[n] = '\0';
	for (; *keys; keys++) {
		if (strlen(*keys) <= 3 ? (!strcmp(buf, *keys) || has_token(buf, *keys))
				       : strstr(buf, *keys) != NULL)
			return 1;
	}
	return 0;
}

enum event_severity norm_severity(const char *value, enum event_severity fallback)
{
	static const char *const critical[] = { "critical", "crit", "p1", "sev0", "sev1", "high",
		"fatal", "down", NULL };
	static const char *const error[] = { "error", "err", "p2", "sev2", NULL };
	static const char *const warning[] = { "warning", "warn", "p3", "sev3", "degraded",
		"medium", NULL };
	static const char *const info[] = { "info", "informational", "p4", "p5", "low", "ok",
		"normal", NULL };

	if (norm_match(value, critical))
		return SEV_CRITICAL;
	if (norm_match(value, error))
		return SEV_ERROR;
	if (norm_match(value, warning))
		return SEV_WARNING;
	if (norm_match(value, info))
		return SEV_INFO;
	return fallback;
}

enum event_action norm_action(const char *value, enum event_action fallback)
{
	static const char *const ack[] = { "ack", "acknowledge", "acknowledged", NULL };
	static const char *const resolve[] = { "resolve", "resolved", "close", "closed", "recover",
		"recovered", "ok", "up", NULL };

	if (norm_match(value, ack))
		return EV_ACKNOWLEDGE;
	if (norm_match(value, resolve))
		return EV_RESOLVE;
	return fallback;
}

char *norm_slug(struct arena *a, const char *s)
{
	s = s ? s : "";
	char *out = arena_alloc(a, strlen(s) + 1);
	size_t j = 0, cp = 0;

	/* at most 100 characters (code points, never a split UTF-8 sequence) */
	for (const char *p = s; *p;) {
		int lead = ((unsigned char)*p & 0xC0) != 0x80;
		if (lead && cp == 100)
			break;
		cp += lead;
		if (isspace((unsigned char)*p)) {
			out[j++] = '-';
			while (isspace((unsigned char)*p))
				p++;
			continue;
		}
		out[j++] = (char)tolower((unsigned char)*p++);
	}
	out[j] = '\0';
	return out;
}

char *norm_lower(struct arena *a, const char *s)
{
	char *out = arena_strdup(a, s ? s : "");
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

int norm_contains(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = haystack ? haystack : ""; *p; p++)
		if (!strncasecmp(p, needle, n))
			return 1;
	return n == 0;
}

char *norm_sha256_prefix(struct arena *a, const char *s, size_t n)
{
	unsigned char md[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];

	crypto_sha256(s, strlen(s), md);
	crypto_hex(md, sizeof(md), hex);
	return arena_strndup(a, hex, n > 64 ? 64 : n);
}

int norm_check_body(const struct vendor_ctx *c, struct json_object *body)
{
	if (json_object_is_type(body, json_type_object))
		return 0;
	verrs_add(c->errs, "body must be a JSON object");
	return 1;
}

int norm_check_object(const struct vendor_ctx *c, struct json_object *obj, const char *path)
{
	struct json_object *v = norm_get(obj, path);

	if (!v || json_object_is_type(v, json_type_object))
		return 0;
	verrs_add(c->errs, "'%s' must be an object", path);
	return 1;
}

/* The text check; booleans pass only when allow_bool. */
static int check_text(
	const struct vendor_ctx *c, struct json_object *obj, const char *path, int allow_bool)
{
	struct json_object *v = norm_get(obj, path);

	if (!v || json_object_is_type(v, json_type_string) ||
		json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double) ||
		(allow_bool && json_object_is_type(v, json_type_boolean)))
		return 0;
	verrs_add(c->errs, "'%s' must be a string or a number", path);
	return 1;
}

int norm_check_text(const struct vendor_ctx *c, struct json_object *obj, const char *path)
{
	return check_text(c, obj, path, 0);
}

int norm_check_scalar(const struct vendor_ctx *c, struct json_object *obj, const char *path)
{
	return check_text(c, obj, path, 1);
}

int norm_check_all(norm_check_fn *check, const struct vendor_ctx *c, struct json_object *obj,
	const char *const *paths)
{
	int bad = 0;

	for (; *paths; paths++)
		bad |= check(c, obj, *paths);
	return bad;
}

int norm_check_alerts(const struct vendor_ctx *c, struct json_object *alerts)
{
	size_t len = json_object_array_length(alerts);
	int bad = 0;

	for (size_t i = 0; i < len; i++) {
		struct json_object *a = json_object_array_get_idx(alerts, i);
		if (!json_object_is_type(a, json_type_object)) {
			verrs_add(c->errs, "'alerts.%zu' must be an object", i);
			bad = 1;
		} else if (!json_object_is_type(norm_get(a, "labels"), json_type_object)) {
			verrs_add(c->errs, "'alerts.%zu.labels' must be an object", i);
			bad = 1;
		}
	}
	return bad;
}

/* Cleaned copy capped at max code points (on a character boundary). */
static const char *capped(struct arena *a, const char *s, size_t max)
{
	if (!s)
		return NULL;
	char *t = event_clean_text(a, s, strlen(s));
	size_t cp = 0, i = 0;
	for (; t[i]; i++) {
		if (((unsigned char)t[i] & 0xC0) != 0x80 && cp++ == max)
			break;
	}
	t[i] = '\0';
	return t;
}

void norm_event(const struct vendor_ctx *c, struct event *ev, enum event_action action,
	const char *dedup_key, const char *summary, const char *source,
	enum event_severity severity, struct json_object *item)
{
	const char *key = event_clean_text(c->arena, dedup_key, strlen(dedup_key));

	if (event_utf8_len(key, strlen(key)) > EVENT_DEDUP_MAX) {
		char *h = norm_sha256_prefix(c->arena, key, 32);
		char *cut = (char *)capped(c->arena, key, DEDUP_KEEP);
		key = arena_printf(c->arena, "%s_%s", cut, h);
	}
	memset(ev, 0, sizeof(*ev));
	ev->action = action;
	ev->dedup_key = key;
	ev->source = capped(c->arena, source, EVENT_SOURCE_MAX);
	ev->summary = capped(c->arena, summary, EVENT_SUMMARY_MAX);
	if (!ev->summary || !*ev->summary)
		ev->summary = arena_printf(c->arena, "Alert from %s",
			ev->source && *ev->source ? ev->source : "unknown source");
	ev->severity = severity;
	ev->custom_details = item;
	ev->payload = item;
}

struct event *norm_events(const struct vendor_ctx *c, size_t n)
{
	return arena_calloc(c->arena, (n ? n : 1) * sizeof(struct event));
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int norm_time(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, n = 0, off = 0;

	if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
		!n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == '+' || *s == '-') {
		int oh, om, k = 0;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &k) != 2 &&
			sscanf(s + 1, "%2d%2d%n", &oh, &om, &k) != 2)
			return -1;
		off = (oh * 60 + om) * 60 * (*s == '-' ? -1 : 1);
		s += 1 + k;
	} else if (*s == 'Z' || *s == 'z') {
		s++;
	}
	if (*s)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

static int same(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

int norm_alert_resolved(const struct vendor_ctx *c, struct json_object *group,
	struct json_object *alert)
{
	const char *status = norm_str(c->arena, alert, "status");
	const char *ends = norm_str(c->arena, alert, "endsAt");
	int64_t t;

	if (same(norm_str(c->arena, group, "status"), "resolved") || same(status, "resolved"))
		return 1;
	return ends && strcmp(ends, "0001-01-01T00:00:00Z") && !same(status, "firing") &&
		norm_time(ends, &t) == 0 && t <= c->now;
}
