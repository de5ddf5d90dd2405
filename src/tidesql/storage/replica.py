"""A storage replica: the multiversion state of one shard, readable "as of τ".

What a replica promises
-----------------------
``get(key, τ)`` and ``scan(low, high, τ)`` answer with, for each key, the newest version
whose commit timestamp is ≤ τ — and they answer only once the replica's **high water
mark** is ≥ τ. The high water mark is the minimum, over every journal, of the last τ the
replica has heard (the crossbar computes it and hands it over with each batch). Each
journal is strictly ordered, so once every journal has passed τ no commit at or below τ
can still arrive: the answer is final, and it is the same answer every other replica
of the shard gives for τ. That is why a read can go to *any* replica and still be
strongly consistent::

    journal A:  ──100────────170──────── (last seen 170)
    journal B:  ────────130──────────195 (last seen 195)
    high water mark = min(170, 195) = 170
    get(k, 150) answers now; get(k, 180) waits until journal A passes 180.

A replica that is asked for a τ beyond its high water mark *nudges* the journals (asks
the adjudicators for a heartbeat up to τ) so that an idle cluster does not make reads
wait for the next periodic heartbeat. A read that cannot be served within
``read_wait_s_max`` fails with SQLSTATE 57014 instead of hanging.

Versions
--------
Each key maps to a flat list ``[τ0, v0, τ1, v1, …]`` in increasing τ; a value of
``None`` is a delete (tombstone). Garbage collection at the low water mark (now − the
maximum transaction age) keeps, per key, the newest version below the line and every
version above it; a key whose only remaining version is a tombstone below the line is
removed. Reads below ``min_readable_timestamp`` (what collection or a restore may have
removed) fail with SQLSTATE 72000 (snapshot too old).

Non-goals: durability (the journals are durable; a replica is rebuilt from them and
from checkpoints), and indexes beyond key order (secondary indexes are ordinary keys).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sortedcontainers import SortedDict

from tidesql import sqlstates
from tidesql.errors import InvariantViolation, ReadTimeout, TideError, invariant
from tidesql.journal.record import Write
from tidesql.ranges import KeyRange

#: How long a waiting read sleeps between nudges while the journals catch up.
NUDGE_INTERVAL_S = 0.002


@dataclass(frozen=True, slots=True)
class ReplicaBatch:
    """What the crossbar sends a replica: commits in τ order, and the new high water mark.

    ``records`` holds, for each commit at or below ``high_water_mark`` not sent before,
    its τ and the writes that fall in this replica's shard.
    """

    records: tuple[tuple[int, tuple[Write, ...]], ...]
    high_water_mark: int


@dataclass(frozen=True, slots=True)
class ScanReply:
    rows: tuple[tuple[bytes, bytes], ...]
    #: True when ``limit`` stopped the scan before the end of the range.
    truncated: bool


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    key: bytes
    timestamp: int
    value: bytes


class StorageReplica:
    def __init__(
        self,
        name: str,
        key_range: KeyRange,
        *,
        read_wait_s_max: float = 10.0,
        nudge: Callable[[int], None] | None = None,
    ) -> None:
        self.name = name
        self.key_range = key_range
        self.read_wait_s_max = read_wait_s_max
        self._nudge = nudge
        self._versions: SortedDict[bytes, list[Any]] = SortedDict()
        self._multi_version_keys: set[bytes] = set()
        self._high_water_mark = 0
        self.min_readable_timestamp = 0
        # Reads waiting for the high water mark: a heap of (τ, sequence, future).
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._waiter_sequence = itertools.count()
        self.applied_commits = 0

    # ------------------------------------------------------------------ feed
    @property
    def high_water_mark(self) -> int:
        return self._high_water_mark

    def advance(self, high_water_mark: int) -> None:
        """The journals moved on without commits for this shard: raise the mark."""
        if high_water_mark < self._high_water_mark:  # invariant() would format on every call
            raise InvariantViolation(
                f"{self.name}: high water mark went back from {self._high_water_mark} "
                f"to {high_water_mark}"
            )
        self._high_water_mark = high_water_mark
        waiters = self._waiters
        while waiters and waiters[0][0] <= high_water_mark:
            _, _, future = heapq.heappop(waiters)
            if not future.done():
                future.set_result(None)

    def apply(self, batch: ReplicaBatch) -> None:
        # The invariants are checked before their messages are formatted: this runs for
        # every commit on every replica.
        if batch.high_water_mark < self._high_water_mark:
            raise InvariantViolation(
                f"{self.name}: high water mark went back from {self._high_water_mark} "
                f"to {batch.high_water_mark}"
            )
        versions = self._versions
        for timestamp, writes in batch.records:
            if not self._high_water_mark < timestamp <= batch.high_water_mark:
                raise InvariantViolation(
                    f"{self.name}: commit τ {timestamp} outside "
                    f"({self._high_water_mark}, {batch.high_water_mark}]"
                )
            for write in writes:
                chain = versions.get(write.key)
                if chain is None:
                    versions[write.key] = [timestamp, write.value]
                else:
                    chain.append(timestamp)
                    chain.append(write.value)
                    self._multi_version_keys.add(write.key)
            self.applied_commits += 1
        self.advance(batch.high_water_mark)

    # ------------------------------------------------------------------ reads
    async def wait_for(self, timestamp: int) -> None:
        """Return once the high water mark is ≥ ``timestamp``; 57014 after the bound."""
        if timestamp < self.min_readable_timestamp:
            raise TideError(
                f"snapshot too old: replica {self.name} keeps versions from "
                f"τ {self.min_readable_timestamp}, read asked for τ {timestamp}",
                sqlstate=sqlstates.SNAPSHOT_TOO_OLD,
            )
        if self._high_water_mark >= timestamp:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.read_wait_s_max
        while self._high_water_mark < timestamp:
            if self._nudge is not None:
                self._nudge(timestamp)
                if self._high_water_mark >= timestamp:
                    return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ReadTimeout(
                    f"replica {self.name} did not catch up to τ {timestamp} within "
                    f"{self.read_wait_s_max} s (high water mark {self._high_water_mark})",
                    hint="A journal or adjudicator may be unreachable or stopped.",
                )
            future: asyncio.Future[None] = loop.create_future()
            heapq.heappush(self._waiters, (timestamp, next(self._waiter_sequence), future))
            try:
                await asyncio.wait_for(future, min(remaining, NUDGE_INTERVAL_S * 50))
            except TimeoutError:
                continue

    def get_now(self, key: bytes, timestamp: int) -> bytes | None:
        """The newest value ≤ ``timestamp``; the caller has already waited for τ."""
        chain = self._versions.get(key)
        if chain is None:
            return None
        index = len(chain) - 2
        while index >= 0:
            if chain[index] <= timestamp:
                value: bytes | None = chain[index + 1]
                return value
            index -= 2
        return None

    def _caught_up(self, timestamp: int) -> bool:
        """Whether a read at τ can be answered now, after one nudge if needed.

        The common case of a fresh transaction: its τ is past the mark, the nudge's
        heartbeats raise the mark at once, and the read needs no coroutine of its own.
        False sends the read to :meth:`wait_for` (which also reports a τ too old).
        """
        if timestamp < self.min_readable_timestamp:
            return False
        if self._high_water_mark < timestamp and self._nudge is not None:
            self._nudge(timestamp)
        return self._high_water_mark >= timestamp

    async def get(self, key: bytes, timestamp: int, *, wait: bool = True) -> bytes | None:
        """``wait=False`` is an *eventual* read (opt-in, for teaching): whatever this
        replica has heard so far, even if it has not heard everything up to τ."""
        if (
            wait
            and (self._high_water_mark < timestamp or timestamp < self.min_readable_timestamp)
            and not self._caught_up(timestamp)
        ):
            await self.wait_for(timestamp)
        return self.get_now(key, timestamp)

    async def scan(
        self,
        low: bytes,
        high: bytes | None,
        timestamp: int,
        *,
        limit: int | None = None,
        reverse: bool = False,
        wait: bool = True,
    ) -> ScanReply:
        if (
            wait
            and (self._high_water_mark < timestamp or timestamp < self.min_readable_timestamp)
            and not self._caught_up(timestamp)
        ):
            await self.wait_for(timestamp)
        rows: list[tuple[bytes, bytes]] = []
        for key in self._versions.irange(low, high, inclusive=(True, False), reverse=reverse):
            value = self.get_now(key, timestamp)
            if value is None:
                continue
            if limit is not None and len(rows) >= limit:
                return ScanReply(tuple(rows), truncated=True)
            rows.append((key, value))
        return ScanReply(tuple(rows), truncated=False)

    # ------------------------------------------------------------------ upkeep
    def collect_garbage(self, low_water_mark: int) -> int:
        """Drop versions no transaction can read any more; return how many."""
        low_water_mark = min(low_water_mark, self._high_water_mark)
        dropped = 0
        done: list[bytes] = []
        for key in self._multi_version_keys:
            chain = self._versions[key]
            # Index of the newest version at or below the line.
            keep_from = 0
            index = len(chain) - 2
            while index >= 0:
                if chain[index] <= low_water_mark:
                    keep_from = index
                    break
                index -= 2
            if keep_from:
                dropped += keep_from // 2
                del chain[:keep_from]
            if len(chain) == 2:
                done.append(key)
        for key in done:
            self._multi_version_keys.discard(key)
        # Tombstones that are the only version left below the line can go too.
        for key in done:
            chain = self._versions[key]
            if chain[1] is None and chain[0] <= low_water_mark:
                del self._versions[key]
                dropped += 1
        self.min_readable_timestamp = max(self.min_readable_timestamp, low_water_mark)
        return dropped

    def snapshot(self, timestamp: int) -> Iterator[SnapshotRow]:
        """The newest live version ≤ ``timestamp`` of every key, in key order."""
        invariant(timestamp <= self._high_water_mark, "snapshot beyond the high water mark")
        for key, chain in self._versions.items():
            index = len(chain) - 2
            while index >= 0:
                if chain[index] <= timestamp:
                    if chain[index + 1] is not None:
                        yield SnapshotRow(key, chain[index], chain[index + 1])
                    break
                index -= 2

    def restore(self, rows: Iterable[SnapshotRow], timestamp: int) -> None:
        """Load a checkpoint taken at ``timestamp`` into an empty replica."""
        invariant(not self._versions, "restore into a replica that holds data")
        for row in rows:
            self._versions[row.key] = [row.timestamp, row.value]
        self._high_water_mark = timestamp
        self.min_readable_timestamp = timestamp

    @property
    def key_count(self) -> int:
        return len(self._versions)

    @property
    def version_count(self) -> int:
        return sum(len(chain) // 2 for chain in self._versions.values())
