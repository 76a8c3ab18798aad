/* moi_filter: the programme's filters, parsed from a query string, tested
 * against events (days in each event's own zone) and written back. */
#include <stdio.h>
#include <string.h>
#include <apr_strings.h>
#include "moi_filter.h"
#include "unit.h"

#define PAGE_SIZE 20

/* ---- parsing ------------------------------------------------------------ */

static moi_filter parse_api(const char *query, int api)
{
    moi_filter f;
    const char *param = NULL, *message = NULL;
    int rc = moi_filter_parse(unit_pool, query, api, PAGE_SIZE, &f, &param, &message);
    ck_assert_msg(rc == 0, "'%s' refused: %s %s", query ? query : "(null)",
                  param ? param : "", message ? message : "");
    return f;
}

static moi_filter parse(const char *query)
{
    return parse_api(query, 0);
}

/* query must be refused, naming param, with a French message. */
static void refused_api(const char *query, int api, const char *param_want)
{
    moi_filter f;
    const char *param = NULL, *message = NULL;
    int rc = moi_filter_parse(unit_pool, query, api, PAGE_SIZE, &f, &param, &message);
    ck_assert_msg(rc == -1, "'%s' accepted", query);
    ck_assert_msg(param && !strcmp(param, param_want),
                  "'%s': parameter '%s', expected '%s'", query, param ? param : "(null)",
                  param_want);
    ck_assert_msg(message && *message, "'%s': no message", query);
    /* The search box is named in words ("La recherche ..."). */
    if (*param_want && strcmp(param_want, "q") != 0) {
        ck_assert_msg(strstr(message, param_want) != NULL,
                      "'%s': message '%s' does not name %s", query, message, param_want);
    }
}

static void refused(const char *query, const char *param_want)
{
    refused_api(query, 0, param_want);
}

static const char *at(const apr_array_header_t *a, int i)
{
    ck_assert_ptr_nonnull(a);
    ck_assert_int_lt(i, a->nelts);
    return APR_ARRAY_IDX(a, i, const char *);
}

START_TEST(parse_defaults)
{
    static const char *const empty[] = {NULL, "", "&", "inconnu=1",
                                        "utm_source=lettre&x"};
    size_t i;

    for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        moi_filter f = parse(empty[i]);
        ck_assert_int_eq(f.has_du, 0);
        ck_assert_int_eq(f.has_au, 0);
        ck_assert_ptr_null(f.regions);
        ck_assert_ptr_null(f.departments);
        ck_assert_ptr_null(f.formats);
        ck_assert_ptr_null(f.types);
        ck_assert_ptr_null(f.audiences);
        ck_assert_ptr_null(f.words);
        ck_assert_int_eq(f.lab, 0);
        ck_assert_int_eq(f.page, 1);
        ck_assert_int_eq(f.per_page, PAGE_SIZE);
        ck_assert_str_eq(moi_filter_query(unit_pool, &f), "");
    }
}
END_TEST

START_TEST(parse_dates)
{
    moi_filter f = parse("du=2022-11-02&au=2022-11-15");

    ck_assert_int_eq(f.has_du, 1);
    ck_assert_int_eq(f.du.year, 2022);
    ck_assert_int_eq(f.du.month, 11);
    ck_assert_int_eq(f.du.day, 2);
    ck_assert_int_eq(f.has_au, 1);
    ck_assert_int_eq(f.au.day, 15);

    f = parse("du=2022-11-05&au=2022-11-05");
    ck_assert_int_eq(f.has_du && f.has_au, 1);
    f = parse("au=2022-11-30");
    ck_assert_int_eq(f.has_du, 0);
    ck_assert_int_eq(f.has_au, 1);
    f = parse("du=&au=");
    ck_assert_int_eq(f.has_du || f.has_au, 0);

    refused("du=2022-11-31", "du");
    refused("du=2022-13-01", "du");
    refused("du=02/11/2022", "du");
    refused("du=2022-11-02T10:00", "du");
    refused("du=+2022-11-02", "du");
    refused("du=2022-11-2", "du");
    refused("au=demain", "au");
    refused("au=2022-02-29", "au");
    refused("du=2022-11-03&au=2022-11-02", "au");
    refused("au=2022-11-02&du=2022-11-03", "au");
}
END_TEST

