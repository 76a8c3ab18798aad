/* Text from requests: UTF-8 validation, character counts, trimming. */
#ifndef MOI_TEXT_H
#define MOI_TEXT_H

#include <stddef.h>
#include <apr_pools.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) without NUL bytes. */
int moi_utf8_valid(const char *s, size_t len);

/* Number of code points of a valid UTF-8 string. */
size_t moi_utf8_chars(const char *s);

/* True when s has a C0 control character other than tab, CR and LF, or
 * DEL; with multiline = 0, CR and LF and tab are refused too. */
int moi_text_has_controls(const char *s, int multiline);

/* A copy of s without leading and trailing ASCII white space, from p. */
char *moi_trim(apr_pool_t *p, const char *s);

/* A copy of valid UTF-8 s, lower-cased and without accents (Latin-1 and
 * Latin Extended-A letters folded to ASCII: "Élève Œuvre" -> "eleve
 * oeuvre"); other characters kept as they are.  For search. */
char *moi_text_fold(apr_pool_t *p, const char *s);

#endif
