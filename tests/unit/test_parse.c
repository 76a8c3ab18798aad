/* moi_parse: strict parsers of numbers, dates, instants and identifiers. */
#include <string.h>
#include <apr_strings.h>
#include "moi_parse.h"
#include "unit.h"

#define USEC(s) ((apr_time_t)(s)*APR_USEC_PER_SEC)

/* n copies of c, from unit_pool. */
static char *repeat(char c, size_t n)
{
    char *s = apr_palloc(unit_pool, n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- moi_parse_int64 ---------------------------------------------------- */

static void int64_ok(const char *s, apr_int64_t min, apr_int64_t max, apr_int64_t want)
{
    apr_int64_t v = 12345;
    ck_assert_msg(moi_parse_int64(s, min, max, &v) == 0, "'%s' refused", s);
    ck_assert_msg(v == want, "'%s' gave %" APR_INT64_T_FMT, s, v);
}

static void int64_bad(const char *s, apr_int64_t min, apr_int64_t max)
{
    apr_int64_t v = 12345;
    ck_assert_msg(moi_parse_int64(s, min, max, &v) == -1, "'%s' accepted",
                  s ? s : "NULL");
    ck_assert_msg(v == 12345, "'%s' wrote *out on failure", s ? s : "NULL");
}

START_TEST(int64_plain_values)
{
    int64_ok("0", APR_INT64_MIN, APR_INT64_MAX, 0);
    int64_ok("1", APR_INT64_MIN, APR_INT64_MAX, 1);
    int64_ok("-1", APR_INT64_MIN, APR_INT64_MAX, -1);
    int64_ok("42", APR_INT64_MIN, APR_INT64_MAX, 42);
    int64_ok("1000", APR_INT64_MIN, APR_INT64_MAX, 1000);
    int64_ok("-7200", APR_INT64_MIN, APR_INT64_MAX, -7200);
}
END_TEST

START_TEST(int64_limits)
{
    int64_ok("9223372036854775807", APR_INT64_MIN, APR_INT64_MAX, APR_INT64_MAX);
    int64_ok("-9223372036854775808", APR_INT64_MIN, APR_INT64_MAX, APR_INT64_MIN);
    int64_ok("9223372036854775806", APR_INT64_MIN, APR_INT64_MAX, APR_INT64_MAX - 1);
    int64_ok("-9223372036854775807", APR_INT64_MIN, APR_INT64_MAX, APR_INT64_MIN + 1);
    int64_bad("9223372036854775808", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("9223372036854775809", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("-9223372036854775809", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("-9223372036854775810", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("10000000000000000000", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("18446744073709551615", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("18446744073709551616", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("-18446744073709551616", APR_INT64_MIN, APR_INT64_MAX);
    int64_bad("99999999999999999999999999999999", APR_INT64_MIN, APR_INT64_MAX);
}
END_TEST

START_TEST(int64_range)
{
    int64_ok("1", 1, 500, 1);
    int64_ok("500", 1, 500, 500);
    int64_bad("0", 1, 500);
    int64_bad("501", 1, 500);
    int64_bad("-1", 1, 500);
    int64_ok("-5", -5, -1, -5);
    int64_bad("-6", -5, -1);
    int64_bad("0", -5, -1);
    int64_ok("7", 7, 7, 7);
    int64_bad("8", 7, 7);
    int64_bad("9223372036854775807", 0, APR_INT64_MAX - 1);
    int64_bad("-9223372036854775808", APR_INT64_MIN + 1, 0);
}
END_TEST

START_TEST(int64_syntax)
{
    static const char *const bad[] = {
        "",     "-",     "+",   "+1",   "--1", "-+1", "01",  "00",      "-0",
        "-01",  "007",   " 1",  "1 ",   "\t1", "1\n", "1 2", "1a",      "a1",
        "0x10", "1e3",   "1.0", "1,0",  "1_0", "١",   "1-",  "- 1",     "0-",
        "\xff", "1\xff", " ",   "-\n1", "+0",  "0 ",  "+-0", "999 999", "1/2"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_bad(bad[i], APR_INT64_MIN, APR_INT64_MAX);
    }
    int64_bad(NULL, APR_INT64_MIN, APR_INT64_MAX);
}
END_TEST

/* ---- calendar ----------------------------------------------------------- */

static void date_ok(const char *s, int y, int m, int d)
{
    moi_date out = {-1, -1, -1};
    ck_assert_msg(moi_parse_date(s, &out) == 0, "'%s' refused", s);
    ck_assert_msg(out.year == y && out.month == m && out.day == d, "'%s' gave %d-%d-%d",
                  s, out.year, out.month, out.day);
}

static void date_bad(const char *s)
{
    moi_date out = {-1, -1, -1};
    ck_assert_msg(moi_parse_date(s, &out) == -1, "'%s' accepted", s ? s : "NULL");
    ck_assert_msg(out.year == -1 && out.month == -1 && out.day == -1,
                  "'%s' wrote *out on failure", s ? s : "NULL");
}

START_TEST(date_valid)
{
    date_ok("2022-11-02", 2022, 11, 2);
    date_ok("2022-11-30", 2022, 11, 30);
    date_ok("2022-01-31", 2022, 1, 31);
    date_ok("2022-04-30", 2022, 4, 30);
    date_ok("2022-12-31", 2022, 12, 31);
    date_ok("2022-02-28", 2022, 2, 28);
    date_ok("0001-01-01", 1, 1, 1);
    date_ok("9999-12-31", 9999, 12, 31);
    date_ok("1970-01-01", 1970, 1, 1);
}
END_TEST

START_TEST(date_leap_years)
{
    date_ok("2020-02-29", 2020, 2, 29);
    date_ok("2000-02-29", 2000, 2, 29);
    date_ok("2024-02-29", 2024, 2, 29);
    date_ok("1600-02-29", 1600, 2, 29);
    date_bad("2022-02-29");
    date_bad("2100-02-29");
    date_bad("1900-02-29");
    date_bad("2023-02-29");
    date_bad("2020-02-30");
    date_bad("2000-02-30");
}
END_TEST

START_TEST(date_invalid)
{
    static const char *const bad[] = {"",
                                      "2022",
                                      "2022-11",
                                      "2022-11-2",
                                      "2022-1-02",
                                      "22-11-02",
                                      "20221102",
                                      "2022/11/02",
                                      "2022-11-02 ",
                                      " 2022-11-02",
                                      "2022-11-02x",
                                      "2022-11-02T",
                                      "2022-11-020",
                                      "02022-11-02",
                                      "2022-13-01",
                                      "2022-00-10",
                                      "2022-11-00",
                                      "2022-11-31",
                                      "2022-04-31",
                                      "2022-06-31",
                                      "2022-09-31",
                                      "2022-01-32",
                                      "2022-12-32",
                                      "0000-01-01",
                                      "2022-1a-02",
                                      "2022-11-0a",
                                      "+022-11-02",
                                      "-022-11-02",
                                      "2022 11 02",
                                      "2022-11--2",
                                      "2022-+1-02",
                                      "2022-11-+2",
                                      "２022-11-02",
                                      "2022-99-99",
                                      "abcd-ef-gh"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        date_bad(bad[i]);
    }
    date_bad(NULL);
}
END_TEST

START_TEST(days_in_month_values)
{
    static const int common[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m;
    for (m = 1; m <= 12; m++) {
        ck_assert_int_eq(moi_days_in_month(2022, m), common[m - 1]);
        ck_assert_int_eq(moi_days_in_month(2020, m), m == 2 ? 29 : common[m - 1]);
    }
    ck_assert_int_eq(moi_days_in_month(2000, 2), 29);
    ck_assert_int_eq(moi_days_in_month(1900, 2), 28);
    ck_assert_int_eq(moi_days_in_month(2100, 2), 28);
    ck_assert_int_eq(moi_days_in_month(2400, 2), 29);
    ck_assert_int_eq(moi_days_in_month(2022, 0), 0);
    ck_assert_int_eq(moi_days_in_month(2022, 13), 0);
    ck_assert_int_eq(moi_days_in_month(2022, -1), 0);
}
END_TEST

START_TEST(days_from_civil_known)
{
    ck_assert_int_eq(moi_days_from_civil(1970, 1, 1), 0);
    ck_assert_int_eq(moi_days_from_civil(1970, 1, 2), 1);
    ck_assert_int_eq(moi_days_from_civil(1969, 12, 31), -1);
    ck_assert_int_eq(moi_days_from_civil(2022, 11, 2), 19298);
    ck_assert_int_eq(moi_days_from_civil(2000, 2, 29), 11016);
    ck_assert_int_eq(moi_days_from_civil(2000, 3, 1), 11017);
    ck_assert_int_eq(moi_days_from_civil(1900, 3, 1), -25508);
    ck_assert_int_eq(moi_days_from_civil(1, 1, 1), -719162);
    ck_assert_int_eq(moi_days_from_civil(9999, 12, 31), 2932896);
}
END_TEST

START_TEST(civil_from_days_known)
{
    moi_date d;
    moi_civil_from_days(0, &d);
    ck_assert(d.year == 1970 && d.month == 1 && d.day == 1);
    moi_civil_from_days(-1, &d);
    ck_assert(d.year == 1969 && d.month == 12 && d.day == 31);
    moi_civil_from_days(19298, &d);
    ck_assert(d.year == 2022 && d.month == 11 && d.day == 2);
    moi_civil_from_days(11016, &d);
    ck_assert(d.year == 2000 && d.month == 2 && d.day == 29);
    moi_civil_from_days(-719162, &d);
    ck_assert(d.year == 1 && d.month == 1 && d.day == 1);
    moi_civil_from_days(2932896, &d);
    ck_assert(d.year == 9999 && d.month == 12 && d.day == 31);
}
END_TEST

/* Walks every day from 0001-01-01 to 9999-12-31 with a hand-rolled
 * calendar and checks both conversions against it. */
START_TEST(civil_round_trip_every_day)
{
    moi_date want = {1, 1, 1}, got;
    long z = moi_days_from_civil(1, 1, 1), last = moi_days_from_civil(9999, 12, 31);

    for (; z <= last; z++) {
        moi_civil_from_days(z, &got);
        if (moi_date_cmp(&got, &want) != 0) {
            ck_abort_msg("day %ld gave %d-%d-%d, want %d-%d-%d", z, got.year, got.month,
                         got.day, want.year, want.month, want.day);
        }
        if (moi_days_from_civil(want.year, want.month, want.day) != z) {
            ck_abort_msg("%d-%d-%d is not day %ld", want.year, want.month, want.day, z);
        }
        if (++want.day > moi_days_in_month(want.year, want.month)) {
            want.day = 1;
            if (++want.month > 12) {
                want.month = 1;
                want.year++;
            }
        }
    }
    ck_assert_int_eq(want.year, 10000);
    ck_assert_int_eq(z - moi_days_from_civil(1, 1, 1), 3652059);
}
END_TEST

/* Far outside the 1..9999 years too: days -> civil -> days is the identity. */
START_TEST(civil_round_trip_wide)
{
    long z;
    moi_date d;
    for (z = -100000000L; z <= 100000000L; z += 9973) {
        moi_civil_from_days(z, &d);
        if (d.month < 1 || d.month > 12 || d.day < 1 ||
            d.day > moi_days_in_month(d.year, d.month) ||
            moi_days_from_civil(d.year, d.month, d.day) != z) {
            ck_abort_msg("day %ld -> %d-%d-%d does not round trip", z, d.year, d.month,
                         d.day);
        }
    }
}
END_TEST

START_TEST(date_cmp_orders)
{
    moi_date a = {2022, 11, 2}, b = {2022, 11, 2};
    ck_assert_int_eq(moi_date_cmp(&a, &b), 0);
    b.day = 3;
    ck_assert_int_eq(moi_date_cmp(&a, &b), -1);
    ck_assert_int_eq(moi_date_cmp(&b, &a), 1);
    b = (moi_date){2022, 10, 31};
    ck_assert_int_eq(moi_date_cmp(&a, &b), 1);
    b = (moi_date){2023, 1, 1};
    ck_assert_int_eq(moi_date_cmp(&a, &b), -1);
    b = (moi_date){2021, 12, 31};
    ck_assert_int_eq(moi_date_cmp(&a, &b), 1);
}
END_TEST

/* ---- RFC 3339 ----------------------------------------------------------- */

static void rfc_ok(const char *s, apr_time_t want)
{
    apr_time_t t = 42;
    ck_assert_msg(moi_parse_rfc3339(s, &t) == 0, "'%s' refused", s);
    ck_assert_msg(t == want, "'%s' gave %" APR_TIME_T_FMT ", want %" APR_TIME_T_FMT, s, t,
                  want);
}

static void rfc_bad(const char *s)
{
    apr_time_t t = 42;
    ck_assert_msg(moi_parse_rfc3339(s, &t) == -1, "'%s' accepted", s ? s : "NULL");
    ck_assert_msg(t == 42, "'%s' wrote *out on failure", s ? s : "NULL");
}

START_TEST(rfc3339_known_instants)
{
    rfc_ok("2022-10-29T23:59:59+02:00", USEC(1667080799));
    rfc_ok("2022-10-29T21:59:59Z", USEC(1667080799));
    rfc_ok("2022-10-29T21:59:59+00:00", USEC(1667080799));
    rfc_ok("2022-10-29T21:59:59-00:00", USEC(1667080799));
    rfc_ok("2022-10-29T16:59:59-05:00", USEC(1667080799));
    rfc_ok("2022-10-30T03:29:59+05:30", USEC(1667080799));
    rfc_ok("2022-11-02T09:30:00+01:00", USEC(1667377800));
    rfc_ok("1970-01-01T00:00:00Z", 0);
    rfc_ok("1970-01-01T01:00:00+01:00", 0);
    rfc_ok("1969-12-31T23:00:00-01:00", 0);
    rfc_ok("1969-12-31T23:59:59Z", USEC(-1));
    rfc_ok("1900-01-01T00:00:00Z", USEC(APR_INT64_C(-2208988800)));
    rfc_ok("2000-02-29T12:00:00Z", USEC(11016L * 86400 + 43200));
    rfc_ok("2022-11-02T00:00:00+23:59", USEC(19298L * 86400 - 23 * 3600 - 59 * 60));
    rfc_ok("2022-11-02T00:00:00-23:59", USEC(19298L * 86400 + 23 * 3600 + 59 * 60));
}
END_TEST

START_TEST(rfc3339_seconds_optional)
{
    rfc_ok("2022-10-29T23:59+02:00", USEC(1667080740));
    rfc_ok("2022-10-29T21:59Z", USEC(1667080740));
    rfc_ok("1970-01-01T00:00Z", 0);
    rfc_ok("1970-01-01T00:01-00:01", USEC(120));
}
END_TEST

START_TEST(rfc3339_fraction)
{
    rfc_ok("1970-01-01T00:00:00.5Z", 500000);
    rfc_ok("1970-01-01T00:00:00.000001Z", 1);
    rfc_ok("1970-01-01T00:00:00.123456Z", 123456);
    rfc_ok("1970-01-01T00:00:00.123456789Z", 123456);
    rfc_ok("1970-01-01T00:00:00.999999999Z", 999999);
    rfc_ok("1970-01-01T00:00:00.0Z", 0);
    rfc_ok("1969-12-31T23:59:59.5Z", -500000);
    rfc_ok("2022-10-29T23:59:59.25+02:00", USEC(1667080799) + 250000);
    rfc_bad("1970-01-01T00:00:00.1234567890Z");
    rfc_bad("1970-01-01T00:00:00.Z");
    rfc_bad("1970-01-01T00:00:00.+01:00");
    rfc_bad("1970-01-01T00:00.5Z");
    rfc_bad("1970-01-01T00:00:00,5Z");
    rfc_bad("1970-01-01T00:00:00.5");
    rfc_bad("1970-01-01T00:00:00.5x");
}
END_TEST

START_TEST(rfc3339_invalid_fields)
{
    rfc_bad("2022-02-30T25:61");
    rfc_bad("2022-02-30T25:61Z");
    rfc_bad("2022-02-30T12:00Z");
    rfc_bad("2022-02-29T12:00Z");
    rfc_bad("2100-02-29T12:00Z");
    rfc_bad("2022-13-01T12:00Z");
    rfc_bad("2022-11-00T12:00Z");
    rfc_bad("0000-01-01T00:00Z");
    rfc_bad("2022-11-02T24:00Z");
    rfc_bad("2022-11-02T25:00Z");
    rfc_bad("2022-11-02T23:60Z");
    rfc_bad("2022-11-02T23:61Z");
    rfc_bad("2022-11-02T23:59:60Z");
    rfc_bad("2022-11-02T23:59:99Z");
}
END_TEST

START_TEST(rfc3339_offsets)
{
    rfc_bad("2022-10-29T23:59:59");
    rfc_bad("2022-10-29T23:59");
    rfc_bad("2022-10-29T23:59:59+24:00");
    rfc_bad("2022-10-29T23:59:59-24:00");
    rfc_bad("2022-10-29T23:59:59+02:60");
    rfc_bad("2022-10-29T23:59:59+99:99");
    rfc_bad("2022-10-29T23:59:59+0200");
    rfc_bad("2022-10-29T23:59:59+02");
    rfc_bad("2022-10-29T23:59:59+2:00");
    rfc_bad("2022-10-29T23:59:59+02:0");
    rfc_bad("2022-10-29T23:59:59+02:00:00");
    rfc_bad("2022-10-29T23:59:59+02:00 ");
    rfc_bad("2022-10-29T23:59:59 +02:00");
    rfc_bad("2022-10-29T23:59:59*02:00");
    rfc_bad("2022-10-29T23:59:59+a2:00");
    rfc_bad("2022-10-29T23:59:59+02-00");
    rfc_bad("2022-10-29T23:59:59ZZ");
    rfc_bad("2022-10-29T23:59:59Z ");
    rfc_bad("2022-10-29T23:59:59UTC");
    rfc_bad("2022-10-29T23:59:59GMT");
    rfc_bad("2022-10-29T23:59:59Z+02:00");
}
END_TEST

START_TEST(rfc3339_syntax)
{
    static const char *const bad[] = {"",
                                      "2022-10-29",
                                      "2022-10-29T",
                                      "2022-10-29TZ",
                                      "2022-10-29T23Z",
                                      "2022-10-29T23:5Z",
                                      "2022-10-29T2:59Z",
                                      "2022-10-29T23:59:5Z",
                                      "2022-10-29T23:59:",
                                      "2022-10-29T23:59:Z",
                                      "2022-10-29 23:59:59Z",
                                      "2022-10-29_23:59:59Z",
                                      "2022-10-2923:59:59Z",
                                      " 2022-10-29T23:59:59Z",
                                      "2022-10-29T23-59-59Z",
                                      "2022-10-29T23:59:59.5.5Z",
                                      "22-10-29T23:59:59Z",
                                      "2022-1-29T23:59:59Z",
                                      "2022-10-29T+3:59:59Z",
                                      "2022-10-29T23:+9:59Z",
                                      "1667080799"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rfc_bad(bad[i]);
    }
    rfc_bad(NULL);
}
END_TEST

START_TEST(format_rfc3339_offsets)
{
    apr_time_t t = USEC(1667080799);
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, t, 7200), "2022-10-29T23:59:59+02:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, t, 3600), "2022-10-29T22:59:59+01:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, t, 0), "2022-10-29T21:59:59+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, t, -18000),
                     "2022-10-29T16:59:59-05:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, t, -9000),
                     "2022-10-29T19:29:59-02:30");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, t, 19800),
                     "2022-10-30T03:29:59+05:30");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, t, -36000),
                     "2022-10-29T11:59:59-10:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(1667377800), 3600),
                     "2022-11-02T09:30:00+01:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(1667377800) + 999999, 3600),
                     "2022-11-02T09:30:00+01:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(11016L * 86400 + 43200), 0),
                     "2000-02-29T12:00:00+00:00");
}
END_TEST

START_TEST(format_rfc3339_around_epoch)
{
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, 0, 0), "1970-01-01T00:00:00+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, 0, -3600),
                     "1969-12-31T23:00:00-01:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, 0, 3600), "1970-01-01T01:00:00+01:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, 999999, 0),
                     "1970-01-01T00:00:00+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, -1, 0), "1969-12-31T23:59:59+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(-1), 0),
                     "1969-12-31T23:59:59+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(-1) - 1, 0),
                     "1969-12-31T23:59:58+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, -500000, 3600),
                     "1970-01-01T00:59:59+01:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(1800) + 500000, -3600),
                     "1969-12-31T23:30:00-01:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(-86400), 0),
                     "1969-12-31T00:00:00+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(-86400) - 1, 0),
                     "1969-12-30T23:59:59+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(APR_INT64_C(-2208988800)), 0),
                     "1900-01-01T00:00:00+00:00");
    ck_assert_str_eq(moi_format_rfc3339(unit_pool, USEC(APR_INT64_C(-2208988800)), -60),
                     "1899-12-31T23:59:00-00:01");
}
END_TEST

