/* moi_csv: RFC 4180 cells and rows, with formula-looking cells neutralised. */
#include <string.h>
#include "moi_csv.h"
#include "unit.h"

static void cell_is(const char *in, const char *want)
{
    const char *got = moi_csv_cell(unit_pool, in);
    ck_assert_msg(got && !strcmp(got, want), "cell '%s': got '%s', expected '%s'",
                  in ? in : "(null)", got ? got : "(null)", want);
}

START_TEST(plain_cells_as_they_are)
{
    cell_is("abc", "abc");
    cell_is("Atelier participatif", "Atelier participatif");
    cell_is("caf\xC3\xA9 \xC3\x89l\xC3\xA8ve \xF0\x9F\x92\xA1",
            "caf\xC3\xA9 \xC3\x89l\xC3\xA8ve \xF0\x9F\x92\xA1");
    cell_is("2022-11-02T09:30:00+01:00", "2022-11-02T09:30:00+01:00");
    cell_is("l'atelier; la suite", "l'atelier; la suite");
    cell_is("a=b", "a=b");
    cell_is("x-y+z@w", "x-y+z@w");
    cell_is("1", "1");
}
END_TEST

START_TEST(empty_and_null)
{
    cell_is(NULL, "");
    cell_is("", "");
}
END_TEST

START_TEST(quoting)
{
    cell_is("a,b", "\"a,b\"");
    cell_is(",", "\",\"");
    cell_is("dit \"bonjour\"", "\"dit \"\"bonjour\"\"\"");
    cell_is("\"", "\"\"\"\"");
    cell_is("\"\"", "\"\"\"\"\"\"");
    cell_is("ligne 1\nligne 2", "\"ligne 1\nligne 2\"");
    cell_is("ligne 1\r\nligne 2", "\"ligne 1\r\nligne 2\"");
    cell_is("a\rb", "\"a\rb\"");
    cell_is("\nd\xC3\xA9"
            "but",
            "\"\nd\xC3\xA9"
            "but\"");
    cell_is("a, \"b\"\r\nc", "\"a, \"\"b\"\"\r\nc\"");
}
END_TEST

START_TEST(formulas_neutralised)
{
    cell_is("=1+1", "\"'=1+1\"");
    cell_is("=HYPERLINK(\"http://x\",\"clic\")",
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"clic\"\")\"");
    cell_is("+33 1 23 45 67 89", "\"'+33 1 23 45 67 89\"");
    cell_is("-2+3", "\"'-2+3\"");
    cell_is("@SUM(A1:A9)", "\"'@SUM(A1:A9)\"");
    cell_is("\t=1", "\"'\t=1\"");
    cell_is("\r=1", "\"'\r=1\"");
    cell_is("=", "\"'=\"");
    cell_is("-", "\"'-\"");
    cell_is("=a,b", "\"'=a,b\"");
    cell_is("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"");
}
END_TEST

START_TEST(rows)
{
    const char *cells[] = {"Titre", NULL, "a,b", "=1+1", "", "dit \"oui\"", "fin"};

    ck_assert_str_eq(moi_csv_row(unit_pool, cells, 7),
                     "Titre,,\"a,b\",\"'=1+1\",,\"dit \"\"oui\"\"\",fin\r\n");
    ck_assert_str_eq(moi_csv_row(unit_pool, cells, 1), "Titre\r\n");
    ck_assert_str_eq(moi_csv_row(unit_pool, cells + 1, 1), "\r\n");
    ck_assert_str_eq(moi_csv_row(unit_pool, cells, 0), "\r\n");
    {
        const char *two[] = {"ligne 1\nligne 2", "x"};
        ck_assert_str_eq(moi_csv_row(unit_pool, two, 2), "\"ligne 1\nligne 2\",x\r\n");
    }
    {
        const char *empty[] = {NULL, NULL, NULL};
        ck_assert_str_eq(moi_csv_row(unit_pool, empty, 3), ",,\r\n");
    }
}
END_TEST

/* Reads back one RFC 4180 record; returns the number of cells, each
 * unquoted into out[]. */
static int read_record(const char *s, char out[][64], int max)
{
    int n = 0;
    while (n < max) {
        size_t k = 0;
        if (*s == '"') {
            s++;
            for (;;) {
                ck_assert_msg(*s, "unterminated quoted cell");
                if (*s == '"' && s[1] == '"') {
                    out[n][k++] = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    out[n][k++] = *s++;
                }
            }
        } else {
            while (*s && *s != ',' && *s != '\r' && *s != '\n') {
                ck_assert_msg(*s != '"', "bare quote in unquoted cell");
                out[n][k++] = *s++;
            }
        }
        out[n++][k] = '\0';
        if (*s == ',') {
            s++;
            continue;
        }
        ck_assert_msg(s[0] == '\r' && s[1] == '\n' && s[2] == '\0',
                      "record not ended by CRLF");
        break;
    }
    return n;
}

START_TEST(rows_read_back)
{
    const char *cells[] = {"a,b", "\"x\"",       "1\r\n2", "=SOMME(A1)",
                           "",    "caf\xC3\xA9", "@x"};
    const char *want[] = {"a,b", "\"x\"",       "1\r\n2", "'=SOMME(A1)",
                          "",    "caf\xC3\xA9", "'@x"};
    char got[8][64];
    int i, n = read_record(moi_csv_row(unit_pool, cells, 7), got, 8);

    ck_assert_int_eq(n, 7);
    for (i = 0; i < n; i++) {
        ck_assert_str_eq(got[i], want[i]);
    }
}
END_TEST

Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = unit_tcase("cells");

    tcase_add_test(tc, plain_cells_as_they_are);
    tcase_add_test(tc, empty_and_null);
    tcase_add_test(tc, quoting);
    tcase_add_test(tc, formulas_neutralised);
    suite_add_tcase(s, tc);

    tc = unit_tcase("rows");
    tcase_add_test(tc, rows);
    tcase_add_test(tc, rows_read_back);
    suite_add_tcase(s, tc);
    return s;
}
