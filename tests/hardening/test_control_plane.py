"""The control plane's safety: main port only, JSON bodies only, no cross-site browser requests, an optional
bearer token honoured by every client, and secrets masked in the journal unless asked for."""
from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from mockcdr import cli
from mockcdr.app import build_runtime, create_app
from mockcdr.control_client import ControlAPIError, ControlClient
from mockcdr.settings import Settings, SettingsError
from mockcdr.testing import LiveServer

from hostile import MOR, TELNYX_KEY, YEASTAR_LOGIN, YETI, YETI_LOGIN, download, make_app, mor_tokens

pytest_plugins = ["pytester"]
TOKEN = "s3cret-Control.token~1"
STATE_CHANGES = [("POST", "/_mockcdr/reset"), ("POST", "/_mockcdr/seed"), ("POST", "/_mockcdr/snapshot"),
                 ("PUT", "/_mockcdr/clock"), ("POST", "/_mockcdr/clock/advance"), ("POST", "/_mockcdr/clock/freeze"),
                 ("POST", "/_mockcdr/clock/unfreeze"), ("PUT", "/_mockcdr/transitions/didww.export"),
                 ("POST", "/_mockcdr/jobs/x/state"), ("POST", "/_mockcdr/faults"), ("DELETE", "/_mockcdr/faults"),
                 ("DELETE", "/_mockcdr/faults/1"), ("DELETE", "/_mockcdr/journal"), ("POST", "/_mockcdr/deliveries/run"),
                 ("DELETE", "/_mockcdr/deliveries")]
READS = ["/_mockcdr/info", "/_mockcdr/snapshot", "/_mockcdr/clock", "/_mockcdr/transitions", "/_mockcdr/jobs",
         "/_mockcdr/faults", "/_mockcdr/journal", "/_mockcdr/deliveries"]


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def _armed(client) -> dict:
    """A state a hostile request would change: a fault set, and the journal holding a request."""
    client.post("/_mockcdr/faults", json={"vendor": "didww", "kind": "error", "status": 503})
    client.get("/v3/exports")
    return client.get("/_mockcdr/snapshot").get_json()


# -- the main port only ------------------------------------------------------------------------------
def test_a_vendor_port_serves_its_vendor_and_no_control_api():
    rt = build_runtime(Settings(seed="ports"))
    main, alone = create_app(runtime=rt).test_client(), create_app(runtime=rt, only=["yeastar"]).test_client()
    token = alone.post("/api/v1.1.0/login", json=YEASTAR_LOGIN).get_json()["token"]
    for method, path in STATE_CHANGES + [("GET", p) for p in READS + ["/_mockcdr/health"]]:
        response = alone.open(path, method=method, json={})
        assert response.status_code == 404, (method, path)
    assert main.post(f"/api/v1.1.0/heartbeat?token={token}", json={}).get_json()["status"] == "Success"
    assert main.get("/_mockcdr/journal").get_json()["size"] == 2          # one state behind both ports


# -- cross-site browser requests -------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_a_cross_site_form_post_cannot_reset_or_add_a_fault(client, content_type):
    """The reproduction: a page of any site posted a text/plain form that reset the state and added a fault."""
    before = _armed(client)
    body = '{"vendor": "yeti", "kind": "drop"}'
    for path in ("/_mockcdr/reset", "/_mockcdr/faults", "/_mockcdr/seed"):
        response = client.post(path, data=body, headers={"Content-Type": content_type})
        assert response.status_code == 415, path
        assert response.get_json()["error"]["kind"] == "unsupported_media_type"
    assert client.get("/_mockcdr/snapshot").get_json() == before


