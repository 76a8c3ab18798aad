/* The data store: the one interface through which handlers reach the
 * database.  Handlers never build BSON nor touch libmongoc; they call the
 * moi_store_* functions below, which dispatch to an implementation
 * (moi_store_mongo.c for MongoDB and FerretDB).
 *
 * Lifetimes.  A moi_store_t lives as long as an httpd child (it is created
 * in child_init on a sub-pool of the child pool and destroyed with it).  A
 * moi_store_conn_t lives for one request: moi_store_conn_open() ties it to
 * the request pool, and whatever database client it borrows is given back
 * by that pool's cleanup, whatever path the handler leaves by.
 *
 * Errors.  Every operation returns a moi_store_status; MOI_STORE_UNAVAILABLE
 * means the database could not be reached in time (the caller answers 503),
 * MOI_STORE_ERROR that it answered with an error that is not the caller's
 * fault (logged by the store with what to do).
 */
#ifndef MOI_STORE_H
#define MOI_STORE_H

#include <apr_pools.h>
#include <apr_hash.h>
#include <apr_atomic.h>
#include <apr_time.h>
#include "moi_event.h"

typedef enum {
    MOI_STORE_OK = 0,
    MOI_STORE_NOT_FOUND,
    MOI_STORE_DUPLICATE, /* a unique index refused the write */
    MOI_STORE_CONFLICT,  /* a condition (version, state) did not hold */
    MOI_STORE_UNAVAILABLE,
    MOI_STORE_ERROR,
    MOI_STORE_BUSY /* another write of the same version has not finished: try again later */
} moi_store_status;

typedef struct moi_store_t moi_store_t;
typedef struct moi_store_conn_t moi_store_conn_t;

/* An organiser account (collection organizers). Strings from the caller's
 * pool; id is the 24-hex ObjectId. */
typedef struct {
    const char *id;
    const char *email; /* lower case */
    const char *password_hash;
    const char *name;
    const char *organization;
    const char *organization_type;
    apr_time_t created_at;
    int failed_logins;
    apr_time_t locked_until; /* 0: not locked */
} moi_organizer;

/* A login session (collection sessions); id is the hex SHA-256 of the
 * token's raw bytes, never the token. */
typedef struct {
    const char *id;
    const char *organizer_id;
    const char *csrf;
    apr_time_t created_at;
    apr_time_t last_seen;
    apr_time_t expires_at;
} moi_session;

/* An event (collection events) is moi_event of moi_event.h. */

/* One entry of an event's history (collection event_history). */
typedef struct {
    const char *actor;  /* organiser id */
    const char *action; /* create, update, submit, publish, reject, cancel, delete */
    apr_time_t at;
    apr_array_header_t *fields; /* of const char *: changed field names */
} moi_event_change;

/* A change to an event, applied atomically only when the stored event
 * still has expected_version (0: any) and a status in from_statuses
 * (NULL: any). */
typedef struct {
    int expected_version;
    const char *const *from_statuses;
    const moi_event *fields; /* when not NULL: its editable fields replace the stored ones */
    const char *status;      /* when not NULL: the new status */
    const char *rejection_reason; /* with status: NULL clears it */
    const char *actor;
    const char *action;
    apr_array_header_t *changed; /* field names for the history */
} moi_event_update;

/* Count of events per value of a field (aggregation). */
typedef struct {
    const char *value; /* NULL for none */
    int count;
} moi_count;

/* Failed logins for one submitted e-mail address (collection
 * login_attempts, keyed by the SHA-256 of the address). */
typedef struct {
    int failures;            /* within the current window */
    apr_time_t window_start;
    apr_time_t locked_until; /* 0: not locked */
} moi_login_attempts;

