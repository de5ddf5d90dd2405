"""pgbench against tidesql and PostgreSQL in the same run, and the ratios.

Usage::

    python -m tidesql.bench.pgbench [--seconds 20] [--clients 4] [--scale 1]
        [--tidesql-dsn DSN] [--postgres-dsn DSN]

Without ``--tidesql-dsn`` a ``tidesql serve`` is started on a free port with a data
directory in a temporary folder (file journals, fsync on every group commit: the same
durability as PostgreSQL's default ``synchronous_commit = on``). Both targets get the
same schema — pgbench's four tables with primary keys — loaded in 2,000-row
transactions (DSQL's 3,000-row limit), and run two custom scripts with the prepared
protocol and retries on serialization failures (40001):

* ``select-only``: one point SELECT by primary key;
* ``tpcb-like``: pgbench's TPC-B-like transaction (3 UPDATEs, 1 SELECT, 1 INSERT).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCOUNTS_PER_SCALE = 100_000
BATCH_ROWS = 2_000

SELECT_ONLY = """\\set aid random(1, {accounts})
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
"""
TPCB_LIKE = """\\set aid random(1, {accounts})
\\set bid random(1, {branches})
\\set tid random(1, {tellers})
\\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime)
    VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
END;
"""
SCHEMA = [
    "DROP TABLE IF EXISTS pgbench_accounts",
    "DROP TABLE IF EXISTS pgbench_branches",
    "DROP TABLE IF EXISTS pgbench_tellers",
    "DROP TABLE IF EXISTS pgbench_history",
    "CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))",
    "CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))",
    "CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))",
    "CREATE TABLE pgbench_history (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), tid int, "
    "bid int, aid int, delta int, mtime timestamp, filler char(22))",
]


def load(dsn: str, scale: int) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as connection:
        for statement in SCHEMA:
            connection.execute(statement)
        tables = [
            ("pgbench_branches", scale, "INSERT INTO pgbench_branches VALUES (%s, 0, '')"),
            ("pgbench_tellers", 10 * scale, "INSERT INTO pgbench_tellers VALUES (%s, %s, 0, '')"),
            (
                "pgbench_accounts",
                ACCOUNTS_PER_SCALE * scale,
                "INSERT INTO pgbench_accounts VALUES (%s, %s, 0, '')",
            ),
        ]
        for table, count, _ in tables:
            for first in range(1, count + 1, BATCH_ROWS):
                last = min(count, first + BATCH_ROWS - 1)
                if table == "pgbench_branches":
                    values = ",".join(f"({n}, 0, '')" for n in range(first, last + 1))
                elif table == "pgbench_tellers":
                    values = ",".join(
                        f"({n}, {(n - 1) // 10 + 1}, 0, '')" for n in range(first, last + 1)
                    )
                else:
                    values = ",".join(
                        f"({n}, {(n - 1) // ACCOUNTS_PER_SCALE + 1}, 0, '')"
                        for n in range(first, last + 1)
                    )
                connection.execute(f"INSERT INTO {table} VALUES {values}")


def run_pgbench(dsn: str, script: str, seconds: int, clients: int) -> tuple[float, str]:
    parts = dict(part.split("=", 1) for part in dsn.split())
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(script)
        path = handle.name
    env = {**os.environ, "PGPASSWORD": parts.get("password", "")}
    command = [
        "pgbench",
        "-n",
        "-M",
        "prepared",
        "-c",
        str(clients),
        "-j",
        str(min(clients, 2)),
        "-T",
        str(seconds),
        "--max-tries",
        "20",
        "-f",
        path,
        "-h",
        parts.get("host", "127.0.0.1"),
        "-p",
        parts.get("port", "5432"),
        "-U",
        parts.get("user", "postgres"),
        parts.get("dbname", "postgres"),
    ]
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    os.unlink(path)
    text = output.stdout + output.stderr
    match = re.search(r"tps = ([0-9.]+)", text)
    if not match:
        raise RuntimeError(f"pgbench failed:\n{text}")
    retried = re.search(r"number of transactions retried: (\d+)", text)
    return float(match.group(1)), retried.group(1) if retried else "0"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--tidesql-dsn")
    parser.add_argument(
        "--postgres-dsn",
        default="host=127.0.0.1 port=5432 user=postgres password=postgres dbname=postgres",
    )
    args = parser.parse_args(argv)
    if shutil.which("pgbench") is None:
        sys.exit("pgbench is not installed (apt-get install postgresql-client)")
    server = None
    data_dir = None
    dsn = args.tidesql_dsn
    if dsn is None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        data_dir = Path(tempfile.mkdtemp(prefix="tidesql-pgbench-"))
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tidesql.cli",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert server.stdout is not None
        for line in server.stdout:
            if "listening on" in line:
                break
        dsn = f"host=127.0.0.1 port={port} user=admin dbname=postgres"
    try:
        accounts = ACCOUNTS_PER_SCALE * args.scale
        scripts = {
            "select-only": SELECT_ONLY.format(accounts=accounts),
            "tpcb-like": TPCB_LIKE.format(
                accounts=accounts, branches=args.scale, tellers=10 * args.scale
            ),
        }
        targets = {"postgres": args.postgres_dsn, "tidesql": dsn}
        for name, target in targets.items():
            started = time.perf_counter()
            load(target, args.scale)
            print(
                f"loaded {name} (scale {args.scale}) in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        print(
            f"\npgbench, {args.clients} clients, {args.seconds} s each, "
            "prepared protocol, retries on 40001"
        )
        print(
            f"{'workload':<12} {'postgres tps':>13} {'tidesql tps':>12} {'ratio':>7} {'retried':>8}"
        )
        for workload, script in scripts.items():
            results = {
                name: run_pgbench(target, script, args.seconds, args.clients)
                for name, target in targets.items()
            }
            ratio = results["tidesql"][0] / results["postgres"][0]
            print(
                f"{workload:<12} {results['postgres'][0]:>13.0f} {results['tidesql'][0]:>12.0f} "
                f"{ratio:>6.2f}x {results['tidesql'][1]:>8}",
                flush=True,
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
