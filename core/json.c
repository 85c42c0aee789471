/* json.c: bounded, strict parsing of untrusted JSON bodies and typed field access (json-c). */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "wrapper.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * json-c's strict mode still accepts single-quoted strings, raw control characters in strings,
 * NaN/Infinity and "1."; this RFC 8259 token check rejects them. Grammar errors are left to
 * json-c, which has parsed the input already. Returns the offset of the first bad token, or
 * SIZE_MAX when every token is valid.
 */
static size_t lex_check(const char *d, size_t n)
{
	static const char *const literals[] = {"true", "false", "null"};
	size_t i = 0, k, len;

	while (i < n) {
		char c = d[i];

		if (is_ws(c) || (c && strchr("{}[]:,", c))) {
			i++;
		} else if (c == '"') {
			for (i++; i < n && d[i] != '"'; i++) {
				if ((unsigned char)d[i] < 0x20)
					return i;
				if (d[i] == '\\')
					i++;
			}
			i++;
		} else if (c == '-' || is_digit(c)) {
			if (c == '-' && ++i == n)
				return i;
			if (!is_digit(d[i]))
				return i;
			if (d[i++] != '0')
				while (i < n && is_digit(d[i]))
					i++;
			if (i < n && d[i] == '.') {
				if (++i == n || !is_digit(d[i]))
					return i;
				while (i < n && is_digit(d[i]))
					i++;
			}
			if (i < n && (d[i] == 'e' || d[i] == 'E')) {
				if (++i < n && (d[i] == '+' || d[i] == '-'))
					i++;
				if (i == n || !is_digit(d[i]))
					return i;
				while (i < n && is_digit(d[i]))
					i++;
			}
		} else {
			for (k = 0; k < ARRAY_SIZE(literals); k++) {
				len = strlen(literals[k]);
				if (n - i >= len && !memcmp(d + i, literals[k], len))
					break;
			}
			if (k == ARRAY_SIZE(literals))
				return i;
			i += len;
		}
	}
	return SIZE_MAX;
}

static enum json_parse_error map_error(enum json_tokener_error e)
{
	switch (e) {
	case json_tokener_success:
		return JSON_OK;
	case json_tokener_error_depth:
		return JSON_TOO_DEEP;
	case json_tokener_error_parse_utf8_string:
		return JSON_BAD_UTF8;
	default:
		return JSON_SYNTAX;
	}
}

struct json_object *json_parse(const char *data, size_t n, enum json_parse_error *err, size_t *pos)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error jerr;
	const char *nul;
	size_t i, end;

	for (i = 0; i < n && is_ws(data[i]); i++)
		;
	if (i == n) {
		*err = JSON_EMPTY;
		if (pos)
			*pos = n;
		return NULL;
	}
	/* json-c treats a NUL byte as the end of input; a raw NUL is never valid JSON. */
	nul = memchr(data, '\0', n);
	if (nul || n > INT_MAX) {
		*err = JSON_SYNTAX;
		if (pos)
			*pos = nul ? (size_t)(nul - data) : 0;
		return NULL;
	}

	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (!tok) {
		*err = JSON_SYNTAX;
		if (pos)
			*pos = 0;
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, data, (int)n);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!root && jerr == json_tokener_continue) {
		/* The end of input, as json-c sees it: one NUL byte (finishes a bare number). */
		root = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr == json_tokener_continue)
			jerr = json_tokener_error_parse_eof;
	} else if (root && jerr == json_tokener_success) {
		/* Stopped after the value: only white space may follow. */
		for (; end < n && is_ws(data[end]); end++)
			;
		if (end < n)
			jerr = json_tokener_error_parse_unexpected;
	}
	json_tokener_free(tok);

	if (jerr != json_tokener_success || !root) {
		json_object_put(root);
		*err = jerr == json_tokener_success ? JSON_SYNTAX : map_error(jerr);
		if (pos)
			*pos = end;
		return NULL;
	}
	end = lex_check(data, n);
	if (end != SIZE_MAX) {
		json_object_put(root);
		*err = JSON_SYNTAX;
		if (pos)
			*pos = end;
		return NULL;
	}
	*err = JSON_OK;
	if (pos)
		*pos = n;
	return root;
}

const char *json_parse_error_str(enum json_parse_error e)
{
	switch (e) {
	case JSON_OK:
		return "ok";
	case JSON_EMPTY:
		return "empty body";
	case JSON_SYNTAX:
		return "invalid JSON";
	case JSON_TOO_DEEP:
		return "JSON nested too deeply";
	case JSON_BAD_UTF8:
		return "invalid UTF-8";
	}
	return "invalid JSON";
}

/* Removes NULs from one string value in place; returns how many. */
static size_t strip_string(struct json_object *s)
{
	const char *str = json_object_get_string(s);
	int len = json_object_get_string_len(s);
	size_t removed = 0;
	char *copy;
	int i, j;

	if (!memchr(str, '\0', (size_t)len))
		return 0;
	copy = xmalloc((size_t)len + 1);
	for (i = j = 0; i < len; i++) {
		if (str[i])
			copy[j++] = str[i];
		else
			removed++;
	}
	copy[j] = '\0';
	json_object_set_string_len(s, copy, j);
	free(copy);
	return removed;
}

size_t json_strip_nul(struct json_object *root)
{
	size_t removed = 0, i, n;

	switch (json_object_get_type(root)) {
	case json_type_string:
		return strip_string(root);
	case json_type_array:
		n = json_object_array_length(root);
		for (i = 0; i < n; i++)
			removed += json_strip_nul(json_object_array_get_idx(root, i));
		return removed;
	case json_type_object: {
		/* Keys are C strings in json-c: a "\u0000" in a key already ended it at parse time.
		 */
		json_object_object_foreach(root, key, val)
		{
			(void)key;
			removed += json_strip_nul(val);
		}
		return removed;
	}
	default:
		return 0;
	}
}

struct json_object *json_get(const struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;

	if (!obj || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

const char *json_get_str(const struct json_object *obj, const char *key, size_t *len)
{
	struct json_object *v = json_get(obj, key);

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	if (len)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

char *json_dump(const struct json_object *v)
{
	const char *s = json_object_to_json_string_ext(
		(struct json_object *)v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	return xstrdup(s ? s : "null");
}
