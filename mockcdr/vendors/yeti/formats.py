"""The customer CDR export file: 29 titleized columns, PostgreSQL COPY CSV (FORCE_QUOTE *), gzip."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from mockcdr.core.cdrs import EPOCH_DAY, US_PER_DAY
from mockcdr.core.clock import UTC, parse_instant
from mockcdr.core.csvout import csv_chunks, gzip_chunks
from mockcdr.core.numbering import plan_for
from mockcdr.core.timefmt import TimeFormatter, zone as tz_for
from mockcdr.core.vendor import FileOut, iter_limited

from .fixtures import FIELDS, Directory
from .form import resolve_zone

CONTENT_TYPE = "text/csv; charset=utf-8"
# Rails' titleize of each field (``orig_call_id`` loses its ``_id``).
TITLES = (
    "Time Start", "Time Connect", "Time End", "Success", "Duration", "Src Name In", "Src Prefix In",
    "Dst Prefix In", "From Domain", "To Domain", "Ruri Domain", "Lega Disconnect Code",
    "Lega Disconnect Reason", "Auth Orig Ip", "Auth Orig Port", "Src Prefix Routing", "Dst Prefix Routing",
    "Destination Prefix", "Destination Initial Interval", "Destination Next Interval",
    "Destination Initial Rate", "Destination Next Rate", "Destination Fee", "Customer Price",
    "Customer Duration", "Orig Call", "Local Tag", "Lega User Agent", "Diversion In",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SIP_PORT = 5060


@dataclass(frozen=True)
class ExportSpec:
    """Which calls an export holds and how it prints them."""
    tenant: str
    trunks: frozenset
    directions: tuple
    start_us: int
    end_us: int                 # exclusive
    cap_us: int | None            # only calls that ended by then (when the export ran)
    floor_us: int | None = None   # no calls before then (the CDR history the switch keeps)
    success: bool | None = None
    duration_eq: int | None = None
    duration_gteq: int | None = None
    duration_lteq: int | None = None
    src_eq: str | None = None
    dst_eq: str | None = None
    time_format: str = "with_timezone"
    zone: str | None = None
    hidden: tuple = ()
    switch_host: str = ""


def _us(dt: datetime) -> int:
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def spec_for(directory: Directory, attrs: dict, cap: datetime | None) -> ExportSpec:
    """The spec of a stored export (its filters as stored: millisecond times, like yeti's JSON column)."""
    f = attrs["filters"]
    options = directory.options
    account = directory.accounts[attrs["account"]]
    zone = resolve_zone(attrs.get("time_zone_name"))
    start, end = parse_instant(f["time_start_gteq"]), parse_instant(f["time_start_lt"])
    if zone and options["filters_in_time_zone"]:
        # the window's UTC wall-clock read in the session zone, as PostgreSQL would after SET timezone
        tz = ZoneInfo(zone)
        try:
            start, end = (t.replace(tzinfo=None).replace(tzinfo=tz).astimezone(UTC) for t in (start, end))
        except OverflowError:       # year 1 or 9999: the window is unbounded on that side anyway
            pass
    floor = cap - timedelta(days=options["cdr_history_days"]) if cap is not None else None
    return ExportSpec(
        tenant=account.tenant, trunks=account.trunks, directions=tuple(options["directions"]),
        start_us=_us(start), end_us=_us(end), cap_us=_us(cap) if cap is not None else None,
        floor_us=_us(floor) if floor is not None else None,
        success=f.get("success_eq"), duration_eq=f.get("duration_eq"), duration_gteq=f.get("duration_gteq"),
        duration_lteq=f.get("duration_lteq"), src_eq=f.get("src_prefix_routing_eq"),
        dst_eq=f.get("dst_prefix_routing_eq"), time_format=attrs["time_format"], zone=zone,
        hidden=tuple(options["hidden_fields"]), switch_host=options["switch_host"])


def matching_calls(rt, spec: ExportSpec):
    """The export's calls, newest first (``ORDER BY time_start DESC``), every filter applied."""
    start_us = spec.start_us if spec.floor_us is None else max(spec.start_us, spec.floor_us)
    end_us = spec.end_us if spec.cap_us is None else min(spec.end_us, spec.cap_us)
    if end_us <= start_us:
        return
    tenant = rt.tenant(spec.tenant)
    day = rt.universe.day
    trunks, directions, cap = spec.trunks, spec.directions, spec.cap_us
    success, d_eq, d_ge, d_le = spec.success, spec.duration_eq, spec.duration_gteq, spec.duration_lteq
    src_eq, dst_eq = spec.src_eq, spec.dst_eq
    # what depends only on a call's shape is decided once per shape, and unwanted calls are not built
    keep = [trunk is not None and trunk.id in trunks and direction in directions
            and (success is None or (disposition == "answered") == success)
            and (src_eq is None or src == src_eq) and (dst_eq is None or dst == dst_eq)
            for direction, disposition, _c, _r, _q, _i, src, _n, dst, _d, trunk, *_rest
            in rt.universe.shapes(tenant)]
    if not any(keep):
        return
    for index in range((end_us - 1) // US_PER_DAY, start_us // US_PER_DAY - 1, -1):
        for c in reversed(day(tenant, EPOCH_DAY + timedelta(days=index), keep)):
            s = c.start_us
            if s >= end_us:
                continue
            if s < start_us:
                break
            if cap is not None and c.end_us > cap:
                continue
            d = c.billsec
            if (d_eq is not None and d != d_eq) or (d_ge is not None and d < d_ge) or (
                    d_le is not None and d > d_le):
                continue
            yield c


def count_rows(rt, spec: ExportSpec) -> int:
    return sum(1 for _ in matching_calls(rt, spec))


def _number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _destination_prefix(number: str) -> str:
    plan = plan_for(number)
    if plan is None:
        return number[:4]
    national = number[len(plan.cc):]
    best = max((p for p in plan.fixed + plan.mobile + plan.tollfree if national.startswith(p)), key=len,
               default="")
    return plan.cc + best


def _static(c, switch_host: str) -> tuple[tuple, tuple]:
    """The columns a call shape fixes: (Src Name In .. Destination Fee), (Lega User Agent, Diversion In)."""
    rate = _number(c.rate)
    return ((c.src_name or None, c.src, c.dst, c.src_ip, switch_host, switch_host, c.sip_code, c.sip_reason,
             c.src_ip, _SIP_PORT, c.src, c.dst, _destination_prefix(c.dst), 1, 1, rate, rate, "0"),
            (c.user_agent, None))


def _time_renderer(time_format: str, zone: str | None):
    """us -> text in the export's zone; PostgreSQL drops the fraction's trailing zeros."""
    fmt = TimeFormatter(tz_for(zone))
    if time_format == "round_to_seconds":
        return fmt.seconds                               # to_char(..., 'YYYY-MM-DD HH24:MI:SS')
    with_offset = time_format == "with_timezone"
    minutes: dict[int, tuple[str, str]] = {}
    get = minutes.get

    def render(us: int) -> str:
        minute, rest = divmod(us, 60_000_000)
        head = get(minute)
        if head is None:
            if len(minutes) > 100_000:
                minutes.clear()
            hour, mi, _s, _m, short = fmt.parts(minute * 60_000_000)
            head = minutes[minute] = (f"{hour}:{mi:02d}:", short if with_offset else "")
        second, micro = divmod(rest, 1_000_000)
        if micro:
            return f"{head[0]}{second:02d}.{micro:06d}".rstrip("0") + head[1]
        return f"{head[0]}{second:02d}{head[1]}"
    return render


def rows(calls, spec: ExportSpec):
    """One tuple per call, in TITLES order; booleans as t/f, NULL as None."""
    render = _time_renderer(spec.time_format, spec.zone)
    switch_host = spec.switch_host
    shapes: dict = {}
    get = shapes.get
    for c in calls:
        static = get(c.shape_id)
        if static is None:
            static = shapes[c.shape_id] = _static(c, switch_host)
        connect = c.connect_us
        billsec = c.billsec
        uid = c.uid
        yield ((render(c.start_us), render(connect) if connect is not None else None, render(c.end_us),
                "t" if connect is not None else "f", billsec) + static[0]
               + (f"{c.cost:.5f}", billsec, f"{uid}@{c.src_ip}",
                  f"{uid[:8]}-{uid[8:20]}-{uid[20:]}".upper()) + static[1])


def _visible_columns(spec: ExportSpec):
    if not spec.hidden:
        return TITLES, None
    keep = [i for i, name in enumerate(FIELDS) if name not in spec.hidden]
    header = tuple(TITLES[i] for i in keep)
    if len(keep) == 1:
        only = keep[0]
        return header, lambda row: (row[only],)
    return header, itemgetter(*keep)


def file_out(rt, export_id: str, spec: ExportSpec, limit: int | None = None) -> FileOut:
    """The gzip file a Completed export downloads as (``<uuid>.csv.gz``, labelled text/csv)."""
    header, project = _visible_columns(spec)
    calls = matching_calls(rt, spec)
    if limit is not None:
        calls = iter_limited(calls, limit)
    data = rows(calls, spec)
    if project is not None:
        data = map(project, data)
    return FileOut(f"{export_id}.csv.gz", CONTENT_TYPE,
                   gzip_chunks(csv_chunks(header, data, quoting="nonnull")), compressed=True)
