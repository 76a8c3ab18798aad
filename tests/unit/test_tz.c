/* moi_tz: reading TZif files, UTC offsets, local <-> UTC conversions.
 *
 * Expected instants and offsets were computed apart with Python's zoneinfo
 * on tzdata 2025b, except the zero-based "n" rule of a TZ string, taken from
 * glibc's TZ handling (Python's zoneinfo counts that form one day early).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include "moi_tz.h"
#include "unit.h"

#define SEC(x) ((apr_time_t)(x)*APR_USEC_PER_SEC)

/* Transitions of Europe/Paris in 2022: CET -> CEST, CEST -> CET. */
#define PARIS_2022_SPRING 1648342800
#define PARIS_2022_FALL 1667091600

static const char *const event_zones[] = {"Europe/Paris",       "America/Guadeloupe",
                                          "America/Martinique", "America/Cayenne",
                                          "Indian/Reunion",     "Indian/Mayotte"};

/* A zone of the system database; fails the test if it cannot be loaded. */
static moi_tz *zone(const char *name)
{
    const char *err = NULL;
    moi_tz *tz = moi_tz_load(unit_pool, NULL, name, &err);
    ck_assert_msg(tz != NULL, "%s: %s", name, err ? err : "(no error)");
    return tz;
}

static void assert_local(const moi_tz *tz, apr_time_t t, int y, int mo, int d, int h,
                         int mi, int s)
{
    int ly, lmo, ld, lh, lmi, ls;
    moi_tz_to_local(tz, t, &ly, &lmo, &ld, &lh, &lmi, &ls);
    ck_assert_msg(ly == y && lmo == mo && ld == d && lh == h && lmi == mi && ls == s,
                  "%s at %" APR_TIME_T_FMT ": %04d-%02d-%02d %02d:%02d:%02d, expected "
                  "%04d-%02d-%02d %02d:%02d:%02d",
                  moi_tz_name(tz), t, ly, lmo, ld, lh, lmi, ls, y, mo, d, h, mi, s);
}

/* local -> instant (seconds) -> the same local time back, with offset off. */
static void assert_both_ways(const moi_tz *tz, int y, int mo, int d, int h, int mi,
                             apr_int64_t secs, int off)
{
    apr_time_t t = 0;
    int rc = moi_tz_from_local(tz, y, mo, d, h, mi, 0, &t);
    ck_assert_msg(rc == 0 && t == SEC(secs),
                  "%s %04d-%02d-%02d %02d:%02d: rc %d, %" APR_TIME_T_FMT
                  " s, expected %" APR_INT64_T_FMT,
                  moi_tz_name(tz), y, mo, d, h, mi, rc, t / APR_USEC_PER_SEC, secs);
    ck_assert_int_eq(moi_tz_offset_at(tz, t), off);
    assert_local(tz, t, y, mo, d, h, mi, 0);
}

/* ---- files written for a test ------------------------------------------- */

typedef struct {
    char *dir;
    char *file;
} scratch;

static apr_status_t scratch_remove(void *data)
{
    scratch *sc = data;
    remove(sc->file);
    remove(sc->dir);
    return APR_SUCCESS;
}

/* The directory of the test's zone file "Test", made on first use and removed
 * with unit_pool. */
