/* Pages about events for organisers and admins: the event form, the
 * organiser space, the moderation page.  Each returns body HTML. */
#ifndef MOI_VIEW_EVENT_H
#define MOI_VIEW_EVENT_H

#include "moi_event.h"
#include "moi_html.h"
#include "moi_store.h"

/* "2 novembre 2022 à 09:30" in tz. */
const char *moi_format_when(apr_pool_t *p, const moi_tz *tz, apr_time_t t);

typedef struct {
    const char *base;
    const char *action;   /* form action URL */
    const char *title;    /* page heading */
    const moi_event_input *in;
    const apr_array_header_t *errors;
    const char *csrf;
    int version;          /* 0 for a new event */
    const moi_event *event; /* the stored event when editing, else NULL */
    const apr_array_header_t *history; /* of moi_event_change, or NULL */
    const char *notice;
    const char *edition_days; /* "du 2 au 30 novembre 2022" */
    const moi_tz *tz;         /* the event's zone, for the history's dates */
} moi_event_form_view;

const char *moi_view_event_form(apr_pool_t *p, const moi_event_form_view *v);

/* The organiser's list of events (array of moi_event *). */
const char *moi_view_space(apr_pool_t *p, const char *base, const moi_organizer *who,
                           const apr_array_header_t *events, const char *csrf,
                           const char *notice, int can_create, const char *deadline_text,
                           const moi_tz *(*tz_lookup)(void *, const char *), void *baton);

typedef struct {
    const char *base;
    const char *csrf;
    const apr_array_header_t *events; /* all of the edition, moi_event * */
    const apr_array_header_t *by_status, *by_region, *by_format, *by_type; /* moi_count */
    const char *status_filter; /* NULL: the queue first, then all */
    const char *notice;
    const moi_tz *(*tz_lookup)(void *, const char *);
    void *baton;
} moi_admin_view;

const char *moi_view_admin(apr_pool_t *p, const moi_admin_view *v);

#endif
