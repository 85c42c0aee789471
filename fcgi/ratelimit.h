/* ratelimit.h: token buckets in memory shared by every process of the pool. */
#ifndef OK_RATELIMIT_H
#define OK_RATELIMIT_H

#include <stdint.h>
#include <stddef.h>

struct ratelimit;

/* Maps a shared table of nslots buckets (call in the master before fork). Returns NULL when
 * the mapping or the process-shared mutex cannot be created. */
struct ratelimit *ratelimit_new(size_t nslots);
void ratelimit_free(struct ratelimit *rl);

/*
 * Takes cost tokens from key's bucket (a batch of alerts costs one each), creating it full with
 * (rate, burst) when unseen. Returns 0 when allowed; -1 when the bucket holds fewer, with
 * *retry_after = seconds until they are back (>= 1; nothing is taken). now_ms is a monotonic
 * clock reading.
 */
int ratelimit_take(struct ratelimit *rl, uint64_t key, double cost, double rate, double burst,
	int64_t now_ms, int *retry_after);
/* Sets key's own (rate, burst), learned from the database; the bucket is clamped to burst. */
void ratelimit_configure(struct ratelimit *rl, uint64_t key, double rate, double burst);

#endif
