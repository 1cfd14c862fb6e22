"""HTTP throughput and latency: each vendor's poll, create and small download, against our ceiling, Prism and WireMock.

One run, interleaved so that each ratio compares neighbours in time on this shared box: the
trivial Flask endpoint on waitress (the ceiling, at the start and before each vendor), mockcdr's
health endpoint, then per vendor and operation mockcdr and Prism mocking the same spec; with
``--before TREE`` each vendor's poll also on another version of mockcdr (a ``git archive``),
right after this one's; WireMock (a static stub of the same DIDWW body, journal on, warmed up)
right after the DIDWW poll, and beside it the floor of any Flask request on mockcdr's server (the
trivial Flask endpoint served by it, ``serve_with.py mockcdr trivial``). A vendor's poll and its
neighbours (the ceiling, ``before``, WireMock, the floor, Prism) are measured ``--rounds`` times
in turn, each round starting one further along their list, with every server idle again before
the next run (a JVM or Node collecting after its run took CPU from whatever came next), and each
row holds the medians of its rounds (the rounds are kept in the row): a single 10 s run of either
side moves with the box by more than the 1.2x a target asks for. WireMock's journal is emptied before each of its runs, as mockcdr's is.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time

import requests

import wiremock
import wrklua
from common import (BENCH, OUT, ROOT, Proc, cpu_seconds, free_port, hwm_mb, machine, median, mock_server, rss_mb,
                    say, write_result)
from scenarios import Scenario, prepare, verify

PRISM = BENCH / "node_modules" / ".bin" / "prism"
ORDER = ("didww", "telnyx", "yeti", "mor", "yeastar")
OPS = {"yeastar": ("poll", "create", "download")}     # randoms come from the create run
DEFAULT_OPS = ("poll", "download", "create")           # creates last: they add jobs


def prism_server(spec: str, port: int) -> Proc:
    """Prism mocking a vendor spec, its logging quiet (``-v silent``)."""
    return Proc([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), "-v", "silent",
                 str(ROOT / "openapi" / f"{spec}.yaml")], log=str(OUT / f"prism-{spec}.log"))


def wait_any(proc: Proc, url: str, timeout: float = 90.0) -> float:
    """Seconds until ``url`` answers at all (Prism has no health endpoint)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"Prism exited: {proc.tail()}")
        try:
            requests.get(url, timeout=2)
            return time.perf_counter() - proc.started
        except requests.RequestException:
            time.sleep(0.1)
    raise TimeoutError(f"Prism did not answer within {timeout} s")


def request_of(sc: Scenario, randoms: str, prism: bool = False) -> wrklua.Request:
    path = sc.prism_path if prism else sc.path
    if sc.vendor == "yeastar" and sc.op == "create":
        return wrklua.Request(sc.method, path, sc.headers, sc.body, harvest=randoms)
    return wrklua.Request(sc.method, path, sc.headers, sc.body, randoms=randoms if sc.randoms else None)


def measure(base: str, sc: Scenario, randoms: str, label: str, duration: float, journal: bool,
            pid: int, prism: bool = False) -> dict:
    """One wrk run; also the server's CPU time per request (steadier than req/s on a shared box)."""
    if journal:
        requests.delete(f"{base}/_mockcdr/journal", timeout=30)
    cpu = cpu_seconds(pid)
    result = wrklua.run(base, request_of(sc, randoms, prism), label, duration)
    result["server_cpu_ms_per_request"] = (cpu_seconds(pid) - cpu) * 1000 / max(result["requests"], 1)
    if journal:
        result["journal_check"] = verify(base, sc)
    say(f"  {label:<24} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms"
        f"  cpu {result['server_cpu_ms_per_request']:.2f} ms/req  non-2xx {result['non_2xx']}")
    return result


def wiremock_run(wbase: str, sc: Scenario, randoms: str, duration: float, pid: int) -> dict:
    """WireMock serving the DIDWW poll's stub, its journal emptied first (as mockcdr's is)."""
    wiremock.reset_journal(wbase)
    row = measure(wbase, sc, randoms, "wiremock didww poll", duration, False, pid)
    row["journal_entries"] = wiremock.journal_count(wbase)
    return row


