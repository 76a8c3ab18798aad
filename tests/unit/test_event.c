/* moi_event: the rules of an event (DESIGN §7), its JSON input and output,
 * and the input that reproduces a stored event (forms and PATCH).
 *
 * Edition 2022: 2022-11-02 .. 2022-11-30.  In November 2022 Europe/Paris is
 * at +01:00, Indian/Reunion at +04:00 and America/Guadeloupe at -04:00.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "moi_event.h"
#include "moi_geo.h"
#include "moi_html.h"
#include "unit.h"

/* ---- zones, rules, inputs ----------------------------------------------- */

/* Zones from the system database, loaded once into a pool that lives as long
 * as the process (apr_terminate() frees it). */
static const moi_tz *tz_lookup(void *baton, const char *name)
{
    static apr_pool_t *pool;
    static struct {
        const char *name;
        const moi_tz *tz;
    } cache[16];
    static int n;
    const char *err = NULL;
    moi_tz *tz;
    int i;

    for (i = 0; i < n; i++) {
        if (!strcmp(cache[i].name, name)) {
            return cache[i].tz;
        }
    }
    if (!pool) {
        ck_assert_int_eq(apr_pool_create(&pool, NULL), APR_SUCCESS);
    }
    tz = moi_tz_load(pool, NULL, name, &err);
    if (tz && n < (int)(sizeof(cache) / sizeof(cache[0]))) {
        cache[n].name = apr_pstrdup(pool, name);
        cache[n].tz = tz;
        n++;
    }
    return tz;
}

static const moi_tz *no_zone(void *baton, const char *name)
{
    return NULL;
}

static const moi_tz *zone(const char *name)
{
    const moi_tz *tz = tz_lookup(NULL, name);
    ck_assert_msg(tz != NULL, "zone %s not loaded", name);
    return tz;
}

static moi_event_rules rules_2022(void)
{
    moi_event_rules r;
    memset(&r, 0, sizeof(r));
    r.edition_year = 2022;
    r.first_day.year = 2022;
    r.first_day.month = 11;
    r.first_day.day = 2;
    r.last_day.year = 2022;
    r.last_day.month = 11;
    r.last_day.day = 30;
    r.tz_lookup = tz_lookup;
    return r;
}

/* An array of the codes given, up to a NULL. */
static apr_array_header_t *codes(const char *first, ...)
{
    apr_array_header_t *a = apr_array_make(unit_pool, 4, sizeof(const char *));
    const char *c;
    va_list ap;
    va_start(ap, first);
    for (c = first; c; c = va_arg(ap, const char *)) {
        APR_ARRAY_PUSH(a, const char *) = c;
    }
    va_end(ap);
    return a;
}

/* A valid in-person event in Paris. */
static moi_event_input base_input(void)
{
    moi_event_input in;
    memset(&in, 0, sizeof(in));
    in.title = "Atelier de design des politiques publiques";
    in.summary = "Un atelier pour concevoir ensemble de meilleurs services.";
    in.description = "";
    in.type = "atelier_participatif";
    in.format = "presentiel";
    in.audience = codes("agents", "elus", NULL);
    in.accessibility = codes(NULL);
    in.starts_at = "2022-11-02T09:30";
    in.ends_at = "2022-11-02T12:00";
    in.region = "11";
    in.department = "75";
    in.city = "Paris";
    in.venue = "Salle Marianne";
    in.address = "20 avenue de S\xC3\xA9gur";
    in.online_url = "";
    in.registration_url = "";
    in.lab = "";
    in.organizer_name = "Jeanne Martin";
    in.organization = "Direction interminist\xC3\xA9rielle";
    return in;
}

/* A valid online event with no place. */
static moi_event_input online_input(void)
{
    moi_event_input in = base_input();
    in.format = "en_ligne";
    in.type = "webinaire";
    in.region = "";
    in.department = "";
    in.city = "";
    in.venue = "";
    in.address = "";
    in.online_url = "https://webinaire.example.fr/salle/42";
    return in;
}

static apr_array_header_t *new_errors(void)
{
    return apr_array_make(unit_pool, 4, sizeof(moi_field_error));
}

static const char *errors_text(const apr_array_header_t *errors)
{
    const char *s = "";
    int i;
    for (i = 0; i < errors->nelts; i++) {
        const moi_field_error *e = &APR_ARRAY_IDX(errors, i, moi_field_error);
        s = apr_pstrcat(unit_pool, s, "[", e->field, "] ", e->message, " ", NULL);
    }
    return s;
}

/* The errors of validating in (out, when not NULL, receives the event). */
static apr_array_header_t *validate_with(const moi_event_input *in,
                                         const moi_event_rules *rules, moi_event *out)
{
    apr_array_header_t *errors = new_errors();
    moi_event ev;
    int n;
    memset(&ev, 0, sizeof(ev));
    n = moi_event_validate(unit_pool, in, rules, &ev, errors);
    ck_assert_int_eq(n, errors->nelts);
    if (out) {
        *out = ev;
    }
    return errors;
}

static apr_array_header_t *validate(const moi_event_input *in, moi_event *out)
{
    moi_event_rules r = rules_2022();
    return validate_with(in, &r, out);
}

/* Validates in, which must pass. */
static moi_event valid(const moi_event_input *in)
{
    moi_event ev;
    apr_array_header_t *errors = validate(in, &ev);
    ck_assert_msg(errors->nelts == 0, "refused: %s", errors_text(errors));
    return ev;
}

/* True when errors has one on field whose message contains part. */
static int has_error(const apr_array_header_t *errors, const char *field,
                     const char *part)
{
    int i;
    for (i = 0; i < errors->nelts; i++) {
        const moi_field_error *e = &APR_ARRAY_IDX(errors, i, moi_field_error);
        if (!strcmp(e->field, field) && strstr(e->message, part)) {
            return 1;
        }
    }
    return 0;
}

/* Validating in must fail on field alone, with a message containing part. */
static void refused_on(const moi_event_input *in, const char *field, const char *part)
{
    apr_array_header_t *errors = validate(in, NULL);
    int i;
    ck_assert_msg(has_error(errors, field, part), "no error '%s' on %s; got: %s", part,
                  field, errors_text(errors));
    for (i = 0; i < errors->nelts; i++) {
        const moi_field_error *e = &APR_ARRAY_IDX(errors, i, moi_field_error);
        ck_assert_msg(!strcmp(e->field, field), "unexpected error: %s",
                      errors_text(errors));
    }
}

/* s repeated n times. */
static const char *repeat(const char *s, int n)
{
    size_t len = strlen(s);
    char *out = apr_palloc(unit_pool, len * (size_t)n + 1);
    int i;
    for (i = 0; i < n; i++) {
        memcpy(out + len * (size_t)i, s, len);
    }
    out[len * (size_t)n] = '\0';
    return out;
}

/* The instant of a UTC wall-clock time. */
static apr_time_t utc(int y, int mo, int d, int h, int mi, int s)
{
    return apr_time_from_sec((apr_int64_t)moi_days_from_civil(y, mo, d) * 86400 +
                             h * 3600 + mi * 60 + s);
}

#define E_ACCENT "\xC3\xA9" /* é */

/* ---- texts -------------------------------------------------------------- */

