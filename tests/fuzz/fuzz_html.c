/* moi_html_escape and the helpers that put values in HTML: moi_html_hidden,
 * moi_html_input, moi_html_error_summary and the page frame.
 * Input: texts split at NUL bytes (the first is the one escaped).
 * Invariants: the escaped text has no raw < > " ', every & in it starts
 * &amp; &lt; &gt; &#34; or &#39;, it is exactly as long as those make it,
 * it is the text itself when there is nothing to escape, and decoding it
 * gives the text back byte for byte (valid UTF-8 or not).  In attribute
 * values and in text (htmltok.c reads the markup as a browser would),
 * every value reads back as it was, and the markup (tags and attribute
 * names) is that of the same call with the five characters replaced by
 * letters: a value never adds a tag or an attribute. */
#include <string.h>
#include <apr_strings.h>
#include "moi_account.h"
#include "moi_html.h"
#include "htmltok.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The five references moi_html_escape writes, decoded; NULL when s has
 * anything else after an & or a raw < > " '. */
static char *reference_decode(const char *s)
{
    static const struct {
        const char *ref;
        char c;
    } refs[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&#34;", '"'}, {"&#39;", '\''}};
    char *out = malloc(strlen(s) + 1), *o = out;
    size_t i;
    while (*s) {
        if (strchr("<>\"'", *s)) {
            free(out);
            return NULL;
        }
        if (*s != '&') {
            *o++ = *s++;
            continue;
        }
        for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
            if (!strncmp(s, refs[i].ref, strlen(refs[i].ref))) {
                break;
            }
        }
        if (i == sizeof(refs) / sizeof(refs[0])) {
            free(out);
            return NULL;
        }
        *o++ = refs[i].c;
        s += strlen(refs[i].ref);
    }
    *o = '\0';
    return out;
}

/* Tokenizes html, or reports why not. */
static void parse(const char *html, ht_doc *d)
{
    if (ht_parse(html, d) < 0) {
        fprintf(stderr, "HTML refused: %s at %zu in:\n%s\n", d->error, d->error_at, html);
        FUZZ_CHECK(!"the HTML reads as written");
    }
}

/* The next token after i is text equal to s (none when s is empty). */
static void text_after(const ht_doc *d, int i, const char *s)
{
    FUZZ_CHECK(i >= 0);
    if (!*s) {
        FUZZ_CHECK(i + 1 >= d->n || d->tok[i + 1].kind != HT_TEXT);
        return;
    }
    FUZZ_CHECK(i + 1 < d->n && d->tok[i + 1].kind == HT_TEXT);
    FUZZ_CHECK(!strcmp(d->tok[i + 1].text, s));
}

static void check_escape(apr_pool_t *p, const char *s)
{
    const char *e = moi_html_escape(p, s);
    size_t want = 0;
    const char *q;
    char *back;
    for (q = s; *q; q++) {
        want += *q == '&' ? 5 : *q == '<' || *q == '>' ? 4 : *q == '"' || *q == '\'' ? 5 : 1;
    }
    FUZZ_CHECK(strlen(e) == want);
    if (!strpbrk(s, "&<>\"'")) {
        FUZZ_CHECK(e == s);
    }
    back = reference_decode(e);
    FUZZ_CHECK(back != NULL);
    FUZZ_CHECK(!strcmp(back, s));
    free(back);
    FUZZ_CHECK(!strcmp(moi_html_escape(p, NULL), ""));
}

/* The helpers' HTML for the texts t[0..4]. */
typedef struct {
    const char *hidden, *input, *summary, *page;
} rendered;

