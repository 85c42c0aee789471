/* incidents.c: the incidents REST API of ops dashboards: list, get, create, patch, notes,
 * snooze, acknowledge, resolve and their bulk forms (spec §4, §10; issue 5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "event.h"
#include "incidents.h"
#include "intake.h"
#include "json.h"
#include "wrapper.h"

#define LIST_DEFAULT 50
#define LIST_MAX 200
#define BULK_MAX 100
#define TITLE_MAX 500
#define TEXT_MAX 10000
#define NOTE_MAX 10000
#define RESOLVE_NOTE_MIN 10
#define RESOLVE_NOTE_MAX 1000
#define REASON_MAX 500
#define DEDUP_MAX 255
#define SNOOZE_MAX_MINUTES (30 * 24 * 60)
#define IDEM_MAX 255

static const char *const statuses[] = {
	"OPEN", "ACKNOWLEDGED", "RESOLVED", "SNOOZED", "SUPPRESSED", NULL};
static const char *const urgencies[] = {"LOW", "MEDIUM", "HIGH", NULL};
static const char *const priorities[] = {"P1", "P2", "P3", "P4", "P5", NULL};

/* How a refusal of the SQL functions is answered. */
static const struct {
	const char *code;
	int status;
} refusals[] = {
	{"not_found", 404},
	{"incident_forbidden", 403},
	{"service_forbidden", 403},
	{"invalid_field", 422},
	{"invalid_parameter", 400},
	{"version_mismatch", 412},
	{"invalid_transition", 409},
	{"dedup_conflict", 409},
	{"idempotency_key_reused", 422},
	{"invalid_api_key", 401},
};

static void put_json(void *o)
{
	json_object_put(o);
}

static int refuse(const struct incidents_result *r, struct api_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
		if (!strcmp(refusals[i].code, r->error))
			return api_fail(err, refusals[i].status, refusals[i].code, "%s",
				r->message ? r->message : r->error);
	api_fail(err, 500, "internal", "internal error");
	snprintf(err->detail, sizeof(err->detail), "unknown refusal %.200s", r->error);
	return -1;
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

/* The body's fields as the spec of one endpoint describes them. */
enum ftype { F_STRING, F_INT, F_UUID_ARRAY };
struct field {
	const char *name;
	enum ftype type;
	int nullable;		   /* JSON null is accepted (clears the value) */
	const char *const *one_of; /* allowed string values, or NULL */
	int min, max;		   /* characters of a string, or bounds of an integer; 0 = none */
	int multiline;
	int required;
};

/*
 * Validates body (an object) against fields: unknown fields are refused (422 unknown_field),
 * and so is a wrong type or value (422 invalid_field naming the field). Copies each present
 * field into out (cleaned strings, integers, arrays) as the JSON the SQL function takes.
 */
static int check_body(struct req *rq, struct json_object *body, const struct field *fields,
	size_t nfields, struct json_object *out, struct api_err *err)
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
				return api_fail(
					err, 422, "invalid_field", "%s must not be null", key);
			json_object_object_add(out, key, NULL);
			continue;
		}
		if (f->type == F_INT) {
			if (!json_object_is_type(val, json_type_int))
				return api_fail(
					err, 422, "invalid_field", "%s must be an integer", key);
			int64_t n = json_object_get_int64(val);
			if (n < f->min || n > f->max)
				return api_fail(err, 422, "invalid_field",
					"%s must be between %d and %d", key, f->min, f->max);
			json_object_object_add(out, key, json_object_new_int64(n));
		} else if (f->type == F_UUID_ARRAY) {
			size_t n = json_object_is_type(val, json_type_array)
					   ? json_object_array_length(val)
					   : 0;
			if (!json_object_is_type(val, json_type_array) || n < (size_t)f->min ||
				n > (size_t)f->max)
				return api_fail(err, 422, "invalid_field",
					"%s must be an array of %d to %d incident ids", key, f->min,
					f->max);
			struct json_object *arr = json_object_new_array();
			json_object_object_add(out, key, arr);
			for (size_t i = 0; i < n; i++) {
				struct json_object *e = json_object_array_get_idx(val, i);
				const char *s = json_object_is_type(e, json_type_string)
							? json_object_get_string(e)
							: NULL;
				if (!s || !crypto_is_uuid(s))
					return api_fail(err, 422, "invalid_field",
						"%s[%zu] must be a UUID", key, i);
				json_object_array_add(arr, json_object_new_string(s));
			}
		} else {
			if (!json_object_is_type(val, json_type_string))
				return api_fail(
					err, 422, "invalid_field", "%s must be a string", key);
			const char *s =
				clean(&rq->arena, json_object_get_string(val), f->multiline);
			size_t len = utf8_len(s);
			if (f->one_of && !str_in_list(s, f->one_of))
				return api_fail(err, 422, "invalid_field",
					"%s has an unknown value: %.64s", key, s);
			if (f->min < 0 && !crypto_is_uuid(s)) /* min -1: a UUID */
				return api_fail(
					err, 422, "invalid_field", "%s must be a UUID", key);
			if (f->min > 0 && len < (size_t)f->min)
				return api_fail(err, 422, "invalid_field",
					"%s must be at least %d characters", key, f->min);
			if (f->max > 0 && len > (size_t)f->max)
				return api_fail(err, 422, "invalid_field",
					"%s must be at most %d characters", key, f->max);
			json_object_object_add(out, key, json_object_new_string(s));
		}
	}
	for (size_t i = 0; i < nfields; i++)
		if (fields[i].required && !json_object_object_get_ex(out, fields[i].name, NULL))
			return api_fail(
				err, 422, "missing_field", "%s is required", fields[i].name);
	return 0;
}

