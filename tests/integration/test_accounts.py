"""Organiser accounts through a real httpd and the real database: sign-up,
login, sessions and their expiry, lockout, CSRF, password change, roles,
the API session, bad input, headers, and secrets kept out of the logs."""
import html
import os
import re
import secrets
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone

import nacl.pwhash
import pytest
import requests
from bson import ObjectId

from accounts_helpers import (
    PASSWORD,
    SECRETS,
    SESSION_COOKIE,
    CSRF_COOKIE,
    Client,
    address_key,
    client,
    configured,
    cookie_attrs,
    cookie_line,
    csrf_from,
    location_path,
    new_account,
    scan,
    snapshot,
    token_digest,
    unique_email,
    wait_until,
    with_cookie,
)

CSP = "default-src 'self'; frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


pytestmark = pytest.mark.usefixtures("database_ready")


@pytest.fixture(scope="module")
def account(httpd):
    """One organiser shared by tests that only log in (never locked out,
    never changes its password)."""
    c, email = new_account(httpd, name="Compte Partagé")
    c.close()
    return email


def text_of(r):
    return html.unescape(r.text)


def base(httpd, path=""):
    return httpd.base + path


def assert_espace(httpd, r):
    assert r.status_code == 303, (r.status_code, r.text[:1000])
    assert location_path(r) == base(httpd, "/espace")


def assert_error_form(r, field, message):
    """A 422 form page: the summary at the top links the field, the field
    is marked invalid, the French message is there."""
    assert r.status_code == 422, (r.status_code, r.text[:1000])
    assert r.headers["Content-Type"].startswith("text/html")
    body = r.text
    assert 'class="erreurs"' in body and 'role="alert"' in body, body[:3000]
    assert "Le formulaire contient" in body
    summary = body[body.index('class="erreurs"'):]
    summary = summary[: summary.index("</div>")]
    assert f'href="#{field}"' in summary, summary
    fields = {a.get("id"): a for _, a in scan(body).fields}
    assert fields[field].get("aria-invalid") == "true", fields[field]
    assert message in text_of(r), text_of(r)[:3000]


# ---- sign-up -----------------------------------------------------------------


def test_signup_creates_account_logs_in_and_stores_argon2id(httpd, mdb):
    email = unique_email("Camille.Dupont", "Interieur.GOUV.fr")
    password = "Un mot de passe très sûr 2022"
    with client(httpd) as c:
        r = c.signup(email, password, name="Camille Dupont", organization="Préfecture du Nord",
                     organization_type="etat")
        assert_espace(httpd, r)
        token = c.token
        assert token and TOKEN_RE.match(token), token
        r = c.get("/espace")
        assert r.status_code == 200
        assert "Camille Dupont" in text_of(r)
        assert email.lower() in r.text

    doc = mdb.organizers.find_one({"email": email.lower()})
    assert doc is not None, "no organiser stored under the lower-cased address"
    assert mdb.organizers.count_documents({"email": email}) == 0
    assert doc["email"] == email.lower()
    assert doc["password_hash"].startswith("$argon2id$"), doc["password_hash"]
    assert nacl.pwhash.verify(doc["password_hash"].encode(), password.encode())
    assert doc["name"] == "Camille Dupont"
    assert doc["organization"] == "Préfecture du Nord"
    assert doc["organization_type"] == "etat"
    assert isinstance(doc["created_at"], datetime)
    for key, value in doc.items():
        assert password not in str(value), key
    assert "password" not in doc and "password_confirm" not in doc

    # The session: stored under the SHA-256 of the token, never the token.
    s = mdb.sessions.find_one({"_id": token_digest(token)})
    assert s is not None
    assert s["organizer_id"] == doc["_id"]
    for coll in ("sessions", "organizers", "login_failures"):
        for d in mdb[coll].find({}):
            assert token not in repr(d), coll


def test_signup_duplicate_email_is_422_and_the_form_is_filled_back(httpd, mdb):
    c1, email = new_account(httpd)
    c1.close()
    other_password = "un autre mot de passe 42"
    with client(httpd) as c:
        r = c.signup(email.upper(), other_password, name="Dominique <Doublon>",
                     organization="Mairie d'Arles", organization_type="collectivite")
        assert_error_form(r, "email", "Un compte existe déjà avec cette adresse")
        body = r.text
        assert f'value="{email}"' in body  # normalised, filled back
        assert 'value="Dominique &lt;Doublon&gt;"' in body  # filled back, escaped
        assert 'value="Mairie d&#39;Arles"' in body
        assert '<option value="collectivite" selected>' in body
        assert other_password not in body
        for tag, a in scan(body).fields:
            if a.get("type") == "password":
                assert "value" not in a, a
        assert c.token is None
    assert mdb.organizers.count_documents({"email": email}) == 1


def test_simultaneous_signups_with_one_address_make_one_account(httpd, mdb):
    email = unique_email("course")
    n = 8
    clients = [Client(httpd) for _ in range(n)]
    tokens = [c.form_csrf("/compte/inscription") for c in clients]
    barrier = threading.Barrier(n)
    results = [None] * n

    def go(i):
        barrier.wait()
        results[i] = clients[i].signup(email, csrf=tokens[i]).status_code

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    assert sorted(results) == [303] + [422] * (n - 1), results
    assert mdb.organizers.count_documents({"email": email}) == 1


@pytest.fixture()
def gouv_only(httpd):
    with configured(httpd, "    MoisInnoSignupDomains gouv.fr"):
        yield


def test_signup_domains_suffix_match(httpd, mdb, gouv_only):
    tag = secrets.token_hex(4)
    for email in (f"agent.{tag}@x.gouv.fr", f"agent.{tag}@gouv.fr", f"agent.{tag}@A.B.GOUV.FR"):
        with client(httpd) as c:
            assert_espace(httpd, c.signup(email))
    for email in (f"agent.{tag}@notgouv.fr", f"agent.{tag}@gouv.fr.evil.example",
                  f"agent.{tag}@gouv.com"):
        with client(httpd) as c:
            r = c.signup(email)
            assert_error_form(r, "email",
                              "L'inscription est réservée aux adresses des domaines suivants : "
                              "gouv.fr.")
            assert c.token is None
        assert mdb.organizers.count_documents({"email": email.lower()}) == 0


