/* health.c: liveness and readiness for load balancers, and /metrics for Prometheus. */
#include <string.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "db.h"
#include "ops.h"
#include "metrics.h"
#include "sbuf.h"

#define OK_BODY "{\"status\":\"ok\"}"
#define READY_BODY "{\"status\":\"ok\",\"database\":\"ok\"}"
#define DOWN_BODY "{\"status\":\"unavailable\",\"database\":\"unreachable\"}"

int health_get(struct req *rq, struct api_err *err)
{
	const char *mode = req_query(rq, "mode");
	struct db_error dberr = { 0 };

	if (!mode || !strcmp(mode, "liveness")) {
		resp_json(rq, 200, OK_BODY, strlen(OK_BODY));
		return 0;
	}
	if (strcmp(mode, "readiness"))
		return api_fail(err, 400, "invalid_parameter",
			"mode must be liveness or readiness");
	if (db_ping(rq->app->db, &dberr) < 0) {
		resp_json(rq, 503, DOWN_BODY, strlen(DOWN_BODY));
		resp_header(rq, "Retry-After", "%d", db_retry_after(rq->app->db));
		return 0;
	}
	resp_json(rq, 200, READY_BODY, strlen(READY_BODY));
	return 0;
}

int health_metrics(struct req *rq, struct api_err *err)
{
	struct sbuf sb = SBUF_INIT;
	struct db_error dberr = { 0 };
	struct json_object *gauges = NULL;

	if (rq->app->metrics)
		metrics_render(rq->app->metrics, router_label, &sb);
	if (ops_gauges(rq->app->db, &rq->arena, &gauges, &dberr) < 0)
		gauges = NULL; /* still answer: opsknight_database_up 0 says why gauges are missing */
	metrics_render_gauges(gauges, &sb);
	resp_json(rq, 200, sb.buf, sb.len);
	rq->content_type = "text/plain; version=0.0.4; charset=utf-8";
	sbuf_release(&sb);
	return 0;
}
