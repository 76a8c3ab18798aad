"""The OpenAPI description of the JSON API (DESIGN §7): served as written,
valid OpenAPI 3.1, and true to the live API.

The last three tests drive the live API with schemathesis: cases generated
from the document (weird strings included) plus valid events generated
here, sent anonymously, as a logged-in organiser, and with the database
stopped.  Every answer must be documented (status, content type, headers,
body schema) and none may be a server error (but 503 without the
database).  Each operation gets MOI_FUZZ_EXAMPLES cases (default 25);
each test stops generating after MOI_FUZZ_BUDGET seconds (default 40).
MOI_FUZZ_SEED=N replays a run (the seed is printed in every report).
"""
import csv
import http.cookiejar
import json
import os
import random
import re
import time
from collections import Counter, defaultdict

from hypothesis.configuration import set_hypothesis_home_dir

from moienv import SOURCE, httpd_recovers

# Hypothesis's caches go under var/, not into the work tree (before
# schemathesis, which fills them as it loads).
set_hypothesis_home_dir(os.path.join(SOURCE, "var", "hypothesis"))

import pytest  # noqa: E402
import requests  # noqa: E402
import schemathesis  # noqa: E402
from bson import ObjectId
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts_helpers import PASSWORD, SESSION_COOKIE, new_account  # noqa: E402
from events_helpers import announce_change  # noqa: E402

DOC_PATH = os.path.join(SOURCE, "htdocs", "openapi.json")
DOC_URL = "/api/v1/openapi.json"

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schemathesis.check
def no_server_error_but_unavailable(ctx, response, case):
    """With the database down, 503 (documented, with Retry-After) is the
    one 5xx allowed."""
    if response.status_code >= 500 and response.status_code != 503:
        raise AssertionError(f"Server error {response.status_code}")


@schemathesis.check
def programme_kept_when_database_down(ctx, response, case):
    """DESIGN §3: when the database is down, the programme keeps being
    served from the last snapshot (only writes get 503)."""
    if case.operation.label == "GET /api/v1/events" and response.status_code == 503:
        raise AssertionError(
            "The programme answered 503 with the database down, although it had been "
            "served just before: DESIGN §3 wants it served from the last snapshot.")


DOWN_CHECKS = [no_server_error_but_unavailable, programme_kept_when_database_down] + CHECKS[1:]
EXAMPLES = int(os.environ.get("MOI_FUZZ_EXAMPLES") or 25)
BUDGET = float(os.environ.get("MOI_FUZZ_BUDGET") or 40)
SEED = int(os.environ.get("MOI_FUZZ_SEED") or random.randrange(2**32))

with open(os.path.join(SOURCE, "data", "departements.csv"), encoding="utf-8") as _f:
    DEPARTMENTS = list(csv.DictReader(_f))
REGIONS = sorted({d["region_code"] for d in DEPARTMENTS})

FORMATS = ["presentiel", "en_ligne", "hybride"]
TYPES = ["presentation_initiative", "atelier_participatif", "table_ronde", "session_creative",
         "demonstration_outil", "exposition", "visite", "conference", "webinaire", "autre"]
AUDIENCES = ["agents", "encadrants", "elus", "usagers", "grand_public"]
ACCESSIBILITY = ["moteur", "auditif", "visuel", "mental", "psychique"]

# The operations of the API (mod_moisinno.c's routes under /api/).
OPERATIONS = {
    ("/api/v1/session", "get"), ("/api/v1/session", "post"), ("/api/v1/session", "delete"),
    ("/api/v1/events", "get"), ("/api/v1/events", "post"),
    ("/api/v1/events/{id}", "get"), ("/api/v1/events/{id}", "put"),
    ("/api/v1/events/{id}", "patch"), ("/api/v1/events/{id}", "delete"),
    ("/api/v1/openapi.json", "get"),
}


def load_document():
    with open(DOC_PATH, "rb") as f:
        return f.read()


# ---- the document ------------------------------------------------------------


