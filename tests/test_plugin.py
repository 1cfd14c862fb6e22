"""The pytest plugin, tested the way users run it: real pytest sessions in a scratch folder."""
import shutil
from pathlib import Path

import pytest

from mockcdr.testing import LiveServer

pytest_plugins = ["pytester"]
EXAMPLES = Path(__file__).parent / "example_suite"


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args, timeout=600)


@pytest.mark.slow
def test_the_example_suite_passes_as_a_user_would_run_it(pytester):
    for f in EXAMPLES.glob("*.py"):
        shutil.copy(f, pytester.path / f.name)
    result = run(pytester, "--mockcdr-validate")
    result.assert_outcomes(passed=7)


@pytest.mark.slow
def test_under_xdist_each_worker_has_its_own_server(pytester):
    pytester.makepyfile(test_ports="""
        import os, pytest

        @pytest.mark.parametrize("n", range(6))
        def test_port(mockcdr_server, mockcdr_control, n, tmp_path_factory):
            mockcdr_control.advance_clock(n)      # state is per worker and reset per test
            assert abs(mockcdr_control.get_clock()["offset_seconds"] - n) < 1
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            path = tmp_path_factory.getbasetemp().parent / f"port-{worker}"
            path.write_text(str(mockcdr_server.port))
    """)
    result = run(pytester, "-n", "2")
    result.assert_outcomes(passed=6)
    ports = {p.read_text() for p in pytester.path.parent.rglob("port-gw*")}
    assert len(ports) == 2


def test_an_exception_inside_the_mock_fails_the_test_that_caused_it(pytester):
    pytester.makepyfile(test_boom="""
        import flask, requests

        def test_provokes_a_bug(mockcdr_server, monkeypatch):
            def boom(self):
                raise RuntimeError("bug inside the mock")
            monkeypatch.setattr(flask.Flask, "dispatch_request", boom)
            assert requests.get(f"{mockcdr_server.url}/v3/exports").status_code == 500

        def test_next_one_is_clean(mockcdr_server):
            assert requests.get(f"{mockcdr_server.url}/_mockcdr/health").status_code == 200
    """)
    result = run(pytester)
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_provokes_a_bug*", "*bug inside the mock*"])


def test_validation_fails_a_test_that_provoked_an_undescribed_response(pytester, monkeypatch):
    pytester.makepyfile(test_spec="""
        from mockcdr.core import admin

        def test_health_lies(mockcdr_client, monkeypatch):
            monkeypatch.setattr(admin, "json_response",
                                lambda payload, **kw: __import__("flask").Response('{"status": "meh"}',
                                                                                  content_type="application/json"))
            assert mockcdr_client.get("/_mockcdr/health").status_code == 200
    """)
    monkeypatch.delenv("MOCKCDR_VALIDATE_RESPONSES", raising=False)   # this suite runs validated
    run(pytester).assert_outcomes(passed=1)
    failed = run(pytester, "--mockcdr-validate")
    failed.assert_outcomes(passed=1, errors=1)
    failed.stdout.fnmatch_lines(["*spec does not describe*", "*GET /_mockcdr/health (health)*meh*"])


def test_options_and_overridable_fixtures(pytester):
    pytester.makeconftest("""
        import pytest
        from mockcdr.settings import Settings

        @pytest.fixture
        def mockcdr_settings():
            return Settings(vendors=("yeastar",), seed="from-conftest")
    """)
    pytester.makepyfile(test_opts="""
        def test_in_process(mockcdr_client):
            info = mockcdr_client.get("/_mockcdr/info").get_json()
            assert info["seed"] == "from-conftest" and [v["slug"] for v in info["vendors"]] == ["yeastar"]

        def test_live(mockcdr_control):
            info = mockcdr_control.info()
            assert info["seed"] == "from-cli" and [v["slug"] for v in info["vendors"]] == ["telnyx", "yeti"]
    """)
    run(pytester, "--mockcdr-seed", "from-cli", "--mockcdr-vendors", "telnyx,yeti").assert_outcomes(passed=2)


def test_mockcdr_url_uses_a_running_server_with_a_session_per_test(pytester):
    with LiveServer() as server:
        server.runtime.clock.freeze()
        pytester.makepyfile(test_external="""
            import requests

            def test_steer_it(mockcdr_server, mockcdr_control):
                assert "/_s/" in mockcdr_server.url
                assert mockcdr_control.get_clock()["frozen"] is False   # its own clock, not the root's
                mockcdr_control.advance_clock("PT1H")
                assert mockcdr_control.get_clock()["offset_seconds"] > 3500
                ids = [s["id"] for s in mockcdr_control.list_sessions()]
                assert mockcdr_server.id in ids
                assert requests.get(f"{mockcdr_server.url}/_mockcdr/health").status_code == 200
        """)
        run(pytester, "--mockcdr-url", server.url).assert_outcomes(passed=1)
        state = server.runtime.clock.state()
        assert state["frozen"] is True and state["offset_seconds"] == 0     # the root was not touched
        assert [s.id for s in server.sessions.list()] == ["default"]       # and the session is gone