static scratch *scratch_get(void)
{
    void *data = NULL;
    scratch *sc;

    apr_pool_userdata_get(&data, "test_tz.scratch", unit_pool);
    if (data) {
        return data;
    }
    sc = apr_pcalloc(unit_pool, sizeof *sc);
    sc->dir = apr_pstrdup(unit_pool, "/tmp/moi_tz_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(sc->dir));
    sc->file = apr_pstrcat(unit_pool, sc->dir, "/Test", NULL);
    apr_pool_userdata_set(sc, "test_tz.scratch", scratch_remove, unit_pool);
    return sc;
}

/* Writes bytes as the zone "Test" and loads it; NULL and *err on failure. */
static moi_tz *load_bytes(const void *bytes, size_t len, const char **err)
{
    scratch *sc = scratch_get();
    FILE *f = fopen(sc->file, "wb");

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    *err = NULL;
    return moi_tz_load(unit_pool, sc->dir, "Test", err);
}

static void assert_rejected(const void *bytes, size_t len, const char *why)
{
    const char *err = NULL;
    ck_assert_msg(load_bytes(bytes, len, &err) == NULL, "%s: loaded", why);
    ck_assert_msg(err && *err, "%s: no error message", why);
}

/* The bytes of a zone file of the system database, from unit_pool. */
static unsigned char *system_file(const char *name, size_t *len)
{
    const char *path = apr_pstrcat(unit_pool, MOI_TZ_DIR "/", name, NULL);
    unsigned char *data = apr_palloc(unit_pool, 65536);
    FILE *f = fopen(path, "rb");

    ck_assert_msg(f != NULL, "%s", path);
    *len = fread(data, 1, 65536, f);
    ck_assert(feof(f) && !ferror(f));
    fclose(f);
    return data;
}

/* ---- TZif files built byte by byte ------------------------------------- */

typedef struct {
    unsigned char b[1024];
    size_t n;
} tzif;

typedef struct {
    apr_int32_t utoff;
    unsigned char isdst, abbrind;
} tzif_type;

static void put(tzif *o, const void *p, size_t n)
{
    ck_assert_uint_le(o->n + n, sizeof o->b);
    if (n == 0) {
        return; /* p may be NULL (no transitions) */
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void put_u32(tzif *o, apr_uint32_t v)
{
    unsigned char b[4] = {v >> 24, v >> 16 & 0xff, v >> 8 & 0xff, v & 0xff};
    put(o, b, 4);
}

static void put_header(tzif *o, char version, apr_uint32_t timecnt, apr_uint32_t typecnt,
                       apr_uint32_t charcnt)
{
    static const unsigned char zeros[15];
    put(o, "TZif", 4);
    put(o, &version, 1);
    put(o, zeros, sizeof zeros);
    put_u32(o, 0); /* isutcnt */
    put_u32(o, 0); /* isstdcnt */
    put_u32(o, 0); /* leapcnt */
    put_u32(o, timecnt);
    put_u32(o, typecnt);
    put_u32(o, charcnt);
}

/* The data block after a header: times of timesize bytes, indices, types,
 * abbreviations. */
static void put_block(tzif *o, unsigned timesize, size_t ntrans, const apr_int64_t *trans,
                      const unsigned char *idx, size_t ntypes, const tzif_type *types,
                      const char *chars, size_t charcnt)
{
    for (size_t i = 0; i < ntrans; i++) {
        if (timesize == 8) {
            put_u32(o, (apr_uint32_t)((apr_uint64_t)trans[i] >> 32));
        }
        put_u32(o, (apr_uint32_t)trans[i]);
    }
    put(o, idx, ntrans);
    for (size_t i = 0; i < ntypes; i++) {
        put_u32(o, (apr_uint32_t)types[i].utoff);
        put(o, &types[i].isdst, 1);
        put(o, &types[i].abbrind, 1);
    }
    put(o, chars, charcnt);
}

/* A version 2 file with an empty version 1 block: its second header is at
 * byte 44 (counts at 64..87) and its data block starts at byte 88. */
static void build_v2(tzif *o, size_t ntrans, const apr_int64_t *trans,
                     const unsigned char *idx, size_t ntypes, const tzif_type *types,
                     const char *chars, size_t charcnt, const char *footer)
{
    o->n = 0;
    put_header(o, '2', 0, 0, 0);
    put_header(o, '2', (apr_uint32_t)ntrans, (apr_uint32_t)ntypes, (apr_uint32_t)charcnt);
    put_block(o, 8, ntrans, trans, idx, ntypes, types, chars, charcnt);
    put(o, "\n", 1);
    put(o, footer, strlen(footer));
    put(o, "\n", 1);
}

/* A version 2 file with one type (UTC) and no transitions: the footer rules. */
static void build_footer_only(tzif *o, const char *footer)
{
    static const tzif_type utc = {0, 0, 0};
    build_v2(o, 0, NULL, NULL, 1, &utc, "UTC", 4, footer);
}

/* Two transitions: 1000000000 to BBB (+2, DST), 1100000000 back to AAA (+1),
 * footer "AAA-1".  Layout: times 88..103, indices 104..105, types 106..117,
 * abbreviations 118..125, footer 126..132. */
static const apr_int64_t small_trans[] = {1000000000, 1100000000};
static const unsigned char small_idx[] = {1, 0};
static const tzif_type small_types[] = {{3600, 0, 0}, {7200, 1, 4}};

static void build_small(tzif *o)
{
    build_v2(o, 2, small_trans, small_idx, 2, small_types, "AAA\0BBB", 8, "AAA-1");
    ck_assert_uint_eq(o->n, 133);
}

/* ---- loading ----------------------------------------------------------- */

START_TEST(load_event_zones)
{
    for (size_t i = 0; i < sizeof event_zones / sizeof *event_zones; i++) {
        moi_tz *tz = zone(event_zones[i]);
        ck_assert_str_eq(moi_tz_name(tz), event_zones[i]);
    }
}
END_TEST

START_TEST(load_bad_names)
{
    static const char *const bad[] = {"../etc/passwd",
                                      "/etc/passwd",
                                      "",
                                      "Europe/../Europe/Paris",
                                      "Europe/Paris ",
                                      "Europe/Paris\n",
                                      "Europe\\Paris",
                                      "Europe/Paris;rm",
                                      "Europe/Pa ris",
                                      "..",
                                      "Europe/Paris/.."};
    const char *err;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err = NULL;
        ck_assert_msg(moi_tz_load(unit_pool, NULL, bad[i], &err) == NULL, "'%s' loaded",
                      bad[i]);
        ck_assert_msg(err && strstr(err, "invalid time zone name"), "'%s': %s", bad[i],
                      err ? err : "(no error)");
        ck_assert(!moi_tz_name_valid(bad[i]));
    }
    err = NULL;
    ck_assert_ptr_null(moi_tz_load(unit_pool, NULL, NULL, &err));
    ck_assert_ptr_nonnull(err);
    ck_assert(!moi_tz_name_valid(NULL));
    ck_assert(!moi_tz_name_valid(apr_psprintf(unit_pool, "%0256d", 0)));
    ck_assert(moi_tz_name_valid(apr_psprintf(unit_pool, "%0255d", 0)));
    ck_assert(moi_tz_name_valid("Etc/GMT+3"));
    ck_assert(moi_tz_name_valid("America/Port-au-Prince"));
    ck_assert(moi_tz_name_valid("America/Argentina/Buenos_Aires"));
}
END_TEST

START_TEST(load_missing_or_not_a_zone)
{
    const char *err = NULL;

    ck_assert_ptr_null(moi_tz_load(unit_pool, NULL, "Nowhere/City", &err));
    ck_assert_ptr_nonnull(strstr(err, "Nowhere/City"));
    err = NULL;
    ck_assert_ptr_null(moi_tz_load(unit_pool, NULL, "Europe", &err)); /* a directory */
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
    err = NULL;
    ck_assert_ptr_null(moi_tz_load(unit_pool, "/nonexistent-dir", "Europe/Paris", &err));
    ck_assert_ptr_nonnull(err);
    err = NULL;
    if (access(MOI_TZ_DIR "/right/Europe/Paris", R_OK) == 0) {
        ck_assert_ptr_null(moi_tz_load(unit_pool, NULL, "right/Europe/Paris", &err));
        ck_assert_ptr_nonnull(strstr(err, "leap-second"));
    }
}
END_TEST

START_TEST(load_copy_in_other_dir)
{
    size_t len;
    unsigned char *data = system_file("Europe/Paris", &len);
    const char *err;
    moi_tz *tz = load_bytes(data, len, &err);

    ck_assert_msg(tz != NULL, "%s", err);
    ck_assert_str_eq(moi_tz_name(tz), "Test");
    assert_both_ways(tz, 2022, 11, 2, 9, 30, 1667377800, 3600);
}
END_TEST

/* ---- the zones of the events ------------------------------------------- */

START_TEST(paris_winter)
{
    moi_tz *tz = zone("Europe/Paris");

    assert_both_ways(tz, 2022, 11, 2, 9, 30, 1667377800, 3600);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(1667377800)), "CET");
    ck_assert_int_eq(moi_tz_isdst_at(tz, SEC(1667377800)), 0);
}
END_TEST

