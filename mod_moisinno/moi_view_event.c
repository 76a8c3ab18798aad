#include <string.h>
#include <apr_strings.h>
#include "moi_codes.h"
#include "moi_geo.h"
#include "moi_view_event.h"


const char *moi_format_when(apr_pool_t *p, const moi_tz *tz, apr_time_t t)
{
    int y, mo, d, h, mi, s;
    moi_tz_to_local(tz, t, &y, &mo, &d, &h, &mi, &s);
    return apr_psprintf(p, "%d%s %s %d à %02d:%02d", d, d == 1 ? "er" : "", moi_month_names[mo - 1], y,
                        h, mi);
}

#define E(s) moi_html_escape(p, (s))

static int in_list(const apr_array_header_t *a, const char *code)
{
    int i;
    for (i = 0; a && i < a->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(a, i, const char *), code)) {
            return 1;
        }
    }
    return 0;
}

/* Start of a field: wrapper, label, hint, error. */
static const char *field_open(apr_pool_t *p, const char *name, const char *label, int required,
                              const char *hint, const apr_array_header_t *errors)
{
    const char *err = moi_html_field_error(errors, name);
    return apr_pstrcat(
        p, "<div class=\"champ", err ? " champ-erreur" : "", "\">\n<label for=\"", name, "\">",
        E(label), required ? " <span class=\"requis\">(obligatoire)</span>" : "", "</label>\n",
        hint ? apr_pstrcat(p, "<p class=\"aide\" id=\"", name, "-aide\">", E(hint), "</p>\n", NULL)
             : "",
        err ? apr_pstrcat(p, "<p class=\"erreur\" id=\"", name, "-erreur\">", E(err), "</p>\n",
                          NULL)
            : "",
        NULL);
}

static const char *described_by(apr_pool_t *p, const char *name, const char *hint,
                                const apr_array_header_t *errors)
{
    const char *err = moi_html_field_error(errors, name);
    if (!hint && !err) {
        return "";
    }
    return apr_pstrcat(p, err ? " aria-invalid=\"true\"" : "", " aria-describedby=\"",
                       hint ? apr_pstrcat(p, name, "-aide", NULL) : "",
                       hint && err ? " " : "", err ? apr_pstrcat(p, name, "-erreur", NULL) : "",
                       "\"", NULL);
}

static const char *select_codes(apr_pool_t *p, const char *name, const char *label,
                                const moi_code_label *table, const char *value, int required,
                                const char *hint, const apr_array_header_t *errors)
{
    const char *opts = "<option value=\"\">— Choisir —</option>";
    for (; table->code; table++) {
        opts = apr_pstrcat(p, opts, "<option value=\"", table->code, "\"",
                           value && !strcmp(value, table->code) ? " selected" : "", ">",
                           E(table->label), "</option>", NULL);
    }
    return apr_pstrcat(p, field_open(p, name, label, required, hint, errors), "<select id=\"",
                       name, "\" name=\"", name, "\"", required ? " required" : "",
                       described_by(p, name, hint, errors), ">", opts, "</select>\n</div>\n",
                       NULL);
}

static const char *checkboxes(apr_pool_t *p, const char *name, const char *legend,
                              const moi_code_label *table, const apr_array_header_t *values,
                              int required, const apr_array_header_t *errors)
{
    const char *err = moi_html_field_error(errors, name);
    const char *boxes = "";
    int i = 0;
    for (; table->code; table++, i++) {
        const char *id = apr_psprintf(p, "%s-%d", name, i);
        boxes = apr_pstrcat(p, boxes, "<div class=\"case\"><input type=\"checkbox\" id=\"", id,
                            "\" name=\"", name, "\" value=\"", table->code, "\"",
                            in_list(values, table->code) ? " checked" : "", "><label for=\"", id,
                            "\">", E(table->label), "</label></div>\n", NULL);
    }
    return apr_pstrcat(
        p, "<fieldset class=\"champ", err ? " champ-erreur" : "", "\" id=\"", name,
        "\" tabindex=\"-1\"",
        err ? apr_pstrcat(p, " aria-describedby=\"", name, "-erreur\"", NULL) : "",
        "><legend>", E(legend), required ? " <span class=\"requis\">(obligatoire)</span>" : "",
        "</legend>\n",
        err ? apr_pstrcat(p, "<p class=\"erreur\" id=\"", name, "-erreur\">", E(err), "</p>\n",
                          NULL)
            : "",
        boxes, "</fieldset>\n", NULL);
}