START_TEST(base_inputs_are_valid)
{
    moi_event_input in = base_input();
    moi_event ev = valid(&in);
    ck_assert_int_eq(ev.edition, 2022);
    ck_assert_str_eq(ev.title, in.title);
    ck_assert_str_eq(ev.summary, in.summary);
    ck_assert_str_eq(ev.description, "");
    ck_assert_str_eq(ev.type, "atelier_participatif");
    ck_assert_str_eq(ev.format, "presentiel");
    ck_assert_int_eq(ev.audience->nelts, 2);
    ck_assert_int_eq(ev.accessibility->nelts, 0);
    ck_assert_str_eq(ev.region, "11");
    ck_assert_str_eq(ev.department, "75");
    ck_assert_str_eq(ev.city, "Paris");
    ck_assert_str_eq(ev.venue, "Salle Marianne");
    ck_assert_str_eq(ev.address, in.address);
    ck_assert_ptr_null(ev.online_url);
    ck_assert_ptr_null(ev.registration_url);
    ck_assert_int_eq(ev.lab, 0);
    ck_assert_str_eq(ev.timezone, "Europe/Paris");
    ck_assert_str_eq(ev.organizer_name, "Jeanne Martin");
    ck_assert_str_eq(ev.organization, in.organization);

    in = online_input();
    ev = valid(&in);
    ck_assert_str_eq(ev.format, "en_ligne");
    ck_assert_ptr_null(ev.region);
    ck_assert_ptr_null(ev.department);
    ck_assert_ptr_null(ev.city);
    ck_assert_ptr_null(ev.address);
    ck_assert_str_eq(ev.online_url, "https://webinaire.example.fr/salle/42");
    ck_assert_str_eq(ev.timezone, "Europe/Paris");
}
END_TEST

START_TEST(title_length_in_characters)
{
    moi_event_input in = base_input();

    in.title = "Forum";
    valid(&in);
    in.title = "Four";
    refused_on(&in, "title", "de 5 \xC3\xA0 150 caract");
    refused_on(&in, "title", "(actuellement 4)");

    /* Five characters of two bytes each: five, not ten. */
    in.title = repeat(E_ACCENT, 5);
    ck_assert_str_eq(valid(&in).title, in.title);
    in.title = repeat(E_ACCENT, 4);
    refused_on(&in, "title", "(actuellement 4)");
    in.title = repeat("\xF0\x9F\x92\xA1", 5); /* five four-byte emoji */
    valid(&in);

    in.title = repeat("x", 150);
    valid(&in);
    in.title = repeat(E_ACCENT, 150);
    valid(&in);
    in.title = repeat("x", 151);
    refused_on(&in, "title", "(actuellement 151)");
    in.title = repeat(E_ACCENT, 151);
    refused_on(&in, "title", "(actuellement 151)");
}
END_TEST

START_TEST(title_required_and_one_line)
{
    moi_event_input in = base_input();

    in.title = "";
    refused_on(&in, "title", "Indiquez le titre.");
    in.title = NULL;
    refused_on(&in, "title", "Indiquez le titre.");
    in.title = "Deux\nlignes";
    refused_on(&in, "title", "caract\xC3\xA8res non permis");
    in.title = "Une\ttabulation";
    refused_on(&in, "title", "caract\xC3\xA8res non permis");
    in.title = "Titre \x1B[31m";
    refused_on(&in, "title", "caract\xC3\xA8res non permis");
    in.title = "Titre \xC3\x28 mal form\xC3\xA9";
    refused_on(&in, "title", "caract\xC3\xA8res non permis");
}
END_TEST

START_TEST(summary_length)
{
    moi_event_input in = base_input();

    in.summary = "x";
    valid(&in);
    in.summary = repeat(E_ACCENT, 300);
    valid(&in);
    in.summary = "";
    refused_on(&in, "summary", "Indiquez un r" E_ACCENT "sum" E_ACCENT ".");
    in.summary = NULL;
    refused_on(&in, "summary", "Indiquez un r" E_ACCENT "sum" E_ACCENT ".");
    in.summary = repeat("x", 301);
    refused_on(&in, "summary", "ne doit pas d" E_ACCENT "passer 300 caract");
    in.summary = repeat(E_ACCENT, 301);
    refused_on(&in, "summary", "(actuellement 301)");
    in.summary = "Sur\ndeux lignes"; /* the form's text area allows line breaks */
    valid(&in);
    in.summary = "Avec\x01 contr\xC3\xB4le";
    refused_on(&in, "summary", "non permis");
}
END_TEST

START_TEST(description_length)
{
    moi_event_input in = base_input();
    moi_event ev;

    in.description = NULL;
    ck_assert_str_eq(valid(&in).description, "");
    in.description = "";
    ck_assert_str_eq(valid(&in).description, "");
    in.description = "Premi\xC3\xA8re ligne.\r\n\tDeuxi\xC3\xA8me ligne.\n";
    ev = valid(&in);
    ck_assert_str_eq(ev.description, in.description);
    in.description = repeat(E_ACCENT, 10000);
    valid(&in);
    in.description = repeat("x", 10001);
    refused_on(&in, "description", "ne doit pas d" E_ACCENT "passer 10000 caract");
    in.description = repeat(E_ACCENT, 10001);
    refused_on(&in, "description", "(actuellement 10001)");
    in.description = "Bip\x07";
    refused_on(&in, "description", "non permis");
}
END_TEST

START_TEST(organizer_texts)
{
    moi_event_input in = base_input();

    in.organizer_name = "";
    refused_on(&in, "organizer_name", "Indiquez le nom de l'organisateur.");
    in = base_input();
    in.organization = NULL;
    refused_on(&in, "organization", "Indiquez l'organisation.");
    in = base_input();
    in.organization = repeat("o", 201);
    refused_on(&in, "organization", "(actuellement 201)");
    in = base_input();
    in.city = repeat("c", 201);
    refused_on(&in, "city", "(actuellement 201)");
    in = base_input();
    in.venue = repeat("v", 201);
    refused_on(&in, "venue", "(actuellement 201)");
    in = base_input();
    in.address = "1 rue\nde la Paix";
    refused_on(&in, "address", "non permis");
}
END_TEST

/* ---- codes -------------------------------------------------------------- */

START_TEST(type_and_format_codes)
{
    static const char *const types[] = {"presentation_initiative",
                                        "atelier_participatif",
                                        "table_ronde",
                                        "session_creative",
                                        "demonstration_outil",
                                        "exposition",
                                        "visite",
                                        "conference",
                                        "webinaire",
                                        "autre"};
    moi_event_input in = base_input();
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        in.type = types[i];
        ck_assert_str_eq(valid(&in).type, types[i]);
    }
    in.type = "atelier";
    refused_on(&in, "type", "Choisissez le type d'" E_ACCENT "v" E_ACCENT "nement.");
    in.type = "";
    refused_on(&in, "type", "Choisissez le type");
    in.type = NULL;
    refused_on(&in, "type", "Choisissez le type");
    in.type = "Webinaire";
    refused_on(&in, "type", "Choisissez le type");

    in = base_input();
    in.format = "distanciel";
    refused_on(&in, "format", "Choisissez le format");
    in.format = NULL;
    refused_on(&in, "format", "Choisissez le format");
    in.format = "hybride";
    in.online_url = "https://visio.example.fr/";
    ck_assert_str_eq(valid(&in).format, "hybride");
}
END_TEST

START_TEST(audience_codes)
{
    moi_event_input in = base_input();
    moi_event ev;

    in.audience = codes("agents", "encadrants", "elus", "usagers", "grand_public", NULL);
    ck_assert_int_eq(valid(&in).audience->nelts, 5);

    in.audience = codes(NULL);
    refused_on(&in, "audience", "Choisissez au moins un public.");
    in.audience = NULL;
    refused_on(&in, "audience", "Choisissez au moins un public.");
    in.audience = codes("agents", "etudiants", NULL);
    refused_on(&in, "audience", "Valeur inconnue.");
    in.audience = codes("", NULL);
    refused_on(&in, "audience", "Valeur inconnue.");

    /* Duplicates collapse, the order of first appearance stays. */
    in.audience = codes("elus", "agents", "elus", "agents", "elus", NULL);
    ev = valid(&in);
    ck_assert_int_eq(ev.audience->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(ev.audience, 0, const char *), "elus");
    ck_assert_str_eq(APR_ARRAY_IDX(ev.audience, 1, const char *), "agents");
}
END_TEST

