"""pytest plugin (pytest11): fixtures over mockcdr.testing; the logic lives there."""
from __future__ import annotations

import hashlib
import os
import re
import secrets

import pytest

from . import pytest_coverage
from .control_client import ControlClient
from .settings import Settings, from_sources
from .testing import ExternalServer, LiveServer

_VALIDATE = pytest.StashKey[bool]()
_RUN = secrets.token_hex(2)      # tells apart runs of the same suite against one shared server
_APPS: dict[str, object] = {}    # in-process apps by World, built once per process


def pytest_addoption(parser):
    group = parser.getgroup("mockcdr")
    group.addoption("--mockcdr-seed", default=None, help="seed of the mock's fake data (MOCKCDR_SEED)")
    group.addoption("--mockcdr-vendors", default=None, help="vendors to serve, comma separated")
    group.addoption("--mockcdr-fixtures", default=None, help="fixtures file or folder")
    group.addoption("--mockcdr-url", default=None,
                    help="use an already running mock (e.g. a container) instead of starting one; "
                         "every test gets a session of its own there (MOCKCDR_URL)")
    group.addoption("--mockcdr-control-token", default=None,
                    help="the control token of the mock at --mockcdr-url, also required by the mock this "
                         "plugin starts (MOCKCDR_CONTROL_TOKEN)")
    group.addoption("--mockcdr-validate", action="store_true", default=False,
                    help="check every response the mock sends against its OpenAPI spec and fail "
                         "the test that provoked one the spec does not describe (needs the "
                         "[validate] extra)")
    group.addoption("--mockcdr-coverage", default=None, metavar="PATH",
                    help="write the API coverage of the whole run (every test's mock session, every "
                         "xdist worker) to PATH as JSON and to PATH.html as a page")
    group.addoption("--mockcdr-coverage-fail-under", type=float, default=None, metavar="N",
                    help="fail the run when under N%% of the documented responses were exercised "
                         "(of the vendors --mockcdr-vendors names, else of those the run used)")
    parser.addini("mockcdr_seed", "seed of the mock's fake data (as --mockcdr-seed)", default=None)
    parser.addini("mockcdr_vendors", "vendors to serve, comma separated (as --mockcdr-vendors)",
                  default=None)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "mockcdr_session(seed=None, clock=None, calls_per_day=None, vendor_options=None, "
                   "transitions=None): start this test's mock session with these values")
    validate = bool(config.getoption("--mockcdr-validate"))
    if validate:
        try:
            import jsonschema_rs  # noqa: F401
        except ImportError:
            raise pytest.UsageError("--mockcdr-validate needs the validate extra: "
                                    "pip install 'mockcdr[validate]'") from None
    config.stash[_VALIDATE] = validate
    pytest_coverage.configure(config)


def _cover(config, session=None, control=None) -> None:
    """Hand a test's session to the coverage report (with --mockcdr-coverage) before it goes."""
    collector = pytest_coverage.collector(config)
    if collector is not None:
        collector.take(session=session, control=control)


def _validating(config) -> bool:
    env = os.environ.get("MOCKCDR_VALIDATE_RESPONSES", "").lower() in ("1", "true", "yes", "on")
    return config.stash.get(_VALIDATE, False) or env


@pytest.fixture(autouse=True)
def _mockcdr_spec_check(request):
    """With validation on, a response the spec does not describe fails the test that caused it."""
    if not _validating(request.config):
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


def _spec(request) -> dict:
    marker = request.node.get_closest_marker("mockcdr_session")
    return dict(marker.kwargs) if marker else {}


