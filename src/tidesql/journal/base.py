"""The journal interface shared by every backend.

Invariants every backend keeps:

* Entries are strictly increasing in timestamp: a record's τ is greater than every τ
  appended or promised (heartbeat) before it. A heartbeat may repeat the last τ, which
  is a no-op.
* ``append`` is synchronous up to the point where the record has its place in the
  order; the returned future resolves once the record is durable. Assigning τ and
  calling ``append`` in the same step (no ``await`` between) therefore keeps the
  journal's order equal to τ order.
* Consumers see records only once they are durable, and in order; a heartbeat that
  follows a record still being made durable is delivered after that record. So a
  consumer that has seen τ has seen every record at or below τ, durably.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import Protocol

from tidesql.journal.record import CommitRecord, JournalEntry


class JournalConsumer(Protocol):
    def journal_entries(self, journal_name: str, entries: Sequence[JournalEntry]) -> None:
        """Called in order with entries that are durable (records) or promised (heartbeats)."""
        ...


class Journal(Protocol):
    name: str

    @property
    def last_timestamp(self) -> int:
        """The τ of the newest record appended or heartbeat promised (0 if none)."""
        ...

    async def open(self) -> None:
        """Recover what is on disk; afterwards ``records()`` yields it."""
        ...

    def append(self, record: CommitRecord) -> asyncio.Future[None]:
        """Place the record in the order now; the future resolves when it is durable."""
        ...

    def heartbeat(self, timestamp: int) -> None:
        """Promise that no record at or below ``timestamp`` will be appended."""
        ...

    def subscribe(self, consumer: JournalConsumer) -> None:
        """Deliver every retained durable record to ``consumer``, then every new entry."""
        ...

    def records(self) -> Iterator[CommitRecord]:
        """The retained durable records, oldest first (for rebuilding state)."""
        ...

    async def truncate_through(self, timestamp: int) -> int:
        """Drop stored records at or below ``timestamp`` where the backend can; return count."""
        ...

    async def close(self) -> None: ...