static void render(apr_pool_t *p, const char *const *t, int flags, rendered *r)
{
    apr_array_header_t *errors = apr_array_make(p, 2, sizeof(moi_field_error));
    moi_page_ctx ctx;
    if (flags & 1) {
        moi_field_error *e = apr_array_push(errors);
        e->field = t[0];
        e->message = t[3];
    }
    if (flags & 2) {
        moi_field_error *e = apr_array_push(errors);
        e->field = "";
        e->message = t[4];
    }
    r->hidden = moi_html_hidden(p, t[0], t[1]);
    r->input = moi_html_input(p, "text", t[0], t[1], (flags & 4) ? NULL : t[2], "off",
                              flags & 8, (flags & 16) ? t[4] : NULL, errors);
    r->summary = moi_html_error_summary(p, errors);
    memset(&ctx, 0, sizeof(ctx));
    ctx.base = "/mois-innovation";
    ctx.user_name = (flags & 32) ? t[2] : NULL;
    ctx.csrf = t[3];
    ctx.is_admin = flags & 64;
    r->page = moi_html_page_ex(p, &ctx, t[0], r->summary);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *s = fuzz_cstr(data, size);
    const char *t[5];
    char *tame[5];
    const char *rest = (const char *)data, *end = rest + size;
    int flags = size ? data[size - 1] : 0, k, i;
    rendered a, b;
    ht_doc da, db;

    check_escape(p, s);

    for (k = 0; k < 5; k++) {
        t[k] = rest < end ? apr_pstrmemdup(p, rest, strnlen(rest, (size_t)(end - rest))) : "";
        rest += strlen(t[k]) + 1;
        tame[k] = ht_defang(t[k]);
    }
    render(p, t, flags, &a);
    render(p, (const char *const *)tame, flags, &b);

    /* The hidden input: one tag, the values read back. */
    parse(a.hidden, &da);
    FUZZ_CHECK(da.n == 1 && da.tok[0].kind == HT_START && !strcmp(da.tok[0].name, "input"));
    FUZZ_CHECK(!strcmp(ht_attr_get(&da.tok[0], "type"), "hidden"));
    FUZZ_CHECK(!strcmp(ht_attr_get(&da.tok[0], "name"), t[0]));
    FUZZ_CHECK(!strcmp(ht_attr_get(&da.tok[0], "value"), t[1]));
    ht_free(&da);

    /* The labelled input. */
    parse(a.input, &da);
    parse(b.input, &db);
    fuzz_same_markup(&da, &db);
    i = ht_find(&da, 0, "input", NULL, NULL);
    FUZZ_CHECK(i >= 0);
    FUZZ_CHECK(!strcmp(ht_attr_get(&da.tok[i], "id"), t[0]));
    FUZZ_CHECK(!strcmp(ht_attr_get(&da.tok[i], "name"), t[0]));
    if (flags & 4) {
        FUZZ_CHECK(ht_attr_get(&da.tok[i], "value") == NULL);
    }
    else {
        FUZZ_CHECK(!strcmp(ht_attr_get(&da.tok[i], "value"), t[2]));
    }
    {
        /* The field's error: the first whose field is the input's name. */
        const char *err = (flags & 1) ? t[3] : ((flags & 2) && !*t[0]) ? t[4] : NULL;
        const char *hint = (flags & 16) ? t[4] : NULL;
        const char *by = ht_attr_get(&da.tok[i], "aria-describedby");
        const char *want = apr_pstrcat(p, hint ? t[0] : "", hint ? "-aide" : "",
                                       hint && err ? " " : "", err ? t[0] : "",
                                       err ? "-erreur" : "", NULL);
        if (hint || err) {
            FUZZ_CHECK(by && !strcmp(by, want));
        }
        else {
            FUZZ_CHECK(by == NULL);
        }
        if (hint) {
            text_after(&da, ht_find(&da, 0, "p", "id", apr_pstrcat(p, t[0], "-aide", NULL)),
                       hint);
        }
        if (err) {
            text_after(&da, ht_find(&da, 0, "p", "id", apr_pstrcat(p, t[0], "-erreur", NULL)),
                       err);
        }
    }
    i = ht_find(&da, 0, "label", "for", t[0]);
    FUZZ_CHECK(i >= 0);
    {
        char *label = ht_inner_text(&da, i);
        FUZZ_CHECK(!strcmp(label, apr_pstrcat(p, t[1], (flags & 8) ? " (obligatoire)" : "", NULL)));
        free(label);
    }
    ht_free(&da);
    ht_free(&db);

    /* The page with the error summary in it. */
    parse(a.page, &da);
    parse(b.page, &db);
    fuzz_same_markup(&da, &db);
    {
        char *title = ht_inner_text(&da, ht_find(&da, 0, "title", NULL, NULL));
        char *want = malloc(strlen(t[0]) + 64);
        sprintf(want, "%s — Mois de l'innovation publique", t[0]);
        FUZZ_CHECK(!strcmp(title, want));
        free(title);
        free(want);
    }
    if (flags & 1) {
        /* The summary's link to the field (a field named "" has none). */
        int at = ht_find(&da, 0, "div", "id", "erreurs");
        FUZZ_CHECK(at >= 0);
        if (*t[0]) {
            text_after(&da, ht_find(&da, at, "a", "href", apr_pstrcat(p, "#", t[0], NULL)),
                       t[3]);
        }
        else {
            text_after(&da, ht_find(&da, at, "li", NULL, NULL), t[3]);
        }
    }
    if (flags & 32) {
        i = ht_find(&da, 0, "input", "name", "csrf");
        FUZZ_CHECK(i >= 0 && !strcmp(ht_attr_get(&da.tok[i], "value"), t[3]));
        i = ht_find(&da, 0, "button", NULL, NULL);
        FUZZ_CHECK(i >= 0);
        {
            char *label = ht_inner_text(&da, i);
            char *want = malloc(strlen(t[2]) + 32);
            sprintf(want, "Se déconnecter (%s)", t[2]);
            FUZZ_CHECK(!strcmp(label, want));
            free(label);
            free(want);
        }
    }
    ht_free(&da);
    ht_free(&db);

    for (k = 0; k < 5; k++) {
        free(tame[k]);
    }
    free(s);
    fuzz_pool_done(p);
    return 0;
}