/* The body as a JSON object: an empty body reads as {} when empty_ok. */
static int read_body(struct req *rq, int empty_ok, struct json_object **out, struct api_err *err)
{
	size_t i = 0;

	while (i < rq->body_len && strchr(" \t\r\n", rq->body[i]))
		i++;
	if (empty_ok && i == rq->body_len) {
		*out = json_object_new_object();
		arena_on_reset(&rq->arena, put_json, *out);
		return 0;
	}
	struct verrs *v = arena_calloc(&rq->arena, sizeof(*v));
	return intake_body(rq, 0, out, v, err);
}

/* The request's Idempotency-Key (≤ 255 visible characters), NULL when absent. */
static int idem_key(struct req *rq, const char **out, struct api_err *err)
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

/* If-Match "N" (or W/"N", or N) into args.if_version; "*" or absent: no condition. */
static int if_match(struct req *rq, struct json_object *args, struct api_err *err)
{
	const char *h = req_header(rq, "If-Match");
	char *end;

	if (!h || !strcmp(h, "*"))
		return 0;
	if (!strncmp(h, "W/", 2))
		h += 2;
	if (*h == '"')
		h++;
	long v = strtol(h, &end, 10);
	if (end == h || v < 1 || v > 2147483647 || (*end && strcmp(end, "\"")))
		return api_fail(err, 412, "version_mismatch",
			"If-Match must be an ETag of this incident, e.g. \"3\"");
	json_object_object_add(args, "if_version", json_object_new_int((int)v));
	return 0;
}

/* Renders {"data": root.data[, extra fields of root]} with status and ETag/Location. */
static void render(
	struct req *rq, const struct incidents_result *r, const char *const *extra, int etag)
{
	struct json_object *out = json_object_new_object();

	json_object_object_add(out, "data", json_object_get(json_get(r->root, "data")));
	for (; extra && *extra; extra++)
		if (json_object_object_get_ex(r->root, *extra, NULL))
			json_object_object_add(
				out, *extra, json_object_get(json_get(r->root, *extra)));
	resp_json_obj(rq, r->http ? r->http : 200, out);
	json_object_put(out);
	if (etag && r->version > 0)
		resp_header(rq, "ETag", "\"%d\"", r->version);
	if (r->http == 201 && r->location)
		resp_header(rq, "Location", "%s", r->location);
	resp_header(rq, "Cache-Control", "private, no-store");
}

/* Authorises, runs one write and renders it. */
static int write_op(struct req *rq, const struct principal *who, const char *op,
	struct json_object *args, const char *idem, int etag, struct api_err *err)
{
	static const char *const extra[] = {"result", "replayed", NULL};
	struct incidents_result r;
	struct db_error dberr = {0};

	if (incidents_write(rq->app->db, &rq->arena, who->key_id, idem, op,
		    json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN), &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error) {
		if (!strcmp(r.error, "version_mismatch") && r.version > 0)
			resp_header(rq, "ETag", "\"%d\"", r.version);
		return refuse(&r, err);
	}
	render(rq, &r, extra, etag);
	return 0;
}

