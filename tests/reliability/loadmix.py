"""A steady mix of requests against one httpd, every request recorded.

Threads browse the programme and event pages, log in (API and form), create
events (API and form) and poll the health check; each request opens a new
connection (so that the load spreads over the children and a child that
goes away between two requests cannot be mistaken for a dropped request).
Every request is bounded by a client timeout, and the whole by the test.
"""
import secrets
import statistics
import threading
import time

import requests
from bson import ObjectId

from accounts_helpers import PASSWORD, csrf_from
from events_helpers import Organiser, form_items, valid_form, valid_json

CLIENT_TIMEOUT = 30.0  # far above every bound asserted: a stuck request shows as slow

# The answers each kind of request may give while the database is away or
# back; anything else (a 500, a 401 for a valid session, a connection
# error) is a failure of the module.
OK_STATUS = {
    "programme": {200},
    "event": {200},
    "login": {200, 303},
    "write_api": {201},
    "write_form": {303},
    "sante": {200},
    "edit_read": {200},
    "edit": {200},
}
WRITES = ("write_api", "write_form")


class Rec:
    __slots__ = ("kind", "t0", "t1", "status", "error", "title")

    def __init__(self, kind, t0, t1, status, error=None, title=None):
        self.kind, self.t0, self.t1 = kind, t0, t1
        self.status, self.error, self.title = status, error, title

    @property
    def duration(self):
        return self.t1 - self.t0

    @property
    def ok(self):
        return self.error is None and self.status in OK_STATUS[self.kind]

    def __repr__(self):
        what = self.error or self.status
        return f"<{self.kind} {what} at {self.t0:.2f}+{self.duration:.2f}s>"


def closing_session():
    s = requests.Session()
    s.headers["Connection"] = "close"
    return s


