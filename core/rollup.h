/* rollup.h: the stored side of SLA analytics (sql/009_rollup.sql): daily rollups, retention
 * of old rows in short batches, daily SLA snapshots and the compliance view. Each call is one
 * statement of one SQL function returning jsonb; JSON answers are owned by the caller's arena. */
#ifndef OK_ROLLUP_H
#define OK_ROLLUP_H

struct db;
struct db_error;
struct arena;
struct json_object;

/* The health of the rollups (ok_rollup_health): expected window, present and missing days, lag,
 * last run. Returns 0 with *out set (put at the reset of a), or -1 with err filled. */
int rollup_health(struct db *db, struct arena *a, struct json_object **out, struct db_error *err)
	__attribute__((warn_unused_result));

/*
 * Validates a backfill request args (JSON text: {"days":n} or {"start","end"}, shape already
 * checked) into {"start","end","clipped","retention_start","days":[…]} or {"error","message"}
 * (ok_rollup_plan). Returns 0 with *out set (arena), or -1 with err filled.
 */
int rollup_plan(struct db *db, struct arena *a, const char *args, struct json_object **out,
	struct db_error *err) __attribute__((warn_unused_result));

/* (Re)generates the rollups of one UTC day ("YYYY-MM-DD"), in its own transaction. Returns the
 * number of rollup rows written, or -1 with err filled (nothing is changed). */
int rollup_day(struct db *db, const char *day, struct db_error *err)
	__attribute__((warn_unused_result));

/* The retention settings (ok_retention_settings). Returns 0 with *out (arena), or -1 + err. */
int rollup_retention_settings(struct db *db, struct arena *a, struct json_object **out,
	struct db_error *err) __attribute__((warn_unused_result));

/*
 * Updates the retention settings from args (JSON text: any of the *_days integers and
 * business_hours_time_zone, types already checked) as user_id; day counts are clamped to the
 * §5 bounds. Sets *out (arena) to {"settings","clamped":[…]} or {"error","message"} (nothing
 * written). Returns 0, or -1 with err filled.
 */
int rollup_retention_update(struct db *db, struct arena *a, const char *args, const char *user_id,
	struct json_object **out, struct db_error *err) __attribute__((warn_unused_result));

/* What a retention run would delete now: {"counts":{table: n},"cutoffs":{…}} (arena).
 * Returns 0, or -1 with err filled. Writes nothing. */
int rollup_retention_preview(struct db *db, struct arena *a, struct json_object **out,
	struct db_error *err) __attribute__((warn_unused_result));

/*
 * Runs retention in batches, each its own short transaction (ok_retention_step), until nothing
 * is left or max_steps batches ran (0 = no limit). Sets *out to a new object (the caller puts
 * it) {"counts":{table: n deleted},"cutoffs":{…},"batches":n,"complete":bool}. Returns 0, or
 * -1 with err filled (the batches before the failure stay committed; *out is NULL).
 */
int rollup_retention_run(struct db *db, int max_steps, struct json_object **out,
	struct db_error *err) __attribute__((warn_unused_result));

/* GET /api/sla/compliance for the API key key_id (ok_sla_compliance): {"data":[one entry per
 * active SLA definition the key may see],"generated_at"}. Returns 0 with *out (arena), or -1
 * with err filled. */
int rollup_compliance(struct db *db, struct arena *a, const char *key_id, struct json_object **out,
	struct db_error *err) __attribute__((warn_unused_result));

#endif
