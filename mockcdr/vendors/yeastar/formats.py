"""The CDR file: the 14 CSV columns in the order real clients read them, and the row renderer."""
from __future__ import annotations

from itertools import chain
from typing import Iterable

from ...core.cdrs import SHAPE_INDEX
from ...core.csvout import cell_escaper, row_text
from ...core.vendor import FileOut

# [V] order from two independent clients; the header text itself is unknown (option csv_header).
COLUMNS = ("callid", "timestart", "callfrom", "callto", "callduraction", "talkduraction",
           "srctrunkname", "dsttrunkname", "status", "type", "pincode", "recording", "didnumber",
           "sn")

STATUS = {"answered": "ANSWERED", "no_answer": "NO ANSWER", "busy": "BUSY", "failed": "FAILED"}

_S = SHAPE_INDEX
_DIR, _DISP, _SRC, _DST, _DID = _S["direction"], _S["disposition"], _S["src"], _S["dst"], _S["did"]
_TRUNK, _EXT, _PEER = _S["trunk"], _S["extension"], _S["peer_extension"]


def _shape_cells(shape, wanted, esc, recordings: bool) -> tuple | None:
    """What a call's shape fixes: None if the call is not in the file, else (the raw values;
    from,to cells; trunks,status,type,pincode cells; did cell; whether the call has a recording;
    the from-to-type tail of a recording name when it needs no quoting, else None; whether every
    cell escapes alike with CR LF; the tail unescaped; the status)."""
    ext = shape[_EXT]
    if wanted is not None and ext not in wanted and shape[_PEER] not in wanted:
        return None
    direction = shape[_DIR]
    trunk = shape[_TRUNK]
    trunk_name = trunk.name if trunk is not None else ""
    if direction == "in":
        raw = (shape[_SRC], ext or "", "Inbound", trunk_name, "", shape[_DID])
    elif direction == "out":
        raw = (ext or shape[_SRC], shape[_DST], "Outbound", "", trunk_name, "")
    else:
        raw = (ext, shape[_PEER], "Internal", "", "", "")
    frm, to, kind, src_trunk, dst_trunk, did = raw
    rec = f"-{frm}-{to}-{kind}.wav"
    status = STATUS[shape[_DISP]]
    return (raw, f"{esc(frm)},{esc(to)}", f"{esc(src_trunk)},{esc(dst_trunk)},{esc(status)},{esc(kind)},",
            esc(did), recordings and status == "ANSWERED", rec if rec == esc(rec) else None,
            not any("\r" in str(v) for v in raw), rec, status)


def lines(calls, shapes, clock_for, sn: str, exts: Iterable[str] | None, terminator: str,
          recordings: bool = True, memo: dict | None = None) -> list[str]:
    """One CSV line per call (a day's columns) that involves one of ``exts`` (every call when
    ``exts`` is None), ending in ``terminator``.

    ``timestart`` is in the PBX's local zone (``clock_for``: day index -> DayClock); ``callid`` has
    the Asterisk ``epoch.seq`` shape; answered calls carry a recording file name when
    ``recordings``. What depends on the call's shape is escaped once per shape (``memo`` keeps it
    across the calls of one file); a row whose cells hold a CR is written by the csv module (its
    quoting depends on the line terminator).
    """
    memo = {} if memo is None else memo
    if not memo:
        memo.update(esc=cell_escaper(",", "\n"), shapes={})
    esc, cells = memo["esc"], memo["shapes"]
    wanted = None if exts is None else frozenset(exts)
    for shape_id in set(calls.shape).difference(cells):
        cells[shape_id] = _shape_cells(shapes[shape_id], wanted, esc, recordings)
    tail = "," + esc(sn) + terminator
    plain_sn = "\r" not in sn
    clock = clock_for(calls.day_index)
    start = calls.start
    stamps = clock.seconds(start)
    compact = clock.compact(start) if recordings else stamps
    ids = [f"{s // 1_000_000}.{q}" for s, q in zip(start, calls.seq)]
    out = [f"{cid},{ts},{st[1]},{du},{b},{st[2]},"
           f"{(f'{cp}-{cid}{st[5]}' if st[5] is not None else esc(f'{cp}-{cid}{st[7]}')) if st[4] else ''},{st[3]}{tail}"
           if st[6] and plain_sn else _slow(cid, ts, cp, du, b, st, sn, terminator)
           for cid, ts, cp, du, b, st in zip(ids, stamps, compact, calls.duration, calls.billsec,
                                             map(cells.__getitem__, calls.shape))]
    return out


def _slow(callid: str, ts: str, compact: str, duration: int, billsec: int, cells: tuple, sn: str,
          terminator: str) -> str:
    frm, to, kind, src_trunk, dst_trunk, did = cells[0]
    rec = f"{compact}-{callid}{cells[7]}" if cells[4] else ""
    return row_text((callid, ts, frm, to, duration, billsec, src_trunk, dst_trunk, cells[8],
                     kind, "", rec, did, sn), ",", terminator)


def cdr_file(body: Iterable[bytes], options: dict) -> FileOut:
    """The CSV download: a header row, then the lines, streamed; plain text, not compressed."""
    head = options["csv_header"]
    chunks = body if head is None else chain((row_text(head, ",", options["csv_line_terminator"]).encode(),), body)
    return FileOut("cdr.csv", options["csv_content_type"], chunks, compressed=False)
