"""The request journal: a bounded ring buffer of vendor requests, queryable and clearable."""
from __future__ import annotations

import threading
from collections import deque

TEXT_TYPES = ("json", "text", "xml", "x-www-form-urlencoded", "csv")


def _clip(data: bytes | None, content_type: str | None, limit: int) -> dict:
    if data is None:
        return {"size": None, "body": None, "truncated": False}
    size = len(data)
    textual = not content_type or any(t in content_type for t in TEXT_TYPES)
    if not textual:
        return {"size": size, "body": None, "truncated": False}
    clipped = data[:limit]
    return {"size": size, "body": clipped.decode("utf-8", "replace"), "truncated": size > limit}


class Journal:
    """Entries past ``size`` push the oldest out; each body is kept up to ``body_limit`` bytes,
    so memory stays flat under any load."""

    def __init__(self, size: int = 1000, body_limit: int = 2048):
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=max(1, size))
        self._seq = 0
        self.body_limit = body_limit

    def record(self, *, at: str, vendor: str | None, operation: str | None, method: str, path: str,
               query: str, tenant: str | None, status: int, duration_ms: float,
               request_body: bytes | None, request_type: str | None,
               response_body: bytes | None, response_type: str | None, client: str | None) -> dict:
        entry = {
            "at": at, "vendor": vendor, "operation": operation, "method": method, "path": path,
            "query": query, "tenant": tenant, "status": status, "duration_ms": round(duration_ms, 3),
            "client": client,
            "request": dict(_clip(request_body, request_type, self.body_limit), content_type=request_type),
            "response": dict(_clip(response_body, response_type, self.body_limit),
                             content_type=response_type),
        }
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
        return entry

    def query(self, vendor: str | None = None, operation: str | None = None,
              status: int | None = None, method: str | None = None, since: int | None = None,
              limit: int | None = None) -> list[dict]:
        with self._lock:
            entries = list(self._entries)
        out = [e for e in entries
               if (vendor is None or e["vendor"] == vendor)
               and (operation is None or e["operation"] == operation)
               and (status is None or e["status"] == status)
               and (method is None or e["method"] == method.upper())
               and (since is None or e["seq"] > since)]
        if limit is not None:
            out = out[-limit:] if limit > 0 else []
        return out

    def clear(self) -> int:
        with self._lock:
            n = len(self._entries)
            self._entries.clear()
            return n

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def capacity(self) -> int:
        return self._entries.maxlen or 0
