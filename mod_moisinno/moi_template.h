/* Page layouts from MoisInnoTemplateDir: a portal's own header and footer
 * around the module's pages.
 *
 * layout.html is HTML with placeholders: {{title}} (the page title, text),
 * {{head}} (the module's style sheet and script links), {{navigation}} (the
 * account links, a <ul>), {{content}} (the page's main content, required),
 * {{base}} (the application's base path).  Values are inserted as given:
 * the module escapes them before.  Anything else between {{ and }} is an
 * error at start-up, so a typo cannot pass unnoticed.
 */
#ifndef MOI_TEMPLATE_H
#define MOI_TEMPLATE_H

#include <apr_pools.h>

enum { MOI_TPL_TITLE, MOI_TPL_HEAD, MOI_TPL_NAVIGATION, MOI_TPL_CONTENT, MOI_TPL_BASE, MOI_TPL_N };

typedef struct moi_template moi_template;

/* Parses text; NULL and *err (English, for the admin) when it is not a
 * valid layout. */
moi_template *moi_template_parse(apr_pool_t *p, const char *text, const char **err);

/* The layout with values[MOI_TPL_*] in place, from p. */
const char *moi_template_render(apr_pool_t *p, const moi_template *t,
                                const char *const values[MOI_TPL_N]);

#endif
