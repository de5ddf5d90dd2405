"""Binder and planner: PostgreSQL parse trees → bound expressions → physical plans.

One pass does both jobs, query block by query block:

1. ``FROM`` becomes a tree of scans and joins, and a *scope*: the columns of the joined
   row, each with its table alias, name, type and position.
2. ``WHERE`` is bound against the scope and split into conjuncts. A conjunct that only
   touches one base table is pushed into that table's scan; equalities and ranges on
   the primary key become key bounds (a point lookup when the whole key is fixed), and
   equalities on a secondary index's leading columns become an index lookup. An
   equality between two joined tables becomes a hash-join key.
3. Aggregates and ``GROUP BY`` produce rows of (group values…, aggregate results…);
   the select list, ``HAVING`` and ``ORDER BY`` are rewritten to read those slots.
4. Window functions append their values to each row.
5. The select list is projected (with hidden extra columns for ``ORDER BY``), then
   ``DISTINCT``, sort, ``LIMIT``/``OFFSET``, and a last projection drops hidden columns.

Subqueries in expressions become ``Apply`` nodes under the operator that evaluates the
expression; a correlated subquery sees the outer row through ``env.outer``.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import aggregates as A
from tidesql.sql import functions as F
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.catalog import Catalog, TableDef, TableInfo
from tidesql.sql.expr import (
    AnyAll,
    ArrayExpr,
    BoolOp,
    Call,
    Case,
    Cast,
    Coalesce,
    ColumnRef,
    Const,
    EnvValue,
    Expr,
    InList,
    IsBool,
    IsNull,
    OuterRef,
    Param,
    SlotRef,
    Subscript,
    compile_predicate,
)
from tidesql.sql.setfunctions import NAMES as SET_RETURNING


def undefined_column(name: str) -> TideError:
    return TideError(f'column "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_COLUMN)


def feature_not_supported(message: str) -> TideError:
    return TideError(message, sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)


def node_kind(node: Any) -> tuple[str, Any]:
    kind = node.WhichOneof("node")
    if kind is None:
        return "", None
    return kind, getattr(node, kind)


def string_values(nodes: Any) -> list[str]:
    out = []
    for node in nodes:
        kind, value = node_kind(node)
        if kind == "string":
            out.append(value.sval)
        elif kind == "a_star":
            out.append("*")
    return out


# ---------------------------------------------------------------- scopes
@dataclass
class ScopeItem:
    alias: str
    name: str
    type: T.SqlType
    index: int
    table_oid: int = 0
    attnum: int = 0
    hidden: bool = False  # columns merged away by JOIN … USING stay addressable by alias only


@dataclass
class Scope:
    items: list[ScopeItem] = field(default_factory=list)
    parent: Scope | None = None
    ctes: dict[str, CteDef] = field(default_factory=dict)
    # Base tables of this FROM: alias → (TableInfo, offset in the joined row)
    bases: dict[str, tuple[TableInfo, int]] = field(default_factory=dict)
    # Virtual tables (pg_catalog…) of this FROM: alias → offset; WHERE filters them early.
    virtuals: dict[str, int] = field(default_factory=dict)
    nullable: set[str] = field(default_factory=set)
    #: Only carries CTEs down to a nested query: not a query level of its own, so it
    #: does not count in an outer reference's level.
    transparent: bool = False

    @property
    def width(self) -> int:
        return len(self.items)

    def lookup(self, name: str, alias: str | None) -> ScopeItem | None:
        found = [
            item
            for item in self.items
            if item.name == name
            and ((alias is None and not item.hidden) or (alias is not None and item.alias == alias))
        ]
        if len(found) > 1:
            raise TideError(
                f'column reference "{name}" is ambiguous', sqlstate=sqlstates.AMBIGUOUS_COLUMN
            )
        return found[0] if found else None

    def has_alias(self, alias: str) -> bool:
        return any(item.alias == alias for item in self.items)

    def find_cte(self, name: str) -> CteDef | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.ctes:
                return scope.ctes[name]
            scope = scope.parent
        return None


@dataclass
class CteDef:
    name: str
    plan: P.PlanNode | None
    columns: list[P.OutputColumn]
    recursive_owner: list[Any] | None = None  # set while planning the recursive part
    #: An INSERT/UPDATE/DELETE without RETURNING: it runs, but cannot be read.
    unreadable: bool = False


@dataclass
class QueryPlan:
    plan: P.PlanNode
    columns: list[P.OutputColumn]


@dataclass
class SubqueryMarker:
    """A subquery found while binding an expression, to be placed by an Apply node."""

    plan: P.PlanNode
    kind: str
    correlated: bool
    slot: SlotRef


class BindContext:
    """Per-query-block binding state: which clause, the aggregates and windows found."""

    def __init__(self, scope: Scope, clause: str = "") -> None:
        self.scope = scope
        self.clause = clause
        self.aggregates: list[tuple[SlotRef, Any]] = []
        self.windows: list[tuple[SlotRef, Any]] = []
        self.subqueries: list[SubqueryMarker] = []
        #: Set-returning functions of the select list: (slot, function, arguments).
        self.set_functions: list[tuple[SlotRef, Any, list[Expr]]] = []
        self.allow_aggregates = False
        self.allow_windows = False
        self.correlated = False


# ---------------------------------------------------------------- the planner
class Planner:
    def __init__(
        self,
        catalog: Catalog,
        search_path: list[str],
        param_types: list[T.SqlType] | None = None,
        *,
        virtual_tables: Any = None,
    ) -> None:
        self.catalog = catalog
        self.search_path = search_path
        self.param_types: list[T.SqlType] = list(param_types or [])
        self.virtual_tables = virtual_tables
        self.tables_read: set[int] = set()
        #: Table oid → the privileges the statement needs on it (privileges.check).
        self.privileges_needed: dict[int, str] = {}
        self.has_volatile = False
        #: SELECT … FOR …: the tables locked, with the strongest strength asked of each.
        self.lock_targets: list[TableInfo] = []
        self.lock_strengths: dict[int, int] = {}
        self.want_keys: set[int] = set()
        #: WITH of an INSERT/UPDATE/DELETE statement, seen by every query inside it.
        self.statement_ctes: dict[str, CteDef] = {}
        #: INSERT/UPDATE/DELETE inside WITH: the statement runs each once, before itself.
        self.modifying_ctes: list[P.PlanNode] = []
        self.window_definitions: dict[str, Any] = {}
        self._placed: set[str] = set()
        self.outer_refs_created = 0
        self.inline_depth = 0  # SQL functions being inlined (sqlfunctions.py)
        self.inline_args: dict[int, tuple[Any, Any]] = {}
        self.inline_arg_count = 0

    # ------------------------------------------------------------ entry points
    def plan_select(self, stmt: Any, parent: Scope | None = None) -> QueryPlan:
        return self._select(stmt, parent)

    def bind_standalone(self, node: Any, scope: Scope | None = None, clause: str = "") -> Expr:
        context = BindContext(scope or Scope(), clause)
        expr = self.bind(node, context)
        if context.subqueries:
            raise feature_not_supported(f"subqueries are not supported in {clause or 'this place'}")
        return expr

    # ------------------------------------------------------------ SELECT
    def _select(self, stmt: Any, parent: Scope | None) -> QueryPlan:
        scope = Scope(parent=parent)
        if stmt.HasField("with_clause"):
            self._bind_ctes(stmt.with_clause, scope)
        if stmt.op != pb.SETOP_NONE:
            return self._set_operation(stmt, scope)
        if len(stmt.values_lists):
            result = self._values(stmt.values_lists, scope)
            return self._order_limit(result, stmt, scope)
        plan = self._from(stmt.from_clause, scope) if len(stmt.from_clause) else P.Result()
        where_conjuncts: list[Expr] = []
        context = BindContext(scope, "WHERE")
        if stmt.HasField("where_clause"):
            where = self.coerce_bool(self.bind(stmt.where_clause, context), "WHERE")
            where_conjuncts = split_conjuncts(where)
        plan = self._apply_where(plan, scope, where_conjuncts, context)
        plan = self.choose_lookup_joins(plan)
        if len(stmt.locking_clause):
            self._locking(stmt.locking_clause, scope)
        plan, stmt = self._select_list_srfs(stmt, plan, scope)
        return self._finish_select(stmt, plan, scope)

    def _locking(self, clauses: Any, scope: Scope) -> None:
        for clause in clauses:
            strength = clause.locking_clause.strength
            if strength not in (
                pb.LCS_FORUPDATE,
                pb.LCS_FORNOKEYUPDATE,
                pb.LCS_FORSHARE,
                pb.LCS_FORKEYSHARE,
            ):
                continue
            for info, _offset in scope.bases.values():
                self.lock_targets.append(info)
                # The protobuf enum orders the strengths weakest first.
                self.lock_strengths[info.oid] = max(self.lock_strengths.get(info.oid, 0), strength)

    def _select_list_srfs(
        self, stmt: Any, plan: P.PlanNode, scope: Scope
    ) -> tuple[P.PlanNode, Any]:
        """``SELECT generate_series(1, 3)``: a set-returning function at the top of a select
        item runs as a LATERAL function scan, and the item reads its column. The parse
        tree is shared (parse cache), so the rewrite works on a copy."""
        from tidesql.sql.setfunctions import SET_RETURNING

        def is_srf(node: Any) -> bool:
            kind, call = node_kind(node.res_target.val)
            return kind == "func_call" and string_values(call.funcname)[-1] in SET_RETURNING

        if not any(is_srf(node) for node in stmt.target_list):
            return plan, stmt
        original = stmt
        stmt = pb.SelectStmt()
        stmt.CopyFrom(original)
        left_width = scope.width
        scans: list[P.PlanNode] = []
        for position, node in enumerate(stmt.target_list):
            if not is_srf(node):
                continue
            target = node.res_target
            call = target.val.func_call
            name = string_values(call.funcname)[-1]
            wrapper = pb.Node()
            function = wrapper.range_function
            function.lateral = True
            function.functions.add().list.items.add().func_call.CopyFrom(call)
            alias = f"\0srf{position}"
            function.alias.aliasname = alias
            scans.append(self._range_function(function, scope))
            target.ClearField("val")
            column_ref = target.val.column_ref
            column_ref.fields.add().string.sval = alias
            column_ref.fields.add().string.sval = alias
            if not target.name:
                target.name = name
        # Several set-returning functions in one select list advance in lockstep, the
        # shorter ones padded with NULLs, as in PostgreSQL 10 and later.
        right = (
            scans[0]
            if len(scans) == 1
            else P.ZipScan(scans, [c for scan in scans for c in scan.columns])
        )
        plan = P.LateralJoin(plan, right, list(plan.columns) + list(right.columns), left_width)
        return plan, stmt

    def _finish_select(self, stmt: Any, plan: P.PlanNode, scope: Scope) -> QueryPlan:
        self.window_definitions = {w.window_def.name: w.window_def for w in stmt.window_clause}
        context = BindContext(scope, "SELECT")
        context.allow_aggregates = True
        context.allow_windows = True
        targets = self._targets(stmt.target_list, context)
        group_exprs: list[Expr] = []
        if len(stmt.group_clause):
            group_context = BindContext(scope, "GROUP BY")
            for node in stmt.group_clause:
                group_exprs.append(self._group_item(node, targets, group_context))
        having: Expr | None = None
        if stmt.HasField("having_clause"):
            having_context = context
            context.clause = "HAVING"
            having = self.coerce_bool(self.bind(stmt.having_clause, having_context), "HAVING")
        order_items = self._order_items(stmt.sort_clause, targets, context)
        distinct_on: list[Expr] | None = None
        if len(stmt.distinct_clause):
            first = stmt.distinct_clause[0]
            if node_kind(first)[0]:
                distinct_on = [
                    self._order_target(n, targets, context) for n in stmt.distinct_clause
                ]
        # Subqueries in the select list, HAVING and ORDER BY are evaluated per input row.
        if context.subqueries and not (context.aggregates or group_exprs):
            plan = self._place_subqueries(plan, scope.width, context.subqueries)
            context.subqueries = []
        aggregated = bool(context.aggregates or group_exprs or having is not None)
        if context.set_functions:
            if aggregated:
                raise feature_not_supported(
                    "set-returning functions in a select list with aggregates are not supported"
                )
            plan = self._place_set_functions(plan, context.set_functions)
        if aggregated:
            plan, width = self._aggregate(
                plan, scope, group_exprs, context, targets, having, order_items, distinct_on
            )
            having_expr = self._after_group(having, group_exprs, context) if having else None
            targets = [
                (name, self._after_group(e, group_exprs, context), origin)
                for name, e, origin in targets
            ]
            order_items = [
                (self._after_group(e, group_exprs, context), d, n) for e, d, n in order_items
            ]
            if distinct_on is not None:
                distinct_on = [self._after_group(e, group_exprs, context) for e in distinct_on]
            if context.subqueries:
                plan = self._place_subqueries(plan, width, context.subqueries)
                width += len(context.subqueries)
                context.subqueries = []
            if having_expr is not None:
                predicate = compile_predicate(having_expr)
                assert predicate is not None
                plan = P.Filter(plan, predicate, plan.columns, "HAVING")
        else:
            width = scope.width
        if context.windows:
            plan, width = self._window(plan, width, context)
        exprs = [e for _, e, _ in targets]
        visible = len(exprs)
        output = [P.OutputColumn(name, e.type, *origin) for name, e, origin in targets]
        sort_keys = []
        for expr, descending, nulls_first in order_items:
            position = next((i for i, e in enumerate(exprs) if e.key() == expr.key()), None)
            if position is None:
                if stmt.distinct_clause and distinct_on is None:
                    raise TideError(
                        "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                        sqlstate=sqlstates.INVALID_COLUMN_REFERENCE,
                    )
                exprs.append(expr)
                position = len(exprs) - 1
            sort_keys.append((position, descending, nulls_first, exprs[position].type))
        distinct_positions: list[int] = []
        for expr in distinct_on or []:
            position = next((i for i, e in enumerate(exprs) if e.key() == expr.key()), None)
            if position is None:
                exprs.append(expr)
                position = len(exprs) - 1
            distinct_positions.append(position)
        columns = output + [P.OutputColumn("?hidden?", e.type) for e in exprs[visible:]]
        plan = P.Project(plan, [e.compile() for e in exprs], columns)
        if len(stmt.distinct_clause):
            if distinct_on is None:
                plan = P.Distinct(plan, columns)
            else:
                keys = [_slot_compiled(p) for p in distinct_positions]
                # DISTINCT ON keeps the first row of each group in ORDER BY order.
                if sort_keys:
                    plan = P.Sort(plan, self._sort_spec(sort_keys), columns)
                plan = P.Distinct(plan, columns, on=keys)
                sort_keys = []
        if sort_keys:
            plan = P.Sort(
                plan, self._sort_spec(sort_keys), columns, text=_sort_text(sort_keys, columns)
            )
        plan = self._limit(plan, stmt, columns)
        if len(exprs) > visible:
            plan = P.Project(plan, [_slot_compiled(i) for i in range(visible)], output)
        return QueryPlan(plan, output)

    def _sort_spec(self, keys: list[tuple[int, bool, bool, T.SqlType]]):  # type: ignore[no-untyped-def]
        return [(_slot_compiled(p), d, n, T.sort_key(t)) for p, d, n, t in keys]

    def _limit(self, plan: P.PlanNode, stmt: Any, columns: list[P.OutputColumn]) -> P.PlanNode:
        limit = offset = None
        context = BindContext(Scope(), "LIMIT")
        if stmt.HasField("limit_count"):
            expr = self.bind(stmt.limit_count, context)
            if not (isinstance(expr, Const) and expr.value is None):
                limit = self.coerce(expr, T.INT8, "LIMIT").compile()
        if stmt.HasField("limit_offset"):
            offset = self.coerce(self.bind(stmt.limit_offset, context), T.INT8, "OFFSET").compile()
        if limit is None and offset is None:
            return plan
        return P.Limit(plan, limit, offset, columns)

    def _order_limit(self, result: QueryPlan, stmt: Any, scope: Scope) -> QueryPlan:
        """ORDER BY and LIMIT over a set operation or VALUES: by output column."""
        plan = result.plan
        columns = result.columns
        if len(stmt.sort_clause):
            out_scope = Scope(
                [ScopeItem("", c.name, c.type, i) for i, c in enumerate(columns)], scope.parent
            )
            context = BindContext(out_scope, "ORDER BY")
            targets: list[tuple[str, Expr, tuple[int, int]]] = [
                (c.name, ColumnRef(i, c.type, c.name), (0, 0)) for i, c in enumerate(columns)
            ]
            items = self._order_items(stmt.sort_clause, targets, context)
            keys = []
            for expr, descending, nulls_first in items:
                if not isinstance(expr, ColumnRef):
                    raise feature_not_supported(
                        "ORDER BY on a UNION/INTERSECT/EXCEPT result must name a result column"
                    )
                keys.append((expr.index, descending, nulls_first, expr.type))
            plan = P.Sort(plan, self._sort_spec(keys), columns)
        plan = self._limit(plan, stmt, columns)
        return QueryPlan(plan, columns)

    def _targets(
        self, target_list: Any, context: BindContext
    ) -> list[tuple[str, Expr, tuple[int, int]]]:
        scope = context.scope
        out: list[tuple[str, Expr, tuple[int, int]]] = []
        for node in target_list:
            target = node.res_target
            kind, value = node_kind(target.val)
            if kind == "column_ref":
                fields = string_values(value.fields)
                if fields and fields[-1] == "*":
                    alias = fields[-2] if len(fields) >= 2 else None
                    if alias is not None and not scope.has_alias(alias):
                        raise TideError(
                            f'missing FROM-clause entry for table "{alias}"',
                            sqlstate=sqlstates.UNDEFINED_TABLE,
                        )
                    if alias is None and not scope.items:
                        raise TideError(
                            "SELECT * with no tables specified is not valid",
                            sqlstate=sqlstates.SYNTAX_ERROR,
                        )
                    for item in scope.items:
                        if item.hidden and alias is None:
                            continue
                        if alias is None or item.alias == alias:
                            out.append(
                                (
                                    item.name,
                                    ColumnRef(item.index, item.type, item.name, item.alias),
                                    (item.table_oid, item.attnum),
                                )
                            )
                    continue
            expr = self.bind(target.val, context)
            if expr.type.oid == T.UNKNOWN.oid:
                expr = self.coerce(expr, T.TEXT, "SELECT")
            name = target.name or _column_name(target.val)
            origin = (0, 0)
            if isinstance(expr, ColumnRef):
                source = next((i for i in scope.items if i.index == expr.index), None)
                if source is not None:
                    origin = (source.table_oid, source.attnum)
            out.append((name, expr, origin))
        return out

    def _group_item(
        self, node: Any, targets: list[tuple[str, Expr, tuple[int, int]]], context: BindContext
    ) -> Expr:
        return self._order_target(node, targets, context, clause="GROUP BY")

    def _order_target(
        self,
        node: Any,
        targets: list[tuple[str, Expr, tuple[int, int]]],
        context: BindContext,
        clause: str = "ORDER BY",
    ) -> Expr:
        kind, value = node_kind(node)
        if kind == "a_const" and value.WhichOneof("val") == "ival":
            position = value.ival.ival
            if not 1 <= position <= len(targets):
                raise TideError(
                    f"{clause} position {position} is not in select list",
                    sqlstate=sqlstates.INVALID_COLUMN_REFERENCE,
                )
            chosen: Expr = targets[position - 1][1]
            return chosen
        if kind == "column_ref":
            fields = string_values(value.fields)
            # ORDER BY prefers an output column of that name; GROUP BY an input column.
            prefer_output = clause == "ORDER BY" or context.scope.lookup(fields[0], None) is None
            if len(fields) == 1 and prefer_output:
                matches = [e for name, e, _ in targets if name == fields[0]]
                if len(matches) == 1:
                    return matches[0]
        saved = context.clause
        context.clause = clause
        try:
            return self.bind(node, context)
        finally:
            context.clause = saved

    def _order_items(
        self,
        sort_clause: Any,
        targets: list[tuple[str, Expr, tuple[int, int]]],
        context: BindContext,
    ) -> list[tuple[Expr, bool, bool]]:
        items = []
        for node in sort_clause:
            sort_by = node.sort_by
            expr = self._order_target(sort_by.node, targets, context)
            descending = sort_by.sortby_dir == pb.SORTBY_DESC
            if sort_by.sortby_nulls == pb.SORTBY_NULLS_FIRST:
                nulls_first = True
            elif sort_by.sortby_nulls == pb.SORTBY_NULLS_LAST:
                nulls_first = False
            else:
                nulls_first = descending
            items.append((expr, descending, nulls_first))
        return items

    # ------------------------------------------------------------ aggregation
    def _aggregate(
        self,
        plan: P.PlanNode,
        scope: Scope,
        group_exprs: list[Expr],
        context: BindContext,
        targets: Any,
        having: Any,
        order_items: Any,
        distinct_on: Any,
    ) -> tuple[P.PlanNode, int]:
        if context.subqueries:
            # Subqueries inside aggregate arguments are evaluated on input rows.
            plan = self._place_subqueries(plan, scope.width, context.subqueries)
            context.subqueries = []
        specs = []
        for _slot, (aggregate, args, distinct, filter_expr, order, star) in context.aggregates:
            specs.append(
                P.AggregateSpec(
                    aggregate,
                    [a.compile() for a in args],
                    distinct,
                    compile_predicate(filter_expr),
                    [(e.compile(), d, n, T.sort_key(e.type)) for e, d, n in order],
                    star,
                )
            )
        width = len(group_exprs) + len(specs)
        for position, (slot, _) in enumerate(context.aggregates):
            slot.index = len(group_exprs) + position
        columns = [P.OutputColumn("?group?", e.type) for e in group_exprs] + [
            P.OutputColumn("?agg?", slot.type) for slot, _ in context.aggregates
        ]
        node = P.Aggregate(
            plan, [e.compile() for e in group_exprs], specs, columns, scalar=not group_exprs
        )
        return node, width

    def _after_group(self, expr: Expr, group_exprs: list[Expr], context: BindContext) -> Expr:
        """Rewrite an expression over input rows into one over aggregate output rows."""
        keys = {e.key(): i for i, e in enumerate(group_exprs)}

        def rewrite(node: Expr) -> Expr:
            position = keys.get(node.key())
            if position is not None:
                return ColumnRef(position, node.type, getattr(node, "name", "?column?"))
            if isinstance(node, SlotRef):
                return node
            if isinstance(node, ColumnRef):
                raise TideError(
                    f'column "{node.table_alias + "." if node.table_alias else ""}{node.name}" '
                    "must appear in the GROUP BY clause or be used in an aggregate function",
                    sqlstate=sqlstates.GROUPING_ERROR,
                )
            return map_children(node, rewrite)

        return rewrite(expr)

    def _window(self, plan: P.PlanNode, width: int, context: BindContext) -> tuple[P.PlanNode, int]:
        specs = []
        for position, (slot, spec) in enumerate(context.windows):
            slot.index = width + position
            specs.append(spec)
        columns = list(plan.columns) + [
            P.OutputColumn("?window?", s.type) for s, _ in context.windows
        ]
        return P.Window(plan, specs, columns), width + len(specs)

    def _place_set_functions(
        self, plan: P.PlanNode, functions: list[tuple[SlotRef, Any, list[Expr]]]
    ) -> P.PlanNode:
        """SELECT unnest(a), generate_subscripts(a, 1): a ProjectSet appends the
        functions' values, in lock step, after the input row's columns."""
        width = len(plan.columns)
        for position, (slot, _, _) in enumerate(functions):
            slot.index = width + position
        columns = list(plan.columns) + [P.OutputColumn("?srf?", s.type) for s, _, _ in functions]
        specs = [(function, [a.compile() for a in args]) for _, function, args in functions]
        return P.ProjectSet(plan, specs, columns)

    def _place_subqueries(
        self, plan: P.PlanNode, width: int, markers: list[SubqueryMarker]
    ) -> P.PlanNode:
        for position, marker in enumerate(markers):
            marker.slot.index = width + position
        columns = list(plan.columns) + [P.OutputColumn("?subquery?", m.slot.type) for m in markers]
        return P.Apply(plan, [P.SubPlan(m.plan, m.kind, m.correlated) for m in markers], columns)

    # ------------------------------------------------------------ VALUES, set operations, CTEs
    def _values(self, values_lists: Any, scope: Scope) -> QueryPlan:
        context = BindContext(scope, "VALUES")
        rows: list[list[Expr]] = []
        for node in values_lists:
            rows.append([self.bind(item, context) for item in node.list.items])
        if context.subqueries:
            raise feature_not_supported("subqueries in VALUES are not supported")
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise TideError(
                "VALUES lists must all be the same length", sqlstate=sqlstates.SYNTAX_ERROR
            )
        types = []
        for column in range(width):
            column_type = T.common_type([r[column].type for r in rows], "VALUES")
            if column_type.oid == T.UNKNOWN.oid:
                column_type = T.TEXT
            types.append(column_type)
        compiled = [
            [self.coerce(r[c], types[c], "VALUES").compile() for c in range(width)] for r in rows
        ]
        columns = [P.OutputColumn(f"column{i + 1}", t) for i, t in enumerate(types)]
        return QueryPlan(P.ValuesScan(compiled, columns), columns)

    def _set_operation(self, stmt: Any, scope: Scope) -> QueryPlan:
        kind = {
            pb.SETOP_UNION: "union",
            pb.SETOP_INTERSECT: "intersect",
            pb.SETOP_EXCEPT: "except",
        }[stmt.op]
        left = self._select(stmt.larg, scope)
        right = self._select(stmt.rarg, scope)
        if len(left.columns) != len(right.columns):
            raise TideError(
                f"each {kind.upper()} query must have the same number of columns",
                sqlstate=sqlstates.SYNTAX_ERROR,
            )
        types = []
        for a, b in zip(left.columns, right.columns, strict=True):
            common = T.common_type([a.type, b.type], kind.upper())
            types.append(T.TEXT if common.oid == T.UNKNOWN.oid else common)

        def casts(columns: list[P.OutputColumn]) -> list[Any] | None:
            if all(c.type.oid == t.oid for c, t in zip(columns, types, strict=True)):
                return None
            return [
                self.coerce(ColumnRef(i, c.type), t, kind.upper()).compile()
                for i, (c, t) in enumerate(zip(columns, types, strict=True))
            ]

        columns = [P.OutputColumn(c.name, t) for c, t in zip(left.columns, types, strict=True)]
        node = P.SetOperation(
            kind,
            stmt.all,
            left.plan,
            right.plan,
            columns,
            casts(left.columns),
            casts(right.columns),
        )
        return self._order_limit(QueryPlan(node, columns), stmt, scope)

    def _bind_ctes(self, with_clause: Any, scope: Scope) -> None:
        # A CTE runs where its query runs, not per row of it: its body's outer references
        # skip the query's own level (the shared dict lets later CTEs see earlier ones).
        body_parent = Scope(parent=scope.parent, ctes=scope.ctes, transparent=True)
        for node in with_clause.ctes:
            cte = node.common_table_expr
            name = cte.ctename
            query_kind, query = node_kind(cte.ctequery)
            if query_kind in _MODIFYING:
                if scope.parent is not None:
                    raise feature_not_supported(
                        "WITH clause containing a data-modifying statement must be at the top level"
                    )
                scope.ctes[name] = self._modifying_cte(name, query_kind, query, scope.ctes)
                continue
            if query_kind != "select_stmt":
                raise feature_not_supported(f"{query_kind} in WITH is not supported")
            aliases = string_values(cte.aliascolnames)
            if (
                with_clause.recursive
                and query.op == pb.SETOP_UNION
                and self._refers_to(query.rarg, name)
            ):
                anchor = self._select(query.larg, body_parent)
                columns = [
                    P.OutputColumn(aliases[i] if i < len(aliases) else c.name, c.type)
                    for i, c in enumerate(anchor.columns)
                ]
                owner: list[Any] = []
                definition = CteDef(name, None, columns, recursive_owner=owner)
                scope.ctes[name] = definition
                recursive = self._select(query.rarg, body_parent)
                node_plan = P.RecursiveCte(name, anchor.plan, recursive.plan, query.all, columns)
                owner.append(node_plan)
                definition.plan = node_plan
                definition.recursive_owner = None
                continue
            planned = self._select(query, body_parent)
            columns = [
                P.OutputColumn(aliases[i] if i < len(aliases) else c.name, c.type)
                for i, c in enumerate(planned.columns)
            ]
            scope.ctes[name] = CteDef(name, planned.plan, columns)

    def bind_statement_ctes(self, with_clause: Any) -> None:
        """WITH of an INSERT, UPDATE or DELETE: its CTEs are seen by the whole statement."""
        scope = Scope(transparent=True)
        self._bind_ctes(with_clause, scope)
        self.statement_ctes.update(scope.ctes)

    def _modifying_cte(
        self, name: str, kind: str, query: Any, earlier: dict[str, CteDef]
    ) -> CteDef:
        """``WITH d AS (DELETE … RETURNING …)``: planned by the statement planners (seeing
        the CTEs before it), run once per execution before the statement itself."""
        from tidesql.sql.statements import PLANNERS

        saved_keys, saved_ctes = self.want_keys, self.statement_ctes
        self.statement_ctes = {**saved_ctes, **earlier}
        try:
            planned = PLANNERS[kind](self, query, self.catalog)
        finally:
            self.want_keys, self.statement_ctes = saved_keys, saved_ctes
        columns = list(planned.columns or [])
        node = P.ModifyingCte(name, planned.run, columns)
        self.modifying_ctes.append(node)
        return CteDef(name, node, columns, unreadable=planned.columns is None)

    def _refers_to(self, stmt: Any, name: str) -> bool:
        return f'relname: "{name}"' in str(stmt)

    # ------------------------------------------------------------ FROM
    def _from(self, from_clause: Any, scope: Scope) -> P.PlanNode:
        plan: P.PlanNode | None = None
        for node in from_clause:
            left_width = scope.width
            item_plan = self._from_item(node, scope)
            if plan is None:
                plan = item_plan
            elif _is_lateral(node):
                columns = list(plan.columns) + list(item_plan.columns)
                plan = P.LateralJoin(plan, item_plan, columns, left_width)
            else:
                plan = self._cross(plan, item_plan, scope)
        assert plan is not None
        return plan

    def _cross(self, left: P.PlanNode, right: P.PlanNode, scope: Scope) -> P.PlanNode:
        columns = list(left.columns) + list(right.columns)
        return P.NestedLoopJoin(
            left, right, "cross", None, columns, len(left.columns), len(right.columns)
        )

    def _add_items(
        self,
        scope: Scope,
        alias: str,
        columns: list[P.OutputColumn],
        table_oid: int = 0,
        names: list[str] | None = None,
    ) -> int:
        offset = scope.width
        if alias and scope.has_alias(alias):
            raise TideError(
                f'table name "{alias}" specified more than once', sqlstate=sqlstates.DUPLICATE_ALIAS
            )
        for i, column in enumerate(columns):
            name = names[i] if names and i < len(names) else column.name
            scope.items.append(
                ScopeItem(alias, name, column.type, offset + i, table_oid, column.column_number)
            )
        return offset

    def _from_item(self, node: Any, scope: Scope) -> P.PlanNode:
        kind, value = node_kind(node)
        if kind == "range_var":
            return self._range_var(value, scope)
        if kind == "range_subselect":
            alias = "" if not value.HasField("alias") else value.alias.aliasname
            sub_scope_parent = scope if value.lateral else scope.parent
            sub = self._select(value.subquery.select_stmt, _cte_scope(scope, sub_scope_parent))
            names = string_values(value.alias.colnames) if value.HasField("alias") else None
            self._add_items(scope, alias, sub.columns, names=names)
            return sub.plan
        if kind == "join_expr":
            return self._join(value, scope)
        if kind == "range_function":
            call = value.functions[0].list.items[0].func_call if len(value.functions) else None
            names = string_values(call.funcname) if call is not None else []
            if names and self.catalog.functions_named(names[-1]):
                from tidesql.sql.sqlfunctions import find_function, finish_inline, from_item

                found = find_function(self, names, call)
                if found is not None:
                    try:
                        call_scope = scope if value.lateral else scope.parent
                        item = from_item(self, *found, value, call_scope)
                        return self._from_item(item, scope)
                    finally:
                        finish_inline(self)
            return self._range_function(value, scope)
        if kind == "range_table_sample":
            raise feature_not_supported("TABLESAMPLE clause not supported")  # DSQL's words
        raise feature_not_supported(f"FROM item {kind} is not supported")

    def _range_var(self, range_var: Any, scope: Scope) -> P.PlanNode:
        name = range_var.relname
        schema = range_var.schemaname or None
        alias = range_var.alias.aliasname if range_var.HasField("alias") else name
        column_aliases = (
            string_values(range_var.alias.colnames) if range_var.HasField("alias") else []
        )
        if schema is None:
            cte = scope.find_cte(name) or self.statement_ctes.get(name)
            if cte is not None:
                if cte.unreadable:
                    raise TideError(
                        f'WITH query "{name}" does not have a RETURNING clause',
                        sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
                    )
                if cte.recursive_owner is not None:
                    plan: P.PlanNode = P.WorkTableScan(cte.recursive_owner, cte.columns)
                else:
                    assert cte.plan is not None
                    plan = P.CteScan(name, cte.plan, cte.columns)
                self._add_items(scope, alias, cte.columns, names=column_aliases)
                return plan
        if self.virtual_tables is not None:
            virtual = self.virtual_tables.lookup(name, schema, self.search_path)
            if virtual is not None:
                offset = self._add_items(
                    scope, alias, virtual.columns, virtual.oid, names=column_aliases
                )
                scope.virtuals[alias] = offset
                virtual_plan: P.PlanNode = virtual.plan(alias)
                return virtual_plan
        table = self.catalog.get_table(name, schema, self.search_path)
        self.need_privilege(table.oid, "r")
        if table.kind == "v":
            return self._view(table, alias, column_aliases, scope)
        info = self.catalog.info(table)
        self.tables_read.add(table.oid)
        columns = [
            P.OutputColumn(c.name, c.sql_type, table.oid, c.attnum) for c in info.live_columns
        ]
        offset = self._add_items(scope, alias, columns, table.oid, names=column_aliases)
        scope.bases[alias] = (info, offset)
        with_key = table.oid in self.want_keys
        if with_key:
            # The row's storage key rides along as a hidden last column (UPDATE, DELETE).
            key_column = P.OutputColumn("?key?", T.BYTEA)
            scope.items.append(ScopeItem("\0key", "\0key", T.BYTEA, scope.width, hidden=True))
            columns = [*columns, key_column]
        return P.TableScan(info, columns, with_key=with_key, alias=alias)

    def need_privilege(self, oid: int, letter: str) -> None:
        held = self.privileges_needed.get(oid, "")
        if letter not in held:
            self.privileges_needed[oid] = held + letter

    def _view(
        self, table: TableDef, alias: str, column_aliases: list[str], scope: Scope
    ) -> P.PlanNode:
        from tidesql.sql.parser import parse

        assert table.view_sql is not None
        (statement,) = parse(table.view_sql)
        # The view's own tables are read with its owner's rights, which are not checked
        # (privileges.py): only SELECT on the view is.
        needed = dict(self.privileges_needed)
        sub = self._select(statement.node, None)
        self.privileges_needed = needed
        names = column_aliases or table.view_columns or None
        self._add_items(scope, alias, sub.columns, names=names)
        return sub.plan

    def _range_function(self, value: Any, scope: Scope) -> P.PlanNode:
        from tidesql.sql.setfunctions import set_returning_function

        if len(value.functions) != 1:
            raise feature_not_supported("ROWS FROM with several functions is not supported")
        call = value.functions[0].list.items[0].func_call
        name = string_values(call.funcname)[-1]
        # Arguments see the enclosing query's columns as outer references (level 1).
        outer = Scope(parent=scope.parent, ctes=dict(scope.ctes))
        # LATERAL arguments see the FROM items to their left as an enclosing row (level
        # 1), which LateralJoin supplies row by row through env.outer.
        # With nothing to its left no LateralJoin runs it: that level is then not one.
        lateral = Scope(parent=scope, ctes=dict(scope.ctes), transparent=not scope.items)
        # Functions in FROM are implicitly LATERAL in PostgreSQL.
        context = BindContext(lateral, "FROM")
        del outer
        args = [self.bind(a, context) for a in call.args]
        function, arg_types, result_types, names = set_returning_function(
            name, [a.type for a in args]
        )
        args = [self.coerce(a, t, "FROM") for a, t in zip(args, arg_types, strict=True)]
        alias = value.alias.aliasname if value.HasField("alias") else name
        column_aliases = string_values(value.alias.colnames) if value.HasField("alias") else []
        if len(result_types) == 1 and not column_aliases:
            names = [alias]
        columns = [P.OutputColumn(n, t) for n, t in zip(names, result_types, strict=True)]
        if value.ordinality:
            inner_function = function

            def function(env: Any, *values: Any) -> list[tuple[Any, ...]]:
                rows = inner_function(env, *values)
                return [(*row, n) for n, row in enumerate(rows, start=1)]

            columns.append(P.OutputColumn("ordinality", T.INT8))
        self._add_items(scope, alias, columns, names=column_aliases or None)
        return P.FunctionScan(function, [a.compile() for a in args], columns, name, needs_env=True)

    def _join(self, join: Any, scope: Scope) -> P.PlanNode:
        kind = {
            pb.JOIN_INNER: "inner",
            pb.JOIN_LEFT: "left",
            pb.JOIN_RIGHT: "right",
            pb.JOIN_FULL: "full",
        }.get(join.jointype)
        if kind is None:
            raise feature_not_supported("this join type is not supported")
        # The join's columns start after those of earlier FROM items (FROM a, b JOIN c).
        start = scope.width
        left = self._from_item(join.larg, scope)
        left_width = scope.width - start
        left_aliases = {i.alias for i in scope.items[start:]}
        right = self._from_item(join.rarg, scope)
        right_width = scope.width - start - left_width
        left_items, right_items = (
            scope.items[start : start + left_width],
            scope.items[start + left_width :],
        )
        columns = list(left.columns) + list(right.columns)
        if kind in ("left", "full"):
            scope.nullable |= {i.alias for i in right_items}
        if kind in ("right", "full"):
            scope.nullable |= left_aliases
        using = string_values(join.using_clause)
        conjuncts: list[Expr] = []
        if join.is_natural:
            left_names = {i.name for i in left_items if not i.hidden}
            using = [i.name for i in right_items if i.name in left_names and not i.hidden]
        if using:
            for name in using:
                left_item = next((i for i in left_items if i.name == name and not i.hidden), None)
                right_item = next((i for i in right_items if i.name == name and not i.hidden), None)
                if left_item is None or right_item is None:
                    raise TideError(
                        f'column "{name}" specified in USING clause does not exist in '
                        f"{'left' if left_item is None else 'right'} table",
                        sqlstate=sqlstates.UNDEFINED_COLUMN,
                    )
                conjuncts.append(
                    self.operator(
                        "=",
                        ColumnRef(left_item.index, left_item.type, name),
                        ColumnRef(right_item.index, right_item.type, name),
                    )
                )
                right_item.hidden = True
                if kind in ("right", "full"):
                    left_item.hidden = True
                    right_item.hidden = kind == "full"
                    if kind == "full":
                        left_item.hidden = False
        elif join.HasField("quals"):
            context = BindContext(scope, "JOIN")
            condition = self.coerce_bool(self.bind(join.quals, context), "JOIN/ON")
            if context.subqueries:
                raise feature_not_supported("subqueries in JOIN conditions are not supported")
            conjuncts = split_conjuncts(condition)
        alias = join.alias.aliasname if join.HasField("alias") else ""
        if alias:
            for item in scope.items[-(left_width + right_width) :]:
                item.alias = alias
        return self._make_join(
            left, right, kind, conjuncts, left_width, right_width, columns, scope
        )

    def _make_join(
        self,
        left: P.PlanNode,
        right: P.PlanNode,
        kind: str,
        conjuncts: list[Expr],
        left_width: int,
        right_width: int,
        columns: list[P.OutputColumn],
        scope: Scope,
    ) -> P.PlanNode:
        base = scope.width - left_width - right_width
        left_keys: list[Expr] = []
        right_keys: list[Expr] = []
        residual: list[Expr] = []
        for conjunct in conjuncts:
            pair = equi_join_pair(
                conjunct, base, base + left_width, base + left_width + right_width
            )
            if pair is not None:
                left_keys.append(shift_columns(pair[0], -base))
                right_keys.append(shift_columns(pair[1], -(base + left_width)))
            else:
                residual.append(shift_columns(conjunct, -base) if base else conjunct)
        residual_expr = combine_conjuncts(residual)
        if left_keys:
            return P.HashJoin(
                left,
                right,
                kind,
                [e.compile() for e in left_keys],
                [e.compile() for e in right_keys],
                compile_predicate(residual_expr),
                columns,
                left_width,
                right_width,
                text=" AND ".join(
                    f"({describe(a, qualify=True)} = {describe(b, qualify=True)})"
                    for a, b in zip(left_keys, right_keys, strict=True)
                ),
                lookup=_lookup_option(right, kind, left_keys, right_keys),
            )
        return P.NestedLoopJoin(
            left, right, kind, compile_predicate(residual_expr), columns, left_width, right_width
        )

    # ------------------------------------------------------------ WHERE pushdown
    def _apply_where(
        self, plan: P.PlanNode, scope: Scope, conjuncts: list[Expr], context: BindContext
    ) -> P.PlanNode:
        if context.subqueries:
            # Conjuncts with subqueries are evaluated after an Apply over the whole FROM.
            plan = self._place_subqueries(plan, scope.width, context.subqueries)
            predicate = compile_predicate(combine_conjuncts(conjuncts))
            assert predicate is not None
            filtered = P.Filter(plan, predicate, plan.columns, "WHERE")
            width = scope.width
            return P.Project(
                filtered, [_slot_compiled(i) for i in range(width)], plan.columns[:width]
            )
        if not conjuncts:
            return plan
        remaining = []
        pushed: dict[str, list[Expr]] = {}
        for conjunct in conjuncts:
            aliases = referenced_aliases(conjunct, scope)
            if len(aliases) == 1:
                (alias,) = aliases
                pushable = alias in scope.bases or alias in scope.virtuals
                if pushable and alias not in scope.nullable:
                    pushed.setdefault(alias, []).append(conjunct)
                    continue
            remaining.append(conjunct)
        if pushed:
            self._placed = set()
            plan = self._push_into_scans(plan, scope, pushed)
            # A conjunct whose scan was not reached stays a filter: never drop one.
            for alias, alias_conjuncts in pushed.items():
                if alias not in self._placed:
                    remaining.extend(alias_conjuncts)
        # Equalities across the two sides of a cross join become hash-join keys.
        if remaining:
            plan, remaining = self._crosses_to_joins(plan, remaining, scope)
        if remaining:
            predicate = compile_predicate(combine_conjuncts(remaining))
            assert predicate is not None
            plan = P.Filter(plan, predicate, plan.columns, "WHERE")
        return plan

    def _crosses_to_joins(
        self, plan: P.PlanNode, conjuncts: list[Expr], scope: Scope
    ) -> tuple[P.PlanNode, list[Expr]]:
        if not isinstance(plan, P.NestedLoopJoin) or plan.kind != "cross":
            return plan, conjuncts
        left, remaining = self._crosses_to_joins(plan.left, conjuncts, scope)
        left_width = plan.left_width
        right_width = plan.right_width
        mine = []
        rest = []
        for conjunct in remaining:
            columns = {c.index for c in conjunct.walk() if isinstance(c, ColumnRef)}
            if (
                columns
                and max(columns) < left_width + right_width
                and any(i >= left_width for i in columns)
                and not any(isinstance(c, (SlotRef, OuterRef)) for c in conjunct.walk())
            ):
                mine.append(conjunct)
            else:
                rest.append(conjunct)
        if not mine:
            return P.NestedLoopJoin(
                left, plan.right, "cross", None, plan.columns, left_width, right_width
            ), rest
        join_scope = Scope(scope.items[: left_width + right_width])
        joined = self._make_join(
            left, plan.right, "inner", mine, left_width, right_width, plan.columns, join_scope
        )
        return joined, rest

    def _push_into_scans(
        self, plan: P.PlanNode, scope: Scope, pushed: dict[str, list[Expr]]
    ) -> P.PlanNode:
        if isinstance(plan, P.TableScan):
            base = scope.bases.get(plan.alias)
            if base is not None and base[0] is plan.info and plan.alias in pushed:
                info, offset = base
                self._placed.add(plan.alias)
                return self._scan_with(
                    plan, info, [shift_columns(e, -offset) for e in pushed[plan.alias]]
                )
            return plan
        alias = getattr(plan, "alias", None)
        if alias is not None and alias in scope.virtuals and alias in pushed:
            # A virtual table's rows are made in full; filtering them before any join
            # keeps psql's "FROM pg_class c, pg_class c2 … WHERE c.oid = …" small.
            offset = scope.virtuals[alias]
            self._placed.add(alias)
            condition = combine_conjuncts([shift_columns(e, -offset) for e in pushed[alias]])
            predicate = compile_predicate(condition)
            assert predicate is not None
            return P.Filter(plan, predicate, plan.columns, _text(condition))
        if isinstance(plan, (P.NestedLoopJoin, P.HashJoin)):
            plan.left = self._push_into_scans(plan.left, scope, pushed)
            plan.right = self._push_into_scans(plan.right, scope, pushed)
        elif isinstance(plan, P.LateralJoin):
            plan.left = self._push_into_scans(plan.left, scope, pushed)
        return plan

    def choose_lookup_joins(self, plan: P.PlanNode) -> P.PlanNode:
        """Turn hash joins whose left side is small into primary-key lookup joins."""
        if isinstance(plan, (P.NestedLoopJoin, P.HashJoin)):
            plan.left = self.choose_lookup_joins(plan.left)
            plan.right = self.choose_lookup_joins(plan.right)
        elif isinstance(plan, (P.Filter, P.Project, P.Apply)):
            plan.child = self.choose_lookup_joins(plan.child)
        if (
            isinstance(plan, P.HashJoin)
            and plan.lookup is not None
            and isinstance(plan.right, P.TableScan)
            and not plan.right.with_key
            and _is_selective(plan.left)
        ):
            info, key_values = plan.lookup
            return P.LookupJoin(
                plan.left,
                info,
                key_values,
                plan.right.filter,
                plan.kind,
                plan.residual,
                plan.columns,
                plan.right_width,
            )
        return plan

    def _scan_with(self, scan: P.TableScan, info: TableInfo, conjuncts: list[Expr]) -> P.PlanNode:
        """Turn conjuncts on one table into key bounds, an index lookup, and a filter."""
        pk = info.primary_key
        position_of = {c.attnum: i for i, c in enumerate(info.live_columns)}
        bounds = [key_bound(c, position_of) for c in conjuncts]
        equal: dict[int, tuple[Expr, int]] = {}
        ranges: dict[int, list[tuple[str, Expr, int]]] = {}
        for n, bound in enumerate(bounds):
            if bound is None:
                continue
            attnum, op, value = bound
            if op == "=":
                equal.setdefault(attnum, (value, n))
            else:
                ranges.setdefault(attnum, []).append((op, value, n))
        used: set[int] = set()
        columns = scan.columns
        if pk:
            prefix: list[Expr] = []
            for attnum in pk:
                column = info.table.columns[attnum - 1]
                if attnum in equal and key_compatible(equal[attnum][0].type, column.sql_type):
                    prefix.append(equal[attnum][0])
                    used.add(equal[attnum][1])
                else:
                    break
            remaining = [c for n, c in enumerate(conjuncts) if n not in used]
            filter_expr = combine_conjuncts(remaining)
            description = " AND ".join(
                f"({info.table.columns[a - 1].name} = {describe(e)})"
                for a, e in zip(pk, prefix, strict=False)
            )
            if len(prefix) == len(pk):
                return P.PointLookup(
                    info,
                    columns,
                    [e.compile() for e in prefix],
                    compile_predicate(filter_expr),
                    _text(filter_expr),
                    with_key=scan.with_key,
                    description=description,
                )
            if prefix:
                return P.TableScan(
                    info,
                    columns,
                    compile_predicate(filter_expr),
                    _text(filter_expr),
                    with_key=scan.with_key,
                    equal_prefix=[e.compile() for e in prefix],
                    description=description,
                )
            first = pk[0]
            column = info.table.columns[first - 1]
            low: list[Any] = []
            high: list[Any] = []
            low_inclusive = high_inclusive = True
            for op, value, n in ranges.get(first, []):
                if not key_compatible(value.type, column.sql_type):
                    continue
                if op in (">", ">=") and not low:
                    low = [value.compile()]
                    low_inclusive = op == ">="
                    used.add(n)
                elif op in ("<", "<=") and not high:
                    high = [value.compile()]
                    high_inclusive = op == "<="
                    used.add(n)
            if low or high:
                remaining = [c for n, c in enumerate(conjuncts) if n not in used]
                filter_expr = combine_conjuncts(remaining)
                return P.TableScan(
                    info,
                    columns,
                    compile_predicate(filter_expr),
                    _text(filter_expr),
                    with_key=scan.with_key,
                    low=low,
                    low_inclusive=low_inclusive,
                    high=high,
                    high_inclusive=high_inclusive,
                    description=f"range on {column.name}",
                )
        for index in info.valid_indexes:
            if index.plain:
                prefix = []
                index_used = set()
                for attnum in index.columns:
                    column = info.table.columns[attnum - 1]
                    if attnum in equal and key_compatible(equal[attnum][0].type, column.sql_type):
                        prefix.append(equal[attnum][0])
                        index_used.add(equal[attnum][1])
                    else:
                        break
                labels = [info.table.columns[a - 1].name for a in index.columns]
            else:
                prefix, index_used, labels = _variant_index_prefix(info, index, conjuncts)
            if prefix:
                remaining = [c for n, c in enumerate(conjuncts) if n not in index_used]
                filter_expr = combine_conjuncts(remaining)
                return P.IndexLookup(
                    info,
                    index,
                    columns,
                    [e.compile() for e in prefix],
                    compile_predicate(filter_expr),
                    _text(filter_expr),
                    scan.with_key,
                    description=", ".join(labels[: len(prefix)]),
                )
        filter_expr = combine_conjuncts(conjuncts)
        return P.TableScan(
            info,
            columns,
            compile_predicate(filter_expr),
            _text(filter_expr),
            with_key=scan.with_key,
        )

    # ------------------------------------------------------------ expressions
    def coerce_bool(self, expr: Expr, clause: str) -> Expr:
        if expr.type.oid == T.UNKNOWN.oid:
            return self.coerce(expr, T.BOOL, clause)
        if expr.type.oid != T.BOOL.oid:
            raise TideError(
                f"argument of {clause} must be type boolean, not type {expr.type.name}",
                sqlstate=sqlstates.DATATYPE_MISMATCH,
            )
        return expr

    def coerce(
        self,
        expr: Expr,
        target: T.SqlType,
        clause: str = "",
        *,
        explicit: bool = False,
        context: str = "implicit",
    ) -> Expr:
        source = expr.type
        if source.oid == target.oid and (
            target.modifier == -1 or source.modifier == target.modifier
        ):
            return expr
        if isinstance(expr, Param) and source.oid == T.UNKNOWN.oid:
            self._set_param_type(expr.number, target)
            return Param(expr.number, target)
        if isinstance(expr, Const):
            if expr.value is None:
                return Const(None, target)
            # Fold the cast now unless its result depends on session settings (TimeZone,
            # DateStyle, extra_float_digits…): plans are shared across sessions.
            if _settings_free(source, target):
                if source.oid == T.UNKNOWN.oid:
                    # An explicit cast truncates to a length modifier; input does not.
                    value = T.cast_value(expr.value, T.UNKNOWN, target, explicit=explicit)
                    return Const(value, target)
                if explicit or T.can_coerce(source, target, context):
                    value = T.cast_value(expr.value, source, target, explicit=explicit)
                    return Const(value, target)
        if not explicit and not T.can_coerce(source, target, context):
            raise TideError(
                f"{('argument of ' + clause + ' ') if clause and clause.isupper() else ''}"
                f"column is of type {T.format_type(target)} "
                f"but expression is of type {T.format_type(source)}"
                if context == "assignment"
                else f"cannot cast type {T.format_type(source)} to {T.format_type(target)}",
                sqlstate=sqlstates.DATATYPE_MISMATCH,
                hint="You will need to rewrite or cast the expression."
                if context == "assignment"
                else None,
            )
        return Cast(expr, target, explicit)

    def _set_param_type(self, number: int, sql_type: T.SqlType) -> None:
        while len(self.param_types) < number:
            self.param_types.append(T.UNKNOWN)
        if self.param_types[number - 1].oid == T.UNKNOWN.oid:
            self.param_types[number - 1] = sql_type

    def operator(self, op: str, left: Expr | None, right: Expr) -> Expr:
        left_type = left.type if left is not None else None
        overload = F.resolve_operator(op, left_type, right.type)
        args = [left, right] if left is not None else [right]
        coerced = [self.coerce(a, t) for a, t in zip(args, overload.arg_types, strict=True)]
        return self._call(overload, coerced)

    def _call(self, overload: Any, args: list[Expr]) -> Expr:
        result_type = overload.result_type
        if overload.result_type_fn is not None:
            result_type = overload.result_type_fn([a.type for a in args])
        if overload.volatile:
            self.has_volatile = True
        call = Call(
            overload.name,
            args,
            result_type,
            overload.impl,
            overload.strict,
            overload.needs_env,
            overload.volatile,
        )
        if (
            all(isinstance(a, Const) for a in args)
            and not overload.volatile
            and not overload.needs_env
        ):
            try:
                value = call.compile()((), None)
            except TideError:
                return call
            return Const(value, result_type)
        return call

    def bind(self, node: Any, context: BindContext) -> Expr:
        kind, value = node_kind(node)
        handler = self._handlers.get(kind)
        if handler is None:
            raise feature_not_supported(f"expression kind {kind} is not supported")
        return handler(self, value, context)

    # -- leaves
    def _bind_const(self, value: Any, context: BindContext) -> Expr:
        if value.isnull:
            return Const(None, T.UNKNOWN)
        which = value.WhichOneof("val")
        if which == "ival":
            return Const(value.ival.ival, T.INT4)
        if which == "fval":
            text = value.fval.fval
            number = Decimal(text)
            if number == number.to_integral_value() and "." not in text and "e" not in text.lower():
                integer = int(number)
                if -(2**63) <= integer < 2**63:
                    return Const(integer, T.INT8)
            return Const(number, T.NUMERIC)
        if which == "sval":
            return Const(value.sval.sval, T.UNKNOWN)
        if which == "boolval":
            return Const(value.boolval.boolval, T.BOOL)
        if which == "bsval":
            return Const(value.bsval.bsval, T.UNKNOWN)
        raise feature_not_supported("this constant is not supported")

    def _bind_param(self, value: Any, context: BindContext) -> Expr:
        number = value.number
        if number in self.inline_args:
            from tidesql.sql.sqlfunctions import bind_inline_arg

            bound: Expr = bind_inline_arg(self, number, context)
            return bound
        if number < 1:
            raise TideError(
                f"there is no parameter ${number}", sqlstate=sqlstates.UNDEFINED_PARAMETER
            )
        while len(self.param_types) < number:
            self.param_types.append(T.UNKNOWN)
        return Param(number, self.param_types[number - 1])

    def _bind_column(self, value: Any, context: BindContext) -> Expr:
        fields = string_values(value.fields)
        if fields[-1] == "*":
            raise feature_not_supported("* is not allowed here")
        name = fields[-1]
        alias = fields[-2] if len(fields) >= 2 else None
        if len(fields) > 3:
            raise feature_not_supported("cross-database references are not implemented")
        scope: Scope | None = context.scope
        level = 0
        while scope is not None:
            item = scope.lookup(name, alias)
            if item is not None:
                if level == 0:
                    return ColumnRef(item.index, item.type, name, item.alias)
                self.outer_refs_created += 1
                return OuterRef(level, item.index, item.type, name)
            if alias is None and level == 0 and scope.has_alias(name):
                # A table's name as a value: the whole row, a record.
                return _row_value(
                    [
                        ColumnRef(i.index, i.type, i.name, i.alias)
                        for i in scope.items
                        if i.alias == name and not i.hidden
                    ]
                )
            if alias is not None and scope.has_alias(alias) and level == 0:
                raise TideError(
                    f"column {alias}.{name} does not exist", sqlstate=sqlstates.UNDEFINED_COLUMN
                )
            if not scope.transparent:
                level += 1
            scope = scope.parent
        if alias is not None:
            if not any(s.has_alias(alias) for s in _scopes(context.scope)):
                raise TideError(
                    f'missing FROM-clause entry for table "{alias}"',
                    sqlstate=sqlstates.UNDEFINED_TABLE,
                )
            raise TideError(
                f"column {alias}.{name} does not exist", sqlstate=sqlstates.UNDEFINED_COLUMN
            )
        raise undefined_column(name)

    # -- operators
    def _bind_a_expr(self, value: Any, context: BindContext) -> Expr:
        kind = value.kind
        names = string_values(value.name)
        op = names[-1] if names else ""
        left_row = _row_items(value.lexpr) if value.HasField("lexpr") else None
        if left_row is not None:
            if kind == pb.AEXPR_IN:
                rows = [_row_items(item) for item in value.rexpr.list.items]
                if any(row is None for row in rows):
                    raise TideError(
                        "IN with a row on the left needs rows in the list",
                        sqlstate=sqlstates.SYNTAX_ERROR,
                    )
                negated = op == "<>"
                tests = [
                    self._row_comparison("<>" if negated else "=", left_row, row, context)
                    for row in rows
                    if row is not None
                ]
                return BoolOp("and" if negated else "or", tests)
            right_row = _row_items(value.rexpr)
            if right_row is not None:
                if kind == pb.AEXPR_OP:
                    return self._row_comparison(op, left_row, right_row, context)
                if kind in (pb.AEXPR_DISTINCT, pb.AEXPR_NOT_DISTINCT):
                    return self._row_distinct(
                        left_row, right_row, context, kind == pb.AEXPR_DISTINCT
                    )
        if kind == pb.AEXPR_OP:
            right = self.bind(value.rexpr, context)
            left = self.bind(value.lexpr, context) if value.HasField("lexpr") else None
            return self.operator(op, left, right)
        if kind in (pb.AEXPR_LIKE, pb.AEXPR_ILIKE):
            left = self.bind(value.lexpr, context)
            right = self.bind(value.rexpr, context)
            return self.operator(op, left, right)
        if kind == pb.AEXPR_IN:
            left = self.bind(value.lexpr, context)
            items = [self.bind(item, context) for item in value.rexpr.list.items]
            common = T.common_type([left.type, *[i.type for i in items]], "IN")
            if common.oid == T.UNKNOWN.oid:
                common = T.TEXT
            left = self.coerce(left, common)
            items = [self.coerce(i, common) for i in items]
            equals = self._comparison("=", common)
            return InList(left, items, None, equals, negated=op == "<>")
        if kind in (pb.AEXPR_OP_ANY, pb.AEXPR_OP_ALL):
            left = self.bind(value.lexpr, context)
            array = self.bind(value.rexpr, context)
            if array.type.element is None:
                if array.type.oid == T.UNKNOWN.oid:
                    array = self.coerce(
                        array, T.array_of(left.type if left.type.oid != T.UNKNOWN.oid else T.TEXT)
                    )
                else:
                    raise TideError(
                        "op ANY/ALL (array) requires array on right side",
                        sqlstate=sqlstates.WRONG_OBJECT_TYPE,
                    )
            element = array.type.element
            assert element is not None
            if left.type.oid == T.UNKNOWN.oid:
                left = self.coerce(left, element)
            compare = self._comparison(op, left.type, element)
            return AnyAll(left, array, compare, kind == pb.AEXPR_OP_ALL)
        if kind in (
            pb.AEXPR_BETWEEN,
            pb.AEXPR_NOT_BETWEEN,
            pb.AEXPR_BETWEEN_SYM,
            pb.AEXPR_NOT_BETWEEN_SYM,
        ):
            subject = self.bind(value.lexpr, context)
            low, high = (self.bind(n, context) for n in value.rexpr.list.items)
            inside = BoolOp(
                "and", [self.operator(">=", subject, low), self.operator("<=", subject, high)]
            )
            if kind in (pb.AEXPR_BETWEEN_SYM, pb.AEXPR_NOT_BETWEEN_SYM):
                swapped = BoolOp(
                    "and", [self.operator(">=", subject, high), self.operator("<=", subject, low)]
                )
                inside = BoolOp("or", [inside, swapped])
            if kind in (pb.AEXPR_NOT_BETWEEN, pb.AEXPR_NOT_BETWEEN_SYM):
                return BoolOp("not", [inside])
            return inside
        if kind == pb.AEXPR_NULLIF:
            left = self.bind(value.lexpr, context)
            right = self.bind(value.rexpr, context)
            common = T.common_type([left.type, right.type], "NULLIF")
            return Coalesce(
                [self.coerce(left, common), self.coerce(right, common)], common, "nullif"
            )
        if kind in (pb.AEXPR_DISTINCT, pb.AEXPR_NOT_DISTINCT):
            left = self.bind(value.lexpr, context)
            right = self.bind(value.rexpr, context)
            return self._distinct(left, right, kind == pb.AEXPR_DISTINCT)
        if kind == pb.AEXPR_SIMILAR:
            raise feature_not_supported("SIMILAR TO is not supported")
        raise feature_not_supported("this operator form is not supported")

    def _comparison(
        self, op: str, left: T.SqlType, right: T.SqlType | None = None
    ) -> Callable[[Any, Any], Any]:
        overload = F.resolve_operator(op, left, right or left)
        compare: Callable[[Any, Any], Any] = overload.impl
        return compare

    def _bind_bool(self, value: Any, context: BindContext) -> Expr:
        args = [
            self.coerce_bool(
                self.bind(a, context),
                {pb.AND_EXPR: "AND", pb.OR_EXPR: "OR"}.get(value.boolop, "NOT"),
            )
            for a in value.args
        ]
        op = {pb.AND_EXPR: "and", pb.OR_EXPR: "or", pb.NOT_EXPR: "not"}[value.boolop]
        return BoolOp(op, args)

    def _bind_null_test(self, value: Any, context: BindContext) -> Expr:
        return IsNull(self.bind(value.arg, context), negated=value.nulltesttype == pb.IS_NOT_NULL)

    def _bind_boolean_test(self, value: Any, context: BindContext) -> Expr:
        test, negated = {
            pb.IS_TRUE: ("true", False),
            pb.IS_NOT_TRUE: ("true", True),
            pb.IS_FALSE: ("false", False),
            pb.IS_NOT_FALSE: ("false", True),
            pb.IS_UNKNOWN: ("unknown", False),
            pb.IS_NOT_UNKNOWN: ("unknown", True),
        }[value.booltesttype]
        return IsBool(self.coerce_bool(self.bind(value.arg, context), "IS"), test, negated)

    def _bind_type_cast(self, value: Any, context: BindContext) -> Expr:
        from tidesql.sql.domains import DomainCoerce, checker_for, resolve_type_name

        target, domain = resolve_type_name(self.catalog, value.type_name, self.search_path)
        if domain is not None:
            base = self.coerce(
                self.bind(value.arg, context), target, explicit=True, context="explicit"
            )
            return DomainCoerce(base, target, domain.oid, checker_for(self.catalog, domain))
        arg_kind, arg_value = node_kind(value.arg)
        if (
            arg_kind == "a_const"
            and target.oid in (T.REGCLASS.oid, T.REGTYPE.oid)
            and not arg_value.isnull
        ):
            return self._reg_cast(arg_value, target)
        arg = self.bind(value.arg, context)
        if arg.type.oid == T.UNKNOWN.oid and target.oid in _RUNTIME_REG_OIDS:
            # 'public'::regnamespace: the name is looked up when the statement runs, in
            # the catalog its FormatSettings carry.
            return Cast(self.coerce(arg, T.TEXT), target)
        return self.coerce(arg, target, explicit=True, context="explicit")

    def _reg_cast(self, value: Any, target: T.SqlType) -> Expr:
        text = value.sval.sval if value.WhichOneof("val") == "sval" else str(value.ival.ival)
        if text.isdigit():
            return Const(int(text), target)
        if target.oid == T.REGCLASS.oid:
            parts = text.split(".")
            name = parts[-1].strip('"')
            schema = parts[0].strip('"') if len(parts) > 1 else None
            table = self.catalog.find_table(name, schema, self.search_path)
            if table is not None:
                return Const(table.oid, target)
            found = self.catalog.find_index(name, schema, self.search_path)
            if found is not None:
                return Const(found[1].oid, target)
            if self.virtual_tables is not None:
                virtual = self.virtual_tables.lookup(name, schema, self.search_path)
                if virtual is not None:
                    return Const(virtual.oid, target)
            raise TideError(f'relation "{text}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
        from tidesql.sql.domains import resolve_type_name
        from tidesql.sql.parser import parse

        statement = parse(f"SELECT NULL::{text}")[0]
        type_name = statement.node.target_list[0].res_target.val.type_cast.type_name
        # A domain is a type of its own: 'posint'::regtype is the domain, not its base.
        sql_type, domain = resolve_type_name(self.catalog, type_name, self.search_path)
        return Const(domain.oid if domain is not None else sql_type.oid, target)

    def type_from_name(self, type_name: Any) -> T.SqlType:
        names = string_values(type_name.names)
        typmods = []
        for mod in type_name.typmods:
            kind, value = node_kind(mod)
            if kind == "a_const" and value.WhichOneof("val") == "ival":
                typmods.append(value.ival.ival)
            else:
                raise TideError(
                    "type modifiers must be simple constants", sqlstate=sqlstates.SYNTAX_ERROR
                )
        try:
            return T.type_from_name(names, typmods, len(type_name.array_bounds))
        except TideError as error:
            from tidesql.sql.domains import find_domain_by_names

            domain = find_domain_by_names(self.catalog, names, self.search_path)
            if error.sqlstate != sqlstates.UNDEFINED_OBJECT or domain is None:
                raise
            return domain.sql_type

    def _bind_case(self, value: Any, context: BindContext) -> Expr:
        subject = self.bind(value.arg, context) if value.HasField("arg") else None
        conditions: list[Expr] = []
        results: list[Expr] = []
        for when_node in value.args:
            when = when_node.case_when
            condition = self.bind(when.expr, context)
            if subject is not None:
                condition = self.operator("=", subject, condition)
            conditions.append(self.coerce_bool(condition, "CASE/WHEN"))
            results.append(self.bind(when.result, context))
        default = self.bind(value.defresult, context) if value.HasField("defresult") else None
        types = [r.type for r in results] + ([default.type] if default is not None else [])
        result_type = T.common_type(types, "CASE")
        if result_type.oid == T.UNKNOWN.oid:
            result_type = T.TEXT
        whens = [
            (c, self.coerce(r, result_type, "CASE"))
            for c, r in zip(conditions, results, strict=True)
        ]
        return Case(
            whens, self.coerce(default, result_type) if default is not None else None, result_type
        )

    def _bind_coalesce(self, value: Any, context: BindContext) -> Expr:
        args = [self.bind(a, context) for a in value.args]
        common = T.common_type([a.type for a in args], "COALESCE")
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        return Coalesce([self.coerce(a, common) for a in args], common)

    def _bind_min_max(self, value: Any, context: BindContext) -> Expr:
        args = [self.bind(a, context) for a in value.args]
        word = "GREATEST" if value.op == pb.IS_GREATEST else "LEAST"
        common = T.common_type([a.type for a in args], word)
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        return Coalesce([self.coerce(a, common) for a in args], common, word.lower())

    def _bind_array(self, value: Any, context: BindContext) -> Expr:
        items = [self.bind(e, context) for e in value.elements]
        if not items:
            return Const([], T.array_of(T.TEXT))
        common = T.common_type([i.type for i in items], "ARRAY")
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        return ArrayExpr([self.coerce(i, common) for i in items], T.array_of(common))

    def _bind_indirection(self, value: Any, context: BindContext) -> Expr:
        expr = self.bind(value.arg, context)
        for node in value.indirection:
            kind, item = node_kind(node)
            if kind != "a_indices" or item.is_slice:
                raise feature_not_supported("only simple array subscripts are supported")
            element = expr.type.element or _VECTOR_ELEMENTS.get(expr.type.oid)
            if element is None:
                raise TideError(
                    f"cannot subscript type {expr.type.name} "
                    "because it does not support subscripting",
                    sqlstate=sqlstates.DATATYPE_MISMATCH,
                )
            index = self.coerce(self.bind(item.uidx, context), T.INT4)
            if expr.type.element is None:  # int2vector, oidvector: subscripts start at 0
                index = self.operator("+", index, Const(1, T.INT4))
            expr = Subscript(expr, index, element)
        return expr

    def _bind_sql_value(self, value: Any, context: BindContext) -> Expr:
        op = value.op
        if op in (pb.SVFOP_CURRENT_TIMESTAMP, pb.SVFOP_CURRENT_TIMESTAMP_N):
            return self._function("now", [], context)
        if op == pb.SVFOP_CURRENT_DATE:
            return self._function("current_date", [], context)
        if op in (pb.SVFOP_LOCALTIMESTAMP, pb.SVFOP_LOCALTIMESTAMP_N):
            return self._function("localtimestamp", [], context)
        if op in (
            pb.SVFOP_CURRENT_TIME,
            pb.SVFOP_CURRENT_TIME_N,
            pb.SVFOP_LOCALTIME,
            pb.SVFOP_LOCALTIME_N,
        ):
            return self._function("localtime", [], context)
        if op in (
            pb.SVFOP_CURRENT_USER,
            pb.SVFOP_USER,
            pb.SVFOP_SESSION_USER,
            pb.SVFOP_CURRENT_ROLE,
        ):
            return EnvValue(lambda env: env.user, T.NAME, "current_user")
        if op == pb.SVFOP_CURRENT_CATALOG:
            return EnvValue(lambda env: "postgres", T.NAME, "current_catalog")
        if op == pb.SVFOP_CURRENT_SCHEMA:
            return EnvValue(lambda env: env.current_schema, T.NAME, "current_schema")
        raise feature_not_supported("this SQL value function is not supported")

    def _bind_collate(self, value: Any, context: BindContext) -> Expr:
        names = string_values(value.collname)
        if names and names[-1] not in ("C", "POSIX", "default", "ucs_basic"):
            raise TideError(
                f'collation "{names[-1]}" for encoding "UTF8" does not exist',
                sqlstate=sqlstates.UNDEFINED_OBJECT,
            )
        return self.bind(value.arg, context)

    def _bind_sub_link(self, value: Any, context: BindContext) -> Expr:
        outer_refs_before = self.outer_refs_created
        sub = self._select(value.subselect.select_stmt, context.scope)
        link = value.sub_link_type
        correlated = self.outer_refs_created > outer_refs_before
        if link == pb.EXISTS_SUBLINK:
            slot = SlotRef(T.BOOL, label="exists")
            context.subqueries.append(SubqueryMarker(sub.plan, "exists", correlated, slot))
            return slot
        if link == pb.EXPR_SUBLINK:
            if len(sub.columns) != 1:
                raise TideError(
                    "subquery must return only one column", sqlstate=sqlstates.SYNTAX_ERROR
                )
            slot = SlotRef(sub.columns[0].type, label="scalar")
            context.subqueries.append(SubqueryMarker(sub.plan, "scalar", correlated, slot))
            return slot
        if link == pb.ARRAY_SUBLINK:
            slot = SlotRef(T.array_of(sub.columns[0].type), label="array")
            context.subqueries.append(SubqueryMarker(sub.plan, "array", correlated, slot))
            return slot
        if link in (pb.ANY_SUBLINK, pb.ALL_SUBLINK):
            if len(sub.columns) != 1:
                raise TideError("subquery has too many columns", sqlstate=sqlstates.SYNTAX_ERROR)
            left = self.bind(value.testexpr, context)
            element = sub.columns[0].type
            slot = SlotRef(T.array_of(element), label="in")
            context.subqueries.append(SubqueryMarker(sub.plan, "array", correlated, slot))
            op_names = string_values(value.oper_name)
            op = op_names[-1] if op_names else "="
            common = T.common_type([left.type, element], "IN")
            if common.oid == T.UNKNOWN.oid:
                common = T.TEXT
            left = self.coerce(left, common)
            array: Expr = slot
            if common.oid != element.oid:
                array = _ArrayCast(slot, T.array_of(common), element, common)
            compare = self._comparison(op, common)
            return AnyAll(left, array, compare, link == pb.ALL_SUBLINK)
        raise feature_not_supported("this kind of subquery is not supported")

    def _bind_func(self, value: Any, context: BindContext) -> Expr:
        names = string_values(value.funcname)
        name = names[-1].lower()
        schema = names[0] if len(names) > 1 else None
        if value.HasField("over"):
            return self._bind_window(value, name, context)
        if A.is_aggregate(name) and schema in (None, "pg_catalog"):
            return self._bind_aggregate(value, name, context)
        if (
            value.agg_star
            or value.agg_distinct
            or len(value.agg_order)
            or value.HasField("agg_filter")
        ):
            raise TideError(
                f"{_aggregate_clause(value)} specified, but {name} is not an aggregate function",
                sqlstate=sqlstates.WRONG_OBJECT_TYPE,
            )
        if self.catalog.functions_named(names[-1]):
            from tidesql.sql.sqlfunctions import find_function, finish_inline, scalar_call

            found = find_function(self, names, value)
            if found is not None:
                try:
                    return self.bind(scalar_call(self, *found, context.scope), context)
                finally:
                    finish_inline(self)
        args = [self.bind(a, context) for a in value.args]
        if schema == "sys" and name == "wait_for_job":
            return self._special("sys.wait_for_job", args)
        if context.clause == "SELECT" and context.allow_windows and name in SET_RETURNING:
            return self._bind_set_function(name, args, context)
        special = self._special_functions.get(name)
        if special is not None and schema in (None, "pg_catalog"):
            return special(self, args, context)
        return self._function(name, args, context, schema)

    def _bind_set_function(self, name: str, args: list[Expr], context: BindContext) -> Expr:
        from tidesql.sql.setfunctions import set_returning_function

        function, arg_types, result_types, _ = set_returning_function(name, [a.type for a in args])
        if len(result_types) != 1:
            raise feature_not_supported(f"{name} is not supported in a select list")
        coerced = [self.coerce(a, t) for a, t in zip(args, arg_types, strict=True)]
        slot = SlotRef(result_types[0], label="set function")
        context.set_functions.append((slot, function, coerced))
        return slot

    def _function(
        self, name: str, args: list[Expr], context: BindContext, schema: str | None = None
    ) -> Expr:
        overload = F.resolve_function(name, [a.type for a in args])
        declared = list(overload.arg_types)
        if overload.variadic is not None and len(args) > len(declared):
            declared = declared + [overload.variadic] * (len(args) - len(declared))
        coerced = [
            self.coerce(a, t) if t.oid not in _ANY_OIDS else a
            for a, t in zip(args, declared, strict=False)
        ]
        coerced += args[len(coerced) :]
        return self._call(overload, coerced)

    def _special(self, name: str, args: list[Expr]) -> Expr:
        from tidesql.sql.jobs import wait_for_job_expr

        expr: Expr = wait_for_job_expr(self, args)
        return expr

    def _bind_aggregate(self, value: Any, name: str, context: BindContext) -> Expr:
        if not context.allow_aggregates:
            raise TideError(
                f"aggregate functions are not allowed in {context.clause or 'this context'}",
                sqlstate=sqlstates.GROUPING_ERROR,
            )
        inner_context = BindContext(context.scope, context.clause)
        inner_context.subqueries = context.subqueries
        args = [] if value.agg_star else [self.bind(a, inner_context) for a in value.args]
        for arg in args:
            if any(isinstance(node, SlotRef) and node.label == "aggregate" for node in arg.walk()):
                raise TideError(
                    "aggregate function calls cannot be nested", sqlstate=sqlstates.GROUPING_ERROR
                )
        arg_types = [a.type if a.type.oid != T.UNKNOWN.oid else T.TEXT for a in args]
        aggregate = A.resolve_aggregate(name, arg_types)
        args = [
            self.coerce(a, t) if t.oid not in _ANY_OIDS else a
            for a, t in zip(args, aggregate.arg_types, strict=False)
        ] + args[len(aggregate.arg_types) :]
        result_type = aggregate.result_type
        if aggregate.result_type_fn is not None:
            result_type = aggregate.result_type_fn(arg_types)
        filter_expr = None
        if value.HasField("agg_filter"):
            filter_expr = self.coerce_bool(self.bind(value.agg_filter, inner_context), "FILTER")
        order = []
        for node in value.agg_order:
            sort_by = node.sort_by
            expr = self.bind(sort_by.node, inner_context)
            descending = sort_by.sortby_dir == pb.SORTBY_DESC
            nulls_first = sort_by.sortby_nulls == pb.SORTBY_NULLS_FIRST or (
                sort_by.sortby_nulls == pb.SORTBY_NULLS_DEFAULT and descending
            )
            order.append((expr, descending, nulls_first))
        slot = SlotRef(result_type, label="aggregate")
        context.aggregates.append(
            (slot, (aggregate, args, value.agg_distinct, filter_expr, order, value.agg_star))
        )
        return slot

    def _bind_window(self, value: Any, name: str, context: BindContext) -> Expr:
        if not context.allow_windows:
            raise TideError(
                f"window functions are not allowed in {context.clause or 'this context'}",
                sqlstate=sqlstates.WINDOWING_ERROR,
            )
        over = value.over
        named = over.name or over.refname
        if named:
            definition = self.window_definitions.get(named)
            if definition is None:
                raise TideError(
                    f'window "{named}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT
                )
            merged = pb.WindowDef()
            merged.CopyFrom(definition)
            if len(over.order_clause):
                del merged.order_clause[:]
                merged.order_clause.extend(over.order_clause)
            if over.frame_options != 0x2 | 0x10 | 0x20 | 0x400 and over.refname:
                merged.frame_options = over.frame_options
            over = merged
        inner = BindContext(context.scope, "window")
        inner.allow_aggregates = context.allow_aggregates
        inner.aggregates = context.aggregates
        inner.subqueries = context.subqueries
        args = [self.bind(a, inner) for a in value.args]
        partition = [self.bind(p, inner) for p in over.partition_clause]
        order = []
        for node in over.order_clause:
            sort_by = node.sort_by
            expr = self.bind(sort_by.node, inner)
            descending = sort_by.sortby_dir == pb.SORTBY_DESC
            nulls_first = sort_by.sortby_nulls == pb.SORTBY_NULLS_FIRST or (
                sort_by.sortby_nulls == pb.SORTBY_NULLS_DEFAULT and descending
            )
            order.append((expr, descending, nulls_first))
        frame = over.frame_options
        frame_rows = bool(frame & 0x4)
        frame_whole = bool(frame & 0x100) and bool(frame & 0x20)
        aggregate = None
        ranking = {
            "row_number": T.INT8,
            "rank": T.INT8,
            "dense_rank": T.INT8,
            "percent_rank": T.FLOAT8,
            "cume_dist": T.FLOAT8,
            "ntile": T.INT4,
        }
        if name in ranking:
            result_type = ranking[name]
            if name == "ntile":
                args = [self.coerce(args[0], T.INT4)]
        elif name in ("lag", "lead", "first_value", "last_value", "nth_value"):
            result_type = args[0].type
            if len(args) > 1:
                args[1] = self.coerce(args[1], T.INT4)
            if len(args) > 2:
                args[2] = self.coerce(args[2], result_type)
        elif A.is_aggregate(name):
            arg_types = [a.type if a.type.oid != T.UNKNOWN.oid else T.TEXT for a in args]
            aggregate = A.resolve_aggregate(name, [] if value.agg_star else arg_types)
            result_type = (
                aggregate.result_type_fn(arg_types)
                if aggregate.result_type_fn
                else aggregate.result_type
            )
            args = (
                []
                if value.agg_star
                else [
                    self.coerce(a, t) if t.oid not in _ANY_OIDS else a
                    for a, t in zip(args, aggregate.arg_types, strict=False)
                ]
            )
        else:
            raise TideError(
                f"function {name} is not a window function", sqlstate=sqlstates.UNDEFINED_FUNCTION
            )
        spec_order = [(e.compile(), d, n, T.sort_key(e.type)) for e, d, n in order]
        spec = P.WindowSpec(
            name,
            [a.compile() for a in args],
            [p.compile() for p in partition],
            spec_order,
            aggregate,
            frame_rows,
            frame_whole,
        )
        slot = SlotRef(result_type, label="window")
        context.windows.append((slot, spec))
        if any(
            isinstance(n, SlotRef) and n.label == "aggregate"
            for e in args + partition
            for n in e.walk()
        ):
            # Window over aggregates: the window's inputs read aggregate output slots,
            # which are placed before the Window node runs.
            pass
        return slot

    def _bind_row(self, value: Any, context: BindContext) -> Expr:
        """``ROW(a, b)`` or ``(a, b)`` as a value: a record; ``ROW(t.*)`` takes t's columns."""
        items = [self._settle_unknown(e) for e in self._bind_row_items(value.args, context)]
        return _row_value(items)

    def _bind_row_items(self, nodes: Any, context: BindContext) -> list[Expr]:
        items: list[Expr] = []
        for item in nodes:
            kind, ref = node_kind(item)
            fields = string_values(ref.fields) if kind == "column_ref" else []
            if fields and fields[-1] == "*":
                items.extend(self._star_columns(fields[-2] if len(fields) > 1 else None, context))
            else:
                items.append(self.bind(item, context))
        return items

    def _star_columns(self, alias: str | None, context: BindContext) -> list[Expr]:
        """The columns ``alias.*`` (or ``*``) stands for in the current FROM."""
        scope = context.scope
        chosen = [i for i in scope.items if not i.hidden and (alias is None or i.alias == alias)]
        if alias is not None and not chosen:
            raise TideError(
                f'missing FROM-clause entry for table "{alias}"',
                sqlstate=sqlstates.UNDEFINED_TABLE,
            )
        return [ColumnRef(i.index, i.type, i.name, i.alias) for i in chosen]

    def _settle_unknown(self, expr: Expr) -> Expr:
        return self.coerce(expr, T.TEXT) if expr.type.oid == T.UNKNOWN.oid else expr

    def _distinct(self, left: Expr, right: Expr, distinct: bool) -> Expr:
        """``left IS [NOT] DISTINCT FROM right``: NULLs compare as equal values."""
        common = T.common_type([left.type, right.type], "IS DISTINCT FROM")
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        equal = self._comparison("=", common)
        left_f = self.coerce(left, common).compile()
        right_f = self.coerce(right, common).compile()

        def is_distinct(row: Any, env: Any) -> bool:
            a, b = left_f(row, env), right_f(row, env)
            same = (a is None and b is None) or (a is not None and b is not None and equal(a, b))
            return (not same) if distinct else same

        return _Closure(is_distinct, T.BOOL, f"distinct({left.key()},{right.key()})", [left, right])

    def _row_pairs(
        self, left: list[Any], right: list[Any], context: BindContext
    ) -> list[tuple[Expr, Expr]]:
        """The fields of two row constructors, bound (``t.*`` expanded) and paired."""
        bound_left = self._bind_row_items(left, context)
        bound_right = self._bind_row_items(right, context)
        if len(bound_left) != len(bound_right):
            raise TideError(
                "unequal number of entries in row expressions", sqlstate=sqlstates.SYNTAX_ERROR
            )
        return list(zip(bound_left, bound_right, strict=True))

    def _row_comparison(
        self, op: str, left: list[Any], right: list[Any], context: BindContext
    ) -> Expr:
        """``(a, b) op (c, d)`` as PostgreSQL defines it: = and <> field by field; the
        orderings lexicographic, decided by the first pair that is unequal or NULL."""
        if op not in ("=", "<>", "<", "<=", ">", ">="):
            raise TideError(
                f"operator {op} is not supported for row expressions",
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            )
        pairs = self._row_pairs(left, right, context)
        if op in ("=", "<>"):
            return BoolOp("and" if op == "=" else "or", [self.operator(op, a, b) for a, b in pairs])
        strict = op[0]
        last_a, last_b = pairs[-1]
        result = self.operator(op, last_a, last_b)
        for a, b in reversed(pairs[:-1]):
            result = BoolOp(
                "or",
                [self.operator(strict, a, b), BoolOp("and", [self.operator("=", a, b), result])],
            )
        return result

    def _row_distinct(
        self, left: list[Any], right: list[Any], context: BindContext, distinct: bool
    ) -> Expr:
        tests = [self._distinct(a, b, distinct) for a, b in self._row_pairs(left, right, context)]
        return BoolOp("or" if distinct else "and", tests)

    _handlers: ClassVar[dict[str, Callable[[Planner, Any, BindContext], Expr]]] = {}
    _special_functions: ClassVar[dict[str, Callable[[Planner, list[Expr], BindContext], Expr]]] = {}


