/* intake.h: the steps every event-accepting endpoint shares (the PagerDuty-compatible
 * endpoints, /api/events, the vendor webhooks): reading the body, refusing in the endpoint's
 * words, hashing the presented key, throttling triggers and learning an integration's limit. */
#ifndef OK_INTAKE_H
#define OK_INTAKE_H

#include <json-c/json.h>

struct req;
struct api_err;
struct verrs;
struct ingest_result;

/* Body types an endpoint accepts, besides application/json and application/…+json. */
#define INTAKE_TEXT 1 /* text/plain holding JSON (AWS SNS sends that) */
#define INTAKE_FORM 2 /* application/x-www-form-urlencoded, turned into an object of strings */

/*
 * Parses rq's body into *out (owned by the request's arena, NUL characters removed). A missing
 * Content-Type is read as JSON. Returns 0, or -1 with err filled: 415 for another media type,
 * 400 invalid_json (the reason in v, err->details = v) for an empty or malformed body.
 */
int intake_body(struct req *rq, unsigned accept, struct json_object **out, struct verrs *v,
	struct api_err *err) __attribute__((warn_unused_result));

/* Fills err for an ok_ingest refusal code (unknown_key, integration_disabled, …), in
 * PagerDuty's words when pagerduty is 1. Returns -1. */
int intake_refuse(const char *code, int pagerduty, struct api_err *err);

/* The stored form (keys_hash with the server pepper) of a presented secret (arena). */
const char *intake_key_hash(struct req *rq, const char *key);

/* Takes cost tokens from the bucket of key_hash; 429 rate_limited with Retry-After,
 * X-RateLimit-Remaining: 0 and X-RateLimit-Reset (epoch seconds) when it holds fewer. */
int intake_throttle(struct req *rq, const char *key_hash, int cost, struct api_err *err)
	__attribute__((warn_unused_result));
/* Counts the actions of an ingest answer's results in the shared metrics (not for a
 * redelivery; results without an action, such as change events, are not counted). */
void intake_count_actions(struct req *rq, const struct ingest_result *r);
/* Records the integration's own rate and burst from an ingest answer. */
void intake_learn_limit(struct req *rq, const char *key_hash, const struct ingest_result *r);

#endif
