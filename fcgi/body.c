/* body.c: checking REST request bodies, headers and list parameters; rendering answers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "intake.h"
#include "event.h"
#include "crypto.h"
#include "rest.h"
#include "json.h"
#include "wrapper.h"

#define IDEM_MAX 255

/* How a refusal of the store is answered (one table for every resource). */
static const struct {
	const char *code;
	int status;
} refusals[] = {
	{"not_found", 404},
	{"incident_forbidden", 403},
	{"service_forbidden", 403},
	{"forbidden", 403},
	{"invalid_field", 422},
	{"missing_field", 422},
	{"invalid_parameter", 400},
	{"version_mismatch", 412},
	{"invalid_transition", 409},
	{"dedup_conflict", 409},
	{"conflict", 409},
	{"in_use", 409},
	{"idempotency_key_reused", 422},
	{"invalid_api_key", 401},
};

static void put_json(void *o)
{
	json_object_put(o);
}

struct json_object *body_object(struct req *rq)
{
	struct json_object *o = json_object_new_object();
	arena_on_reset(&rq->arena, put_json, o);
	return o;
}

/* Copies s without control characters (keeping \n and \t when multiline) into the arena. */
static const char *clean(struct arena *a, const char *s, int multiline)
{
	size_t n = strlen(s), j = 0;
	char *out = arena_alloc(a, n + 1);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) || c == 0x7f)
			continue;
		out[j++] = (char)c;
	}
	out[j] = '\0';
	return out;
}

/* Number of characters (UTF-8 code points) of s. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* 1 when s has n digits at p. */
static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The two-digit number at s. */
static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* 1 when year-month-day is a day of the calendar. */
static int is_date(int y, int m, int d)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] && (m != 2 || d <= 28 + leap);
}

/* 1 for YYYY-MM-DDTHH:MM[:SS[.fff]] followed by Z or ±HH[:]MM, a real day and time. */
static int is_iso_time(const char *s)
{
	if (strlen(s) < 17 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
		!digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
		!digits(s + 11, 2) || s[13] != ':' || !digits(s + 14, 2))
		return 0;
	if (!is_date(atoi(s), num2(s + 5), num2(s + 8)) || num2(s + 11) > 23 || num2(s + 14) > 59)
		return 0;
	s += 16;
	if (*s == ':' && digits(s + 1, 2)) {
		if (num2(s + 1) > 59)
			return 0;
		s += 3;
		if (*s == '.' && isdigit((unsigned char)s[1]))
			for (s++; isdigit((unsigned char)*s); s++)
				;
	}
	if ((*s == 'Z' || *s == 'z') && !s[1])
		return 1;
	if ((*s == '+' || *s == '-') && digits(s + 1, 2)) {
		s += 3;
		if (*s == ':')
			s++;
		return digits(s, 2) && !s[2];
	}
	return 0;
}

static int is_url(const char *s)
{
	const char *host = !strncmp(s, "https://", 8) ? s + 8 : !strncmp(s, "http://", 7) ? s + 7 : NULL;
	if (!host || !*host || *host == '/')
		return 0;
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return 0;
	return 1;
}

static int is_email(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.')
		return 0;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || (unsigned char)*s < 0x20)
			return 0;
	return s[-1] != '.';
}

/* Checks one array field (F_UUID_ARRAY, F_ENUM_ARRAY) into a new array. */
static int check_array(const struct field *f, struct json_object *val, struct json_object **out,
	struct api_err *err)
{
	size_t n = json_object_is_type(val, json_type_array) ? json_object_array_length(val) : 0;
	const char *what = f->type == F_UUID_ARRAY ? "ids" : "values";

	if (!json_object_is_type(val, json_type_array) || n < (size_t)f->min ||
		(f->max && n > (size_t)f->max))
		return api_fail(err, 422, "invalid_field", "%s must be an array of %d to %d %s",
			f->name, f->min, f->max, what);
	*out = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(val, i);
		const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
									 : NULL;
		if (f->type == F_UUID_ARRAY ? !s || !crypto_is_uuid(s) : !s || !str_in_list(s, f->one_of))
			return api_fail(err, 422, "invalid_field", "%s[%zu] must be %s", f->name, i,
				f->type == F_UUID_ARRAY ? "a UUID" : "one of the documented values");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(json_object_get_string(json_object_array_get_idx(*out, j)), s))
				return api_fail(err, 422, "invalid_field", "%s[%zu] repeats %.64s",
					f->name, i, s);
		json_object_array_add(*out, json_object_new_string(s));
	}
	return 0;
}

