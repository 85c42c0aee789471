/* test_oncall.c: on-call arithmetic (spec §8.2) against hand-computed hand-overs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"
#include "oncall.h"

#define H 3600
#define D 86400

static const char *const ABC[] = {"A", "B", "C"};
static const char *const AB[] = {"A", "B"};
static const char *const ONLY_A[] = {"A"};
static const char *const ONLY_H[] = {"H"};
static const char *const ONLY_L[] = {"L"};

/* Unix seconds of a UTC wall-clock time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

static struct oncall_layer layer(
	const char *id, int64_t start, int rotation, const char *const *users, size_t n)
{
	struct oncall_layer l = {0};
	l.id = id;
	l.start = start;
	l.rotation_hours = rotation;
	l.users = users;
	l.nusers = n;
	l.restriction.start_hour = -1;
	return l;
}

static struct oncall_schedule sched(const char *tz, const struct oncall_layer *layers, size_t nl,
	const struct oncall_override *ov, size_t no)
{
	struct oncall_schedule s = {tz, layers, nl, ov, no};
	return s;
}

/* The users on call at `at`, comma-separated in result order ("" = nobody). */
static const char *who(const struct oncall_schedule *s, int64_t at)
{
	static char buf[256];
	const char *out[8];
	int n = oncall_resolve(s, at, out, 8);

	ck_assert_int_ge(n, 0);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, out[i]);
	}
	return buf;
}

static void fmt_time(char *buf, size_t size, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%m-%dT%H:%M", &tm);
}

/* The final schedule over [from, to) as "user/layer start-end;…" with UTC times
 * ("*" for an override's layer). */
static const char *plan(const struct oncall_schedule *s, int64_t from, int64_t to)
{
	static char buf[2048];
	struct oncall_block *b;
	size_t n;

	ck_assert_int_eq(oncall_blocks(s, from, to, &b, &n), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char a[32], z[32], one[128];
		fmt_time(a, sizeof(a), b[i].start);
		fmt_time(z, sizeof(z), b[i].end);
		ck_assert_int_eq(b[i].is_override, b[i].layer_id == NULL);
		snprintf(one, sizeof(one), "%s%s/%s %s-%s", i ? ";" : "", b[i].user,
			b[i].layer_id ? b[i].layer_id : "*", a, z);
		strcat(buf, one);
	}
	free(b);
	return buf;
}

/* ---- rotations ------------------------------------------------------------------------------ */

START_TEST(daily_rotation_of_three)
{
	/* blocks of 24 h from Mon 2024-01-01 00:00Z: A, B, C, A, … */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ABC, 3);
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2023, 12, 31, 23, 59)), ""); /* before the layer starts */
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 0, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 12, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 23, 59) + 59), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 0, 0)), "B"); /* hand-over instant */
	ck_assert_str_eq(who(&s, utc(2024, 1, 3, 10, 0)), "C");
	ck_assert_str_eq(who(&s, utc(2024, 1, 4, 0, 0)), "A");
	/* 2024-03-01 is day 31 + 29 = 60 of the rotation: 60 mod 3 = 0 */
	ck_assert_str_eq(who(&s, utc(2024, 3, 1, 5, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 3, 2, 5, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 12, 0), utc(2024, 1, 3, 12, 0)),
		"A/L1 01-01T12:00-01-02T00:00;B/L1 01-02T00:00-01-03T00:00;"
		"C/L1 01-03T00:00-01-03T12:00");
}
END_TEST

START_TEST(weekly_rotation)
{
	/* 168 h from Mon 2024-01-01 09:00Z: A, B, A */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 9, 0), 168, AB, 2);
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 5, 12, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 8, 8, 59)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 8, 9, 0)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 15, 8, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 15, 9, 0)), "A");
	/* week 52 from the start (2024-12-30 09:00Z) is A again: 52 mod 2 = 0 */
	ck_assert_str_eq(who(&s, utc(2024, 12, 30, 9, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 12, 30, 8, 59)), "B");
}
END_TEST

START_TEST(weekly_rotation_keeps_local_time_across_dst)
{
	/* Europe/London, 168 h = 7 calendar days from Mon 2024-03-25 09:00 GMT (09:00Z); the
	 * next hand-over is Mon 2024-04-01 09:00 BST = 08:00Z */
	struct oncall_layer l = layer("L1", utc(2024, 3, 25, 9, 0), 168, AB, 2);
	struct oncall_schedule s = sched("Europe/London", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 4, 1, 7, 59)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 4, 1, 8, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 3, 25, 0, 0), utc(2024, 4, 9, 0, 0)),
		"A/L1 03-25T09:00-04-01T08:00;B/L1 04-01T08:00-04-08T08:00;"
		"A/L1 04-08T08:00-04-09T00:00");
}
END_TEST

