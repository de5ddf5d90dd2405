"""Foreign keys, row locks as conflict checks, and NOT VALID constraints, through psycopg
against a real server in DSQL mode (and extended mode where it differs)."""

from __future__ import annotations

import itertools
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from test_clients import psql, sa_engine

_names = itertools.count()


def names(*prefixes: str) -> list[str]:
    n = next(_names)
    return [f"fk{n}_{prefix}" for prefix in prefixes]


def connect(dsn: str, **kwargs: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True, **kwargs)


def error_of(connection: psycopg.Connection[Any], sql: str) -> psycopg.Error:
    with pytest.raises(psycopg.Error) as raised:
        connection.execute(sql)
    return raised.value


def parent_and_child(dsn: str, child_clause: str = "") -> tuple[str, str]:
    parent, child = names("p", "c")
    with connect(dsn) as c:
        c.execute(f"CREATE TABLE {parent} (id int PRIMARY KEY, name text)")
        c.execute(
            f"CREATE TABLE {child} (id int PRIMARY KEY, p int REFERENCES {parent} {child_clause})"
        )
        c.execute(f"INSERT INTO {parent} VALUES (1, 'one'), (2, 'two')")
    return parent, child


def test_violations_both_ways_have_postgres_messages(tidesql_dsn: str) -> None:
    parent, child = parent_and_child(tidesql_dsn)
    with connect(tidesql_dsn) as c:
        c.execute(f"INSERT INTO {child} VALUES (10, 1), (11, NULL)")
        error = error_of(c, f"INSERT INTO {child} VALUES (12, 5)")
        assert error.sqlstate == "23503"
        assert error.diag.message_primary == (
            f'insert or update on table "{child}" violates foreign key constraint "{child}_p_fkey"'
        )
        assert error.diag.message_detail == f'Key (p)=(5) is not present in table "{parent}".'
        error = error_of(c, f"UPDATE {child} SET p = 7 WHERE id = 10")
        assert error.sqlstate == "23503"
        error = error_of(c, f"DELETE FROM {parent} WHERE id = 1")
        assert error.sqlstate == "23503"
        assert error.diag.message_primary == (
            f'update or delete on table "{parent}" violates foreign key constraint '
            f'"{child}_p_fkey" on table "{child}"'
        )
        assert (
            error.diag.message_detail == f'Key (id)=(1) is still referenced from table "{child}".'
        )
        assert error_of(c, f"UPDATE {parent} SET id = 9 WHERE id = 1").sqlstate == "23503"
        # A non-key update of the parent and a delete of an unreferenced parent are fine.
        c.execute(f"UPDATE {parent} SET name = 'uno' WHERE id = 1")
        c.execute(f"DELETE FROM {parent} WHERE id = 2")
        # A parent inserted earlier in the same transaction is found (the notebook).
        with c.transaction():
            c.execute(f"INSERT INTO {parent} VALUES (3, 'three')")
            c.execute(f"INSERT INTO {child} VALUES (13, 3)")
        assert c.execute(f"SELECT id, p FROM {child} ORDER BY id").fetchall() == [
            (10, 1),
            (11, None),
            (13, 3),
        ]


