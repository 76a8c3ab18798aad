/* GET BASE/sante: is the application able to reach its database? */
#include <http_protocol.h>
#include "mod_moisinno.h"

int moi_health_get(moi_req *q)
{
    apr_table_setn(q->r->headers_out, "Cache-Control", "no-store");
    if (q->sc->store && moi_store_ping(q->sc->store) == MOI_STORE_OK) {
        return moi_send_json(q, HTTP_OK, "{\"status\":\"ok\",\"database\":\"ok\"}\n");
    }
    apr_table_setn(q->r->err_headers_out, "Retry-After", "5");
    return moi_send_json(q, HTTP_SERVICE_UNAVAILABLE,
                         "{\"status\":\"degraded\",\"database\":\"unavailable\"}\n");
}
