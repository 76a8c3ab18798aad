/* JSON API: events (list, get, create, replace, patch, delete) and the
 * OpenAPI description. */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <jansson.h>
#include "mod_moisinno.h"
#include "moi_assets.h"
#include "moi_cookie.h"
#include "moi_filter.h"
#include "moi_snapshot.h"

APLOG_USE_MODULE(moisinno);

static int validation_error(moi_req *q, apr_array_header_t *errors)
{
    json_t *fields = json_object();
    int i;
    for (i = 0; i < errors->nelts; i++) {
        const moi_field_error *e = &APR_ARRAY_IDX(errors, i, moi_field_error);
        const char *key = *e->field ? e->field : "_";
        if (!json_object_get(fields, key)) {
            json_object_set_new(fields, key, json_string(e->message));
        }
    }
    return moi_send_json_doc(q, HTTP_UNPROCESSABLE_ENTITY,
                    json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "validation", "message",
                              "L'événement ne respecte pas les règles : voir les champs.",
                              "fields", fields));
}

static const char *event_url(moi_req *q, const moi_event *ev)
{
    return ap_construct_url(q->r->pool,
                            apr_pstrcat(q->r->pool, q->base, "/evenements/", ev->id, NULL), q->r);
}

static const char *etag_of(moi_req *q, const moi_event *ev)
{
    return apr_psprintf(q->r->pool, "\"%s-%d\"", ev->id, ev->version);
}

static int send_event(moi_req *q, int status, const moi_event *ev)
{
    const moi_tz *tz = moi_tz_lookup(NULL, ev->timezone);
    if (!tz) {
        return moi_error(q, HTTP_INTERNAL_SERVER_ERROR, "internal", "Fuseau horaire inconnu.");
    }
    apr_table_setn(q->r->headers_out, "ETag", etag_of(q, ev));
    return moi_send_json_doc(q, status, moi_event_to_json(q->r->pool, ev, tz, event_url(q, ev)));
}

static int is_public(const moi_event *ev)
{
    return !strcmp(ev->status, "published") || !strcmp(ev->status, "cancelled");
}

/* Session and CSRF for API writes. */
static int write_allowed(moi_req *q)
{
    if (moi_auth_require(q) != OK) {
        return HTTP_UNAUTHORIZED;
    }
    return moi_csrf_check(q, apr_table_get(q->r->headers_in, "X-CSRF-Token"));
}

