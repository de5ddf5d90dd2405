"""Randomized histories against the embedded cluster, checked for strong snapshot isolation.

Hypothesis draws a set of concurrent transactions (random keys, reads, writes, scans,
isolation levels, AZs and interleavings); they run as asyncio tasks against a real
embedded cluster. Every value written is unique, so each read names the version it saw.
The history must satisfy:

1. every read returns the newest committed version at or below the reader's snapshot
   (or the reader's own write);
2. no two committed transactions with intersecting write sets overlap in
   [τ_start, τ_commit] (first committer wins);
3. a transaction that began after another's COMMIT returned has a later snapshot, so
   it sees that commit (strong snapshot isolation: no stale read from any replica);
4. under SERIALIZABLE, no committed transaction read a key or range that another
   transaction committed to inside its [τ_start, τ_commit].
"""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
from tidesql.errors import SerializationFailure
from tidesql.keys import decode_key, encode_key
from tidesql.txn import Isolation

TABLE_ID = 1000
KEY_NAMES = ["a", "b", "k", "q", "z"]
SPLIT = encode_key((TABLE_ID, 0, "m"))


def key(name: str) -> bytes:
    return encode_key((TABLE_ID, 0, name))


@dataclass
class Observed:
    isolation: Isolation
    start: int = 0
    began_at: int = 0  # position in the global event order
    returned_at: int | None = None
    commit_timestamp: int | None = None
    reads: list[tuple[bytes, bytes | None]] = field(default_factory=list)
    scans: list[tuple[bytes, bytes, list[tuple[bytes, bytes]]]] = field(default_factory=list)
    writes: dict[bytes, bytes | None] = field(default_factory=dict)
    committed: bool = False


operation = st.one_of(
    st.tuples(st.just("get"), st.sampled_from(KEY_NAMES)),
    st.tuples(st.just("put"), st.sampled_from(KEY_NAMES)),
    st.tuples(st.just("delete"), st.sampled_from(KEY_NAMES)),
    st.tuples(st.just("scan"), st.sampled_from(KEY_NAMES)),
    st.tuples(st.just("yield"), st.integers(0, 3).map(str)),
)
program = st.tuples(
    st.sampled_from([Isolation.REPEATABLE_READ, Isolation.SERIALIZABLE]),
    st.sampled_from(["az1", "az2", "az3"]),
    st.integers(0, 40),  # yields before starting
    st.lists(operation, min_size=1, max_size=6),
)


async def run_history(programs: list[tuple[Isolation, str, int, list[tuple[str, str]]]], seed: int):
    config = ClusterConfig(shard_split_keys=(SPLIT,), adjudicator_split_keys=(SPLIT,))
    clock_tick = itertools.count()
    value_ids = itertools.count()
    observed: list[Observed] = []
    rng = random.Random(seed)
    async with EmbeddedCluster(config) as cluster:
        # Every key starts with a committed value, so reads have versions to choose from.
        initial = Observed(Isolation.REPEATABLE_READ)
        setup = cluster.begin()
        initial.start = setup.start_timestamp
        for name in KEY_NAMES:
            initial.writes[key(name)] = f"initial-{name}".encode()
            setup.put(key(name), initial.writes[key(name)])
        initial.commit_timestamp = await setup.commit()
        initial.committed = True
        initial.began_at = next(clock_tick)
        initial.returned_at = next(clock_tick)
        observed.append(initial)

        async def one(isolation: Isolation, az: str, delay: int, ops: list[tuple[str, str]]):
            for _ in range(delay):
                await asyncio.sleep(0)
            record = Observed(isolation)
            observed.append(record)
            record.began_at = next(clock_tick)
            txn = cluster.begin(isolation, az)
            record.start = txn.start_timestamp
            for verb, arg in ops:
                if verb == "yield":
                    for _ in range(int(arg) + rng.randint(0, 1)):
                        await asyncio.sleep(0)
                elif verb == "get":
                    seen = await txn.get(key(arg))
                    if key(arg) in record.writes:
                        assert seen == record.writes[key(arg)], "a transaction must read its writes"
                    else:
                        record.reads.append((key(arg), seen))
                elif verb == "put":
                    value = f"v{next(value_ids)}".encode()
                    txn.put(key(arg), value)
                    record.writes[key(arg)] = value
                elif verb == "delete":
                    txn.delete(key(arg))
                    record.writes[key(arg)] = None
                else:
                    low, high = key(arg), key(arg + "~")
                    rows = await txn.scan(low, high)
                    own = {k: v for k, v in record.writes.items() if low <= k < high}
                    if own:
                        found = dict(rows)
                        for k, v in own.items():
                            assert found.get(k) == v, "a scan must show the transaction's writes"
                    else:
                        record.scans.append((low, high, rows))
            try:
                record.commit_timestamp = await txn.commit()
                record.committed = True
            except SerializationFailure:
                pass
            record.returned_at = next(clock_tick)

        await asyncio.gather(*(one(*p) for p in programs))
    return observed


