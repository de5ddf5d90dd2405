"""Transactions of a query processor: a snapshot to read, a notebook to write, one commit.

The life of a transaction
-------------------------
1. ``QueryProcessor.begin`` picks ``τ_start = clock.latest``. Under READ COMMITTED every
   statement takes a fresh read timestamp (``begin_statement``); the other levels read
   at τ_start throughout.
2. Reads go to the replica of the key's shard in the processor's own AZ, "as of" the
   read timestamp; the replica answers once it has heard every journal up to it. The
   transaction's own writes, kept in its private notebook, are merged over the result.
3. Writes only go into the notebook. Nothing leaves the processor before COMMIT.
4. COMMIT of a transaction that wrote nothing (and locked nothing) needs no one: it is
   already consistent, because it read one snapshot.
5. COMMIT of a read-write transaction sends the write set — with ``FOR UPDATE`` keys,
   ``FOR KEY SHARE`` keys (which conflict only with removals of the key), the catalog
   keys it relied on, and under SERIALIZABLE its read set — to the
   adjudicator owning its first key, which decides with the others that own the rest.
   A refusal is SQLSTATE 40001 with DSQL's code: ``OC000`` for data, ``OC001`` for a
   schema change; the DETAIL names the key (DSQL does not; we do).

Limits (DSQL's): 3,000 modified rows, 10 MiB of changes (keys + values), 5 minutes of
age; each fails with SQLSTATE 54000. A statement can be undone on its own
(``begin_statement`` / ``undo_statement``) so that a failed statement leaves the
transaction as it was before it.

The transaction's state is a plain value (``TransactionState``) apart from the handle
that reaches the cluster, so it could be carried across a process boundary.
"""

from __future__ import annotations

import enum
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast

from tidesql import sqlstates
from tidesql.adjudicator.messages import (
    REASON_SCHEMA,
    REASON_UNAVAILABLE,
    CommitOutcome,
    CommitRequest,
)
from tidesql.clock import NANOS_PER_SECOND, Clock
from tidesql.errors import (
    ProgramLimitExceeded,
    SerializationFailure,
    TideError,
    TransactionStateError,
    invariant,
)
from tidesql.journal.record import Write
from tidesql.ranges import RangeMap
from tidesql.storage.replica import ScanReply

OC000_MESSAGE = "change conflicts with another transaction, please retry: (OC000)"
OC001_MESSAGE = "schema has been updated by another transaction, please retry: (OC001)"


class Isolation(enum.Enum):
    READ_COMMITTED = "read committed"
    REPEATABLE_READ = "repeatable read"
    SERIALIZABLE = "serializable"


class Status(enum.Enum):
    ACTIVE = "active"
    COMMITTED = "committed"
    ABORTED = "aborted"


@dataclass(frozen=True, slots=True)
class TransactionLimits:
    rows_max: int = 3_000
    change_bytes_max: int = 10 * 1024 * 1024
    age_ns_max: int = 300 * NANOS_PER_SECOND


class StorageClient(Protocol):
    async def get(self, key: bytes, timestamp: int, *, wait: bool = True) -> bytes | None: ...

    async def scan(
        self,
        low: bytes,
        high: bytes | None,
        timestamp: int,
        *,
        limit: int | None = None,
        reverse: bool = False,
        wait: bool = True,
    ) -> ScanReply: ...


class CommitClient(Protocol):
    async def commit(self, request: CommitRequest) -> CommitOutcome: ...


class KeyDescriber(Protocol):
    """How the layer above names keys in messages and tells catalog keys apart."""

    def describe(self, key: bytes) -> str: ...

    def is_schema_key(self, key: bytes) -> bool: ...


class RawKeyDescriber:
    def describe(self, key: bytes) -> str:
        from tidesql.keys import format_key

        return format_key(key)

    def is_schema_key(self, key: bytes) -> bool:
        return False


_ABSENT = object()
_transaction_ids = itertools.count(int.from_bytes(os.urandom(4), "little") << 24)


@dataclass(slots=True)
class TransactionState:
    """Everything a transaction is, as a plain value."""

    transaction_id: int
    isolation: Isolation
    start_timestamp: int
    read_timestamp: int
    #: τ against which write conflicts are checked: τ_start, or under READ COMMITTED the
    #: read timestamp of the first statement that wrote or locked anything.
    check_timestamp: int | None = None
    #: The notebook: key → new value (None deletes). Sorted only when a scan needs it.
    writes: dict[bytes, bytes | None] = field(default_factory=dict)
    row_keys: set[bytes] = field(default_factory=set)
    change_bytes: int = 0
    lock_keys: set[bytes] = field(default_factory=set)
    #: Keys that must still exist when the transaction commits (FOR KEY SHARE, FK parents).
    key_share_keys: set[bytes] = field(default_factory=set)
    read_keys: set[bytes] = field(default_factory=set)
    read_ranges: list[tuple[bytes, bytes]] = field(default_factory=list)
    schema_keys: set[bytes] = field(default_factory=set)
    status: Status = Status.ACTIVE
    commit_timestamp: int | None = None
    #: Eventual reads (opt-in): replicas answer without waiting for their high water mark.
    eventual: bool = False


