/* router.c: the route table, dispatch, and rendering of errors in a route's style. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "router.h"
#include "req.h"
#include "resp.h"
#include "event.h"
#include "db.h"
#include "log.h"
#include "wrapper.h"
#include "api/api.h"
#include "metrics.h"

static const struct route routes[] = {
	{ "POST", "/v2/enqueue", events_enqueue, ERR_PAGERDUTY },
	{ "POST", "/v2/change/enqueue", events_change_enqueue, ERR_PAGERDUTY },
	{ "POST", "/api/integrations/pagerduty", events_enqueue, ERR_PAGERDUTY },
	{ "POST", "/api/integrations/pagerduty/v2/enqueue", events_enqueue, ERR_PAGERDUTY },
	{ "POST", "/api/integrations/:name", integrations_post, ERR_NATIVE }, /* after pagerduty */
	{ "POST", "/api/events", events_native, ERR_NATIVE },
	{ "GET", "/api/health", health_get, ERR_NATIVE },
	{ "GET", "/api/schedules/:id/oncall", schedules_oncall, ERR_NATIVE },
	{ "GET", "/api/oncall", schedules_oncall_all, ERR_NATIVE },
	{ "GET", "/api/incidents", incidents_list_get, ERR_NATIVE },
	{ "POST", "/api/incidents", incidents_create, ERR_NATIVE },
	{ "POST", "/api/incidents/bulk/acknowledge", incidents_bulk_acknowledge, ERR_NATIVE },
	{ "POST", "/api/incidents/bulk/resolve", incidents_bulk_resolve, ERR_NATIVE },
	{ "GET", "/api/incidents/:id", incidents_get_one, ERR_NATIVE }, /* after the exact paths */
	{ "PATCH", "/api/incidents/:id", incidents_patch, ERR_NATIVE },
	{ "POST", "/api/incidents/:id/notes", incidents_note, ERR_NATIVE },
	{ "POST", "/api/incidents/:id/snooze", incidents_snooze, ERR_NATIVE },
	{ "POST", "/api/incidents/:id/acknowledge", incidents_acknowledge, ERR_NATIVE },
	{ "POST", "/api/incidents/:id/resolve", incidents_resolve, ERR_NATIVE },
	{ "POST", "/api/logs/ingest", logs_ingest, ERR_NATIVE },
	{ "GET", "/api/public-logs", logs_list, ERR_NATIVE },
	{ "GET", "/api/jobs", jobs_list, ERR_NATIVE },
	{ "POST", "/api/jobs/:id/retry", jobs_retry, ERR_NATIVE },
	{ "GET", "/metrics", health_metrics, ERR_NATIVE },
	{ "GET", "/api/metrics", health_metrics, ERR_NATIVE },
	/* analytics (issue 6, SLA engine) */
	{ "GET", "/api/analytics", analytics_get, ERR_NATIVE },
	{ "GET", "/api/reports/metrics", analytics_get, ERR_NATIVE },
	{ "GET", "/api/analytics/export", analytics_export, ERR_NATIVE },
	{ "GET", "/reports/executive", report_executive, ERR_NATIVE },
};

