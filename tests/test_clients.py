"""Real clients against a real server: what they read from pg_catalog must be enough.

* psql's describe commands (``\\d``, ``\\d+``, ``\\dt``, ``\\di``, ``\\dn``, ``\\dv``, ``\\l``,
  ``\\du``), run as a subprocess, with their output checked line by line;
* asyncpg: rows of many types (its type introspection runs the recursive catalog query
  for array types), prepared statements, a codec set by type name, text COPY;
* psycopg: ``TypeInfo.fetch``, executemany, server-side and binary parameters;
* SQLAlchemy 2: the dialect's start-up, Core and ORM, ``create_all`` and reflection of
  tables, columns, primary keys, indexes and unique constraints.

Servers run in DSQL mode (``tidesql_dsn``) unless a test needs the extended one
(array columns, several DDL statements in one transaction as ``create_all`` does). Each
test makes uniquely named tables; nothing waits on time: asynchronous index builds are
awaited with ``sys.wait_for_job``.
"""

from __future__ import annotations

import decimal
import io
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import psycopg
import pytest
import sqlalchemy as sa
from psycopg.types import TypeInfo
from psycopg.types.json import Jsonb
from sqlalchemy import orm

PSQL_TIMEOUT_S = 30.0
requires_psql = pytest.mark.skipif(shutil.which("psql") is None, reason="psql is not installed")


# ---------------------------------------------------------------- helpers
def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def dsn_parts(dsn: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in dsn.split())


def connect(dsn: str, **kwargs: Any) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True, **kwargs)


