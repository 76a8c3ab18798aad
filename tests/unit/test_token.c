/* moi_token: random tokens, their shape, their stored digests, SHA-256. */
#include <string.h>
#include <sodium.h>
#include <apr_strings.h>
#include "moi_token.h"
#include "unit.h"

/* The 32 bytes 00 01 02 .. 1f, and SHA-256 of those bytes (computed apart). */
#define KNOWN_TOKEN "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
#define KNOWN_DIGEST "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd"
/* 32 bytes ff, and SHA-256 of those bytes. */
#define ONES_TOKEN "__________________________________________8"
#define ONES_DIGEST "af9613760f72635fbdb44a5a0a63c39f12af30f950a6ee5c971be188e89c4051"
/* SHA-256 of the 43 characters of KNOWN_TOKEN as text: not the digest. */
#define KNOWN_TOKEN_TEXT_SHA                                                             \
    "ea866a757e4c38babfa8127cbe9a409d3e1f93a00ff1488ff735fcf917afffd0"

static int is_b64url(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static void assert_lower_hex64(const char *d)
{
    size_t i;
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(strlen(d), 64);
    for (i = 0; i < 64; i++) {
        ck_assert_msg((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f'),
                      "'%s': character %zu is not lower-case hex", d, i);
    }
}

/* The digest of token computed here with libsodium directly. */
static const char *independent_digest(const char *token)
{
    unsigned char raw[64], h[crypto_hash_sha256_BYTES];
    char *hex = apr_palloc(unit_pool, sizeof(h) * 2 + 1);
    size_t len = 0;
    ck_assert_int_eq(sodium_base642bin(raw, sizeof(raw), token, strlen(token), NULL, &len,
                                       NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    ck_assert_uint_eq(len, 32);
    crypto_hash_sha256(h, raw, len);
    sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
    return hex;
}

/* ---- moi_token_new ------------------------------------------------------ */

START_TEST(new_token_shape)
{
    int n;
    for (n = 0; n < 20; n++) {
        const char *t = moi_token_new(unit_pool);
        size_t i;
        ck_assert_ptr_nonnull(t);
        ck_assert_uint_eq(strlen(t), MOI_TOKEN_CHARS);
        ck_assert_uint_eq(strlen(t), 43);
        for (i = 0; i < MOI_TOKEN_CHARS; i++) {
            ck_assert_msg(is_b64url(t[i]), "'%s': character %zu not base64url", t, i);
        }
        ck_assert(moi_token_well_formed(t));
    }
}
END_TEST

START_TEST(new_tokens_differ)
{
    const char *a = moi_token_new(unit_pool);
    const char *b = moi_token_new(unit_pool);
    const char *c = moi_token_new(unit_pool);
    ck_assert_str_ne(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_str_ne(b, c);
    ck_assert_str_ne(moi_token_digest(unit_pool, a), moi_token_digest(unit_pool, b));
}
END_TEST

/* ---- moi_token_well_formed ---------------------------------------------- */

/* KNOWN_TOKEN with character i replaced by c. */
static const char *known_with(size_t i, char c)
{
    char *s = apr_pstrdup(unit_pool, KNOWN_TOKEN);
    s[i] = c;
    return s;
}

START_TEST(well_formed_accepts_tokens)
{
    ck_assert(moi_token_well_formed(KNOWN_TOKEN));
    ck_assert(moi_token_well_formed(ONES_TOKEN));
    ck_assert(moi_token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
    ck_assert(moi_token_well_formed(known_with(0, '-')));
    ck_assert(moi_token_well_formed(known_with(5, '_')));
}
END_TEST

START_TEST(well_formed_refuses_other_shapes)
{
    ck_assert(!moi_token_well_formed(NULL));
    ck_assert(!moi_token_well_formed(""));
    ck_assert(!moi_token_well_formed(apr_pstrndup(unit_pool, KNOWN_TOKEN, 42)));
    ck_assert(!moi_token_well_formed(KNOWN_TOKEN "A"));
    ck_assert(!moi_token_well_formed(KNOWN_TOKEN "="));
    ck_assert(!moi_token_well_formed(KNOWN_TOKEN "\n"));
    ck_assert(!moi_token_well_formed(" " KNOWN_TOKEN));
    ck_assert(!moi_token_well_formed(KNOWN_TOKEN KNOWN_TOKEN));
    /* Standard base64 and padding characters are not base64url. */
    ck_assert(!moi_token_well_formed(known_with(3, '+')));
    ck_assert(!moi_token_well_formed(known_with(3, '/')));
    ck_assert(!moi_token_well_formed(known_with(3, '=')));
    ck_assert(!moi_token_well_formed(known_with(42, '=')));
    ck_assert(!moi_token_well_formed(known_with(20, ' ')));
    ck_assert(!moi_token_well_formed(known_with(20, '.')));
    /* Bytes above 0x7F, which a lenient decoder may read as '_'. */
    ck_assert(!moi_token_well_formed(known_with(20, '\x80')));
    ck_assert(!moi_token_well_formed(known_with(20, '\xFF')));
    ck_assert(!moi_token_well_formed(known_with(42, '\xC3')));
    /* The last character carries 4 bits and 2 zero bits: a second spelling
     * of the same 32 bytes is refused. */
    ck_assert(!moi_token_well_formed(known_with(42, '9')));
    ck_assert(!moi_token_well_formed(known_with(42, '_')));
    ck_assert(!moi_token_well_formed(known_with(42, 'B')));
}
END_TEST

/* ---- moi_token_digest --------------------------------------------------- */

START_TEST(digest_known_vectors)
{
    const char *d = moi_token_digest(unit_pool, KNOWN_TOKEN);
    assert_lower_hex64(d);
    ck_assert_str_eq(d, KNOWN_DIGEST);
    ck_assert_str_ne(d, KNOWN_TOKEN_TEXT_SHA);
    ck_assert_str_eq(moi_token_digest(unit_pool, ONES_TOKEN), ONES_DIGEST);
    ck_assert_str_eq(independent_digest(KNOWN_TOKEN), KNOWN_DIGEST);
    ck_assert_str_eq(independent_digest(ONES_TOKEN), ONES_DIGEST);
}
END_TEST

START_TEST(digest_of_new_tokens)
{
    int n;
    for (n = 0; n < 10; n++) {
        const char *t = moi_token_new(unit_pool);
        const char *d = moi_token_digest(unit_pool, t);
        assert_lower_hex64(d);
        ck_assert_str_eq(d, independent_digest(t));
        ck_assert_str_eq(d, moi_token_digest(unit_pool, t));
        ck_assert_str_ne(d, moi_sha256_hex(unit_pool, t, strlen(t)));
    }
}
END_TEST

START_TEST(digest_of_malformed_is_null)
{
    ck_assert_ptr_null(moi_token_digest(unit_pool, NULL));
    ck_assert_ptr_null(moi_token_digest(unit_pool, ""));
    ck_assert_ptr_null(moi_token_digest(unit_pool, "abc"));
    ck_assert_ptr_null(
        moi_token_digest(unit_pool, apr_pstrndup(unit_pool, KNOWN_TOKEN, 42)));
    ck_assert_ptr_null(moi_token_digest(unit_pool, KNOWN_TOKEN "A"));
    ck_assert_ptr_null(moi_token_digest(unit_pool, known_with(3, '+')));
    ck_assert_ptr_null(moi_token_digest(unit_pool, known_with(3, '/')));
    ck_assert_ptr_null(moi_token_digest(unit_pool, known_with(42, '=')));
    ck_assert_ptr_null(moi_token_digest(unit_pool, known_with(42, '9')));
    ck_assert_ptr_null(moi_token_digest(unit_pool, known_with(7, '\x80')));
}
END_TEST

/* ---- moi_sha256_hex ----------------------------------------------------- */

START_TEST(sha256_test_vectors)
{
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ck_assert_str_eq(moi_sha256_hex(unit_pool, "abc", 3),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_str_eq(moi_sha256_hex(unit_pool, "", 0),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ck_assert_str_eq(moi_sha256_hex(unit_pool, m, strlen(m)),
                     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* Only len bytes count. */
    ck_assert_str_eq(moi_sha256_hex(unit_pool, "abcdef", 3),
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ck_assert_str_eq(moi_sha256_hex(unit_pool, KNOWN_TOKEN, 43), KNOWN_TOKEN_TEXT_SHA);
}
END_TEST

Suite *token_suite(void)
{
    Suite *s = suite_create("token");
    TCase *tc = unit_tcase("tokens");

    tcase_add_test(tc, new_token_shape);
    tcase_add_test(tc, new_tokens_differ);
    tcase_add_test(tc, well_formed_accepts_tokens);
    tcase_add_test(tc, well_formed_refuses_other_shapes);
    suite_add_tcase(s, tc);

    tc = unit_tcase("digests");
    tcase_add_test(tc, digest_known_vectors);
    tcase_add_test(tc, digest_of_new_tokens);
    tcase_add_test(tc, digest_of_malformed_is_null);
    tcase_add_test(tc, sha256_test_vectors);
    suite_add_tcase(s, tc);
    return s;
}