SIGNUP_ERRORS = [
    ("short password", {"password": "onze-octets", "confirm": "onze-octets"}, "password",
     "Le mot de passe doit comporter au moins 12 caractères."),
    ("password over 1024 bytes", {"password": "é" * 513, "confirm": "é" * 513}, "password",
     "Le mot de passe ne doit pas dépasser 1024 octets."),
    ("confirmation mismatch", {"confirm": PASSWORD + "!"}, "password_confirm",
     "La confirmation ne correspond pas au mot de passe."),
    ("missing confirmation", {"confirm": ""}, "password_confirm",
     "La confirmation ne correspond pas au mot de passe."),
    ("unknown organization_type", {"organization_type": "ministere"}, "organization_type",
     "Choisissez le type d'organisation."),
    ("missing organization_type", {"organization_type": None}, "organization_type",
     "Choisissez le type d'organisation."),
    ("malformed e-mail", {"email": "pas-une-adresse"}, "email",
     "L'adresse électronique n'est pas valide"),
    ("e-mail with two @", {"email": "a@b@example.gouv.fr"}, "email",
     "L'adresse électronique n'est pas valide"),
    ("empty e-mail", {"email": ""}, "email", "Indiquez votre adresse électronique."),
    ("overlong e-mail", {"email": "a" * 250 + "@example.gouv.fr"}, "email",
     "L'adresse électronique n'est pas valide"),
    ("empty name", {"name": "  "}, "name", "Indiquez votre nom."),
    ("overlong name", {"name": "N" * 201}, "name", "Le nom ne doit pas dépasser 200 caractères."),
    ("control character in organisation", {"organization": "Mairie\x01"}, "organization",
     "Ce champ contient des caractères non permis."),
]


@pytest.mark.parametrize("what,change,field,message", SIGNUP_ERRORS,
                         ids=[e[0] for e in SIGNUP_ERRORS])
def test_signup_validation_errors_are_422_with_summary(httpd, mdb, what, change, field,
                                                         message):
    before = snapshot(mdb)
    email = change.get("email", unique_email("invalide"))
    password = change.get("password", PASSWORD)
    kw = {k: v for k, v in change.items() if k not in ("email", "password")}
    with client(httpd) as c:
        r = c.signup(email, password, **kw)
        assert_error_form(r, field, message)
        assert c.token is None
        # Filled back except the passwords.
        if field != "name":
            assert 'value="Camille Agent"' in r.text
        assert password not in r.text
        assert "Créer un compte organisateur" in text_of(r)
    assert snapshot(mdb) == before


# ---- cookies -------------------------------------------------------------------


def test_session_cookie_attributes(httpd):
    email = unique_email()
    with client(httpd) as c:
        r = c.get("/compte/inscription")
        csrf_line = cookie_line(r, CSRF_COOKIE)
        assert csrf_line, r.headers
        r = c.signup(email, csrf=csrf_from(r.text))
        assert r.status_code == 303
        line = cookie_line(r, SESSION_COOKIE)
        assert line, r.headers
    for line in (line, csrf_line):
        value, attrs = cookie_attrs(line)
        assert TOKEN_RE.match(value), line
        assert attrs.get("httponly") is True, line
        assert attrs.get("samesite", "").lower() == "lax", line
        assert attrs.get("path") == httpd.base, line
        assert "secure" not in attrs, line
        assert "domain" not in attrs, line


@pytest.fixture()
def secure_cookies(httpd):
    with configured(httpd, "    MoisInnoSecureCookies On"):
        yield


def test_secure_cookies_on_adds_secure(httpd, account, secure_cookies):
    with client(httpd) as c:
        r = c.get("/compte/connexion")
        _, attrs = cookie_attrs(cookie_line(r, CSRF_COOKIE))
        assert attrs.get("secure") is True
        r = c.api_login(account)
        assert r.status_code == 200, r.text
        value, attrs = cookie_attrs(cookie_line(r, SESSION_COOKIE))
        assert TOKEN_RE.match(value)
        assert attrs.get("secure") is True
        assert attrs.get("httponly") is True
        assert attrs.get("samesite", "").lower() == "lax"
        assert attrs.get("path") == httpd.base


# ---- login ---------------------------------------------------------------------


def test_login_gives_a_new_token_and_ends_the_old_one(httpd, mdb):
    c, email = new_account(httpd)
    old = c.token
    r = c.login(email)
    assert_espace(httpd, r)
    new = c.token
    assert new and new != old
    assert with_cookie(httpd, "/api/v1/session", old).status_code == 401
    assert with_cookie(httpd, "/api/v1/session", new).status_code == 200
    assert mdb.sessions.find_one({"_id": token_digest(old)}) is None
    c.close()


def test_login_replaces_a_planted_session_cookie(httpd, account):
    planted = secrets.token_urlsafe(32)
    SECRETS.add(planted)
    with client(httpd) as c:
        c.set_session_cookie(planted)
        r = c.login(account)
        assert_espace(httpd, r)
        assert c.token != planted and TOKEN_RE.match(c.token)
        assert with_cookie(httpd, "/api/v1/session", planted).status_code == 401
        assert c.logged_in()


def normalise_login_page(text, email, csrf):
    return text.replace(csrf, "CSRF").replace(email, "EMAIL")


