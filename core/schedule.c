/* schedule.c: one statement loads a schedule as JSON; parsing it into struct oncall_schedule. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <libpq-fe.h>
#include <json-c/json.h>

#include "schedule.h"
#include "arena.h"
#include "db.h"
#include "json.h"
#include "wrapper.h"

/* $1 schedule id, $2 at (epoch seconds with fraction, NULL = ok_now()), $3/$4 the window
 * before/after at in seconds. Times travel as epoch seconds (bigint) and at as milliseconds. */
static const struct db_stmt stmt_load = {
	"schedule_load",
	"WITH t AS (SELECT coalesce(to_timestamp($2::double precision), ok_now()) AS at), "
	"w AS (SELECT t.at, t.at - make_interval(secs => $3::double precision) AS lo, "
	"  t.at + make_interval(secs => $4::double precision) AS hi FROM t), "
	"ov AS (SELECT o.* FROM oncall_override o JOIN app_user u ON u.id = o.user_id, w "
	"  WHERE o.schedule_id = $1::uuid AND u.status = 'ACTIVE' "
	"  AND o.start_at < w.hi AND o.end_at > w.lo) "
	"SELECT json_build_object("
	" 'id', s.id, 'name', s.name, 'time_zone', s.time_zone, "
	" 'at_ms', (SELECT floor(extract(epoch FROM w.at) * 1000)::bigint FROM w), "
	" 'layers', coalesce((SELECT json_agg(json_build_object("
	"   'id', l.id, 'start', floor(extract(epoch FROM l.start_at))::bigint, "
	"   'end', floor(extract(epoch FROM l.end_at))::bigint, "
	"   'rotation', l.rotation_length_hours, 'shift', l.shift_length_hours, "
	"   'priority', l.priority, 'restrictions', l.restrictions, "
	"   'users', coalesce((SELECT json_agg(lu.user_id ORDER BY lu.position, lu.created_at, "
	"       lu.user_id) FROM oncall_layer_user lu JOIN app_user u ON u.id = lu.user_id "
	"     WHERE lu.layer_id = l.id AND u.status = 'ACTIVE'), '[]')) "
	"   ORDER BY l.priority DESC, l.id) "
	"   FROM oncall_layer l WHERE l.schedule_id = s.id), '[]'), "
	" 'overrides', coalesce((SELECT json_agg(json_build_object('user', ov.user_id, "
	"   'replaces', ov.replaces_user_id, "
	"   'start', floor(extract(epoch FROM ov.start_at))::bigint, "
	"   'end', floor(extract(epoch FROM ov.end_at))::bigint) ORDER BY ov.start_at, ov.id) "
	"   FROM ov), '[]'), "
	" 'users', coalesce((SELECT json_agg(json_build_object('id', u.id, 'name', u.name, "
	"   'email', u.email) ORDER BY u.id) FROM app_user u WHERE u.status = 'ACTIVE' AND ("
	"   u.id IN (SELECT lu.user_id FROM oncall_layer_user lu JOIN oncall_layer l "
	"     ON l.id = lu.layer_id WHERE l.schedule_id = s.id) "
	"   OR u.id IN (SELECT ov.user_id FROM ov))), '[]')) "
	"FROM oncall_schedule s WHERE s.id = $1::uuid",
	4,
};

