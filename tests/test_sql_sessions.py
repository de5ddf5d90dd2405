"""Sessions, transactions, DSQL-mode refusals, errors and OCC conflicts — through psycopg
against a real ``tidesql serve`` (DSQL mode unless the test says extended)."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest

_names = itertools.count()


def table_name(prefix: str = "t") -> str:
    return f"{prefix}_{next(_names)}_{id(object()) % 100000}"


def connect(dsn: str, **kwargs: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True, **kwargs)


def sqlstate_of(connection: psycopg.Connection[Any], sql: str) -> tuple[str | None, str]:
    with pytest.raises(psycopg.Error) as caught:
        connection.execute(sql)
    return caught.value.sqlstate, str(caught.value.diag.message_primary)


# ---------------------------------------------------------------- settings
def test_set_show_reset(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        assert c.execute("SHOW timezone").fetchone() == ("UTC",)
        c.execute("SET TIME ZONE 'America/New_York'")
        assert c.execute("SHOW TimeZone").fetchone() == ("America/New_York",)
        assert c.info.parameter_status("TimeZone") == "America/New_York"
        row = c.execute("SELECT '2024-07-01 12:00:00+00'::timestamptz::text").fetchone()
        assert row == ("2024-07-01 08:00:00-04",)
        c.execute("RESET timezone")
        assert c.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
        c.execute("SET application_name = 'tests'")
        assert c.execute("SHOW application_name").fetchone() == ("tests",)
        assert c.execute("SELECT set_config('search_path', 'public', false)").fetchone() == (
            "public",
        )
        assert c.execute("SHOW transaction_isolation").fetchone() == ("repeatable read",)
        assert sqlstate_of(c, "SHOW no_such_setting")[0] == "42704"
        assert sqlstate_of(c, "SET TIME ZONE 'Mars/Olympus'")[0] == "22023"
        assert c.execute("SELECT version()").fetchone()[0].startswith("PostgreSQL 16")


def test_server_reports_postgres_16(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        assert c.info.parameter_status("server_version").startswith("16.")
        assert c.info.parameter_status("client_encoding") == "UTF8"
        assert c.info.server_version >= 160000


# ---------------------------------------------------------------- transactions
def test_failed_transaction_refuses_until_rollback(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        c.execute("BEGIN")
        assert sqlstate_of(c, "SELECT 1/0")[0] == "22012"
        assert sqlstate_of(c, "SELECT 1")[0] == "25P02"
        c.execute("ROLLBACK")
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_statement_error_inside_block_keeps_earlier_writes_until_rollback(tidesql_dsn: str) -> None:
    name = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
        c.execute("BEGIN")
        c.execute(f"INSERT INTO {name} VALUES (1)")
        assert sqlstate_of(c, f"INSERT INTO {name} VALUES (1)")[0] == "23505"
        c.execute("ROLLBACK")
        assert c.execute(f"SELECT count(*) FROM {name}").fetchone() == (0,)
        c.execute(f"INSERT INTO {name} VALUES (2)")
        assert c.execute(f"SELECT id FROM {name}").fetchall() == [(2,)]


def test_first_read_after_commit_sees_it_from_every_connection(tidesql_dsn: str) -> None:
    """Each connection is placed in the next AZ: a write through one is read at once
    through the others, with no retry loop."""
    name = table_name("events")
    writers = [connect(tidesql_dsn) for _ in range(3)]
    readers = [connect(tidesql_dsn) for _ in range(3)]
    try:
        writers[0].execute(f"CREATE TABLE {name} (id int PRIMARY KEY, payload text)")
        for n in range(60):
            writers[n % 3].execute(f"INSERT INTO {name} VALUES (%s, 'x')", (n,))
            for reader in readers:
                assert reader.execute(f"SELECT count(*) FROM {name}").fetchone() == (n + 1,)
    finally:
        for connection in writers + readers:
            connection.close()


def test_write_conflict_fails_later_committer_with_oc000(tidesql_dsn: str) -> None:
    name = table_name("accounts")
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        a.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, balance int)")
        a.execute(f"INSERT INTO {name} VALUES (1, 100)")
        a.execute("BEGIN")
        b.execute("BEGIN")
        a.execute(f"UPDATE {name} SET balance = balance - 10 WHERE id = 1")
        b.execute(f"UPDATE {name} SET balance = balance - 20 WHERE id = 1")
        a.execute("COMMIT")
        with pytest.raises(psycopg.errors.SerializationFailure) as caught:
            b.execute("COMMIT")
        assert "(OC000)" in caught.value.diag.message_primary
        assert name in (caught.value.diag.message_detail or "")
        assert a.execute(f"SELECT balance FROM {name}").fetchone() == (90,)


def test_schema_change_fails_concurrent_writer_with_oc001(tidesql_dsn: str) -> None:
    name = table_name("orders")
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        a.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
        a.execute("BEGIN")
        a.execute(f"INSERT INTO {name} VALUES (1)")
        b.execute(f"ALTER TABLE {name} ADD COLUMN note text")
        with pytest.raises(psycopg.errors.SerializationFailure) as caught:
            a.execute("COMMIT")
        assert "(OC001)" in caught.value.diag.message_primary


def test_select_for_update_conflicts_at_commit(tidesql_dsn: str) -> None:
    name = table_name("seats")
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        a.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, taken bool)")
        a.execute(f"INSERT INTO {name} VALUES (1, false), (2, false)")
        a.execute("BEGIN")
        assert a.execute(f"SELECT taken FROM {name} WHERE id = 1 FOR UPDATE").fetchone() == (False,)
        a.execute(f"UPDATE {name} SET taken = true WHERE id = 2")
        b.execute(f"UPDATE {name} SET taken = true WHERE id = 1")
        with pytest.raises(psycopg.errors.SerializationFailure):
            a.execute("COMMIT")


# ---------------------------------------------------------------- DSQL mode
@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", "0A000"),
        ("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "0A000"),
        ("CREATE TABLE serial_t (id serial PRIMARY KEY)", "42704"),
        ("CREATE TEMPORARY TABLE temp_t (id int)", "0A000"),
        ("TRUNCATE some_table", "0A000"),
        ("SAVEPOINT s1", "0A000"),
        ("CREATE EXTENSION pgcrypto", "0A000"),
        ("VACUUM", "0A000"),
        ("LISTEN channel", "0A000"),
    ],
)
def test_dsql_mode_refuses(tidesql_dsn: str, sql: str, sqlstate: str) -> None:
    with connect(tidesql_dsn) as c:
        assert sqlstate_of(c, sql)[0] == sqlstate
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_dsql_mode_one_ddl_per_transaction_and_no_mixing(tidesql_dsn: str) -> None:
    first, second = table_name(), table_name()
    with connect(tidesql_dsn) as c:
        c.execute("BEGIN")
        c.execute(f"CREATE TABLE {first} (id int PRIMARY KEY)")
        assert sqlstate_of(c, f"CREATE TABLE {second} (id int PRIMARY KEY)")[0] == "0A000"
        c.execute("ROLLBACK")
        c.execute(f"CREATE TABLE {first} (id int PRIMARY KEY)")
        c.execute("BEGIN")
        c.execute(f"INSERT INTO {first} VALUES (1)")
        assert sqlstate_of(c, f"CREATE TABLE {second} (id int PRIMARY KEY)")[0] == "0A000"
        c.execute("ROLLBACK")


def test_create_index_async_returns_a_job(tidesql_dsn: str) -> None:
    name = table_name("people")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, email text, city text)")
        c.execute(
            f"INSERT INTO {name} SELECT g, 'u' || g || '@x', 'c' || (g % 7) "
            "FROM generate_series(1, 2500) AS g"
        )
        assert sqlstate_of(c, f"CREATE INDEX {name}_city ON {name} (city)")[0] == "0A000"
        (job_id,) = c.execute(f"CREATE INDEX ASYNC {name}_city ON {name} (city)").fetchone()
        assert c.execute("SELECT sys.wait_for_job(%s)", (job_id,)).fetchone() == (True,)
        status = c.execute("SELECT status FROM sys.jobs WHERE job_id = %s", (job_id,)).fetchone()
        assert status == ("completed",)
        plan = "\n".join(
            r[0] for r in c.execute(f"EXPLAIN SELECT id FROM {name} WHERE city = 'c3'")
        )
        assert f"{name}_city" in plan
        assert c.execute(f"SELECT count(*) FROM {name} WHERE city = 'c3'").fetchone() == (357,)
        (unique_job,) = c.execute(
            f"CREATE UNIQUE INDEX ASYNC {name}_email ON {name} (email)"
        ).fetchone()
        c.execute("SELECT sys.wait_for_job(%s)", (unique_job,))
        state, _ = sqlstate_of(c, f"INSERT INTO {name} VALUES (9999, 'u1@x', 'c1')")
        assert state == "23505"


def test_row_limit_is_exact(tidesql_dsn: str) -> None:
    name = table_name("bulk")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
        c.execute(f"INSERT INTO {name} SELECT g FROM generate_series(1, 3000) AS g")
        assert c.execute(f"SELECT count(*) FROM {name}").fetchone() == (3000,)
        state, message = sqlstate_of(
            c, f"INSERT INTO {name} SELECT g FROM generate_series(3001, 6001) AS g"
        )
        assert state == "54000" and "row limit" in message
        assert c.execute(f"SELECT count(*) FROM {name}").fetchone() == (3000,)


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("sql", "sqlstate"),
    [
        ("SELEC 1", "42601"),
        ("SELECT * FROM no_such_table", "42P01"),
        ("SELECT no_such_column", "42703"),
        ("SELECT 1/0", "22012"),
        ("SELECT 'abc'::int", "22P02"),
        ("SELECT 2147483647::int + 1", "22003"),
        ("SELECT no_such_function(1)", "42883"),
        ("SELECT 'a' + 1", "22P02"),
        ("SELECT 'a'::text + 1", "42883"),
        ("SELECT (SELECT 1 UNION SELECT 2)", "21000"),
    ],
)
def test_errors_carry_postgres_sqlstates(tidesql_dsn: str, sql: str, sqlstate: str) -> None:
    with connect(tidesql_dsn) as c:
        assert sqlstate_of(c, sql)[0] == sqlstate


def test_syntax_error_has_a_position(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c, pytest.raises(psycopg.errors.SyntaxError) as caught:
        c.execute("SELECT 1 FROM WHERE x")
    assert caught.value.diag.statement_position == "15"


def test_constraint_violations(tidesql_dsn: str) -> None:
    name = table_name("items")
    with connect(tidesql_dsn) as c:
        c.execute(
            f"CREATE TABLE {name} (id int PRIMARY KEY, qty int NOT NULL CHECK (qty >= 0), "
            "code text UNIQUE)"
        )
        c.execute(f"INSERT INTO {name} VALUES (1, 1, 'a')")
        assert sqlstate_of(c, f"INSERT INTO {name} VALUES (1, 1, 'b')")[0] == "23505"
        assert sqlstate_of(c, f"INSERT INTO {name} VALUES (2, NULL, 'b')")[0] == "23502"
        assert sqlstate_of(c, f"INSERT INTO {name} VALUES (2, -1, 'b')")[0] == "23514"
        assert sqlstate_of(c, f"INSERT INTO {name} VALUES (2, 1, 'a')")[0] == "23505"
        assert sqlstate_of(c, f"UPDATE {name} SET qty = -5")[0] == "23514"


# ---------------------------------------------------------------- extended mode
def test_extended_mode_allows_other_isolation_levels(extended_dsn: str) -> None:
    name = table_name("doctors")
    with connect(extended_dsn) as a, connect(extended_dsn) as b:
        a.execute(f"CREATE TABLE {name} (name text PRIMARY KEY, on_call bool)")
        a.execute(f"INSERT INTO {name} VALUES ('alice', true), ('bob', true)")
        for connection, me in ((a, "alice"), (b, "bob")):
            connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
            assert connection.execute(f"SELECT count(*) FROM {name} WHERE on_call").fetchone() == (
                2,
            )
            connection.execute(f"UPDATE {name} SET on_call = false WHERE name = %s", (me,))
        a.execute("COMMIT")
        with pytest.raises(psycopg.errors.SerializationFailure):
            b.execute("COMMIT")
        a.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        assert a.execute("SHOW transaction_isolation").fetchone() == ("read committed",)
        a.execute("COMMIT")


def test_prepared_statements_and_plan_cache(tidesql_dsn: str) -> None:
    name = table_name("kv")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {name} (k int PRIMARY KEY, v text)")
        with c.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {name} VALUES (%s, %s)", [(n, str(n)) for n in range(50)]
            )
            for n in range(50):
                cursor.execute(f"SELECT v FROM {name} WHERE k = %s", (n,), prepare=True)
                assert cursor.fetchone() == (str(n),)
        c.execute(f"ALTER TABLE {name} ADD COLUMN w int")
        assert c.execute(f"SELECT v, w FROM {name} WHERE k = 3").fetchone() == ("3", None)


def test_uncommitted_ddl_is_invisible_to_other_sessions(tidesql_dsn: str) -> None:
    name = table_name("shapes")
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        a.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
        assert b.execute(f"SELECT * FROM {name}").fetchall() == []
        a.execute("BEGIN")
        a.execute(f"ALTER TABLE {name} ADD COLUMN color text")
        assert [d.name for d in b.execute(f"SELECT * FROM {name}").description] == ["id"]
        a.execute("ROLLBACK")
        assert [d.name for d in b.execute(f"SELECT * FROM {name}").description] == ["id"]
        a.execute(f"ALTER TABLE {name} ADD COLUMN color text")
        assert [d.name for d in b.execute(f"SELECT * FROM {name}").description] == ["id", "color"]


def test_synchronous_create_index_in_extended_mode_is_built_when_it_returns(
    extended_dsn: str,
) -> None:
    name = table_name("codes")
    with connect(extended_dsn) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, code text, kind text)")
        c.execute(f"INSERT INTO {name} VALUES (1, 'a', 'x'), (2, 'a', 'y'), (3, 'b', 'x')")
        c.execute(f"CREATE INDEX {name}_kind ON {name} (kind)")
        plan = "\n".join(r[0] for r in c.execute(f"EXPLAIN SELECT id FROM {name} WHERE kind = 'x'"))
        assert f"{name}_kind" in plan
        assert sqlstate_of(c, f"CREATE UNIQUE INDEX {name}_code ON {name} (code)")[0] == "23505"


def test_end_of_block_reports_settings_that_change_back(extended_dsn: str) -> None:
    with connect(extended_dsn) as c:
        assert c.info.parameter_status("TimeZone") == "UTC"
        c.execute("BEGIN")
        c.execute("SET LOCAL TimeZone = 'Asia/Tokyo'")
        assert c.info.parameter_status("TimeZone") == "Asia/Tokyo"
        c.execute("COMMIT")
        assert c.info.parameter_status("TimeZone") == "UTC"
        c.execute("BEGIN")
        c.execute("SET TimeZone = 'Europe/Paris'")
        c.execute("ROLLBACK")
        assert c.info.parameter_status("TimeZone") == "UTC"
        assert c.execute("SHOW TimeZone").fetchone() == ("UTC",)


def test_add_column_to_a_table_with_rows_checks_what_the_rows_would_read(
    extended_dsn: str,
) -> None:
    name = table_name("addcol")
    with connect(extended_dsn) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
        c.execute(f"INSERT INTO {name} VALUES (1), (2)")
        c.execute(f"CREATE DOMAIN {name}_pos AS int CHECK (VALUE > 0)")
        c.execute(f"CREATE DOMAIN {name}_nn AS int NOT NULL")
        c.execute(f"ALTER TABLE {name} ADD COLUMN p {name}_pos")  # NULL passes a CHECK
        assert sqlstate_of(c, f"ALTER TABLE {name} ADD COLUMN q {name}_pos DEFAULT -1")[0] == (
            "23514"
        )
        assert sqlstate_of(c, f"ALTER TABLE {name} ADD COLUMN r {name}_nn")[0] == "23502"
        assert sqlstate_of(c, f"ALTER TABLE {name} ADD COLUMN s int NOT NULL")[0] == "23502"
        state, message = sqlstate_of(c, f"ALTER TABLE {name} ADD COLUMN t float8 DEFAULT random()")
        assert state == "0A000" and "volatile" in message
        c.execute(f"ALTER TABLE {name} ADD COLUMN u {name}_pos DEFAULT 7")
        assert c.execute(f"SELECT id, p, u FROM {name} ORDER BY id").fetchall() == [
            (1, None, 7),
            (2, None, 7),
        ]


@pytest.mark.parametrize("column_type", ["text[]", "inet", "jsonb", "interval"])
def test_a_key_of_a_type_keys_cannot_order_is_refused_up_front(
    extended_dsn: str, column_type: str
) -> None:
    """Keys are order-preserving byte strings; a type they cannot hold is refused when
    the key is declared (0A000), never when the first row arrives."""
    name = table_name("keytype")
    with connect(extended_dsn) as c:
        state, message = sqlstate_of(c, f"CREATE TABLE {name} (k {column_type} PRIMARY KEY)")
        assert state == "0A000" and "primary key" in message
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v {column_type})")
        state, message = sqlstate_of(c, f"CREATE INDEX {name}_v ON {name} (v)")
        assert state == "0A000" and "index key" in message
        c.execute(f"INSERT INTO {name} (id) VALUES (1)")
        assert c.execute(f"SELECT count(*) FROM {name}").fetchone() == (1,)


def test_add_column_with_a_check_checks_the_rows_already_there(extended_dsn: str) -> None:
    name = table_name("addcheck")
    with connect(extended_dsn) as c:
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY)")
        c.execute(f"INSERT INTO {name} VALUES (1), (2)")
        assert sqlstate_of(c, f"ALTER TABLE {name} ADD COLUMN x int DEFAULT 5 CHECK (x < 3)") == (
            "23514",
            f'check constraint "{name}_x_check" of relation "{name}" is violated by some row',
        )
        c.execute(f"ALTER TABLE {name} ADD COLUMN x int DEFAULT 1 CHECK (x < 3)")
        assert c.execute(f"SELECT x FROM {name} ORDER BY id").fetchall() == [(1,), (1,)]
        assert sqlstate_of(c, f"INSERT INTO {name} VALUES (3, 4)")[0] == "23514"


def test_drop_schema_names_and_cascades_to_every_kind_of_object(extended_dsn: str) -> None:
    s = table_name("dropschema")
    notices: list[str | None] = []
    with connect(extended_dsn) as c:
        c.add_notice_handler(lambda diagnostic: notices.append(diagnostic.message_primary))
        c.execute(f"CREATE SCHEMA {s}")
        c.execute(f"CREATE DOMAIN {s}.d AS int CHECK (VALUE > 0)")
        c.execute(f"CREATE FUNCTION {s}.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a + 1'")
        c.execute(f"CREATE SEQUENCE {s}.q")
        c.execute(f"CREATE TABLE {s}.t (id int PRIMARY KEY)")
        c.execute(
            f"CREATE TABLE {s}_u (id int PRIMARY KEY, v {s}.d, "
            f"w int DEFAULT nextval('{s}.q'), r int REFERENCES {s}.t)"
        )
        with pytest.raises(psycopg.Error) as caught:
            c.execute(f"DROP SCHEMA {s}")
        assert caught.value.sqlstate == "2BP01"
        assert caught.value.diag.message_detail == "\n".join(
            [
                f"type {s}.d depends on schema {s}",
                f"column v of table {s}_u depends on type {s}.d",
                f"function {s}.f(integer) depends on schema {s}",
                f"sequence {s}.q depends on schema {s}",
                f"default value for column w of table {s}_u depends on sequence {s}.q",
                f"table {s}.t depends on schema {s}",
                f"constraint {s}_u_r_fkey on table {s}_u depends on table {s}.t",
            ]
        )
        c.execute(f"DROP SCHEMA {s} CASCADE")
        assert notices[-1] == "drop cascades to 7 other objects"
        assert c.execute(
            "SELECT count(*) FROM pg_namespace n JOIN pg_type t ON t.typnamespace = n.oid "
            f"WHERE n.nspname = '{s}'"
        ).fetchone() == (0,)
        assert c.execute("SELECT count(*) FROM pg_proc WHERE proname = 'f'").fetchone() == (0,)
        c.execute(f"INSERT INTO {s}_u VALUES (1, 2, 99)")  # no key, no default left
        assert c.execute(f"SELECT * FROM {s}_u").fetchall() == [(1, 2, 99)]
        c.execute(f"CREATE SCHEMA {s}")  # the names are free again
        c.execute(f"CREATE DOMAIN {s}.d AS int")
        c.execute(f"CREATE FUNCTION {s}.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a'")
        c.execute(f"CREATE SEQUENCE {s}.q")
        c.execute(f"DROP SCHEMA {s} CASCADE")
        assert notices[-1] == "drop cascades to 3 other objects"


def test_set_constraints_outside_a_block_warns_and_succeeds(extended_dsn: str) -> None:
    notices: list[tuple[str | None, str | None]] = []
    with connect(extended_dsn) as c:
        c.add_notice_handler(lambda d: notices.append((d.sqlstate, d.message_primary)))
        c.execute("SET CONSTRAINTS ALL DEFERRED")
        assert notices == [("25P01", "SET CONSTRAINTS can only be used in transaction blocks")]
        c.execute("BEGIN")
        c.execute("SET CONSTRAINTS ALL DEFERRED")
        c.execute("COMMIT")
        assert len(notices) == 1


@pytest.mark.parametrize("drop", ["DROP DOMAIN {s}.d CASCADE", "DROP SCHEMA {s} CASCADE"])
def test_a_cascade_that_drops_a_column_drops_what_names_it(extended_dsn: str, drop: str) -> None:
    """The column a dropped domain (or schema) takes away goes with its expression and
    partial indexes and CHECKs, as ALTER TABLE … DROP COLUMN does; they used to stay and
    fail every later write with 42703."""
    name = table_name("cascol")
    schema = f"{name}_s"
    with connect(extended_dsn) as c:
        c.execute(f"CREATE SCHEMA {schema}")
        c.execute(f"CREATE DOMAIN {schema}.d AS int")
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v {schema}.d CHECK (v > 0))")
        c.execute(f"CREATE INDEX {name}_expr ON {name} ((v + 1))")
        c.execute(f"CREATE INDEX {name}_part ON {name} (id) WHERE v > 5")
        c.execute(f"INSERT INTO {name} VALUES (1, 7)")
        c.execute(drop.format(s=schema))
        c.execute(f"INSERT INTO {name} VALUES (2)")
        assert c.execute(f"SELECT * FROM {name} ORDER BY id").fetchall() == [(1,), (2,)]
        indexes = c.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", (name,)
        ).fetchall()
        assert indexes == [(f"{name}_pkey",)]
