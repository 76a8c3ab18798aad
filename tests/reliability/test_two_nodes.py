"""Two httpd nodes sharing one database, as behind a load balancer
(DESIGN §3): a session made on one works on the other, a change made on one
reaches the other's programme within MoisInnoCacheTTL, and concurrent edits
of one event through both nodes lose nothing."""
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from bson import ObjectId

from accounts_helpers import Client, new_account
from relsite import NODES, node_config, publish
from events_helpers import Organiser, form_items, history, valid_form, valid_json
from moienv import Httpd, httpd_recovers

TTL = 5  # MoisInnoCacheTTL's default, which the nodes keep
# What a child may take, once its snapshot is past the TTL, to read the
# programme again (a busy machine), on top of the TTL.
RELOAD_MARGIN = 2.0
ROUNDS = 8


@pytest.fixture(scope="module")
def node_b(workdir, db, admin_email, httpd):
    """A second node: its own ServerRoot, port and children, the same
    configuration and database."""
    h = Httpd(os.path.join(workdir, "node-b"), db)
    h.write_config(location_extra=node_config(admin_email))
    h.start()
    NODES.append(h)
    yield h
    NODES.remove(h)
    h.stop()


@pytest.fixture()
def nodes(httpd, node_b, ready):
    assert httpd_recovers(node_b, streak=6)
    return httpd, node_b


def on_node(org, node):
    """A client of `node` that carries `org`'s session cookie (made on the
    other node)."""
    c = Client(node)
    c.set_session_cookie(org.cookie)
    return c


def test_a_session_made_on_one_node_works_on_the_other(nodes):
    a, b = nodes
    org = Organiser(a)  # signed up (and so logged in) on node A
    cb = on_node(org, b)
    try:
        r = cb.get("/api/v1/session")
        assert r.status_code == 200, r.text
        assert r.json()["organizer"]["email"] == org.email
        assert r.json()["csrf_token"] == org.csrf
        assert cb.get("/espace").status_code == 200
        # A write on B with the session and CSRF token of A.
        r = cb.post("/api/v1/events", json=valid_json(), headers={"X-CSRF-Token": org.csrf})
        assert r.status_code == 201, r.text
        eid = r.json()["id"]
        r = org.get(f"/api/v1/events/{eid}")
        assert r.status_code == 200 and r.json()["status"] == "submitted"
        # Logged out on B: the session ends on A as well.
        r = cb.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": org.csrf})
        assert r.status_code == 204, r.text
        assert org.get("/api/v1/session").status_code == 401
    finally:
        cb.close()
        org.close()
    # And the other way round: a login through B's form, used on A.
    c, email = new_account(b)
    try:
        assert c.login(email).status_code == 303
        ca = Client(a)
        ca.set_session_cookie(c.token)
        r = ca.get("/api/v1/session")
        assert r.status_code == 200 and r.json()["organizer"]["email"] == email
        ca.close()
    finally:
        c.close()


EVENT_LINK = re.compile(r'href="[^"]*/evenements/([0-9a-f]{24})"')


def ids_on(response):
    assert response.status_code == 200, response.status_code
    return set(EVENT_LINK.findall(response.text))


def burst(node, path, n=8):
    """n parallel GETs on new connections (spread over the children);
    returns [(sent, response)], sent on time.monotonic()."""
    def one(_):
        sent = time.monotonic()
        return sent, requests.get(node.url + path, timeout=15, headers={"Connection": "close"})

    with ThreadPoolExecutor(max_workers=n) as ex:
        return list(ex.map(one, range(n)))


