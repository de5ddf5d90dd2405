"""The ``Planner`` class, assembled from its mixins, and its expression dispatch tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import aggregates as A
from tidesql.sql import plan as P
from tidesql.sql.expr import Expr
from tidesql.sql.planner.aggregation import AggregationPlanning
from tidesql.sql.planner.calls import FunctionBinding
from tidesql.sql.planner.expressions import ExpressionBinding
from tidesql.sql.planner.exprutil import _aggregate_clause
from tidesql.sql.planner.from_items import FromPlanning
from tidesql.sql.planner.pushdown import PushdownPlanning
from tidesql.sql.planner.scopes import (
    BindContext,
    CteDef,
    feature_not_supported,
    node_kind,
    string_values,
)
from tidesql.sql.planner.select import SelectPlanning
from tidesql.sql.planner.setops import SetOperationPlanning
from tidesql.sql.setfunctions import NAMES as SET_RETURNING


class Planner(
    SelectPlanning,
    AggregationPlanning,
    SetOperationPlanning,
    FromPlanning,
    PushdownPlanning,
    ExpressionBinding,
    FunctionBinding,
):
    """Binds and plans one statement; see the package docstring.

    The methods that hand the planner itself to a callable typed ``Planner`` (the
    dispatch tables below, the statement planners of data-modifying CTEs) live here.
    """

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

    def bind(self, node: Any, context: BindContext) -> Expr:
        kind, value = node_kind(node)
        handler = self._handlers.get(kind)
        if handler is None:
            raise feature_not_supported(f"expression kind {kind} is not supported")
        return handler(self, value, context)

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

    _handlers: ClassVar[dict[str, Callable[[Planner, Any, BindContext], Expr]]] = {}
    _special_functions: ClassVar[dict[str, Callable[[Planner, list[Expr], BindContext], Expr]]] = {}


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
