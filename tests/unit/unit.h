/* Check unit tests of the pure units (moi_*.c): one suite per unit, and the
 * per-test APR pool every test case can use.
 */
#ifndef MOI_UNIT_H
#define MOI_UNIT_H

#include <check.h>
#include <apr_pools.h>

Suite *parse_suite(void);
Suite *route_suite(void);
Suite *html_suite(void);
Suite *log_suite(void);
Suite *text_suite(void);
Suite *form_suite(void);
Suite *token_suite(void);
Suite *cookie_suite(void);
Suite *password_suite(void);
Suite *tz_suite(void);
Suite *export_suite(void);
Suite *template_suite(void);
Suite *codes_suite(void);
Suite *geo_suite(void);
Suite *csv_suite(void);
Suite *event_suite(void);
Suite *filter_suite(void);

/* A fresh pool for the running test, created by the checked fixture that
 * unit_tcase() installs and destroyed after the test. */
extern apr_pool_t *unit_pool;

/* A test case named name whose tests each get their own unit_pool. */
TCase *unit_tcase(const char *name);

#endif