START_TEST(paris_fall_back)
{
    moi_tz *tz = zone("Europe/Paris");
    apr_time_t t;

    assert_both_ways(tz, 2022, 10, 30, 1, 30, 1667086200, 7200);
    /* 02:30 happens twice: the earlier one, still CEST. */
    assert_both_ways(tz, 2022, 10, 30, 2, 30, 1667089800, 7200);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(1667089800)), "CEST");
    ck_assert_int_eq(moi_tz_isdst_at(tz, SEC(1667089800)), 1);
    assert_both_ways(tz, 2022, 10, 30, 3, 30, 1667097000, 3600);
    /* The second 02:30 (CET) reads as 02:30 too. */
    assert_local(tz, SEC(1667093400), 2022, 10, 30, 2, 30, 0);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(1667093400)), 3600);
    /* Both ends of the repeated hour. */
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 10, 30, 2, 0, 0, &t), 0);
    ck_assert_int_eq(t, SEC(PARIS_2022_FALL - 3600));
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 10, 30, 2, 59, 59, &t), 0);
    ck_assert_int_eq(t, SEC(PARIS_2022_FALL - 1));
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(PARIS_2022_FALL - 1)), 7200);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(PARIS_2022_FALL)), 3600);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(PARIS_2022_FALL) - 1), 7200);
    /* Both passes of the repeated hour are repeated local times; the
     * hours around them are not. */
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(PARIS_2022_FALL - 3600)), 1);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(1667089800)), 1);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(1667093400)), 1);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(PARIS_2022_FALL + 3599)), 1);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(PARIS_2022_FALL - 3601)), 0);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(PARIS_2022_FALL + 3600)), 0);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(1667377800)), 0);
}
END_TEST

START_TEST(paris_spring_forward)
{
    moi_tz *tz = zone("Europe/Paris");
    apr_time_t t = 42;

    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 3, 27, 2, 30, 0, &t),
                     MOI_TZ_NONEXISTENT);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 3, 27, 2, 0, 0, &t), MOI_TZ_NONEXISTENT);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 3, 27, 2, 59, 59, &t),
                     MOI_TZ_NONEXISTENT);
    ck_assert_int_eq(t, 42);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 3, 27, 1, 59, 59, &t), 0);
    ck_assert_int_eq(t, SEC(PARIS_2022_SPRING - 1));
    ck_assert_int_eq(moi_tz_offset_at(tz, t), 3600);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 3, 27, 3, 0, 0, &t), 0);
    ck_assert_int_eq(t, SEC(PARIS_2022_SPRING));
    ck_assert_int_eq(moi_tz_offset_at(tz, t), 7200);
    assert_local(tz, SEC(PARIS_2022_SPRING) - 1, 2022, 3, 27, 1, 59, 59);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(PARIS_2022_SPRING) - 1), 0);
    ck_assert_int_eq(moi_tz_local_repeated(tz, SEC(PARIS_2022_SPRING)), 0);
}
END_TEST