_MODIFYING = frozenset({"insert_stmt", "update_stmt", "delete_stmt"})


def _row_items(node: Any) -> list[Any] | None:
    """The fields of a row constructor node, or None if the node is not one."""
    kind, value = node_kind(node)
    return list(value.args) if kind == "row_expr" else None


def _row_value(items: list[Expr]) -> Expr:
    compiled = [item.compile() for item in items]
    field_types = tuple(item.type for item in items)
    make = T.Record.of

    def row_value(row: Any, env: Any) -> Any:
        return make([f(row, env) for f in compiled], field_types)

    identity = "row(" + ",".join(item.key() for item in items) + ")"
    return _Closure(row_value, T.RECORD, identity, items)


class _Closure(Expr):
    def __init__(
        self,
        function: Callable[[Any, Any], Any],
        sql_type: T.SqlType,
        identity: str,
        children: list[Expr],
    ) -> None:
        self.function = function
        self.type = sql_type
        self.identity = identity
        self._children = children

    def compile(self) -> Any:
        return self.function

    def children(self) -> list[Expr]:
        return self._children

    def key(self) -> str:
        return self.identity


class _ArrayCast(Expr):
    def __init__(
        self, arg: Expr, sql_type: T.SqlType, source: T.SqlType, target: T.SqlType
    ) -> None:
        self.arg, self.type, self.source, self.target = arg, sql_type, source, target

    def children(self) -> list[Expr]:
        return [self.arg]

    def compile(self) -> Any:
        inner = self.arg.compile()
        source, target = self.source, self.target

        def run(row: Any, env: Any) -> Any:
            values = inner(row, env)
            if values is None:
                return None
            return [
                None if v is None else T.cast_value(v, source, target, env.settings) for v in values
            ]

        return run


