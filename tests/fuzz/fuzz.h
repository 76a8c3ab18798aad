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

/* An invariant: on failure, a report and abort() (a crash for libFuzzer). */
#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

#endif
