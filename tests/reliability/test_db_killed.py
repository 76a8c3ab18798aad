"""The database killed with SIGKILL under a steady mix of requests, then
started again on the same port and data directory (DESIGN §9): writes get
503 within 2 s, the programme is served throughout, everything recovers
within 15 s of the database's return, and no acknowledged write is lost."""
import os
import signal
import time
from datetime import datetime, timedelta, timezone

import requests
from bson import ObjectId

from events_helpers import Organiser
from loadmix import WRITES, LoadMix, check_acknowledged, median
from moienv import wait_for

KILLED_FOR = 4.0  # seconds without a database: two spells of fast failure
WRITE_503_WITHIN = 2.0
RECOVERY_WITHIN = 15.0


def warm_every_child(httpd):
    """Every child has read the programme before the database goes."""
    for _ in range(30):
        r = requests.get(httpd.url + "/", timeout=10, headers={"Connection": "close"})
        assert r.status_code == 200


def kill(db):
    """SIGKILL, no clean stop; returns once the process is gone."""
    pid = db.pid()
    os.kill(pid, signal.SIGKILL)

    def gone():
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            return True

    assert wait_for(gone, 5, 0.02), "the database survived SIGKILL"


def recovered(load, since, streak=3):
    """Each kind of request answered as usual `streak` times in a row, all
    sent after `since`."""
    for kind in load.kinds:
        recs = load.of(kind, since=since)
        if len(recs) < streak or not all(r.ok for r in recs[-streak:]):
            return False
    return True


def test_database_killed_and_restarted_under_load(httpd, ready, site, mdb, figures):
    httpd.expect_log(r"MOI00101")
    warm_every_child(httpd)
    load = LoadMix(httpd, site).start()
    try:
        # The steady state first: every kind of request answered as usual.
        assert wait_for(lambda: recovered(load, 0.0), 15, 0.1), load.counts()
        time.sleep(1.0)
        t_kill = load.now()
        kill(ready)
        time.sleep(KILLED_FOR)
        t_restart = load.now()
        ready.start()  # same port, same data directory; returns once it answers a ping
        t_back = load.now()
        wait_for(lambda: recovered(load, t_back), RECOVERY_WITHIN + 5, 0.1)
        time.sleep(1.0)
    finally:
        load.stop()
        if not ready.pid_alive():
            ready.start()

    counts = load.counts()
    # The programme and the event pages: 200 throughout, from the snapshot.
    pages = load.of("programme", "event")
    bad_pages = [r for r in pages if not r.ok]
    assert not bad_pages, (bad_pages[:10], counts)
    assert len(load.of("programme", "event", since=t_kill, until=t_restart)) > 20, counts

    # Every answer is the usual one or a clean 503; never a 500, a lost
    # session or a connection error.
    marks = dict(kill=t_kill, restart=t_restart, back=t_back)
    for r in load.of():
        assert r.error is None and (r.ok or r.status == 503), (r, marks, counts,
                                                               load.of("edit", "edit_read"))

    # Writes while the database is gone: 503, each within 2 s.
    down = [r for r in load.of(*WRITES, since=t_kill) if r.t1 <= t_restart]
    assert len(down) >= 4, counts
    assert all(r.status == 503 for r in down), down
    latencies = [r.duration for r in down]
    assert max(latencies) < WRITE_503_WITHIN, sorted(latencies)[-5:]
    first_503 = min(r.t1 for r in load.of(*WRITES) if r.status == 503 and r.t1 >= t_kill)
    assert first_503 - t_kill < WRITE_503_WITHIN + 0.5  # a write pauses only ~30 ms

    # Back within 15 s of the database's return.
    failures = [r for r in load.of() if not r.ok]
    assert failures, "the fault went unnoticed"
    recovery = max(0.0, max(r.t1 for r in failures) - t_back)
    assert recovery < RECOVERY_WITHIN, (recovery, [r for r in failures if r.t1 > t_back][-5:])
    assert recovered(load, t_back)

    # Every acknowledged write is in the database.
    acknowledged, found, edits_acknowledged = check_acknowledged(load, mdb)

    sante = load.of("sante")
    figures.record(
        kill_database_down_s=t_back - t_kill,
        kill_database_restart_s=t_back - t_restart,
        kill_requests_total=len(load.of()),
        kill_programme_requests=len(pages),
        kill_programme_failures=len(bad_pages),
        kill_programme_latency_max_s=max(r.duration for r in pages),
        kill_writes_503=len(down),
        kill_write_503_latency_max_s=max(latencies),
        kill_write_503_latency_median_s=median(latencies),
        kill_first_write_503_after_kill_s=first_503 - t_kill,
        kill_sante_latency_max_s=max(r.duration for r in sante),
        kill_recovery_s=recovery,
        kill_writes_acknowledged=acknowledged,
        kill_writes_found=found,
        kill_edits_acknowledged=edits_acknowledged,
    )


def test_a_write_cut_off_by_the_database_leaves_no_false_conflict(httpd, ready, mdb):
    """What a write cut off between its version claim and its change leaves
    behind (a claim in event_locks, the event unchanged): the next writer of
    that version is told to try again (503, Retry-After), not that the event
    changed (412/409); once the claim is stale, the write goes through."""
    org = Organiser(httpd)
    try:
        ev = org.create_api().json()
        eid, version = ev["id"], ev["version"]
        mdb.event_locks.insert_one({"_id": f"{eid}:{version}", "at": datetime.now(timezone.utc)})
        r = org.api("PATCH", f"/{eid}", {"summary": "Pendant la reprise."},
                    headers={"If-Match": f'"{eid}-{version}"'})
        assert r.status_code == 503, (r.status_code, r.text)
        assert int(r.headers["Retry-After"]) > 0
        assert r.json()["error"]["code"] == "unavailable"
        assert mdb.events.find_one({"_id": ObjectId(eid)})["version"] == version
        # The claim of a writer that will not come back is taken over.
        mdb.event_locks.update_one({"_id": f"{eid}:{version}"},
                                   {"$set": {"at": datetime.now(timezone.utc)
                                             - timedelta(seconds=60)}})
        r = org.api("PATCH", f"/{eid}", {"summary": "Après la reprise."},
                    headers={"If-Match": f'"{eid}-{version}"'})
        assert r.status_code == 200, (r.status_code, r.text)
        assert r.json()["version"] == version + 1
        assert mdb.event_locks.count_documents({"_id": {"$regex": f"^{eid}:"}}) == 0
    finally:
        org.close()
