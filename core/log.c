/* log.c: JSON-line logging on stderr with secret and e-mail redaction. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sbuf.h"
#include "wrapper.h"

static char log_component[32] = "opsknight";
static enum log_level log_min = LOG_INFO;
static char log_request_id[128];

static const char *const level_names[] = {
	[LOG_DEBUG] = "debug",
	[LOG_INFO] = "info",
	[LOG_WARN] = "warn",
	[LOG_ERROR] = "error",
};

/* Substrings of a context key that mark its value as secret. */
static const char *const secret_words[] = {
	"pass",
	"token",
	"secret",
	"key",
	"auth",
	"cookie",
	"session",
};

void log_init(const char *component, enum log_level min)
{
	snprintf(log_component, sizeof(log_component), "%s", component ? component : "opsknight");
	log_min = min;
}

void log_set_level(enum log_level min)
{
	log_min = min;
}

int log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (!strcmp(s, level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

void log_set_request_id(const char *id)
{
	snprintf(log_request_id, sizeof(log_request_id), "%s", id ? id : "");
}

int log_key_is_secret(const char *key)
{
	size_t i, j;

	if (!key)
		return 0;
	for (i = 0; i < ARRAY_SIZE(secret_words); i++) {
		for (j = 0; key[j]; j++) {
			if (skip_prefix_ci(key + j, secret_words[i]))
				return 1;
		}
	}
	return 0;
}

static int is_local_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static int is_domain_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '-';
}

void log_redact_emails(struct sbuf *out, const char *s)
{
	size_t i, done = 0, start, end, dot;

	for (i = 0; s[i]; i++) {
		if (s[i] != '@')
			continue;
		start = i;
		while (start > done && is_local_char((unsigned char)s[start - 1]))
			start--;
		end = i + 1;
		while (is_domain_char((unsigned char)s[end]))
			end++;
		while (end > i + 1 && (s[end - 1] == '.' || s[end - 1] == '-'))
			end--;
		/* a domain needs a dot with a label on both sides */
		for (dot = i + 2; dot < end && s[dot] != '.'; dot++)
			;
		if (start == i || dot >= end - 1 || s[i + 1] == '.')
			continue;
		sbuf_add(out, s + done, start - done);
		sbuf_addstr(out, "[EMAIL_REDACTED]");
		done = end;
		i = end - 1;
	}
	sbuf_addstr(out, s + done);
}

/* Appends s as a JSON string with e-mail addresses redacted. */
static void add_redacted(struct sbuf *line, const char *s)
{
	struct sbuf tmp = SBUF_INIT;

	log_redact_emails(&tmp, s);
	sbuf_add_json_str(line, tmp.buf, tmp.len);
	sbuf_release(&tmp);
}

static void add_field(struct sbuf *line, const char *key, const char *value)
{
	sbuf_addch(line, ',');
	sbuf_add_json_str(line, key, strlen(key));
	sbuf_addch(line, ':');
	if (!value)
		sbuf_addstr(line, "null");
	else if (log_key_is_secret(key))
		sbuf_addstr(line, "\"[REDACTED]\"");
	else
		add_redacted(line, value);
}

static void line_begin(struct sbuf *line, enum log_level lvl, const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ", ts.tv_nsec / 1000000);

	sbuf_addstr(line, "{\"ts\":\"");
	sbuf_addstr(line, stamp);
	sbuf_addstr(line, "\",\"level\":\"");
	sbuf_addstr(line, level_names[lvl]);
	sbuf_addstr(line, "\",\"component\":");
	sbuf_add_json_str(line, log_component, strlen(log_component));
	sbuf_addstr(line, ",\"msg\":");
	add_redacted(line, msg ? msg : "");
	if (log_request_id[0]) {
		sbuf_addstr(line, ",\"request_id\":");
		sbuf_add_json_str(line, log_request_id, strlen(log_request_id));
	}
}

static void line_write(struct sbuf *line)
{
	size_t off = 0;
	ssize_t w;

	sbuf_addstr(line, "}\n");
	while (off < line->len) {
		w = write(STDERR_FILENO, line->buf + off, line->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	sbuf_release(line);
}

static int level_ok(enum log_level lvl)
{
	return lvl >= log_min && (size_t)lvl < ARRAY_SIZE(level_names);
}

void log_msg(enum log_level lvl, const char *msg, ...)
{
	struct sbuf line = SBUF_INIT;
	const char *key, *value;
	va_list ap;

	if (!level_ok(lvl))
		return;
	sbuf_grow(&line, 256);
	line_begin(&line, lvl, msg);
	va_start(ap, msg);
	while ((key = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		add_field(&line, key, value);
	}
	va_end(ap);
	line_write(&line);
}

void log_fmt(enum log_level lvl, const char *fmt, ...)
{
	struct sbuf line = SBUF_INIT, msg = SBUF_INIT;
	va_list ap;

	if (!level_ok(lvl))
		return;
	va_start(ap, fmt);
	sbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	sbuf_grow(&line, 256);
	line_begin(&line, lvl, msg.buf);
	sbuf_release(&msg);
	line_write(&line);
}
