"""The customer CDR export file: 29 titleized columns, PostgreSQL COPY CSV (FORCE_QUOTE *), gzip."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from mockcdr.core.clock import UTC, parse_instant
from mockcdr.core.cdrs import US_PER_DAY
from mockcdr.core.dayrender import Export, segments
from mockcdr.core.deflate import gzip_stream
from mockcdr.core.numbering import plan_for
from mockcdr.core.timefmt import MINUTE_CACHE, TimeFormatter, zone as tz_for
from mockcdr.core.vendor import FileOut

from .fixtures import FIELDS, Directory
from .form import resolve_zone
from .selection import LONGEST_CALL_US, bounds, count_rows, shape_keep  # noqa: F401 (count_rows: used by exports)

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


def _static(shape, switch_host: str) -> tuple[tuple, tuple]:
    """The columns a call shape fixes: (Src Name In .. Destination Fee), (Lega User Agent, Diversion In)."""
    (_dir, _disp, sip_code, sip_reason, _q, _i, src, src_name, dst, _did, _trunk, _ext, _peer, _country,
     _network, rate, src_ip, user_agent, _codec) = shape
    rate = _number(rate)
    return ((src_name or None, src, dst, src_ip, switch_host, switch_host, sip_code, sip_reason,
             src_ip, _SIP_PORT, src, dst, _destination_prefix(dst), 1, 1, rate, rate, "0"),
            (user_agent, None))


def _time_renderer(time_format: str, zone: str | None):
    """us -> text in the export's zone; PostgreSQL drops the fraction's trailing zeros."""
    fmt = TimeFormatter(tz_for(zone))
    if time_format == "round_to_seconds":
        return fmt.seconds                               # to_char(..., 'YYYY-MM-DD HH24:MI:SS')
    with_offset = time_format == "with_timezone"
    minutes: dict[int, tuple[str, str]] = {}
    get = minutes.get
    sec = _SEC

    def render(us: int) -> str:
        minute, rest = divmod(us, 60_000_000)
        head = get(minute)
        if head is None:
            if len(minutes) > MINUTE_CACHE:
                minutes.clear()
            hour, mi, _s, _m, short = fmt.parts(minute * 60_000_000)
            head = minutes[minute] = (f"{hour}:{mi:02d}:", short if with_offset else "")
        second, micro = divmod(rest, 1_000_000)
        if micro % 10:      # no trailing zero to drop (nine times in ten)
            return f"{head[0]}{sec[second]}.{micro:06d}{head[1]}"
        if micro:
            return f"{head[0]}{sec[second]}.{micro:06d}".rstrip("0") + head[1]
        return head[0] + sec[second] + head[1]
    return render


_SEC = tuple(f"{s:02d}" for s in range(60))


def _uid(c) -> str:
    return f"{c[0]}{c[1]:08x}{c[3] & 0xFFFFFFFFFFFF:012x}"


def rows(calls, spec: ExportSpec, shapes, statics: dict | None = None):
    """One tuple per call (per-call values, see ``selection.matching_calls``), in TITLES order; booleans as
    t/f, NULL as None. The general path: ``lines`` writes the same rows faster when no column is hidden.
    ``statics``: the shapes' columns worked out so far in this file."""
    render = _time_renderer(spec.time_format, spec.zone)
    switch_host = spec.switch_host
    statics = {} if statics is None else statics
    get = statics.get
    for c in calls:
        static = get(c[10])
        if static is None:
            static = statics[c[10]] = _static(shapes[c[10]], switch_host)
        connect = c[4]
        billsec = c[7]
        uid = _uid(c)
        yield ((render(c[3]), render(connect) if connect is not None else None, render(c[5]),
                "t" if connect is not None else "f", billsec) + static[0]
               + (f"{c[9]:.5f}", billsec, f"{uid}@{shapes[c[10]][16]}",
                  f"{uid[:8]}-{uid[8:20]}-{uid[20:]}".upper()) + static[1])


