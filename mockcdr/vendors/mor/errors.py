"""MOR's error envelopes: {"errors": "..."} for 401, {"error": "...", "details": {...}} otherwise."""
from __future__ import annotations

from ...core.errors import MockError
from ...core.http import json_response

JSON = "application/json; charset=utf-8"
# Texts the core words for itself; MOR's own words replace them.
OWN_WORDS = {
    "route_not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "malformed_body": "Invalid JSON in request body",
    "payload_too_large": "Request entity too large",
}


def render_error(err: MockError):
    """Any MockError in MOR's words.

    Auth failures use ``errors`` (a string) [V]; not-found and validation use ``error`` [V];
    validation adds ``details`` {field: [messages]}.
    """
    status = err.status
    message = OWN_WORDS.get(err.kind) or err.detail or err.kind
    if err.kind == "validation":
        details: dict[str, list[str]] = {}
        for p in err.problems:
            details.setdefault(p.field or "base", []).append(p.detail)
        body = {"error": err.detail, "details": details}
    elif status in (401, 403):
        body = {"errors": err.detail or "Unauthorized"}
    else:
        body = {"error": message}
    return json_response(body, status=status, content_type=JSON, headers=err.headers)
