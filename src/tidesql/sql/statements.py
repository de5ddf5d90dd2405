"""Statement handlers: planning and running each kind of SQL statement.

Queries and DML are planned into a ``Planned`` (cached by text, catalog version, search
path and declared parameter types) and run against the session's transaction; the
utility statements (transaction control, SET/SHOW, EXPLAIN, COPY) and DDL are handled
directly.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pg_query.pg_query_pb2 as pb

# The session module imports this one (a cycle): its names are looked up at run time.
import tidesql.sql.session as session_module
from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import dsql, explain, privileges, readonly
from tidesql.sql import types as T
from tidesql.sql.catalog import Catalog, TableInfo
from tidesql.sql.dml import TableWriter
from tidesql.sql.dsql import DDL_AND_DML, MORE_THAN_ONE_DDL
from tidesql.sql.expr import ColumnRef, Const, Expr, compile_predicate
from tidesql.sql.foreign_keys import finish_statement, set_constraints
from tidesql.sql.parser import ParsedStatement, parse
from tidesql.sql.plan import OutputColumn, PlanNode, explain_tree
from tidesql.sql.planner import (
    BindContext,
    Planner,
    Scope,
    ScopeItem,
    node_kind,
)
from tidesql.sql.result import Column, StatementResult
from tidesql.txn import Isolation

Handler = Callable[[Any, ParsedStatement, list[Any], Any], Awaitable[StatementResult]]


@dataclass
class Planned:
    kind: str
    plan: PlanNode | None
    columns: list[OutputColumn] | None
    param_types: list[T.SqlType]
    catalog_version: int
    run: Callable[[Any, Any], Awaitable[StatementResult]]
    lock_tables: set[int] = field(default_factory=set)
    #: Table oid → the privileges the statement needs (checked on every run).
    privileges: dict[int, str] = field(default_factory=dict)
    _result_columns: list[Column] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def result_columns(self) -> list[Column] | None:
        """The row description (one list per plan, shared by every result it gives, so
        that the protocol can keep what it derived from it between executions)."""
        if self.columns is None:
            return None
        columns = self._result_columns
        if columns is None:
            columns = [Column(c.name, c.type, c.table_oid, c.column_number) for c in self.columns]
            self._result_columns = columns
        return columns


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
    if cache and not planner.has_volatile and not getattr(planner, "uncacheable", False):
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


# ---------------------------------------------------------------- helpers for DML
def _target_table(
    planner: Planner, relation: Any, catalog: Catalog, node: Any = None, letter: str = ""
) -> TableInfo:
    name = relation.relname
    schema = relation.schemaname or None
    table = catalog.get_table(name, schema, planner.search_path)
    if table.kind != "r":
        raise TideError(f'cannot change relation "{name}"', sqlstate=sqlstates.WRONG_OBJECT_TYPE)
    if letter:
        planner.need_privilege(table.oid, letter)
        # Reading the rows (WHERE, RETURNING) needs SELECT too, as in PostgreSQL.
        if len(node.returning_list) or (node.HasField("where_clause") if letter in "wd" else False):
            planner.need_privilege(table.oid, "r")
        if (
            letter == "a"
            and node.HasField("on_conflict_clause")
            and node.on_conflict_clause.action == pb.ONCONFLICT_UPDATE
        ):
            planner.need_privilege(table.oid, "w")
    return catalog.info(table)


def _full_scope(info: TableInfo, alias: str) -> Scope:
    """The table's columns laid out by attnum (index attnum − 1), for defaults and checks."""
    return Scope(
        [
            ScopeItem(alias, c.name, c.sql_type, c.attnum - 1, info.oid, c.attnum)
            for c in info.live_columns
        ]
    )


def _compile_checks(planner: Planner, info: TableInfo) -> list[tuple[str, Any]]:
    checks = []
    scope = _full_scope(info, info.name)
    for constraint in info.table.constraints:
        if constraint.kind == "c" and constraint.expression:
            expr = planner.bind_standalone(_parse_expression(constraint.expression), scope, "CHECK")
            checks.append((constraint.name, expr.compile()))
    return checks


