"""--mockcdr-coverage from pytest: merged across tests, sessions and xdist workers; fail-under; --mockcdr-url."""
from __future__ import annotations

import json

import pytest

from mockcdr.settings import Settings
from mockcdr.testing import LiveServer

pytest_plugins = ["pytester"]

SUITE = """
import pytest
import requests

KEY = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json"}


@pytest.mark.parametrize("n", range(4))
def test_in_process(mockcdr_client, n):
    assert mockcdr_client.get("/v3/exports", headers=KEY).status_code == 200


@pytest.mark.parametrize("n", range(3))
def test_on_the_server(mockcdr_server, n):
    assert requests.get(f"{mockcdr_server.url}/v3/exports?sort=x", headers=KEY).status_code == 400


def test_more_sessions(mockcdr_session):
    a, b = mockcdr_session(), mockcdr_session()
    for s in (a, b):
        requests.get(f"{s.url}/v3/exports/nope", headers=KEY)


def test_faults(mockcdr_server, mockcdr_control):
    mockcdr_control.add_fault("didww", "error", operation="listExports", status=503, count=1)
    assert requests.get(f"{mockcdr_server.url}/v3/exports", headers=KEY).status_code == 503
"""


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=600)


NAMED = ("--mockcdr-vendors", "didww,yeastar")


def check_report(report: dict) -> None:
    """What SUITE reaches, exactly, whichever process served which test."""
    assert report["sessions"] == 10          # 4 + 3 + 2 + 1
    didww = next(v for v in report["vendors"] if v["vendor"] == "didww")
    ops = {op["operation"]: op for op in didww["operations"]}
    listing = {r["status"]: r for r in ops["listExports"]["responses"]}
    assert ops["listExports"]["hits"] == 8 and listing["200"]["hits"] == 4 and listing["400"]["hits"] == 3
    assert [k for k in listing["400"]["kinds"] if k["hits"]] == [
        {"kind": "114", "title": "Invalid sort criteria", "hits": 3}]
    assert ops["listExports"]["faults"] == [{"fault": "error", "status": 503, "hits": 1}]
    assert {r["status"]: r["hits"] for r in ops["getExport"]["responses"]}["404"] == 2
    assert didww["totals"] == {"operations": 6, "operations_hit": 2, "responses": 64, "responses_hit": 3,
                               "requests": 10, "faults": 1, "undocumented": 0, "undeclared": 0, "other": 0}
    assert [v["vendor"] for v in report["vendors"]] == ["didww", "yeastar"]


@pytest.mark.slow
def test_every_session_of_every_worker_is_in_one_report(pytester):
    pytester.makepyfile(test_suite=SUITE)
    result = run(pytester, *NAMED, "--mockcdr-coverage=out/cov.json", "-n", "2")
    result.assert_outcomes(passed=9)
    check_report(json.loads((pytester.path / "out" / "cov.json").read_text()))
    assert (pytester.path / "out" / "cov.json.html").read_text().startswith("<!DOCTYPE html>")
    result.stdout.fnmatch_lines([
        "*mockcdr API coverage of 10 sessions: out/cov.json and out/cov.json.html*",
        "didww: 2/6 operations, 3/64 responses (5%), 1 injected faults",
        "yeastar: 0/12 operations, 0/96 responses (0%), not exercised",
    ])


@pytest.mark.slow
def test_sessions_on_a_server_in_another_process_are_read_before_they_go(pytester):
    pytester.makepyfile(test_suite=SUITE)
    with LiveServer(Settings(vendors=("didww", "yeastar"))) as server:
        result = run(pytester, *NAMED, f"--mockcdr-url={server.url}", "--mockcdr-coverage=cov.json",
                     "--mockcdr-coverage-fail-under=1.87")
        assert len(server.sessions) == 1          # every test's session was deleted afterwards
    result.assert_outcomes(passed=9)
    assert result.ret == 0                        # 3 of 64 + 96 responses: 1.875%
    check_report(json.loads((pytester.path / "cov.json").read_text()))


@pytest.mark.parametrize("args,shown", [
    (("--mockcdr-coverage-fail-under=4.69",), "4.69%"),       # only DIDWW was used: 3 of its 64 responses
    ((*NAMED, "--mockcdr-coverage-fail-under=1.88"), "1.88%"),  # named vendors count untouched: 3/(64 + 96)
])
def test_fail_under_sets_the_exit_status(pytester, args, shown):
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=9)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"FAIL mockcdr API coverage: {shown} of documented responses, "
                                 f"under {args[-1]}"])
    assert not list(pytester.path.rglob("*.html"))     # no PATH: nothing written


def test_a_percentage_out_of_range_is_a_usage_error(pytester):
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--mockcdr-coverage-fail-under=150")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mockcdr-coverage-fail-under takes a percentage from 0 to 100*"])
