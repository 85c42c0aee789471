/* body.h: reading and checking what a REST request sends — the JSON body against a table of
 * fields, the Idempotency-Key and If-Match headers, and list query parameters — and rendering
 * the store's answers (core/rest.h) with their status, ETag and Location. */
#ifndef OK_BODY_H
#define OK_BODY_H

#include <stddef.h>
#include <json-c/json.h>

struct req;
struct api_err;
struct rest_result;

#define BODY_LIST_DEFAULT 50
#define BODY_LIST_MAX 200

/* The type of a body field. */
enum ftype {
	F_STRING,     /* text: control characters dropped (\n \t kept when multiline), min..max chars */
	F_INT,	      /* integer min..max */
	F_NUMBER,     /* number (integer or not) min..max */
	F_BOOL,	      /* true / false */
	F_UUID,	      /* a UUID text */
	F_UUID_ARRAY, /* an array of min..max UUID texts */
	F_ENUM_ARRAY, /* an array (max items; min items) of distinct values of one_of */
	F_TIME,	      /* ISO-8601 with a zone: 2024-05-01T12:00:00Z, …+02:00 */
	F_URL,	      /* an http:// or https:// URL, at most max characters */
	F_EMAIL,      /* local@domain, at most max characters */
	F_OBJECT,     /* any JSON object (its rules are checked by the store) */
};

/* One field of a body, as the API documents it. */
struct field {
	const char *name;
	enum ftype type;
	int nullable;		   /* JSON null is accepted (clears the value) */
	const char *const *one_of; /* allowed string values (F_STRING, F_ENUM_ARRAY), or NULL */
	int min, max;		   /* characters, bounds or items; 0 = none */
	int multiline;		   /* F_STRING keeps \n and \t */
	int required;		   /* must be present (create) */
	const char *column;	   /* the key written into args when it differs from name */
};

/*
 * Checks body (must be a JSON object) against fields: an unknown field is refused (422
 * unknown_field), a wrong type or value too (422 invalid_field naming the field), a missing
 * required one when check_required (422 missing_field). Adds each present field to out under
 * its column name (strings cleaned). Returns 0, or -1 with err filled.
 */
int body_check(struct req *rq, struct json_object *body, const struct field *fields,
	size_t nfields, int check_required, struct json_object *out, struct api_err *err)
	__attribute__((warn_unused_result));

/* The request body as JSON (an empty body reads as {} when empty_ok). The object lives until
 * the request ends. Returns 0, or -1 with err filled (415, 400, 413). */
int body_read(struct req *rq, int empty_ok, struct json_object **out, struct api_err *err)
	__attribute__((warn_unused_result));

/* The Idempotency-Key header (1..255 characters) into *out (NULL when absent). Returns 0, or -1
 * with err filled (400 invalid_idempotency_key). */
int body_idem_key(struct req *rq, const char **out, struct api_err *err)
	__attribute__((warn_unused_result));

/* The entity tag of the If-Match header without quotes and W/ (NULL when absent or "*"). */
const char *body_if_match(struct req *rq);

/* A new JSON object freed when the request ends. */
struct json_object *body_object(struct req *rq);

/* The limit query parameter (default BODY_LIST_DEFAULT, clamped to BODY_LIST_MAX) into
 * *limit. Returns 0, or -1 with err filled (400 invalid_parameter). */
int body_query_limit(struct req *rq, int *limit, struct api_err *err)
	__attribute__((warn_unused_result));

/* Query parameter name, a comma-separated list of values of allowed, as a JSON array into
 * f[name] (nothing when absent). Returns 0, or -1 with err filled (400 invalid_parameter). */
int body_query_list(struct req *rq, const char *name, const char *const *allowed,
	struct json_object *f, struct api_err *err) __attribute__((warn_unused_result));
/* Query parameter name, which must be a UUID, into f[name] (nothing when absent). */
int body_query_uuid(struct req *rq, const char *name, struct json_object *f, struct api_err *err)
	__attribute__((warn_unused_result));
/* Query parameter name, when present and not empty, copied into f[name]. */
void body_query_copy(struct req *rq, const char *name, struct json_object *f);

/* Fills err for a refusal of the store (out->error) with its HTTP status. Returns -1. */
int body_refuse(struct req *rq, const struct rest_result *r, struct api_err *err);

/*
 * Renders {"data": root.data[, the extra fields of root]} with status r->http (200 when 0),
 * ETag when etag is given, Location when r->http is 201 and location is given (every answer
 * carries Cache-Control: no-store, see resp.c). A 204 has no body.
 */
void body_render(struct req *rq, const struct rest_result *r, const char *const *extra,
	const char *etag, const char *location);

#endif
