"""Differential tests: the same SQL on PostgreSQL 15 and on tidesql, results compared.

Each file in ``tests/sql_corpus/`` is a script of statements. Every statement runs on
both servers (tidesql in extended mode, where CREATE INDEX may be synchronous as in
PostgreSQL); both must succeed with the same rows — compared in order when the
statement has a top-level ORDER BY, as multisets otherwise — or both must fail with
the same SQLSTATE. Values are compared with their Python type and text, so 1.50 and
1.5 differ, as they do in PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from servers import PG_DSN, requires_postgres
from tidesql.sql.parser import parse, split_statements

CORPUS = Path(__file__).parent / "sql_corpus"
DIFF_DATABASE = "tidesql_diff"


def _outcome(connection: psycopg.Connection[Any], sql: str) -> tuple[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.encode())
            if cursor.description is None:
                return "ok", cursor.statusmessage
            rows = cursor.fetchall()
            return "rows", [tuple(_normalize(v) for v in row) for row in rows]
    except psycopg.Error as error:
        return "error", error.sqlstate


def _normalize(value: Any) -> Any:
    if isinstance(value, list):
        return ("list", tuple(_normalize(v) for v in value))
    if isinstance(value, dict):
        return ("dict", repr(sorted(value.items())))
    return (type(value).__name__, str(value))


def _ordered(sql: str) -> bool:
    (statement,) = parse(sql)
    return statement.kind == "select_stmt" and len(statement.node.sort_clause) > 0


@pytest.fixture(scope="module")
def postgres() -> Any:
    with psycopg.connect(PG_DSN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DIFF_DATABASE}")
        admin.execute(f"CREATE DATABASE {DIFF_DATABASE}")
    dsn = PG_DSN.replace("dbname=postgres", f"dbname={DIFF_DATABASE}")
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("SET TIME ZONE 'UTC'")
        yield connection


@requires_postgres
@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.sql")), ids=lambda p: p.stem)
def test_corpus_matches_postgres(path: Path, postgres: Any, extended_dsn: str) -> None:
    mismatches = []
    with psycopg.connect(extended_dsn, autocommit=True) as tidesql:
        for sql in split_statements(path.read_text()):
            sql = sql.strip()
            if not sql or all(line.strip().startswith("--") for line in sql.splitlines()):
                continue
            expected = _outcome(postgres, sql)
            actual = _outcome(tidesql, sql)
            if expected[0] == "rows" and actual[0] == "rows" and not _ordered(sql):
                expected = ("rows", sorted(expected[1], key=repr))
                actual = ("rows", sorted(actual[1], key=repr))
            if expected != actual:
                mismatches.append(f"{sql}\n  postgres: {expected}\n  tidesql:  {actual}")
    assert not mismatches, f"{len(mismatches)} statements differ:\n" + "\n".join(mismatches)
