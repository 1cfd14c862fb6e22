"""Bytes on the wire: a parsed request, a response's head and framing, the server's own error answers."""
from __future__ import annotations

import time
from email.utils import formatdate

REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large",
           500: "Internal Server Error", 503: "Service Unavailable"}
NO_BODY_STATUS = {204, 304}
_date = {"second": 0, "value": b""}


def http_date() -> bytes:
    now = int(time.time())
    if _date["second"] != now:
        _date["second"], _date["value"] = now, formatdate(now, usegmt=True).encode("latin-1")
    return _date["value"]


class Request:
    """A parsed request waiting for, or being served by, a worker."""

    __slots__ = ("method", "target", "version", "headers", "body", "keep_alive", "too_large",
                 "declared", "chunked", "hold_until", "hold_cancel", "result", "head_sent", "chunked_out", "expect", "limit")

    def __init__(self):
        self.target = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.too_large = False
        self.declared = None        # Content-Length as sent
        self.limit = 0              # the most body bytes this request may carry
        self.chunked = False
        self.expect = False
        self.hold_until = 0.0       # an injected latency: loop time before which nothing is written
        self.hold_cancel = None     # set when that latency's fault is removed: write at once
        self.result = None
        self.head_sent = False
        self.chunked_out = False


def response_head(req: Request, res, closing: bool) -> bytes:
    """The status line and headers of a response; decides its framing (length, chunks or close)."""
    status = res.status
    code = int(status[:3])
    lines = ["HTTP/1.1 " + status]        # text, encoded once at the end
    has_length = False
    for name, value in res.headers:
        lname = name.lower()
        if lname == "content-length":
            has_length = True
        elif lname == "connection":
            if value.lower() == "close":
                req.keep_alive = False
            continue
        elif lname == "transfer-encoding":
            continue
        lines.append(f"{name}: {value}")
    no_body = code in NO_BODY_STATUS or code < 200
    if not has_length and not no_body:
        if res.done and not (res.dropped or res.failed):
            lines.append(f"Content-Length: {sum(map(len, res.chunks))}")
        elif req.version == "1.1":
            req.chunked_out = req.method != "HEAD"
            if req.chunked_out:
                lines.append("Transfer-Encoding: chunked")
        else:
            req.keep_alive = False      # HTTP/1.0: the end of the body is the close
    if no_body:
        res.chunks = []
    if closing:
        req.keep_alive = False
    if not req.keep_alive:
        lines.append("Connection: close")
    elif req.version == "1.0":
        lines.append("Connection: keep-alive")
    return ("\r\n".join(lines) + "\r\nDate: ").encode("latin-1") + http_date() + b"\r\nServer: mockcdr\r\n\r\n"


def error_response(status: int, detail: str) -> bytes:
    """A plain-text answer from the server itself (malformed request, timeout), closing the connection."""
    body = detail.encode("utf-8", "replace") + b"\n"
    return (b"HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
            b"Connection: close\r\nDate: %s\r\nServer: mockcdr\r\n\r\n%s"
            % (status, REASONS.get(status, "Error").encode(), len(body), http_date(), body))
