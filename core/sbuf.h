/* sbuf.h: the one growable string buffer (git's strbuf invariants). */
#ifndef OK_SBUF_H
#define OK_SBUF_H

#include <stddef.h>
#include <stdarg.h>

/*
 * Invariants: buf is never NULL; buf[len] == '\0'; the buffer owns its memory (alloc > 0)
 * until sbuf_detach(). A fresh buffer points at the shared empty string and owns nothing.
 */
struct sbuf {
	char *buf;
	size_t len;
	size_t alloc;
};
extern char sbuf_empty[];
/* clang-format off */
#define SBUF_INIT { sbuf_empty, 0, 0 }
/* clang-format on */

void sbuf_init(struct sbuf *sb, size_t hint);
/* Frees the memory and re-initialises sb. */
void sbuf_release(struct sbuf *sb);
/* Ensures room for n more bytes plus the terminator. */
void sbuf_grow(struct sbuf *sb, size_t n);
void sbuf_setlen(struct sbuf *sb, size_t len);
#define sbuf_reset(sb) sbuf_setlen(sb, 0)
void sbuf_add(struct sbuf *sb, const void *data, size_t n);
void sbuf_addstr(struct sbuf *sb, const char *s);
void sbuf_addch(struct sbuf *sb, int c);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal, quotes included; s is UTF-8 of length n. Quote, backslash,
 * \n, \r, \t are escaped as such, other control characters as \u00XX, and a byte that is not
 * part of valid UTF-8 as \ufffd, so the output is always valid JSON. */
void sbuf_add_json_str(struct sbuf *sb, const char *s, size_t n);
/* Returns the string (caller owns it, never NULL) and re-initialises sb; *len may be NULL. */
char *sbuf_detach(struct sbuf *sb, size_t *len);

#endif
