/* conf.c: the configuration key table, the "key = value" file parser and environment overrides. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "sbuf.h"
#include "wrapper.h"

enum conf_type { CT_STRING, CT_INT, CT_LEVEL };

struct conf_key {
	const char *name;
	enum conf_type type;
	const char *def;
	long min, max;	/* bounds of CT_INT */
	int reloadable; /* takes effect on SIGHUP without a restart */
	size_t offset;	/* of the field in struct conf */
};

#define CF(field) offsetof(struct conf, field)

static const struct conf_key conf_keys[] = {
	{"database_url", CT_STRING, "postgresql:///opsknight", 0, 0, 0, CF(database_url)},
	{"listen", CT_STRING, OK_RUNSTATEDIR "/opsknight/fcgi.sock", 0, 0, 0, CF(listen)},
	{"workers", CT_INT, "0", 0, 256, 1, CF(workers)},
	{"api_key_pepper", CT_STRING, "", 0, 0, 0, CF(api_key_pepper)},
	{"log_level", CT_LEVEL, "info", 0, 0, 1, CF(log_level)},
	{"rate_limit_per_sec", CT_INT, "100", 1, 1000000, 1, CF(rate_limit_per_sec)},
	{"rate_limit_burst", CT_INT, "1000", 1, 10000000, 1, CF(rate_limit_burst)},
	{"sql_dir", CT_STRING, OK_SQL_DIR, 0, 0, 0, CF(sql_dir)},
	{"app_url", CT_STRING, "http://localhost:8080", 0, 0, 1, CF(app_url)},
	{"statement_timeout_ms", CT_INT, "5000", 0, 600000, 1, CF(statement_timeout_ms)},
	{"max_body_bytes", CT_INT, "524288", 1024, 67108864, 1, CF(max_body_bytes)},
	{"allow_private_targets", CT_INT, "0", 0, 1, 0, CF(allow_private_targets)},
};

__attribute__((format(printf, 3, 4))) static int conf_fail(
	char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const struct conf_key *conf_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (strlen(conf_keys[i].name) == n && !memcmp(conf_keys[i].name, name, n))
			return &conf_keys[i];
	}
	return NULL;
}

/* Stores value into the field of k; the value has been unquoted already. */
static int conf_set(
	struct conf *c, const struct conf_key *k, const char *value, char *err, size_t errlen)
{
	char *field = (char *)c + k->offset;
	char *end;
	long v;

	switch (k->type) {
	case CT_STRING:
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return 0;
	case CT_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (!*value || isspace((unsigned char)*value) || *end || errno == ERANGE)
			return conf_fail(err, errlen,
				"invalid value for %s: \"%s\" (expected an integer)", k->name,
				value);
		if (v < k->min || v > k->max)
			return conf_fail(err, errlen, "%s must be between %ld and %ld (got %ld)",
				k->name, k->min, k->max, v);
		*(int *)field = (int)v;
		return 0;
	case CT_LEVEL:
		if (log_level_parse(value, (enum log_level *)field) < 0)
			return conf_fail(err, errlen,
				"invalid value for %s: \"%s\" (expected debug, info, warn or "
				"error)",
				k->name, value);
		return 0;
	}
	return conf_fail(err, errlen, "%s: unknown key type", k->name);
}

void conf_defaults(struct conf *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (conf_set(c, &conf_keys[i], conf_keys[i].def, NULL, 0) < 0)
			abort(); /* a default outside its own bounds is a bug in the table */
	}
}

void conf_release(struct conf *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		if (conf_keys[i].type == CT_STRING) {
			char **field = (char **)((char *)c + conf_keys[i].offset);

			free(*field);
			*field = NULL;
		}
	}
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Only white space and an optional comment may follow p. */
static int rest_is_blank(const char *p)
{
	p = skip_ws(p);
	return !*p || *p == '#' || *p == '\n' || *p == '\r';
}

int conf_parse_line(struct conf *c, const char *line, char *err, size_t errlen)
{
	const struct conf_key *k;
	struct sbuf val = SBUF_INIT;
	const char *p = skip_ws(line), *name, *end;
	size_t nlen;
	int rc;

	if (rest_is_blank(p))
		return 0;
	name = p;
	while (*p == '_' || isalnum((unsigned char)*p))
		p++;
	nlen = (size_t)(p - name);
	p = skip_ws(p);
	if (!nlen || *p != '=')
		return conf_fail(err, errlen, "syntax error: expected \"key = value\"");
	k = conf_find(name, nlen);
	if (!k)
		return conf_fail(err, errlen, "unknown key \"%.*s\"", (int)nlen, name);
	p = skip_ws(p + 1);
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			sbuf_addch(&val, *p);
		}
		if (*p != '"') {
			sbuf_release(&val);
			return conf_fail(err, errlen, "%s: unterminated quoted value", k->name);
		}
		if (!rest_is_blank(p + 1)) {
			sbuf_release(&val);
			return conf_fail(
				err, errlen, "%s: unexpected text after quoted value", k->name);
		}
	} else {
		end = p + strcspn(p, "#\r\n");
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		sbuf_add(&val, p, (size_t)(end - p));
	}
	rc = conf_set(c, k, val.buf, err, errlen);
	sbuf_release(&val);
	return rc;
}

static int conf_read_file(
	struct conf *c, const char *path, int must_exist, char *err, size_t errlen)
{
	char msg[512];
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		return conf_fail(
			err, errlen, "%s: could not open config file: %s", path, strerror(errno));
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		if (conf_parse_line(c, line, msg, sizeof(msg)) < 0) {
			rc = conf_fail(err, errlen, "%s:%u: %s", path, lineno, msg);
			break;
		}
	}
	if (!rc && ferror(f))
		rc = conf_fail(
			err, errlen, "%s: could not read config file: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return rc;
}

static int conf_read_env(struct conf *c, char *err, size_t errlen)
{
	char var[64], msg[512];
	const char *value;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(conf_keys); i++) {
		j = (size_t)snprintf(var, sizeof(var), "OPSKNIGHT_%s", conf_keys[i].name);
		for (; j > 10; j--)
			var[j - 1] = (char)toupper((unsigned char)var[j - 1]);
		value = getenv(var);
		if (!value)
			continue;
		if (conf_set(c, &conf_keys[i], value, msg, sizeof(msg)) < 0)
			return conf_fail(err, errlen, "environment %s: %s", var, msg);
	}
	return 0;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	int must_exist = 1;

	conf_defaults(c);
	if (!path)
		path = getenv("OPSKNIGHT_CONFIG");
	if (!path || !*path) {
		path = CONF_DEFAULT_PATH;
		must_exist = 0;
	}
	if (conf_read_file(c, path, must_exist, err, errlen) < 0)
		return -1;
	return conf_read_env(c, err, errlen);
}

void conf_load_or_exit(struct conf *c, const char *path)
{
	char err[1024];

	if (conf_load(c, path, err, sizeof(err)) < 0) {
		log_msg(LOG_ERROR, "invalid configuration", "error", err, NULL);
		conf_release(c);
		exit(78); /* EX_CONFIG */
	}
}
