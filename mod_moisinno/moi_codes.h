/* The coded values of the data model and their French labels: one table
 * per kind, read by the validators, the forms, the filters and the pages. */
#ifndef MOI_CODES_H
#define MOI_CODES_H

#include <apr_pools.h>

typedef struct {
    const char *code;
    const char *label;
} moi_code_label;

extern const moi_code_label moi_formats[];
extern const moi_code_label moi_event_types[];
extern const moi_code_label moi_audiences[];
extern const moi_code_label moi_accessibility[];
extern const moi_code_label moi_organization_types[];
extern const moi_code_label moi_statuses[];

/* French month (index 0 = janvier) and weekday (0 = dimanche) names. */
extern const char *const moi_month_names[12];
extern const char *const moi_weekday_names[7];

/* "mercredi 2 novembre 2022" ("1er" for the first day), from p. */
const char *moi_date_long(apr_pool_t *p, int y, int m, int d);

/* The label of code in a NULL-terminated table, or NULL. */
const char *moi_code_lookup(const moi_code_label *table, const char *code);

#endif
