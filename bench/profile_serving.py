"""In-process cost of mockcdr's own server per request, the app apart: µs per request.

    .venv/bin/python bench/profile_serving.py            # a DIDWW-like poll through HttpProtocol
    .venv/bin/python bench/profile_serving.py --profile  # plus cProfile's top functions

One ``HttpProtocol`` (mockcdr/serving/protocol.py) is fed the bytes of a keep-alive GET again and
again, on a fake transport; the worker pool and ``call_soon_threadsafe`` run their work at once on
this thread, and the app is a bare WSGI callable. What it times is the server's own Python:
parsing callbacks, the environ, the response head, the write. What it leaves out is what a real
request adds around it (the kernel's socket work, the loop, the hand-off to a worker thread).
Not part of ``make bench``.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from mockcdr.serving.listeners import Limits
from mockcdr.serving.protocol import HttpProtocol

REQUEST = (b"GET /v3/exports/0b5a4ff8-2ae6-4d0a-8b1b-2a5f3a9c1e11 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
           b"Api-Key: didww-test-globex-51a7c9d2\r\nAccept: application/vnd.api+json\r\n\r\n")


class Transport:
    def __init__(self):
        self.sent = []

    def write(self, data):
        self.sent.append(data)

    def get_extra_info(self, key):
        return {"sockname": ("127.0.0.1", 8080), "peername": ("127.0.0.1", 50000)}.get(key)

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass

    def close(self):
        pass


class Loop:
    time = staticmethod(time.monotonic)

    def call_soon_threadsafe(self, fn, *args):
        fn(*args)

    def call_later(self, *args):
        pass


class AtOnce:
    def submit(self, fn, *args):
        fn(*args)


class Site:
    """What HttpProtocol asks of its listener."""

    def __init__(self, app):
        self.app, self.loop, self.limits = app, Loop(), Limits()
        self.workers = self.streamers = AtOnce()
        self.connections: set = set()
        self.stopping = False
        self.owner = type("Owner", (), {"collector": None})()

    def changed(self):
        pass


def bare_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "11")])
    return [b'{"ok":true}']


def per_request_us(n: int, rounds: int) -> float:
    """This thread's CPU time per request, best of ``rounds`` rounds of ``n`` (the box is shared)."""
    conn, transport = HttpProtocol(Site(bare_app)), Transport()
    conn.connection_made(transport)
    best = float("inf")
    for _ in range(rounds):
        t0 = time.thread_time()
        for _ in range(n):
            conn.data_received(REQUEST)
        best = min(best, (time.thread_time() - t0) / n)
        if len(transport.sent) != n or not transport.sent[-1].startswith(b"HTTP/1.1 200 OK"):
            raise SystemExit(f"unexpected answers: {transport.sent[-1][:200]!r}")
        transport.sent.clear()
    return best * 1e6


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ns = ap.parse_args(argv)
    print(f"server path: {per_request_us(ns.n, ns.rounds):.1f} µs per request (the app apart)")
    if ns.profile:
        prof = cProfile.Profile()
        prof.enable()
        per_request_us(ns.n // 10, 1)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
