/* MongoDB store: events and their history. */
#include <string.h>
#include <apr_strings.h>
#include "moi_store_mongo.h"

static void append_codes(bson_t *doc, const char *key, const apr_array_header_t *a)
{
    bson_t arr;
    char idx[16];
    const char *k;
    int i;
    BSON_APPEND_ARRAY_BEGIN(doc, key, &arr);
    for (i = 0; a && i < a->nelts; i++) {
        bson_uint32_to_string((uint32_t)i, &k, idx, sizeof(idx));
        BSON_APPEND_UTF8(&arr, k, APR_ARRAY_IDX(a, i, const char *));
    }
    bson_append_array_end(doc, &arr);
}

static void append_opt(bson_t *doc, const char *key, const char *v)
{
    if (v) {
        BSON_APPEND_UTF8(doc, key, v);
    }
    else {
        BSON_APPEND_NULL(doc, key);
    }
}

/* The editable fields (and derived timezone) of ev into doc. */
static void append_fields(bson_t *doc, const moi_event *ev)
{
    BSON_APPEND_UTF8(doc, "title", ev->title);
    BSON_APPEND_UTF8(doc, "summary", ev->summary);
    BSON_APPEND_UTF8(doc, "description", ev->description ? ev->description : "");
    BSON_APPEND_UTF8(doc, "type", ev->type);
    BSON_APPEND_UTF8(doc, "format", ev->format);
    append_codes(doc, "audience", ev->audience);
    append_codes(doc, "accessibility", ev->accessibility);
    moi_bson_append_time(doc, "starts_at", ev->starts_at);
    moi_bson_append_time(doc, "ends_at", ev->ends_at);
    BSON_APPEND_UTF8(doc, "timezone", ev->timezone);
    append_opt(doc, "region", ev->region);
    append_opt(doc, "department", ev->department);
    append_opt(doc, "city", ev->city);
    append_opt(doc, "venue", ev->venue);
    append_opt(doc, "address", ev->address);
    append_opt(doc, "online_url", ev->online_url);
    append_opt(doc, "registration_url", ev->registration_url);
    BSON_APPEND_BOOL(doc, "lab", ev->lab ? true : false);
    BSON_APPEND_UTF8(doc, "organizer_name", ev->organizer_name);
    BSON_APPEND_UTF8(doc, "organization", ev->organization);
}

static apr_array_header_t *read_codes(apr_pool_t *p, const bson_t *doc, const char *key)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    bson_iter_t it, sub;
    if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_ARRAY(&it) &&
        bson_iter_recurse(&it, &sub)) {
        while (bson_iter_next(&sub)) {
            if (BSON_ITER_HOLDS_UTF8(&sub)) {
                APR_ARRAY_PUSH(a, const char *) = apr_pstrdup(p, bson_iter_utf8(&sub, NULL));
            }
        }
    }
    return a;
}

static int read_bool(const bson_t *doc, const char *key)
{
    bson_iter_t it;
    return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_BOOL(&it) &&
           bson_iter_bool(&it);
}

static moi_event *event_from(apr_pool_t *p, const bson_t *doc)
{
    moi_event *ev = apr_pcalloc(p, sizeof(*ev));
    ev->id = moi_bson_oid_str(p, doc, "_id");
    ev->edition = moi_bson_int(doc, "edition");
    ev->organizer_id = moi_bson_oid_str(p, doc, "organizer_id");
    ev->title = moi_bson_str(p, doc, "title");
    ev->summary = moi_bson_str(p, doc, "summary");
    ev->description = moi_bson_str(p, doc, "description");
    ev->type = moi_bson_str(p, doc, "type");
    ev->format = moi_bson_str(p, doc, "format");
    ev->audience = read_codes(p, doc, "audience");
    ev->accessibility = read_codes(p, doc, "accessibility");
    ev->starts_at = moi_bson_time(doc, "starts_at");
    ev->ends_at = moi_bson_time(doc, "ends_at");
    ev->timezone = moi_bson_str(p, doc, "timezone");
    ev->region = moi_bson_str(p, doc, "region");
    ev->department = moi_bson_str(p, doc, "department");
    ev->city = moi_bson_str(p, doc, "city");
    ev->venue = moi_bson_str(p, doc, "venue");
    ev->address = moi_bson_str(p, doc, "address");
    ev->online_url = moi_bson_str(p, doc, "online_url");
    ev->registration_url = moi_bson_str(p, doc, "registration_url");
    ev->lab = read_bool(doc, "lab");
    ev->organizer_name = moi_bson_str(p, doc, "organizer_name");
    ev->organization = moi_bson_str(p, doc, "organization");
    ev->status = moi_bson_str(p, doc, "status");
    ev->rejection_reason = moi_bson_str(p, doc, "rejection_reason");
    ev->created_at = moi_bson_time(doc, "created_at");
    ev->updated_at = moi_bson_time(doc, "updated_at");
    ev->version = moi_bson_int(doc, "version");
    if (!ev->timezone) {
        ev->timezone = moi_event_timezone_of(ev->department);
    }
    if (!ev->description) {
        ev->description = "";
    }
    return ev;
}

