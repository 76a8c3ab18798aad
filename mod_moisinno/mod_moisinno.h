/* httpd glue shared by the mod_moisinno*.c files. */
#ifndef MOD_MOISINNO_H
#define MOD_MOISINNO_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <apr_thread_mutex.h>
#include <apr_thread_cond.h>
#include "moi_log.h"
#include "moi_parse.h"
#include "moi_route.h"
#include "moi_store.h"
#include "moi_form.h"
#include "moi_event.h"
#include "moi_tz.h"
#include "moi_snapshot.h"
#include <jansson.h>

extern module AP_MODULE_DECLARE_DATA moisinno_module;

#define MOI_HANDLER "moisinno"
#define MOI_DEFAULT_URI "mongodb://127.0.0.1:27017/"
#define MOI_DEFAULT_DATABASE "moisinno"
#define MOI_DEFAULT_IDLE_TIMEOUT 7200
#define MOI_DEFAULT_ABSOLUTE_TIMEOUT 43200
#define MOI_DEFAULT_PAGE_SIZE 20
#define MOI_MAX_PAGE_SIZE 100
#define MOI_DEFAULT_CACHE_TTL 5
#define MOI_MAX_CACHE_TTL 3600

#define MOI_UNSET -1

enum { MOI_SECURE_OFF = 0, MOI_SECURE_ON = 1, MOI_SECURE_AUTO = 2 };

/* Server (virtual host) configuration. */
typedef struct {
    const char *mongo_uri; /* NULL: unset */
    const char *database;  /* NULL: unset */
    moi_store_t *store;    /* in a child: set by child_init */
    apr_array_header_t *mounts; /* base paths of <Location>s with SetHandler moisinno */
    volatile apr_uint32_t next_purge; /* in a child: epoch second of the next purge */
    /* In a child: the programme snapshots by edition (mod_moisinno_programme.c). */
    apr_thread_mutex_t *snap_lock;
    apr_thread_cond_t *snap_refreshed;
    apr_thread_cond_t *render_done;  /* an answer being rendered is ready (or given up) */
    apr_hash_t *snapshots;
} moi_server_conf;

/* Directory (<Location>) configuration.  Every field has an unset value
 * (NULL or MOI_UNSET) and the innermost set value wins at merge. */
typedef struct {
    int edition_year;  /* MOI_UNSET */
    moi_date edition_first;
    moi_date edition_last;
    int deadline_set;  /* MOI_UNSET */
    apr_time_t deadline;
    const char *deadline_text;
    int moderation;    /* MOI_UNSET */
    apr_array_header_t *admins;          /* of const char *, lower case; NULL unset */
    apr_array_header_t *signup_domains;  /* idem */
    int idle_timeout;  /* MOI_UNSET */
    int absolute_timeout;
    int secure_cookies; /* MOI_UNSET */
    int page_size;      /* MOI_UNSET */
    int cache_ttl;      /* MOI_UNSET */
    const char *template_dir; /* NULL unset */
    const struct moi_template *layout; /* its layout.html, parsed at start-up */
    /* Set at start-up on each <Location> with SetHandler moisinno: the
     * application's base path (no trailing slash, "" for "/"). */
    const char *base;
} moi_dir_conf;

/* Everything a handler needs for one request. */
typedef struct {
    request_rec *r;
    moi_server_conf *sc;
    moi_dir_conf *dc;
    const char *base;  /* as in moi_dir_conf */
    const char *path;  /* the part of the URI after base, "/..." */
    const char *param; /* the {id} of the route, or NULL */
    int json;          /* errors are answered in JSON */
    moi_store_conn_t *db;
    /* Who is asking, once moi_auth_load() has run. */
    int auth_loaded;
    moi_session *session;     /* NULL: anonymous */
    moi_organizer *organizer; /* idem */
    int is_admin;
    void *render_claim; /* mod_moisinno_programme.c: an answer this request renders */
} moi_req;

typedef int moi_handler_fn(moi_req *q);

/* mod_moisinno_config.c */
extern const command_rec moi_directives[];
void *moi_create_server_conf(apr_pool_t *p, server_rec *s);
void *moi_merge_server_conf(apr_pool_t *p, void *basev, void *addv);
void *moi_create_dir_conf(apr_pool_t *p, char *dir);
void *moi_merge_dir_conf(apr_pool_t *p, void *basev, void *addv);
/* Start-up checks over every <Location>: sets base, requires an edition. */
int moi_config_check_sections(apr_pool_t *p, apr_pool_t *ptemp, server_rec *s);
const char *moi_conf_uri(const moi_server_conf *sc);
const char *moi_conf_database(const moi_server_conf *sc);

/* mod_moisinno_http.c: responses */
int moi_error(moi_req *q, int status, const char *code, const char *message);
int moi_send_json(moi_req *q, int status, const char *body);
int moi_send_html(moi_req *q, int status, const char *title, const char *body);
void moi_set_common_headers(request_rec *r);

int moi_unavailable(moi_req *q); /* 503 with Retry-After */
/* For helpers that answer and then tell their caller to stop: sends the
 * error and evaluates to its status (non-OK).  Handlers then return OK. */
#define MOI_FAIL(q, status, code, msg) (moi_error((q), (status), (code), (msg)), (status))
#define MOI_FAIL_UNAVAILABLE(q) (moi_unavailable(q), HTTP_SERVICE_UNAVAILABLE)
/* Reads the request body (at most MOI_MAX_BODY bytes); returns OK, or the
 * status already answered (413, 400...). */
