"""COMMENT ON against a real server (DSQL mode unless noted): descriptions are stored
with the schema (a transaction sees those of its snapshot), COMMENT is DDL for DSQL's
transaction rules, and psql's \\d+, \\dt+ and \\dn+ show them. What COMMENT stores and
what obj_description/col_description return is compared with PostgreSQL in
``sql_corpus/13_comments.sql``.
"""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest

from test_clients import psql, requires_psql

_names = itertools.count()


@pytest.fixture
def table(tidesql_dsn: str) -> Any:
    with psycopg.connect(tidesql_dsn, autocommit=True) as c:
        name = f"cm_{next(_names)}"
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, note text)")
        yield c, name


def descriptions(c: psycopg.Connection[Any], t: str) -> tuple[Any, ...]:
    row = c.execute(
        f"SELECT obj_description('{t}'::regclass, 'pg_class'), col_description('{t}'::regclass, 2)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_comment_is_ddl_alone_in_its_transaction(table: Any) -> None:
    c, t = table
    c.execute("BEGIN")
    c.execute(f"INSERT INTO {t} VALUES (1, 'x')")
    with pytest.raises(psycopg.errors.FeatureNotSupported) as raised:
        c.execute(f"COMMENT ON TABLE {t} IS 'x'")
    assert (
        raised.value.diag.message_primary == "ddl and dml are not supported in the same transaction"
    )
    c.execute("ROLLBACK")
    c.execute("BEGIN")
    c.execute(f"COMMENT ON TABLE {t} IS 'first'")
    with pytest.raises(psycopg.errors.FeatureNotSupported) as raised:
        c.execute(f"COMMENT ON COLUMN {t}.note IS 'second'")
    assert (
        raised.value.diag.message_primary
        == "multiple ddl statements not supported in a transaction"
    )
    c.execute("ROLLBACK")
    assert descriptions(c, t) == (None, None)
    c.execute(f"COMMENT ON TABLE {t} IS 'kept'")
    assert descriptions(c, t) == ("kept", None)


def test_descriptions_are_versioned_with_the_schema(table: Any, tidesql_dsn: str) -> None:
    c, t = table
    with psycopg.connect(tidesql_dsn, autocommit=True) as other:
        other.execute("BEGIN")
        assert descriptions(other, t) == (None, None)
        c.execute(f"COMMENT ON COLUMN {t}.note IS 'free text'")
        # The open transaction keeps reading the schema of its snapshot.
        assert descriptions(other, t) == (None, None)
        other.execute("COMMIT")
        assert descriptions(other, t) == (None, "free text")
    c.execute(f"COMMENT ON COLUMN {t}.note IS NULL")
    assert descriptions(c, t) == (None, None)


def test_comment_refused_in_a_read_only_transaction(table: Any) -> None:
    c, t = table
    c.execute("BEGIN READ ONLY")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction) as raised:
        c.execute(f"COMMENT ON TABLE {t} IS 'x'")
    assert raised.value.diag.message_primary == "cannot execute COMMENT in a read-only transaction"
    c.execute("ROLLBACK")


def test_comment_on_an_object_tidesql_lacks(table: Any) -> None:
    c, _t = table
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        c.execute("COMMENT ON EXTENSION plpgsql IS 'x'")


@requires_psql
def test_psql_shows_descriptions(table: Any, tidesql_dsn: str) -> None:
    c, t = table
    c.execute(f"COMMENT ON TABLE {t} IS 'notes table'")
    c.execute(f"COMMENT ON COLUMN {t}.note IS 'what was noted'")
    described = psql(tidesql_dsn, f"\\d+ {t}")
    assert any(
        line.startswith("note|text|") and line.endswith("|what was noted") for line in described
    ), described
    listed = psql(tidesql_dsn, f"\\dt+ {t}")
    assert any(
        line.startswith(f"public|{t}|table|") and line.endswith("|notes table") for line in listed
    ), listed
