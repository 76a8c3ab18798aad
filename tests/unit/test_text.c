/* moi_text: UTF-8 validation, character counts, control characters, trimming,
 * folding for search. */
#include <string.h>
#include "moi_text.h"
#include "unit.h"

/* ---- moi_utf8_valid ----------------------------------------------------- */

static void utf8_ok(const char *s, size_t len)
{
    ck_assert_msg(moi_utf8_valid(s, len), "refused %zu bytes starting 0x%02x", len,
                  len ? (unsigned char)s[0] : 0);
}

static void utf8_bad(const char *s, size_t len)
{
    ck_assert_msg(!moi_utf8_valid(s, len), "accepted %zu bytes starting 0x%02x", len,
                  len ? (unsigned char)s[0] : 0);
}

#define OK(lit) utf8_ok(lit, sizeof(lit) - 1)
#define BAD(lit) utf8_bad(lit, sizeof(lit) - 1)

START_TEST(utf8_valid_sequences)
{
    utf8_ok("", 0);
    OK("abc");
    OK("caf\xC3\xA9");      /* café */
    OK("\xE2\x82\xAC");     /* U+20AC euro sign */
    OK("\xF0\x9F\x98\x80"); /* U+1F600 emoji */
    OK("\x7F");             /* U+007F, last one-byte */
    OK("\xC2\x80");         /* U+0080, first two-byte */
    OK("\xDF\xBF");         /* U+07FF, last two-byte */
    OK("\xE0\xA0\x80");     /* U+0800, first three-byte */
    OK("\xED\x9F\xBF");     /* U+D7FF, just below the surrogates */
    OK("\xEE\x80\x80");     /* U+E000, just above the surrogates */
    OK("\xEF\xBF\xBF");     /* U+FFFF */
    OK("\xF0\x90\x80\x80"); /* U+10000, first four-byte */
    OK("\xF4\x8F\xBF\xBF"); /* U+10FFFF, the last code point */
    OK("a\xC3\xA9z\xF0\x9F\x98\x80!");
}
END_TEST

START_TEST(utf8_overlongs)
{
    BAD("\xC0\x80");         /* NUL in two bytes */
    BAD("\xC0\xAF");         /* '/' in two bytes */
    BAD("\xC1\xBF");         /* U+007F in two bytes */
    BAD("\xE0\x80\x80");     /* NUL in three bytes */
    BAD("\xE0\x80\xAF");     /* '/' in three bytes */
    BAD("\xE0\x9F\xBF");     /* U+07FF in three bytes */
    BAD("\xF0\x80\x80\x80"); /* NUL in four bytes */
    BAD("\xF0\x8F\xBF\xBF"); /* U+FFFF in four bytes */
    BAD("a\xC0\x80z");
}
END_TEST

START_TEST(utf8_surrogates_and_range)
{
    BAD("\xED\xA0\x80");             /* U+D800 */
    BAD("\xED\xAD\xBF");             /* U+DB7F */
    BAD("\xED\xB0\x80");             /* U+DC00 */
    BAD("\xED\xBF\xBF");             /* U+DFFF */
    BAD("\xED\xA0\xBD\xED\xB8\x80"); /* a CESU-8 surrogate pair */
    BAD("\xF4\x90\x80\x80");         /* U+110000 */
    BAD("\xF4\xBF\xBF\xBF");
    BAD("\xF5\x80\x80\x80");
    BAD("\xF7\xBF\xBF\xBF");
    BAD("\xF8\x88\x80\x80\x80"); /* five-byte form */
    BAD("\xFC\x84\x80\x80\x80\x80");
    BAD("\xFE");
    BAD("\xFF");
    BAD("a\xFFz");
}
END_TEST

START_TEST(utf8_truncated_and_stray)
{
    BAD("\xC3");
    BAD("\xE2\x82");
    BAD("\xE2");
    BAD("\xF0\x9F\x98");
    BAD("\xF0\x9F");
    BAD("\xF0");
    BAD("abc\xC3");
    BAD("\xC3"
        "A"); /* lead byte followed by ASCII */
    BAD("\xE2\x82"
        "A");
    BAD("\xF0\x9F\x98"
        "A");
    BAD("\xE2"
        "A\xAC");
    BAD("\x80"); /* stray continuation bytes */
    BAD("\xBF");
    BAD("a\x80z");
    BAD("\xC3\xA9\xA9"); /* one continuation byte too many */
    /* The length is what is checked: a sequence cut by it is truncated. */
    utf8_bad("\xC3\xA9", 1);
    utf8_bad("\xF0\x9F\x98\x80", 3);
    utf8_ok("abc\xFF", 3);
    utf8_ok("\xC3\xA9\xFF", 2);
}
END_TEST

