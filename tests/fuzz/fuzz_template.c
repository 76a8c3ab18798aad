/* moi_template_parse: layout.html of MoisInnoTemplateDir.
 * Invariants: a refusal says why; an accepted layout has {{content}}, and
 * rendering it puts each value in place of its placeholder: with every
 * value empty, the result is the layout without its placeholders. */
#include <string.h>
#include <apr_strings.h>
#include "moi_template.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The layout without its placeholders (it is known to be valid). */
static char *strip(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '{' && s[1] == '{') {
            s = strstr(s + 2, "}}") + 2;
            continue;
        }
        *o++ = *s++;
    }
    *o = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *text = fuzz_cstr(data, size);
    const char *err = NULL;
    moi_template *t = moi_template_parse(p, text, &err);

    if (!t) {
        FUZZ_CHECK(err && *err);
    }
    else {
        const char *empty[MOI_TPL_N] = {NULL, "", NULL, "", ""};
        const char *values[MOI_TPL_N] = {"Programme", "<link rel=stylesheet href=/a.css>",
                                         "<ul><li>Connexion</li></ul>", "<main>{{x}}</main>",
                                         "/mois-innovation"};
        const char *out = moi_template_render(p, t, values);
        char *bare = strip(text);
        FUZZ_CHECK(strstr(text, "{{content}}") != NULL);
        FUZZ_CHECK(strstr(out, values[MOI_TPL_CONTENT]) != NULL);
        FUZZ_CHECK(!strcmp(moi_template_render(p, t, empty), bare));
        free(bare);
    }
    free(text);
    fuzz_pool_done(p);
    return 0;
}
