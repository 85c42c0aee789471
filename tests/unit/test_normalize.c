/* test_normalize.c: the helpers shared by the vendor mappers (fcgi/integrations/normalize.c). */
#include <string.h>
#include "unit.h"
#include "normalize.h"
#include "vendor.h"
#include "arena.h"
#include "json.h"

static struct arena a;
static struct verrs errs;
static struct vendor_ctx ctx;

static void put(void *o)
{
	json_object_put(o);
}

static struct json_object *parse(const char *s)
{
	enum json_parse_error e;
	struct json_object *o = json_parse(s, strlen(s), &e, NULL);
	ck_assert_ptr_nonnull(o);
	arena_on_reset(&a, put, o);
	return o;
}

static void setup(void)
{
	arena_init(&a, 0);
	memset(&errs, 0, sizeof(errs));
	ctx.arena = &a;
	ctx.now = 1800000000;
	ctx.errs = &errs;
}

static void teardown(void)
{
	arena_release(&a);
}

static char *repeat(const char *unit, size_t times)
{
	size_t n = strlen(unit);
	char *s = arena_alloc(&a, n * times + 1);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	return s;
}

static const char *doc =
	"{\"incident\":{\"state\":\"open\",\"id\":42,\"ratio\":1.5,\"up\":true,"
	"\"none\":null,\"blank\":\"  \\t \",\"pad\":\"  x y  \",\"obj\":{}},"
	"\"alerts\":[{\"labels\":{\"alertname\":\"A\"}},{\"labels\":{\"alertname\":\"B\"}}],"
	"\"tags\":[\"t0\",\"t1\"]}";

/* --- lookups --------------------------------------------------------------------------- */

START_TEST(get_paths)
{
	struct json_object *o = parse(doc);

	ck_assert_str_eq(json_object_get_string(norm_get(o, "incident.state")), "open");
	ck_assert_str_eq(json_object_get_string(norm_get(o, "alerts.1.labels.alertname")), "B");
	ck_assert_str_eq(json_object_get_string(norm_get(o, "alerts.0.labels.alertname")), "A");
	ck_assert_str_eq(json_object_get_string(norm_get(o, "tags.1")), "t1");
	ck_assert(json_object_is_type(norm_get(o, "alerts"), json_type_array));
	ck_assert_ptr_null(norm_get(o, "alerts.2")); /* out of range */
	ck_assert_ptr_null(norm_get(o, "alerts.x")); /* not an index */
	ck_assert_ptr_null(norm_get(o, "alerts.0.labels.nope"));
	ck_assert_ptr_null(norm_get(o, "incident.state.deeper")); /* through a string */
	ck_assert_ptr_null(norm_get(o, "incident.none"));	  /* null */
	ck_assert_ptr_null(norm_get(o, "missing"));
	ck_assert_ptr_null(norm_get(NULL, "incident"));
	ck_assert_ptr_eq(norm_get(o, ""), o);
	/* a segment longer than the lookup buffer is not found, never truncated */
	ck_assert_ptr_null(norm_get(o, repeat("x", 200)));
}
END_TEST

START_TEST(get_array_root)
{
	struct json_object *o = parse("[{\"id\":\"first\"},[\"n0\",\"n1\"]]");

	ck_assert_str_eq(json_object_get_string(norm_get(o, "0.id")), "first");
	ck_assert_str_eq(json_object_get_string(norm_get(o, "1.1")), "n1");
	ck_assert_ptr_null(norm_get(o, "id"));
}
END_TEST

START_TEST(str_values)
{
	struct json_object *o = parse(doc);

	ck_assert_str_eq(norm_str(&a, o, "incident.state"), "open");
	ck_assert_str_eq(norm_str(&a, o, "incident.id"), "42");
	ck_assert_str_eq(norm_str(&a, o, "incident.ratio"), "1.5");
	ck_assert_str_eq(norm_str(&a, o, "incident.up"), "true");
	ck_assert_str_eq(norm_str(&a, o, "incident.pad"), "x y"); /* trimmed */
	ck_assert_ptr_null(norm_str(&a, o, "incident.blank"));
	ck_assert_ptr_null(norm_str(&a, o, "incident.none"));
	ck_assert_ptr_null(norm_str(&a, o, "incident.obj"));
	ck_assert_ptr_null(norm_str(&a, o, "alerts"));
	ck_assert_ptr_null(norm_str(&a, o, "incident.missing"));
	ck_assert_str_eq(norm_str(&a, parse("{\"n\":-7,\"z\":0,\"f\":false}"), "n"), "-7");
	ck_assert_str_eq(norm_str(&a, parse("{\"z\":0}"), "z"), "0");
	ck_assert_str_eq(norm_str(&a, parse("{\"f\":false}"), "f"), "false");
}
END_TEST

