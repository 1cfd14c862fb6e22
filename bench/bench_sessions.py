"""Sessions: what one costs to make, to hold and to serve; before (one world per process) and after, in one run.

Each measure runs in a child process of its own. "before" runs the same measure against the tree
given by ``--before`` (default: the last commit before sessions), checked out in a scratch git
worktree and put first on PYTHONPATH, so both sides use this venv's libraries.

- create: ``PUT /_mockcdr/sessions/{id}`` against ``mockcdr serve`` over HTTP (keep-alive), median ms;
  before, the nearest thing a test did per test over HTTP: ``POST /_mockcdr/reset``.
- fixture: what the plugin's in-process fixture does per test, median ms: after, a fresh Session
  on the built World (``mockcdr_app``); before, ``create_app(settings)`` (the old ``mockcdr_app``).
- held: 1,000 sessions with 5 DIDWW exports each: RSS growth; a status poll with one session and
  with 1,000 held (in-process test client).
- jobs: DIDWW exports created one after the other on a running clock with 0.25 s steps (so jobs keep
  falling due, as in a busy run): ms per create in each block of 1,000 (flat = linear time), and
  the median poll (each after one more create) with about 100 jobs and with 10,000 held.
"""
from __future__ import annotations

import argparse
import gc
import json
import subprocess
import tempfile
import time
from pathlib import Path

from common import CLOCK, ROOT, free_port, in_tree, machine, median, mock_server, say, timed, write_result

