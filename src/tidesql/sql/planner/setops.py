"""VALUES, set operations (UNION, INTERSECT, EXCEPT) and WITH (CTEs, recursive CTEs)."""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.expr import ColumnRef, Expr
from tidesql.sql.planner.base import PlannerBase
from tidesql.sql.planner.exprutil import _MODIFYING
from tidesql.sql.planner.scopes import (
    BindContext,
    CteDef,
    QueryPlan,
    Scope,
    feature_not_supported,
    node_kind,
    string_values,
)


class SetOperationPlanning(PlannerBase):
    """VALUES, set operations (UNION, INTERSECT, EXCEPT) and WITH (CTEs, recursive CTEs)."""

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

    def _refers_to(self, stmt: Any, name: str) -> bool:
        return f'relname: "{name}"' in str(stmt)
