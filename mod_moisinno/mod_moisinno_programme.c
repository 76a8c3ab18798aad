/* The public programme: a snapshot of each edition's published and
 * cancelled events per child, refreshed at most every MoisInnoCacheTTL
 * seconds (and at once after a change made through this child), so that
 * browsing costs no database round trip in the steady state and keeps
 * working from the last snapshot when the database is down. */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <sodium.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "mod_moisinno.h"
#include "moi_export.h"
#include "moi_filter.h"
#include "moi_snapshot.h"
#include "moi_view_programme.h"

APLOG_USE_MODULE(moisinno);

#define RETRY_AFTER_FAILURE apr_time_from_sec(1)
#define WAIT_FOR_REFRESH apr_time_from_sec(1)
#define WAIT_FOR_FIRST apr_time_from_sec(5)

typedef struct {
    moi_snapshot *cur;
    int refreshing;
    int force;          /* changed through this child: reload, whatever the marker */
    apr_time_t retry_at;
    apr_time_t verified_at; /* last full reload, marker or not */
    int verifying;          /* a full reload with the marker unchanged: nobody waits */
} snap_entry;

/* The change marker only sees writes that announce themselves; every
 * FULL_RELOAD_TTLS × MoisInnoCacheTTL (at least FULL_RELOAD_MIN) the
 * programme is read again anyway, and kept (with its rendered pages) when
 * nothing changed. */
#define FULL_RELOAD_TTLS 10
#define FULL_RELOAD_MIN apr_time_from_sec(10)

static apr_status_t destroy_pool(void *data)
{
    apr_pool_destroy(data);
    return APR_SUCCESS;
}

int moi_programme_child_init(apr_pool_t *pchild, moi_server_conf *sc)
{
    apr_pool_t *pool;
    /* The table of snapshots is only touched under snap_lock, from any
     * thread: it gets a pool of its own rather than the child pool's. */
    if (apr_pool_create_unmanaged_ex(&pool, NULL, NULL) != APR_SUCCESS ||
        apr_thread_mutex_create(&sc->snap_lock, APR_THREAD_MUTEX_DEFAULT, pchild) !=
            APR_SUCCESS ||
        apr_thread_cond_create(&sc->snap_refreshed, pchild) != APR_SUCCESS ||
        apr_thread_cond_create(&sc->render_done, pchild) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pchild, pool, destroy_pool, apr_pool_cleanup_null);
    sc->snapshots = apr_hash_make(pool);
    return OK;
}

/* Under the lock. */
static snap_entry *entry_of(moi_server_conf *sc, int edition)
{
    snap_entry *e = apr_hash_get(sc->snapshots, &edition, sizeof(edition));
    if (!e) {
        int *key = apr_palloc(apr_hash_pool_get(sc->snapshots), sizeof(int));
        *key = edition;
        e = apr_pcalloc(apr_hash_pool_get(sc->snapshots), sizeof(*e));
        apr_hash_set(sc->snapshots, key, sizeof(*key), e);
    }
    return e;
}

/* Under the lock: drops a reader; frees a replaced snapshot nobody reads. */
static void unref(moi_snapshot *s)
{
    if (--s->refs == 0 && s->retired) {
        apr_pool_destroy(s->pool);
    }
}

typedef struct {
    moi_server_conf *sc;
    moi_snapshot *snap;
} snap_ref;

static apr_status_t release_snapshot(void *data)
{
    snap_ref *ref = data;
    apr_thread_mutex_lock(ref->sc->snap_lock);
    unref(ref->snap);
    apr_thread_mutex_unlock(ref->sc->snap_lock);
    return APR_SUCCESS;
}

/* Ties a reference taken under the lock to the request's lifetime. */
static moi_snapshot *hold(moi_req *q, moi_snapshot *s)
{
    snap_ref *ref = apr_palloc(q->r->pool, sizeof(*ref));
    ref->sc = q->sc;
    ref->snap = s;
    apr_pool_cleanup_register(q->r->pool, ref, release_snapshot, apr_pool_cleanup_null);
    return s;
}

