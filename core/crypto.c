/* crypto.c: SHA-256, HMAC, constant-time compare, randomness, hex, UUIDs and base64url. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "crypto.h"

static void crypto_die(const char *what)
{
	fprintf(stderr, "crypto: %s failed\n", what);
	abort();
}

void crypto_sha256(const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	unsigned int len = 0;

	if (!EVP_Digest(n ? data : "", n, out, &len, EVP_sha256(), NULL) || len != SHA256_LEN)
		crypto_die("SHA-256");
}

static void hmac(const EVP_MD *md, const void *key, size_t klen, const void *data, size_t n,
	unsigned char *out, unsigned int want)
{
	unsigned int len = 0;

	if (klen > INT_MAX)
		crypto_die("HMAC key length");
	/* HMAC() is the one-shot interface kept in OpenSSL 3 (only HMAC_CTX is deprecated). */
	if (!HMAC(md, klen ? key : "", (int)klen, n ? data : (const void *)"", n, out, &len) ||
		len != want)
		crypto_die("HMAC");
}

void crypto_hmac_sha256(
	const void *key, size_t klen, const void *data, size_t n, unsigned char out[SHA256_LEN])
{
	hmac(EVP_sha256(), key, klen, data, n, out, SHA256_LEN);
}

void crypto_hmac_sha1(
	const void *key, size_t klen, const void *data, size_t n, unsigned char out[SHA1_LEN])
{
	hmac(EVP_sha1(), key, klen, data, n, out, SHA1_LEN);
}

int crypto_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return 0;
	if (!alen)
		return 1;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

void crypto_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t chunk;

	while (n) {
		chunk = n > INT_MAX ? INT_MAX : n;
		if (RAND_bytes(p, (int)chunk) != 1)
			crypto_die("RAND_bytes");
		p += chunk;
		n -= chunk;
	}
}

void crypto_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int crypto_unhex(const char *hex, size_t hexlen, unsigned char *out, size_t outlen)
{
	size_t i, n = hexlen / 2;
	int hi, lo;

	if (hexlen % 2 || n > outlen || n > INT_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		hi = hex_val(hex[2 * i]);
		lo = hex_val(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)n;
}

void crypto_uuid(char out[37])
{
	unsigned char b[16];
	char hex[33];

	crypto_random(b, sizeof(b));
	b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80; /* variant 10xx (RFC 4122) */
	crypto_hex(b, sizeof(b), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

int crypto_is_uuid(const char *s)
{
	int i;

	if (!s)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (hex_val(s[i]) < 0) {
			return 0;
		}
	}
	return s[36] == '\0';
}

void crypto_base64url(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;
	unsigned long v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
		*out++ = tab[(v >> 18) & 63];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
		*out++ = tab[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)in[i] << 16;
		*out++ = tab[(v >> 18) & 63];
		*out++ = tab[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		*out++ = tab[(v >> 18) & 63];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
	}
	*out = '\0';
}

uint64_t crypto_hash64(const void *data, size_t n)
{
	unsigned char d[SHA256_LEN];
	uint64_t h = 0;
	int i;

	crypto_sha256(data, n, d);
	for (i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return h;
}