def _parse_expression(text: str) -> Any:
    (statement,) = parse(f"SELECT {text}")
    return statement.node.target_list[0].res_target.val


@dataclass
class _Default:
    """A column's default, compiled; ``apply`` first computes the nextval() calls in it
    (they await a reservation, so they run as a plan node, not inside the expression)."""

    compiled: Callable[[Any, Any], Any]
    apply: PlanNode | None

    async def value(self, ctx: Any) -> Any:
        if self.apply is None:
            return self.compiled((), ctx.env)
        (extra,) = await self.apply.rows(ctx)
        return self.compiled(extra, ctx.env)


def _standalone_apply(planner: Planner, context: BindContext) -> PlanNode | None:
    """An Apply over one empty row computing the subqueries and sequence calls of
    expressions bound without a row (defaults, INSERT … VALUES)."""
    if not context.subqueries:
        return None
    from tidesql.sql.plan import Result

    markers, context.subqueries = context.subqueries, []
    return planner._place_subqueries(Result(), 0, markers)


def _column_default(
    planner: Planner, info: TableInfo, column: Any, context: BindContext
) -> Expr | None:
    """The default of ``column`` bound in ``context``: nextval of its identity sequence,
    its DEFAULT expression, or None."""
    if column.identity:
        from tidesql.sql.sequences import identity_sequence, nextval_expression

        sequence = identity_sequence(planner.catalog, info.table, column)
        return nextval_expression(planner, context, sequence.oid)
    default = column.default
    if default is None and column.domain_oid:
        domain = planner.catalog.domains.get(column.domain_oid)
        default = domain.default if domain is not None else None
    if default is None:
        return None
    return planner.bind(_parse_expression(default), context)


def _default_exprs(planner: Planner, info: TableInfo) -> dict[int, _Default]:
    out = {}
    for column in info.live_columns:
        context = BindContext(Scope(), "DEFAULT")
        expr = _column_default(planner, info, column, context)
        if expr is not None:
            expr = planner.coerce(expr, column.sql_type, context="assignment")
            apply = _standalone_apply(planner, context)  # places the slots compile() reads
            out[column.attnum] = _Default(expr.compile(), apply)
    return out


def _generated_always(column: Any, updating: bool = False) -> TideError:
    return TideError(
        f'column "{column.name}" can only be updated to DEFAULT'
        if updating
        else f'cannot insert a non-DEFAULT value into column "{column.name}"',
        sqlstate=sqlstates.GENERATED_ALWAYS,
        detail=f'Column "{column.name}" is an identity column defined as GENERATED ALWAYS.',
        hint=None if updating else "Use OVERRIDING SYSTEM VALUE to override.",
    )


def _returning(
    planner: Planner, info: TableInfo, alias: str, returning_list: Any
) -> tuple[list[Any], list[OutputColumn]] | None:
    if not len(returning_list):
        return None
    scope = _full_scope(info, alias)
    context = BindContext(scope, "RETURNING")
    targets = planner._targets(returning_list, context)
    if context.subqueries:
        raise TideError(
            "subqueries in RETURNING are not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    return (
        [e.compile() for _, e, _ in targets],
        [OutputColumn(n, e.type, *origin) for n, e, origin in targets],
    )


def _project_returning(
    returning: tuple[list[Any], list[OutputColumn]] | None, row: list[Any], env: Any
) -> tuple[Any, ...]:
    assert returning is not None
    return tuple(f(row, env) for f in returning[0])


def _to_full(info: TableInfo, live: Any) -> list[Any]:
    if info.live_positions is None:
        return list(live[: len(info.columns)])
    full: list[Any] = [None] * len(info.columns)
    for value, column in zip(live, info.live_columns, strict=False):
        full[column.attnum - 1] = value
    return full


def _statement_ctes(planner: Planner, node: Any) -> None:
    """The WITH of an INSERT, UPDATE or DELETE (a nested one is planned once, by its own
    statement's planner call)."""
    if node.HasField("with_clause"):
        planner.bind_statement_ctes(node.with_clause)


