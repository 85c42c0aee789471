/* wrapper.h: allocation that never returns NULL (aborts on OOM) and small string helpers. */
#ifndef OK_WRAPPER_H
#define OK_WRAPPER_H

#include <stddef.h>

/* Each aborts the process with a message on stderr when memory is exhausted. */
void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t nmemb, size_t size) __attribute__((malloc, returns_nonnull));
void *xrealloc(void *p, size_t n) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));

/* Case-insensitive prefix test: returns a pointer just past the prefix in s, or NULL. */
const char *skip_prefix_ci(const char *s, const char *prefix);

/* 1 when s equals one of the strings of list (NULL-terminated), else 0. */
int str_in_list(const char *s, const char *const *list);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
