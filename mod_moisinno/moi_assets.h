/* Static assets (style sheet, script) embedded in the module at build time
 * from htdocs/ by scripts/embed-assets. */
#ifndef MOI_ASSETS_H
#define MOI_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *name; /* file name, e.g. "moisinno.css" */
    const char *content_type;
    const char *etag; /* strong validator, quoted */
    const unsigned char *data;
    size_t len;
} moi_asset;

extern const moi_asset moi_assets[]; /* NULL-name terminated */

const moi_asset *moi_asset_find(const char *name);

#endif
