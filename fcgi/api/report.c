/* report.c: GET /reports/executive — a self-contained HTML page (inline CSS, no script, no
 * external asset) with SVG charts drawn by the server from the analytics metrics. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "analytics.h"
#include "req.h"
#include "resp.h"
#include "json.h"
#include "sbuf.h"
#include "svg.h"

#define CHART_W 720
#define CHART_H 240
#define HEATMAP_DAYS 365

static const char style[] =
	"body{font:14px system-ui,sans-serif;margin:24px;color:#111;background:#fff}"
	"h1{font-size:22px;margin:0 0 4px}.sub{color:#555;margin-bottom:16px}"
	".kpis{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}"
	".kpi{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}"
	".kpi b{display:block;font-size:20px}section{margin:16px 0}"
	".chart text{font-size:11px;fill:#333}.chart .t{font-size:13px;font-weight:600}"
	".chart .y{text-anchor:end}.chart .x{text-anchor:middle}"
	".chart .ax{stroke:#999}.chart .grid{stroke:#eee}";

/* v of key, NaN when absent or null. */
static double val(struct json_object *o, const char *key)
{
	struct json_object *v = json_get(o, key);
	return v ? json_object_get_double(v) : NAN;
}

/* The values of key over the array arr, and (when labels) the strings of lkey. */
static double *column(struct req *rq, struct json_object *arr, const char *key, const char *lkey,
	const char ***labels)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	double *v = arena_alloc(&rq->arena, (n ? n : 1) * sizeof(*v));
	if (labels)
		*labels = arena_alloc(&rq->arena, (n ? n : 1) * sizeof(**labels));
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		v[i] = val(e, key);
		if (labels) {
			const char *l = json_get_str(e, lkey, NULL);
			(*labels)[i] = l ? l : "";
		}
	}
	return v;
}

static void tile(struct sbuf *sb, const char *name, double v, const char *unit)
{
	sbuf_addf(sb, "<div class=\"kpi\">%s<b>", name);
	if (isnan(v))
		sbuf_addf(sb, "n/a");
	else
		sbuf_addf(sb, v == floor(v) ? "%.0f%s" : "%.2f%s", v, unit);
	sbuf_addf(sb, "</b></div>");
}

/* Days since the epoch of "YYYY-MM-DD", or -1. */
static long day_number(const char *s)
{
	struct tm tm = {0};
	if (!s || sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (long)(timegm(&tm) / 86400);
}

static void heatmap(struct req *rq, struct sbuf *sb, struct json_object *d)
{
	struct json_object *arr = json_get(d, "heatmap_data");
	const char *end = json_get_str(json_get(d, "window"), "effective_end", NULL);
	long last = day_number(end), first = last - (HEATMAP_DAYS - 1);
	double *counts = arena_calloc(&rq->arena, HEATMAP_DAYS * sizeof(*counts));

	for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		long k = day_number(json_get_str(e, "date", NULL)) - first;
		if (k >= 0 && k < HEATMAP_DAYS)
			counts[k] = val(e, "count");
	}
	/* 1970-01-01 was a Thursday (4) */
	svg_heatmap(sb, "Incidents per day, last 365 days (UTC)", counts, HEATMAP_DAYS,
		(int)(((first % 7) + 7 + 4) % 7));
}

static void render(struct req *rq, struct json_object *d)
{
	struct sbuf *sb = &rq->out;
	struct json_object *w = json_get(d, "window");
	struct json_object *trend = json_get(d, "trend_series");
	const char **labels;
	size_t nt = trend ? json_object_array_length(trend) : 0;

	sbuf_reset(sb);
	sbuf_addf(sb,
		"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<title>OpsKnight executive report</title><style>%s</style></head><body>"
		"<h1>Executive report</h1><div class=\"sub\">",
		style);
	svg_escape(sb, json_get_str(w, "effective_start", NULL));
	sbuf_addf(sb, " &#8594; ");
	svg_escape(sb, json_get_str(w, "effective_end", NULL));
	sbuf_addf(sb, " &#183; source ");
	svg_escape(sb, json_get_str(d, "source", NULL));
	if (json_object_get_boolean(json_get(w, "is_clipped")))
		sbuf_addf(sb, " &#183; window clipped to the %d-day retention",
			json_object_get_int(json_get(w, "retention_days")));
	sbuf_addf(sb, "</div><div class=\"kpis\">");
	tile(sb, "Incidents", val(d, "total_incidents"), "");
	tile(sb, "MTTA", val(d, "mtta"), " min");
	tile(sb, "MTTR", val(d, "mttr"), " min");
	tile(sb, "Ack SLA", val(d, "ack_compliance"), "%");
	tile(sb, "Resolve SLA", val(d, "resolve_compliance"), "%");
	tile(sb, "Active now", val(d, "active_incidents"), "");
	sbuf_addf(sb, "</div>");

	double *counts = column(rq, trend, "count", "label", &labels);
	sbuf_addf(sb, "<section id=\"incident-trend\">");
	svg_bars(sb, "Incidents", labels, counts, nt, CHART_W, CHART_H);
	const double *series[] = {
		column(rq, trend, "mtta", NULL, NULL), column(rq, trend, "mttr", NULL, NULL)};
	static const char *const names[] = {"MTTA (min)", "MTTR (min)"};
	sbuf_addf(sb, "</section><section id=\"response-trend\">");
	svg_lines(sb, "MTTA / MTTR", labels, series, names, 2, nt, CHART_W, CHART_H);

	struct json_object *sla = json_get(d, "service_sla_table");
	const char **snames;
	double *ack = column(rq, sla, "ack_compliance", "name", &snames);
	double *res = column(rq, sla, "resolve_compliance", NULL, NULL);
	sbuf_addf(sb, "</section><section id=\"sla-by-service\">");
	svg_hbars(sb, "SLA compliance per service", snames, ack, res, "Ack SLA %", "Resolve SLA %",
		sla ? json_object_array_length(sla) : 0, CHART_W);

	struct json_object *mix = json_get(d, "status_mix");
	const char **statuses;
	double *mixv = column(rq, mix, "count", "status", &statuses);
	sbuf_addf(sb, "</section><section id=\"status-mix\">");
	svg_stack(
		sb, "Status mix", statuses, mixv, mix ? json_object_array_length(mix) : 0, CHART_W);
	sbuf_addf(sb, "</section><section id=\"heatmap\">");
	heatmap(rq, sb, d);
	sbuf_addf(sb, "</section></body></html>\n");
}

int report_executive(struct req *rq, struct api_err *err)
{
	struct json_object *data, *f;

	if (analytics_compute(rq, NULL, NULL, &data, &f, err) < 0)
		return -1;
	render(rq, data);
	rq->status = 200;
	rq->content_type = "text/html; charset=utf-8";
	resp_header(rq, "Content-Security-Policy",
		"default-src 'none'; style-src 'unsafe-inline'; img-src data:");
	return 0;
}
