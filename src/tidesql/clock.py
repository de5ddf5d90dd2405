"""Bounded-error clocks: time as an interval that contains true time.

A clock never returns a single instant. ``now()`` returns ``TimeInterval(earliest,
latest)`` in integer nanoseconds since the Unix epoch, with the promise that true time
lies inside it. The transaction protocol is built on that promise:

* a transaction starts at ``τ_start = now().latest``: no commit that returned before the
  transaction began can have a larger timestamp;
* an adjudicator commits at ``τ_commit ≥ now().latest`` and answers the client only once
  ``now().earliest > τ_commit`` (commit wait), so any transaction that starts after the
  answer picks ``τ_start > τ_commit`` and sees the commit.

``SystemClock`` reads the host's clock with a configured error bound (0 in one process,
where every component shares one clock). ``SimulatedClock`` lets tests skew, drift and
widen the error of each component's clock independently, to show that the protocol
holds as long as every interval contains true time.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

NANOS_PER_SECOND = 1_000_000_000
#: Upper bound on one sleep while waiting for a clock, so a waiter notices a clock change.
CLOCK_WAIT_SLICE_S = 0.050


@dataclass(frozen=True, slots=True)
class TimeInterval:
    earliest: int
    latest: int


class Clock(Protocol):
    def now(self) -> TimeInterval: ...

    async def wait_until_past(self, timestamp: int) -> None:
        """Return once ``now().earliest > timestamp``."""
        ...


async def _sleep_until_past(clock: Clock, timestamp: int) -> None:
    while True:
        earliest = clock.now().earliest
        if earliest > timestamp:
            return
        gap_s = (timestamp - earliest + 1) / NANOS_PER_SECOND
        await asyncio.sleep(min(gap_s, CLOCK_WAIT_SLICE_S))


class SystemClock:
    """The host clock, made monotonic within the process, with an error bound.

    The wall clock can step backwards (NTP); anchoring the monotonic clock to the wall
    clock once at start keeps our timestamps strictly non-decreasing in this process.
    """

    def __init__(self, error_bound_ns: int = 0) -> None:
        if error_bound_ns < 0:
            raise ValueError("error_bound_ns must be non-negative")
        self.error_bound_ns = error_bound_ns
        self._offset_ns = time.time_ns() - time.monotonic_ns()

    def now(self) -> TimeInterval:
        t = time.monotonic_ns() + self._offset_ns
        return TimeInterval(t - self.error_bound_ns, t + self.error_bound_ns)

    async def wait_until_past(self, timestamp: int) -> None:
        await _sleep_until_past(self, timestamp)


class TrueTime(Protocol):
    def __call__(self) -> int: ...


class SimulatedClock:
    """A clock for tests: true time plus skew and drift, with an adjustable error bound.

    The reading is ``true + skew + drift_ppm·(true − start)/10⁶``; the interval is the
    reading ± error. ``honest`` is True while the interval still contains true time,
    which a test may break on purpose to show what then goes wrong.

    With ``manual=True`` true time only moves when the test calls :meth:`advance`,
    so a test controls time exactly; otherwise true time is the host's monotonic clock.
    """

    def __init__(
        self,
        *,
        skew_ns: int = 0,
        drift_ppm: float = 0.0,
        error_ns: int = 0,
        manual: bool = False,
        start_ns: int | None = None,
    ) -> None:
        self.skew_ns = skew_ns
        self.drift_ppm = drift_ppm
        self.error_ns = error_ns
        self.manual = manual
        self._offset_ns = time.time_ns() - time.monotonic_ns()
        self._manual_true_ns = start_ns if start_ns is not None else time.time_ns()
        self._start_true_ns = self.true_now()
        self._advanced = asyncio.Event() if manual else None

    def true_now(self) -> int:
        if self.manual:
            return self._manual_true_ns
        return time.monotonic_ns() + self._offset_ns

    def advance(self, nanoseconds: int) -> None:
        if not self.manual:
            raise RuntimeError("advance() needs a manual clock")
        if nanoseconds < 0:
            raise ValueError("true time does not go backwards")
        self._manual_true_ns += nanoseconds
        if self._advanced is not None:
            self._advanced.set()
            self._advanced = asyncio.Event()

    def reading(self) -> int:
        true_ns = self.true_now()
        drift = int(self.drift_ppm * (true_ns - self._start_true_ns) / 1_000_000)
        return true_ns + self.skew_ns + drift

    def now(self) -> TimeInterval:
        reading = self.reading()
        return TimeInterval(reading - self.error_ns, reading + self.error_ns)

    @property
    def honest(self) -> bool:
        interval = self.now()
        return interval.earliest <= self.true_now() <= interval.latest

    async def wait_until_past(self, timestamp: int) -> None:
        if not self.manual:
            await _sleep_until_past(self, timestamp)
            return
        while self.now().earliest <= timestamp:
            event = self._advanced
            if event is None:  # pragma: no cover - manual clocks always have one
                raise RuntimeError("manual clock without an event")
            await event.wait()
