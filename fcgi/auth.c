/* auth.c: the one list of places a sender's secret may come from. */
#include <string.h>

#include "auth.h"
#include "req.h"
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
	{ AUTHZ, "Token token=" },
	{ AUTHZ, "Bearer " },
	{ HEADER, "X-API-Key" },
	{ QUERY, "routing_key" },
	{ QUERY, "integrationKey" },
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
