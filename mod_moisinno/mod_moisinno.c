/* mod_moisinno: the module structure, its hooks and the request dispatch.
 *
 * Process model.  mongoc_init() runs once per process, in the parent,
 * before any fork; the parent never calls mongoc_cleanup().  Indexes are
 * created from the parent at start-up with a short-lived single client
 * (destroyed before the children are forked).  Each child creates its own
 * client pool in child_init, on a sub-pool of the child pool; each request
 * borrows at most one client, given back when the handler returns (and, at
 * the latest, by the request pool's cleanup).
 */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_mpm.h>
#include <ap_expr.h>
#include "mod_moisinno.h"
#include "moi_password.h"
#include "moi_token.h"
#include "moi_geo.h"

/* ---- logging from the pure layer -------------------------------------- */

static void log_sink(void *baton, const char *file, int line, moi_log_level level,
                     apr_status_t rv, const char *msg)
{
    ap_log_error(file, line, APLOG_MODULE_INDEX, (int)level, rv, (server_rec *)baton, "%s",
                 msg);
}

static int log_enabled(void *baton, moi_log_level level)
{
    return APLOG_IS_LEVEL((server_rec *)baton, (int)level);
}

/* ---- start-up ----------------------------------------------------------- */

static int moi_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)pconf, (void)plog, (void)ptemp;
    moi_store_mongo_global_init();
    if (moi_token_global_init() != 0) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, NULL,
                     MOI_LOGNO(00007) "libsodium could not be initialised (no random source?)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static int moi_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                            server_rec *s)
{
    (void)plog;
    return moi_config_check_sections(pconf, ptemp, s);
}

/* Is this virtual host serving the application anywhere? */
static int server_mounts_app(server_rec *s)
{
    core_server_config *csc = ap_get_core_module_config(s->module_config);
    ap_conf_vector_t **secs = (ap_conf_vector_t **)csc->sec_url->elts;
    int i;
    for (i = 0; i < csc->sec_url->nelts; i++) {
        moi_dir_conf *dc = ap_get_module_config(secs[i], &moisinno_module);
        if (dc && dc->base) {
            return 1;
        }
    }
    return 0;
}

/* Creates the indexes of each distinct database once, from the parent. */
static void ensure_indexes_at_startup(apr_pool_t *ptemp, server_rec *main_s)
{
    apr_hash_t *seen = apr_hash_make(ptemp);
    server_rec *s;

    for (s = main_s; s; s = s->next) {
        moi_server_conf *sc = ap_get_module_config(s->module_config, &moisinno_module);
        const char *uri = moi_conf_uri(sc), *db = moi_conf_database(sc), *key, *err = NULL;
        apr_pool_t *sp;
        moi_store_t *store;

        if (!server_mounts_app(s)) {
            continue;
        }
        key = apr_pstrcat(ptemp, uri, "\n", db, NULL);
        if (apr_hash_get(seen, key, APR_HASH_KEY_STRING)) {
            continue;
        }
        apr_hash_set(seen, key, APR_HASH_KEY_STRING, key);
        apr_pool_create(&sp, ptemp);
        store = moi_store_mongo_create(sp, uri, db, 0, &err);
        if (!store) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                         MOI_LOGNO(00003) "cannot use MoisInnoMongoURI %s: %s",
                         moi_store_mongo_describe_uri(ptemp, uri), err);
        }
        else if (moi_store_ensure_indexes(store, sp) == MOI_STORE_OK) {
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                         MOI_LOGNO(00004) "indexes of %s are in place", store->description);
        }
        else {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         MOI_LOGNO(00005) "could not create the indexes of %s at start-up; "
                                          "each child will retry at its first database "
                                          "request",
                         store->description);
        }
        apr_pool_destroy(sp); /* the client goes before any fork */
    }
}

/* The zones of the departments, loaded in the parent at start-up from the
 * system's tzdata; the children inherit them read-only. */
static apr_hash_t *tz_registry;

const moi_tz *moi_tz_lookup(void *baton, const char *name)
{
    (void)baton;
    return tz_registry && name ? apr_hash_get(tz_registry, name, APR_HASH_KEY_STRING) : NULL;
}

