/* breaker.c: per-destination circuit breakers kept in a small array of failing destinations. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breaker.h"
#include "wrapper.h"

struct entry {
	char *key;
	unsigned failures;  /* consecutive */
	int open;	    /* the threshold was reached */
	int64_t open_until; /* refused before this time */
	int probing;	    /* a half-open probe is out */
	int64_t probe_at;   /* when it left */
};

struct breaker {
	unsigned threshold;
	int64_t open_ms;
	struct entry *v;
	size_t n, alloc;
};

struct breaker *breaker_new(unsigned threshold, int64_t open_ms)
{
	struct breaker *b = xcalloc(1, sizeof(*b));

	b->threshold = threshold ? threshold : 1;
	b->open_ms = open_ms > 0 ? open_ms : 0;
	return b;
}

void breaker_free(struct breaker *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		free(b->v[i].key);
	free(b->v);
	free(b);
}

static struct entry *find(const struct breaker *b, const char *key)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].key, key))
			return &b->v[i];
	return NULL;
}

static const char *default_port(const char *scheme)
{
	static const struct {
		const char *scheme, *port;
	} ports[] = {
		{"http", "80"},
		{"https", "443"},
		{"smtp", "25"},
		{"smtps", "465"},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ports); i++)
		if (!strcmp(scheme, ports[i].scheme))
			return ports[i].port;
	return "0";
}

int breaker_key(const char *url, char *out, size_t n)
{
	char scheme[16], host[256], port[8] = "";
	const char *p = url, *sep, *end, *at, *h, *hend;
	size_t i, len;

	if (n)
		out[0] = '\0';
	if (!url || !(sep = strstr(url, "://")) || sep == url ||
		(size_t)(sep - url) >= sizeof(scheme))
		return -1;
	for (i = 0; p < sep; p++, i++)
		scheme[i] = (char)tolower((unsigned char)*p);
	scheme[i] = '\0';
	h = sep + 3;
	end = h + strcspn(h, "/?#");
	/* drop userinfo: the last '@' before the path */
	for (at = end; at > h && at[-1] != '@'; at--)
		;
	if (at > h)
		h = at;
	if (*h == '[') { /* IPv6 literal */
		hend = memchr(h, ']', (size_t)(end - h));
		if (!hend)
			return -1;
		hend++;
	} else {
		hend = memchr(h, ':', (size_t)(end - h));
		if (!hend)
			hend = end;
	}
	len = (size_t)(hend - h);
	if (len == 0 || len >= sizeof(host))
		return -1;
	for (i = 0; i < len; i++)
		host[i] = (char)tolower((unsigned char)h[i]);
	host[len] = '\0';
	if (hend < end && *hend == ':') {
		len = (size_t)(end - hend - 1);
		if (len >= sizeof(port))
			return -1;
		memcpy(port, hend + 1, len);
		port[len] = '\0';
	}
	if (!port[0])
		snprintf(port, sizeof(port), "%s", default_port(scheme));
	if ((size_t)snprintf(out, n, "%s://%s:%s", scheme, host, port) >= n) {
		if (n)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

enum breaker_state breaker_state(const struct breaker *b, const char *key, int64_t now_ms)
{
	const struct entry *e = find(b, key);

	if (!e || !e->open)
		return BREAKER_CLOSED;
	return now_ms < e->open_until ? BREAKER_OPEN : BREAKER_HALF_OPEN;
}

int breaker_allow(struct breaker *b, const char *key, int64_t now_ms)
{
	struct entry *e = find(b, key);

	if (!e || !e->open)
		return 1;
	if (now_ms < e->open_until)
		return 0;
	if (e->probing && now_ms < e->probe_at + b->open_ms)
		return 0; /* a probe is out and has not reported yet */
	e->probing = 1;
	e->probe_at = now_ms;
	return 1;
}

void breaker_success(struct breaker *b, const char *key)
{
	struct entry *e = find(b, key);

	if (!e)
		return;
	free(e->key);
	*e = b->v[--b->n];
}

void breaker_failure(struct breaker *b, const char *key, int64_t now_ms)
{
	struct entry *e = find(b, key);

	if (!e) {
		if (b->n == b->alloc) {
			b->alloc = b->alloc ? 2 * b->alloc : 8;
			b->v = xrealloc(b->v, b->alloc * sizeof(*b->v));
		}
		e = &b->v[b->n++];
		memset(e, 0, sizeof(*e));
		e->key = xstrdup(key);
	}
	e->failures++;
	e->probing = 0;
	if (e->open || e->failures >= b->threshold) { /* a failed probe re-opens at once */
		e->open = 1;
		e->open_until = now_ms + b->open_ms;
	}
}

size_t breaker_count(const struct breaker *b)
{
	return b->n;
}
