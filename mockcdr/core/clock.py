"""The virtual clock: real time read at call time plus an offset, or a frozen instant."""
from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone

UTC = timezone.utc

# The instants the mock accepts: the clock is set, frozen, advanced and restored only within
# these. Every retention, token lifetime, schedule and look-back a vendor or setting may configure
# is at most LONGEST_SPAN, so any instant the mock computes from an accepted one stays within
# 1870..9100: a year datetime holds (1..9999) with room to spare.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
EARLIEST_TS, LATEST_TS = EARLIEST.timestamp(), LATEST.timestamp()
LONGEST_SPAN = timedelta(days=36_525)                 # 100 years
LONGEST_SECONDS = LONGEST_SPAN.total_seconds()
RANGE = "from 1970-01-01T00:00:00Z to 9000-01-01T00:00:00Z"

_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?:(?P<weeks>[0-9]+(?:\.[0-9]+)?)W)?(?:(?P<days>[0-9]+(?:\.[0-9]+)?)D)?"
    r"(?:T(?:(?P<hours>[0-9]+(?:\.[0-9]+)?)H)?(?:(?P<minutes>[0-9]+(?:\.[0-9]+)?)M)?"
    r"(?:(?P<seconds>[0-9]+(?:\.[0-9]+)?)S)?)?$"
)


def parse_duration(value: str | int | float) -> timedelta:
    """Seconds (number or numeric string) or an ISO 8601 duration such as ``PT1H`` or ``P1DT2H``.

    Years and months are refused: they have no fixed length. Digits are ASCII only.
    """
    if isinstance(value, bool):
        raise ValueError("a duration must be seconds or an ISO 8601 duration, not a boolean")
    if isinstance(value, (int, float)):
        return _seconds(value)
    text = str(value).strip()
    if not text.isascii():
        raise ValueError(f"{value!r} is not a number of seconds or an ISO 8601 duration like PT1H")
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return _seconds(seconds)
    m = _DURATION.match(text.upper())
    if not m or text.upper() in ("P", "PT", "-P", "+P") or text.upper().endswith("T"):
        raise ValueError(f"{value!r} is not a number of seconds or an ISO 8601 duration like PT1H")
    parts = {k: float(v) for k, v in m.groupdict().items() if v and k != "sign"}
    try:
        delta = timedelta(**parts)
    except OverflowError:
        raise ValueError(f"{value!r} is longer than any duration the clock can move by") from None
    return -delta if m.group("sign") == "-" else delta


def _seconds(value: int | float) -> timedelta:
    try:
        return timedelta(seconds=value)
    except (OverflowError, ValueError):     # inf, nan, or more than 999999999 days
        raise ValueError(f"{value!r} seconds is not a duration the clock can move by") from None


def check_timestamp(ts: float) -> float:
    """``ts`` (epoch seconds) if the mock accepts that instant (see RANGE), else ValueError."""
    if not EARLIEST_TS <= ts <= LATEST_TS:        # NaN fails this too
        raise ValueError(f"the clock stays {RANGE}")
    return ts


def check_instant(dt: datetime) -> datetime:
    """``dt`` if the mock accepts that instant (see RANGE), else ValueError."""
    if not EARLIEST <= dt <= LATEST:
        raise ValueError(f"{iso(dt)} is outside the instants the clock accepts: {RANGE}")
    return dt


def check_span(seconds: float, name: str) -> float:
    """``seconds`` if it is a duration from 0 to LONGEST_SPAN (100 years), else ValueError naming it."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= LONGEST_SECONDS:
        raise ValueError(f"{name} must be a number of seconds from 0 to {LONGEST_SECONDS:.0f} (100 years)")
    return seconds


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant; a value without an offset is read as UTC. Digits are ASCII only."""
    text = str(value).strip()
    if not text.isascii():
        raise ValueError(f"{value!r} is not an ISO 8601 date-time")
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:   # e.g. 0001-01-01T00:00:00+05:00 lies before year 1 in UTC
        raise ValueError(f"{value!r} is out of the supported date range") from None


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with milliseconds and ``Z``, the shape most vendors print."""
    if dt is None:
        return None
    dt = dt.astimezone(UTC)
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}."
            f"{dt.microsecond // 1000:03d}Z")


def _within(ts: float) -> float:
    """A running clock stays in RANGE too: it stops at its ends."""
    return LATEST_TS if ts > LATEST_TS else EARLIEST_TS if ts < EARLIEST_TS else ts


class Clock:
    """``now()`` is the real time (read at call time, so freezegun and time-machine apply)
    plus an offset, or a frozen instant, always within RANGE (a running clock stops at its
    ends). All mutations are thread-safe."""

    def __init__(self, start: datetime | None = None, frozen: bool = False):
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen: float | None = None
        self._listeners: list = []
        if start is not None:
            check_instant(start)
        self._initial = (start, frozen)
        self.reset()

    # -- reading ---------------------------------------------------------
    @staticmethod
    def real_time() -> float:
        return time.time()

    def timestamp(self) -> float:
        frozen = self._frozen
        if frozen is not None:
            return frozen
        return _within(time.time() + self._offset)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)     # never before 1970: see RANGE

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def state(self) -> dict:
        return {"now": iso(self.now()), "frozen": self.frozen, "offset_seconds": round(self._offset, 6)}

    # -- steering ----------------------------------------------------------
    def on_change(self, listener) -> None:
        """Call ``listener()`` after every set/advance/freeze/unfreeze/reset."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    def set(self, instant: datetime) -> None:
        """Move to ``instant``; ValueError (and no move) outside RANGE."""
        target = check_instant(instant).timestamp()
        with self._lock:
            if self._frozen is not None:
                self._frozen = target
            else:
                self._offset = target - time.time()
        self._changed()

    def advance(self, delta: timedelta) -> None:
        """Move by ``delta``; ValueError (and no move) if that leaves RANGE."""
        seconds = delta.total_seconds()
        with self._lock:
            if self._frozen is not None:
                self._frozen = check_timestamp(self._frozen + seconds)
            else:
                real = time.time()
                self._offset = check_timestamp(_within(real + self._offset) + seconds) - real
        self._changed()

    def freeze(self, at: datetime | None = None) -> None:
        """Stop at ``at`` (default: now); ValueError (and no change) if ``at`` is outside RANGE."""
        if at is not None:
            check_instant(at)
        with self._lock:
            self._frozen = at.timestamp() if at is not None else (
                self._frozen if self._frozen is not None else _within(time.time() + self._offset))
        self._changed()

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - time.time()
                self._frozen = None
        self._changed()

    def reset(self) -> None:
        start, frozen = self._initial
        with self._lock:
            now = time.time()
            self._offset = 0.0 if start is None else start.timestamp() - now
            self._frozen = None
            if frozen:
                # exactly the start instant (two reads of time.time() would drift by microseconds)
                self._frozen = start.timestamp() if start is not None else now
        self._changed()

    # -- snapshot ------------------------------------------------------------
    def dump(self) -> dict:
        with self._lock:
            if self._frozen is not None:
                return {"frozen_at": self._frozen}
            return {"now": _within(time.time() + self._offset)}

    def load(self, data: dict) -> None:
        with self._lock:
            if "frozen_at" in data:
                self._frozen = check_timestamp(float(data["frozen_at"]))
            else:
                self._frozen = None
                self._offset = check_timestamp(float(data["now"])) - time.time()
        self._changed()
