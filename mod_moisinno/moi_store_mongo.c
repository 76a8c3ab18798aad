/* MongoDB (and FerretDB) implementation of moi_store.h, on libmongoc. */
#include <string.h>
#include <mongoc/mongoc.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_atomic.h>
#include "moi_log.h"
#include "moi_store.h"
#include "moi_store_mongo.h"

#define HEALTH_SOCKET_TIMEOUT_MS 700
#define HEALTH_CONNECT_TIMEOUT_MS 600

struct mongo_store {
    apr_pool_t *pool;
    mongoc_uri_t *uri;
    const char *dbname;
    mongoc_client_pool_t *cpool;  /* in a child: one pool, thread-safe */
    mongoc_client_t *single;      /* in the parent: one client, one thread */
    /* The health check has its own client with a short socket timeout, so
     * that a hung server answers 503 in bounded time. */
    apr_thread_mutex_t *health_lock;
    mongoc_client_t *health;
    apr_time_t health_at;
    moi_store_status health_status;
    volatile apr_uint32_t reachable; /* 1 until an operation finds it down */
    volatile apr_uint32_t indexes_ok;
};

/* Set in the parent when index creation failed at start-up; children
 * retry at their first operation. */
static volatile apr_uint32_t indexes_pending;

/* libmongoc's own messages go to the module's log, at matching levels. */
static void mongoc_log_to_moi(mongoc_log_level_t level, const char *domain,
                              const char *message, void *data)
{
    moi_log_level l;
    (void)data;
    switch (level) {
    case MONGOC_LOG_LEVEL_ERROR:
    case MONGOC_LOG_LEVEL_CRITICAL:
        l = MOI_LOG_ERR;
        break;
    case MONGOC_LOG_LEVEL_WARNING:
        l = MOI_LOG_WARNING;
        break;
    case MONGOC_LOG_LEVEL_MESSAGE:
    case MONGOC_LOG_LEVEL_INFO:
        l = MOI_LOG_INFO;
        break;
    default:
        return; /* debug and trace: far too verbose for an error log */
    }
    if (strstr(message, "endSessions")) {
        /* FerretDB has no endSessions; libmongoc says so at every client's
         * end, which an admin can do nothing about. */
        l = MOI_LOG_DEBUG;
    }
    moi_log(l, 0, MOI_LOGNO(00100) "libmongoc %s: %s", domain, message);
}

void moi_store_mongo_global_init(void)
{
    static int done;
    if (!done) {
        mongoc_init();
        mongoc_log_set_handler(mongoc_log_to_moi, NULL);
        done = 1;
    }
}

static apr_status_t uri_cleanup(void *data)
{
    mongoc_uri_destroy(data);
    return APR_SUCCESS;
}

static apr_status_t client_cleanup(void *data)
{
    mongoc_client_destroy(data);
    return APR_SUCCESS;
}

static apr_status_t cpool_cleanup(void *data)
{
    mongoc_client_pool_destroy(data);
    return APR_SUCCESS;
}

const char *moi_store_mongo_check_uri(apr_pool_t *p, const char *uri)
{
    bson_error_t error;
    mongoc_uri_t *u = mongoc_uri_new_with_error(uri, &error);
    if (!u) {
        return apr_pstrdup(p, error.message);
    }
    mongoc_uri_destroy(u);
    return NULL;
}

const char *moi_store_mongo_describe_uri(apr_pool_t *p, const char *uri)
{
    bson_error_t error;
    const mongoc_host_list_t *h;
    const char *hosts = NULL;
    mongoc_uri_t *u = mongoc_uri_new_with_error(uri, &error);

    if (!u) {
        return "(invalid URI)";
    }
    for (h = mongoc_uri_get_hosts(u); h; h = h->next) {
        hosts = hosts ? apr_pstrcat(p, hosts, ",", h->host_and_port, NULL)
                      : apr_pstrdup(p, h->host_and_port);
    }
    if (!hosts && mongoc_uri_get_srv_hostname(u)) {
        hosts = apr_pstrcat(p, "srv:", mongoc_uri_get_srv_hostname(u), NULL);
    }
    mongoc_uri_destroy(u);
    return hosts ? hosts : "(no host)";
}