def test_referential_actions(tidesql_dsn: str) -> None:
    parent, cascade, set_null, restrict = names("p", "cascade", "null", "restrict")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {parent} (id int PRIMARY KEY, code text UNIQUE)")
        c.execute(
            f"CREATE TABLE {cascade} (id int PRIMARY KEY, code text REFERENCES {parent} (code) "
            "ON DELETE CASCADE ON UPDATE CASCADE)"
        )
        c.execute(
            f"CREATE TABLE {set_null} (id int PRIMARY KEY, "
            f"p int REFERENCES {parent} ON DELETE SET NULL)"
        )
        c.execute(
            f"CREATE TABLE {restrict} (id int PRIMARY KEY, "
            f"p int REFERENCES {parent} ON DELETE RESTRICT)"
        )
        c.execute(f"INSERT INTO {parent} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        c.execute(f"INSERT INTO {cascade} VALUES (1, 'a'), (2, 'a'), (3, 'b')")
        c.execute(f"INSERT INTO {set_null} VALUES (1, 1), (2, 2)")
        c.execute(f"INSERT INTO {restrict} VALUES (1, 3)")
        c.execute(f"UPDATE {parent} SET code = 'bb' WHERE id = 2")
        c.execute(f"DELETE FROM {parent} WHERE id = 1")
        assert c.execute(f"SELECT id, code FROM {cascade} ORDER BY id").fetchall() == [(3, "bb")]
        assert c.execute(f"SELECT id, p FROM {set_null} ORDER BY id").fetchall() == [
            (1, None),
            (2, 2),
        ]
        assert error_of(c, f"DELETE FROM {parent} WHERE id = 3").sqlstate == "23503"


def test_deferred_constraint_is_checked_at_commit(tidesql_dsn: str) -> None:
    (tree,) = names("tree")
    with connect(tidesql_dsn) as c:
        c.execute(
            f"CREATE TABLE {tree} (id int PRIMARY KEY, "
            f"parent int REFERENCES {tree} DEFERRABLE INITIALLY DEFERRED)"
        )
        # The child comes first; its parent arrives later in the same transaction.
        with c.transaction():
            c.execute(f"INSERT INTO {tree} VALUES (2, 1)")
            c.execute(f"INSERT INTO {tree} VALUES (1, NULL)")
        c.execute("BEGIN")
        c.execute(f"INSERT INTO {tree} VALUES (3, 99)")  # accepted for now
        error = error_of(c, "COMMIT")
        assert error.sqlstate == "23503"
        assert error.diag.message_detail == f'Key (parent)=(99) is not present in table "{tree}".'
        assert c.execute(f"SELECT id FROM {tree} ORDER BY id").fetchall() == [(1,), (2,)]


def test_set_constraints_switches_deferral(tidesql_dsn: str) -> None:
    parent, child = names("p", "c")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {parent} (id int PRIMARY KEY)")
        c.execute(
            f"CREATE TABLE {child} (id int PRIMARY KEY, "
            f"p int CONSTRAINT {child}_fk REFERENCES {parent} DEFERRABLE)"
        )
        # INITIALLY IMMEDIATE: checked by the statement …
        c.execute("BEGIN")
        assert error_of(c, f"INSERT INTO {child} VALUES (1, 1)").sqlstate == "23503"
        c.execute("ROLLBACK")
        # … unless deferred for the transaction.
        with c.transaction():
            c.execute(f"SET CONSTRAINTS {child}_fk DEFERRED")
            c.execute(f"INSERT INTO {child} VALUES (1, 1)")
            c.execute(f"INSERT INTO {parent} VALUES (1)")
        # Back to IMMEDIATE checks what was deferred, at once.
        c.execute("BEGIN")
        c.execute("SET CONSTRAINTS ALL DEFERRED")
        c.execute(f"INSERT INTO {child} VALUES (2, 2)")
        assert error_of(c, "SET CONSTRAINTS ALL IMMEDIATE").sqlstate == "23503"
        c.execute("ROLLBACK")
        (other,) = names("o")
        c.execute(f"CREATE TABLE {other} (id int PRIMARY KEY, p int CONSTRAINT {other}_fk "
                  f"REFERENCES {parent})")  # fmt: skip
        c.execute("BEGIN")
        assert error_of(c, f"SET CONSTRAINTS {other}_fk DEFERRED").sqlstate == "42809"
        c.execute("ROLLBACK")
        assert c.execute(f"SELECT id, p FROM {child}").fetchall() == [(1, 1)]


def test_immediate_self_reference_is_checked_at_statement_end(tidesql_dsn: str) -> None:
    (tree,) = names("tree")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {tree} (id int PRIMARY KEY, parent int REFERENCES {tree})")
        c.execute(f"INSERT INTO {tree} VALUES (2, 1), (1, NULL)")  # as in PostgreSQL
        assert error_of(c, f"INSERT INTO {tree} VALUES (3, 4)").sqlstate == "23503"
        c.execute(f"DELETE FROM {tree}")  # parent and child in one statement
        assert c.execute(f"SELECT count(*) FROM {tree}").fetchone() == (0,)


def test_child_insert_vs_parent_delete_later_committer_fails(tidesql_dsn: str) -> None:
    parent, child = parent_and_child(tidesql_dsn)
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        # The delete commits first: the child insert fails at its COMMIT.
        a.execute("BEGIN")
        a.execute(f"INSERT INTO {child} VALUES (10, 1)")
        b.execute("BEGIN")
        b.execute(f"DELETE FROM {parent} WHERE id = 1")
        b.execute("COMMIT")
        error = error_of(a, "COMMIT")
        assert error.sqlstate == "40001" and "(OC000)" in error.diag.message_primary
        # The child insert commits first: the delete (which did not see it) fails.
        a.execute("BEGIN")
        a.execute(f"INSERT INTO {child} VALUES (11, 2)")
        b.execute("BEGIN")
        b.execute(f"DELETE FROM {parent} WHERE id = 2")
        a.execute("COMMIT")
        error = error_of(b, "COMMIT")
        assert error.sqlstate == "40001" and "(OC000)" in error.diag.message_primary
        assert a.execute(f"SELECT id, p FROM {child}").fetchall() == [(11, 2)]
        assert a.execute(f"SELECT id FROM {parent}").fetchall() == [(2,)]


def test_child_insert_vs_non_key_parent_update_both_commit(tidesql_dsn: str) -> None:
    parent, child = parent_and_child(tidesql_dsn)
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        for first, second in ((a, b), (b, a)):
            a.execute("BEGIN")
            a.execute(
                f"INSERT INTO {child} (id, p) SELECT coalesce(max(id), 0) + 1, 1 FROM {child}"
            )
            b.execute("BEGIN")
            b.execute(f"UPDATE {parent} SET name = name || '!' WHERE id = 1")
            first.execute("COMMIT")
            second.execute("COMMIT")
        assert a.execute(f"SELECT name FROM {parent} WHERE id = 1").fetchone() == ("one!!",)
        assert a.execute(f"SELECT count(*) FROM {child}").fetchone() == (2,)


def test_key_update_of_parent_conflicts_with_child_insert(tidesql_dsn: str) -> None:
    parent, child = parent_and_child(tidesql_dsn)
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        a.execute("BEGIN")
        a.execute(f"INSERT INTO {child} VALUES (10, 1)")
        b.execute("BEGIN")
        b.execute(f"UPDATE {parent} SET id = 5 WHERE id = 1")
        b.execute("COMMIT")
        assert error_of(a, "COMMIT").sqlstate == "40001"


def test_for_key_share_alone_follows_the_same_rules(tidesql_dsn: str) -> None:
    (table,) = names("t")
    with connect(tidesql_dsn) as a, connect(tidesql_dsn) as b:
        a.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v int)")
        a.execute(f"INSERT INTO {table} VALUES (1, 0), (2, 0), (3, 0)")
        # Key-share then a concurrent delete that commits first: the key-sharer fails.
        a.execute("BEGIN")
        assert a.execute(f"SELECT v FROM {table} WHERE id = 1 FOR KEY SHARE").fetchall() == [(0,)]
        b.execute(f"DELETE FROM {table} WHERE id = 1")
        error = error_of(a, "COMMIT")
        assert error.sqlstate == "40001" and "(OC000)" in error.diag.message_primary
        # Key-share commits first: the deleter that began before it fails.
        b.execute("BEGIN")
        b.execute(f"DELETE FROM {table} WHERE id = 2")
        a.execute("BEGIN")
        a.execute(f"SELECT v FROM {table} WHERE id = 2 FOR KEY SHARE")
        a.execute("COMMIT")
        assert error_of(b, "COMMIT").sqlstate == "40001"
        # A non-key update and another key-share do not conflict with it.
        a.execute("BEGIN")
        a.execute(f"SELECT v FROM {table} WHERE id = 3 FOR KEY SHARE")
        b.execute("BEGIN")
        b.execute(f"SELECT v FROM {table} WHERE id = 3 FOR KEY SHARE")
        b.execute("COMMIT")
        b.execute(f"UPDATE {table} SET v = 1 WHERE id = 3")
        a.execute("COMMIT")
        # FOR UPDATE still conflicts with a non-key update.
        a.execute("BEGIN")
        a.execute(f"SELECT v FROM {table} WHERE id = 3 FOR UPDATE")
        b.execute(f"UPDATE {table} SET v = 2 WHERE id = 3")
        assert error_of(a, "COMMIT").sqlstate == "40001"


