"""SIGKILL in the middle of a stream of commits loses no acknowledged commit.

A child process commits in a loop on a data directory and prints each commit only after
it was acknowledged; the test kills it with SIGKILL at a random moment, restarts the
cluster on the same directory, and checks every acknowledged key is there. Three
rounds, so recovery also runs over a directory that was itself recovered and
checkpointed (journal truncation included).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
from tidesql.keys import encode_key

CHILD = Path(__file__).parent / "crash_child.py"
ROUND_ACKS_MIN = 150
ROUND_WAIT_S_MAX = 60.0


def run_until_killed(data_dir: Path, first: int, rng: random.Random) -> list[int]:
    process = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), str(first)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    acknowledged: list[int] = []
    target = ROUND_ACKS_MIN + rng.randint(0, 200)
    deadline = time.monotonic() + ROUND_WAIT_S_MAX
    try:
        for line in process.stdout:
            if line.startswith("ack "):
                acknowledged.append(int(line.split()[1]))
            if len(acknowledged) >= target or time.monotonic() > deadline:
                break
        os.kill(process.pid, signal.SIGKILL)
        # Whatever was printed before the kill was acknowledged too.
        for line in process.stdout:
            if line.startswith("ack "):
                acknowledged.append(int(line.split()[1]))
    finally:
        process.kill()
        process.wait()
    assert len(acknowledged) >= ROUND_ACKS_MIN, "the child did not get going"
    return acknowledged


async def read_back(data_dir: Path, numbers: list[int]) -> list[int]:
    missing = []
    async with EmbeddedCluster(ClusterConfig(data_dir=data_dir)) as cluster:
        txn = cluster.begin(az="az2")
        for n in numbers:
            if await txn.get(encode_key((1000, 0, n))) != str(n).encode():
                missing.append(n)
            if n % 10 == 0 and await txn.get(encode_key((5, 0, n))) != str(n).encode():
                missing.append(-n)
        await txn.commit()
    return missing


async def test_sigkill_loses_no_acknowledged_commit(tmp_path: Path) -> None:
    rng = random.Random()
    acknowledged: list[int] = []
    for round_number in range(3):
        acknowledged += run_until_killed(tmp_path, 1_000_000 * round_number, rng)
        missing = await read_back(tmp_path, acknowledged)
        assert missing == [], f"round {round_number}: acknowledged commits lost: {missing[:20]}"
    assert (tmp_path / "checkpoint.ckpt").exists(), "checkpoints were never written"
