import os
import shutil
import tempfile

import pytest

from events_helpers import Organiser
from moienv import DevDB, Httpd, httpd_recovers


@pytest.fixture(scope="session")
def workdir():
    d = tempfile.mkdtemp(prefix="moisinno-test-")
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
def httpd(workdir, db):
    h = Httpd(workdir, db)
    h.start()
    yield h
    h.stop()


@pytest.fixture(autouse=True)
def error_log_clean(httpd):
    """Fails a test that left unexpected errors or crashes in the error log."""
    httpd.new_log_lines()
    yield
    bad = httpd.unexpected_log_lines()
    assert not bad, "unexpected error-log lines:\n" + "\n".join(bad)


@pytest.fixture()
def db_up(db, httpd):
    """Makes sure the database is running and answering when a test starts."""
    db.ensure_running()
    assert httpd_recovers(httpd), "the database does not answer through httpd"
    return db


@pytest.fixture(scope="module")
def database_ready(httpd, db):
    """The database answers through httpd (an earlier test file may have
    stopped or frozen it); for test modules that need it throughout."""
    db.ensure_running()
    assert httpd_recovers(httpd, streak=3), "the database does not answer through httpd"


@pytest.fixture(scope="module")
def mdb(db, httpd):
    """The module's database, through pymongo."""
    c = db.client()
    yield c[httpd.database]
    c.close()


# Two organisers of the module's httpd, for the modules that test who may
# do what (test_events, test_security).
@pytest.fixture(scope="module")
def alice(httpd):
    o = Organiser(httpd, name="Alice Organisatrice", organization="Préfecture de la Gironde")
    yield o
    o.close()


@pytest.fixture(scope="module")
def bob(httpd):
    o = Organiser(httpd, name="Bob Autre", organization="Mairie de Lille")
    yield o
    o.close()
