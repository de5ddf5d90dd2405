"""Utility statements: EXPLAIN, VACUUM/ANALYZE, DISCARD, DEALLOCATE, COPY, DDL and
role statements, CLOSE ALL/UNLISTEN, and the refusal of unsupported statements."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import dsql, explain, privileges, readonly
from tidesql.sql import types as T
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.plan import PlanNode, explain_tree
from tidesql.sql.planner import node_kind
from tidesql.sql.result import Column, StatementResult
from tidesql.sql.statements.planning import plan_statement
from tidesql.sql.statements.running import _check_dsql_mix, _run_planned


async def _explain(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    from tidesql.sql.session import classify

    node = statement.node
    inner_kind, inner = node_kind(node.query)
    options = explain.parse_options(node.options)
    inner_statement = ParsedStatement(inner, inner_kind, statement.text)
    if classify(inner_statement) not in ("query", "dml"):
        raise TideError(
            "EXPLAIN only supports SELECT, INSERT, UPDATE and DELETE",
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
    if options.analyze:
        readonly.check_statement(session, inner_statement)
    sql_txn = await session.ensure_transaction()
    started = time.perf_counter()
    # EXPLAIN ANALYZE measures a plan of its own: never one from (or into) the cache.
    planned = plan_statement(
        session, sql_txn.catalog, inner_statement, [], cache=not options.analyze
    )
    planning = time.perf_counter() - started
    privileges.check(session, sql_txn.catalog, planned.privileges)
    annotate: Callable[[PlanNode], str] | None = None
    top: str | None = None
    if planned.kind in ("insert", "update", "delete"):
        top = f"{planned.kind.title()} on {inner.relation.relname}"
    execution = 0.0
    if options.analyze:
        stats = explain.instrument(planned.plan) if planned.plan is not None else {}
        top_stats = explain.NodeStats()
        planned.run = explain.measure_run(planned.run, top_stats, lambda r: len(r.rows))
        started = time.perf_counter()
        await _run_planned(session, inner_statement, params, None, planned)
        execution = time.perf_counter() - started
        timing = options.timing

        def annotate(plan_node: PlanNode) -> str:
            return stats[id(plan_node)].annotation(timing)

        if top is not None:
            top += top_stats.annotation(timing)
    lines: list[str] = []
    if top is not None:
        lines.append(top)
    if planned.plan is not None:
        lines += explain_tree(planned.plan, 1 if top is not None else 0, annotate)
    else:
        lines.append("  ->  Values Scan")
    if options.summary if options.summary is not None else options.analyze:
        lines.append(f"Planning Time: {planning * 1000:.3f} ms")
        if options.analyze:
            lines.append(f"Execution Time: {execution * 1000:.3f} ms")
    return StatementResult("EXPLAIN", [Column("QUERY PLAN", T.TEXT)], [(line,) for line in lines])


async def unsupported(session: Any, statement: ParsedStatement) -> StatementResult:
    raise dsql.unsupported_statement(statement.node)


async def _vacuum_or_analyze(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    """ANALYZE (DSQL runs it, relation names only) and, in extended mode, VACUUM: both
    check their relations and do nothing else — statistics are not collected, and MVCC
    versions are collected by the storage replicas on their own."""
    node = statement.node
    word = "VACUUM" if node.is_vacuumcmd else "ANALYZE"
    if node.is_vacuumcmd and session.in_block:
        raise TideError(
            "VACUUM cannot run inside a transaction block",
            sqlstate=sqlstates.ACTIVE_SQL_TRANSACTION,
        )
    sql_txn = await session.ensure_transaction()
    for relation in node.rels:
        range_var = relation.vacuum_relation.relation
        sql_txn.catalog.get_table(
            range_var.relname, range_var.schemaname or None, session.search_path()
        )
    return StatementResult(word)


async def _discard(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    session.prepared.clear()
    return StatementResult("DISCARD ALL")


async def _deallocate(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    name = statement.node.name
    if name:
        session.prepared.pop(name, None)
    else:
        session.prepared.clear()
    return StatementResult("DEALLOCATE ALL" if not name else "DEALLOCATE")


async def _ddl(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    from tidesql.sql import ddl

    return await ddl.execute(session, statement)


async def _copy(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    from tidesql.sql.copy import start_copy

    return await start_copy(session, statement)


async def _roles(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    from tidesql.sql.roles import execute_role_statement
    from tidesql.sql.session import classify

    sql_txn = await session.ensure_transaction()
    _check_dsql_mix(session, sql_txn, classify(statement))
    result = await execute_role_statement(session, statement)
    sql_txn.catalog = await session.engine.private_catalog(sql_txn.core)
    return result


async def _grant_role(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    from tidesql.sql.privileges import execute_grant_role

    sql_txn = await session.ensure_transaction()
    _check_dsql_mix(session, sql_txn, "ddl")
    await execute_grant_role(session, statement.node)
    sql_txn.catalog = await session.engine.private_catalog(sql_txn.core)
    return StatementResult("GRANT ROLE" if statement.node.is_grant else "REVOKE ROLE")


async def _close_all_or_unlisten(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    """CLOSE ALL and UNLISTEN: tidesql has no cursors or listeners, so there is nothing
    to drop (asyncpg's pool sends both when a connection goes back to the pool)."""
    if statement.kind == "unlisten_stmt":
        return StatementResult("UNLISTEN")
    if statement.node.portalname:
        raise TideError(
            f'cursor "{statement.node.portalname}" does not exist',
            sqlstate=sqlstates.INVALID_CURSOR_NAME,
        )
    return StatementResult("CLOSE CURSOR ALL")