static void write_history(moi_store_conn_t *c, const bson_oid_t *event_id, const char *actor,
                          const char *action, apr_time_t at, const apr_array_header_t *fields)
{
    mongoc_collection_t *coll;
    bson_t doc = BSON_INITIALIZER;
    bson_error_t error;
    bson_oid_t actor_oid;
    if (!moi_store_usable(c)) {
        bson_destroy(&doc);
        return; /* found away by this request already: no second timeout */
    }
    coll = moi_mongo_collection(c, "event_history");

    BSON_APPEND_OID(&doc, "event_id", event_id);
    if (actor && moi_oid_parse(actor, &actor_oid) == 0) {
        BSON_APPEND_OID(&doc, "actor", &actor_oid);
    }
    else {
        BSON_APPEND_NULL(&doc, "actor");
    }
    BSON_APPEND_UTF8(&doc, "action", action);
    moi_bson_append_time(&doc, "at", at);
    append_codes(&doc, "fields", fields);
    if (!mongoc_collection_insert_one(coll, &doc, NULL, NULL, &error)) {
        /* The event is written: this request goes on, but tries nothing
         * more if the database is away (see announce_change). */
        moi_store_outcome(c, moi_mongo_note_failure(c->ms, "writing an event's history", &error));
    }
    bson_destroy(&doc);
}

static void announce_change(moi_store_conn_t *c, apr_time_t now);

moi_store_status moi_mongo_event_insert(moi_store_conn_t *c, moi_event *ev, const char *actor)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "events");
    bson_t doc = BSON_INITIALIZER;
    bson_oid_t oid, org;
    bson_error_t error;
    apr_time_t now = apr_time_now();
    apr_array_header_t *fields;
    const char *const *f;
    char buf[25];
    int ok;

    if (moi_oid_parse(ev->organizer_id, &org) != 0) {
        return MOI_STORE_ERROR;
    }
    now -= now % 1000; /* BSON dates hold milliseconds */
    bson_oid_init(&oid, NULL);
    BSON_APPEND_OID(&doc, "_id", &oid);
    BSON_APPEND_INT32(&doc, "edition", ev->edition);
    BSON_APPEND_OID(&doc, "organizer_id", &org);
    append_fields(&doc, ev);
    BSON_APPEND_UTF8(&doc, "status", ev->status);
    append_opt(&doc, "rejection_reason", NULL);
    moi_bson_append_time(&doc, "created_at", now);
    moi_bson_append_time(&doc, "updated_at", now);
    BSON_APPEND_INT32(&doc, "version", 1);
    ok = mongoc_collection_insert_one(coll, &doc, NULL, NULL, &error);
    bson_destroy(&doc);
    if (!ok) {
        return moi_mongo_write_result(c, ok, &error, "creating an event");
    }
    bson_oid_to_string(&oid, buf);
    ev->id = apr_pstrdup(c->pool, buf);
    ev->created_at = ev->updated_at = now;
    ev->version = 1;
    fields = apr_array_make(c->pool, 20, sizeof(const char *));
    for (f = moi_event_fields; *f; f++) {
        APR_ARRAY_PUSH(fields, const char *) = *f;
    }
    write_history(c, &oid, actor, "create", now, fields);
    announce_change(c, now);
    moi_mongo_note_success(c->ms);
    return MOI_STORE_OK;
}

