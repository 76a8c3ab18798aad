/* Who is asking: sessions from the cookie, roles, CSRF and origin checks. */
#include <apr_strings.h>
#include <apr_atomic.h>
#include <http_protocol.h>
#include <http_request.h>
#include "mod_moisinno.h"
#include "moi_account.h"
#include "moi_cookie.h"
#include "moi_token.h"

APLOG_USE_MODULE(moisinno);

#define TOUCH_EVERY apr_time_from_sec(60)
#define PURGE_EVERY_SEC 600

static int idle_timeout(const moi_req *q)
{
    return q->dc->idle_timeout != MOI_UNSET ? q->dc->idle_timeout : MOI_DEFAULT_IDLE_TIMEOUT;
}

static int absolute_timeout(const moi_req *q)
{
    return q->dc->absolute_timeout != MOI_UNSET ? q->dc->absolute_timeout
                                                : MOI_DEFAULT_ABSOLUTE_TIMEOUT;
}

int moi_cookie_secure(moi_req *q)
{
    switch (q->dc->secure_cookies) {
    case MOI_SECURE_ON:
        return 1;
    case MOI_SECURE_OFF:
        return 0;
    default:
        return !strcmp(ap_run_http_scheme(q->r), "https");
    }
}

static const char *cookie_path(moi_req *q)
{
    return *q->base ? q->base : "/";
}

static void set_cookie(moi_req *q, const char *name, const char *value, long max_age)
{
    apr_table_add(q->r->err_headers_out, "Set-Cookie",
                  moi_cookie_make(q->r->pool, name, value, cookie_path(q), moi_cookie_secure(q),
                                  max_age));
}

static void clear_session_cookie(moi_req *q)
{
    set_cookie(q, MOI_SESSION_COOKIE, "", 0);
}

static int is_admin_email(const moi_req *q, const char *email)
{
    int i;
    if (!q->dc->admins || !email) {
        return 0;
    }
    for (i = 0; i < q->dc->admins->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(q->dc->admins, i, const char *), email)) {
            return 1;
        }
    }
    return 0;
}

/* Purges expired sessions at most every 10 minutes per child. */
static void maybe_purge(moi_req *q, apr_time_t now)
{
    apr_uint32_t sec = (apr_uint32_t)apr_time_sec(now);
    apr_uint32_t next = apr_atomic_read32(&q->sc->next_purge);
    if (sec < next || apr_atomic_cas32(&q->sc->next_purge, sec + PURGE_EVERY_SEC, next) != next) {
        return;
    }
    MOI_STORE_CALL(q->db, session_purge_expired, now);
}

int moi_auth_load(moi_req *q)
{
    const char *token, *digest;
    moi_session *s = NULL;
    moi_organizer *o = NULL;
    moi_store_status st;
    apr_time_t now = apr_time_now(), idle, abs_end;

    if (q->auth_loaded) {
        return OK;
    }
    q->auth_loaded = 1;
    token = moi_cookie_get(q->r->pool, apr_table_get(q->r->headers_in, "Cookie"),
                           MOI_SESSION_COOKIE);
    if (!token || !*token) {
        return OK;
    }
    if (!q->db) {
        return MOI_FAIL_UNAVAILABLE(q);
    }
    maybe_purge(q, now);
    if (!(digest = moi_token_digest(q->r->pool, token))) {
        clear_session_cookie(q);
        return OK;
    }
    st = MOI_STORE_CALL(q->db, session_get, digest, &s);
    if (st == MOI_STORE_NOT_FOUND) {
        clear_session_cookie(q);
        return OK;
    }
    if (st != MOI_STORE_OK) {
        return MOI_FAIL_UNAVAILABLE(q);
    }
    idle = s->last_seen + apr_time_from_sec(idle_timeout(q));
    abs_end = s->created_at + apr_time_from_sec(absolute_timeout(q));
    if (now >= idle || now >= abs_end) {
        MOI_STORE_CALL(q->db, session_delete, s->id);
        clear_session_cookie(q);
        return OK;
    }
    st = MOI_STORE_CALL(q->db, organizer_by_id, s->organizer_id, &o);
    if (st == MOI_STORE_NOT_FOUND) {
        MOI_STORE_CALL(q->db, session_delete, s->id);
        clear_session_cookie(q);
        return OK;
    }
    if (st != MOI_STORE_OK) {
        return MOI_FAIL_UNAVAILABLE(q);
    }
    /* last_seen is written at most once a minute, and often enough that a
     * short idle timeout does not end an active session. */
    if (now - s->last_seen >= TOUCH_EVERY ||
        now - s->last_seen >= apr_time_from_sec(idle_timeout(q)) / 2) {
        apr_time_t next_idle = now + apr_time_from_sec(idle_timeout(q));
        s->last_seen = now;
        s->expires_at = next_idle < abs_end ? next_idle : abs_end;
        MOI_STORE_CALL(q->db, session_touch, s->id, s->last_seen, s->expires_at);
    }
    q->session = s;
    q->organizer = o;
    q->is_admin = is_admin_email(q, o->email);
    return OK;
}

