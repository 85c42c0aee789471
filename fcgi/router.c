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
#include "api/resources.h"
#include "metrics.h"

static const struct route routes[] = {
	{ "POST", "/v2/enqueue", events_enqueue, ERR_PAGERDUTY, NULL },
	{ "POST", "/v2/change/enqueue", events_change_enqueue, ERR_PAGERDUTY, NULL },
	{ "POST", "/api/integrations/pagerduty", events_enqueue, ERR_PAGERDUTY, NULL },
	{ "POST", "/api/integrations/pagerduty/v2/enqueue", events_enqueue, ERR_PAGERDUTY, NULL },
	{ "POST", "/api/integrations/:name", integrations_post, ERR_NATIVE, NULL }, /* after pagerduty */
	{ "POST", "/api/events", events_native, ERR_NATIVE, NULL },
	{ "GET", "/api/health", health_get, ERR_NATIVE, NULL },
	{ "GET", "/api/schedules/:id/oncall", schedules_oncall, ERR_NATIVE, NULL },
	{ "GET", "/api/oncall", schedules_oncall_all, ERR_NATIVE, NULL },
	{ "GET", "/api/incidents", incidents_list_get, ERR_NATIVE, NULL },
	{ "POST", "/api/incidents", incidents_create, ERR_NATIVE, NULL },
	{ "POST", "/api/incidents/bulk/acknowledge", incidents_bulk_acknowledge, ERR_NATIVE, NULL },
	{ "POST", "/api/incidents/bulk/resolve", incidents_bulk_resolve, ERR_NATIVE, NULL },
	{ "GET", "/api/incidents/export", incidents_export, ERR_NATIVE, NULL }, /* before :id */
	{ "GET", "/api/incidents/:id", incidents_get_one, ERR_NATIVE, NULL }, /* after the exact paths */
	{ "PATCH", "/api/incidents/:id", incidents_patch, ERR_NATIVE, NULL },
	{ "POST", "/api/incidents/:id/notes", incidents_note, ERR_NATIVE, NULL },
	{ "POST", "/api/incidents/:id/snooze", incidents_snooze, ERR_NATIVE, NULL },
	{ "POST", "/api/incidents/:id/acknowledge", incidents_acknowledge, ERR_NATIVE, NULL },
	{ "POST", "/api/incidents/:id/resolve", incidents_resolve, ERR_NATIVE, NULL },
	{ "POST", "/api/logs/ingest", logs_ingest, ERR_NATIVE, NULL },
	{ "GET", "/api/public-logs", logs_list, ERR_NATIVE, NULL },
	{ "GET", "/api/jobs", jobs_list, ERR_NATIVE, NULL },
	{ "POST", "/api/jobs/:id/retry", jobs_retry, ERR_NATIVE, NULL },
	{ "GET", "/metrics", health_metrics, ERR_NATIVE, NULL },
	{ "GET", "/api/metrics", health_metrics, ERR_NATIVE, NULL },
	/* issue 6: rollups, retention, SLA compliance */
	{ "POST", "/api/admin/rollups/backfill", rollups_backfill, ERR_NATIVE, NULL },
	{ "GET", "/api/admin/rollups/health", rollups_health, ERR_NATIVE, NULL },
	{ "GET", "/api/settings/retention", retention_get, ERR_NATIVE, NULL },
	{ "PUT", "/api/settings/retention", retention_put, ERR_NATIVE, NULL },
	{ "POST", "/api/settings/retention", retention_run, ERR_NATIVE, NULL },
	{ "GET", "/api/sla/compliance", sla_compliance, ERR_NATIVE, NULL },
	/* analytics (issue 6, SLA engine) */
	{ "GET", "/api/analytics", analytics_get, ERR_NATIVE, NULL },
	{ "GET", "/api/reports/metrics", analytics_get, ERR_NATIVE, NULL },
	{ "GET", "/api/analytics/export", analytics_export, ERR_NATIVE, NULL },
	{ "GET", "/reports/executive", report_executive, ERR_NATIVE, NULL },
	/* the configuration resources (api/resources.c), after /api/schedules/:id/oncall */
	{ "GET", "/api/services", rest_list, ERR_NATIVE, &rest_service },
	{ "POST", "/api/services", rest_create, ERR_NATIVE, &rest_service },
	{ "GET", "/api/services/:id", rest_get, ERR_NATIVE, &rest_service },
	{ "PATCH", "/api/services/:id", rest_patch, ERR_NATIVE, &rest_service },
	{ "DELETE", "/api/services/:id", rest_delete, ERR_NATIVE, &rest_service },
	{ "GET", "/api/services/:service_id/integrations", rest_list, ERR_NATIVE, &rest_integration },
	{ "POST", "/api/services/:service_id/integrations", rest_create, ERR_NATIVE, &rest_integration },
	{ "POST", "/api/services/:service_id/integrations/:id/rotate-key", integrations_rotate_key, ERR_NATIVE, &rest_integration },
	{ "POST", "/api/services/:service_id/integrations/:id/rotate-secret", integrations_rotate_secret, ERR_NATIVE, &rest_integration },
	{ "GET", "/api/services/:service_id/integrations/:id", rest_get, ERR_NATIVE, &rest_integration },
	{ "PATCH", "/api/services/:service_id/integrations/:id", rest_patch, ERR_NATIVE, &rest_integration },
	{ "DELETE", "/api/services/:service_id/integrations/:id", rest_delete, ERR_NATIVE, &rest_integration },
	{ "GET", "/api/services/:service_id/webhooks", rest_list, ERR_NATIVE, &rest_webhook },
	{ "POST", "/api/services/:service_id/webhooks", rest_create, ERR_NATIVE, &rest_webhook },
	{ "GET", "/api/services/:service_id/webhooks/:id", rest_get, ERR_NATIVE, &rest_webhook },
	{ "PATCH", "/api/services/:service_id/webhooks/:id", rest_patch, ERR_NATIVE, &rest_webhook },
	{ "DELETE", "/api/services/:service_id/webhooks/:id", rest_delete, ERR_NATIVE, &rest_webhook },
	{ "GET", "/api/teams", rest_list, ERR_NATIVE, &rest_team },
	{ "POST", "/api/teams", rest_create, ERR_NATIVE, &rest_team },
	{ "GET", "/api/teams/:id", rest_get, ERR_NATIVE, &rest_team },
	{ "PATCH", "/api/teams/:id", rest_patch, ERR_NATIVE, &rest_team },
	{ "DELETE", "/api/teams/:id", rest_delete, ERR_NATIVE, &rest_team },
	{ "GET", "/api/teams/:team_id/members", rest_list, ERR_NATIVE, &rest_team_member },
	{ "POST", "/api/teams/:team_id/members", rest_create, ERR_NATIVE, &rest_team_member },
	{ "GET", "/api/teams/:team_id/members/:user_id", rest_get, ERR_NATIVE, &rest_team_member },
	{ "PATCH", "/api/teams/:team_id/members/:user_id", rest_patch, ERR_NATIVE, &rest_team_member },
	{ "DELETE", "/api/teams/:team_id/members/:user_id", rest_delete, ERR_NATIVE, &rest_team_member },
	{ "GET", "/api/users", rest_list, ERR_NATIVE, &rest_user },
	{ "POST", "/api/users", rest_create, ERR_NATIVE, &rest_user },
	{ "GET", "/api/users/:id", rest_get, ERR_NATIVE, &rest_user },
	{ "PATCH", "/api/users/:id", rest_patch, ERR_NATIVE, &rest_user },
	{ "DELETE", "/api/users/:id", rest_delete, ERR_NATIVE, &rest_user },
	{ "GET", "/api/escalation-policies", rest_list, ERR_NATIVE, &rest_escalation_policy },
	{ "POST", "/api/escalation-policies", rest_create, ERR_NATIVE, &rest_escalation_policy },
	{ "GET", "/api/escalation-policies/:id", rest_get, ERR_NATIVE, &rest_escalation_policy },
	{ "PATCH", "/api/escalation-policies/:id", rest_patch, ERR_NATIVE, &rest_escalation_policy },
	{ "DELETE", "/api/escalation-policies/:id", rest_delete, ERR_NATIVE, &rest_escalation_policy },
	{ "GET", "/api/escalation-policies/:policy_id/rules", rest_list, ERR_NATIVE, &rest_escalation_rule },
	{ "POST", "/api/escalation-policies/:policy_id/rules", rest_create, ERR_NATIVE, &rest_escalation_rule },
	{ "GET", "/api/escalation-policies/:policy_id/rules/:id", rest_get, ERR_NATIVE, &rest_escalation_rule },
	{ "PATCH", "/api/escalation-policies/:policy_id/rules/:id", rest_patch, ERR_NATIVE, &rest_escalation_rule },
	{ "DELETE", "/api/escalation-policies/:policy_id/rules/:id", rest_delete, ERR_NATIVE, &rest_escalation_rule },
	{ "GET", "/api/schedules", rest_list, ERR_NATIVE, &rest_schedule },
	{ "POST", "/api/schedules", rest_create, ERR_NATIVE, &rest_schedule },
	{ "GET", "/api/schedules/:id", rest_get, ERR_NATIVE, &rest_schedule },
	{ "PATCH", "/api/schedules/:id", rest_patch, ERR_NATIVE, &rest_schedule },
	{ "DELETE", "/api/schedules/:id", rest_delete, ERR_NATIVE, &rest_schedule },
	{ "GET", "/api/schedules/:schedule_id/layers", rest_list, ERR_NATIVE, &rest_layer },
	{ "POST", "/api/schedules/:schedule_id/layers", rest_create, ERR_NATIVE, &rest_layer },
	{ "GET", "/api/schedules/:schedule_id/layers/:id", rest_get, ERR_NATIVE, &rest_layer },
	{ "PATCH", "/api/schedules/:schedule_id/layers/:id", rest_patch, ERR_NATIVE, &rest_layer },
	{ "DELETE", "/api/schedules/:schedule_id/layers/:id", rest_delete, ERR_NATIVE, &rest_layer },
	{ "GET", "/api/schedules/:schedule_id/layers/:layer_id/users", rest_list, ERR_NATIVE, &rest_layer_user },
	{ "POST", "/api/schedules/:schedule_id/layers/:layer_id/users", rest_create, ERR_NATIVE, &rest_layer_user },
	{ "GET", "/api/schedules/:schedule_id/layers/:layer_id/users/:user_id", rest_get, ERR_NATIVE, &rest_layer_user },
	{ "PATCH", "/api/schedules/:schedule_id/layers/:layer_id/users/:user_id", rest_patch, ERR_NATIVE, &rest_layer_user },
	{ "DELETE", "/api/schedules/:schedule_id/layers/:layer_id/users/:user_id", rest_delete, ERR_NATIVE, &rest_layer_user },
	{ "GET", "/api/schedules/:schedule_id/overrides", rest_list, ERR_NATIVE, &rest_override },
	{ "POST", "/api/schedules/:schedule_id/overrides", rest_create, ERR_NATIVE, &rest_override },
	{ "GET", "/api/schedules/:schedule_id/overrides/:id", rest_get, ERR_NATIVE, &rest_override },
	{ "PATCH", "/api/schedules/:schedule_id/overrides/:id", rest_patch, ERR_NATIVE, &rest_override },
	{ "DELETE", "/api/schedules/:schedule_id/overrides/:id", rest_delete, ERR_NATIVE, &rest_override },
	{ "GET", "/api/status-pages", rest_list, ERR_NATIVE, &rest_status_page },
	{ "POST", "/api/status-pages", rest_create, ERR_NATIVE, &rest_status_page },
	{ "GET", "/api/status-pages/:id", rest_get, ERR_NATIVE, &rest_status_page },
	{ "PATCH", "/api/status-pages/:id", rest_patch, ERR_NATIVE, &rest_status_page },
	{ "DELETE", "/api/status-pages/:id", rest_delete, ERR_NATIVE, &rest_status_page },
	{ "GET", "/api/status-pages/:status_page_id/services", rest_list, ERR_NATIVE, &rest_status_page_service },
	{ "POST", "/api/status-pages/:status_page_id/services", rest_create, ERR_NATIVE, &rest_status_page_service },
	{ "GET", "/api/status-pages/:status_page_id/services/:service_id", rest_get, ERR_NATIVE, &rest_status_page_service },
	{ "PATCH", "/api/status-pages/:status_page_id/services/:service_id", rest_patch, ERR_NATIVE, &rest_status_page_service },
	{ "DELETE", "/api/status-pages/:status_page_id/services/:service_id", rest_delete, ERR_NATIVE, &rest_status_page_service },
	{ "GET", "/api/status-pages/:status_page_id/webhooks", rest_list, ERR_NATIVE, &rest_status_page_webhook },
	{ "POST", "/api/status-pages/:status_page_id/webhooks", rest_create, ERR_NATIVE, &rest_status_page_webhook },
	{ "GET", "/api/status-pages/:status_page_id/webhooks/:id", rest_get, ERR_NATIVE, &rest_status_page_webhook },
	{ "PATCH", "/api/status-pages/:status_page_id/webhooks/:id", rest_patch, ERR_NATIVE, &rest_status_page_webhook },
	{ "DELETE", "/api/status-pages/:status_page_id/webhooks/:id", rest_delete, ERR_NATIVE, &rest_status_page_webhook },
	{ "GET", "/api/api-keys", rest_list, ERR_NATIVE, &rest_api_key },
	{ "POST", "/api/api-keys", rest_create, ERR_NATIVE, &rest_api_key },
	{ "GET", "/api/api-keys/:id", rest_get, ERR_NATIVE, &rest_api_key },
	{ "DELETE", "/api/api-keys/:id", rest_delete, ERR_NATIVE, &rest_api_key },
	{ "GET", "/api/sla-definitions", rest_list, ERR_NATIVE, &rest_sla_definition },
	{ "POST", "/api/sla-definitions", rest_create, ERR_NATIVE, &rest_sla_definition },
	{ "GET", "/api/sla-definitions/:id", rest_get, ERR_NATIVE, &rest_sla_definition },
	{ "PATCH", "/api/sla-definitions/:id", rest_patch, ERR_NATIVE, &rest_sla_definition },
	{ "DELETE", "/api/sla-definitions/:id", rest_delete, ERR_NATIVE, &rest_sla_definition },
	{ "GET", "/api/notifications", rest_list, ERR_NATIVE, &rest_notification },
	{ "POST", "/api/notifications/read", notifications_read, ERR_NATIVE, &rest_notification },
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
		rq->route = r;
		capture(r->path, rq);
		if (r->handler(rq, &err) == 0)
			return;
	}
	if (err.status >= 500)
		log_msg(LOG_ERROR, "request failed", "path", rq->path, "code", err.code, "detail",
			err.detail, NULL);
	router_render_error(rq, style, &err);
}
