"""The file journal: durability, group commit, crash recovery, segments, delivery order.

Everything runs against real files under pytest's ``tmp_path``; the only thing faked is
a failing ``write``/``fsync`` in the test of disk errors.
"""

from __future__ import annotations

import asyncio
import errno
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidesql import sqlstates
from tidesql.errors import InvariantViolation, TideError
from tidesql.journal.file import FileJournal, encode_frame, segment_file_name
from tidesql.journal.record import CommitRecord, Heartbeat, JournalEntry, Write


def make_record(timestamp: int, value_bytes: int = 8) -> CommitRecord:
    writes = (
        Write(b"key-%d" % timestamp, b"v" * value_bytes),
        Write(b"gone-%d" % timestamp, None),
    )
    return CommitRecord(timestamp, 1000 + timestamp, writes)


class Recorder:
    """A consumer that keeps every call, so tests can check order and batching."""

    def __init__(self) -> None:
        self.calls: list[tuple[JournalEntry, ...]] = []

    def journal_entries(self, journal_name: str, entries: Sequence[JournalEntry]) -> None:
        self.calls.append(tuple(entries))

    @property
    def entries(self) -> list[JournalEntry]:
        return [entry for call in self.calls for entry in call]


@asynccontextmanager
async def opened(directory: Path, **options: Any) -> AsyncIterator[FileJournal]:
    journal = FileJournal("j1", directory, **options)
    await journal.open()
    try:
        yield journal
    finally:
        await journal.close()


async def wait_for_batches(journal: FileJournal, batch_count: int) -> None:
    """Yield to the loop until the writer has taken ``batch_count`` batches (bounded)."""
    for _ in range(10_000):
        if journal.batch_count >= batch_count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"the writer never took batch {batch_count}")


