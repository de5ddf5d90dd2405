"""Domains, SQL-language functions, and the types and languages DSQL refuses — through
psycopg against a real ``tidesql serve`` in DSQL mode."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest

_names = itertools.count()


def name(prefix: str) -> str:
    return f"{prefix}_{next(_names)}_{id(object()) % 100000}"


def connect(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True)


def error_of(c: psycopg.Connection[Any], sql: str, params: Any = None) -> tuple[str | None, str]:
    with pytest.raises(psycopg.Error) as caught:
        c.execute(sql, params)
    return caught.value.sqlstate, str(caught.value.diag.message_primary)


# ---------------------------------------------------------------- domains
def test_domain_check_not_null_default_and_casts(tidesql_dsn: str) -> None:
    pos, email, t = name("posint"), name("email"), name("dt")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE DOMAIN {pos} AS integer CHECK (VALUE > 0)")
        c.execute(
            f"CREATE DOMAIN {email} text NOT NULL DEFAULT 'none@x' "
            "CONSTRAINT has_at CHECK (VALUE LIKE '%@%')"
        )
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, n {pos}, e {email})")
        c.execute(f"INSERT INTO {t} VALUES (1, 5, 'a@b')")
        assert error_of(c, f"INSERT INTO {t} VALUES (2, -1, 'a@b')") == (
            "23514",
            f'value for domain {pos} violates check constraint "{pos}_check"',
        )
        assert error_of(c, f"INSERT INTO {t} VALUES (3, 1, 'ab')") == (
            "23514",
            f'value for domain {email} violates check constraint "has_at"',
        )
        assert error_of(c, f"INSERT INTO {t} VALUES (4, 1, NULL)") == (
            "23502",
            f"domain {email} does not allow null values",
        )
        assert error_of(c, f"UPDATE {t} SET n = 0 WHERE id = 1")[0] == "23514"
        assert error_of(c, f"INSERT INTO {t} VALUES (%s, %s, %s)", (6, -5, "p@q"))[0] == "23514"
        c.execute(f"INSERT INTO {t} (id, n) VALUES (5, NULL)")  # NULL passes a CHECK
        rows = c.execute(f"SELECT id, n, e FROM {t} ORDER BY id").fetchall()
        assert rows == [(1, 5, "a@b"), (5, None, "none@x")]
        assert c.execute(f"SELECT 7::{pos}, CAST('3' AS {pos}) + 1").fetchone() == (7, 4)
        assert error_of(c, f"SELECT '-3'::{pos}")[0] == "23514"
        assert error_of(c, f"SELECT %s::{pos}", (0,))[0] == "23514"


def test_domain_is_visible_to_clients(tidesql_dsn: str) -> None:
    code, t = name("code"), name("dc")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE DOMAIN {code} AS varchar(5) NOT NULL CHECK (length(VALUE) > 1)")
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, c {code})")
        (oid, typtype, base, notnull) = c.execute(
            "SELECT oid, typtype, typbasetype::regtype::text, typnotnull FROM pg_type "
            "WHERE typname = %s",
            (code,),
        ).fetchone()
        assert (typtype, base, notnull) == ("d", "character varying", True)
        row = c.execute(
            "SELECT atttypid, format_type(atttypid, atttypmod) FROM pg_attribute "
            f"WHERE attrelid = '{t}'::regclass AND attname = 'c'"
        ).fetchone()
        assert row == (oid, code)
        row = c.execute(
            "SELECT data_type, domain_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name = 'c'",
            (t,),
        ).fetchone()
        assert row == ("character varying", code)
        # Values travel as the base type: psycopg reads a str.
        c.execute(f"INSERT INTO {t} VALUES (1, 'ab')")
        assert c.execute(f"SELECT c FROM {t}").fetchone() == ("ab",)


def test_drop_domain(tidesql_dsn: str) -> None:
    d, t = name("dd"), name("dtab")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE DOMAIN {d} AS int CHECK (VALUE < 100)")
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v {d})")
        c.execute(f"INSERT INTO {t} VALUES (1, 5)")
        assert error_of(c, f"DROP DOMAIN {d}")[0] == "2BP01"
        assert error_of(c, f"CREATE DOMAIN {d} AS int")[0] == "42710"
        c.execute(f"DROP DOMAIN {d} CASCADE")  # drops the column, as in PostgreSQL
        assert c.execute(f"SELECT * FROM {t}").fetchall() == [(1,)]
        assert error_of(c, f"DROP DOMAIN {d}")[0] == "42704"
        c.execute(f"DROP DOMAIN IF EXISTS {d}")
        assert error_of(c, f"SELECT 1::{d}")[0] == "42704"


# ---------------------------------------------------------------- SQL functions
def test_sql_function_called_many_ways(tidesql_dsn: str) -> None:
    add, dbl = name("add"), name("dbl")
    with connect(tidesql_dsn) as c:
        c.execute(
            f"CREATE FUNCTION {add}(a int, b int DEFAULT 10) RETURNS int "
            "LANGUAGE sql IMMUTABLE AS $$ SELECT a + b $$"
        )
        c.execute(f"CREATE FUNCTION {dbl}(int) RETURNS bigint LANGUAGE sql RETURN $1 * 2")
        row = c.execute(
            f"SELECT {add}(1, 2), {add}(5), {add}(b => 1, a => 2), {add}(1, b => 3), "
            f"{dbl}({add}(1)), {dbl}(NULL), public.{add}(%s, %s)",
            (20, 22),
        ).fetchone()
        assert row == (3, 15, 3, 4, 22, None, 42)
        assert error_of(c, f"SELECT {add}()")[0] == "42883"
        assert error_of(c, f"SELECT {add}(1, c => 2)")[0] == "42883"
        c.execute(
            f"CREATE OR REPLACE FUNCTION {add}(a int, b int DEFAULT 10) RETURNS int "
            "LANGUAGE sql AS 'SELECT a * b'"
        )
        assert c.execute(f"SELECT {add}(2, 3)").fetchone() == (6,)
        assert (
            error_of(
                c, f"CREATE FUNCTION {add}(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT 1'"
            )[0]
            == "42723"
        )
        assert (
            error_of(
                c,
                f"CREATE OR REPLACE FUNCTION {add}(a int, b int) RETURNS text "
                "LANGUAGE sql AS 'SELECT 1'",
            )[0]
            == "42P13"
        )


def test_sql_function_reading_a_table(tidesql_dsn: str) -> None:
    t, value_of, rows_over, pairs = name("ft"), name("vof"), name("big"), name("pairs")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v int)")
        c.execute(f"INSERT INTO {t} VALUES (1, 10), (2, 20), (3, 30)")
        # The parameter shares a name with the table's column: the column wins, the
        # function-qualified name is the parameter.
        c.execute(
            f"CREATE FUNCTION {value_of}(id int) RETURNS int LANGUAGE sql STABLE "
            f"AS 'SELECT v FROM {t} WHERE {t}.id = {value_of}.id ORDER BY v'"
        )
        rows = c.execute(
            f"SELECT id, {value_of}(id), {value_of}(id + 1) FROM {t} ORDER BY id"
        ).fetchall()
        assert rows == [(1, 10, 20), (2, 20, 30), (3, 30, None)]
        assert c.execute(f"SELECT id FROM {t} WHERE {value_of}(id) = 20").fetchall() == [(2,)]
        c.execute(
            f"CREATE FUNCTION {rows_over}(lim int) RETURNS SETOF {t} LANGUAGE sql "
            f"AS 'SELECT * FROM {t} WHERE v > lim'"
        )
        got = c.execute(f"SELECT * FROM {rows_over}(15) ORDER BY id").fetchall()
        assert got == [(2, 20), (3, 30)]
        c.execute(
            f"CREATE FUNCTION {pairs}(n int) RETURNS TABLE (x int, y text) LANGUAGE sql "
            f"BEGIN ATOMIC SELECT id, 'v' || v FROM {t} WHERE id <= n; END"
        )
        assert c.execute(f"SELECT * FROM {pairs}(2) ORDER BY x").fetchall() == [
            (1, "v10"),
            (2, "v20"),
        ]
        got = c.execute(
            f"SELECT {t}.id, p.y FROM {t}, LATERAL {pairs}({t}.id) AS p WHERE p.x = 1 ORDER BY 1"
        ).fetchall()
        assert got == [(1, "v10"), (2, "v10"), (3, "v10")]


def test_sql_function_errors_and_drop(tidesql_dsn: str) -> None:
    f, t = name("f"), name("ft")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY)")
        state, _ = error_of(
            c, f"CREATE FUNCTION {f}(n int) RETURNS int LANGUAGE sql AS 'SELECT nope FROM {t}'"
        )
        assert state == "42703"  # the body is checked when the function is created
        state, message = error_of(
            c,
            f"CREATE FUNCTION {f}(n int) RETURNS int LANGUAGE sql "
            f"AS 'SELECT CASE WHEN n <= 1 THEN 1 ELSE n * {f}(n - 1) END'",
        )
        assert state == "54001" and message == "stack depth limit exceeded"
        c.execute(f"CREATE FUNCTION {f}(n int) RETURNS int LANGUAGE sql AS 'SELECT n'")
        c.execute(f"CREATE FUNCTION {f}(n text) RETURNS text LANGUAGE sql AS 'SELECT n'")
        assert c.execute(f"SELECT {f}(4), {f}('x'::text)").fetchone() == (4, "x")
        assert error_of(c, f"DROP FUNCTION {f}")[0] == "42725"
        c.execute(f"DROP FUNCTION {f}(text)")
        assert error_of(c, f"DROP FUNCTION {f}(text)")[0] == "42883"
        c.execute(f"DROP FUNCTION IF EXISTS {f}(text)")
        c.execute(f"DROP FUNCTION {f}")
        assert error_of(c, f"SELECT {f}(1)")[0] == "42883"


# ---------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    "sql",
    [
        "CREATE FUNCTION pl_{n}(a int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN a; END'",
        "CREATE FUNCTION c_{n}(a int) RETURNS int LANGUAGE c AS 'lib', 'sym'",
        "DO $$ BEGIN RAISE NOTICE 'x'; END $$",
        "CREATE TYPE mood_{n} AS ENUM ('happy', 'sad')",
        "CREATE TYPE pair_{n} AS (a int, b int)",
        "CREATE TYPE span_{n} AS RANGE (subtype = int4)",
    ],
)
def test_dsql_refuses_other_languages_and_types(tidesql_dsn: str, sql: str) -> None:
    with connect(tidesql_dsn) as c:
        assert error_of(c, sql.format(n=next(_names)))[0] == "0A000"
