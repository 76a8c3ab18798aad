#include <string.h>
#include <apr_strings.h>
#include "moi_text.h"

int moi_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        size_t n;
        unsigned cp, min;
        if (c == 0) {
            return 0;
        }
        if (c < 0x80) {
            s++;
            continue;
        }
        if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F, min = 0x80;
        }
        else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F, min = 0x800;
        }
        else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        }
        else {
            return 0;
        }
        if ((size_t)(end - s) <= n) {
            return 0;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        s += n + 1;
    }
    return 1;
}

size_t moi_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80) {
            n++;
        }
    }
    return n;
}

int moi_text_has_controls(const char *s, int multiline)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == 0x7F) {
            return 1;
        }
        if (c < 0x20) {
            if (multiline && (c == '\t' || c == '\r' || c == '\n')) {
                continue;
            }
            return 1;
        }
    }
    return 0;
}

char *moi_trim(apr_pool_t *p, const char *s)
{
    const char *e;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
        s++;
    }
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) {
        e--;
    }
    return apr_pstrmemdup(p, s, (apr_size_t)(e - s));
}

/* ASCII folding of U+00C0..U+017F; "" for characters without one. */
static const char *const fold_latin[] = {
    /* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* D0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* F0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    /* 100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    /* 110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    /* 120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    /* 140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    /* 160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    /* 170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};

char *moi_text_fold(apr_pool_t *p, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out = apr_palloc(p, strlen(s) * 2 + 1), *o = out;
    while (*u) {
        unsigned cp;
        int n;
        if (*u < 0x80) {
            *o++ = (char)((*u >= 'A' && *u <= 'Z') ? *u + 32 : *u);
            u++;
            continue;
        }
        if ((*u & 0xE0) == 0xC0 && u[1]) {
            cp = ((unsigned)(*u & 0x1F) << 6) | (u[1] & 0x3F);
            n = 2;
        }
        else {
            n = (*u & 0xF0) == 0xE0 ? 3 : (*u & 0xF8) == 0xF0 ? 4 : 1;
            cp = 0;
        }
        if (cp >= 0x300 && cp <= 0x36F) {
            /* A combining accent (decomposed text, "e" + U+0301): dropped. */
            u += n;
        }
        else if (cp >= 0xC0 && cp <= 0x17F && fold_latin[cp - 0xC0][0]) {
            const char *f = fold_latin[cp - 0xC0];
            while (*f) {
                *o++ = *f++;
            }
            u += n;
        }
        else {
            while (n-- > 0 && *u) {
                *o++ = (char)*u++;
            }
        }
    }
    *o = '\0';
    return out;
}
