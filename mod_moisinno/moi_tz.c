/* Time zones from TZif files (RFC 8536): a strict reader of the compiled
 * tz database and conversions between instants and local wall-clock times.
 */
#include <string.h>
#include <apr_escape.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include "moi_parse.h"
#include "moi_tz.h"

#define TZ_NAME_MAX 255
#define TZIF_HEADER_LEN 44
#define TZIF_FILE_MAX (1024 * 1024) /* real zones are a few kilobytes */
#define TZIF_TYPES_MAX 256          /* a type index is one byte */
#define UTOFF_MIN (-89999)          /* RFC 8536 3.2: -25:59:59 .. +25:59:59 */
#define UTOFF_MAX 93599
#define SECS_PER_DAY 86400
#define RULE_HOURS_MAX 167 /* RFC 8536 3.3.1: transition times within a week */

typedef struct {
    apr_int32_t utoff; /* seconds east of UTC */
    int isdst;
    const char *abbrev;
} tz_type;

typedef enum {
    RULE_JULIAN_NOLEAP, /* Jn: day 1..365, February 29 never counted */
    RULE_JULIAN_ZERO,   /* n: day 0..365, February 29 counted */
    RULE_MONTH_WEEK_DAY /* Mm.w.d: weekday d of week w (5 = last) of month m */
} tz_rule_kind;

/* One of the two yearly changes of a POSIX TZ string. */
typedef struct {
    tz_rule_kind kind;
    int day;          /* Jn, n: day of year; Mm.w.d: weekday, Sunday = 0 */
    int week;         /* Mm.w.d: 1..5 */
    int month;        /* Mm.w.d: 1..12 */
    apr_int32_t time; /* local time of the change, seconds from midnight */
} tz_rule;

/* A POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"). */
typedef struct {
    tz_type std, dst;
    int has_dst;
    tz_rule start; /* into DST, in standard local time */
    tz_rule end;   /* out of DST, in daylight local time */
} tz_posix;

struct moi_tz {
    const char *name;
    apr_size_t ntrans;
    apr_int64_t *trans;        /* ascending instants, seconds since the epoch */
    unsigned char *trans_type; /* index in types of the type from trans[i] on */
    apr_size_t ntypes;
    tz_type *types; /* types[0] also holds before the first transition */
    int has_footer; /* footer governs from the last transition on */
    tz_posix footer;
};

