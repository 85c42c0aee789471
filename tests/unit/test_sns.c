/* test_sns.c: SNS canonical strings, certificate-URL trust and RSA signature verification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "unit.h"
#include "sns.h"
#include "json.h"
#include "sbuf.h"
#include "wrapper.h"

static char *slurp(const char *name)
{
	char path[512];
	struct sbuf sb = SBUF_INIT;
	char buf[4096];
	size_t n;

	snprintf(path, sizeof(path), "%s/sns/%s", OK_FIXTURES, name);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	return sbuf_detach(&sb, NULL);
}

static struct json_object *message(const char *type)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "Type", json_object_new_string(type));
	json_object_object_add(m, "MessageId", json_object_new_string("e288882d-42"));
	json_object_object_add(m, "TopicArn", json_object_new_string("arn:aws:sns:eu-west-1:1:t"));
	json_object_object_add(m, "Message", json_object_new_string("{\"AlarmName\":\"x\"}\nline2"));
	json_object_object_add(m, "Timestamp", json_object_new_string("2019-02-15T23:53:45.134Z"));
	if (!strcmp(type, "SubscriptionConfirmation")) {
		json_object_object_add(m, "Token", json_object_new_string("tok"));
		json_object_object_add(m, "SubscribeURL",
			json_object_new_string("https://sns.eu-west-1.amazonaws.com/?Action=X"));
	}
	return m;
}

/* Signs m's canonical string with the test key (version "1" SHA-1, "2" SHA-256). */
static void sign(struct json_object *m, const char *version)
{
	char *keypem = slurp("test-key.pem");
	BIO *bio = BIO_new_mem_buf(keypem, -1);
	EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	struct sbuf msg = SBUF_INIT;
	unsigned char sig[512];
	size_t siglen = sizeof(sig);
	char b64[1024];

	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(sns_string_to_sign(m, &msg), 0);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	ck_assert_int_eq(EVP_DigestSignInit(ctx, NULL, strcmp(version, "1") ? EVP_sha256() :
		EVP_sha1(), NULL, key), 1);
	ck_assert_int_eq(EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)msg.buf, msg.len), 1);
	EVP_EncodeBlock((unsigned char *)b64, sig, (int)siglen);
	json_object_object_add(m, "SignatureVersion", json_object_new_string(version));
	json_object_object_add(m, "Signature", json_object_new_string(b64));
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	BIO_free(bio);
	sbuf_release(&msg);
	free(keypem);
}

START_TEST(canonical_strings)
{
	struct sbuf sb = SBUF_INIT;
	struct json_object *m = message("Notification");

	ck_assert_int_eq(sns_string_to_sign(m, &sb), 0);
	ck_assert_str_eq(sb.buf, "Message\n{\"AlarmName\":\"x\"}\nline2\nMessageId\ne288882d-42\n"
				 "Timestamp\n2019-02-15T23:53:45.134Z\nTopicArn\narn:aws:sns:eu-west-1:1:t\n"
				 "Type\nNotification\n");
	sbuf_reset(&sb);
	json_object_object_add(m, "Subject", json_object_new_string("ALARM"));
	ck_assert_int_eq(sns_string_to_sign(m, &sb), 0);
	ck_assert_ptr_nonnull(strstr(sb.buf, "MessageId\ne288882d-42\nSubject\nALARM\nTimestamp\n"));
	json_object_put(m);

	sbuf_reset(&sb);
	m = message("SubscriptionConfirmation");
	ck_assert_int_eq(sns_string_to_sign(m, &sb), 0);
	ck_assert_ptr_nonnull(strstr(sb.buf, "\nSubscribeURL\nhttps://sns.eu-west-1.amazonaws.com/"
					     "?Action=X\nTimestamp\n"));
	ck_assert_ptr_nonnull(strstr(sb.buf, "\nToken\ntok\nTopicArn\n"));
	json_object_object_del(m, "Token");
	ck_assert_int_eq(sns_string_to_sign(m, &sb), -1);
	json_object_put(m);
	m = message("Other");
	ck_assert_int_eq(sns_string_to_sign(m, &sb), -1);
	json_object_put(m);
	sbuf_release(&sb);
}
END_TEST

START_TEST(certificate_urls)
{
	ck_assert(sns_cert_url_trusted(
		"https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb72.pem"));
	ck_assert(sns_cert_url_trusted("https://sns.cn-north-1.amazonaws.com.cn/x.pem"));
	ck_assert(!sns_cert_url_trusted("http://sns.us-west-2.amazonaws.com/x.pem"));
	ck_assert(!sns_cert_url_trusted("https://sns.us-west-2.amazonaws.com.evil.io/x.pem"));
	ck_assert(!sns_cert_url_trusted("https://evil.io/sns.us-west-2.amazonaws.com/x.pem"));
	ck_assert(!sns_cert_url_trusted("https://sns.us-west-2.amazonaws.com/x.pem?y=1"));
	ck_assert(!sns_cert_url_trusted("https://sns.us-west-2.amazonaws.com/x.txt"));
	ck_assert(!sns_cert_url_trusted(NULL));
}
END_TEST

START_TEST(signatures_v1_v2)
{
	char *pem = slurp("test-cert.pem");

	for (const char *const *v = (const char *const[]){ "1", "2", NULL }; *v; v++) {
		struct json_object *m = message("Notification");
		sign(m, *v);
		ck_assert_int_eq(sns_verify(m, pem), 1);
		/* any signed field changed: refused */
		json_object_object_add(m, "Message", json_object_new_string("{\"AlarmName\":\"y\"}"));
		ck_assert_int_eq(sns_verify(m, pem), 0);
		json_object_put(m);
	}
	struct json_object *m = message("SubscriptionConfirmation");
	sign(m, "2");
	ck_assert_int_eq(sns_verify(m, pem), 1);
	/* the version says which digest: a SHA-256 signature read as version 1 fails */
	json_object_object_add(m, "SignatureVersion", json_object_new_string("1"));
	ck_assert_int_eq(sns_verify(m, pem), 0);
	json_object_object_add(m, "SignatureVersion", json_object_new_string("3"));
	ck_assert_int_eq(sns_verify(m, pem), 0);
	ck_assert_int_eq(sns_verify(m, "not a certificate"), 0);
	json_object_object_add(m, "SignatureVersion", json_object_new_string("2"));
	json_object_object_add(m, "Signature", json_object_new_string("!!!"));
	ck_assert_int_eq(sns_verify(m, pem), 0);
	json_object_put(m);
	free(pem);
}
END_TEST

START_TEST(cache)
{
	ck_assert_ptr_null(sns_cache_get("u1"));
	sns_cache_put("u1", "pem1");
	ck_assert_str_eq(sns_cache_get("u1"), "pem1");
	for (int i = 0; i < 20; i++) {
		char u[16];
		snprintf(u, sizeof(u), "x%d", i);
		sns_cache_put(u, "p");
	}
	ck_assert_ptr_null(sns_cache_get("u1")); /* bounded: the oldest went */
	sns_cache_clear();
	ck_assert_ptr_null(sns_cache_get("x19"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sns");
	TCase *tc = tcase_create("sns");
	tcase_add_test(tc, canonical_strings);
	tcase_add_test(tc, certificate_urls);
	tcase_add_test(tc, signatures_v1_v2);
	tcase_add_test(tc, cache);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(suite)
