/* event.c: validation of Events API v2 bodies into the normalised event, and its JSON form. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>

#include "event.h"
#include "arena.h"
#include "sbuf.h"
#include "crypto.h"

static const char *const action_names[] = {
	[EV_TRIGGER] = "trigger",
	[EV_ACKNOWLEDGE] = "acknowledge",
	[EV_RESOLVE] = "resolve",
};

static const char *const severity_names[] = {
	[SEV_NONE] = NULL,
	[SEV_CRITICAL] = "critical",
	[SEV_ERROR] = "error",
	[SEV_WARNING] = "warning",
	[SEV_INFO] = "info",
};

void verrs_add(struct verrs *v, const char *fmt, ...)
{
	va_list ap;

	if (v->n >= EVENT_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(v->msg[v->n++], sizeof(v->msg[0]), fmt, ap);
	va_end(ap);
}

const char *event_action_name(enum event_action a)
{
	return action_names[a];
}

const char *event_severity_name(enum event_severity s)
{
	return severity_names[s];
}

int event_severity_parse(const char *s, enum event_severity *out)
{
	for (size_t i = SEV_CRITICAL; i <= SEV_INFO; i++) {
		if (!strcmp(s, severity_names[i])) {
			*out = (enum event_severity)i;
			return 0;
		}
	}
	return -1;
}

static int action_parse(const char *s, enum event_action *out)
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++) {
		if (!strcmp(s, action_names[i])) {
			*out = (enum event_action)i;
			return 0;
		}
	}
	return -1;
}

size_t event_utf8_len(const char *s, size_t n)
{
	size_t cp = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			cp++;
	return cp;
}

char *event_clean_text(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			continue;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return out;
}

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int event_timestamp_valid(const char *s)
{
	/* YYYY-MM-DD[T ]hh:mm[:ss[.f+]][Z|±hh[:]mm] */
	if (strlen(s) < 16 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
		!digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2))
		return 0;
	int mon = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
	int hour = (s[11] - '0') * 10 + (s[12] - '0'), min = (s[14] - '0') * 10 + (s[15] - '0');
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59)
		return 0;
	const char *p = s + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2) || (p[1] - '0') * 10 + (p[2] - '0') > 60)
			return 0;
		p += 3;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return 0;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == 'Z' || *p == 'z')
		return p[1] == '\0';
	if (*p == '+' || *p == '-') {
		p++;
		if (!digits(p, 2))
			return 0;
		p += 2;
		if (*p == ':')
			p++;
		return digits(p, 2) && p[2] == '\0';
	}
	return *p == '\0';
}

/*
 * Reads an optional string field. Returns 0 when absent or null (*out NULL), 1 when present
 * and valid (cleaned copy in *out), -1 after recording a violation.
 */
static int opt_text(struct json_object *obj, const char *key, const char *label, size_t max,
	int required, struct arena *a, const char **out, struct verrs *errs)
{
	struct json_object *v = NULL;

	*out = NULL;
	if (obj)
		json_object_object_get_ex(obj, key, &v);
	if (!v || json_object_is_type(v, json_type_null)) {
		if (required) {
			verrs_add(errs, "'%s' is missing or blank", label);
			return -1;
		}
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		verrs_add(errs, "'%s' must be a string", label);
		return -1;
	}
	size_t n = (size_t)json_object_get_string_len(v);
	char *s = event_clean_text(a, json_object_get_string(v), n);
	size_t len = strlen(s);
	/* blank = only white space after cleaning */
	size_t b = 0, e = len;
	while (b < e && isspace((unsigned char)s[b]))
		b++;
	while (e > b && isspace((unsigned char)s[e - 1]))
		e--;
	if (b == e) {
		if (required) {
			verrs_add(errs, "'%s' is missing or blank", label);
			return -1;
		}
		return 0;
	}
	if (event_utf8_len(s, len) > max) {
		verrs_add(errs, "'%s' is too long (maximum is %zu characters)", label, max);
		return -1;
	}
	*out = s;
	return 1;
}

static void opt_array(struct json_object *body, const char *key, struct verrs *errs)
{
	struct json_object *v = NULL;

	if (json_object_object_get_ex(body, key, &v) && v && !json_object_is_type(v, json_type_array))
		verrs_add(errs, "'%s' must be an array", key);
}

