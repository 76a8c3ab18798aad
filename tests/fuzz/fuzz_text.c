/* moi_utf8_valid and moi_text_fold (with moi_utf8_chars, moi_trim and
 * moi_text_has_controls): every text field of a request, and the search.
 * Invariants: moi_utf8_valid agrees with a decoder written from Table 3-7
 * of the Unicode standard (well-formed byte sequences), NUL refused; the
 * folding of valid text is valid UTF-8 without ASCII capitals, at most
 * twice as long, and folding it again changes nothing; moi_utf8_chars
 * counts the code points; moi_trim leaves no blanks at either end.  Folding
 * of any bytes (not only UTF-8) stays in bounds. */
#include <string.h>
#include <apr_strings.h>
#include "moi_text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int reference_valid(const uint8_t *s, size_t n, size_t *chars)
{
    size_t i = 0, k;
    *chars = 0;
    while (i < n) {
        if (!(k = fuzz_utf8_seq(s + i, n - i))) {
            return 0;
        }
        i += k;
        ++*chars;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    size_t chars = 0;
    int valid = moi_utf8_valid((const char *)data, size);
    char *s = fuzz_cstr(data, size), *folded, *trimmed;

    FUZZ_CHECK(valid == reference_valid(data, size, &chars));
    folded = moi_text_fold(p, s); /* in bounds whatever the bytes */
    FUZZ_CHECK(strlen(folded) <= 2 * strlen(s));
    if (valid) {
        size_t n = strlen(folded), i;
        FUZZ_CHECK(moi_utf8_chars(s) == chars);
        FUZZ_CHECK(moi_utf8_valid(folded, n));
        for (i = 0; i < n; i++) {
            FUZZ_CHECK(!(folded[i] >= 'A' && folded[i] <= 'Z'));
        }
        FUZZ_CHECK(!strcmp(moi_text_fold(p, folded), folded));
    }
    trimmed = moi_trim(p, s);
    if (*trimmed) {
        size_t n = strlen(trimmed);
        FUZZ_CHECK(!strchr(" \t\r\n", trimmed[0]) && !strchr(" \t\r\n", trimmed[n - 1]));
        FUZZ_CHECK(strstr(s, trimmed) != NULL);
    }
    if (!moi_text_has_controls(s, 1)) {
        for (const char *c = s; *c; c++) {
            FUZZ_CHECK((unsigned char)*c >= 0x20 || *c == '\t' || *c == '\r' || *c == '\n');
            FUZZ_CHECK(*c != 0x7F);
        }
    }
    FUZZ_CHECK(moi_text_has_controls(s, 0) >= moi_text_has_controls(s, 1));
    free(s);
    fuzz_pool_done(p);
    return 0;
}