/* Auth with scope, then the :id path parameter (not a UUID: 404 without asking). */
static int begin(
	struct req *rq, unsigned scope, struct principal *who, const char **id, struct api_err *err)
{
	if (auth_require(rq, scope, who, err) < 0)
		return -1;
	if (!id)
		return 0;
	*id = req_path_param(rq, "id");
	if (!*id || !crypto_is_uuid(*id))
		return api_fail(err, 404, "not_found", "incident not found");
	return 0;
}

/* What every write starts with: the principal, the path id (when with_id), the Idempotency-Key,
 * and the checked body fields in args (under args[nest] when nest is given: target). */
struct write {
	struct principal who;
	const char *id;
	const char *idem;
	struct json_object *args;
	struct json_object *target;
};

static int write_begin(struct req *rq, int with_id, const struct field *fields, size_t n,
	int empty_ok, const char *nest, struct write *w, struct api_err *err)
{
	struct json_object *body;

	memset(w, 0, sizeof(*w));
	if (begin(rq, APIKEY_INCIDENTS_WRITE, &w->who, with_id ? &w->id : NULL, err) < 0 ||
		idem_key(rq, &w->idem, err) < 0 || read_body(rq, empty_ok, &body, err) < 0)
		return -1;
	w->args = json_object_new_object();
	arena_on_reset(&rq->arena, put_json, w->args);
	w->target = w->args;
	if (nest) {
		w->target = json_object_new_object();
		json_object_object_add(w->args, nest, w->target);
	}
	return check_body(rq, body, fields, n, w->target, err);
}

