"""X-Forwarded-* from a trusted proxy name the URLs the mock builds; from anyone else they change nothing."""
from __future__ import annotations

import pytest
import requests

from mockcdr.app import create_app
from mockcdr.core.forwarded import TrustedProxies
from mockcdr.settings import Settings, SettingsError
from mockcdr.testing import LiveServer

JSONAPI = "application/vnd.api+json"
DIDWW_KEY = "didww-test-globex-51a7c9d2"
PROXY = {"X-Forwarded-Host": "mock.example:8443", "X-Forwarded-Proto": "https",
         "X-Forwarded-Prefix": "/mock", "X-Forwarded-For": "203.0.113.7"}
SETTINGS = dict(seed="fwd", clock_start="2026-04-20T12:00:00Z", clock_frozen=True)


def client(trusted=(), remote="127.0.0.1"):
    app = create_app(Settings(trusted_proxies=tuple(trusted), **SETTINGS))
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = remote
    return app, c


def didww_export_url(c, prefix: str = "") -> str:
    """A completed DIDWW export's file URL, as the mock builds it."""
    c.put(f"{prefix}/_mockcdr/transitions/didww.export", json={"mode": "immediate"})
    body = {"data": {"type": "exports", "attributes": {
        "export_type": "cdr_in", "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-02 00:00:00"}}}}
    headers = {"Api-Key": DIDWW_KEY, "Content-Type": JSONAPI, "Accept": JSONAPI}
    created = c.post(f"{prefix}/v3/exports", json=body, headers={**headers, **PROXY})
    assert created.status_code == 201, created.data
    export_id = created.get_json()["data"]["id"]
    shown = c.get(f"{prefix}/v3/exports/{export_id}", headers={**headers, **PROXY})
    return shown.get_json()["data"]["attributes"]["url"]


def test_by_default_forwarded_headers_change_nothing():
    app, c = client()
    doc = c.put("/_mockcdr/sessions/plain", headers=PROXY).get_json()
    assert doc["base_url"] == "http://localhost/_s/plain"
    assert didww_export_url(c, "/_s/plain").startswith("http://localhost/_s/plain/v3/exports/")
    assert c.get("/_mockcdr/info", headers=PROXY).get_json()["session"]["base_url"] == "http://localhost"


def test_a_trusted_proxy_names_host_scheme_and_prefix_before_the_session():
    app, c = client(trusted=["127.0.0.1"])
    doc = c.put("/_mockcdr/sessions/behind", headers=PROXY).get_json()
    assert doc["base_url"] == "https://mock.example:8443/mock/_s/behind"
    url = didww_export_url(c, "/_s/behind")
    assert url.startswith("https://mock.example:8443/mock/_s/behind/v3/exports/") and url.endswith(".csv.gz")
    info = c.get("/_s/behind/_mockcdr/info", headers=PROXY).get_json()
    assert info["session"]["base_url"] == "https://mock.example:8443/mock/_s/behind"
    assert info["vendors"][0]["spec"].startswith("https://mock.example:8443/mock/_s/behind/_mockcdr/openapi/")
    listed = {s["id"]: s["base_url"] for s in c.get("/_mockcdr/sessions", headers=PROXY).get_json()}
    assert listed == {"default": "https://mock.example:8443/mock", "behind": "https://mock.example:8443/mock/_s/behind"}
    # the journal names the client the proxy saw, not the proxy
    entries = c.get("/_s/behind/_mockcdr/journal").get_json()["entries"]
    assert {e["client"] for e in entries} == {"203.0.113.7"}


def test_headers_from_an_address_that_is_not_trusted_are_dropped():
    app, c = client(trusted=["10.0.0.0/8"], remote="192.0.2.10")
    doc = c.put("/_mockcdr/sessions/spoofed", headers=PROXY).get_json()
    assert doc["base_url"] == "http://localhost/_s/spoofed"
    assert didww_export_url(c, "/_s/spoofed").startswith("http://localhost/_s/spoofed/")
    entries = c.get("/_s/spoofed/_mockcdr/journal").get_json()["entries"]
    assert {e["client"] for e in entries} == {"192.0.2.10"}