static const char *region_select(apr_pool_t *p, const char *value,
                                 const apr_array_header_t *errors)
{
    const char *opts = "<option value=\"\">— Aucune (événement en ligne national) —</option>";
    const moi_region *r;
    for (r = moi_regions; r->code; r++) {
        opts = apr_pstrcat(p, opts, "<option value=\"", r->code, "\"",
                           value && !strcmp(value, r->code) ? " selected" : "", ">", E(r->name),
                           "</option>", NULL);
    }
    return apr_pstrcat(p, field_open(p, "region", "Région", 0, NULL, errors),
                       "<select id=\"region\" name=\"region\"",
                       described_by(p, "region", NULL, errors), ">", opts, "</select>\n</div>\n",
                       NULL);
}

/* Departments as a select grouped by region: works without JavaScript. */
static const char *department_select(apr_pool_t *p, const char *value,
                                     const apr_array_header_t *errors)
{
    const char *opts = "<option value=\"\">— Aucun —</option>";
    const moi_region *r;
    for (r = moi_regions; r->code; r++) {
        const moi_department *d;
        opts = apr_pstrcat(p, opts, "<optgroup label=\"", E(r->name), "\">", NULL);
        for (d = moi_departments; d->code; d++) {
            if (strcmp(d->region_code, r->code)) {
                continue;
            }
            opts = apr_pstrcat(p, opts, "<option value=\"", d->code, "\"",
                               value && !strcmp(value, d->code) ? " selected" : "", ">",
                               d->code, " — ", E(d->name), "</option>", NULL);
        }
        opts = apr_pstrcat(p, opts, "</optgroup>", NULL);
    }
    return apr_pstrcat(p,
                       field_open(p, "department", "Département", 0,
                                  "Il doit appartenir à la région choisie ; il fixe le fuseau "
                                  "horaire de l'événement.",
                                  errors),
                       "<select id=\"department\" name=\"department\"",
                       described_by(p, "department",
                                    "Il doit appartenir à la région choisie ; il fixe le fuseau "
                                    "horaire de l'événement.",
                                    errors),
                       ">", opts, "</select>\n</div>\n", NULL);
}

static const char *textarea(apr_pool_t *p, const char *name, const char *label,
                            const char *value, int required, const char *hint, int rows,
                            const apr_array_header_t *errors)
{
    return apr_pstrcat(p, field_open(p, name, label, required, hint, errors), "<textarea id=\"",
                       name, "\" name=\"", name, "\" rows=\"", apr_itoa(p, rows), "\"",
                       required ? " required" : "", described_by(p, name, hint, errors), ">",
                       E(value ? value : ""), "</textarea>\n</div>\n", NULL);
}

static const char *lab_checkbox(apr_pool_t *p, const char *value,
                                const apr_array_header_t *errors)
{
    const char *err = moi_html_field_error(errors, "lab");
    return apr_pstrcat(
        p, "<div class=\"champ", err ? " champ-erreur" : "", "\">",
        err ? apr_pstrcat(p, "<p class=\"erreur\" id=\"lab-erreur\">", E(err), "</p>", NULL) : "",
        "<div class=\"case\"><input type=\"checkbox\" id=\"lab\" name=\"lab\" value=\"1\"",
        value && !strcmp(value, "1") ? " checked" : "",
        err ? " aria-invalid=\"true\" aria-describedby=\"lab-erreur\"" : "",
        "><label for=\"lab\">Organisé par un laboratoire d'innovation territoriale</label></div>"
        "</div>\n",
        NULL);
}

