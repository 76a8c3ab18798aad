#!/usr/bin/env python3
"""`make valgrind`: httpd -X with mod_moisinno under valgrind's memcheck.

Starts the development database (tests/integration/moienv.py), seeds the
demo programme, runs `apache2 -X` (one process, the module's child hooks
included) under memcheck, drives a mix of requests through every part of
the module (programme pages with filters, event pages, the exports, sign-up,
login, event creation and edit by form and API, moderation, error cases,
health), stops httpd cleanly with SIGTERM and reads valgrind's XML report.

It fails (exit status 1) on any memory error that the suppressions of
tests/valgrind/moisinno.supp (start-up noise of httpd, APR, libmongoc,
OpenSSL, libsodium) do not cover: invalid reads and writes, invalid frees,
uses of uninitialised values, and on any definitely or indirectly lost
block whose allocation stack has a frame of mod_moisinno; on a request that
does not get the expected status; and when httpd does not stop cleanly.
Other leaks are listed, not counted.

    var/venv/bin/python tests/valgrind/run.py [--keep] [--quick]

--keep keeps the work directory (configuration, error log, valgrind.xml and
valgrind.log; /tmp/moisinno-valgrind-*); --quick drives a short mix (for
working on the suppressions); --mpm event runs httpd -X with mpm_event
instead of mpm_prefork (see main() for why that is not the default).
VALGRIND_OPTS adds valgrind options.
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))

import requests  # noqa: E402

from accounts_helpers import PASSWORD, Client  # noqa: E402
from events_helpers import Organiser, valid_json  # noqa: E402
from moienv import APACHE, DevDB, Httpd, wait_for  # noqa: E402

SUPPRESSIONS = os.path.join(HERE, "moisinno.supp")
ADMIN = ("moderation@demo.gouv.fr", "Moderation-2022!")
ORGANISER = ("organisatrice@demo.gouv.fr", "Demonstration-2022")
# Under memcheck everything is 20 to 50 times slower (Argon2 above all).
TIMEOUT = 300

# Error kinds that always fail (memcheck's XML <kind>); leaks fail only
# when a frame of the module allocated them.
MEMORY_ERRORS = {
    "InvalidRead", "InvalidWrite", "InvalidFree", "MismatchedFree", "InvalidJump",
    "InvalidMemPool", "Overlap", "FishyValue", "ClientCheck",
    "UninitCondition", "UninitValue", "SyscallParam",
}
LEAKS = {"Leak_DefinitelyLost", "Leak_IndirectlyLost"}


def module_frame(frame):
    obj = frame.get("obj") or ""
    fn = frame.get("fn") or ""
    file = frame.get("file") or ""
    return ("mod_moisinno" in os.path.basename(obj) or fn.startswith(("moi_", "moisinno_"))
            or file.startswith(("moi_", "mod_moisinno")))


SENT = [0]
_request = requests.Session.request


def _request_counted(self, method, url, **kw):
    """Every request of the mix (the helpers' clients included): counted,
    and with a timeout long enough for memcheck."""
    kw["timeout"] = TIMEOUT
    SENT[0] += 1
    return _request(self, method, url, **kw)


requests.Session.request = _request_counted


class Mix:
    """Sends the requests and checks their statuses."""

    def __init__(self, httpd):
        self.httpd = httpd
        self.failures = []

    @property
    def count(self):
        return SENT[0]

    def check(self, what, r, *statuses):
        if r.status_code not in statuses:
            self.failures.append(f"{what}: {r.status_code} (attendu {statuses}) {r.text[:300]!r}")
        return r

    def get(self, path, *statuses, **kw):
        kw.setdefault("timeout", TIMEOUT)
        kw.setdefault("allow_redirects", False)
        r = requests.get(self.httpd.url + path, **kw)
        return self.check(f"GET {path}", r, *(statuses or (200,)))

    def raw(self, method, path, *statuses, **kw):
        kw.setdefault("timeout", TIMEOUT)
        kw.setdefault("allow_redirects", False)
        r = requests.request(method, self.httpd.url + path, **kw)
        return self.check(f"{method} {path}", r, *statuses)


def login(httpd, email, password):
    c = Client(httpd)
    r = c.login(email, password)
    if r.status_code != 303:
        raise RuntimeError(f"login {email}: {r.status_code} {r.text[:500]}")
    return c


def drive(httpd, db, quick):
    SENT[0] = 0
    m = Mix(httpd)
    m.get("/sante")
    m.get("/")
    if quick:
        m.get("/programme.ics")
        m.get("/evenements/000000000000000000000000", 404)
        return m

    # -- the public programme, its filters and its exports
    for q in ("?region=75", "?format=en_ligne&type=webinaire", "?du=2022-11-10&au=2022-11-12",
              "?q=d%C3%A9marches+usagers", "?public=agents&public=elus&lab=1", "?page=2",
              "?departement=33", "?region=national", "?region=11&format=presentiel&page=1"):
        m.get("/" + q)
    etag = m.get("/").headers.get("ETag")
    if etag:
        m.get("/", 304, headers={"If-None-Match": etag})
    for q in ("?region=zz", "?du=2022-13-01", "?page=0", "?format=zz", "?lab=2"):
        m.get("/" + q, 400)
    for ext in ("ics", "csv", "json", "atom"):
        m.get(f"/programme.{ext}")
        m.get(f"/programme.{ext}?region=11&format=presentiel")
    m.get("/programme.json?q=donn%C3%A9es&du=2022-11-02&au=2022-11-30")
    m.get("/programme.pdf", 404)
    events = m.get("/programme.json?region=75").json()["events"]
    for ev in events[:3]:
        m.get(f"/evenements/{ev['id']}")
        m.get(f"/evenements/{ev['id']}.ics")
        m.get(f"/api/v1/events/{ev['id']}")
    for path in ("/evenements/000000000000000000000000", "/evenements/pas-un-id",
                 "/evenements/000000000000000000000000.ics", "/inconnu", "/static/absent.css",
                 "/api/v1/events/000000000000000000000000"):
        m.get(path, 404)
    m.get("/static/moisinno.css")
    m.get("/static/moisinno.js")
    m.get("/api/v1/openapi.json")
    m.get("/api/v1/events")
    m.get("/api/v1/events?region=75&per_page=5&page=2")
    m.get("/api/v1/events?per_page=500", 400)
    # odd input for the parsers
    m.raw("HEAD", "/", 200)
    m.get("/?q=%FF%FE%C3", 200, 400)
    m.get("/?q=" + "d%C3%A9" * 2000, 200, 400, 414)
    m.get("/?region=75&region=11&region=84&format=hybride&format=en_ligne&du=2022-11-30")
    m.get("/?du=2022-11-20&au=2022-11-10", 200, 400)
    m.get("/api/v1/events?page=99999", 200, 400)
    m.get("/?%zz=1&=&&a", 200, 400)
    ics = m.get("/programme.ics?region=84")
    if ics.headers.get("ETag"):
        m.get("/programme.ics?region=84", 304, headers={"If-None-Match": ics.headers["ETag"]})
    m.get("/espace", 303, headers={"Cookie": "moisinno_session=" + "A" * 43})
    m.get("/espace", 303, headers={"Cookie": "moisinno_session=%%%; moisinno_csrf=; x"})
    m.raw("POST", "/", 405)
    m.raw("DELETE", "/sante", 405)
    m.raw("PUT", "/programme.ics", 405)
    m.raw("GET", "/compte/deconnexion", 405)
    m.raw("POST", "/api/v1/events", 401, json=valid_json())
    m.raw("POST", "/compte/connexion", 403, data={"email": "x@example.gouv.fr", "password": "x"})
    m.raw("POST", "/api/v1/session", 400, 415, data="{pas du json",
          headers={"Content-Type": "application/json"})
    m.raw("POST", "/api/v1/session", 413, data="x" * (70 * 1024),
          headers={"Content-Type": "application/json"})

    # -- organiser accounts: sign-up, wrong password, login, logout, password
    anon = Client(httpd)
    m.check("GET inscription", anon.get("/compte/inscription"), 200)
    m.check("GET connexion", anon.get("/compte/connexion"), 200)
    m.check("connexion refusée", anon.login(ORGANISER[0], "pas le bon mot de passe"), 401, 403, 422)
    m.check("inscription invalide", anon.signup("pas-une-adresse"), 422)
    anon.close()
    org = Organiser(httpd)  # signs up through the form
    m.check("espace", org.get("/espace"), 200)
    m.check("GET mot-de-passe", org.get("/compte/mot-de-passe"), 200)
    m.check("mot-de-passe refusé", org.c.change_password("pas le bon", PASSWORD + " 2"), 422)
    m.check("mot-de-passe", org.c.change_password(PASSWORD, PASSWORD + " 2"), 200)
    m.check("déconnexion", org.c.logout(), 303)
    m.check("connexion", org.c.login(org.email, PASSWORD + " 2"), 303)
    org.csrf = org.c.session_csrf()
    m.check("api session", org.c.get("/api/v1/session"), 200)
    m.check("GET /admin (organisateur)", org.get("/admin"), 403)

    # -- events by form: create (invalid, then valid), edit, cancel, delete
    m.check("GET nouveau", org.get("/espace/evenements/nouveau"), 200)
    r, _ = org.create_form(title="x", starts_at="2022-11-31T09:00", format="zz")
    m.check("formulaire invalide", r, 422)
    r, fields = org.create_form()
    m.check("création formulaire", r, 303)
    mine = m.check("espace", org.get("/espace"), 200)
    ids = re.findall(r'/espace/evenements/([0-9a-f]{24})/modifier', mine.text)
    if not ids:
        m.failures.append("aucun événement dans l'espace après la création")
        return m
    eid = ids[0]
    m.check("GET modifier", org.get(f"/espace/evenements/{eid}/modifier"), 200)
    m.check("GET événement (propriétaire)", org.get(f"/evenements/{eid}"), 200)
    fields["title"] = fields["title"] + " (modifié)"
    m.check("modification formulaire", org.edit_form(eid, fields, 1), 303)
    m.check("modification périmée", org.edit_form(eid, fields, 1), 409)
    r, _ = org.create_form()
    m.check("création formulaire 2", r, 303)
    ids2 = re.findall(r'/espace/evenements/([0-9a-f]{24})/modifier',
                      org.get("/espace").text)
    other = next((i for i in ids2 if i != eid), None)
    if other:
        m.check("suppression formulaire", org.delete_form(other, 1), 303)

    # -- events by API: create, read, patch, replace, stale If-Match, delete
    r = m.check("création API", org.create_api(), 201)
    ev = r.json()
    aid, etag = ev["id"], r.headers.get("ETag")
    m.check("lecture API", org.api("GET", f"/{aid}"), 200)
    r = m.check("PATCH API", org.api("PATCH", f"/{aid}", {"summary": "Résumé modifié."},
                                     headers={"If-Match": etag}), 200)
    m.check("PATCH If-Match périmé", org.api("PATCH", f"/{aid}", {"summary": "Encore."},
                                             headers={"If-Match": etag}), 412)
    m.check("PUT API", org.api("PUT", f"/{aid}", valid_json(title="Webinaire remplacé " + aid)), 200)
    m.check("PUT invalide", org.api("PUT", f"/{aid}", valid_json(starts_at="demain")), 422)
    m.check("POST sans CSRF", org.api("POST", "", valid_json(), csrf=False), 403)
    m.check("PATCH types faux", org.api("PATCH", f"/{aid}", {"title": 5, "audience": "x",
                                                             "lab": "oui"}), 400, 422)
    m.check("POST tableau", org.api("POST", "", []), 400, 422)
    m.check("POST JSON tronqué", org.api("POST", "", headers={"Content-Type": "application/json"},
                                         data='{"title": "abc'), 400)
    m.check("formulaire mal encodé", org.c.post("/espace/evenements/nouveau",
                                                "csrf=" + org.csrf + "&title=%zz&format=%",
                                                headers={"Content-Type":
                                                         "application/x-www-form-urlencoded"}),
            400, 422)
    r = m.check("création API 2", org.create_api(), 201)
    m.check("suppression API", org.api("DELETE", f"/{r.json()['id']}"), 204)
    m.check("suppression API (absent)", org.api("DELETE", f"/{r.json()['id']}"), 404)

    # -- moderation
    admin = login(httpd, *ADMIN)
    m.check("GET /admin", admin.get("/admin"), 200)
    m.check("GET /admin?statut=submitted", admin.get("/admin?statut=submitted"), 200)
    m.check("GET /admin?statut=tout", admin.get("/admin?statut=tout"), 400)
    m.check("export admin", admin.get("/admin/export.csv"), 200)
    acsrf = admin.session_csrf()
    m.check("publication", admin.post(f"/admin/evenements/{eid}/publier",
                                      [("csrf", acsrf), ("version", "2")]), 303)
    m.check("refus sans motif", admin.post(f"/admin/evenements/{aid}/refuser",
                                           [("csrf", acsrf), ("version", "3")]), 422)
    m.check("refus", admin.post(f"/admin/evenements/{aid}/refuser",
                                [("csrf", acsrf), ("version", "3"),
                                 ("reason", "Précisez le public visé.")]), 303)
    m.check("publication sans CSRF", admin.post(f"/admin/evenements/{aid}/publier",
                                                [("version", "4")]), 403)
    # The published event on the programme (a new snapshot) and its exports.
    time.sleep(1)
    m.get(f"/evenements/{eid}")
    m.get("/?region=75")
    m.get("/programme.atom")
    m.get("/programme.ics?region=75")
    m.check("suppression d'un publié", org.delete_form(eid, 3), 409)
    m.check("annulation formulaire", org.cancel_form(eid, 3), 303)
    m.get(f"/evenements/{eid}")
    m.get("/programme.json?region=75")

    # -- the database stopped: 503 for what needs it, the programme from the
    # last snapshot; then started again
    db.stop()
    m.get("/sante", 503)
    m.get("/")
    m.get("/?region=75&format=presentiel")
    m.get("/programme.ics")
    m.get(f"/evenements/{events[0]['id']}", 200, 503)
    m.check("création API (base arrêtée)", org.create_api(), 503)
    m.check("connexion (base arrêtée)", Client(httpd).login(*ORGANISER), 503)
    db.start()
    if not wait_for(lambda: requests.get(httpd.url + "/sante").status_code == 200, 120, 1):
        m.failures.append("la base redémarrée ne répond pas à travers httpd")
    m.check("création API (base revenue)", org.create_api(), 201)
    m.check("déconnexion API", org.c.request("DELETE", "/api/v1/session",
                                            headers={"X-CSRF-Token": org.csrf}), 204, 200)
    m.check("session après déconnexion", org.c.get("/api/v1/session"), 401)
    admin.close()
    org.close()
    m.get("/sante")
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--mpm", default="prefork", choices=("prefork", "event", "worker"))
    args = ap.parse_args()
    valgrind = shutil.which("valgrind")
    if not valgrind:
        sys.exit("valgrind : introuvable (scripts/install-deps --valgrind)")

    os.environ.pop("MOISINNO_DEVDB_BACKEND", None)  # SQLite
    work = tempfile.mkdtemp(prefix="moisinno-valgrind-")
    os.chmod(work, 0o755)  # httpd runs as www-data when started as root
    db = DevDB(work)
    # mpm_prefork: with -X, event's (and worker's) exit path walks its list
    # of recycled transaction pools after they were destroyed (httpd's own
    # invalid read at exit, sometimes a crash); prefork has no such list.
    httpd = Httpd(work, db, mpm=args.mpm)
    xml_path = os.path.join(work, "valgrind.xml")
    log_path = os.path.join(work, "valgrind.log")
    ok = False
    proc = None
    t0 = time.monotonic()
    try:
        db.start()
        subprocess.run([os.path.join(SOURCE, "var", "venv", "bin", "python"),
                        os.path.join(SOURCE, "scripts", "seed-demo.py"), "--uri", db.uri,
                        "--database", httpd.database], check=True, stdout=subprocess.DEVNULL)
        httpd.write_config(location_extra=f"    MoisInnoAdmins {ADMIN[0]}\n"
                                          "    MoisInnoModeration On")
        cmd = [valgrind, "--tool=memcheck", "--leak-check=full",
               "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
               "--track-origins=yes", "--num-callers=40", "--keep-debuginfo=yes",
               f"--suppressions={SUPPRESSIONS}", "--gen-suppressions=all",
               "--vgdb=no", "--xml=yes", f"--xml-file={xml_path}", f"--log-file={log_path}",
               *shlex.split(os.environ.get("VALGRIND_OPTS", "")),
               APACHE, "-X", "-d", httpd.root, "-f", httpd.conf_path]
        print("valgrind : httpd -X sous memcheck (" + work + ")", flush=True)
        proc = subprocess.Popen(cmd, env=httpd.env(), stdin=subprocess.DEVNULL)
        if not wait_for(lambda: proc.poll() is not None or httpd.is_up(), 300, 1):
            raise RuntimeError("httpd ne répond pas sous valgrind :\n" + httpd.tail_log())
        if proc.poll() is not None:
            raise RuntimeError(f"httpd s'est arrêté (code {proc.returncode}) :\n"
                               + httpd.tail_log())
        started = time.monotonic()
        mix = drive(httpd, db, args.quick)
        driven = time.monotonic() - started
        print(f"valgrind : {mix.count} requêtes en {driven:.0f} s", flush=True)
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(300)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
            mix.failures.append("httpd ne s'est pas arrêté dans les 300 s après SIGTERM")
        if rc != 0:
            mix.failures.append(f"httpd s'est arrêté avec le code {rc}")
        ok = report(xml_path, mix) and not mix.failures
        for f in mix.failures:
            print("ÉCHEC : " + f)
        bad = [l for l in httpd.new_log_lines() if re.search(
            r"\[[\w.]*:(crit|alert|emerg)\]|exit signal|Segmentation fault", l)]
        for line in bad:
            print("journal : " + line)
        ok = ok and not bad
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        try:
            db.stop()
        except Exception as e:  # noqa: BLE001
            print(f"devdb-stop : {e}")
        print(f"valgrind : {time.monotonic() - t0:.0f} s au total")
        if args.keep or not ok:
            print(f"valgrind : fichiers conservés dans {work} (valgrind.xml, valgrind.log, "
                  "httpd/logs/error.log)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


def stack_text(stack):
    lines = []
    for fr in stack.findall("frame"):
        fn = fr.findtext("fn") or "???"
        where = fr.findtext("file")
        where = f"{where}:{fr.findtext('line')}" if where else os.path.basename(
            fr.findtext("obj") or "?")
        lines.append(f"    {fn} ({where})")
    return "\n".join(lines)


def frames(stack):
    return [{k: fr.findtext(k) for k in ("obj", "fn", "file")} for fr in stack.findall("frame")]


def report(xml_path, mix):
    """Prints the findings; True when none fails the run."""
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"valgrind : rapport XML illisible ({e})")
        return False
    failing, other_leaks, counted = [], [], {"errors": 0, "leaks": 0, "other_leaks": 0}
    for err in root.findall("error"):
        kind = err.findtext("kind")
        stack = err.find("stack")
        what = err.findtext("what") or err.findtext("xwhat/text") or kind
        text = f"{kind}: {what}\n{stack_text(stack) if stack is not None else ''}"
        aux = err.find("auxwhat")
        if aux is not None:
            text += f"\n  {aux.text}"
            stacks = err.findall("stack")
            if len(stacks) > 1:
                text += "\n" + stack_text(stacks[1])
        if kind in MEMORY_ERRORS:
            counted["errors"] += 1
            failing.append(text)
        elif kind in LEAKS:
            if stack is not None and any(module_frame(f) for f in frames(stack)):
                counted["leaks"] += 1
                failing.append(text)
            else:
                counted["other_leaks"] += 1
                other_leaks.append(text)
        else:
            counted["errors"] += 1
            failing.append(text)
    supp = sum(int(p.findtext("count") or 0) for p in root.findall("suppcounts/pair"))
    for t in failing:
        print("valgrind : " + t + "\n")
    if other_leaks:
        print(f"valgrind : {len(other_leaks)} fuite(s) hors du module (non comptées) :")
        for t in other_leaks:
            print("  " + t.replace("\n", "\n  ") + "\n")
    print(f"valgrind : {mix.count} requêtes, {counted['errors']} erreur(s) mémoire, "
          f"{counted['leaks']} fuite(s) attribuable(s) au module, "
          f"{counted['other_leaks']} autre(s) fuite(s), {supp} rapport(s) supprimé(s)")
    return not failing


if __name__ == "__main__":
    main()
