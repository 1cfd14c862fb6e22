"""The mockcdr command: spec printing and the control subcommands against a running server."""
import json
import subprocess
import sys

import pytest
import yaml

import toyvendor
from mockcdr import resources
from mockcdr.cli import main
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_spec_prints_every_shipped_spec(capsys):
    code, out, _ = run(capsys, "spec", "--list")
    assert code == 0 and "control" in out.split()
    for name in out.split():
        code, text, _ = run(capsys, "spec", name)
        assert code == 0 and yaml.safe_load(text)["openapi"].startswith("3.")
        assert text == resources.spec_path(name).read_text()


def test_spec_unknown_name_is_an_error_not_a_traceback(capsys):
    code, _, err = run(capsys, "spec", "nosuch")
    assert code == 2 and "Traceback" not in err
    assert err == ("mockcdr spec: argument name: no spec named 'nosuch'; valid: control, didww, mor, telnyx, "
                   "yeastar, yeti (see 'mockcdr spec --help')\n")


@pytest.fixture
def live():
    with LiveServer(Settings(vendors=()), extra_vendors=[toyvendor.VENDOR]) as server:
        yield server


def test_control_commands_steer_a_running_server(live, capsys):
    url = ["control", "--url", live.url]
    assert json.loads(run(capsys, *url, "health")[1]) == {"status": "ok"}
    assert json.loads(run(capsys, *url, "clock", "set", "2026-04-16T12:00:00Z", "--frozen")[1])["frozen"]
    state = json.loads(run(capsys, *url, "clock", "advance", "PT2H")[1])
    assert state["now"] == "2026-04-16T14:00:00.000Z"
    fault = json.loads(run(capsys, *url, "faults", "add", "toy", "error", "--status", "503",
                           "--operation", "createExport", "--count", "1")[1])
    assert fault["status"] == 503 and fault["count"] == 1
    assert len(json.loads(run(capsys, *url, "faults")[1])) == 1
    policy = json.loads(run(capsys, *url, "transitions", "set", "toy.export", "after_polls", "--polls", "3")[1])
    assert policy["policy"]["polls"] == 3
    assert json.loads(run(capsys, *url, "journal")[1])["entries"] == []
    assert json.loads(run(capsys, *url, "reset")[1])["status"] == "reset"
    assert json.loads(run(capsys, *url, "faults")[1]) == []


def test_control_errors_are_one_line_with_the_servers_message(live, capsys):
    code, _, err = run(capsys, "control", "--url", live.url, "clock", "advance", "whenever")
    assert code == 1 and "by:" in err and f"(HTTP 400 from {live.url})" in err
    code, _, err = run(capsys, "control", "--url", "http://127.0.0.1:9", "health")
    assert code == 1 and "cannot reach" in err


def test_control_sessions_and_acting_on_one(live, capsys):
    url = ["control", "--url", live.url]
    made = json.loads(run(capsys, *url, "sessions", "create", "cli-1", "--seed", "cli",
                          "--clock-now", "2026-01-01T00:00:00Z", "--frozen")[1])
    assert made["id"] == "cli-1" and made["base_url"] == f"{live.url}/_s/cli-1" and made["seed"] == "cli"
    state = json.loads(run(capsys, *url, "--session", "cli-1", "clock", "advance", "PT1H")[1])
    assert state["now"] == "2026-01-01T01:00:00.000Z"
    assert json.loads(run(capsys, *url, "clock")[1])["frozen"] is False        # the root's clock
    generated = json.loads(run(capsys, *url, "sessions", "create")[1])["id"]
    listed = {s["id"] for s in json.loads(run(capsys, *url, "sessions")[1])}
    assert listed == {"default", "cli-1", generated}
    assert json.loads(run(capsys, *url, "sessions", "show", "cli-1")[1])["clock"]["frozen"] is True
    assert json.loads(run(capsys, *url, "sessions", "delete", "cli-1")[1]) == {"deleted": "cli-1"}
    code, _, err = run(capsys, *url, "--session", "cli-1", "clock")
    assert code == 1 and "no session 'cli-1'" in err


def test_snapshot_save_and_load_through_files(live, capsys, tmp_path):
    url = ["control", "--url", live.url]
    run(capsys, *url, "clock", "freeze", "2026-02-02T00:00:00Z")
    path = tmp_path / "snap.json"
    assert run(capsys, *url, "snapshot", "save", str(path))[0] == 0
    run(capsys, *url, "clock", "advance", "P10D")
    assert run(capsys, *url, "snapshot", "load", str(path))[0] == 0
    assert json.loads(run(capsys, *url, "clock")[1])["now"] == "2026-02-02T00:00:00.000Z"


def test_the_console_script_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "mockcdr.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("mockcdr ")


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(*args, env=None):
    import os
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "mockcdr.cli", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=full_env)