static void default_int32(mongoc_uri_t *u, const char *key, int32_t v)
{
    if (!mongoc_uri_has_option(u, key)) {
        mongoc_uri_set_option_as_int32(u, key, v);
    }
}

/* Is this error the database's absence (503) rather than a refusal?
 * Client-side, network and server-selection errors are; so are the server
 * codes of a replica set changing primary or shutting down. */
static int error_is_unavailable(const bson_error_t *e)
{
    static const uint32_t transient[] = {6,     7,     89,    91,    189,  9001,
                                         10107, 11600, 11602, 13435, 13436};
    size_t i;

    if (e->domain == MONGOC_ERROR_CLIENT || e->domain == MONGOC_ERROR_STREAM ||
        e->domain == MONGOC_ERROR_PROTOCOL || e->domain == MONGOC_ERROR_SERVER_SELECTION) {
        return 1;
    }
    for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++) {
        if (e->code == transient[i]) {
            return 1;
        }
    }
    return 0;
}

/* Logs a transition to "unreachable" once per child, not once per request. */
moi_store_status moi_mongo_note_failure(mongo_store *ms, const char *what, const bson_error_t *e)
{
    if (error_is_unavailable(e)) {
        if (apr_atomic_cas32(&ms->reachable, 0, 1) == 1) {
            moi_log(MOI_LOG_ERR, 0,
                    MOI_LOGNO(00101) "database %s unreachable during %s: %s (domain %u, "
                                     "code %u). Check that the MongoDB server is running "
                                     "and that MoisInnoMongoURI names it; requests that "
                                     "need it get 503 until it answers again.",
                    ms->dbname, what, e->message, e->domain, e->code);
        }
        return MOI_STORE_UNAVAILABLE;
    }
    moi_log(MOI_LOG_ERR, 0,
            MOI_LOGNO(00102) "database %s refused %s: %s (domain %u, code %u). Check the "
                             "server's version (MongoDB 5.0+ or FerretDB) and the "
                             "account's rights on the database.",
            ms->dbname, what, e->message, e->domain, e->code);
    return MOI_STORE_ERROR;
}

void moi_mongo_note_success(mongo_store *ms)
{
    if (apr_atomic_cas32(&ms->reachable, 1, 0) == 0) {
        moi_log(MOI_LOG_NOTICE, 0, MOI_LOGNO(00103) "database %s reachable again",
                ms->dbname);
    }
}

static apr_status_t conn_release(void *data)
{
    moi_store_conn_t *c = data;
    if (c->collections) {
        while (c->collections->nelts > 0) {
            mongoc_collection_destroy(*(mongoc_collection_t **)apr_array_pop(c->collections));
        }
    }
    if (c->client && c->ms->cpool) {
        mongoc_client_pool_push(c->ms->cpool, c->client);
    }
    c->client = NULL;
    return APR_SUCCESS;
}

static moi_store_status ensure_indexes_with(mongo_store *ms, mongoc_client_t *client,
                                            apr_pool_t *p);

/* The client of this request, borrowed at first use. */
mongoc_client_t *moi_mongo_client(moi_store_conn_t *c)
{
    mongo_store *ms = c->ms;
    if (c->client) {
        return c->client;
    }
    if (ms->cpool) {
        c->client = mongoc_client_pool_pop(ms->cpool);
        apr_pool_cleanup_register(c->pool, c, conn_release, apr_pool_cleanup_null);
    }
    else {
        c->client = ms->single;
    }
    if (apr_atomic_read32(&indexes_pending) && !apr_atomic_read32(&ms->indexes_ok)) {
        ensure_indexes_with(ms, c->client, c->pool);
    }
    return c->client;
}

