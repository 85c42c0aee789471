/* test_event.c: Events API v2 validation, normalisation and the JSON handed to ok_ingest. */
#include <string.h>
#include "unit.h"
#include "event.h"
#include "arena.h"
#include "sbuf.h"
#include "json.h"
#include "crypto.h"

static struct arena a;

static void put(void *o)
{
	json_object_put(o);
}

static struct json_object *parse(const char *s)
{
	enum json_parse_error e;
	struct json_object *o = json_parse(s, strlen(s), &e, NULL);
	ck_assert_ptr_nonnull(o);
	return o;
}

/* Parses s as an alert event; returns the number of violations (0 = valid). */
static int check(const char *s, struct event *ev, struct verrs *v)
{
	struct json_object *o = parse(s);
	memset(v, 0, sizeof(*v));
	int rc = event_parse(o, &a, ev, v);
	ck_assert_int_eq(rc == 0, v->n == 0);
	/* ev borrows from o; keep it alive until the arena resets */
	arena_on_reset(&a, put, o);
	return v->n;
}

static int has_error(const struct verrs *v, const char *msg)
{
	for (int i = 0; i < v->n; i++)
		if (!strcmp(v->msg[i], msg))
			return 1;
	return 0;
}

static void setup(void)
{
	arena_init(&a, 0);
}

static void teardown(void)
{
	arena_release(&a);
}

START_TEST(valid_trigger)
{
	struct event ev;
	struct verrs v;
	ck_assert_int_eq(check("{\"event_action\":\"trigger\",\"dedup_key\":\"srv01/mysql\","
			       "\"payload\":{\"summary\":\"DISK at 99%\",\"source\":\"db1\","
			       "\"severity\":\"critical\",\"timestamp\":\"2015-07-17T08:42:58.315+0000\","
			       "\"component\":\"mysql\",\"custom_details\":{\"free\":\"1%\"}},"
			       "\"links\":[],\"images\":[]}",
				 &ev, &v),
		0);
	ck_assert_int_eq(ev.action, EV_TRIGGER);
	ck_assert_str_eq(ev.dedup_key, "srv01/mysql");
	ck_assert_int_eq(ev.dedup_generated, 0);
	ck_assert_str_eq(ev.summary, "DISK at 99%");
	ck_assert_str_eq(ev.source, "db1");
	ck_assert_int_eq(ev.severity, SEV_CRITICAL);
	ck_assert_str_eq(ev.occurred_at, "2015-07-17T08:42:58.315+0000");
	ck_assert_ptr_nonnull(ev.custom_details);
}
END_TEST

START_TEST(trigger_without_key_gets_uuid)
{
	struct event ev;
	struct verrs v;
	ck_assert_int_eq(check("{\"event_action\":\"trigger\",\"payload\":{\"summary\":\"s\","
			       "\"source\":\"x\",\"severity\":\"info\"}}",
				 &ev, &v),
		0);
	ck_assert_int_eq(ev.dedup_generated, 1);
	ck_assert(crypto_is_uuid(ev.dedup_key));
}
END_TEST

START_TEST(resolve_needs_key_not_payload)
{
	struct event ev;
	struct verrs v;
	ck_assert_int_eq(check("{\"event_action\":\"resolve\",\"dedup_key\":\"k\"}", &ev, &v), 0);
	ck_assert_int_eq(ev.action, EV_RESOLVE);
	ck_assert_ptr_null(ev.summary);
	ck_assert_int_eq(check("{\"event_action\":\"acknowledge\"}", &ev, &v), 1);
	ck_assert(has_error(&v, "'dedup_key' is missing or blank"));
	ck_assert_int_eq(check("{\"event_action\":\"resolve\",\"dedup_key\":\"   \"}", &ev, &v), 1);
}
END_TEST

START_TEST(every_violation_reported)
{
	struct event ev;
	struct verrs v;
	ck_assert_int_eq(check("{\"event_action\":\"trigger\",\"payload\":{\"summary\":\"\","
			       "\"severity\":\"fatal\",\"timestamp\":\"yesterday\"},\"links\":{}}",
				 &ev, &v),
		5);
	ck_assert(has_error(&v, "'payload.summary' is missing or blank"));
	ck_assert(has_error(&v, "'payload.source' is missing or blank"));
	ck_assert(has_error(&v,
		"'payload.severity' must be one of critical, error, warning, info"));
	ck_assert(has_error(&v, "'payload.timestamp' is not a valid ISO 8601 timestamp"));
	ck_assert(has_error(&v, "'links' must be an array"));
}
END_TEST

START_TEST(action_errors)
{
	struct event ev;
	struct verrs v;
	check("{\"payload\":{}}", &ev, &v);
	ck_assert(has_error(&v, "'event_action' is missing or blank"));
	check("{\"event_action\":\"explode\",\"dedup_key\":\"k\"}", &ev, &v);
	ck_assert(has_error(&v, "'event_action' must be one of trigger, acknowledge, resolve"));
	check("{\"event_action\":7}", &ev, &v);
	ck_assert(has_error(&v, "'event_action' must be a string"));
	check("{\"event_action\":\"trigger\",\"payload\":\"x\"}", &ev, &v);
	ck_assert(has_error(&v, "'payload' is missing or not an object"));
	check("[1,2]", &ev, &v);
	ck_assert(has_error(&v, "Event must be a JSON object"));
}
END_TEST

