#include <stdio.h>
#include "moi_log.h"

static moi_log_sink_fn *log_sink;
static moi_log_enabled_fn *log_enabled;
static void *log_baton;

void moi_log_set(moi_log_sink_fn *sink, moi_log_enabled_fn *enabled, void *baton)
{
    log_sink = sink;
    log_enabled = enabled;
    log_baton = baton;
}

int moi_log_is_enabled(moi_log_level level)
{
    if (log_enabled) {
        return log_enabled(log_baton, level);
    }
    return level <= MOI_LOG_WARNING;
}

void moi_log_(const char *file, int line, moi_log_level level, apr_status_t rv,
              const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    if (!moi_log_is_enabled(level)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (log_sink) {
        log_sink(log_baton, file, line, level, rv, buf);
    }
    else {
        fprintf(stderr, "[moisinno:%d] %s\n", (int)level, buf);
    }
}
