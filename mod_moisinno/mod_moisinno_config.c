/* Directives: parsing, create/merge, and the start-up checks across
 * <Location> sections. */
#include <apr_strings.h>
#include <apr_file_info.h>
#include <http_core.h>
#include <ap_expr.h>
#include "mod_moisinno.h"
#include "moi_template.h"

APLOG_USE_MODULE(moisinno);

/* ---- server scope ------------------------------------------------------ */

void *moi_create_server_conf(apr_pool_t *p, server_rec *s)
{
    (void)s;
    return apr_pcalloc(p, sizeof(moi_server_conf));
}

void *moi_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    moi_server_conf *base = basev, *add = addv;
    moi_server_conf *c = apr_pcalloc(p, sizeof(*c));
    c->mongo_uri = add->mongo_uri ? add->mongo_uri : base->mongo_uri;
    c->database = add->database ? add->database : base->database;
    return c;
}

const char *moi_conf_uri(const moi_server_conf *sc)
{
    return sc->mongo_uri ? sc->mongo_uri : MOI_DEFAULT_URI;
}

const char *moi_conf_database(const moi_server_conf *sc)
{
    return sc->database ? sc->database : MOI_DEFAULT_DATABASE;
}

static moi_server_conf *server_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &moisinno_module);
}

static const char *set_mongo_uri(cmd_parms *cmd, void *dconf, const char *arg)
{
    const char *why;
    (void)dconf;
    moi_store_mongo_global_init();
    if ((why = moi_store_mongo_check_uri(cmd->temp_pool, arg)) != NULL) {
        return apr_psprintf(cmd->pool,
                            "%s: not a valid MongoDB connection string (%s); expected "
                            "e.g. mongodb://db1.example.fr,db2.example.fr/"
                            "?replicaSet=rs0",
                            cmd->cmd->name, why);
    }
    server_conf(cmd)->mongo_uri = arg;
    return NULL;
}

static const char *set_database(cmd_parms *cmd, void *dconf, const char *arg)
{
    (void)dconf;
    if (!moi_dbname_valid(arg)) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a valid database name; expected 1 to 63 "
                            "characters without / \\ . \" $ or spaces, e.g. moisinno",
                            cmd->cmd->name, arg);
    }
    server_conf(cmd)->database = arg;
    return NULL;
}

/* ---- directory scope --------------------------------------------------- */

void *moi_create_dir_conf(apr_pool_t *p, char *dir)
{
    moi_dir_conf *c = apr_pcalloc(p, sizeof(*c));
    (void)dir;
    c->edition_year = MOI_UNSET;
    c->deadline_set = MOI_UNSET;
    c->moderation = MOI_UNSET;
    c->idle_timeout = MOI_UNSET;
    c->absolute_timeout = MOI_UNSET;
    c->secure_cookies = MOI_UNSET;
    c->page_size = MOI_UNSET;
    c->cache_ttl = MOI_UNSET;
    return c;
}

#define MERGE_INT(f) c->f = add->f != MOI_UNSET ? add->f : base->f
#define MERGE_PTR(f) c->f = add->f ? add->f : base->f

void *moi_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    moi_dir_conf *base = basev, *add = addv;
    moi_dir_conf *c = apr_pcalloc(p, sizeof(*c));

    if (add->edition_year != MOI_UNSET) {
        c->edition_year = add->edition_year;
        c->edition_first = add->edition_first;
        c->edition_last = add->edition_last;
    }
    else {
        c->edition_year = base->edition_year;
        c->edition_first = base->edition_first;
        c->edition_last = base->edition_last;
    }
    if (add->deadline_set != MOI_UNSET) {
        c->deadline_set = add->deadline_set;
        c->deadline = add->deadline;
        c->deadline_text = add->deadline_text;
    }
    else {
        c->deadline_set = base->deadline_set;
        c->deadline = base->deadline;
        c->deadline_text = base->deadline_text;
    }
    MERGE_INT(moderation);
    MERGE_PTR(admins);
    MERGE_PTR(signup_domains);
    if (add->idle_timeout != MOI_UNSET) {
        c->idle_timeout = add->idle_timeout;
        c->absolute_timeout = add->absolute_timeout;
    }
    else {
        c->idle_timeout = base->idle_timeout;
        c->absolute_timeout = base->absolute_timeout;
    }
    MERGE_INT(secure_cookies);
    MERGE_INT(page_size);
    MERGE_INT(cache_ttl);
    if (add->template_dir) {
        c->template_dir = add->template_dir;
        c->layout = add->layout;
    }
    else {
        c->template_dir = base->template_dir;
        c->layout = base->layout;
    }
    MERGE_PTR(base);
    return c;
}