/* Checks a string field; *out is the cleaned copy. */
static int check_string(struct req *rq, const struct field *f, struct json_object *val,
	const char **out, struct api_err *err)
{
	if (!json_object_is_type(val, json_type_string))
		return api_fail(err, 422, "invalid_field", "%s must be a string", f->name);
	const char *s = clean(&rq->arena, json_object_get_string(val), f->multiline);
	size_t len = utf8_len(s);
	*out = s;
	switch (f->type) {
	case F_UUID:
		if (!crypto_is_uuid(s))
			return api_fail(err, 422, "invalid_field", "%s must be a UUID", f->name);
		return 0;
	case F_TIME:
		if (!is_iso_time(s))
			return api_fail(err, 422, "invalid_field",
				"%s must be an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z",
				f->name);
		return 0;
	case F_URL:
		if (!is_url(s))
			return api_fail(err, 422, "invalid_field", "%s must be an http(s) URL", f->name);
		break;
	case F_EMAIL:
		if (!is_email(s))
			return api_fail(err, 422, "invalid_field", "%s must be an e-mail address",
				f->name);
		break;
	default:
		if (f->one_of && !str_in_list(s, f->one_of))
			return api_fail(err, 422, "invalid_field", "%s has an unknown value: %.64s",
				f->name, s);
	}
	if (f->min > 0 && len < (size_t)f->min)
		return api_fail(err, 422, "invalid_field", "%s must be at least %d characters",
			f->name, f->min);
	if (f->min > 0 && !s[strspn(s, " \t\n")])
		return api_fail(err, 422, "invalid_field", "%s must not be blank", f->name);
	if (f->max > 0 && len > (size_t)f->max)
		return api_fail(err, 422, "invalid_field", "%s must be at most %d characters",
			f->name, f->max);
	return 0;
}

/* Checks one present, non-null field and adds it to out. */
static int check_field(struct req *rq, const struct field *f, struct json_object *val,
	struct json_object *out, struct api_err *err)
{
	const char *key = f->column ? f->column : f->name;
	struct json_object *v = NULL;
	const char *s = NULL;

	switch (f->type) {
	case F_INT: {
		if (!json_object_is_type(val, json_type_int))
			return api_fail(err, 422, "invalid_field", "%s must be an integer", f->name);
		int64_t n = json_object_get_int64(val);
		if (n < f->min || n > f->max)
			return api_fail(err, 422, "invalid_field", "%s must be between %d and %d",
				f->name, f->min, f->max);
		v = json_object_new_int64(n);
		break;
	}
	case F_NUMBER: {
		if (!json_object_is_type(val, json_type_int) &&
			!json_object_is_type(val, json_type_double))
			return api_fail(err, 422, "invalid_field", "%s must be a number", f->name);
		double d = json_object_get_double(val);
		if (!(d >= f->min && d <= f->max))
			return api_fail(err, 422, "invalid_field", "%s must be between %d and %d",
				f->name, f->min, f->max);
		v = json_object_new_double(d);
		break;
	}
	case F_BOOL:
		if (!json_object_is_type(val, json_type_boolean))
			return api_fail(err, 422, "invalid_field", "%s must be true or false", f->name);
		v = json_object_new_boolean(json_object_get_boolean(val));
		break;
	case F_OBJECT:
		if (!json_object_is_type(val, json_type_object))
			return api_fail(err, 422, "invalid_field", "%s must be an object", f->name);
		v = json_object_get(val);
		break;
	case F_UUID_ARRAY:
	case F_ENUM_ARRAY:
		if (check_array(f, val, &v, err) < 0) {
			json_object_put(v);
			return -1;
		}
		break;
	default:
		if (check_string(rq, f, val, &s, err) < 0)
			return -1;
		v = json_object_new_string(s);
	}
	json_object_object_add(out, key, v);
	return 0;
}

int body_check(struct req *rq, struct json_object *body, const struct field *fields,
	size_t nfields, int check_required, struct json_object *out, struct api_err *err)
{
	if (!json_object_is_type(body, json_type_object))
		return api_fail(err, 422, "invalid_body", "request body must be a JSON object");
	json_object_object_foreach(body, key, val)
	{
		const struct field *f = NULL;
		for (size_t i = 0; i < nfields; i++)
			if (!strcmp(fields[i].name, key))
				f = &fields[i];
		if (!f)
			return api_fail(err, 422, "unknown_field", "unknown field: %.64s", key);
		if (json_object_is_type(val, json_type_null)) {
			if (!f->nullable)
				return api_fail(err, 422, "invalid_field", "%s must not be null", key);
			json_object_object_add(out, f->column ? f->column : key, NULL);
		} else if (check_field(rq, f, val, out, err) < 0) {
			return -1;
		}
	}
	for (size_t i = 0; check_required && i < nfields; i++)
		if (fields[i].required && !json_object_object_get_ex(body, fields[i].name, NULL))
			return api_fail(err, 422, "missing_field", "%s is required", fields[i].name);
	return 0;
}

