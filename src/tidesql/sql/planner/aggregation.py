"""Aggregation and window functions, and placing set-returning functions and
subqueries over a plan.
"""

from __future__ import annotations

from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.expr import ColumnRef, Expr, SlotRef, compile_predicate
from tidesql.sql.planner.base import PlannerBase
from tidesql.sql.planner.exprutil import map_children
from tidesql.sql.planner.scopes import BindContext, Scope, SubqueryMarker


class AggregationPlanning(PlannerBase):
    """Aggregation, window functions, and placing SRFs and subqueries."""

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
