/* JSON API: the session (login, who am I, logout). */
#include <apr_strings.h>
#include <http_protocol.h>
#include <jansson.h>
#include "mod_moisinno.h"
#include "moi_account.h"

APLOG_USE_MODULE(moisinno);

static json_t *organizer_json(moi_req *q)
{
    const moi_organizer *o = q->organizer;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", o->id, "email", o->email, "name",
                     o->name ? o->name : "", "organization",
                     o->organization ? o->organization : "", "organization_type",
                     o->organization_type ? o->organization_type : "", "role",
                     q->is_admin ? "admin" : "organizer");
}

static int session_answer(moi_req *q, int status)
{
    return moi_send_json_doc(q, status,
                         json_pack("{s:o,s:s}", "organizer", organizer_json(q), "csrf_token",
                                   q->session->csrf));
}

static int api_login(moi_req *q)
{
    json_t *body, *email, *password, *v;
    const char *e, *key;
    moi_organizer *o = NULL;
    long retry_after = 0;

    if (moi_origin_check(q) != OK || moi_read_json_object(q, &body) != OK) {
        return OK;
    }
    /* DESIGN §8: a key that looks like a query operator or a dotted path
     * is refused, even where it would only be ignored. */
    json_object_foreach(body, key, v) {
        if (key[0] == '$' || strchr(key, '.')) {
            return moi_send_json_doc(
                q, HTTP_BAD_REQUEST,
                json_pack("{s:{s:s,s:s,s:{s:s}}}", "error", "code", "validation", "message",
                          "Le corps contient un nom de champ non permis.", "fields", key,
                          "Nom de champ non permis."));
        }
    }
    email = json_object_get(body, "email");
    password = json_object_get(body, "password");
    if (!json_is_string(email) || !json_is_string(password)) {
        json_t *err = json_pack("{s:{s:s,s:s,s:{}}}", "error", "code", "validation",
                                "message",
                                "Indiquez l'adresse électronique et le mot de passe (textes).",
                                "fields");
        json_t *fields = json_object_get(json_object_get(err, "error"), "fields");
        if (!json_is_string(email)) {
            json_object_set_new(fields, "email", json_string("Texte attendu."));
        }
        if (!json_is_string(password)) {
            json_object_set_new(fields, "password", json_string("Texte attendu."));
        }
        return moi_send_json_doc(q, HTTP_BAD_REQUEST, err);
    }
    if (strlen(json_string_value(email)) != json_string_length(email) ||
        strlen(json_string_value(password)) != json_string_length(password)) {
        return moi_error(q, HTTP_BAD_REQUEST, "bad_json", "Caractère nul refusé.");
    }
    e = moi_email_normalize(q->r->pool, json_string_value(email));
    switch (moi_account_authenticate(q, e, json_string_value(password), &o, &retry_after)) {
    case MOI_LOGIN_OK:
        if (moi_auth_login(q, o) != OK) {
            return OK;
        }
        return session_answer(q, HTTP_OK);
    case MOI_LOGIN_LOCKED:
        apr_table_setn(q->r->err_headers_out, "Retry-After",
                       apr_psprintf(q->r->pool, "%ld", retry_after));
        return moi_error(q, HTTP_TOO_MANY_REQUESTS, "too_many_attempts",
                         "Trop de tentatives de connexion pour cette adresse. Réessayez dans "
                         "15 minutes.");
    case MOI_LOGIN_UNAVAILABLE:
        return moi_unavailable(q);
    default:
        return moi_error(q, HTTP_UNAUTHORIZED, "invalid_credentials",
                         "Adresse électronique ou mot de passe incorrect.");
    }
}

/* GET|POST|DELETE BASE/api/v1/session */
int moi_api_session(moi_req *q)
{
    moi_no_store(q->r);
    if (moi_auth_load(q) != OK) {
        return OK;
    }
    switch (q->r->method_number) {
    case M_POST:
        return api_login(q);
    case M_DELETE:
        if (!q->session) {
            return moi_error(q, HTTP_UNAUTHORIZED, "unauthenticated", "Aucune session ouverte.");
        }
        if (moi_csrf_check(q, apr_table_get(q->r->headers_in, "X-CSRF-Token")) != OK ||
            moi_auth_logout(q) != OK) {
            return OK;
        }
        q->r->status = HTTP_NO_CONTENT;
        return OK;
    default:
        if (!q->session) {
            return moi_error(q, HTTP_UNAUTHORIZED, "unauthenticated", "Aucune session ouverte.");
        }
        return session_answer(q, HTTP_OK);
    }
}
