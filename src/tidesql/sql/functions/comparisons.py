"""Comparison families: ``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=`` per type.

Python's operators where values already order as PostgreSQL orders them; floats with
NaN equal to itself and greater than everything; numeric; character(n) without its
trailing spaces; jsonb in its btree order; arrays element by element (PostgreSQL's
array_cmp), which is why the array ordering helpers live here and not in ``arrays``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from tidesql.sql import types as T
from tidesql.sql.functions.arithmetic import (
    _float_eq,
    _float_ge,
    _float_gt,
    _float_le,
    _float_lt,
    _float_ne,
    _numeric_eq,
    _numeric_ge,
    _numeric_gt,
    _numeric_le,
    _numeric_lt,
    _numeric_ne,
)
from tidesql.sql.functions.registry import Impl
from tidesql.sql.types import (
    BOOL,
    BPCHAR,
    BYTEA,
    CHAR,
    DATE,
    FLOAT4,
    FLOAT8,
    INT2,
    INT4,
    INT8,
    INTERVAL,
    JSON,
    JSONB,
    NAME,
    NUMERIC,
    OID,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    UUID,
    VARCHAR,
    SqlType,
)

# =======================================================================================
# Comparison families
# =======================================================================================
#: jsonb's btree order (types/ordering.py's compareJsonbContainers), shared with ORDER BY.
jsonb_sort_key: Callable[[Any], Any] = T.sort_key(JSONB)

_COMPARISON_OPS = ("=", "<>", "<", "<=", ">", ">=")
_PYTHON_COMPARISONS: dict[str, Impl] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLOAT_COMPARISONS: dict[str, Impl] = {
    "=": _float_eq,
    "<>": _float_ne,
    "<": _float_lt,
    "<=": _float_le,
    ">": _float_gt,
    ">=": _float_ge,
}
_NUMERIC_COMPARISONS: dict[str, Impl] = {
    "=": _numeric_eq,
    "<>": _numeric_ne,
    "<": _numeric_lt,
    "<=": _numeric_le,
    ">": _numeric_gt,
    ">=": _numeric_ge,
}


def _keyed_comparisons(key: Callable[[Any], Any]) -> dict[str, Impl]:
    def eq(a: Any, b: Any) -> bool:
        return bool(key(a) == key(b))

    def ne(a: Any, b: Any) -> bool:
        return bool(key(a) != key(b))

    def lt(a: Any, b: Any) -> bool:
        return bool(key(a) < key(b))

    def le(a: Any, b: Any) -> bool:
        return bool(key(a) <= key(b))

    def gt(a: Any, b: Any) -> bool:
        return bool(key(a) > key(b))

    def ge(a: Any, b: Any) -> bool:
        return bool(key(a) >= key(b))

    return {"=": eq, "<>": ne, "<": lt, "<=": le, ">": gt, ">=": ge}


def _strip_padding(s: str) -> str:
    return s.rstrip(" ")


#: character(n) compares without its trailing spaces.
_BPCHAR_COMPARISONS = _keyed_comparisons(_strip_padding)
_JSONB_COMPARISONS = _keyed_comparisons(jsonb_sort_key)
_jsonb_eq = _JSONB_COMPARISONS["="]

#: Types whose Python values already order as PostgreSQL orders them.
# fmt: off
_PLAIN_ORDERED_OIDS = frozenset(t.oid for t in (
    BOOL, INT2, INT4, INT8, OID, TEXT, VARCHAR, NAME, CHAR, BYTEA, DATE, TIME, TIMESTAMP,
    TIMESTAMPTZ, INTERVAL, UUID,
))
# fmt: on


def comparison_impls(t: SqlType) -> dict[str, Impl] | None:
    """``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=`` between two values of ``t`` (None if
    the type has no ordering). Used by the operator table, arrays and min()/max()."""
    oid = t.oid
    if t.element is not None and t.category == "A":
        return _array_comparisons(t.element)
    if oid in (FLOAT4.oid, FLOAT8.oid):
        return _FLOAT_COMPARISONS
    if oid == NUMERIC.oid:
        return _NUMERIC_COMPARISONS
    if oid == BPCHAR.oid:
        return _BPCHAR_COMPARISONS
    if oid == JSONB.oid:
        return _JSONB_COMPARISONS
    if oid in _PLAIN_ORDERED_OIDS:
        return _PYTHON_COMPARISONS
    return None


# --------------------------------------------------------------------------- arrays
def _holds_nested(element: SqlType) -> bool:
    """Whether nested lists in an array of ``element`` are sub-arrays (not values)."""
    return element.oid not in (JSONB.oid, JSON.oid)


def _flatten(value: list[Any], nested: bool) -> list[Any]:
    if not nested or not value or not isinstance(value[0], list):
        return value
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item, nested) if isinstance(item, list) else [item])
    return out


def array_dimensions(value: list[Any], nested: bool) -> list[int]:
    dims: list[int] = []
    current: Any = value
    while isinstance(current, list):
        dims.append(len(current))
        if not nested or not current:
            break
        current = current[0]
    return dims if value else []


@lru_cache(maxsize=256)
def _array_comparisons(element: SqlType) -> dict[str, Impl]:
    """PostgreSQL's array_cmp: element by element (NULL sorts after any value, NULLs are
    equal to each other), then the shorter array first, then by dimensions."""
    impls = comparison_impls(element) or _PYTHON_COMPARISONS
    eq, lt = impls["="], impls["<"]
    nested = _holds_nested(element)

    def compare(a: list[Any], b: list[Any]) -> int:
        flat_a, flat_b = _flatten(a, nested), _flatten(b, nested)
        for x, y in zip(flat_a, flat_b, strict=False):
            if x is None or y is None:
                if x is None and y is None:
                    continue
                return 1 if x is None else -1
            if eq(x, y):
                continue
            return -1 if lt(x, y) else 1
        if len(flat_a) != len(flat_b):
            return -1 if len(flat_a) < len(flat_b) else 1
        dims_a, dims_b = array_dimensions(a, nested), array_dimensions(b, nested)
        if dims_a != dims_b:
            return -1 if (len(dims_a), dims_a) < (len(dims_b), dims_b) else 1
        return 0

    return {
        "=": lambda a, b: compare(a, b) == 0,
        "<>": lambda a, b: compare(a, b) != 0,
        "<": lambda a, b: compare(a, b) < 0,
        "<=": lambda a, b: compare(a, b) <= 0,
        ">": lambda a, b: compare(a, b) > 0,
        ">=": lambda a, b: compare(a, b) >= 0,
    }