def test_openapi_document_is_served_as_written(httpd):
    raw = load_document()
    r = requests.get(httpd.url + DOC_URL, timeout=10)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    assert r.content == raw, "the served document differs from htdocs/openapi.json (make?)"
    etag = r.headers.get("ETag")
    assert etag
    again = requests.get(httpd.url + DOC_URL, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304
    assert again.content == b""


def test_openapi_document_is_valid_and_complete():
    doc = json.loads(load_document())
    validate(doc)  # openapi-spec-validator: OpenAPI 3.1 with its JSON Schema dialect
    assert doc["openapi"].startswith("3.1.")
    ops = {(p, m) for p, item in doc["paths"].items() for m in item
           if m in ("get", "post", "put", "patch", "delete")}
    assert ops == OPERATIONS
    schemas = doc["components"]["schemas"]
    assert schemas["Department"]["enum"] == [d["code"] for d in DEPARTMENTS]
    assert schemas["Region"]["enum"] == REGIONS
    assert schemas["Format"]["enum"] == FORMATS
    assert schemas["EventType"]["enum"] == TYPES
    assert schemas["Audience"]["enum"] == AUDIENCES
    assert schemas["Accessibility"]["enum"] == ACCESSIBILITY
    region_filter = doc["components"]["parameters"]["region"]["schema"]["items"]["enum"]
    assert region_filter == REGIONS + ["national"]
    # Every field of the event JSON (DESIGN §7), and nothing else.
    assert set(schemas["Event"]["properties"]) == set(schemas["Event"]["required"]) == {
        "id", "title", "summary", "description", "type", "format", "audience",
        "accessibility", "starts_at", "ends_at", "timezone", "region", "department", "city",
        "venue", "address", "online_url", "registration_url", "lab", "organizer_name",
        "organization", "status", "url", "created_at", "updated_at", "version"}
    security = doc["components"]["securitySchemes"]
    assert security["sessionCookie"] == {**security["sessionCookie"], "type": "apiKey",
                                         "in": "cookie", "name": "moisinno_session"}
    assert security["csrfToken"] == {**security["csrfToken"], "type": "apiKey",
                                     "in": "header", "name": "X-CSRF-Token"}
    writes = {(p, m) for p, m in OPERATIONS if m != "get"} - {("/api/v1/session", "post")}
    for path, method in writes:
        assert doc["paths"][path][method]["security"] == [
            {"sessionCookie": [], "csrfToken": []}], (path, method)


# ---- generated data ----------------------------------------------------------

# Text as people type it, accents and symbols included; now and then only
# spaces or characters the rules refuse (then 422 is the right answer, or
# 400 for a NUL).
_chars = st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"))


def _text(lo, hi):
    return st.one_of(
        st.text(_chars, min_size=lo, max_size=hi).filter(lambda s: len(s.strip()) >= lo),
        st.text(min_size=lo, max_size=hi),
    )


@st.composite
def valid_events(draw):
    """Bodies that follow every rule of DESIGN §7 for the 2022 edition."""
    fmt = draw(st.sampled_from(FORMATS))
    ev = {
        "title": draw(_text(5, 150)),
        "summary": draw(_text(1, 300)),
        "type": draw(st.sampled_from(TYPES)),
        "format": fmt,
        "audience": draw(st.lists(st.sampled_from(AUDIENCES), min_size=1, max_size=6)),
    }
    if draw(st.booleans()):
        ev["description"] = draw(st.one_of(st.none(), _text(0, 2000)))
    if draw(st.booleans()):
        ev["accessibility"] = draw(st.lists(st.sampled_from(ACCESSIBILITY), max_size=5))
    if fmt != "en_ligne" or draw(st.booleans()):
        dep = draw(st.sampled_from(DEPARTMENTS))
        ev["department"] = dep["code"]
        if draw(st.booleans()):
            ev["region"] = dep["region_code"]
        ev["city"] = draw(_text(1, 200))
        ev["address"] = draw(_text(1, 200))
        if draw(st.booleans()):
            ev["venue"] = draw(_text(0, 200))
    if fmt != "presentiel" or draw(st.booleans()):
        host = draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}\.(gouv\.fr|fr|org)", fullmatch=True))
        path = draw(st.one_of(
            st.from_regex(r"[A-Za-z0-9._~/-]{0,40}", fullmatch=True),
            # The server keeps any other character as it is.
            st.text(st.characters(codec="utf-8", min_codepoint=0x21,
                                  exclude_characters='"<>\\\x7f'), max_size=40),
        ))
        key = draw(st.sampled_from(["online_url", "registration_url"]))
        ev[key] = draw(st.sampled_from(["https", "http", "HTTPS"])) + "://" + host + "/" + path
    day = draw(st.integers(2, 30))
    if draw(st.booleans()):
        start = draw(st.integers(0, 22 * 60))
        end = draw(st.integers(start + 1, 23 * 60 + 59))
        ev["starts_at"] = f"2022-11-{day:02d}T{start // 60:02d}:{start % 60:02d}"
        ev["ends_at"] = f"2022-11-{day:02d}T{end // 60:02d}:{end % 60:02d}"
    else:
        # RFC 3339 around midday: the same day in every zone of the departments.
        day = min(day, 29)
        ev["starts_at"] = f"2022-11-{day:02d}T10:00:00+01:00"
        ev["ends_at"] = f"2022-11-{day:02d}T{draw(st.integers(11, 14))}:30:00.5+01:00"
    if draw(st.booleans()):
        ev["lab"] = draw(st.booleans())
    if draw(st.booleans()):
        ev["organizer_name"] = draw(_text(1, 200))
        ev["organization"] = draw(_text(1, 200))
    return ev


