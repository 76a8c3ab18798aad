#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <apr_strings.h>
#include "moi_codes.h"
#include "moi_geo.h"
#include "moi_html.h"
#include "moi_view_programme.h"

#define E(s) moi_html_escape(p, (s))


static const char *zone_label(const char *name)
{
    static const moi_code_label zones[] = {{"Europe/Paris", "heure de Paris"},
                                           {"America/Guadeloupe", "heure de la Guadeloupe"},
                                           {"America/Martinique", "heure de la Martinique"},
                                           {"America/Cayenne", "heure de la Guyane"},
                                           {"Indian/Reunion", "heure de La Réunion"},
                                           {"Indian/Mayotte", "heure de Mayotte"},
                                           {NULL, NULL}};
    const char *l = moi_code_lookup(zones, name);
    return l ? l : name;
}

const char *moi_format_span(apr_pool_t *p, const moi_tz *tz, apr_time_t start, apr_time_t end)
{
    int y, mo, d, h, mi, s, y2, mo2, d2, h2, mi2, s2;
    moi_tz_to_local(tz, start, &y, &mo, &d, &h, &mi, &s);
    moi_tz_to_local(tz, end, &y2, &mo2, &d2, &h2, &mi2, &s2);
    if (y == y2 && mo == mo2 && d == d2) {
        return apr_psprintf(p, "%s, %02d:%02d – %02d:%02d (%s)", moi_date_long(p, y, mo, d), h,
                            mi, h2, mi2, zone_label(moi_tz_name(tz)));
    }
    return apr_psprintf(p, "du %d %s %d, %02d:%02d au %d %s %d, %02d:%02d (%s)", d,
                        moi_month_names[mo - 1], y, h, mi, d2, moi_month_names[mo2 - 1], y2, h2, mi2,
                        zone_label(moi_tz_name(tz)));
}

static int has(const apr_array_header_t *a, const char *v)
{
    int i;
    for (i = 0; a && i < a->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(a, i, const char *), v)) {
            return 1;
        }
    }
    return 0;
}

static const char *multi_select(apr_pool_t *p, const char *name, const char *label,
                                const moi_code_label *table, const apr_array_header_t *chosen)
{
    const char *opts = "<option value=\"\">Tous</option>";
    for (; table->code; table++) {
        opts = apr_pstrcat(p, opts, "<option value=\"", table->code, "\"",
                           has(chosen, table->code) ? " selected" : "", ">", E(table->label),
                           "</option>", NULL);
    }
    return apr_pstrcat(p, "<div class=\"champ\"><label for=\"f-", name, "\">", E(label),
                       "</label><select id=\"f-", name, "\" name=\"", name, "\">", opts,
                       "</select></div>\n", NULL);
}

static const char *region_filter(apr_pool_t *p, const apr_array_header_t *chosen)
{
    const char *opts = apr_pstrcat(p, "<option value=\"\">Toutes</option><option value=\"national\"",
                                   has(chosen, "national") ? " selected" : "",
                                   ">En ligne, national</option>", NULL);
    const moi_region *r;
    for (r = moi_regions; r->code; r++) {
        opts = apr_pstrcat(p, opts, "<option value=\"", r->code, "\"",
                           has(chosen, r->code) ? " selected" : "", ">", E(r->name), "</option>",
                           NULL);
    }
    return apr_pstrcat(p,
                       "<div class=\"champ\"><label for=\"f-region\">Région</label>"
                       "<select id=\"f-region\" name=\"region\">",
                       opts, "</select></div>\n", NULL);
}

static const char *date_value(apr_pool_t *p, int has_date, const moi_date *d)
{
    return has_date ? apr_psprintf(p, "%04d-%02d-%02d", d->year, d->month, d->day) : "";
}

static const char *words_value(apr_pool_t *p, const moi_filter *f)
{
    const char *w = "";
    int i;
    for (i = 0; f->words && i < f->words->nelts; i++) {
        w = apr_pstrcat(p, w, i ? " " : "", APR_ARRAY_IDX(f->words, i, const char *), NULL);
    }
    return w;
}