static struct json_object *opt_object(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

static void timestamp_field(struct json_object *payload, struct arena *a, const char **out,
	struct verrs *errs)
{
	if (opt_text(payload, "timestamp", "payload.timestamp", 64, 0, a, out, errs) == 1 &&
		!event_timestamp_valid(*out)) {
		verrs_add(errs, "'payload.timestamp' is not a valid ISO 8601 timestamp");
		*out = NULL;
	}
}

static struct json_object *payload_object(struct json_object *body, int required,
	struct verrs *errs)
{
	struct json_object *p = opt_object(body, "payload");

	if (p && !json_object_is_type(p, json_type_object)) {
		verrs_add(errs, "'payload' is missing or not an object");
		return NULL;
	}
	if (!p && required)
		verrs_add(errs, "'payload' is missing or not an object");
	return p;
}

int event_parse(struct json_object *body, struct arena *a, struct event *ev, struct verrs *errs)
{
	const char *s;
	int before = errs->n;

	memset(ev, 0, sizeof(*ev));
	if (!body || !json_object_is_type(body, json_type_object)) {
		verrs_add(errs, "Event must be a JSON object");
		return -1;
	}
	ev->payload = body;

	int have_action = opt_text(body, "event_action", "event_action", 32, 1, a, &s, errs) == 1;
	if (have_action && action_parse(s, &ev->action) < 0) {
		verrs_add(errs, "'event_action' must be one of trigger, acknowledge, resolve");
		have_action = 0;
	}
	int need_key = have_action && ev->action != EV_TRIGGER;
	if (opt_text(body, "dedup_key", "dedup_key", EVENT_DEDUP_MAX, need_key, a, &ev->dedup_key,
		    errs) == 0 &&
		!need_key) {
		char *uuid = arena_alloc(a, 37);
		crypto_uuid(uuid);
		ev->dedup_key = uuid;
		ev->dedup_generated = 1;
	}

	int trigger = have_action && ev->action == EV_TRIGGER;
	struct json_object *p = payload_object(body, trigger, errs);
	if (trigger || p) {
		const char *sev = NULL;
		opt_text(p, "summary", "payload.summary", EVENT_SUMMARY_MAX, trigger, a, &ev->summary,
			errs);
		opt_text(p, "source", "payload.source", EVENT_SOURCE_MAX, trigger, a, &ev->source, errs);
		if (opt_text(p, "severity", "payload.severity", 16, trigger, a, &sev, errs) == 1 &&
			event_severity_parse(sev, &ev->severity) < 0)
			verrs_add(errs,
				"'payload.severity' must be one of critical, error, warning, info");
		timestamp_field(p, a, &ev->occurred_at, errs);
		for (const char *const *f = (const char *const[]){"component", "group", "class", NULL};
			*f; f++) {
			char label[32];
			snprintf(label, sizeof(label), "payload.%s", *f);
			opt_text(p, *f, label, EVENT_FIELD_MAX, 0, a, &s, errs);
		}
		ev->custom_details = opt_object(p, "custom_details");
	}
	opt_text(body, "client", "client", EVENT_FIELD_MAX, 0, a, &s, errs);
	opt_text(body, "client_url", "client_url", EVENT_FIELD_MAX, 0, a, &s, errs);
	opt_array(body, "links", errs);
	opt_array(body, "images", errs);
	return errs->n > before ? -1 : 0;
}

int event_parse_change(struct json_object *body, struct arena *a, struct change_event *ce,
	struct verrs *errs)
{
	int before = errs->n;

	memset(ce, 0, sizeof(*ce));
	if (!body || !json_object_is_type(body, json_type_object)) {
		verrs_add(errs, "Event must be a JSON object");
		return -1;
	}
	ce->payload = body;
	struct json_object *p = payload_object(body, 1, errs);
	if (p) {
		opt_text(p, "summary", "payload.summary", EVENT_SUMMARY_MAX, 1, a, &ce->summary, errs);
		opt_text(p, "source", "payload.source", EVENT_SOURCE_MAX, 0, a, &ce->source, errs);
		timestamp_field(p, a, &ce->occurred_at, errs);
		ce->custom_details = opt_object(p, "custom_details");
	}
	opt_array(body, "links", errs);
	opt_array(body, "images", errs);
	return errs->n > before ? -1 : 0;
}

/* One member of the JSON objects handed to SQL: a string (NULL = null) or a json value. */
struct field {
	const char *key;
	const char *str;
	struct json_object *json;
	int is_json;
};

static void add_object(struct sbuf *out, const struct field *f, size_t n)
{
	sbuf_addch(out, '{');
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(out, "%s\"%s\":", i ? "," : "", f[i].key);
		if (f[i].is_json && f[i].json)
			sbuf_addstr(out,
				json_object_to_json_string_ext(f[i].json, JSON_C_TO_STRING_PLAIN));
		else if (!f[i].is_json && f[i].str)
			sbuf_add_json_str(out, f[i].str, strlen(f[i].str));
		else
			sbuf_addstr(out, "null");
	}
	sbuf_addch(out, '}');
}

void event_to_json(const struct event *ev, struct sbuf *out)
{
	const struct field f[] = {
		{ "action", event_action_name(ev->action), NULL, 0 },
		{ "dedup_key", ev->dedup_key, NULL, 0 },
		{ "summary", ev->summary, NULL, 0 },
		{ "source", ev->source, NULL, 0 },
		{ "severity", event_severity_name(ev->severity), NULL, 0 },
		{ "occurred_at", ev->occurred_at, NULL, 0 },
		{ "custom_details", NULL, ev->custom_details, 1 },
		{ "payload", NULL, ev->payload, 1 },
	};
	add_object(out, f, sizeof(f) / sizeof(f[0]));
}

void event_change_to_json(const struct change_event *ce, struct sbuf *out)
{
	const struct field f[] = {
		{ "summary", ce->summary, NULL, 0 },
		{ "source", ce->source, NULL, 0 },
		{ "occurred_at", ce->occurred_at, NULL, 0 },
		{ "custom_details", NULL, ce->custom_details, 1 },
		{ "payload", NULL, ce->payload, 1 },
	};
	add_object(out, f, sizeof(f) / sizeof(f[0]));
}