START_TEST(twelve_hour_rotation_is_pure_seconds)
{
	/* America/New_York, 12 h from Sat 2024-03-09 08:00 EST (13:00Z): hand-overs every 12 h of
	 * real time, so after the spring-forward they fall at 09:00/21:00 EDT */
	struct oncall_layer l = layer("L1", utc(2024, 3, 9, 13, 0), 12, AB, 2);
	struct oncall_schedule s = sched("America/New_York", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 0, 59)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 1, 0)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 12, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 13, 0)), "A"); /* 09:00 EDT */
	ck_assert_str_eq(plan(&s, utc(2024, 3, 10, 0, 0), utc(2024, 3, 11, 0, 0)),
		"A/L1 03-10T00:00-03-10T01:00;B/L1 03-10T01:00-03-10T13:00;"
		"A/L1 03-10T13:00-03-11T00:00");
}
END_TEST

START_TEST(shift_shorter_than_rotation_leaves_gaps)
{
	/* 8 h shift in a 24 h rotation: A 00–08 on Jan 1, B 00–08 on Jan 2, nobody otherwise */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, AB, 2);
	l.shift_hours = 8;
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 7, 59)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 8, 0)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 23, 0)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 3, 0)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 9, 0)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 3, 0, 0)), "A");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 3, 0, 0)),
		"A/L1 01-01T00:00-01-01T08:00;B/L1 01-02T00:00-01-02T08:00");
}
END_TEST

START_TEST(layer_end_clamps)
{
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, AB, 2);
	l.end = utc(2024, 1, 2, 12, 0);
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 11, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 12, 0)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 3, 1, 0)), "");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 5, 0, 0)),
		"A/L1 01-01T00:00-01-02T00:00;B/L1 01-02T00:00-01-02T12:00");
}
END_TEST

START_TEST(empty_layer_and_long_shift)
{
	struct oncall_layer ls[2] = {
		layer("L0", utc(2024, 1, 1, 0, 0), 24, ABC, 0),
		/* 12 h rotation, 36 h shifts: blocks overlap; the earlier-started one keeps the
		 * segment (same layer, same priority) */
		layer("L1", utc(2024, 1, 1, 0, 0), 12, ABC, 3),
	};
	ls[1].shift_hours = 36;
	struct oncall_schedule s = sched("UTC", ls, 2, NULL, 0);

	/* at Jan 2 13:00 the blocks k=1 (12:00 Jan 1 – 00:00 Jan 3, B), k=2 (C) and k=3 (A)
	 * cover it; k=1 started first */
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 13, 0)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 3, 0, 0)), "C");
}
END_TEST

/* ---- restrictions ------------------------------------------------------------------------- */

START_TEST(restriction_weekdays)
{
	/* 2024-01-01 is a Monday; Mon–Fri = bits 1..5 */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 168, ONLY_A, 1);
	l.has_restriction = 1;
	l.restriction.days_mask = 0x3e;
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 5, 23, 59)), "A"); /* Friday */
	ck_assert_str_eq(who(&s, utc(2024, 1, 6, 0, 0)), "");	 /* Saturday */
	ck_assert_str_eq(who(&s, utc(2024, 1, 7, 12, 0)), "");	 /* Sunday */
	ck_assert_str_eq(who(&s, utc(2024, 1, 8, 0, 0)), "A");	 /* Monday */
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 15, 0, 0)),
		"A/L1 01-01T00:00-01-06T00:00;A/L1 01-08T00:00-01-13T00:00");
}
END_TEST

START_TEST(restriction_business_hours)
{
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, AB, 2);
	l.has_restriction = 1;
	l.restriction.start_hour = 9;
	l.restriction.end_hour = 17;
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 8, 59)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 9, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 16, 59)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 17, 0)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 10, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 3, 0, 0)),
		"A/L1 01-01T09:00-01-01T17:00;B/L1 01-02T09:00-01-02T17:00");
	/* a window starting mid-hour clips the first piece */
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 10, 30), utc(2024, 1, 1, 16, 15)),
		"A/L1 01-01T10:30-01-01T16:15");
}
END_TEST

