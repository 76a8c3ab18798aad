"""The module's core: loading, dispatch, health, indexes, restarts."""
import threading
import time

import pytest
import requests

from moienv import httpd_recovers


def test_health_ok(httpd, db_up):
    r = requests.get(httpd.url + "/sante", timeout=5)
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok"}
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r.headers["Cache-Control"]


def test_head_health(httpd, db_up):
    r = requests.head(httpd.url + "/sante", timeout=5)
    assert r.status_code == 200
    assert r.content == b""


def test_unknown_path_is_404_in_french(httpd):
    r = requests.get(httpd.url + "/pas-de-page-ici", timeout=5)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert '<html lang="fr">' in r.text
    assert "n'existe pas" in r.text.replace("&#39;", "'")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_unknown_api_path_is_json_404(httpd):
    r = requests.get(httpd.url + "/api/v1/nulle-part", timeout=5)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(httpd, method):
    r = requests.request(method, httpd.url + "/sante", timeout=5)
    assert r.status_code == 405
    allow = {m.strip() for m in r.headers["Allow"].split(",")}
    assert allow == {"GET", "HEAD"}
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_base_without_slash_redirects(httpd):
    r = requests.get(httpd.url + "?du=2022-11-02", allow_redirects=False, timeout=5)
    assert r.status_code == 301
    assert r.headers["Location"].endswith("/mois-innovation/?du=2022-11-02")


def test_paths_outside_base_are_not_ours(httpd):
    r = requests.get(f"http://127.0.0.1:{httpd.port}/mois-innovationXYZ/sante", timeout=5)
    assert r.status_code == 404
    assert "lang=\"fr\"" not in r.text


def test_indexes_exist_after_startup(httpd, db_up):
    client = db_up.client()
    try:
        dbh = client[httpd.database]

        def keys(coll):
            return {tuple(ix["key"].items()): ix for ix in dbh[coll].list_indexes()}

        events = keys("events")
        for want in [
            (("starts_at", 1),),
            (("region", 1), ("starts_at", 1)),
            (("format", 1), ("starts_at", 1)),
            (("status", 1), ("starts_at", 1)),
            (("organizer_id", 1),),
        ]:
            assert want in events, f"missing events index {want}: {list(events)}"
        organizers = keys("organizers")
        assert organizers[(("email", 1),)].get("unique") is True
        assert (("expires_at", 1),) in keys("sessions")
    finally:
        client.close()


def test_unique_email_index_refuses_duplicates(httpd, db_up):
    import pymongo.errors

    client = db_up.client()
    try:
        coll = client[httpd.database]["organizers"]
        coll.delete_many({"email": "doublon@example.gouv.fr"})
        coll.insert_one({"email": "doublon@example.gouv.fr"})
        with pytest.raises(pymongo.errors.DuplicateKeyError):
            coll.insert_one({"email": "doublon@example.gouv.fr"})
        coll.delete_many({"email": "doublon@example.gouv.fr"})
    finally:
        client.close()


def _time_health(httpd):
    t0 = time.monotonic()
    r = requests.get(httpd.url + "/sante", timeout=10)
    return r, time.monotonic() - t0


def test_health_when_database_stopped_and_back(httpd, db_up):
    httpd.expect_log(r"MOI00101")
    db_up.stop()
    try:
        for _ in range(3):
            r, elapsed = _time_health(httpd)
            assert r.status_code == 503
            assert elapsed < 2.0, f"took {elapsed:.2f}s"
            assert r.json() == {"status": "degraded", "database": "unavailable"}
            assert int(r.headers["Retry-After"]) > 0
    finally:
        db_up.start()
    assert httpd_recovers(httpd), "every child answers 200 again within 15 s"


def test_health_when_database_hangs(httpd, db_up):
    httpd.expect_log(r"MOI00101")
    db_up.freeze()
    try:
        results = []

        def probe():
            results.append(_time_health(httpd))

        threads = [threading.Thread(target=probe) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r, elapsed in results:
            assert r.status_code == 503
            assert elapsed < 2.0, f"took {elapsed:.2f}s"
    finally:
        db_up.thaw()
    assert httpd_recovers(httpd), "every child answers 200 again within 15 s"


def test_graceful_restart_keeps_serving(httpd, db_up):
    # A first generation change, so that the children being replaced under
    # load have connected to a database in its steady state.
    httpd.graceful()
    assert httpd_recovers(httpd)
    stop = threading.Event()
    failures, count = [], [0]

    def hammer():
        with requests.Session() as s:
            while not stop.is_set():
                try:
                    # A new connection each time: a keep-alive connection that
                    # the old generation closes while idle is the client's to
                    # retry, not a dropped request.
                    r = s.get(httpd.url + "/sante", timeout=5, headers={"Connection": "close"})
                    if r.status_code != 200:
                        failures.append(r.status_code)
                except requests.RequestException as e:
                    failures.append(repr(e))
                count[0] += 1

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        httpd.graceful()
        time.sleep(1.0)
        httpd.graceful()
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert count[0] > 20
    assert not failures, (failures[:5], httpd.tail_log(40))
