"""Where a request's time goes: py-spy samples a mock under wrk load; inclusive shares per function.

    .venv/bin/python bench/profile_http.py didww poll      # or: ceiling, health, <vendor> <op>

Not part of ``make bench`` (py-spy is not a project dependency: ``pip install py-spy``). py-spy
samples only the thread holding the GIL (``--gil``): the shares are of the process's Python CPU
time, waitress's I/O thread included.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from pathlib import Path

import wrklua
from common import BENCH, BIN, OUT, Proc, free_port, mock_server
from scenarios import Scenario, prepare


def summarize(raw: Path, top: int = 45, focus: str = "") -> list[tuple[str, float]]:
    """Inclusive share of each frame (counted once per sample) in py-spy's ``--format raw`` output."""
    totals: Counter = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or (focus and focus not in stack):
            continue
        n = int(count)
        samples += n
        for frame in set(stack.split(";")):
            name = frame.split(" (")[0] + " " + frame.rsplit("/", 1)[-1].split(":")[0].rstrip(")")
            totals[name] += n
    return [(name, n / samples) for name, n in totals.most_common(top)] if samples else []


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vendor")
    ap.add_argument("op", nargs="?", default="poll")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--top", type=int, default=45)
    ns = ap.parse_args(argv)
    port = free_port()
    raw = OUT / f"profile-{ns.vendor}-{ns.op}.txt"
    raw.parent.mkdir(parents=True, exist_ok=True)
    if ns.vendor == "ceiling":
        server = Proc([sys.executable, str(BENCH / "trivial_app.py"), str(port)])
        server.wait_http(f"http://127.0.0.1:{port}/ping")
        sc = Scenario("ceiling", "poll", "", "GET", "/ping")
    else:
        server = mock_server(port)
        server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        if ns.vendor == "health":
            sc = Scenario("mockcdr", "health", "", "GET", "/_mockcdr/health")
        else:
            sc = {(s.vendor, s.op): s for s in prepare(f"http://127.0.0.1:{port}")}[(ns.vendor, ns.op)]
            if sc.randoms:
                raise SystemExit("the yeastar download needs fresh randoms: profile it with bench_http.py")
    with server:
        spy = subprocess.Popen([str(BIN / "py-spy"), "record", "-p", str(server.pid), "-d", str(int(ns.seconds) + 1),
                                "-r", "250", "-f", "raw", "-o", str(raw), "--nonblocking", "--gil"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result = wrklua.run(f"http://127.0.0.1:{port}", wrklua.Request(sc.method, sc.path, sc.headers, sc.body),
                            f"profile-{ns.vendor}-{ns.op}", ns.seconds)
        spy.wait()
    print(f"{ns.vendor} {ns.op}: {result['rps']:.0f} req/s under py-spy (sampling slows it); raw stacks: {raw}")
    for name, share in summarize(raw, ns.top):
        print(f"{share:6.1%}  {name}")


if __name__ == "__main__":
    main()
