/* rollups.c: the admin endpoints of the daily rollups (spec §6.2: backfill, health) and of
 * retention (spec §5, §7.2: settings, dry run and run), and SLA compliance (spec §6.3). */
#include <limits.h>
#include <string.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "db.h"
#include "body.h"
#include "json.h"
#include "rollup.h"
#include "wrapper.h"

#define BACKFILL_MAX_DAYS 3650
#define RETENTION_HTTP_MAX_BATCHES 500 /* a manual run stops there (complete: false) */

/* {"days": 1..3650} or {"start": "YYYY-MM-DD"[, "end": …]} (the dates are checked by SQL) */
static const struct field backfill_fields[] = {
	{.name = "days", .type = F_INT, .min = 1, .max = BACKFILL_MAX_DAYS},
	{.name = "start", .type = F_STRING, .min = 1, .max = 32},
	{.name = "end", .type = F_STRING, .min = 1, .max = 32},
};

/* The settings of PUT /api/settings/retention: out-of-range days are clamped by SQL, not
 * refused; the zone is checked against the tz database there too. */
static const struct field retention_fields[] = {
	{.name = "incident_retention_days", .type = F_INT, .min = INT_MIN, .max = INT_MAX},
	{.name = "alert_retention_days", .type = F_INT, .min = INT_MIN, .max = INT_MAX},
	{.name = "log_retention_days", .type = F_INT, .min = INT_MIN, .max = INT_MAX},
	{.name = "metrics_retention_days", .type = F_INT, .min = INT_MIN, .max = INT_MAX},
	{.name = "real_time_window_days", .type = F_INT, .min = INT_MIN, .max = INT_MAX},
	{.name = "business_hours_time_zone", .type = F_STRING, .min = 1, .max = 64},
};

static const struct field run_fields[] = {
	{.name = "dry_run", .type = F_BOOL},
};

/* Renders {"data": data} with status 200 (data is not consumed). */
static void render_data(struct req *rq, struct json_object *data)
{
	struct json_object *root = json_object_new_object();

	json_object_object_add(root, "data", json_object_get(data));
	resp_json_obj(rq, 200, root);
	json_object_put(root);
}

/* Auth with the admin scope, then the body (empty: {} when empty_ok) checked against fields
 * into *args. */
static int admin_write(struct req *rq, const struct field *fields, size_t n, int empty_ok,
	struct principal *who, struct json_object **args, struct api_err *err)
{
	struct json_object *body;

	*args = body_object(rq);
	if (auth_require(rq, APIKEY_ADMIN, who, err) < 0 || body_read(rq, empty_ok, &body, err) < 0)
		return -1;
	return body_check(rq, body, fields, n, 0, *args, err);
}

int rollups_backfill(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *body, *plan;

	if (admin_write(rq, backfill_fields, ARRAY_SIZE(backfill_fields), 0, &who, &body, err) < 0)
		return -1;
	int has_days = json_object_object_get_ex(body, "days", NULL);
	if (has_days && json_object_object_length(body) > 1)
		return api_fail(err, 422, "invalid_field", "days cannot be combined with start or end");
	if (!has_days && !json_object_object_get_ex(body, "start", NULL))
		return api_fail(err, 422, "missing_field", "days or start is required");
	if (rollup_plan(rq->app->db, &rq->arena,
		    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), &plan,
		    &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	const char *code = json_get_str(plan, "error", NULL);
	if (code)
		return api_fail(
			err, 422, "invalid_field", "%s", json_get_str(plan, "message", NULL));

	/* one day per statement: each is a short transaction, under the statement timeout */
	struct json_object *days = json_get(plan, "days");
	size_t n = json_object_array_length(days);
	long rows = 0;
	for (size_t i = 0; i < n; i++) {
		int r = rollup_day(rq->app->db,
			json_object_get_string(json_object_array_get_idx(days, i)), &dberr);
		if (r < 0)
			return api_fail_db(rq, &dberr, err);
		rows += r;
	}
	json_object_object_add(plan, "days", json_object_new_int64((int64_t)n));
	json_object_object_add(plan, "rows", json_object_new_int64(rows));
	render_data(rq, plan);
	return 0;
}

/* An admin read: one store call returning JSON, rendered as {"data": …}. */
static int admin_read(struct req *rq,
	int (*read)(struct db *, struct arena *, struct json_object **, struct db_error *),
	struct api_err *err)
{
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *v;

	if (auth_require(rq, APIKEY_ADMIN, &who, err) < 0)
		return -1;
	if (read(rq->app->db, &rq->arena, &v, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	render_data(rq, v);
	return 0;
}

int rollups_health(struct req *rq, struct api_err *err)
{
	return admin_read(rq, rollup_health, err);
}

int retention_get(struct req *rq, struct api_err *err)
{
	return admin_read(rq, rollup_retention_settings, err);
}

int retention_put(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *body, *out;

	if (admin_write(rq, retention_fields, ARRAY_SIZE(retention_fields), 0, &who, &body, err) < 0)
		return -1;
	if (!json_object_object_length(body))
		return api_fail(err, 422, "no_fields",
			"no setting to update: incident_retention_days, alert_retention_days, "
			"log_retention_days, metrics_retention_days, real_time_window_days or "
			"business_hours_time_zone");
	if (rollup_retention_update(rq->app->db, &rq->arena,
		    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), who.user_id, &out,
		    &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (json_get_str(out, "error", NULL))
		return api_fail(
			err, 422, "invalid_field", "%s", json_get_str(out, "message", NULL));
	struct json_object *root = json_object_new_object();
	json_object_object_add(root, "data", json_object_get(json_get(out, "settings")));
	json_object_object_add(root, "clamped", json_object_get(json_get(out, "clamped")));
	resp_json_obj(rq, 200, root);
	json_object_put(root);
	return 0;
}

int retention_run(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *body, *out;

	if (admin_write(rq, run_fields, ARRAY_SIZE(run_fields), 1, &who, &body, err) < 0)
		return -1;
	struct json_object *d = json_get(body, "dry_run");
	int dry_run = !d || json_object_get_boolean(d); /* a dry run unless told otherwise */
	if (dry_run) {
		if (rollup_retention_preview(rq->app->db, &rq->arena, &out, &dberr) < 0)
			return api_fail_db(rq, &dberr, err);
		json_object_get(out); /* the arena keeps its reference */
	} else if (rollup_retention_run(rq->app->db, RETENTION_HTTP_MAX_BATCHES, &out, &dberr) <
		   0) {
		return api_fail_db(rq, &dberr, err);
	}
	json_object_object_add(out, "dry_run", json_object_new_boolean(dry_run));
	render_data(rq, out);
	json_object_put(out);
	return 0;
}

int sla_compliance(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *v;

	if (auth_require(rq, APIKEY_ANALYTICS_READ, &who, err) < 0)
		return -1;
	if (rollup_compliance(rq->app->db, &rq->arena, who.key_id, &v, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	resp_json_obj(rq, 200, v);
	return 0;
}
