/* moi_export_atom for one event (fuzz_event: any bytes in its texts); the
 * feed's URL carries a query string from the input (the glue builds it
 * from the request's URI), its title is the organiser's name.
 * Invariants: libxml2 reads the feed as well-formed XML (which also means
 * only characters that XML allows); in it, the feed's and the entry's id,
 * title, links (attribute values as an XML parser gives them back),
 * author, category and summary are the texts that went in, as the exports
 * clean them (fuzz_export_text; URLs: fuzz_export_uri), "Annulé : " before
 * the title of a cancelled event. */
#include <string.h>
#include <apr_strings.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "moi_codes.h"
#include "moi_export.h"
#include "moi_parse.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE "https://www.modernisation.gouv.fr/mois-innovation"
#define ATOM_NS "http://www.w3.org/2005/Atom"

static int empty(const char *s)
{
    return !s || !*s;
}

/* The first child element of n named name, or NULL. */
static xmlNode *child(xmlNode *n, const char *name)
{
    for (n = n ? n->children : NULL; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name)) {
            FUZZ_CHECK(n->ns && !strcmp((const char *)n->ns->href, ATOM_NS));
            return n;
        }
    }
    return NULL;
}

static int count(xmlNode *n, const char *name)
{
    int k = 0;
    for (n = n->children; n; n = n->next) {
        k += n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
    }
    return k;
}

/* The text of n is exactly want (already cleaned). */
static void check_content(xmlNode *n, const char *what, const char *want)
{
    xmlChar *got;
    FUZZ_CHECK(n != NULL);
    got = xmlNodeGetContent(n);
    if (strcmp((const char *)got, want)) {
        fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", what, (const char *)got, want);
        FUZZ_CHECK(!"the text reads back");
    }
    xmlFree(got);
}

static void check_clean(xmlNode *n, const char *what, const char *raw)
{
    char *want = fuzz_export_text(raw);
    check_content(n, what, want);
    free(want);
}

static void check_uri(xmlNode *n, const char *what, const char *raw)
{
    char *want = fuzz_export_uri(raw);
    check_content(n, what, want);
    free(want);
}

static void check_attr(xmlNode *n, const char *name, const char *raw, int uri)
{
    char *want = uri ? fuzz_export_uri(raw) : fuzz_export_text(raw);
    xmlChar *got;
    FUZZ_CHECK(n != NULL);
    got = xmlGetProp(n, (const xmlChar *)name);
    FUZZ_CHECK(got != NULL);
    if (strcmp((const char *)got, want)) {
        fprintf(stderr, "@%s: got \"%s\", want \"%s\"\n", name, (const char *)got, want);
        FUZZ_CHECK(!"the attribute reads back");
    }
    xmlFree(got);
    free(want);
}

/* The first link child of n whose rel is rel. */
static xmlNode *link_rel(xmlNode *n, const char *rel)
{
    for (n = n->children; n; n = n->next) {
        xmlChar *r;
        int same;
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "link")) {
            continue;
        }
        r = xmlGetProp(n, (const xmlChar *)"rel");
        same = r && !strcmp((const char *)r, rel);
        xmlFree(r);
        if (same) {
            return n;
        }
    }
    return NULL;
}

static void check_instant(xmlNode *n, apr_time_t want)
{
    xmlChar *got;
    apr_time_t t;
    FUZZ_CHECK(n != NULL);
    got = xmlNodeGetContent(n);
    FUZZ_CHECK(moi_parse_rfc3339((const char *)got, &t) == 0 &&
               apr_time_sec(t) == apr_time_sec(want));
    xmlFree(got);
}

