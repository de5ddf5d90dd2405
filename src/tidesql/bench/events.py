"""The load test of seed 000: write events, then count them from a reader.

``tidesql bench events`` has V virtual users insert E events in total (default 20 users,
1,000 events), each insert in its own transaction, retried on SQLSTATE 40001, through a
*write* DSN. Then validation passes read through a *read* DSN — immediately, then after
the waits the seed used (20 s, 10 s, 10 s by default, shortened with ``--waits``) — and
report how many of the acknowledged events each pass found.

Against tidesql every replica answers reads as of the reader's snapshot, so pass 1 finds
every acknowledged event with no wait. To show what the seed's author saw, ``--postgres
-replica`` starts a PostgreSQL primary with an asynchronous streaming standby on
loopback ports in a temporary directory and runs the same workload writing to the
primary and reading from the standby.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RETRIES_MAX = 20


@dataclass
class PassResult:
    number: int
    waited_s: float
    found: int
    new: int
    missing: int


async def write_events(
    dsn: str, read_dsn: str, run_id: str, users: int, events: int, progress: bool
) -> tuple[int, int, float, int]:
    """Insert the events; right after each commit read the event back through the read
    DSN (seed 001's create-then-get). Return (acknowledged, retried, seconds, misses)."""
    import psycopg

    acknowledged = 0
    retried = 0
    next_event = 0
    read_misses = 0
    started = time.perf_counter()

    async def user(number: int) -> None:
        nonlocal acknowledged, retried, next_event, read_misses
        async with (
            await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection,
            await psycopg.AsyncConnection.connect(read_dsn, autocommit=True) as reader,
        ):
            while next_event < events:
                sequence = next_event
                next_event += 1
                for _attempt in range(RETRIES_MAX):
                    try:
                        await connection.execute(
                            "INSERT INTO bench_events (run_id, seq, vu, payload) "
                            "VALUES (%s, %s, %s, %s)",
                            (run_id, sequence, number, f"event {sequence} from VU {number}"),
                        )
                        acknowledged += 1
                        cursor = await reader.execute(
                            "SELECT 1 FROM bench_events WHERE run_id = %s AND seq = %s",
                            (run_id, sequence),
                        )
                        if await cursor.fetchone() is None:
                            read_misses += 1
                        break
                    except psycopg.errors.SerializationFailure:
                        retried += 1
                if progress and sequence % 200 == 0:
                    print(f"  written {acknowledged}/{events}", flush=True)

    await asyncio.gather(*(user(n) for n in range(users)))
    return acknowledged, retried, time.perf_counter() - started, read_misses


async def validate(
    dsn: str, run_id: str, waits: list[float], expected: int, progress: bool
) -> list[PassResult]:
    import psycopg

    results: list[PassResult] = []
    seen: set[int] = set()
    total_wait = 0.0
    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        for number, wait_s in enumerate(waits, start=1):
            if wait_s > 0:
                if progress:
                    print(f"  pass {number}: waiting {wait_s:g} s", flush=True)
                await asyncio.sleep(wait_s)
            total_wait += wait_s
            cursor = await connection.execute(
                "SELECT seq FROM bench_events WHERE run_id = %s", (run_id,)
            )
            found = {row[0] for row in await cursor.fetchall()}
            results.append(
                PassResult(number, total_wait, len(found), len(found - seen), expected - len(found))
            )
            seen |= found
            if len(found) >= expected:
                break
    return results


async def run_events(
    write_dsn: str,
    read_dsn: str,
    users: int,
    events: int,
    waits: list[float],
    progress: bool = True,
) -> dict[str, Any]:
    import psycopg

    async with await psycopg.AsyncConnection.connect(write_dsn, autocommit=True) as connection:
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_events (run_id text, seq int, vu int, "
            "payload text, PRIMARY KEY (run_id, seq))"
        )
    run_id = uuid.uuid4().hex
    acknowledged, retried, seconds, misses = await write_events(
        write_dsn, read_dsn, run_id, users, events, progress
    )
    passes = await validate(read_dsn, run_id, waits, acknowledged, progress)
    return {
        "acknowledged": acknowledged,
        "retried": retried,
        "write_s": seconds,
        "passes": passes,
        "read_after_commit_misses": misses,
    }


def print_report(label: str, report: dict[str, Any]) -> None:
    print(
        f"\n{label}: {report['acknowledged']} events acknowledged in "
        f"{report['write_s']:.1f} s ({report['retried']} retries on 40001)"
    )
    misses = report["read_after_commit_misses"]
    print(
        f"read right after each commit: {misses} of {report['acknowledged']} missed "
        f"({100.0 * misses / max(1, report['acknowledged']):.1f}%)"
    )
    print(f"{'pass':<6} {'after':>8} {'found':>14} {'new':>6} {'missing':>8}")
    for result in report["passes"]:
        share = 100.0 * result.found / max(1, report["acknowledged"])
        print(
            f"{result.number:<6} {result.waited_s:>7g}s {result.found:>6} ({share:5.1f}%) "
            f"{result.new:>6} {result.missing:>8}"
        )


# ---------------------------------------------------------------- PostgreSQL primary + standby
def _pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install postgresql)")
    return versions[-1]