def newest_at(versions: list[tuple[int, bytes | None]], timestamp: int) -> bytes | None:
    value = None
    for commit_timestamp, written in versions:
        if commit_timestamp <= timestamp:
            value = written
    return value


def check_history(history: list[Observed]) -> None:
    writers = [t for t in history if t.committed and t.writes]
    versions: dict[bytes, list[tuple[int, bytes | None]]] = {}
    for t in sorted(writers, key=lambda t: t.commit_timestamp or 0):
        for k, v in t.writes.items():
            versions.setdefault(k, []).append((t.commit_timestamp or 0, v))

    for t in history:
        # Reads of the transaction's own writes were checked as they happened.
        for k, seen in t.reads:
            expected = newest_at(versions.get(k, []), t.start)
            assert seen == expected, f"read of {decode_key(k)} saw {seen!r}, expected {expected!r}"
        for low, high, rows in t.scans:
            expected_rows = sorted(
                (k, newest_at(vs, t.start))
                for k, vs in versions.items()
                if low <= k < high and newest_at(vs, t.start) is not None
            )
            assert sorted(rows) == expected_rows

    for t1, t2 in itertools.combinations(writers, 2):
        if set(t1.writes) & set(t2.writes):
            a, b = sorted((t1, t2), key=lambda t: t.commit_timestamp or 0)
            assert (a.commit_timestamp or 0) < b.start, "overlapping writers both committed"

    for t1 in history:
        if not t1.committed or t1.returned_at is None:
            continue
        for t2 in history:
            if t2.began_at > t1.returned_at and t1.commit_timestamp is not None:
                assert t2.start > t1.commit_timestamp, "a later transaction could miss a commit"

    for t in writers:
        if t.isolation is not Isolation.SERIALIZABLE:
            continue
        for other in writers:
            if other is t:
                continue
            ts = other.commit_timestamp or 0
            if not (t.start < ts < (t.commit_timestamp or 0)):
                continue
            read_keys = {k for k, _ in t.reads}
            assert not (read_keys & set(other.writes)), "serializable read set was overwritten"
            for low, high, _ in t.scans:
                assert not any(low <= k < high for k in other.writes), "scanned range overwritten"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(programs=st.lists(program, min_size=2, max_size=8), seed=st.integers(0, 2**16))
def test_random_histories_are_strongly_snapshot_isolated(programs, seed) -> None:
    history = asyncio.run(asyncio.wait_for(run_history(programs, seed), 30))
    check_history(history)


def test_history_checker_catches_a_stale_read() -> None:
    """The checker itself must be able to fail: feed it a history with a stale read."""
    writer = Observed(
        Isolation.REPEATABLE_READ,
        start=10,
        began_at=0,
        returned_at=1,
        commit_timestamp=20,
        writes={key("a"): b"new"},
        committed=True,
    )
    stale = Observed(
        Isolation.REPEATABLE_READ,
        start=30,
        began_at=2,
        returned_at=3,
        reads=[(key("a"), None)],
        committed=True,
    )
    try:
        check_history([writer, stale])
    except AssertionError:
        return
    raise AssertionError("the checker accepted a stale read")
