/* moi_route: path and method matching, the Allow header. */
#include <string.h>
#include "moi_route.h"
#include "unit.h"

enum { R_HOME = 1, R_LIST, R_CREATE, R_ICS, R_SHOW, R_EDIT, R_API, R_CSV };

#define ALL_METHODS (MOI_M_GET | MOI_M_POST | MOI_M_PUT | MOI_M_PATCH | MOI_M_DELETE)

static const moi_route routes[] = {
    {"/", MOI_M_GET, R_HOME},
    {"/evenements", MOI_M_GET, R_LIST},
    {"/evenements", MOI_M_POST, R_CREATE},
    {"/evenements/{id}.ics", MOI_M_GET, R_ICS},
    {"/evenements/{id}", MOI_M_GET | MOI_M_POST, R_SHOW},
    {"/evenements/{id}/modifier", MOI_M_GET | MOI_M_POST, R_EDIT},
    {"/api/evenements/{id}", MOI_M_GET | MOI_M_PUT | MOI_M_PATCH | MOI_M_DELETE, R_API},
    {"/export/programme-{id}.csv", MOI_M_GET, R_CSV},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* The match of path and method against routes, with the struct filled with
 * garbage first so that every field is known to be written. */
static moi_route_result match(const moi_route *table, size_t n, const char *path,
                              int method, moi_route_match_t *m)
{
    memset(m, 0xA5, sizeof(*m));
    return moi_route_match(table, n, path, method, m);
}

static void found(const char *path, int method, int id, const char *param)
{
    moi_route_match_t m;
    ck_assert_msg(match(routes, NROUTES, path, method, &m) == MOI_ROUTE_FOUND,
                  "%s (%d) not found", path, method);
    ck_assert_ptr_nonnull(m.route);
    ck_assert_msg(m.route->id == id, "%s (%d) gave route %d, want %d", path, method,
                  m.route->id, id);
    ck_assert_msg(m.route->methods & method, "%s: route does not allow %d", path, method);
    if (param) {
        ck_assert_ptr_nonnull(m.param);
        ck_assert_msg(
            m.param_len == strlen(param) && strncmp(m.param, param, m.param_len) == 0,
            "%s gave param '%.*s', want '%s'", path, (int)m.param_len, m.param, param);
        /* the parameter points into the path, nothing is copied */
        ck_assert_msg(m.param >= path && m.param + m.param_len <= path + strlen(path),
                      "%s: param does not point into the path", path);
    } else {
        ck_assert_ptr_null(m.param);
        ck_assert_uint_eq(m.param_len, 0);
    }
}

static void not_found(const char *path, int method)
{
    moi_route_match_t m;
    ck_assert_msg(match(routes, NROUTES, path, method, &m) == MOI_ROUTE_NOT_FOUND,
                  "'%s' (%d) matched", path, method);
    ck_assert_ptr_null(m.route);
    ck_assert_ptr_null(m.param);
    ck_assert_uint_eq(m.param_len, 0);
    ck_assert_int_eq(m.allowed, 0);
}

static void not_allowed(const char *path, int method, int allowed)
{
    moi_route_match_t m;
    ck_assert_msg(match(routes, NROUTES, path, method, &m) ==
                      MOI_ROUTE_METHOD_NOT_ALLOWED,
                  "%s (%d) is not a 405", path, method);
    ck_assert_ptr_null(m.route);
    ck_assert_msg(m.allowed == allowed, "%s: allowed %d, want %d", path, m.allowed,
                  allowed);
}

START_TEST(literal_routes)
{
    found("/", MOI_M_GET, R_HOME, NULL);
    found("/evenements", MOI_M_GET, R_LIST, NULL);
    found("/evenements", MOI_M_POST, R_CREATE, NULL);
}
END_TEST

START_TEST(allowed_is_union_when_found)
{
    moi_route_match_t m;
    ck_assert_int_eq(match(routes, NROUTES, "/evenements", MOI_M_POST, &m),
                     MOI_ROUTE_FOUND);
    ck_assert_int_eq(m.allowed, MOI_M_GET | MOI_M_POST);
    ck_assert_ptr_eq(m.route, &routes[2]);
}
END_TEST

START_TEST(placeholder_capture)
{
    found("/evenements/42", MOI_M_GET, R_SHOW, "42");
    found("/evenements/42", MOI_M_POST, R_SHOW, "42");
    found("/evenements/6361a0c2e4b0a1b2c3d4e5f6", MOI_M_GET, R_SHOW,
          "6361a0c2e4b0a1b2c3d4e5f6");
    found("/evenements/x", MOI_M_GET, R_SHOW, "x");
    found("/evenements/42/modifier", MOI_M_GET, R_EDIT, "42");
    found("/evenements/42/modifier", MOI_M_POST, R_EDIT, "42");
    found("/api/evenements/42", MOI_M_DELETE, R_API, "42");
    found("/api/evenements/42", MOI_M_PATCH, R_API, "42");
}
END_TEST

START_TEST(placeholder_with_suffix)
{
    found("/evenements/42.ics", MOI_M_GET, R_ICS, "42");
    found("/evenements/a.ics.ics", MOI_M_GET, R_ICS, "a.ics");
    found("/evenements/.ics.ics", MOI_M_GET, R_ICS, ".ics");
    found("/export/programme-2022.csv", MOI_M_GET, R_CSV, "2022");
    /* a suffix that does not match falls through to the bare placeholder */
    found("/evenements/42.ical", MOI_M_GET, R_SHOW, "42.ical");
    found("/evenements/42.ics.bak", MOI_M_GET, R_SHOW, "42.ics.bak");
    /* the first route whose pattern and method match wins: R_ICS takes
     * only GET, so a POST goes on to R_SHOW with the whole segment */
    found("/evenements/42.ics", MOI_M_POST, R_SHOW, "42.ics");
}
END_TEST

START_TEST(first_match_wins)
{
    static const moi_route bare_first[] = {
        {"/e/{id}", MOI_M_GET, 1},
        {"/e/{id}.ics", MOI_M_GET, 2},
    };
    static const moi_route suffix_first[] = {
        {"/e/{id}.ics", MOI_M_GET, 2},
        {"/e/{id}", MOI_M_GET, 1},
    };
    static const moi_route duplicate[] = {
        {"/e", MOI_M_GET, 1},
        {"/e", MOI_M_GET, 2},
    };
    moi_route_match_t m;

    ck_assert_int_eq(match(bare_first, 2, "/e/7.ics", MOI_M_GET, &m), MOI_ROUTE_FOUND);
    ck_assert_int_eq(m.route->id, 1);
    ck_assert_uint_eq(m.param_len, 5);
    ck_assert_mem_eq(m.param, "7.ics", 5);

    ck_assert_int_eq(match(suffix_first, 2, "/e/7.ics", MOI_M_GET, &m), MOI_ROUTE_FOUND);
    ck_assert_int_eq(m.route->id, 2);
    ck_assert_uint_eq(m.param_len, 1);
    ck_assert_mem_eq(m.param, "7", 1);

    ck_assert_int_eq(match(suffix_first, 2, "/e/7", MOI_M_GET, &m), MOI_ROUTE_FOUND);
    ck_assert_int_eq(m.route->id, 1);
    ck_assert_uint_eq(m.param_len, 1);

    ck_assert_int_eq(match(duplicate, 2, "/e", MOI_M_GET, &m), MOI_ROUTE_FOUND);
    ck_assert_ptr_eq(m.route, &duplicate[0]);
}
END_TEST

START_TEST(method_not_allowed)
{
    not_allowed("/", MOI_M_POST, MOI_M_GET);
    not_allowed("/evenements", MOI_M_DELETE, MOI_M_GET | MOI_M_POST);
    not_allowed("/evenements", MOI_M_PUT, MOI_M_GET | MOI_M_POST);
    not_allowed("/evenements/42", MOI_M_DELETE, MOI_M_GET | MOI_M_POST);
    not_allowed("/evenements/42/modifier", MOI_M_PATCH, MOI_M_GET | MOI_M_POST);
    /* R_ICS (GET) and R_SHOW (GET, POST) both match the path */
    not_allowed("/evenements/42.ics", MOI_M_DELETE, MOI_M_GET | MOI_M_POST);
    not_allowed("/api/evenements/42", MOI_M_POST,
                MOI_M_GET | MOI_M_PUT | MOI_M_PATCH | MOI_M_DELETE);
    not_allowed("/export/programme-2022.csv", MOI_M_POST, MOI_M_GET);
}
END_TEST

START_TEST(no_route)
{
    static const char *const paths[] = {"",
                                        "/nope",
                                        "/evenement",
                                        "/evenementsx",
                                        "/Evenements",
                                        "//",
                                        "/evenements/42/autre",
                                        "/evenements/42/modifier/x",
                                        "/api/evenements",
                                        "/api/evenements/42/x",
                                        "/api",
                                        "/export/programme-2022.CSV",
                                        "/export/programme2022.csv",
                                        "/export/programme-2022.csv.gz",
                                        "evenements",
                                        "/evenements?x=1/"};
    size_t i;
    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        not_found(paths[i], MOI_M_GET);
        not_found(paths[i], MOI_M_DELETE);
    }
}
END_TEST

