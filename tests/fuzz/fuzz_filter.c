/* moi_filter_parse: the query string of the programme, its exports and the
 * API's list, then the test of an event against the filters.
 * Invariants: a refusal names the parameter and says why; an accepted
 * filter's query string (the paging and export links, moi_filter_query)
 * parses again into the same filter. */
#include <string.h>
#include <apr_strings.h>
#include "moi_filter.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_list(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i;
    if (!a || !b) {
        return !a && !b;
    }
    if (a->nelts != b->nelts) {
        return 0;
    }
    for (i = 0; i < a->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(a, i, const char *), APR_ARRAY_IDX(b, i, const char *))) {
            return 0;
        }
    }
    return 1;
}

static void check_one(apr_pool_t *p, const char *query, int api, const moi_tz *tz,
                      const moi_event *ev)
{
    moi_filter f, g;
    const char *param = NULL, *message = NULL, *q;

    if (moi_filter_parse(p, query, api, 20, &f, &param, &message) != 0) {
        FUZZ_CHECK(param && message && *message);
        return;
    }
    FUZZ_CHECK(f.page >= 1 && f.per_page >= 1 && f.per_page <= (api ? 100 : 20));
    FUZZ_CHECK(!f.words || (f.words->nelts >= 1 && f.words->nelts <= 10));
    q = moi_filter_query(p, &f);
    FUZZ_CHECK(moi_filter_parse(p, q, api, 20, &g, &param, &message) == 0);
    FUZZ_CHECK(g.has_du == f.has_du && g.has_au == f.has_au && g.lab == f.lab);
    FUZZ_CHECK(!f.has_du || moi_date_cmp(&f.du, &g.du) == 0);
    FUZZ_CHECK(!f.has_au || moi_date_cmp(&f.au, &g.au) == 0);
    FUZZ_CHECK(same_list(f.regions, g.regions) && same_list(f.departments, g.departments));
    FUZZ_CHECK(same_list(f.formats, g.formats) && same_list(f.types, g.types));
    FUZZ_CHECK(same_list(f.audiences, g.audiences) && same_list(f.words, g.words));
    FUZZ_CHECK(!strcmp(moi_filter_query(p, &g), q));
    moi_filter_match(&f, ev, tz, moi_filter_haystack(p, ev));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static moi_event ev;
    static const moi_tz *tz;
    apr_pool_t *p;
    char *query;

    if (!tz) {
        moi_event_rules rules;
        apr_pool_t *sp = fuzz_static_pool();
        fuzz_event_rules(&rules);
        tz = rules.tz_lookup(rules.tz_baton, "Europe/Paris");
        FUZZ_CHECK(tz != NULL);
        ev.title = "Atelier « Œuvres publiques » à Évry";
        ev.summary = "Concevoir ensemble de meilleurs services.";
        ev.description = "Élèves, agents et élus.";
        ev.city = "Évry-Courcouronnes";
        ev.organization = "Préfecture de l'Essonne";
        ev.type = "atelier_participatif";
        ev.format = "presentiel";
        ev.region = "11";
        ev.department = "91";
        ev.audience = apr_array_make(sp, 2, sizeof(const char *));
        APR_ARRAY_PUSH(ev.audience, const char *) = "agents";
        APR_ARRAY_PUSH(ev.audience, const char *) = "elus";
        ev.starts_at = APR_INT64_C(1667377800) * APR_USEC_PER_SEC; /* 2022-11-02 09:30 +01 */
        ev.ends_at = ev.starts_at + APR_INT64_C(3 * 3600) * APR_USEC_PER_SEC;
        ev.lab = 1;
    }
    p = fuzz_pool();
    query = fuzz_cstr(data, size);
    check_one(p, query, 0, tz, &ev);
    check_one(p, query, 1, tz, &ev);
    check_one(p, size ? query : NULL, 0, tz, &ev);
    free(query);
    fuzz_pool_done(p);
    return 0;
}
