/* moi_geo: the regions and departments built from data/departements.csv,
 * checked against that file read at run time (the tests run from the
 * repository root; MOI_GEO_CSV may name another path). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "moi_geo.h"
#include "moi_tz.h"
#include "unit.h"

#define CSV_PATH "data/departements.csv"

typedef struct {
    const char *code, *name, *region_code, *region_name, *timezone;
} csv_department;

/* The cells of one CSV line (RFC 4180 quoting, no line breaks in cells). */
static apr_array_header_t *split_line(const char *line)
{
    apr_array_header_t *cells = apr_array_make(unit_pool, 5, sizeof(const char *));
    const char *s = line;
    for (;;) {
        char *cell = apr_palloc(unit_pool, strlen(s) + 1), *o = cell;
        if (*s == '"') {
            for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
                if (*s == '"') {
                    s++;
                }
                *o++ = *s;
            }
            ck_assert_msg(*s == '"', "unterminated quote in: %s", line);
            s++;
        } else {
            while (*s && *s != ',') {
                *o++ = *s++;
            }
        }
        *o = '\0';
        APR_ARRAY_PUSH(cells, const char *) = cell;
        if (*s != ',') {
            ck_assert_msg(*s == '\0', "junk after a cell in: %s", line);
            return cells;
        }
        s++;
    }
}

/* The rows of the CSV file (header checked and left out). */
static apr_array_header_t *read_csv(void)
{
    const char *path = getenv("MOI_GEO_CSV") ? getenv("MOI_GEO_CSV") : CSV_PATH;
    apr_array_header_t *rows = apr_array_make(unit_pool, 128, sizeof(csv_department));
    FILE *f = fopen(path, "r");
    char line[512];
    int first = 1;

    ck_assert_msg(f != NULL, "cannot open %s (run the tests from the repository root)",
                  path);
    while (fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);
        apr_array_header_t *cells;
        csv_department *d;

        ck_assert_msg(len > 0 && line[len - 1] == '\n', "line too long or unterminated");
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
            line[--len] = '\0';
        }
        if (!len) {
            continue;
        }
        cells = split_line(line);
        ck_assert_int_eq(cells->nelts, 5);
        if (first) {
            first = 0;
            ck_assert_str_eq(APR_ARRAY_IDX(cells, 0, const char *), "code");
            ck_assert_str_eq(APR_ARRAY_IDX(cells, 1, const char *), "name");
            ck_assert_str_eq(APR_ARRAY_IDX(cells, 2, const char *), "region_code");
            ck_assert_str_eq(APR_ARRAY_IDX(cells, 3, const char *), "region_name");
            ck_assert_str_eq(APR_ARRAY_IDX(cells, 4, const char *), "timezone");
            continue;
        }
        d = apr_array_push(rows);
        d->code = APR_ARRAY_IDX(cells, 0, const char *);
        d->name = APR_ARRAY_IDX(cells, 1, const char *);
        d->region_code = APR_ARRAY_IDX(cells, 2, const char *);
        d->region_name = APR_ARRAY_IDX(cells, 3, const char *);
        d->timezone = APR_ARRAY_IDX(cells, 4, const char *);
    }
    fclose(f);
    ck_assert_msg(!first, "%s is empty", path);
    return rows;
}

static int region_count(void)
{
    int n = 0;
    while (moi_regions[n].code) {
        n++;
    }
    return n;
}

static int department_count(void)
{
    int n = 0;
    while (moi_departments[n].code) {
        n++;
    }
    return n;
}

START_TEST(every_department_of_the_file)
{
    apr_array_header_t *rows = read_csv();
    int i;

    ck_assert_int_eq(rows->nelts, 101);
    ck_assert_int_eq(department_count(), rows->nelts);
    for (i = 0; i < rows->nelts; i++) {
        const csv_department *c = &APR_ARRAY_IDX(rows, i, csv_department);
        const moi_department *d = moi_department_find(c->code);
        const moi_region *r;

        ck_assert_msg(d != NULL, "department %s not found", c->code);
        ck_assert_str_eq(d->code, c->code);
        ck_assert_str_eq(d->name, c->name);
        ck_assert_str_eq(d->region_code, c->region_code);
        ck_assert_str_eq(d->timezone, c->timezone);
        r = moi_region_find(c->region_code);
        ck_assert_msg(r != NULL, "region %s of %s not found", c->region_code, c->code);
        ck_assert_str_eq(r->name, c->region_name);
    }
}
END_TEST

