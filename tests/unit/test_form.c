/* moi_form: strict urlencoded parsing, field lookup, percent-encoding. */
#include <string.h>
#include <apr_strings.h>
#include "moi_form.h"
#include "unit.h"

/* Parses the C string s; fails the test when it is refused. */
static moi_form *parse_ok(const char *s)
{
    const char *why = NULL;
    moi_form *f = moi_form_parse(unit_pool, s, strlen(s), &why);
    ck_assert_msg(f != NULL, "'%s' refused: %s", s, why ? why : "(no reason)");
    return f;
}

/* Parses len bytes of s; fails the test unless it is refused with a reason. */
static void parse_bad_len(const char *s, size_t len)
{
    const char *why = NULL;
    moi_form *f = moi_form_parse(unit_pool, s, len, &why);
    ck_assert_msg(f == NULL, "'%.*s' accepted", (int)len, s);
    ck_assert_msg(why != NULL && *why, "'%.*s' refused without a reason", (int)len, s);
}

static void parse_bad(const char *s)
{
    parse_bad_len(s, strlen(s));
}

/* The single field of s, which must parse to exactly one. */
static const moi_form_field *only_field(const char *s)
{
    moi_form *f = parse_ok(s);
    ck_assert_msg(f->fields->nelts == 1, "'%s' gave %d fields", s, f->fields->nelts);
    return &APR_ARRAY_IDX(f->fields, 0, moi_form_field);
}

static void value_is(const char *s, const char *name, const char *want)
{
    const moi_form_field *fld = only_field(s);
    ck_assert_str_eq(fld->name, name);
    ck_assert_str_eq(fld->value, want);
}

/* ---- decoding ----------------------------------------------------------- */

START_TEST(plain_pairs_in_order)
{
    moi_form *f = parse_ok("a=1&bb=two&c=");
    moi_form_field *v;
    ck_assert_int_eq(f->fields->nelts, 3);
    v = (moi_form_field *)f->fields->elts;
    ck_assert_str_eq(v[0].name, "a");
    ck_assert_str_eq(v[0].value, "1");
    ck_assert_str_eq(v[1].name, "bb");
    ck_assert_str_eq(v[1].value, "two");
    ck_assert_str_eq(v[2].name, "c");
    ck_assert_str_eq(v[2].value, "");
}
END_TEST

START_TEST(plus_is_space)
{
    value_is("q=a+b", "q", "a b");
    value_is("q=++", "q", "  ");
    value_is("full+name=Jean+Dupont", "full name", "Jean Dupont");
    value_is("q=%2B", "q", "+");
    value_is("q=a%20b", "q", "a b");
}
END_TEST

START_TEST(percent_escapes)
{
    value_is("q=%41%62", "q", "Ab");
    value_is("q=%c3%a9", "q", "\xC3\xA9");
    value_is("q=%C3%A9", "q", "\xC3\xA9");
    value_is("q=%c3%A9t%C3%a9", "q", "\xC3\xA9t\xC3\xA9");
    value_is("q=%F0%9F%98%80", "q", "\xF0\x9F\x98\x80");
    value_is("q=%25", "q", "%");
    value_is("q=%26%3D", "q", "&=");
    value_is("%71=1", "q", "1");
    value_is("a%3Db=c", "a=b", "c");
    /* Raw UTF-8 passes through. */
    value_is("q=caf\xC3\xA9", "q", "caf\xC3\xA9");
}
END_TEST

START_TEST(malformed_escapes)
{
    parse_bad("%");
    parse_bad("%4");
    parse_bad("%zz");
    parse_bad("%4 ");
    parse_bad("q=%");
    parse_bad("q=%4");
    parse_bad("q=%zz");
    parse_bad("q=%4 ");
    parse_bad("q=%4g");
    parse_bad("q=%g4");
    parse_bad("q=%%41");
    parse_bad("q=%-1");
    parse_bad("q=abc%");
    parse_bad("q=abc%4&r=1");
    parse_bad("a=1&q=%zz");
    parse_bad("%zz=1");
    parse_bad("q%=1");
}
END_TEST

START_TEST(invalid_utf8_refused)
{
    parse_bad("q=%C3%28");
    parse_bad("q=%C3");
    parse_bad("q=%80");
    parse_bad("q=%C0%80");
    parse_bad("q=%ED%A0%80");
    parse_bad("q=%F4%90%80%80");
    parse_bad("q=%FF");
    parse_bad("%C3%28=1");
    parse_bad("q=\xC3\x28");
    parse_bad("q=\xFF");
    parse_bad("a=1&q=\xC0\x80");
}
END_TEST

