/* moi_export_csv for one event (fuzz_event: any bytes in its texts).
 * Invariants (RFC 4180): the export is UTF-8, its header row first, and it
 * reads back, with quoted fields holding commas, quotes and line breaks, as
 * exactly two records of 22 fields ending in CRLF; each field is the
 * event's value as the exports clean it (fuzz_export_text), with a quote
 * in front when a spreadsheet would read it as a formula (= + - @ tab CR
 * first); the start and end are RFC 3339 instants equal to the event's. */
#include <string.h>
#include <apr_strings.h>
#include "moi_export.h"
#include "moi_geo.h"
#include "moi_parse.h"
#include "moi_text.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE "https://www.modernisation.gouv.fr/mois-innovation"
#define HEADER                                                                             \
    "id,titre,resume,type,format,statut,debut,fin,fuseau,region,departement,ville,lieu,"   \
    "adresse,lien_connexion,lien_inscription,public,accessibilite,laboratoire,"            \
    "organisateur,organisation,url\r\n"
#define COLUMNS 22

/* One record of RFC 4180 at *s into fields (malloc'd); the number of
 * fields, or -1 when *s is not a record ending in CRLF. */
static int record(const char **s, char **fields, int max)
{
    const char *q = *s;
    int n = 0;
    for (;;) {
        char *f = malloc(strlen(q) + 1), *o = f;
        if (*q == '"') {
            for (q++;; q++) {
                if (!*q) {
                    free(f);
                    goto bad;
                }
                if (*q == '"') {
                    if (q[1] != '"') {
                        q++;
                        break;
                    }
                    q++;
                }
                *o++ = *q;
            }
        }
        else {
            while (*q && !strchr(",\"\r\n", *q)) {
                *o++ = *q++;
            }
        }
        *o = '\0';
        if (n == max) {
            free(f);
            goto bad;
        }
        fields[n++] = f;
        if (*q == ',') {
            q++;
            continue;
        }
        if (q[0] == '\r' && q[1] == '\n') {
            *s = q + 2;
            return n;
        }
        goto bad;
    }
bad:
    while (n > 0) {
        free(fields[--n]);
    }
    return -1;
}

static const char *codes(apr_pool_t *p, const apr_array_header_t *a)
{
    const char *out = "";
    int i;
    for (i = 0; i < a->nelts; i++) {
        out = apr_pstrcat(p, out, i ? ";" : "", APR_ARRAY_IDX(a, i, const char *), NULL);
    }
    return out;
}

static void check_cell(const char *got, const char *raw, int col)
{
    char *clean = fuzz_export_text(raw);
    int formula = clean[0] && strchr("=+-@\t\r", clean[0]);
    if (formula ? got[0] != '\'' || strcmp(got + 1, clean) : strcmp(got, clean) != 0) {
        fprintf(stderr, "column %d: got \"%s\", want \"%s%s\"\n", col, got,
                formula ? "'" : "", clean);
        FUZZ_CHECK(!"the cell reads back");
    }
    free(clean);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    moi_event *ev = fuzz_event(p, data, size);
    apr_array_header_t *events = apr_array_make(p, 1, sizeof(const moi_event *));
    const moi_tz *tz = fuzz_tz_lookup(NULL, ev->timezone);
    const char *csv, *s, *want[COLUMNS];
    char *f[COLUMNS + 1];
    int n, k;
    apr_time_t t;

    if (!tz) {
        tz = fuzz_tz_lookup(NULL, MOI_DEFAULT_TIMEZONE);
    }
    APR_ARRAY_PUSH(events, const moi_event *) = ev;
    csv = moi_export_csv(p, events, fuzz_tz_lookup, NULL, BASE);
    FUZZ_CHECK(moi_utf8_valid(csv, strlen(csv)));
    FUZZ_CHECK(!strncmp(csv, HEADER, strlen(HEADER)));
    s = csv + strlen(HEADER);
    n = record(&s, f, COLUMNS + 1);
    FUZZ_CHECK(n == COLUMNS);
    FUZZ_CHECK(*s == '\0');

    k = 0;
    want[k++] = ev->id;
    want[k++] = ev->title;
    want[k++] = ev->summary;
    want[k++] = ev->type;
    want[k++] = ev->format;
    want[k++] = ev->status;
    want[k++] = NULL; /* debut */
    want[k++] = NULL; /* fin */
    want[k++] = moi_tz_name(tz);
    want[k++] = ev->region;
    want[k++] = ev->department;
    want[k++] = ev->city;
    want[k++] = ev->venue;
    want[k++] = ev->address;
    want[k++] = ev->online_url;
    want[k++] = ev->registration_url;
    want[k++] = codes(p, ev->audience);
    want[k++] = codes(p, ev->accessibility);
    want[k++] = ev->lab ? "oui" : "non";
    want[k++] = ev->organizer_name;
    want[k++] = ev->organization;
    want[k++] = apr_pstrcat(p, BASE "/evenements/", ev->id, NULL);
    for (k = 0; k < COLUMNS; k++) {
        if (k == 6 || k == 7) {
            FUZZ_CHECK(moi_parse_rfc3339(f[k], &t) == 0);
            FUZZ_CHECK(t == (k == 6 ? ev->starts_at : ev->ends_at));
        }
        else {
            check_cell(f[k], want[k], k);
        }
        free(f[k]);
    }
    fuzz_pool_done(p);
    return 0;
}