static moi_store_conn_t *mongo_conn_open(moi_store_t *store, apr_pool_t *p)
{
    moi_store_conn_t *c = apr_pcalloc(p, sizeof(*c));
    c->head.store = store;
    c->ms = store->impl;
    c->pool = p;
    return c;
}

/* Creates the health client lazily, with short timeouts. */
static mongoc_client_t *health_client(mongo_store *ms)
{
    mongoc_uri_t *u;
    if (ms->health) {
        return ms->health;
    }
    u = mongoc_uri_copy(ms->uri);
    /* A check may take a stale-socket probe and a reconnection: each is
     * bounded so that the whole answers well within 2 s. */
    if (mongoc_uri_get_option_as_int32(u, MONGOC_URI_SOCKETTIMEOUTMS, 0) <= 0 ||
        mongoc_uri_get_option_as_int32(u, MONGOC_URI_SOCKETTIMEOUTMS, 0) >
            HEALTH_SOCKET_TIMEOUT_MS) {
        mongoc_uri_set_option_as_int32(u, MONGOC_URI_SOCKETTIMEOUTMS,
                                       HEALTH_SOCKET_TIMEOUT_MS);
    }
    if (mongoc_uri_get_option_as_int32(u, MONGOC_URI_CONNECTTIMEOUTMS, 0) <= 0 ||
        mongoc_uri_get_option_as_int32(u, MONGOC_URI_CONNECTTIMEOUTMS, 0) >
            HEALTH_CONNECT_TIMEOUT_MS) {
        mongoc_uri_set_option_as_int32(u, MONGOC_URI_CONNECTTIMEOUTMS,
                                       HEALTH_CONNECT_TIMEOUT_MS);
    }
    ms->health = mongoc_client_new_from_uri(u);
    mongoc_uri_destroy(u);
    if (ms->health) {
        mongoc_client_set_error_api(ms->health, MONGOC_ERROR_API_VERSION_2);
        apr_pool_cleanup_register(ms->pool, ms->health, client_cleanup,
                                  apr_pool_cleanup_null);
    }
    return ms->health;
}

/* One ping at a time per child; a request that waited for another's ping
 * takes its answer instead of starting a second one. */
static moi_store_status mongo_ping(moi_store_t *store)
{
    mongo_store *ms = store->impl;
    apr_time_t asked = apr_time_now();
    moi_store_status st;
    mongoc_client_t *client;
    bson_t cmd = BSON_INITIALIZER;
    bson_error_t error;

    if (ms->health_lock) {
        apr_thread_mutex_lock(ms->health_lock);
    }
    if (ms->health_at >= asked) {
        st = ms->health_status;
        goto done;
    }
    client = health_client(ms);
    if (!client) {
        st = MOI_STORE_ERROR;
        goto done;
    }
    BSON_APPEND_INT32(&cmd, "ping", 1);
    if (mongoc_client_command_simple(client, "admin", &cmd, NULL, NULL, &error)) {
        moi_mongo_note_success(ms);
        apr_atomic_set32(&store->down_until, 0); /* back: let requests try again */
        st = MOI_STORE_OK;
    }
    else {
        st = moi_mongo_note_failure(ms, "a health check", &error);
        /* A single-threaded client does not check a server again for 5 s
         * after a failed handshake ("cooldown"): the health check would
         * still say 503 seconds after the database is back.  The next
         * check starts from a new client (one connection, bounded by the
         * short timeouts above). */
        apr_pool_cleanup_run(ms->pool, client, client_cleanup);
        ms->health = NULL;
    }
    ms->health_status = st;
    ms->health_at = apr_time_now();
done:
    bson_destroy(&cmd);
    if (ms->health_lock) {
        apr_thread_mutex_unlock(ms->health_lock);
    }
    return st;
}

