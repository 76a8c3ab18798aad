#include <stddef.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include "moi_codes.h"
#include "moi_event.h"
#include "moi_geo.h"
#include "moi_html.h"
#include "moi_text.h"

const char *const moi_event_fields[] = {
    "title",      "summary",          "description", "type",          "format",
    "audience",   "accessibility",    "starts_at",   "ends_at",       "region",
    "department", "city",             "venue",       "address",       "online_url",
    "registration_url", "lab",        "organizer_name", "organization", NULL};

static const char *str_or_null(apr_pool_t *p, const char *s)
{
    return s ? moi_trim(p, s) : NULL;
}

void moi_event_input_from_form(apr_pool_t *p, const moi_form *form, moi_event_input *in)
{
    memset(in, 0, sizeof(*in));
    in->title = str_or_null(p, moi_form_get(form, "title"));
    in->summary = str_or_null(p, moi_form_get(form, "summary"));
    in->description = str_or_null(p, moi_form_get(form, "description"));
    in->type = moi_form_get(form, "type");
    in->format = moi_form_get(form, "format");
    in->audience = moi_form_get_all(p, form, "audience");
    in->accessibility = moi_form_get_all(p, form, "accessibility");
    in->starts_at = str_or_null(p, moi_form_get(form, "starts_at"));
    in->ends_at = str_or_null(p, moi_form_get(form, "ends_at"));
    in->region = moi_form_get(form, "region");
    in->department = moi_form_get(form, "department");
    in->city = str_or_null(p, moi_form_get(form, "city"));
    in->venue = str_or_null(p, moi_form_get(form, "venue"));
    in->address = str_or_null(p, moi_form_get(form, "address"));
    in->online_url = str_or_null(p, moi_form_get(form, "online_url"));
    in->registration_url = str_or_null(p, moi_form_get(form, "registration_url"));
    in->lab = moi_form_get(form, "lab") ? moi_form_get(form, "lab") : "";
    in->organizer_name = str_or_null(p, moi_form_get(form, "organizer_name"));
    in->organization = str_or_null(p, moi_form_get(form, "organization"));
}

static int is_event_field(const char *k)
{
    const char *const *f;
    for (f = moi_event_fields; *f; f++) {
        if (!strcmp(*f, k)) {
            return 1;
        }
    }
    return 0;
}

/* A JSON string (or null, read as ""), else an error. */
static const char *json_text(apr_pool_t *p, json_t *v, const char *key,
                             apr_array_header_t *errors)
{
    if (json_is_null(v)) {
        return "";
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        /* key belongs to the JSON object: the error must outlive it. */
        moi_add_error(errors, apr_pstrdup(p, key), "Texte attendu.");
        return NULL;
    }
    return moi_trim(p, json_string_value(v));
}

static apr_array_header_t *json_codes(apr_pool_t *p, json_t *v, const char *key,
                                      apr_array_header_t *errors)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    size_t i;
    json_t *item;
    if (json_is_null(v)) {
        return a;
    }
    if (!json_is_array(v)) {
        moi_add_error(errors, key, "Liste de codes attendue.");
        return NULL;
    }
    json_array_foreach(v, i, item) {
        if (!json_is_string(item) ||
            strlen(json_string_value(item)) != json_string_length(item)) {
            moi_add_error(errors, key, "Liste de codes attendue.");
            return NULL;
        }
        APR_ARRAY_PUSH(a, const char *) = apr_pstrdup(p, json_string_value(item));
    }
    return a;
}

/* The text fields of moi_event_input, for reading JSON by name. */
typedef struct {
    const char *name;
    size_t offset;
} text_field;

#define TEXT_FIELD(f) {#f, offsetof(moi_event_input, f)}
static const text_field text_fields[] = {
    TEXT_FIELD(title),      TEXT_FIELD(summary),          TEXT_FIELD(description),
    TEXT_FIELD(type),       TEXT_FIELD(format),           TEXT_FIELD(starts_at),
    TEXT_FIELD(ends_at),    TEXT_FIELD(region),           TEXT_FIELD(department),
    TEXT_FIELD(city),       TEXT_FIELD(venue),            TEXT_FIELD(address),
    TEXT_FIELD(online_url), TEXT_FIELD(registration_url), TEXT_FIELD(organizer_name),
    TEXT_FIELD(organization), {NULL, 0}};