def test_rollback_to_savepoint_releases_key_shares(extended_dsn: str) -> None:
    """A key-share taken after a savepoint (FK check, FOR KEY SHARE) goes with ROLLBACK TO,
    as PostgreSQL releases the row lock: a concurrent delete no longer fails the COMMIT."""
    parent, child = parent_and_child(extended_dsn)
    (other,) = names("o")
    with connect(extended_dsn) as a, connect(extended_dsn) as b:
        a.execute(f"CREATE TABLE {other} (id int PRIMARY KEY)")
        a.execute("BEGIN")
        a.execute(f"INSERT INTO {other} VALUES (1)")
        a.execute("SAVEPOINT s")
        a.execute(f"INSERT INTO {child} VALUES (10, 1)")
        a.execute(f"SELECT id FROM {parent} WHERE id = 2 FOR KEY SHARE")
        a.execute("ROLLBACK TO SAVEPOINT s")
        b.execute(f"DELETE FROM {parent}")
        a.execute("COMMIT")
        assert a.execute(f"SELECT id FROM {other}").fetchall() == [(1,)]
        assert a.execute(f"SELECT count(*) FROM {child}").fetchone() == (0,)


@pytest.mark.parametrize("clause", ["FOR SHARE", "FOR NO KEY UPDATE"])
def test_dsql_refuses_other_row_locks(tidesql_dsn: str, extended_dsn: str, clause: str) -> None:
    (table,) = names("t")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
        assert error_of(c, f"SELECT id FROM {table} {clause}").sqlstate == "0A000"
    with connect(extended_dsn) as a, connect(extended_dsn) as b:
        # Extended mode checks them like FOR UPDATE.
        a.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, v int)")
        a.execute(f"INSERT INTO {table} VALUES (1, 0)")
        a.execute("BEGIN")
        a.execute(f"SELECT id FROM {table} WHERE id = 1 {clause}")
        b.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")
        assert error_of(a, "COMMIT").sqlstate == "40001"


