/* moi_password: argon2id hashing, verification, rehash flag, the limiter.
 *
 * Each hash takes about 0.1 s and 64 MiB, so the suite makes few of them. */
#include <string.h>
#include <sodium.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <apr_time.h>
#include "moi_password.h"
#include "unit.h"

#define PREFIX "$argon2id$v=19$m=65536,t=2,p=1$"
#define PASSWORD "correct horse battery staple"

/* The limiter outlives the test that installs it (nothing uninstalls it),
 * so it lives in a pool that lasts until apr_terminate(). */
static apr_pool_t *limiter_pool;

static void limiter_init(int slots, int wait_ms)
{
    if (!limiter_pool) {
        ck_assert_int_eq(apr_pool_create(&limiter_pool, NULL), APR_SUCCESS);
    }
    ck_assert_int_eq(moi_password_limiter_init(limiter_pool, slots, wait_ms), 0);
}

/* A hash of password with the smallest argon2id parameters: fast. */
static const char *cheap_hash(const char *password)
{
    char buf[crypto_pwhash_STRBYTES];
    ck_assert_int_eq(crypto_pwhash_str_alg(buf, password, strlen(password),
                                           crypto_pwhash_argon2id_OPSLIMIT_MIN,
                                           crypto_pwhash_argon2id_MEMLIMIT_MIN,
                                           crypto_pwhash_ALG_ARGON2ID13),
                     0);
    return apr_pstrdup(unit_pool, buf);
}

/* ---- hash and verify ---------------------------------------------------- */

/* One real hash, verified right and wrong: three argon2id runs. */
START_TEST(hash_then_verify)
{
    const char *h = NULL;
    int rehash = -1;

    ck_assert_int_eq(moi_password_hash(unit_pool, PASSWORD, &h), MOI_PW_OK);
    ck_assert_ptr_nonnull(h);
    ck_assert_msg(!strncmp(h, PREFIX, strlen(PREFIX)), "unexpected hash '%s'", h);
    ck_assert_uint_lt(strlen(h), crypto_pwhash_STRBYTES);
    ck_assert(strchr(h + strlen(PREFIX), '$') != NULL); /* salt$hash */

    ck_assert_int_eq(moi_password_verify(h, PASSWORD, &rehash), MOI_PW_OK);
    ck_assert_int_eq(rehash, 0);

    rehash = -1;
    ck_assert_int_eq(moi_password_verify(h, PASSWORD "!", &rehash), MOI_PW_MISMATCH);
    ck_assert_int_eq(rehash, 0);
}
END_TEST

START_TEST(other_parameters_ask_for_rehash)
{
    const char *h = cheap_hash(PASSWORD);
    int rehash = -1;

    ck_assert(!strncmp(h, "$argon2id$v=19$", 15));
    ck_assert_int_eq(moi_password_verify(h, PASSWORD, &rehash), MOI_PW_OK);
    ck_assert_int_eq(rehash, 1);

    rehash = -1;
    ck_assert_int_eq(moi_password_verify(h, "wrong password", &rehash), MOI_PW_MISMATCH);
    ck_assert_int_eq(rehash, 0);
    ck_assert_int_eq(moi_password_verify(h, "", &rehash), MOI_PW_MISMATCH);
}
END_TEST

START_TEST(malformed_stored_hash_is_error)
{
    static const char *bad[] = {
        "",
        "plain text password",
        "$2y$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
        "$argon2",
        "$argon2id$",
        "$argon2x$v=19$m=8,t=1,p=1$c29tZXNhbHQ$c29tZWhhc2hzb21laGFzaA",
        "$argon2id$v=19$m=65536,t=2,p=1$",
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$",
        "$argon2id$v=19$m=65536,t=2,p=1$!!!!$!!!!",
        "$argon2id$v=19$m=abc,t=2,p=1$c29tZXNhbHQxMjM0NTY$c29tZWhhc2hzb21laGFzaA",
    };
    size_t i;
    int rehash;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rehash = -1;
        ck_assert_msg(moi_password_verify(bad[i], PASSWORD, &rehash) == MOI_PW_ERROR,
                      "'%s' not an error", bad[i]);
        ck_assert_int_eq(rehash, 0);
    }
    rehash = -1;
    ck_assert_int_eq(moi_password_verify(NULL, PASSWORD, &rehash), MOI_PW_ERROR);
    ck_assert_int_eq(rehash, 0);

    /* A hash cut short is malformed too. */
    {
        const char *h = cheap_hash(PASSWORD);
        const char *cut = apr_pstrndup(unit_pool, h, (size_t)(strrchr(h, '$') + 6 - h));
        ck_assert_int_eq(moi_password_verify(cut, PASSWORD, &rehash), MOI_PW_ERROR);
    }
}
END_TEST

/* Computes the dummy hash, then verifies against it: two argon2id runs. */
START_TEST(verify_dummy_is_mismatch)
{
    ck_assert_int_eq(moi_password_verify_dummy(PASSWORD), MOI_PW_MISMATCH);
    ck_assert_int_eq(moi_password_verify_dummy("mod_moisinno dummy password"),
                     MOI_PW_MISMATCH);
}
END_TEST

