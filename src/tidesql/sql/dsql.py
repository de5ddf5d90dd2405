"""What DSQL refuses that PostgreSQL accepts (``--mode dsql``, the default).

Aurora DSQL answers a statement it does not run with SQLSTATE 0A000 and one of a few
message shapes, recorded against real clusters and kept here verbatim so that an
application's error handling sees what it will see in production:

* ``unsupported statement: Truncate`` — the statement's parse-node name without its
  ``Stmt`` suffix (``TruncateStmt`` → ``Truncate``, ``CreatedbStmt`` → ``Createdb``). This
  is the default for every statement kind DSQL does not run.
* a sentence of its own for some (``CREATE TRIGGER not supported``, ``unsupported VACUUM
  statement``, ``TEMPORARY or TEMP table not supported for CREATE TABLE``);
* ``unsupported ALTER TABLE <form> statement`` for the ALTER TABLE forms it lacks;
* ``unsupported transaction statement: SAVEPOINT`` for savepoints;
* ``datatype <type> not supported`` for a column of a type DSQL only knows at query time.

Refusals are looked up by statement kind in ``REFUSED_STATEMENTS`` (a dispatch table:
kind → message, or a function of the node that returns the message or ``None`` when the
statement is allowed), before the statement's handler runs and before any transaction
is opened — so a refusal outside a transaction block leaves the session as it was, and
one inside a block fails the block (25P02 until ROLLBACK) like any other error.

Sources: the Aurora DSQL user guide pages "Unsupported PostgreSQL features in Aurora
DSQL", "Supported SQL for Aurora DSQL", "ALTER TABLE" and "Supported data types in
Aurora DSQL" (docs.aws.amazon.com/aurora-dsql/latest/userguide/), and the messages a
cluster returned (see docs/dsql-compatibility.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T

#: DSQL's transaction rules for DDL, refused with 0A000 (session and statements use them).
MORE_THAN_ONE_DDL = "multiple ddl statements not supported in a transaction"
DDL_AND_DML = "ddl and dml are not supported in the same transaction"


def not_supported(message: str, hint: str | None = None) -> TideError:
    return TideError(message, sqlstate=sqlstates.FEATURE_NOT_SUPPORTED, hint=hint)


def node_name(node: Any) -> str:
    """``TruncateStmt`` → ``Truncate``: the name DSQL puts in its refusals."""
    name: str = type(node).DESCRIPTOR.name
    return name[: -len("Stmt")] if name.endswith("Stmt") else name


def unsupported_statement(node: Any) -> TideError:
    return not_supported(f"unsupported statement: {node_name(node)}")


# ---------------------------------------------------------------- statements
def _vacuum(node: Any) -> str | None:
    # ANALYZE shares VacuumStmt with VACUUM; DSQL runs ANALYZE (relation names only).
    return "unsupported VACUUM statement" if node.is_vacuumcmd else None


def _unlisten(node: Any) -> str | None:
    # DSQL refuses UNLISTEN <channel>. ``UNLISTEN *`` stays allowed: asyncpg's pool sends
    # it when a connection goes back to the pool, and with no LISTEN there is nothing to
    # forget (not recorded against a cluster; see docs/dsql-compatibility.md).
    return "unsupported statement: Unlisten" if node.conditionname else None


def _select(node: Any) -> str | None:
    # SELECT … INTO is CREATE TABLE AS in PostgreSQL's analysis, and refused as such.
    return "unsupported statement: CreateTableAs" if node.HasField("into_clause") else None


def _create_table(node: Any) -> str | None:
    persistence = node.relation.relpersistence
    if persistence == "t":
        return "TEMPORARY or TEMP table not supported for CREATE TABLE"
    if persistence == "u":
        return "UNLOGGED table not supported for CREATE TABLE"
    return None


def _transaction(node: Any) -> str | None:
    word = _SAVEPOINT_WORDS.get(node.kind)
    return None if word is None else f"unsupported transaction statement: {word}"


_SAVEPOINT_WORDS = {
    pb.TRANS_STMT_SAVEPOINT: "SAVEPOINT",
    pb.TRANS_STMT_RELEASE: "RELEASE",
    pb.TRANS_STMT_ROLLBACK_TO: "ROLLBACK TO",
}

Refusal = str | Callable[[Any], "str | None"]

#: Statement kind → DSQL's refusal: a message, or a function of the parse node that
#: returns the message (or None: allowed). Kinds that have no handler at all are refused
#: with ``unsupported statement: <node>`` by ``unsupported_statement`` instead.
REFUSED_STATEMENTS: dict[str, Refusal] = {
    "truncate_stmt": "unsupported statement: Truncate",
    "create_extension_stmt": "unsupported statement: CreateExtension",
    "create_trig_stmt": "CREATE TRIGGER not supported",
    "create_event_trig_stmt": "unsupported statement: CreateEventTrig",
    "createdb_stmt": "unsupported statement: Createdb",
    "dropdb_stmt": "unsupported statement: Dropdb",
    "create_table_as_stmt": "unsupported statement: CreateTableAs",
    "create_enum_stmt": "CREATE TYPE not supported",
    "alter_enum_stmt": "ALTER TYPE not supported",
    "composite_type_stmt": "unsupported statement: CompositeType",
    "create_range_stmt": "unsupported statement: CreateRange",
    "create_table_space_stmt": "unsupported statement: CreateTableSpace",
    "create_foreign_table_stmt": "unsupported statement: CreateForeignTable",
    "create_foreign_server_stmt": "unsupported statement: CreateForeignServer",
    "create_fdw_stmt": "unsupported statement: CreateFdw",
    "vacuum_stmt": _vacuum,
    "listen_stmt": "unsupported statement: Listen",
    "notify_stmt": "unsupported statement: Notify",
    "unlisten_stmt": _unlisten,
    "alter_system_stmt": "unsupported statement: AlterSystem",
    "merge_stmt": "unsupported statement type: MERGE",
    "select_stmt": _select,
    "create_stmt": _create_table,
    "transaction_stmt": _transaction,
}


def statement_refusal(kind: str, node: Any) -> TideError | None:
    """DSQL's refusal of this statement, or None when DSQL runs it."""
    refusal = REFUSED_STATEMENTS.get(kind)
    if refusal is None:
        return None
    message = refusal if isinstance(refusal, str) else refusal(node)
    return None if message is None else not_supported(message)


