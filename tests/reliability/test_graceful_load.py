"""Graceful restarts under a steady mix of requests (DESIGN §9): ten
`apache2 -k graceful` in a row, and not one request fails (no connection
error, no 5xx, every answer the usual one)."""
import time

from loadmix import LoadMix
from moienv import httpd_recovers, wait_for
from test_db_killed import recovered, warm_every_child

RESTARTS = 10


def test_ten_graceful_restarts_under_load_drop_nothing(httpd, ready, site, figures):
    warm_every_child(httpd)
    load = LoadMix(httpd, site).start()
    durations = []
    try:
        # The steady state first: every kind of request answered as usual.
        assert wait_for(lambda: recovered(load, 0.0), 15, 0.1), load.counts()
        time.sleep(1.0)
        t_first = load.now()
        for _ in range(RESTARTS):
            t0 = time.monotonic()
            # Returns once the new generation answers and the old one's
            # children are gone (they finish what they were serving).
            httpd.graceful()
            durations.append(time.monotonic() - t0)
            time.sleep(0.3)
        t_last = load.now()
        time.sleep(1.0)
    finally:
        load.stop()

    counts = load.counts()
    during = load.of(since=t_first, until=t_last)
    failed = [r for r in load.of() if not r.ok]
    assert not failed, (failed[:10], counts, httpd.tail_log(20))
    assert len(during) >= 10 * RESTARTS, counts
    for kind in load.kinds:
        assert load.of(kind, since=t_first, until=t_last), (kind, counts)
    assert httpd_recovers(httpd, streak=3)

    figures.record(
        graceful_restarts=RESTARTS,
        graceful_requests=len(during),
        graceful_requests_total=len(load.of()),
        graceful_failures=len(failed),
        graceful_restart_duration_max_s=max(durations),
        graceful_restart_duration_median_s=sorted(durations)[len(durations) // 2],
    )
