/* Exports of the programme: iCalendar, CSV, Atom and schema.org JSON-LD.
 *
 * Every text that comes from an event is first made safe for any of the
 * formats: invalid UTF-8 and control characters other than tab and line
 * feed are dropped, CR LF and lone CR become LF.  In a URL, tab, line feed
 * and space are then percent-encoded.
 *
 * iCalendar: one VTIMEZONE per zone used, computed from the zone itself by
 * scanning its offsets over the years of the events (one year either side);
 * a zone without any change there gets a single STANDARD observance.  A
 * local time that the zone makes ambiguous (the hour a fall-back repeats,
 * either pass) is written in UTC: a TZID time means the first pass
 * (RFC 5545 §3.3.5), but some readers (libical) take the second.
 *
 * CSV: type, format, statut, region, departement, public and accessibilite
 * hold the codes of the data model (the values the filters and the JSON
 * API use), the last two joined by ";"; laboratoire is "oui" or "non".
 */
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <jansson.h>
#include "moi_codes.h"
#include "moi_csv.h"
#include "moi_export.h"
#include "moi_geo.h"
#include "moi_parse.h"
#include "moi_tz.h"

#define SECS_PER_DAY 86400

/* ---- growing buffer --------------------------------------------------------- */

typedef struct {
    apr_pool_t *p;
    char *buf;
    apr_size_t len, cap;
} sbuf;

static void sb_init(sbuf *b, apr_pool_t *p, apr_size_t cap)
{
    b->p = p;
    b->cap = cap < 64 ? 64 : cap;
    b->buf = apr_palloc(p, b->cap);
    b->len = 0;
    b->buf[0] = '\0';
}

static void sb_addn(sbuf *b, const char *s, apr_size_t n)
{
    if (b->len + n + 1 > b->cap) {
        apr_size_t cap = b->cap * 2;
        char *nb;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        nb = apr_palloc(b->p, cap);
        memcpy(nb, b->buf, b->len);
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void sb_add(sbuf *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

/* ---- text ------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0.  Surrogates,
 * overlongs and the non-characters U+FFFE and U+FFFF are refused. */
static apr_size_t utf8_seq(const unsigned char *s)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (c == 0xE0) {
            lo = 0xA0;
        } else if (c == 0xED) {
            hi = 0x9F;
        }
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80) {
            return 0;
        }
        if (c == 0xEF && s[1] == 0xBF && s[2] >= 0xBE) {
            return 0;
        }
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (c == 0xF0) {
            lo = 0x90;
        } else if (c == 0xF4) {
            hi = 0x8F;
        }
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) {
            return 0;
        }
        return 4;
    }
    return 0;
}

static int is_dropped_control(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7F;
}

/* s as well-formed UTF-8 without control characters but tab and LF
 * (CR LF and CR become LF); "" for NULL.  s itself when already so. */
static const char *clean_text(apr_pool_t *p, const char *s)
{
    const unsigned char *u;
    apr_size_t n;
    char *out, *o;
    if (!s) {
        return "";
    }
    for (u = (const unsigned char *)s; *u; u += n) {
        n = utf8_seq(u);
        if (n == 0 || (n == 1 && is_dropped_control(*u))) {
            break;
        }
    }
    if (!*u) {
        return s;
    }
    out = o = apr_palloc(p, strlen(s) + 1);
    for (u = (const unsigned char *)s; *u;) {
        n = utf8_seq(u);
        if (n == 0) {
            u++;
            continue;
        }
        if (n == 1 && *u == '\r') {
            *o++ = '\n';
            u += u[1] == '\n' ? 2 : 1;
            continue;
        }
        if (n == 1 && is_dropped_control(*u)) {
            u++;
            continue;
        }
        memcpy(o, u, n);
        o += n;
        u += n;
    }
    *o = '\0';
    return out;
}

static int empty(const char *s)
{
    return !s || !*s;
}

/* A URL as clean text that a URI value or an XML attribute keeps as it is:
 * the blanks clean_text leaves (tab, LF) and spaces percent-encoded (RFC
 * 3986 has none; an iCalendar line would break at the LF, and an XML
 * parser reads tab and LF in an attribute as spaces). */
