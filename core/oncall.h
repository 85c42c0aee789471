/* oncall.h: who is on call at an instant, from layers, restrictions and overrides (spec §8.2).
 * Pure: the caller loads the schedule (core/schedule.c) and owns every string. */
#ifndef OK_ONCALL_H
#define OK_ONCALL_H

#include <stddef.h>
#include <stdint.h>

/* Times are Unix seconds (UTC). */

struct oncall_restriction {
	unsigned days_mask; /* bit d allows weekday d (0 = Sunday … 6 = Saturday); 0 = every day */
	int start_hour;     /* 0..23, -1 = no hour restriction */
	int end_hour;       /* 0..23; start > end is an overnight range (22 → 6) */
};

struct oncall_layer {
	const char *id;
	int64_t start;
	int64_t end;               /* 0 = open-ended */
	int rotation_hours;        /* > 0; a multiple of 24 rotates by calendar days in the zone */
	int shift_hours;           /* 0 = rotation_hours; shorter leaves gaps */
	int priority;              /* higher wins */
	int has_restriction;
	struct oncall_restriction restriction;
	const char *const *users;  /* ACTIVE users in position order */
	size_t nusers;
};

struct oncall_override {
	const char *user;
	const char *replaces;      /* NULL: replaces everyone during [start, end) */
	int64_t start, end;
};

struct oncall_schedule {
	const char *time_zone;     /* IANA name, e.g. "Europe/London" */
	const struct oncall_layer *layers;
	size_t nlayers;
	const struct oncall_override *overrides; /* active ones, in start order */
	size_t noverrides;
};

struct oncall_block {
	const char *user;          /* borrowed from the schedule */
	const char *layer_id;      /* NULL for an override block */
	int64_t start, end;
	int priority;
	int is_override;
};

/* 1 when tz names a zone of the system's tz database. */
int oncall_zone_valid(const char *tz);

/*
 * The users on call at `at`: users of the winning blocks covering `at` (highest priority;
 * overrides beat layers; ties go to the lexicographically smallest layer id) plus every
 * override user active at `at`. Writes at most max borrowed user ids into out, without
 * duplicates, and returns how many; returns -1 when the schedule's zone is unknown.
 */
int oncall_resolve(const struct oncall_schedule *s, int64_t at, const char **out, size_t max);

/*
 * The final schedule over [from, to): winner blocks after priority resolution, in time order,
 * adjacent pieces of one user merged. Returns 0 and a malloc'ed array the caller frees, or -1
 * when the zone is unknown.
 */
int oncall_blocks(const struct oncall_schedule *s, int64_t from, int64_t to,
	struct oncall_block **out, size_t *n);

#endif
