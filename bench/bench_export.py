"""Export generation: rows per second and peak memory growth for 10k, 100k and 1M rows per vendor format.

Two paths: ``mockcdr generate`` (a child process; memory is its VmHWM minus its VmRSS after
the imports, see gen_probe.py) and the download endpoint of a server started for that one
download (memory is the server's VmHWM minus its VmRSS right before the request, its peak
reset through /proc/<pid>/clear_refs, after a warm-up download of one hour). Rows per second are the file's rows over the wall time of the
command or of the request, last byte included.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import requests

from common import (BENCH, CLOCK, OUT, cpu_seconds, free_port, hwm_mb, machine, mock_server, reset_peak,
                    rss_mb, say, write_result)
from exports import (CALLS_PER_DAY, START, VARIANTS, Counter, Variant, config_file, download_request, immediate,
                     runtime, share, window_end)

SIZES = (10_000, 100_000, 1_000_000)


def generate(v: Variant, rows: int, config: str) -> dict:
    """``mockcdr generate`` through gen_probe.py, the file thrown away."""
    argv = [sys.executable, str(BENCH / "gen_probe.py")] + (["--no-gzip"] if v.no_gzip else []) + [
        "--", "generate", v.vendor, "--from", START.isoformat(), "--rows", str(rows), "--config", config,
        "--clock-start", CLOCK, "-o", "/dev/null"] + v.generate
    t0 = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"generate {v.vendor}: {proc.stderr[-1500:]}")
    probe = json.loads(proc.stderr.strip().splitlines()[-1])
    gen_s = probe["main_s"] - probe["build_runtime_s"]
    return {"rows": rows, "command_s": wall, "rows_per_s": rows / wall, "generation_s": gen_s,
            "generation_rows_per_s": rows / gen_s, "cpu_s": probe["cpu_s"],
            "peak_growth_mb": (probe["hwm_kb"] - probe["rss_before_kb"]) / 1024,
            "growth_after_build_mb": (probe["hwm_kb"] - probe["rss_after_build_kb"]) / 1024,
            "command": f"mockcdr generate {v.vendor} --from {START:%Y-%m-%d} --rows {rows} "
                       f"--calls-per-day {CALLS_PER_DAY} {' '.join(v.generate)} -o /dev/null"}


def download(s: requests.Session, base: str, pid: int, v: Variant, rows: int, end) -> dict:
    path, headers = download_request(s, base, v, end)
    rss0 = rss_mb(pid)
    reset_peak(pid)
    cpu0 = cpu_seconds(pid)
    counter = Counter(v.kind == "gzip")
    t0 = time.perf_counter()
    with s.get(base + path, headers=headers, stream=True, timeout=600) as resp:
        if resp.status_code != 200:
            raise RuntimeError(f"{v.vendor} download: {resp.status_code} {resp.text[:300]}")
        for chunk in resp.iter_content(1 << 16):
            counter.feed(chunk)
    wall = time.perf_counter() - t0
    got = counter.lines - 1
    return {"rows": got, "asked": rows, "bytes": counter.bytes, "request_s": wall, "rows_per_s": got / wall,
            "server_cpu_s": cpu_seconds(pid) - cpu0, "peak_growth_mb": hwm_mb(pid) - rss0, "rss_before_mb": rss0,
            "window": f"{START:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M:%S}"}


def download_fresh(config: str, v: Variant, rows: int, end) -> dict:
    """One download from a server of its own (a heap that earlier exports grew would hide the peak),
    after a one-hour download of the same kind has warmed the path (pools, shapes, imports)."""
    port = free_port()
    with mock_server(port, "--config", config, log=str(OUT / "export-mock.log")) as server, requests.Session() as s:
        server.wait_http(f"http://127.0.0.1:{port}/_mockcdr/health")
        base = f"http://127.0.0.1:{port}"
        immediate(s, base)
        download(s, base, server.pid, v, 100, window_end_small(end))
        result = download(s, base, server.pid, v, rows, end)
        result["server_rss_mb_after"] = rss_mb(server.pid)
        return result


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--vendors", default="didww,telnyx,yeti,mor,yeastar")
    ap.add_argument("--modes", default="generate,download")
    ns = ap.parse_args(argv)
    sizes = [int(x) for x in ns.sizes.split(",")]
    vendors, modes = ns.vendors.split(","), ns.modes.split(",")
    variants = [v for v in VARIANTS if v.vendor in vendors]
    config = config_file()
    result = {"machine": machine(), "calls_per_day": CALLS_PER_DAY, "start": START.isoformat(), "rows": [],
              "memory": "generate: the process's VmHWM - its VmRSS after the imports (gen_probe.py); download: "
                        "the server's VmHWM - its VmRSS right before the request (peak reset through "
                        "/proc/<pid>/clear_refs), a fresh server per download warmed by a one-hour download"}
    say(f"export bench: load {result['machine']['loadavg']}")
    if "generate" in modes:
        for v in variants:
            for rows in sizes:
                r = generate(v, rows, config)
                result["rows"].append(dict(mode="generate", vendor=v.vendor, kind=v.kind, label=v.label, **r))
                say(f"  generate {v.vendor:<8}{v.label:<26}{rows:>9} rows {r['rows_per_s']:>9,.0f} rows/s "
                    f"(generation {r['generation_rows_per_s']:,.0f})  peak +{r['peak_growth_mb']:.1f} MB")
    if "download" in modes:
        rt = runtime()
        ends = {}
        for v in (v for v in variants if v.download):
            fraction = share(rt, v)
            ends[id(v)] = [window_end(rt, v, rows, fraction) for rows in sizes]
        del rt
        for v in (v for v in variants if v.download):
            for rows, end in zip(sizes, ends[id(v)]):
                r = download_fresh(config, v, rows, end)
                result["rows"].append(dict(mode="download", vendor=v.vendor, kind=v.kind, label=v.label, **r))
                say(f"  download {v.vendor:<8}{v.label:<26}{r['rows']:>9} rows {r['rows_per_s']:>9,.0f} rows/s"
                    f"  peak +{r['peak_growth_mb']:.1f} MB")
    result["loadavg_end"] = machine()["loadavg"]
    write_result("export", result)
    return result


def window_end_small(end):
    """A short window (the first hour) to warm a vendor's download path before timing it."""
    from datetime import timedelta

    return min(end, START + timedelta(hours=1))


if __name__ == "__main__":
    main()
