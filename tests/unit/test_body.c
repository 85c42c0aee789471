/* test_body.c: request bodies checked against field tables (every type, bound and refusal),
 * and the query helpers. */
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "body.h"
#include "req.h"
#include "router.h"
#include "json.h"
#include "wrapper.h"

static const char *const colours[] = {"RED", "GREEN", NULL};

static const struct field fields[] = {
	{.name = "name", .type = F_STRING, .min = 1, .max = 5, .required = 1},
	{.name = "note", .type = F_STRING, .nullable = 1, .max = 100, .multiline = 1},
	{.name = "colour", .type = F_STRING, .one_of = colours},
	{.name = "count", .type = F_INT, .min = 0, .max = 10},
	{.name = "ratio", .type = F_NUMBER, .min = 0, .max = 100},
	{.name = "on", .type = F_BOOL},
	{.name = "owner", .type = F_UUID, .nullable = 1},
	{.name = "ids", .type = F_UUID_ARRAY, .min = 1, .max = 2},
	{.name = "colours", .type = F_ENUM_ARRAY, .one_of = colours, .max = 2},
	{.name = "at", .type = F_TIME},
	{.name = "url", .type = F_URL, .max = 40},
	{.name = "email", .type = F_EMAIL, .max = 40},
	{.name = "extra", .type = F_OBJECT},
	{.name = "window", .type = F_STRING, .column = "sla_window"},
};

#define UUID1 "0b1e9a3c-5a8e-4c1b-9d7e-2f3a4b5c6d7e"
#define UUID2 "1c2e9a3c-5a8e-4c1b-9d7e-2f3a4b5c6d7e"

/* Checks json against the table; returns the HTTP status (0 when accepted) and the code/out. */
static int check(const char *json, int required, char *code, size_t codelen, char **out)
{
	struct req rq = {0};
	struct api_err err = {0};
	enum json_parse_error pe;

	req_begin(&rq, NULL, (char *[]){NULL});
	struct json_object *body = json_parse(json, strlen(json), &pe, NULL);
	ck_assert_ptr_nonnull(body);
	struct json_object *o = json_object_new_object();
	int rc = body_check(&rq, body, fields, ARRAY_SIZE(fields), required, o, &err);
	if (code)
		snprintf(code, codelen, "%s", rc < 0 ? err.code : "");
	if (out)
		*out = rc < 0 ? strdup(err.msg) : strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	json_object_put(body);
	req_end(&rq);
	req_release(&rq);
	return rc < 0 ? err.status : 0;
}

START_TEST(accepts_every_type)
{
	char *out;
	ck_assert_int_eq(check("{\"name\":\"ab\\u0001c\",\"note\":\"l1\\nl2\",\"colour\":\"RED\","
			       "\"count\":3,\"ratio\":99.5,\"on\":true,\"owner\":null,"
			       "\"ids\":[\"" UUID1 "\"],\"colours\":[\"GREEN\",\"RED\"],"
			       "\"at\":\"2024-05-01T12:00:00.5+02:00\",\"url\":\"https://x.io/a\","
			       "\"email\":\"a@b.io\",\"extra\":{\"k\":1},\"window\":\"7d\"}",
			     1, NULL, 0, &out),
		0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"abc\""));	  /* control character dropped */
	ck_assert_ptr_nonnull(strstr(out, "\"note\":\"l1\\nl2\"")); /* multiline keeps \n */
	ck_assert_ptr_nonnull(strstr(out, "\"owner\":null"));
	ck_assert_ptr_nonnull(strstr(out, "\"sla_window\":\"7d\"")); /* written under its column */
	ck_assert_ptr_null(strstr(out, "\"window\""));
	ck_assert_ptr_nonnull(strstr(out, "\"extra\":{\"k\":1}"));
	free(out);
	/* a patch needs no required field */
	ck_assert_int_eq(check("{\"count\":0}", 0, NULL, 0, NULL), 0);
}
END_TEST

