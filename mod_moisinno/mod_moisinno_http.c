/* Responses: headers every answer carries, HTML and JSON bodies, errors. */
#include <apr_strings.h>
#include <http_protocol.h>
#include <jansson.h>
#include "mod_moisinno.h"
#include "moi_html.h"

APLOG_USE_MODULE(moisinno);

void moi_set_common_headers(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
}

static void set_html_headers(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Content-Security-Policy",
                   "default-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
                   "object-src 'none'");
    apr_table_setn(r->err_headers_out, "Referrer-Policy", "same-origin");
}

static int send_body(moi_req *q, int status, const char *type, const char *body)
{
    request_rec *r = q->r;
    size_t len = strlen(body);
    r->status = status;
    ap_set_content_type(r, type);
    ap_set_content_length(r, (apr_off_t)len);
    if (!r->header_only) {
        ap_rwrite(body, (int)len, r);
    }
    return OK;
}

int moi_send_json(moi_req *q, int status, const char *body)
{
    return send_body(q, status, "application/json; charset=utf-8", body);
}

int moi_send_html(moi_req *q, int status, const char *title, const char *body)
{
    set_html_headers(q->r);
    return send_body(q, status, "text/html; charset=utf-8",
                     moi_html_page(q->r->pool, q->base, title, body));
}

static const char *status_title(int status)
{
    switch (status) {
    case HTTP_BAD_REQUEST:
        return "Requête incorrecte";
    case HTTP_UNAUTHORIZED:
        return "Connexion nécessaire";
    case HTTP_FORBIDDEN:
        return "Accès refusé";
    case HTTP_NOT_FOUND:
        return "Page introuvable";
    case HTTP_METHOD_NOT_ALLOWED:
        return "Méthode non permise";
    case HTTP_CONFLICT:
        return "Conflit";
    case HTTP_REQUEST_ENTITY_TOO_LARGE:
        return "Requête trop volumineuse";
    case HTTP_TOO_MANY_REQUESTS:
        return "Trop de tentatives";
    case HTTP_SERVICE_UNAVAILABLE:
        return "Service momentanément indisponible";
    default:
        return "Erreur";
    }
}

int moi_error(moi_req *q, int status, const char *code, const char *message)
{
    request_rec *r = q->r;
    if (status == HTTP_SERVICE_UNAVAILABLE) {
        apr_table_setn(r->err_headers_out, "Retry-After", "5");
    }
    if (q->json) {
        json_t *doc = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
        char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        int rv;
        json_decref(doc);
        if (!text) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        rv = moi_send_json(q, status, apr_pstrcat(r->pool, text, "\n", NULL));
        free(text);
        return rv;
    }
    return moi_send_html(
        q, status, status_title(status),
        apr_pstrcat(r->pool, "<h1>", moi_html_escape(r->pool, status_title(status)),
                    "</h1>\n<p>", moi_html_escape(r->pool, message), "</p>\n<p><a href=\"",
                    moi_html_escape(r->pool, q->base), "/\">Retour au programme</a></p>",
                    NULL));
}
