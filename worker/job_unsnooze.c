/* job_unsnooze.c: AUTO_UNSNOOZE (spec §7.1): reopen a snoozed incident when its time is up. */
#include <string.h>

#include "worker.h"
#include "jobq.h"
#include "crypto.h"
#include "db.h"
#include "json.h"

void job_unsnooze_run(struct job *j)
{
	struct db_error err = { 0 };
	const char *inc = job_str(j, "incident_id");

	if (!inc || !crypto_is_uuid(inc)) {
		job_finish(j, JOB_FAIL, "payload.incident_id is missing or not a UUID", NULL);
		return;
	}
	struct json_object *r = jobq_unsnooze(j->w, inc, &err);
	if (!r) {
		job_finish(j, JOB_RETRY, err.message, NULL);
		return;
	}
	const char *result = json_get_str(r, "result", NULL);
	if (result && !strcmp(result, "not_due"))
		job_finish(j, JOB_RESCHEDULE, NULL, json_get_str(r, "at", NULL));
	else if (result && !strcmp(result, "cancelled"))
		job_finish(j, JOB_CANCEL, "incident is no longer snoozed", NULL);
	else
		job_finish(j, JOB_DONE, NULL, NULL);
	json_object_put(r);
}
