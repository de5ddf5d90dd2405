"""Planning a statement: the plan cache key, SELECT planning and row locks, and the
``PLANNERS`` table (statement kind → planner)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.catalog import Catalog
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import Planner
from tidesql.sql.result import StatementResult
from tidesql.sql.statements.planned import Planned
from tidesql.sql.statements.writes import (
    _plan_delete,
    _plan_insert,
    _plan_update,
    _run_modifying_ctes_first,
)


def _virtual_tables(session: Any) -> Any:
    from tidesql.sql.pg_catalog import VirtualTables

    return VirtualTables.for_session(session)


def plan_statement(
    session: Any,
    catalog: Catalog,
    statement: ParsedStatement,
    declared: list[T.SqlType],
    cache: bool = True,
) -> Planned:
    search_path = session.search_path()
    key = (
        statement.text,
        catalog.version,
        tuple(search_path),
        tuple(t.oid for t in declared),
        statement.kind,
    )
    cached = session.engine.plan_cache.get(key) if cache else None
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    planner = Planner(catalog, search_path, declared, virtual_tables=_virtual_tables(session))
    builder = PLANNERS.get(statement.kind)
    if builder is None:
        raise TideError(f"cannot plan {statement.kind}", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)
    planned = builder(planner, statement.node, catalog)
    if planner.modifying_ctes:
        _run_modifying_ctes_first(planned, planner.modifying_ctes)
    planned.param_types = [t if t.oid != T.UNKNOWN.oid else T.TEXT for t in planner.param_types]
    planned.privileges = planner.privileges_needed
    if cache and not planner.has_volatile:
        session.engine.cache_plan(key, planned)
    return planned


# ---------------------------------------------------------------- SELECT
#: Row-lock strengths: what each does under optimistic concurrency (see plan.py).
_LOCK_NAMES: dict[int, str] = {
    pb.LCS_FORKEYSHARE: "FOR KEY SHARE",
    pb.LCS_FORSHARE: "FOR SHARE",
    pb.LCS_FORNOKEYUPDATE: "FOR NO KEY UPDATE",
    pb.LCS_FORUPDATE: "FOR UPDATE",
}


def lock_modes(strengths: dict[int, int], dsql: bool) -> dict[int, str]:
    """Table oid → "key share" or "update". DSQL has FOR UPDATE and FOR KEY SHARE only
    (0A000 for the others). Extended mode checks FOR SHARE and FOR NO KEY UPDATE like
    FOR UPDATE: stronger than PostgreSQL (two FOR SHARE lockers of a row conflict, and
    FOR NO KEY UPDATE conflicts with a key-share), never weaker."""
    modes = {}
    for oid, strength in strengths.items():
        if strength in (pb.LCS_FORSHARE, pb.LCS_FORNOKEYUPDATE) and dsql:
            raise TideError(
                "locking clauses other than FOR UPDATE/FOR KEY SHARE are not supported",
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
                hint="Aurora DSQL supports SELECT ... FOR UPDATE and SELECT ... FOR KEY SHARE.",
            )
        modes[oid] = "key share" if strength == pb.LCS_FORKEYSHARE else "update"
    return modes


def _plan_select(planner: Planner, node: Any, catalog: Catalog) -> Planned:
    query = planner.plan_select(node)
    lock_tables = {info.oid for info in planner.lock_targets}
    strengths = dict(planner.lock_strengths)

    async def run(session: Any, ctx: Any) -> StatementResult:
        if lock_tables:
            ctx.locking = lock_modes(strengths, session.engine.mode == "dsql")
        rows = await query.plan.rows(ctx)
        return StatementResult(f"SELECT {len(rows)}", [], rows)

    return Planned(
        "select", query.plan, query.columns, planner.param_types, catalog.version, run, lock_tables
    )


PLANNERS: dict[str, Callable[[Planner, Any, Catalog], Planned]] = {
    "select_stmt": _plan_select,
    "insert_stmt": _plan_insert,
    "update_stmt": _plan_update,
    "delete_stmt": _plan_delete,
}