START_TEST(length_limits_count_code_points)
{
	struct event ev;
	struct verrs v;
	struct sbuf sb = SBUF_INIT;

	/* 255 three-byte characters are fine; 256 are not */
	sbuf_addstr(&sb, "{\"event_action\":\"resolve\",\"dedup_key\":\"");
	for (int i = 0; i < 255; i++)
		sbuf_addstr(&sb, "\xe2\x82\xac");
	sbuf_addstr(&sb, "\"}");
	ck_assert_int_eq(check(sb.buf, &ev, &v), 0);
	sbuf_reset(&sb);
	sbuf_addstr(&sb, "{\"event_action\":\"resolve\",\"dedup_key\":\"");
	for (int i = 0; i < 256; i++)
		sbuf_addch(&sb, 'k');
	sbuf_addstr(&sb, "\"}");
	check(sb.buf, &ev, &v);
	ck_assert(has_error(&v, "'dedup_key' is too long (maximum is 255 characters)"));
	sbuf_reset(&sb);
	sbuf_addstr(&sb, "{\"event_action\":\"trigger\",\"payload\":{\"source\":\"s\","
			 "\"severity\":\"info\",\"summary\":\"");
	for (int i = 0; i < 1025; i++)
		sbuf_addch(&sb, 's');
	sbuf_addstr(&sb, "\"}}");
	check(sb.buf, &ev, &v);
	ck_assert(has_error(&v, "'payload.summary' is too long (maximum is 1024 characters)"));
	sbuf_release(&sb);
}
END_TEST

START_TEST(control_characters_stripped)
{
	struct event ev;
	struct verrs v;
	ck_assert_int_eq(check("{\"event_action\":\"trigger\",\"payload\":{\"summary\":"
			       "\"a\\u0001b\\nc\\u007fd <b>&'\",\"source\":\"s\\t1\","
			       "\"severity\":\"warning\"}}",
				 &ev, &v),
		0);
	/* raw storage: no HTML escaping, only control characters removed */
	ck_assert_str_eq(ev.summary, "abcd <b>&'");
	ck_assert_str_eq(ev.source, "s1");
}
END_TEST

START_TEST(timestamps)
{
	ck_assert(event_timestamp_valid("2015-07-17T08:42:58.315+0000"));
	ck_assert(event_timestamp_valid("2015-07-17T08:42:58Z"));
	ck_assert(event_timestamp_valid("2015-07-17T08:42:58.1+05:30"));
	ck_assert(event_timestamp_valid("2015-07-17 08:42"));
	ck_assert(!event_timestamp_valid("2015-13-17T08:42:58Z"));
	ck_assert(!event_timestamp_valid("2015-07-17"));
	ck_assert(!event_timestamp_valid("2015-07-17T25:00:00Z"));
	ck_assert(!event_timestamp_valid("2015-07-17T08:42:58Zjunk"));
	ck_assert(!event_timestamp_valid("2015-07-17T08:42:58+5"));
}
END_TEST

START_TEST(to_json_round_trips)
{
	struct event ev;
	struct verrs v;
	struct sbuf sb = SBUF_INIT;
	enum json_parse_error e;

	check("{\"event_action\":\"trigger\",\"dedup_key\":\"k'\\\"\",\"payload\":{\"summary\":"
	      "\"x\",\"source\":\"y\",\"severity\":\"error\",\"custom_details\":[1]}}",
		&ev, &v);
	event_to_json(&ev, &sb);
	struct json_object *o = json_parse(sb.buf, sb.len, &e, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_get_str(o, "action", NULL), "trigger");
	ck_assert_str_eq(json_get_str(o, "dedup_key", NULL), "k'\"");
	ck_assert_str_eq(json_get_str(o, "severity", NULL), "error");
	ck_assert(json_object_is_type(json_get(o, "custom_details"), json_type_array));
	ck_assert(json_object_is_type(json_get(o, "payload"), json_type_object));
	ck_assert(json_object_is_type(json_get(o, "occurred_at"), json_type_null));
	json_object_put(o);
	sbuf_release(&sb);
}
END_TEST

START_TEST(change_events)
{
	struct change_event ce;
	struct verrs v = { 0 };
	struct json_object *o = parse("{\"payload\":{\"summary\":\"Build ok\",\"source\":\"ci\"}}");
	ck_assert_int_eq(event_parse_change(o, &a, &ce, &v), 0);
	ck_assert_str_eq(ce.summary, "Build ok");
	json_object_put(o);
	memset(&v, 0, sizeof(v));
	o = parse("{\"links\":[]}");
	ck_assert_int_eq(event_parse_change(o, &a, &ce, &v), -1);
	ck_assert_str_eq(v.msg[0], "'payload' is missing or not an object");
	json_object_put(o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_trigger);
	tcase_add_test(tc, trigger_without_key_gets_uuid);
	tcase_add_test(tc, resolve_needs_key_not_payload);
	tcase_add_test(tc, every_violation_reported);
	tcase_add_test(tc, action_errors);
	tcase_add_test(tc, length_limits_count_code_points);
	tcase_add_test(tc, control_characters_stripped);
	tcase_add_test(tc, timestamps);
	tcase_add_test(tc, to_json_round_trips);
	tcase_add_test(tc, change_events);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
