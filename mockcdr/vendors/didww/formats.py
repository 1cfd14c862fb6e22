"""CSV layouts of export files (per creating API version and export type) and their row builders."""
# Rows are built from the call universe's ``Call`` tuples by position: everything that depends
# only on a call's *shape* (who, which way, how it ended) is rendered once per shape, on first use,
# into a mapping by ``shape_id``; the per-row work is times, durations, money and the call id.
from __future__ import annotations

from operator import itemgetter
from typing import Iterable, Iterator

from mockcdr.core.cdrs import SHAPE_INDEX
from mockcdr.core.numbering import PLANS
from mockcdr.core.timefmt import TimeFormatter

HEAD_2026_IN = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Status", "Source",
    "Source Name", "Destination DID", "Duration (sec)", "Attempt", "Disconnect Code", "Response",
    "Disconnect Initiator", "Voice IN Trunk", "Destination", "Trunk Group", "Capacity Group",
    "Toll-free (USD)", "PSTN (USD)", "Metered (USD)", "CNAM IN (USD)", "Total (USD)", "Call ID")
HEAD_2026_OUT = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Status", "Source", "CLI",
    "Destination Number", "Call Duration (sec)", "Billing Duration (sec)", "Disconnect Code",
    "Disconnect Reason", "Voice OUT Trunk", "Destination Country", "Network", "Call Type", "Rate (USD)",
    "Charged (USD)", "P-Charge-Info", "Call ID")
HEAD_LEGACY_IN = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Source", "DID",
    "Destination", "Duration (secs)", "Disconnect Initiator", "Disconnect Code", "Response",
    "TollFree Amount (USD)", "Termination Amount (USD)", "Metered Channels Amount (USD)", "Customer ID",
    "Sell Amount (Points)")
# The legacy cdr_out layout was not found in any source: these are the columns the mock can
# render (in the legacy cdr_in style), and LEGACY_OUT_DEFAULT is the layout it chooses.
LEGACY_OUT_VOCABULARY = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Source", "CLI",
    "Destination", "Duration (secs)", "Billing Duration (secs)", "Disconnect Code", "Response",
    "Disconnect Initiator", "Voice OUT Trunk", "Destination Country", "Network", "Rate (USD)",
    "Amount (USD)", "Customer ID", "Call ID")
LEGACY_OUT_DEFAULT = (
    "Date/Time Start (UTC)", "Date/Time Connect (UTC)", "Date/Time End (UTC)", "Source", "CLI",
    "Destination", "Duration (secs)", "Billing Duration (secs)", "Disconnect Code", "Response",
    "Voice OUT Trunk", "Rate (USD)", "Amount (USD)", "Customer ID")

INITIATOR = {"caller": "Caller", "callee": "Callee", "system": "System"}
NETWORK = {"fixed": "Fixed", "mobile": "Mobile", "tollfree": "Toll-free"}
ZERO5, ZERO3 = "0.00000", "0.000"
_UID_MASK = 0xFFFFFFFFFFFF
_DIRECTION, _DID, _TRUNK = SHAPE_INDEX["direction"], SHAPE_INDEX["did"], SHAPE_INDEX["trunk"]


def _digits(text: str | None) -> str | None:
    return "".join(ch for ch in text if ch.isdigit()) if text else None


class Statics(dict):
    """shape id -> the shape's rendered columns, or None when its calls are not in the file.

    Rendered on first use: a day's export touches a few dozen of the tenant's 4,096 shapes, a
    big one renders each once. ``keep`` (a list by shape id) is decided for every shape up front.
    """

    def __init__(self, shapes, keep: list, render):
        super().__init__()
        self.shapes, self.keep, self.render = shapes, keep, render

    def __missing__(self, shape_id: int):
        value = self[shape_id] = self.render(self.shapes[shape_id]) if self.keep[shape_id] else None
        return value


def _inbound(shapes, did_number: str | None) -> Statics:
    """Inbound calls to the customer's DIDs (or the given one): their shape's columns."""
    want = _digits(did_number)
    keep = [shape[_DIRECTION] == "in" and (want is None or shape[_DID] == want) for shape in shapes]

    def render(shape) -> tuple:
        (_direction, disposition, code, reason, _q850, initiator, src, src_name, _dst, did, trunk,
         extension, _peer, _country, network, *_rest) = shape
        answered = disposition == "answered"
        return (answered, "Completed" if answered else "Failed", src, src_name, did, str(code), reason,
                INITIATOR.get(initiator, initiator), trunk.name if trunk else "", extension or "",
                network == "tollfree")
    return Statics(shapes, keep, render)


