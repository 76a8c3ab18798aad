/* Logging from the pure layer.
 *
 * The pure units (moi_*.c) never include httpd headers.  They log through
 * moi_log(), which forwards to a function the httpd glue plugs in at
 * start-up (moi_log_set).  Without a sink, messages go to stderr, which is
 * what the unit tests want.
 *
 * Every call site carries a unique tag, MOI_LOGNO(nnnnn), so that an admin
 * can search the documentation and the sources for it.  Never pass a
 * password, a token or a cookie value to these functions.
 */
#ifndef MOI_LOG_H
#define MOI_LOG_H

#include <stdarg.h>
#include <apr_errno.h>

#define MOI_LOGNO(n) "MOI" #n ": "

/* Levels, numerically equal to httpd's APLOG_* values. */
typedef enum {
    MOI_LOG_EMERG = 0,
    MOI_LOG_ALERT = 1,
    MOI_LOG_CRIT = 2,
    MOI_LOG_ERR = 3,
    MOI_LOG_WARNING = 4,
    MOI_LOG_NOTICE = 5,
    MOI_LOG_INFO = 6,
    MOI_LOG_DEBUG = 7
} moi_log_level;

typedef void moi_log_sink_fn(void *baton, const char *file, int line, moi_log_level level,
                             apr_status_t rv, const char *msg);
typedef int moi_log_enabled_fn(void *baton, moi_log_level level);

/* Installs the sink; called once by the glue before any child starts. */
void moi_log_set(moi_log_sink_fn *sink, moi_log_enabled_fn *enabled, void *baton);

int moi_log_is_enabled(moi_log_level level);

void moi_log_(const char *file, int line, moi_log_level level, apr_status_t rv,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define moi_log(level, rv, ...) moi_log_(__FILE__, __LINE__, (level), (rv), __VA_ARGS__)

#endif
