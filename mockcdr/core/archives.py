"""Streaming tgz and zip archives of one member, built from byte chunks or deflate segments."""
from __future__ import annotations

import tarfile
import tempfile
import time
import zipfile
from typing import Iterable, Iterator

from .csvout import CHUNK
from .deflate import Segment, gzip_stream, segment

SPOOL = 8 * 1024 * 1024   # members larger than this spill to a temporary file, not memory


class _Sink:
    """A write-only, non-seekable file object that hands what is written to a generator."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.offset = 0

    def write(self, data) -> int:
        if data:
            self.parts.append(bytes(data))
            self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def tgz_chunks(member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """A gzip-compressed tar of one file (``.tgz``), reproducible for a fixed ``mtime``."""
    return tgz_segments(member, (segment(c) for c in chunks if c), mtime)


def tgz_segments(member: str, segments: Iterable[Segment], mtime: float = 0) -> Iterator[bytes]:
    """``tgz_chunks`` for a member given as deflate segments (core.deflate): the same tar, whose
    compressed data is the segments themselves. They are spooled (memory up to 8 MiB, then a
    temporary file) until their total size, which the tar header holds, is known."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
        index: list[tuple[int, int, int]] = []
        size = 0
        for seg in segments:
            spool.write(seg.data)
            index.append((len(seg.data), seg.crc, seg.size))
            size += seg.size
        spool.seek(0)
        info = tarfile.TarInfo(member)
        info.size = size
        info.mtime = int(mtime)
        info.mode = 0o644
        info.uname = info.gname = "mockcdr"
        head = info.tobuf(tarfile.USTAR_FORMAT, tarfile.ENCODING, "surrogateescape")
        # what TarFile.close() writes: the data padded to a block, two zero blocks, then zeros
        # up to a whole record
        offset = len(head) + size + (-size) % tarfile.BLOCKSIZE + 2 * tarfile.BLOCKSIZE
        tail = b"\0" * ((-size) % tarfile.BLOCKSIZE + 2 * tarfile.BLOCKSIZE + (-offset) % tarfile.RECORDSIZE)

        def parts() -> Iterator[Segment]:
            yield segment(head)
            for length, crc, raw in index:
                yield Segment(spool.read(length), crc, raw)
            yield segment(tail)
        yield from gzip_stream(parts(), mtime=int(mtime))


def zip_chunks(member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """A deflated zip of one file, streamed with a data descriptor (no seeking needed)."""
    sink = _Sink()
    stamp = time.gmtime(max(mtime, 315532800))[:6]   # zip dates start in 1980
    info = zipfile.ZipInfo(member, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(info, mode="w", force_zip64=True) as dest:
            for chunk in chunks:
                dest.write(chunk)
                if sink.offset and sink.parts:
                    yield sink.drain()
        yield sink.drain()
    yield sink.drain()


def archive_chunks(kind: str, member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """``kind`` is ``tgz``, ``zip`` or ``none`` (the member as it is)."""
    if kind == "tgz":
        return tgz_chunks(member, chunks, mtime)
    if kind == "zip":
        return zip_chunks(member, chunks, mtime)
    if kind in ("none", "", None):
        return iter(chunks)
    raise ValueError(f"unknown archive kind {kind!r}; use tgz, zip or none")