@pytest.mark.parametrize("entries, address, trusted", [
    (["127.0.0.1"], "127.0.0.1", True),
    (["127.0.0.1"], "127.0.0.2", False),
    (["10.0.0.0/8"], "10.20.30.40", True),
    (["10.0.0.0/8"], "::ffff:10.1.2.3", True),        # an IPv4 peer on a dual-stack socket
    (["fd00::/8"], "fd12::1", True),
    (["*"], "198.51.100.1", True),
    (["10.0.0.0/8"], "", False),
    (["10.0.0.0/8"], "not-an-address", False),
])
def test_which_peers_are_trusted(entries, address, trusted):
    assert TrustedProxies(entries).trusts(address) is trusted


def test_only_the_proxys_own_value_counts_and_a_bare_prefix_is_the_root():
    proxies = TrustedProxies(["127.0.0.1"])
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "10.0.0.5:8081", "wsgi.url_scheme": "http",
               "SCRIPT_NAME": "", "HTTP_X_FORWARDED_HOST": "evil.example, mock.example",
               "HTTP_X_FORWARDED_PREFIX": "/", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    proxies(environ)
    assert environ["HTTP_HOST"] == "mock.example" and environ["SCRIPT_NAME"] == ""
    assert environ["REMOTE_ADDR"] == "203.0.113.9"


@pytest.mark.parametrize("value", ["proxy.local", "10.0.0.0/33", "1.2.3"])
def test_a_trusted_proxy_is_an_address_a_network_or_a_star(value):
    with pytest.raises(SettingsError, match="trusted_proxies"):
        Settings().with_(trusted_proxies=(value,))


def test_over_http_the_server_drops_them_unless_it_trusts_the_peer():
    body = {"seed": "x"}
    with LiveServer(Settings(**SETTINGS)) as plain:
        doc = requests.put(f"{plain.url}/_mockcdr/sessions/a", json=body, headers=PROXY).json()
        assert doc["base_url"] == f"{plain.url}/_s/a"
    with LiveServer(Settings(trusted_proxies=("127.0.0.1",), **SETTINGS)) as trusting:
        doc = requests.put(f"{trusting.url}/_mockcdr/sessions/a", json=body, headers=PROXY).json()
        assert doc["base_url"] == "https://mock.example:8443/mock/_s/a"
        # a session's own port is on this process, whatever host the proxy names
        doc = requests.put(f"{trusting.url}/_mockcdr/sessions/p", json={"port": 0}, headers=PROXY).json()
        assert doc["port_url"] == f"http://127.0.0.1:{doc['port']}"
        assert requests.get(f"{doc['port_url']}/_mockcdr/health").status_code == 200


def test_each_request_links_to_the_host_and_prefix_it_came_by_alternating_on_one_server():
    """The external base is worked out once per host and prefix: requests that alternate between
    names, proxied or not and under a session or not, each get links to their own."""
    app, c = client(trusted=["127.0.0.1"])
    c.put("/_mockcdr/sessions/alt")
    c.put("/_mockcdr/transitions/didww.export", json={"mode": "immediate"})
    headers = {"Api-Key": DIDWW_KEY, "Content-Type": JSONAPI, "Accept": JSONAPI}
    body = {"data": {"type": "exports", "attributes": {
        "export_type": "cdr_in", "filters": {"from": "2026-04-01 00:00:00", "to": "2026-04-02 00:00:00"}}}}
    export_id = c.post("/v3/exports", json=body, headers=headers).get_json()["data"]["id"]
    seen = []
    for _ in range(2):
        for host, extra, expect in (("a.example:1", {}, "http://a.example:1"),
                                    ("b.example:2", {}, "http://b.example:2"),
                                    ("a.example:1", PROXY, "https://mock.example:8443/mock")):
            r = c.get(f"/v3/exports/{export_id}", headers={**headers, "Host": host, **extra})
            url = r.get_json()["data"]["attributes"]["url"]
            assert url.startswith(f"{expect}/v3/exports/") and url.endswith(".csv.gz"), url
            seen.append(url)
    assert c.get("/_s/alt/_mockcdr/info", headers={"Host": "127.0.0.1:9"}).get_json()["session"]["base_url"] == \
        "http://127.0.0.1:9/_s/alt"
    assert len(set(seen)) == 3
