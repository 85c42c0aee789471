/* sla.c: the SLA/analytics engine: one SQL call for the metrics, the schedules for the on-call
 * part, and the CSV helpers of its export. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sla.h"
#include "arena.h"
#include "db.h"
#include "json.h"
#include "oncall.h"
#include "sbuf.h"
#include "schedule.h"

static const struct db_stmt stmt_analytics = {
	"sla_analytics",
	"SELECT ok_analytics($1::uuid, $2::jsonb)",
	2,
};

static const struct db_stmt stmt_shifts = {
	"sla_shift_incidents",
	"SELECT ok_analytics_shift_incidents(ARRAY(SELECT "
	"jsonb_array_elements_text($1::jsonb))::uuid[], "
	"$2::jsonb, $3::jsonb)",
	3,
};

static void put_json(void *root)
{
	json_object_put(root);
}

static int64_t get_ms(struct json_object *o, const char *key)
{
	struct json_object *v = json_get(o, key);
	return v ? json_object_get_int64(v) : 0;
}

static const char *iso(struct arena *a, int64_t s)
{
	time_t t = (time_t)s;
	struct tm tm;

	gmtime_r(&t, &tm);
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Seconds of [s, e) inside [lo, hi). */
static int64_t overlap(int64_t s, int64_t e, int64_t lo, int64_t hi)
{
	int64_t a = s > lo ? s : lo, b = e < hi ? e : hi;
	return b > a ? b - a : 0;
}

/* Per-user on-call seconds in the window, with the user's name and blocks there. */
struct load {
	const char *user;
	const char *name;
	int64_t secs;
	struct json_object *blocks; /* [[start, end], …] clipped to the window */
};

/* What the on-call part gathers over every schedule's blocks. */
struct oncall_acc {
	int64_t from, to, now, horizon; /* the window, now, and now + the coverage outlook */
	struct load *load;
	size_t nload, cap;
	int covered[SLA_COVERAGE_DAYS];
	int64_t outlook_secs;
	int overrides;
	struct json_object *shifts;  /* current_shifts */
	struct json_object *users14; /* users on call in the outlook, as keys */
};

static int by_secs(const void *a, const void *b)
{
	const struct load *x = a, *y = b;
	if (x->secs != y->secs)
		return x->secs < y->secs ? 1 : -1;
	return strcmp(x->user, y->user);
}

static struct load *load_of(struct oncall_acc *acc, struct arena *a, const char *user)
{
	for (size_t i = 0; i < acc->nload; i++)
		if (!strcmp(acc->load[i].user, user))
			return &acc->load[i];
	if (acc->nload == acc->cap) {
		struct load *bigger = arena_alloc(a, 2 * acc->cap * sizeof(*bigger));
		memcpy(bigger, acc->load, acc->cap * sizeof(*bigger));
		acc->load = bigger;
		acc->cap *= 2;
	}
	struct load *l = &acc->load[acc->nload++];
	l->user = user;
	l->name = NULL;
	l->secs = 0;
	l->blocks = json_object_new_array();
	return l;
}

