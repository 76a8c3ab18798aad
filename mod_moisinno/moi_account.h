/* Organiser accounts: the rules of the sign-up and password forms. */
#ifndef MOI_ACCOUNT_H
#define MOI_ACCOUNT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "moi_codes.h"

/* One message for one field ("" for the form as a whole). */
typedef struct {
    const char *field;
    const char *message;
} moi_field_error;

typedef struct {
    const char *email; /* trimmed, lower case */
    const char *password;
    const char *password_confirm;
    const char *name;  /* trimmed */
    const char *organization;
    const char *organization_type;
} moi_signup;


/* Normalises an e-mail address as typed: trimmed and lower-cased. */
const char *moi_email_normalize(apr_pool_t *p, const char *raw);

/* Adds to errors (array of moi_field_error) every rule s breaks: e-mail
 * shape and domain (domains: array of const char *, NULL = any),
 * password length 12..1024 bytes and confirmation, name and organisation
 * 1..200 characters without control characters, organization_type from
 * the codes.  Returns the number of errors added. */
int moi_signup_validate(apr_pool_t *p, const moi_signup *s, const apr_array_header_t *domains,
                        apr_array_header_t *errors);

/* Password length and confirmation rules alone (field names as given). */
int moi_password_validate(apr_pool_t *p, const char *password, const char *confirm,
                          const char *field, const char *confirm_field,
                          apr_array_header_t *errors);

/* True when retour is a safe place to send the user after login: a path
 * under base ("/base" or "/base/..."), no scheme, no "//", no backslash,
 * no control character, no "..". */
int moi_retour_is_safe(const char *base, const char *retour);

void moi_add_error(apr_array_header_t *errors, const char *field, const char *message);

#endif
