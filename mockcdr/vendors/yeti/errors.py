"""Yeti's error envelopes: jsonapi-resources 0.9 error objects, the auth controller's bodies, Rails pages."""
from __future__ import annotations

from http import HTTPStatus

from flask import Response, request

from mockcdr.core.catalogue import ResponseKind, ResponseKinds, error_codes
from mockcdr.core.errors import (BadRequest, MockError, NotAcceptable, NotFound, Problem, Unauthorized,
                                 UnsupportedMediaType, ValidationFailed)
from mockcdr.core.http import json_response, media_type, mock_response

JSONAPI = "application/vnd.api+json"
RAILS_JSON = "application/json; charset=utf-8"

# Rails' public/404.html and friends, as the exceptions app serves them to non-JSON clients.
_PAGE = ("<!DOCTYPE html>\n<html>\n<head>\n  <title>{title}</title>\n"
         "  <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n</head>\n<body>\n"
         "  <div class=\"dialog\">\n    <div>\n      <h1>{title}</h1>\n    </div>\n"
         "    <p>{text}</p>\n  </div>\n</body>\n</html>\n")
_PAGES = {
    400: ("The server cannot process the request (400 Bad Request)",
          "The server cannot process the request due to a client error."),
    404: ("The page you were looking for doesn't exist (404)",
          "You may have mistyped the address or the page may have moved."),
}


# What API coverage lists under a 400 (JR's codes, by operation) and under the download's 404.
_INDEX, _CREATE, _SHOW = ("listCdrExports",), ("createCdrExport",), ("getCdrExport",)
_BY_ID = ("getCdrExport", "downloadCdrExport", "getCdrExportAccountRelationship", "getCdrExportAccount")
_QUERY = _INDEX + _CREATE + _SHOW + ("getCdrExportAccount",)      # fields and include are parsed
NO_BODY = "(no body)"


def _read(status: int, body: bytes | None) -> list[str]:
    return error_codes(body) if body else [NO_BODY]


RESPONSE_KINDS = ResponseKinds(kinds=tuple(ResponseKind(status, code, title, ops) for status, code, title, ops in (
    (400, "101", "Invalid resource (fields[type] or data.type)", _QUERY),
    (400, "102", "Filter not allowed", _INDEX),
    (400, "103", "Invalid field value (an id that is not a UUID)", _INDEX + _CREATE + _BY_ID),
    (400, "104", "Invalid field (fields[type])", _QUERY),
    (400, "105", "Param not allowed", _CREATE),
    (400, "106", "Missing parameter (data, type)", _CREATE),
    (400, "107", "Invalid filter value", _INDEX),
    (400, "112", "Invalid include", _QUERY),
    (400, "114", "Invalid sort criteria", _INDEX),
    (400, "115", "Invalid links object", _CREATE),
    (400, "116", "Type mismatch (relationship type)", _CREATE),
    (400, "118", "Invalid page value", _INDEX),
    (400, "119", "Invalid field format (fields without a type)", _QUERY),
    (400, "120", "Invalid filters syntax", _INDEX),
    (400, "122", "Invalid data format", _CREATE),
    (400, "400", "Bad Request (a body that is not JSON)", _CREATE),
    (404, "404", "Record not found", ("downloadCdrExport",)),
    (404, NO_BODY, "Not Completed yet (empty body)", ("downloadCdrExport",)),
)), read=_read)


def problem(title: str, detail: str, code: str, pointer: str | None = None) -> Problem:
    return Problem(detail=detail, title=title, code=code, pointer=pointer)


def _bad(title: str, detail: str, code: str) -> BadRequest:
    return BadRequest(detail, problems=[problem(title, detail, code)])


# -- jsonapi-resources 0.9 exceptions (texts and codes of JSONAPI::Exceptions) -----------------
def invalid_field_value(value, field: str = "id") -> BadRequest:
    return _bad("Invalid field value", f"{value} is not a valid value for {field}.", "103")


def record_not_found(key) -> NotFound:
    detail = f"The record identified by {key} could not be found."
    return NotFound(detail, problems=[problem("Record not found", detail, "404")])


def invalid_filter_value(filter_name: str, value) -> BadRequest:
    return _bad("Invalid filter value", f"{value} is not a valid value for {filter_name}.", "107")


def filter_not_allowed(key: str) -> BadRequest:
    return _bad("Filter not allowed", f"{key} is not allowed.", "102")


def invalid_filters_syntax(raw) -> BadRequest:
    return _bad("Invalid filters syntax", f"{raw} is not a valid syntax for filtering.", "120")


def invalid_page_value(page: str, value, detail: str | None = None) -> BadRequest:
    return _bad("Invalid page value", detail or f"{value} is not a valid value for {page} page parameter.",
                "118")


def invalid_sort_criteria(resource: str, field: str) -> BadRequest:
    return _bad("Invalid sort criteria", f"{field} is not a valid sort criteria for {resource}", "114")


def invalid_include(resource: str, relationship: str) -> BadRequest:
    return _bad("Invalid field", f"{relationship} is not a valid relationship of {resource}", "112")


def invalid_resource(resource) -> BadRequest:
    return _bad("Invalid resource", f"{resource} is not a valid resource.", "101")


