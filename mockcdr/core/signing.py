"""Signing keys a session draws at random and keeps in its store (a snapshot carries them, a reset draws anew)."""
from __future__ import annotations

import secrets

SIZE = 32     # bytes: an HS256 key as long as its hash


def declare(world, collection: str) -> None:
    """The shape of the records holding keys (a snapshot is checked against it)."""
    world.shape(collection, key=str)


def key(store, collection: str, name: str) -> bytes:
    """The key ``name``: 32 random bytes nobody can derive (not from the seed ``/_mockcdr/info``
    shows), drawn on first use and kept in ``collection`` of the store."""
    with store.lock:
        record = store.get(collection, name)
        if record is not None:
            try:
                found = bytes.fromhex(record["key"])
            except (ValueError, TypeError):      # a hand-edited snapshot: no token was signed with it
                found = b""
            if len(found) >= SIZE:
                return found
        found = secrets.token_bytes(SIZE)
        store.put(collection, name, {"key": found.hex()})
        return found
