"""The CDR file: the 14 CSV columns in the order real clients read them, and the row renderer."""
from __future__ import annotations

from typing import Iterable, Iterator

from ...core.cdrs import Call
from ...core.csvout import csv_chunks
from ...core.timefmt import TimeFormatter
from ...core.vendor import FileOut

# [V] order from two independent clients; the header text itself is unknown (option csv_header).
COLUMNS = ("callid", "timestart", "callfrom", "callto", "callduraction", "talkduraction",
           "srctrunkname", "dsttrunkname", "status", "type", "pincode", "recording", "didnumber",
           "sn")

STATUS = {"answered": "ANSWERED", "no_answer": "NO ANSWER", "busy": "BUSY", "failed": "FAILED"}

_I = {name: i for i, name in enumerate(Call._fields)}
_SEQ, _START, _DUR, _BILL = _I["seq"], _I["start_us"], _I["duration"], _I["billsec"]
_DIR, _DISP, _SRC, _DST, _DID = _I["direction"], _I["disposition"], _I["src"], _I["dst"], _I["did"]
_TRUNK, _EXT, _PEER = _I["trunk"], _I["extension"], _I["peer_extension"]


def rows(calls: Iterable[Call], tz, sn: str, exts: Iterable[str] | None,
         recordings: bool = True) -> Iterator[tuple]:
    """One CSV row per call that involves one of ``exts`` (every call when ``exts`` is None).

    ``timestart`` is in the PBX's local zone ``tz``; ``callid`` has the Asterisk ``epoch.seq``
    shape; answered calls carry a recording file name when ``recordings``.
    """
    seconds = TimeFormatter(tz).seconds
    wanted = None if exts is None else frozenset(exts)
    status_of = STATUS
    for c in calls:
        ext = c[_EXT]
        if wanted is not None and ext not in wanted and c[_PEER] not in wanted:
            continue
        start_us = c[_START]
        ts = seconds(start_us)
        callid = f"{start_us // 1_000_000}.{c[_SEQ]}"
        direction = c[_DIR]
        trunk = c[_TRUNK]
        trunk_name = trunk.name if trunk is not None else ""
        if direction == "in":
            frm, to, kind, src_trunk, dst_trunk, did = c[_SRC], ext or "", "Inbound", trunk_name, "", c[_DID]
        elif direction == "out":
            frm, to, kind, src_trunk, dst_trunk, did = ext or c[_SRC], c[_DST], "Outbound", "", trunk_name, ""
        else:
            frm, to, kind, src_trunk, dst_trunk, did = ext, c[_PEER], "Internal", "", "", ""
        disposition = c[_DISP]
        if recordings and disposition == "answered":
            rec = (f"{ts[0:4]}{ts[5:7]}{ts[8:10]}{ts[11:13]}{ts[14:16]}{ts[17:19]}"
                   f"-{callid}-{frm}-{to}-{kind}.wav")
        else:
            rec = ""
        yield (callid, ts, frm, to, c[_DUR], c[_BILL], src_trunk, dst_trunk, status_of[disposition],
               kind, "", rec, did, sn)


def cdr_file(row_iter: Iterable[tuple], options: dict) -> FileOut:
    """The CSV download: a header row, then the rows, streamed; plain text, not compressed."""
    chunks = csv_chunks(options["csv_header"], row_iter,
                        lineterminator=options["csv_line_terminator"])
    return FileOut("cdr.csv", options["csv_content_type"], chunks, compressed=False)