int api_fail(struct api_err *e, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int api_fail_db(struct req *rq, const struct db_error *dberr, struct api_err *e)
{
	snprintf(e->detail, sizeof(e->detail), "%.5s %.240s", dberr->sqlstate, dberr->message);
	if (dberr->kind == DB_FAIL_UNAVAILABLE || dberr->kind == DB_FAIL_RETRY) {
		e->retry_after = db_retry_after(rq->app->db);
		return api_fail(e, 503, "database_unavailable", "Service temporarily unavailable");
	}
	return api_fail(e, 500, "internal", "internal error");
}

/* 1 when path matches pattern segment by segment (":x" matches one non-empty segment). */
static int path_match(const char *pattern, const char *path)
{
	while (*pattern && *path) {
		if (*pattern == ':') {
			if (*path == '/')
				return 0;
			while (*pattern && *pattern != '/')
				pattern++;
			while (*path && *path != '/')
				path++;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	/* tolerate one trailing slash */
	return !*pattern && (!*path || (path[0] == '/' && !path[1]));
}

const struct route *router_match(const char *method, const char *path, int *path_known)
{
	*path_known = 0;
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!path_match(routes[i].path, path))
			continue;
		if (!strcmp(routes[i].method, method))
			return &routes[i];
		*path_known = 1;
	}
	return NULL;
}

static void add_details(struct json_object *arr, const struct api_err *err)
{
	if (err->details && err->details->n) {
		for (int i = 0; i < err->details->n; i++)
			json_object_array_add(arr, json_object_new_string(err->details->msg[i]));
	} else {
		json_object_array_add(arr, json_object_new_string(err->msg));
	}
}

void router_render_error(struct req *rq, enum err_style style, const struct api_err *err)
{
	struct json_object *root = json_object_new_object();

	if (style == ERR_PAGERDUTY && err->status == 400) {
		struct json_object *errs = json_object_new_array();
		add_details(errs, err);
		json_object_object_add(root, "status", json_object_new_string("invalid event"));
		json_object_object_add(root, "message",
			json_object_new_string("Event object is invalid"));
		json_object_object_add(root, "errors", errs);
	} else if (style == ERR_PAGERDUTY) {
		json_object_object_add(root, "status", json_object_new_string("error"));
		json_object_object_add(root, "message", json_object_new_string(err->msg));
	} else {
		struct json_object *e = json_object_new_object();
		json_object_object_add(e, "code", json_object_new_string(err->code));
		json_object_object_add(e, "message", json_object_new_string(err->msg));
		if (err->details && err->details->n) {
			struct json_object *d = json_object_new_array();
			add_details(d, err);
			json_object_object_add(e, "details", d);
		}
		json_object_object_add(root, "error", e);
	}
	resp_json_obj(rq, err->status, root);
	json_object_put(root);
	if (err->retry_after > 0)
		resp_header(rq, "Retry-After", "%d", err->retry_after);
}

/* The methods routed for rq's path, comma-separated (arena). */
static const char *allowed_methods(struct req *rq)
{
	struct sbuf sb = SBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!path_match(routes[i].path, rq->path))
			continue;
		sbuf_addf(&sb, "%s%s", sb.len ? ", " : "", routes[i].method);
	}
	const char *s = arena_strdup(&rq->arena, sb.buf);
	sbuf_release(&sb);
	return s;
}

/* Records the ":name" segments of pattern as matched by rq's path. */
static void capture(const char *pattern, struct req *rq)
{
	const char *path = rq->path;

	while (*pattern && *path) {
		if (*pattern == ':') {
			const char *name = ++pattern, *value = path;
			while (*pattern && *pattern != '/')
				pattern++;
			while (*path && *path != '/')
				path++;
			if (rq->nparams < (int)ARRAY_SIZE(rq->param_name)) {
				rq->param_name[rq->nparams] =
					arena_strndup(&rq->arena, name, (size_t)(pattern - name));
				rq->param_value[rq->nparams++] =
					req_urldecode(&rq->arena, value, (size_t)(path - value));
			}
			continue;
		}
		pattern++;
		path++;
	}
}

int router_count(void)
{
	return (int)ARRAY_SIZE(routes);
}

void router_label(int i, const char **method, const char **path)
{
	if (i >= 0 && i < (int)ARRAY_SIZE(routes)) {
		*method = routes[i].method;
		*path = routes[i].path;
	} else {
		*method = "";
		*path = "unmatched";
	}
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void dispatch(struct req *rq, const struct route *r, int known);

void router_dispatch(struct req *rq)
{
	uint64_t t0 = now_us();
	int known;
	const struct route *r = router_match(rq->method, rq->path, &known);

	dispatch(rq, r, known);
	if (rq->app)
		metrics_observe(rq->app->metrics, r ? (int)(r - routes) : (int)ARRAY_SIZE(routes),
			rq->status, now_us() - t0);
}

static void dispatch(struct req *rq, const struct route *r, int known)
{
	struct api_err err = { 0 };
	enum err_style style = ERR_NATIVE;

	if (!r) {
		if (known) {
			api_fail(&err, 405, "method_not_allowed", "method %s is not allowed on %s",
				rq->method, rq->path);
			resp_header(rq, "Allow", "%s", allowed_methods(rq));
		} else {
			api_fail(&err, 404, "not_found", "no route for %s", rq->path);
		}
	} else {
		style = r->style;
		capture(r->path, rq);
		if (r->handler(rq, &err) == 0)
			return;
	}
	if (err.status >= 500)
		log_msg(LOG_ERROR, "request failed", "path", rq->path, "code", err.code, "detail",
			err.detail, NULL);
	router_render_error(rq, style, &err);
}