#define MOI_MAX_BODY (64 * 1024)
int moi_read_body(moi_req *q, const char **data, apr_size_t *len);
/* Reads and parses an urlencoded form; OK or the status answered. */
int moi_read_form(moi_req *q, moi_form **out);
int moi_redirect(moi_req *q, const char *location); /* 303 See Other */
/* Sends a JSON document (takes the reference). */
int moi_send_json_doc(moi_req *q, int status, json_t *doc);
/* Reads an application/json object body, freed with the request; OK or
 * the status answered (415, 413, 400). */
int moi_read_json_object(moi_req *q, json_t **out);
/* Frames an HTML body with the visitor's navigation and sends it. */
int moi_send_page(moi_req *q, int status, const char *title, const char *body);
/* The same in two steps: the whole page, then sending it. */
const char *moi_page_html(moi_req *q, const char *title, const char *body);
int moi_send_page_html(moi_req *q, int status, const char *html);
void moi_no_store(request_rec *r);

/* mod_moisinno_auth.c: sessions, roles, CSRF */
int moi_auth_load(moi_req *q); /* OK or 503 answered */
/* For organiser pages: OK when logged in; else answers 303 to the login
 * page (HTML) or 401 (API) and returns that status. */
int moi_auth_require(moi_req *q);
int moi_auth_require_admin(moi_req *q);
/* Opens a new session for o (rotating any current one), sets the cookie. */
int moi_auth_login(moi_req *q, moi_organizer *o);
int moi_auth_logout(moi_req *q);
/* The CSRF token for a form on this page (session's, or the anonymous
 * pre-session cookie's, set if absent). */
const char *moi_csrf_token(moi_req *q);
/* OK when the request is same-origin and token matches; else answers 403
 * and returns it. */
int moi_csrf_check(moi_req *q, const char *token);
int moi_origin_check(moi_req *q);
int moi_cookie_secure(moi_req *q);

/* mod_moisinno.c: the time zones of every department, loaded at start-up
 * (read-only afterwards, shared by the threads). */
const moi_tz *moi_tz_lookup(void *baton, const char *name);

/* mod_moisinno_events.c: rules shared by the forms and the API */
void moi_event_rules_of(moi_req *q, moi_event_rules *rules);
const char *moi_edition_days(moi_req *q);
int moi_deadline_passed(moi_req *q);
const char *moi_deadline_message(moi_req *q);
int moi_may_manage(moi_req *q, const moi_event *ev);
apr_array_header_t *moi_event_changed_fields(apr_pool_t *p, const moi_event *a,
                                             const moi_event *b);
moi_store_status moi_event_create(moi_req *q, moi_event *ev);
moi_store_status moi_event_save(moi_req *q, const moi_event *old, const moi_event *ev,
                                int version, moi_event **out);
moi_store_status moi_event_cancel(moi_req *q, const moi_event *ev, int version, moi_event **out);
moi_store_status moi_event_remove(moi_req *q, const moi_event *ev, int version);
int moi_event_new(moi_req *q);
int moi_event_edit(moi_req *q);
int moi_event_cancel_post(moi_req *q);
int moi_event_delete_post(moi_req *q);

/* mod_moisinno_programme.c: the public programme from a per-child snapshot */
int moi_programme_child_init(apr_pool_t *pchild, moi_server_conf *sc);
void moi_programme_invalidate(moi_req *q);
/* The request's edition's snapshot, held until the request ends; NULL
 * when there is none and the database cannot give one. */
const moi_snapshot *moi_programme_current(moi_req *q);
/* Public answers made from that snapshot: ETag, Last-Modified and
 * Cache-Control set, true when the client's copy is current (answer 304);
 * the answer already rendered for this URL and snapshot, or NULL; keeping
 * a rendered answer for the next requests. */
int moi_programme_not_modified(moi_req *q, const moi_snapshot *s, const char *variant);
const char *moi_programme_cached(moi_req *q, const moi_snapshot *s);
void moi_programme_keep(moi_req *q, const moi_snapshot *s, const char *body);
int moi_programme_get(moi_req *q);
int moi_event_page_get(moi_req *q);
int moi_event_ics_get(moi_req *q);
int moi_programme_export(moi_req *q);

/* mod_moisinno_admin.c */
int moi_admin_publish(moi_req *q);
int moi_admin_refuse(moi_req *q);
int moi_admin_export(moi_req *q);

/* mod_moisinno_api_events.c */
int moi_api_events(moi_req *q);
int moi_api_event(moi_req *q);
int moi_api_openapi(moi_req *q);

/* Endpoints, one file per group. */
int moi_health_get(moi_req *q); /* mod_moisinno_health.c */
int moi_static_get(moi_req *q); /* mod_moisinno_static.c */
/* mod_moisinno_account.c */
int moi_account_signup(moi_req *q);
int moi_account_login(moi_req *q);
int moi_account_logout(moi_req *q);
int moi_account_password(moi_req *q);
int moi_space_get(moi_req *q); /* mod_moisinno_events.c */
int moi_admin_get(moi_req *q);   /* mod_moisinno_admin.c */
/* mod_moisinno_api.c */
int moi_api_session(moi_req *q);
/* The login decision shared by the form and the API. */
typedef enum { MOI_LOGIN_OK, MOI_LOGIN_FAILED, MOI_LOGIN_LOCKED, MOI_LOGIN_UNAVAILABLE } moi_login_result;
moi_login_result moi_account_authenticate(moi_req *q, const char *email, const char *password,
                                          moi_organizer **out, long *retry_after);

#endif