def _run_modifying_ctes_first(planned: Planned, ctes: list[PlanNode]) -> None:
    """A statement with INSERT/UPDATE/DELETE in its WITH runs each of them exactly once,
    first, whether or not the statement reads its RETURNING rows (as PostgreSQL does)."""
    statement_run = planned.run

    async def run(session: Any, ctx: Any) -> StatementResult:
        for cte in ctes:
            await cte.rows(ctx)
        return await statement_run(session, ctx)

    planned.run = run


# ---------------------------------------------------------------- INSERT
def _plan_insert(planner: Planner, node: Any, catalog: Catalog) -> Planned:
    info = _target_table(planner, node.relation, catalog, node, "a")
    alias = node.relation.alias.aliasname if node.relation.HasField("alias") else info.name
    _statement_ctes(planner, node)
    targets = []
    for target in node.cols:
        name = target.res_target.name
        column = info.by_name.get(name)
        if column is None:
            raise TideError(
                f'column "{name}" of relation "{info.name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_COLUMN,
            )
        targets.append(column)
    if not targets:
        targets = list(info.live_columns)
    defaults = _default_exprs(planner, info)
    # OVERRIDING USER VALUE: values given for identity columns are ignored.
    ignored = (
        {c.attnum for c in targets if c.identity}
        if node.override == pb.OVERRIDING_USER_VALUE
        else set()
    )
    # GENERATED ALWAYS columns take a value only with OVERRIDING SYSTEM VALUE.
    always = [c for c in targets if c.identity == "a" and node.override == pb.OVERRIDING_NOT_SET]
    source_rows: list[list[Any]] | None = None  # compiled per column, None = DEFAULT
    source_applies: list[PlanNode | None] = []
    source_plan: PlanNode | None = None
    select = node.select_stmt.select_stmt if node.HasField("select_stmt") else None
    if select is None:
        source_rows = [[None] * len(targets)]
        source_applies = [None]
    elif (
        len(select.values_lists)
        and not len(select.sort_clause)
        and not select.HasField("limit_count")
    ):
        source_rows = []
        for values in select.values_lists:
            context = BindContext(Scope(), "VALUES")
            items = values.list.items
            if len(items) > len(targets):
                raise TideError(
                    "INSERT has more expressions than target columns",
                    sqlstate=sqlstates.SYNTAX_ERROR,
                )
            if len(items) < len(targets) and len(node.cols):
                raise TideError(
                    "INSERT has more target columns than expressions",
                    sqlstate=sqlstates.SYNTAX_ERROR,
                )
            bound: list[Expr | None] = []
            for item, column in zip(items, targets, strict=False):
                if node_kind(item)[0] == "set_to_default":
                    bound.append(None)
                    continue
                if column in always:
                    raise _generated_always(column)
                expr = planner.bind(item, context)
                bound.append(
                    planner.coerce(expr, column.sql_type, column.name, context="assignment")
                )
            bound += [None] * (len(targets) - len(bound))
            source_applies.append(_standalone_apply(planner, context))
            source_rows.append([None if e is None else e.compile() for e in bound])
    else:
        if always:
            raise _generated_always(always[0])
        query = planner.plan_select(select)
        if len(query.columns) > len(targets):
            raise TideError(
                "INSERT has more expressions than target columns", sqlstate=sqlstates.SYNTAX_ERROR
            )
        casts = []
        for i, (column_out, column) in enumerate(zip(query.columns, targets, strict=False)):
            expr = planner.coerce(
                ColumnRef(i, column_out.type), column.sql_type, column.name, context="assignment"
            )
            casts.append(expr.compile())
        source_plan = query.plan
        source_casts = casts
    checks = _compile_checks(planner, info)
    returning = _returning(planner, info, alias, node.returning_list)
    conflict = (
        _plan_on_conflict(planner, info, alias, node)
        if node.HasField("on_conflict_clause")
        else None
    )
    target_attnums = [c.attnum for c in targets]
    width = len(info.columns)

    async def run(session: Any, ctx: Any) -> StatementResult:
        env = ctx.env
        writer = TableWriter(info, ctx, checks)
        if source_plan is not None:
            produced = await source_plan.rows(ctx)
            rows = [[f(r, env) for f in source_casts] for r in produced]
            explicit = [[True] * len(source_casts)] * len(rows)
        else:
            assert source_rows is not None
            rows = []
            for compiled, apply in zip(source_rows, source_applies, strict=True):
                extra = (await apply.rows(ctx))[0] if apply is not None else ()
                rows.append([None if f is None else f(extra, env) for f in compiled])
            explicit = [[f is not None for f in compiled] for compiled in source_rows]
        out = []
        count = 0
        for values, given in zip(rows, explicit, strict=True):
            full: list[Any] = [None] * width
            assigned = set()
            for attnum, value, is_given in zip(target_attnums, values, given, strict=False):
                if is_given and attnum not in ignored:
                    full[attnum - 1] = value
                    assigned.add(attnum)
            for attnum, default in defaults.items():
                if attnum not in assigned:
                    full[attnum - 1] = await default.value(ctx)
            if conflict is not None:
                existing_key = await writer.conflicting_key(full, conflict.arbiters)
                if existing_key is not None:
                    if conflict.action == "nothing":
                        continue
                    stored = await ctx.txn.get(existing_key)
                    assert stored is not None
                    old_full = info.codec.decode(stored)
                    combined = old_full + full
                    if conflict.where is not None and not conflict.where(combined, env):
                        continue
                    new_full = list(old_full)
                    for attnum, setter in conflict.sets:
                        new_full[attnum - 1] = setter(combined, env)
                    await writer.update(existing_key, old_full, new_full)
                    count += 1
                    if returning is not None:
                        out.append(_project_returning(returning, new_full, env))
                    continue
            await writer.insert(full)
            count += 1
            if returning is not None:
                out.append(_project_returning(returning, full, env))
        return StatementResult(f"INSERT 0 {count}", None, out)

    return Planned(
        "insert",
        None,
        returning[1] if returning else None,
        planner.param_types,
        catalog.version,
        run,
    )


