/* rollup.c: rollups, retention, SLA snapshots and compliance: one SQL function call each. */
#include <stdlib.h>
#include <stdint.h>
#include <libpq-fe.h>
#include <json-c/json.h>

#include "rollup.h"
#include "arena.h"
#include "db.h"

static const struct db_stmt st_health = {"rollup_health", "SELECT ok_rollup_health()", 0};
static const struct db_stmt st_plan = {"rollup_plan", "SELECT ok_rollup_plan($1::jsonb)", 1};
static const struct db_stmt st_day = {"rollup_day", "SELECT ok_rollup_day($1::date)", 1};
static const struct db_stmt st_ret_get = {"retention_get", "SELECT ok_retention_settings()", 0};
static const struct db_stmt st_ret_put = {
	"retention_put",
	"SELECT ok_retention_update($1::jsonb, $2::uuid)",
	2,
};
static const struct db_stmt st_ret_preview = {
	"retention_preview",
	"SELECT ok_retention_preview()",
	0,
};
static const struct db_stmt st_compliance = {
	"sla_compliance",
	"SELECT ok_sla_compliance($1::uuid)",
	1,
};
static const struct db_stmt st_ret_step = {"retention_step", "SELECT ok_retention_step()", 0};

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
	const char *p[] = {args};
	return call_json(db, a, &st_plan, p, out, err);
}

int rollup_day(struct db *db, const char *day, struct db_error *err)
{
	const char *p[] = {day};
	PGresult *res = db_exec(db, &st_day, p, err);

	if (!res)
		return -1;
	int n = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return n;
}

int rollup_retention_settings(
	struct db *db, struct arena *a, struct json_object **out, struct db_error *err)
{
	return call_json(db, a, &st_ret_get, NULL, out, err);
}

int rollup_retention_update(struct db *db, struct arena *a, const char *args, const char *user_id,
	struct json_object **out, struct db_error *err)
{
	const char *p[] = {args, user_id};
	return call_json(db, a, &st_ret_put, p, out, err);
}

int rollup_retention_preview(
	struct db *db, struct arena *a, struct json_object **out, struct db_error *err)
{
	return call_json(db, a, &st_ret_preview, NULL, out, err);
}

/* Adds the integer fields of from to those of sum. */
static void add_counts(struct json_object *sum, struct json_object *from)
{
	json_object_object_foreach(from, key, val)
	{
		struct json_object *cur = NULL;
		int64_t n = json_object_get_int64(val);
		if (json_object_object_get_ex(sum, key, &cur))
			n += json_object_get_int64(cur);
		json_object_object_add(sum, key, json_object_new_int64(n));
	}
}

int rollup_retention_run(
	struct db *db, int max_steps, struct json_object **out, struct db_error *err)
{
	struct json_object *res = json_object_new_object(), *counts = json_object_new_object();
	int steps = 0, more = 1;

	json_object_object_add(res, "counts", counts);
	while (more && (max_steps <= 0 || steps < max_steps)) {
		struct json_object *step, *v;
		if (db_exec_json(db, &st_ret_step, NULL, &step, err) <= 0) {
			json_object_put(res);
			*out = NULL;
			return -1;
		}
		steps++;
		if (json_object_object_get_ex(step, "counts", &v))
			add_counts(counts, v);
		if (steps == 1 && json_object_object_get_ex(step, "cutoffs", &v))
			json_object_object_add(res, "cutoffs", json_object_get(v));
		more = json_object_object_get_ex(step, "more", &v) && json_object_get_boolean(v);
		json_object_put(step);
	}
	json_object_object_add(res, "batches", json_object_new_int(steps));
	json_object_object_add(res, "complete", json_object_new_boolean(!more));
	*out = res;
	return 0;
}

int rollup_compliance(struct db *db, struct arena *a, const char *key_id, struct json_object **out,
	struct db_error *err)
{
	const char *p[] = {key_id};
	return call_json(db, a, &st_compliance, p, out, err);
}
