/* rest.c: the generic handlers of the configuration resources (rest.h): list, get, create,
 * patch, delete, plus the writes that are not plain field updates (rotating an integration's
 * key or signature secret, marking notifications read). */
#include <string.h>

#include "api.h"
#include "resources.h"
#include "req.h"
#include "resp.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "json.h"
#include "rest.h"
#include "wrapper.h"

/* One request on a resource: who asks, the path segments, the store's answer. */
struct call {
	const struct rest_resource *res;
	struct principal who;
	struct json_object *path;
	struct rest_result r;
};

/* Auth (the resource's read or write scope), then the route's segments as path (each a UUID;
 * "me" names the caller in the users resource; anything else: 404 without asking the store). */
static int start(struct req *rq, int write, struct call *c, struct api_err *err)
{
	c->res = rq->route->arg;
	if (auth_require(rq, write ? c->res->write_scope : c->res->read_scope, &c->who, err) < 0)
		return -1;
	c->path = body_object(rq);
	for (int i = 0; i < rq->nparams; i++) {
		const char *v = rq->param_value[i];
		if (c->res == &rest_user && !strcmp(v, "me"))
			v = c->who.user_id;
		if (!crypto_is_uuid(v))
			return api_fail(err, 404, "not_found", "%s not found", c->res->label);
		json_object_object_add(c->path, rq->param_name[i], json_object_new_string(v));
	}
	return 0;
}

static const char *plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

/* Runs op on the store; 0 with c->r filled (not a refusal), or -1 with err. */
static int run(struct req *rq, struct call *c, const char *op, struct json_object *args,
	struct json_object *query, const char *idem, struct api_err *err)
{
	struct db_error dberr = {0};

	if (rest_call(rq->app->db, &rq->arena, c->who.key_id, c->res->name, op, plain(c->path),
		    args ? plain(args) : "{}", query ? plain(query) : "{}", idem, &c->r,
		    &dberr) < 0)
		return api_fail_db(rq, &dberr, err);
	return c->r.error ? body_refuse(rq, &c->r, err) : 0;
}

/* Renders a one-row answer, with reveal merged into its data. */
static void render_row(struct req *rq, struct call *c, struct json_object *reveal)
{
	struct json_object *data = json_get(c->r.root, "data");
	const char *location = NULL;

	/* a replay never shows a secret again: the first answer's is the one stored (hashed) */
	if (reveal && json_object_is_type(data, json_type_object) &&
		!json_object_get_boolean(json_get(c->r.root, "replayed"))) {
		json_object_object_foreach(reveal, k, v)
			json_object_object_add(data, k, json_object_get(v));
	}
	if (c->r.http == 201) {
		size_t n = strlen(rq->path);
		while (n > 1 && rq->path[n - 1] == '/')
			n--;
		const char *id = json_get_str(data, c->res->id_param ? c->res->id_param : "id", NULL);
		location = arena_printf(&rq->arena, "%.*s/%s", (int)n, rq->path, id ? id : "");
	}
	body_render(rq, &c->r, (const char *const[]){"replayed", NULL}, c->r.etag, location);
}

/* A list filter's query value, checked by its type, into filters[name]. */
static int filter(struct req *rq, const struct field *f, struct json_object *filters,
	struct api_err *err)
{
	const char *q = req_query(rq, f->name);
	int ok;

	if (!q)
		return 0;
	if (f->type == F_UUID)
		ok = crypto_is_uuid(q);
	else if (f->type == F_BOOL)
		ok = !strcmp(q, "true") || !strcmp(q, "false");
	else
		ok = str_in_list(q, f->one_of);
	if (!ok)
		return api_fail(err, 400, "invalid_parameter", "%s has an invalid value: %.64s",
			f->name, q);
	json_object_object_add(filters, f->column ? f->column : f->name, json_object_new_string(q));
	return 0;
}

int rest_list(struct req *rq, struct api_err *err)
{
	struct call c;
	int limit;

	if (start(rq, 0, &c, err) < 0 ||
		body_query_limit(rq, &limit, err) < 0)
		return -1;
	struct json_object *query = body_object(rq), *filters = json_object_new_object();
	json_object_object_add(query, "filters", filters);
	json_object_object_add(query, "limit", json_object_new_int(limit));
	body_query_copy(rq, "cursor", query);
	if (c.res->searchable)
		body_query_copy(rq, "q", query);
	for (size_t i = 0; i < c.res->nfilters; i++)
		if (filter(rq, &c.res->filters[i], filters, err) < 0)
			return -1;
	if (run(rq, &c, "list", NULL, query, NULL, err) < 0)
		return -1;
	body_render(rq, &c.r, (const char *const[]){"next_cursor", NULL}, NULL, NULL);
	return 0;
}

/* 1 when the If-None-Match header lists etag (or is "*"). */
static int not_modified(struct req *rq, const char *etag)
{
	const char *h = req_header(rq, "If-None-Match");
	size_t n = strlen(etag);

	if (!h || !etag)
		return 0;
	if (!strcmp(h, "*"))
		return 1;
	for (const char *p = strstr(h, etag); p; p = strstr(p + 1, etag))
		if (p > h && p[-1] == '"' && p[n] == '"')
			return 1;
	return 0;
}

