"""Yeastar's error envelope: errno codes, the core error kinds they stand for, and render_error."""
from __future__ import annotations

from flask import Response

from ...core.catalogue import ResponseKind, ResponseKinds, string_values
from ...core.errors import (BadRequest, Forbidden, MockError, NotFound, Unauthorized,
                            ValidationFailed)
from ...core.http import json_response

# Headers the PBX puts on every API answer (documented response examples).
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS, PUT, DELETE"}

# The mock's own explanation of an error; the PBX sends only the errno.
DETAIL_HEADER = "X-Mockcdr-Detail"

UNKNOWN_API = "10003"          # unsupported API request (unknown endpoint)
PARAM_BLANK = "10004"          # a required parameter is blank
NO_SUCH_EXTENSION = "10006"
ONLY_JSON = "20000"
ONLY_POST = "20001"
LOCKED_OUT = "20002"
BAD_LOGIN = "20003"
NO_SUCH_TOKEN = "20004"
TOKEN_BLANK = "20005"
TOKEN_TIMEOUT = "20006"
DATA_EMPTY = "20007"
PORT_ERROR = "20008"
APISRV_FAILED = "20010"        # failed to pass the request to apisrv
ALLOWEDIP_ERROR = "20015"
CDR_TIME_FORMAT = "20019"
CDR_RANDOM_INVALID = "20020"
CDR_NOT_FOUND = "20021"
JSON_MEMORY = "30001"          # JSON memory allocation failed

# The core error type each errno is raised as (what it means to the journal and to faults).
_TYPES = {
    PARAM_BLANK: ValidationFailed, NO_SUCH_EXTENSION: NotFound, ONLY_JSON: BadRequest,
    LOCKED_OUT: Forbidden, BAD_LOGIN: Unauthorized, NO_SUCH_TOKEN: Unauthorized,
    TOKEN_BLANK: Unauthorized, TOKEN_TIMEOUT: Unauthorized, DATA_EMPTY: BadRequest,
    PORT_ERROR: ValidationFailed, ALLOWEDIP_ERROR: ValidationFailed,
    CDR_TIME_FORMAT: ValidationFailed, CDR_RANDOM_INVALID: Forbidden, CDR_NOT_FOUND: NotFound,
}

# Errors the core raises itself (no errno of ours): the errno the PBX would give for them.
BY_KIND = {
    "route_not_found": UNKNOWN_API,
    "not_found": UNKNOWN_API,
    "method_not_allowed": ONLY_POST,
    "malformed_body": ONLY_JSON,
    "unsupported_media_type": ONLY_JSON,
    "payload_too_large": JSON_MEMORY,
    "bad_request": PARAM_BLANK,
    "validation": PARAM_BLANK,
    "unauthorized": NO_SUCH_TOKEN,
}
DEFAULT_ERRNO = APISRV_FAILED    # server errors, injected faults without a code, anything else

# What API coverage lists under each operation's 200 (every answer is a 200): success, and each
# errno that operation can answer with (the same for v1.1.0 and its v2.0.0 twin).
SUCCESS = "Success"
_TOKEN = (TOKEN_BLANK, NO_SUCH_TOKEN, TOKEN_TIMEOUT)
_BODY = (DATA_EMPTY, ONLY_JSON, JSON_MEMORY)
_WINDOW = (PARAM_BLANK, CDR_TIME_FORMAT, NO_SUCH_EXTENSION)
_ERRNOS = {
    "login": _BODY + (PARAM_BLANK, PORT_ERROR, LOCKED_OUT, BAD_LOGIN),
    "heartbeat": _TOKEN + (ONLY_JSON, JSON_MEMORY, PORT_ERROR),
    "logout": _TOKEN,
    "getCdrRandom": _TOKEN + _BODY + _WINDOW + (ALLOWEDIP_ERROR,),
    "downloadCdr": _TOKEN + _WINDOW + (CDR_RANDOM_INVALID, CDR_NOT_FOUND),
    "downloadCdrPost": _TOKEN + _WINDOW + (CDR_RANDOM_INVALID, CDR_NOT_FOUND),
}
_TITLES = {
    SUCCESS: "success", PARAM_BLANK: "a required parameter is blank", NO_SUCH_EXTENSION: "no such extension",
    ONLY_JSON: "the body is not a JSON object", LOCKED_OUT: "locked out after failed logins",
    BAD_LOGIN: "wrong username or password", NO_SUCH_TOKEN: "unknown or logged-out token",
    TOKEN_BLANK: "blank token", TOKEN_TIMEOUT: "expired token", DATA_EMPTY: "empty body",
    PORT_ERROR: "port is not 0-65535", ALLOWEDIP_ERROR: "allowedip is not an IP address",
    CDR_TIME_FORMAT: "bad starttime or endtime", CDR_RANDOM_INVALID: "random invalid, used, expired or foreign",
    CDR_NOT_FOUND: "no CDR in the window", JSON_MEMORY: "body over the size limit",
}


def _read(status: int, body: bytes | None) -> list[str]:
    """``Success`` for a success (a CSV download is streamed: None), else the errno."""
    if body is None:
        return [SUCCESS]
    status = string_values(body, "status")
    if status == ["Failed"]:
        return string_values(body, "errno")
    return [SUCCESS] if status == [SUCCESS] else []


RESPONSE_KINDS = ResponseKinds(kinds=tuple(
    ResponseKind(200, kind, _TITLES[kind], (op, op + "V2"))
    for op, errnos in _ERRNOS.items() for kind in (SUCCESS,) + errnos), read=_read)

# Injected faults keep the HTTP status they asked for; everything else is HTTP 200.
_KEEP_STATUS = ("fault", "rate_limited")


def error(errno: str, detail: str) -> MockError:
    """The core error for a Yeastar errno (raise it from a view)."""
    return _TYPES.get(errno, BadRequest)(detail, errno=errno)


def errno_of(err: MockError) -> str:
    if err.meta.get("errno"):
        return str(err.meta["errno"])
    if err.kind in _KEEP_STATUS and err.meta.get("code") is not None:
        return str(err.meta["code"])
    return BY_KIND.get(err.kind, DEFAULT_ERRNO)


def render_error(err: MockError) -> Response:
    """``{"status": "Failed", "errno": "<code>"}``, HTTP 200 unless a fault asked for a status."""
    status = err.status if err.kind in _KEEP_STATUS else 200
    headers = dict(CORS)
    if err.detail:
        text = " ".join(err.detail.split())[:500]
        headers[DETAIL_HEADER] = text.encode("ascii", "backslashreplace").decode("ascii")
    headers.update(err.headers)
    return json_response({"status": "Failed", "errno": errno_of(err)}, status=status, headers=headers)
