"""Runs ``mockcdr generate`` in this process and reports its time and peak memory growth as JSON.

    python bench/gen_probe.py [--no-gzip] -- generate didww --from ... --rows N -o /dev/null

Memory: VmHWM (peak RSS) at the end minus VmRSS just before ``main()``, after the imports.
``--no-gzip`` swaps the vendor's gzip stage for a pass-through, to time its CSV stage alone.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def _kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def main() -> int:
    args = sys.argv[1:]
    no_gzip = "--no-gzip" in args[:args.index("--")]
    argv = args[args.index("--") + 1:]
    import mockcdr.app
    from mockcdr import cli

    if no_gzip:
        import mockcdr.vendors.didww.files as didww_files
        import mockcdr.vendors.yeti.formats as yeti_formats

        def passthrough(chunks, *_, **__):
            yield from chunks
        didww_files.gzip_chunks = passthrough
        yeti_formats.gzip_chunks = passthrough
    built = {}
    real_build = mockcdr.app.build_runtime

    def timed_build(*a, **kw):
        t = time.perf_counter()
        runtime = real_build(*a, **kw)
        built["seconds"] = time.perf_counter() - t
        built["rss_kb"] = _kb("VmRSS")
        return runtime
    mockcdr.app.build_runtime = timed_build
    rss0 = _kb("VmRSS")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    code = cli.main(argv)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    print(json.dumps({"code": code, "main_s": wall, "cpu_s": cpu, "build_runtime_s": built.get("seconds", 0.0),
                      "rss_before_kb": rss0, "rss_after_build_kb": built.get("rss_kb", rss0),
                      "hwm_kb": _kb("VmHWM")}), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
