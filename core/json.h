/* json.h: json-c helpers: bounded parsing of untrusted bodies and typed field access. */
#ifndef OK_JSON_H
#define OK_JSON_H

#include <stddef.h>
#include <json-c/json.h>

#define JSON_MAX_DEPTH 64

enum json_parse_error {
	JSON_OK = 0,
	JSON_EMPTY,    /* no bytes, or only white space */
	JSON_SYNTAX,   /* not JSON, trailing garbage, or truncated */
	JSON_TOO_DEEP, /* nesting deeper than JSON_MAX_DEPTH */
	JSON_BAD_UTF8, /* invalid UTF-8 in a string */
};

/*
 * Parses exactly one JSON value from data[0..n) (trailing white space allowed) under RFC 8259:
 * no single quotes, NaN, "1." or raw control characters in strings. Strings must be valid UTF-8.
 * "\u0000" escapes are accepted and later removed by json_strip_nul (PostgreSQL cannot store
 * NUL); in an object key json-c itself ends the key at the NUL ("k\u0000ey" becomes "k"). On
 * success returns a new root (caller puts it) and JSON_OK; on failure returns NULL and sets *err,
 * and pos (if not NULL) to the byte offset where parsing stopped.
 */
struct json_object *json_parse(const char *data, size_t n, enum json_parse_error *err, size_t *pos);
/* A short lower-case description of a parse error ("invalid JSON at byte 17" style is the
 * caller's job): "empty body", "invalid JSON", "JSON nested too deeply", "invalid UTF-8". */
const char *json_parse_error_str(enum json_parse_error e);

/* Removes NUL characters from every string and object key below root, in place.
 * Returns the number of NULs removed. */
size_t json_strip_nul(struct json_object *root);

/* Borrowed child of an object, or NULL when obj is not an object or the key is absent. */
struct json_object *json_get(const struct json_object *obj, const char *key);
/* Borrowed string value of obj[key] when it is a JSON string, else NULL; *len if not NULL. */
const char *json_get_str(const struct json_object *obj, const char *key, size_t *len);

/* Renders v compactly (caller frees), never NULL. */
char *json_dump(const struct json_object *v);

#endif
