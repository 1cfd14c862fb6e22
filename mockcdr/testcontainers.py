"""MockcdrContainer: the mockcdr image under Testcontainers, healthy, with its URL and a ControlClient.

Needs the ``[testcontainers]`` extra. As a pytest plugin (``pytest_plugins = ["mockcdr.testcontainers"]``
in a conftest.py, or ``-p mockcdr.testcontainers``) it adds the session fixture ``mockcdr_container``
and the option ``--mockcdr-image`` (default ``$MOCKCDR_IMAGE``, else ``mockcdr:latest``).
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

try:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.exceptions import ContainerStartException
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("mockcdr.testcontainers needs the testcontainers package: "
                      "pip install 'mockcdr[testcontainers]'") from exc

from .control_client import ControlAPIError, ControlClient

DEFAULT_IMAGE = "mockcdr:latest"
PORT = 8080
FIXTURES_MOUNT = "/etc/mockcdr/fixtures"


class MockcdrContainer(DockerContainer):
    """The mockcdr image in a container: every vendor on port 8080 inside, published on a free
    host port. ``start()`` returns once ``/_mockcdr/health`` answers 200; a container that exits
    first (a bad setting, say) fails at once with its own error message.

    Settings are the image's ``MOCKCDR_*`` variables: ``seed``, ``vendors``, ``calls_per_day``,
    ``clock_start`` and ``access_log`` here, any other through ``env`` or ``with_env``.
    ``fixtures`` is a host file or folder, mounted read-only and used as ``--fixtures``.
    ``host_ip`` limits the published port to one host address (e.g. ``127.0.0.1``).
    """

    def __init__(self, image: str = DEFAULT_IMAGE, *, seed: str | None = None,
                 vendors: str | list[str] | tuple[str, ...] | None = None, calls_per_day: int | None = None,
                 clock_start: str | None = None, access_log: bool = False, fixtures: str | os.PathLike | None = None,
                 env: dict[str, str] | None = None, host_ip: str | None = None, startup_timeout: float = 60,
                 **kwargs: Any):
        super().__init__(image, env=dict(env or {}), **kwargs)
        settings = {"MOCKCDR_SEED": seed, "MOCKCDR_CALLS_PER_DAY": calls_per_day, "MOCKCDR_CLOCK_START": clock_start,
                    "MOCKCDR_VENDORS": ",".join(vendors) if isinstance(vendors, (list, tuple)) else vendors,
                    "MOCKCDR_ACCESS_LOG": "true" if access_log else None}
        for key, value in settings.items():
            if value is not None:
                self.with_env(key, str(value))
        if fixtures is not None:
            source = Path(fixtures).resolve()
            target = f"{FIXTURES_MOUNT}/{source.name}" if source.is_file() else FIXTURES_MOUNT
            self.with_volume_mapping(str(source.parent if source.is_file() else source),
                                     FIXTURES_MOUNT, "ro")
            self.with_env("MOCKCDR_FIXTURES", target)
        # docker-py takes (host address, host port) for a port bound to one address
        self.ports[f"{PORT}/tcp"] = (host_ip, None) if host_ip else None
        self.startup_timeout = startup_timeout
        self._url: str | None = None

    def start(self) -> "MockcdrContainer":
        super().start()
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        wrapped = self.get_wrapped_container()
        last: Exception | None = None
        while time.monotonic() < deadline:
            wrapped.reload()
            if wrapped.status in ("exited", "dead"):
                code = wrapped.attrs.get("State", {}).get("ExitCode")
                said = wrapped.logs(stdout=False).decode("utf-8", "replace").strip()
                raise ContainerStartException(f"mockcdr container {wrapped.short_id} exited with status "
                                              f"{code} before it was healthy: {said or '(no message)'}")
            if wrapped.status == "running":
                try:
                    self._url = (f"http://{self.get_container_host_ip()}:"
                                 f"{self.get_docker_client().port(wrapped.id, PORT)}")
                    if ControlClient(self._url, timeout=2).health().get("status") == "ok":
                        return
                except (OSError, ValueError, ControlAPIError) as exc:   # not listening yet
                    last = exc
            time.sleep(0.2)
        raise TimeoutError(f"mockcdr container {wrapped.short_id} was not healthy within "
                           f"{self.startup_timeout:g} s (last: {last}); its output:\n"
                           f"{wrapped.logs().decode('utf-8', 'replace')[-2000:]}")

    def get_base_url(self) -> str:
        """``http://host:port`` of the running container (every vendor's paths start here)."""
        if self._url is None:
            raise ContainerStartException("the mockcdr container is not started")
        return self._url

    @property
    def url(self) -> str:
        return self.get_base_url()

    def get_control_client(self) -> ControlClient:
        """A ControlClient for the container's ``/_mockcdr`` API (clock, faults, journal...)."""
        return ControlClient(self.get_base_url())

    @property
    def control(self) -> ControlClient:
        return self.get_control_client()


try:
    import pytest
except ImportError:  # pragma: no cover - the class works without pytest
    pytest = None

if pytest is not None:
    def pytest_addoption(parser):
        parser.getgroup("mockcdr").addoption(
            "--mockcdr-image", default=None,
            help=f"image for the mockcdr_container fixture (default $MOCKCDR_IMAGE or {DEFAULT_IMAGE})")

    @pytest.fixture(scope="session")
    def mockcdr_container(pytestconfig):
        """One mockcdr container per session (per xdist worker), healthy; reset it in your tests
        with ``mockcdr_container.control.reset()``."""
        image = pytestconfig.getoption("--mockcdr-image") or os.environ.get("MOCKCDR_IMAGE") or DEFAULT_IMAGE
        with MockcdrContainer(image) as container:
            yield container
