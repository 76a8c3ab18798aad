/* moi_export: iCalendar (read back with libical), CSV, Atom and JSON-LD. */
#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <jansson.h>
#include <libical/ical.h>
#include "moi_export.h"
#include "moi_text.h"
#include "unit.h"

#define BASE "https://www.modernisation.gouv.fr/mois-innovation"
#define HOST "www.modernisation.gouv.fr"
#define FEED BASE "/programme.atom"

#define ID_PARIS "6360f0a1b2c3d4e5f6a7b801"
#define ID_REUNION "6360f0a1b2c3d4e5f6a7b802"
#define ID_ONLINE "6360f0a1b2c3d4e5f6a7b803"
#define ID_CANCELLED "6360f0a1b2c3d4e5f6a7b804"

#define ONLINE_TITLE "Réunion; test, \"quoted\"\nnew line"
#define PARIS_TITLE "Atelier <script>alert(1)</script> & co"

/* ---- fixtures --------------------------------------------------------------- */

/* Zones of the system database, loaded once per test into unit_pool; the
 * baton is an apr_hash_t by name.  Unknown names give NULL. */
static const moi_tz *lookup(void *baton, const char *name)
{
    apr_hash_t *zones = baton;
    moi_tz *tz = apr_hash_get(zones, name, APR_HASH_KEY_STRING);
    const char *err = NULL;
    if (!tz) {
        tz = moi_tz_load(unit_pool, NULL, name, &err);
        if (tz) {
            apr_hash_set(zones, apr_pstrdup(unit_pool, name), APR_HASH_KEY_STRING, tz);
        }
    }
    return tz;
}

static const moi_tz *no_zone(void *baton, const char *name)
{
    (void)baton;
    (void)name;
    return NULL;
}

static const moi_tz *zone(const char *name)
{
    const moi_tz *tz = lookup(apr_hash_make(unit_pool), name);
    ck_assert_msg(tz != NULL, "zone %s", name);
    return tz;
}

static apr_time_t local(const char *name, int y, int mo, int d, int h, int mi)
{
    apr_time_t t;
    ck_assert_int_eq(moi_tz_from_local(zone(name), y, mo, d, h, mi, 0, &t), 0);
    return t;
}

static apr_array_header_t *codes(const char *a, const char *b)
{
    apr_array_header_t *arr = apr_array_make(unit_pool, 2, sizeof(const char *));
    if (a) {
        APR_ARRAY_PUSH(arr, const char *) = a;
    }
    if (b) {
        APR_ARRAY_PUSH(arr, const char *) = b;
    }
    return arr;
}

/* 200 characters with accents, two-byte sequences everywhere a fold could
 * fall. */
static const char *long_summary(void)
{
    const char *unit = "Été à l'hôpital : ça évolue déjà. ";
    const char *s = "";
    while (moi_utf8_chars(s) < 200) {
        s = apr_pstrcat(unit_pool, s, unit, NULL);
    }
    /* cut to exactly 200 characters */
    {
        const char *q = s;
        size_t n = 0;
        while (n < 200) {
            q++;
            while (((unsigned char)*q & 0xC0) == 0x80) {
                q++;
            }
            n++;
        }
        s = apr_pstrmemdup(unit_pool, s, q - s);
    }
    ck_assert_int_eq(moi_utf8_chars(s), 200);
    return s;
}

static moi_event *new_event(const char *id)
{
    moi_event *ev = apr_pcalloc(unit_pool, sizeof(*ev));
    ev->id = id;
    ev->edition = 2022;
    ev->organizer_id = "6360f0a1b2c3d4e5f6a7b800";
    ev->description = "";
    ev->audience = codes("agents", NULL);
    ev->accessibility = codes(NULL, NULL);
    ev->status = "published";
    ev->organizer_name = "Camille Martin";
    ev->organization = "DINUM";
    ev->created_at = apr_time_from_sec(1664582400); /* 2022-10-01T00:00:00Z */
    ev->updated_at = apr_time_from_sec(1665000000); /* 2022-10-05T20:00:00Z */
    ev->version = 1;
    return ev;
}

static moi_event *paris_event(void)
{
    moi_event *ev = new_event(ID_PARIS);
    ev->title = PARIS_TITLE;
    ev->summary = "Un atelier pour repenser l'accueil des usagers.";
    ev->description = "Première ligne\nseconde ligne; avec \\ et , virgule";
    ev->type = "atelier_participatif";
    ev->format = "presentiel";
    ev->audience = codes("agents", "elus");
    ev->accessibility = codes("moteur", "auditif");
    ev->starts_at = local("Europe/Paris", 2022, 11, 2, 9, 30);
    ev->ends_at = local("Europe/Paris", 2022, 11, 2, 12, 0);
    ev->timezone = "Europe/Paris";
    ev->region = "11";
    ev->department = "75";
    ev->city = "Paris";
    ev->venue = "Hôtel de ville";
    ev->address = "Place de l'Hôtel de Ville, 75004 Paris";
    ev->registration_url = "https://inscription.example.fr/atelier?a=1&b=2";
    ev->lab = 1;
    ev->organizer_name = "=cmd|' /C calc'!A0";
    ev->organization = "Ville de Paris, \"Lab\"";
    ev->updated_at = apr_time_from_sec(1665500000); /* 2022-10-11T14:53:20Z */
    ev->version = 2;
    return ev;
}

static moi_event *reunion_event(void)
{
    moi_event *ev = new_event(ID_REUNION);
    ev->title = "Table ronde à Saint-Denis";
    ev->summary = "Innovation publique dans l'océan Indien.";
    ev->type = "table_ronde";
    ev->format = "presentiel";
    ev->starts_at = local("Indian/Reunion", 2022, 11, 15, 14, 0);
    ev->ends_at = local("Indian/Reunion", 2022, 11, 15, 17, 0);
    ev->timezone = "Indian/Reunion";
    ev->region = "04";
    ev->department = "974";
    ev->city = "Saint-Denis";
    ev->venue = "Préfecture";
    ev->address = "Place du Barachois";
    ev->organization = "Préfecture de La Réunion";
    return ev;
}

