"""Serving one Runtime: its listeners (mockcdr.serving), a background ticker, an access log."""
from __future__ import annotations

import logging
import sys
import threading
import time
from datetime import datetime
from typing import Callable, TextIO

from .core.runtime import Runtime
from .serving import Limits, Listeners


class AccessLog:
    """One line per request: client, time, request line, status, bytes, seconds (at the body's end)."""

    def __init__(self, app, out: TextIO):
        self.app = app
        self.out = out
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        seen = {}

        def _start(status, headers, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        try:
            body = self.app(environ, _start)
        except BaseException:       # a dropped connection: logged without a status
            self.line(environ, "-", 0, time.perf_counter() - started)
            raise
        return _Logged(self, body, environ, seen, started)

    def line(self, environ, status: str, size: int, seconds: float) -> None:
        query = environ.get("QUERY_STRING")
        text = (f'{environ.get("REMOTE_ADDR", "-")} [{datetime.now().strftime("%d/%b/%Y %H:%M:%S")}] '
                f'"{environ["REQUEST_METHOD"]} {environ.get("PATH_INFO", "")}{"?" + query if query else ""}'
                f' {environ.get("SERVER_PROTOCOL", "")}" {status} {size} {seconds:.4f}s')
        with self.lock:
            print(text, file=self.out, flush=True)


class _Logged:
    """The app's body, counted; the log line is written when the server closes it."""

    def __init__(self, log: AccessLog, body, environ, seen, started):
        self.log, self.body, self.environ, self.seen, self.started = log, body, environ, seen, started
        self.size = 0

    def __iter__(self):
        for chunk in self.body:
            self.size += len(chunk)
            yield chunk

    def close(self):
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.log.line(self.environ, self.seen.get("status", "-"), self.size,
                          time.perf_counter() - self.started)


def wrap(app, access_log: bool = False, out: TextIO | None = None):
    return AccessLog(app, out or sys.stdout) if access_log else app


class Ticker(threading.Thread):
    """Sweeps jobs, schedules and deliveries every ``interval`` seconds, so callbacks and
    scheduled files go out even when nobody polls."""

    def __init__(self, runtime: Runtime, interval: float):
        super().__init__(name="mockcdr-ticker", daemon=True)
        self.runtime = runtime
        self.interval = interval
        self.stopped = threading.Event()

    def run(self):
        self.runtime.ticker_running = True
        try:
            while not self.stopped.wait(self.interval):
                try:
                    self.runtime.tick()
                except Exception as exc:  # keep ticking; surface it to test harnesses
                    self.runtime.errors.append(exc)
                    logging.getLogger("mockcdr").exception("background tick failed")
        finally:
            self.runtime.ticker_running = False

    def stop(self):
        self.stopped.set()


class Servers:
    """The listeners of one process over one Runtime, and its Ticker.

    Every listener shares the Runtime; ``add_listener``/``remove_listener`` work before and while
    serving (a session's own port, a vendor's port). ``stop()`` gives requests in flight ``grace``
    seconds.
    """

    def __init__(self, runtime: Runtime, apps: list[tuple[str, object, str, int]],
                 access_log: bool = False, threads: int = 8, out: TextIO | None = None):
        self.runtime = runtime
        self.access_log = access_log
        self.out = out
        settings = runtime.settings
        self.listeners = Listeners(threads=threads, limits=limits_of(settings))
        for name, app, host, port in apps:
            self.add_listener(name, app, host, port)
        self.ticker = Ticker(runtime, settings.tick_interval)

    def add_listener(self, name: str, wsgi_app, host: str, port: int) -> int:
        """Serve ``wsgi_app`` on host:port (0: a free port) under ``name``; returns the bound port."""
        return self.listeners.add(name, wrap(wsgi_app, self.access_log, self.out), host, port)

    def remove_listener(self, name: str, grace: float = 5.0) -> None:
        """Stop serving ``name``'s port: idle connections close now, busy ones after ``grace``."""
        self.listeners.remove(name, grace)

    def ports(self) -> dict[str, int]:
        return self.listeners.ports()

    def start(self) -> None:
        self.ticker.start()
        self.listeners.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.ticker.stop()
        self.listeners.stop(grace=timeout)

    def wait(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        while not should_stop():
            if self.listeners.wait(0.2):
                return


def limits_of(settings) -> Limits:
    return Limits(max_body=settings.max_body, header_timeout=settings.header_timeout,
                  idle_timeout=settings.idle_timeout)