/* The place part of the summary (moi_export.c's short_place). */
static const char *short_place(apr_pool_t *p, const moi_event *ev)
{
    if (!strcmp(ev->format, "en_ligne")) {
        return "En ligne";
    }
    if (!strcmp(ev->format, "hybride")) {
        return empty(ev->city) ? "En ligne" : apr_pstrcat(p, ev->city, " et en ligne", NULL);
    }
    return empty(ev->city) ? "" : ev->city;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    moi_event *ev = fuzz_event(p, data, size);
    apr_array_header_t *events = apr_array_make(p, 1, sizeof(const moi_event *));
    const char *feed_url = apr_pstrcat(p, BASE "/programme.atom",
                                       ev->rejection_reason ? "?" : "",
                                       ev->rejection_reason, NULL);
    const char *url = apr_pstrcat(p, BASE "/evenements/", ev->id, NULL);
    const char *xml, *type;
    xmlDoc *doc;
    xmlNode *feed, *entry;

    APR_ARRAY_PUSH(events, const moi_event *) = ev;
    xml = moi_export_atom(p, events, fuzz_tz_lookup, NULL, BASE, feed_url, ev->organizer_name);
    doc = xmlReadMemory(xml, (int)strlen(xml), "programme.atom", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        fprintf(stderr, "libxml2: %s\n%s\n",
                xmlGetLastError() ? xmlGetLastError()->message : "?", xml);
        FUZZ_CHECK(!"the feed is well-formed XML");
    }
    feed = xmlDocGetRootElement(doc);
    FUZZ_CHECK(feed && !strcmp((const char *)feed->name, "feed"));
    FUZZ_CHECK(feed->ns && !strcmp((const char *)feed->ns->href, ATOM_NS));

    check_uri(child(feed, "id"), "feed id", feed_url);
    check_clean(child(feed, "title"), "feed title",
                empty(ev->organizer_name) ? "Mois de l'innovation publique" : ev->organizer_name);
    check_instant(child(feed, "updated"), ev->updated_at);
    check_attr(link_rel(feed, "self"), "href", feed_url, 1);
    check_attr(link_rel(feed, "alternate"), "href", BASE "/", 1);

    FUZZ_CHECK(count(feed, "entry") == 1);
    entry = child(feed, "entry");
    check_uri(child(entry, "id"), "entry id", url);
    {
        char *title = fuzz_export_text(ev->title);
        const char *want = strcmp(ev->status, "cancelled")
                               ? title
                               : apr_pstrcat(p, "Annulé : ", title, NULL);
        check_content(child(entry, "title"), "entry title", want);
        free(title);
    }
    check_instant(child(entry, "updated"), ev->updated_at);
    check_attr(link_rel(entry, "alternate"), "href", url, 1);
    {
        /* "<when>[ — <place>]\n<summary>": the end of it, from " — " or
         * from the newline. */
        const char *place = short_place(p, ev);
        char *summary = fuzz_export_text(ev->summary);
        char *tail = fuzz_export_text(apr_pstrcat(p, place, "\n", summary, NULL));
        const char *want = apr_pstrcat(p, *place ? " — " : "", tail, NULL);
        xmlNode *n = child(entry, "summary");
        xmlChar *got;
        size_t gl, wl = strlen(want);
        FUZZ_CHECK(n != NULL);
        got = xmlNodeGetContent(n);
        gl = strlen((const char *)got);
        if (gl < wl || strcmp((const char *)got + gl - wl, want)) {
            fprintf(stderr, "summary: got \"%s\", want it to end in \"%s\"\n",
                    (const char *)got, want);
            FUZZ_CHECK(!"the summary reads back");
        }
        xmlFree(got);
        free(summary);
        free(tail);
    }
    if (empty(ev->organization)) {
        FUZZ_CHECK(child(entry, "author") == NULL);
    }
    else {
        check_clean(child(child(entry, "author"), "name"), "author", ev->organization);
    }
    type = moi_code_lookup(moi_event_types, ev->type);
    check_attr(child(entry, "category"), "term", ev->type, 0);
    check_attr(child(entry, "category"), "label", type, 0);

    xmlFreeDoc(doc);
    fuzz_pool_done(p);
    return 0;
}