/* Gives memory freed by a snapshot (re)load back to the system: the
 * events read from the database and a replaced snapshot are tens of
 * megabytes in a large edition, freed in blocks that the C library would
 * otherwise keep in the thread's arena. */
static void give_back_memory(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* Loads a new snapshot from the database, or NULL.  The events are read
 * with a connection of their own on a pool freed as soon as the snapshot
 * has copied what it keeps, not at the end of the request. */
static moi_snapshot *load_snapshot(moi_req *q, const char *marker, const char *same_tag,
                                   int *same)
{
    apr_array_header_t *events;
    apr_pool_t *pool, *tmp;
    moi_store_conn_t *db;
    moi_snapshot *s = NULL;

    *same = 0;
    if (!q->sc->store || apr_pool_create_unmanaged_ex(&tmp, NULL, NULL) != APR_SUCCESS) {
        return NULL;
    }
    db = moi_store_conn_open(q->sc->store, tmp);
    if (MOI_STORE_CALL(db, event_list, q->dc->edition_year, NULL, NULL, &events) ==
        MOI_STORE_OK) {
        /* The same public programme as the one in memory (the usual
         * outcome of a periodic full reload): no second copy of it. */
        *same = same_tag && !strcmp(same_tag, moi_snapshot_tag(tmp, events, moi_tz_lookup, NULL));
    }
    else {
        events = NULL;
    }
    /* Unmanaged: readers in other threads outlive this request. */
    if (events && !*same && apr_pool_create_unmanaged_ex(&pool, NULL, NULL) == APR_SUCCESS) {
        apr_pool_tag(pool, "moisinno_snapshot");
        s = moi_snapshot_build(pool, events, moi_tz_lookup, NULL, apr_time_now());
        apr_cpystrn(s->marker, marker, sizeof(s->marker));
    }
    moi_store_conn_close(q->sc->store, db);
    apr_pool_destroy(tmp);
    return s;
}

/* The current snapshot of the request's edition, held until the end of
 * the request; NULL when there is none and the database cannot give one. */
static moi_snapshot *programme_snapshot(moi_req *q)
{
    moi_server_conf *sc = q->sc;
    int ttl = q->dc->cache_ttl != MOI_UNSET ? q->dc->cache_ttl : MOI_DEFAULT_CACHE_TTL;
    apr_time_t now = apr_time_now();
    snap_entry *e;
    moi_snapshot *s = NULL, *fresh = NULL;
    int refresh = 0, force = 0, unchanged = 0, verify = 0;
    const char *marker = NULL, *old_marker = NULL, *old_tag = NULL;
    int same = 0;

    if (!sc->snap_lock) {
        return NULL;
    }
    apr_thread_mutex_lock(sc->snap_lock);
    e = entry_of(sc, q->dc->edition_year);
    /* Another thread is refreshing a snapshot older than the TTL: wait for
     * it (a little) rather than answer from data older than promised; but
     * not for a full reload that found the marker unchanged (the snapshot
     * is as fresh as that check). */
    while (e->refreshing && !e->verifying && e->cur &&
           now - e->cur->loaded_at >= apr_time_from_sec(ttl) &&
           apr_time_now() - now < WAIT_FOR_REFRESH) {
        apr_thread_cond_timedwait(sc->snap_refreshed, sc->snap_lock,
                                  WAIT_FOR_REFRESH - (apr_time_now() - now));
    }
    /* No snapshot yet (a new child): one thread loads it, the others wait
     * for it instead of all reading the whole programme at once. */
    while (e->refreshing && !e->cur && apr_time_now() - now < WAIT_FOR_FIRST) {
        apr_thread_cond_timedwait(sc->snap_refreshed, sc->snap_lock,
                                  WAIT_FOR_FIRST - (apr_time_now() - now));
    }
    /* Refreshed ahead, at half the TTL, by the request that comes then:
     * with steady traffic nobody waits and nothing is older than the TTL. */
    if ((!e->cur || now - e->cur->loaded_at >= apr_time_from_sec(ttl) / 2) &&
        now >= e->retry_at && !e->refreshing) {
        refresh = 1;
        e->refreshing = 1;
        force = e->force || !e->cur;
        verify = now - e->verified_at >= (apr_time_from_sec(ttl) * FULL_RELOAD_TTLS > FULL_RELOAD_MIN
                                              ? apr_time_from_sec(ttl) * FULL_RELOAD_TTLS
                                              : FULL_RELOAD_MIN);
        e->force = 0;
        old_marker = e->cur ? apr_pstrdup(q->r->pool, e->cur->marker) : NULL;
        old_tag = e->cur ? apr_pstrdup(q->r->pool, e->cur->tag) : NULL;
    }
    else if ((s = e->cur) != NULL) {
        s->refs++; /* the usual case: one lock and done */
    }
    apr_thread_mutex_unlock(sc->snap_lock);

    if (!refresh) {
        return s ? hold(q, s) : NULL;
    }

    /* The change marker first: when nothing changed, the snapshot is good
     * for another TTL without reading the events. */
    if (q->db && MOI_STORE_CALL(q->db, event_marker, q->dc->edition_year, &marker) ==
                     MOI_STORE_OK) {
        unchanged = !force && old_marker && !strcmp(marker, old_marker);
        if (unchanged && verify) {
            /* Good for another TTL already: nobody waits for the full
             * reload below, which only looks for unannounced writes. */
            apr_thread_mutex_lock(sc->snap_lock);
            if (!e->force) { /* not changed through this child meanwhile */
                e->cur->loaded_at = now;
                e->verifying = 1;
            }
            apr_thread_mutex_unlock(sc->snap_lock);
        }
    }
    if (q->db) {
        moi_store_conn_close(q->sc->store, q->db);
    }
    if (marker && (!unchanged || verify)) {
        fresh = load_snapshot(q, marker, old_tag, &same);
    }

    apr_thread_mutex_lock(sc->snap_lock);
    e->refreshing = 0;
    e->verifying = 0;
    apr_thread_cond_broadcast(sc->snap_refreshed);
    if (fresh || same) {
        e->verified_at = now;
    }
    if (same && e->cur) {
        /* Read again for nothing: the current one (and its rendered pages)
         * stays. */
        e->cur->loaded_at = e->force ? 0 : now;
        apr_cpystrn(e->cur->marker, marker, sizeof(e->cur->marker));
        unchanged = 1;
    }
    if (fresh) {
        /* Last-Modified never goes back: a removed event changes the
         * content without a newer updated_at. */
        if (e->cur && strcmp(fresh->tag, e->cur->tag) &&
            fresh->last_modified <= e->cur->last_modified) {
            fresh->last_modified = now;
        }
        if (e->cur) {
            e->cur->retired = 1;
            e->cur->refs++;
            unref(e->cur); /* frees it now if nobody reads it */
        }
        fresh->refs = 0;
        if (e->force) {
            fresh->loaded_at = 0; /* changed through this child while loading */
        }
        e->cur = fresh;
    }
    else if (unchanged && e->cur && !e->force) {
        e->cur->loaded_at = now;
    }
    else {
        e->retry_at = now + RETRY_AFTER_FAILURE;
    }
    s = e->cur;
    if (s) {
        s->refs++;
    }
    apr_thread_mutex_unlock(sc->snap_lock);
    if (marker && (!unchanged || verify)) {
        give_back_memory();
    }
    return s ? hold(q, s) : NULL;
}

const moi_snapshot *moi_programme_current(moi_req *q)
{
    return programme_snapshot(q);
}

void moi_programme_invalidate(moi_req *q)
{
    snap_entry *e;
    if (!q->sc->snap_lock) {
        return;
    }
    apr_thread_mutex_lock(q->sc->snap_lock);
    e = entry_of(q->sc, q->dc->edition_year);
    if (e->cur) {
        e->cur->loaded_at = 0;
    }
    e->force = 1;
    e->retry_at = 0;
    apr_thread_mutex_unlock(q->sc->snap_lock);
}

/* ---- caching headers ----------------------------------------------------- */

/* FNV-1a 64: a cheap, stable name for a URL variant (not a secret). */
static const char *hash16(apr_pool_t *p, const char *s)
{
    apr_uint64_t h = APR_UINT64_C(14695981039346656037);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= APR_UINT64_C(1099511628211);
    }
    return apr_psprintf(p, "%016" APR_UINT64_T_HEX_FMT, h);
}

