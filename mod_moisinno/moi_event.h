/* Events: the one model of an event, its parsing from a form or from JSON,
 * the rules of DESIGN §7, and its JSON form.
 *
 * Input is first gathered as text (moi_event_input: what the organiser
 * typed, so that a refused form comes back filled in), then validated into
 * a typed moi_event.  Times in the input are local to the event's time zone
 * ("2022-11-02T09:30") or, in JSON, RFC 3339 with an offset.
 */
#ifndef MOI_EVENT_H
#define MOI_EVENT_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <jansson.h>
#include "moi_account.h"
#include "moi_form.h"
#include "moi_parse.h"
#include "moi_tz.h"

#define MOI_TITLE_MIN 5
#define MOI_TITLE_MAX 150
#define MOI_SUMMARY_MAX 300
#define MOI_DESCRIPTION_MAX 10000
#define MOI_SHORT_TEXT_MAX 200
#define MOI_URL_MAX 2000

typedef struct {
    const char *id; /* 24 hex, NULL before creation */
    int edition;
    const char *organizer_id;
    const char *title;
    const char *summary;
    const char *description; /* "" when none */
    const char *type;
    const char *format;
    apr_array_header_t *audience;      /* of const char * codes */
    apr_array_header_t *accessibility; /* idem */
    apr_time_t starts_at;
    apr_time_t ends_at;
    const char *timezone;
    const char *region; /* NULL when none */
    const char *department;
    const char *city;
    const char *venue;
    const char *address;
    const char *online_url;
    const char *registration_url;
    int lab;
    const char *organizer_name;
    const char *organization;
    const char *status;
    const char *rejection_reason;
    apr_time_t created_at;
    apr_time_t updated_at;
    int version;
} moi_event;

/* The editable fields as text. NULL: absent. */
typedef struct {
    const char *title, *summary, *description, *type, *format;
    apr_array_header_t *audience, *accessibility; /* of const char * */
    const char *starts_at, *ends_at;
    const char *region, *department, *city, *venue, *address;
    const char *online_url, *registration_url;
    const char *lab; /* "1" when checked */
    const char *organizer_name, *organization;
} moi_event_input;

/* What the rules depend on. */
typedef struct {
    int edition_year;
    moi_date first_day, last_day;
    /* The loaded zone of an IANA name (NULL if unknown). */
    const moi_tz *(*tz_lookup)(void *baton, const char *name);
    void *tz_baton;
} moi_event_rules;

/* Names of the editable fields, NULL-terminated (form and JSON alike). */
extern const char *const moi_event_fields[];

/* Reads the event fields of a form. */
void moi_event_input_from_form(apr_pool_t *p, const moi_form *form, moi_event_input *in);

/* Reads the event fields of a JSON object; a field of the wrong JSON type
 * adds an error.  Only fields present are set (for PATCH).  Unknown keys
 * add an error too (a typo must not pass silently). */
void moi_event_input_from_json(apr_pool_t *p, json_t *obj, moi_event_input *in,
                               apr_array_header_t *errors);

/* The input that reproduces ev (times local to its zone), for forms and
 * for PATCH. */
void moi_event_input_from_event(apr_pool_t *p, const moi_event *ev, const moi_tz *tz,
                                moi_event_input *in);

/* Overlays the fields present in top onto base. */
void moi_event_input_merge(moi_event_input *base, const moi_event_input *top);

/* Checks every rule; fills out's editable fields (and timezone, edition)
 * when valid.  Returns the number of errors added (French, per field). */
int moi_event_validate(apr_pool_t *p, const moi_event_input *in, const moi_event_rules *rules,
                       moi_event *out, apr_array_header_t *errors);

/* The API's JSON of an event; url is its public page's absolute or
 * base-relative URL.  New reference. */
json_t *moi_event_to_json(apr_pool_t *p, const moi_event *ev, const moi_tz *tz,
                          const char *url);

/* An absolute http or https URL without spaces or control characters. */
int moi_url_valid(apr_pool_t *p, const char *s);

/* The zone name of a department ("Europe/Paris" when none or unknown). */
const char *moi_event_timezone_of(const char *department);

#endif
