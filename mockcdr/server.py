"""Serving one registry of sessions: its listeners (mockcdr.serving) and the ticker (access log: logs.py)."""
from __future__ import annotations

import threading
from typing import Callable, TextIO

from .core.sessions import Sessions
from .core.ticker import Ticker
from .logs import AccessLog, access_logger
from .serving import Limits, Listeners
from .serving.collector import Collector


def wrap(app, access_log: bool = False, out: TextIO | None = None):
    return AccessLog(app, access_logger(out)) if access_log else app


class ListenError(OSError):
    """A server could not listen: which one (``main``, a vendor slug, a session), on which host and port."""

    def __init__(self, name: str, host: str, port: int, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.name, self.host, self.port = name, host, port


def limits_of(settings) -> Limits:
    return Limits(max_body=settings.max_body, header_timeout=settings.header_timeout,
                  idle_timeout=settings.idle_timeout,
                  body_limit=_snapshot_limit(settings.max_snapshot))


def _snapshot_limit(max_snapshot: int):
    """A snapshot restore may carry max_snapshot bytes (the control API's own limit); others max_body."""
    def limit(method: str, path: bytes) -> int | None:
        if method == "POST" and path.split(b"?", 1)[0].endswith(b"/_mockcdr/snapshot"):
            return max_snapshot
        return None
    return limit


class Servers:
    """The listeners of one process over one registry of sessions, and its Ticker.

    Every listener shares the sessions; ``add_listener``/``remove_listener`` work before and while
    serving (a vendor's port, a session's own port). ``stop()`` gives requests in flight ``timeout``
    seconds.
    """

    def __init__(self, sessions: Sessions, apps: list[tuple[str, object, str, int]],
                 access_log: bool = False, threads: int = 8, out: TextIO | None = None):
        self.sessions = sessions
        self.access_log = access_log
        self.threads = threads
        self.out = out
        self.listeners = Listeners(threads=threads, limits=limits_of(sessions.settings))
        try:
            for name, app, host, port in apps:
                self.add_listener(name, app, host, port)
        except ListenError:
            self.listeners.stop(grace=0)
            raise
        self.ticker = Ticker(sessions)
        self._main_app = next((app for name, app, _h, _p in apps if name == "main"), None)
        self._host = next((host for name, _a, host, _p in apps if name == "main"), "127.0.0.1")
        if self._main_app is not None:
            sessions.open_port = self._open_session_port
            sessions.close_port = self._close_session_port

    def ports(self) -> dict[str, int]:
        return self.listeners.ports()

    # -- listeners added while serving -------------------------------------------------------
    def add_listener(self, name: str, app, host: str, port: int, threads: int | None = None) -> int:
        """Serve ``app`` on ``host:port`` too (0 picks a free port); returns the bound port.
        Every listener shares the one pool of worker threads (``threads`` is accepted and unused)."""
        try:
            return self.listeners.add(name, wrap(app, self.access_log, self.out), host, port)
        except OSError as exc:
            if isinstance(exc, ListenError):
                raise
            raise ListenError(name, host, port, exc) from exc

    def remove_listener(self, name: str, timeout: float = 5.0) -> None:
        """Stop serving ``name``'s port: idle connections close now, busy ones within ``timeout``."""
        try:
            self.listeners.remove(name, timeout)
        except KeyError:
            pass

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
    def start(self) -> None:
        self.ticker.start()
        self.listeners.start()

    def manage_garbage(self) -> Collector:
        """Keep full garbage collections short while serving (serving/collector.py): a process
        that serves and nothing else (``mockcdr serve``), since it freezes every object there is."""
        if self.listeners.collector is None:
            collector = Collector()
            collector.install()
            self.listeners.collector = collector
        return self.listeners.collector

    def stop(self, timeout: float = 5.0) -> None:
        self.ticker.stop()
        self.listeners.stop(grace=timeout)
        if self.listeners.collector is not None:
            self.listeners.collector.uninstall()
        self.sessions.open_port = self.sessions.close_port = None

    def wait(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        while not should_stop():
            if self.listeners.wait(0.2):
                return