static const char *history_html(apr_pool_t *p, const apr_array_header_t *history,
                                const moi_tz *tz)
{
    static const moi_code_label actions[] = {
        {"create", "Création"},  {"update", "Modification"}, {"submit", "Soumission"},
        {"publish", "Publication"}, {"reject", "Refus"},      {"cancel", "Annulation"},
        {"delete", "Suppression"}, {NULL, NULL}};
    const char *rows = "";
    int i;
    if (!history || history->nelts == 0) {
        return "";
    }
    for (i = 0; i < history->nelts; i++) {
        const moi_event_change *c = &APR_ARRAY_IDX(history, i, moi_event_change);
        const char *label = moi_code_lookup(actions, c->action);
        const char *fields = "";
        int j;
        for (j = 0; c->fields && j < c->fields->nelts && strcmp(c->action, "create"); j++) {
            fields = apr_pstrcat(p, fields, j ? ", " : "",
                                 E(APR_ARRAY_IDX(c->fields, j, const char *)), NULL);
        }
        rows = apr_pstrcat(p, rows, "<tr><td>", E(moi_format_when(p, tz, c->at)), "</td><td>",
                           E(label ? label : c->action), "</td><td>", fields, "</td></tr>\n",
                           NULL);
    }
    return apr_pstrcat(p,
                       "<h2>Historique</h2>\n<table><caption class=\"sr-only\">Historique des "
                       "modifications</caption><thead><tr><th scope=\"col\">Date</th>"
                       "<th scope=\"col\">Action</th><th scope=\"col\">Champs modifiés</th></tr>"
                       "</thead><tbody>\n",
                       rows, "</tbody></table>\n", NULL);
}

static const char *status_badge(apr_pool_t *p, const char *status)
{
    const char *label = moi_code_lookup(moi_statuses, status);
    return apr_pstrcat(p, "<span class=\"statut statut-", E(status ? status : ""), "\">",
                       E(label ? label : status), "</span>", NULL);
}

