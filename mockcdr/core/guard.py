"""Who may call the control plane: the bearer token when one is set, JSON bodies only, no cross-site
browsers, and on a loopback server no request addressed to a name it does not know (DNS rebinding)."""
from __future__ import annotations

import functools
import hmac
import ipaddress
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


def check(request: Request, endpoint: str, token: str | None, hosts: "Hosts | None" = None) -> None:
    """Raise Refused unless ``request`` may run the control operation ``endpoint``."""
    if endpoint not in OPEN_ENDPOINTS:
        if hosts is not None:
            hosts.check(request)
        if token is not None:
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


class Hosts:
    """The names a loopback server's control API answers to: a page on a site whose DNS name is
    re-pointed at 127.0.0.1 (DNS rebinding) is same-origin to the browser, so the Host it sends,
    that site's name, is what tells it apart. IP literals and ``localhost`` (``*.localhost``) are
    always accepted, and so are the ``allowed`` names (``*``: any); a request a trusted proxy
    forwarded (``mockcdr.forwarded``) was addressed to the proxy, which vouches for it."""

    def __init__(self, allowed: tuple[str, ...] = ()):
        self.names = frozenset(a.lower().rstrip(".") for a in allowed)

    @classmethod
    @functools.lru_cache(maxsize=64)
    def for_server(cls, bind: str, allowed: tuple[str, ...]) -> "Hosts | None":
        """Checked on a server bound to loopback, or wherever names are listed; None: not checked."""
        if "*" in allowed or not (allowed or is_loopback(bind)):
            return None
        return cls(allowed)

    def allows(self, host: str) -> bool:
        name = _hostname(host)
        if name is None:
            return False
        if name == "localhost" or name.endswith(".localhost") or name in self.names:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    def check(self, request: Request) -> None:
        if request.environ.get("mockcdr.forwarded"):
            return
        host = request.host
        if not self.allows(host):
            raise Refused(403, f"the control API answers only requests addressed to it by IP address or "
                               f"localhost, not {host[:100]!r} (a guard against DNS rebinding); to reach it "
                               f"by that name, start it with --allowed-host NAME (MOCKCDR_ALLOWED_HOSTS)")


def _hostname(host: str) -> str | None:
    """The name or address of a Host header without its port ([::1]:80 -> ::1); None when unreadable."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else None
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.rstrip(".") or None


def is_loopback(host: str) -> bool:
    """Whether a bind address (or name) is reachable from this machine only."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
