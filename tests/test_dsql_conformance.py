"""DSQL conformance: what Aurora DSQL refuses and allows, case by case, against a real
DSQL-mode server through psycopg.

Each case is (SQL, expected SQLSTATE — or None for success — and the start of DSQL's
message, the DSQL user-guide page it comes from). ``{t}`` in a case's SQL is a fresh
table ``(id int PRIMARY KEY, a text, b int)`` holding one row, made for that case alone.
The messages are the ones an Aurora DSQL cluster returned (September 2026); where the
guide is silent the case follows PostgreSQL 16. docs/dsql-compatibility.md is the same
table in prose.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

GUIDE = "https://docs.aws.amazon.com/aurora-dsql/latest/userguide/"
UNSUPPORTED = GUIDE + "working-with-postgresql-compatibility-unsupported-features.html"
SUPPORTED_SQL = GUIDE + "working-with-postgresql-compatibility-supported-sql-features.html"
ALTER_TABLE = GUIDE + "alter-table-syntax-support.html"
DATA_TYPES = GUIDE + "working-with-postgresql-compatibility-supported-data-types.html"
QUOTAS = GUIDE + "CHAP_quotas.html"
CONCURRENCY = GUIDE + "working-with-concurrency-control.html"
COMPATIBILITY = GUIDE + "working-with-postgresql-compatibility.html"
ROLES = GUIDE + "using-database-and-iam-roles.html"

ROW_CAP = 3_000

_names = itertools.count()


@dataclass(frozen=True)
class Case:
    sql: str
    sqlstate: str | None  # None: the statement succeeds
    message: str  # the start of DSQL's message (or the command tag on success)
    source: str

    def __str__(self) -> str:
        return self.sql


# ---------------------------------------------------------------- refused statements
REFUSED = [
    # Messages recorded from a DSQL cluster (see docs/dsql-compatibility.md).
    Case(
        "CREATE INDEX {t}_a ON {t} (a)",
        "0A000",
        "unsupported mode. please use CREATE INDEX ASYNC.",
        UNSUPPORTED,
    ),
    Case(
        "CREATE FUNCTION conf_pl(a int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN a; END'",
        "0A000",
        "CREATE FUNCTION with language plpgsql not supported",
        UNSUPPORTED,
    ),
    Case(
        "SELECT * FROM {t} FOR SHARE",
        "0A000",
        "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
        CONCURRENCY,
    ),
    Case(
        "SELECT * FROM {t} FOR NO KEY UPDATE",
        "0A000",
        "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
        CONCURRENCY,
    ),
    Case(
        "SELECT * FROM {t} TABLESAMPLE SYSTEM (10)",
        "0A000",
        "TABLESAMPLE clause not supported",
        UNSUPPORTED,
    ),
    Case("TRUNCATE {t}", "0A000", "unsupported statement: Truncate", UNSUPPORTED),
    Case(
        "CREATE EXTENSION pgcrypto", "0A000", "unsupported statement: CreateExtension", UNSUPPORTED
    ),
    Case(
        "CREATE TRIGGER trg AFTER INSERT ON {t} EXECUTE FUNCTION f()",
        "0A000",
        "CREATE TRIGGER not supported",
        UNSUPPORTED,
    ),
    Case("CREATE DATABASE other", "0A000", "unsupported statement: Createdb", UNSUPPORTED),
    Case(
        "CREATE TEMPORARY TABLE temp_t (id int)",
        "0A000",
        "TEMPORARY or TEMP table not supported for CREATE TABLE",
        UNSUPPORTED,
    ),
    Case(
        "CREATE UNLOGGED TABLE unlogged_t (id int)",
        "0A000",
        "UNLOGGED table not supported for CREATE TABLE",
        UNSUPPORTED,
    ),
    Case(
        "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x",
        "0A000",
        "unsupported statement: CreateTableAs",
        UNSUPPORTED,
    ),
    Case(
        "CREATE TABLE ctas AS SELECT 1 AS x",
        "0A000",
        "unsupported statement: CreateTableAs",
        UNSUPPORTED,
    ),
    Case(
        "SELECT 1 AS x INTO select_into",
        "0A000",
        "unsupported statement: CreateTableAs",
        UNSUPPORTED,
    ),
    Case(
        "CREATE TYPE mood AS ENUM ('sad', 'ok')", "0A000", "CREATE TYPE not supported", UNSUPPORTED
    ),
    Case(
        "CREATE TYPE pair AS (a int, b int)",
        "0A000",
        "unsupported statement: CompositeType",
        UNSUPPORTED,
    ),
    Case(
        "CREATE TYPE int_range AS RANGE (subtype = int4)",
        "0A000",
        "unsupported statement: CreateRange",
        UNSUPPORTED,
    ),
    Case(
        "CREATE TABLESPACE ts LOCATION '/tmp/ts'",
        "0A000",
        "unsupported statement: CreateTableSpace",
        UNSUPPORTED,
    ),
    Case(
        "CREATE FOREIGN TABLE ft (id int) SERVER srv",
        "0A000",
        "unsupported statement: CreateForeignTable",
        UNSUPPORTED,
    ),
    Case("VACUUM {t}", "0A000", "unsupported VACUUM statement", UNSUPPORTED),
    Case("VACUUM", "0A000", "unsupported VACUUM statement", UNSUPPORTED),
    Case("LISTEN channel", "0A000", "unsupported statement: Listen", UNSUPPORTED),
    Case("NOTIFY channel", "0A000", "unsupported statement: Notify", UNSUPPORTED),
    Case("UNLISTEN channel", "0A000", "unsupported statement: Unlisten", UNSUPPORTED),
    Case(
        "ALTER SYSTEM SET work_mem = '4MB'",
        "0A000",
        "unsupported statement: AlterSystem",
        UNSUPPORTED,
    ),
    Case(
        "MERGE INTO {t} USING {t} AS s ON {t}.id = s.id WHEN MATCHED THEN DELETE",
        "0A000",
        "unsupported statement type: MERGE",
        SUPPORTED_SQL,
    ),
    Case("LOCK TABLE {t}", "0A000", "unsupported statement: Lock", SUPPORTED_SQL),
    Case("DROP TYPE mood", "0A000", "unsupported object in DROP statement", UNSUPPORTED),
    Case("ALTER TYPE mood ADD VALUE 'x'", "0A000", "ALTER TYPE not supported", UNSUPPORTED),
    # Transactions: savepoints and a fixed isolation level.
    Case("SAVEPOINT sp", "0A000", "unsupported transaction statement: SAVEPOINT", UNSUPPORTED),
    Case(
        "RELEASE SAVEPOINT sp", "0A000", "unsupported transaction statement: RELEASE", UNSUPPORTED
    ),
    Case(
        "ROLLBACK TO SAVEPOINT sp",
        "0A000",
        "unsupported transaction statement: ROLLBACK TO",
        UNSUPPORTED,
    ),
    Case(
        "BEGIN ISOLATION LEVEL SERIALIZABLE",
        "0A000",
        "Unsupported isolation level: SERIALIZABLE",
        CONCURRENCY,
    ),
    Case(
        "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
        "0A000",
        "Unsupported isolation level: READ COMMITTED",
        CONCURRENCY,
    ),
    Case(
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
        "0A000",
        'setting configuration parameter "TRANSACTION" not supported',
        CONCURRENCY,
    ),
    Case(
        "SET TRANSACTION READ ONLY",
        "0A000",
        'setting configuration parameter "TRANSACTION" not supported',
        SUPPORTED_SQL,
    ),
    Case(
        "SET default_transaction_isolation = 'repeatable read'",
        "0A000",
        'setting configuration parameter "default_transaction_isolation" not supported',
        CONCURRENCY,
    ),
    # Column types DSQL only knows at query time (or not at all).
    *(
        Case(
            f"CREATE TABLE {{t}}_{name} (v {declared})",
            "0A000",
            f"datatype {shown} not supported",
            DATA_TYPES,
        )
        for name, declared, shown in [
            ("money", "money", "money"),
            ("xml", "xml", "xml"),
            ("inet", "inet", "inet"),
            ("cidr", "cidr", "cidr"),
            ("macaddr", "macaddr", "macaddr"),
            ("point", "point", "point"),
            ("line", "line", "line"),
            ("lseg", "lseg", "lseg"),
            ("box", "box", "box"),
            ("path", "path", "path"),
            ("polygon", "polygon", "polygon"),
            ("circle", "circle", "circle"),
            ("tsvector", "tsvector", "tsvector"),
            ("tsquery", "tsquery", "tsquery"),
            ("int4range", "int4range", "int4range"),
            ("tsrange", "tsrange", "tsrange"),
            ("bit", "bit(8)", "bit"),
            ("varbit", "varbit(8)", "bit varying"),
            ("pg_lsn", "pg_lsn", "pg_lsn"),
            ("int_array", "int[]", "integer[]"),
            ("text_array", "text[]", "text[]"),
        ]
    ),
    Case(
        "CREATE TABLE serial_t (id serial PRIMARY KEY)",
        "42704",
        'type "serial" does not exist',
        DATA_TYPES,
    ),
    # ALTER TABLE forms DSQL lacks.
    Case(
        "ALTER TABLE {t} ADD COLUMN c int DEFAULT 7",
        "0A000",
        "ALTER TABLE ADD COLUMN with constraint not supported",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} ADD COLUMN c int NOT NULL DEFAULT 0",
        "0A000",
        "ALTER TABLE ADD COLUMN with constraint not supported",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} ADD COLUMN c int CHECK (c > 0)",
        "0A000",
        "ALTER TABLE ADD COLUMN with constraint not supported",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} ADD COLUMN c int UNIQUE",
        "0A000",
        "ALTER TABLE ADD COLUMN with constraint not supported",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} ADD COLUMN c money", "0A000", "datatype money not supported", ALTER_TABLE
    ),
    Case(
        "ALTER TABLE {t} ADD COLUMN c text[]", "0A000", "datatype text[] not supported", ALTER_TABLE
    ),
    Case(
        "ALTER TABLE {t} ALTER COLUMN a TYPE varchar(20)",
        "0A000",
        "unsupported ALTER TABLE ALTER COLUMN ... SET DATA TYPE statement",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} ALTER COLUMN a TYPE xml",
        "0A000",
        "unsupported ALTER TABLE ALTER COLUMN ... SET DATA TYPE statement",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} ALTER COLUMN b SET NOT NULL",
        "0A000",
        "unsupported ALTER TABLE ALTER COLUMN ... SET NOT NULL statement",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} DROP COLUMN id", "0A000", "cannot drop primary key column id", ALTER_TABLE
    ),
    Case(
        "ALTER TABLE {t} ADD CONSTRAINT {t}_a_key UNIQUE (a)",
        "0A000",
        "unsupported ALTER TABLE ADD CONSTRAINT statement",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        "0A000",
        "unsupported ALTER TABLE ENABLE ROW LEVEL SECURITY statement",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} SET TABLESPACE pg_default",
        "0A000",
        "unsupported ALTER TABLE SET TABLESPACE statement",
        ALTER_TABLE,
    ),
    Case(
        "ALTER TABLE {t} DISABLE TRIGGER ALL",
        "0A000",
        "unsupported ALTER TABLE DISABLE TRIGGER ALL statement",
        ALTER_TABLE,
    ),
]

# A read-only transaction (BEGIN READ ONLY is in DSQL's supported SQL) refuses writes
# with PostgreSQL's 25006 and words.
READ_ONLY = [
    Case(
        "BEGIN READ ONLY; INSERT INTO {t} VALUES (2, 'two', 2)",
        "25006",
        "cannot execute INSERT in a read-only transaction",
        SUPPORTED_SQL,
    ),
    Case(
        "START TRANSACTION READ ONLY; UPDATE {t} SET b = 2",
        "25006",
        "cannot execute UPDATE in a read-only transaction",
        SUPPORTED_SQL,
    ),
    Case(
        "BEGIN READ ONLY; ALTER TABLE {t} ADD COLUMN c text",
        "25006",
        "cannot execute ALTER TABLE in a read-only transaction",
        SUPPORTED_SQL,
    ),
]
REFUSED += READ_ONLY

# ---------------------------------------------------------------- allowed statements
ALLOWED = [
    Case("ANALYZE {t}", None, "ANALYZE", SUPPORTED_SQL),
    Case("ANALYZE", None, "ANALYZE", SUPPORTED_SQL),
    Case("UNLISTEN *", None, "UNLISTEN", UNSUPPORTED),  # asyncpg's pool reset; see the doc
    Case("CREATE VIEW {t}_v AS SELECT id FROM {t}", None, "CREATE VIEW", SUPPORTED_SQL),
    Case("CREATE SCHEMA {t}_s", None, "CREATE SCHEMA", SUPPORTED_SQL),
    Case(
        "CREATE TABLE {t}_json (id int PRIMARY KEY, j json, jb jsonb)",
        None,
        "CREATE TABLE",
        DATA_TYPES,
    ),
    Case("EXPLAIN ANALYZE SELECT * FROM {t}", None, "EXPLAIN", SUPPORTED_SQL),
    Case(
        "EXPLAIN (ANALYZE, TIMING OFF) DELETE FROM {t} WHERE id < 0", None, "EXPLAIN", SUPPORTED_SQL
    ),
    # The guide neither lists nor refuses COMMENT; tidesql runs it (see the doc).
    Case("COMMENT ON TABLE {t} IS 'x'", None, "COMMENT", UNSUPPORTED),
    Case("COMMENT ON COLUMN {t}.id IS NULL", None, "COMMENT", UNSUPPORTED),
    Case("BEGIN ISOLATION LEVEL REPEATABLE READ", None, "BEGIN", CONCURRENCY),
    Case("BEGIN READ ONLY", None, "BEGIN", SUPPORTED_SQL),
    Case("GRANT SELECT ON {t} TO PUBLIC", None, "GRANT", ROLES),
    Case("GRANT USAGE ON SCHEMA conformance TO PUBLIC", None, "GRANT", ROLES),
    Case("REVOKE ALL ON TABLE {t} FROM PUBLIC", None, "REVOKE", ROLES),
    Case("ALTER TABLE {t} ADD COLUMN c text", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} ADD COLUMN IF NOT EXISTS a text", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} ADD COLUMN c text STORAGE PLAIN", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} ALTER COLUMN a SET STORAGE EXTERNAL", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} DROP COLUMN b", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} DROP COLUMN IF EXISTS nothing", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} ALTER COLUMN b SET DEFAULT 5", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} ALTER COLUMN b DROP DEFAULT", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} ALTER COLUMN b DROP NOT NULL", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} RENAME COLUMN a TO a2", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} RENAME TO {t}_renamed", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} RENAME CONSTRAINT {t}_pkey TO {t}_pk", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} SET SCHEMA conformance", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} OWNER TO CURRENT_USER", None, "ALTER TABLE", ALTER_TABLE),
    Case("ALTER TABLE {t} OWNER TO admin", None, "ALTER TABLE", ALTER_TABLE),
    Case("SELECT '{{\"a\": 1}}'::jsonb ->> 'a'", None, "SELECT 1", DATA_TYPES),
    Case("SELECT string_to_array('1,2,3', ',')", None, "SELECT 1", DATA_TYPES),
]


def connect(dsn: str) -> psycopg.Connection[Any]:
    return psycopg.connect(dsn, autocommit=True)


def fresh_table(c: psycopg.Connection[Any]) -> str:
    name = f"conf_{next(_names)}"
    c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, a text, b int)")
    c.execute(f"INSERT INTO {name} VALUES (1, 'one', 1)")
    return name


def error_of(c: psycopg.Connection[Any], sql: str) -> tuple[str | None, str]:
    """(SQLSTATE, message) of a statement, or (None, command tag) when it succeeds."""
    try:
        cursor = c.execute(sql)
    except psycopg.Error as error:
        return error.sqlstate, error.diag.message_primary or ""
    return None, cursor.statusmessage or ""


@pytest.fixture(scope="module")
def dsn(tidesql_dsn: str) -> Iterator[str]:
    with connect(tidesql_dsn) as c:
        c.execute("CREATE SCHEMA IF NOT EXISTS conformance")
    yield tidesql_dsn


@pytest.mark.parametrize("case", REFUSED + ALLOWED, ids=str)
def test_dsql_answers_as_documented(dsn: str, case: Case) -> None:
    """Outside a transaction block a refusal leaves the session usable."""
    with connect(dsn) as c:
        sql = case.sql.format(t=fresh_table(c))
        assert error_of(c, sql) == (case.sqlstate, case.message), case.source
        c.execute("ROLLBACK")  # a successful BEGIN case leaves a block open
        assert c.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.parametrize(
    "case", [c for c in REFUSED if not c.sql.startswith(("BEGIN", "START"))], ids=str
)
def test_a_refusal_inside_a_block_aborts_it(dsn: str, case: Case) -> None:
    """Inside BEGIN … a refusal fails the block: 25P02 until ROLLBACK, then usable."""
    with connect(dsn) as c:
        sql = case.sql.format(t=fresh_table(c))
        c.execute("BEGIN")
        assert error_of(c, sql)[0] == case.sqlstate
        state, message = error_of(c, "SELECT 1")
        assert state == "25P02"
        assert message.startswith("current transaction is aborted")
        # A second refusal in the failed block reports 25P02, not its own error.
        assert error_of(c, sql)[0] == "25P02"
        assert c.execute("ROLLBACK").statusmessage == "ROLLBACK"
        assert c.execute("SELECT 1").fetchone() == (1,)


def test_commit_of_a_failed_block_rolls_back(dsn: str) -> None:
    with connect(dsn) as c:
        table = fresh_table(c)
        c.execute("BEGIN")
        c.execute(f"INSERT INTO {table} VALUES (2, 'two', 2)")
        assert error_of(c, "SAVEPOINT sp")[0] == "0A000"
        assert c.execute("COMMIT").statusmessage == "ROLLBACK"
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,)


# ---------------------------------------------------------------- DDL in transactions
def test_one_ddl_per_transaction_and_no_dml_with_it(dsn: str) -> None:
    """Source: CONCURRENCY / COMPATIBILITY (DDL and DML in separate transactions)."""
    with connect(dsn) as c:
        table = fresh_table(c)
        c.execute("BEGIN")
        c.execute(f"CREATE TABLE {table}_x (id int PRIMARY KEY)")
        assert error_of(c, f"CREATE TABLE {table}_y (id int PRIMARY KEY)") == (
            "0A000",
            "multiple ddl statements not supported in a transaction",
        )
        c.execute("ROLLBACK")
        c.execute("BEGIN")
        c.execute(f"ALTER TABLE {table} ADD COLUMN c text")
        assert error_of(c, f"INSERT INTO {table} VALUES (2, 'two', 2)") == (
            "0A000",
            "ddl and dml are not supported in the same transaction",
        )
        c.execute("ROLLBACK")


@pytest.mark.parametrize(
    ("statements", "message"),
    [
        (
            "CREATE TABLE {t}_a (id int); CREATE TABLE {t}_b (id int)",
            "multiple ddl statements not supported in a transaction",
        ),
        (
            "CREATE TABLE {t}_c (id int); CREATE INDEX ASYNC {t}_c_id ON {t}_c (id)",
            "multiple ddl statements not supported in a transaction",
        ),
        (
            "CREATE TABLE {t}_d (id int); INSERT INTO {t}_d VALUES (1)",
            "ddl and dml are not supported in the same transaction",
        ),
        (
            "INSERT INTO {t} VALUES (2, 'two', 2); ALTER TABLE {t} ADD COLUMN c text",
            "ddl and dml are not supported in the same transaction",
        ),
    ],
)
def test_a_multi_statement_query_is_one_transaction(
    dsn: str, statements: str, message: str
) -> None:
    """Several statements in one simple query follow the rules of one transaction, and
    none of them runs (nothing is left behind)."""
    with connect(dsn) as c:
        table = fresh_table(c)
        cursor = psycopg.ClientCursor(c)  # the simple-query protocol
        with pytest.raises(psycopg.errors.FeatureNotSupported) as caught:
            cursor.execute(statements.format(t=table))
        assert caught.value.diag.message_primary == message
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (1,)
        assert c.execute("SELECT to_regclass(%s)", (f"{table}_a",)).fetchone() == (None,)
        assert c.execute("SELECT to_regclass(%s)", (f"{table}_d",)).fetchone() == (None,)


def test_a_multi_statement_query_with_its_own_block(dsn: str) -> None:
    with connect(dsn) as c:
        table = fresh_table(c)
        cursor = psycopg.ClientCursor(c)
        cursor.execute(f"BEGIN; INSERT INTO {table} VALUES (2, 'two', 2); COMMIT")
        cursor.execute(f"SELECT 1; INSERT INTO {table} VALUES (3, 'three', 3); SELECT 2")
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (3,)


# ---------------------------------------------------------------- the 3,000-row cap
def bulk_table(c: psycopg.Connection[Any]) -> str:
    name = f"conf_bulk_{next(_names)}"
    c.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, note text)")
    return name


def test_exactly_3000_rows_commit(dsn: str) -> None:
    """Source: QUOTAS (maximum rows mutated per transaction: 3,000, error 54000)."""
    with connect(dsn) as c:
        table = bulk_table(c)
        cursor = c.execute(
            f"INSERT INTO {table} SELECT g, 'n' FROM generate_series(1, {ROW_CAP}) g"
        )
        assert cursor.statusmessage == f"INSERT 0 {ROW_CAP}"
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (ROW_CAP,)


def test_3001_rows_fail_and_leave_nothing(dsn: str) -> None:
    with connect(dsn) as c:
        table = bulk_table(c)
        sql = f"INSERT INTO {table} SELECT g, 'n' FROM generate_series(1, {ROW_CAP + 1}) g"
        assert error_of(c, sql) == ("54000", "transaction row limit exceeded")
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


def test_the_cap_counts_the_whole_transaction(dsn: str) -> None:
    """2,000 rows, then 1,001 more in the same block: the second statement fails, its
    rows are discarded, and the block is aborted (25P02 until ROLLBACK)."""
    with connect(dsn) as c:
        table = bulk_table(c)
        c.execute("BEGIN")
        c.execute(f"INSERT INTO {table} SELECT g, 'n' FROM generate_series(1, 2000) g")
        state, _ = error_of(
            c, f"INSERT INTO {table} SELECT g, 'n' FROM generate_series(2001, {ROW_CAP + 1}) g"
        )
        assert state == "54000"
        assert error_of(c, "SELECT 1")[0] == "25P02"
        c.execute("ROLLBACK")
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)
        c.execute("BEGIN")
        c.execute(f"INSERT INTO {table} SELECT g, 'n' FROM generate_series(1, 2000) g")
        c.execute(f"UPDATE {table} SET note = 'm' WHERE id <= 1000")  # the same rows again
        c.execute("COMMIT")
        assert c.execute(f"SELECT count(*) FROM {table} WHERE note = 'm'").fetchone() == (1000,)


# ---------------------------------------------------------------- the environment
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT version()", "PostgreSQL 16"),
        ("SHOW server_version", "16.15"),
        ("SELECT current_setting('server_version_num')", "160015"),
        ("SELECT current_database()", "postgres"),
        ("SELECT current_schema()", "public"),
        ("SHOW timezone", "UTC"),
        ("SHOW client_encoding", "UTF8"),
        ("SHOW server_encoding", "UTF8"),
        ("SHOW transaction_isolation", "repeatable read"),
    ],
)
def test_environment(dsn: str, sql: str, expected: str) -> None:
    """Source: COMPATIBILITY (one database named postgres, UTF-8, C collation, UTC)."""
    with connect(dsn) as c:
        assert c.execute(sql).fetchone() == (expected,)


@pytest.mark.parametrize(
    "sql", ["SHOW lc_collate", "SELECT current_setting('lc_collate')", "SHOW lc_ctype"]
)
def test_settings_dsql_does_not_have(dsn: str, sql: str) -> None:
    with connect(dsn) as c:
        state, message = error_of(c, sql)
        assert state == "42704"
        assert message.startswith("unrecognized configuration parameter")


def test_startup_parameters(dsn: str) -> None:
    with connect(dsn) as c:
        assert c.info.server_version == 160015
        assert c.info.parameter_status("TimeZone") == "UTC"
        assert c.info.parameter_status("client_encoding") == "UTF8"


# ---------------------------------------------------------------- ALTER TABLE effects
def test_alter_table_forms_take_effect(dsn: str) -> None:
    """The ALTER TABLE forms DSQL allows do what PostgreSQL's do."""
    with connect(dsn) as c:
        table = fresh_table(c)
        c.execute(f"ALTER TABLE {table} ALTER COLUMN b SET DEFAULT 42")
        c.execute(f"INSERT INTO {table} (id, a) VALUES (2, 'two')")
        c.execute(f"ALTER TABLE {table} ALTER COLUMN b DROP DEFAULT")
        c.execute(f"INSERT INTO {table} (id, a) VALUES (3, 'three')")
        rows = c.execute(f"SELECT id, b FROM {table} ORDER BY id").fetchall()
        assert rows == [(1, 1), (2, 42), (3, None)]
        c.execute(f"ALTER TABLE {table} ADD COLUMN c text")
        c.execute(f"ALTER TABLE {table} DROP COLUMN a")
        assert [d.name for d in c.execute(f"SELECT * FROM {table}").description] == [
            "id",
            "b",
            "c",
        ]
        c.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {table}_pkey TO {table}_pk")
        assert c.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass", (table,)
        ).fetchall() == [(f"{table}_pk",)]
        assert c.execute("SELECT to_regclass(%s)::text", (f"{table}_pk",)).fetchone() == (
            f"{table}_pk",
        )
        c.execute(f"ALTER TABLE {table} SET SCHEMA conformance")
        assert c.execute(f"SELECT count(*) FROM conformance.{table}").fetchone() == (3,)
        assert error_of(c, f"SELECT * FROM public.{table}")[0] == "42P01"


