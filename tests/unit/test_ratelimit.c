/* test_ratelimit.c: token buckets: burst, refill, Retry-After, learned limits, shared by fork. */
#include <sys/wait.h>
#include <unistd.h>
#include "unit.h"
#include "ratelimit.h"

START_TEST(burst_then_refill)
{
	struct ratelimit *rl = ratelimit_new(64);
	int ra = 0;

	ck_assert_ptr_nonnull(rl);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ratelimit_take(rl, 42, 1.0, 1.0, 5.0, 1000, &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, 42, 1.0, 1.0, 5.0, 1000, &ra), -1);
	ck_assert_int_eq(ra, 1);
	/* another key has its own bucket */
	ck_assert_int_eq(ratelimit_take(rl, 43, 1.0, 1.0, 5.0, 1000, &ra), 0);
	/* half a second later still empty; a full second later one token */
	ck_assert_int_eq(ratelimit_take(rl, 42, 1.0, 1.0, 5.0, 1500, &ra), -1);
	ck_assert_int_eq(ratelimit_take(rl, 42, 1.0, 1.0, 5.0, 2000, &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, 42, 1.0, 1.0, 5.0, 2000, &ra), -1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(retry_after_reflects_rate)
{
	struct ratelimit *rl = ratelimit_new(64);
	int ra = 0;

	ck_assert_int_eq(ratelimit_take(rl, 7, 1.0, 0.1, 1.0, 0, &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, 7, 1.0, 0.1, 1.0, 0, &ra), -1);
	ck_assert_int_eq(ra, 10);
	ratelimit_free(rl);
}
END_TEST

START_TEST(configure_clamps_bucket)
{
	struct ratelimit *rl = ratelimit_new(64);
	int ra = 0;

	ck_assert_int_eq(ratelimit_take(rl, 9, 1.0, 100.0, 1000.0, 0, &ra), 0);
	ratelimit_configure(rl, 9, 1.0, 2.0);
	ck_assert_int_eq(ratelimit_take(rl, 9, 1.0, 100.0, 1000.0, 0, &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, 9, 1.0, 100.0, 1000.0, 0, &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, 9, 1.0, 100.0, 1000.0, 0, &ra), -1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(shared_across_fork)
{
	struct ratelimit *rl = ratelimit_new(64);
	int ra = 0, status;

	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < 3; i++)
			ratelimit_take(rl, 5, 1.0, 1.0, 3.0, 0, &ra);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ck_assert_int_eq(ratelimit_take(rl, 5, 1.0, 1.0, 3.0, 0, &ra), -1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(full_table_evicts_oldest)
{
	struct ratelimit *rl = ratelimit_new(4);
	int ra = 0;

	for (uint64_t k = 1; k <= 40; k++)
		ck_assert_int_eq(ratelimit_take(rl, k, 1.0, 1.0, 1.0, (int64_t)k, &ra), 0);
	/* key 40 is resident and empty */
	ck_assert_int_eq(ratelimit_take(rl, 40, 1.0, 1.0, 1.0, 40, &ra), -1);
	ratelimit_free(rl);
}
END_TEST

START_TEST(batch_costs_its_size)
{
	struct ratelimit *rl = ratelimit_new(64);
	int ra = 0;

	ck_assert_int_eq(ratelimit_take(rl, 11, 20.0, 10.0, 50.0, 0, &ra), 0);
	ck_assert_int_eq(ratelimit_take(rl, 11, 40.0, 10.0, 50.0, 0, &ra), -1);
	ck_assert_int_eq(ra, 1); /* 30 are there, 10 more come in 1 s */
	/* a refused batch takes nothing: 30 still fit */
	ck_assert_int_eq(ratelimit_take(rl, 11, 30.0, 10.0, 50.0, 0, &ra), 0);
	ratelimit_free(rl);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("ratelimit");
	tcase_add_test(tc, burst_then_refill);
	tcase_add_test(tc, retry_after_reflects_rate);
	tcase_add_test(tc, configure_clamps_bucket);
	tcase_add_test(tc, shared_across_fork);
	tcase_add_test(tc, full_table_evicts_oldest);
	tcase_add_test(tc, batch_costs_its_size);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