START_TEST(parse_places)
{
    moi_filter f =
        parse("region=84&region=national&region=04&departement=2A&departement=974");

    ck_assert_int_eq(f.regions->nelts, 3);
    ck_assert_str_eq(at(f.regions, 0), "84");
    ck_assert_str_eq(at(f.regions, 1), "national");
    ck_assert_str_eq(at(f.regions, 2), "04");
    ck_assert_int_eq(f.departments->nelts, 2);
    ck_assert_str_eq(at(f.departments, 0), "2A");
    ck_assert_str_eq(at(f.departments, 1), "974");

    refused("region=99", "region");
    refused("region=84&region=99", "region");
    refused("region=National", "region");
    refused("region=4", "region");
    refused("region=05", "region");
    refused("region=974", "region");
    refused("region=%24ne", "region");
    refused("departement=20", "departement");
    refused("departement=2a", "departement");
    refused("departement=978", "departement");
    refused("departement=75&departement=7", "departement");
    refused("departement=national", "departement");
}
END_TEST

START_TEST(parse_codes)
{
    moi_filter f =
        parse("format=hybride&format=en_ligne&type=visite&public=elus&public=usagers");

    ck_assert_int_eq(f.formats->nelts, 2);
    ck_assert_str_eq(at(f.formats, 1), "en_ligne");
    ck_assert_int_eq(f.types->nelts, 1);
    ck_assert_str_eq(at(f.types, 0), "visite");
    ck_assert_int_eq(f.audiences->nelts, 2);
    ck_assert_str_eq(at(f.audiences, 1), "usagers");

    refused("format=distanciel", "format");
    refused("format=Hybride", "format");
    refused("type=atelier", "type");
    refused("type=visite&type=salon", "type");
    refused("public=etudiants", "public");
    refused("public=moteur", "public");
    refused("region=84&format=bogus&type=visite", "format");
}
END_TEST

/* An empty select of a GET form ("Toutes les régions") sends "region=":
 * that is no filter, as for du, au, q, lab and page. */
START_TEST(parse_empty_values_mean_no_filter)
{
    moi_filter f =
        parse("du=&au=&region=&departement=&format=&type=&public=&q=&lab=&page=");

    ck_assert_int_eq(f.has_du || f.has_au, 0);
    ck_assert_ptr_null(f.regions);
    ck_assert_ptr_null(f.departments);
    ck_assert_ptr_null(f.formats);
    ck_assert_ptr_null(f.types);
    ck_assert_ptr_null(f.audiences);
    ck_assert_ptr_null(f.words);
    ck_assert_int_eq(f.lab, 0);
    ck_assert_int_eq(f.page, 1);

    f = parse("region=&type=&type=visite");
    ck_assert_ptr_null(f.regions);
    ck_assert_int_eq(f.types->nelts, 1);
    f = parse("region=&region=84&format=presentiel&format=");
    ck_assert_int_eq(f.regions->nelts, 1);
    ck_assert_str_eq(at(f.regions, 0), "84");
    ck_assert_int_eq(f.formats->nelts, 1);
    ck_assert_str_eq(moi_filter_query(unit_pool, &f), "region=84&format=presentiel");
}
END_TEST

