/* integrations.c: POST /api/integrations/:name — the one pipeline around every vendor mapper:
 * body → key → mapper → signature material → delivery id → admission → ingest → answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
#include "sbuf.h"
#include "sns.h"
#include "vendor.h"
#include "wrapper.h"

#define SIGNATURE_MAX_AGE_S 300 /* timed schemes (Slack-style, Grafana with a timestamp) */

/* What the request carries for the integration's signature check (ok_auth_integration's
 * p_sig), or NULL when the vendor cannot sign. given is NULL when no header was sent. */
static const char *signature_json(struct req *rq, const struct vendor *vd)
{
	const char *given = NULL, *ts = NULL, *alg = "sha256", *sep = NULL, *prefix = NULL;
	int timed = 0;

	switch (vd->sig) {
	case SIG_NONE:
	case SIG_SNS: /* SNS signs with a certificate, not the integration's secret */
		return NULL;
	case SIG_GENERIC:
		if ((given = req_header(rq, "X-Slack-Signature")) != NULL) {
			ts = req_header(rq, "X-Slack-Request-Timestamp");
			prefix = "v0=";
			sep = ":";
			timed = 1;
		} else {
			given = req_header(rq, "X-Signature");
			given = given ? given : req_header(rq, "X-Webhook-Signature");
			prefix = "sha256=";
		}
		break;
	case SIG_GITHUB:
		given = req_header(rq, "X-Hub-Signature-256");
		prefix = "sha256=";
		break;
	case SIG_GITLAB_TOKEN:
		given = req_header(rq, "X-Gitlab-Token");
		alg = "token";
		break;
	case SIG_SENTRY:
		given = req_header(rq, "Sentry-Hook-Signature");
		break;
	case SIG_GRAFANA:
		if ((given = req_header(rq, "X-Grafana-Alerting-Signature")) != NULL) {
			ts = req_header(rq, "X-Grafana-Alerting-Signature-Timestamp");
			sep = ts ? ":" : NULL;
			timed = ts != NULL;
		} else {
			given = req_header(rq, "X-Grafana-Signature");
		}
		break;
	case SIG_VERCEL:
		given = req_header(rq, "X-Vercel-Signature");
		alg = "sha1";
		break;
	}
	if (given && prefix && !strncmp(given, prefix, strlen(prefix)))
		given += strlen(prefix);

	struct sbuf sb = SBUF_INIT;
	sbuf_addf(&sb, "{\"alg\":\"%s\",\"given\":", alg);
	if (given)
		sbuf_add_json_str(&sb, given, strlen(given));
	else
		sbuf_addstr(&sb, "null");
	if (strcmp(alg, "token")) {
		/* the signed text: the raw body, or "v0:{ts}:{body}" / "{ts}:{body}" */
		struct sbuf msg = SBUF_INIT;
		if (sep && !strcmp(prefix ? prefix : "", "v0="))
			sbuf_addf(&msg, "v0:%s:", ts ? ts : "");
		else if (sep)
			sbuf_addf(&msg, "%s%s", ts ? ts : "", sep);
		sbuf_add(&msg, rq->body, rq->body_len);
		sbuf_addstr(&sb, ",\"msg\":");
		sbuf_add_json_str(&sb, msg.buf, msg.len);
		sbuf_release(&msg);
	}
	if (timed) {
		char *end = NULL;
		long long t = ts ? strtoll(ts, &end, 10) : 0;
		if (ts && end && !*end && end != ts)
			sbuf_addf(&sb, ",\"ts\":%lld", t);
		sbuf_addf(&sb, ",\"max_age\":%d", SIGNATURE_MAX_AGE_S);
	}
	sbuf_addch(&sb, '}');
	const char *out = arena_strdup(&rq->arena, sb.buf);
	sbuf_release(&sb);
	return out;
}

/* An SNS message's signature verdict for ok_auth_integration: {"alg":"sns","verified":…},
 * true/false, or null while AWS's certificate is being fetched (the worker queues it). */
static int sns_signature(struct req *rq, struct json_object *body, const char **sig,
	struct api_err *err)
{
	const char *url = json_get_str(body, "SigningCertURL", NULL);
	const char *verdict = "false";

	if (url && sns_cert_url_trusted(url)) {
		const char *pem = sns_cache_get(url);
		if (!pem) {
			struct db_error dberr = { 0 };
			if (ingest_sns_certificate(rq->app->db, &rq->arena, url, &pem, &dberr) < 0)
				return api_fail_db(rq, &dberr, err);
			if (pem)
				sns_cache_put(url, pem);
		}
		verdict = !pem ? "null" : sns_verify(body, pem) ? "true" : "false";
	}
	*sig = arena_printf(&rq->arena, "{\"alg\":\"sns\",\"verified\":%s}", verdict);
	return 0;
}