static moi_event *online_event(void)
{
    moi_event *ev = new_event(ID_ONLINE);
    ev->title = ONLINE_TITLE;
    ev->summary = long_summary();
    ev->description = "Des symboles : € ✓ 😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀";
    ev->type = "webinaire";
    ev->format = "en_ligne";
    ev->audience = codes("grand_public", NULL);
    ev->starts_at = local("Europe/Paris", 2022, 11, 10, 10, 0);
    ev->ends_at = local("Europe/Paris", 2022, 11, 10, 11, 0);
    ev->timezone = "Europe/Paris";
    ev->online_url = "https://visio.example.fr/salle?id=1&x=2";
    ev->registration_url = "https://inscription.example.fr/webinaire";
    return ev;
}

static moi_event *cancelled_event(void)
{
    moi_event *ev = new_event(ID_CANCELLED);
    ev->title = "Visite du laboratoire";
    ev->summary = "Visite reportée.";
    ev->type = "visite";
    ev->format = "hybride";
    ev->status = "cancelled";
    ev->version = 3;
    ev->starts_at = local("Europe/Paris", 2022, 11, 20, 14, 0);
    ev->ends_at = local("Europe/Paris", 2022, 11, 21, 16, 30);
    ev->timezone = "Europe/Paris";
    ev->region = "32";
    ev->department = "59";
    ev->city = "Lille";
    ev->venue = "Lab";
    ev->address = "1 rue de la Paix";
    ev->online_url = "https://visio.example.fr/visite";
    ev->updated_at = apr_time_from_sec(1666000000); /* 2022-10-17T09:46:40Z */
    return ev;
}

static apr_array_header_t *sample(void)
{
    apr_array_header_t *a = apr_array_make(unit_pool, 4, sizeof(const moi_event *));
    APR_ARRAY_PUSH(a, const moi_event *) = paris_event();
    APR_ARRAY_PUSH(a, const moi_event *) = reunion_event();
    APR_ARRAY_PUSH(a, const moi_event *) = online_event();
    APR_ARRAY_PUSH(a, const moi_event *) = cancelled_event();
    return a;
}

static apr_array_header_t *one(moi_event *ev)
{
    apr_array_header_t *a = apr_array_make(unit_pool, 1, sizeof(const moi_event *));
    APR_ARRAY_PUSH(a, const moi_event *) = ev;
    return a;
}

static const char *ical_of(const apr_array_header_t *events)
{
    return moi_export_ical(unit_pool, events, lookup, apr_hash_make(unit_pool), BASE,
                           "Mois de l'innovation publique, 2022");
}

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (s = strstr(s, needle); s; s = strstr(s + 1, needle)) {
        n++;
    }
    return n;
}

/* ---- iCalendar -------------------------------------------------------------- */

/* CRLF everywhere, content lines of at most 75 octets that never split a
 * UTF-8 sequence; returns the number of continuation lines. */
static int check_lines(const char *s)
{
    int folded = 0;
    size_t n = strlen(s);
    ck_assert_msg(n >= 2 && !strcmp(s + n - 2, "\r\n"), "text does not end in CRLF");
    while (*s) {
        const char *e = strstr(s, "\r\n");
        size_t len;
        ck_assert_msg(e != NULL, "line without CRLF");
        len = e - s;
        ck_assert_msg(len <= 75, "line of %zu octets: %.*s", len, (int)len, s);
        ck_assert_msg(memchr(s, '\n', len) == NULL && memchr(s, '\r', len) == NULL,
                      "bare CR or LF in: %.*s", (int)len, s);
        ck_assert_msg(moi_utf8_valid(s, len), "UTF-8 split in line: %.*s", (int)len, s);
        ck_assert_msg(len > 0, "empty line");
        if (*s == ' ') {
            folded++;
        }
        s = e + 2;
    }
    return folded;
}

/* The text of the VTIMEZONE with that TZID. */
static const char *vtimezone(const char *ics, const char *tzid)
{
    const char *b = strstr(ics, apr_pstrcat(unit_pool, "BEGIN:VTIMEZONE\r\nTZID:", tzid,
                                            "\r\n", NULL)),
               *e;
    ck_assert_msg(b != NULL, "no VTIMEZONE for %s", tzid);
    e = strstr(b, "END:VTIMEZONE\r\n");
    ck_assert_ptr_nonnull(e);
    return apr_pstrmemdup(unit_pool, b, e - b + 15);
}

static icalcomponent *find_vevent(icalcomponent *cal, const char *uid)
{
    icalcomponent *c;
    for (c = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); c;
         c = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (!strcmp(icalcomponent_get_uid(c), uid)) {
            return c;
        }
    }
    ck_abort_msg("no VEVENT %s", uid);
    return NULL;
}

/* DTSTART or DTEND of a VEVENT: TZID, local fields, and the instant that
 * libical computes with the calendar's own VTIMEZONE. */
static void check_time(icalcomponent *ev, icalproperty_kind kind, const char *tzid, int y,
                       int mo, int d, int h, int mi, apr_time_t want)
{
    icalproperty *prop = icalcomponent_get_first_property(ev, kind);
    icalparameter *param;
    struct icaltimetype t;
    ck_assert_ptr_nonnull(prop);
    param = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    ck_assert_ptr_nonnull(param);
    ck_assert_str_eq(icalparameter_get_tzid(param), tzid);
    t = kind == ICAL_DTSTART_PROPERTY ? icalcomponent_get_dtstart(ev)
                                      : icalcomponent_get_dtend(ev);
    ck_assert_int_eq(t.year, y);
    ck_assert_int_eq(t.month, mo);
    ck_assert_int_eq(t.day, d);
    ck_assert_int_eq(t.hour, h);
    ck_assert_int_eq(t.minute, mi);
    ck_assert_int_eq(t.second, 0);
    ck_assert_ptr_nonnull(t.zone);
    ck_assert_str_eq(icaltimezone_get_tzid((icaltimezone *)t.zone), tzid);
    ck_assert_int_eq((long long)icaltime_as_timet_with_zone(t, t.zone),
                     (long long)apr_time_sec(want));
}

#define ICAL_HEAD                                                                        \
    "BEGIN:VCALENDAR\r\n"                                                                \
    "PRODID:-//mod_moisinno//Mois de l'innovation publique//FR\r\n"                      \
    "VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"                            \
    "X-WR-CALNAME:Mois de l'innovation publique\\, 2022\r\n"

