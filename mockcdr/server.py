"""Serving: waitress on one or more ports over one registry of sessions, and the ticker (access log: logs.py)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, TextIO

from waitress import create_server, wasyncore
from waitress.channel import ClientDisconnected

from .core.errors import DropConnection
from .core.sessions import Sessions
from .core.ticker import Ticker
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
    """A server could not listen: which one (``main``, a vendor slug, a session), on which host and port."""

    def __init__(self, name: str, host: str, port: int, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.name, self.host, self.port = name, host, port


class Servers:
    """The listening servers of one process over one registry of sessions; ``start()`` runs each
    on its own thread. Sessions may ask for a port of their own while serving (``add_listener``)."""

    SESSION_THREADS = 4

    def __init__(self, sessions: Sessions, apps: list[tuple[str, object, str, int]],
                 access_log: bool = False, threads: int = 8, out: TextIO | None = None):
        self.sessions = sessions
        self.access_log = access_log
        self.threads = threads
        self.out = out
        self.servers: list[tuple[str, object]] = []
        self._lock = threading.Lock()
        self._running = False
        self._threads: dict[str, threading.Thread] = {}
        for name, app, host, port in apps:
            try:
                self.servers.append((name, self._server(app, host, port, threads, name)))
            except ListenError:
                for _name, opened in self.servers:
                    opened.close()
                raise
        self.ticker = Ticker(sessions)
        main = dict(self.servers).get("main")
        self._main_app = next((app for name, app, _h, _p in apps if name == "main"), None)
        self._host = next((host for name, _a, host, _p in apps if name == "main"), "127.0.0.1")
        if main is not None:
            sessions.open_port = self._open_session_port
            sessions.close_port = self._close_session_port

    def _server(self, app, host: str, port: int, threads: int, name: str = "main"):
        try:
            return create_server(wrap(app, self.access_log, self.out), host=host, port=port, threads=threads,
                                 ident="mockcdr",
                                 # with trusted proxies, the app sorts X-Forwarded-* out (core.forwarded)
                                 clear_untrusted_proxy_headers=not self.sessions.settings.trusted_proxies,
                                 asyncore_loop_timeout=LOOP_TIMEOUT)
        except OSError as exc:
            raise ListenError(name, host, port, exc) from exc

    def ports(self) -> dict[str, int]:
        with self._lock:
            return {name: int(server.effective_port) for name, server in self.servers}

    # -- listeners added while serving -------------------------------------------------------
    def add_listener(self, name: str, app, host: str, port: int, threads: int | None = None) -> int:
        """Serve ``app`` on ``host:port`` too (0 picks a free port); returns the bound port."""
        server = self._server(app, host, port, threads or self.SESSION_THREADS, name)
        with self._lock:
            self.servers.append((name, server))
            if self._running:
                self._spawn(name, server)
        return int(server.effective_port)

    def remove_listener(self, name: str, timeout: float = 5.0) -> None:
        with self._lock:
            found = [(n, s) for n, s in self.servers if n == name]
            self.servers = [(n, s) for n, s in self.servers if n != name]
            thread = self._threads.pop(name, None)
        for _name, server in found:
            channels = _close(server, timeout)
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
            wasyncore.close_all(channels)

    def _open_session_port(self, session, port: int) -> int:
        from .core.routing import SessionRouter

        inner = self._main_app.wsgi_app.app        # the Flask app behind the main port's router
        app = SessionRouter(inner, self.sessions, fixed=session)
        return self.add_listener(f"session:{session.id}", app, self._host, port)

    def _close_session_port(self, session) -> None:
        name = f"session:{session.id}"
        # a session may be deleted by a request on its own port: close from another thread
        threading.Thread(target=self.remove_listener, args=(name,), daemon=True).start()

    # -- running ---------------------------------------------------------------------------------
    def _spawn(self, name: str, server) -> None:
        t = threading.Thread(target=_run, args=(server,), name=f"mockcdr-{name}", daemon=True)
        t.start()
        self._threads[name] = t

    def start(self) -> None:
        self.ticker.start()
        with self._lock:
            self._running = True
            for name, server in self.servers:
                self._spawn(name, server)

    def stop(self, timeout: float = 5.0) -> None:
        self.ticker.stop()
        with self._lock:
            self._running = False
            servers = list(self.servers)        # kept: ports() still names what was served
            threads, self._threads = list(self._threads.values()), {}
        left = [_close(server, timeout) for _name, server in servers]
        for t in threads:
            t.join(timeout)
        for channels in left:
            wasyncore.close_all(channels)   # idle keep-alive channels
        self.sessions.open_port = self.sessions.close_port = None

    def wait(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        while any(t.is_alive() for t in list(self._threads.values())) and not should_stop():
            time.sleep(0.2)


def _close(server, timeout: float) -> dict:
    """Stop a waitress server's loop and listening socket; returns its open channels."""
    # let requests in flight finish before the sockets close under them
    server.task_dispatcher.shutdown(cancel_pending=False, timeout=timeout)
    # an empty map ends the loop at its next turn, and the trigger makes that turn now
    channels = {fd: ch for fd, ch in server._map.items() if ch is not server and ch is not server.trigger}
    server._map.clear()
    server.trigger.pull_trigger()
    server.close()                  # the listening socket and the trigger
    return channels


def _run(server) -> None:
    try:
        server.run()
    except (OSError, ValueError):  # closed while the loop was polling
        pass