void moi_event_input_from_json(apr_pool_t *p, json_t *obj, moi_event_input *in,
                               apr_array_header_t *errors)
{
    const char *key;
    json_t *v;
    memset(in, 0, sizeof(*in));
    json_object_foreach(obj, key, v) {
        if (!is_event_field(key)) {
            /* Read-only fields of the event JSON may be sent back as they
             * came (a GET then PUT round trip); anything else is a typo. */
            static const char *const readonly[] = {"id", "timezone", "status", "url",
                                                   "created_at", "updated_at", "version",
                                                   "rejection_reason", NULL};
            const char *const *r;
            for (r = readonly; *r && strcmp(*r, key); r++) {
            }
            if (!*r) {
                moi_add_error(errors, apr_pstrdup(p, key), "Champ inconnu.");
            }
            continue;
        }
        if (!strcmp(key, "audience")) {
            in->audience = json_codes(p, v, "audience", errors);
        }
        else if (!strcmp(key, "accessibility")) {
            in->accessibility = json_codes(p, v, "accessibility", errors);
        }
        else if (!strcmp(key, "lab")) {
            if (!json_is_boolean(v)) {
                moi_add_error(errors, "lab", "Booléen attendu (true ou false).");
            }
            else {
                in->lab = json_is_true(v) ? "1" : "";
            }
        }
        else {
            const char *t = json_text(p, v, key, errors);
            const text_field *tf;
            for (tf = text_fields; tf->name; tf++) {
                if (t && !strcmp(tf->name, key)) {
                    *(const char **)((char *)in + tf->offset) = t;
                }
            }
        }
    }
}

/* "YYYY-MM-DDTHH:MM", with ":SS" when the seconds are not zero (so that a
 * PATCH that leaves the times alone keeps them). */
static const char *local_text(apr_pool_t *p, const moi_tz *tz, apr_time_t t)
{
    int y, mo, d, h, mi, s;
    moi_tz_to_local(tz, t, &y, &mo, &d, &h, &mi, &s);
    if (s) {
        return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
    }
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi);
}

void moi_event_input_from_event(apr_pool_t *p, const moi_event *ev, const moi_tz *tz,
                                moi_event_input *in)
{
    memset(in, 0, sizeof(*in));
    in->title = ev->title;
    in->summary = ev->summary;
    in->description = ev->description ? ev->description : "";
    in->type = ev->type;
    in->format = ev->format;
    in->audience = ev->audience ? apr_array_copy(p, ev->audience)
                                : apr_array_make(p, 1, sizeof(const char *));
    in->accessibility = ev->accessibility ? apr_array_copy(p, ev->accessibility)
                                          : apr_array_make(p, 1, sizeof(const char *));
    in->starts_at = ev->starts_at ? local_text(p, tz, ev->starts_at) : "";
    in->ends_at = ev->ends_at ? local_text(p, tz, ev->ends_at) : "";
    in->region = ev->region ? ev->region : "";
    in->department = ev->department ? ev->department : "";
    in->city = ev->city ? ev->city : "";
    in->venue = ev->venue ? ev->venue : "";
    in->address = ev->address ? ev->address : "";
    in->online_url = ev->online_url ? ev->online_url : "";
    in->registration_url = ev->registration_url ? ev->registration_url : "";
    in->lab = ev->lab ? "1" : "";
    in->organizer_name = ev->organizer_name;
    in->organization = ev->organization;
}

void moi_event_input_merge(moi_event_input *base, const moi_event_input *top)
{
#define MERGE(f)                                                                               \
    if (top->f) {                                                                              \
        base->f = top->f;                                                                      \
    }
    MERGE(title);
    MERGE(summary);
    MERGE(description);
    MERGE(type);
    MERGE(format);
    MERGE(audience);
    MERGE(accessibility);
    MERGE(starts_at);
    MERGE(ends_at);
    MERGE(region);
    MERGE(department);
    MERGE(city);
    MERGE(venue);
    MERGE(address);
    MERGE(online_url);
    MERGE(registration_url);
    MERGE(lab);
    MERGE(organizer_name);
    MERGE(organization);
#undef MERGE
}

