/* schedule.h: loading an on-call schedule from PostgreSQL into struct oncall_schedule. */
#ifndef OK_SCHEDULE_H
#define OK_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "oncall.h"

struct db;
struct db_error;
struct arena;
struct json_object;

/* Pass as `at_ms` to use the database's clock (ok_now(), DESIGN decision 8). */
#define SCHEDULE_NOW INT64_MIN

struct schedule_user {
	const char *id;
	const char *name;
	const char *email;
};

struct schedule {
	const char *id;
	const char *name;
	int64_t at_ms;		   /* the instant asked about (Unix milliseconds) */
	struct oncall_schedule oc; /* layers with ACTIVE users in position order; overrides of
				    * ACTIVE users overlapping the window, in start order */
	const struct schedule_user *users; /* every ACTIVE user of a layer or a loaded override */
	size_t nusers;
};

/*
 * Loads schedule id (UUID text) in one statement: its layers, restrictions and ACTIVE users,
 * and the overrides of ACTIVE users overlapping [from, to) (Unix seconds), into arena a (the
 * schedule's strings included). Returns 0 and fills out, 1 when no schedule has that id
 * (out is zeroed), or -1 with err filled.
 */
int schedule_load(struct db *db, struct arena *a, const char *id, int64_t from, int64_t to,
	struct oncall_schedule *out, struct db_error *err) __attribute__((warn_unused_result));

/*
 * Like schedule_load, for rendering: at is at_ms (Unix milliseconds) or, for SCHEDULE_NOW,
 * the database's now; the overrides loaded overlap [at - before, at + after) (seconds); out
 * also gets the schedule's name, the instant used and the loaded users' names and e-mails.
 * Same return convention.
 */
int schedule_load_view(struct db *db, struct arena *a, const char *id, int64_t at_ms,
	int64_t before, int64_t after, struct schedule *out, struct db_error *err)
	__attribute__((warn_unused_result));

/* The ids of at most max schedules, by name (arena copies) in *ids. Returns how many, or -1
 * with err filled. */
int schedule_list(struct db *db, struct arena *a, int max, const char ***ids,
	struct db_error *err) __attribute__((warn_unused_result));
/* The loaded user with that id, or NULL. */
const struct schedule_user *schedule_user(const struct schedule *s, const char *id);

/*
 * Reads a layer's restrictions object ({"daysOfWeek":[0..6 or "MON"…],"startHour":9,
 * "endHour":17}, snake_case spellings too; borrowed). Sets *has to 0 when there is no
 * restriction (NULL, not an object, or no known field). An empty daysOfWeek means every day;
 * a missing startHour is 0 and a missing endHour is 0 (so {"startHour":22} is 22 → midnight).
 */
void schedule_parse_restriction(
	const struct json_object *o, struct oncall_restriction *r, int *has);

#endif