START_TEST(accessibility_codes)
{
    moi_event_input in = base_input();
    moi_event ev;

    in.accessibility = NULL;
    ck_assert_int_eq(valid(&in).accessibility->nelts, 0);
    in.accessibility =
        codes("moteur", "auditif", "visuel", "mental", "psychique", "moteur", NULL);
    ev = valid(&in);
    ck_assert_int_eq(ev.accessibility->nelts, 5);
    in.accessibility = codes("moteur", "cognitif", NULL);
    refused_on(&in, "accessibility", "Valeur inconnue.");
}
END_TEST

/* ---- place -------------------------------------------------------------- */

START_TEST(in_person_needs_a_place)
{
    moi_event_input in = base_input();
    apr_array_header_t *errors;

    in.region = "";
    in.department = "";
    in.city = "";
    in.address = "";
    errors = validate(&in, NULL);
    ck_assert_int_eq(errors->nelts, 4);
    ck_assert(has_error(errors, "region", "Indiquez la r" E_ACCENT "gion"));
    ck_assert(has_error(errors, "department", "Indiquez le d" E_ACCENT "partement"));
    ck_assert(has_error(errors, "city", "Indiquez la ville"));
    ck_assert(has_error(errors, "address", "Indiquez l'adresse"));

    in.format = "hybride";
    in.online_url = "https://visio.example.fr/";
    errors = validate(&in, NULL);
    ck_assert_int_eq(errors->nelts, 4);
    ck_assert(has_error(errors, "address", "Indiquez l'adresse"));

    /* Each one alone. */
    in = base_input();
    in.city = "";
    refused_on(&in, "city", "Indiquez la ville");
    in = base_input();
    in.address = NULL;
    refused_on(&in, "address", "Indiquez l'adresse");
    in = base_input();
    in.department = "";
    refused_on(&in, "department", "Indiquez le d" E_ACCENT "partement");
    in = base_input();
    in.region = "";
    in.department = "";
    in.format = "hybride";
    in.registration_url = "https://inscription.example.fr/";
    errors = validate(&in, NULL);
    ck_assert_int_eq(errors->nelts, 2);
    ck_assert(has_error(errors, "region", "Indiquez la r" E_ACCENT "gion"));
    ck_assert(has_error(errors, "department", "Indiquez le d" E_ACCENT "partement"));

    /* The venue stays optional. */
    in = base_input();
    in.venue = "";
    ck_assert_ptr_null(valid(&in).venue);
}
END_TEST

START_TEST(online_needs_a_link)
{
    moi_event_input in = online_input();
    moi_event ev;

    in.online_url = "";
    refused_on(&in, "online_url", "lien de connexion ou le lien d'inscription");
    in.online_url = NULL;
    in.registration_url = NULL;
    refused_on(&in, "online_url", "lien de connexion ou le lien d'inscription");

    in.registration_url = "https://inscription.example.fr/";
    ev = valid(&in);
    ck_assert_ptr_null(ev.online_url);
    ck_assert_str_eq(ev.registration_url, "https://inscription.example.fr/");

    /* Hybrid needs a link too. */
    in = base_input();
    in.format = "hybride";
    refused_on(&in, "online_url", "lien de connexion ou le lien d'inscription");
    in.registration_url = "http://inscription.example.fr/?e=1";
    valid(&in);

    /* An online event may still give a place. */
    in = online_input();
    in.region = "84";
    in.department = "69";
    in.city = "Lyon";
    ev = valid(&in);
    ck_assert_str_eq(ev.region, "84");
}
END_TEST

START_TEST(urls_absolute_http)
{
    static const char *const good[] = {"https://exemple.fr",
                                       "http://exemple.fr/",
                                       "https://www.exemple.gouv.fr/a/b?c=d&e=f#g",
                                       "HTTPS://EXEMPLE.FR/",
                                       "https://exemple.fr:8443/visio",
                                       "https://user@exemple.fr/"};
    static const char *const bad[] = {"javascript:alert(1)",
                                      "JavaScript://exemple.fr/%0Aalert(1)",
                                      "ftp://x",
                                      "ftp://exemple.fr/fichier",
                                      "//x.fr",
                                      "https://",
                                      "http://",
                                      "http://exa mple.fr",
                                      "https:exemple.fr",
                                      "https:/exemple.fr",
                                      "exemple.fr",
                                      "www.exemple.fr/visio",
                                      "/visio",
                                      "data:text/html,<script>alert(1)</script>",
                                      "https://exemple.fr/\"onmouseover=\"x",
                                      "https://exemple.fr/<script>",
                                      "https://exemple.fr/\\",
                                      "https://exemple.fr/\ta",
                                      "https://exemple.fr/\x7F"};
    moi_event_input in;
    size_t i;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ck_assert_msg(moi_url_valid(unit_pool, good[i]), "refused %s", good[i]);
        in = online_input();
        in.online_url = good[i];
        ck_assert_str_eq(valid(&in).online_url, good[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!moi_url_valid(unit_pool, bad[i]), "accepted %s", bad[i]);
        in = online_input();
        in.online_url = bad[i];
        refused_on(&in, "online_url",
                   "commen\xC3\xA7"
                   "ant par https:// ou http://");
        in = online_input();
        in.online_url = "";
        in.registration_url = bad[i];
        refused_on(&in, "registration_url",
                   "commen\xC3\xA7"
                   "ant par https:// ou http://");
        /* A bad URL is refused even where no link is required. */
        in = base_input();
        in.registration_url = bad[i];
        refused_on(&in, "registration_url", "https://");
    }
    ck_assert(!moi_url_valid(unit_pool, NULL));
    ck_assert(!moi_url_valid(unit_pool, ""));
    ck_assert(moi_url_valid(unit_pool, apr_pstrcat(unit_pool, "https://exemple.fr/",
                                                   repeat("a", 1981), NULL)));
    ck_assert(!moi_url_valid(unit_pool, apr_pstrcat(unit_pool, "https://exemple.fr/",
                                                    repeat("a", 1982), NULL)));
}
END_TEST

START_TEST(department_within_region)
{
    moi_event_input in = base_input();
    moi_event ev;

    in.region = "84";
    in.department = "75";
    refused_on(&in, "department",
               "n'appartient pas "
               "\xC3\xA0"
               " la r" E_ACCENT "gion");

    in.region = "84";
    in.department = "69";
    in.city = "Lyon";
    ev = valid(&in);
    ck_assert_str_eq(ev.region, "84");
    ck_assert_str_eq(ev.department, "69");

    in.region = "94";
    in.department = "2A";
    in.city = "Ajaccio";
    ck_assert_str_eq(valid(&in).department, "2A");
    in.department = "2B";
    valid(&in);
    in.department = "20";
    refused_on(&in, "department", "D" E_ACCENT "partement inconnu.");

    /* The department alone gives the region. */
    in = base_input();
    in.region = "";
    in.department = "974";
    in.city = "Saint-Denis";
    ev = valid(&in);
    ck_assert_str_eq(ev.region, "04");
    ck_assert_str_eq(ev.department, "974");
    in.region = NULL;
    ck_assert_str_eq(valid(&in).region, "04");

    /* A region alone does not give a department. */
    in = base_input();
    in.department = "";
    refused_on(&in, "department", "Indiquez le d" E_ACCENT "partement");
    in = online_input();
    in.region = "76";
    ev = valid(&in);
    ck_assert_str_eq(ev.region, "76");
    ck_assert_ptr_null(ev.department);

    in = base_input();
    in.region = "99";
    refused_on(&in, "region", "R" E_ACCENT "gion inconnue.");
    in = online_input();
    in.region = "national";
    refused_on(&in, "region", "R" E_ACCENT "gion inconnue.");
    in = base_input();
    in.department = "999";
    refused_on(&in, "department", "D" E_ACCENT "partement inconnu.");
}
END_TEST

/* The zone an event in department dep gets. */
static const char *zone_of(const char *dep)
{
    moi_event_input in = base_input();
    in.region = "";
    in.department = dep;
    return valid(&in).timezone;
}

