"""A programme larger than what a child keeps rendered: its exports are
written in parts (mod_moisinno_programme.c, send_parts) and must be the
same documents as the ones built in one piece for smaller selections."""
import csv
import io
import json
import os
import subprocess
import sys

import icalendar
import pytest
import requests

from moienv import SOURCE, Httpd

DATABASE = "large_programme"
COUNT = 700  # above the 500 events from which exports are written in parts


@pytest.fixture(scope="module")
def large(workdir, db):
    wd = os.path.join(workdir, "large")
    os.makedirs(wd, exist_ok=True)
    os.chmod(wd, 0o755)
    seed = subprocess.run([sys.executable, os.path.join(SOURCE, "scripts", "seed-demo.py"),
                           "--uri", db.uri, "--database", DATABASE, "--count", str(COUNT)],
                          capture_output=True, text=True)
    assert seed.returncode == 0, seed.stdout + seed.stderr
    h = Httpd(wd, db, database=DATABASE)
    h.write_config()
    h.start()
    client = db.client()
    public = client[DATABASE].events.count_documents(
        {"edition": 2022, "status": {"$in": ["published", "cancelled"]}})
    yield h, public
    h.stop()
    client.drop_database(DATABASE)
    client.close()


def get(h, path, **kw):
    r = requests.get(h.url + path, timeout=60, **kw)
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r


def test_json_in_parts_is_the_whole_programme(large):
    h, public = large
    assert public > 500
    full = json.loads(get(h, "/programme.json").content)
    assert full["total"] == public == len(full["events"])
    ids = [e["id"] for e in full["events"]]
    assert len(set(ids)) == len(ids)
    by_id = {e["id"]: e for e in full["events"]}
    part = json.loads(get(h, "/programme.json?region=11").content)
    assert 0 < part["total"] <= 500
    for e in part["events"]:
        assert by_id[e["id"]] == e  # the same event, whichever path wrote it


def test_ics_in_parts_is_the_whole_programme(large):
    h, public = large
    text = get(h, "/programme.ics").text
    cal = icalendar.Calendar.from_ical(text)
    assert len([c for c in cal.walk("VEVENT")]) == public
    assert text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VCALENDAR") == 1
    part = get(h, "/programme.ics?region=11").text
    blocks = part.split("BEGIN:VEVENT")[1:]
    assert blocks
    for b in blocks:
        assert "BEGIN:VEVENT" + b.split("END:VEVENT")[0] in text


def test_csv_in_parts_is_the_whole_programme(large):
    h, public = large
    text = get(h, "/programme.csv").content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == public + 1 and len({len(r) for r in rows}) == 1
    part = get(h, "/programme.csv?region=11").content.decode("utf-8")
    lines = set(text.split("\r\n"))
    assert all(line in lines for line in part.split("\r\n"))


def test_head_of_a_large_export_has_no_body(large):
    h, _ = large
    r = requests.head(h.url + "/programme.json", timeout=60)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["Content-Type"].startswith("application/json")
