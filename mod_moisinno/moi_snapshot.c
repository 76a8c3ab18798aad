#include <string.h>
#include <sodium.h>
#include <apr_strings.h>
#include "moi_snapshot.h"

static apr_array_header_t *copy_codes(apr_pool_t *p, const apr_array_header_t *a)
{
    apr_array_header_t *out = apr_array_make(p, a ? a->nelts : 1, sizeof(const char *));
    int i;
    for (i = 0; a && i < a->nelts; i++) {
        APR_ARRAY_PUSH(out, const char *) = apr_pstrdup(p, APR_ARRAY_IDX(a, i, const char *));
    }
    return out;
}

#define DUP(f) c->f = ev->f ? apr_pstrdup(p, ev->f) : NULL

static moi_event *copy_event(apr_pool_t *p, const moi_event *ev)
{
    moi_event *c = apr_pmemdup(p, ev, sizeof(*ev));
    DUP(id);
    DUP(organizer_id);
    DUP(title);
    DUP(summary);
    DUP(description);
    DUP(type);
    DUP(format);
    DUP(timezone);
    DUP(region);
    DUP(department);
    DUP(city);
    DUP(venue);
    DUP(address);
    DUP(online_url);
    DUP(registration_url);
    DUP(organizer_name);
    DUP(organization);
    DUP(status);
    DUP(rejection_reason);
    c->audience = copy_codes(p, ev->audience);
    c->accessibility = copy_codes(p, ev->accessibility);
    return c;
}

/* Whether an event belongs in the public programme (and can be shown). */
static int is_public(const moi_event *ev, const moi_tz *(*tz_lookup)(void *, const char *),
                     void *baton, const moi_tz **tz)
{
    *tz = tz_lookup(baton, ev->timezone);
    return ev->status && *tz &&
           (!strcmp(ev->status, "published") || !strcmp(ev->status, "cancelled"));
}

static void tag_add(crypto_generichash_state *h, const moi_event *ev)
{
    char line[64];
    apr_snprintf(line, sizeof(line), "%s:%d:%s;", ev->id, ev->version, ev->status);
    crypto_generichash_update(h, (const unsigned char *)line, strlen(line));
}

static const char *tag_end(apr_pool_t *p, crypto_generichash_state *h)
{
    unsigned char digest[8];
    char hex[17];
    crypto_generichash_final(h, digest, sizeof(digest));
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
    return apr_pstrdup(p, hex);
}

const char *moi_snapshot_tag(apr_pool_t *p, const apr_array_header_t *events,
                             const moi_tz *(*tz_lookup)(void *, const char *), void *baton)
{
    crypto_generichash_state h;
    const moi_tz *tz;
    int i;
    crypto_generichash_init(&h, NULL, 0, 8);
    for (i = 0; i < events->nelts; i++) {
        const moi_event *ev = APR_ARRAY_IDX(events, i, const moi_event *);
        if (is_public(ev, tz_lookup, baton, &tz)) {
            tag_add(&h, ev);
        }
    }
    return tag_end(p, &h);
}

moi_snapshot *moi_snapshot_build(apr_pool_t *pool, const apr_array_header_t *events,
                                 const moi_tz *(*tz_lookup)(void *, const char *),
                                 void *baton, apr_time_t now)
{
    moi_snapshot *s = apr_pcalloc(pool, sizeof(*s));
    crypto_generichash_state h;
    int i;

    s->pool = pool;
    s->loaded_at = now;
    s->events = apr_array_make(pool, events->nelts + 1, sizeof(const moi_event *));
    s->zones = apr_array_make(pool, events->nelts + 1, sizeof(const moi_tz *));
    s->haystacks = apr_array_make(pool, events->nelts + 1, sizeof(const char *));
    s->by_id = apr_hash_make(pool);
    crypto_generichash_init(&h, NULL, 0, 8);
    for (i = 0; i < events->nelts; i++) {
        const moi_event *ev = APR_ARRAY_IDX(events, i, const moi_event *);
        const moi_tz *tz;
        const moi_event *c;
        if (!is_public(ev, tz_lookup, baton, &tz)) {
            continue;
        }
        c = copy_event(pool, ev);
        APR_ARRAY_PUSH(s->events, const moi_event *) = c;
        if (c->id) {
            apr_hash_set(s->by_id, c->id, APR_HASH_KEY_STRING,
                         (void *)(apr_uintptr_t)s->events->nelts);
        }
        APR_ARRAY_PUSH(s->zones, const moi_tz *) = tz;
        APR_ARRAY_PUSH(s->haystacks, const char *) = moi_filter_haystack(pool, ev);
        if (ev->updated_at > s->last_modified) {
            s->last_modified = ev->updated_at;
        }
        tag_add(&h, ev);
    }
    s->tag = tag_end(pool, &h);
    return s;
}

apr_array_header_t *moi_snapshot_select(apr_pool_t *p, const moi_snapshot *s,
                                        const moi_filter *f)
{
    apr_array_header_t *out = apr_array_make(p, 64, sizeof(int));
    int i;
    for (i = 0; i < s->events->nelts; i++) {
        if (moi_filter_match(f, APR_ARRAY_IDX(s->events, i, const moi_event *),
                             APR_ARRAY_IDX(s->zones, i, const moi_tz *),
                             APR_ARRAY_IDX(s->haystacks, i, const char *))) {
            APR_ARRAY_PUSH(out, int) = i;
        }
    }
    return out;
}

int moi_snapshot_find(const moi_snapshot *s, const char *id)
{
    apr_uintptr_t n = id ? (apr_uintptr_t)apr_hash_get(s->by_id, id, APR_HASH_KEY_STRING) : 0;
    return n ? (int)n - 1 : -1;
}