def test_wrong_password_and_unknown_email_answer_alike(httpd, mdb):
    c0, email = new_account(httpd)
    c0.close()
    answers = {"wrong": [], "unknown": []}
    times = {"wrong": [], "unknown": []}
    with client(httpd) as c:
        csrf = c.form_csrf("/compte/connexion")
        for i in range(4):  # under the lockout threshold
            for kind in ("wrong", "unknown"):
                addr = email if kind == "wrong" else unique_email("inconnu")
                t0 = time.perf_counter()
                r = c.login(addr, "pas le bon mot de passe", csrf=csrf)
                times[kind].append(time.perf_counter() - t0)
                answers[kind].append((r.status_code, normalise_login_page(r.text, addr, csrf),
                                      r.headers.get("Content-Type")))
    statuses = {a[0] for k in answers for a in answers[k]}
    assert statuses == {401}, answers
    bodies = {a[1] for k in answers for a in answers[k]}
    assert len(bodies) == 1, "the pages differ"
    body = bodies.pop()
    assert "Adresse électronique ou mot de passe incorrect." in html.unescape(body)
    assert 'value="EMAIL"' in body  # the address is filled back in both cases
    assert len({a[2] for k in answers for a in answers[k]}) == 1
    mw, mu = statistics.median(times["wrong"]), statistics.median(times["unknown"])
    assert min(mw, mu) >= 0.5 * max(mw, mu), times

    # The API answers alike too.
    with client(httpd) as c:
        a = c.api_login(email, "pas le bon mot de passe 2")
        b = c.api_login(unique_email("inconnu"), "pas le bon mot de passe 2")
        assert a.status_code == b.status_code == 401
        assert a.json() == b.json()
        assert a.json()["error"]["message"] == "Adresse électronique ou mot de passe incorrect."


def test_login_rehashes_a_hash_with_other_parameters(httpd, mdb):
    c0, email = new_account(httpd)
    c0.close()
    weak = nacl.pwhash.argon2id.str(PASSWORD.encode(), opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                                    memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN).decode()
    mdb.organizers.update_one({"email": email}, {"$set": {"password_hash": weak}})
    with client(httpd) as c:
        assert_espace(httpd, c.login(email))
    stored = mdb.organizers.find_one({"email": email})["password_hash"]
    assert stored != weak and stored.startswith("$argon2id$v=19$m=65536,t=2,p=1$"), stored
    assert nacl.pwhash.verify(stored.encode(), PASSWORD.encode())
    with client(httpd) as c:
        assert_espace(httpd, c.login(email))


def test_login_follows_a_safe_retour(httpd, account):
    target = httpd.base + "/espace?x=1"
    with client(httpd) as c:
        r = c.get("/compte/connexion", params={"retour": target})
        assert f'name="retour" value="{html.escape(target)}"' in r.text
        r = c.login(account, retour=target)
        assert r.status_code == 303
        assert location_path(r) == target


UNSAFE_RETOURS = [
    "https://evil.example/",
    "//evil.example",
    "/autre-site",
    "/mois-innovation/../x",
    "/\\evil",
    "/mois-innovation-evil/espace",
    "/mois-innovation/%2e%2e/x",
    "javascript:alert(1)",
    "mois-innovation/espace",
    "/mois-innovation/\r\nSet-Cookie: x=1",
]


@pytest.mark.parametrize("retour", UNSAFE_RETOURS)
def test_login_ignores_an_unsafe_retour(httpd, account, retour):
    with client(httpd) as c:
        r = c.get("/compte/connexion", params={"retour": retour})
        assert r.status_code == 200
        assert 'name="retour"' not in r.text
        r = c.login(account, retour=retour)
        assert_espace(httpd, r)


def test_login_with_the_address_in_another_case(httpd, account):
    with client(httpd) as c:
        assert_espace(httpd, c.login("  " + account.upper() + " "))


# ---- lockout -------------------------------------------------------------------


def fail_logins(c, email, n):
    csrf = c.form_csrf("/compte/connexion")
    for i in range(n):
        # The count is per address whatever its case.
        addr = email.upper() if i % 2 else email
        r = c.login(addr, f"mauvais mot de passe {i}", csrf=csrf)
        assert r.status_code == 401, (i, r.status_code)


def assert_locked(r):
    assert r.status_code == 429, (r.status_code, r.text[:500])
    retry = int(r.headers["Retry-After"])
    assert 0 < retry <= 15 * 60 + 1, retry
    assert "Trop de tentatives" in text_of(r)


def test_lockout_after_five_failures(httpd, mdb):
    c0, email = new_account(httpd)
    c0.close()
    with client(httpd) as c:
        fail_logins(c, email, 5)
        r = c.login(email)  # the right password
        assert_locked(r)
        assert c.token is None
        assert_locked(c.api_login(email))
    assert mdb.login_failures.count_documents({"key": address_key(email)}) >= 5
    acct = mdb.organizers.find_one({"email": email.lower()})
    assert acct["failed_logins"] >= 5
    assert acct["locked_until"].replace(tzinfo=timezone.utc) > datetime.now(timezone.utc)


def test_lockout_for_an_address_without_account_looks_the_same(httpd, mdb):
    c0, known = new_account(httpd)
    c0.close()
    unknown = unique_email("personne")
    pages = []
    with client(httpd) as c:
        for email in (known, unknown):
            fail_logins(c, email, 5)
            r = c.login(email, csrf=c.csrf)
            assert_locked(r)
            pages.append((r.status_code, r.text))
    assert pages[0] == pages[1]
    assert mdb.login_failures.count_documents({"key": address_key(unknown)}) >= 5
    assert mdb.organizers.count_documents({"email": unknown}) == 0


def test_lockout_expires(httpd, mdb):
    c0, email = new_account(httpd)
    c0.close()
    with client(httpd) as c:
        fail_logins(c, email, 5)
        assert_locked(c.login(email))
        # Move the failures 16 minutes into the past: the lock (15 minutes
        # after the fifth failure) is over.
        past = datetime.now(timezone.utc) - timedelta(minutes=16)
        res = mdb.login_failures.update_many(
            {"key": address_key(email)}, {"$set": {"at": past}}
        )
        assert res.matched_count == 5
        assert_espace(httpd, c.login(email))
    assert mdb.login_failures.count_documents({"key": address_key(email)}) == 0