/* One index: keys as alternating names and directions, NULL-terminated. */
typedef struct {
    const char *collection;
    const char *name;
    const char *keys[6];
    int unique;
    int ttl; /* expireAfterSeconds: 0 on the expiry date itself */
} index_spec;

static const index_spec index_specs[] = {
    {"events", "starts_at_1", {"starts_at", NULL}, 0, -1},
    {"events", "region_1_starts_at_1", {"region", "starts_at", NULL}, 0, -1},
    {"events", "format_1_starts_at_1", {"format", "starts_at", NULL}, 0, -1},
    {"events", "status_1_starts_at_1", {"status", "starts_at", NULL}, 0, -1},
    {"events", "organizer_id_1", {"organizer_id", NULL}, 0, -1},
    {"events", "updated_at_1", {"updated_at", NULL}, 0, -1},
    {"event_history", "event_id_1_at_1", {"event_id", "at", NULL}, 0, -1},
    {"organizers", "email_1", {"email", NULL}, 1, -1},
    {"sessions", "expires_at_1", {"expires_at", NULL}, 0, 0},
    {"sessions", "organizer_id_1", {"organizer_id", NULL}, 0, -1},
    {"login_failures", "key_1_at_1", {"key", "at", NULL}, 0, -1},
};

/* Runs createIndexes for one index; with_ttl = 0 leaves out the TTL. */
static int create_index(mongo_store *ms, mongoc_client_t *client, const index_spec *spec,
                        int with_ttl, bson_error_t *error)
{
    bson_t cmd = BSON_INITIALIZER, indexes, index, key;
    mongoc_database_t *db;
    int i, ok;

    BSON_APPEND_UTF8(&cmd, "createIndexes", spec->collection);
    BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &indexes);
    BSON_APPEND_DOCUMENT_BEGIN(&indexes, "0", &index);
    BSON_APPEND_DOCUMENT_BEGIN(&index, "key", &key);
    for (i = 0; spec->keys[i]; i++) {
        BSON_APPEND_INT32(&key, spec->keys[i], 1);
    }
    bson_append_document_end(&index, &key);
    BSON_APPEND_UTF8(&index, "name", spec->name);
    if (spec->unique) {
        BSON_APPEND_BOOL(&index, "unique", true);
    }
    if (with_ttl && spec->ttl >= 0) {
        BSON_APPEND_INT32(&index, "expireAfterSeconds", spec->ttl);
    }
    bson_append_document_end(&indexes, &index);
    bson_append_array_end(&cmd, &indexes);

    db = mongoc_client_get_database(client, ms->dbname);
    ok = mongoc_database_write_command_with_opts(db, &cmd, NULL, NULL, error);
    mongoc_database_destroy(db);
    bson_destroy(&cmd);
    return ok;
}

static moi_store_status ensure_indexes_with(mongo_store *ms, mongoc_client_t *client,
                                            apr_pool_t *p)
{
    size_t i;
    bson_error_t error;
    static volatile apr_uint32_t ttl_notice_logged;

    (void)p;
    for (i = 0; i < sizeof(index_specs) / sizeof(index_specs[0]); i++) {
        const index_spec *spec = &index_specs[i];
        if (create_index(ms, client, spec, 1, &error)) {
            continue;
        }
        if (spec->ttl >= 0 && !error_is_unavailable(&error)) {
            /* FerretDB 1.x has no TTL indexes: expiry is checked on every
             * request anyway and expired documents are purged by the
             * module, so a plain index does. */
            if (apr_atomic_cas32(&ttl_notice_logged, 1, 0) == 0) {
                moi_log(MOI_LOG_NOTICE, 0,
                        MOI_LOGNO(00104) "the database refused a TTL index on %s.%s (%s); "
                                         "using a plain index, expired documents are "
                                         "purged by the module",
                        spec->collection, spec->keys[0], error.message);
            }
            if (create_index(ms, client, spec, 0, &error)) {
                continue;
            }
        }
        return moi_mongo_note_failure(ms, apr_psprintf(p, "creating index %s.%s", spec->collection,
                                             spec->name),
                            &error);
    }
    apr_atomic_set32(&ms->indexes_ok, 1);
    moi_mongo_note_success(ms);
    return MOI_STORE_OK;
}

