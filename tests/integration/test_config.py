"""Directives: good values load, bad values stop httpd with the directive's name."""
import pytest


def test_example_config_parses(httpd):
    res = httpd.configtest(httpd.render())
    assert res.returncode == 0, res.stderr
    assert "Syntax OK" in res.stderr


LAYOUT = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{title}} — Portail</title>{{head}}</head>
<body><header><p>Bandeau du portail</p><nav>{{navigation}}</nav></header>
<main id="contenu">{{content}}</main><footer>Pied du portail — {{base}}</footer></body></html>
"""


def test_every_directive_accepts_a_good_value(httpd, tmp_path):
    (tmp_path / "layout.html").write_text(LAYOUT)
    text = httpd.render(
        location_extra=f"""
    MoisInnoSubmissionDeadline 2022-10-29T23:59:59+02:00
    MoisInnoModeration Off
    MoisInnoAdmins equipe@modernisation.gouv.fr Autre@Example.FR
    MoisInnoSignupDomains gouv.fr fr
    MoisInnoSessionTimeout 600 3600
    MoisInnoSecureCookies Auto
    MoisInnoPageSize 50
    MoisInnoCacheTTL 0
    MoisInnoTemplateDir {tmp_path}
"""
    )
    res = httpd.configtest(text)
    assert res.returncode == 0, res.stderr


BAD = [
    ("MoisInnoEdition 22 2022-11-02 2022-11-30", "MoisInnoEdition"),
    ("MoisInnoEdition 2022 2022-11-31 2022-11-30", "MoisInnoEdition"),
    ("MoisInnoEdition 2022 2022-11-30 2022-11-02", "MoisInnoEdition"),
    ("MoisInnoEdition 2022 02/11/2022 2022-11-30", "MoisInnoEdition"),
    ("MoisInnoEdition 2023 2022-11-02 2022-11-30", "MoisInnoEdition"),
    ("MoisInnoEdition 2022 2022-11-02", "MoisInnoEdition"),
    ("MoisInnoSubmissionDeadline 2022-10-29", "MoisInnoSubmissionDeadline"),
    ("MoisInnoSubmissionDeadline 2022-10-29T23:59:59", "MoisInnoSubmissionDeadline"),
    ("MoisInnoSubmissionDeadline 2022-10-29T25:00:00+02:00", "MoisInnoSubmissionDeadline"),
    ("MoisInnoSubmissionDeadline demain", "MoisInnoSubmissionDeadline"),
    ("MoisInnoModeration Oui", "MoisInnoModeration"),
    ("MoisInnoModeration", "MoisInnoModeration"),
    ("MoisInnoAdmins pas-une-adresse", "MoisInnoAdmins"),
    ("MoisInnoAdmins a@b", "MoisInnoAdmins"),
    ("MoisInnoSignupDomains gouv..fr", "MoisInnoSignupDomains"),
    ("MoisInnoSignupDomains @gouv.fr", "MoisInnoSignupDomains"),
    ("MoisInnoSessionTimeout 0 3600", "MoisInnoSessionTimeout"),
    ("MoisInnoSessionTimeout 7200 3600", "MoisInnoSessionTimeout"),
    ("MoisInnoSessionTimeout 60s 3600", "MoisInnoSessionTimeout"),
    ("MoisInnoSessionTimeout 600", "MoisInnoSessionTimeout"),
    ("MoisInnoSecureCookies Sometimes", "MoisInnoSecureCookies"),
    ("MoisInnoPageSize 0", "MoisInnoPageSize"),
    ("MoisInnoPageSize 101", "MoisInnoPageSize"),
    ("MoisInnoPageSize 20abc", "MoisInnoPageSize"),
    ("MoisInnoPageSize -5", "MoisInnoPageSize"),
    ("MoisInnoCacheTTL -1", "MoisInnoCacheTTL"),
    ("MoisInnoCacheTTL 99999999999999999999", "MoisInnoCacheTTL"),
    ("MoisInnoTemplateDir /nonexistent/templates", "MoisInnoTemplateDir"),
    ("MoisInnoTemplateDir /tmp", "MoisInnoTemplateDir"),
]


@pytest.mark.parametrize("line,name", BAD)
def test_bad_location_directive_fails_configtest(httpd, line, name):
    res = httpd.configtest(httpd.render(location_extra="    " + line))
    assert res.returncode != 0
    assert name in res.stderr, res.stderr


@pytest.mark.parametrize(
    "uri",
    ["http://127.0.0.1:27017/", "mongodb://", "mongodb://host:notaport/", "pas une uri"],
)
def test_bad_mongo_uri_fails_configtest(httpd, uri):
    res = httpd.configtest(httpd.render(mongo_uri=uri))
    assert res.returncode != 0
    assert "MoisInnoMongoURI" in res.stderr, res.stderr


@pytest.mark.parametrize("name", ["a.b", "with space", "dollar$", "x" * 64])
def test_bad_database_name_fails_configtest(httpd, name):
    text = httpd.render().replace(
        f"MoisInnoDatabase {httpd.database}", f'MoisInnoDatabase "{name}"'
    )
    res = httpd.configtest(text)
    assert res.returncode != 0
    assert "MoisInnoDatabase" in res.stderr, res.stderr


def test_mongo_uri_is_server_scope_only(httpd):
    res = httpd.configtest(
        httpd.render(location_extra="    MoisInnoMongoURI mongodb://127.0.0.1:1/")
    )
    assert res.returncode != 0
    assert "MoisInnoMongoURI" in res.stderr


def test_missing_edition_fails_configtest(httpd):
    text = httpd.render().replace("MoisInnoEdition 2022 2022-11-02 2022-11-30", "")
    res = httpd.configtest(text)
    assert res.returncode != 0
    assert "MoisInnoEdition" in res.stderr, res.stderr


def test_edition_at_server_level_is_enough(httpd):
    text = httpd.render(server_extra="MoisInnoEdition 2022 2022-11-02 2022-11-30").replace(
        "    MoisInnoEdition 2022 2022-11-02 2022-11-30", ""
    )
    res = httpd.configtest(text)
    assert res.returncode == 0, res.stderr


def test_archive_location_needs_its_own_edition_or_an_enclosing_one(httpd):
    archive = """
