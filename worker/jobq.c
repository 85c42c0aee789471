/* jobq.c: the worker's SQL: claims with leases, finishing, periodic rows, job-step calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "jobq.h"
#include "worker.h"
#include "db.h"
#include "json.h"
#include "wrapper.h"
#include "sbuf.h"
#include "conf.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Two index scans (the due PENDING rows, the PROCESSING rows whose lease ran out), each
 * SKIP LOCKED, then one UPDATE: another worker's claims are skipped, never waited for. */
static const struct db_stmt st_claim = {
	"jobq_claim",
	"WITH due AS (SELECT id, run_at AS at FROM background_job"
	"   WHERE status = 'PENDING' AND run_at <= ok_now() ORDER BY run_at LIMIT $2"
	"   FOR UPDATE SKIP LOCKED),"
	" stale AS (SELECT id, locked_until AS at FROM background_job"
	"   WHERE status = 'PROCESSING' AND locked_until < ok_now() ORDER BY locked_until LIMIT $2"
	"   FOR UPDATE SKIP LOCKED),"
	" pick AS (SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM stale) x"
	"   ORDER BY at LIMIT $2)"
	" UPDATE background_job j SET status = 'PROCESSING', locked_by = $1,"
	"   locked_until = ok_now() + interval '" STR(WORKER_LEASE_S) " seconds',"
	"   attempts = j.attempts + 1, updated_at = ok_now()"
	" FROM pick WHERE j.id = pick.id"
	" RETURNING j.id, j.type, j.attempts, j.max_attempts, j.payload",
	2,
};

static const struct db_stmt st_complete = {
	"jobq_complete",
	"UPDATE background_job SET status = 'COMPLETED', completed_at = ok_now(), locked_by = NULL,"
	" locked_until = NULL, last_error = NULL, updated_at = ok_now()"
	" WHERE id = ANY ($2::uuid[]) AND locked_by = $1 AND status = 'PROCESSING'",
	2,
};

static const struct db_stmt st_retry = {
	"jobq_retry",
	"UPDATE background_job SET"
	" status = CASE WHEN attempts >= least(max_attempts, $3::int) THEN 'FAILED' ELSE 'PENDING' END,"
	" completed_at = CASE WHEN attempts >= least(max_attempts, $3::int) THEN ok_now() END,"
	" run_at = ok_now() + make_interval(secs => $4::float8), last_error = $5,"
	" locked_by = NULL, locked_until = NULL, updated_at = ok_now()"
	" WHERE id = $2 AND locked_by = $1 AND status = 'PROCESSING'",
	5,
};

static const struct db_stmt st_fail = {
	"jobq_fail",
	"UPDATE background_job SET status = $3, completed_at = ok_now(), last_error = $4,"
	" locked_by = NULL, locked_until = NULL, updated_at = ok_now()"
	" WHERE id = $2 AND locked_by = $1 AND status = 'PROCESSING'",
	4,
};

static const struct db_stmt st_reschedule = {
	"jobq_reschedule",
	"UPDATE background_job SET status = 'PENDING', run_at = $3::timestamptz,"
	" attempts = greatest(attempts - 1, 0), locked_by = NULL, locked_until = NULL,"
	" updated_at = ok_now()"
	" WHERE id = $2 AND locked_by = $1 AND status = 'PROCESSING'",
	3,
};

static const struct db_stmt st_defer = {
	"jobq_defer",
	"UPDATE background_job SET status = 'PENDING', attempts = greatest(attempts - 1, 0),"
	" run_at = ok_now() + make_interval(secs => $3::float8), last_error = $4,"
	" locked_by = NULL, locked_until = NULL, updated_at = ok_now()"
	" WHERE id = $2 AND locked_by = $1 AND status = 'PROCESSING'",
	4,
};

static const struct db_stmt st_release = {
	"jobq_release",
	"UPDATE background_job SET status = 'PENDING', attempts = greatest(attempts - 1, 0),"
	" locked_by = NULL, locked_until = NULL, updated_at = ok_now()"
	" WHERE locked_by = $1 AND status = 'PROCESSING'",
	1,
};

static const struct db_stmt st_next_due = {
	"jobq_next_due",
	"SELECT extract(epoch FROM least("
	"  (SELECT min(run_at) FROM background_job WHERE status = 'PENDING'),"
	"  (SELECT min(locked_until) FROM background_job WHERE status = 'PROCESSING')) - ok_now())",
	0,
};

