#include <string.h>
#include <apr_strings.h>
#include "moi_codes.h"
#include "moi_parse.h"

const moi_code_label moi_formats[] = {{"presentiel", "En présentiel"},
                                      {"en_ligne", "En ligne"},
                                      {"hybride", "Hybride"},
                                      {NULL, NULL}};

const moi_code_label moi_event_types[] = {
    {"presentation_initiative", "Présentation d'initiative"},
    {"atelier_participatif", "Atelier participatif"},
    {"table_ronde", "Table ronde"},
    {"session_creative", "Session créative"},
    {"demonstration_outil", "Démonstration d'outil"},
    {"exposition", "Exposition"},
    {"visite", "Visite"},
    {"conference", "Conférence"},
    {"webinaire", "Webinaire"},
    {"autre", "Autre"},
    {NULL, NULL}};

const moi_code_label moi_audiences[] = {{"agents", "Agents publics"},
                                        {"encadrants", "Encadrants"},
                                        {"elus", "Élus"},
                                        {"usagers", "Usagers"},
                                        {"grand_public", "Grand public"},
                                        {NULL, NULL}};

const moi_code_label moi_accessibility[] = {{"moteur", "Handicap moteur"},
                                            {"auditif", "Handicap auditif"},
                                            {"visuel", "Handicap visuel"},
                                            {"mental", "Handicap mental"},
                                            {"psychique", "Handicap psychique"},
                                            {NULL, NULL}};

const moi_code_label moi_organization_types[] = {
    {"etat", "État"},
    {"collectivite", "Collectivité territoriale"},
    {"sanitaire_social", "Établissement sanitaire ou social"},
    {"autre", "Autre"},
    {NULL, NULL}};

const moi_code_label moi_statuses[] = {{"submitted", "En attente de validation"},
                                       {"published", "Publié"},
                                       {"rejected", "Refusé"},
                                       {"cancelled", "Annulé"},
                                       {NULL, NULL}};

const char *moi_code_lookup(const moi_code_label *table, const char *code)
{
    if (!code) {
        return NULL;
    }
    for (; table->code; table++) {
        if (!strcmp(table->code, code)) {
            return table->label;
        }
    }
    return NULL;
}

const char *const moi_month_names[12] = {"janvier", "février", "mars",      "avril",
                                         "mai",     "juin",    "juillet",   "août",
                                         "septembre", "octobre", "novembre", "décembre"};
const char *const moi_weekday_names[7] = {"dimanche", "lundi",    "mardi", "mercredi",
                                          "jeudi",    "vendredi", "samedi"};

const char *moi_date_long(apr_pool_t *p, int y, int m, int d)
{
    long days = moi_days_from_civil(y, m, d);
    int wd = (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    return apr_psprintf(p, "%s %d%s %s %d", moi_weekday_names[wd], d, d == 1 ? "er" : "",
                        moi_month_names[m - 1], y);
}
