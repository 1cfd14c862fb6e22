"""Logging of a served mock: text or JSON records in UTC on stderr, and the access log middleware."""
from __future__ import annotations

import json
import logging
import sys
import time
from datetime import datetime, timezone
from typing import TextIO

FORMATS = ("text", "json")
ACCESS = "mockcdr.access"

# the attributes every LogRecord has; anything else came in through ``extra=`` and is data
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def utc_iso(seconds: float) -> str:
    """``2026-04-16T12:00:00.123Z``: RFC 3339, UTC, milliseconds."""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """``2026-04-16T12:00:00.123Z ERROR mockcdr: message``, then the traceback, if any."""

    def formatTime(self, record, datefmt=None):
        return utc_iso(record.created)

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the record's ``extra``
    fields, and ``exception`` (the formatted traceback) when there is one."""

    def format(self, record):
        out = {"time": utc_iso(record.created), "level": record.levelname, "logger": record.name,
               "message": record.getMessage()}
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, ensure_ascii=False)


class AccessFormatter(logging.Formatter):
    """Access records: the Combined Log Format line as text, or a JSON object of its fields."""

    def __init__(self, fmt: str):
        super().__init__()
        self.json = fmt == "json"

    def format(self, record):
        if not self.json:
            return record.getMessage()
        f = record.access
        return json.dumps({"time": utc_iso(record.created), "level": record.levelname, "logger": record.name,
                           **f}, ensure_ascii=False)


def configure(fmt: str = "text", level: int = logging.INFO, stream: TextIO | None = None,
              access_stream: TextIO | None = None) -> None:
    """Send every record (ours, waitress's, Flask's) to ``stream`` (stderr) in ``fmt``; access
    records go to ``access_stream`` (stdout) instead. Replaces the handlers a previous call set."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_mockcdr", False)]:
        root.removeHandler(handler)
    root.addHandler(_stream_handler(stream or sys.stderr, JsonFormatter() if fmt == "json" else TextFormatter()))
    root.setLevel(level)
    access = logging.getLogger(ACCESS)
    for handler in [h for h in access.handlers if getattr(h, "_mockcdr", False)]:
        access.removeHandler(handler)
    access.addHandler(_stream_handler(access_stream or sys.stdout, AccessFormatter(fmt)))
    access.propagate = False
    access.setLevel(logging.INFO)


def _stream_handler(stream: TextIO, formatter: logging.Formatter) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler._mockcdr = True
    return handler


def access_logger(out: TextIO | None = None) -> logging.Logger:
    """The access logger: ``mockcdr.access`` (stdout, text, unless ``configure`` set it up), or,
    given ``out``, a logger of its own that writes text lines there."""
    if out is None:
        logger = logging.getLogger(ACCESS)
        if not logger.handlers:
            logger.addHandler(_stream_handler(sys.stdout, AccessFormatter("text")))
            logger.propagate = False
    else:
        logger = logging.getLogger(f"{ACCESS}.{id(out):x}")
        if not logger.handlers:
            logger.addHandler(_stream_handler(out, AccessFormatter("text")))
        logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def _request_line(environ, path: str) -> str:
    query = environ.get("QUERY_STRING")
    target = path + (f"?{query}" if query else "")
    return f'{environ.get("REQUEST_METHOD", "-")} {target} {environ.get("SERVER_PROTOCOL", "-")}'


def _quoted(value: str) -> str:
    """A field of the Combined Log Format: quotes and backslashes escaped, controls hex-escaped."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


class AccessLog:
    """WSGI middleware: one record per finished request (logger ``mockcdr.access``) whose message
    is the Combined Log Format line, time in UTC (``[16/Apr/2026:12:00:00 +0000]``), and whose
    ``access`` attribute holds the same fields (and the duration) for the JSON format."""

    def __init__(self, app, logger: logging.Logger | None = None):
        self.app = app
        self.log = logger or access_logger()

    def __call__(self, environ, start_response):
        started = time.time()
        clock = time.perf_counter()
        seen = {}
        # as requested: the session router moves /_s/{id} out of PATH_INFO while serving
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")

        def _start(status, headers, exc_info=None):
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        size = 0
        try:
            for chunk in self.app(environ, _start):
                size += len(chunk)
                yield chunk
        finally:
            self._record(environ, path, started, time.perf_counter() - clock, seen.get("status", "-"), size)

    def _record(self, environ, path: str, started: float, seconds: float, status: str, size: int) -> None:
        if not self.log.isEnabledFor(logging.INFO):
            return
        stamp = datetime.fromtimestamp(started, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000")
        request_line = _request_line(environ, path)
        fields = {
            "remote_addr": environ.get("REMOTE_ADDR") or "-",
            "request": request_line, "method": environ.get("REQUEST_METHOD", "-"),
            "path": path, "query": environ.get("QUERY_STRING", ""),
            "status": int(status) if status.isdigit() else None, "bytes": size,
            "referer": environ.get("HTTP_REFERER", ""), "user_agent": environ.get("HTTP_USER_AGENT", ""),
            "duration_ms": round(seconds * 1000, 3),
        }
        line = (f'{fields["remote_addr"]} - - [{stamp}] "{_quoted(request_line)}" {status} '
                f'{size if size else "-"} "{_quoted(fields["referer"]) or "-"}" '
                f'"{_quoted(fields["user_agent"]) or "-"}"')
        record = self.log.makeRecord(self.log.name, logging.INFO, __file__, 0, line, None, None,
                                     extra={"access": fields})
        record.created = started
        self.log.handle(record)