START_TEST(overseas_zones)
{
    static const struct {
        const char *zone;
        int y, mo, d, h, mi;
        apr_int64_t secs;
        int off;
        const char *abbrev;
    } cases[] = {
        {"Indian/Reunion", 2022, 11, 15, 18, 0, 1668520800, 14400, "+04"},
        {"Indian/Reunion", 2022, 7, 1, 12, 0, 1656662400, 14400, "+04"},
        {"America/Guadeloupe", 2022, 11, 5, 10, 0, 1667656800, -14400, "AST"},
        {"America/Martinique", 2022, 11, 5, 10, 0, 1667656800, -14400, "AST"},
        {"America/Martinique", 2022, 3, 27, 2, 30, 1648362600, -14400, "AST"},
        {"America/Cayenne", 2022, 11, 20, 14, 0, 1668963600, -10800, "-03"},
        {"Indian/Mayotte", 2022, 11, 25, 8, 45, 1669355100, 10800, "EAT"},
        {"Indian/Mayotte", 2050, 11, 25, 8, 45, 2552967900, 10800, "EAT"},
        {"America/Cayenne", 2050, 11, 20, 14, 0, 2552576400, -10800, "-03"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        moi_tz *tz = zone(cases[i].zone);
        assert_both_ways(tz, cases[i].y, cases[i].mo, cases[i].d, cases[i].h, cases[i].mi,
                         cases[i].secs, cases[i].off);
        ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(cases[i].secs)), cases[i].abbrev);
        ck_assert_int_eq(moi_tz_isdst_at(tz, SEC(cases[i].secs)), 0);
    }
}
END_TEST

START_TEST(far_future_from_footer)
{
    moi_tz *tz = zone("Europe/Paris");

    assert_both_ways(tz, 2050, 7, 1, 12, 0, 2540282400, 7200);
    assert_both_ways(tz, 2050, 1, 15, 12, 0, 2525857200, 3600);
    /* Around the last transition of the table (2037) and the first of the rule. */
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2121901200 - 1)), 3600);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2121901200)), 7200);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2140045200 - 1)), 7200);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2140045200)), 3600);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2153350800 - 1)), 3600);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2153350800)), 7200);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2172099600 - 1)), 7200);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(2172099600)), 3600);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(2540282400)), "CEST");
    ck_assert_int_eq(moi_tz_isdst_at(tz, SEC(2540282400)), 1);
}
END_TEST

START_TEST(past_from_table)
{
    moi_tz *tz = zone("Europe/Paris");
    apr_time_t t;

    assert_both_ways(tz, 1950, 7, 1, 12, 0, -615474000, 3600);
    assert_both_ways(tz, 1940, 7, 1, 12, 0, -931010400, 7200);
    /* Before the first transition: local mean time, +0:09:21. */
    ck_assert_int_eq(moi_tz_from_local(tz, 1800, 1, 1, 0, 0, 0, &t), 0);
    ck_assert_int_eq(t, SEC(-5364662961));
    ck_assert_int_eq(moi_tz_offset_at(tz, t), 561);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, t), "LMT");
    assert_local(tz, t, 1800, 1, 1, 0, 0, 0);

    tz = zone("America/Martinique");
    assert_both_ways(tz, 1980, 7, 1, 12, 0, 331311600, -10800);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(331311600)), "ADT");
    tz = zone("Indian/Reunion");
    ck_assert_int_eq(moi_tz_from_local(tz, 1900, 1, 1, 0, 0, 0, &t), 0);
    ck_assert_int_eq(t, SEC(-2209002112));
    ck_assert_int_eq(moi_tz_offset_at(tz, t), 13312);
}
END_TEST

/* Every transition of 2047 (from the footers) in zones with unusual rules:
 * negative and over-24 h times, southern hemisphere, negative DST, 45 min. */
START_TEST(footer_rules_of_other_zones)
{
    static const struct {
        const char *zone;
        apr_int64_t at;
        int before, after;
    } cases[] = {
        {"Europe/Paris", 2437606800, 3600, 7200},
        {"Europe/Paris", 2455750800, 7200, 3600},
        {"America/Nuuk", 2437606800, -7200, -3600},
        {"America/Nuuk", 2455750800, -3600, -7200},
        {"Asia/Jerusalem", 2437430400, 7200, 10800},
        {"Asia/Jerusalem", 2455743600, 10800, 7200},
        {"Australia/Sydney", 2438179200, 39600, 36000},
        {"Australia/Sydney", 2453904000, 36000, 39600},
        {"America/Santiago", 2438218800, -10800, -14400},
        {"America/Santiago", 2451528000, -14400, -10800},
        {"Europe/Dublin", 2437606800, 0, 3600},
        {"Europe/Dublin", 2455750800, 3600, 0},
        {"Pacific/Chatham", 2438172000, 49500, 45900},
        {"Pacific/Chatham", 2453292000, 45900, 49500},
        {"America/New_York", 2435814000, -18000, -14400},
        {"America/New_York", 2456373600, -14400, -18000},
    };

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        moi_tz *tz = zone(cases[i].zone);
        apr_time_t at = SEC(cases[i].at), back = 0;
        int y, mo, d, h, mi, s;

        ck_assert_msg(moi_tz_offset_at(tz, at - 1) == cases[i].before &&
                          moi_tz_offset_at(tz, at) == cases[i].after,
                      "%s at %" APR_INT64_T_FMT ": %d then %d", cases[i].zone,
                      cases[i].at, moi_tz_offset_at(tz, at - 1),
                      moi_tz_offset_at(tz, at));
        moi_tz_to_local(tz, at, &y, &mo, &d, &h, &mi, &s);
        ck_assert_int_eq(moi_tz_from_local(tz, y, mo, d, h, mi, s, &back), 0);
        if (cases[i].after > cases[i].before) {
            ck_assert_int_eq(back, at); /* spring forward: a unique time */
        } else {
            ck_assert_int_eq(back, at - SEC(cases[i].before - cases[i].after));
        }
    }
}
END_TEST

