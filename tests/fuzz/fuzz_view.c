/* The pages that show an event (fuzz_event: any bytes in its texts): the
 * event page with its JSON-LD, the programme (through a snapshot), the
 * event form, the organiser space and the moderation page, each in the
 * page frame.
 * Invariants: each page reads as HTML (htmltok.c: a browser's reading,
 * strict about what the module never writes); its markup (tags and
 * attribute names) is that of the same page for the event with & < > " '
 * replaced by letters, and so is its text once the same replacement is
 * made, so no text of the event adds or removes markup; the title, summary
 * and description read back where they are shown (heading, card link,
 * input value, textareas); the JSON-LD script is JSON for jansson and
 * holds no "<". */
#include <string.h>
#include <apr_strings.h>
#include <jansson.h>
#include "moi_export.h"
#include "moi_filter.h"
#include "moi_geo.h"
#include "moi_html.h"
#include "moi_snapshot.h"
#include "moi_view_event.h"
#include "moi_view_programme.h"
#include "htmltok.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE "/mois-innovation"
#define CSRF "dG9rZW4tY3NyZi1kZS10ZXN0LWZ1enotMDEyMzQ1Njc"

enum { PAGE_EVENT, PAGE_PROGRAMME, PAGE_FORM, PAGE_SPACE, PAGE_ADMIN, NPAGES };

static const char *frame(apr_pool_t *p, const moi_event *ev, const char *title,
                         const char *body)
{
    moi_page_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.base = BASE;
    ctx.user_name = ev->organizer_name;
    ctx.csrf = CSRF;
    ctx.is_admin = ev->lab;
    return moi_html_page_ex(p, &ctx, title, body);
}

/* Page which of ev into pages[which]. */
static void render(apr_pool_t *p, const moi_event *ev, int flags, int which, const char **pages)
{
    const moi_tz *tz = fuzz_tz_lookup(NULL, ev->timezone);
    const char *url = apr_pstrcat(p, "https://www.modernisation.gouv.fr" BASE "/evenements/",
                                  ev->id, NULL);
    apr_array_header_t *events = apr_array_make(p, 1, sizeof(const moi_event *));
    APR_ARRAY_PUSH(events, const moi_event *) = ev;

    if (which == PAGE_EVENT) {
        pages[PAGE_EVENT] = frame(p, ev, ev->title,
                              moi_view_event_page(p, BASE, ev, tz,
                                                  moi_export_jsonld(p, ev, tz, url), flags & 1));
    }
    if (which == PAGE_PROGRAMME) {
        moi_snapshot *snap = moi_snapshot_build(p, events, fuzz_tz_lookup, NULL, ev->updated_at);
        moi_filter f;
        const char *param = NULL, *message = NULL;
        moi_programme_view v;
        FUZZ_CHECK(moi_filter_parse(p, NULL, 0, 20, &f, &param, &message) == 0);
        memset(&v, 0, sizeof(v));
        v.base = BASE;
        v.edition_year = 2022;
        v.edition_days = "du 2 au 30 novembre 2022";
        v.snap = snap;
        v.selected = moi_snapshot_select(p, snap, &f);
        v.filter = &f;
        v.page = 1;
        v.page_size = 20;
        pages[PAGE_PROGRAMME] = frame(p, ev, "Programme", moi_view_programme(p, &v));
    }
    if (which == PAGE_FORM) {
        moi_event_input in;
        moi_event_form_view v;
        apr_array_header_t *errors = apr_array_make(p, 2, sizeof(moi_field_error));
        if (flags & 2) {
            moi_field_error *e = apr_array_push(errors);
            e->field = "title";
            e->message = "Le titre doit faire de 5 à 150 caractères.";
        }
        moi_event_input_from_event(p, ev, tz, &in);
        memset(&v, 0, sizeof(v));
        v.base = BASE;
        v.action = apr_pstrcat(p, BASE "/espace/evenements/", ev->id, "/modifier", NULL);
        v.title = "Modifier l'événement";
        v.in = &in;
        v.errors = errors;
        v.csrf = CSRF;
        v.version = ev->version;
        v.event = ev;
        v.notice = (flags & 4) ? ev->rejection_reason : NULL;
        v.edition_days = "du 2 au 30 novembre 2022";
        v.tz = tz;
        pages[PAGE_FORM] = frame(p, ev, v.title, moi_view_event_form(p, &v));
    }
    if (which == PAGE_SPACE) {
        moi_organizer who;
        memset(&who, 0, sizeof(who));
        who.name = ev->organizer_name;
        who.organization = ev->organization;
        who.email = ev->venue ? ev->venue : "camille.martin@example.gouv.fr";
        pages[PAGE_SPACE] =
            frame(p, ev, "Mon espace",
                  moi_view_space(p, BASE, &who, events, CSRF, (flags & 4) ? ev->summary : NULL,
                                 flags & 8, ev->city, fuzz_tz_lookup, NULL));
    }
    if (which == PAGE_ADMIN) {
        moi_admin_view v;
        memset(&v, 0, sizeof(v));
        v.base = BASE;
        v.csrf = CSRF;
        v.events = events;
        v.status_filter = (flags & 16) ? ev->status : NULL;
        v.notice = (flags & 4) ? ev->address : NULL;
        v.tz_lookup = fuzz_tz_lookup;
        pages[PAGE_ADMIN] = frame(p, ev, "Modération", moi_view_admin(p, &v));
    }
}

