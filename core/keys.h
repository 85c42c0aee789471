/* keys.h: the secrets we hand out (integration keys, API tokens) and how they are stored. */
#ifndef OK_KEYS_H
#define OK_KEYS_H

#include <stddef.h>

#define KEYS_INTEGRATION_LEN 32 /* 16 random bytes as hex: the PagerDuty routing-key length */
#define KEYS_API_PREFIX "ok_"
#define KEYS_HASH_HEX_LEN 64

/* Writes a new integration (routing) key: 32 lowercase hex characters + NUL. */
void keys_new_integration(char out[KEYS_INTEGRATION_LEN + 1]);
/* Writes a new API token "ok_" + base64url(33 random bytes, 44 chars) + NUL (47 chars). */
void keys_new_api_token(char out[48]);
/* The stored form of any presented secret: hex(HMAC-SHA256(pepper, token)) + NUL. Lookups are
 * by this hash, so a secret is never stored or compared in the clear. */
void keys_hash(const char *pepper, const char *token, size_t len, char out[KEYS_HASH_HEX_LEN + 1]);
/* 1 when token has the API-token prefix. */
int keys_is_api_token(const char *token);

#endif
