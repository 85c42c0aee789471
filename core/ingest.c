/* ingest.c: one round trip per request into ok_ingest()/ok_change_event(), result parsing. */
#include <string.h>
#include <stdio.h>
#include <libpq-fe.h>

#include "ingest.h"
#include "db.h"
#include "arena.h"
#include "sbuf.h"
#include "json.h"
#include "event.h"

static const struct db_stmt stmt_ingest = {
	"ok_ingest",
	"SELECT ok_ingest($1, $2::boolean, $3::uuid, $4::uuid, $5::jsonb, $6, $7::jsonb)",
	7,
};

static const struct db_stmt stmt_change = {
	"ok_change_event",
	"SELECT ok_change_event($1, $2::uuid, $3::jsonb)",
	3,
};

static const struct db_stmt stmt_sns_cert = {
	"ok_sns_certificate", "SELECT ok_sns_certificate($1)", 1,
};

static const struct db_stmt stmt_sns_subscribe = {
	"ok_sns_subscribe", "SELECT ok_sns_subscribe($1, $2::uuid, $3::jsonb, $4, $5)", 5,
};

static void put_json(void *root)
{
	json_object_put(root);
}

static const char *opt_str(struct arena *a, struct json_object *o, const char *key)
{
	const char *s = json_get_str(o, key, NULL);
	return s ? arena_strdup(a, s) : NULL;
}

static int opt_int(struct json_object *o, const char *key)
{
	struct json_object *v = json_get(o, key);
	return v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : 0;
}

/* Runs the statement, parses its single jsonb cell into out. */
static int call(struct db *db, struct arena *a, const struct db_stmt *st,
	const char *const *params, struct ingest_result *out, struct db_error *err)
{
	struct json_object *root;

	memset(out, 0, sizeof(*out));
	if (db_exec_json(db, st, params, &root, err) <= 0)
		return -1;
	arena_on_reset(a, put_json, root);
	out->error = opt_str(a, root, "error");
	out->integration_id = opt_str(a, root, "integration_id");
	out->service_id = opt_str(a, root, "service_id");
	out->rate_limit = opt_int(root, "rate_limit");
	out->rate_burst = opt_int(root, "rate_burst");
	struct json_object *dup = json_get(root, "duplicate");
	out->duplicate = dup && json_object_get_boolean(dup);
	out->results = json_get(root, "results");
	if (!out->error && st != &stmt_sns_subscribe &&
		!json_object_is_type(out->results, json_type_array)) {
		db_classify(NULL, err);
		snprintf(err->message, sizeof(err->message), "%s returned no results", st->name);
		return -1;
	}
	return 0;
}

int ingest_events(struct db *db, struct arena *a, const struct ingest_auth *auth,
	const struct event *evs, size_t n, const char *delivery_id, struct ingest_result *out,
	struct db_error *err)
{
	struct sbuf body = SBUF_INIT;

	sbuf_addch(&body, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_addch(&body, ',');
		event_to_json(&evs[i], &body);
	}
	sbuf_addch(&body, ']');
	const char *params[] = { auth->key_hash, auth->is_api_key ? "t" : "f",
		auth->integration_id, auth->service_id, body.buf, delivery_id, auth->sig_json };
	int rc = call(db, a, &stmt_ingest, params, out, err);
	sbuf_release(&body);
	return rc;
}

int ingest_change(struct db *db, struct arena *a, const struct ingest_auth *auth,
	const struct change_event *ce, struct ingest_result *out, struct db_error *err)
{
	struct sbuf body = SBUF_INIT;

	event_change_to_json(ce, &body);
	const char *params[] = { auth->key_hash, auth->integration_id, body.buf };
	int rc = call(db, a, &stmt_change, params, out, err);
	sbuf_release(&body);
	return rc;
}

int ingest_sns_certificate(struct db *db, struct arena *a, const char *url, const char **pem,
	struct db_error *err)
{
	const char *params[] = { url };
	PGresult *res = db_exec(db, &stmt_sns_cert, params, err);

	if (!res)
		return -1;
	*pem = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ?
		arena_strdup(a, PQgetvalue(res, 0, 0)) : NULL;
	PQclear(res);
	return 0;
}

int ingest_sns_subscribe(struct db *db, struct arena *a, const struct ingest_auth *auth,
	const char *url, const char *message_id, struct ingest_result *out, struct db_error *err)
{
	const char *params[] = { auth->key_hash, auth->integration_id, auth->sig_json, url,
		message_id };
	return call(db, a, &stmt_sns_subscribe, params, out, err);
}