START_TEST(utf8_nul_inside_length)
{
    utf8_bad("\0", 1);
    utf8_bad("a\0b", 3);
    utf8_bad("abc\0", 4);
    utf8_ok("abc\0", 3);
}
END_TEST

/* ---- moi_utf8_chars ----------------------------------------------------- */

START_TEST(utf8_char_counts)
{
    ck_assert_uint_eq(moi_utf8_chars(""), 0);
    ck_assert_uint_eq(moi_utf8_chars("abc"), 3);
    ck_assert_uint_eq(moi_utf8_chars("\xC3\xA9"), 1);
    ck_assert_uint_eq(moi_utf8_chars("caf\xC3\xA9"), 4);
    ck_assert_uint_eq(moi_utf8_chars("\xE2\x82\xAC"), 1);
    ck_assert_uint_eq(moi_utf8_chars("\xF0\x9F\x98\x80"), 1);
    ck_assert_uint_eq(moi_utf8_chars("a\xF0\x9F\x98\x80z"), 3);
    ck_assert_uint_eq(moi_utf8_chars("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC"), 5);
}
END_TEST

/* ---- moi_text_has_controls ---------------------------------------------- */

START_TEST(controls_plain_text)
{
    ck_assert(!moi_text_has_controls("", 0));
    ck_assert(!moi_text_has_controls("", 1));
    ck_assert(!moi_text_has_controls("Hello, world ~!", 0));
    ck_assert(!moi_text_has_controls("Hello, world ~!", 1));
    ck_assert(!moi_text_has_controls("caf\xC3\xA9 \xF0\x9F\x98\x80", 0));
    ck_assert(!moi_text_has_controls(" ", 0));
}
END_TEST

START_TEST(controls_tab_cr_lf)
{
    ck_assert(moi_text_has_controls("a\tb", 0));
    ck_assert(moi_text_has_controls("a\rb", 0));
    ck_assert(moi_text_has_controls("a\nb", 0));
    ck_assert(moi_text_has_controls("a\r\n", 0));
    ck_assert(!moi_text_has_controls("a\tb", 1));
    ck_assert(!moi_text_has_controls("a\rb", 1));
    ck_assert(!moi_text_has_controls("line 1\r\nline 2\n\tend", 1));
}
END_TEST

START_TEST(controls_always_refused)
{
    static const char *bad[] = {"\x01",      "a\x07z", "\x08", "\x0B",   "\x0C",
                                "x\x1B[31m", "\x1F",   "\x7F", "end\x7F"};
    size_t i;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(moi_text_has_controls(bad[i], 0), "single line accepted #%zu", i);
        ck_assert_msg(moi_text_has_controls(bad[i], 1), "multiline accepted #%zu", i);
    }
}
END_TEST

/* ---- moi_trim ----------------------------------------------------------- */

