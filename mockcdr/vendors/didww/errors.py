"""DIDWW's JSON:API error envelope (jsonapi-resources style) and the errors the views raise."""
from __future__ import annotations

from http import HTTPStatus

from flask import Response, g

from mockcdr.core.catalogue import ResponseKind, ResponseKinds, error_codes
from mockcdr.core.errors import (BadRequest, MockError, NotAcceptable, NotFound, Problem,
                                 Unauthorized, UnsupportedMediaType, ValidationFailed)
from mockcdr.core.http import json_response, runtime

from . import fixtures

MEDIA_TYPE = "application/vnd.api+json"

# jsonapi-resources error codes (lib/jsonapi/error_codes.rb)
VALIDATION_ERROR = "100"
INVALID_RESOURCE = "101"
FILTER_NOT_ALLOWED = "102"
INVALID_FIELD = "104"
PARAM_NOT_ALLOWED = "105"
PARAM_MISSING = "106"
KEY_ORDER_MISMATCH = "109"
KEY_NOT_INCLUDED_IN_URL = "110"
INVALID_INCLUDE = "112"
INVALID_SORT_CRITERIA = "114"
INVALID_PAGE_VALUE = "118"
INVALID_FIELD_FORMAT = "119"
INVALID_FILTERS_SYNTAX = "120"
INVALID_DATA_FORMAT = "122"

# The 400 codes each operation can answer with (what API coverage lists under its 400).
_LIST, _SHOW, _CREATE, _UPDATE = ("listExports",), ("getExport",), ("createExport",), ("updateExport", "replaceExport")
RESPONSE_KINDS = ResponseKinds(kinds=tuple(ResponseKind(400, code, title, ops) for code, title, ops in (
    (INVALID_RESOURCE, "Invalid resource (fields[type] or data.type)", _LIST + _SHOW + _CREATE + _UPDATE),
    (FILTER_NOT_ALLOWED, "Filter not allowed", _LIST),
    (INVALID_FIELD, "Invalid field (fields[exports])", _LIST + _SHOW),
    (PARAM_NOT_ALLOWED, "Param not allowed", _LIST + _CREATE + _UPDATE),
    (PARAM_MISSING, "Missing parameter (data, type)", _CREATE + _UPDATE),
    (KEY_ORDER_MISMATCH, "A key is required", _UPDATE),
    (KEY_NOT_INCLUDED_IN_URL, "Key is not included in URL", _UPDATE),
    (INVALID_INCLUDE, "Invalid include", _LIST + _SHOW),
    (INVALID_SORT_CRITERIA, "Invalid sort criteria", _LIST),
    (INVALID_PAGE_VALUE, "Invalid page value", _LIST),
    (INVALID_FIELD_FORMAT, "Invalid field format (fields without a type)", _LIST + _SHOW),
    (INVALID_FILTERS_SYNTAX, "Invalid filters syntax", _LIST),
    (INVALID_DATA_FORMAT, "Invalid data format", _CREATE + _UPDATE),
    ("400", "Bad Request (a body that is not JSON)", _CREATE + _UPDATE),
)), read=lambda status, body: error_codes(body))

_DEFAULTS = {   # kind -> (title, code); detail comes from the error
    "unauthorized": ("Unauthorized", "401"),
    "not_found": ("Record not found", "404"),
    "route_not_found": ("Not found", "404"),
    "method_not_allowed": ("Method not allowed", "405"),
    "payload_too_large": ("Payload too large", "413"),
    "malformed_body": ("Bad Request", "400"),
    "bad_request": ("Bad Request", "400"),
    "not_acceptable": ("Not acceptable", "406"),
    "unsupported_media_type": ("Unsupported media type", "415"),
    "validation": ("Validation failed", VALIDATION_ERROR),
    "rate_limited": ("Too many requests", "429"),
    "server_error": ("Internal Server Error", "500"),
}


def _error_object(title: str, detail: str, code: str, status: int, pointer: str | None = None,
                  meta: dict | None = None) -> dict:
    """Keys in jsonapi-resources' order: title, detail, code, source, status, meta."""
    obj = {"title": title, "detail": detail, "code": code}
    if pointer:
        obj["source"] = {"pointer": pointer}
    obj["status"] = str(status)
    if meta:
        obj["meta"] = meta
    return obj