@dataclass
class _Conflict:
    action: str
    arbiters: list[Any] | None
    sets: list[tuple[int, Any]]
    where: Any


def _plan_on_conflict(planner: Planner, info: TableInfo, alias: str, node: Any) -> _Conflict:
    clause = node.on_conflict_clause
    arbiters = None
    if clause.HasField("infer"):
        infer = clause.infer
        if infer.conname:
            arbiters = [i for i in info.table.indexes if i.name == infer.conname]
            if not arbiters:
                raise TideError(
                    f'constraint "{infer.conname}" for table "{info.name}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_OBJECT,
                )
        else:
            names = []
            for element in infer.index_elems:
                names.append(element.index_elem.name)
            attnums = sorted(info.by_name[n].attnum for n in names if n in info.by_name)
            arbiters = [
                i
                for i in info.table.indexes
                if (i.unique or i.is_primary) and i.plain and sorted(i.columns) == attnums
            ]
            if not arbiters:
                raise TideError(
                    "there is no unique or exclusion constraint matching the "
                    "ON CONFLICT specification",
                    sqlstate=sqlstates.INVALID_COLUMN_REFERENCE,
                )
    if clause.action == pb.ONCONFLICT_NOTHING:
        return _Conflict("nothing", arbiters, [], None)
    if arbiters is None:
        raise TideError(
            "ON CONFLICT DO UPDATE requires inference specification or constraint name",
            sqlstate=sqlstates.SYNTAX_ERROR,
            hint="For example, ON CONFLICT (column_name).",
        )
    width = len(info.columns)
    items = [
        ScopeItem(alias, c.name, c.sql_type, c.attnum - 1, info.oid, c.attnum)
        for c in info.live_columns
    ]
    items += [
        ScopeItem("excluded", c.name, c.sql_type, width + c.attnum - 1, info.oid, c.attnum)
        for c in info.live_columns
    ]
    scope = Scope(items)
    context = BindContext(scope, "ON CONFLICT")
    sets = []
    for target in clause.target_list:
        res = target.res_target
        column = info.by_name.get(res.name)
        if column is None:
            raise TideError(
                f'column "{res.name}" of relation "{info.name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_COLUMN,
            )
        expr = planner.coerce(
            planner.bind(res.val, context), column.sql_type, column.name, context="assignment"
        )
        sets.append((column.attnum, expr.compile()))
    where = None
    if clause.HasField("where_clause"):
        where = compile_predicate(
            planner.coerce_bool(planner.bind(clause.where_clause, context), "WHERE")
        )
    return _Conflict("update", arbiters, sets, where)