START_TEST(timezone_from_department)
{
    moi_event_input in;

    ck_assert_str_eq(zone_of("75"), "Europe/Paris");
    ck_assert_str_eq(zone_of("2A"), "Europe/Paris");
    ck_assert_str_eq(zone_of("974"), "Indian/Reunion");
    ck_assert_str_eq(zone_of("971"), "America/Guadeloupe");
    ck_assert_str_eq(zone_of("972"), "America/Martinique");
    ck_assert_str_eq(zone_of("973"), "America/Cayenne");
    ck_assert_str_eq(zone_of("976"), "Indian/Mayotte");

    in = online_input();
    ck_assert_str_eq(valid(&in).timezone, "Europe/Paris");
    in.region = "04"; /* a region without a department: no zone of its own */
    ck_assert_str_eq(valid(&in).timezone, "Europe/Paris");

    ck_assert_str_eq(moi_event_timezone_of("974"), "Indian/Reunion");
    ck_assert_str_eq(moi_event_timezone_of("13"), "Europe/Paris");
    ck_assert_str_eq(moi_event_timezone_of(NULL), "Europe/Paris");
    ck_assert_str_eq(moi_event_timezone_of(""), "Europe/Paris");
    ck_assert_str_eq(moi_event_timezone_of("999"), "Europe/Paris");
}
END_TEST

START_TEST(zone_unavailable)
{
    moi_event_input in = base_input();
    moi_event_rules r = rules_2022();
    apr_array_header_t *errors;

    r.tz_lookup = no_zone;
    errors = validate_with(&in, &r, NULL);
    ck_assert_int_eq(errors->nelts, 1);
    ck_assert(has_error(errors, "department", "Fuseau horaire indisponible"));
}
END_TEST

/* ---- times -------------------------------------------------------------- */

/* The event of base_input() in department dep (NULL: online) from start to
 * end. */
static moi_event timed(const char *dep, const char *start, const char *end)
{
    moi_event_input in = dep ? base_input() : online_input();
    if (dep) {
        in.region = "";
        in.department = dep;
    }
    in.starts_at = start;
    in.ends_at = end;
    return valid(&in);
}

START_TEST(local_times_in_the_event_zone)
{
    moi_event ev;

    ev = timed("75", "2022-11-02T09:30", "2022-11-02T12:00");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 8, 30, 0));
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 2, 11, 0, 0));

    ev = timed("974", "2022-11-02T09:30", "2022-11-02T12:00");
    ck_assert_str_eq(ev.timezone, "Indian/Reunion");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 5, 30, 0));
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 2, 8, 0, 0));

    ev = timed("971", "2022-11-02T09:30", "2022-11-02T12:00");
    ck_assert_str_eq(ev.timezone, "America/Guadeloupe");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 13, 30, 0));
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 2, 16, 0, 0));

    /* Online events with no place are on Paris time. */
    ev = timed(NULL, "2022-11-02T09:30", "2022-11-02T12:00");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 8, 30, 0));

    /* Seconds are allowed. */
    ev = timed("75", "2022-11-02T09:30:15", "2022-11-02T12:00:59");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 8, 30, 15));
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 2, 11, 0, 59));
}
END_TEST

START_TEST(rfc3339_times)
{
    moi_event ev;

    /* An explicit offset wins over the event's zone. */
    ev = timed("974", "2022-11-02T09:30:00+01:00", "2022-11-02T12:00:00Z");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 8, 30, 0));
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 2, 12, 0, 0));
    ev = timed("971", "2022-11-02T09:30:00-04:00", "2022-11-02T10:00:00.500-04:00");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 13, 30, 0));
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 2, 14, 0, 0) + 500000);
    ev = timed("75", "2022-11-02T09:30+01:00", "2022-11-02T10:00+01:00");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 2, 8, 30, 0));

    /* The edition's days are those of the event's zone: 2022-11-01T23:30Z is
     * already 2022-11-02 at La Réunion, still 2022-11-01 in Guadeloupe. */
    ev = timed("974", "2022-11-01T23:30:00Z", "2022-11-02T01:00:00Z");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 1, 23, 30, 0));
    {
        moi_event_input in = base_input();
        in.region = "";
        in.department = "971";
        in.starts_at = "2022-11-01T23:30:00Z";
        in.ends_at = "2022-11-02T12:00";
        refused_on(&in, "starts_at", "pendant le Mois de l'innovation publique");
    }
}
END_TEST

START_TEST(malformed_times)
{
    static const char *const bad[] = {"2022-02-30T25:61",
                                      "2022-11-31T10:00",
                                      "2022-11-02T24:00",
                                      "2022-11-02T23:60",
                                      "2022-11-02T10:00:60",
                                      "2022-11-02 10:00",
                                      "2022-11-02T10h00",
                                      "2022-11-02T1:00",
                                      "2022-11-2T10:00",
                                      "02/11/2022 10:00",
                                      "2022-11-02",
                                      "2022-11-02T10",
                                      "2022-11-02T10:00:0",
                                      "2022-11-02T10:00+1",
                                      "2022-11-02T10:00:00+25:00",
                                      "2022-11-02T10:00:00 +01:00",
                                      "2022-11-02T10:00:00+01:00x",
                                      "2022-11-02T10:00 ",
                                      "demain matin",
                                      "+2022-11-02T10:00"};
    moi_event_input in;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        in = base_input();
        in.starts_at = bad[i];
        in.ends_at = "2022-11-30T10:00";
        refused_on(&in, "starts_at", "La date de d" E_ACCENT "but n'est pas valide.");
        refused_on(&in, "starts_at", "AAAA-MM-JJTHH:MM");
        in = base_input();
        in.ends_at = bad[i];
        refused_on(&in, "ends_at", "La date de fin n'est pas valide.");
    }

    in = base_input();
    in.starts_at = "";
    refused_on(&in, "starts_at", "Indiquez la date et l'heure de d" E_ACCENT "but.");
    in = base_input();
    in.ends_at = NULL;
    refused_on(&in, "ends_at", "Indiquez la date et l'heure de fin.");
}
END_TEST

START_TEST(times_inside_the_edition)
{
    moi_event_input in;
    moi_event ev;

    ev = timed("75", "2022-11-02T00:00", "2022-11-02T01:00");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 1, 23, 0, 0));
    ev = timed("75", "2022-11-30T22:00", "2022-11-30T23:00");
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 30, 22, 0, 0));
    timed("75", "2022-11-30T23:00", "2022-11-30T23:59:59");
    timed("75", "2022-11-02T08:00", "2022-11-30T18:00");

    in = base_input();
    in.starts_at = "2022-11-01T23:00";
    refused_on(&in, "starts_at",
               "doit avoir lieu pendant le Mois de l'innovation publique, "
               "du 02/11/2022 au 30/11/2022.");
    in = base_input();
    in.starts_at = "2022-10-15T10:00";
    in.ends_at = "2022-10-15T12:00";
    {
        apr_array_header_t *errors = validate(&in, NULL);
        ck_assert_int_eq(errors->nelts, 2);
        ck_assert(has_error(errors, "starts_at", "pendant le Mois"));
        ck_assert(has_error(errors, "ends_at", "doit se terminer pendant le Mois"));
    }
    in = base_input();
    in.starts_at = "2022-11-30T23:00";
    in.ends_at = "2022-12-01T01:00";
    refused_on(&in, "ends_at",
               "doit se terminer pendant le Mois de l'innovation publique, "
               "du 02/11/2022 au 30/11/2022.");
    in = base_input();
    in.starts_at = "2023-11-02T10:00";
    in.ends_at = "2023-11-02T12:00";
    ck_assert_int_eq(validate(&in, NULL)->nelts, 2);

    /* Local days of La Réunion: 23:00 local on the 1st is refused there too,
     * and 23:00 local on the 30th accepted. */
    in = base_input();
    in.region = "";
    in.department = "974";
    in.starts_at = "2022-11-01T23:00";
    refused_on(&in, "starts_at", "pendant le Mois");
    timed("974", "2022-11-30T23:00", "2022-11-30T23:30");
    /* 2022-11-30T23:00 at La Réunion is 19:00Z, inside; but
     * 2022-11-30T23:00-04:00 is 2022-12-01 at La Réunion. */
    in.starts_at = "2022-11-30T20:00";
    in.ends_at = "2022-11-30T23:00:00-04:00";
    refused_on(&in, "ends_at", "doit se terminer pendant le Mois");
}
END_TEST

