/* sns.c: SNS signature verification with OpenSSL and a small per-process certificate cache. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "sns.h"
#include "json.h"
#include "sbuf.h"
#include "wrapper.h"

#define CACHE_SLOTS 8

static const char *const notification_keys[] = { "Message", "MessageId", "Subject", "Timestamp",
	"TopicArn", "Type", NULL };
static const char *const confirmation_keys[] = { "Message", "MessageId", "SubscribeURL",
	"Timestamp", "Token", "TopicArn", "Type", NULL };

int sns_string_to_sign(struct json_object *m, struct sbuf *out)
{
	const char *type = json_get_str(m, "Type", NULL);
	const char *const *keys;

	if (type && !strcmp(type, "Notification"))
		keys = notification_keys;
	else if (type && (!strcmp(type, "SubscriptionConfirmation") ||
				 !strcmp(type, "UnsubscribeConfirmation")))
		keys = confirmation_keys;
	else
		return -1;
	for (; *keys; keys++) {
		const char *v = json_get_str(m, *keys, NULL);
		if (!v) {
			if (!strcmp(*keys, "Subject"))
				continue; /* the only optional one */
			return -1;
		}
		sbuf_addf(out, "%s\n%s\n", *keys, v);
	}
	return 0;
}

int sns_cert_url_trusted(const char *url)
{
	static regex_t re;
	static int compiled;

	if (!compiled) {
		if (regcomp(&re, "^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[^?#]*\\.pem$",
			    REG_EXTENDED | REG_NOSUB))
			return 0;
		compiled = 1;
	}
	return url && regexec(&re, url, 0, NULL, 0) == 0;
}

/* Decodes standard base64 (with padding) into a new buffer; returns its length or -1. */
static int unbase64(const char *in, unsigned char **out)
{
	size_t n = strlen(in);

	if (n == 0 || n % 4)
		return -1;
	*out = xmalloc(n / 4 * 3 + 1);
	int len = EVP_DecodeBlock(*out, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(*out);
		return -1;
	}
	len -= (in[n - 1] == '=') + (in[n - 2] == '=');
	return len;
}

int sns_verify(struct json_object *m, const char *pem)
{
	const char *version = json_get_str(m, "SignatureVersion", NULL);
	const char *sig64 = json_get_str(m, "Signature", NULL);
	const EVP_MD *md = version && !strcmp(version, "1") ? EVP_sha1() :
		version && !strcmp(version, "2") ? EVP_sha256() : NULL;
	struct sbuf msg = SBUF_INIT;
	unsigned char *sig = NULL;
	int ok = 0;

	if (!md || !sig64 || !pem || sns_string_to_sign(m, &msg) < 0) {
		sbuf_release(&msg);
		return 0;
	}
	int siglen = unbase64(sig64, &sig);
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = cert ? X509_get_pubkey(cert) : NULL;
	EVP_MD_CTX *ctx = key && siglen > 0 ? EVP_MD_CTX_new() : NULL;
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sig, (size_t)siglen, (const unsigned char *)msg.buf,
			     msg.len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	X509_free(cert);
	BIO_free(bio);
	free(sig);
	sbuf_release(&msg);
	return ok;
}

static struct {
	char *url;
	char *pem;
} cache[CACHE_SLOTS];
static unsigned next_slot;

const char *sns_cache_get(const char *url)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].url && !strcmp(cache[i].url, url))
			return cache[i].pem;
	return NULL;
}

void sns_cache_put(const char *url, const char *pem)
{
	unsigned i = next_slot++ % CACHE_SLOTS;

	free(cache[i].url);
	free(cache[i].pem);
	cache[i].url = xstrdup(url);
	cache[i].pem = xstrdup(pem);
}

void sns_cache_clear(void)
{
	for (int i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].url);
		free(cache[i].pem);
		cache[i].url = cache[i].pem = NULL;
	}
}