static const char *set_edition(cmd_parms *cmd, void *dconf, const char *year,
                               const char *first, const char *last)
{
    moi_dir_conf *c = dconf;
    apr_int64_t y;
    moi_date f, l;
    const char *usage = "expected: MoisInnoEdition <year> <first-day> <last-day>, "
                        "e.g. MoisInnoEdition 2022 2022-11-02 2022-11-30";

    if (moi_parse_int64(year, 2000, 9999, &y)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a year; %s", cmd->cmd->name, year,
                            usage);
    }
    if (moi_parse_date(first, &f)) {
        return apr_psprintf(cmd->pool, "%s: first day '%s' is not a date YYYY-MM-DD; %s",
                            cmd->cmd->name, first, usage);
    }
    if (moi_parse_date(last, &l)) {
        return apr_psprintf(cmd->pool, "%s: last day '%s' is not a date YYYY-MM-DD; %s",
                            cmd->cmd->name, last, usage);
    }
    if (f.year != y) {
        return apr_psprintf(cmd->pool, "%s: the first day %s is not in the year %s; %s",
                            cmd->cmd->name, first, year, usage);
    }
    if (moi_date_cmp(&f, &l) > 0) {
        return apr_psprintf(cmd->pool, "%s: the last day %s is before the first day %s; %s",
                            cmd->cmd->name, last, first, usage);
    }
    if (moi_days_from_civil(l.year, l.month, l.day) -
            moi_days_from_civil(f.year, f.month, f.day) > 366) {
        return apr_psprintf(cmd->pool, "%s: an edition lasts at most a year; %s",
                            cmd->cmd->name, usage);
    }
    c->edition_year = (int)y;
    c->edition_first = f;
    c->edition_last = l;
    return NULL;
}

static const char *set_deadline(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    apr_time_t t;
    if (moi_parse_rfc3339(arg, &t)) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a date and time with its offset; expected "
                            "e.g. 2022-10-29T23:59:59+02:00",
                            cmd->cmd->name, arg);
    }
    c->deadline_set = 1;
    c->deadline = t;
    c->deadline_text = arg;
    return NULL;
}

static const char *set_moderation(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    int v;
    if (moi_parse_onoff(arg, &v)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is neither On nor Off", cmd->cmd->name, arg);
    }
    c->moderation = v;
    return NULL;
}

static const char *add_admin(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    if (!moi_email_valid(arg)) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not an e-mail address; expected one or more "
                            "addresses, e.g. MoisInnoAdmins equipe@modernisation.gouv.fr",
                            cmd->cmd->name, arg);
    }
    if (!c->admins) {
        c->admins = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->admins, const char *) = moi_ascii_lower(cmd->pool, arg);
    return NULL;
}

static const char *add_signup_domain(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    /* A suffix may be a single label ("fr"), which a full domain may not. */
    if (!moi_domain_valid(apr_pstrcat(cmd->temp_pool, "x.", arg, NULL))) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a domain name; expected one or more domains, "
                            "e.g. MoisInnoSignupDomains gouv.fr (admits gouv.fr and "
                            "*.gouv.fr)",
                            cmd->cmd->name, arg);
    }
    if (!c->signup_domains) {
        c->signup_domains = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->signup_domains, const char *) = moi_ascii_lower(cmd->pool, arg);
    return NULL;
}

