"""The request journal: a bounded ring buffer of vendor requests, queryable and clearable."""
from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timezone

TEXT_TYPES = ("json", "text", "xml", "x-www-form-urlencoded", "csv")


_FIELDS = ("seq", "at", "vendor", "operation", "method", "path", "query", "tenant", "status",
           "duration_ms", "client", "fault", "request_body", "request_type", "response_body",
           "response_type")


class Journal:
    """Entries past ``size`` push the oldest out; each body is kept up to ``body_limit`` bytes,
    so memory stays flat under any load. Entries are stored as compact tuples (recording sits on
    every request's path) and become dicts only when queried."""

    def __init__(self, size: int = 1000, body_limit: int = 2048):
        self._lock = threading.Lock()
        self._entries: deque[tuple] = deque(maxlen=max(1, size))
        self._seq = 0
        self.body_limit = body_limit

    def record(self, *, at: float, vendor: str | None, operation: str | None, method: str, path: str,
               query: bytes, tenant: str | None, status: int, duration_ms: float,
               request_body: bytes | None, request_type: str | None,
               response_body: bytes | None, response_type: str | None, client: str | None,
               fault: str | None = None) -> None:
        """``at`` is epoch seconds on the virtual clock; bodies are clipped now, decoded later."""
        limit = self.body_limit
        req = (len(request_body), request_body[:limit]) if request_body is not None else None
        resp = (len(response_body), response_body[:limit]) if response_body is not None else None
        with self._lock:
            self._seq += 1
            self._entries.append((self._seq, at, vendor, operation, method, path, query, tenant, status,
                                  duration_ms, client, fault, req, request_type, resp, response_type))

    @staticmethod
    def _body(kept, content_type) -> dict:
        if kept is None:
            return {"size": None, "body": None, "truncated": False, "content_type": content_type}
        size, clipped = kept
        textual = not content_type or any(t in content_type for t in TEXT_TYPES)
        return {"size": size, "body": clipped.decode("utf-8", "replace") if textual else None,
                "truncated": textual and size > len(clipped), "content_type": content_type}

    def _entry(self, t: tuple) -> dict:
        e = dict(zip(_FIELDS, t))
        e["at"] = datetime.fromtimestamp(e["at"], timezone.utc).isoformat()
        e["query"] = e["query"].decode("latin-1")
        e["duration_ms"] = round(e["duration_ms"], 3)
        e["request"] = self._body(e.pop("request_body"), e.pop("request_type"))
        e["response"] = self._body(e.pop("response_body"), e.pop("response_type"))
        if e["fault"] is None:
            del e["fault"]
        return e

    def query(self, vendor: str | None = None, operation: str | None = None,
              status: int | None = None, method: str | None = None, since: int | None = None,
              limit: int | None = None) -> list[dict]:
        with self._lock:
            entries = list(self._entries)
        method = method.upper() if method else None
        out = [t for t in entries
               if (vendor is None or t[2] == vendor) and (operation is None or t[3] == operation)
               and (status is None or t[8] == status) and (method is None or t[4] == method)
               and (since is None or t[0] > since)]
        if limit is not None:
            out = out[-limit:] if limit > 0 else []
        return [self._entry(t) for t in out]

    def clear(self) -> int:
        with self._lock:
            n = len(self._entries)
            self._entries.clear()
            return n

    def __len__(self) -> int:
        return len(self._entries)

    def kept_bytes(self) -> int:
        """Bytes of request and response bodies the journal holds (clipped as kept)."""
        with self._lock:
            entries = list(self._entries)
        return sum(len(t[12][1]) if t[12] else 0 for t in entries) + \
            sum(len(t[14][1]) if t[14] else 0 for t in entries)

    @property
    def capacity(self) -> int:
        return self._entries.maxlen or 0
