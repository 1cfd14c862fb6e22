"""Export generation: rows per second and peak memory growth for 10k, 100k and 1M rows per vendor format,
first and repeated, with the limit of the same bytes (``cat`` and ``gzip -1``) measured in the same run.

Two paths: ``mockcdr generate`` (a child process; memory is its VmHWM minus its VmRSS after
the imports, see gen_probe.py; the repeat runs the same command again in that process, over
the same runtime, its peak reset first) and the download endpoint of a server started for that
size (memory is the server's VmHWM minus its VmRSS right before the request, its peak reset
through /proc/<pid>/clear_refs, after a warm-up download of one hour; the repeat is a second
job over the same window on that server). Rows per second are the file's rows over the wall time
of the command or of the request, last byte included. The render cache's own size (its bytes
after the first run) is reported apart from the growth.

``--trees before=DIR,after=DIR`` runs source trees side by side (each first on PYTHONPATH, for the
server and the commands alike), each variant and size on every tree in turn, so a before and an
after meet the same load; ``--name`` names the result file.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

import requests

from common import (BENCH, CLOCK, OUT, cpu_seconds, free_port, hwm_mb, machine, mock_server, reset_peak,
                    rss_mb, say, write_result)
from exports import (CALLS_PER_DAY, START, VARIANTS, Counter, Variant, config_file, download_request, immediate,
                     runtime, share, window_end)

SIZES = (10_000, 100_000, 1_000_000)


def _argv(v: Variant, rows: int, config: str, out: str, repeat: bool) -> list[str]:
    return [sys.executable, str(BENCH / "gen_probe.py")] + (["--repeat"] if repeat else []) + [
        "--", "generate", v.vendor, "--from", START.isoformat(), "--rows", str(rows), "--config", config,
        "--clock-start", CLOCK, "-o", out] + v.generate


def generate(v: Variant, rows: int, config: str, env: dict, out: str = "/dev/null") -> dict:
    """``mockcdr generate`` through gen_probe.py, then again in the same process."""
    t0 = time.perf_counter()
    proc = subprocess.run(_argv(v, rows, config, out, True), capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"generate {v.vendor}: {proc.stderr[-1500:]}")
    probe = json.loads(proc.stderr.strip().splitlines()[-1])
    gen_s = probe["main_s"] - probe["build_runtime_s"]
    command_s = wall - probe.get("repeat_s", 0.0)      # the first command alone
    result = {"rows": rows, "command_s": command_s, "rows_per_s": rows / command_s, "generation_s": gen_s,
              "generation_rows_per_s": rows / gen_s, "cpu_s": probe["cpu_s"],
              "children_cpu_s": probe.get("children_cpu_s", 0.0),
              "children_peak_rss_mb": probe.get("children_maxrss_kb", 0) / 1024,
              "peak_growth_mb": (probe["hwm_kb"] - probe["rss_before_kb"]) / 1024,
              "growth_after_build_mb": (probe["hwm_kb"] - probe["rss_after_build_kb"]) / 1024,
              "cache_mb": None if probe.get("cache_bytes") is None else probe["cache_bytes"] / 2**20,
              "command": f"mockcdr generate {v.vendor} --from {START:%Y-%m-%d} --rows {rows} "
                         f"--calls-per-day {CALLS_PER_DAY} {' '.join(v.generate)} -o /dev/null"}
    if "repeat_s" in probe:
        result.update(repeat_s=probe["repeat_s"], repeat_rows_per_s=rows / probe["repeat_s"],
                      repeat_peak_growth_mb=(probe["repeat_hwm_kb"] - probe["rss_before_repeat_kb"]) / 1024)
    return result


def download(s: requests.Session, base: str, pid: int, v: Variant, rows: int, end) -> dict:
    path, headers = download_request(s, base, v, end)
    rss0 = rss_mb(pid)
    reset_peak(pid)
    cpu0 = cpu_seconds(pid, children=True)
    counter = Counter("zip" if v.kind == "zip" else v.kind == "gzip")
    t0 = time.perf_counter()
    with s.get(base + path, headers=headers, stream=True, timeout=600) as resp:
        if resp.status_code != 200:
            raise RuntimeError(f"{v.vendor} download: {resp.status_code} {resp.text[:300]}")
        for chunk in resp.iter_content(1 << 16):
            counter.feed(chunk)
    wall = time.perf_counter() - t0
    got = counter.done().lines - 1
    return {"rows": got, "asked": rows, "bytes": counter.bytes, "request_s": wall, "rows_per_s": got / wall,
            "server_cpu_s": cpu_seconds(pid, children=True) - cpu0, "peak_growth_mb": hwm_mb(pid) - rss0, "rss_before_mb": rss0,
            "window": f"{START:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M:%S}"}


def _cache_mb(s: requests.Session, base: str) -> float | None:
    cache = s.get(f"{base}/_mockcdr/info").json().get("render_cache")
    return None if cache is None else cache["bytes"] / 2**20


def download_fresh(config: str, v: Variant, rows: int, end, env: dict) -> dict:
    """One download from a server of its own (a heap that earlier exports grew would hide the peak),
    after a one-hour download of the same kind has warmed the path (pools, shapes, imports); then
    the same window again (a new job, so a new file name or random) on the same server."""
    port = free_port()
    with mock_server(port, "--config", config, env=env, log=str(OUT / "export-mock.log")) as server, \
            requests.Session() as s:
        server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        base = f"http://127.0.0.1:{port}"
        immediate(s, base)
        download(s, base, server.pid, v, 100, window_end_small(end))
        cache0 = _cache_mb(s, base)
        result = download(s, base, server.pid, v, rows, end)
        cache1 = _cache_mb(s, base)
        result["cache_mb"] = None if cache1 is None else cache1 - cache0
        again = download(s, base, server.pid, v, rows, end)
        result.update(repeat_rows_per_s=again["rows_per_s"], repeat_s=again["request_s"],
                      repeat_peak_growth_mb=again["peak_growth_mb"], repeat_rows=again["rows"],
                      repeat_server_cpu_s=again["server_cpu_s"])
        result["server_rss_mb_after"] = rss_mb(server.pid)
        return result


def _csv_of(path: str, kind: str) -> bytes:
    data = open(path, "rb").read()
    if kind == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return z.read(z.namelist()[0])
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
        if data[257:262] == b"ustar":
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                return tar.extractfile(tar.getmembers()[0]).read()
    return data


def limit(v: Variant, rows: int, config: str, env: dict) -> dict:
    """``cat`` and ``gzip -1`` over the variant's CSV bytes (a file of ``rows`` rows), median of 3."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        proc = subprocess.run(_argv(v, rows, config, out, False), capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"generate {v.vendor}: {proc.stderr[-1500:]}")
        text = _csv_of(out, v.kind)
        csv_path = os.path.join(tmp, "rows.csv")
        with open(csv_path, "wb") as f:
            f.write(text)
        lines = text.count(b"\n") - 1
        got = {}
        for name, cmd in (("cat", ["cat", csv_path]), ("gzip -1", ["gzip", "-1", "-c", csv_path])):
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
                times.append(time.perf_counter() - t0)
            got[name] = lines / statistics.median(times)
        return {"rows": lines, "bytes": len(text), "bytes_per_row": len(text) / max(lines, 1),
                "cat_rows_per_s": got["cat"], "gzip1_rows_per_s": got["gzip -1"]}


