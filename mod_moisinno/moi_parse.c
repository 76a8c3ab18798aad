#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include "moi_parse.h"

int moi_parse_int64(const char *s, apr_int64_t min, apr_int64_t max, apr_int64_t *out)
{
    const char *p = s;
    int neg = 0;
    apr_uint64_t v = 0, limit;

    if (!s || !*s) {
        return -1;
    }
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (!*p || (*p == '0' && p[1] != '\0') || (neg && *p == '0')) {
        return -1;
    }
    limit = neg ? (apr_uint64_t)APR_INT64_MAX + 1 : (apr_uint64_t)APR_INT64_MAX;
    for (; *p; p++) {
        unsigned digit;
        if (*p < '0' || *p > '9') {
            return -1;
        }
        digit = (unsigned)(*p - '0');
        if (v > (limit - digit) / 10) {
            return -1;
        }
        v = v * 10 + digit;
    }
    {
        apr_int64_t r = neg ? (apr_int64_t)(0 - v) : (apr_int64_t)v;
        if (r < min || r > max) {
            return -1;
        }
        *out = r;
    }
    return 0;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int moi_days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) {
        return 0;
    }
    return month == 2 && is_leap(year) ? 29 : dim[month - 1];
}

/* Reads exactly n digits. */
static int digits(const char *s, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Parses "YYYY-MM-DD" at the start of s; does not look past it. */
static int date_prefix(const char *s, moi_date *d)
{
    int y, m, dd;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
        digits(s + 8, 2, &dd)) {
        return -1;
    }
    if (y < 1 || m < 1 || m > 12 || dd < 1 || dd > moi_days_in_month(y, m)) {
        return -1;
    }
    d->year = y;
    d->month = m;
    d->day = dd;
    return 0;
}

int moi_parse_date(const char *s, moi_date *out)
{
    moi_date d;
    if (!s || strlen(s) != 10 || date_prefix(s, &d)) {
        return -1;
    }
    *out = d;
    return 0;
}

long moi_days_from_civil(int y, int m, int d)
{
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void moi_civil_from_days(long z, moi_date *out)
{
    long era, doe, yoe, y, doy, mp, d, m;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    out->year = (int)(y + (m <= 2));
    out->month = (int)m;
    out->day = (int)d;
}

int moi_date_cmp(const moi_date *a, const moi_date *b)
{
    if (a->year != b->year) {
        return a->year < b->year ? -1 : 1;
    }
    if (a->month != b->month) {
        return a->month < b->month ? -1 : 1;
    }
    if (a->day != b->day) {
        return a->day < b->day ? -1 : 1;
    }
    return 0;
}

int moi_parse_rfc3339(const char *s, apr_time_t *out)
{
    moi_date d;
    int hh, mi, ss = 0, oh = 0, om = 0, sign = 0;
    long usec = 0;
    const char *p;
    apr_int64_t secs;

    if (!s || strlen(s) < 17 || date_prefix(s, &d)) {
        return -1;
    }
    if (s[10] != 'T' || digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mi)) {
        return -1;
    }
    p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &ss)) {
            return -1;
        }
        p += 3;
        if (*p == '.') {
            int n = 0;
            long scale = 100000;
            p++;
            while (*p >= '0' && *p <= '9') {
                if (n < 6) {
                    usec += (*p - '0') * scale;
                    scale /= 10;
                }
                n++;
                p++;
            }
            if (n == 0 || n > 9) {
                return -1;
            }
        }
    }
    if (hh > 23 || mi > 59 || ss > 59) {
        return -1;
    }
    if (*p == 'Z' && p[1] == '\0') {
        sign = 0;
    }
    else if ((*p == '+' || *p == '-') && strlen(p) == 6 && !digits(p + 1, 2, &oh) &&
             p[3] == ':' && !digits(p + 4, 2, &om)) {
        if (oh > 23 || om > 59) {
            return -1;
        }
        sign = *p == '+' ? 1 : -1;
    }
    else {
        return -1;
    }
    secs = (apr_int64_t)moi_days_from_civil(d.year, d.month, d.day) * 86400 + hh * 3600 +
           mi * 60 + ss;
    secs -= (apr_int64_t)sign * (oh * 3600 + om * 60);
    *out = secs * APR_USEC_PER_SEC + usec;
    return 0;
}

