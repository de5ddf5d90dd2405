"""WHERE pushdown: conjuncts go into scans as key bounds and index lookups, crosses become
joins, and joins on an index become lookup joins.
"""

from __future__ import annotations

from typing import Any

from tidesql.sql import plan as P
from tidesql.sql.catalog import TableInfo
from tidesql.sql.expr import ColumnRef, Expr, OuterRef, SlotRef, compile_predicate
from tidesql.sql.planner.base import PlannerBase
from tidesql.sql.planner.exprutil import (
    _is_selective,
    _slot_compiled,
    _text,
    _variant_index_prefix,
    combine_conjuncts,
    describe,
    key_bound,
    key_compatible,
    referenced_aliases,
    shift_columns,
)
from tidesql.sql.planner.scopes import BindContext, Scope


class PushdownPlanning(PlannerBase):
    """WHERE pushdown into scans and joins, and lookup joins."""

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
            prefix, used, description = _equal_prefix(info, pk, equal)
            remaining = [c for n, c in enumerate(conjuncts) if n not in used]
            filter_expr = combine_conjuncts(remaining)
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
                prefix, index_used, description = _equal_prefix(info, index.columns, equal)
            else:
                prefix, index_used, labels = _variant_index_prefix(info, index, conjuncts)
                description = " AND ".join(
                    f"({label} = {describe(e)})" for label, e in zip(labels, prefix, strict=False)
                )
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
                    description=description,
                )
        filter_expr = combine_conjuncts(conjuncts)
        return P.TableScan(
            info,
            columns,
            compile_predicate(filter_expr),
            _text(filter_expr),
            with_key=scan.with_key,
        )


def _equal_prefix(
    info: TableInfo, attnums: list[int], equal: dict[int, tuple[Expr, int]]
) -> tuple[list[Expr], set[int], str]:
    """The longest prefix of key columns that conjuncts pin to a value: the values, the
    conjuncts used (by position), and the EXPLAIN condition ("(a = 1) AND (b = $1)")."""
    prefix: list[Expr] = []
    used: set[int] = set()
    conditions = []
    for attnum in attnums:
        column = info.table.columns[attnum - 1]
        if attnum not in equal or not key_compatible(equal[attnum][0].type, column.sql_type):
            break
        value, position = equal[attnum]
        prefix.append(value)
        used.add(position)
        conditions.append(f"({column.name} = {describe(value)})")
    return prefix, used, " AND ".join(conditions)
