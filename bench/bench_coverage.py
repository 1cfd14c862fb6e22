"""What counting API coverage costs a request: before (main without it) and after, in one run.

    .venv/bin/python bench/bench_coverage.py [--before REV] [--runs 3] [-n 300] [--rounds 15]

Each side runs in child processes alternated before/after (``--runs`` of each). Inside an "after"
child, rounds also alternate with the count on and off (``Coverage.record`` a no-op): the count's
own cost side by side in one process, free of the noise between processes. A child builds
the in-process app (frozen clock, no self-validation), prepares the requests through Flask's test
client, then replays their WSGI environs straight into the app on one thread, timed in thread CPU
time: µs per call, best of ``--rounds`` rounds of ``-n`` calls (the box is shared; the best round
is the least disturbed one). "before" is the tree of ``--before`` (default: the last commit of main
this tree holds, ``git merge-base HEAD main``), unpacked with ``git archive`` and put first on PYTHONPATH, so both sides use this venv.

Scenarios: a DIDWW status poll (200: one count), a DIDWW list refused with code 114 (400: the
body is read for its JSON:API codes), and a Yeastar heartbeat (every Yeastar answer is a 200
whose body is read for its errno: the vendor that pays the most).
"""
from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, in_tree

DIDWW = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json",
         "Content-Type": "application/vnd.api+json"}
EXPORT = {"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}}
LOGIN = {"username": "acme-api", "password": "7f2b71d957386f24a6904bdf329e821f", "port": "8260"}


def measure(n: int, rounds: int) -> dict:
    """In the child: µs per call of each scenario, best of ``rounds``. In a tree that counts,
    rounds alternate with the count on and off (``Coverage.record`` a no-op), so the count's own
    cost is also measured side by side in one process, free of the noise between processes."""
    from werkzeug.test import EnvironBuilder

    from mockcdr.app import create_app
    from mockcdr.settings import Settings

    try:
        from mockcdr.core.coverage import Coverage
        record = Coverage.record
    except ImportError:                 # before coverage
        Coverage = record = None

    app = create_app(Settings(vendors=("didww", "yeastar"), clock_start="2026-04-20T12:00:00Z",
                              clock_frozen=True, validate_responses=False))
    client = app.test_client()
    export = client.post("/v3/exports", json=EXPORT, headers=DIDWW).get_json()["data"]["id"]
    token = client.post("/api/v1.1.0/login", json=LOGIN).get_json()["token"]
    scenarios = {
        "didww poll (200)": ("GET", f"/v3/exports/{export}", "", DIDWW, None, "200"),
        "didww list refused (400, code 114)": ("GET", "/v3/exports", "sort=nope", DIDWW, None, "400"),
        "yeastar heartbeat (200, errno read)": ("POST", "/api/v1.1.0/heartbeat", f"token={token}",
                                                {"Content-Type": "application/json"}, b"{}", "200"),
    }
    out = {}
    for name, (method, path, query, headers, body, expect) in scenarios.items():
        environ = EnvironBuilder(path=path, query_string=query, method=method, headers=headers, data=body,
                                 base_url="http://127.0.0.1:8080").get_environ()
        raw = environ["wsgi.input"].read()

        def call():
            env = dict(environ)
            env["wsgi.input"] = io.BytesIO(raw)
            seen = []
            b"".join(app(env, lambda status, hdrs, exc=None: seen.append(status)))
            return seen[0]
        status = call()
        assert status.startswith(expect), (name, status)
        for _ in range(n // 4):
            call()
        best = {"on": float("inf"), "off": float("inf")}
        for _ in range(rounds):
            for mode in (("on", "off") if Coverage else ("on",)):
                if Coverage:
                    Coverage.record = record if mode == "on" else (lambda *args, **kwargs: None)
                t0 = time.thread_time()
                for _ in range(n):
                    call()
                best[mode] = min(best[mode], (time.thread_time() - t0) / n)
        if Coverage:
            Coverage.record = record
        out[name] = best["on"] * 1e6
        if Coverage:
            out[f"_off {name}"] = best["off"] * 1e6
    out["_coverage"] = Coverage is not None
    return out


def child(tree: str | None, n: int, rounds: int) -> dict:
    return in_tree("bench_coverage", f"b.measure({n}, {rounds})", tree, timeout=1800)


def before_tree(rev: str) -> str:
    path = Path(tempfile.gettempdir()) / f"mockcdr-archive-{rev}"
    if not (path / "mockcdr").exists():
        path.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(path)], input=archive, check=True)
    return str(path)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default=None, help="a git revision (default: git merge-base HEAD main)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("-n", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=15)
    ns = ap.parse_args(argv)
    if ns.before is None:
        ns.before = subprocess.run(["git", "-C", str(ROOT), "merge-base", "HEAD", "main"], check=True,
                                   capture_output=True, text=True).stdout.strip()[:7]
    old = before_tree(ns.before)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    runs = {"before": [], "after": []}
    for i in range(ns.runs):
        for side, tree in (("before", old), ("after", None)):
            runs[side].append(child(tree, ns.n, ns.rounds))
            print(f"run {i + 1} {side}: " + ", ".join(f"{k} {v:.1f}" for k, v in runs[side][-1].items()
                                                      if not k.startswith("_")), file=sys.stderr, flush=True)
    assert not any(r["_coverage"] for r in runs["before"]) and all(r["_coverage"] for r in runs["after"])
    print("µs per call (thread CPU time), medians of the runs' best rounds", file=sys.stderr)
    commit = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h"], capture_output=True,
                            text=True).stdout.strip()
    print(f"\nbefore = {ns.before}, after = {commit}; {ns.runs} alternated runs of each, -n {ns.n}, "
          f"best of {ns.rounds} rounds; load average {load} at the start, "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])} at the end\n")
    print("| scenario | before | after | after / before | after, count off (same process) | count on / off "
          "| each run (before / after off / after) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    result = {}
    for name in (k for k in runs["after"][0] if not k.startswith("_")):
        b, a = ([r[name] for r in runs[side]] for side in ("before", "after"))
        o = [r[f"_off {name}"] for r in runs["after"]]
        result[name] = {"before": b, "off": o, "after": a}
        each = "; ".join(f"{x:.0f} / {z:.0f} / {y:.0f}" for x, z, y in zip(b, o, a))
        print(f"| {name} | {statistics.median(b):.1f} | {statistics.median(a):.1f} "
              f"| {statistics.median([y / x for x, y in zip(b, a)]):.3f} | {statistics.median(o):.1f} "
              f"| {statistics.median([y / z for z, y in zip(o, a)]):.3f} | {each} |")
    return result


if __name__ == "__main__":
    main()
