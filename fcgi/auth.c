/* auth.c: the one list of places a sender's secret may come from. */
#include <string.h>

#include "auth.h"
#include "req.h"
#include "resp.h"
#include "router.h"
#include "conf.h"
#include "db.h"
#include "keys.h"
#include "wrapper.h"

enum where { BODY, HEADER, AUTHZ, QUERY };

static const struct {
	enum where where;
	const char *name;   /* body key, header name, Authorization scheme prefix, query name */
} sources[] = {
	{ BODY, "routing_key" },
	{ BODY, "routingKey" },
	{ HEADER, "X-Routing-Key" },
	{ HEADER, "X-Integration-Key" },
	{ AUTHZ, "Token token=" },
	{ AUTHZ, "Bearer " },
	{ HEADER, "X-API-Key" },
	{ QUERY, "routing_key" },
	{ QUERY, "integrationKey" },
	{ QUERY, "integration_key" },
	{ QUERY, "key" },
};

static const char *from_body(struct req *rq, struct json_object *body, const char *key)
{
	struct json_object *v;

	if (!body || !json_object_is_type(body, json_type_object) ||
		!json_object_object_get_ex(body, key, &v))
		return NULL;
	const char *s = json_object_is_type(v, json_type_string) ?
		arena_strdup(&rq->arena, json_object_get_string(v)) : NULL;
	json_object_object_del(body, key);
	return s;
}

static const char *from_authz(const struct req *rq, const char *scheme)
{
	const char *h = req_param(rq, "HTTP_AUTHORIZATION");
	return h ? skip_prefix_ci(h, scheme) : NULL;
}

void auth_find_key(struct req *rq, struct json_object *body, struct presented_key *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ARRAY_SIZE(sources) && !out->value; i++) {
		const char *v = NULL;
		switch (sources[i].where) {
		case BODY:
			v = from_body(rq, body, sources[i].name);
			break;
		case HEADER:
			v = req_header(rq, sources[i].name);
			break;
		case AUTHZ:
			v = from_authz(rq, sources[i].name);
			break;
		case QUERY:
			v = req_query(rq, sources[i].name);
			break;
		}
		if (!v || !v[strspn(v, " \t")])
			continue; /* empty or blank: not presented */
		out->value = arena_strdup(&rq->arena, v);
		out->source = sources[i].name;
		out->kind = keys_is_api_token(v) ? KEY_API : KEY_INTEGRATION;
	}
	/* remove the other body spelling too, so neither is ever stored */
	from_body(rq, body, "routing_key");
	from_body(rq, body, "routingKey");
}

/* Where a REST caller's API token may be, first found wins. */
static const struct {
	enum where where;
	const char *name;
} token_sources[] = {
	{ AUTHZ, "Bearer " },
	{ AUTHZ, "Api-Key " },
	{ HEADER, "X-API-Key" },
};

/* The presented API token (arena copy without surrounding blanks), or NULL. */
static const char *find_token(struct req *rq)
{
	for (size_t i = 0; i < ARRAY_SIZE(token_sources); i++) {
		const char *v = token_sources[i].where == AUTHZ ?
			from_authz(rq, token_sources[i].name) :
			req_header(rq, token_sources[i].name);
		if (!v)
			continue;
		v += strspn(v, " \t");
		size_t n = strlen(v);
		while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if (n)
			return arena_strndup(&rq->arena, v, n);
	}
	return NULL;
}

static int unauthorized(struct req *rq, const char *code, const char *msg, struct api_err *err)
{
	resp_header(rq, "WWW-Authenticate", "Bearer realm=\"opsknight\"");
	return api_fail(err, 401, code, "%s", msg);
}

static const char *const refusal_msgs[] = {
	[APIKEY_UNKNOWN] = "API key is not valid",
	[APIKEY_REVOKED] = "API key has been revoked",
	[APIKEY_USER_INACTIVE] = "the API key's user is not active",
};

int auth_require(struct req *rq, unsigned scope, struct principal *out, struct api_err *err)
{
	char hash[KEYS_HASH_HEX_LEN + 1];
	struct apikey k;
	struct db_error dberr = { 0 };

	memset(out, 0, sizeof(*out));
	const char *token = find_token(rq);
	if (!token)
		return unauthorized(rq, "missing_credentials",
			"no API key was presented (Authorization: Bearer/Api-Key, X-API-Key)", err);
	if (!keys_is_api_token(token))
		return unauthorized(rq, apikey_status_code(APIKEY_UNKNOWN),
			refusal_msgs[APIKEY_UNKNOWN], err);
	keys_hash(rq->app->conf->api_key_pepper, token, strlen(token), hash);
	if (apikey_authenticate(rq->app->db, hash, &k, &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	if (k.status != APIKEY_OK)
		return unauthorized(rq, apikey_status_code(k.status), refusal_msgs[k.status], err);
	if (k.role != APIKEY_ROLE_ADMIN)
		k.scopes &= ~(unsigned)APIKEY_ADMIN; /* the admin scope is an ADMIN's only */
	if (!apikey_has_scope(k.scopes, scope)) {
		const char *name = NULL;
		for (unsigned bit = 1; bit && !name; bit <<= 1)
			if ((scope & bit) && !(k.scopes & bit))
				name = apikey_scope_name(bit);
		return api_fail(err, 403, "scope_missing", "API key lacks the scope %s",
			name ? name : "required");
	}
	out->key_id = arena_strdup(&rq->arena, k.id);
	out->user_id = arena_strdup(&rq->arena, k.user_id);
	out->role = k.role;
	out->scopes = k.scopes;
	return 0;
}