def _wait_health(url: str, proc) -> None:
    import time
    import requests
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read())
        try:
            if requests.get(f"{url}/_mockcdr/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("server did not come up")


@pytest.mark.slow
def test_serve_prints_base_urls_and_credentials_and_serves_every_vendor_and_a_vendor_port():
    import requests
    port, didww_port = _free_port(), _free_port()
    proc = _serve("--port", str(port), "--vendor-port", f"didww={didww_port}", env={"MOCKCDR_SEED": "cli-seed"})
    try:
        _wait_health(f"http://127.0.0.1:{port}", proc)
        info = requests.get(f"http://127.0.0.1:{port}/_mockcdr/info").json()
        assert info["seed"] == "cli-seed" and {v["slug"] for v in info["vendors"]} == {
            "didww", "telnyx", "yeti", "mor", "yeastar"}
        alone = requests.get(f"http://127.0.0.1:{didww_port}/v3/exports",
                             headers={"Api-Key": "didww-test-globex-51a7c9d2"})
        assert alone.status_code == 200 and alone.json()["meta"]["total_records"] == 0
        assert requests.get(f"http://127.0.0.1:{didww_port}/api/v1.1.0/login").status_code == 404
        page = requests.get(f"http://127.0.0.1:{port}/_mockcdr/ui/")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert f"serving 5 vendors on http://127.0.0.1:{port}" in out
    dashboard = next(l.split()[1] for l in out.splitlines() if l.strip().startswith("dashboard"))
    assert dashboard == f"http://127.0.0.1:{port}/_mockcdr/ui/"
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for slug in ("didww", "telnyx", "yeti", "mor", "yeastar"):
        line = next(l for l in out.splitlines() if l.strip().startswith(slug))
        assert f"http://127.0.0.1:{port}/" in line
    assert "didww-test-globex-51a7c9d2" in out and "acme-api" in out
    assert f"(alone on port {didww_port})" in out
    assert err == ""     # quiet by default


def _in_flight(url: str, proc, latency_ms: int):
    """Start a DIDWW request held by a latency fault; returns (thread, box with its outcome)."""
    import threading
    import time
    import requests
    _wait_health(url, proc)
    requests.post(f"{url}/_mockcdr/faults", json={"vendor": "didww", "kind": "latency",
                                                  "latency_ms": latency_ms}).raise_for_status()
    box = {}

    def call():
        try:
            box["response"] = requests.get(f"{url}/v3/exports", timeout=30)
        except requests.RequestException as exc:
            box["error"] = exc

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.5)
    return t, box


def test_sigterm_lets_requests_in_flight_finish_and_refuses_new_ones():
    import signal
    import time
    import requests
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve("--port", str(port), "--vendors", "didww")
    try:
        t, box = _in_flight(url, proc, 2000)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{url}/_mockcdr/health", timeout=2)
        t.join(10)
        proc.wait(10)
    finally:
        proc.kill()
        proc.communicate()
    assert box["response"].status_code == 401          # answered (no key), after its latency
    assert box["response"].json()["errors"][0]["status"] == "401"
    assert proc.returncode == 0 and time.monotonic() - t0 < 5


def test_sigterm_grace_is_bounded_and_a_second_signal_stops_at_once():
    import signal
    import time
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _serve("--port", str(port), "--vendors", "didww", "--shutdown-grace", "1")
    try:
        t, box = _in_flight(url, proc, 20_000)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        bounded = time.monotonic() - t0
        t.join(10)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 0 and 0.9 < bounded < 4 and "error" in box     # cut off after the grace
    proc = _serve("--port", str(port), "--vendors", "didww")
    try:
        t, box = _in_flight(url, proc, 20_000)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        at_once = time.monotonic() - t0
        t.join(10)
    finally:
        proc.kill()
        _, err = proc.communicate()
    assert proc.returncode == 128 + signal.SIGTERM and at_once < 2 and "stopped at once" in err


def test_a_bad_fixtures_file_stops_start_up_with_the_field_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tenants:\n  acme:\n    name: ACME\n    dids: ['not-a-number']\n")
    proc = _serve("--port", str(_free_port()), "--fixtures", str(bad))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "tenants.acme.dids[0]: 'not-a-number' is not an E.164 number" in err
    assert "Traceback" not in err


def test_a_bad_vendor_section_names_the_vendor_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("didww:\n  customers:\n    mine: {tenant: acme}\n")
    proc = _serve("--port", str(_free_port()), "--fixtures", str(bad))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "didww.customers.mine" in err and "api_key" in err
    assert "Traceback" not in err


def test_bad_settings_from_the_environment_are_one_line_errors():
    proc = _serve(env={"MOCKCDR_PORT": "eighty"})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and err == "mockcdr: MOCKCDR_PORT: 'eighty' is not a whole number\n"


def test_generate_writes_the_download_bytes_to_stdout_and_a_progress_bar_only_to_a_terminal(tmp_path):
    import os
    import pty
    args = [sys.executable, "-m", "mockcdr.cli", "generate", "yeastar", "--from", "2026-03-01T00:00:00Z",
            "--to", "2026-03-03T00:00:00Z", "--seed", "gen"]
    plain = subprocess.run(args, capture_output=True, timeout=120)
    assert plain.returncode == 0 and plain.stderr == b""
    assert plain.stdout.startswith(b"callid,timestart,callfrom,callto")
    master, slave = pty.openpty()
    try:
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=slave, timeout=120)
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert done.returncode == 0 and done.stdout == plain.stdout     # the same bytes either way
    assert b"100.0%" in shown and b"rows/s" in shown and b"[####" in shown
