#include <string.h>
#include <apr_strings.h>
#include "moi_html.h"
#include "moi_account.h"
#include "moi_template.h"

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
    moi_page_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.base = base;
    return moi_html_page_ex(p, &ctx, title, body);
}

static const char *nav(apr_pool_t *p, const moi_page_ctx *ctx, const char *b)
{
    if (!ctx->user_name) {
        return apr_pstrcat(p, "<li><a href=\"", b, "/espace\">Espace organisateur</a></li>"
                           "<li><a href=\"", b, "/compte/connexion\">Se connecter</a></li>"
                           "<li><a href=\"", b, "/compte/inscription\">Créer un compte</a></li>",
                           NULL);
    }
    return apr_pstrcat(
        p, "<li><a href=\"", b, "/espace\">Mon espace</a></li>",
        ctx->is_admin ? apr_pstrcat(p, "<li><a href=\"", b, "/admin\">Modération</a></li>", NULL)
                      : "",
        "<li><form method=\"post\" action=\"", b, "/compte/deconnexion\">",
        moi_html_hidden(p, "csrf", ctx->csrf),
        "<button type=\"submit\" class=\"lien\">Se déconnecter (",
        moi_html_escape(p, ctx->user_name), ")</button></form></li>", NULL);
}

const char *moi_html_page_ex(apr_pool_t *p, const moi_page_ctx *ctx, const char *title,
                             const char *body)
{
    const char *b = moi_html_escape(p, ctx->base);
    if (ctx->layout) {
        const char *values[MOI_TPL_N];
        values[MOI_TPL_TITLE] = moi_html_escape(p, title);
        values[MOI_TPL_HEAD] =
            apr_pstrcat(p, "<link rel=\"stylesheet\" href=\"", b, "/static/moisinno.css\">\n"
                           "<script src=\"", b, "/static/moisinno.js\" defer></script>", NULL);
        values[MOI_TPL_NAVIGATION] = apr_pstrcat(p, "<ul>", nav(p, ctx, b), "</ul>", NULL);
        values[MOI_TPL_CONTENT] = body;
        values[MOI_TPL_BASE] = b;
        return moi_template_render(p, ctx->layout, values);
    }
    return apr_pstrcat(
        p,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>",
        moi_html_escape(p, title),
        " — Mois de l'innovation publique</title>\n"
        "<link rel=\"stylesheet\" href=\"", b, "/static/moisinno.css\">\n"
        "<script src=\"", b, "/static/moisinno.js\" defer></script>\n"
        "</head>\n<body>\n"
        "<a class=\"evitement\" href=\"#contenu\">Aller au contenu</a>\n"
        "<header role=\"banner\" class=\"entete\"><div class=\"conteneur\">"
        "<p class=\"marque\"><a href=\"", b, "/\">Mois de l'innovation publique</a></p>"
        "<nav aria-label=\"Compte\"><ul>", nav(p, ctx, b), "</ul></nav></div></header>\n"
        "<main id=\"contenu\" role=\"main\" class=\"conteneur",
        ctx->main_class ? " " : "", ctx->main_class ? ctx->main_class : "", "\">\n",
        body,
        "\n</main>\n<footer role=\"contentinfo\" class=\"pied\"><div class=\"conteneur\">"
        "<p>Programme du Mois de l'innovation publique</p></div></footer>\n"
        "</body>\n</html>\n", NULL);
}

const char *moi_html_field_error(const apr_array_header_t *errors, const char *field)
{
    int i;
    if (!errors) {
        return NULL;
    }
    for (i = 0; i < errors->nelts; i++) {
        const moi_field_error *e = &APR_ARRAY_IDX(errors, i, moi_field_error);
        if (!strcmp(e->field, field)) {
            return e->message;
        }
    }
    return NULL;
}

const char *moi_html_error_summary(apr_pool_t *p, const apr_array_header_t *errors)
{
    const char *items = "";
    int i;
    if (!errors || errors->nelts == 0) {
        return "";
    }
    for (i = 0; i < errors->nelts; i++) {
        const moi_field_error *e = &APR_ARRAY_IDX(errors, i, moi_field_error);
        const char *msg = moi_html_escape(p, e->message);
        items = apr_pstrcat(p, items, "<li>",
                            *e->field ? apr_pstrcat(p, "<a href=\"#", moi_html_escape(p, e->field),
                                                    "\">", msg, "</a>", NULL)
                                      : msg,
                            "</li>", NULL);
    }
    return apr_pstrcat(p,
                       "<div class=\"erreurs\" role=\"alert\" tabindex=\"-1\" "
                       "id=\"erreurs\" aria-labelledby=\"erreurs-titre\">"
                       "<h2 id=\"erreurs-titre\">",
                       errors->nelts == 1 ? "Le formulaire contient une erreur"
                                          : apr_psprintf(p, "Le formulaire contient %d erreurs",
                                                         errors->nelts),
                       "</h2><ul>", items, "</ul></div>\n", NULL);
}

const char *moi_html_hidden(apr_pool_t *p, const char *name, const char *value)
{
    return apr_pstrcat(p, "<input type=\"hidden\" name=\"", moi_html_escape(p, name),
                       "\" value=\"", moi_html_escape(p, value), "\">", NULL);
}

const char *moi_html_input(apr_pool_t *p, const char *type, const char *name,
                           const char *label, const char *value, const char *autocomplete,
                           int required, const char *hint, const apr_array_header_t *errors)
{
    const char *n = moi_html_escape(p, name);
    const char *err = moi_html_field_error(errors, name);
    const char *described = "";
    if (hint && err) {
        described = apr_pstrcat(p, " aria-describedby=\"", n, "-aide ", n, "-erreur\"", NULL);
    }
    else if (hint) {
        described = apr_pstrcat(p, " aria-describedby=\"", n, "-aide\"", NULL);
    }
    else if (err) {
        described = apr_pstrcat(p, " aria-describedby=\"", n, "-erreur\"", NULL);
    }
    return apr_pstrcat(
        p, "<div class=\"champ", err ? " champ-erreur" : "", "\">\n<label for=\"", n, "\">",
        moi_html_escape(p, label), required ? " <span class=\"requis\">(obligatoire)</span>" : "",
        "</label>\n",
        hint ? apr_pstrcat(p, "<p class=\"aide\" id=\"", n, "-aide\">", moi_html_escape(p, hint),
                           "</p>\n", NULL)
             : "",
        err ? apr_pstrcat(p, "<p class=\"erreur\" id=\"", n, "-erreur\">", moi_html_escape(p, err),
                          "</p>\n", NULL)
            : "",
        "<input type=\"", type, "\" id=\"", n, "\" name=\"", n, "\"",
        value ? apr_pstrcat(p, " value=\"", moi_html_escape(p, value), "\"", NULL) : "",
        autocomplete ? apr_pstrcat(p, " autocomplete=\"", autocomplete, "\"", NULL) : "",
        required ? " required" : "", err ? " aria-invalid=\"true\"" : "", described, ">\n</div>\n",
        NULL);
}
