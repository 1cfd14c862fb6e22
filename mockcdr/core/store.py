"""Thread-safe in-memory state: named collections of plain records, reset, and JSON snapshot/restore."""
from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any, Callable, Iterator

from .clock import UTC


def encode(value: Any) -> Any:
    """Records hold JSON values and datetimes; datetimes become ``{"$dt": iso}``."""
    if isinstance(value, datetime):
        return {"$dt": value.astimezone(UTC).isoformat()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a record")


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$dt" in value:
            text = value["$dt"]
            try:
                return datetime.fromisoformat(text).astimezone(UTC)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(f"{{'$dt': {str(text)[:40]!r}}} is not an ISO 8601 date-time") from None
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


class Store:
    """Collections of records keyed by id, in insertion order.

    Hold ``store.lock`` around any read-modify-write; it is re-entrant, so model functions may
    nest. Collections are created on first use and survive ``reset()`` only as empty dicts.
    """

    def __init__(self, shapes: dict[str, dict[str, type | tuple]] | None = None,
                 checks: dict[str, Callable[[str, dict], None]] | None = None) -> None:
        self.lock = threading.RLock()
        self._collections: dict[str, dict[str, dict]] = {}
        self._shapes: dict[str, dict[str, type | tuple]] = dict(shapes or {})
        self._checks: dict[str, Callable[[str, dict], None]] = dict(checks or {})

    def shape(self, collection: str, /, check: Callable[[str, dict], None] | None = None,
              **fields: type | tuple) -> None:
        """Declare the keys every record of a collection holds, and their types: ``load`` refuses
        a snapshot whose records lack one (a hand-edited snapshot fails at restore, not later).
        ``check(key, record)``, if given, raises ValueError for values of the right type its
        owner still cannot use (a time zone or job kind it does not know)."""
        self._shapes[collection] = fields
        if check is not None:
            self._checks[collection] = check

    def collection(self, name: str) -> dict[str, dict]:
        coll = self._collections.get(name)
        if coll is None:
            with self.lock:
                coll = self._collections.setdefault(name, {})
        return coll

    def get(self, name: str, key: str) -> dict | None:
        return self.collection(name).get(str(key))

    def put(self, name: str, key: str, record: dict) -> dict:
        with self.lock:
            self.collection(name)[str(key)] = record
        return record

    def delete(self, name: str, key: str) -> dict | None:
        with self.lock:
            return self.collection(name).pop(str(key), None)

    def values(self, name: str) -> list[dict]:
        with self.lock:
            return list(self.collection(name).values())

    def names(self) -> list[str]:
        return sorted(self._collections)

    def iter_all(self) -> Iterator[tuple[str, dict]]:
        with self.lock:
            items = [(n, r) for n, c in self._collections.items() for r in c.values()]
        return iter(items)

    def reset(self) -> None:
        with self.lock:
            for coll in self._collections.values():
                coll.clear()

    def count(self) -> int:
        with self.lock:
            return sum(len(c) for c in self._collections.values())

    # -- snapshot ------------------------------------------------------------
    def dump(self) -> dict:
        with self.lock:
            return {name: {k: encode(r) for k, r in coll.items()}
                    for name, coll in self._collections.items() if coll}

    def load(self, data: dict) -> None:
        if not isinstance(data, dict) or not all(
                isinstance(c, dict) and all(isinstance(r, dict) for r in c.values())
                for c in data.values()):
            raise ValueError("collections must map a name to an object of records")
        decoded = {name: {str(k): decode(r) for k, r in coll.items()} for name, coll in data.items()}
        for name, coll in decoded.items():
            for key, record in coll.items():
                self._check(name, key, record)
        with self.lock:
            for coll in self._collections.values():
                coll.clear()
            for name, coll in decoded.items():
                self.collection(name).update(coll)

    def _check(self, name: str, key: str, record: dict) -> None:
        for field, kind in self._shapes.get(name, {}).items():
            if field not in record:
                raise ValueError(f"record {name}/{key} lacks {field!r}")
            value = record[field]
            kinds = kind if isinstance(kind, tuple) else (kind,)
            if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
                names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
                raise ValueError(f"record {name}/{key}: {field!r} must be {names}")
        check = self._checks.get(name)
        if check is not None:
            try:
                check(key, record)
            except ValueError as exc:
                raise ValueError(f"record {name}/{key}: {exc}") from None


def dumps(value: Any) -> str:
    return json.dumps(encode(value), separators=(",", ":"), sort_keys=True)
