/* Organiser accounts: sign-up, login, logout, password; the organiser
 * space and the admin entry page. */
#include <apr_strings.h>
#include <http_protocol.h>
#include "mod_moisinno.h"
#include "moi_account.h"
#include "moi_html.h"
#include "moi_password.h"
#include "moi_token.h"
#include "moi_view_account.h"
#include "moi_text.h"

APLOG_USE_MODULE(moisinno);

#define LOCK_THRESHOLD 5
#define LOCK_WINDOW apr_time_from_sec(15 * 60)
#define LOCK_DURATION apr_time_from_sec(15 * 60)

static apr_array_header_t *new_errors(moi_req *q)
{
    return apr_array_make(q->r->pool, 4, sizeof(moi_field_error));
}

static const char *space_url(moi_req *q)
{
    return apr_pstrcat(q->r->pool, q->base, "/espace", NULL);
}

/* GET|POST BASE/compte/inscription */
int moi_account_signup(moi_req *q)
{
    request_rec *r = q->r;
    moi_signup v;
    moi_form *form;
    apr_array_header_t *errors = new_errors(q);
    moi_organizer o;
    const char *hash;
    moi_store_status st;

    moi_no_store(r);
    if (moi_auth_load(q) != OK) {
        return OK;
    }
    memset(&v, 0, sizeof(v));
    if (r->method_number == M_GET) {
        if (q->organizer) {
            return moi_redirect(q, space_url(q));
        }
        return moi_send_page(q, HTTP_OK, "Créer un compte",
                             moi_view_signup(r->pool, q->base, &v, errors, moi_csrf_token(q)));
    }
    if (moi_read_form(q, &form) != OK ||
        moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    v.email = moi_email_normalize(r->pool, moi_form_get(form, "email"));
    v.password = moi_form_get(form, "password");
    v.password_confirm = moi_form_get(form, "password_confirm");
    v.name = moi_trim(r->pool, moi_form_get(form, "name") ? moi_form_get(form, "name") : "");
    v.organization = moi_trim(r->pool, moi_form_get(form, "organization")
                                           ? moi_form_get(form, "organization")
                                           : "");
    v.organization_type = moi_form_get(form, "organization_type");
    if (moi_signup_validate(r->pool, &v, q->dc->signup_domains, errors) == 0) {
        if (!q->db) {
            return moi_unavailable(q);
        }
        switch (moi_password_hash(r->pool, v.password, &hash)) {
        case MOI_PW_OK:
            break;
        case MOI_PW_BUSY:
            return moi_unavailable(q);
        default:
            return moi_error(q, HTTP_INTERNAL_SERVER_ERROR, "internal",
                             "Le compte n'a pas pu être créé.");
        }
        memset(&o, 0, sizeof(o));
        o.email = v.email;
        o.password_hash = hash;
        o.name = v.name;
        o.organization = v.organization;
        o.organization_type = v.organization_type;
        o.created_at = apr_time_now();
        st = MOI_STORE_CALL(q->db, organizer_insert, &o);
        if (st == MOI_STORE_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                          MOI_LOGNO(00201) "organiser account %s created", o.id);
            if (moi_auth_login(q, &o) != OK) {
                return OK;
            }
            return moi_redirect(q, space_url(q));
        }
        if (st != MOI_STORE_DUPLICATE) {
            return moi_unavailable(q);
        }
        moi_add_error(errors, "email",
                      "Un compte existe déjà avec cette adresse. Connectez-vous, ou utilisez "
                      "une autre adresse.");
    }
    return moi_send_page(q, HTTP_UNPROCESSABLE_ENTITY, "Créer un compte — erreurs",
                         moi_view_signup(r->pool, q->base, &v, errors, moi_csrf_token(q)));
}

