/* MongoDB store: organizers, login_attempts and sessions. */
#include <string.h>
#include <apr_strings.h>
#include "moi_store_mongo.h"

static apr_status_t bson_cleanup(void *data)
{
    bson_destroy(data);
    return APR_SUCCESS;
}

/* A copy of a document owned by the pool. */
const bson_t *moi_mongo_keep(apr_pool_t *p, const bson_t *doc)
{
    bson_t *copy = bson_copy(doc);
    apr_pool_cleanup_register(p, copy, bson_cleanup, apr_pool_cleanup_null);
    return copy;
}

/* Finds one document; *out is pool-owned.  NOT_FOUND when none. */
moi_store_status moi_mongo_find_one(moi_store_conn_t *c, const char *coll_name,
                                 const bson_t *filter, const char *what, const bson_t **out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, coll_name);
    bson_t opts = BSON_INITIALIZER;
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t error;
    moi_store_status st = MOI_STORE_NOT_FOUND;

    BSON_APPEND_INT64(&opts, "limit", 1);
    cur = mongoc_collection_find_with_opts(coll, filter, &opts, NULL);
    if (mongoc_cursor_next(cur, &doc)) {
        *out = moi_mongo_keep(c->pool, doc);
        st = MOI_STORE_OK;
    }
    else if (mongoc_cursor_error(cur, &error)) {
        st = moi_mongo_note_failure(c->ms, what, &error);
    }
    mongoc_cursor_destroy(cur);
    bson_destroy(&opts);
    if (st == MOI_STORE_OK || st == MOI_STORE_NOT_FOUND) {
        moi_mongo_note_success(c->ms);
    }
    return st;
}

/* Runs update_one / delete_many and classifies the outcome. */
moi_store_status moi_mongo_write_result(moi_store_conn_t *c, int ok, const bson_error_t *error,
                                     const char *what)
{
    if (ok) {
        moi_mongo_note_success(c->ms);
        return MOI_STORE_OK;
    }
    if (moi_mongo_is_duplicate(error)) {
        return MOI_STORE_DUPLICATE;
    }
    return moi_mongo_note_failure(c->ms, what, error);
}

static moi_organizer *organizer_from(apr_pool_t *p, const bson_t *doc)
{
    moi_organizer *o = apr_pcalloc(p, sizeof(*o));
    o->id = moi_bson_oid_str(p, doc, "_id");
    o->email = moi_bson_str(p, doc, "email");
    o->password_hash = moi_bson_str(p, doc, "password_hash");
    o->name = moi_bson_str(p, doc, "name");
    o->organization = moi_bson_str(p, doc, "organization");
    o->organization_type = moi_bson_str(p, doc, "organization_type");
    o->created_at = moi_bson_time(doc, "created_at");
    o->failed_logins = moi_bson_int(doc, "failed_logins");
    o->locked_until = moi_bson_time(doc, "locked_until");
    return o;
}

moi_store_status moi_mongo_organizer_insert(moi_store_conn_t *c, moi_organizer *o)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "organizers");
    bson_t doc = BSON_INITIALIZER;
    bson_oid_t oid;
    bson_error_t error;
    char buf[25];
    int ok;

    bson_oid_init(&oid, NULL);
    BSON_APPEND_OID(&doc, "_id", &oid);
    BSON_APPEND_UTF8(&doc, "email", o->email);
    BSON_APPEND_UTF8(&doc, "password_hash", o->password_hash);
    BSON_APPEND_UTF8(&doc, "name", o->name);
    BSON_APPEND_UTF8(&doc, "organization", o->organization);
    BSON_APPEND_UTF8(&doc, "organization_type", o->organization_type);
    moi_bson_append_time(&doc, "created_at", o->created_at);
    BSON_APPEND_INT32(&doc, "failed_logins", 0);
    BSON_APPEND_NULL(&doc, "locked_until");
    ok = mongoc_collection_insert_one(coll, &doc, NULL, NULL, &error);
    bson_destroy(&doc);
    if (ok) {
        bson_oid_to_string(&oid, buf);
        o->id = apr_pstrdup(c->pool, buf);
    }
    return moi_mongo_write_result(c, ok, &error, "creating an organiser account");
}