/* Sets ETag, Last-Modified and Cache-Control; true when the client's copy
 * is current (the caller answers 304). */
static int not_modified(moi_req *q, const moi_snapshot *s, const char *variant)
{
    request_rec *r = q->r;
    apr_table_setn(r->headers_out, "ETag",
                   apr_psprintf(r->pool, "\"%s-%s\"", s->tag,
                                hash16(r->pool, apr_pstrcat(r->pool, q->path, "?",
                                                            r->args ? r->args : "", variant,
                                                            NULL))));
    apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=60");
    if (s->last_modified) {
        ap_update_mtime(r, s->last_modified);
        ap_set_last_modified(r);
    }
    return ap_meets_conditions(r) == HTTP_NOT_MODIFIED;
}

/* Rendered answers are kept with their snapshot (they change with it):
 * a page is rendered once per child and snapshot, then served from
 * memory.  Bounded in count and size. */
#define RENDER_MAX_ENTRIES 256
#define RENDER_MAX_BYTES (16 * 1024 * 1024)
#define RENDER_MAX_ONE (1024 * 1024)

static const char *render_key(moi_req *q)
{
    /* Absolute URLs in a page follow the request's host name. */
    return apr_pstrcat(q->r->pool, apr_table_get(q->r->headers_out, "ETag"), q->base, "|",
                       q->r->hostname ? q->r->hostname : "", "|",
                       apr_psprintf(q->r->pool, "%pp", (const void *)q->dc->layout), NULL);
}

