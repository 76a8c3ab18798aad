#include <string.h>
#include <apr_strings.h>
#include "moi_view_account.h"

static const char *notice_html(apr_pool_t *p, const char *notice)
{
    if (!notice || !*notice) {
        return "";
    }
    return apr_pstrcat(p, "<p class=\"info\" role=\"status\">", moi_html_escape(p, notice),
                       "</p>\n", NULL);
}

static const char *org_type_select(apr_pool_t *p, const char *value,
                                   const apr_array_header_t *errors)
{
    const char *err = moi_html_field_error(errors, "organization_type");
    const char *opts = "<option value=\"\">— Choisir —</option>";
    const moi_code_label *t;
    for (t = moi_organization_types; t->code; t++) {
        opts = apr_pstrcat(p, opts, "<option value=\"", t->code, "\"",
                           value && !strcmp(value, t->code) ? " selected" : "", ">",
                           moi_html_escape(p, t->label), "</option>", NULL);
    }
    return apr_pstrcat(
        p, "<div class=\"champ", err ? " champ-erreur" : "", "\">\n",
        "<label for=\"organization_type\">Type d'organisation "
        "<span class=\"requis\">(obligatoire)</span></label>\n",
        err ? apr_pstrcat(p, "<p class=\"erreur\" id=\"organization_type-erreur\">",
                          moi_html_escape(p, err), "</p>\n", NULL)
            : "",
        "<select id=\"organization_type\" name=\"organization_type\" required",
        err ? " aria-invalid=\"true\" aria-describedby=\"organization_type-erreur\"" : "", ">",
        opts, "</select>\n</div>\n", NULL);
}

const char *moi_view_signup(apr_pool_t *p, const char *base, const moi_signup *v,
                            const apr_array_header_t *errors, const char *csrf)
{
    const char *b = moi_html_escape(p, base);
    return apr_pstrcat(
        p, "<h1>Créer un compte organisateur</h1>\n",
        moi_html_error_summary(p, errors),
        "<p>Les agents publics qui organisent un événement du Mois de l'innovation publique "
        "créent un compte pour le référencer, puis le modifier à tout moment.</p>\n"
        "<form method=\"post\" action=\"", b, "/compte/inscription\" novalidate>\n",
        moi_html_hidden(p, "csrf", csrf),
        moi_html_input(p, "email", "email", "Adresse électronique professionnelle", v->email,
                       "email", 1, "Exemple : prenom.nom@ministere.gouv.fr", errors),
        moi_html_input(p, "password", "password", "Mot de passe", NULL, "new-password", 1,
                       "Au moins 12 caractères.", errors),
        moi_html_input(p, "password", "password_confirm", "Confirmation du mot de passe", NULL,
                       "new-password", 1, NULL, errors),
        moi_html_input(p, "text", "name", "Nom et prénom", v->name, "name", 1, NULL, errors),
        moi_html_input(p, "text", "organization", "Organisation", v->organization,
                       "organization", 1, "Exemple : Préfecture de la Gironde", errors),
        org_type_select(p, v->organization_type, errors),
        "<p><button type=\"submit\">Créer mon compte</button></p>\n</form>\n"
        "<p>Déjà inscrit ? <a href=\"", b, "/compte/connexion\">Se connecter</a></p>\n",
        NULL);
}

const char *moi_view_login(apr_pool_t *p, const char *base, const char *email,
                           const char *retour, const apr_array_header_t *errors,
                           const char *notice, const char *csrf)
{
    const char *b = moi_html_escape(p, base);
    return apr_pstrcat(
        p, "<h1>Se connecter</h1>\n", notice_html(p, notice), moi_html_error_summary(p, errors),
        "<form method=\"post\" action=\"", b, "/compte/connexion\" novalidate>\n",
        moi_html_hidden(p, "csrf", csrf),
        retour && *retour ? moi_html_hidden(p, "retour", retour) : "",
        moi_html_input(p, "email", "email", "Adresse électronique", email, "username", 1, NULL,
                       errors),
        moi_html_input(p, "password", "password", "Mot de passe", NULL, "current-password", 1,
                       NULL, errors),
        "<p><button type=\"submit\">Se connecter</button></p>\n</form>\n"
        "<p>Pas encore de compte ? <a href=\"", b,
        "/compte/inscription\">Créer un compte organisateur</a></p>\n", NULL);
}

const char *moi_view_password(apr_pool_t *p, const char *base,
                              const apr_array_header_t *errors, const char *notice,
                              const char *csrf)
{
    const char *b = moi_html_escape(p, base);
    return apr_pstrcat(
        p, "<h1>Changer de mot de passe</h1>\n", notice_html(p, notice),
        moi_html_error_summary(p, errors),
        "<p>Le changement met fin à vos autres sessions ouvertes.</p>\n"
        "<form method=\"post\" action=\"", b, "/compte/mot-de-passe\" novalidate>\n",
        moi_html_hidden(p, "csrf", csrf),
        moi_html_input(p, "password", "current_password", "Mot de passe actuel", NULL,
                       "current-password", 1, NULL, errors),
        moi_html_input(p, "password", "password", "Nouveau mot de passe", NULL, "new-password",
                       1, "Au moins 12 caractères.", errors),
        moi_html_input(p, "password", "password_confirm", "Confirmation du nouveau mot de passe",
                       NULL, "new-password", 1, NULL, errors),
        "<p><button type=\"submit\">Changer le mot de passe</button></p>\n</form>\n", NULL);
}
