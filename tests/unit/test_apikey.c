/* test_apikey.c: scope names, masks and the admin scope; refusal codes. */
#include "unit.h"
#include "apikey.h"

START_TEST(scope_names_round_trip)
{
	static const char *const names[] = {"events:write", "incidents:read", "incidents:write",
		"services:read", "services:write", "schedules:read", "schedules:write",
		"analytics:read", "admin"};
	unsigned seen = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned bit = apikey_scope_parse(names[i]);
		ck_assert_uint_ne(bit, 0);
		ck_assert_uint_eq(bit & (bit - 1), 0); /* one bit each */
		ck_assert_uint_eq(seen & bit, 0);      /* distinct */
		seen |= bit;
		ck_assert_str_eq(apikey_scope_name(bit), names[i]);
	}
	ck_assert_uint_eq(apikey_scope_parse("schedules:READ"), 0);
	ck_assert_uint_eq(apikey_scope_parse(""), 0);
	ck_assert_ptr_null(apikey_scope_name(APIKEY_EVENTS_WRITE | APIKEY_ADMIN));
	ck_assert_ptr_null(apikey_scope_name(0));
}
END_TEST

START_TEST(has_scope)
{
	ck_assert(apikey_has_scope(APIKEY_SCHEDULES_READ, APIKEY_SCHEDULES_READ));
	ck_assert(!apikey_has_scope(APIKEY_SCHEDULES_WRITE, APIKEY_SCHEDULES_READ));
	ck_assert(!apikey_has_scope(0, APIKEY_SCHEDULES_READ));
	ck_assert(apikey_has_scope(APIKEY_ADMIN, APIKEY_SCHEDULES_READ | APIKEY_EVENTS_WRITE));
	ck_assert(!apikey_has_scope(
		APIKEY_SCHEDULES_READ, APIKEY_SCHEDULES_READ | APIKEY_EVENTS_WRITE));
	ck_assert(
		apikey_has_scope(APIKEY_SCHEDULES_READ | APIKEY_EVENTS_WRITE, APIKEY_EVENTS_WRITE));
}
END_TEST

START_TEST(status_codes)
{
	ck_assert_ptr_null(apikey_status_code(APIKEY_OK));
	ck_assert_str_eq(apikey_status_code(APIKEY_UNKNOWN), "invalid_api_key");
	ck_assert_str_eq(apikey_status_code(APIKEY_REVOKED), "api_key_revoked");
	ck_assert_str_eq(apikey_status_code(APIKEY_USER_INACTIVE), "user_inactive");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("apikey");
	TCase *tc = tcase_create("apikey");
	tcase_add_test(tc, scope_names_round_trip);
	tcase_add_test(tc, has_scope);
	tcase_add_test(tc, status_codes);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
