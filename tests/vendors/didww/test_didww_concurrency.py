"""Threads against a live mock: no create is lost, every file is served whole, one callback per export."""
from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

MEDIA = "application/vnd.api+json"
APRIL = {"from": "2026-04-01 00:00:00", "to": "2026-04-03 00:00:00"}


@pytest.fixture(scope="module")
def server():
    settings = Settings(vendors=("didww",), seed="threads", clock_start="2026-04-20T12:00:00Z",
                        clock_frozen=True, threads=8)
    with LiveServer(settings) as srv:
        yield srv
        srv.raise_errors()


def headers(srv, customer):
    return {"Api-Key": srv.runtime.state["didww"].by_name[customer].api_key, "Content-Type": MEDIA,
            "Accept": MEDIA}


def create(srv, customer, attributes):
    with requests.Session() as s:
        resp = s.post(f"{srv.url}/v3/exports", headers=headers(srv, customer),
                      json={"data": {"type": "exports", "attributes": attributes}}, timeout=30)
    assert resp.status_code == 201, resp.text
    return resp.json()["data"]


def test_concurrent_creates_lose_nothing(server):
    customers = ["globex", "acme-eu"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(lambda i: (customers[i % 2], create(server, customers[i % 2], {
            "export_type": "cdr_in", "filters": APRIL, "external_reference_id": f"t{i}"})), range(80)))
    ids = [d["id"] for _, d in made]
    assert len(set(ids)) == 80
    file_ids = {j["attrs"]["file_id"] for j in server.runtime.lifecycle.jobs(kind="didww.export")}
    assert len(file_ids) == len(server.runtime.lifecycle.jobs(kind="didww.export"))
    for customer in customers:
        listed = requests.get(f"{server.url}/v3/exports?page[size]=1000&filter[external_reference_id]="
                              + ",".join(f"t{i}" for i in range(80)), headers=headers(server, customer),
                              timeout=30).json()
        mine = {d["id"] for c, d in made if c == customer}
        assert listed["meta"]["total_records"] == 40
        assert {d["id"] for d in listed["data"]} == mine


def test_concurrent_downloads_are_identical(server):
    created = create(server, "globex", {"export_type": "cdr_out", "filters": APRIL})
    server.runtime.lifecycle.force(created["id"], "completed")
    url = requests.get(f"{server.url}/v3/exports/{created['id']}", headers=headers(server, "globex"),
                       timeout=30).json()["data"]["attributes"]["url"]
    key = headers(server, "globex")["Api-Key"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda _: requests.get(url, headers={"Api-Key": key}, timeout=30).content,
                               range(16)))
    assert len(set(bodies)) == 1 and bodies[0][:2] == b"\x1f\x8b" and len(bodies[0]) > 100


def test_one_callback_per_export_under_concurrent_polls(server, receiver):
    rt = server.runtime
    rt.lifecycle.set_policy("didww.export", {"mode": "after_polls", "polls": 1})
    try:
        exports = [create(server, "globex", {"export_type": "cdr_in", "filters": APRIL,
                                             "callback_url": f"{receiver.url}/cb{i}"}) for i in range(6)]

        def poll(i):
            export = exports[i % len(exports)]
            r = requests.get(f"{server.url}/v3/exports/{export['id']}", headers=headers(server, "globex"),
                             timeout=30)
            return r.status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(poll, range(96))) == {200}
        rt.clock.advance(timedelta(seconds=1))    # the test's own tick delivers anything still due
        deadline = time.monotonic() + 20
        while len(receiver.received) < len(exports) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)   # a duplicate would arrive within the ticker's next rounds
        delivered = Counter(r["form"]["id"] for r in receiver.received)
        assert delivered == Counter({e["id"]: 1 for e in exports})
        sources = Counter(d["source"]["export"] for d in rt.deliveries.list(vendor="didww"))
        assert all(sources[e["id"]] == 1 for e in exports)
    finally:
        rt.lifecycle.set_policy("didww.export", {"mode": "after_seconds"})
