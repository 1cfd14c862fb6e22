"""Signing keys a session draws at random and keeps in its store (a snapshot carries them, a reset draws anew)."""
from __future__ import annotations

import functools
import secrets

SIZE = 32     # bytes: an HS256 key as long as its hash


def declare(world, collection: str) -> None:
    """The shape of the records holding keys (a snapshot is checked against it)."""
    world.shape(collection, key=str)


def key(store, collection: str, name: str) -> bytes:
    """The key ``name``: 32 random bytes nobody can derive (not from the seed ``/_mockcdr/info``
    shows), drawn on first use and kept in ``collection`` of the store. Read without the store's
    lock once drawn (every signed request asks for it)."""
    found = _usable(store.get(collection, name))
    if found is not None:
        return found
    with store.lock:
        found = _usable(store.get(collection, name))     # drawn meanwhile by another request
        if found is None:
            found = secrets.token_bytes(SIZE)
            store.put(collection, name, {"key": found.hex()})
        return found


def _usable(record: dict | None) -> bytes | None:
    if record is None:
        return None
    text = record.get("key")
    found = _decoded(text) if isinstance(text, str) else b""
    return found if len(found) >= SIZE else None


@functools.lru_cache(maxsize=256)
def _decoded(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:                   # a hand-edited snapshot: no token was signed with it
        return b""
