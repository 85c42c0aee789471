/* rest.c: the REST API's store calls: runs one SQL function and parses its jsonb answer. */
#include <stdio.h>
#include <string.h>

#include "rest.h"
#include "arena.h"
#include "db.h"
#include "json.h"

static const struct db_stmt stmt_rest = {
	"rest",
	"SELECT ok_rest($1::uuid, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7)",
	7,
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

int rest_answer(struct db *db, struct arena *a, const struct db_stmt *st,
	const char *const *params, struct rest_result *out, struct db_error *err)
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
	out->etag = opt_str(a, root, "etag");
	struct json_object *v = json_get(root, "http");
	out->http = out->error || !v ? 0 : json_object_get_int(v);
	v = json_get(json_get(root, "data"), "version");
	if (!v)
		v = json_get(root, "version"); /* a version_mismatch names the current one */
	out->version = v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : 0;
	return 0;
}

int rest_call(struct db *db, struct arena *a, const char *key_id, const char *resource,
	const char *op, const char *path, const char *args, const char *query, const char *idem,
	struct rest_result *out, struct db_error *err)
{
	const char *p[] = {key_id, resource, op, path, args, query, idem};
	return rest_answer(db, a, &stmt_rest, p, out, err);
}
