/* moi_html: escaping and the page frame. */
#include <string.h>
#include <apr_strings.h>
#include "moi_html.h"
#include "unit.h"

/* How many times needle occurs in haystack. */
static int count(const char *haystack, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);
    const char *p = haystack;
    while ((p = strstr(p, needle)) != NULL) {
        n++;
        p += len;
    }
    return n;
}

START_TEST(escape_each_character)
{
    ck_assert_str_eq(moi_html_escape(unit_pool, "&"), "&amp;");
    ck_assert_str_eq(moi_html_escape(unit_pool, "<"), "&lt;");
    ck_assert_str_eq(moi_html_escape(unit_pool, ">"), "&gt;");
    ck_assert_str_eq(moi_html_escape(unit_pool, "\""), "&#34;");
    ck_assert_str_eq(moi_html_escape(unit_pool, "'"), "&#39;");
}
END_TEST

START_TEST(escape_mixed_text)
{
    ck_assert_str_eq(moi_html_escape(unit_pool, "a&b<c>d\"e'f"),
                     "a&amp;b&lt;c&gt;d&#34;e&#39;f");
    ck_assert_str_eq(moi_html_escape(unit_pool, "<script>alert('x')</script>"),
                     "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    ck_assert_str_eq(moi_html_escape(unit_pool, "\" onmouseover=\"x"),
                     "&#34; onmouseover=&#34;x");
    ck_assert_str_eq(moi_html_escape(unit_pool, "&amp;"), "&amp;amp;");
    ck_assert_str_eq(moi_html_escape(unit_pool, "<<>>&&''\"\""),
                     "&lt;&lt;&gt;&gt;&amp;&amp;&#39;&#39;&#34;&#34;");
    ck_assert_str_eq(moi_html_escape(unit_pool, "Caf\xc3\xa9 & th\xc3\xa9"),
                     "Caf\xc3\xa9 &amp; th\xc3\xa9");
    ck_assert_str_eq(moi_html_escape(unit_pool, "x&"), "x&amp;");
    ck_assert_str_eq(moi_html_escape(unit_pool, "'x"), "&#39;x");
}
END_TEST

START_TEST(escape_long_input)
{
    char in[1001];
    const char *out;
    size_t i;
    memset(in, '&', 1000);
    in[1000] = '\0';
    out = moi_html_escape(unit_pool, in);
    ck_assert_uint_eq(strlen(out), 5000);
    for (i = 0; i < 1000; i++) {
        ck_assert_msg(memcmp(out + 5 * i, "&amp;", 5) == 0, "entity %zu is wrong", i);
    }
    memset(in, '"', 1000);
    out = moi_html_escape(unit_pool, in);
    ck_assert_uint_eq(strlen(out), 5000);
    ck_assert_int_eq(count(out, "&#34;"), 1000);
}
END_TEST

START_TEST(escape_without_specials_returns_input)
{
    static const char plain[] =
        "Atelier participatif \xc3\xa0 Lyon, 14h-16h; 100% en ligne";
    const char *empty = "";
    ck_assert_ptr_eq(moi_html_escape(unit_pool, plain), plain);
    ck_assert_ptr_eq(moi_html_escape(unit_pool, empty), empty);
    ck_assert_str_eq(moi_html_escape(unit_pool, plain), plain);
}
END_TEST

START_TEST(escape_copies_when_needed)
{
    char in[] = "a<b";
    const char *out = moi_html_escape(unit_pool, in);
    ck_assert_ptr_ne(out, in);
    ck_assert_str_eq(in, "a<b");
    in[0] = 'z';
    ck_assert_str_eq(out, "a&lt;b");
}
END_TEST

START_TEST(escape_null)
{
    const char *out = moi_html_escape(unit_pool, NULL);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(page_frame)
{
    const char *body = "<p class=\"intro\">Bonjour & 'bienvenue' <b>ici</b></p>";
    const char *page = moi_html_page(unit_pool, "/mois-innovation", "Programme", body);

    ck_assert_ptr_nonnull(page);
    ck_assert_msg(strncmp(page, "<!DOCTYPE html>\n", 16) == 0, "no doctype: %s", page);
    ck_assert_int_eq(count(page, "<html lang=\"fr\">"), 1);
    ck_assert_int_eq(count(page, "<meta charset=\"utf-8\">"), 1);
    ck_assert_int_eq(count(page, "<title>Programme"), 1);
    ck_assert_int_eq(count(page, "</title>"), 1);
    ck_assert_int_eq(count(page, "href=\"/mois-innovation/\""), 1);
    ck_assert_int_eq(count(page, body), 1);
    ck_assert_ptr_nonnull(strstr(page, "<main"));
    ck_assert_msg(strstr(page, "<main") < strstr(page, body) &&
                      strstr(page, body) < strstr(page, "</main>"),
                  "body is not inside <main>");
    ck_assert_uint_ge(strlen(page), strlen("\n</html>\n"));
    ck_assert_str_eq(page + strlen(page) - strlen("</html>\n"), "</html>\n");
}
END_TEST

START_TEST(page_escapes_title_and_base)
{
    const char *page =
        moi_html_page(unit_pool, "/m\"<x>", "A & <B> \"c\" 'd'", "<p>corps</p>");
    const char *want = "<title>A &amp; &lt;B&gt; &#34;c&#34; &#39;d&#39; ";
    const char *title = strstr(page, "<title>"), *end = strstr(page, "</title>");

    ck_assert_ptr_nonnull(title);
    ck_assert_ptr_nonnull(end);
    ck_assert_msg(strncmp(title, want, strlen(want)) == 0, "title not escaped: %.*s",
                  (int)(end - title), title);
    ck_assert_ptr_null(strstr(page, "<B>"));
    ck_assert_ptr_null(strstr(page, "\"c\""));
    ck_assert_ptr_nonnull(strstr(page, "href=\"/m&#34;&lt;x&gt;/\""));
    ck_assert_ptr_null(strstr(page, "<x>"));
    ck_assert_int_eq(count(page, "<p>corps</p>"), 1);
}
END_TEST

START_TEST(page_null_title_and_base)
{
    const char *page = moi_html_page(unit_pool, NULL, NULL, "<p>x</p>");
    ck_assert_ptr_nonnull(strstr(page, "<title>"));
    ck_assert_ptr_nonnull(strstr(page, "href=\"/\""));
    ck_assert_int_eq(count(page, "<p>x</p>"), 1);
    ck_assert_ptr_nonnull(strstr(page, "</html>\n"));
}
END_TEST

Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc;

    tc = unit_tcase("escape");
    tcase_add_test(tc, escape_each_character);
    tcase_add_test(tc, escape_mixed_text);
    tcase_add_test(tc, escape_long_input);
    tcase_add_test(tc, escape_without_specials_returns_input);
    tcase_add_test(tc, escape_copies_when_needed);
    tcase_add_test(tc, escape_null);
    suite_add_tcase(s, tc);

    tc = unit_tcase("page");
    tcase_add_test(tc, page_frame);
    tcase_add_test(tc, page_escapes_title_and_base);
    tcase_add_test(tc, page_null_title_and_base);
    suite_add_tcase(s, tc);

    return s;
}