START_TEST(ical_lines_and_header)
{
    const char *ics = ical_of(sample());
    ck_assert_msg(check_lines(ics) > 3, "the long texts were not folded");
    ck_assert_msg(!strncmp(ics, ICAL_HEAD, strlen(ICAL_HEAD)), "%s", ics);
    ck_assert_ptr_nonnull(strstr(ics, "\r\nMETHOD:PUBLISH\r\n"));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nCALSCALE:GREGORIAN\r\n"));
    ck_assert_ptr_nonnull(
        strstr(ics, "\r\nX-WR-CALNAME:Mois de l'innovation publique\\, 2022\r\n"));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nUID:" ID_PARIS "@" HOST "\r\n"));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nDTSTAMP:20221011T145320Z\r\n"));
    ck_assert_ptr_nonnull(
        strstr(ics, "\r\nDTSTART;TZID=Europe/Paris:20221102T093000\r\n"));
    ck_assert_ptr_nonnull(
        strstr(ics, "\r\nDTEND;TZID=Indian/Reunion:20221115T170000\r\n"));
    ck_assert_ptr_nonnull(
        strstr(ics, "\r\nSUMMARY:Réunion\\; test\\, \"quoted\"\\nnew line\r\n"));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nSTATUS:CANCELLED\r\n"));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nSEQUENCE:2\r\n"));
    ck_assert_int_eq(count(ics, "BEGIN:VEVENT\r\n"), 4);
    ck_assert_int_eq(count(ics, "BEGIN:VTIMEZONE\r\n"), 2);
    ck_assert_msg(!strcmp(ics + strlen(ics) - 15, "END:VCALENDAR\r\n"), "%s", ics);
}
END_TEST

START_TEST(ical_round_trip_with_libical)
{
    apr_array_header_t *events = sample();
    const char *ics = ical_of(events);
    icalcomponent *cal = icalparser_parse_string(ics), *ev;
    icalproperty *prop;
    const moi_event *online = APR_ARRAY_IDX(events, 2, const moi_event *);

    ck_assert_ptr_nonnull(cal);
    ck_assert_int_eq(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
    ck_assert_int_eq(icalcomponent_count_errors(cal), 0);
    ck_assert_int_eq(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 4);
    ck_assert_int_eq(icalcomponent_count_components(cal, ICAL_VTIMEZONE_COMPONENT), 2);

    ev = find_vevent(cal, ID_PARIS "@" HOST);
    ck_assert_str_eq(icalcomponent_get_summary(ev), PARIS_TITLE);
    ck_assert_int_eq(icalcomponent_get_status(ev), ICAL_STATUS_CONFIRMED);
    ck_assert_int_eq(icalcomponent_get_sequence(ev), 1);
    ck_assert_str_eq(icalcomponent_get_location(ev),
                     "Hôtel de ville, Place de l'Hôtel de Ville, 75004 Paris, Paris");
    ck_assert_ptr_nonnull(
        strstr(icalcomponent_get_description(ev),
               "Un atelier pour repenser l'accueil des usagers.\n\n"
               "Première ligne\nseconde ligne; avec \\ et , virgule\n\n"));
    ck_assert_ptr_nonnull(strstr(icalcomponent_get_description(ev),
                                 "Plus d'informations : " BASE "/evenements/" ID_PARIS));
    prop = icalcomponent_get_first_property(ev, ICAL_URL_PROPERTY);
    ck_assert_ptr_nonnull(prop);
    ck_assert_str_eq(icalproperty_get_url(prop), BASE "/evenements/" ID_PARIS);
    prop = icalcomponent_get_first_property(ev, ICAL_CATEGORIES_PROPERTY);
    ck_assert_ptr_nonnull(prop);
    ck_assert_str_eq(icalproperty_get_categories(prop), "Atelier participatif");
    check_time(ev, ICAL_DTSTART_PROPERTY, "Europe/Paris", 2022, 11, 2, 9, 30,
               local("Europe/Paris", 2022, 11, 2, 9, 30));
    check_time(ev, ICAL_DTEND_PROPERTY, "Europe/Paris", 2022, 11, 2, 12, 0,
               local("Europe/Paris", 2022, 11, 2, 12, 0));

    ev = find_vevent(cal, ID_REUNION "@" HOST);
    ck_assert_str_eq(icalcomponent_get_summary(ev), "Table ronde à Saint-Denis");
    check_time(ev, ICAL_DTSTART_PROPERTY, "Indian/Reunion", 2022, 11, 15, 14, 0,
               apr_time_from_sec(1668506400)); /* 2022-11-15T10:00:00Z */

    ev = find_vevent(cal, ID_ONLINE "@" HOST);
    ck_assert_str_eq(icalcomponent_get_summary(ev), ONLINE_TITLE);
    ck_assert_str_eq(icalcomponent_get_location(ev), "En ligne");
    ck_assert_msg(!strncmp(icalcomponent_get_description(ev), online->summary,
                           strlen(online->summary)),
                  "%s", icalcomponent_get_description(ev));
    ck_assert_ptr_nonnull(strstr(icalcomponent_get_description(ev), online->description));
    check_time(ev, ICAL_DTSTART_PROPERTY, "Europe/Paris", 2022, 11, 10, 10, 0,
               local("Europe/Paris", 2022, 11, 10, 10, 0));

    ev = find_vevent(cal, ID_CANCELLED "@" HOST);
    ck_assert_int_eq(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
    ck_assert_int_eq(icalcomponent_get_sequence(ev), 2);
    check_time(ev, ICAL_DTEND_PROPERTY, "Europe/Paris", 2022, 11, 21, 16, 30,
               local("Europe/Paris", 2022, 11, 21, 16, 30));
    icalcomponent_free(cal);
}
END_TEST

START_TEST(ical_vtimezones_from_the_zones)
{
    const char *ics = ical_of(sample());
    const char *paris = vtimezone(ics, "Europe/Paris");
    const char *reunion = vtimezone(ics, "Indian/Reunion");

    ck_assert_msg(strstr(paris, "BEGIN:DAYLIGHT\r\nDTSTART:20220327T020000\r\n"
                                "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
                                "TZNAME:CEST\r\nEND:DAYLIGHT\r\n") != NULL,
                  "%s", paris);
    ck_assert_msg(strstr(paris, "BEGIN:STANDARD\r\nDTSTART:20221030T030000\r\n"
                                "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
                                "TZNAME:CET\r\nEND:STANDARD\r\n") != NULL,
                  "%s", paris);
    /* the year before and the year after too */
    ck_assert_ptr_nonnull(strstr(paris, "DTSTART:20211031T030000\r\n"));
    ck_assert_ptr_nonnull(strstr(paris, "DTSTART:20230326T020000\r\n"));
    ck_assert_int_eq(count(paris, "BEGIN:DAYLIGHT"), 3);
    ck_assert_int_eq(count(paris, "BEGIN:STANDARD"), 3);

    ck_assert_int_eq(count(reunion, "BEGIN:STANDARD"), 1);
    ck_assert_int_eq(count(reunion, "BEGIN:DAYLIGHT"), 0);
    ck_assert_msg(strstr(reunion, "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
                                  "TZOFFSETFROM:+0400\r\nTZOFFSETTO:+0400\r\n"
                                  "TZNAME:+04\r\nEND:STANDARD\r\n") != NULL,
                  "%s", reunion);
}
END_TEST

START_TEST(ical_negative_offsets)
{
    moi_event *ev = reunion_event();
    const char *ics, *tz;
    ev->timezone = "America/Cayenne";
    ev->starts_at = local("America/Cayenne", 2022, 11, 15, 9, 0);
    ev->ends_at = local("America/Cayenne", 2022, 11, 15, 10, 0);
    ics = ical_of(one(ev));
    tz = vtimezone(ics, "America/Cayenne");
    ck_assert_ptr_nonnull(strstr(tz, "TZOFFSETFROM:-0300\r\nTZOFFSETTO:-0300\r\n"));
    ck_assert_ptr_nonnull(
        strstr(ics, "DTSTART;TZID=America/Cayenne:20221115T090000\r\n"));
}
END_TEST

START_TEST(ical_second_pass_of_fall_back_in_utc)
{
    moi_event *ev = paris_event();
    const char *ics;
    icalcomponent *cal;
    /* 2022-10-30 02:30 CET, the second 02:30 of the night: 01:30 UTC */
    ev->starts_at = apr_time_from_sec(1667093400);
    ev->ends_at = apr_time_from_sec(1667097000);
    ics = ical_of(one(ev));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nDTSTART:20221030T013000Z\r\n"));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nDTEND;TZID=Europe/Paris:20221030T033000\r\n"));
    cal = icalparser_parse_string(ics);
    ck_assert_ptr_nonnull(cal);
    ck_assert_int_eq(icalcomponent_count_errors(cal), 0);
    icalcomponent_free(cal);
}
END_TEST