START_TEST(refusals_name_the_field)
{
	static const struct {
		const char *body;
		int status;
		const char *code, *msg;
	} cases[] = {
		{"[]", 422, "invalid_body", "request body must be a JSON object"},
		{"{\"nope\":1,\"name\":\"a\"}", 422, "unknown_field", "unknown field: nope"},
		{"{\"count\":1}", 422, "missing_field", "name is required"},
		{"{\"name\":\"\"}", 422, "invalid_field", "name must be at least 1 characters"},
		{"{\"name\":\"abcdef\"}", 422, "invalid_field", "name must be at most 5 characters"},
		{"{\"name\":null}", 422, "invalid_field", "name must not be null"},
		{"{\"name\":1}", 422, "invalid_field", "name must be a string"},
		{"{\"name\":\"a\",\"colour\":\"BLUE\"}", 422, "invalid_field", "colour has an unknown value: BLUE"},
		{"{\"name\":\"a\",\"count\":11}", 422, "invalid_field", "count must be between 0 and 10"},
		{"{\"name\":\"a\",\"count\":\"1\"}", 422, "invalid_field", "count must be an integer"},
		{"{\"name\":\"a\",\"ratio\":100.5}", 422, "invalid_field", "ratio must be between 0 and 100"},
		{"{\"name\":\"a\",\"on\":1}", 422, "invalid_field", "on must be true or false"},
		{"{\"name\":\"a\",\"owner\":\"x\"}", 422, "invalid_field", "owner must be a UUID"},
		{"{\"name\":\"a\",\"ids\":[]}", 422, "invalid_field", "ids must be an array of 1 to 2 ids"},
		{"{\"name\":\"a\",\"ids\":[\"" UUID1 "\",\"" UUID2 "\",\"" UUID1 "\"]}", 422, "invalid_field",
			"ids must be an array of 1 to 2 ids"},
		{"{\"name\":\"a\",\"ids\":[\"" UUID1 "\",\"" UUID1 "\"]}", 422, "invalid_field",
			"ids[1] repeats " UUID1},
		{"{\"name\":\"a\",\"colours\":[\"BLUE\"]}", 422, "invalid_field",
			"colours[0] must be one of the documented values"},
		{"{\"name\":\"a\",\"at\":\"2024-05-01T12:00:00\"}", 422, "invalid_field",
			"at must be an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z"},
		{"{\"name\":\"a\",\"at\":\"2024-05-01\"}", 422, "invalid_field",
			"at must be an ISO-8601 time with a zone, e.g. 2024-05-01T12:00:00Z"},
		{"{\"name\":\"a\",\"url\":\"ftp://x\"}", 422, "invalid_field", "url must be an http(s) URL"},
		{"{\"name\":\"a\",\"url\":\"https://a b\"}", 422, "invalid_field", "url must be an http(s) URL"},
		{"{\"name\":\"a\",\"email\":\"a@b\"}", 422, "invalid_field", "email must be an e-mail address"},
		{"{\"name\":\"a\",\"email\":\"@b.io\"}", 422, "invalid_field", "email must be an e-mail address"},
		{"{\"name\":\"a\",\"extra\":[1]}", 422, "invalid_field", "extra must be an object"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char code[64], *msg;
		int st = check(cases[i].body, 1, code, sizeof(code), &msg);
		ck_assert_msg(st == cases[i].status, "case %zu: status %d", i, st);
		ck_assert_str_eq(code, cases[i].code);
		ck_assert_str_eq(msg, cases[i].msg);
		free(msg);
	}
}
END_TEST

START_TEST(times_with_zones)
{
	static const char *const good[] = {"2024-05-01T12:00Z", "2024-05-01T12:00:00Z",
		"2024-05-01T12:00:00.123456Z", "2024-05-01 12:00:00-0330", "2024-05-01T12:00:00+02:00",
		"2024-02-29T23:59:59Z"};
	static const char *const bad[] = {"2024-05-01T12Z", "2024-5-01T12:00:00Z",
		"2024-05-01T12:00:00+2", "2024-05-01T12:00:00Zjunk", "tomorrow", "2024-13-01T00:00:00Z",
		"2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-05-01T24:00:00Z",
		"2024-05-01T12:60:00Z", "2024-05-01T12:00:61Z"};
	char body[128];
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		snprintf(body, sizeof(body), "{\"at\":\"%s\"}", good[i]);
		ck_assert_msg(check(body, 0, NULL, 0, NULL) == 0, "%s refused", good[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(body, sizeof(body), "{\"at\":\"%s\"}", bad[i]);
		ck_assert_msg(check(body, 0, NULL, 0, NULL) == 422, "%s accepted", bad[i]);
	}
}
END_TEST

START_TEST(query_limit_clamped)
{
	static const struct {
		const char *query;
		int rc, limit;
	} cases[] = {
		{"", 0, BODY_LIST_DEFAULT}, {"limit=7", 0, 7}, {"limit=100000", 0, BODY_LIST_MAX},
		{"limit=0", -1, 0}, {"limit=x", -1, 0}, {"limit=5x", -1, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char qs[64];
		struct req rq = {0};
		struct api_err err = {0};
		int limit = 0;
		snprintf(qs, sizeof(qs), "QUERY_STRING=%s", cases[i].query);
		req_begin(&rq, NULL, (char *[]){qs, NULL});
		int rc = body_query_limit(&rq, &limit, &err);
		ck_assert_int_eq(rc, cases[i].rc);
		if (rc == 0)
			ck_assert_int_eq(limit, cases[i].limit);
		else
			ck_assert_str_eq(err.code, "invalid_parameter");
		req_end(&rq);
		req_release(&rq);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("body");
	TCase *tc = tcase_create("body");
	tcase_add_test(tc, accepts_every_type);
	tcase_add_test(tc, refusals_name_the_field);
	tcase_add_test(tc, times_with_zones);
	tcase_add_test(tc, query_limit_clamped);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
