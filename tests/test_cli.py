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
    assert code == 2 and "no OpenAPI spec named 'nosuch'" in err and "Traceback" not in err


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
    assert code == 1 and "by:" in err and "HTTP 400" in err
    code, _, err = run(capsys, "control", "--url", "http://127.0.0.1:9", "health")
    assert code == 1 and "cannot reach" in err


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
