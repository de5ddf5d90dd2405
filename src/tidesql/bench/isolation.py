"""The talk's micro-benchmark (seed 002): isolation levels under contention.

``tidesql bench isolation`` loads a 10,000-row table, then runs, for every isolation
level and every N, W concurrent clients (4 by default) for a few seconds each:

* ``rw``: each transaction reads N random rows and updates 2 of them;
* ``upd``: each transaction updates N random rows.

A transaction that fails (40001 serialization failure, 40P01 deadlock) is counted as
aborted and retried. It prints committed and aborted transactions per second for each
(target, level, N), and with ``--chart FILE.png`` draws them side by side.
Targets are any PostgreSQL-protocol DSNs: PostgreSQL itself, and tidesql in extended
mode (DSQL mode allows only REPEATABLE READ).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

ROWS = 10_000
LEVELS = ("read committed", "repeatable read", "serializable")
RETRYABLE = ("40001", "40P01")


@dataclass
class Cell:
    target: str
    workload: str
    level: str
    n: int
    committed_per_s: float
    aborted_per_s: float


async def load(dsn: str) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute("DROP TABLE IF EXISTS bench_isolation")
        await connection.execute("CREATE TABLE bench_isolation (id int PRIMARY KEY, v int)")
        for first in range(1, ROWS + 1, 2000):
            values = ",".join(f"({n}, 0)" for n in range(first, min(ROWS, first + 1999) + 1))
            await connection.execute(f"INSERT INTO bench_isolation VALUES {values}")


async def run_cell(
    dsn: str, workload: str, level: str, n: int, clients: int, seconds: float
) -> tuple[float, float]:
    import psycopg

    committed = 0
    aborted = 0
    deadline = time.perf_counter() + seconds

    async def client(seed: int) -> None:
        nonlocal committed, aborted
        rng = random.Random(seed)
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
            while time.perf_counter() < deadline:
                keys = rng.sample(range(1, ROWS + 1), n)
                try:
                    await connection.execute(f"BEGIN ISOLATION LEVEL {level.upper()}")
                    if workload == "rw":
                        for key in keys:
                            await connection.execute(
                                "SELECT v FROM bench_isolation WHERE id = %s", (key,)
                            )
                        targets = keys[:2]
                    else:
                        targets = keys
                    for key in targets:
                        await connection.execute(
                            "UPDATE bench_isolation SET v = v + 1 WHERE id = %s", (key,)
                        )
                    await connection.execute("COMMIT")
                    committed += 1
                except psycopg.Error as error:
                    if error.sqlstate not in RETRYABLE:
                        raise
                    aborted += 1
                    await connection.execute("ROLLBACK")

    started = time.perf_counter()
    await asyncio.gather(*(client(seed) for seed in range(clients)))
    elapsed = time.perf_counter() - started
    return committed / elapsed, aborted / elapsed


async def run(
    targets: dict[str, str],
    workloads: list[str],
    levels: list[str],
    ns: list[int],
    clients: int,
    seconds: float,
) -> list[Cell]:
    cells: list[Cell] = []
    for name, dsn in targets.items():
        await load(dsn)
        for workload in workloads:
            for level in levels:
                for n in ns:
                    committed, aborted = await run_cell(dsn, workload, level, n, clients, seconds)
                    cells.append(Cell(name, workload, level, n, committed, aborted))
                    print(
                        f"  {name:<10} {workload:<4} {level:<16} N={n:<3} "
                        f"committed {committed:8.0f}/s  aborted {aborted:7.0f}/s",
                        flush=True,
                    )
    return cells


def print_table(cells: list[Cell]) -> None:
    print(f"\n{'target':<10} {'load':<4} {'level':<16} {'N':>3} {'commits/s':>10} {'aborts/s':>9}")
    for cell in cells:
        print(
            f"{cell.target:<10} {cell.workload:<4} {cell.level:<16} {cell.n:>3} "
            f"{cell.committed_per_s:>10.0f} {cell.aborted_per_s:>9.0f}"
        )


def draw_chart(cells: list[Cell], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = sorted({c.workload for c in cells})
    targets = sorted({c.target for c in cells})
    figure, axes = plt.subplots(
        len(workloads),
        len(targets),
        squeeze=False,
        figsize=(5 * len(targets), 3.5 * len(workloads)),
    )
    for row, workload in enumerate(workloads):
        for column, target in enumerate(targets):
            axis: Any = axes[row][column]
            for level in LEVELS:
                points = sorted(
                    (c.n, c.committed_per_s, c.aborted_per_s)
                    for c in cells
                    if c.workload == workload and c.target == target and c.level == level
                )
                if not points:
                    continue
                ns = [p[0] for p in points]
                line = axis.plot(ns, [p[1] for p in points], marker="o", label=f"{level} commits")
                axis.plot(
                    ns,
                    [p[2] for p in points],
                    marker="x",
                    linestyle="--",
                    color=line[0].get_color(),
                    label=f"{level} aborts",
                )
            axis.set_title(f"{target}: {workload}")
            axis.set_xlabel("N (rows per transaction)")
            axis.set_ylabel("transactions/s")
            axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="tidesql bench isolation", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        help="NAME=DSN (repeatable), e.g. postgres='host=… user=postgres'",
    )
    parser.add_argument("--workload", default="rw,upd")
    parser.add_argument("--levels", default=",".join(LEVELS))
    parser.add_argument("--n", default="2,8,16")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--chart", help="write a PNG chart here")
    args = parser.parse_args(argv)
    targets = dict(t.split("=", 1) for t in args.target)
    if not targets:
        parser.error("give at least one --target NAME=DSN")
    cells = asyncio.run(
        run(
            targets,
            args.workload.split(","),
            [level.strip() for level in args.levels.split(",")],
            [int(n) for n in args.n.split(",")],
            args.clients,
            args.seconds,
        )
    )
    print_table(cells)
    if args.chart:
        draw_chart(cells, args.chart)
        print(f"chart: {args.chart}")


if __name__ == "__main__":
    main()