def _default_object(err: MockError) -> dict:
    if err.kind == "unauthorized":
        return _error_object("Unauthorized", "Authorization failed", "401", 401)
    if err.kind == "server_error":
        return _error_object("Internal Server Error", "Internal Server Error", "500", err.status)
    title, code = _DEFAULTS.get(err.kind, (None, None))
    if title is None or err.kind == "fault":
        try:
            title = HTTPStatus(err.status).phrase
        except ValueError:
            title = "Error"
        code = str(err.meta.get("code") or err.status)
    elif err.kind == "rate_limited" and err.meta.get("code"):
        code = str(err.meta["code"])
    return _error_object(title, err.detail or title, code, err.status)


def render_error(err: MockError) -> Response:
    """Every MockError as DIDWW answers: ``{"errors": [...]}`` in ``application/vnd.api+json``."""
    if err.meta.get("empty_body"):
        resp = Response(b"", status=err.status)
        resp.headers.pop("Content-Type", None)
        for k, v in err.headers.items():
            resp.headers[k] = v
        return resp
    fallback = _DEFAULTS.get(err.kind, ("", str(err.status)))[1]
    errors = [_error_object(p.title or p.detail, p.detail, p.code or fallback, err.status, p.pointer,
                            p.meta or None) for p in err.problems]
    body: dict = {"errors": errors or [_default_object(err)]}
    version = g.get("didww_version")
    if version and fixtures.option(runtime(), "api_version_in_errors"):
        body["meta"] = {"api_version": version}
    return json_response(body, status=err.status, content_type=MEDIA_TYPE, headers=err.headers)


# -- the errors views raise -----------------------------------------------------------------
def unauthorized() -> Unauthorized:
    return Unauthorized("Authorization failed")


def record_not_found(record_id: str) -> NotFound:
    return NotFound(problems=[Problem(f"The record identified by {record_id} could not be found.",
                                      title="Record not found", code="404")])


def file_not_found(name: str) -> NotFound:
    """The CSV download of an unknown, foreign, unfinished or deleted export: 404 without a body."""
    return NotFound(f"no export file {name}", empty_body=True)


def bad_request(title: str, detail: str, code: str) -> BadRequest:
    return BadRequest(detail, problems=[Problem(detail, title=title, code=code)])


def params_not_allowed(names: list[str]) -> BadRequest:
    return BadRequest("params not allowed", problems=[
        Problem(f"{n} is not allowed.", title="Param not allowed", code=PARAM_NOT_ALLOWED) for n in names])


def param_missing(name: str) -> BadRequest:
    return bad_request("Missing Parameter", f"The required parameter, {name}, is missing.", PARAM_MISSING)


def invalid_data_format() -> BadRequest:
    return bad_request("Invalid data format", "Data must be a hash.", INVALID_DATA_FORMAT)


def invalid_page_value(page: str, value, detail: str | None = None) -> BadRequest:
    detail = detail or f"{value} is not a valid value for {page} page parameter."
    return bad_request("Invalid page value", detail, INVALID_PAGE_VALUE)


def invalid(attribute: str, message: str) -> Problem:
    """A validation problem: title = message, detail = ``<attribute> - <message>``."""
    return Problem(f"{attribute} - {message}", field=attribute, title=message, code=VALIDATION_ERROR,
                   pointer=f"/data/attributes/{attribute}")


def validation_failed(problems: list[Problem]) -> ValidationFailed:
    return ValidationFailed(problems[0].detail, problems=problems)


def unsupported_media_type(media_type: str) -> UnsupportedMediaType:
    detail = (f"All requests that create or update must use the '{MEDIA_TYPE}' Content-Type. "
              f"This request specified '{media_type}'.")
    return UnsupportedMediaType(detail, problems=[Problem(detail, title="Unsupported media type",
                                                          code="415")])


def not_acceptable(accept: str) -> NotAcceptable:
    detail = (f"All requests must use the '{MEDIA_TYPE}' Accept without media type parameters. "
              f"This request specified '{accept}'.")
    return NotAcceptable(detail, problems=[Problem(detail, title="Not acceptable", code="406")])