def concurrent_failures(httpd, email, n):
    """n wrong passwords for `email` sent at once; their statuses."""
    clients = [Client(httpd) for _ in range(n)]
    tokens = [c.form_csrf("/compte/connexion") for c in clients]
    barrier = threading.Barrier(n)
    statuses = [None] * n

    def go(i):
        barrier.wait()
        statuses[i] = clients[i].login(email, f"mauvais {i}", csrf=tokens[i]).status_code

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    return statuses


def test_five_concurrent_failures_lock_the_address(httpd, mdb):
    """Five wrong passwords sent at once each answer 401 (never 503) and
    lock the address like five in a row: the sixth attempt gets 429.
    Several rounds, with and without an account, as the outcome of a race
    varies from one round to the next."""
    for round in range(6):
        if round % 2 == 0:
            c0, email = new_account(httpd)
            c0.close()
        else:
            email = unique_email("rafale")
        statuses = concurrent_failures(httpd, email, 5)
        att = mdb.login_failures.count_documents({"key": address_key(email)})
        assert statuses == [401] * 5, (round, statuses)
        with client(httpd) as c:
            r = c.login(email)
        assert r.status_code == 429, (
            f"round {round}: 5 concurrent failures did not lock the address: the 6th "
            f"attempt got {r.status_code}; failures stored: {att}"
        )


# ---- logout --------------------------------------------------------------------


def assert_logged_out(httpd, c, r):
    """The answer to a logout: the page saying so, or a redirect (on this
    site) to it; the session cookie is cleared either way."""
    value, attrs = cookie_attrs(cookie_line(r, SESSION_COOKIE))
    assert value == "" and attrs.get("max-age") == "0", attrs
    if r.status_code == 303:
        target = location_path(r)
        assert target.startswith(httpd.base + "/"), target
        r = c.get(target[len(httpd.base):])
    assert r.status_code == 200, (r.status_code, r.text[:500])
    assert "Vous êtes déconnecté." in text_of(r)
    assert not c.logged_in()


def test_logout_ends_the_session_on_the_server(httpd, mdb):
    c, email = new_account(httpd)
    token = c.token
    digest = token_digest(token)
    assert mdb.sessions.find_one({"_id": digest}) is not None
    assert mdb.sessions.count_documents({"_id": token}) == 0
    r = c.logout()
    assert_logged_out(httpd, c, r)
    c.close()
    assert mdb.sessions.find_one({"_id": digest}) is None

    r = with_cookie(httpd, "/espace", token)
    assert r.status_code == 303
    assert location_path(r).startswith(httpd.base + "/compte/connexion?retour=")
    r = with_cookie(httpd, "/api/v1/session", token)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


# ---- idle and absolute expiry ----------------------------------------------------


@pytest.fixture(scope="class")
def short_sessions(httpd):
    with configured(httpd, "    MoisInnoSessionTimeout 2 4"):
        yield


@pytest.fixture(scope="class")
def who(httpd, short_sessions):
    c, email = new_account(httpd)
    c.close()
    return email


def utc(d):
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d


@pytest.mark.usefixtures("short_sessions")
class TestSessionTimeouts:
    """With MoisInnoSessionTimeout 2 4 (idle 2 s, absolute 4 s)."""

    def test_expired_sessions_are_purged(self, httpd, mdb):
        """A child purges expired sessions at its first request with a
        session cookie, then every 10 minutes; these children are new."""
        old = datetime.now(timezone.utc) - timedelta(hours=1)
        ids = [secrets.token_hex(32) for _ in range(3)]
        mdb.sessions.insert_many([{"_id": i, "organizer_id": ObjectId(), "csrf": "x",
                                   "created_at": old, "last_seen": old, "expires_at": old}
                                  for i in ids])
        for _ in range(6):
            r = requests.get(httpd.url + "/api/v1/session", timeout=5,
                             headers={"Connection": "close",
                                      "Cookie": f"{SESSION_COOKIE}={secrets.token_urlsafe(32)}"})
            assert r.status_code == 401
        gone = wait_until(lambda: mdb.sessions.count_documents({"_id": {"$in": ids}}) == 0, 2)
        mdb.sessions.delete_many({"_id": {"$in": ids}})
        assert gone, "expired sessions were not purged"

    def test_session_expiry_is_stored(self, httpd, mdb, who):
        with client(httpd) as c:
            assert c.api_login(who).status_code == 200
            s = mdb.sessions.find_one({"_id": token_digest(c.token)})
        created, expires = utc(s["created_at"]), utc(s["expires_at"])
        assert abs((expires - created).total_seconds() - 2) < 0.01, s
        assert utc(s["last_seen"]) == created

    def test_idle_expiry(self, httpd, mdb, who):
        with client(httpd) as c:
            assert c.api_login(who).status_code == 200
            token = c.token
            assert c.logged_in()
            time.sleep(2.5)
            assert with_cookie(httpd, "/api/v1/session", token).status_code == 401
            assert with_cookie(httpd, "/espace", token).status_code == 303
        assert mdb.sessions.find_one({"_id": token_digest(token)}) is None

    def test_activity_keeps_the_session_then_absolute_expiry(self, httpd, who):
        with client(httpd) as c:
            t0 = time.monotonic()
            assert c.api_login(who).status_code == 200
            token = c.token
            seen = []
            for at in (0.8, 1.6, 2.4, 3.2):
                time.sleep(max(0, t0 + at - time.monotonic()))
                seen.append((at, with_cookie(httpd, "/api/v1/session", token).status_code))
            time.sleep(max(0, t0 + 4.5 - time.monotonic()))
            final = with_cookie(httpd, "/api/v1/session", token).status_code
        assert all(s == 200 for _, s in seen), (
            f"a session used every 0.8 s expired before its absolute timeout (idle 2 s, "
            f"absolute 4 s): {seen}"
        )
        assert final == 401

    def test_absolute_expiry_even_when_recently_seen(self, httpd, mdb, who):
        """The absolute limit holds whatever last_seen says."""
        with client(httpd) as c:
            t0 = time.monotonic()
            assert c.api_login(who).status_code == 200
            token = c.token
            digest = token_digest(token)
            for at in (1.5, 3.0):
                time.sleep(max(0, t0 + at - time.monotonic()))
                mdb.sessions.update_one({"_id": digest},
                                        {"$set": {"last_seen": datetime.now(timezone.utc)}})
                assert with_cookie(httpd, "/api/v1/session", token).status_code == 200, at
            time.sleep(max(0, t0 + 4.5 - time.monotonic()))
            mdb.sessions.update_one({"_id": digest},
                                    {"$set": {"last_seen": datetime.now(timezone.utc)}})
            assert with_cookie(httpd, "/api/v1/session", token).status_code == 401
        assert mdb.sessions.find_one({"_id": digest}) is None


