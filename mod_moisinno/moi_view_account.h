/* Pages of the organiser account: sign-up, login, password, space. Each
 * returns the body HTML (the caller frames it with moi_html_page_ex). */
#ifndef MOI_VIEW_ACCOUNT_H
#define MOI_VIEW_ACCOUNT_H

#include "moi_account.h"
#include "moi_html.h"

/* values: what the organiser typed (passwords are never filled back). */
const char *moi_view_signup(apr_pool_t *p, const char *base, const moi_signup *values,
                            const apr_array_header_t *errors, const char *csrf);

/* message: a form-level error ("" or NULL for none); notice: an
 * informational message (e.g. after logout). */
const char *moi_view_login(apr_pool_t *p, const char *base, const char *email,
                           const char *retour, const apr_array_header_t *errors,
                           const char *notice, const char *csrf);

const char *moi_view_password(apr_pool_t *p, const char *base,
                              const apr_array_header_t *errors, const char *notice,
                              const char *csrf);

#endif