/* One render per answer at a time: a thread that misses the cache while
 * another renders the same answer waits for it (at most WAIT_FOR_RENDER)
 * rather than render it too, so that a burst of requests for a large
 * answer not yet kept costs one render, not one per thread. */
#define WAIT_FOR_RENDER apr_time_from_sec(2)

typedef struct {
    moi_server_conf *sc; /* not the moi_req: it lives on the handler's stack */
    moi_snapshot *s;
    apr_uint64_t key;
} render_claim;

static apr_uint64_t key_hash(const char *k)
{
    apr_uint64_t h = APR_UINT64_C(14695981039346656037);
    for (; *k; k++) {
        h ^= (unsigned char)*k;
        h *= APR_UINT64_C(1099511628211);
    }
    return h;
}

/* Under the lock. */
static int rendering_index(const moi_snapshot *s, apr_uint64_t key)
{
    int i;
    for (i = 0; i < s->nrendering; i++) {
        if (s->rendering[i] == key) {
            return i;
        }
    }
    return -1;
}

/* Request pool clean-up of a claim: whatever the request did (kept the
 * answer, answered 400, streamed it, failed), the waiters are let go. */
static apr_status_t release_claim(void *data)
{
    render_claim *c = data;
    int i;
    apr_thread_mutex_lock(c->sc->snap_lock);
    if ((i = rendering_index(c->s, c->key)) >= 0) {
        c->s->rendering[i] = c->s->rendering[--c->s->nrendering];
        apr_thread_cond_broadcast(c->sc->render_done);
    }
    apr_thread_mutex_unlock(c->sc->snap_lock);
    return APR_SUCCESS;
}

