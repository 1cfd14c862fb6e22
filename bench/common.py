"""Shared by the bench scripts: the machine, child processes, their memory and CPU, and result files."""
from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
BIN = Path(sys.executable).parent
MOCKCDR = str(BIN / "mockcdr")
CLOCK = "2026-04-20T12:00:00Z"      # the frozen virtual instant every HTTP bench runs at
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def timed(fn, n: int) -> float:
    """Median milliseconds of ``fn()`` over ``n`` calls."""
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return median(out) * 1000


def in_tree(module: str, call: str, tree: str | None, timeout: float = 3600) -> dict:
    """``bench/<module>.py``'s ``call`` (an expression giving JSON-able data) run in a child
    process against the mockcdr of ``tree`` (another version's source, first on PYTHONPATH) or of
    this checkout, with this venv's libraries; its last stdout line, parsed. The child's stderr
    (progress) is passed on; a failure raises with its tail."""
    env = dict(os.environ, MOCKCDR_VALIDATE_RESPONSES="0")
    if tree:
        env["PYTHONPATH"] = tree
    code = (f"import sys, json; sys.path.insert(0, {str(BENCH)!r}); import {module} as b; "
            f"import mockcdr; assert mockcdr.__file__.startswith({(tree or str(ROOT))!r}), mockcdr.__file__; "
            f"print(json.dumps({call}))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout,
                          cwd=tree or tempfile.gettempdir())       # not this checkout: sys.path[0] is the cwd
    if done.returncode != 0:
        raise RuntimeError(f"{call} ({tree or 'after'}): {done.stderr[-2000:]}")
    sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def machine() -> dict:
    """What RESULTS.md says about the box a run happened on."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")
    commit = _version(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"])
    return {"nproc": os.cpu_count(), "cpu": model, "loadavg": loadavg(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(), "kernel": platform.release(),
            "wrk": _version(["wrk", "--version"]) if shutil.which("wrk") else "missing",
            "node": _version(["node", "--version"]), "commit": commit}


# -- /proc ------------------------------------------------------------------------------------
def status_kb(pid: int, field: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/<pid>/status, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def rss_mb(pid: int) -> float:
    return status_kb(pid, "VmRSS") / 1024


def hwm_mb(pid: int) -> float:
    return status_kb(pid, "VmHWM") / 1024


def reset_peak(pid: int) -> None:
    """Set VmHWM back to the current RSS (Linux >= 4.0), so the next peak is this step's own."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU time the process has used so far (``children``: with that of the child
    processes it has waited for, so that work moved to other processes is still counted)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = int(fields[11]) + int(fields[12])
    return (own + (int(fields[13]) + int(fields[14]) if children else 0)) / TICKS


# -- child processes --------------------------------------------------------------------------
class Proc:
    """A child process (a server) that we start, wait for, measure and stop by its own pid."""

    def __init__(self, argv: list[str], env: dict | None = None, cwd: str | None = None, log: str | None = None):
        self.argv = argv
        self.log_path = log
        out = open(log, "wb") if log else subprocess.DEVNULL
        self.started = time.perf_counter()
        self.popen = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                      env={**os.environ, **(env or {})})
        if log:
            out.close()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def wait_http(self, url: str, timeout: float = 60.0, interval: float = 0.005) -> float:
        """Seconds from process start to the first 200 from ``url``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited with {self.popen.returncode}: {self.tail()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - self.started
            except OSError:
                time.sleep(interval)
        raise TimeoutError(f"no 200 from {url} within {timeout} s: {self.tail()}")

    def tail(self) -> str:
        if not self.log_path:
            return ""
        try:
            return Path(self.log_path).read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def mock_server(port: int, *args: str, env: dict | None = None, log: str | None = None,
                clock: str | None = CLOCK, tree: str | None = None) -> Proc:
    """``mockcdr serve`` on 127.0.0.1:port, on a frozen virtual clock unless ``clock`` is None.

    ``tree``: a source tree of another version (``git archive``) to serve instead, first on PYTHONPATH.
    """
    head = [sys.executable, "-m", "mockcdr.cli"] if tree else [MOCKCDR]
    argv = [*head, "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    extra = {"MOCKCDR_VALIDATE_RESPONSES": "0"}
    if tree:
        extra["PYTHONPATH"] = os.pathsep.join([tree] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
    if clock:
        argv += ["--clock-start", clock]
        extra["MOCKCDR_CLOCK_FROZEN"] = "1"
    # in the tree itself: ``python -m`` puts the working directory first on sys.path, and a run
    # from this checkout's root would import this version instead
    return Proc(argv, env={**extra, **(env or {})}, log=log, cwd=tree)


# -- results ----------------------------------------------------------------------------------
def write_result(name: str, data: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, default=str))
    return path


def read_result(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def say(*parts) -> None:
    print(*parts, flush=True, file=sys.stderr)


def checked(resp, *codes: int):
    """The response of a bench request, or RuntimeError when its status is not one of ``codes`` (200)."""
    if resp.status_code not in (codes or (200,)):
        raise RuntimeError(f"{resp.request.method} {resp.url}: {resp.status_code} {resp.text[:300]}")
    return resp


def path_and_query(url: str) -> str:
    """The path and query of an absolute URL (the server's own links, replayed by wrk)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