static int load_zone(apr_pool_t *pconf, apr_hash_t *reg, server_rec *s, const char *name)
{
    const char *err = NULL;
    moi_tz *tz;
    if (apr_hash_get(reg, name, APR_HASH_KEY_STRING)) {
        return OK;
    }
    if (!(tz = moi_tz_load(pconf, NULL, name, &err))) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                     MOI_LOGNO(00009) "cannot load the time zone %s (%s); install the tzdata "
                                      "package",
                     name, err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_hash_set(reg, name, APR_HASH_KEY_STRING, tz);
    return OK;
}

static int load_time_zones(apr_pool_t *pconf, server_rec *s)
{
    const moi_department *d;
    apr_hash_t *reg = apr_hash_make(pconf);
    if (load_zone(pconf, reg, s, MOI_DEFAULT_TIMEZONE) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    for (d = moi_departments; d->code; d++) {
        if (load_zone(pconf, reg, s, d->timezone) != OK) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    tz_registry = reg;
    return OK;
}

static int moi_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                           server_rec *s)
{
    (void)plog;
    moi_log_set(log_sink, log_enabled, s);
    if (load_time_zones(pconf, s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* The first pass at start-up only checks the configuration. */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    ensure_indexes_at_startup(ptemp, s);
    return OK;
}

/* One client pool per child and per distinct (URI, database). */
static void moi_child_init(apr_pool_t *pchild, server_rec *main_s)
{
    apr_hash_t *stores = apr_hash_make(pchild);
    apr_pool_t *sp;
    server_rec *s;
    int threads = 1;

    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    if (threads < 1) {
        threads = 1;
    }
    apr_pool_create(&sp, pchild);
    apr_pool_tag(sp, "moisinno_store");
    /* At most 4 password hashes (64 MiB each) at once in this child; a
     * request waits up to 10 s for a slot, then gets 503. */
    if (moi_password_limiter_init(sp, threads < 4 ? threads : 4, 10000) != 0) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, main_s,
                     MOI_LOGNO(00008) "cannot set up the password hashing limiter");
    }
    for (s = main_s; s; s = s->next) {
        moi_server_conf *sc = ap_get_module_config(s->module_config, &moisinno_module);
        const char *uri = moi_conf_uri(sc), *db = moi_conf_database(sc), *err = NULL;
        const char *key = apr_pstrcat(pchild, uri, "\n", db, NULL);
        moi_store_t *store;

        if (!server_mounts_app(s)) {
            continue;
        }
        store = apr_hash_get(stores, key, APR_HASH_KEY_STRING);
        if (!store) {
            /* A client per thread, and headroom for requests whose pool
             * outlives their worker thread (async write completion). */
            store = moi_store_mongo_create(sp, uri, db, threads * 2, &err);
            if (!store) {
                ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                             MOI_LOGNO(00006) "cannot create the database client pool "
                                              "for %s: %s; the application will answer "
                                              "503 in this child",
                             moi_store_mongo_describe_uri(pchild, uri), err);
                continue;
            }
            apr_hash_set(stores, key, APR_HASH_KEY_STRING, store);
        }
        sc->store = store;
        if (moi_programme_child_init(pchild, sc) != OK) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                         MOI_LOGNO(00011) "cannot set up the programme cache in this child");
        }
    }
}

/* ---- dispatch ----------------------------------------------------------- */

enum {
    R_HEALTH,
    R_STATIC,
    R_SIGNUP,
    R_LOGIN,
    R_LOGOUT,
    R_PASSWORD,
    R_SPACE,
    R_ADMIN,
    R_API_SESSION,
    R_EVENT_NEW,
    R_EVENT_EDIT,
    R_EVENT_CANCEL,
    R_EVENT_DELETE,
    R_ADMIN_PUBLISH,
    R_ADMIN_REFUSE,
    R_ADMIN_EXPORT,
    R_API_EVENTS,
    R_API_EVENT,
    R_API_OPENAPI,
    R_PROGRAMME,
    R_EVENT_ICS,
    R_EVENT_PAGE,
    R_EXPORT,
};

