/* rollups.c: the admin endpoints of the daily rollups (spec §6.2: backfill, health) and of
 * retention (spec §5, §7.2: settings, dry run and run), and SLA compliance (spec §6.3). */
#include <string.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "db.h"
#include "event.h"
#include "intake.h"
#include "json.h"
#include "rollup.h"
#include "wrapper.h"

#define BACKFILL_MAX_DAYS 3650
#define RETENTION_HTTP_MAX_BATCHES 500 /* a manual run stops there (complete: false) */

/* The integer settings of PUT /api/settings/retention (bounds are clamped by SQL). */
static const char *const retention_days[] = {"incident_retention_days", "alert_retention_days",
	"log_retention_days", "metrics_retention_days", "real_time_window_days"};
#define RETENTION_TZ "business_hours_time_zone"

/* Renders {"data": data} with status 200 (data is not consumed). */
static void render_data(struct req *rq, struct json_object *data)
{
	struct json_object *root = json_object_new_object();

	json_object_object_add(root, "data", json_object_get(data));
	resp_json_obj(rq, 200, root);
	json_object_put(root);
}

/* The body of rq as a JSON object. */
static int body_object(struct req *rq, struct json_object **out, struct api_err *err)
{
	struct verrs *v = arena_calloc(&rq->arena, sizeof(*v));

	if (intake_body(rq, 0, out, v, err) < 0)
		return -1;
	if (!json_object_is_type(*out, json_type_object))
		return api_fail(err, 422, "invalid_body", "request body must be a JSON object");
	return 0;
}

/* {"days": 1..3650} or {"start": "YYYY-MM-DD"[, "end": …]}; the dates are checked by SQL. */
static int backfill_args(struct json_object *body, struct api_err *err)
{
	struct json_object *days = json_get(body, "days");

	json_object_object_foreach(body, key, val)
	{
		if (strcmp(key, "days") && strcmp(key, "start") && strcmp(key, "end"))
			return api_fail(err, 422, "unknown_field", "unknown field: %.64s", key);
		if (strcmp(key, "days") && !json_object_is_type(val, json_type_string))
			return api_fail(
				err, 422, "invalid_field", "%s must be a date (YYYY-MM-DD)", key);
	}
	if (days) {
		if (json_get(body, "start") || json_get(body, "end"))
			return api_fail(err, 422, "invalid_field",
				"days cannot be combined with start or end");
		int64_t n = json_object_get_int64(days);
		if (!json_object_is_type(days, json_type_int) || n < 1 || n > BACKFILL_MAX_DAYS)
			return api_fail(err, 422, "invalid_field",
				"days must be an integer from 1 to %d", BACKFILL_MAX_DAYS);
		return 0;
	}
	if (!json_get(body, "start"))
		return api_fail(err, 422, "missing_field", "days or start is required");
	return 0;
}

int rollups_backfill(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *body, *plan;

	if (auth_require(rq, APIKEY_ADMIN, &who, err) < 0 || body_object(rq, &body, err) < 0 ||
		backfill_args(body, err) < 0)
		return -1;
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

static int is_days_field(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(retention_days); i++)
		if (!strcmp(retention_days[i], key))
			return 1;
	return 0;
}

int retention_put(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct db_error dberr = {0};
	struct json_object *body, *out;

	if (auth_require(rq, APIKEY_ADMIN, &who, err) < 0 || body_object(rq, &body, err) < 0)
		return -1;
	json_object_object_foreach(body, key, val)
	{
		if (is_days_field(key)) {
			if (!json_object_is_type(val, json_type_int))
				return api_fail(err, 422, "invalid_field",
					"%s must be an integer (days)", key);
		} else if (!strcmp(key, RETENTION_TZ)) {
			if (!json_object_is_type(val, json_type_string))
				return api_fail(err, 422, "invalid_field",
					"%s must be a string (an IANA time zone)", key);
		} else {
			return api_fail(err, 422, "unknown_field", "unknown field: %.64s", key);
		}
	}
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
	int dry_run = 1;

	if (auth_require(rq, APIKEY_ADMIN, &who, err) < 0)
		return -1;
	if (rq->body_len && body_object(rq, &body, err) < 0)
		return -1;
	if (rq->body_len) {
		json_object_object_foreach(body, key, val)
		{
			if (strcmp(key, "dry_run"))
				return api_fail(
					err, 422, "unknown_field", "unknown field: %.64s", key);
			if (!json_object_is_type(val, json_type_boolean))
				return api_fail(
					err, 422, "invalid_field", "dry_run must be true or false");
			dry_run = json_object_get_boolean(val);
		}
	}
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
