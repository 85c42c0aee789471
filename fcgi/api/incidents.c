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
#include "export.h"
#include "incidents.h"
#include "body.h"
#include "json.h"
#include "log.h"
#include "wrapper.h"

#define BULK_MAX 100
#define TITLE_MAX 500
#define TEXT_MAX 10000
#define NOTE_MAX 10000
#define RESOLVE_NOTE_MIN 10
#define RESOLVE_NOTE_MAX 1000
#define REASON_MAX 500
#define DEDUP_MAX 255
#define SNOOZE_MAX_MINUTES (30 * 24 * 60)

static const char *const statuses[] = {
	"OPEN", "ACKNOWLEDGED", "RESOLVED", "SNOOZED", "SUPPRESSED", NULL};
static const char *const urgencies[] = {"LOW", "MEDIUM", "HIGH", NULL};
static const char *const priorities[] = {"P1", "P2", "P3", "P4", "P5", NULL};

/* If-Match "N" (or W/"N", or N) into args.if_version; "*" or absent: no condition. */
static int if_match(struct req *rq, struct json_object *args, struct api_err *err)
{
	const char *h = body_if_match(rq);
	char *end;

	if (!h)
		return 0;
	long v = strtol(h, &end, 10);
	if (end == h || v < 1 || v > 2147483647 || *end)
		return api_fail(err, 412, "version_mismatch",
			"If-Match must be an ETag of this incident, e.g. \"3\"");
	json_object_object_add(args, "if_version", json_object_new_int((int)v));
	return 0;
}

/* Renders an answer: ETag (the version) when etag, Location on 201. */
static void render(struct req *rq, const struct rest_result *r, const char *const *extra, int etag)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", r->version);
	body_render(rq, r, extra, etag && r->version > 0 ? v : NULL, r->location);
}

/* Authorises, runs one write and renders it. */
static int write_op(struct req *rq, const struct principal *who, const char *op,
	struct json_object *args, const char *idem, int etag, struct api_err *err)
{
	static const char *const extra[] = {"result", "replayed", NULL};
	struct rest_result r;
	struct db_error dberr = {0};

