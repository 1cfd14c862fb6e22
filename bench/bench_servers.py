"""The serving candidates side by side: throughput, tail latency, slow clients and faults on the wire.

Each candidate (serve_with.py) serves the trivial Flask endpoint, then mockcdr's app; rounds are
interleaved so neighbours in time are compared. On the mock: the DIDWW and Yeti polls under
wrk -t2 -c16; health while 150 sockets sit idle and while 12 clients stall 100k-call Telnyx
downloads; what a client sees of a drop and a truncate fault; how long DELETE /_mockcdr/faults
takes while eight 2 s latency faults are in flight.
"""
from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from pathlib import Path

import requests

import wrklua
from bench_http import request_of
from common import BENCH, CLOCK, OUT, Proc, free_port, machine, say, write_result
from scenarios import Scenario, prepare

SERVERS = ("waitress", "waitress-tuned", "cheroot", "granian", "mockcdr-asyncio", "mockcdr")
MOCK_ENV = {"MOCKCDR_VALIDATE_RESPONSES": "0", "MOCKCDR_CLOCK_START": CLOCK, "MOCKCDR_CLOCK_FROZEN": "1",
            "MOCKCDR_CALLS_PER_DAY": "100000"}


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (granian serves from a worker process)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / 100
    return total


def serve(server: str, app: str, port: int) -> Proc:
    return Proc([sys.executable, str(BENCH / "serve_with.py"), server, app, str(port)], env=MOCK_ENV,
                log=str(OUT / f"servers-{server}-{app}.log"))


def wrk(base: str, sc: Scenario, pid: int, duration: float) -> dict:
    cpu = tree_cpu(pid)
    r = wrklua.run(base, request_of(sc, "/dev/null"), "servers", duration)
    r["cpu_ms"] = (tree_cpu(pid) - cpu) * 1000 / max(r["requests"], 1)
    return r


def health_within(base: str, timeout: float) -> float | None:
    t0 = time.perf_counter()
    try:
        requests.get(f"{base}/_mockcdr/health", timeout=timeout).raise_for_status()
        return time.perf_counter() - t0
    except requests.RequestException:
        return None


def idle_check(base: str, port: int, n: int = 150) -> float | None:
    socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
    try:
        time.sleep(0.5)
        return health_within(base, 3)
    finally:
        for s in socks:
            s.close()


def stalled_check(base: str, port: int, download: Scenario, n: int = 12) -> float | None:
    head = (f"GET {download.path} HTTP/1.1\r\nHost: x\r\n" +
            "".join(f"{k}: {v}\r\n" for k, v in download.headers.items()) + "\r\n").encode()
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(head)
        socks.append(s)
    try:
        time.sleep(2.0)
        return health_within(base, 3)
    finally:
        for s in socks:
            s.close()


def fault_checks(base: str, poll: Scenario, download: Scenario) -> dict:
    out = {}
    requests.delete(f"{base}/_mockcdr/faults", timeout=10)
    requests.post(f"{base}/_mockcdr/faults", json={"vendor": "didww", "kind": "drop", "count": 1}, timeout=10)
    try:
        r = requests.request(poll.method, base + poll.path, headers=poll.headers, timeout=5)
        out["drop"] = f"a {r.status_code} response"
    except requests.RequestException as exc:
        out["drop"] = f"no response ({type(exc).__name__})"
    requests.post(f"{base}/_mockcdr/faults", json={"vendor": "telnyx", "kind": "truncate", "after_bytes": 1000,
                                                   "count": 1}, timeout=10)
    try:
        r = requests.get(base + download.path, headers=download.headers, timeout=10)
        out["truncate"] = f"a whole {r.status_code} response of {len(r.content)} bytes"
    except requests.RequestException as exc:
        out["truncate"] = f"a cut body ({type(exc).__name__})"
    requests.post(f"{base}/_mockcdr/faults", json={"vendor": "didww", "kind": "latency", "latency_ms": 2000,
                                                   "count": 8}, timeout=10)
    threads = [threading.Thread(target=lambda: requests.request(poll.method, base + poll.path,
                                                                headers=poll.headers, timeout=20))
               for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    t0 = time.perf_counter()
    requests.delete(f"{base}/_mockcdr/faults", timeout=20)
    out["clear_faults_s"] = time.perf_counter() - t0
    for t in threads:
        t.join(30)
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--servers", default=",".join(SERVERS))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--duration", type=float, default=5.0)
    ns = ap.parse_args(argv)
    info = machine()
    say(f"servers bench: load {info['loadavg']}")
    rows = []
    ping = Scenario("ceiling", "poll", "GET /ping", "GET", "/ping")
    for rnd in range(ns.rounds):
        for server in ns.servers.split(","):
            row = {"server": server, "round": rnd}
            port = free_port()
            with serve(server, "trivial", port) as p:
                p.wait_http(f"http://127.0.0.1:{port}/ping")
                base = f"http://127.0.0.1:{port}"
                wrklua.run(base, request_of(ping, "/dev/null"), "servers-warmup", 2)
                row["trivial"] = wrk(base, ping, p.pid, ns.duration)
            port = free_port()
            with serve(server, "mock", port) as p:
                p.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
                base = f"http://127.0.0.1:{port}"
                sc = {(s.vendor, s.op): s for s in prepare(base)}
                wrklua.run(base, request_of(sc[("didww", "poll")], "/dev/null"), "servers-warmup", 2)
                row["didww_poll"] = wrk(base, sc[("didww", "poll")], p.pid, ns.duration)
                row["yeti_poll"] = wrk(base, sc[("yeti", "poll")], p.pid, ns.duration)
                if rnd == 0:
                    row["idle_150_health_s"] = idle_check(base, port)
                    row["stalled_12_health_s"] = stalled_check(base, port, sc[("telnyx", "download")])
                    row.update(fault_checks(base, sc[("didww", "poll")], sc[("telnyx", "download")]))
            rows.append(row)
            say(f"  {server:<16} trivial {row['trivial']['rps']:6.0f} req/s p99 {row['trivial']['p99_ms']:5.1f} | "
                f"didww {row['didww_poll']['rps']:6.0f} p99 {row['didww_poll']['p99_ms']:5.1f} "
                f"cpu {row['didww_poll']['cpu_ms']:.2f} | yeti {row['yeti_poll']['rps']:6.0f} "
                f"p99 {row['yeti_poll']['p99_ms']:5.1f} | " +
                " ".join(f"{k}={row[k]}" for k in ("idle_150_health_s", "stalled_12_health_s", "drop", "truncate",
                                                    "clear_faults_s") if k in row))
    result = {"machine": info, "rounds": ns.rounds, "duration_s": ns.duration, "rows": rows,
              "loadavg_end": machine()["loadavg"]}
    write_result("servers", result)
    return result


if __name__ == "__main__":
    main()
