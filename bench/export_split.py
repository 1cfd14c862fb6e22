"""Where a first export's CPU goes, per row: drawing the calls, rendering the rows, encoding, deflating.

    cd bench && ../.venv/bin/python export_split.py [--days 6]

For each variant of the export bench, one ``mockcdr generate`` of a day captures the vendor's
``dayrender.Export``; then ``--days`` whole days (20,000 calls a day, from 2025-01-01) are taken
apart in this process, one thread, no cache, each stage timed by CPU time:
``draw`` (the day's calls as columns, ``Universe.columns``), ``render`` (the vendor's
``Export.render`` over batches of them), ``encode`` (the lines joined and encoded, their offsets)
and ``deflate`` (ISA-L, for the compressed formats; in an export it runs on a second thread).
Prints one line per variant: microseconds of CPU per row per stage, and the rows per CPU second
the draw and render alone allow.

``--trees before=DIR,after=DIR --rounds 3``: each variant measured in a child process per source
tree (first on PYTHONPATH), the trees alternated within each round so that a before and an after
meet the same load; each stage's median over the rounds is printed (CPU time per row is steady
on a shared box, its medians side by side are what to compare).
"""
from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta

from common import in_tree, loadavg, median, write_result
from exports import CALLS_PER_DAY, START, VARIANTS

STAGES = ("draw", "render", "encode", "deflate")


def split(variant, days: int) -> dict:
    from mockcdr import cli
    from mockcdr.core import dayrender
    from mockcdr.core.cdrs import EPOCH_DAY
    from mockcdr.core.deflate import segment

    seen = {}
    real = dayrender._Walk.__init__

    def spy(self, rt, ex, *args, **kwargs):
        seen.setdefault("walk", (rt, ex))
        real(self, rt, ex, *args, **kwargs)
    dayrender._Walk.__init__ = spy
    try:
        cli.main(["generate", variant.vendor, "--from", START.isoformat(), "--rows", "10", "--calls-per-day",
                  str(CALLS_PER_DAY), "--render-cache-mb", "0", "-o", "/dev/null"]
                 + variant.generate)
    finally:
        dayrender._Walk.__init__ = real
    rt, ex = seen["walk"]
    universe = rt.universe
    first = (START.date() - EPOCH_DAY).days
    took = dict(draw=0.0, render=0.0, encode=0.0, deflate=0.0)
    rows = 0
    for index in range(first, first + days):
        t = time.process_time()
        calls = universe.columns(ex.tenant, EPOCH_DAY + timedelta(days=index), ex.keep)
        if ex.descending:
            calls = calls.reversed()
        took["draw"] += time.process_time() - t
        parts = []
        for i in range(0, len(calls), dayrender.BATCH):
            t = time.process_time()
            lines, _starts = ex.render(calls.take(i, i + dayrender.BATCH))
            took["render"] += time.process_time() - t
            t = time.process_time()
            data, _offsets = dayrender._encode(lines, ex.encoding)
            took["encode"] += time.process_time() - t
            rows += len(lines)
            parts.append(data)
        if variant.kind != "csv":
            t = time.process_time()
            segment(parts)
            took["deflate"] += time.process_time() - t
    per_row = {k: v / rows * 1e6 for k, v in took.items()}
    return {"vendor": variant.vendor, "label": variant.label, "rows": rows, "us_per_row": per_row,
            "draw_render_rows_per_cpu_s": rows / (took["draw"] + took["render"] + took["encode"])}


def split_variant(index: int, days: int) -> dict:
    """``split`` of VARIANTS[index] (for a child process running another tree)."""
    return split(VARIANTS[index], days)


def side_by_side(trees: list[tuple[str, str | None]], days: int, rounds: int) -> list[dict]:
    """Every variant on every tree, alternated, ``rounds`` times; the median of each stage."""
    runs: dict = {}
    for r in range(rounds):
        for i, v in enumerate(VARIANTS):
            for label, path in trees:
                got = in_tree("export_split", f"b.split_variant({i}, {days})", path)
                runs.setdefault((i, label), []).append(got)
        print(f"round {r + 1} of {rounds} done, load {loadavg()}", flush=True)
    out = []
    for i, v in enumerate(VARIANTS):
        for label, _path in trees:
            got = runs[(i, label)]
            per_row = {k: median([g["us_per_row"][k] for g in got]) for k in STAGES}
            total = per_row["draw"] + per_row["render"] + per_row["encode"]
            out.append({"tree": label, "vendor": v.vendor, "label": v.label, "rows": got[0]["rows"],
                        "us_per_row": per_row, "draw_render_rows_per_cpu_s": 1e6 / total, "rounds": len(got)})
            print(f"{label:<8}{v.vendor:<8}{v.label:<15}draw {per_row['draw']:.2f}  render {per_row['render']:.2f}  "
                  f"encode {per_row['encode']:.2f}  deflate {per_row['deflate']:.2f} µs/row (medians of {len(got)});  "
                  f"draw+render+encode: {1e6 / total:,.0f} rows per CPU s", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=6)
    ap.add_argument("--trees", default="", help="label=DIR,... source trees to measure side by side")
    ap.add_argument("--rounds", type=int, default=3, help="with --trees: rounds (medians are printed)")
    ns = ap.parse_args()
    if ns.trees:
        trees = [tuple(t.split("=", 1)) for t in ns.trees.split(",") if t]
        trees = [(label, path or None) for label, path in trees]
        load0 = loadavg()
        out = side_by_side(trees, ns.days, ns.rounds)
        write_result("export-split", {"trees": dict(trees), "days": ns.days, "rounds": ns.rounds,
                                      "loadavg": [load0, loadavg()], "rows": out})
        return
    out = []
    for v in VARIANTS:
        r = split(v, ns.days)
        out.append(r)
        u = r["us_per_row"]
        print(f"{v.vendor:<8}{v.label:<15}{r['rows']:>8} rows  draw {u['draw']:.2f}  render {u['render']:.2f}  "
              f"encode {u['encode']:.2f}  deflate {u['deflate']:.2f} µs/row;  draw+render+encode: "
              f"{r['draw_render_rows_per_cpu_s']:,.0f} rows per CPU s", flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
