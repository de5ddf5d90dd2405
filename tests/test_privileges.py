"""GRANT / REVOKE with enforcement, through psycopg against a real server with password
authentication: ``admin`` grants, a role with a password connects and is checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from servers import tidesql_server

ADMIN_PASSWORD = "admin-secret"


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    with tidesql_server("--auth", "password", "--admin-password", ADMIN_PASSWORD) as dsn:
        yield dsn


def as_admin(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, password=ADMIN_PASSWORD, autocommit=True)


def as_role(dsn: str, role: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, user=role, password=f"{role}-pw", autocommit=True)


def error_of(c: psycopg.Connection[Any], sql: str) -> tuple[str | None, str]:
    try:
        c.execute(sql)
    except psycopg.Error as error:
        return error.sqlstate, error.diag.message_primary or ""
    return None, ""


def make_role(admin: psycopg.Connection[Any], role: str) -> None:
    admin.execute(f"CREATE ROLE {role} WITH LOGIN PASSWORD '{role}-pw'")


def test_a_role_reaches_a_table_only_through_grants(dsn: str) -> None:
    with as_admin(dsn) as admin:
        make_role(admin, "reader")
        admin.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int)")
        admin.execute("INSERT INTO accounts VALUES (1, 100)")
        with as_role(dsn, "reader") as reader:
            denied = ("42501", "permission denied for table accounts")
            assert error_of(reader, "SELECT * FROM accounts") == denied
            assert error_of(reader, "INSERT INTO accounts VALUES (2, 0)") == denied
            admin.execute("GRANT SELECT ON TABLE accounts TO reader")
            assert reader.execute("SELECT balance FROM accounts").fetchall() == [(100,)]
            # A prepared statement is checked each time it runs.
            query = "SELECT balance FROM accounts WHERE id = %s"
            assert reader.execute(query, (1,), prepare=True).fetchall() == [(100,)]
            assert error_of(reader, "UPDATE accounts SET balance = 0") == denied
            assert error_of(reader, "DELETE FROM accounts") == denied
            admin.execute("REVOKE SELECT ON accounts FROM reader")
            with pytest.raises(psycopg.Error) as caught:
                reader.execute(query, (1,), prepare=True)
            assert caught.value.sqlstate == "42501"
            assert error_of(reader, "EXPLAIN SELECT * FROM accounts") == denied


def test_write_privileges_are_separate(dsn: str) -> None:
    with as_admin(dsn) as admin:
        make_role(admin, "writer")
        admin.execute("CREATE TABLE events (id int PRIMARY KEY, body text)")
        admin.execute("GRANT INSERT, UPDATE ON events TO writer")
        with as_role(dsn, "writer") as writer:
            writer.execute("INSERT INTO events VALUES (1, 'a')")
            writer.execute("UPDATE events SET body = 'b'")  # no WHERE: no SELECT needed
            denied = ("42501", "permission denied for table events")
            # WHERE and RETURNING read the rows, which needs SELECT, as in PostgreSQL.
            assert error_of(writer, "UPDATE events SET body = 'c' WHERE id = 1") == denied
            assert error_of(writer, "INSERT INTO events VALUES (2, 'x') RETURNING id") == denied
            assert error_of(writer, "DELETE FROM events") == denied
            assert error_of(writer, "SELECT * FROM events") == denied
        assert admin.execute("SELECT * FROM events").fetchall() == [(1, "b")]
        admin.execute("GRANT ALL PRIVILEGES ON events TO writer")
        with as_role(dsn, "writer") as writer:
            writer.execute("DELETE FROM events WHERE id = 1")
            assert writer.execute("SELECT count(*) FROM events").fetchone() == (0,)


def test_schema_usage_and_create(dsn: str) -> None:
    with as_admin(dsn) as admin:
        make_role(admin, "builder")
        admin.execute("CREATE SCHEMA app")
        admin.execute("CREATE TABLE app.items (id int PRIMARY KEY)")
        admin.execute("GRANT SELECT ON app.items TO builder")
        with as_role(dsn, "builder") as builder:
            assert error_of(builder, "SELECT * FROM app.items") == (
                "42501",
                "permission denied for schema app",
            )
            # public gives PUBLIC USAGE but not CREATE (PostgreSQL 15+).
            assert error_of(builder, "CREATE TABLE mine (id int PRIMARY KEY)") == (
                "42501",
                "permission denied for schema public",
            )
            admin.execute("GRANT USAGE, CREATE ON SCHEMA app TO builder")
            assert builder.execute("SELECT * FROM app.items").fetchall() == []
            builder.execute("CREATE TABLE app.mine (id int PRIMARY KEY)")
            builder.execute("INSERT INTO app.mine VALUES (1)")  # the owner may do anything
            owner = builder.execute(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'mine'"
            ).fetchone()
            assert owner == ("builder",)


def test_grant_option_and_who_may_grant(dsn: str) -> None:
    with as_admin(dsn) as admin:
        make_role(admin, "lead")
        make_role(admin, "member")
        admin.execute("CREATE TABLE reports (id int PRIMARY KEY)")
        admin.execute("GRANT SELECT ON reports TO lead")
        with as_role(dsn, "lead") as lead:
            assert error_of(lead, "GRANT SELECT ON reports TO member") == (
                "42501",
                "permission denied for table reports",
            )
            admin.execute("GRANT SELECT ON reports TO lead WITH GRANT OPTION")
            lead.execute("GRANT SELECT ON reports TO member")
        acl = admin.execute("SELECT relacl FROM pg_class WHERE relname = 'reports'").fetchone()
        assert acl == (["admin=arwdDxt/admin", "lead=r*/admin", "member=r/lead"],)
        with as_role(dsn, "member") as member:
            assert member.execute("SELECT count(*) FROM reports").fetchone() == (0,)


def test_role_membership_passes_privileges_on(dsn: str) -> None:
    with as_admin(dsn) as admin:
        admin.execute("CREATE ROLE analysts")
        make_role(admin, "ana")
        admin.execute("CREATE TABLE metrics (id int PRIMARY KEY)")
        admin.execute("GRANT SELECT ON metrics TO analysts")
        with as_role(dsn, "ana") as ana:
            assert error_of(ana, "SELECT * FROM metrics")[0] == "42501"
            admin.execute("GRANT analysts TO ana")
            assert ana.execute("SELECT * FROM metrics").fetchall() == []
            admin.execute("REVOKE analysts FROM ana")
            assert error_of(ana, "SELECT * FROM metrics")[0] == "42501"


def test_grant_to_public_and_privilege_functions(dsn: str) -> None:
    with as_admin(dsn) as admin:
        make_role(admin, "anyone")
        admin.execute("CREATE TABLE notices (id int PRIMARY KEY)")
        check = "SELECT has_table_privilege('anyone', 'notices', 'SELECT')"
        assert admin.execute(check).fetchone() == (False,)
        admin.execute("GRANT SELECT ON notices TO PUBLIC")
        assert admin.execute(check).fetchone() == (True,)
        assert admin.execute(
            "SELECT has_table_privilege('anyone', 'notices', 'INSERT')"
        ).fetchone() == (False,)
        assert admin.execute(
            "SELECT has_schema_privilege('anyone', 'public', 'USAGE'),"
            " has_schema_privilege('anyone', 'public', 'CREATE')"
        ).fetchone() == (True, False)
        acl = admin.execute("SELECT relacl FROM pg_class WHERE relname = 'notices'").fetchone()
        assert acl == (["admin=arwdDxt/admin", "=r/admin"],)
        with as_role(dsn, "anyone") as anyone:
            assert anyone.execute("SELECT has_table_privilege('notices', 'select')").fetchone() == (
                True,
            )
            assert anyone.execute("SELECT * FROM notices").fetchall() == []


def test_grant_follows_dsql_ddl_rules(dsn: str) -> None:
    """GRANT is DDL in DSQL: alone in its transaction, and refused in a read-only one."""
    with as_admin(dsn) as admin:
        make_role(admin, "late")
        admin.execute("CREATE TABLE ledger (id int PRIMARY KEY)")
        admin.execute("BEGIN")
        admin.execute("INSERT INTO ledger VALUES (1)")
        assert error_of(admin, "GRANT SELECT ON ledger TO late") == (
            "0A000",
            "ddl and dml are not supported in the same transaction",
        )
        admin.execute("ROLLBACK")
        admin.execute("BEGIN READ ONLY")
        assert error_of(admin, "GRANT SELECT ON ledger TO late") == (
            "25006",
            "cannot execute GRANT in a read-only transaction",
        )
        admin.execute("ROLLBACK")
        assert error_of(admin, "GRANT SELECT ON ledger TO nobody") == (
            "42704",
            'role "nobody" does not exist',
        )
