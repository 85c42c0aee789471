/* test_export.c: unit tests of the export's CSV cells: RFC 4180 quoting, formula guard. */
#include <string.h>

#include "core/export.h"
#include "core/sbuf.h"
#include "tests/unit/unit.h"

/* input → cell */
static const struct {
	const char *in, *out;
} cases[] = {
	/* plain cells are unchanged; only a leading character can start a formula */
	{"", ""},
	{"disk full on db-01", "disk full on db-01"},
	{"naïve ✓", "naïve ✓"},
	{"2026-01-02T03:04:05.000Z", "2026-01-02T03:04:05.000Z"},
	{"a=b+c-d@e", "a=b+c-d@e"},
	{" =x", " =x"},
	/* RFC 4180 quoting */
	{"a,b", "\"a,b\""},
	{"say \"hi\"", "\"say \"\"hi\"\"\""},
	{"\"", "\"\"\"\""},
	{"line\nbreak", "\"line\nbreak\""},
	{"cr\rhere", "\"cr\rhere\""},
	/* the formula guard; a leading CR both guards and quotes (the quote outside the guard) */
	{"=SUM(A1:A2)", "'=SUM(A1:A2)"},
	{"+1", "'+1"},
	{"-1", "'-1"},
	{"@cmd", "'@cmd"},
	{"\tx", "'\tx"},
	{"\rx", "\"'\rx\""},
	{"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
};

START_TEST(test_cells)
{
	struct sbuf sb = SBUF_INIT;

	export_csv_cell(&sb, cases[_i].in);
	ck_assert_str_eq(sb.buf, cases[_i].out);
	sbuf_release(&sb);
}
END_TEST

static Suite *export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("csv");

	tcase_add_loop_test(tc, test_cells, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(export_suite)
