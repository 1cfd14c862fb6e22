"""DNS rebinding: a loopback server's control API answers only requests addressed to an IP or localhost."""
from __future__ import annotations

import pytest
import requests

from mockcdr.core.guard import Hosts, is_loopback
from mockcdr.testing import LiveServer
from mockcdr.settings import Settings

from hostile import make_app
from test_control_plane import READS, STATE_CHANGES


def _snapshot(client) -> dict:
    return client.get("/_mockcdr/snapshot").get_json()


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8080", "127.0.0.1.nip.io",
                                  "localhost.attacker.example", "", "[::1"])
def test_a_page_rebound_to_127_0_0_1_cannot_read_or_change_the_state(host):
    client = make_app().test_client()                 # bound to 127.0.0.1, the default
    client.post("/_mockcdr/faults", json={"vendor": "yeastar", "kind": "error", "status": 503})
    before = _snapshot(client)
    for path in READS:
        resp = client.get(path, headers={"Host": host})
        assert resp.status_code == 403, (path, resp.data)
        assert "DNS rebinding" in resp.get_json()["error"]["message"]
    for method, path in STATE_CHANGES:                 # same-origin to the browser: the Host tells
        resp = client.open(path, method=method, json={}, headers={"Host": host, "Origin": f"http://{host}",
                                                                 "Sec-Fetch-Site": "same-origin"})
        assert resp.status_code == 403, (method, path)
    assert _snapshot(client) == before
    assert client.get("/_mockcdr/health", headers={"Host": host}).status_code == 200     # probes stay open
    assert client.get("/_mockcdr/openapi/didww.yaml", headers={"Host": host}).status_code == 200
    assert client.get("/v3/exports", headers={"Host": host}).status_code == 401           # the vendor's own answer


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost", "LOCALHOST:9", "ci.localhost:8080", "[::1]:8080",
                                  "10.1.2.3", "mockcdr"])
def test_addresses_localhost_and_allowed_names_are_served(host):
    client = make_app(allowed_hosts=("mockcdr",)).test_client()
    assert client.get("/_mockcdr/jobs", headers={"Host": host}).status_code == 200
    assert client.post("/_mockcdr/reset", headers={"Host": host}).status_code == 200


def test_any_name_with_a_star_and_on_a_server_bound_beyond_loopback():
    assert make_app(allowed_hosts=("*",)).test_client().get(
        "/_mockcdr/jobs", headers={"Host": "attacker.example"}).status_code == 200
    wide = make_app(host="0.0.0.0").test_client()     # reached by names (Docker): the token guards it
    assert wide.get("/_mockcdr/jobs", headers={"Host": "mockcdr:8080"}).status_code == 200
    listed = make_app(host="0.0.0.0", allowed_hosts=("mockcdr",)).test_client()
    assert listed.get("/_mockcdr/jobs", headers={"Host": "mockcdr:8080"}).status_code == 200
    assert listed.get("/_mockcdr/jobs", headers={"Host": "attacker.example"}).status_code == 403


def test_a_trusted_proxy_s_request_is_vouched_for():
    client = make_app(trusted_proxies=("127.0.0.1",)).test_client()
    forwarded = {"Host": "mock.internal", "X-Forwarded-Host": "mock.internal", "X-Forwarded-Proto": "https"}
    assert client.get("/_mockcdr/jobs", headers=forwarded, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert client.get("/_mockcdr/jobs", headers=forwarded,
                      environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 403   # not the proxy


def test_a_live_server_refuses_a_rebound_name_over_the_wire_and_names_the_flag():
    with LiveServer(Settings(seed="rebind")) as live:
        port = live.url.rsplit(":", 1)[1]
        resp = requests.get(f"{live.url}/_mockcdr/info", headers={"Host": f"attacker.example:{port}"}, timeout=5)
        assert resp.status_code == 403 and "--allowed-host" in resp.json()["error"]["message"]
        assert requests.get(f"{live.url}/_mockcdr/info", timeout=5).status_code == 200
        assert requests.get(f"http://localhost:{port}/_mockcdr/info", timeout=5).status_code == 200


def test_loopback_binds_and_names():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "a.localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "mockcdr", "localhost.example"))
    assert Hosts.for_server("0.0.0.0", ()) is None and Hosts.for_server("127.0.0.1", ("*",)) is None


def test_the_flag_and_the_variable_name_the_allowed_hosts():
    from mockcdr import cli
    from mockcdr.settings import from_sources

    ns = cli.build_parser().parse_args(["serve", "--allowed-host", "mockcdr", "--allowed-host", "ci.internal"])
    assert cli._settings(ns).allowed_hosts == ("mockcdr", "ci.internal")
    assert from_sources(env={"MOCKCDR_ALLOWED_HOSTS": "mockcdr, *"}).allowed_hosts == ("mockcdr", "*")
