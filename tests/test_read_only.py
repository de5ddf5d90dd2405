"""Read-only transactions, through psycopg against a real server: what a read-only
transaction refuses (25006, PostgreSQL 16's words), what it still runs, and where its
mode comes from (BEGIN/START TRANSACTION, SET TRANSACTION, default_transaction_read_only).
"""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest

_names = itertools.count()


def connect(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True)


def fresh_table(c: psycopg.Connection[Any]) -> str:
    name = f"ro_{next(_names)}"
    c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v int)")
    c.execute(f"INSERT INTO {name} VALUES (1, 10)")
    return name


def error_of(c: psycopg.Connection[Any], sql: str) -> tuple[str | None, str]:
    try:
        c.execute(sql)
    except psycopg.Error as error:
        return error.sqlstate, error.diag.message_primary or ""
    return None, ""


REFUSED = [
    ("INSERT INTO {t} VALUES (2, 20)", "INSERT"),
    ("UPDATE {t} SET v = 11", "UPDATE"),
    ("DELETE FROM {t}", "DELETE"),
    ("SELECT * FROM {t} FOR UPDATE", "SELECT FOR UPDATE"),
    ("WITH w AS (INSERT INTO {t} VALUES (3, 30) RETURNING id) SELECT * FROM w", "SELECT"),
    ("CREATE TABLE {t}_new (id int PRIMARY KEY)", "CREATE TABLE"),
    ("DROP TABLE {t}", "DROP TABLE"),
    ("ALTER TABLE {t} ADD COLUMN c text", "ALTER TABLE"),
    ("ALTER TABLE {t} RENAME COLUMN v TO w", "ALTER TABLE"),
    ("CREATE INDEX ASYNC ON {t} (v)", "CREATE INDEX"),
    ("CREATE VIEW {t}_v AS SELECT 1", "CREATE VIEW"),
    ("CREATE SCHEMA {t}_s", "CREATE SCHEMA"),
    ("CREATE ROLE {t}_r", "CREATE ROLE"),
    ("CREATE SEQUENCE {t}_seq", "CREATE SEQUENCE"),
    ("SELECT nextval('ro_seq')", "nextval()"),
    ("SELECT setval('ro_seq', 5)", "setval()"),
    ("EXPLAIN ANALYZE INSERT INTO {t} VALUES (4, 40)", "INSERT"),
]