static const moi_route routes[] = {
    {"/", MOI_M_GET, R_PROGRAMME},
    {"/evenements/{id}.ics", MOI_M_GET, R_EVENT_ICS},
    {"/evenements/{id}", MOI_M_GET, R_EVENT_PAGE},
    {"/programme.{id}", MOI_M_GET, R_EXPORT},
    {"/sante", MOI_M_GET, R_HEALTH},
    {"/static/{id}", MOI_M_GET, R_STATIC},
    {"/compte/inscription", MOI_M_GET | MOI_M_POST, R_SIGNUP},
    {"/compte/connexion", MOI_M_GET | MOI_M_POST, R_LOGIN},
    {"/compte/deconnexion", MOI_M_POST, R_LOGOUT},
    {"/compte/mot-de-passe", MOI_M_GET | MOI_M_POST, R_PASSWORD},
    {"/espace", MOI_M_GET, R_SPACE},
    {"/admin", MOI_M_GET, R_ADMIN},
    {"/api/v1/session", MOI_M_GET | MOI_M_POST | MOI_M_DELETE, R_API_SESSION},
    {"/espace/evenements/nouveau", MOI_M_GET | MOI_M_POST, R_EVENT_NEW},
    {"/espace/evenements/{id}/modifier", MOI_M_GET | MOI_M_POST, R_EVENT_EDIT},
    {"/espace/evenements/{id}/annuler", MOI_M_POST, R_EVENT_CANCEL},
    {"/espace/evenements/{id}/supprimer", MOI_M_POST, R_EVENT_DELETE},
    {"/admin/evenements/{id}/publier", MOI_M_POST, R_ADMIN_PUBLISH},
    {"/admin/evenements/{id}/refuser", MOI_M_POST, R_ADMIN_REFUSE},
    {"/admin/export.csv", MOI_M_GET, R_ADMIN_EXPORT},
    {"/api/v1/openapi.json", MOI_M_GET, R_API_OPENAPI},
    {"/api/v1/events", MOI_M_GET | MOI_M_POST, R_API_EVENTS},
    {"/api/v1/events/{id}", MOI_M_GET | MOI_M_PUT | MOI_M_PATCH | MOI_M_DELETE, R_API_EVENT},
};

static moi_handler_fn *const route_handlers[] = {
    [R_HEALTH] = moi_health_get,
    [R_STATIC] = moi_static_get,
    [R_SIGNUP] = moi_account_signup,
    [R_LOGIN] = moi_account_login,
    [R_LOGOUT] = moi_account_logout,
    [R_PASSWORD] = moi_account_password,
    [R_SPACE] = moi_space_get,
    [R_ADMIN] = moi_admin_get,
    [R_API_SESSION] = moi_api_session,
    [R_EVENT_NEW] = moi_event_new,
    [R_EVENT_EDIT] = moi_event_edit,
    [R_EVENT_CANCEL] = moi_event_cancel_post,
    [R_EVENT_DELETE] = moi_event_delete_post,
    [R_ADMIN_PUBLISH] = moi_admin_publish,
    [R_ADMIN_REFUSE] = moi_admin_refuse,
    [R_ADMIN_EXPORT] = moi_admin_export,
    [R_API_EVENTS] = moi_api_events,
    [R_API_EVENT] = moi_api_event,
    [R_API_OPENAPI] = moi_api_openapi,
    [R_PROGRAMME] = moi_programme_get,
    [R_EVENT_ICS] = moi_event_ics_get,
    [R_EVENT_PAGE] = moi_event_page_get,
    [R_EXPORT] = moi_programme_export,
};

static int method_bit(request_rec *r)
{
    switch (r->method_number) {
    case M_GET:
        return MOI_M_GET;
    case M_POST:
        return MOI_M_POST;
    case M_PUT:
        return MOI_M_PUT;
    case M_PATCH:
        return MOI_M_PATCH;
    case M_DELETE:
        return MOI_M_DELETE;
    default:
        return 0;
    }
}

static void allow_methods(request_rec *r, int methods)
{
    char buf[64];
    ap_allow_methods(r, REPLACE_ALLOW, NULL);
    if (methods & MOI_M_GET) {
        ap_allow_methods(r, MERGE_ALLOW, "GET", "HEAD", NULL);
    }
    if (methods & MOI_M_POST) {
        ap_allow_methods(r, MERGE_ALLOW, "POST", NULL);
    }
    if (methods & MOI_M_PUT) {
        ap_allow_methods(r, MERGE_ALLOW, "PUT", NULL);
    }
    if (methods & MOI_M_PATCH) {
        ap_allow_methods(r, MERGE_ALLOW, "PATCH", NULL);
    }
    if (methods & MOI_M_DELETE) {
        ap_allow_methods(r, MERGE_ALLOW, "DELETE", NULL);
    }
    apr_table_setn(r->headers_out, "Allow",
                   apr_pstrdup(r->pool, moi_route_allow_header(methods, buf, sizeof(buf))));
}