# ---------------------------------------------------------------- UPDATE and DELETE
def _scan_for_change(
    planner: Planner, node: Any, catalog: Catalog, info: TableInfo, extra_from: Any
) -> tuple[PlanNode, Scope, int]:
    """Plan the rows to change: the target table (with keys) joined to FROM/USING items."""
    planner.want_keys = {info.oid}
    scope = Scope()
    # Scanning the target to find its rows is not a read: _target_table decided whether
    # the statement needs SELECT on it (WHERE, RETURNING).
    needed = planner.privileges_needed.get(info.oid)
    plan = planner._range_var(node.relation, scope)
    if needed is not None:
        planner.privileges_needed[info.oid] = needed
    for item in extra_from:
        other = planner._from_item(item, scope)
        plan = planner._cross(plan, other, scope)
    context = BindContext(scope, "WHERE")
    conjuncts: list[Expr] = []
    if node.HasField("where_clause"):
        from tidesql.sql.planner import split_conjuncts

        conjuncts = split_conjuncts(
            planner.coerce_bool(planner.bind(node.where_clause, context), "WHERE")
        )
    plan = planner._apply_where(plan, scope, conjuncts, context)
    plan = planner.choose_lookup_joins(plan)
    return plan, scope, len(info.live_columns)


def _plan_update(planner: Planner, node: Any, catalog: Catalog) -> Planned:
    info = _target_table(planner, node.relation, catalog, node, "w")
    alias = node.relation.alias.aliasname if node.relation.HasField("alias") else info.name
    _statement_ctes(planner, node)
    plan, scope, live_width = _scan_for_change(planner, node, catalog, info, node.from_clause)
    context = BindContext(scope, "UPDATE")
    sets = []
    for target in node.target_list:
        res = target.res_target
        column = info.by_name.get(res.name)
        if column is None:
            raise TideError(
                f'column "{res.name}" of relation "{info.name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_COLUMN,
            )
        if len(res.indirection):
            raise TideError(
                "assigning to subfields or array elements is not supported",
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            )
        if node_kind(res.val)[0] == "set_to_default":
            default = _column_default(planner, info, column, context)
            expr: Expr = default if default is not None else Const(None, column.sql_type)
        else:
            if column.identity == "a":
                raise _generated_always(column, updating=True)
            expr = planner.bind(res.val, context)
        expr = planner.coerce(expr, column.sql_type, column.name, context="assignment")
        sets.append((column.attnum, expr))
    if context.subqueries:
        plan = planner._place_subqueries(plan, scope.width, context.subqueries)
    compiled_sets = [(attnum, e.compile()) for attnum, e in sets]
    checks = _compile_checks(planner, info)
    returning = _returning(planner, info, alias, node.returning_list)
    key_index = live_width  # the target table comes first in the scope; its key follows its columns

    async def run(session: Any, ctx: Any) -> StatementResult:
        env = ctx.env
        writer = TableWriter(info, ctx, checks)
        rows = await plan.rows(ctx)
        seen: set[bytes] = set()
        out = []
        count = 0
        for row in rows:
            key = row[key_index]
            if key in seen:
                continue
            seen.add(key)
            old = _to_full(info, row[:live_width])
            new = list(old)
            for attnum, setter in compiled_sets:
                new[attnum - 1] = setter(row, env)
            await writer.update(key, old, new)
            count += 1
            if returning is not None:
                out.append(_project_returning(returning, new, env))
        return StatementResult(f"UPDATE {count}", None, out)

    return Planned(
        "update",
        plan,
        returning[1] if returning else None,
        planner.param_types,
        catalog.version,
        run,
    )


