/* job_sns_confirm.c: SNS_CONFIRM: visit an SNS SubscribeURL (GET) to confirm a subscription. */
#include <stdio.h>

#include "worker.h"
#include "http.h"
#include "log.h"

static void on_done(const struct http_response *r, void *arg)
{
	struct job *j = arg;
	char why[160];

	if (!r->error) {
		log_msg(LOG_INFO, "SNS subscription confirmed", "integration",
			job_str(j, "integration_id"), NULL);
		job_finish(j, JOB_DONE, NULL, NULL);
		return;
	}
	snprintf(why, sizeof(why), "SubscribeURL: %s", r->error);
	job_finish(j, r->retryable ? JOB_RETRY : JOB_FAIL, why, NULL);
}

void job_sns_confirm_run(struct job *j)
{
	const char *url = job_str(j, "url");

	if (!url) {
		job_finish(j, JOB_FAIL, "payload.url is missing", NULL);
		return;
	}
	struct http_request rq = { .method = "GET", .url = url };
	http_send(j->w->http, &rq, on_done, j);
}
