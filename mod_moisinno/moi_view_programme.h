/* The public pages: the programme with its filter form, and one event. */
#ifndef MOI_VIEW_PROGRAMME_H
#define MOI_VIEW_PROGRAMME_H

#include "moi_filter.h"
#include "moi_snapshot.h"

typedef struct {
    const char *base;
    int edition_year;
    const char *edition_days;
    const moi_snapshot *snap;
    const apr_array_header_t *selected; /* int indices into snap */
    const moi_filter *filter;
    int page, page_size;
} moi_programme_view;

const char *moi_view_programme(apr_pool_t *p, const moi_programme_view *v);

/* One event's page; status_note: shown to its owner or an admin when the
 * event is not public ("En attente de validation"...), else NULL. */
const char *moi_view_event_page(apr_pool_t *p, const char *base, const moi_event *ev,
                                const moi_tz *tz, const char *jsonld, int can_edit);

/* "Mercredi 2 novembre 2022, 09:30 – 11:00 (heure de Paris)" */
const char *moi_format_span(apr_pool_t *p, const moi_tz *tz, apr_time_t start, apr_time_t end);

#endif
