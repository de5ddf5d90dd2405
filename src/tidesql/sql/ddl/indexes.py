"""CREATE INDEX."""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.ddl.tables import _expression_column_name, _unique_name
from tidesql.sql.ddl.writer import CatalogWriter, deparse_expression, name_taken
from tidesql.sql.dsql import not_supported
from tidesql.sql.indexkeys import check_key_type
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.result import StatementResult


async def _create_index(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.jobs import start_index_job

    node = statement.node
    dsql_mode = session.engine.mode == "dsql"
    if dsql_mode and not statement.is_async:
        raise not_supported(
            "unsupported mode. please use CREATE INDEX ASYNC.",  # DSQL's own words
            hint="Aurora DSQL builds indexes asynchronously: CREATE INDEX ASYNC.",
        )
    if node.concurrent:
        raise not_supported("CREATE INDEX CONCURRENTLY is not supported; use CREATE INDEX ASYNC")
    relation = node.relation
    table = writer.get_table(relation.relname, relation.schemaname or None, session.search_path())
    if table.kind != "r":
        raise TideError(f'"{table.name}" is not a table', sqlstate=sqlstates.WRONG_OBJECT_TYPE)
    if node.access_method and node.access_method not in ("btree",):
        raise not_supported(f'access method "{node.access_method}" is not supported')
    info = C.TableInfo(table, writer.catalog.schemas.get(table.schema_oid, "?"), writer.catalog)
    attnums: list[int] = []
    descending = []
    expressions: list[str] = []
    expression_types: list[int] = []
    name_parts: list[str] = []
    for element in node.index_params:
        index_elem = element.index_elem
        if index_elem.HasField("expr"):
            from tidesql.sql.indexkeys import bind_index_expression

            text = deparse_expression(index_elem.expr)
            bound = bind_index_expression(info, text, "index expression")
            check_key_type(bound.type, "an index key")
            attnums.append(0)
            expressions.append(text)
            expression_types.append(bound.type.oid)
            name_parts.append(_expression_column_name(index_elem.expr))
        else:
            column = table.column(index_elem.name)
            if column is None:
                raise TideError(
                    f'column "{index_elem.name}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_COLUMN,
                )
            check_key_type(column.sql_type, "an index key")
            attnums.append(column.attnum)
            name_parts.append(column.name)
        descending.append(index_elem.ordering == pb.SORTBY_DESC)
    include = []
    for element in node.index_including_params:
        column = table.column(element.index_elem.name)
        if column is None:
            raise TideError(
                f'column "{element.index_elem.name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_COLUMN,
            )
        include.append(column.attnum)
        name_parts.append(column.name)
    name = node.idxname or _unique_name(writer, table.schema_oid, table.name, name_parts, "idx")
    skipped = name_taken(writer, table.schema_oid, name, node.if_not_exists, "CREATE INDEX")
    if skipped is not None:
        return skipped
    predicate = None
    if node.HasField("where_clause"):
        from tidesql.sql.indexkeys import bind_index_expression

        predicate = deparse_expression(node.where_clause)
        bound = bind_index_expression(info, predicate, "index predicate")
        if bound.type.oid != T.BOOL.oid:
            raise TideError(
                f"argument of WHERE must be type boolean, not type {bound.type.name}",
                sqlstate=sqlstates.DATATYPE_MISMATCH,
            )
    index = C.IndexDef(
        await writer.new_oid(),
        name,
        attnums,
        unique=node.unique,
        include=include,
        valid=False,
        descending=descending,
        nulls_not_distinct=node.nulls_not_distinct,
        predicate=predicate,
        expressions=expressions,
        expression_type_oids=expression_types,
    )
    # A unique index is not a constraint (as in PostgreSQL): no pg_constraint row.
    table.indexes.append(index)
    writer.write_table(table)
    job = start_index_job(session, table, index)
    if statement.is_async:
        from tidesql.sql.result import Column

        return StatementResult("CREATE INDEX", [Column("job_id", T.TEXT)], [(job.job_id,)])
    session.pending_sync_job = job
    return StatementResult("CREATE INDEX")
