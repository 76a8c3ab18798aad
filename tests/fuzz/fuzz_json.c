/* The JSON the module writes about an event (fuzz_event: any bytes in its
 * texts): moi_event_to_json dumped as the API and programme.json send it
 * (json_dumps, JSON_COMPACT, in {"total":..,"events":[..]}), and the
 * schema.org JSON-LD of the event page (moi_export_jsonld).
 * Invariants: both are JSON that jansson reads back; in the API's JSON
 * every text that is UTF-8 comes back byte for byte under its key (an
 * absent one as null; one that is not UTF-8, which the module's validation
 * never lets in, leaves its key out), the codes, lab, version and the
 * instants too; the JSON-LD has no "<" (it goes inside a <script>) and
 * its texts are the event's as the exports clean them (fuzz_export_text),
 * in the places schema.org gives them. */
#include <string.h>
#include <apr_strings.h>
#include <jansson.h>
#include "moi_export.h"
#include "moi_geo.h"
#include "moi_parse.h"
#include "moi_text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define URL "https://www.modernisation.gouv.fr/mois-innovation/evenements/"

static void check_string(json_t *o, const char *key, const char *want)
{
    json_t *v = json_object_get(o, key);
    if (!want) {
        FUZZ_CHECK(v && json_is_null(v));
    }
    else if (moi_utf8_valid(want, strlen(want))) {
        FUZZ_CHECK(json_is_string(v));
        FUZZ_CHECK(json_string_length(v) == strlen(want));
        FUZZ_CHECK(!strcmp(json_string_value(v), want));
    }
    else {
        FUZZ_CHECK(v == NULL);
    }
}

static void check_codes(json_t *o, const char *key, const apr_array_header_t *codes)
{
    json_t *a = json_object_get(o, key);
    int i;
    FUZZ_CHECK(json_is_array(a) && (int)json_array_size(a) == codes->nelts);
    for (i = 0; i < codes->nelts; i++) {
        FUZZ_CHECK(!strcmp(json_string_value(json_array_get(a, (size_t)i)),
                           APR_ARRAY_IDX(codes, i, const char *)));
    }
}

static void check_instant(json_t *o, const char *key, apr_time_t want)
{
    apr_time_t t;
    FUZZ_CHECK(json_is_string(json_object_get(o, key)));
    FUZZ_CHECK(moi_parse_rfc3339(json_string_value(json_object_get(o, key)), &t) == 0);
    FUZZ_CHECK(t == want);
}

static void check_api(apr_pool_t *p, const moi_event *ev, const moi_tz *tz)
{
    const char *url = apr_pstrcat(p, URL, ev->id, NULL);
    json_t *list = json_array(), *doc, *back, *o;
    char *text;

    json_array_append_new(list, moi_event_to_json(p, ev, tz, url));
    doc = json_pack("{s:i,s:o}", "total", 1, "events", list);
    FUZZ_CHECK(doc != NULL);
    text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    FUZZ_CHECK(text != NULL);
    back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(back != NULL);
    FUZZ_CHECK(json_integer_value(json_object_get(back, "total")) == 1);
    o = json_array_get(json_object_get(back, "events"), 0);
    FUZZ_CHECK(json_is_object(o));

    check_string(o, "id", ev->id);
    check_string(o, "title", ev->title);
    check_string(o, "summary", ev->summary);
    check_string(o, "description", ev->description);
    check_string(o, "type", ev->type);
    check_string(o, "format", ev->format);
    check_codes(o, "audience", ev->audience);
    check_codes(o, "accessibility", ev->accessibility);
    check_instant(o, "starts_at", ev->starts_at);
    check_instant(o, "ends_at", ev->ends_at);
    check_instant(o, "created_at", ev->created_at);
    check_instant(o, "updated_at", ev->updated_at);
    check_string(o, "timezone", ev->timezone);
    check_string(o, "region", ev->region);
    check_string(o, "department", ev->department);
    check_string(o, "city", ev->city);
    check_string(o, "venue", ev->venue);
    check_string(o, "address", ev->address);
    check_string(o, "online_url", ev->online_url);
    check_string(o, "registration_url", ev->registration_url);
    check_string(o, "organizer_name", ev->organizer_name);
    check_string(o, "organization", ev->organization);
    check_string(o, "status", ev->status);
    check_string(o, "url", url);
    FUZZ_CHECK(json_is_boolean(json_object_get(o, "lab")));
    FUZZ_CHECK(json_boolean_value(json_object_get(o, "lab")) == !!ev->lab);
    FUZZ_CHECK(json_integer_value(json_object_get(o, "version")) == ev->version);
    json_decref(back);
    free(text);
}