def _as_postgres(command: list[str]) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + command, check=True, capture_output=True, text=True)


@contextmanager
def postgres_primary_and_standby(port: int) -> Iterator[tuple[str, str]]:
    """A throwaway primary (``port``) with an asynchronous streaming standby (port + 1)."""
    binaries = _pg_bin()
    base = Path(tempfile.mkdtemp(prefix="tidesql-pg-"))
    primary, standby = base / "primary", base / "standby"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    try:
        _as_postgres(
            [str(binaries / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres"]
        )
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nwal_level = replica\n"
                "max_wal_senders = 4\nunix_socket_directories = '/tmp'\n"
            )
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        _as_postgres(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(primary),
                "-l",
                str(base / "primary.log"),
                "-w",
                "start",
            ]
        )
        _as_postgres(
            [
                str(binaries / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-D",
                str(standby),
                "-R",
                "-X",
                "stream",
            ]
        )
        with open(standby / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {port + 1}\nhot_standby = on\n")
        _as_postgres(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(standby),
                "-l",
                str(base / "standby.log"),
                "-w",
                "start",
            ]
        )
        yield (
            f"host=127.0.0.1 port={port} user=postgres dbname=postgres",
            f"host=127.0.0.1 port={port + 1} user=postgres dbname=postgres",
        )
    finally:
        for directory in (standby, primary):
            if directory.exists():
                subprocess.run(
                    (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                    + [str(binaries / "pg_ctl"), "-D", str(directory), "-m", "fast", "-w", "stop"],
                    capture_output=True,
                    check=False,
                )
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="tidesql bench events", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--write-dsn", help="where events are written (default: --read-dsn)")
    parser.add_argument("--read-dsn", help="where validation reads (default: --write-dsn)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument(
        "--waits",
        default="0,20,10,10",
        help="seconds to wait before each validation pass (comma separated)",
    )
    parser.add_argument(
        "--postgres-replica",
        action="store_true",
        help="also run against a PostgreSQL primary with an async standby",
    )
    parser.add_argument("--postgres-port", type=int, default=55432)
    args = parser.parse_args(argv)
    waits = [float(w) for w in args.waits.split(",") if w.strip()]
    write_dsn = args.write_dsn or args.read_dsn
    read_dsn = args.read_dsn or args.write_dsn
    if write_dsn:
        report = asyncio.run(run_events(write_dsn, read_dsn, args.users, args.events, waits))
        print_report(f"write {write_dsn} / read {read_dsn}", report)
    if args.postgres_replica:
        with postgres_primary_and_standby(args.postgres_port) as (primary, standby):
            report = asyncio.run(run_events(primary, standby, args.users, args.events, waits))
            print_report("PostgreSQL: write primary / read async standby", report)
    if not write_dsn and not args.postgres_replica:
        parser.error("give --write-dsn/--read-dsn and/or --postgres-replica")


if __name__ == "__main__":
    main()
