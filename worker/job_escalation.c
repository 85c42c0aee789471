/* job_escalation.c: ESCALATION: one step of an incident's escalation policy (spec §8.1 and
 * policy repeats). The step is one SQL call; a SCHEDULE target costs a second one after
 * core/oncall has computed who is on call. */
#include <string.h>

#include "worker.h"
#include "jobq.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "oncall.h"
#include "sbuf.h"
#include "schedule.h"

#define ONCALL_MAX 64

/* Who is on call at now on schedule_id, as a PostgreSQL uuid[] literal ("{}" when nobody). */
static int oncall_now(struct job *j, const char *schedule_id, int64_t now, struct sbuf *out,
	struct db_error *err)
{
	struct oncall_schedule s;
	const char *users[ONCALL_MAX];

	int rc = schedule_load(j->w->db, &j->arena, schedule_id, now - 86400, now + 86400, &s, err);
	if (rc < 0)
		return -1;
	int n = rc == 0 ? oncall_resolve(&s, now, users, ONCALL_MAX) : 0;
	if (n < 0) {
		log_msg(LOG_WARN, "schedule has an unknown time zone: nobody is on call", "schedule",
			schedule_id, "time_zone", s.time_zone, NULL);
		n = 0;
	}
	sbuf_addch(out, '{');
	for (int i = 0; i < n; i++)
		sbuf_addf(out, "%s%s", i ? "," : "", users[i]);
	sbuf_addch(out, '}');
	return 0;
}

void job_escalation_run(struct job *j)
{
	struct db_error err = { 0 };
	const char *inc = job_str(j, "incident_id");
	int step = job_int(j, "step", 0), repeat = job_int(j, "repeat", 0);
	struct json_object *sched = json_get(j->payload, "scheduled");
	int scheduled = sched && json_object_get_boolean(sched);

	if (!inc || !crypto_is_uuid(inc) || step < 0 || repeat < 0) {
		job_finish(j, JOB_FAIL, "payload needs incident_id (UUID), step >= 0, repeat >= 0",
			NULL);
		return;
	}
	struct json_object *r = jobq_escalate(j->w, j->id, inc, step, repeat, scheduled, NULL, &err);
	const char *result = r ? json_get_str(r, "result", NULL) : NULL;
	if (result && !strcmp(result, "need_schedule")) {
		struct sbuf users = SBUF_INIT;
		const char *sid = json_get_str(r, "schedule_id", NULL);
		struct json_object *now = json_get(r, "now");
		int ok = sid && now &&
			oncall_now(j, sid, (int64_t)json_object_get_double(now), &users, &err) == 0;
		json_object_put(r);
		r = ok ? jobq_escalate(j->w, j->id, inc, step, repeat, scheduled, users.buf, &err)
		       : NULL;
		sbuf_release(&users);
		result = r ? json_get_str(r, "result", NULL) : NULL;
	}
	if (!r) {
		job_finish(j, JOB_RETRY, err.message, NULL);
		return;
	}
	log_msg(LOG_DEBUG, "escalation step", "incident", inc, "result", result, NULL);
	json_object_put(r);
	job_finish(j, JOB_DONE, NULL, NULL);
}