/* A comma-separated query list checked against allowed, as a JSON array into f[name]. */
static int query_list(struct req *rq, const char *name, const char *const *allowed,
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

static int query_uuid(struct req *rq, const char *name, struct json_object *f, struct api_err *err)
{
	const char *q = req_query(rq, name);
	if (!q)
		return 0;
	if (!crypto_is_uuid(q))
		return api_fail(err, 400, "invalid_parameter", "%s must be a UUID", name);
	json_object_object_add(f, name, json_object_new_string(q));
	return 0;
}

static void query_copy(struct req *rq, const char *name, struct json_object *f)
{
	const char *q = req_query(rq, name);
	if (q && *q)
		json_object_object_add(f, name, json_object_new_string(q));
}

int incidents_list_get(struct req *rq, struct api_err *err)
{
	static const char *const extra[] = {"next_cursor", NULL};
	struct principal who;
	struct incidents_result r;
	struct db_error dberr = {0};
	long limit = LIST_DEFAULT;

	if (begin(rq, APIKEY_INCIDENTS_READ, &who, NULL, err) < 0)
		return -1;
	const char *l = req_query(rq, "limit");
	if (l) {
		char *end;
		limit = strtol(l, &end, 10);
		if (end == l || *end || limit < 1)
			return api_fail(
				err, 400, "invalid_parameter", "limit must be a positive integer");
		if (limit > LIST_MAX)
			limit = LIST_MAX; /* clamped, not refused */
	}
	struct json_object *f = json_object_new_object();
	arena_on_reset(&rq->arena, put_json, f);
	json_object_object_add(f, "limit", json_object_new_int((int)limit));
	if (query_list(rq, "status", statuses, f, err) < 0 ||
		query_list(rq, "urgency", urgencies, f, err) < 0 ||
		query_uuid(rq, "service_id", f, err) < 0 || query_uuid(rq, "team_id", f, err) < 0 ||
		query_uuid(rq, "assignee_id", f, err) < 0)
		return -1;
	query_copy(rq, "created_from", f);
	query_copy(rq, "created_to", f);
	query_copy(rq, "q", f);
	query_copy(rq, "cursor", f);

	if (incidents_list(rq->app->db, &rq->arena, who.key_id,
		    json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN), &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return refuse(&r, err);
	render(rq, &r, extra, 0);
	return 0;
}

int incidents_get_one(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct incidents_result r;
	struct db_error dberr = {0};
	const char *id;

	if (begin(rq, APIKEY_INCIDENTS_READ, &who, &id, err) < 0)
		return -1;
	if (incidents_get(rq->app->db, &rq->arena, who.key_id, id, &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return refuse(&r, err);
	render(rq, &r, NULL, 1);
	return 0;
}

int incidents_create(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{"title", F_STRING, 0, NULL, 1, TITLE_MAX, 0, 1},
		{"description", F_STRING, 1, NULL, 0, TEXT_MAX, 1, 0},
		{"service_id", F_STRING, 0, NULL, -1, 0, 0, 1},
		{"urgency", F_STRING, 0, urgencies, 0, 0, 0, 0},
		{"priority", F_STRING, 1, priorities, 0, 0, 0, 0},
		{"dedup_key", F_STRING, 1, NULL, 0, DEDUP_MAX, 0, 0},
		{"assignee_id", F_STRING, 1, NULL, -1, 0, 0, 0},
	};
	struct write w;

	if (write_begin(rq, 0, fields, ARRAY_SIZE(fields), 0, NULL, &w, err) < 0)
		return -1;
	struct json_object *args = w.args;
	const char *dk = json_get_str(args, "dedup_key", NULL);
	if (dk && !*dk)
		return api_fail(err, 422, "invalid_field", "dedup_key must not be empty");
	return write_op(rq, &w.who, "create", args, w.idem, 1, err);
}

/* The :id writes share this: auth, id, Idempotency-Key, body (checked), If-Match, call. */
static int id_write(struct req *rq, const char *op, const struct field *fields, size_t n,
	int empty_ok, struct json_object **argsp, struct api_err *err)
{
	struct write w;

	if (write_begin(rq, 1, fields, n, empty_ok, strcmp(op, "patch") ? NULL : "changes", &w,
		    err) < 0)
		return -1;
	struct json_object *args = w.args;
	if (argsp) {
		*argsp = args;
		if (!json_object_object_length(w.target))
			return api_fail(err, 422, "no_fields",
				"no field to update: status, urgency, priority, assignee_id or "
				"team_id");
	}
	json_object_object_add(args, "id", json_object_new_string(w.id));
	if (strcmp(op, "note") && if_match(rq, args, err) < 0)
		return -1;
	return write_op(rq, &w.who, op, args, w.idem, strcmp(op, "note") != 0, err);
}

int incidents_patch(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{"status", F_STRING, 0, statuses, 0, 0, 0, 0},
		{"urgency", F_STRING, 0, urgencies, 0, 0, 0, 0},
		{"priority", F_STRING, 1, priorities, 0, 0, 0, 0},
		{"assignee_id", F_STRING, 1, NULL, -1, 0, 0, 0},
		{"team_id", F_STRING, 1, NULL, -1, 0, 0, 0},
	};
	struct json_object *args;
	return id_write(rq, "patch", fields, ARRAY_SIZE(fields), 0, &args, err);
}

int incidents_note(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{"content", F_STRING, 0, NULL, 1, NOTE_MAX, 1, 1},
	};
	return id_write(rq, "note", fields, ARRAY_SIZE(fields), 0, NULL, err);
}

int incidents_snooze(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{"minutes", F_INT, 0, NULL, 1, SNOOZE_MAX_MINUTES, 0, 1},
		{"reason", F_STRING, 1, NULL, 0, REASON_MAX, 0, 0},
	};
	return id_write(rq, "snooze", fields, ARRAY_SIZE(fields), 1, NULL, err);
}

int incidents_acknowledge(struct req *rq, struct api_err *err)
{
	return id_write(rq, "acknowledge", NULL, 0, 1, NULL, err);
}

int incidents_resolve(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{"note", F_STRING, 1, NULL, RESOLVE_NOTE_MIN, RESOLVE_NOTE_MAX, 1, 0},
	};
	return id_write(rq, "resolve", fields, ARRAY_SIZE(fields), 1, NULL, err);
}

static int bulk(struct req *rq, const char *action, struct api_err *err)
{
	static const struct field fields[] = {
		{"ids", F_UUID_ARRAY, 0, NULL, 1, BULK_MAX, 0, 1},
	};
	struct write w;

	if (write_begin(rq, 0, fields, ARRAY_SIZE(fields), 0, NULL, &w, err) < 0)
		return -1;
	json_object_object_add(w.args, "action", json_object_new_string(action));
	return write_op(rq, &w.who, "bulk", w.args, w.idem, 0, err);
}

int incidents_bulk_acknowledge(struct req *rq, struct api_err *err)
{
	return bulk(rq, "acknowledge", err);
}

int incidents_bulk_resolve(struct req *rq, struct api_err *err)
{
	return bulk(rq, "resolve", err);
}
