"""MOR's error envelopes: {"errors": "..."} for 401, {"error": "...", "details": {...}} otherwise."""
from __future__ import annotations

from ...core.catalogue import ResponseKind, ResponseKinds, json_body
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


# What API coverage lists under a 401 and a 400: MOR's messages (a 401 names the permission the
# user's API group lacks: one per operation; the login and refresh only say "Unauthorized").
UNAUTHORIZED = "Unauthorized"
NOT_AN_OBJECT = "Request body must be a JSON object"
PERMISSIONS = {
    "listAutomaticCdrExports": "v2_automatic_cdr_exports_index",
    "createAutomaticCdrExport": "v2_automatic_cdr_exports_create",
    "showAutomaticCdrExport": "v2_automatic_cdr_exports_show",
    "replaceAutomaticCdrExport": "v2_automatic_cdr_exports_update",
    "updateAutomaticCdrExport": "v2_automatic_cdr_exports_update",
    "deleteAutomaticCdrExport": "v2_automatic_cdr_exports_destroy",
    "setAutomaticCdrExportActive": "v2_automatic_cdr_exports_update_active",
    "listCdrExportTemplates": "v2_cdr_export_templates_index",
    "showCdrExportTemplate": "v2_cdr_export_templates_show",
}
_BODIES = ("authenticationRefresh", "createAutomaticCdrExport", "replaceAutomaticCdrExport",
           "updateAutomaticCdrExport", "setAutomaticCdrExportActive")


def not_permitted(permission: str) -> str:
    return f"API method not permitted: {permission}"


def _read(status: int, body: bytes | None) -> list[str]:
    doc = json_body(body)
    if not isinstance(doc, dict):
        return []
    text = doc.get("errors") if status in (401, 403) else doc.get("error")
    return [text] if isinstance(text, str) else []


RESPONSE_KINDS = ResponseKinds(kinds=(
    ResponseKind(401, UNAUTHORIZED, "no, a bad or an expired token; a user type other than admin"),
    *(ResponseKind(401, not_permitted(perm), "the user's API permission group lacks the method", (op,))
      for op, perm in PERMISSIONS.items()),
    ResponseKind(400, NOT_AN_OBJECT, "a JSON body that is not an object", _BODIES),
    ResponseKind(400, OWN_WORDS["malformed_body"], "a body that is not JSON", _BODIES),
    *(ResponseKind(400, f"Invalid parameter: {name}", f"a bad {name} filter", ("listAutomaticCdrExports",))
      for name in ("active", "send_to_user_id", "from", "max_results")),
), read=_read)


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