START_TEST(first_non_blank)
{
	struct json_object *o = parse(doc);

	ck_assert_str_eq(NORM_FIRST(&a, o, "incident.missing", "incident.blank", "incident.none",
				 "incident.obj", "incident.id", "incident.state"),
		"42");
	ck_assert_str_eq(NORM_FIRST(&a, o, "incident.state"), "open");
	ck_assert_ptr_null(NORM_FIRST(&a, o, "incident.blank", "nope"));
}
END_TEST

/* --- keyword matching ------------------------------------------------------------------ */

START_TEST(match_short_and_long_keys)
{
	static const char *const ok[] = {"ok", NULL};
	static const char *const resolve[] = {"resolve", NULL};
	static const char *const ack[] = {"ack", NULL};

	/* keys of up to 3 characters must be a whole token */
	ck_assert(norm_match("OK", ok));
	ck_assert(norm_match("  ok  ", ok));
	ck_assert(norm_match("status: ok", ok));
	ck_assert(norm_match("check_ok", ok));
	ck_assert(norm_match("a.b-ok|c", ok));
	ck_assert(!norm_match("token", ok));
	ck_assert(!norm_match("broken", ok));
	ck_assert(!norm_match("okay", ok));
	ck_assert(norm_match("ack", ack));
	ck_assert(!norm_match("backup", ack));
	/* longer keys match as a substring */
	ck_assert(norm_match("Resolved", resolve));
	ck_assert(norm_match("unresolved", resolve));
	ck_assert(norm_match("INCIDENT_RESOLVED", resolve));
	ck_assert(!norm_match("resolv", resolve));
	ck_assert(!norm_match(NULL, resolve));
	ck_assert(!norm_match("", ok));
}
END_TEST

