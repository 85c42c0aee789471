/* intake.c: body parsing, refusals, key hashing and admission shared by event endpoints. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "intake.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "ratelimit.h"
#include "metrics.h"
#include "conf.h"
#include "crypto.h"
#include "event.h"
#include "ingest.h"
#include "json.h"
#include "keys.h"
#include "wrapper.h"

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
	{ "signature_missing", 401, "this integration requires a signed request; no signature header",
		0, NULL },
	{ "signature_invalid", 401, "signature does not match the request body", 0, NULL },
	{ "signature_expired", 401, "signature timestamp is missing or more than 300 s old", 0,
		NULL },
	{ "signature_pending", 503, "the SNS signing certificate is being fetched; deliver again", 0,
		NULL },
	{ "sns_url_refused", 400, "SubscribeURL is not an https URL on sns.<region>.amazonaws.com", 0,
		NULL },
};

int intake_refuse(const char *code, int pagerduty, struct api_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(refusals); i++) {
		if (strcmp(refusals[i].code, code))
			continue;
		if (pagerduty && refusals[i].pd_status)
			return api_fail(err, refusals[i].pd_status, code, "%s", refusals[i].pd_msg);
		if (refusals[i].status == 503)
			err->retry_after = 30;
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

/* The media type of rq (lower-case, without parameters) is t. */
static int media_is(const char *ct, size_t n, const char *t)
{
	return n == strlen(t) && !strncasecmp(ct, t, n);
}

/* application/x-www-form-urlencoded → {"name":"value",…} (last value of a name wins). */
static struct json_object *parse_form(struct req *rq)
{
	struct json_object *o = json_object_new_object();

	for (const char *p = rq->body; *p;) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		if (eq && eq > p) {
			char *k = req_urldecode(&rq->arena, p, (size_t)(eq - p));
			char *v = req_urldecode(&rq->arena, eq + 1, len - (size_t)(eq - p) - 1);
			json_object_object_add(o, k, json_object_new_string(v));
		}
		p += len + (p[len] == '&');
	}
	return o;
}

int intake_body(struct req *rq, unsigned accept, struct json_object **out, struct verrs *v,
	struct api_err *err)
{
	const char *ct = req_param(rq, "CONTENT_TYPE");
	size_t n = ct ? strcspn(ct, "; \t") : 0;
	int json = n == 0 || media_is(ct, n, "application/json") ||
		(n > 17 && !strncasecmp(ct, "application/", 12) &&
			!strncasecmp(ct + n - 5, "+json", 5)) ||
		((accept & INTAKE_TEXT) && media_is(ct, n, "text/plain"));
	int form = (accept & INTAKE_FORM) && media_is(ct, n, "application/x-www-form-urlencoded");

	if (!json && !form)
		return api_fail(err, 415, "unsupported_media_type",
			(accept & INTAKE_FORM) ?
				"Content-Type must be application/json or application/x-www-form-urlencoded" :
				"Content-Type must be application/json");
	if (form) {
		*out = parse_form(rq);
	} else {
		enum json_parse_error perr;
		size_t pos = 0;
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
	}
	arena_on_reset(&rq->arena, put_json, *out);
	json_strip_nul(*out);
	return 0;
}

const char *intake_key_hash(struct req *rq, const char *key)
{
	char *hash = arena_alloc(&rq->arena, KEYS_HASH_HEX_LEN + 1);
	keys_hash(rq->app->conf->api_key_pepper, key, strlen(key), hash);
	return hash;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int intake_throttle(struct req *rq, const char *key_hash, int cost, struct api_err *err)
{
	const struct conf *c = rq->app->conf;
	int retry_after = 1;
	uint64_t k = crypto_hash64(key_hash, strlen(key_hash));

	if (cost <= 0 || ratelimit_take(rq->app->rl, k, cost, c->rate_limit_per_sec,
			     c->rate_limit_burst, mono_ms(), &retry_after) == 0)
		return 0;
	err->retry_after = retry_after;
	resp_header(rq, "X-RateLimit-Remaining", "0");
	resp_header(rq, "X-RateLimit-Reset", "%lld", (long long)time(NULL) + retry_after);
	return api_fail(err, 429, "rate_limited", "Rate limit exceeded");
}

void intake_learn_limit(struct req *rq, const char *key_hash, const struct ingest_result *r)
{
	const struct conf *c = rq->app->conf;

	/* also when both are unset: a limit just cleared falls back to the server default */
	ratelimit_configure(rq->app->rl, crypto_hash64(key_hash, strlen(key_hash)),
		r->rate_limit > 0 ? r->rate_limit : c->rate_limit_per_sec,
		r->rate_burst > 0 ? r->rate_burst : c->rate_limit_burst);
}

void intake_count_actions(struct req *rq, const struct ingest_result *r)
{
	if (!rq->app->metrics || r->duplicate || !r->results)
		return;
	for (size_t i = 0; i < json_object_array_length(r->results); i++) {
		const char *a = json_get_str(json_object_array_get_idx(r->results, i), "action", NULL);
		if (a)
			metrics_count_action(rq->app->metrics, a);
	}
}
