"""Test harness: LiveServer (a real server in this process), ExternalServer, and sessions on either."""
from __future__ import annotations

import threading
import time
from typing import Iterable

from .control_client import ControlAPIError, ControlClient
from .settings import Settings

__all__ = ["LiveServer", "ExternalServer", "SessionHandle", "ControlClient", "ControlAPIError", "ServerError"]


class ServerError(AssertionError):
    """An unexpected exception raised on the server thread, re-raised in the test."""


def _raise_first(errors: list[BaseException]) -> None:
    if errors:
        raise ServerError(f"the mock raised {errors[0]!r} while serving a request") from errors[0]


class SessionHandle:
    """One session of a server, as a test sees it: ``url`` is its base URL (``.../_s/{id}``),
    ``control`` steers it; ``runtime`` is the Session itself when the server runs in this process.
    ``close()`` deletes it (and everything it holds)."""

    def __init__(self, server, session_id: str, url: str, control: ControlClient, runtime=None):
        self.server = server
        self.id = session_id
        self.url = url
        self.control = control
        self.runtime = runtime

    @property
    def port(self) -> int:
        return self.server.port

    def vendor_url(self, slug: str) -> str:
        """This session on the port that serves ``slug`` alone (see ``vendor_ports``)."""
        return f"{self.server.vendor_url(slug)}/_s/{self.id}"

    def reset(self) -> None:
        self.control.reset()
        if self.runtime is not None:
            self.runtime.errors.clear()

    def take_errors(self) -> list[BaseException]:
        if self.runtime is None:
            return []
        errors = list(self.runtime.errors)
        self.runtime.errors.clear()
        return errors

    def raise_errors(self) -> None:
        """Re-raise (as ServerError) the first unexpected exception this session's requests raised."""
        _raise_first(self.take_errors())

    def close(self) -> None:
        try:
            self.control.delete_session(self.id)
        except (OSError, ControlAPIError):
            pass


class LiveServer:
    """A real server on 127.0.0.1 with a free port, in this process.

    Use it as a context manager; ``url`` is ready once ``start()`` returns. ``runtime`` is the
    default session (the root URL), so tests may also steer it in-process; ``session()`` makes
    an isolated one.
    """

    def __init__(self, settings: Settings | None = None, *, vendors: Iterable[str] | None = None,
                 extra_vendors=(), vendor_ports: Iterable[str] = ()):
        from .app import build_sessions, create_app
        from .server import Servers

        settings = settings or Settings()
        settings = settings.with_(host="127.0.0.1", port=0,
                                  vendors=tuple(vendors) if vendors is not None else settings.vendors,
                                  vendor_ports={slug: 0 for slug in vendor_ports})
        self.settings = settings
        self.sessions = build_sessions(settings, extra_vendors)
        self.runtime = self.sessions.default
        apps = [("main", create_app(sessions=self.sessions), "127.0.0.1", 0)]
        apps += [(slug, create_app(sessions=self.sessions, only=[slug]), "127.0.0.1", 0)
                 for slug in settings.vendor_ports]
        self._servers = Servers(self.sessions, apps, threads=settings.threads)
        self.ready = threading.Event()
        self._started = False

    @property
    def port(self) -> int:
        return self._servers.ports()["main"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def vendor_url(self, slug: str) -> str:
        """The URL of the port that serves ``slug`` alone (see ``vendor_ports``)."""
        return f"http://127.0.0.1:{self._servers.ports()[slug]}"

    def start(self) -> "LiveServer":
        if not self._started:
            self._servers.start()
            self._started = True
            self.ready.set()
        return self

    def stop(self) -> None:
        if self._started:
            self._servers.stop()
            self._started = False
            self.ready.clear()

    def session(self, session_id: str | None = None, **spec) -> SessionHandle:
        """An isolated session on this server (created in process: no HTTP round trip)."""
        from .core.sessions import SessionError

        try:
            session, _created = self.sessions.create(session_id, spec)
        except SessionError as exc:
            raise ControlAPIError(exc.status, str(exc)) from None
        url = f"{self.url}/_s/{session.id}"
        return SessionHandle(self, session.id, url, ControlClient(url, token=self.settings.control_token),
                             runtime=session)

    def reset(self) -> None:
        """Back to the default session's start (seed, clock, transitions)."""
        self.runtime.reset()
        self.runtime.errors.clear()

    def take_errors(self) -> list[BaseException]:
        errors = list(self.runtime.errors)
        self.runtime.errors.clear()
        return errors

    def raise_errors(self) -> None:
        """Re-raise (as ServerError) the first unexpected exception seen on the server thread."""
        _raise_first(self.take_errors())

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ExternalServer:
    """A mock that is already running (a container, ``mockcdr serve``): same surface as
    LiveServer, steered only through the control API."""

    def __init__(self, url: str, wait: float = 30.0, token: str | None = None):
        self.url = url.rstrip("/")
        self.control = ControlClient(self.url, token=token)     # token: default $MOCKCDR_CONTROL_TOKEN
        deadline = time.monotonic() + wait
        while True:
            try:
                self.control.health()
                break
            except (OSError, ControlAPIError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    @property
    def port(self) -> int | None:
        from urllib.parse import urlsplit

        return urlsplit(self.url).port

    def vendor_url(self, slug: str) -> str:
        raise NotImplementedError("vendor ports of an external server are not known here")

    def session(self, session_id: str | None = None, **spec) -> SessionHandle:
        """An isolated session on that server (``PUT /_mockcdr/sessions/{id}``)."""
        doc = self.control.put_session(session_id, **spec) if session_id else self.control.create_session(**spec)
        return SessionHandle(self, doc["id"], doc["base_url"], ControlClient(doc["base_url"], token=self.control.token))

    def reset(self) -> None:
        self.control.reset()

    def raise_errors(self) -> None:
        """Errors of a server in another process show in its own log, not here."""
