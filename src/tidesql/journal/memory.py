"""An in-memory journal: the same ordering contract as the file journal, no durability.

Used by ``--ephemeral`` and by tests that do not need a disk. A record is "durable" as
soon as it is appended, so consumers hear of it at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from tidesql.errors import invariant
from tidesql.journal.base import JournalConsumer
from tidesql.journal.record import CommitRecord, Heartbeat


class MemoryJournal:
    def __init__(self, name: str) -> None:
        self.name = name
        self._records: list[CommitRecord] = []
        self._consumers: list[JournalConsumer] = []
        self._last_timestamp = 0

    @property
    def last_timestamp(self) -> int:
        return self._last_timestamp

    async def open(self) -> None:
        return None

    def append(self, record: CommitRecord) -> asyncio.Future[None]:
        invariant(
            record.timestamp > self._last_timestamp,
            f"journal {self.name}: record τ {record.timestamp} not after {self._last_timestamp}",
        )
        self._last_timestamp = record.timestamp
        self._records.append(record)
        for consumer in self._consumers:
            consumer.journal_entries(self.name, (record,))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    def heartbeat(self, timestamp: int) -> None:
        invariant(
            timestamp >= self._last_timestamp,
            f"journal {self.name}: heartbeat τ {timestamp} before {self._last_timestamp}",
        )
        if timestamp == self._last_timestamp:
            return
        self._last_timestamp = timestamp
        entry = Heartbeat(timestamp)
        for consumer in self._consumers:
            consumer.journal_entries(self.name, (entry,))

    def subscribe(self, consumer: JournalConsumer) -> None:
        if self._records:
            consumer.journal_entries(self.name, tuple(self._records))
        replayed_through = self._records[-1].timestamp if self._records else 0
        if self._last_timestamp > replayed_through:
            consumer.journal_entries(self.name, (Heartbeat(self._last_timestamp),))
        self._consumers.append(consumer)

    def records(self) -> Iterator[CommitRecord]:
        return iter(list(self._records))

    async def truncate_through(self, timestamp: int) -> int:
        keep = [record for record in self._records if record.timestamp > timestamp]
        dropped = len(self._records) - len(keep)
        self._records = keep
        return dropped

    async def close(self) -> None:
        return None
