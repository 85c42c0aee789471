/* schedules.c: who is on call — for one schedule (with its final schedule around that instant)
 * and across every schedule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "oncall.h"
#include "schedule.h"

#define WINDOW_BEFORE (24 * 3600) /* blocks are listed for [at - 24 h, at + 48 h) */
#define WINDOW_AFTER (48 * 3600)
#define ONCALL_ALL_MAX 200        /* schedules answered by GET /api/oncall */

/* Reads exactly n digits from *p into *out. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, const char *chars)
{
	if (!**p || !strchr(chars, **p))
		return -1;
	(*p)++;
	return 0;
}

/*
 * Parses an ISO-8601 / RFC 3339 time with a zone: YYYY-MM-DDTHH:MM[:SS[.fff…]](Z|±HH[:]MM|±HH)
 * into Unix milliseconds (fractions beyond ms are truncated). A ' ' stands for '+' in the
 * offset, as an unencoded '+' arrives decoded to a space from a query string. Returns 0 or -1.
 */
static int parse_iso(const char *s, int64_t *ms)
{
	int y, mo, d, h, mi, sec = 0, frac = 0, oh = 0, om = 0, sign = 0;
	const char *p = s;

	if (digits(&p, 4, &y) || expect(&p, "-") || digits(&p, 2, &mo) || expect(&p, "-") ||
		digits(&p, 2, &d) || expect(&p, "Tt ") || digits(&p, 2, &h) || expect(&p, ":") ||
		digits(&p, 2, &mi))
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec))
			return -1;
		if (*p == '.' || *p == ',') {
			int n = 0;
			p++;
			for (; *p >= '0' && *p <= '9'; p++, n++)
				if (n < 3)
					frac = frac * 10 + (*p - '0');
			if (!n)
				return -1;
			for (; n < 3; n++)
				frac *= 10;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == ' ' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':' || (*p >= '0' && *p <= '9')) {
			p += *p == ':';
			if (digits(&p, 2, &om))
				return -1;
		}
	} else {
		return -1; /* a time without a zone names no instant */
	}
	if (*p || y < 1900 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 ||
		oh > 23 || om > 59)
		return -1;
	struct tm tm = {.tm_year = y - 1900,
		.tm_mon = mo - 1,
		.tm_mday = d,
		.tm_hour = h,
		.tm_min = mi,
		.tm_sec = sec};
	int64_t t = (int64_t)timegm(&tm);
	if (tm.tm_mday != d || tm.tm_mon != mo - 1) /* 2024-02-30 */
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return 0;
}

/* ISO-8601 UTC with milliseconds: 2024-05-01T12:34:56.789Z. */
static const char *iso(struct arena *a, int64_t ms)
{
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	time_t t = (time_t)s;
	struct tm tm;

	gmtime_r(&t, &tm);
	return arena_printf(a, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - s * 1000));
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *render_users(const struct schedule *s, const char **ids, int n)
{
	struct json_object *arr = json_object_new_array();

	for (int i = 0; i < n; i++) {
		const struct schedule_user *u = schedule_user(s, ids[i]);
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(ids[i]));
		json_object_object_add(o, "name", str_or_null(u ? u->name : NULL));
		json_object_object_add(o, "email", str_or_null(u ? u->email : NULL));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *render_blocks(struct arena *a, const struct oncall_block *b, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "user_id", json_object_new_string(b[i].user));
		json_object_object_add(o, "layer_id", str_or_null(b[i].layer_id));
		json_object_object_add(
			o, "start", json_object_new_string(iso(a, b[i].start * 1000)));
		json_object_object_add(o, "end", json_object_new_string(iso(a, b[i].end * 1000)));
		json_object_object_add(o, "override", json_object_new_boolean(b[i].is_override));
		json_object_array_add(arr, o);
	}
	return arr;
}

static int zone_unknown(const struct schedule *s, struct api_err *err)
{
	api_fail(err, 500, "internal", "the schedule's time zone is not known to this server");
	snprintf(err->detail, sizeof(err->detail), "schedule %s: unknown time zone %.64s", s->id,
		s->oc.time_zone);
	return -1;
}

