"""The blueprint: API v1.1.0 and its v2.0.0 twin (``number`` for ``extid``); views named as operationIds."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, Response

from ...core.http import file_response, json_response
from . import auth, cdr
from .fixtures import SLUG
from .errors import CORS

V1, V2 = "v1.1.0", "v2.0.0"
PREFIXES = (f"/api/{V1}", f"/api/{V2}")
# (API version, the name of the extension parameter, the operationId suffix)
VERSIONS = ((V1, "extid", ""), (V2, "number", "V2"))


def _ok(**payload) -> Response:
    return json_response({"status": "Success", **payload})


def login(api: str, ext_param: str) -> Response:
    return _ok(token=auth.login(api)["value"])


def heartbeat(api: str, ext_param: str) -> Response:
    auth.heartbeat(api)
    return _ok()


def logout(api: str, ext_param: str) -> Response:
    auth.logout(api)
    return _ok()


def get_random(api: str, ext_param: str) -> Response:
    return json_response(cdr.get_random(api, ext_param))


def download(api: str, ext_param: str) -> Response:
    return file_response(cdr.download(api, ext_param))


# (operationId of v1.1.0, method, path under the version prefix, handler); clients download by
# GET and by POST with an empty body, so each has its own operation.
OPERATIONS: tuple[tuple[str, str, str, Callable[[str, str], Response]], ...] = (
    ("login", "POST", "/login", login),
    ("heartbeat", "POST", "/heartbeat", heartbeat),
    ("logout", "POST", "/logout", logout),
    ("getCdrRandom", "POST", "/cdr/get_random", get_random),
    ("downloadCdr", "GET", "/cdr/download", download),
    ("downloadCdrPost", "POST", "/cdr/download", download),
)


def _view(name: str, handler: Callable[[str, str], Response], api: str, ext_param: str):
    def view() -> Response:
        return handler(api, ext_param)
    view.__name__ = view.__qualname__ = name
    return view


def blueprint() -> Blueprint:
    """Every operation of both versions; the view (and endpoint) name is the operationId."""
    bp = Blueprint(SLUG, __name__)

    @bp.after_request
    def _cors(resp: Response) -> Response:
        for name, value in CORS.items():
            resp.headers.setdefault(name, value)
        return resp

    for api, ext_param, suffix in VERSIONS:
        for operation_id, method, path, handler in OPERATIONS:
            name = operation_id + suffix
            bp.add_url_rule(f"/api/{api}{path}", endpoint=name, methods=[method],
                            view_func=_view(name, handler, api, ext_param))
    return bp
