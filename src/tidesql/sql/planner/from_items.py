"""The FROM clause: tables, views, functions, subqueries and joins, and the scope they build."""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.catalog import TableDef
from tidesql.sql.expr import ColumnRef, Expr, compile_predicate
from tidesql.sql.planner.base import PlannerBase
from tidesql.sql.planner.exprutil import (
    _cte_scope,
    _is_lateral,
    _lookup_option,
    combine_conjuncts,
    describe,
    equi_join_pair,
    shift_columns,
    split_conjuncts,
)
from tidesql.sql.planner.scopes import (
    BindContext,
    Scope,
    ScopeItem,
    feature_not_supported,
    node_kind,
    string_values,
)


class FromPlanning(PlannerBase):
    """The FROM clause: tables, views, functions, subqueries and joins, and the scope they build."""

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
