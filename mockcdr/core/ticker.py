"""The background ticker: sleeps until the earliest due item of any session, then brings that session up to date."""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import weakref

log = logging.getLogger("mockcdr")
RETRY_SECONDS = 0.05      # when a session is still due right after its tick (a delivery in flight)


class Ticker(threading.Thread):
    """Makes side effects happen when nobody polls: callbacks, scheduled files, token pruning.

    Sessions tell it (``notify``) when something falls due earlier than before; it keeps one
    entry per session in a heap of real wake-up times and sleeps until the first. A frozen clock
    needs no wake-up (moving it ticks at once). It also removes sessions idle past their TTL.
    """

    def __init__(self, sessions, idle_check: float | None = None):
        super().__init__(name="mockcdr-ticker", daemon=True)
        self.sessions = sessions
        self.idle_check = idle_check if idle_check is not None else max(0.5, min(30.0, sessions.ttl / 4))
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, weakref.ref]] = []   # a deleted session is not kept alive
        self._pending: dict[int, float] = {}       # id(session) -> its earliest entry in the heap
        self._seq = itertools.count()
        self._stopped = False
        self.ticks = 0

    def notify(self, session, at: float) -> None:
        """``session`` has an item due at virtual instant ``at``."""
        real = session.real_time_of(at)
        if real is None:
            return
        self._push(session, real)

    def _push(self, session, real: float) -> None:
        key = id(session)
        with self._cond:
            if real >= self._pending.get(key, float("inf")):
                return
            self._pending[key] = real
            first = not self._heap or real < self._heap[0][0]
            heapq.heappush(self._heap, (real, next(self._seq), weakref.ref(session)))
            if first:
                self._cond.notify()

    def run(self) -> None:
        self.sessions.ticker_running = True
        self.sessions.on_due = self.notify
        self.sessions.on_forget = self.forget
        for session in self.sessions.list():
            due = session.next_due()
            if due is not None:
                self.notify(session, due)
        next_check = time.monotonic() + self.idle_check
        try:
            while True:
                with self._cond:
                    if self._stopped:
                        return
                    now = time.time()
                    due = []
                    while self._heap and self._heap[0][0] <= now:
                        real, _seq, ref = heapq.heappop(self._heap)
                        session = ref()
                        if session is None:
                            continue
                        if self._pending.get(id(session)) == real:
                            del self._pending[id(session)]
                            due.append(session)
                    if not due:
                        wait = next_check - time.monotonic()
                        if self._heap:
                            wait = min(wait, self._heap[0][0] - now)
                        if wait > 0:
                            self._cond.wait(wait)
                for session in due:
                    self._tick(session)
                if time.monotonic() >= next_check:
                    self.sessions.expire()
                    next_check = time.monotonic() + self.idle_check
        finally:
            self.sessions.ticker_running = False
            self.sessions.on_due = self.sessions.on_forget = None

    def forget(self, session) -> None:
        """A deleted session: nothing of it stays here (its heap entries die with it)."""
        with self._cond:
            self._pending.pop(id(session), None)

    def _tick(self, session) -> None:
        if session.closed:
            return
        self.ticks += 1
        try:
            session.tick(deliver=True)
        except Exception as exc:      # keep ticking; surface it to test harnesses
            session.errors.append(exc)
            log.exception("background tick of session %s failed", session.id)
        due = session.next_due()
        if due is not None:
            real = session.real_time_of(due)
            if real is not None:
                self._push(session, max(real, time.time() + RETRY_SECONDS))

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
