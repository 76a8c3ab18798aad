#include <string.h>
#include <apr_strings.h>
#include "moi_csv.h"

const char *moi_csv_cell(apr_pool_t *p, const char *s)
{
    const char *q;
    char *out, *o;
    int neutralise;
    if (!s || !*s) {
        return "";
    }
    neutralise = strchr("=+-@\t\r", s[0]) != NULL;
    if (!neutralise && !strpbrk(s, ",\"\r\n")) {
        return s;
    }
    out = o = apr_palloc(p, strlen(s) * 2 + 4);
    *o++ = '"';
    if (neutralise) {
        *o++ = '\'';
    }
    for (q = s; *q; q++) {
        if (*q == '"') {
            *o++ = '"';
        }
        *o++ = *q;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

const char *moi_csv_row(apr_pool_t *p, const char *const *cells, int n)
{
    const char *row = "";
    int i;
    for (i = 0; i < n; i++) {
        row = apr_pstrcat(p, row, i ? "," : "", moi_csv_cell(p, cells[i]), NULL);
    }
    return apr_pstrcat(p, row, "\r\n", NULL);
}
