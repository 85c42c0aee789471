/* job_task.c: SCHEDULED_TASK: the periodic tasks, one row per task and period. */
#include "worker.h"
#include "jobq.h"
#include "db.h"
#include "log.h"
#include "wrapper.h"

/* name (its SQL is ok_task_<name>() via jobq_task) and period in seconds */
static const struct {
	const char *name;
	int every_s;
} tasks[] = {
	{ "escalation_sweep", 60 },
	{ "unsnooze_sweep", 60 },
	{ "sla_warnings", 60 },
	{ "cleanup", 3600 },
	{ "idempotency_cleanup", 3600 }, /* API Idempotency-Keys older than a day */
	{ "rollup", 3600 }, /* the daily rollups: runs once per UTC day after 01:00 */
};

void job_task_schedule(struct worker *w)
{
	const char *names[ARRAY_SIZE(tasks)];
	int every[ARRAY_SIZE(tasks)];
	struct db_error err = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(tasks); i++) {
		names[i] = tasks[i].name;
		every[i] = tasks[i].every_s;
	}
	if (jobq_schedule_tasks(w, names, every, ARRAY_SIZE(tasks), &err) < 0)
		log_msg(LOG_WARN, "scheduling periodic tasks failed", "error", err.message, NULL);
}

void job_task_run(struct job *j)
{
	struct db_error err = { 0 };
	const char *name = job_str(j, "task");

	if (!name) {
		job_finish(j, JOB_FAIL, "payload.task is missing", NULL);
		return;
	}
	int n = jobq_task(j->w, name, &err);
	if (n < 0) {
		job_finish(j, JOB_FAIL, err.message, NULL); /* the next period runs it again */
		return;
	}
	if (n > 0)
		log_fmt(LOG_INFO, "task %s acted on %d rows", name, n);
	job_finish(j, JOB_DONE, NULL, NULL);
}
