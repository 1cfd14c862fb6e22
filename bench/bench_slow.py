"""Slow clients: how long health and a vendor poll wait while other clients sit idle, stop reading, or drip headers.

For each server (this tree, and ``--before TREE`` for another version) and each scenario, a fresh
``mockcdr serve`` on 127.0.0.1 (a Telnyx day of ``--calls-per-day`` calls is a CSV of tens of MiB),
then the bad clients, then ``--probes`` rounds of a fresh connection's GET /_mockcdr/health and a
DIDWW status poll, each given ``--timeout`` seconds. Scenarios: 500 idle sockets (connected, nothing
sent); 50 Telnyx report downloads whose clients never read; 50 clients sending a request head one
byte a second; and all three at once. Every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import socket
import threading
import time

import requests

from common import OUT, free_port, machine, median, mock_server, say, write_result
from scenarios import prepare

SCENARIOS = ("idle", "stalled", "slow_headers", "all")


class BadClients:
    """The sockets of one scenario; ``close()`` ends them all."""

    def __init__(self, port: int, idle: int, stalled: int, slow: int, download: str, headers: dict):
        self.socks: list[socket.socket] = []
        self.stop = threading.Event()
        self.errors = 0
        for _ in range(idle):
            self.socks.append(self._connect(port))
        request = f"GET {download} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        for _ in range(stalled):
            s = self._connect(port, rcvbuf=4096)
            if s is not None:
                try:
                    s.sendall(request.encode())
                except OSError:
                    self.errors += 1
                self.socks.append(s)
        self.slow = [s for s in (self._connect(port) for _ in range(slow)) if s is not None]
        self.socks += self.slow
        self.dripper = threading.Thread(target=self._drip, daemon=True)
        self.dripper.start()

    def _connect(self, port: int, rcvbuf: int | None = None):
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            self.errors += 1
            s.close()
            return None
        return s

    def _drip(self) -> None:
        head = b"GET /_mockcdr/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
        for i in range(len(head)):           # never completes the head; a byte a second each
            for s in self.slow:
                try:
                    s.send(head[i:i + 1])
                except OSError:
                    pass
            if self.stop.wait(1.0):
                return

    def close(self) -> None:
        self.stop.set()
        self.dripper.join(5)
        for s in self.socks:
            s.close()


def probe(base: str, poll, timeout: float) -> dict:
    out = {}
    for name, method, url, headers in (("health", "GET", f"{base}/_mockcdr/health", {}),
                                       ("poll", poll.method, base + poll.path, poll.headers)):
        t0 = time.perf_counter()
        try:
            with requests.Session() as s:
                ok = s.request(method, url, headers=headers, timeout=timeout).status_code == 200
            out[name] = time.perf_counter() - t0 if ok else None
        except requests.RequestException:
            out[name] = None        # no answer within the timeout
    return out


def run(label: str, tree: str | None, scenario: str, ns) -> dict:
    port = free_port()
    counts = {"idle": (500, 0, 0), "stalled": (0, 50, 0), "slow_headers": (0, 0, 50), "all": (500, 50, 50)}[scenario]
    with mock_server(port, "--calls-per-day", str(ns.calls_per_day), tree=tree,
                     log=str(OUT / f"slow-{label}-{scenario}.log")) as server:
        server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        base = f"http://127.0.0.1:{port}"
        sc = {(s.vendor, s.op): s for s in prepare(base)}
        poll, download = sc[("didww", "poll")], sc[("telnyx", "download")]
        quiet = probe(base, poll, ns.timeout)
        clients = BadClients(port, *counts, download.path, download.headers)
        try:
            time.sleep(ns.settle)
            probes = []
            for _ in range(ns.probes):
                probes.append(probe(base, poll, ns.timeout))
                time.sleep(0.5)
        finally:
            clients.close()
        after = probe(base, poll, ns.timeout * 3)    # does it recover once they are gone?
    row = {"server": label, "scenario": scenario, "idle": counts[0], "stalled": counts[1], "slow": counts[2],
           "quiet": quiet, "probes": probes, "recovered": after, "connect_errors": clients.errors}
    for name in ("health", "poll"):
        got = [p[name] for p in probes]
        answered = [x for x in got if x is not None]
        row[f"{name}_answered"] = len(answered)
        row[f"{name}_median_s"] = median(answered) if answered else None
        row[f"{name}_max_s"] = max(answered) if answered else None
    say(f"  {label:<8} {scenario:<12} health {row['health_answered']}/{ns.probes} answered "
        f"(max {row['health_max_s'] or float('nan'):.3f} s), poll {row['poll_answered']}/{ns.probes} "
        f"(max {row['poll_max_s'] or float('nan'):.3f} s); after they leave: {after}")
    return row


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--before", metavar="TREE", help="source tree of the version to compare with")
    ap.add_argument("--before-label", default="before")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--probes", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--settle", type=float, default=2.0, help="seconds between the bad clients and the probes")
    ap.add_argument("--calls-per-day", type=int, default=150_000)   # a Telnyx day: ~18 MiB, over waitress's 16 MiB buffer
    ns = ap.parse_args(argv)
    info = machine()
    say(f"slow-client bench: load {info['loadavg']}")
    servers = [("after", None)] + ([(ns.before_label, ns.before)] if ns.before else [])
    rows = []
    for scenario in ns.scenarios.split(","):
        for label, tree in servers:
            rows.append(run(label, tree, scenario, ns))
    result = {"machine": info, "probes": ns.probes, "timeout_s": ns.timeout, "settle_s": ns.settle,
              "calls_per_day": ns.calls_per_day, "before": ns.before_label if ns.before else None, "rows": rows,
              "loadavg_end": machine()["loadavg"]}
    write_result("slow", result)
    return result


if __name__ == "__main__":
    main()
