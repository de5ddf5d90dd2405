"""EXPLAIN ANALYZE through psycopg against a real server: it runs the statement and
prints PostgreSQL's shape — ``(actual time=A..B rows=N loops=L)`` on every plan node,
``Planning Time`` and ``Execution Time`` last — with the options PostgreSQL has (TIMING
OFF, SUMMARY OFF, COSTS OFF). Only the shape and the counts are checked, never the
times' values.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import psycopg
import pytest

_names = itertools.count()
NUMBER = r"[0-9]+\.[0-9]{3}"


def actual(rows: int, loops: int = 1) -> str:
    return rf" \(actual time={NUMBER}\.\.{NUMBER} rows={rows} loops={loops}\)"


def plan(c: psycopg.Connection[Any], sql: str) -> list[str]:
    return [row[0] for row in c.execute(sql)]


@pytest.fixture
def table(tidesql_dsn: str) -> Any:
    with psycopg.connect(tidesql_dsn, autocommit=True) as c:
        name = f"ea_{next(_names)}"
        c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v text)")
        c.execute(f"INSERT INTO {name} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        yield c, name


def test_select_nodes_show_actual_rows_and_loops(table: Any) -> None:
    c, t = table
    lines = plan(c, f"EXPLAIN ANALYZE SELECT * FROM {t} WHERE v <> 'b'")
    assert re.fullmatch(r"Project" + actual(2), lines[0]), lines
    assert re.fullmatch(rf"  ->  Seq Scan on {t}" + actual(2), lines[1]), lines
    assert lines[2] == "        Filter: (v <> 'b')"
    assert re.fullmatch(rf"Planning Time: {NUMBER} ms", lines[-2]), lines
    assert re.fullmatch(rf"Execution Time: {NUMBER} ms", lines[-1]), lines
    assert len(lines) == 5


def test_analyze_adds_figures_to_the_plain_plan(table: Any) -> None:
    c, t = table
    sql = f"SELECT a.id, b.v FROM {t} a JOIN {t} b ON a.v = b.v WHERE a.id > 1 ORDER BY 1"
    plain = plan(c, f"EXPLAIN {sql}")
    analyzed = plan(c, f"EXPLAIN ANALYZE {sql}")[:-2]
    assert [re.sub(r" \(actual [^)]*\)$", "", line) for line in analyzed] == plain
    assert all("actual" not in line for line in plain)
    # Every node line (the first, and each ``->``) carries the figures, no detail line does.
    for number, line in enumerate(analyzed):
        assert ("actual" in line) == (number == 0 or "->  " in line), analyzed


def test_correlated_subquery_runs_once_per_outer_row(table: Any) -> None:
    c, t = table
    lines = plan(c, f"EXPLAIN ANALYZE SELECT (SELECT v FROM {t} b WHERE b.id = a.id) FROM {t} a")
    index_scan = next(line for line in lines if "Index Scan" in line)
    assert re.search(actual(1, loops=3) + "$", index_scan), lines
    outer = next(line for line in lines if "Seq Scan" in line)
    assert re.search(actual(3) + "$", outer), lines


def test_nodes_that_never_ran(table: Any) -> None:
    c, t = table
    lines = plan(
        c,
        f"EXPLAIN ANALYZE SELECT (SELECT v FROM {t} b WHERE b.id = a.id) FROM {t} a"
        " WHERE a.v = 'zz'",
    )
    index_scan = next(line for line in lines if "Index Scan" in line)
    assert index_scan.endswith(" (never executed)"), lines


def test_timing_off_and_summary_off(table: Any) -> None:
    c, t = table
    lines = plan(
        c, f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM {t} WHERE id = 2"
    )
    assert lines[0] == "Project (actual rows=1 loops=1)"
    assert lines[1] == f"  ->  Index Scan using {t}_pkey on {t} (actual rows=1 loops=1)"
    assert not any("Time" in line for line in lines)
    lines = plan(c, f"EXPLAIN (ANALYZE TRUE, TIMING FALSE) SELECT * FROM {t}")
    assert lines[-1].startswith("Execution Time: ")
    assert "time=" not in "".join(lines[:-2])
    assert plan(c, f"EXPLAIN (ANALYZE OFF) SELECT * FROM {t}") == plan(
        c, f"EXPLAIN SELECT * FROM {t}"
    )
    lines = plan(c, f"EXPLAIN (SUMMARY) SELECT * FROM {t}")
    assert re.fullmatch(rf"Planning Time: {NUMBER} ms", lines[-1]), lines
    assert "actual" not in "".join(lines)


def test_analyze_with_parameters(table: Any) -> None:
    c, t = table
    lines = plan_params(c, f"EXPLAIN ANALYZE SELECT v FROM {t} WHERE id = %s", (2,))
    assert re.search(actual(1) + "$", lines[1]), lines


def plan_params(c: psycopg.Connection[Any], sql: str, params: tuple[Any, ...]) -> list[str]:
    return [row[0] for row in c.execute(sql, params)]


def test_analyze_of_writes_changes_data(table: Any) -> None:
    c, t = table
    lines = plan(c, f"EXPLAIN ANALYZE INSERT INTO {t} VALUES (4, 'd')")
    assert re.fullmatch(f"Insert on {t}" + actual(0), lines[0]), lines
    assert c.execute(f"SELECT v FROM {t} WHERE id = 4").fetchone() == ("d",)
    lines = plan(c, f"EXPLAIN ANALYZE UPDATE {t} SET v = 'x' WHERE id <= 2")
    assert re.fullmatch(f"Update on {t}" + actual(0), lines[0]), lines
    assert re.search(actual(2) + "$", lines[1]), lines
    assert c.execute(f"SELECT count(*) FROM {t} WHERE v = 'x'").fetchone() == (2,)
    lines = plan(c, f"EXPLAIN (ANALYZE, TIMING OFF) DELETE FROM {t} WHERE id = 1 RETURNING v")
    assert lines[0] == f"Delete on {t} (actual rows=1 loops=1)"
    assert c.execute(f"SELECT count(*) FROM {t}").fetchone() == (3,)
    # Plain EXPLAIN runs nothing.
    plan(c, f"EXPLAIN DELETE FROM {t}")
    assert c.execute(f"SELECT count(*) FROM {t}").fetchone() == (3,)


def test_analyze_of_a_write_is_dml_for_dsql(table: Any) -> None:
    c, t = table
    c.execute("BEGIN")
    c.execute(f"CREATE VIEW {t}_v AS SELECT 1 AS one")
    with pytest.raises(psycopg.errors.FeatureNotSupported) as raised:
        c.execute(f"EXPLAIN ANALYZE INSERT INTO {t} VALUES (9, 'z')")
    assert (
        raised.value.diag.message_primary == "ddl and dml are not supported in the same transaction"
    )
    c.execute("ROLLBACK")
    assert c.execute(f"SELECT count(*) FROM {t} WHERE id = 9").fetchone() == (0,)


@pytest.mark.parametrize(
    ("sql", "sqlstate", "message"),
    [
        ("EXPLAIN (TIMING) SELECT 1", "22023", "EXPLAIN option TIMING requires ANALYZE"),
        ("EXPLAIN (ANALYZE maybe) SELECT 1", "42601", "analyze requires a Boolean value"),
        ("EXPLAIN (FROBNICATE) SELECT 1", "42601", 'unrecognized EXPLAIN option "frobnicate"'),
        (
            "EXPLAIN (FORMAT bar) SELECT 1",
            "22023",
            'unrecognized value for EXPLAIN option "format": "bar"',
        ),
    ],
)
def test_option_errors(tidesql_dsn: str, sql: str, sqlstate: str, message: str) -> None:
    with psycopg.connect(tidesql_dsn, autocommit=True) as c:
        with pytest.raises(psycopg.Error) as raised:
            c.execute(sql)
        assert (raised.value.sqlstate, raised.value.diag.message_primary) == (sqlstate, message)


def test_conditions_name_their_values_and_columns(table: Any) -> None:
    c, t = table
    assert "        Index Cond: (id = 2)" in plan(c, f"EXPLAIN SELECT * FROM {t} WHERE id = 2")
    with c.cursor() as cursor:  # a parameter stays a parameter in the plan
        cursor.execute(f"EXPLAIN SELECT * FROM {t} WHERE id = %s", (2,))
        assert "        Index Cond: (id = $1)" in [row[0] for row in cursor]
    joined = plan(c, f"EXPLAIN SELECT * FROM {t} a JOIN {t} b ON a.v = b.v")
    assert "        Hash Cond: (a.v = b.v)" in joined, joined


def test_secondary_index_conditions_name_their_values(tidesql_dsn: str) -> None:
    with psycopg.connect(tidesql_dsn, autocommit=True) as c:
        t = f"ea_{next(_names)}"
        c.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, city text, email text)")
        for sql in (
            f"CREATE INDEX ASYNC {t}_city ON {t} (city)",
            f"CREATE INDEX ASYNC ON {t} (lower(email))",
        ):
            (job,) = c.execute(sql).fetchone()
            c.execute("SELECT sys.wait_for_job(%s)", (job,))
        lines = plan(c, f"EXPLAIN SELECT id FROM {t} WHERE city = 'Oslo'")
        assert "        Index Cond: (city = 'Oslo')" in lines, lines
        lines = plan(c, f"EXPLAIN SELECT id FROM {t} WHERE lower(email) = 'a@b'")
        assert any(
            line.strip().startswith("Index Cond: (") and "'a@b'" in line for line in lines
        ), lines