static const struct db_stmt st_tasks = {
	"jobq_tasks",
	"INSERT INTO background_job (type, payload, run_at, unique_key, max_attempts, created_at,"
	"  updated_at)"
	" SELECT 'SCHEDULED_TASK', jsonb_build_object('task', t.name), p.at,"
	"  'task:' || t.name || '@' || ok_iso(p.at), 1, ok_now(), ok_now()"
	" FROM unnest($1::text[], $2::int[]) AS t(name, every)"
	" CROSS JOIN LATERAL (SELECT to_timestamp(floor(extract(epoch FROM ok_now()) / t.every)"
	"  * t.every) AS at) p"
	" ON CONFLICT (unique_key) DO NOTHING",
	2,
};

static const struct db_stmt st_escalate = {
	"jobq_escalate", "SELECT ok_escalate($1, $2, $3::int, $4::int, $5::boolean, $6::uuid[])", 6,
};
static const struct db_stmt st_unsnooze = { "jobq_unsnooze", "SELECT ok_unsnooze($1)", 1 };
static const struct db_stmt st_plan_notify = {
	"jobq_plan_notify", "SELECT ok_notify_plan($1, $2, $3)", 3,
};
static const struct db_stmt st_plan_status_page = {
	"jobq_plan_status_page", "SELECT ok_status_page_plan($1, $2, $3)", 3,
};
static const struct db_stmt st_delivery_load = {
	"jobq_delivery_load", "SELECT ok_delivery_load($1, $2::jsonb, $3)", 3,
};
static const struct db_stmt st_delivery_record = {
	"jobq_delivery_record", "SELECT ok_delivery_record($1::jsonb, $2::jsonb)", 2,
};

static const struct db_stmt st_sns_store = {
	"jobq_sns_store", "SELECT ok_sns_certificate_store($1, $2)", 2,
};

/* The periodic tasks' SQL, one constant statement each (sql/003_worker.sql). */
static const struct db_stmt task_stmts[] = {
	{ "task_escalation_sweep", "SELECT ok_task_escalation_sweep()", 0 },
	{ "task_unsnooze_sweep", "SELECT ok_task_unsnooze_sweep()", 0 },
	{ "task_sla_warnings", "SELECT ok_task_sla_warnings()", 0 },
	{ "task_cleanup", "SELECT ok_task_cleanup()", 0 },
	{ "task_idempotency_cleanup", "SELECT ok_idempotency_cleanup()", 0 },
	{ "task_rollup", "SELECT ok_task_rollup()", 0 }, /* sql/009_rollup.sql */
	{ "task_sla_snapshot", "SELECT ok_task_sla_snapshot()", 0 },
};

/* Runs a statement whose result is ignored. */
static int run(struct worker *w, const struct db_stmt *st, const char *const *params,
	struct db_error *err)
{
	PGresult *res = db_exec(w->db, st, params, err);

	if (!res)
		return -1;
	PQclear(res);
	return 0;
}

/* Runs a statement returning one jsonb cell; returns it parsed (caller puts it). */
static struct json_object *run_json(struct worker *w, const struct db_stmt *st,
	const char *const *params, struct db_error *err)
{
	struct json_object *v;

	return db_exec_json(w->db, st, params, &v, err) > 0 ? v : NULL;
}

/* Runs a statement returning one integer cell (NULL reads as 0). */
static int run_int(struct worker *w, const struct db_stmt *st, const char *const *params,
	struct db_error *err)
{
	PGresult *res = db_exec(w->db, st, params, err);

	if (!res)
		return -1;
	int v = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return v;
}

int jobq_claim(struct worker *w, int limit, struct jobq_row **out, struct db_error *err)
{
	char lim[16];
	const char *params[] = { w->id, lim };

	snprintf(lim, sizeof(lim), "%d", limit);
	PGresult *res = db_exec(w->db, &st_claim, params, err);
	if (!res)
		return -1;
	int n = PQntuples(res);
	*out = n ? xcalloc((size_t)n, sizeof(**out)) : NULL;
	for (int i = 0; i < n; i++) {
		struct jobq_row *r = &(*out)[i];
		snprintf(r->id, sizeof(r->id), "%s", PQgetvalue(res, i, 0));
		snprintf(r->type, sizeof(r->type), "%s", PQgetvalue(res, i, 1));
		r->attempts = atoi(PQgetvalue(res, i, 2));
		r->max_attempts = atoi(PQgetvalue(res, i, 3));
		r->payload = xstrdup(PQgetvalue(res, i, 4));
	}
	PQclear(res);
	return n;
}

void jobq_claimed_free(struct jobq_row *rows, int n)
{
	for (int i = 0; i < n; i++)
		free(rows[i].payload);
	free(rows);
}

int jobq_complete(struct worker *w, char (*ids)[37], size_t n, struct db_error *err)
{
	struct sbuf arr = SBUF_INIT;

	sbuf_addch(&arr, '{');
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&arr, "%s%s", i ? "," : "", ids[i]);
	sbuf_addch(&arr, '}');
	const char *params[] = { w->id, arr.buf };
	int rc = run(w, &st_complete, params, err);
	sbuf_release(&arr);
	return rc;
}