static moi_store_status mongo_ensure_indexes(moi_store_t *store, apr_pool_t *p)
{
    mongo_store *ms = store->impl;
    moi_store_conn_t *c = mongo_conn_open(store, p);
    moi_store_status st;

    /* conn_client would retry pending indexes itself; avoid the recursion. */
    apr_atomic_set32(&ms->indexes_ok, 1);
    st = ensure_indexes_with(ms, moi_mongo_client(c), p);
    if (st != MOI_STORE_OK) {
        apr_atomic_set32(&ms->indexes_ok, 0);
    }
    if (!ms->cpool) {
        /* In the parent: tell the children whether to retry. */
        apr_atomic_set32(&indexes_pending, st != MOI_STORE_OK);
    }
    conn_release(c);
    return st;
}

static void mongo_conn_close(moi_store_conn_t *c)
{
    if (c->client && c->ms->cpool) {
        apr_pool_cleanup_run(c->pool, c, conn_release);
    }
}

static const moi_store_ops mongo_ops = {
    "mongodb",
    mongo_conn_open,
    mongo_conn_close,
    mongo_ping,
    mongo_ensure_indexes,
    moi_mongo_organizer_insert,
    moi_mongo_organizer_by_email,
    moi_mongo_organizer_by_id,
    moi_mongo_organizer_set_password,
    moi_mongo_organizer_set_login_state,
    moi_mongo_login_attempts_get,
    moi_mongo_login_attempts_fail,
    moi_mongo_login_attempts_clear,
    moi_mongo_session_insert,
    moi_mongo_session_get,
    moi_mongo_session_touch,
    moi_mongo_session_delete,
    moi_mongo_session_delete_for_organizer,
    moi_mongo_session_purge_expired,
    moi_mongo_event_insert,
    moi_mongo_event_get,
    moi_mongo_event_update,
    moi_mongo_event_delete,
    moi_mongo_event_list,
    moi_mongo_event_history,
    moi_mongo_event_counts,
    moi_mongo_event_marker,
    moi_mongo_organizer_all,
};

moi_store_t *moi_store_mongo_create(apr_pool_t *p, const char *uri, const char *dbname,
                                    int max_clients, const char **err)
{
    bson_error_t error;
    mongo_store *ms = apr_pcalloc(p, sizeof(*ms));
    moi_store_t *store = apr_pcalloc(p, sizeof(*store));

    ms->pool = p;
    ms->dbname = apr_pstrdup(p, dbname);
    ms->reachable = 1;
    ms->uri = mongoc_uri_new_with_error(uri, &error);
    if (!ms->uri) {
        *err = apr_psprintf(p, "invalid MongoDB URI: %s", error.message);
        return NULL;
    }
    apr_pool_cleanup_register(p, ms->uri, uri_cleanup, apr_pool_cleanup_null);
    default_int32(ms->uri, MONGOC_URI_CONNECTTIMEOUTMS, 1000);
    default_int32(ms->uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 1500);
    default_int32(ms->uri, MONGOC_URI_SOCKETTIMEOUTMS, 5000);
    if (!mongoc_uri_has_option(ms->uri, MONGOC_URI_APPNAME)) {
        mongoc_uri_set_appname(ms->uri, "mod_moisinno");
    }

    if (max_clients > 0) {
        default_int32(ms->uri, MONGOC_URI_MAXPOOLSIZE, max_clients);
        /* The pool's monitor notices a dead or hung server within about
         * a second, after which requests fail fast (server selection)
         * instead of waiting for socketTimeoutMS. */
        default_int32(ms->uri, MONGOC_URI_HEARTBEATFREQUENCYMS, 1000);
        ms->cpool = mongoc_client_pool_new_with_error(ms->uri, &error);
        if (!ms->cpool) {
            *err = apr_psprintf(p, "cannot create the client pool: %s", error.message);
            return NULL;
        }
        mongoc_client_pool_set_error_api(ms->cpool, MONGOC_ERROR_API_VERSION_2);
        apr_pool_cleanup_register(p, ms->cpool, cpool_cleanup, apr_pool_cleanup_null);
        if (apr_thread_mutex_create(&ms->health_lock, APR_THREAD_MUTEX_DEFAULT, p) !=
            APR_SUCCESS) {
            *err = "cannot create a mutex";
            return NULL;
        }
    }
    else {
        ms->single = mongoc_client_new_from_uri_with_error(ms->uri, &error);
        if (!ms->single) {
            *err = apr_psprintf(p, "cannot create a client: %s", error.message);
            return NULL;
        }
        mongoc_client_set_error_api(ms->single, MONGOC_ERROR_API_VERSION_2);
        apr_pool_cleanup_register(p, ms->single, client_cleanup, apr_pool_cleanup_null);
    }
    store->ops = &mongo_ops;
    store->impl = ms;
    store->description =
        apr_psprintf(p, "%s/%s", moi_store_mongo_describe_uri(p, uri), ms->dbname);
    return store;
}

