/* worker.h: the worker's shared state and the job API every job_<type>.c implements. */
#ifndef OK_WORKER_H
#define OK_WORKER_H

#include <stddef.h>
#include <json-c/json.h>
#include "arena.h"

struct event_base;
struct event;
struct conf;
struct db;
struct http;
struct breaker;

#define WORKER_MAX_INFLIGHT 256 /* jobs running at once in one worker */
#define WORKER_CLAIM_BATCH 100
#define WORKER_LEASE_S 120      /* a claimed job not finished by then is claimed again */
#define WORKER_DRAIN_S 10       /* SIGTERM: how long in-flight jobs may take before release */

struct worker {
	struct event_base *base;
	struct conf *conf;
	struct db *db;          /* short statements: claims, finishes, job steps */
	struct db *listen_db;   /* LISTEN, its socket in the loop */
	struct http *http;      /* outbound HTTP and SMTP (curl multi on the loop) */
	struct breaker *breaker;
	char id[80];            /* host:pid:random, written to locked_by */
	struct event *listen_ev, *pump_ev, *due_ev, *flush_ev, *periodic_ev, *drain_ev;
	int inflight;
	int stopping;
	/* ids of jobs finished successfully, completed in one statement per loop turn */
	char (*done)[37];
	size_t ndone, done_alloc;
};

struct job;

/* A job type: name as in background_job.type, its handler, its retry policy. */
struct job_type {
	const char *name;
	void (*run)(struct job *j);   /* must end (now or later) in exactly one job_finish() */
	int max_attempts;             /* cap on top of the row's max_attempts */
	double (*backoff)(int attempts); /* seconds before the next attempt */
};

struct job {
	struct worker *w;
	const struct job_type *type;
	char id[37];
	int attempts;                 /* including this one */
	int max_attempts;
	struct json_object *payload;  /* owned by the job */
	struct arena arena;           /* freed when the job finishes */
	void *state;                  /* handler's own, in the arena */
};

enum job_outcome {
	JOB_DONE,       /* COMPLETED */
	JOB_RETRY,      /* PENDING again after the type's backoff, or FAILED when out of attempts */
	JOB_FAIL,       /* FAILED now (a malformed payload: retrying cannot help) */
	JOB_CANCEL,     /* CANCELLED: nothing to do any more */
	JOB_RESCHEDULE, /* PENDING at a given time, attempts not counted (not due yet) */
	JOB_DEFER,      /* PENDING again after WORKER_DEFER_S, attempt not counted (circuit open) */
};

#define WORKER_DEFER_S 60 /* the circuit breaker's open period */

/* Ends the job: records the outcome (error may be NULL; at is the ISO time for
 * JOB_RESCHEDULE), frees the job and lets the loop claim more. */
void job_finish(struct job *j, enum job_outcome o, const char *error, const char *at);

/* Payload helpers: a string member or NULL (borrowed from the payload). */
const char *job_str(const struct job *j, const char *key);
int job_int(const struct job *j, const char *key, int dflt);

/* The table (jobs.c) and dispatch of a claimed row. */
const struct job_type *jobs_find(const char *name);
void jobs_start(struct worker *w, const char *id, const char *type, int attempts,
	int max_attempts, const char *payload);

/* Standard backoffs: §7.1 (2^n · 30 s + 0–10 s) and §8.5 (1 s · 2^(n−1) + 10–20 %, ≤ 10 s). */
double jobs_backoff_standard(int attempts);
double jobs_backoff_delivery(int attempts);

/* job_notification.c: the HTTP/SMTP client and circuit breaker of the deliveries. */
int worker_outbound_init(struct worker *w);
void worker_outbound_free(struct worker *w);
/* job_task.c: makes sure this period's SCHEDULED_TASK rows exist. */
void job_task_schedule(struct worker *w);

/* loop.c: ask the loop to claim again soon (capacity freed, a job enqueued, …). */
void loop_wake(struct worker *w);

/* The handlers, one file each. */
void job_escalation_run(struct job *j);
void job_unsnooze_run(struct job *j);
void job_notify_run(struct job *j);
void job_status_page_run(struct job *j);
void job_notification_run(struct job *j);
void job_task_run(struct job *j);
void job_sns_confirm_run(struct job *j);
void job_sns_cert_run(struct job *j);

#endif
