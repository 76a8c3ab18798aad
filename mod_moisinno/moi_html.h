/* HTML output helpers: escaping and the page frame shared by every page. */
#ifndef MOI_HTML_H
#define MOI_HTML_H

#include <apr_pools.h>

/* Escapes & < > " ' for text and attribute values; returns s itself when
 * nothing needs escaping, else a copy from p.  NULL gives "". */
const char *moi_html_escape(apr_pool_t *p, const char *s);

/* A complete French HTML5 page around body (already HTML).  title is text
 * (escaped here); base is the application's base path, for links and the
 * stylesheet. */
const char *moi_html_page(apr_pool_t *p, const char *base, const char *title,
                          const char *body);

#endif