@pytest.mark.parametrize(("sql", "command"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_read_only_transaction_refuses_writes(tidesql_dsn: str, sql: str, command: str) -> None:
    with connect(tidesql_dsn) as c:
        c.execute("CREATE SEQUENCE IF NOT EXISTS ro_seq CACHE 1")
        table = fresh_table(c)
        c.execute("BEGIN READ ONLY")
        assert error_of(c, sql.format(t=table)) == (
            "25006",
            f"cannot execute {command} in a read-only transaction",
        )
        assert c.execute("ROLLBACK").statusmessage == "ROLLBACK"
        # Nothing was written, and the next transaction is read-write again.
        assert c.execute(f"SELECT id, v FROM {table}").fetchall() == [(1, 10)]
        c.execute(f"INSERT INTO {table} VALUES (5, 50)")


def test_a_read_only_transaction_reads_and_commits(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        table = fresh_table(c)
        c.execute("START TRANSACTION READ ONLY")
        assert c.execute("SHOW transaction_read_only").fetchone() == ("on",)
        assert c.execute("SELECT current_setting('transaction_read_only')").fetchone() == ("on",)
        assert c.execute(f"SELECT v FROM {table}").fetchall() == [(10,)]
        assert c.execute("EXPLAIN SELECT * FROM " + table).fetchall()
        assert c.execute("COMMIT").statusmessage == "COMMIT"
        assert c.execute("SHOW transaction_read_only").fetchone() == ("off",)
        c.execute("BEGIN READ WRITE")
        assert c.execute("SHOW transaction_read_only").fetchone() == ("off",)
        c.execute(f"UPDATE {table} SET v = 12")
        c.execute("COMMIT")
        assert c.execute(f"SELECT v FROM {table}").fetchall() == [(12,)]


def test_a_write_refused_in_a_block_fails_the_block(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        table = fresh_table(c)
        c.execute("BEGIN READ ONLY")
        assert error_of(c, f"DELETE FROM {table}")[0] == "25006"
        assert error_of(c, "SELECT 1")[0] == "25P02"
        assert c.execute("COMMIT").statusmessage == "ROLLBACK"


def test_a_prepared_write_is_refused_when_executed_read_only(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        table = fresh_table(c)
        c.execute("BEGIN READ ONLY")
        with pytest.raises(psycopg.Error) as caught:
            c.execute(f"INSERT INTO {table} VALUES (%s, %s)", (7, 70), prepare=True)
        assert caught.value.sqlstate == "25006"
        c.execute("ROLLBACK")


def test_default_transaction_read_only(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        table = fresh_table(c)
        c.execute("SET default_transaction_read_only = on")
        assert c.execute("SHOW transaction_read_only").fetchone() == ("on",)
        assert error_of(c, f"INSERT INTO {table} VALUES (2, 20)") == (
            "25006",
            "cannot execute INSERT in a read-only transaction",
        )
        # BEGIN READ WRITE overrides the default for its block.
        c.execute("BEGIN READ WRITE")
        c.execute(f"INSERT INTO {table} VALUES (2, 20)")
        c.execute("COMMIT")
        # A block takes the default in force at BEGIN.
        c.execute("BEGIN")
        c.execute("SET default_transaction_read_only = off")
        assert error_of(c, f"INSERT INTO {table} VALUES (3, 30)")[0] == "25006"
        c.execute("ROLLBACK")
        c.execute("RESET default_transaction_read_only")
        c.execute(f"INSERT INTO {table} VALUES (3, 30)")
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (3,)


def test_psycopg_read_only_sessions(tidesql_dsn: str) -> None:
    """psycopg's ``read_only`` connection attribute sends BEGIN READ ONLY."""
    with connect(tidesql_dsn) as setup:
        table = fresh_table(setup)
    with psycopg.connect(tidesql_dsn) as c:
        c.read_only = True
        assert c.execute(f"SELECT v FROM {table}").fetchall() == [(10,)]
        with pytest.raises(psycopg.Error) as caught:
            c.execute(f"UPDATE {table} SET v = 0")
        assert caught.value.sqlstate == "25006"
        c.rollback()


def test_set_transaction_read_only_in_extended_mode(extended_dsn: str) -> None:
    with connect(extended_dsn) as c:
        table = fresh_table(c)
        c.execute("BEGIN")
        c.execute("SET TRANSACTION READ ONLY")
        assert c.execute("SHOW transaction_read_only").fetchone() == ("on",)
        assert error_of(c, f"UPDATE {table} SET v = 1")[0] == "25006"
        c.execute("ROLLBACK")
        c.execute("BEGIN READ ONLY")
        c.execute(f"SELECT * FROM {table}")
        assert error_of(c, "SET TRANSACTION READ WRITE") == (
            "25001",
            "transaction read-write mode must be set before any query",
        )
        c.execute("ROLLBACK")
        c.execute("BEGIN")
        c.execute("SET transaction_read_only = on")
        assert error_of(c, f"DELETE FROM {table}")[0] == "25006"
        c.execute("ROLLBACK")
        c.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        assert c.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        assert error_of(c, f"DELETE FROM {table}")[0] == "25006"
        c.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
        c.execute(f"DELETE FROM {table}")
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


def test_dsql_mode_refuses_set_transaction(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        c.execute("BEGIN")
        assert error_of(c, "SET TRANSACTION READ ONLY") == (
            "0A000",
            'setting configuration parameter "TRANSACTION" not supported',
        )
        c.execute("ROLLBACK")
        assert error_of(c, "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY") == (
            "0A000",
            'setting configuration parameter "TRANSACTION" not supported',
        )