const char *moi_event_timezone_of(const char *department)
{
    const moi_department *d = moi_department_find(department);
    return d ? d->timezone : MOI_DEFAULT_TIMEZONE;
}

int moi_url_valid(apr_pool_t *p, const char *s)
{
    apr_uri_t u;
    const char *c;
    if (!s || !*s || strlen(s) > MOI_URL_MAX) {
        return 0;
    }
    for (c = s; *c; c++) {
        if ((unsigned char)*c <= 0x20 || *c == 0x7F || *c == '"' || *c == '<' || *c == '>' ||
            *c == '\\') {
            return 0;
        }
    }
    if (apr_uri_parse(p, s, &u) != APR_SUCCESS || !u.scheme || !u.hostname || !*u.hostname) {
        return 0;
    }
    if (strcasecmp(u.scheme, "http") && strcasecmp(u.scheme, "https")) {
        return 0;
    }
    return strncasecmp(s, u.scheme, strlen(u.scheme)) == 0 && !strncmp(s + strlen(u.scheme), "://", 3);
}

/* Text of at most max characters; one line unless multiline. */
static const char *check_text(apr_array_header_t *errors, const char *field, const char *v,
                              size_t min, size_t max, int multiline, const char *what)
{
    size_t n;
    if (!v || !*v) {
        if (min > 0) {
            moi_add_error(errors, field, apr_psprintf(errors->pool, "Indiquez %s.", what));
        }
        return v && *v ? v : NULL;
    }
    if (!moi_utf8_valid(v, strlen(v)) || moi_text_has_controls(v, multiline)) {
        moi_add_error(errors, field, "Ce champ contient des caractères non permis.");
        return NULL;
    }
    n = moi_utf8_chars(v);
    if (n < min || n > max) {
        moi_add_error(
            errors, field,
            min > 1 ? apr_psprintf(errors->pool,
                                   "Ce champ doit comporter de %" APR_SIZE_T_FMT
                                   " à %" APR_SIZE_T_FMT " caractères "
                                   "(actuellement %" APR_SIZE_T_FMT ").",
                                   min, max, n)
                    : apr_psprintf(errors->pool,
                                   "Ce champ ne doit pas dépasser %" APR_SIZE_T_FMT
                                   " caractères (actuellement %" APR_SIZE_T_FMT ").",
                                   max, n));
        return NULL;
    }
    return v;
}

/* Distinct codes from table; an unknown one adds an error. */
static apr_array_header_t *check_codes(apr_pool_t *p, apr_array_header_t *errors,
                                       const char *field, const apr_array_header_t *in,
                                       const moi_code_label *table)
{
    apr_array_header_t *out = apr_array_make(p, 4, sizeof(const char *));
    int i, j;
    if (!in) {
        return out;
    }
    for (i = 0; i < in->nelts; i++) {
        const char *c = APR_ARRAY_IDX(in, i, const char *);
        int dup = 0;
        if (!moi_code_lookup(table, c)) {
            moi_add_error(errors, field, "Valeur inconnue.");
            return NULL;
        }
        for (j = 0; j < out->nelts; j++) {
            dup |= !strcmp(APR_ARRAY_IDX(out, j, const char *), c);
        }
        if (!dup) {
            APR_ARRAY_PUSH(out, const char *) = c;
        }
    }
    return out;
}

/* A time of the form: RFC 3339 with offset, or local "YYYY-MM-DDTHH:MM[:SS]"
 * in tz.  0 on success. */
static int parse_time(const char *s, const moi_tz *tz, apr_time_t *out, int *nonexistent)
{
    moi_date d;
    int h, mi, sec = 0;
    size_t len = s ? strlen(s) : 0;
    char date[11];

    *nonexistent = 0;
    if (len > 19 && moi_parse_rfc3339(s, out) == 0) {
        return 0;
    }
    if ((len != 16 && len != 19) || s[10] != 'T' || s[13] != ':' || (len == 19 && s[16] != ':')) {
        return -1;
    }
    memcpy(date, s, 10);
    date[10] = '\0';
    if (moi_parse_date(date, &d) != 0) {
        return -1;
    }
    if (s[11] < '0' || s[11] > '9' || s[12] < '0' || s[12] > '9' || s[14] < '0' ||
        s[14] > '9' || s[15] < '0' || s[15] > '9') {
        return -1;
    }
    h = (s[11] - '0') * 10 + (s[12] - '0');
    mi = (s[14] - '0') * 10 + (s[15] - '0');
    if (len == 19) {
        if (s[17] < '0' || s[17] > '9' || s[18] < '0' || s[18] > '9') {
            return -1;
        }
        sec = (s[17] - '0') * 10 + (s[18] - '0');
    }
    if (h > 23 || mi > 59 || sec > 59) {
        return -1;
    }
    if (moi_tz_from_local(tz, d.year, d.month, d.day, h, mi, sec, out) != 0) {
        *nonexistent = 1;
        return -1;
    }
    return 0;
}

