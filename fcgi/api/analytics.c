/* analytics.c: the SLA/analytics surfaces (spec §6.1, §6.5, appendix §C; issue 6): the metrics
 * as JSON, the sectioned CSV export, and the executive report page (report.c renders it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "analytics.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "oncall.h"
#include "sbuf.h"
#include "sla.h"
#include "wrapper.h"

#define WINDOW_MAX 3650	       /* days; longer windows are refused, retention clips the rest */
#define INCIDENT_LIMIT_MAX 500 /* recent_incidents of the JSON answer */
#define EXPORT_ROWS 10000      /* the detailed incident list of the CSV export (appendix §C) */

static const char *const statuses[] = {
	"OPEN", "ACKNOWLEDGED", "RESOLVED", "SNOOZED", "SUPPRESSED", NULL};
static const char *const urgencies[] = {"LOW", "MEDIUM", "HIGH", NULL};
static const char *const priorities[] = {"P1", "P2", "P3", "P4", "P5", NULL};
static const char *const visibilities[] = {"PUBLIC", "PRIVATE", "ALL", NULL};
static const char *const includes[] = {"incidents", "description", NULL};

enum pkind { P_UUIDS, P_UUID, P_ONE_OF, P_LIST_OF, P_INT, P_TEXT, P_ZONE };

/* The filters every analytics surface takes: the query name, an alias (the export's names of
 * appendix §C), the key of the filter object given to ok_analytics, and how it is checked. */
static const struct param {
	const char *name;
	const char *alias;
	const char *key;
	enum pkind kind;
	const char *const *allowed;
	int min, max;
} params[] = {
	{"service_id", "service", "service_ids", P_UUIDS, NULL, 0, 0},
	{"team_id", "team", "team_ids", P_UUIDS, NULL, 0, 0},
	{"assignee_id", "assignee", "assignee_id", P_UUID, NULL, 0, 0},
	{"urgency", NULL, "urgency", P_ONE_OF, urgencies, 0, 0},
	{"status", NULL, "status", P_ONE_OF, statuses, 0, 0},
	{"priority", NULL, "priority", P_ONE_OF, priorities, 0, 0},
	{"visibility", NULL, "visibility", P_ONE_OF, visibilities, 0, 0},
	{"start", NULL, "start", P_TEXT, NULL, 0, 0},
	{"end", NULL, "end", P_TEXT, NULL, 0, 0},
	{"window", "window_days", "window_days", P_INT, NULL, 1, WINDOW_MAX},
	{"tz", "time_zone", "time_zone", P_ZONE, NULL, 0, 0},
	{"include", NULL, "include", P_LIST_OF, includes, 0, 0},
	{"incident_limit", NULL, "incident_limit", P_INT, NULL, 1, INCIDENT_LIMIT_MAX},
};

static void put_json(void *o)
{
	json_object_put(o);
}

static const struct param *param_named(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(params); i++)
		if (!strcmp(params[i].name, name) ||
			(params[i].alias && !strcmp(params[i].alias, name)))
			return &params[i];
	return NULL;
}

/* Checks one parameter's value v and adds it to f (nothing for "" or "ALL": no filter). */
static int check_param(const struct param *p, const char *v, struct json_object *f, struct req *rq,
	struct api_err *err)
{
	char *end;

