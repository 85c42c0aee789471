/* test_arena.c: unit tests of the arena: alignment, chunking, cleanups, reset and reuse. */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/arena.h"
#include "tests/unit/unit.h"

START_TEST(test_alignment)
{
	struct arena a;
	size_t i;

	arena_init(&a, 0);
	ck_assert_ptr_null(a.head); /* init allocates nothing */
	for (i = 0; i < 200; i++) {
		void *p = arena_alloc(&a, i % 13);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % alignof(max_align_t), 0);
	}
	arena_release(&a);
}
END_TEST

START_TEST(test_many_allocs_across_chunks)
{
	struct arena a;
	unsigned char *ptrs[1000];
	size_t i, j;

	arena_init(&a, 1024);
	for (i = 0; i < 1000; i++) {
		ptrs[i] = arena_alloc(&a, 100);
		memset(ptrs[i], (int)(i & 0xff), 100);
	}
	/* no allocation overwrote another */
	for (i = 0; i < 1000; i++)
		for (j = 0; j < 100; j++)
			ck_assert_uint_eq(ptrs[i][j], i & 0xff);
	/* a block larger than a chunk */
	unsigned char *big = arena_alloc(&a, 100000);
	memset(big, 0xab, 100000);
	ck_assert_uint_eq(big[99999], 0xab);
	ck_assert_uint_eq(ptrs[999][99], 999 & 0xff);
	arena_release(&a);
	ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(test_strings)
{
	struct arena a;
	char *s, *z;

	arena_init(&a, 64);
	ck_assert_str_eq(arena_strdup(&a, "hello"), "hello");
	ck_assert_str_eq(arena_strndup(&a, "hello", 3), "hel");
	ck_assert_str_eq(arena_strndup(&a, "hi", 10), "hi");
	s = arena_printf(
		&a, "%s-%d-%s", "x", 7, "a long string that does not fit in one chunk of 64");
	ck_assert_str_eq(s, "x-7-a long string that does not fit in one chunk of 64");
	{
		char want[1001];

		memset(want, 'q', 1000);
		want[1000] = '\0';
		ck_assert_str_eq(
			arena_printf(&a, "%s", want), want); /* longer than the stack try */
	}
	z = arena_calloc(&a, 300);
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(z[i], 0);
	arena_release(&a);
}
END_TEST

static char order[16];
static size_t norder;

static void record(void *arg)
{
	order[norder++] = *(const char *)arg;
}

START_TEST(test_cleanup_order_and_reset)
{
	static const char a1 = '1', a2 = '2', a3 = '3';
	struct arena a;
	void *first_chunk;
	char *p;

	norder = 0;
	arena_init(&a, 256);
	arena_on_reset(&a, record, (void *)&a1);
	arena_on_reset(&a, record, (void *)&a2);
	arena_on_reset(&a, record, (void *)&a3);
	for (int i = 0; i < 50; i++)
		arena_alloc(&a, 64); /* several chunks */
	arena_reset(&a);
	ck_assert_uint_eq(norder, 3);
	ck_assert_int_eq(order[0], '3');
	ck_assert_int_eq(order[1], '2');
	ck_assert_int_eq(order[2], '1');

	/* the first chunk is kept and reused; cleanups do not run twice */
	first_chunk = a.head;
	ck_assert_ptr_nonnull(first_chunk);
	p = arena_alloc(&a, 16);
	ck_assert_ptr_eq(a.head, first_chunk);
	strcpy(p, "reused");
	ck_assert_str_eq(p, "reused");
	arena_reset(&a);
	ck_assert_uint_eq(norder, 3);
	ck_assert_ptr_eq(a.head, first_chunk);

	/* release runs cleanups registered after a reset */
	arena_on_reset(&a, record, (void *)&a1);
	arena_release(&a);
	ck_assert_uint_eq(norder, 4);
	ck_assert_int_eq(order[3], '1');
	ck_assert_ptr_null(a.head);
}
END_TEST

static void free_it(void *p)
{
	free(p);
}

START_TEST(test_cleanup_frees_heap)
{
	struct arena a;

	arena_init(&a, 0);
	for (int round = 0; round < 100; round++) {
		arena_on_reset(&a, free_it, malloc(64)); /* LSan reports a leak if not run */
		arena_alloc(&a, 5000);
		arena_reset(&a);
	}
	arena_release(&a);
}
END_TEST

static Suite *arena_suite(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_alignment);
	tcase_add_test(tc, test_many_allocs_across_chunks);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_cleanup_order_and_reset);
	tcase_add_test(tc, test_cleanup_frees_heap);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(arena_suite)