moi_store_status moi_mongo_event_get(moi_store_conn_t *c, const char *id, moi_event **out)
{
    bson_t filter = BSON_INITIALIZER;
    const bson_t *doc;
    bson_oid_t oid;
    moi_store_status st;
    if (moi_oid_parse(id, &oid) != 0) {
        return MOI_STORE_NOT_FOUND;
    }
    BSON_APPEND_OID(&filter, "_id", &oid);
    st = moi_mongo_find_one(c, "events", &filter, "reading an event", &doc);
    bson_destroy(&filter);
    if (st == MOI_STORE_OK) {
        *out = event_from(c->pool, doc);
    }
    return st;
}

/* The filter of an update's condition. */
static void condition(bson_t *filter, const bson_oid_t *oid, const moi_event_update *u)
{
    BSON_APPEND_OID(filter, "_id", oid);
    if (u->expected_version > 0) {
        BSON_APPEND_INT32(filter, "version", u->expected_version);
    }
    if (u->from_statuses) {
        bson_t st, in;
        char idx[16];
        const char *k;
        uint32_t i;
        BSON_APPEND_DOCUMENT_BEGIN(filter, "status", &st);
        BSON_APPEND_ARRAY_BEGIN(&st, "$in", &in);
        for (i = 0; u->from_statuses[i]; i++) {
            bson_uint32_to_string(i, &k, idx, sizeof(idx));
            BSON_APPEND_UTF8(&in, k, u->from_statuses[i]);
        }
        bson_append_array_end(&st, &in);
        bson_append_document_end(filter, &st);
    }
}

/* Version claims.  A conditional findAndModify is atomic on MongoDB, but
 * FerretDB 1.x checks the condition and writes in two steps, so two
 * writers holding the same version could both win.  Before changing an
 * event at version v, a writer inserts {_id: "<id>:<v>"} into event_locks:
 * the unique _id lets exactly one writer through.  The claim is removed
 * once the write is done (the version has moved on, so a late writer with
 * v fails the condition); a claim left behind by a crash is taken over
 * after CLAIM_STALE. */
#define CLAIM_STALE apr_time_from_sec(10)

/* Waits (a little) for the holder of a claim to finish, so that the loser
 * of a race reads the winner's change, not the state before it.  True
 * when the claim is gone (or could not be read), false when still held. */
static int wait_for_release(moi_store_conn_t *c, const char *key)
{
    bson_t filter = BSON_INITIALIZER;
    const bson_t *doc;
    int i, released = 0;
    BSON_APPEND_UTF8(&filter, "_id", key);
    for (i = 0; i < 100 && !released; i++) {
        if (moi_mongo_find_one(c, "event_locks", &filter, "waiting for an event's version",
                               &doc) != MOI_STORE_OK) {
            released = 1;
        }
        else {
            apr_sleep(apr_time_from_msec(20));
        }
    }
    bson_destroy(&filter);
    return released;
}

static moi_store_status claim_version(moi_store_conn_t *c, const char *id, int version,
                                      const char **claim)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "event_locks");
    const char *key = apr_psprintf(c->pool, "%s:%d", id, version);
    bson_error_t error;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        bson_t doc = BSON_INITIALIZER, filter = BSON_INITIALIZER, lt;
        apr_time_t now = apr_time_now();
        int ok;
        BSON_APPEND_UTF8(&doc, "_id", key);
        moi_bson_append_time(&doc, "at", now);
        ok = mongoc_collection_insert_one(coll, &doc, NULL, NULL, &error);
        bson_destroy(&doc);
        if (ok) {
            *claim = key;
            return MOI_STORE_OK;
        }
        if (!moi_mongo_is_duplicate(&error)) {
            return moi_mongo_write_result(c, ok, &error, "claiming an event's version");
        }
        /* Held by another writer, or left behind: take over a stale one. */
        BSON_APPEND_UTF8(&filter, "_id", key);
        BSON_APPEND_DOCUMENT_BEGIN(&filter, "at", &lt);
        BSON_APPEND_DATE_TIME(&lt, "$lt", (now - CLAIM_STALE) / 1000);
        bson_append_document_end(&filter, &lt);
        {
            bson_t reply;
            int removed = mongoc_collection_delete_one(coll, &filter, NULL, &reply, &error) &&
                          moi_bson_int(&reply, "deletedCount") > 0;
            bson_destroy(&reply);
            bson_destroy(&filter);
            if (!removed) {
                return wait_for_release(c, key) ? MOI_STORE_CONFLICT : MOI_STORE_BUSY;
            }
        }
    }
    return MOI_STORE_CONFLICT;
}