START_TEST(parse_words)
{
    moi_filter f = parse("q=%C3%89l%C3%A8ve++CAF%C3%89%09%C5%92uvre+x");

    ck_assert_int_eq(f.words->nelts, 4);
    ck_assert_str_eq(at(f.words, 0), "eleve");
    ck_assert_str_eq(at(f.words, 1), "cafe");
    ck_assert_str_eq(at(f.words, 2), "oeuvre");
    ck_assert_str_eq(at(f.words, 3), "x");

    f = parse("q=+++");
    ck_assert_ptr_null(f.words);
    f = parse("q=un+deux+trois+quatre+cinq+six+sept+huit+neuf+dix");
    ck_assert_int_eq(f.words->nelts, 10);
    refused("q=un+deux+trois+quatre+cinq+six+sept+huit+neuf+dix+onze", "q");

    /* At most 200 characters, counted as characters. */
    f = parse(apr_pstrcat(unit_pool, "q=", apr_psprintf(unit_pool, "%0200d", 0), NULL));
    ck_assert_int_eq(f.words->nelts, 1);
    refused(apr_pstrcat(unit_pool, "q=", apr_psprintf(unit_pool, "%0201d", 0), NULL),
            "q");
    {
        const char *e100 = "";
        int i;
        for (i = 0; i < 100; i++) {
            e100 = apr_pstrcat(unit_pool, e100, "%C3%A9", NULL);
        }
        f = parse(apr_pstrcat(unit_pool, "q=", e100, e100, NULL));
        ck_assert_int_eq(f.words->nelts, 1);
        ck_assert_uint_eq(strlen(at(f.words, 0)), 200);
        refused(apr_pstrcat(unit_pool, "q=", e100, e100, "x", NULL), "q");
    }
}
END_TEST

START_TEST(parse_lab_and_pages)
{
    moi_filter f = parse("lab=1&page=3");

    ck_assert_int_eq(f.lab, 1);
    ck_assert_int_eq(f.page, 3);
    ck_assert_int_eq(parse("page=100000").page, 100000);
    ck_assert_int_eq(parse("page=999999").page, 999999); /* past the end: an empty page */

    refused("lab=0", "lab");
    refused("lab=true", "lab");
    refused("lab=on", "lab");
    refused("lab=11", "lab");
    refused("page=0", "page");
    refused("page=-1", "page");
    refused("page=01", "page");
    refused("page=+2", "page");
    refused("page=2.5", "page");
    refused("page=deux", "page");
    refused("page=1000000001", "page");
    {
        /* "Œ" folds to two letters: 200 of them typed would give 400
         * characters in the paging links, which the parser refuses. */
        char q[2 + 200 * 6 + 1] = "q=";
        int i;
        for (i = 0; i < 200; i++) {
            strcat(q, "%C5%92");
        }
        refused(q, "q"); /* OE_200 */
    }
    refused("page=99999999999999999999", "page");
}
END_TEST

START_TEST(parse_per_page)
{
    ck_assert_int_eq(parse_api("per_page=1", 1).per_page, 1);
    ck_assert_int_eq(parse_api("per_page=100", 1).per_page, 100);
    ck_assert_int_eq(parse_api("per_page=50&page=2", 1).page, 2);
    ck_assert_int_eq(parse_api("", 1).per_page, PAGE_SIZE);
    ck_assert_int_eq(parse_api("per_page=", 1).per_page, PAGE_SIZE);
    refused_api("per_page=101", 1, "per_page");
    refused_api("per_page=0", 1, "per_page");
    refused_api("per_page=-5", 1, "per_page");
    refused_api("per_page=dix", 1, "per_page");
    refused_api("per_page=1000", 1, "per_page");

    /* Outside the API, per_page is not a parameter: the page size stays. */
    ck_assert_int_eq(parse_api("per_page=101", 0).per_page, PAGE_SIZE);
    ck_assert_int_eq(parse_api("per_page=5", 0).per_page, PAGE_SIZE);
}
END_TEST

START_TEST(parse_malformed_query)
{
    moi_filter f;
    const char *param = NULL, *message = NULL;

    ck_assert_int_eq(
        moi_filter_parse(unit_pool, "q=%zz", 0, PAGE_SIZE, &f, &param, &message), -1);
    ck_assert_ptr_nonnull(param);
    ck_assert_ptr_nonnull(message);
    ck_assert(strstr(message, "mal form") != NULL);
    ck_assert_int_eq(
        moi_filter_parse(unit_pool, "region[$ne]=1", 0, PAGE_SIZE, &f, &param, &message),
        -1);
    ck_assert_int_eq(
        moi_filter_parse(unit_pool, "q=%C3%28", 0, PAGE_SIZE, &f, &param, &message), -1);
}
END_TEST