START_TEST(ical_first_pass_of_fall_back_in_utc)
{
    moi_event *ev = paris_event();
    const char *ics;
    icalcomponent *cal, *vevent;
    struct icaltimetype it;
    /* 2022-10-30 02:15:04 CEST, the first 02:15:04 of the night: 00:15:04
     * UTC.  RFC 5545 reads a TZID time there as this one, libical as the
     * second: in UTC, both read the same instant. */
    ev->starts_at = apr_time_from_sec(1667080800);
    ev->ends_at = apr_time_from_sec(1667088904);
    ics = ical_of(one(ev));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nDTSTART;TZID=Europe/Paris:20221030T000000\r\n"));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nDTEND:20221030T001504Z\r\n"));
    cal = icalparser_parse_string(ics);
    ck_assert_ptr_nonnull(cal);
    ck_assert_int_eq(icalcomponent_count_errors(cal), 0);
    vevent = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
    it = icalcomponent_get_dtend(vevent);
    ck_assert_int_eq((long long)icaltime_as_timet_with_zone(it, it.zone), 1667088904LL);
    it = icalcomponent_get_dtstart(vevent);
    ck_assert_int_eq((long long)icaltime_as_timet_with_zone(it, it.zone), 1667080800LL);
    icalcomponent_free(cal);
}
END_TEST

START_TEST(ical_without_zone_in_utc)
{
    moi_event *ev = paris_event();
    const char *ics = moi_export_ical(unit_pool, one(ev), no_zone, NULL, BASE, NULL);
    ck_assert_ptr_nonnull(strstr(ics, "\r\nDTSTART:20221102T083000Z\r\n"));
    ck_assert_ptr_null(strstr(ics, "VTIMEZONE"));
    ck_assert_ptr_null(strstr(ics, "X-WR-CALNAME"));
    check_lines(ics);
}
END_TEST

START_TEST(ical_empty_calendar)
{
    apr_array_header_t *none = apr_array_make(unit_pool, 1, sizeof(const moi_event *));
    const char *ics = ical_of(none);
    icalcomponent *cal = icalparser_parse_string(ics);
    ck_assert_ptr_nonnull(cal);
    ck_assert_int_eq(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 0);
    icalcomponent_free(cal);
    check_lines(ics);
}
END_TEST

START_TEST(ical_folding_of_four_byte_sequences)
{
    const char *name = "";
    const char *ics;
    int i;
    for (i = 0; i < 60; i++) {
        name = apr_pstrcat(unit_pool, name, i % 3 ? "😀" : "é€", NULL);
    }
    ics = moi_export_ical(unit_pool, one(paris_event()), lookup, apr_hash_make(unit_pool),
                          BASE, name);
    ck_assert_int_ge(check_lines(ics), 4);
    {
        icalcomponent *cal = icalparser_parse_string(ics);
        icalproperty *prop;
        ck_assert_ptr_nonnull(cal);
        prop = icalcomponent_get_first_property(cal, ICAL_X_PROPERTY);
        ck_assert_ptr_nonnull(prop);
        ck_assert_str_eq(icalproperty_get_x_name(prop), "X-WR-CALNAME");
        ck_assert_str_eq(icalproperty_get_x(prop), name);
        icalcomponent_free(cal);
    }
}
END_TEST

START_TEST(ical_controls_and_bad_utf8_dropped)
{
    moi_event *ev = paris_event();
    const char *ics;
    ev->title = "a\x01"
                "b\x7f\xff\xc3(c\td\r\ne\rf";
    ics = ical_of(one(ev));
    ck_assert_ptr_nonnull(strstr(ics, "\r\nSUMMARY:ab(c\td\\ne\\nf\r\n"));
    check_lines(ics);
}
END_TEST

/* A URL with blanks in it (an id or a base that is not what the module
 * stores) gives no bare LF: found by tests/fuzz/fuzz_ical. */