def propagation(node, path, fresh, since, within, settle=1.5):
    """Polls `path` on `node` until every answer has been fresh for
    `settle` seconds. Returns (first fresh answer, last stale answer), in
    seconds after `since` (the acknowledgement of the change), by the
    times the requests were sent."""
    first_fresh, last_stale, fresh_since = None, 0.0, None
    deadline = since + within + settle + 3
    while time.monotonic() < deadline:
        answers = burst(node, path)
        for sent, r in answers:
            if fresh(r):
                first_fresh = sent - since if first_fresh is None else first_fresh
            else:
                last_stale = max(last_stale, sent - since)
        if all(fresh(r) for _, r in answers):
            fresh_since = fresh_since or min(sent for sent, _ in answers)
            if time.monotonic() - fresh_since >= settle:
                return first_fresh, last_stale
        else:
            fresh_since = None
        time.sleep(0.1)
    raise AssertionError(f"{node.url}{path}: still stale {within + settle + 3:.1f} s after the "
                         f"change (last stale answer sent at {last_stale:.2f} s)")


class SteadyReaders:
    """Readers of the programme on every node, a request every ~100 ms on
    a new connection, so that the children refresh their snapshots as in
    steady traffic (a child that nobody asked for longer than the TTL would
    refresh at its next request and show the change at once)."""

    def __init__(self, nodes, path):
        self.stop = threading.Event()
        self.statuses = []
        self.threads = [threading.Thread(target=self.read, args=(n, path), daemon=True)
                        for n in nodes]

    def read(self, node, path):
        with requests.Session() as s:
            while not self.stop.is_set():
                r = s.get(node.url + path, timeout=15, headers={"Connection": "close"})
                self.statuses.append(r.status_code)
                time.sleep(0.1)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(20)
        assert set(self.statuses) == {200}, set(self.statuses)


def test_a_change_on_one_node_reaches_the_others_programme_within_the_ttl(nodes, site,
                                                                         figures):
    a, b = nodes
    tag = "zn" + os.urandom(5).hex()
    path = f"/?q={tag}"
    org = Organiser(a)
    readers = SteadyReaders(nodes, path).__enter__()
    try:
        # Both nodes' children hold a snapshot without the event.
        for node in (a, b):
            assert all(ids_on(r) == set() for _, r in burst(node, path, 12))
        r = org.create_api(title=f"Webinaire {tag} entre deux serveurs")
        assert r.status_code == 201, r.text
        ev = r.json()
        # Published by the admin on node A ...
        r = publish(site.admin, ev["id"], ev["version"])
        assert r.status_code == 303, (r.status_code, r.text[:300])
        t_ack = time.monotonic()
        # ... shown by node B within the TTL.
        first, last = propagation(b, path, lambda r: ids_on(r) == {ev["id"]}, t_ack, TTL)
        assert last <= TTL + RELOAD_MARGIN, f"B showed the old programme {last:.2f} s later"
        publish_first, publish_last = first, last

        # An edit of the published event on node B reaches node A's programme.
        cb = on_node(org, b)
        new_title = f"Webinaire {tag} retitre sur le second serveur"
        r = cb.request("PATCH", f"/api/v1/events/{ev['id']}", json={"title": new_title},
                       headers={"X-CSRF-Token": org.csrf, "If-Match": f'"{ev["id"]}-2"'})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "published" and r.json()["version"] == 3
        t_ack = time.monotonic()
        cb.close()
        first, last = propagation(a, path, lambda r: new_title in r.text, t_ack, TTL)
        assert last <= TTL + RELOAD_MARGIN, f"A showed the old title {last:.2f} s later"
        # Its event page on the node that made the change: at once in the
        # child that made it, within the TTL in that node's other children.
        _, last = propagation(b, f"/evenements/{ev['id']}", lambda r: new_title in r.text,
                              t_ack, TTL)
        assert last <= TTL + RELOAD_MARGIN, f"B showed the old event page {last:.2f} s later"
    finally:
        readers.__exit__()
        org.close()

    figures.record(
        two_nodes_cache_ttl_s=TTL,
        two_nodes_publish_first_seen_s=publish_first,
        two_nodes_publish_propagation_s=publish_last,
        two_nodes_edit_first_seen_s=first,
        two_nodes_edit_propagation_s=last,
    )


