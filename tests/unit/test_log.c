/* test_log.c: unit tests of JSON-line logging: fields, levels, one line per call, redaction. */
#include <ctype.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "core/log.h"
#include "core/sbuf.h"
#include "core/wrapper.h"
#include "tests/unit/unit.h"

static int saved_stderr = -1;
static int pipe_rd = -1;

/* Redirects fd 2 into a pipe until capture_end(). */
static void capture_begin(void)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	saved_stderr = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_ge(dup2(fds[1], STDERR_FILENO), 0);
	close(fds[1]);
	pipe_rd = fds[0];
}

/* Restores fd 2 and returns everything written meanwhile (caller frees). */
static char *capture_end(void)
{
	struct sbuf out = SBUF_INIT;
	char buf[4096];
	ssize_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	while ((n = read(pipe_rd, buf, sizeof(buf))) > 0)
		sbuf_add(&out, buf, (size_t)n);
	close(pipe_rd);
	return sbuf_detach(&out, NULL);
}

/* Parses one captured line, which must end in exactly one newline. */
static struct json_object *parse_line(const char *out)
{
	enum json_parse_error err;
	size_t len = strlen(out);
	struct json_object *o;

	ck_assert_uint_gt(len, 1);
	ck_assert_int_eq(out[len - 1], '\n');
	ck_assert_ptr_eq(strchr(out, '\n'), out + len - 1);
	o = json_parse(out, len, &err, NULL);
	ck_assert_msg(o != NULL, "not JSON: %s", out);
	ck_assert(json_object_is_type(o, json_type_object));
	return o;
}

static void check_ts(const char *ts)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	size_t i;

	ck_assert_uint_eq(strlen(ts), strlen(shape));
	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd')
			ck_assert_msg(isdigit((unsigned char)ts[i]), "bad ts %s", ts);
		else
			ck_assert_int_eq(ts[i], shape[i]);
	}
}

START_TEST(test_line_fields)
{
	struct json_object *o;
	char *out;

	log_init("fcgi", LOG_INFO);
	log_set_request_id("req-123");
	capture_begin();
	log_msg(LOG_WARN, "db reconnect failed", "sqlstate", "08006", "attempt", "3", "note", NULL,
		NULL);
	out = capture_end();
	o = parse_line(out);
	check_ts(json_get_str(o, "ts", NULL));
	ck_assert_str_eq(json_get_str(o, "level", NULL), "warn");
	ck_assert_str_eq(json_get_str(o, "component", NULL), "fcgi");
	ck_assert_str_eq(json_get_str(o, "msg", NULL), "db reconnect failed");
	ck_assert_str_eq(json_get_str(o, "request_id", NULL), "req-123");
	ck_assert_str_eq(json_get_str(o, "sqlstate", NULL), "08006");
	ck_assert_str_eq(json_get_str(o, "attempt", NULL), "3");
	{
		struct json_object *note = o;

		ck_assert(json_object_object_get_ex(o, "note", &note)); /* a NULL value is null */
		ck_assert_ptr_null(note);
	}
	/* field order: ts, level, component, msg first */
	ck_assert_int_eq(strncmp(out, "{\"ts\":\"", 7), 0);
	ck_assert_ptr_nonnull(strstr(out, "\",\"level\":\"warn\",\"component\":\"fcgi\",\"msg\":"));
	json_object_put(o);
	free(out);

	/* without a request id the field is absent */
	log_set_request_id(NULL);
	capture_begin();
	log_msg(LOG_ERROR, "plain", NULL);
	out = capture_end();
	o = parse_line(out);
	ck_assert_ptr_null(json_get(o, "request_id"));
	ck_assert_str_eq(json_get_str(o, "level", NULL), "error");
	json_object_put(o);
	free(out);
}
END_TEST

START_TEST(test_levels)
{
	enum log_level lvl = LOG_ERROR;
	char *out;

	ck_assert_int_eq(log_level_parse("debug", &lvl), 0);
	ck_assert_int_eq(lvl, LOG_DEBUG);
	ck_assert_int_eq(log_level_parse("info", &lvl), 0);
	ck_assert_int_eq(lvl, LOG_INFO);
	ck_assert_int_eq(log_level_parse("warn", &lvl), 0);
	ck_assert_int_eq(lvl, LOG_WARN);
	ck_assert_int_eq(log_level_parse("error", &lvl), 0);
	ck_assert_int_eq(lvl, LOG_ERROR);
	ck_assert_int_eq(log_level_parse("warning", &lvl), -1);
	ck_assert_int_eq(log_level_parse("", &lvl), -1);
	ck_assert_int_eq(log_level_parse(NULL, &lvl), -1);

	log_init("worker", LOG_WARN);
	capture_begin();
	log_msg(LOG_DEBUG, "hidden", NULL);
	log_msg(LOG_INFO, "hidden", NULL);
	log_fmt(LOG_INFO, "hidden %d", 1);
	out = capture_end();
	ck_assert_str_eq(out, "");
	free(out);

	log_set_level(LOG_DEBUG);
	capture_begin();
	log_msg(LOG_DEBUG, "one", NULL);
	log_fmt(LOG_INFO, "two %d \"%s\"", 2, "q");
	out = capture_end();
	{
		char *nl = strchr(out, '\n'), *first;
		struct json_object *o;

		ck_assert_ptr_nonnull(nl);
		first = xstrndup(out, (size_t)(nl - out) + 1);
		o = parse_line(first);
		free(first);
		ck_assert_str_eq(json_get_str(o, "level", NULL), "debug");
		ck_assert_str_eq(json_get_str(o, "component", NULL), "worker");
		json_object_put(o);
		o = parse_line(nl + 1);
		ck_assert_str_eq(json_get_str(o, "msg", NULL), "two 2 \"q\"");
		ck_assert_str_eq(json_get_str(o, "level", NULL), "info");
		json_object_put(o);
	}
	free(out);
}
END_TEST

