"""Logs: text or JSON in UTC, errors with their tracebacks on stderr, and the access log in the
Combined Log Format (UTC), from a real ``mockcdr serve``."""
import io
import json
import logging
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

import toyvendor
from mockcdr import logs
from mockcdr.app import build_runtime, create_app
from mockcdr.server import Servers
from mockcdr.settings import Settings

# host ident authuser [date] "request" status bytes "referer" "user-agent"
COMBINED = re.compile(r'^(?P<host>\S+) - - \[(?P<time>\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] '
                      r'"(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) (?P<bytes>\d+|-) '
                      r'"(?P<referer>(?:[^"\\]|\\.)*)" "(?P<agent>(?:[^"\\]|\\.)*)"$')
TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (?P<level>[A-Z]+) (?P<logger>\S+): ")


@pytest.fixture
def restore_logging():
    root, access = logging.getLogger(), logging.getLogger(logs.ACCESS)
    saved = (list(root.handlers), root.level, list(access.handlers), access.propagate, access.level)
    yield
    root.handlers[:], access.handlers[:] = saved[0], saved[2]
    root.setLevel(saved[1])
    access.propagate, access.level = saved[3], saved[4]


def _toy_servers(access_log: bool):
    runtime = build_runtime(Settings(vendors=()), [toyvendor.VENDOR])
    servers = Servers(runtime.registry, [("main", create_app(runtime=runtime), "127.0.0.1", 0)], access_log=access_log)
    servers.start()
    return servers, f"http://127.0.0.1:{servers.ports()['main']}"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_error_while_serving_is_logged_with_its_traceback_in_utc(restore_logging, fmt):
    err, out = io.StringIO(), io.StringIO()
    logs.configure(fmt, stream=err, access_stream=out)
    servers, url = _toy_servers(access_log=True)
    try:
        before = datetime.now(timezone.utc)
        assert requests.get(f"{url}/toy/boom", timeout=10).status_code == 500
    finally:
        servers.stop()
    servers.sessions.default.errors.clear()
    text = err.getvalue()
    if fmt == "text":
        first = text.splitlines()[0]
        assert TEXT.match(first) and "ERROR mockcdr: unexpected error serving GET /toy/boom" in first
        assert "Traceback (most recent call last):" in text and text.rstrip().endswith("RuntimeError: a bug")
        stamp = datetime.strptime(first[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)
    else:
        record = json.loads(text.splitlines()[0])
        assert (record["level"], record["logger"]) == ("ERROR", "mockcdr")
        assert record["message"] == "unexpected error serving GET /toy/boom"
        assert "Traceback" in record["exception"] and record["exception"].endswith("RuntimeError: a bug")
        assert record["time"].endswith("Z")
        stamp = datetime.fromisoformat(record["time"].replace("Z", "+00:00"))
        access = json.loads(out.getvalue().splitlines()[0])
        assert (access["method"], access["path"], access["status"]) == ("GET", "/toy/boom", 500)
        assert access["bytes"] > 0 and access["duration_ms"] >= 0 and access["time"].endswith("Z")
    assert abs(stamp - before) < timedelta(seconds=30)      # UTC, whatever the local zone


def test_the_access_log_middleware_writes_combined_lines_with_escapes(restore_logging):
    out = io.StringIO()
    runtime = build_runtime(Settings(vendors=()), [toyvendor.VENDOR])
    servers = Servers(runtime.registry, [("main", create_app(runtime=runtime), "127.0.0.1", 0)], access_log=True, out=out)
    servers.start()
    url = f"http://127.0.0.1:{servers.ports()['main']}"
    try:
        got = requests.get(f"{url}/_mockcdr/health?probe=1", headers={"User-Agent": 'tester "q" \\ x',
                                                                      "Referer": "http://ref.example/"}, timeout=10)
        requests.head(f"{url}/_mockcdr/health", timeout=10)
    finally:
        servers.stop()
    lines = out.getvalue().splitlines()
    first, second = (COMBINED.match(line) for line in lines)
    assert first["request"] == "GET /_mockcdr/health?probe=1 HTTP/1.1" and first["status"] == "200"
    assert first["agent"] == 'tester \\"q\\" \\\\ x' and first["referer"] == "http://ref.example/"
    assert int(first["bytes"]) == len(got.content) > 0
    assert second["request"].startswith("HEAD ") and second["bytes"] == "-" and second["referer"] == "-"
    when = datetime.strptime(first["time"], "%d/%b/%Y:%H:%M:%S %z")
    assert abs(when - datetime.now(timezone.utc)) < timedelta(seconds=30)


def test_the_access_log_names_the_path_as_requested_session_prefix_included(restore_logging):
    out = io.StringIO()
    runtime = build_runtime(Settings(vendors=()), [toyvendor.VENDOR])
    servers = Servers(runtime.registry, [("main", create_app(runtime=runtime), "127.0.0.1", 0)], access_log=True, out=out)
    servers.start()
    url = f"http://127.0.0.1:{servers.ports()['main']}"
    try:
        requests.put(f"{url}/_mockcdr/sessions/ci-7", timeout=10).raise_for_status()
        requests.get(f"{url}/_s/ci-7/_mockcdr/clock?x=1", timeout=10).raise_for_status()
    finally:
        servers.stop()
    requests_seen = [COMBINED.match(line)["request"] for line in out.getvalue().splitlines()]
    assert requests_seen == ["PUT /_mockcdr/sessions/ci-7 HTTP/1.1", "GET /_s/ci-7/_mockcdr/clock?x=1 HTTP/1.1"]


def _serve(*args):
    return subprocess.Popen([sys.executable, "-m", "mockcdr", "serve", "--port", "0", "--vendors", "yeastar",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _base_url(proc, json_banner: bool) -> str:
    first = proc.stdout.readline()
    if json_banner:
        return json.loads(first)["base_url"]
    return re.search(r"on (http://\S+)", first).group(1)


def _read_until(proc, n_lines: int, marker: str) -> list[str]:
    lines, deadline = [], time.monotonic() + 30
    while time.monotonic() < deadline and len([l for l in lines if marker in l]) < n_lines:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
    return lines


@pytest.mark.slow
def test_serve_access_log_is_combined_log_format_in_utc_on_stdout():
    proc = _serve("--access-log")
    try:
        base = _base_url(proc, json_banner=False)
        requests.post(f"{base}/api/v1.1.0/login", json={"username": "acme-api", "password": "x" * 32, "port": "8260"},
                      headers={"User-Agent": "pbx-client/1.0"}, timeout=10)
        lines = _read_until(proc, 1, "/api/v1.1.0/login")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "Press Ctrl+C to stop." in lines
    match = COMBINED.match(lines[-1])
    assert match, lines[-1]
    assert match["request"] == "POST /api/v1.1.0/login HTTP/1.1" and match["status"] == "200"
    assert match["agent"] == "pbx-client/1.0" and match["host"] == "127.0.0.1"
    assert proc.returncode == 0 and err == ""


@pytest.mark.slow
def test_serve_log_format_json_makes_stdout_json_lines():
    proc = _serve("--access-log", "--log-format", "json")
    try:
        base = _base_url(proc, json_banner=True)
        requests.get(f"{base}/_mockcdr/health", headers={"User-Agent": "probe"}, timeout=10)
        lines = _read_until(proc, 1, "/_mockcdr/health")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    record = json.loads(lines[-1])
    assert {k: record[k] for k in ("method", "path", "status", "user_agent", "remote_addr")} == {
        "method": "GET", "path": "/_mockcdr/health", "status": 200, "user_agent": "probe",
        "remote_addr": "127.0.0.1"}
    assert record["logger"] == "mockcdr.access" and record["time"].endswith("Z")
    assert proc.returncode == 0 and err == ""


def test_log_format_comes_from_the_environment_too(monkeypatch):
    from mockcdr.settings import from_sources

    assert from_sources(env={"MOCKCDR_LOG_FORMAT": "json"}).log_format == "json"
    assert from_sources(env={}).log_format == "text"
