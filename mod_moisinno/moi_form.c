#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>
#include "moi_form.h"
#include "moi_text.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes one name or value; NULL when malformed. */
static char *decode(apr_pool_t *p, const char *s, size_t len)
{
    char *out = apr_palloc(p, len + 1), *o = out;
    size_t i;
    for (i = 0; i < len; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        }
        else if (s[i] == '%') {
            int h, l;
            if (i + 2 >= len || (h = hexval((unsigned char)s[i + 1])) < 0 ||
                (l = hexval((unsigned char)s[i + 2])) < 0) {
                return NULL;
            }
            *o++ = (char)(h * 16 + l);
            i += 2;
        }
        else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    if (!moi_utf8_valid(out, (size_t)(o - out))) {
        return NULL;
    }
    return out;
}

static int name_acceptable(const char *n)
{
    return *n && strpbrk(n, "$.[]") == NULL && strlen(n) <= 64;
}

moi_form *moi_form_parse(apr_pool_t *p, const char *data, size_t len, const char **why)
{
    moi_form *f = apr_pcalloc(p, sizeof(*f));
    const char *s = data, *end = data + len;

    f->fields = apr_array_make(p, 16, sizeof(moi_form_field));
    if (memchr(data, '\0', len)) {
        *why = "Le formulaire contient un caractère nul.";
        return NULL;
    }
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *pair_end = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(pair_end - s));
        moi_form_field *fld;
        char *name, *value;

        if (pair_end == s) { /* empty pair: "a=1&&b=2" */
            s = pair_end + 1;
            continue;
        }
        name = decode(p, s, (size_t)((eq ? eq : pair_end) - s));
        value = eq ? decode(p, eq + 1, (size_t)(pair_end - eq - 1)) : apr_pstrdup(p, "");
        if (!name || !value) {
            *why = "Le formulaire est mal encodé (caractères invalides).";
            return NULL;
        }
        if (!name_acceptable(name)) {
            *why = "Le formulaire contient un nom de champ non permis.";
            return NULL;
        }
        if (f->fields->nelts >= MOI_FORM_MAX_FIELDS) {
            *why = "Le formulaire contient trop de champs.";
            return NULL;
        }
        fld = apr_array_push(f->fields);
        fld->name = name;
        fld->value = value;
        s = pair_end + 1;
    }
    return f;
}

const char *moi_form_get(const moi_form *f, const char *name)
{
    int i;
    for (i = 0; i < f->fields->nelts; i++) {
        const moi_form_field *fld = &APR_ARRAY_IDX(f->fields, i, moi_form_field);
        if (!strcmp(fld->name, name)) {
            return fld->value;
        }
    }
    return NULL;
}

apr_array_header_t *moi_form_get_all(apr_pool_t *p, const moi_form *f, const char *name)
{
    apr_array_header_t *a = apr_array_make(p, 4, sizeof(const char *));
    int i;
    for (i = 0; i < f->fields->nelts; i++) {
        const moi_form_field *fld = &APR_ARRAY_IDX(f->fields, i, moi_form_field);
        if (!strcmp(fld->name, name)) {
            APR_ARRAY_PUSH(a, const char *) = fld->value;
        }
    }
    return a;
}

const char *moi_url_encode(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = apr_palloc(p, strlen(s) * 3 + 1), *o = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (apr_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            *o++ = (char)c;
        }
        else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}