static int moi_handler(request_rec *r)
{
    moi_req q;
    moi_route_match_t m;
    moi_route_result res;
    size_t blen;
    int rv;

    if (!r->handler || strcmp(r->handler, MOI_HANDLER) != 0) {
        return DECLINED;
    }
    memset(&q, 0, sizeof(q));
    q.r = r;
    q.sc = ap_get_module_config(r->server->module_config, &moisinno_module);
    q.dc = ap_get_module_config(r->per_dir_config, &moisinno_module);
    q.base = q.dc ? q.dc->base : NULL;
    moi_set_common_headers(r);

    if (!q.base) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      MOI_LOGNO(00010) "SetHandler moisinno applies to %s outside a "
                                       "<Location> that mounts the application; put "
                                       "SetHandler moisinno in a <Location /path>",
                      r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    blen = strlen(q.base);
    if (strncmp(r->uri, q.base, blen) != 0) {
        return DECLINED;
    }
    q.path = r->uri + blen;
    q.json = strncmp(q.path, "/api/", 5) == 0 || strcmp(q.path, "/sante") == 0;
    if (strncmp(q.path, "/compte/", 8) == 0 || strncmp(q.path, "/espace", 7) == 0 ||
        strncmp(q.path, "/admin", 6) == 0 || strcmp(q.path, "/api/v1/session") == 0 ||
        (strncmp(q.path, "/api/", 5) == 0 && r->method_number != M_GET)) {
        moi_no_store(r);
    }
    if (*q.path == '\0') {
        /* Answered here, without httpd's error page (Latin-1, no CSP). */
        moi_redirect(&q, apr_pstrcat(r->pool, q.base, "/", r->args ? "?" : "",
                                     r->args ? r->args : "", NULL));
        r->status = HTTP_MOVED_PERMANENTLY;
        return OK;
    }
    if (*q.path != '/') {
        return DECLINED;
    }

    res = moi_route_match(routes, sizeof(routes) / sizeof(routes[0]), q.path,
                          method_bit(r), &m);
    if (res == MOI_ROUTE_NOT_FOUND) {
        return moi_error(&q, HTTP_NOT_FOUND, "not_found",
                         "La page demandée n'existe pas.");
    }
    if (r->method_number == M_OPTIONS) {
        allow_methods(r, m.allowed);
        r->status = HTTP_NO_CONTENT;
        return OK;
    }
    if (res == MOI_ROUTE_METHOD_NOT_ALLOWED) {
        allow_methods(r, m.allowed);
        return moi_error(&q, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                         "Cette méthode n'est pas permise pour cette adresse.");
    }
    if (m.param) {
        q.param = apr_pstrmemdup(r->pool, m.param, m.param_len);
    }
    if (q.sc->store) {
        q.db = moi_store_conn_open(q.sc->store, r->pool);
    }
    rv = route_handlers[m.route->id](&q);
    if (q.db) {
        moi_store_conn_close(q.sc->store, q.db);
    }
    return rv;
}

/* URLs of the application have no file behind them: skip httpd's mapping
 * to the filesystem (as mod_proxy does), so a very long or odd path gets
 * the application's 404, not a file-system error, and no request pays for
 * a directory walk.  At this point the request's configuration is the
 * server's default, so the decision is made from the mounted base paths. */
static int moi_map_to_storage(request_rec *r)
{
    moi_server_conf *sc = ap_get_module_config(r->server->module_config, &moisinno_module);
    int i;
    if (!sc || !sc->mounts || !r->uri) {
        return DECLINED;
    }
    for (i = 0; i < sc->mounts->nelts; i++) {
        const char *base = APR_ARRAY_IDX(sc->mounts, i, const char *);
        size_t n = strlen(base);
        if (!strncmp(r->uri, base, n) && (r->uri[n] == '/' || r->uri[n] == '\0')) {
            return OK;
        }
    }
    return DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_map_to_storage(moi_map_to_storage, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_pre_config(moi_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(moi_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(moi_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(moi_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(moi_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(moisinno) = {
    STANDARD20_MODULE_STUFF,
    moi_create_dir_conf,
    moi_merge_dir_conf,
    moi_create_server_conf,
    moi_merge_server_conf,
    moi_directives,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE
#endif
};
