"""The adjudicator: optimistic concurrency control for one key range, decided at commit.

What it remembers
-----------------
For every key of its range committed within the last ``max_transaction_age`` (5 min by
default), the τ of its last commit. Nothing else, and nothing durable: after a restart
it re-reads the journals.

What conflicts (first committer wins)
-------------------------------------
A transaction T that started at τ_start conflicts if, for one of its

* written or ``FOR UPDATE`` keys (checked and then recorded at τ_commit),
* read keys or scanned ranges under SERIALIZABLE (checked only),
* catalog keys it read (checked only; a conflict here is ``OC001``),

some other transaction committed at τ > τ_start, or holds the key while it is being
committed through several adjudicators. Snapshot isolation needs only the first line;
write skew is what the second line adds for SERIALIZABLE::

    T1: start 10 ── read x ── write y ── commit 20
    T2: start 12 ── read y ── write x ── commit 25 → y was committed at 20 > 12: refused

Key-share, the weaker lock
--------------------------
``FOR KEY SHARE`` (and every foreign-key check, on the parent's key) asks only that the
key keep existing until T commits. A key-share of K conflicts with a *removal* of K — a
write whose value is ``None``: a DELETE, or the old key of an UPDATE that changed the
key — committed by another transaction after τ_start, in either order; it does not
conflict with a write that keeps the key (a non-key UPDATE), nor with other key-shares::

    T1: start 10 ── key-share p ──────────── commit 30 → p removed at 20 > 10: refused
    T2: start 12 ── delete p ── commit 20
    T3: start 14 ── key-share q ── commit 22
    T4: start 15 ── delete q ───────────── commit 40 → q key-shared at 22 > 15: refused
    T5: start 16 ── update q (same key) ── commit 41 → no conflict with T3

So the adjudicator remembers, beside each key's last commit, the τ of its last removal
and of its last committed key-share. Key-shares are not journaled (they change no data),
like ``FOR UPDATE`` keys: a restarted adjudicator forgets them.

Picking τ_commit
----------------
τ_commit is greater than every τ this adjudicator issued (commits and heartbeats), than
τ_start, and at least its clock's ``latest``. The client is answered only after the
record is durable and the clock's ``earliest`` has passed τ_commit (commit wait), so a
transaction that starts after the answer — at its clock's ``latest`` — sees the commit.

Several adjudicators
--------------------
When T's keys belong to several adjudicators, the one it asks (the coordinator) checks
its own part and asks the others to *prepare* theirs. A participant checks, holds the
keys (another transaction touching a held key is refused rather than made to wait, so
no deadlock is possible), and votes with a lower bound: one more than every τ it has
issued. The coordinator takes the maximum of the bounds and its own, appends the one
journal record with every write, and tells the participants the outcome; they record
τ_commit for their keys and release them::

    QP ──commit──▶ A (coordinator) ──prepare──▶ B ─┐ vote: ok, ≥ 131
                   A: check, hold   ◀──────────────┘
                   A: τ = max(131, A's next) = 140; append(record @140)
                   A ──decide(140)──▶ B: record keys @140, release
    QP ◀─ committed @140 (after durable and clock.earliest > 140)

Heartbeats
----------
An idle adjudicator promises, every ``heartbeat_interval_s``, that it will never commit
at or below its clock's ``latest``; replicas use the promise to advance their high water
marks. A replica that needs a larger τ *nudges* (``heartbeat_up_to``). A promise may run
ahead of the clock by at most ``heartbeat_lead_ns_max``; since promises are not durable,
a restarted adjudicator starts issuing above its clock's ``latest`` plus that lead.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Protocol

from sortedcontainers import SortedDict

from tidesql.adjudicator.messages import (
    REASON_SCHEMA,
    REASON_TOO_OLD,
    REASON_UNAVAILABLE,
    REASON_WRITE,
    CommitOutcome,
    CommitRequest,
    Decision,
    Vote,
)
from tidesql.aio import cancel_and_wait
from tidesql.clock import NANOS_PER_SECOND, Clock
from tidesql.errors import InvariantViolation, TideError, invariant
from tidesql.journal.base import Journal
from tidesql.journal.record import CommitRecord, Write
from tidesql.ranges import KeyRange, RangeMap

log = logging.getLogger(__name__)


class AdjudicatorPeer(Protocol):
    """What a coordinator needs of the other adjudicators (a network client in clusters)."""

    async def prepare(self, request: CommitRequest) -> Vote: ...

    async def decide(self, decision: Decision) -> None: ...


def split_request(request: CommitRequest, owners: RangeMap) -> dict[int, CommitRequest]:
    """Cut a request into one part per adjudicator that owns any of its keys."""
    writes: dict[int, list[Write]] = {}
    locks: dict[int, list[bytes]] = {}
    shares: dict[int, list[bytes]] = {}
    reads: dict[int, list[bytes]] = {}
    schema: dict[int, list[bytes]] = {}
    ranges: dict[int, list[tuple[bytes, bytes]]] = {}
    owner_of = owners.owner_of
    for write in request.writes:
        writes.setdefault(owner_of(write.key), []).append(write)
    for group, keys in (
        (locks, request.lock_keys),
        (shares, request.key_share_keys),
        (reads, request.read_keys),
    ):
        for key in keys:
            group.setdefault(owner_of(key), []).append(key)
    for key in request.schema_keys:
        schema.setdefault(owner_of(key), []).append(key)
    for low, high in request.read_ranges:
        for owner in owners.owners_overlapping(low, high or None):
            part = owners.range_of(owner).intersect(low, high or None)
            if part is not None:
                ranges.setdefault(owner, []).append((part.low, part.high or b""))
    parts: dict[int, CommitRequest] = {}
    for owner in sorted(
        set(writes) | set(locks) | set(shares) | set(reads) | set(schema) | set(ranges)
    ):
        parts[owner] = CommitRequest(
            transaction_id=request.transaction_id,
            start_timestamp=request.start_timestamp,
            writes=tuple(writes.get(owner, ())),
            lock_keys=tuple(locks.get(owner, ())),
            read_keys=tuple(reads.get(owner, ())),
            read_ranges=tuple(ranges.get(owner, ())),
            schema_keys=tuple(schema.get(owner, ())),
            key_share_keys=tuple(shares.get(owner, ())),
        )
    return parts


class Adjudicator:
    def __init__(
        self,
        index: int,
        owners: RangeMap,
        clock: Clock,
        journal: Journal,
        *,
        max_transaction_age_ns: int = 300 * NANOS_PER_SECOND,
        heartbeat_interval_s: float = 0.05,
        heartbeat_lead_ns_max: int = 1_000_000,
        prepare_timeout_s: float = 5.0,
    ) -> None:
        self.index = index
        self.name = f"adjudicator-{index}"
        self.owners = owners
        self.key_range: KeyRange = owners.range_of(index)
        self.clock = clock
        self.journal = journal
        self.max_transaction_age_ns = max_transaction_age_ns
        self.heartbeat_interval_s = heartbeat_interval_s
        self.heartbeat_lead_ns_max = heartbeat_lead_ns_max
        self.prepare_timeout_s = prepare_timeout_s
        self.peers: Mapping[int, AdjudicatorPeer] = {}
        self._last_commit: SortedDict[bytes, int] = SortedDict()
        #: τ of each key's last removal (a write of ``None``) and last committed key-share.
        self._last_removal: dict[bytes, int] = {}
        self._last_key_share: dict[bytes, int] = {}
        # (τ, which map, keys) in τ order, to forget keys below the low water mark.
        self._history: deque[tuple[int, MutableMapping[bytes, int], tuple[bytes, ...]]] = deque()
        self._held_writes: dict[bytes, int] = {}
        self._held_removals: dict[bytes, int] = {}
        self._held_key_shares: dict[bytes, set[int]] = {}
        self._held_reads: dict[bytes, set[int]] = {}
        self._held_ranges: dict[int, tuple[tuple[bytes, bytes], ...]] = {}
        self._prepared: dict[int, CommitRequest] = {}
        self._max_issued = 0
        self.forgotten_before = 0
        self._background: list[asyncio.Task[None]] = []
        self.commits = 0
        self.conflicts = 0

    # ------------------------------------------------------------ lifecycle
    def rebuild(self, journals: Iterable[Journal], history_complete_after: int = 0) -> None:
        """Recover what a restarted adjudicator needs from the journals.

        ``history_complete_after``: every record above this τ is still in the journals
        (records at or below it may have been truncated), so transactions that started
        before it are refused as too old.
        """
        low_water_mark = self.clock.now().earliest - self.max_transaction_age_ns
        horizon = max(low_water_mark, history_complete_after)
        recovered: list[tuple[int, tuple[bytes, ...], tuple[bytes, ...]]] = []
        contains = self.key_range.contains
        for journal in journals:
            for record in journal.records():
                if record.timestamp <= horizon:
                    continue
                keys = tuple(w.key for w in record.writes if contains(w.key))
                if keys:
                    removed = tuple(
                        w.key for w in record.writes if w.value is None and contains(w.key)
                    )
                    recovered.append((record.timestamp, keys, removed))
        recovered.sort()
        for timestamp, keys, removed in recovered:
            self._remember(self._last_commit, keys, timestamp)
            self._remember(self._last_removal, removed, timestamp)
        self.forgotten_before = horizon
        # Heartbeats are not durable: a promise made before the restart may have run
        # ahead of the clock by the lead, never more.
        self._max_issued = max(
            self.journal.last_timestamp,
            self.clock.now().latest + self.heartbeat_lead_ns_max,
        )

    def start_background(self) -> None:
        self._background.append(asyncio.create_task(self._heartbeat_loop()))

    async def stop(self) -> None:
        await cancel_and_wait(self._background)

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval_s)
            self.heartbeat_up_to(self.clock.now().latest)
            self.forget_below(self.clock.now().earliest - self.max_transaction_age_ns)

    # ------------------------------------------------------------ heartbeats
    def heartbeat_up_to(self, timestamp: int) -> None:
        """Promise no commit at or below ``timestamp`` (capped at clock.latest + lead)."""
        # target = min(τ, max(cap, max_issued)); the clock is read only when τ is beyond
        # what was already issued, since below that the cap cannot matter.
        target = timestamp
        max_issued = self._max_issued
        if timestamp > max_issued:
            cap = self.clock.now().latest + self.heartbeat_lead_ns_max
            if timestamp > cap:
                target = cap if cap > max_issued else max_issued
            if target > max_issued:
                self._max_issued = target
        if target > self.journal.last_timestamp:
            self.journal.heartbeat(target)

    # ------------------------------------------------------------ low water mark
    def forget_below(self, low_water_mark: int) -> int:
        forgotten = 0
        history = self._history
        while history and history[0][0] < low_water_mark:
            timestamp, remembered, keys = history.popleft()
            for key in keys:
                if remembered.get(key) == timestamp:
                    del remembered[key]
                    forgotten += 1
        self.forgotten_before = max(self.forgotten_before, low_water_mark)
        return forgotten

    @property
    def remembered_keys(self) -> int:
        return len(self._last_commit)

    # ------------------------------------------------------------ checking
    def _check(self, request: CommitRequest) -> Vote:
        start = request.start_timestamp
        if start < self.forgotten_before:
            return Vote(False, reason=REASON_TOO_OLD, conflict_timestamp=self.forgotten_before)
        last_commit = self._last_commit
        held_writes = self._held_writes
        held_reads = self._held_reads
        mine = request.transaction_id
        written = [w.key for w in request.writes]
        for reason, keys, writing in (
            (REASON_SCHEMA, request.schema_keys, False),
            (REASON_WRITE, written, True),
            (REASON_WRITE, request.lock_keys, True),
            (REASON_WRITE, request.read_keys, False),
        ):
            for key in keys:
                committed = last_commit.get(key, 0)
                if committed > start:
                    return Vote(
                        False, reason=reason, conflict_key=key, conflict_timestamp=committed
                    )
                # A key held by a transaction being committed through several
                # adjudicators: writes conflict with its reads and writes, reads only
                # with its writes (two readers never conflict).
                holder = held_writes.get(key)
                if holder is not None and holder != mine:
                    return Vote(False, reason=reason, conflict_key=key)
                if writing and held_reads.get(key, set()) - {mine}:
                    return Vote(False, reason=reason, conflict_key=key)
        for low, high in request.read_ranges:
            upper = high or None
            for key in last_commit.irange(low, upper, inclusive=(True, False)):
                if last_commit[key] > start:
                    return Vote(
                        False,
                        reason=REASON_WRITE,
                        conflict_key=key,
                        conflict_timestamp=last_commit[key],
                    )
            for key, holder in held_writes.items():
                if holder != mine and low <= key and (upper is None or key < upper):
                    return Vote(False, reason=REASON_WRITE, conflict_key=key)
        refusal = self._check_key_shares(request)
        if refusal is not None:
            return refusal
        # Keys this transaction writes must not fall in a range another one holds.
        for holder, held_ranges in self._held_ranges.items():
            if holder == mine:
                continue
            for write_key in written + list(request.lock_keys):
                for low, high in held_ranges:
                    if low <= write_key and (not high or write_key < high):
                        return Vote(False, reason=REASON_WRITE, conflict_key=write_key)
        return Vote(True, lower_bound=self._max_issued + 1)

    def _check_key_shares(self, request: CommitRequest) -> Vote | None:
        """Key-shares against removals, both ways (see "Key-share" above)."""
        start = request.start_timestamp
        mine = request.transaction_id
        for key in request.key_share_keys:
            removed = self._last_removal.get(key, 0)
            if removed > start:
                return Vote(
                    False, reason=REASON_WRITE, conflict_key=key, conflict_timestamp=removed
                )
            holder = self._held_removals.get(key)
            if holder is not None and holder != mine:
                return Vote(False, reason=REASON_WRITE, conflict_key=key)
        for write in request.writes:
            if write.value is not None:
                continue
            shared = self._last_key_share.get(write.key, 0)
            if shared > start:
                return Vote(
                    False, reason=REASON_WRITE, conflict_key=write.key, conflict_timestamp=shared
                )
            if self._held_key_shares.get(write.key, set()) - {mine}:
                return Vote(False, reason=REASON_WRITE, conflict_key=write.key)
        return None

    def _hold(self, request: CommitRequest) -> None:
        mine = request.transaction_id
        for key in (*(w.key for w in request.writes), *request.lock_keys):
            self._held_writes[key] = mine
        for key in (*request.read_keys, *request.schema_keys):
            self._held_reads.setdefault(key, set()).add(mine)
        for write in request.writes:
            if write.value is None:
                self._held_removals[write.key] = mine
        for key in request.key_share_keys:
            self._held_key_shares.setdefault(key, set()).add(mine)
        if request.read_ranges:
            self._held_ranges[mine] = request.read_ranges
        self._prepared[mine] = request

    def _release(self, request: CommitRequest) -> None:
        mine = request.transaction_id
        for key in (*(w.key for w in request.writes), *request.lock_keys):
            if self._held_writes.get(key) == mine:
                del self._held_writes[key]
        for key in (*request.read_keys, *request.schema_keys):
            holders = self._held_reads.get(key)
            if holders is not None:
                holders.discard(mine)
                if not holders:
                    del self._held_reads[key]
        for write in request.writes:
            if write.value is None and self._held_removals.get(write.key) == mine:
                del self._held_removals[write.key]
        for key in request.key_share_keys:
            sharers = self._held_key_shares.get(key)
            if sharers is not None:
                sharers.discard(mine)
                if not sharers:
                    del self._held_key_shares[key]
        self._held_ranges.pop(mine, None)
        self._prepared.pop(mine, None)

    def _record(self, request: CommitRequest, commit_timestamp: int) -> None:
        if commit_timestamp <= request.start_timestamp:  # checked before formatting
            raise InvariantViolation(
                f"τ_commit {commit_timestamp} not after τ_start {request.start_timestamp}"
            )
        keys = tuple(w.key for w in request.writes) + request.lock_keys
        last_commit = self._last_commit
        for key in keys:
            invariant(
                last_commit.get(key, 0) < commit_timestamp,
                "a key's commits must be recorded in increasing τ",
            )
            last_commit[key] = commit_timestamp
        if keys:
            self._history.append((commit_timestamp, last_commit, keys))
        removed = tuple(w.key for w in request.writes if w.value is None)
        self._remember(self._last_removal, removed, commit_timestamp)
        self._remember(self._last_key_share, request.key_share_keys, commit_timestamp)
        if commit_timestamp > self._max_issued:
            self._max_issued = commit_timestamp
        self.commits += 1

    def _remember(
        self, remembered: MutableMapping[bytes, int], keys: tuple[bytes, ...], timestamp: int
    ) -> None:
        if not keys:
            return
        for key in keys:
            if remembered.get(key, 0) < timestamp:
                remembered[key] = timestamp
        self._history.append((timestamp, remembered, keys))

    def _next_timestamp(self, floor: int) -> int:
        timestamp = max(self._max_issued + 1, self.clock.now().latest, floor)
        self._max_issued = timestamp
        return timestamp

    # ------------------------------------------------------------ participant side
    async def prepare(self, request: CommitRequest) -> Vote:
        vote = self._check(request)
        if vote.ok:
            self._hold(request)
        else:
            self.conflicts += 1
        return vote

    async def decide(self, decision: Decision) -> None:
        request = self._prepared.get(decision.transaction_id)
        if request is None:
            return
        self._release(request)
        if decision.commit_timestamp:
            self._record(request, decision.commit_timestamp)

    # ------------------------------------------------------------ coordinator side
    async def commit(self, request: CommitRequest) -> CommitOutcome:
        parts = split_request(request, self.owners)
        if set(parts) <= {self.index}:
            return await self._commit_alone(parts.get(self.index, request), request)
        return await self._commit_with_peers(parts, request)

    async def _commit_alone(self, own: CommitRequest, request: CommitRequest) -> CommitOutcome:
        vote = self._check(own)
        if not vote.ok:
            self.conflicts += 1
            return _refusal(vote)
        # No await between picking τ and appending: the journal's order is τ order.
        timestamp = self._next_timestamp(request.start_timestamp + 1)
        self._record(own, timestamp)
        durable = self._append(request, timestamp)
        return await self._finish(durable, timestamp)

    async def _commit_with_peers(
        self, parts: dict[int, CommitRequest], request: CommitRequest
    ) -> CommitOutcome:
        own = parts.pop(self.index, None)
        if own is not None:
            vote = self._check(own)
            if not vote.ok:
                self.conflicts += 1
                return _refusal(vote)
            self._hold(own)
        peers = [(self.peers[index], part) for index, part in parts.items()]
        results = await asyncio.gather(
            *(asyncio.wait_for(peer.prepare(part), self.prepare_timeout_s) for peer, part in peers),
            return_exceptions=True,
        )
        refusal: Vote | None = None
        lower_bound = request.start_timestamp + 1
        for result in results:
            if isinstance(result, BaseException):
                log.warning("prepare failed: %r", result)
                refusal = refusal or Vote(False, reason=REASON_UNAVAILABLE)
            elif not result.ok:
                refusal = refusal or result
            else:
                lower_bound = max(lower_bound, result.lower_bound)
        if refusal is not None:
            if own is not None:
                self._release(own)
            await self._tell_peers(peers, Decision(request.transaction_id, 0))
            self.conflicts += 1
            return _refusal(refusal)
        timestamp = self._next_timestamp(lower_bound)
        if own is not None:
            self._release(own)
            self._record(own, timestamp)
        durable = self._append(request, timestamp)
        await self._tell_peers(peers, Decision(request.transaction_id, timestamp))
        return await self._finish(durable, timestamp)

    async def _tell_peers(
        self, peers: Sequence[tuple[AdjudicatorPeer, CommitRequest]], decision: Decision
    ) -> None:
        results = await asyncio.gather(
            *(peer.decide(decision) for peer, _ in peers), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                log.warning("decide failed: %r", result)

    def _append(self, request: CommitRequest, timestamp: int) -> asyncio.Future[None] | None:
        """Give the record its place in the journal now; a transaction that only locked
        keys has nothing to write."""
        if not request.writes:
            return None
        return self.journal.append(CommitRecord(timestamp, request.transaction_id, request.writes))

    async def _finish(self, durable: asyncio.Future[None] | None, timestamp: int) -> CommitOutcome:
        if durable is not None:
            try:
                await durable
            except TideError as error:
                log.error("journal %s failed: %s", self.journal.name, error)
                return CommitOutcome(False, reason=REASON_UNAVAILABLE)
        await self.clock.wait_until_past(timestamp)
        return CommitOutcome(True, commit_timestamp=timestamp)


def _refusal(vote: Vote) -> CommitOutcome:
    return CommitOutcome(
        False,
        reason=vote.reason,
        conflict_key=vote.conflict_key,
        conflict_timestamp=vote.conflict_timestamp,
    )