static void release_claim(moi_store_conn_t *c, const char *claim)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "event_locks");
    bson_t filter = BSON_INITIALIZER;
    bson_error_t error;
    BSON_APPEND_UTF8(&filter, "_id", claim);
    if (!mongoc_collection_delete_one(coll, &filter, NULL, NULL, &error)) {
        moi_store_outcome(c, moi_mongo_note_failure(c->ms, "releasing an event's version claim",
                                                    &error));
    }
    bson_destroy(&filter);
}

/* The version to claim: the expected one, or the current one. */
static moi_store_status version_to_claim(moi_store_conn_t *c, const char *id,
                                         const moi_event_update *u, int *version)
{
    moi_event *cur;
    moi_store_status st;
    if (u->expected_version > 0) {
        *version = u->expected_version;
        return MOI_STORE_OK;
    }
    st = moi_mongo_event_get(c, id, &cur);
    if (st == MOI_STORE_OK) {
        *version = cur->version;
    }
    return st;
}

/* After a conditional write matched nothing: gone, or condition failed? */
static moi_store_status missed(moi_store_conn_t *c, const char *id)
{
    moi_event *ev;
    moi_store_status st = moi_mongo_event_get(c, id, &ev);
    return st == MOI_STORE_OK ? MOI_STORE_CONFLICT : st;
}

/* Starts a conditional write: parses id, claims the version (expected or
 * current) and gives back the update with that version as its condition.
 * The caller releases *claim after writing. */
static moi_store_status begin_write(moi_store_conn_t *c, const char *id,
                                    const moi_event_update *u, bson_oid_t *oid,
                                    moi_event_update *cu, const char **claim)
{
    moi_store_status st;
    int version;
    if (moi_oid_parse(id, oid) != 0) {
        return MOI_STORE_NOT_FOUND;
    }
    if ((st = version_to_claim(c, id, u, &version)) != MOI_STORE_OK) {
        return st;
    }
    if ((st = claim_version(c, id, version, claim)) == MOI_STORE_BUSY) {
        /* Still claimed after the wait: by a slow writer, or by one that
         * could not finish (the database went away between its claim and
         * its write) until the claim is taken over.  Stale if the version
         * has moved on; else the event has not changed, and the writer is
         * to try again later (503), not to read it again (409/412). */
        moi_event *cur;
        if ((st = moi_mongo_event_get(c, id, &cur)) != MOI_STORE_OK) {
            return st;
        }
        return cur->version != version ? MOI_STORE_CONFLICT : MOI_STORE_BUSY;
    }
    if (st != MOI_STORE_OK) {
        return st == MOI_STORE_CONFLICT ? missed(c, id) : st;
    }
    *cu = *u;
    cu->expected_version = version;
    return MOI_STORE_OK;
}

