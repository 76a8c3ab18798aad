"""Fixtures of the reliability tests: one database and one httpd for the
session (a second node joins them in test_two_nodes.py), a few published
events and accounts to put load on, and the figures file.

The harness of the integration tests (moienv, the account and event
helpers) is reused as it is: its directory goes on sys.path."""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)

from accounts_helpers import Client, unique_email  # noqa: E402
from events_helpers import Organiser  # noqa: E402
from moienv import SOURCE, DevDB, Httpd, httpd_recovers  # noqa: E402
from relsite import NODES, node_config, publish  # noqa: E402

FIGURES = os.path.join(SOURCE, "var", "test-output", "reliability.json")


class Figures:
    """The measured figures, one key each, merged into FIGURES as soon as a
    test records them (a partial run keeps the other tests' figures)."""

    def __init__(self, path):
        self.path = path
        self.revision = subprocess.run(["git", "-C", SOURCE, "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True).stdout.strip()

    def record(self, **values):
        try:
            with open(self.path) as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {}
        for key, value in values.items():
            data[key] = round(value, 3) if isinstance(value, float) else value
        data["measured_at"] = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds")
        data["source_revision"] = self.revision
        data["cpus"] = os.cpu_count()
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.path)


@pytest.fixture(scope="session")
def figures():
    return Figures(FIGURES)


@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="moisinno-reliability-")
    os.chmod(d, 0o755)  # httpd children run as www-data when started as root
    yield d
    if not os.environ.get("MOISINNO_KEEP_TEST_FILES"):
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def db(workdir):
    d = DevDB(workdir)
    d.start()
    yield d
    try:
        d.thaw()
    except OSError:
        pass
    d.stop()


@pytest.fixture(scope="session")
def admin_email():
    return unique_email("moderation")


@pytest.fixture(scope="session")
def httpd(workdir, db, admin_email):
    h = Httpd(workdir, db)
    h.write_config(location_extra=node_config(admin_email))
    h.start()
    NODES.append(h)
    yield h
    NODES.remove(h)
    h.stop()


@pytest.fixture(autouse=True)
def error_logs_clean(httpd):
    """Fails a test that left unexpected errors or crashes in a node's
    error log (a test allows the lines it provokes with expect_log)."""
    for h in NODES:
        h.new_log_lines()
    yield
    bad = []
    for h in NODES:
        bad += [f"{h.root}: {line}" for line in h.unexpected_log_lines()]
    assert not bad, "unexpected error-log lines:\n" + "\n".join(bad)


def make_ready(db, httpd):
    db.ensure_running()
    assert httpd_recovers(httpd, streak=6), "the database does not answer through httpd"


@pytest.fixture()
def ready(db, httpd):
    """The database runs and answers through httpd when the test starts."""
    make_ready(db, httpd)
    return db


@pytest.fixture(scope="session")
def mdb(db, httpd):
    c = db.client()
    yield c[httpd.database]
    c.close()


class Site:
    """What the load works on: an admin, published events, an account to
    log in with."""

    def __init__(self, admin, published, login_email):
        self.admin = admin
        self.published = published
        self.login_email = login_email


@pytest.fixture(scope="session")
def site(httpd, db, admin_email):
    make_ready(db, httpd)
    admin = Organiser(httpd, email=admin_email, name="Équipe Mois de l'innovation",
                      organization="DITP")
    author = Organiser(httpd)
    published = []
    for i in range(6):
        r = author.create_api(title=f"Événement publié n° {i} pour la charge")
        assert r.status_code == 201, r.text[:500]
        ev = r.json()
        r = publish(admin, ev["id"], ev["version"])
        assert r.status_code == 303, (r.status_code, r.text[:500])
        published.append(ev["id"])
    author.close()
    # A separate account for the logins of the load.
    c = Client(httpd)
    email = unique_email("connexion")
    assert c.signup(email).status_code == 303
    c.close()
    yield Site(admin, published, email)
    admin.close()
