/* Strict parsers for every number, date and identifier that comes from a
 * request or a directive.  No leading or trailing spaces, no overflow, no
 * trailing junk, no locale.  Each returns 0 on success and -1 on failure,
 * leaving *out untouched on failure.
 */
#ifndef MOI_PARSE_H
#define MOI_PARSE_H

#include <apr_pools.h>
#include <apr_time.h>

typedef struct {
    int year;  /* 1..9999 */
    int month; /* 1..12 */
    int day;   /* 1..days in month */
} moi_date;

/* Decimal integer in [min, max]: optional '-', no '+', no leading zeros. */
int moi_parse_int64(const char *s, apr_int64_t min, apr_int64_t max, apr_int64_t *out);

/* "YYYY-MM-DD", a real calendar day. */
int moi_parse_date(const char *s, moi_date *out);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
long moi_days_from_civil(int y, int m, int d);
void moi_civil_from_days(long days, moi_date *out);
int moi_date_cmp(const moi_date *a, const moi_date *b);
int moi_days_in_month(int year, int month);

/* RFC 3339 date-time with an explicit offset ("Z" or "+HH:MM"), seconds
 * and fraction optional: "2022-10-29T23:59:59+02:00", "2022-10-29T23:59Z".
 * *out is the instant in microseconds since the epoch. */
int moi_parse_rfc3339(const char *s, apr_time_t *out);

/* Formats an instant as RFC 3339 at the given UTC offset (seconds east),
 * "2022-11-02T09:30:00+01:00"; "Z" is never used.  Allocated from p. */
const char *moi_format_rfc3339(apr_pool_t *p, apr_time_t t, int offset_seconds);

/* "On"/"Off"/"Auto" and friends, ASCII case-insensitive. */
int moi_parse_onoff(const char *s, int *out);

/* A plausible e-mail address: local@domain, ASCII, at most 254 bytes, a
 * dot-atom local part of at most 64 bytes and a domain of DNS labels with
 * at least one dot.  Case is not checked. */
int moi_email_valid(const char *s);

/* A DNS domain name: labels of [a-z0-9-] (ASCII case-insensitive), not
 * starting or ending with '-', 1..63 bytes each, at least one dot, at most
 * 253 bytes. */
int moi_domain_valid(const char *s);

/* True when domain equals suffix or ends with "." suffix (ASCII
 * case-insensitive): "gouv.fr" admits "gouv.fr" and "x.gouv.fr", not
 * "notgouv.fr". */
int moi_domain_matches(const char *domain, const char *suffix);

/* A MongoDB database name: 1..63 bytes, none of / \ . " $ space or NUL. */
int moi_dbname_valid(const char *s);

/* A lower-cased copy of an ASCII string, from p. */
char *moi_ascii_lower(apr_pool_t *p, const char *s);

/* Constant-time comparison of two NUL-terminated strings (time depends only
 * on the length of b, the expected value).  NULL-safe: NULL never matches. */
int moi_ct_streq(const char *a, const char *b);

#endif
