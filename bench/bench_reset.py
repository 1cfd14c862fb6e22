"""Reset: median latency of POST /_mockcdr/reset with state present (jobs, tokens, a delivery, journal entries).

Each round fills the state through the vendors' own APIs (bench/scenarios.py: a login per
vendor, a finished job per vendor, a MOR delivery), adds creates and polls until the journal
holds a few hundred entries, then times one reset over a keep-alive ``http.client`` connection
(``requests`` alone adds about 2 ms per call here). The round trip of GET /_mockcdr/health on
the same connection is the floor any control call pays.
"""
from __future__ import annotations

import argparse
import http.client
import time

import requests

from common import free_port, machine, median, mock_server, say, write_result
from scenarios import prepare

EXTRA_CREATES = 10      # per vendor that has jobs, besides the finished one
EXTRA_POLLS = 40        # per vendor


def fill(s: requests.Session, base: str) -> dict:
    scenarios = prepare(base)
    for sc in scenarios:
        if sc.randoms:
            continue
        for _ in range(EXTRA_CREATES if sc.op == "create" else EXTRA_POLLS if sc.op == "poll" else 0):
            s.request(sc.method, base + sc.path, headers=sc.headers, data=sc.body).raise_for_status()
    s.post(f"{base}/_mockcdr/faults", json={"vendor": "didww", "kind": "latency", "latency_ms": 1,
                                             "operation": "listExports"}).raise_for_status()
    jobs = len(s.get(f"{base}/_mockcdr/jobs").json())
    journal = s.get(f"{base}/_mockcdr/journal", params={"limit": 1}).json()["size"]
    store = s.get(f"{base}/_mockcdr/snapshot").json()["store"]
    return {"jobs": jobs, "journal": journal, "records": sum(len(c) for c in store.values())}


def timed(conn: http.client.HTTPConnection, method: str, path: str) -> float:
    t0 = time.perf_counter()
    conn.request(method, path)
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{method} {path}: {resp.status}")
    return time.perf_counter() - t0


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=30)
    ns = ap.parse_args(argv)
    info = machine()
    say(f"reset bench: load {info['loadavg']}")
    port = free_port()
    times, floor, states = [], [], []
    with mock_server(port) as server, requests.Session() as s:
        server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        base = f"http://127.0.0.1:{port}"
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(ns.n):
            states.append(fill(s, base))
            floor += [timed(conn, "GET", "/_mockcdr/health") for _ in range(5)]
            times.append(timed(conn, "POST", "/_mockcdr/reset"))
        conn.close()
        after = len(s.get(f"{base}/_mockcdr/jobs").json())
    result = {"machine": info, "n": ns.n, "state": states[-1], "jobs_after_reset": after,
              "median_reset_ms": median(times) * 1000, "min_reset_ms": min(times) * 1000,
              "max_reset_ms": max(times) * 1000, "median_health_rtt_ms": median(floor) * 1000,
              "command": "POST /_mockcdr/reset over a keep-alive http.client connection, round trip",
              "loadavg_end": machine()["loadavg"]}
    say(f"  median reset {result['median_reset_ms']:.2f} ms (health round trip {result['median_health_rtt_ms']:.2f} ms) "
        f"with {states[-1]}")
    write_result("reset", result)
    return result


if __name__ == "__main__":
    main()
