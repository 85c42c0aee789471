/* svg.c: small server-drawn SVG charts for the executive report. */
#include <math.h>
#include <string.h>

#include "svg.h"
#include "sbuf.h"

static const char *const palette[] = {"#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed"};
#define PALETTE_N (sizeof(palette) / sizeof(palette[0]))
#define PAD_L 44
#define PAD_R 12
#define PAD_T 28
#define PAD_B 36

double svg_scale(double v, double lo, double hi, double a, double b)
{
	if (!(hi > lo) || isnan(v))
		return a;
	double t = (v - lo) / (hi - lo);
	if (t < 0)
		t = 0;
	if (t > 1)
		t = 1;
	return a + t * (b - a);
}

double svg_nice_max(double v)
{
	if (!(v > 0))
		return 1;
	double p = pow(10, floor(log10(v)));
	static const double steps[] = {1, 2, 2.5, 5, 10};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (steps[i] * p >= v * (1 - 1e-12))
			return steps[i] * p;
	return 10 * p;
}

void svg_escape(struct sbuf *sb, const char *s)
{
	static const struct {
		char c;
		const char *entity;
	} entities[] = {
		{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};

	for (; s && *s; s++) {
		size_t i = 0;
		while (i < sizeof(entities) / sizeof(entities[0]) && entities[i].c != *s)
			i++;
		if (i < sizeof(entities) / sizeof(entities[0]))
			sbuf_addf(sb, "%s", entities[i].entity);
		else
			sbuf_add(sb, s, 1);
	}
}

static void open_svg(struct sbuf *sb, const char *title, int w, int h)
{
	sbuf_addf(sb,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		w, h, w, h);
	svg_escape(sb, title);
	sbuf_addf(sb, "\"><title>");
	svg_escape(sb, title);
	sbuf_addf(sb, "</title><text x=\"4\" y=\"16\" class=\"t\">");
	svg_escape(sb, title);
	sbuf_addf(sb, "</text>");
}

static double max_of(const double *v, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]) && v[i] > m)
			m = v[i];
	return m;
}

/* The y axis: the nice maximum and zero, with a grid line at each. */
static void axis(struct sbuf *sb, double ymax, int w, int h)
{
	sbuf_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"ax\"/>", PAD_L,
		h - PAD_B, w - PAD_R, h - PAD_B);
	sbuf_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>", PAD_L,
		PAD_T, w - PAD_R, PAD_T);
	sbuf_addf(sb, "<text x=\"%d\" y=\"%d\" class=\"y\">%g</text>", PAD_L - 4, PAD_T + 4, ymax);
	sbuf_addf(sb, "<text x=\"%d\" y=\"%d\" class=\"y\">0</text>", PAD_L - 4, h - PAD_B + 4);
}

/* Labels under the x positions, at most about 8 of them. */
static void xlabels(struct sbuf *sb, const char *const *labels, size_t n, int w, int h)
{
	size_t step = n > 8 ? (n + 7) / 8 : 1;
	for (size_t i = 0; labels && i < n; i += step) {
		double x = svg_scale((double)i + 0.5, 0, (double)n, PAD_L, w - PAD_R);
		sbuf_addf(sb, "<text x=\"%.1f\" y=\"%d\" class=\"x\">", x, h - PAD_B + 16);
		svg_escape(sb, labels[i]);
		sbuf_addf(sb, "</text>");
	}
}

void svg_bars(struct sbuf *sb, const char *title, const char *const *labels, const double *v,
	size_t n, int w, int h)
{
	double ymax = svg_nice_max(max_of(v, n));
	double slot = n ? (double)(w - PAD_L - PAD_R) / (double)n : 0;

	open_svg(sb, title, w, h);
	axis(sb, ymax, w, h);
	for (size_t i = 0; i < n; i++) {
		if (isnan(v[i]) || v[i] <= 0)
			continue;
		double y = svg_scale(v[i], 0, ymax, h - PAD_B, PAD_T);
		sbuf_addf(sb,
			"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"%s\"><title>",
			PAD_L + slot * (double)i + slot * 0.1, y, slot * 0.8, (h - PAD_B) - y,
			palette[0]);
		svg_escape(sb, labels ? labels[i] : "");
		sbuf_addf(sb, ": %g</title></rect>", v[i]);
	}
	xlabels(sb, labels, n, w, h);
	sbuf_addf(sb, "</svg>\n");
}

static void legend(struct sbuf *sb, const char *const *names, size_t n, int w)
{
	for (size_t k = 0; k < n; k++) {
		int x = w - PAD_R - 110 * (int)(n - k);
		sbuf_addf(sb,
			"<rect x=\"%d\" y=\"6\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"15\" class=\"l\">",
			x, palette[k % PALETTE_N], x + 14);
		svg_escape(sb, names[k]);
		sbuf_addf(sb, "</text>");
	}
}

