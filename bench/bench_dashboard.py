"""Dashboard: what an open /_mockcdr/ui/ costs the server each second, and whether it slows a client.

One ``mockcdr serve`` on a frozen clock; its root session is filled with DIDWW exports (a create
is also a journal entry) to 0, 100, 1,000 and 5,000 jobs. At each size, one *round* is what the
page asks each second, timed over a keep-alive ``http.client`` connection (median of ``--rounds``):

- before: the page's first version, every list whole (clock, jobs, journal since the last entry,
  deliveries, faults, sessions);
- after: what it asks now (jobs and deliveries with ``limit``, the sessions every fifth round).

At the largest size, a DIDWW status poll's latency (median and 95th percentile of ``--polls``) is
measured alone, then with a page polling once a second in each version, to show whether an open
dashboard holds up a client of the mock.

    .venv/bin/python bench/bench_dashboard.py [--sizes 0,100,1000,5000] [--rounds 15] [--polls 1000]
"""
from __future__ import annotations

import argparse
import http.client
import json
import threading
import time

from common import free_port, machine, median, mock_server, say, write_result

JSONAPI = "application/vnd.api+json"
KEY = "didww-test-globex-51a7c9d2"
EXPORT = json.dumps({"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-01", "to": "2026-04-02"}}}})
BEFORE = ("clock", "jobs", "journal?since={since}", "deliveries", "faults", "sessions")
AFTER = ("clock", "jobs?limit=100", "journal?since={since}", "deliveries?limit=50", "faults")


def request(conn, method: str, path: str, body: str | None = None, headers: dict | None = None) -> bytes:
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 400:
        raise RuntimeError(f"{method} {path}: {resp.status} {data[:200]!r}")
    return data


def create(conn) -> str:
    data = request(conn, "POST", "/v3/exports", EXPORT, {"Api-Key": KEY, "Content-Type": JSONAPI, "Accept": JSONAPI})
    return json.loads(data)["data"]["id"]


def last_seq(conn) -> int:
    entries = json.loads(request(conn, "GET", "/_mockcdr/journal?limit=1"))["entries"]
    return entries[-1]["seq"] if entries else 0


def round_of(conn, paths, since: int, sessions: bool) -> tuple[float, int]:
    """(ms, bytes) of one round of the page's requests."""
    size = 0
    t0 = time.perf_counter()
    for p in paths + (("sessions",) if sessions else ()):
        size += len(request(conn, "GET", "/_mockcdr/" + p.format(since=since)))
    return (time.perf_counter() - t0) * 1000, size


def rounds(conn, version: str, n: int) -> dict:
    since = last_seq(conn)
    times, sizes = [], []
    for i in range(n):
        ms, size = round_of(conn, BEFORE if version == "before" else AFTER, since,
                            sessions=version == "after" and i % 5 == 0)
        times.append(ms)
        sizes.append(size)
    return {"round_ms": median(times), "round_kb": median(sizes) / 1024}


def status_polls(port: int, export_id: str, n: int, page: str | None) -> dict:
    """Latency of a DIDWW status poll, with a page (``before``/``after``) polling once a second."""
    stop = threading.Event()

    def dashboard():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        i = 0
        while not stop.is_set():
            started = time.perf_counter()
            round_of(conn, BEFORE if page == "before" else AFTER, last_seq(conn),
                     sessions=page == "after" and i % 5 == 0)
            i += 1
            stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))
        conn.close()

    worker = threading.Thread(target=dashboard, daemon=True) if page else None
    if worker:
        worker.start()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Api-Key": KEY, "Accept": JSONAPI}
    times = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            request(conn, "GET", f"/v3/exports/{export_id}", headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.01)
    finally:
        stop.set()
        if worker:
            worker.join()
        conn.close()
    times.sort()
    return {"p50_ms": median(times), "p95_ms": times[int(len(times) * 0.95) - 1],
            "p99_ms": times[int(len(times) * 0.99) - 1], "max_ms": times[-1]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0,100,1000,5000")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--polls", type=int, default=1000)
    ns = ap.parse_args(argv)
    sizes = [int(s) for s in ns.sizes.split(",")]
    port = free_port()
    result = {"machine": machine(), "rounds": ns.rounds, "sizes": []}
    with mock_server(port) as server:
        server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        conn = http.client.HTTPConnection("127.0.0.1", port)
        made, first = 0, None
        for size in sizes:
            while made < size:
                export_id = create(conn)
                first = first or export_id
                made += 1
            row = {"jobs": size, "before": rounds(conn, "before", ns.rounds), "after": rounds(conn, "after", ns.rounds)}
            say(f"{size:>6} jobs: before {row['before']['round_ms']:8.1f} ms {row['before']['round_kb']:8.1f} kB | "
                f"after {row['after']['round_ms']:6.1f} ms {row['after']['round_kb']:6.1f} kB")
            result["sizes"].append(row)
        conn.close()
        if first:
            result["client"] = {"jobs": made}
            for page in (None, "before", "after"):
                result["client"][page or "alone"] = status_polls(port, first, ns.polls, page)
                say(f"status poll with {page or 'no'} page: {result['client'][page or 'alone']}")
    result["loadavg_end"] = machine()["loadavg"]
    write_result("dashboard", result)
    print(markdown(result))
    return 0


def markdown(r: dict) -> str:
    out = ["| jobs held | a round before: ms / kB | a round after: ms / kB |", "| ---: | ---: | ---: |"]
    for row in r["sizes"]:
        b, a = row["before"], row["after"]
        out.append(f"| {row['jobs']:,} | {b['round_ms']:.1f} / {b['round_kb']:,.1f} | {a['round_ms']:.1f} / "
                   f"{a['round_kb']:,.1f} |")
    c = r.get("client")
    if c:
        out += ["", f"| DIDWW status poll, {c['jobs']:,} jobs held | p50 ms | p95 ms | p99 ms | max ms |",
                "| --- | ---: | ---: | ---: | ---: |"]
        for key, label in (("alone", "no page open"), ("before", "a page polling (before)"),
                           ("after", "a page polling (after)")):
            x = c[key]
            out.append(f"| {label} | {x['p50_ms']:.2f} | {x['p95_ms']:.2f} | {x['p99_ms']:.2f} | {x['max_ms']:.2f} |")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
