/* Moderation: the admin page, publish, refuse, and the CSV export with the
 * organisers' contacts. */
#include <apr_strings.h>
#include <http_protocol.h>
#include "mod_moisinno.h"
#include "moi_codes.h"
#include "moi_csv.h"
#include "moi_text.h"
#include "moi_view_event.h"

APLOG_USE_MODULE(moisinno);

static const char *const st_publishable[] = {"submitted", "rejected", NULL};
static const char *const st_refusable[] = {"submitted", NULL};

/* GET BASE/admin[?statut=...] */
int moi_admin_get(moi_req *q)
{
    moi_admin_view v;
    const char *status, *why, *ok;
    moi_form *args = NULL;
    int edition = q->dc->edition_year;
    if (moi_auth_require_admin(q) != OK) {
        return OK;
    }
    if (q->r->args && !(args = moi_form_parse(q->r->pool, q->r->args, strlen(q->r->args), &why))) {
        return moi_error(q, HTTP_BAD_REQUEST, "bad_filter", why);
    }
    status = args ? moi_form_get(args, "statut") : NULL;
    if (status && !*status) {
        status = NULL;
    }
    if (status && !moi_code_lookup(moi_statuses, status)) {
        return moi_error(q, HTTP_BAD_REQUEST, "bad_filter",
                         "Le paramètre « statut » n'est pas valide.");
    }
    memset(&v, 0, sizeof(v));
    v.base = q->base;
    v.csrf = q->session->csrf;
    v.status_filter = status;
    v.tz_lookup = moi_tz_lookup;
    if (MOI_STORE_CALL(q->db, event_list, edition, NULL, status, (apr_array_header_t **)&v.events) !=
            MOI_STORE_OK ||
        MOI_STORE_CALL(q->db, event_counts, edition, "status", (apr_array_header_t **)&v.by_status) !=
            MOI_STORE_OK ||
        MOI_STORE_CALL(q->db, event_counts, edition, "region", (apr_array_header_t **)&v.by_region) !=
            MOI_STORE_OK ||
        MOI_STORE_CALL(q->db, event_counts, edition, "format", (apr_array_header_t **)&v.by_format) !=
            MOI_STORE_OK ||
        MOI_STORE_CALL(q->db, event_counts, edition, "type", (apr_array_header_t **)&v.by_type) !=
            MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    ok = args ? moi_form_get(args, "ok") : NULL;
    v.notice = ok && !strcmp(ok, "publie")   ? "L'événement est publié."
               : ok && !strcmp(ok, "refuse") ? "L'événement est refusé ; l'organisateur voit le motif."
                                             : NULL;
    return moi_send_page(q, HTTP_OK, "Modération", moi_view_admin(q->r->pool, &v));
}

static int moderate(moi_req *q, int publish)
{
    moi_event *ev, *out;
    moi_form *form;
    moi_event_update u;
    const char *reason = NULL, *s;
    apr_int64_t version = 0;
    moi_store_status st;

    if (moi_auth_require_admin(q) != OK || moi_read_form(q, &form) != OK ||
        moi_csrf_check(q, moi_form_get(form, "csrf")) != OK) {
        return OK;
    }
    st = MOI_STORE_CALL(q->db, event_get, q->param, &ev);
    if (st == MOI_STORE_NOT_FOUND) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe pas.");
    }
    if (st != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    if ((s = moi_form_get(form, "version")) && *s &&
        moi_parse_int64(s, 1, 1 << 30, &version) != 0) {
        return moi_error(q, HTTP_BAD_REQUEST, "bad_version", "Version invalide.");
    }
    if (!publish) {
        reason = moi_form_get(form, "reason");
        reason = reason ? moi_trim(q->r->pool, reason) : "";
        if (!*reason || moi_text_has_controls(reason, 1) || moi_utf8_chars(reason) > 1000) {
            return moi_error(q, HTTP_UNPROCESSABLE_ENTITY, "reason_required",
                             "Indiquez le motif du refus (1 000 caractères au plus) : "
                             "l'organisateur le verra.");
        }
    }
    memset(&u, 0, sizeof(u));
    u.expected_version = (int)version;
    u.from_statuses = publish ? st_publishable : st_refusable;
    u.status = publish ? "published" : "rejected";
    u.rejection_reason = reason;
    u.actor = q->organizer->id;
    u.action = publish ? "publish" : "reject";
    u.changed = apr_array_make(q->r->pool, 2, sizeof(const char *));
    APR_ARRAY_PUSH(u.changed, const char *) = "status";
    moi_programme_invalidate(q);
    st = MOI_STORE_CALL(q->db, event_update, ev->id, &u, &out);
    if (st == MOI_STORE_CONFLICT) {
        return moi_error(q, HTTP_CONFLICT, "state_conflict",
                         "Cet événement a changé entre-temps ou n'est plus en attente : "
                         "rechargez la page de modération.");
    }
    if (st == MOI_STORE_NOT_FOUND) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "Cet événement n'existe plus.");
    }
    if (st != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    return moi_redirect(q, apr_pstrcat(q->r->pool, q->base, "/admin?ok=",
                                       publish ? "publie" : "refuse", NULL));
}

