/* moi_cookie_get: the session and CSRF cookies of a Cookie header.
 * Invariants: a value found is "name=value" in the header, between a
 * separator and the next ';', without trailing blanks; a cookie made with
 * moi_cookie_make reads back. */
#include <string.h>
#include <apr_strings.h>
#include "moi_cookie.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(apr_pool_t *p, const char *header, const char *name)
{
    const char *v = moi_cookie_get(p, header, name);
    if (v) {
        size_t n = strlen(v);
        FUZZ_CHECK(!strchr(v, ';'));
        FUZZ_CHECK(n == 0 || (v[n - 1] != ' ' && v[n - 1] != '\t'));
        FUZZ_CHECK(strstr(header, apr_pstrcat(p, name, "=", v, NULL)) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *header = fuzz_cstr(data, size);
    const char *v;

    check(p, header, MOI_SESSION_COOKIE);
    check(p, header, MOI_CSRF_COOKIE);
    check(p, header, "a");
    FUZZ_CHECK(moi_cookie_get(p, NULL, MOI_SESSION_COOKIE) == NULL);

    /* The header's first token as a session value, set then sent back. */
    v = apr_pstrndup(p, header, strcspn(header, "; \t\r\n,\"\\"));
    if (*v) {
        const char *set = moi_cookie_make(p, MOI_SESSION_COOKIE, v, "/mois-innovation", 1, 3600);
        const char *sent = apr_pstrndup(p, set, strcspn(set, ";"));
        const char *got = moi_cookie_get(p, apr_pstrcat(p, "x=1; ", sent, "; y=2", NULL),
                                         MOI_SESSION_COOKIE);
        FUZZ_CHECK(got && !strcmp(got, v));
    }
    free(header);
    fuzz_pool_done(p);
    return 0;
}
