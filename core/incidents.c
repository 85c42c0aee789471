/* incidents.c: the incidents REST API's store: calls ok_incident_* and parses their answers. */
#include <stdio.h>
#include <string.h>
#include <libpq-fe.h>

#include "incidents.h"
#include "arena.h"
#include "db.h"
#include "json.h"

static const struct db_stmt stmt_write = {
	"inc_write",
	"SELECT ok_incident_write($1::uuid, $2, $3, $4::jsonb)",
	4,
};

static const struct db_stmt stmt_get = {
	"inc_get",
	"SELECT ok_incident_get($1::uuid, $2::uuid)",
	2,
};

static const struct db_stmt stmt_list = {
	"inc_list",
	"SELECT ok_incident_list($1::uuid, $2::jsonb)",
	2,
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

/* Runs st and parses its single jsonb cell into out. */
static int call(struct db *db, struct arena *a, const struct db_stmt *st, const char *const *params,
	struct incidents_result *out, struct db_error *err)
{
	struct json_object *root;

	memset(out, 0, sizeof(*out));
	if (db_exec_json(db, st, params, &root, err) <= 0)
		return -1;
	if (!json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		db_classify(NULL, err);
		snprintf(err->message, sizeof(err->message), "%s returned bad JSON", st->name);
		return -1;
	}
	arena_on_reset(a, put_json, root);
	out->root = root;
	out->error = opt_str(a, root, "error");
	out->message = opt_str(a, root, "message");
	out->location = opt_str(a, root, "location");
	struct json_object *v = json_get(root, "http");
	out->http = out->error || !v ? 0 : json_object_get_int(v);
	struct json_object *data = json_get(root, "data");
	v = json_get(data, "version");
	if (!v)
		v = json_get(root, "version"); /* a version_mismatch names the current one */
	out->version = v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : 0;
	return 0;
}

int incidents_write(struct db *db, struct arena *a, const char *key_id, const char *idem_key,
	const char *op, const char *args, struct incidents_result *out, struct db_error *err)
{
	const char *p[] = {key_id, idem_key, op, args};
	return call(db, a, &stmt_write, p, out, err);
}

int incidents_get(struct db *db, struct arena *a, const char *key_id, const char *id,
	struct incidents_result *out, struct db_error *err)
{
	const char *p[] = {key_id, id};
	return call(db, a, &stmt_get, p, out, err);
}

int incidents_list(struct db *db, struct arena *a, const char *key_id, const char *filters,
	struct incidents_result *out, struct db_error *err)
{
	const char *p[] = {key_id, filters};
	return call(db, a, &stmt_list, p, out, err);
}
