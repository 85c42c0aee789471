/* auth.h: finding the secret a sender presents, wherever the sender puts it. */
#ifndef OK_AUTH_H
#define OK_AUTH_H

#include <json-c/json.h>

#include "apikey.h"

struct req;
struct api_err;

enum key_kind { KEY_NONE, KEY_INTEGRATION, KEY_API };

struct presented_key {
	enum key_kind kind;  /* KEY_API when the value has the API-token prefix */
	const char *value;   /* arena copy, or NULL */
	const char *source;  /* where it was found, for messages: "routing_key", "X-Routing-Key", … */
};

/*
 * Looks for the sender's secret, first found wins: body routing_key, body routingKey,
 * X-Routing-Key, X-Integration-Key, Authorization "Token token=…", Authorization "Bearer …",
 * X-API-Key, query routing_key, integrationKey, integration_key, key (spec §1, §2.1, F.3). Body keys are removed from body (body may be NULL or a
 * non-object), so the secret is never stored with the payload. Fills out (kind KEY_NONE when
 * nothing was presented).
 */
void auth_find_key(struct req *rq, struct json_object *body, struct presented_key *out);

/* Who an authenticated REST request acts for. */
struct principal {
	const char *key_id;    /* arena strings */
	const char *user_id;
	enum apikey_role role;
	unsigned scopes;       /* mask of enum apikey_scope */
};

/*
 * Authenticates a REST request by API token — Authorization "Bearer <t>" or "Api-Key <t>"
 * (scheme case-insensitive), else X-API-Key — and requires scope (one or more enum
 * apikey_scope bits; the admin scope satisfies any, and counts only for users with the ADMIN
 * role). Returns 0 and fills out, or -1 with err
 * filled: 401 missing_credentials, invalid_api_key, api_key_revoked or user_inactive (with a
 * WWW-Authenticate header), 403 scope_missing, 503 database_unavailable (+ Retry-After) or 500.
 */
int auth_require(struct req *rq, unsigned scope, struct principal *out, struct api_err *err)
	__attribute__((warn_unused_result));

#endif
