"""The bounded LRU cache of rendered export days: one byte budget per process, a view per World."""
# Calls are a pure function of (seed, tenant, day, calls per day) and a vendor's rows a pure
# function of the calls and the export's layout and filters, so what was rendered once can be
# served again as it is. Keys are built by core/dayrender.py from exactly those inputs; values
# hold no ids, clock readings or tokens. Thread-safe: downloads run on several threads at once.
#
# A process may hold several Worlds (a session that asks for other vendor options gets a World of
# its own). Each World reads and writes through its own view, whose entries are keyed by the
# World as well (so nothing rendered under one configuration is served under another: fixtures
# and options are part of the key without being spelled out), but every view draws on the one
# process store: the largest size any live World asks for bounds them all together, and each
# World also stays within its own size.
from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from typing import Any, Hashable

MB = 1024 * 1024


class SharedStore:
    """Every view's entries in one LRU order, keyed by (view, key), under one lock."""

    def __init__(self):
        self._items: OrderedDict[tuple[int, Hashable], tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._views: dict[int, list] = {}          # view id -> [max bytes, bytes held]
        self._ids = itertools.count(1)
        self.bytes = 0
        self.evictions = 0

    @property
    def budget(self) -> int:
        """The process's bound: the largest size a live view asks for."""
        return max((v[0] for v in self._views.values()), default=0)

    def view(self, max_bytes: int) -> "CacheView":
        """A World's view of the store, bounded by ``max_bytes`` (0: off) and by the budget."""
        if max_bytes < 0:
            raise ValueError("the render cache size must be 0 (off) or more")
        with self._lock:
            vid = next(self._ids)
            self._views[vid] = [int(max_bytes), 0]
        view = CacheView(self, vid, int(max_bytes))
        weakref.finalize(view, self._drop, vid)
        return view

    def _drop(self, vid: int) -> None:
        """A view is gone (its World with it): its entries go too."""
        with self._lock:
            for key in [k for k in self._items if k[0] == vid]:
                self.bytes -= self._items.pop(key)[1]
            self._views.pop(vid, None)

    def _evict(self, key) -> None:
        _value, size = self._items.pop(key)
        self.bytes -= size
        self._views[key[0]][1] -= size
        self.evictions += 1

    def get(self, vid: int, key: Hashable):
        with self._lock:
            item = self._items.get((vid, key))
            if item is None:
                return None
            self._items.move_to_end((vid, key))
            return item[0]

    def put(self, vid: int, key: Hashable, value: Any, size: int) -> bool:
        with self._lock:
            own = self._views.get(vid)
            if own is None or size > own[0]:
                return False
            old = self._items.pop((vid, key), None)
            if old is not None:
                self.bytes -= old[1]
                own[1] -= old[1]
            self._items[(vid, key)] = (value, size)
            self.bytes += size
            own[1] += size
            if own[1] > own[0]:             # this World's own size: its least recently used go
                for k in [k for k in self._items if k[0] == vid]:
                    if own[1] <= own[0]:
                        break
                    self._evict(k)
            budget = self.budget
            while self.bytes > budget:      # the process's: the least recently used of any World
                self._evict(next(iter(self._items)))
        return True

    def clear(self, vid: int) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == vid]:
                self.bytes -= self._items.pop(key)[1]
            if vid in self._views:
                self._views[vid][1] = 0

    def held(self, vid: int) -> tuple[int, int]:
        """(bytes, entries) of one view."""
        with self._lock:
            return (self._views.get(vid, [0, 0])[1], sum(1 for k in self._items if k[0] == vid))


class CacheView:
    """What a World sees: RenderCache's interface over the process's SharedStore."""

    def __init__(self, store: SharedStore, vid: int, max_bytes: int):
        self.store, self.vid, self.max_bytes = store, vid, max_bytes
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Hashable):
        if not self.max_bytes:
            return None
        value = self.store.get(self.vid, key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: Hashable, value: Any, size: int) -> bool:
        return bool(self.max_bytes) and self.store.put(self.vid, key, value, size)

    def clear(self) -> None:
        self.store.clear(self.vid)

    def stats(self) -> dict:
        held, entries = self.store.held(self.vid)
        return {"max_bytes": self.max_bytes, "bytes": held, "entries": entries, "hits": self.hits,
                "misses": self.misses, "evictions": self.store.evictions,
                "process_bytes": self.store.bytes, "process_max_bytes": self.store.budget}

    def __len__(self) -> int:
        return self.store.held(self.vid)[1]


STORE = SharedStore()       # the process's one store of rendered days


def view(max_bytes: int) -> CacheView:
    """A view of the process's store for a World of ``max_bytes`` (``render_cache_mb``)."""
    return STORE.view(max_bytes)