def segment_paths(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.seg"))


# ---------------------------------------------------------------------- basics


async def test_append_then_reopen_returns_the_same_records(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    records = [make_record(timestamp) for timestamp in (5, 17, 18, 1_000_000_000_000)]
    async with opened(directory) as journal:
        await asyncio.gather(*(journal.append(record) for record in records))
        assert journal.last_timestamp == 1_000_000_000_000
        assert list(journal.records()) == records

    assert [path.name for path in segment_paths(directory)] == ["00000000000000000000.seg"]
    async with opened(directory) as journal:
        assert journal.recovered_torn_bytes == 0
        assert journal.last_timestamp == 1_000_000_000_000
        assert list(journal.records()) == records
        await journal.append(make_record(1_000_000_000_001))
    async with opened(directory) as journal:
        assert [record.timestamp for record in journal.records()][-2:] == [
            1_000_000_000_000,
            1_000_000_000_001,
        ]


async def test_timestamps_must_strictly_increase(tmp_path: Path) -> None:
    async with opened(tmp_path / "journal") as journal:
        await journal.append(make_record(10))
        for stale in (10, 5):
            with pytest.raises(InvariantViolation):
                journal.append(make_record(stale))
        journal.heartbeat(20)
        with pytest.raises(InvariantViolation):
            journal.append(make_record(20))
        with pytest.raises(InvariantViolation):
            journal.heartbeat(19)
        assert journal.last_timestamp == 20
        await journal.append(make_record(21))
        assert [record.timestamp for record in journal.records()] == [10, 21]


async def test_a_record_over_the_size_limit_is_rejected_without_taking_its_place(
    tmp_path: Path,
) -> None:
    async with opened(tmp_path / "journal", record_bytes_max=100) as journal:
        with pytest.raises(TideError) as raised:
            journal.append(make_record(10, value_bytes=200))
        assert raised.value.sqlstate == sqlstates.PROGRAM_LIMIT_EXCEEDED
        assert journal.last_timestamp == 0
        await journal.append(make_record(10))
        assert list(journal.records()) == [make_record(10)]


async def test_close_waits_for_pending_appends_and_later_appends_fail(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    journal = FileJournal("j1", directory)
    await journal.open()
    futures = [journal.append(make_record(timestamp)) for timestamp in range(1, 51)]
    await journal.close()
    assert all(future.done() and future.result() is None for future in futures)
    with pytest.raises(TideError) as raised:
        journal.append(make_record(51))
    assert raised.value.sqlstate == sqlstates.OBJECT_NOT_IN_PREREQUISITE_STATE
    async with opened(directory) as reopened:
        assert len(list(reopened.records())) == 50


async def test_a_directory_holds_one_open_journal_at_a_time(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    async with opened(directory):
        second = FileJournal("j1-again", directory)
        with pytest.raises(TideError) as raised:
            await second.open()
        assert raised.value.sqlstate == sqlstates.OBJECT_IN_USE
    async with opened(directory):
        pass


# ---------------------------------------------------------------------- group commit


async def test_appends_queued_together_share_one_fsync(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    records = [make_record(timestamp) for timestamp in range(1, 201)]
    async with opened(directory) as journal:
        await asyncio.gather(*(journal.append(record) for record in records))
        assert journal.written_record_count == 200
        assert journal.batch_count == 1
        assert journal.fsync_count == 1
    async with opened(directory) as journal:
        assert list(journal.records()) == records


async def test_appends_arriving_during_an_fsync_form_the_next_batch(tmp_path: Path) -> None:
    async with opened(tmp_path / "journal") as journal:
        first = journal.append(make_record(1))
        await wait_for_batches(journal, 1)
        # The writer is now writing and syncing record 1 in its thread.
        assert not first.done()
        rest = [journal.append(make_record(timestamp)) for timestamp in range(2, 101)]
        await asyncio.gather(first, *rest)
        assert journal.batch_count == 2
        assert journal.fsync_count == 2
        assert [record.timestamp for record in journal.records()] == list(range(1, 101))


async def test_concurrent_committers_share_fsyncs_and_keep_order(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    next_timestamp = 0
    appended: list[CommitRecord] = []

    async def committer() -> None:
        nonlocal next_timestamp
        for _ in range(10):
            # Assigning τ and appending with no await between keeps journal order = τ order.
            next_timestamp += 1
            record = make_record(next_timestamp)
            appended.append(record)
            await journal.append(record)

    async with opened(directory) as journal:
        recorder = Recorder()
        journal.subscribe(recorder)
        await asyncio.gather(*(committer() for _ in range(20)))
        assert journal.written_record_count == 200
        assert journal.fsync_count < 200 // 4
        assert journal.batch_count == journal.fsync_count
        assert recorder.entries == appended
    async with opened(directory) as journal:
        assert list(journal.records()) == appended
        assert [record.timestamp for record in appended] == list(range(1, 201))


async def test_fsync_false_skips_only_the_fsyncs(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    async with opened(directory, fsync=False) as journal:
        await asyncio.gather(*(journal.append(make_record(t)) for t in range(1, 11)))
        assert journal.fsync_count == 0
        assert journal.directory_fsync_count == 0
        assert journal.batch_count == 1
    async with opened(directory, fsync=False) as journal:
        assert len(list(journal.records())) == 10


# ---------------------------------------------------------------------- recovery


def _append_garbage(path: Path, records: list[CommitRecord]) -> int:
    with path.open("ab") as file:
        file.write(b"\x07" * 13)
    return 13


def _append_half_a_frame(path: Path, records: list[CommitRecord]) -> int:
    frame = encode_frame(make_record(records[-1].timestamp + 1, value_bytes=100))
    with path.open("ab") as file:
        file.write(frame[: len(frame) // 2])
    return len(frame) // 2


def _flip_the_last_frames_crc(path: Path, records: list[CommitRecord]) -> int:
    data = bytearray(path.read_bytes())
    last_frame_bytes = len(encode_frame(records[-1]))
    data[len(data) - last_frame_bytes + 4] ^= 0xFF
    path.write_bytes(bytes(data))
    records.pop()
    return last_frame_bytes


def _append_an_insane_length(path: Path, records: list[CommitRecord]) -> int:
    with path.open("ab") as file:
        file.write((2**31).to_bytes(4, "little") + b"\x00" * 30)
    return 34


def _append_a_frame_going_back_in_time(path: Path, records: list[CommitRecord]) -> int:
    frame = encode_frame(make_record(records[-1].timestamp - 1))
    with path.open("ab") as file:
        file.write(frame)
    return len(frame)


@pytest.mark.parametrize(
    "damage",
    [
        _append_garbage,
        _append_half_a_frame,
        _flip_the_last_frames_crc,
        _append_an_insane_length,
        _append_a_frame_going_back_in_time,
    ],
)
async def test_a_torn_tail_of_the_last_segment_is_cut_off(
    tmp_path: Path, damage: Callable[[Path, list[CommitRecord]], int]
) -> None:
    directory = tmp_path / "journal"
    records = [make_record(timestamp) for timestamp in range(10, 60, 10)]
    async with opened(directory) as journal:
        await asyncio.gather(*(journal.append(record) for record in records))
    (path,) = segment_paths(directory)
    torn_bytes = damage(path, records)
    good_bytes = sum(len(encode_frame(record)) for record in records)

    async with opened(directory) as journal:
        assert journal.recovered_torn_bytes == torn_bytes
        assert path.stat().st_size == good_bytes
        assert list(journal.records()) == records
        assert journal.last_timestamp == records[-1].timestamp
        await journal.append(make_record(100))

    async with opened(directory) as journal:
        assert journal.recovered_torn_bytes == 0
        assert list(journal.records()) == [*records, make_record(100)]


async def test_corruption_in_an_earlier_segment_is_reported_not_cut(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    async with opened(directory, segment_bytes_max=256) as journal:
        for timestamp in range(1, 13):
            await journal.append(make_record(timestamp, value_bytes=40))
    paths = segment_paths(directory)
    assert len(paths) >= 3
    first = paths[0]
    data = bytearray(first.read_bytes())
    frame_bytes = len(encode_frame(make_record(1, value_bytes=40)))
    data[frame_bytes + 20] ^= 0x01  # inside the second frame's payload
    first.write_bytes(bytes(data))

    journal = FileJournal("j1", directory, segment_bytes_max=256)
    with pytest.raises(TideError) as raised:
        await journal.open()
    assert raised.value.sqlstate == sqlstates.DATA_CORRUPTED
    assert first.name in raised.value.message
    assert f"byte {frame_bytes}" in raised.value.message
    assert first.stat().st_size == len(data)  # nothing was cut


async def test_a_missing_segment_in_the_middle_is_corruption(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    async with opened(directory, segment_bytes_max=256) as journal:
        for timestamp in range(1, 13):
            await journal.append(make_record(timestamp, value_bytes=40))
    paths = segment_paths(directory)
    paths[1].unlink()
    journal = FileJournal("j1", directory, segment_bytes_max=256)
    with pytest.raises(TideError) as raised:
        await journal.open()
    assert raised.value.sqlstate == sqlstates.DATA_CORRUPTED
    assert paths[2].name in raised.value.message


# ---------------------------------------------------------------------- segments


async def test_segments_roll_over_and_truncation_drops_only_whole_old_segments(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "journal"
    records = [make_record(timestamp, value_bytes=40) for timestamp in range(1, 11)]
    frame_bytes = len(encode_frame(records[0]))
    assert 2 * frame_bytes <= 200 < 3 * frame_bytes  # two records fit in a segment

    async with opened(directory, segment_bytes_max=200) as journal:
        # All ten are queued at once: the writer must still split them at segment ends.
        await asyncio.gather(*(journal.append(record) for record in records))
        paths = segment_paths(directory)
        assert [path.name for path in paths] == [segment_file_name(n) for n in (0, 2, 4, 6, 8)]
        assert [path.stat().st_size for path in paths] == [
            len(encode_frame(records[n])) + len(encode_frame(records[n + 1]))
            for n in (0, 2, 4, 6, 8)
        ]

        assert await journal.truncate_through(0) == 0
        # Record 5 (τ=5) shares a segment with τ=6, so that segment must stay.
        assert await journal.truncate_through(5) == 4
        assert list(journal.records()) == records[4:]
        assert [path.name for path in segment_paths(directory)] == [
            segment_file_name(n) for n in (4, 6, 8)
        ]
        # The active segment is never deleted, however far truncation reaches.
        assert await journal.truncate_through(10**15) == 4
        assert list(journal.records()) == records[8:]
        assert [path.name for path in segment_paths(directory)] == [segment_file_name(8)]

    async with opened(directory, segment_bytes_max=200) as journal:
        assert list(journal.records()) == records[8:]
        # A record larger than a whole segment gets a segment of its own.
        big = make_record(11, value_bytes=500)
        await journal.append(big)
        await journal.append(make_record(12, value_bytes=40))
        assert [path.name for path in segment_paths(directory)] == [
            segment_file_name(n) for n in (8, 10, 11)
        ]
    async with opened(directory, segment_bytes_max=200) as journal:
        assert [record.timestamp for record in journal.records()] == [9, 10, 11, 12]
        assert journal.last_timestamp == 12


# ---------------------------------------------------------------------- delivery


async def test_heartbeats_follow_pending_records_and_never_reach_disk(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    async with opened(directory) as journal:
        recorder = Recorder()
        journal.subscribe(recorder)

        # Nothing pending: delivered at once, and the segment does not grow.
        journal.heartbeat(5)
        assert recorder.calls == [(Heartbeat(5),)]
        assert segment_paths(directory)[0].stat().st_size == 0
        journal.heartbeat(5)  # equal: a no-op
        assert recorder.calls == [(Heartbeat(5),)]

        # Queued behind a record that is not yet durable; successive ones collapse.
        durable = journal.append(make_record(10))
        journal.heartbeat(15)
        journal.heartbeat(16)
        journal.heartbeat(17)
        assert journal.last_timestamp == 17
        assert len(recorder.calls) == 1
        await durable
        assert recorder.calls[1] == (make_record(10), Heartbeat(17))

        # Arriving while the record is in flight (being synced in the writer's thread).
        durable = journal.append(make_record(20))
        await wait_for_batches(journal, 2)
        journal.heartbeat(50)
        assert len(recorder.calls) == 2
        await durable
        assert recorder.entries[-2:] == [make_record(20), Heartbeat(50)]

    async with opened(directory) as journal:
        assert list(journal.records()) == [make_record(10), make_record(20)]
        assert journal.last_timestamp == 20  # promises do not survive a restart
        late = Recorder()
        journal.subscribe(late)
        assert late.entries == [make_record(10), make_record(20)]


async def test_subscribe_replays_durable_records_then_delivers_live(tmp_path: Path) -> None:
    directory = tmp_path / "journal"
    async with opened(directory, segment_bytes_max=256) as journal:
        early = [make_record(timestamp, value_bytes=40) for timestamp in range(1, 8)]
        for record in early:
            await journal.append(record)
        journal.heartbeat(9)

        first = Recorder()
        journal.subscribe(first)
        assert first.entries == [*early, Heartbeat(9)]

        # A record still pending is not replayed, nor promised by a heartbeat.
        pending = journal.append(make_record(10))
        second = Recorder()
        journal.subscribe(second)
        assert second.entries == [*early, Heartbeat(9)]
        await pending
        journal.heartbeat(12)
        live = [make_record(10), Heartbeat(12)]
        assert first.entries == [*early, Heartbeat(9), *live]
        assert second.entries == [*early, Heartbeat(9), *live]

        await journal.truncate_through(3)
        third = Recorder()
        journal.subscribe(third)
        replayed = [entry for entry in third.entries if isinstance(entry, CommitRecord)]
        assert replayed == list(journal.records())
        assert third.entries[-1] == Heartbeat(12)

    async with opened(directory, segment_bytes_max=256) as journal:
        after_restart = Recorder()
        journal.subscribe(after_restart)
        assert after_restart.entries[-1] == make_record(10)


# ---------------------------------------------------------------------- disk errors


@pytest.mark.parametrize("failing_call", ["write", "fsync"])
async def test_an_io_error_fails_pending_and_later_appends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_call: str
) -> None:
    directory = tmp_path / "journal"
    journal = FileJournal("j1", directory)
    await journal.open()
    recorder = Recorder()
    journal.subscribe(recorder)
    try:
        await journal.append(make_record(10))
        segment_inode = os.stat(directory / segment_file_name(0)).st_ino
        real_call = getattr(os, failing_call)

        def fail_on_the_segment(fd: int, *arguments: Any) -> Any:
            if os.fstat(fd).st_ino == segment_inode:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_call(fd, *arguments)

        monkeypatch.setattr(os, failing_call, fail_on_the_segment)
        futures = [journal.append(make_record(timestamp)) for timestamp in (20, 30, 40)]
        journal.heartbeat(45)
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
        for outcome in outcomes:
            assert isinstance(outcome, TideError)
            assert outcome.sqlstate == sqlstates.IO_ERROR
        assert journal.failed

        with pytest.raises(TideError) as raised:
            journal.append(make_record(50))
        assert raised.value.sqlstate == sqlstates.IO_ERROR
        journal.heartbeat(60)
        # Neither the failed records nor any promise past them reached a consumer.
        assert recorder.entries == [make_record(10)]
    finally:
        await journal.close()

    monkeypatch.undo()
    async with opened(directory) as reopened:
        recovered = list(reopened.records())
    appended = [make_record(timestamp) for timestamp in (10, 20, 30, 40)]
    assert recovered == appended[: len(recovered)]
    assert recovered[0] == make_record(10)
    if failing_call == "write":
        assert recovered == [make_record(10)]


# ---------------------------------------------------------------------- crash property


async def _append_in_waves(
    directory: Path, records: list[CommitRecord], wave_ends: list[int], segment_bytes_max: int
) -> list[tuple[int, dict[str, int]]]:
    """Append in waves, awaiting each; return (acknowledged count, segment sizes) after each."""
    snapshots: list[tuple[int, dict[str, int]]] = [(0, {})]
    async with opened(directory, segment_bytes_max=segment_bytes_max, fsync=False) as journal:
        start = 0
        for end in wave_ends:
            futures = [journal.append(record) for record in records[start:end]]
            await asyncio.gather(*futures)
            sizes = {path.name: path.stat().st_size for path in segment_paths(directory)}
            snapshots.append((end, sizes))
            start = end
    return snapshots


async def _reopen(directory: Path, segment_bytes_max: int) -> tuple[list[CommitRecord], int]:
    async with opened(directory, segment_bytes_max=segment_bytes_max, fsync=False) as journal:
        return list(journal.records()), journal.recovered_torn_bytes


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_crash_at_any_byte_recovers_a_prefix_holding_every_acknowledged_record(
    data: st.DataObject,
) -> None:
    value_sizes = data.draw(st.lists(st.integers(0, 300), min_size=1, max_size=40))
    records = [make_record(10 * (index + 1), size) for index, size in enumerate(value_sizes)]
    wave_ends = sorted(
        set(data.draw(st.lists(st.integers(1, len(records)), max_size=5))) | {len(records)}
    )
    segment_bytes_max = data.draw(st.sampled_from([300, 1000, 1 << 20]))

    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "journal"
        snapshots = asyncio.run(_append_in_waves(directory, records, wave_ends, segment_bytes_max))
        last = segment_paths(directory)[-1]
        last_bytes = last.read_bytes()
        # A crash after wave w leaves everything acknowledged by then, plus any prefix of
        # the bytes written later: cut the last segment somewhere in that range.
        acknowledged, sizes = snapshots[data.draw(st.integers(0, len(snapshots) - 1))]
        cut = data.draw(st.integers(sizes.get(last.name, 0), len(last_bytes)))
        last.write_bytes(last_bytes[:cut])
        recovered, torn_bytes = asyncio.run(_reopen(directory, segment_bytes_max))

    first_in_last = int(last.name.removesuffix(".seg"))
    whole_frames_bytes = 0
    kept = first_in_last
    for record in records[first_in_last:]:
        frame_bytes = len(encode_frame(record))
        if whole_frames_bytes + frame_bytes > cut:
            break
        whole_frames_bytes += frame_bytes
        kept += 1
    assert recovered == records[:kept]
    assert kept >= acknowledged
    assert torn_bytes == cut - whole_frames_bytes