def test_default_session_lifetime_is_stored(httpd, mdb, account):
    with client(httpd) as c:
        assert c.api_login(account).status_code == 200
        s = mdb.sessions.find_one({"_id": token_digest(c.token)})
    created, expires = utc(s["created_at"]), utc(s["expires_at"])
    assert abs((expires - created).total_seconds() - 7200) < 0.01, s
    assert isinstance(s["csrf"], str) and TOKEN_RE.match(s["csrf"])
    assert s["csrf"] != c.token


# ---- password change ---------------------------------------------------------------


def test_password_change(httpd, mdb):
    c, email = new_account(httpd)
    other = Client(httpd)
    assert_espace(httpd, other.login(email))
    assert other.logged_in()
    hash_before = mdb.organizers.find_one({"email": email})["password_hash"]
    new_password = "nouveau mot de passe 2022"

    r = c.change_password("pas le mot de passe actuel", new_password)
    assert_error_form(r, "current_password", "Le mot de passe actuel est incorrect.")
    r = c.change_password(PASSWORD, "court")
    assert_error_form(r, "password", "Le mot de passe doit comporter au moins 12 caractères.")
    r = c.change_password(PASSWORD, new_password, confirm=new_password + "x")
    assert_error_form(r, "password_confirm", "La confirmation ne correspond pas")
    assert mdb.organizers.find_one({"email": email})["password_hash"] == hash_before
    assert other.logged_in()

    r = c.change_password(PASSWORD, new_password)
    assert r.status_code == 200, r.text[:1000]
    assert "Votre mot de passe a été changé." in text_of(r)
    assert new_password not in r.text and PASSWORD not in r.text
    stored = mdb.organizers.find_one({"email": email})["password_hash"]
    assert stored != hash_before and stored.startswith("$argon2id$")

    assert not other.logged_in(), "the other session survived the password change"
    assert c.logged_in(), "the session that changed the password was ended"
    with client(httpd) as d:
        assert d.login(email, PASSWORD).status_code == 401
        assert_espace(httpd, d.login(email, new_password))
    c.close()
    other.close()


def test_password_page_needs_a_session(httpd):
    r = requests.get(httpd.url + "/compte/mot-de-passe", allow_redirects=False, timeout=5)
    assert r.status_code == 303
    assert location_path(r).startswith(httpd.base + "/compte/connexion?retour=")


# ---- roles -------------------------------------------------------------------------


def test_admin_page_anonymous_is_sent_to_login(httpd):
    r = requests.get(httpd.url + "/admin", allow_redirects=False, timeout=5)
    assert r.status_code == 303
    assert location_path(r) == httpd.base + "/compte/connexion?retour=" + httpd.base + "/admin"
    assert r.headers["Cache-Control"] == "no-store"


def test_admin_page_is_403_for_an_organiser(httpd):
    c, _ = new_account(httpd)
    with c:
        r = c.get("/admin")
        assert r.status_code == 403
        assert "réservée à l'équipe de modération" in text_of(r)
        assert c.get("/api/v1/session").json()["organizer"]["role"] == "organizer"


@pytest.fixture()
def admins(httpd):
    tag = secrets.token_hex(4)
    first = f"Chef.{tag}@Modernisation.GOUV.fr"  # configured in mixed case
    second = f"equipe.{tag}@modernisation.gouv.fr"
    with configured(httpd, f"    MoisInnoAdmins {first} {second}"):
        yield first, second


def test_admin_role_from_the_configuration(httpd, admins):
    first, second = admins
    c1, _ = new_account(httpd, first.lower())
    c2, _ = new_account(httpd, second.upper())  # signs up in another case
    c3, _ = new_account(httpd)
    for c in (c1, c2):
        r = c.get("/admin")
        assert r.status_code == 200, r.status_code
        assert "Modération" in text_of(r)
        assert c.get("/api/v1/session").json()["organizer"]["role"] == "admin"
    assert c3.get("/admin").status_code == 403
    for c in (c1, c2, c3):
        c.close()


# ---- CSRF ------------------------------------------------------------------------------

CSRF_VARIANTS = ["missing", "wrong", "cross-origin", "sec-fetch-cross-site", "no-csrf-cookie"]


def csrf_attempt(c, path, variant):
    """(csrf value, headers) for a form POST under a CSRF variant."""
    good = c.form_csrf(path)
    if variant == "missing":
        return False, None
    if variant == "wrong":
        return secrets.token_urlsafe(32), None
    if variant == "cross-origin":
        return good, {"Origin": "https://evil.example"}
    if variant == "sec-fetch-cross-site":
        return good, {"Sec-Fetch-Site": "cross-site"}
    if variant == "no-csrf-cookie":
        # The token of the page, without the cookie it belongs to (for a
        # session, the token of another session).
        if c.token:
            other, _ = new_account(c.httpd)
            token = other.session_csrf()
            other.close()
            return token, None
        c.s.cookies.clear()
        return good, None
    raise AssertionError(variant)