/* SubscriptionConfirmation: the worker visits SubscribeURL (queued in the same round trip). */
static int sns_subscribe(struct req *rq, struct json_object *body, const struct ingest_auth *auth,
	struct api_err *err)
{
	const char *url = json_get_str(body, "SubscribeURL", NULL);
	struct ingest_result r;
	struct db_error dberr = { 0 };

	if (!url)
		return api_fail(err, 400, "invalid_payload",
			"cloudwatch payload: 'SubscribeURL' is missing");
	if (ingest_sns_subscribe(rq->app->db, &rq->arena, auth, url,
		    json_get_str(body, "MessageId", NULL), &r, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return intake_refuse(r.error, 0, err);
	static const char ok[] = "{\"status\":\"subscription_confirmation_queued\"}";
	resp_json(rq, 200, ok, sizeof(ok) - 1);
	return 0;
}

/* The sender's delivery id: the vendor's header, Idempotency-Key, or a body field. */
static const char *delivery_id(struct req *rq, const struct vendor *vd, struct json_object *body)
{
	const char *id = vd->delivery_header ? req_header(rq, vd->delivery_header) : NULL;

	if (!id || !*id)
		id = req_header(rq, "Idempotency-Key");
	if ((!id || !*id) && vd->delivery_field)
		id = json_get_str(body, vd->delivery_field, NULL);
	return id && *id && strlen(id) <= 200 ? id : NULL;
}

static void respond(struct req *rq, const struct ingest_result *r)
{
	struct json_object *root = json_object_new_object();

	json_object_object_add(root, "status", json_object_new_string("success"));
	json_object_object_add(root, "result",
		json_object_get(json_object_array_get_idx(r->results, 0)));
	json_object_object_add(root, "results", json_object_get(r->results));
	if (r->duplicate)
		json_object_object_add(root, "duplicate", json_object_new_boolean(1));
	resp_json_obj(rq, 202, root);
	json_object_put(root);
}

int integrations_post(struct req *rq, struct api_err *err)
{
	const char *name = req_path_param(rq, "name");
	const struct vendor *vd = name ? vendor_find(name) : NULL;
	struct verrs *v = arena_calloc(&rq->arena, sizeof(*v));
	struct json_object *body;
	struct presented_key key;
	struct ingest_auth auth = { 0 };
	struct ingest_result r;
	struct db_error dberr = { 0 };
	struct event *evs = NULL;
	size_t n = 0;

	if (!vd)
		return api_fail(err, 404, "unknown_integration_type",
			"no integration type is called '%s'", name ? name : "");
	if (intake_body(rq, INTAKE_TEXT | (vd->accepts_form ? INTAKE_FORM : 0), &body, v, err) < 0)
		return -1;
	auth_find_key(rq, body, &key);
	if (key.kind == KEY_NONE)
		return api_fail(err, 401, "missing_credentials",
			"no integration key was presented (Authorization: Bearer <key>, "
			"X-Integration-Key or ?integrationKey=)");
	auth.key_hash = intake_key_hash(rq, key.value);
	const char *iid = req_query(rq, "integrationId");
	if (iid && !crypto_is_uuid(iid))
		return intake_refuse("unknown_key", 0, err);
	auth.integration_id = iid;

	/* AWS SNS envelopes: the signature is AWS's, checked against its certificate */
	const char *sns_type = vd->sig == SIG_SNS ? json_get_str(body, "Type", NULL) : NULL;
	if (sns_type) {
		if (sns_signature(rq, body, &auth.sig_json, err) < 0)
			return -1;
		if (!strcmp(sns_type, "SubscriptionConfirmation"))
			return sns_subscribe(rq, body, &auth, err);
	}

	struct vendor_ctx ctx = { &rq->arena, (int64_t)time(NULL), v };
	if (vd->map(body, &ctx, &evs, &n) < 0 || n == 0) {
		if (!v->n)
			verrs_add(v, "the body holds no alert");
		err->details = v;
		return api_fail(err, 400, "invalid_payload", "%s payload: %s", vd->name, v->msg[0]);
	}
	if (!sns_type)
		auth.sig_json = signature_json(rq, vd);

	/* admission: every trigger costs a token; acknowledge and resolve are never throttled */
	int triggers = 0;
	for (size_t i = 0; i < n; i++)
		triggers += evs[i].action == EV_TRIGGER;
	if (intake_throttle(rq, auth.key_hash, triggers, err) < 0)
		return -1;

	if (ingest_events(rq->app->db, &rq->arena, &auth, evs, n, delivery_id(rq, vd, body), &r,
		    &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (r.error)
		return intake_refuse(r.error, 0, err);
	intake_learn_limit(rq, auth.key_hash, &r);
	intake_count_actions(rq, &r);
	respond(rq, &r);
	return 0;
}