def psql(dsn: str, *commands: str) -> list[str]:
    """Run psql (unaligned output, no psqlrc); return its output lines, failing on any
    error it reports."""
    parts = dsn_parts(dsn)
    arguments = ["psql", "-X", "-A", "-v", "ON_ERROR_STOP=1", "-h", parts["host"]]
    arguments += ["-p", parts["port"], "-U", parts["user"], parts["dbname"]]
    for command in commands:
        arguments += ["-c", command]
    done = subprocess.run(
        arguments, capture_output=True, text=True, timeout=PSQL_TIMEOUT_S, check=False
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout.splitlines()


def build_index(dsn: str, sql: str) -> None:
    """CREATE INDEX ASYNC, then wait for the build job to finish."""
    with connect(dsn) as c:
        row = c.execute(sql).fetchone()
        assert row is not None
        assert c.execute("SELECT sys.wait_for_job(%s)", (row[0],)).fetchone() == (True,)


@contextmanager
def sa_engine(dsn: str, **options: Any) -> Iterator[sa.Engine]:
    parts = dsn_parts(dsn)
    url = f"postgresql+psycopg://{parts['user']}@{parts['host']}:{parts['port']}/{parts['dbname']}"
    # The hstore probe of the psycopg dialect runs in a SAVEPOINT, which DSQL mode (like
    # DSQL) refuses; extended mode runs it (test_sqlalchemy_default_hstore_probe).
    engine = sa.create_engine(url, use_native_hstore=False, **options)
    try:
        yield engine
    finally:
        engine.dispose()


async def asyncpg_connect(dsn: str) -> asyncpg.Connection:
    parts = dsn_parts(dsn)
    return await asyncpg.connect(
        host=parts["host"], port=int(parts["port"]), user=parts["user"], database=parts["dbname"]
    )


def create_described_table(dsn: str) -> str:
    """A table with a primary key, a unique constraint, a default, a check and an index."""
    name = unique("psql")
    with connect(dsn) as c:
        c.execute(
            f"CREATE TABLE {name} (id int PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, "
            "qty numeric(10,2) DEFAULT 1.5 CHECK (qty > 0), note text)"
        )
    build_index(dsn, f"CREATE INDEX ASYNC {name}_qty ON {name} (qty DESC)")
    return name


# ---------------------------------------------------------------- psql
@requires_psql
def test_psql_describe_table(tidesql_dsn: str) -> None:
    name = create_described_table(tidesql_dsn)
    lines = psql(tidesql_dsn, f"\\d {name}")
    assert lines[0] == f'Table "public.{name}"'
    assert lines[1] == "Column|Type|Collation|Nullable|Default"
    assert lines[2:6] == [
        "id|integer||not null|",
        "code|character varying(20)||not null|",
        "qty|numeric(10,2)|||1.5",
        "note|text|||",
    ]
    assert lines[6:] == [
        "Indexes:",
        f'    "{name}_pkey" PRIMARY KEY, btree (id)',
        f'    "{name}_code_key" UNIQUE CONSTRAINT, btree (code)',
        f'    "{name}_qty" btree (qty DESC)',
        "Check constraints:",
        f'    "{name}_qty_check" CHECK (qty > 0)',
    ]


@requires_psql
def test_psql_describe_table_verbose(tidesql_dsn: str) -> None:
    name = create_described_table(tidesql_dsn)
    lines = psql(tidesql_dsn, f"\\d+ {name}")
    assert lines[1] == (
        "Column|Type|Collation|Nullable|Default|Storage|Compression|Stats target|Description"
    )
    assert lines[2] == "id|integer||not null||plain|||"
    assert lines[3] == "code|character varying(20)||not null||extended|||"
    assert lines[4] == "qty|numeric(10,2)|||1.5|main|||"
    assert lines[-1] == "Access method: heap"


@requires_psql
def test_psql_lists_relations_schemas_databases_roles(tidesql_dsn: str) -> None:
    name = create_described_table(tidesql_dsn)
    schema = unique("schema")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    with connect(tidesql_dsn) as c:
        c.execute(f"CREATE VIEW {name}_v AS SELECT id, code FROM {name}")
    tables = psql(tidesql_dsn, f"\\dt {name}*")
    assert tables[:2] == ["List of relations", "Schema|Name|Type|Owner"]
    assert tables[2:] == [f"public|{name}|table|admin", "(1 row)"]
    indexes = psql(tidesql_dsn, f"\\di {name}*")
    assert indexes[1] == "Schema|Name|Type|Owner|Table"
    assert sorted(indexes[2:5]) == sorted(
        f"public|{name}_{suffix}|index|admin|{name}" for suffix in ("pkey", "code_key", "qty")
    )
    views = psql(tidesql_dsn, f"\\dv {name}*")
    assert views[2:] == [f"public|{name}_v|view|admin", "(1 row)"]
    view = psql(tidesql_dsn, f"\\d {name}_v")
    assert view[:4] == [f'View "public.{name}_v"', "Column|Type|Collation|Nullable|Default",
                        "id|integer|||", "code|character varying(20)|||"]  # fmt: skip
    schemas = psql(tidesql_dsn, "\\dn")
    assert schemas[:2] == ["List of schemas", "Name|Owner"]
    assert "public|admin" in schemas and f"{schema}|admin" in schemas
    databases = psql(tidesql_dsn, "\\l")
    assert databases[1].startswith("Name|Owner|Encoding|Collate|Ctype")
    assert databases[2].startswith("postgres|admin|UTF8|C|C|")
    roles = psql(tidesql_dsn, "\\du")
    assert roles[1] == "Role name|Attributes|Member of"
    assert "admin|Superuser, Create role, Create DB, Replication, Bypass RLS|{}" in roles


@requires_psql
def test_psql_lists_sql_functions(tidesql_dsn: str) -> None:
    name = unique("fn")
    with connect(tidesql_dsn) as c:
        c.execute(
            f"CREATE FUNCTION {name}(x int, y int DEFAULT 1) RETURNS int LANGUAGE sql "
            "IMMUTABLE AS $$ SELECT x + y $$"
        )
        c.execute(
            f"CREATE FUNCTION {name}_rows(n int) RETURNS TABLE (a int, b text) "
            "LANGUAGE sql STABLE AS $$ SELECT n, 'x' $$"
        )
        c.execute(f"CREATE FUNCTION {name}_up(s text) RETURNS text LANGUAGE sql RETURN upper(s)")
        c.execute(f"COMMENT ON FUNCTION {name}(int, int) IS 'adds'")
    listed = psql(tidesql_dsn, f"\\df {name}*")
    assert listed[:2] == [
        "List of functions",
        "Schema|Name|Result data type|Argument data types|Type",
    ]
    assert listed[2:] == [
        f"public|{name}|integer|x integer, y integer DEFAULT 1|func",
        f"public|{name}_rows|TABLE(a integer, b text)|n integer|func",
        f"public|{name}_up|text|s text|func",
        "(3 rows)",
    ]
    verbose = psql(tidesql_dsn, f"\\df+ {name}")
    assert verbose[1].startswith("Schema|Name|Result data type|Argument data types|Type|")
    assert verbose[2] == (
        f"public|{name}|integer|x integer, y integer DEFAULT 1|func|immutable|unsafe|admin|"
        "invoker||sql| SELECT x + y |adds"
    )
    body = psql(tidesql_dsn, f"\\df+ {name}_up")
    assert body[2].endswith("|volatile|unsafe|admin|invoker||sql|RETURN upper(s)|")


@requires_psql
def test_psql_describes_catalog_tables_and_stored_roles(extended_dsn: str) -> None:
    role = unique("reader")
    with connect(extended_dsn) as c:
        c.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'secret'")
    roles = psql(extended_dsn, "\\du")
    assert f"{role}||{{}}" in roles
    namespace = psql(extended_dsn, "\\d pg_catalog.pg_namespace")
    assert namespace[:3] == [
        'Table "pg_catalog.pg_namespace"',
        "Column|Type|Collation|Nullable|Default",
        "oid|oid|||",
    ]


@requires_psql
def test_psql_in_extended_mode_sees_ddl_of_its_transaction(extended_dsn: str) -> None:
    name = unique("ext")
    lines = psql(
        extended_dsn,
        f"BEGIN; CREATE TABLE {name} (id int PRIMARY KEY, tags text[], tag text); "
        f"CREATE UNIQUE INDEX {name}_tags ON {name} (tag); COMMIT;",
        f"\\d {name}",
    )
    assert "tags|text[]|||" in lines
    assert f'    "{name}_tags" UNIQUE, btree (tag)' in lines


# ---------------------------------------------------------------- catalog SQL (psycopg)
def test_catalog_functions_and_casts(tidesql_dsn: str) -> None:
    name = create_described_table(tidesql_dsn)
    with connect(tidesql_dsn) as c:
        oid = c.execute("SELECT %s::regclass::oid", (name,)).fetchone()[0]
        row = c.execute(
            "SELECT c.oid::regclass::text, pg_table_is_visible(c.oid), c.relkind, c.relnatts "
            "FROM pg_class c WHERE c.oid = %s",
            (oid,),
        ).fetchone()
        assert row == (name, True, "r", 4)
        assert c.execute(
            "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = %s AND a.attnum > 0 ORDER BY a.attnum",
            (oid,),
        ).fetchall() == [("integer",), ("character varying(20)",), ("numeric(10,2)",), ("text",)]
        definitions = c.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s ORDER BY 1",
            (oid,),
        ).fetchall()
        assert definitions == [
            (f"CREATE INDEX {name}_qty ON public.{name} USING btree (qty DESC)",),
            (f"CREATE UNIQUE INDEX {name}_code_key ON public.{name} USING btree (code)",),
            (f"CREATE UNIQUE INDEX {name}_pkey ON public.{name} USING btree (id)",),
        ]
        constraints = c.execute(
            "SELECT conname, contype, conkey, pg_get_constraintdef(oid, true) FROM pg_constraint "
            "WHERE conrelid = %s ORDER BY conname",
            (oid,),
        ).fetchall()
        assert constraints == [
            (f"{name}_code_key", "u", [2], "UNIQUE (code)"),
            (f"{name}_pkey", "p", [1], "PRIMARY KEY (id)"),
            (f"{name}_qty_check", "c", [3], "CHECK (qty > 0)"),
        ]
        assert c.execute(
            "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = %s", (oid,)
        ).fetchall() == [("1.5",)]
        row = c.execute(
            "SELECT version(), current_schema(), current_schemas(true), current_database(), "
            "pg_typeof(1.5)::text, to_regtype('int4[]')::text, to_regclass('no_such_table'), "
            "'pg_class'::regclass::oid, 'public'::regnamespace::oid, pg_backend_pid() > 0"
        ).fetchone()
        assert row == (
            "PostgreSQL 16",
            "public",
            ["pg_catalog", "public"],
            "postgres",
            "numeric",
            "integer[]",
            None,
            1259,
            2200,
            True,
        )


