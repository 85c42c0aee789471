/* ops.c: client logs, the dead-letter job view and the /metrics gauges, one statement each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libpq-fe.h>
#include <json-c/json.h>

#include "ops.h"
#include "arena.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "sbuf.h"

const char *const ops_log_levels[4] = { "debug", "info", "warn", "error" };

static const struct db_stmt stmt_log_insert = {
	"ops_log_insert",
	"INSERT INTO log_entry (level, message, source, component, request_id, user_agent, context) "
	"VALUES ($1, $2, 'client', $3, $4, $5, $6::jsonb) RETURNING id, ok_iso(logged_at)",
	6,
};

/* $1 levels (text[] or NULL), $2 since, $3/$4 cursor time and id, $5 limit + 1 */
static const struct db_stmt stmt_log_list = {
	"ops_log_list",
	"SELECT coalesce(json_agg(r), '[]') FROM (SELECT id, level, message, "
	" ok_iso(logged_at) AS logged_at, source, component, request_id, user_agent, service_id, "
	" context, to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
	"   || '_' || id AS cursor "
	" FROM log_entry WHERE ($1::text[] IS NULL OR level = ANY ($1::text[])) "
	" AND ($2::timestamptz IS NULL OR logged_at >= $2::timestamptz) "
	" AND ($3::timestamptz IS NULL OR (logged_at, id) < ($3::timestamptz, $4::uuid)) "
	" ORDER BY logged_at DESC, id DESC LIMIT $5::int) r",
	5,
};

/* $1 status, $2 type or NULL, $3/$4 cursor, $5 limit + 1 */
static const struct db_stmt stmt_jobs_list = {
	"ops_jobs_list",
	"SELECT coalesce(json_agg(r), '[]') FROM (SELECT id, type, status, attempts, max_attempts, "
	" ok_iso(run_at) AS run_at, last_error, incident_id, unique_key, payload, "
	" ok_iso(created_at) AS created_at, ok_iso(updated_at) AS updated_at, "
	" ok_iso(completed_at) AS completed_at, "
	" to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
	"   || '_' || id AS cursor "
	" FROM background_job WHERE status = $1 AND ($2::text IS NULL OR type = $2) "
	" AND ($3::timestamptz IS NULL OR (updated_at, id) < ($3::timestamptz, $4::uuid)) "
	" ORDER BY updated_at DESC, id DESC LIMIT $5::int) r",
	5,
};

static const struct db_stmt stmt_job_retry = {
	"ops_job_retry",
	"SELECT ok_job_retry($1::uuid)",
	1,
};

static const struct db_stmt stmt_gauges = {
	"ops_gauges",
	"SELECT ok_metrics_gauges()",
	0,
};

int ops_log_level_index(const char *level)
{
	for (int i = 0; level && i < 4; i++)
		if (!strcmp(level, ops_log_levels[i]))
			return i;
	return -1;
}

static int key_is_secret(const char *key)
{
	if (log_key_is_secret(key))
		return 1;
	for (const char *p = key; *p; p++) /* the spec's pattern also names e-mail fields */
		if (!strncasecmp(p, "email", 5))
			return 1;
	return 0;
}

static struct json_object *redacted_string(const char *s)
{
	struct sbuf sb = SBUF_INIT;

	log_redact_emails(&sb, s);
	struct json_object *o = json_object_new_string_len(sb.buf, (int)sb.len);
	sbuf_release(&sb);
	return o;
}

struct json_object *ops_redact_json(const struct json_object *v)
{
	struct json_object *o = (struct json_object *)v;

	if (!v)
		return NULL;
	switch (json_object_get_type(o)) {
	case json_type_object: {
		struct json_object *out = json_object_new_object();
		json_object_object_foreach(o, key, val)
		{
			json_object_object_add(out, key,
				key_is_secret(key) ? json_object_new_string("[REDACTED]") :
						     ops_redact_json(val));
		}
		return out;
	}
	case json_type_array: {
		struct json_object *out = json_object_new_array();
		for (size_t i = 0; i < json_object_array_length(o); i++)
			json_object_array_add(out, ops_redact_json(json_object_array_get_idx(o, i)));
		return out;
	}
	case json_type_string:
		return redacted_string(json_object_get_string(o));
	default:
		return json_object_get(o);
	}
}

const char *ops_redact_text(struct arena *a, const char *s)
{
	struct sbuf sb = SBUF_INIT;

	log_redact_emails(&sb, s ? s : "");
	const char *r = arena_strdup(a, sb.buf);
	sbuf_release(&sb);
	return r;
}

static void put_json(void *p)
{
	json_object_put(p);
}