static const char *cached_render(moi_req *q, moi_snapshot *s)
{
    const char *body = NULL, *key = render_key(q);
    apr_uint64_t h = key_hash(key);
    apr_time_t start = apr_time_now();
    render_claim *claim = NULL;

    apr_thread_mutex_lock(q->sc->snap_lock);
    for (;;) {
        if (s->renders && (body = apr_hash_get(s->renders, key, APR_HASH_KEY_STRING))) {
            break;
        }
        if (rendering_index(s, h) < 0) {
            if (s->nrendering < (int)(sizeof(s->rendering) / sizeof(s->rendering[0]))) {
                s->rendering[s->nrendering++] = h;
                claim = apr_palloc(q->r->pool, sizeof(*claim));
                claim->sc = q->sc;
                claim->s = s;
                claim->key = h;
            }
            break; /* this request renders it */
        }
        if (apr_time_now() - start >= WAIT_FOR_RENDER) {
            break; /* rendered elsewhere for too long: render it too */
        }
        apr_thread_cond_timedwait(q->sc->render_done, q->sc->snap_lock,
                                  WAIT_FOR_RENDER - (apr_time_now() - start));
    }
    apr_thread_mutex_unlock(q->sc->snap_lock);
    if (claim) {
        q->render_claim = claim;
        apr_pool_cleanup_register(q->r->pool, claim, release_claim, apr_pool_cleanup_null);
    }
    return body; /* lives as long as the snapshot, which this request holds */
}

static void keep_render(moi_req *q, moi_snapshot *s, const char *body)
{
    apr_size_t len = strlen(body);
    const char *key = render_key(q);
    if (len > RENDER_MAX_ONE) {
        return;
    }
    apr_thread_mutex_lock(q->sc->snap_lock);
    if (!s->renders) {
        s->renders = apr_hash_make(s->pool);
    }
    if (apr_hash_count(s->renders) < RENDER_MAX_ENTRIES &&
        s->render_bytes + len <= RENDER_MAX_BYTES &&
        !apr_hash_get(s->renders, key, APR_HASH_KEY_STRING)) {
        apr_hash_set(s->renders, apr_pstrdup(s->pool, key), APR_HASH_KEY_STRING,
                     apr_pstrmemdup(s->pool, body, len));
        s->render_bytes += len;
        apr_thread_cond_broadcast(q->sc->render_done);
    }
    apr_thread_mutex_unlock(q->sc->snap_lock);
}

int moi_programme_not_modified(moi_req *q, const moi_snapshot *s, const char *variant)
{
    return not_modified(q, s, variant);
}

const char *moi_programme_cached(moi_req *q, const moi_snapshot *s)
{
    return cached_render(q, (moi_snapshot *)s);
}

void moi_programme_keep(moi_req *q, const moi_snapshot *s, const char *body)
{
    keep_render(q, (moi_snapshot *)s, body);
}

static int no_snapshot(moi_req *q)
{
    return moi_error(q, HTTP_SERVICE_UNAVAILABLE, "unavailable",
                     "Le programme est momentanément indisponible. Réessayez dans quelques "
                     "instants.");
}

static int bad_filter(moi_req *q, const char *param, const char *message)
{
    (void)param;
    return moi_error(q, HTTP_BAD_REQUEST, "bad_filter", message);
}

static const char *base_url(moi_req *q)
{
    return ap_construct_url(q->r->pool, q->base, q->r);
}

/* GET BASE/ */
int moi_programme_get(moi_req *q)
{
    moi_filter f;
    const char *param, *message;
    moi_snapshot *s;
    moi_programme_view v;
    const char *html;
    int page_size = q->dc->page_size != MOI_UNSET ? q->dc->page_size : MOI_DEFAULT_PAGE_SIZE;

    /* Revalidation and rendered pages first: only a query this module
     * already answered can match, so its filters were valid. */
    if ((s = programme_snapshot(q)) != NULL) {
        if (not_modified(q, s, "")) {
            q->r->status = HTTP_NOT_MODIFIED;
            return OK;
        }
        if ((html = cached_render(q, s)) != NULL) {
            return moi_send_page_html(q, HTTP_OK, html);
        }
    }
    if (moi_filter_parse(q->r->pool, q->r->args, 0, page_size, &f, &param, &message) != 0) {
        apr_table_unset(q->r->headers_out, "ETag");
        apr_table_unset(q->r->headers_out, "Last-Modified");
        apr_table_unset(q->r->headers_out, "Cache-Control");
        return bad_filter(q, param, message);
    }
    if (!s) {
        return no_snapshot(q);
    }
    memset(&v, 0, sizeof(v));
    v.base = q->base;
    v.edition_year = q->dc->edition_year;
    v.edition_days = moi_edition_days(q);
    v.snap = s;
    v.selected = moi_snapshot_select(q->r->pool, s, &f);
    v.filter = &f;
    v.page = f.page;
    v.page_size = page_size;
    html = moi_page_html(q, apr_psprintf(q->r->pool, "Programme %d", q->dc->edition_year),
                         moi_view_programme(q->r->pool, &v));
    keep_render(q, s, html);
    return moi_send_page_html(q, HTTP_OK, html);
}

