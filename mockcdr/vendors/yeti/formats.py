"""The customer CDR export file: 29 titleized columns, PostgreSQL COPY CSV (FORCE_QUOTE *), gzip."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from itertools import repeat
from operator import itemgetter
from zoneinfo import ZoneInfo

from mockcdr.core.clock import UTC, parse_instant
from mockcdr.core.cdrs import US_PER_DAY
from mockcdr.core.dayrender import Export, segments
from mockcdr.core.deflate import gzip_stream
from mockcdr.core.numbering import plan_for
from mockcdr.core.daycalls import cost_texts, seq_hex
from mockcdr.core.timefmt import TimeFormatter, day_clocks, zone as tz_for
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


def _clocks(time_format: str, zone: str | None):
    """calls -> a function of a time column giving its texts in the export's zone: PostgreSQL's
    ``to_char(..., 'YYYY-MM-DD HH24:MI:SS')`` for round_to_seconds, else the timestamp as it
    prints it (the fraction's trailing zeros dropped), with the offset for with_timezone."""
    clock_for = day_clocks(TimeFormatter(tz_for(zone)))
    if time_format == "round_to_seconds":
        return lambda calls: clock_for(calls.day_index).seconds
    with_offset = time_format == "with_timezone"
    return lambda calls: partial(clock_for(calls.day_index).micros, with_offset=with_offset)


def _uid(tag: str, seq: int, start: int) -> str:
    return f"{tag}{seq:08x}{start & 0xFFFFFFFFFFFF:012x}"


def rows(calls, spec: ExportSpec, shapes, statics: dict | None = None, clocks=None) -> list[tuple]:
    """One tuple per call (a day's columns, see ``selection.matching_calls``), in TITLES order;
    booleans as t/f, NULL as None. The general path: ``lines`` writes the same rows faster when no
    column is hidden. ``statics``: the shapes' columns worked out so far in this file."""
    texts = (clocks or _clocks(spec.time_format, spec.zone))(calls)
    switch_host = spec.switch_host
    statics = {} if statics is None else statics
    for shape_id in set(calls.shape).difference(statics):
        statics[shape_id] = _static(shapes[shape_id], switch_host) + (cost_texts(shapes[shape_id][15], 5),
                                                                       shapes[shape_id][16])
    tag = calls.tag
    return [(s, c or None, e, "t" if c else "f", b) + st[0] + (st[2][b], b, f"{uid}@{st[3]}",
                                                                f"{uid[:8]}-{uid[8:20]}-{uid[20:]}".upper()) + st[1]
            for s, c, e, b, st, uid in zip(texts(calls.start), texts(calls.connect), texts(calls.end), calls.billsec,
                                           map(statics.__getitem__, calls.shape),
                                           map(_uid, repeat(tag), calls.seq, calls.start))]


def _quoted(cells) -> str:
    """Cells as ``csv_chunks(quoting="nonnull")`` writes them, each followed by a comma."""
    out = []
    for v in cells:
        text = "" if v is None else (v if v.__class__ is str else str(v))
        if "\x00" in text or "\x1f" in text:
            raise ValueError("a CSV cell holds a control character (0x00 or 0x1f) the writer reserves")
        out.append("" if v is None else '"' + text.replace('"', '""') + '"')
    return ",".join(out) + ","


def lines(calls, spec: ExportSpec, shapes, statics: dict | None = None, clocks=None) -> list[str]:
    """The CSV lines of ``rows`` with every column, PostgreSQL's FORCE_QUOTE applied: what depends
    on a call's shape is quoted once per shape (``statics``: those quoted so far in this file),
    the per-call cells (digits, hex, times) need none."""
    texts = (clocks or _clocks(spec.time_format, spec.zone))(calls)
    switch_host = spec.switch_host
    statics = {} if statics is None else statics
    for shape_id in set(calls.shape).difference(statics):
        shape = shapes[shape_id]
        head, tail = _static(shape, switch_host)
        # how the answer columns print: a connect time quoted or NULL, then Success
        answer = ('"', '",', '"t",') if shape[1] == "answered" else ("", ",", '"f",')
        statics[shape_id] = (_quoted(head), _quoted((shape[16],))[1:-2], _quoted(tail)[:-1], cost_texts(shape[15], 5)) + answer
    tag = calls.tag
    hi, lo = tag[:8].upper(), tag[8:].upper()
    mask = 0xFFFFFFFFFFFF
    # (two f-strings: one of more than 30 parts would be built through a list and str.join)
    # the call's uid (Orig Call before the @) and Local Tag (the same, in capitals): its number in
    # hex from a table, the low 48 bits of its start in hex
    return [f'"{s}",{st[4]}{c}{st[5]}"{e}",{st[6]}"{b}",{st[0]}"{st[3][b]}","{b}",'
            + f'"{tag}{q}{(low := "%012x" % (u & mask))}@{st[1]}","{hi}-{lo}{q.upper()}-{low.upper()}",{st[2]}\n'
            for s, c, e, b, q, u, st in zip(texts(calls.start), texts(calls.connect), texts(calls.end), calls.billsec,
                                            seq_hex(calls.seq), calls.start, map(statics.__getitem__, calls.shape))]


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

    clocks = _clocks(spec.time_format, spec.zone)

    def render(calls):
        if cap is not None and calls.end and max(calls.end) > cap:
            calls = calls.where([e <= cap for e in calls.end])
        if per_call:
            calls = calls.where([(d_eq is None or b == d_eq) and (d_ge is None or b >= d_ge)
                                 and (d_le is None or b <= d_le) for b in calls.billsec])
        if project is None:
            out = lines(calls, spec, shapes, statics, clocks)
        else:
            out = [_quoted(project(row))[:-1] + "\n" for row in rows(calls, spec, shapes, statics, clocks)]
        return out, calls.start

    def day_key(index: int):
        """The cap (when the export ran) cuts only calls still going on then."""
        return cap if cap is not None and (index + 1) * US_PER_DAY + LONGEST_CALL_US > cap else None

    ex = Export(key=("yeti", replace(spec, start_us=0, end_us=0, cap_us=None, floor_us=None)), tenant=tenant,
                render=render, keep=keep, descending=True, day_key=day_key)
    body = segments(rt, ex, start_us, end_us, limit, head=(",".join(header) + "\n").encode())
    return FileOut(f"{export_id}.csv.gz", CONTENT_TYPE, gzip_stream(body), compressed=True)