/* ---- matching ----------------------------------------------------------- */

static const moi_tz *zone(const char *name)
{
    const char *err = NULL;
    moi_tz *tz = moi_tz_load(unit_pool, NULL, name, &err);
    ck_assert_msg(tz != NULL, "%s: %s", name, err ? err : "");
    return tz;
}

/* The instant of local time "YYYY-MM-DDTHH:MM" in zone tz. */
static apr_time_t local(const moi_tz *tz, const char *s)
{
    int y, mo, d, h, mi;
    apr_time_t t = 0;
    ck_assert_int_eq(sscanf(s, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi), 5);
    ck_assert_int_eq(moi_tz_from_local(tz, y, mo, d, h, mi, 0, &t), 0);
    return t;
}

static apr_array_header_t *list(const char *a, const char *b)
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

/* A published in-person event in Paris on 2022-11-02 10:00-12:00. */
static moi_event *paris_event(void)
{
    moi_event *ev = apr_pcalloc(unit_pool, sizeof(*ev));
    ev->edition = 2022;
    ev->title = "Conf\xC3\xA9rence : la parole de l'\xC3\x89l\xC3\xA8ve";
    ev->summary = "Des \xC3\xA9l\xC3\xA8ves pr\xC3\xA9sentent leurs projets.";
    ev->description = "Suivie d'un ap\xC3\xA9ritif.";
    ev->type = "conference";
    ev->format = "presentiel";
    ev->audience = list("agents", "elus");
    ev->accessibility = list(NULL, NULL);
    ev->timezone = "Europe/Paris";
    ev->region = "11";
    ev->department = "75";
    ev->city = "Paris";
    ev->venue = "Salle Marianne";
    ev->address = "1 rue Oberkampf";
    ev->organizer_name = "Jeanne Zola";
    ev->organization = "Caf\xC3\xA9 des sciences";
    ev->status = "published";
    ev->starts_at = local(zone(ev->timezone), "2022-11-02T10:00");
    ev->ends_at = local(zone(ev->timezone), "2022-11-02T12:00");
    return ev;
}

/* The event ev in department dep of region, zone name, from start to end (local). */
static moi_event *placed(const char *region, const char *dep, const char *tzname,
                         const char *start, const char *end)
{
    moi_event *ev = paris_event();
    ev->region = region;
    ev->department = dep;
    ev->timezone = tzname;
    ev->starts_at = local(zone(tzname), start);
    ev->ends_at = local(zone(tzname), end);
    return ev;
}

static moi_event *online_event(const char *region)
{
    moi_event *ev = paris_event();
    ev->format = "en_ligne";
    ev->type = "webinaire";
    ev->region = region;
    ev->department = NULL;
    ev->city = NULL;
    ev->venue = NULL;
    ev->address = NULL;
    ev->online_url = "https://visio.example.fr/";
    return ev;
}

static int matches(const char *query, const moi_event *ev)
{
    moi_filter f = parse(query);
    return moi_filter_match(&f, ev, zone(ev->timezone),
                            moi_filter_haystack(unit_pool, ev));
}

#define MATCH(q, ev) ck_assert_msg(matches(q, ev), "'%s' does not match", q)
#define NO_MATCH(q, ev) ck_assert_msg(!matches(q, ev), "'%s' matches", q)

START_TEST(match_everything_without_filters)
{
    MATCH("", paris_event());
    MATCH("page=4", paris_event());
    MATCH("", online_event(NULL));
}
END_TEST

