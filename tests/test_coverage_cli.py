"""``mockcdr control coverage``: the table and the JSON of a server's (or one session's) coverage."""
from __future__ import annotations

import json

import pytest
import requests

from mockcdr.cli import main
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

KEY = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json"}


@pytest.fixture(scope="module")
def server():
    with LiveServer(Settings(vendors=("didww", "yeastar"), seed="cli")) as live:
        yield live


@pytest.fixture
def session(server):
    handle = server.session()
    requests.get(f"{handle.url}/v3/exports", headers=KEY)
    requests.get(f"{handle.url}/v3/exports?sort=nope", headers=KEY)
    yield handle
    handle.close()


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_table_lists_every_response_and_marks_what_was_never_reached(capsys, server, session):
    code, out, _ = run(capsys, "control", "--url", server.url, "--session", session.id, "coverage",
                       "--vendor", "didww")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "didww: 1/6 operations, 2/64 responses (3%)"
    assert lines[1] == "  listExports  GET /v3/exports  (2 requests)"
    assert lines[2].split() == ["200", "A", "page", "of", "exports", "1"]
    assert lines[3].split()[0] == "400" and lines[3].split()[-1] == "1"
    rows = {line.split()[0]: line.split() for line in lines[4:13]}
    assert rows["114"][-1] == "1" and rows["102"][-2:] == ["0", "never"]
    assert "yeastar" not in out


def test_json_is_the_control_api_document_and_clear_empties_it(capsys, server, session):
    base = ["control", "--url", server.url, "--session", session.id, "coverage"]
    code, out, _ = run(capsys, *base, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc == session.control.get_coverage() and doc["session"] == session.id
    assert [v["vendor"] for v in doc["vendors"]] == ["didww", "yeastar"]
    code, out, _ = run(capsys, *base, "clear")
    assert code == 0 and json.loads(out) == {"cleared": 2}
    assert session.control.get_coverage()["totals"]["requests"] == 0
    code, out, _ = run(capsys, "control", "--url", server.url, "coverage")    # the root session: untouched
    assert code == 0 and out.splitlines()[0] == "didww: 0/6 operations, 0/64 responses (0%), not exercised"


def test_a_vendor_the_server_lacks_is_an_argument_error_naming_those_it_has(capsys, server):
    code, out, err = run(capsys, "control", "--url", server.url, "coverage", "--vendor", "telnyx")
    assert code == 2 and out == ""
    assert "--vendor: the server has no vendor 'telnyx'; it serves didww, yeastar" in err
