"""Before/after export speed in one sitting: ``mockcdr generate`` of two source trees, interleaved.

    git archive <rev> | tar -x -C /tmp/base
    .venv/bin/python bench/ab_export.py --base /tmp/base [--rows 100000] [--reps 5] [--vendors yeti,mor]
    .venv/bin/python bench/ab_export.py --base /tmp/base --check     # same bytes, more parameters

Each variant of exports.py runs ``reps`` times per tree (base, then this tree, alternating), through
gen_probe.py with the tree first on PYTHONPATH. Prints medians: rows/s of the whole command and of
the generation alone (the command less imports and runtime build). ``--check`` instead writes the
files of both trees for the bench variants and extra parameter sets and compares them (gzip and tgz
compared decompressed when ``--decompressed``, since the deflate level is not part of a CSV's bytes).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from common import BENCH, CLOCK, ROOT, loadavg
from exports import START, VARIANTS, Variant, config_file

# extra parameter sets for --check: other layouts, zones and time formats of every vendor
EXTRA = [
    ("didww", ["--tenant", "globex", "--format", "cdr_out"]),
    ("didww", ["--tenant", "globex", "--format", "2021-12-15"]),
    ("didww", ["--tenant", "globex", "--format", "2022-05-10", "--param", "export_type=cdr_out"]),
    ("telnyx", ["--tenant", "acme", "--param", "timezone=America/New_York"]),
    ("telnyx", ["--tenant", "acme", "--param", "timezone=Asia/Kolkata", "--param", "fields=cost,start_timestamp"]),
    ("yeti", ["--tenant", "acme-api", "--format", "round_to_seconds"]),
    ("yeti", ["--tenant", "acme-api", "--format", "with_timezone", "--param", "time_zone_name=Asia/Kolkata"]),
    ("yeti", ["--tenant", "acme-api", "--format", "without_timezone", "--param", "time_zone_name=Europe/Kyiv"]),
    ("yeti", ["--tenant", "acme-api", "--param", "success_eq=true"]),
    ("mor", ["--tenant", "acme_admin", "--format", "none", "--param", "template_id=5", "--param", "timezone=Tokyo"]),
    ("mor", ["--tenant", "acme_admin", "--format", "zip", "--param", "template_id=6"]),
    ("yeastar", ["--tenant", "acme-api", "--param", "extid=1000,1001"]),
]


def run(tree: str, v: Variant | None, args: list, rows: int, out: str = "/dev/null", no_gzip: bool = False) -> dict:
    env = dict(os.environ, PYTHONPATH=tree)
    vendor = v.vendor if v else args[0]
    argv = [sys.executable, str(BENCH / "gen_probe.py")] + (["--no-gzip"] if no_gzip else []) + [
        "--", "generate", vendor, "--from", START.isoformat(), "--rows", str(rows), "--config", config_file(),
        "--clock-start", CLOCK, "-o", out] + (v.generate if v else args[1:])
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd="/tmp")
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{tree} {vendor}: {proc.stderr[-1500:]}")
    probe = json.loads(proc.stderr.strip().splitlines()[-1])
    gen = probe["main_s"] - probe["build_runtime_s"]
    return {"command": rows / wall, "generation": rows / gen}


def bench(ns) -> None:
    trees = {"before": ns.base, "after": ns.after}
    print(f"rows {ns.rows:,}, {ns.reps} runs per tree, load {loadavg()}")
    for v in VARIANTS:
        if v.vendor not in ns.vendors or (ns.kind and (v.kind, v.no_gzip) != (ns.kind, False)):
            continue
        got = {name: [] for name in trees}
        for _ in range(ns.reps):
            for name, tree in trees.items():
                got[name].append(run(tree, v, [], ns.rows, no_gzip=v.no_gzip))
        line = f"{v.vendor:<8}{v.label:<27}"
        for name in trees:
            cmd = statistics.median(r["command"] for r in got[name])
            gen = statistics.median(r["generation"] for r in got[name])
            line += f"  {name}: {cmd:>8,.0f} rows/s ({gen:>8,.0f} generation)"
        print(line, flush=True)
    print(f"load at the end {loadavg()}")


def _digest(path: str, decompressed: bool) -> str:
    with open(path, "rb") as f:
        data = f.read()
    if decompressed and data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return hashlib.sha256(data).hexdigest()


def check(ns) -> int:
    cases = [(v.vendor, [v.vendor] + v.generate) for v in VARIANTS if not v.no_gzip] + EXTRA
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for vendor, args in cases:
            if vendor not in ns.vendors:
                continue
            digests = []
            for i, tree in enumerate((ns.base, ns.after)):
                path = f"{tmp}/{i}"
                run(tree, None, args if args[0] == vendor else [vendor] + args, ns.rows, out=path)
                digests.append(_digest(path, ns.decompressed))
            same = digests[0] == digests[1]
            bad += not same
            print(f"{'same' if same else 'DIFFERENT':<10} {' '.join(args)}", flush=True)
    return 1 if bad else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", required=True, help="a source tree of the revision to compare with")
    ap.add_argument("--after", default=str(ROOT), help="the tree to compare (default: this one)")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--vendors", default="didww,telnyx,yeti,mor,yeastar")
    ap.add_argument("--kind", choices=("csv", "gzip"), help="only the variants that stream this (no bypass)")
    ap.add_argument("--check", action="store_true", help="compare output bytes instead of timing")
    ap.add_argument("--decompressed", action="store_true", help="with --check: compare gzip files unpacked")
    ns = ap.parse_args(argv)
    ns.vendors = ns.vendors.split(",")
    if ns.check:
        return check(ns)
    bench(ns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
