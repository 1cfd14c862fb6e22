"""Injected faults: error statuses, latency, 429s, truncated or corrupted downloads, dropped connections."""
from __future__ import annotations

import threading
from typing import Iterable, Iterator, Mapping

from .errors import DropConnection, InjectedFault, TooManyRequests

KINDS = ("error", "latency", "rate_limit", "truncate", "corrupt_gzip", "drop")
BEFORE = ("error", "latency", "rate_limit", "drop")      # act before the view runs
AFTER = ("truncate", "corrupt_gzip")                     # act on a file download's bytes
_FIELDS = {"vendor", "operation", "kind", "status", "detail", "code", "latency_ms", "retry_after",
           "after_bytes", "count"}


def parse_fault(data: Mapping, vendors: Mapping | Iterable[str]) -> dict:
    """Validate a fault document; raises ValueError with a message naming the field.

    ``vendors`` maps slugs to ``core.vendor.Vendor`` objects (or is just the slugs): with the
    objects, a fault that could never apply is refused too (an unknown operation, a download
    fault on an operation that serves no file, ``corrupt_gzip`` on a file that is not gzip).
    """
    if not isinstance(data, Mapping):
        raise ValueError("a fault must be a JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    slugs = sorted(vendors)
    vendor = data.get("vendor")
    if not isinstance(vendor, str) or vendor not in slugs:
        raise ValueError(f"vendor must be one of: {', '.join(slugs)}")
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
    if isinstance(vendors, Mapping) and hasattr(vendors[vendor], "operations"):
        check_applies(fault, vendors[vendor])
    return fault


def check_applies(fault: dict, vendor) -> None:
    """ValueError saying why, if ``fault`` could never fire on ``vendor``'s operations."""
    operations = vendor.operations()
    operation, kind = fault["operation"], fault["kind"]
    if operation is not None and operation not in operations:
        raise ValueError(f"operation: {vendor.slug} has no operation {operation!r}; its operations are "
                         f"{', '.join(sorted(operations))}")
    if kind not in AFTER:
        return
    wanted = ("gzip",) if kind == "corrupt_gzip" else ("gzip", "plain")
    what = "gzip file" if kind == "corrupt_gzip" else "file"
    files = sorted(op for op, packing in vendor.files.items() if packing in wanted)
    if operation is None and not files:
        raise ValueError(f"kind: {kind} acts on a {what} download, and no {vendor.slug} operation "
                         f"serves one")
    if operation is not None and operation not in files:
        served = vendor.files.get(operation)
        why = "serves an uncompressed file" if served else "serves no file (it answers JSON)"
        raise ValueError(f"kind: {kind} acts on a {what} download, and {operation} {why}; "
                         + (f"{vendor.slug} {what} downloads: {', '.join(files)}" if files
                            else f"no {vendor.slug} operation serves one"))


class Faults:
    """Faults queued (``count`` uses) or set (until cleared), matched per vendor and operation.

    ``vendors`` (slug -> Vendor) lets ``load`` check restored faults as ``parse_fault`` checks new
    ones. A latency fault waits without holding any lock, and removing the fault (clear, delete,
    reset, restore) ends the waits it started at once.
    """

    def __init__(self, vendors: Mapping | None = None, *, sleep=None):
        self._lock = threading.Lock()
        self._faults: list[dict] = []
        self._next = 1
        self._vendors = vendors
        self._sleep = sleep                          # tests may record sleeps instead
        self._waits: dict[int, tuple[str, threading.Event]] = {}   # fault id -> waits it started

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
            self._wake(lambda fid, slug: (vendor is None or slug == vendor)
                       and (fault_id is None or fid == fault_id))
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
        """Replace the faults with a snapshot's; ValueError naming the fault (and no change) if one
        is not a fault ``parse_fault`` would accept, or its id or hits are wrong."""
        faults = self.validate(data)
        with self._lock:
            self._faults = faults
            self._next = max([int(data.get("next") or 1)] + [f["id"] + 1 for f in faults])
            self._wake(lambda fid, slug: True)

    def validate(self, data: dict) -> list[dict]:
        """The faults of a snapshot's ``faults`` section, checked and completed."""
        if not isinstance(data, Mapping):
            raise ValueError("faults must be an object")
        items = data.get("faults", [])
        if not isinstance(items, list):
            raise ValueError("faults.faults must be a list")
        next_id = data.get("next", 1)
        if isinstance(next_id, bool) or not isinstance(next_id, int) or next_id < 1:
            raise ValueError("faults.next must be an integer from 1")
        vendors = self._vendors if self._vendors is not None else {
            f.get("vendor") for f in items if isinstance(f, Mapping) and isinstance(f.get("vendor"), str)}
        out, seen = [], set()
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise ValueError(f"faults.faults[{i}]: a fault must be an object")
            fid, hits = item.get("id"), item.get("hits", 0)
            where = f"faults.faults[{i}] (id {fid!r})"
            try:
                fault = parse_fault({k: v for k, v in item.items() if k not in ("id", "hits")}, vendors)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
            if isinstance(fid, bool) or not isinstance(fid, int) or fid < 1 or fid in seen:
                raise ValueError(f"{where}: id must be an integer from 1, unique among the faults")
            if isinstance(hits, bool) or not isinstance(hits, int) or hits < 0:
                raise ValueError(f"{where}: hits must be an integer from 0")
            seen.add(fid)
            out.append(dict(fault, id=fid, hits=hits))
        return out

    # -- applying -------------------------------------------------------------
    def armed(self) -> bool:
        """Whether any fault is set (read without the lock: a request racing an add may miss it)."""
        return bool(self._faults)

    def before(self, vendor: str, operation: str | None, defer=None, seen: list | None = None) -> None:
        """Act on the faults that fire before a view: wait, then raise an error or drop.

        ``defer(seconds, cancel)``, when the server offers one, holds the response that long (or
        until ``cancel`` is set: the fault was removed) without holding a thread; the view runs
        now, its answer or drop goes out after the delay. Otherwise the request waits here.
        Each fault taken is appended to ``seen`` first (coverage counts them apart).
        """
        taken = self.take(vendor, operation, BEFORE)
        if seen is not None:
            seen.extend(taken)
        for f in taken:
            if f["kind"] == "latency" and f["latency_ms"]:
                if defer is not None and self._sleep is None:
                    defer(f["latency_ms"] / 1000.0, self._wait_event(f))
                else:
                    self._wait(f, f["latency_ms"] / 1000.0)
        for f in taken:
            raise_for(f)

    def _wait(self, fault: dict, seconds: float) -> None:
        """Sleep ``seconds`` unless the fault is removed first; no lock is held meanwhile."""
        if self._sleep is not None:
            self._sleep(seconds)
            return
        self._wait_event(fault).wait(seconds)

    def _wait_event(self, fault: dict) -> threading.Event:
        """The event set when ``fault`` is removed (shared by the waits it started)."""
        with self._lock:
            entry = self._waits.get(fault["id"])
            if entry is None or entry[1].is_set():
                entry = self._waits[fault["id"]] = (fault["vendor"], threading.Event())
        return entry[1]

    def _wake(self, match) -> None:
        """(under the lock) End the waits of the removed faults that ``match(id, vendor)``."""
        for fid, (slug, event) in list(self._waits.items()):
            if match(fid, slug):
                event.set()
                del self._waits[fid]

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