int moi_auth_require(moi_req *q)
{
    int rv = moi_auth_load(q);
    if (rv != OK) {
        return rv;
    }
    if (q->organizer) {
        return OK;
    }
    if (q->json) {
        return MOI_FAIL(q, HTTP_UNAUTHORIZED, "unauthenticated",
                        "Connectez-vous pour accéder à cette ressource.");
    }
    {
        const char *here = q->r->args ? apr_pstrcat(q->r->pool, q->r->uri, "?", q->r->args, NULL)
                                      : q->r->uri;
        moi_no_store(q->r);
        moi_redirect(q, apr_pstrcat(q->r->pool, q->base, "/compte/connexion?retour=",
                                    moi_url_encode(q->r->pool, here), NULL));
        return HTTP_SEE_OTHER;
    }
}

int moi_auth_require_admin(moi_req *q)
{
    int rv = moi_auth_require(q);
    if (rv != OK) {
        return rv;
    }
    if (!q->is_admin) {
        moi_error(q, HTTP_FORBIDDEN, "forbidden",
                  "Cette page est réservée à l'équipe de modération.");
        return HTTP_FORBIDDEN;
    }
    return OK;
}

int moi_auth_login(moi_req *q, moi_organizer *o)
{
    moi_session s;
    const char *token = moi_token_new(q->r->pool);
    apr_time_t now = apr_time_now();
    apr_time_t idle_end = now + apr_time_from_sec(idle_timeout(q));
    apr_time_t abs_end = now + apr_time_from_sec(absolute_timeout(q));

    moi_auth_load(q);
    if (q->session) { /* no fixation: the old session ends here */
        MOI_STORE_CALL(q->db, session_delete, q->session->id);
    }
    memset(&s, 0, sizeof(s));
    s.id = moi_token_digest(q->r->pool, token);
    s.organizer_id = o->id;
    s.csrf = moi_token_new(q->r->pool);
    s.created_at = now;
    s.last_seen = now;
    s.expires_at = idle_end < abs_end ? idle_end : abs_end;
    if (MOI_STORE_CALL(q->db, session_insert, &s) != MOI_STORE_OK) {
        return MOI_FAIL_UNAVAILABLE(q);
    }
    set_cookie(q, MOI_SESSION_COOKIE, token, -1);
    q->session = apr_pmemdup(q->r->pool, &s, sizeof(s));
    q->organizer = o;
    q->is_admin = is_admin_email(q, o->email);
    return OK;
}

int moi_auth_logout(moi_req *q)
{
    if (q->session) {
        if (MOI_STORE_CALL(q->db, session_delete, q->session->id) != MOI_STORE_OK) {
            return MOI_FAIL_UNAVAILABLE(q);
        }
    }
    clear_session_cookie(q);
    q->session = NULL;
    q->organizer = NULL;
    q->is_admin = 0;
    return OK;
}

const char *moi_csrf_token(moi_req *q)
{
    const char *t;
    if (q->session) {
        return q->session->csrf;
    }
    t = moi_cookie_get(q->r->pool, apr_table_get(q->r->headers_in, "Cookie"), MOI_CSRF_COOKIE);
    if (!moi_token_well_formed(t)) {
        t = moi_token_new(q->r->pool);
        set_cookie(q, MOI_CSRF_COOKIE, t, -1);
    }
    return t;
}

/* host[:port] of an origin "scheme://host[:port]", or NULL. */
static const char *origin_host(const char *origin)
{
    const char *s = strstr(origin, "://");
    if (!s || strchr(s + 3, '/')) {
        return NULL;
    }
    return s + 3;
}

int moi_origin_check(moi_req *q)
{
    const char *origin = apr_table_get(q->r->headers_in, "Origin");
    const char *site = apr_table_get(q->r->headers_in, "Sec-Fetch-Site");
    const char *host = apr_table_get(q->r->headers_in, "Host");

    if (site && !strcasecmp(site, "cross-site")) {
        goto refuse;
    }
    if (origin) {
        const char *oh = origin_host(origin);
        if (!oh || !host || strcasecmp(oh, host) != 0) {
            goto refuse;
        }
    }
    return OK;
refuse:
    moi_error(q, HTTP_FORBIDDEN, "cross_origin",
              "Requête refusée : elle provient d'un autre site.");
    return HTTP_FORBIDDEN;
}

int moi_csrf_check(moi_req *q, const char *token)
{
    const char *expected;
    int rv = moi_origin_check(q);
    if (rv != OK) {
        return rv;
    }
    if (q->session) {
        expected = q->session->csrf;
    }
    else {
        expected = moi_cookie_get(q->r->pool, apr_table_get(q->r->headers_in, "Cookie"),
                                  MOI_CSRF_COOKIE);
        if (!moi_token_well_formed(expected)) {
            expected = NULL;
        }
    }
    if (!expected || !token || !moi_ct_streq(token, expected)) {
        moi_error(q, HTTP_FORBIDDEN, "csrf",
                  "Le formulaire a expiré ou ne provient pas de ce site. Rechargez la page "
                  "et recommencez.");
        return HTTP_FORBIDDEN;
    }
    return OK;
}
