/* jobq.h: every SQL statement of the worker: claiming, finishing, periodic scheduling, and
 * the one-round-trip calls of the job steps (sql/003_worker.sql). */
#ifndef OK_JOBQ_H
#define OK_JOBQ_H

#include <stddef.h>
#include <json-c/json.h>

struct worker;
struct db_error;

/* A claimed row; strings are copies owned by the caller's array (jobq_claimed_free). */
struct jobq_row {
	char id[37];
	char type[24];
	int attempts, max_attempts;
	char *payload;
};

/*
 * Claims up to limit due jobs (PENDING with run_at <= ok_now(), or PROCESSING whose lease
 * expired) with FOR UPDATE SKIP LOCKED, marks them PROCESSING for this worker with a lease and
 * counts the attempt. Returns the number claimed (rows in *out, free with jobq_claimed_free), or
 * -1 with err filled.
 */
int jobq_claim(struct worker *w, int limit, struct jobq_row **out, struct db_error *err);
void jobq_claimed_free(struct jobq_row *rows, int n);

/* COMPLETED for these ids (still locked by this worker). Returns 0 or -1. */
int jobq_complete(struct worker *w, char (*ids)[37], size_t n, struct db_error *err);
/* Retry after delay_s, or FAILED when attempts >= max_attempts; error kept as last_error. */
int jobq_retry(struct worker *w, const char *id, int max_attempts, double delay_s,
	const char *error, struct db_error *err);
int jobq_fail(struct worker *w, const char *id, const char *error, struct db_error *err);
int jobq_cancel(struct worker *w, const char *id, const char *why, struct db_error *err);
/* PENDING at the ISO time at, attempts given back. */
int jobq_reschedule(struct worker *w, const char *id, const char *at, struct db_error *err);
/* PENDING again delay_s seconds from ok_now(), the attempt given back (an open circuit breaker:
 * the destination was not tried). why is kept as last_error. */
int jobq_defer(struct worker *w, const char *id, double delay_s, const char *why,
	struct db_error *err);
/* Gives this worker's unfinished jobs back (PENDING, attempt not counted). */
int jobq_release(struct worker *w, struct db_error *err);
/* Seconds until the next job is due (0 when one is due now; -1 when none is waiting). */
double jobq_next_due(struct worker *w, struct db_error *err);
/* Creates this period's SCHEDULED_TASK rows (one per task and period, by unique key). */
int jobq_schedule_tasks(struct worker *w, const char *const *names, const int *every_s, size_t n,
	struct db_error *err);

/* The job steps. Each returns a new json (caller puts it) or NULL with err filled. */
struct json_object *jobq_escalate(struct worker *w, const char *job_id, const char *incident,
	int step, int repeat, int scheduled, const char *oncall_array, struct db_error *err);
struct json_object *jobq_unsnooze(struct worker *w, const char *incident, struct db_error *err);
/* NOTIFY / STATUS_PAGE fan-out: returns the number of deliveries planned, or -1. */
int jobq_plan(struct worker *w, const char *type, const char *job_id, const char *incident,
	const char *event, struct db_error *err);
struct json_object *jobq_delivery_load(struct worker *w, const char *job_id, const char *payload,
	struct db_error *err);
int jobq_delivery_record(struct worker *w, const char *payload, const char *results,
	struct db_error *err);
/* Stores a fetched SNS signing certificate. Returns 0 or -1. */
int jobq_sns_store(struct worker *w, const char *url, const char *pem, struct db_error *err);
/* A periodic task's SQL (ok_task_<name>()); returns its integer result or -1. */
int jobq_task(struct worker *w, const char *name, struct db_error *err);

#endif