	if (!*v || (p->kind != P_TEXT && p->kind != P_ZONE && !strcasecmp(v, "ALL")))
		return 0;
	switch (p->kind) {
	case P_UUIDS: {
		struct json_object *arr = json_object_new_array();
		json_object_object_add(f, p->key, arr);
		char *s = arena_strdup(&rq->arena, v), *save = NULL;
		for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (!crypto_is_uuid(t))
				return api_fail(err, 422, "invalid_parameter",
					"%s must be a UUID (or a comma-separated list of UUIDs)",
					p->name);
			json_object_array_add(arr, json_object_new_string(t));
		}
		if (!json_object_array_length(arr))
			json_object_object_del(f, p->key);
		return 0;
	}
	case P_UUID:
		if (!crypto_is_uuid(v))
			return api_fail(
				err, 422, "invalid_parameter", "%s must be a UUID", p->name);
		break;
	case P_ONE_OF:
		if (!str_in_list(v, p->allowed))
			return api_fail(err, 422, "invalid_parameter",
				"%s has an unknown value: %.64s", p->name, v);
		break;
	case P_LIST_OF: {
		struct json_object *arr = json_object_new_array();
		json_object_object_add(f, p->key, arr);
		char *s = arena_strdup(&rq->arena, v), *save = NULL;
		for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (!str_in_list(t, p->allowed))
				return api_fail(err, 422, "invalid_parameter",
					"%s has an unknown value: %.64s", p->name, t);
			json_object_array_add(arr, json_object_new_string(t));
		}
		return 0;
	}
	case P_INT: {
		long n = strtol(v, &end, 10);
		if (end == v || *end || n < p->min || n > p->max)
			return api_fail(err, 422, "invalid_parameter",
				"%s must be an integer between %d and %d", p->name, p->min, p->max);
		json_object_object_add(f, p->key, json_object_new_int((int)n));
		return 0;
	}
	case P_ZONE:
		if (!oncall_zone_valid(v))
			return api_fail(err, 422, "invalid_parameter",
				"%s is not a time zone of the tz database: %.64s", p->name, v);
		break;
	case P_TEXT:
		if (strlen(v) > 64)
			return api_fail(err, 422, "invalid_parameter", "%s is too long", p->name);
		break;
	}
	json_object_object_add(f, p->key, json_object_new_string(v));
	return 0;
}

/*
 * Reads the query string into a filter object for ok_analytics: every parameter must be one of
 * params or of extra (names the endpoint handles itself, e.g. "format"); a repeated parameter
 * or a bad value is refused (422 invalid_parameter naming it).
 */
static int read_filters(
	struct req *rq, const char *const *extra, struct json_object **out, struct api_err *err)
{
	struct json_object *f = json_object_new_object();
	arena_on_reset(&rq->arena, put_json, f);
	*out = f;
	char *q = arena_strdup(&rq->arena, rq->query), *save = NULL;
	for (char *t = strtok_r(q, "&", &save); t; t = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(t, '=');
		size_t nlen = eq ? (size_t)(eq - t) : strlen(t);
		const char *name = req_urldecode(&rq->arena, t, nlen);
		const char *val = eq ? req_urldecode(&rq->arena, eq + 1, strlen(eq + 1)) : "";
		if (extra && str_in_list(name, extra))
			continue;
		const struct param *p = param_named(name);
		if (!p)
			return api_fail(
				err, 422, "invalid_parameter", "unknown parameter: %.64s", name);
		if (json_object_object_get_ex(f, p->key, NULL))
			return api_fail(
				err, 422, "invalid_parameter", "%s is given twice", p->name);
		if (check_param(p, val, f, rq, err) < 0)
			return -1;
	}
	return 0;
}

int analytics_compute(struct req *rq, const char *const *extra, struct json_object *set,
	struct json_object **data, struct json_object **filters, struct api_err *err)
{
	struct principal who;
	struct sla_result r;
	struct db_error dberr = {0};
	struct json_object *f;

