"""Requests and replies of the adjudicators: plain, immutable, serializable values."""

from __future__ import annotations

from dataclasses import dataclass

from tidesql.journal.record import Write

#: Why a commit was refused.
REASON_WRITE = "write"  # a key was committed by another transaction after τ_start (OC000)
REASON_SCHEMA = "schema"  # a catalog key read by the transaction changed (OC001)
REASON_TOO_OLD = "too_old"  # τ_start is below what the adjudicator still remembers
REASON_UNAVAILABLE = "unavailable"  # the journal could not make the record durable


@dataclass(frozen=True, slots=True)
class CommitRequest:
    """A read-write transaction asking to commit.

    ``writes`` are the new values; a write whose value is ``None`` *removes* its key (a
    delete, or the old key of an update that changed the key), which is what a key-share
    conflicts with. ``lock_keys`` (``SELECT … FOR UPDATE``) are checked and recorded like
    writes but change no data. ``key_share_keys`` (``FOR KEY SHARE``, and the parent keys
    of foreign-key checks) conflict only with removals of the key, in either order, and
    never with each other. ``read_keys`` and ``read_ranges`` (the read set under
    SERIALIZABLE) and ``schema_keys`` (catalog rows the transaction relied on) are only
    checked. A range is ``(low, high)`` with ``high == b""`` meaning unbounded.
    """

    transaction_id: int
    start_timestamp: int
    writes: tuple[Write, ...]
    lock_keys: tuple[bytes, ...] = ()
    read_keys: tuple[bytes, ...] = ()
    read_ranges: tuple[tuple[bytes, bytes], ...] = ()
    schema_keys: tuple[bytes, ...] = ()
    key_share_keys: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class CommitOutcome:
    committed: bool
    commit_timestamp: int = 0
    reason: str = ""
    conflict_key: bytes = b""
    #: τ of the commit that caused the conflict (0 when not known, e.g. a key still held).
    conflict_timestamp: int = 0


@dataclass(frozen=True, slots=True)
class Vote:
    """A participant's answer to a prepare: yes with a lower bound for τ_commit, or no."""

    ok: bool
    lower_bound: int = 0
    reason: str = ""
    conflict_key: bytes = b""
    conflict_timestamp: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """The coordinator's outcome for a prepared transaction (τ 0 = aborted)."""

    transaction_id: int
    commit_timestamp: int
