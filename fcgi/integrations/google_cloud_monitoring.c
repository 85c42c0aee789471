/* google_cloud_monitoring.c: Google Cloud Monitoring incidents, bare or in a Pub/Sub push
 * envelope → one event (appendix §B). */
#include <string.h>
#include <json-c/json.h>

#include "vendor.h"
#include "normalize.h"
#include "arena.h"
#include "json.h"

/* The 6-bit value of a base64 digit (standard or URL-safe alphabet), or -1. */
static int b64_digit(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Decodes base64 s[0..len) (padding optional) into a NUL-terminated arena buffer *out.
 * Returns the decoded length, or -1 when s is not base64. */
static long b64_decode(struct arena *a, const char *s, size_t len, char **out)
{
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0;

	for (int pad = 0; pad < 2 && len && s[len - 1] == '='; pad++)
		len--;
	if (len % 4 == 1)
		return -1;
	char *buf = arena_alloc(a, len / 4 * 3 + 3);
	for (size_t i = 0; i < len; i++) {
		int v = b64_digit((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (char)((acc >> bits) & 0xFF);
			acc &= (1u << bits) - 1;
		}
	}
	buf[o] = '\0';
	*out = buf;
	return (long)o;
}

static void put_root(void *root)
{
	json_object_put(root);
}

/* Copies a reference to body[path] into obj[key] when it is there. */
static void add_ref(
	struct json_object *obj, const char *key, struct json_object *body, const char *path)
{
	struct json_object *v = norm_get(body, path);

	if (v)
		json_object_object_add(obj, key, json_object_get(v));
}

/*
 * A Pub/Sub push body {"message":{"data":base64 JSON,"messageId","publishTime","attributes"},
 * "subscription"} is unwrapped: the decoded object (owned by the arena) gains "_pubsub" with
 * those four fields and is mapped instead. Returns the object to map, or NULL with c->errs.
 */
static struct json_object *unwrap_pubsub(struct json_object *body, const struct vendor_ctx *c)
{
	struct json_object *data = norm_get(body, "message.data");
	enum json_parse_error perr;
	char *raw;
	long len;

	if (!json_object_is_type(data, json_type_string)) {
		verrs_add(c->errs, "'message.data' must be a base64 string");
		return NULL;
	}
	len = b64_decode(c->arena, json_object_get_string(data),
		(size_t)json_object_get_string_len(data), &raw);
	if (len < 0) {
		verrs_add(c->errs, "'message.data' is not valid base64");
		return NULL;
	}
	struct json_object *doc = json_parse(raw, (size_t)len, &perr, NULL);
	if (!doc) {
		verrs_add(c->errs, "'message.data' does not decode to JSON (%s)",
			json_parse_error_str(perr));
		return NULL;
	}
	arena_on_reset(c->arena, put_root, doc);
	if (!json_object_is_type(doc, json_type_object)) {
		verrs_add(c->errs, "'message.data' must decode to a JSON object");
		return NULL;
	}
	json_strip_nul(doc);
	struct json_object *ps = json_object_new_object();
	add_ref(ps, "messageId", body, "message.messageId");
	add_ref(ps, "publishTime", body, "message.publishTime");
	add_ref(ps, "attributes", body, "message.attributes");
	add_ref(ps, "subscription", body, "subscription");
	json_object_object_add(doc, "_pubsub", ps);
	return doc;
}

int map_google_cloud_monitoring(
	struct json_object *body, const struct vendor_ctx *c, struct event **evs, size_t *n)
{
	struct arena *a = c->arena;

	if (norm_check_body(c, body))
		return -1;
	if (norm_check_object(c, body, "message"))
		return -1;
	if (norm_get(body, "message.data")) {
		body = unwrap_pubsub(body, c);
		if (!body)
			return -1;
	}
	if (norm_check_object(c, body, "incident"))
		return -1;
	if (NORM_CHECK_ALL(
		    norm_check_text, c, body, "incident.incident_id", "incident.state", "state"))
		return -1;

	const char *id = norm_str(a, body, "incident.incident_id");
	const char *policy = NORM_FIRST(a, body, "incident.policy_name", "policy_name");
	const char *summary = NORM_FIRST(
		a, body, "incident.summary", "summary", "incident.condition.name", "policy_name");
	if (!id && !policy && !summary) {
		verrs_add(c->errs,
			"'incident.incident_id' is missing (and no 'incident.policy_name' "
			"or summary to key on)");
		return -1;
	}
	/* Cloud Monitoring's notification (schema 1.2) always nests the incident with its
	 * incident_id and summary; a top-level summary (AppDynamics, the generic webhook) or New
	 * Relic's incident (id, title) is another vendor's. */
	if (!NORM_FIRST(a, body, "incident.incident_id", "incident.summary")) {
		verrs_add(c->errs, "'incident.incident_id' (or 'incident.summary') is missing (not "
				   "a Google Cloud Monitoring payload?)");
		return -1;
	}

	const char *resource = NORM_FIRST(a, body, "incident.resource.display_name",
		"resource.display_name", "incident.resource.type", "resource.type");
	const char *key = id;
	if (!key && policy && resource)
		key = arena_printf(a, "gcp-%s-%s", policy, resource);
	else if (!key && policy)
		key = arena_printf(a, "gcp-%s", policy);
	else if (!key)
		key = arena_printf(a, "gcp-%s", norm_slug(a, summary));
	const char *state = NORM_FIRST(a, body, "incident.state", "state");

	*evs = norm_events(c, 1);
	*n = 1;
	norm_event(c, *evs, norm_action(state, EV_TRIGGER), key, summary, "Google Cloud Monitoring",
		norm_severity(NORM_FIRST(a, body, "incident.severity", "severity"), SEV_WARNING),
		body);
	return 0;
}
