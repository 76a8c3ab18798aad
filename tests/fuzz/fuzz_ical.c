/* moi_export_ical for one event (fuzz_event: any bytes in its texts),
 * named by its title as the event's own .ics is.
 * Invariants (RFC 5545): the calendar is UTF-8 with CRLF line ends and no
 * other CR or LF; no line is longer than 75 octets, and a line is folded
 * only when the next character would not fit, between UTF-8 sequences (so
 * each physical line is UTF-8 on its own); unfolded, every text value
 * (SUMMARY, DESCRIPTION, LOCATION, UID, CATEGORIES, X-WR-CALNAME) has no
 * raw , or ; and only the escapes \\ \; \, \n, and unescaped it is the
 * event's text as the exports clean it (fuzz_export_text), URL the page's
 * URL as they clean URLs (fuzz_export_uri); DTSTART and
 * DTEND are the event's instants, in its zone with a VTIMEZONE of that
 * zone, or in UTC; STATUS and SEQUENCE follow the event.  libical reads the
 * calendar without error and gets the same texts and instants. */
#include <string.h>
#include <apr_strings.h>
#include <libical/ical.h>
#include "moi_codes.h"
#include "moi_export.h"
#include "moi_geo.h"
#include "moi_text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE "https://www.modernisation.gouv.fr/mois-innovation"
#define HOST "www.modernisation.gouv.fr"

static int empty(const char *s)
{
    return !s || !*s;
}

/* Physical lines: CRLF ends, length, folding; returns the unfolded text
 * with LF between content lines (malloc'd). */
static char *unfold(const char *ics)
{
    size_t n = strlen(ics), i = 0;
    char *out = malloc(n + 1), *o = out;
    int first = 1;
    FUZZ_CHECK(n >= 2 && !strcmp(ics + n - 2, "\r\n"));
    while (i < n) {
        const char *line = ics + i, *end = strstr(line, "\r\n");
        size_t len = (size_t)(end - line);
        FUZZ_CHECK(end != NULL);
        FUZZ_CHECK(!memchr(line, '\r', len) && !memchr(line, '\n', len));
        FUZZ_CHECK(len <= 75);
        FUZZ_CHECK(moi_utf8_valid(line, len));
        if (line[0] == ' ') {
            /* A continuation: the line before was full. */
            size_t next = fuzz_utf8_seq((const uint8_t *)line + 1, len - 1);
            FUZZ_CHECK(!first && len > 1 && next > 0);
            FUZZ_CHECK((size_t)(o - out) > 0);
            memcpy(o, line + 1, len - 1);
            o += len - 1;
        }
        else {
            FUZZ_CHECK(len > 0 && line[0] != '\t');
            if (!first) {
                *o++ = '\n';
            }
            memcpy(o, line, len);
            o += len;
        }
        first = 0;
        i += len + 2;
    }
    *o = '\0';
    return out;
}

/* Checks that each folded line was full: the first sequence of its
 * continuation would have made it longer than 75 octets. */
static void check_full(const char *ics)
{
    const char *line = ics, *end;
    while ((end = strstr(line, "\r\n")) && end[2]) {
        const char *next = end + 2;
        if (*next == ' ') {
            size_t k = fuzz_utf8_seq((const uint8_t *)next + 1, strlen(next + 1));
            FUZZ_CHECK((size_t)(end - line) + k > 75);
        }
        line = next;
    }
}

/* The TEXT value v unescaped (malloc'd), or NULL if it is not one. */
static char *unescape(const char *v)
{
    char *out = malloc(strlen(v) + 1), *o = out;
    for (; *v; v++) {
        if (*v == ',' || *v == ';') {
            free(out);
            return NULL;
        }
        if (*v != '\\') {
            *o++ = *v;
            continue;
        }
        v++;
        if (*v == '\\' || *v == ';' || *v == ',') {
            *o++ = *v;
        }
        else if (*v == 'n' || *v == 'N') {
            *o++ = '\n';
        }
        else {
            free(out);
            return NULL;
        }
    }
    *o = '\0';
    return out;
}

/* The value of the first content line named name (with its parameters
 * before the ":" as given), inside the component that begins at from; NULL
 * when there is none. */
static const char *prop(apr_pool_t *p, const char *lines, const char *from, const char *name)
{
    const char *s = lines, *e;
    size_t n = strlen(name);
    if (from) {
        /* at the start of a content line */
        s = strstr(lines, apr_pstrcat(p, "\n", from, "\n", NULL));
        if (!s) {
            return NULL;
        }
        s++;
    }
    for (; *s; s = *e ? e + 1 : e) {
        e = s + strcspn(s, "\n");
        if (!strncmp(s, name, n) && s[n] == ':') {
            return apr_pstrmemdup(p, s + n + 1, (apr_size_t)(e - s - n - 1));
        }
        if (from && !strncmp(s, "END:", 4)) {
            return NULL;
        }
    }
    return NULL;
}