def invalid_field(type_: str, field) -> BadRequest:
    return _bad("Invalid field", f"{field} is not a valid field for {type_}.", "104")


def invalid_field_format() -> BadRequest:
    return _bad("Invalid field format", "Fields must specify a type.", "119")


def param_not_allowed(param) -> BadRequest:
    return _bad("Param not allowed", f"{param} is not allowed.", "105")


def param_missing(param: str) -> BadRequest:
    return _bad("Missing Parameter", f"The required parameter, {param}, is missing.", "106")


def type_mismatch(type_) -> BadRequest:
    return _bad("Type Mismatch", f"{type_} is not a valid type for this operation.", "116")


def invalid_links_object() -> BadRequest:
    return _bad("Invalid Links Object", "Data is not a valid Links Object.", "115")


def invalid_data_format() -> BadRequest:
    return _bad("Invalid data format", "Data must be a hash.", "122")


def unparseable_body(detail: str) -> BadRequest:
    return _bad("Bad Request", detail, "400")


def unsupported_media_type(content_type: str | None) -> UnsupportedMediaType:
    detail = (f"All requests that create or update must use the '{JSONAPI}' Content-Type. "
              f"This request specified '{content_type or ''}'.")
    return UnsupportedMediaType(detail, problems=[problem("Unsupported media type", detail, "415")])


def not_acceptable(accept: str | None) -> NotAcceptable:
    detail = (f"All requests must use the '{JSONAPI}' Accept without media type parameters. "
              f"This request specified '{accept or ''}'.")
    return NotAcceptable(detail, problems=[problem("Not acceptable", detail, "406")])


def validation_failed(problems: list[Problem]) -> ValidationFailed:
    return ValidationFailed(problems[0].detail, problems=problems)


def validation_problem(attribute: str, message: str, relationship: bool = False) -> Problem:
    """One ActiveModel error as JSONAPI::Exceptions::ValidationErrors renders it."""
    where = "relationships" if relationship else "attributes"
    return problem(message, f"{attribute} - {message}", "100", f"/data/{where}/{attribute}")


# -- yeti's own -------------------------------------------------------------------------------
def authorization_failed(plain: bool = False) -> Unauthorized:
    """A missing, expired, tampered or foreign token (plain JSON from the auth controller)."""
    detail = "Authorization token expired or incorrect."
    return Unauthorized(detail, problems=[problem("Authorization failed", detail, "401")],
                        envelope="plain" if plain else "jsonapi")


def authentication_failed() -> Unauthorized:
    detail = "Incorrect login or password."
    return Unauthorized(detail, problems=[problem("Authentication failed", detail, "401")], envelope="plain")


def empty_not_found() -> NotFound:
    """``head 404``: the download of an export that is not Completed."""
    return NotFound("the export has no file", envelope="empty")


def rails_error(status: int, detail: str) -> MockError:
    """An error Rails answers itself (routing errors, unparseable /auth bodies)."""
    return MockError(detail, status=status, envelope="rails")


# -- rendering ----------------------------------------------------------------------------------
def error_object(p: Problem, status: int) -> dict:
    """Keys in JSONAPI::Error#to_hash order; absent keys are left out, never null."""
    out = {"title": p.title, "detail": p.detail, "code": p.code or str(status)}
    if p.pointer:
        out["source"] = {"pointer": p.pointer}
    out["status"] = str(status)
    if p.meta:
        out["meta"] = p.meta
    return out


# Rack 3's phrases where Python's differ between versions
_PHRASES = {413: "Content Too Large", 422: "Unprocessable Content"}


def _reason(status: int) -> str:
    if status in _PHRASES:
        return _PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _default_problem(err: MockError) -> Problem:
    if err.kind == "server_error":
        return problem("Internal Server Error", "Internal Server Error", "500")
    if err.kind == "unauthorized":
        return authorization_failed().problems[0]
    code = err.meta.get("code")
    title = "Bad Request" if err.kind == "malformed_body" else _reason(err.status)
    return problem(title, err.detail or title, str(code) if code is not None else str(err.status))


def rails_page(status: int, headers: dict | None = None) -> Response:
    """What Rails' exceptions app serves: ``{"status","error"}`` to JSON clients, else the HTML page."""
    status = status if status in _PAGES else 404
    accepted = media_type((request.headers.get("Accept") or "").split(",")[0])[0]
    if accepted == "application/json":
        return json_response({"status": status, "error": _reason(status)}, status=status,
                             content_type=RAILS_JSON, headers=headers)
    title, text = _PAGES[status]
    return mock_response(_PAGE.format(title=title, text=text), status, "text/html; charset=utf-8", headers)


def render_error(err: MockError) -> Response:
    envelope = err.meta.get("envelope")
    if envelope == "empty":
        return mock_response(b"", err.status, "text/html", err.headers)
    if envelope == "rails" or err.kind in ("route_not_found", "method_not_allowed"):
        return rails_page(err.status if envelope == "rails" else 404, err.headers)
    problems = err.problems or [_default_problem(err)]
    body = {"errors": [error_object(p, err.status) for p in problems]}
    return json_response(body, status=err.status, content_type=RAILS_JSON if envelope == "plain" else JSONAPI,
                         headers=err.headers)
