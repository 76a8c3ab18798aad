#include <check.h>
#include <string.h>
#include "unit.h"
#include "moi_template.h"

START_TEST(renders_every_placeholder)
{
    const char *err = NULL;
    moi_template *t = moi_template_parse(
        unit_pool, "<title>{{title}}</title>{{head}}<nav>{{navigation}}</nav>{{content}}|{{base}}|{{content}}",
        &err);
    const char *values[MOI_TPL_N] = {"T", "H", "N", "C", "/b"};
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(moi_template_render(unit_pool, t, values),
                     "<title>T</title>H<nav>N</nav>C|/b|C");
}
END_TEST

START_TEST(literal_only_around_content)
{
    const char *err = NULL;
    const char *values[MOI_TPL_N] = {NULL, NULL, NULL, "corps", NULL};
    moi_template *t = moi_template_parse(unit_pool, "{{content}}", &err);
    ck_assert_str_eq(moi_template_render(unit_pool, t, values), "corps");
    t = moi_template_parse(unit_pool, "a{{title}}b{{content}}", &err);
    ck_assert_str_eq(moi_template_render(unit_pool, t, values), "abcorps");
}
END_TEST

START_TEST(refuses_bad_layouts)
{
    const char *err = NULL;
    ck_assert_ptr_null(moi_template_parse(unit_pool, "<p>{{contenu}}</p>", &err));
    ck_assert_ptr_nonnull(strstr(err, "unknown placeholder {{contenu}}"));
    ck_assert_ptr_null(moi_template_parse(unit_pool, "<p>{{title}}</p>", &err));
    ck_assert_ptr_nonnull(strstr(err, "no {{content}}"));
    ck_assert_ptr_null(moi_template_parse(unit_pool, "{{content}} {{title", &err));
    ck_assert_ptr_nonnull(strstr(err, "without its"));
    ck_assert_ptr_null(moi_template_parse(unit_pool, "", &err));
    ck_assert_ptr_null(moi_template_parse(unit_pool, "{{ content }}", &err));
}
END_TEST

Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = unit_tcase("layout");
    tcase_add_test(tc, renders_every_placeholder);
    tcase_add_test(tc, literal_only_around_content);
    tcase_add_test(tc, refuses_bad_layouts);
    suite_add_tcase(s, tc);
    return s;
}
