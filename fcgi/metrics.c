/* metrics.c: a fixed table of counters in a MAP_SHARED mapping, updated with relaxed atomics
 * (no lock on the request path), rendered as Prometheus text. */
#include <string.h>
#include <sys/mman.h>
#include <json-c/json.h>

#include "metrics.h"
#include "sbuf.h"

static const int statuses[] = { 200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 415,
	422, 429, 500, 503 };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + "other" */

static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static const char *const actions[] = { "triggered", "deduplicated", "acknowledged", "resolved",
	"ignored", "other" };
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

struct route_counters {
	uint64_t by_status[NSTATUS];
	uint64_t bucket[NBOUNDS + 1]; /* per bucket, not cumulative; last = above every bound */
	uint64_t sum_us;
};

struct metrics {
	size_t map_len;
	int nroutes;
	uint64_t actions[NACTIONS];
	struct route_counters routes[];
};

struct metrics *metrics_new(int nroutes)
{
	size_t len = sizeof(struct metrics) + (size_t)nroutes * sizeof(struct route_counters);
	struct metrics *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		-1, 0);

	if (m == MAP_FAILED)
		return NULL;
	memset(m, 0, len);
	m->map_len = len;
	m->nroutes = nroutes;
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m)
		munmap(m, m->map_len);
}