START_TEST(match_days_in_the_event_zone)
{
    /* 22:00-23:30 at La Réunion on the 2nd: 18:00-19:30 UTC. */
    moi_event *ev =
        placed("04", "974", "Indian/Reunion", "2022-11-02T22:00", "2022-11-02T23:30");
    MATCH("du=2022-11-02&au=2022-11-02", ev);
    MATCH("du=2022-11-01&au=2022-11-02", ev);
    MATCH("du=2022-11-02", ev);
    MATCH("au=2022-11-02", ev);
    NO_MATCH("du=2022-11-03&au=2022-11-03", ev);
    NO_MATCH("du=2022-11-03", ev);
    NO_MATCH("au=2022-11-01", ev);

    /* 01:00-02:00 at La Réunion on the 3rd is still the 2nd in UTC and Paris. */
    ev = placed("04", "974", "Indian/Reunion", "2022-11-03T01:00", "2022-11-03T02:00");
    MATCH("du=2022-11-03&au=2022-11-03", ev);
    NO_MATCH("du=2022-11-02&au=2022-11-02", ev);
    NO_MATCH("au=2022-11-02", ev);

    /* 22:00-23:30 in Guadeloupe on the 2nd is the 3rd in UTC and Paris. */
    ev =
        placed("01", "971", "America/Guadeloupe", "2022-11-02T22:00", "2022-11-02T23:30");
    MATCH("du=2022-11-02&au=2022-11-02", ev);
    NO_MATCH("du=2022-11-03&au=2022-11-03", ev);
    NO_MATCH("du=2022-11-03", ev);
}
END_TEST

START_TEST(match_end_at_midnight)
{
    moi_event *ev =
        placed("11", "75", "Europe/Paris", "2022-11-02T22:00", "2022-11-03T00:00");
    MATCH("du=2022-11-02&au=2022-11-02", ev);
    NO_MATCH("du=2022-11-03&au=2022-11-03", ev);
    NO_MATCH("du=2022-11-03", ev);

    ev = placed("11", "75", "Europe/Paris", "2022-11-02T22:00", "2022-11-03T00:01");
    MATCH("du=2022-11-03&au=2022-11-03", ev);

    /* Starting at midnight is on that day. */
    ev = placed("11", "75", "Europe/Paris", "2022-11-03T00:00", "2022-11-03T01:00");
    MATCH("du=2022-11-03&au=2022-11-03", ev);
    NO_MATCH("au=2022-11-02", ev);

    /* At La Réunion, midnight local. */
    ev = placed("04", "974", "Indian/Reunion", "2022-11-04T20:00", "2022-11-05T00:00");
    MATCH("au=2022-11-04&du=2022-11-04", ev);
    NO_MATCH("du=2022-11-05", ev);
}
END_TEST

START_TEST(match_overlap_of_several_days)
{
    moi_event *ev =
        placed("11", "75", "Europe/Paris", "2022-11-02T10:00", "2022-11-05T12:00");
    MATCH("du=2022-11-04&au=2022-11-04", ev);
    MATCH("du=2022-11-01&au=2022-11-02", ev);
    MATCH("du=2022-11-05&au=2022-11-30", ev);
    MATCH("du=2022-10-01&au=2022-12-31", ev);
    NO_MATCH("du=2022-11-06", ev);
    NO_MATCH("au=2022-11-01", ev);
    NO_MATCH("du=2022-10-01&au=2022-11-01", ev);
}
END_TEST

START_TEST(match_or_within_and_across)
{
    moi_event *ev = paris_event();

    MATCH("region=11", ev);
    MATCH("region=84&region=11", ev);
    NO_MATCH("region=84", ev);
    MATCH("departement=75", ev);
    MATCH("departement=13&departement=75", ev);
    NO_MATCH("departement=13", ev);
    MATCH("format=presentiel", ev);
    MATCH("format=hybride&format=presentiel", ev);
    NO_MATCH("format=en_ligne", ev);
    MATCH("type=conference", ev);
    MATCH("type=visite&type=conference", ev);
    NO_MATCH("type=visite", ev);
    MATCH("public=elus", ev);
    MATCH("public=usagers&public=agents", ev);
    NO_MATCH("public=usagers&public=grand_public", ev);

    MATCH("region=11&departement=75&format=presentiel&type=conference&public=agents", ev);
    NO_MATCH("region=11&format=en_ligne", ev);
    NO_MATCH("region=84&format=presentiel", ev);
    NO_MATCH("region=11&departement=75&format=presentiel&type=conference&public=usagers",
             ev);
    NO_MATCH("format=presentiel&du=2022-11-03", ev);
    MATCH("format=en_ligne&format=presentiel&region=national&region=11", ev);
}
END_TEST