START_TEST(start_before_end)
{
    moi_event_input in = base_input();

    in.starts_at = "2022-11-02T12:00";
    in.ends_at = "2022-11-02T09:30";
    refused_on(&in, "ends_at",
               "La fin doit "
               "\xC3\xAA"
               "tre apr\xC3\xA8s le d" E_ACCENT "but.");
    in.ends_at = "2022-11-02T12:00";
    refused_on(&in, "ends_at", "La fin doit");
    in.ends_at = "2022-11-02T12:00:00+01:00";
    refused_on(&in, "ends_at", "La fin doit");
    in.ends_at = "2022-11-02T12:00:01";
    valid(&in);
    /* Compared as instants, not as text. */
    in.starts_at = "2022-11-02T12:00:00+01:00";
    in.ends_at = "2022-11-02T11:30:00Z";
    valid(&in);
}
END_TEST

START_TEST(lab_flag)
{
    moi_event_input in = base_input();

    in.lab = "1";
    ck_assert_int_eq(valid(&in).lab, 1);
    in.lab = "";
    ck_assert_int_eq(valid(&in).lab, 0);
    in.lab = NULL;
    ck_assert_int_eq(valid(&in).lab, 0);
    in.lab = "on";
    refused_on(&in, "lab", "Valeur non permise.");
    in.lab = "true";
    refused_on(&in, "lab", "Valeur non permise.");
    in.lab = "0";
    refused_on(&in, "lab", "Valeur non permise.");
}
END_TEST

START_TEST(every_error_at_once)
{
    moi_event_input in;
    apr_array_header_t *errors;
    static const char *const fields[] = {"title",   "summary",        "type",
                                         "format",  "audience",       "starts_at",
                                         "ends_at", "organizer_name", "organization"};
    size_t i;

    memset(&in, 0, sizeof(in));
    errors = validate(&in, NULL);
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        ck_assert_msg(moi_html_field_error(errors, fields[i]) != NULL,
                      "no error on %s: %s", fields[i], errors_text(errors));
    }
    ck_assert_int_eq(errors->nelts, (int)(sizeof(fields) / sizeof(fields[0])));
}
END_TEST

/* ---- JSON input --------------------------------------------------------- */

static json_t *json(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_ALLOW_NUL, &jerr);
    ck_assert_msg(j != NULL, "bad test JSON %s: %s", text, jerr.text);
    return j;
}

/* Reads text into in; returns the errors. */
static apr_array_header_t *from_json(const char *text, moi_event_input *in)
{
    apr_array_header_t *errors = new_errors();
    json_t *j = json(text);
    moi_event_input_from_json(unit_pool, j, in, errors);
    json_decref(j);
    return errors;
}

/* Reading text must give exactly one error, on field. */
static void json_refused(const char *text, const char *field, const char *part)
{
    moi_event_input in;
    apr_array_header_t *errors = from_json(text, &in);
    ck_assert_msg(errors->nelts == 1 && has_error(errors, field, part),
                  "%s: expected '%s' on %s, got %s", text, part, field,
                  errors_text(errors));
}

START_TEST(json_full_input)
{
    moi_event_input in;
    apr_array_header_t *errors = from_json(
        "{\"title\":\"  Hackathon des donn\\u00e9es  "
        "\",\"summary\":\"R\\u00e9sum\\u00e9\","
        "\"description\":\"Ligne 1\\nLigne 2\",\"type\":\"autre\",\"format\":\"hybride\","
        "\"audience\":[\"agents\",\"usagers\"],\"accessibility\":[\"visuel\"],"
        "\"starts_at\":\"2022-11-03T09:00\",\"ends_at\":\"2022-11-03T17:00:00+04:00\","
        "\"region\":\"04\",\"department\":\"974\",\"city\":\"Saint-Pierre\","
        "\"venue\":\"M\\u00e9diath\\u00e8que\",\"address\":\"1 rue de la Mer\","
        "\"online_url\":\"https://visio.example.fr/\",\"registration_url\":null,"
        "\"lab\":true,\"organizer_name\":\"Paul\",\"organization\":\"R\\u00e9gion\"}",
        &in);
    moi_event ev;

    ck_assert_msg(errors->nelts == 0, "%s", errors_text(errors));
    ck_assert_str_eq(in.title, "Hackathon des donn" E_ACCENT "es");
    ck_assert_str_eq(in.summary, "R" E_ACCENT "sum" E_ACCENT);
    ck_assert_str_eq(in.description, "Ligne 1\nLigne 2");
    ck_assert_str_eq(in.type, "autre");
    ck_assert_str_eq(in.format, "hybride");
    ck_assert_int_eq(in.audience->nelts, 2);
    ck_assert_str_eq(APR_ARRAY_IDX(in.audience, 1, const char *), "usagers");
    ck_assert_int_eq(in.accessibility->nelts, 1);
    ck_assert_str_eq(in.starts_at, "2022-11-03T09:00");
    ck_assert_str_eq(in.ends_at, "2022-11-03T17:00:00+04:00");
    ck_assert_str_eq(in.region, "04");
    ck_assert_str_eq(in.department, "974");
    ck_assert_str_eq(in.city, "Saint-Pierre");
    ck_assert_str_eq(in.address, "1 rue de la Mer");
    ck_assert_str_eq(in.online_url, "https://visio.example.fr/");
    ck_assert_str_eq(in.registration_url, "");
    ck_assert_str_eq(in.lab, "1");
    ck_assert_str_eq(in.organizer_name, "Paul");
    ck_assert_str_eq(in.organization, "R" E_ACCENT "gion");

    ev = valid(&in);
    ck_assert_str_eq(ev.timezone, "Indian/Reunion");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 3, 5, 0, 0));
    ck_assert_int_eq(ev.ends_at, utc(2022, 11, 3, 13, 0, 0));
    ck_assert_int_eq(ev.lab, 1);
}
END_TEST

START_TEST(json_absent_fields_stay_null)
{
    moi_event_input in;
    apr_array_header_t *errors = from_json("{\"title\":\"Nouveau titre\"}", &in);

    ck_assert_int_eq(errors->nelts, 0);
    ck_assert_str_eq(in.title, "Nouveau titre");
    ck_assert_ptr_null(in.summary);
    ck_assert_ptr_null(in.description);
    ck_assert_ptr_null(in.type);
    ck_assert_ptr_null(in.format);
    ck_assert_ptr_null(in.audience);
    ck_assert_ptr_null(in.accessibility);
    ck_assert_ptr_null(in.starts_at);
    ck_assert_ptr_null(in.ends_at);
    ck_assert_ptr_null(in.region);
    ck_assert_ptr_null(in.department);
    ck_assert_ptr_null(in.city);
    ck_assert_ptr_null(in.venue);
    ck_assert_ptr_null(in.address);
    ck_assert_ptr_null(in.online_url);
    ck_assert_ptr_null(in.registration_url);
    ck_assert_ptr_null(in.lab);
    ck_assert_ptr_null(in.organizer_name);
    ck_assert_ptr_null(in.organization);

    errors = from_json("{}", &in);
    ck_assert_int_eq(errors->nelts, 0);
    ck_assert_ptr_null(in.title);
}
END_TEST

START_TEST(json_null_reads_as_empty)
{
    moi_event_input in;
    apr_array_header_t *errors = from_json(
        "{\"title\":null,\"description\":null,\"region\":null,\"department\":null,"
        "\"online_url\":null,\"audience\":null,\"accessibility\":null}",
        &in);

    ck_assert_int_eq(errors->nelts, 0);
    ck_assert_str_eq(in.title, "");
    ck_assert_str_eq(in.description, "");
    ck_assert_str_eq(in.region, "");
    ck_assert_str_eq(in.department, "");
    ck_assert_str_eq(in.online_url, "");
    ck_assert_ptr_nonnull(in.audience);
    ck_assert_int_eq(in.audience->nelts, 0);
    ck_assert_ptr_nonnull(in.accessibility);
    ck_assert_int_eq(in.accessibility->nelts, 0);
}
END_TEST