_RUNTIME_REG_OIDS = frozenset(
    {T.REGPROC.oid, T.REGPROCEDURE.oid, T.REGNAMESPACE.oid, T.REGROLE.oid}
)
_VECTOR_ELEMENTS = {T.INT2VECTOR.oid: T.INT2, T.OIDVECTOR.oid: T.OID}
_ANY_OIDS = {
    2276,
    2283,
    2277,
    2776,
    5077,
    5078,
}  # any, anyelement, anyarray, anynonarray, anycompatible…


_SETTINGS_DEPENDENT = {
    T.DATE.oid,
    T.TIME.oid,
    T.TIMESTAMP.oid,
    T.TIMESTAMPTZ.oid,
    T.INTERVAL.oid,
    T.FLOAT4.oid,
    T.FLOAT8.oid,
    T.BYTEA.oid,
    T.REGCLASS.oid,
    T.REGTYPE.oid,
    T.REGPROC.oid,
    T.REGNAMESPACE.oid,
    T.REGPROCEDURE.oid,
    T.REGROLE.oid,
}


def _settings_free(source: T.SqlType, target: T.SqlType) -> bool:
    """Whether casting between these types gives the same value in every session."""
    for sql_type in (source, target):
        base = sql_type.element or sql_type
        if base.oid in _SETTINGS_DEPENDENT or base.oid in (T.JSON.oid, T.JSONB.oid):
            return False
    return True


