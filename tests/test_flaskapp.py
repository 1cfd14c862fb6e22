"""MockFlask binds each request's URL adapter as Flask and Werkzeug do, from a memo of Host headers."""
from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder

from mockcdr.app import create_app
from mockcdr.flaskapp import MockFlask
from mockcdr.settings import Settings

HOSTS = ["127.0.0.1:8080", "LOCALHOST:80", "example.com", "Example.COM:443", "[::1]:8080",
         "bad host", "a" * 64 + ".example", "b\u00fccher.example", "", None, "h:99999"]
PATHS = ["/v3/exports/1", "/caf%C3%A9?x=%C3%A9&y=1", "/", "/%ff"]


def _environ(host, path, scheme="http", server=("10.0.0.9", "8081")):
    env = EnvironBuilder(path=path.split("?")[0], query_string=path.partition("?")[2] or None,
                         base_url=f"{scheme}://x").get_environ()
    env.pop("HTTP_HOST", None)
    if host is not None:
        env["HTTP_HOST"] = host.encode().decode("latin-1")
    env["SERVER_NAME"], env["SERVER_PORT"] = server
    return env


def _bound(app, environ):
    request = app.request_class(environ)
    try:
        adapter = app.create_url_adapter(request)
    except HTTPException as exc:
        return ("raised", type(exc).__name__)
    return (request.host, adapter.server_name, adapter.script_name, adapter.subdomain, adapter.url_scheme,
            adapter.path_info, adapter.default_method, adapter.query_args)


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("host", HOSTS)
def test_url_adapter_is_flasks(host, path, scheme):
    ours, theirs = MockFlask("ours"), Flask("theirs")
    for _ in range(2):      # the second time from the memo
        assert _bound(ours, _environ(host, path, scheme)) == _bound(theirs, _environ(host, path, scheme))


def test_host_header_without_a_server_name():
    env = _environ(None, "/x")
    del env["SERVER_NAME"]
    assert _bound(MockFlask("ours"), env) == _bound(Flask("theirs"), dict(env))


def test_a_host_idna_refuses_is_a_400_in_the_vendors_envelope():
    client = create_app(Settings()).test_client()
    resp = client.get("/v3/exports/x", headers={"Host": "a" * 64 + ".example", "Api-Key": "k"})
    assert resp.status_code == 400
    assert resp.is_json and "errors" in resp.get_json()       # DIDWW's JSON:API errors, not Werkzeug's page
    assert client.get("/_mockcdr/health", headers={"Host": "Example.COM:80"}).status_code == 200
