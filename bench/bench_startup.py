"""Start-up: process start to the first 200 from /_mockcdr/health (median of N), idle memory, and where it goes.

Each run starts ``mockcdr serve`` (all five vendors, real clock, defaults), polls the health
endpoint every 5 ms, and records the wall time to the first 200 and the CPU time the server
had used by then; two seconds later, idle, its VmRSS. Then, in-process stages of the same
start (median of N fresh interpreters) show where the time goes.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from common import cpu_seconds, free_port, hwm_mb, machine, median, mock_server, rss_mb, say, write_result

STAGES = r"""
import json, time
t0 = time.perf_counter()
import flask, waitress, marshmallow, yaml
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
servers = Servers(rt.registry, [("main", app, "127.0.0.1", 0)])
t5 = time.perf_counter()
print(json.dumps({"third_party_imports": t1 - t0, "mockcdr_imports": t2 - t1, "build_runtime": t3 - t2,
                  "create_app": t4 - t3, "waitress_server": t5 - t4}))
"""


def once() -> dict:
    port = free_port()
    with mock_server(port, clock=None) as server:
        to_200 = server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        cpu = cpu_seconds(server.pid)
        time.sleep(2.0)
        return {"to_200_s": to_200, "cpu_s_at_200": cpu, "idle_rss_mb": rss_mb(server.pid),
                "idle_hwm_mb": hwm_mb(server.pid)}


def interpreter() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t0


def stages() -> dict:
    out = subprocess.run([sys.executable, "-c", STAGES], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", type=int, default=9)
    ns = ap.parse_args(argv)
    info = machine()
    say(f"start-up bench: load {info['loadavg']}")
    runs = []
    for i in range(ns.n):
        runs.append(once())
        say(f"  run {i + 1}: first 200 after {runs[-1]['to_200_s']:.3f} s (cpu {runs[-1]['cpu_s_at_200']:.2f} s), "
            f"idle RSS {runs[-1]['idle_rss_mb']:.1f} MB")
    parts = [stages() for _ in range(ns.n)]
    result = {
        "machine": info, "n": ns.n, "runs": runs,
        "command": "mockcdr serve --host 127.0.0.1 --port <free>  (all vendors, defaults)",
        "median_to_200_s": median([r["to_200_s"] for r in runs]),
        "median_cpu_s_at_200": median([r["cpu_s_at_200"] for r in runs]),
        "median_idle_rss_mb": median([r["idle_rss_mb"] for r in runs]),
        "interpreter_s": median([interpreter() for _ in range(ns.n)]),
        "stages_s": {k: median([p[k] for p in parts]) for k in parts[0]},
        "loadavg_end": machine()["loadavg"],
    }
    say(f"  median {result['median_to_200_s']:.3f} s to the first 200, idle RSS {result['median_idle_rss_mb']:.1f} MB; "
        f"stages {json.dumps({k: round(v, 3) for k, v in result['stages_s'].items()})}")
    write_result("startup", result)
    return result


if __name__ == "__main__":
    main()