def _lookup_option(
    right: P.PlanNode, kind: str, left_keys: list[Expr], right_keys: list[Expr]
) -> tuple[TableInfo, list[Any]] | None:
    """(right table, left key expressions in primary-key order) when the equi-join keys
    bind the right table's whole primary key."""
    if kind not in ("inner", "left") or not isinstance(right, P.TableScan) or right.with_key:
        return None
    info = right.info
    if not info.primary_key:
        return None
    attnum_at = {i: c.attnum for i, c in enumerate(info.live_columns)}
    bound: dict[int, Expr] = {}
    for left_expr, right_expr in zip(left_keys, right_keys, strict=True):
        if isinstance(right_expr, ColumnRef) and right_expr.index in attnum_at:
            bound.setdefault(attnum_at[right_expr.index], left_expr)
    if not all(a in bound for a in info.primary_key):
        return None
    return info, [bound[a].compile() for a in info.primary_key]


def _is_lateral(node: Any) -> bool:
    """LATERAL subqueries, and every function in FROM (implicitly LATERAL)."""
    kind, value = node_kind(node)
    return kind == "range_function" or (kind == "range_subselect" and bool(value.lateral))


def _is_selective(plan: P.PlanNode) -> bool:
    """Whether a plan is known to produce few rows (no statistics: by its shape)."""
    if isinstance(plan, (P.PointLookup, P.IndexLookup, P.ValuesScan, P.Result, P.Limit)):
        return True
    if isinstance(plan, P.TableScan):
        return bool(plan.equal_prefix or plan.low or plan.high)
    if isinstance(plan, P.LookupJoin):
        return _is_selective(plan.left)
    if isinstance(plan, (P.Filter, P.Project)):
        return _is_selective(plan.child)
    return False


