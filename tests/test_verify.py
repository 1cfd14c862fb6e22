"""ControlClient.verify and the mockcdr_verify fixture: counts, statuses, where=, and the near misses."""
from __future__ import annotations

import pytest
import requests

from mockcdr.app import create_app
from mockcdr.control_client import ControlClient
from mockcdr.settings import Settings
from mockcdr.testing import LiveServer
from mockcdr.verification import VerificationError

pytest_plugins = ["pytester"]
KEY = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json"}
JSONAPI = {**KEY, "Content-Type": "application/vnd.api+json"}
EXPORT = {"data": {"type": "exports", "attributes": {
    "export_type": "cdr_in", "filters": {"from": "2026-04-19 00:00:00", "to": "2026-04-19 23:59:59"}}}}
SETTINGS = Settings(vendors=("didww", "yeastar"), seed="verify", clock_start="2026-04-20T12:00:00Z", clock_frozen=True)


@pytest.fixture(scope="module")
def server():
    with LiveServer(SETTINGS) as live:
        yield live


@pytest.fixture
def session(server):
    handle = server.session()
    yield handle
    handle.close()


def test_counts_statuses_and_the_near_misses_over_http(session):
    control = session.control
    control.add_fault("didww", "error", operation="createExport", status=503, count=1)
    for body in (EXPORT, EXPORT, {}):
        requests.post(f"{session.url}/v3/exports", json=body, headers=JSONAPI)
    requests.get(f"{session.url}/v3/exports", headers=KEY)
    requests.head(f"{session.url}/v3/exports", headers=KEY)

    assert control.verify("didww", "createExport", count=3) == 3
    assert control.verify("didww", "createExport", status=201) == 1
    assert control.verify("didww", "createExport", count=1, status=503) == 1
    assert control.verify("didww", "getExport", count=0) == 0
    with pytest.raises(VerificationError) as caught:
        control.verify("didww", "createExport", count=2, status=201)
    assert str(caught.value) == (
        "didww createExport (POST /v3/exports): expected 2 requests answered 201, got 1\n"
        "  same operation, other status: 400 x1 (kind 106), 503 x1 (injected error)\n"
        "  same path /v3/exports, other method: GET listExports x1, HEAD (no operation) -> 200 x1")
    with pytest.raises(AssertionError, match=r"expected at least 1 request, got 0\n  didww received: "
                                             r"listExports x1, createExport x3"):
        control.verify("didww", "getExport")
    with pytest.raises(AssertionError, match=r"expected 2 requests, got 1: 200 x1"):
        control.verify("didww", "listExports", count=2)


def test_where_reads_the_journal_and_shows_what_did_not_match(session):
    control = session.control
    requests.post(f"{session.url}/v3/exports", json=EXPORT, headers=JSONAPI)
    requests.get(f"{session.url}/v3/exports?filter[id]=x", headers=KEY)
    requests.get(f"{session.url}/v3/exports", headers=KEY)
    assert control.verify("didww", "listExports", count=1, where={"query": "filter%5Bid%5D=x"}) == 1
    assert control.verify("didww", "listExports", count=2, where={"tenant": "globex"}) == 2
    assert control.verify("didww", "createExport", where=lambda e: '"cdr_in"' in e["request"]["body"]) == 1
    assert control.verify("didww", "createExport", status=201,
                          where={"request.body": lambda body: "2026-04-19" in body}) == 1
    with pytest.raises(AssertionError) as caught:
        control.verify("didww", "listExports", count=1, status=200, where={"tenant": "acme"})
    message = str(caught.value)
    assert message.startswith("didww listExports (GET /v3/exports): expected 1 request answered 200 "
                              "matching where, got 0\n  same operation answered 200, not matching where: #")
    assert "GET /v3/exports?filter%5Bid%5D=x -> 200 tenant=globex" in message


def test_where_refuses_to_guess_when_the_journal_forgot_requests():
    app = create_app(SETTINGS.with_(journal_size=2))
    client = app.test_client()
    for _ in range(3):
        client.get("/v3/exports", headers=KEY)
    control = ControlClient.for_app(app)
    assert control.verify("didww", "listExports", count=3) == 3        # coverage forgets nothing
    with pytest.raises(ValueError, match="the journal kept 2 of the 3 requests to didww listExports"):
        control.verify("didww", "listExports", count=3, where={"tenant": "globex"})


def test_mistakes_in_the_call_are_not_assertion_failures():
    control = ControlClient.for_app(create_app(SETTINGS))
    with pytest.raises(ValueError, match="did you mean createExport"):
        control.verify("didww", "createExports")
    with pytest.raises(ValueError, match="no vendor 'telnyx' in this session"):
        control.verify("telnyx", "addCdrRequest")
    with pytest.raises(ValueError, match="count must be an integer >= 0"):
        control.verify("didww", "createExport", count=-1)


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=600)


def test_the_fixture_verifies_the_tests_own_session_in_process_and_on_a_server(pytester):
    pytester.makepyfile(test_mine="""
        import requests

        KEY = {"Api-Key": "didww-test-globex-51a7c9d2", "Accept": "application/vnd.api+json"}

        def test_in_process(mockcdr_client, mockcdr_verify):
            mockcdr_client.get("/v3/exports", headers=KEY)
            assert mockcdr_verify("didww", "listExports", count=1, status=200) == 1

        def test_on_a_server(mockcdr_server, mockcdr_verify):
            requests.get(f"{mockcdr_server.url}/v3/exports?sort=x", headers=KEY)
            mockcdr_verify("didww", "listExports", count=1, status=400)
            mockcdr_verify("didww", "createExport", count=0)

        def test_a_miss_points_at_the_test(mockcdr_client, mockcdr_verify):
            mockcdr_client.get("/v3/exports?sort=x", headers=KEY)
            mockcdr_verify("didww", "listExports", status=200)
    """)
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*def test_a_miss_points_at_the_test*",
        ">*mockcdr_verify(\"didww\", \"listExports\", status=200)",
        "E*VerificationError: didww listExports (GET /v3/exports): expected at least 1 request answered 200, got 0",
        "E*same operation, other status: 400 x1 (kind 114)",
    ])
