/* jobs.c: the dead-letter view of background jobs and their retry (admin scope). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "ops.h"
#include "wrapper.h"

#define JOBS_LIMIT_DEFAULT 50
#define JOBS_LIMIT_MAX 200

static const char *const job_statuses[] = { "PENDING", "PROCESSING", "COMPLETED", "FAILED",
	"CANCELLED" };
static const char *const job_types[] = { "ESCALATION", "NOTIFY", "STATUS_PAGE", "NOTIFICATION",
	"AUTO_UNSNOOZE", "SCHEDULED_TASK", "SNS_CONFIRM", "SNS_CERT" };

/* The table's spelling of s (case-insensitive match), or NULL. */
static const char *lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(names[i], s))
			return names[i];
	return NULL;
}

int jobs_list(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct ops_page pg = { JOBS_LIMIT_DEFAULT, NULL };
	struct db_error dberr = { 0 };
	struct json_object *rows;
	const char *next, *status = "FAILED", *type = NULL, *s;
	char *end;

	if (auth_require(rq, APIKEY_ADMIN, &who, err) < 0)
		return -1;
	if ((s = req_query(rq, "status")) && !(status = lookup(job_statuses,
						    ARRAY_SIZE(job_statuses), s)))
		return api_fail(err, 400, "invalid_parameter",
			"status must be one of PENDING, PROCESSING, COMPLETED, FAILED, CANCELLED");
	if ((s = req_query(rq, "type")) && !(type = lookup(job_types, ARRAY_SIZE(job_types), s)))
		return api_fail(err, 400, "invalid_parameter", "type is not a known job type");
	if ((s = req_query(rq, "limit"))) {
		long n = strtol(s, &end, 10);
		if (!*s || *end || n < 1)
			return api_fail(err, 400, "invalid_parameter",
				"limit must be an integer from 1 to %d", JOBS_LIMIT_MAX);
		pg.limit = n > JOBS_LIMIT_MAX ? JOBS_LIMIT_MAX : (int)n;
	}
	pg.cursor = req_query(rq, "cursor");
	if (pg.cursor && !ops_cursor_valid(pg.cursor))
		return api_fail(err, 400, "invalid_parameter", "cursor is not one this API returned");
	if (ops_jobs_list(rq->app->db, &rq->arena, status, type, &pg, &rows, &next, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);

	struct json_object *root = json_object_new_object();
	json_object_object_add(root, "data", json_object_get(rows));
	json_object_object_add(root, "next_cursor", next ? json_object_new_string(next) : NULL);
	resp_json_obj(rq, 200, root);
	json_object_put(root);
	resp_header(rq, "Cache-Control", "private, no-store");
	return 0;
}

int jobs_retry(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = { 0 };
	struct json_object *job;
	const char *status;

	if (auth_require(rq, APIKEY_ADMIN, &who, err) < 0)
		return -1;
	const char *id = req_path_param(rq, "id");
	if (!crypto_is_uuid(id)) /* names no job: the database is not asked */
		return api_fail(err, 404, "not_found", "job not found");
	int rc = ops_job_retry(rq->app->db, &rq->arena, id, &job, &status, &dberr);
	if (rc < 0)
		return api_fail_db(rq, &dberr, err);
	if (rc == 1)
		return api_fail(err, 404, "not_found", "job not found");
	if (rc == 2)
		return api_fail(err, 409, "job_not_failed",
			"job is %s; only FAILED jobs can be retried", status);

	struct json_object *root = json_object_new_object();
	json_object_object_add(root, "data", json_object_get(job));
	resp_json_obj(rq, 200, root);
	json_object_put(root);
	return 0;
}
