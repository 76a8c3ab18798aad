"""DESIGN §8 (security requirements), point by point, each test named
after the OWASP ASVS 4.0.3 requirement it proves (test_v<chapter>_<section>_
<item>_…), with the requirement quoted briefly in its docstring.
docs/SECURITY.md maps every requirement to the code that meets it and to
the test here that proves it.

This module runs its own httpd (it overrides the `httpd` fixture, so the
error-log check of conftest.py applies to it) on its own database, with a
configuration that exercises §8: moderation on, one admin, sign-up limited
to gouv.fr, session timeouts of 900 s idle and 7200 s absolute, the
programme snapshot refreshed at every request (so that a published event
is visible at once), and a second mount, /securise, with
MoisInnoSecureCookies On.  A third httpd, named https://… by its
ServerName, shows MoisInnoSecureCookies Auto on an HTTPS site.

Expiry is tested by moving a session's timestamps back in the database
(the module must compare them with the clock at every request, whatever
`expires_at` says); lockout windows likewise by moving failures back.
"""
import base64
import csv
import hashlib
import html
import io
import json
import os
import re
import secrets
import statistics
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pymongo
import pytest
import requests
from bson import ObjectId

from accounts_helpers import (
    CSRF_COOKIE,
    PASSWORD,
    SECRETS,
    SESSION_COOKIE,
    Client,
    address_key,
    client,
    cookie_attrs,
    cookie_line,
    csrf_from,
    new_account,
    set_cookies,
    token_digest,
    unique_email,
    with_cookie,
)
from events_helpers import Organiser, form_items, scan_event_form, tag, valid_form, valid_json
from moienv import Httpd, wait_for

DATABASE = "security_test"
SECURE_BASE = "/securise"
IDLE, ABSOLUTE = 900, 7200
CSP = "default-src 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
UTC = timezone.utc
ADMIN_EMAIL = f"moderation.{secrets.token_hex(4)}@modernisation.gouv.fr"
EVIL = "https://evil.example"


# ---- the servers ---------------------------------------------------------------------


def location_extra():
    return (f"    MoisInnoAdmins {ADMIN_EMAIL}\n"
            "    MoisInnoSignupDomains gouv.fr\n"
            f"    MoisInnoSessionTimeout {IDLE} {ABSOLUTE}\n"
            "    MoisInnoCacheTTL 0\n")


SECURE_MOUNT = f"""
<Location "{SECURE_BASE}">
    SetHandler moisinno
    Require all granted
    MoisInnoEdition 2022 2022-11-02 2022-11-30
    MoisInnoSecureCookies On
</Location>
"""


def drop(db):
    c = pymongo.MongoClient(db.uri, serverSelectionTimeoutMS=10000)
    try:
        assert wait_for(lambda: c.admin.command("ping"), 15)
        c.drop_database(DATABASE)
    finally:
        c.close()


@pytest.fixture(scope="module")
def httpd(workdir, db):
    """This module's httpd (overrides the session-wide one of conftest)."""
    db.ensure_running()
    drop(db)
    d = os.path.join(workdir, "security")
    os.makedirs(d, mode=0o755)
    h = Httpd(d, db, database=DATABASE)
    h.write_config(location_extra=location_extra(), server_extra=SECURE_MOUNT)
    h.start()
    yield h
    h.stop()
    drop(db)


@pytest.fixture(scope="module")
def https_site(workdir, db, httpd):
    """An httpd whose ServerName says https:// (as behind a TLS-terminating
    front end): the request scheme is https for MoisInnoSecureCookies Auto."""
    d = os.path.join(workdir, "security-https")
    os.makedirs(d, mode=0o755)
    h = Httpd(d, db, database=DATABASE)
    text = h.render(location_extra=location_extra())
    plain = f"ServerName 127.0.0.1:{h.port}"
    assert plain in text
    h.write_config(text=text.replace(plain, f"ServerName https://127.0.0.1:{h.port}"))
    h.start()
    yield h
    h.stop()


@pytest.fixture(scope="module")
def admin(httpd):
    o = Organiser(httpd, email=ADMIN_EMAIL, name="Équipe Modération", organization="DITP")
    assert o.get("/api/v1/session").json()["organizer"]["role"] == "admin"
    yield o
    o.close()


# ---- helpers ---------------------------------------------------------------------------


def text_of(r):
    return html.unescape(r.text)


def utc(d):
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d


def everything(mdb):
    """What any request could have written, to compare before and after:
    every document of every collection, except that sessions count by id
    (a request may refresh last_seen) and only those that cannot expire
    within the next minute (a child may purge expired ones at any time)."""
    horizon = datetime.now(UTC) + timedelta(seconds=60)
    out = {}
    for name in sorted(mdb.list_collection_names()):
        if name == "sessions":
            out[name] = sorted(d["_id"] for d in mdb.sessions.find(
                {"expires_at": {"$gt": horizon}}, {"_id": 1}))
        else:
            out[name] = sorted((repr(d) for d in mdb[name].find({})))
    return out


def create_api(o, **over):
    r = o.create_api(**over)
    assert r.status_code == 201, (r.status_code, r.text[:2000])
    return r.json()


def publish(admin, eid):
    r = admin.post_form(f"/admin/evenements/{eid}/publier", [])
    assert r.status_code == 303, (r.status_code, text_of(r)[:1000])


def api_error(r, status, code=None):
    assert r.status_code == status, (r.status_code, r.text[:1000])
    assert r.headers["Content-Type"].startswith("application/json"), r.headers["Content-Type"]
    err = r.json()["error"]
    assert err["message"]
    if code:
        assert err["code"] == code, err
    return err


def raw(httpd, method, path, **kw):
    kw.setdefault("allow_redirects", False)
    kw.setdefault("timeout", 15)
    return requests.request(method, httpd.url + path, **kw)


def fresh(httpd, method, path, **kw):
    """A request on a new connection (so that successive ones spread over
    httpd's children)."""
    headers = dict(kw.pop("headers", {}) or {})
    headers["Connection"] = "close"
    return raw(httpd, method, path, headers=headers, **kw)


class Dom(HTMLParser):
    """The elements of a page, to look for anything injected."""

    def __init__(self, body):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs dict)
        self.scripts = []  # (attrs, text)
        self._script = None
        self.feed(body)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "script":
            self._script = (a, [])

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "script" and self._script:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data):
        if self._script:
            self._script[1].append(data)


INJECTED_TAGS = {"img", "svg", "iframe", "x", "b", "i", "object", "embed", "base"}