def _plan_delete(planner: Planner, node: Any, catalog: Catalog) -> Planned:
    info = _target_table(planner, node.relation, catalog, node, "d")
    alias = node.relation.alias.aliasname if node.relation.HasField("alias") else info.name
    _statement_ctes(planner, node)
    plan, _scope, live_width = _scan_for_change(planner, node, catalog, info, node.using_clause)
    returning = _returning(planner, info, alias, node.returning_list)

    async def run(session: Any, ctx: Any) -> StatementResult:
        env = ctx.env
        writer = TableWriter(info, ctx, [])
        rows = await plan.rows(ctx)
        seen: set[bytes] = set()
        out = []
        for row in rows:
            key = row[live_width]
            if key in seen:
                continue
            seen.add(key)
            old = _to_full(info, row[:live_width])
            await writer.delete(key, old)
            if returning is not None:
                out.append(_project_returning(returning, old, env))
        return StatementResult(f"DELETE {len(seen)}", None, out)

    return Planned(
        "delete",
        plan,
        returning[1] if returning else None,
        planner.param_types,
        catalog.version,
        run,
    )


PLANNERS: dict[str, Callable[[Planner, Any, Catalog], Planned]] = {
    "select_stmt": _plan_select,
    "insert_stmt": _plan_insert,
    "update_stmt": _plan_update,
    "delete_stmt": _plan_delete,
}


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
    ctx.locking = None  # type: ignore[attr-defined]
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


