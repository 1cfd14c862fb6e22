"""``make bench``: every measure, one after the other in its own process, then bench/RESULTS.md.

    .venv/bin/python bench/run_all.py             # everything (about half an hour on 2 cores)
    .venv/bin/python bench/run_all.py --quick     # shorter runs and sizes, to try the scripts
    .venv/bin/python bench/run_all.py --only http,reset
    .venv/bin/python bench/run_all.py --before /tmp/v01   # and another version (git archive) beside it

Prism comes from bench/package.json (``npm ci`` in bench/ when bench/node_modules is missing).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import report
from common import BENCH, say

QUICK = {"http": ["--duration", "3"], "startup": ["-n", "3"], "reset": ["-n", "10"], "slow": ["--probes", "2"],
         "servers": ["--rounds", "1", "--duration", "3"],
         "export": ["--sizes", "10000,100000"], "growth": ["--jobs", "0,1000,5000", "--journal", "1000,5000",
                                                                "--mor", "0,500"],
         "sessions": ["--n", "60", "--sessions", "100", "--jobs", "2000"],
         "cluster": ["--duration", "3", "--rounds", "1"], "gc": ["--rounds", "1", "--duration", "3"]}
ORDER = ("startup", "reset", "http", "slow", "gc", "servers", "export", "growth", "sessions", "cluster")
BEFORE = ("startup", "http", "slow")     # the measures that take --before TREE


def ensure_prism() -> None:
    if (BENCH / "node_modules" / ".bin" / "prism").exists() and (BENCH / "node_modules" / "wiremock").exists():
        return
    if not shutil.which("npm"):
        raise SystemExit("npm is needed for Prism (the HTTP peer); or run with --only startup,reset,export,growth")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default=",".join(ORDER))
    ap.add_argument("--before", metavar="TREE", help="also measure this source tree (git archive of another "
                                                    "version) in the start-up, HTTP and slow-client runs")
    ns = ap.parse_args(argv)
    only = [m for m in ORDER if m in ns.only.split(",")]
    if "http" in only:
        ensure_prism()
    command = "make bench" if not argv and len(sys.argv) == 1 else \
        ".venv/bin/python bench/run_all.py " + " ".join(argv if argv is not None else sys.argv[1:])
    for name in only:
        args = QUICK.get(name, []) if ns.quick else []
        if ns.before and name in BEFORE:
            args = [*args, "--before", ns.before]
        say(f"== {name} {' '.join(args)}")
        subprocess.run([sys.executable, str(BENCH / f"bench_{name}.py"), *args], check=True)
    report.write(command)
    say(f"wrote {report.RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
