/* logs.c: client logs persisted to log_entry after redaction, and their admin listing. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "intake.h"
#include "ratelimit.h"
#include "crypto.h"
#include "db.h"
#include "event.h"
#include "json.h"
#include "ops.h"
#include "wrapper.h"

#define LOGS_MAX_BODY 51200    /* spec §9: larger entries are refused with 413 */
#define LOGS_BURST 30.0        /* spec §9: 30 entries per 60 s per client IP */
#define LOGS_RATE (30.0 / 60.0)
#define LOGS_LIMIT_DEFAULT 200
#define LOGS_LIMIT_MAX 500

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first X-Forwarded-For entry (trimmed), else REMOTE_ADDR, else "unknown" (arena). */
static const char *client_ip(struct req *rq)
{
	const char *xff = req_header(rq, "X-Forwarded-For");

	if (xff) {
		while (*xff == ' ' || *xff == '\t')
			xff++;
		size_t n = strcspn(xff, ",");
		while (n && (xff[n - 1] == ' ' || xff[n - 1] == '\t'))
			n--;
		if (n)
			return arena_strndup(&rq->arena, xff, n);
	}
	const char *ra = req_param(rq, "REMOTE_ADDR");
	return ra && *ra ? ra : "unknown";
}

static int throttle(struct req *rq, struct api_err *err)
{
	const char *key = arena_printf(&rq->arena, "api:logs:ingest:%s", client_ip(rq));
	int retry_after = 1;

	if (ratelimit_take(rq->app->rl, crypto_hash64(key, strlen(key)), 1, LOGS_RATE, LOGS_BURST,
		    mono_ms(), &retry_after) == 0)
		return 0;
	err->retry_after = retry_after;
	return api_fail(err, 429, "rate_limited", "too many log entries from this address");
}

/* A string field of at most max bytes (arena copy, e-mails redacted), or NULL when absent. */
static const char *opt_text(struct req *rq, const char *s, size_t max)
{
	if (!s)
		return NULL;
	const char *r = ops_redact_text(&rq->arena, s);
	return strlen(r) > max ? arena_strndup(&rq->arena, r, max) : r;
}

int logs_ingest(struct req *rq, struct api_err *err)
{
	struct verrs *v = arena_calloc(&rq->arena, sizeof(*v));
	struct json_object *body, *msg, *lvl, *ctx;
	struct ops_log e = { 0 };
	struct db_error dberr = { 0 };
	const char *id, *logged_at;

	if (throttle(rq, err) < 0)
		return -1;
	const char *cl = req_param(rq, "CONTENT_LENGTH");
	if ((cl && strtoll(cl, NULL, 10) > LOGS_MAX_BODY) || rq->body_len > LOGS_MAX_BODY)
		return api_fail(err, 413, "payload_too_large", "log entry exceeds %d bytes",
			LOGS_MAX_BODY);
	if (intake_body(rq, 0, &body, v, err) < 0)
		return -1;
	if (!json_object_is_type(body, json_type_object))
		return api_fail(err, 400, "invalid_event", "body must be a JSON object");
	msg = json_get(body, "message");
	if (!msg || json_object_is_type(msg, json_type_null))
		return api_fail(err, 400, "invalid_event", "message is required");
	if (!json_object_is_type(msg, json_type_string))
		return api_fail(err, 400, "invalid_event", "message must be a string");
	const char *m = json_object_get_string(msg);
	if (!m[strspn(m, " \t\r\n")])
		return api_fail(err, 400, "invalid_event", "message must not be blank");
	e.level = "info";
	lvl = json_get(body, "level");
	if (lvl && !json_object_is_type(lvl, json_type_null)) {
		const char *l = json_object_is_type(lvl, json_type_string) ?
			json_object_get_string(lvl) : NULL;
		if (ops_log_level_index(l) < 0)
			return api_fail(err, 400, "invalid_event",
				"level must be one of debug, info, warn, error");
		e.level = ops_log_levels[ops_log_level_index(l)];
	}
	ctx = json_get(body, "context");
	if (ctx && !json_object_is_type(ctx, json_type_null) &&
		!json_object_is_type(ctx, json_type_object))
		return api_fail(err, 400, "invalid_event", "context must be an object");

	e.message = opt_text(rq, m, LOGS_MAX_BODY);
	e.component = opt_text(rq, json_get_str(body, "component", NULL), 200);
	e.request_id = opt_text(rq, req_param(rq, "REQUEST_ID"), 200);
	e.user_agent = opt_text(rq, req_header(rq, "User-Agent"), 512);
	struct json_object *redacted =
		ctx && json_object_is_type(ctx, json_type_object) ? ops_redact_json(ctx) : NULL;
	e.context = redacted;
	int rc = ops_log_insert(rq->app->db, &rq->arena, &e, &id, &logged_at, &dberr);
	json_object_put(redacted);
	if (rc < 0)
		return api_fail_db(rq, &dberr, err);

	struct json_object *root = json_object_new_object(), *data = json_object_new_object();
	json_object_object_add(data, "id", json_object_new_string(id));
	json_object_object_add(data, "logged_at", json_object_new_string(logged_at));
	json_object_object_add(root, "success", json_object_new_boolean(1));
	json_object_object_add(root, "data", data);
	resp_json_obj(rq, 201, root);
	json_object_put(root);
	return 0;
}

