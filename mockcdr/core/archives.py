"""Streaming tgz and zip archives of one member, built from byte chunks without holding the file."""
from __future__ import annotations

import tarfile
import tempfile
import time
import zipfile
from typing import Iterable, Iterator

from .csvout import CHUNK, gzip_chunks

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


def tar_chunks(member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """An uncompressed tar holding one file. A tar header needs the size first, so the member is
    spooled (memory up to 8 MiB, then a temporary file) before the archive streams out."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
        size = 0
        for chunk in chunks:
            spool.write(chunk)
            size += len(chunk)
        spool.seek(0)
        info = tarfile.TarInfo(member)
        info.size = size
        info.mtime = int(mtime)
        info.mode = 0o644
        info.uname = info.gname = "mockcdr"
        sink = _Sink()
        with tarfile.open(fileobj=sink, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            tar.addfile(info)  # header only; the data follows, padded to 512 bytes
            yield sink.drain()
            while True:
                block = spool.read(CHUNK)
                if not block:
                    break
                yield block
            pad = (-size) % tarfile.BLOCKSIZE
            if pad:
                yield b"\0" * pad
            tar.offset += size + pad
        yield sink.drain()


def tgz_chunks(member: str, chunks: Iterable[bytes], mtime: float = 0) -> Iterator[bytes]:
    """A gzip-compressed tar of one file (``.tgz``), reproducible for a fixed ``mtime``."""
    return gzip_chunks(tar_chunks(member, chunks, mtime), mtime=int(mtime))


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

