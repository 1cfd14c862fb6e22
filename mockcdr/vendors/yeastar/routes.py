"""The blueprint: API v1.1.0 and its v2.0.0 twin (``number`` for ``extid``); views named as operationIds."""
from __future__ import annotations

from flask import Blueprint, Response

from ...core.http import file_response, json_response
from . import auth, cdr
from .config import SLUG
from .errors import CORS

V1, V2 = "v1.1.0", "v2.0.0"
PREFIXES = (f"/api/{V1}", f"/api/{V2}")


def _ok(**payload) -> Response:
    return json_response({"status": "Success", **payload})


def _csv(api: str, ext_param: str) -> Response:
    return file_response(cdr.download(api, ext_param))


def blueprint() -> Blueprint:
    bp = Blueprint(SLUG, __name__)
    v1, v2 = PREFIXES

    @bp.after_request
    def _cors(resp: Response) -> Response:
        for name, value in CORS.items():
            resp.headers.setdefault(name, value)
        return resp

    # -- API v1.1.0 ----------------------------------------------------------------
    @bp.post(f"{v1}/login")
    def login():
        return _ok(token=auth.login(V1)["value"])

    @bp.post(f"{v1}/heartbeat")
    def heartbeat():
        auth.heartbeat(V1)
        return _ok()

    @bp.post(f"{v1}/logout")
    def logout():
        auth.logout(V1)
        return _ok()

    @bp.post(f"{v1}/cdr/get_random")
    def getCdrRandom():
        return json_response(cdr.get_random(V1, "extid"))

    @bp.get(f"{v1}/cdr/download")
    def downloadCdr():
        return _csv(V1, "extid")

    @bp.post(f"{v1}/cdr/download")
    def downloadCdrPost():
        return _csv(V1, "extid")

    # -- API v2.0.0: the same flow, ``number`` instead of ``extid`` ------------------
    @bp.post(f"{v2}/login")
    def loginV2():
        return _ok(token=auth.login(V2)["value"])

    @bp.post(f"{v2}/heartbeat")
    def heartbeatV2():
        auth.heartbeat(V2)
        return _ok()

    @bp.post(f"{v2}/logout")
    def logoutV2():
        auth.logout(V2)
        return _ok()

    @bp.post(f"{v2}/cdr/get_random")
    def getCdrRandomV2():
        return json_response(cdr.get_random(V2, "number"))

    @bp.get(f"{v2}/cdr/download")
    def downloadCdrV2():
        return _csv(V2, "number")

    @bp.post(f"{v2}/cdr/download")
    def downloadCdrPostV2():
        return _csv(V2, "number")

    return bp
