/* ingest.h: commits normalised events in ONE database round trip (alerts, incident, timeline
 * and the outbox jobs they imply, then NOTIFY) via the SQL function ok_ingest(). */
#ifndef OK_INGEST_H
#define OK_INGEST_H

#include <stddef.h>
#include <json-c/json.h>

struct db;
struct db_error;
struct arena;
struct event;
struct change_event;

/* Who is sending. Exactly one of the two key paths is used. */
struct ingest_auth {
	const char *key_hash;       /* keys_hash() of the presented secret */
	int is_api_key;             /* 1: an API token (service_id required); 0: an integration key */
	const char *integration_id; /* optional ?integrationId= addressing (UUID text), else NULL */
	const char *service_id;     /* API-key path: the target service (UUID text), else NULL */
	const char *sig_json;       /* the request's signature material for ok_auth_integration
				       ({"alg","given","msg",…}), NULL where senders cannot sign */
};

struct ingest_result {
	/* NULL on success, else the refusal code of ok_ingest: unknown_key, integration_disabled,
	 * key_mismatch, api_key_revoked, user_inactive, scope_missing, service_required,
	 * service_not_found, service_forbidden, signature_missing, signature_expired,
	 * signature_invalid, signature_pending (an SNS certificate is being fetched). */
	const char *error;
	const char *integration_id; /* NULL on the API-key path */
	const char *service_id;
	int rate_limit;             /* the integration's own events/s, 0 when it uses the default */
	int rate_burst;
	int duplicate;              /* 1 when delivery_id was seen before: results are the first ones */
	struct json_object *results;/* array of per-event results; put at arena reset */
};

/*
 * Ingests n events for the sender in one transaction (one round trip). delivery_id (may be
 * NULL) makes a redelivery answer like the first time and write nothing. On success returns 0
 * and fills out (out->error may still be set: a refusal, nothing written). On a database
 * failure returns -1 and fills err; nothing was committed.
 */
int ingest_events(struct db *db, struct arena *a, const struct ingest_auth *auth,
	const struct event *evs, size_t n, const char *delivery_id, struct ingest_result *out,
	struct db_error *err) __attribute__((warn_unused_result));

/* Stores one change event; same contract (out->results holds one {"id":…} object). */
int ingest_change(struct db *db, struct arena *a, const struct ingest_auth *auth,
	const struct change_event *ce, struct ingest_result *out, struct db_error *err)
	__attribute__((warn_unused_result));

/* The SNS signing certificate of url (PEM, arena copy) in *pem, or NULL when it is not known yet
 * (a worker fetch is then queued). Returns 0, or -1 with err filled. */
int ingest_sns_certificate(struct db *db, struct arena *a, const char *url, const char **pem,
	struct db_error *err) __attribute__((warn_unused_result));
/* An SNS SubscriptionConfirmation for the sender: queues the visit of url. out->error as for
 * ingest_events, plus sns_url_refused (SubscribeURL is not AWS's); out->results is empty. */
int ingest_sns_subscribe(struct db *db, struct arena *a, const struct ingest_auth *auth,
	const char *url, const char *message_id, struct ingest_result *out, struct db_error *err)
	__attribute__((warn_unused_result));

#endif
