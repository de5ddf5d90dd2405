"""A durable journal on local disk: segment files, CRC-framed records, group commit.

The file journal keeps the ordering contract of :mod:`tidesql.journal.base` exactly as
the memory journal does; what it adds is that a record's future resolves only once the
record would survive a crash of the process or the machine.

What is on disk?
    One directory per journal. It holds a ``LOCK`` file (an exclusive ``flock``, so two
    journals never write the same directory) and segment files named by the sequence
    number of their first record, zero-padded to 20 digits so that names sort::

        00000000000000000000.seg   records 0 … 4211
        00000000000000004212.seg   records 4212 … 8730
        00000000000000008731.seg   records 8731 …      (the active segment, appended to)

    A segment is a run of frames, little-endian::

        u32 payload_length | u32 crc32(payload) | payload = encode_commit_record(record)

    Heartbeats never reach disk: a promise only matters to the running process, and
    after a restart the adjudicators promise afresh.

How does group commit work?
    ``append`` places the record in the order at once (``last_timestamp`` moves) and
    queues its frame. A single writer task takes everything queued (up to
    ``batch_bytes_max``), writes it with one ``write``, calls ``fsync`` once in a worker
    thread so the event loop keeps running, and only then resolves the batch's futures
    and hands the records to the consumers. Appends that arrive while an fsync is in
    flight wait in the queue and become the next batch::

        time ───────────────────────────────────────────────────────────────────▶
        append   r1 r2        r3 r4 r5                  r6
        writer   [take r1 r2][write][fsync ..........][ack r1 r2][take r3 r4 r5]…
                                    r3 r4 r5 arrive while r1 r2 are being synced

    With a 2 ms fsync and 5,000 commits/s, about ten records share each fsync instead of
    each waiting for its own. A heartbeat that arrives while records are queued or in
    flight waits behind them (consecutive queued heartbeats collapse into the newest),
    so a consumer that has seen τ has seen every record at or below τ, durably.

What happens when the disk fails?
    Any error of ``write``, ``fsync``, creating or closing a segment fails every pending
    future with SQLSTATE 58030 and marks the journal failed: later appends raise the same
    error, and nothing more (not even a heartbeat) is delivered. We never retry a failed
    fsync: Linux may drop the dirty pages and report success the second time. A record
    whose future failed may or may not be on disk after a restart (its commit outcome is
    unknown to the client, as with any database); a record whose future resolved is.

How is a crash recovered?
    ``open`` reads every segment in order and checks each frame: a sane length
    (``RECORD_BYTES_MIN`` … ``record_bytes_max``), the CRC, that it decodes, that τ is
    strictly greater than the previous record's, and that each segment's name continues
    the sequence of the one before it. Only the last segment can have a torn tail (a
    crash during a write), because a segment is synced completely before the next one is
    created: so a bad frame in the last segment cuts the file there (counted in
    ``recovered_torn_bytes``), and a bad frame anywhere else is corruption, SQLSTATE
    XX001, naming the file and byte offset. Everything after the first bad frame of the
    last segment is discarded: without a valid frame header we cannot find the next
    frame boundary, and none of those bytes can belong to an acknowledged record, since
    acknowledged records are synced in order.

What may truncation delete, and why only whole segments?
    ``truncate_through(τ)`` deletes the oldest segments whose last record is at or below
    τ, never the active one. Deleting whole files is one ``unlink`` each, with no
    rewriting of live data, and it keeps the one recovery rule simple: the files on disk
    are always a contiguous run of segments. They are deleted oldest first with a
    directory fsync after each, so a crash in the middle leaves a shorter run, never one
    with a gap.

With ``fsync=False`` (benchmarks of the non-durable path) every ``fsync`` is skipped and
everything else is unchanged; an operating-system crash may then lose acknowledged
records or tear a segment that is not the last.
"""

from __future__ import annotations

import asyncio
import collections
import errno
import fcntl
import os
import re
import struct
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from tidesql import sqlstates
from tidesql.errors import InvariantViolation, ProgramLimitExceeded, TideError, invariant
from tidesql.journal.base import JournalConsumer
from tidesql.journal.record import (
    COMMIT_KIND,
    CommitRecord,
    Heartbeat,
    JournalEntry,
    decode_commit_record,
    encode_commit_record,
)

