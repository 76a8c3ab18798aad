#include <string.h>
#include <sodium.h>
#include <apr_strings.h>
#include "moi_token.h"

int moi_token_global_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

const char *moi_token_new(apr_pool_t *p)
{
    unsigned char raw[MOI_TOKEN_BYTES];
    char *out = apr_palloc(p, MOI_TOKEN_CHARS + 1);
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, MOI_TOKEN_CHARS + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    return out;
}

static int token_decode(const char *s, unsigned char raw[MOI_TOKEN_BYTES])
{
    size_t len = 0;
    const char *end = NULL;
    /* The alphabet is checked here: libsodium 1.0.18 decodes bytes >= 0x80
     * as if they were '_'. */
    if (!s || strlen(s) != MOI_TOKEN_CHARS ||
        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
            MOI_TOKEN_CHARS) {
        return -1;
    }
    if (sodium_base642bin(raw, MOI_TOKEN_BYTES, s, MOI_TOKEN_CHARS, NULL, &len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != MOI_TOKEN_BYTES || *end != '\0') {
        return -1;
    }
    return 0;
}

int moi_token_well_formed(const char *s)
{
    unsigned char raw[MOI_TOKEN_BYTES];
    return token_decode(s, raw) == 0;
}

static const char *hex_digest(apr_pool_t *p, const unsigned char *data, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char *out = apr_palloc(p, crypto_hash_sha256_BYTES * 2 + 1);
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, crypto_hash_sha256_BYTES * 2 + 1, h, sizeof(h));
    return out;
}

const char *moi_token_digest(apr_pool_t *p, const char *token)
{
    unsigned char raw[MOI_TOKEN_BYTES];
    const char *d;
    if (token_decode(token, raw) != 0) {
        return NULL;
    }
    d = hex_digest(p, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    return d;
}

const char *moi_sha256_hex(apr_pool_t *p, const char *s, size_t len)
{
    return hex_digest(p, (const unsigned char *)s, len);
}
