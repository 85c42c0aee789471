/* events.c: Events API v2 (PagerDuty-compatible), change events, and the native /api/events. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "intake.h"
#include "crypto.h"
#include "db.h"
#include "event.h"
#include "ingest.h"
#include "json.h"
#include "keys.h"
#include "wrapper.h"

enum mode { MODE_ALERT, MODE_CHANGE, MODE_NATIVE };

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
	auth->key_hash = intake_key_hash(rq, key->value);
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

	if (intake_body(rq, 0, &body, v, err) < 0)
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
		return intake_refuse("service_not_found", mode != MODE_NATIVE, err);
	const char *iid = req_query(rq, "integrationId");
	if (iid && !auth.is_api_key) {
		if (!crypto_is_uuid(iid))
			return intake_refuse("unknown_key", mode != MODE_NATIVE, err);
		auth.integration_id = iid;
	}
	/* acknowledge and resolve are never throttled: they end pages */
	if ((mode == MODE_CHANGE || ev.action == EV_TRIGGER) &&
		intake_throttle(rq, auth.key_hash, 1, err) < 0)
		return -1;

	int rc = mode == MODE_CHANGE ?
		ingest_change(rq->app->db, &rq->arena, &auth, &ce, &r, &dberr) :
		ingest_events(rq->app->db, &rq->arena, &auth, &ev, 1, NULL, &r, &dberr);
	if (rc < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return intake_refuse(auth.is_api_key && !strcmp(r.error, "unknown_key") ?
				"invalid_api_key" : r.error,
			mode != MODE_NATIVE, err);
	intake_learn_limit(rq, auth.key_hash, &r);
	intake_count_actions(rq, &r);
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
