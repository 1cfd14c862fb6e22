"""Where a live-server test runs: at the server's root, or inside a fresh session on it."""
from __future__ import annotations

PLACES = ("root", "session")


def at(live, where: str, **spec):
    """Yield ``live`` itself ("root") or a new session on it ("session"); either has ``url``,
    ``runtime`` and ``raise_errors()``. A session is deleted afterwards."""
    if where == "root":
        yield live
        live.raise_errors()
        return
    handle = live.session(**spec)
    try:
        yield handle
        handle.raise_errors()
    finally:
        handle.close()
