"""Eventual reads, opt-in for teaching (extended mode): with an injected replication
delay a session that asks for them misses a commit that strong reads see at once."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from servers import tidesql_server

DELAY_MS = 2000  # far longer than the few milliseconds between the commit and the read


@pytest.fixture(scope="module")
def delayed_dsn() -> Any:
    with tidesql_server("--mode", "extended", "--replication-delay-ms", str(DELAY_MS)) as dsn:
        yield dsn


def test_eventual_reads_miss_what_strong_reads_see(delayed_dsn: str) -> None:
    with (
        psycopg.connect(delayed_dsn, autocommit=True) as writer,
        psycopg.connect(
            delayed_dsn, autocommit=True, options="-c tidesql.read_consistency=eventual"
        ) as eventual,
        psycopg.connect(delayed_dsn, autocommit=True) as strong,
    ):
        writer.execute("CREATE TABLE resources (id int PRIMARY KEY, state text)")
        writer.execute("INSERT INTO resources VALUES (1, 'created')")
        assert eventual.execute("SHOW tidesql.read_consistency").fetchone() == ("eventual",)
        # Seed 001's create_resource then get_resource: the eventual reader does not
        # see it yet; the strong reader waits for its replica and does.
        assert eventual.execute("SELECT state FROM resources WHERE id = 1").fetchone() is None
        assert strong.execute("SELECT state FROM resources WHERE id = 1").fetchone() == ("created",)


def test_eventual_reads_are_refused_in_dsql_mode(tidesql_dsn: str) -> None:
    with (
        psycopg.connect(tidesql_dsn, autocommit=True) as connection,
        pytest.raises(psycopg.errors.FeatureNotSupported),
    ):
        connection.execute("SET tidesql.read_consistency = 'eventual'")