def _ends(tree: str | None, variants: list[Variant], sizes: list[int]) -> dict:
    """Window ends per (variant label, size), sized with ``tree``'s own call universe (a child process)."""
    env = dict(os.environ, PYTHONPATH=tree) if tree else dict(os.environ)
    proc = subprocess.run([sys.executable, __file__, "--print-ends", "--sizes", ",".join(map(str, sizes)),
                           "--vendors", ",".join(sorted({v.vendor for v in variants}))],
                          capture_output=True, text=True, env=env, cwd=str(BENCH))
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-1500:])
    from datetime import datetime

    return {k: [datetime.fromisoformat(t) for t in ts] for k, ts in json.loads(proc.stdout).items()}


def print_ends(variants: list[Variant], sizes: list[int]) -> None:
    rt = runtime()
    out = {}
    for v in (v for v in variants if v.download):
        fraction = share(rt, v)
        out[f"{v.vendor} {v.label}"] = [window_end(rt, v, rows, fraction).isoformat() for rows in sizes]
    print(json.dumps(out))


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--vendors", default="didww,telnyx,yeti,mor,yeastar")
    ap.add_argument("--modes", default="generate,download,limit")
    ap.add_argument("--big-download-kinds", default="csv,gzip,zip",
                    help="kinds (csv, gzip, zip) whose downloads also run at the largest size; the others "
                         "download at the smaller sizes only (a 1M-row download is minutes on a loaded box)")
    ap.add_argument("--trees", default="",
                    help="label=DIR,... source trees to run side by side, each variant and size in turn "
                         "(first on PYTHONPATH); default: this tree only. The limit runs on the last one")
    ap.add_argument("--name", default="export", help="result file name in bench/out (default export)")
    ap.add_argument("--print-ends", action="store_true", help=argparse.SUPPRESS)
    ns = ap.parse_args(argv)
    sizes = [int(x) for x in ns.sizes.split(",")]
    vendors, modes = ns.vendors.split(","), ns.modes.split(",")
    variants = [v for v in VARIANTS if v.vendor in vendors]
    if ns.print_ends:
        print_ends(variants, sizes)
        return {}
    trees = [tuple(t.split("=", 1)) for t in ns.trees.split(",") if t] or [("this tree", None)]
    envs = {label: dict(os.environ, PYTHONPATH=path) if path else dict(os.environ) for label, path in trees}
    config = config_file()
    result = {"machine": machine(), "calls_per_day": CALLS_PER_DAY, "start": START.isoformat(), "rows": [],
              "trees": dict(trees), "limit": [],
              "memory": "generate: the process's VmHWM - its VmRSS after the imports (gen_probe.py); download: "
                        "the server's VmHWM - its VmRSS right before the request (peak reset through "
                        "/proc/<pid>/clear_refs), a fresh server per size warmed by a one-hour download; "
                        "repeats: the same, peak reset before the repeat; the render cache's own bytes apart"}
    say(f"export bench ({', '.join(label for label, _ in trees)}): load {result['machine']['loadavg']}")
    if "limit" in modes:       # first: a run cut short still has its limit line
        for v in variants:
            r = limit(v, max(sizes), config, envs[trees[-1][0]])
            result["limit"].append(dict(vendor=v.vendor, kind=v.kind, label=v.label, **r))
            write_result(ns.name, result)
            say(f"  limit    {v.vendor:<8}{v.label:<15}{r['rows']:>9} rows ({r['bytes_per_row']:.0f} B/row): "
                f"cat {r['cat_rows_per_s']:,.0f} rows/s, gzip -1 {r['gzip1_rows_per_s']:,.0f} rows/s")
    if "generate" in modes:
        for v in variants:
            for rows in sizes:
                for label, _path in trees:
                    r = generate(v, rows, config, envs[label])
                    result["rows"].append(dict(mode="generate", tree=label, vendor=v.vendor, kind=v.kind,
                                               label=v.label, loadavg=machine()["loadavg"], **r))
                    write_result(ns.name, result)      # so far: a run cut short keeps what it measured
                    say(f"  {label:<7} generate {v.vendor:<8}{v.label:<15}{rows:>9} rows {r['rows_per_s']:>9,.0f} "
                        f"rows/s (cpu {r['cpu_s']:.1f} s) peak +{r['peak_growth_mb']:.1f} MB; "
                        f"repeat {r.get('repeat_rows_per_s', 0):,.0f} rows/s +{r.get('repeat_peak_growth_mb', 0):.1f} MB")
    if "download" in modes:
        ends = {label: _ends(path, variants, sizes) for label, path in trees}
        for v in (v for v in variants if v.download):
            for i, rows in enumerate(sizes):
                if rows == max(sizes) and len(sizes) > 1 and v.kind not in ns.big_download_kinds.split(","):
                    continue
                for label, path in trees:
                    end = ends[label][f"{v.vendor} {v.label}"][i]
                    r = download_fresh(config, v, rows, end, {"PYTHONPATH": path} if path else None)
                    result["rows"].append(dict(mode="download", tree=label, vendor=v.vendor, kind=v.kind,
                                               label=v.label, loadavg=machine()["loadavg"], **r))
                    write_result(ns.name, result)
                    say(f"  {label:<7} download {v.vendor:<8}{v.label:<15}{r['rows']:>9} rows {r['rows_per_s']:>9,.0f} "
                        f"rows/s (server cpu {r['server_cpu_s']:.1f} s) peak +{r['peak_growth_mb']:.1f} MB; "
                        f"repeat {r['repeat_rows_per_s']:,.0f} rows/s +{r['repeat_peak_growth_mb']:.1f} MB")
    result["loadavg_end"] = machine()["loadavg"]
    write_result(ns.name, result)
    return result


def window_end_small(end):
    """A short window (the first hour) to warm a vendor's download path before timing it."""
    from datetime import timedelta

    return min(end, START + timedelta(hours=1))


if __name__ == "__main__":
    main()
