"""Child process for the crash test: commit forever, print each acknowledged commit.

Usage: python tests/crash_child.py DATA_DIR FIRST_NUMBER

Each transaction writes key (1000, 0, n) = b"n" and, every tenth, two keys on
different adjudicators' sides of the catalog split. A line "ack n" is printed and
flushed only after ``commit()`` returned, i.e. after the record was durable.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
from tidesql.keys import encode_key


async def main(data_dir: Path, first: int) -> None:
    config = ClusterConfig(
        data_dir=data_dir, checkpoint_interval_s=0.3, gc_interval_s=0.1, segment_bytes_max=16 * 1024
    )
    cluster = EmbeddedCluster(config)
    await cluster.start()
    print("ready", flush=True)
    number = first

    async def writer(lane: int) -> None:
        nonlocal number
        while True:
            n = number
            number += 1
            txn = cluster.begin()
            txn.put(encode_key((1000, 0, n)), str(n).encode())
            if n % 10 == 0:
                txn.put(encode_key((5, 0, n)), str(n).encode())
            await txn.commit()
            sys.stdout.write(f"ack {n}\n")
            sys.stdout.flush()

    await asyncio.gather(*(writer(lane) for lane in range(4)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
