/* rest.h: the REST API's store calls: one SQL function per request, answering one jsonb. */
#ifndef OK_REST_H
#define OK_REST_H

#include <json-c/json.h>

struct db;
struct db_error;
struct db_stmt;
struct arena;

/* The answer of one call, parsed from the function's jsonb; strings and root live until the
 * arena is reset. */
struct rest_result {
	int http;		  /* 200 / 201 / 204 on success, 0 on a refusal */
	const char *error;	  /* refusal code ("not_found", "version_mismatch", …) or NULL */
	const char *message;	  /* the refusal in words, for the client */
	const char *location;	  /* Location of a created resource, or NULL */
	const char *etag;	  /* entity tag of data (without quotes), or NULL */
	int version;		  /* data.version (or the current version of a mismatch), else 0 */
	struct json_object *root; /* the whole answer (owned by the arena) */
};

/*
 * Runs st (a statement returning one jsonb cell) with params and parses its answer into out.
 * Returns 0 (out->error set on a refusal: nothing was written), or -1 with err filled.
 */
int rest_answer(struct db *db, struct arena *a, const struct db_stmt *st,
	const char *const *params, struct rest_result *out, struct db_error *err)
	__attribute__((warn_unused_result));

/*
 * One call of the generic resource engine (ok_rest in sql/007_rest.sql) as the key key_id:
 * resource is a rest_resource name ("service"), op "list", "get", "create", "patch", "delete"
 * or "mark_read"; path the route's segments as a JSON object of UUIDs, args the checked body
 * (JSON object; "_if_match" and "_gen" are reserved), query the list options ({limit, cursor,
 * q, filters}), idem the Idempotency-Key or NULL. Returns 0 and fills out, or -1 with err.
 */
int rest_call(struct db *db, struct arena *a, const char *key_id, const char *resource,
	const char *op, const char *path, const char *args, const char *query, const char *idem,
	struct rest_result *out, struct db_error *err) __attribute__((warn_unused_result));

#endif
