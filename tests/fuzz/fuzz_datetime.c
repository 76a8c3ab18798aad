/* moi_parse_int64, moi_parse_date and moi_parse_rfc3339: numbers, dates
 * and instants from requests and directives.
 * Invariants: moi_parse_int64 agrees with a plain reading of the strict
 * grammar (optional '-', no leading zeros, no "-0") through strtoll; an
 * accepted date prints back as itself and survives days since the epoch and
 * back; an accepted instant printed at UTC parses back to itself (to the
 * second); *out is untouched on failure. */
#include <errno.h>
#include <string.h>
#include <apr_strings.h>
#include "moi_parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 and *out when s is the decimal form of an integer per moi_parse.h. */
static int reference_int64(const char *s, apr_int64_t *out)
{
    const char *d = s[0] == '-' ? s + 1 : s;
    char *end;
    long long v;
    size_t i, n = strlen(d);
    if (n == 0 || (d[0] == '0' && (n > 1 || d != s))) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (d[i] < '0' || d[i] > '9') {
            return 0;
        }
    }
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end) {
        return 0;
    }
    *out = v;
    return 1;
}

static void check_int(const char *s, apr_int64_t min, apr_int64_t max)
{
    apr_int64_t got = 12345, want = 0;
    int ok = moi_parse_int64(s, min, max, &got) == 0;
    int ref = reference_int64(s, &want) && want >= min && want <= max;
    FUZZ_CHECK(ok == ref);
    FUZZ_CHECK(ok ? got == want : got == 12345);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *s = fuzz_cstr(data, size);
    moi_date d = {-1, -1, -1};
    apr_time_t t = 42;

    check_int(s, APR_INT64_MIN, APR_INT64_MAX);
    check_int(s, 1, 1000000000);
    check_int(s, -100, 100);

    if (moi_parse_date(s, &d) == 0) {
        moi_date back;
        FUZZ_CHECK(!strcmp(apr_psprintf(p, "%04d-%02d-%02d", d.year, d.month, d.day), s));
        moi_civil_from_days(moi_days_from_civil(d.year, d.month, d.day), &back);
        FUZZ_CHECK(moi_date_cmp(&d, &back) == 0);
    }
    else {
        FUZZ_CHECK(d.year == -1 && d.month == -1 && d.day == -1);
    }

    if (moi_parse_rfc3339(s, &t) == 0) {
        apr_time_t whole = t - ((t % APR_USEC_PER_SEC) + APR_USEC_PER_SEC) % APR_USEC_PER_SEC;
        const char *utc = moi_format_rfc3339(p, t, 0);
        const char *paris = moi_format_rfc3339(p, t, 3600);
        apr_time_t u = 0, v = 0;
        /* Outside years 1..9999 once at UTC, the text has no RFC 3339 form. */
        if (utc[0] != '-' && strncmp(utc, "0000", 4) && strlen(utc) == 25) {
            FUZZ_CHECK(moi_parse_rfc3339(utc, &u) == 0 && u == whole);
        }
        if (paris[0] != '-' && strncmp(paris, "0000", 4) && strlen(paris) == 25) {
            FUZZ_CHECK(moi_parse_rfc3339(paris, &v) == 0 && v == whole);
        }
    }
    else {
        FUZZ_CHECK(t == 42);
    }
    free(s);
    fuzz_pool_done(p);
    return 0;
}
