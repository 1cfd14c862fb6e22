"""Where an export's time goes: py-spy samples ``mockcdr generate`` (through gen_probe.py) for one variant.

    .venv/bin/python bench/profile_export.py yeti --rows 300000 [--no-gzip]

Prints inclusive and self shares per function. Not part of ``make bench`` (py-spy is not a
project dependency: ``pip install py-spy``).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter

from common import BENCH, BIN, CLOCK, OUT
from exports import START, VARIANTS, config_file
from profile_http import summarize


def self_shares(raw, top: int) -> list[tuple[str, float]]:
    totals: Counter = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        leaf = stack.split(";")[-1]
        totals[leaf.split(" (")[0] + " " + leaf.rsplit("/", 1)[-1].split(":")[0].rstrip(")")] += int(count)
        samples += int(count)
    return [(name, n / samples) for name, n in totals.most_common(top)] if samples else []


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vendor")
    ap.add_argument("--kind", choices=("csv", "gzip"), help="the variant (default: the vendor's first)")
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--top", type=int, default=30)
    ns = ap.parse_args(argv)
    v = next(v for v in VARIANTS if v.vendor == ns.vendor and (ns.kind is None or v.kind == ns.kind))
    raw = OUT / f"profile-export-{v.vendor}-{v.kind}.txt"
    argv = [sys.executable, str(BENCH / "gen_probe.py")] + (["--no-gzip"] if v.no_gzip else []) + [
        "--", "generate", v.vendor, "--from", START.isoformat(), "--rows", str(ns.rows), "--config", config_file(),
        "--clock-start", CLOCK, "-o", "/dev/null"] + v.generate
    subprocess.run([str(BIN / "py-spy"), "record", "-r", "250", "-f", "raw", "-o", str(raw), "--"] + argv,
                   check=True, stdout=subprocess.DEVNULL)
    print(f"{v.vendor} {v.label}, {ns.rows:,} rows: raw stacks in {raw}\n-- inclusive")
    for name, share in summarize(raw, ns.top):
        print(f"{share:6.1%}  {name}")
    print("-- self")
    for name, share in self_shares(raw, ns.top):
        print(f"{share:6.1%}  {name}")


if __name__ == "__main__":
    main()