/* ---- round trips ------------------------------------------------------- */

START_TEST(paris_round_trip_local_hours_2022)
{
    moi_tz *tz = zone("Europe/Paris");
    int gaps = 0;

    for (int day = 0; day < 365; day++) {
        int y, mo, d, h, mi, s;
        apr_time_t noon_utc = SEC((apr_int64_t)(18993 + day) * 86400 + 43200);

        moi_tz_to_local(tz, noon_utc, &y, &mo, &d, &h, &mi, &s);
        ck_assert_int_eq(y, 2022);
        for (int hour = 0; hour < 24; hour++) {
            apr_time_t t;
            int rc = moi_tz_from_local(tz, y, mo, d, hour, 17, 5, &t);
            if (rc == MOI_TZ_NONEXISTENT) {
                ck_assert(mo == 3 && d == 27 && hour == 2);
                gaps++;
                continue;
            }
            ck_assert_int_eq(rc, 0);
            assert_local(tz, t, y, mo, d, hour, 17, 5);
        }
    }
    ck_assert_int_eq(gaps, 1);
}
END_TEST

START_TEST(paris_round_trip_utc_hours_2022)
{
    moi_tz *tz = zone("Europe/Paris");
    apr_int64_t first = 1640995200; /* 2022-01-01T00:00:00Z */

    for (apr_int64_t secs = first; secs < first + 365 * 86400; secs += 1800) {
        int y, mo, d, h, mi, s;
        apr_time_t back = 0;
        int dst = secs >= PARIS_2022_SPRING && secs < PARIS_2022_FALL;

        ck_assert_int_eq(moi_tz_offset_at(tz, SEC(secs)), dst ? 7200 : 3600);
        moi_tz_to_local(tz, SEC(secs), &y, &mo, &d, &h, &mi, &s);
        ck_assert_int_eq(moi_tz_from_local(tz, y, mo, d, h, mi, s, &back), 0);
        if (secs >= PARIS_2022_FALL && secs < PARIS_2022_FALL + 3600) {
            ck_assert_int_eq(back, SEC(secs - 3600)); /* the second 02:xx */
        } else {
            ck_assert_int_eq(back, SEC(secs));
        }
    }
}
END_TEST

START_TEST(sub_second_and_negative_instants)
{
    moi_tz *tz = zone("Europe/Paris");

    /* 1969-12-31 23:59:59.5 UTC is 1970-01-01 00:59:59 CET. */
    assert_local(tz, -APR_USEC_PER_SEC / 2, 1970, 1, 1, 0, 59, 59);
    assert_local(tz, SEC(1667377800) + 999999, 2022, 11, 2, 9, 30, 0);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(PARIS_2022_FALL) - 1), 7200);
}
END_TEST

START_TEST(from_local_invalid_fields)
{
    moi_tz *tz = zone("Europe/Paris");
    apr_time_t t = 7;

    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 13, 1, 0, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 0, 1, 0, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 11, 31, 0, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 2023, 2, 29, 0, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 11, 2, 24, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 11, 2, 9, 60, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 11, 2, 9, 0, 60, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 2022, 11, 2, -1, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 0, 1, 1, 0, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(moi_tz_from_local(tz, 10000, 1, 1, 0, 0, 0, &t), MOI_TZ_INVALID);
    ck_assert_int_eq(t, 7);
    ck_assert_int_eq(moi_tz_from_local(tz, 2024, 2, 29, 0, 0, 0, &t), 0);
    ck_assert_int_eq(moi_tz_from_local(tz, 1, 1, 1, 0, 0, 0, &t), 0);
    assert_local(tz, t, 1, 1, 1, 0, 0, 0);
    ck_assert_int_eq(moi_tz_from_local(tz, 9999, 12, 31, 23, 59, 59, &t), 0);
    assert_local(tz, t, 9999, 12, 31, 23, 59, 59);
}
END_TEST

/* ---- POSIX TZ footers -------------------------------------------------- */

static moi_tz *footer_zone(const char *footer)
{
    tzif f;
    const char *err;
    moi_tz *tz;

    build_footer_only(&f, footer);
    tz = load_bytes(f.b, f.n, &err);
    ck_assert_msg(tz != NULL, "'%s': %s", footer, err);
    return tz;
}