int jobq_retry(struct worker *w, const char *id, int max_attempts, double delay_s,
	const char *error, struct db_error *err)
{
	char max[16], delay[32];
	const char *params[] = { w->id, id, max, delay, error };

	snprintf(max, sizeof(max), "%d", max_attempts);
	snprintf(delay, sizeof(delay), "%.3f", delay_s);
	return run(w, &st_retry, params, err);
}

int jobq_fail(struct worker *w, const char *id, const char *error, struct db_error *err)
{
	const char *params[] = { w->id, id, "FAILED", error };
	return run(w, &st_fail, params, err);
}

int jobq_cancel(struct worker *w, const char *id, const char *why, struct db_error *err)
{
	const char *params[] = { w->id, id, "CANCELLED", why };
	return run(w, &st_fail, params, err);
}

int jobq_reschedule(struct worker *w, const char *id, const char *at, struct db_error *err)
{
	const char *params[] = { w->id, id, at };
	return run(w, &st_reschedule, params, err);
}

int jobq_release(struct worker *w, struct db_error *err)
{
	const char *params[] = { w->id };
	return run(w, &st_release, params, err);
}

double jobq_next_due(struct worker *w, struct db_error *err)
{
	PGresult *res = db_exec(w->db, &st_next_due, NULL, err);

	if (!res)
		return -2;
	double s = PQgetisnull(res, 0, 0) ? -1 : atof(PQgetvalue(res, 0, 0));
	PQclear(res);
	return s < 0 && s != -1 ? 0 : s;
}

int jobq_schedule_tasks(struct worker *w, const char *const *names, const int *every_s, size_t n,
	struct db_error *err)
{
	struct sbuf na = SBUF_INIT, ea = SBUF_INIT;

	sbuf_addch(&na, '{');
	sbuf_addch(&ea, '{');
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(&na, "%s%s", i ? "," : "", names[i]);
		sbuf_addf(&ea, "%s%d", i ? "," : "", every_s[i]);
	}
	sbuf_addch(&na, '}');
	sbuf_addch(&ea, '}');
	const char *params[] = { na.buf, ea.buf };
	int rc = run(w, &st_tasks, params, err);
	sbuf_release(&na);
	sbuf_release(&ea);
	return rc;
}

struct json_object *jobq_escalate(struct worker *w, const char *job_id, const char *incident,
	int step, int repeat, int scheduled, const char *oncall_array, struct db_error *err)
{
	char s[16], r[16];
	const char *params[] = { job_id, incident, s, r, scheduled ? "t" : "f", oncall_array };

	snprintf(s, sizeof(s), "%d", step);
	snprintf(r, sizeof(r), "%d", repeat);
	return run_json(w, &st_escalate, params, err);
}

struct json_object *jobq_unsnooze(struct worker *w, const char *incident, struct db_error *err)
{
	const char *params[] = { incident };
	return run_json(w, &st_unsnooze, params, err);
}

int jobq_plan(struct worker *w, const char *type, const char *job_id, const char *incident,
	const char *event, struct db_error *err)
{
	const char *params[] = { job_id, incident, event };
	return run_int(w, strcmp(type, "NOTIFY") ? &st_plan_status_page : &st_plan_notify, params,
		err);
}

struct json_object *jobq_delivery_load(struct worker *w, const char *job_id, const char *payload,
	struct db_error *err)
{
	const char *params[] = { job_id, payload, w->conf->app_url };
	return run_json(w, &st_delivery_load, params, err);
}

int jobq_delivery_record(struct worker *w, const char *payload, const char *results,
	struct db_error *err)
{
	const char *params[] = { payload, results };
	return run(w, &st_delivery_record, params, err);
}

int jobq_task(struct worker *w, const char *name, struct db_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(task_stmts); i++)
		if (!strcmp(task_stmts[i].name + 5, name))
			return run_int(w, &task_stmts[i], NULL, err);
	db_classify(NULL, err);
	snprintf(err->message, sizeof(err->message), "unknown task %s", name);
	return -1;
}

int jobq_sns_store(struct worker *w, const char *url, const char *pem, struct db_error *err)
{
	const char *params[] = { url, pem };
	return run(w, &st_sns_store, params, err);
}

int jobq_defer(struct worker *w, const char *id, double delay_s, const char *why,
	struct db_error *err)
{
	char delay[32];
	const char *params[] = { w->id, id, delay, why };

	snprintf(delay, sizeof(delay), "%.3f", delay_s);
	return run(w, &st_defer, params, err);
}
