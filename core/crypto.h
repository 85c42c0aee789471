/* crypto.h: hashing, HMAC, constant-time compare, randomness, hex (OpenSSL libcrypto). */
#ifndef OK_CRYPTO_H
#define OK_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA1_LEN 20

void crypto_sha256(const void *data, size_t n, unsigned char out[SHA256_LEN]);
void crypto_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
	unsigned char out[SHA256_LEN]);
void crypto_hmac_sha1(const void *key, size_t klen, const void *data, size_t n,
	unsigned char out[SHA1_LEN]);
/* 1 when a and b are equal; time depends only on the lengths, never on the contents. */
int crypto_equal(const void *a, size_t alen, const void *b, size_t blen);
/* Fills buf with n cryptographically random bytes; aborts if the RNG fails. */
void crypto_random(void *buf, size_t n);
/* Writes 2n lowercase hex digits plus NUL into out (size >= 2n+1). */
void crypto_hex(const unsigned char *in, size_t n, char *out);
/* Decodes hex (either case) of length 2n into out; returns n or -1 on a bad digit/length. */
int crypto_unhex(const char *hex, size_t hexlen, unsigned char *out, size_t outlen);
/* Writes a random RFC 4122 version-4 UUID ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx") + NUL. */
void crypto_uuid(char out[37]);
/* 1 when s is a canonical UUID text (36 chars, hex with dashes at 8,13,18,23). */
int crypto_is_uuid(const char *s);
/* Base64url without padding of n bytes into out (size >= 4*ceil(n/3)+1). */
void crypto_base64url(const unsigned char *in, size_t n, char *out);
/* A 64-bit hash (first 8 bytes of SHA-256) of n bytes, for table keys. */
uint64_t crypto_hash64(const void *data, size_t n);

#endif
