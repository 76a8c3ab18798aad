#include <string.h>
#include "moi_assets.h"

const moi_asset *moi_asset_find(const char *name)
{
    const moi_asset *a;
    for (a = moi_assets; a->name; a++) {
        if (!strcmp(a->name, name)) {
            return a;
        }
    }
    return NULL;
}