static void check_text_prop(apr_pool_t *p, const char *lines, const char *name,
                            const char *raw, icalcomponent *comp, const char *(*get)(icalcomponent *))
{
    const char *v = prop(p, lines, "BEGIN:VEVENT", name);
    char *want = fuzz_export_text(raw), *got;
    FUZZ_CHECK(v != NULL);
    got = unescape(v);
    FUZZ_CHECK(got != NULL);
    if (strcmp(got, want)) {
        fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", name, got, want);
        FUZZ_CHECK(!"the text reads back");
    }
    if (comp && get) {
        /* libical drops blanks at either end of a value (RFC 5545 keeps
         * them); the module's texts are trimmed when read. */
        const char *lib = get(comp), *w = want + strspn(want, " \t");
        size_t wn = strlen(w);
        while (wn && (w[wn - 1] == ' ' || w[wn - 1] == '\t')) {
            wn--;
        }
        if (strlen(lib ? lib : "") != wn || strncmp(lib ? lib : "", w, wn)) {
            fprintf(stderr, "%s: libical \"%s\", want \"%s\"\n", name, lib ? lib : "(none)",
                    want);
            FUZZ_CHECK(!"libical reads the text back");
        }
    }
    free(got);
    free(want);
}

static const char *place_of(apr_pool_t *p, const moi_event *ev)
{
    const char *parts[3] = {ev->venue, ev->address, ev->city}, *out = "";
    int i;
    for (i = 0; i < 3; i++) {
        if (!empty(parts[i])) {
            out = apr_pstrcat(p, out, *out ? ", " : "", parts[i], NULL);
        }
    }
    if (!strcmp(ev->format, "en_ligne")) {
        return "En ligne";
    }
    if (!strcmp(ev->format, "hybride")) {
        return *out ? apr_pstrcat(p, out, " (et en ligne)", NULL) : "En ligne";
    }
    return out;
}

static const char *description_of(apr_pool_t *p, const moi_event *ev, const char *url)
{
    char *summary = fuzz_export_text(ev->summary);
    const char *out = apr_pstrdup(p, summary), *info = "";
    free(summary);
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
    return apr_pstrcat(p, out, "\n\n", info, "Plus d'informations : ", url, NULL);
}

/* DTSTART or DTEND: the instant t, in tz with its TZID or in UTC. */
static void check_when(apr_pool_t *p, const char *lines, const char *name, const moi_tz *tz,
                       apr_time_t t, icalcomponent *vevent)
{
    const char *local = tz ? prop(p, lines, "BEGIN:VEVENT",
                                  apr_pstrcat(p, name, ";TZID=", moi_tz_name(tz), NULL))
                           : NULL;
    const char *utc = prop(p, lines, "BEGIN:VEVENT", name);
    apr_time_t back;
    int y, mo, d, h, mi, s;
    struct icaltimetype it;
    FUZZ_CHECK(!local != !utc);
    if (local) {
        FUZZ_CHECK(strlen(local) == 15 &&
                   sscanf(local, "%4d%2d%2dT%2d%2d%2d", &y, &mo, &d, &h, &mi, &s) == 6);
        FUZZ_CHECK(moi_tz_from_local(tz, y, mo, d, h, mi, s, &back) == 0);
        FUZZ_CHECK(apr_time_sec(back) == apr_time_sec(t));
        FUZZ_CHECK(strstr(lines, apr_pstrcat(p, "\nBEGIN:VTIMEZONE\nTZID:", moi_tz_name(tz),
                                             "\n", NULL)) != NULL);
    }
    else {
        FUZZ_CHECK(strlen(utc) == 16 && utc[15] == 'Z');
    }
    it = !strcmp(name, "DTSTART") ? icalcomponent_get_dtstart(vevent)
                                  : icalcomponent_get_dtend(vevent);
    FUZZ_CHECK(!icaltime_is_null_time(it));
    FUZZ_CHECK(it.zone != NULL);
    FUZZ_CHECK((apr_int64_t)icaltime_as_timet_with_zone(it, it.zone) == apr_time_sec(t));
}

/* Some content line named name (libical says "X" for any X- name) has a
 * value of blanks only. */
static int blank_value(const char *lines, const char *name)
{
    const char *s, *e;
    size_t n = strlen(name);
    for (s = lines; *s; s = *e ? e + 1 : e) {
        e = s + strcspn(s, "\n");
        if (!strncmp(s, name, n) && (s[n] == ':' || (!strcmp(name, "X") && s[n] == '-'))) {
            const char *v = memchr(s, ':', (size_t)(e - s));
            if (v && v + 1 + strspn(v + 1, " \t") == e) {
                return 1;
            }
        }
    }
    return 0;
}

/* libical reads the calendar without error, but for the one thing it is
 * stricter than RFC 5545 about: a TEXT value may be empty (§3.3.11,
 * "*(...)"), which libical refuses with "No value for NAME property"
 * (and so one of blanks, which it drops).
 * The module's texts are never empty (titles have 5 characters or more). */