START_TEST(ical_url_blanks_percent_encoded)
{
    moi_event *ev = paris_event();
    const char *ics;
    icalcomponent *cal;
    icalproperty *prop;
    ev->id = "a b\tc\nd\re";
    char *unfolded, *o;
    ics = ical_of(one(ev));
    check_lines(ics);
    unfolded = o = apr_pstrdup(unit_pool, ics);
    for (const char *q = ics; *q; q++) {
        if (!strncmp(q, "\r\n ", 3)) {
            q += 2;
            continue;
        }
        *o++ = *q;
    }
    *o = '\0';
    ck_assert_ptr_nonnull(
        strstr(unfolded, "\r\nURL:" BASE "/evenements/a%20b%09c%0Ad%0Ae\r\n"));
    ck_assert_ptr_nonnull(strstr(unfolded, "\r\nUID:a b\tc\\nd\\ne@" HOST "\r\n"));
    cal = icalparser_parse_string(ics);
    ck_assert_ptr_nonnull(cal);
    ck_assert_int_eq(icalcomponent_count_errors(cal), 0);
    prop = icalcomponent_get_first_property(
        icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT), ICAL_URL_PROPERTY);
    ck_assert_str_eq(icalproperty_get_url(prop), BASE "/evenements/a%20b%09c%0Ad%0Ae");
    icalcomponent_free(cal);
}
END_TEST

/* ---- CSV -------------------------------------------------------------------- */

/* The records of an RFC 4180 text with CRLF line ends, each an array of
 * strings; fails the test when it is malformed. */
static apr_array_header_t *csv_parse(const char *s)
{
    apr_array_header_t *rows = apr_array_make(unit_pool, 8, sizeof(apr_array_header_t *));
    while (*s) {
        apr_array_header_t *row = apr_array_make(unit_pool, 22, sizeof(const char *));
        for (;;) {
            char *cell = apr_palloc(unit_pool, strlen(s) + 1), *o = cell;
            if (*s == '"') {
                for (s++;; s++) {
                    ck_assert_msg(*s, "unterminated quoted cell");
                    if (*s == '"') {
                        if (s[1] != '"') {
                            s++;
                            break;
                        }
                        s++;
                    }
                    *o++ = *s;
                }
            } else {
                for (; *s && *s != ',' && *s != '\r'; s++) {
                    ck_assert_msg(*s != '"' && *s != '\n', "bad unquoted cell");
                    *o++ = *s;
                }
            }
            *o = '\0';
            APR_ARRAY_PUSH(row, const char *) = cell;
            if (*s == ',') {
                s++;
                continue;
            }
            ck_assert_msg(s[0] == '\r' && s[1] == '\n', "record not ended by CRLF");
            s += 2;
            break;
        }
        APR_ARRAY_PUSH(rows, apr_array_header_t *) = row;
    }
    return rows;
}

static const char *cell(const apr_array_header_t *rows, int r, int c)
{
    const apr_array_header_t *row = APR_ARRAY_IDX(rows, r, apr_array_header_t *);
    ck_assert_int_lt(c, row->nelts);
    return APR_ARRAY_IDX(row, c, const char *);
}

#define CSV_HEAD                                                                         \
    "id,titre,resume,type,format,statut,debut,fin,fuseau,region,departement,ville,lieu," \
    "adresse,lien_connexion,lien_inscription,public,accessibilite,laboratoire,"          \
    "organisateur,organisation,url\r\n"

/* The parts, put together in any split, are the one-shot documents. */
START_TEST(parts_are_the_whole)
{
    apr_array_header_t *ev = sample();
    apr_hash_t *zones = apr_hash_make(unit_pool);
    const char *ics = moi_export_ical(unit_pool, ev, lookup, zones, BASE, "Programme");
    const char *csv = moi_export_csv(unit_pool, ev, lookup, zones, BASE);
    int split;
    for (split = 0; split <= ev->nelts; split++) {
        const char *ics_parts = apr_pstrcat(
            unit_pool, moi_export_ical_head(unit_pool, ev, lookup, zones, "Programme"),
            moi_export_ical_events(unit_pool, ev, 0, split, lookup, zones, BASE),
            moi_export_ical_events(unit_pool, ev, split, ev->nelts + 3, lookup, zones, BASE),
            moi_export_ical_tail(), NULL);
        const char *csv_parts = apr_pstrcat(
            unit_pool, moi_export_csv_head(),
            moi_export_csv_rows(unit_pool, ev, 0, split, lookup, zones, BASE),
            moi_export_csv_rows(unit_pool, ev, split, ev->nelts, lookup, zones, BASE), NULL);
        ck_assert_str_eq(ics_parts, ics);
        ck_assert_str_eq(csv_parts, csv);
    }
    ck_assert_str_eq(moi_export_csv_rows(unit_pool, ev, 2, 1, lookup, zones, BASE), "");
}
END_TEST