def wait_for_failure(c: psycopg.Connection[Any], job_id: str) -> tuple[str, str]:
    """sys.wait_for_job raises for a failed job; sys.jobs then shows why."""
    error_of(c, f"SELECT sys.wait_for_job('{job_id}')")
    row = c.execute("SELECT status, details FROM sys.jobs WHERE job_id = %s", (job_id,)).fetchone()
    assert row is not None
    return row


def convalidated(c: psycopg.Connection[Any], name: str) -> bool:
    row = c.execute("SELECT convalidated FROM pg_constraint WHERE conname = %s", (name,)).fetchone()
    assert row is not None
    return bool(row[0])


def test_not_valid_constraints_validated_by_async_job(tidesql_dsn: str) -> None:
    parent, child = names("p", "c")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {parent} (id int PRIMARY KEY)")
        c.execute(f"CREATE TABLE {child} (id int PRIMARY KEY, p int, q int)")
        c.execute(f"INSERT INTO {parent} VALUES (1)")
        c.execute(f"INSERT INTO {child} VALUES (1, 1, 5), (2, 7, -1)")
        # DSQL adds CHECK and FOREIGN KEY only NOT VALID …
        for constraint in (f"FOREIGN KEY (p) REFERENCES {parent}", "CHECK (q > 0)"):
            error = error_of(c, f"ALTER TABLE {child} ADD CONSTRAINT x {constraint}")
            assert error.sqlstate == "0A000"
        c.execute(f"ALTER TABLE {child} ADD CONSTRAINT {child}_fk FOREIGN KEY (p) "
                  f"REFERENCES {parent} NOT VALID")  # fmt: skip
        c.execute(f"ALTER TABLE {child} ADD CONSTRAINT {child}_q CHECK (q > 0) NOT VALID")
        # … which new rows obey at once …
        assert error_of(c, f"INSERT INTO {child} VALUES (3, 8, 1)").sqlstate == "23503"
        assert error_of(c, f"INSERT INTO {child} VALUES (3, 1, 0)").sqlstate == "23514"
        # … and validates them only asynchronously.
        error = error_of(c, f"ALTER TABLE {child} VALIDATE CONSTRAINT {child}_fk")
        assert error.sqlstate == "0A000"
        for name, sqlstate in ((f"{child}_fk", "23503"), (f"{child}_q", "23514")):
            row = c.execute(f"ALTER TABLE ASYNC {child} VALIDATE CONSTRAINT {name}").fetchone()
            assert row is not None
            status, details = wait_for_failure(c, row[0])
            assert status == "failed" and details.startswith(sqlstate)
            assert not convalidated(c, name)
            assert c.execute(
                "SELECT job_type FROM sys.jobs WHERE job_id = %s", (row[0],)
            ).fetchone() == ("VALIDATE_CONSTRAINT",)
        # Fix the rows; now the jobs succeed and the constraints become valid.
        c.execute(f"DELETE FROM {child} WHERE id = 2")
        for name in (f"{child}_fk", f"{child}_q"):
            row = c.execute(f"ALTER TABLE ASYNC {child} VALIDATE CONSTRAINT {name}").fetchone()
            assert row is not None
            assert c.execute("SELECT sys.wait_for_job(%s)", (row[0],)).fetchone() == (True,)
            assert convalidated(c, name)
        definition = c.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            (f"{child}_fk",),
        ).fetchone()
        assert definition == (f"FOREIGN KEY (p) REFERENCES {parent}(id)",)
        # ASYNC answers with the job id alone: a subcommand beside it is refused rather
        # than silently skipped.
        error = error_of(
            c, f"ALTER TABLE ASYNC {child} ADD COLUMN r int, VALIDATE CONSTRAINT {child}_fk"
        )
        assert error.sqlstate == "0A000"
        assert c.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = %s", (child,)
        ).fetchone() == (3,)
        c.execute(f"ALTER TABLE {child} ADD COLUMN r int")


