/* test_json.c: unit tests of strict bounded JSON parsing, NUL stripping and field access. */
#include <string.h>

#include "core/json.h"
#include "core/wrapper.h"
#include "tests/unit/unit.h"

static struct json_object *parse(const char *s, enum json_parse_error *err, size_t *pos)
{
	return json_parse(s, strlen(s), err, pos);
}

static void expect_fail(const char *s, size_t n, enum json_parse_error want)
{
	enum json_parse_error err = JSON_OK;
	size_t pos = 12345;
	struct json_object *o = json_parse(s, n, &err, &pos);

	ck_assert_ptr_null(o);
	ck_assert_int_eq(err, want);
	ck_assert_uint_le(pos, n);
}

START_TEST(test_valid)
{
	enum json_parse_error err = JSON_SYNTAX;
	size_t pos = 0, len = 0;
	struct json_object *o;
	char *dump;

	o = parse("  {\"a\": 1, \"b\": [true, null, \"x\"], \"s\": \"caf\xc3\xa9\"}\n", &err, &pos);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(err, JSON_OK);
	ck_assert_int_eq(json_object_get_int(json_get(o, "a")), 1);
	ck_assert_ptr_null(json_get(o, "missing"));
	ck_assert_ptr_null(json_get_str(o, "a", NULL)); /* not a string */
	ck_assert_str_eq(json_get_str(o, "s", &len), "caf\xc3\xa9");
	ck_assert_uint_eq(len, 5);
	ck_assert_ptr_null(json_get(json_get(o, "b"), "x")); /* not an object */
	ck_assert_ptr_null(json_get(NULL, "x"));
	dump = json_dump(o);
	ck_assert_str_eq(dump, "{\"a\":1,\"b\":[true,null,\"x\"],\"s\":\"caf\xc3\xa9\"}");
	free(dump);
	json_object_put(o);

	/* bare scalars are values too, including a number that ends the input */
	o = parse("42", &err, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_object_get_int(o), 42);
	json_object_put(o);
	o = parse("[0, -0.5e+3, 1E2, 10, true, false, null, \"\\\"'\"]", &err, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(json_object_array_length(o), 8);
	json_object_put(o);
	o = parse("-1.5e3 ", &err, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_double_eq(json_object_get_double(o), -1500.0);
	json_object_put(o);
	o = parse("\"a/b\"", &err, NULL);
	dump = json_dump(o);
	ck_assert_str_eq(dump, "\"a/b\"");
	free(dump);
	json_object_put(o);
	dump = json_dump(NULL);
	ck_assert_str_eq(dump, "null");
	free(dump);
}
END_TEST

START_TEST(test_not_nul_terminated)
{
	enum json_parse_error err;
	const char buf[] = {'[', '1', ',', '2', ']', 'X'};
	const char num[] = {'1', '2', '3', '4'};
	struct json_object *o;

	o = json_parse(buf, 5, &err, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(json_object_array_length(o), 2);
	json_object_put(o);
	o = json_parse(num, 2, &err, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(json_object_get_int(o), 12);
	json_object_put(o);
}
END_TEST

START_TEST(test_empty)
{
	expect_fail("", 0, JSON_EMPTY);
	expect_fail(" \t\r\n ", 5, JSON_EMPTY);
	ck_assert_str_eq(json_parse_error_str(JSON_EMPTY), "empty body");
}
END_TEST

START_TEST(test_syntax)
{
	enum json_parse_error err;
	size_t pos = 0;

	expect_fail("{", 1, JSON_SYNTAX); /* truncated */
	expect_fail("{\"a\":}", 6, JSON_SYNTAX);
	expect_fail("[1,]", 4, JSON_SYNTAX);	/* strict: no trailing comma */
	expect_fail("{'a':1}", 7, JSON_SYNTAX); /* strict: no single quotes */
	expect_fail("nul", 3, JSON_SYNTAX);
	expect_fail("\"abc", 4, JSON_SYNTAX);
	expect_fail("\"a\tb\"", 5, JSON_SYNTAX); /* raw control character in a string */
	expect_fail("{} x", 4, JSON_SYNTAX);	 /* trailing garbage */
	expect_fail("{}{}", 4, JSON_SYNTAX);
	expect_fail("1 2", 3, JSON_SYNTAX);
	expect_fail("NaN", 3, JSON_SYNTAX); /* json-c leniencies we reject */
	expect_fail("[Infinity]", 10, JSON_SYNTAX);
	expect_fail("1.", 2, JSON_SYNTAX);
	expect_fail("[1.e5]", 6, JSON_SYNTAX);
	expect_fail("-", 1, JSON_SYNTAX);
	expect_fail("01", 2, JSON_SYNTAX);
	expect_fail("[1e]", 4, JSON_SYNTAX);
	expect_fail("{\"a\":\"x\ny\"}", 10, JSON_SYNTAX);
	expect_fail("[1]\0", 4, JSON_SYNTAX); /* a raw NUL byte */
	expect_fail("{\"a\":\"x\0y\"}", 11, JSON_SYNTAX);
	ck_assert_ptr_null(parse("[1, 2] ]", &err, &pos));
	ck_assert_int_eq(err, JSON_SYNTAX);
	ck_assert_uint_ge(pos, 6);
	ck_assert_str_eq(json_parse_error_str(JSON_SYNTAX), "invalid JSON");
}
END_TEST

START_TEST(test_too_deep)
{
	enum { DEEP = 10000 };
	char *s = xmalloc(2 * DEEP + 1);
	enum json_parse_error err;
	struct json_object *o;
	int depth;

	memset(s, '[', DEEP);
	memset(s + DEEP, ']', DEEP);
	s[2 * DEEP] = '\0';
	expect_fail(s, 2 * DEEP, JSON_TOO_DEEP);
	free(s);

	/* objects too: {"a":{"a":...}} */
	s = xmalloc(6 * DEEP + 1);
	for (depth = 0; depth < DEEP; depth++)
		memcpy(s + 5 * depth, "{\"a\":", 5);
	memset(s + 5 * DEEP, '}', DEEP);
	expect_fail(s, 6 * DEEP, JSON_TOO_DEEP);
	o = json_parse(s, 6 * DEEP, &err, NULL);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(err, JSON_TOO_DEEP);
	free(s);

	/* just under the limit parses */
	s = xmalloc(2 * (JSON_MAX_DEPTH - 1) + 1);
	memset(s, '[', JSON_MAX_DEPTH - 1);
	memset(s + JSON_MAX_DEPTH - 1, ']', JSON_MAX_DEPTH - 1);
	o = json_parse(s, 2 * (JSON_MAX_DEPTH - 1), &err, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(err, JSON_OK);
	json_object_put(o);
	free(s);
	ck_assert_str_eq(json_parse_error_str(JSON_TOO_DEEP), "JSON nested too deeply");
}
END_TEST

START_TEST(test_bad_utf8)
{
	expect_fail("\"a\xff\"", 4, JSON_BAD_UTF8);
	expect_fail("{\"k\":\"\xc3\x28\"}", 10, JSON_BAD_UTF8);
	expect_fail("[\"\xe2\x82\"]", 6, JSON_BAD_UTF8);
	ck_assert_str_eq(json_parse_error_str(JSON_BAD_UTF8), "invalid UTF-8");
}
END_TEST

START_TEST(test_strip_nul)
{
	enum json_parse_error err;
	struct json_object *o, *arr;
	size_t len = 0;
	const char *s;

	o = parse("{\"a\":\"x\\u0000y\",\"b\":[\"\\u0000\\u0000z\",{\"c\":\"ok\\u0000\"}],\"n\":1}",
		&err, NULL);
	ck_assert_ptr_nonnull(o); /* "\u0000" is accepted ... */
	s = json_get_str(o, "a", &len);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(s, "x\0y", 3);
	ck_assert_uint_eq(json_strip_nul(o), 4); /* ... and removed */
	ck_assert_str_eq(json_get_str(o, "a", &len), "xy");
	ck_assert_uint_eq(len, 2);
	arr = json_get(o, "b");
	ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(arr, 0)), "z");
	ck_assert_str_eq(json_get_str(json_object_array_get_idx(arr, 1), "c", &len), "ok");
	ck_assert_uint_eq(len, 2);
	ck_assert_uint_eq(json_strip_nul(o), 0);
	json_object_put(o);

	/* no NUL survives in a key either: json-c ends a key at its NUL (json.h) */
	o = parse("{\"k\\u0000ey\":\"v\\u0000\"}", &err, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(json_strip_nul(o), 1);
	ck_assert_int_eq(json_object_object_length(o), 1);
	ck_assert_str_eq(json_get_str(o, "k", &len), "v");
	ck_assert_uint_eq(len, 1);
	json_object_put(o);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_not_nul_terminated);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_too_deep);
	tcase_add_test(tc, test_bad_utf8);
	tcase_add_test(tc, test_strip_nul);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(json_suite)