static const char *set_session_timeout(cmd_parms *cmd, void *dconf, const char *idle,
                                       const char *absolute)
{
    moi_dir_conf *c = dconf;
    apr_int64_t i, a;
    const char *usage = "expected: MoisInnoSessionTimeout <idle-seconds> "
                        "<absolute-seconds>, each at least 1 and idle <= absolute, "
                        "e.g. 7200 43200";
    if (moi_parse_int64(idle, 1, 31536000, &i) ||
        moi_parse_int64(absolute, 1, 31536000, &a)) {
        return apr_psprintf(cmd->pool, "%s: '%s %s' are not numbers of seconds; %s",
                            cmd->cmd->name, idle, absolute, usage);
    }
    if (i > a) {
        return apr_psprintf(cmd->pool, "%s: idle %s is longer than absolute %s; %s",
                            cmd->cmd->name, idle, absolute, usage);
    }
    c->idle_timeout = (int)i;
    c->absolute_timeout = (int)a;
    return NULL;
}

static const char *set_secure_cookies(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    int v;
    if (!strcasecmp(arg, "auto")) {
        c->secure_cookies = MOI_SECURE_AUTO;
        return NULL;
    }
    if (moi_parse_onoff(arg, &v)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not On, Off or Auto", cmd->cmd->name,
                            arg);
    }
    c->secure_cookies = v ? MOI_SECURE_ON : MOI_SECURE_OFF;
    return NULL;
}

static const char *set_page_size(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    apr_int64_t v;
    if (moi_parse_int64(arg, 1, MOI_MAX_PAGE_SIZE, &v)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of events from 1 to %d",
                            cmd->cmd->name, arg, MOI_MAX_PAGE_SIZE);
    }
    c->page_size = (int)v;
    return NULL;
}

static const char *set_cache_ttl(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    apr_int64_t v;
    if (moi_parse_int64(arg, 0, MOI_MAX_CACHE_TTL, &v)) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of seconds from 0 to %d",
                            cmd->cmd->name, arg, MOI_MAX_CACHE_TTL);
    }
    c->cache_ttl = (int)v;
    return NULL;
}

static const char *set_template_dir(cmd_parms *cmd, void *dconf, const char *arg)
{
    moi_dir_conf *c = dconf;
    apr_finfo_t fi;
    apr_file_t *f;
    const char *path = ap_server_root_relative(cmd->pool, arg), *file, *err = NULL;
    char *text;
    apr_size_t len;
    moi_template *layout;

    if (!path || apr_stat(&fi, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS ||
        fi.filetype != APR_DIR) {
        return apr_psprintf(cmd->pool,
                            "%s: '%s' is not a readable directory; expected the path of "
                            "a directory holding layout.html",
                            cmd->cmd->name, arg);
    }
    file = apr_pstrcat(cmd->temp_pool, path, "/layout.html", NULL);
    if (apr_file_open(&f, file, APR_FOPEN_READ, 0, cmd->temp_pool) != APR_SUCCESS ||
        apr_file_info_get(&fi, APR_FINFO_SIZE, f) != APR_SUCCESS || fi.size > 1024 * 1024) {
        return apr_psprintf(cmd->pool,
                            "%s: cannot read %s (at most 1 MiB); the directory must hold a "
                            "layout.html with {{content}} where the pages go",
                            cmd->cmd->name, file);
    }
    len = (apr_size_t)fi.size;
    text = apr_palloc(cmd->pool, len + 1);
    if (apr_file_read_full(f, text, len, &len) != APR_SUCCESS || len != (apr_size_t)fi.size) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "%s: cannot read %s", cmd->cmd->name, file);
    }
    apr_file_close(f);
    text[len] = '\0';
    if (!(layout = moi_template_parse(cmd->pool, text, &err))) {
        return apr_psprintf(cmd->pool, "%s: %s: %s", cmd->cmd->name, file, err);
    }
    c->template_dir = path;
    c->layout = layout;
    return NULL;
}

