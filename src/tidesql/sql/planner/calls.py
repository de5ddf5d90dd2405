"""Binding subqueries, function calls, set-returning functions, aggregates and window
functions.
"""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import aggregates as A
from tidesql.sql import functions as F
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.expr import AnyAll, Expr, SlotRef
from tidesql.sql.planner.base import PlannerBase
from tidesql.sql.planner.exprutil import _ANY_OIDS, _ArrayCast
from tidesql.sql.planner.scopes import (
    BindContext,
    SubqueryMarker,
    feature_not_supported,
    string_values,
)


class FunctionBinding(PlannerBase):
    """Binding subqueries, function calls, aggregates and window functions."""

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