static void assert_change(const moi_tz *tz, apr_int64_t at, int before, int after)
{
    ck_assert_msg(moi_tz_offset_at(tz, SEC(at - 1)) == before &&
                      moi_tz_offset_at(tz, SEC(at)) == after,
                  "at %" APR_INT64_T_FMT ": %d then %d, expected %d then %d", at,
                  moi_tz_offset_at(tz, SEC(at - 1)), moi_tz_offset_at(tz, SEC(at)),
                  before, after);
}

START_TEST(footer_julian_and_extended_times)
{
    /* J60 is March 1 in every year; day 300 counts from 0 and February 29. */
    moi_tz *tz = footer_zone("XST3XDT,J60/-1,300/26");
    assert_change(tz, 1709258400, -10800, -7200); /* 2024-02-29 23:00 -03 */
    assert_change(tz, 1730088000, -7200, -10800); /* 2024-10-28 02:00 -02 */
    assert_change(tz, 1740794400, -10800, -7200); /* 2025-02-28 23:00 -03 */
    assert_change(tz, 1761710400, -7200, -10800); /* 2025-10-29 02:00 -02 */
    ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(1720000000)), "XDT");
    ck_assert_str_eq(moi_tz_abbrev_at(tz, 0), "XST");

    /* Southern hemisphere, "24:00" of the last Saturday. */
    tz = footer_zone("<-03>3<-02>,M10.5.6/24,M3.5.6/24");
    assert_change(tz, 1711850400, -7200, -10800);
    assert_change(tz, 1729998000, -10800, -7200);
    assert_change(tz, 1743300000, -7200, -10800);
    assert_change(tz, 1761447600, -10800, -7200);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, 0), "-02");

    /* Times a week before and after the day, minutes in the offset. */
    tz = footer_zone("AAA-10BBB-11:30,M10.1.0/-167,M4.1.0/167");
    assert_change(tz, 1713007800, 41400, 36000);
    assert_change(tz, 1727535600, 36000, 41400);
    assert_change(tz, 1744457400, 41400, 36000);
    assert_change(tz, 1758985200, 36000, 41400);
}
END_TEST

START_TEST(footer_without_changes)
{
    apr_time_t t;
    /* DST all year (RFC 8536 3.3.1). */
    moi_tz *tz = footer_zone("EST5EDT,0/0,J365/25");
    for (apr_int64_t secs = 0; secs < 80LL * 365 * 86400; secs += 86400 * 7 + 3599) {
        ck_assert_int_eq(moi_tz_offset_at(tz, SEC(secs)), -14400);
    }
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(1704085200)),
                     -14400); /* 2024-01-01 05:00Z */
    ck_assert_int_eq(moi_tz_from_local(tz, 2024, 1, 1, 0, 0, 0, &t), 0);
    ck_assert_int_eq(t, SEC(1704085200 - 3600));

    tz = footer_zone("<+0330>-3:30");
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(1719835200)), 12600);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(1719835200)), "+0330");
    ck_assert_int_eq(moi_tz_from_local(tz, 2024, 7, 1, 15, 30, 0, &t), 0);
    ck_assert_int_eq(t, SEC(1719835200));

    /* DST without a rule: the US one (second Sunday of March, first of November). */
    tz = footer_zone("EST5EDT");
    assert_change(tz, 1710054000, -18000, -14400); /* 2024-03-10 02:00 EST */
    assert_change(tz, 1730613600, -14400, -18000); /* 2024-11-03 02:00 EDT */
}
END_TEST

START_TEST(footer_bad_strings)
{
    static const char *const bad[] = {
        "AA-1",
        "AAA",
        "-1",
        "AAA-25",
        "AAA-1:60",
        "AAA-1:00:60",
        "AAA-1:",
        "<AB>1",
        "<ABC1",
        "<A B>1",
        "CET-1CEST,M13.1.0,M10.5.0",
        "CET-1CEST,M0.1.0,M10.5.0",
        "CET-1CEST,M3.6.0,M10.5.0",
        "CET-1CEST,M3.0.0,M10.5.0",
        "CET-1CEST,M3.5.7,M10.5.0",
        "CET-1CEST,M3.5,M10.5.0",
        "CET-1CEST,J0,J365",
        "CET-1CEST,J366,J1",
        "CET-1CEST,366,1",
        "CET-1CEST,M3.5.0/168,M10.5.0",
        "CET-1CEST,M3.5.0/-168,M10.5.0",
        "CET-1CEST,M3.5.0",
        "CET-1CEST,M3.5.0,",
        "CET-1CEST,M3.5.0,M10.5.0,",
        "CET-1CEST,M3.5.0,M10.5.0/3x",
        "CET-1CEST-2x",
        "CET-1 ",
        "CET-99999999999999999999",
    };
    tzif f;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        build_footer_only(&f, bad[i]);
        assert_rejected(f.b, f.n, bad[i]);
    }
}
END_TEST

/* ---- corrupt files ----------------------------------------------------- */

