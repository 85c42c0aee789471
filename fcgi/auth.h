/* auth.h: finding the secret a sender presents, wherever the sender puts it. */
#ifndef OK_AUTH_H
#define OK_AUTH_H

#include <json-c/json.h>

struct req;

enum key_kind { KEY_NONE, KEY_INTEGRATION, KEY_API };

struct presented_key {
	enum key_kind kind;  /* KEY_API when the value has the API-token prefix */
	const char *value;   /* arena copy, or NULL */
	const char *source;  /* where it was found, for messages: "routing_key", "X-Routing-Key", … */
};

/*
 * Looks for the sender's secret, first found wins: body routing_key, body routingKey,
 * X-Routing-Key, Authorization "Token token=…", Authorization "Bearer …", X-API-Key, query
 * routing_key, query integrationKey. Body keys are removed from body (body may be NULL or a
 * non-object), so the secret is never stored with the payload. Fills out (kind KEY_NONE when
 * nothing was presented).
 */
void auth_find_key(struct req *rq, struct json_object *body, struct presented_key *out);

#endif