moi_store_status moi_mongo_event_update(moi_store_conn_t *c, const char *id,
                                        const moi_event_update *u, moi_event **out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "events");
    mongoc_find_and_modify_opts_t *opts;
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set, inc, reply;
    bson_oid_t oid;
    bson_error_t error;
    bson_iter_t it;
    apr_time_t now = apr_time_now();
    moi_store_status st;
    int ok;

    moi_event_update cu;
    const char *claim = NULL;

    if ((st = begin_write(c, id, u, &oid, &cu, &claim)) != MOI_STORE_OK) {
        return st;
    }
    u = &cu;
    now -= now % 1000;
    condition(&filter, &oid, u);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    if (u->fields) {
        append_fields(&set, u->fields);
    }
    if (u->status) {
        BSON_APPEND_UTF8(&set, "status", u->status);
        append_opt(&set, "rejection_reason", u->rejection_reason);
    }
    moi_bson_append_time(&set, "updated_at", now);
    bson_append_document_end(&update, &set);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$inc", &inc);
    BSON_APPEND_INT32(&inc, "version", 1);
    bson_append_document_end(&update, &inc);

    opts = mongoc_find_and_modify_opts_new();
    mongoc_find_and_modify_opts_set_update(opts, &update);
    mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_RETURN_NEW);
    ok = mongoc_collection_find_and_modify_with_opts(coll, &filter, opts, &reply, &error);
    mongoc_find_and_modify_opts_destroy(opts);
    bson_destroy(&filter);
    bson_destroy(&update);
    release_claim(c, claim);
    if (!ok) {
        bson_destroy(&reply);
        return moi_mongo_write_result(c, ok, &error, "changing an event");
    }
    if (bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
        const uint8_t *data;
        uint32_t len;
        bson_t doc;
        bson_iter_document(&it, &len, &data);
        if (bson_init_static(&doc, data, len)) {
            *out = event_from(c->pool, &doc);
        }
        bson_destroy(&reply);
        write_history(c, &oid, u->actor, u->action, now, u->changed);
        announce_change(c, now);
        moi_mongo_note_success(c->ms);
        return *out ? MOI_STORE_OK : MOI_STORE_ERROR;
    }
    bson_destroy(&reply);
    st = missed(c, id);
    return st;
}

moi_store_status moi_mongo_event_delete(moi_store_conn_t *c, const char *id,
                                        const moi_event_update *u)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "events");
    bson_t filter = BSON_INITIALIZER, reply;
    bson_oid_t oid;
    bson_error_t error;
    int ok, deleted;
    moi_event_update cu;
    const char *claim = NULL;
    moi_store_status st;

    if ((st = begin_write(c, id, u, &oid, &cu, &claim)) != MOI_STORE_OK) {
        return st;
    }
    condition(&filter, &oid, &cu);
    ok = mongoc_collection_delete_one(coll, &filter, NULL, &reply, &error);
    bson_destroy(&filter);
    release_claim(c, claim);
    deleted = ok ? moi_bson_int(&reply, "deletedCount") : 0;
    bson_destroy(&reply);
    if (!ok) {
        return moi_mongo_write_result(c, ok, &error, "deleting an event");
    }
    if (!deleted) {
        return missed(c, id);
    }
    write_history(c, &oid, u->actor, "delete", apr_time_now(), u->changed);
    announce_change(c, apr_time_now());
    return MOI_STORE_OK;
}

/* By start, then id (an ObjectId's hex form sorts as its bytes do). */
static int by_start_then_id(const void *a, const void *b)
{
    const moi_event *x = *(const moi_event *const *)a, *y = *(const moi_event *const *)b;
    if (x->starts_at != y->starts_at) {
        return x->starts_at < y->starts_at ? -1 : 1;
    }
    return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

/* Runs a find and collects the events into *out, by start then id.  The
 * sort is done here, not by the server: FerretDB sorts in memory before
 * answering the first batch, which for a large edition takes longer than
 * the socket timeout, while an unsorted cursor answers each batch at once. */
static moi_store_status collect(moi_store_conn_t *c, const bson_t *filter, apr_array_header_t **out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "events");
    bson_t opts = BSON_INITIALIZER;
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t error;
    apr_array_header_t *a = apr_array_make(c->pool, 32, sizeof(moi_event *));
    moi_store_status st = MOI_STORE_OK;

    BSON_APPEND_INT32(&opts, "batchSize", 1000);
    cur = mongoc_collection_find_with_opts(coll, filter, &opts, NULL);
    while (mongoc_cursor_next(cur, &doc)) {
        APR_ARRAY_PUSH(a, moi_event *) = event_from(c->pool, doc);
    }
    if (mongoc_cursor_error(cur, &error)) {
        st = moi_mongo_note_failure(c->ms, "listing events", &error);
    }
    else {
        moi_mongo_note_success(c->ms);
    }
    mongoc_cursor_destroy(cur);
    bson_destroy(&opts);
    qsort(a->elts, (size_t)a->nelts, sizeof(moi_event *), by_start_then_id);
    *out = a;
    return st;
}

