/* A strict tokenizer of the module's HTML (see htmltok.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "htmltok.h"

/* ---- a growing byte string ---------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) {
            abort();
        }
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static char *buf_take(buf *b)
{
    if (!b->s) {
        b->s = calloc(1, 1);
        if (!b->s) {
            abort();
        }
    }
    return b->s;
}

static char *dup_n(const char *s, size_t n)
{
    buf b = {0};
    buf_add(&b, s, n);
    return buf_take(&b);
}

/* ---- character references ------------------------------------------------ */

static size_t utf8_put(char *o, unsigned long c)
{
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* The reference at s ("&..."): its text into b, and its length; 0 when it
 * is not one this tokenizer knows (which the module never writes). */
static size_t reference(const char *s, buf *b)
{
    static const struct {
        const char *name, *text;
    } named[] = {{"&amp;", "&"},   {"&lt;", "<"},    {"&gt;", ">"},
                 {"&quot;", "\""}, {"&apos;", "'"}, {"&nbsp;", "\xC2\xA0"}};
    size_t i;
    for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        size_t n = strlen(named[i].name);
        if (!strncmp(s, named[i].name, n)) {
            buf_add(b, named[i].text, strlen(named[i].text));
            return n;
        }
    }
    if (s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        const char *d = s + 2 + hex, *q = d;
        unsigned long c = 0;
        char out[4];
        while (q - d < 7 && (hex ? strchr("0123456789abcdefABCDEF", *q) : strchr("0123456789", *q)) &&
               *q) {
            int v = *q <= '9' ? *q - '0' : (*q | 0x20) - 'a' + 10;
            c = c * (hex ? 16 : 10) + (unsigned long)v;
            q++;
        }
        if (q == d || *q != ';' || c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
            return 0;
        }
        buf_add(b, out, utf8_put(out, c));
        return (size_t)(q + 1 - s);
    }
    return 0;
}

/* ---- tokens ---------------------------------------------------------------- */

static ht_token *push(ht_doc *d, ht_kind kind)
{
    ht_token *t;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 64;
        d->tok = realloc(d->tok, (size_t)d->cap * sizeof(*d->tok));
        if (!d->tok) {
            abort();
        }
    }
    t = &d->tok[d->n++];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    return t;
}

