/* moi_form_parse: application/x-www-form-urlencoded bodies and query
 * strings, then the event fields of a form as the organiser's pages read
 * and validate them.
 * Invariants: an accepted form has at most MOI_FORM_MAX_FIELDS fields,
 * names that cannot become query operators, UTF-8 names and values; encoding
 * its fields again and parsing that gives the same fields; a refusal says
 * why. */
#include <string.h>
#include <apr_strings.h>
#include "moi_form.h"
#include "moi_text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *why = NULL;
    moi_form *f = moi_form_parse(p, (const char *)data, size, &why);

    if (!f) {
        FUZZ_CHECK(why && *why);
    }
    else {
        const char *again = "", *why2 = NULL;
        moi_form *g;
        moi_event_input in;
        moi_event_rules rules;
        moi_event ev;
        apr_array_header_t *errors = apr_array_make(p, 8, sizeof(moi_field_error));
        int i;

        FUZZ_CHECK(f->fields->nelts <= MOI_FORM_MAX_FIELDS);
        for (i = 0; i < f->fields->nelts; i++) {
            const moi_form_field *fld = &APR_ARRAY_IDX(f->fields, i, moi_form_field);
            FUZZ_CHECK(*fld->name && strlen(fld->name) <= 64);
            FUZZ_CHECK(!strpbrk(fld->name, "$.[]"));
            FUZZ_CHECK(moi_utf8_valid(fld->name, strlen(fld->name)));
            FUZZ_CHECK(moi_utf8_valid(fld->value, strlen(fld->value)));
            FUZZ_CHECK(moi_form_get(f, fld->name) != NULL);
            again = apr_pstrcat(p, again, i ? "&" : "", moi_url_encode(p, fld->name), "=",
                                moi_url_encode(p, fld->value), NULL);
        }
        g = moi_form_parse(p, again, strlen(again), &why2);
        FUZZ_CHECK(g != NULL);
        FUZZ_CHECK(g->fields->nelts == f->fields->nelts);
        for (i = 0; i < f->fields->nelts; i++) {
            const moi_form_field *a = &APR_ARRAY_IDX(f->fields, i, moi_form_field);
            const moi_form_field *b = &APR_ARRAY_IDX(g->fields, i, moi_form_field);
            FUZZ_CHECK(!strcmp(a->name, b->name) && !strcmp(a->value, b->value));
        }

        /* The event form (BASE/evenements/nouveau and its edit page). */
        fuzz_event_rules(&rules);
        moi_event_input_from_form(p, f, &in);
        memset(&ev, 0, sizeof(ev));
        if (moi_event_validate(p, &in, &rules, &ev, errors) == 0) {
            FUZZ_CHECK(ev.title && ev.summary && ev.type && ev.format && ev.timezone);
            FUZZ_CHECK(ev.starts_at < ev.ends_at);
        }
        else {
            FUZZ_CHECK(errors->nelts > 0);
        }
    }
    fuzz_pool_done(p);
    return 0;
}
