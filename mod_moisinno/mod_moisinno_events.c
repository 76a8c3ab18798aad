/* Events for organisers: the space, the create and edit forms, cancel and
 * delete; shared rules (ownership, deadline, moderation) for the form and
 * the JSON API. */
#include <apr_strings.h>
#include <http_protocol.h>
#include "mod_moisinno.h"
#include "moi_codes.h"
#include "moi_html.h"
#include "moi_view_event.h"

APLOG_USE_MODULE(moisinno);

static const char *const st_editable[] = {"submitted", "published", "rejected", NULL};
static const char *const st_cancellable[] = {"submitted", "published", NULL};
static const char *const st_deletable[] = {"submitted", "rejected", "cancelled", NULL};

void moi_event_rules_of(moi_req *q, moi_event_rules *rules)
{
    memset(rules, 0, sizeof(*rules));
    rules->edition_year = q->dc->edition_year;
    rules->first_day = q->dc->edition_first;
    rules->last_day = q->dc->edition_last;
    rules->tz_lookup = moi_tz_lookup;
    rules->tz_baton = NULL;
}

const char *moi_edition_days(moi_req *q)
{
    const moi_date *f = &q->dc->edition_first, *l = &q->dc->edition_last;
    if (f->month == l->month && f->year == l->year) {
        return apr_psprintf(q->r->pool, "du %d au %d %s %d", f->day, l->day, moi_month_names[l->month - 1],
                            l->year);
    }
    return apr_psprintf(q->r->pool, "du %d %s %d au %d %s %d", f->day, moi_month_names[f->month - 1],
                        f->year, l->day, moi_month_names[l->month - 1], l->year);
}

int moi_deadline_passed(moi_req *q)
{
    return q->dc->deadline_set == 1 && apr_time_now() > q->dc->deadline;
}

const char *moi_deadline_message(moi_req *q)
{
    return apr_pstrcat(q->r->pool,
                       "La date limite de référencement des événements est passée (",
                       q->dc->deadline_text, ") : vous ne pouvez plus en créer, mais vous "
                       "pouvez modifier les vôtres.", NULL);
}

int moi_may_manage(moi_req *q, const moi_event *ev)
{
    return q->is_admin || (q->organizer && ev->organizer_id &&
                           !strcmp(q->organizer->id, ev->organizer_id));
}

static const char *codes_text(apr_pool_t *p, const apr_array_header_t *codes)
{
    return codes && codes->nelts ? apr_array_pstrcat(p, codes, ',') : "";
}

/* Names of the editable fields whose value differs between a and b. */
apr_array_header_t *moi_event_changed_fields(apr_pool_t *p, const moi_event *a,
                                             const moi_event *b)
{
    apr_array_header_t *out = apr_array_make(p, 8, sizeof(const char *));
#define S(f)                                                                                   \
    if ((a->f == NULL) != (b->f == NULL) || (a->f && strcmp(a->f, b->f)))                      \
    APR_ARRAY_PUSH(out, const char *) = #f
#define N(f)                                                                                   \
    if (a->f != b->f)                                                                          \
    APR_ARRAY_PUSH(out, const char *) = #f
    S(title);
    S(summary);
    S(description);
    S(type);
    S(format);
    S(region);
    S(department);
    S(city);
    S(venue);
    S(address);
    S(online_url);
    S(registration_url);
    S(organizer_name);
    S(organization);
    N(starts_at);
    N(ends_at);
    N(lab);
#undef S
#undef N
    if (strcmp(codes_text(p, a->audience), codes_text(p, b->audience))) {
        APR_ARRAY_PUSH(out, const char *) = "audience";
    }
    if (strcmp(codes_text(p, a->accessibility), codes_text(p, b->accessibility))) {
        APR_ARRAY_PUSH(out, const char *) = "accessibility";
    }
    return out;
}

moi_store_status moi_event_create(moi_req *q, moi_event *ev)
{
    int moderation = q->dc->moderation != MOI_UNSET ? q->dc->moderation : 1;
    ev->organizer_id = q->organizer->id;
    ev->status = moderation ? "submitted" : "published";
    moi_programme_invalidate(q);
    return MOI_STORE_CALL(q->db, event_insert, ev, q->organizer->id);
}

