"""Streaming CSV and gzip writers: rows flow to the socket in chunks, never as a whole file."""
from __future__ import annotations

import csv
import io
import threading
import zlib
from typing import Iterable, Iterator, Sequence

CHUNK = 64 * 1024


def _quote_all_nonnull(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return '"' + text.replace('"', '""') + '"'


def csv_chunks(header: Sequence[str] | None, rows: Iterable[Sequence], *, quoting: str = "minimal",
               delimiter: str = ",", lineterminator: str = "\n", quote_header: bool = False,
               encoding: str = "utf-8", chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Encode rows as CSV and yield byte chunks of about ``chunk_size``.

    ``quoting``: ``minimal`` (quote only when needed), ``all`` (quote every field) or
    ``nonnull`` (PostgreSQL ``FORCE_QUOTE *``: every value quoted, ``None`` left empty and bare,
    the header bare unless ``quote_header``).
    """
    if quoting == "nonnull":
        yield from _nonnull_chunks(header, rows, delimiter, lineterminator, quote_header, encoding,
                                   chunk_size)
        return
    mode = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL}[quoting]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=mode)
    if header is not None:
        writer.writerow(header)
    writerows = writer.writerows
    batch: list = []
    append = batch.append
    for row in rows:
        append(row)
        if len(batch) >= 512:
            writerows(batch)
            batch.clear()
            if buf.tell() >= chunk_size:
                yield buf.getvalue().encode(encoding)
                buf.seek(0)
                buf.truncate()
    if batch:
        writerows(batch)
    tail = buf.getvalue()
    if tail:
        yield tail.encode(encoding)


_US, _NUL = "\x1f", "\x00"   # a separator and a null marker no CSV cell of ours contains


def _nonnull_chunks(header, rows, delimiter, lineterminator, quote_header, encoding, chunk_size):
    """Rows joined once per row, not quoted per cell: cells are joined with a unit separator,
    quotes doubled once, the separator turned into ``","`` and null cells into empty bare ones."""
    parts: list[str] = []
    size = 0
    if header is not None:
        cells = (_quote_all_nonnull(h) for h in header) if quote_header else header
        parts.append(delimiter.join(cells) + lineterminator)
    sep = f'"{delimiter}"'
    null = f'"{_NUL}"'
    for row in rows:
        body = _US.join([_NUL if v is None else (v if v.__class__ is str else str(v)) for v in row])
        if '"' in body:
            body = body.replace('"', '""')
        has_null = _NUL in body
        if body.count(_US) != len(row) - 1 or (has_null and body.count(_NUL) != row.count(None)):
            raise ValueError("a CSV cell holds a control character (0x00 or 0x1f) the writer reserves")
        line = '"' + body.replace(_US, sep) + '"'
        if has_null:
            line = line.replace(null, "")
        line += lineterminator
        parts.append(line)
        size += len(line)
        if size >= chunk_size:
            yield "".join(parts).encode(encoding)
            parts.clear()
            size = 0
    if parts:
        yield "".join(parts).encode(encoding)


def cell_escaper(delimiter: str = ",", lineterminator: str = "\n"):
    """A function giving one cell (any value) exactly as ``csv_chunks`` writes it, quoting
    minimal, in a row of several cells: the csv module itself escapes it, so call it once per
    distinct value (per call shape, say), not per row, and join the results into lines."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    cut = -len(delimiter + lineterminator)
    lock = threading.Lock()     # one buffer, and exports run in parallel threads
    special = set(delimiter + lineterminator + '"\r\n')

    def escaped(value) -> str:
        text = "" if value is None else value if value.__class__ is str else \
            repr(value) if value.__class__ is float else str(value)
        if special.isdisjoint(text):       # nothing to quote: the csv module writes it as it is
            return text
        with lock:
            buf.seek(0)
            buf.truncate()
            writer.writerow((value, ""))
            return buf.getvalue()[:cut]
    return escaped


def row_text(cells: Sequence, delimiter: str = ",", lineterminator: str = "\n") -> str:
    """One row exactly as ``csv_chunks`` writes it (quoting minimal): for a header line."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator).writerow(cells)
    return buf.getvalue()


def escape(value: str, delimiter: str = ",") -> str:
    """One cell as ``quoting="minimal"`` writes it: quoted only when it holds the delimiter, a
    double quote or a line break. For cells of rows given to ``joined_chunks``."""
    if delimiter in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def joined_chunks(header: Sequence[str] | None, rows: Iterable[Sequence[str]], *, delimiter: str = ",",
                  lineterminator: str = "\n", encoding: str = "utf-8",
                  chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Like ``csv_chunks`` with minimal quoting, for rows whose cells are already text and already
    escaped (``escape`` the ones that may need it, once, outside the row loop).

    The fast path for wide generated rows: joining strings costs a fraction of the csv module's
    per-field work, which dominates an export of 20+ columns.
    """
    join = delimiter.join
    if header is not None:
        yield (join([escape(h, delimiter) for h in header]) + lineterminator).encode(encoding)
    batch: list[str] = []
    append = batch.append
    per_chunk = 64
    for row in rows:
        # one empty cell is written '""', as the csv module does: a blank line is no row at all
        append(join(row) or ('""' if len(row) == 1 else ""))
        if len(batch) >= per_chunk:
            data = (lineterminator.join(batch) + lineterminator).encode(encoding)
            per_chunk = max(16, chunk_size * len(batch) // max(len(data), 1))
            batch.clear()
            yield data
    if batch:
        yield (lineterminator.join(batch) + lineterminator).encode(encoding)


def text_chunks(head: str | None, lines: Iterable[str], *, encoding: str = "utf-8",
                chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Byte chunks of about ``chunk_size`` of finished CSV lines (each ending in its terminator),
    after ``head`` (the header line) if given: for rows a vendor renders as text itself."""
    batch: list[str] = [head] if head else []
    append = batch.append
    per_chunk = 64
    for line in lines:
        append(line)
        if len(batch) >= per_chunk:
            data = "".join(batch).encode(encoding)
            per_chunk = max(16, chunk_size * len(batch) // max(len(data), 1))
            batch.clear()
            yield data
    if batch:
        yield "".join(batch).encode(encoding)


def gzip_chunks(chunks: Iterable[bytes], level: int = 6, mtime: int = 0) -> Iterator[bytes]:
    """A single-member gzip stream of the chunks (``mtime`` fixed so output is reproducible)."""
    comp = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    crc = 0
    size = 0
    header = b"\x1f\x8b\x08\x00" + int(mtime).to_bytes(4, "little") + b"\x00\xff"
    yield header
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out = comp.compress(chunk)
        if out:
            yield out
    yield comp.flush() + crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")


def collect(chunks: Iterable[bytes]) -> bytes:
    return b"".join(chunks)