START_TEST(restriction_overnight_previous_day)
{
	/* 22 → 6 on Mondays only: the night Mon 22:00 – Tue 06:00 (Tue 00–06 counts as Monday),
	 * and Mon 00–06 belongs to Sunday's night so is not allowed */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 168, ONLY_A, 1);
	l.has_restriction = 1;
	l.restriction.days_mask = 1u << 1;
	l.restriction.start_hour = 22;
	l.restriction.end_hour = 6;
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 3, 0)), "");	/* Mon 03:00: Sunday's night */
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 21, 59)), ""); /* Mon before 22 */
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 22, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 3, 0)), "A"); /* Tue 03:00: Monday's night */
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 6, 0)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 22, 0)), ""); /* Tuesday night */
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 8, 0, 0)),
		"A/L1 01-01T22:00-01-02T06:00");

	/* every day: two pieces per day boundary merge into one night */
	l.restriction.days_mask = 0;
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 3, 0, 0)),
		"A/L1 01-01T00:00-01-01T06:00;A/L1 01-01T22:00-01-02T06:00;"
		"A/L1 01-02T22:00-01-03T00:00");
}
END_TEST

START_TEST(restriction_fractional_zone)
{
	/* Asia/Kolkata (+05:30): 09–17 IST is 03:30–11:30Z; layer from 2024-01-01 00:00 IST */
	struct oncall_layer l = layer("L1", utc(2023, 12, 31, 18, 30), 24, AB, 2);
	l.has_restriction = 1;
	l.restriction.start_hour = 9;
	l.restriction.end_hour = 17;
	struct oncall_schedule s = sched("Asia/Kolkata", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 3, 29)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 3, 30)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 11, 29)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 11, 30)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 4, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 3, 0, 0)),
		"A/L1 01-01T03:30-01-01T11:30;B/L1 01-02T03:30-01-02T11:30");
	/* the weekday is the local one: Sat 2024-01-06 00:30 IST is Fri 19:00Z */
	l.restriction.start_hour = -1;
	l.restriction.days_mask = 1u << 6;
	ck_assert_str_eq(who(&s, utc(2024, 1, 5, 18, 29)), "");
	ck_assert_str_eq(who(&s, utc(2024, 1, 5, 18, 30)), "B"); /* k = 5 */
	ck_assert_str_eq(who(&s, utc(2024, 1, 6, 18, 29)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 6, 18, 30)), "");
}
END_TEST

/* ---- overrides --------------------------------------------------------------------------------
 */

START_TEST(override_replacing_a_user)
{
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ABC, 3);
	struct oncall_override o = {"X", "B", utc(2024, 1, 2, 10, 0), utc(2024, 1, 2, 14, 0)};
	struct oncall_schedule s = sched("UTC", &l, 1, &o, 1);

	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 9, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 10, 0)), "X");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 13, 59)), "X");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 14, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 2, 0, 0), utc(2024, 1, 3, 0, 0)),
		"B/L1 01-02T00:00-01-02T10:00;X/* 01-02T10:00-01-02T14:00;"
		"B/L1 01-02T14:00-01-03T00:00");
}
END_TEST

START_TEST(override_replacing_someone_off_call)
{
	/* X replaces A while B is on call: no block changes hands, but X, an override user
	 * active at that instant, is on call too */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ABC, 3);
	struct oncall_override o = {"X", "A", utc(2024, 1, 2, 10, 0), utc(2024, 1, 2, 14, 0)};
	struct oncall_schedule s = sched("UTC", &l, 1, &o, 1);

	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 12, 0)), "B,X");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 2, 0, 0), utc(2024, 1, 3, 0, 0)),
		"B/L1 01-02T00:00-01-03T00:00");
}
END_TEST

START_TEST(override_without_replaces)
{
	/* Y holds 20:00 Jan 1 – 04:00 Jan 2 across A's and B's blocks */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ABC, 3);
	struct oncall_override o = {"Y", NULL, utc(2024, 1, 1, 20, 0), utc(2024, 1, 2, 4, 0)};
	struct oncall_schedule s = sched("UTC", &l, 1, &o, 1);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 19, 59)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 22, 0)), "Y");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 1, 0)), "Y");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 4, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 3, 0, 0)),
		"A/L1 01-01T00:00-01-01T20:00;Y/* 01-01T20:00-01-02T04:00;"
		"B/L1 01-02T04:00-01-03T00:00");
}
END_TEST