static int fail(ht_doc *d, const char *why, const char *html, const char *at)
{
    d->error = why;
    d->error_at = (size_t)(at - html);
    return -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static size_t name_len(const char *s, const char *more)
{
    size_t n = 0;
    if (!is_alpha(s[0])) {
        return 0;
    }
    while (s[n] && (is_alpha(s[n]) || (s[n] >= '0' && s[n] <= '9') ||
                    (more && strchr(more, s[n])))) {
        n++;
    }
    return n;
}

static char *lower_n(const char *s, size_t n)
{
    char *out = dup_n(s, n);
    size_t i;
    for (i = 0; i < n; i++) {
        if (out[i] >= 'A' && out[i] <= 'Z') {
            out[i] = (char)(out[i] | 0x20);
        }
    }
    return out;
}

/* The end of the raw text of element name that starts at s: the "</name"
 * that closes it, or NULL. */
static const char *raw_end(const char *s, const char *name)
{
    size_t n = strlen(name);
    for (; (s = strstr(s, "</")); s += 2) {
        if (!strncasecmp(s + 2, name, n) && (is_space(s[2 + n]) || s[2 + n] == '>' ||
                                              s[2 + n] == '/')) {
            return s;
        }
    }
    return NULL;
}

/* Decoded text of s[0..n) into a new HT_TEXT token (none when empty). */
static int text_token(ht_doc *d, const char *html, const char *s, size_t n)
{
    buf b = {0};
    const char *e = s + n, *run = s;
    while (s < e) {
        if (*s == '&') {
            size_t k;
            buf_add(&b, run, (size_t)(s - run));
            if (!(k = reference(s, &b)) || s + k > e) {
                free(b.s);
                return fail(d, "& that starts no reference", html, s);
            }
            s += k;
            run = s;
        } else if (*s == '<') {
            free(b.s);
            return fail(d, "< that starts no tag", html, s);
        } else {
            s++;
        }
    }
    buf_add(&b, run, (size_t)(s - run));
    if (b.n) {
        push(d, HT_TEXT)->text = b.s;
    } else {
        free(b.s);
    }
    return 0;
}

static int start_tag(ht_doc *d, const char *html, const char **sp)
{
    const char *s = *sp + 1, *at;
    size_t n = name_len(s, "-"), cap = 0;
    ht_token *t;
    if (!n) {
        return fail(d, "< that starts no tag", html, *sp);
    }
    t = push(d, HT_START);
    t->name = lower_n(s, n);
    for (s += n;;) {
        size_t ws = 0, k;
        int i;
        while (is_space(s[ws])) {
            ws++;
        }
        s += ws;
        if (*s == '>') {
            s++;
            break;
        }
        if (s[0] == '/' && s[1] == '>') {
            s += 2;
            break;
        }
        if (!*s) {
            return fail(d, "unterminated tag", html, s);
        }
        at = s;
        if (!ws || !(k = name_len(s, "-_:."))) {
            return fail(d, "bad attribute name", html, s);
        }
        if ((size_t)t->nattrs == cap) {
            cap = cap ? cap * 2 : 4;
            t->attrs = realloc(t->attrs, cap * sizeof(*t->attrs));
            if (!t->attrs) {
                abort();
            }
        }
        t->attrs[t->nattrs].name = lower_n(s, k);
        t->attrs[t->nattrs].value = NULL;
        t->nattrs++;
        for (i = 0; i < t->nattrs - 1; i++) {
            if (!strcmp(t->attrs[i].name, t->attrs[t->nattrs - 1].name)) {
                return fail(d, "the same attribute twice", html, at);
            }
        }
        s += k;
        if (*s != '=') {
            t->attrs[t->nattrs - 1].value = dup_n("", 0);
            continue;
        }
        if (s[1] != '"') {
            return fail(d, "attribute value not in double quotes", html, s + 1);
        }
        {
            buf b = {0};
            const char *run;
            for (run = s += 2; *s != '"'; ) {
                if (!*s || *s == '<') {
                    free(b.s);
                    return fail(d, *s ? "< in an attribute value" : "unterminated attribute",
                                html, s);
                }
                if (*s == '&') {
                    buf_add(&b, run, (size_t)(s - run));
                    if (!(k = reference(s, &b))) {
                        free(b.s);
                        return fail(d, "& that starts no reference in an attribute", html, s);
                    }
                    s += k;
                    run = s;
                } else {
                    s++;
                }
            }
            buf_add(&b, run, (size_t)(s - run));
            t->attrs[t->nattrs - 1].value = buf_take(&b);
            s++;
        }
    }
    *sp = s;
    if (!strcmp(t->name, "script") || !strcmp(t->name, "style")) {
        const char *e = raw_end(s, t->name);
        if (!e) {
            return fail(d, "unterminated raw text", html, s);
        }
        if (e > s) {
            push(d, HT_RAW)->text = dup_n(s, (size_t)(e - s));
        }
        *sp = e;
    } else if (!strcmp(t->name, "textarea") || !strcmp(t->name, "title")) {
        const char *e = raw_end(s, t->name);
        const char *from = s;
        if (!e) {
            return fail(d, "unterminated escapable raw text", html, s);
        }
        /* A browser drops the newline right after <textarea>. */
        if (!strcmp(t->name, "textarea") && *from == '\n') {
            from++;
        }
        {
            /* "<" is text here; only references are decoded. */
            buf b = {0};
            const char *q = from, *run = from;
            size_t k;
            while (q < e) {
                if (*q == '&') {
                    buf_add(&b, run, (size_t)(q - run));
                    if (!(k = reference(q, &b)) || q + k > e) {
                        free(b.s);
                        return fail(d, "& that starts no reference", html, q);
                    }
                    q += k;
                    run = q;
                } else if (*q == '<') {
                    free(b.s);
                    return fail(d, "raw < in escapable raw text", html, q);
                } else {
                    q++;
                }
            }
            buf_add(&b, run, (size_t)(q - run));
            if (b.n) {
                push(d, HT_TEXT)->text = b.s;
            } else {
                free(b.s);
            }
        }
        *sp = e;
    }
    return 0;
}

int ht_parse(const char *html, ht_doc *d)
{
    const char *s = html, *text = html;
    memset(d, 0, sizeof(*d));
    while (*s) {
        if (*s != '<') {
            s++;
            continue;
        }
        if (text_token(d, html, text, (size_t)(s - text)) < 0) {
            return -1;
        }
        if (!strncmp(s, "<!--", 4)) {
            const char *e = strstr(s + 4, "-->");
            if (!e) {
                return fail(d, "unterminated comment", html, s);
            }
            push(d, HT_COMMENT)->text = dup_n(s + 4, (size_t)(e - s - 4));
            s = e + 3;
        } else if (!strncasecmp(s, "<!DOCTYPE", 9)) {
            const char *e = strchr(s, '>');
            if (!e) {
                return fail(d, "unterminated doctype", html, s);
            }
            push(d, HT_DOCTYPE)->text = dup_n(s, (size_t)(e + 1 - s));
            s = e + 1;
        } else if (s[1] == '/') {
            size_t n = name_len(s + 2, "-");
            const char *e = s + 2 + n;
            if (!n) {
                return fail(d, "bad end tag", html, s);
            }
            while (is_space(*e)) {
                e++;
            }
            if (*e != '>') {
                return fail(d, "bad end tag", html, s);
            }
            push(d, HT_END)->name = lower_n(s + 2, n);
            s = e + 1;
        } else if (start_tag(d, html, &s) < 0) {
            return -1;
        }
        text = s;
    }
    return text_token(d, html, text, (size_t)(s - text));
}

void ht_free(ht_doc *d)
{
    int i, j;
    for (i = 0; i < d->n; i++) {
        free(d->tok[i].name);
        free(d->tok[i].text);
        for (j = 0; j < d->tok[i].nattrs; j++) {
            free(d->tok[i].attrs[j].name);
            free(d->tok[i].attrs[j].value);
        }
        free(d->tok[i].attrs);
    }
    free(d->tok);
    memset(d, 0, sizeof(*d));
}

const char *ht_attr_get(const ht_token *t, const char *name)
{
    int i;
    for (i = 0; t->kind == HT_START && i < t->nattrs; i++) {
        if (!strcmp(t->attrs[i].name, name)) {
            return t->attrs[i].value;
        }
    }
    return NULL;
}

int ht_find(const ht_doc *d, int from, const char *name, const char *attr, const char *value)
{
    int i;
    for (i = from < 0 ? 0 : from; i < d->n; i++) {
        const ht_token *t = &d->tok[i];
        const char *v;
        if (t->kind != HT_START || strcmp(t->name, name)) {
            continue;
        }
        if (!attr || ((v = ht_attr_get(t, attr)) && !strcmp(v, value))) {
            return i;
        }
    }
    return -1;
}

char *ht_inner_text(const ht_doc *d, int i)
{
    buf b = {0};
    const char *name = d->tok[i].name;
    int depth = 0;
    for (i++; i < d->n; i++) {
        const ht_token *t = &d->tok[i];
        if (t->kind == HT_START && !strcmp(t->name, name)) {
            depth++;
        } else if (t->kind == HT_END && !strcmp(t->name, name)) {
            if (depth-- == 0) {
                break;
            }
        } else if (t->kind == HT_TEXT || t->kind == HT_RAW) {
            buf_add(&b, t->text, strlen(t->text));
        }
    }
    return buf_take(&b);
}

char *ht_defang(const char *s)
{
    char *out = dup_n(s, strlen(s)), *o;
    for (o = out; *o; o++) {
        switch (*o) {
        case '&':
            *o = 'X';
            break;
        case '<':
            *o = 'Y';
            break;
        case '>':
            *o = 'Z';
            break;
        case '"':
            *o = 'Q';
            break;
        case '\'':
            *o = 'W';
            break;
        }
    }
    return out;
}
