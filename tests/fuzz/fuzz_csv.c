/* moi_csv_cell and moi_csv_row: the CSV export of the programme.
 * Invariants: read back per RFC 4180, a cell gives its text, preceded by a
 * quote when a spreadsheet would have read it as a formula; a cell that is
 * not quoted has no comma, quote, CR or LF; a row is its cells joined by
 * commas, ending in CRLF. */
#include <string.h>
#include <apr_strings.h>
#include "moi_csv.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The text of one RFC 4180 field that spans all of cell; NULL if it is not
 * one. */
static char *unquote(const char *cell)
{
    size_t n = strlen(cell), i;
    char *out = malloc(n + 1), *o = out;
    if (n == 0 || cell[0] != '"') {
        if (strpbrk(cell, ",\"\r\n")) {
            free(out);
            return NULL;
        }
        memcpy(out, cell, n + 1);
        return out;
    }
    for (i = 1; i < n; i++) {
        if (cell[i] == '"') {
            if (i + 1 < n && cell[i + 1] == '"') {
                *o++ = '"';
                i++;
                continue;
            }
            if (i + 1 == n) {
                *o = '\0';
                return out;
            }
            break;
        }
        *o++ = cell[i];
    }
    free(out);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *s = fuzz_cstr(data, size), *text;
    const char *cell = moi_csv_cell(p, s), *cells[3], *row;
    int formula = s[0] && strchr("=+-@\t\r", s[0]);

    text = unquote(cell);
    FUZZ_CHECK(text != NULL);
    if (formula) {
        FUZZ_CHECK(text[0] == '\'' && !strcmp(text + 1, s));
    }
    else {
        FUZZ_CHECK(!strcmp(text, s));
    }
    free(text);
    FUZZ_CHECK(!strcmp(moi_csv_cell(p, NULL), ""));

    cells[0] = s;
    cells[1] = NULL;
    cells[2] = s;
    row = moi_csv_row(p, cells, 3);
    FUZZ_CHECK(!strcmp(row, apr_pstrcat(p, cell, ",,", cell, "\r\n", NULL)));
    free(s);
    fuzz_pool_done(p);
    return 0;
}