static void local_date(const moi_tz *tz, apr_time_t t, moi_date *d)
{
    int h, mi, s;
    moi_tz_to_local(tz, t, &d->year, &d->month, &d->day, &h, &mi, &s);
}

static void check_times(apr_pool_t *p, const moi_event_input *in, const moi_event_rules *rules,
                        const moi_tz *tz, moi_event *out, apr_array_header_t *errors)
{
    int ok_start, ok_end, gap;
    const char *fmt_hint = " Format attendu : AAAA-MM-JJTHH:MM (exemple : 2022-11-15T09:30).";
    const char *days = apr_psprintf(p, "du %02d/%02d/%04d au %02d/%02d/%04d",
                                    rules->first_day.day, rules->first_day.month,
                                    rules->first_day.year, rules->last_day.day,
                                    rules->last_day.month, rules->last_day.year);

    ok_start = in->starts_at && *in->starts_at &&
               parse_time(in->starts_at, tz, &out->starts_at, &gap) == 0;
    if (!ok_start) {
        moi_add_error(errors, "starts_at",
                      !in->starts_at || !*in->starts_at ? "Indiquez la date et l'heure de début."
                      : gap ? "Cette heure n'existe pas ce jour-là (changement d'heure)."
                            : apr_pstrcat(p, "La date de début n'est pas valide.", fmt_hint, NULL));
    }
    ok_end = in->ends_at && *in->ends_at && parse_time(in->ends_at, tz, &out->ends_at, &gap) == 0;
    if (!ok_end) {
        moi_add_error(errors, "ends_at",
                      !in->ends_at || !*in->ends_at ? "Indiquez la date et l'heure de fin."
                      : gap ? "Cette heure n'existe pas ce jour-là (changement d'heure)."
                            : apr_pstrcat(p, "La date de fin n'est pas valide.", fmt_hint, NULL));
    }
    if (ok_start) {
        moi_date d;
        local_date(tz, out->starts_at, &d);
        if (moi_date_cmp(&d, &rules->first_day) < 0 || moi_date_cmp(&d, &rules->last_day) > 0) {
            moi_add_error(errors, "starts_at",
                          apr_pstrcat(p, "L'événement doit avoir lieu pendant le Mois de "
                                         "l'innovation publique, ",
                                      days, ".", NULL));
            ok_start = 0;
        }
    }
    if (ok_end) {
        moi_date d;
        local_date(tz, out->ends_at, &d);
        if (moi_date_cmp(&d, &rules->first_day) < 0 || moi_date_cmp(&d, &rules->last_day) > 0) {
            moi_add_error(errors, "ends_at",
                          apr_pstrcat(p, "L'événement doit se terminer pendant le Mois de "
                                         "l'innovation publique, ",
                                      days, ".", NULL));
            ok_end = 0;
        }
    }
    if (ok_start && ok_end && out->starts_at >= out->ends_at) {
        moi_add_error(errors, "ends_at", "La fin doit être après le début.");
    }
}

/* The errors added since `from`, in the order of the form's fields (the
 * times are checked last, as they need the place's zone). */
static void sort_by_form_order(apr_array_header_t *errors, int from)
{
    static const char *const order[] = {
        "title",      "summary",     "description", "type",       "format",
        "audience",   "accessibility", "starts_at", "ends_at",    "region",
        "department", "city",        "venue",       "address",    "online_url",
        "registration_url", "organizer_name", "organization", "lab", NULL};
    moi_field_error *e = (moi_field_error *)errors->elts;
    int i, j;
    for (i = from + 1; i < errors->nelts; i++) {
        moi_field_error cur = e[i];
        int rank = 0;
        while (order[rank] && strcmp(order[rank], cur.field)) {
            rank++;
        }
        for (j = i - 1; j >= from; j--) {
            int r2 = 0;
            while (order[r2] && strcmp(order[r2], e[j].field)) {
                r2++;
            }
            if (r2 <= rank) {
                break;
            }
            e[j + 1] = e[j];
        }
        e[j + 1] = cur;
    }
}