/* GET|POST BASE/api/v1/events */
int moi_api_events(moi_req *q)
{
    request_rec *r = q->r;
    if (r->method_number == M_POST) {
        json_t *body;
        moi_event_input in;
        moi_event_rules rules;
        moi_event ev;
        apr_array_header_t *errors = apr_array_make(r->pool, 8, sizeof(moi_field_error));
        if (write_allowed(q) != OK) {
            return OK;
        }
        if (moi_deadline_passed(q)) {
            return moi_error(q, HTTP_FORBIDDEN, "deadline_passed", moi_deadline_message(q));
        }
        if (moi_read_json_object(q, &body) != OK) {
            return OK;
        }
        moi_event_input_from_json(r->pool, body, &in, errors);
        if (!in.organizer_name) {
            in.organizer_name = q->organizer->name;
        }
        if (!in.organization) {
            in.organization = q->organizer->organization;
        }
        moi_event_rules_of(q, &rules);
        memset(&ev, 0, sizeof(ev));
        if (errors->nelts || moi_event_validate(r->pool, &in, &rules, &ev, errors) > 0) {
            return validation_error(q, errors);
        }
        if (moi_event_create(q, &ev) != MOI_STORE_OK) {
            return moi_unavailable(q);
        }
        apr_table_setn(r->headers_out, "Location",
                       apr_pstrcat(r->pool, q->base, "/api/v1/events/", ev.id, NULL));
        return send_event(q, HTTP_CREATED, &ev);
    }
    else {
        moi_filter f;
        const char *param, *message;
        const moi_snapshot *snap;
        apr_array_header_t *sel;
        json_t *list, *doc;
        const char *text;
        char *dumped;
        int i, total, first, last;

        if (moi_filter_parse(r->pool, r->args, 1, 20, &f, &param, &message) != 0) {
            return moi_send_json_doc(q, HTTP_BAD_REQUEST,
                            json_pack("{s:{s:s,s:s,s:{s:s}}}", "error", "code", "bad_filter",
                                      "message", message, "fields", *param ? param : "_",
                                      message));
        }
        /* From the programme snapshot: no database round trip, and still
         * served when the database is away. */
        if (!(snap = moi_programme_current(q))) {
            return moi_unavailable(q);
        }
        if (moi_programme_not_modified(q, snap, "api")) {
            r->status = HTTP_NOT_MODIFIED;
            return OK;
        }
        if ((text = moi_programme_cached(q, snap)) != NULL) {
            return moi_send_json(q, HTTP_OK, text);
        }
        sel = moi_snapshot_select(r->pool, snap, &f);
        total = sel->nelts;
        list = json_array();
        first = f.page - 1 > total / f.per_page ? total : (f.page - 1) * f.per_page;
        last = first + f.per_page;
        for (i = first; i < total && i < last; i++) {
            int idx = APR_ARRAY_IDX(sel, i, int);
            const moi_event *ev = APR_ARRAY_IDX(snap->events, idx, const moi_event *);
            json_array_append_new(list, moi_event_to_json(r->pool, ev,
                                                          APR_ARRAY_IDX(snap->zones, idx, const moi_tz *),
                                                          event_url(q, ev)));
        }
        doc = json_pack("{s:i,s:i,s:i,s:o}", "total", total, "page", f.page, "per_page",
                        f.per_page, "events", list);
        dumped = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        if (!dumped) {
            return moi_error(q, HTTP_INTERNAL_SERVER_ERROR, "internal", "Erreur interne.");
        }
        text = apr_pstrcat(r->pool, dumped, "\n", NULL);
        free(dumped);
        moi_programme_keep(q, snap, text);
        return moi_send_json(q, HTTP_OK, text);
    }
}

/* If-Match against the current ETag: OK, or 412 answered. */
static int if_match(moi_req *q, const moi_event *ev)
{
    const char *im = apr_table_get(q->r->headers_in, "If-Match");
    if (im && strcmp(im, "*") != 0 && !ap_find_etag_strong(q->r->pool, im, etag_of(q, ev))) {
        return MOI_FAIL(q, HTTP_PRECONDITION_FAILED, "stale",
                        "L'événement a changé depuis votre lecture (If-Match) : relisez-le.");
    }
    return OK;
}

static int stale_or_gone(moi_req *q, moi_store_status st, int deleting, const moi_event *ev)
{
    if (st == MOI_STORE_NOT_FOUND) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe pas.");
    }
    if (st == MOI_STORE_CONFLICT) {
        if (deleting && !strcmp(ev->status, "published")) {
            return moi_error(q, HTTP_CONFLICT, "published",
                             "Un événement publié ne se supprime pas : annulez-le.");
        }
        if (!strcmp(ev->status, "cancelled") && !deleting) {
            return moi_error(q, HTTP_CONFLICT, "cancelled",
                             "Cet événement est annulé : il ne peut plus être modifié.");
        }
        return moi_error(q, HTTP_PRECONDITION_FAILED, "stale",
                         "L'événement a changé entre-temps : relisez-le.");
    }
    return moi_unavailable(q);
}