START_TEST(trailing_slash_does_not_match)
{
    not_found("/evenements/", MOI_M_GET);
    not_found("/evenements/42/", MOI_M_GET);
    not_found("/evenements/42.ics/", MOI_M_GET);
    not_found("/evenements/42/modifier/", MOI_M_GET);
    not_found("/api/evenements/42/", MOI_M_GET);
    not_found("/evenements//", MOI_M_GET);
}
END_TEST

START_TEST(empty_id_refused)
{
    static const moi_route only_ics[] = {{"/e/{id}.ics", MOI_M_GET, 1}};
    static const moi_route prefixed[] = {{"/e/n-{id}", MOI_M_GET, 1}};
    moi_route_match_t m;

    not_found("/evenements/", MOI_M_GET);
    not_found("/evenements//modifier", MOI_M_GET);
    not_found("/api/evenements/", MOI_M_DELETE);
    not_found("/export/programme-.csv", MOI_M_GET);
    ck_assert_int_eq(match(only_ics, 1, "/e/.ics", MOI_M_GET, &m), MOI_ROUTE_NOT_FOUND);
    ck_assert_int_eq(match(only_ics, 1, "/e/ics", MOI_M_GET, &m), MOI_ROUTE_NOT_FOUND);
    ck_assert_int_eq(match(only_ics, 1, "/e/", MOI_M_GET, &m), MOI_ROUTE_NOT_FOUND);
    ck_assert_int_eq(match(only_ics, 1, "/e", MOI_M_GET, &m), MOI_ROUTE_NOT_FOUND);
    ck_assert_int_eq(match(only_ics, 1, "/e/a/b.ics", MOI_M_GET, &m),
                     MOI_ROUTE_NOT_FOUND);
    ck_assert_int_eq(match(prefixed, 1, "/e/n-", MOI_M_GET, &m), MOI_ROUTE_NOT_FOUND);
    ck_assert_int_eq(match(prefixed, 1, "/e/n-9", MOI_M_GET, &m), MOI_ROUTE_FOUND);
    ck_assert_uint_eq(m.param_len, 1);
    ck_assert_int_eq(m.param[0], '9');
}
END_TEST