static const char *uri_text(apr_pool_t *p, const char *s)
{
    const char *q;
    char *out, *o;
    s = clean_text(p, s);
    if (!strpbrk(s, " \t\n")) {
        return s;
    }
    out = o = apr_palloc(p, strlen(s) * 3 + 1);
    for (q = s; *q; q++) {
        if (*q == ' ' || *q == '\t' || *q == '\n') {
            o += sprintf(o, "%%%02X", (unsigned char)*q);
        } else {
            *o++ = *q;
        }
    }
    *o = '\0';
    return out;
}

/* The items of an array of strings joined by sep. */
static const char *join(apr_pool_t *p, const apr_array_header_t *a, const char *sep)
{
    const char *out = "";
    int i;
    for (i = 0; a && i < a->nelts; i++) {
        out = apr_pstrcat(p, out, i ? sep : "", APR_ARRAY_IDX(a, i, const char *), NULL);
    }
    return out;
}

/* The host of an absolute URL, without user information or port. */
static const char *url_host(apr_pool_t *p, const char *url)
{
    const char *s = url ? strstr(url, "://") : NULL, *e, *c;
    if (!s) {
        return "localhost";
    }
    s += 3;
    e = s + strcspn(s, "/?#");
    for (c = s; c < e; c++) {
        if (*c == '@') {
            s = c + 1;
        }
    }
    if (*s == '[') {
        c = memchr(s, ']', e - s);
        if (c) {
            e = c + 1;
        }
    } else {
        c = memchr(s, ':', e - s);
        if (c) {
            e = c;
        }
    }
    return e > s ? moi_ascii_lower(p, apr_pstrmemdup(p, s, e - s)) : "localhost";
}

static const char *event_page_url(apr_pool_t *p, const char *base_url,
                                  const moi_event *ev)
{
    return apr_pstrcat(p, base_url ? base_url : "", "/evenements/", ev->id ? ev->id : "",
                       NULL);
}

static int is_cancelled(const moi_event *ev)
{
    return ev->status && !strcmp(ev->status, "cancelled");
}

static int has_format(const moi_event *ev, const char *code)
{
    return ev->format && !strcmp(ev->format, code);
}

static const moi_event *event_at(const apr_array_header_t *events, int i)
{
    return APR_ARRAY_IDX(events, i, const moi_event *);
}

/* The zone of an event; NULL when unknown (times are then given in UTC). */
static const moi_tz *event_tz(moi_tz_lookup_fn lookup, void *baton, const moi_event *ev)
{
    const moi_tz *tz = NULL;
    if (!lookup) {
        return NULL;
    }
    if (!empty(ev->timezone)) {
        tz = lookup(baton, ev->timezone);
    }
    return tz ? tz : lookup(baton, MOI_DEFAULT_TIMEZONE);
}

/* ---- time ------------------------------------------------------------------- */

typedef struct {
    int y, mo, d, h, mi, s;
} civil;

static apr_int64_t floor_div(apr_int64_t a, apr_int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static apr_int64_t to_secs(apr_time_t t)
{
    return floor_div(t, APR_USEC_PER_SEC);
}

static void civil_of_secs(apr_int64_t secs, civil *c)
{
    apr_int64_t days = floor_div(secs, SECS_PER_DAY);
    int sod = (int)(secs - days * SECS_PER_DAY);
    moi_date d;
    moi_civil_from_days((long)days, &d);
    c->y = d.year;
    c->mo = d.month;
    c->d = d.day;
    c->h = sod / 3600;
    c->mi = sod / 60 % 60;
    c->s = sod % 60;
}

static void local_civil(const moi_tz *tz, apr_time_t t, civil *c)
{
    if (tz) {
        moi_tz_to_local(tz, t, &c->y, &c->mo, &c->d, &c->h, &c->mi, &c->s);
    } else {
        civil_of_secs(to_secs(t), c);
    }
}

static int offset_at(const moi_tz *tz, apr_time_t t)
{
    return tz ? moi_tz_offset_at(tz, t) : 0;
}

static const char *rfc3339_local(apr_pool_t *p, const moi_tz *tz, apr_time_t t)
{
    return moi_format_rfc3339(p, t, offset_at(tz, t));
}

/* "2022-11-02T08:30:00Z" */
static const char *rfc3339_utc(apr_pool_t *p, apr_time_t t)
{
    civil c;
    civil_of_secs(to_secs(t), &c);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.y, c.mo, c.d, c.h, c.mi,
                        c.s);
}

/* ---- iCalendar -------------------------------------------------------------- */

