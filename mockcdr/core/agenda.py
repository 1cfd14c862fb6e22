"""A session's due-time heap: job steps, token expiry, schedules and deliveries, popped when due."""
from __future__ import annotations

import heapq
import itertools
import threading
from typing import Callable


class Agenda:
    """Items ``(at, topic, key)`` kept in a heap ordered by ``at`` (epoch seconds, virtual time).

    A request pays for what is due, never for everything held: ``next_due()`` is O(1) and popping
    is O(log n). Items may go stale (the job moved on, the token was extended): whoever handles a
    popped item checks its record and schedules again if it is still pending. ``on_earlier`` is
    called (outside the lock) when an item becomes the earliest, so a background ticker that
    sleeps until the earliest item can wake up sooner.
    """

    def __init__(self, on_earlier: Callable[[float], None] | None = None):
        self._heap: list[tuple[float, int, str, str]] = []
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._keys: set[tuple[str, str, float]] = set()
        self.on_earlier = on_earlier

    def schedule(self, at: float, topic: str, key: str) -> None:
        """Handle ``(topic, key)`` once the clock reaches ``at`` (a duplicate is ignored)."""
        marker = (topic, key, at)
        with self._lock:
            if marker in self._keys:
                return
            self._keys.add(marker)
            earlier = not self._heap or at < self._heap[0][0]
            heapq.heappush(self._heap, (at, next(self._seq), topic, key))
        if earlier and self.on_earlier is not None:
            self.on_earlier(at)

    def next_due(self) -> float | None:
        heap = self._heap
        return heap[0][0] if heap else None

    def pop(self, now: float) -> tuple[float, str, str] | None:
        """The earliest item due at ``now`` (removed), or None."""
        with self._lock:
            heap = self._heap
            if not heap or heap[0][0] > now:
                return None
            at, _seq, topic, key = heapq.heappop(heap)
            self._keys.discard((topic, key, at))
            return at, topic, key

    def clear(self) -> None:
        with self._lock:
            self._heap.clear()
            self._keys.clear()

    def __len__(self) -> int:
        return len(self._heap)
