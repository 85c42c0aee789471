/* test_metrics.c: shared counters and their Prometheus text; redaction of client log entries. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>
#include "unit.h"
#include "metrics.h"
#include "ops.h"
#include "sbuf.h"
#include "arena.h"

static void label(int i, const char **method, const char **route)
{
	*method = i == 0 ? "GET" : "POST";
	*route = i == 0 ? "/api/health" : "/api/\"q\"";
}

static int has(const struct sbuf *sb, const char *line)
{
	return strstr(sb->buf, line) != NULL;
}

START_TEST(render_counts_and_histogram)
{
	struct metrics *m = metrics_new(2);
	struct sbuf sb = SBUF_INIT;

	ck_assert_ptr_nonnull(m);
	metrics_observe(m, 0, 200, 3000);    /* 3 ms */
	metrics_observe(m, 0, 200, 200000);  /* 200 ms */
	metrics_observe(m, 0, 503, 20000000); /* 20 s: only +Inf */
	metrics_observe(m, 1, 418, 10);      /* an unlisted status counts as "other" */
	metrics_observe(m, 7, 200, 10);      /* out of range: ignored */
	metrics_count_action(m, "triggered");
	metrics_count_action(m, "triggered");
	metrics_count_action(m, "weird");
	metrics_render(m, label, &sb);
	ck_assert(has(&sb, "# TYPE opsknight_http_requests_total counter\n"));
	ck_assert(has(&sb, "opsknight_http_requests_total{method=\"GET\",route=\"/api/health\","
			   "status=\"200\"} 2\n"));
	ck_assert(has(&sb, "status=\"503\"} 1\n"));
	ck_assert(has(&sb, "opsknight_http_requests_total{method=\"POST\",route=\"/api/\\\"q\\\"\","
			   "status=\"other\"} 1\n"));
	ck_assert(has(&sb, "opsknight_http_request_duration_seconds_bucket{method=\"GET\","
			   "route=\"/api/health\",le=\"0.005\"} 1\n"));
	ck_assert(has(&sb, "route=\"/api/health\",le=\"0.25\"} 2\n"));
	ck_assert(has(&sb, "route=\"/api/health\",le=\"10\"} 2\n"));
	ck_assert(has(&sb, "route=\"/api/health\",le=\"+Inf\"} 3\n"));
	ck_assert(has(&sb, "opsknight_http_request_duration_seconds_sum{method=\"GET\","
			   "route=\"/api/health\"} 20.203000\n"));
	ck_assert(has(&sb, "opsknight_http_request_duration_seconds_count{method=\"GET\","
			   "route=\"/api/health\"} 3\n"));
	ck_assert(has(&sb, "opsknight_events_ingested_total{action=\"triggered\"} 2\n"));
	ck_assert(has(&sb, "opsknight_events_ingested_total{action=\"other\"} 1\n"));
	ck_assert(has(&sb, "opsknight_events_ingested_total{action=\"resolved\"} 0\n"));
	sbuf_release(&sb);
	metrics_free(m);
}
END_TEST

START_TEST(counters_are_shared_across_fork)
{
	struct metrics *m = metrics_new(1);
	struct sbuf sb = SBUF_INIT;

	for (int k = 0; k < 4; k++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (int i = 0; i < 1000; i++)
				metrics_observe(m, 0, 202, 100);
			_exit(0);
		}
	}
	for (int k = 0; k < 4; k++)
		wait(NULL);
	metrics_render(m, label, &sb);
	ck_assert(has(&sb, "status=\"202\"} 4000\n"));
	sbuf_release(&sb);
	metrics_free(m);
}
END_TEST

START_TEST(render_gauges)
{
	struct sbuf sb = SBUF_INIT;
	struct json_object *g = json_tokener_parse(
		"{\"jobs\":[{\"type\":\"NOTIFY\",\"status\":\"FAILED\",\"n\":3}],\"queue_depth\":7,"
		"\"oldest_due_age\":12.5,\"notifications\":[{\"channel\":\"EMAIL\","
		"\"status\":\"SENT\",\"n\":2}]}");

	metrics_render_gauges(NULL, &sb);
	ck_assert(has(&sb, "opsknight_database_up 0\n"));
	ck_assert(!has(&sb, "opsknight_jobs{"));
	sbuf_reset(&sb);
	metrics_render_gauges(g, &sb);
	ck_assert(has(&sb, "opsknight_database_up 1\n"));
	ck_assert(has(&sb, "opsknight_jobs{type=\"NOTIFY\",status=\"FAILED\"} 3\n"));
	ck_assert(has(&sb, "opsknight_job_queue_depth 7\n"));
	ck_assert(has(&sb, "opsknight_job_oldest_due_age_seconds 12.500\n"));
	ck_assert(has(&sb, "opsknight_notifications{channel=\"EMAIL\",status=\"SENT\"} 2\n"));
	json_object_put(g);
	sbuf_release(&sb);
}
END_TEST

START_TEST(redact_context)
{
	struct json_object *in = json_tokener_parse(
		"{\"password\":\"p\",\"apiKey\":\"k\",\"userEmail\":\"a@b.io\",\"Session\":{\"x\":1},"
		"\"note\":\"mail bob@example.com now\",\"n\":5,\"ok\":true,"
		"\"nested\":{\"authToken\":\"t\",\"list\":[\"c@d.org\",{\"secret\":1}]}}");
	struct json_object *out = ops_redact_json(in);
	const char *s = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN);

	ck_assert_str_eq(s, "{\"password\":\"[REDACTED]\",\"apiKey\":\"[REDACTED]\","
			    "\"userEmail\":\"[REDACTED]\",\"Session\":\"[REDACTED]\","
			    "\"note\":\"mail [EMAIL_REDACTED] now\",\"n\":5,\"ok\":true,"
			    "\"nested\":{\"authToken\":\"[REDACTED]\",\"list\":[\"[EMAIL_REDACTED]\","
			    "{\"secret\":\"[REDACTED]\"}]}}");
	/* the input is untouched */
	ck_assert_str_eq(json_object_get_string(json_object_object_get(in, "password")), "p");
	ck_assert_ptr_null(ops_redact_json(NULL));
	json_object_put(out);
	json_object_put(in);
}
END_TEST

START_TEST(redact_text_and_levels)
{
	struct arena a;

	arena_init(&a, 0);
	ck_assert_str_eq(ops_redact_text(&a, "from x.y@corp.example.com: hi"),
		"from [EMAIL_REDACTED]: hi");
	ck_assert_str_eq(ops_redact_text(&a, NULL), "");
	ck_assert_int_eq(ops_log_level_index("warn"), 2);
	ck_assert_int_eq(ops_log_level_index("WARN"), -1);
	ck_assert_int_eq(ops_log_level_index(NULL), -1);
	arena_release(&a);
}
END_TEST

START_TEST(cursor_shape)
{
	ck_assert(ops_cursor_valid("2024-05-01T12:34:56.123456Z_0b6c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b"));
	ck_assert(!ops_cursor_valid("2024-05-01T12:34:56.123Z_0b6c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b"));
	ck_assert(!ops_cursor_valid("2024-05-01T12:34:56.123456Z_0b6c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5'"));
	ck_assert(!ops_cursor_valid(""));
	ck_assert(!ops_cursor_valid(NULL));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, render_counts_and_histogram);
	tcase_add_test(tc, counters_are_shared_across_fork);
	tcase_add_test(tc, render_gauges);
	tcase_add_test(tc, redact_context);
	tcase_add_test(tc, redact_text_and_levels);
	tcase_add_test(tc, cursor_shape);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
