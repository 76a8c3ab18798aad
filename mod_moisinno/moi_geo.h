/* Regions and departments (INSEE codes) with their time zones, generated
 * at build time from data/departements.csv. */
#ifndef MOI_GEO_H
#define MOI_GEO_H

#include <stddef.h>

typedef struct {
    const char *code; /* "11", "04", ... */
    const char *name;
} moi_region;

typedef struct {
    const char *code; /* "75", "2A", "974", ... */
    const char *name;
    const char *region_code;
    const char *timezone; /* IANA name */
} moi_department;

extern const moi_region moi_regions[];         /* by code; NULL-terminated */
extern const moi_department moi_departments[]; /* by code; NULL-terminated */

#define MOI_DEFAULT_TIMEZONE "Europe/Paris"

const moi_region *moi_region_find(const char *code);
const moi_department *moi_department_find(const char *code);

#endif
