/* The harness shared by the fuzz targets: APR set-up, per-input pools whose
 * allocations ASan can see, the event rules and their time zones. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "moi_codes.h"
#include "moi_geo.h"
#include "fuzz.h"
#include "htmltok.h"

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

static void zones_load(void)
{
    if (!nzones) {
        const moi_department *d;
        zone_load(MOI_DEFAULT_TIMEZONE);
        for (d = moi_departments; d->code; d++) {
            zone_load(d->timezone);
        }
    }
}

const moi_tz *fuzz_tz_lookup(void *baton, const char *name)
{
    zones_load();
    return zone_lookup(baton, name);
}

void fuzz_event_rules(moi_event_rules *rules)
{
    zones_load();
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

/* ---- text ----------------------------------------------------------------- */

size_t fuzz_utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t lo = 0x80, hi = 0xBF;
    size_t len, i;
    if (n == 0) {
        return 0;
    }
    if (s[0] >= 0x01 && s[0] <= 0x7F) {
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    }
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    }
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    }
    else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF) {
            return 0;
        }
    }
    return len;
}

char *fuzz_export_text(const char *s)
{
    const uint8_t *u = (const uint8_t *)(s ? s : "");
    size_t n = strlen((const char *)u), i = 0, k;
    char *out = malloc(n + 1), *o = out;
    if (!out) {
        abort();
    }
    while (i < n) {
        k = fuzz_utf8_seq(u + i, n - i);
        /* U+FFFE and U+FFFF (EF BF BE, EF BF BF): a byte at a time, like
         * any ill-formed sequence */
        if (k == 0 || (k == 3 && u[i] == 0xEF && u[i + 1] == 0xBF && u[i + 2] >= 0xBE)) {
            i++;
            continue;
        }
        if (k == 1 && u[i] == '\r') {
            *o++ = '\n';
            i += i + 1 < n && u[i + 1] == '\n' ? 2 : 1;
            continue;
        }
        if (k == 1 && ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n') || u[i] == 0x7F)) {
            i++;
            continue;
        }
        memcpy(o, u + i, k);
        o += k;
        i += k;
    }
    *o = '\0';
    return out;
}

char *fuzz_export_uri(const char *s)
{
    char *text = fuzz_export_text(s), *out = malloc(3 * strlen(text) + 1), *o = out;
    const char *q;
    if (!out) {
        abort();
    }
    for (q = text; *q; q++) {
        if (*q == '\t' || *q == '\n' || *q == ' ') {
            o += sprintf(o, "%%%02X", (unsigned)*q);
        }
        else {
            *o++ = *q;
        }
    }
    *o = '\0';
    free(text);
    return out;
}

/* ---- events --------------------------------------------------------------- */

static int table_size(const moi_code_label *t)
{
    int n = 0;
    while (t[n].code) {
        n++;
    }
    return n;
}

static apr_array_header_t *codes_of(apr_pool_t *p, const moi_code_label *t, unsigned mask)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    int i;
    for (i = 0; t[i].code && i < 16; i++) {
        if (mask & (1u << i)) {
            APR_ARRAY_PUSH(a, const char *) = t[i].code;
        }
    }
    return a;
}