def _outbound(shapes, trunk_id: str | None, home_country: str) -> Statics:
    """Outbound calls (through the given trunk only, if one is given): their shape's columns."""
    want = trunk_id.lower() if trunk_id else None
    keep = [shape[_DIRECTION] == "out" and (want is None or (
        shape[_TRUNK] is not None and shape[_TRUNK].id.lower() == want)) for shape in shapes]

    def render(shape) -> tuple:
        (_direction, disposition, code, reason, _q850, initiator, src, _src_name, dst, _did, trunk,
         _ext, _peer, country, network, rate, src_ip, *_rest) = shape
        answered = disposition == "answered"
        plan = PLANS.get(country)
        return (answered, "Completed" if answered else "Failed", src_ip, src, dst, str(code), reason,
                trunk.name if trunk else "", plan.name if plan else country,
                NETWORK.get(network, network), "Domestic" if country == home_country else "International",
                f"{rate:.5f}", INITIATOR.get(initiator, initiator))
    return Statics(shapes, keep, render)


def rows_2026_in(calls: Iterable, statics: Statics, sec) -> Iterator[tuple]:
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        start = c[3]
        money = f"{c[9]:.5f}"
        if s[0]:
            connect, end = sec(c[4]), sec(c[5])
        else:
            connect = end = ""
        toll = s[10]
        yield (sec(start), connect, end, s[1], s[2], s[3], s[4], c[7], 1, s[5], s[6], s[7], s[8], s[9],
               "", "", money if toll else ZERO5, ZERO5, ZERO5 if toll else money, ZERO5, money,
               f"{c[0]}{c[1]:08x}{start & _UID_MASK:012x}")


def rows_2026_out(calls: Iterable, statics: Statics, sec) -> Iterator[tuple]:
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        start = c[3]
        if s[0]:
            connect, end, talk = sec(c[4]), sec(c[5]), (c[5] - c[4]) // 1_000_000
        else:
            connect = end = ""
            talk = 0
        yield (sec(start), connect, end, s[1], s[2], s[3], s[4], talk, c[7], s[5], s[6], s[7], s[8], s[9],
               s[10], s[11], f"{c[9]:.5f}", "", f"{c[0]}{c[1]:08x}{start & _UID_MASK:012x}")


def rows_legacy_in(calls: Iterable, statics: Statics, sec, customer_id: int) -> Iterator[tuple]:
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        money = f"{c[9]:.3f}"
        if s[0]:
            connect, end = sec(c[4]), sec(c[5])
        else:
            connect = end = ""
        toll = s[10]
        yield (sec(c[3]), connect, end, s[2], s[4], s[9], c[7], s[7], s[5], s[6],
               money if toll else ZERO3, ZERO3, ZERO3 if toll else money, customer_id, money)


def rows_legacy_out(calls: Iterable, statics: Statics, sec, customer_id: int, pick) -> Iterator[tuple]:
    """Every LEGACY_OUT_VOCABULARY value, then ``pick`` (an itemgetter) keeps the chosen layout."""
    for c in calls:
        s = statics[c[10]]
        if s is None:
            continue
        start = c[3]
        if s[0]:
            connect, end, talk = sec(c[4]), sec(c[5]), (c[5] - c[4]) // 1_000_000
        else:
            connect = end = ""
            talk = 0
        yield pick((sec(start), connect, end, s[2], s[3], s[4], talk, c[7], s[5], s[6], s[12], s[7], s[8],
                    s[9], s[11], f"{c[9]:.3f}", customer_id, f"{c[0]}{c[1]:08x}{start & _UID_MASK:012x}"))


def legacy_out_layout(columns) -> tuple[tuple[str, ...], itemgetter]:
    names = tuple(columns) if columns else LEGACY_OUT_DEFAULT
    unknown = [n for n in names if n not in LEGACY_OUT_VOCABULARY]
    if unknown or not names:
        raise ValueError(f"legacy_cdr_out_columns: unknown columns {unknown}; choose from "
                         f"{', '.join(LEGACY_OUT_VOCABULARY)}")
    idx = [LEGACY_OUT_VOCABULARY.index(n) for n in names]
    getter = itemgetter(*idx)
    pick = getter if len(idx) > 1 else (lambda row, _g=getter: (_g(row),))
    return names, pick


def layout(export_type: str, legacy: bool, shapes, *, did_number=None, trunk_id=None, home_country="US",
           customer_id: int = 0, legacy_out_columns=None):
    """(header, rows(calls) -> row tuples, keep) for one export; ``keep`` says per shape whether
    its calls belong in the file, so the call universe need not build the others."""
    sec = TimeFormatter().seconds
    if export_type == "cdr_in":
        statics = _inbound(shapes, did_number)
        keep = statics.keep
        if legacy:
            return HEAD_LEGACY_IN, lambda calls: rows_legacy_in(calls, statics, sec, customer_id), keep
        return HEAD_2026_IN, lambda calls: rows_2026_in(calls, statics, sec), keep
    statics = _outbound(shapes, trunk_id, home_country)
    keep = statics.keep
    if legacy:
        names, pick = legacy_out_layout(legacy_out_columns)
        return names, lambda calls: rows_legacy_out(calls, statics, sec, customer_id, pick), keep
    return HEAD_2026_OUT, lambda calls: rows_2026_out(calls, statics, sec), keep