/* GET BASE/evenements/{id} */
int moi_event_page_get(moi_req *q)
{
    moi_snapshot *s = programme_snapshot(q);
    const char *url = ap_construct_url(q->r->pool, q->r->uri, q->r);
    int idx = s ? moi_snapshot_find(s, q->param) : -1;
    moi_event *ev = NULL;
    const moi_tz *tz;
    moi_store_status st;

    if (idx >= 0) {
        const moi_event *pub = APR_ARRAY_IDX(s->events, idx, const moi_event *);
        tz = APR_ARRAY_IDX(s->zones, idx, const moi_tz *);
        const char *html;
        if (not_modified(q, s, pub->id)) {
            q->r->status = HTTP_NOT_MODIFIED;
            return OK;
        }
        if (!(html = cached_render(q, s))) {
            html = moi_page_html(q, pub->title,
                                 moi_view_event_page(q->r->pool, q->base, pub, tz,
                                                     moi_export_jsonld(q->r->pool, pub, tz, url),
                                                     0));
            keep_render(q, s, html);
        }
        return moi_send_page_html(q, HTTP_OK, html);
    }
    /* Not in the public snapshot: not public, or just changed. */
    if (!q->db) {
        return no_snapshot(q);
    }
    if (moi_auth_load(q) != OK) {
        return OK;
    }
    st = MOI_STORE_CALL(q->db, event_get, q->param, &ev);
    if (st != MOI_STORE_OK && st != MOI_STORE_NOT_FOUND) {
        return moi_unavailable(q);
    }
    if (st == MOI_STORE_NOT_FOUND || ev->edition != q->dc->edition_year ||
        (strcmp(ev->status, "published") && strcmp(ev->status, "cancelled") &&
         !moi_may_manage(q, ev))) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe pas.");
    }
    tz = moi_tz_lookup(NULL, ev->timezone);
    moi_no_store(q->r);
    return moi_send_page(q, HTTP_OK, ev->title,
                         moi_view_event_page(q->r->pool, q->base, ev, tz,
                                             moi_export_jsonld(q->r->pool, ev, tz, url),
                                             moi_may_manage(q, ev)));
}

static int send_text(moi_req *q, const char *type, const char *body, const char *filename)
{
    size_t len = strlen(body);
    q->r->status = HTTP_OK;
    ap_set_content_type(q->r, type);
    if (filename) {
        apr_table_setn(q->r->headers_out, "Content-Disposition",
                       apr_psprintf(q->r->pool, "inline; filename=\"%s\"", filename));
    }
    ap_set_content_length(q->r, (apr_off_t)len);
    if (!q->r->header_only) {
        ap_rwrite(body, (int)len, q->r);
    }
    return OK;
}

