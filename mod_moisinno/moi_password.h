/* Password hashing: argon2id through libsodium's crypto_pwhash_str.
 *
 * Each hash takes MOI_PASSWORD_MEMLIMIT bytes of memory for a moment, so
 * the number of hashes running at once in a process is bounded: callers
 * wait (at most wait_ms) for a slot, and get MOI_PW_BUSY when none frees.
 */
#ifndef MOI_PASSWORD_H
#define MOI_PASSWORD_H

#include <apr_pools.h>

#define MOI_PASSWORD_MIN_BYTES 12
#define MOI_PASSWORD_MAX_BYTES 1024

typedef enum {
    MOI_PW_OK = 0,
    MOI_PW_MISMATCH,
    MOI_PW_BUSY,  /* no hashing slot within the wait */
    MOI_PW_ERROR  /* out of memory or a malformed stored hash */
} moi_pw_status;

/* Sets up the limiter for this process: at most slots hashes at once.
 * Called in child_init (threads) or before use (tests). */
int moi_password_limiter_init(apr_pool_t *p, int slots, int wait_ms);

/* Hashes password into *out (a "$argon2id$..." string from p). */
moi_pw_status moi_password_hash(apr_pool_t *p, const char *password, const char **out);

/* Checks password against stored; *rehash is set when the stored hash
 * uses other parameters than today's (the caller stores a new hash). */
moi_pw_status moi_password_verify(const char *stored, const char *password, int *rehash);

/* Spends the time of a verification without an account, so that an
 * unknown e-mail answers as slowly as a wrong password. */
moi_pw_status moi_password_verify_dummy(const char *password);

#endif