def seed_event(**over):
    """A valid in-person event."""
    ev = {
        "title": "Atelier de design des services publics",
        "summary": "Une matinée pour tester ensemble un parcours usager.",
        "description": "Accueil, ateliers, restitution.",
        "type": "atelier_participatif",
        "format": "presentiel",
        "audience": ["agents", "elus"],
        "accessibility": ["moteur"],
        "starts_at": "2022-11-10T09:00",
        "ends_at": "2022-11-10T12:30",
        "region": "75",
        "department": "33",
        "city": "Bordeaux",
        "venue": "Préfecture",
        "address": "2 esplanade Charles-de-Gaulle",
        "registration_url": "https://www.example.gouv.fr/atelier",
        "lab": True,
    }
    ev.update(over)
    return ev


# ---- the runner --------------------------------------------------------------


class Fuzz:
    """Sends generated cases to the live API and collects what the checks
    find, without stopping at the first failure (nor shrinking it)."""

    def __init__(self, httpd, budget=BUDGET, checks=CHECKS):
        self.base = httpd.url
        self.checks = checks
        self.schema = schemathesis.openapi.from_url(self.base + DOC_URL, timeout=10)
        self.deadline = time.monotonic() + budget
        self.http = requests.Session()
        # The cookies each case sends are its own: none is kept from an answer.
        self.http.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.failures = {}  # (operation, failure title) -> [count, first report]
        self.statuses = defaultdict(Counter)
        self.calls = 0
        self.started = time.monotonic()

    def op(self, path, method):
        return self.schema[path][method.upper()]

    def run(self, path, method, strategy=None, examples=EXAMPLES, **fixed):
        """Runs `examples` cases of one operation: from `strategy` if given,
        else generated from the document with the `fixed` parts."""
        operation = self.op(path, method)
        strategy = strategy if strategy is not None else operation.as_strategy(**fixed)

        @seed(SEED)
        @settings(max_examples=examples, deadline=None, database=None, print_blob=False,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def cases(case):
            if time.monotonic() < self.deadline:
                self.send(case)

        cases()

    def send(self, case):
        label = case.operation.label
        self.calls += 1
        try:
            response = case.call(base_url=self.base, session=self.http, timeout=15,
                                 allow_redirects=False)
        except requests.RequestException as exc:
            self._record(label, "no answer", f"{exc!r}\n\n{case.as_curl_command()}")
            return None
        finally:
            self.http.cookies.clear()
        self.statuses[label][response.status_code] += 1
        try:
            case.validate_response(response, checks=self.checks,
                                   transport_kwargs={"base_url": self.base})
        except FailureGroup as group:
            for failure in group.exceptions:
                self._record(label, failure.title, group.message)
        return response

    def _record(self, label, title, report):
        entry = self.failures.setdefault((label, title), [0, report])
        entry[0] += 1

    def summary(self):
        lines = [f"{self.calls} requests in {time.monotonic() - self.started:.1f} s "
                 f"(MOI_FUZZ_SEED={SEED}):"]
        for label, counts in self.statuses.items():
            lines.append(f"  {label}: " + ", ".join(f"{s}×{n}" for s, n in
                                                    sorted(counts.items())))
        return "\n".join(lines)

    def assert_clean(self):
        if not self.failures:
            print(self.summary())
            return
        parts = [f"{len(self.failures)} kind(s) of failure: the live API disagrees with "
                 f"htdocs/openapi.json or DESIGN.md (replay with MOI_FUZZ_SEED={SEED}):"]
        for (label, title), (count, report) in self.failures.items():
            parts.append(f"\n=== {label}: {title} ({count}×)\n{_redact(report)}")
        parts.append("\n" + self.summary())
        pytest.fail("\n".join(parts), pytrace=False)


def _redact(text):
    return re.sub(rf"{SESSION_COOKIE}=[A-Za-z0-9_-]+", f"{SESSION_COOKIE}=…", text)


class Organiser:
    """A new organiser account with an API session; removes its events
    from the database when done."""

    def __init__(self, httpd, db):
        self.httpd, self.db = httpd, db
        c, self.email = new_account(httpd)
        c.close()
        r = requests.post(httpd.url + "/api/v1/session", timeout=30,
                          json={"email": self.email, "password": PASSWORD})
        assert r.status_code == 200, (r.status_code, r.text)
        self.token = r.cookies[SESSION_COOKIE]
        self.csrf = r.json()["csrf_token"]
        self.id = r.json()["organizer"]["id"]
        # What schemathesis sends with every case of a write.
        self.auth = {"cookies": {SESSION_COOKIE: self.token},
                     "headers": {"X-CSRF-Token": self.csrf}}

    def create(self, body, status=None):
        """Creates an event through the API; status sets it in the database
        (moderation's effect)."""
        r = requests.post(self.httpd.url + "/api/v1/events", json=body, timeout=15,
                          headers={"X-CSRF-Token": self.csrf},
                          cookies={SESSION_COOKIE: self.token})
        assert r.status_code == 201, (r.status_code, r.text)
        event = r.json()
        if status:
            with self.db.client() as client:
                res = client[self.httpd.database].events.update_one(
                    {"_id": ObjectId(event["id"])},
                    {"$set": {"status": status}, "$inc": {"version": 1}})
                assert res.modified_count == 1
                announce_change(client[self.httpd.database])
        return event

    def remove_events(self):
        with self.db.client() as client:
            client[self.httpd.database].events.delete_many(
                {"organizer_id": ObjectId(self.id)})
            announce_change(client[self.httpd.database])


@pytest.fixture()
def organiser(httpd, db_up):
    o = Organiser(httpd, db_up)
    yield o
    o.remove_events()


# ---- the live API ------------------------------------------------------------


def test_schemathesis_anonymous(httpd, organiser):
    """What anyone may send: the programme and its filters, events, the
    document, the session without a cookie, logins with made-up accounts."""
    published = organiser.create(seed_event(), "published")
    cancelled = organiser.create(seed_event(format="hybride"), "cancelled")
    hidden = organiser.create(seed_event(format="en_ligne", region=None, department=None))
    etag = requests.get(f"{httpd.url}/api/v1/events/{published['id']}", timeout=10).headers[
        "ETag"]

    fuzz = Fuzz(httpd)
    fuzz.run("/api/v1/events", "get")
    fuzz.run("/api/v1/events", "get", examples=10, query={"per_page": 1})
    get_event = fuzz.op("/api/v1/events/{id}", "get")
    ids = [published["id"], cancelled["id"], hidden["id"]]
    fuzz.run("/api/v1/events/{id}", "get", strategy=st.one_of(
        get_event.as_strategy(),
        st.sampled_from(ids).flatmap(
            lambda i: get_event.as_strategy(path_parameters={"id": i})),
        get_event.as_strategy(path_parameters={"id": published["id"]},
                              headers={"If-None-Match": etag}),
    ))
    fuzz.run(DOC_URL, "get", examples=5)
    fuzz.run("/api/v1/session", "get", examples=10)
    fuzz.run("/api/v1/session", "post", examples=15)
    fuzz.run("/api/v1/session", "delete", examples=10)
    fuzz.run("/api/v1/events", "post", examples=10)
    fuzz.assert_clean()


def test_schemathesis_organiser(httpd, organiser):
    """What a logged-in organiser may send: events created, read, replaced,
    patched and deleted, from the document's schemas and from valid events
    generated here; then the session closed."""
    auth = organiser.auth
    own = [organiser.create(seed_event(title=f"Événement témoin {i}"), status)
           for i, status in enumerate([None, "published", "cancelled", "rejected"])]
    ids = st.sampled_from([e["id"] for e in own])

    fuzz = Fuzz(httpd)
    create = fuzz.op("/api/v1/events", "post")
    fuzz.run("/api/v1/events", "post", **auth)
    fuzz.run("/api/v1/events", "post", strategy=valid_events().flatmap(
        lambda body: create.as_strategy(body=body, **auth)))

    get_event = fuzz.op("/api/v1/events/{id}", "get")
    fuzz.run("/api/v1/events/{id}", "get", examples=10, strategy=ids.flatmap(
        lambda i: get_event.as_strategy(path_parameters={"id": i}, cookies=auth["cookies"])))

    patch = fuzz.op("/api/v1/events/{id}", "patch")
    fuzz.run("/api/v1/events/{id}", "patch", strategy=st.one_of(
        patch.as_strategy(**auth),
        ids.flatmap(lambda i: patch.as_strategy(path_parameters={"id": i}, **auth)),
    ))

    put = fuzz.op("/api/v1/events/{id}", "put")
    names = {"organizer_name": "Camille Agent", "organization": "Préfecture de la Gironde"}
    fuzz.run("/api/v1/events/{id}", "put", strategy=st.one_of(
        put.as_strategy(**auth),
        ids.flatmap(lambda i: put.as_strategy(path_parameters={"id": i}, **auth)),
        st.tuples(ids, valid_events()).flatmap(lambda t: put.as_strategy(
            path_parameters={"id": t[0]}, body={**names, **t[1]}, **auth)),
    ))

    delete = fuzz.op("/api/v1/events/{id}", "delete")
    fuzz.run("/api/v1/events/{id}", "delete", strategy=st.one_of(
        delete.as_strategy(**auth),
        ids.flatmap(lambda i: delete.as_strategy(path_parameters={"id": i}, **auth)),
    ))

    fuzz.run("/api/v1/session", "get", examples=5, cookies=auth["cookies"])
    fuzz.run("/api/v1/session", "delete", examples=5, **auth)  # logs out: last
    fuzz.assert_clean()


def test_schemathesis_database_down(httpd, db_up, organiser):
    """Without the database: every operation still answers as documented,
    503 with Retry-After where it needs the database; the programme is
    served from the last snapshot."""
    event = organiser.create(seed_event(), "published")
    fuzz = Fuzz(httpd, checks=DOWN_CHECKS)
    # Every child serves the programme once (new connections spread over them).
    for _ in range(16):
        r = requests.get(httpd.url + "/api/v1/events", headers={"Connection": "close"},
                         timeout=10)
        assert r.status_code == 200, (r.status_code, r.text)
    httpd.expect_log(r"MOI00101")
    db_up.stop()
    try:
        for path, method in sorted(OPERATIONS):
            anonymous = (path, method) in {("/api/v1/session", "post"),
                                           ("/api/v1/events", "get"), (DOC_URL, "get")}
            fixed = {} if anonymous else dict(organiser.auth)
            if "{id}" in path:
                fixed["path_parameters"] = {"id": event["id"]}
            listing = (path, method) == ("/api/v1/events", "get")
            fuzz.run(path, method, examples=3 if listing else 1, **fixed)
    finally:
        db_up.start()
    assert httpd_recovers(httpd), "every child answers 200 again within 15 s"
    fuzz.assert_clean()
