/* Runs every unit suite; exits non-zero when any test fails. */
#include <stdlib.h>
#include <apr_general.h>
#include "moi_token.h"
#include "unit.h"

apr_pool_t *unit_pool;

static void unit_pool_setup(void)
{
    ck_assert_int_eq(apr_pool_create(&unit_pool, NULL), APR_SUCCESS);
}

static void unit_pool_teardown(void)
{
    apr_pool_destroy(unit_pool);
    unit_pool = NULL;
}

TCase *unit_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, unit_pool_setup, unit_pool_teardown);
    return tc;
}

int main(void)
{
    SRunner *sr;
    int failed;

    if (apr_initialize() != APR_SUCCESS || moi_token_global_init() != 0) {
        return EXIT_FAILURE;
    }
    sr = srunner_create(parse_suite());
    srunner_add_suite(sr, route_suite());
    srunner_add_suite(sr, html_suite());
    srunner_add_suite(sr, log_suite());
    srunner_add_suite(sr, text_suite());
    srunner_add_suite(sr, form_suite());
    srunner_add_suite(sr, token_suite());
    srunner_add_suite(sr, cookie_suite());
    srunner_add_suite(sr, password_suite());
    srunner_add_suite(sr, tz_suite());
    srunner_add_suite(sr, export_suite());
    srunner_add_suite(sr, template_suite());
    srunner_add_suite(sr, codes_suite());
    srunner_add_suite(sr, geo_suite());
    srunner_add_suite(sr, csv_suite());
    srunner_add_suite(sr, event_suite());
    srunner_add_suite(sr, filter_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
