"""Golden scripts for the transaction core, one file per anomaly or protocol scenario.

Each file in ``tests/core_scripts/`` is a list of commands; the lines starting with
``> `` after a command are what it printed. The runner executes the commands against
a real embedded cluster and compares the transcript with the file. To accept new
output after a deliberate change, run with ``UPDATE_GOLDEN=1`` and review the diff.

Commands::

    cluster: split m             # shards and adjudicators cut at key 'm'
    setup: x=1 y=2               # one committed transaction writing these keys
    t1: begin [rc|rr|ser] [az1|az2|az3]
    t1: get x | put x 5 | delete x | lock x | keyshare x | scan a z | statement | schema x
    t1: commit | rollback

Keys are names inside one user table; values are short strings.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tidesql.cluster.embedded import ClusterConfig, EmbeddedCluster
from tidesql.errors import TideError
from tidesql.keys import decode_key, encode_key
from tidesql.txn import Isolation, Transaction

SCRIPTS = Path(__file__).parent / "core_scripts"
TABLE_ID = 1000
ISOLATIONS = {
    "rc": Isolation.READ_COMMITTED,
    "rr": Isolation.REPEATABLE_READ,
    "ser": Isolation.SERIALIZABLE,
}


def key(name: str) -> bytes:
    return encode_key((TABLE_ID, 0, name))


def name_of(encoded: bytes) -> str:
    return str(decode_key(encoded)[2])


class NameDescriber:
    def describe(self, encoded: bytes) -> str:
        return repr(name_of(encoded))

    def is_schema_key(self, encoded: bytes) -> bool:
        return False


async def run_script(text: str) -> str:
    commands = [line for line in text.splitlines() if not line.startswith("> ")]
    config = ClusterConfig()
    for line in commands:
        if line.startswith("cluster: split "):
            split = key(line.split()[-1])
            config = ClusterConfig(shard_split_keys=(split,), adjudicator_split_keys=(split,))
    out: list[str] = []
    labels: dict[int, str] = {}
    async with EmbeddedCluster(config) as cluster:
        cluster.set_describer(NameDescriber())
        transactions: dict[str, Transaction] = {}
        for line in commands:
            out.append(line)
            if not line.strip() or line.startswith(("#", "cluster:")):
                continue
            who, _, command = line.partition(": ")
            try:
                result = await execute(cluster, transactions, labels, who, command.split())
            except TideError as error:
                result = [f"error {error.sqlstate}: {error.message}"]
                if error.detail:
                    # Timestamps differ from run to run: name them by who took them.
                    detail = re.sub(
                        r"τ (\d+)", lambda m: f"τ({labels.get(int(m[1]), '?')})", error.detail
                    )
                    result.append(f"detail: {detail}")
            out.extend(f"> {item}" for item in result)
    return "\n".join(out) + "\n"


async def execute(
    cluster: EmbeddedCluster,
    transactions: dict[str, Transaction],
    labels: dict[int, str],
    who: str,
    words: list[str],
) -> list[str]:
    if who == "setup":
        txn = cluster.begin()
        for assignment in words:
            name, _, value = assignment.partition("=")
            txn.put(key(name), value.encode())
        timestamp = await txn.commit()
        if timestamp is not None:
            labels[timestamp] = "setup.commit"
        return []
    verb, args = words[0], words[1:]
    if verb == "begin":
        isolation = Isolation.REPEATABLE_READ
        az = None
        for arg in args:
            if arg in ISOLATIONS:
                isolation = ISOLATIONS[arg]
            else:
                az = arg
        transactions[who] = cluster.begin(isolation, az or cluster.azs[0])
        labels[transactions[who].start_timestamp] = f"{who}.start"
        return []
    txn = transactions[who]
    if verb == "get":
        value = await txn.get(key(args[0]))
        return [f"{args[0]} = {value.decode() if value is not None else '<none>'}"]
    if verb == "scan":
        rows = await txn.scan(key(args[0]), key(args[1]))
        return [" ".join(f"{name_of(k)}={v.decode()}" for k, v in rows) or "<empty>"]
    if verb == "put":
        txn.put(key(args[0]), args[1].encode())
        return []
    if verb == "delete":
        txn.delete(key(args[0]))
        return []
    if verb == "lock":
        txn.lock(key(args[0]))
        return []
    if verb == "keyshare":
        txn.key_share(key(args[0]))
        return []
    if verb == "schema":
        txn.note_schema_read(key(args[0]))
        return []
    if verb == "statement":
        txn.begin_statement()
        labels.setdefault(txn.read_timestamp, f"{who}.statement")
        return []
    if verb == "commit":
        timestamp = await txn.commit()
        if timestamp is not None:
            labels[timestamp] = f"{who}.commit"
        return ["committed (read-only)" if timestamp is None else "committed"]
    if verb == "rollback":
        txn.rollback()
        return ["rolled back"]
    raise ValueError(f"unknown command {words!r}")


@pytest.mark.parametrize("path", sorted(SCRIPTS.glob("*.txt")), ids=lambda p: p.stem)
async def test_script(path: Path) -> None:
    expected = path.read_text()
    actual = await run_script(expected)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual)
        return
    assert actual == expected