START_TEST(eighteen_regions)
{
    apr_array_header_t *rows = read_csv();
    int i, j;

    ck_assert_int_eq(region_count(), 18);
    for (i = 0; moi_regions[i].code; i++) {
        int used = 0;
        for (j = 0; j < rows->nelts; j++) {
            used |= !strcmp(APR_ARRAY_IDX(rows, j, csv_department).region_code,
                            moi_regions[i].code);
        }
        ck_assert_msg(used, "region %s has no department in the file",
                      moi_regions[i].code);
        ck_assert_ptr_eq(moi_region_find(moi_regions[i].code), &moi_regions[i]);
        if (i > 0) {
            ck_assert_msg(strcmp(moi_regions[i - 1].code, moi_regions[i].code) < 0,
                          "regions not sorted by code at %s", moi_regions[i].code);
        }
    }
    /* 13 metropolitan regions (two-digit codes from 11) and 5 overseas
     * (01 to 06). */
    for (i = 0, j = 0; moi_regions[i].code; i++) {
        j += atoi(moi_regions[i].code) >= 11;
    }
    ck_assert_int_eq(j, 13);
    ck_assert_str_eq(moi_region_find("11")->name, "\xC3\x8Ele-de-France");
    ck_assert_str_eq(moi_region_find("04")->name, "La R\xC3\xA9union");
    ck_assert_str_eq(moi_region_find("94")->name, "Corse");
}
END_TEST

START_TEST(department_facts)
{
    ck_assert_str_eq(moi_department_find("75")->region_code, "11");
    ck_assert_str_eq(moi_department_find("2A")->region_code, "94");
    ck_assert_str_eq(moi_department_find("2B")->region_code, "94");
    ck_assert_str_eq(moi_department_find("69")->region_code, "84");
    ck_assert_str_eq(moi_department_find("971")->region_code, "01");
    ck_assert_str_eq(moi_department_find("971")->timezone, "America/Guadeloupe");
    ck_assert_str_eq(moi_department_find("972")->timezone, "America/Martinique");
    ck_assert_str_eq(moi_department_find("973")->timezone, "America/Cayenne");
    ck_assert_str_eq(moi_department_find("974")->timezone, "Indian/Reunion");
    ck_assert_str_eq(moi_department_find("976")->timezone, "Indian/Mayotte");
    ck_assert_str_eq(moi_department_find("13")->timezone, MOI_DEFAULT_TIMEZONE);
}
END_TEST

START_TEST(unknown_codes)
{
    static const char *const bad[] = {"",    "0",   "00",  "1",   "20",      "2a",
                                      "96",  "97",  "975", "977", "978",     "988",
                                      "075", "75 ", " 75", "7",   "national"};
    size_t i;

    ck_assert_ptr_null(moi_department_find(NULL));
    ck_assert_ptr_null(moi_region_find(NULL));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(!moi_department_find(bad[i]), "department '%s' found", bad[i]);
    }
    ck_assert_ptr_null(moi_region_find(""));
    ck_assert_ptr_null(moi_region_find("1"));
    ck_assert_ptr_null(moi_region_find("4"));
    ck_assert_ptr_null(moi_region_find("05"));
    ck_assert_ptr_null(moi_region_find("99"));
    ck_assert_ptr_null(moi_region_find("07"));
    ck_assert_ptr_null(moi_region_find("974"));
    ck_assert_ptr_null(moi_region_find("national"));
}
END_TEST

START_TEST(every_zone_loads)
{
    int i, j;
    for (i = 0; moi_departments[i].code; i++) {
        const char *err = NULL;
        for (j = 0;
             j < i && strcmp(moi_departments[j].timezone, moi_departments[i].timezone);
             j++) {
        }
        if (j < i) {
            continue; /* already loaded */
        }
        ck_assert_msg(moi_tz_load(unit_pool, NULL, moi_departments[i].timezone, &err) !=
                          NULL,
                      "%s: %s", moi_departments[i].timezone, err ? err : "");
    }
}
END_TEST

Suite *geo_suite(void)
{
    Suite *s = suite_create("geo");
    TCase *tc = unit_tcase("tables");

    tcase_add_test(tc, every_department_of_the_file);
    tcase_add_test(tc, eighteen_regions);
    tcase_add_test(tc, department_facts);
    tcase_add_test(tc, unknown_codes);
    tcase_add_test(tc, every_zone_loads);
    suite_add_tcase(s, tc);
    return s;
}