START_TEST(csv_header_and_rows)
{
    const char *csv =
        moi_export_csv(unit_pool, sample(), lookup, apr_hash_make(unit_pool), BASE);
    apr_array_header_t *rows = csv_parse(csv);
    int r;

    ck_assert(moi_utf8_valid(csv, strlen(csv)));
    ck_assert_msg(!strncmp(csv, CSV_HEAD, strlen(CSV_HEAD)), "%s", csv);
    ck_assert_int_eq(rows->nelts, 5);
    for (r = 0; r < rows->nelts; r++) {
        ck_assert_int_eq(APR_ARRAY_IDX(rows, r, apr_array_header_t *)->nelts, 22);
    }
    ck_assert_str_eq(cell(rows, 1, 0), ID_PARIS);
    ck_assert_str_eq(cell(rows, 1, 1), PARIS_TITLE);
    ck_assert_str_eq(cell(rows, 1, 3), "atelier_participatif");
    ck_assert_str_eq(cell(rows, 1, 4), "presentiel");
    ck_assert_str_eq(cell(rows, 1, 5), "published");
    ck_assert_str_eq(cell(rows, 1, 6), "2022-11-02T09:30:00+01:00");
    ck_assert_str_eq(cell(rows, 1, 7), "2022-11-02T12:00:00+01:00");
    ck_assert_str_eq(cell(rows, 1, 8), "Europe/Paris");
    ck_assert_str_eq(cell(rows, 1, 9), "11");
    ck_assert_str_eq(cell(rows, 1, 10), "75");
    ck_assert_str_eq(cell(rows, 1, 13), "Place de l'Hôtel de Ville, 75004 Paris");
    ck_assert_str_eq(cell(rows, 1, 14), "");
    ck_assert_str_eq(cell(rows, 1, 15), "https://inscription.example.fr/atelier?a=1&b=2");
    ck_assert_str_eq(cell(rows, 1, 16), "agents;elus");
    ck_assert_str_eq(cell(rows, 1, 17), "moteur;auditif");
    ck_assert_str_eq(cell(rows, 1, 18), "oui");
    ck_assert_str_eq(cell(rows, 1, 19), "'=cmd|' /C calc'!A0"); /* neutralised */
    ck_assert_str_eq(cell(rows, 1, 20), "Ville de Paris, \"Lab\"");
    ck_assert_str_eq(cell(rows, 1, 21), BASE "/evenements/" ID_PARIS);
    ck_assert_ptr_nonnull(strstr(csv, ",\"'=cmd|' /C calc'!A0\","));
    ck_assert_ptr_nonnull(strstr(csv, ",\"Ville de Paris, \"\"Lab\"\"\","));

    ck_assert_str_eq(cell(rows, 2, 6), "2022-11-15T14:00:00+04:00");
    ck_assert_str_eq(cell(rows, 2, 8), "Indian/Reunion");
    ck_assert_str_eq(cell(rows, 2, 18), "non");
    ck_assert_str_eq(cell(rows, 2, 17), "");

    ck_assert_str_eq(cell(rows, 3, 1), ONLINE_TITLE);
    ck_assert_str_eq(cell(rows, 3, 9), "");
    ck_assert_str_eq(cell(rows, 3, 14), "https://visio.example.fr/salle?id=1&x=2");
    ck_assert_ptr_nonnull(strstr(csv, ",\"Réunion; test, \"\"quoted\"\"\nnew line\","));

    ck_assert_str_eq(cell(rows, 4, 5), "cancelled");
    ck_assert_str_eq(cell(rows, 4, 7), "2022-11-21T16:30:00+01:00");
}
END_TEST

START_TEST(csv_header_only)
{
    apr_array_header_t *none = apr_array_make(unit_pool, 1, sizeof(const moi_event *));
    const char *csv =
        moi_export_csv(unit_pool, none, lookup, apr_hash_make(unit_pool), BASE);
    ck_assert_int_eq(csv_parse(csv)->nelts, 1);
    ck_assert_int_eq(count(csv, "\r\n"), 1);
}
END_TEST

/* ---- Atom ------------------------------------------------------------------- */

static int name_len(const char *s)
{
    int n = 0;
    while (s[n] && (strchr("_:.-", s[n]) || (s[n] >= 'a' && s[n] <= 'z') ||
                    (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9'))) {
        n++;
    }
    return n;
}

/* After a well-formed reference at s ('&'), or NULL. */
static const char *xml_ref(const char *s)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    size_t i;
    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (!strncmp(s, named[i], strlen(named[i]))) {
            return s + strlen(named[i]);
        }
    }
    if (s[1] == '#') {
        const char *d = s + 2;
        int hex = *d == 'x';
        d += hex;
        if (!*d || !strchr(hex ? "0123456789abcdefABCDEF" : "0123456789", *d)) {
            return NULL;
        }
        while (*d && strchr(hex ? "0123456789abcdefABCDEF" : "0123456789", *d)) {
            d++;
        }
        return *d == ';' ? d + 1 : NULL;
    }
    return NULL;
}

/* NULL when s is a well-formed XML document of the kind the feed is (an
 * XML declaration, then elements, attributes, text and references), else
 * what is wrong.  *root: the name of the root element. */
static const char *xml_check(const char *s, const char **root)
{
    const char *stack[32];
    int lens[32], depth = 0, roots = 0;
    if (!moi_utf8_valid(s, strlen(s))) {
        return "not UTF-8";
    }
    if (strncmp(s, "<?xml ", 6) || !(s = strstr(s, "?>"))) {
        return "no XML declaration";
    }
    for (s += 2; *s;) {
        if (s[0] == '<' && s[1] == '/') {
            int len = name_len(s + 2);
            if (!depth) {
                return "end tag without start tag";
            }
            depth--;
            if (len != lens[depth] || strncmp(s + 2, stack[depth], len)) {
                return "mismatched end tag";
            }
            s += 2 + len;
            s += strspn(s, " \t\r\n");
            if (*s++ != '>') {
                return "bad end tag";
            }
        } else if (*s == '<') {
            const char *name = s + 1;
            int len = name_len(name);
            if (!len) {
                return "bad tag name";
            }
            if (!depth) {
                if (roots++) {
                    return "two root elements";
                }
                *root = apr_pstrmemdup(unit_pool, name, len);
            }
            for (s = name + len;;) {
                size_t ws = strspn(s, " \t\r\n");
                char q;
                s += ws;
                if (*s == '>') {
                    if (depth == 32) {
                        return "too deep";
                    }
                    stack[depth] = name;
                    lens[depth++] = len;
                    s++;
                    break;
                }
                if (s[0] == '/' && s[1] == '>') {
                    s += 2;
                    break;
                }
                if (!ws || !name_len(s)) {
                    return "bad attribute";
                }
                s += name_len(s);
                if (*s++ != '=') {
                    return "attribute without value";
                }
                q = *s++;
                if (q != '"' && q != '\'') {
                    return "unquoted attribute";
                }
                while (*s && *s != q) {
                    if (*s == '<') {
                        return "< in an attribute";
                    }
                    if (*s == '&') {
                        if (!(s = xml_ref(s))) {
                            return "bad reference in an attribute";
                        }
                    } else {
                        s++;
                    }
                }
                if (!*s++) {
                    return "unterminated attribute";
                }
            }
        } else if (*s == '&') {
            if (!(s = xml_ref(s))) {
                return "bad reference";
            }
        } else {
            if (!depth && !strchr(" \t\r\n", *s)) {
                return "text outside the root element";
            }
            s++;
        }
    }
    if (depth) {
        return "unclosed element";
    }
    return roots ? NULL : "no root element";
}

START_TEST(xml_checker_itself)
{
    const char *root = NULL;
    ck_assert_ptr_null(
        xml_check("<?xml version=\"1.0\"?>\n<a x='1'><b/>t &amp; &#233;</a>\n", &root));
    ck_assert_str_eq(root, "a");
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\"?><a><b></a></b>", &root));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\"?><a>&</a>", &root));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\"?><a x=\"<\"/>", &root));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\"?><a></a><b/>", &root));
    ck_assert_ptr_nonnull(xml_check("<?xml version=\"1.0\"?><a>", &root));
    ck_assert_ptr_nonnull(xml_check("<a/>", &root));
}
END_TEST