START_TEST(severity_families)
{
	static const struct {
		const char *in;
		enum event_severity want;
	} cases[] = {
		{"critical", SEV_CRITICAL},
		{"CRIT", SEV_CRITICAL},
		{"P1", SEV_CRITICAL},
		{"sev0", SEV_CRITICAL},
		{"Sev1", SEV_CRITICAL},
		{"high", SEV_CRITICAL},
		{"fatal", SEV_CRITICAL},
		{"host DOWN", SEV_CRITICAL},
		{"error", SEV_ERROR},
		{"err", SEV_ERROR},
		{"p2", SEV_ERROR},
		{"SEV2", SEV_ERROR},
		{"errors", SEV_ERROR},
		{"warning", SEV_WARNING},
		{"warn", SEV_WARNING},
		{"p3", SEV_WARNING},
		{"sev3", SEV_WARNING},
		{"Degraded", SEV_WARNING},
		{"medium", SEV_WARNING},
		{"info", SEV_INFO},
		{"Informational", SEV_INFO},
		{"p4", SEV_INFO},
		{"p5", SEV_INFO},
		{"low", SEV_INFO},
		{"ok", SEV_INFO},
		{"normal", SEV_INFO},
		/* critical is checked first, then error, warning, info */
		{"high error", SEV_CRITICAL},
		{"warning: error", SEV_ERROR},
		{"low/medium", SEV_WARNING},
		/* short keys are tokens only */
		{"p10", SEV_NONE},
		{"slow", SEV_NONE},
		{"broken", SEV_NONE},
		{"unknown", SEV_NONE},
		{"", SEV_NONE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(norm_severity(cases[i].in, SEV_NONE) == cases[i].want, "%s → %d",
			cases[i].in, norm_severity(cases[i].in, SEV_NONE));
	ck_assert_int_eq(norm_severity(NULL, SEV_WARNING), SEV_WARNING);
	ck_assert_int_eq(norm_severity("whatever", SEV_ERROR), SEV_ERROR);
}
END_TEST

START_TEST(action_order)
{
	static const struct {
		const char *in;
		enum event_action want;
	} cases[] = {
		{"ack", EV_ACKNOWLEDGE},
		{"Acknowledge", EV_ACKNOWLEDGE},
		{"ACKNOWLEDGED", EV_ACKNOWLEDGE},
		{"unacknowledged", EV_ACKNOWLEDGE},
		{"resolve", EV_RESOLVE},
		{"resolved", EV_RESOLVE},
		{"unresolved", EV_RESOLVE},
		{"close", EV_RESOLVE},
		{"Closed", EV_RESOLVE},
		{"recover", EV_RESOLVE},
		{"RECOVERED", EV_RESOLVE},
		{"ok", EV_RESOLVE},
		{"UP", EV_RESOLVE},
		{"service is up", EV_RESOLVE},
		/* acknowledge is checked before resolve */
		{"ack resolved", EV_ACKNOWLEDGE},
		{"closed-acknowledged", EV_ACKNOWLEDGE},
		/* short keys are tokens only */
		{"setup", EV_TRIGGER},
		{"token", EV_TRIGGER},
		{"backup", EV_TRIGGER},
		{"trigger", EV_TRIGGER},
		{"open", EV_TRIGGER},
		{"ACTIVATED", EV_TRIGGER},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(norm_action(cases[i].in, EV_TRIGGER) == cases[i].want, "%s → %d",
			cases[i].in, norm_action(cases[i].in, EV_TRIGGER));
	ck_assert_int_eq(norm_action(NULL, EV_ACKNOWLEDGE), EV_ACKNOWLEDGE);
	ck_assert_int_eq(norm_action("started", EV_RESOLVE), EV_RESOLVE);
}
END_TEST

/* --- text helpers ---------------------------------------------------------------------- */

START_TEST(slug)
{
	ck_assert_str_eq(norm_slug(&a, "High CPU Usage"), "high-cpu-usage");
	ck_assert_str_eq(norm_slug(&a, "  a \t\n b  "), "-a-b-");
	ck_assert_str_eq(norm_slug(&a, "Already-Slugged_X.Y"), "already-slugged_x.y");
	ck_assert_str_eq(norm_slug(&a, ""), "");
	ck_assert_str_eq(norm_slug(&a, NULL), "");
	char *s = norm_slug(&a, repeat("Ab ", 60));
	ck_assert_uint_eq(strlen(s), 100);
	ck_assert_str_eq(s, arena_printf(&a, "%sa", repeat("ab-", 33)));
	/* the cap counts code points and never splits a UTF-8 sequence */
	s = norm_slug(&a, repeat("\xc3\xa9", 150));
	ck_assert_str_eq(s, repeat("\xc3\xa9", 100));
	s = norm_slug(&a, arena_printf(&a, "%s\xc3\xa9z", repeat("x", 99)));
	ck_assert_str_eq(s, arena_printf(&a, "%s\xc3\xa9", repeat("x", 99)));
}
END_TEST

START_TEST(lower_contains_sha)
{
	ck_assert_str_eq(norm_lower(&a, "MiXeD-1"), "mixed-1");
	ck_assert_str_eq(norm_lower(&a, NULL), "");
	ck_assert(norm_contains("AlarmDescription: CRITICAL disk", "critical"));
	ck_assert(norm_contains("abc", ""));
	ck_assert(!norm_contains("abc", "abcd"));
	ck_assert(!norm_contains(NULL, "x"));
	ck_assert_str_eq(norm_sha256_prefix(&a, "abc", 16), "ba7816bf8f01cfea");
	ck_assert_str_eq(norm_sha256_prefix(&a, "abc", 100),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

/* --- norm_event ------------------------------------------------------------------------ */

START_TEST(event_fields)
{
	struct json_object *item = parse("{\"k\":1}");
	struct event ev;

	norm_event(&ctx, &ev, EV_RESOLVE, "key-1", "Disk full", "db-1", SEV_ERROR, item);
	ck_assert_int_eq(ev.action, EV_RESOLVE);
	ck_assert_str_eq(ev.dedup_key, "key-1");
	ck_assert_str_eq(ev.summary, "Disk full");
	ck_assert_str_eq(ev.source, "db-1");
	ck_assert_int_eq(ev.severity, SEV_ERROR);
	ck_assert_ptr_eq(ev.custom_details, item);
	ck_assert_ptr_eq(ev.payload, item);
	ck_assert_int_eq(ev.dedup_generated, 0);
	ck_assert_ptr_null(ev.occurred_at);
}
END_TEST

START_TEST(event_long_dedup_key)
{
	struct event ev;
	const char *key = repeat("a", 300);

	norm_event(&ctx, &ev, EV_TRIGGER, key, "s", "src", SEV_INFO, NULL);
	ck_assert_uint_eq(strlen(ev.dedup_key), 255);
	ck_assert_int_eq(strncmp(ev.dedup_key, key, 222), 0);
	ck_assert_int_eq(ev.dedup_key[222], '_');
	ck_assert_str_eq(ev.dedup_key + 223, "9835fa6bf4e20a9b9ea812506302e989");

	/* 255 characters are kept as they are */
	norm_event(&ctx, &ev, EV_TRIGGER, repeat("b", 255), "s", "src", SEV_INFO, NULL);
	ck_assert_str_eq(ev.dedup_key, repeat("b", 255));

	/* the limit counts code points, and the cut is on a character boundary */
	norm_event(&ctx, &ev, EV_TRIGGER, repeat("\xc3\xa9", 300), "s", "src", SEV_INFO, NULL);
	ck_assert_uint_eq(strlen(ev.dedup_key), 222 * 2 + 1 + 32);
	ck_assert_int_eq(strncmp(ev.dedup_key, repeat("\xc3\xa9", 222), 444), 0);
	ck_assert_str_eq(ev.dedup_key + 444, "_7250b66610f8b7dbd6f5e5426d2143bc");
	norm_event(&ctx, &ev, EV_TRIGGER, repeat("\xc3\xa9", 255), "s", "src", SEV_INFO, NULL);
	ck_assert_uint_eq(strlen(ev.dedup_key), 510);
}
END_TEST

START_TEST(event_blank_summary)
{
	struct event ev;

	norm_event(&ctx, &ev, EV_TRIGGER, "k", "", "Grafana", SEV_CRITICAL, NULL);
	ck_assert_str_eq(ev.summary, "Alert from Grafana");
	norm_event(&ctx, &ev, EV_TRIGGER, "k", NULL, "Datadog", SEV_CRITICAL, NULL);
	ck_assert_str_eq(ev.summary, "Alert from Datadog");
	norm_event(&ctx, &ev, EV_TRIGGER, "k", "\x01\x02\x7f", "Sentry", SEV_CRITICAL, NULL);
	ck_assert_str_eq(ev.summary, "Alert from Sentry");
	norm_event(&ctx, &ev, EV_TRIGGER, "k", NULL, NULL, SEV_CRITICAL, NULL);
	ck_assert_str_eq(ev.summary, "Alert from unknown source");
	ck_assert_ptr_null(ev.source);
}
END_TEST

START_TEST(event_control_characters)
{
	struct event ev;

	norm_event(&ctx, &ev, EV_TRIGGER,
		"k\x01"
		"ey\x7f",
		"line1\nline2\ttab\r", "src\x1b[0m", SEV_INFO, NULL);
	ck_assert_str_eq(ev.dedup_key, "key");
	ck_assert_str_eq(ev.summary, "line1line2tab");
	ck_assert_str_eq(ev.source, "src[0m");
}
END_TEST

START_TEST(event_caps)
{
	struct event ev;

	norm_event(&ctx, &ev, EV_TRIGGER, "k", repeat("s", 2000), repeat("\xc3\xa9", 1500),
		SEV_INFO, NULL);
	ck_assert_uint_eq(strlen(ev.summary), EVENT_SUMMARY_MAX);
	ck_assert_uint_eq(strlen(ev.source), 2 * EVENT_SOURCE_MAX);
	ck_assert_uint_eq(event_utf8_len(ev.source, strlen(ev.source)), EVENT_SOURCE_MAX);
}
END_TEST

START_TEST(events_array)
{
	struct event *evs = norm_events(&ctx, 3);

	ck_assert_ptr_nonnull(evs);
	for (int i = 0; i < 3; i++)
		ck_assert_ptr_null(evs[i].dedup_key);
	ck_assert_ptr_nonnull(norm_events(&ctx, 0));
}
END_TEST

static Suite *normalize_suite(void)
{
	Suite *s = suite_create("normalize");
	TCase *tc = tcase_create("lookup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, get_paths);
	tcase_add_test(tc, get_array_root);
	tcase_add_test(tc, str_values);
	tcase_add_test(tc, first_non_blank);
	suite_add_tcase(s, tc);
	tc = tcase_create("keywords");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, match_short_and_long_keys);
	tcase_add_test(tc, severity_families);
	tcase_add_test(tc, action_order);
	tcase_add_test(tc, slug);
	tcase_add_test(tc, lower_contains_sha);
	suite_add_tcase(s, tc);
	tc = tcase_create("event");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, event_fields);
	tcase_add_test(tc, event_long_dedup_key);
	tcase_add_test(tc, event_blank_summary);
	tcase_add_test(tc, event_control_characters);
	tcase_add_test(tc, event_caps);
	tcase_add_test(tc, events_array);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(normalize_suite)
