/* arena.c: bump allocator in chunks with cleanup callbacks, reset between requests and jobs. */
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "wrapper.h"

#define ARENA_DEFAULT_CHUNK (16 * 1024)
#define ARENA_ALIGN alignof(max_align_t)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size; /* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *arg;
};

void arena_init(struct arena *a, size_t chunk_size)
{
	a->head = NULL;
	a->cleanups = NULL;
	a->chunk_size = chunk_size ? chunk_size : ARENA_DEFAULT_CHUNK;
}

static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c)) {
		fprintf(stderr, "arena: allocation of %zu bytes overflows\n", size);
		abort();
	}
	c = xmalloc(sizeof(*c) + size);
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	if (n > SIZE_MAX - ARENA_ALIGN) {
		fprintf(stderr, "arena: allocation of %zu bytes overflows\n", n);
		abort();
	}
	n = n ? (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1) : ARENA_ALIGN;
	if (c && c->size - c->used >= n) {
		p = c->data + c->used;
		c->used += n;
		return p;
	}
	if (n > a->chunk_size / 4) {
		/* Large: a dedicated chunk behind the current one, which keeps its free space. */
		struct arena_chunk *big = chunk_new(n);

		big->used = n;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			a->head = big;
		}
		return big->data;
	}
	c = chunk_new(a->chunk_size);
	c->next = a->head;
	a->head = c;
	c->used = n;
	return c->data;
}

void *arena_calloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);

	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = arena_alloc(a, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "arena_printf: bad format\n");
		abort();
	}
	p = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof(tmp)) {
		memcpy(p, tmp, (size_t)n + 1);
		return p;
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_on_reset(struct arena *a, void (*fn)(void *), void *arg)
{
	struct arena_cleanup *cl = arena_alloc(a, sizeof(*cl));

	cl->fn = fn;
	cl->arg = arg;
	cl->next = a->cleanups;
	a->cleanups = cl;
}

/* Runs cleanups newest first; a cleanup may register another, which also runs. */
static void run_cleanups(struct arena *a)
{
	struct arena_cleanup *cl;

	while ((cl = a->cleanups) != NULL) {
		a->cleanups = cl->next;
		cl->fn(cl->arg);
	}
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next, *first = NULL;

	run_cleanups(a);
	for (c = a->head; c; c = next) {
		next = c->next;
		if (!next && c->size == a->chunk_size)
			first = c;
		else
			free(c);
	}
	if (first)
		first->used = 0;
	a->head = first;
}

void arena_release(struct arena *a)
{
	struct arena_chunk *c, *next;

	run_cleanups(a);
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}
