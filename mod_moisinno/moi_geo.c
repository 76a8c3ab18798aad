#include <string.h>
#include "moi_geo.h"

const moi_region *moi_region_find(const char *code)
{
    const moi_region *r;
    if (!code) {
        return NULL;
    }
    for (r = moi_regions; r->code; r++) {
        if (!strcmp(r->code, code)) {
            return r;
        }
    }
    return NULL;
}

const moi_department *moi_department_find(const char *code)
{
    const moi_department *d;
    if (!code) {
        return NULL;
    }
    for (d = moi_departments; d->code; d++) {
        if (!strcmp(d->code, code)) {
            return d;
        }
    }
    return NULL;
}