def test_information_schema_and_system_views(tidesql_dsn: str) -> None:
    name = create_described_table(tidesql_dsn)
    with connect(tidesql_dsn) as c:
        columns = c.execute(
            "SELECT column_name, data_type, is_nullable, column_default, "
            "character_maximum_length, numeric_precision, numeric_scale, udt_name "
            "FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            (name,),
        ).fetchall()
        assert columns == [
            ("id", "integer", "NO", None, None, 32, 0, "int4"),
            ("code", "character varying", "NO", None, 20, None, None, "varchar"),
            ("qty", "numeric", "YES", "1.5", None, 10, 2, "numeric"),
            ("note", "text", "YES", None, None, None, None, "text"),
        ]
        keys = c.execute(
            "SELECT tc.constraint_type, k.column_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name "
            "WHERE tc.table_name = %s ORDER BY 1",
            (name,),
        ).fetchall()
        assert keys == [("PRIMARY KEY", "id"), ("UNIQUE", "code")]
        assert c.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = %s", (name,)
        ).fetchall() == [("BASE TABLE",)]
        assert c.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", (name,)
        ).fetchall() == [(f"{name}_code_key",), (f"{name}_pkey",), (f"{name}_qty",)]
        assert c.execute("SELECT setting FROM pg_settings WHERE name = 'TimeZone'").fetchall() == [
            ("UTC",)
        ]
        activity = c.execute(
            "SELECT usename, state FROM pg_stat_activity WHERE pid = pg_backend_pid()"
        ).fetchall()
        assert activity == [("admin", "active")]
        assert c.execute(
            "SELECT rolname, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchall() == [("admin", True)]


# ---------------------------------------------------------------- psycopg
def test_psycopg_type_info(tidesql_dsn: str) -> None:
    with connect(tidesql_dsn) as c:
        expected = {
            "int4": (23, 1007),
            "text": (25, 1009),
            "numeric": (1700, 1231),
            "jsonb": (3802, 3807),
            "uuid": (2950, 2951),
            "timestamptz": (1184, 1185),
            "character varying": (1043, 1015),
            "_int4": (1007, 0),
        }
        for type_name, (oid, array_oid) in expected.items():
            info = TypeInfo.fetch(c, type_name)
            assert info is not None, type_name
            assert (info.oid, info.array_oid) == (oid, array_oid)
        assert TypeInfo.fetch(c, "hstore") is None


def test_psycopg_type_info_inside_a_transaction(extended_dsn: str) -> None:
    """TypeInfo.fetch inside a transaction uses a SAVEPOINT: extended mode has them (DSQL
    mode refuses SAVEPOINT, as DSQL does)."""
    with psycopg.connect(extended_dsn) as c:
        c.execute("SELECT 1").fetchall()
        assert TypeInfo.fetch(c, "int4") is not None


def test_psycopg_executemany_parameters_and_types(tidesql_dsn: str) -> None:
    name = unique("pg3")
    with connect(tidesql_dsn) as c:
        c.execute(
            f"CREATE TABLE {name} (id int PRIMARY KEY, n numeric(12,4), t text, "
            "ts timestamptz, u uuid, j jsonb, b boolean)"
        )
        values = [
            (i, decimal.Decimal(i) / 4, f"row {i}", datetime(2024, 1, i, tzinfo=UTC),
             uuid.UUID(int=i), Jsonb({"i": i}), i % 2 == 0)
            for i in range(1, 5)
        ]  # fmt: skip
        with c.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {name} VALUES (%s, %s, %s, %s, %s, %s, %s)", values)
            rows = cursor.execute(
                f"SELECT * FROM {name} WHERE id >= %s ORDER BY id", (3,)
            ).fetchall()
            assert rows == [
                (3, decimal.Decimal("0.7500"), "row 3", datetime(2024, 1, 3, tzinfo=UTC),
                 uuid.UUID(int=3), {"i": 3}, False),
                (4, decimal.Decimal("1.0000"), "row 4", datetime(2024, 1, 4, tzinfo=UTC),
                 uuid.UUID(int=4), {"i": 4}, True),
            ]  # fmt: skip
            binary = cursor.execute(
                f"SELECT id, n, t, u FROM {name} WHERE t = %s", ("row 2",), binary=True
            ).fetchall()
            assert binary == [(2, decimal.Decimal("0.5000"), "row 2", uuid.UUID(int=2))]
            arrays = cursor.execute(
                "SELECT ARRAY[1, 2], ARRAY['a', NULL], %s::int[]", ([3, 4],)
            ).fetchone()
            assert arrays == ([1, 2], ["a", None], [3, 4])


# ---------------------------------------------------------------- asyncpg
async def test_asyncpg_types_prepared_statements_and_codecs(tidesql_dsn: str) -> None:
    name = unique("apg")
    conn = await asyncpg_connect(tidesql_dsn)
    try:
        await conn.execute(
            f"CREATE TABLE {name} (id int PRIMARY KEY, n numeric(10,2), t text, b boolean, "
            "ts timestamptz, u uuid, j jsonb)"
        )
        await conn.execute(
            f"INSERT INTO {name} VALUES (1, 1.25, 'x', true, '2024-01-02 03:04:05+00', "
            "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2]}')"
        )
        row = await conn.fetchrow(f"SELECT * FROM {name}")
        assert row is not None
        assert dict(row) == {
            "id": 1,
            "n": decimal.Decimal("1.25"),
            "t": "x",
            "b": True,
            "ts": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
            "u": uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            "j": '{"k": [1, 2]}',
        }
        # Array types are unknown to asyncpg until its introspection query has run.
        arrays = await conn.fetchrow(
            "SELECT ARRAY[1, 2] AS a, ARRAY['x', 'y'] AS t, ARRAY[1.5]::numeric[] AS n"
        )
        assert arrays is not None and dict(arrays) == {
            "a": [1, 2],
            "t": ["x", "y"],
            "n": [decimal.Decimal("1.5")],
        }
        statement = await conn.prepare(f"SELECT t, n FROM {name} WHERE id = $1")
        assert [p.name for p in statement.get_parameters()] == ["int4"]
        assert [(a.name, a.type.name) for a in statement.get_attributes()] == [
            ("t", "text"),
            ("n", "numeric"),
        ]
        assert await statement.fetchrow(1) == ("x", decimal.Decimal("1.25"))
        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
        assert await conn.fetchval(f"SELECT j FROM {name}") == {"k": [1, 2]}
    finally:
        await conn.close()


async def test_asyncpg_array_columns_and_text_copy(extended_dsn: str) -> None:
    name = unique("apg")
    conn = await asyncpg_connect(extended_dsn)
    try:
        await conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, tags text[], nums int[])")
        result = await conn.copy_to_table(
            name, source=io.BytesIO(b"1\t{a,b}\t{1,2}\n2\t{}\t\\N\n"), format="text"
        )
        assert result == "COPY 2"
        rows = await conn.fetch(f"SELECT * FROM {name} ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, ["a", "b"], [1, 2]), (2, [], None)]
    finally:
        await conn.close()


async def test_asyncpg_pool_resets_released_connections(tidesql_dsn: str) -> None:
    """Releasing a pooled connection runs pg_advisory_unlock_all(), CLOSE ALL, UNLISTEN *
    and RESET ALL; the next user of the connection sees default settings."""
    parts = dsn_parts(tidesql_dsn)
    pool = await asyncpg.create_pool(
        host=parts["host"],
        port=int(parts["port"]),
        user=parts["user"],
        database=parts["dbname"],
        min_size=1,
        max_size=1,
    )
    try:
        async with pool.acquire() as conn:
            await conn.execute("SET application_name = 'pooled'")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SHOW application_name") == ""
    finally:
        await pool.close()


@pytest.mark.xfail(strict=True, reason="COPY … FROM STDIN (FORMAT binary) is not supported")
async def test_asyncpg_copy_records_to_table(tidesql_dsn: str) -> None:
    name = unique("apg")
    conn = await asyncpg_connect(tidesql_dsn)
    try:
        await conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, t text)")
        await conn.copy_records_to_table(name, records=[(1, "a"), (2, "b")])
        assert await conn.fetchval(f"SELECT count(*) FROM {name}") == 2
    finally:
        await conn.close()