# ---------------------------------------------------------------- SET
#: Settings DSQL will not let a session change (its isolation level is fixed).
FIXED_SETTINGS = frozenset({"transaction_isolation", "default_transaction_isolation"})


def setting_refusal(name: str) -> TideError:
    return not_supported(f'setting configuration parameter "{name}" not supported')


def isolation_refusal(level: str) -> TideError:
    return not_supported(f"Unsupported isolation level: {level.upper()}")


# ---------------------------------------------------------------- ALTER TABLE
#: The SQL spelling of ALTER TABLE subcommands, for ``unsupported ALTER TABLE … statement``.
ALTER_TABLE_FORMS: dict[int, str] = {
    pb.AT_AddColumn: "ADD COLUMN",
    pb.AT_DropColumn: "DROP COLUMN",
    pb.AT_AlterColumnType: "ALTER COLUMN ... SET DATA TYPE",
    pb.AT_ColumnDefault: "ALTER COLUMN ... SET DEFAULT",
    pb.AT_SetNotNull: "ALTER COLUMN ... SET NOT NULL",
    pb.AT_DropNotNull: "ALTER COLUMN ... DROP NOT NULL",
    pb.AT_SetStatistics: "ALTER COLUMN ... SET STATISTICS",
    pb.AT_SetOptions: "ALTER COLUMN ... SET",
    pb.AT_ResetOptions: "ALTER COLUMN ... RESET",
    pb.AT_SetCompression: "ALTER COLUMN ... SET COMPRESSION",
    pb.AT_DropExpression: "ALTER COLUMN ... DROP EXPRESSION",
    pb.AT_AddConstraint: "ADD CONSTRAINT",
    pb.AT_AlterConstraint: "ALTER CONSTRAINT",
    pb.AT_ValidateConstraint: "VALIDATE CONSTRAINT",
    pb.AT_DropConstraint: "DROP CONSTRAINT",
    pb.AT_AddIndexConstraint: "ADD CONSTRAINT ... USING INDEX",
    pb.AT_ClusterOn: "CLUSTER ON",
    pb.AT_DropCluster: "SET WITHOUT CLUSTER",
    pb.AT_SetLogged: "SET LOGGED",
    pb.AT_SetUnLogged: "SET UNLOGGED",
    pb.AT_SetAccessMethod: "SET ACCESS METHOD",
    pb.AT_SetTableSpace: "SET TABLESPACE",
    pb.AT_SetRelOptions: "SET",
    pb.AT_ResetRelOptions: "RESET",
    pb.AT_EnableTrig: "ENABLE TRIGGER",
    pb.AT_DisableTrig: "DISABLE TRIGGER",
    pb.AT_EnableTrigAll: "ENABLE TRIGGER ALL",
    pb.AT_DisableTrigAll: "DISABLE TRIGGER ALL",
    pb.AT_EnableTrigUser: "ENABLE TRIGGER USER",
    pb.AT_DisableTrigUser: "DISABLE TRIGGER USER",
    pb.AT_EnableRule: "ENABLE RULE",
    pb.AT_DisableRule: "DISABLE RULE",
    pb.AT_AddInherit: "INHERIT",
    pb.AT_DropInherit: "NO INHERIT",
    pb.AT_AddOf: "OF",
    pb.AT_DropOf: "NOT OF",
    pb.AT_ReplicaIdentity: "REPLICA IDENTITY",
    pb.AT_EnableRowSecurity: "ENABLE ROW LEVEL SECURITY",
    pb.AT_DisableRowSecurity: "DISABLE ROW LEVEL SECURITY",
    pb.AT_ForceRowSecurity: "FORCE ROW LEVEL SECURITY",
    pb.AT_NoForceRowSecurity: "NO FORCE ROW LEVEL SECURITY",
    pb.AT_AttachPartition: "ATTACH PARTITION",
    pb.AT_DetachPartition: "DETACH PARTITION",
    pb.AT_AddIdentity: "ALTER COLUMN ... ADD GENERATED AS IDENTITY",
    pb.AT_SetIdentity: "ALTER COLUMN ... SET GENERATED",
    pb.AT_DropIdentity: "ALTER COLUMN ... DROP IDENTITY",
    pb.AT_ChangeOwner: "OWNER TO",
    pb.AT_SetStorage: "ALTER COLUMN ... SET STORAGE",
}