static void check_libical_errors(apr_pool_t *p, icalcomponent *c, const char *lines)
{
    icalproperty *e;
    icalcomponent *sub;
    for (e = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); e;
         e = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        const char *msg = icalproperty_get_xlicerror(e);
        char name[64];
        if (sscanf(msg, "No value for %63s property", name) == 1 && blank_value(lines, name)) {
            continue;
        }
        fprintf(stderr, "libical: %s\n%s\n", msg, icalcomponent_as_ical_string(c));
        FUZZ_CHECK(!"libical reads the calendar without error");
    }
    for (sub = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); sub;
         sub = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
        check_libical_errors(p, sub, lines);
    }
}

static const moi_tz *no_zone(void *baton, const char *name)
{
    (void)baton;
    (void)name;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    moi_event *ev = fuzz_event(p, data, size);
    apr_array_header_t *events = apr_array_make(p, 1, sizeof(const moi_event *));
    /* Times in the event's zone for one input in sixteen: a VTIMEZONE takes
     * a year-by-year scan of the zone, which would leave little time for
     * the texts; else in UTC. */
    int zoned = size >= FUZZ_EVENT_HEAD && (data[FUZZ_EVENT_HEAD - 1] & 0x0F) == 0x0A;
    moi_tz_lookup_fn lookup = zoned ? fuzz_tz_lookup : no_zone;
    const moi_tz *tz = lookup(NULL, ev->timezone);
    const char *ics, *url, *place, *type, *v;
    char *lines;
    icalcomponent *cal, *vevent;

    if (!tz) {
        tz = lookup(NULL, MOI_DEFAULT_TIMEZONE);
    }
    APR_ARRAY_PUSH(events, const moi_event *) = ev;
    ics = moi_export_ical(p, events, lookup, NULL, BASE, ev->title);
    if (!zoned) {
        FUZZ_CHECK(!strstr(ics, "\r\nBEGIN:VTIMEZONE\r\n"));
    }
    url = apr_pstrcat(p, BASE "/evenements/", ev->id, NULL);

    FUZZ_CHECK(moi_utf8_valid(ics, strlen(ics)));
    lines = unfold(ics);
    check_full(ics);
    FUZZ_CHECK(!strncmp(lines, "BEGIN:VCALENDAR\n", 16));
    FUZZ_CHECK(strlen(lines) >= 14 && !strcmp(lines + strlen(lines) - 14, "\nEND:VCALENDAR"));

    cal = icalparser_parse_string(ics);
    FUZZ_CHECK(cal != NULL && icalcomponent_isa(cal) == ICAL_VCALENDAR_COMPONENT);
    check_libical_errors(p, cal, lines);
    FUZZ_CHECK(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT) == 1);
    vevent = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);

    if (!empty(ev->title)) {
        v = prop(p, lines, NULL, "X-WR-CALNAME");
        FUZZ_CHECK(v != NULL);
        {
            char *got = unescape(v), *want = fuzz_export_text(ev->title);
            FUZZ_CHECK(got && !strcmp(got, want));
            free(got);
            free(want);
        }
    }
    check_text_prop(p, lines, "UID", apr_pstrcat(p, ev->id, "@" HOST, NULL), vevent,
                    icalcomponent_get_uid);
    check_text_prop(p, lines, "SUMMARY", ev->title, vevent, icalcomponent_get_summary);
    check_text_prop(p, lines, "DESCRIPTION", description_of(p, ev, url), vevent,
                    icalcomponent_get_description);
    place = place_of(p, ev);
    if (*place) {
        check_text_prop(p, lines, "LOCATION", place, vevent, icalcomponent_get_location);
    }
    else {
        FUZZ_CHECK(prop(p, lines, "BEGIN:VEVENT", "LOCATION") == NULL);
    }
    type = moi_code_lookup(moi_event_types, ev->type);
    check_text_prop(p, lines, "CATEGORIES", type, NULL, NULL);
    {
        char *want = fuzz_export_uri(url);
        v = prop(p, lines, "BEGIN:VEVENT", "URL");
        FUZZ_CHECK(v && !strcmp(v, want));
        free(want);
    }
    v = prop(p, lines, "BEGIN:VEVENT", "STATUS");
    FUZZ_CHECK(v && !strcmp(v, strcmp(ev->status, "cancelled") ? "CONFIRMED" : "CANCELLED"));
    v = prop(p, lines, "BEGIN:VEVENT", "SEQUENCE");
    FUZZ_CHECK(v && atoi(v) == (ev->version > 1 ? ev->version - 1 : 0));
    FUZZ_CHECK(icalcomponent_get_sequence(vevent) == (ev->version > 1 ? ev->version - 1 : 0));
    check_when(p, lines, "DTSTART", tz, ev->starts_at, vevent);
    check_when(p, lines, "DTEND", tz, ev->ends_at, vevent);

    icalcomponent_free(cal);
    free(lines);
    fuzz_pool_done(p);
    return 0;
}
