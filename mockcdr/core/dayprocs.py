"""Whole days of a big export rendered ahead in worker processes (fork), handed back in file order."""
# A day's lines are a pure function of the export and the day (calls are a pure function of seed,
# tenant and day), so days can be rendered anywhere. A worker is a fork of this process made when
# the export starts, so it holds the export's own render function and tables without anything
# being sent to it but day numbers; it sends back the day's starts, line offsets and text and/or
# its deflate segment (a byte string each). Where fork is not available (Windows, macOS' default
# spawn), or for a small export, days render in this process as before.
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from array import array
from collections import OrderedDict
from typing import Callable, Iterable

from .deflate import Segment, segment

MIN_DAYS = 3            # an export of fewer whole days to render does not start workers
_FORK_LOCK = threading.Lock()
_IN_USE = threading.Semaphore(1)    # one export at a time has workers: the process's bound is ``workers``
_JOB: tuple | None = None       # (render a day -> _Day, whether the text, whether the segment): the forked workers'


def available() -> bool:
    """Whether workers can be forks of this process (Linux; elsewhere fork is missing or unsafe)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def default_workers() -> int:
    """One worker per core this process may run on, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def _work(index: int):
    render, want_text, want_segment = _JOB
    day = render(index)
    pieces = day.pieces()
    text = b"".join(pieces)
    return (index, day.starts.tobytes(), day.offsets.tobytes(), text if want_text else None,
            tuple(segment(text)) if want_segment else None)


class DayWorkers:
    """Days rendered ahead by ``workers`` forked processes, at most ``ahead`` at a time.

    ``render(index)`` renders a whole day (what the workers run); ``take(index)`` returns that
    day (starts, offsets, text pieces and/or segment) if a worker has it or will have it, else
    None (the caller renders it itself). ``plan``: the whole days the export will want, in file
    order (an open-ended export's are endless: only ``ahead`` are ever asked for).
    """

    @classmethod
    def start(cls, *args, **kwargs) -> "DayWorkers | None":
        """Workers for this export, or None while another export of this process has them (this
        one then renders in its own thread, as any export does without workers)."""
        if not _IN_USE.acquire(blocking=False):
            return None
        try:
            return cls(*args, **kwargs)
        except OSError:                 # no process to be had (limits, memory): render here
            _IN_USE.release()
            return None
        except BaseException:
            _IN_USE.release()
            raise

    def __init__(self, render: Callable, plan: Iterable[int], workers: int, want_text: bool, want_segment: bool,
                 skip: Callable[[int], bool], day_type):
        global _JOB
        self.plan = iter(plan)
        self.skip = skip            # days not worth a worker (already cached)
        self.day_type = day_type
        self.ahead = 2 * workers
        self.pending: OrderedDict[int, object] = OrderedDict()
        self.done = False
        with _FORK_LOCK:
            _JOB = (render, want_text, want_segment)
            try:
                self.pool = multiprocessing.get_context("fork").Pool(workers)
            finally:
                _JOB = None
        self._fill()

    def _fill(self) -> None:
        while not self.done and len(self.pending) < self.ahead:
            index = next(self.plan, None)
            if index is None:
                self.done = True
                return
            if not self.skip(index):
                self.pending[index] = self.pool.apply_async(_work, (index,))

    def take(self, index: int):
        """The day ``index`` from a worker, or None if no worker renders it (days planned before
        it and not taken are dropped: the caller found them elsewhere)."""
        if index not in self.pending:
            return None
        while True:
            first, result = self.pending.popitem(last=False)
            if first == index:
                break
        self._fill()
        _i, starts, offsets, text, seg = result.get()
        return self.day_type(array("q", starts), array("q", offsets), None if text is None else [text],
                             None if seg is None else Segment(*seg))

    def close(self) -> None:
        pool, self.pool = getattr(self, "pool", None), None
        if pool is not None:
            pool.terminate()
            pool.join()
            _IN_USE.release()