moi_event *fuzz_event(apr_pool_t *p, const uint8_t *data, size_t size)
{
    uint8_t h[FUZZ_EVENT_HEAD];
    const char *texts[12] = {NULL};
    const char *rest;
    size_t n = size < FUZZ_EVENT_HEAD ? size : FUZZ_EVENT_HEAD, i, k;
    moi_event *ev = apr_pcalloc(p, sizeof(*ev));
    int ndeps = 0;
    uint32_t start;
    /* 2022-09-01T00:00:00Z and 242 days on */
    const apr_int64_t from = 1661990400, span = 242 * 86400;

    zones_load();
    memset(h, 0, sizeof(h));
    memcpy(h, data, n);
    rest = apr_pstrmemdup(p, (const char *)data + n, size - n);
    for (i = 0, k = 0; k < 12 && n + i < size; k++) {
        texts[k] = rest + i;
        i += strlen(rest + i) + 1;
    }

    ev->status = moi_statuses[h[0] % table_size(moi_statuses)].code;
    ev->type = moi_event_types[h[1] % table_size(moi_event_types)].code;
    ev->format = moi_formats[h[2] % table_size(moi_formats)].code;
    while (moi_departments[ndeps].code) {
        ndeps++;
    }
    if (h[3] % (ndeps + 1)) {
        const moi_department *d = &moi_departments[h[3] % (ndeps + 1) - 1];
        ev->department = d->code;
        ev->region = d->region_code;
        ev->timezone = d->timezone;
    }
    else {
        ev->timezone = MOI_DEFAULT_TIMEZONE;
    }
    /* A zone that this system's tzdata may not have. */
    if (h[4] & 0x40) {
        ev->timezone = "Mars/Olympus_Mons";
    }
    ev->lab = h[4] & 1;
    ev->audience = codes_of(p, moi_audiences, (unsigned)h[5] | (unsigned)h[6] << 8);
    ev->accessibility = codes_of(p, moi_accessibility, h[7]);
    start = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
    ev->starts_at = apr_time_from_sec(from + (apr_int64_t)(start % span));
    ev->ends_at = ev->starts_at + apr_time_from_sec(((apr_int64_t)h[12] | h[13] << 8) * 60);
    ev->created_at = apr_time_from_sec(from - ((apr_int64_t)h[14] | h[15] << 8) * 60);
    ev->updated_at = ev->created_at + apr_time_from_sec(((apr_int64_t)h[16] | h[17] << 8) * 60);
    if (h[4] & 2) {
        ev->created_at = 0; /* stored before the field was */
    }
    ev->version = h[18];
    ev->edition = 2022;

    ev->title = texts[0] ? texts[0] : "";
    ev->summary = texts[1] ? texts[1] : "";
    ev->description = texts[2] ? texts[2] : "";
    ev->city = texts[3];
    ev->venue = texts[4];
    ev->address = texts[5];
    ev->online_url = texts[6];
    ev->registration_url = texts[7];
    ev->organizer_name = texts[8] ? texts[8] : "";
    ev->organization = texts[9] ? texts[9] : "";
    ev->rejection_reason = texts[10];
    ev->id = texts[11] ? texts[11] : "6360f0a1b2c3d4e5f6a7b801";
    ev->organizer_id = "6360f0a1b2c3d4e5f6a7b800";
    /* An empty optional text is absent, unless the store kept it empty. */
    if (!(h[4] & 4)) {
        const char **opt[] = {&ev->city, &ev->venue, &ev->address, &ev->online_url,
                              &ev->registration_url, &ev->rejection_reason};
        for (k = 0; k < sizeof(opt) / sizeof(opt[0]); k++) {
            if (*opt[k] && !**opt[k]) {
                *opt[k] = NULL;
            }
        }
    }
    return ev;
}

static const char *map_text(apr_pool_t *p, const char *s, char *(*map)(const char *))
{
    char *m;
    const char *out;
    if (!s) {
        return NULL;
    }
    m = map(s);
    out = apr_pstrdup(p, m);
    free(m);
    return out;
}

moi_event *fuzz_event_map(apr_pool_t *p, const moi_event *ev, char *(*map)(const char *))
{
    moi_event *c = apr_pmemdup(p, ev, sizeof(*ev));
    c->id = map_text(p, ev->id, map);
    c->title = map_text(p, ev->title, map);
    c->summary = map_text(p, ev->summary, map);
    c->description = map_text(p, ev->description, map);
    c->city = map_text(p, ev->city, map);
    c->venue = map_text(p, ev->venue, map);
    c->address = map_text(p, ev->address, map);
    c->online_url = map_text(p, ev->online_url, map);
    c->registration_url = map_text(p, ev->registration_url, map);
    c->organizer_name = map_text(p, ev->organizer_name, map);
    c->organization = map_text(p, ev->organization, map);
    c->rejection_reason = map_text(p, ev->rejection_reason, map);
    return c;
}

void fuzz_same_markup(const ht_doc *a, const ht_doc *b)
{
    int i, j;
    FUZZ_CHECK(a->n == b->n);
    for (i = 0; i < a->n; i++) {
        const ht_token *x = &a->tok[i], *y = &b->tok[i];
        FUZZ_CHECK(x->kind == y->kind);
        if (x->kind == HT_START || x->kind == HT_END) {
            FUZZ_CHECK(!strcmp(x->name, y->name));
            FUZZ_CHECK(x->nattrs == y->nattrs);
            for (j = 0; j < x->nattrs; j++) {
                FUZZ_CHECK(!strcmp(x->attrs[j].name, y->attrs[j].name));
            }
        }
    }
}