moi_login_result moi_account_authenticate(moi_req *q, const char *email, const char *password,
                                          moi_organizer **out, long *retry_after)
{
    apr_pool_t *p = q->r->pool;
    const char *key = moi_sha256_hex(p, email, strlen(email));
    apr_time_t now = apr_time_now();
    moi_login_attempts att;
    moi_organizer *o = NULL;
    moi_store_status st;
    moi_pw_status pw;
    int rehash = 0;

    if (!q->db || MOI_STORE_CALL(q->db, login_attempts_get, key, &att) != MOI_STORE_OK) {
        return MOI_LOGIN_UNAVAILABLE;
    }
    if (att.locked_until > now) {
        *retry_after = (long)apr_time_sec(att.locked_until - now) + 1;
        return MOI_LOGIN_LOCKED;
    }
    st = MOI_STORE_CALL(q->db, organizer_by_email, email, &o);
    if (st != MOI_STORE_OK && st != MOI_STORE_NOT_FOUND) {
        return MOI_LOGIN_UNAVAILABLE;
    }
    if (!password || strlen(password) > MOI_PASSWORD_MAX_BYTES) {
        password = "";
    }
    pw = o ? moi_password_verify(o->password_hash, password, &rehash)
           : moi_password_verify_dummy(password);
    if (pw == MOI_PW_BUSY) {
        return MOI_LOGIN_UNAVAILABLE;
    }
    if (pw != MOI_PW_OK || !*password) {
        if (pw == MOI_PW_ERROR && o) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r,
                          MOI_LOGNO(00202) "organiser %s has an unreadable password hash; "
                                           "they must be given a new password",
                          o->id);
        }
        if (MOI_STORE_CALL(q->db, login_attempts_fail, key, now, LOCK_WINDOW, LOCK_THRESHOLD,
                           LOCK_DURATION, &att) != MOI_STORE_OK) {
            return MOI_LOGIN_UNAVAILABLE;
        }
        if (o) {
            MOI_STORE_CALL(q->db, organizer_set_login_state, email, att.failures,
                           att.locked_until);
        }
        if (att.locked_until > now) {
            ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, q->r,
                          MOI_LOGNO(00203) "login locked for 15 minutes after %d failures "
                                           "(address digest %.12s)",
                          att.failures, key);
        }
        return MOI_LOGIN_FAILED;
    }
    MOI_STORE_CALL(q->db, login_attempts_clear, key);
    if (o->failed_logins > 0 || o->locked_until) {
        MOI_STORE_CALL(q->db, organizer_set_login_state, email, 0, 0);
    }
    if (rehash) {
        const char *h;
        if (moi_password_hash(p, password, &h) == MOI_PW_OK) {
            MOI_STORE_CALL(q->db, organizer_set_password, o->id, h);
        }
    }
    *out = o;
    return MOI_LOGIN_OK;
}

static const char *safe_retour(moi_req *q, const char *retour)
{
    return moi_retour_is_safe(q->base, retour) ? retour : NULL;
}

static int too_many(moi_req *q, long retry_after)
{
    apr_table_setn(q->r->err_headers_out, "Retry-After",
                   apr_psprintf(q->r->pool, "%ld", retry_after));
    return moi_error(q, HTTP_TOO_MANY_REQUESTS, "too_many_attempts",
                     "Trop de tentatives de connexion pour cette adresse. Réessayez dans "
                     "15 minutes.");
}