/* GET BASE/evenements/{id}.ics */
int moi_event_ics_get(moi_req *q)
{
    moi_snapshot *s = programme_snapshot(q);
    int idx = s ? moi_snapshot_find(s, q->param) : -1;
    apr_array_header_t *one;
    if (!s) {
        return no_snapshot(q);
    }
    if (idx < 0) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe pas.");
    }
    if (not_modified(q, s, q->param)) {
        q->r->status = HTTP_NOT_MODIFIED;
        return OK;
    }
    one = apr_array_make(q->r->pool, 1, sizeof(const moi_event *));
    APR_ARRAY_PUSH(one, const moi_event *) = APR_ARRAY_IDX(s->events, idx, const moi_event *);
    return send_text(q, "text/calendar; charset=utf-8",
                     moi_export_ical(q->r->pool, one, moi_tz_lookup, NULL, base_url(q),
                                     APR_ARRAY_IDX(s->events, idx, const moi_event *)->title),
                     apr_pstrcat(q->r->pool, q->param, ".ics", NULL));
}

static int by_update_desc(const void *a, const void *b)
{
    const moi_event *x = *(const moi_event *const *)a, *y = *(const moi_event *const *)b;
    return x->updated_at < y->updated_at ? 1 : x->updated_at > y->updated_at ? -1 : 0;
}

static const char *export_type(const char *ext)
{
    return !strcmp(ext, "ics")    ? "text/calendar; charset=utf-8"
           : !strcmp(ext, "csv")  ? "text/csv; charset=utf-8; header=present"
           : !strcmp(ext, "atom") ? "application/atom+xml; charset=utf-8"
                                  : "application/json; charset=utf-8";
}

/* Above this many events, an export is written in parts of STREAM_PART
 * events, each part's memory given back before the next, and not kept:
 * the whole programme of a large edition costs a child a few hundred
 * kilobytes, not a copy of the programme in each format. */
#define STREAM_FROM 500
#define STREAM_PART 100

static const char *json_part(moi_req *q, apr_pool_t *p, const apr_array_header_t *events,
                             int from, int to)
{
    const char *base = base_url(q);
    apr_array_header_t *texts = apr_array_make(p, to - from, sizeof(const char *));
    int i;
    for (i = from; i < to && i < events->nelts; i++) {
        const moi_event *ev = APR_ARRAY_IDX(events, i, const moi_event *);
        json_t *o = moi_event_to_json(p, ev, moi_tz_lookup(NULL, ev->timezone),
                                      apr_pstrcat(p, base, "/evenements/", ev->id, NULL));
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        json_decref(o);
        if (!text) {
            return NULL;
        }
        APR_ARRAY_PUSH(texts, const char *) = apr_pstrcat(p, i ? "," : "", text, NULL);
        free(text);
    }
    return apr_array_pstrcat(p, texts, '\0');
}

static int send_parts(moi_req *q, const char *ext, const apr_array_header_t *events,
                      const char *calname)
{
    request_rec *r = q->r;
    apr_pool_t *part;
    const char *text;
    int i;

    r->status = HTTP_OK;
    ap_set_content_type(r, export_type(ext));
    apr_table_setn(r->headers_out, "Content-Disposition",
                   apr_pstrcat(r->pool, "inline; filename=\"programme.", ext, "\"", NULL));
    if (r->header_only) {
        return OK;
    }
    apr_pool_create(&part, r->pool);
    text = !strcmp(ext, "ics")   ? moi_export_ical_head(part, events, moi_tz_lookup, NULL, calname)
           : !strcmp(ext, "csv") ? moi_export_csv_head()
                                 : apr_psprintf(part, "{\"total\":%d,\"events\":[", events->nelts);
    ap_rputs(text, r);
    for (i = 0; i < events->nelts && !r->connection->aborted; i += STREAM_PART) {
        apr_pool_clear(part);
        text = !strcmp(ext, "ics")
                   ? moi_export_ical_events(part, events, i, i + STREAM_PART, moi_tz_lookup, NULL,
                                            base_url(q))
               : !strcmp(ext, "csv") ? moi_export_csv_rows(part, events, i, i + STREAM_PART,
                                                           moi_tz_lookup, NULL, base_url(q))
                                     : json_part(q, part, events, i, i + STREAM_PART);
        if (!text) {
            break; /* out of memory in jansson: the client sees a cut answer */
        }
        ap_rputs(text, r);
    }
    ap_rputs(!strcmp(ext, "ics") ? moi_export_ical_tail() : !strcmp(ext, "csv") ? "" : "]}", r);
    apr_pool_destroy(part);
    return OK;
}