#define DIR_SCOPE (RSRC_CONF | ACCESS_CONF)

const command_rec moi_directives[] = {
    AP_INIT_TAKE1("MoisInnoMongoURI", set_mongo_uri, NULL, RSRC_CONF,
                  "MongoDB connection string, e.g. mongodb://127.0.0.1:27017/"),
    AP_INIT_TAKE1("MoisInnoDatabase", set_database, NULL, RSRC_CONF,
                  "database name (default moisinno)"),
    AP_INIT_TAKE3("MoisInnoEdition", set_edition, NULL, DIR_SCOPE,
                  "edition served here: year first-day last-day"),
    AP_INIT_TAKE1("MoisInnoSubmissionDeadline", set_deadline, NULL, DIR_SCOPE,
                  "no new event after this date and time, e.g. 2022-10-29T23:59:59+02:00"),
    AP_INIT_TAKE1("MoisInnoModeration", set_moderation, NULL, DIR_SCOPE,
                  "On: new events wait for an admin (default); Off: published at once"),
    AP_INIT_ITERATE("MoisInnoAdmins", add_admin, NULL, DIR_SCOPE,
                    "e-mail addresses of the accounts with the admin role"),
    AP_INIT_ITERATE("MoisInnoSignupDomains", add_signup_domain, NULL, DIR_SCOPE,
                    "e-mail domains allowed to sign up (suffix match)"),
    AP_INIT_TAKE2("MoisInnoSessionTimeout", set_session_timeout, NULL, DIR_SCOPE,
                  "idle and absolute session lifetimes in seconds (default 7200 43200)"),
    AP_INIT_TAKE1("MoisInnoSecureCookies", set_secure_cookies, NULL, DIR_SCOPE,
                  "On, Off or Auto (Secure when the request is HTTPS; default)"),
    AP_INIT_TAKE1("MoisInnoPageSize", set_page_size, NULL, DIR_SCOPE,
                  "events per programme page (default 20)"),
    AP_INIT_TAKE1("MoisInnoCacheTTL", set_cache_ttl, NULL, DIR_SCOPE,
                  "longest staleness of the programme snapshot in seconds (default 5)"),
    AP_INIT_TAKE1("MoisInnoTemplateDir", set_template_dir, NULL, DIR_SCOPE,
                  "directory with a layout.html framing the pages (portal header and footer)"),
    {NULL}};

/* ---- start-up checks ---------------------------------------------------- */

/* The handler a section forces with SetHandler.  SetHandler takes an
 * expression; at start-up there is no request to evaluate it against, so a
 * minimal one stands in (empty headers, path "/"): a literal handler name
 * evaluates to itself, and a name that depends on the request does not
 * count as mounting the application here. */
static const char *section_handler(apr_pool_t *ptemp, server_rec *s, ap_conf_vector_t *sec,
                                   core_dir_config *cd)
{
    ap_expr_eval_ctx_t ctx;
    request_rec *r;
    conn_rec *c;
    const char *err = NULL, *result = NULL;

    if (!cd->expr_handler) {
        return cd->handler;
    }
    c = apr_pcalloc(ptemp, sizeof(*c));
    c->pool = ptemp;
    c->base_server = s;
    c->notes = apr_table_make(ptemp, 1);
    r = apr_pcalloc(ptemp, sizeof(*r));
    r->pool = ptemp;
    r->server = s;
    r->connection = c;
    r->log = &s->log;
    r->per_dir_config = sec;
    r->headers_in = apr_table_make(ptemp, 1);
    r->headers_out = apr_table_make(ptemp, 1);
    r->err_headers_out = apr_table_make(ptemp, 1);
    r->subprocess_env = apr_table_make(ptemp, 1);
    r->notes = apr_table_make(ptemp, 1);
    r->method = "GET";
    r->protocol = "HTTP/1.1";
    r->uri = r->unparsed_uri = r->the_request = "/";
    memset(&ctx, 0, sizeof(ctx));
    ctx.r = r;
    ctx.c = c;
    ctx.s = s;
    ctx.p = ptemp;
    ctx.err = &err;
    ctx.info = cd->expr_handler;
    ctx.result_string = &result;
    if (ap_expr_exec_ctx(&ctx) < 0 || err) {
        return NULL;
    }
    return result;
}