@dataclass(slots=True)
class _StatementUndo:
    entries: list[tuple[bytes, object, bool]] = field(default_factory=list)
    change_bytes: int = 0
    lock_keys: set[bytes] = field(default_factory=set)
    key_share_keys: set[bytes] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class NotebookMark:
    """The notebook as it was at a SAVEPOINT (extended mode), to go back to."""

    writes: dict[bytes, bytes | None]
    row_keys: frozenset[bytes]
    lock_keys: frozenset[bytes]
    key_share_keys: frozenset[bytes]
    change_bytes: int
    check_timestamp: int | None


class QueryProcessor:
    """One AZ's view of the cluster: its replicas (one per shard) and the adjudicators."""

    def __init__(
        self,
        az: str,
        clock: Clock,
        shard_map: RangeMap,
        replicas: Sequence[StorageClient],
        adjudicator_map: RangeMap,
        adjudicators: Sequence[CommitClient],
        *,
        limits: TransactionLimits | None = None,
        describer: KeyDescriber | None = None,
    ) -> None:
        invariant(len(replicas) == shard_map.owner_count, "one replica per shard")
        invariant(len(adjudicators) == adjudicator_map.owner_count, "one client per adjudicator")
        self.az = az
        self.clock = clock
        self.shard_map = shard_map
        self.replicas = tuple(replicas)
        self.adjudicator_map = adjudicator_map
        self.adjudicators = tuple(adjudicators)
        self.limits = limits or TransactionLimits()
        self.describer: KeyDescriber = describer or RawKeyDescriber()

    def begin(
        self, isolation: Isolation = Isolation.REPEATABLE_READ, *, eventual: bool = False
    ) -> Transaction:
        start = self.clock.now().latest
        state = TransactionState(next(_transaction_ids), isolation, start, start)
        state.eventual = eventual
        return Transaction(self, state)