/* GET BASE/programme.{ics,json,csv,atom} */
int moi_programme_export(moi_req *q)
{
    request_rec *r = q->r;
    const char *ext = q->param, *param, *message, *body = NULL;
    moi_filter f;
    moi_snapshot *s;
    apr_array_header_t *sel, *events;
    char calname[64];
    int i;

    if (strcmp(ext, "ics") && strcmp(ext, "json") && strcmp(ext, "csv") && strcmp(ext, "atom")) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "La page demandée n'existe pas.");
    }
    if (!strcmp(ext, "json")) {
        q->json = 1;
    }
    if (moi_filter_parse(r->pool, r->args, 0, 1, &f, &param, &message) != 0) {
        return bad_filter(q, param, message);
    }
    if (!(s = programme_snapshot(q))) {
        return no_snapshot(q);
    }
    if (not_modified(q, s, ext)) {
        r->status = HTTP_NOT_MODIFIED;
        return OK;
    }
    if ((body = cached_render(q, s)) != NULL) {
        return send_text(q, export_type(ext), body, apr_pstrcat(r->pool, "programme.", ext, NULL));
    }
    sel = moi_snapshot_select(r->pool, s, &f);
    events = apr_array_make(r->pool, sel->nelts + 1, sizeof(const moi_event *));
    for (i = 0; i < sel->nelts; i++) {
        APR_ARRAY_PUSH(events, const moi_event *) =
            APR_ARRAY_IDX(s->events, APR_ARRAY_IDX(sel, i, int), const moi_event *);
    }
    apr_snprintf(calname, sizeof(calname), "Mois de l'innovation publique %d",
                 q->dc->edition_year);
    if (events->nelts > STREAM_FROM && strcmp(ext, "atom")) {
        if (q->render_claim) { /* never kept: nobody waits for it */
            apr_pool_cleanup_run(r->pool, q->render_claim, release_claim);
            q->render_claim = NULL;
        }
        return send_parts(q, ext, events, calname);
    }
    if (!strcmp(ext, "ics")) {
        body = moi_export_ical(r->pool, events, moi_tz_lookup, NULL, base_url(q), calname);
    }
    else if (!strcmp(ext, "csv")) {
        body = moi_export_csv(r->pool, events, moi_tz_lookup, NULL, base_url(q));
    }
    else if (!strcmp(ext, "atom")) {
        qsort(events->elts, (size_t)events->nelts, sizeof(const moi_event *), by_update_desc);
        if (events->nelts > 50) {
            events->nelts = 50;
        }
        body = moi_export_atom(r->pool, events, moi_tz_lookup, NULL, base_url(q),
                               ap_construct_url(r->pool, r->unparsed_uri, r), calname);
    }
    if (body) {
        keep_render(q, s, body);
        return send_text(q, export_type(ext), body, apr_pstrcat(r->pool, "programme.", ext, NULL));
    }
    {
        json_t *list = json_array();
        char *text;
        int rv;
        json_t *doc;
        for (i = 0; i < events->nelts; i++) {
            const moi_event *ev = APR_ARRAY_IDX(events, i, const moi_event *);
            json_array_append_new(
                list, moi_event_to_json(r->pool, ev, moi_tz_lookup(NULL, ev->timezone),
                                        apr_pstrcat(r->pool, base_url(q), "/evenements/", ev->id,
                                                    NULL)));
        }
        doc = json_pack("{s:i,s:o}", "total", events->nelts, "events", list);
        text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (!text) {
            return moi_error(q, HTTP_INTERNAL_SERVER_ERROR, "internal", "Erreur interne.");
        }
        body = apr_pstrdup(r->pool, text);
        keep_render(q, s, body);
        rv = send_text(q, export_type(ext), body, "programme.json");
        free(text);
        return rv;
    }
}