START_TEST(override_standalone_in_gap)
{
	/* 8 h shifts leave 08:00–24:00 empty; Z without replaces covers 06:00–10:00 */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, AB, 2);
	l.shift_hours = 8;
	struct oncall_override o = {"Z", NULL, utc(2024, 1, 1, 6, 0), utc(2024, 1, 1, 10, 0)};
	struct oncall_schedule s = sched("UTC", &l, 1, &o, 1);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 5, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 7, 0)), "Z");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 9, 0)), "Z");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 10, 0)), "");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 2, 12, 0)),
		"A/L1 01-01T00:00-01-01T06:00;Z/* 01-01T06:00-01-01T10:00;"
		"B/L1 01-02T00:00-01-02T08:00");

	/* a replacing override in a gap creates nothing (but its user is still on call) */
	struct oncall_override r = {"Z", "A", utc(2024, 1, 1, 9, 0), utc(2024, 1, 1, 10, 0)};
	s = sched("UTC", &l, 1, &r, 1);
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 1, 12, 0)),
		"A/L1 01-01T00:00-01-01T08:00");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 9, 30)), "Z");
}
END_TEST

START_TEST(overrides_applied_in_start_order)
{
	/* P (no replaces) 10–14, then Q replacing P 12–13 (listed first: order is by start),
	 * then R (no replaces) 13:30–15 taking over P's and A's portions */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ONLY_A, 1);
	struct oncall_override o[] = {
		{"Q", "P", utc(2024, 1, 1, 12, 0), utc(2024, 1, 1, 13, 0)},
		{"P", NULL, utc(2024, 1, 1, 10, 0), utc(2024, 1, 1, 14, 0)},
		{"R", NULL, utc(2024, 1, 1, 13, 30), utc(2024, 1, 1, 15, 0)},
	};
	struct oncall_schedule s = sched("UTC", &l, 1, o, 3);

	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 9, 0), utc(2024, 1, 1, 16, 0)),
		"A/L1 01-01T09:00-01-01T10:00;P/* 01-01T10:00-01-01T12:00;"
		"Q/* 01-01T12:00-01-01T13:00;P/* 01-01T13:00-01-01T13:30;"
		"R/* 01-01T13:30-01-01T15:00;A/L1 01-01T15:00-01-01T16:00");
	/* on call: the winners plus every override active at that instant */
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 12, 30)), "Q,P");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 13, 45)), "R,P");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 14, 30)), "R");
}
END_TEST

START_TEST(overlapping_overrides_all_win)
{
	/* two layers hold A and B at once; X replaces A and Y replaces B: both overrides win */
	struct oncall_layer ls[2] = {
		layer("L1", utc(2024, 1, 1, 0, 0), 24, ONLY_A, 1),
		layer("L2", utc(2024, 1, 1, 0, 0), 24, AB + 1, 1),
	};
	struct oncall_override o[] = {
		{"X", "A", utc(2024, 1, 1, 10, 0), utc(2024, 1, 1, 12, 0)},
		{"Y", "B", utc(2024, 1, 1, 11, 0), utc(2024, 1, 1, 13, 0)},
	};
	struct oncall_schedule s = sched("UTC", ls, 2, o, 2);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 9, 0)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 11, 30)), "X,Y");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 12, 30)), "Y");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 9, 0), utc(2024, 1, 1, 14, 0)),
		"A/L1 01-01T09:00-01-01T10:00;X/* 01-01T10:00-01-01T12:00;"
		"Y/* 01-01T11:00-01-01T13:00;A/L1 01-01T13:00-01-01T14:00");
}
END_TEST

/* ---- layers and priorities ------------------------------------------------------------------- */

START_TEST(priorities_and_ties)
{
	/* high (priority 5) has 8 h shifts; low (priority 1) fills the rest */
	struct oncall_layer ls[2] = {
		layer("low", utc(2024, 1, 1, 0, 0), 24, ONLY_L, 1),
		layer("high", utc(2024, 1, 1, 0, 0), 24, ONLY_H, 1),
	};
	ls[0].priority = 1;
	ls[1].priority = 5;
	ls[1].shift_hours = 8;
	struct oncall_schedule s = sched("UTC", ls, 2, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 7, 0)), "H");
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 8, 0)), "L");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 3, 0, 0)),
		"H/high 01-01T00:00-01-01T08:00;L/low 01-01T08:00-01-02T00:00;"
		"H/high 01-02T00:00-01-02T08:00;L/low 01-02T08:00-01-03T00:00");

	/* equal priorities: the lexicographically smaller layer id wins ("high" < "low") */
	ls[0].priority = 5;
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 7, 0)), "H");
	ls[1].id = "zeta";
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 7, 0)), "L");
	ck_assert_str_eq(plan(&s, utc(2024, 1, 1, 0, 0), utc(2024, 1, 3, 0, 0)),
		"L/low 01-01T00:00-01-03T00:00");
}
END_TEST

