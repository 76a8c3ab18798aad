/* moi_cookie: reading a cookie from a Cookie header, writing Set-Cookie. */
#include "moi_cookie.h"
#include "unit.h"

static const char *get(const char *header, const char *name)
{
    return moi_cookie_get(unit_pool, header, name);
}

/* ---- moi_cookie_get ----------------------------------------------------- */

START_TEST(get_single_cookie)
{
    ck_assert_str_eq(get("moisinno_session=abc", MOI_SESSION_COOKIE), "abc");
    ck_assert_str_eq(get("moisinno_csrf=x-Y_z", MOI_CSRF_COOKIE), "x-Y_z");
    ck_assert_str_eq(get("moisinno_session=a=b", MOI_SESSION_COOKIE), "a=b");
}
END_TEST

START_TEST(get_among_others)
{
    const char *h = "lang=fr; moisinno_session=abc; moisinno_csrf=def; theme=dark";
    ck_assert_str_eq(get(h, MOI_SESSION_COOKIE), "abc");
    ck_assert_str_eq(get(h, MOI_CSRF_COOKIE), "def");
    ck_assert_str_eq(get(h, "lang"), "fr");
    ck_assert_str_eq(get(h, "theme"), "dark");
    ck_assert_str_eq(get("a=1;moisinno_session=abc;b=2", MOI_SESSION_COOKIE), "abc");
    ck_assert_str_eq(get("a=1; moisinno_session=abc", MOI_SESSION_COOKIE), "abc");
}
END_TEST

START_TEST(get_with_spaces)
{
    ck_assert_str_eq(get("  moisinno_session=abc  ", MOI_SESSION_COOKIE), "abc");
    ck_assert_str_eq(get("a=1 ;   moisinno_session=abc ; b=2", MOI_SESSION_COOKIE),
                     "abc");
    ck_assert_str_eq(get("a=1;\tmoisinno_session=abc\t;b=2", MOI_SESSION_COOKIE), "abc");
    ck_assert_str_eq(get(";; moisinno_session=abc;;", MOI_SESSION_COOKIE), "abc");
}
END_TEST

START_TEST(get_name_prefix_of_another)
{
    ck_assert_str_eq(
        get("moisinno_session_x=1; moisinno_session=abc", MOI_SESSION_COOKIE), "abc");
    ck_assert_str_eq(
        get("moisinno_session=abc; moisinno_session_x=1", MOI_SESSION_COOKIE), "abc");
    ck_assert_str_eq(
        get("moisinno_session_x=1; moisinno_session=abc", "moisinno_session_x"), "1");
    ck_assert_ptr_null(get("moisinno_session_x=1", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get("xmoisinno_session=1", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get("moisinno_sessio=1", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get("a=moisinno_session=abc", MOI_SESSION_COOKIE));
}
END_TEST

START_TEST(get_duplicates_are_null)
{
    ck_assert_ptr_null(get("moisinno_session=a; moisinno_session=b", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get("moisinno_session=a; moisinno_session=a", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(
        get("moisinno_session=a; x=1; moisinno_session=b; y=2", MOI_SESSION_COOKIE));
    /* Another cookie's duplicate does not matter. */
    ck_assert_str_eq(get("x=1; moisinno_session=a; x=2", MOI_SESSION_COOKIE), "a");
}
END_TEST

START_TEST(get_missing_is_null)
{
    ck_assert_ptr_null(get("a=1; b=2", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get("", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get("   ", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get(";", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get("moisinno_session", MOI_SESSION_COOKIE));
    ck_assert_ptr_null(get(NULL, MOI_SESSION_COOKIE));
}
END_TEST

/* ---- moi_cookie_make ---------------------------------------------------- */

START_TEST(make_exact_strings)
{
    ck_assert_str_eq(moi_cookie_make(unit_pool, "moisinno_session", "abc", "/", 1, 3600),
                     "moisinno_session=abc; Path=/; HttpOnly; SameSite=Lax; Secure; "
                     "Max-Age=3600");
    ck_assert_str_eq(
        moi_cookie_make(unit_pool, "moisinno_session", "abc", "/", 0, 3600),
        "moisinno_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=3600");
    ck_assert_str_eq(moi_cookie_make(unit_pool, "moisinno_csrf", "t0k", "/", 1, -1),
                     "moisinno_csrf=t0k; Path=/; HttpOnly; SameSite=Lax; Secure");
    ck_assert_str_eq(moi_cookie_make(unit_pool, "moisinno_csrf", "t0k", "/", 0, -1),
                     "moisinno_csrf=t0k; Path=/; HttpOnly; SameSite=Lax");
    ck_assert_str_eq(
        moi_cookie_make(unit_pool, "moisinno_session", "", "/", 1, 0),
        "moisinno_session=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0");
    ck_assert_str_eq(moi_cookie_make(unit_pool, "s", "v", "/app", 0, 86400),
                     "s=v; Path=/app; HttpOnly; SameSite=Lax; Max-Age=86400");
}
END_TEST

START_TEST(make_default_path)
{
    ck_assert_str_eq(moi_cookie_make(unit_pool, "s", "v", NULL, 0, -1),
                     "s=v; Path=/; HttpOnly; SameSite=Lax");
    ck_assert_str_eq(moi_cookie_make(unit_pool, "s", "v", "", 1, 60),
                     "s=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=60");
}
END_TEST

Suite *cookie_suite(void)
{
    Suite *s = suite_create("cookie");
    TCase *tc = unit_tcase("get");

    tcase_add_test(tc, get_single_cookie);
    tcase_add_test(tc, get_among_others);
    tcase_add_test(tc, get_with_spaces);
    tcase_add_test(tc, get_name_prefix_of_another);
    tcase_add_test(tc, get_duplicates_are_null);
    tcase_add_test(tc, get_missing_is_null);
    suite_add_tcase(s, tc);

    tc = unit_tcase("make");
    tcase_add_test(tc, make_exact_strings);
    tcase_add_test(tc, make_default_path);
    suite_add_tcase(s, tc);
    return s;
}