static struct json_object *pair(int64_t x, int64_t y)
{
	struct json_object *p = json_object_new_array();
	json_object_array_add(p, json_object_new_int64(x));
	json_object_array_add(p, json_object_new_int64(y));
	return p;
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* Counts one final-schedule block of schedule s into the load, the outlook and current shifts. */
static void acc_block(struct oncall_acc *acc, struct arena *a, const struct schedule *s,
	const struct oncall_block *b)
{
	const struct schedule_user *u = schedule_user(s, b->user);
	int64_t w = overlap(b->start, b->end, acc->from, acc->to);

	if (w > 0) {
		struct load *l = load_of(acc, a, b->user);
		l->name = u ? u->name : l->name;
		l->secs += w;
		json_object_array_add(l->blocks, pair(b->start > acc->from ? b->start : acc->from,
							 b->end < acc->to ? b->end : acc->to));
	}
	int64_t o = overlap(b->start, b->end, acc->now, acc->horizon);
	if (o > 0) {
		acc->outlook_secs += o;
		json_object_object_add(acc->users14, b->user, NULL);
		for (int d = 0; d < SLA_COVERAGE_DAYS; d++)
			acc->covered[d] |= overlap(b->start, b->end, acc->now + d * 86400,
						   acc->now + (d + 1) * 86400) > 0;
	}
	if (b->start <= acc->now && acc->now < b->end &&
		json_object_array_length(acc->shifts) < 5) {
		struct json_object *sh = json_object_new_object();
		json_object_object_add(sh, "schedule_id", json_object_new_string(s->id));
		json_object_object_add(sh, "schedule_name", str_or_null(s->name));
		json_object_object_add(sh, "user_id", json_object_new_string(b->user));
		json_object_object_add(sh, "user_name", str_or_null(u ? u->name : NULL));
		json_object_object_add(sh, "start", json_object_new_string(iso(a, b->start)));
		json_object_object_add(sh, "end", json_object_new_string(iso(a, b->end)));
		json_object_object_add(sh, "override", json_object_new_boolean(b->is_override));
		json_object_array_add(acc->shifts, sh);
	}
}

static void acc_release(struct oncall_acc *acc)
{
	for (size_t i = 0; i < acc->nload; i++)
		json_object_put(acc->load[i].blocks);
	json_object_put(acc->shifts);
	json_object_put(acc->users14);
}

/* on_call_load: the top 6 users by on-call time, with the incidents created during their
 * shifts (one statement). Returns 0, or -1 with err filled. */
static int render_load(struct db *db, struct oncall_acc *acc, const char *scope,
	const char *filters, struct json_object *data, struct db_error *err)
{
	struct json_object *shifts_of = json_object_new_object(), *counts = NULL;
	size_t top = acc->nload < 6 ? acc->nload : 6;

	qsort(acc->load, acc->nload, sizeof(*acc->load), by_secs);
	for (size_t i = 0; i < top; i++)
		json_object_object_add(
			shifts_of, acc->load[i].user, json_object_get(acc->load[i].blocks));
	const char *p[] = {
		scope, filters, json_object_to_json_string_ext(shifts_of, JSON_C_TO_STRING_PLAIN)};
	int rc = top ? db_exec_json(db, &stmt_shifts, p, &counts, err) : 1;
	json_object_put(shifts_of);
	if (rc <= 0)
		return -1;
	struct json_object *arr = json_object_new_array();
	for (size_t i = 0; i < top; i++) {
		struct json_object *o = json_object_new_object(),
				   *c = json_get(counts, acc->load[i].user);
		json_object_object_add(o, "user_id", json_object_new_string(acc->load[i].user));
		json_object_object_add(o, "name", str_or_null(acc->load[i].name));
		json_object_object_add(
			o, "hours_ms", json_object_new_int64(acc->load[i].secs * 1000));
		json_object_object_add(
			o, "incidents", json_object_new_int64(c ? json_object_get_int64(c) : 0));
		json_object_array_add(arr, o);
	}
	json_object_put(counts);
	json_object_object_add(data, "on_call_load", arr);
	return 0;
}

static void render_coverage(const struct oncall_acc *acc, struct json_object *data)
{
	struct json_object *cov = json_object_new_object();
	int days = 0;

	for (int d = 0; d < SLA_COVERAGE_DAYS; d++)
		days += acc->covered[d];
	json_object_object_add(cov, "days", json_object_new_int(SLA_COVERAGE_DAYS));
	json_object_object_add(cov, "coverage_percent",
		json_object_new_double(round(days * 10000.0 / SLA_COVERAGE_DAYS) / 100));
	json_object_object_add(
		cov, "coverage_gap_days", json_object_new_int(SLA_COVERAGE_DAYS - days));
	json_object_object_add(
		cov, "on_call_hours_ms", json_object_new_int64(acc->outlook_secs * 1000));
	json_object_object_add(cov, "on_call_users_count",
		json_object_new_int(json_object_object_length(acc->users14)));
	json_object_object_add(cov, "active_overrides", json_object_new_int(acc->overrides));
	json_object_object_add(data, "coverage", cov);
}

/*
 * The on-call part: on-call seconds per user in [from, to) (top 6) with the incidents created
 * during their shifts (services scope, a JSON array, and the incident filters of filters),
 * coverage of the next SLA_COVERAGE_DAYS days from now (a day is covered when some block
 * overlaps it), and the shifts covering now (at most 5), over every schedule (at most
 * SLA_SCHEDULES_MAX; one whose zone this server does not know is left out).
 */
static int add_oncall(struct db *db, struct arena *a, int64_t from, int64_t to, int64_t now,
	const char *scope, const char *filters, struct json_object *data, struct db_error *err)
{
	const char **ids;
	int n = schedule_list(db, a, SLA_SCHEDULES_MAX, &ids, err), rc = 0;
	if (n < 0)
		return -1;
	struct oncall_acc acc = {.from = from,
		.to = to,
		.now = now,
		.horizon = now + (int64_t)SLA_COVERAGE_DAYS * 86400,
		.cap = 16,
		.shifts = json_object_new_array(),
		.users14 = json_object_new_object()};
	acc.load = arena_alloc(a, acc.cap * sizeof(*acc.load));

	for (int i = 0; i < n && rc == 0; i++) {
		struct schedule s;
		struct oncall_block *b;
		size_t nb;
		rc = schedule_load_view(
			db, a, ids[i], now * 1000, now - from, acc.horizon - now, &s, err);
		if (rc != 0 ||
			oncall_blocks(&s.oc, from < now ? from : now, acc.horizon, &b, &nb) < 0) {
			rc = rc < 0 ? -1 : 0; /* 1: deleted meanwhile */
			continue;
		}
		for (size_t k = 0; k < s.oc.noverrides; k++)
			acc.overrides += s.oc.overrides[k].end >= now;
		for (size_t k = 0; k < nb; k++)
			acc_block(&acc, a, &s, &b[k]);
		free(b);
	}
	if (rc == 0)
		rc = render_load(db, &acc, scope, filters, data, err);
	if (rc == 0) {
		render_coverage(&acc, data);
		json_object_object_add(data, "current_shifts", json_object_get(acc.shifts));
	}
	acc_release(&acc);
	return rc;
}

int sla_analytics(struct db *db, struct arena *a, const char *key_id, const char *filters,
	struct sla_result *out, struct db_error *err)
{
	const char *p[] = {key_id, filters};
	struct json_object *root;