START_TEST(built_files_load)
{
    tzif f;
    const char *err;
    moi_tz *tz;
    static const tzif_type one = {3600, 0, 0};

    build_small(&f);
    tz = load_bytes(f.b, f.n, &err);
    ck_assert_msg(tz != NULL, "%s", err);
    ck_assert_int_eq(moi_tz_offset_at(tz, 0), 3600);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(1000000000)), 7200);
    ck_assert_str_eq(moi_tz_abbrev_at(tz, SEC(1000000000)), "BBB");
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(1100000000)), 3600);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(4000000000)), 3600);

    /* Empty footer: the last type holds for ever. */
    build_v2(&f, 1, small_trans, small_idx, 2, small_types, "AAA\0BBB", 8, "");
    tz = load_bytes(f.b, f.n, &err);
    ck_assert_msg(tz != NULL, "%s", err);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(4000000000)), 7200);

    /* Version 1 only: 32-bit times, no footer. */
    f.n = 0;
    put_header(&f, '\0', 2, 2, 8);
    put_block(&f, 4, 2, small_trans, small_idx, 2, small_types, "AAA\0BBB", 8);
    tz = load_bytes(f.b, f.n, &err);
    ck_assert_msg(tz != NULL, "%s", err);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(1000000000)), 7200);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(1100000000)), 3600);

    /* No transitions and no footer: type 0. */
    build_v2(&f, 0, NULL, NULL, 1, &one, "AAA", 4, "");
    tz = load_bytes(f.b, f.n, &err);
    ck_assert_msg(tz != NULL, "%s", err);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(-4000000000)), 3600);
    ck_assert_int_eq(moi_tz_offset_at(tz, SEC(4000000000)), 3600);
}
END_TEST

START_TEST(corrupt_headers_and_tables)
{
    static const apr_int64_t unordered[] = {1100000000, 1000000000};
    static const apr_int64_t equal[] = {1000000000, 1000000000};
    /* Byte patches of build_small()'s file, each enough to make it corrupt. */
    static const struct {
        size_t at, n;
        unsigned char bytes[4];
        const char *why;
    } patches[] = {
        {0, 1, {'X'}, "bad magic"},
        {4, 1, {'1'}, "version '1'"},
        {44, 1, {'X'}, "bad magic of the second header"},
        {48, 1, {'1'}, "second header of version '1'"},
        {48, 1, {'\0'}, "second header of version 1"},
        {32, 4, {0x7f, 0xff, 0xff, 0xff}, "huge version 1 time count"},
        {76, 4, {0xff, 0xff, 0xff, 0xff}, "huge time count"},
        {76, 4, {0, 0, 0, 3}, "one time too many"},
        {80, 4, {0, 0, 0, 0}, "no types"},
        {80, 4, {0, 0, 1, 1}, "too many types"},
        {80, 4, {0xff, 0xff, 0xff, 0xff}, "huge type count"},
        {84, 4, {0, 0, 0, 0}, "no abbreviations"},
        {84, 4, {0xff, 0xff, 0xff, 0xff}, "huge abbreviation count"},
        {72, 4, {0, 0, 0, 1}, "leap seconds"},
        {64, 4, {0, 0, 0, 1}, "UT indicator count"},
        {68, 4, {0, 0, 0, 1}, "standard indicator count"},
        {64, 4, {0, 0, 0, 2}, "UT indicators eat the footer"},
        {104, 1, {2}, "type index out of range"},
        {106, 4, {0, 1, 0x86, 0xa0}, "offset of 100000 s"},
        {106, 4, {0x80, 0, 0, 0}, "offset INT32_MIN"},
        {110, 1, {2}, "DST flag 2"},
        {117, 1, {8}, "abbreviation index past the end"},
        {126, 1, {'A'}, "footer not after a newline"},
    };
    tzif f;

    for (size_t i = 0; i < sizeof patches / sizeof *patches; i++) {
        build_small(&f);
        memcpy(f.b + patches[i].at, patches[i].bytes, patches[i].n);
        assert_rejected(f.b, f.n, patches[i].why);
    }

    build_v2(&f, 2, unordered, small_idx, 2, small_types, "AAA\0BBB", 8, "AAA-1");
    assert_rejected(f.b, f.n, "transitions out of order");
    build_v2(&f, 2, equal, small_idx, 2, small_types, "AAA\0BBB", 8, "AAA-1");
    assert_rejected(f.b, f.n, "equal transitions");
    build_v2(&f, 2, small_trans, small_idx, 2, small_types, "AAA\0BBBB", 8, "AAA-1");
    assert_rejected(f.b, f.n, "abbreviation without NUL");

    build_small(&f);
    put(&f, "x", 1);
    assert_rejected(f.b, f.n, "trailing data");
    build_small(&f);
    f.b[f.n - 1] = 'x';
    assert_rejected(f.b, f.n, "unterminated footer");
    build_small(&f);
    f.b[129] = '\0';
    assert_rejected(f.b, f.n, "NUL in the footer");
    build_small(&f);
    f.b[129] = '\n';
    assert_rejected(f.b, f.n, "newline in the footer");
    f.n = 0;
    put_header(&f, '\0', 2, 2, 8);
    put_block(&f, 4, 2, small_trans, small_idx, 2, small_types, "AAA\0BBB", 8);
    put(&f, "\nAAA-1\n", 7);
    assert_rejected(f.b, f.n, "version 1 file with a footer");
}
END_TEST

START_TEST(truncated_system_file)
{
    size_t len;
    unsigned char *data = system_file("Europe/Paris", &len);

    ck_assert_uint_gt(len, 1000);
    for (size_t n = 0; n < len; n++) {
        assert_rejected(data, n, apr_psprintf(unit_pool, "first %zu bytes", n));
    }
}
END_TEST