/* GET|PUT|PATCH|DELETE BASE/api/v1/events/{id} */
int moi_api_event(moi_req *q)
{
    request_rec *r = q->r;
    moi_event *ev, *saved = NULL;
    moi_store_status st;

    if (r->method_number == M_GET &&
        !moi_cookie_get(r->pool, apr_table_get(r->headers_in, "Cookie"), MOI_SESSION_COOKIE)) {
        /* A public event for an anonymous reader: from the snapshot, like
         * its page (a logged-in client reads its own writes from the
         * database). */
        const moi_snapshot *snap = moi_programme_current(q);
        int idx = snap ? moi_snapshot_find(snap, q->param) : -1;
        if (idx >= 0) {
            const moi_event *pub = APR_ARRAY_IDX(snap->events, idx, const moi_event *);
            apr_table_setn(r->headers_out, "ETag", etag_of(q, pub));
            apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=60");
            if (ap_meets_conditions(r) == HTTP_NOT_MODIFIED) {
                r->status = HTTP_NOT_MODIFIED;
                return OK;
            }
            return send_event(q, HTTP_OK, pub);
        }
    }
    if (!q->db) {
        return moi_unavailable(q);
    }
    if (moi_auth_load(q) != OK) {
        return OK;
    }
    st = MOI_STORE_CALL(q->db, event_get, q->param, &ev);
    if (st == MOI_STORE_OK && ev->edition != q->dc->edition_year) {
        st = MOI_STORE_NOT_FOUND; /* another edition's event: not here */
    }
    if (st != MOI_STORE_OK && st != MOI_STORE_NOT_FOUND) {
        return moi_unavailable(q);
    }
    if (r->method_number == M_GET) {
        if (st == MOI_STORE_NOT_FOUND || (!is_public(ev) && !moi_may_manage(q, ev))) {
            return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe pas.");
        }
        apr_table_setn(r->headers_out, "ETag", etag_of(q, ev));
        if (is_public(ev)) {
            apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=60");
        }
        else {
            moi_no_store(r);
        }
        if (ap_meets_conditions(r) == HTTP_NOT_MODIFIED) {
            r->status = HTTP_NOT_MODIFIED;
            return OK;
        }
        return send_event(q, HTTP_OK, ev);
    }
    if (write_allowed(q) != OK) {
        return OK;
    }
    if (st == MOI_STORE_NOT_FOUND || !moi_may_manage(q, ev)) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe pas.");
    }
    if (if_match(q, ev) != OK) {
        return OK;
    }
    if (r->method_number == M_DELETE) {
        st = moi_event_remove(q, ev, ev->version);
        if (st != MOI_STORE_OK) {
            return stale_or_gone(q, st, 1, ev);
        }
        r->status = HTTP_NO_CONTENT;
        return OK;
    }
    else {
        json_t *body;
        moi_event_input in, top;
        moi_event_rules rules;
        moi_event next;
        apr_array_header_t *errors = apr_array_make(r->pool, 8, sizeof(moi_field_error));
        if (moi_read_json_object(q, &body) != OK) {
            return OK;
        }
        if (!strcmp(ev->status, "cancelled")) {
            return moi_error(q, HTTP_CONFLICT, "cancelled",
                             "Cet événement est annulé : il ne peut plus être modifié.");
        }
        moi_event_input_from_json(r->pool, body, &top, errors);
        if (r->method_number == M_PATCH) {
            moi_event_input_from_event(r->pool, ev, moi_tz_lookup(NULL, ev->timezone), &in);
            moi_event_input_merge(&in, &top);
        }
        else {
            in = top;
        }
        moi_event_rules_of(q, &rules);
        memset(&next, 0, sizeof(next));
        if (errors->nelts || moi_event_validate(r->pool, &in, &rules, &next, errors) > 0) {
            return validation_error(q, errors);
        }
        st = moi_event_save(q, ev, &next, ev->version, &saved);
        if (st != MOI_STORE_OK) {
            return stale_or_gone(q, st, 0, ev);
        }
        return send_event(q, HTTP_OK, saved);
    }
}

/* GET BASE/api/v1/openapi.json */
int moi_api_openapi(moi_req *q)
{
    const moi_asset *a = moi_asset_find("openapi.json");
    if (!a) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Description indisponible.");
    }
    apr_table_setn(q->r->headers_out, "ETag", a->etag);
    apr_table_setn(q->r->headers_out, "Cache-Control", "public, max-age=3600");
    ap_set_content_type(q->r, "application/json; charset=utf-8");
    if (ap_meets_conditions(q->r) == HTTP_NOT_MODIFIED) {
        q->r->status = HTTP_NOT_MODIFIED;
        return OK;
    }
    ap_set_content_length(q->r, (apr_off_t)a->len);
    if (!q->r->header_only) {
        ap_rwrite(a->data, (int)a->len, q->r);
    }
    return OK;
}
