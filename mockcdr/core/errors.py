"""Vendor-neutral error types; every vendor renders them in its own envelope and status."""
from __future__ import annotations

from dataclasses import dataclass, field as _field


@dataclass
class Problem:
    """One thing wrong with a request (validation errors come in lists of these)."""
    detail: str
    field: str | None = None       # the vendor's own name of the field, when there is one
    title: str | None = None
    code: str | None = None        # a vendor code, when the model already knows it
    pointer: str | None = None     # JSON pointer, for JSON:API vendors
    meta: dict = _field(default_factory=dict)


class MockError(Exception):
    """Base of every error the model raises.

    ``kind`` is a stable machine word a vendor's renderer switches on; ``status`` is the usual
    HTTP status for it, which a vendor may override (Yeastar answers everything with 200).
    """
    kind = "error"
    status = 500

    def __init__(self, detail: str = "", *, problems: list[Problem] | None = None,
                 status: int | None = None, headers: dict | None = None, **meta):
        super().__init__(detail or self.kind)
        self.detail = detail
        self.problems = list(problems or [])
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})
        self.meta = meta

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r}, status={self.status})"


class BadRequest(MockError):
    kind, status = "bad_request", 400


class MalformedBody(BadRequest):
    """The body is not parseable (bad JSON, wrong encoding)."""
    kind = "malformed_body"


class Unauthorized(MockError):
    kind, status = "unauthorized", 401


class Forbidden(MockError):
    kind, status = "forbidden", 403


class NotFound(MockError):
    kind, status = "not_found", 404


class RouteNotFound(NotFound):
    """No endpoint at this path (the app-level handler raises it for unmatched URLs)."""
    kind = "route_not_found"


class MethodNotAllowed(MockError):
    kind, status = "method_not_allowed", 405


class NotAcceptable(MockError):
    kind, status = "not_acceptable", 406


class Conflict(MockError):
    kind, status = "conflict", 409


class PayloadTooLarge(MockError):
    kind, status = "payload_too_large", 413


class UnsupportedMediaType(MockError):
    kind, status = "unsupported_media_type", 415


class ValidationFailed(MockError):
    """The request parsed but breaks the vendor's rules; ``problems`` says which."""
    kind, status = "validation", 422


class TooManyRequests(MockError):
    kind, status = "rate_limited", 429

    def __init__(self, detail: str = "", retry_after: int = 1, **kw):
        super().__init__(detail, **kw)
        self.retry_after = retry_after
        self.headers.setdefault("Retry-After", str(retry_after))


class InjectedFault(MockError):
    """An error status requested through the control plane's faults."""
    kind = "fault"


class ServerError(MockError):
    kind, status = "server_error", 500


class DropConnection(BaseException):
    """Close the client connection without a (complete) response.

    A BaseException so that no error handler turns it into a response: the serving layer turns
    it into a real dropped connection; in-process clients see the exception itself.
    """
