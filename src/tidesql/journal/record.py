"""What a journal carries: commit records and heartbeats, and their binary encoding.

A commit record is the whole effect of one transaction: its commit timestamp τ, an id,
and its writes (a key and the new value, or ``None`` for a delete). A heartbeat is a
promise from the journal's writer that it will never append a record at or below its
timestamp; heartbeats are not durable and never reach disk.

Encoding of a commit record (little-endian)::

    u8 kind=1 | i64 timestamp | u64 transaction_id | u32 write_count
    then per write: u32 key_length | key | i32 value_length (-1 = delete) | value
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tidesql.errors import invariant

COMMIT_KIND = 1
_HEADER = struct.Struct("<BqQI")
_KEY_LENGTH = struct.Struct("<I")
_VALUE_LENGTH = struct.Struct("<i")


@dataclass(frozen=True, slots=True)
class Write:
    """One key's new value in a committed transaction; ``value is None`` deletes the key."""

    key: bytes
    value: bytes | None


@dataclass(frozen=True, slots=True)
class CommitRecord:
    timestamp: int
    transaction_id: int
    writes: tuple[Write, ...]


@dataclass(frozen=True, slots=True)
class Heartbeat:
    timestamp: int


JournalEntry = CommitRecord | Heartbeat


def encode_commit_record(record: CommitRecord) -> bytes:
    parts = [_HEADER.pack(COMMIT_KIND, record.timestamp, record.transaction_id, len(record.writes))]
    for write in record.writes:
        parts.append(_KEY_LENGTH.pack(len(write.key)))
        parts.append(write.key)
        if write.value is None:
            parts.append(_VALUE_LENGTH.pack(-1))
        else:
            parts.append(_VALUE_LENGTH.pack(len(write.value)))
            parts.append(write.value)
    return b"".join(parts)


def decode_commit_record(data: bytes | memoryview) -> CommitRecord:
    view = memoryview(data)
    kind, timestamp, transaction_id, count = _HEADER.unpack_from(view, 0)
    invariant(kind == COMMIT_KIND, f"unknown journal record kind {kind}")
    offset = _HEADER.size
    writes = []
    for _ in range(count):
        (key_length,) = _KEY_LENGTH.unpack_from(view, offset)
        offset += _KEY_LENGTH.size
        key = bytes(view[offset : offset + key_length])
        offset += key_length
        (value_length,) = _VALUE_LENGTH.unpack_from(view, offset)
        offset += _VALUE_LENGTH.size
        value: bytes | None = None
        if value_length >= 0:
            value = bytes(view[offset : offset + value_length])
            offset += value_length
        writes.append(Write(key, value))
    invariant(offset == len(view), "trailing bytes after a journal record")
    return CommitRecord(timestamp, transaction_id, tuple(writes))