const char *moi_view_event_form(apr_pool_t *p, const moi_event_form_view *v)
{
    const moi_event_input *in = v->in;
    const apr_array_header_t *errors = v->errors;
    const char *status = "";
    if (v->event) {
        status = apr_pstrcat(
            p, "<p>Statut : ", status_badge(p, v->event->status), "</p>\n",
            v->event->rejection_reason && !strcmp(v->event->status, "rejected")
                ? apr_pstrcat(p, "<p class=\"erreur\">Motif du refus : ",
                              E(v->event->rejection_reason),
                              "</p><p>Modifiez l'événement pour le soumettre de nouveau.</p>\n",
                              NULL)
                : "",
            NULL);
    }
    return apr_pstrcat(
        p, "<h1>", E(v->title), "</h1>\n",
        v->notice ? apr_pstrcat(p, "<p class=\"info\" role=\"status\">", E(v->notice), "</p>\n",
                                NULL)
                  : "",
        status, moi_html_error_summary(p, errors),
        "<form method=\"post\" action=\"", E(v->action), "\" novalidate>\n",
        moi_html_hidden(p, "csrf", v->csrf),
        v->version ? moi_html_hidden(p, "version", apr_itoa(p, v->version)) : "",
        "<h2>L'événement</h2>\n",
        moi_html_input(p, "text", "title", "Titre", in->title, "off", 1,
                       "De 5 à 150 caractères.", errors),
        textarea(p, "summary", "Résumé", in->summary, 1, "Une ou deux phrases, 300 caractères au plus.",
                 3, errors),
        textarea(p, "description", "Description", in->description, 0,
                 "Programme, intervenants, modalités (10 000 caractères au plus).", 8, errors),
        select_codes(p, "type", "Type d'événement", moi_event_types, in->type, 1, NULL, errors),
        select_codes(p, "format", "Format", moi_formats, in->format, 1, NULL, errors),
        checkboxes(p, "audience", "Public visé", moi_audiences, in->audience, 1, errors),
        checkboxes(p, "accessibility", "Accessibilité", moi_accessibility, in->accessibility, 0,
                   errors),
        "<h2>Date et heure</h2>\n",
        moi_html_input(p, "datetime-local", "starts_at", "Début", in->starts_at, "off", 1,
                       apr_pstrcat(p, "Heure locale du lieu de l'événement, ", v->edition_days,
                                   ".", NULL),
                       errors),
        moi_html_input(p, "datetime-local", "ends_at", "Fin", in->ends_at, "off", 1,
                       "Heure locale du lieu de l'événement.", errors),
        "<h2>Lieu</h2>\n<p class=\"aide\">Obligatoire pour un événement en présentiel ou "
        "hybride.</p>\n",
        region_select(p, in->region, errors), department_select(p, in->department, errors),
        moi_html_input(p, "text", "city", "Ville", in->city, "address-level2", 0, NULL, errors),
        moi_html_input(p, "text", "venue", "Nom du lieu", in->venue, "off", 0, NULL, errors),
        moi_html_input(p, "text", "address", "Adresse", in->address, "address-line1", 0, NULL,
                       errors),
        "<h2>En ligne et inscription</h2>\n<p class=\"aide\">Pour un événement en ligne ou "
        "hybride, indiquez au moins l'un des deux liens.</p>\n",
        moi_html_input(p, "url", "online_url", "Lien de connexion", in->online_url, "url", 0,
                       "Adresse complète, exemple : https://webinaire.exemple.gouv.fr/salle",
                       errors),
        moi_html_input(p, "url", "registration_url", "Lien d'inscription", in->registration_url,
                       "url", 0, NULL, errors),
        "<h2>Organisation</h2>\n",
        moi_html_input(p, "text", "organizer_name", "Nom de l'organisateur", in->organizer_name,
                       "name", 1, NULL, errors),
        moi_html_input(p, "text", "organization", "Organisation", in->organization,
                       "organization", 1, NULL, errors),
        lab_checkbox(p, in->lab, errors),
        "<p><button type=\"submit\">Enregistrer</button> <a href=\"", E(v->base),
        "/espace\">Annuler</a></p>\n</form>\n",
        v->event && v->tz ? history_html(p, v->history, v->tz) : "", NULL);
}

/* The actions an organiser has on one of their events. */
static const char *event_actions(apr_pool_t *p, const char *base, const moi_event *ev,
                                 const char *csrf)
{
    const char *b = E(base), *id = E(ev->id);
    const char *out = apr_pstrcat(p, "<a href=\"", b, "/espace/evenements/", id,
                                  "/modifier\">Modifier<span class=\"sr-only\"> « ",
                                  E(ev->title), " »</span></a>", NULL);
    if (strcmp(ev->status, "cancelled") != 0 && !strcmp(ev->status, "published")) {
        out = apr_pstrcat(p, out, " <form method=\"post\" class=\"en-ligne\" action=\"", b,
                          "/espace/evenements/", id, "/annuler\">",
                          moi_html_hidden(p, "csrf", csrf),
                          moi_html_hidden(p, "version", apr_itoa(p, ev->version)),
                          "<button type=\"submit\" class=\"secondaire\">Annuler l'événement"
                          "<span class=\"sr-only\"> « ",
                          E(ev->title), " »</span></button></form>", NULL);
    }
    if (strcmp(ev->status, "published") != 0) {
        out = apr_pstrcat(p, out, " <form method=\"post\" class=\"en-ligne\" action=\"", b,
                          "/espace/evenements/", id, "/supprimer\">",
                          moi_html_hidden(p, "csrf", csrf),
                          moi_html_hidden(p, "version", apr_itoa(p, ev->version)),
                          "<button type=\"submit\" class=\"secondaire\">Supprimer"
                          "<span class=\"sr-only\"> « ",
                          E(ev->title), " »</span></button></form>", NULL);
    }
    return out;
}

