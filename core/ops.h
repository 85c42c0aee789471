/* ops.h: the store of the ops-dashboard API: persisted client logs (redacted), the dead-letter
 * view of failed jobs and their retry, and the database gauges of /metrics. */
#ifndef OK_OPS_H
#define OK_OPS_H

#include <stddef.h>

struct db;
struct db_error;
struct arena;
struct json_object;

/* Log levels in ascending severity, as stored in log_entry.level. */
extern const char *const ops_log_levels[4];

/* Index of level in ops_log_levels, or -1. */
int ops_log_level_index(const char *level);

/*
 * The redacted deep copy of v (a new object, the caller puts it; NULL for NULL): under an
 * object key naming a secret (log_key_is_secret, or containing "email") the value becomes
 * "[REDACTED]", at any depth; e-mail addresses inside every string become "[EMAIL_REDACTED]".
 */
struct json_object *ops_redact_json(const struct json_object *v);

/* s with e-mail addresses replaced by "[EMAIL_REDACTED]" (arena copy). */
const char *ops_redact_text(struct arena *a, const char *s);

/* One client log entry to store; strings are already redacted, context is borrowed. */
struct ops_log {
	const char *level;      /* one of ops_log_levels */
	const char *message;
	const char *component;  /* may be NULL */
	const char *request_id; /* may be NULL */
	const char *user_agent; /* may be NULL */
	const struct json_object *context; /* object or NULL */
};

/* Stores e in log_entry with source 'client'. Returns 0 and sets *id and *logged_at (arena
 * strings, ISO-8601), or -1 with err filled; nothing is written. */
int ops_log_insert(struct db *db, struct arena *a, const struct ops_log *e, const char **id,
	const char **logged_at, struct db_error *err) __attribute__((warn_unused_result));

/* A keyset page: rows newest first. */
struct ops_page {
	int limit;             /* 1..500 */
	const char *cursor;    /* next_cursor of the previous page (validated), or NULL */
};

/* 1 when s has the shape of a cursor this module hands out. */
int ops_cursor_valid(const char *s);

/*
 * Lists log_entry rows newest first: min_level (index into ops_log_levels, 0 = all) and since
 * (ISO-8601 text cast by the database, or NULL) filter. Sets *rows to a new array (put at the
 * reset of a) and *next (arena) to the cursor of the next page or NULL. Returns 0, or -1 with
 * err filled (kind DB_FAIL_INPUT when since is not a time).
 */
int ops_log_list(struct db *db, struct arena *a, int min_level, const char *since,
	const struct ops_page *pg, struct json_object **rows, const char **next,
	struct db_error *err) __attribute__((warn_unused_result));

/* Lists background_job rows of status (and type, when not NULL) by updated_at, newest first;
 * same conventions as ops_log_list. */
int ops_jobs_list(struct db *db, struct arena *a, const char *status, const char *type,
	const struct ops_page *pg, struct json_object **rows, const char **next,
	struct db_error *err) __attribute__((warn_unused_result));

/*
 * Retries FAILED job id (UUID text) and wakes the workers, in one statement. Returns 0 with
 * *job set (put at the reset of a), 1 when no job has that id, 2 when the job is not FAILED
 * (*status = its status, arena), or -1 with err filled.
 */
int ops_job_retry(struct db *db, struct arena *a, const char *id, struct json_object **job,
	const char **status, struct db_error *err) __attribute__((warn_unused_result));

/* The database gauges of /metrics as one object {jobs:[{type,status,n}], queue_depth,
 * oldest_due_age, notifications:[{channel,status,n}]} (put at the reset of a). Returns 0, or
 * -1 with err filled. */
int ops_gauges(struct db *db, struct arena *a, struct json_object **out, struct db_error *err)
	__attribute__((warn_unused_result));

#endif
