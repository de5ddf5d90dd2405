"""The DDL entry point :func:`execute` and its statement table ``_HANDLERS``, with
the handlers for schemas and views and the statements delegated to other modules."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import privileges
from tidesql.sql.ddl.alter import _alter_table, _rename, _set_schema
from tidesql.sql.ddl.drop import _drop
from tidesql.sql.ddl.indexes import _create_index
from tidesql.sql.ddl.tables import _create_table
from tidesql.sql.ddl.writer import CatalogWriter, deparse_select, name_taken, refuse
from tidesql.sql.dsql import not_supported
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import string_values
from tidesql.sql.result import Notice, StatementResult


async def execute(session: Any, statement: ParsedStatement) -> StatementResult:
    from tidesql.sql.statements import _check_dsql_mix

    sql_txn = await session.ensure_transaction()
    _check_dsql_mix(session, sql_txn, "ddl")
    handler = _HANDLERS.get(statement.kind)
    if handler is None:
        raise refuse(session, statement)
    writer = CatalogWriter(session, sql_txn)
    writer.version = int(await sql_txn.core.get(C.VERSION_KEY) or b"0")
    result = await handler(session, writer, statement)
    sql_txn.ddl_count += 1
    # Later statements of the transaction see its own DDL.
    sql_txn.catalog = await session.engine.private_catalog(sql_txn.core)
    return result


async def _create_schema(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    node = statement.node
    name = node.schemaname
    if writer.catalog.schema_oid(name) is not None:
        if node.if_not_exists:
            return StatementResult(
                "CREATE SCHEMA",
                notices=[Notice("NOTICE", "42P06", f'schema "{name}" already exists, skipping')],
            )
        raise TideError(f'schema "{name}" already exists', sqlstate=sqlstates.DUPLICATE_SCHEMA)
    if name.startswith("pg_"):
        raise TideError(
            f'unacceptable schema name "{name}"',
            sqlstate=sqlstates.RESERVED_NAME,
            detail='The prefix "pg_" is reserved for system schemas.',
        )
    if len(node.schema_elts):
        raise not_supported("CREATE SCHEMA with elements is not supported")
    oid = await writer.new_oid()
    writer.write_schema(oid, {"name": name, "owner": session.user})
    return StatementResult("CREATE SCHEMA")


async def _create_view(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.planner import Planner
    from tidesql.sql.statements import _virtual_tables

    node = statement.node
    relation = node.view
    schema_oid = writer.schema_for(relation.schemaname or None)
    existing = writer.catalog.find_table(relation.relname, writer.catalog.schemas[schema_oid], [])
    if node.replace and existing is not None and existing.kind != "v":
        raise TideError(f'"{relation.relname}" is not a view', sqlstate=sqlstates.WRONG_OBJECT_TYPE)
    replacing = existing is not None and node.replace
    if not replacing:
        name_taken(writer, schema_oid, relation.relname, False, "CREATE VIEW")  # 42P07
    query_sql = deparse_select(node.query.select_stmt)
    planner = Planner(
        writer.catalog, session.search_path(), virtual_tables=_virtual_tables(session)
    )
    planned = planner.plan_select(node.query.select_stmt)
    aliases = string_values(node.aliases)
    oid = existing.oid if existing is not None else await writer.new_oid()
    table = C.TableDef(
        oid,
        schema_oid,
        relation.relname,
        kind="v",
        view_sql=query_sql,
        view_columns=aliases,
        owner=session.user,
    )
    for position, column in enumerate(planned.columns):
        column_name = aliases[position] if position < len(aliases) else column.name
        table.columns.append(
            C.ColumnDef(column_name, column.type.oid, column.type.modifier, attnum=position + 1)
        )
    writer.write_table(table)
    return StatementResult("CREATE VIEW")


async def _truncate(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    raise not_supported("unsupported statement: Truncate")


async def _grant(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    await privileges.execute_grant(session, writer, statement.node)
    return StatementResult("GRANT" if statement.node.is_grant else "REVOKE")


DdlHandler = Callable[[Any, CatalogWriter, ParsedStatement], Awaitable[StatementResult]]


def _elsewhere(module: str, name: str) -> DdlHandler:
    """A handler that lives in another module, imported when first called (those modules
    import the DDL machinery themselves)."""

    async def handler(
        session: Any, writer: CatalogWriter, statement: ParsedStatement
    ) -> StatementResult:
        function: DdlHandler = getattr(importlib.import_module(module), name)
        return await function(session, writer, statement)

    return handler


_HANDLERS: dict[str, DdlHandler] = {
    "comment_stmt": _elsewhere("tidesql.sql.comments", "comment"),
    "create_domain_stmt": _elsewhere("tidesql.sql.domains", "create_domain"),
    "create_function_stmt": _elsewhere("tidesql.sql.sqlfunctions", "create_function"),
    "create_stmt": _create_table,
    "drop_stmt": _drop,
    "create_schema_stmt": _create_schema,
    "view_stmt": _create_view,
    "alter_table_stmt": _alter_table,
    "rename_stmt": _rename,
    "index_stmt": _create_index,
    "truncate_stmt": _truncate,
    "create_seq_stmt": _elsewhere("tidesql.sql.sequences", "create_sequence"),
    "alter_seq_stmt": _elsewhere("tidesql.sql.sequences", "alter_sequence"),
    "alter_object_schema_stmt": _set_schema,
    "grant_stmt": _grant,
}