const char *moi_view_space(apr_pool_t *p, const char *base, const moi_organizer *who,
                           const apr_array_header_t *events, const char *csrf,
                           const char *notice, int can_create, const char *deadline_text,
                           const moi_tz *(*tz_lookup)(void *, const char *), void *baton)
{
    const char *b = E(base), *rows = "";
    int i;
    for (i = 0; i < events->nelts; i++) {
        const moi_event *ev = APR_ARRAY_IDX(events, i, const moi_event *);
        const moi_tz *tz = tz_lookup(baton, ev->timezone);
        rows = apr_pstrcat(
            p, rows, "<tr><td><a href=\"", b, "/evenements/", E(ev->id), "\">", E(ev->title),
            "</a></td><td>", tz ? E(moi_format_when(p, tz, ev->starts_at)) : "", "</td><td>",
            status_badge(p, ev->status),
            ev->rejection_reason && !strcmp(ev->status, "rejected")
                ? apr_pstrcat(p, "<br><span class=\"erreur\">Motif : ", E(ev->rejection_reason),
                              "</span>", NULL)
                : "",
            "</td><td>", event_actions(p, base, ev, csrf), "</td></tr>\n", NULL);
    }
    return apr_pstrcat(
        p, "<h1>Mon espace organisateur</h1>\n",
        notice ? apr_pstrcat(p, "<p class=\"info\" role=\"status\">", E(notice), "</p>\n", NULL)
               : "",
        "<p>Bonjour ", E(who->name), " (", E(who->organization), ").<br>Compte : ",
        E(who->email), "</p>\n",
        can_create ? apr_pstrcat(p, "<p><a class=\"bouton\" href=\"", b,
                                 "/espace/evenements/nouveau\">Référencer un événement</a></p>\n",
                                 NULL)
                   : apr_pstrcat(p, "<p class=\"info\">La date limite de référencement (",
                                 E(deadline_text ? deadline_text : ""),
                                 ") est passée : vous pouvez encore modifier vos événements.</p>\n",
                                 NULL),
        "<h2>Mes événements</h2>\n",
        events->nelts
            ? apr_pstrcat(p,
                          "<table><thead><tr><th scope=\"col\">Événement</th><th scope=\"col\">"
                          "Début</th><th scope=\"col\">Statut</th><th scope=\"col\">Actions</th>"
                          "</tr></thead><tbody>\n",
                          rows, "</tbody></table>\n", NULL)
            : "<p>Vous n'avez encore référencé aucun événement.</p>\n",
        "<p><a href=\"", b, "/compte/mot-de-passe\">Changer de mot de passe</a></p>\n", NULL);
}

static const char *counts_table(apr_pool_t *p, const char *caption,
                                const apr_array_header_t *counts, const moi_code_label *labels,
                                int regions)
{
    const char *rows = "";
    int i;
    if (!counts) {
        return "";
    }
    for (i = 0; i < counts->nelts; i++) {
        const moi_count *c = &APR_ARRAY_IDX(counts, i, moi_count);
        const char *label = c->value ? (regions ? (moi_region_find(c->value)
                                                       ? moi_region_find(c->value)->name
                                                       : c->value)
                                                : moi_code_lookup(labels, c->value))
                                     : "Aucune (en ligne)";
        rows = apr_pstrcat(p, rows, "<tr><td>", E(label ? label : c->value), "</td><td>",
                           apr_itoa(p, c->count), "</td></tr>", NULL);
    }
    return apr_pstrcat(p, "<table class=\"compte\"><caption>", E(caption),
                       "</caption><tbody>", rows, "</tbody></table>\n", NULL);
}