def settle(pids: list[int], quiet: float = 0.05, window: float = 0.5, most: float = 15.0) -> float:
    """Wait until every server is idle (under ``quiet`` of a core over ``window`` s: a JVM or Node
    collecting garbage after its run would take CPU from the next measurement); at most ``most``
    seconds. Returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < most:
        before = [cpu_seconds(p) for p in pids]
        time.sleep(window)
        if all(cpu_seconds(p) - b < quiet * window for p, b in zip(pids, before)):
            break
    return time.perf_counter() - started


def medians(runs: list[dict]) -> dict:
    """One row for several rounds of the same measurement: the median round (by req/s) with each
    rate, latency and CPU figure replaced by its median over the rounds, and the rounds listed."""
    if len(runs) == 1:
        return runs[0]
    out = dict(sorted(runs, key=lambda r: r["rps"])[len(runs) // 2])
    for key in ("rps", "p50_ms", "p90_ms", "p99_ms", "mean_ms", "server_cpu_ms_per_request"):
        out[key] = median([r[key] for r in runs])
    out["rounds"] = [{k: r[k] for k in ("rps", "p99_ms", "server_cpu_ms_per_request")} for r in runs]
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--duration", type=float, default=wrklua.DURATION)
    ap.add_argument("--vendors", default=",".join(ORDER))
    ap.add_argument("--no-prism", action="store_true")
    ap.add_argument("--no-wiremock", action="store_true")
    ap.add_argument("--before", metavar="TREE", help="source tree of the version to compare with (git archive)")
    ap.add_argument("--before-label", default="before", help="what to call it in RESULTS.md")
    ap.add_argument("--name", default="http", help="result file: bench/out/<name>.json (report.py reads http)")
    ap.add_argument("--ops", default="", help="only these operations, e.g. poll or poll,create (default: all)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="rounds of each vendor's poll with its neighbours (ceiling, before, WireMock, Prism), "
                         "alternated; rows hold their medians (default 3)")
    ns = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    vendors = [v for v in ns.vendors.split(",") if v]
    randoms = str(OUT / "yeastar-randoms.txt")
    if os.path.exists(randoms):
        os.remove(randoms)
    info = machine()
    say(f"http bench: load {info['loadavg']}")
    use_wiremock = not ns.no_wiremock and wiremock.jar() is not None and "didww" in vendors
    result = {"machine": info, "wrk": {"threads": wrklua.THREADS, "connections": wrklua.CONNECTIONS,
                                       "duration_s": ns.duration, "warmup_s": wrklua.WARMUP},
              "prism_version": "", "wiremock_version": wiremock.version() if use_wiremock else "",
              "before": ns.before_label if ns.before else None, "rows": []}
    mport, tport, bport, wport, fport = free_port(), free_port(), free_port(), free_port(), free_port()
    with contextlib.ExitStack() as stack:
        mock = stack.enter_context(mock_server(mport, log=str(OUT / "http-mock.log")))
        trivial = stack.enter_context(Proc([sys.executable, str(BENCH / "trivial_app.py"), str(tport)],
                                           log=str(OUT / "trivial.log")))
        before = stack.enter_context(mock_server(bport, log=str(OUT / "http-before.log"), tree=ns.before)) \
            if ns.before else None
        wm = stack.enter_context(wiremock.server(wport)) if use_wiremock else None
        # beside WireMock, the floor of any request on mockcdr's server: the trivial Flask endpoint
        floor = stack.enter_context(Proc([sys.executable, str(BENCH / "serve_with.py"), "mockcdr", "trivial",
                                          str(fport)], log=str(OUT / "floor.log"))) if use_wiremock else None
        mock.wait_http(f"http://127.0.0.1:{mport}/_mockcdr/health")
        trivial.wait_http(f"http://127.0.0.1:{tport}/ping")
        base, ceiling = f"http://127.0.0.1:{mport}", f"http://127.0.0.1:{tport}"
        scenarios = {(s.vendor, s.op): s for s in prepare(base)}
        old = {}
        if before is not None:
            before.wait_http(f"http://127.0.0.1:{bport}/_mockcdr/health")
            old = {(s.vendor, s.op): s for s in prepare(f"http://127.0.0.1:{bport}")}
        ping = Scenario("ceiling", "poll", "GET /ping: Flask, waitress, nothing else", "GET", "/ping")
        health = Scenario("mockcdr", "poll", "GET /_mockcdr/health (the app's hooks, no vendor)", "GET",
                          "/_mockcdr/health")
        wrklua.run(ceiling, request_of(ping, randoms), "warmup-ceiling", wrklua.WARMUP)
        wrklua.run(base, request_of(scenarios[("didww", "poll")], randoms), "warmup-mock", wrklua.WARMUP)
        if before is not None:
            wrklua.run(f"http://127.0.0.1:{bport}", request_of(old[("didww", "poll")], randoms), "warmup-before",
                       wrklua.WARMUP)
        wbase = f"http://127.0.0.1:{wport}"
        if wm is not None:
            sc = scenarios[("didww", "poll")]
            got = requests.get(base + sc.path, headers=sc.headers, timeout=30)
            wiremock.stub(wbase, "GET", sc.path, got.status_code, got.text, got.headers["Content-Type"])
            say(f"WireMock answers {time.perf_counter() - wm.started:.1f} s after its start")
            wrklua.run(wbase, request_of(sc, randoms), "warmup-wiremock", 4 * wrklua.WARMUP)   # the JIT
            floor.wait_http(f"http://127.0.0.1:{fport}/ping")
            wrklua.run(f"http://127.0.0.1:{fport}", request_of(ping, randoms), "warmup-floor", wrklua.WARMUP)
        rows = result["rows"]
        rows.append(dict(target="ceiling", vendor="ceiling", op="poll", what=ping.what, round="start",
                         **measure(ceiling, ping, randoms, "ceiling", ns.duration, False, trivial.pid)))
        rows.append(dict(target="mock", vendor="mockcdr", op="health", what=health.what,
                         **measure(base, health, randoms, "mock health", ns.duration, False, mock.pid)))
        for vendor in vendors:
            prism = None
            pport = free_port()
            try:
                if not ns.no_prism:
                    prism = prism_server(vendor, pport)
                    first = scenarios[(vendor, "poll")]
                    up = wait_any(prism, f"http://127.0.0.1:{pport}{first.prism_path}")
                    say(f"{vendor}: Prism answers {up:.1f} s after its start")
                    wrklua.run(f"http://127.0.0.1:{pport}", request_of(first, randoms, True),
                               f"warmup-prism-{vendor}", wrklua.WARMUP)
                ops = [op for op in OPS.get(vendor, DEFAULT_OPS) if not ns.ops or op in ns.ops.split(",")]
                # the ceiling again beside this vendor's poll: the ratio compares neighbours in time;
                # the poll and its neighbours are measured in alternated rounds and their medians kept
                runs: dict[str, list[dict]] = {}
                sc = scenarios[(vendor, "poll")]
                order = [("ceiling", lambda: measure(ceiling, ping, randoms, "ceiling", ns.duration, False,
                                                     trivial.pid))]
                if "poll" in ops:
                    order.append(("mock", lambda: measure(base, sc, randoms, f"mock {vendor} poll", ns.duration,
                                                          True, mock.pid)))
                    if before is not None:
                        order.append(("before", lambda: measure(
                            f"http://127.0.0.1:{bport}", old[(vendor, "poll")], randoms,
                            f"{ns.before_label} {vendor} poll", ns.duration, True, before.pid)))
                    if vendor == "didww" and wm is not None:
                        order.append(("wiremock", lambda: wiremock_run(wbase, sc, randoms, ns.duration, wm.pid)))
                        order.append(("floor", lambda: measure(f"http://127.0.0.1:{fport}", ping, randoms, "floor",
                                                               ns.duration, False, floor.pid)))
                    if prism is not None and sc.prism:
                        order.append(("prism", lambda: measure(
                            f"http://127.0.0.1:{pport}", sc, randoms, f"prism {vendor} poll", ns.duration, False,
                            prism.pid, prism=True)))
                for r in range(ns.rounds if "poll" in ops else 1):
                    # each round starts one further along the list, so no server always follows the
                    # same neighbour (a JVM or Node still collecting after its run slows what follows)
                    for target, run in order[r % len(order):] + order[:r % len(order)]:
                        runs.setdefault(target, []).append(run())
                        settle([p.pid for p in (mock, trivial, before, wm, floor, prism) if p is not None])
                rows.append(dict(target="ceiling", vendor="ceiling", op="poll", what=ping.what, round=vendor,
                                 **medians(runs.pop("ceiling"))))
                for target, got in runs.items():
                    what = ping.what.replace("waitress", "mockcdr's server") if target == "floor" else sc.what
                    rows.append(dict(target=target, vendor=vendor, op="poll", what=what, **medians(got)))
                for op in ops:
                    if op == "poll":
                        continue
                    sc = scenarios[(vendor, op)]
                    rows.append(dict(target="mock", vendor=vendor, op=op, what=sc.what,
                                     **measure(base, sc, randoms, f"mock {vendor} {op}", ns.duration, True,
                                                mock.pid)))
                    if vendor == "yeastar" and op == "create":   # top up: one random per download
                        wrklua.run(base, request_of(sc, randoms), "yeastar-harvest", ns.duration)
                    if prism is not None and sc.prism:
                        rows.append(dict(target="prism", vendor=vendor, op=op, what=sc.what, **measure(
                            f"http://127.0.0.1:{pport}", sc, os.devnull if sc.op == "create" else randoms,
                            f"prism {vendor} {op}", ns.duration, False, prism.pid, prism=True)))
            finally:
                if prism is not None:
                    prism.stop()
        result["mock_rss_mb_end"] = rss_mb(mock.pid)
        result["mock_hwm_mb_end"] = hwm_mb(mock.pid)
        result["trivial_rss_mb_end"] = rss_mb(trivial.pid)
        if before is not None:
            result["before_rss_mb_end"] = rss_mb(before.pid)
        if wm is not None:
            result["wiremock_rss_mb_end"] = rss_mb(wm.pid)
    if not ns.no_prism:
        result["prism_version"] = subprocess.run([str(PRISM), "--version"], capture_output=True,
                                                 text=True).stdout.strip()
    result["loadavg_end"] = machine()["loadavg"]
    write_result(ns.name, result)
    return result


if __name__ == "__main__":
    main()
