"""Deflate in independent segments (ISA-L's level 1), and the gzip stream they make when joined."""
# A segment is raw deflate of one piece of text (a day of rows, a tar header), compressed without
# reference to any other piece and ended with a sync flush (byte-aligned, not final). Segments
# therefore join into one valid deflate stream in any combination, which is what lets a cached
# day's compressed bytes be served again without compressing it again: a file is the gzip header,
# its segments, an empty final block and a trailer whose CRC is combined from the segments' CRCs.
from __future__ import annotations

import zlib
from typing import Iterable, Iterator, NamedTuple

try:                                        # ISA-L: ~4x zlib's speed at level 1, same format
    from isal import isal_zlib as _codec
except ImportError:                         # pragma: no cover - isal is a dependency
    _codec = zlib

LEVEL = 1
BLOCK = 1 << 20          # the compressor's input comes in blocks of this size
FINAL = b"\x03\x00"      # an empty final block with fixed codes: the end of a deflate stream
_WBITS = -15             # raw deflate, 32 KiB window


class Segment(NamedTuple):
    """Raw deflate of ``size`` bytes of text whose CRC-32 is ``crc``."""
    data: bytes
    crc: int
    size: int


class Deflater:
    """A segment built from its text given piece by piece: ``finish()`` is ``segment`` of all the
    pieces ``feed`` was given, in order, byte for byte (the compressor is fed the text in blocks of
    ``BLOCK`` bytes whatever the pieces are: its output depends on how its input is cut). Not
    thread-safe: one thread feeds it."""
    __slots__ = ("_comp", "_out", "_held", "crc", "size")

    def __init__(self):
        self._comp = _codec.compressobj(LEVEL, zlib.DEFLATED, _WBITS)
        self._out: list[bytes] = []
        self._held = bytearray()
        self.crc = self.size = 0

    def feed(self, piece) -> None:
        self.crc = zlib.crc32(piece, self.crc)
        self.size += len(piece)
        view = memoryview(piece)
        at = 0
        held = self._held
        if held:
            at = BLOCK - len(held)
            held += view[:at]
            if len(held) < BLOCK:
                return
            self._out.append(self._comp.compress(held))
            held = self._held = bytearray()
        while len(view) - at >= BLOCK:
            self._out.append(self._comp.compress(view[at:at + BLOCK]))
            at += BLOCK
        held += view[at:]

    def finish(self) -> Segment:
        """The segment (ended with a sync flush); the deflater is spent."""
        if self._held:
            self._out.append(self._comp.compress(self._held))
            self._held = bytearray()
        self._out.append(self._comp.flush(_codec.Z_SYNC_FLUSH))
        data = b"".join(self._out)
        self._out = []
        return Segment(data, self.crc, self.size)


def segment(text: bytes | list[bytes]) -> Segment:
    """``text`` (or the text of its pieces, in order) deflated on its own, ended with a sync
    flush (joinable with any other segment); the same bytes however the text was cut."""
    pieces = [text] if isinstance(text, (bytes, bytearray, memoryview)) else text
    deflater = Deflater()
    for piece in pieces:
        deflater.feed(piece)
    return deflater.finish()


def inflate(seg: Segment) -> bytes:
    """The text of a segment again."""
    return _codec.decompressobj(_WBITS).decompress(seg.data)


def crc_combine(crc1: int, crc2: int, size2: int) -> int:
    """The CRC-32 of A + B from A's, B's and B's length."""
    return _codec.crc32_combine(crc1, crc2, size2) if hasattr(_codec, "crc32_combine") \
        else _crc_combine(crc1, crc2, size2)


def gzip_stream(segments: Iterable[Segment], mtime: int = 0) -> Iterator[bytes]:
    """A single-member gzip file of the segments' texts, in order (``mtime`` fixed: reproducible)."""
    yield b"\x1f\x8b\x08\x00" + int(mtime).to_bytes(4, "little") + b"\x00\xff"
    crc = size = 0
    for seg in segments:
        if seg.size:
            crc = crc_combine(crc, seg.crc, seg.size)
            size += seg.size
            yield seg.data
    yield FINAL + crc.to_bytes(4, "little") + (size & 0xFFFFFFFF).to_bytes(4, "little")


def gzip_chunks(chunks: Iterable[bytes], mtime: int = 0) -> Iterator[bytes]:
    """A gzip file of byte chunks, each deflated as its own segment (chunks of 64 KiB or more
    compress within a few percent of one continuous stream)."""
    return gzip_stream((segment(c) for c in chunks if c), mtime)


def _gf2_times(matrix: list[int], vec: int) -> int:
    total = 0
    i = 0
    while vec:
        if vec & 1:
            total ^= matrix[i]
        vec >>= 1
        i += 1
    return total


def _crc_combine(crc1: int, crc2: int, size2: int) -> int:
    """zlib's crc32_combine (for a codec without one): shifts crc1 by size2 zero bytes."""
    if size2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << i for i in range(31)]
    even = [_gf2_times(odd, odd[i]) for i in range(32)]
    odd = [_gf2_times(even, even[i]) for i in range(32)]
    while True:
        even = [_gf2_times(odd, odd[i]) for i in range(32)]
        if size2 & 1:
            crc1 = _gf2_times(even, crc1)
        size2 >>= 1
        if not size2:
            break
        odd = [_gf2_times(even, even[i]) for i in range(32)]
        if size2 & 1:
            crc1 = _gf2_times(odd, crc1)
        size2 >>= 1
        if not size2:
            break
    return crc1 ^ crc2