moi_store_status moi_mongo_organizer_by_email(moi_store_conn_t *c, const char *email,
                                              moi_organizer **out)
{
    bson_t filter = BSON_INITIALIZER;
    const bson_t *doc;
    moi_store_status st;
    BSON_APPEND_UTF8(&filter, "email", email);
    st = moi_mongo_find_one(c, "organizers", &filter, "reading an organiser account", &doc);
    bson_destroy(&filter);
    if (st == MOI_STORE_OK) {
        *out = organizer_from(c->pool, doc);
    }
    return st;
}

moi_store_status moi_mongo_organizer_by_id(moi_store_conn_t *c, const char *id,
                                           moi_organizer **out)
{
    bson_t filter = BSON_INITIALIZER;
    const bson_t *doc;
    bson_oid_t oid;
    moi_store_status st;
    if (moi_oid_parse(id, &oid)) {
        return MOI_STORE_NOT_FOUND;
    }
    BSON_APPEND_OID(&filter, "_id", &oid);
    st = moi_mongo_find_one(c, "organizers", &filter, "reading an organiser account", &doc);
    bson_destroy(&filter);
    if (st == MOI_STORE_OK) {
        *out = organizer_from(c->pool, doc);
    }
    return st;
}

moi_store_status moi_mongo_organizer_all(moi_store_conn_t *c, apr_hash_t **out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "organizers");
    bson_t filter = BSON_INITIALIZER;
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
    const bson_t *doc;
    bson_error_t error;
    moi_store_status st = MOI_STORE_OK;
    apr_hash_t *h = apr_hash_make(c->pool);
    while (mongoc_cursor_next(cur, &doc)) {
        moi_organizer *o = organizer_from(c->pool, doc);
        if (o->id) {
            apr_hash_set(h, o->id, APR_HASH_KEY_STRING, o);
        }
    }
    if (mongoc_cursor_error(cur, &error)) {
        st = moi_mongo_note_failure(c->ms, "listing organisers", &error);
    }
    mongoc_cursor_destroy(cur);
    bson_destroy(&filter);
    *out = h;
    return st;
}

/* update_one(filter, {$set: set}); NOT_FOUND when nothing matched. */
static moi_store_status update_one(moi_store_conn_t *c, const char *coll_name,
                                   const bson_t *filter, const bson_t *update, int upsert,
                                   const char *what)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, coll_name);
    bson_t opts = BSON_INITIALIZER, reply;
    bson_error_t error;
    moi_store_status st;
    int ok;

    if (upsert) {
        BSON_APPEND_BOOL(&opts, "upsert", true);
    }
    ok = mongoc_collection_update_one(coll, filter, update, &opts, &reply, &error);
    st = moi_mongo_write_result(c, ok, &error, what);
    if (st == MOI_STORE_OK && !upsert && moi_bson_int(&reply, "matchedCount") == 0) {
        st = MOI_STORE_NOT_FOUND;
    }
    bson_destroy(&reply);
    bson_destroy(&opts);
    return st;
}

moi_store_status moi_mongo_organizer_set_password(moi_store_conn_t *c, const char *id,
                                                  const char *hash)
{
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
    bson_oid_t oid;
    moi_store_status st;
    if (moi_oid_parse(id, &oid)) {
        return MOI_STORE_NOT_FOUND;
    }
    BSON_APPEND_OID(&filter, "_id", &oid);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_UTF8(&set, "password_hash", hash);
    bson_append_document_end(&update, &set);
    st = update_one(c, "organizers", &filter, &update, 0, "changing a password");
    bson_destroy(&filter);
    bson_destroy(&update);
    return st;
}

moi_store_status moi_mongo_organizer_set_login_state(moi_store_conn_t *c, const char *email,
                                                     int failed, apr_time_t locked_until)
{
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
    moi_store_status st;
    BSON_APPEND_UTF8(&filter, "email", email);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_INT32(&set, "failed_logins", failed);
    moi_bson_append_time(&set, "locked_until", locked_until);
    bson_append_document_end(&update, &set);
    st = update_one(c, "organizers", &filter, &update, 0, "recording failed logins");
    bson_destroy(&filter);
    bson_destroy(&update);
    return st == MOI_STORE_NOT_FOUND ? MOI_STORE_OK : st;
}

/* Failed logins are one document each in login_failures ({key, at}):
 * inserts are atomic on every backend, where a read-modify-write counter
 * would lose concurrent failures on FerretDB.  The state is computed from
 * the failures of the last 30 minutes: the address is locked for
 * LOCK after the threshold-th failure of any WINDOW. */
