/* job_notify.c: NOTIFY: an incident event fans out into delivery jobs (spec §8.3, §8.4). */
#include "worker.h"
#include "jobq.h"
#include "crypto.h"
#include "db.h"

/* Shared by NOTIFY and STATUS_PAGE: both turn {incident_id, event} into NOTIFICATION jobs. */
static void plan(struct job *j)
{
	struct db_error err = { 0 };
	const char *inc = job_str(j, "incident_id"), *event = job_str(j, "event");

	if (!inc || !crypto_is_uuid(inc) || !event) {
		job_finish(j, JOB_FAIL, "payload needs incident_id (UUID) and event", NULL);
		return;
	}
	if (jobq_plan(j->w, j->type->name, j->id, inc, event, &err) < 0)
		job_finish(j, JOB_RETRY, err.message, NULL);
	else
		job_finish(j, JOB_DONE, NULL, NULL);
}

void job_notify_run(struct job *j)
{
	plan(j);
}

void job_status_page_run(struct job *j)
{
	plan(j);
}