/* ---- limiter ------------------------------------------------------------ */

typedef struct {
    apr_pool_t *pool; /* the thread's own */
    const char *password;
    const char *hash;
    moi_pw_status status;
    volatile apr_uint32_t started;
} hasher;

static void *APR_THREAD_FUNC hash_thread(apr_thread_t *t, void *data)
{
    hasher *h = data;
    apr_atomic_set32(&h->started, 1);
    h->status = moi_password_hash(h->pool, h->password, &h->hash);
    /* A plain return, not apr_thread_exit(): see round_trips() in test_tz.c. */
    (void)t;
    return NULL;
}

static apr_thread_t *hasher_start(hasher *h, const char *password)
{
    apr_thread_t *t;
    memset(h, 0, sizeof(*h));
    h->password = password;
    h->status = MOI_PW_ERROR;
    ck_assert_int_eq(apr_pool_create(&h->pool, unit_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_thread_create(&t, NULL, hash_thread, h, unit_pool), APR_SUCCESS);
    return t;
}

static void hasher_join(apr_thread_t *t)
{
    apr_status_t rv;
    ck_assert_int_eq(apr_thread_join(&rv, t), APR_SUCCESS);
}

/* One slot and a 1 ms wait: while a thread hashes, another caller is turned
 * away.  Which of the two gets the slot depends on scheduling, so a round
 * counts when either is refused; the helper starts first and has 20 ms of
 * advance on a hash of about 100 ms, so the first round nearly always does. */
START_TEST(limiter_busy_when_slot_held)
{
    const char *quick = cheap_hash("quick one");
    int round, busy_seen = 0;

    for (round = 0; round < 5 && !busy_seen; round++) {
        hasher h;
        apr_thread_t *t;
        moi_pw_status st;
        int rehash = -1;

        limiter_init(1, 1);
        t = hasher_start(&h, PASSWORD);
        while (!apr_atomic_read32(&h.started)) {
            apr_sleep(apr_time_from_msec(1));
        }
        apr_sleep(apr_time_from_msec(20));
        st = moi_password_verify(quick, "quick one", &rehash);
        hasher_join(t);

        ck_assert_msg(st == MOI_PW_OK || st == MOI_PW_BUSY, "main got %d", (int)st);
        ck_assert_msg(h.status == MOI_PW_OK || h.status == MOI_PW_BUSY, "helper got %d",
                      (int)h.status);
        /* With one slot, only one of the two can have been turned away. */
        ck_assert(!(st == MOI_PW_BUSY && h.status == MOI_PW_BUSY));
        if (st == MOI_PW_BUSY) {
            ck_assert_int_eq(rehash, 0);
        } else {
            ck_assert_int_eq(rehash, 1);
        }
        if (h.status == MOI_PW_OK) {
            ck_assert(!strncmp(h.hash, PREFIX, strlen(PREFIX)));
        }
        busy_seen = st == MOI_PW_BUSY || h.status == MOI_PW_BUSY;
    }
    ck_assert_msg(busy_seen, "no caller was turned away in %d rounds", round);
}
END_TEST

/* One slot and a long wait: the second caller waits its turn, both hash. */
START_TEST(limiter_long_wait_both_succeed)
{
    hasher h;
    apr_thread_t *t;
    const char *mine = NULL;
    moi_pw_status st;

    limiter_init(1, 600000);
    t = hasher_start(&h, PASSWORD);
    while (!apr_atomic_read32(&h.started)) {
        apr_sleep(apr_time_from_msec(1));
    }
    st = moi_password_hash(unit_pool, "another password", &mine);
    hasher_join(t);

    ck_assert_int_eq(st, MOI_PW_OK);
    ck_assert_int_eq(h.status, MOI_PW_OK);
    ck_assert(!strncmp(mine, PREFIX, strlen(PREFIX)));
    ck_assert(!strncmp(h.hash, PREFIX, strlen(PREFIX)));
    ck_assert_str_ne(mine, h.hash);
}
END_TEST

/* A free slot is taken at once, however short the wait. */
START_TEST(limiter_free_slot_no_wait)
{
    const char *quick = cheap_hash("quick two");
    int rehash = -1, i;

    limiter_init(1, 0);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(moi_password_verify(quick, "quick two", &rehash), MOI_PW_OK);
        ck_assert_int_eq(moi_password_verify(quick, "quick 2", &rehash), MOI_PW_MISMATCH);
    }
}
END_TEST

Suite *password_suite(void)
{
    Suite *s = suite_create("password");
    TCase *tc = unit_tcase("hash");

    tcase_add_test(tc, hash_then_verify);
    tcase_add_test(tc, other_parameters_ask_for_rehash);
    tcase_add_test(tc, malformed_stored_hash_is_error);
    tcase_add_test(tc, verify_dummy_is_mismatch);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = unit_tcase("limiter");
    tcase_add_test(tc, limiter_free_slot_no_wait);
    tcase_add_test(tc, limiter_busy_when_slot_held);
    tcase_add_test(tc, limiter_long_wait_both_succeed);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}