moi_store_status moi_mongo_event_list(moi_store_conn_t *c, int edition,
                                      const char *organizer_id, const char *status,
                                      apr_array_header_t **out)
{
    bson_t filter = BSON_INITIALIZER;
    bson_oid_t oid;
    moi_store_status st;
    if (edition > 0) {
        BSON_APPEND_INT32(&filter, "edition", edition);
    }
    if (organizer_id) {
        if (moi_oid_parse(organizer_id, &oid) != 0) {
            bson_destroy(&filter);
            *out = apr_array_make(c->pool, 1, sizeof(moi_event *));
            return MOI_STORE_OK;
        }
        BSON_APPEND_OID(&filter, "organizer_id", &oid);
    }
    if (status) {
        BSON_APPEND_UTF8(&filter, "status", status);
    }
    st = collect(c, &filter, out);
    bson_destroy(&filter);
    return st;
}

moi_store_status moi_mongo_event_history(moi_store_conn_t *c, const char *event_id,
                                         apr_array_header_t **out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "event_history");
    bson_t filter = BSON_INITIALIZER, opts = BSON_INITIALIZER, sort;
    bson_oid_t oid;
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t error;
    moi_store_status st = MOI_STORE_OK;
    apr_array_header_t *a = apr_array_make(c->pool, 8, sizeof(moi_event_change));

    *out = a;
    if (moi_oid_parse(event_id, &oid) != 0) {
        return MOI_STORE_OK;
    }
    BSON_APPEND_OID(&filter, "event_id", &oid);
    BSON_APPEND_DOCUMENT_BEGIN(&opts, "sort", &sort);
    BSON_APPEND_INT32(&sort, "at", 1);
    BSON_APPEND_INT32(&sort, "_id", 1);
    bson_append_document_end(&opts, &sort);
    cur = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
    while (mongoc_cursor_next(cur, &doc)) {
        moi_event_change *ch = apr_array_push(a);
        ch->actor = moi_bson_oid_str(c->pool, doc, "actor");
        ch->action = moi_bson_str(c->pool, doc, "action");
        ch->at = moi_bson_time(doc, "at");
        ch->fields = read_codes(c->pool, doc, "fields");
    }
    if (mongoc_cursor_error(cur, &error)) {
        st = moi_mongo_note_failure(c->ms, "reading an event's history", &error);
    }
    mongoc_cursor_destroy(cur);
    bson_destroy(&filter);
    bson_destroy(&opts);
    return st;
}

moi_store_status moi_mongo_event_counts(moi_store_conn_t *c, int edition, const char *field,
                                        apr_array_header_t **out)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, "events");
    bson_t pipeline = BSON_INITIALIZER, stage, match, group, sum, sort;
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t error;
    moi_store_status st = MOI_STORE_OK;
    apr_array_header_t *a = apr_array_make(c->pool, 16, sizeof(moi_count));
    char key[64];

    apr_snprintf(key, sizeof(key), "$%s", field);
    /* One accumulator per $group: FerretDB 1.x computes only the first. */
    BSON_APPEND_DOCUMENT_BEGIN(&pipeline, "0", &stage);
    BSON_APPEND_DOCUMENT_BEGIN(&stage, "$match", &match);
    BSON_APPEND_INT32(&match, "edition", edition);
    bson_append_document_end(&stage, &match);
    bson_append_document_end(&pipeline, &stage);
    BSON_APPEND_DOCUMENT_BEGIN(&pipeline, "1", &stage);
    BSON_APPEND_DOCUMENT_BEGIN(&stage, "$group", &group);
    BSON_APPEND_UTF8(&group, "_id", key);
    BSON_APPEND_DOCUMENT_BEGIN(&group, "n", &sum);
    BSON_APPEND_INT32(&sum, "$sum", 1);
    bson_append_document_end(&group, &sum);
    bson_append_document_end(&stage, &group);
    bson_append_document_end(&pipeline, &stage);
    BSON_APPEND_DOCUMENT_BEGIN(&pipeline, "2", &stage);
    BSON_APPEND_DOCUMENT_BEGIN(&stage, "$sort", &sort);
    BSON_APPEND_INT32(&sort, "n", -1);
    BSON_APPEND_INT32(&sort, "_id", 1);
    bson_append_document_end(&stage, &sort);
    bson_append_document_end(&pipeline, &stage);
    {
        bson_t wrapped = BSON_INITIALIZER;
        BSON_APPEND_ARRAY(&wrapped, "pipeline", &pipeline);
        cur = mongoc_collection_aggregate(coll, MONGOC_QUERY_NONE, &wrapped, NULL, NULL);
        bson_destroy(&wrapped);
    }
    while (mongoc_cursor_next(cur, &doc)) {
        moi_count *n = apr_array_push(a);
        n->value = moi_bson_str(c->pool, doc, "_id");
        n->count = moi_bson_int(doc, "n");
    }
    if (mongoc_cursor_error(cur, &error)) {
        st = moi_mongo_note_failure(c->ms, "counting events", &error);
    }
    mongoc_cursor_destroy(cur);
    bson_destroy(&pipeline);
    *out = a;
    return st;
}

