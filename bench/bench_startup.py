"""Start-up: process start to the first 200 from /_mockcdr/health (median of N), idle memory, and where it goes.

Each run starts ``mockcdr serve`` (all five vendors, real clock, defaults), polls the health
endpoint every 5 ms, and records the wall time to the first 200 and the CPU time the server
had used by then; two seconds later, idle, its VmRSS. Then, in-process stages of the same
start (median of N fresh interpreters) show where the time goes. With ``--before TREE`` the
same for another version, the runs alternated. The sources are byte-compiled first (as pip does
on install), so a run measures a start, not a compilation (this box sets PYTHONDONTWRITEBYTECODE).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from common import ROOT, cpu_seconds, free_port, hwm_mb, machine, median, mock_server, rss_mb, say, write_result

STAGES = r"""
import json, time
t0 = time.perf_counter()
import flask, marshmallow, yaml
t1 = time.perf_counter()
import mockcdr.cli, mockcdr.app, mockcdr.server
t2 = time.perf_counter()
from mockcdr.app import build_runtime, create_app
from mockcdr.server import Servers
from mockcdr.settings import from_sources
settings = from_sources(cli={})
rt = build_runtime(settings)
t3 = time.perf_counter()
app = create_app(runtime=rt)
t4 = time.perf_counter()
servers = Servers(getattr(rt, "registry", rt), [("main", app, "127.0.0.1", 0)])   # 0.1: a Runtime
servers.start()
t5 = time.perf_counter()
servers.stop()
print(json.dumps({"third_party_imports": t1 - t0, "mockcdr_imports": t2 - t1, "build_runtime": t3 - t2,
                  "create_app": t4 - t3, "server_start": t5 - t4}))
"""


def once(tree: str | None = None) -> dict:
    port = free_port()
    with mock_server(port, clock=None, tree=tree) as server:
        to_200 = server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        cpu = cpu_seconds(server.pid)
        time.sleep(2.0)
        return {"to_200_s": to_200, "cpu_s_at_200": cpu, "idle_rss_mb": rss_mb(server.pid),
                "idle_hwm_mb": hwm_mb(server.pid)}


def interpreter() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t0


def stages(tree: str | None = None) -> dict:
    env = {**os.environ, "PYTHONPATH": tree} if tree else None
    out = subprocess.run([sys.executable, "-c", STAGES], capture_output=True, text=True, check=True, env=env,
                         cwd=tree or str(ROOT))     # -c puts the working directory first on sys.path
    return json.loads(out.stdout)


def compile_tree(tree: str | None) -> None:
    src = os.path.join(tree, "mockcdr") if tree else str(ROOT / "mockcdr")
    subprocess.run([sys.executable, "-m", "compileall", "-q", src], check=True, stdout=subprocess.DEVNULL)


def summary(runs: list[dict], parts: list[dict], n: int) -> dict:
    return {
        "runs": runs,
        "median_to_200_s": median([r["to_200_s"] for r in runs]),
        "median_cpu_s_at_200": median([r["cpu_s_at_200"] for r in runs]),
        "median_idle_rss_mb": median([r["idle_rss_mb"] for r in runs]),
        "stages_s": {k: median([p[k] for p in parts]) for k in parts[0]},
    }


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=9)
    ap.add_argument("--before", metavar="TREE", help="source tree of the version to compare with")
    ap.add_argument("--before-label", default="before")
    ns = ap.parse_args(argv)
    info = machine()
    say(f"start-up bench: load {info['loadavg']}")
    trees = [("after", None)] + ([(ns.before_label, ns.before)] if ns.before else [])
    for _, tree in trees:
        compile_tree(tree)
    runs: dict = {label: [] for label, _ in trees}
    parts: dict = {label: [] for label, _ in trees}
    for i in range(ns.n):
        for label, tree in trees:
            runs[label].append(once(tree))
            say(f"  {label} run {i + 1}: first 200 after {runs[label][-1]['to_200_s']:.3f} s "
                f"(cpu {runs[label][-1]['cpu_s_at_200']:.2f} s), idle RSS {runs[label][-1]['idle_rss_mb']:.1f} MB")
    for _ in range(ns.n):
        for label, tree in trees:
            parts[label].append(stages(tree))
    after = summary(runs["after"], parts["after"], ns.n)
    result = {
        "machine": info, "n": ns.n,
        "command": "mockcdr serve --host 127.0.0.1 --port <free>  (all vendors, defaults)",
        **after,
        "interpreter_s": median([interpreter() for _ in range(ns.n)]),
        "before": {"label": ns.before_label, **summary(runs[ns.before_label], parts[ns.before_label], ns.n)}
        if ns.before else None,
        "loadavg_end": machine()["loadavg"],
    }
    say(f"  median {result['median_to_200_s']:.3f} s to the first 200, idle RSS {result['median_idle_rss_mb']:.1f} MB; "
        f"stages {json.dumps({k: round(v, 3) for k, v in result['stages_s'].items()})}")
    write_result("startup", result)
    return result


if __name__ == "__main__":
    main()
