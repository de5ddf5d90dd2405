"""The crossbar: merge every journal in τ order and route each write to its shard.

Every replica follows every journal, because a transaction's writes go to the journal of
the adjudicator that committed it, not to one per shard. The crossbar turns those
independent, individually ordered streams into what a replica needs: its shard's
writes in global τ order, and a high water mark below which nothing more can come.

How does a replica know it is caught up?
    Each journal is strictly increasing in τ, so the last τ heard from a journal bounds
    everything still to come from it. The minimum of those over all journals is the high
    water mark: with journals at 80, 90 and 95 it is 80, and every commit at or below 80
    has been heard, from all three. Records above the mark wait in a heap until every
    journal has passed them, then leave in τ order.

Who gets what?
    A record's writes are split by the shard map; each replica of a shard receives the
    same ``ReplicaBatch`` (its writes and the new mark), possibly with no writes at all
    when only the mark moved. A replica's feed may be slowed down on purpose
    (``FeedDelay``) to show what eventual reads look like; strong reads then wait.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from tidesql.errors import InvariantViolation, invariant
from tidesql.journal.record import CommitRecord, JournalEntry, Write
from tidesql.ranges import RangeMap
from tidesql.storage.replica import ReplicaBatch


class ReplicaFeed(Protocol):
    def apply(self, batch: ReplicaBatch) -> None: ...

    def advance(self, high_water_mark: int) -> None:
        """Only the mark moved (no commits): the cheap, common case of a heartbeat."""
        ...


class DelayedFeed:
    """Deliver batches to a replica ``delay_s`` late, in order (replication lag on purpose)."""

    def __init__(self, target: ReplicaFeed, delay_s: float) -> None:
        self.target = target
        self.delay_s = delay_s
        self._queue: deque[tuple[float, ReplicaBatch]] = deque()
        self._drain_scheduled = False

    def advance(self, high_water_mark: int) -> None:
        self.apply(ReplicaBatch((), high_water_mark))

    def apply(self, batch: ReplicaBatch) -> None:
        if self.delay_s <= 0 and not self._queue:
            self.target.apply(batch)
            return
        loop = asyncio.get_running_loop()
        self._queue.append((loop.time() + self.delay_s, batch))
        if not self._drain_scheduled:
            self._drain_scheduled = True
            loop.call_at(self._queue[0][0], self._drain)

    def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._queue and self._queue[0][0] <= now:
            self.target.apply(self._queue.popleft()[1])
        if self._queue:
            loop.call_at(self._queue[0][0], self._drain)
        else:
            self._drain_scheduled = False


class Crossbar:
    def __init__(
        self, journal_names: Sequence[str], shard_map: RangeMap, *, start_timestamp: int = 0
    ) -> None:
        """``start_timestamp``: the replicas already hold everything at or below it (a
        checkpoint), so records at or below it are skipped when the journals replay."""
        invariant(len(journal_names) > 0, "a crossbar needs at least one journal")
        self.shard_map = shard_map
        self._start_timestamp = start_timestamp
        self._last_seen: dict[str, int] = dict.fromkeys(journal_names, 0)
        self._pending: list[tuple[int, int, CommitRecord]] = []
        self._sequence = itertools.count()
        self._feeds: list[list[ReplicaFeed]] = [[] for _ in range(shard_map.owner_count)]
        self._high_water_mark = start_timestamp

    @property
    def high_water_mark(self) -> int:
        return self._high_water_mark

    def last_seen(self, journal_name: str) -> int:
        return self._last_seen[journal_name]

    def add_feed(self, shard: int, feed: ReplicaFeed) -> None:
        self._feeds[shard].append(feed)
        if self._high_water_mark:
            feed.apply(ReplicaBatch((), self._high_water_mark))

    def journal_entries(self, journal_name: str, entries: Sequence[JournalEntry]) -> None:
        last = self._last_seen[journal_name]
        pending = self._pending
        for entry in entries:
            if entry.timestamp <= last:  # invariant() would format its message every time
                raise InvariantViolation(
                    f"journal {journal_name} went from τ {last} to {entry.timestamp}"
                )
            last = entry.timestamp
            if last <= self._start_timestamp:
                continue
            if isinstance(entry, CommitRecord) and entry.writes:
                heapq.heappush(pending, (entry.timestamp, next(self._sequence), entry))
        self._last_seen[journal_name] = last
        mark = min(self._last_seen.values())
        if mark > self._high_water_mark:
            self._advance(mark)

    def _advance(self, mark: int) -> None:
        pending = self._pending
        if not pending or pending[0][0] > mark:
            self._high_water_mark = mark
            for feeds in self._feeds:
                for feed in feeds:
                    feed.advance(mark)
            return
        shard_count = self.shard_map.owner_count
        per_shard: list[list[tuple[int, tuple[Write, ...]]]] = [[] for _ in range(shard_count)]
        owner_of = self.shard_map.owner_of
        while pending and pending[0][0] <= mark:
            timestamp, _, record = heapq.heappop(pending)
            if shard_count == 1:
                per_shard[0].append((timestamp, record.writes))
                continue
            split: dict[int, list[Write]] = {}
            for write in record.writes:
                split.setdefault(owner_of(write.key), []).append(write)
            for shard, writes in split.items():
                per_shard[shard].append((timestamp, tuple(writes)))
        self._high_water_mark = mark
        for shard, feeds in enumerate(self._feeds):
            records = per_shard[shard]
            if not records:
                for feed in feeds:
                    feed.advance(mark)  # only the mark moved for this shard
                continue
            batch = ReplicaBatch(tuple(records), mark)
            for feed in feeds:
                feed.apply(batch)