<Location "/archives/2021">
    SetHandler moisinno
</Location>
"""
    res = httpd.configtest(httpd.render() + archive)
    assert res.returncode != 0
    assert "/archives/2021" in res.stderr
    nested = """
<Location "/mois-innovation/2021">
    SetHandler moisinno
</Location>
"""
    res = httpd.configtest(httpd.render() + nested)
    assert res.returncode == 0, res.stderr


def test_location_match_is_refused(httpd):
    text = httpd.render() + """
<LocationMatch "^/programme-[0-9]+">
    SetHandler moisinno
    MoisInnoEdition 2022 2022-11-02 2022-11-30
</LocationMatch>
"""
    res = httpd.configtest(text)
    assert res.returncode != 0
    assert "LocationMatch" in res.stderr, res.stderr


def test_annotated_example_parses(httpd, tmp_path):
    """conf/moisinno.conf.example is a working configuration."""
    import os

    (tmp_path / "layout.html").write_text(LAYOUT)
    from moienv import MODULE, SOURCE

    with open(os.path.join(SOURCE, "conf", "moisinno.conf.example")) as f:
        example = f.read()
    example = example.replace("/usr/lib/apache2/modules/mod_moisinno.so", MODULE)
    example = example.replace("# MoisInnoTemplateDir /etc/apache2/moisinno/templates",
                              f"MoisInnoTemplateDir {tmp_path}")
    base = httpd.render()
    # Keep the server frame (MPM, logs, listen) and use the example for the module.
    frame = "\n".join(
        l for l in base.splitlines()
        if not l.startswith(("LoadModule moisinno_module", "MoisInno", "<Location", "</Location",
                             "    SetHandler", "    MoisInno", "    Require all granted"))
    )
    res = httpd.configtest(frame + "\n" + example)
    assert res.returncode == 0, res.stderr


def test_every_directive_is_documented():
    """The directive table in the code, the README and the example agree."""
    import os
    import re

    from moienv import SOURCE

    with open(os.path.join(SOURCE, "mod_moisinno", "mod_moisinno_config.c")) as f:
        code = set(re.findall(r'AP_INIT_\w+\("(MoisInno\w+)"', f.read()))
    with open(os.path.join(SOURCE, "README.md")) as f:
        readme = set(re.findall(r"^\| `(MoisInno\w+)", f.read(), re.M))
    with open(os.path.join(SOURCE, "conf", "moisinno.conf.example")) as f:
        example = set(re.findall(r"^\s*# (MoisInno\w+) ", f.read(), re.M))
    assert len(code) == 12
    assert code == readme
    assert code == example


@pytest.mark.parametrize(
    "layout,why",
    [
        ("<html>{{contenu}}</html>", "unknown placeholder"),
        ("<html>{{title}}</html>", "no {{content}}"),
        ("<html>{{content</html>", "without its"),
    ],
)
def test_bad_layout_fails_configtest(httpd, tmp_path, layout, why):
    (tmp_path / "layout.html").write_text(layout)
    res = httpd.configtest(httpd.render(location_extra=f"    MoisInnoTemplateDir {tmp_path}"))
    assert res.returncode != 0
    assert "MoisInnoTemplateDir" in res.stderr and why in res.stderr, res.stderr


def test_layout_frames_the_pages(httpd, db_up, tmp_path):
    import os

    import requests

    tdir = tmp_path / "gabarits"
    tdir.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(tdir, 0o755)
    (tdir / "layout.html").write_text(LAYOUT)
    httpd.write_config(location_extra=f"    MoisInnoTemplateDir {tdir}")
    httpd.graceful()
    try:
        for path in ("/", "/compte/connexion", "/pas-de-page"):
            r = requests.get(httpd.url + path, timeout=10, headers={"Connection": "close"})
            assert "Bandeau du portail" in r.text, path
            assert "Pied du portail — /mois-innovation" in r.text
            assert "/mois-innovation/static/moisinno.css" in r.text
            assert "{{" not in r.text
        r = requests.get(httpd.url + "/compte/connexion", timeout=10)
        assert "<title>Se connecter — Portail</title>" in r.text
        assert 'name="csrf"' in r.text
    finally:
        httpd.write_config()
        httpd.graceful()