class Transaction:
    def __init__(self, processor: QueryProcessor, state: TransactionState) -> None:
        self.processor = processor
        self.state = state
        self._statement: _StatementUndo | None = None

    # ------------------------------------------------------------ properties
    @property
    def transaction_id(self) -> int:
        return self.state.transaction_id

    @property
    def start_timestamp(self) -> int:
        return self.state.start_timestamp

    @property
    def read_timestamp(self) -> int:
        return self.state.read_timestamp

    @property
    def is_read_only(self) -> bool:
        state = self.state
        return not state.writes and not state.lock_keys and not state.key_share_keys

    @property
    def status(self) -> Status:
        return self.state.status

    # ------------------------------------------------------------ statements
    def begin_statement(self) -> None:
        """Start a statement: a fresh snapshot under READ COMMITTED, and an undo mark."""
        now = self._check_age()
        state = self.state
        if state.isolation is Isolation.READ_COMMITTED:
            state.read_timestamp = max(state.read_timestamp, now)
        self._statement = _StatementUndo(change_bytes=state.change_bytes)

    def end_statement(self) -> None:
        self._statement = None

    def undo_statement(self) -> None:
        """Put the notebook back as it was when the statement began."""
        undo = self._statement
        if undo is None:
            return
        state = self.state
        for key, previous, was_row in reversed(undo.entries):
            if previous is _ABSENT:
                state.writes.pop(key, None)
            else:
                state.writes[key] = cast("bytes | None", previous)
            if was_row:
                state.row_keys.add(key)
            else:
                state.row_keys.discard(key)
        state.lock_keys -= undo.lock_keys
        state.key_share_keys -= undo.key_share_keys
        state.change_bytes = undo.change_bytes
        self._statement = None

    def mark(self) -> NotebookMark:
        """Remember the notebook (SAVEPOINT). A copy: at most 3,000 rows, and savepoints
        are rare, so copying is simpler and as cheap as keeping an undo log."""
        state = self.state
        return NotebookMark(
            dict(state.writes),
            frozenset(state.row_keys),
            frozenset(state.lock_keys),
            frozenset(state.key_share_keys),
            state.change_bytes,
            state.check_timestamp,
        )

    def rollback_to(self, mark: NotebookMark) -> None:
        """Put the notebook back as it was at ``mark`` (ROLLBACK TO SAVEPOINT). Reads
        stay in the read set: what the transaction saw may still have shaped it."""
        self._ensure_active()
        state = self.state
        state.writes = dict(mark.writes)
        state.row_keys = set(mark.row_keys)
        state.lock_keys = set(mark.lock_keys)
        state.key_share_keys = set(mark.key_share_keys)
        state.change_bytes = mark.change_bytes
        state.check_timestamp = mark.check_timestamp
        self._statement = None

    # ------------------------------------------------------------ reads
    async def get(self, key: bytes, *, track: bool = True) -> bytes | None:
        """``track=False``: a read the transaction's outcome does not depend on (the
        catalog version, guarded by schema stamps instead), kept out of the read set."""
        state = self.state
        if state.status is not Status.ACTIVE:
            raise TransactionStateError(f"transaction is {state.status.value}")
        if key in state.writes:
            value: bytes | None = state.writes[key]
            return value
        if track and state.isolation is Isolation.SERIALIZABLE:
            state.read_keys.add(key)
        processor = self.processor
        replica = processor.replicas[processor.shard_map.owner_of(key)]
        return await replica.get(key, state.read_timestamp, wait=not state.eventual)

    async def scan(
        self,
        low: bytes,
        high: bytes | None,
        *,
        limit: int | None = None,
        reverse: bool = False,
        track: bool = True,
    ) -> list[tuple[bytes, bytes]]:
        """Rows in ``[low, high)`` in key order (or reversed), with this transaction's writes."""
        self._ensure_active()
        state = self.state
        if track and state.isolation is Isolation.SERIALIZABLE:
            state.read_ranges.append((low, high or b""))
        stored = await self._scan_stored(low, high, limit, reverse)
        if not state.writes:
            return stored
        own = sorted(
            (k for k in state.writes if low <= k and (high is None or k < high)), reverse=reverse
        )
        if not own:
            return stored
        # Every own write in range replaces or hides the stored row; fetch more if the
        # limit could have cut off rows that our deletes now hide.
        if limit is not None:
            stored = await self._scan_stored(low, high, limit + len(own), reverse)
        merged: dict[bytes, bytes | None] = dict(stored)
        for key in own:
            merged[key] = state.writes[key]
        rows = [(key, value) for key, value in merged.items() if value is not None]
        rows.sort(reverse=reverse)
        return rows[:limit] if limit is not None else rows

    async def _scan_stored(
        self, low: bytes, high: bytes | None, limit: int | None, reverse: bool
    ) -> list[tuple[bytes, bytes]]:
        processor = self.processor
        shards = list(processor.shard_map.owners_overlapping(low, high))
        if reverse:
            shards.reverse()
        rows: list[tuple[bytes, bytes]] = []
        for shard in shards:
            remaining = None if limit is None else limit - len(rows)
            if remaining is not None and remaining <= 0:
                break
            reply = await processor.replicas[shard].scan(
                low,
                high,
                self.state.read_timestamp,
                limit=remaining,
                reverse=reverse,
                wait=not self.state.eventual,
            )
            rows.extend(reply.rows)
        return rows

    # ------------------------------------------------------------ writes
    def put(self, key: bytes, value: bytes, *, is_row: bool = True) -> None:
        self._write(key, value, is_row)

    def delete(self, key: bytes, *, is_row: bool = True) -> None:
        self._write(key, None, is_row)

    def lock(self, key: bytes) -> None:
        """``SELECT … FOR UPDATE``: the key conflicts at commit as if it were written."""
        self._ensure_active()
        self._note_first_write()
        if key not in self.state.lock_keys:
            self.state.lock_keys.add(key)
            if self._statement is not None:
                self._statement.lock_keys.add(key)

    def key_share(self, key: bytes) -> None:
        """``FOR KEY SHARE`` (and a foreign-key check on the parent's key): COMMIT fails if
        another transaction removed the key after this one began, and a later removal by
        another transaction that began before this one commits fails instead."""
        self._ensure_active()
        self._note_first_write()
        state = self.state
        if key not in state.key_share_keys:
            state.key_share_keys.add(key)
            if self._statement is not None:
                self._statement.key_share_keys.add(key)

    def note_schema_read(self, key: bytes) -> None:
        """The transaction relied on this catalog key; a change to it fails COMMIT (OC001)."""
        self.state.schema_keys.add(key)

    def _write(self, key: bytes, value: bytes | None, is_row: bool) -> None:
        self._ensure_active()
        state = self.state
        limits = self.processor.limits
        previous = state.writes.get(key, _ABSENT)
        was_row = key in state.row_keys
        if is_row and not was_row and len(state.row_keys) >= limits.rows_max:
            raise ProgramLimitExceeded(
                "transaction row limit exceeded",
                detail=f"A transaction may modify at most {limits.rows_max} rows.",
            )
        size = len(key) + (len(value) if value is not None else 0)
        if previous is _ABSENT:
            new_bytes = state.change_bytes + size
        else:
            old_value = previous if isinstance(previous, bytes) else b""
            new_bytes = state.change_bytes + size - len(key) - len(old_value)
        if new_bytes > limits.change_bytes_max:
            raise ProgramLimitExceeded(
                "transaction size limit 10mb exceeded",
                detail=f"A transaction may change at most {limits.change_bytes_max} bytes.",
            )
        self._note_first_write()
        if self._statement is not None:
            self._statement.entries.append((key, previous, was_row))
        state.writes[key] = value
        state.change_bytes = new_bytes
        if is_row:
            state.row_keys.add(key)

    def _note_first_write(self) -> None:
        state = self.state
        if state.check_timestamp is None:
            state.check_timestamp = state.read_timestamp

    # ------------------------------------------------------------ end
    def _ensure_active(self) -> None:
        state = self.state
        if state.status is not Status.ACTIVE:
            raise TransactionStateError(f"transaction is {state.status.value}")

    def _check_age(self) -> int:
        """DSQL's age limit, checked when a statement begins and at COMMIT; returns the
        clock's ``latest`` it read."""
        state = self.state
        if state.status is not Status.ACTIVE:
            raise TransactionStateError(f"transaction is {state.status.value}")
        processor = self.processor
        now = processor.clock.now().latest
        if now - state.start_timestamp > processor.limits.age_ns_max:
            state.status = Status.ABORTED
            raise ProgramLimitExceeded(
                f"transaction age limit of {processor.limits.age_ns_max // NANOS_PER_SECOND}s"
                " exceeded",
            )
        return now

    def rollback(self) -> None:
        if self.state.status is Status.ACTIVE:
            self.state.status = Status.ABORTED

    async def commit(self) -> int | None:
        """Commit; return τ_commit, or ``None`` for a read-only transaction."""
        self._check_age()
        state = self.state
        if self.is_read_only:
            state.status = Status.COMMITTED
            return None
        processor = self.processor
        serializable = state.isolation is Isolation.SERIALIZABLE
        check_timestamp = state.check_timestamp
        if check_timestamp is None or serializable:
            check_timestamp = state.start_timestamp
        writes = tuple(Write(key, state.writes[key]) for key in sorted(state.writes))
        request = CommitRequest(
            transaction_id=state.transaction_id,
            start_timestamp=check_timestamp,
            writes=writes,
            lock_keys=tuple(sorted(state.lock_keys)),
            read_keys=tuple(sorted(state.read_keys)) if serializable else (),
            read_ranges=tuple(state.read_ranges) if serializable else (),
            schema_keys=tuple(sorted(state.schema_keys)),
            key_share_keys=tuple(sorted(state.key_share_keys)),
        )
        first_key = writes[0].key if writes else min(state.lock_keys | state.key_share_keys)
        coordinator = processor.adjudicators[processor.adjudicator_map.owner_of(first_key)]
        try:
            outcome = await coordinator.commit(request)
        except BaseException:
            state.status = Status.ABORTED
            raise
        if outcome.committed:
            state.status = Status.COMMITTED
            state.commit_timestamp = outcome.commit_timestamp
            return outcome.commit_timestamp
        state.status = Status.ABORTED
        raise self._refusal_error(outcome, check_timestamp)

    def _refusal_error(self, outcome: CommitOutcome, start: int) -> TideError:
        describer = self.processor.describer
        if outcome.reason == REASON_UNAVAILABLE:
            return TideError(
                "transaction resolution unknown: the journal could not confirm the commit",
                sqlstate=sqlstates.TRANSACTION_RESOLUTION_UNKNOWN,
            )
        key = outcome.conflict_key
        schema = outcome.reason == REASON_SCHEMA or (bool(key) and describer.is_schema_key(key))
        if not key:
            detail = (
                "This transaction began too long ago for the adjudicator to check it "
                f"(τ_start {start})."
            )
        elif outcome.conflict_timestamp:
            detail = (
                f"Key {describer.describe(key)} was committed by another transaction at "
                f"τ {outcome.conflict_timestamp}, after this transaction began at τ {start}."
            )
        else:
            detail = f"Key {describer.describe(key)} is being committed by another transaction."
        return SerializationFailure(OC001_MESSAGE if schema else OC000_MESSAGE, detail=detail)


__all__ = [
    "OC000_MESSAGE",
    "OC001_MESSAGE",
    "CommitClient",
    "Isolation",
    "KeyDescriber",
    "QueryProcessor",
    "RawKeyDescriber",
    "Status",
    "StorageClient",
    "Transaction",
    "TransactionLimits",
    "TransactionState",
]
