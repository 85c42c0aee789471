/* oncall.c: layer blocks, restrictions, overrides and the priority sweep of spec §8.2. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oncall.h"
#include "wrapper.h"

#define DAY 86400
#define HOUR 3600
#define ZONEINFO_DIR "/usr/share/zoneinfo/"
#define OVERRIDE_PRIORITY INT_MAX
#define ZONE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-"

/* A growable array of blocks. */
struct blocks {
	struct oncall_block *v;
	size_t n, alloc;
};

static void blocks_push(struct blocks *b, const struct oncall_block *x)
{
	if (b->n == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 16;
		b->v = xrealloc(b->v, b->alloc * sizeof(*b->v));
	}
	b->v[b->n++] = *x;
}

/* ---- time zones: the only code that touches TZ --------------------------------------------- */

struct zone_saved {
	char *tz; /* the previous TZ value, NULL when TZ was unset */
};

/* Switches the C library's local time to tz; zone_leave restores the previous setting. */
static int zone_enter(const char *tz, struct zone_saved *saved)
{
	if (!oncall_zone_valid(tz))
		return -1;
	const char *old = getenv("TZ");
	saved->tz = old ? xstrdup(old) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	return 0;
}

static void zone_leave(struct zone_saved *saved)
{
	if (saved->tz)
		setenv("TZ", saved->tz, 1);
	else
		unsetenv("TZ");
	free(saved->tz);
	saved->tz = NULL;
	tzset();
}

static void local_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;
	localtime_r(&tt, tm);
}

/* The zone's UTC offset (seconds east) at instant t. */
static long gmtoff(int64_t t)
{
	struct tm tm;
	local_tm(t, &tm);
	return tm.tm_gmtoff;
}

/* The wall-clock time at t as "naive" seconds (local fields read as if they were UTC), in which
 * adding k * DAY moves k calendar days keeping the wall-clock time. */
static int64_t naive_of(int64_t t)
{
	return t + gmtoff(t);
}

/*
 * The instant whose wall-clock time is naive w. A time that occurs twice (fall-back) maps to
 * its first occurrence; a time skipped by a spring-forward is read with the offset in force
 * before the gap, i.e. moved forward by the gap (02:30 → 03:30), as mktime and JavaScript do.
 */
static int64_t naive_to_utc(int64_t w)
{
	long oa = gmtoff(w - DAY), ob = gmtoff(w + DAY);
	int64_t ta = w - oa, tb = w - ob;
	int va = gmtoff(ta) == oa, vb = gmtoff(tb) == ob;

	if (va && vb)
		return ta < tb ? ta : tb;
	if (vb)
		return tb;
	return ta; /* valid, or in a gap */
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int oncall_zone_valid(const char *tz)
{
	char path[256];
	char magic[4];

	if (!tz || !*tz || *tz == '/' || strstr(tz, "..") || strlen(tz) > 128)
		return 0;
	for (const char *p = tz; *p; p++)
		if (!strchr(ZONE_CHARS, *p))
			return 0;
	memcpy(path, ZONEINFO_DIR, sizeof(ZONEINFO_DIR) - 1);
	strcpy(path + sizeof(ZONEINFO_DIR) - 1, tz);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, magic, sizeof(magic)); /* a directory or zone.tab is not a zone */
	close(fd);
	return n == (ssize_t)sizeof(magic) && !memcmp(magic, "TZif", 4);
}

/* ---- layer blocks ---------------------------------------------------------------------------- */

/* 1 when the restriction allows the local hour described by tm. */
static int hour_allowed(const struct oncall_restriction *r, const struct tm *tm)
{
	int overnight = r->start_hour >= 0 && r->start_hour > r->end_hour;
	int day = tm->tm_wday, h = tm->tm_hour;

	if (overnight && h < r->end_hour)
		/* the small hours belong to the night that began the day before */
		day = (day + 6) % 7;
	if (r->days_mask && !(r->days_mask & (1u << day)))
		return 0;
	if (r->start_hour < 0)
		return 1;
	if (overnight)
		return h >= r->start_hour || h < r->end_hour;
	return h >= r->start_hour && h < r->end_hour;
}

/* Pushes the allowed parts of [start, end), walking local wall-clock hours. */
static void push_restricted(
	struct blocks *out, const struct oncall_layer *l, const struct oncall_block *b)
{
	struct oncall_block piece = *b;
	int open = 0;

	for (int64_t t = b->start; t < b->end;) {
		struct tm tm;
		local_tm(t, &tm);
		int64_t next = t - (tm.tm_min * 60 + tm.tm_sec) + HOUR;
		if (next > b->end)
			next = b->end;
		if (hour_allowed(&l->restriction, &tm)) {
			if (!open)
				piece.start = t;
			open = 1;
			piece.end = next;
		} else if (open) {
			blocks_push(out, &piece);
			open = 0;
		}
		t = next;
	}
	if (open)
		blocks_push(out, &piece);
}

