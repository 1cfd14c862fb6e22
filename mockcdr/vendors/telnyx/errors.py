"""Telnyx's error envelope ``{"errors": [{code, title, detail, source?, meta}]}`` for every MockError."""
from __future__ import annotations

from ...core.catalogue import ResponseKind, ResponseKinds, error_codes
from ...core.errors import MockError, Problem
from ...core.http import json_response

DOCS = "https://developers.telnyx.com/docs/overview/errors/"

# Telnyx's published general API codes (developers.telnyx.com, "API error codes").
MISSING = ("10004", "Missing required parameter")
NOT_FOUND = ("10005", "Resource not found")
UNEXPECTED = ("10007", "Unexpected error")
AUTHENTICATION = ("10009", "Authentication failed")
AUTHORIZATION = ("10010", "Authorization failed")
TOO_MANY = ("10011", "Too many requests")
DUPLICATE = ("10012", "Duplicate resource")
MEDIA_TYPE = ("10014", "Unsupported Media Type")
BAD_REQUEST = ("10015", "Bad Request")

# What API coverage lists under a 400: a missing body field (creates only), any other broken rule.
RESPONSE_KINDS = ResponseKinds(kinds=(
    ResponseKind(400, MISSING[0], "Missing required parameter (a body field)",
                 ("addCdrRequest", "createVoiceReport")),
    ResponseKind(400, BAD_REQUEST[0], "Bad Request (a broken rule, a body that is not JSON, bad paging)"),
), read=lambda status, body: error_codes(body))

# The real 401 body, byte for byte as Telnyx's spec and a captured response show it.
AUTH_DETAIL = "The required authentication headers were either invalid or not included in the request."
NOT_FOUND_DETAIL = "The requested resource or URL could not be found."

_BY_STATUS = {400: BAD_REQUEST, 401: AUTHENTICATION, 403: AUTHORIZATION, 404: NOT_FOUND,
              409: DUPLICATE, 415: MEDIA_TYPE, 429: TOO_MANY}
_BY_KIND = {
    "unauthorized": AUTHENTICATION, "not_found": NOT_FOUND, "route_not_found": NOT_FOUND,
    "validation": BAD_REQUEST, "bad_request": BAD_REQUEST, "malformed_body": BAD_REQUEST,
    "rate_limited": TOO_MANY, "server_error": UNEXPECTED, "forbidden": AUTHORIZATION,
    "unsupported_media_type": MEDIA_TYPE, "conflict": DUPLICATE,
    # no published code for these: the closest general ones (inferred)
    "method_not_allowed": ("10015", "Method not allowed"),
    "payload_too_large": ("10015", "Payload too large"),
    "not_acceptable": ("10015", "Not acceptable"),
}
# kinds whose detail is Telnyx's fixed text, whatever the model said (give problems to say more)
_FIXED_DETAIL = {"unauthorized": AUTH_DETAIL, "route_not_found": NOT_FOUND_DETAIL,
                 "not_found": NOT_FOUND_DETAIL}


def _code_title(err: MockError) -> tuple[str, str]:
    if err.kind == "fault":
        code = err.meta.get("code")
        base = _BY_STATUS.get(err.status, UNEXPECTED if err.status >= 500 else BAD_REQUEST)
        return (str(code) if code is not None else base[0]), base[1]
    if err.kind == "rate_limited" and err.meta.get("code") is not None:
        return str(err.meta["code"]), TOO_MANY[1]
    return _BY_KIND.get(err.kind) or _BY_STATUS.get(err.status) or (
        UNEXPECTED if err.status >= 500 else BAD_REQUEST)


def _item(code: str, title: str, detail: str, problem: Problem | None = None) -> dict:
    item = {"code": code, "title": title, "detail": detail}
    if problem is not None:
        if problem.pointer is not None:
            item["source"] = {"pointer": problem.pointer}
        elif problem.field:
            item["source"] = {"parameter": problem.field}
    item["meta"] = {"url": DOCS + code}
    return item


def render_error(err: MockError):
    code, title = _code_title(err)
    if err.problems:
        items = [_item(p.code or code, p.title or title, p.detail, p) for p in err.problems]
    else:
        detail = _FIXED_DETAIL.get(err.kind) or err.detail or title
        items = [_item(code, title, detail)]
    return json_response({"errors": items}, status=err.status, headers=err.headers)