#define LOGIN_WINDOW apr_time_from_sec(15 * 60)
#define LOGIN_LOCK apr_time_from_sec(15 * 60)
#define LOGIN_THRESHOLD 5

static moi_store_status login_state(moi_store_conn_t *c, const char *key, apr_time_t now,
                                    apr_time_t window, int threshold, apr_time_t lock,
                                    moi_login_attempts *out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "login_failures");
    bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, gte, sort;
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t error;
    apr_time_t times[64];
    int n = 0, i;
    moi_store_status st = MOI_STORE_OK;

    memset(out, 0, sizeof(*out));
    BSON_APPEND_UTF8(&filter, "key", key);
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "at", &gte);
    BSON_APPEND_DATE_TIME(&gte, "$gte", (now - window - lock) / 1000);
    bson_append_document_end(&filter, &gte);
    BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
    BSON_APPEND_INT32(&sort, "at", -1);
    bson_append_document_end(&opts, &sort);
    BSON_APPEND_INT64(&opts, "limit", 64);
    cur = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
    while (mongoc_cursor_next(cur, &doc) && n < 64) {
        times[n++] = moi_bson_time(doc, "at");
    }
    if (mongoc_cursor_error(cur, &error)) {
        st = moi_mongo_note_failure(c->ms, "reading failed logins", &error);
    }
    mongoc_cursor_destroy(cur);
    bson_destroy(&filter);
    bson_destroy(&opts);
    if (st != MOI_STORE_OK) {
        return st;
    }
    /* times[] is newest first.  Failures in the current window: */
    for (i = 0; i < n && times[i] >= now - window; i++) {
        out->failures++;
        out->window_start = times[i];
    }
    /* Locked when threshold failures fall within one window, until the
     * last of them plus LOCK. */
    for (i = 0; i + threshold - 1 < n; i++) {
        if (times[i] - times[i + threshold - 1] <= window && times[i] + lock > now) {
            out->locked_until = times[i] + lock;
            break;
        }
    }
    moi_mongo_note_success(c->ms);
    return MOI_STORE_OK;
}

moi_store_status moi_mongo_login_attempts_get(moi_store_conn_t *c, const char *key,
                                              moi_login_attempts *out)
{
    return login_state(c, key, apr_time_now(), LOGIN_WINDOW, LOGIN_THRESHOLD, LOGIN_LOCK, out);
}

moi_store_status moi_mongo_login_attempts_fail(moi_store_conn_t *c, const char *key,
                                               apr_time_t now, apr_time_t window_usec,
                                               int threshold, apr_time_t lock_usec,
                                               moi_login_attempts *out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "login_failures");
    bson_t doc = BSON_INITIALIZER;
    bson_error_t error;
    int ok;
    BSON_APPEND_UTF8(&doc, "key", key);
    moi_bson_append_time(&doc, "at", now);
    ok = mongoc_collection_insert_one(coll, &doc, NULL, NULL, &error);
    bson_destroy(&doc);
    if (!ok) {
        return moi_mongo_write_result(c, ok, &error, "recording a failed login");
    }
    return login_state(c, key, now, window_usec, threshold, lock_usec, out);
}

moi_store_status moi_mongo_login_attempts_clear(moi_store_conn_t *c, const char *key)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "login_failures");
    bson_t filter = BSON_INITIALIZER;
    bson_error_t error;
    int ok;
    BSON_APPEND_UTF8(&filter, "key", key);
    ok = mongoc_collection_delete_many(coll, &filter, NULL, NULL, &error);
    bson_destroy(&filter);
    return moi_mongo_write_result(c, ok, &error, "clearing failed logins");
}

moi_store_status moi_mongo_session_insert(moi_store_conn_t *c, const moi_session *s)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "sessions");
    bson_t doc = BSON_INITIALIZER;
    bson_oid_t oid;
    bson_error_t error;
    int ok;
    if (moi_oid_parse(s->organizer_id, &oid)) {
        return MOI_STORE_ERROR;
    }
    BSON_APPEND_UTF8(&doc, "_id", s->id);
    BSON_APPEND_OID(&doc, "organizer_id", &oid);
    BSON_APPEND_UTF8(&doc, "csrf", s->csrf);
    moi_bson_append_time(&doc, "created_at", s->created_at);
    moi_bson_append_time(&doc, "last_seen", s->last_seen);
    moi_bson_append_time(&doc, "expires_at", s->expires_at);
    ok = mongoc_collection_insert_one(coll, &doc, NULL, NULL, &error);
    bson_destroy(&doc);
    return moi_mongo_write_result(c, ok, &error, "creating a session");
}