/* GET|POST BASE/compte/connexion */
int moi_account_login(moi_req *q)
{
    request_rec *r = q->r;
    moi_form *form;
    const char *email, *retour, *password;
    apr_array_header_t *errors = new_errors(q);
    moi_organizer *o = NULL;
    long retry_after = 0;

    moi_no_store(r);
    if (moi_auth_load(q) != OK) {
        return OK;
    }
    if (r->method_number == M_GET) {
        const char *args_retour = NULL;
        int logged_out = 0;
        if (r->args) {
            const char *why;
            moi_form *f = moi_form_parse(r->pool, r->args, strlen(r->args), &why);
            args_retour = f ? moi_form_get(f, "retour") : NULL;
            logged_out = f && moi_form_get(f, "deconnexion") != NULL;
        }
        return moi_send_page(q, HTTP_OK, "Se connecter",
                             moi_view_login(r->pool, q->base, "", safe_retour(q, args_retour),
                                            errors, logged_out ? "Vous êtes déconnecté." : NULL,
                                            moi_csrf_token(q)));
    }
    if (moi_read_form(q, &form) != OK ||
        moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    email = moi_email_normalize(r->pool, moi_form_get(form, "email"));
    password = moi_form_get(form, "password");
    retour = safe_retour(q, moi_form_get(form, "retour"));
    if (!*email) {
        moi_add_error(errors, "email", "Indiquez votre adresse électronique.");
    }
    if (!password || !*password) {
        moi_add_error(errors, "password", "Indiquez votre mot de passe.");
    }
    if (errors->nelts) {
        return moi_send_page(q, HTTP_UNPROCESSABLE_ENTITY, "Se connecter — erreurs",
                             moi_view_login(r->pool, q->base, email, retour, errors, NULL,
                                            moi_csrf_token(q)));
    }
    switch (moi_account_authenticate(q, email, password, &o, &retry_after)) {
    case MOI_LOGIN_OK:
        if (moi_auth_login(q, o) != OK) {
            return OK;
        }
        return moi_redirect(q, retour ? retour : space_url(q));
    case MOI_LOGIN_LOCKED:
        return too_many(q, retry_after);
    case MOI_LOGIN_UNAVAILABLE:
        return moi_unavailable(q);
    case MOI_LOGIN_FAILED:
    default:
        moi_add_error(errors, "",
                      "Adresse électronique ou mot de passe incorrect.");
        return moi_send_page(q, HTTP_UNAUTHORIZED, "Se connecter — erreurs",
                             moi_view_login(r->pool, q->base, email, retour, errors, NULL,
                                            moi_csrf_token(q)));
    }
}

/* POST BASE/compte/deconnexion */
int moi_account_logout(moi_req *q)
{
    moi_form *form;
    request_rec *r = q->r;
    moi_no_store(r);
    if (moi_auth_load(q) != OK || moi_read_form(q, &form) != OK) {
        return OK;
    }
    if (q->session && moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    if (moi_auth_logout(q) != OK) {
        return OK;
    }
    /* Post/redirect/get: a reload does not send the logout again. */
    return moi_redirect(q, apr_pstrcat(r->pool, q->base, "/compte/connexion?deconnexion=1", NULL));
}

/* GET|POST BASE/compte/mot-de-passe */
int moi_account_password(moi_req *q)
{
    request_rec *r = q->r;
    moi_form *form;
    apr_array_header_t *errors = new_errors(q);
    const char *current, *password, *hash;
    int rehash;

    moi_no_store(r);
    if (moi_auth_require(q) != OK) {
        return OK;
    }
    if (r->method_number == M_GET) {
        return moi_send_page(q, HTTP_OK, "Changer de mot de passe",
                             moi_view_password(r->pool, q->base, errors, NULL,
                                               q->session->csrf));
    }
    if (moi_read_form(q, &form) != OK ||
        moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    current = moi_form_get(form, "current_password");
    password = moi_form_get(form, "password");
    if (!current || !*current || strlen(current) > MOI_PASSWORD_MAX_BYTES) {
        moi_add_error(errors, "current_password", "Indiquez votre mot de passe actuel.");
    }
    else {
        switch (moi_password_verify(q->organizer->password_hash, current, &rehash)) {
        case MOI_PW_OK:
            break;
        case MOI_PW_BUSY:
            return moi_unavailable(q);
        default:
            moi_add_error(errors, "current_password", "Le mot de passe actuel est incorrect.");
        }
    }
    moi_password_validate(r->pool, password, moi_form_get(form, "password_confirm"),
                          "password", "password_confirm", errors);
    if (errors->nelts) {
        return moi_send_page(q, HTTP_UNPROCESSABLE_ENTITY, "Changer de mot de passe — erreurs",
                             moi_view_password(r->pool, q->base, errors, NULL,
                                               q->session->csrf));
    }
    switch (moi_password_hash(r->pool, password, &hash)) {
    case MOI_PW_OK:
        break;
    case MOI_PW_BUSY:
        return moi_unavailable(q);
    default:
        return moi_error(q, HTTP_INTERNAL_SERVER_ERROR, "internal",
                         "Le mot de passe n'a pas pu être changé.");
    }
    if (MOI_STORE_CALL(q->db, organizer_set_password, q->organizer->id, hash) != MOI_STORE_OK ||
        MOI_STORE_CALL(q->db, session_delete_for_organizer, q->organizer->id,
                       q->session->id) != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    q->organizer->password_hash = hash;
    return moi_send_page(q, HTTP_OK, "Changer de mot de passe",
                         moi_view_password(r->pool, q->base, NULL,
                                           "Votre mot de passe a été changé. Vos autres "
                                           "sessions ont été fermées.",
                                           q->session->csrf));
}
