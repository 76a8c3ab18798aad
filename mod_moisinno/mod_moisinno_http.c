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
    /* frame-ancestors for browsers that predate CSP 2 (ASVS 14.4.7). */
    apr_table_setn(r->err_headers_out, "X-Frame-Options", "SAMEORIGIN");
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
    return moi_send_page(q, status, title, body);
}

const char *moi_page_html(moi_req *q, const char *title, const char *body)
{
    moi_page_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.base = q->base;
    ctx.layout = q->dc ? q->dc->layout : NULL;
    if (q->organizer && q->session) {
        ctx.user_name = q->organizer->name;
        ctx.csrf = q->session->csrf;
        ctx.is_admin = q->is_admin;
    }
    return moi_html_page_ex(q->r->pool, &ctx, title, body);
}

int moi_send_page_html(moi_req *q, int status, const char *html)
{
    set_html_headers(q->r);
    return send_body(q, status, "text/html; charset=utf-8", html);
}

int moi_send_page(moi_req *q, int status, const char *title, const char *body)
{
    return moi_send_page_html(q, status, moi_page_html(q, title, body));
}

void moi_no_store(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
}

int moi_unavailable(moi_req *q)
{
    return moi_error(q, HTTP_SERVICE_UNAVAILABLE, "unavailable",
                     "Le service est momentanément indisponible. Réessayez dans quelques "
                     "instants.");
}

int moi_redirect(moi_req *q, const char *location)
{
    request_rec *r = q->r;
    apr_table_setn(r->headers_out, "Location", location);
    r->status = HTTP_SEE_OTHER;
    ap_set_content_type(r, "text/plain; charset=utf-8");
    ap_set_content_length(r, 0);
    return OK;
}

int moi_read_body(moi_req *q, const char **data, apr_size_t *len)
{
    request_rec *r = q->r;
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    char *buf;
    apr_size_t got = 0;
    int rv;

    if (cl) {
        apr_int64_t n;
        if (moi_parse_int64(cl, 0, APR_INT64_MAX, &n) != 0) {
            return MOI_FAIL(q, HTTP_BAD_REQUEST, "bad_request", "En-tête Content-Length invalide.");
        }
        if (n > MOI_MAX_BODY) {
            r->connection->keepalive = AP_CONN_CLOSE;
            return MOI_FAIL(q, HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                             "La requête dépasse la taille permise (64 Kio).");
        }
    }
    if ((rv = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        return MOI_FAIL(q, rv, "bad_request", "Le corps de la requête est mal formé.");
    }
    buf = apr_palloc(r->pool, MOI_MAX_BODY + 1);
    if (ap_should_client_block(r)) {
        long n;
        while ((n = ap_get_client_block(r, buf + got, MOI_MAX_BODY + 1 - got)) > 0) {
            got += (apr_size_t)n;
            if (got > MOI_MAX_BODY) {
                r->connection->keepalive = AP_CONN_CLOSE;
                return MOI_FAIL(q, HTTP_REQUEST_ENTITY_TOO_LARGE, "too_large",
                                 "La requête dépasse la taille permise (64 Kio).");
            }
        }
        if (n < 0) {
            return MOI_FAIL(q, HTTP_BAD_REQUEST, "bad_request",
                             "Le corps de la requête n'a pas pu être lu.");
        }
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return OK;
}

int moi_read_form(moi_req *q, moi_form **out)
{
    const char *type = apr_table_get(q->r->headers_in, "Content-Type");
    const char *data, *why = NULL;
    apr_size_t len;
    int rv;

    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
        (type[33] != '\0' && type[33] != ';')) {
        return MOI_FAIL(q, HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                         "Le formulaire doit être envoyé en "
                         "application/x-www-form-urlencoded.");
    }
    if ((rv = moi_read_body(q, &data, &len)) != OK) {
        return rv;
    }
    if (!(*out = moi_form_parse(q->r->pool, data, len, &why))) {
        return MOI_FAIL(q, HTTP_BAD_REQUEST, "bad_form", why);
    }
    return OK;
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
    case HTTP_UNSUPPORTED_MEDIA_TYPE:
        return "Format non pris en charge";
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
    if (status >= 400 && r->method_number != M_GET) {
        moi_no_store(r);
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

static apr_status_t json_cleanup(void *data)
{
    json_decref(data);
    return APR_SUCCESS;
}

int moi_send_json_doc(moi_req *q, int status, json_t *doc)
{
    char *text;
    int rv;
    if (!doc) {
        return moi_error(q, HTTP_INTERNAL_SERVER_ERROR, "internal", "Erreur interne.");
    }
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text) {
        return moi_error(q, HTTP_INTERNAL_SERVER_ERROR, "internal", "Erreur interne.");
    }
    rv = moi_send_json(q, status, apr_pstrcat(q->r->pool, text, "\n", NULL));
    free(text);
    return rv;
}

int moi_read_json_object(moi_req *q, json_t **out)
{
    const char *type = apr_table_get(q->r->headers_in, "Content-Type");
    const char *data;
    apr_size_t len;
    json_error_t jerr;
    json_t *doc;
    int rv;

    if (!type || strncasecmp(type, "application/json", 16) != 0 ||
        (type[16] != '\0' && type[16] != ';')) {
        return MOI_FAIL(q, HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                        "Le corps doit être du JSON (Content-Type: application/json).");
    }
    if ((rv = moi_read_body(q, &data, &len)) != OK) {
        return rv;
    }
    doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc || !json_is_object(doc)) {
        json_decref(doc);
        return MOI_FAIL(q, HTTP_BAD_REQUEST, "bad_json",
                        "Le corps n'est pas un objet JSON valide.");
    }
    apr_pool_cleanup_register(q->r->pool, doc, json_cleanup, apr_pool_cleanup_null);
    *out = doc;
    return OK;
}
