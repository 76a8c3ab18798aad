#include <string.h>
#include <apr_strings.h>
#include "moi_cookie.h"

const char *moi_cookie_get(apr_pool_t *p, const char *header, const char *name)
{
    size_t nlen = strlen(name);
    const char *s = header, *found = NULL;
    size_t found_len = 0;

    if (!header) {
        return NULL;
    }
    while (*s) {
        const char *end;
        while (*s == ' ' || *s == '\t' || *s == ';') {
            s++;
        }
        end = s + strcspn(s, ";");
        if ((size_t)(end - s) > nlen && !strncmp(s, name, nlen) && s[nlen] == '=') {
            if (found) {
                return NULL;
            }
            found = s + nlen + 1;
            found_len = (size_t)(end - found);
            while (found_len && (found[found_len - 1] == ' ' || found[found_len - 1] == '\t')) {
                found_len--;
            }
        }
        s = end;
    }
    return found ? apr_pstrmemdup(p, found, found_len) : NULL;
}

const char *moi_cookie_make(apr_pool_t *p, const char *name, const char *value,
                            const char *path, int secure, long max_age)
{
    return apr_psprintf(p, "%s=%s; Path=%s; HttpOnly; SameSite=Lax%s%s", name, value,
                        path && *path ? path : "/", secure ? "; Secure" : "",
                        max_age >= 0 ? apr_psprintf(p, "; Max-Age=%ld", max_age) : "");
}
