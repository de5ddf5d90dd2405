"""Layouts, injected delays and round-trip counting of the embedded cluster (in process)."""

from __future__ import annotations

import pytest

from tidesql import roundtrips
from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
from tidesql.cluster.network import Network, one_region_layout, two_region_layout
from tidesql.keys import encode_key
from tidesql.roundtrips import AZ, REGION, RoundTripTally


def user_key(n: int) -> bytes:
    return encode_key((2000, 0, n))  # a user table: the second adjudicator's range


def catalog_key(n: int) -> bytes:
    return encode_key((7, n))  # below the first user table: the first adjudicator's range


def test_quorum_stage_waits_for_the_nearest_copy_that_completes_a_majority() -> None:
    one = Network(one_region_layout(), az_one_way_s=0.001, region_one_way_s=0.02)
    home = one.layout.adjudicator_location(0)
    assert one.quorum_stage(home) == (AZ, 0.002)
    two = Network(two_region_layout(), az_one_way_s=0.001, region_one_way_s=0.02)
    assert two.quorum_stage(two.layout.adjudicator_location(1)) == (REGION, 0.04)
    single_az = Network(one_region_layout(("only",)), az_one_way_s=0.001)
    assert single_az.quorum_stage(single_az.layout.adjudicator_location(0)) == (None, 0.0)


def test_two_region_layout_alternates_regions_and_has_a_witness() -> None:
    layout = two_region_layout()
    regions = [location.region for location in layout.processor_locations]
    assert regions == ["r1", "r2"] * 3
    assert {c.region for c in layout.journal_copy_locations} == {"r1", "r2", "r3"}
    assert [a.region for a in layout.adjudicator_locations] == ["r1", "r2"]


async def _commit_counting(cluster: EmbeddedCluster, az: str, keys: list[bytes]) -> RoundTripTally:
    tally = RoundTripTally(phase=roundtrips.COMMIT)
    token = roundtrips.current_tally.set(tally)
    try:
        transaction = cluster.begin(az=az)
        for key in keys:
            transaction.put(key, b"v")
        await transaction.commit()
    finally:
        roundtrips.current_tally.reset(token)
    return tally


@pytest.mark.parametrize(
    ("az", "expected_az_round_trips"),
    [("az2", 1), ("az1", 2), ("az3", 2)],  # adjudicator 1 sits in az2; the journal needs one more
)
async def test_commit_crosses_to_the_adjudicator_and_to_one_journal_copy(
    az: str, expected_az_round_trips: int
) -> None:
    config = ClusterConfig(az_one_way_s=0.0005)
    async with EmbeddedCluster(config) as cluster:
        tally = await _commit_counting(cluster, az, [user_key(1)])
        counted = tally.counts[roundtrips.COMMIT]
        assert (counted.az_round_trips, counted.region_round_trips) == (expected_az_round_trips, 0)


async def test_commit_through_two_adjudicators_adds_prepare_and_decide() -> None:
    async with EmbeddedCluster(ClusterConfig(az_one_way_s=0.0005)) as cluster:
        # Coordinator: adjudicator 0 (az1, the first key's owner) — local to az1; then a
        # prepare and a decide to adjudicator 1 in az2, and the journal's quorum.
        tally = await _commit_counting(cluster, "az1", [catalog_key(1), user_key(1)])
        assert tally.counts[roundtrips.COMMIT].az_round_trips == 3


async def _write_then_read_counting(cluster: EmbeddedCluster, azs: list[str]) -> RoundTripTally:
    """Commit a row from az1, then read it from each of ``azs``; count the reads' trips."""
    writer = cluster.begin(az="az1")
    writer.put(user_key(5), b"five")
    await writer.commit()
    tally = RoundTripTally(phase=roundtrips.READ)
    token = roundtrips.current_tally.set(tally)
    try:
        for az in azs:
            reader = cluster.begin(az=az)
            assert await reader.get(user_key(5)) == b"five"  # strong: sees the commit
    finally:
        roundtrips.current_tally.reset(token)
    return tally


async def test_reads_wait_for_the_stream_and_do_not_cross_when_delays_are_injected() -> None:
    async with EmbeddedCluster(ClusterConfig(az_one_way_s=0.002)) as cluster:
        tally = await _write_then_read_counting(cluster, list(cluster.azs))
        counted = tally.counts[roundtrips.READ]
        assert (counted.az_round_trips, counted.region_round_trips) == (0, 0)


async def test_without_delays_a_read_that_nudges_another_az_counts_it() -> None:
    async with EmbeddedCluster(ClusterConfig(heartbeat_interval_s=60.0)) as cluster:
        # No adjudicator sits in az3: every nudge from there crosses.
        tally = await _write_then_read_counting(cluster, ["az3"])
        assert tally.counts[roundtrips.READ].az_round_trips >= 1
