/* arena.h: per-request / per-job bump allocator with cleanup callbacks (nginx pools). */
#ifndef OK_ARENA_H
#define OK_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena_cleanup;

struct arena {
	struct arena_chunk *head;      /* current chunk; older chunks follow */
	struct arena_cleanup *cleanups; /* run in reverse order of registration */
	size_t chunk_size;
};

/* Initialises an empty arena; chunk_size 0 picks the default (16 KiB). Allocates nothing. */
void arena_init(struct arena *a, size_t chunk_size);
/* Allocates n bytes aligned for any type; never returns NULL; memory lives until reset. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Registers fn(arg) to run at the next reset/release (for json roots, PGresult copies, ...). */
void arena_on_reset(struct arena *a, void (*fn)(void *), void *arg);
/* Runs the cleanups, then frees all chunks but the first, which is kept for reuse. */
void arena_reset(struct arena *a);
/* Runs the cleanups and frees everything. */
void arena_release(struct arena *a);

#endif
