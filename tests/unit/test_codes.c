/* moi_codes: the coded values of DESIGN §6 and their French labels. */
#include <string.h>
#include "moi_codes.h"
#include "unit.h"

static int table_size(const moi_code_label *t)
{
    int n = 0;
    while (t[n].code) {
        n++;
    }
    return n;
}

static void label_is(const moi_code_label *t, const char *code, const char *label)
{
    const char *got = moi_code_lookup(t, code);
    ck_assert_msg(got != NULL, "code %s not found", code);
    ck_assert_str_eq(got, label);
}

START_TEST(formats)
{
    ck_assert_int_eq(table_size(moi_formats), 3);
    label_is(moi_formats, "presentiel", "En pr\xC3\xA9sentiel");
    label_is(moi_formats, "en_ligne", "En ligne");
    label_is(moi_formats, "hybride", "Hybride");
}
END_TEST

START_TEST(event_types)
{
    ck_assert_int_eq(table_size(moi_event_types), 10);
    label_is(moi_event_types, "presentation_initiative",
             "Pr\xC3\xA9sentation d'initiative");
    label_is(moi_event_types, "atelier_participatif", "Atelier participatif");
    label_is(moi_event_types, "table_ronde", "Table ronde");
    label_is(moi_event_types, "session_creative",
             "Session cr\xC3\xA9"
             "ative");
    label_is(moi_event_types, "demonstration_outil", "D\xC3\xA9monstration d'outil");
    label_is(moi_event_types, "exposition", "Exposition");
    label_is(moi_event_types, "visite", "Visite");
    label_is(moi_event_types, "conference", "Conf\xC3\xA9rence");
    label_is(moi_event_types, "webinaire", "Webinaire");
    label_is(moi_event_types, "autre", "Autre");
}
END_TEST

START_TEST(audiences)
{
    ck_assert_int_eq(table_size(moi_audiences), 5);
    label_is(moi_audiences, "agents", "Agents publics");
    label_is(moi_audiences, "encadrants", "Encadrants");
    label_is(moi_audiences, "elus", "\xC3\x89lus");
    label_is(moi_audiences, "usagers", "Usagers");
    label_is(moi_audiences, "grand_public", "Grand public");
}
END_TEST

START_TEST(accessibility)
{
    static const char *const codes[] = {"moteur", "auditif", "visuel", "mental",
                                        "psychique"};
    size_t i;

    ck_assert_int_eq(table_size(moi_accessibility), 5);
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const char *l = moi_code_lookup(moi_accessibility, codes[i]);
        ck_assert_msg(l && *l, "no label for %s", codes[i]);
    }
}
END_TEST

START_TEST(organization_types)
{
    ck_assert_int_eq(table_size(moi_organization_types), 4);
    label_is(moi_organization_types, "etat", "\xC3\x89tat");
    label_is(moi_organization_types, "collectivite", "Collectivit\xC3\xA9 territoriale");
    label_is(moi_organization_types, "sanitaire_social",
             "\xC3\x89tablissement sanitaire ou social");
    label_is(moi_organization_types, "autre", "Autre");
}
END_TEST

START_TEST(statuses)
{
    ck_assert_int_eq(table_size(moi_statuses), 4);
    label_is(moi_statuses, "submitted", "En attente de validation");
    label_is(moi_statuses, "published", "Publi\xC3\xA9");
    label_is(moi_statuses, "rejected", "Refus\xC3\xA9");
    label_is(moi_statuses, "cancelled", "Annul\xC3\xA9");
}
END_TEST

START_TEST(unknown_codes)
{
    ck_assert_ptr_null(moi_code_lookup(moi_formats, NULL));
    ck_assert_ptr_null(moi_code_lookup(moi_formats, ""));
    ck_assert_ptr_null(moi_code_lookup(moi_formats, "Presentiel"));
    ck_assert_ptr_null(moi_code_lookup(moi_formats, "presentiel "));
    ck_assert_ptr_null(moi_code_lookup(moi_formats, "present"));
    ck_assert_ptr_null(moi_code_lookup(moi_formats, "En ligne"));
    ck_assert_ptr_null(moi_code_lookup(moi_event_types, "atelier"));
    ck_assert_ptr_null(moi_code_lookup(moi_audiences, "moteur"));
    ck_assert_ptr_null(moi_code_lookup(moi_statuses, "draft"));
    ck_assert_ptr_null(moi_code_lookup(moi_organization_types, "etat\n"));
}
END_TEST

START_TEST(codes_are_distinct_identifiers)
{
    const moi_code_label *tables[] = {
        moi_formats,       moi_event_types,        moi_audiences,
        moi_accessibility, moi_organization_types, moi_statuses};
    size_t t;

    for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        int i, j;
        for (i = 0; tables[t][i].code; i++) {
            const char *c = tables[t][i].code;
            ck_assert_msg(*c && strspn(c, "abcdefghijklmnopqrstuvwxyz_") == strlen(c),
                          "code '%s'", c);
            ck_assert_ptr_nonnull(tables[t][i].label);
            for (j = 0; j < i; j++) {
                ck_assert_str_ne(tables[t][j].code, c);
            }
            ck_assert_ptr_eq(moi_code_lookup(tables[t], c), tables[t][i].label);
        }
    }
}
END_TEST

Suite *codes_suite(void)
{
    Suite *s = suite_create("codes");
    TCase *tc = unit_tcase("tables");

    tcase_add_test(tc, formats);
    tcase_add_test(tc, event_types);
    tcase_add_test(tc, audiences);
    tcase_add_test(tc, accessibility);
    tcase_add_test(tc, organization_types);
    tcase_add_test(tc, statuses);
    tcase_add_test(tc, unknown_codes);
    tcase_add_test(tc, codes_are_distinct_identifiers);
    suite_add_tcase(s, tc);
    return s;
}
