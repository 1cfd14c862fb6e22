"""Browser tests: Debian's chromium driven headless through Selenium and its chromium-driver, and
Firefox (firefox-esr) through its own WebDriver BiDi endpoint (test_dashboard_firefox.py).

Skipped, saying what is missing, when chromium, chromedriver, firefox-esr or selenium is not
installed (``.ci/run`` installs the packages, so CI runs them). One browser per xdist worker; each test gets
a session of its own on one live server and opens that session's dashboard.
"""
from __future__ import annotations

import http.server
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

START = "2026-04-16T12:00:00Z"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1440,1000", "--force-device-scale-factor=1")


def _missing() -> str | None:
    chromium = os.environ.get("MOCKCDR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    driver = os.environ.get("MOCKCDR_CHROMEDRIVER") or shutil.which("chromedriver")
    wanted = []
    if not chromium:
        wanted.append("chromium (apt-get install chromium)")
    if not driver:
        wanted.append("chromedriver (apt-get install chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        wanted.append("selenium (pip install -e '.[test]')")
    return "the dashboard's browser tests need " + ", ".join(wanted) if wanted else None


@pytest.fixture(scope="session")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def driver(downloads):
    missing = _missing()
    if missing:
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("MOCKCDR_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    profile = tempfile.mkdtemp(prefix="mockcdr-chromium-")
    for flag in FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})   # console, network
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    service = Service(os.environ.get("MOCKCDR_CHROMEDRIVER") or shutil.which("chromedriver"))
    browser = webdriver.Chrome(service=service, options=options)
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    with LiveServer(Settings(seed="browser")) as live:
        yield live


TOKEN = "dashboard-test-token"


@pytest.fixture(scope="session")
def token_server():
    """A live server whose control API needs a bearer token."""
    with LiveServer(Settings(seed="browser", control_token=TOKEN)) as live:
        yield live


@pytest.fixture
def make_session(server):
    """Sessions on the live server (``make_session("name", seed=...)``), each with its clock frozen
    at START, deleted after the test."""
    made = []

    def make(session_id: str | None = None, **spec):
        handle = server.session(session_id, **{"clock": {"now": START, "frozen": True}, **spec})
        made.append(handle)
        return handle

    yield make
    for handle in made:
        handle.close()


@pytest.fixture
def session(make_session):
    """A session of its own for the test, its clock frozen at START."""
    return make_session()


class _Receiver(http.server.BaseHTTPRequestHandler):
    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.received.append((self.command, self.path, self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _record

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """Where DIDWW's callbacks go: a server on 127.0.0.1 answering 200 and keeping what came."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(driver, session):
    from dashboard_page import DashboardPage

    dash = DashboardPage(driver, session.url)
    driver.get_log("browser")            # what earlier tests left
    driver.get_log("performance")
    yield dash
    driver.execute_script("try { sessionStorage.clear() } catch (e) {}")
    driver.get("about:blank")            # no more polls once the test's session is deleted
    driver.get_log("browser")
