"""Scale-out: the DIDWW status poll spread over 16 sessions, through nginx to 1 and to 2 processes.

One run, interleaved in rounds so that the layouts are compared as neighbours in time on this
shared box: each round measures the poll on one process directly (no proxy), through nginx to
that one process, and through nginx to two processes (deploy/nginx, rendered by render.py). wrk
cycles every connection through the 16 sessions' poll URLs. Every process's CPU time is read
from /proc around each run (wrk's from its own rusage), so the table says where the 2 cores went:
the load generator's share included. The section goes into bench/RESULTS.md (``--no-write``: not).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from common import (CLOCK, OUT, ROOT, Proc, cpu_seconds, free_port, machine, median, mock_server, read_result, say,
                    write_result)

sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
import render  # noqa: E402

THREADS, CONNECTIONS = 2, 16
SESSIONS = 16
KEY = "didww-test-globex-51a7c9d2"
JSONAPI = "application/vnd.api+json"
HEADERS = {"Api-Key": KEY, "Accept": JSONAPI, "Content-Type": JSONAPI}
BODY = {"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}}
LAYOUTS = ("direct-1", "nginx-1", "nginx-2")
BEGIN, END = "<!-- cluster:begin (bench/bench_cluster.py) -->", "<!-- cluster:end -->"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

LUA = r"""
wrk.method = "GET"
wrk.headers["Api-Key"] = KEY
wrk.headers["Accept"] = "application/vnd.api+json"
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local i = 0
function request()
  i = i + 1
  return wrk.format(nil, PATHS[(i + tid * 7) % #PATHS + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"status":%d,"errors":%d,"p50_us":%.1f,"p99_us":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def node_args(name: str, cluster: str) -> list[str]:
    return ["--node", name, "--cluster", cluster, "--trusted-proxy", "127.0.0.1"]


def nginx_pids(master: int) -> list[int]:
    """The master and its workers."""
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return pids


def cpu_of(pids) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


def make_sessions(base: str, stem: str) -> list[str]:
    """16 sessions through ``base``, each with one DIDWW export; returns their poll paths."""
    http = requests.Session()
    paths = []
    for i in range(SESSIONS):
        sid = f"{stem}-{i:02d}"
        http.put(f"{base}/_mockcdr/sessions/{sid}").raise_for_status()
        created = http.post(f"{base}/_s/{sid}/v3/exports", json=BODY, headers=HEADERS)
        created.raise_for_status()
        path = f"/_s/{sid}/v3/exports/{created.json()['data']['id']}"
        assert http.get(base + path, headers=HEADERS).status_code == 200
        paths.append(path)
    return paths


def wrk(base: str, paths: list[str], duration: float, name: str) -> dict:
    """One wrk run (reaped here, so its CPU time shows in ``os.times()``'s children); its summary."""
    lua = OUT / "lua" / f"cluster-{name}.lua"
    lua.parent.mkdir(parents=True, exist_ok=True)
    lua.write_text(f"KEY = {json.dumps(KEY)}\nPATHS = {{{', '.join(json.dumps(p) for p in paths)}}}\n" + LUA)
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration:g}s", "--timeout", "10s", "-s", str(lua),
           base + paths[0]]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=duration + 60)
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {out[-1000:]} {err[-1000:]}")
    return json.loads(line.split(" ", 1)[1])


