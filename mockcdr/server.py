"""Serving: waitress on one or more ports over one Runtime, a background ticker (access log: logs.py)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, TextIO

from waitress import create_server, wasyncore
from waitress.channel import ClientDisconnected

from .core.errors import DropConnection
from .core.runtime import Runtime
from .logs import AccessLog, access_logger

# waitress chatters about its task queue under load; the mock is quiet by default.
for _name in ("waitress", "waitress.queue"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# waitress reads asyncore_loop_timeout as whole seconds (int()): anything under 1 becomes 0, and a
# select() that never waits keeps the I/O thread spinning on a core (and on the GIL) even when idle.
# stop() wakes the loop itself, so a long timeout does not slow shutting down.
LOOP_TIMEOUT = 1


class DropMiddleware:
    """Turn DropConnection (raised by a fault) into waitress's own disconnect: no response."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            result = self.app(environ, start_response)
        except DropConnection:
            raise ClientDisconnected("dropped by an injected fault") from None
        return _guard(result)


def _guard(result):
    try:
        for chunk in result:
            yield chunk
    except DropConnection:
        raise ClientDisconnected("dropped by an injected fault") from None
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def wrap(app, access_log: bool = False, out: TextIO | None = None):
    wsgi = DropMiddleware(app)
    if access_log:
        wsgi = AccessLog(wsgi, access_logger(out))
    return wsgi


class ListenError(OSError):
    """A server could not listen: which one (``main`` or a vendor slug), on which host and port."""

    def __init__(self, name: str, host: str, port: int, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.name, self.host, self.port = name, host, port


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
    """The listening servers of one process; ``start()`` runs each on its own thread."""

    def __init__(self, runtime: Runtime, apps: list[tuple[str, object, str, int]],
                 access_log: bool = False, threads: int = 8, out: TextIO | None = None):
        self.runtime = runtime
        self.servers = []
        for name, app, host, port in apps:
            try:
                server = create_server(wrap(app, access_log, out), host=host, port=port, threads=threads,
                                       ident="mockcdr", clear_untrusted_proxy_headers=True,
                                       asyncore_loop_timeout=LOOP_TIMEOUT)
            except OSError as exc:
                for _name, opened in self.servers:
                    opened.close()
                raise ListenError(name, host, port, exc) from exc
            self.servers.append((name, server))
        self.ticker = Ticker(runtime, runtime.settings.tick_interval)
        self._threads: list[threading.Thread] = []

    def ports(self) -> dict[str, int]:
        return {name: int(server.effective_port) for name, server in self.servers}

    def start(self) -> None:
        self.ticker.start()
        for name, server in self.servers:
            t = threading.Thread(target=_run, args=(server,), name=f"mockcdr-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        self.ticker.stop()
        left = []
        for _name, server in self.servers:
            # let requests in flight finish before the sockets close under them
            server.task_dispatcher.shutdown(cancel_pending=False, timeout=timeout)
            # an empty map ends the loop at its next turn, and the trigger makes that turn now
            channels = {fd: ch for fd, ch in server._map.items() if ch is not server and ch is not server.trigger}
            server._map.clear()
            server.trigger.pull_trigger()
            server.close()                  # the listening socket and the trigger
            left.append(channels)
        for t in self._threads:
            t.join(timeout)
        for channels in left:
            wasyncore.close_all(channels)   # idle keep-alive channels

    def wait(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        while any(t.is_alive() for t in self._threads) and not should_stop():
            time.sleep(0.2)


def _run(server) -> None:
    try:
        server.run()
    except (OSError, ValueError):  # closed while the loop was polling
        pass
