"""Byte-reproducible Ogg files: libsndfile gives each Ogg stream a random serial number, so the same audio
written twice differs in its bytes (and in the feature cache's content hash). :func:`set_ogg_serial`
rewrites every page's serial number and checksum (RFC 3533), leaving the audio data untouched.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from ..io import atomic_write_bytes


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else (r << 1)
        table.append(r & 0xFFFFFFFF)
    return table


_TABLE = _crc_table()


def ogg_crc(data: bytes) -> int:
    """The Ogg page checksum: CRC-32, polynomial 0x04C11DB7, initial value 0, not reflected."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _TABLE[(crc >> 24) ^ byte]
    return crc


def stable_serial(name: str) -> int:
    """A serial number that depends only on ``name``."""
    return zlib.crc32(name.encode())


def set_ogg_serial(path: str | Path, serial: int) -> None:
    """Give every page of the single-stream Ogg file ``path`` the serial number ``serial`` (in place).

    Raises:
        ValueError: ``path`` is not an Ogg file.
    """
    data = bytearray(Path(path).read_bytes())
    pos = 0
    while pos < len(data):
        if data[pos : pos + 4] != b"OggS" or pos + 27 > len(data):
            raise ValueError(f"{path}: no Ogg page at byte {pos}; write the file as Ogg/Opus first.")
        num_segments = data[pos + 26]
        header = 27 + num_segments
        size = header + sum(data[pos + 27 : pos + header])
        data[pos + 14 : pos + 18] = serial.to_bytes(4, "little")
        data[pos + 22 : pos + 26] = b"\0\0\0\0"
        data[pos + 22 : pos + 26] = ogg_crc(bytes(data[pos : pos + size])).to_bytes(4, "little")
        pos += size
    atomic_write_bytes(path, bytes(data))