	if (auth_require(rq, APIKEY_ANALYTICS_READ, &who, err) < 0 ||
		read_filters(rq, extra, &f, err) < 0)
		return -1;
	if (set) {
		json_object_object_foreach(set, k, v)
		{
			json_object_object_add(f, k, json_object_get(v));
		}
	}
	if (sla_analytics(rq->app->db, &rq->arena, who.key_id,
		    json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN), &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return api_fail(err, r.http, r.error, "%s", r.message);
	*data = r.data;
	*filters = f;
	return 0;
}

/* GET /api/analytics and GET /api/reports/metrics: {"data": metrics, "filters": applied}. */
int analytics_get(struct req *rq, struct api_err *err)
{
	struct json_object *data, *f;

	if (analytics_compute(rq, NULL, NULL, &data, &f, err) < 0)
		return -1;
	struct json_object *root = json_object_new_object();
	json_object_object_add(root, "data", json_object_get(data));
	json_object_object_add(root, "filters", json_object_get(f));
	resp_json_obj(rq, 200, root);
	json_object_put(root);
	resp_header(rq, "Cache-Control", "private, no-store");
	return 0;
}

/* --- the sectioned CSV of appendix §C ----------------------------------------------------- */

static double num(struct json_object *o, const char *key, int *present)
{
	struct json_object *v = json_get(o, key);
	if (present)
		*present = v != NULL;
	return v ? json_object_get_double(v) : 0;
}

static const char *str(struct json_object *o, const char *key)
{
	return json_get_str(o, key, NULL);
}

/* A KPI's status word: good when v is on the good side of good, review up to warn. */
static const char *grade(double v, double good, double warn, int lower_is_better)
{
	if (lower_is_better ? v < good : v >= good)
		return "[OK] Good";
	if (lower_is_better ? v < warn : v >= warn)
		return "[!] Review";
	return "[X] Needs Attention";
}

static void kpi(struct sbuf *sb, struct arena *a, const char *name, struct json_object *d,
	const char *key, const char *unit, double good, double warn, int lower)
{
	int has;
	double v = num(d, key, &has);
	const char *cells[] = {name, has ? arena_printf(a, "%.1f%s", v, unit) : "N/A",
		has ? grade(v, good, warn, lower) : "-"};
	sla_csv_row(sb, cells, 3);
}

static void count_kpi(struct sbuf *sb, struct arena *a, const char *name, double v, double high)
{
	const char *cells[] = {name, arena_printf(a, "%.0f", v),
		high <= 0  ? ""
		: v > high ? "[!] High"
			   : "[OK] Normal"};
	sla_csv_row(sb, cells, 3);
}

static void section(struct sbuf *sb, const char *title, const char *const *head, int n)
{
	sbuf_addf(sb, "\r\n%s\r\n", title);
	if (head)
		sla_csv_row(sb, head, n);
}

/* Rows of [Rank,] label, count, percentage of total and a text bar, one per element of arr. */
static void share_rows(struct req *rq, struct json_object *arr, const char *label, double total,
	int width, int ranked)
{
	struct arena *a = &rq->arena;

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		double c = num(e, "count", NULL), pct = total > 0 ? c * 100 / total : 0;
		struct sbuf bar = SBUF_INIT;
		sla_csv_bar(&bar, pct, width);
		const char *cells[] = {arena_printf(a, "%zu", i + 1), str(e, label),
			arena_printf(a, "%.0f", c), arena_printf(a, "%.1f%%", pct),
			arena_strdup(a, bar.buf)};
		sbuf_release(&bar);
		sla_csv_row(&rq->out, cells + !ranked, 5 - !ranked);
	}
}