# ---------------------------------------------------------------- SQLAlchemy
def orm_model(table: str) -> tuple[type[orm.DeclarativeBase], type[Any]]:
    class Base(orm.DeclarativeBase):
        pass

    class Account(Base):
        __tablename__ = table
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
        email: orm.Mapped[str] = orm.mapped_column(sa.String(100), unique=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(50), index=True)
        balance: orm.Mapped[decimal.Decimal | None] = orm.mapped_column(sa.Numeric(10, 2))
        __table_args__ = (sa.UniqueConstraint("name", "balance", name=f"{table}_name_balance"),)

    return Base, Account


def test_sqlalchemy_orm_create_all_and_reflection(extended_dsn: str) -> None:
    table = unique("sa_orm")
    base, account = orm_model(table)
    with sa_engine(extended_dsn) as engine:
        base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add_all(
                [account(id=1, email="a@x", name="a", balance=decimal.Decimal("1.50")),
                 account(id=2, email="b@x", name="b")]
            )  # fmt: skip
            session.commit()
            found = session.scalars(sa.select(account).order_by(account.id)).all()
            assert [(a.id, a.email, a.balance) for a in found] == [
                (1, "a@x", decimal.Decimal("1.50")),
                (2, "b@x", None),
            ]
        inspector = sa.inspect(engine)
        assert table in inspector.get_table_names()
        columns = inspector.get_columns(table)
        assert [(c["name"], str(c["type"]), c["nullable"]) for c in columns] == [
            ("id", "INTEGER", False),
            ("email", "VARCHAR(100)", False),
            ("name", "VARCHAR(50)", False),
            ("balance", "NUMERIC(10, 2)", True),
        ]
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["id"]
        indexes = {
            i["name"]: (i["column_names"], i["unique"]) for i in inspector.get_indexes(table)
        }
        assert indexes[f"ix_{table}_name"] == (["name"], False)
        uniques = {u["name"]: u["column_names"] for u in inspector.get_unique_constraints(table)}
        assert uniques == {
            f"{table}_email_key": ["email"],
            f"{table}_name_balance": ["name", "balance"],
        }
        base.metadata.drop_all(engine)
        assert table not in sa.inspect(engine).get_table_names()