START_TEST(json_wrong_types)
{
    json_refused("{\"title\":12345}", "title", "Texte attendu.");
    json_refused("{\"title\":true}", "title", "Texte attendu.");
    json_refused("{\"title\":[\"Un titre\"]}", "title", "Texte attendu.");
    json_refused("{\"title\":{\"$ne\":\"\"}}", "title", "Texte attendu.");
    json_refused("{\"summary\":1.5}", "summary", "Texte attendu.");
    json_refused("{\"starts_at\":1667377800}", "starts_at", "Texte attendu.");
    json_refused("{\"department\":75}", "department", "Texte attendu.");
    json_refused("{\"title\":\"avant\\u0000apr\\u00e8s\"}", "title", "Texte attendu.");
    json_refused("{\"audience\":\"agents\"}", "audience", "Liste de codes attendue.");
    json_refused("{\"audience\":[\"agents\",1]}", "audience", "Liste de codes attendue.");
    json_refused("{\"audience\":{\"0\":\"agents\"}}", "audience",
                 "Liste de codes attendue.");
    json_refused("{\"accessibility\":\"moteur\"}", "accessibility",
                 "Liste de codes attendue.");
    json_refused("{\"accessibility\":[[\"moteur\"]]}", "accessibility",
                 "Liste de codes attendue.");
    json_refused("{\"lab\":\"true\"}", "lab", "Bool" E_ACCENT "en attendu");
    json_refused("{\"lab\":1}", "lab", "Bool" E_ACCENT "en attendu");
    json_refused("{\"lab\":\"1\"}", "lab", "Bool" E_ACCENT "en attendu");
    json_refused("{\"lab\":null}", "lab", "Bool" E_ACCENT "en attendu");
}
END_TEST

START_TEST(json_wrong_type_leaves_field_unset)
{
    moi_event_input in;
    apr_array_header_t *errors = from_json(
        "{\"title\":5,\"summary\":\"ok\",\"audience\":\"elus\",\"lab\":\"x\"}", &in);

    ck_assert_int_eq(errors->nelts, 3);
    ck_assert(has_error(errors, "title", "Texte attendu."));
    ck_assert(has_error(errors, "audience", "Liste de codes attendue."));
    ck_assert(has_error(errors, "lab", "Bool"));
    ck_assert_ptr_null(in.title);
    ck_assert_str_eq(in.summary, "ok");
    ck_assert_ptr_null(in.audience);
    ck_assert_ptr_null(in.lab);
}
END_TEST

/* The API's parser refuses \u0000; the reader does not count on it. */
START_TEST(json_code_with_nul_refused)
{
    json_refused("{\"audience\":[\"agents\\u0000x\"]}", "audience",
                 "Liste de codes attendue.");
}
END_TEST

START_TEST(json_unknown_keys)
{
    moi_event_input in;
    apr_array_header_t *errors;

    json_refused("{\"titre\":\"Mon titre\"}", "titre", "Champ inconnu.");
    json_refused("{\"Title\":\"Mon titre\"}", "Title", "Champ inconnu.");
    json_refused("{\"$where\":\"1\"}", "$where", "Champ inconnu.");
    json_refused("{\"organizer_id\":\"0123456789abcdef01234567\"}", "organizer_id",
                 "Champ inconnu.");
    json_refused("{\"edition\":2021}", "edition", "Champ inconnu.");

    errors =
        from_json("{\"titre\":\"x\",\"resume\":\"y\",\"title\":\"Un vrai titre\"}", &in);
    ck_assert_int_eq(errors->nelts, 2);
    ck_assert(has_error(errors, "titre", "Champ inconnu."));
    ck_assert(has_error(errors, "resume", "Champ inconnu."));
    ck_assert_str_eq(in.title, "Un vrai titre");
}
END_TEST

START_TEST(json_read_only_keys_ignored)
{
    moi_event_input in, none;
    apr_array_header_t *errors =
        from_json("{\"id\":\"0123456789abcdef01234567\",\"timezone\":\"Asia/Tokyo\","
                  "\"status\":\"published\",\"url\":\"https://exemple.fr/e/1\","
                  "\"created_at\":\"2022-10-01T10:00:00+00:00\",\"updated_at\":5,"
                  "\"version\":\"dix\",\"rejection_reason\":null}",
                  &in);

    ck_assert_msg(errors->nelts == 0, "%s", errors_text(errors));
    memset(&none, 0, sizeof(none));
    ck_assert_mem_eq(&in, &none, sizeof(in));
}
END_TEST

/* ---- JSON output -------------------------------------------------------- */

START_TEST(json_output_fields)
{
    static const char *const keys[] = {"id",           "title",
                                       "summary",      "description",
                                       "type",         "format",
                                       "audience",     "accessibility",
                                       "starts_at",    "ends_at",
                                       "timezone",     "region",
                                       "department",   "city",
                                       "venue",        "address",
                                       "online_url",   "registration_url",
                                       "lab",          "organizer_name",
                                       "organization", "status",
                                       "url",          "created_at",
                                       "updated_at",   "version"};
    moi_event_input in = base_input();
    moi_event ev;
    json_t *j;
    size_t i;

    in.region = "";
    in.department = "974";
    in.city = "Saint-Denis";
    in.starts_at = "2022-11-02T13:30";
    in.ends_at = "2022-11-02T15:00";
    in.accessibility = codes("moteur", "auditif", NULL);
    in.lab = "1";
    ev = valid(&in);
    ev.id = "0123456789abcdef01234567";
    ev.status = "published";
    ev.created_at = utc(2022, 10, 1, 8, 0, 0);
    ev.updated_at = utc(2022, 10, 2, 9, 15, 30);
    ev.version = 3;

    j = moi_event_to_json(unit_pool, &ev, zone("Indian/Reunion"), "/mois/evenements/x");
    ck_assert_int_eq(json_object_size(j), sizeof(keys) / sizeof(keys[0]));
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        ck_assert_msg(json_object_get(j, keys[i]) != NULL, "no %s", keys[i]);
    }
    ck_assert_str_eq(json_string_value(json_object_get(j, "id")), ev.id);
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), ev.title);
    ck_assert_str_eq(json_string_value(json_object_get(j, "starts_at")),
                     "2022-11-02T13:30:00+04:00");
    ck_assert_str_eq(json_string_value(json_object_get(j, "ends_at")),
                     "2022-11-02T15:00:00+04:00");
    ck_assert_str_eq(json_string_value(json_object_get(j, "timezone")), "Indian/Reunion");
    ck_assert_str_eq(json_string_value(json_object_get(j, "region")), "04");
    ck_assert_str_eq(json_string_value(json_object_get(j, "department")), "974");
    ck_assert_str_eq(json_string_value(json_object_get(j, "description")), "");
    ck_assert(json_is_true(json_object_get(j, "lab")));
    ck_assert(json_is_array(json_object_get(j, "audience")));
    ck_assert_int_eq(json_array_size(json_object_get(j, "audience")), 2);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "audience"), 0)),
                     "agents");
    ck_assert(json_is_array(json_object_get(j, "accessibility")));
    ck_assert_str_eq(
        json_string_value(json_array_get(json_object_get(j, "accessibility"), 1)),
        "auditif");
    ck_assert(json_is_null(json_object_get(j, "online_url")));
    ck_assert(json_is_null(json_object_get(j, "registration_url")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "published");
    ck_assert_str_eq(json_string_value(json_object_get(j, "url")), "/mois/evenements/x");
    ck_assert_str_eq(json_string_value(json_object_get(j, "created_at")),
                     "2022-10-01T08:00:00+00:00");
    ck_assert_str_eq(json_string_value(json_object_get(j, "updated_at")),
                     "2022-10-02T09:15:30+00:00");
    ck_assert(json_is_integer(json_object_get(j, "version")));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 3);
    json_decref(j);
}
END_TEST

