"""Where the embedded cluster's parts sit, and what it costs to talk between them.

What is a layout?
    The places of a cluster's parts: a query processor and a replica of every shard in
    each AZ, each adjudicator (with its journal's leader) in one AZ, and each journal
    copied to every AZ — and, in a multi-region layout, to a *witness* region that holds
    journal copies and nothing else. Two layouts are built in:

    ================  =============================================================
    ``one-region``    az1, az2, az3 in one region; adjudicator i in AZ i (mod 3)
    ``two-region``    r1-az1…3 and r2-az1…3; adjudicator 0 in r1-az1, 1 in r2-az1;
                      journal copies in all six AZs and in the witness r3-witness
    ================  =============================================================

What crosses, and when?
    Reads go to the replicas of the query processor's own AZ and writes go to its
    notebook: neither leaves the AZ. A commit of a transaction that wrote crosses

    1. from the query processor to the adjudicator that owns its first key — nothing
       when they share an AZ, which round-robin placement makes one time in three;
    2. from that adjudicator to its peers, for each prepare and decide, when the
       transaction's keys belong to several adjudicators;
    3. from the journal's leader to its copies: a record is durable once a majority of
       the copies in its region hold it and, in a multi-region layout, once a majority
       of the regions do. Copies are written in parallel, so this stage waits for the
       nearest copies that complete the quorum: one round trip to the nearest other AZ
       (one region), or to the nearest other region (two regions).

    In one region the average commit is therefore 2/3 + 1 = 1.67 round trips between
    AZs, the figure of the talk; in two regions with a witness it is 1/2 + 1 = 1.5
    round trips between regions when the adjudicators split the data by region.

How are delays injected?
    Every awaited crossing sleeps the one-way delay out and back (``az_one_way_s``
    between AZs of a region, ``region_one_way_s`` between regions), and each replica's
    feed of journal entries is late by the one-way delay from the farthest journal
    leader. With delays, replicas do not *nudge* adjudicators in other AZs for
    heartbeats (a message the read would wait for): as in DSQL, they wait for the
    heartbeat stream, which adjudicators then send often (``heartbeat_interval_s``).
    Without delays every part is in one process, nudges reach every adjudicator at
    once, and a nudge to another AZ counts as a round trip of the read that caused it.

Every crossing a session's work causes is added to its tally (``tidesql.roundtrips``),
which ``sys.round_trips`` shows and ``tidesql bench rtt`` reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from tidesql.adjudicator.adjudicator import Adjudicator
from tidesql.adjudicator.messages import CommitOutcome, CommitRequest, Decision, Vote
from tidesql.errors import invariant
from tidesql.journal.base import Journal, JournalConsumer
from tidesql.journal.record import CommitRecord
from tidesql.roundtrips import AZ, REGION, note_round_trip

ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class Location:
    region: str
    az: str

    def __str__(self) -> str:
        return f"{self.region}/{self.az}"


@dataclass(frozen=True)
class Layout:
    name: str
    #: AZs with a query processor and a replica of every shard, in round-robin order.
    processor_locations: tuple[Location, ...]
    #: Where adjudicator i sits (and its journal's leader): entry i modulo the length.
    adjudicator_locations: tuple[Location, ...]
    #: Every place that holds a copy of each journal.
    journal_copy_locations: tuple[Location, ...]

    @property
    def azs(self) -> tuple[str, ...]:
        return tuple(location.az for location in self.processor_locations)

    def location_of_az(self, az: str) -> Location:
        for location in self.processor_locations:
            if location.az == az:
                return location
        raise KeyError(az)

    def adjudicator_location(self, index: int) -> Location:
        return self.adjudicator_locations[index % len(self.adjudicator_locations)]


def one_region_layout(azs: Sequence[str] = ("az1", "az2", "az3")) -> Layout:
    locations = tuple(Location("r1", az) for az in azs)
    return Layout("one-region", locations, locations, locations)


def two_region_layout() -> Layout:
    first = tuple(Location("r1", f"r1-az{n}") for n in (1, 2, 3))
    second = tuple(Location("r2", f"r2-az{n}") for n in (1, 2, 3))
    witness = Location("r3", "r3-witness")
    # Round robin alternates regions, so half the sessions are in each.
    interleaved = tuple(location for pair in zip(first, second, strict=True) for location in pair)
    return Layout("two-region", interleaved, (first[0], second[0]), (*first, *second, witness))


LAYOUTS: dict[str, Callable[[], Layout]] = {
    "one-region": one_region_layout,
    "two-region": two_region_layout,
}


class Network:
    """One-way delays between locations, and the round trips counted on the way."""

    def __init__(
        self, layout: Layout, *, az_one_way_s: float = 0.0, region_one_way_s: float = 0.0
    ) -> None:
        invariant(az_one_way_s >= 0 and region_one_way_s >= 0, "delays are not negative")
        self.layout = layout
        self.az_one_way_s = az_one_way_s
        self.region_one_way_s = region_one_way_s

    @property
    def has_delays(self) -> bool:
        return self.az_one_way_s > 0 or self.region_one_way_s > 0

    def kind(self, source: Location, target: Location) -> str | None:
        if source == target:
            return None
        return AZ if source.region == target.region else REGION

    def one_way_s(self, source: Location, target: Location) -> float:
        kind = self.kind(source, target)
        if kind is None:
            return 0.0
        return self.az_one_way_s if kind == AZ else self.region_one_way_s

    async def round_trip(
        self, source: Location, target: Location, call: Callable[[], Awaitable[ResultT]]
    ) -> ResultT:
        """Await ``call()`` as a request from ``source`` answered by ``target``."""
        kind = self.kind(source, target)
        if kind is None:
            return await call()
        note_round_trip(kind)
        delay = self.one_way_s(source, target)
        if delay > 0:
            await asyncio.sleep(delay)
        result = await call()
        if delay > 0:
            await asyncio.sleep(delay)
        return result

    def quorum_stage(self, home: Location) -> tuple[str | None, float]:
        """The farthest hop a record written at ``home`` waits for, and its round trip.

        A record is durable once a majority of the home region's copies hold it and a
        majority of the regions do; the home copy counts for both.
        """
        copies = self.layout.journal_copy_locations
        in_region = sorted(
            self.one_way_s(home, c) for c in copies if c.region == home.region and c != home
        )
        regions = sorted({c.region for c in copies})
        other_regions = sorted(
            min(self.one_way_s(home, c) for c in copies if c.region == region)
            for region in regions
            if region != home.region
        )
        # A majority of n copies is n // 2 + 1, the home copy being one of them.
        region_copies_needed = (len(in_region) + 1) // 2
        regions_needed = len(regions) // 2
        kind: str | None = None
        delay = 0.0
        if region_copies_needed > 0 and in_region:
            kind, delay = AZ, in_region[region_copies_needed - 1]
        if regions_needed > 0 and other_regions:
            kind, delay = REGION, max(delay, other_regions[regions_needed - 1])
        return kind, 2 * delay

    def replica_feed_delay_s(self, location: Location) -> float:
        """How late a replica at ``location`` hears the journal of the farthest leader."""
        return max(self.one_way_s(home, location) for home in self.layout.adjudicator_locations)


class _Remote:
    """A component at ``target`` reached from ``source`` through the network."""

    def __init__(
        self, network: Network, source: Location, target: Location, adjudicator: Adjudicator
    ) -> None:
        self.network = network
        self.source = source
        self.target = target
        self.adjudicator = adjudicator


class RemoteCommitClient(_Remote):
    """A query processor's way to an adjudicator."""

    async def commit(self, request: CommitRequest) -> CommitOutcome:
        return await self.network.round_trip(
            self.source, self.target, lambda: self.adjudicator.commit(request)
        )


