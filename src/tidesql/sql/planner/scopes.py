"""Scopes (the columns a query block can name) and small parse-tree helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.catalog import TableInfo
from tidesql.sql.expr import Expr, SlotRef


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
