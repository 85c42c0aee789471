/* test_crypto.c: unit tests of hashing, HMAC (RFC 4231, RFC 2202), hex, UUIDs and base64url. */
#include <string.h>

#include "core/crypto.h"
#include "core/keys.h"
#include "tests/unit/unit.h"

static void hexeq(const unsigned char *got, size_t n, const char *want)
{
	char hex[129];

	crypto_hex(got, n, hex);
	ck_assert_str_eq(hex, want);
}

START_TEST(test_sha256)
{
	unsigned char d[SHA256_LEN];

	crypto_sha256("abc", 3, d);
	hexeq(d, sizeof(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	crypto_sha256("", 0, d);
	hexeq(d, sizeof(d), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	crypto_sha256(NULL, 0, d);
	hexeq(d, sizeof(d), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ck_assert_uint_eq(crypto_hash64("abc", 3), 0xba7816bf8f01cfeaULL);
}
END_TEST

START_TEST(test_hmac_sha256_rfc4231)
{
	unsigned char key[131], d[SHA256_LEN];
	static const char tc6[] = "Test Using Larger Than Block-Size Key - Hash Key First";

	memset(key, 0x0b, 20); /* test case 1 */
	crypto_hmac_sha256(key, 20, "Hi There", 8, d);
	hexeq(d, sizeof(d), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* test case 2 */
	crypto_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hexeq(d, sizeof(d), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, 131); /* test case 6: key longer than the block */
	crypto_hmac_sha256(key, 131, tc6, strlen(tc6), d);
	hexeq(d, sizeof(d), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	/* an empty key is valid */
	crypto_hmac_sha256("", 0, "", 0, d);
	hexeq(d, sizeof(d), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
END_TEST

START_TEST(test_hmac_sha1_rfc2202)
{
	unsigned char key[80], d[SHA1_LEN];
	static const char tc6[] = "Test Using Larger Than Block-Size Key - Hash Key First";

	memset(key, 0x0b, 20);
	crypto_hmac_sha1(key, 20, "Hi There", 8, d);
	hexeq(d, sizeof(d), "b617318655057264e28bc0b6fb378c8ef146be00");
	crypto_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, d);
	hexeq(d, sizeof(d), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	memset(key, 0xaa, 80);
	crypto_hmac_sha1(key, 80, tc6, strlen(tc6), d);
	hexeq(d, sizeof(d), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}
END_TEST

START_TEST(test_equal)
{
	ck_assert_int_eq(crypto_equal("secret", 6, "secret", 6), 1);
	ck_assert_int_eq(crypto_equal("secret", 6, "secreT", 6), 0);
	ck_assert_int_eq(crypto_equal("Secret", 6, "secret", 6), 0);
	ck_assert_int_eq(crypto_equal("secret", 6, "secret!", 7), 0);
	ck_assert_int_eq(crypto_equal("secret", 6, "secret", 5), 0);
	ck_assert_int_eq(crypto_equal("", 0, "", 0), 1);
	ck_assert_int_eq(crypto_equal("a\0b", 3, "a\0c", 3), 0);
}
END_TEST

START_TEST(test_hex_round_trip)
{
	unsigned char in[256], out[256];
	char hex[513];
	int i;

	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	crypto_hex(in, sizeof(in), hex);
	ck_assert_uint_eq(strlen(hex), 512);
	ck_assert_int_eq(strncmp(hex, "000102", 6), 0);
	ck_assert_str_eq(hex + 506, "fdfeff");
	ck_assert_int_eq(crypto_unhex(hex, 512, out, sizeof(out)), 256);
	ck_assert_mem_eq(in, out, 256);

	ck_assert_int_eq(crypto_unhex("DEADbeef", 8, out, 4), 4);
	ck_assert_uint_eq(out[0], 0xde);
	ck_assert_uint_eq(out[3], 0xef);
	ck_assert_int_eq(crypto_unhex("abc", 3, out, 4), -1);	 /* odd length */
	ck_assert_int_eq(crypto_unhex("zz", 2, out, 4), -1);	 /* bad digit */
	ck_assert_int_eq(crypto_unhex("0a0b0c", 6, out, 2), -1); /* does not fit */
	ck_assert_int_eq(crypto_unhex("", 0, out, 4), 0);
	crypto_hex(in, 0, hex);
	ck_assert_str_eq(hex, "");
}
END_TEST

START_TEST(test_uuid)
{
	char u[37], prev[37] = "";
	int i, j;

	for (i = 0; i < 100; i++) {
		crypto_uuid(u);
		ck_assert_uint_eq(strlen(u), 36);
		ck_assert_int_eq(crypto_is_uuid(u), 1);
		ck_assert_int_eq(u[14], '4');		      /* version */
		ck_assert_ptr_nonnull(strchr("89ab", u[19])); /* RFC 4122 variant */
		for (j = 0; j < 36; j++)
			ck_assert(u[j] == '-' || (u[j] >= '0' && u[j] <= '9') ||
				  (u[j] >= 'a' && u[j] <= 'f'));
		ck_assert_str_ne(u, prev);
		memcpy(prev, u, sizeof(u));
	}
	ck_assert_int_eq(crypto_is_uuid("123e4567-e89b-12d3-a456-426614174000"), 1);
	ck_assert_int_eq(crypto_is_uuid("123E4567-E89B-12D3-A456-426614174000"), 1);
	ck_assert_int_eq(crypto_is_uuid("123e4567-e89b-12d3-a456-42661417400"), 0);
	ck_assert_int_eq(crypto_is_uuid("123e4567-e89b-12d3-a456-4266141740000"), 0);
	ck_assert_int_eq(crypto_is_uuid("123e4567e89b-12d3-a456-4266141740000"), 0);
	ck_assert_int_eq(crypto_is_uuid("123e4567-e89b-12d3-a456-42661417400g"), 0);
	ck_assert_int_eq(crypto_is_uuid(""), 0);
	ck_assert_int_eq(crypto_is_uuid(NULL), 0);
}
END_TEST

START_TEST(test_random)
{
	unsigned char a[32], b[32], zero[32] = {0};

	crypto_random(a, sizeof(a));
	crypto_random(b, sizeof(b));
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert(memcmp(a, zero, sizeof(a)) != 0);
}
END_TEST

START_TEST(test_base64url)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"", ""},
		{"f", "Zg"},
		{"fo", "Zm8"},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg"},
		{"fooba", "Zm9vYmE"},
		{"foobar", "Zm9vYmFy"},
		{"\xfb\xff", "-_8"},
		{"\xff\xff\xff", "____"},
	};
	char out[16];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		crypto_base64url((const unsigned char *)v[i].in, strlen(v[i].in), out);
		ck_assert_str_eq(out, v[i].out);
	}
}
END_TEST

/* keys.c is a thin layer over crypto.c; its tests live here (there is no test_keys). */
START_TEST(test_keys_integration)
{
	char k1[KEYS_INTEGRATION_LEN + 1], k2[KEYS_INTEGRATION_LEN + 1];
	unsigned char raw[16];

	keys_new_integration(k1);
	keys_new_integration(k2);
	ck_assert_uint_eq(strlen(k1), 32);
	ck_assert_int_eq(crypto_unhex(k1, 32, raw, sizeof(raw)), 16);
	ck_assert_uint_eq(strspn(k1, "0123456789abcdef"), 32);
	ck_assert_str_ne(k1, k2);
	ck_assert_int_eq(keys_is_api_token(k1), 0);
}
END_TEST

START_TEST(test_keys_api_token)
{
	char t1[48], t2[48];
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	keys_new_api_token(t1);
	keys_new_api_token(t2);
	ck_assert_uint_eq(strlen(t1), 47);
	ck_assert_int_eq(strncmp(t1, "ok_", 3), 0);
	ck_assert_uint_eq(strspn(t1 + 3, alphabet), 44);
	ck_assert_str_ne(t1, t2);
	ck_assert_int_eq(keys_is_api_token(t1), 1);
	ck_assert_int_eq(keys_is_api_token("ok"), 0);
	ck_assert_int_eq(keys_is_api_token("OK_abc"), 0);
	ck_assert_int_eq(keys_is_api_token(NULL), 0);
}
END_TEST

START_TEST(test_keys_hash)
{
	char h1[KEYS_HASH_HEX_LEN + 1], h2[KEYS_HASH_HEX_LEN + 1], h3[KEYS_HASH_HEX_LEN + 1];
	unsigned char mac[SHA256_LEN];

	keys_hash("pepper", "token", 5, h1);
	keys_hash("pepper", "token", 5, h2);
	ck_assert_uint_eq(strlen(h1), 64);
	ck_assert_str_eq(h1, h2); /* deterministic */
	keys_hash("pepper2", "token", 5, h3);
	ck_assert_str_ne(h1, h3); /* depends on the pepper */
	keys_hash("pepper", "tokem", 5, h3);
	ck_assert_str_ne(h1, h3); /* and on the token */
	keys_hash("pepper", "tokenXYZ", 5, h3);
	ck_assert_str_eq(h1, h3); /* only len bytes count */
	crypto_hmac_sha256("pepper", 6, "token", 5, mac);
	hexeq(mac, sizeof(mac), h1); /* it is hex(HMAC-SHA256(pepper, token)) */
	keys_hash("", "token", 5, h2);
	keys_hash(NULL, "token", 5, h3);
	ck_assert_str_eq(h2, h3);
	ck_assert_str_ne(h1, h2);
}
END_TEST

static Suite *crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_hmac_sha256_rfc4231);
	tcase_add_test(tc, test_hmac_sha1_rfc2202);
	tcase_add_test(tc, test_equal);
	tcase_add_test(tc, test_hex_round_trip);
	tcase_add_test(tc, test_uuid);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_base64url);
	tcase_add_test(tc, test_keys_integration);
	tcase_add_test(tc, test_keys_api_token);
	tcase_add_test(tc, test_keys_hash);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(crypto_suite)