def test_alter_table_errors_as_postgresql(dsn: str) -> None:
    with connect(dsn) as c:
        table = fresh_table(c)
        assert error_of(c, f"ALTER TABLE {table} ALTER COLUMN id DROP NOT NULL") == (
            "42P16",
            'column "id" is in a primary key',
        )
        assert error_of(c, f"ALTER TABLE {table} ALTER COLUMN nope SET DEFAULT 1")[0] == "42703"
        assert error_of(c, f"ALTER TABLE {table} RENAME CONSTRAINT nope TO x")[0] == "42704"
        assert error_of(c, f"ALTER TABLE {table} OWNER TO nobody") == (
            "42704",
            'role "nobody" does not exist',
        )
        assert error_of(c, f"ALTER TABLE {table} SET SCHEMA nowhere")[0] == "3F000"


# ---------------------------------------------------------------- extended mode
def test_extended_mode_keeps_postgresql_behaviour(extended_dsn: str) -> None:
    """What DSQL refuses but PostgreSQL allows stays allowed in --mode extended."""
    with connect(extended_dsn) as c:
        table = fresh_table(c)
        assert c.execute(f"VACUUM {table}").statusmessage == "VACUUM"
        c.execute("SET default_transaction_isolation = 'serializable'")
        assert c.execute("SHOW default_transaction_isolation").fetchone() == ("serializable",)
        c.execute(f"ALTER TABLE {table} ALTER COLUMN b SET NOT NULL")
        c.execute(f"ALTER TABLE {table} ADD COLUMN c int")
        assert error_of(c, f"ALTER TABLE {table} ALTER COLUMN c SET NOT NULL") == (
            "23502",
            f'column "c" of relation "{table}" contains null values',
        )
        assert error_of(c, f"INSERT INTO {table} (id, a) VALUES (2, 'x')")[0] == "23502"
        c.execute(f"ALTER TABLE {table} ADD COLUMN d int DEFAULT 7")
        (version,) = c.execute("SELECT version()").fetchone()
        assert version.startswith("PostgreSQL 16.15 on")
        c.execute("BEGIN")
        assert error_of(c, "VACUUM")[0] == "25001"
        c.execute("ROLLBACK")


