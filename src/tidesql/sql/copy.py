"""COPY … FROM STDIN and COPY … TO STDOUT (text and CSV).

The protocol layer runs the copy sub-protocol; this module decides what is copied.
``start_copy`` answers with a ``CopyRequest``; for COPY FROM the protocol layer collects
the client's rows, split into fields, and hands them to ``finish_copy_in``, which
parses each field with its column's type and inserts the rows in one transaction (the
caller's block, or one of its own).
"""

from __future__ import annotations

from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind, string_values
from tidesql.sql.result import Column, CopyRequest, StatementResult


def _options(node: Any) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for option in node.options:
        element = option.def_elem
        kind, value = node_kind(element.arg) if element.HasField("arg") else ("", None)
        if value is None:
            options[element.defname] = True
            continue
        if kind == "string":
            options[element.defname] = value.sval
        elif kind == "a_const":
            which = value.WhichOneof("val")
            options[element.defname] = (
                getattr(value, which).__getattribute__(which) if which else True
            )
        elif kind == "boolean":
            options[element.defname] = value.boolval
        elif kind == "integer":
            options[element.defname] = value.ival
        else:
            options[element.defname] = True
    return options


async def start_copy(session: Any, statement: ParsedStatement) -> StatementResult:
    node = statement.node
    options = _options(node)
    csv = str(options.get("format", "text")).lower() == "csv"
    if str(options.get("format", "text")).lower() == "binary":
        raise TideError("COPY BINARY is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)
    delimiter = options.get("delimiter", "," if csv else "\t")
    null = options.get("null", "" if csv else "\\N")
    header = options.get("header", False) in (True, "true", "on", 1)
    request_args = dict(
        csv=csv,
        delimiter=delimiter,
        null=null,
        header=header,
        quote=options.get("quote", '"'),
        escape=options.get("escape", options.get("quote", '"')),
    )
    if node.filename:
        raise TideError(
            "COPY to or from a file is not supported; use STDIN or STDOUT",
            sqlstate=sqlstates.INSUFFICIENT_PRIVILEGE,
        )
    if node.is_from:
        sql_txn = await session.ensure_transaction()
        catalog = sql_txn.catalog
        relation = node.relation
        table = catalog.get_table(
            relation.relname, relation.schemaname or None, session.search_path()
        )
        from tidesql.sql.privileges import check

        check(session, catalog, {table.oid: "a"})
        info = catalog.info(table)
        names = string_values(node.attlist) or [c.name for c in info.live_columns]
        columns = []
        for name in names:
            column = info.by_name.get(name)
            if column is None:
                raise TideError(
                    f'column "{name}" of relation "{table.name}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_COLUMN,
                )
            columns.append(column)
        session.pending_copy = (table.oid, [c.attnum for c in columns])
        request = CopyRequest("in", [Column(c.name, c.sql_type) for c in columns], **request_args)
        return StatementResult("COPY", copy=request)
    # COPY … TO STDOUT: run the query (or the whole table) now.
    if node.HasField("query"):
        sql = node_kind(node.query)[1]
        inner = ParsedStatement(sql, "select_stmt", statement.text)
    else:
        relation = node.relation
        attlist = string_values(node.attlist)
        target = ", ".join(f'"{a}"' for a in attlist) if attlist else "*"
        schema = f'"{relation.schemaname}".' if relation.schemaname else ""
        from tidesql.sql.parser import parse

        (inner,) = parse(f'SELECT {target} FROM {schema}"{relation.relname}"')
    from tidesql.sql.statements import _run_planned

    result = await _run_planned(session, inner, [], None)
    request = CopyRequest("out", result.columns or [], rows=result.rows, **request_args)
    return StatementResult(f"COPY {len(result.rows)}", copy=request)


async def finish_copy_in(
    session: Any, request: CopyRequest, rows: list[list[str | None]]
) -> StatementResult:
    from tidesql.sql.dml import TableWriter
    from tidesql.sql.session import ExecContext

    pending = getattr(session, "pending_copy", None)
    if pending is None:
        raise TideError("no COPY in progress", sqlstate=sqlstates.PROTOCOL_VIOLATION)
    table_oid, attnums = pending
    session.pending_copy = None
    sql_txn = await session.ensure_transaction()
    autocommit = not session.in_block
    try:
        table = sql_txn.catalog.tables.get(table_oid)
        if table is None:
            raise TideError("the table was dropped during COPY", sqlstate=sqlstates.UNDEFINED_TABLE)
        info = sql_txn.catalog.info(table)
        from tidesql.sql.planner import Planner
        from tidesql.sql.statements import _compile_checks, _default_exprs

        planner = Planner(sql_txn.catalog, session.search_path())
        checks = _compile_checks(planner, info)
        defaults = _default_exprs(planner, info)
        env = session._env([], sql_txn)
        ctx = ExecContext(session, sql_txn, env)
        writer = TableWriter(info, ctx, checks)
        settings = env.settings
        types = [info.table.columns[a - 1].sql_type for a in attnums]
        sql_txn.core.begin_statement()
        for line_number, fields in enumerate(rows, start=1):
            if len(fields) != len(attnums):
                raise TideError(
                    "missing data for column"
                    if len(fields) < len(attnums)
                    else "extra data after last expected column",
                    sqlstate=sqlstates.BAD_COPY_FILE_FORMAT,
                    detail=f"COPY {table.name}, line {line_number}",
                )
            full: list[Any] = [None] * len(info.columns)
            for attnum, field, sql_type in zip(attnums, fields, types, strict=True):
                full[attnum - 1] = (
                    None if field is None else T.parse_value(field, sql_type, settings)
                )
            for attnum, default in defaults.items():
                if attnum not in attnums:
                    full[attnum - 1] = await default.value(ctx)
            await writer.insert(full)
        if ctx.fk_pending:
            from tidesql.sql.foreign_keys import finish_statement

            await finish_statement(ctx)
        sql_txn.core.end_statement()
        if autocommit:
            await session._commit()
    except BaseException:
        if autocommit:
            session._rollback()
        elif session.transaction is not None:
            session.transaction.core.undo_statement()
            session.failed = True
        raise
    return StatementResult(f"COPY {len(rows)}")