class RemotePeer(_Remote):
    """One adjudicator's way to another (prepare and decide)."""

    async def prepare(self, request: CommitRequest) -> Vote:
        return await self.network.round_trip(
            self.source, self.target, lambda: self.adjudicator.prepare(request)
        )

    async def decide(self, decision: Decision) -> None:
        await self.network.round_trip(
            self.source, self.target, lambda: self.adjudicator.decide(decision)
        )


class QuorumJournal:
    """A journal led at ``home`` whose records are durable once a quorum of copies is.

    The leader's own journal (memory or file) stands for every copy: what differs is
    the wait for the farthest copy of the quorum, done in parallel with the local write.
    """

    def __init__(self, inner: Journal, network: Network, home: Location) -> None:
        self.inner = inner
        self.name = inner.name
        self.kind, self.round_trip_s = network.quorum_stage(home)

    @property
    def last_timestamp(self) -> int:
        return self.inner.last_timestamp

    async def open(self) -> None:
        await self.inner.open()

    def append(self, record: CommitRecord) -> asyncio.Future[None]:
        durable = self.inner.append(record)
        if self.kind is None:
            return durable
        note_round_trip(self.kind)
        if self.round_trip_s <= 0:
            return durable  # counted; with no delay there is nothing more to wait for
        return asyncio.ensure_future(self._quorum(durable))

    async def _quorum(self, durable: asyncio.Future[None]) -> None:
        await asyncio.gather(durable, asyncio.sleep(self.round_trip_s))

    def heartbeat(self, timestamp: int) -> None:
        self.inner.heartbeat(timestamp)

    def subscribe(self, consumer: JournalConsumer) -> None:
        self.inner.subscribe(consumer)

    def records(self) -> Iterator[CommitRecord]:
        return self.inner.records()

    async def truncate_through(self, timestamp: int) -> int:
        return await self.inner.truncate_through(timestamp)

    async def close(self) -> None:
        await self.inner.close()
