#include <string.h>
#include <apr_strings.h>
#include "moi_codes.h"
#include "moi_filter.h"
#include "moi_form.h"
#include "moi_geo.h"
#include "moi_text.h"

#define MAX_WORDS 10

static int bad(const char **param, const char **message, const char *name, const char *msg)
{
    *param = name;
    *message = msg;
    return -1;
}

/* The non-empty values of name: an empty one (the "all" choice of a
 * select in a GET form) is no filter. */
static apr_array_header_t *values(apr_pool_t *p, const moi_form *f, const char *name)
{
    apr_array_header_t *all = moi_form_get_all(p, f, name), *vals;
    int i;
    vals = apr_array_make(p, all->nelts ? all->nelts : 1, sizeof(const char *));
    for (i = 0; i < all->nelts; i++) {
        if (*APR_ARRAY_IDX(all, i, const char *)) {
            APR_ARRAY_PUSH(vals, const char *) = APR_ARRAY_IDX(all, i, const char *);
        }
    }
    return vals;
}

/* Every value of name must satisfy valid; collects them. */
static int codes(apr_pool_t *p, const moi_form *f, const char *name, const moi_code_label *table,
                 apr_array_header_t **out, const char **param, const char **message)
{
    apr_array_header_t *vals = values(p, f, name);
    int i;
    for (i = 0; i < vals->nelts; i++) {
        const char *v = APR_ARRAY_IDX(vals, i, const char *);
        if (!moi_code_lookup(table, v)) {
            return bad(param, message, name,
                       apr_psprintf(p, "Valeur inconnue pour le paramètre « %s ».", name));
        }
    }
    *out = vals->nelts ? vals : NULL;
    return 0;
}

int moi_filter_parse(apr_pool_t *p, const char *query, int api, int page_size,
                     moi_filter *out, const char **param, const char **message)
{
    const char *why, *v;
    moi_form *f;
    apr_array_header_t *vals;
    apr_int64_t n;
    int i;

    memset(out, 0, sizeof(*out));
    out->page = 1;
    out->per_page = page_size;
    f = moi_form_parse(p, query ? query : "", query ? strlen(query) : 0, &why);
    if (!f) {
        return bad(param, message, "", "Les paramètres de l'adresse sont mal formés.");
    }
    if ((v = moi_form_get(f, "du")) && *v) {
        if (moi_parse_date(v, &out->du) != 0) {
            return bad(param, message, "du", "Le paramètre « du » doit être une date AAAA-MM-JJ.");
        }
        out->has_du = 1;
    }
    if ((v = moi_form_get(f, "au")) && *v) {
        if (moi_parse_date(v, &out->au) != 0) {
            return bad(param, message, "au", "Le paramètre « au » doit être une date AAAA-MM-JJ.");
        }
        out->has_au = 1;
    }
    if (out->has_du && out->has_au && moi_date_cmp(&out->du, &out->au) > 0) {
        return bad(param, message, "au", "La date « au » est avant la date « du ».");
    }
    vals = values(p, f, "region");
    for (i = 0; i < vals->nelts; i++) {
        const char *r = APR_ARRAY_IDX(vals, i, const char *);
        if (strcmp(r, "national") && !moi_region_find(r)) {
            return bad(param, message, "region", "Région inconnue (paramètre « region »).");
        }
    }
    out->regions = vals->nelts ? vals : NULL;
    vals = values(p, f, "departement");
    for (i = 0; i < vals->nelts; i++) {
        if (!moi_department_find(APR_ARRAY_IDX(vals, i, const char *))) {
            return bad(param, message, "departement",
                       "Département inconnu (paramètre « departement »).");
        }
    }
    out->departments = vals->nelts ? vals : NULL;
    if (codes(p, f, "format", moi_formats, &out->formats, param, message) ||
        codes(p, f, "type", moi_event_types, &out->types, param, message) ||
        codes(p, f, "public", moi_audiences, &out->audiences, param, message)) {
        return -1;
    }
    if ((v = moi_form_get(f, "q")) && *v) {
        char *folded, *tok, *last;
        folded = moi_text_fold(p, v);
        /* The folded text too: it is what the paging and export links and
         * the search box carry back, and "œ", "æ", "ß" fold to two letters. */
        if (moi_utf8_chars(v) > 200 || moi_utf8_chars(folded) > 200) {
            return bad(param, message, "q",
                       "La recherche est trop longue (200 caractères au plus).");
        }
        out->words = apr_array_make(p, 4, sizeof(const char *));
        for (tok = apr_strtok(folded, " \t\r\n", &last); tok; tok = apr_strtok(NULL, " \t\r\n", &last)) {
            if (out->words->nelts >= MAX_WORDS) {
                return bad(param, message, "q", "La recherche compte trop de mots (10 au plus).");
            }
            APR_ARRAY_PUSH(out->words, const char *) = tok;
        }
        if (!out->words->nelts) {
            out->words = NULL;
        }
    }
    if ((v = moi_form_get(f, "lab")) && *v) {
        if (strcmp(v, "1")) {
            return bad(param, message, "lab", "Le paramètre « lab » vaut 1 ou est absent.");
        }
        out->lab = 1;
    }
    if ((v = moi_form_get(f, "page")) && *v) {
        if (moi_parse_int64(v, 1, 1000000000, &n) != 0) {
            return bad(param, message, "page", "Le paramètre « page » doit être un nombre positif.");
        }
        out->page = (int)n;
    }
    if (api && (v = moi_form_get(f, "per_page")) && *v) {
        if (moi_parse_int64(v, 1, 100, &n) != 0) {
            return bad(param, message, "per_page",
                       "Le paramètre « per_page » doit être un nombre de 1 à 100.");
        }
        out->per_page = (int)n;
    }
    return 0;
}

