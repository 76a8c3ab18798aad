/* moi_tz_load on a file: the TZif reader (RFC 8536) and its POSIX TZ footer.
 * The input is written to a file of a temporary directory and loaded as a
 * zone; a zone that loads is then asked about instants of years 1 to 9999
 * (the dates the module works with), its transitions among them.
 * Invariants: a refusal says why; offsets stay within RFC 8536's range
 * (+-25:59:59, one more hour for a footer's default DST); a local time that
 * moi_tz_from_local accepts is shown back by moi_tz_to_local. */
#include <string.h>
#include <unistd.h>
#include <apr_strings.h>
#include "moi_tz.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIRST_SECOND APR_INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define LAST_SECOND APR_INT64_C(253402300799)  /* 9999-12-31T23:59:59Z */

static char dir[64];

static void remove_dir(void)
{
    rmdir(dir);
}

static apr_uint64_t be(const uint8_t *b, int n)
{
    apr_uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = v << 8 | b[i];
    }
    return v;
}

/* Transition i of the version 2+ data block of a TZif file; *ok = 0 past
 * the last one (or when there is no such block). */
static apr_int64_t transition(const uint8_t *d, size_t size, size_t i, int *ok)
{
    apr_uint64_t v1len, off;
    *ok = 0;
    if (size < 44 || d[4] == 0) {
        return 0;
    }
    v1len = be(d + 32, 4) * 5 + be(d + 36, 4) * 6 + be(d + 40, 4) + be(d + 28, 4) * 8 +
            be(d + 24, 4) + be(d + 20, 4);
    off = 44 + v1len;
    if (off + 44 > size || i >= be(d + off + 32, 4) || off + 44 + (i + 1) * 8 > size) {
        return 0;
    }
    *ok = 1;
    return (apr_int64_t)be(d + off + 44 + i * 8, 8);
}

static void check_instant(const moi_tz *tz, apr_int64_t secs)
{
    apr_time_t t, back;
    int y, mo, d, h, mi, s, off, rv;

    if (secs < FIRST_SECOND + 2 * 86400 || secs > LAST_SECOND - 2 * 86400) {
        return;
    }
    t = secs * APR_USEC_PER_SEC;
    off = moi_tz_offset_at(tz, t);
    FUZZ_CHECK(off >= -89999 - 3600 && off <= 93599 + 3600);
    FUZZ_CHECK(moi_tz_isdst_at(tz, t) == 0 || moi_tz_isdst_at(tz, t) == 1);
    FUZZ_CHECK(moi_tz_abbrev_at(tz, t) != NULL);
    moi_tz_to_local(tz, t, &y, &mo, &d, &h, &mi, &s);
    FUZZ_CHECK(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 &&
               mi <= 59 && s >= 0 && s <= 59);
    rv = moi_tz_from_local(tz, y, mo, d, h, mi, s, &back);
    /* The wall-clock time of an instant exists: the earlier instant that
     * shows it, at or before t. */
    FUZZ_CHECK(rv == 0);
    FUZZ_CHECK(back <= t);
    {
        int y2, mo2, d2, h2, mi2, s2;
        moi_tz_to_local(tz, back, &y2, &mo2, &d2, &h2, &mi2, &s2);
        FUZZ_CHECK(y2 == y && mo2 == mo && d2 == d && h2 == h && mi2 == mi && s2 == s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const apr_int64_t probes[] = {
        FIRST_SECOND + 3 * 86400, -2208988800 /* 1900 */, -1, 0, 1667347200 /* 2022-11-02 */,
        1679792400 /* 2023-03-26 01:00Z */, 1698541200 /* 2023-10-29 01:00Z */,
        2147483647, 2147483648, 4102444800 /* 2100 */, LAST_SECOND - 3 * 86400};
    apr_pool_t *p;
    char *path;
    FILE *f;
    const char *err = NULL;
    moi_tz *tz;
    apr_int64_t t;
    int ok;

    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/moi-fuzz-tzif-XXXXXX", tmp && strlen(tmp) < 30 ? tmp : "/tmp");
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        atexit(remove_dir);
    }
    p = fuzz_pool();
    path = apr_pstrcat(p, dir, "/Zone", NULL);
    f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);

    tz = moi_tz_load(p, dir, "Zone", &err);
    if (!tz) {
        FUZZ_CHECK(err && *err);
    }
    else {
        size_t i;
        FUZZ_CHECK(!strcmp(moi_tz_name(tz), "Zone"));
        for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
            check_instant(tz, probes[i]);
        }
        /* Around the transitions of the file's 64-bit block. */
        for (i = 0; i < 2 * 256 && (t = transition(data, size, i / 2, &ok), ok); i++) {
            check_instant(tz, t - (apr_int64_t)(i % 2));
        }
    }
    unlink(path);
    fuzz_pool_done(p);
    return 0;
}
