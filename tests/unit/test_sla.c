/* test_sla.c: unit tests of the pure parts of core/sla: CSV cells (quoting, formula defusing),
 * rows and the text bars of the analytics export. */
#include <string.h>

#include "core/sbuf.h"
#include "core/sla.h"
#include "tests/unit/unit.h"

static const char *cell(struct sbuf *sb, const char *s)
{
	sbuf_reset(sb);
	sla_csv_cell(sb, s);
	return sb->buf;
}

START_TEST(test_cell_plain_and_quoted)
{
	struct sbuf sb = SBUF_INIT;

	ck_assert_str_eq(cell(&sb, "plain text"), "plain text");
	ck_assert_str_eq(cell(&sb, ""), "");
	ck_assert_str_eq(cell(&sb, NULL), "");
	ck_assert_str_eq(cell(&sb, "a,b"), "\"a,b\"");
	ck_assert_str_eq(cell(&sb, "say \"hi\""), "\"say \"\"hi\"\"\"");
	ck_assert_str_eq(cell(&sb, "two\nlines"), "\"two\nlines\"");
	ck_assert_str_eq(cell(&sb, "cr\rhere"), "\"cr\rhere\"");
	ck_assert_str_eq(cell(&sb, "ünïcödé ✓"), "ünïcödé ✓");
	sbuf_release(&sb);
}
END_TEST

START_TEST(test_cell_formula_defused)
{
	struct sbuf sb = SBUF_INIT;
	static const char *const risky[] = {"=1+1", "+1", "-1", "@SUM(A1)", "\tx"};

	for (size_t i = 0; i < sizeof(risky) / sizeof(risky[0]); i++) {
		const char *got = cell(&sb, risky[i]);
		ck_assert_int_eq(got[0], '\'');
		ck_assert_str_eq(got + 1, risky[i]);
	}
	/* prefixed inside the quotes, so a CSV reader gives back ' + the value */
	ck_assert_str_eq(
		cell(&sb, "=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
	ck_assert_str_eq(cell(&sb, "\rrun"), "\"'\rrun\"");
	ck_assert_str_eq(cell(&sb, "a=b"), "a=b"); /* only a leading character matters */
	sbuf_release(&sb);
}
END_TEST

START_TEST(test_row_and_bar)
{
	struct sbuf sb = SBUF_INIT;
	const char *cells[] = {"x", NULL, "y,z"};

	sla_csv_row(&sb, cells, 3);
	ck_assert_str_eq(sb.buf, "x,,\"y,z\"\r\n");
	sbuf_reset(&sb);
	sla_csv_bar(&sb, 62.5, 30); /* 18.75 cells round to 19 */
	ck_assert_str_eq(sb.buf, "===================----------- 62.5%");
	sbuf_reset(&sb);
	sla_csv_bar(&sb, 0, 4);
	ck_assert_str_eq(sb.buf, "---- 0.0%");
	sbuf_reset(&sb);
	sla_csv_bar(&sb, 250, 4); /* clamped */
	ck_assert_str_eq(sb.buf, "==== 100.0%");
	sbuf_reset(&sb);
	sla_csv_bar(&sb, -5, 4);
	ck_assert_str_eq(sb.buf, "---- 0.0%");
	sbuf_release(&sb);
}
END_TEST

static Suite *sla_suite(void)
{
	Suite *s = suite_create("sla");
	TCase *tc = tcase_create("csv");

	tcase_add_test(tc, test_cell_plain_and_quoted);
	tcase_add_test(tc, test_cell_formula_defused);
	tcase_add_test(tc, test_row_and_bar);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(sla_suite)