def test_sqlalchemy_reflection_and_core_in_dsql_mode(tidesql_dsn: str) -> None:
    table = unique("sa_core")
    with connect(tidesql_dsn) as c:
        c.execute(
            f"CREATE TABLE {table} (id int PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, "
            "qty numeric(8,3) DEFAULT 0, note text)"
        )
    build_index(tidesql_dsn, f"CREATE INDEX ASYNC {table}_note ON {table} (note)")
    with sa_engine(tidesql_dsn) as engine:
        inspector = sa.inspect(engine)
        assert inspector.has_table(table) and not inspector.has_table(unique("missing"))
        assert inspector.get_pk_constraint(table)["name"] == f"{table}_pkey"
        assert [i["name"] for i in inspector.get_indexes(table)] == [
            f"{table}_code_key",
            f"{table}_note",
        ]
        assert [u["column_names"] for u in inspector.get_unique_constraints(table)] == [["code"]]
        reflected = sa.Table(table, sa.MetaData(), autoload_with=engine)
        assert [c.name for c in reflected.primary_key] == ["id"]
        assert isinstance(reflected.c.qty.type, sa.Numeric) and reflected.c.qty.type.scale == 3
        assert reflected.c.qty.server_default is not None
        assert {i.name for i in reflected.indexes} == {f"{table}_note"}
        with engine.begin() as connection:
            connection.execute(
                reflected.insert(),
                [{"id": 1, "code": "a", "qty": 1.5, "note": "n"},
                 {"id": 2, "code": "b", "qty": 2, "note": None}],
            )  # fmt: skip
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(reflected.c.id, reflected.c.qty).order_by(reflected.c.id)
            ).all()
            assert rows == [(1, decimal.Decimal("1.500")), (2, decimal.Decimal("2.000"))]


def test_sqlalchemy_default_hstore_probe(extended_dsn: str) -> None:
    """The psycopg dialect's hstore probe (TypeInfo.fetch) runs in a SAVEPOINT."""
    parts = dsn_parts(extended_dsn)
    url = f"postgresql+psycopg://{parts['user']}@{parts['host']}:{parts['port']}/postgres"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
