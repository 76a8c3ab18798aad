#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "moi_template.h"

typedef struct {
    const char *text; /* literal, or NULL for a placeholder */
    size_t len;
    int slot;
} segment;

struct moi_template {
    apr_array_header_t *segments;
};

static const char *const names[MOI_TPL_N] = {"title", "head", "navigation", "content", "base"};

moi_template *moi_template_parse(apr_pool_t *p, const char *text, const char **err)
{
    moi_template *t = apr_pcalloc(p, sizeof(*t));
    const char *s = text;
    int has_content = 0;

    t->segments = apr_array_make(p, 16, sizeof(segment));
    while (*s) {
        const char *open = strstr(s, "{{"), *close;
        segment *seg;
        int slot;
        if (!open) {
            seg = apr_array_push(t->segments);
            seg->text = s;
            seg->len = strlen(s);
            break;
        }
        if (open > s) {
            seg = apr_array_push(t->segments);
            seg->text = s;
            seg->len = (size_t)(open - s);
        }
        close = strstr(open + 2, "}}");
        if (!close) {
            *err = "a \"{{\" without its \"}}\"";
            return NULL;
        }
        for (slot = 0; slot < MOI_TPL_N; slot++) {
            size_t n = strlen(names[slot]);
            if ((size_t)(close - open - 2) == n && !strncmp(open + 2, names[slot], n)) {
                break;
            }
        }
        if (slot == MOI_TPL_N) {
            *err = apr_psprintf(p,
                                "unknown placeholder {{%.*s}}; known: {{title}}, {{head}}, "
                                "{{navigation}}, {{content}}, {{base}}",
                                (int)(close - open - 2 > 40 ? 40 : close - open - 2), open + 2);
            return NULL;
        }
        has_content |= slot == MOI_TPL_CONTENT;
        seg = apr_array_push(t->segments);
        seg->text = NULL;
        seg->slot = slot;
        s = close + 2;
    }
    if (!has_content) {
        *err = "no {{content}} placeholder: the pages would be empty";
        return NULL;
    }
    return t;
}

const char *moi_template_render(apr_pool_t *p, const moi_template *t,
                                const char *const values[MOI_TPL_N])
{
    size_t len = 0;
    int i;
    char *out, *o;
    for (i = 0; i < t->segments->nelts; i++) {
        const segment *seg = &APR_ARRAY_IDX(t->segments, i, segment);
        len += seg->text ? seg->len : strlen(values[seg->slot] ? values[seg->slot] : "");
    }
    out = o = apr_palloc(p, len + 1);
    for (i = 0; i < t->segments->nelts; i++) {
        const segment *seg = &APR_ARRAY_IDX(t->segments, i, segment);
        const char *v = seg->text ? seg->text : values[seg->slot] ? values[seg->slot] : "";
        size_t n = seg->text ? seg->len : strlen(v);
        memcpy(o, v, n);
        o += n;
    }
    *o = '\0';
    return out;
}
