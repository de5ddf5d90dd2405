"""Component tests of the transaction core: clocks, crossbar, replicas, adjudicators, limits."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import typing
from pathlib import Path

import pytest

from tidesql.adjudicator import messages
from tidesql.adjudicator.adjudicator import Adjudicator
from tidesql.clock import SimulatedClock, SystemClock
from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
from tidesql.crossbar import Crossbar
from tidesql.errors import ProgramLimitExceeded, ReadTimeout, TideError
from tidesql.journal import record
from tidesql.journal.memory import MemoryJournal
from tidesql.journal.record import CommitRecord, Heartbeat, Write
from tidesql.keys import encode_key
from tidesql.ranges import KeyRange, RangeMap
from tidesql.storage import replica as replica_module
from tidesql.storage.replica import ReplicaBatch, StorageReplica
from tidesql.txn import Isolation, TransactionLimits

SECOND = 1_000_000_000


def key(n: object) -> bytes:
    return encode_key((1000, 0, n))


# ---------------------------------------------------------------- clocks
def test_system_clock_interval_contains_its_reading_and_is_monotonic() -> None:
    clock = SystemClock(error_bound_ns=5_000)
    readings = [clock.now() for _ in range(1000)]
    for interval in readings:
        assert interval.latest - interval.earliest == 10_000
    assert all(a.earliest <= b.earliest for a, b in itertools.pairwise(readings))


def test_simulated_clock_skew_drift_and_error() -> None:
    clock = SimulatedClock(manual=True, start_ns=1_000 * SECOND, skew_ns=50, error_ns=100)
    assert clock.now().earliest == 1_000 * SECOND + 50 - 100
    assert clock.honest
    clock.error_ns = 10  # the skew now falls outside the error bound
    assert not clock.honest
    drifting = SimulatedClock(manual=True, start_ns=0, drift_ppm=100.0)
    drifting.advance(SECOND)
    assert drifting.reading() == SECOND + 100_000


async def test_manual_clock_commit_wait_waits_for_time_to_pass() -> None:
    clock = SimulatedClock(manual=True, start_ns=10 * SECOND, error_ns=1_000)
    waiter = asyncio.create_task(clock.wait_until_past(10 * SECOND + 500))
    await asyncio.sleep(0.01)
    assert not waiter.done()
    clock.advance(1_000)  # earliest = 10 s + 1000 − 1000: still not past
    await asyncio.sleep(0.01)
    assert not waiter.done()
    clock.advance(1_000)
    await asyncio.wait_for(waiter, 1)


async def test_strong_reads_hold_with_skewed_honest_clocks() -> None:
    """Each component has its own clock, skewed within its error bound."""
    skews = {"processor-az1": 400_000, "processor-az2": -400_000, "processor-az3": 0}

    def clock_for(name: str) -> SimulatedClock:
        return SimulatedClock(skew_ns=skews.get(name, 150_000), error_ns=500_000)

    async with EmbeddedCluster(ClusterConfig(clock_error_ns=500_000), clock_for=clock_for) as c:
        for n in range(30):
            writer = c.begin(az=("az1", "az2", "az3")[n % 3])
            writer.put(key(n), b"v")
            await writer.commit()
            for az in ("az1", "az2", "az3"):
                reader = c.begin(az=az)
                assert await reader.get(key(n)) == b"v", f"commit {n} invisible from {az}"


# ---------------------------------------------------------------- crossbar
class Recorder:
    def __init__(self) -> None:
        self.batches: list[ReplicaBatch] = []

    def apply(self, batch: ReplicaBatch) -> None:
        self.batches.append(batch)

    def advance(self, high_water_mark: int) -> None:
        self.batches.append(ReplicaBatch((), high_water_mark))


def test_crossbar_high_water_mark_is_the_minimum_over_journals() -> None:
    crossbar = Crossbar(["a", "b", "c"], RangeMap(()))
    feed = Recorder()
    crossbar.add_feed(0, feed)
    crossbar.journal_entries("a", [CommitRecord(80, 1, (Write(key(1), b"x"),))])
    crossbar.journal_entries("b", [Heartbeat(90)])
    assert crossbar.high_water_mark == 0  # journal c has said nothing yet
    crossbar.journal_entries("c", [CommitRecord(85, 2, (Write(key(2), b"y"),)), Heartbeat(95)])
    assert crossbar.high_water_mark == 80
    assert [ts for batch in feed.batches for ts, _ in batch.records] == [80]
    crossbar.journal_entries("a", [Heartbeat(100)])
    assert crossbar.high_water_mark == 90
    assert [ts for batch in feed.batches for ts, _ in batch.records] == [80, 85]


def test_crossbar_routes_writes_to_their_shard_in_tau_order() -> None:
    split = key(50)
    crossbar = Crossbar(["a", "b"], RangeMap((split,)))
    low, high = Recorder(), Recorder()
    crossbar.add_feed(0, low)
    crossbar.add_feed(1, high)
    crossbar.journal_entries("b", [CommitRecord(20, 2, (Write(key(60), b"2"),))])
    crossbar.journal_entries(
        "a", [CommitRecord(10, 1, (Write(key(1), b"1"), Write(key(70), b"1"))), Heartbeat(30)]
    )
    crossbar.journal_entries("b", [Heartbeat(30)])
    high_records = [(ts, [w.key for w in ws]) for b in high.batches for ts, ws in b.records]
    assert high_records == [(10, [key(70)]), (20, [key(60)])]
    assert [ts for b in low.batches for ts, _ in b.records] == [10]


# ---------------------------------------------------------------- replicas
async def test_replica_read_waits_for_the_high_water_mark() -> None:
    replica = StorageReplica("r", KeyRange(b"", None), read_wait_s_max=5)
    reader = asyncio.create_task(replica.get(key(1), 100))
    await asyncio.sleep(0.01)
    assert not reader.done()
    replica.apply(ReplicaBatch(((90, (Write(key(1), b"old"),)),), 99))
    await asyncio.sleep(0.01)
    assert not reader.done(), "answered before hearing everything up to τ 100"
    replica.apply(ReplicaBatch(((100, (Write(key(1), b"new"),)),), 100))
    assert await asyncio.wait_for(reader, 1) == b"new"


async def test_replica_that_cannot_catch_up_fails_with_57014(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(replica_module, "NUDGE_INTERVAL_S", 0.001)
    replica = StorageReplica("r", KeyRange(b"", None), read_wait_s_max=0.2)
    with pytest.raises(ReadTimeout) as caught:
        await replica.get(key(1), 100)
    assert caught.value.sqlstate == "57014"
    assert "did not catch up" in caught.value.message


def test_garbage_collection_keeps_the_newest_version_below_the_line() -> None:
    replica = StorageReplica("r", KeyRange(b"", None))
    replica.apply(
        ReplicaBatch(
            (
                (10, (Write(key(1), b"a"), Write(key(2), b"x"))),
                (20, (Write(key(1), b"b"), Write(key(2), None))),
                (30, (Write(key(1), b"c"),)),
            ),
            40,
        )
    )
    assert replica.version_count == 5
    dropped = replica.collect_garbage(25)
    assert dropped == 3  # key 1 @10, key 2 @10, key 2's tombstone @20
    assert replica.get_now(key(1), 25) == b"b"
    assert replica.get_now(key(1), 35) == b"c"
    assert replica.key_count == 1
    assert replica.min_readable_timestamp == 25


async def test_read_below_the_low_water_mark_is_snapshot_too_old() -> None:
    replica = StorageReplica("r", KeyRange(b"", None))
    replica.apply(ReplicaBatch(((10, (Write(key(1), b"a"),)), (20, (Write(key(1), b"b"),))), 30))
    replica.collect_garbage(25)
    with pytest.raises(TideError) as caught:
        await replica.get(key(1), 15)
    assert caught.value.sqlstate == "72000"


# ---------------------------------------------------------------- limits
async def test_row_limit_is_exact_and_statement_undo_restores() -> None:
    async with EmbeddedCluster() as cluster:
        txn = cluster.begin()
        txn.begin_statement()
        for n in range(3000):
            txn.put(key(n), b"v")
        txn.end_statement()
        txn.begin_statement()
        with pytest.raises(ProgramLimitExceeded) as caught:
            txn.put(key(3000), b"v")
        assert caught.value.sqlstate == "54000"
        txn.put(key(5), b"rewritten")  # rewriting a row already counted is allowed
        txn.undo_statement()
        assert await txn.get(key(5)) == b"v"
        await txn.commit()
        check = cluster.begin()
        assert len(await check.scan(key(0), key(10**9))) == 3000


async def test_change_size_limit() -> None:
    limits = TransactionLimits(change_bytes_max=10 * 1024 * 1024)
    async with EmbeddedCluster(ClusterConfig(limits=limits)) as cluster:
        txn = cluster.begin()
        big = b"x" * (1024 * 1024)
        for n in range(9):
            txn.put(key(n), big)
        with pytest.raises(ProgramLimitExceeded, match="size limit"):
            txn.put(key(99), big * 2)


async def test_age_limit() -> None:
    clock = SimulatedClock(manual=True)
    async with EmbeddedCluster(clock_for=lambda _name: clock) as cluster:
        txn = cluster.begin()
        txn.put(key(1), b"v")
        clock.advance(301 * SECOND)
        with pytest.raises(ProgramLimitExceeded, match="age limit of 300s"):
            await txn.commit()


# ---------------------------------------------------------------- adjudicators
async def test_adjudicator_rebuilds_conflict_state_from_the_journal() -> None:
    clock = SystemClock()
    journal = MemoryJournal("j")
    first = Adjudicator(0, RangeMap(()), clock, journal)
    first.rebuild([journal])
    start = clock.now().latest
    outcome = await first.commit(messages.CommitRequest(1, start, (Write(key(1), b"a"),)))
    assert outcome.committed
    # A new adjudicator on the same journal refuses a writer that started before it.
    second = Adjudicator(0, RangeMap(()), clock, journal)
    second.rebuild([journal])
    refused = await second.commit(messages.CommitRequest(2, start, (Write(key(1), b"b"),)))
    assert not refused.committed and refused.conflict_key == key(1)
    later = clock.now().latest
    accepted = await second.commit(messages.CommitRequest(3, later, (Write(key(1), b"c"),)))
    assert accepted.committed and accepted.commit_timestamp > outcome.commit_timestamp


async def test_concurrent_multi_adjudicator_transfers_stay_atomic() -> None:
    """Money moves between keys on two adjudicators; the total never changes."""
    split = key(50)
    config = ClusterConfig(shard_split_keys=(split,), adjudicator_split_keys=(split,))
    async with EmbeddedCluster(config) as cluster:
        setup = cluster.begin()
        for n in (1, 2, 98, 99):
            setup.put(key(n), b"100")
        await setup.commit()

        async def transfer(source: int, target: int, rounds: int) -> int:
            done = 0
            for _ in range(rounds):
                txn = cluster.begin()
                a = int(await txn.get(key(source)) or b"0")
                b = int(await txn.get(key(target)) or b"0")
                txn.put(key(source), str(a - 1).encode())
                txn.put(key(target), str(b + 1).encode())
                try:
                    await txn.commit()
                    done += 1
                except TideError as error:
                    assert error.sqlstate == "40001"
            return done

        results = await asyncio.gather(
            transfer(1, 99, 40), transfer(99, 2, 40), transfer(2, 98, 40), transfer(98, 1, 40)
        )
        assert sum(results) > 0
        for az in ("az1", "az2", "az3"):
            check = cluster.begin(az=az)
            total = sum([int(await check.get(key(n)) or b"0") for n in (1, 2, 98, 99)])
            assert total == 400


async def test_serializable_and_read_committed_levels_are_distinct() -> None:
    async with EmbeddedCluster() as cluster:
        assert cluster.begin(Isolation.SERIALIZABLE).state.isolation is Isolation.SERIALIZABLE


async def test_restart_from_data_directory(tmp_path: Path) -> None:
    async with EmbeddedCluster(ClusterConfig(data_dir=tmp_path)) as cluster:
        for n in range(20):
            txn = cluster.begin()
            txn.put(key(n), str(n).encode())
            await txn.commit()
    async with EmbeddedCluster(ClusterConfig(data_dir=tmp_path)) as cluster:
        txn = cluster.begin(az="az3")
        rows = await txn.scan(key(0), key(10**6))
        assert [v for _, v in rows] == [str(n).encode() for n in range(20)]
        writer = cluster.begin()
        writer.put(key(0), b"again")
        assert await writer.commit()


# ---------------------------------------------------------------- boundaries
PLAIN = (int, bytes, str, bool)


def _is_plain(annotation: object) -> bool:
    if annotation in PLAIN or annotation is type(None):
        return True
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (tuple, typing.Union) or str(origin) == "<class 'types.UnionType'>":
        return all(_is_plain(arg) or arg is Ellipsis for arg in args)
    if dataclasses.is_dataclass(annotation):
        return _message_is_plain(annotation)  # type: ignore[arg-type]
    return False


def _message_is_plain(cls: type) -> bool:
    params = getattr(cls, "__dataclass_params__", None)
    assert params is not None and params.frozen, f"{cls.__name__} must be a frozen dataclass"
    hints = typing.get_type_hints(cls)
    return all(_is_plain(hint) for hint in hints.values())


@pytest.mark.parametrize(
    "message",
    [
        messages.CommitRequest,
        messages.CommitOutcome,
        messages.Vote,
        messages.Decision,
        record.CommitRecord,
        record.Heartbeat,
        record.Write,
        ReplicaBatch,
        replica_module.ScanReply,
        replica_module.SnapshotRow,
    ],
)
def test_component_messages_are_plain_immutable_values(message: type) -> None:
    assert _message_is_plain(message), f"{message.__name__} carries a non-plain field"
