/* test_schedule.c: reading a layer's restrictions JSON into struct oncall_restriction. */
#include <string.h>
#include "unit.h"
#include "json.h"
#include "schedule.h"

/* Parses text (NULL = no object) and returns *has; fills r. */
static int parse(const char *text, struct oncall_restriction *r)
{
	enum json_parse_error e;
	struct json_object *o = text ? json_parse(text, strlen(text), &e, NULL) : NULL;
	int has;

	if (text)
		ck_assert_ptr_nonnull(o);
	schedule_parse_restriction(o, r, &has);
	json_object_put(o);
	return has;
}

START_TEST(full_restriction)
{
	struct oncall_restriction r;

	ck_assert_int_eq(
		parse("{\"daysOfWeek\":[1,2,3,4,5],\"startHour\":9,\"endHour\":17}", &r), 1);
	ck_assert_uint_eq(r.days_mask, 0x3e);
	ck_assert_int_eq(r.start_hour, 9);
	ck_assert_int_eq(r.end_hour, 17);

	ck_assert_int_eq(parse("{\"days_of_week\":[\"sat\",\"SUNDAY\",7,-1,\"x\"],"
			       "\"start_hour\":22,\"end_hour\":6}",
				 &r),
		1);
	ck_assert_uint_eq(r.days_mask, (1u << 6) | 1u);
	ck_assert_int_eq(r.start_hour, 22);
	ck_assert_int_eq(r.end_hour, 6);
}
END_TEST

START_TEST(partial_and_absent)
{
	struct oncall_restriction r;

	ck_assert_int_eq(parse("{\"daysOfWeek\":[0]}", &r), 1);
	ck_assert_uint_eq(r.days_mask, 1);
	ck_assert_int_eq(r.start_hour, -1); /* no hour restriction */

	ck_assert_int_eq(parse("{\"startHour\":22}", &r), 1); /* 22 → midnight */
	ck_assert_int_eq(r.start_hour, 22);
	ck_assert_int_eq(r.end_hour, 0);

	ck_assert_int_eq(parse("{\"endHour\":24}", &r), 1); /* 0 → 24 */
	ck_assert_int_eq(r.start_hour, 0);
	ck_assert_int_eq(r.end_hour, 24);

	ck_assert_int_eq(parse("{\"daysOfWeek\":[]}", &r), 1); /* every day */
	ck_assert_uint_eq(r.days_mask, 0);

	ck_assert_int_eq(parse("{}", &r), 0);
	ck_assert_int_eq(parse("{\"startHour\":\"9\"}", &r), 0);
	ck_assert_int_eq(parse("[1,2]", &r), 0);
	ck_assert_int_eq(parse(NULL, &r), 0);
	ck_assert_int_eq(r.start_hour, -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("schedule");
	tcase_add_test(tc, full_restriction);
	tcase_add_test(tc, partial_and_absent);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
