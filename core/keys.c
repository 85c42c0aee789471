/* keys.c: generation of integration keys and API tokens, and their peppered stored hash. */
#include <string.h>

#include "crypto.h"
#include "keys.h"

#define KEYS_API_RANDOM_BYTES 33 /* 44 base64url characters, no padding */

void keys_new_integration(char out[KEYS_INTEGRATION_LEN + 1])
{
	unsigned char b[KEYS_INTEGRATION_LEN / 2];

	crypto_random(b, sizeof(b));
	crypto_hex(b, sizeof(b), out);
}

void keys_new_api_token(char out[48])
{
	unsigned char b[KEYS_API_RANDOM_BYTES];
	size_t plen = strlen(KEYS_API_PREFIX);

	crypto_random(b, sizeof(b));
	memcpy(out, KEYS_API_PREFIX, plen);
	crypto_base64url(b, sizeof(b), out + plen);
}

void keys_hash(const char *pepper, const char *token, size_t len, char out[KEYS_HASH_HEX_LEN + 1])
{
	unsigned char mac[SHA256_LEN];

	crypto_hmac_sha256(pepper ? pepper : "", pepper ? strlen(pepper) : 0, token, len, mac);
	crypto_hex(mac, sizeof(mac), out);
}

int keys_is_api_token(const char *token)
{
	return token && !strncmp(token, KEYS_API_PREFIX, strlen(KEYS_API_PREFIX));
}
