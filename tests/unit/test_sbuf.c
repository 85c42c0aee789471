/* test_sbuf.c: unit tests of the string buffer: invariants, growth, formatting, JSON escaping. */
#include <string.h>

#include "core/sbuf.h"
#include "tests/unit/unit.h"

START_TEST(test_init_empty)
{
	struct sbuf sb = SBUF_INIT;

	ck_assert_ptr_nonnull(sb.buf);
	ck_assert_str_eq(sb.buf, "");
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_uint_eq(sb.alloc, 0);
	sbuf_release(&sb); /* releasing an empty buffer frees nothing */
	ck_assert_ptr_eq(sb.buf, sbuf_empty);
	sbuf_reset(&sb);
	ck_assert_uint_eq(sb.len, 0);

	sbuf_init(&sb, 100);
	ck_assert_uint_ge(sb.alloc, 101);
	ck_assert_str_eq(sb.buf, "");
	sbuf_release(&sb);
	ck_assert_ptr_eq(sb.buf, sbuf_empty);
}
END_TEST

START_TEST(test_add_and_growth)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = 0; i < 10000; i++) {
		sbuf_addch(&sb, 'a' + (int)(i % 26));
		ck_assert_uint_eq(sb.len, i + 1);
		ck_assert_uint_gt(sb.alloc, sb.len);
		ck_assert_int_eq(sb.buf[sb.len], '\0');
	}
	for (i = 0; i < 10000; i++)
		ck_assert_int_eq(sb.buf[i], 'a' + (int)(i % 26));
	sbuf_setlen(&sb, 3);
	ck_assert_str_eq(sb.buf, "abc");
	sbuf_addstr(&sb, "def");
	sbuf_add(&sb, "ghiXX", 3);
	sbuf_add(&sb, NULL, 0);
	ck_assert_str_eq(sb.buf, "abcdefghi");
	sbuf_reset(&sb);
	ck_assert_str_eq(sb.buf, "");
	sbuf_release(&sb);
}
END_TEST

START_TEST(test_addf)
{
	struct sbuf sb = SBUF_INIT;
	char big[5000];

	sbuf_addf(&sb, "%d-%s-%05.1f", 42, "x", 3.14159);
	ck_assert_str_eq(sb.buf, "42-x-003.1");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sbuf_addf(&sb, "[%s]", big); /* forces a second vsnprintf after growing */
	ck_assert_uint_eq(sb.len, 10 + 2 + 4999);
	ck_assert_int_eq(sb.buf[10], '[');
	ck_assert_int_eq(sb.buf[sb.len - 1], ']');
	ck_assert_uint_eq(strlen(sb.buf), sb.len);
	sbuf_addf(&sb, "%s", "");
	ck_assert_uint_eq(sb.len, 10 + 2 + 4999);
	sbuf_release(&sb);
}
END_TEST

START_TEST(test_detach)
{
	struct sbuf sb = SBUF_INIT;
	size_t len = 99;
	char *s;

	s = sbuf_detach(&sb, &len); /* never NULL, even when nothing was allocated */
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	ck_assert_uint_eq(len, 0);
	free(s);

	sbuf_addstr(&sb, "hello");
	s = sbuf_detach(&sb, &len);
	ck_assert_str_eq(s, "hello");
	ck_assert_uint_eq(len, 5);
	ck_assert_ptr_eq(sb.buf, sbuf_empty);
	ck_assert_uint_eq(sb.len, 0);
	ck_assert_uint_eq(sb.alloc, 0);
	free(s);
	s = sbuf_detach(&sb, NULL);
	free(s);
}
END_TEST

static void check_json(const char *in, size_t n, const char *want)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_add_json_str(&sb, in, n);
	ck_assert_str_eq(sb.buf, want);
	sbuf_release(&sb);
}

START_TEST(test_json_str)
{
	check_json("", 0, "\"\"");
	check_json("plain", 5, "\"plain\"");
	check_json("say \"hi\"", 8, "\"say \\\"hi\\\"\"");
	check_json("a\\b", 3, "\"a\\\\b\"");
	check_json("l1\nl2\r\t", 7, "\"l1\\nl2\\r\\t\"");
	check_json("\x01\x1f\x08", 3, "\"\\u0001\\u001f\\u0008\"");
	check_json("a\0b", 3, "\"a\\u0000b\"");
	check_json("/ \x7f", 3, "\"/ \x7f\"");
	/* valid UTF-8 (2, 3 and 4 bytes) passes through unchanged */
	check_json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80", 14,
		"\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\"");
	/* invalid UTF-8 never produces invalid JSON */
	check_json("a\xff"
		   "b",
		3, "\"a\\ufffdb\"");
	check_json("\xc3", 1, "\"\\ufffd\"");			    /* truncated sequence */
	check_json("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");	    /* overlong */
	check_json("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
	/* appends to what is there */
	{
		struct sbuf sb = SBUF_INIT;

		sbuf_addstr(&sb, "{\"k\":");
		sbuf_add_json_str(&sb, "v", 1);
		sbuf_addch(&sb, '}');
		ck_assert_str_eq(sb.buf, "{\"k\":\"v\"}");
		sbuf_release(&sb);
	}
}
END_TEST

static Suite *sbuf_suite(void)
{
	Suite *s = suite_create("sbuf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_init_empty);
	tcase_add_test(tc, test_add_and_growth);
	tcase_add_test(tc, test_addf);
	tcase_add_test(tc, test_detach);
	tcase_add_test(tc, test_json_str);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(sbuf_suite)
