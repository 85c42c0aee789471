/* events.c: Events API v2 (PagerDuty-compatible), change events, and the native /api/events. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "ratelimit.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "event.h"
#include "ingest.h"
#include "json.h"
#include "keys.h"
#include "wrapper.h"

enum mode { MODE_ALERT, MODE_CHANGE, MODE_NATIVE };

/* ok_ingest refusals: how each is answered natively and on PagerDuty endpoints (0 = same). */
static const struct {
	const char *code;
	int status;
	const char *msg;
	int pd_status;
	const char *pd_msg;
} refusals[] = {
	{ "unknown_key", 403, "routing key does not match any integration", 404,
		"Integration not found or disabled" },
	{ "integration_disabled", 403, "integration is disabled", 404,
		"Integration not found or disabled" },
	{ "key_mismatch", 401, "routing key does not belong to the addressed integration", 401,
		"Invalid integration key" },
	{ "invalid_api_key", 401, "API key is not valid", 0, NULL },
	{ "api_key_revoked", 401, "API key has been revoked", 0, NULL },
	{ "user_inactive", 401, "the API key's user is not active", 0, NULL },
	{ "scope_missing", 403, "API key lacks the scope events:write", 0, NULL },
	{ "service_required", 400, "service_id is required when using an API key", 0, NULL },
	{ "service_not_found", 404, "service not found", 0, NULL },
	{ "service_forbidden", 403, "the API key's user has no access to this service", 0, NULL },
};

static int refuse(const char *code, enum mode mode, struct api_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++) {
		if (strcmp(refusals[i].code, code))
			continue;
		if (mode != MODE_NATIVE && refusals[i].pd_status)
			return api_fail(err, refusals[i].pd_status, code, "%s", refusals[i].pd_msg);
		return api_fail(err, refusals[i].status, code, "%s", refusals[i].msg);
	}
	api_fail(err, 500, "internal", "internal error");
	snprintf(err->detail, sizeof(err->detail), "unknown ingest refusal %s", code);
	return -1;
}

static void put_json(void *root)
{
	json_object_put(root);
}

/* 1 when the Content-Type is absent or JSON (application/json, application/…+json). */
static int content_type_ok(const struct req *rq)
{
	const char *ct = req_param(rq, "CONTENT_TYPE");
	if (!ct || !*ct)
		return 1;
	size_t n = strcspn(ct, "; \t");
	if (n == 16 && !strncasecmp(ct, "application/json", 16))
		return 1;
	return n > 5 && !strncasecmp(ct, "application/", 12) && !strncasecmp(ct + n - 5, "+json", 5);
}

static int read_body(struct req *rq, struct json_object **out, struct verrs *v,
	struct api_err *err)
{
	enum json_parse_error perr;
	size_t pos = 0;

