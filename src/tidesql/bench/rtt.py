"""The round-trip table of the talk: how often a read, a write and a commit cross AZs.

``tidesql bench rtt`` starts ``tidesql serve`` once per layout with a one-way delay
injected between AZs (and between regions), opens one session per AZ (connections are
given AZs round robin), and runs transactions of R point reads and W point updates
each, retrying on 40001; each session updates
only its own rows (ids ≡ its number mod the session count), so conflicts do not blur
the counts. Every session then reads ``sys.round_trips``, where the server
counted each round trip its work caused between AZs and between regions, by phase. The
table gives the average per read, per write and per commit next to the talk's figures:

* one region, three AZs: reads 0, writes 0, commit 1.67 — 2/3 of the time the
  adjudicator is in another AZ, plus one round trip to make the journal durable;
* two regions and a witness: reads 0, writes 0, commit 1.5 round trips between regions
  — half the time the adjudicator is in the other region, plus one to a second region.

The measured latencies show what the crossings cost at the injected delay. With
``--dsn`` the workload runs against a server that is already running instead.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

PHASES = ("read", "write", "commit")
#: The talk's figures (seed 002) for DSQL: (AZ round trips, region round trips).
TALK: dict[str, dict[str, str]] = {
    "one-region": {"read": "0", "write": "0", "commit": "1.67"},
    "two-region": {"read": "0", "write": "0", "commit": "1.5 (or 2)"},
}
STARTUP_TIMEOUT_S = 60.0


@dataclass
class PhaseResult:
    operations: int = 0
    az_round_trips: int = 0
    region_round_trips: int = 0
    seconds: float = 0.0
    timed: int = 0

    @property
    def az_per_operation(self) -> float:
        return self.az_round_trips / self.operations if self.operations else 0.0

    @property
    def region_per_operation(self) -> float:
        return self.region_round_trips / self.operations if self.operations else 0.0

    @property
    def mean_ms(self) -> float:
        return 1000.0 * self.seconds / self.timed if self.timed else 0.0


@dataclass
class LayoutResult:
    label: str
    sessions: int
    committed: int = 0
    aborted: int = 0
    phases: dict[str, PhaseResult] = field(
        default_factory=lambda: {phase: PhaseResult() for phase in PHASES}
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def tidesql_server(layout: str, az_delay_ms: float, region_delay_ms: float) -> Iterator[str]:
    """``tidesql serve`` (in memory) with the layout and delays; yields its DSN."""
    port = _free_port()
    command = [
        sys.executable, "-m", "tidesql.cli", "serve", "--ephemeral", "--no-tls",
        "--port", str(port), "--layout", layout,
        "--az-delay-ms", str(az_delay_ms), "--region-delay-ms", str(region_delay_ms),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        output: list[str] = []
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("tidesql serve exited:\n" + "".join(output))
            output.append(line)
            if "listening on" in line:
                break
        else:
            raise RuntimeError("tidesql serve did not start:\n" + "".join(output))
        yield f"host=127.0.0.1 port={port} user=admin dbname=postgres sslmode=disable"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _load(dsn: str, rows: int) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_rtt (id int PRIMARY KEY, counter int NOT NULL)"
        )
        # DSQL caps a transaction at 3,000 rows.
        for low in range(1, rows + 1, 2500):
            high = min(rows, low + 2499)
            await connection.execute(
                "INSERT INTO bench_rtt SELECT g, 0 FROM generate_series(%s::int, %s::int) g "
                "ON CONFLICT (id) DO NOTHING",
                (low, high),
            )


async def _client(
    dsn: str,
    number: int,
    sessions: int,
    transactions: int,
    reads: int,
    writes: int,
    rows: int,
    result: LayoutResult,
    done: list[int],
) -> None:
    import psycopg

    rng = random.Random()
    own_rows = range(number + 1, rows + 1, sessions)
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        read, write, commit = (result.phases[p] for p in PHASES)
        for _ in range(transactions):
            while True:
                try:
                    await connection.execute("BEGIN")
                    for _ in range(reads):
                        started = time.perf_counter()
                        await connection.execute(
                            "SELECT counter FROM bench_rtt WHERE id = %s", (rng.randint(1, rows),)
                        )
                        read.seconds += time.perf_counter() - started
                        read.timed += 1
                    for _ in range(writes):
                        started = time.perf_counter()
                        await connection.execute(
                            "UPDATE bench_rtt SET counter = counter + 1 WHERE id = %s",
                            (rng.choice(own_rows),),
                        )
                        write.seconds += time.perf_counter() - started
                        write.timed += 1
                    started = time.perf_counter()
                    await connection.execute("COMMIT")
                    commit.seconds += time.perf_counter() - started
                    commit.timed += 1
                    result.committed += 1
                    break
                except psycopg.errors.SerializationFailure:
                    result.aborted += 1
                    await connection.execute("ROLLBACK")
            done[0] += 1
        cursor = await connection.execute(
            "SELECT phase, operations, az_round_trips, region_round_trips FROM sys.round_trips"
        )
        for phase, operations, az_round_trips, region_round_trips in await cursor.fetchall():
            if phase in result.phases:
                counted = result.phases[phase]
                counted.operations += operations
                counted.az_round_trips += az_round_trips
                counted.region_round_trips += region_round_trips


async def run_rtt(
    dsn: str,
    label: str,
    sessions: int,
    transactions: int,
    reads: int,
    writes: int,
    rows: int,
    progress: bool = True,
) -> LayoutResult:
    if rows < sessions:
        raise ValueError("--rows must be at least the number of sessions")
    await _load(dsn, rows)
    result = LayoutResult(label, sessions)
    done = [0]
    shares = [transactions // sessions + (i < transactions % sessions) for i in range(sessions)]
    clients = asyncio.gather(
        *(
            _client(dsn, number, sessions, share, reads, writes, rows, result, done)
            for number, share in enumerate(shares)
        )
    )
    while not clients.done():
        if progress:
            print(f"\r{label}: {done[0]}/{transactions} transactions", end="", file=sys.stderr)
        await asyncio.wait([clients], timeout=0.5)
    await clients
    if progress:
        print(f"\r{label}: {done[0]}/{transactions} transactions", file=sys.stderr)
    return result


def format_table(results: list[LayoutResult], az_delay_ms: float, region_delay_ms: float) -> str:
    lines = [
        f"round trips per operation (one-way delay injected: {az_delay_ms:g} ms between AZs, "
        f"{region_delay_ms:g} ms between regions)",
        f"{'layout':<12} {'operation':<9} {'count':>6} {'AZ RTT/op':>10} {'region RTT/op':>14} "
        f"{'mean ms':>8}  talk (DSQL)",
    ]
    for result in results:
        talk = TALK.get(result.label, {})
        for phase in PHASES:
            counted = result.phases[phase]
            lines.append(
                f"{result.label:<12} {phase:<9} {counted.operations:>6} "
                f"{counted.az_per_operation:>10.2f} {counted.region_per_operation:>14.2f} "
                f"{counted.mean_ms:>8.2f}  {talk.get(phase, '-')}"
            )
        lines.append(
            f"{result.label:<12} {result.sessions} sessions, {result.committed} committed, "
            f"{result.aborted} retried after 40001"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tidesql bench rtt", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--layouts", default="one-region,two-region", help="comma separated: one-region,two-region"
    )
    parser.add_argument("--az-delay-ms", type=float, default=1.0)
    parser.add_argument("--region-delay-ms", type=float, default=10.0)
    parser.add_argument("--transactions", type=int, default=300)
    parser.add_argument("--reads", type=int, default=4, help="point reads per transaction")
    parser.add_argument("--writes", type=int, default=2, help="point updates per transaction")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, help="default: one per AZ of the layout")
    parser.add_argument("--dsn", help="run against this server instead of starting one")
    args = parser.parse_args(argv)

    def run(dsn: str, label: str, sessions: int) -> LayoutResult:
        workload = (args.transactions, args.reads, args.writes, args.rows)
        return asyncio.run(run_rtt(dsn, label, sessions, *workload))

    results: list[LayoutResult] = []
    if args.dsn:
        results.append(run(args.dsn, "given", args.sessions or 3))
    else:
        for layout in (name.strip() for name in args.layouts.split(",") if name.strip()):
            if layout not in TALK:
                parser.error(f"unknown layout {layout!r}")
            sessions = args.sessions or (3 if layout == "one-region" else 6)
            with tidesql_server(layout, args.az_delay_ms, args.region_delay_ms) as dsn:
                results.append(run(dsn, layout, sessions))
    print(format_table(results, args.az_delay_ms, args.region_delay_ms))


if __name__ == "__main__":
    main()