static int empty(const char *s)
{
    return !s || !*s;
}

/* o[key] is the export's cleaning of raw, present exactly when raw is not
 * empty. */
static void check_text(json_t *o, const char *key, const char *raw)
{
    json_t *v = json_object_get(o, key);
    char *want;
    if (empty(raw)) {
        FUZZ_CHECK(v == NULL);
        return;
    }
    want = fuzz_export_text(raw);
    FUZZ_CHECK(json_is_string(v));
    FUZZ_CHECK(!strcmp(json_string_value(v), want));
    free(want);
}

static void check_place(json_t *place, const moi_event *ev)
{
    json_t *addr = json_object_get(place, "address");
    const moi_region *r = ev->region ? moi_region_find(ev->region) : NULL;
    FUZZ_CHECK(!strcmp(json_string_value(json_object_get(place, "@type")), "Place"));
    check_text(place, "name",
               !empty(ev->venue) ? ev->venue : !empty(ev->city) ? ev->city : "Lieu à préciser");
    FUZZ_CHECK(json_is_object(addr));
    check_text(addr, "streetAddress", ev->address);
    check_text(addr, "addressLocality", ev->city);
    check_text(addr, "addressRegion", r ? r->name : NULL);
}

static void check_virtual(json_t *v, const moi_event *ev)
{
    const char *url = !empty(ev->online_url) ? ev->online_url : ev->registration_url;
    if (empty(url)) {
        FUZZ_CHECK(v == NULL);
        return;
    }
    FUZZ_CHECK(!strcmp(json_string_value(json_object_get(v, "@type")), "VirtualLocation"));
    check_text(v, "url", url);
}

static void check_jsonld(apr_pool_t *p, const moi_event *ev, const moi_tz *tz)
{
    const char *url = apr_pstrcat(p, URL, ev->id, NULL);
    const char *ld = moi_export_jsonld(p, ev, tz, url);
    json_t *o = json_loads(ld, JSON_REJECT_DUPLICATES, NULL), *loc, *org;
    apr_time_t t;

    FUZZ_CHECK(!strchr(ld, '<'));
    FUZZ_CHECK(json_is_object(o));
    FUZZ_CHECK(!strcmp(json_string_value(json_object_get(o, "@type")), "Event"));
    check_text(o, "name", ev->title);
    check_text(o, "description", ev->summary);
    check_text(o, "url", url);
    FUZZ_CHECK(moi_parse_rfc3339(json_string_value(json_object_get(o, "startDate")), &t) == 0 &&
               t == ev->starts_at);
    FUZZ_CHECK(moi_parse_rfc3339(json_string_value(json_object_get(o, "endDate")), &t) == 0 &&
               t == ev->ends_at);
    FUZZ_CHECK(!strcmp(json_string_value(json_object_get(o, "eventStatus")),
                       strcmp(ev->status, "cancelled") ? "https://schema.org/EventScheduled"
                                                       : "https://schema.org/EventCancelled"));
    loc = json_object_get(o, "location");
    if (!strcmp(ev->format, "en_ligne")) {
        check_virtual(loc, ev);
    }
    else if (!strcmp(ev->format, "hybride")) {
        const char *vurl = !empty(ev->online_url) ? ev->online_url : ev->registration_url;
        if (empty(vurl)) {
            check_place(loc, ev);
        }
        else {
            FUZZ_CHECK(json_is_array(loc) && json_array_size(loc) == 2);
            check_place(json_array_get(loc, 0), ev);
            check_virtual(json_array_get(loc, 1), ev);
        }
    }
    else {
        check_place(loc, ev);
    }
    org = json_object_get(o, "organizer");
    if (empty(ev->organization)) {
        FUZZ_CHECK(org == NULL);
    }
    else {
        check_text(org, "name", ev->organization);
    }
    json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    moi_event *ev = fuzz_event(p, data, size);
    const moi_tz *tz;

    /* The module loads every zone at start-up. */
    if (!fuzz_tz_lookup(NULL, ev->timezone)) {
        ev->timezone = MOI_DEFAULT_TIMEZONE;
    }
    tz = fuzz_tz_lookup(NULL, ev->timezone);
    check_api(p, ev, tz);
    check_jsonld(p, ev, tz);
    fuzz_pool_done(p);
    return 0;
}
