/* svg.h: small server-drawn SVG charts for the executive report (no script, no external asset).
 * Pure: every function appends markup to an sbuf. NaN values are gaps ("no data"). */
#ifndef OK_SVG_H
#define OK_SVG_H

#include <stddef.h>

struct sbuf;

/* Maps v from [lo, hi] onto [a, b] linearly, clamped to [a, b]; a degenerate domain (hi <= lo)
 * or a NaN maps to a. */
double svg_scale(double v, double lo, double hi, double a, double b);

/* The smallest "nice" axis maximum (1, 2, 2.5, 5 × 10^k) at or above v; 1 for v <= 0 or NaN. */
double svg_nice_max(double v);

/* Appends s with & < > " ' escaped for XML text and attributes. */
void svg_escape(struct sbuf *sb, const char *s);

/* A vertical bar chart of n values with labels under some bars, w × h pixels. */
void svg_bars(struct sbuf *sb, const char *title, const char *const *labels, const double *v,
	size_t n, int w, int h);

/* A line chart of nseries series of n points each (series[k][i]), one colour and legend name
 * per series; NaN points break the line. */
void svg_lines(struct sbuf *sb, const char *title, const char *const *labels,
	const double *const *series, const char *const *names, size_t nseries, size_t n, int w,
	int h);

/* Horizontal percentage bars (0..100), two per row (v1 and v2, NaN = no bar), one row per label,
 * with the legend names of v1 and v2. */
void svg_hbars(struct sbuf *sb, const char *title, const char *const *labels, const double *v1,
	const double *v2, const char *name1, const char *name2, size_t n, int w);

/* A stacked 100% bar of n parts with a legend (the status mix). */
void svg_stack(struct sbuf *sb, const char *title, const char *const *labels, const double *v,
	size_t n, int w);

/* A calendar heatmap of n consecutive days (counts[i]), the first day being weekday first_wday
 * (0 = Sunday): one column per week, one cell per day, darker for more. */
void svg_heatmap(
	struct sbuf *sb, const char *title, const double *counts, size_t n, int first_wday);

#endif
