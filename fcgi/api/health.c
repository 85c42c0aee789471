/* health.c: liveness and readiness for load balancers and the dev stack. */
#include <string.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "db.h"

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
