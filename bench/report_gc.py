"""The garbage-collection part of bench/RESULTS.md (from bench/out/gc.json, written by bench_gc.py)."""
from __future__ import annotations

import statistics

VARIANTS = (("startfreeze", "before: one freeze at start"), ("collector", "now: serving/collector.py"))
VENDORS = {"didww": "DIDWW", "telnyx": "Telnyx", "yeti": "Yeti", "mor": "MOR", "yeastar": "Yeastar"}


def section(g: dict) -> list[str]:
    polls = list(g["runs"][0]["polls"]) if g["runs"] else []        # "mor poll", "didww poll", ...
    names = [VENDORS[p.split()[0]] for p in polls]
    out = [f"`bench/bench_gc.py --rounds {g['rounds']} --duration {g['duration_s']:g}`: per variant and round a "
           f"fresh `mockcdr serve`, the variants alternated; wrk (-t2 -c16) creates DIDWW, Telnyx and Yeti "
           f"exports for {g['duration_s']:g} s each, then the {', '.join(names)} status polls run with every job "
           f"held. Each full collection timed in the server (thread CPU time, `serve_variant.py gcstats=`). "
           f"Load average at start {g['machine']['loadavg']}, at end {g['loadavg_end']}.", "",
           "| server | jobs held | full collections | longest pause ms | pauses in all, ms |"
           + "".join(f" {n} poll p99 ms |" for n in names),
           "| --- | ---: | --- | --- | --- |" + " --- |" * len(names)]
    for variant, label in VARIANTS:
        mine = [x for x in g["runs"] if x["variant"] == variant]
        if not mine:
            continue

        def each(fmt, get, runs=mine):
            return ", ".join(fmt.format(get(x)) for x in runs)
        out.append(f"| {label} | {statistics.median(x['jobs_held'] for x in mine):,.0f} | "
                   f"{each('{}', lambda x: x['full_collections'])} | {each('{:.0f}', lambda x: x['full_max_ms'])} | "
                   f"{each('{:.0f}', lambda x: x['full_total_ms'])} |"
                   + "".join(f" {each('{:.1f}', lambda x, p=p: x['polls'][p]['p99_ms'])} |" for p in polls))
    out += ["", "Each cell lists the rounds in order. Pauses of every full collection in the runs, ms:"]
    for variant, label in VARIANTS:
        for i, x in enumerate(r for r in g["runs"] if r["variant"] == variant):
            out.append(f"- {variant} round {i + 1}: {', '.join(f'{p:g}' for p in x['full_pauses_ms'])}")
    return out
