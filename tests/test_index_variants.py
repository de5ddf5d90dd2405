"""Index variants built with CREATE INDEX ASYNC (DSQL mode) and, in extended mode, with
synchronous CREATE INDEX: partial, expression, INCLUDE, NULLS NOT DISTINCT, unique,
generated names — through psycopg against a real ``tidesql serve``."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest

_names = itertools.count()


def table_name(prefix: str = "iv") -> str:
    return f"{prefix}_{next(_names)}_{id(object()) % 100000}"


def connect(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True)


def sqlstate_of(connection: psycopg.Connection[Any], sql: str) -> tuple[str | None, str]:
    with pytest.raises(psycopg.Error) as caught:
        connection.execute(sql)
    return caught.value.sqlstate, str(caught.value.diag.message_primary)


def build(c: psycopg.Connection[Any], sql: str) -> None:
    """CREATE INDEX ASYNC and wait for its job."""
    row = c.execute(sql).fetchone()
    assert row is not None
    assert c.execute("SELECT sys.wait_for_job(%s)", (row[0],)).fetchone() == (True,)


def plan_of(c: psycopg.Connection[Any], sql: str) -> str:
    return "\n".join(r[0] for r in c.execute(f"EXPLAIN {sql}"))


def index_names(c: psycopg.Connection[Any], table: str) -> list[str]:
    rows = c.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY indexname", (table,)
    ).fetchall()
    return [r[0] for r in rows]


def test_partial_index_holds_only_matching_rows(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, kind text, active bool)")
        c.execute(
            f"INSERT INTO {t} SELECT g, 'k' || (g % 5), g % 2 = 0 FROM generate_series(1, 200) g"
        )
        build(c, f"CREATE INDEX ASYNC {t}_kind ON {t} (kind) WHERE active")
        # Rows written after the build are maintained too, in and out of the predicate.
        c.execute(f"INSERT INTO {t} VALUES (1000, 'k1', true), (1001, 'k1', false)")
        c.execute(f"UPDATE {t} SET active = false WHERE id = 2")  # k2 leaves the index
        c.execute(f"UPDATE {t} SET active = true WHERE id = 1")  # k1 joins it
        query = f"SELECT id FROM {t} WHERE kind = 'k1' AND active ORDER BY id"
        assert f"Index Scan using {t}_kind" in plan_of(c, query)
        expected = [r[0] for r in c.execute(f"SELECT id FROM {t} WHERE active ORDER BY id")]
        got = [r[0] for r in c.execute(query)]
        assert got == [i for i in expected if (i % 5 == 1 and i <= 200) or i == 1000]
        assert 1 in got and 1001 not in got
        # Without the predicate in the query the index would miss rows: not used.
        assert f"{t}_kind" not in plan_of(c, f"SELECT id FROM {t} WHERE kind = 'k1'")
        assert c.execute(f"SELECT count(*) FROM {t} WHERE kind = 'k1'").fetchone() == (42,)
        assert f"{t}_kind" not in plan_of(c, f"SELECT id FROM {t} WHERE kind = 'k1' AND NOT active")
        c.execute(f"DELETE FROM {t} WHERE id = 1000")
        assert 1000 not in [r[0] for r in c.execute(query)]
        (definition,) = c.execute(f"SELECT pg_get_indexdef('{t}_kind'::regclass)").fetchone()
        assert definition == (
            f"CREATE INDEX {t}_kind ON public.{t} USING btree (kind) WHERE active"
        )


def test_partial_unique_index_is_unique_among_its_rows(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, email text, deleted bool)")
        c.execute(f"INSERT INTO {t} VALUES (1, 'a@x', true), (2, 'a@x', false)")
        build(c, f"CREATE UNIQUE INDEX ASYNC {t}_live ON {t} (email) WHERE NOT deleted")
        c.execute(f"INSERT INTO {t} VALUES (3, 'a@x', true)")  # outside the predicate
        state, message = sqlstate_of(c, f"INSERT INTO {t} VALUES (4, 'a@x', false)")
        assert state == "23505" and f'"{t}_live"' in message
        state, _ = sqlstate_of(c, f"UPDATE {t} SET deleted = false WHERE id = 3")
        assert state == "23505"
        c.execute(f"UPDATE {t} SET deleted = true WHERE id = 2")
        c.execute(f"UPDATE {t} SET deleted = false WHERE id = 3")
        assert c.execute(f"SELECT id FROM {t} WHERE NOT deleted").fetchall() == [(3,)]


def test_partial_unique_build_fails_on_duplicates_inside_the_predicate(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v int)")
        c.execute(f"INSERT INTO {t} VALUES (1, 5), (2, 5), (3, 7)")
        build(c, f"CREATE UNIQUE INDEX ASYNC {t}_big ON {t} (v) WHERE v > 6")
        (job,) = c.execute(f"CREATE UNIQUE INDEX ASYNC {t}_all ON {t} (v)").fetchone()
        with pytest.raises(psycopg.Error):
            c.execute("SELECT sys.wait_for_job(%s)", (job,))


def test_expression_index(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, email text)")
        c.execute(f"INSERT INTO {t} SELECT g, 'User' || g || '@X' FROM generate_series(1, 100) g")
        build(c, f"CREATE UNIQUE INDEX ASYNC ON {t} (lower(email))")
        assert index_names(c, t) == [f"{t}_lower_idx", f"{t}_pkey"]
        c.execute(f"INSERT INTO {t} VALUES (500, 'New@Y')")
        c.execute(f"UPDATE {t} SET email = 'Moved@Z' WHERE id = 7")
        query = f"SELECT id FROM {t} WHERE lower(email) = 'moved@z'"
        assert f"Index Scan using {t}_lower_idx" in plan_of(c, query)
        assert c.execute(query).fetchall() == [(7,)]
        assert c.execute(f"SELECT id FROM {t} WHERE lower(email) = 'user7@x'").fetchall() == []
        assert c.execute(f"SELECT id FROM {t} WHERE lower(email) = 'new@y'").fetchall() == [(500,)]
        # Another expression over the same column does not match the index.
        other = f"SELECT id FROM {t} WHERE upper(email) = 'USER8@X'"
        assert f"{t}_lower_idx" not in plan_of(c, other)
        assert c.execute(other).fetchall() == [(8,)]
        assert f"{t}_lower_idx" not in plan_of(c, f"SELECT id FROM {t} WHERE email = 'User8@X'")
        state, _ = sqlstate_of(c, f"INSERT INTO {t} VALUES (501, 'USER9@x')")
        assert state == "23505"
        (definition,) = c.execute(f"SELECT pg_get_indexdef('{t}_lower_idx'::regclass)").fetchone()
        assert definition == (
            f"CREATE UNIQUE INDEX {t}_lower_idx ON public.{t} USING btree (lower(email))"
        )


def test_expression_index_refuses_volatile_functions(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, v int)")
        state, _ = sqlstate_of(c, f"CREATE INDEX ASYNC ON {t} ((v + random()))")
        assert state == "42P17"
        state, _ = sqlstate_of(c, f"CREATE INDEX ASYNC ON {t} ((nope + 1))")
        assert state == "42703"


def test_include_and_nulls_not_distinct(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, code text, note text, tag text)")
        c.execute(f"INSERT INTO {t} VALUES (1, NULL, 'a'), (2, 'x', 'b')")
        build(c, f"CREATE UNIQUE INDEX ASYNC ON {t} (code) INCLUDE (note) NULLS NOT DISTINCT")
        name = f"{t}_code_note_idx"
        state, message = sqlstate_of(c, f"INSERT INTO {t} VALUES (3, NULL, 'c')")
        assert state == "23505" and name in message
        assert sqlstate_of(c, f"INSERT INTO {t} VALUES (4, 'x', 'c')")[0] == "23505"
        c.execute(f"INSERT INTO {t} VALUES (5, 'y', 'b')")  # INCLUDE columns are not keys
        query = f"SELECT id, note FROM {t} WHERE code = 'y'"
        assert f"Index Scan using {name}" in plan_of(c, query)
        assert c.execute(query).fetchall() == [(5, "b")]
        (definition,) = c.execute(f"SELECT pg_get_indexdef('{name}'::regclass)").fetchone()
        assert definition == (
            f"CREATE UNIQUE INDEX {name} ON public.{t} USING btree (code) INCLUDE (note) "
            "NULLS NOT DISTINCT"
        )
        # NULLS DISTINCT (the default): any number of NULLs.
        build(c, f"CREATE UNIQUE INDEX ASYNC ON {t} (tag)")
        assert f"{t}_tag_idx" in index_names(c, t)
        c.execute(f"INSERT INTO {t} VALUES (6, 'z', NULL, NULL), (7, 'w', NULL, NULL)")
        assert (
            sqlstate_of(c, f"INSERT INTO {t} VALUES (8, 'v', NULL, 't'), (9, 'u', NULL, 't')")[0]
            == "23505"
        )


def test_nulls_not_distinct_build_fails_on_two_nulls(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, code text)")
        c.execute(f"INSERT INTO {t} VALUES (1, NULL), (2, NULL)")
        build(c, f"CREATE UNIQUE INDEX ASYNC {t}_d ON {t} (code)")
        (job,) = c.execute(
            f"CREATE UNIQUE INDEX ASYNC {t}_nd ON {t} (code) NULLS NOT DISTINCT"
        ).fetchone()
        with pytest.raises(psycopg.Error):
            c.execute("SELECT sys.wait_for_job(%s)", (job,))


def test_generated_names_count_up_on_collision(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, a int, b int)")
        build(c, f"CREATE INDEX ASYNC ON {t} (a)")
        build(c, f"CREATE INDEX ASYNC ON {t} (a)")
        build(c, f"CREATE INDEX ASYNC ON {t} (a, b)")
        build(c, f"CREATE INDEX ASYNC ON {t} ((a + b))")
        assert index_names(c, t) == [
            f"{t}_a_b_idx",
            f"{t}_a_idx",
            f"{t}_a_idx1",
            f"{t}_expr_idx",
            f"{t}_pkey",
        ]
        (definition,) = c.execute(f"SELECT pg_get_indexdef('{t}_expr_idx'::regclass)").fetchone()
        assert definition == f"CREATE INDEX {t}_expr_idx ON public.{t} USING btree (((a + b)))"
        c.execute(f"INSERT INTO {t} VALUES (1, 2, 3), (2, 4, 1)")
        query = f"SELECT id FROM {t} WHERE a + b = 5 ORDER BY id"
        assert f"Index Scan using {t}_expr_idx" in plan_of(c, query)
        assert c.execute(query).fetchall() == [(1,), (2,)]


def test_schema_qualified_index_name_is_a_syntax_error(tidesql_dsn: str) -> None:
    t = table_name()
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, a int)")
        assert sqlstate_of(c, f"CREATE INDEX ASYNC public.{t}_a ON {t} (a)")[0] == "42601"


def test_variants_with_synchronous_create_index_in_extended_mode(extended_dsn: str) -> None:
    t = table_name()
    with connect(extended_dsn) as c:
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, email text, n int)")
        c.execute(f"INSERT INTO {t} VALUES (1, 'A@x', 1), (2, 'b@x', NULL), (3, 'C@x', 3)")
        c.execute(f"CREATE UNIQUE INDEX ON {t} (lower(email)) WHERE n IS NOT NULL")
        c.execute(f"CREATE UNIQUE INDEX {t}_n ON {t} (n) NULLS NOT DISTINCT")
        query = f"SELECT id FROM {t} WHERE lower(email) = 'c@x' AND n IS NOT NULL"
        assert f"Index Scan using {t}_lower_idx" in plan_of(c, query)
        assert c.execute(query).fetchall() == [(3,)]
        assert sqlstate_of(c, f"INSERT INTO {t} VALUES (4, 'a@X', 9)")[0] == "23505"
        assert sqlstate_of(c, f"INSERT INTO {t} VALUES (5, 'z@x', NULL)")[0] == "23505"
        c.execute(f"INSERT INTO {t} VALUES (6, 'B@X', 6)")
