"""Garbage collection while serving: pauses that stay short however many jobs the sessions hold."""
from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger("mockcdr.serving")

IDLE_SECONDS = 1.0          # no request for this long: a sweep may run
FORCE_SECONDS = 300.0       # ... or, under load that never pauses, this long after the last sweep


class Collector:
    """Keeps the interpreter's full collections short while serving.

    A full collection walks every tracked object of the oldest generation: with tens of thousands
    of jobs held (each a few dicts and lists), that is a pause of 100-260 ms, felt by every
    request in flight (bench/RESULTS.md). Instead:

    * what the process built before serving (the World, the modules) is frozen at start
      (``gc.freeze``), and so is whatever survives each full collection the interpreter makes:
      that is long-lived state (jobs, sessions, the journal), so the next full collection walks
      only what requests made since, and its pause does not grow with what is held;
    * frozen objects are never collected, so cyclic garbage among them (a deleted session, whose
      parts refer to each other) waits for a sweep: unfreeze, one full collection, freeze. It runs
      when no request has arrived for ``IDLE_SECONDS``, or, under load that never pauses,
      ``FORCE_SECONDS`` after the last one.

    ``request()`` is called for every request and ``check()`` every half second or so: both are
    O(1) (counting the frozen objects walks all of them: tens of milliseconds with a million).
    """

    def __init__(self, idle: float = IDLE_SECONDS, force: float = FORCE_SECONDS):
        self.idle, self.force = idle, force
        self.last_request = self.last_sweep = time.monotonic()
        self.dirty = False          # objects frozen since the last sweep: garbage may hide among them
        self.freezes = self.sweeps = 0
        self.swept_count = 0        # frozen objects right after the last sweep
        self._sweeping = False
        self._installed = False

    def install(self) -> None:
        if not self._installed:
            gc.freeze()
            self.swept_count = gc.get_freeze_count()
            gc.callbacks.append(self._after_collection)
            self._installed = True

    def uninstall(self) -> None:
        """Give the interpreter its collections back: nothing frozen, no callback (a server
        stopped inside a process that goes on, such as a test's)."""
        if self._installed:
            gc.callbacks.remove(self._after_collection)
            gc.unfreeze()
            self._installed = False

    def request(self) -> None:
        self.last_request = time.monotonic()

    def _after_collection(self, phase: str, info: dict) -> None:
        # the collection is over when "stop" is reported: freezing then only moves lists
        if phase == "stop" and info["generation"] >= 2 and not self._sweeping:
            gc.freeze()
            self.dirty = True
            self.freezes += 1

    def due(self, now: float | None = None) -> bool:
        if not self.dirty:
            return False
        now = time.monotonic() if now is None else now
        return now - self.last_request >= self.idle or now - self.last_sweep >= self.force

    def check(self, now: float | None = None) -> bool:
        """Sweep if one is due; True when it ran."""
        if not self.due(now):
            return False
        self.sweep()
        return True

    def sweep(self) -> int:
        """Unfreeze, collect everything, freeze again; the number of objects collected."""
        self._sweeping = True
        started = time.perf_counter()
        try:
            gc.unfreeze()
            found = gc.collect()
            gc.freeze()
        finally:
            self._sweeping = False
        self.swept_count = gc.get_freeze_count()
        self.dirty = False
        self.sweeps += 1
        self.last_sweep = time.monotonic()
        log.debug("garbage sweep: %d objects collected, %d kept, %.1f ms", found, self.swept_count,
                  (time.perf_counter() - started) * 1000)
        return found