START_TEST(adjacent_pieces_merge)
{
	/* one user in a daily rotation: one block over three days */
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ONLY_A, 1);
	struct oncall_schedule s = sched("UTC", &l, 1, NULL, 0);
	struct oncall_block *b;
	size_t n;

	ck_assert_int_eq(
		oncall_blocks(&s, utc(2024, 1, 1, 6, 0), utc(2024, 1, 4, 6, 0), &b, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(b[0].user, "A");
	ck_assert_str_eq(b[0].layer_id, "L1");
	ck_assert_int_eq(b[0].start, utc(2024, 1, 1, 6, 0));
	ck_assert_int_eq(b[0].end, utc(2024, 1, 4, 6, 0));
	ck_assert_int_eq(b[0].priority, 0);
	ck_assert_int_eq(b[0].is_override, 0);
	free(b);

	/* an empty window: no blocks, still an array to free */
	ck_assert_int_eq(
		oncall_blocks(&s, utc(2024, 1, 2, 0, 0), utc(2024, 1, 2, 0, 0), &b, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(b);
}
END_TEST

/* ---- DST ----------------------------------------------------------------------------------------
 */

START_TEST(dst_london)
{
	/* 09:00 local daily from Fri 2024-03-29 (GMT, 09:00Z); BST starts Sun 03-31 01:00Z */
	struct oncall_layer l = layer("L1", utc(2024, 3, 29, 9, 0), 24, AB, 2);
	struct oncall_schedule s = sched("Europe/London", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 3, 30, 9, 0)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 3, 31, 7, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 3, 31, 8, 0)), "A"); /* 09:00 BST */
	ck_assert_str_eq(plan(&s, utc(2024, 3, 29, 0, 0), utc(2024, 4, 2, 0, 0)),
		"A/L1 03-29T09:00-03-30T09:00;B/L1 03-30T09:00-03-31T08:00;"
		"A/L1 03-31T08:00-04-01T08:00;B/L1 04-01T08:00-04-02T00:00");

	/* fall-back Sun 2024-10-27 01:00Z: from Fri 10-25 09:00 BST (08:00Z) */
	l.start = utc(2024, 10, 25, 8, 0);
	ck_assert_str_eq(who(&s, utc(2024, 10, 27, 8, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 10, 27, 9, 0)), "A"); /* 09:00 GMT */
	ck_assert_str_eq(plan(&s, utc(2024, 10, 26, 0, 0), utc(2024, 10, 29, 0, 0)),
		"A/L1 10-26T00:00-10-26T08:00;B/L1 10-26T08:00-10-27T09:00;"
		"A/L1 10-27T09:00-10-28T09:00;B/L1 10-28T09:00-10-29T00:00");
}
END_TEST

START_TEST(dst_new_york)
{
	/* 09:00 local daily from Fri 2024-03-08 09:00 EST (14:00Z); EDT from Sun 03-10 07:00Z */
	struct oncall_layer l = layer("L1", utc(2024, 3, 8, 14, 0), 24, AB, 2);
	struct oncall_schedule s = sched("America/New_York", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 12, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 13, 0)), "A"); /* 09:00 EDT */
	ck_assert_str_eq(who(&s, utc(2024, 3, 11, 13, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 3, 9, 0, 0), utc(2024, 3, 12, 0, 0)),
		"A/L1 03-09T00:00-03-09T14:00;B/L1 03-09T14:00-03-10T13:00;"
		"A/L1 03-10T13:00-03-11T13:00;B/L1 03-11T13:00-03-12T00:00");

	/* fall-back Sun 2024-11-03 06:00Z: from Fri 11-01 09:00 EDT (13:00Z) */
	l.start = utc(2024, 11, 1, 13, 0);
	ck_assert_str_eq(who(&s, utc(2024, 11, 3, 13, 59)), "B"); /* 08:59 EST */
	ck_assert_str_eq(who(&s, utc(2024, 11, 3, 14, 0)), "A");  /* 09:00 EST */
	ck_assert_str_eq(who(&s, utc(2024, 11, 2, 13, 0)), "B");
	ck_assert_str_eq(plan(&s, utc(2024, 11, 2, 0, 0), utc(2024, 11, 5, 0, 0)),
		"A/L1 11-02T00:00-11-02T13:00;B/L1 11-02T13:00-11-03T14:00;"
		"A/L1 11-03T14:00-11-04T14:00;B/L1 11-04T14:00-11-05T00:00");
}
END_TEST

