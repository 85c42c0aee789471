/* test_svg.c: unit tests of the SVG charts of the executive report: scaling, axis maxima,
 * escaping, and the shapes each chart draws. */
#include <math.h>
#include <string.h>

#include "core/sbuf.h"
#include "fcgi/svg.h"
#include "tests/unit/unit.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

START_TEST(test_scale)
{
	ck_assert_double_eq(svg_scale(5, 0, 10, 0, 100), 50);
	ck_assert_double_eq(svg_scale(0, 0, 10, 200, 20), 200); /* y axes run downwards */
	ck_assert_double_eq(svg_scale(10, 0, 10, 200, 20), 20);
	ck_assert_double_eq(svg_scale(-3, 0, 10, 0, 100), 0); /* clamped */
	ck_assert_double_eq(svg_scale(30, 0, 10, 0, 100), 100);
	ck_assert_double_eq(svg_scale(5, 3, 3, 7, 100), 7); /* empty domain */
	ck_assert_double_eq(svg_scale(NAN, 0, 10, 7, 100), 7);
}
END_TEST

START_TEST(test_nice_max)
{
	ck_assert_double_eq(svg_nice_max(0), 1);
	ck_assert_double_eq(svg_nice_max(NAN), 1);
	ck_assert_double_eq(svg_nice_max(1), 1);
	ck_assert_double_eq(svg_nice_max(1.2), 2);
	ck_assert_double_eq(svg_nice_max(2.2), 2.5);
	ck_assert_double_eq(svg_nice_max(37), 50);
	ck_assert_double_eq(svg_nice_max(100), 100);
	ck_assert_double_eq(svg_nice_max(101), 200);
	ck_assert_double_eq_tol(svg_nice_max(0.07), 0.1, 1e-12);
}
END_TEST

START_TEST(test_escape)
{
	struct sbuf sb = SBUF_INIT;

	svg_escape(&sb, "<a href=\"x\">&'</a>");
	ck_assert_str_eq(sb.buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	sbuf_release(&sb);
}
END_TEST

START_TEST(test_charts_draw_their_shapes)
{
	struct sbuf sb = SBUF_INIT;
	const char *labels[] = {"a", "b<", "c", "d"};
	double v[] = {3, 0, NAN, 7};

	svg_bars(&sb, "T&T", labels, v, 4, 400, 200);
	ck_assert_int_eq(count(sb.buf, "class=\"bar\""), 2); /* zero and NaN draw nothing */
	ck_assert_int_eq(count(sb.buf, "<svg"), 1);
	ck_assert_int_eq(count(sb.buf, "</svg>"), 1);
	ck_assert_ptr_nonnull(strstr(sb.buf, "T&amp;T"));
	ck_assert_ptr_null(strstr(sb.buf, "b<"));
	/* the tallest bar reaches the top of the plot (y = 28): 7 on a nice axis of 10 is 70% */
	ck_assert_ptr_nonnull(strstr(sb.buf, ">10</text>"));

	sbuf_reset(&sb);
	double m1[] = {1, 2, NAN, 4}, m2[] = {NAN, NAN, NAN, NAN};
	const double *series[] = {m1, m2};
	const char *names[] = {"MTTA", "MTTR"};
	svg_lines(&sb, "lines", labels, series, names, 2, 4, 400, 200);
	ck_assert_int_eq(count(sb.buf, "<polyline"), 2); /* a gap splits MTTA; MTTR has none */
	ck_assert_int_eq(count(sb.buf, "<circle"), 3);

	sbuf_reset(&sb);
	double counts[365] = {0};
	counts[0] = 1;
	counts[364] = 9;
	svg_heatmap(&sb, "heat", counts, 365, 3);
	ck_assert_int_eq(count(sb.buf, "class=\"day\""), 365);
	ck_assert_int_eq(count(sb.buf, "fill=\"#ebedf0\""), 363);
	ck_assert_int_eq(count(sb.buf, "fill=\"#196127\""), 1); /* the maximum is darkest */

	sbuf_reset(&sb);
	double p1[] = {50, NAN}, p2[] = {100, 0};
	const char *svc[] = {"api", "db"};
	svg_hbars(&sb, "sla", svc, p1, p2, "ack", "resolve", 2, 600);
	ck_assert_int_eq(count(sb.buf, "class=\"bar\""), 3);
	sbuf_release(&sb);
}
END_TEST

static Suite *svg_suite(void)
{
	Suite *s = suite_create("svg");
	TCase *tc = tcase_create("charts");

	tcase_add_test(tc, test_scale);
	tcase_add_test(tc, test_nice_max);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_charts_draw_their_shapes);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(svg_suite)
