"""The pytest plugin, tested the way users run it: real pytest sessions in a scratch folder."""
import shutil
from pathlib import Path

import pytest

from mockcdr.settings import Settings
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


@pytest.mark.slow
def test_xdist_workers_share_one_server_through_sessions_of_their_own(pytester):
    """The README's CI recipe: ``pytest -n 4 --mockcdr-url URL`` against one shared server. Every
    test resets, creates and lists exports, which trampled each other before sessions."""
    pytester.makepyfile(test_shared="""
        import pytest, requests

        JSONAPI = "application/vnd.api+json"

        @pytest.mark.parametrize("n", range(24))
        def test_export_listing_is_mine_alone(mockcdr_server, mockcdr_control, n):
            mockcdr_control.reset()
            mockcdr_control.set_transition("didww.export", "immediate")
            key = next(c["Api-Key"] for c in mockcdr_control.info()["vendors"][0]["credentials"]
                       if c["default X-DIDWW-API-Version"] == "2026-04-16")
            headers = {"Api-Key": key, "Content-Type": JSONAPI, "Accept": JSONAPI}
            body = {"data": {"type": "exports", "attributes": {"export_type": "cdr_in",
                    "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-02 00:00:00"},
                    "external_reference_id": f"ref-{n}"}}}
            for _ in range(n % 3 + 1):
                assert requests.post(f"{mockcdr_server.url}/v3/exports", json=body, headers=headers).status_code == 201
            listed = requests.get(f"{mockcdr_server.url}/v3/exports", headers=headers).json()
            assert {e["attributes"]["external_reference_id"] for e in listed["data"]} == {f"ref-{n}"}
            assert len(listed["data"]) == n % 3 + 1
            assert len(mockcdr_control.list_jobs()) == n % 3 + 1
    """)
    with LiveServer(Settings(vendors=("didww",), clock_start="2026-04-20T12:00:00Z")) as server:
        result = run(pytester, "-n", "4", "--mockcdr-url", server.url)
        result.assert_outcomes(passed=24)
        assert [s.id for s in server.sessions.list()] == ["default"]       # each was deleted after its test
        assert server.runtime.lifecycle.jobs() == []


def test_a_marker_and_the_session_factory_give_a_test_the_start_it_asks_for(pytester):
    pytester.makepyfile(test_marked="""
        import pytest

        @pytest.mark.mockcdr_session(seed="marked", clock={"now": "2025-06-01T00:00:00Z", "frozen": True})
        def test_in_process(mockcdr_client):
            info = mockcdr_client.get("/_mockcdr/info").get_json()
            assert info["seed"] == "marked" and info["clock"]["now"] == "2025-06-01T00:00:00.000Z"

        @pytest.mark.mockcdr_session(seed="marked-live", transitions={"didww.export": {"mode": "manual"}})
        def test_live(mockcdr_control):
            assert mockcdr_control.info()["seed"] == "marked-live"
            kinds = {k["kind"]: k["policy"]["mode"] for k in mockcdr_control.list_transitions()}
            assert kinds["didww.export"] == "manual"
            mockcdr_control.reset()
            assert mockcdr_control.info()["seed"] == "marked-live"     # a reset keeps the test's own start

        def test_unmarked_is_back_to_defaults(mockcdr_client, mockcdr_control):
            assert mockcdr_client.get("/_mockcdr/info").get_json()["seed"] == "mockcdr"
            assert mockcdr_control.info()["seed"] == "mockcdr"

        def test_more_sessions(mockcdr_session):
            a = mockcdr_session(seed="a")
            b = mockcdr_session(seed="b", clock={"now": "2020-01-01T00:00:00Z", "frozen": True})
            assert a.url != b.url and a.control.info()["seed"] == "a"
            assert b.control.get_clock()["now"] == "2020-01-01T00:00:00.000Z"
    """)
    run(pytester).assert_outcomes(passed=4)


def test_in_process_tests_share_the_world_and_each_get_a_fresh_session(pytester):
    pytester.makepyfile(test_fresh="""
        import pytest

        SEEN = []

        @pytest.mark.parametrize("n", range(3))
        def test_fresh(mockcdr_app, mockcdr_client, n):
            rt = mockcdr_app.extensions["mockcdr"]
            SEEN.append((id(mockcdr_app), id(rt.world), id(rt)))
            assert rt.lifecycle.jobs() == [] and rt.journal.query() == []
            mockcdr_client.get("/v3/exports")                    # leaves a journal entry behind
            assert len(rt.journal.query()) == 1

        def test_shared():
            assert len({s[0] for s in SEEN}) == 1 and len({s[1] for s in SEEN}) == 1
            assert len({s[2] for s in SEEN}) == 3
    """)
    run(pytester, "-p", "no:randomly").assert_outcomes(passed=4)


def test_validate_without_its_extra_is_a_clear_usage_error(pytester):
    pytester.makeconftest("""
        import builtins
        real = builtins.__import__

        def no_validator(name, globals=None, *a, **kw):
            # as on an install without the extra, as far as mockcdr can tell
            if name == "jsonschema_rs" and (globals or {}).get("__name__", "").startswith("mockcdr"):
                raise ImportError(name)
            return real(name, globals, *a, **kw)

        builtins.__import__ = no_validator
    """)
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = run(pytester, "--mockcdr-validate")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--mockcdr-validate needs the validate extra: pip install 'mockcdr?validate?'"])


def test_the_plugin_leaves_the_environment_alone(pytester, monkeypatch):
    monkeypatch.delenv("MOCKCDR_VALIDATE_RESPONSES", raising=False)
    monkeypatch.delenv("MOCKCDR_CONTROL_TOKEN", raising=False)
    pytester.makepyfile(test_env="""
        import os

        def test_env(mockcdr_client, mockcdr_control):
            assert "MOCKCDR_VALIDATE_RESPONSES" not in os.environ
            assert "MOCKCDR_CONTROL_TOKEN" not in os.environ
            settings = mockcdr_client.application.extensions["mockcdr"].settings
            assert settings.validate_responses is True and settings.control_token == "plugin-token-1234"
            assert mockcdr_control.get_clock()["frozen"] is False     # the live mock takes its token
    """)
    run(pytester, "--mockcdr-validate", "--mockcdr-control-token", "plugin-token-1234").assert_outcomes(passed=1)