START_TEST(dst_handover_in_the_gap_and_the_overlap)
{
	/* 02:30 local daily from Sat 2024-03-09 02:30 EST (07:30Z). On Sun 03-10, 02:30 does
	 * not exist: the hand-over moves forward by the gap to 03:30 EDT (07:30Z); on Mon it is
	 * 02:30 EDT (06:30Z) again. */
	struct oncall_layer l = layer("L1", utc(2024, 3, 9, 7, 30), 24, AB, 2);
	struct oncall_schedule s = sched("America/New_York", &l, 1, NULL, 0);

	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 7, 29)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 3, 10, 7, 30)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 3, 11, 6, 29)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 3, 11, 6, 30)), "A");
	ck_assert_str_eq(plan(&s, utc(2024, 3, 9, 7, 30), utc(2024, 3, 11, 12, 0)),
		"A/L1 03-09T07:30-03-10T07:30;B/L1 03-10T07:30-03-11T06:30;"
		"A/L1 03-11T06:30-03-11T12:00");

	/* 01:30 local daily from Sat 2024-11-02 01:30 EDT (05:30Z). On Sun 11-03, 01:30 happens
	 * twice: the hand-over is the first one (EDT, 05:30Z); Mon 01:30 EST is 06:30Z. */
	l.start = utc(2024, 11, 2, 5, 30);
	ck_assert_str_eq(who(&s, utc(2024, 11, 3, 5, 29)), "A");
	ck_assert_str_eq(who(&s, utc(2024, 11, 3, 5, 30)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 11, 4, 6, 29)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 11, 4, 6, 30)), "A");
}
END_TEST

START_TEST(dst_restriction_hours_are_local)
{
	/* London 09–17 on the spring-forward Sunday: 08:00–16:00Z; the Saturday: 09:00–17:00Z */
	struct oncall_layer l = layer("L1", utc(2024, 3, 29, 0, 0), 24, ONLY_A, 1);
	l.has_restriction = 1;
	l.restriction.start_hour = 9;
	l.restriction.end_hour = 17;
	struct oncall_schedule s = sched("Europe/London", &l, 1, NULL, 0);

	ck_assert_str_eq(plan(&s, utc(2024, 3, 30, 0, 0), utc(2024, 4, 1, 0, 0)),
		"A/L1 03-30T09:00-03-30T17:00;A/L1 03-31T08:00-03-31T16:00");
	/* overnight 22 → 6 across the gap: Sat 22:00 GMT – Sun 06:00 BST = 22:00Z – 05:00Z */
	l.restriction.start_hour = 22;
	l.restriction.end_hour = 6;
	ck_assert_str_eq(plan(&s, utc(2024, 3, 30, 12, 0), utc(2024, 3, 31, 12, 0)),
		"A/L1 03-30T22:00-03-31T05:00");
}
END_TEST

/* ---- zones --------------------------------------------------------------------------------------
 */