	memset(out, 0, sizeof(*out));
	if (db_exec_json(db, &stmt_analytics, p, &root, err) <= 0)
		return -1;
	arena_on_reset(a, put_json, root);
	const char *e = json_get_str(root, "error", NULL);
	struct json_object *h = json_get(root, "http");
	out->http = h ? json_object_get_int(h) : 500;
	if (e) {
		out->error = arena_strdup(a, e);
		const char *m = json_get_str(root, "message", NULL);
		out->message = m ? arena_strdup(a, m) : out->error;
		return 0;
	}
	out->data = json_get(root, "data");
	struct json_object *w = json_get(out->data, "window");
	if (!w) {
		db_classify(NULL, err);
		snprintf(err->message, sizeof(err->message), "%s returned no window",
			stmt_analytics.name);
		return -1;
	}
	/* the instants of the on-call part travel as internal fields of the window */
	int64_t from = get_ms(w, "_start_ms") / 1000, to = get_ms(w, "_end_ms") / 1000,
		now = get_ms(w, "_now_ms") / 1000;
	const char *scope =
		arena_strdup(a, json_object_to_json_string_ext(
					json_get(w, "_service_ids"), JSON_C_TO_STRING_PLAIN));
	json_object_object_del(w, "_start_ms");
	json_object_object_del(w, "_end_ms");
	json_object_object_del(w, "_now_ms");
	json_object_object_del(w, "_service_ids");
	return add_oncall(db, a, from, to, now, scope, filters, out->data, err);
}

void sla_csv_cell(struct sbuf *sb, const char *s)
{
	if (!s)
		return;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		sbuf_add(sb, "\"", 1);
	if (strchr("=+-@\t\r", *s) && *s)
		sbuf_add(sb, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			sbuf_add(sb, "\"", 1);
		sbuf_add(sb, p, 1);
	}
	if (quote)
		sbuf_add(sb, "\"", 1);
}

void sla_csv_row(struct sbuf *sb, const char *const *cells, int n)
{
	for (int i = 0; i < n; i++) {
		if (i)
			sbuf_add(sb, ",", 1);
		sla_csv_cell(sb, cells[i]);
	}
	sbuf_add(sb, "\r\n", 2);
}

void sla_csv_bar(struct sbuf *sb, double pct, int width)
{
	if (!(pct >= 0)) /* NaN too */
		pct = 0;
	if (pct > 100)
		pct = 100;
	int filled = (int)lround(pct * width / 100);
	for (int i = 0; i < width; i++)
		sbuf_add(sb, i < filled ? "=" : "-", 1);
	sbuf_addf(sb, " %.1f%%", pct);
}