const char *moi_filter_haystack(apr_pool_t *p, const moi_event *ev)
{
    return moi_text_fold(p, apr_pstrcat(p, ev->title ? ev->title : "", "\n",
                                        ev->summary ? ev->summary : "", "\n",
                                        ev->description ? ev->description : "", "\n",
                                        ev->city ? ev->city : "", "\n",
                                        ev->organization ? ev->organization : "", NULL));
}

static int any_of(const apr_array_header_t *wanted, const char *v)
{
    int i;
    for (i = 0; v && i < wanted->nelts; i++) {
        if (!strcmp(APR_ARRAY_IDX(wanted, i, const char *), v)) {
            return 1;
        }
    }
    return 0;
}

static int any_common(const apr_array_header_t *wanted, const apr_array_header_t *have)
{
    int i;
    for (i = 0; have && i < have->nelts; i++) {
        if (any_of(wanted, APR_ARRAY_IDX(have, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

int moi_filter_match(const moi_filter *f, const moi_event *ev, const moi_tz *tz,
                     const char *haystack)
{
    int i;
    if (f->has_du || f->has_au) {
        moi_date start, end;
        int h, mi, s;
        moi_tz_to_local(tz, ev->starts_at, &start.year, &start.month, &start.day, &h, &mi, &s);
        /* The end instant itself is excluded: an event ending at midnight
         * does not occupy the next day. */
        moi_tz_to_local(tz, ev->ends_at > ev->starts_at ? ev->ends_at - 1 : ev->ends_at,
                        &end.year, &end.month, &end.day, &h, &mi, &s);
        if (f->has_du && moi_date_cmp(&end, &f->du) < 0) {
            return 0;
        }
        if (f->has_au && moi_date_cmp(&start, &f->au) > 0) {
            return 0;
        }
    }
    if (f->regions) {
        int national = !ev->region && any_of(f->regions, "national");
        if (!national && !any_of(f->regions, ev->region)) {
            return 0;
        }
    }
    if (f->departments && !any_of(f->departments, ev->department)) {
        return 0;
    }
    if (f->formats && !any_of(f->formats, ev->format)) {
        return 0;
    }
    if (f->types && !any_of(f->types, ev->type)) {
        return 0;
    }
    if (f->audiences && !any_common(f->audiences, ev->audience)) {
        return 0;
    }
    if (f->lab && !ev->lab) {
        return 0;
    }
    for (i = 0; f->words && i < f->words->nelts; i++) {
        if (!strstr(haystack, APR_ARRAY_IDX(f->words, i, const char *))) {
            return 0;
        }
    }
    return 1;
}

static const char *add_all(apr_pool_t *p, const char *q, const char *name,
                           const apr_array_header_t *vals)
{
    int i;
    for (i = 0; vals && i < vals->nelts; i++) {
        q = apr_pstrcat(p, q, *q ? "&" : "", name, "=",
                        moi_url_encode(p, APR_ARRAY_IDX(vals, i, const char *)), NULL);
    }
    return q;
}

const char *moi_filter_query(apr_pool_t *p, const moi_filter *f)
{
    const char *q = "";
    if (f->has_du) {
        q = apr_psprintf(p, "du=%04d-%02d-%02d", f->du.year, f->du.month, f->du.day);
    }
    if (f->has_au) {
        q = apr_psprintf(p, "%s%sau=%04d-%02d-%02d", q, *q ? "&" : "", f->au.year, f->au.month,
                         f->au.day);
    }
    q = add_all(p, q, "region", f->regions);
    q = add_all(p, q, "departement", f->departments);
    q = add_all(p, q, "format", f->formats);
    q = add_all(p, q, "type", f->types);
    q = add_all(p, q, "public", f->audiences);
    if (f->words) {
        const char *w = "";
        int i;
        for (i = 0; i < f->words->nelts; i++) {
            w = apr_pstrcat(p, w, i ? " " : "", APR_ARRAY_IDX(f->words, i, const char *), NULL);
        }
        q = apr_pstrcat(p, q, *q ? "&" : "", "q=", moi_url_encode(p, w), NULL);
    }
    if (f->lab) {
        q = apr_pstrcat(p, q, *q ? "&" : "", "lab=1", NULL);
    }
    return q;
}