def _aggregate_clause(value: Any) -> str:
    if value.agg_distinct:
        return "DISTINCT"
    return "ORDER BY" if len(value.agg_order) else "FILTER"


def _scopes(scope: Scope | None):  # type: ignore[no-untyped-def]
    while scope is not None:
        yield scope
        scope = scope.parent


def _cte_scope(scope: Scope, parent: Scope | None) -> Scope | None:
    """A scope that sees ``scope``'s CTEs but binds columns against ``parent``."""
    if not scope.ctes:
        return parent
    return Scope(parent=parent, ctes=dict(scope.ctes), transparent=True)


def _slot_compiled(index: int) -> Any:
    return lambda row, env: row[index]


def _sort_text(keys: list[tuple[int, bool, bool, T.SqlType]], columns: list[P.OutputColumn]) -> str:
    return ", ".join(columns[p].name + (" DESC" if d else "") for p, d, _, _ in keys)


def _text(expr: Expr | None) -> str:
    return "" if expr is None else describe(expr)


def describe(expr: Expr, *, qualify: bool = False) -> str:
    """An expression as EXPLAIN shows it (column names qualified in join conditions)."""
    if isinstance(expr, ColumnRef):
        return f"{expr.table_alias}.{expr.name}" if qualify and expr.table_alias else expr.name
    if isinstance(expr, Const):
        return "NULL" if expr.value is None else repr(expr.value)
    if isinstance(expr, Param):
        return f"${expr.number}"
    if isinstance(expr, Call) and len(expr.args) == 2:
        left, right = (describe(a, qualify=qualify) for a in expr.args)
        return f"({left} {expr.name} {right})"
    if isinstance(expr, BoolOp):
        parts = (describe(a, qualify=qualify) for a in expr.args)
        return "(" + f" {expr.op.upper()} ".join(parts) + ")"
    if isinstance(expr, Cast):
        return f"{describe(expr.arg, qualify=qualify)}::{expr.type.name}"
    return type(expr).__name__


