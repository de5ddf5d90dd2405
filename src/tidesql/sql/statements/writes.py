"""INSERT, UPDATE and DELETE planning: target tables, defaults, CHECKs, ON CONFLICT,
RETURNING, the scan that finds the rows to change and data-modifying CTEs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.catalog import Catalog, TableInfo
from tidesql.sql.dml import TableWriter
from tidesql.sql.expr import ColumnRef, Const, Expr, compile_predicate
from tidesql.sql.parser import parse
from tidesql.sql.plan import OutputColumn, PlanNode
from tidesql.sql.planner import (
    BindContext,
    Planner,
    Scope,
    ScopeItem,
    node_kind,
)
from tidesql.sql.result import StatementResult
from tidesql.sql.statements.planned import Planned


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