def assert_nothing_injected(body, base, what):
    """No element, attribute or script that a payload could have made: the
    only scripts are the module's own file and JSON-LD data."""
    dom = Dom(body)
    for tag_name, attrs in dom.elements:
        assert tag_name not in INJECTED_TAGS, (what, tag_name, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (what, tag_name, attrs)
            if name in ("href", "src", "action", "formaction") and value:
                assert not value.strip().lower().startswith(("javascript:", "data:")), (what, attrs)
        if tag_name == "script":
            assert attrs.get("src") == f"{base}/static/moisinno.js" or \
                attrs.get("type") == "application/ld+json", (what, attrs)
    assert len(dom.scripts) == sum(1 for t, _ in dom.elements if t == "script"), what
    return dom


def json_ld_of(body):
    dom = Dom(body)
    blocks = [text for a, text in dom.scripts if a.get("type") == "application/ld+json"]
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


# ==== V2 Authentication =================================================================


def test_v2_1_1_passwords_of_fewer_than_12_characters_are_refused(httpd, mdb):
    """ASVS 2.1.1: "user set passwords are at least 12 characters in length"."""
    email = unique_email("court")
    with client(httpd) as c:
        r = c.signup(email, "onze-caract")  # 11 characters
        assert r.status_code == 422
        assert "au moins 12 caractères" in text_of(r)
        assert c.token is None
    assert mdb.organizers.count_documents({"email": email}) == 0
    with client(httpd) as c:
        assert c.signup(email, "douze-caract").status_code == 303  # 12 characters


def test_v2_1_2_long_passwords_with_spaces_and_unicode_are_kept_whole(httpd):
    """ASVS 2.1.2: "passwords of at least 64 characters are permitted";
    2.1.3: "passwords can contain spaces and truncation is not performed";
    2.1.4: "Unicode characters are permitted in passwords"."""
    password = "un  mot de passe très long, avec des espaces 🔑🔑 et des kanji 漢字 " * 2
    assert len(password) >= 128
    c, email = new_account(httpd, password=password)
    c.close()
    with client(httpd) as c:
        assert c.login(email, password).status_code == 303
    with client(httpd) as c:
        assert c.login(email, password[:64]).status_code == 401  # no truncation
    with client(httpd) as c:
        assert c.login(email, password.replace("  ", " ")).status_code == 401


def test_v2_4_1_passwords_are_argon2id_with_a_salt_of_their_own(httpd, mdb):
    """ASVS 2.4.1: "passwords SHALL be salted and hashed using an approved
    one-way key derivation or password hashing function"; 2.4.2: "a unique
    salt value" per credential."""
    emails = []
    for _ in range(2):
        c, email = new_account(httpd, password=PASSWORD)
        c.close()
        emails.append(email)
    hashes = [mdb.organizers.find_one({"email": e})["password_hash"] for e in emails]
    for h in hashes:
        assert h.startswith("$argon2id$v=19$m=65536,t=2,p=1$"), h
        salt = h.split("$")[4]
        assert len(base64.b64decode(salt + "=" * (-len(salt) % 4))) >= 16
    assert hashes[0] != hashes[1]
    for e in emails:
        doc = mdb.organizers.find_one({"email": e})
        assert PASSWORD not in repr(doc)


def fail_logins(httpd, email, n, api=False):
    """n wrong passwords for email, each on a new connection; their statuses."""
    statuses = []
    for i in range(n):
        if api:
            r = fresh(httpd, "POST", "/api/v1/session",
                      json={"email": email, "password": f"mauvais mot de passe {i}"})
        else:
            with client(httpd) as c:
                csrf = c.form_csrf("/compte/connexion")
                r = c.login(email, f"mauvais mot de passe {i}", csrf=csrf,
                            headers={"Connection": "close"})
        statuses.append(r.status_code)
    return statuses


def login_page(httpd, email, password=PASSWORD):
    """(status, normalised body, headers) of one login through the form."""
    with client(httpd) as c:
        csrf = c.form_csrf("/compte/connexion")
        r = c.login(email, password, csrf=csrf)
        return r, r.text.replace(csrf, "CSRF").replace(email.lower(), "EMAIL")


def test_v2_2_1_lockout_after_five_failures_within_fifteen_minutes(httpd, mdb):
    """ASVS 2.2.1: "anti-automation controls are effective at mitigating
    breached credential testing, brute force, and account lockout attacks"
    (DESIGN §8: 5 failures within 15 minutes → 429 for 15 minutes, counted
    in the database, across children and both login routes)."""
    c0, email = new_account(httpd)
    c0.close()
    # Four failures, moved 16 minutes back: out of the window.
    assert fail_logins(httpd, email, 4) == [401] * 4
    past = datetime.now(UTC) - timedelta(minutes=16)
    res = mdb.login_failures.update_many({"key": address_key(email)}, {"$set": {"at": past}})
    assert res.matched_count == 4
    # Four more (two by the API): still under the threshold within 15 minutes.
    assert fail_logins(httpd, email, 2) + fail_logins(httpd, email, 2, api=True) == [401] * 4
    r, _ = login_page(httpd, email)
    assert r.status_code == 303, "4 failures within 15 minutes must not lock"
    # Five in a row lock the address, even for the right password, in every
    # child and through the API too.
    assert fail_logins(httpd, email, 3) + fail_logins(httpd, email, 2, api=True) == [401] * 5
    for _ in range(3):
        r, _ = login_page(httpd, email)
        assert r.status_code == 429, r.status_code
        retry = int(r.headers["Retry-After"])
        assert 15 * 60 - 30 <= retry <= 15 * 60 + 1, retry
        assert cookie_line(r, SESSION_COOKIE) is None
        r = fresh(httpd, "POST", "/api/v1/session", json={"email": email, "password": PASSWORD})
        api_error(r, 429, "too_many_attempts")
        assert cookie_line(r, SESSION_COOKIE) is None
    acct = mdb.organizers.find_one({"email": email})
    assert utc(acct["locked_until"]) > datetime.now(UTC) + timedelta(minutes=14)
    # For 15 minutes: the lock ends when the failures are 15 minutes old.
    mdb.login_failures.update_many({"key": address_key(email)},
                                   {"$set": {"at": datetime.now(UTC) - timedelta(minutes=14)}})
    assert login_page(httpd, email)[0].status_code == 429
    mdb.login_failures.update_many({"key": address_key(email)},
                                   {"$set": {"at": datetime.now(UTC) - timedelta(minutes=16)}})
    assert login_page(httpd, email)[0].status_code == 303


def test_v2_2_1_lockout_of_an_unknown_address_is_indistinguishable(httpd, mdb):
    """ASVS 2.2.1 (anti-automation without giving away accounts): an
    address without an account is counted and locked alike, and its 429 is
    the same answer, byte for byte (DESIGN §8: "a 429 reveals nothing")."""
    c0, known = new_account(httpd)
    c0.close()
    unknown = unique_email("personne")
    answers = {}
    for email in (known, unknown):
        assert fail_logins(httpd, email, 5) == [401] * 5
        r, body = login_page(httpd, email)
        a = fresh(httpd, "POST", "/api/v1/session", json={"email": email, "password": PASSWORD})
        answers[email] = (r.status_code, body, r.headers["Content-Type"],
                          r.headers["Cache-Control"], a.status_code, a.text)
        assert abs(int(r.headers["Retry-After"]) - 900) <= 30
    assert answers[known][0] == 429
    assert answers[known] == answers[unknown]
    assert mdb.login_failures.count_documents({"key": address_key(unknown)}) >= 5
    assert mdb.organizers.count_documents({"email": unknown}) == 0
    # What is stored says nothing of the address itself.
    for d in mdb.login_failures.find({"key": address_key(unknown)}):
        assert unknown not in repr(d)


def test_v2_2_1_failed_login_answers_alike_for_an_unknown_address(httpd, mdb):
    """ASVS 2.2.1 (credential testing must not learn which accounts exist;
    DESIGN §8: "same answer, status and comparable time for an unknown
    e-mail and a wrong password").  Times: medians of 12 attempts each,
    interleaved, within generous bounds."""
    accounts = []
    for _ in range(4):
        c0, email = new_account(httpd)
        c0.close()
        accounts.append(email)
    pages, times = {"wrong": set(), "unknown": set()}, {"wrong": [], "unknown": []}
    with client(httpd) as c:
        csrf = c.form_csrf("/compte/connexion")
        for i in range(12):  # 4 failures per account: under the lockout threshold
            for kind in ("wrong", "unknown"):
                email = accounts[i % 3] if kind == "wrong" else unique_email("inconnu")
                t0 = time.perf_counter()
                r = c.login(email, "pas le bon mot de passe", csrf=csrf)
                times[kind].append(time.perf_counter() - t0)
                pages[kind].add((r.status_code, r.headers["Content-Type"],
                                 r.headers.get("Cache-Control"),
                                 r.text.replace(email.lower(), "EMAIL")))
        api = {kind: {(a.status_code, a.text) for a in
                      (c.api_login(email, "pas le bon mot de passe") for _ in range(2))}
               for kind, email in (("wrong", accounts[3]), ("unknown", unique_email("inconnu")))}
    assert len(pages["wrong"]) == 1 and pages["wrong"] == pages["unknown"], "the pages differ"
    status, _, _, body = pages["wrong"].pop()
    assert status == 401
    assert "Adresse électronique ou mot de passe incorrect." in html.unescape(body)
    assert len(api["wrong"]) == 1 and api["wrong"] == api["unknown"]
    assert api["wrong"].pop()[0] == 401
    mw, mu = statistics.median(times["wrong"]), statistics.median(times["unknown"])
    assert abs(mw - mu) <= max(0.05, 0.4 * max(mw, mu)), (mw, mu, times)


# ==== V3 Session management =============================================================


def session_docs(mdb):
    return {d["_id"]: d for d in mdb.sessions.find({})}


def test_v3_1_1_session_tokens_never_appear_in_urls_or_bodies(httpd, mdb):
    """ASVS 3.1.1: "the application never reveals session tokens in URL
    parameters" (nor in pages or JSON: only in the cookie)."""
    tokens, answers = set(), []
    with client(httpd) as c:
        email = unique_email()
        steps = [lambda: c.signup(email), lambda: c.get("/espace"),
                 lambda: c.login(email, retour=httpd.base + "/espace?x=1"),
                 lambda: c.get("/espace"), lambda: c.get("/api/v1/session"),
                 lambda: c.get("/compte/mot-de-passe"), lambda: c.api_login(email),
                 lambda: c.get("/espace"), lambda: c.get("/api/v1/session")]
        for step in steps:
            answers.append(step())
            tokens.add(c.token)
        assert len(tokens) == 3 and None not in tokens
        csrf = c.get("/api/v1/session").json()["csrf_token"]
        assert csrf not in tokens
    for r in answers:
        for t in tokens:
            assert t not in r.headers.get("Location", ""), r.url
            assert t not in r.url and t not in r.text, r.url


def test_v3_2_1_login_issues_a_new_token_and_ends_the_old_one(httpd, mdb):
    """ASVS 3.2.1: "the application generates a new session token on user
    authentication" — the session the browser presented at login ends
    (no fixation), a planted token is never adopted."""
    c, email = new_account(httpd)
    first = c.token
    with c:
        assert c.login(email).status_code == 303
        second = c.token
        assert second != first
        r = c.api_login(email)
        assert r.status_code == 200
        third = c.token
        assert third not in (first, second)
    planted = secrets.token_urlsafe(32)
    SECRETS.add(planted)
    with client(httpd) as p:
        p.set_session_cookie(planted)
        assert p.login(email).status_code == 303
        fourth = p.token
        assert fourth != planted and TOKEN_RE.match(fourth)
    for old in (first, second, planted):
        assert with_cookie(httpd, "/api/v1/session", old).status_code == 401
        assert mdb.sessions.find_one({"_id": token_digest(old)}) is None
    for new in (third, fourth):
        assert with_cookie(httpd, "/api/v1/session", new).status_code == 200


def test_v3_2_2_session_tokens_are_256_random_bits_stored_hashed(httpd, mdb):
    """ASVS 3.2.2: "session tokens possess at least 64 bits of entropy";
    3.2.4: "generated using approved cryptographic algorithms" (32 bytes of
    the OS CSPRNG; the database keeps only their SHA-256)."""
    c, email = new_account(httpd)
    c.close()
    tokens = []
    for _ in range(8):
        r = fresh(httpd, "POST", "/api/v1/session", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200
        value, _ = cookie_attrs(cookie_line(r, SESSION_COOKIE))
        SECRETS.add(value)
        tokens.append((value, r.json()["csrf_token"]))
    values = [t for pair in tokens for t in pair]
    assert len(set(values)) == len(values)
    raw_bytes = b""
    for token, csrf in tokens:
        assert TOKEN_RE.match(token) and TOKEN_RE.match(csrf)
        decoded = base64.urlsafe_b64decode(token + "=")
        assert len(decoded) == 32
        raw_bytes += decoded
        doc = mdb.sessions.find_one({"_id": hashlib.sha256(decoded).hexdigest()})
        assert doc is not None
        assert token not in repr(doc) and doc["csrf"] == csrf
    assert mdb.sessions.count_documents({"_id": {"$in": [t for t, _ in tokens]}}) == 0
    # 256 random bytes: every bit position varies, about half the bits set.
    ones = sum(bin(b).count("1") for b in raw_bytes)
    assert 0.4 < ones / (8 * len(raw_bytes)) < 0.6, ones


def session_cookie(main, site=None, base=None):
    """The Set-Cookie lines of a fresh API login and of the anonymous CSRF
    cookie, at a mount of site (an account signed up on main: a Secure
    pre-session cookie would not travel back over plain HTTP)."""
    c0, email = new_account(main)
    c0.close()
    site = site or main
    url = f"http://127.0.0.1:{site.port}{base or site.base}"
    r = requests.get(url + "/compte/connexion", timeout=10)
    csrf_line = cookie_line(r, CSRF_COOKIE)
    r = requests.post(url + "/api/v1/session", json={"email": email, "password": PASSWORD},
                      timeout=30)
    assert r.status_code == 200, r.text
    line = cookie_line(r, SESSION_COOKIE)
    SECRETS.add(cookie_attrs(line)[0])
    return line, csrf_line


def test_v3_4_1_session_cookie_secure_flag(httpd, https_site):
    """ASVS 3.4.1: "cookie-based session tokens have the 'Secure' attribute
    set" — with MoisInnoSecureCookies On, and with Auto on an HTTPS site;
    Auto leaves it out on plain HTTP, where the browser would drop it."""
    for line in session_cookie(httpd, base=SECURE_BASE):
        _, attrs = cookie_attrs(line)
        assert attrs.get("secure") is True, line
    for line in session_cookie(httpd, https_site):
        _, attrs = cookie_attrs(line)
        assert attrs.get("secure") is True, line
    for line in session_cookie(httpd):
        _, attrs = cookie_attrs(line)
        assert "secure" not in attrs, line
    assert not https_site.unexpected_log_lines()


def test_v3_4_2_session_cookie_httponly(httpd):
    """ASVS 3.4.2: "cookie-based session tokens have the 'HttpOnly'
    attribute set" (the pre-session CSRF cookie too)."""
    for line in session_cookie(httpd):
        _, attrs = cookie_attrs(line)
        assert attrs.get("httponly") is True, line


def test_v3_4_3_session_cookie_samesite_lax(httpd):
    """ASVS 3.4.3: "cookie-based session tokens utilize the 'SameSite'
    attribute to limit exposure to cross-site request forgery attacks"."""
    for line in session_cookie(httpd) + session_cookie(httpd, base=SECURE_BASE):
        _, attrs = cookie_attrs(line)
        assert attrs.get("samesite") == "Lax", line


def test_v3_4_5_session_cookie_path_is_the_application(httpd):
    """ASVS 3.4.5: "set the path attribute in cookie-based session tokens
    using the most precise path possible" (Path=BASE, no Domain)."""
    for base in (httpd.base, SECURE_BASE):
        for line in session_cookie(httpd, base=base):
            value, attrs = cookie_attrs(line)
            assert TOKEN_RE.match(value)
            assert attrs.get("path") == base, line
            assert "domain" not in attrs, line


def test_v3_3_1_logout_invalidates_session_server_side(httpd, mdb):
    """ASVS 3.3.1: "logout and expiration invalidate the session token, such
    that the back button or a downstream relying party does not resume an
    authenticated session" — the old cookie is refused everywhere after the
    logout form and after the API's DELETE, and the organiser pages were
    never cacheable."""
    for how in ("form", "api"):
        c, email = new_account(httpd)
        with c:
            token = c.token
            r = c.get("/espace")
            assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
            if how == "form":
                r = c.logout()
                assert r.status_code == 303
            else:
                r = c.request("DELETE", "/api/v1/session",
                              headers={"X-CSRF-Token": c.session_csrf()})
                assert r.status_code == 204
            value, attrs = cookie_attrs(cookie_line(r, SESSION_COOKIE))
            assert value == "" and attrs.get("max-age") == "0"
        assert mdb.sessions.find_one({"_id": token_digest(token)}) is None
        r = with_cookie(httpd, "/espace", token)
        assert r.status_code == 303 and "/compte/connexion" in r.headers["Location"]
        api_error(with_cookie(httpd, "/api/v1/session", token), 401, "unauthenticated")
        r = with_cookie(httpd, "/api/v1/events", token, method="POST", json=valid_json(),
                        headers={"X-CSRF-Token": "x" * 43})
        api_error(r, 401)


def backdate(mdb, token, **fields):
    now = datetime.now(UTC)
    update = {k: now - timedelta(seconds=v) for k, v in fields.items()}
    res = mdb.sessions.update_one({"_id": token_digest(token)}, {"$set": update})
    assert res.matched_count == 1


def test_v3_3_2_idle_timeout_is_checked_at_every_request(httpd, mdb):
    """ASVS 3.3.2: "re-authentication occurs periodically both when actively
    used or after an idle period" — the idle limit (MoisInnoSessionTimeout,
    900 s here), from last_seen, whatever expires_at says (no TTL index)."""
    c, email = new_account(httpd)
    with c:
        token = c.token
        expires = utc(mdb.sessions.find_one({"_id": token_digest(token)})["expires_at"])
        backdate(mdb, token, created_at=IDLE - 60, last_seen=IDLE - 60)
        assert c.logged_in(), "a session idle for less than the limit must hold"
        seen = utc(mdb.sessions.find_one({"_id": token_digest(token)})["last_seen"])
        assert seen > datetime.now(UTC) - timedelta(seconds=30), "activity was not recorded"
        backdate(mdb, token, created_at=IDLE + 60, last_seen=IDLE + 1)
        mdb.sessions.update_one({"_id": token_digest(token)}, {"$set": {"expires_at": expires}})
        assert with_cookie(httpd, "/espace", token).status_code == 303
        assert not c.logged_in()
    assert mdb.sessions.find_one({"_id": token_digest(token)}) is None


def test_v3_3_2_absolute_timeout_holds_for_an_active_session(httpd, mdb):
    """ASVS 3.3.2 ("both when actively used or after an idle period"): the
    absolute limit (7200 s here) from created_at, even for a session seen
    a moment ago."""
    c, email = new_account(httpd)
    with c:
        token = c.token
        backdate(mdb, token, created_at=ABSOLUTE - 60, last_seen=1)
        assert c.logged_in()
        backdate(mdb, token, created_at=ABSOLUTE + 1, last_seen=1)
        mdb.sessions.update_one({"_id": token_digest(token)},
                                {"$set": {"expires_at": datetime.now(UTC) + timedelta(hours=1)}})
        api_error(with_cookie(httpd, "/api/v1/session", token), 401)
        assert with_cookie(httpd, "/espace", token).status_code == 303
    assert mdb.sessions.find_one({"_id": token_digest(token)}) is None


def test_v3_3_3_password_change_ends_the_other_sessions(httpd, mdb):
    """ASVS 3.3.3: "terminate all other active sessions after a successful
    password change"."""
    c, email = new_account(httpd)
    others = []
    for _ in range(2):
        o = Client(httpd)
        assert o.login(email).status_code == 303
        others.append(o)
    with c:
        r = c.change_password(PASSWORD, "un nouveau mot de passe sûr")
        assert r.status_code == 200, text_of(r)[:500]
        assert "Vos autres sessions ont été fermées." in text_of(r)
        assert c.logged_in()
    for o in others:
        assert not o.logged_in()
        o.close()


def test_v3_7_1_password_change_needs_the_current_password(httpd, mdb):
    """ASVS 3.7.1: "re-authentication ... before allowing any sensitive
    transactions or account modifications" (and 2.1.6: "password change
    functionality requires the user's current and new password")."""
    c, email = new_account(httpd)
    with c:
        before = mdb.organizers.find_one({"email": email})["password_hash"]
        for current in ("pas le mot de passe actuel", ""):
            r = c.change_password(current, "mot de passe imposé 1234")
            assert r.status_code == 422
        assert mdb.organizers.find_one({"email": email})["password_hash"] == before
        with client(httpd) as other:
            assert other.login(email, "mot de passe imposé 1234").status_code == 401


# ==== V4 Access control =================================================================


@pytest.fixture(scope="module")
def alice_events(httpd, mdb, alice, admin):
    """Alice's events: one submitted (not public), one published."""
    hidden = create_api(alice, title="Événement caché d'Alice " + tag())
    public = create_api(alice, title="Événement publié d'Alice " + tag())
    publish(admin, public["id"])
    return {"submitted": hidden, "published": public}


def test_v4_2_1_idor_another_organisers_event(httpd, mdb, alice, bob, alice_events):
    """ASVS 4.2.1: "sensitive data and APIs are protected against Insecure
    Direct Object Reference (IDOR) attacks targeting creation, reading,
    updating and deletion of records" — Bob, logged in with his own valid
    CSRF token, tries every URL of Alice's events: 404 as for an id that does
    not exist (nothing revealed), and nothing changes."""
    nowhere = str(ObjectId())
    before = everything(mdb)
    for kind, ev in alice_events.items():
        eid, title = ev["id"], ev["title"]
        tries = {
            "edit form": lambda e: bob.get(f"/espace/evenements/{e}/modifier"),
            "edit": lambda e: bob.edit_form(e, valid_form(title="Pris par Bob " + tag()), 1),
            "cancel": lambda e: bob.cancel_form(e, 1),
            "delete": lambda e: bob.delete_form(e, 1),
            "API PUT": lambda e: bob.api("PUT", f"/{e}", valid_json(title="Pris par Bob 123")),
            "API PATCH": lambda e: bob.api("PATCH", f"/{e}", {"title": "Pris par Bob 123"}),
            "API DELETE": lambda e: bob.api("DELETE", f"/{e}"),
        }
        if kind == "submitted":
            tries["page"] = lambda e: bob.get(f"/evenements/{e}")
            tries["API GET"] = lambda e: bob.api("GET", f"/{e}")
            tries["page .ics"] = lambda e: bob.get(f"/evenements/{e}.ics")
        for what, attempt in tries.items():
            r, r_none = attempt(eid), attempt(nowhere)
            assert r.status_code == 404, (kind, what, r.status_code, r.text[:300])
            assert (r.status_code, r.text) == (r_none.status_code, r_none.text), (kind, what)
            assert title not in text_of(r), (kind, what)
        # Bob's own lists do not show it unless public.
        assert f"/evenements/{eid}" not in bob.get("/espace").text
    r = bob.api("GET", "?per_page=100")
    ids = {e["id"] for e in r.json()["events"]}
    assert alice_events["submitted"]["id"] not in ids
    assert everything(mdb) == before


def test_v4_2_1_idor_anonymous(httpd, mdb, alice, alice_events):
    """ASVS 4.2.1, without any session: the private event is 404, the
    organiser URLs send to the login page, API writes are 401."""
    eid = alice_events["submitted"]["id"]
    before = everything(mdb)
    for path in (f"/evenements/{eid}", f"/evenements/{eid}.ics"):
        assert raw(httpd, "GET", path).status_code == 404
    api_error(raw(httpd, "GET", f"/api/v1/events/{eid}"), 404)
    r = raw(httpd, "GET", f"/espace/evenements/{eid}/modifier")
    assert r.status_code == 303 and "/compte/connexion?retour=" in r.headers["Location"]
    for action in ("modifier", "annuler", "supprimer"):
        r = raw(httpd, "POST", f"/espace/evenements/{eid}/{action}", data={"version": "1"})
        assert r.status_code == 303 and "/compte/connexion" in r.headers["Location"]
    for method, body in (("PUT", valid_json()), ("PATCH", {"title": "Anonyme 12345"}),
                         ("DELETE", None)):
        api_error(raw(httpd, method, f"/api/v1/events/{eid}", json=body,
                      headers={"X-CSRF-Token": "A" * 43}), 401)
    assert everything(mdb) == before


def test_v4_1_3_moderation_is_for_admins_only(httpd, mdb, alice, bob, alice_events):
    """ASVS 4.1.3: "users may only access functions ... for which they
    possess specific authorization" (4.1.1: enforced on the server) — an
    organiser, even the event's own, cannot moderate nor export the
    contacts; the anonymous are sent to log in."""
    eid = alice_events["submitted"]["id"]
    before = everything(mdb)
    for o in (alice, bob):
        assert o.get("/admin").status_code == 403
        assert o.get("/admin/export.csv").status_code == 403
        assert o.post_form(f"/admin/evenements/{eid}/publier", []).status_code == 403
        r = o.post_form(f"/admin/evenements/{eid}/refuser", [("reason", "Non.")])
        assert r.status_code == 403
    for path in ("/admin", "/admin/export.csv"):
        r = raw(httpd, "GET", path)
        assert r.status_code == 303 and "/compte/connexion" in r.headers["Location"]
    assert everything(mdb) == before
    assert mdb.events.find_one({"_id": ObjectId(eid)})["status"] == "submitted"


def test_v5_1_2_owner_status_and_version_cannot_be_assigned(httpd, mdb, alice, bob):
    """ASVS 5.1.2: "frameworks protect against mass parameter assignment
    attacks"; 4.1.2: "user and data attributes ... used by access controls
    cannot be manipulated by end users" — the owner, the status and the
    version are the server's."""
    bob_oid = mdb.organizers.find_one({"email": bob.email})["_id"]
    alice_oid = mdb.organizers.find_one({"email": alice.email})["_id"]
    body = valid_json(status="published", version=99, id=str(ObjectId()),
                      created_at="2000-01-01T00:00:00Z")
    ev = create_api(alice, **body)
    doc = mdb.events.find_one({"_id": ObjectId(ev["id"])})
    assert doc["status"] == "submitted" and doc["version"] == 1
    assert doc["organizer_id"] == alice_oid and str(doc["_id"]) != body["id"]
    total = mdb.events.count_documents({})
    for extra in ({"organizer_id": str(bob_oid)}, {"role": "admin"}, {"edition": 2021}):
        err = api_error(alice.create_api(**extra), 422, "validation")
        assert list(extra)[0] in err["fields"], err
        err = api_error(alice.api("PATCH", f"/{ev['id']}", extra), 422, "validation")
    r = alice.api("PATCH", f"/{ev['id']}", {"status": "published", "version": 7})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    # The form ignores such fields too.
    r = alice.post_form("/espace/evenements/nouveau",
                        form_items(valid_form(title="Formulaire " + (t := tag()),
                                              status="published", organizer_id=str(bob_oid))))
    assert r.status_code == 303
    doc = mdb.events.find_one({"title": "Formulaire " + t})
    assert doc["status"] == "submitted" and doc["organizer_id"] == alice_oid
    assert mdb.events.count_documents({}) == total + 1


# ---- CSRF ----------------------------------------------------------------------------------

FORM_ROUTES = ["signup", "login", "logout", "password", "event-new", "event-edit",
               "event-cancel", "event-delete", "admin-publish", "admin-refuse"]
API_ROUTES = ["api-logout", "api-create", "api-put", "api-patch", "api-delete"]
VARIANTS = ["missing", "wrong", "other-session", "in-query-only", "origin-evil", "origin-null",
            "origin-other-port", "origin-lookalike", "sec-fetch-cross-site"]


class Ctx:
    """Who sends what for a route: (client, method, path, form items or
    JSON body, the right token)."""

    def __init__(self, httpd, alice, bob, admin, event_id):
        self.httpd, self.alice, self.bob, self.admin, self.eid = httpd, alice, bob, admin, event_id
        self.other = None  # another visitor's pre-session token, for the anonymous forms


def route_request(ctx, route):
    """(client, method, path, kind, payload, token, cleanup) for route."""
    eid = ctx.eid
    if route in ("signup", "login"):
        c = Client(ctx.httpd)
        path = "/compte/inscription" if route == "signup" else "/compte/connexion"
        with client(ctx.httpd) as stranger:
            ctx.other = stranger.form_csrf(path)
        token = c.form_csrf(path)
        email = unique_email("csrf") if route == "signup" else ctx.alice.email
        items = [("email", email), ("password", PASSWORD)]
        if route == "signup":
            items += [("password_confirm", PASSWORD), ("name", "Nom"),
                      ("organization", "Org"), ("organization_type", "etat")]
        return c, "POST", path, "form", items, token, c.close
    if route in ("logout", "password", "api-logout"):
        o = Organiser(ctx.httpd)
        if route == "logout":
            return o.c, "POST", "/compte/deconnexion", "form", [], o.csrf, o.close
        if route == "password":
            items = [("current_password", PASSWORD), ("password", "nouveau mot de passe 99"),
                     ("password_confirm", "nouveau mot de passe 99")]
            return o.c, "POST", "/compte/mot-de-passe", "form", items, o.csrf, o.close
        return o.c, "DELETE", "/api/v1/session", "json", None, o.csrf, o.close
    a = ctx.alice
    if route == "event-new":
        return a.c, "POST", "/espace/evenements/nouveau", "form", form_items(valid_form()), \
            a.csrf, None
    if route == "event-edit":
        items = [("version", "1")] + form_items(valid_form(title="Modifié par CSRF " + tag()))
        return a.c, "POST", f"/espace/evenements/{eid}/modifier", "form", items, a.csrf, None
    if route in ("event-cancel", "event-delete"):
        action = "annuler" if route == "event-cancel" else "supprimer"
        return a.c, "POST", f"/espace/evenements/{eid}/{action}", "form", [("version", "1")], \
            a.csrf, None
    if route in ("admin-publish", "admin-refuse"):
        action, items = (("publier", []) if route == "admin-publish"
                         else ("refuser", [("reason", "Hors sujet.")]))
        return ctx.admin.c, "POST", f"/admin/evenements/{eid}/{action}", "form", items, \
            ctx.admin.csrf, None
    if route == "api-create":
        return a.c, "POST", "/api/v1/events", "json", valid_json(), a.csrf, None
    if route == "api-put":
        return a.c, "PUT", f"/api/v1/events/{eid}", "json", valid_json(), a.csrf, None
    if route == "api-patch":
        return a.c, "PATCH", f"/api/v1/events/{eid}", "json", {"title": "Modifié 12345"}, \
            a.csrf, None
    if route == "api-delete":
        return a.c, "DELETE", f"/api/v1/events/{eid}", "json", None, a.csrf, None
    raise AssertionError(route)


def send(ctx, c, method, path, kind, payload, token, variant):
    """Sends the request of a route, with the token and headers of variant
    (None: the right token, same origin)."""
    headers, query = {}, ""
    port = ctx.httpd.port
    if variant == "missing" or variant == "in-query-only":
        sent = None
    elif variant == "wrong":
        sent = secrets.token_urlsafe(32)
    elif variant == "other-session":
        sent = ctx.other or (ctx.bob.csrf if c is not ctx.bob.c else ctx.alice.csrf)
    else:
        sent = token
    if variant == "in-query-only":
        query = "?" + urlencode({"csrf": token})
    if variant == "origin-evil":
        headers["Origin"] = EVIL
    elif variant == "origin-null":
        headers["Origin"] = "null"
    elif variant == "origin-other-port":
        headers["Origin"] = f"http://127.0.0.1:{port + 1}"
    elif variant == "origin-lookalike":
        headers["Origin"] = f"http://127.0.0.1:{port}.evil.example"
    elif variant == "sec-fetch-cross-site":
        headers["Sec-Fetch-Site"] = "cross-site"
    elif variant is None:
        headers["Origin"] = f"http://127.0.0.1:{port}"
        headers["Sec-Fetch-Site"] = "same-origin"
    if kind == "form":
        items = ([("csrf", sent)] if sent is not None else []) + list(payload)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return c.post(path + query, urlencode(items), headers=headers)
    if sent is not None:
        headers["X-CSRF-Token"] = sent
    kw = {"json": payload} if payload is not None else {}
    return c.request(method, path + query, headers=headers, **kw)


@pytest.fixture(scope="module")
def ctx(httpd, alice, bob, admin):
    return lambda eid: Ctx(httpd, alice, bob, admin, eid)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("route", FORM_ROUTES + API_ROUTES)
def test_v4_2_2_csrf_every_state_changing_request(httpd, mdb, alice, ctx, route, variant):
    """ASVS 4.2.2: "the application ... enforces a strong anti-CSRF mechanism
    to protect authenticated functionality, and effective anti-automation
    or anti-CSRF protects unauthenticated functionality" (13.2.3 for the
    API: "RESTful web services that utilize cookies are protected from
    Cross-Site Request Forgery"; 5.1.1: the token is read from the body or
    the header only, never from the query string) — a missing, wrong or
    foreign token, or a cross-site Origin or Sec-Fetch-Site, gets 403 and
    changes nothing."""
    eid = create_api(alice)["id"]
    context = ctx(eid)
    c, method, path, kind, payload, token, cleanup = route_request(context, route)
    try:
        before = everything(mdb)
        r = send(context, c, method, path, kind, payload, token, variant)
        assert r.status_code == 403, (route, variant, r.status_code, r.text[:300])
        if r.headers["Content-Type"].startswith("application/json"):
            assert r.json()["error"]["code"] in ("csrf", "cross_origin")
        else:
            assert "Accès refusé" in text_of(r)
        line = cookie_line(r, SESSION_COOKIE)
        assert line is None, line
        assert everything(mdb) == before, (route, variant)
    finally:
        if cleanup:
            cleanup()


@pytest.mark.parametrize("route", FORM_ROUTES + API_ROUTES)
def test_v4_2_2_csrf_control_the_same_requests_succeed_with_the_token(httpd, mdb, alice, ctx,
                                                                      route):
    """The control for the test above: the very same requests, with the
    right token from the same origin, do what they are for."""
    eid = create_api(alice)["id"]
    context = ctx(eid)
    c, method, path, kind, payload, token, cleanup = route_request(context, route)
    try:
        r = send(context, c, method, path, kind, payload, token, None)
        assert r.status_code in (200, 201, 204, 303), (route, r.status_code, r.text[:500])
    finally:
        if cleanup:
            cleanup()


@pytest.mark.parametrize("headers", [{"Origin": EVIL}, {"Origin": "null"},
                                     {"Sec-Fetch-Site": "cross-site"}],
                         ids=["origin-evil", "origin-null", "sec-fetch-cross-site"])
def test_v13_2_3_api_login_refuses_cross_site_requests(httpd, mdb, alice, headers):
    """ASVS 13.2.3 (CSRF on a cookie-using REST service, here the API login
    that needs no token: "Origin request header checks"); 13.2.5: "REST
    services explicitly check the incoming Content-Type" — a cross-site
    form cannot send application/json."""
    before = everything(mdb)
    r = fresh(httpd, "POST", "/api/v1/session", json={"email": alice.email, "password": PASSWORD},
              headers=headers)
    api_error(r, 403, "cross_origin")
    assert cookie_line(r, SESSION_COOKIE) is None
    body = json.dumps({"email": alice.email, "password": PASSWORD})
    for ctype in ("text/plain", "application/x-www-form-urlencoded",
                  "multipart/form-data; boundary=x"):
        r = fresh(httpd, "POST", "/api/v1/session", data=body, headers={"Content-Type": ctype})
        api_error(r, 415)
        assert cookie_line(r, SESSION_COOKIE) is None
    assert everything(mdb) == before


# ==== V5 Validation, sanitisation and encoding ==================================================


def test_v5_1_3_signup_domains_are_an_allow_list(httpd, mdb):
    """ASVS 5.1.3: "all input ... is validated using positive validation
    (allow lists)" — MoisInnoSignupDomains gouv.fr admits gouv.fr and its
    subdomains, not notgouv.fr nor look-alikes."""
    t = secrets.token_hex(4)
    for email in (f"a.{t}@gouv.fr", f"b.{t}@interieur.gouv.fr", f"c.{t}@x.y.GOUV.FR"):
        with client(httpd) as c:
            assert c.signup(email).status_code == 303, email
    for email in (f"d.{t}@notgouv.fr", f"e.{t}@gouv.fr.evil.example", f"f.{t}@gouv.fr.",
                  f"g.{t}@evil.example", f"h.{t}@gouv-fr.fr", f"i.{t}@gouvXfr"):
        with client(httpd) as c:
            r = c.signup(email)
            assert r.status_code == 422, (email, r.status_code)
            assert c.token is None
        assert mdb.organizers.count_documents({"email": email.lower()}) == 0, email


# ---- open redirects ------------------------------------------------------------------------

RETOURS = [
    "//evil.example",
    "///evil.example",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/mois-innovation/%2F%2Fevil.example",
    "/mois-innovation/..%2F..%2Fevil",
    "/mois-innovation/../../evil",
    "/mois-innovation@evil.example",
    "/mois-innovation.evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/mois-innovation/\r\nSet-Cookie: piege=1",
    "/mois-innovation/%0d%0aSet-Cookie:%20piege=1",
    "/mois-innovation/\tjavascript:alert(1)",
    " //evil.example",
]


@pytest.mark.parametrize("retour", RETOURS)
def test_v5_1_5_login_redirects_only_within_the_application(httpd, alice, retour):
    """ASVS 5.1.5: "URL redirects and forwards only allow destinations which
    appear on an allow list" — after login, `retour` is followed only when
    it is a plain path under BASE on this site; anything else leads to
    BASE/espace, and no header can be injected."""
    with client(httpd) as c:
        r = c.get("/compte/connexion", params={"retour": retour})
        assert r.status_code == 200
        assert_nothing_injected(r.text, httpd.base, retour)
        r = c.login(alice.email, retour=retour)
        assert r.status_code == 303, r.status_code
        loc = r.headers["Location"]
        assert "\r" not in loc and "\n" not in loc
        u = urlsplit(loc)
        assert u.scheme == "" and u.netloc == "", loc
        assert loc.startswith(httpd.base + "/") and not loc.startswith("//"), loc
        assert "\\" not in loc and "%2f" not in loc.lower(), loc
        assert [l for l in set_cookies(r) if not l.startswith(SESSION_COOKIE + "=")] == []


def test_v5_1_5_safe_retour_is_followed(httpd, alice):
    """The control: a path under BASE is where the login leads."""
    target = httpd.base + "/espace/evenements/nouveau?x=1"
    with client(httpd) as c:
        r = c.login(alice.email, retour=target)
        assert r.status_code == 303 and r.headers["Location"] == target


# ---- database operators ----------------------------------------------------------------------

LOGIN_JSON = [
    {"email": {"$gt": ""}, "password": {"$gt": ""}},
    {"email": "a@example.gouv.fr", "password": {"$ne": None}},
    {"email": {"$regex": ".*"}, "password": "x"},
    {"$where": "1", "email": "a@example.gouv.fr", "password": "x"},
    {"email.x": "a", "email": "a@example.gouv.fr", "password": "x"},
    {"email": ["a@example.gouv.fr"], "password": "x"},
    {"email": "a@example.gouv.fr", "password": ["x", "y"]},
    {"email": 1, "password": True},
]


def test_v5_3_4_no_operator_reaches_the_database_at_login(httpd, mdb, alice):
    """ASVS 5.3.4: "database queries (e.g. ... NoSQL) use parameterized
    queries ... or are otherwise protected from database injection" — the
    login by JSON and by form refuses operators, $ and dotted keys, and
    arrays where strings are expected: 400, no session, nothing counted."""
    before = everything(mdb)
    for doc in LOGIN_JSON:
        doc = json.loads(json.dumps(doc).replace("a@example.gouv.fr", alice.email))
        r = fresh(httpd, "POST", "/api/v1/session", json=doc)
        assert r.status_code == 400, (doc, r.status_code, r.text)
        api_error(r, 400)
        assert cookie_line(r, SESSION_COOKIE) is None, doc
    for body in ("email[$ne]=x&password[$ne]=x", "email[$gt]=&password=x",
                 f"email={quote(alice.email)}&password[$ne]=1", "$where=1&email=x&password=x",
                 f"email={quote(alice.email)}&password=x&password.x=1",
                 "email%5B%24ne%5D=x&password=x"):
        with client(httpd) as c:
            csrf = c.form_csrf("/compte/connexion")
            r = c.post("/compte/connexion", data=f"csrf={csrf}&{body}",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert r.status_code == 400, (body, r.status_code)
            assert c.token is None
    assert everything(mdb) == before


API_INJECTION = [
    ({"title": {"$gt": ""}}, "title"),
    ({"title": {"$ne": None}}, "title"),
    ({"region": {"$exists": True}}, "region"),
    ({"$set": {"status": "published"}}, "$set"),
    ({"$where": "this.status == 'published'"}, "$where"),
    ({"status.x": "published"}, "status.x"),
    ({"organizer_id": {"$oid": "000000000000000000000000"}}, "organizer_id"),
    ({"audience": [{"$gt": ""}]}, "audience"),
    ({"audience": "agents"}, "audience"),
    ({"starts_at": {"$date": "2022-11-15T14:00:00Z"}}, "starts_at"),
    ({"title": ["Un titre", "deux"]}, "title"),
    ({"summary": 12345}, "summary"),
    ({"lab": {"$ne": False}}, "lab"),
]


@pytest.mark.parametrize("change,field", API_INJECTION, ids=[f for _, f in API_INJECTION])
def test_v5_3_4_no_operator_reaches_the_database_through_the_api(httpd, mdb, alice, change,
                                                                   field):
    """ASVS 5.3.4 (and 5.1.4, "structured data is strongly typed and
    validated against a defined schema") — operator objects, $ and dotted
    keys, and values of the wrong type in API creates and edits: 422
    naming the field (DESIGN §7: the body is JSON, its content is
    invalid), and nothing written."""
    eid = create_api(alice)["id"]
    before = everything(mdb)
    for method, path in (("POST", ""), ("PUT", f"/{eid}"), ("PATCH", f"/{eid}")):
        body = change if method == "PATCH" else dict(valid_json(), **change)
        err = api_error(alice.api(method, path, body), 422, "validation")
        assert field in err["fields"], (method, err)
    assert everything(mdb) == before


FILTER_INJECTION = [
    "region[$ne]=x", "region%5B%24ne%5D=x", "format[$in][]=presentiel", "$where=1",
    "%24where=sleep(100)", "type.x=1", "region=%24ne", "region={\"$ne\":\"x\"}",
    "departement[$gt]=", "public[$regex]=.*", "q[$regex]=.*", "page[$gt]=0", "page=1e9999",
    "du[$gte]=2022-11-01", "per_page[$gt]=1000",
]


@pytest.mark.parametrize("qs", FILTER_INJECTION)
def test_v5_3_4_no_operator_in_filters(httpd, mdb, qs):
    """ASVS 5.3.4 for the query string: the programme, its exports and the
    API list refuse operator names and unknown values with 400."""
    for path in ("/", "/programme.json", "/programme.ics", "/programme.csv", "/programme.atom",
                 "/api/v1/events"):
        r = raw(httpd, "GET", f"{path}?{qs}")
        assert r.status_code == 400, (path, qs, r.status_code)
        assert "$" not in r.headers.get("ETag", "")
        if path == "/":
            assert_nothing_injected(r.text, httpd.base, qs)


@pytest.mark.parametrize("bad_id", ["%24ne", "%7B%22%24ne%22%3Anull%7D", "%5B%24ne%5D",
                                    "000000000000000000000000", "6b0d0c8d20c912dba402536Z",
                                    "6b0d0c8d20c912dba4025363%00"])
def test_v5_3_4_operator_or_malformed_ids_are_404(httpd, alice, bad_id):
    """ASVS 5.3.4 for the ids in URLs: only a well-formed ObjectId is
    looked up; anything else is 404, never 500.  (httpd itself answers 404
    to an encoded NUL in a path, before any module.)"""
    for path in (f"/evenements/{bad_id}", f"/evenements/{bad_id}.ics",
                 f"/api/v1/events/{bad_id}"):
        assert raw(httpd, "GET", path).status_code == 404, path
    assert alice.get(f"/espace/evenements/{bad_id}/modifier").status_code == 404
    for r in (alice.api("PATCH", f"/{bad_id}", {"title": "Titre inconnu"}),
              alice.api("DELETE", f"/{bad_id}")):
        assert r.status_code == 404
        if "%00" not in bad_id:
            api_error(r, 404, "not_found")


def test_v5_3_4_operator_lookalike_text_is_stored_as_text(httpd, mdb, alice):
    """ASVS 5.3.4: what looks like an operator in a text field is kept as
    the text typed, never interpreted."""
    title = '{"$gt": ""} $where this.x == 1 ' + tag()
    ev = create_api(alice, title=title, city="$ne", venue="a.b.c $set")
    doc = mdb.events.find_one({"_id": ObjectId(ev["id"])})
    assert doc["title"] == title and doc["venue"] == "a.b.c $set"
    assert doc.get("city") in (None, "$ne")
    r = raw(httpd, "GET", "/api/v1/events", params={"q": '{"$gt": ""}'})
    assert r.status_code == 200


# ---- output encoding ------------------------------------------------------------------------------

XSS_TITLE = '<script>alert("t")</script> "><img src=x onerror=alert(1)> ]]> a;b,c\\d '
XSS = {
    "summary": "=cmd|' /C calc'!A0 </script><script>alert(2)</script>\r\n"
               "END:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injecté\r\n<!--",
    "description": "]]><x>&amp;</x><![CDATA[ x ]]> <!-- -->\u2028\u2029\r\n"
                   "X-INJECTED:1\r\nATTACH:http://evil.example/\r\n"
                   '"guillemets", ;point-virgule, \\barre\r\n\r\n'
                   "<iframe src=javascript:alert(8)></iframe>",
    "city": "@SUM(1+1)*cmd|' /C calc'!A0",
    "venue": '+33 "><svg onload=alert(3)>',
    "address": '-2+3,"a";b <iframe src=javascript:alert(4)>',
    "organizer_name": "&lt;b&gt;déjà échappé&lt;/b&gt; &amp;",
    "organization": "</script><script>alert(5)</script>",
    "online_url": "https://exemple.gouv.fr/salle?a=1&b=2'onmouseover=alert(6)",
    "registration_url": "https://exemple.gouv.fr/inscription?suite=javascript:alert(7)",
}


@pytest.fixture(scope="module")
def xss_event(httpd, mdb, alice, admin):
    """A published hybrid event whose every text holds markup, CRLF,
    iCalendar and XML syntax and spreadsheet formulas."""
    t = tag()
    title = XSS_TITLE + t
    ev = create_api(alice, title=title, format="hybride", region="11", department="75",
                    **XSS)
    doc = mdb.events.find_one({"_id": ObjectId(ev["id"])})
    assert doc["title"] == title, "texts are stored as typed"
    for k, v in XSS.items():
        assert doc[k] == v, k
    publish(admin, ev["id"])
    r = raw(httpd, "GET", "/programme.json", params={"q": t})
    assert r.json()["total"] == 1
    return dict(id=ev["id"], tag=t, title=title)


def lf(s):
    return s.replace("\r\n", "\n")


def test_v5_3_3_xss_public_html_pages(httpd, xss_event):
    """ASVS 5.3.3: "context-aware ... output escaping protects against
    reflected, stored, and DOM based XSS" — the programme and the event page
    show every payload as text; no element, attribute or script of theirs
    comes through."""
    t, eid = xss_event["tag"], xss_event["id"]
    for path in (f"/?q={t}", f"/evenements/{eid}", "/"):
        r = raw(httpd, "GET", path)
        assert r.status_code == 200, path
        assert_nothing_injected(r.text, httpd.base, path)
        if path != "/":
            assert xss_event["title"].strip() in text_of(r), path
    page = text_of(raw(httpd, "GET", f"/evenements/{eid}"))
    for k in ("venue", "address", "organizer_name", "organization"):
        assert XSS[k] in page, k
    assert "&lt;b&gt;déjà échappé&lt;/b&gt; &amp;" in page  # not unescaped twice


def test_v5_3_6_json_ld_block_cannot_be_broken_out_of(httpd, xss_event):
    """ASVS 5.3.6: "protects against JavaScript or JSON injection attacks" —
    the schema.org JSON-LD block of the event page stays one script element
    whose JSON holds the texts exactly."""
    r = raw(httpd, "GET", f"/evenements/{xss_event['id']}")
    body = r.text
    start = body.index('<script type="application/ld+json">')
    block = body[start:body.index("</script>", start)]
    assert "<" not in block[len('<script type="application/ld+json">'):]
    assert "<!--" not in block and "</" not in block
    ld = json_ld_of(body)
    assert ld["name"] == xss_event["title"]
    assert ld["description"] == lf(XSS["summary"])
    assert ld["organizer"]["name"] == XSS["organization"]
    assert_nothing_injected(body, httpd.base, "event page")


def test_v5_3_3_xss_organiser_and_admin_pages(httpd, alice, admin, xss_event):
    """ASVS 5.3.3 on the organiser's space, the edit form (the values come
    back exactly in the fields) and the moderation page."""
    eid = xss_event["id"]
    pages = {"espace": alice.get("/espace"), "edit": alice.get(f"/espace/evenements/{eid}/modifier"),
             "admin": admin.get("/admin"), "edit (admin)":
             admin.get(f"/espace/evenements/{eid}/modifier")}
    for what, r in pages.items():
        assert r.status_code == 200, what
        assert_nothing_injected(r.text, httpd.base, what)
    form = scan_event_form(pages["edit"].text).values
    assert form["title"] == xss_event["title"]
    for k in ("venue", "address", "organizer_name", "organization", "online_url",
              "registration_url", "city"):
        assert form[k] == XSS[k], k
    assert lf(form["description"]) == lf(XSS["description"])


REFLECTED = ['"><script>alert(1)</script>', "<img src=x onerror=alert(1)>",
             "' onfocus='alert(1)", "</textarea><script>alert(1)</script>"]


@pytest.mark.parametrize("payload", REFLECTED)
def test_v5_3_3_reflected_xss(httpd, payload):
    """ASVS 5.3.3 (reflected): what a request carries and a page shows back
    — the search box, the login's address and `retour`, the sign-up form
    filled back, error pages — is escaped."""
    retour = raw(httpd, "GET", "/compte/connexion",
                 params={"retour": httpd.base + "/?x=" + payload})
    assert 'name="retour"' in retour.text, "a safe retour is carried in the form"
    answers = [raw(httpd, "GET", "/", params={"q": payload}), retour,
               raw(httpd, "GET", "/pas-de-page/" + quote(payload)),
               raw(httpd, "GET", "/", params={"region": payload})]
    with client(httpd) as c:
        answers.append(c.login(payload + "@example.gouv.fr", "mauvais mot de passe"))
        answers.append(c.signup("x" + payload + "@example.gouv.fr", "court", name=payload,
                                organization=payload))
    for r in answers:
        assert r.status_code in (200, 400, 401, 404, 422), r.status_code
        assert_nothing_injected(r.text, httpd.base, (payload, r.url))


def test_v5_3_10_atom_feed_is_well_formed_and_holds_the_text(httpd, xss_event):
    """ASVS 5.3.10: "protects against XPath injection or XML injection" —
    the Atom feed parses as XML, with the payloads as text (`]]>` and
    markup included) and no element of theirs."""
    r = raw(httpd, "GET", "/programme.atom", params={"q": xss_event["tag"]})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    ns = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(ns + "entry")
    assert len(entries) == 1
    e = entries[0]
    assert e.findtext(ns + "title") == xss_event["title"]
    assert all(el.tag.startswith(ns) for el in root.iter()), \
        [el.tag for el in root.iter() if not el.tag.startswith(ns)]
    assert lf(XSS["summary"]) in e.findtext(ns + "summary")
    assert e.find(ns + "author").findtext(ns + "name") == XSS["organization"]


def test_v5_3_1_icalendar_escapes_text_per_rfc5545(httpd, xss_event):
    """ASVS 5.3.1: "output encoding is relevant for the interpreter and
    context required" — in iCalendar (RFC 5545: `\\n`, `\\;`, `\\,`, `\\\\`
    escapes, lines folded), CRLF in a text cannot start a property or a
    component; parsed with the icalendar library."""
    import icalendar

    eid, t = xss_event["id"], xss_event["tag"]
    for path, params in ((f"/evenements/{eid}.ics", None), ("/programme.ics", {"q": t})):
        r = raw(httpd, "GET", path, params=params)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith("text/calendar")
        body = r.content
        for line in body.split(b"\r\n"):
            assert len(line) <= 75, line
            assert not line.startswith((b"X-INJECTED", b"ATTACH", b"SUMMARY:inject")), line
        assert b"\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:inject" not in body
        cal = icalendar.Calendar.from_ical(body)
        events = list(cal.walk("VEVENT"))
        assert len(events) == 1, path
        ev = events[0]
        assert str(ev["SUMMARY"]) == xss_event["title"]
        for comp in cal.walk():
            for name in comp.keys():
                assert name not in ("X-INJECTED", "ATTACH"), (path, name)
        desc = str(ev["DESCRIPTION"])
        assert lf(XSS["summary"]) in desc, desc[:500]
        assert "\nX-INJECTED:1\nATTACH:http://evil.example/\n" in desc, desc[:1000]
        assert '"guillemets", ;point-virgule, \\barre' in desc, desc[:1000]
        location = str(ev["LOCATION"])
        for k in ("venue", "address", "city"):
            assert XSS[k] in location, (k, location)


def csv_of(r):
    text = r.content.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_csv_safe(rows, eid, what):
    header = rows[0]
    mine = [row for row in rows[1:] if any(eid in cell for cell in row)]
    assert len(mine) == 1, what
    for row in rows[1:]:
        assert len(row) == len(header), (what, row)
        for cell in row:
            assert not cell[:1] in ("=", "+", "-", "@", "\t", "\r"), (what, cell)
    cells = mine[0]
    joined = "\x1f".join(c[1:] if c.startswith("'") else c for c in cells)
    for k in ("city", "venue", "address"):
        assert XSS[k] in joined, (what, k)
    assert any(c == "'" + XSS["city"] for c in cells), (what, cells)
    return cells


def test_v5_3_1_csv_quotes_cells_and_neutralises_formulas(httpd, admin, xss_event):
    """ASVS 5.3.1 for CSV (RFC 4180 quoting; DESIGN §7: cells beginning with
    = + - @ neutralised, here by a leading apostrophe) — the public export
    and the admin export."""
    eid = xss_event["id"]
    r = raw(httpd, "GET", "/programme.csv", params={"q": xss_event["tag"]})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert_csv_safe(csv_of(r), eid, "programme.csv")
    r = admin.get("/admin/export.csv")
    assert r.status_code == 200
    assert "attachment" in r.headers["Content-Disposition"]
    cells = assert_csv_safe(csv_of(r), eid, "admin/export.csv")
    assert xss_event["title"] in cells


def test_v5_3_6_json_exports_hold_the_exact_text(httpd, alice, xss_event):
    """ASVS 5.3.6 (JSON injection): programme.json and the API return the
    texts exactly, through a JSON library, as application/json."""
    eid, t = xss_event["id"], xss_event["tag"]
    answers = [raw(httpd, "GET", "/programme.json", params={"q": t}),
               raw(httpd, "GET", "/api/v1/events", params={"q": t}),
               raw(httpd, "GET", f"/api/v1/events/{eid}"), alice.api("GET", f"/{eid}")]
    for r in answers:
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        doc = r.json()
        ev = doc if "events" not in doc else doc["events"][0]
        assert ev["id"] == eid and ev["title"] == xss_event["title"]
        for k, v in XSS.items():
            assert lf(ev[k]) == lf(v), k
        assert alice.email not in r.text and "organizer_id" not in ev
        assert "rejection_reason" not in ev or r is answers[-1]


def test_v5_3_3_crlf_and_controls_in_one_line_fields_are_refused(httpd, mdb, alice):
    """ASVS 5.1.4 / 5.3.3: one-line fields (title, city…) refuse CR, LF and
    other control characters (422), so no header or property can be cut
    out of them."""
    total = mdb.events.count_documents({})
    for field in ("title", "city", "venue", "organization"):
        for bad in ("Atelier\r\nX-INJECTED: 1", "Atelier\x0bvertical", "Atelier\x1b[31m"):
            err = api_error(alice.create_api(**{field: bad}), 422, "validation")
            assert field in err["fields"], (field, err)
    assert mdb.events.count_documents({}) == total


# ==== V7 Logging =====================================================================================


def test_v7_1_1_no_password_or_session_token_in_the_logs(httpd):
    """ASVS 7.1.1: "the application does not log credentials ... Session
    tokens should only be stored in logs in an irreversible, hashed form"."""
    c, email = new_account(httpd, password="mot de passe du journal 42")
    c.login(email, "mot de passe du journal 42")
    c.login(email, "mauvais mot de passe du journal")
    c.api_login(email, "mot de passe du journal 42")
    SECRETS.add(c.token)
    c.close()
    time.sleep(0.3)
    logs = os.path.join(httpd.root, "logs")
    found = []
    for name in os.listdir(logs):
        with open(os.path.join(logs, name), "rb") as f:
            data = f.read()
        for s in SECRETS:
            if len(s) >= 8 and s.encode() in data:
                found.append((name, s[:6] + "…"))
    assert not found, found


# ==== V8 Data protection ==============================================================================


def test_v8_2_1_private_answers_are_not_cacheable(httpd, alice, admin, alice_events):
    """ASVS 8.2.1: "sufficient anti-caching headers so that sensitive data is
    not cached in modern browsers"; 8.1.1: "protects sensitive data from
    being cached in server components" — account, organiser and admin pages,
    the API session and an owner's view of an unpublished event are
    `no-store`; public pages hold nothing of the visitor's session."""
    eid = alice_events["submitted"]["id"]
    private = [alice.get("/espace"), alice.get("/compte/mot-de-passe"),
               alice.get(f"/espace/evenements/{eid}/modifier"),
               alice.get("/espace/evenements/nouveau"), alice.get(f"/evenements/{eid}"),
               alice.api("GET", f"/{eid}"), alice.get("/api/v1/session"),
               admin.get("/admin"), admin.get("/admin/export.csv"),
               raw(httpd, "GET", "/compte/connexion"), raw(httpd, "GET", "/compte/inscription"),
               raw(httpd, "GET", "/espace")]
    for r in private:
        assert r.headers.get("Cache-Control") == "no-store", (r.url, r.headers.get("Cache-Control"))
    pub = alice_events["published"]["id"]
    for path in ("/", f"/evenements/{pub}", "/programme.json"):
        r = alice.get(path)
        assert r.status_code == 200
        assert r.headers["Cache-Control"] == "public, max-age=60"
        assert alice.csrf not in r.text and "Alice Organisatrice" not in text_of(r), path
        assert cookie_line(r, SESSION_COOKIE) is None


def test_v8_3_1_credentials_travel_in_the_body_only(httpd):
    """ASVS 8.3.1: "sensitive data is sent to the server in the HTTP message
    body or headers, and ... query string parameters ... do not contain
    sensitive data" — the forms post, and a login in the query string is
    not one."""
    with client(httpd) as c:
        r = c.get("/compte/connexion")
        forms = re.findall(r'<form[^>]*>', r.text)
        login_forms = [f for f in forms if "/compte/connexion" in f]
        assert login_forms and all('method="post"' in f for f in login_forms), forms
        csrf = csrf_from(r.text)
        r = c.post("/compte/connexion?" + urlencode({"csrf": csrf, "email": "a@b.gouv.fr",
                                                       "password": PASSWORD}),
                   data={"csrf": csrf})
        assert r.status_code == 422 and c.token is None


# ==== V13 API ===========================================================================================


def test_v13_2_1_methods_are_those_of_the_route(httpd, alice, alice_events):
    """ASVS 13.2.1: "enabled RESTful HTTP methods are a valid choice for the
    user or action"; 14.5.1: "the application server only accepts the HTTP
    methods in use" — others get 405 with Allow (OPTIONS: 204, no CORS)."""
    eid = alice_events["published"]["id"]
    cases = [("PUT", "/api/v1/events", {"GET", "HEAD", "POST"}),
             ("POST", f"/api/v1/events/{eid}", {"GET", "HEAD", "PUT", "PATCH", "DELETE"}),
             ("DELETE", "/", {"GET", "HEAD"}),
             ("POST", "/programme.json", {"GET", "HEAD"}),
             ("PUT", "/compte/connexion", {"GET", "HEAD", "POST"}),
             ("GET", "/compte/deconnexion", {"POST"}),
             ("PROPFIND", "/espace", {"GET", "HEAD"}),
             ("PATCH", "/api/v1/session", {"GET", "HEAD", "POST", "DELETE"})]
    for method, path, allow in cases:
        r = alice.c.request(method, path)
        assert r.status_code == 405, (method, path, r.status_code)
        assert {m.strip() for m in r.headers["Allow"].split(",")} == allow, (method, path)
        assert r.headers.get("X-Content-Type-Options") == "nosniff"


def test_v14_5_3_no_cross_origin_resource_sharing(httpd, alice, alice_events):
    """ASVS 14.5.3: "the Cross-Origin Resource Sharing (CORS)
    Access-Control-Allow-Origin header uses a strict allow list" — here
    none: no answer, preflight included, allows another origin."""
    eid = alice_events["published"]["id"]
    answers = [
        raw(httpd, "OPTIONS", f"/api/v1/events/{eid}",
            headers={"Origin": EVIL, "Access-Control-Request-Method": "DELETE",
                     "Access-Control-Request-Headers": "X-CSRF-Token"}),
        raw(httpd, "GET", "/api/v1/events", headers={"Origin": EVIL}),
        raw(httpd, "GET", "/api/v1/events", headers={"Origin": "null"}),
        alice.c.request("GET", "/api/v1/session", headers={"Origin": EVIL}),
        raw(httpd, "GET", "/programme.json", headers={"Origin": EVIL}),
    ]
    assert answers[0].status_code == 204
    for r in answers:
        cors = [h for h in r.headers if h.lower().startswith("access-control-")]
        assert not cors, (r.url, cors)


# ==== V14 Configuration: headers ===========================================================================


def failed_login(httpd, email):
    with client(httpd) as c:
        return c.login(email, "mauvais mot de passe x")


def every_kind_of_answer(httpd, alice, admin, events):
    """(what, response, class) for one answer of each kind: class is
    'public', 'private' or 'other'."""
    pub, hidden = events["published"]["id"], events["submitted"]["id"]
    r0 = raw(httpd, "GET", "/")
    out = [
        ("programme", r0, "public"),
        ("programme 304", raw(httpd, "GET", "/", headers={"If-None-Match": r0.headers["ETag"]}),
         "public"),
        ("event page", raw(httpd, "GET", f"/evenements/{pub}"), "public"),
        ("event .ics", raw(httpd, "GET", f"/evenements/{pub}.ics"), "public"),
        ("programme.ics", raw(httpd, "GET", "/programme.ics"), "public"),
        ("programme.json", raw(httpd, "GET", "/programme.json"), "public"),
        ("programme.csv", raw(httpd, "GET", "/programme.csv"), "public"),
        ("programme.atom", raw(httpd, "GET", "/programme.atom"), "public"),
        ("api list", raw(httpd, "GET", "/api/v1/events"), "public"),
        ("api event", raw(httpd, "GET", f"/api/v1/events/{pub}"), "public"),
        ("programme HEAD", raw(httpd, "HEAD", "/"), "public"),
        ("login page", raw(httpd, "GET", "/compte/connexion"), "private"),
        ("signup page", raw(httpd, "GET", "/compte/inscription"), "private"),
        ("espace anonymous (303)", raw(httpd, "GET", "/espace"), "private"),
        ("espace", alice.get("/espace"), "private"),
        ("edit form", alice.get(f"/espace/evenements/{hidden}/modifier"), "private"),
        ("password page", alice.get("/compte/mot-de-passe"), "private"),
        ("admin 403", alice.get("/admin"), "private"),
        ("admin", admin.get("/admin"), "private"),
        ("admin export", admin.get("/admin/export.csv"), "private"),
        ("api session", alice.get("/api/v1/session"), "private"),
        ("api session 401", raw(httpd, "GET", "/api/v1/session"), "private"),
        ("failed login 401", failed_login(httpd, alice.email), "private"),
        ("csrf 403", raw(httpd, "POST", "/compte/connexion", data={"csrf": "x"}), "private"),
        ("api write 401", raw(httpd, "POST", "/api/v1/events", json={}), "private"),
        ("api 415", alice.api("POST", "", data="x", headers={"Content-Type": "text/plain"}),
         "private"),
        ("api 422", alice.api("POST", "", {"title": 1}), "private"),
        ("event 404", raw(httpd, "GET", f"/evenements/{hidden}"), "other"),
        ("page 404", raw(httpd, "GET", "/pas-de-page"), "other"),
        ("api 404", raw(httpd, "GET", "/api/v1/pas-de-page"), "other"),
        ("filter 400", raw(httpd, "GET", "/?region=99"), "other"),
        ("405", raw(httpd, "DELETE", "/"), "other"),
        ("413", raw(httpd, "POST", "/compte/connexion", data="x" * (70 * 1024),
                    headers={"Content-Type": "application/x-www-form-urlencoded"}), "private"),
        ("base without slash (301)", requests.get(f"http://127.0.0.1:{httpd.port}{httpd.base}",
                                                  allow_redirects=False, timeout=10), "other"),
        ("health", raw(httpd, "GET", "/sante"), "other"),
        ("openapi", raw(httpd, "GET", "/api/v1/openapi.json"), "other"),
        ("style sheet", raw(httpd, "GET", "/static/moisinno.css"), "other"),
        ("script", raw(httpd, "GET", "/static/moisinno.js"), "other"),
    ]
    return out


@pytest.fixture(scope="module")
def answers(httpd, alice, admin, alice_events):
    return every_kind_of_answer(httpd, alice, admin, alice_events)


def test_v14_4_1_every_answer_has_a_content_type_with_a_charset(answers):
    """ASVS 14.4.1: "every HTTP response contains a Content-Type header ...
    a safe character set ... if the content types are text/*, /+xml and
    application/xml" (and JSON, UTF-8)."""
    for what, r, _ in answers:
        if r.status_code in (204, 304):
            continue
        ctype = r.headers.get("Content-Type", "")
        assert ctype, what
        main = ctype.split(";")[0].strip()
        if main.startswith("text/") or main.endswith("+xml") or main.endswith("json"):
            assert "charset=utf-8" in ctype.lower(), (what, ctype)


def test_v14_4_3_csp_header(answers):
    """ASVS 14.4.3: "a Content Security Policy (CSP) response header is in
    place that helps mitigate impact for XSS attacks" — on every HTML page
    of the module, DESIGN §8's policy exactly."""
    html_pages = [(w, r) for w, r, _ in answers
                  if r.headers.get("Content-Type", "").startswith("text/html")]
    assert len(html_pages) >= 15
    for what, r in html_pages:
        assert r.headers.get("Content-Security-Policy") == CSP, (what, r.headers)


def test_v14_4_4_nosniff_on_every_response(answers):
    """ASVS 14.4.4: "all responses contain a X-Content-Type-Options: nosniff
    header"."""
    for what, r, _ in answers:
        assert r.headers.get("X-Content-Type-Options") == "nosniff", (what, r.status_code)


def test_v14_4_6_referrer_policy(answers):
    """ASVS 14.4.6: "a suitable Referrer-Policy header is included to avoid
    exposing sensitive information in the URL through the Referer header"."""
    for what, r, _ in answers:
        if r.headers.get("Content-Type", "").startswith("text/html"):
            assert r.headers.get("Referrer-Policy") == "same-origin", what


def test_v14_4_7_no_framing_by_other_sites(answers):
    """ASVS 14.4.7: "the content of a web application cannot be embedded in
    a third-party site by default ... by using suitable
    Content-Security-Policy: frame-ancestors and X-Frame-Options response
    headers"."""
    for what, r, _ in answers:
        if r.headers.get("Content-Type", "").startswith("text/html"):
            csp = r.headers.get("Content-Security-Policy", "")
            assert "frame-ancestors 'self'" in csp, what
            assert r.headers.get("X-Frame-Options") == "SAMEORIGIN", what


def test_v8_1_1_cache_policy_by_kind_of_answer(answers):
    """ASVS 8.1.1 / 8.2.1 and DESIGN §8: private answers are `no-store`,
    the public programme and exports `public, max-age=60`."""
    for what, r, kind in answers:
        cc = r.headers.get("Cache-Control")
        if kind == "private":
            assert cc == "no-store", (what, cc)
        elif kind == "public":
            assert cc == "public, max-age=60", (what, cc)