START_TEST(empty_table)
{
    moi_route_match_t m;
    ck_assert_int_eq(match(routes, 0, "/", MOI_M_GET, &m), MOI_ROUTE_NOT_FOUND);
    ck_assert_ptr_null(m.route);
    ck_assert_int_eq(m.allowed, 0);
}
END_TEST

static const char *allow(int methods)
{
    static char buf[40];
    ck_assert_ptr_eq(moi_route_allow_header(methods, buf, sizeof(buf)), buf);
    return buf;
}

START_TEST(allow_header_text)
{
    ck_assert_str_eq(allow(0), "");
    ck_assert_str_eq(allow(MOI_M_GET), "GET, HEAD");
    ck_assert_str_eq(allow(MOI_M_POST), "POST");
    ck_assert_str_eq(allow(MOI_M_PUT), "PUT");
    ck_assert_str_eq(allow(MOI_M_PATCH), "PATCH");
    ck_assert_str_eq(allow(MOI_M_DELETE), "DELETE");
    ck_assert_str_eq(allow(MOI_M_GET | MOI_M_POST), "GET, HEAD, POST");
    ck_assert_str_eq(allow(MOI_M_GET | MOI_M_DELETE), "GET, HEAD, DELETE");
    ck_assert_str_eq(allow(MOI_M_PUT | MOI_M_PATCH), "PUT, PATCH");
    ck_assert_str_eq(allow(MOI_M_POST | MOI_M_DELETE), "POST, DELETE");
    ck_assert_str_eq(allow(ALL_METHODS), "GET, HEAD, POST, PUT, PATCH, DELETE");
    ck_assert_str_eq(allow(MOI_M_GET | 32 | 64), "GET, HEAD");
}
END_TEST

START_TEST(allow_header_from_match)
{
    moi_route_match_t m;
    char buf[40];
    ck_assert_int_eq(match(routes, NROUTES, "/evenements", MOI_M_DELETE, &m),
                     MOI_ROUTE_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(moi_route_allow_header(m.allowed, buf, sizeof(buf)),
                     "GET, HEAD, POST");
}
END_TEST

/* A short buffer is never written past its length and stays terminated. */
START_TEST(allow_header_short_buffer)
{
    char buf[64];
    size_t len, i;
    for (len = 1; len <= 40; len++) {
        memset(buf, 'X', sizeof(buf));
        moi_route_allow_header(ALL_METHODS, buf, len);
        ck_assert_msg(memchr(buf, '\0', len) != NULL, "len %zu: not terminated", len);
        for (i = len; i < sizeof(buf); i++) {
            ck_assert_msg(buf[i] == 'X', "len %zu: byte %zu written", len, i);
        }
    }
}
END_TEST

Suite *route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc;

    tc = unit_tcase("match");
    tcase_add_test(tc, literal_routes);
    tcase_add_test(tc, allowed_is_union_when_found);
    tcase_add_test(tc, placeholder_capture);
    tcase_add_test(tc, placeholder_with_suffix);
    tcase_add_test(tc, first_match_wins);
    tcase_add_test(tc, method_not_allowed);
    tcase_add_test(tc, no_route);
    tcase_add_test(tc, trailing_slash_does_not_match);
    tcase_add_test(tc, empty_id_refused);
    tcase_add_test(tc, empty_table);
    suite_add_tcase(s, tc);

    tc = unit_tcase("allow");
    tcase_add_test(tc, allow_header_text);
    tcase_add_test(tc, allow_header_from_match);
    tcase_add_test(tc, allow_header_short_buffer);
    suite_add_tcase(s, tc);

    return s;
}