def _column_name(node: Any) -> str:
    kind, value = node_kind(node)
    if kind == "column_ref":
        fields = string_values(value.fields)
        return fields[-1] if fields else "?column?"
    if kind == "func_call":
        return string_values(value.funcname)[-1]
    if kind == "type_cast":
        inner = _column_name(value.arg)
        if inner != "?column?":
            return inner
        return string_values(value.type_name.names)[-1]
    if kind == "a_indirection":
        return _column_name(value.arg)
    if kind == "case_expr":
        return "case"
    if kind == "row_expr":
        return "row"
    if kind == "coalesce_expr":
        return "coalesce"
    if kind == "min_max_expr":
        return "greatest" if value.op == pb.IS_GREATEST else "least"
    if kind == "sub_link":
        if value.sub_link_type == pb.EXISTS_SUBLINK:
            return "exists"
        if value.sub_link_type == pb.ARRAY_SUBLINK:
            return "array"
        if value.sub_link_type == pb.EXPR_SUBLINK:
            target = value.subselect.select_stmt.target_list
            if len(target) == 1:
                return target[0].res_target.name or _column_name(target[0].res_target.val)
    if kind == "sqlvalue_function":
        return {
            pb.SVFOP_CURRENT_DATE: "current_date",
            pb.SVFOP_CURRENT_TIMESTAMP: "current_timestamp",
            pb.SVFOP_CURRENT_USER: "current_user",
            pb.SVFOP_SESSION_USER: "session_user",
            pb.SVFOP_USER: "current_user",
            pb.SVFOP_CURRENT_SCHEMA: "current_schema",
            pb.SVFOP_LOCALTIMESTAMP: "localtimestamp",
            pb.SVFOP_CURRENT_CATALOG: "current_catalog",
            pb.SVFOP_CURRENT_ROLE: "current_role",
        }.get(value.op, "?column?")
    if kind == "a_array_expr":
        return "array"
    if kind == "bool_expr" or kind == "a_expr":
        return "?column?"
    return "?column?"