START_TEST(trim_values)
{
    ck_assert_str_eq(moi_trim(unit_pool, "abc"), "abc");
    ck_assert_str_eq(moi_trim(unit_pool, "  abc  "), "abc");
    ck_assert_str_eq(moi_trim(unit_pool, "\t\r\n abc \n\r\t"), "abc");
    ck_assert_str_eq(moi_trim(unit_pool, "  a b\tc  "), "a b\tc");
    ck_assert_str_eq(moi_trim(unit_pool, ""), "");
    ck_assert_str_eq(moi_trim(unit_pool, "   "), "");
    ck_assert_str_eq(moi_trim(unit_pool, " \t\r\n"), "");
    ck_assert_str_eq(moi_trim(unit_pool, " caf\xC3\xA9 "), "caf\xC3\xA9");
    /* A no-break space is not ASCII white space. */
    ck_assert_str_eq(moi_trim(unit_pool, "\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");
}
END_TEST

START_TEST(trim_returns_a_copy)
{
    char src[] = "  abc ";
    char *t = moi_trim(unit_pool, src);
    ck_assert_ptr_ne(t, src);
    ck_assert_ptr_ne(t, src + 2);
    src[2] = 'X';
    ck_assert_str_eq(t, "abc");
}
END_TEST

/* ---- moi_text_fold ------------------------------------------------------ */

static void fold_is(const char *in, const char *want)
{
    const char *got = moi_text_fold(unit_pool, in);
    ck_assert_msg(!strcmp(got, want), "fold '%s': got '%s', expected '%s'", in, got,
                  want);
}

START_TEST(fold_ascii)
{
    fold_is("", "");
    fold_is("abc", "abc");
    fold_is("ABCXYZ", "abcxyz");
    fold_is("Hello, World! 123 @[`{~", "hello, world! 123 @[`{~");
    fold_is("\t\r\n", "\t\r\n");
}
END_TEST

START_TEST(fold_latin)
{
    fold_is("\xC3\x89l\xC3\xA8ve \xC5\x92uvre", "eleve oeuvre");  /* Élève Œuvre */
    fold_is("\xC3\x89", "e");                                     /* É */
    fold_is("\xC3\xA9\xC3\xA8\xC3\xAA\xC3\xAB", "eeee");          /* éèêë */
    fold_is("\xC3\x80\xC3\x82\xC3\x84\xC3\x85", "aaaa");          /* ÀÂÄÅ */
    fold_is("\xC3\x87\xC3\xA7", "cc");                            /* Çç */
    fold_is("\xC3\x8E\xC3\xAF\xC3\xB4\xC3\xBB\xC3\xB9", "iiouu"); /* Îïôûù */
    fold_is("\xC3\x86\xC3\xA6", "aeae");                          /* Ææ */
    fold_is("\xC5\x92\xC5\x93", "oeoe");                          /* Œœ */
    fold_is("Stra\xC3\x9F"
            "e",
            "strasse");                           /* Straße */
    fold_is("\xC3\xBF", "y");                     /* ÿ */
    fold_is("\xC5\xB8", "y");                     /* Ÿ */
    fold_is("\xC3\x91\xC3\xB1", "nn");            /* Ññ */
    fold_is("\xC3\x98\xC3\xB8", "oo");            /* Øø */
    fold_is("\xC3\x9E\xC3\xBE\xC3\x90", "ththd"); /* Þþ Ð */
    fold_is("\xC5\x81\xC3\xB3"
            "d\xC5\xBA",
            "lodz");                            /* Łódź */
    fold_is("\xC4\xB0\xC4\xB1", "ii");          /* İı */
    fold_is("\xC4\xB2", "ij");                  /* Ĳ */
    fold_is("\xC5\xA0\xC5\xBD\xC4\x8C", "szc"); /* ŠŽČ */
    fold_is("\xC5\xBF", "s");                   /* ſ, U+017F */
    fold_is("\xC4\x80", "a");                   /* Ā, U+0100 */
    fold_is("Caf\xC3\xA9 CR\xC3\x88ME br\xC3\xBBl\xC3\xA9"
            "e",
            "cafe creme brulee");
}
END_TEST

START_TEST(fold_keeps_the_rest)
{
    fold_is("\xC3\x97\xC3\xB7", "\xC3\x97\xC3\xB7"); /* × ÷ have no letter */
    fold_is("\xC2\xA0\xC2\xAB\xC2\xBB", "\xC2\xA0\xC2\xAB\xC2\xBB"); /* nbsp « » */
    fold_is("\xCE\xA9\xCE\xB1", "\xCE\xA9\xCE\xB1");                 /* Greek Ωα kept */
    fold_is("\xD0\x96", "\xD0\x96");             /* Cyrillic Ж kept */
    fold_is("\xC6\x80", "\xC6\x80");             /* U+0180, past the table */
    fold_is("\xE2\x82\xAC 5", "\xE2\x82\xAC 5"); /* € */
    fold_is("\xE6\x97\xA5\xE6\x9C\xAC", "\xE6\x97\xA5\xE6\x9C\xAC"); /* 日本 */
    fold_is("A\xF0\x9F\x92\xA1\xC3\x89", "a\xF0\x9F\x92\xA1"
                                         "e"); /* emoji */
    fold_is("\xE1\xBA\x9E", "\xE1\xBA\x9E");   /* ẞ U+1E9E is not Latin-1/A */
}
END_TEST

START_TEST(fold_returns_a_copy)
{
    char src[] = "ABC";
    char *f = moi_text_fold(unit_pool, src);
    ck_assert_ptr_ne(f, src);
    ck_assert_str_eq(src, "ABC");
    ck_assert_str_eq(f, "abc");
}
END_TEST

Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = unit_tcase("utf8");

    tcase_add_test(tc, utf8_valid_sequences);
    tcase_add_test(tc, utf8_overlongs);
    tcase_add_test(tc, utf8_surrogates_and_range);
    tcase_add_test(tc, utf8_truncated_and_stray);
    tcase_add_test(tc, utf8_nul_inside_length);
    tcase_add_test(tc, utf8_char_counts);
    suite_add_tcase(s, tc);

    tc = unit_tcase("controls");
    tcase_add_test(tc, controls_plain_text);
    tcase_add_test(tc, controls_tab_cr_lf);
    tcase_add_test(tc, controls_always_refused);
    suite_add_tcase(s, tc);

    tc = unit_tcase("trim");
    tcase_add_test(tc, trim_values);
    tcase_add_test(tc, trim_returns_a_copy);
    suite_add_tcase(s, tc);

    tc = unit_tcase("fold");
    tcase_add_test(tc, fold_ascii);
    tcase_add_test(tc, fold_latin);
    tcase_add_test(tc, fold_keeps_the_rest);
    tcase_add_test(tc, fold_returns_a_copy);
    suite_add_tcase(s, tc);
    return s;
}
