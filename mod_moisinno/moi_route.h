/* Path routing under the application's base path.
 *
 * A route pattern is a path of literal segments where one segment may hold
 * the placeholder "{id}", optionally followed by a literal suffix in the
 * same segment ("{id}.ics").  The placeholder matches a non-empty segment
 * without '/'.  Tables are searched in order; the first route whose
 * pattern and method both match wins.
 */
#ifndef MOI_ROUTE_H
#define MOI_ROUTE_H

#include <stddef.h>

enum {
    MOI_M_GET = 1,  /* HEAD is answered as GET */
    MOI_M_POST = 2,
    MOI_M_PUT = 4,
    MOI_M_PATCH = 8,
    MOI_M_DELETE = 16
};

typedef struct {
    const char *pattern;
    int methods; /* MOI_M_* bits */
    int id;      /* what the caller dispatches on */
} moi_route;

typedef enum {
    MOI_ROUTE_FOUND = 0,
    MOI_ROUTE_NOT_FOUND,
    MOI_ROUTE_METHOD_NOT_ALLOWED
} moi_route_result;

typedef struct {
    const moi_route *route; /* set when FOUND */
    const char *param;      /* start of the {id} text in path, or NULL */
    size_t param_len;
    int allowed; /* union of the methods of every pattern that matched */
} moi_route_match_t;

/* Matches path (starting with '/') and method (one MOI_M_* bit) against
 * the n routes of table.  Nothing is allocated; param points into path. */
moi_route_result moi_route_match(const moi_route *table, size_t n, const char *path,
                                 int method, moi_route_match_t *m);

/* "GET, HEAD, POST" for the MOI_M_* bits, in a static buffer owned by the
 * caller (at least 40 bytes).  Returns buf. */
const char *moi_route_allow_header(int methods, char *buf, size_t len);

#endif