static const char *card(apr_pool_t *p, const char *base, const moi_event *ev, const moi_tz *tz)
{
    const char *place = ev->city ? apr_pstrcat(p, ev->city,
                                               moi_region_find(ev->region)
                                                   ? apr_pstrcat(p, " (", moi_region_find(ev->region)->name, ")", NULL)
                                                   : "",
                                               NULL)
                                 : "En ligne";
    int cancelled = !strcmp(ev->status, "cancelled");
    return apr_pstrcat(
        p, "<li class=\"evenement", cancelled ? " annule" : "", "\"><article>\n<h4><a href=\"",
        E(base), "/evenements/", E(ev->id), "\">", E(ev->title), "</a>",
        cancelled ? " <span class=\"statut statut-cancelled\">Annulé</span>" : "", "</h4>\n",
        "<p class=\"quand\">", E(moi_format_span(p, tz, ev->starts_at, ev->ends_at)), "</p>\n",
        "<p class=\"ou\">", E(moi_code_lookup(moi_formats, ev->format)), " · ", E(place),
        " · ", E(moi_code_lookup(moi_event_types, ev->type)), "</p>\n<p>", E(ev->summary),
        "</p>\n<p class=\"par\">", E(ev->organization), "</p>\n</article></li>\n", NULL);
}

/* A link that removes one value of a filter. */
static const char *chip(apr_pool_t *p, const char *base, const moi_filter *without,
                        const char *label)
{
    const char *q = moi_filter_query(p, without);
    return apr_pstrcat(p, "<li><a href=\"", E(base), "/", *q ? "?" : "", E(q), "\">", E(label),
                       "<span class=\"sr-only\"> (retirer ce filtre)</span> ✕</a></li>", NULL);
}

static apr_array_header_t *without_value(apr_pool_t *p, const apr_array_header_t *a, int skip)
{
    apr_array_header_t *out = apr_array_make(p, a->nelts, sizeof(const char *));
    int i;
    for (i = 0; i < a->nelts; i++) {
        if (i != skip) {
            APR_ARRAY_PUSH(out, const char *) = APR_ARRAY_IDX(a, i, const char *);
        }
    }
    return out->nelts ? out : NULL;
}

/* The active filters, each removable on its own. */
static const char *active_filters(apr_pool_t *p, const char *base, const moi_filter *f)
{
    const char *chips = "";
    moi_filter w;
    int i;
    struct {
        const char *name;
        apr_array_header_t *const *values;
        size_t offset;
        const moi_code_label *labels;
    } lists[] = {
        {"Format", &f->formats, offsetof(moi_filter, formats), moi_formats},
        {"Type", &f->types, offsetof(moi_filter, types), moi_event_types},
        {"Public", &f->audiences, offsetof(moi_filter, audiences), moi_audiences},
    };
    size_t k;
    if (f->has_du) {
        w = *f;
        w.has_du = 0;
        chips = apr_pstrcat(p, chips, chip(p, base, &w, apr_psprintf(p, "Du %02d/%02d/%04d",
                                                                      f->du.day, f->du.month,
                                                                      f->du.year)), NULL);
    }
    if (f->has_au) {
        w = *f;
        w.has_au = 0;
        chips = apr_pstrcat(p, chips, chip(p, base, &w, apr_psprintf(p, "Au %02d/%02d/%04d",
                                                                      f->au.day, f->au.month,
                                                                      f->au.year)), NULL);
    }
    for (i = 0; f->regions && i < f->regions->nelts; i++) {
        const char *code = APR_ARRAY_IDX(f->regions, i, const char *);
        const moi_region *r = moi_region_find(code);
        w = *f;
        w.regions = without_value(p, f->regions, i);
        chips = apr_pstrcat(p, chips, chip(p, base, &w, apr_pstrcat(p, "Région : ",
                                                                     r ? r->name : "En ligne, national",
                                                                     NULL)), NULL);
    }
    for (i = 0; f->departments && i < f->departments->nelts; i++) {
        const moi_department *d = moi_department_find(APR_ARRAY_IDX(f->departments, i, const char *));
        w = *f;
        w.departments = without_value(p, f->departments, i);
        chips = apr_pstrcat(p, chips, chip(p, base, &w, apr_pstrcat(p, "Département : ",
                                                                     d ? d->name : "", NULL)), NULL);
    }
    for (k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
        const apr_array_header_t *vals = *lists[k].values;
        for (i = 0; vals && i < vals->nelts; i++) {
            const char *code = APR_ARRAY_IDX(vals, i, const char *);
            w = *f;
            *(apr_array_header_t **)((char *)&w + lists[k].offset) = without_value(p, vals, i);
            chips = apr_pstrcat(p, chips, chip(p, base, &w, apr_pstrcat(p, lists[k].name, " : ",
                                                                         moi_code_lookup(lists[k].labels, code),
                                                                         NULL)), NULL);
        }
    }
    if (f->words) {
        w = *f;
        w.words = NULL;
        chips = apr_pstrcat(p, chips, chip(p, base, &w, apr_pstrcat(p, "Recherche : ",
                                                                     words_value(p, f), NULL)), NULL);
    }
    if (f->lab) {
        w = *f;
        w.lab = 0;
        chips = apr_pstrcat(p, chips, chip(p, base, &w, "Laboratoires d'innovation territoriale"), NULL);
    }
    if (!*chips) {
        return "";
    }
    return apr_pstrcat(p, "<div class=\"actifs\"><p id=\"actifs\">Filtres actifs :</p>"
                          "<ul aria-labelledby=\"actifs\">", chips, "</ul></div>\n", NULL);
}