MIB = 1024 * 1024
SEGMENT_BYTES_MAX_DEFAULT = 64 * MIB
RECORD_BYTES_MAX_DEFAULT = 64 * MIB
BATCH_BYTES_MAX_DEFAULT = 4 * MIB
PENDING_BYTES_MAX_DEFAULT = 256 * MIB
# Records handed to a new subscriber per call while it replays what is on disk.
REPLAY_BATCH_RECORDS_MAX = 4096

FRAME_HEADER = struct.Struct("<II")
# The smallest payload encode_commit_record produces: kind, τ, transaction id, count.
RECORD_BYTES_MIN = struct.calcsize("<BqQI")
SEGMENT_NAME_DIGITS = 20
SEGMENT_SUFFIX = ".seg"
LOCK_FILE_NAME = "LOCK"
_SEGMENT_NAME = re.compile(r"^[0-9]{20}\.seg$")


def segment_file_name(first_sequence: int) -> str:
    """The name of the segment whose first record has sequence number ``first_sequence``."""
    invariant(0 <= first_sequence < 10**SEGMENT_NAME_DIGITS, f"sequence {first_sequence}")
    return f"{first_sequence:0{SEGMENT_NAME_DIGITS}d}{SEGMENT_SUFFIX}"


def encode_frame(record: CommitRecord) -> bytes:
    """``u32 payload_length | u32 crc32(payload) | payload`` for one record."""
    payload = encode_commit_record(record)
    return FRAME_HEADER.pack(len(payload), zlib.crc32(payload)) + payload


@dataclass(eq=False, slots=True)
class _Segment:
    """What we know of one segment file; sizes and counts cover durable frames only."""

    first_sequence: int
    path: Path
    size_bytes: int
    record_count: int
    last_timestamp: int  # 0 while the segment holds no record


@dataclass(eq=False, slots=True)
class _PendingRecord:
    record: CommitRecord
    frame: bytes
    durable: asyncio.Future[None]


_QueueItem = _PendingRecord | Heartbeat


@dataclass(slots=True)
class _Batch:
    items: list[_QueueItem] = field(default_factory=list)
    frames: list[bytes] = field(default_factory=list)
    size_bytes: int = 0
    record_count: int = 0
    last_timestamp: int = 0


class _CorruptFrame(Exception):
    """A frame that fails validation at ``offset`` bytes into its segment."""

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(f"byte {offset}: {reason}")
        self.offset = offset
        self.reason = reason


def _decode_payload(payload: bytes, offset: int) -> CommitRecord:
    if payload[0] != COMMIT_KIND:
        raise _CorruptFrame(offset, f"unknown record kind {payload[0]}")
    try:
        # A payload whose CRC matches is what the writer wrote, so a decoding failure
        # beyond a short read means a writer bug; the codec's own invariants crash then.
        return decode_commit_record(payload)
    except struct.error as error:
        raise _CorruptFrame(offset, f"record does not decode: {error}") from error


def _read_frames(
    file: BinaryIO, end_offset: int, record_bytes_max: int, previous_timestamp: int
) -> Iterator[tuple[int, CommitRecord]]:
    """Yield ``(end offset of the frame, record)`` for each valid frame before ``end_offset``.

    Raises :class:`_CorruptFrame` at the first frame that is cut short, has an insane
    length or a wrong CRC, does not decode, or does not advance τ.
    """
    offset = 0
    while offset < end_offset:
        header = file.read(FRAME_HEADER.size)
        if len(header) < FRAME_HEADER.size or offset + FRAME_HEADER.size > end_offset:
            raise _CorruptFrame(offset, "frame header cut short")
        length, checksum = FRAME_HEADER.unpack(header)
        if not RECORD_BYTES_MIN <= length <= record_bytes_max:
            raise _CorruptFrame(
                offset, f"frame length {length} outside {RECORD_BYTES_MIN}…{record_bytes_max}"
            )
        frame_end = offset + FRAME_HEADER.size + length
        if frame_end > end_offset:
            raise _CorruptFrame(offset, f"frame of {length} bytes cut short")
        payload = file.read(length)
        if len(payload) < length:
            raise _CorruptFrame(offset, f"frame of {length} bytes cut short")
        if zlib.crc32(payload) != checksum:
            raise _CorruptFrame(offset, "CRC mismatch")
        record = _decode_payload(payload, offset)
        if record.timestamp <= previous_timestamp:
            raise _CorruptFrame(
                offset, f"record τ {record.timestamp} not after {previous_timestamp}"
            )
        previous_timestamp = record.timestamp
        offset = frame_end
        yield offset, record