int moi_admin_publish(moi_req *q)
{
    return moderate(q, 1);
}

int moi_admin_refuse(moi_req *q)
{
    return moderate(q, 0);
}

static const char *codes_text(apr_pool_t *p, const apr_array_header_t *a)
{
    return a && a->nelts ? apr_array_pstrcat(p, a, ';') : "";
}

/* GET BASE/admin/export.csv */
int moi_admin_export(moi_req *q)
{
    static const char *const header[] = {
        "id", "titre", "statut", "type", "format", "debut", "fin", "fuseau", "region",
        "departement", "ville", "lieu", "adresse", "lien_connexion", "lien_inscription", "public",
        "accessibilite", "laboratoire", "organisateur", "organisation", "contact_nom",
        "contact_email", "contact_organisation", "motif_refus", "cree_le", "modifie_le"};
    enum { NCOL = sizeof(header) / sizeof(header[0]) };
    apr_array_header_t *events;
    apr_hash_t *organizers;
    apr_pool_t *p = q->r->pool;
    int i;

    if (moi_auth_require_admin(q) != OK) {
        return OK;
    }
    if (MOI_STORE_CALL(q->db, event_list, q->dc->edition_year, NULL, NULL, &events) !=
            MOI_STORE_OK ||
        MOI_STORE_CALL(q->db, organizer_all, &organizers) != MOI_STORE_OK) {
        return moi_unavailable(q);
    }
    q->r->status = HTTP_OK;
    ap_set_content_type(q->r, "text/csv; charset=utf-8; header=present");
    apr_table_setn(q->r->headers_out, "Content-Disposition",
                   apr_psprintf(p, "attachment; filename=\"mois-innovation-%d-evenements.csv\"",
                                q->dc->edition_year));
    ap_rputs(moi_csv_row(p, header, NCOL), q->r);
    for (i = 0; i < events->nelts; i++) {
        const moi_event *ev = APR_ARRAY_IDX(events, i, const moi_event *);
        const moi_tz *tz = moi_tz_lookup(NULL, ev->timezone);
        const moi_organizer *o =
            ev->organizer_id ? apr_hash_get(organizers, ev->organizer_id, APR_HASH_KEY_STRING) : NULL;
        const char *cells[NCOL] = {
            ev->id, ev->title, ev->status, ev->type, ev->format,
            tz ? moi_format_rfc3339(p, ev->starts_at, moi_tz_offset_at(tz, ev->starts_at)) : "",
            tz ? moi_format_rfc3339(p, ev->ends_at, moi_tz_offset_at(tz, ev->ends_at)) : "",
            ev->timezone, ev->region, ev->department, ev->city, ev->venue, ev->address,
            ev->online_url, ev->registration_url, codes_text(p, ev->audience),
            codes_text(p, ev->accessibility), ev->lab ? "oui" : "non", ev->organizer_name,
            ev->organization, o ? o->name : "", o ? o->email : "", o ? o->organization : "",
            ev->rejection_reason, moi_format_rfc3339(p, ev->created_at, 0),
            moi_format_rfc3339(p, ev->updated_at, 0)};
        ap_rputs(moi_csv_row(p, cells, NCOL), q->r);
    }
    return OK;
}