/* The blocks of layer l overlapping [from, to), clipped to it. */
static void layer_blocks(struct blocks *out, const struct oncall_layer *l, int64_t from, int64_t to)
{
	if (!l->nusers || l->rotation_hours <= 0)
		return;
	int rot = l->rotation_hours, shift = l->shift_hours > 0 ? l->shift_hours : rot;
	int daily_rot = rot % 24 == 0, daily_shift = shift % 24 == 0;
	int64_t rot_s = (int64_t)rot * HOUR, shift_s = (int64_t)shift * HOUR;
	int64_t base = naive_of(l->start);
	int64_t back = shift > rot ? (shift + rot - 1) / rot : 1; /* long shifts reach further */
	int64_t k = floor_div(from - l->start, rot_s) - back;

	for (k = k < 0 ? 0 : k;; k++) {
		int64_t start, end;
		if (daily_rot)
			start = naive_to_utc(base + k * (rot / 24) * DAY);
		else
			start = l->start + k * rot_s;
		if (start >= to || (l->end && start >= l->end))
			break;
		if (daily_rot && daily_shift)
			end = naive_to_utc(base + (k * (rot / 24) + shift / 24) * DAY);
		else if (daily_shift)
			end = naive_to_utc(naive_of(start) + (shift / 24) * DAY);
		else
			end = start + shift_s;
		if (l->end && end > l->end)
			end = l->end;
		if (end <= from || end <= start)
			continue;
		struct oncall_block b = {
			.user = l->users[k % (int64_t)l->nusers],
			.layer_id = l->id,
			.start = start < from ? from : start,
			.end = end > to ? to : end,
			.priority = l->priority,
		};
		if (l->has_restriction)
			push_restricted(out, l, &b);
		else
			blocks_push(out, &b);
	}
}

/* ---- overrides ---------------------------------------------------------------------------- */

static int cmp_override_start(const void *a, const void *b)
{
	const struct oncall_override *x = *(const struct oncall_override *const *)a;
	const struct oncall_override *y = *(const struct oncall_override *const *)b;
	return (x->start > y->start) - (x->start < y->start);
}

/* Applies o to the blocks in *bs: a replacing override takes over the overlapping portion of
 * the blocks of its user; one without takes over every overlapping portion and the gaps. */
static void apply_override(
	struct blocks *bs, const struct oncall_override *o, int64_t from, int64_t to)
{
	int64_t s = o->start < from ? from : o->start, e = o->end > to ? to : o->end;
	struct blocks next = {0};

	if (s >= e)
		return;
	struct oncall_block ob = {
		.user = o->user,
		.start = s,
		.end = e,
		.priority = OVERRIDE_PRIORITY,
		.is_override = 1,
	};
	for (size_t i = 0; i < bs->n; i++) {
		struct oncall_block b = bs->v[i];
		int hit = b.start < e && b.end > s &&
			  (!o->replaces || (b.user && !strcmp(b.user, o->replaces)));
		if (!hit) {
			blocks_push(&next, &b);
			continue;
		}
		if (b.start < s) {
			struct oncall_block left = b;
			left.end = s;
			blocks_push(&next, &left);
		}
		if (b.end > e) {
			struct oncall_block right = b;
			right.start = e;
			blocks_push(&next, &right);
		}
		if (o->replaces) {
			struct oncall_block mid = ob;
			mid.start = b.start > s ? b.start : s;
			mid.end = b.end < e ? b.end : e;
			blocks_push(&next, &mid);
		}
	}
	/* without replaces the override holds all of [s, e): its portions of every block and the
	 * gaps between them are one block */
	if (!o->replaces)
		blocks_push(&next, &ob);
	free(bs->v);
	*bs = next;
}

/* ---- the sweep ---------------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int str_cmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* 1 when a beats b among layer blocks: priority, then smaller layer id, then earlier start. */
static int layer_beats(const struct oncall_block *a, const struct oncall_block *b)
{
	if (a->priority != b->priority)
		return a->priority > b->priority;
	int c = str_cmp_null(a->layer_id, b->layer_id);
	if (c)
		return c < 0;
	return a->start < b->start;
}

static int same_source(const struct oncall_block *a, const struct oncall_block *b)
{
	return a->is_override == b->is_override && !strcmp(a->user, b->user) &&
	       !str_cmp_null(a->layer_id, b->layer_id);
}

/* Appends the winning piece [s, e) of b to out, extending a piece of the same user and source
 * that ends at s. */
