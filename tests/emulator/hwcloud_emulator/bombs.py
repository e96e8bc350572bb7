"""Compressed bodies that expand enormously: the ``gzip_bomb`` fault.

A 1 GiB document must never exist in memory, and compressing 1 GiB of
padding per request would stall the event loop for seconds.  Deflate lets
us avoid both: a fresh compressor that ends with a full flush produces a
byte-aligned, non-final run of blocks that refers to nothing before it, so
runs can be concatenated.  One MiB of spaces compresses to about 1 KB; the
padding of N MiB is that run repeated N times (cached per count), between
a freshly compressed prefix and a final block holding the rest.  The
trailers' checksums are combined arithmetically (zlib's crc32_combine and
adler32_combine, which Python does not expose) instead of by reading the
expanded bytes.
"""

import functools
import struct
import zlib

CHUNK = 1 << 20  # bytes of padding per cached run
PAD = b" "
ENCODINGS = ("gzip", "deflate")
_ADLER_BASE = 65521
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, no mtime, max compression
_ZLIB_HEADER = b"\x78\xda"  # 32 KiB window, level 9


def _gf2_times(matrix, vector):
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix):
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1, crc2, len2):
    """CRC-32 of A+B from crc(A), crc(B) and len(B) (zlib's algorithm)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def adler32_combine(adler1, adler2, len2):
    """Adler-32 of A+B from adler(A), adler(B) and len(B) (zlib's algorithm)."""
    rem = len2 % _ADLER_BASE
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % _ADLER_BASE
    sum1 += (adler2 & 0xFFFF) + _ADLER_BASE - 1
    sum2 += ((adler1 >> 16) & 0xFFFF) + ((adler2 >> 16) & 0xFFFF) + _ADLER_BASE - rem
    sum1 %= _ADLER_BASE
    sum2 %= _ADLER_BASE
    return sum1 | (sum2 << 16)


def _run(data, final=False):
    """Raw deflate of ``data`` from a fresh compressor: self-contained, byte-aligned."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


@functools.lru_cache(maxsize=1)
def _chunk_run():
    data = PAD * CHUNK
    return _run(data), zlib.crc32(data), zlib.adler32(data)


@functools.lru_cache(maxsize=16)
def padding(chunks):
    """(raw deflate, crc32, adler32) of ``chunks`` MiB of spaces; built once per count."""
    run, crc, adler = _chunk_run()
    total_crc, total_adler, done = 0, 1, 0
    # Checksums by doubling: log2(chunks) combines instead of reading the bytes.
    block_crc, block_adler, block_len, remaining = crc, adler, CHUNK, chunks
    while remaining:
        if remaining & 1:
            total_crc = crc32_combine(total_crc, block_crc, block_len)
            total_adler = adler32_combine(total_adler, block_adler, block_len)
            done += block_len
        remaining >>= 1
        if remaining:
            block_crc = crc32_combine(block_crc, block_crc, block_len)
            block_adler = adler32_combine(block_adler, block_adler, block_len)
            block_len *= 2
    return run * chunks, total_crc, total_adler


def bomb(prefix, expanded_bytes, suffix, encoding="gzip"):
    """A gzip (or zlib, for HTTP ``deflate``) body expanding to ``prefix`` + spaces + ``suffix``,
    ``expanded_bytes`` long in all (never less than prefix and suffix)."""
    pad_len = max(expanded_bytes - len(prefix) - len(suffix), 0)
    chunks, rest = divmod(pad_len, CHUNK)
    middle, mid_crc, mid_adler = padding(chunks)
    tail = PAD * rest + suffix
    body = _run(prefix) + middle + _run(tail, final=True)
    total = len(prefix) + chunks * CHUNK + len(tail)
    if encoding == "gzip":
        crc = crc32_combine(crc32_combine(zlib.crc32(prefix), mid_crc, chunks * CHUNK), zlib.crc32(tail), len(tail))
        return _GZIP_HEADER + body + struct.pack("<II", crc, total & 0xFFFFFFFF)
    adler = adler32_combine(adler32_combine(zlib.adler32(prefix), mid_adler, chunks * CHUNK),
                            zlib.adler32(tail), len(tail))
    return _ZLIB_HEADER + body + struct.pack(">I", adler)
