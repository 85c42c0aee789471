/* job_task.c: SCHEDULED_TASK: the periodic tasks, one row per task and period. */
#include <string.h>
#include <json-c/json.h>

#include "worker.h"
#include "jobq.h"
#include "db.h"
#include "log.h"
#include "wrapper.h"
#include "rollup.h"

#define RETENTION_MAX_BATCHES 100 /* per run: the loop is not held for long; the rest waits */

/* Retention in short batches, each its own transaction (spec §7.2). Returns rows deleted. */
static int task_retention(struct worker *w, struct db_error *err)
{
	struct json_object *r, *counts;
	int n = 0;

	if (rollup_retention_run(w->db, RETENTION_MAX_BATCHES, &r, err) < 0)
		return -1;
	if (json_object_object_get_ex(r, "counts", &counts)) {
		json_object_object_foreach(counts, key, val)
		{
			(void)key;
			n += json_object_get_int(val);
		}
	}
	if (n > 0)
		log_msg(LOG_INFO, "retention run", "result", json_object_to_json_string(r), NULL);
	json_object_put(r);
	return n;
}

/* name, period in seconds, and the C function running it (NULL: the SQL function
 * ok_task_<name>() via jobq_task) */
static const struct {
	const char *name;
	int every_s;
	int (*run)(struct worker *w, struct db_error *err);
} tasks[] = {
	{ "escalation_sweep", 60, NULL },
	{ "unsnooze_sweep", 60, NULL },
	{ "sla_warnings", 60, NULL },
	{ "cleanup", 3600, NULL },
	{ "idempotency_cleanup", 3600, NULL }, /* API Idempotency-Keys older than a day */
	{ "rollup", 3600, NULL },         /* the daily rollups: once per UTC day after 01:00 */
	{ "retention", 3600, task_retention },
	{ "sla_snapshot", 3600, NULL },   /* missing daily SLA snapshots of the last 30 days */
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
	int n = -2;
	for (size_t i = 0; i < ARRAY_SIZE(tasks); i++)
		if (tasks[i].run && !strcmp(tasks[i].name, name))
			n = tasks[i].run(j->w, &err);
	if (n == -2)
		n = jobq_task(j->w, name, &err);
	if (n < 0) {
		job_finish(j, JOB_FAIL, err.message, NULL); /* the next period runs it again */
		return;
	}
	if (n > 0)
		log_fmt(LOG_INFO, "task %s acted on %d rows", name, n);
	job_finish(j, JOB_DONE, NULL, NULL);
}
