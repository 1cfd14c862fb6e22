"""pytest plugin (pytest11): fixtures over mockcdr.testing; the logic lives there."""
from __future__ import annotations

import os

import pytest

from .control_client import ControlClient
from .settings import Settings, from_sources
from .testing import ExternalServer, LiveServer


def pytest_addoption(parser):
    group = parser.getgroup("mockcdr")
    group.addoption("--mockcdr-seed", default=None, help="seed of the mock's fake data (MOCKCDR_SEED)")
    group.addoption("--mockcdr-vendors", default=None, help="vendors to serve, comma separated")
    group.addoption("--mockcdr-fixtures", default=None, help="fixtures file or folder")
    group.addoption("--mockcdr-url", default=None,
                    help="use an already running mock (e.g. a container) instead of starting one "
                         "(MOCKCDR_URL)")
    group.addoption("--mockcdr-control-token", default=None,
                    help="the control token of the mock at --mockcdr-url, also required by the mock this "
                         "plugin starts (MOCKCDR_CONTROL_TOKEN)")
    group.addoption("--mockcdr-validate", action="store_true", default=False,
                    help="check every response the mock sends against its OpenAPI spec and fail "
                         "the test that provoked one the spec does not describe")
    parser.addini("mockcdr_seed", "seed of the mock's fake data", default=None)
    parser.addini("mockcdr_vendors", "vendors to serve, comma separated", default=None)


def pytest_configure(config):
    token = config.getoption("--mockcdr-control-token")
    if token:
        # read with the other MOCKCDR_* settings and by ControlClient: the started mock, the
        # clients and ExternalServer agree on it
        os.environ["MOCKCDR_CONTROL_TOKEN"] = token
    if config.getoption("--mockcdr-validate"):
        # read by Settings() when apps and live servers are built, in this process and children
        os.environ["MOCKCDR_VALIDATE_RESPONSES"] = "1"


@pytest.fixture(autouse=True)
def _mockcdr_spec_check():
    """With validation on, a response the spec does not describe fails the test that caused it."""
    if os.environ.get("MOCKCDR_VALIDATE_RESPONSES", "").lower() not in ("1", "true", "yes", "on"):
        yield
        return
    from .contract import VIOLATIONS

    VIOLATIONS.clear()
    yield
    if VIOLATIONS:
        found = list(dict.fromkeys(str(v) for v in VIOLATIONS))
        VIOLATIONS.clear()
        pytest.fail("the mock sent responses its spec does not describe:\n  " + "\n  ".join(found),
                    pytrace=False)


def _option(config, name: str):
    value = config.getoption(f"--mockcdr-{name}")
    if value is None:
        value = config.getini(f"mockcdr_{name}") if name in ("seed", "vendors") else None
    return value or None


@pytest.fixture(scope="session")
def mockcdr_session_settings(pytestconfig) -> Settings:
    """Settings from ``--mockcdr-*`` options, ini values and ``MOCKCDR_*`` environment."""
    cli = {"seed": _option(pytestconfig, "seed"), "vendors": _option(pytestconfig, "vendors"),
           "fixtures": _option(pytestconfig, "fixtures")}
    env = {k: v for k, v in os.environ.items() if k.startswith("MOCKCDR_") and k != "MOCKCDR_URL"}
    return from_sources(cli={k: v for k, v in cli.items() if v}, env=env)


@pytest.fixture
def mockcdr_settings(mockcdr_session_settings) -> Settings:
    """Settings of the in-process app; override this fixture to change them per test/module."""
    return mockcdr_session_settings


@pytest.fixture
def mockcdr_app(mockcdr_settings):
    """A fresh in-process Flask app per test; its Runtime is ``app.extensions['mockcdr']``."""
    from .app import create_app

    app = create_app(mockcdr_settings)
    app.config["TESTING"] = True
    yield app
    errors = app.extensions["mockcdr"].errors
    if errors:
        raise errors[0]


@pytest.fixture
def mockcdr_client(mockcdr_app):
    """Flask's test client for ``mockcdr_app``."""
    return mockcdr_app.test_client()


@pytest.fixture(scope="session")
def _mockcdr_live(pytestconfig, mockcdr_session_settings):
    url = pytestconfig.getoption("--mockcdr-url") or os.environ.get("MOCKCDR_URL")
    if url:
        yield ExternalServer(url)
        return
    server = LiveServer(mockcdr_session_settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mockcdr_server(_mockcdr_live):
    """One live server per session (per xdist worker), reset before each test.

    An unexpected exception on the server thread fails the test that caused it.
    """
    _mockcdr_live.reset()
    yield _mockcdr_live
    _mockcdr_live.raise_errors()


@pytest.fixture
def mockcdr_control(mockcdr_server) -> ControlClient:
    """A ControlClient for ``mockcdr_server``."""
    return ControlClient(mockcdr_server.url)