const char *moi_view_admin(apr_pool_t *p, const moi_admin_view *v)
{
    const char *b = E(v->base), *rows = "";
    int i;
    for (i = 0; i < v->events->nelts; i++) {
        const moi_event *ev = APR_ARRAY_IDX(v->events, i, const moi_event *);
        const moi_tz *tz = v->tz_lookup(v->baton, ev->timezone);
        const char *actions = "";
        if (!strcmp(ev->status, "submitted") || !strcmp(ev->status, "rejected")) {
            actions = apr_pstrcat(
                p, "<form method=\"post\" class=\"en-ligne\" action=\"", b, "/admin/evenements/",
                E(ev->id), "/publier\">", moi_html_hidden(p, "csrf", v->csrf),
                moi_html_hidden(p, "version", apr_itoa(p, ev->version)),
                "<button type=\"submit\">Publier<span class=\"sr-only\"> « ", E(ev->title),
                " »</span></button></form>", NULL);
        }
        if (!strcmp(ev->status, "submitted")) {
            actions = apr_pstrcat(
                p, actions, "<form method=\"post\" class=\"refus\" action=\"", b,
                "/admin/evenements/", E(ev->id), "/refuser\">",
                moi_html_hidden(p, "csrf", v->csrf),
                moi_html_hidden(p, "version", apr_itoa(p, ev->version)),
                "<label for=\"motif-", E(ev->id), "\">Motif du refus</label><input type=\"text\" "
                "id=\"motif-", E(ev->id), "\" name=\"reason\" required>"
                "<button type=\"submit\" class=\"secondaire\">Refuser<span class=\"sr-only\"> « ",
                E(ev->title), " »</span></button></form>", NULL);
        }
        rows = apr_pstrcat(
            p, rows, "<tr><td><a href=\"", b, "/evenements/", E(ev->id), "\">", E(ev->title),
            "</a><br><small>", E(ev->organization), "</small></td><td>",
            tz ? E(moi_format_when(p, tz, ev->starts_at)) : "", "</td><td>",
            status_badge(p, ev->status), "</td><td><a href=\"", b, "/espace/evenements/",
            E(ev->id), "/modifier\">Modifier</a> ", actions, "</td></tr>\n", NULL);
    }
    return apr_pstrcat(
        p, "<h1>Modération</h1>\n",
        v->notice ? apr_pstrcat(p, "<p class=\"info\" role=\"status\">", E(v->notice), "</p>\n",
                                NULL)
                  : "",
        "<nav aria-label=\"Filtrer par statut\"><ul>"
        "<li><a href=\"", b, "/admin\">Tous</a></li>"
        "<li><a href=\"", b, "/admin?statut=submitted\">En attente</a></li>"
        "<li><a href=\"", b, "/admin?statut=published\">Publiés</a></li>"
        "<li><a href=\"", b, "/admin?statut=rejected\">Refusés</a></li>"
        "<li><a href=\"", b, "/admin?statut=cancelled\">Annulés</a></li>"
        "<li><a href=\"", b, "/admin/export.csv\">Export CSV (avec contacts)</a></li>"
        "</ul></nav>\n<div class=\"comptes\">",
        counts_table(p, "Par statut", v->by_status, moi_statuses, 0),
        counts_table(p, "Par région", v->by_region, NULL, 1),
        counts_table(p, "Par format", v->by_format, moi_formats, 0),
        counts_table(p, "Par type", v->by_type, moi_event_types, 0), "</div>\n",
        "<h2>", v->status_filter ? E(moi_code_lookup(moi_statuses, v->status_filter)) : "Tous les événements",
        " (", apr_itoa(p, v->events->nelts), ")</h2>\n",
        v->events->nelts
            ? apr_pstrcat(p,
                          "<table><thead><tr><th scope=\"col\">Événement</th><th scope=\"col\">"
                          "Début</th><th scope=\"col\">Statut</th><th scope=\"col\">Actions</th>"
                          "</tr></thead><tbody>\n",
                          rows, "</tbody></table>\n", NULL)
            : "<p>Aucun événement.</p>\n",
        NULL);
}
