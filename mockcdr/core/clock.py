"""The virtual clock: real time read at call time plus an offset, or a frozen instant."""
from __future__ import annotations

import re
import threading
import time
from datetime import datetime, timedelta, timezone

UTC = timezone.utc

_DURATION = re.compile(
    r"^(?P<sign>[-+])?P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: str | int | float) -> timedelta:
    """Seconds (number or numeric string) or an ISO 8601 duration such as ``PT1H`` or ``P1DT2H``.

    Years and months are refused: they have no fixed length.
    """
    if isinstance(value, bool):
        raise ValueError("a duration must be seconds or an ISO 8601 duration, not a boolean")
    if isinstance(value, (int, float)):
        return _seconds(value)
    text = str(value).strip()
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
    """``ts`` if it is an instant a datetime can hold (years 1 to 9999), else ValueError."""
    try:
        datetime.fromtimestamp(ts, UTC)
    except (OverflowError, ValueError, OSError):
        raise ValueError("the clock cannot go outside the years 1 to 9999") from None
    return ts


def parse_instant(value: str) -> datetime:
    """An ISO 8601 instant; a value without an offset is read as UTC."""
    text = str(value).strip()
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


class Clock:
    """``now()`` is the real time (read at call time, so freezegun and time-machine apply)
    plus an offset, or a frozen instant. All mutations are thread-safe."""

    def __init__(self, start: datetime | None = None, frozen: bool = False):
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen: float | None = None
        self._listeners: list = []
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
        return time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

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
        target = instant.timestamp()
        with self._lock:
            if self._frozen is not None:
                self._frozen = target
            else:
                self._offset = target - time.time()
        self._changed()

    def advance(self, delta: timedelta) -> None:
        """Move by ``delta``; ValueError (and no move) if that leaves the years 1 to 9999."""
        seconds = delta.total_seconds()
        with self._lock:
            if self._frozen is not None:
                self._frozen = check_timestamp(self._frozen + seconds)
            else:
                check_timestamp(time.time() + self._offset + seconds)
                self._offset += seconds
        self._changed()

    def freeze(self, at: datetime | None = None) -> None:
        with self._lock:
            self._frozen = at.timestamp() if at is not None else (
                self._frozen if self._frozen is not None else time.time() + self._offset)
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
            return {"now": time.time() + self._offset}

    def load(self, data: dict) -> None:
        with self._lock:
            if "frozen_at" in data:
                self._frozen = check_timestamp(float(data["frozen_at"]))
            else:
                self._frozen = None
                self._offset = check_timestamp(float(data["now"])) - time.time()
        self._changed()