START_TEST(match_national)
{
    moi_event *national = online_event(NULL);
    moi_event *regional = online_event("84");

    MATCH("region=national", national);
    MATCH("region=national&region=84", national);
    NO_MATCH("region=84", national);
    NO_MATCH("departement=75", national);
    NO_MATCH("region=national", regional);
    MATCH("region=84", regional);
    MATCH("region=national&region=84", regional);
    NO_MATCH("region=national", paris_event());
    MATCH("region=national&format=en_ligne", national);
    NO_MATCH("region=national&format=presentiel", national);
}
END_TEST

START_TEST(match_lab)
{
    moi_event *ev = paris_event();

    MATCH("", ev);
    NO_MATCH("lab=1", ev);
    ev->lab = 1;
    MATCH("lab=1", ev);
    MATCH("", ev);
}
END_TEST

START_TEST(match_words)
{
    moi_event *ev = paris_event();

    MATCH("q=eleve", ev);
    MATCH("q=%C3%89L%C3%88VE", ev);
    MATCH("q=ELEVE", ev);
    MATCH("q=CAFE", ev);
    MATCH("q=caf%C3%A9", ev);
    MATCH("q=conference+eleve", ev);
    MATCH("q=ele", ev);
    MATCH("q=aperitif", ev);           /* description */
    MATCH("q=PARIS", ev);              /* city */
    MATCH("q=sciences", ev);           /* organisation */
    MATCH("q=presentent+projets", ev); /* summary */
    MATCH("q=eleve+paris+cafe", ev);
    NO_MATCH("q=eleve+lyon", ev);
    NO_MATCH("q=lyon+eleve", ev);
    NO_MATCH("q=atelier", ev);
    NO_MATCH("q=marianne", ev);  /* the venue is not searched */
    NO_MATCH("q=oberkampf", ev); /* nor the address */
    NO_MATCH("q=zola", ev);      /* nor the organiser's name */
    /* A word does not run across two fields. */
    NO_MATCH("q=projets.suivie", ev);
    NO_MATCH("q=eleveparis", ev);

    ev->title = "\xC5\x92uvres d'art et \xC3\x86sop";
    MATCH("q=oeuvres", ev);
    MATCH("q=%C5%93uvre", ev);
    MATCH("q=aesop", ev);

    /* Fields may be absent. */
    ev = online_event(NULL);
    ev->description = NULL;
    MATCH("q=eleve", ev);
    NO_MATCH("q=paris", ev);
}
END_TEST

START_TEST(haystack_is_folded)
{
    moi_event *ev = paris_event();
    const char *h = moi_filter_haystack(unit_pool, ev);

    ck_assert(strstr(h, "conference : la parole de l'eleve") != NULL);
    ck_assert(strstr(h, "cafe des sciences") != NULL);
    ck_assert(strstr(h, "paris") != NULL);
    ck_assert(strstr(h, "Paris") == NULL);

    memset(ev, 0, sizeof(*ev));
    ck_assert_ptr_nonnull(moi_filter_haystack(unit_pool, ev));
}
END_TEST

/* ---- query -------------------------------------------------------------- */

static void same_list(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;
    ck_assert((a == NULL) == (b == NULL));
    if (!a) {
        return;
    }
    ck_assert_int_eq(a->nelts, b->nelts);
    for (i = 0; i < a->nelts; i++) {
        ck_assert_str_eq(at(a, i), at(b, i));
    }
}