const char *moi_view_programme(apr_pool_t *p, const moi_programme_view *v)
{
    const moi_filter *f = v->filter;
    const char *b = E(v->base), *q = moi_filter_query(p, f), *items = "", *pager = "";
    int total = v->selected->nelts;
    int pages = total ? (total + v->page_size - 1) / v->page_size : 1;
    /* Past the last page: an empty page (no overflow for a huge number). */
    int first = v->page - 1 > total / (v->page_size ? v->page_size : 1)
                    ? total
                    : (v->page - 1) * v->page_size,
        i;

    {
        /* Grouped by day (the day of each event's start, in its own zone). */
        moi_date prev = {0, 0, 0};
        for (i = first; i < total && i < first + v->page_size; i++) {
            int idx = APR_ARRAY_IDX(v->selected, i, int);
            const moi_event *ev = APR_ARRAY_IDX(v->snap->events, idx, const moi_event *);
            const moi_tz *tz = APR_ARRAY_IDX(v->snap->zones, idx, const moi_tz *);
            moi_date d;
            int h, mi, sec;
            moi_tz_to_local(tz, ev->starts_at, &d.year, &d.month, &d.day, &h, &mi, &sec);
            if (moi_date_cmp(&d, &prev) != 0) {
                const char *id = apr_psprintf(p, "jour-%04d-%02d-%02d", d.year, d.month, d.day);
                items = apr_pstrcat(p, items, prev.year ? "</ul></section>\n" : "",
                                    "<section class=\"jour\" aria-labelledby=\"", id, "\"><h3 id=\"",
                                    id, "\">",
                                    moi_date_long(p, d.year, d.month, d.day),
                                    "</h3>\n<ul class=\"evenements\">\n", NULL);
                prev = d;
            }
            items = apr_pstrcat(p, items, card(p, v->base, ev, tz), NULL);
        }
        if (prev.year) {
            items = apr_pstrcat(p, items, "</ul></section>\n", NULL);
        }
    }
    if (pages > 1) {
        const char *sep = *q ? "&amp;" : "";
        pager = "<nav aria-label=\"Pagination\" class=\"pages\"><ul>";
        if (v->page > 1) {
            pager = apr_pstrcat(p, pager, "<li><a rel=\"prev\" href=\"", b, "/?", E(q), sep,
                                "page=", apr_itoa(p, v->page - 1), "\">Page précédente</a></li>",
                                NULL);
        }
        pager = apr_pstrcat(p, pager, "<li aria-current=\"page\">Page ", apr_itoa(p, v->page),
                            " sur ", apr_itoa(p, pages), "</li>", NULL);
        if (v->page < pages) {
            pager = apr_pstrcat(p, pager, "<li><a rel=\"next\" href=\"", b, "/?", E(q), sep,
                                "page=", apr_itoa(p, v->page + 1), "\">Page suivante</a></li>",
                                NULL);
        }
        pager = apr_pstrcat(p, pager, "</ul></nav>\n", NULL);
    }
    {
        const char *qs = *q ? apr_pstrcat(p, "?", E(q), NULL) : "";
        return apr_pstrcat(
            p, "<h1>Programme du Mois de l'innovation publique ", apr_itoa(p, v->edition_year),
            "</h1>\n<p>", E(v->edition_days),
            " : des événements partout en France et en ligne, ouverts aux agents publics et "
            "souvent au grand public.</p>\n",
            "<form method=\"get\" action=\"", b, "/\" class=\"filtres\" role=\"search\" "
            "aria-label=\"Filtrer le programme\">\n<div class=\"grille\">",
            "<div class=\"champ\"><label for=\"f-q\">Recherche</label><input type=\"search\" "
            "id=\"f-q\" name=\"q\" value=\"", E(words_value(p, f)), "\"></div>\n",
            "<div class=\"champ\"><label for=\"f-du\">Du</label><input type=\"date\" id=\"f-du\" "
            "name=\"du\" value=\"", date_value(p, f->has_du, &f->du), "\"></div>\n",
            "<div class=\"champ\"><label for=\"f-au\">Au</label><input type=\"date\" id=\"f-au\" "
            "name=\"au\" value=\"", date_value(p, f->has_au, &f->au), "\"></div>\n",
            region_filter(p, f->regions),
            multi_select(p, "format", "Format", moi_formats, f->formats),
            multi_select(p, "type", "Type", moi_event_types, f->types),
            multi_select(p, "public", "Public", moi_audiences, f->audiences),
            "<div class=\"champ case\"><input type=\"checkbox\" id=\"f-lab\" name=\"lab\" "
            "value=\"1\"", f->lab ? " checked" : "",
            "><label for=\"f-lab\">Laboratoires d'innovation territoriale</label></div>\n",
            "</div><p><button type=\"submit\">Filtrer</button> <a href=\"", b,
            "/\">Tout afficher</a></p>\n</form>\n",
            active_filters(p, v->base, f),
            "<h2 id=\"resultats\" aria-live=\"polite\">", apr_itoa(p, total),
            total > 1 ? " événements" : " événement", "</h2>\n<p class=\"exports\">Emporter cette sélection : <a href=\"", b,
            "/programme.ics", qs, "\">agenda (iCalendar)</a> · <a href=\"", b, "/programme.csv",
            qs, "\">tableur (CSV)</a> · <a href=\"", b, "/programme.json", qs,
            "\">JSON</a> · <a href=\"", b, "/programme.atom", qs, "\">fil Atom</a></p>\n",
            *items ? items
                   : total ? "<p>Aucun événement sur cette page.</p>\n"
                           : "<p>Aucun événement ne correspond à ces critères.</p>\n",
            pager, NULL);
    }
}