def _quoted(cells) -> str:
    """Cells as ``csv_chunks(quoting="nonnull")`` writes them, each followed by a comma."""
    out = []
    for v in cells:
        text = "" if v is None else (v if v.__class__ is str else str(v))
        if "\x00" in text or "\x1f" in text:
            raise ValueError("a CSV cell holds a control character (0x00 or 0x1f) the writer reserves")
        out.append("" if v is None else '"' + text.replace('"', '""') + '"')
    return ",".join(out) + ","


def lines(calls, spec: ExportSpec, shapes, statics: dict | None = None):
    """The CSV lines of ``rows`` with every column, PostgreSQL's FORCE_QUOTE applied: what depends
    on a call's shape is quoted once per shape (``statics``: those quoted so far in this file),
    the per-call cells (digits, hex, times) need none."""
    render = _time_renderer(spec.time_format, spec.zone)
    switch_host = spec.switch_host
    statics = {} if statics is None else statics
    get = statics.get
    last_tag = tag_hi = tag_lo = None
    for c in calls:
        shape_id = c[10]
        static = get(shape_id)
        if static is None:
            head, tail = _static(shapes[shape_id], switch_host)
            static = statics[shape_id] = (_quoted(head), _quoted((shapes[shape_id][16],))[1:-2], _quoted(tail)[:-1])
        tag, seq, start, connect = c[0], c[1], c[3], c[4]
        if tag is not last_tag:
            last_tag, tag_hi, tag_lo = tag, tag[:8].upper(), tag[8:].upper()
        billsec = c[7]
        low = start & 0xFFFFFFFFFFFF
        answer = '"f",' if connect is None else '"t",'
        connect = "," if connect is None else '"' + render(connect) + '",'
        yield (f'"{render(start)}",{connect}"{render(c[5])}",{answer}"{billsec}",{static[0]}"{c[9]:.5f}",'
               f'"{billsec}","{tag}{seq:08x}{low:012x}@{static[1]}",'
               f'"{tag_hi}-{tag_lo}{seq:08X}-{low:012X}",{static[2]}\n')


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
    """The gzip file a Completed export downloads as (``<uuid>.csv.gz``, labelled text/csv):
    the matching calls newest first (``ORDER BY time_start DESC``), rendered a UTC day at a time."""
    header, project = _visible_columns(spec)
    tenant = rt.tenant(spec.tenant)
    shapes = rt.universe.shapes(tenant)
    start_us, end_us = bounds(spec)
    keep = shape_keep(rt, spec)
    if not any(keep):
        end_us = start_us
    cap = spec.cap_us
    d_eq, d_ge, d_le = spec.duration_eq, spec.duration_gteq, spec.duration_lteq
    per_call = d_eq is not None or d_ge is not None or d_le is not None
    statics: dict = {}      # the shapes' cells, quoted once per file (rows and lines keep them apart)

    def render(calls: list):
        if cap is not None and calls and max(c[5] for c in calls) > cap:
            calls = [c for c in calls if c[5] <= cap]
        if per_call:
            calls = [c for c in calls if (d_eq is None or c[7] == d_eq) and (d_ge is None or c[7] >= d_ge)
                     and (d_le is None or c[7] <= d_le)]
        if project is None:
            out = list(lines(calls, spec, shapes, statics))
        else:
            out = [_quoted(project(row))[:-1] + "\n" for row in rows(calls, spec, shapes, statics)]
        return out, [c[3] for c in calls]

    def day_key(index: int):
        """The cap (when the export ran) cuts only calls still going on then."""
        return cap if cap is not None and (index + 1) * US_PER_DAY + LONGEST_CALL_US > cap else None

    ex = Export(key=("yeti", replace(spec, start_us=0, end_us=0, cap_us=None, floor_us=None)), tenant=tenant,
                render=render, keep=keep, descending=True, day_key=day_key)
    body = segments(rt, ex, start_us, end_us, limit, head=(",".join(header) + "\n").encode())
    return FileOut(f"{export_id}.csv.gz", CONTENT_TYPE, gzip_stream(body), compressed=True)