static void parse(const char *html, ht_doc *d)
{
    if (ht_parse(html, d) < 0) {
        fprintf(stderr, "HTML refused: %s at %zu in:\n%s\n", d->error, d->error_at, html);
        FUZZ_CHECK(!"the HTML reads as written");
    }
}

/* Same markup, and the same text once & < > " ' are letters. */
static void same_page(const ht_doc *a, const ht_doc *b)
{
    int i, j;
    fuzz_same_markup(a, b);
    for (i = 0; i < a->n; i++) {
        const ht_token *x = &a->tok[i], *y = &b->tok[i];
        if (x->kind == HT_START || x->kind == HT_END) {
            for (j = 0; j < x->nattrs; j++) {
                char *u = ht_defang(x->attrs[j].value), *v = ht_defang(y->attrs[j].value);
                FUZZ_CHECK(!strcmp(u, v));
                free(u);
                free(v);
            }
        }
        else if (x->kind == HT_TEXT) {
            char *u = ht_defang(x->text), *v = ht_defang(y->text);
            FUZZ_CHECK(!strcmp(u, v));
            free(u);
            free(v);
        }
        /* HT_RAW (the JSON-LD) is checked on its own. */
    }
}

/* The inner text of the first element name (with attr = value), or NULL
 * when there is none; malloc'd. */
static char *text_of(const ht_doc *d, const char *name, const char *attr, const char *value)
{
    int i = ht_find(d, 0, name, attr, value);
    return i < 0 ? NULL : ht_inner_text(d, i);
}

static void check_text(const ht_doc *d, const char *name, const char *attr, const char *value,
                       const char *want)
{
    char *got = text_of(d, name, attr, value);
    FUZZ_CHECK(got != NULL);
    if (strcmp(got, want)) {
        fprintf(stderr, "<%s %s=%s>: got \"%s\", want \"%s\"\n", name, attr ? attr : "",
                value ? value : "", got, want);
        FUZZ_CHECK(!"the text reads back");
    }
    free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    moi_event *ev = fuzz_event(p, data, size), *tame;
    const char *a[NPAGES], *b[NPAGES];
    int flags = size > FUZZ_EVENT_HEAD - 1 ? data[FUZZ_EVENT_HEAD - 1] : 0, k;
    ht_doc da, db;

    /* The module loads every zone at start-up; the page handlers take the
     * event's zone from there. */
    if (!fuzz_tz_lookup(NULL, ev->timezone)) {
        ev->timezone = MOI_DEFAULT_TIMEZONE;
    }
    tame = fuzz_event_map(p, ev, ht_defang);
    /* One page per input (they are long): the one flags choose. */
    k = (flags >> 5) % NPAGES;
    render(p, ev, flags, k, a);
    render(p, tame, flags, k, b);
    {
        parse(a[k], &da);
        parse(b[k], &db);
        same_page(&da, &db);
        switch (k) {
        case PAGE_EVENT: {
            int i = ht_find(&da, 0, "script", "type", "application/ld+json");
            json_t *ld;
            check_text(&da, "h1", NULL, NULL, ev->title);
            FUZZ_CHECK(i >= 0 && i + 1 < da.n && da.tok[i + 1].kind == HT_RAW);
            FUZZ_CHECK(!strchr(da.tok[i + 1].text, '<'));
            ld = json_loads(da.tok[i + 1].text, 0, NULL);
            FUZZ_CHECK(ld != NULL);
            json_decref(ld);
            break;
        }
        case PAGE_PROGRAMME:
            if (!strcmp(ev->status, "published") || !strcmp(ev->status, "cancelled")) {
                check_text(&da, "a", "href",
                           apr_pstrcat(p, BASE "/evenements/", ev->id, NULL), ev->title);
            }
            break;
        case PAGE_FORM: {
            int i = ht_find(&da, 0, "input", "name", "title");
            FUZZ_CHECK(i >= 0 && !strcmp(ht_attr_get(&da.tok[i], "value"), ev->title));
            /* A browser drops a newline right after <textarea>: the
             * module trims the texts it reads, so none starts so. */
            check_text(&da, "textarea", "name", "summary",
                       ev->summary + (ev->summary[0] == '\n'));
            check_text(&da, "textarea", "name", "description",
                       ev->description + (ev->description[0] == '\n'));
            break;
        }
        default:
            break;
        }
        ht_free(&da);
        ht_free(&db);
    }
    fuzz_pool_done(p);
    return 0;
}
