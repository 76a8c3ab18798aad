/* Cookies: reading one from a Cookie header, writing Set-Cookie values. */
#ifndef MOI_COOKIE_H
#define MOI_COOKIE_H

#include <apr_pools.h>

#define MOI_SESSION_COOKIE "moisinno_session"
#define MOI_CSRF_COOKIE "moisinno_csrf"

/* The value of cookie name in a Cookie header, or NULL.  When the name
 * appears more than once, NULL (a duplicate is either a bug or an attack;
 * the caller treats it as no cookie). */
const char *moi_cookie_get(apr_pool_t *p, const char *header, const char *name);

/* A Set-Cookie value: name=value; Path=path; HttpOnly; SameSite=Lax, plus
 * Secure when secure, and Max-Age when max_age >= 0 (0 deletes). */
const char *moi_cookie_make(apr_pool_t *p, const char *name, const char *value,
                            const char *path, int secure, long max_age);

#endif
