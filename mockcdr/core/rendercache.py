"""The bounded LRU cache of rendered export days, shared by every client of one server."""
# Calls are a pure function of (seed, tenant, day, calls per day) and a vendor's rows a pure
# function of the calls and the export's layout and filters, so what was rendered once can be
# served again as it is. Keys are built by core/dayrender.py from exactly those inputs; values
# hold no ids, clock readings or tokens. Thread-safe: downloads run on several threads at once.
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable

MB = 1024 * 1024


class RenderCache:
    """At most ``max_bytes`` of values (by their declared sizes); least recently used go first.

    ``max_bytes`` 0 turns the cache off (``get`` always misses, ``put`` keeps nothing). A value
    larger than the whole cache is not kept.
    """

    def __init__(self, max_bytes: int):
        if max_bytes < 0:
            raise ValueError("the render cache size must be 0 (off) or more")
        self.max_bytes = int(max_bytes)
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = self.evictions = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Hashable):
        """The value stored under ``key`` (now the most recently used), or None."""
        if not self.max_bytes:
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value: Any, size: int) -> bool:
        """Keep ``value`` (``size`` bytes), evicting the least recently used; False if not kept."""
        if size > self.max_bytes:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _key, (_value, gone) = self._items.popitem(last=False)
                self.bytes -= gone
                self.evictions += 1
        return True

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def stats(self) -> dict:
        with self._lock:
            return {"max_bytes": self.max_bytes, "bytes": self.bytes, "entries": len(self._items),
                    "hits": self.hits, "misses": self.misses, "evictions": self.evictions}

    def __len__(self) -> int:
        return len(self._items)
