"""Helpers for the organiser-account tests: a browser-like client that
follows the CSRF protocol of the forms, and ways to look into the database.
"""
import base64
import contextlib
import hashlib
import os
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import urlsplit

import requests

SESSION_COOKIE = "moisinno_session"
CSRF_COOKIE = "moisinno_csrf"
PASSWORD = "correct horse battery staple"

# Every password and session token the tests hand to httpd, so that the
# last test can check that none of them was ever logged.
SECRETS = set()

CSRF_RE = re.compile(r'<input type="hidden" name="csrf" value="([^"]*)">')


def unique_email(prefix="agent", domain="example.gouv.fr"):
    return f"{prefix}.{uuid.uuid4().hex[:12]}@{domain}"


def token_digest(token):
    """The sessions._id of a session token: hex SHA-256 of its raw bytes."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) == 32
    return hashlib.sha256(raw).hexdigest()


def address_key(email):
    """The login_failures.key of a submitted address."""
    return hashlib.sha256(email.lower().encode()).hexdigest()


def set_cookies(response):
    """The Set-Cookie header lines of a response, in order."""
    return response.raw.headers.getlist("Set-Cookie")


def cookie_line(response, name):
    """The last Set-Cookie line for `name` (None when there is none)."""
    lines = [l for l in set_cookies(response) if l.startswith(name + "=")]
    return lines[-1] if lines else None


def cookie_attrs(line):
    """(value, {attribute-lower: value-or-True}) of a Set-Cookie line."""
    parts = [p.strip() for p in line.split(";")]
    value = parts[0].split("=", 1)[1]
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip() if _ else True
    return value, attrs


def location_path(response):
    """Path and query of a Location header (relative or on this host)."""
    loc = response.headers.get("Location")
    if loc is None:
        return None
    u = urlsplit(loc)
    assert u.netloc == "" or u.netloc.startswith("127.0.0.1"), loc
    return u.path + ("?" + u.query if u.query else "")


def csrf_from(html):
    m = CSRF_RE.search(html)
    return m.group(1) if m else None


def httpd_children(httpd):
    """Pids of the children of httpd's parent process."""
    parent, pids = httpd.pid(), set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.add(int(entry))
    return pids


def graceful_and_settle(httpd):
    """A graceful restart that returns once the children of the previous
    generation are gone, so that no new connection can reach a child that
    still runs the previous configuration."""
    old = httpd_children(httpd)
    httpd.graceful()
    wait_until(lambda: not (old & httpd_children(httpd)), 10)


@contextlib.contextmanager
def configured(httpd, location_extra):
    """Runs the block with extra directives in the application's <Location>,
    then puts the default configuration back."""
    httpd.write_config(location_extra=location_extra)
    graceful_and_settle(httpd)
    try:
        yield
    finally:
        httpd.write_config()
        graceful_and_settle(httpd)