def measure(layout: str, base: str, paths: list[str], pids: dict[str, list[int]], duration: float) -> dict:
    before = {k: cpu_of(v) for k, v in pids.items()}
    children = os.times()
    wall = time.perf_counter()
    data = wrk(base, paths, duration, layout)
    wall = time.perf_counter() - wall
    after_children = os.times()
    cpu = {k: cpu_of(v) - before[k] for k, v in pids.items()}
    cpu["wrk"] = (after_children.children_user - children.children_user
                  + after_children.children_system - children.children_system)
    seconds = data["duration_us"] / 1e6
    row = {"layout": layout, "rps": data["requests"] / seconds, "requests": data["requests"],
           "p50_ms": data["p50_us"] / 1000, "p99_ms": data["p99_us"] / 1000, "non_2xx": data["status"],
           "socket_errors": data["errors"], "wall_s": wall,
           "cpu_s": cpu, "share": {k: v / (wall * (os.cpu_count() or 2)) for k, v in cpu.items()},
           "cpu_ms_per_request": {k: v * 1000 / max(data["requests"], 1) for k, v in cpu.items()}}
    say(f"  {layout:<9} {row['rps']:7.0f} req/s  p50 {row['p50_ms']:6.2f} ms  p99 {row['p99_ms']:6.2f} ms  "
        f"non-2xx {row['non_2xx']}  " + "  ".join(f"{k} {v:.0%}" for k, v in row["share"].items()))
    return row


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", dest="write", action="store_false",
                    help="leave bench/RESULTS.md alone (by default the section is written there)")
    ap.add_argument("--report", action="store_true",
                    help="only write the section of the last run (bench/out/cluster.json) into RESULTS.md")
    ns = ap.parse_args(argv)
    if ns.report:
        result = read_result("cluster")
        if result is None:
            raise SystemExit("no bench/out/cluster.json: run bench/bench_cluster.py first")
        write_section(result)
        return result
    missing = [tool for tool in ("nginx", "wrk") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"bench_cluster needs {' and '.join(missing)} (apt-get install {' '.join(missing)})")
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    say(f"cluster bench: load {info['loadavg']}")
    run = OUT / "cluster"
    ports = {k: free_port() for k in ("a", "b1", "b2", "ng1", "ng2")}
    one = f"n1=http://127.0.0.1:{ports['a']}"
    two = f"n1=http://127.0.0.1:{ports['b1']},n2=http://127.0.0.1:{ports['b2']}"
    procs: list[Proc] = []
    try:
        a = mock_server(ports["a"], *node_args("n1", one), log=str(OUT / "cluster-a.log"))
        b1 = mock_server(ports["b1"], *node_args("n1", two), log=str(OUT / "cluster-b1.log"))
        b2 = mock_server(ports["b2"], *node_args("n2", two), log=str(OUT / "cluster-b2.log"))
        procs += [a, b1, b2]
        for proc, port in ((a, ports["a"]), (b1, ports["b1"]), (b2, ports["b2"])):
            proc.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        nginx = {}
        for name, nodes in (("ng1", [("n1", f"127.0.0.1:{ports['a']}")]),
                            ("ng2", [("n1", f"127.0.0.1:{ports['b1']}"), ("n2", f"127.0.0.1:{ports['b2']}")])):
            conf = render.standalone(run / name, nodes, f"127.0.0.1:{ports[name]}", daemon=False, workers="1")
            nginx[name] = Proc(["nginx", "-p", str(conf.parent), "-c", str(conf)], log=str(run / f"{name}.log"))
            procs.append(nginx[name])
            nginx[name].wait_http(f"http://127.0.0.1:{ports[name]}/_proxy/health")
        version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
        ng1, ng2 = (f"http://127.0.0.1:{ports[k]}" for k in ("ng1", "ng2"))
        paths_1 = make_sessions(ng1, "one")
        paths_2 = make_sessions(ng2, "two")
        spread = {n: len(requests.get(f"http://127.0.0.1:{ports[k]}/_mockcdr/sessions", params={"scope": "node"})
                         .json()) - 1 for n, k in (("n1", "b1"), ("n2", "b2"))}
        say(f"  16 sessions over two processes: {spread}")
        layouts = {
            "direct-1": (f"http://127.0.0.1:{ports['a']}", paths_1, {"mockcdr": [a.pid]}),
            "nginx-1": (ng1, paths_1, {"mockcdr": [a.pid], "nginx": nginx_pids(nginx["ng1"].pid)}),
            "nginx-2": (ng2, paths_2, {"mockcdr": [b1.pid, b2.pid], "nginx": nginx_pids(nginx["ng2"].pid)}),
        }
        for layout, (base, paths, _pids) in layouts.items():       # warm up each path once
            wrk(base, paths, 3, f"warmup-{layout}")
        rows = []
        for r in range(ns.rounds):
            say(f" round {r + 1}/{ns.rounds}")
            for layout, (base, paths, pids) in layouts.items():
                rows.append(dict(measure(layout, base, paths, pids, ns.duration), round=r + 1))
        result = {"machine": info, "loadavg_end": machine()["loadavg"], "nginx": version,
                  "wrk": {"threads": THREADS, "connections": CONNECTIONS, "duration_s": ns.duration},
                  "rounds": ns.rounds, "sessions": SESSIONS, "spread": spread, "rows": rows,
                  "command": "bench/bench_cluster.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    finally:
        for proc in reversed(procs):
            proc.stop()
    write_result("cluster", result)
    if ns.write:
        write_section(result)
    return result


# -- the RESULTS.md section ----------------------------------------------------------------------------
def _med(rows, layout, get) -> float:
    return median([get(r) for r in rows if r["layout"] == layout])


def section(res: dict) -> list[str]:
    rows = res["rows"]
    m = res["machine"]
    out = [BEGIN, "", "## Scale-out behind nginx", "",
           f"`{res['command'].strip()}` on {m['date']}, {m['nproc']} cores ({m['cpu']}), {res['nginx']}, "
           f"commit {m['commit']}. The DIDWW status poll (`GET /_s/{{id}}/v3/exports/{{id}}`, frozen clock "
           f"{CLOCK}) cycling over {res['sessions']} sessions, wrk -t{res['wrk']['threads']} "
           f"-c{res['wrk']['connections']} -d{res['wrk']['duration_s']:g}s, {res['rounds']} rounds of the three "
           f"layouts interleaved; medians of the rounds. nginx runs one worker (`deploy/nginx`, rendered by "
           f"`render.py`). The {res['sessions']} sessions over two processes: "
           f"{', '.join(f'{k} {v}' for k, v in res['spread'].items())}. "
           f"This box is shared: load average {m['loadavg']} at the start, {res['loadavg_end']} at the end, so "
           f"absolute figures move between runs; the ratios of neighbours in one run are what to read.", "",
           "| layout | req/s | p50 ms | p99 ms | mockcdr CPU | nginx CPU | wrk CPU (the load generator) | "
           "mockcdr CPU ms/req | nginx CPU ms/req |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    names = {"direct-1": "1 process, no proxy", "nginx-1": "nginx -> 1 process", "nginx-2": "nginx -> 2 processes"}
    for layout in LAYOUTS:
        def share(k):
            return _med(rows, layout, lambda r: r["share"].get(k, 0.0))

        def per(k):
            return _med(rows, layout, lambda r: r["cpu_ms_per_request"].get(k, 0.0))
        out.append(f"| {names[layout]} | {_med(rows, layout, lambda r: r['rps']):,.0f} | "
                   f"{_med(rows, layout, lambda r: r['p50_ms']):.2f} | {_med(rows, layout, lambda r: r['p99_ms']):.2f} | "
                   f"{share('mockcdr'):.0%} | {share('nginx') if layout != 'direct-1' else 0:.0%} | {share('wrk'):.0%} | "
                   f"{per('mockcdr'):.2f} | {per('nginx') if layout != 'direct-1' else 0:.3f} |")
    out += ["", "CPU columns: that component's CPU time over the run's wall time times the "
            f"{m['nproc']} cores (100% = the whole box). Every round, req/s:", "",
            "| round | " + " | ".join(names[x] for x in LAYOUTS) + " |", "| ---: |" + " ---: |" * len(LAYOUTS)]
    for r in range(1, res["rounds"] + 1):
        got = {row["layout"]: row["rps"] for row in rows if row["round"] == r}
        out.append(f"| {r} | " + " | ".join(f"{got.get(x, 0):,.0f}" for x in LAYOUTS) + " |")
    errors = sum(r["non_2xx"] + r["socket_errors"] for r in rows)
    out += ["", f"Non-2xx answers and socket errors over every run: {errors}.", ""]
    out += paper(rows)
    out += ["", END]
    return out


def paper(rows) -> list[str]:
    """What N machines would give, from this run's CPU cost per request."""
    mock_ms = _med(rows, "nginx-2", lambda r: r["cpu_ms_per_request"]["mockcdr"])
    nginx_ms = _med(rows, "nginx-2", lambda r: r["cpu_ms_per_request"]["nginx"])
    per_core = 1000 / mock_ms
    nginx_core = 1000 / nginx_ms
    lines = ["### On paper: N machines", "",
             f"A mockcdr process spends {mock_ms:.2f} ms of CPU per poll here, so one busy core serves about "
             f"{per_core:,.0f} polls/s; nginx spends {nginx_ms:.3f} ms, about {nginx_core:,.0f} polls/s per "
             f"worker core. Sessions share nothing, so processes add up until nginx is the limit: with one "
             f"process per core on N 2-core machines and nginx on a 2-core machine of its own (two workers), "
             f"and the load generators elsewhere:", "",
             "| machines (2 cores each) | processes | mockcdr capacity, polls/s | nginx capacity (2 cores) | "
             "expected polls/s |", "| ---: | ---: | ---: | ---: | ---: |"]
    for n in (1, 2, 4, 8, 16):
        cap = 2 * n * per_core
        ng = 2 * nginx_core
        lines.append(f"| {n} | {2 * n} | {cap:,.0f} | {ng:,.0f} | {min(cap, ng):,.0f} |")
    lines += ["", "Past the row where nginx's capacity is the smaller, more machines need more nginx: a "
              "second nginx (DNS or an L4 balancer in front) with the same configuration routes every "
              "session id to the same process, since the consistent hash depends only on the id and the "
              "server list. Each machine also needs the memory of its share of sessions (24 kB each, plus "
              "what they hold: `bench_sessions.py`)."]
    return lines


def write_section(res: dict) -> None:
    text = RESULTS.read_text()
    block = "\n".join(section(res))
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)
    say(f"wrote the scale-out section of {RESULTS}")


if __name__ == "__main__":
    main()