int schedules_oncall(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct schedule s;
	struct db_error dberr = {0};
	int64_t at_ms = SCHEDULE_NOW;
	struct oncall_block *blocks;
	size_t nblocks;

	if (auth_require(rq, APIKEY_SCHEDULES_READ, &who, err) < 0)
		return -1;
	const char *id = req_path_param(rq, "id");
	if (!crypto_is_uuid(id)) /* names no schedule: the database is not asked */
		return api_fail(err, 404, "not_found", "schedule not found");
	const char *at = req_query(rq, "at");
	if (at && parse_iso(at, &at_ms) < 0)
		return api_fail(err, 400, "invalid_parameter",
			"at must be an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z");

	int rc = schedule_load_view(
		rq->app->db, &rq->arena, id, at_ms, WINDOW_BEFORE, WINDOW_AFTER, &s, &dberr);
	if (rc < 0)
		return api_fail_db(rq, &dberr, err);
	if (rc > 0)
		return api_fail(err, 404, "not_found", "schedule not found");

	int64_t at_s = s.at_ms >= 0 ? s.at_ms / 1000 : -((-s.at_ms + 999) / 1000);
	size_t max = s.nusers + 1;
	const char **ids = arena_alloc(&rq->arena, max * sizeof(*ids));
	int n = oncall_resolve(&s.oc, at_s, ids, max);
	if (n < 0 || oncall_blocks(&s.oc, at_s - WINDOW_BEFORE, at_s + WINDOW_AFTER, &blocks,
			     &nblocks) < 0)
		return zone_unknown(&s, err);

	struct json_object *root = json_object_new_object(), *data = json_object_new_object();
	json_object_object_add(data, "schedule_id", json_object_new_string(s.id));
	json_object_object_add(data, "time_zone", json_object_new_string(s.oc.time_zone));
	json_object_object_add(data, "at", json_object_new_string(iso(&rq->arena, s.at_ms)));
	json_object_object_add(data, "users", render_users(&s, ids, n));
	json_object_object_add(data, "blocks", render_blocks(&rq->arena, blocks, nblocks));
	json_object_object_add(root, "data", data);
	free(blocks);
	resp_json_obj(rq, 200, root);
	json_object_put(root);
	resp_header(rq, "Cache-Control", "private, no-store");
	return 0;
}

int schedules_oncall_all(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = { 0 };
	int64_t at_ms = SCHEDULE_NOW;
	const char **sids;

	if (auth_require(rq, APIKEY_SCHEDULES_READ, &who, err) < 0)
		return -1;
	const char *at = req_query(rq, "at");
	if (at && parse_iso(at, &at_ms) < 0)
		return api_fail(err, 400, "invalid_parameter",
			"at must be an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z");
	int n = schedule_list(rq->app->db, &rq->arena, ONCALL_ALL_MAX, &sids, &dberr);
	if (n < 0)
		return api_fail_db(rq, &dberr, err);

	struct json_object *data = json_object_new_array();
	for (int i = 0; i < n; i++) {
		struct schedule s;
		int rc = schedule_load_view(rq->app->db, &rq->arena, sids[i], at_ms, 0, 1, &s, &dberr);
		if (rc < 0) {
			json_object_put(data);
			return api_fail_db(rq, &dberr, err);
		}
		if (rc > 0)
			continue; /* deleted meanwhile */
		at_ms = s.at_ms; /* every schedule answers for the same instant */
		int64_t at_s = s.at_ms >= 0 ? s.at_ms / 1000 : -((-s.at_ms + 999) / 1000);
		const char **ids = arena_alloc(&rq->arena, (s.nusers + 1) * sizeof(*ids));
		int k = oncall_resolve(&s.oc, at_s, ids, s.nusers + 1);
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "schedule_id", json_object_new_string(s.id));
		json_object_object_add(o, "name", str_or_null(s.name));
		json_object_object_add(o, "time_zone", json_object_new_string(s.oc.time_zone));
		json_object_object_add(o, "time_zone_known", json_object_new_boolean(k >= 0));
		json_object_object_add(o, "users", render_users(&s, ids, k > 0 ? k : 0));
		json_object_array_add(data, o);
	}
	struct json_object *root = json_object_new_object();
	json_object_object_add(root, "data", data);
	if (at_ms != SCHEDULE_NOW)
		json_object_object_add(root, "at", json_object_new_string(iso(&rq->arena, at_ms)));
	resp_json_obj(rq, 200, root);
	json_object_put(root);
	resp_header(rq, "Cache-Control", "private, no-store");
	return 0;
}
