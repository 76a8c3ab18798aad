/* CSV per RFC 4180 (UTF-8, CRLF), with cells that a spreadsheet would
 * read as a formula (= + - @, tab, CR) neutralised by a leading quote. */
#ifndef MOI_CSV_H
#define MOI_CSV_H

#include <apr_pools.h>

/* One cell, quoted when needed. NULL gives an empty cell. */
const char *moi_csv_cell(apr_pool_t *p, const char *s);

/* One record from n cells (already raw text), ending in CRLF. */
const char *moi_csv_row(apr_pool_t *p, const char *const *cells, int n);

#endif