/* db_exec_json, the value put at the arena's reset. Same returns (1, 0 no row, -1). */
static int run_json(struct db *db, struct arena *a, const struct db_stmt *st,
	const char *const *params, struct json_object **out, struct db_error *err)
{
	int rc = db_exec_json(db, st, params, out, err);

	if (rc > 0)
		arena_on_reset(a, put_json, *out);
	return rc;
}

int ops_log_insert(struct db *db, struct arena *a, const struct ops_log *e, const char **id,
	const char **logged_at, struct db_error *err)
{
	char *ctx = e->context ? json_dump(e->context) : NULL;
	const char *p[] = { e->level, e->message, e->component, e->request_id, e->user_agent, ctx };
	PGresult *res = db_exec(db, &stmt_log_insert, p, err);

	free(ctx);
	if (!res)
		return -1;
	*id = arena_strdup(a, PQgetvalue(res, 0, 0));
	*logged_at = arena_strdup(a, PQgetvalue(res, 0, 1));
	PQclear(res);
	return 0;
}

int ops_cursor_valid(const char *s)
{
	/* 2024-05-01T12:34:56.123456Z_<uuid> */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ_";
	size_t n = sizeof(shape) - 1;

	if (!s || strlen(s) != n + 36)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	for (size_t i = n; i < n + 36; i++) {
		int dash = i - n == 8 || i - n == 13 || i - n == 18 || i - n == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	}
	return 1;
}

/* Runs a list statement whose params end with (cursor time, cursor id, limit + 1); trims the
 * extra row into *next and drops the cursor field of every row. */
static int run_page(struct db *db, struct arena *a, const struct db_stmt *st, const char **p,
	const struct ops_page *pg, struct json_object **rows, const char **next,
	struct db_error *err)
{
	char limit[16];
	const char *ct = NULL, *cid = NULL;

	if (pg->cursor) {
		size_t n = strlen(pg->cursor) - 37;
		ct = arena_strndup(a, pg->cursor, n);
		cid = pg->cursor + n + 1;
	}
	snprintf(limit, sizeof(limit), "%d", pg->limit + 1);
	p[2] = ct;
	p[3] = cid;
	p[4] = limit;
	struct json_object *arr;
	if (run_json(db, a, st, p, &arr, err) <= 0 || !json_object_is_type(arr, json_type_array))
		return -1;
	*next = NULL;
	size_t len = json_object_array_length(arr);
	if (len > (size_t)pg->limit) {
		struct json_object *last = json_object_array_get_idx(arr, (size_t)pg->limit - 1);
		*next = arena_strdup(a, json_get_str(last, "cursor", NULL));
		json_object_array_del_idx(arr, (size_t)pg->limit, len - (size_t)pg->limit);
		len = (size_t)pg->limit;
	}
	for (size_t i = 0; i < len; i++)
		json_object_object_del(json_object_array_get_idx(arr, i), "cursor");
	*rows = arr;
	return 0;
}

int ops_log_list(struct db *db, struct arena *a, int min_level, const char *since,
	const struct ops_page *pg, struct json_object **rows, const char **next,
	struct db_error *err)
{
	const char *levels = NULL;

	if (min_level > 0) {
		struct sbuf sb = SBUF_INIT;
		for (int i = min_level; i < 4; i++)
			sbuf_addf(&sb, "%s%s", i > min_level ? "," : "{", ops_log_levels[i]);
		sbuf_addstr(&sb, "}");
		levels = arena_strdup(a, sb.buf);
		sbuf_release(&sb);
	}
	const char *p[5] = { levels, since };
	return run_page(db, a, &stmt_log_list, p, pg, rows, next, err);
}

int ops_jobs_list(struct db *db, struct arena *a, const char *status, const char *type,
	const struct ops_page *pg, struct json_object **rows, const char **next,
	struct db_error *err)
{
	const char *p[5] = { status, type };
	return run_page(db, a, &stmt_jobs_list, p, pg, rows, next, err);
}

int ops_job_retry(struct db *db, struct arena *a, const char *id, struct json_object **job,
	const char **status, struct db_error *err)
{
	const char *p[] = { id };
	struct json_object *v;
	int rc = run_json(db, a, &stmt_job_retry, p, &v, err);

	if (rc <= 0)
		return rc < 0 ? -1 : 1; /* no row: no such job */
	if (json_get(v, "error")) {
		const char *st = json_get_str(v, "status", NULL);
		*status = arena_strdup(a, st ? st : "");
		return 2;
	}
	*job = json_get(v, "job");
	return 0;
}

int ops_gauges(struct db *db, struct arena *a, struct json_object **out, struct db_error *err)
{
	return run_json(db, a, &stmt_gauges, NULL, out, err) > 0 ? 0 : -1;
}
