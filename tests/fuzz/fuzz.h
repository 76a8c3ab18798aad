/* Shared by the libFuzzer targets of tests/fuzz (see fuzz_common.c).
 *
 * Each target defines LLVMFuzzerTestOneInput(), takes a pool from
 * fuzz_pool() for the one input and gives it back with fuzz_pool_done().
 * While such a pool is out, every apr_palloc() (from any pool) is a block
 * of its own from malloc(), freed by fuzz_pool_done(): AddressSanitizer
 * then sees an overflow of a pool allocation, which inside APR's big pool
 * blocks it could not.
 */
#ifndef MOI_FUZZ_H
#define MOI_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <apr_pools.h>
#include "moi_event.h"

/* A fresh pool for one input. */
apr_pool_t *fuzz_pool(void);

/* Destroys it and frees every block allocated while it was out. */
void fuzz_pool_done(apr_pool_t *p);

/* A pool that lives as long as the process (zones, tables). */
apr_pool_t *fuzz_static_pool(void);

/* data as a NUL-terminated string (cut at its first NUL), malloc'd with the
 * exact size so that reading past its end is caught. */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* The rules of the 2022 edition (2022-11-02 .. 2022-11-30), with the zones
 * of every department loaded once from the system's tzdata. */
void fuzz_event_rules(moi_event_rules *rules);

/* The zones of every department, loaded once from the system's tzdata
 * (fuzz_event_rules and fuzz_event load them): the zone of an IANA name,
 * NULL for any other. */
const moi_tz *fuzz_tz_lookup(void *baton, const char *name);

/* Length of the well-formed UTF-8 sequence at s (Table 3-7 of the Unicode
 * standard), n bytes being there; 0 if none there.  NUL is not one. */
size_t fuzz_utf8_seq(const uint8_t *s, size_t n);

/* Checks that two tokenized pages have the same tags and attribute names,
 * in the same order (what no escaped value may change). */
struct ht_doc;
void fuzz_same_markup(const struct ht_doc *a, const struct ht_doc *b);

/* What the exports make of an event's text (moi_export.c), written again
 * from its description: only well-formed UTF-8 without U+FFFE and U+FFFF,
 * no control character but tab and LF, CR LF and lone CR as LF.  NULL gives
 * "".  malloc'd. */
char *fuzz_export_text(const char *s);

/* What the exports make of a URL: fuzz_export_text, then tab, LF and space
 * as %09, %0A and %20.  malloc'd. */
char *fuzz_export_uri(const char *s);

/* An event as the store could give it, from fuzz data: its first
 * FUZZ_EVENT_HEAD bytes (zeros when missing) choose the status, type,
 * format, department (and so region and zone), audience, accessibility,
 * lab, times and version (their last byte is left to the target, for its
 * own options); the rest, split at NUL bytes, gives its texts in
 * this order: title, summary, description, city, venue, address,
 * online_url, registration_url, organizer_name, organization,
 * rejection_reason, id.  A missing title, summary, description, name or
 * organisation is "", a missing id a fixed one, any other missing text
 * NULL.  Times lie between 2022-09-01 and 2023-05-01, over both changes of
 * daylight saving time. */
#define FUZZ_EVENT_HEAD 20
moi_event *fuzz_event(apr_pool_t *p, const uint8_t *data, size_t size);

/* A copy of ev from p with every text (not the codes) passed through map,
 * which returns a malloc'd string. */
moi_event *fuzz_event_map(apr_pool_t *p, const moi_event *ev, char *(*map)(const char *));

/* An invariant: on failure, a report and abort() (a crash for libFuzzer). */
#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

#endif