static const char *const day_names[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

static const char *str_or_null(struct arena *a, const struct json_object *o, const char *key)
{
	const char *s = json_get_str(o, key, NULL);
	return s ? arena_strdup(a, s) : NULL;
}

static int64_t get_i64(const struct json_object *o, const char *key)
{
	struct json_object *v = json_get(o, key);
	return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
}

/* obj[a] or obj[b], borrowed. */
static struct json_object *get_either(const struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = json_get(o, a);
	return v ? v : json_get(o, b);
}

static int get_hour(struct json_object *v, int *out, int max)
{
	if (!v || !json_object_is_type(v, json_type_int))
		return 0;
	int h = json_object_get_int(v);
	*out = h < 0 ? 0 : h > max ? max : h;
	return 1;
}

/* The weekday bit of a number 0..6 or a name ("MON", "monday"), or 0. */
static unsigned day_bit(struct json_object *d)
{
	if (json_object_is_type(d, json_type_int)) {
		int n = json_object_get_int(d);
		return n >= 0 && n <= 6 ? 1u << n : 0;
	}
	if (json_object_is_type(d, json_type_string)) {
		const char *s = json_object_get_string(d);
		for (int i = 0; i < 7; i++)
			if (strlen(s) >= 3 && !strncasecmp(s, day_names[i], 3))
				return 1u << i;
	}
	return 0;
}

void schedule_parse_restriction(const struct json_object *o, struct oncall_restriction *r, int *has)
{
	struct json_object *days, *start, *end;
	int found = 0;

	memset(r, 0, sizeof(*r));
	r->start_hour = -1;
	*has = 0;
	if (!o || !json_object_is_type(o, json_type_object))
		return;
	days = get_either(o, "daysOfWeek", "days_of_week");
	start = get_either(o, "startHour", "start_hour");
	end = get_either(o, "endHour", "end_hour");
	if (days && json_object_is_type(days, json_type_array)) {
		found = 1;
		for (size_t i = 0; i < json_object_array_length(days); i++)
			r->days_mask |= day_bit(json_object_array_get_idx(days, i));
	}
	int sh = 0, eh = 0;
	int has_start = get_hour(start, &sh, 23), has_end = get_hour(end, &eh, 24);
	if (has_start || has_end) {
		found = 1;
		r->start_hour = sh;
		r->end_hour = eh;
	}
	*has = found;
}

static int parse_layer(struct arena *a, const struct json_object *j, struct oncall_layer *l)
{
	struct json_object *users = json_get(j, "users");

	memset(l, 0, sizeof(*l));
	l->id = str_or_null(a, j, "id");
	l->start = get_i64(j, "start");
	l->end = get_i64(j, "end");
	l->rotation_hours = (int)get_i64(j, "rotation");
	l->shift_hours = (int)get_i64(j, "shift");
	l->priority = (int)get_i64(j, "priority");
	schedule_parse_restriction(
		json_get(j, "restrictions"), &l->restriction, &l->has_restriction);
	if (!l->id || !users || !json_object_is_type(users, json_type_array))
		return -1;
	size_t n = json_object_array_length(users);
	const char **u = arena_alloc(a, (n ? n : 1) * sizeof(*u));
	for (size_t i = 0; i < n; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(users, i));
		u[i] = arena_strdup(a, s ? s : "");
	}
	l->users = u;
	l->nusers = n;
	return 0;
}