def _session_name(request, n: int = 0) -> str:
    """``<worker>-<run>-<hash>-<test name>``: readable in the server's session list, unique per
    worker, run and test (1-64 characters of A-Za-z0-9._-)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    digest = hashlib.sha256(f"{request.node.nodeid}#{n}".encode()).hexdigest()[:8]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name).strip("-")
    return f"{worker}-{_RUN}-{digest}-{name}"[:64].rstrip("-.")


@pytest.fixture(scope="session")
def mockcdr_session_settings(pytestconfig) -> Settings:
    """Settings from ``--mockcdr-*`` options, ini values and ``MOCKCDR_*`` environment."""
    cli = {"seed": _option(pytestconfig, "seed"), "vendors": _option(pytestconfig, "vendors"),
           "fixtures": _option(pytestconfig, "fixtures")}
    if _validating(pytestconfig):
        cli["validate_responses"] = True
    # the started mock requires it, and its clients send it (an option, not the environment)
    cli["control_token"] = pytestconfig.getoption("--mockcdr-control-token")
    env = {k: v for k, v in os.environ.items() if k.startswith("MOCKCDR_") and k != "MOCKCDR_URL"}
    return from_sources(cli={k: v for k, v in cli.items() if v}, env=env)


@pytest.fixture
def mockcdr_settings(mockcdr_session_settings) -> Settings:
    """Settings of the in-process app; override this fixture to change them per test/module."""
    return mockcdr_session_settings


def _app_for(settings: Settings):
    """The in-process app of a World, built once per process (its sessions change per test)."""
    from .app import create_app
    from .core.world import world_key

    key = world_key(settings)
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(settings)
        app.config["TESTING"] = True
    return app


@pytest.fixture
def mockcdr_app(mockcdr_settings, request):
    """The in-process Flask app with a fresh session for this test (the root URL serves it);
    the session is ``app.extensions['mockcdr']``. The World (vendors, fixtures, pools) is built
    once per distinct settings per process, so this costs well under a millisecond per test."""
    from .core.session import Session
    from .core.sessions import SessionError

    app = _app_for(mockcdr_settings)
    sessions = app.extensions["mockcdr.sessions"]
    try:
        start, world, _port = sessions.parse_spec(_spec(request), settings=mockcdr_settings)
    except SessionError as exc:
        raise pytest.UsageError(f"mockcdr_session marker: {exc}") from None
    session = app.extensions["mockcdr"] = sessions.replace_default(Session(world, "default", start))
    yield app
    _cover(request.config, session=session)
    if session.errors:
        raise session.errors[0]


@pytest.fixture
def mockcdr_client(mockcdr_app):
    """Flask's test client for ``mockcdr_app``."""
    return mockcdr_app.test_client()


@pytest.fixture(scope="session")
def _mockcdr_live(pytestconfig, mockcdr_session_settings):
    url = pytestconfig.getoption("--mockcdr-url") or os.environ.get("MOCKCDR_URL")
    if url:
        yield ExternalServer(url, token=mockcdr_session_settings.control_token)
        return
    server = LiveServer(mockcdr_session_settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mockcdr_server(_mockcdr_live, request):
    """A session of its own for this test on a live server: the one this process started (one
    per xdist worker), or the one ``--mockcdr-url`` names (shared by every worker and job).
    ``.url`` is the session's base URL; it is deleted after the test. An unexpected exception
    inside an in-process server fails the test that caused it."""
    handle = _mockcdr_live.session(_session_name(request), **_spec(request))
    try:
        yield handle
        handle.raise_errors()
    finally:
        _cover(request.config, session=handle.runtime, control=handle.control)
        handle.close()


@pytest.fixture
def mockcdr_control(mockcdr_server) -> ControlClient:
    """A ControlClient for ``mockcdr_server``'s session."""
    return mockcdr_server.control


@pytest.fixture
def mockcdr_session(_mockcdr_live, request):
    """Make more sessions on the live server for this test: ``mockcdr_session(seed="x",
    clock={"now": "2026-01-01T00:00:00Z", "frozen": True})``; each is deleted after the test."""
    made = []

    def make(session_id: str | None = None, **spec):
        handle = _mockcdr_live.session(session_id or _session_name(request, len(made) + 1), **spec)
        made.append(handle)
        return handle

    try:
        yield make
        for handle in made:
            handle.raise_errors()
    finally:
        for handle in made:
            _cover(request.config, session=handle.runtime, control=handle.control)
            handle.close()


@pytest.fixture
def mockcdr_verify(request):
    """``mockcdr_verify(vendor, operation, count=None, status=None, where=None)``: assert what
    this test's mock session received (``mockcdr_server``'s, else ``mockcdr_app``'s), as
    ``ControlClient.verify`` does; an AssertionError lists the near misses."""
    def control() -> ControlClient:
        names = request.fixturenames
        if "mockcdr_app" in names and not {"mockcdr_server", "mockcdr_control"} & set(names):
            return ControlClient.for_app(request.getfixturevalue("mockcdr_app"))
        return request.getfixturevalue("mockcdr_control")

    def verify(vendor: str, operation: str, count: int | None = None, status: int | None = None, where=None):
        __tracebackhide__ = True
        return control().verify(vendor, operation, count=count, status=status, where=where)

    return verify