moi_store_status moi_event_save(moi_req *q, const moi_event *old, const moi_event *ev,
                                int version, moi_event **out)
{
    moi_event_update u;
    memset(&u, 0, sizeof(u));
    u.expected_version = version;
    u.from_statuses = st_editable;
    u.fields = ev;
    u.actor = q->organizer->id;
    u.action = "update";
    u.changed = moi_event_changed_fields(q->r->pool, old, ev);
    /* An organiser who edits a refused event submits it again. */
    if (!strcmp(old->status, "rejected")) {
        u.status = "submitted";
        u.action = "submit";
    }
    else if (!strcmp(old->status, "submitted") || !strcmp(old->status, "published")) {
        u.status = old->status;
    }
    moi_programme_invalidate(q);
    return MOI_STORE_CALL(q->db, event_update, old->id, &u, out);
}

moi_store_status moi_event_cancel(moi_req *q, const moi_event *ev, int version, moi_event **out)
{
    moi_event_update u;
    memset(&u, 0, sizeof(u));
    u.expected_version = version;
    u.from_statuses = st_cancellable;
    u.status = "cancelled";
    u.actor = q->organizer->id;
    u.action = "cancel";
    u.changed = apr_array_make(q->r->pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(u.changed, const char *) = "status";
    moi_programme_invalidate(q);
    return MOI_STORE_CALL(q->db, event_update, ev->id, &u, out);
}

moi_store_status moi_event_remove(moi_req *q, const moi_event *ev, int version)
{
    moi_event_update u;
    memset(&u, 0, sizeof(u));
    u.expected_version = version;
    u.from_statuses = st_deletable;
    u.actor = q->organizer->id;
    u.action = "delete";
    u.changed = apr_array_make(q->r->pool, 1, sizeof(const char *));
    moi_programme_invalidate(q);
    return MOI_STORE_CALL(q->db, event_delete, ev->id, &u);
}

/* ---- HTML ---------------------------------------------------------------- */

static const char *space_url(moi_req *q, const char *notice_code)
{
    return apr_pstrcat(q->r->pool, q->base, "/espace", notice_code ? "?ok=" : "",
                       notice_code ? notice_code : "", NULL);
}

static const char *notice_of(moi_req *q)
{
    static const moi_code_label notices[] = {
        {"cree", "Votre événement est enregistré."},
        {"soumis", "Votre événement est enregistré : il sera publié après validation par "
                   "l'équipe du Mois de l'innovation publique."},
        {"modifie", "Vos modifications sont enregistrées."},
        {"annule", "L'événement est annulé : il reste affiché, marqué « Annulé »."},
        {"supprime", "L'événement est supprimé."},
        {NULL, NULL}};
    const char *why;
    moi_form *f;
    if (!q->r->args || !(f = moi_form_parse(q->r->pool, q->r->args, strlen(q->r->args), &why))) {
        return NULL;
    }
    return moi_code_lookup(notices, moi_form_get(f, "ok"));
}

/* GET BASE/espace */
int moi_space_get(moi_req *q)
{
    apr_array_header_t *events;
    if (moi_auth_require(q) != OK) {
        return OK;
    }
    if (MOI_STORE_CALL(q->db, event_list, 0, q->organizer->id, NULL, &events) != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    return moi_send_page(q, HTTP_OK, "Mon espace",
                         moi_view_space(q->r->pool, q->base, q->organizer, events,
                                        q->session->csrf, notice_of(q), !moi_deadline_passed(q),
                                        q->dc->deadline_text, moi_tz_lookup, NULL));
}

static int send_form(moi_req *q, int status, const char *title, const char *action,
                     const moi_event_input *in, apr_array_header_t *errors, int version,
                     const moi_event *stored, const char *notice)
{
    moi_event_form_view v;
    apr_array_header_t *history = NULL;
    memset(&v, 0, sizeof(v));
    if (stored) {
        MOI_STORE_CALL(q->db, event_history, stored->id, &history);
        v.tz = moi_tz_lookup(NULL, stored->timezone);
    }
    v.base = q->base;
    v.action = action;
    v.title = title;
    v.in = in;
    v.errors = errors;
    v.csrf = q->session->csrf;
    v.version = version;
    v.event = stored;
    v.history = history;
    v.notice = notice;
    v.edition_days = moi_edition_days(q);
    return moi_send_page(q, status,
                         errors && errors->nelts ? apr_pstrcat(q->r->pool, title, " — erreurs", NULL)
                                                 : title,
                         moi_view_event_form(q->r->pool, &v));
}

/* GET|POST BASE/espace/evenements/nouveau */
int moi_event_new(moi_req *q)
{
    request_rec *r = q->r;
    moi_event_input in;
    moi_event_rules rules;
    moi_event ev;
    moi_form *form;
    apr_array_header_t *errors = apr_array_make(r->pool, 8, sizeof(moi_field_error));
    const char *action = apr_pstrcat(r->pool, q->base, "/espace/evenements/nouveau", NULL);
    moi_store_status st;

    if (moi_auth_require(q) != OK) {
        return OK;
    }
    if (moi_deadline_passed(q)) {
        if (r->method_number == M_POST) {
            moi_read_form(q, &form); /* drain the body; the answer is the same */
        }
        return moi_error(q, HTTP_FORBIDDEN, "deadline_passed", moi_deadline_message(q));
    }
    if (r->method_number == M_GET) {
        memset(&in, 0, sizeof(in));
        in.organizer_name = q->organizer->name;
        in.organization = q->organizer->organization;
        return send_form(q, HTTP_OK, "Référencer un événement", action, &in, NULL, 0, NULL, NULL);
    }
    if (moi_read_form(q, &form) != OK || moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    moi_event_input_from_form(r->pool, form, &in);
    moi_event_rules_of(q, &rules);
    memset(&ev, 0, sizeof(ev));
    if (moi_event_validate(r->pool, &in, &rules, &ev, errors) > 0) {
        return send_form(q, HTTP_UNPROCESSABLE_ENTITY, "Référencer un événement", action, &in,
                         errors, 0, NULL, NULL);
    }
    st = moi_event_create(q, &ev);
    if (st != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    return moi_redirect(q, space_url(q, strcmp(ev.status, "published") ? "soumis" : "cree"));
}

/* Loads the event of the route for someone who may manage it; answers 404
 * otherwise (another organiser's event is not revealed). */
static int load_managed(moi_req *q, moi_event **ev)
{
    moi_store_status st = MOI_STORE_CALL(q->db, event_get, q->param, ev);
    if (st == MOI_STORE_NOT_FOUND || (st == MOI_STORE_OK && !moi_may_manage(q, *ev))) {
        return MOI_FAIL(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe pas.");
    }
    if (st != MOI_STORE_OK) {
        return MOI_FAIL_UNAVAILABLE(q);
    }
    return OK;
}

static int form_version(moi_form *form)
{
    apr_int64_t v;
    const char *s = moi_form_get(form, "version");
    return s && moi_parse_int64(s, 1, 1 << 30, &v) == 0 ? (int)v : -1;
}

/* GET|POST BASE/espace/evenements/{id}/modifier */
int moi_event_edit(moi_req *q)
{
    request_rec *r = q->r;
    moi_event *old, *saved = NULL, ev;
    moi_event_input in;
    moi_event_rules rules;
    moi_form *form;
    apr_array_header_t *errors = apr_array_make(r->pool, 8, sizeof(moi_field_error));
    const char *action = apr_pstrcat(r->pool, q->base, "/espace/evenements/", q->param,
                                     "/modifier", NULL);
    const moi_tz *tz;
    int version;
    moi_store_status st;

    if (moi_auth_require(q) != OK || load_managed(q, &old) != OK) {
        return OK;
    }
    tz = moi_tz_lookup(NULL, old->timezone);
    if (r->method_number == M_GET) {
        moi_event_input_from_event(r->pool, old, tz, &in);
        return send_form(q, HTTP_OK, "Modifier l'événement", action, &in, NULL, old->version, old,
                         NULL);
    }
    if (moi_read_form(q, &form) != OK || moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    if (!strcmp(old->status, "cancelled")) {
        return moi_error(q, HTTP_CONFLICT, "cancelled",
                         "Cet événement est annulé : il ne peut plus être modifié.");
    }
    version = form_version(form);
    moi_event_input_from_form(r->pool, form, &in);
    if (version != old->version) {
        /* Someone changed it since this form was loaded: show the current
         * values, the organiser's are lost only if they choose so. */
        moi_event_input cur;
        moi_event_input_from_event(r->pool, old, tz, &cur);
        moi_add_error(errors, "",
                      "Cet événement a été modifié entre-temps (par vous dans un autre onglet, "
                      "ou par l'équipe de modération). Voici sa version actuelle : refaites vos "
                      "modifications puis enregistrez.");
        return send_form(q, HTTP_CONFLICT, "Modifier l'événement", action, &cur, errors,
                         old->version, old, NULL);
    }
    moi_event_rules_of(q, &rules);
    memset(&ev, 0, sizeof(ev));
    if (moi_event_validate(r->pool, &in, &rules, &ev, errors) > 0) {
        return send_form(q, HTTP_UNPROCESSABLE_ENTITY, "Modifier l'événement", action, &in,
                         errors, old->version, old, NULL);
    }
    st = moi_event_save(q, old, &ev, version, &saved);
    if (st == MOI_STORE_CONFLICT || st == MOI_STORE_NOT_FOUND) {
        moi_event *cur_ev;
        moi_event_input cur;
        if (MOI_STORE_CALL(q->db, event_get, q->param, &cur_ev) != MOI_STORE_OK) {
            return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe plus.");
        }
        moi_event_input_from_event(r->pool, cur_ev, tz, &cur);
        moi_add_error(errors, "",
                      "Cet événement a été modifié entre-temps. Voici sa version actuelle : "
                      "refaites vos modifications puis enregistrez.");
        return send_form(q, HTTP_CONFLICT, "Modifier l'événement", action, &cur, errors,
                         cur_ev->version, cur_ev, NULL);
    }
    if (st != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    return moi_redirect(q, space_url(q, !strcmp(saved->status, "submitted") &&
                                                strcmp(old->status, "submitted")
                                            ? "soumis"
                                            : "modifie"));
}

/* POST BASE/espace/evenements/{id}/annuler and .../supprimer */
static int event_state_change(moi_req *q, int cancel)
{
    moi_event *ev, *out;
    moi_form *form;
    moi_store_status st;
    if (moi_auth_require(q) != OK || load_managed(q, &ev) != OK || moi_read_form(q, &form) != OK ||
        moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    if (form_version(form) != ev->version) {
        return moi_error(q, HTTP_CONFLICT, "stale_version",
                         "Cet événement a été modifié entre-temps : rechargez la page.");
    }
    if (cancel) {
        st = moi_event_cancel(q, ev, ev->version, &out);
    }
    else {
        st = moi_event_remove(q, ev, ev->version);
    }
    if (st == MOI_STORE_CONFLICT) {
        return moi_error(q, HTTP_CONFLICT, "state_conflict",
                         cancel ? "Cet événement ne peut pas être annulé dans son état actuel."
                                : !strcmp(ev->status, "published")
                                      ? "Un événement publié ne se supprime pas : annulez-le."
                                      : "Cet événement a été modifié entre-temps : rechargez la "
                                        "page.");
    }
    if (st == MOI_STORE_NOT_FOUND) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe plus.");
    }
    if (st != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    return moi_redirect(q, q->is_admin && strcmp(q->organizer->id, ev->organizer_id)
                               ? apr_pstrcat(q->r->pool, q->base, "/admin", NULL)
                               : space_url(q, cancel ? "annule" : "supprime"));
}

int moi_event_cancel_post(moi_req *q)
{
    return event_state_change(q, 1);
}

int moi_event_delete_post(moi_req *q)
{
    return event_state_change(q, 0);
}
