/* moi_log: messages reach the installed sink, filtered by level. */
#include <string.h>
#include <syslog.h>
#include "moi_log.h"
#include "unit.h"

typedef struct {
    int threshold; /* levels up to this one are enabled */
    int calls;     /* sink calls */
    int asked;     /* enabled calls */
    void *baton;   /* as seen by the sink */
    const char *file;
    int line;
    moi_log_level level;
    apr_status_t rv;
    char msg[4096];
} recorder;

static recorder rec;

static void record(void *baton, const char *file, int line, moi_log_level level,
                   apr_status_t rv, const char *msg)
{
    recorder *r = baton;
    r->calls++;
    r->baton = baton;
    r->file = file;
    r->line = line;
    r->level = level;
    r->rv = rv;
    strncpy(r->msg, msg, sizeof(r->msg) - 1);
    r->msg[sizeof(r->msg) - 1] = '\0';
}

static int enabled(void *baton, moi_log_level level)
{
    recorder *r = baton;
    r->asked++;
    return (int)level <= r->threshold;
}

static void log_setup(void)
{
    memset(&rec, 0, sizeof(rec));
    rec.threshold = MOI_LOG_INFO;
    moi_log_set(record, enabled, &rec);
}

static void log_teardown(void)
{
    moi_log_set(NULL, NULL, NULL);
}

START_TEST(levels_match_syslog)
{
    ck_assert_int_eq(MOI_LOG_EMERG, LOG_EMERG);
    ck_assert_int_eq(MOI_LOG_ALERT, LOG_ALERT);
    ck_assert_int_eq(MOI_LOG_CRIT, LOG_CRIT);
    ck_assert_int_eq(MOI_LOG_ERR, LOG_ERR);
    ck_assert_int_eq(MOI_LOG_WARNING, LOG_WARNING);
    ck_assert_int_eq(MOI_LOG_NOTICE, LOG_NOTICE);
    ck_assert_int_eq(MOI_LOG_INFO, LOG_INFO);
    ck_assert_int_eq(MOI_LOG_DEBUG, LOG_DEBUG);
    ck_assert_str_eq(MOI_LOGNO(00042) "x", "MOI00042: x");
}
END_TEST

START_TEST(message_reaches_sink)
{
    int line;
    moi_log(MOI_LOG_ERR, APR_EGENERAL, MOI_LOGNO(90001) "store %s: %d", "mongo", 12);
    line = __LINE__ - 1;
    ck_assert_int_eq(rec.calls, 1);
    ck_assert_ptr_eq(rec.baton, &rec);
    ck_assert_int_eq(rec.level, MOI_LOG_ERR);
    ck_assert_int_eq(rec.rv, APR_EGENERAL);
    ck_assert_str_eq(rec.msg, "MOI90001: store mongo: 12");
    ck_assert_str_eq(rec.file, __FILE__);
    ck_assert_int_eq(rec.line, line);

    moi_log(MOI_LOG_INFO, APR_SUCCESS, "%s", "100% sure");
    ck_assert_int_eq(rec.calls, 2);
    ck_assert_int_eq(rec.level, MOI_LOG_INFO);
    ck_assert_int_eq(rec.rv, APR_SUCCESS);
    ck_assert_str_eq(rec.msg, "100% sure");
}
END_TEST

START_TEST(disabled_levels_are_dropped)
{
    moi_log(MOI_LOG_DEBUG, APR_SUCCESS, "not wanted");
    ck_assert_int_eq(rec.calls, 0);
    ck_assert_int_ge(rec.asked, 1);

    rec.threshold = MOI_LOG_WARNING;
    moi_log(MOI_LOG_NOTICE, APR_SUCCESS, "not wanted either");
    moi_log(MOI_LOG_INFO, APR_SUCCESS, "nor this");
    ck_assert_int_eq(rec.calls, 0);
    moi_log(MOI_LOG_WARNING, APR_SUCCESS, "wanted");
    ck_assert_int_eq(rec.calls, 1);
    ck_assert_int_eq(rec.level, MOI_LOG_WARNING);
    ck_assert_str_eq(rec.msg, "wanted");
    moi_log(MOI_LOG_EMERG, APR_SUCCESS, "also wanted");
    ck_assert_int_eq(rec.calls, 2);
    ck_assert_int_eq(rec.level, MOI_LOG_EMERG);

    rec.threshold = -1;
    moi_log(MOI_LOG_EMERG, APR_SUCCESS, "nothing at all");
    ck_assert_int_eq(rec.calls, 2);
    ck_assert_str_eq(rec.msg, "also wanted");
}
END_TEST