static const char *codes_labels(apr_pool_t *p, const apr_array_header_t *a,
                                const moi_code_label *table)
{
    const char *s = "";
    int i;
    for (i = 0; a && i < a->nelts; i++) {
        const char *l = moi_code_lookup(table, APR_ARRAY_IDX(a, i, const char *));
        s = apr_pstrcat(p, s, i ? ", " : "", E(l ? l : APR_ARRAY_IDX(a, i, const char *)), NULL);
    }
    return s;
}

/* Escaped text with blank lines as paragraphs and newlines as <br>. */
static const char *paragraphs(apr_pool_t *p, const char *text)
{
    const char *esc = E(text ? text : ""), *s;
    char *out = apr_palloc(p, strlen(esc) * 6 + 16), *o = out;
    int open = 0;
    for (s = esc; *s; s++) {
        if (*s == '\r') {
            continue;
        }
        if (!open && *s != '\n') {
            o += sprintf(o, "<p>");
            open = 1;
        }
        if (*s == '\n') {
            if (s[1] == '\n' || (s[1] == '\r' && s[2] == '\n')) {
                if (open) {
                    o += sprintf(o, "</p>\n");
                    open = 0;
                }
                while (s[1] == '\n' || s[1] == '\r') {
                    s++;
                }
            }
            else if (open) {
                o += sprintf(o, "<br>\n");
            }
            continue;
        }
        *o++ = *s;
    }
    if (open) {
        o += sprintf(o, "</p>\n");
    }
    *o = '\0';
    return out;
}

