"""The database hung (SIGSTOP for 10 s) under a steady mix of requests
(DESIGN §9): no request waits for the database to come back, the health
check answers within 2 s throughout, the programme is served throughout,
and everything recovers once the database answers again."""
import threading
import time

import requests

from loadmix import WRITES, LoadMix, check_acknowledged, median
from moienv import wait_for
from test_db_killed import RECOVERY_WITHIN, recovered, warm_every_child

FROZEN_FOR = 10.0
SANTE_WITHIN = 2.0
# The longest a request may wait on a hung database: one socket timeout
# (socketTimeoutMS=5000, an operation already sent when the database
# stopped), one server selection (serverSelectionTimeoutMS=1500), and a
# margin for a loaded machine. Well below FROZEN_FOR: a request that waited
# for the database's return would exceed it.
REQUEST_BOUND = 5.0 + 1.5 + 1.5
# When the pools' monitors (a heartbeat every second, 1 s to answer) have
# noticed, a write answers 503 within 2 s.
NOTICED_AFTER = 2.5
WRITE_503_WITHIN = 2.0
SANTE_CLEARS_WITHIN = 3.0


class SantePoller:
    """GET /sante every 200 ms on a new connection, each poll in a thread of
    its own, so that a slow answer does not delay the next poll."""

    def __init__(self, httpd):
        self.httpd = httpd
        self.results = []  # (sent, latency, status or error), in the order sent
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.polls = []

    def poll(self, slot):
        t0 = time.monotonic()
        try:
            r = requests.get(self.httpd.url + "/sante", timeout=10,
                             headers={"Connection": "close"})
            outcome = r.status_code
        except requests.RequestException as e:
            outcome = repr(e)
        with self.lock:
            slot[:] = [t0, time.monotonic() - t0, outcome]

    def run(self):
        while not self.stop.is_set():
            slot = []
            with self.lock:
                self.results.append(slot)
            t = threading.Thread(target=self.poll, args=(slot,), daemon=True)
            t.start()
            self.polls.append(t)
            self.stop.wait(0.2)
        for t in self.polls:
            t.join(15)

    def answered(self):
        with self.lock:
            return [tuple(x) for x in self.results if x]

    def steady(self, since, streak=5):
        """The last `streak` polls, sent after `since`, answered 200."""
        last = [out for sent, _, out in self.answered()[-streak:] if sent >= since]
        return len(last) == streak and all(out == 200 for out in last)

    def back_after(self, since):
        """When the polls sent after `since` began to answer 200 for good
        (seconds after `since`); None if the last one did not."""
        after = [(sent, out) for sent, _, out in self.answered() if sent >= since]
        if not after or after[-1][1] != 200:
            return None
        back = after[-1][0]
        for sent, out in reversed(after):
            if out != 200:
                break
            back = sent
        return back - since


def test_database_hung_under_load(httpd, ready, site, mdb, figures):
    httpd.expect_log(r"MOI00101")
    warm_every_child(httpd)
    load = LoadMix(httpd, site, sante=False).start()
    poller = SantePoller(httpd)
    stuck_at_thaw = []
    try:
        # The steady state first: every kind of request answered as usual.
        assert wait_for(lambda: recovered(load, 0.0), 15, 0.1), load.counts()
        time.sleep(1.0)
        poller.thread.start()
        time.sleep(0.5)
        t_freeze, m_freeze = load.now(), time.monotonic()
        ready.freeze()
        try:
            time.sleep(FROZEN_FOR)
            # Nothing still waits for the database beyond the bound.
            stuck_at_thaw = load.stuck_since(REQUEST_BOUND)
        finally:
            t_thaw, m_thaw = load.now(), time.monotonic()
            ready.thaw()
        wait_for(lambda: recovered(load, t_thaw) and poller.steady(m_thaw),
                 RECOVERY_WITHIN + 5, 0.1)
        time.sleep(1.0)
    finally:
        poller.stop.set()
        load.stop()
        if poller.thread.is_alive():
            poller.thread.join(15)
        ready.thaw()

    counts = load.counts()
    assert not stuck_at_thaw, stuck_at_thaw

    # /sante: an answer within 2 s for every poll sent while frozen (503,
    # or 200 for a check that got through just before the stop).
    assert all(poller.results), "a health check did not answer"
    frozen = [(sent, lat, out) for sent, lat, out in poller.answered()
              if m_freeze <= sent < m_thaw]
    assert len(frozen) >= 30, len(frozen)  # about one every 200 ms
    bad = [x for x in frozen if not isinstance(x[2], int) or x[2] not in (200, 503)]
    assert not bad, bad[:5]
    sante_max = max(lat for _, lat, _ in frozen)
    assert sante_max < SANTE_WITHIN, sorted(lat for _, lat, _ in frozen)[-5:]
    assert sum(1 for x in frozen if x[2] == 503) >= len(frozen) - 10

    # Every request finished within the bound; pages 200 throughout.
    longest = max(r.duration for r in load.of())
    assert longest < REQUEST_BOUND, sorted(load.of(), key=lambda r: r.duration)[-5:]
    bad_pages = [r for r in load.of("programme", "event") if not r.ok]
    assert not bad_pages, (bad_pages[:10], counts)
    for r in load.of():
        assert r.error is None and (r.ok or r.status == 503), (r, counts)

    # Once the monitors have noticed, writes get 503 within 2 s.
    noticed = [r for r in load.of(*WRITES, since=t_freeze + NOTICED_AFTER) if r.t1 <= t_thaw]
    assert len(noticed) >= 4, counts
    assert all(r.status == 503 for r in noticed), noticed
    write_latencies = [r.duration for r in noticed]
    assert max(write_latencies) < WRITE_503_WITHIN, sorted(write_latencies)[-5:]

    failures = [r for r in load.of() if not r.ok]
    recovery = max(0.0, max(r.t1 for r in failures) - t_thaw) if failures else 0.0
    assert recovery < RECOVERY_WITHIN
    # The health check too says so, for good, within 15 s.
    sante_back = poller.back_after(m_thaw)
    assert sante_back is not None and sante_back < RECOVERY_WITHIN, poller.answered()[-20:]
    # ... and it clears as soon as the database answers (README), not after
    # a client's cool-down: within a few seconds, the margin of a busy machine.
    assert sante_back < SANTE_CLEARS_WITHIN, poller.answered()[-20:]

    acknowledged, found, edits = check_acknowledged(load, mdb)

    figures.record(
        hang_writes_acknowledged=acknowledged,
        hang_writes_found=found,
        hang_edits_acknowledged=edits,
        hang_frozen_s=t_thaw - t_freeze,
        hang_sante_polls=len(frozen),
        hang_sante_latency_max_s=sante_max,
        hang_sante_latency_median_s=median([lat for _, lat, _ in frozen]),
        hang_requests_total=len(load.of()),
        hang_request_duration_max_s=longest,
        hang_programme_failures=len(bad_pages),
        hang_programme_latency_max_s=max(r.duration for r in load.of("programme", "event")),
        hang_write_503_latency_max_s=max(write_latencies),
        hang_write_503_latency_median_s=median(write_latencies),
        hang_recovery_s=recovery,
        hang_sante_recovery_s=sante_back,
    )