	if (!content_type_ok(rq))
		return api_fail(err, 415, "unsupported_media_type",
			"Content-Type must be application/json");
	*out = json_parse(rq->body, rq->body_len, &perr, &pos);
	if (!*out) {
		if (perr == JSON_EMPTY)
			verrs_add(v, "request body is empty");
		else
			verrs_add(v, "request body is not valid JSON: %s at byte %zu",
				json_parse_error_str(perr), pos);
		err->details = v;
		return api_fail(err, 400, "invalid_json", "%s", v->msg[0]);
	}
	arena_on_reset(&rq->arena, put_json, *out);
	json_strip_nul(*out);
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int throttle(struct req *rq, const char *key_hash, struct api_err *err)
{
	const struct conf *c = rq->app->conf;
	int retry_after = 1;
	uint64_t k = crypto_hash64(key_hash, strlen(key_hash));

	if (ratelimit_take(rq->app->rl, k, c->rate_limit_per_sec, c->rate_limit_burst, mono_ms(),
		    &retry_after) == 0)
		return 0;
	err->retry_after = retry_after;
	return api_fail(err, 429, "rate_limited", "Rate limit exceeded");
}

static void learn_limit(struct req *rq, const char *key_hash, const struct ingest_result *r)
{
	const struct conf *c = rq->app->conf;

	if (r->rate_limit <= 0 && r->rate_burst <= 0)
		return;
	ratelimit_configure(rq->app->rl, crypto_hash64(key_hash, strlen(key_hash)),
		r->rate_limit > 0 ? r->rate_limit : c->rate_limit_per_sec,
		r->rate_burst > 0 ? r->rate_burst : c->rate_limit_burst);
}

static int db_failed(struct req *rq, const struct db_error *dberr, struct api_err *err)
{
	snprintf(err->detail, sizeof(err->detail), "%.5s %.240s", dberr->sqlstate,
		dberr->message);
	if (dberr->kind == DB_FAIL_UNAVAILABLE || dberr->kind == DB_FAIL_RETRY) {
		err->retry_after = db_retry_after(rq->app->db);
		return api_fail(err, 503, "database_unavailable", "Service temporarily unavailable");
	}
	return api_fail(err, 500, "internal", "internal error");
}

/* Checks the presented key and fills auth; records format problems in v. */
static void check_key(struct req *rq, enum mode mode, const struct presented_key *key,
	struct json_object *body, struct ingest_auth *auth, struct verrs *v)
{
	memset(auth, 0, sizeof(*auth));
	if (key->kind == KEY_NONE)
		return;
	auth->is_api_key = mode == MODE_NATIVE && key->kind == KEY_API;
	if (!auth->is_api_key && strlen(key->value) != KEYS_INTEGRATION_LEN)
		verrs_add(v, "Length of 'routing_key' is incorrect (should be %d characters)",
			KEYS_INTEGRATION_LEN);
	char *hash = arena_alloc(&rq->arena, KEYS_HASH_HEX_LEN + 1);
	keys_hash(rq->app->conf->api_key_pepper, key->value, strlen(key->value), hash);
	auth->key_hash = hash;
	if (auth->is_api_key) {
		const char *sid = json_get_str(body, "service_id", NULL);
		auth->service_id = sid ? sid : json_get_str(body, "serviceId", NULL);
	}
}

static void respond(struct req *rq, enum mode mode, const struct event *ev,
	const struct ingest_result *r)
{
	struct json_object *root = json_object_new_object();

	json_object_object_add(root, "status", json_object_new_string("success"));
	if (mode == MODE_NATIVE) {
		json_object_object_add(root, "result",
			json_object_get(json_object_array_get_idx(r->results, 0)));
	} else if (mode == MODE_CHANGE) {
		json_object_object_add(root, "message",
			json_object_new_string("Change event processed"));
	} else {
		json_object_object_add(root, "message", json_object_new_string("Event processed"));
		json_object_object_add(root, "dedup_key", json_object_new_string(ev->dedup_key));
	}
	resp_json_obj(rq, 202, root);
	json_object_put(root);
}

static int handle(struct req *rq, enum mode mode, struct api_err *err)
{
	struct verrs *v = arena_calloc(&rq->arena, sizeof(*v));
	struct json_object *body;
	struct presented_key key;
	struct ingest_auth auth;
	struct event ev = { 0 };
	struct change_event ce;
	struct ingest_result r;
	struct db_error dberr = { 0 };

	if (read_body(rq, &body, v, err) < 0)
		return -1;
	auth_find_key(rq, body, &key);
	if (key.kind == KEY_NONE && mode == MODE_NATIVE)
		return api_fail(err, 401, "missing_credentials",
			"no routing key or API key was presented");
	if (key.kind == KEY_NONE)
		verrs_add(v, "'routing_key' is missing or blank");
	check_key(rq, mode, &key, body, &auth, v);
	int bad = mode == MODE_CHANGE ? event_parse_change(body, &rq->arena, &ce, v) :
					event_parse(body, &rq->arena, &ev, v);
	if (bad || v->n) {
		err->details = v;
		return api_fail(err, 400, "invalid_event", "%s", v->msg[0]);
	}
	/* an id that is not a UUID names no service; the database is never asked about it */
	if (auth.service_id && !crypto_is_uuid(auth.service_id))
		return refuse("service_not_found", mode, err);
	const char *iid = req_query(rq, "integrationId");
	if (iid && !auth.is_api_key) {
		if (!crypto_is_uuid(iid))
			return refuse("unknown_key", mode, err);
		auth.integration_id = iid;
	}
	/* acknowledge and resolve are never throttled: they end pages */
	if ((mode == MODE_CHANGE || ev.action == EV_TRIGGER) && throttle(rq, auth.key_hash, err) < 0)
		return -1;

	int rc = mode == MODE_CHANGE ?
		ingest_change(rq->app->db, &rq->arena, &auth, &ce, &r, &dberr) :
		ingest_events(rq->app->db, &rq->arena, &auth, &ev, 1, NULL, &r, &dberr);
	if (rc < 0)
		return db_failed(rq, &dberr, err);
	if (r.error)
		return refuse(auth.is_api_key && !strcmp(r.error, "unknown_key") ? "invalid_api_key" :
			r.error, mode, err);
	learn_limit(rq, auth.key_hash, &r);
	respond(rq, mode, &ev, &r);
	return 0;
}

int events_enqueue(struct req *rq, struct api_err *err)
{
	return handle(rq, MODE_ALERT, err);
}

int events_change_enqueue(struct req *rq, struct api_err *err)
{
	return handle(rq, MODE_CHANGE, err);
}

int events_native(struct req *rq, struct api_err *err)
{
	return handle(rq, MODE_NATIVE, err);
}