def assert_csrf_refused(r):
    assert r.status_code == 403, (r.status_code, r.text[:500])
    assert cookie_line(r, SESSION_COOKIE) is None or cookie_attrs(
        cookie_line(r, SESSION_COOKIE))[0] == ""
    t = text_of(r)
    assert "Accès refusé" in t and ("autre site" in t or "formulaire a expiré" in t), t


@pytest.mark.parametrize("variant", CSRF_VARIANTS)
def test_csrf_signup(httpd, mdb, variant):
    email = unique_email("csrf")
    before = snapshot(mdb)
    with client(httpd) as c:
        csrf, headers = csrf_attempt(c, "/compte/inscription", variant)
        assert_csrf_refused(c.signup(email, csrf=csrf, headers=headers))
    assert mdb.organizers.count_documents({"email": email}) == 0
    assert snapshot(mdb) == before


@pytest.mark.parametrize("variant", CSRF_VARIANTS)
def test_csrf_login(httpd, mdb, account, variant):
    before = snapshot(mdb)
    with client(httpd) as c:
        csrf, headers = csrf_attempt(c, "/compte/connexion", variant)
        assert_csrf_refused(c.login(account, csrf=csrf, headers=headers))
        assert c.token is None
    assert snapshot(mdb) == before


@pytest.mark.parametrize("variant", CSRF_VARIANTS)
def test_csrf_logout(httpd, mdb, account, variant):
    with client(httpd) as c:
        assert_espace(httpd, c.login(account))
        csrf, headers = csrf_attempt(c, "/espace", variant)
        before = snapshot(mdb)
        assert_csrf_refused(c.logout(csrf=csrf, headers=headers))
        assert snapshot(mdb) == before
        assert c.logged_in()


@pytest.mark.parametrize("variant", CSRF_VARIANTS)
def test_csrf_password_change(httpd, mdb, variant):
    c, email = new_account(httpd)
    with c:
        hash_before = mdb.organizers.find_one({"email": email})["password_hash"]
        csrf, headers = csrf_attempt(c, "/compte/mot-de-passe", variant)
        assert_csrf_refused(c.change_password(PASSWORD, "mot de passe imposé 123", csrf=csrf,
                                              headers=headers))
        assert mdb.organizers.find_one({"email": email})["password_hash"] == hash_before
        assert c.logged_in()


def test_same_origin_and_same_site_requests_are_accepted(httpd, account):
    with client(httpd) as c:
        origin = f"http://127.0.0.1:{httpd.port}"
        r = c.login(account, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"})
        assert_espace(httpd, r)
        assert_logged_out(httpd, c, c.logout(headers={"Origin": origin}))


# ---- API session ---------------------------------------------------------------------


def test_api_session_login_whoami_logout(httpd, mdb, account):
    with client(httpd) as c:
        assert c.get("/api/v1/session").status_code == 401
        r = c.api_login(account)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.headers["Cache-Control"] == "no-store"
        doc = r.json()
        assert doc["organizer"]["email"] == account
        assert doc["organizer"]["role"] == "organizer"
        assert "password_hash" not in doc["organizer"]
        assert TOKEN_RE.match(doc["csrf_token"])
        token = c.token
        assert TOKEN_RE.match(token) and token != doc["csrf_token"]
        r = c.get("/api/v1/session")
        assert r.status_code == 200 and r.json() == doc

        r = c.request("DELETE", "/api/v1/session")
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "csrf"
        r = c.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": secrets.token_urlsafe(32)})
        assert r.status_code == 403
        assert c.logged_in()
        r = c.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": doc["csrf_token"],
                                                            "Origin": "https://evil.example"})
        assert r.status_code == 403
        assert c.logged_in()

        r = c.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": doc["csrf_token"]})
        assert r.status_code == 204
        assert r.content == b""
    assert mdb.sessions.find_one({"_id": token_digest(token)}) is None
    assert with_cookie(httpd, "/api/v1/session", token).status_code == 401


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "null"}])
def test_api_login_cross_site_is_403(httpd, mdb, account, headers):
    before = snapshot(mdb)
    with client(httpd) as c:
        r = c.api_login(account, headers=headers)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "cross_origin"
        assert c.token is None
    assert snapshot(mdb) == before


@pytest.mark.parametrize("ctype", ["application/x-www-form-urlencoded", "text/plain",
                                   "multipart/form-data; boundary=x", None,
                                   "application/jsonp"])
def test_api_login_needs_json_content_type(httpd, mdb, account, ctype):
    before = snapshot(mdb)
    body = '{"email":"%s","password":"%s"}' % (account, PASSWORD)
    headers = {"Content-Type": ctype} if ctype else {}
    with client(httpd) as c:
        r = requests.post(httpd.url + "/api/v1/session", data=body.encode(), headers=headers,
                          timeout=10)
        assert r.status_code == 415, r.text
        assert r.json()["error"]["code"] == "unsupported_media_type"
        assert cookie_line(r, SESSION_COOKIE) is None
    assert snapshot(mdb) == before


# ---- injection and bad input -----------------------------------------------------------


def raw_form_post(c, path, body):
    return c.post(path, data=body.encode("latin-1") if isinstance(body, str) else body,
                  headers={"Content-Type": "application/x-www-form-urlencoded"})


JSON_BAD = [
    ({"email": {"$ne": ""}, "password": "x"}, 400),
    ({"email": "a@example.gouv.fr", "password": {"$gt": ""}}, 400),
    ({"email": ["a@example.gouv.fr"], "password": "x"}, 400),
    ({"email": None, "password": None}, 400),
    ({"$where": "1", "email": "a@example.gouv.fr"}, 400),
]


@pytest.mark.parametrize("doc,status", JSON_BAD)
def test_api_login_refuses_non_string_fields(httpd, mdb, doc, status):
    before = snapshot(mdb)
    r = requests.post(httpd.url + "/api/v1/session", json=doc, timeout=10)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["message"] and err["code"]
    assert snapshot(mdb) == before


