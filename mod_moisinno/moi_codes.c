#include <string.h>
#include "moi_codes.h"

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
