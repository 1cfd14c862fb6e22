"""Test harness: LiveServer (a real threaded server on 127.0.0.1, port 0) and ControlClient."""
from __future__ import annotations

import threading
import time
from typing import Iterable

from .control_client import ControlAPIError, ControlClient
from .settings import Settings

__all__ = ["LiveServer", "ExternalServer", "ControlClient", "ControlAPIError", "ServerError"]


class ServerError(AssertionError):
    """An unexpected exception raised on the server thread, re-raised in the test."""


class LiveServer:
    """A real waitress server on 127.0.0.1 with a free port, in this process.

    Use it as a context manager; ``url`` is ready once ``start()`` returns. State is shared
    with ``runtime``, so tests may also steer it in-process.
    """

    def __init__(self, settings: Settings | None = None, *, vendors: Iterable[str] | None = None,
                 extra_vendors=(), vendor_ports: Iterable[str] = ()):
        from .app import build_runtime, create_app
        from .server import Servers

        settings = settings or Settings()
        settings = settings.with_(host="127.0.0.1", port=0,
                                  vendors=tuple(vendors) if vendors is not None else settings.vendors,
                                  vendor_ports={slug: 0 for slug in vendor_ports})
        self.settings = settings
        self.runtime = build_runtime(settings, extra_vendors)
        apps = [("main", create_app(runtime=self.runtime), "127.0.0.1", 0)]
        apps += [(slug, create_app(runtime=self.runtime, only=[slug]), "127.0.0.1", 0)
                 for slug in settings.vendor_ports]
        self._servers = Servers(self.runtime, apps, threads=settings.threads)
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

    def reset(self) -> None:
        """Back to the seeded initial state (the pytest plugin does this before each test)."""
        self.runtime.reset()
        self.runtime.errors.clear()

    def take_errors(self) -> list[BaseException]:
        errors = list(self.runtime.errors)
        self.runtime.errors.clear()
        return errors

    def raise_errors(self) -> None:
        """Re-raise (as ServerError) the first unexpected exception seen on the server thread."""
        errors = self.take_errors()
        if errors:
            raise ServerError(f"the mock raised {errors[0]!r} while serving a request") from errors[0]

    def __enter__(self) -> "LiveServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class ExternalServer:
    """A mock that is already running (a container, ``mockcdr serve``): same surface as
    LiveServer, steered only through the control API."""

    def __init__(self, url: str, wait: float = 30.0):
        self.url = url.rstrip("/")
        self.control = ControlClient(self.url)
        deadline = time.monotonic() + wait
        while True:
            try:
                self.control.health()
                break
            except (OSError, ControlAPIError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def reset(self) -> None:
        self.control.reset()

    def raise_errors(self) -> None:
        """Errors of a server in another process show in its own log, not here."""