static void same_filter(const moi_filter *a, const moi_filter *b)
{
    ck_assert_int_eq(a->has_du, b->has_du);
    ck_assert_int_eq(a->has_au, b->has_au);
    if (a->has_du) {
        ck_assert_int_eq(moi_date_cmp(&a->du, &b->du), 0);
    }
    if (a->has_au) {
        ck_assert_int_eq(moi_date_cmp(&a->au, &b->au), 0);
    }
    same_list(a->regions, b->regions);
    same_list(a->departments, b->departments);
    same_list(a->formats, b->formats);
    same_list(a->types, b->types);
    same_list(a->audiences, b->audiences);
    same_list(a->words, b->words);
    ck_assert_int_eq(a->lab, b->lab);
}

START_TEST(query_reproduces_the_filter)
{
    static const char *const queries[] = {
        "",
        "du=2022-11-02",
        "au=2022-11-30",
        "au=2022-11-03&page=3&du=2022-11-02",
        "region=84&region=national&departement=2A&departement=974",
        "format=hybride&type=atelier_participatif&type=visite&public=elus&public=agents",
        "q=%C3%89l%C3%A8ve+CAF%C3%89&lab=1",
        "q=a%26b%3Dc+100%25+%3F%23+l%27%C5%93uvre",
        "lab=1&q=+x+&region=national&page=2"};
    size_t i;

    for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        moi_filter f = parse(queries[i]), g;
        const char *q = moi_filter_query(unit_pool, &f);
        ck_assert_msg(!strstr(q, "page="), "%s", q);
        g = parse(q);
        same_filter(&f, &g);
        ck_assert_int_eq(g.page, 1);
        /* And it is stable. */
        ck_assert_str_eq(moi_filter_query(unit_pool, &g), q);
    }
}
END_TEST

START_TEST(query_text)
{
    moi_filter f =
        parse("au=2022-11-03&du=2022-11-02&region=84&region=national"
              "&departement=2A&format=hybride&type=atelier_participatif"
              "&public=elus&public=agents&q=%C3%89l%C3%A8ve+CAF%C3%89&lab=1&page=3");
    ck_assert_str_eq(
        moi_filter_query(unit_pool, &f),
        "du=2022-11-02&au=2022-11-03&region=84&region=national&departement=2A"
        "&format=hybride&type=atelier_participatif&public=elus&public=agents"
        "&q=eleve%20cafe&lab=1");
    f = parse("page=2&per_page=10");
    ck_assert_str_eq(moi_filter_query(unit_pool, &f), "");
    f = parse("q=%26x%3D1");
    ck_assert_str_eq(moi_filter_query(unit_pool, &f), "q=%26x%3D1");
}
END_TEST

Suite *filter_suite(void)
{
    Suite *s = suite_create("filter");
    TCase *tc = unit_tcase("parse");

    tcase_add_test(tc, parse_defaults);
    tcase_add_test(tc, parse_dates);
    tcase_add_test(tc, parse_places);
    tcase_add_test(tc, parse_codes);
    tcase_add_test(tc, parse_empty_values_mean_no_filter);
    tcase_add_test(tc, parse_words);
    tcase_add_test(tc, parse_lab_and_pages);
    tcase_add_test(tc, parse_per_page);
    tcase_add_test(tc, parse_malformed_query);
    suite_add_tcase(s, tc);

    tc = unit_tcase("match");
    tcase_add_test(tc, match_everything_without_filters);
    tcase_add_test(tc, match_days_in_the_event_zone);
    tcase_add_test(tc, match_end_at_midnight);
    tcase_add_test(tc, match_overlap_of_several_days);
    tcase_add_test(tc, match_or_within_and_across);
    tcase_add_test(tc, match_national);
    tcase_add_test(tc, match_lab);
    tcase_add_test(tc, match_words);
    tcase_add_test(tc, haystack_is_folded);
    suite_add_tcase(s, tc);

    tc = unit_tcase("query");
    tcase_add_test(tc, query_reproduces_the_filter);
    tcase_add_test(tc, query_text);
    suite_add_tcase(s, tc);
    return s;
}