START_TEST(test_redaction)
{
	struct json_object *o;
	char *out;

	log_init("fcgi", LOG_DEBUG);
	log_set_request_id(NULL);
	capture_begin();
	log_msg(LOG_INFO, "invite sent to alice.smith+ops@example.co.uk today", "password",
		"hunter2", "api_token", "ok_abc", "X-Auth", "Bearer x", "Cookie", "sid=1",
		"session_id", "s", "routing_key", "abc", "client_secret", "z", "user",
		"bob@corp.example.com", "path", "/api/incidents", NULL);
	out = capture_end();
	o = parse_line(out);
	ck_assert_str_eq(json_get_str(o, "msg", NULL), "invite sent to [EMAIL_REDACTED] today");
	ck_assert_str_eq(json_get_str(o, "password", NULL), "[REDACTED]");
	ck_assert_str_eq(json_get_str(o, "api_token", NULL), "[REDACTED]");
	ck_assert_str_eq(json_get_str(o, "X-Auth", NULL), "[REDACTED]");
	ck_assert_str_eq(json_get_str(o, "Cookie", NULL), "[REDACTED]");
	ck_assert_str_eq(json_get_str(o, "session_id", NULL), "[REDACTED]");
	ck_assert_str_eq(json_get_str(o, "routing_key", NULL), "[REDACTED]");
	ck_assert_str_eq(json_get_str(o, "client_secret", NULL), "[REDACTED]");
	ck_assert_str_eq(json_get_str(o, "user", NULL), "[EMAIL_REDACTED]");
	ck_assert_str_eq(json_get_str(o, "path", NULL), "/api/incidents");
	ck_assert_ptr_null(strstr(out, "hunter2"));
	ck_assert_ptr_null(strstr(out, "example"));
	json_object_put(o);
	free(out);

	/* the message of log_fmt is redacted too, and special characters stay valid JSON */
	capture_begin();
	log_fmt(LOG_INFO, "user %s said \"%s\"\n", "carol@example.org", "a\\b\x01");
	out = capture_end();
	o = parse_line(out);
	ck_assert_str_eq(json_get_str(o, "msg", NULL), "user [EMAIL_REDACTED] said \"a\\b\x01\"\n");
	json_object_put(o);
	free(out);
}
END_TEST

static void check_redact(const char *in, const char *want)
{
	struct sbuf sb = SBUF_INIT;

	log_redact_emails(&sb, in);
	ck_assert_str_eq(sb.buf, want);
	sbuf_release(&sb);
}

START_TEST(test_redact_emails)
{
	check_redact("", "");
	check_redact("no address here", "no address here");
	check_redact("a@b.co", "[EMAIL_REDACTED]");
	check_redact("<x.y_z%1@mail.example.com>, ", "<[EMAIL_REDACTED]>, ");
	check_redact("a@b.c and d@e.fg.", "[EMAIL_REDACTED] and [EMAIL_REDACTED].");
	check_redact("user@localhost", "user@localhost");
	check_redact("@example.com", "@example.com");
	check_redact("x@.com", "x@.com");
	check_redact("x@y.", "x@y.");
	check_redact("ping @ 5", "ping @ 5");

	ck_assert_int_eq(log_key_is_secret("password"), 1);
	ck_assert_int_eq(log_key_is_secret("DB_PASS"), 1);
	ck_assert_int_eq(log_key_is_secret("Authorization"), 1);
	ck_assert_int_eq(log_key_is_secret("api_key_pepper"), 1);
	ck_assert_int_eq(log_key_is_secret("sqlstate"), 0);
	ck_assert_int_eq(log_key_is_secret("msg"), 0);
	ck_assert_int_eq(log_key_is_secret(""), 0);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_line_fields);
	tcase_add_test(tc, test_levels);
	tcase_add_test(tc, test_redaction);
	tcase_add_test(tc, test_redact_emails);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(log_suite)
