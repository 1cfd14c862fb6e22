"""Streaming tgz and zip archives of one member, built from byte chunks or deflate segments."""
from __future__ import annotations

import struct
import tarfile
import tempfile
import time
import zipfile
from typing import Iterable, Iterator

from .deflate import FINAL, Segment, crc_combine, gzip_stream, segment

SPOOL = 1 * 1024 * 1024   # compressed members larger than this spill to a temporary file, not memory
_ZIP64_VERSION = 45       # "version needed to extract" of a zip64 entry


def tgz_chunks(member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """A gzip-compressed tar of one file (``.tgz``), reproducible for a fixed ``mtime``."""
    return tgz_segments(member, (segment(c) for c in chunks if c), mtime)


def tgz_segments(member: str, segments: Iterable[Segment], mtime: float = 0) -> Iterator[bytes]:
    """``tgz_chunks`` for a member given as deflate segments (core.deflate): the same tar, whose
    compressed data is the segments themselves. They are spooled (memory up to 1 MiB, then a
    temporary file: nothing is copied on the way) until their total size, which the tar header
    holds, is known."""
    held: list[Segment] = []        # the first segments, in memory
    spill = None                    # the rest, in a temporary file
    index: list[tuple[int, int, int]] = []
    size = kept = 0
    try:
        for seg in segments:
            size += seg.size
            if spill is None and kept + len(seg.data) <= SPOOL:
                held.append(seg)
                kept += len(seg.data)
                continue
            if spill is None:
                spill = tempfile.TemporaryFile()
            spill.write(seg.data)
            index.append((len(seg.data), seg.crc, seg.size))
        if spill is not None:
            spill.seek(0)
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
            while held:
                yield held.pop(0)
            for length, crc, raw in index:
                yield Segment(spill.read(length), crc, raw)
            yield segment(tail)
        yield from gzip_stream(parts(), mtime=int(mtime))
    finally:
        if spill is not None:
            spill.close()


def zip_segments(member: str, segments: Iterable[Segment], mtime: float = 0) -> Iterator[bytes]:
    """A deflated zip of one file whose data is the segments themselves, streamed with a data
    descriptor (no seeking): zip64 sizes in the local header, as ``zipfile`` writes with
    ``force_zip64``, and in the central directory only when they need it."""
    year, month, day, hour, minute, second = time.gmtime(max(mtime, 315532800))[:6]   # zip dates start in 1980
    dosdate = (year - 1980) << 9 | month << 5 | day
    dostime = hour << 11 | minute << 5 | second // 2
    name = member.encode("utf-8")
    flags = 0x08 | (0x800 if not member.isascii() else 0)       # data descriptor; UTF-8 name
    head = struct.pack("<4s5H3I2H", b"PK\x03\x04", _ZIP64_VERSION, flags, zipfile.ZIP_DEFLATED, dostime,
                       dosdate, 0, 0xFFFFFFFF, 0xFFFFFFFF, len(name), 20) + name + struct.pack("<2H2Q", 1, 16, 0, 0)
    yield head
    crc = usize = csize = 0
    for seg in segments:
        if seg.size:
            crc = crc_combine(crc, seg.crc, seg.size)
            usize += seg.size
            csize += len(seg.data)
            yield seg.data
    csize += len(FINAL)
    descriptor = struct.pack("<4sI2Q", b"PK\x07\x08", crc, csize, usize)
    big = usize >= 0xFFFFFFFF or csize >= 0xFFFFFFFF
    extra = struct.pack("<2H2Q", 1, 16, usize, csize) if big else b""
    central = struct.pack("<4s4B4H3I5H2I", b"PK\x01\x02", _ZIP64_VERSION, 3, _ZIP64_VERSION, 0, flags,
                          zipfile.ZIP_DEFLATED, dostime, dosdate, crc, 0xFFFFFFFF if big else csize,
                          0xFFFFFFFF if big else usize, len(name), len(extra), 0, 0, 0, 0o644 << 16, 0) + name + extra
    offset = len(head) + csize + len(descriptor)
    tail = b""
    if offset >= 0xFFFFFFFF:        # the central directory starts past 4 GiB: zip64 end records
        tail = (struct.pack("<4sQ2H2I4Q", b"PK\x06\x06", 44, _ZIP64_VERSION, _ZIP64_VERSION, 0, 0, 1, 1,
                            len(central), offset)
                + struct.pack("<4sIQI", b"PK\x06\x07", 0, offset + len(central), 1))
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 1, 1, len(central), min(offset, 0xFFFFFFFF), 0)
    yield FINAL + descriptor + central + tail + end


def zip_chunks(member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """A deflated zip of one file, streamed with a data descriptor (no seeking needed)."""
    return zip_segments(member, (segment(c) for c in chunks if c), mtime)


def archive_chunks(kind: str, member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """``kind`` is ``tgz``, ``zip`` or ``none`` (the member as it is)."""
    if kind == "tgz":
        return tgz_chunks(member, chunks, mtime)
    if kind == "zip":
        return zip_chunks(member, chunks, mtime)
    if kind in ("none", "", None):
        return iter(chunks)
    raise ValueError(f"unknown archive kind {kind!r}; use tgz, zip or none")