class LoadMix:
    """Runs the mix against `httpd` until stop(); records every request."""

    def __init__(self, httpd, site, programme=2, events=1, logins=1, writers_api=1,
                 writers_form=1, editors=1, sante=True, pause=0.03):
        self.httpd = httpd
        self.site = site
        self.pause = pause
        self.records = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.inflight = {}  # thread name -> (kind, start)
        self.t_origin = time.monotonic()
        self.threads = []
        self.writers = []
        self.edits = {}  # event id -> [(version after, summary)] of acknowledged edits
        self.edit_attempts = {}  # event id -> edits not acknowledged (may have been applied)
        plan = [("programme", self.programme)] * programme + [("event", self.event)] * events \
            + [("login", self.login)] * logins
        for i in range(writers_api):
            plan.append(("write_api", self.writer(self.new_writer(), api=True)))
        for i in range(writers_form):
            plan.append(("write_form", self.writer(self.new_writer(), api=False)))
        for i in range(editors):
            plan.append(("edit", self.editor(self.new_writer())))
        if sante:
            plan.append(("sante", self.sante))
        self.kinds = sorted({kind for kind, _ in plan})
        for i, (kind, fn) in enumerate(plan):
            self.threads.append(threading.Thread(target=self.loop, args=(fn,),
                                                 name=f"{kind}-{i}", daemon=True))

    # -- time, relative to the start of the mix
    def now(self):
        return time.monotonic() - self.t_origin

    def new_writer(self):
        o = Organiser(self.httpd)
        o.c.s.headers["Connection"] = "close"
        self.writers.append(o)
        return o

    # -- running
    def start(self):
        self.t_origin = time.monotonic()
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(CLIENT_TIMEOUT + 5)
        stuck = [t.name for t in self.threads if t.is_alive()]
        for o in self.writers:
            o.close()
        assert not stuck, f"load threads still waiting: {stuck}"

    def loop(self, fn):
        name = threading.current_thread().name
        session = closing_session()
        try:
            while not self.stopping.is_set():
                fn(session, name)
                time.sleep(self.pause)
        finally:
            session.close()

    def timed(self, kind, name, call, title=None, ok_status=None):
        """Runs one request; records its outcome; returns the response."""
        t0 = self.now()
        with self.lock:
            self.inflight[name] = (kind, t0)
        response, status, error = None, None, None
        try:
            response = call()
            status = response.status_code
        except requests.RequestException as e:
            error = f"{type(e).__name__}: {e}"
        t1 = self.now()
        with self.lock:
            self.inflight.pop(name, None)
            self.records.append(Rec(kind, t0, t1, status, error, title))
        return response

    def stuck_since(self, older_than):
        """Requests in flight that started more than `older_than` s ago."""
        now = self.now()
        with self.lock:
            return [(n, k, now - t0) for n, (k, t0) in self.inflight.items()
                    if now - t0 > older_than]

    # -- the kinds of request
    def programme(self, s, name):
        path = secrets.choice(["/", "/?format=en_ligne", "/?type=webinaire&page=1"])
        self.timed("programme", name,
                   lambda: s.get(self.httpd.url + path, timeout=CLIENT_TIMEOUT))

    def event(self, s, name):
        eid = secrets.choice(self.site.published)
        self.timed("event", name, lambda: s.get(f"{self.httpd.url}/evenements/{eid}",
                                                timeout=CLIENT_TIMEOUT))

    def login(self, s, name):
        """Alternately the API's login and the login form."""
        url = self.httpd.url
        s.cookies.clear()
        if secrets.randbelow(2):
            self.timed("login", name, lambda: s.post(
                url + "/api/v1/session", json={"email": self.site.login_email,
                                               "password": PASSWORD},
                timeout=CLIENT_TIMEOUT, allow_redirects=False))
            return
        try:
            page = s.get(url + "/compte/connexion", timeout=CLIENT_TIMEOUT)
        except requests.RequestException as e:
            t = self.now()
            with self.lock:
                self.records.append(Rec("login", t, t, None, f"login page: {e}"))
            return
        csrf = csrf_from(page.text)
        if page.status_code != 200 or not csrf:
            t = self.now()
            with self.lock:
                self.records.append(Rec("login", t, t, page.status_code))
            return
        self.timed("login", name, lambda: s.post(
            url + "/compte/connexion",
            data={"csrf": csrf, "email": self.site.login_email, "password": PASSWORD},
            timeout=CLIENT_TIMEOUT, allow_redirects=False))

    def writer(self, org, api):
        def write(s, name):
            title = f"Atelier fiabilité {secrets.token_hex(6)}"
            if api:
                self.timed("write_api", name, lambda: org.c.s.post(
                    self.httpd.url + "/api/v1/events", json=valid_json(title=title),
                    headers={"X-CSRF-Token": org.csrf}, timeout=CLIENT_TIMEOUT,
                    allow_redirects=False), title=title)
            else:
                items = [("csrf", org.csrf)] + form_items(valid_form(title=title))
                self.timed("write_form", name, lambda: org.c.s.post(
                    self.httpd.url + "/espace/evenements/nouveau", data=items,
                    timeout=CLIENT_TIMEOUT, allow_redirects=False), title=title)
        return write

    def editor(self, org):
        """Edits an event of its own again and again: reads it (version),
        then PATCHes it with If-Match. Nobody else edits it, so every
        answer but 200 (or 503 while the database is away) is a failure."""
        r = org.create_api()
        assert r.status_code == 201, r.text[:300]
        eid = r.json()["id"]
        self.edits[eid], self.edit_attempts[eid] = [], 0
        url = f"{self.httpd.url}/api/v1/events/{eid}"

        def edit(s, name):
            r = self.timed("edit_read", name, lambda: org.c.s.get(url, timeout=CLIENT_TIMEOUT))
            if r is None or r.status_code != 200:
                return
            version = r.json()["version"]
            summary = f"Résumé n° {secrets.token_hex(6)}"
            r = self.timed("edit", name, lambda: org.c.s.patch(
                url, json={"summary": summary},
                headers={"X-CSRF-Token": org.csrf, "If-Match": f'"{eid}-{version}"'},
                timeout=CLIENT_TIMEOUT))
            if r is not None and r.status_code == 200:
                self.edits[eid].append((r.json()["version"], summary))
            else:
                self.edit_attempts[eid] += 1
        return edit

    def sante(self, s, name):
        self.timed("sante", name, lambda: s.get(self.httpd.url + "/sante",
                                                timeout=CLIENT_TIMEOUT))
        time.sleep(0.17)  # about one poll every 200 ms

    # -- reading the records
    def of(self, *kinds, since=None, until=None):
        with self.lock:
            recs = list(self.records)
        return [r for r in recs if (not kinds or r.kind in kinds)
                and (since is None or r.t0 >= since) and (until is None or r.t0 < until)]

    def acknowledged_titles(self):
        return [r.title for r in self.of(*WRITES) if r.ok]

    def counts(self):
        out = {}
        for r in self.of():
            key = (r.kind, r.error.split(":")[0] if r.error else r.status)
            out[key] = out.get(key, 0) + 1
        return out


def median(values):
    return statistics.median(values) if values else 0.0


def check_acknowledged(load, mdb):
    """Every creation answered 2xx is in the database, once; every edit
    answered 200 is there: its event is at that version or beyond (an edit
    answered 503 may have been applied all the same), and at that version
    holds that edit's summary. Returns (creations acknowledged, found,
    edits acknowledged)."""
    acknowledged = load.acknowledged_titles()
    assert len(set(acknowledged)) == len(acknowledged)
    found = [d["title"] for d in mdb.events.find({"title": {"$in": acknowledged}}, {"title": 1})]
    assert sorted(found) == sorted(acknowledged), set(acknowledged) - set(found)
    edits = 0
    for eid, acked in load.edits.items():
        assert acked, "no edit acknowledged"
        doc = mdb.events.find_one({"_id": ObjectId(eid)})
        version, summary = acked[-1]
        edits += len(acked)
        assert [v for v, _ in acked] == sorted({v for v, _ in acked}), acked
        assert version <= doc["version"] <= version + load.edit_attempts[eid], (doc["version"],
                                                                                 acked[-3:])
        if doc["version"] == version:
            assert doc["summary"] == summary
    return len(acknowledged), len(found), edits