class Client:
    """A browser-like client of one httpd: cookie jar, no redirects followed."""

    def __init__(self, httpd):
        self.httpd = httpd
        self.base = httpd.base
        self.url = httpd.url
        self.s = requests.Session()
        self.csrf = None

    def close(self):
        self.s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 10)
        return self.s.get(self.url + path, **kw)

    def post(self, path, data=None, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 30)
        return self.s.post(self.url + path, data=data, **kw)

    def request(self, method, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 10)
        return self.s.request(method, self.url + path, **kw)

    @property
    def token(self):
        for c in self.s.cookies:
            if c.name == SESSION_COOKIE:
                return c.value
        return None

    def set_session_cookie(self, value):
        self.s.cookies.set(SESSION_COOKIE, value, domain="127.0.0.1", path=self.base)

    def form_csrf(self, path):
        """GETs a form page and returns its csrf token.  A csrf of False
        given to the methods below leaves the field out."""
        r = self.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        self.csrf = csrf_from(r.text)
        assert self.csrf, r.text[:2000]
        return self.csrf

    def _remember(self, r):
        line = cookie_line(r, SESSION_COOKIE)
        if line:
            value, _ = cookie_attrs(line)
            if value:
                SECRETS.add(value)

    def signup(self, email, password=PASSWORD, confirm=None, name="Camille Agent",
               organization="Préfecture de la Gironde", organization_type="etat", csrf=None,
               headers=None, extra=None):
        SECRETS.add(password)
        if csrf is None:
            csrf = self.form_csrf("/compte/inscription")
        data = {
            "csrf": csrf,
            "email": email,
            "password": password,
            "password_confirm": password if confirm is None else confirm,
            "name": name,
            "organization": organization,
            "organization_type": organization_type,
        }
        data.update(extra or {})
        data = {k: v for k, v in data.items() if v is not None and v is not False}
        r = self.post("/compte/inscription", data, headers=headers)
        self._remember(r)
        return r

    def login(self, email, password=PASSWORD, retour=None, csrf=None, headers=None):
        SECRETS.add(password)
        if csrf is None:
            csrf = self.form_csrf("/compte/connexion")
        data = {"csrf": csrf, "email": email, "password": password}
        if retour is not None:
            data["retour"] = retour
        data = {k: v for k, v in data.items() if v is not None and v is not False}
        r = self.post("/compte/connexion", data, headers=headers)
        self._remember(r)
        return r

    def api_login(self, email, password=PASSWORD, headers=None):
        SECRETS.add(password)
        r = self.post("/api/v1/session", json={"email": email, "password": password},
                      headers=headers)
        self._remember(r)
        return r

    def session_csrf(self):
        """The CSRF token of the current session (from the API)."""
        r = self.get("/api/v1/session")
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()["csrf_token"]

    def logout(self, csrf=None, headers=None):
        if csrf is None:
            csrf = self.session_csrf()
        data = "" if csrf is False else f"csrf={csrf}"
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return self.post("/compte/deconnexion", data, headers=headers)

    def change_password(self, current, new, confirm=None, csrf=None, headers=None):
        SECRETS.add(new)
        SECRETS.add(current)
        if csrf is None:
            csrf = self.form_csrf("/compte/mot-de-passe")
        data = {"csrf": csrf, "current_password": current, "password": new,
                "password_confirm": new if confirm is None else confirm}
        data = {k: v for k, v in data.items() if v is not None and v is not False}
        return self.post("/compte/mot-de-passe", data, headers=headers)

    def logged_in(self):
        """True when GET /api/v1/session answers 200 with this client's cookie."""
        r = self.get("/api/v1/session")
        assert r.status_code in (200, 401), (r.status_code, r.text)
        return r.status_code == 200


def with_cookie(httpd, path, token, method="GET", **kw):
    """A request carrying only the session cookie `token` (no jar)."""
    headers = dict(kw.pop("headers", {}) or {})
    headers["Cookie"] = f"{SESSION_COOKIE}={token}"
    return requests.request(method, httpd.url + path, headers=headers, allow_redirects=False,
                            timeout=10, **kw)


@contextlib.contextmanager
def client(httpd):
    c = Client(httpd)
    try:
        yield c
    finally:
        c.close()


def new_account(httpd, email=None, password=PASSWORD, **kw):
    """Signs up a fresh organiser; returns (client logged in, email)."""
    email = email or unique_email()
    c = Client(httpd)
    r = c.signup(email, password, **kw)
    assert r.status_code == 303, (r.status_code, r.text[:2000])
    return c, email


# ---- database --------------------------------------------------------------


def snapshot(database):
    """Ids of what a request could have written: organisers, failed-login
    records, and the sessions that cannot be purged within the next minute
    (a child may purge expired sessions at any request)."""
    horizon = datetime.now(timezone.utc) + timedelta(seconds=60)
    return {
        "organizers": {str(d["_id"]) for d in database.organizers.find({}, {"_id": 1})},
        "login_attempts": {
            (d["_id"], d.get("failures")) for d in database.login_attempts.find({})
        },
        "sessions": {
            d["_id"] for d in database.sessions.find({"expires_at": {"$gt": horizon}}, {"_id": 1})
        },
    }


def wait_until(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


# ---- HTML --------------------------------------------------------------------


class FormScan(HTMLParser):
    """Collects the labels, inputs and selects of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.labels = set()
        self.fields = []  # (tag, attrs)
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            self.fields.append((tag, a))


def scan(html):
    f = FormScan()
    f.feed(html)
    return f