/* TEXT per RFC 5545 §3.3.11. */
static const char *ical_text(apr_pool_t *p, const char *s)
{
    char *out, *o;
    s = clean_text(p, s);
    out = o = apr_palloc(p, strlen(s) * 2 + 1);
    for (; *s; s++) {
        switch (*s) {
        case '\\':
        case ';':
        case ',':
            *o++ = '\\';
            *o++ = *s;
            break;
        case '\n':
            *o++ = '\\';
            *o++ = 'n';
            break;
        default:
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

/* One content line, folded at 75 octets (RFC 5545 §3.1) between UTF-8
 * sequences, ending in CRLF. */
static void ical_line(sbuf *b, const char *line)
{
    apr_size_t n = strlen(line), pos = 0, limit = 75;
    while (n - pos > limit) {
        apr_size_t cut = pos + limit;
        while (cut > pos && ((unsigned char)line[cut] & 0xC0) == 0x80) {
            cut--;
        }
        if (cut == pos) {
            cut = pos + limit;
        }
        sb_addn(b, line + pos, cut - pos);
        sb_addn(b, "\r\n ", 3);
        pos = cut;
        limit = 74;
    }
    sb_addn(b, line + pos, n - pos);
    sb_addn(b, "\r\n", 2);
}

/* name (with its parameters) and a value already in its iCalendar form. */
static void ical_prop(sbuf *b, const char *name, const char *value)
{
    ical_line(b, apr_pstrcat(b->p, name, ":", value, NULL));
}

static const char *ical_civil(apr_pool_t *p, const civil *c, int utc)
{
    return apr_psprintf(p, "%04d%02d%02dT%02d%02d%02d%s", c->y, c->mo, c->d, c->h, c->mi,
                        c->s, utc ? "Z" : "");
}

static const char *ical_utc(apr_pool_t *p, apr_time_t t)
{
    civil c;
    civil_of_secs(to_secs(t), &c);
    return ical_civil(p, &c, 1);
}

/* "+0100", "-0300", "+053000" with seconds when there are any. */
static const char *ical_offset(apr_pool_t *p, int off)
{
    int a = off < 0 ? -off : off;
    char sign = off < 0 ? '-' : '+';
    if (a % 60) {
        return apr_psprintf(p, "%c%02d%02d%02d", sign, a / 3600, a / 60 % 60, a % 60);
    }
    return apr_psprintf(p, "%c%02d%02d", sign, a / 3600, a / 60 % 60);
}

/* DTSTART or DTEND: local time with TZID, or UTC. */
static void ical_when(sbuf *b, const char *name, const moi_tz *tz, apr_time_t t)
{
    if (tz && !moi_tz_local_repeated(tz, t)) {
        civil c;
        local_civil(tz, t, &c);
        ical_prop(b, apr_pstrcat(b->p, name, ";TZID=", moi_tz_name(tz), NULL),
                  ical_civil(b->p, &c, 0));
        return;
    }
    ical_prop(b, name, ical_utc(b->p, t));
}

/* A zone in use and the span of the instants that refer to it. */
typedef struct {
    const moi_tz *tz;
    apr_time_t first, last;
} zone_use;

static void zone_note(apr_array_header_t *zones, const moi_tz *tz, apr_time_t a,
                      apr_time_t b)
{
    zone_use *z;
    int i;
    if (!tz) {
        return;
    }
    if (b < a) {
        apr_time_t t = a;
        a = b;
        b = t;
    }
    for (i = 0; i < zones->nelts; i++) {
        z = &APR_ARRAY_IDX(zones, i, zone_use);
        if (z->tz == tz) {
            if (a < z->first) {
                z->first = a;
            }
            if (b > z->last) {
                z->last = b;
            }
            return;
        }
    }
    z = apr_array_push(zones);
    z->tz = tz;
    z->first = a;
    z->last = b;
}

typedef struct {
    int off, dst;
    const char *abbr;
} tz_state;

static void state_at(const moi_tz *tz, apr_int64_t secs, tz_state *st)
{
    apr_time_t t = apr_time_from_sec(secs);
    st->off = moi_tz_offset_at(tz, t);
    st->dst = moi_tz_isdst_at(tz, t);
    st->abbr = moi_tz_abbrev_at(tz, t);
    if (!st->abbr) {
        st->abbr = "";
    }
}

static int state_eq(const tz_state *a, const tz_state *b)
{
    return a->off == b->off && a->dst == b->dst && !strcmp(a->abbr, b->abbr);
}

static void ical_observance(sbuf *b, const char *dtstart, const tz_state *from,
                            const tz_state *to, int daylight)
{
    const char *kind = daylight ? "DAYLIGHT" : "STANDARD";
    ical_prop(b, "BEGIN", kind);
    ical_prop(b, "DTSTART", dtstart);
    ical_prop(b, "TZOFFSETFROM", ical_offset(b->p, from->off));
    ical_prop(b, "TZOFFSETTO", ical_offset(b->p, to->off));
    if (*to->abbr) {
        ical_prop(b, "TZNAME", ical_text(b->p, to->abbr));
    }
    ical_prop(b, "END", kind);
}

/* The VTIMEZONE of a zone over the years of its events, one either side:
 * the transitions are found by sampling every hour, then to the second by
 * bisection. */
static void ical_vtimezone(sbuf *b, const zone_use *z)
{
    apr_pool_t *p = b->p;
    apr_array_header_t *trans = apr_array_make(p, 8, sizeof(apr_int64_t));
    civil c0, c1;
    apr_int64_t start, end, t;
    tz_state prev, cur, first;
    int i;

    civil_of_secs(to_secs(z->first), &c0);
    civil_of_secs(to_secs(z->last), &c1);
    start = (apr_int64_t)moi_days_from_civil(c0.y - 1, 1, 1) * SECS_PER_DAY;
    end = (apr_int64_t)moi_days_from_civil(c1.y + 2, 1, 1) * SECS_PER_DAY;

    state_at(z->tz, start, &first);
    prev = first;
    for (t = start + 3600; t <= end; t += 3600) {
        state_at(z->tz, t, &cur);
        if (!state_eq(&cur, &prev)) {
            apr_int64_t lo = t - 3600, hi = t;
            while (hi - lo > 1) {
                apr_int64_t mid = lo + (hi - lo) / 2;
                tz_state m;
                state_at(z->tz, mid, &m);
                if (state_eq(&m, &prev)) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            APR_ARRAY_PUSH(trans, apr_int64_t) = hi;
            prev = cur;
        }
    }

    ical_prop(b, "BEGIN", "VTIMEZONE");
    ical_prop(b, "TZID", moi_tz_name(z->tz));
    if (trans->nelts == 0 || APR_ARRAY_IDX(trans, 0, apr_int64_t) > to_secs(z->first)) {
        /* What holds before the first change (or always). */
        ical_observance(b, "19700101T000000", &first, &first,
                        trans->nelts > 0 && first.dst);
    }
    for (i = 0; i < trans->nelts; i++) {
        apr_int64_t at = APR_ARRAY_IDX(trans, i, apr_int64_t);
        tz_state before, after;
        civil onset;
        state_at(z->tz, at - 1, &before);
        state_at(z->tz, at, &after);
        /* The onset in the local time of the offset in force before it. */
        civil_of_secs(at + before.off, &onset);
        ical_observance(b, ical_civil(p, &onset, 0), &before, &after, after.dst);
    }
    ical_prop(b, "END", "VTIMEZONE");
}

static const char *place_text(apr_pool_t *p, const moi_event *ev)
{
    const char *parts[3] = {ev->venue, ev->address, ev->city};
    const char *out = "";
    int i;
    for (i = 0; i < 3; i++) {
        if (!empty(parts[i])) {
            out = apr_pstrcat(p, out, *out ? ", " : "", parts[i], NULL);
        }
    }
    if (has_format(ev, "en_ligne")) {
        return "En ligne";
    }
    if (has_format(ev, "hybride")) {
        return *out ? apr_pstrcat(p, out, " (et en ligne)", NULL) : "En ligne";
    }
    return out;
}

static const char *ical_description(apr_pool_t *p, const moi_event *ev, const char *url)
{
    const char *out = clean_text(p, ev->summary);
    const char *info = "";
    if (!empty(ev->description)) {
        out = apr_pstrcat(p, out, "\n\n", ev->description, NULL);
    }
    if (!empty(ev->online_url)) {
        info = apr_pstrcat(p, info, "Lien de connexion : ", ev->online_url, "\n", NULL);
    }
    if (!empty(ev->registration_url)) {
        info = apr_pstrcat(p, info, "Inscription : ", ev->registration_url, "\n", NULL);
    }
    if (!empty(ev->organization)) {
        info = apr_pstrcat(p, info, "Organisé par : ", ev->organization, "\n", NULL);
    }
    info = apr_pstrcat(p, info, "Plus d'informations : ", url, NULL);
    return apr_pstrcat(p, out, "\n\n", info, NULL);
}

static void ical_vevent(sbuf *b, const moi_event *ev, const moi_tz *tz, const char *host,
                        const char *base_url)
{
    apr_pool_t *p = b->p;
    const char *url = event_page_url(p, base_url, ev);
    const char *type = moi_code_lookup(moi_event_types, ev->type);
    const char *place = place_text(p, ev);
    apr_time_t stamp = ev->updated_at ? ev->updated_at : ev->created_at;

    ical_prop(b, "BEGIN", "VEVENT");
    ical_prop(b, "UID",
              ical_text(p, apr_pstrcat(p, ev->id ? ev->id : "", "@", host, NULL)));
    ical_prop(b, "DTSTAMP", ical_utc(p, stamp));
    if (ev->created_at) {
        ical_prop(b, "CREATED", ical_utc(p, ev->created_at));
    }
    if (ev->updated_at) {
        ical_prop(b, "LAST-MODIFIED", ical_utc(p, ev->updated_at));
    }
    ical_when(b, "DTSTART", tz, ev->starts_at);
    ical_when(b, "DTEND", tz, ev->ends_at);
    ical_prop(b, "SUMMARY", ical_text(p, ev->title));
    ical_prop(b, "DESCRIPTION", ical_text(p, ical_description(p, ev, url)));
    if (*place) {
        ical_prop(b, "LOCATION", ical_text(p, place));
    }
    ical_prop(b, "URL", uri_text(p, url));
    ical_prop(b, "STATUS", is_cancelled(ev) ? "CANCELLED" : "CONFIRMED");
    if (type) {
        ical_prop(b, "CATEGORIES", ical_text(p, type));
    }
    ical_prop(b, "SEQUENCE", apr_itoa(p, ev->version > 1 ? ev->version - 1 : 0));
    ical_prop(b, "END", "VEVENT");
}

const char *moi_export_ical_head(apr_pool_t *p, const apr_array_header_t *events,
                                 moi_tz_lookup_fn tz_lookup, void *baton, const char *calname)
{
    int n = events ? events->nelts : 0, i;
    apr_array_header_t *zones = apr_array_make(p, 4, sizeof(zone_use));
    sbuf b;

    sb_init(&b, p, 4096);
    ical_prop(&b, "BEGIN", "VCALENDAR");
    ical_prop(&b, "PRODID", "-//mod_moisinno//Mois de l'innovation publique//FR");
    ical_prop(&b, "VERSION", "2.0");
    ical_prop(&b, "CALSCALE", "GREGORIAN");
    ical_prop(&b, "METHOD", "PUBLISH");
    if (!empty(calname)) {
        ical_prop(&b, "X-WR-CALNAME", ical_text(p, calname));
    }
    for (i = 0; i < n; i++) {
        const moi_event *ev = event_at(events, i);
        zone_note(zones, event_tz(tz_lookup, baton, ev), ev->starts_at, ev->ends_at);
    }
    for (i = 0; i < zones->nelts; i++) {
        ical_vtimezone(&b, &APR_ARRAY_IDX(zones, i, zone_use));
    }
    return b.buf;
}

const char *moi_export_ical_events(apr_pool_t *p, const apr_array_header_t *events, int from,
                                   int to, moi_tz_lookup_fn tz_lookup, void *baton,
                                   const char *base_url)
{
    const char *host = url_host(p, base_url);
    int i;
    sbuf b;

    if (!events || to > events->nelts) {
        to = events ? events->nelts : 0;
    }
    sb_init(&b, p, 64 + (apr_size_t)(to > from ? to - from : 0) * 2048);
    for (i = from < 0 ? 0 : from; i < to; i++) {
        const moi_event *ev = event_at(events, i);
        ical_vevent(&b, ev, event_tz(tz_lookup, baton, ev), host, base_url);
    }
    return b.buf;
}

const char *moi_export_ical_tail(void)
{
    return "END:VCALENDAR\r\n";
}

const char *moi_export_ical(apr_pool_t *p, const apr_array_header_t *events,
                            moi_tz_lookup_fn tz_lookup, void *baton, const char *base_url,
                            const char *calname)
{
    return apr_pstrcat(p, moi_export_ical_head(p, events, tz_lookup, baton, calname),
                       moi_export_ical_events(p, events, 0, events ? events->nelts : 0,
                                              tz_lookup, baton, base_url),
                       moi_export_ical_tail(), NULL);
}

/* ---- CSV -------------------------------------------------------------------- */

#define CSV_COLUMNS 22

static const char csv_header[] =
    "id,titre,resume,type,format,statut,debut,fin,fuseau,region,departement,ville,lieu,"
    "adresse,lien_connexion,lien_inscription,public,accessibilite,laboratoire,"
    "organisateur,organisation,url\r\n";

const char *moi_export_csv_head(void)
{
    return csv_header;
}

const char *moi_export_csv_rows(apr_pool_t *p, const apr_array_header_t *events, int from,
                                int to, moi_tz_lookup_fn tz_lookup, void *baton,
                                const char *base_url)
{
    int i, k;
    sbuf b;

    if (!events || to > events->nelts) {
        to = events ? events->nelts : 0;
    }
    sb_init(&b, p, 64 + (apr_size_t)(to > from ? to - from : 0) * 1024);
    for (i = from < 0 ? 0 : from; i < to; i++) {
        const moi_event *ev = event_at(events, i);
        const moi_tz *tz = event_tz(tz_lookup, baton, ev);
        const char *cells[CSV_COLUMNS];
        k = 0;
        cells[k++] = ev->id;
        cells[k++] = ev->title;
        cells[k++] = ev->summary;
        cells[k++] = ev->type;
        cells[k++] = ev->format;
        cells[k++] = ev->status;
        cells[k++] = rfc3339_local(p, tz, ev->starts_at);
        cells[k++] = rfc3339_local(p, tz, ev->ends_at);
        cells[k++] = tz ? moi_tz_name(tz) : "UTC";
        cells[k++] = ev->region;
        cells[k++] = ev->department;
        cells[k++] = ev->city;
        cells[k++] = ev->venue;
        cells[k++] = ev->address;
        cells[k++] = ev->online_url;
        cells[k++] = ev->registration_url;
        cells[k++] = join(p, ev->audience, ";");
        cells[k++] = join(p, ev->accessibility, ";");
        cells[k++] = ev->lab ? "oui" : "non";
        cells[k++] = ev->organizer_name;
        cells[k++] = ev->organization;
        cells[k++] = event_page_url(p, base_url, ev);
        for (k = 0; k < CSV_COLUMNS; k++) {
            cells[k] = clean_text(p, cells[k]);
        }
        sb_add(&b, moi_csv_row(p, cells, CSV_COLUMNS));
    }
    return b.buf;
}

const char *moi_export_csv(apr_pool_t *p, const apr_array_header_t *events,
                           moi_tz_lookup_fn tz_lookup, void *baton, const char *base_url)
{
    return apr_pstrcat(p, csv_header,
                       moi_export_csv_rows(p, events, 0, events ? events->nelts : 0, tz_lookup,
                                           baton, base_url),
                       NULL);
}

/* ---- Atom ------------------------------------------------------------------- */

/* Character data or attribute value. */
static const char *xml_text(apr_pool_t *p, const char *s)
{
    sbuf b;
    const char *run;
    s = clean_text(p, s);
    if (!strpbrk(s, "&<>\"'")) {
        return s;
    }
    sb_init(&b, p, strlen(s) + 32);
    for (run = s; *s; s++) {
        const char *ent;
        switch (*s) {
        case '&':
            ent = "&amp;";
            break;
        case '<':
            ent = "&lt;";
            break;
        case '>':
            ent = "&gt;";
            break;
        case '"':
            ent = "&quot;";
            break;
        case '\'':
            ent = "&apos;";
            break;
        default:
            continue;
        }
        sb_addn(&b, run, s - run);
        sb_add(&b, ent);
        run = s + 1;
    }
    sb_addn(&b, run, s - run);
    return b.buf;
}

/* "mercredi 2 novembre 2022" */
static const char *fr_date(apr_pool_t *p, const civil *c)
{
    return moi_date_long(p, c->y, c->mo, c->d);
}

/* "mercredi 2 novembre 2022, de 09:30 à 12:00 (heure de Paris)" */
static const char *fr_when(apr_pool_t *p, const moi_tz *tz, apr_time_t start,
                           apr_time_t end)
{
    civil a, z;
    const char *when, *zone;
    local_civil(tz, start, &a);
    local_civil(tz, end, &z);
    if (a.y == z.y && a.mo == z.mo && a.d == z.d) {
        when = apr_psprintf(p, "%s, de %02d:%02d à %02d:%02d", fr_date(p, &a), a.h, a.mi,
                            z.h, z.mi);
    } else {
        when = apr_psprintf(p, "du %s à %02d:%02d au %s à %02d:%02d", fr_date(p, &a), a.h,
                            a.mi, fr_date(p, &z), z.h, z.mi);
    }
    if (!tz) {
        zone = " (UTC)";
    } else if (!strcmp(moi_tz_name(tz), "Europe/Paris")) {
        zone = " (heure de Paris)";
    } else {
        int off = moi_tz_offset_at(tz, start), abs_off = off < 0 ? -off : off;
        zone = abs_off % 3600
                   ? apr_psprintf(p, " (heure locale, UTC%c%d:%02d)", off < 0 ? '-' : '+',
                                  abs_off / 3600, abs_off / 60 % 60)
                   : apr_psprintf(p, " (heure locale, UTC%c%d)", off < 0 ? '-' : '+',
                                  abs_off / 3600);
    }
    return apr_pstrcat(p, when, zone, NULL);
}

/* The city, "En ligne", or both for a hybrid event. */
static const char *short_place(apr_pool_t *p, const moi_event *ev)
{
    if (has_format(ev, "en_ligne")) {
        return "En ligne";
    }
    if (has_format(ev, "hybride")) {
        return empty(ev->city) ? "En ligne"
                               : apr_pstrcat(p, ev->city, " et en ligne", NULL);
    }
    return empty(ev->city) ? "" : ev->city;
}

const char *moi_export_atom(apr_pool_t *p, const apr_array_header_t *events,
                            moi_tz_lookup_fn tz_lookup, void *baton, const char *base_url,
                            const char *feed_url, const char *title)
{
    int n = events ? events->nelts : 0, i;
    apr_time_t newest = 0;
    const char *feed_title = empty(title) ? "Mois de l'innovation publique" : title;
    sbuf b;

    for (i = 0; i < n; i++) {
        const moi_event *ev = event_at(events, i);
        if (i == 0 || ev->updated_at > newest) {
            newest = ev->updated_at;
        }
    }
    sb_init(&b, p, 2048 + (apr_size_t)n * 1024);
    sb_add(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
               "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n");
    sb_add(&b,
           apr_pstrcat(
               p, "<id>", xml_text(p, uri_text(p, feed_url)), "</id>\n", "<title>",
               xml_text(p, feed_title), "</title>\n", "<updated>", rfc3339_utc(p, newest),
               "</updated>\n", "<link rel=\"self\" type=\"application/atom+xml\" href=\"",
               xml_text(p, uri_text(p, feed_url)), "\"/>\n",
               "<link rel=\"alternate\" type=\"text/html\" href=\"",
               xml_text(p, uri_text(p, apr_pstrcat(p, base_url ? base_url : "", "/", NULL))),
               "\"/>\n",
               "<author><name>", xml_text(p, feed_title), "</name></author>\n", NULL));
    for (i = 0; i < n; i++) {
        const moi_event *ev = event_at(events, i);
        const moi_tz *tz = event_tz(tz_lookup, baton, ev);
        const char *url = event_page_url(p, base_url, ev);
        const char *place = short_place(p, ev);
        const char *type = moi_code_lookup(moi_event_types, ev->type);
        const char *summary = apr_pstrcat(p, fr_when(p, tz, ev->starts_at, ev->ends_at),
                                          *place ? " — " : "", place, "\n",
                                          clean_text(p, ev->summary), NULL);
        const char *entry_title =
            is_cancelled(ev) ? apr_pstrcat(p, "Annulé : ", clean_text(p, ev->title), NULL)
                             : ev->title;
        const char *href = xml_text(p, uri_text(p, url));
        sb_add(&b, apr_pstrcat(p, "<entry>\n<id>", href, "</id>\n<title>",
                               xml_text(p, entry_title), "</title>\n<updated>",
                               rfc3339_utc(p, ev->updated_at), "</updated>\n",
                               "<link rel=\"alternate\" type=\"text/html\" href=\"",
                               href, "\"/>\n<summary type=\"text\">",
                               xml_text(p, summary), "</summary>\n", NULL));
        if (!empty(ev->organization)) {
            sb_add(&b, apr_pstrcat(p, "<author><name>", xml_text(p, ev->organization),
                                   "</name></author>\n", NULL));
        }
        if (type) {
            sb_add(&b, apr_pstrcat(p, "<category term=\"", xml_text(p, ev->type),
                                   "\" label=\"", xml_text(p, type), "\"/>\n", NULL));
        }
        sb_add(&b, "</entry>\n");
    }
    sb_add(&b, "</feed>\n");
    return b.buf;
}

/* ---- JSON-LD ---------------------------------------------------------------- */

static void set_text(apr_pool_t *p, json_t *o, const char *key, const char *value)
{
    if (!empty(value)) {
        json_object_set_new(o, key, json_string(clean_text(p, value)));
    }
}

static json_t *jsonld_place(apr_pool_t *p, const moi_event *ev)
{
    json_t *place = json_object(), *addr = json_object();
    const moi_region *region = ev->region ? moi_region_find(ev->region) : NULL;
    json_object_set_new(place, "@type", json_string("Place"));
    set_text(p, place, "name",
             !empty(ev->venue) ? ev->venue
                               : (!empty(ev->city) ? ev->city : "Lieu à préciser"));
    json_object_set_new(addr, "@type", json_string("PostalAddress"));
    set_text(p, addr, "streetAddress", ev->address);
    set_text(p, addr, "addressLocality", ev->city);
    set_text(p, addr, "addressRegion", region ? region->name : NULL);
    json_object_set_new(addr, "addressCountry", json_string("FR"));
    json_object_set_new(place, "address", addr);
    return place;
}

static json_t *jsonld_virtual(apr_pool_t *p, const moi_event *ev)
{
    const char *url = !empty(ev->online_url) ? ev->online_url : ev->registration_url;
    json_t *v;
    if (empty(url)) {
        return NULL;
    }
    v = json_object();
    json_object_set_new(v, "@type", json_string("VirtualLocation"));
    set_text(p, v, "url", url);
    return v;
}

/* JSON text made safe inside a <script> element: "<" only occurs within
 * strings, where \u003c means the same. */
static const char *script_safe(apr_pool_t *p, const char *json)
{
    sbuf b;
    const char *run, *s;
    sb_init(&b, p, strlen(json) + 64);
    for (run = s = json; *s; s++) {
        if (*s == '<') {
            sb_addn(&b, run, s - run);
            sb_add(&b, "\\u003c");
            run = s + 1;
        }
    }
    sb_addn(&b, run, s - run);
    return b.buf;
}

const char *moi_export_jsonld(apr_pool_t *p, const moi_event *ev, const moi_tz *tz,
                              const char *page_url)
{
    json_t *o = json_object(), *org, *loc = NULL, *place = NULL, *virt = NULL;
    const char *mode;
    char *dump;
    const char *out;

    json_object_set_new(o, "@context", json_string("https://schema.org"));
    json_object_set_new(o, "@type", json_string("Event"));
    set_text(p, o, "name", ev->title);
    set_text(p, o, "description", ev->summary);
    json_object_set_new(o, "startDate", json_string(rfc3339_local(p, tz, ev->starts_at)));
    json_object_set_new(o, "endDate", json_string(rfc3339_local(p, tz, ev->ends_at)));
    json_object_set_new(o, "eventStatus",
                        json_string(is_cancelled(ev)
                                        ? "https://schema.org/EventCancelled"
                                        : "https://schema.org/EventScheduled"));
    if (has_format(ev, "en_ligne")) {
        mode = "https://schema.org/OnlineEventAttendanceMode";
        virt = jsonld_virtual(p, ev);
    } else if (has_format(ev, "hybride")) {
        mode = "https://schema.org/MixedEventAttendanceMode";
        place = jsonld_place(p, ev);
        virt = jsonld_virtual(p, ev);
    } else {
        mode = "https://schema.org/OfflineEventAttendanceMode";
        place = jsonld_place(p, ev);
    }
    json_object_set_new(o, "eventAttendanceMode", json_string(mode));
    if (place && virt) {
        loc = json_array();
        json_array_append_new(loc, place);
        json_array_append_new(loc, virt);
    } else {
        loc = place ? place : virt;
    }
    if (loc) {
        json_object_set_new(o, "location", loc);
    }
    if (!empty(ev->organization)) {
        org = json_object();
        json_object_set_new(org, "@type", json_string("Organization"));
        set_text(p, org, "name", ev->organization);
        json_object_set_new(o, "organizer", org);
    }
    set_text(p, o, "url", page_url);
    json_object_set_new(o, "inLanguage", json_string("fr"));

    dump = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!dump) {
        return "{}";
    }
    out = script_safe(p, dump);
    free(dump);
    return out;
}
