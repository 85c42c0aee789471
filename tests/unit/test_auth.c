/* test_auth.c: where a sender's secret is found, in which order, and that it leaves the body. */
#include <string.h>
#include "unit.h"
#include "auth.h"
#include "req.h"
#include "json.h"
#include "router.h"

static struct req rq;

static void begin(char **envp)
{
	req_begin(&rq, NULL, envp);
}

static void teardown(void)
{
	req_end(&rq);
	req_release(&rq);
	memset(&rq, 0, sizeof(rq));
}

static struct json_object *body(const char *s)
{
	enum json_parse_error e;
	return json_parse(s, strlen(s), &e, NULL);
}

START_TEST(body_key_wins_and_is_removed)
{
	char *env[] = { "HTTP_X_ROUTING_KEY=fromheader", "QUERY_STRING=routing_key=fromquery",
		NULL };
	struct json_object *b = body("{\"routing_key\":\"frombody\",\"routingKey\":\"other\","
				     "\"x\":1}");
	struct presented_key k;

	begin(env);
	auth_find_key(&rq, b, &k);
	ck_assert_str_eq(k.value, "frombody");
	ck_assert_str_eq(k.source, "routing_key");
	ck_assert_int_eq(k.kind, KEY_INTEGRATION);
	ck_assert_ptr_null(json_get(b, "routing_key"));
	ck_assert_ptr_null(json_get(b, "routingKey"));
	ck_assert_ptr_nonnull(json_get(b, "x"));
	json_object_put(b);
}
END_TEST

START_TEST(order_of_sources)
{
	struct presented_key k;
	char *e1[] = { "HTTP_AUTHORIZATION=Token token=tok", "HTTP_X_ROUTING_KEY=hdr", NULL };
	begin(e1);
	auth_find_key(&rq, NULL, &k);
	ck_assert_str_eq(k.value, "hdr");

	char *e2[] = { "HTTP_AUTHORIZATION=token TOKEN=tok", "QUERY_STRING=routing_key=q", NULL };
	begin(e2);
	auth_find_key(&rq, NULL, &k);
	ck_assert_str_eq(k.value, "tok");

	char *e3[] = { "HTTP_AUTHORIZATION=Bearer ok_abc", NULL };
	begin(e3);
	auth_find_key(&rq, NULL, &k);
	ck_assert_str_eq(k.value, "ok_abc");
	ck_assert_int_eq(k.kind, KEY_API);

	char *e4[] = { "HTTP_X_API_KEY=ok_zzz", "QUERY_STRING=a=1&integrationKey=ik%2B1", NULL };
	begin(e4);
	auth_find_key(&rq, NULL, &k);
	ck_assert_str_eq(k.value, "ok_zzz");

	char *e5[] = { "QUERY_STRING=a=1&integrationKey=ik%2B1+2", NULL };
	begin(e5);
	auth_find_key(&rq, NULL, &k);
	ck_assert_str_eq(k.value, "ik+1 2");
	ck_assert_str_eq(k.source, "integrationKey");
}
END_TEST

START_TEST(nothing_presented)
{
	struct presented_key k;
	char *env[] = { "HTTP_AUTHORIZATION=Basic Zm9vOmJhcg==", "HTTP_X_ROUTING_KEY=", NULL };
	struct json_object *b = body("{\"routing_key\":42}");

	begin(env);
	auth_find_key(&rq, b, &k);
	ck_assert_int_eq(k.kind, KEY_NONE);
	ck_assert_ptr_null(k.value);
	/* a non-string routing_key is still removed from what gets stored */
	ck_assert_ptr_null(json_get(b, "routing_key"));
	json_object_put(b);
}
END_TEST

START_TEST(query_parsing)
{
	char *env[] = { "QUERY_STRING=flag&routing_key_x=no&routing_key=%zz%41", NULL };
	begin(env);
	ck_assert_str_eq(req_query(&rq, "flag"), "");
	ck_assert_str_eq(req_query(&rq, "routing_key"), "%zzA");
	ck_assert_ptr_null(req_query(&rq, "routing"));
	ck_assert_str_eq(req_header(&rq, "x-nothing") ? "x" : "null", "null");
}
END_TEST

/* The failures auth_require decides before asking the database. */
START_TEST(require_without_a_usable_token)
{
	struct principal p;
	struct api_err err;
	char *none[] = { "HTTP_AUTHORIZATION=Token token=abc", "HTTP_X_API_KEY=  ", NULL };
	char *blank[] = { "HTTP_AUTHORIZATION=Bearer   ", NULL };
	char *plain[] = { "HTTP_AUTHORIZATION=api-key not-a-token", NULL };

	begin(none);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(auth_require(&rq, APIKEY_SCHEDULES_READ, &p, &err), -1);
	ck_assert_int_eq(err.status, 401);
	ck_assert_str_eq(err.code, "missing_credentials");
	ck_assert_ptr_nonnull(strstr(rq.headers.buf, "WWW-Authenticate: Bearer"));
	req_end(&rq);

	begin(blank);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(auth_require(&rq, APIKEY_SCHEDULES_READ, &p, &err), -1);
	ck_assert_str_eq(err.code, "missing_credentials");
	req_end(&rq);

	begin(plain);
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(auth_require(&rq, APIKEY_SCHEDULES_READ, &p, &err), -1);
	ck_assert_int_eq(err.status, 401);
	ck_assert_str_eq(err.code, "invalid_api_key");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("auth");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, body_key_wins_and_is_removed);
	tcase_add_test(tc, order_of_sources);
	tcase_add_test(tc, nothing_presented);
	tcase_add_test(tc, query_parsing);
	tcase_add_test(tc, require_without_a_usable_token);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
