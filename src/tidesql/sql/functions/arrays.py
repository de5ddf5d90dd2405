"""Array functions and operators; values are Python lists.

Containment and overlap (``@>``, ``<@``, ``&&``), append/prepend/cat (``||``),
array_length/lower/upper/ndims/dims, cardinality, array_position(s), array_remove,
array_replace, trim_array, array_to_string and string_to_array.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from tidesql import sqlstates
from tidesql.sql.functions.comparisons import (
    _array_comparisons,
    _flatten,
    _holds_nested,
    array_dimensions,
    comparison_impls,
)
from tidesql.sql.functions.registry import NULL_VALUE_NOT_ALLOWED, EvalEnv, Impl, _error
from tidesql.sql.functions.strings import text_formatter
from tidesql.sql.types import TEXT, SqlType

# =======================================================================================
# Arrays (values are Python lists; multi-dimensional arrays are nested lists)
# =======================================================================================


def _element_equality(element: SqlType) -> Impl:
    impls = comparison_impls(element)
    return impls["="] if impls is not None else operator.eq


def _array_comparison_factory(op: str) -> Callable[[tuple[SqlType, ...]], Impl]:
    def build(types: tuple[SqlType, ...]) -> Impl:
        element = types[0].element
        return _array_comparisons(element if element is not None else TEXT)[op]

    return build


def _array_element_type(types: tuple[SqlType, ...], position: int = 0) -> SqlType:
    element = types[position].element
    return element if element is not None else TEXT


def _array_contains_factory(types: tuple[SqlType, ...]) -> Impl:
    element = _array_element_type(types)
    eq, nested = _element_equality(element), _holds_nested(element)

    def contains(a: list[Any], b: list[Any]) -> bool:
        flat_a = [x for x in _flatten(a, nested) if x is not None]
        for y in _flatten(b, nested):
            if y is None or not any(eq(x, y) for x in flat_a):
                return False
        return True

    return contains


def _array_contained_factory(types: tuple[SqlType, ...]) -> Impl:
    contains = _array_contains_factory(types)
    return lambda a, b: contains(b, a)


def _array_overlap_factory(types: tuple[SqlType, ...]) -> Impl:
    element = _array_element_type(types)
    eq, nested = _element_equality(element), _holds_nested(element)

    def overlap(a: list[Any], b: list[Any]) -> bool:
        flat_b = [y for y in _flatten(b, nested) if y is not None]
        return any(x is not None and any(eq(x, y) for y in flat_b) for x in _flatten(a, nested))

    return overlap


def _array_append(a: list[Any] | None, item: Any) -> list[Any]:
    return [*(a or []), item]


def _array_prepend(item: Any, a: list[Any] | None) -> list[Any]:
    return [item, *(a or [])]


def _array_cat(a: list[Any] | None, b: list[Any] | None) -> list[Any] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _array_length_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_length(a: list[Any], dimension: int) -> int | None:
        dims = array_dimensions(a, nested)
        return dims[dimension - 1] if 1 <= dimension <= len(dims) else None

    return array_length


def _array_lower_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_lower(a: list[Any], dimension: int) -> int | None:
        return 1 if 1 <= dimension <= len(array_dimensions(a, nested)) else None

    return array_lower


def _array_ndims_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_ndims(a: list[Any]) -> int | None:
        return len(array_dimensions(a, nested)) or None

    return array_ndims


def _array_dims_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_dims(a: list[Any]) -> str | None:
        dims = array_dimensions(a, nested)
        return "".join(f"[1:{d}]" for d in dims) or None

    return array_dims


def _cardinality_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def cardinality(a: list[Any]) -> int:
        return len(_flatten(a, nested))

    return cardinality


def _array_position_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_position(a: list[Any] | None, item: Any, start: int | None = 1) -> int | None:
        if a is None:
            return None
        if start is None:
            raise _error(NULL_VALUE_NOT_ALLOWED, "initial position must not be null")
        for index in range(max(start, 1) - 1, len(a)):
            value = a[index]
            if (value is None and item is None) or (
                value is not None and item is not None and eq(value, item)
            ):
                return index + 1
        return None

    return array_position


def _array_positions_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_positions(a: list[Any] | None, item: Any) -> list[int] | None:
        if a is None:
            return None
        return [
            i + 1
            for i, value in enumerate(a)
            if (value is None and item is None)
            or (value is not None and item is not None and eq(value, item))
        ]

    return array_positions


def _array_remove_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_remove(a: list[Any] | None, item: Any) -> list[Any] | None:
        if a is None:
            return None
        if item is None:
            return [v for v in a if v is not None]
        return [v for v in a if v is None or not eq(v, item)]

    return array_remove


def _array_replace_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_replace(a: list[Any] | None, old: Any, new: Any) -> list[Any] | None:
        if a is None:
            return None
        return [
            new
            if (v is None and old is None) or (v is not None and old is not None and eq(v, old))
            else v
            for v in a
        ]

    return array_replace


def _trim_array(a: list[Any], n: int) -> list[Any]:
    if n < 0 or n > len(a):
        raise _error(
            sqlstates.ARRAY_SUBSCRIPT_ERROR,
            "number of elements to trim must be between 0 and " + str(len(a)),
        )
    return a[: len(a) - n]


def _array_to_string_factory(types: tuple[SqlType, ...]) -> Impl:
    element = _array_element_type(types)
    formatter, nested = text_formatter(element), _holds_nested(element)

    def array_to_string(
        env: EvalEnv, a: list[Any] | None, delimiter: str | None, null_text: str | None = None
    ) -> str | None:
        if a is None or delimiter is None:
            return None
        settings = env.settings
        parts: list[str] = []
        for v in _flatten(a, nested):
            if v is not None:
                parts.append(formatter(v, settings))
            elif null_text is not None:
                parts.append(null_text)
        return delimiter.join(parts)

    return array_to_string


def _string_to_array(
    s: str | None, delimiter: str | None, null_text: str | None = None
) -> list[str | None] | None:
    if s is None:
        return None
    if not s:
        return []
    if delimiter is None:
        parts = list(s)
    elif not delimiter:
        parts = [s]
    else:
        parts = s.split(delimiter)
    return [None if null_text is not None and p == null_text else p for p in parts]
