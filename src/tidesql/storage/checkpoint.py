"""Checkpoints: a shard's live versions at one τ, so journals can be truncated.

Replicas live in memory and are rebuilt from the journals at start. Without more, the
journals would have to be kept for ever. A checkpoint writes, for every shard, the
newest live version of each key at or below τ; once every shard has one at τ, journal
segments holding only records at or below τ can be deleted, and a restart loads the
checkpoints and replays only what came after.

File layout (little-endian): ``b"TIDECKPT" | u32 version=1 | i64 τ | u64 row_count``,
then per row ``u32 key_length | key | i64 τ_row | u32 value_length | value``, then a
``u32 crc32`` of everything before it. Written to a temporary name, fsynced, renamed
over the old file, and the directory fsynced: a crash leaves the old or the new
checkpoint, never half of one.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.storage.replica import SnapshotRow

MAGIC = b"TIDECKPT"
VERSION = 1
_HEADER = struct.Struct("<8sIqQ")
_ROW_HEAD = struct.Struct("<I")
_ROW_MID = struct.Struct("<qI")
_CRC = struct.Struct("<I")


def encode_checkpoint(timestamp: int, rows: Iterable[SnapshotRow]) -> bytes:
    body: list[bytes] = []
    count = 0
    for row in rows:
        body.append(_ROW_HEAD.pack(len(row.key)))
        body.append(row.key)
        body.append(_ROW_MID.pack(row.timestamp, len(row.value)))
        body.append(row.value)
        count += 1
    data = _HEADER.pack(MAGIC, VERSION, timestamp, count) + b"".join(body)
    return data + _CRC.pack(zlib.crc32(data))


def decode_checkpoint(data: bytes, source: str = "checkpoint") -> tuple[int, list[SnapshotRow]]:
    def corrupt(why: str) -> TideError:
        return TideError(f"{source} is corrupt: {why}", sqlstate=sqlstates.DATA_CORRUPTED)

    if len(data) < _HEADER.size + _CRC.size:
        raise corrupt("too short")
    (crc,) = _CRC.unpack_from(data, len(data) - _CRC.size)
    if zlib.crc32(data[: -_CRC.size]) != crc:
        raise corrupt("checksum mismatch")
    magic, version, timestamp, count = _HEADER.unpack_from(data, 0)
    if magic != MAGIC or version != VERSION:
        raise corrupt("unknown format")
    rows: list[SnapshotRow] = []
    offset = _HEADER.size
    view = memoryview(data)
    for _ in range(count):
        (key_length,) = _ROW_HEAD.unpack_from(view, offset)
        offset += _ROW_HEAD.size
        key = bytes(view[offset : offset + key_length])
        offset += key_length
        row_timestamp, value_length = _ROW_MID.unpack_from(view, offset)
        offset += _ROW_MID.size
        value = bytes(view[offset : offset + value_length])
        offset += value_length
        rows.append(SnapshotRow(key, row_timestamp, value))
    if offset != len(data) - _CRC.size:
        raise corrupt("trailing bytes")
    return timestamp, rows


def write_checkpoint_file(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data`` (blocking; run it in a thread)."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
