/* HTML output helpers: escaping and the page frame shared by every page. */
#ifndef MOI_HTML_H
#define MOI_HTML_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Escapes & < > " ' for text and attribute values; returns s itself when
 * nothing needs escaping, else a copy from p.  NULL gives "". */
const char *moi_html_escape(apr_pool_t *p, const char *s);

/* A complete French HTML5 page around body (already HTML).  title is text
 * (escaped here); base is the application's base path, for links and the
 * stylesheet. */
const char *moi_html_page(apr_pool_t *p, const char *base, const char *title,
                          const char *body);

/* What the page frame needs to know about the visitor. */
typedef struct {
    const char *base;
    const char *user_name; /* NULL: not logged in */
    const char *csrf;      /* for the logout button */
    int is_admin;
    const char *main_class; /* optional class of <main> */
    const struct moi_template *layout; /* MoisInnoTemplateDir's layout, or NULL */
} moi_page_ctx;

/* The page frame with navigation for ctx (see moi_html_page). */
const char *moi_html_page_ex(apr_pool_t *p, const moi_page_ctx *ctx, const char *title,
                             const char *body);

/* The error summary at the top of a form: a titled list of links to each
 * field in error (errors: array of moi_field_error from moi_account.h);
 * "" when there is none. */
const char *moi_html_error_summary(apr_pool_t *p, const apr_array_header_t *errors);

/* The message of field in errors, or NULL. */
const char *moi_html_field_error(const apr_array_header_t *errors, const char *field);

/* One labelled input with its hint and error, accessible (label for,
 * aria-describedby, aria-invalid).  type is an <input> type; value is
 * text (escaped here); autocomplete may be NULL. */
const char *moi_html_input(apr_pool_t *p, const char *type, const char *name,
                           const char *label, const char *value, const char *autocomplete,
                           int required, const char *hint, const apr_array_header_t *errors);

/* A hidden input. */
const char *moi_html_hidden(apr_pool_t *p, const char *name, const char *value);

#endif
