"""The loop thread and its listening sockets: add and remove listeners while serving, time out idle clients, stop with a grace."""
from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from dataclasses import dataclass

from .collector import Collector
from .protocol import HttpProtocol
from .wsgi import Workers

log = logging.getLogger("mockcdr.serving")


@dataclass(frozen=True)
class Limits:
    """What one client may cost: head and body sizes, and how long it may keep a connection quiet."""
    max_body: int = 1024 * 1024         # larger bodies are refused from their declared length, unread
    max_head: int = 64 * 1024           # request line and headers together
    header_timeout: float = 10.0        # from a request's first byte to the end of its headers
    idle_timeout: float = 30.0          # no byte read or written (between requests, mid-body, stalled reader)
    send_buffer: int = 128 * 1024       # SO_SNDBUF of each connection (Linux doubles it)
    body_limit: object = None           # (method, target) -> a larger limit for that request, or None
    streamers: int = 2                  # threads that pull the next chunks of streamed responses


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (Linux, macOS), asyncio's own loop otherwise."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def raise_fd_limit() -> None:
    """Let the process hold as many sockets as the hard limit allows (idle clients are cheap here)."""
    try:
        import resource
    except ImportError:     # Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        except (ValueError, OSError):
            pass


def bind(host: str, port: int, backlog: int = 2048) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if host in ("", "::") or ":" not in host:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family = infos[0][0] if infos else family
        addr = infos[0][4][:2] if infos else (host, port)
    else:
        addr = (host, port)
    dual = host == "::" and socket.has_dualstack_ipv6()
    sock = socket.create_server(addr, family=family, backlog=backlog, dualstack_ipv6=dual)
    sock.setblocking(False)
    return sock


class Site:
    """One listening socket and its connections, serving one WSGI app."""

    def __init__(self, owner: "Listeners", name: str, app, sock: socket.socket):
        self.owner = owner
        self.name = name
        self.app = app
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.loop = owner.loop
        self.limits = owner.limits
        self.workers = owner.workers
        self.streamers = owner.streamers
        self.connections: set[HttpProtocol] = set()
        self.stopping = False
        self.server: asyncio.AbstractServer | None = None
        self.emptied: asyncio.Event | None = None

    def changed(self) -> None:
        if self.stopping and not self.connections and self.emptied is not None:
            self.emptied.set()

    async def start(self) -> None:
        self.server = await self.loop.create_server(lambda: HttpProtocol(self), sock=self.sock,
                                                    start_serving=True)

    async def stop(self, grace: float) -> None:
        """Stop accepting; idle connections close now, busy ones after their response or the grace."""
        self.stopping = True
        self.emptied = asyncio.Event()
        if self.server is not None:
            self.server.close()
        else:
            self.sock.close()
        for conn in list(self.connections):
            conn.shutdown()
        self.changed()
        if self.connections:
            try:
                await asyncio.wait_for(self.emptied.wait(), grace)
            except asyncio.TimeoutError:
                pass
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.abort()
        self.connections.clear()


class Listeners:
    """Every listening socket of the process on one loop thread, over one pool of worker threads.

    ``add(name, app, host, port)`` binds at once (the port is known before serving starts) and
    serves as soon as the loop runs; it and ``remove(name)`` may be called from any thread while
    serving.
    """

    def __init__(self, threads: int = 8, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.threads = threads
        self.loop = new_loop()
        self.workers: Workers | None = None
        self.streamers: Workers | None = None
        self.sites: dict[str, Site] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self.collector: Collector | None = None     # set to manage garbage collection (collector.py)

    # -- listeners ----------------------------------------------------------------------------
    def add(self, name: str, app, host: str, port: int) -> int:
        with self._lock:
            if name in self.sites:
                raise ValueError(f"a listener named {name!r} exists already")
            site = self.sites[name] = Site(self, name, app, bind(host, port))
        if self.running:
            self._run(site.start())
        return site.port

    def remove(self, name: str, grace: float = 5.0) -> None:
        with self._lock:
            site = self.sites.pop(name)
        if self.running:
            self._run(site.stop(grace), timeout=grace + 5)
        else:
            site.sock.close()

    def ports(self) -> dict[str, int]:
        return {name: site.port for name, site in self.sites.items()}

    # -- the loop -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._started.is_set()

    def start(self) -> None:
        raise_fd_limit()
        self.workers = Workers(self.threads)
        self.streamers = Workers(self.limits.streamers, name="mockcdr-stream")
        for site in self.sites.values():
            site.workers, site.streamers = self.workers, self.streamers
        self._thread = threading.Thread(target=self._serve, name="mockcdr-loop", daemon=True)
        self._thread.start()
        self._started.wait(10)
        for site in list(self.sites.values()):
            self._run(site.start())

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._started.set)
        self.loop.call_soon(self._sweep)
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def _sweep(self) -> None:
        now = self.loop.time()
        for site in list(self.sites.values()):
            for conn in list(site.connections):
                conn.expire(now)
        if self.collector is not None:
            try:
                self.collector.check()
            except Exception:       # never stop the sweeps over it
                log.exception("garbage collection sweep")
        self.loop.call_later(min(0.5, self.limits.header_timeout / 4, self.limits.idle_timeout / 4), self._sweep)

    def _run(self, coro, timeout: float = 10.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, grace: float = 5.0) -> None:
        """Stop every listener (in-flight requests get ``grace`` seconds), then the loop and the pool."""
        if self.running:
            async def _all():
                await asyncio.gather(*(site.stop(grace) for site in self.sites.values()))
            try:
                self._run(_all(), timeout=grace + 5)
            except Exception:
                log.exception("stopping the listeners")
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(5)
        else:
            for site in self.sites.values():
                site.sock.close()
        for pool in (self.workers, self.streamers):
            if pool is not None:
                pool.stop(timeout=0.5)
        self.workers = self.streamers = None

    def wait(self, timeout: float | None = None) -> bool:
        """Block while the loop runs; True when it has ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._thread is not None and self._thread.is_alive():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            self._thread.join(0.2 if left is None else min(0.2, left))
        return True
