/* test_router.c: route matching (404 vs 405) and the two error renderings. */
#include <string.h>
#include "unit.h"
#include "router.h"
#include "req.h"
#include "event.h"
#include "json.h"

START_TEST(matching)
{
	int known;
	const struct route *r = router_match("POST", "/v2/enqueue", &known);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->style, ERR_PAGERDUTY);
	ck_assert_ptr_nonnull(router_match("POST", "/v2/enqueue/", &known));
	ck_assert_ptr_nonnull(router_match("POST", "/api/integrations/pagerduty/v2/enqueue", &known));
	ck_assert_ptr_null(router_match("GET", "/v2/enqueue", &known));
	ck_assert_int_eq(known, 1);
	ck_assert_ptr_null(router_match("POST", "/v2/enqueuex", &known));
	ck_assert_int_eq(known, 0);
	ck_assert_ptr_null(router_match("POST", "/api/events/x", &known));
	ck_assert_int_eq(known, 0);
}
END_TEST

static struct json_object *render(enum err_style style, struct api_err *e)
{
	struct req rq = { 0 };
	enum json_parse_error pe;

	req_begin(&rq, NULL, (char *[]){ NULL });
	router_render_error(&rq, style, e);
	ck_assert_int_eq(rq.status, e->status);
	struct json_object *o = json_parse(rq.out.buf, rq.out.len, &pe, NULL);
	if (e->retry_after)
		ck_assert_ptr_nonnull(strstr(rq.headers.buf, "Retry-After: "));
	req_end(&rq);
	req_release(&rq);
	ck_assert_ptr_nonnull(o);
	return o;
}

START_TEST(pagerduty_shapes)
{
	struct api_err e = { 0 };
	struct verrs v = { 0 };
	verrs_add(&v, "'payload' is missing or not an object");
	verrs_add(&v, "'routing_key' is missing or blank");
	e.details = &v;
	api_fail(&e, 400, "invalid_event", "%s", v.msg[0]);
	struct json_object *o = render(ERR_PAGERDUTY, &e);
	ck_assert_str_eq(json_get_str(o, "status", NULL), "invalid event");
	ck_assert_str_eq(json_get_str(o, "message", NULL), "Event object is invalid");
	ck_assert_int_eq(json_object_array_length(json_get(o, "errors")), 2);
	json_object_put(o);

	struct api_err e2 = { 0 };
	api_fail(&e2, 429, "rate_limited", "Rate limit exceeded");
	e2.retry_after = 3;
	o = render(ERR_PAGERDUTY, &e2);
	ck_assert_str_eq(json_get_str(o, "status", NULL), "error");
	ck_assert_str_eq(json_get_str(o, "message", NULL), "Rate limit exceeded");
	json_object_put(o);
}
END_TEST

START_TEST(native_shape)
{
	struct api_err e = { 0 };
	api_fail(&e, 403, "scope_missing", "API key lacks the scope %s", "events:write");
	struct json_object *o = render(ERR_NATIVE, &e);
	struct json_object *err = json_get(o, "error");
	ck_assert_str_eq(json_get_str(err, "code", NULL), "scope_missing");
	ck_assert_str_eq(json_get_str(err, "message", NULL), "API key lacks the scope events:write");
	ck_assert_ptr_null(json_get(err, "details"));
	json_object_put(o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("router");
	tcase_add_test(tc, matching);
	tcase_add_test(tc, pagerduty_shapes);
	tcase_add_test(tc, native_shape);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