typedef struct {
    const char *name;
    /* Opens a per-request handle on p; never fails (a client is borrowed
     * lazily, at the first operation). */
    moi_store_conn_t *(*conn_open)(moi_store_t *store, apr_pool_t *p);
    /* Gives the borrowed client back now rather than at the pool's end;
     * the handle stays usable (it borrows again if needed). */
    void (*conn_close)(moi_store_conn_t *conn);
    /* Round trip to the database, bounded in time (about 1.5 s) even when
     * the server hangs. */
    moi_store_status (*ping)(moi_store_t *store);
    /* Creates the indexes of every collection; idempotent. */
    moi_store_status (*ensure_indexes)(moi_store_t *store, apr_pool_t *p);

    /* Organisers.  insert fills o->id; MOI_STORE_DUPLICATE when the e-mail
     * address is taken.  The finders answer MOI_STORE_NOT_FOUND. */
    moi_store_status (*organizer_insert)(moi_store_conn_t *c, moi_organizer *o);
    moi_store_status (*organizer_by_email)(moi_store_conn_t *c, const char *email,
                                           moi_organizer **out);
    moi_store_status (*organizer_by_id)(moi_store_conn_t *c, const char *id,
                                        moi_organizer **out);
    moi_store_status (*organizer_set_password)(moi_store_conn_t *c, const char *id,
                                               const char *password_hash);
    /* Mirrors the lockout state on the account (failed_logins, locked_until). */
    moi_store_status (*organizer_set_login_state)(moi_store_conn_t *c, const char *email,
                                                  int failed, apr_time_t locked_until);

    /* Login throttling, per submitted address (key: its SHA-256). */
    moi_store_status (*login_attempts_get)(moi_store_conn_t *c, const char *key,
                                           moi_login_attempts *out);
    /* Counts one failure: a window older than window_usec starts again at
     * now; reaching threshold failures sets locked_until = now + lock_usec. */
    moi_store_status (*login_attempts_fail)(moi_store_conn_t *c, const char *key,
                                            apr_time_t now, apr_time_t window_usec,
                                            int threshold, apr_time_t lock_usec,
                                            moi_login_attempts *out);
    moi_store_status (*login_attempts_clear)(moi_store_conn_t *c, const char *key);

    /* Sessions. */
    moi_store_status (*session_insert)(moi_store_conn_t *c, const moi_session *s);
    moi_store_status (*session_get)(moi_store_conn_t *c, const char *id, moi_session **out);
    moi_store_status (*session_touch)(moi_store_conn_t *c, const char *id,
                                      apr_time_t last_seen, apr_time_t expires_at);
    moi_store_status (*session_delete)(moi_store_conn_t *c, const char *id);
    /* Ends every session of an organiser but except_id (may be NULL). */
    moi_store_status (*session_delete_for_organizer)(moi_store_conn_t *c,
                                                     const char *organizer_id,
                                                     const char *except_id);
    moi_store_status (*session_purge_expired)(moi_store_conn_t *c, apr_time_t now);

    /* Events.  insert sets id, version 1, created_at/updated_at and writes
     * the "create" history entry. */
    moi_store_status (*event_insert)(moi_store_conn_t *c, moi_event *ev, const char *actor);
    moi_store_status (*event_get)(moi_store_conn_t *c, const char *id, moi_event **out);
    /* Applies u; on success *out is the event after the change.  CONFLICT
     * when the version or status condition failed, NOT_FOUND when there
     * is no such event. */
    moi_store_status (*event_update)(moi_store_conn_t *c, const char *id,
                                     const moi_event_update *u, moi_event **out);
    /* Deletes when the condition of u holds (fields and status unused). */
    moi_store_status (*event_delete)(moi_store_conn_t *c, const char *id,
                                     const moi_event_update *u);
    /* Events of an organiser (organizer_id not NULL) or all events of an
     * edition (organizer_id NULL), by starts_at then _id; status NULL =
     * any.  Array of moi_event *. */
    moi_store_status (*event_list)(moi_store_conn_t *c, int edition, const char *organizer_id,
                                   const char *status, apr_array_header_t **out);
    moi_store_status (*event_history)(moi_store_conn_t *c, const char *event_id,
                                      apr_array_header_t **out);
    /* Counts of an edition's events by field (status, region, format,
     * type): array of moi_count, largest first. */
    moi_store_status (*event_counts)(moi_store_conn_t *c, int edition, const char *field,
                                     apr_array_header_t **out);
    /* A cheap marker that changes whenever the module adds, changes or
     * removes an event (any node): a counter document read by _id, whatever
     * the number of events.  Other writers bump it too (README); writes
     * that do not are found by the periodic full reload of the programme. */
    moi_store_status (*event_marker)(moi_store_conn_t *c, int edition, const char **out);
    /* Every organiser account, by id (hash of id -> moi_organizer *). */
    moi_store_status (*organizer_all)(moi_store_conn_t *c, apr_hash_t **out);
} moi_store_ops;

