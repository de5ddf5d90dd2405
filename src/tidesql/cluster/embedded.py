"""The embedded cluster: every component of the transaction core wired in one process.

Topology (the defaults)::

            az1                    az2                    az3
    ┌──────────────────┐  ┌──────────────────┐  ┌──────────────────┐
    │ query processor  │  │ query processor  │  │ query processor  │
    │ replica shard 0  │  │ replica shard 0  │  │ replica shard 0  │
    │ replica shard 1  │  │ replica shard 1  │  │ replica shard 1  │
    └──────────────────┘  └──────────────────┘  └──────────────────┘
        adjudicator-0 ─▶ journal-0 ─┐
        adjudicator-1 ─▶ journal-1 ─┴─▶ crossbar ─▶ every replica (its shard's writes)

A query processor reads only from the replicas of its own AZ and commits through the
adjudicators. Shards and adjudicators own static key ranges cut at configured split
keys; by default the cut is at the first user table, so the catalog and user data
belong to different shards and different adjudicators.

Where the parts sit — which AZ and region each query processor, replica, adjudicator
and journal copy is in — is a :class:`~tidesql.cluster.network.Layout`; delays between
AZs and regions can be injected, and every crossing is counted (``network.py``).

With a data directory the journals are files (group-committed fsync); replicas and
adjudicators are rebuilt from a checkpoint plus the journals at start, so killing the
process loses no acknowledged commit. Without one (``--ephemeral``) the journals are in
memory.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tidesql.adjudicator.adjudicator import Adjudicator
from tidesql.aio import cancel_and_wait
from tidesql.clock import NANOS_PER_SECOND, Clock, SystemClock
from tidesql.cluster.network import (
    Layout,
    Location,
    Network,
    QuorumJournal,
    RemoteCommitClient,
    RemotePeer,
    one_region_layout,
)
from tidesql.crossbar import Crossbar, DelayedFeed, ReplicaFeed
from tidesql.journal.base import Journal
from tidesql.journal.memory import MemoryJournal
from tidesql.keys import encode_key
from tidesql.ranges import RangeMap
from tidesql.roundtrips import note_round_trip
from tidesql.storage.checkpoint import decode_checkpoint, encode_checkpoint, write_checkpoint_file
from tidesql.storage.replica import SnapshotRow, StorageReplica
from tidesql.txn.transaction import (
    Isolation,
    KeyDescriber,
    QueryProcessor,
    Transaction,
    TransactionLimits,
)

log = logging.getLogger(__name__)

#: Table ids below this are the catalog's; user tables start here.
FIRST_USER_TABLE_ID = 1000
DEFAULT_SPLIT_KEYS: tuple[bytes, ...] = (encode_key((FIRST_USER_TABLE_ID,)),)
CHECKPOINT_FILE = "checkpoint.ckpt"
#: With injected delays replicas wait for the heartbeat stream instead of nudging other
#: AZs, so adjudicators heartbeat at least this often.
DELAYED_HEARTBEAT_INTERVAL_S = 0.001


@dataclass(frozen=True)
class ClusterConfig:
    azs: tuple[str, ...] = ("az1", "az2", "az3")
    shard_split_keys: tuple[bytes, ...] = DEFAULT_SPLIT_KEYS
    adjudicator_split_keys: tuple[bytes, ...] = DEFAULT_SPLIT_KEYS
    data_dir: Path | None = None
    fsync: bool = True
    clock_error_ns: int = 0
    max_transaction_age_s: float = 300.0
    read_wait_s_max: float = 10.0
    heartbeat_interval_s: float = 0.05
    gc_interval_s: float = 1.0
    #: Write a checkpoint and truncate journals this often (0: only at clean stop).
    checkpoint_interval_s: float = 300.0
    segment_bytes_max: int = 64 * 1024 * 1024
    #: Delay each replica's feed on purpose (seconds), to show replication lag.
    replication_delay_s: float = 0.0
    #: Where the parts sit; ``None``: one region over ``azs``.
    layout: Layout | None = None
    #: Injected one-way delays between AZs of a region and between regions (seconds).
    az_one_way_s: float = 0.0
    region_one_way_s: float = 0.0
    limits: TransactionLimits = field(default_factory=TransactionLimits)


class EmbeddedCluster:
    def __init__(
        self,
        config: ClusterConfig | None = None,
        *,
        clock_for: Callable[[str], Clock] | None = None,
    ) -> None:
        self.config = config or ClusterConfig()
        config = self.config
        shared_clock = SystemClock(config.clock_error_ns)
        self._clock_for = clock_for or (lambda _name: shared_clock)
        self.clock = self._clock_for("cluster")
        self.layout = config.layout or one_region_layout(config.azs)
        self.azs = self.layout.azs
        self.network = Network(
            self.layout,
            az_one_way_s=config.az_one_way_s,
            region_one_way_s=config.region_one_way_s,
        )
        self.shard_map = RangeMap(config.shard_split_keys)
        self.adjudicator_map = RangeMap(config.adjudicator_split_keys)
        self.journals: list[Journal] = []
        self.adjudicators: list[Adjudicator] = []
        self.replicas: dict[tuple[str, int], StorageReplica] = {}
        self.processors: dict[str, QueryProcessor] = {}
        self.crossbar: Crossbar | None = None
        self.checkpoint_timestamp = 0
        self._background: list[asyncio.Task[None]] = []
        self._started = False
        self._next_az = 0

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        config = self.config
        max_age_ns = int(config.max_transaction_age_s * NANOS_PER_SECOND)
        layout, network = self.layout, self.network
        heartbeat_interval_s = config.heartbeat_interval_s
        if network.has_delays:
            heartbeat_interval_s = min(heartbeat_interval_s, DELAYED_HEARTBEAT_INTERVAL_S)
        for index in range(self.adjudicator_map.owner_count):
            replicated: Journal = QuorumJournal(
                self._make_journal(f"journal-{index}"),
                network,
                layout.adjudicator_location(index),
            )
            await replicated.open()
            self.journals.append(replicated)
        checkpoint_rows: list[SnapshotRow] = []
        if config.data_dir is not None:
            path = config.data_dir / CHECKPOINT_FILE
            if path.exists():
                data = await asyncio.to_thread(path.read_bytes)
                self.checkpoint_timestamp, checkpoint_rows = decode_checkpoint(data, str(path))
        for index, journal in enumerate(self.journals):
            adjudicator = Adjudicator(
                index,
                self.adjudicator_map,
                self._clock_for(f"adjudicator-{index}"),
                journal,
                max_transaction_age_ns=max_age_ns,
                heartbeat_interval_s=heartbeat_interval_s,
                heartbeat_lead_ns_max=1_000_000 + 2 * config.clock_error_ns,
            )
            adjudicator.rebuild(self.journals, self.checkpoint_timestamp)
            self.adjudicators.append(adjudicator)
        for adjudicator in self.adjudicators:
            home = layout.adjudicator_location(adjudicator.index)
            adjudicator.peers = {
                peer.index: RemotePeer(network, home, layout.adjudicator_location(peer.index), peer)
                for peer in self.adjudicators
                if peer is not adjudicator
            }
        crossbar = Crossbar(
            [j.name for j in self.journals],
            self.shard_map,
            start_timestamp=self.checkpoint_timestamp,
        )
        self.crossbar = crossbar
        for location in layout.processor_locations:
            az = location.az
            feed_delay_s = config.replication_delay_s + network.replica_feed_delay_s(location)
            for shard in range(self.shard_map.owner_count):
                replica = StorageReplica(
                    f"{az}/shard-{shard}",
                    self.shard_map.range_of(shard),
                    read_wait_s_max=config.read_wait_s_max,
                    nudge=self._nudger(location),
                )
                key_range = replica.key_range
                replica.restore(
                    (row for row in checkpoint_rows if key_range.contains(row.key)),
                    self.checkpoint_timestamp,
                )
                self.replicas[(az, shard)] = replica
                feed: ReplicaFeed = replica
                if feed_delay_s > 0:
                    feed = DelayedFeed(replica, feed_delay_s)
                crossbar.add_feed(shard, feed)
        for journal in self.journals:
            journal.subscribe(crossbar)
        for location in layout.processor_locations:
            az = location.az
            self.processors[az] = QueryProcessor(
                az,
                self._clock_for(f"processor-{az}"),
                self.shard_map,
                [self.replicas[(az, shard)] for shard in range(self.shard_map.owner_count)],
                self.adjudicator_map,
                [
                    RemoteCommitClient(network, location, layout.adjudicator_location(a.index), a)
                    for a in self.adjudicators
                ],
                limits=config.limits,
            )
        for adjudicator in self.adjudicators:
            adjudicator.start_background()
        self._background.append(asyncio.create_task(self._upkeep_loop()))
        self._started = True

    def _make_journal(self, name: str) -> Journal:
        config = self.config
        if config.data_dir is None:
            return MemoryJournal(name)
        from tidesql.journal.file import FileJournal

        return FileJournal(
            name,
            config.data_dir / "journals" / name,
            segment_bytes_max=config.segment_bytes_max,
            fsync=config.fsync,
        )

    async def stop(self, *, checkpoint: bool = True) -> None:
        if not self._started:
            return
        self._started = False
        await cancel_and_wait(self._background)
        for adjudicator in self.adjudicators:
            await adjudicator.stop()
        if checkpoint and self.config.data_dir is not None:
            await self.checkpoint()
        for journal in self.journals:
            await journal.close()

    async def __aenter__(self) -> EmbeddedCluster:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------ use
    def processor(self, az: str | None = None) -> QueryProcessor:
        """The query processor of ``az``, or the next AZ in round-robin order."""
        if az is None:
            az = self.azs[self._next_az % len(self.azs)]
            self._next_az += 1
        return self.processors[az]

    def begin(
        self,
        isolation: Isolation = Isolation.REPEATABLE_READ,
        az: str | None = None,
        *,
        eventual: bool = False,
    ) -> Transaction:
        return self.processor(az).begin(isolation, eventual=eventual)

    def set_describer(self, describer: KeyDescriber) -> None:
        for processor in self.processors.values():
            processor.describer = describer

    def _nudger(self, location: Location) -> Callable[[int], None]:
        """How a replica at ``location`` asks adjudicators for a heartbeat up to τ.

        With injected delays only the adjudicators of its own AZ are asked (the rest
        are heard through their heartbeat stream); without, every adjudicator is, and
        asking one in another AZ counts as a round trip of the read waiting for it.
        """
        layout, network = self.layout, self.network
        targets = [
            (adjudicator, network.kind(location, layout.adjudicator_location(adjudicator.index)))
            for adjudicator in self.adjudicators
        ]
        if network.has_delays:
            targets = [(adjudicator, kind) for adjudicator, kind in targets if kind is None]

        def nudge(timestamp: int) -> None:
            for adjudicator, kind in targets:
                if kind is not None:
                    note_round_trip(kind)
                adjudicator.heartbeat_up_to(timestamp)

        return nudge

    # ------------------------------------------------------------ upkeep
    async def _upkeep_loop(self) -> None:
        config = self.config
        loop = asyncio.get_running_loop()
        next_checkpoint = loop.time() + config.checkpoint_interval_s
        max_age_ns = int(config.max_transaction_age_s * NANOS_PER_SECOND)
        while True:
            await asyncio.sleep(config.gc_interval_s)
            low_water_mark = self.clock.now().earliest - max_age_ns
            for replica in self.replicas.values():
                replica.collect_garbage(low_water_mark)
            if (
                config.data_dir is not None
                and config.checkpoint_interval_s > 0
                and loop.time() >= next_checkpoint
            ):
                next_checkpoint = loop.time() + config.checkpoint_interval_s
                try:
                    await self.checkpoint()
                except OSError as error:
                    log.error("checkpoint failed: %s", error)

    async def checkpoint(self) -> int:
        """Write every shard's live data at the current high water mark; truncate journals.

        Returns the checkpoint's τ. One replica per shard (the first AZ's) is read; all
        replicas of a shard hold the same data at any τ they have reached.
        """
        if self.config.data_dir is None or self.crossbar is None:
            return 0
        first_az = self.azs[0]
        shard_replicas = [
            self.replicas[(first_az, shard)] for shard in range(self.shard_map.owner_count)
        ]
        timestamp = min(replica.high_water_mark for replica in shard_replicas)
        if timestamp <= self.checkpoint_timestamp:
            return self.checkpoint_timestamp
        rows = [row for replica in shard_replicas for row in replica.snapshot(timestamp)]
        data = encode_checkpoint(timestamp, rows)
        path = self.config.data_dir / CHECKPOINT_FILE
        await asyncio.to_thread(write_checkpoint_file, path, data)
        self.checkpoint_timestamp = timestamp
        for journal in self.journals:
            await journal.truncate_through(timestamp)
        return timestamp