typedef struct {
    int version; /* 1, 2, 3, ... */
    apr_uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header;

/* ---- small arithmetic ---------------------------------------------------- */

static apr_int64_t floor_div(apr_int64_t a, apr_int64_t b)
{
    apr_int64_t q = a / b;
    return a % b < 0 ? q - 1 : q;
}

static int year_of(apr_int64_t secs)
{
    moi_date d;
    moi_civil_from_days((long)floor_div(secs, SECS_PER_DAY), &d);
    return d.year;
}

static apr_uint32_t get_u32(const unsigned char *b)
{
    return (apr_uint32_t)b[0] << 24 | (apr_uint32_t)b[1] << 16 | (apr_uint32_t)b[2] << 8 |
           (apr_uint32_t)b[3];
}

static apr_int32_t get_i32(const unsigned char *b)
{
    apr_uint32_t u = get_u32(b);
    return u <= 0x7fffffffu ? (apr_int32_t)u : -(apr_int32_t)(~u) - 1;
}

static apr_int64_t get_i64(const unsigned char *b)
{
    apr_uint64_t u = (apr_uint64_t)get_u32(b) << 32 | get_u32(b + 4);
    return u <= (apr_uint64_t)APR_INT64_MAX ? (apr_int64_t)u : -(apr_int64_t)(~u) - 1;
}

/* ---- POSIX TZ strings (the TZif footer) -------------------------------- */

static int is_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Decimal digits (at least one) of a value at most max; advances *sp. */
static int posix_num(const char **sp, int max, int *out)
{
    const char *s = *sp;
    int v = 0;

    if (!is_digit(*s)) {
        return -1;
    }
    while (is_digit(*s)) {
        v = v * 10 + (*s++ - '0');
        if (v > max) {
            return -1;
        }
    }
    *out = v;
    *sp = s;
    return 0;
}

/* [+-]hh[:mm[:ss]] with hh at most max_hours, as signed seconds. */
static int posix_hms(const char **sp, int max_hours, apr_int32_t *out)
{
    const char *s = *sp;
    int sign = 1, h, m = 0, sec = 0;

    if (*s == '+' || *s == '-') {
        sign = *s++ == '-' ? -1 : 1;
    }
    if (posix_num(&s, max_hours, &h)) {
        return -1;
    }
    if (*s == ':') {
        s++;
        if (posix_num(&s, 59, &m)) {
            return -1;
        }
        if (*s == ':') {
            s++;
            if (posix_num(&s, 59, &sec)) {
                return -1;
            }
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    *sp = s;
    return 0;
}

/* An abbreviation: three or more letters, or <...> of letters, digits, + and -. */
static int posix_abbrev(apr_pool_t *p, const char **sp, const char **out)
{
    const char *s = *sp, *start;
    apr_size_t n;

    if (*s == '<') {
        start = ++s;
        while (is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-') {
            s++;
        }
        if (*s != '>') {
            return -1;
        }
        n = (apr_size_t)(s++ - start);
    } else {
        start = s;
        while (is_alpha(*s)) {
            s++;
        }
        n = (apr_size_t)(s - start);
    }
    if (n < 3) {
        return -1;
    }
    *out = apr_pstrmemdup(p, start, n);
    *sp = s;
    return 0;
}

/* date[/time]: Jn, n or Mm.w.d, the time defaulting to 02:00:00. */
static int posix_rule(const char **sp, tz_rule *r)
{
    const char *s = *sp;

    if (*s == 'J') {
        s++;
        r->kind = RULE_JULIAN_NOLEAP;
        if (posix_num(&s, 365, &r->day) || r->day < 1) {
            return -1;
        }
    } else if (*s == 'M') {
        s++;
        r->kind = RULE_MONTH_WEEK_DAY;
        if (posix_num(&s, 12, &r->month) || r->month < 1 || *s++ != '.' ||
            posix_num(&s, 5, &r->week) || r->week < 1 || *s++ != '.' ||
            posix_num(&s, 6, &r->day)) {
            return -1;
        }
    } else {
        r->kind = RULE_JULIAN_ZERO;
        if (posix_num(&s, 365, &r->day)) {
            return -1;
        }
    }
    r->time = 2 * 3600;
    if (*s == '/') {
        s++;
        if (posix_hms(&s, RULE_HOURS_MAX, &r->time)) {
            return -1;
        }
    }
    *sp = s;
    return 0;
}

/* Parses a whole TZ string into *z (abbreviations from p); 0 or -1. */
static int posix_parse(apr_pool_t *p, const char *s, tz_posix *z)
{
    apr_int32_t west;

    memset(z, 0, sizeof *z);
    if (posix_abbrev(p, &s, &z->std.abbrev) || posix_hms(&s, 24, &west)) {
        return -1;
    }
    z->std.utoff = -west;
    if (*s == '\0') {
        return 0;
    }
    if (posix_abbrev(p, &s, &z->dst.abbrev)) {
        return -1;
    }
    z->has_dst = 1;
    z->dst.isdst = 1;
    z->dst.utoff = z->std.utoff + 3600;
    if (*s != ',' && *s != '\0') {
        if (posix_hms(&s, 24, &west)) {
            return -1;
        }
        z->dst.utoff = -west;
    }
    if (*s == '\0') {
        /* No rule: POSIX leaves it to the implementation; use the US one. */
        z->start = (tz_rule){RULE_MONTH_WEEK_DAY, 0, 2, 3, 2 * 3600};
        z->end = (tz_rule){RULE_MONTH_WEEK_DAY, 0, 1, 11, 2 * 3600};
        return 0;
    }
    if (*s != ',') {
        return -1;
    }
    s++;
    if (posix_rule(&s, &z->start) || *s != ',') {
        return -1;
    }
    s++;
    if (posix_rule(&s, &z->end)) {
        return -1;
    }
    return *s == '\0' ? 0 : -1;
}

/* The local time of rule r in year y, as seconds since the epoch of the
 * wall clock read as if it were UTC. */
static apr_int64_t rule_local(const tz_rule *r, int y)
{
    long day, first;
    int weekday, dim;

    switch (r->kind) {
    case RULE_JULIAN_NOLEAP:
        day = moi_days_from_civil(y, 1, 1) + r->day - 1;
        if (r->day >= 60 && moi_days_in_month(y, 2) == 29) {
            day++;
        }
        break;
    case RULE_JULIAN_ZERO:
        day = moi_days_from_civil(y, 1, 1) + r->day;
        break;
    default:
        first = moi_days_from_civil(y, r->month, 1);
        weekday = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
        day = first + (r->day - weekday + 7) % 7 + 7 * (r->week - 1);
        dim = moi_days_in_month(y, r->month);
        while (day >= first + dim) {
            day -= 7;
        }
        break;
    }
    return (apr_int64_t)day * SECS_PER_DAY + r->time;
}

/* The instants DST starts and ends in year y. */
static void posix_changes(const tz_posix *z, int y, apr_int64_t *start, apr_int64_t *end)
{
    *start = rule_local(&z->start, y) - z->std.utoff;
    *end = rule_local(&z->end, y) - z->dst.utoff;
}

/* The type at secs: that of the latest change at or before it.  Changes are
 * looked for over neighbouring years since a rule time may cross the new
 * year; at equal instants a start wins, so "0/0,J365/25" is DST all year. */
static const tz_type *posix_type_at(const tz_posix *z, apr_int64_t secs)
{
    apr_int64_t start, end, last = 0;
    int y, found = 0, dst = 0;

    if (!z->has_dst) {
        return &z->std;
    }
    y = year_of(secs);
    for (int yy = y - 2; yy <= y + 1; yy++) {
        posix_changes(z, yy, &start, &end);
        if (end <= secs && (!found || end >= last)) {
            last = end;
            dst = 0;
            found = 1;
        }
        if (start <= secs && (!found || start >= last)) {
            last = start;
            dst = 1;
            found = 1;
        }
    }
    return dst ? &z->dst : &z->std;
}

/* The first change strictly after secs; APR_INT64_MAX when there is none. */
static apr_int64_t posix_next_change(const tz_posix *z, apr_int64_t secs)
{
    apr_int64_t c[2], next = APR_INT64_MAX;
    int y;

    if (!z->has_dst) {
        return next;
    }
    y = year_of(secs);
    for (int yy = y - 1; yy <= y + 2; yy++) {
        posix_changes(z, yy, &c[0], &c[1]);
        for (int i = 0; i < 2; i++) {
            if (c[i] > secs && c[i] < next) {
                next = c[i];
            }
        }
    }
    return next;
}

/* ---- lookups ----------------------------------------------------------- */

static int footer_governs(const moi_tz *tz, apr_int64_t secs)
{
    return tz->has_footer && (tz->ntrans == 0 || secs >= tz->trans[tz->ntrans - 1]);
}

/* The index of the last transition at or before secs, given trans[0] <= secs. */
static apr_size_t trans_index(const moi_tz *tz, apr_int64_t secs)
{
    apr_size_t lo = 0, hi = tz->ntrans;

    while (hi - lo > 1) {
        apr_size_t mid = lo + (hi - lo) / 2;
        if (tz->trans[mid] <= secs) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* The local time type in effect at secs (seconds since the epoch). */
static const tz_type *type_at(const moi_tz *tz, apr_int64_t secs)
{
    if (footer_governs(tz, secs)) {
        return posix_type_at(&tz->footer, secs);
    }
    if (tz->ntrans == 0 || secs < tz->trans[0]) {
        return &tz->types[0];
    }
    return &tz->types[tz->trans_type[trans_index(tz, secs)]];
}

/* The first instant after secs at which the type may change; APR_INT64_MAX
 * when it stays the same for ever after secs. */
static apr_int64_t next_change(const moi_tz *tz, apr_int64_t secs)
{
    if (footer_governs(tz, secs)) {
        return posix_next_change(&tz->footer, secs);
    }
    if (tz->ntrans == 0 || secs >= tz->trans[tz->ntrans - 1]) {
        return APR_INT64_MAX;
    }
    return secs < tz->trans[0] ? tz->trans[0] : tz->trans[trans_index(tz, secs) + 1];
}

static const tz_type *type_at_time(const moi_tz *tz, apr_time_t t)
{
    return type_at(tz, floor_div(t, APR_USEC_PER_SEC));
}

/* ---- TZif files -------------------------------------------------------- */

/* Reads the header at buf + off; NULL, or why it is not one. */
static const char *header_read(const unsigned char *buf, apr_size_t len, apr_size_t off,
                               tzif_header *h)
{
    const unsigned char *b = buf + off;

    if (len - off < TZIF_HEADER_LEN) {
        return "truncated header";
    }
    if (memcmp(b, "TZif", 4) != 0) {
        return "not a TZif file";
    }
    if (b[4] == '\0') {
        h->version = 1;
    } else if (b[4] >= '2' && b[4] <= '9') {
        h->version = b[4] - '0';
    } else {
        return "unknown TZif version";
    }
    h->isutcnt = get_u32(b + 20);
    h->isstdcnt = get_u32(b + 24);
    h->leapcnt = get_u32(b + 28);
    h->timecnt = get_u32(b + 32);
    h->typecnt = get_u32(b + 36);
    h->charcnt = get_u32(b + 40);
    return NULL;
}

/* The counts of the header whose data block is used; NULL if they are sound. */
static const char *header_check(const tzif_header *h)
{
    if (h->typecnt == 0 || h->typecnt > TZIF_TYPES_MAX) {
        return "bad count of local time types";
    }
    if (h->charcnt == 0) {
        return "no time zone abbreviations";
    }
    if ((h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)) {
        return "bad count of standard/UT indicators";
    }
    if (h->leapcnt != 0) {
        return "leap-second zones are not supported";
    }
    return NULL;
}

/* The length of the data block after header h, with timesize-byte times. */
static apr_uint64_t block_len(const tzif_header *h, unsigned timesize)
{
    return (apr_uint64_t)h->timecnt * (timesize + 1) + (apr_uint64_t)h->typecnt * 6 +
           h->charcnt + (apr_uint64_t)h->leapcnt * (timesize + 4) + h->isstdcnt +
           h->isutcnt;
}

/* Fills the types and transitions of tz from the data block b (its length
 * already checked); NULL, or why the block is corrupt. */
static const char *block_parse(apr_pool_t *p, moi_tz *tz, const tzif_header *h,
                               const unsigned char *b, unsigned timesize)
{
    const unsigned char *idx = b + (apr_size_t)h->timecnt * timesize;
    const unsigned char *info = idx + h->timecnt;
    const unsigned char *chars = info + (apr_size_t)h->typecnt * 6;
    const unsigned char *flags = chars + h->charcnt;

    tz->ntypes = h->typecnt;
    tz->types = apr_pcalloc(p, tz->ntypes * sizeof *tz->types);
    for (apr_size_t i = 0; i < tz->ntypes; i++) {
        const unsigned char *ti = info + 6 * i;
        apr_int32_t utoff = get_i32(ti);
        unsigned abbrind = ti[5];

        if (utoff < UTOFF_MIN || utoff > UTOFF_MAX) {
            return "UTC offset out of range";
        }
        if (ti[4] > 1) {
            return "bad DST flag";
        }
        if (abbrind >= h->charcnt ||
            !memchr(chars + abbrind, '\0', h->charcnt - abbrind)) {
            return "bad abbreviation index";
        }
        tz->types[i].utoff = utoff;
        tz->types[i].isdst = ti[4];
        tz->types[i].abbrev = apr_pstrdup(p, (const char *)chars + abbrind);
    }

    tz->ntrans = h->timecnt;
    tz->trans = apr_palloc(p, (tz->ntrans ? tz->ntrans : 1) * sizeof *tz->trans);
    tz->trans_type = apr_palloc(p, tz->ntrans ? tz->ntrans : 1);
    for (apr_size_t i = 0; i < tz->ntrans; i++) {
        const unsigned char *tb = b + i * timesize;
        tz->trans[i] = timesize == 8 ? get_i64(tb) : get_i32(tb);
        if (i > 0 && tz->trans[i] <= tz->trans[i - 1]) {
            return "transition times out of order";
        }
        if (idx[i] >= h->typecnt) {
            return "bad transition type";
        }
        tz->trans_type[i] = idx[i];
    }

    for (apr_size_t i = 0; i < (apr_size_t)h->isstdcnt + h->isutcnt; i++) {
        if (flags[i] > 1) {
            return "bad standard/UT indicator";
        }
    }
    return NULL;
}

/* The footer "\n<TZ string>\n" that ends the file; NULL, or why it is bad. */
static const char *footer_parse(apr_pool_t *p, moi_tz *tz, const unsigned char *b,
                                apr_size_t len)
{
    const unsigned char *nl;
    const char *s;

    if (len < 2 || b[0] != '\n') {
        return "missing footer";
    }
    nl = memchr(b + 1, '\n', len - 1);
    if (!nl) {
        return "unterminated footer";
    }
    if ((apr_size_t)(nl - b) + 1 != len) {
        return "trailing data after the footer";
    }
    if (nl == b + 1) {
        return NULL; /* empty: no rule after the last transition */
    }
    if (memchr(b + 1, '\0', (apr_size_t)(nl - b) - 1)) {
        return "bad TZ string in the footer";
    }
    s = apr_pstrmemdup(p, (const char *)b + 1, (apr_size_t)(nl - b) - 1);
    if (posix_parse(p, s, &tz->footer)) {
        return apr_psprintf(p, "bad TZ string \"%s\" in the footer",
                            apr_pescape_echo(p, s, 0));
    }
    tz->has_footer = 1;
    return NULL;
}

/* Parses a whole TZif file: the version 1 block alone, or for version 2 and
 * later the 64-bit block and the footer that follow it. */
static const char *tzif_parse(apr_pool_t *p, moi_tz *tz, const unsigned char *buf,
                              apr_size_t len)
{
    tzif_header h;
    apr_uint64_t n;
    apr_size_t off;
    const char *why;

    if ((why = header_read(buf, len, 0, &h))) {
        return why;
    }
    n = block_len(&h, 4);
    if (n > len - TZIF_HEADER_LEN) {
        return "truncated data";
    }
    off = TZIF_HEADER_LEN + (apr_size_t)n;
    if (h.version == 1) {
        if ((why = header_check(&h))) {
            return why;
        }
        if (off != len) {
            return "trailing data";
        }
        return block_parse(p, tz, &h, buf + TZIF_HEADER_LEN, 4);
    }
    if ((why = header_read(buf, len, off, &h))) {
        return why;
    }
    if (h.version == 1) {
        return "version 1 header after the first block";
    }
    if ((why = header_check(&h))) {
        return why;
    }
    n = block_len(&h, 8);
    if (n > len - off - TZIF_HEADER_LEN) {
        return "truncated data";
    }
    if ((why = block_parse(p, tz, &h, buf + off + TZIF_HEADER_LEN, 8))) {
        return why;
    }
    off += TZIF_HEADER_LEN + (apr_size_t)n;
    return footer_parse(p, tz, buf + off, len - off);
}

/* Reads the regular file path whole into memory from p; NULL, or why not. */
static const char *file_read(apr_pool_t *p, const char *path, unsigned char **buf,
                             apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    char msg[120];
    const char *why = NULL;

    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_FPROT_OS_DEFAULT,
                       p);
    if (rv != APR_SUCCESS) {
        return apr_pstrdup(p, apr_strerror(rv, msg, sizeof msg));
    }
    rv = apr_file_info_get(&fi, APR_FINFO_TYPE | APR_FINFO_SIZE, f);
    if (rv != APR_SUCCESS) {
        why = apr_pstrdup(p, apr_strerror(rv, msg, sizeof msg));
    } else if (fi.filetype != APR_REG) {
        why = "not a regular file";
    } else if (fi.size < TZIF_HEADER_LEN || fi.size > TZIF_FILE_MAX) {
        why = "not a TZif file (bad size)";
    } else {
        *len = (apr_size_t)fi.size;
        *buf = apr_palloc(p, *len);
        rv = apr_file_read_full(f, *buf, *len, NULL);
        if (rv != APR_SUCCESS) {
            why = apr_pstrdup(p, apr_strerror(rv, msg, sizeof msg));
        }
    }
    apr_file_close(f);
    return why;
}

/* ---- API --------------------------------------------------------------- */

int moi_tz_name_valid(const char *name)
{
    const char *c;

    if (!name || !*name || *name == '/' || strstr(name, "..") ||
        strlen(name) > TZ_NAME_MAX) {
        return 0;
    }
    for (c = name; *c; c++) {
        if (!is_alpha(*c) && !is_digit(*c) && !strchr("/_+-", *c)) {
            return 0;
        }
    }
    return 1;
}

moi_tz *moi_tz_load(apr_pool_t *p, const char *dir, const char *name, const char **err)
{
    apr_pool_t *scratch;
    unsigned char *buf = NULL;
    apr_size_t len = 0;
    const char *path, *why;
    moi_tz *tz;

    if (!moi_tz_name_valid(name)) {
        *err = apr_psprintf(p, "invalid time zone name \"%.80s\"",
                            name ? apr_pescape_echo(p, name, 0) : "(null)");
        return NULL;
    }
    path = apr_pstrcat(p, dir ? dir : MOI_TZ_DIR, "/", name, NULL);
    if (apr_pool_create(&scratch, p) != APR_SUCCESS) {
        *err = "out of memory";
        return NULL;
    }
    tz = apr_pcalloc(p, sizeof *tz);
    tz->name = apr_pstrdup(p, name);
    why = file_read(scratch, path, &buf, &len);
    if (!why) {
        why = tzif_parse(p, tz, buf, len);
    }
    if (why) {
        *err = apr_psprintf(p, "time zone %s (%s): %s", name, path, why);
        tz = NULL;
    }
    apr_pool_destroy(scratch);
    return tz;
}

const char *moi_tz_name(const moi_tz *tz)
{
    return tz->name;
}

int moi_tz_offset_at(const moi_tz *tz, apr_time_t t)
{
    return type_at_time(tz, t)->utoff;
}

int moi_tz_local_repeated(const moi_tz *tz, apr_time_t t)
{
    /* Another instant u with the same wall clock has u + off(u) equal to
     * t + off(t) and another offset; that offset is the one in force a day
     * before or after t (no zone changes twice within a day). */
    static const int days[] = {-1, 1};
    apr_int64_t s = apr_time_sec(t);
    int off = moi_tz_offset_at(tz, t);
    size_t i;

    for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        int o = moi_tz_offset_at(tz, apr_time_from_sec(s + days[i] * 86400));
        apr_int64_t u = s + off - o;
        if (o != off && moi_tz_offset_at(tz, apr_time_from_sec(u)) == o) {
            return 1;
        }
    }
    return 0;
}

int moi_tz_isdst_at(const moi_tz *tz, apr_time_t t)
{
    return type_at_time(tz, t)->isdst;
}

const char *moi_tz_abbrev_at(const moi_tz *tz, apr_time_t t)
{
    return type_at_time(tz, t)->abbrev;
}

int moi_tz_from_local(const moi_tz *tz, int y, int mo, int d, int h, int mi, int s,
                      apr_time_t *out)
{
    apr_int64_t local, from, to, limit;

    if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > moi_days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
        return MOI_TZ_INVALID;
    }
    local = (apr_int64_t)moi_days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 +
            mi * 60 + s;
    /* Offsets are under 26 hours, so every instant showing this wall-clock
     * time lies within two days of it.  Walk the spans of constant type over
     * that window: the first span holding local - offset gives the earlier
     * instant; if none does, the time fell in a gap. */
    from = local - 2 * SECS_PER_DAY;
    limit = local + 2 * SECS_PER_DAY;
    while (from <= limit) {
        apr_int64_t u = local - type_at(tz, from)->utoff;

        to = next_change(tz, from);
        if (to > limit) {
            to = limit + 1;
        }
        if (u >= from && u < to) {
            *out = u * APR_USEC_PER_SEC;
            return 0;
        }
        from = to;
    }
    return MOI_TZ_NONEXISTENT;
}

void moi_tz_to_local(const moi_tz *tz, apr_time_t t, int *y, int *mo, int *d, int *h,
                     int *mi, int *s)
{
    apr_int64_t secs = floor_div(t, APR_USEC_PER_SEC);
    apr_int64_t local = secs + type_at(tz, secs)->utoff;
    apr_int64_t days = floor_div(local, SECS_PER_DAY);
    int sod = (int)(local - days * SECS_PER_DAY);
    moi_date date;

    moi_civil_from_days((long)days, &date);
    *y = date.year;
    *mo = date.month;
    *d = date.day;
    *h = sod / 3600;
    *mi = sod / 60 % 60;
    *s = sod % 60;
}