void svg_lines(struct sbuf *sb, const char *title, const char *const *labels,
	const double *const *series, const char *const *names, size_t nseries, size_t n, int w,
	int h)
{
	double m = 0;
	for (size_t k = 0; k < nseries; k++) {
		double mk = max_of(series[k], n);
		m = mk > m ? mk : m;
	}
	double ymax = svg_nice_max(m);

	open_svg(sb, title, w, h);
	axis(sb, ymax, w, h);
	legend(sb, names, nseries, w);
	for (size_t k = 0; k < nseries; k++) {
		const char *colour = palette[k % PALETTE_N];
		int open = 0;
		/* one polyline per run of points with data */
		for (size_t i = 0; i <= n; i++) {
			double v = i < n ? series[k][i] : NAN;
			if (isnan(v)) {
				if (open)
					sbuf_addf(sb, "\"/>");
				open = 0;
				continue;
			}
			double x = svg_scale((double)i + 0.5, 0, (double)n, PAD_L, w - PAD_R);
			double y = svg_scale(v, 0, ymax, h - PAD_B, PAD_T);
			if (!open)
				sbuf_addf(sb,
					"<polyline class=\"line\" fill=\"none\" stroke=\"%s\" "
					"stroke-width=\"2\" points=\"",
					colour);
			sbuf_addf(sb, "%s%.1f,%.1f", open ? " " : "", x, y);
			open = 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (isnan(series[k][i]))
				continue;
			sbuf_addf(sb,
				"<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" "
				"fill=\"%s\"/>",
				svg_scale((double)i + 0.5, 0, (double)n, PAD_L, w - PAD_R),
				svg_scale(series[k][i], 0, ymax, h - PAD_B, PAD_T), colour);
		}
	}
	xlabels(sb, labels, n, w, h);
	sbuf_addf(sb, "</svg>\n");
}

void svg_hbars(struct sbuf *sb, const char *title, const char *const *labels, const double *v1,
	const double *v2, const char *name1, const char *name2, size_t n, int w)
{
	int row = 34, left = 150, h = PAD_T + row * (int)(n ? n : 1) + 8;
	const char *names[] = {name1, name2};

	open_svg(sb, title, w, h);
	legend(sb, names, 2, w);
	if (!n)
		sbuf_addf(sb,
			"<text x=\"%d\" y=\"%d\" class=\"l\">no incidents in the window</text>",
			left, PAD_T + 16);
	for (size_t i = 0; i < n; i++) {
		int y = PAD_T + row * (int)i;
		sbuf_addf(sb, "<text x=\"%d\" y=\"%d\" class=\"y\">", left - 6, y + 18);
		svg_escape(sb, labels[i]);
		sbuf_addf(sb, "</text>");
		const double *v[] = {v1, v2};
		for (int k = 0; k < 2; k++) {
			if (isnan(v[k][i]))
				continue;
			double bw = svg_scale(v[k][i], 0, 100, 0, w - PAD_R - left - 48);
			sbuf_addf(sb,
				"<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
				"height=\"12\" "
				"fill=\"%s\"/><text x=\"%.1f\" y=\"%d\" class=\"l\">%.1f%%</text>",
				left, y + 4 + 14 * k, bw > 1 ? bw : 1, palette[k], left + bw + 4,
				y + 14 + 14 * k, v[k][i]);
		}
	}
	sbuf_addf(sb, "</svg>\n");
}

void svg_stack(struct sbuf *sb, const char *title, const char *const *labels, const double *v,
	size_t n, int w)
{
	double total = 0, x = PAD_L;
	int h = PAD_T + 40 + 16 * (int)n;

	for (size_t i = 0; i < n; i++)
		total += isnan(v[i]) ? 0 : v[i];
	open_svg(sb, title, w, h);
	for (size_t i = 0; i < n && total > 0; i++) {
		if (isnan(v[i]) || v[i] <= 0)
			continue;
		double bw = svg_scale(v[i], 0, total, 0, w - PAD_L - PAD_R);
		sbuf_addf(sb,
			"<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"24\" "
			"fill=\"%s\"><title>",
			x, PAD_T, bw, palette[i % PALETTE_N]);
		svg_escape(sb, labels[i]);
		sbuf_addf(sb, ": %g</title></rect>", v[i]);
		x += bw;
	}
	for (size_t i = 0; i < n; i++) { /* the legend: one line per part */
		int ly = PAD_T + 34 + 16 * (int)i;
		sbuf_addf(sb,
			"<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\" class=\"l\">",
			PAD_L, ly, palette[i % PALETTE_N], PAD_L + 14, ly + 9);
		svg_escape(sb, labels[i]);
		sbuf_addf(sb, " %g</text>", isnan(v[i]) ? 0 : v[i]);
	}
	sbuf_addf(sb, "</svg>\n");
}

void svg_heatmap(struct sbuf *sb, const char *title, const double *counts, size_t n, int first_wday)
{
	int cell = 12, weeks = (int)((n + (size_t)first_wday + 6) / 7);
	int w = PAD_L + weeks * cell + PAD_R, h = PAD_T + 7 * cell + 8;
	double m = max_of(counts, n);
	static const char *const shades[] = {"#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127"};

	open_svg(sb, title, w, h);
	for (size_t i = 0; i < n; i++) {
		size_t k = i + (size_t)first_wday;
		int level = counts[i] > 0 ? 1 + (int)svg_scale(counts[i], 0, m, 0, 3.999) : 0;
		sbuf_addf(sb,
			"<rect class=\"day\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"%s\"><title>%g</title></rect>",
			PAD_L + (int)(k / 7) * cell, PAD_T + (int)(k % 7) * cell, cell - 2,
			cell - 2, shades[level], counts[i]);
	}
	sbuf_addf(sb, "</svg>\n");
}