# ---------------------------------------------------------------- query-time types
def test_inet_works_in_expressions(dsn: str) -> None:
    """Source: DATA_TYPES (inet is a query-runtime type: refused as a column, above)."""
    with connect(dsn) as c:
        row = c.execute(
            "SELECT '10.0.0.1'::inet::text, '10.0.0.1/24'::inet::text, text('10.0.0.1'::inet), "
            "host('10.0.0.1/24'::inet), masklen('10.0.0.1/24'::inet), family('::1'::inet), "
            "'10.1.2.3'::inet << '10.0.0.0/8'::inet, '10.0.0.0/8'::inet << '10.0.0.0/8'::inet, "
            "'10.0.0.0/8'::inet >>= '10.0.0.0/8'::inet, '11.0.0.1'::inet <<= '10.0.0.0/8', "
            "'10.0.0.0/8'::inet < '10.1.0.0/16'::inet, '::1'::inet > '255.0.0.1'::inet, "
            "broadcast('10.0.0.5/24'::inet)::text"
        ).fetchone()
        assert row == (
            "10.0.0.1/32",
            "10.0.0.1/24",
            "10.0.0.1/32",
            "10.0.0.1",
            24,
            6,
            True,
            False,
            True,
            False,
            True,
            True,
            "10.0.0.255/24",
        )
        assert c.execute("SELECT '10.0.0.1'::inet").fetchone() == (
            ipaddress.ip_address("10.0.0.1"),
        )
        ordered = c.execute(
            "SELECT x::text FROM (VALUES ('::1'::inet), ('10.0.0.9'), ('10.0.0.0/8')) v(x) "
            "ORDER BY x"
        ).fetchall()
        assert ordered == [("10.0.0.0/8",), ("10.0.0.9/32",), ("::1/128",)]
        state, message = error_of(c, "SELECT 'nope'::inet")
        assert (state, message) == ("22P02", 'invalid input syntax for type inet: "nope"')


async def test_inet_in_binary_through_asyncpg(dsn: str) -> None:
    import asyncpg

    parts = dict(part.split("=") for part in dsn.split())
    conn = await asyncpg.connect(
        host=parts["host"], port=int(parts["port"]), user=parts["user"], database="postgres"
    )
    try:
        value = await conn.fetchval("SELECT $1::inet", ipaddress.ip_interface("192.168.1.5/24"))
        assert value == ipaddress.ip_interface("192.168.1.5/24")
        assert await conn.fetchval("SELECT '::1'::inet") == ipaddress.ip_address("::1")
    finally:
        await conn.close()