static const char *link_row(apr_pool_t *p, const char *label, const char *url)
{
    if (!url) {
        return "";
    }
    return apr_pstrcat(p, "<dt>", label, "</dt><dd><a href=\"", E(url), "\" rel=\"noopener\">",
                       E(url), "</a></dd>", NULL);
}

const char *moi_view_event_page(apr_pool_t *p, const char *base, const moi_event *ev,
                                const moi_tz *tz, const char *jsonld, int can_edit)
{
    const char *b = E(base);
    const moi_region *r = moi_region_find(ev->region);
    const moi_department *d = moi_department_find(ev->department);
    int is_public = !strcmp(ev->status, "published") || !strcmp(ev->status, "cancelled");
    const char *status_label = moi_code_lookup(moi_statuses, ev->status);
    return apr_pstrcat(
        p, jsonld ? apr_pstrcat(p, "<script type=\"application/ld+json\">", jsonld, "</script>\n", NULL) : "",
        "<p><a href=\"", b, "/\">← Programme</a></p>\n<article class=\"fiche\">\n<h1>",
        E(ev->title), "</h1>\n",
        !strcmp(ev->status, "cancelled")
            ? "<p class=\"alerte\" role=\"status\"><strong>Annulé</strong> : cet événement n'aura pas lieu.</p>\n"
            : "",
        !is_public ? apr_pstrcat(p, "<p class=\"info\">Statut : ", E(status_label ? status_label : ev->status),
                                 " — cette page n'est visible que de l'organisateur et de l'équipe "
                                 "de modération.</p>\n",
                                 ev->rejection_reason && !strcmp(ev->status, "rejected")
                                     ? apr_pstrcat(p, "<p class=\"erreur\">Motif du refus : ",
                                                   E(ev->rejection_reason), "</p>\n", NULL)
                                     : "",
                                 NULL)
                   : "",
        "<p class=\"quand\">", E(moi_format_span(p, tz, ev->starts_at, ev->ends_at)), "</p>\n",
        "<p class=\"resume\">", E(ev->summary), "</p>\n", paragraphs(p, ev->description),
        "<dl class=\"details\">",
        "<dt>Type</dt><dd>", E(moi_code_lookup(moi_event_types, ev->type)), "</dd>",
        "<dt>Format</dt><dd>", E(moi_code_lookup(moi_formats, ev->format)), "</dd>",
        "<dt>Public</dt><dd>", codes_labels(p, ev->audience, moi_audiences), "</dd>",
        ev->accessibility && ev->accessibility->nelts
            ? apr_pstrcat(p, "<dt>Accessibilité</dt><dd>",
                          codes_labels(p, ev->accessibility, moi_accessibility), "</dd>", NULL)
            : "",
        ev->city ? apr_pstrcat(p, "<dt>Lieu</dt><dd>", ev->venue ? E(ev->venue) : "",
                               ev->venue ? "<br>" : "", ev->address ? E(ev->address) : "",
                               ev->address ? "<br>" : "", E(ev->city),
                               d ? apr_pstrcat(p, " (", E(d->name), ")", NULL) : "",
                               r ? apr_pstrcat(p, ", ", E(r->name), NULL) : "", "</dd>", NULL)
                 : "",
        link_row(p, "Lien de connexion", ev->online_url),
        link_row(p, "Inscription", ev->registration_url),
        "<dt>Organisé par</dt><dd>", E(ev->organizer_name), ", ", E(ev->organization),
        ev->lab ? " (laboratoire d'innovation territoriale)" : "", "</dd>", "</dl>\n",
        "<p><a href=\"", b, "/evenements/", E(ev->id), ".ics\">Ajouter à mon agenda (iCalendar)</a></p>\n",
        can_edit ? apr_pstrcat(p, "<p><a class=\"bouton\" href=\"", b, "/espace/evenements/",
                               E(ev->id), "/modifier\">Modifier l'événement</a></p>\n", NULL)
                 : "",
        "</article>\n", NULL);
}
