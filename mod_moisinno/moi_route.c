#include <string.h>
#include <stdio.h>
#include "moi_route.h"

/* Matches one pattern; sets *param and *plen when it has a placeholder. */
static int pattern_matches(const char *pat, const char *path, const char **param,
                           size_t *plen)
{
    *param = NULL;
    *plen = 0;
    while (*pat) {
        const char *ph = strstr(pat, "{id}");
        const char *seg_end;
        size_t lit, suffix_len, seg_len;
        const char *suffix;

        if (!ph) {
            return strcmp(pat, path) == 0;
        }
        lit = (size_t)(ph - pat);
        if (strncmp(pat, path, lit) != 0) {
            return 0;
        }
        path += lit;
        suffix = ph + 4;
        suffix_len = strcspn(suffix, "/");
        seg_end = path + strcspn(path, "/");
        seg_len = (size_t)(seg_end - path);
        if (seg_len <= suffix_len ||
            strncmp(seg_end - suffix_len, suffix, suffix_len) != 0) {
            return 0;
        }
        *param = path;
        *plen = seg_len - suffix_len;
        path = seg_end;
        pat = suffix + suffix_len;
    }
    return *path == '\0';
}

moi_route_result moi_route_match(const moi_route *table, size_t n, const char *path,
                                 int method, moi_route_match_t *m)
{
    size_t i;
    memset(m, 0, sizeof(*m));
    for (i = 0; i < n; i++) {
        const char *param;
        size_t plen;
        if (!pattern_matches(table[i].pattern, path, &param, &plen)) {
            continue;
        }
        m->allowed |= table[i].methods;
        if (!m->route && (table[i].methods & method)) {
            m->route = &table[i];
            m->param = param;
            m->param_len = plen;
        }
    }
    if (m->route) {
        return MOI_ROUTE_FOUND;
    }
    return m->allowed ? MOI_ROUTE_METHOD_NOT_ALLOWED : MOI_ROUTE_NOT_FOUND;
}

const char *moi_route_allow_header(int methods, char *buf, size_t len)
{
    static const struct {
        int bit;
        const char *names;
    } names[] = {{MOI_M_GET, "GET, HEAD"},
                 {MOI_M_POST, "POST"},
                 {MOI_M_PUT, "PUT"},
                 {MOI_M_PATCH, "PATCH"},
                 {MOI_M_DELETE, "DELETE"}};
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (methods & names[i].bit) {
            int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                             names[i].names);
            if (w < 0 || (size_t)w >= len - used) {
                break;
            }
            used += (size_t)w;
        }
    }
    return buf;
}