static void add(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

static uint64_t get(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void metrics_observe(struct metrics *m, int route, int status, uint64_t usec)
{
	size_t s = NSTATUS - 1, b = NBOUNDS;

	if (!m || route < 0 || route >= m->nroutes)
		return;
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			s = i;
	for (size_t i = 0; i < NBOUNDS; i++)
		if ((double)usec <= bounds[i] * 1e6) {
			b = i;
			break;
		}
	struct route_counters *r = &m->routes[route];
	add(&r->by_status[s], 1);
	add(&r->bucket[b], 1);
	add(&r->sum_us, usec);
}

void metrics_count_action(struct metrics *m, const char *action)
{
	size_t a = NACTIONS - 1;

	if (!m)
		return;
	for (size_t i = 0; action && i < NACTIONS - 1; i++)
		if (!strcmp(actions[i], action))
			a = i;
	add(&m->actions[a], 1);
}

/* Appends s as a label value (backslash, quote and newline escaped). */
static void add_label(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			sbuf_addf(sb, "\\%c", *s);
		else if (*s == '\n')
			sbuf_addstr(sb, "\\n");
		else
			sbuf_add(sb, s, 1);
	}
}

static void add_route_labels(struct sbuf *sb, const char *method, const char *route)
{
	sbuf_addstr(sb, "method=\"");
	add_label(sb, method);
	sbuf_addstr(sb, "\",route=\"");
	add_label(sb, route);
	sbuf_addstr(sb, "\"");
}

void metrics_render(const struct metrics *m, metrics_label_fn *label, struct sbuf *sb)
{
	sbuf_addstr(sb, "# HELP opsknight_http_requests_total Requests answered, by route and "
			"status.\n# TYPE opsknight_http_requests_total counter\n");
	for (int i = 0; i < m->nroutes; i++) {
		const char *method, *route;
		label(i, &method, &route);
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t n = get(&m->routes[i].by_status[s]);
			if (!n)
				continue;
			sbuf_addstr(sb, "opsknight_http_requests_total{");
			add_route_labels(sb, method, route);
			if (s < NSTATUS - 1)
				sbuf_addf(sb, ",status=\"%d\"} %llu\n", statuses[s],
					(unsigned long long)n);
			else
				sbuf_addf(sb, ",status=\"other\"} %llu\n", (unsigned long long)n);
		}
	}
	sbuf_addstr(sb, "# HELP opsknight_http_request_duration_seconds Time from dispatch to "
			"response, by route.\n"
			"# TYPE opsknight_http_request_duration_seconds histogram\n");
	for (int i = 0; i < m->nroutes; i++) {
		const struct route_counters *r = &m->routes[i];
		uint64_t cum = 0, b[NBOUNDS + 1];
		const char *method, *route;

		for (size_t k = 0; k <= NBOUNDS; k++)
			b[k] = get(&r->bucket[k]);
		for (size_t k = 0; k <= NBOUNDS; k++)
			cum += b[k];
		if (!cum)
			continue;
		label(i, &method, &route);
		cum = 0;
		for (size_t k = 0; k <= NBOUNDS; k++) {
			cum += b[k];
			sbuf_addstr(sb, "opsknight_http_request_duration_seconds_bucket{");
			add_route_labels(sb, method, route);
			if (k < NBOUNDS)
				sbuf_addf(sb, ",le=\"%g\"} %llu\n", bounds[k], (unsigned long long)cum);
			else
				sbuf_addf(sb, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
		}
		sbuf_addstr(sb, "opsknight_http_request_duration_seconds_sum{");
		add_route_labels(sb, method, route);
		sbuf_addf(sb, "} %.6f\n", (double)get(&r->sum_us) / 1e6);
		sbuf_addstr(sb, "opsknight_http_request_duration_seconds_count{");
		add_route_labels(sb, method, route);
		sbuf_addf(sb, "} %llu\n", (unsigned long long)cum);
	}
	sbuf_addstr(sb, "# HELP opsknight_events_ingested_total Events ingested, by the action "
			"taken.\n# TYPE opsknight_events_ingested_total counter\n");
	for (size_t a = 0; a < NACTIONS; a++)
		sbuf_addf(sb, "opsknight_events_ingested_total{action=\"%s\"} %llu\n", actions[a],
			(unsigned long long)get(&m->actions[a]));
}

/* Appends name{l1="…",l2="…"} n for every element of arr (objects with l1, l2 and "n"). */
static void render_pairs(struct sbuf *sb, const char *name, const char *help,
	const struct json_object *arr, const char *l1, const char *l2)
{
	sbuf_addf(sb, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	if (!arr || !json_object_is_type((struct json_object *)arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *a, *b, *n;
		if (!json_object_object_get_ex(o, l1, &a) || !json_object_object_get_ex(o, l2, &b) ||
			!json_object_object_get_ex(o, "n", &n))
			continue;
		sbuf_addf(sb, "%s{%s=\"", name, l1);
		add_label(sb, json_object_get_string(a));
		sbuf_addf(sb, "\",%s=\"", l2);
		add_label(sb, json_object_get_string(b));
		sbuf_addf(sb, "\"} %lld\n", (long long)json_object_get_int64(n));
	}
}

void metrics_render_gauges(const struct json_object *g, struct sbuf *sb)
{
	struct json_object *o = (struct json_object *)g, *v;

	sbuf_addf(sb, "# HELP opsknight_database_up Whether the scrape could read the database.\n"
		      "# TYPE opsknight_database_up gauge\nopsknight_database_up %d\n",
		g ? 1 : 0);
	if (!g)
		return;
	render_pairs(sb, "opsknight_jobs", "Background jobs, by type and state.",
		json_object_object_get_ex(o, "jobs", &v) ? v : NULL, "type", "status");
	sbuf_addstr(sb, "# HELP opsknight_job_queue_depth PENDING jobs that are due.\n"
			"# TYPE opsknight_job_queue_depth gauge\n");
	sbuf_addf(sb, "opsknight_job_queue_depth %lld\n",
		json_object_object_get_ex(o, "queue_depth", &v) ?
			(long long)json_object_get_int64(v) : 0LL);
	sbuf_addstr(sb, "# HELP opsknight_job_oldest_due_age_seconds Age of the oldest due "
			"PENDING job.\n# TYPE opsknight_job_oldest_due_age_seconds gauge\n");
	sbuf_addf(sb, "opsknight_job_oldest_due_age_seconds %.3f\n",
		json_object_object_get_ex(o, "oldest_due_age", &v) ? json_object_get_double(v) :
								     0.0);
	render_pairs(sb, "opsknight_notifications", "Notifications, by channel and outcome.",
		json_object_object_get_ex(o, "notifications", &v) ? v : NULL, "channel", "status");
}
