/* incidents.c: the incidents REST API's store: calls ok_incident_* (answers parsed by rest.c). */
#include "incidents.h"
#include "arena.h"
#include "db.h"

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

int incidents_write(struct db *db, struct arena *a, const char *key_id, const char *idem_key,
	const char *op, const char *args, struct rest_result *out, struct db_error *err)
{
	const char *p[] = {key_id, idem_key, op, args};
	return rest_answer(db, a, &stmt_write, p, out, err);
}

int incidents_get(struct db *db, struct arena *a, const char *key_id, const char *id,
	struct rest_result *out, struct db_error *err)
{
	const char *p[] = {key_id, id};
	return rest_answer(db, a, &stmt_get, p, out, err);
}

int incidents_list(struct db *db, struct arena *a, const char *key_id, const char *filters,
	struct rest_result *out, struct db_error *err)
{
	const char *p[] = {key_id, filters};
	return rest_answer(db, a, &stmt_list, p, out, err);
}