struct moi_store_t {
    const moi_store_ops *ops;
    void *impl;
    const char *description; /* for logs: host list and database, no secret */
    /* After an operation found the database unavailable, the others fail
     * at once until this second (epoch), so a request that needs several
     * round trips answers 503 after one timeout, not several. */
    volatile apr_uint32_t down_until;
    /* When a request last asked, during that time, whether the database is
     * back (milliseconds, modulo 2^32): see moi_store_usable. */
    volatile apr_uint32_t recheck_ms;
};

/* MongoDB implementation.  uri is the admin's connection string (checked
 * with moi_store_mongo_check_uri beforehand); the default timeouts
 * connectTimeoutMS=1000, serverSelectionTimeoutMS=1500, socketTimeoutMS=5000
 * are added when the URI does not set them.  max_clients bounds the pool
 * (the child's thread count).  Returns NULL and sets *err on failure. */
moi_store_t *moi_store_mongo_create(apr_pool_t *p, const char *uri, const char *dbname,
                                    int max_clients, const char **err);

/* Checks a connection string without connecting; NULL when fine, else a
 * French-free technical reason for the start-up message. */
const char *moi_store_mongo_check_uri(apr_pool_t *p, const char *uri);

/* A description of the URI safe to log: hosts and options, no password. */
const char *moi_store_mongo_describe_uri(apr_pool_t *p, const char *uri);

/* Once per process, before any store is created (and before forking). */
void moi_store_mongo_global_init(void);

static inline moi_store_conn_t *moi_store_conn_open(moi_store_t *s, apr_pool_t *p)
{
    return s->ops->conn_open(s, p);
}

static inline void moi_store_conn_close(moi_store_t *s, moi_store_conn_t *c)
{
    s->ops->conn_close(c);
}

static inline moi_store_status moi_store_ping(moi_store_t *s)
{
    return s->ops->ping(s);
}

/* Every implementation's per-request handle starts with this. */
typedef struct {
    moi_store_t *store;
    int unavailable; /* an operation of this request found the database away */
} moi_store_conn_head;

/* The store behind a per-request handle. */
static inline moi_store_t *moi_store_conn_store(moi_store_conn_t *c)
{
    return ((moi_store_conn_head *)(void *)c)->store;
}

/* How often, at most, a child asks whether the database is back while it
 * answers 503 at once. */
#define MOI_STORE_RECHECK_MS 250

/* Whether an operation is worth trying now (see down_until).  While the
 * database is held to be away, one request every MOI_STORE_RECHECK_MS asks
 * it with the health check's short timeouts (a success clears down_until):
 * the database coming back is then noticed by the first write that needs
 * it, not up to two seconds later, and the other requests still answer 503
 * without waiting. */
static inline int moi_store_usable(moi_store_conn_t *c)
{
    moi_store_conn_head *h = (moi_store_conn_head *)(void *)c;
    moi_store_t *s = h->store;
    apr_time_t now;
    apr_uint32_t now_ms, last;

    if (h->unavailable) {
        return 0;
    }
    now = apr_time_now();
    if ((apr_uint32_t)apr_time_sec(now) >= apr_atomic_read32(&s->down_until)) {
        return 1;
    }
    now_ms = (apr_uint32_t)apr_time_as_msec(now);
    last = apr_atomic_read32(&s->recheck_ms);
    if (now_ms - last < MOI_STORE_RECHECK_MS ||
        apr_atomic_cas32(&s->recheck_ms, now_ms, last) != last) {
        return 0; /* asked a moment ago (still away), or being asked now */
    }
    return s->ops->ping(s) == MOI_STORE_OK;
}

static inline moi_store_status moi_store_outcome(moi_store_conn_t *c, moi_store_status st)
{
    if (st == MOI_STORE_UNAVAILABLE) {
        moi_store_conn_head *h = (moi_store_conn_head *)(void *)c;
        h->unavailable = 1;
        apr_atomic_set32(&h->store->down_until, (apr_uint32_t)apr_time_sec(apr_time_now()) + 2);
    }
    return st;
}

/* Calls an operation of the store behind c: at once MOI_STORE_UNAVAILABLE
 * while the database is known to be away. */
#define MOI_STORE_CALL(c, op, ...)                                                             \
    (moi_store_usable(c)                                                                       \
         ? moi_store_outcome((c), moi_store_conn_store(c)->ops->op((c), __VA_ARGS__))          \
         : MOI_STORE_UNAVAILABLE)

static inline moi_store_status moi_store_ensure_indexes(moi_store_t *s, apr_pool_t *p)
{
    return s->ops->ensure_indexes(s, p);
}

#endif