/* The change counter: one document, {_id: "events", seq, at}, that every
 * write of an event through the module increments, so that a child learns
 * whether the programme changed by reading one document by _id, however
 * many events there are.  A failed bump is logged and does not fail the
 * write: the periodic full reload of the programme catches it. */
#define CHANGES_COLLECTION "programme_state"
#define CHANGES_ID "events"

static void announce_change(moi_store_conn_t *c, apr_time_t now)
{
    mongoc_collection_t *coll = moi_mongo_collection(c, CHANGES_COLLECTION);
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, opts = BSON_INITIALIZER, inc,
           set;
    bson_error_t error;
    if (!moi_store_usable(c)) {
        bson_destroy(&filter);
        bson_destroy(&update);
        bson_destroy(&opts);
        return; /* away: no second timeout for this request */
    }
    BSON_APPEND_UTF8(&filter, "_id", CHANGES_ID);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$inc", &inc);
    BSON_APPEND_INT64(&inc, "seq", 1);
    bson_append_document_end(&update, &inc);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    moi_bson_append_time(&set, "at", now);
    bson_append_document_end(&update, &set);
    BSON_APPEND_BOOL(&opts, "upsert", true);
    /* Two first upserts at once: one inserts, the other gets a duplicate
     * key and increments the document the first one made. */
    if (!mongoc_collection_update_one(coll, &filter, &update, &opts, NULL, &error) &&
        (!moi_mongo_is_duplicate(&error) ||
         !mongoc_collection_update_one(coll, &filter, &update, &opts, NULL, &error))) {
        moi_store_outcome(c, moi_mongo_note_failure(c->ms, "announcing a change of the programme",
                                                    &error));
    }
    bson_destroy(&filter);
    bson_destroy(&update);
    bson_destroy(&opts);
}

moi_store_status moi_mongo_event_marker(moi_store_conn_t *c, int edition, const char **out)
{
    bson_t filter = BSON_INITIALIZER;
    const bson_t *doc = NULL;
    moi_store_status st;
    bson_iter_t it;
    int64_t seq = 0;

    (void)edition; /* one counter for every edition: changes are rare */
    BSON_APPEND_UTF8(&filter, "_id", CHANGES_ID);
    st = moi_mongo_find_one(c, CHANGES_COLLECTION, &filter, "checking the programme for changes",
                            &doc);
    bson_destroy(&filter);
    if (st == MOI_STORE_NOT_FOUND) {
        *out = "0";
        return MOI_STORE_OK;
    }
    if (st != MOI_STORE_OK) {
        return st;
    }
    if (bson_iter_init_find(&it, doc, "seq") && BSON_ITER_HOLDS_NUMBER(&it)) {
        seq = bson_iter_as_int64(&it);
    }
    *out = apr_psprintf(c->pool, "%" APR_INT64_T_FMT, (apr_int64_t)seq);
    return MOI_STORE_OK;
}
