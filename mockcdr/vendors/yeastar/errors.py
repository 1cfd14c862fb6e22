"""Yeastar's error envelope: errno codes, the core error kinds they stand for, and render_error."""
from __future__ import annotations

from flask import Response

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