START_TEST(atom_feed)
{
    const char *xml =
        moi_export_atom(unit_pool, sample(), lookup, apr_hash_make(unit_pool), BASE, FEED,
                        "Programme & <nouveautés>");
    const char *root = NULL, *why = xml_check(xml, &root);

    ck_assert_msg(why == NULL, "%s:\n%s", why, xml);
    ck_assert_str_eq(root, "feed");
    ck_assert(!strncmp(xml, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", 39));
    ck_assert_ptr_nonnull(strstr(xml, "<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    ck_assert_ptr_nonnull(strstr(xml, "<id>" FEED "</id>"));
    ck_assert_ptr_nonnull(
        strstr(xml, "<title>Programme &amp; &lt;nouveautés&gt;</title>"));
    ck_assert_ptr_nonnull(strstr(xml, "<updated>2022-10-17T09:46:40Z</updated>"));
    ck_assert_ptr_nonnull(
        strstr(xml, "rel=\"self\" type=\"application/atom+xml\" href=\"" FEED "\""));
    ck_assert_ptr_nonnull(
        strstr(xml, "rel=\"alternate\" type=\"text/html\" href=\"" BASE "/\""));
    ck_assert_int_eq(count(xml, "<entry>"), 4);
    ck_assert_int_eq(count(xml, "</entry>"), 4);

    /* the Paris entry */
    ck_assert_ptr_nonnull(strstr(xml, "<id>" BASE "/evenements/" ID_PARIS "</id>"));
    ck_assert_ptr_nonnull(strstr(
        xml, "<title>Atelier &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>"));
    ck_assert_ptr_null(strstr(xml, "<script"));
    ck_assert_ptr_nonnull(strstr(xml, "<updated>2022-10-11T14:53:20Z</updated>"));
    ck_assert_ptr_nonnull(strstr(xml, "href=\"" BASE "/evenements/" ID_PARIS "\""));
    ck_assert_ptr_nonnull(strstr(xml,
                                 "<summary type=\"text\">mercredi 2 novembre 2022, de "
                                 "09:30 à 12:00 (heure de Paris) — Paris\nUn atelier "
                                 "pour repenser l&apos;accueil des usagers.</summary>"));
    ck_assert_ptr_nonnull(
        strstr(xml, "<author><name>Ville de Paris, &quot;Lab&quot;</name></author>"));

    /* Réunion, online, cancelled */
    ck_assert_ptr_nonnull(strstr(xml, "mardi 15 novembre 2022, de 14:00 à 17:00 (heure "
                                      "locale, UTC+4) — Saint-Denis\n"));
    ck_assert_ptr_nonnull(
        strstr(xml, "<title>Réunion; test, &quot;quoted&quot;\nnew line</title>"));
    ck_assert_ptr_nonnull(
        strstr(xml, "(heure de Paris) — En ligne\nÉté à l&apos;hôpital"));
    ck_assert_ptr_nonnull(strstr(xml, "<title>Annulé : Visite du laboratoire</title>"));
    ck_assert_ptr_nonnull(strstr(xml,
                                 "du dimanche 20 novembre 2022 à 14:00 au lundi 21 "
                                 "novembre 2022 à 16:30 (heure de Paris) — Lille et en "
                                 "ligne\n"));
}
END_TEST

/* An XML parser reads tab and LF in an attribute as spaces: a feed URL
 * (from the request) or an event URL with blanks has them percent-encoded,
 * in the hrefs and the ids alike.  Found by tests/fuzz/fuzz_atom. */
START_TEST(atom_url_blanks_percent_encoded)
{
    moi_event *ev = paris_event();
    const char *xml, *root = NULL, *why;
    ev->id = "a b\tc";
    xml = moi_export_atom(unit_pool, one(ev), lookup, apr_hash_make(unit_pool), BASE,
                          FEED "?q=x\ry", NULL);
    why = xml_check(xml, &root);
    ck_assert_msg(why == NULL, "%s:\n%s", why, xml);
    ck_assert_ptr_nonnull(strstr(xml, "<id>" FEED "?q=x%0Ay</id>"));
    ck_assert_ptr_nonnull(strstr(xml, "href=\"" FEED "?q=x%0Ay\""));
    ck_assert_ptr_nonnull(strstr(xml, "<id>" BASE "/evenements/a%20b%09c</id>"));
    ck_assert_ptr_nonnull(strstr(xml, "href=\"" BASE "/evenements/a%20b%09c\""));
    ck_assert_ptr_null(strstr(xml, "\t"));
}
END_TEST

START_TEST(atom_empty_feed)
{
    apr_array_header_t *none = apr_array_make(unit_pool, 1, sizeof(const moi_event *));
    const char *xml = moi_export_atom(unit_pool, none, lookup, apr_hash_make(unit_pool),
                                      BASE, FEED, NULL);
    const char *root = NULL, *why = xml_check(xml, &root);
    ck_assert_msg(why == NULL, "%s:\n%s", why, xml);
    ck_assert_int_eq(count(xml, "<entry>"), 0);
    ck_assert_ptr_nonnull(strstr(xml, "<updated>"));
}
END_TEST

/* ---- JSON-LD ---------------------------------------------------------------- */

static json_t *jsonld(const moi_event *ev, const char **text)
{
    json_error_t err;
    const char *s =
        moi_export_jsonld(unit_pool, ev, zone(ev->timezone),
                          apr_pstrcat(unit_pool, BASE, "/evenements/", ev->id, NULL));
    json_t *o = json_loads(s, 0, &err);
    ck_assert_msg(o != NULL, "%s: %s", err.text, s);
    ck_assert_msg(strchr(s, '<') == NULL, "raw < in %s", s);
    if (text) {
        *text = s;
    }
    return o;
}

static const char *str_at(json_t *o, const char *path)
{
    char *copy = apr_pstrdup(unit_pool, path), *last, *key;
    json_t *v = o;
    for (key = apr_strtok(copy, ".", &last); key; key = apr_strtok(NULL, ".", &last)) {
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key))
                             : json_object_get(v, key);
        ck_assert_msg(v != NULL, "no %s", path);
    }
    ck_assert_msg(json_is_string(v), "%s is not a string", path);
    return json_string_value(v);
}

START_TEST(jsonld_in_person)
{
    json_t *o = jsonld(paris_event(), NULL);
    ck_assert_str_eq(str_at(o, "@context"), "https://schema.org");
    ck_assert_str_eq(str_at(o, "@type"), "Event");
    ck_assert_str_eq(str_at(o, "name"), PARIS_TITLE);
    ck_assert_str_eq(str_at(o, "description"),
                     "Un atelier pour repenser l'accueil des usagers.");
    ck_assert_str_eq(str_at(o, "startDate"), "2022-11-02T09:30:00+01:00");
    ck_assert_str_eq(str_at(o, "endDate"), "2022-11-02T12:00:00+01:00");
    ck_assert_str_eq(str_at(o, "eventStatus"), "https://schema.org/EventScheduled");
    ck_assert_str_eq(str_at(o, "eventAttendanceMode"),
                     "https://schema.org/OfflineEventAttendanceMode");
    ck_assert_str_eq(str_at(o, "location.@type"), "Place");
    ck_assert_str_eq(str_at(o, "location.name"), "Hôtel de ville");
    ck_assert_str_eq(str_at(o, "location.address.@type"), "PostalAddress");
    ck_assert_str_eq(str_at(o, "location.address.streetAddress"),
                     "Place de l'Hôtel de Ville, 75004 Paris");
    ck_assert_str_eq(str_at(o, "location.address.addressLocality"), "Paris");
    ck_assert_str_eq(str_at(o, "location.address.addressRegion"), "Île-de-France");
    ck_assert_str_eq(str_at(o, "location.address.addressCountry"), "FR");
    ck_assert_str_eq(str_at(o, "organizer.@type"), "Organization");
    ck_assert_str_eq(str_at(o, "organizer.name"), "Ville de Paris, \"Lab\"");
    ck_assert_str_eq(str_at(o, "url"), BASE "/evenements/" ID_PARIS);
    ck_assert_str_eq(str_at(o, "inLanguage"), "fr");
    json_decref(o);
}
END_TEST

START_TEST(jsonld_online_and_reunion)
{
    json_t *o = jsonld(online_event(), NULL);
    ck_assert_str_eq(str_at(o, "name"), ONLINE_TITLE);
    ck_assert_str_eq(str_at(o, "eventAttendanceMode"),
                     "https://schema.org/OnlineEventAttendanceMode");
    ck_assert_str_eq(str_at(o, "location.@type"), "VirtualLocation");
    ck_assert_str_eq(str_at(o, "location.url"),
                     "https://visio.example.fr/salle?id=1&x=2");
    json_decref(o);

    o = jsonld(reunion_event(), NULL);
    ck_assert_str_eq(str_at(o, "startDate"), "2022-11-15T14:00:00+04:00");
    ck_assert_str_eq(str_at(o, "location.address.addressRegion"), "La Réunion");
    json_decref(o);
}
END_TEST

START_TEST(jsonld_cancelled_hybrid)
{
    moi_event *ev = cancelled_event();
    json_t *o;
    ev->online_url = NULL;
    ev->registration_url = "https://inscription.example.fr/visite";
    o = jsonld(ev, NULL);
    ck_assert_str_eq(str_at(o, "eventStatus"), "https://schema.org/EventCancelled");
    ck_assert_str_eq(str_at(o, "eventAttendanceMode"),
                     "https://schema.org/MixedEventAttendanceMode");
    ck_assert(json_is_array(json_object_get(o, "location")));
    ck_assert_int_eq(json_array_size(json_object_get(o, "location")), 2);
    ck_assert_str_eq(str_at(o, "location.0.@type"), "Place");
    ck_assert_str_eq(str_at(o, "location.0.address.addressRegion"), "Hauts-de-France");
    ck_assert_str_eq(str_at(o, "location.1.@type"), "VirtualLocation");
    ck_assert_str_eq(str_at(o, "location.1.url"),
                     "https://inscription.example.fr/visite");
    json_decref(o);
}
END_TEST

START_TEST(jsonld_script_safe)
{
    moi_event *ev = paris_event();
    const char *text;
    json_t *o;
    ev->title = "Fin </script><script>alert(1)</script> <!-- x -->";
    ev->summary = "a < b";
    o = jsonld(ev, &text);
    ck_assert_ptr_nonnull(strstr(text, "\\u003c/script>"));
    ck_assert_ptr_null(strstr(text, "</script"));
    ck_assert_ptr_null(strstr(text, "<!--"));
    ck_assert_str_eq(str_at(o, "name"), ev->title);
    ck_assert_str_eq(str_at(o, "description"), "a < b");
    json_decref(o);
}
END_TEST

Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = unit_tcase("ical");
    tcase_add_test(tc, ical_lines_and_header);
    tcase_add_test(tc, ical_round_trip_with_libical);
    tcase_add_test(tc, ical_vtimezones_from_the_zones);
    tcase_add_test(tc, ical_negative_offsets);
    tcase_add_test(tc, ical_second_pass_of_fall_back_in_utc);
    tcase_add_test(tc, ical_first_pass_of_fall_back_in_utc);
    tcase_add_test(tc, ical_without_zone_in_utc);
    tcase_add_test(tc, ical_empty_calendar);
    tcase_add_test(tc, ical_folding_of_four_byte_sequences);
    tcase_add_test(tc, ical_controls_and_bad_utf8_dropped);
    tcase_add_test(tc, ical_url_blanks_percent_encoded);
    suite_add_tcase(s, tc);

    tc = unit_tcase("csv");
    tcase_add_test(tc, csv_header_and_rows);
    tcase_add_test(tc, csv_header_only);
    tcase_add_test(tc, parts_are_the_whole);
    suite_add_tcase(s, tc);

    tc = unit_tcase("atom");
    tcase_add_test(tc, xml_checker_itself);
    tcase_add_test(tc, atom_feed);
    tcase_add_test(tc, atom_empty_feed);
    tcase_add_test(tc, atom_url_blanks_percent_encoded);
    suite_add_tcase(s, tc);

    tc = unit_tcase("jsonld");
    tcase_add_test(tc, jsonld_in_person);
    tcase_add_test(tc, jsonld_online_and_reunion);
    tcase_add_test(tc, jsonld_cancelled_hybrid);
    tcase_add_test(tc, jsonld_script_safe);
    suite_add_tcase(s, tc);
    return s;
}
