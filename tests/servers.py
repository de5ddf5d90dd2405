"""Start real servers for tests: ``tidesql serve`` subprocesses and the local PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVER_START_S_MAX = 30.0
PG_DSN = os.environ.get(
    "TIDESQL_TEST_PG_DSN",
    "host=127.0.0.1 port=5432 user=postgres password=postgres dbname=postgres",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def tidesql_server(*extra: str, data_dir: Path | None = None) -> Iterator[str]:
    """Run ``tidesql serve`` on a free port; yield its DSN; stop it with SIGTERM."""
    port = free_port()
    storage = ["--data-dir", str(data_dir)] if data_dir is not None else ["--ephemeral"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tidesql.cli", "serve", "--port", str(port), *storage, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + SERVER_START_S_MAX
    output = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if "listening on" in line:
            break
    else:
        process.kill()
        raise RuntimeError("tidesql did not start:\n" + "".join(output))
    if process.poll() is not None:
        raise RuntimeError("tidesql exited:\n" + "".join(output) + process.stdout.read())
    try:
        yield f"host=127.0.0.1 port={port} user=admin dbname=postgres"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_DSN, connect_timeout=3):
            return True
    except Exception:
        return False


requires_postgres = pytest.mark.skipif(
    not postgres_available() and not os.environ.get("CI"),
    reason="PostgreSQL 15 is not running (set TIDESQL_TEST_PG_DSN; .ci/run starts it)",
)
