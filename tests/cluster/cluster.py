"""mockcdr nodes and nginx (rendered from deploy/nginx) as real processes on free 127.0.0.1 ports."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
import render  # noqa: E402

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.path.exists(p)), None)
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed here (apt-get install nginx); .ci/run installs it in CI")
MOCKCDR = str(Path(sys.executable).parent / "mockcdr")
CLOCK = "2026-04-20T12:00:00Z"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"no 200 from {url} within {timeout} s: {log.read_text()[-2000:]}")


class Node:
    """One ``mockcdr serve`` process of the cluster, with an access log."""

    def __init__(self, name: str, port: int, run: Path):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = run / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, cluster: str, *args: str) -> None:
        argv = [MOCKCDR, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--node", self.name,
                "--cluster", cluster, "--trusted-proxy", "127.0.0.1", "--access-log",
                "--clock-start", CLOCK, *args]
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        wait_http(f"{self.url}/_mockcdr/health", self.proc, self.log)

    def kill(self) -> None:
        """Gone at once, as a crashed process is (SIGKILL)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def sessions(self) -> set[str]:
        """The ids this process holds (asked directly, not through the proxy)."""
        listed = requests.get(f"{self.url}/_mockcdr/sessions", params={"scope": "node"}, timeout=10).json()
        return {s["id"] for s in listed if not s["default"]}


class Proxy:
    """nginx with the repository's configuration, unprivileged, everything in its own folder."""

    def __init__(self, run: Path, nodes: list[Node], prefix: str = ""):
        self.dir = run / f"nginx{prefix.replace('/', '-')}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{prefix}"
        self.conf = render.standalone(self.dir, [(n.name, f"127.0.0.1:{n.port}") for n in nodes],
                                      f"127.0.0.1:{self.port}", prefix, daemon=False, workers="1")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.dir / "stderr.log"
        with open(log, "wb") as out:
            self.proc = subprocess.Popen([NGINX, "-p", str(self.dir), "-c", str(self.conf)], stdout=out,
                                         stderr=subprocess.STDOUT)
        wait_http(f"{self.url}/_proxy/health", self.proc, log)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()          # nginx: fast shutdown
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Cluster:
    """N nodes (n1 serves the root URL) and, with nginx, a proxy in front of them."""

    def __init__(self, run: Path, count: int = 2, proxy: bool = True, args: tuple[str, ...] = ()):
        self.nodes = [Node(f"n{i + 1}", free_port(), run) for i in range(count)]
        self.spec = ",".join(f"{n.name}={n.url}" for n in self.nodes)
        self.args = args
        self.run = run
        self.proxies: list[Proxy] = [Proxy(run, self.nodes)] if proxy else []

    @property
    def url(self) -> str:
        return self.proxies[0].url

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def add_proxy(self, prefix: str) -> Proxy:
        proxy = Proxy(self.run, self.nodes, prefix)
        proxy.start()
        self.proxies.append(proxy)
        return proxy

    def start(self) -> "Cluster":
        for node in self.nodes:
            node.start(self.spec, *self.args)
        for proxy in self.proxies:
            proxy.start()
        return self

    def stop(self) -> None:
        for proxy in self.proxies:
            proxy.stop()
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> "Cluster":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
