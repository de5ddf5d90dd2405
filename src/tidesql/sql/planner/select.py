"""SELECT query blocks: the entry points, then FROM, WHERE, GROUP BY and the select list in
order, DISTINCT, ORDER BY, LIMIT and row locking.
"""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.expr import ColumnRef, Const, Expr, compile_predicate
from tidesql.sql.planner.base import PlannerBase
from tidesql.sql.planner.exprutil import _column_name, _slot_compiled, _sort_text, split_conjuncts
from tidesql.sql.planner.scopes import (
    BindContext,
    QueryPlan,
    Scope,
    ScopeItem,
    feature_not_supported,
    node_kind,
    string_values,
)


class SelectPlanning(PlannerBase):
    """SELECT query blocks, from FROM to LIMIT, and row locking."""

    def plan_select(self, stmt: Any, parent: Scope | None = None) -> QueryPlan:
        return self._select(stmt, parent)

    def bind_standalone(self, node: Any, scope: Scope | None = None, clause: str = "") -> Expr:
        context = BindContext(scope or Scope(), clause)
        expr = self.bind(node, context)
        if context.subqueries:
            raise feature_not_supported(f"subqueries are not supported in {clause or 'this place'}")
        return expr

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