	if (incidents_write(rq->app->db, &rq->arena, who->key_id, idem, op,
		    json_object_to_json_string_ext(args, JSON_C_TO_STRING_PLAIN), &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return body_refuse(rq, &r, err);
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
		body_idem_key(rq, &w->idem, err) < 0 || body_read(rq, empty_ok, &body, err) < 0)
		return -1;
	w->args = body_object(rq);
	w->target = w->args;
	if (nest) {
		w->target = json_object_new_object();
		json_object_object_add(w->args, nest, w->target);
	}
	return body_check(rq, body, fields, n, 1, w->target, err);
}

/* The filters the list and the export share, as a JSON object (arena) in *out. */
static int list_filters(struct req *rq, struct json_object **out, struct api_err *err)
{
	struct json_object *f = *out = body_object(rq);

	if (body_query_list(rq, "status", statuses, f, err) < 0 ||
		body_query_list(rq, "urgency", urgencies, f, err) < 0 ||
		body_query_uuid(rq, "service_id", f, err) < 0 ||
		body_query_uuid(rq, "team_id", f, err) < 0 ||
		body_query_uuid(rq, "assignee_id", f, err) < 0)
		return -1;
	body_query_copy(rq, "created_from", f);
	body_query_copy(rq, "created_to", f);
	body_query_copy(rq, "q", f);
	return 0;
}

int incidents_list_get(struct req *rq, struct api_err *err)
{
	static const char *const extra[] = {"next_cursor", NULL};
	struct principal who;
	struct rest_result r;
	struct db_error dberr = {0};
	int limit;

	if (begin(rq, APIKEY_INCIDENTS_READ, &who, NULL, err) < 0 ||
		body_query_limit(rq, &limit, err) < 0)
		return -1;
	struct json_object *f;
	if (list_filters(rq, &f, err) < 0)
		return -1;
	json_object_object_add(f, "limit", json_object_new_int(limit));
	body_query_copy(rq, "cursor", f);

	if (incidents_list(rq->app->db, &rq->arena, who.key_id,
		    json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN), &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return body_refuse(rq, &r, err);
	render(rq, &r, extra, 0);
	return 0;
}

/* export_incidents' writer: the streamed response, begun with the first piece. */
static int export_write(void *ctx, const void *data, size_t n)
{
	struct req *rq = ctx;

	if (!rq->streamed && resp_stream_begin(rq, 200) < 0)
		return -1;
	return resp_stream_write(rq, data, n);
}

int incidents_export(struct req *rq, struct api_err *err)
{
	static const struct {
		const char *name;
		enum export_format fmt;
		const char *type;
	} formats[] = {
		{"csv", EXPORT_CSV, "text/csv; charset=utf-8"},
		{"json", EXPORT_JSON, "application/json"},
	};
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *f;
	char refusal[128];
	int started;

	if (begin(rq, APIKEY_INCIDENTS_READ, &who, NULL, err) < 0)
		return -1;
	const char *name = req_query(rq, "format");
	size_t i = 0;
	while (name && i < ARRAY_SIZE(formats) && strcmp(formats[i].name, name))
		i++;
	if (!name || i == ARRAY_SIZE(formats))
		return api_fail(err, 400, "invalid_parameter", "format must be csv or json");
	if (list_filters(rq, &f, err) < 0)
		return -1;
	const char *filters = json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN);
	if (export_check(rq->app->db, filters, refusal, sizeof(refusal), &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (*refusal)
		return api_fail(err, 400, "invalid_parameter", "%s", refusal);

	rq->content_type = formats[i].type;
	resp_header(rq, "Content-Disposition", "attachment; filename=\"incidents.%s\"",
		formats[i].name);
	long rows = export_incidents(
		rq->app->db, who.key_id, filters, formats[i].fmt, export_write, rq, &started, &dberr);
	if (rows == -1 && !started)
		return api_fail_db(rq, &dberr, err);
	if (rows == -1) /* the head is out: the client sees a truncated body */
		log_msg(LOG_ERROR, "export failed mid-stream", "error", dberr.message, NULL);
	return 0;
}

int incidents_get_one(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct rest_result r;
	struct db_error dberr = {0};
	const char *id;

	if (begin(rq, APIKEY_INCIDENTS_READ, &who, &id, err) < 0)
		return -1;
	if (incidents_get(rq->app->db, &rq->arena, who.key_id, id, &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return body_refuse(rq, &r, err);
	render(rq, &r, NULL, 1);
	return 0;
}

int incidents_create(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{.name = "title", .type = F_STRING, .min = 1, .max = TITLE_MAX, .required = 1},
		{.name = "description", .type = F_STRING, .nullable = 1, .max = TEXT_MAX, .multiline = 1},
		{.name = "service_id", .type = F_UUID, .required = 1},
		{.name = "urgency", .type = F_STRING, .one_of = urgencies},
		{.name = "priority", .type = F_STRING, .nullable = 1, .one_of = priorities},
		{.name = "dedup_key", .type = F_STRING, .nullable = 1, .max = DEDUP_MAX},
		{.name = "assignee_id", .type = F_UUID, .nullable = 1},
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
		{.name = "status", .type = F_STRING, .one_of = statuses},
		{.name = "urgency", .type = F_STRING, .one_of = urgencies},
		{.name = "priority", .type = F_STRING, .nullable = 1, .one_of = priorities},
		{.name = "assignee_id", .type = F_UUID, .nullable = 1},
		{.name = "team_id", .type = F_UUID, .nullable = 1},
	};
	struct json_object *args;
	return id_write(rq, "patch", fields, ARRAY_SIZE(fields), 0, &args, err);
}

int incidents_note(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{.name = "content", .type = F_STRING, .min = 1, .max = NOTE_MAX, .multiline = 1, .required = 1},
	};
	return id_write(rq, "note", fields, ARRAY_SIZE(fields), 0, NULL, err);
}

int incidents_snooze(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{.name = "minutes", .type = F_INT, .min = 1, .max = SNOOZE_MAX_MINUTES, .required = 1},
		{.name = "reason", .type = F_STRING, .nullable = 1, .max = REASON_MAX},
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
		{.name = "note", .type = F_STRING, .nullable = 1, .min = RESOLVE_NOTE_MIN, .max = RESOLVE_NOTE_MAX, .multiline = 1},
	};
	return id_write(rq, "resolve", fields, ARRAY_SIZE(fields), 1, NULL, err);
}

static int bulk(struct req *rq, const char *action, struct api_err *err)
{
	static const struct field fields[] = {
		{.name = "ids", .type = F_UUID_ARRAY, .min = 1, .max = BULK_MAX, .required = 1},
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