@pytest.mark.parametrize("body", [b'{"email":', b"[]", b"nul", b'"texte"', b"",
                                  b'{"email":"a@x.fr","email":"b@x.fr","password":"p"}',
                                  b'{"email":"a\xff@x.fr","password":"mot de passe 12"}',
                                  b'{"email":"a@x.fr","password":"mot de\\u0000passe 12"}'])
def test_api_login_malformed_json_is_400(httpd, mdb, body):
    before = snapshot(mdb)
    r = requests.post(httpd.url + "/api/v1/session", data=body,
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["message"]
    assert snapshot(mdb) == before


FORM_BAD = [
    ("operator in a field name", "email[$ne]=&password=x"),
    ("dollar field name", "$where=1&email=a%40example.gouv.fr&password=x"),
    ("dotted field name", "email.x=1&email=a%40example.gouv.fr&password=x"),
    ("invalid UTF-8", "email=%C3%28%40example.gouv.fr&password=x"),
    ("lone continuation byte", "email=a%40example.gouv.fr&password=%80bcdefghijklmn"),
    ("overlong UTF-8", "email=a%40example.gouv.fr&password=%C0%AFbcdefghijklmn"),
    ("UTF-16 surrogate", "email=a%40example.gouv.fr&password=%ED%A0%80bcdefghijkl"),
    ("NUL in a value", "email=a%00%40example.gouv.fr&password=x"),
    ("NUL in the password", "email=a%40example.gouv.fr&password=abc%00defghijklmnop"),
    ("raw NUL byte", "email=a@example.gouv.fr&password=abc\x00def"),
    ("truncated escape", "email=a%40example.gouv.fr&password=abc%4"),
    ("bad escape", "email=a%40example.gouv.fr&password=abc%zz"),
]


@pytest.mark.parametrize("path", ["/compte/connexion", "/compte/inscription"])
@pytest.mark.parametrize("what,body", FORM_BAD, ids=[b[0] for b in FORM_BAD])
def test_bad_form_input_is_400(httpd, mdb, path, what, body):
    before = snapshot(mdb)
    with client(httpd) as c:
        csrf = c.form_csrf(path)
        r = raw_form_post(c, path, f"csrf={csrf}&" + body)
        assert r.status_code == 400, (r.status_code, r.text[:500])
        assert "Requête incorrecte" in text_of(r)
        assert "formulaire" in text_of(r)
        assert c.token is None
    assert snapshot(mdb) == before


def test_ten_megabyte_password_is_413(httpd, mdb, account):
    before = snapshot(mdb)
    with client(httpd) as c:
        csrf = c.form_csrf("/compte/connexion")
        big = "x" * (10 * 1024 * 1024)
        r = c.post("/compte/connexion", {"csrf": csrf, "email": account, "password": big})
        assert r.status_code == 413
        assert "64 Kio" in text_of(r)
        r = requests.post(httpd.url + "/api/v1/session",
                          json={"email": account, "password": big}, timeout=30)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "too_large"
    assert snapshot(mdb) == before


def test_chunked_body_over_64k_is_413(httpd, mdb, account):
    before = snapshot(mdb)
    with client(httpd) as c:
        csrf = c.form_csrf("/compte/inscription")

        def chunks():
            yield f"csrf={csrf}&email={account}&password=".encode()
            for _ in range(20):
                yield b"y" * 4096

        r = c.post("/compte/inscription", chunks(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413
    assert snapshot(mdb) == before


def test_body_just_under_64k_is_read(httpd, mdb):
    """A 64 KiB form is read (and refused for its content, not its size)."""
    with client(httpd) as c:
        csrf = c.form_csrf("/compte/inscription")
        email = unique_email("long")
        head = f"csrf={csrf}&email={email}&password=abcdefghijkl&password_confirm=abcdefghijkl" \
               f"&organization_type=etat&organization=Org&name="
        body = head + "n" * (64 * 1024 - len(head))
        assert len(body) == 64 * 1024
        r = raw_form_post(c, "/compte/inscription", body)
        assert_error_form(r, "name", "Le nom ne doit pas dépasser 200 caractères.")
    assert mdb.organizers.count_documents({"email": email}) == 0


def test_login_password_over_1024_bytes_fails_like_a_wrong_one(httpd, mdb, account):
    c0, email = new_account(httpd)
    c0.close()
    with client(httpd) as c:
        r = c.login(email, PASSWORD + "x" * 2000)
        assert r.status_code == 401
        assert "Adresse électronique ou mot de passe incorrect." in text_of(r)


def test_form_with_json_content_type_is_415(httpd, mdb, account):
    before = snapshot(mdb)
    with client(httpd) as c:
        csrf = c.form_csrf("/compte/connexion")
        r = c.post("/compte/connexion", json={"csrf": csrf, "email": account, "password": PASSWORD})
        assert r.status_code == 415
        assert c.token is None
    assert snapshot(mdb) == before


FORGED = [
    secrets.token_urlsafe(32),  # well formed, unknown
    "A" * 43,
    "garbage",
    "!" * 43,
    secrets.token_urlsafe(32)[:42] + "=",
    secrets.token_urlsafe(64),
    "x" * 4000,
    "",
    '"' + secrets.token_urlsafe(32) + '"',
]


@pytest.mark.parametrize("cookie", FORGED, ids=["unknown-token", "A43", "garbage", "bangs",
                                                "padded", "64-bytes", "4000-chars", "empty",
                                                "quoted"])
def test_forged_cookie_is_anonymous(httpd, mdb, cookie):
    before = snapshot(mdb)
    r = with_cookie(httpd, "/espace", cookie)
    assert r.status_code == 303
    assert location_path(r).startswith(httpd.base + "/compte/connexion?retour=")
    r = with_cookie(httpd, "/api/v1/session", cookie)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    r = with_cookie(httpd, "/admin", cookie)
    assert r.status_code == 303
    r = with_cookie(httpd, "/compte/connexion", cookie)
    assert r.status_code == 200
    assert snapshot(mdb) == before


def test_session_of_a_deleted_organiser_is_anonymous(httpd, mdb):
    c, email = new_account(httpd)
    with c:
        token = c.token
        mdb.organizers.delete_one({"email": email})
        assert not c.logged_in()
    assert mdb.sessions.find_one({"_id": token_digest(token)}) is None


# ---- headers and accessibility -----------------------------------------------------------


def assert_page_headers(r, what):
    h = r.headers
    assert h.get("Cache-Control") == "no-store", (what, h)
    assert h.get("X-Content-Type-Options") == "nosniff", (what, h)
    if r.status_code != 303:
        assert h.get("Content-Security-Policy") == CSP, (what, h)
        assert h.get("Referrer-Policy") == "same-origin", (what, h)
        assert h["Content-Type"].startswith("text/html; charset=utf-8"), what
        assert '<html lang="fr">' in r.text, what


AUTOCOMPLETE = {
    "/compte/inscription": {"email": "email", "password": "new-password",
                            "password_confirm": "new-password", "name": "name",
                            "organization": "organization"},
    "/compte/connexion": {"email": "username", "password": "current-password"},
    "/compte/mot-de-passe": {"current_password": "current-password",
                             "password": "new-password", "password_confirm": "new-password"},
}


def assert_accessible_form(r, path):
    page = scan(r.text)
    assert page.html_lang == "fr"
    visible = [(t, a) for t, a in page.fields if a.get("type") not in ("hidden", "submit")]
    assert visible, path
    ids = set()
    for tag, a in visible:
        assert a.get("id") and a["id"] in page.labels, (path, a)
        ids.add(a["id"])
        if tag == "input":
            assert a.get("autocomplete") == AUTOCOMPLETE[path].get(a["name"]), (path, a)
    assert set(AUTOCOMPLETE[path]) <= ids, (path, ids)


def test_account_pages_headers_and_forms(httpd, account):
    with client(httpd) as anon:
        for path in ("/compte/inscription", "/compte/connexion"):
            r = anon.get(path)
            assert r.status_code == 200
            assert_page_headers(r, path)
            assert_accessible_form(r, path)
        r = anon.get("/espace")
        assert_page_headers(r, "anonymous /espace")
        r = anon.login(account, "pas le bon mot de passe")
        assert r.status_code == 401
        assert_page_headers(r, "failed login")
        assert_accessible_form(r, "/compte/connexion")
        r = anon.signup(unique_email(), "court")
        assert_page_headers(r, "sign-up errors")
        assert_accessible_form(r, "/compte/inscription")
        r = anon.post("/compte/connexion", {"csrf": "x", "email": account, "password": "p"})
        assert r.status_code == 403
        assert_page_headers(r, "csrf refusal")
        r = raw_form_post(anon, "/compte/connexion", "email[$ne]=")
        assert r.status_code == 400
        assert_page_headers(r, "bad form")

    c, _ = new_account(httpd)
    with c:
        r = c.get("/compte/mot-de-passe")
        assert r.status_code == 200
        assert_page_headers(r, "/compte/mot-de-passe")
        assert_accessible_form(r, "/compte/mot-de-passe")
        r = c.change_password("faux mot de passe", "nouveau mot de passe 1")
        assert r.status_code == 422
        assert_page_headers(r, "password errors")
        assert_accessible_form(r, "/compte/mot-de-passe")
        r = c.get("/espace")
        assert r.status_code == 200
        assert_page_headers(r, "/espace")
        r = c.get("/admin")
        assert r.status_code == 403
        assert_page_headers(r, "/admin (403)")
        r = c.login(unique_email())
        assert_page_headers(r, "login while logged in")
        r = c.logout()
        assert_page_headers(r, "logout")
    with client(httpd) as c:
        r = c.signup(unique_email())
        assert r.status_code == 303
        assert_page_headers(r, "sign-up redirect")
        r = c.get("/api/v1/session")
        assert r.headers.get("Cache-Control") == "no-store"
        assert r.headers.get("X-Content-Type-Options") == "nosniff"


def test_error_summary_focus_and_links(httpd):
    """Every summary entry links to a field that exists on the page."""
    with client(httpd) as c:
        r = c.signup("pas-une-adresse", "court", confirm="autre", name="",
                     organization="", organization_type="x")
        assert r.status_code == 422
        body = r.text
        summary = body[body.index('id="erreurs"'):]
        summary = summary[: summary.index("</div>")]
        assert re.search(r'<div class="erreurs"[^>]*tabindex="-1"', body)
        links = re.findall(r'href="#([^"]+)"', summary)
        ids = {a.get("id") for _, a in scan(body).fields}
        assert set(links) == {"email", "password", "password_confirm", "name", "organization",
                              "organization_type"}, links
        assert set(links) <= ids
        assert "Le formulaire contient 6 erreurs" in body


# ---- secrets never logged -------------------------------------------------------------------


def test_no_password_or_token_in_any_log(httpd, db):
    # Sign up and log in here too, so that the check means something when
    # this test runs alone.
    c, email = new_account(httpd, password="mot de passe du journal 77")
    c.login(email, "mot de passe du journal 77")
    c.api_login(email, "mot de passe du journal 77")
    c.login(email, "mauvais mot de passe du journal")
    c.close()
    time.sleep(0.3)  # the access log is written after the response
    assert len(SECRETS) >= 3
    logs = [os.path.join(httpd.root, "logs", f) for f in os.listdir(os.path.join(httpd.root, "logs"))]
    logs.append(os.path.join(db.dir, "devdb.log"))
    found = []
    for path in logs:
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        for s in SECRETS:
            if len(s) >= 8 and s.encode() in data:
                found.append((os.path.basename(path), s[:6] + "…"))
    assert not found, found