START_TEST(json_output_offsets)
{
    moi_event ev;
    json_t *j;

    ev = timed("971", "2022-11-02T09:30", "2022-11-02T10:00");
    j = moi_event_to_json(unit_pool, &ev, zone(ev.timezone), NULL);
    ck_assert_str_eq(json_string_value(json_object_get(j, "starts_at")),
                     "2022-11-02T09:30:00-04:00");
    ck_assert(json_is_null(json_object_get(j, "url")));
    ck_assert(json_is_null(json_object_get(j, "id")));
    json_decref(j);

    ev = timed(NULL, "2022-11-02T09:30", "2022-11-02T10:00");
    j = moi_event_to_json(unit_pool, &ev, zone(ev.timezone), "u");
    ck_assert_str_eq(json_string_value(json_object_get(j, "starts_at")),
                     "2022-11-02T09:30:00+01:00");
    ck_assert(json_is_false(json_object_get(j, "lab")));
    ck_assert(json_is_null(json_object_get(j, "region")));
    ck_assert(json_is_null(json_object_get(j, "department")));
    ck_assert(json_is_null(json_object_get(j, "city")));
    ck_assert_str_eq(json_string_value(json_object_get(j, "online_url")),
                     "https://webinaire.example.fr/salle/42");
    ck_assert_int_eq(json_array_size(json_object_get(j, "accessibility")), 0);
    json_decref(j);
}
END_TEST

/* ---- round trips -------------------------------------------------------- */

static void same_text(const char *field, const char *a, const char *b)
{
    ck_assert_msg((!a && !b) || (a && b && !strcmp(a, b)), "%s: '%s' != '%s'", field,
                  a ? a : "(null)", b ? b : "(null)");
}

static void same_codes(const char *field, const apr_array_header_t *a,
                       const apr_array_header_t *b)
{
    int i;
    ck_assert_msg(a && b && a->nelts == b->nelts, "%s: counts differ", field);
    for (i = 0; i < a->nelts; i++) {
        same_text(field, APR_ARRAY_IDX(a, i, const char *),
                  APR_ARRAY_IDX(b, i, const char *));
    }
}

/* a and b have the same editable fields, zone and edition. */
static void same_event(const moi_event *a, const moi_event *b)
{
    ck_assert_int_eq(a->edition, b->edition);
    same_text("title", a->title, b->title);
    same_text("summary", a->summary, b->summary);
    same_text("description", a->description, b->description);
    same_text("type", a->type, b->type);
    same_text("format", a->format, b->format);
    same_codes("audience", a->audience, b->audience);
    same_codes("accessibility", a->accessibility, b->accessibility);
    ck_assert_int_eq(a->starts_at, b->starts_at);
    ck_assert_int_eq(a->ends_at, b->ends_at);
    same_text("timezone", a->timezone, b->timezone);
    same_text("region", a->region, b->region);
    same_text("department", a->department, b->department);
    same_text("city", a->city, b->city);
    same_text("venue", a->venue, b->venue);
    same_text("address", a->address, b->address);
    same_text("online_url", a->online_url, b->online_url);
    same_text("registration_url", a->registration_url, b->registration_url);
    ck_assert_int_eq(a->lab, b->lab);
    same_text("organizer_name", a->organizer_name, b->organizer_name);
    same_text("organization", a->organization, b->organization);
}

/* Events of every kind, validated. */
static int sample_events(moi_event *out)
{
    moi_event_input in;
    int n = 0;

    in = base_input();
    out[n++] = valid(&in);

    in = base_input();
    in.format = "hybride";
    in.region = "";
    in.department = "974";
    in.city = "Saint-Denis";
    in.venue = "";
    in.description = "Programme :\n- accueil\n- ateliers";
    in.accessibility = codes("moteur", "visuel", NULL);
    in.audience = codes("usagers", "grand_public", "usagers", NULL);
    in.online_url = "https://visio.example.fr/a?b=c";
    in.registration_url = "http://inscription.example.fr/";
    in.lab = "1";
    in.starts_at = "2022-11-02T00:00";
    in.ends_at = "2022-11-30T23:59";
    out[n++] = valid(&in);

    in = online_input();
    in.online_url = "";
    in.registration_url = "https://inscription.example.fr/";
    in.starts_at = "2022-11-15T18:00";
    in.ends_at = "2022-11-15T19:30";
    out[n++] = valid(&in);

    in = base_input();
    in.region = "01";
    in.department = "971";
    in.city = "Pointe-\xC3\xA0-Pitre";
    in.starts_at = "2022-11-30T21:00";
    in.ends_at = "2022-11-30T23:00";
    out[n++] = valid(&in);

    in = online_input();
    in.region = "94";
    in.starts_at = "2022-11-10T10:00:00+01:00";
    in.ends_at = "2022-11-10T11:00:00Z";
    out[n++] = valid(&in);

    /* Seconds given through the API. */
    in = base_input();
    in.starts_at = "2022-11-02T09:30:15+01:00";
    in.ends_at = "2022-11-02T11:45:59";
    out[n++] = valid(&in);
    return n;
}

START_TEST(input_from_event_round_trip)
{
    moi_event evs[8];
    int n = sample_events(evs), i;

    for (i = 0; i < n; i++) {
        moi_event_input in;
        moi_event back;
        moi_event_input_from_event(unit_pool, &evs[i], zone(evs[i].timezone), &in);
        back = valid(&in);
        same_event(&evs[i], &back);
    }
}
END_TEST

START_TEST(input_from_event_local_text)
{
    moi_event ev = timed("974", "2022-11-02T09:30", "2022-11-02T12:00");
    moi_event_input in;

    moi_event_input_from_event(unit_pool, &ev, zone("Indian/Reunion"), &in);
    ck_assert_str_eq(in.starts_at, "2022-11-02T09:30");
    ck_assert_str_eq(in.ends_at, "2022-11-02T12:00");
    ck_assert_str_eq(in.region, "04");
    ck_assert_str_eq(in.department, "974");
    ck_assert_str_eq(in.online_url, "");
    ck_assert_str_eq(in.lab, "");
    ck_assert_ptr_nonnull(in.accessibility);

    ev = timed(NULL, "2022-11-02T09:30", "2022-11-02T12:00");
    moi_event_input_from_event(unit_pool, &ev, zone("Europe/Paris"), &in);
    ck_assert_str_eq(in.region, "");
    ck_assert_str_eq(in.city, "");
}
END_TEST

/* PATCH: the stored event's input overlaid with the fields of body. */
static apr_array_header_t *patch(const moi_event *ev, const char *body, moi_event *out)
{
    moi_event_input in, top;
    apr_array_header_t *errors = from_json(body, &top);
    ck_assert_msg(errors->nelts == 0, "%s", errors_text(errors));
    moi_event_input_from_event(unit_pool, ev, zone(ev->timezone), &in);
    moi_event_input_merge(&in, &top);
    return validate(&in, out);
}