# ---------------------------------------------------------------- expression utilities
def split_conjuncts(expr: Expr) -> list[Expr]:
    if isinstance(expr, BoolOp) and expr.op == "and":
        out: list[Expr] = []
        for arg in expr.args:
            out += split_conjuncts(arg)
        return out
    return [expr]


def combine_conjuncts(conjuncts: list[Expr]) -> Expr | None:
    if not conjuncts:
        return None
    if len(conjuncts) == 1:
        return conjuncts[0]
    return BoolOp("and", list(conjuncts))


def map_children(expr: Expr, function: Callable[[Expr], Expr]) -> Expr:
    """A copy of ``expr`` with ``function`` applied to each direct child expression."""
    if isinstance(expr, (_Closure, _ArrayCast)):
        if isinstance(expr, _ArrayCast):
            return _ArrayCast(function(expr.arg), expr.type, expr.source, expr.target)
        return expr
    if not dataclasses.is_dataclass(expr):
        return expr
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, Expr):
            changes[f.name] = function(value)
        elif isinstance(value, list) and value and isinstance(value[0], Expr):
            changes[f.name] = [function(v) for v in value]
        elif isinstance(value, list) and value and isinstance(value[0], tuple):
            changes[f.name] = [
                tuple(function(v) if isinstance(v, Expr) else v for v in item) for item in value
            ]
    if not changes:
        return expr
    clone = copy.copy(expr)
    for name, value in changes.items():
        setattr(clone, name, value)
    return clone


