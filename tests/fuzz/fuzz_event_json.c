/* The API's event bodies: json_loadb() as the module calls it, then
 * moi_event_input_from_json() and moi_event_validate() (zones loaded once
 * with moi_tz_load).
 * Invariants: a refused event has errors; a valid one has its required
 * fields and starts before it ends; its API JSON (moi_event_to_json), sent
 * back as it came (GET then PUT), is read without error and is valid again
 * with the same instants. */
#include <string.h>
#include <apr_strings.h>
#include "moi_event.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int validate(apr_pool_t *p, json_t *obj, moi_event *ev, int *read_errors)
{
    moi_event_rules rules;
    moi_event_input in;
    apr_array_header_t *errors = apr_array_make(p, 8, sizeof(moi_field_error));
    int n;

    fuzz_event_rules(&rules);
    moi_event_input_from_json(p, obj, &in, errors);
    *read_errors = errors->nelts;
    /* As the API does for a new event: the account's name and organisation
     * when the body has none. */
    if (!in.organizer_name) {
        in.organizer_name = "Camille Martin";
    }
    if (!in.organization) {
        in.organization = "Direction interministérielle";
    }
    memset(ev, 0, sizeof(*ev));
    n = moi_event_validate(p, &in, &rules, ev, errors);
    FUZZ_CHECK(n == errors->nelts - *read_errors);
    for (int i = 0; i < errors->nelts; i++) {
        const moi_field_error *e = &APR_ARRAY_IDX(errors, i, moi_field_error);
        FUZZ_CHECK(e->field && e->message && *e->message);
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    moi_event ev, ev2;
    int read_errors;

    if (doc && json_is_object(doc) && validate(p, doc, &ev, &read_errors) == 0) {
        moi_event_rules rules;
        const moi_tz *tz;
        json_t *out, *back;
        char *text;
        int again, read2;

        FUZZ_CHECK(ev.title && ev.summary && ev.type && ev.format && ev.timezone);
        FUZZ_CHECK(ev.audience && ev.audience->nelts > 0);
        FUZZ_CHECK(ev.starts_at < ev.ends_at);
        fuzz_event_rules(&rules);
        tz = rules.tz_lookup(rules.tz_baton, ev.timezone);
        FUZZ_CHECK(tz != NULL);
        ev.id = "0123456789abcdef01234567";
        ev.status = "submitted";
        ev.version = 1;
        out = moi_event_to_json(p, &ev, tz, "/mois-innovation/evenements/0123456789abcdef01234567");
        text = json_dumps(out, JSON_COMPACT);
        FUZZ_CHECK(text != NULL);
        back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
        FUZZ_CHECK(back != NULL);
        again = validate(p, back, &ev2, &read2);
        FUZZ_CHECK(read2 == 0);
        /* The API's times are to the second; a body may have had fractions. */
        if (ev.starts_at % APR_USEC_PER_SEC == 0 && ev.ends_at % APR_USEC_PER_SEC == 0) {
            FUZZ_CHECK(again == 0);
            FUZZ_CHECK(ev2.starts_at == ev.starts_at && ev2.ends_at == ev.ends_at);
            FUZZ_CHECK(!strcmp(ev2.title, ev.title) && !strcmp(ev2.timezone, ev.timezone));
        }
        free(text);
        json_decref(back);
        json_decref(out);
    }
    json_decref(doc);
    fuzz_pool_done(p);
    return 0;
}
