"""Request and response helpers shared by vendor views: JSON bodies, media types, file streaming."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from . import jsontext
from .errors import MalformedBody, PayloadTooLarge
from .routing import SESSION_KEY
from .vendor import FileOut

_MISSING = object()
# what json.dumps(ensure_ascii=False, separators=(",", ":")) builds on every call, built once
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class MockResponse(Response):
    """Flask's response, able to carry headers the mock writes itself (constants, hex digests,
    numbers) past Werkzeug's per-header checks: ``trusted`` pairs go out as they are, after the
    checked headers, when the response is sent (the app's ``response_class``)."""

    trusted: list[tuple[str, str]] | None = None

    def get_app_iter(self, environ):
        """A body held whole (a JSON document, an error) is handed to the server as the list of
        bytes it is, not wrapped in Werkzeug's generator and closing iterator: with nothing to
        close and nothing to encode, those only cost the request time."""
        body = self.response
        if (type(body) is list and not self._on_close and not self.direct_passthrough
                and environ["REQUEST_METHOD"] != "HEAD" and self.status_code >= 200
                and self.status_code not in (204, 304) and all(type(chunk) is bytes for chunk in body)):
            return body
        return super().get_app_iter(environ)

    def get_wsgi_headers(self, environ):
        """The headers as they are where Werkzeug would send them unchanged (status 200 or more but
        not 204 or 304, the length known, no Location or Content-Location to rewrite), without
        Werkzeug's copy of them first."""
        status = self.status_code
        if status < 200 or status in (204, 304):
            return super().get_wsgi_headers(environ)
        length = False
        for name, _ in self.headers:
            lower = name.lower()
            if lower == "content-length":
                length = True
            elif lower == "location" or lower == "content-location":
                return super().get_wsgi_headers(environ)
        if length or not (self.automatically_set_content_length and self.is_sequence):
            return self.headers
        return super().get_wsgi_headers(environ)

    def get_wsgi_response(self, environ):
        app_iter, status, headers = super().get_wsgi_response(environ)
        if self.trusted:
            headers.extend(self.trusted)
        return app_iter, status, headers


def runtime():
    """The Session serving the current request (``/_s/{id}/...``, a session's port, or the root)."""
    return request.environ.get(SESSION_KEY) or current_app.extensions["mockcdr"]


def raw_body() -> bytes:
    """The request body, within the configured size limit (413 in the vendor's envelope)."""
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(f"request body exceeds {current_app.config['MAX_CONTENT_LENGTH']} bytes") from None


def json_body(default: Any = _MISSING) -> Any:
    """The body parsed as JSON whatever the Content-Type; ``default`` when the body is empty."""
    data = raw_body()
    if not data.strip():
        if default is _MISSING:
            raise MalformedBody("request body is empty; a JSON document is required")
        return default
    try:
        return jsontext.loads(data)
    except jsontext.JSONTextError as exc:
        raise MalformedBody(f"request body is not valid JSON: {exc}") from None


def media_type(header_value: str | None) -> tuple[str, dict]:
    """``application/vnd.api+json; charset=utf-8`` -> ``("application/vnd.api+json", {...})``."""
    if not header_value:
        return "", {}
    main, *params = header_value.split(";")
    out = {}
    for p in params:
        if "=" in p:
            k, v = p.split("=", 1)
            out[k.strip().lower()] = v.strip().strip('"')
    return main.strip().lower(), out


def mock_response(body: str | bytes, status: int, content_type: str, headers: dict | None = None) -> MockResponse:
    """A response of ``body``, its ``headers`` set one by one after Content-Type (their order on
    the wire; Werkzeug's ``headers=`` would put them first)."""
    resp = MockResponse(body, status=status, content_type=content_type)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def json_response(payload: Any, status: int = 200, content_type: str = "application/json",
                  headers: dict | None = None) -> Response:
    return mock_response(_ENCODE(payload), status, content_type, headers)


def file_response(out: FileOut, status: int = 200, disposition: str | None = "attachment") -> Response:
    """Stream a FileOut; faults may truncate or corrupt it (see core.faults)."""
    resp = MockResponse(out.chunks, status=status, content_type=out.content_type)
    if disposition:
        resp.headers["Content-Disposition"] = f'{disposition}; filename="{out.filename}"'
    for k, v in out.headers.items():
        resp.headers[k] = v
    resp.direct_passthrough = True
    g.mockcdr_file = out
    return resp


def set_tenant(tenant: str | None) -> None:
    """Name the tenant a request acted for, for the journal."""
    g.mockcdr_tenant = tenant


def set_operation(name: str) -> None:
    """Override the operation name the journal and faults see (defaults to the endpoint name)."""
    g.mockcdr_operation = name


def external_base() -> str:
    """``scheme://host[:port]`` exactly as the client addressed this server (its Host header),
    with the session's prefix (``/_s/{id}``) when the request came under one. Every link of every
    document starts with it; the Host header's check is done once per distinct Host (MockFlask)."""
    req = request._get_current_object()
    return f"{req.scheme}://{req.host}{req.script_root}"
