"""Fast rendering of epoch-microsecond call times as text, in UTC or any IANA zone."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clock import UTC

_US_HOUR = 3_600_000_000
_SECONDS = tuple(f"{s:02d}" for s in range(60))
# Minutes cached per formatter: an export's calls come in time order, so a few thousand cover
# every neighbour that repeats, and a million-row export does not hold every minute it passed.
MINUTE_CACHE = 4096
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LAST_US = timedelta(microseconds=_US_HOUR - 1)


def _short(offset: timedelta) -> str:
    """A PostgreSQL-style offset: ``+00``, ``-05``, ``+05:30``."""
    seconds = int(offset.total_seconds())
    sign = "+" if seconds >= 0 else "-"
    hh, mm = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hh:02d}" if mm == 0 else f"{sign}{hh:02d}:{mm:02d}"


def zone(name: str | None):
    """A tzinfo for an IANA name (``UTC`` when empty); raises ValueError for an unknown name."""
    if not name or name.upper() in ("UTC", "ETC/UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):   # OSError: a name too long for a path
        raise ValueError(f"unknown time zone {name!r}") from None


class TimeFormatter:
    """Formats epoch microseconds in one zone; offsets and date strings are cached per hour.

    Rendering millions of timestamps through ``datetime.strftime`` is the slowest part of a
    CSV export, so this does the arithmetic itself.
    """

    def __init__(self, tz=UTC):
        self.tz = tz
        self._hours: dict[int, tuple[str, int, str]] = {}
        self._minutes: dict[int, str] = {}

    def _hour(self, hour_index: int) -> tuple[str, int, str] | None:
        """The UTC hour's local ``YYYY-MM-DD HH``, offset and short offset; None for an hour in
        which the offset changes (a zone whose transitions fall mid-hour in UTC, such as
        America/St_Johns or Australia/Lord_Howe): its instants are converted one by one."""
        try:
            return self._hours[hour_index]
        except KeyError:
            pass
        if len(self._hours) > 10_000:
            self._hours.clear()
        utc = _EPOCH + timedelta(hours=hour_index)
        local = utc.astimezone(self.tz)
        offset = local.utcoffset()
        if (utc + _LAST_US).astimezone(self.tz).utcoffset() != offset:
            cached = None
        else:
            cached = (local.strftime("%Y-%m-%d %H"), int(offset.total_seconds()), _short(offset))
        self._hours[hour_index] = cached
        return cached

    def _exact(self, us: int) -> tuple[str, int, int, int, str]:
        local = (_EPOCH + timedelta(microseconds=us)).astimezone(self.tz)
        return (local.strftime("%Y-%m-%d %H"), local.minute, local.second, local.microsecond,
                _short(local.utcoffset()))

    def parts(self, us: int) -> tuple[str, int, int, int, str]:
        """(``YYYY-MM-DD HH`` local, minute, second, microsecond, short offset like ``+00``)."""
        hour_index, rest = divmod(us, _US_HOUR)
        hour = self._hour(hour_index)
        if hour is None:
            return self._exact(us)
        prefix, offset, short = hour
        if offset % 3600:
            # zones with a non-whole-hour offset: shift the remainder into the minutes
            rest += (offset % 3600) * 1_000_000
            if rest >= _US_HOUR:
                rest -= _US_HOUR
                following = self._hour(hour_index + 1)
                if following is None or following[1] != offset:
                    return self._exact(us)
                prefix = following[0]
        minute, rest = divmod(rest, 60_000_000)
        second, micro = divmod(rest, 1_000_000)
        return prefix, minute, second, micro, short

    def seconds(self, us: int | None, sep: str = " ") -> str:
        """``YYYY-MM-DD HH:MM:SS`` (``sep`` between date and time)."""
        if us is None:
            return ""
        minute_index, rest = divmod(us, 60_000_000)
        prefix = self._minutes.get(minute_index)
        if prefix is None:
            if len(self._minutes) > MINUTE_CACHE:
                self._minutes.clear()
            hour, minute, _s, _m, _o = self.parts(minute_index * 60_000_000)
            prefix = self._minutes[minute_index] = f"{hour}:{minute:02d}:"
        text = prefix + _SECONDS[rest // 1_000_000]
        return text if sep == " " else text.replace(" ", sep)

    def micros(self, us: int | None, with_offset: bool = False) -> str:
        """``YYYY-MM-DD HH:MM:SS.ffffff`` and, optionally, a PostgreSQL-style ``+00`` offset."""
        if us is None:
            return ""
        prefix, minute, second, micro, short = self.parts(us)
        text = f"{prefix}:{minute:02d}:{second:02d}.{micro:06d}"
        return text + short if with_offset else text

    def iso(self, us: int | None) -> str:
        """ISO 8601 with milliseconds and the zone offset (``Z`` in UTC)."""
        if us is None:
            return ""
        prefix, minute, second, micro, short = self.parts(us)
        suffix = "Z" if self.tz is UTC else (short if ":" in short else short + ":00")
        return f"{prefix.replace(' ', 'T')}:{minute:02d}:{second:02d}.{micro // 1000:03d}{suffix}"
