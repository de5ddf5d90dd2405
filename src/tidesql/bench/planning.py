"""Per-statement overhead of parsing and planning, cold and from the plan cache.

Usage::

    python -m tidesql.bench.planning [--repeat 2000]

For a point SELECT, an UPDATE by key and a three-table join it prints, in microseconds
per statement: parse (libpg_query), plan (bind + plan, cold: a fresh Planner each
time), and a whole execution through ``Session.execute_prepared`` whose plan comes from
the cache, so the difference shows what the cache saves. Runs in process against an
embedded cluster with memory journals.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

from tidesql.cluster.embedded import EmbeddedCluster
from tidesql.sql.engine import Engine
from tidesql.sql.parser import parse
from tidesql.sql.planner import Planner
from tidesql.sql.session import Session
from tidesql.sql.statements import PLANNERS

SETUP = [
    "CREATE TABLE customers (id int PRIMARY KEY, name text, region int)",
    "CREATE TABLE orders (id int PRIMARY KEY, customer int, total numeric(10,2))",
    "CREATE TABLE regions (id int PRIMARY KEY, label text)",
]
STATEMENTS: dict[str, tuple[str, Callable[[int], list[Any]]]] = {
    "point select": ("SELECT name FROM customers WHERE id = $1", lambda i: [i % 500 + 1]),
    "update by key": (
        "UPDATE customers SET region = region + 1 WHERE id = $1",
        lambda i: [i % 500 + 1],
    ),
    "3-table join": (
        "SELECT c.name, o.total, r.label FROM orders o JOIN customers c ON c.id = o.customer "
        "JOIN regions r ON r.id = c.region WHERE o.id = $1",
        lambda i: [i % 500 + 1],
    ),
}


async def run(repeat: int) -> None:
    async with EmbeddedCluster() as cluster:
        engine = Engine(cluster)
        await engine.start()
        session = Session(engine)
        for sql in SETUP:
            async for _ in session.execute_simple(sql):
                pass
        for sql in (
            "INSERT INTO regions SELECT g, 'r' || g FROM generate_series(1, 10) g",
            "INSERT INTO customers SELECT g, 'c' || g, g % 10 + 1 FROM generate_series(1, 500) g",
            "INSERT INTO orders SELECT g, g % 500 + 1, g FROM generate_series(1, 500) g",
        ):
            async for _ in session.execute_simple(sql):
                pass
        transaction = await session.ensure_transaction()
        catalog = transaction.catalog
        session._rollback()
        print(f"per statement, µs (mean of {repeat}); in process, memory journals")
        print(f"{'statement':<14} {'parse':>8} {'plan cold':>10} {'execute cached':>15}")
        for name, (sql, params) in STATEMENTS.items():
            started = time.perf_counter()
            for _ in range(repeat):
                (statement,) = parse(sql)
            parse_us = (time.perf_counter() - started) / repeat * 1e6
            started = time.perf_counter()
            for _ in range(repeat):
                planner = Planner(catalog, session.search_path())
                PLANNERS[statement.kind](planner, statement.node, catalog)
            plan_us = (time.perf_counter() - started) / repeat * 1e6
            prepared = await session.prepare(sql, [])
            started = time.perf_counter()
            for i in range(repeat):
                await session.execute_prepared(prepared, params(i))
            execute_us = (time.perf_counter() - started) / repeat * 1e6
            print(f"{name:<14} {parse_us:>8.1f} {plan_us:>10.1f} {execute_us:>15.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args(argv)
    asyncio.run(run(args.repeat))


if __name__ == "__main__":
    main()
