"""Who may call the control plane: the bearer token when one is set, JSON bodies only, no cross-site browsers."""
from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Request

from .http import media_type

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_ENDPOINTS = frozenset({"health", "get_spec"})     # liveness probes and the specs need no token
REALM = 'Bearer realm="mockcdr control"'


class Refused(Exception):
    """A control request refused before it ran: ``status`` 401, 403 or 415, and why."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = dict(headers or {})


def check(request: Request, endpoint: str, token: str | None) -> None:
    """Raise Refused unless ``request`` may run the control operation ``endpoint``."""
    if token is not None and endpoint not in OPEN_ENDPOINTS:
        _check_token(request, token)
    if request.method in SAFE_METHODS:
        return
    _check_same_origin(request)
    _check_json(request)


def _check_token(request: Request, token: str) -> None:
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Refused(401, "the control API needs the server's control token: send "
                           "'Authorization: Bearer <token>'", {"WWW-Authenticate": REALM})
    if not hmac.compare_digest(given.strip().encode("utf-8", "replace"), token.encode("utf-8")):
        raise Refused(401, "the control token is wrong", {"WWW-Authenticate": f'{REALM}, error="invalid_token"'})


def _check_same_origin(request: Request) -> None:
    """Browsers say where a request comes from (Sec-Fetch-Site, else Origin); a page of another site
    must not reset the state or inject faults. Requests without either header are not from a browser."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        if site.lower() in ("same-origin", "none"):
            return
        raise Refused(403, f"the control API refuses state changes from other sites' pages "
                           f"(Sec-Fetch-Site: {site})")
    origin = request.headers.get("Origin")
    if origin is None:
        return
    try:
        parts = urlsplit(origin)
        same = parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()
    except ValueError:
        same = False
    if not same:
        raise Refused(403, f"the control API refuses state changes from other sites' pages "
                           f"(Origin: {origin[:100]})")


def _check_json(request: Request) -> None:
    """State changes take JSON bodies only: a form or text body (what a page can send to any site
    without asking) is refused, and so is a body without a Content-Type."""
    kind = media_type(request.headers.get("Content-Type"))[0]
    if kind:
        if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
            return
        raise Refused(415, f"the control API takes JSON bodies only (Content-Type: application/json), "
                           f"not {kind[:100]}")
    chunked = "chunked" in (request.headers.get("Transfer-Encoding") or "").lower()
    if request.content_length or chunked:          # (the body itself is read by the view, within its limit)
        raise Refused(415, "a body needs Content-Type: application/json")
