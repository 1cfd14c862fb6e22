"""Seeded identifiers: derive_seed() with hashlib, and per-namespace id sequences that replay on reset."""
from __future__ import annotations

import hashlib
import threading
import uuid


def derive_seed(*parts: object) -> int:
    """A stable 64-bit integer from any parts; the same on every run and machine (never ``hash()``)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def derive_bytes(*parts: object, size: int = 16) -> bytes:
    text = "\x1f".join(str(p) for p in parts)
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{text}\x1e{counter}".encode("utf-8")).digest()
        counter += 1
    return out[:size]


def derive_uuid(*parts: object) -> str:
    """A random-looking (version 4 layout) UUID that is a pure function of its parts."""
    return str(uuid.UUID(bytes=derive_bytes(*parts, size=16), version=4))


class Ids:
    """Per-namespace counters; every id is a function of (seed, namespace, n).

    The counters are part of the state, so a reset or snapshot restore replays the same ids.
    """

    def __init__(self, seed: int | str):
        self.seed = seed
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}

    def next(self, namespace: str) -> int:
        with self._lock:
            n = self._counters.get(namespace, 0) + 1
            self._counters[namespace] = n
            return n

    def uuid(self, namespace: str) -> str:
        return derive_uuid(self.seed, namespace, self.next(namespace))

    def hex(self, namespace: str, length: int = 32) -> str:
        n = self.next(namespace)
        return derive_bytes(self.seed, namespace, n, size=(length + 1) // 2).hex()[:length]

    def integer(self, namespace: str, start: int = 1) -> int:
        return start - 1 + self.next(namespace)

    def reset(self, seed: int | str | None = None) -> None:
        with self._lock:
            if seed is not None:
                self.seed = seed
            self._counters.clear()

    def dump(self) -> dict:
        with self._lock:
            return {"seed": self.seed, "counters": dict(self._counters)}

    def load(self, data: dict) -> None:
        with self._lock:
            self.seed = data.get("seed", self.seed)
            self._counters = {str(k): int(v) for k, v in data.get("counters", {}).items()}
