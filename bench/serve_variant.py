"""``mockcdr serve`` with one process-level knob changed, for bench/ab_tail.py and bench/bench_gc.py.

    python serve_variant.py [gc=default|startfreeze|nofreeze|freeze|freeze-thresholds|off] [switch=SECONDS] -- serve ARGS...

``mockcdr serve`` itself freezes every object once serving starts and then the survivors of each
full collection (serving/collector.py), sweeping when idle. ``gc=startfreeze``: only the freeze at
start (the server before the collector); ``gc=nofreeze``: no freeze at all (as before that);
``gc=freeze``: a full collection first, then the freeze; ``freeze-thresholds``:
that and gen-0 threshold 50,000; ``off``: no automatic collection at all (a bound: not a setting
anyone should ship). ``switch``: ``sys.setswitchinterval``. ``gcstats=PATH``: every collection's generation and
duration, written to PATH as JSON at exit.
"""
from __future__ import annotations

import atexit
import gc
import json
import sys
import time


def main(argv: list[str]) -> int:
    split = argv.index("--")
    knobs = dict(a.split("=", 1) for a in argv[:split])
    mode = knobs.get("gc", "default")
    if "gcstats" in knobs:
        _record_gc(knobs["gcstats"])
    if "switch" in knobs:
        sys.setswitchinterval(float(knobs["switch"]))
    from mockcdr import server
    start = server.Servers.start

    def start_then_gc(self):
        if mode in ("freeze", "freeze-thresholds"):
            gc.collect()
            gc.freeze()
        if mode == "freeze-only":
            gc.freeze()
        if mode == "freeze-thresholds":
            gc.set_threshold(50_000, 20, 100)
        if mode == "off":
            gc.disable()
        start(self)
    server.Servers.start = start_then_gc
    if mode != "default":
        # the collector is the default; every other mode sets the collection up itself
        server.Servers.manage_garbage = (lambda self: gc.freeze()) if mode == "startfreeze" else (lambda self: None)
    from mockcdr.cli import main as cli_main
    return cli_main(argv[split + 1:])


def _record_gc(path: str) -> None:
    seen, started = [], {}

    def callback(phase, info):
        if phase == "start":
            if info["generation"] == 2:
                started["n"] = len(gc.get_objects(2))
            started["t"] = time.thread_time()
        else:
            seen.append((info["generation"], (time.thread_time() - started.pop("t", time.thread_time())) * 1000,
                         info["collected"], started.pop("n", 0)))
    gc.callbacks.append(callback)

    def dump():
        by_gen = {}
        for gen, ms, *_ in seen:
            by_gen.setdefault(gen, []).append(ms)
        with open(path, "w") as f:
            json.dump({str(g): {"count": len(v), "total_ms": sum(v), "max_ms": max(v),
                                "over_1ms": sum(1 for x in v if x > 1)} for g, v in sorted(by_gen.items())}
                      | {"full": [(round(ms, 2), collected, n) for gen, ms, collected, n in seen if gen == 2]}, f)
    atexit.register(dump)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
