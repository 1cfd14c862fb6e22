"""Growth: how request time and memory grow with jobs held and with the journal's size (rows: see the export bench).

In-process (the Flask test client over one app: every hook, the journal and the vendor code
run, waitress does not), so what grows is the app's own work. Memory is what tracemalloc saw
allocated, and still alive, while a level was built (tracing is off while requests are timed).

- jobs held: DIDWW exports created through POST /v3/exports up to each level; then the median
  latency of a status poll, of a create, of the first page of the listing, and of a reset
  (restored from a snapshot before each timed reset).
- journal size: ``journal_size`` set to each level and filled with status polls; then the
  median latency of a poll with the journal full, and the memory it holds.
- MOR tasks held: the median latency of a task's show and of a create at each level.
"""
from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc

from common import CLOCK, machine, median, say, timed, write_result

JOB_LEVELS = (0, 1_000, 10_000, 30_000)
JOURNAL_LEVELS = (1_000, 10_000, 30_000)
MOR_LEVELS = (0, 1_000, 3_000)
SAMPLES = 200
KEY = "didww-test-globex-51a7c9d2"
JSONAPI = "application/vnd.api+json"
HEADERS = {"Api-Key": KEY, "Accept": JSONAPI, "Content-Type": JSONAPI}
BODY = json.dumps({"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}})


def app(journal_size: int = 1000):
    from mockcdr.app import create_app
    from mockcdr.settings import Settings

    flask_app = create_app(Settings(clock_start=CLOCK, clock_frozen=True, journal_size=journal_size,
                                    validate_responses=False))
    return flask_app, flask_app.test_client()


def create(client) -> str:
    resp = client.post("/v3/exports", data=BODY, headers=HEADERS)
    assert resp.status_code == 201, resp.data[:300]
    return resp.get_json()["data"]["id"]


def jobs_held(levels) -> list[dict]:
    flask_app, client = app()
    rt = flask_app.extensions["mockcdr"]
    first = create(client)
    held, rows, memory = 1, [], 0.0
    for level in levels:
        gc.collect()
        tracemalloc.start()
        while held < level:
            create(client)
            held += 1
        gc.collect()
        memory += tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        jobs = held
        poll = timed(lambda: client.get(f"/v3/exports/{first}", headers=HEADERS), SAMPLES)
        listing = timed(lambda: client.get("/v3/exports?page[size]=10", headers=HEADERS), 20)
        made = timed(lambda: create(client), 50)
        held += 50
        snap = rt.snapshot()
        resets = []
        for _ in range(3):
            rt.restore(snap)
            t0 = time.perf_counter()
            assert client.post("/_mockcdr/reset").status_code == 200
            resets.append(time.perf_counter() - t0)
        rt.restore(snap)
        rows.append({"jobs": jobs, "memory_mb": memory, "poll_ms": poll, "create_ms": made,
                     "list_page_ms": listing, "reset_ms": median(resets) * 1000})
        say(f"  {jobs:>6} jobs: poll {poll:.2f} ms, create {made:.2f} ms, list {listing:.2f} ms, "
            f"reset {rows[-1]['reset_ms']:.2f} ms, memory +{memory:.1f} MB")
    return rows


def journal(levels) -> list[dict]:
    rows = []
    for level in levels:
        flask_app, client = app(journal_size=level)
        job = create(client)
        poll = lambda: client.get(f"/v3/exports/{job}", headers=HEADERS)    # noqa: E731
        empty = timed(poll, 100)
        flask_app.extensions["mockcdr"].journal.clear()
        gc.collect()
        tracemalloc.start()
        for _ in range(level):
            poll()
        gc.collect()
        memory = tracemalloc.get_traced_memory()[0] / 2**20
        tracemalloc.stop()
        full = timed(poll, SAMPLES)
        size = len(flask_app.extensions["mockcdr"].journal)
        rows.append({"journal_size": level, "entries": size, "memory_mb": memory,
                     "kb_per_entry": memory * 1024 / max(size, 1), "poll_ms_empty": empty, "poll_ms_full": full})
        say(f"  journal {size:>6} entries: poll {empty:.2f} ms empty, {full:.2f} ms full, memory +{memory:.1f} MB")
    return rows


def mor_tasks(levels) -> list[dict]:
    """MOR tasks held: each create makes the next request's tick rescan every task for the next due run."""
    import base64

    flask_app, client = app()
    basic = base64.b64encode(b"acme_admin:acme-admin-FAKE-pass").decode()
    token = client.post("/billing/api/v2/authentication/login", headers={"Authorization": f"Basic {basic}"}
                        ).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    task = {"name": "growth", "period": "daily", "timezone": "UTC", "template_id": 5, "send_cdr_to": "user",
            "send_to_user_id": 123, "active": True}

    def make():
        resp = client.post("/billing/api/v2/automatic_cdr_exports", json=task, headers=auth)
        assert resp.status_code == 201, resp.data[:300]
        return resp.get_json()["automatic_cdr_export"]["id"]
    first, held, rows = make(), 1, []
    for level in levels:
        while held < level:
            make()
            held += 1
        poll = timed(lambda: client.get(f"/billing/api/v2/automatic_cdr_exports/{first}", headers=auth), 100)
        made = timed(make, 50)
        rows.append({"tasks": held, "poll_ms": poll, "create_ms": made})
        held += 50
        say(f"  {rows[-1]['tasks']:>6} MOR tasks: poll {poll:.2f} ms, create {made:.2f} ms")
    return rows


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--jobs", default=",".join(map(str, JOB_LEVELS)))
    ap.add_argument("--journal", default=",".join(map(str, JOURNAL_LEVELS)))
    ap.add_argument("--mor", default=",".join(map(str, MOR_LEVELS)))
    ns = ap.parse_args(argv)
    info = machine()
    say(f"growth bench: load {info['loadavg']}")
    result = {"machine": info, "jobs": jobs_held([int(x) for x in ns.jobs.split(",")]),
              "journal": journal([int(x) for x in ns.journal.split(",")]),
              "mor_tasks": mor_tasks([int(x) for x in ns.mor.split(",")]), "loadavg_end": machine()["loadavg"]}
    write_result("growth", result)
    return result


if __name__ == "__main__":
    main()
