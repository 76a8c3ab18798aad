/* The programme's filters (query string of BASE/, the exports and the
 * API's list) and the test of one event against them. */
#ifndef MOI_FILTER_H
#define MOI_FILTER_H

#include "moi_event.h"

typedef struct {
    int has_du, has_au;
    moi_date du, au;                   /* inclusive, in each event's zone */
    apr_array_header_t *regions;       /* codes; "national": online, no region */
    apr_array_header_t *departments;   /* codes */
    apr_array_header_t *formats, *types, *audiences;
    apr_array_header_t *words;         /* folded words of q */
    int lab;                           /* 1: lab events only */
    int page;                          /* 1.. */
    int per_page;                      /* API only; else the configured size */
} moi_filter;

/* Parses query (may be NULL).  api: per_page is accepted (1..100).
 * Returns 0, or -1 with *param naming the bad parameter and *message a
 * French explanation. */
int moi_filter_parse(apr_pool_t *p, const char *query, int api, int page_size,
                     moi_filter *out, const char **param, const char **message);

/* The folded text that q's words are searched in. */
const char *moi_filter_haystack(apr_pool_t *p, const moi_event *ev);

/* True when ev passes every filter (haystack from moi_filter_haystack). */
int moi_filter_match(const moi_filter *f, const moi_event *ev, const moi_tz *tz,
                     const char *haystack);

/* The query string that reproduces f without page ("" when none), for
 * paging links and the export links. */
const char *moi_filter_query(apr_pool_t *p, const moi_filter *f);

#endif
