/* breaker.h: per-destination circuit breaker (closed → open for T → half-open probe). Pure. */
#ifndef OK_BREAKER_H
#define OK_BREAKER_H

#include <stddef.h>
#include <stdint.h>

struct breaker;

enum breaker_state {
	BREAKER_CLOSED,	   /* requests flow */
	BREAKER_OPEN,	   /* refused until the open period ends */
	BREAKER_HALF_OPEN, /* the open period ended: one probe may go */
};

/* Longest key breaker_key writes, terminator included. */
#define BREAKER_KEY_MAX 300

/*
 * A breaker that opens after `threshold` consecutive failures of one destination and stays
 * open for `open_ms`; then one probe is let through (half-open): its success closes the
 * circuit, its failure opens it for another open_ms. A probe that never reports back is
 * replaced after open_ms. Times are caller-supplied milliseconds (any monotonic clock).
 * The spec's figures: e-mail 5 failures / 60 s, SMS 3 / 30 s, webhooks per URL.
 * Memory: one entry per destination that is currently failing; a success removes it.
 */
struct breaker *breaker_new(unsigned threshold, int64_t open_ms);
void breaker_free(struct breaker *b);

/*
 * Writes the destination key of url, "scheme://host:port" lower-cased with the scheme's
 * default port made explicit (http 80, https 443, smtp 25, smtps 465), into out[n].
 * Returns 0, or -1 when url has no scheme or host or the key does not fit (out is then "").
 */
int breaker_key(const char *url, char *out, size_t n);

/* 1 when a request to key may go now (closed, or the single half-open probe), else 0. */
int breaker_allow(struct breaker *b, const char *key, int64_t now_ms);
/* Records a delivery that reached the destination: the circuit closes, the entry is dropped. */
void breaker_success(struct breaker *b, const char *key);
/* Records a failure (timeout, network, 5xx, 429) that happened at now_ms. */
void breaker_failure(struct breaker *b, const char *key, int64_t now_ms);
/* The state of key at now_ms, without side effects. */
enum breaker_state breaker_state(const struct breaker *b, const char *key, int64_t now_ms);
/* Number of destinations with recorded failures (for tests and metrics). */
size_t breaker_count(const struct breaker *b);

#endif
