/* job_sns_cert.c: SNS_CERT: fetch an SNS signing certificate (PEM) for the responders. */
#include <stdio.h>
#include <string.h>

#include "worker.h"
#include "jobq.h"
#include "http.h"
#include "arena.h"
#include "db.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"

static void on_done(const struct http_response *r, void *arg)
{
	struct job *j = arg;
	struct db_error err = { 0 };
	char why[160];

	if (r->error) {
		snprintf(why, sizeof(why), "SigningCertURL: %s", r->error);
		job_finish(j, r->retryable ? JOB_RETRY : JOB_FAIL, why, NULL);
		return;
	}
	char *pem = arena_strndup(&j->arena, r->body ? r->body : "", r->body ? r->body_len : 0);
	if (!strstr(pem, PEM_BEGIN)) {
		job_finish(j, JOB_FAIL, "SigningCertURL did not answer a PEM certificate", NULL);
		return;
	}
	if (jobq_sns_store(j->w, job_str(j, "url"), pem, &err) < 0)
		job_finish(j, JOB_RETRY, err.message, NULL);
	else
		job_finish(j, JOB_DONE, NULL, NULL);
}

void job_sns_cert_run(struct job *j)
{
	const char *url = job_str(j, "url");

	if (!url) {
		job_finish(j, JOB_FAIL, "payload.url is missing", NULL);
		return;
	}
	struct http_request rq = { .method = "GET", .url = url };
	http_send(j->w->http, &rq, on_done, j);
}
