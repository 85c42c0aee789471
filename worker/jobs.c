/* jobs.c: the job-type table, starting a claimed job, and finishing it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "worker.h"
#include "jobq.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "wrapper.h"

static const struct job_type types[] = {
	{ "ESCALATION", job_escalation_run, 5, jobs_backoff_standard },
	{ "NOTIFY", job_notify_run, 5, jobs_backoff_standard },
	{ "STATUS_PAGE", job_status_page_run, 5, jobs_backoff_standard },
	{ "NOTIFICATION", job_notification_run, 3, jobs_backoff_delivery },
	{ "AUTO_UNSNOOZE", job_unsnooze_run, 5, jobs_backoff_standard },
	{ "SCHEDULED_TASK", job_task_run, 1, jobs_backoff_standard },
	{ "SNS_CONFIRM", job_sns_confirm_run, 5, jobs_backoff_delivery },
	{ "SNS_CERT", job_sns_cert_run, 5, jobs_backoff_delivery },
};

/* A uniform random number in [0, 1). */
static double unit_random(void)
{
	uint32_t r;

	crypto_random(&r, sizeof(r));
	return r / 4294967296.0;
}

double jobs_backoff_standard(int attempts)
{
	return 30.0 * pow(2.0, attempts) + 10.0 * unit_random();
}

double jobs_backoff_delivery(int attempts)
{
	double base = pow(2.0, attempts > 0 ? attempts - 1 : 0);
	double d = base * (1.10 + 0.10 * unit_random());
	return d > 10.0 ? 10.0 : d;
}

const struct job_type *jobs_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(types[i].name, name))
			return &types[i];
	return NULL;
}

const char *job_str(const struct job *j, const char *key)
{
	return json_get_str(j->payload, key, NULL);
}

int job_int(const struct job *j, const char *key, int dflt)
{
	struct json_object *v = json_get(j->payload, key);
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_string))
		? json_object_get_int(v) : dflt;
}

static void put_json(void *v)
{
	json_object_put(v);
}

void jobs_start(struct worker *w, const char *id, const char *type, int attempts,
	int max_attempts, const char *payload)
{
	struct job *j = xcalloc(1, sizeof(*j));
	enum json_parse_error perr;

	j->w = w;
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->attempts = attempts;
	j->max_attempts = max_attempts;
	arena_init(&j->arena, 4096);
	w->inflight++;
	j->type = jobs_find(type);
	if (!j->type) {
		job_finish(j, JOB_FAIL, "unknown job type", NULL);
		return;
	}
	if (j->type->max_attempts < j->max_attempts)
		j->max_attempts = j->type->max_attempts;
	if (attempts > j->max_attempts) {
		/* it ran out of attempts while its worker died under it: do not run it again */
		job_finish(j, JOB_FAIL, "lease expired on the last attempt (worker died?)", NULL);
		return;
	}
	j->payload = json_parse(payload, strlen(payload), &perr, NULL);
	if (!j->payload || !json_object_is_type(j->payload, json_type_object)) {
		job_finish(j, JOB_FAIL, "payload is not a JSON object", NULL);
		return;
	}
	arena_on_reset(&j->arena, put_json, j->payload);
	j->type->run(j);
}

void job_finish(struct job *j, enum job_outcome o, const char *error, const char *at)
{
	struct worker *w = j->w;
	struct db_error err = { 0 };
	int rc = 0;

	switch (o) {
	case JOB_DONE:
		if (w->ndone == w->done_alloc) {
			w->done_alloc = w->done_alloc ? 2 * w->done_alloc : 64;
			w->done = xrealloc(w->done, w->done_alloc * sizeof(*w->done));
		}
		memcpy(w->done[w->ndone++], j->id, 37);
		event_active(w->flush_ev, 0, 0);
		break;
	case JOB_RETRY:
		rc = jobq_retry(w, j->id, j->max_attempts, j->type->backoff(j->attempts), error, &err);
		break;
	case JOB_FAIL:
		rc = jobq_fail(w, j->id, error, &err);
		break;
	case JOB_CANCEL:
		rc = jobq_cancel(w, j->id, error, &err);
		break;
	case JOB_RESCHEDULE:
		rc = jobq_reschedule(w, j->id, at, &err);
		break;
	case JOB_DEFER:
		rc = jobq_defer(w, j->id, WORKER_DEFER_S, error, &err);
		break;
	}
	if (o != JOB_DONE)
		log_msg(o == JOB_CANCEL ? LOG_DEBUG : LOG_WARN, "job not completed", "job", j->id,
			"type", j->type ? j->type->name : "?", "error", error, NULL);
	/* a failed bookkeeping write leaves the row PROCESSING: its lease brings it back */
	if (rc < 0)
		log_msg(LOG_WARN, "recording a job outcome failed", "job", j->id, "error",
			err.message, NULL);
	arena_release(&j->arena);
	free(j);
	w->inflight--;
	if (w->stopping)
		event_active(w->flush_ev, 0, 0); /* the flush ends the drain when this was the last */
	else
		loop_wake(w);
}