START_TEST(patch_semantics)
{
    moi_event evs[8], next, want;
    int n = sample_events(evs), i;
    apr_array_header_t *errors;

    /* An empty patch changes nothing. */
    for (i = 0; i < n; i++) {
        errors = patch(&evs[i], "{}", &next);
        ck_assert_msg(errors->nelts == 0, "%s", errors_text(errors));
        same_event(&evs[i], &next);
    }

    /* One field changes, the others stay. */
    errors = patch(&evs[1], "{\"title\":\"Un autre titre\",\"lab\":false}", &next);
    ck_assert_int_eq(errors->nelts, 0);
    want = evs[1];
    want.title = "Un autre titre";
    want.lab = 0;
    same_event(&want, &next);

    errors = patch(&evs[0], "{\"audience\":[\"usagers\"]}", &next);
    ck_assert_int_eq(errors->nelts, 0);
    ck_assert_int_eq(next.audience->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(next.audience, 0, const char *), "usagers");
    ck_assert_int_eq(next.starts_at, evs[0].starts_at);

    /* null clears. */
    errors = patch(&evs[1], "{\"registration_url\":null,\"accessibility\":null}", &next);
    ck_assert_int_eq(errors->nelts, 0);
    ck_assert_ptr_null(next.registration_url);
    ck_assert_int_eq(next.accessibility->nelts, 0);
    errors = patch(&evs[1], "{\"city\":null}", &next);
    ck_assert(has_error(errors, "city", "Indiquez la ville"));

    /* Going online drops no field but needs a link. */
    errors = patch(&evs[0], "{\"format\":\"en_ligne\"}", &next);
    ck_assert_int_eq(errors->nelts, 1);
    ck_assert(has_error(errors, "online_url", "lien de connexion"));
    errors = patch(&evs[0],
                   "{\"format\":\"en_ligne\",\"region\":null,\"department\":null,"
                   "\"city\":null,\"venue\":null,\"address\":null,"
                   "\"online_url\":\"https://visio.example.fr/\"}",
                   &next);
    ck_assert_int_eq(errors->nelts, 0);
    ck_assert_ptr_null(next.region);
    ck_assert_str_eq(next.timezone, "Europe/Paris");
    ck_assert_int_eq(next.starts_at, evs[0].starts_at);

    /* New times, as local text or RFC 3339. */
    errors = patch(&evs[1], "{\"ends_at\":\"2022-11-03T10:00:00+04:00\"}", &next);
    ck_assert_int_eq(errors->nelts, 0);
    ck_assert_int_eq(next.ends_at, utc(2022, 11, 3, 6, 0, 0));
    ck_assert_int_eq(next.starts_at, evs[1].starts_at);

    /* Rules still apply to the merged input. */
    errors = patch(&evs[0], "{\"title\":\"abc\"}", &next);
    ck_assert_int_eq(errors->nelts, 1);
    ck_assert(has_error(errors, "title", "(actuellement 3)"));
}
END_TEST

START_TEST(merge_overlays_present_fields)
{
    moi_event_input base = base_input(), top;

    memset(&top, 0, sizeof(top));
    top.summary = "Nouveau";
    top.lab = "1";
    top.audience = codes("usagers", NULL);
    moi_event_input_merge(&base, &top);
    ck_assert_str_eq(base.summary, "Nouveau");
    ck_assert_str_eq(base.lab, "1");
    ck_assert_int_eq(base.audience->nelts, 1);
    ck_assert_str_eq(base.title, "Atelier de design des politiques publiques");
    ck_assert_str_eq(base.region, "11");
    ck_assert_str_eq(base.starts_at, "2022-11-02T09:30");
}
END_TEST

START_TEST(json_get_then_put_round_trip)
{
    moi_event evs[8];
    int n = sample_events(evs), i;

    for (i = 0; i < n; i++) {
        moi_event ev = evs[i], back;
        json_t *j;
        char *text;
        moi_event_input in;
        apr_array_header_t *errors = new_errors();

        ev.id = "0123456789abcdef01234567";
        ev.status = "submitted";
        j = moi_event_to_json(unit_pool, &ev, zone(ev.timezone), "/x");
        text = json_dumps(j, 0);
        json_decref(j);
        j = json(text);
        free(text);
        moi_event_input_from_json(unit_pool, j, &in, errors);
        json_decref(j);
        ck_assert_msg(errors->nelts == 0, "%s", errors_text(errors));
        back = valid(&in);
        same_event(&evs[i], &back);
    }
}
END_TEST

/* ---- form input --------------------------------------------------------- */

START_TEST(form_input)
{
    const char *body =
        "title=++Atelier+des+agents++&summary=R%C3%A9sum%C3%A9&description=&type=visite"
        "&format=presentiel&audience=agents&audience=elus&accessibility=moteur"
        "&starts_at=2022-11-04T14%3A00&ends_at=2022-11-04T16%3A00&region=&department=2A"
        "&city=Ajaccio&venue=&address=Cours+Napol%C3%A9on&online_url=&registration_url="
        "&organizer_name=Marie&organization=Pr%C3%A9fecture";
    const char *why = NULL;
    moi_form *f = moi_form_parse(unit_pool, body, strlen(body), &why);
    moi_event_input in;
    moi_event ev;

    ck_assert_ptr_nonnull(f);
    moi_event_input_from_form(unit_pool, f, &in);
    ck_assert_str_eq(in.title, "Atelier des agents");
    ck_assert_str_eq(in.lab, "");
    ck_assert_int_eq(in.audience->nelts, 2);
    ev = valid(&in);
    ck_assert_str_eq(ev.region, "94");
    ck_assert_int_eq(ev.starts_at, utc(2022, 11, 4, 13, 0, 0));
    ck_assert_int_eq(ev.lab, 0);
    ck_assert_str_eq(ev.address, "Cours Napol" E_ACCENT "on");

    f = moi_form_parse(unit_pool, "lab=1", 5, &why);
    moi_event_input_from_form(unit_pool, f, &in);
    ck_assert_str_eq(in.lab, "1");
    ck_assert_ptr_null(in.title);
    ck_assert_int_eq(in.audience->nelts, 0);
}
END_TEST

Suite *event_suite(void)
{
    Suite *s = suite_create("event");
    TCase *tc = unit_tcase("texts");

    tcase_add_test(tc, base_inputs_are_valid);
    tcase_add_test(tc, title_length_in_characters);
    tcase_add_test(tc, title_required_and_one_line);
    tcase_add_test(tc, summary_length);
    tcase_add_test(tc, description_length);
    tcase_add_test(tc, organizer_texts);
    suite_add_tcase(s, tc);

    tc = unit_tcase("codes");
    tcase_add_test(tc, type_and_format_codes);
    tcase_add_test(tc, audience_codes);
    tcase_add_test(tc, accessibility_codes);
    suite_add_tcase(s, tc);

    tc = unit_tcase("place");
    tcase_add_test(tc, in_person_needs_a_place);
    tcase_add_test(tc, online_needs_a_link);
    tcase_add_test(tc, urls_absolute_http);
    tcase_add_test(tc, department_within_region);
    tcase_add_test(tc, timezone_from_department);
    tcase_add_test(tc, zone_unavailable);
    suite_add_tcase(s, tc);

    tc = unit_tcase("times");
    tcase_add_test(tc, local_times_in_the_event_zone);
    tcase_add_test(tc, rfc3339_times);
    tcase_add_test(tc, malformed_times);
    tcase_add_test(tc, times_inside_the_edition);
    tcase_add_test(tc, start_before_end);
    tcase_add_test(tc, lab_flag);
    tcase_add_test(tc, every_error_at_once);
    suite_add_tcase(s, tc);

    tc = unit_tcase("json");
    tcase_add_test(tc, json_full_input);
    tcase_add_test(tc, json_absent_fields_stay_null);
    tcase_add_test(tc, json_null_reads_as_empty);
    tcase_add_test(tc, json_wrong_types);
    tcase_add_test(tc, json_wrong_type_leaves_field_unset);
    tcase_add_test(tc, json_code_with_nul_refused);
    tcase_add_test(tc, json_unknown_keys);
    tcase_add_test(tc, json_read_only_keys_ignored);
    tcase_add_test(tc, json_output_fields);
    tcase_add_test(tc, json_output_offsets);
    suite_add_tcase(s, tc);

    tc = unit_tcase("round trips");
    tcase_add_test(tc, input_from_event_round_trip);
    tcase_add_test(tc, input_from_event_local_text);
    tcase_add_test(tc, patch_semantics);
    tcase_add_test(tc, merge_overlays_present_fields);
    tcase_add_test(tc, json_get_then_put_round_trip);
    tcase_add_test(tc, form_input);
    suite_add_tcase(s, tc);
    return s;
}