/* A deterministic pseudo-random sequence for the garbage tests. */
static apr_uint32_t next_random(apr_uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

START_TEST(garbage_files)
{
    apr_uint32_t state = 20221102;
    unsigned char buf[600];

    for (int round = 0; round < 200; round++) {
        size_t len = next_random(&state) % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            buf[i] = (unsigned char)next_random(&state);
        }
        if (round % 2 && len >= 5) {
            memcpy(buf, "TZif2", 5);
        }
        assert_rejected(buf, len, "random bytes");
    }
}
END_TEST

/* Every byte of a real file changed in turn: either the file is refused, or
 * it loads and can be used. */
START_TEST(mutated_system_file)
{
    size_t len;
    unsigned char *data = system_file("Europe/Paris", &len);
    apr_uint32_t state = 1789;
    int refused = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char saved = data[i];
        const char *err;
        moi_tz *tz;

        data[i] ^= (unsigned char)(1 + next_random(&state) % 255);
        tz = load_bytes(data, len, &err);
        data[i] = saved;
        if (!tz) {
            ck_assert_ptr_nonnull(err);
            refused++;
            continue;
        }
        for (apr_int64_t secs = -5000000000; secs < 5000000000; secs += 123456789) {
            int y, mo, d, h, mi, s;
            apr_time_t t;
            moi_tz_to_local(tz, SEC(secs), &y, &mo, &d, &h, &mi, &s);
            (void)moi_tz_from_local(tz, y, mo, d, h, mi, s, &t);
        }
    }
    ck_assert_int_gt(refused, 0);
}
END_TEST

/* ---- threads ----------------------------------------------------------- */

typedef struct {
    const moi_tz *tz;
    int failures;
} thread_job;

static void *APR_THREAD_FUNC round_trips(apr_thread_t *thread, void *data)
{
    thread_job *job = data;

    for (apr_int64_t secs = 1640995200; secs < 1640995200 + 365 * 86400; secs += 3600) {
        int y, mo, d, h, mi, s;
        apr_time_t back;
        moi_tz_to_local(job->tz, SEC(secs), &y, &mo, &d, &h, &mi, &s);
        if (moi_tz_from_local(job->tz, y, mo, d, h, mi, s, &back) != 0 ||
            (back != SEC(secs) && back != SEC(secs - 3600))) {
            job->failures++;
        }
    }
    /* A plain return, not apr_thread_exit(): pthread_exit() leaves this
     * frame's out-of-scope locals poisoned for ASan (make test SANITIZE=1),
     * which then reports the thread's own teardown as a stack-use-after-scope. */
    (void)thread;
    return NULL;
}

START_TEST(shared_between_threads)
{
    apr_thread_t *threads[4];
    thread_job jobs[4];
    moi_tz *tz = zone("Europe/Paris");

    for (int i = 0; i < 4; i++) {
        jobs[i] = (thread_job){tz, 0};
        ck_assert_int_eq(
            apr_thread_create(&threads[i], NULL, round_trips, &jobs[i], unit_pool),
            APR_SUCCESS);
    }
    for (int i = 0; i < 4; i++) {
        apr_status_t rv;
        ck_assert_int_eq(apr_thread_join(&rv, threads[i]), APR_SUCCESS);
        ck_assert_int_eq(jobs[i].failures, 0);
    }
}
END_TEST

Suite *tz_suite(void)
{
    Suite *s = suite_create("tz");
    TCase *tc = unit_tcase("load");

    tcase_add_test(tc, load_event_zones);
    tcase_add_test(tc, load_bad_names);
    tcase_add_test(tc, load_missing_or_not_a_zone);
    tcase_add_test(tc, load_copy_in_other_dir);
    suite_add_tcase(s, tc);

    tc = unit_tcase("convert");
    tcase_add_test(tc, paris_winter);
    tcase_add_test(tc, paris_fall_back);
    tcase_add_test(tc, paris_spring_forward);
    tcase_add_test(tc, overseas_zones);
    tcase_add_test(tc, far_future_from_footer);
    tcase_add_test(tc, past_from_table);
    tcase_add_test(tc, footer_rules_of_other_zones);
    tcase_add_test(tc, paris_round_trip_local_hours_2022);
    tcase_add_test(tc, paris_round_trip_utc_hours_2022);
    tcase_add_test(tc, sub_second_and_negative_instants);
    tcase_add_test(tc, from_local_invalid_fields);
    tcase_add_test(tc, shared_between_threads);
    suite_add_tcase(s, tc);

    tc = unit_tcase("footer");
    tcase_add_test(tc, footer_julian_and_extended_times);
    tcase_add_test(tc, footer_without_changes);
    tcase_add_test(tc, footer_bad_strings);
    suite_add_tcase(s, tc);

    tc = unit_tcase("corrupt");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, built_files_load);
    tcase_add_test(tc, corrupt_headers_and_tables);
    tcase_add_test(tc, truncated_system_file);
    tcase_add_test(tc, garbage_files);
    tcase_add_test(tc, mutated_system_file);
    suite_add_tcase(s, tc);
    return s;
}