/* Reads ?limit= (default def, larger values clamped to max). */
static int parse_limit(struct req *rq, int def, int max, int *out, struct api_err *err)
{
	const char *s = req_query(rq, "limit");
	char *end;

	*out = def;
	if (!s)
		return 0;
	long n = strtol(s, &end, 10);
	if (!*s || *end || n < 1)
		return api_fail(err, 400, "invalid_parameter",
			"limit must be an integer from 1 to %d", max);
	*out = n > max ? max : (int)n;
	return 0;
}

/* Renders {"data":rows,"next_cursor":next|null} (rows is borrowed). */
static void render_page(struct req *rq, struct json_object *rows, const char *next)
{
	struct json_object *root = json_object_new_object();

	json_object_object_add(root, "data", json_object_get(rows));
	json_object_object_add(root, "next_cursor", next ? json_object_new_string(next) : NULL);
	resp_json_obj(rq, 200, root);
	json_object_put(root);
	resp_header(rq, "Cache-Control", "private, no-store");
}

int logs_list(struct req *rq, struct api_err *err)
{
	struct principal who;
	struct ops_page pg = { 0 };
	struct db_error dberr = { 0 };
	struct json_object *rows;
	const char *next;
	int min_level = 0;

	if (auth_require(rq, APIKEY_ADMIN, &who, err) < 0)
		return -1;
	if (parse_limit(rq, LOGS_LIMIT_DEFAULT, LOGS_LIMIT_MAX, &pg.limit, err) < 0)
		return -1;
	const char *level = req_query(rq, "level");
	if (level && (min_level = ops_log_level_index(level)) < 0)
		return api_fail(err, 400, "invalid_parameter",
			"level must be one of debug, info, warn, error");
	const char *since = req_query(rq, "since");
	if (since && !*since)
		since = NULL;
	pg.cursor = req_query(rq, "cursor");
	if (pg.cursor && !ops_cursor_valid(pg.cursor))
		return api_fail(err, 400, "invalid_parameter", "cursor is not one this API returned");
	if (ops_log_list(rq->app->db, &rq->arena, min_level, since, &pg, &rows, &next, &dberr) < 0) {
		if (dberr.kind == DB_FAIL_INPUT)
			return api_fail(err, 400, "invalid_parameter",
				"since must be an ISO-8601 time, e.g. 2024-05-01T12:00:00Z");
		return api_fail_db(rq, &dberr, err);
	}
	render_page(rq, rows, next);
	return 0;
}