def shift_columns(expr: Expr, delta: int) -> Expr:
    if delta == 0:
        return expr

    def shift(node: Expr) -> Expr:
        if isinstance(node, ColumnRef):
            return ColumnRef(node.index + delta, node.type, node.name, node.table_alias)
        if isinstance(node, _Closure):
            raise _NotShiftable()
        return map_children(node, shift)

    return shift(expr)


class _NotShiftable(Exception):
    pass


def referenced_aliases(expr: Expr, scope: Scope) -> set[str]:
    aliases: set[str] = set()
    for node in expr.walk():
        if isinstance(node, ColumnRef):
            item = scope.items[node.index]
            aliases.add(item.alias)
        elif isinstance(node, (_Closure, SlotRef)) or (isinstance(node, Call) and node.volatile):
            aliases.add("\0")
    return aliases


def equi_join_pair(expr: Expr, start: int, middle: int, end: int) -> tuple[Expr, Expr] | None:
    """If ``expr`` is ``a = b`` with ``a`` over the left columns and ``b`` over the right
    (or the reverse), return (left expression, right expression)."""
    if not (isinstance(expr, Call) and expr.name == "=" and len(expr.args) == 2):
        return None
    a, b = expr.args
    if a.type.oid != b.type.oid:
        return None

    def side(node: Expr) -> str | None:
        indexes = [n.index for n in node.walk() if isinstance(n, ColumnRef)]
        if not indexes or any(isinstance(n, (SlotRef, OuterRef, _Closure)) for n in node.walk()):
            return None
        if all(start <= i < middle for i in indexes):
            return "left"
        if all(middle <= i < end for i in indexes):
            return "right"
        return None

    sides = (side(a), side(b))
    if sides == ("left", "right"):
        return a, b
    if sides == ("right", "left"):
        return b, a
    return None


_KEY_FAMILIES = {
    T.INT2.oid: "int",
    T.INT4.oid: "int",
    T.INT8.oid: "int",
    T.TEXT.oid: "str",
    T.VARCHAR.oid: "str",
    T.NAME.oid: "str",
}


def _variant_index_prefix(
    info: TableInfo, index: Any, conjuncts: list[Expr]
) -> tuple[list[Expr], set[int], list[str]]:
    """Lookup values for an expression or partial index, or none when it may not be used.

    A partial index answers only queries that imply its predicate: here, every conjunct
    of the predicate must be one of the query's conjuncts. An expression key matches
    only ``expr = value`` with the very same expression (see ``indexkeys``).
    """
    from tidesql.sql.indexkeys import bind_index_expression, keyer_for

    try:
        keyer_for(info, index)
    except TideError:
        return [], set(), []
    scan_scope = {c.attnum: position for position, c in enumerate(info.live_columns)}

    def in_scan(expr: Expr) -> Expr:
        # Index expressions are bound over full rows (attnum − 1); scans carry live columns.
        return _rebase_full_row(expr, scan_scope)

    query_keys = {c.key() for c in conjuncts}
    if index.predicate is not None:
        predicate = in_scan(bind_index_expression(info, index.predicate, "index predicate"))
        if any(p.key() not in query_keys for p in split_conjuncts(predicate)):
            return [], set(), []
    prefix: list[Expr] = []
    used: set[int] = set()
    labels = keyer_for(info, index).labels
    for attnum, text in index.key_parts():
        if text is None:
            column = info.table.columns[attnum - 1]
            target: Expr = ColumnRef(scan_scope[attnum], column.sql_type, column.name)
        else:
            target = in_scan(bind_index_expression(info, text, "index expression"))
        wanted = target.key()
        match = None
        for n, conjunct in enumerate(conjuncts):
            if not (
                isinstance(conjunct, Call) and conjunct.name == "=" and len(conjunct.args) == 2
            ):
                continue
            a, b = conjunct.args
            for side, value in ((a, b), (b, a)):
                if (
                    side.key() == wanted
                    and _row_independent(value)
                    and key_compatible(value.type, target.type)
                ):
                    match = (value, n)
                    break
            if match:
                break
        if match is None:
            break
        prefix.append(match[0])
        used.add(match[1])
    return prefix, used, labels


def _rebase_full_row(expr: Expr, position_of: dict[int, int]) -> Expr:
    """``expr`` over full rows (column attnum at attnum − 1) → over a scan's live columns."""
    rebased = copy.deepcopy(expr)
    for node in rebased.walk():
        if isinstance(node, ColumnRef):
            node.index = position_of[node.index + 1]
    return rebased


def key_compatible(value_type: T.SqlType, column_type: T.SqlType) -> bool:
    if value_type.oid == column_type.oid:
        return True
    family = _KEY_FAMILIES.get(column_type.oid)
    return family is not None and family == _KEY_FAMILIES.get(value_type.oid)


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


def key_bound(expr: Expr, position_of: dict[int, int]) -> tuple[int, str, Expr] | None:
    """``column op value`` where value does not depend on the row → (attnum, op, value)."""
    if not (isinstance(expr, Call) and expr.name in _FLIPPED and len(expr.args) == 2):
        return None
    a, b = expr.args
    for column, value, op in ((a, b, expr.name), (b, a, _FLIPPED[expr.name])):
        if isinstance(column, ColumnRef) and _row_independent(value):
            attnum = next((att for att, pos in position_of.items() if pos == column.index), None)
            if attnum is not None:
                return attnum, op, value
    return None


def _row_independent(expr: Expr) -> bool:
    for node in expr.walk():
        if isinstance(node, (ColumnRef, SlotRef, _Closure)):
            return False
        if isinstance(node, Call) and node.volatile:
            return False
    return True


def _register() -> None:
    h = Planner._handlers
    h["a_const"] = Planner._bind_const
    h["param_ref"] = Planner._bind_param
    h["column_ref"] = Planner._bind_column
    h["a_expr"] = Planner._bind_a_expr
    h["bool_expr"] = Planner._bind_bool
    h["null_test"] = Planner._bind_null_test
    h["boolean_test"] = Planner._bind_boolean_test
    h["type_cast"] = Planner._bind_type_cast
    h["case_expr"] = Planner._bind_case
    h["coalesce_expr"] = Planner._bind_coalesce
    h["min_max_expr"] = Planner._bind_min_max
    h["a_array_expr"] = Planner._bind_array
    h["a_indirection"] = Planner._bind_indirection
    h["sqlvalue_function"] = Planner._bind_sql_value
    h["collate_clause"] = Planner._bind_collate
    h["sub_link"] = Planner._bind_sub_link
    h["func_call"] = Planner._bind_func
    h["row_expr"] = Planner._bind_row


_register()

# pg_typeof and the catalog functions (format_type, …) register themselves on import.
from tidesql.sql import catalog_functions as _catalog_functions  # noqa: E402, F401
from tidesql.sql import sequences as _sequences  # noqa: E402, F401
