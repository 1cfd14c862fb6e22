"""In-process cost of one request through the WSGI app alone (no sockets, no waitress): µs per call.

    .venv/bin/python bench/profile_wsgi.py                 # every vendor's poll and create, and the trivial app
    .venv/bin/python bench/profile_wsgi.py yeti poll --profile   # plus cProfile's top functions

A steadier lens than wrk on a shared box for what each request pays beyond Flask: the scenarios
of bench_http.py are prepared over HTTP on an in-process LiveServer, then their WSGI environs are
replayed straight into the app on this thread, timed in thread CPU time. Not part of ``make bench``.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from urllib.parse import urlsplit

from werkzeug.test import EnvironBuilder

from common import CLOCK, OUT
from scenarios import Scenario, prepare
from trivial_app import app as trivial_app

from mockcdr.app import create_app
from mockcdr.server import wrap
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer


def environ_of(sc: Scenario) -> dict:
    parts = urlsplit(sc.path)
    return EnvironBuilder(path=parts.path, query_string=parts.query, method=sc.method, headers=sc.headers,
                          data=sc.body or None, base_url="http://127.0.0.1:8080").get_environ()


def call(app, environ: dict) -> tuple[str, bytes]:
    env = dict(environ)
    env["wsgi.input"] = io.BytesIO(environ["_body"])
    seen = []
    body = b"".join(app(env, lambda status, headers, exc=None: seen.append(status)))
    return seen[0], body


def per_call_us(app, environ: dict, n: int, rounds: int = 5) -> float:
    """This thread's CPU time per call, best of ``rounds`` rounds of ``n`` calls (the box is shared)."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.thread_time()
        for _ in range(n):
            call(app, environ)
        best = min(best, (time.thread_time() - t0) / n)
    return best * 1e6


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vendor", nargs="?")
    ap.add_argument("op", nargs="?", default="poll")
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--sort", default="tottime")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=5)
    ns = ap.parse_args(argv)
    settings = Settings(clock_start=CLOCK, clock_frozen=True, validate_responses=False, journal_size=1000)
    with LiveServer(settings) as live:
        scenarios = [s for s in prepare(live.url) if s.op in ("poll", "create") and s.vendor != "mor" or
                     s.vendor == "mor" and s.op == "poll"]
    # the server stops (its threads would share the GIL with the timing); requests behave as when
    # served, where the background ticker runs the deliveries
    live.runtime.ticker_running = True
    app = wrap(create_app(runtime=live.runtime))
    ping = Scenario("ceiling", "poll", "", "GET", "/ping")
    health = Scenario("mockcdr", "health", "", "GET", "/_mockcdr/health")
    todo = [(ping, trivial_app()), (health, app)] + [(s, app) for s in scenarios]
    if ns.vendor:
        todo = [(s, a) for s, a in todo if s.vendor == ns.vendor and s.op == ns.op]
    for sc, wsgi in todo:
        env = environ_of(sc)
        env["_body"] = env["wsgi.input"].read()
        status, body = call(wsgi, env)
        if not status.startswith("2"):
            raise SystemExit(f"{sc.vendor} {sc.op}: {status} {body[:300]!r}")
        us = per_call_us(wsgi, env, ns.n, ns.rounds)
        print(f"{sc.vendor:8} {sc.op:7} {us:8.1f} µs/call  {status}  {len(body)} bytes", flush=True)
        if ns.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(ns.n):
                call(wsgi, env)
            prof.disable()
            out = io.StringIO()
            prof.dump_stats(str(OUT / "profile_wsgi.prof"))
            pstats.Stats(prof, stream=out).sort_stats(ns.sort).print_stats(ns.top)
            print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
