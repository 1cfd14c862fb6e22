"""MockFlask and MockResponse give what Flask and Werkzeug give: URL adapters, route matches, WSGI bodies and headers."""
from __future__ import annotations

import re

import pytest
from flask import Flask, request
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


def _sample_paths(app):
    """Every rule of the app built with sample arguments, and near misses of each."""
    samples = {"AsciiInt": "7", "PathConverter": "a/b.csv", "UnicodeConverter": "abc",
               "FileName": "f.csv", "RequestId": "0b5a4ff8-2ae6-4d0a-8b1b-2a5f3a9c1e11",
               "ResourceId": "5"}
    paths = {"/", "/nope", "//v3//exports", "/_mockcdr/health/", "/%ff", "/_mockcdr//health"}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^>:]*:)?(\w+)>",
                      lambda m: samples[type(rule._converters[m.group(1)]).__name__], rule.rule)
        paths |= {path, path.rstrip("/") or "/", path + "/", path + "x", path.replace("/", "//", 1),
                  path.upper()}
    return sorted(paths)


def _matched(adapter):
    try:
        rule, args = adapter.match(return_rule=True)
    except HTTPException as exc:
        return type(exc).__name__, getattr(exc, "new_url", None), sorted(getattr(exc, "valid_methods", None) or ())
    return rule.rule, rule.endpoint, args


def test_matches_are_werkzeugs_for_every_rule_and_its_near_misses():
    app = create_app(Settings())
    plain = Flask("plain")
    paths = _sample_paths(app)
    assert len(paths) > 300
    found = 0
    for _ in range(2):      # the second time from the memo
        for path in paths:
            for method in ("GET", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS"):
                env = _environ("127.0.0.1:8080", "/", server=("127.0.0.1", "8080"))
                env["PATH_INFO"], env["REQUEST_METHOD"], env["QUERY_STRING"] = path, method, "a=1"
                ours = app.create_url_adapter(app.request_class(env))
                theirs = Flask.create_url_adapter(plain, plain.request_class(dict(env)))
                theirs.map = app.url_map        # Werkzeug's own binding over the same rules
                assert _matched(ours) == _matched(theirs), (path, method)
                found += len(_matched(ours)) == 3 and isinstance(_matched(ours)[2], dict)
    assert found > 2 * len(list(app.url_map.iter_rules()))      # every rule matched, once from the memo


def test_a_view_that_changes_its_arguments_does_not_change_the_next_match():
    app = MockFlask("ours")

    @app.url_value_preprocessor
    def take(endpoint, values):
        values.pop("name", None)

    @app.get("/hello/<name>")
    def hello():
        return "hello"

    client = app.test_client()
    assert client.get("/hello/ann").status_code == 200
    ours = app.create_url_adapter(app.request_class(_environ("h", "/hello/ann")))
    assert ours.match(return_rule=True)[1] == {"name": "ann"}


@pytest.mark.parametrize("method, status, body", [("GET", 200, b'{"a":1}'), ("HEAD", 200, b""),
                                                  ("GET", 204, b""), ("GET", 304, b"")])
def test_a_whole_body_is_sent_as_werkzeug_sends_it(method, status, body):
    from mockcdr.core.http import json_response

    app = MockFlask("ours")
    closed = []

    @app.route("/doc", methods=["GET", "HEAD"])
    def doc():
        resp = json_response({"a": 1}, status=status)
        if request.args.get("close"):
            resp.call_on_close(lambda: closed.append(1))
        return resp

    for query in ("", "?close=1"):
        env = EnvironBuilder(path="/doc", method=method, query_string=query[1:]).get_environ()
        seen = []
        chunks = app.wsgi_app(env, lambda s, h, e=None: seen.append((s, dict(h))))
        sent = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        assert int(seen[0][0][:3]) == status and sent == body
    assert closed == [1]        # a response with something to run on close still gets it run


def _responses(cls):
    yield cls(b'{"a":1}', status=200, content_type="application/json")
    yield cls("text \u00e9", status=404, content_type="text/plain")
    yield cls(b"", status=201, headers={"Location": "/v3/exports/\u00e9"})
    yield cls(b"x", status=302, headers={"Content-Location": "/caf\u00e9"})
    yield cls(iter([b"a", b"b"]), status=200, content_type="text/csv")
    yield cls(b"gone", status=204)
    yield cls(b"same", status=304, headers={"ETag": "x", "Content-Type": "text/plain"})
    yield cls(b"early", status=103)
    resp = cls(b"12345", status=200)
    resp.headers["Content-Length"] = "5"
    yield resp


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_wsgi_headers_are_werkzeugs(method):
    from flask import Response
    from mockcdr.core.http import MockResponse

    env = EnvironBuilder(path="/x", method=method).get_environ()
    for ours, theirs in zip(_responses(MockResponse), _responses(Response)):
        mine, plain = ours.get_wsgi_response(env), theirs.get_wsgi_response(env)
        assert mine[1:] == plain[1:]
        assert b"".join(mine[0]) == b"".join(plain[0])
        assert list(ours.headers) == list(theirs.headers)     # the response itself left as it was


def test_a_redirect_under_a_session_prefix_keeps_it_every_time():
    client = create_app(Settings()).test_client()
    assert client.put("/_mockcdr/sessions/abc").status_code in (200, 201)
    for _ in range(2):      # the route memo keeps matches only: a redirect is built for each request
        for host in ("localhost", "127.0.0.1:9000"):
            resp = client.get("/_s/abc//_mockcdr//health", headers={"Host": host})
            assert resp.status_code == 308
            assert resp.headers["Location"] == f"http://{host}/_s/abc/_mockcdr/health"
        assert client.get("/_s/abc/_mockcdr/health").status_code == 200
