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

typedef enum {
    MOI_STORE_OK = 0,
    MOI_STORE_NOT_FOUND,
    MOI_STORE_DUPLICATE, /* a unique index refused the write */
    MOI_STORE_CONFLICT,  /* a condition (version, state) did not hold */
    MOI_STORE_UNAVAILABLE,
    MOI_STORE_ERROR
} moi_store_status;

typedef struct moi_store_t moi_store_t;
typedef struct moi_store_conn_t moi_store_conn_t;

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
} moi_store_ops;

struct moi_store_t {
    const moi_store_ops *ops;
    void *impl;
    const char *description; /* for logs: host list and database, no secret */
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

static inline moi_store_status moi_store_ensure_indexes(moi_store_t *s, apr_pool_t *p)
{
    return s->ops->ensure_indexes(s, p);
}

#endif