START_TEST(unknown_zone)
{
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ABC, 3);
	struct oncall_schedule s = sched("Mars/Olympus_Mons", &l, 1, NULL, 0);
	const char *out[4];
	struct oncall_block *b = (struct oncall_block *)&l;
	size_t n = 7;

	ck_assert_int_eq(oncall_resolve(&s, utc(2024, 1, 1, 0, 0), out, 4), -1);
	ck_assert_int_eq(oncall_blocks(&s, 0, 1, &b, &n), -1);
	ck_assert_ptr_null(b);
	ck_assert_uint_eq(n, 0);
	s.time_zone = NULL;
	ck_assert_int_eq(oncall_resolve(&s, 0, out, 4), -1);

	ck_assert_int_eq(oncall_zone_valid("Europe/London"), 1);
	ck_assert_int_eq(oncall_zone_valid("UTC"), 1);
	ck_assert_int_eq(oncall_zone_valid("Asia/Kolkata"), 1);
	ck_assert_int_eq(oncall_zone_valid("Mars/Olympus_Mons"), 0);
	ck_assert_int_eq(oncall_zone_valid("Europe"), 0);	   /* a directory */
	ck_assert_int_eq(oncall_zone_valid("zone.tab"), 0);	   /* not a TZif file */
	ck_assert_int_eq(oncall_zone_valid("../zoneinfo/UTC"), 0); /* no escaping */
	ck_assert_int_eq(oncall_zone_valid("/etc/localtime"), 0);
	ck_assert_int_eq(oncall_zone_valid("UTC\n"), 0);
	ck_assert_int_eq(oncall_zone_valid(""), 0);
	ck_assert_int_eq(oncall_zone_valid(NULL), 0);
}
END_TEST

START_TEST(tz_is_restored)
{
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ABC, 3);
	struct oncall_schedule s = sched("Asia/Kolkata", &l, 1, NULL, 0);

	/* hand-overs at 05:30 IST = 00:00Z */
	setenv("TZ", "Asia/Tokyo", 1);
	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 23, 59)), "A");
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
	unsetenv("TZ");
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 0, 0)), "B");
	ck_assert_ptr_null(getenv("TZ"));
	/* and the answers do not depend on the process's own zone */
	setenv("TZ", "America/New_York", 1);
	ck_assert_str_eq(who(&s, utc(2024, 1, 2, 23, 59)), "B");
	ck_assert_str_eq(who(&s, utc(2024, 1, 3, 0, 0)), "C");
	unsetenv("TZ");
}
END_TEST

START_TEST(resolve_respects_max)
{
	struct oncall_layer l = layer("L1", utc(2024, 1, 1, 0, 0), 24, ONLY_A, 1);
	struct oncall_override o[] = {
		{"X", "Q", utc(2024, 1, 1, 0, 0), utc(2024, 1, 2, 0, 0)},
		{"Y", "Q", utc(2024, 1, 1, 0, 0), utc(2024, 1, 2, 0, 0)},
		{"X", "R", utc(2024, 1, 1, 0, 0), utc(2024, 1, 2, 0, 0)},
	};
	struct oncall_schedule s = sched("UTC", &l, 1, o, 3);
	const char *out[2];

	ck_assert_str_eq(who(&s, utc(2024, 1, 1, 12, 0)), "A,X,Y"); /* X only once */
	ck_assert_int_eq(oncall_resolve(&s, utc(2024, 1, 1, 12, 0), out, 2), 2);
	ck_assert_str_eq(out[0], "A");
	ck_assert_str_eq(out[1], "X");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("oncall");
	TCase *tc = tcase_create("oncall");
	tcase_add_test(tc, daily_rotation_of_three);
	tcase_add_test(tc, weekly_rotation);
	tcase_add_test(tc, weekly_rotation_keeps_local_time_across_dst);
	tcase_add_test(tc, twelve_hour_rotation_is_pure_seconds);
	tcase_add_test(tc, shift_shorter_than_rotation_leaves_gaps);
	tcase_add_test(tc, layer_end_clamps);
	tcase_add_test(tc, empty_layer_and_long_shift);
	tcase_add_test(tc, restriction_weekdays);
	tcase_add_test(tc, restriction_business_hours);
	tcase_add_test(tc, restriction_overnight_previous_day);
	tcase_add_test(tc, restriction_fractional_zone);
	tcase_add_test(tc, override_replacing_a_user);
	tcase_add_test(tc, override_replacing_someone_off_call);
	tcase_add_test(tc, override_without_replaces);
	tcase_add_test(tc, override_standalone_in_gap);
	tcase_add_test(tc, overrides_applied_in_start_order);
	tcase_add_test(tc, overlapping_overrides_all_win);
	tcase_add_test(tc, priorities_and_ties);
	tcase_add_test(tc, adjacent_pieces_merge);
	tcase_add_test(tc, dst_london);
	tcase_add_test(tc, dst_new_york);
	tcase_add_test(tc, dst_handover_in_the_gap_and_the_overlap);
	tcase_add_test(tc, dst_restriction_hours_are_local);
	tcase_add_test(tc, unknown_zone);
	tcase_add_test(tc, tz_is_restored);
	tcase_add_test(tc, resolve_respects_max);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
