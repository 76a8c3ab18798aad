/* The harness shared by the fuzz targets: APR set-up, per-input pools whose
 * allocations ASan can see, the event rules and their time zones. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "moi_geo.h"
#include "fuzz.h"

/* ---- apr_palloc() under AddressSanitizer ------------------------------- */

static int tracking;
static void **blocks;
static size_t nblocks, capblocks;

static void *real_palloc(apr_pool_t *p, apr_size_t size)
{
    static void *(*real)(apr_pool_t *, apr_size_t);
    if (!real) {
        *(void **)&real = dlsym(RTLD_NEXT, "apr_palloc");
        if (!real) {
            fprintf(stderr, "fuzz: apr_palloc not found\n");
            abort();
        }
    }
    return real(p, size);
}

/* Replaces APR's for the whole process (libapr calls it through its PLT). */
void *apr_palloc(apr_pool_t *p, apr_size_t size)
{
    void *m;
    if (!tracking) {
        return real_palloc(p, size);
    }
    if (nblocks == capblocks) {
        capblocks = capblocks ? capblocks * 2 : 1024;
        blocks = realloc(blocks, capblocks * sizeof(*blocks));
        if (!blocks) {
            abort();
        }
    }
    m = malloc(size ? size : 1);
    if (!m) {
        abort();
    }
    blocks[nblocks++] = m;
    return m;
}

#undef apr_pcalloc
void *apr_pcalloc(apr_pool_t *p, apr_size_t size)
{
    return memset(apr_palloc(p, size), 0, size);
}

/* ---- pools -------------------------------------------------------------- */

apr_pool_t *fuzz_static_pool(void)
{
    static apr_pool_t *pool;
    if (!pool) {
        int was = tracking;
        tracking = 0;
        if (apr_initialize() != APR_SUCCESS || apr_pool_create(&pool, NULL) != APR_SUCCESS) {
            abort();
        }
        tracking = was;
    }
    return pool;
}

apr_pool_t *fuzz_pool(void)
{
    apr_pool_t *p;
    fuzz_static_pool();
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }
    tracking = 1;
    return p;
}

void fuzz_pool_done(apr_pool_t *p)
{
    size_t i;
    apr_pool_destroy(p); /* its cleanups may still use the blocks */
    tracking = 0;
    for (i = 0; i < nblocks; i++) {
        free(blocks[i]);
    }
    nblocks = 0;
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t n = nul ? (size_t)(nul - data) : size;
    char *s = malloc(n + 1);
    if (!s) {
        abort();
    }
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* ---- event rules -------------------------------------------------------- */

#define MAX_ZONES 16
static struct {
    const char *name;
    const moi_tz *tz;
} zones[MAX_ZONES];
static int nzones;

static const moi_tz *zone_lookup(void *baton, const char *name)
{
    int i;
    (void)baton;
    for (i = 0; name && i < nzones; i++) {
        if (!strcmp(zones[i].name, name)) {
            return zones[i].tz;
        }
    }
    return NULL;
}

static void zone_load(const char *name)
{
    const char *err = NULL;
    moi_tz *tz;
    int was = tracking;
    if (zone_lookup(NULL, name)) {
        return;
    }
    tracking = 0;
    tz = moi_tz_load(fuzz_static_pool(), NULL, name, &err);
    tracking = was;
    if (!tz || nzones == MAX_ZONES) {
        fprintf(stderr, "fuzz: cannot load the zone %s: %s\n", name, err ? err : "too many");
        abort();
    }
    zones[nzones].name = name;
    zones[nzones].tz = tz;
    nzones++;
}

void fuzz_event_rules(moi_event_rules *rules)
{
    if (!nzones) {
        const moi_department *d;
        zone_load(MOI_DEFAULT_TIMEZONE);
        for (d = moi_departments; d->code; d++) {
            zone_load(d->timezone);
        }
    }
    memset(rules, 0, sizeof(*rules));
    rules->edition_year = 2022;
    rules->first_day.year = 2022;
    rules->first_day.month = 11;
    rules->first_day.day = 2;
    rules->last_day.year = 2022;
    rules->last_day.month = 11;
    rules->last_day.day = 30;
    rules->tz_lookup = zone_lookup;
    rules->tz_baton = NULL;
}
