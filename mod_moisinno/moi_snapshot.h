/* A snapshot of an edition's public programme (published and cancelled
 * events), immutable once built, shared by the threads of a child.  It
 * lives in its own unmanaged pool and is freed when the last reader lets
 * go of a replaced snapshot. */
#ifndef MOI_SNAPSHOT_H
#define MOI_SNAPSHOT_H

#include <apr_hash.h>
#include "moi_event.h"
#include "moi_filter.h"

typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *events;    /* const moi_event *, by starts_at then id */
    apr_array_header_t *zones;     /* const moi_tz *, parallel to events */
    apr_array_header_t *haystacks; /* const char *, folded search text */
    apr_time_t loaded_at;
    apr_time_t last_modified;      /* newest updated_at (0 when empty) */
    const char *tag;               /* 16 hex: changes whenever any event does */
    char marker[32];               /* the database's change marker, under the owner's lock */
    apr_hash_t *by_id;             /* id -> index + 1 (stored as a pointer-sized int) */
    apr_hash_t *renders;           /* rendered answers by ETag, under the owner's lock */
    apr_size_t render_bytes;
    apr_uint64_t rendering[32];    /* hashes of the answers being rendered, under the lock */
    int nrendering;
    int refs;                      /* readers, under the owner's lock */
    int retired;                   /* replaced: free at refs == 0 */
} moi_snapshot;

/* Builds a snapshot from events (any status; only published and cancelled
 * are kept), copying them into pool, which the snapshot then owns. */
moi_snapshot *moi_snapshot_build(apr_pool_t *pool, const apr_array_header_t *events,
                                 const moi_tz *(*tz_lookup)(void *, const char *),
                                 void *baton, apr_time_t now);

/* The tag moi_snapshot_build would give these events, without building:
 * tells whether a programme read again differs from the one in memory. */
const char *moi_snapshot_tag(apr_pool_t *p, const apr_array_header_t *events,
                             const moi_tz *(*tz_lookup)(void *, const char *), void *baton);

/* Indices of the events matching f, in order (array of int). */
apr_array_header_t *moi_snapshot_select(apr_pool_t *p, const moi_snapshot *s,
                                        const moi_filter *f);

/* The index of the event with this id, or -1. */
int moi_snapshot_find(const moi_snapshot *s, const char *id);

#endif
