"""The planner's state (``PlannerBase``): the attributes every part of the planner reads
and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.catalog import Catalog, TableInfo
from tidesql.sql.expr import Expr, SlotRef
from tidesql.sql.planner.scopes import BindContext, CteDef, QueryPlan, Scope, SubqueryMarker


class PlannerBase:
    """The planner's state, shared by the mixins that make up ``Planner``.

    Under ``TYPE_CHECKING`` it also declares the methods one mixin calls on another, so
    that each mixin type-checks on its own; ``Planner`` defines them all.
    """

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

    if TYPE_CHECKING:

        def _select(self, stmt: Any, parent: Scope | None) -> QueryPlan: ...

        def _order_limit(self, result: QueryPlan, stmt: Any, scope: Scope) -> QueryPlan: ...

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
        ) -> tuple[P.PlanNode, int]: ...

        def _after_group(
            self, expr: Expr, group_exprs: list[Expr], context: BindContext
        ) -> Expr: ...

        def _window(
            self, plan: P.PlanNode, width: int, context: BindContext
        ) -> tuple[P.PlanNode, int]: ...

        def _place_set_functions(
            self, plan: P.PlanNode, functions: list[tuple[SlotRef, Any, list[Expr]]]
        ) -> P.PlanNode: ...

        def _place_subqueries(
            self, plan: P.PlanNode, width: int, markers: list[SubqueryMarker]
        ) -> P.PlanNode: ...

        def _values(self, values_lists: Any, scope: Scope) -> QueryPlan: ...

        def _set_operation(self, stmt: Any, scope: Scope) -> QueryPlan: ...

        def _bind_ctes(self, with_clause: Any, scope: Scope) -> None:
            # A CTE runs where its query runs, not per row of it: its body's outer references
            # skip the query's own level (the shared dict lets later CTEs see earlier ones).
            ...

        def _modifying_cte(
            self, name: str, kind: str, query: Any, earlier: dict[str, CteDef]
        ) -> CteDef: ...

        def _from(self, from_clause: Any, scope: Scope) -> P.PlanNode: ...

        def _range_function(self, value: Any, scope: Scope) -> P.PlanNode: ...

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
        ) -> P.PlanNode: ...

        def _apply_where(
            self, plan: P.PlanNode, scope: Scope, conjuncts: list[Expr], context: BindContext
        ) -> P.PlanNode: ...

        def choose_lookup_joins(self, plan: P.PlanNode) -> P.PlanNode: ...

        def coerce_bool(self, expr: Expr, clause: str) -> Expr: ...

        def coerce(
            self,
            expr: Expr,
            target: T.SqlType,
            clause: str = "",
            *,
            explicit: bool = False,
            context: str = "implicit",
        ) -> Expr: ...

        def operator(self, op: str, left: Expr | None, right: Expr) -> Expr: ...

        def _call(self, overload: Any, args: list[Expr]) -> Expr: ...

        def bind(self, node: Any, context: BindContext) -> Expr: ...

        def _comparison(
            self, op: str, left: T.SqlType, right: T.SqlType | None = None
        ) -> Callable[[Any, Any], Any]: ...

        def _bind_set_function(self, name: str, args: list[Expr], context: BindContext) -> Expr: ...

        def _function(
            self, name: str, args: list[Expr], context: BindContext, schema: str | None = None
        ) -> Expr: ...

        def _special(self, name: str, args: list[Expr]) -> Expr: ...

        def _bind_aggregate(self, value: Any, name: str, context: BindContext) -> Expr: ...

        def _bind_window(self, value: Any, name: str, context: BindContext) -> Expr: ...
