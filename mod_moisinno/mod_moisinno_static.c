/* GET BASE/static/{name}: the style sheet and script embedded in the
 * module, with a strong ETag and long caching. */
#include <http_protocol.h>
#include <http_request.h>
#include "mod_moisinno.h"
#include "moi_assets.h"

int moi_static_get(moi_req *q)
{
    request_rec *r = q->r;
    const moi_asset *a = moi_asset_find(q->param);
    if (!a) {
        return moi_error(q, HTTP_NOT_FOUND, "not_found", "La page demandée n'existe pas.");
    }
    apr_table_setn(r->headers_out, "ETag", a->etag);
    apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=86400");
    ap_set_content_type(r, a->content_type);
    if (ap_meets_conditions(r) == HTTP_NOT_MODIFIED) {
        r->status = HTTP_NOT_MODIFIED;
        return OK;
    }
    ap_set_content_length(r, (apr_off_t)a->len);
    if (!r->header_only) {
        ap_rwrite(a->data, (int)a->len, r);
    }
    return OK;
}