/* format then parse gives back the instant, to the second below it. */
START_TEST(format_parse_round_trip)
{
    static const int offsets[] = {-43200, -36000, -18000, -9000, -3600, -60,  0,
                                  60,     3600,   7200,   19800, 45900, 50400};
    apr_pool_t *scratch;
    apr_int64_t s;
    size_t i;

    ck_assert_int_eq(apr_pool_create(&scratch, unit_pool), APR_SUCCESS);
    /* from 0001-01-02 to 9999-12-30, so that every offset stays in range */
    for (s = APR_INT64_C(-62135596800) + 86400; s < APR_INT64_C(253402300799) - 86400;
         s += APR_INT64_C(7777777)) {
        apr_pool_clear(scratch);
        for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
            apr_time_t t = USEC(s) + (s & 1 ? 654321 : 0), back = 0;
            const char *text = moi_format_rfc3339(scratch, t, offsets[i]);
            if (moi_parse_rfc3339(text, &back) != 0 || back != USEC(s)) {
                ck_abort_msg("%" APR_TIME_T_FMT " at %d: '%s' gave %" APR_TIME_T_FMT, t,
                             offsets[i], text, back);
            }
        }
    }
}
END_TEST

/* ---- on/off ------------------------------------------------------------- */

START_TEST(onoff_values)
{
    int v = 7;
    ck_assert_int_eq(moi_parse_onoff("On", &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(moi_parse_onoff("off", &v), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(moi_parse_onoff("ON", &v), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(moi_parse_onoff("OFF", &v), 0);
    ck_assert_int_eq(v, 0);
    v = 7;
    ck_assert_int_eq(moi_parse_onoff(NULL, &v), -1);
    ck_assert_int_eq(moi_parse_onoff("", &v), -1);
    ck_assert_int_eq(moi_parse_onoff(" on", &v), -1);
    ck_assert_int_eq(moi_parse_onoff("on ", &v), -1);
    ck_assert_int_eq(moi_parse_onoff("o", &v), -1);
    ck_assert_int_eq(moi_parse_onoff("onn", &v), -1);
    ck_assert_int_eq(moi_parse_onoff("of", &v), -1);
    ck_assert_int_eq(moi_parse_onoff("1", &v), -1);
    ck_assert_int_eq(moi_parse_onoff("yes", &v), -1);
    ck_assert_int_eq(v, 7);
}
END_TEST

/* ---- e-mail and domains ------------------------------------------------- */

/* dot-separated labels of 63 bytes then one of last bytes: total bytes. */
static char *long_domain(int full_labels, size_t last)
{
    char *d = repeat('b', last);
    int i;
    for (i = 0; i < full_labels; i++) {
        d = apr_pstrcat(unit_pool, repeat('a', 63), ".", d, NULL);
    }
    return d;
}

START_TEST(email_valid_addresses)
{
    static const char *const good[] = {"a@b.fr",
                                       "prenom.nom@modernisation.gouv.fr",
                                       "Prenom.Nom@Modernisation.Gouv.FR",
                                       "a.b.c@d.e.f",
                                       "agent+mois@interieur.gouv.fr",
                                       "x_y-z@sub-domain.example.org",
                                       "1@2.fr",
                                       "!#$%&'*+/=?^_`{|}~-@x.fr",
                                       "a@xn--bcher-kva.example"};
    size_t i;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(moi_email_valid(good[i]), "'%s' refused", good[i]);
    }
}
END_TEST

START_TEST(email_invalid_addresses)
{
    static const char *const bad[] = {"",
                                      "a",
                                      "a.fr",
                                      "@",
                                      "@b.fr",
                                      "a@",
                                      "a@b",
                                      "a@@b.fr",
                                      "a@b@c.fr",
                                      "a..b@c.fr",
                                      "a...b@c.fr",
                                      ".a@b.fr",
                                      "a.@b.fr",
                                      ".@b.fr",
                                      "a@.b.fr",
                                      "a@b..fr",
                                      "a@b.fr.",
                                      "a@-b.fr",
                                      "a@b-.fr",
                                      "a@b_c.fr",
                                      "a b@c.fr",
                                      " a@b.fr",
                                      "a@b.fr ",
                                      "a@b.fr\n",
                                      "a\t@b.fr",
                                      "\"a\"@b.fr",
                                      "a(b)@c.fr",
                                      "a,b@c.fr",
                                      "a;b@c.fr",
                                      "<a@b.fr>",
                                      "a\\b@c.fr",
                                      "a[b]@c.fr",
                                      "a:b@c.fr",
                                      "a@[127.0.0.1]",
                                      "\xc3\xa9@b.fr",
                                      "ren\xc3\xa9@b.fr",
                                      "a@\xc3\xa9t\xc3\xa9.fr",
                                      "a\x80@b.fr",
                                      "a\x7f@b.fr",
                                      "a@b.fr\xff"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!moi_email_valid(bad[i]), "'%s' accepted", bad[i]);
    }
    ck_assert(!moi_email_valid(NULL));
}
END_TEST

START_TEST(email_lengths)
{
    /* local part: 64 bytes at most */
    ck_assert(moi_email_valid(apr_pstrcat(unit_pool, repeat('l', 64), "@b.fr", NULL)));
    ck_assert(!moi_email_valid(apr_pstrcat(unit_pool, repeat('l', 65), "@b.fr", NULL)));
    /* labels: 63 bytes at most */
    ck_assert(moi_email_valid(apr_pstrcat(unit_pool, "a@", long_domain(1, 2), NULL)));
    ck_assert(
        !moi_email_valid(apr_pstrcat(unit_pool, "a@", repeat('d', 64), ".fr", NULL)));
    /* whole address: 254 bytes at most (64 + 1 + 189, then 64 + 1 + 190) */
    ck_assert(moi_email_valid(
        apr_pstrcat(unit_pool, repeat('l', 64), "@", long_domain(2, 61), NULL)));
    ck_assert(!moi_email_valid(
        apr_pstrcat(unit_pool, repeat('l', 64), "@", long_domain(2, 62), NULL)));
    /* overlong domain behind a short local part */
    ck_assert(!moi_email_valid(apr_pstrcat(unit_pool, "a@", long_domain(3, 62), NULL)));
    ck_assert(!moi_email_valid(apr_pstrcat(unit_pool, "a@", long_domain(4, 10), NULL)));
}
END_TEST

START_TEST(domain_validity)
{
    static const char *const good[] = {"gouv.fr", "x.gouv.fr",  "X.GOUV.FR",
                                       "a.b",     "a-b.c-d.fr", "a--b.fr",
                                       "123.fr",  "a.b.c.d.e",  "xn--bcher-kva.example"};
    static const char *const bad[] = {
        "",      "fr",    ".",         "..",     ".gouv.fr",    "gouv.fr.", "gouv..fr",
        "-a.fr", "a-.fr", "a.-fr",     "a.fr-",  "a_b.fr",      "a b.fr",   " a.fr",
        "a.fr ", "a.fr/", "*.gouv.fr", "a@b.fr", "\xc3\xa9.fr", "a.f\x80",  "a.fr\n",
        "a,b.fr"};
    size_t i;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(moi_domain_valid(good[i]), "'%s' refused", good[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!moi_domain_valid(bad[i]), "'%s' accepted", bad[i]);
    }
    ck_assert(!moi_domain_valid(NULL));
    ck_assert(moi_domain_valid(apr_pstrcat(unit_pool, repeat('a', 63), ".fr", NULL)));
    ck_assert(!moi_domain_valid(apr_pstrcat(unit_pool, repeat('a', 64), ".fr", NULL)));
    ck_assert(moi_domain_valid(apr_pstrcat(unit_pool, "fr.", repeat('a', 63), NULL)));
    ck_assert(!moi_domain_valid(apr_pstrcat(unit_pool, "fr.", repeat('a', 64), NULL)));
    ck_assert_int_eq(strlen(long_domain(3, 61)), 253);
    ck_assert(moi_domain_valid(long_domain(3, 61)));
    ck_assert(!moi_domain_valid(long_domain(3, 62)));
}
END_TEST

START_TEST(domain_suffix_match)
{
    ck_assert(moi_domain_matches("gouv.fr", "gouv.fr"));
    ck_assert(moi_domain_matches("x.gouv.fr", "gouv.fr"));
    ck_assert(moi_domain_matches("a.b.gouv.fr", "gouv.fr"));
    ck_assert(moi_domain_matches("X.GOUV.FR", "gouv.fr"));
    ck_assert(moi_domain_matches("x.gouv.fr", "GOUV.Fr"));
    ck_assert(moi_domain_matches("gouv.fr", "fr"));
    ck_assert(!moi_domain_matches("notgouv.fr", "gouv.fr"));
    ck_assert(!moi_domain_matches("xgouv.fr", "gouv.fr"));
    ck_assert(!moi_domain_matches("gouv.fr.evil.com", "gouv.fr"));
    ck_assert(!moi_domain_matches("gouv.fr.", "gouv.fr"));
    ck_assert(!moi_domain_matches("ouv.fr", "gouv.fr"));
    ck_assert(!moi_domain_matches("fr", "gouv.fr"));
    ck_assert(!moi_domain_matches("gouv.fr", "x.gouv.fr"));
    ck_assert(!moi_domain_matches("gouv.com", "gouv.fr"));
    ck_assert(!moi_domain_matches("", "gouv.fr"));
    ck_assert(!moi_domain_matches("gouv.fr", ""));
    ck_assert(!moi_domain_matches("", ""));
    ck_assert(!moi_domain_matches(NULL, "gouv.fr"));
    ck_assert(!moi_domain_matches("gouv.fr", NULL));
    ck_assert(!moi_domain_matches(NULL, NULL));
}
END_TEST

/* ---- database names ----------------------------------------------------- */

START_TEST(dbname_validity)
{
    static const char *const good[] = {"moisinno", "moisinno_test", "Mois-2022", "a",
                                       "0"};
    static const char *const bad[] = {"",     "a.b",  "a/b",      "a\\b", "a\"b",
                                      "a$b",  "a b",  " a",       "a ",   ".",
                                      "$cmd", "../x", "mois.inno"};
    size_t i;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(moi_dbname_valid(good[i]), "'%s' refused", good[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!moi_dbname_valid(bad[i]), "'%s' accepted", bad[i]);
    }
    ck_assert(!moi_dbname_valid(NULL));
    ck_assert(moi_dbname_valid(repeat('d', 63)));
    ck_assert(!moi_dbname_valid(repeat('d', 64)));
}
END_TEST

/* ---- strings ------------------------------------------------------------ */

START_TEST(ct_streq_values)
{
    char *tok = repeat('f', 64), *other = repeat('f', 64);
    ck_assert(moi_ct_streq("abc", "abc"));
    ck_assert(moi_ct_streq("", ""));
    ck_assert(moi_ct_streq(tok, other));
    ck_assert(!moi_ct_streq("abc", "abd"));
    ck_assert(!moi_ct_streq("xbc", "abc"));
    ck_assert(!moi_ct_streq("Abc", "abc"));
    ck_assert(!moi_ct_streq("abc", "abcd"));
    ck_assert(!moi_ct_streq("abcd", "abc"));
    ck_assert(!moi_ct_streq("", "a"));
    ck_assert(!moi_ct_streq("a", ""));
    ck_assert(!moi_ct_streq("\xff", "\x7f"));
    ck_assert(moi_ct_streq("a\x80", "a\x80"));
    ck_assert(!moi_ct_streq(NULL, "abc"));
    ck_assert(!moi_ct_streq("abc", NULL));
    ck_assert(!moi_ct_streq(NULL, NULL));
    ck_assert(!moi_ct_streq(NULL, ""));
    ck_assert(!moi_ct_streq("", NULL));
    other[63] = 'e';
    ck_assert(!moi_ct_streq(tok, other));
    other[63] = 'f';
    other[0] = 'e';
    ck_assert(!moi_ct_streq(tok, other));
}
END_TEST

START_TEST(ascii_lower_copies)
{
    const char *in = "Prenom.NOM@Interieur.Gouv.FR";
    char *out = moi_ascii_lower(unit_pool, in);
    ck_assert_str_eq(out, "prenom.nom@interieur.gouv.fr");
    ck_assert_ptr_ne(out, in);
    ck_assert_str_eq(in, "Prenom.NOM@Interieur.Gouv.FR");
    ck_assert_str_eq(moi_ascii_lower(unit_pool, "ABCXYZ-09_@[`{"), "abcxyz-09_@[`{");
    ck_assert_str_eq(moi_ascii_lower(unit_pool, "d\xc3\x89J\xc3\x80"),
                     "d\xc3\x89j\xc3\x80");
    out = moi_ascii_lower(unit_pool, "");
    ck_assert_str_eq(out, "");
}
END_TEST

Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc;

    tc = unit_tcase("int64");
    tcase_add_test(tc, int64_plain_values);
    tcase_add_test(tc, int64_limits);
    tcase_add_test(tc, int64_range);
    tcase_add_test(tc, int64_syntax);
    suite_add_tcase(s, tc);

    tc = unit_tcase("date");
    tcase_add_test(tc, date_valid);
    tcase_add_test(tc, date_leap_years);
    tcase_add_test(tc, date_invalid);
    tcase_add_test(tc, days_in_month_values);
    tcase_add_test(tc, days_from_civil_known);
    tcase_add_test(tc, civil_from_days_known);
    tcase_add_test(tc, civil_round_trip_every_day);
    tcase_add_test(tc, civil_round_trip_wide);
    tcase_add_test(tc, date_cmp_orders);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = unit_tcase("rfc3339");
    tcase_add_test(tc, rfc3339_known_instants);
    tcase_add_test(tc, rfc3339_seconds_optional);
    tcase_add_test(tc, rfc3339_fraction);
    tcase_add_test(tc, rfc3339_invalid_fields);
    tcase_add_test(tc, rfc3339_offsets);
    tcase_add_test(tc, rfc3339_syntax);
    tcase_add_test(tc, format_rfc3339_offsets);
    tcase_add_test(tc, format_rfc3339_around_epoch);
    tcase_add_test(tc, format_parse_round_trip);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = unit_tcase("onoff");
    tcase_add_test(tc, onoff_values);
    suite_add_tcase(s, tc);

    tc = unit_tcase("email");
    tcase_add_test(tc, email_valid_addresses);
    tcase_add_test(tc, email_invalid_addresses);
    tcase_add_test(tc, email_lengths);
    tcase_add_test(tc, domain_validity);
    tcase_add_test(tc, domain_suffix_match);
    suite_add_tcase(s, tc);

    tc = unit_tcase("names");
    tcase_add_test(tc, dbname_validity);
    tcase_add_test(tc, ct_streq_values);
    tcase_add_test(tc, ascii_lower_copies);
    suite_add_tcase(s, tc);

    return s;
}
