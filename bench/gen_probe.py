"""Runs ``mockcdr generate`` in this process and reports its time and peak memory growth as JSON.

    python bench/gen_probe.py [--repeat] -- generate didww --from ... --rows N -o /dev/null

Memory: VmHWM (peak RSS) at the end minus VmRSS just before ``main()``, after the imports; CPU: this
process's and that of any child process it waited for (``children_cpu_s``; their largest peak RSS,
shared pages of a fork included, is ``children_maxrss_kb``), so work moved to other processes counts.
``--repeat`` runs the same command a second time in this process over the same runtime (so its
render cache, if the tree has one), after resetting the peak: ``repeat_s``, ``repeat_hwm_kb``
over ``rss_before_repeat_kb``, and the cache's own size (``cache_bytes``).
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path


def _kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _children_cpu() -> float:
    """CPU time of the child processes waited for, user + system."""
    t = os.times()
    return t.children_user + t.children_system


def main() -> int:
    args = sys.argv[1:]
    options = args[:args.index("--")]
    if "--no-gzip" in options:
        raise SystemExit("--no-gzip: gzip is no longer a stage of its own (deflate runs per day on a "
                         "worker thread); bench_export.py measures cat and gzip -1 on the same bytes instead")
    repeat = "--repeat" in options
    argv = args[args.index("--") + 1:]
    import mockcdr.app
    from mockcdr import cli

    built = {}
    real_build = mockcdr.app.build_runtime

    def timed_build(*a, **kw):
        if "runtime" in built:          # the repeat: the same runtime, its cache warm
            return built["runtime"]
        t = time.perf_counter()
        runtime = real_build(*a, **kw)
        built["seconds"] = time.perf_counter() - t
        built["rss_kb"] = _kb("VmRSS")
        built["runtime"] = runtime
        return runtime
    mockcdr.app.build_runtime = timed_build
    rss0 = _kb("VmRSS")
    cpu0, kids0 = time.process_time(), _children_cpu()
    t0 = time.perf_counter()
    code = cli.main(argv)
    wall = time.perf_counter() - t0
    kids = _children_cpu() - kids0
    cpu = time.process_time() - cpu0 + kids
    result = {"code": code, "main_s": wall, "cpu_s": cpu, "build_runtime_s": built.get("seconds", 0.0),
              "rss_before_kb": rss0, "rss_after_build_kb": built.get("rss_kb", rss0), "hwm_kb": _kb("VmHWM"),
              "children_cpu_s": kids, "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
    if repeat and code == 0:
        Path("/proc/self/clear_refs").write_text("5")
        result["rss_before_repeat_kb"] = _kb("VmRSS")
        t0 = time.perf_counter()
        code = cli.main(argv)
        result["repeat_s"] = time.perf_counter() - t0
        result["repeat_hwm_kb"] = _kb("VmHWM")
    cache = getattr(built.get("runtime"), "render_cache", None)
    result["cache_bytes"] = cache.stats()["bytes"] if cache is not None else None
    print(json.dumps(result), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