START_TEST(is_enabled_asks_the_glue)
{
    rec.threshold = MOI_LOG_NOTICE;
    ck_assert(moi_log_is_enabled(MOI_LOG_ERR));
    ck_assert(moi_log_is_enabled(MOI_LOG_NOTICE));
    ck_assert(!moi_log_is_enabled(MOI_LOG_INFO));
    ck_assert(!moi_log_is_enabled(MOI_LOG_DEBUG));
    ck_assert_int_eq(rec.asked, 4);
    rec.threshold = MOI_LOG_DEBUG;
    ck_assert(moi_log_is_enabled(MOI_LOG_DEBUG));
}
END_TEST

/* Without an enabled function, warnings and worse pass. */
START_TEST(default_threshold_is_warning)
{
    moi_log_set(record, NULL, &rec);
    ck_assert(moi_log_is_enabled(MOI_LOG_EMERG));
    ck_assert(moi_log_is_enabled(MOI_LOG_WARNING));
    ck_assert(!moi_log_is_enabled(MOI_LOG_NOTICE));
    ck_assert(!moi_log_is_enabled(MOI_LOG_DEBUG));
    moi_log(MOI_LOG_NOTICE, APR_SUCCESS, "dropped");
    ck_assert_int_eq(rec.calls, 0);
    moi_log(MOI_LOG_WARNING, APR_SUCCESS, "kept");
    ck_assert_int_eq(rec.calls, 1);
    ck_assert_str_eq(rec.msg, "kept");
    ck_assert_int_eq(rec.asked, 0);
}
END_TEST

/* A message longer than the internal buffer arrives cut, terminated, and
 * as a prefix of the original. */
START_TEST(long_message_is_cut)
{
    static char text[3001];
    size_t len;
    memset(text, 'm', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    moi_log(MOI_LOG_ERR, APR_SUCCESS, "%s", text);
    ck_assert_int_eq(rec.calls, 1);
    len = strlen(rec.msg);
    ck_assert_uint_ge(len, 1024);
    ck_assert_uint_lt(len, sizeof(text) - 1);
    ck_assert(strncmp(rec.msg, text, len) == 0);
}
END_TEST

/* Uninstalling the sink goes back to stderr: nothing reaches the recorder. */
START_TEST(unset_sink_is_not_called)
{
    moi_log_set(NULL, NULL, NULL);
    ck_assert(moi_log_is_enabled(MOI_LOG_WARNING));
    ck_assert(!moi_log_is_enabled(MOI_LOG_NOTICE));
    moi_log(MOI_LOG_DEBUG, APR_SUCCESS, "filtered before stderr");
    ck_assert_int_eq(rec.calls, 0);
    ck_assert_int_eq(rec.asked, 0);
}
END_TEST

Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = unit_tcase("sink");

    tcase_add_checked_fixture(tc, log_setup, log_teardown);
    tcase_add_test(tc, levels_match_syslog);
    tcase_add_test(tc, message_reaches_sink);
    tcase_add_test(tc, disabled_levels_are_dropped);
    tcase_add_test(tc, is_enabled_asks_the_glue);
    tcase_add_test(tc, default_threshold_is_warning);
    tcase_add_test(tc, long_message_is_cut);
    tcase_add_test(tc, unset_sink_is_not_called);
    suite_add_tcase(s, tc);
    return s;
}
