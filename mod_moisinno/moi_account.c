#include <string.h>
#include <apr_strings.h>
#include "moi_account.h"
#include "moi_parse.h"
#include "moi_password.h"
#include "moi_text.h"

void moi_add_error(apr_array_header_t *errors, const char *field, const char *message)
{
    moi_field_error *e = apr_array_push(errors);
    e->field = field;
    e->message = message;
}

const char *moi_email_normalize(apr_pool_t *p, const char *raw)
{
    return raw ? moi_ascii_lower(p, moi_trim(p, raw)) : "";
}

int moi_password_validate(apr_pool_t *p, const char *password, const char *confirm,
                          const char *field, const char *confirm_field,
                          apr_array_header_t *errors)
{
    int before = errors->nelts;
    size_t len = password ? strlen(password) : 0;
    (void)p;
    if (len < MOI_PASSWORD_MIN_BYTES) {
        moi_add_error(errors, field,
                      "Le mot de passe doit comporter au moins 12 caractères.");
    }
    else if (len > MOI_PASSWORD_MAX_BYTES) {
        moi_add_error(errors, field,
                      "Le mot de passe ne doit pas dépasser 1024 octets.");
    }
    if (!confirm || !password || strcmp(password, confirm) != 0) {
        moi_add_error(errors, confirm_field,
                      "La confirmation ne correspond pas au mot de passe.");
    }
    return errors->nelts - before;
}

/* 1..max characters of one-line text. */
static void check_line(apr_array_header_t *errors, const char *field, const char *value,
                       size_t max, const char *missing, const char *too_long)
{
    if (!value || !*value) {
        moi_add_error(errors, field, missing);
    }
    else if (moi_text_has_controls(value, 0)) {
        moi_add_error(errors, field, "Ce champ contient des caractères non permis.");
    }
    else if (moi_utf8_chars(value) > max) {
        moi_add_error(errors, field, too_long);
    }
}

int moi_signup_validate(apr_pool_t *p, const moi_signup *s, const apr_array_header_t *domains,
                        apr_array_header_t *errors)
{
    int before = errors->nelts;
    if (!s->email || !*s->email) {
        moi_add_error(errors, "email", "Indiquez votre adresse électronique.");
    }
    else if (!moi_email_valid(s->email)) {
        moi_add_error(errors, "email",
                      "L'adresse électronique n'est pas valide (exemple : "
                      "prenom.nom@ministere.gouv.fr).");
    }
    else if (domains && domains->nelts > 0) {
        const char *domain = strchr(s->email, '@') + 1;
        int i, ok = 0;
        for (i = 0; i < domains->nelts && !ok; i++) {
            ok = moi_domain_matches(domain, APR_ARRAY_IDX(domains, i, const char *));
        }
        if (!ok) {
            const char *list = "";
            for (i = 0; i < domains->nelts; i++) {
                list = apr_pstrcat(p, list, i ? ", " : "", APR_ARRAY_IDX(domains, i, const char *),
                                   NULL);
            }
            moi_add_error(errors, "email",
                          apr_pstrcat(p,
                                      "L'inscription est réservée aux adresses des domaines "
                                      "suivants : ",
                                      list, ".", NULL));
        }
    }
    moi_password_validate(p, s->password, s->password_confirm, "password", "password_confirm",
                          errors);
    check_line(errors, "name", s->name, 200, "Indiquez votre nom.",
               "Le nom ne doit pas dépasser 200 caractères.");
    check_line(errors, "organization", s->organization, 200,
               "Indiquez votre organisation.",
               "L'organisation ne doit pas dépasser 200 caractères.");
    if (!moi_code_lookup(moi_organization_types, s->organization_type)) {
        moi_add_error(errors, "organization_type", "Choisissez le type d'organisation.");
    }
    return errors->nelts - before;
}

int moi_retour_is_safe(const char *base, const char *retour)
{
    size_t blen = strlen(base);
    const char *s;
    if (!retour || retour[0] != '/' || retour[1] == '/' || retour[1] == '\\') {
        return 0;
    }
    for (s = retour; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F || c == '\\') {
            return 0;
        }
    }
    if (strstr(retour, "/../") || strstr(retour, "/./") ||
        (strlen(retour) >= 3 && !strcmp(retour + strlen(retour) - 3, "/..")) ||
        strstr(retour, "%2e") || strstr(retour, "%2E") || strstr(retour, "%2f") ||
        strstr(retour, "%2F") || strstr(retour, "%5c") || strstr(retour, "%5C")) {
        return 0;
    }
    if (strncmp(retour, base, blen) != 0) {
        return 0;
    }
    return retour[blen] == '\0' || retour[blen] == '/' || retour[blen] == '?';
}
