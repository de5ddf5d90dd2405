"""Expression utilities shared by the planner: conjuncts, column shifting, key bounds
for index scans, describe(), and small bound-expression classes.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql.errors import TideError
from tidesql.sql import plan as P
from tidesql.sql import types as T
from tidesql.sql.catalog import TableInfo
from tidesql.sql.expr import BoolOp, Call, Cast, ColumnRef, Const, Expr, OuterRef, Param, SlotRef
from tidesql.sql.planner.scopes import Scope, node_kind, string_values

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