int moi_event_validate(apr_pool_t *p, const moi_event_input *in, const moi_event_rules *rules,
                       moi_event *out, apr_array_header_t *errors)
{
    int before = errors->nelts;
    const moi_department *dep = NULL;
    const moi_tz *tz;
    int place, online;

    out->edition = rules->edition_year;
    out->title = check_text(errors, "title", in->title, MOI_TITLE_MIN, MOI_TITLE_MAX, 0,
                            "le titre");
    out->summary = check_text(errors, "summary", in->summary, 1, MOI_SUMMARY_MAX, 1,
                              "un résumé");
    out->description = check_text(errors, "description", in->description, 0,
                                  MOI_DESCRIPTION_MAX, 1, "une description");
    if (!out->description) {
        out->description = "";
    }
    out->type = in->type && moi_code_lookup(moi_event_types, in->type) ? in->type : NULL;
    if (!out->type) {
        moi_add_error(errors, "type", "Choisissez le type d'événement.");
    }
    out->format = in->format && moi_code_lookup(moi_formats, in->format) ? in->format : NULL;
    if (!out->format) {
        moi_add_error(errors, "format", "Choisissez le format : en présentiel, en ligne ou hybride.");
    }
    out->audience = check_codes(p, errors, "audience", in->audience, moi_audiences);
    if (out->audience && out->audience->nelts == 0) {
        moi_add_error(errors, "audience", "Choisissez au moins un public.");
    }
    out->accessibility = check_codes(p, errors, "accessibility", in->accessibility,
                                     moi_accessibility);

    /* Place: department within region; zone from the department. */
    out->region = in->region && *in->region ? in->region : NULL;
    out->department = in->department && *in->department ? in->department : NULL;
    if (out->region && !moi_region_find(out->region)) {
        moi_add_error(errors, "region", "Région inconnue.");
        out->region = NULL;
    }
    if (out->department) {
        dep = moi_department_find(out->department);
        if (!dep) {
            moi_add_error(errors, "department", "Département inconnu.");
            out->department = NULL;
        }
        else if (!out->region) {
            out->region = dep->region_code;
        }
        else if (strcmp(dep->region_code, out->region) != 0) {
            moi_add_error(errors, "department",
                          "Ce département n'appartient pas à la région choisie.");
            dep = NULL;
        }
    }
    out->timezone = dep ? dep->timezone : MOI_DEFAULT_TIMEZONE;
    out->city = check_text(errors, "city", in->city, 0, MOI_SHORT_TEXT_MAX, 0, "la ville");
    out->venue = check_text(errors, "venue", in->venue, 0, MOI_SHORT_TEXT_MAX, 0, "le lieu");
    out->address = check_text(errors, "address", in->address, 0, MOI_SHORT_TEXT_MAX, 0,
                              "l'adresse");
    place = out->format && (!strcmp(out->format, "presentiel") || !strcmp(out->format, "hybride"));
    online = out->format && (!strcmp(out->format, "en_ligne") || !strcmp(out->format, "hybride"));
    if (place) {
        if (!out->region && !moi_html_field_error(errors, "region")) {
            moi_add_error(errors, "region", "Indiquez la région (événement en présentiel ou hybride).");
        }
        if (!out->department && !moi_html_field_error(errors, "department")) {
            moi_add_error(errors, "department",
                          "Indiquez le département (événement en présentiel ou hybride).");
        }
        if (!out->city && !moi_html_field_error(errors, "city")) {
            moi_add_error(errors, "city", "Indiquez la ville (événement en présentiel ou hybride).");
        }
        if (!out->address && !moi_html_field_error(errors, "address")) {
            moi_add_error(errors, "address",
                          "Indiquez l'adresse (événement en présentiel ou hybride).");
        }
    }

    out->online_url = in->online_url && *in->online_url ? in->online_url : NULL;
    out->registration_url =
        in->registration_url && *in->registration_url ? in->registration_url : NULL;
    if (out->online_url && !moi_url_valid(p, out->online_url)) {
        moi_add_error(errors, "online_url",
                      "Indiquez une adresse web complète commençant par https:// ou http://.");
        out->online_url = NULL;
    }
    if (out->registration_url && !moi_url_valid(p, out->registration_url)) {
        moi_add_error(errors, "registration_url",
                      "Indiquez une adresse web complète commençant par https:// ou http://.");
        out->registration_url = NULL;
    }
    if (online && !out->online_url && !out->registration_url &&
        !moi_html_field_error(errors, "online_url") &&
        !moi_html_field_error(errors, "registration_url")) {
        moi_add_error(errors, "online_url",
                      "Indiquez le lien de connexion ou le lien d'inscription (événement en "
                      "ligne ou hybride).");
    }
    out->lab = in->lab && !strcmp(in->lab, "1");
    if (in->lab && *in->lab && strcmp(in->lab, "1") != 0) {
        moi_add_error(errors, "lab", "Valeur non permise.");
    }
    out->organizer_name = check_text(errors, "organizer_name", in->organizer_name, 1,
                                     MOI_SHORT_TEXT_MAX, 0, "le nom de l'organisateur");
    out->organization = check_text(errors, "organization", in->organization, 1,
                                   MOI_SHORT_TEXT_MAX, 0, "l'organisation");

    tz = rules->tz_lookup(rules->tz_baton, out->timezone);
    if (!tz) {
        moi_add_error(errors, "department", "Fuseau horaire indisponible pour ce lieu.");
    }
    else {
        check_times(p, in, rules, tz, out, errors);
    }
    sort_by_form_order(errors, before);
    return errors->nelts - before;
}

