/* ratelimit.c: a fixed-size open-addressing table of token buckets behind one robust,
 * process-shared mutex; a child killed while holding it does not wedge the pool. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "ratelimit.h"

#define PROBES 16

struct bucket {
	uint64_t key;     /* 0 = free */
	double tokens;
	double rate;      /* tokens per second */
	double burst;     /* capacity */
	int64_t last_ms;  /* last refill */
};

struct ratelimit {
	pthread_mutex_t lock;
	size_t nslots;
	size_t map_len;
	struct bucket slots[];
};

struct ratelimit *ratelimit_new(size_t nslots)
{
	size_t len = sizeof(struct ratelimit) + nslots * sizeof(struct bucket);
	struct ratelimit *rl = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		-1, 0);
	pthread_mutexattr_t attr;

	if (rl == MAP_FAILED)
		return NULL;
	memset(rl, 0, len);
	rl->nslots = nslots;
	rl->map_len = len;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	int rc = pthread_mutex_init(&rl->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc) {
		munmap(rl, len);
		return NULL;
	}
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (rl) {
		pthread_mutex_destroy(&rl->lock);
		munmap(rl, rl->map_len);
	}
}

static void lock(struct ratelimit *rl)
{
	if (pthread_mutex_lock(&rl->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&rl->lock);
}

/* The bucket of key, or a free / least recently used slot reinitialised for it. */
static struct bucket *find(struct ratelimit *rl, uint64_t key, double rate, double burst,
	int64_t now_ms)
{
	key = key ? key : 1;
	struct bucket *victim = NULL;
	for (size_t i = 0; i < PROBES; i++) {
		struct bucket *b = &rl->slots[(key + i) % rl->nslots];
		if (b->key == key)
			return b;
		if (!victim || (victim->key && (!b->key || b->last_ms < victim->last_ms)))
			victim = b;
	}
	*victim = (struct bucket){ key, burst, rate, burst, now_ms };
	return victim;
}

int ratelimit_take(struct ratelimit *rl, uint64_t key, double cost, double rate, double burst,
	int64_t now_ms, int *retry_after)
{
	int rc = 0;

	lock(rl);
	struct bucket *b = find(rl, key, rate, burst, now_ms);
	if (now_ms > b->last_ms) {
		b->tokens = fmin(b->burst, b->tokens + (double)(now_ms - b->last_ms) * b->rate / 1000.0);
		b->last_ms = now_ms;
	}
	if (b->tokens >= cost) {
		b->tokens -= cost;
	} else {
		double wait = ceil((cost - b->tokens) / b->rate);
		*retry_after = wait < 1 ? 1 : (int)wait;
		rc = -1;
	}
	pthread_mutex_unlock(&rl->lock);
	return rc;
}

void ratelimit_configure(struct ratelimit *rl, uint64_t key, double rate, double burst)
{
	lock(rl);
	for (size_t i = 0; i < PROBES; i++) {
		struct bucket *b = &rl->slots[((key ? key : 1) + i) % rl->nslots];
		if (b->key == (key ? key : 1)) {
			b->rate = rate;
			b->burst = burst;
			b->tokens = fmin(b->tokens, burst);
			break;
		}
	}
	pthread_mutex_unlock(&rl->lock);
}