def alter_table_refusal(subtype: int) -> TideError:
    form = ALTER_TABLE_FORMS.get(subtype) or pb.AlterTableType.Name(subtype)
    return not_supported(f"unsupported ALTER TABLE {form} statement")


ADD_COLUMN_WITH_CONSTRAINT = "ALTER TABLE ADD COLUMN with constraint not supported"


# ---------------------------------------------------------------- column types
#: Types DSQL knows in expressions (some of them) but refuses as a column, by the name
#: pg_query gives them, with the name DSQL's message uses. Arrays of any type are refused
#: too (``datatype integer[] not supported``). Checked by name before the type is
#: resolved, so a type tidesql does not implement is still refused the way DSQL refuses
#: it (0A000), not as unknown (42704).
REFUSED_COLUMN_TYPES: dict[str, str] = {
    name: name
    for name in (
        "money",
        "xml",
        "inet",
        "cidr",
        "macaddr",
        "macaddr8",
        "point",
        "line",
        "lseg",
        "box",
        "path",
        "polygon",
        "circle",
        "tsvector",
        "tsquery",
        "int4range",
        "int8range",
        "numrange",
        "tsrange",
        "tstzrange",
        "daterange",
        "int4multirange",
        "int8multirange",
        "nummultirange",
        "tsmultirange",
        "tstzmultirange",
        "datemultirange",
        "bit",
        "pg_lsn",
        "pg_snapshot",
        "txid_snapshot",
    )
} | {"varbit": "bit varying"}


def column_type_refusal(names: list[str], array_bounds: int) -> TideError | None:
    """The refusal of a column declared with this type name, before it is resolved."""
    name = names[-1].lower() if names and names[0] in ("pg_catalog", names[-1]) else None
    shown = REFUSED_COLUMN_TYPES.get(name or "")
    if shown is None:
        return None
    return not_supported(f"datatype {shown}{'[]' if array_bounds else ''} not supported")


def check_column_type(sql_type: T.SqlType, dsql: bool) -> None:
    """DSQL stores only its supported types in columns; arrays work in expressions only."""
    if not dsql:
        return
    if sql_type.element is not None:
        raise not_supported(f"datatype {T.format_type(sql_type)} not supported")