START_TEST(nul_refused)
{
    parse_bad("q=%00");
    parse_bad("q=a%00b");
    parse_bad("%00=1");
    parse_bad("a%00=1");
    parse_bad_len("q=a\0b", 5);
    parse_bad_len("\0", 1);
    parse_bad_len("a=1&\0b=2", 8);
    parse_bad_len("a=1&b=2\0", 8);
}
END_TEST

START_TEST(only_len_bytes_read)
{
    const char *why = NULL;
    moi_form *f = moi_form_parse(unit_pool, "a=1&b=2", 3, &why);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->fields->nelts, 1);
    ck_assert_str_eq(moi_form_get(f, "a"), "1");
    ck_assert_ptr_null(moi_form_get(f, "b"));

    /* An escape cut by the length is malformed. */
    parse_bad_len("q=%41", 4);
}
END_TEST

/* ---- names -------------------------------------------------------------- */

START_TEST(operator_names_refused)
{
    parse_bad("email[$ne]=x");
    parse_bad("email%5B%24ne%5D=x");
    parse_bad("a.b=1");
    parse_bad("a%2Eb=1");
    parse_bad("$where=1");
    parse_bad("%24where=1");
    parse_bad("x$=1");
    parse_bad("a[]=1");
    parse_bad("a[=1");
    parse_bad("a]=1");
    parse_bad("ok=1&pw[$gt]=");
    parse_bad("$where");
    parse_bad(".");
}
END_TEST

START_TEST(operator_characters_allowed_in_values)
{
    value_is("email=a.b%40c.d", "email", "a.b@c.d");
    value_is("q=%24ne", "q", "$ne");
    value_is("q=[x].$y", "q", "[x].$y");
    value_is("q={\"$gt\":\"\"}", "q", "{\"$gt\":\"\"}");
}
END_TEST

START_TEST(name_length_limit)
{
    char name[66];
    moi_form *f;

    memset(name, 'n', 64);
    name[64] = '\0';
    f = parse_ok(apr_pstrcat(unit_pool, name, "=v", NULL));
    ck_assert_str_eq(moi_form_get(f, name), "v");
    f = parse_ok(name);
    ck_assert_str_eq(moi_form_get(f, name), "");

    name[64] = 'n';
    name[65] = '\0';
    parse_bad(apr_pstrcat(unit_pool, name, "=v", NULL));
    parse_bad(name);
    parse_bad(apr_pstrcat(unit_pool, "a=1&", name, "=v", NULL));

    /* The limit is on the decoded name: 64 escaped bytes are fine. */
    f = parse_ok(
        apr_pstrcat(unit_pool, "%C3%A9", apr_pstrndup(unit_pool, name, 62), "=v", NULL));
    ck_assert_int_eq(f->fields->nelts, 1);
}
END_TEST

/* ---- structure ---------------------------------------------------------- */

START_TEST(empty_pairs_skipped)
{
    moi_form *f = parse_ok("a=1&&b=2");
    ck_assert_int_eq(f->fields->nelts, 2);
    ck_assert_str_eq(moi_form_get(f, "a"), "1");
    ck_assert_str_eq(moi_form_get(f, "b"), "2");

    f = parse_ok("&a=1&");
    ck_assert_int_eq(f->fields->nelts, 1);
    ck_assert_str_eq(moi_form_get(f, "a"), "1");

    f = parse_ok("&&&");
    ck_assert_int_eq(f->fields->nelts, 0);
    f = parse_ok("");
    ck_assert_int_eq(f->fields->nelts, 0);
}
END_TEST

START_TEST(name_without_equals)
{
    moi_form *f = parse_ok("flag&a=1&other");
    ck_assert_int_eq(f->fields->nelts, 3);
    ck_assert_str_eq(moi_form_get(f, "flag"), "");
    ck_assert_str_eq(moi_form_get(f, "a"), "1");
    ck_assert_str_eq(moi_form_get(f, "other"), "");

    value_is("a==b", "a", "=b");
    value_is("a=b=c", "a", "b=c");
}
END_TEST

START_TEST(repeated_names_in_order)
{
    moi_form *f = parse_ok("t=1&u=x&t=2&t=3");
    apr_array_header_t *all;

    ck_assert_int_eq(f->fields->nelts, 4);
    ck_assert_str_eq(moi_form_get(f, "t"), "1");
    ck_assert_str_eq(moi_form_get(f, "u"), "x");
    ck_assert_ptr_null(moi_form_get(f, "v"));
    ck_assert_ptr_null(moi_form_get(f, "T"));

    all = moi_form_get_all(unit_pool, f, "t");
    ck_assert_int_eq(all->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(all, 0, const char *), "1");
    ck_assert_str_eq(APR_ARRAY_IDX(all, 1, const char *), "2");
    ck_assert_str_eq(APR_ARRAY_IDX(all, 2, const char *), "3");

    all = moi_form_get_all(unit_pool, f, "u");
    ck_assert_int_eq(all->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(all, 0, const char *), "x");

    all = moi_form_get_all(unit_pool, f, "v");
    ck_assert_ptr_nonnull(all);
    ck_assert_int_eq(all->nelts, 0);
}
END_TEST

