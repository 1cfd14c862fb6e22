"""MockFlask: Flask doing once what it would redo on every request (Host checks, route matches, URL builders)."""
from __future__ import annotations

from functools import lru_cache

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import BadHost, HTTPException
from werkzeug.routing import IntegerConverter, MapAdapter, Rule
from werkzeug.wsgi import get_host

from .core.http import MockResponse


class LazyRule(Rule):
    """A URL rule whose URL builders (``url_for``) are compiled on first use, not at start-up.

    Werkzeug compiles two builders per rule through ``ast`` when the rule is added: about 40 ms
    for our ~190 rules, a sixth of the start-up, for builders that serving never calls.
    """

    def _compile_builder(self, append_unknown: bool = True):
        built = []

        def build(rule, *args, **kwargs):
            if not built:
                built.append(Rule._compile_builder(rule, append_unknown).__get__(rule, None))
            return built[0](*args, **kwargs)
        return build


class AsciiInt(IntegerConverter):
    """``<int:...>`` of ASCII digits only (Werkzeug's matches any Unicode decimal digit)."""
    regex = r"[0-9]+"


@lru_cache(maxsize=512)
def _host_names(scheme: str, host_header: str | None, server_name: str | None,
                server_port: str | None) -> tuple[str, str | None]:
    """``request.host`` and the URL map's server name of one Host header, computed as Flask
    (``create_url_adapter``) and Werkzeug (``Map.bind_to_environ``, ``Map.bind``) compute them on
    every request; the server name is None where Werkzeug answers 400 (a name IDNA refuses).

    Clients send the same few Host headers again and again: their check (a regular expression,
    twice a request) and IDNA encoding were a tenth of a status poll's time on the worker."""
    environ = {"wsgi.url_scheme": scheme}
    for key, value in (("HTTP_HOST", host_header), ("SERVER_NAME", server_name), ("SERVER_PORT", server_port)):
        if value is not None:
            environ[key] = value
    host = get_host(environ)
    name, sep, port = host.lower().partition(":")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return host, None
    return host, f"{name}{sep}{port}"


def _wsgi_text(value: str | None) -> str:
    """An environ string as Werkzeug binds it for routing: latin-1 bytes read as UTF-8, "/" if absent."""
    if value is None:
        return "/"
    if value.isascii():
        return value
    return value.encode("latin1").decode(errors="replace")


ROUTES_KEPT = 4096      # distinct (path, method) matches remembered per app


class _Adapter(MapAdapter):
    """A request's URL adapter whose match is first looked up in its app's memo of matches."""

    memo = None

    def match(self, path_info=None, method=None, return_rule=False, query_args=None, websocket=None):
        if (self.memo is not None and return_rule and path_info is None and method is None
                and query_args is None and websocket is None):
            try:
                rule, args = self.memo(self.path_info, self.default_method)
            except HTTPException:       # no match (or a redirect): answered below, with this
                pass                    # request's host, scheme and query
            else:
                return rule, dict(args)
        return super().match(path_info, method, return_rule, query_args, websocket)


def _route_memo(url_map):
    """(path, method) -> (rule, converted arguments): Werkzeug's match, remembered for the paths
    that match (a poll asks for the same path again and again). Its outcome depends on the path
    and method alone (no host matching, no subdomains, no websockets: ``create_url_adapter``
    takes the memo only then); what raises (404, 405, a redirect) is never kept."""

    @lru_cache(maxsize=ROUTES_KEPT)
    def match(path_info: str, method: str):
        return MapAdapter(url_map, "localhost", "/", url_map.default_subdomain or "", "http",
                          path_info, method).match(return_rule=True)
    return match


class _NullSessions(SecureCookieSessionInterface):
    """No Flask sessions (mockcdr sets no secret key): the null session without first looking
    for a signing key on every request."""

    def open_session(self, app, request):
        return None


class MockFlask(Flask):
    """Flask, asking once per function (not on every request and hook) whether it is a coroutine;
    its URL rules compile their builders lazily (LazyRule); its responses can carry trusted
    headers (core.http.MockResponse); a request's URL adapter is bound without parsing its Host
    header again (``_host_names``) and matches from a memo of matched paths (``_route_memo``);
    no session cookie is looked for."""

    url_rule_class = LazyRule
    response_class = MockResponse
    session_interface = _NullSessions()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._mockcdr_routes = _route_memo(self.url_map)

    def ensure_sync(self, func):
        cache = self.__dict__.setdefault("_mockcdr_sync", {})
        try:
            return cache[func]
        except KeyError:
            cache[func] = sync = super().ensure_sync(func)
            return sync

    def create_url_adapter(self, request):
        config = self.config
        if (request is None or config.get("TRUSTED_HOSTS") is not None or config.get("SERVER_NAME") is not None
                or self.url_map.host_matching or self.subdomain_matching
                or "HTTP_UPGRADE" in request.environ):
            return super().create_url_adapter(request)
        environ = request.environ
        scheme = environ["wsgi.url_scheme"]
        request.host, server_name = _host_names(scheme, environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
                                                environ.get("SERVER_PORT"))
        if server_name is None:
            raise BadHost()
        query = environ.get("QUERY_STRING")
        adapter = _Adapter(self.url_map, server_name, _wsgi_text(environ.get("SCRIPT_NAME")),
                          self.url_map.default_subdomain or "", scheme, _wsgi_text(environ.get("PATH_INFO")),
                          environ["REQUEST_METHOD"], None if query is None else _wsgi_text(query))
        adapter.memo = self._mockcdr_routes
        return adapter
