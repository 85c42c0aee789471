/* test_breaker.c: unit tests of the per-destination circuit breaker and its destination keys. */
#include <stdio.h>
#include <string.h>

#include "worker/breaker.h"
#include "tests/unit/unit.h"

static void key_is(const char *url, const char *want)
{
	char out[BREAKER_KEY_MAX];

	ck_assert_int_eq(breaker_key(url, out, sizeof(out)), 0);
	ck_assert_str_eq(out, want);
}

START_TEST(test_key)
{
	char out[BREAKER_KEY_MAX], tiny[8];

	key_is("https://hooks.slack.com/services/T/B/X", "https://hooks.slack.com:443");
	key_is("HTTP://Example.COM/path?q=1", "http://example.com:80");
	key_is("http://127.0.0.1:8080", "http://127.0.0.1:8080");
	key_is("http://user:pw@host.example:9000/x", "http://host.example:9000");
	key_is("http://[::1]:81/a", "http://[::1]:81");
	key_is("https://[2001:db8::1]/a", "https://[2001:db8::1]:443");
	key_is("smtp://mail.example.com", "smtp://mail.example.com:25");
	key_is("smtps://mail.example.com", "smtps://mail.example.com:465");
	key_is("https://a.example#frag", "https://a.example:443");
	ck_assert_int_eq(breaker_key("no-scheme.example/x", out, sizeof(out)), -1);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(breaker_key("http:///path", out, sizeof(out)), -1);
	ck_assert_int_eq(breaker_key("http://[::1/x", out, sizeof(out)), -1);
	ck_assert_int_eq(breaker_key("http://h:123456789/", out, sizeof(out)), -1);
	ck_assert_int_eq(breaker_key(NULL, out, sizeof(out)), -1);
	ck_assert_int_eq(breaker_key("https://long.example.com", tiny, sizeof(tiny)), -1);
	ck_assert_str_eq(tiny, "");
}
END_TEST

START_TEST(test_opens_after_threshold)
{
	struct breaker *b = breaker_new(3, 1000);
	const char *k = "https://a.example:443";

	ck_assert_int_eq(breaker_state(b, k, 0), BREAKER_CLOSED);
	ck_assert_int_eq(breaker_allow(b, k, 0), 1);
	breaker_failure(b, k, 10);
	breaker_failure(b, k, 20);
	ck_assert_int_eq(breaker_state(b, k, 20), BREAKER_CLOSED);
	ck_assert_int_eq(breaker_allow(b, k, 20), 1);
	breaker_failure(b, k, 30);
	ck_assert_int_eq(breaker_state(b, k, 30), BREAKER_OPEN);
	ck_assert_int_eq(breaker_allow(b, k, 31), 0);
	ck_assert_int_eq(breaker_allow(b, k, 1029), 0);
	/* other destinations are not affected */
	ck_assert_int_eq(breaker_allow(b, "https://b.example:443", 31), 1);
	ck_assert_uint_eq(breaker_count(b), 1);
	breaker_free(b);
}
END_TEST

START_TEST(test_success_resets_count)
{
	struct breaker *b = breaker_new(2, 1000);
	const char *k = "k";

	breaker_failure(b, k, 0);
	breaker_success(b, k);
	ck_assert_uint_eq(breaker_count(b), 0);
	breaker_failure(b, k, 1);
	ck_assert_int_eq(breaker_state(b, k, 1), BREAKER_CLOSED); /* not consecutive */
	breaker_failure(b, k, 2);
	ck_assert_int_eq(breaker_state(b, k, 2), BREAKER_OPEN);
	breaker_success(b, "unknown"); /* harmless */
	breaker_free(b);
}
END_TEST

START_TEST(test_half_open_one_probe)
{
	struct breaker *b = breaker_new(1, 1000);
	const char *k = "k";

	breaker_failure(b, k, 0);
	ck_assert_int_eq(breaker_allow(b, k, 999), 0);
	ck_assert_int_eq(breaker_state(b, k, 1000), BREAKER_HALF_OPEN);
	ck_assert_int_eq(breaker_allow(b, k, 1000), 1); /* the probe */
	ck_assert_int_eq(breaker_allow(b, k, 1001), 0); /* only one */
	ck_assert_int_eq(breaker_allow(b, k, 1500), 0);
	/* the probe failed: open again for a full period from now */
	breaker_failure(b, k, 1600);
	ck_assert_int_eq(breaker_state(b, k, 1601), BREAKER_OPEN);
	ck_assert_int_eq(breaker_allow(b, k, 2599), 0);
	ck_assert_int_eq(breaker_allow(b, k, 2600), 1);
	/* the next probe succeeds: closed, everything flows */
	breaker_success(b, k);
	ck_assert_int_eq(breaker_state(b, k, 2601), BREAKER_CLOSED);
	ck_assert_int_eq(breaker_allow(b, k, 2601), 1);
	ck_assert_int_eq(breaker_allow(b, k, 2601), 1);
	ck_assert_uint_eq(breaker_count(b), 0);
	breaker_free(b);
}
END_TEST

START_TEST(test_lost_probe_replaced)
{
	struct breaker *b = breaker_new(1, 100);

	breaker_failure(b, "k", 0);
	ck_assert_int_eq(breaker_allow(b, "k", 100), 1);
	ck_assert_int_eq(breaker_allow(b, "k", 199), 0);
	ck_assert_int_eq(breaker_allow(b, "k", 200), 1); /* the first probe never reported */
	breaker_free(b);
}
END_TEST

START_TEST(test_many_destinations)
{
	struct breaker *b = breaker_new(1, 100);
	char k[32];
	int i;

	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "http://h%d:80", i);
		breaker_failure(b, k, 0);
	}
	ck_assert_uint_eq(breaker_count(b), 100);
	for (i = 0; i < 100; i += 2) {
		snprintf(k, sizeof(k), "http://h%d:80", i);
		breaker_success(b, k);
	}
	ck_assert_uint_eq(breaker_count(b), 50);
	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "http://h%d:80", i);
		ck_assert_int_eq(breaker_state(b, k, 1), i % 2 ? BREAKER_OPEN : BREAKER_CLOSED);
	}
	breaker_free(b);
	breaker_free(NULL);
}
END_TEST

static Suite *breaker_suite(void)
{
	Suite *s = suite_create("breaker");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_key);
	tcase_add_test(tc, test_opens_after_threshold);
	tcase_add_test(tc, test_success_resets_count);
	tcase_add_test(tc, test_half_open_one_probe);
	tcase_add_test(tc, test_lost_probe_replaced);
	tcase_add_test(tc, test_many_destinations);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(breaker_suite)