/* n fields "f<i>=<i>" joined with '&'. */
static char *many_fields(int n)
{
    char *s = "";
    int i;
    for (i = 0; i < n; i++) {
        s = apr_psprintf(unit_pool, "%s%sf%d=%d", s, i ? "&" : "", i, i);
    }
    return s;
}

START_TEST(field_count_limit)
{
    moi_form *f = parse_ok(many_fields(MOI_FORM_MAX_FIELDS));
    const char *why = NULL;
    char *s;

    ck_assert_int_eq(f->fields->nelts, MOI_FORM_MAX_FIELDS);
    ck_assert_str_eq(moi_form_get(f, "f0"), "0");
    ck_assert_str_eq(
        moi_form_get(f, apr_psprintf(unit_pool, "f%d", MOI_FORM_MAX_FIELDS - 1)),
        apr_psprintf(unit_pool, "%d", MOI_FORM_MAX_FIELDS - 1));

    parse_bad(many_fields(MOI_FORM_MAX_FIELDS + 1));

    /* Empty pairs do not count. */
    s = apr_pstrcat(unit_pool, "&&", many_fields(MOI_FORM_MAX_FIELDS), "&&&", NULL);
    f = moi_form_parse(unit_pool, s, strlen(s), &why);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->fields->nelts, MOI_FORM_MAX_FIELDS);
}
END_TEST

/* ---- moi_url_encode ----------------------------------------------------- */

START_TEST(url_encode_values)
{
    ck_assert_str_eq(moi_url_encode(unit_pool, ""), "");
    ck_assert_str_eq(moi_url_encode(unit_pool, "abcXYZ019"), "abcXYZ019");
    ck_assert_str_eq(moi_url_encode(unit_pool, "-_.~/"), "-_.~/");
    ck_assert_str_eq(moi_url_encode(unit_pool, "a b"), "a%20b");
    ck_assert_str_eq(moi_url_encode(unit_pool, "a&b=c?d#e+f%"),
                     "a%26b%3Dc%3Fd%23e%2Bf%25");
    ck_assert_str_eq(moi_url_encode(unit_pool, "caf\xC3\xA9"), "caf%C3%A9");
    ck_assert_str_eq(moi_url_encode(unit_pool, "\xF0\x9F\x98\x80"), "%F0%9F%98%80");
    ck_assert_str_eq(moi_url_encode(unit_pool, "\"<'>\\"), "%22%3C%27%3E%5C");
    ck_assert_str_eq(moi_url_encode(unit_pool, "\t\r\n\x7F"), "%09%0D%0A%7F");
}
END_TEST

START_TEST(url_encode_round_trip)
{
    static const char *values[] = {"",        "plain",   "a b+c",
                                   "100%",    "x=y&z",   "caf\xC3\xA9",
                                   "$ne",     "a/b.c~d", "\xF0\x9F\x98\x80 ok",
                                   "#?;,:@[]"};
    size_t i;
    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        const char *q = apr_pstrcat(unit_pool, "v=", moi_url_encode(unit_pool, values[i]),
                                    "&end=1", NULL);
        moi_form *f = parse_ok(q);
        ck_assert_int_eq(f->fields->nelts, 2);
        ck_assert_str_eq(moi_form_get(f, "v"), values[i]);
    }
}
END_TEST

Suite *form_suite(void)
{
    Suite *s = suite_create("form");
    TCase *tc = unit_tcase("decode");

    tcase_add_test(tc, plain_pairs_in_order);
    tcase_add_test(tc, plus_is_space);
    tcase_add_test(tc, percent_escapes);
    tcase_add_test(tc, malformed_escapes);
    tcase_add_test(tc, invalid_utf8_refused);
    tcase_add_test(tc, nul_refused);
    tcase_add_test(tc, only_len_bytes_read);
    suite_add_tcase(s, tc);

    tc = unit_tcase("names");
    tcase_add_test(tc, operator_names_refused);
    tcase_add_test(tc, operator_characters_allowed_in_values);
    tcase_add_test(tc, name_length_limit);
    suite_add_tcase(s, tc);

    tc = unit_tcase("structure");
    tcase_add_test(tc, empty_pairs_skipped);
    tcase_add_test(tc, name_without_equals);
    tcase_add_test(tc, repeated_names_in_order);
    tcase_add_test(tc, field_count_limit);
    suite_add_tcase(s, tc);

    tc = unit_tcase("encode");
    tcase_add_test(tc, url_encode_values);
    tcase_add_test(tc, url_encode_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