int body_read(struct req *rq, int empty_ok, struct json_object **out, struct api_err *err)
{
	size_t i = 0;

	while (i < rq->body_len && strchr(" \t\r\n", rq->body[i]))
		i++;
	if (empty_ok && i == rq->body_len) {
		*out = body_object(rq);
		return 0;
	}
	struct verrs *v = arena_calloc(&rq->arena, sizeof(*v));
	return intake_body(rq, 0, out, v, err);
}

int body_idem_key(struct req *rq, const char **out, struct api_err *err)
{
	const char *k = req_header(rq, "Idempotency-Key");

	*out = NULL;
	if (!k)
		return 0;
	size_t n = strlen(k);
	if (n == 0 || n > IDEM_MAX)
		return api_fail(err, 400, "invalid_idempotency_key",
			"Idempotency-Key must be 1 to 255 characters");
	*out = arena_strdup(&rq->arena, k);
	return 0;
}

const char *body_if_match(struct req *rq)
{
	const char *h = req_header(rq, "If-Match");

	if (!h || !strcmp(h, "*"))
		return NULL;
	if (!strncmp(h, "W/", 2))
		h += 2;
	size_t n = strlen(h);
	if (n >= 2 && h[0] == '"' && h[n - 1] == '"')
		return arena_strndup(&rq->arena, h + 1, n - 2);
	return h;
}

int body_query_limit(struct req *rq, int *limit, struct api_err *err)
{
	const char *l = req_query(rq, "limit");
	char *end;

	*limit = BODY_LIST_DEFAULT;
	if (!l)
		return 0;
	long n = strtol(l, &end, 10);
	if (end == l || *end || n < 1)
		return api_fail(err, 400, "invalid_parameter", "limit must be a positive integer");
	*limit = n > BODY_LIST_MAX ? BODY_LIST_MAX : (int)n; /* clamped, not refused */
	return 0;
}

int body_query_list(struct req *rq, const char *name, const char *const *allowed,
	struct json_object *f, struct api_err *err)
{
	const char *q = req_query(rq, name);
	if (!q)
		return 0;
	struct json_object *arr = json_object_new_array();
	json_object_object_add(f, name, arr);
	char *s = arena_strdup(&rq->arena, q), *save = NULL;
	for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!str_in_list(t, allowed))
			return api_fail(err, 400, "invalid_parameter",
				"%s has an unknown value: %.64s", name, t);
		json_object_array_add(arr, json_object_new_string(t));
	}
	return 0;
}

int body_query_uuid(struct req *rq, const char *name, struct json_object *f, struct api_err *err)
{
	const char *q = req_query(rq, name);
	if (!q)
		return 0;
	if (!crypto_is_uuid(q))
		return api_fail(err, 400, "invalid_parameter", "%s must be a UUID", name);
	json_object_object_add(f, name, json_object_new_string(q));
	return 0;
}

void body_query_copy(struct req *rq, const char *name, struct json_object *f)
{
	const char *q = req_query(rq, name);
	if (q && *q)
		json_object_object_add(f, name, json_object_new_string(q));
}

int body_refuse(struct req *rq, const struct rest_result *r, struct api_err *err)
{
	if (!strcmp(r->error, "version_mismatch")) {
		if (r->version > 0)
			resp_header(rq, "ETag", "\"%d\"", r->version);
		else if (json_get_str(r->root, "etag", NULL))
			resp_header(rq, "ETag", "\"%s\"", json_get_str(r->root, "etag", NULL));
	}
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
		if (!strcmp(refusals[i].code, r->error))
			return api_fail(err, refusals[i].status, refusals[i].code, "%s",
				r->message ? r->message : r->error);
	api_fail(err, 500, "internal", "internal error");
	snprintf(err->detail, sizeof(err->detail), "unknown refusal %.200s", r->error);
	return -1;
}

void body_render(struct req *rq, const struct rest_result *r, const char *const *extra,
	const char *etag, const char *location)
{
	int status = r->http ? r->http : 200;

	if (status == 204) {
		resp_json(rq, 204, "", 0);
		return;
	}
	struct json_object *out = json_object_new_object();
	json_object_object_add(out, "data", json_object_get(json_get(r->root, "data")));
	for (; extra && *extra; extra++)
		if (json_object_object_get_ex(r->root, *extra, NULL))
			json_object_object_add(
				out, *extra, json_object_get(json_get(r->root, *extra)));
	resp_json_obj(rq, status, out);
	json_object_put(out);
	if (etag)
		resp_header(rq, "ETag", "\"%s\"", etag);
	if (status == 201 && location)
		resp_header(rq, "Location", "%s", location);
}
