/* sbuf.c: the growable string buffer; buf is never NULL and always NUL-terminated. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "wrapper.h"

char sbuf_empty[1];

void sbuf_init(struct sbuf *sb, size_t hint)
{
	sb->buf = sbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	if (hint)
		sbuf_grow(sb, hint);
}

void sbuf_release(struct sbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sbuf_init(sb, 0);
}

void sbuf_grow(struct sbuf *sb, size_t n)
{
	size_t need, nalloc;

	if (n > SIZE_MAX - sb->len - 1) {
		fprintf(stderr, "sbuf_grow: size overflow\n");
		abort();
	}
	need = sb->len + n + 1;
	if (need <= sb->alloc)
		return;
	nalloc = sb->alloc < 32 ? 64 : sb->alloc;
	while (nalloc < need)
		nalloc = nalloc > SIZE_MAX / 2 ? need : nalloc * 2;
	if (sb->alloc) {
		sb->buf = xrealloc(sb->buf, nalloc);
	} else {
		sb->buf = xmalloc(nalloc);
		sb->buf[0] = '\0';
	}
	sb->alloc = nalloc;
}

void sbuf_setlen(struct sbuf *sb, size_t len)
{
	if (!sb->alloc) {
		if (len) {
			fprintf(stderr, "sbuf_setlen: %zu beyond an empty buffer\n", len);
			abort();
		}
		return;
	}
	if (len >= sb->alloc) {
		fprintf(stderr, "sbuf_setlen: %zu beyond allocation %zu\n", len, sb->alloc);
		abort();
	}
	sb->len = len;
	sb->buf[len] = '\0';
}

void sbuf_add(struct sbuf *sb, const void *data, size_t n)
{
	if (!n)
		return;
	sbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_addstr(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void sbuf_addch(struct sbuf *sb, int c)
{
	sbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void sbuf_vaddf(struct sbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	sbuf_grow(sb, 64);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0) {
		fprintf(stderr, "sbuf_vaddf: bad format\n");
		abort();
	}
	if ((size_t)n >= sb->alloc - sb->len) {
		sbuf_grow(sb, (size_t)n);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		(cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void sbuf_add_json_str(struct sbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, seq;

	sbuf_grow(sb, n + 2);
	sbuf_addch(sb, '"');
	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80 && (seq = utf8_seq_len(p + i, n - i)) != 0) {
			i += seq;
			continue;
		}
		sbuf_add(sb, s + run, i - run);
		switch (c) {
		case '"':
			sbuf_add(sb, "\\\"", 2);
			break;
		case '\\':
			sbuf_add(sb, "\\\\", 2);
			break;
		case '\n':
			sbuf_add(sb, "\\n", 2);
			break;
		case '\r':
			sbuf_add(sb, "\\r", 2);
			break;
		case '\t':
			sbuf_add(sb, "\\t", 2);
			break;
		default:
			if (c < 0x20) {
				char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};

				sbuf_add(sb, esc, sizeof(esc));
			} else {
				sbuf_add(sb, "\\ufffd", 6); /* a byte that is not valid UTF-8 */
			}
			break;
		}
		i++;
		run = i;
	}
	sbuf_add(sb, s + run, i - run);
	sbuf_addch(sb, '"');
}

char *sbuf_detach(struct sbuf *sb, size_t *len)
{
	char *res;

	if (len)
		*len = sb->len;
	res = sb->alloc ? sb->buf : xstrdup("");
	sbuf_init(sb, 0);
	return res;
}