static void render_csv(struct req *rq, struct json_object *d, struct json_object *f)
{
	struct arena *a = &rq->arena;
	struct sbuf *sb = &rq->out;
	struct json_object *w = json_get(d, "window");
	double total = num(d, "total_incidents", NULL);

	sbuf_reset(sb);
	sbuf_add(sb, "\xEF\xBB\xBF", 3); /* UTF-8 BOM: spreadsheets read the text as UTF-8 */
	sbuf_addf(sb, "OpsKnight Analytics Report\r\n");
	const char *gen[] = {"Report Generated:", str(w, "effective_end")};
	sla_csv_row(sb, gen, 2);
	struct json_object *wd = json_get(f, "window_days");
	int days = wd ? json_object_get_int(wd) : 7;
	const char *tw[] = {"Time Window:",
		json_get(f, "start") || json_get(f, "end")
			? "Custom range"
			: arena_printf(a, "Last %d day%s", days, days == 1 ? "" : "s")};
	sla_csv_row(sb, tw, 2);
	const char *per[] = {"Report Period:",
		arena_printf(a, "%s to %s", str(w, "effective_start"), str(w, "effective_end"))};
	sla_csv_row(sb, per, 2);
	const char *src[] = {"Data Source:", str(d, "source")};
	sla_csv_row(sb, src, 2);
	if (json_object_get_boolean(json_get(w, "is_clipped"))) {
		const char *rn[] = {"Retention Note:",
			arena_printf(a,
				"window clipped to the %d-day incident retention (requested %s to "
				"%s)",
				json_object_get_int(json_get(w, "retention_days")),
				str(w, "requested_start"), str(w, "requested_end"))};
		sla_csv_row(sb, rn, 2);
	}

	static const char *const fh[] = {"Filter", "Value"};
	section(sb, "FILTERS APPLIED", fh, 2);
	static const char *const fnames[][2] = {{"service_ids", "Service"}, {"team_ids", "Team"},
		{"assignee_id", "Assignee"}, {"status", "Status"}, {"urgency", "Urgency"},
		{"priority", "Priority"}, {"visibility", "Visibility"}};
	int nf = 0;
	for (size_t i = 0; i < ARRAY_SIZE(fnames); i++) {
		struct json_object *v = json_get(f, fnames[i][0]);
		if (!v)
			continue;
		const char *cells[] = {fnames[i][1],
			json_object_is_type(v, json_type_array)
				? arena_strdup(a,
					  json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN))
				: json_object_get_string(v)};
		sla_csv_row(sb, cells, 2);
		nf++;
	}
	if (!nf)
		sbuf_addf(sb, "No filters applied - showing all data\r\n");

	static const char *const kh[] = {"Metric", "Value", "Status"};
	section(sb, "KEY PERFORMANCE INDICATORS (KPIs)", kh, 3);
	count_kpi(sb, a, "Total Incidents", total, 0);
	count_kpi(sb, a, "Open Incidents", num(d, "open_incidents", NULL), 10);
	count_kpi(sb, a, "Resolved Incidents", num(d, "resolved_incidents", NULL), 0);
	count_kpi(sb, a, "High Urgency Incidents", num(d, "high_urgency_count", NULL), 5);
	kpi(sb, a, "MTTA", d, "mtta", "m", 15, 30, 1);
	kpi(sb, a, "MTTR", d, "mttr", "m", 120, 240, 1);
	kpi(sb, a, "Acknowledgment Rate", d, "ack_rate", "%", 90, 70, 0);
	kpi(sb, a, "Resolution Rate", d, "resolve_rate", "%", 80, 60, 0);
	kpi(sb, a, "Ack SLA Compliance", d, "ack_compliance", "%", 95, 80, 0);
	kpi(sb, a, "Resolve SLA Compliance", d, "resolve_compliance", "%", 95, 80, 0);

	static const char *const sh[] = {"Status", "Count", "Percentage", "Visual Bar"};
	section(sb, "INCIDENT STATUS BREAKDOWN", sh, 4);
	share_rows(rq, json_get(d, "status_mix"), "status", total, 30, 0);
	static const char *const th[] = {
		"Rank", "Service", "Incident Count", "Percentage", "Visual Bar"};
	section(sb, "TOP SERVICES BY INCIDENT COUNT", th, 5);
	share_rows(rq, json_get(d, "top_services"), "name", total, 25, 1);

	static const char *const ih[] = {"ID", "Title", "Service", "Status", "Urgency", "Assignee",
		"Created At", "Updated At", "Duration (hours)"};
	section(sb, "DETAILED INCIDENT LIST", ih, 9);
	struct json_object *list = json_get(d, "recent_incidents");
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *cells[] = {str(e, "id"), str(e, "title"), str(e, "service_name"),
			str(e, "status"), str(e, "urgency"), str(e, "assignee_name"),
			str(e, "created_local"), str(e, "updated_local"),
			arena_printf(a, "%.2f", num(e, "duration_hours", NULL))};
		sla_csv_row(sb, cells, 9);
	}
}

/* GET /api/analytics/export?format=csv|json (+ the filters): an attachment. */
int analytics_export(struct req *rq, struct api_err *err)
{
	static const char *const extra[] = {"format", NULL};
	const char *format = req_query(rq, "format");
	struct json_object *data, *f;

	if (!format)
		format = "csv";
	struct json_object *set = json_object_new_object();
	arena_on_reset(&rq->arena, put_json, set);
	struct json_object *inc = json_object_new_array();
	json_object_array_add(inc, json_object_new_string("incidents"));
	json_object_object_add(set, "include", inc);
	json_object_object_add(set, "incident_limit", json_object_new_int(EXPORT_ROWS));
	/* the export always lists incidents (include and incident_limit are overridden) */
	if (analytics_compute(rq, extra, set, &data, &f, err) < 0)
		return -1;
	if (strcmp(format, "csv") && strcmp(format, "json")) /* after auth: 401 comes first */
		return api_fail(err, 422, "invalid_parameter", "format must be csv or json");
	const char *day =
		arena_strndup(&rq->arena, str(json_get(data, "window"), "effective_end"), 10);
	if (!strcmp(format, "json")) {
		struct json_object *root = json_object_new_object();
		json_object_object_add(root, "data", json_object_get(data));
		json_object_object_add(root, "filters", json_object_get(f));
		resp_json_obj(rq, 200, root);
		json_object_put(root);
	} else {
		render_csv(rq, data, f);
		rq->status = 200;
		rq->content_type = "text/csv; charset=utf-8";
	}
	resp_header(rq, "Content-Disposition", "attachment; filename=\"analytics-report-%s.%s\"",
		day, format);
	return 0;
}
