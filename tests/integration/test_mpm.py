"""The module under mpm_prefork: one pool per child process, forked safely."""
import os

import pytest
import requests

from moienv import Httpd


@pytest.fixture(scope="module")
def prefork(workdir, db):
    d = os.path.join(workdir, "prefork")
    os.makedirs(d, mode=0o755)
    h = Httpd(d, db, mpm="prefork")
    h.start()
    yield h
    h.stop()
    log = open(h.error_log).read()
    assert "exit signal" not in log and "Segmentation fault" not in log


def test_prefork_serves_health(prefork, db_up):
    with requests.Session() as s:
        for _ in range(40):
            r = s.get(prefork.url + "/sante", timeout=5, headers={"Connection": "close"})
            assert r.status_code == 200
            assert r.json()["database"] == "ok"


def test_prefork_graceful_restart(prefork, db_up):
    prefork.graceful()
    assert requests.get(prefork.url + "/sante", timeout=5).status_code == 200