def test_concurrent_edits_through_both_nodes_lose_nothing(nodes, site, mdb, figures):
    """Each round, four writers (the organiser and an admin, each through
    both nodes, by the API with If-Match and by the form with its version)
    edit the same version of a published event at once: exactly one wins,
    the others get 412 (API) or 409 (form), and the stored event is the
    winner's."""
    a, b = nodes
    org = Organiser(a)
    try:
        r = org.create_api()
        assert r.status_code == 201, r.text
        ev = r.json()
        assert publish(site.admin, ev["id"], ev["version"]).status_code == 303
        eid = ev["id"]

        def api_writer(name, node, who):
            c = on_node(who, node)

            def write(version, summary):
                return c.request("PATCH", f"/api/v1/events/{eid}", json={"summary": summary},
                                 headers={"X-CSRF-Token": who.csrf,
                                          "If-Match": f'"{eid}-{version}"'}, timeout=30)
            return name, "api", write, c

        def form_writer(name, node, who):
            c = on_node(who, node)

            def write(version, summary):
                items = [("csrf", who.csrf), ("version", str(version))] + \
                    form_items(valid_form(title=f"Atelier partagé {eid}", summary=summary))
                return c.post(f"/espace/evenements/{eid}/modifier", items, timeout=30)
            return name, "form", write, c

        writers = [api_writer("api-organiser-A", a, org), api_writer("api-admin-B", b, site.admin),
                   form_writer("form-admin-A", a, site.admin),
                   form_writer("form-organiser-B", b, org)]
        version = 2
        outcomes, winners = [], []
        for rnd in range(ROUNDS):
            results = {}
            barrier = threading.Barrier(len(writers))

            def run(w, rnd=rnd, version=version, results=results, barrier=barrier):
                name, kind, write, _ = w
                summary = f"Version {version} écrite par {name} au tour {rnd}"
                barrier.wait(10)
                results[name] = (kind, summary, write(version, summary))

            threads = [threading.Thread(target=run, args=(w,)) for w in writers]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert len(results) == len(writers), results
            won = [(n, s) for n, (k, s, r) in results.items()
                   if (k, r.status_code) in (("api", 200), ("form", 303))]
            lost = {n: r.status_code for n, (k, s, r) in results.items()
                    if (k, r.status_code) not in (("api", 200), ("form", 303))}
            assert len(won) == 1, (rnd, {n: r.status_code for n, (k, s, r) in results.items()})
            for n, status in lost.items():
                expected = 412 if results[n][0] == "api" else 409
                assert status == expected, (rnd, n, status, results[n][2].text[:300])
            outcomes.append({n: r.status_code for n, (k, s, r) in results.items()})
            winners.append(won[0][0])
            doc = mdb.events.find_one({"_id": ObjectId(eid)})
            assert doc["version"] == version + 1, (rnd, doc["version"])
            assert doc["summary"] == won[0][1], (rnd, doc["summary"], won[0][1])
            assert doc["status"] == "published"
            version += 1
        for _, _, _, c in writers:
            c.close()

        updates = [h for h in history(mdb, eid) if h["action"] == "update"]
        assert len(updates) == ROUNDS, [h["action"] for h in history(mdb, eid)]
        final = requests.get(f"{a.url}/api/v1/events/{eid}", timeout=10)
        assert final.status_code == 200
        assert final.json()["version"] == 2 + ROUNDS
        assert final.headers["ETag"] == f'"{eid}-{2 + ROUNDS}"'
    finally:
        org.close()

    figures.record(
        two_nodes_concurrent_rounds=ROUNDS,
        two_nodes_concurrent_writers=len(writers),
        two_nodes_concurrent_winners=len(winners),
        two_nodes_concurrent_losers_412=sum(1 for o in outcomes for s in o.values() if s == 412),
        two_nodes_concurrent_losers_409=sum(1 for o in outcomes for s in o.values() if s == 409),
        two_nodes_lost_updates=0,
    )
