"""Injected faults: error statuses, latency, 429s, truncated or corrupted downloads, dropped connections."""
from __future__ import annotations

import threading
import time
from typing import Iterable, Iterator, Mapping

from .errors import DropConnection, InjectedFault, TooManyRequests

KINDS = ("error", "latency", "rate_limit", "truncate", "corrupt_gzip", "drop")
BEFORE = ("error", "latency", "rate_limit", "drop")      # act before the view runs
AFTER = ("truncate", "corrupt_gzip")                     # act on a file download's bytes
_FIELDS = {"vendor", "operation", "kind", "status", "detail", "code", "latency_ms", "retry_after",
           "after_bytes", "count"}


def parse_fault(data: Mapping, vendors: Iterable[str]) -> dict:
    """Validate a fault document; raises ValueError with a message naming the field."""
    if not isinstance(data, Mapping):
        raise ValueError("a fault must be a JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    vendor = data.get("vendor")
    if not isinstance(vendor, str) or vendor not in set(vendors):
        raise ValueError(f"vendor must be one of: {', '.join(sorted(vendors))}")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of: {', '.join(KINDS)}")
    operation = data.get("operation")
    if operation is not None and (not isinstance(operation, str) or not operation):
        raise ValueError("operation must be a non-empty string (an operationId)")

    def integer(name, default, low, high):
        value = data.get(name)
        if value is None:       # absent or null: the default
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} must be an integer from {low} to {high}")
        return value

    fault = {
        "vendor": vendor, "operation": operation, "kind": kind,
        "count": integer("count", None, 1, 1_000_000),
        "status": integer("status", 429 if kind == "rate_limit" else 500, 400, 599),
        "detail": data.get("detail"),
        "code": data.get("code"),
        "latency_ms": integer("latency_ms", 1000 if kind == "latency" else 0, 0, 120_000),
        "retry_after": integer("retry_after", 1, 0, 86_400),
        "after_bytes": integer("after_bytes", None, 0, 1 << 40),
    }
    if fault["detail"] is not None and not isinstance(fault["detail"], str):
        raise ValueError("detail must be a string")
    code = fault["code"]
    if code is not None and (not isinstance(code, (str, int)) or isinstance(code, bool)):
        raise ValueError("code must be a string or an integer")
    if kind == "rate_limit" and "status" not in data:
        fault["status"] = 429
    return fault


class Faults:
    """Faults queued (``count`` uses) or set (until cleared), matched per vendor and operation."""

    def __init__(self, sleep=time.sleep):
        self._lock = threading.Lock()
        self._faults: list[dict] = []
        self._next = 1
        self._sleep = sleep

    def add(self, fault: dict) -> dict:
        with self._lock:
            fault = dict(fault, id=self._next, hits=0)
            self._next += 1
            self._faults.append(fault)
            return dict(fault)

    def list(self, vendor: str | None = None) -> list[dict]:
        with self._lock:
            return [dict(f) for f in self._faults if vendor is None or f["vendor"] == vendor]

    def clear(self, vendor: str | None = None, fault_id: int | None = None) -> int:
        with self._lock:
            keep = [f for f in self._faults
                    if not ((vendor is None or f["vendor"] == vendor)
                            and (fault_id is None or f["id"] == fault_id))]
            removed = len(self._faults) - len(keep)
            self._faults = keep
            return removed

    def take(self, vendor: str, operation: str | None, kinds: tuple[str, ...]) -> list[dict]:
        """Every matching fault of the given kinds, each spending one use, oldest first."""
        taken = []
        with self._lock:
            for f in self._faults:
                if f["vendor"] != vendor or f["kind"] not in kinds:
                    continue
                if f["operation"] is not None and f["operation"] != operation:
                    continue
                if any(t["kind"] == f["kind"] for t in taken):
                    continue
                f["hits"] += 1
                if f["count"] is not None:
                    f["count"] -= 1
                taken.append(dict(f))
            self._faults = [f for f in self._faults if f["count"] is None or f["count"] > 0]
        return taken

    def dump(self) -> dict:
        with self._lock:
            return {"next": self._next, "faults": [dict(f) for f in self._faults]}

    def load(self, data: dict) -> None:
        with self._lock:
            self._faults = [dict(f) for f in data.get("faults", [])]
            self._next = int(data.get("next", len(self._faults) + 1))

    # -- applying -------------------------------------------------------------
    def armed(self) -> bool:
        """Whether any fault is set (read without the lock: a request racing an add may miss it)."""
        return bool(self._faults)

    def before(self, vendor: str, operation: str | None, fired: list | None = None) -> None:
        """Act on the faults that fire before a view: sleep, then raise an error or drop. The
        kinds taken are added to ``fired`` (for the journal) before any of them acts."""
        taken = self.take(vendor, operation, BEFORE)
        if fired is not None:
            fired.extend(f["kind"] for f in taken)
        for f in taken:
            if f["kind"] == "latency" and f["latency_ms"]:
                self._sleep(f["latency_ms"] / 1000.0)
        for f in taken:
            raise_for(f)

    def after(self, vendor: str, operation: str | None, gzip_ok: bool = True) -> dict | None:
        """The download fault (truncate, or corrupt if the file is gzip) for this response."""
        taken = self.take(vendor, operation, AFTER if gzip_ok else ("truncate",))
        return taken[0] if taken else None


def raise_for(fault: dict) -> None:
    """Turn a taken BEFORE fault (other than latency) into the exception that realises it."""
    kind = fault["kind"]
    if kind == "latency":
        return
    if kind == "drop":
        raise DropConnection("connection dropped by an injected fault")
    if kind == "rate_limit":
        raise TooManyRequests(fault["detail"] or "Too many requests", retry_after=fault["retry_after"],
                              status=fault["status"], code=fault["code"])
    if kind == "error":
        raise InjectedFault(fault["detail"] or "Injected fault", status=fault["status"], code=fault["code"])


def mangle(chunks: Iterable[bytes], fault: dict) -> Iterator[bytes]:
    """Wrap a download's bytes: cut it off mid-stream, or corrupt its gzip data and checksum."""
    if fault["kind"] == "truncate":
        limit = fault["after_bytes"]
        sent = 0
        buffered: list[bytes] = []
        if limit is None:
            # half of the whole body: buffer it (downloads under a fault are small test files)
            buffered = list(chunks)
            limit = sum(len(c) for c in buffered) // 2
            chunks = buffered
        for chunk in chunks:
            if sent + len(chunk) >= limit:
                if limit > sent:
                    yield chunk[: limit - sent]
                raise DropConnection("download truncated by an injected fault")
            sent += len(chunk)
            yield chunk
        raise DropConnection("download truncated by an injected fault")
    # corrupt_gzip: flip bytes in the deflate data and in the CRC trailer
    data = b"".join(chunks)
    buf = bytearray(data)
    if len(buf) > 20:
        middle = 10 + (len(buf) - 18) // 2
        for i in range(middle, min(middle + 4, len(buf) - 8)):
            buf[i] ^= 0x5A
        for i in range(len(buf) - 8, len(buf) - 4):
            buf[i] ^= 0xFF
    else:
        buf = bytearray(b"\x1f\x8b\x08\x00corrupt")
    yield bytes(buf)