async def _transaction(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    node = statement.node
    kind = node.kind
    if kind in (pb.TRANS_STMT_BEGIN, pb.TRANS_STMT_START):
        isolation = _isolation_option(session, node.options)
        read_only = _read_only_option(node.options)
        if session.in_block:
            return StatementResult(
                "BEGIN", notices=[_notice("25001", "there is already a transaction in progress")]
            )
        if read_only is None:
            read_only = session.settings["default_transaction_read_only"] == "on"
        session.in_block = True
        session.block_isolation = isolation
        session.block_read_only = read_only
        return StatementResult("BEGIN")
    if kind in (pb.TRANS_STMT_COMMIT,):
        if not session.in_block:
            return StatementResult(
                "COMMIT", notices=[_notice("25P01", "there is no transaction in progress")]
            )
        before = session.reported_values()
        if session.failed:
            session._rollback()
            return StatementResult("ROLLBACK", parameter_status=_changed(session, before))
        await session._commit()
        return StatementResult("COMMIT", parameter_status=_changed(session, before))
    if kind in (pb.TRANS_STMT_ROLLBACK,):
        if not session.in_block:
            session._rollback()
            return StatementResult(
                "ROLLBACK", notices=[_notice("25P01", "there is no transaction in progress")]
            )
        before = session.reported_values()
        session._rollback()
        return StatementResult("ROLLBACK", parameter_status=_changed(session, before))
    if kind in (pb.TRANS_STMT_SAVEPOINT, pb.TRANS_STMT_RELEASE, pb.TRANS_STMT_ROLLBACK_TO):
        if session.engine.mode == "dsql":
            raise TideError("SAVEPOINT is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)
        name = node.savepoint_name
        if kind == pb.TRANS_STMT_SAVEPOINT:
            await session.savepoint(name)
            return StatementResult("SAVEPOINT")
        if kind == pb.TRANS_STMT_RELEASE:
            session.release_savepoint(name)
            return StatementResult("RELEASE")
        return StatementResult("ROLLBACK", parameter_status=session.rollback_to_savepoint(name))
    raise TideError(
        "this transaction command is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
    )


def _changed(session: Any, before: dict[str, str]) -> dict[str, str]:
    """Reported settings whose value the end of a block changed (SET LOCAL reverting, or
    a ROLLBACK undoing a SET): PostgreSQL sends ParameterStatus for them."""
    after: dict[str, str] = session.reported_values()
    return {name: value for name, value in after.items() if before.get(name) != value}


def _notice(code: str, message: str) -> Any:
    from tidesql.sql.result import Notice

    return Notice("WARNING", code, message)


def _isolation_option(session: Any, options: Any) -> Isolation | None:
    isolation = None
    for option in options:
        element = option.def_elem
        if element.defname == "transaction_isolation":
            level = node_kind(element.arg)[1].sval.sval.lower()
            isolation = check_isolation(session, level)
    return isolation


def _read_only_option(options: Any) -> bool | None:
    """READ ONLY → True, READ WRITE → False, neither → None (the last one given wins)."""
    read_only = None
    for option in options:
        element = option.def_elem
        if element.defname == "transaction_read_only":
            read_only = bool(node_kind(element.arg)[1].ival.ival)
    return read_only


def set_transaction_read_only(session: Any, read_only: bool) -> None:
    """SET TRANSACTION READ ONLY / READ WRITE, or SET transaction_read_only: the current
    block's access mode (outside a block the statement's own transaction ends at once)."""
    transaction = session.transaction
    if not read_only and transaction is not None and transaction.read_only:
        # The transaction has already run a statement (it is opened lazily).
        raise TideError(
            "transaction read-write mode must be set before any query",
            sqlstate=sqlstates.ACTIVE_SQL_TRANSACTION,
        )
    if transaction is not None:
        transaction.read_only = read_only
    if session.in_block:
        session.block_read_only = read_only


def check_isolation(session: Any, level: str) -> Isolation:
    from tidesql.sql.session import ISOLATION_NAMES

    if session.engine.mode == "dsql" and level != "repeatable read":
        raise dsql.isolation_refusal(level)
    return ISOLATION_NAMES[level]


async def _set(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    node = statement.node
    kind = node.kind
    name = node.name.lower()
    if session.engine.mode == "dsql":
        _check_dsql_set(session, node, name)
    if kind == pb.VAR_SET_MULTI:
        if name in ("transaction", "session characteristics"):
            level = _isolation_option(session, node.args)
            read_only = _read_only_option(node.args)
            if read_only is not None:
                if name == "transaction":
                    set_transaction_read_only(session, read_only)
                else:
                    session.settings["default_transaction_read_only"] = "on" if read_only else "off"
            if level is not None:
                if name == "transaction":
                    if (
                        session.transaction is not None
                        and session.transaction.core.state.read_keys is None
                    ):
                        pass
                    session.block_isolation = level
                else:
                    session.settings["default_transaction_isolation"] = level.value
            return StatementResult("SET")
        raise TideError(f"SET {name} is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)
    if kind in (pb.VAR_RESET, pb.VAR_SET_DEFAULT):
        from tidesql.sql.session import DEFAULT_SETTINGS

        session.get_setting(name)
        reported = session.set_setting(name, DEFAULT_SETTINGS.get(name, ""), local=node.is_local)
        return StatementResult(
            "RESET" if kind == pb.VAR_RESET else "SET", parameter_status=reported
        )
    if kind == pb.VAR_RESET_ALL:
        from tidesql.sql.session import DEFAULT_SETTINGS

        reported = {}
        for setting, value in DEFAULT_SETTINGS.items():
            if setting not in (
                "server_version",
                "server_version_num",
                "server_encoding",
                "integer_datetimes",
                "max_identifier_length",
                "is_superuser",
                "in_hot_standby",
                "session_authorization",
                "transaction_read_only",
            ):
                reported.update(session.set_setting(setting, value))
        return StatementResult("RESET", parameter_status=reported)
    values = []
    for arg in node.args:
        arg_kind, arg_value = node_kind(arg)
        if arg_kind == "a_const":
            which = arg_value.WhichOneof("val")
            if which == "sval":
                values.append(arg_value.sval.sval)
            elif which == "ival":
                values.append(str(arg_value.ival.ival))
            elif which == "fval":
                values.append(arg_value.fval.fval)
            elif which == "boolval":
                values.append("on" if arg_value.boolval.boolval else "off")
        elif arg_kind == "type_cast":
            inner = node_kind(arg_value.arg)[1]
            values.append(
                inner.sval.sval if inner.WhichOneof("val") == "sval" else str(inner.ival.ival)
            )
        else:
            raise TideError("unsupported SET value", sqlstate=sqlstates.SYNTAX_ERROR)
    value = ", ".join(values)
    if name == "timezone" and node.args and not values:
        value = "UTC"
    reported = session.set_setting(name, value, local=node.is_local)
    return StatementResult("SET", parameter_status=reported)


def _check_dsql_set(session: Any, node: Any, name: str) -> None:
    """DSQL fixes the isolation level: SET TRANSACTION … and SET of the isolation settings
    are refused, a level other than REPEATABLE READ with its own message."""
    if node.kind == pb.VAR_SET_MULTI and name in (
        "transaction",
        "session characteristics",
    ):
        _isolation_option(session, node.args)  # "Unsupported isolation level: …" first
        raise dsql.setting_refusal("TRANSACTION")
    if name in dsql.FIXED_SETTINGS and node.kind in (pb.VAR_SET_VALUE, pb.VAR_SET_CURRENT):
        raise dsql.setting_refusal(name)


async def _show(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    name = statement.node.name.lower()
    if name == "all":
        rows: list[tuple[object, ...]] = [
            (k, session.get_setting(k), "") for k in sorted(session.settings)
        ]
        return StatementResult(
            "SHOW",
            [Column("name", T.TEXT), Column("setting", T.TEXT), Column("description", T.TEXT)],
            rows,
        )
    if name == "transaction isolation level":
        name = "transaction_isolation"
    if name == "transaction_isolation":
        level = session.block_isolation
        if session.transaction is not None:
            level = session.transaction.core.state.isolation
        value = (
            level.value if level is not None else session.settings["default_transaction_isolation"]
        )
        return StatementResult("SHOW", [Column(name, T.TEXT)], [(value,)])
    value = session.get_setting(name)
    display = (
        name
        if name not in ("timezone", "datestyle", "intervalstyle")
        else {"timezone": "TimeZone", "datestyle": "DateStyle", "intervalstyle": "IntervalStyle"}[
            name
        ]
    )
    return StatementResult("SHOW", [Column(display, T.TEXT)], [(value,)])


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


HANDLERS: dict[str, Handler] = {
    "select_stmt": _select,
    "insert_stmt": _run_planned,
    "update_stmt": _run_planned,
    "delete_stmt": _run_planned,
    "transaction_stmt": _transaction,
    "variable_set_stmt": _set,
    "variable_show_stmt": _show,
    "explain_stmt": _explain,
    "discard_stmt": _discard,
    "deallocate_stmt": _deallocate,
    "copy_stmt": _copy,
    "create_role_stmt": _roles,
    "alter_role_stmt": _roles,
    "drop_role_stmt": _roles,
    "grant_role_stmt": _grant_role,
    "close_portal_stmt": _close_all_or_unlisten,
    "unlisten_stmt": _close_all_or_unlisten,
    "vacuum_stmt": _vacuum_or_analyze,
    "constraints_set_stmt": set_constraints,
}
for _kind in (
    "create_domain_stmt",
    "create_function_stmt",
    "create_stmt",
    "index_stmt",
    "drop_stmt",
    "alter_table_stmt",
    "rename_stmt",
    "view_stmt",
    "create_schema_stmt",
    "truncate_stmt",
    "create_seq_stmt",
    "alter_seq_stmt",
    "alter_object_schema_stmt",
    "grant_stmt",
    "comment_stmt",
):
    HANDLERS[_kind] = _ddl
