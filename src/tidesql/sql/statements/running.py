"""Running a planned statement in the session's transaction, with the DSQL checks on
mixing DDL and DML in one transaction; SELECT's handler."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

# The session module imports this one (a cycle): its names are looked up at run time.
import tidesql.sql.session as session_module
from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import privileges
from tidesql.sql.dsql import DDL_AND_DML, MORE_THAN_ONE_DDL
from tidesql.sql.foreign_keys import finish_statement
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.result import StatementResult
from tidesql.sql.statements.planned import Planned
from tidesql.sql.statements.planning import plan_statement


# ---------------------------------------------------------------- handlers
async def _run_planned(
    session: Any,
    statement: ParsedStatement,
    params: list[Any],
    prepared: Any,
    planned: Planned | None = None,
) -> StatementResult:
    sql_txn = session.transaction
    if sql_txn is None:
        sql_txn = await session.ensure_transaction()
    kind = session_module.classify(statement)
    if kind != "query":  # nothing to check for a query
        _check_dsql_mix(session, sql_txn, kind)
    catalog = sql_txn.catalog
    if (
        planned is None
        and prepared is not None
        and prepared.planned is not None
        and prepared.planned.catalog_version == catalog.version
    ):
        planned = prepared.planned
    if planned is None:
        declared = prepared.param_types if prepared is not None else []
        planned = plan_statement(session, catalog, statement, declared)
        if prepared is not None:
            prepared.planned = planned
    if len(params) < len(planned.param_types):
        raise TideError(
            f"bind message supplies {len(params)} parameters, but prepared statement requires "
            f"{len(planned.param_types)}",
            sqlstate=sqlstates.PROTOCOL_VIOLATION,
        )
    privileges.check(session, catalog, planned.privileges)
    env = session._env(params, sql_txn)
    ctx = session_module.ExecContext(session, sql_txn, env)
    core = sql_txn.core
    core.begin_statement()
    try:
        result = await planned.run(session, ctx)
        if ctx.fk_pending:
            await finish_statement(ctx)
    except TideError:
        core.undo_statement()
        raise
    core.end_statement()
    if planned.columns is not None:
        result.columns = planned.result_columns()
    elif planned.kind == "select":
        result.columns = []
    return result


def _check_dsql_mix(session: Any, sql_txn: Any, kind: str) -> None:
    if session.engine.mode != "dsql":
        return
    if kind == "dml" and sql_txn.ddl_count:
        raise TideError(
            DDL_AND_DML,
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
    if kind == "ddl":
        if sql_txn.ddl_count:
            raise TideError(
                MORE_THAN_ONE_DDL,
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            )
        if sql_txn.dml or sql_txn.core.state.writes:
            raise TideError(
                DDL_AND_DML,
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            )


def _select(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> Awaitable[StatementResult]:
    if prepared is not None and prepared.planned is not None:
        # Session.prepare plans every SELECT but sys.wait_for_job(…): nothing to wait for.
        return _run_planned(session, statement, params, prepared)
    return _select_or_wait(session, statement, params, prepared)


async def _select_or_wait(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    from tidesql.sql.jobs import maybe_wait_for_job

    waited = await maybe_wait_for_job(session, statement, params)
    if waited is not None:
        return waited
    return await _run_planned(session, statement, params, prepared)