static void emit(struct blocks *out, const struct oncall_block *b, int64_t s, int64_t e)
{
	for (size_t i = out->n; i-- > 0;) {
		if (out->v[i].end == s && same_source(&out->v[i], b)) {
			out->v[i].end = e;
			return;
		}
	}
	struct oncall_block piece = *b;
	piece.start = s;
	piece.end = e;
	blocks_push(out, &piece);
}

/* The final schedule over [from, to) from the blocks in bs (see oncall_blocks). */
static void sweep(const struct blocks *bs, struct blocks *out)
{
	size_t nb = 0;
	int64_t *bounds = xmalloc((2 * bs->n + 1) * sizeof(*bounds));

	for (size_t i = 0; i < bs->n; i++) {
		bounds[nb++] = bs->v[i].start;
		bounds[nb++] = bs->v[i].end;
	}
	qsort(bounds, nb, sizeof(*bounds), cmp_i64);
	for (size_t j = 0; j + 1 < nb; j++) {
		int64_t s = bounds[j], e = bounds[j + 1];
		const struct oncall_block *best = NULL;
		int any_override = 0;
		if (s == e)
			continue;
		for (size_t i = 0; i < bs->n; i++) {
			const struct oncall_block *b = &bs->v[i];
			if (b->start > s || b->end < e)
				continue;
			if (b->is_override)
				any_override = 1;
			else if (!best || layer_beats(b, best))
				best = b;
		}
		if (!any_override) {
			if (best)
				emit(out, best, s, e);
			continue;
		}
		/* overrides outrank every layer and tie among themselves: all of them win */
		for (size_t i = 0; i < bs->n; i++) {
			const struct oncall_block *b = &bs->v[i];
			int dup = 0;
			if (!b->is_override || b->start > s || b->end < e)
				continue;
			for (size_t p = 0; p < i && !dup; p++)
				dup = bs->v[p].is_override && bs->v[p].start <= s &&
				      bs->v[p].end >= e && !strcmp(bs->v[p].user, b->user);
			if (!dup)
				emit(out, b, s, e);
		}
	}
	free(bounds);
}

/* The final schedule over [from, to); the zone must be entered. */
static void final_schedule(
	const struct oncall_schedule *s, int64_t from, int64_t to, struct blocks *out)
{
	struct blocks bs = {0};

	for (size_t i = 0; i < s->nlayers; i++)
		layer_blocks(&bs, &s->layers[i], from, to);
	if (s->noverrides) {
		const struct oncall_override **ov = xmalloc(s->noverrides * sizeof(*ov));
		for (size_t i = 0; i < s->noverrides; i++)
			ov[i] = &s->overrides[i];
		qsort(ov, s->noverrides, sizeof(*ov), cmp_override_start); /* start order */
		for (size_t i = 0; i < s->noverrides; i++)
			apply_override(&bs, ov[i], from, to);
		free(ov);
	}
	sweep(&bs, out);
	free(bs.v);
}

/* Adds u to out[0..*n) unless present or full. */
static void add_user(const char **out, size_t max, int *n, const char *u)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp(out[i], u))
			return;
	if ((size_t)*n < max)
		out[(*n)++] = u;
}

int oncall_resolve(const struct oncall_schedule *s, int64_t at, const char **out, size_t max)
{
	struct zone_saved zs;
	struct blocks fin = {0};
	int n = 0;

	if (zone_enter(s->time_zone, &zs) < 0)
		return -1;
	/* the window: the local day containing at */
	int64_t day = floor_div(naive_of(at), DAY) * DAY;
	int64_t from = naive_to_utc(day), to = naive_to_utc(day + DAY);
	if (from > at)
		from = at; /* a day whose midnight was skipped */
	if (to <= at)
		to = at + 1;
	final_schedule(s, from, to, &fin);
	zone_leave(&zs);

	for (size_t i = 0; i < fin.n; i++)
		if (fin.v[i].start <= at && at < fin.v[i].end)
			add_user(out, max, &n, fin.v[i].user);
	for (size_t i = 0; i < s->noverrides; i++)
		if (s->overrides[i].start <= at && at < s->overrides[i].end)
			add_user(out, max, &n, s->overrides[i].user);
	free(fin.v);
	return n;
}

int oncall_blocks(const struct oncall_schedule *s, int64_t from, int64_t to,
	struct oncall_block **out, size_t *n)
{
	struct zone_saved zs;
	struct blocks fin = {0};

	*out = NULL;
	*n = 0;
	if (zone_enter(s->time_zone, &zs) < 0)
		return -1;
	if (from < to)
		final_schedule(s, from, to, &fin);
	zone_leave(&zs);
	*out = fin.v ? fin.v : xcalloc(1, sizeof(**out));
	*n = fin.n;
	return 0;
}
