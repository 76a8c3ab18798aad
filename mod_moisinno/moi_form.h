/* application/x-www-form-urlencoded bodies and query strings.
 *
 * Strict: a malformed escape, invalid UTF-8, a NUL byte, a name that could
 * become a query operator ('$' anywhere, '.', '[' or ']'), more than
 * MOI_FORM_MAX_FIELDS fields: the whole input is refused and nothing of it
 * is used.
 */
#ifndef MOI_FORM_H
#define MOI_FORM_H

#include <apr_pools.h>
#include <apr_tables.h>

#define MOI_FORM_MAX_FIELDS 256

typedef struct {
    const char *name;
    const char *value;
} moi_form_field;

typedef struct {
    apr_array_header_t *fields; /* of moi_form_field, in input order */
} moi_form;

/* Parses len bytes of data.  Returns NULL and sets *why (French, for the
 * user) on refusal. */
moi_form *moi_form_parse(apr_pool_t *p, const char *data, size_t len, const char **why);

/* The first value of name, or NULL. */
const char *moi_form_get(const moi_form *f, const char *name);

/* Every value of name (array of const char *), possibly empty. */
apr_array_header_t *moi_form_get_all(apr_pool_t *p, const moi_form *f, const char *name);

/* Percent-encodes s for a query-string value. */
const char *moi_url_encode(apr_pool_t *p, const char *s);

#endif
