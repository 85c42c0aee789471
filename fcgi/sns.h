/* sns.h: AWS SNS message signatures (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA) over
 * the canonical "Key\nValue\n" string, checked against AWS's signing certificate. */
#ifndef OK_SNS_H
#define OK_SNS_H

#include <json-c/json.h>

struct sbuf;

/* Appends the string SNS signs for message m (by its Type: Notification, or
 * SubscriptionConfirmation / UnsubscribeConfirmation). Returns 0, or -1 when a field it needs
 * is missing or the Type is another. */
int sns_string_to_sign(struct json_object *m, struct sbuf *out);
/* 1 when url is https://sns.<region>.amazonaws.com[.cn]/….pem (AWS's own certificate host). */
int sns_cert_url_trusted(const char *url);
/* 1 when m's Signature verifies with the certificate pem (PEM text); 0 otherwise (bad
 * signature, unknown SignatureVersion, unreadable certificate). */
int sns_verify(struct json_object *m, const char *pem);

/* Per-process cache of certificates by URL (they never change at a URL): the PEM or NULL. The
 * cache copies pem; sns_cache_clear frees it all. */
const char *sns_cache_get(const char *url);
void sns_cache_put(const char *url, const char *pem);
void sns_cache_clear(void);

#endif
