"""Where a poll's tail comes from: variants of ``mockcdr serve`` side by side, each vendor's poll under wrk.

    .venv/bin/python bench/ab_tail.py --variant base= --variant freeze=gc=freeze \
        --variant t4=--threads=4 --rounds 3 --duration 5

A variant is ``NAME=KNOBS``: comma-separated ``gc=...``/``switch=...`` for bench/serve_variant.py
and ``--flag=value`` for ``mockcdr serve``. Every variant runs at once (one server each, all idle
but the measured one); rounds interleave them so neighbours in time are compared. Reports req/s,
p50, p99, max and server CPU ms per request, medians over the rounds. Not part of ``make bench``.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys

import wrklua
from common import BENCH, CLOCK, OUT, Proc, cpu_seconds, free_port, machine, say, write_result
from scenarios import prepare

VENDORS = ("didww", "telnyx", "yeti", "mor", "yeastar")


def server(name: str, knobs: str, port: int) -> Proc:
    runner, flags = [], []
    for knob in filter(None, knobs.split(",")):
        (flags if knob.startswith("--") else runner).append(knob)
    flags = [part for flag in flags for part in flag.split("=", 1)]
    argv = [sys.executable, str(BENCH / "serve_variant.py"), *runner, "--", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--clock-start", CLOCK, *flags]
    return Proc(argv, env={"MOCKCDR_VALIDATE_RESPONSES": "0", "MOCKCDR_CLOCK_FROZEN": "1"},
                log=str(OUT / f"ab-tail-{name}.log"))


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", action="append", required=True)
    ap.add_argument("--vendors", default=",".join(VENDORS))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--name", default="ab-tail")
    ns = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    variants = [v.split("=", 1) for v in ns.variant]
    vendors = ns.vendors.split(",")
    info = machine()
    say(f"ab_tail: load {info['loadavg']}")
    rows: dict = {(n, v): [] for n, _ in variants for v in vendors}
    with contextlib.ExitStack() as stack:
        procs = {}
        for name, knobs in variants:
            port = free_port()
            procs[name] = (stack.enter_context(server(name, knobs, port)), f"http://127.0.0.1:{port}")
        scenarios = {}
        for name, (proc, base) in procs.items():
            proc.wait_http(base + "/_mockcdr/health")
            scenarios[name] = {s.vendor: s for s in prepare(base) if s.op == "poll"}
            wrklua.run(base, _req(scenarios[name]["didww"]), f"ab-warm-{name}", 3)
        for r in range(ns.rounds):
            for vendor in vendors:
                order = variants if r % 2 == 0 else variants[::-1]
                for name, _ in order:
                    proc, base = procs[name]
                    cpu = cpu_seconds(proc.pid)
                    res = wrklua.run(base, _req(scenarios[name][vendor]), f"ab-{name}-{vendor}", ns.duration)
                    res["cpu_ms"] = (cpu_seconds(proc.pid) - cpu) * 1000 / max(res["requests"], 1)
                    rows[(name, vendor)].append(res)
                    say(f"  r{r + 1} {vendor:8} {name:12} {res['rps']:7.0f} req/s p50 {res['p50_ms']:5.2f} "
                        f"p99 {res['p99_ms']:6.2f} max {res['max_ms']:6.1f} cpu {res['cpu_ms']:.3f} "
                        f"non-2xx {res['non_2xx']}")
    med = lambda rs, k: statistics.median(x[k] for x in rs)  # noqa: E731
    summary = {"machine": info, "loadavg_end": machine()["loadavg"], "variants": dict(variants),
               "rounds": ns.rounds, "duration_s": ns.duration,
               "rows": [{"variant": n, "vendor": v, **{k: med(rs, k) for k in
                                                        ("rps", "p50_ms", "p99_ms", "max_ms", "cpu_ms")},
                         "p99_each": [x["p99_ms"] for x in rs]} for (n, v), rs in rows.items()]}
    print(f"| vendor | variant | req/s | p50 ms | p99 ms (each round) | max ms | cpu ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for row in sorted(summary["rows"], key=lambda x: (vendors.index(x["vendor"]), x["variant"])):
        each = ", ".join(f"{p:.1f}" for p in row["p99_each"])
        print(f"| {row['vendor']} | {row['variant']} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | "
              f"{row['p99_ms']:.1f} ({each}) | {row['max_ms']:.1f} | {row['cpu_ms']:.3f} |")
    print(f"load average {info['loadavg']} -> {summary['loadavg_end']}")
    write_result(ns.name, summary)
    return summary


def _req(sc):
    return wrklua.Request(sc.method, sc.path, sc.headers, sc.body)


if __name__ == "__main__":
    main()