static json_t *codes_json(const apr_array_header_t *a)
{
    json_t *arr = json_array();
    int i;
    for (i = 0; a && i < a->nelts; i++) {
        json_array_append_new(arr, json_string(APR_ARRAY_IDX(a, i, const char *)));
    }
    return arr;
}

static json_t *opt_string(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *moi_event_to_json(apr_pool_t *p, const moi_event *ev, const moi_tz *tz,
                          const char *url)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", opt_string(ev->id));
    json_object_set_new(o, "title", opt_string(ev->title));
    json_object_set_new(o, "summary", opt_string(ev->summary));
    json_object_set_new(o, "description", json_string(ev->description ? ev->description : ""));
    json_object_set_new(o, "type", opt_string(ev->type));
    json_object_set_new(o, "format", opt_string(ev->format));
    json_object_set_new(o, "audience", codes_json(ev->audience));
    json_object_set_new(o, "accessibility", codes_json(ev->accessibility));
    json_object_set_new(o, "starts_at",
                        json_string(moi_format_rfc3339(p, ev->starts_at,
                                                       moi_tz_offset_at(tz, ev->starts_at))));
    json_object_set_new(o, "ends_at",
                        json_string(moi_format_rfc3339(p, ev->ends_at,
                                                       moi_tz_offset_at(tz, ev->ends_at))));
    json_object_set_new(o, "timezone", opt_string(ev->timezone));
    json_object_set_new(o, "region", opt_string(ev->region));
    json_object_set_new(o, "department", opt_string(ev->department));
    json_object_set_new(o, "city", opt_string(ev->city));
    json_object_set_new(o, "venue", opt_string(ev->venue));
    json_object_set_new(o, "address", opt_string(ev->address));
    json_object_set_new(o, "online_url", opt_string(ev->online_url));
    json_object_set_new(o, "registration_url", opt_string(ev->registration_url));
    json_object_set_new(o, "lab", json_boolean(ev->lab));
    json_object_set_new(o, "organizer_name", opt_string(ev->organizer_name));
    json_object_set_new(o, "organization", opt_string(ev->organization));
    json_object_set_new(o, "status", opt_string(ev->status));
    json_object_set_new(o, "url", opt_string(url));
    json_object_set_new(o, "created_at",
                        json_string(moi_format_rfc3339(p, ev->created_at, 0)));
    json_object_set_new(o, "updated_at",
                        json_string(moi_format_rfc3339(p, ev->updated_at, 0)));
    json_object_set_new(o, "version", json_integer(ev->version));
    return o;
}