/* Is the <Location> path outer a segment-wise prefix of inner? */
static int path_contains(const char *outer, const char *inner)
{
    size_t n = strlen(outer);
    while (n > 0 && outer[n - 1] == '/') {
        n--;
    }
    return strncmp(outer, inner, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

/* For one virtual host: every <Location> that mounts the application gets
 * its base path, and must have an edition, in itself, in an enclosing
 * <Location> or at server level. */
static int check_server_sections(apr_pool_t *p, apr_pool_t *ptemp, server_rec *s)
{
    core_server_config *csc = ap_get_core_module_config(s->module_config);
    moi_dir_conf *server_dc = ap_get_module_config(s->lookup_defaults, &moisinno_module);
    ap_conf_vector_t **secs = (ap_conf_vector_t **)csc->sec_url->elts;
    int i, j, n = csc->sec_url->nelts;

    for (i = 0; i < n; i++) {
        core_dir_config *cd = ap_get_core_module_config(secs[i]);
        moi_dir_conf *dc = ap_get_module_config(secs[i], &moisinno_module);
        const char *h = section_handler(ptemp, s, secs[i], cd);
        int has_edition;
        size_t len;

        if (!h || strcmp(h, MOI_HANDLER) != 0) {
            continue;
        }
        if (!dc) {
            /* None of our directives in this section: give it a config to
             * hold the base path. */
            dc = moi_create_dir_conf(p, cd->d);
            ap_set_module_config(secs[i], &moisinno_module, dc);
        }
        if (cd->r || !cd->d || cd->d[0] != '/') {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                         MOI_LOGNO(00001) "SetHandler moisinno in <LocationMatch %s> (or a "
                                          "regular expression <Location ~>): the "
                                          "application needs a plain <Location /path> to "
                                          "know its base path",
                         cd->d ? cd->d : "?");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        len = strlen(cd->d);
        while (len > 0 && cd->d[len - 1] == '/') {
            len--;
        }
        dc->base = apr_pstrndup(p, cd->d, len);
        {
            moi_server_conf *sc = ap_get_module_config(s->module_config, &moisinno_module);
            if (!sc->mounts) {
                sc->mounts = apr_array_make(p, 2, sizeof(const char *));
            }
            APR_ARRAY_PUSH(sc->mounts, const char *) = dc->base;
        }

        has_edition = dc->edition_year != MOI_UNSET ||
                      (server_dc && server_dc->edition_year != MOI_UNSET);
        for (j = 0; j < n && !has_edition; j++) {
            core_dir_config *ocd = ap_get_core_module_config(secs[j]);
            moi_dir_conf *odc = ap_get_module_config(secs[j], &moisinno_module);
            if (j != i && !ocd->r && ocd->d && odc && odc->edition_year != MOI_UNSET &&
                path_contains(ocd->d, cd->d)) {
                has_edition = 1;
            }
        }
        if (!has_edition) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                         MOI_LOGNO(00002) "MoisInnoEdition is required in <Location %s> "
                                          "(SetHandler moisinno) of %s:%u; add e.g. "
                                          "MoisInnoEdition 2022 2022-11-02 2022-11-30",
                         cd->d, s->server_hostname ? s->server_hostname : "?", s->port);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

int moi_config_check_sections(apr_pool_t *p, apr_pool_t *ptemp, server_rec *s)
{
    for (; s; s = s->next) {
        int rv = check_server_sections(p, ptemp, s);
        if (rv != OK) {
            return rv;
        }
    }
    return OK;
}