const char *moi_format_rfc3339(apr_pool_t *p, apr_time_t t, int offset_seconds)
{
    apr_int64_t secs = apr_time_sec(t) + offset_seconds;
    long days;
    int sod, off = offset_seconds < 0 ? -offset_seconds : offset_seconds;
    moi_date d;

    if (t < 0 && t % APR_USEC_PER_SEC) {
        secs -= 1;
    }
    days = (long)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    sod = (int)(secs - (apr_int64_t)days * 86400);
    moi_civil_from_days(days, &d);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", d.year, d.month, d.day,
                        sod / 3600, sod / 60 % 60, sod % 60, offset_seconds < 0 ? '-' : '+',
                        off / 3600, off / 60 % 60);
}

int moi_parse_onoff(const char *s, int *out)
{
    if (!s) {
        return -1;
    }
    if (!strcasecmp(s, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(s, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int is_atext(int c)
{
    return apr_isalnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

int moi_domain_valid(const char *s)
{
    size_t len, label = 0;
    int dots = 0;
    const char *p;

    if (!s || (len = strlen(s)) == 0 || len > 253) {
        return 0;
    }
    for (p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (label == 0 || p[-1] == '-') {
                return 0;
            }
            label = 0;
            dots++;
            continue;
        }
        if (!(c < 128 && (apr_isalnum(c) || c == '-'))) {
            return 0;
        }
        if (c == '-' && label == 0) {
            return 0;
        }
        if (++label > 63) {
            return 0;
        }
    }
    return dots > 0 && label > 0 && p[-1] != '-';
}

int moi_email_valid(const char *s)
{
    const char *at, *p;
    size_t local;

    if (!s || strlen(s) > 254 || !(at = strchr(s, '@')) || strchr(at + 1, '@')) {
        return 0;
    }
    local = (size_t)(at - s);
    if (local == 0 || local > 64 || s[0] == '.' || at[-1] == '.') {
        return 0;
    }
    for (p = s; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 128 || (!is_atext(c) && c != '.') || (c == '.' && p[1] == '.')) {
            return 0;
        }
    }
    return moi_domain_valid(at + 1);
}

int moi_domain_matches(const char *domain, const char *suffix)
{
    size_t dl, sl;
    if (!domain || !suffix) {
        return 0;
    }
    dl = strlen(domain);
    sl = strlen(suffix);
    if (sl == 0 || dl < sl) {
        return 0;
    }
    if (strcasecmp(domain + dl - sl, suffix) != 0) {
        return 0;
    }
    return dl == sl || domain[dl - sl - 1] == '.';
}

int moi_dbname_valid(const char *s)
{
    size_t len;
    if (!s || (len = strlen(s)) == 0 || len > 63) {
        return 0;
    }
    return strpbrk(s, "/\\.\" $") == NULL;
}

char *moi_ascii_lower(apr_pool_t *p, const char *s)
{
    char *r = apr_pstrdup(p, s), *q;
    for (q = r; *q; q++) {
        *q = (char)apr_tolower((unsigned char)*q);
    }
    return r;
}

int moi_ct_streq(const char *a, const char *b)
{
    size_t la, lb, i;
    unsigned char diff;

    if (!a || !b) {
        return 0;
    }
    la = strlen(a);
    lb = strlen(b);
    diff = (unsigned char)(la != lb);
    for (i = 0; i < lb; i++) {
        unsigned char ca = i < la ? (unsigned char)a[i] : 0;
        diff |= (unsigned char)(ca ^ (unsigned char)b[i]);
    }
    return diff == 0;
}