int rest_get(struct req *rq, struct api_err *err)
{
	struct call c;

	if (start(rq, 0, &c, err) < 0 ||
		run(rq, &c, "get", NULL, NULL, NULL, err) < 0)
		return -1;
	if (c.r.etag && not_modified(rq, c.r.etag)) {
		resp_json(rq, 304, "", 0);
		resp_header(rq, "ETag", "\"%s\"", c.r.etag);
		return 0;
	}
	render_row(rq, &c, NULL);
	return 0;
}

/* The entity tags of If-Match ("a", W/"b", …) as a JSON array, or NULL when absent or "*". */
static struct json_object *if_match_tags(struct req *rq)
{
	const char *h = req_header(rq, "If-Match");

	if (!h || !strcmp(h, "*"))
		return NULL;
	struct json_object *tags = json_object_new_array();
	char *s = arena_strdup(&rq->arena, h), *save = NULL;
	for (char *t = strtok_r(s, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		if (!strncmp(t, "W/", 2))
			t += 2;
		size_t n = strlen(t);
		if (n >= 2 && t[0] == '"' && t[n - 1] == '"')
			t[--n] = '\0', t++;
		json_object_array_add(tags, json_object_new_string(t));
	}
	return tags;
}

/* What every write starts with: auth with the write scope, the Idempotency-Key, the body
 * checked against the resource's fields (when fields), If-Match. */
static int write_begin(struct req *rq, struct call *c, int create, int with_body,
	const char **idem, struct json_object **args, struct api_err *err)
{
	struct json_object *body;

	*args = body_object(rq);
	if (start(rq, 1, c, err) < 0 ||
		body_idem_key(rq, idem, err) < 0)
		return -1;
	if (with_body && (body_read(rq, 0, &body, err) < 0 ||
				 body_check(rq, body, c->res->fields, c->res->nfields, create, *args,
					 err) < 0))
		return -1;
	struct json_object *tags = create ? NULL : if_match_tags(rq);
	if (tags)
		json_object_object_add(*args, "_if_match", tags);
	return 0;
}

int rest_create(struct req *rq, struct api_err *err)
{
	struct call c;
	struct json_object *args, *reveal = NULL;
	const char *idem;

	if (write_begin(rq, &c, 1, 1, &idem, &args, err) < 0)
		return -1;
	if (c.res->generate) {
		struct json_object *gen = json_object_new_object();
		reveal = body_object(rq);
		json_object_object_add(args, "_gen", gen);
		c.res->generate(rq, args, gen, reveal);
	}
	if (run(rq, &c, "create", args, NULL, idem, err) < 0)
		return -1;
	render_row(rq, &c, reveal);
	return 0;
}

int rest_patch(struct req *rq, struct api_err *err)
{
	struct call c;
	struct json_object *args;
	const char *idem;

	if (write_begin(rq, &c, 0, 1, &idem, &args, err) < 0)
		return -1;
	int n = json_object_object_length(args) - json_object_object_get_ex(args, "_if_match", NULL);
	if (n == 0)
		return api_fail(err, 422, "no_fields", "no field to update");
	if (run(rq, &c, "patch", args, NULL, idem, err) < 0)
		return -1;
	render_row(rq, &c, NULL);
	return 0;
}

int rest_delete(struct req *rq, struct api_err *err)
{
	struct call c;
	struct json_object *args;
	const char *idem;

	if (write_begin(rq, &c, 0, 0, &idem, &args, err) < 0 ||
		run(rq, &c, "delete", args, NULL, idem, err) < 0)
		return -1;
	render_row(rq, &c, NULL);
	return 0;
}

/* A patch whose fields are generated, not sent: rotate-key and rotate-secret. */
static int rotate(struct req *rq, rest_generate_fn *generate, struct api_err *err)
{
	struct call c;
	struct json_object *args, *gen = json_object_new_object(), *reveal = body_object(rq);
	const char *idem;

	if (write_begin(rq, &c, 0, 0, &idem, &args, err) < 0) {
		json_object_put(gen);
		return -1;
	}
	json_object_object_add(args, "_gen", gen);
	generate(rq, args, gen, reveal);
	if (run(rq, &c, "patch", args, NULL, idem, err) < 0)
		return -1;
	render_row(rq, &c, reveal);
	return 0;
}

int integrations_rotate_key(struct req *rq, struct api_err *err)
{
	return rotate(rq, rest_integration.generate, err);
}

int integrations_rotate_secret(struct req *rq, struct api_err *err)
{
	return rotate(rq, rest_new_signature_secret, err);
}

int notifications_read(struct req *rq, struct api_err *err)
{
	static const struct field fields[] = {
		{"ids", F_UUID_ARRAY, 0, NULL, 1, BODY_LIST_MAX, 0, 0, NULL},
		{"all", F_BOOL, 0, NULL, 0, 0, 0, 0, NULL},
	};
	struct call c;
	struct json_object *body, *args = body_object(rq);
	const char *idem;

	if (start(rq, 1, &c, err) < 0 || body_idem_key(rq, &idem, err) < 0 ||
		body_read(rq, 0, &body, err) < 0 ||
		body_check(rq, body, fields, ARRAY_SIZE(fields), 0, args, err) < 0)
		return -1;
	if (!json_object_object_get_ex(args, "ids", NULL) &&
		!json_object_get_boolean(json_get(args, "all")))
		return api_fail(err, 422, "missing_field", "ids or \"all\": true is required");
	if (run(rq, &c, "mark_read", args, NULL, idem, err) < 0)
		return -1;
	body_render(rq, &c.r, NULL, NULL, NULL);
	return 0;
}
