"""Type resolution for UNION, CASE and COALESCE, and the ordering of values.

:func:`common_type` is PostgreSQL's ``select_common_type``. :func:`sort_key` gives keys
that make Python's ``sorted`` agree with PostgreSQL's btree order under the C collation
(NaN above every number, bpchar ignoring trailing blanks, jsonb by
``compareJsonbContainers``, arrays element by element), and :func:`values_equal` is the
matching equality.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.interval import Interval
from tidesql.sql.types.binary_io import _array_dims, _flatten
from tidesql.sql.types.casts import can_coerce
from tidesql.sql.types.identity import (
    _PREFERRED,
    ALL_TYPES,
    BPCHAR,
    CHAR,
    FLOAT4,
    FLOAT8,
    INET,
    INT2VECTOR,
    INTERVAL,
    JSON,
    JSONB,
    NAME,
    NUMERIC,
    OIDVECTOR,
    TEXT,
    UNKNOWN,
    SqlType,
    with_modifier,
)
from tidesql.sql.types.text_io import _identity
from tidesql.sql.types.text_scalars import JSON_NULL, _jsonb_key_order, inet_order_key

# --- type resolution for UNION, CASE, COALESCE, … ------------------------------------


def common_type(types: list[SqlType], context: str) -> SqlType:
    """PostgreSQL's select_common_type (and select_common_typmod).

    Unknown literals take the type of the others (text if all are unknown); within one
    category the preferred type wins, or else the type the others convert to implicitly
    but not back; types of different categories raise 42804, as does an input that
    cannot be converted implicitly to the result (42846).
    """
    if not types:
        raise TideError(f"{context} has no inputs")
    first = types[0]
    if first.oid != UNKNOWN.oid and all(t.oid == first.oid for t in types):
        result = ALL_TYPES.get(first.oid, first)
    else:
        chosen = UNKNOWN
        preferred = False
        for candidate in types:
            if candidate.oid == UNKNOWN.oid or candidate.oid == chosen.oid:
                continue
            candidate_base = ALL_TYPES.get(candidate.oid, with_modifier(candidate, -1))
            if chosen.oid == UNKNOWN.oid:
                chosen = candidate_base
                preferred = candidate.oid in _PREFERRED
            elif candidate.category != chosen.category:
                raise TideError(
                    f"{context} types {chosen.name} and {candidate.name} cannot be matched",
                    sqlstate=sqlstates.DATATYPE_MISMATCH,
                )
            elif (
                not preferred
                and can_coerce(chosen, candidate_base, "implicit")
                and not can_coerce(candidate_base, chosen, "implicit")
            ):
                chosen = candidate_base
                preferred = candidate.oid in _PREFERRED
        result = TEXT if chosen.oid == UNKNOWN.oid else chosen
    for candidate in types:
        if not can_coerce(candidate, result, "implicit"):
            raise TideError(
                f"{context} could not convert type {candidate.name} to {result.name}",
                sqlstate=sqlstates.CANNOT_COERCE,
            )
    modifiers = {t.modifier for t in types if t.oid == result.oid}
    if len(modifiers) == 1 and all(t.oid == result.oid for t in types):
        return with_modifier(result, modifiers.pop())
    return result


# --- ordering ------------------------------------------------------------------------


def _float_key(value: float) -> tuple[int, float]:
    # NaN sorts above everything, and equal to itself; -0.0 == 0.0 already.
    return (1, 0.0) if value != value else (0, value)


def _numeric_key(value: Decimal) -> tuple[int, Decimal | int]:
    if isinstance(value, Decimal) and value.is_nan():
        return (1, 0)
    return (0, value)


def _bpchar_key(value: str) -> str:
    return value.rstrip(" ")


def _char_key(value: str) -> int:
    return ord(value) if value else 0


def _name_key(value: str) -> bytes:
    return value.encode("utf-8")


def _vector_key(value: list[int]) -> tuple[int, ...]:
    return tuple(value)


def _jsonb_value_key(value: Any) -> tuple[Any, ...]:
    """compareJsonbContainers for values inside a container."""
    if value is None or value is JSON_NULL:
        return (0,)
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, int | Decimal | float):
        return (2, value)
    if isinstance(value, list):
        return (4, len(value), 1, tuple(_jsonb_value_key(item) for item in value))
    if isinstance(value, dict):
        keys = sorted(value, key=_jsonb_key_order)
        return (5, len(value), tuple((k, _jsonb_value_key(value[k])) for k in keys))
    raise TideError(f"cannot compare {type(value).__name__} as jsonb")


def _jsonb_key(value: Any) -> tuple[Any, ...]:
    """A top-level scalar is stored as a one-element "raw scalar" array, so it compares
    with arrays by element count first (``[] < null``), then below a real array."""
    if isinstance(value, list | dict):
        return _jsonb_value_key(value)
    return (4, 1, 0, (_jsonb_value_key(value),))


_SORT_KEYS: dict[int, Callable[[Any], Any]] = {
    FLOAT4.oid: _float_key,
    FLOAT8.oid: _float_key,
    NUMERIC.oid: _numeric_key,
    BPCHAR.oid: _bpchar_key,
    CHAR.oid: _char_key,
    NAME.oid: _name_key,
    INTERVAL.oid: Interval.span,
    JSONB.oid: _jsonb_key,
    INT2VECTOR.oid: _vector_key,
    OIDVECTOR.oid: _vector_key,
}


def _array_key(element: SqlType) -> Callable[[list[Any]], Any]:
    """array_cmp: element by element (NULL greatest), then the element count, then the
    number of dimensions, then their sizes."""
    element_key = sort_key(element)

    def key(value: list[Any]) -> tuple[Any, ...]:
        dims = _array_dims(value, element)
        flat: list[Any] = []
        _flatten(value, len(dims), flat)
        items = tuple((1,) if item is None else (0, element_key(item)) for item in flat)
        return items, len(dims) if flat else 0, tuple(dims) if flat else ()

    return key


_SORT_KEYS[INET.oid] = inet_order_key


def sort_key(sql_type: SqlType) -> Callable[[Any], Any]:
    """A ``sorted()`` key for non-NULL values of ``sql_type`` in PostgreSQL's order."""
    if sql_type.element is not None:
        return _array_key(sql_type.element)
    if sql_type.oid == JSON.oid:
        raise _no_operator("an ordering", sql_type)
    return _SORT_KEYS.get(sql_type.oid, _identity)


def _no_operator(what: str, sql_type: SqlType) -> TideError:
    return TideError(
        f"could not identify {what} operator for type {sql_type.name}",
        sqlstate=sqlstates.UNDEFINED_FUNCTION,
    )


def values_equal(a: Any, b: Any, sql_type: SqlType) -> bool:
    """Equality as PostgreSQL's btree sees it (NaN = NaN, '1 mon' = '30 days', 'a ' =
    'a' for bpchar). Two NULLs are equal here, as in GROUP BY and DISTINCT."""
    if sql_type.oid == JSON.oid:
        raise _no_operator("an equality", sql_type)
    if a is None or b is None:
        return a is None and b is None
    key = sort_key(sql_type)
    return bool(key(a) == key(b))