BEFORE = "93a2108"          # main before sessions
KEY = "didww-test-globex-51a7c9d2"
JSONAPI = "application/vnd.api+json"
HEADERS = {"Api-Key": KEY, "Accept": JSONAPI, "Content-Type": JSONAPI}
BODY = json.dumps({"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}})


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _app(frozen: bool = True):
    from mockcdr.app import create_app
    from mockcdr.settings import Settings

    app = create_app(Settings(clock_start=CLOCK, clock_frozen=frozen, validate_responses=False))
    return app, app.test_client()


def _create(client, prefix: str = "") -> str:
    resp = client.post(f"{prefix}/v3/exports", data=BODY, headers=HEADERS)
    assert resp.status_code == 201, resp.data[:300]
    return resp.get_json()["data"]["id"]


# -- the measures (run in a child) -------------------------------------------------------------
def measure_create(n: int) -> dict:
    import requests

    port = free_port()
    with mock_server(port) as proc:
        proc.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        http = requests.Session()
        base = f"http://127.0.0.1:{port}/_mockcdr"
        sessions = http.put(f"{base}/sessions/probe").status_code == 201     # 404 before sessions
        for i in range(20):                                   # warm up both paths
            http.post(f"{base}/reset").raise_for_status()
        out = {"reset_ms": timed(lambda: http.post(f"{base}/reset").raise_for_status(), n)}
        if sessions:
            ids = iter(range(10**9))
            out["create_ms"] = timed(lambda: http.put(f"{base}/sessions/s{next(ids)}").raise_for_status(), n)
            out["sessions_after"] = len(http.get(f"{base}/sessions").json())
        out["health_ms"] = timed(lambda: http.get(f"{base}/health").raise_for_status(), n)
    # the app's own share, without the HTTP server: the same calls through the test client
    app, client = _app()
    out["in_process_reset_ms"] = timed(lambda: client.post("/_mockcdr/reset"), n)
    if sessions:
        ids = iter(range(10**9))
        out["in_process_create_ms"] = timed(lambda: client.put(f"/_mockcdr/sessions/p{next(ids)}"), n)
    return out


def measure_fixture(n: int) -> dict:
    from mockcdr.settings import Settings

    settings = Settings(validate_responses=False)
    try:
        from mockcdr.pytest_plugin import _app_for
        from mockcdr.core.session import Session
    except ImportError:                      # before sessions: the fixture built an app per test
        from mockcdr.app import create_app

        create_app(settings)
        return {"per_test_ms": timed(lambda: create_app(settings), n), "what": "create_app(settings)"}
    app = _app_for(settings)
    sessions = app.extensions["mockcdr.sessions"]

    def fresh():
        start, world, _ = sessions.parse_spec({}, settings=settings)
        app.extensions["mockcdr"] = sessions.replace_default(Session(world, "default", start))
    return {"per_test_ms": timed(fresh, n), "what": "a fresh Session on the built World"}


def measure_held(count: int, jobs: int) -> dict:
    app, client = _app()
    first = _create(client)
    poll = lambda: client.get(f"/v3/exports/{first}", headers=HEADERS)      # noqa: E731
    for _ in range(200):
        poll()
    one = timed(poll, 400)
    gc.collect()
    before = rss_kb()
    registry = app.extensions["mockcdr.sessions"]
    for i in range(count):
        registry.create(f"held-{i}")
        for _ in range(jobs):
            _create(client, f"/_s/held-{i}")
    gc.collect()
    grown = (rss_kb() - before) / 1024
    held = timed(poll, 400)
    return {"sessions": count, "jobs_each": jobs, "rss_growth_mb": grown, "poll_ms_one": one,
            "poll_ms_held": held}


STEP_S = 0.25     # the DIDWW export's pending and processing steps in measure_jobs (seconds)


def measure_jobs(total: int, block: int) -> dict:
    """Creates on a running clock with steps of STEP_S, so jobs keep falling due the whole time,
    as in a busy CI run (with the default 5 s steps, a quiet machine creates 10,000 before the
    first is due, and nothing is measured). Each poll sample follows one more create, so jobs are
    due while the polls are timed too."""
    app, client = _app(frozen=False)
    resp = client.put("/_mockcdr/transitions/didww.export",
                      json={"mode": "after_seconds", "seconds": {"pending": STEP_S, "processing": STEP_S}})
    assert resp.status_code == 200, resp.data[:300]
    first = _create(client)
    poll = lambda: client.get(f"/v3/exports/{first}", headers=HEADERS)      # noqa: E731

    def polls(n: int) -> float:
        out = []
        for _ in range(n):
            _create(client)
            t0 = time.perf_counter()
            poll()
            out.append(time.perf_counter() - t0)
        return median(out) * 1000

    one = polls(100)
    made = 101
    blocks = []
    while made < total:
        t0 = time.perf_counter()
        for _ in range(block):
            _create(client)
        blocks.append((time.perf_counter() - t0) * 1000 / block)
        made += block
        say(f"    {made:>6} jobs: {blocks[-1]:.2f} ms per create")
    held = polls(100)
    return {"jobs": made + 100, "poll_ms_one": one, "poll_ms_held": held, "create_ms_by_block": blocks,
            "block": block, "step_s": STEP_S}


MEASURES = {"create": measure_create, "fixture": measure_fixture, "held": measure_held, "jobs": measure_jobs}


def child(name: str, tree: str | None, *args) -> dict:
    return in_tree("bench_sessions", f"b.MEASURES[{name!r}](*{list(args)!r})", tree)


def before_tree(rev: str) -> str:
    path = Path(tempfile.gettempdir()) / f"mockcdr-before-{rev}"
    if not (path / "mockcdr").exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(path), rev],
                       check=True, capture_output=True)
    return str(path)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default=BEFORE, help="the tree to compare with (a git revision)")
    ap.add_argument("--n", type=int, default=300, help="samples of the create and fixture medians")
    ap.add_argument("--sessions", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=10_000)
    ns = ap.parse_args(argv)
    old = before_tree(ns.before)
    result = {"machine": machine(), "before": ns.before}
    for name, args in (("create", (ns.n,)), ("fixture", (ns.n // 10 if ns.n >= 100 else ns.n,))):
        say(f"  {name}")
        result[name] = {"before": child(name, old, *args), "after": child(name, None, *(args if name == "create"
                                                                                        else (ns.n,)))}
    say(f"  held: {ns.sessions} sessions")
    result["held"] = child("held", None, ns.sessions, 5)
    say(f"  jobs: {ns.jobs} creates, before")
    result["jobs"] = {"before": child("jobs", old, ns.jobs, max(ns.jobs // 10, 1))}
    say(f"  jobs: {ns.jobs} creates, after")
    result["jobs"]["after"] = child("jobs", None, ns.jobs, max(ns.jobs // 10, 1))
    result["loadavg_end"] = machine()["loadavg"]
    write_result("sessions", result)
    return result


if __name__ == "__main__":
    main()
