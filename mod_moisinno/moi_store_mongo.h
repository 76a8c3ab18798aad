/* Private to the MongoDB store (moi_store_mongo*.c): the shared state and
 * helpers, and the operations of each collection. */
#ifndef MOI_STORE_MONGO_H
#define MOI_STORE_MONGO_H

#include <mongoc/mongoc.h>
#include <apr_tables.h>
#include "moi_store.h"

typedef struct mongo_store mongo_store;

struct moi_store_conn_t {
    moi_store_conn_head head; /* first: see moi_store.h */
    mongo_store *ms;
    apr_pool_t *pool;
    mongoc_client_t *client;
    apr_array_header_t *collections; /* handles on client, freed before it */
};

/* The request's client, borrowed at first use. */
mongoc_client_t *moi_mongo_client(moi_store_conn_t *c);
/* A collection handle destroyed with the request pool. */
mongoc_collection_t *moi_mongo_collection(moi_store_conn_t *c, const char *name);
/* Classifies and logs an error (unavailable: once per outage). */
moi_store_status moi_mongo_note_failure(mongo_store *ms, const char *what,
                                        const bson_error_t *e);
void moi_mongo_note_success(mongo_store *ms);
/* Is this a unique-index violation?  (FerretDB answers code 1 with the
 * backend's text for updates, 11000 for inserts.) */
int moi_mongo_is_duplicate(const bson_error_t *e);

/* BSON helpers. */
apr_time_t moi_bson_time(const bson_t *doc, const char *key);
const char *moi_bson_str(apr_pool_t *p, const bson_t *doc, const char *key);
int moi_bson_int(const bson_t *doc, const char *key);
const char *moi_bson_oid_str(apr_pool_t *p, const bson_t *doc, const char *key);
int moi_oid_parse(const char *s, bson_oid_t *oid);
void moi_bson_append_time(bson_t *b, const char *key, apr_time_t t);

/* moi_store_mongo_accounts.c */
moi_store_status moi_mongo_organizer_insert(moi_store_conn_t *c, moi_organizer *o);
moi_store_status moi_mongo_organizer_by_email(moi_store_conn_t *c, const char *email,
                                              moi_organizer **out);
moi_store_status moi_mongo_organizer_by_id(moi_store_conn_t *c, const char *id,
                                           moi_organizer **out);
moi_store_status moi_mongo_organizer_all(moi_store_conn_t *c, apr_hash_t **out);
moi_store_status moi_mongo_organizer_set_password(moi_store_conn_t *c, const char *id,
                                                  const char *hash);
moi_store_status moi_mongo_organizer_set_login_state(moi_store_conn_t *c, const char *email,
                                                     int failed, apr_time_t locked_until);
moi_store_status moi_mongo_login_attempts_get(moi_store_conn_t *c, const char *key,
                                              moi_login_attempts *out);
moi_store_status moi_mongo_login_attempts_fail(moi_store_conn_t *c, const char *key,
                                               apr_time_t now, apr_time_t window_usec,
                                               int threshold, apr_time_t lock_usec,
                                               moi_login_attempts *out);
moi_store_status moi_mongo_login_attempts_clear(moi_store_conn_t *c, const char *key);
moi_store_status moi_mongo_session_insert(moi_store_conn_t *c, const moi_session *s);
moi_store_status moi_mongo_session_get(moi_store_conn_t *c, const char *id,
                                       moi_session **out);
moi_store_status moi_mongo_session_touch(moi_store_conn_t *c, const char *id,
                                         apr_time_t last_seen, apr_time_t expires_at);
moi_store_status moi_mongo_session_delete(moi_store_conn_t *c, const char *id);
moi_store_status moi_mongo_session_delete_for_organizer(moi_store_conn_t *c,
                                                        const char *organizer_id,
                                                        const char *except_id);
moi_store_status moi_mongo_session_purge_expired(moi_store_conn_t *c, apr_time_t now);

/* moi_store_mongo_accounts.c, shared */
const bson_t *moi_mongo_keep(apr_pool_t *p, const bson_t *doc);
moi_store_status moi_mongo_find_one(moi_store_conn_t *c, const char *coll_name,
                                    const bson_t *filter, const char *what,
                                    const bson_t **out);
moi_store_status moi_mongo_write_result(moi_store_conn_t *c, int ok, const bson_error_t *error,
                                        const char *what);

/* moi_store_mongo_events.c */
moi_store_status moi_mongo_event_insert(moi_store_conn_t *c, moi_event *ev, const char *actor);
moi_store_status moi_mongo_event_get(moi_store_conn_t *c, const char *id, moi_event **out);
moi_store_status moi_mongo_event_update(moi_store_conn_t *c, const char *id,
                                        const moi_event_update *u, moi_event **out);
moi_store_status moi_mongo_event_delete(moi_store_conn_t *c, const char *id,
                                        const moi_event_update *u);
moi_store_status moi_mongo_event_list(moi_store_conn_t *c, int edition,
                                      const char *organizer_id, const char *status,
                                      apr_array_header_t **out);
moi_store_status moi_mongo_event_history(moi_store_conn_t *c, const char *event_id,
                                         apr_array_header_t **out);
moi_store_status moi_mongo_event_marker(moi_store_conn_t *c, int edition, const char **out);
moi_store_status moi_mongo_event_counts(moi_store_conn_t *c, int edition, const char *field,
                                        apr_array_header_t **out);

#endif