moi_store_status moi_mongo_session_get(moi_store_conn_t *c, const char *id,
                                       moi_session **out)
{
    bson_t filter = BSON_INITIALIZER;
    const bson_t *doc;
    moi_store_status st;
    BSON_APPEND_UTF8(&filter, "_id", id);
    st = moi_mongo_find_one(c, "sessions", &filter, "reading a session", &doc);
    bson_destroy(&filter);
    if (st == MOI_STORE_OK) {
        moi_session *s = apr_pcalloc(c->pool, sizeof(*s));
        s->id = moi_bson_str(c->pool, doc, "_id");
        s->organizer_id = moi_bson_oid_str(c->pool, doc, "organizer_id");
        s->csrf = moi_bson_str(c->pool, doc, "csrf");
        s->created_at = moi_bson_time(doc, "created_at");
        s->last_seen = moi_bson_time(doc, "last_seen");
        s->expires_at = moi_bson_time(doc, "expires_at");
        if (!s->id || !s->organizer_id || !s->csrf) {
            return MOI_STORE_NOT_FOUND; /* not a session this module wrote */
        }
        *out = s;
    }
    return st;
}

moi_store_status moi_mongo_session_touch(moi_store_conn_t *c, const char *id,
                                         apr_time_t last_seen, apr_time_t expires_at)
{
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set;
    moi_store_status st;
    BSON_APPEND_UTF8(&filter, "_id", id);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    moi_bson_append_time(&set, "last_seen", last_seen);
    moi_bson_append_time(&set, "expires_at", expires_at);
    bson_append_document_end(&update, &set);
    st = update_one(c, "sessions", &filter, &update, 0, "refreshing a session");
    bson_destroy(&filter);
    bson_destroy(&update);
    return st;
}

static moi_store_status delete_many(moi_store_conn_t *c, const char *coll_name,
                                    const bson_t *filter, const char *what)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, coll_name);
    bson_error_t error;
    int ok = mongoc_collection_delete_many(coll, filter, NULL, NULL, &error);
    return moi_mongo_write_result(c, ok, &error, what);
}

moi_store_status moi_mongo_session_delete(moi_store_conn_t *c, const char *id)
{
    bson_t filter = BSON_INITIALIZER;
    moi_store_status st;
    BSON_APPEND_UTF8(&filter, "_id", id);
    st = delete_many(c, "sessions", &filter, "ending a session");
    bson_destroy(&filter);
    return st;
}

moi_store_status moi_mongo_session_delete_for_organizer(moi_store_conn_t *c,
                                                        const char *organizer_id,
                                                        const char *except_id)
{
    bson_t filter = BSON_INITIALIZER, ne;
    bson_oid_t oid;
    moi_store_status st;
    if (moi_oid_parse(organizer_id, &oid)) {
        return MOI_STORE_NOT_FOUND;
    }
    BSON_APPEND_OID(&filter, "organizer_id", &oid);
    if (except_id) {
        BSON_APPEND_DOCUMENT_BEGIN(&filter, "_id", &ne);
        BSON_APPEND_UTF8(&ne, "$ne", except_id);
        bson_append_document_end(&filter, &ne);
    }
    st = delete_many(c, "sessions", &filter, "ending an organiser's sessions");
    bson_destroy(&filter);
    return st;
}

moi_store_status moi_mongo_session_purge_expired(moi_store_conn_t *c, apr_time_t now)
{
    bson_t filter = BSON_INITIALIZER, lt;
    moi_store_status st;
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "expires_at", &lt);
    BSON_APPEND_DATE_TIME(&lt, "$lt", now / 1000);
    bson_append_document_end(&filter, &lt);
    st = delete_many(c, "sessions", &filter, "purging expired sessions");
    bson_destroy(&filter);
    if (st == MOI_STORE_OK) {
        bson_t old = BSON_INITIALIZER, lt2;
        BSON_APPEND_DOCUMENT_BEGIN(&old, "at", &lt2);
        BSON_APPEND_DATE_TIME(&lt2, "$lt", (now - apr_time_from_sec(3600)) / 1000);
        bson_append_document_end(&old, &lt2);
        st = delete_many(c, "login_failures", &old, "purging old failed logins");
        bson_destroy(&old);
    }
    return st;
}