def _write_all(fd: int, data: bytes, sync: bool) -> None:
    """Write ``data`` at the end of ``fd`` and, if ``sync``, fsync it. Runs in a thread."""
    view = memoryview(data)
    written = 0
    while written < len(view):
        count = os.write(fd, view[written:])
        if count <= 0:
            raise OSError(errno.EIO, "write made no progress")
        written += count
    if sync:
        os.fsync(fd)


class FileJournal:
    """A journal in segment files under ``directory`` (the journal's own directory)."""

    def __init__(
        self,
        name: str,
        directory: Path,
        *,
        segment_bytes_max: int = SEGMENT_BYTES_MAX_DEFAULT,
        fsync: bool = True,
        record_bytes_max: int = RECORD_BYTES_MAX_DEFAULT,
        batch_bytes_max: int = BATCH_BYTES_MAX_DEFAULT,
        pending_bytes_max: int = PENDING_BYTES_MAX_DEFAULT,
    ) -> None:
        invariant(segment_bytes_max > 0, "segment_bytes_max must be positive")
        invariant(record_bytes_max >= RECORD_BYTES_MIN, "record_bytes_max below a record")
        invariant(batch_bytes_max > 0, "batch_bytes_max must be positive")
        invariant(
            pending_bytes_max >= record_bytes_max + FRAME_HEADER.size,
            "pending_bytes_max must hold at least one record of record_bytes_max",
        )
        self.name = name
        self.directory = directory
        self.segment_bytes_max = segment_bytes_max
        self.fsync = fsync
        self.record_bytes_max = record_bytes_max
        self.batch_bytes_max = batch_bytes_max
        self.pending_bytes_max = pending_bytes_max

        # Observability: what recovery cut, and how well group commit is batching.
        self.recovered_torn_bytes = 0
        self.fsync_count = 0
        self.directory_fsync_count = 0
        self.batch_count = 0
        self.written_record_count = 0

        self._segments: list[_Segment] = []
        self._active_fd = -1
        self._lock_fd = -1
        self._executor: ThreadPoolExecutor | None = None
        self._writer: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._truncation_lock = asyncio.Lock()
        self._queue: collections.deque[_QueueItem] = collections.deque()
        self._in_flight: list[_QueueItem] = []
        self._pending_bytes = 0
        self._consumers: list[JournalConsumer] = []
        self._last_timestamp = 0
        # The τ of the newest entry handed to consumers: a new subscriber may be promised
        # this much, but not last_timestamp, which may belong to a record not yet durable.
        self._delivered_timestamp = 0
        self._opened = False
        self._closing = False
        self._closed = False
        self._failure: TideError | None = None

    # ------------------------------------------------------------------ the interface

    @property
    def last_timestamp(self) -> int:
        return self._last_timestamp

    @property
    def failed(self) -> bool:
        return self._failure is not None

    async def open(self) -> None:
        invariant(not self._opened, f"journal {self.name} opened twice")
        self._opened = True
        loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"journal-{self.name}")
        try:
            await loop.run_in_executor(self._executor, self._recover)
        except OSError as error:
            self._release_files()
            self._closed = True
            raise self._io_error("opening the journal", error) from error
        except BaseException:
            self._release_files()
            self._closed = True
            raise
        self._delivered_timestamp = self._last_timestamp
        self._writer = loop.create_task(self._run_writer(), name=f"journal-{self.name}-writer")

    def append(self, record: CommitRecord) -> asyncio.Future[None]:
        self._check_writable()
        invariant(
            record.timestamp > self._last_timestamp,
            f"journal {self.name}: record τ {record.timestamp} not after {self._last_timestamp}",
        )
        frame = encode_frame(record)
        payload_bytes = len(frame) - FRAME_HEADER.size
        if payload_bytes > self.record_bytes_max:
            raise ProgramLimitExceeded(
                f"journal record of {payload_bytes} bytes exceeds the limit of "
                f"{self.record_bytes_max} bytes",
                detail=f"journal {self.name}, transaction {record.transaction_id}",
            )
        if self._pending_bytes + len(frame) > self.pending_bytes_max:
            raise TideError(
                f"journal {self.name} has {self._pending_bytes} bytes waiting for the disk",
                sqlstate=sqlstates.INSUFFICIENT_RESOURCES,
                hint="the disk is slower than the commit rate; retry the transaction",
            )
        self._last_timestamp = record.timestamp
        durable: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(_PendingRecord(record, frame, durable))
        self._pending_bytes += len(frame)
        self._wake.set()
        return durable

    def heartbeat(self, timestamp: int) -> None:
        invariant(self._opened, f"journal {self.name} heartbeat before open")
        if self._closed or self._failure is not None:
            # After a failure a record whose fate is unknown may sit on disk below τ; a
            # promise past it could let a reader see a state that a restart changes.
            return
        invariant(
            timestamp >= self._last_timestamp,
            f"journal {self.name}: heartbeat τ {timestamp} before {self._last_timestamp}",
        )
        if timestamp == self._last_timestamp:
            return
        self._last_timestamp = timestamp
        entry = Heartbeat(timestamp)
        if not self._queue and not self._in_flight:
            self._deliver((entry,))
        elif self._queue and isinstance(self._queue[-1], Heartbeat):
            self._queue[-1] = entry
        else:
            self._queue.append(entry)

    def subscribe(self, consumer: JournalConsumer) -> None:
        """Replay the durable records from disk (on the loop, in bounded calls), then go live."""
        invariant(self._opened, f"journal {self.name} subscribed to before open")
        replayed_through = 0
        replay: list[JournalEntry] = []
        for record in self.records():
            replay.append(record)
            replayed_through = record.timestamp
            if len(replay) >= REPLAY_BATCH_RECORDS_MAX:
                consumer.journal_entries(self.name, tuple(replay))
                replay = []
        if replay:
            consumer.journal_entries(self.name, tuple(replay))
        if self._delivered_timestamp > replayed_through:
            consumer.journal_entries(self.name, (Heartbeat(self._delivered_timestamp),))
        self._consumers.append(consumer)

    def records(self) -> Iterator[CommitRecord]:
        invariant(self._opened, f"journal {self.name} read before open")
        # Fix the durable extent now, so records appended while iterating are not seen.
        extents = [(segment, segment.size_bytes) for segment in self._segments]
        return self._read_records(extents)

    async def truncate_through(self, timestamp: int) -> int:
        self._check_open()
        async with self._truncation_lock:
            doomed: list[_Segment] = []
            while len(self._segments) > 1 and self._segments[0].last_timestamp <= timestamp:
                doomed.append(self._segments.pop(0))
            if not doomed:
                return 0
            executor = self._executor
            invariant(executor is not None, "an open journal has an executor")
            loop = asyncio.get_running_loop()
            deleted, error = await loop.run_in_executor(
                executor, self._delete_segments, [segment.path for segment in doomed]
            )
            # Segments not deleted go back to the front, still in order, so memory
            # matches the disk; the writer only ever appends at the other end.
            self._segments[0:0] = doomed[deleted:]
            if error is not None:
                raise self._io_error("deleting old segments", error) from error
            return sum(segment.record_count for segment in doomed[:deleted])

    async def close(self) -> None:
        if self._closed or self._closing:
            return
        self._closing = True
        self._wake.set()
        try:
            if self._writer is not None:
                await self._writer
        finally:
            async with self._truncation_lock:
                self._release_files()
                self._closed = True

    # ------------------------------------------------------------------ the writer

    async def _run_writer(self) -> None:
        """Take batches from the queue and make them durable, until closed or failed."""
        try:
            while self._failure is None:
                if not self._queue:
                    if self._closing:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                await self._write_next_batch()
        except BaseException:
            # A bug (or the loop shutting down): make sure no appender waits forever.
            self._fail(TideError(f"journal {self.name} writer stopped"))
            raise

    async def _write_next_batch(self) -> None:
        loop = asyncio.get_running_loop()
        executor = self._executor
        invariant(executor is not None, "an open journal has an executor")
        first = self._queue[0]
        invariant(isinstance(first, _PendingRecord), "the queue starts with a record")
        first_frame_bytes = len(first.frame) if isinstance(first, _PendingRecord) else 0
        active = self._segments[-1]
        if active.size_bytes > 0 and (
            active.size_bytes + first_frame_bytes > self.segment_bytes_max
        ):
            # Every frame of the active segment is already synced, so from here on it
            # can never have a torn tail: only the newest segment may.
            try:
                self._active_fd, new_segment = await loop.run_in_executor(
                    executor, self._roll_over, self._active_fd, active
                )
            except OSError as error:
                self._active_fd = -1
                self._fail(self._io_error("creating a segment", error))
                return
            self._segments.append(new_segment)
            active = new_segment

        batch = self._take_batch(self.segment_bytes_max - active.size_bytes)
        self._in_flight = batch.items
        self.batch_count += 1
        try:
            await loop.run_in_executor(
                executor, _write_all, self._active_fd, b"".join(batch.frames), self.fsync
            )
        except OSError as error:
            self._fail(self._io_error("writing a batch", error))
            return
        if self.fsync:
            self.fsync_count += 1
        self._complete(active, batch)

    def _take_batch(self, segment_room_bytes: int) -> _Batch:
        """Pop queued records (and the heartbeats among them) that fit one write."""
        room = min(self.batch_bytes_max, segment_room_bytes)
        batch = _Batch()
        while self._queue:
            item = self._queue[0]
            if isinstance(item, _PendingRecord):
                # The first record always goes, even one larger than a segment on its own.
                if batch.record_count > 0 and batch.size_bytes + len(item.frame) > room:
                    break
                batch.frames.append(item.frame)
                batch.size_bytes += len(item.frame)
                batch.record_count += 1
                batch.last_timestamp = item.record.timestamp
            self._queue.popleft()
            batch.items.append(item)
        return batch

    def _complete(self, segment: _Segment, batch: _Batch) -> None:
        """The batch is durable: account for it, resolve its futures, deliver it.

        One synchronous step, so at every await point the durable extent of the segments
        is exactly what consumers have been given, which is what ``subscribe`` replays.
        """
        segment.size_bytes += batch.size_bytes
        segment.record_count += batch.record_count
        segment.last_timestamp = batch.last_timestamp
        self.written_record_count += batch.record_count
        self._pending_bytes -= batch.size_bytes
        self._in_flight = []
        entries: list[JournalEntry] = []
        for item in batch.items:
            if isinstance(item, _PendingRecord):
                if not item.durable.done():
                    item.durable.set_result(None)
                entries.append(item.record)
            else:
                entries.append(item)
        # Heartbeats that arrived during the fsync followed only these records.
        while self._queue:
            head = self._queue[0]
            if not isinstance(head, Heartbeat):
                break
            self._queue.popleft()
            entries.append(head)
        self._deliver(tuple(entries))

    def _deliver(self, entries: Sequence[JournalEntry]) -> None:
        if not entries:
            return
        self._delivered_timestamp = entries[-1].timestamp
        for consumer in self._consumers:
            consumer.journal_entries(self.name, entries)

    def _fail(self, error: TideError) -> None:
        """Fail every record not yet durable; the journal accepts nothing more."""
        if self._failure is None:
            self._failure = error
        for item in [*self._in_flight, *self._queue]:
            if isinstance(item, _PendingRecord) and not item.durable.done():
                item.durable.set_exception(self._failure_error())
        self._in_flight = []
        self._queue.clear()
        self._pending_bytes = 0

    # ------------------------------------------------------------------ file work (threads)

    def _recover(self) -> None:
        """Lock the directory, validate every segment, cut a torn tail, open the last one."""
        created = not self.directory.exists()
        self.directory.mkdir(parents=True, exist_ok=True)
        if created:
            self._sync_directory(self.directory.parent)
        self._lock_fd = os.open(self.directory / LOCK_FILE_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise TideError(
                f"journal directory {self.directory} is in use by another journal",
                sqlstate=sqlstates.OBJECT_IN_USE,
            ) from error

        paths = sorted(
            (int(path.name[:SEGMENT_NAME_DIGITS]), path)
            for path in self.directory.iterdir()
            if _SEGMENT_NAME.match(path.name)
        )
        previous_timestamp = 0
        for index, (first_sequence, path) in enumerate(paths):
            is_last = index == len(paths) - 1
            if self._segments:
                before = self._segments[-1]
                expected = before.first_sequence + before.record_count
                if first_sequence != expected:
                    raise self._corrupt(
                        path, 0, f"segment starts at record {first_sequence}, not {expected}"
                    )
            segment = _Segment(first_sequence, path, 0, 0, 0)
            with path.open("rb") as file:
                file_bytes = os.fstat(file.fileno()).st_size
                try:
                    for frame_end, record in _read_frames(
                        file, file_bytes, self.record_bytes_max, previous_timestamp
                    ):
                        segment.size_bytes = frame_end
                        segment.record_count += 1
                        segment.last_timestamp = record.timestamp
                        previous_timestamp = record.timestamp
                except _CorruptFrame as corrupt:
                    if not is_last:
                        raise self._corrupt(path, corrupt.offset, corrupt.reason) from corrupt
                    self._cut_tail(path, segment.size_bytes)
                    self.recovered_torn_bytes += file_bytes - segment.size_bytes
            self._segments.append(segment)

        if not self._segments:
            path = self.directory / segment_file_name(0)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644))
            self._sync_directory(self.directory)
            self._segments.append(_Segment(0, path, 0, 0, 0))
        self._last_timestamp = previous_timestamp
        self._active_fd = os.open(self._segments[-1].path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)

    def _cut_tail(self, path: Path, size_bytes: int) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.ftruncate(fd, size_bytes)
            if self.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def _roll_over(self, old_fd: int, old: _Segment) -> tuple[int, _Segment]:
        """Close the full segment and create the next, named by its first sequence."""
        os.close(old_fd)
        first_sequence = old.first_sequence + old.record_count
        path = self.directory / segment_file_name(first_sequence)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            self._sync_directory(self.directory)
        except OSError:
            os.close(fd)
            raise
        return fd, _Segment(first_sequence, path, 0, 0, 0)

    def _delete_segments(self, paths: list[Path]) -> tuple[int, OSError | None]:
        """Unlink oldest first, syncing the directory after each so no gap can appear."""
        for deleted, path in enumerate(paths):
            try:
                path.unlink()
                self._sync_directory(self.directory)
            except OSError as error:
                return deleted, error
        return len(paths), None

    def _sync_directory(self, directory: Path) -> None:
        if not self.fsync:
            return
        fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self.directory_fsync_count += 1

    def _read_records(self, extents: list[tuple[_Segment, int]]) -> Iterator[CommitRecord]:
        previous_timestamp = 0
        for segment, size_bytes in extents:
            try:
                file = segment.path.open("rb")
            except FileNotFoundError:
                if all(kept is not segment for kept in self._segments):
                    continue  # truncated away while we were reading
                raise
            with file:
                try:
                    for _, record in _read_frames(
                        file, size_bytes, self.record_bytes_max, previous_timestamp
                    ):
                        previous_timestamp = record.timestamp
                        yield record
                except _CorruptFrame as corrupt:
                    raise self._corrupt(segment.path, corrupt.offset, corrupt.reason) from corrupt

    def _release_files(self) -> None:
        active_fd, self._active_fd = self._active_fd, -1
        lock_fd, self._lock_fd = self._lock_fd, -1
        executor, self._executor = self._executor, None
        try:
            if active_fd >= 0:
                os.close(active_fd)  # the writer has finished with it
        finally:
            if lock_fd >= 0:
                os.close(lock_fd)  # releases the flock
            if executor is not None:
                executor.shutdown(wait=True)

    # ------------------------------------------------------------------ errors

    def _check_open(self) -> None:
        invariant(self._opened, f"journal {self.name} used before open")
        if self._closing or self._closed:
            raise TideError(
                f"journal {self.name} is closed",
                sqlstate=sqlstates.OBJECT_NOT_IN_PREREQUISITE_STATE,
            )

    def _check_writable(self) -> None:
        self._check_open()
        if self._failure is not None:
            raise self._failure_error()

    def _failure_error(self) -> TideError:
        """A fresh copy of the failure for each waiter, so tracebacks do not pile up."""
        failure = self._failure
        if failure is None:
            raise InvariantViolation(f"journal {self.name} has not failed")
        error = TideError(
            failure.message, sqlstate=failure.sqlstate, detail=failure.detail, hint=failure.hint
        )
        error.__cause__ = failure.__cause__
        return error

    def _corrupt(self, path: Path, offset: int, reason: str) -> TideError:
        return TideError(
            f"journal {self.name}: segment {path} is corrupt at byte {offset}: {reason}",
            sqlstate=sqlstates.DATA_CORRUPTED,
        )

    def _io_error(self, action: str, error: OSError) -> TideError:
        io_error = TideError(
            f"journal {self.name}: I/O error {action}: {error}",
            sqlstate=sqlstates.IO_ERROR,
            detail=f"directory {self.directory}",
        )
        io_error.__cause__ = error
        return io_error
