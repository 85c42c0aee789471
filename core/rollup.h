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

#endif
