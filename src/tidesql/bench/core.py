"""In-process throughput of the transaction core, and memory per stored row.

Usage::

    python -m tidesql.bench.core [--seconds 3] [--clients 4] [--rows 100000]
                                 [--memory-rows 1000000] [--data-dir DIR]

Runs three workloads against an embedded cluster (memory journals unless --data-dir,
which uses file journals with fsync on every group commit) with ``--clients``
concurrent asyncio clients, and prints transactions per second for each:

* ``point-read``: one ``get`` of a random key, read-only commit;
* ``write-2``: two ``put``s of random keys and a commit;
* ``mix-16r-2w``: sixteen ``get``s and two ``put``s and a commit.

Then it loads ``--memory-rows`` rows of 100-byte values into a fresh cluster and
prints the resident memory the load added, per million rows (all three AZ replicas
included, since that is what the embedded cluster holds).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
from tidesql.errors import SerializationFailure
from tidesql.keys import encode_key
from tidesql.txn import Transaction

TABLE_ID = 1000


def row_key(n: int) -> bytes:
    return encode_key((TABLE_ID, 0, n))


async def load(cluster: EmbeddedCluster, rows: int, value: bytes, batch: int = 2_000) -> None:
    for first in range(0, rows, batch):
        txn = cluster.begin()
        for n in range(first, min(rows, first + batch)):
            txn.put(row_key(n), value)
        await txn.commit()


async def measure(
    cluster: EmbeddedCluster,
    seconds: float,
    clients: int,
    body: Callable[[Transaction, random.Random], Awaitable[None]],
) -> tuple[float, int]:
    deadline = time.perf_counter() + seconds
    committed = 0
    aborted = 0

    async def client(seed: int) -> None:
        nonlocal committed, aborted
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            txn = cluster.begin()
            await body(txn, rng)
            try:
                await txn.commit()
                committed += 1
            except SerializationFailure:
                aborted += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(seed) for seed in range(clients)))
    return committed / (time.perf_counter() - started), aborted


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize()


async def throughput(args: argparse.Namespace, data_dir: Path | None) -> None:
    config = ClusterConfig(data_dir=data_dir, limits=ClusterConfig().limits)
    async with EmbeddedCluster(config) as cluster:
        await load(cluster, args.rows, b"x" * 100)
        rows = args.rows

        async def point_read(txn: Transaction, rng: random.Random) -> None:
            await txn.get(row_key(rng.randrange(rows)))

        async def write_2(txn: Transaction, rng: random.Random) -> None:
            txn.put(row_key(rng.randrange(rows)), b"y" * 100)
            txn.put(row_key(rng.randrange(rows)), b"y" * 100)

        async def mix(txn: Transaction, rng: random.Random) -> None:
            for _ in range(16):
                await txn.get(row_key(rng.randrange(rows)))
            txn.put(row_key(rng.randrange(rows)), b"z" * 100)
            txn.put(row_key(rng.randrange(rows)), b"z" * 100)

        journal = "file journals, fsync" if data_dir else "memory journals"
        print(f"transaction core, in process, {args.clients} clients, {rows} rows, {journal}")
        print(f"{'workload':<12} {'txn/s':>10} {'aborted':>8}")
        for name, body in (("point-read", point_read), ("write-2", write_2), ("mix-16r-2w", mix)):
            rate, aborted = await measure(cluster, args.seconds, args.clients, body)
            print(f"{name:<12} {rate:>10.0f} {aborted:>8}")


async def memory(args: argparse.Namespace) -> None:
    gc.collect()
    before = rss_bytes()
    async with EmbeddedCluster(ClusterConfig()) as cluster:
        await load(cluster, args.memory_rows, b"v" * 100)
        gc.collect()
        after = rss_bytes()
        replicas = len(cluster.azs)
    per_million = (after - before) / args.memory_rows * 1_000_000
    print(
        f"memory: {args.memory_rows} rows × 100-byte values in {replicas} AZ replicas: "
        f"{(after - before) / 2**20:.0f} MiB resident, "
        f"{per_million / 2**20:.0f} MiB per million rows "
        f"({per_million / replicas / 2**20:.0f} MiB per replica)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--durable", action="store_true", help="file journals in a temp dir")
    args = parser.parse_args(argv)
    data_dir = args.data_dir
    if args.durable and data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="tidesql-bench-"))
    asyncio.run(throughput(args, data_dir))
    if args.memory_rows:
        asyncio.run(memory(args))


if __name__ == "__main__":
    main()
