/* rollup.c: rollups, retention, SLA snapshots and compliance: one SQL function call each. */
#include <stdlib.h>
#include <libpq-fe.h>
#include <json-c/json.h>

#include "rollup.h"
#include "arena.h"
#include "db.h"

static const struct db_stmt st_health = { "rollup_health", "SELECT ok_rollup_health()", 0 };
static const struct db_stmt st_plan = { "rollup_plan", "SELECT ok_rollup_plan($1::jsonb)", 1 };
static const struct db_stmt st_day = { "rollup_day", "SELECT ok_rollup_day($1::date)", 1 };

static void put_json(void *v)
{
	json_object_put(v);
}

/* Runs st (one jsonb cell) and hands the parsed answer to the arena. */
static int call_json(struct db *db, struct arena *a, const struct db_stmt *st,
	const char *const *params, struct json_object **out, struct db_error *err)
{
	if (db_exec_json(db, st, params, out, err) <= 0)
		return -1;
	arena_on_reset(a, put_json, *out);
	return 0;
}

int rollup_health(struct db *db, struct arena *a, struct json_object **out, struct db_error *err)
{
	return call_json(db, a, &st_health, NULL, out, err);
}

int rollup_plan(struct db *db, struct arena *a, const char *args, struct json_object **out,
	struct db_error *err)
{
	const char *p[] = { args };
	return call_json(db, a, &st_plan, p, out, err);
}

int rollup_day(struct db *db, const char *day, struct db_error *err)
{
	const char *p[] = { day };
	PGresult *res = db_exec(db, &st_day, p, err);

	if (!res)
		return -1;
	int n = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return n;
}
