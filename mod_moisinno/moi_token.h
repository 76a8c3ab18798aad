/* Secrets: session and CSRF tokens, their stored digests, and comparison.
 * Random bytes come from libsodium (the OS CSPRNG: getrandom(2)). */
#ifndef MOI_TOKEN_H
#define MOI_TOKEN_H

#include <apr_pools.h>

#define MOI_TOKEN_BYTES 32
#define MOI_TOKEN_CHARS 43 /* base64url of 32 bytes, no padding */

/* Once per process before use (sodium_init). Returns 0 on success. */
int moi_token_global_init(void);

/* A new token: 32 random bytes as base64url without padding, from p. */
const char *moi_token_new(apr_pool_t *p);

/* True when s is exactly a token's shape (43 base64url characters that
 * decode to 32 bytes). */
int moi_token_well_formed(const char *s);

/* The digest under which a session token is stored: hex SHA-256 of the
 * 32 raw bytes.  NULL when token is not well formed. */
const char *moi_token_digest(apr_pool_t *p, const char *token);

/* Hex SHA-256 of arbitrary text (e.g. a lower-cased e-mail address). */
const char *moi_sha256_hex(apr_pool_t *p, const char *s, size_t len);

#endif
