#include <string.h>
#include <sodium.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_cond.h>
#include "moi_password.h"

#define OPSLIMIT crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE

typedef struct {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *freed;
    int free_slots;
    int wait_ms;
} limiter;

static limiter *lim; /* set up once per process in child_init */
static char dummy_hash[crypto_pwhash_STRBYTES];
static int make_dummy_hash(void);

int moi_password_limiter_init(apr_pool_t *p, int slots, int wait_ms)
{
    limiter *l = apr_pcalloc(p, sizeof(*l));
    if (apr_thread_mutex_create(&l->lock, APR_THREAD_MUTEX_DEFAULT, p) != APR_SUCCESS ||
        apr_thread_cond_create(&l->freed, p) != APR_SUCCESS) {
        return -1;
    }
    l->free_slots = slots > 0 ? slots : 1;
    l->wait_ms = wait_ms;
    lim = l;
    return dummy_hash[0] ? 0 : make_dummy_hash();
}

static int slot_take(void)
{
    apr_time_t deadline;
    if (!lim) {
        return 0;
    }
    deadline = apr_time_now() + apr_time_from_msec(lim->wait_ms);
    apr_thread_mutex_lock(lim->lock);
    while (lim->free_slots == 0) {
        apr_time_t left = deadline - apr_time_now();
        if (left <= 0) {
            apr_thread_mutex_unlock(lim->lock);
            return -1;
        }
        apr_thread_cond_timedwait(lim->freed, lim->lock, left);
    }
    lim->free_slots--;
    apr_thread_mutex_unlock(lim->lock);
    return 0;
}

static void slot_give(void)
{
    if (!lim) {
        return;
    }
    apr_thread_mutex_lock(lim->lock);
    lim->free_slots++;
    apr_thread_cond_signal(lim->freed);
    apr_thread_mutex_unlock(lim->lock);
}

moi_pw_status moi_password_hash(apr_pool_t *p, const char *password, const char **out)
{
    char buf[crypto_pwhash_STRBYTES];
    int rc;
    if (slot_take() != 0) {
        return MOI_PW_BUSY;
    }
    rc = crypto_pwhash_str_alg(buf, password, strlen(password), OPSLIMIT, MEMLIMIT,
                               crypto_pwhash_ALG_ARGON2ID13);
    slot_give();
    if (rc != 0) {
        return MOI_PW_ERROR;
    }
    *out = apr_pstrdup(p, buf);
    return MOI_PW_OK;
}

moi_pw_status moi_password_verify(const char *stored, const char *password, int *rehash)
{
    int rc, other_params;
    *rehash = 0;
    if (!stored || strncmp(stored, "$argon2", 7) != 0) {
        return MOI_PW_ERROR;
    }
    /* -1 when stored cannot be decoded: crypto_pwhash_str_verify would
     * report that as a mismatch. */
    other_params = crypto_pwhash_str_needs_rehash(stored, OPSLIMIT, MEMLIMIT);
    if (other_params < 0) {
        return MOI_PW_ERROR;
    }
    if (slot_take() != 0) {
        return MOI_PW_BUSY;
    }
    rc = crypto_pwhash_str_verify(stored, password, strlen(password));
    slot_give();
    if (rc != 0) {
        return MOI_PW_MISMATCH;
    }
    *rehash = other_params != 0;
    return MOI_PW_OK;
}

/* The hash that an unknown address is checked against.  Made once per
 * process by the limiter's set-up (before any thread serves requests);
 * afterwards only read. */
static int make_dummy_hash(void)
{
    char buf[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(buf, "mod_moisinno dummy password", 27, OPSLIMIT, MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return -1;
    }
    memcpy(dummy_hash, buf, sizeof(buf));
    return 0;
}

moi_pw_status moi_password_verify_dummy(const char *password)
{
    int rehash;
    if (!dummy_hash[0] && make_dummy_hash() != 0) { /* only without the limiter */
        return MOI_PW_ERROR;
    }
    moi_password_verify(dummy_hash, password, &rehash);
    return MOI_PW_MISMATCH;
}
