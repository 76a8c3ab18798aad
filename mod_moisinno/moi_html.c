#include <string.h>
#include <apr_strings.h>
#include "moi_html.h"

const char *moi_html_escape(apr_pool_t *p, const char *s)
{
    size_t extra = 0, len;
    const char *q;
    char *out, *o;

    if (!s) {
        return "";
    }
    for (q = s; *q; q++) {
        switch (*q) {
        case '&':
            extra += 4;
            break;
        case '<':
        case '>':
            extra += 3;
            break;
        case '"':
        case '\'':
            extra += 5;
            break;
        }
    }
    if (!extra) {
        return s;
    }
    len = (size_t)(q - s);
    out = o = apr_palloc(p, len + extra + 1);
    for (q = s; *q; q++) {
        switch (*q) {
        case '&':
            memcpy(o, "&amp;", 5), o += 5;
            break;
        case '<':
            memcpy(o, "&lt;", 4), o += 4;
            break;
        case '>':
            memcpy(o, "&gt;", 4), o += 4;
            break;
        case '"':
            memcpy(o, "&#34;", 5), o += 5;
            break;
        case '\'':
            memcpy(o, "&#39;", 5), o += 5;
            break;
        default:
            *o++ = *q;
        }
    }
    *o = '\0';
    return out;
}

const char *moi_html_page(apr_pool_t *p, const char *base, const char *title,
                          const char *body)
{
    const char *b = moi_html_escape(p, base);
    return apr_pstrcat(
        p,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>",
        moi_html_escape(p, title),
        " — Mois de l'innovation publique</title>\n"
        "</head>\n<body>\n"
        "<a class=\"skip\" href=\"#contenu\">Aller au contenu</a>\n"
        "<header role=\"banner\"><p><a href=\"",
        b,
        "/\">Mois de l'innovation publique</a></p></header>\n"
        "<main id=\"contenu\" role=\"main\">\n",
        body,
        "\n</main>\n</body>\n</html>\n", NULL);
}