/* Fills out from the statement's JSON; -1 when the JSON does not have the expected shape. */
static int parse_schedule(struct arena *a, const struct json_object *root, struct schedule *out)
{
	struct json_object *layers = json_get(root, "layers"), *ovs = json_get(root, "overrides"),
			   *users = json_get(root, "users");

	memset(out, 0, sizeof(*out));
	out->id = str_or_null(a, root, "id");
	out->name = str_or_null(a, root, "name");
	out->at_ms = get_i64(root, "at_ms");
	out->oc.time_zone = str_or_null(a, root, "time_zone");
	if (!out->id || !out->oc.time_zone || !json_object_is_type(layers, json_type_array) ||
		!json_object_is_type(ovs, json_type_array) ||
		!json_object_is_type(users, json_type_array))
		return -1;

	size_t nl = json_object_array_length(layers);
	struct oncall_layer *ls = arena_calloc(a, (nl ? nl : 1) * sizeof(*ls));
	for (size_t i = 0; i < nl; i++)
		if (parse_layer(a, json_object_array_get_idx(layers, i), &ls[i]) < 0)
			return -1;
	out->oc.layers = ls;
	out->oc.nlayers = nl;

	size_t no = json_object_array_length(ovs);
	struct oncall_override *os = arena_calloc(a, (no ? no : 1) * sizeof(*os));
	for (size_t i = 0; i < no; i++) {
		struct json_object *j = json_object_array_get_idx(ovs, i);
		os[i].user = str_or_null(a, j, "user");
		os[i].replaces = str_or_null(a, j, "replaces");
		os[i].start = get_i64(j, "start");
		os[i].end = get_i64(j, "end");
		if (!os[i].user)
			return -1;
	}
	out->oc.overrides = os;
	out->oc.noverrides = no;

	size_t nu = json_object_array_length(users);
	struct schedule_user *us = arena_calloc(a, (nu ? nu : 1) * sizeof(*us));
	for (size_t i = 0; i < nu; i++) {
		struct json_object *j = json_object_array_get_idx(users, i);
		us[i].id = str_or_null(a, j, "id");
		us[i].name = str_or_null(a, j, "name");
		us[i].email = str_or_null(a, j, "email");
		if (!us[i].id)
			return -1;
	}
	out->users = us;
	out->nusers = nu;
	return 0;
}

int schedule_load_view(struct db *db, struct arena *a, const char *id, int64_t at_ms,
	int64_t before, int64_t after, struct schedule *out, struct db_error *err)
{
	char at[48], lo[32], hi[32];

	if (at_ms != SCHEDULE_NOW) {
		int64_t s = at_ms >= 0 ? at_ms / 1000 : -((-at_ms + 999) / 1000);
		snprintf(at, sizeof(at), "%" PRId64 ".%03d", s, (int)(at_ms - s * 1000));
	}
	snprintf(lo, sizeof(lo), "%" PRId64, before);
	snprintf(hi, sizeof(hi), "%" PRId64, after);
	const char *p[] = {id, at_ms == SCHEDULE_NOW ? NULL : at, lo, hi};

	struct json_object *root;

	memset(out, 0, sizeof(*out));
	int rc = db_exec_json(db, &stmt_load, p, &root, err);
	if (rc <= 0)
		return rc < 0 ? -1 : 1; /* no row: no such schedule */
	int bad = parse_schedule(a, root, out) < 0; /* copies what it keeps into a */
	json_object_put(root);
	if (bad) {
		memset(out, 0, sizeof(*out));
		db_classify(NULL, err);
		snprintf(err->message, sizeof(err->message), "%s returned an unexpected shape",
			stmt_load.name);
		return -1;
	}
	return 0;
}

int schedule_load(struct db *db, struct arena *a, const char *id, int64_t from, int64_t to,
	struct oncall_schedule *out, struct db_error *err)
{
	struct schedule s;
	int rc = schedule_load_view(db, a, id, from * 1000, 0, to > from ? to - from : 0, &s, err);

	*out = s.oc;
	return rc;
}

static const struct db_stmt stmt_list = {
	"schedule_list", "SELECT id FROM oncall_schedule ORDER BY name, id LIMIT $1", 1,
};

int schedule_list(struct db *db, struct arena *a, int max, const char ***ids,
	struct db_error *err)
{
	char lim[16];
	const char *p[] = { lim };

	snprintf(lim, sizeof(lim), "%d", max);
	PGresult *res = db_exec(db, &stmt_list, p, err);
	if (!res)
		return -1;
	int n = PQntuples(res);
	*ids = arena_alloc(a, (size_t)(n ? n : 1) * sizeof(**ids));
	for (int i = 0; i < n; i++)
		(*ids)[i] = arena_strdup(a, PQgetvalue(res, i, 0));
	PQclear(res);
	return n;
}

const struct schedule_user *schedule_user(const struct schedule *s, const char *id)
{
	for (size_t i = 0; i < s->nusers; i++)
		if (!strcmp(s->users[i].id, id))
			return &s->users[i];
	return NULL;
}
