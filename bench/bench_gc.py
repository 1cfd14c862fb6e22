"""Full garbage collections while a server fills up with jobs: their pauses, and the tail they give polls.

    cd bench && ../.venv/bin/python bench_gc.py [--rounds 2] [--duration 6]

Each round starts a fresh ``mockcdr serve`` per variant (alternated): ``collector``, the server
as it is (serving/collector.py: survivors of each full collection frozen, sweeps when idle), and
``startfreeze``, the server before it (one ``gc.freeze()`` at start). In each, wrk creates jobs
(DIDWW, Telnyx, Yeti creates, ``--duration`` seconds each: tens of thousands of jobs), then
measures the MOR, DIDWW and Yeti status polls with all of them held (p99, the issue's <= 15 ms).
Every full collection is timed in the server (``serve_variant.py gcstats=``: thread CPU time).
Part of ``make bench`` (``run_all.py --only gc``); results in bench/out/gc.json, read by report_gc.py.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import requests

import report_gc
from bench_http import measure
from common import BENCH, CLOCK, OUT, Proc, free_port, machine, say, write_result
from scenarios import prepare

CREATES = (("didww", "create"), ("telnyx", "create"), ("yeti", "create"))
POLLS = (("mor", "poll"), ("didww", "poll"), ("yeti", "poll"))


def server(port: int, variant: str, stats: str) -> Proc:
    knobs = [f"gcstats={stats}"] + (["gc=startfreeze"] if variant == "startfreeze" else [])
    argv = [sys.executable, str(BENCH / "serve_variant.py"), *knobs, "--", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--clock-start", CLOCK]
    return Proc(argv, env={"MOCKCDR_VALIDATE_RESPONSES": "0", "MOCKCDR_CLOCK_FROZEN": "1"},
                log=str(OUT / f"gc-{variant}.log"))


def one(variant: str, duration: float) -> dict:
    port, stats = free_port(), str(OUT / f"gc-{variant}.json")
    if os.path.exists(stats):
        os.remove(stats)
    proc = server(port, variant, stats)
    with proc:
        base = f"http://127.0.0.1:{port}"
        proc.wait_http(f"{base}/_mockcdr/health")
        scenarios = {(s.vendor, s.op): s for s in prepare(base)}
        for key in CREATES:
            measure(base, scenarios[key], os.devnull, f"{variant} {' '.join(key)}", duration, False, proc.pid)
        held = requests.get(f"{base}/_mockcdr/jobs", params={"limit": 1}, timeout=60)
        total_jobs = int(held.headers.get("X-Total-Count", "0"))
        polls = {}
        for key in POLLS:
            polls[" ".join(key)] = measure(base, scenarios[key], os.devnull, f"{variant} {' '.join(key)}",
                                           duration, False, proc.pid)
        proc.stop()
    time.sleep(0.5)
    with open(stats) as f:
        gcs = json.load(f)
    full = [ms for ms, _collected, _n in gcs.get("full", [])]
    return {"variant": variant, "jobs_held": total_jobs, "full_collections": len(full),
            "full_max_ms": max(full, default=0.0), "full_total_ms": sum(full),
            "full_pauses_ms": [round(x, 1) for x in full],
            "polls": {k: {"rps": v["rps"], "p99_ms": v["p99_ms"], "max_ms": v.get("max_ms"),
                          "cpu_ms": v["server_cpu_ms_per_request"]}
                      for k, v in polls.items()}}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--duration", type=float, default=6.0)
    ns = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    say(f"gc bench: load {info['loadavg']}")
    runs = []
    for r in range(ns.rounds):
        for variant in (("startfreeze", "collector") if r % 2 == 0 else ("collector", "startfreeze")):
            runs.append(one(variant, ns.duration))
    summary = {"machine": info, "duration_s": ns.duration, "rounds": ns.rounds, "runs": runs,
               "loadavg_end": machine()["loadavg"]}
    write_result("gc", summary)
    print("\n".join(report_gc.section(summary)))
    return summary


if __name__ == "__main__":
    main()