def test_a_body_without_a_content_type_is_refused_and_no_body_needs_none(client):
    response = client.post("/_mockcdr/faults", data='{"vendor": "yeti", "kind": "drop"}')
    assert response.status_code == 415
    assert client.post("/_mockcdr/reset").status_code == 200                  # curl -X POST .../reset
    assert client.post("/_mockcdr/clock/freeze", data="").status_code == 200
    assert client.post("/_mockcdr/clock/freeze", data=" ").status_code == 415     # a body, and untyped
    assert client.post("/_mockcdr/clock/freeze", data=" ", content_type="application/json").status_code == 400
    response = client.post("/_mockcdr/faults", data='{"vendor": "yeti", "kind": "drop"}',
                           headers={"Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201


@pytest.mark.parametrize("headers,allowed", [
    ({"Sec-Fetch-Site": "cross-site"}, False), ({"Sec-Fetch-Site": "same-site"}, False),
    ({"Sec-Fetch-Site": "same-origin"}, True), ({"Sec-Fetch-Site": "none"}, True),
    ({"Origin": "https://evil.example"}, False), ({"Origin": "null"}, False),
    ({"Origin": "http://localhost:9999"}, False), ({"Origin": "http://localhost"}, True),
    ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, False), ({}, True)])
def test_only_same_origin_browser_requests_may_change_state(client, headers, allowed):
    """A bodiless POST (what fetch() may send to any site) with a browser's headers; the test
    client's Host is localhost."""
    before = _armed(client)
    for method, path in STATE_CHANGES:
        response = client.open(path, method=method, headers=headers)
        if allowed:
            assert response.status_code not in (401, 403, 415), (method, path, response.get_json())
            client.post("/_mockcdr/snapshot", json=before)
        else:
            assert response.status_code == 403, (method, path)
            assert response.get_json()["error"]["kind"] == "forbidden"
            assert client.get("/_mockcdr/snapshot").get_json() == before


def test_reads_are_not_refused_for_a_browser(client):
    for path in READS:
        assert client.get(path, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200, path


# -- the control token --------------------------------------------------------------------------------------
@pytest.fixture
def guarded():
    return make_app(control_token=TOKEN).test_client()


def test_with_a_token_every_control_call_but_health_and_the_specs_needs_it(guarded):
    for method, path in STATE_CHANGES + [("GET", p) for p in READS]:
        response = guarded.open(path, method=method, json={})
        assert response.status_code == 401, (method, path)
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="mockcdr control"'
        assert response.get_json()["error"]["kind"] == "unauthorized"
        wrong = guarded.open(path, method=method, json={}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]
    assert guarded.get("/_mockcdr/health").status_code == 200
    assert guarded.get("/_mockcdr/openapi/control.yaml").status_code == 200
    right = {"Authorization": f"Bearer {TOKEN}"}
    assert guarded.get("/_mockcdr/info", headers=right).status_code == 200
    assert guarded.post("/_mockcdr/reset", headers=right).status_code == 200


def test_the_token_does_not_touch_the_vendors(guarded):
    assert guarded.post("/api/v1.1.0/login", json=YEASTAR_LOGIN).get_json()["status"] == "Success"


@pytest.mark.parametrize("token", ["has space", "quote\"", "nl\n", "é", ""])
def test_a_token_that_cannot_travel_in_a_header_is_refused_at_start(token):
    with pytest.raises(SettingsError, match="control_token"):
        Settings(control_token=token).with_()


def test_the_token_comes_from_the_environment_and_an_empty_one_is_an_error():
    from mockcdr.settings import from_sources

    assert from_sources(env={"MOCKCDR_CONTROL_TOKEN": TOKEN}).control_token == TOKEN
    with pytest.raises(SettingsError, match="MOCKCDR_CONTROL_TOKEN: set but empty"):
        from_sources(env={"MOCKCDR_CONTROL_TOKEN": ""})


@pytest.fixture(scope="module")
def live():
    with LiveServer(Settings(control_token=TOKEN, vendors=("yeastar",))) as server:
        yield server


def test_control_client_sends_the_token(live, monkeypatch):
    monkeypatch.delenv("MOCKCDR_CONTROL_TOKEN", raising=False)
    with pytest.raises(ControlAPIError) as refused:
        ControlClient(live.url).reset()
    assert refused.value.status == 401
    assert ControlClient(live.url, token=TOKEN).reset()["status"] == "reset"
    monkeypatch.setenv("MOCKCDR_CONTROL_TOKEN", TOKEN)
    assert ControlClient(live.url).get_clock()["frozen"] is False          # the environment's token
    assert ControlClient.for_app(create_app(Settings(control_token="in-process"))).reset()["status"] == "reset"


def _control_cli(url, *args, env=None):
    import os
    full = {k: v for k, v in os.environ.items() if k != "MOCKCDR_CONTROL_TOKEN"}
    return subprocess.run([sys.executable, "-m", "mockcdr.cli", "control", "--url", url, *args],
                          capture_output=True, text=True, timeout=60, env={**full, **(env or {})})


def test_the_cli_sends_the_token_from_a_flag_or_the_environment(live):
    refused = _control_cli(live.url, "clock")
    assert refused.returncode == 1 and "(HTTP 401 from" in refused.stderr
    assert _control_cli(live.url, "--token", TOKEN, "clock").returncode == 0
    assert _control_cli(live.url, "clock", env={"MOCKCDR_CONTROL_TOKEN": TOKEN}).returncode == 0


def test_the_readme_security_example_runs_against_a_server_with_a_token(live, tmp_path):
    import os
    from pathlib import Path

    from readme_blocks import snippets_run_by

    env = {**os.environ, "MOCKCDR_CONTROL_TOKEN": TOKEN, "HOME": str(tmp_path),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    (info, body), = snippets_run_by("tests/hardening/test_control_plane.py")
    assert info == "sh"
    lines = [line for line in body.splitlines() if line]
    outputs = []
    for line in lines:
        done = subprocess.run(["bash", "-c", line.replace("127.0.0.1:8080", live.url.removeprefix("http://"))],
                              capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        outputs.append(done.stdout)
    assert outputs[-1].strip() == "401"                      # the README says so
    assert live.runtime.clock.state()["offset_seconds"] > 3500   # the CLI advanced it, with the token


def test_the_pytest_plugin_passes_the_token_to_a_running_server(live, pytester):
    pytester.makepyfile(test_guarded="""
        def test_steer_it(mockcdr_server, mockcdr_control):
            assert mockcdr_control.advance_clock("PT1H")["offset_seconds"] > 3500
    """)
    base = ("-p", "no:cacheprovider", "-p", "no:randomly", "--mockcdr-url", live.url)
    pytester.runpytest_subprocess(*base, timeout=300).assert_outcomes(errors=1)
    pytester.runpytest_subprocess(*base, "--mockcdr-control-token", TOKEN, timeout=300).assert_outcomes(passed=1)


def test_the_pytest_plugin_starts_its_mock_with_the_token(pytester):
    pytester.makepyfile(test_started="""
        import requests

        def test_guarded(mockcdr_server, mockcdr_control):
            assert requests.post(mockcdr_server.url + "/_mockcdr/reset").status_code == 401
            assert mockcdr_control.reset()["status"] == "reset"
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--mockcdr-control-token", TOKEN,
                                           "--mockcdr-vendors", "yeastar", timeout=300)
    result.assert_outcomes(passed=1)


class _NoServers:
    """Stands in for the listening servers: cmd_serve prints its banner and returns."""

    def __init__(self, runtime, apps, **kw):
        self.apps = apps

    def ports(self):
        return {name: 8080 for name, *_ in self.apps}

    def start(self):
        pass

    def manage_garbage(self):
        pass

    def wait(self, should_stop):
        pass

    def stop(self, timeout=None):
        pass


@pytest.mark.parametrize("args,warned,banner", [
    (["--host", "0.0.0.0"], True, ""), (["--host", "::"], True, ""), (["--host", "192.0.2.7"], True, ""),
    (["--host", "0.0.0.0", "--control-token", TOKEN], False, "bearer token required"),
    (["--host", "127.0.0.1"], False, ""), (["--host", "::1"], False, ""), (["--host", "localhost"], False, "")])
def test_serve_warns_when_anyone_could_steer_it(monkeypatch, capsys, args, warned, banner):
    import mockcdr.server

    monkeypatch.setattr(mockcdr.server, "Servers", _NoServers)
    monkeypatch.delenv("MOCKCDR_CONTROL_TOKEN", raising=False)
    assert cli.main(["serve", "--vendors", "yeastar", *args]) == 0
    out, err = capsys.readouterr()
    assert ("set --control-token" in err) is warned
    assert banner in next(line for line in out.splitlines() if line.strip().startswith("control"))


# -- the journal keeps secrets to itself -----------------------------------------------------------------------
SECRETS = ("acme-fake-password", YEASTAR_LOGIN["password"])


def test_passwords_and_tokens_are_masked_in_the_journal_unless_revealed(app, client):
    yeastar = client.post("/api/v1.1.0/login", json=YEASTAR_LOGIN).get_json()["token"]
    jwt = client.post(f"{YETI}/auth", json={"auth": YETI_LOGIN}).get_json()["jwt"]
    mor = mor_tokens(client)
    client.post(f"{MOR}/authentication/refresh", data=f"refresh_token={mor['refresh_token']}",
                content_type="application/x-www-form-urlencoded")
    report = download(app, "telnyx")
    report_token = report.request.path.split("/")[-2]
    issued = [yeastar, jwt, mor["token"], mor["refresh_token"], report_token, *SECRETS]

    masked = client.get("/_mockcdr/journal").get_json()["entries"]
    text = repr(masked)
    for secret in issued:
        assert secret not in text, secret
    assert "***" in text
    assert any(e["path"].startswith("/reporting/cdr_reports/***/") for e in masked)
    login = next(e for e in masked if e["operation"] == "login")
    assert '"password":"***"' in login["request"]["body"].replace(" ", "")
    assert '"username":"acme-api"' in login["request"]["body"].replace(" ", "")   # only secrets go

    revealed = repr(client.get("/_mockcdr/journal?reveal=true").get_json()["entries"])
    for secret in issued:
        assert secret in revealed, secret
    assert client.get("/_mockcdr/journal?reveal=perhaps").status_code == 400


def test_a_download_query_keeps_its_window_and_loses_its_token_and_random(app, client):
    download(app, "yeastar")
    entry = client.get("/_mockcdr/journal?operation=downloadCdr").get_json()["entries"][-1]
    assert "token=***" in entry["query"] and "random=***" in entry["query"]
    assert "starttime=2026-04-18" in entry["query"]