/* ---- helpers shared by the collection files ---------------------------- */

mongoc_collection_t *moi_mongo_collection(moi_store_conn_t *c, const char *name)
{
    mongoc_collection_t *coll =
        mongoc_client_get_collection(moi_mongo_client(c), c->ms->dbname, name);
    if (!c->collections) {
        c->collections = apr_array_make(c->pool, 4, sizeof(mongoc_collection_t *));
    }
    APR_ARRAY_PUSH(c->collections, mongoc_collection_t *) = coll;
    return coll;
}

int moi_mongo_is_duplicate(const bson_error_t *e)
{
    return e->code == 11000 || e->code == 11001 ||
           (e->code == 1 && (strstr(e->message, "UNIQUE constraint failed") ||
                             strstr(e->message, "duplicate key")));
}

apr_time_t moi_bson_time(const bson_t *doc, const char *key)
{
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_DATE_TIME(&it)) {
        return (apr_time_t)bson_iter_date_time(&it) * 1000;
    }
    return 0;
}

const char *moi_bson_str(apr_pool_t *p, const bson_t *doc, const char *key)
{
    bson_iter_t it;
    uint32_t len;
    const char *s;
    if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_UTF8(&it)) {
        s = bson_iter_utf8(&it, &len);
        return apr_pstrmemdup(p, s, len);
    }
    return NULL;
}

int moi_bson_int(const bson_t *doc, const char *key)
{
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, key) &&
        (BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it) ||
         BSON_ITER_HOLDS_DOUBLE(&it))) {
        return (int)bson_iter_as_int64(&it);
    }
    return 0;
}

const char *moi_bson_oid_str(apr_pool_t *p, const bson_t *doc, const char *key)
{
    bson_iter_t it;
    char buf[25];
    if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_OID(&it)) {
        bson_oid_to_string(bson_iter_oid(&it), buf);
        return apr_pstrdup(p, buf);
    }
    return NULL;
}

int moi_oid_parse(const char *s, bson_oid_t *oid)
{
    size_t i;
    if (!s || strlen(s) != 24) {
        return -1;
    }
    for (i = 0; i < 24; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return -1;
        }
    }
    bson_oid_init_from_string(oid, s);
    return 0;
}

void moi_bson_append_time(bson_t *b, const char *key, apr_time_t t)
{
    if (t) {
        BSON_APPEND_DATE_TIME(b, key, t / 1000);
    }
    else {
        BSON_APPEND_NULL(b, key);
    }
}