def test_extended_mode_validates_at_once(extended_dsn: str) -> None:
    parent, child = names("p", "c")
    with connect(extended_dsn) as c:
        c.execute(f"CREATE TABLE {parent} (id int PRIMARY KEY)")
        c.execute(f"CREATE TABLE {child} (id int PRIMARY KEY, p int)")
        c.execute(f"INSERT INTO {child} VALUES (1, 4)")
        error = error_of(c, f"ALTER TABLE {child} ADD FOREIGN KEY (p) REFERENCES {parent}")
        assert error.sqlstate == "23503"
        c.execute(f"ALTER TABLE {child} ADD CONSTRAINT {child}_fk FOREIGN KEY (p) "
                  f"REFERENCES {parent} NOT VALID")  # fmt: skip
        error = error_of(c, f"ALTER TABLE {child} VALIDATE CONSTRAINT {child}_fk")
        assert error.sqlstate == "23503" and not convalidated(c, f"{child}_fk")
        c.execute(f"INSERT INTO {parent} VALUES (4)")
        c.execute(f"ALTER TABLE {child} VALIDATE CONSTRAINT {child}_fk")
        assert convalidated(c, f"{child}_fk")


def test_drop_referenced_table_needs_cascade(tidesql_dsn: str) -> None:
    parent, child = parent_and_child(tidesql_dsn)
    with connect(tidesql_dsn) as c:
        c.execute(f"INSERT INTO {child} VALUES (1, 1)")
        error = error_of(c, f"DROP TABLE {parent}")
        assert error.sqlstate == "2BP01"
        assert error.diag.message_detail == (
            f"constraint {child}_p_fkey on table {child} depends on table {parent}"
        )
        c.execute(f"DROP TABLE {parent} CASCADE")
        c.execute(f"INSERT INTO {child} VALUES (2, 99)")  # the constraint went with it
        assert c.execute(
            "SELECT count(*) FROM pg_constraint WHERE conname = %s", (f"{child}_p_fkey",)
        ).fetchone() == (0,)


def test_sqlalchemy_reflects_foreign_keys(tidesql_dsn: str) -> None:
    parent, child = names("p", "c")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE TABLE {parent} (id int PRIMARY KEY, code text UNIQUE)")
        c.execute(
            f"CREATE TABLE {child} (id int PRIMARY KEY, p int REFERENCES {parent} "
            f"ON DELETE CASCADE, code text, CONSTRAINT {child}_code FOREIGN KEY (code) "
            f"REFERENCES {parent} (code) DEFERRABLE INITIALLY DEFERRED)"
        )
    with sa_engine(tidesql_dsn) as engine:
        keys = sorted(sa.inspect(engine).get_foreign_keys(child), key=lambda k: k["name"])
        assert [(k["name"], k["constrained_columns"], k["referred_table"],
                 k["referred_columns"]) for k in keys] == [
            (f"{child}_code", ["code"], parent, ["code"]),
            (f"{child}_p_fkey", ["p"], parent, ["id"]),
        ]  # fmt: skip
        assert keys[0]["options"] == {"deferrable": True, "initially": "DEFERRED"}
        assert keys[1]["options"] == {"ondelete": "CASCADE"}
        reflected = sa.Table(child, sa.MetaData(), autoload_with=engine)
        assert {fk.target_fullname for fk in reflected.foreign_keys} == {
            f"{parent}.id",
            f"{parent}.code",
        }


def test_psql_describe_shows_foreign_keys_both_ways(tidesql_dsn: str) -> None:
    parent, child = parent_and_child(tidesql_dsn, "ON DELETE CASCADE")
    definition = f"FOREIGN KEY (p) REFERENCES {parent}(id) ON DELETE CASCADE"
    child_lines = psql(tidesql_dsn, f"\\d {child}")
    assert child_lines[-2:] == ["Foreign-key constraints:", f'    "{child}_p_fkey" {definition}']
    parent_lines = psql(tidesql_dsn, f"\\d {parent}")
    assert parent_lines[-2:] == [
        "Referenced by:",
        f'    TABLE "{child}" CONSTRAINT "{child}_p_fkey" {definition}',
    ]
