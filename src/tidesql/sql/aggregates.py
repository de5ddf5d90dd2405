"""Aggregate functions: what each computes, its PostgreSQL result type, and resolution.

An :class:`Aggregate` is three plain callables over a *state*: ``init()`` makes a fresh
state, ``step(state, *values)`` folds one row in and returns the new state, and
``final(state)`` turns it into the result. The executor owns everything around them:
DISTINCT, FILTER and ORDER BY inside the call decide which rows reach ``step`` and in
what order; for a ``strict`` aggregate it skips rows with a NULL argument (so ``sum``
never sees one), while a non-strict one (``array_agg``, ``string_agg``, ``json_agg``)
sees ``None``. ``count(*)`` is ``count`` with no arguments: ``step(state)`` per row.

Which states, and why
---------------------
Window frames call ``final`` on a running state and then keep stepping it, copying only
list and dict states first, so states are immutable values (ints, tuples, Decimals)
wherever that is cheap, and ``final`` never mutates or returns the state object itself.

Result types and numbers follow PostgreSQL: ``sum(int4)`` is bigint, ``sum(int8)`` and
``avg`` of integers are numeric; ``avg`` divides with numeric division's scale
(``avg(1, 2) = 1.5000000000000000``); variance and stddev of integers and numerics are
computed exactly and rounded like numeric.c (``N·Σx² − (Σx)²`` over ``N(N−1)``), of floats
with the Youngs–Cramer update PostgreSQL uses, so the last bits agree. An aggregate over
no rows is NULL, except ``count``, which is 0.

Resolution reuses :func:`tidesql.sql.functions.resolve_signature`, so ``sum(int2)``,
``max(varchar)`` (→ ``max(text)``) and ``array_agg(anyarray)`` pick overloads exactly
as function calls do; failures are PostgreSQL's 42883 ``function sum(text) does not
exist``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import functions as F
from tidesql.sql import types as T
from tidesql.sql.functions import (
    ANY,
    ANYARRAY,
    ANYELEMENT,
    ANYNONARRAY,
    NULL_VALUE_NOT_ALLOWED,
)
from tidesql.sql.types import (
    BOOL,
    BPCHAR,
    BYTEA,
    DATE,
    FLOAT4,
    FLOAT8,
    INT2,
    INT4,
    INT8,
    INTERVAL,
    JSON,
    JSONB,
    NUMERIC,
    OID,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    SqlType,
)

Step = Callable[..., Any]
Final = Callable[[Any], object]


@dataclass(frozen=True)
class Aggregate:
    """One signature of an aggregate and its state machine.

    ``specialize`` (tidesql's addition) builds the concrete aggregate for polymorphic
    signatures (``min``/``max`` need the comparison of their type, ``json_agg`` the JSON
    conversion of it); aggregates handed out by :func:`resolve_aggregate` never need it,
    and their ``arg_types``/``result_type`` are concrete.
    """

    name: str
    arg_types: tuple[SqlType, ...]
    result_type: SqlType
    init: Callable[[], object]
    step: Step
    final: Final
    strict: bool = True
    result_type_fn: Callable[[list[SqlType]], SqlType] | None = None
    specialize: Callable[[Aggregate, tuple[SqlType, ...]], Aggregate] | None = field(
        default=None, compare=False
    )


def _none() -> object:
    return None


def _zero() -> object:
    return 0


def _identity(state: Any) -> Any:
    return state


def _unspecialized(*_: Any) -> Any:
    raise TideError("internal: aggregate used without specialization")


# ---------------------------------------------------------------------------------------
# count, bool_and/bool_or, bit_and/bit_or/bit_xor
# ---------------------------------------------------------------------------------------
def _count_step(state: int, *_: Any) -> int:
    return state + 1


def _bool_and_step(state: bool | None, value: bool) -> bool:
    return value if state is None else state and value


def _bool_or_step(state: bool | None, value: bool) -> bool:
    return value if state is None else state or value


def _bit_and_step(state: int | None, value: int) -> int:
    return value if state is None else state & value


def _bit_or_step(state: int | None, value: int) -> int:
    return value if state is None else state | value


def _bit_xor_step(state: int | None, value: int) -> int:
    return value if state is None else state ^ value


# ---------------------------------------------------------------------------------------
# sum and avg
# ---------------------------------------------------------------------------------------
def _sum_int_step(state: int | None, value: int) -> int:
    # int2/int4 sums accumulate in bigint.
    total = value if state is None else state + value
    if not -(2**63) <= total < 2**63:
        raise TideError("bigint out of range", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE)
    return total


def _sum_exact_step(state: int | None, value: int) -> int:
    return value if state is None else state + value


def _int_sum_as_numeric(state: int | None) -> Decimal | None:
    return None if state is None else Decimal(state)


def _sum_numeric_step(state: Decimal | None, value: Decimal) -> Decimal:
    return value if state is None else F.numeric_add(state, value)


def _sum_float8_step(state: float | None, value: float) -> float:
    return value if state is None else F.float8_add(state, value)


def _sum_float4_step(state: float | None, value: float) -> float:
    return value if state is None else F.float4_add(state, value)


def _sum_interval_step(state: Any, value: Any) -> Any:
    return value if state is None else F.interval_add(state, value)


def _avg_int_step(state: tuple[int, int] | None, value: int) -> tuple[int, int]:
    if state is None:
        return 1, value
    return state[0] + 1, state[1] + value


def _avg_int_final(state: tuple[int, int] | None) -> Decimal | None:
    if state is None:
        return None
    count, total = state
    return F.numeric_div(Decimal(total), Decimal(count))


def _avg_numeric_step(state: tuple[int, Decimal] | None, value: Decimal) -> tuple[int, Decimal]:
    if state is None:
        return 1, value
    return state[0] + 1, F.numeric_add(state[1], value)


def _avg_numeric_final(state: tuple[int, Decimal] | None) -> Decimal | None:
    if state is None:
        return None
    count, total = state
    return F.numeric_div(total, Decimal(count))


def _avg_interval_step(state: tuple[int, Any] | None, value: Any) -> tuple[int, Any]:
    if state is None:
        return 1, value
    return state[0] + 1, F.interval_add(state[1], value)


def _avg_interval_final(state: tuple[int, Any] | None) -> Any:
    if state is None:
        return None
    count, total = state
    return F.interval_divide(total, float(count))


# ---------------------------------------------------------------------------------------
# Floating-point moments: PostgreSQL's float8_accum (Youngs–Cramer)
# ---------------------------------------------------------------------------------------
FloatMoments = tuple[float, float, float]  # N, Σx, Σ(x − mean)²


def _float_accumulate(state: FloatMoments | None, value: float) -> FloatMoments:
    if state is None:
        n, sum_x, sum_xx = 0.0, 0.0, 0.0
    else:
        n, sum_x, sum_xx = state
    new_n = n + 1.0
    new_sum_x = sum_x + value
    if n > 0.0:
        tmp = value * new_n - new_sum_x
        new_sum_xx = sum_xx + tmp * tmp / (new_n * n)
        if math.isinf(new_sum_x) or math.isinf(new_sum_xx):
            if not math.isinf(sum_x) and not math.isinf(value):
                raise F.float_overflow_error()
            new_sum_xx = math.nan
    else:
        new_sum_xx = math.nan if math.isnan(value) or math.isinf(value) else 0.0
    return new_n, new_sum_x, new_sum_xx


def _float_avg_final(state: FloatMoments | None) -> float | None:
    if state is None:
        return None
    n, sum_x, _ = state
    return sum_x / n


def _float_variance(sample: bool, root: bool) -> Final:
    def final(state: FloatMoments | None) -> float | None:
        if state is None:
            return None
        n, _, sum_xx = state
        if sample and n <= 1.0:
            return None
        variance = sum_xx / (n - 1.0 if sample else n)
        return math.sqrt(variance) if root else variance

    return final


# ---------------------------------------------------------------------------------------
# Exact moments for integers and numerics: numeric.c's numeric_stddev_internal
# ---------------------------------------------------------------------------------------
NumericMoments = tuple[int, Decimal, Decimal]  # N, Σx, Σx²


def _numeric_accumulate(state: NumericMoments | None, value: Any) -> NumericMoments:
    x = value if isinstance(value, Decimal) else Decimal(value)
    square = F.numeric_mul(x, x)
    if state is None:
        return 1, x, square
    n, sum_x, sum_x2 = state
    return n + 1, F.numeric_add(sum_x, x), F.numeric_add(sum_x2, square)


def _numeric_variance(sample: bool, root: bool) -> Final:
    def final(state: NumericMoments | None) -> Decimal | None:
        if state is None:
            return None
        n, sum_x, sum_x2 = state
        if sample and n <= 1:
            return None
        if sum_x.is_nan() or sum_x2.is_nan():
            return Decimal("NaN")
        count = Decimal(n)
        numerator = F.numeric_sub(F.numeric_mul(count, sum_x2), F.numeric_mul(sum_x, sum_x))
        if numerator <= 0:
            # Rounding can't make this negative in exact arithmetic; zero stays "0".
            return Decimal(0)
        denominator = Decimal(n * (n - 1) if sample else n * n)
        rscale = F.select_div_scale(numerator, denominator)
        variance = F.numeric_div_scaled(numerator, denominator, rscale)
        if not root:
            return variance
        return F.numeric_sqrt_scaled(variance, rscale)

    return final


# ---------------------------------------------------------------------------------------
# min and max
# ---------------------------------------------------------------------------------------
def _extreme(aggregate: Aggregate, types: tuple[SqlType, ...]) -> Aggregate:
    """min/max over ``types[0]`` with that type's ordering (NaN above all numbers)."""
    comparisons = F.comparison_impls(types[0])
    if comparisons is None:
        raise TideError(f"internal: {types[0].name} has no ordering")
    better = comparisons["<" if aggregate.name == "min" else ">"]

    def step(state: Any, value: Any) -> Any:
        return value if state is None or better(value, state) else state

    return replace(aggregate, step=step)


# ---------------------------------------------------------------------------------------
# string_agg and array_agg
# ---------------------------------------------------------------------------------------
def _string_agg_step(state: list[Any] | None, value: Any, delimiter: Any) -> list[Any] | None:
    if value is None:
        return state
    if state is None:
        return [value]
    if delimiter is not None:
        state.append(delimiter)
    state.append(value)
    return state


def _string_agg_text_final(state: list[str] | None) -> str | None:
    return None if state is None else "".join(state)


def _string_agg_bytes_final(state: list[bytes] | None) -> bytes | None:
    return None if state is None else b"".join(state)


def _array_agg_step(state: list[Any] | None, value: Any) -> list[Any]:
    if state is None:
        return [value]
    state.append(value)
    return state


def _list_final(state: list[Any] | None) -> list[Any] | None:
    return None if state is None else list(state)


def _array_agg_arrays_step(state: list[Any] | None, value: Any) -> list[Any]:
    if value is None:
        raise TideError("cannot accumulate null arrays", sqlstate=NULL_VALUE_NOT_ALLOWED)
    if not value:
        raise TideError("cannot accumulate empty arrays", sqlstate=sqlstates.ARRAY_SUBSCRIPT_ERROR)
    if state is None:
        return [value]
    if F.array_dimensions(state[0], True) != F.array_dimensions(value, True):
        raise TideError(
            "cannot accumulate arrays of different dimensionality",
            sqlstate=sqlstates.ARRAY_SUBSCRIPT_ERROR,
        )
    state.append(value)
    return state


# ---------------------------------------------------------------------------------------
# json_agg, jsonb_agg, json_object_agg, jsonb_object_agg
# ---------------------------------------------------------------------------------------
# Aggregates get no session: values convert with the default settings (a timestamptz in
# json_agg is written in UTC).
_SETTINGS = T.DEFAULT_SETTINGS


def _json_agg(aggregate: Aggregate, types: tuple[SqlType, ...]) -> Aggregate:
    convert = F.to_json_converter(types[0])

    def step(state: list[str] | None, value: Any) -> list[str]:
        text = "null" if value is None else convert(value, _SETTINGS)
        if state is None:
            return [text]
        state.append(text)
        return state

    def final(state: list[str] | None) -> str | None:
        return None if state is None else "[" + ", ".join(state) + "]"

    return replace(aggregate, step=step, final=final)


def _jsonb_agg(aggregate: Aggregate, types: tuple[SqlType, ...]) -> Aggregate:
    convert = F.to_jsonb_converter(types[0])

    def step(state: list[Any] | None, value: Any) -> list[Any]:
        item = None if value is None else convert(value, _SETTINGS)
        if state is None:
            return [item]
        state.append(item)
        return state

    return replace(aggregate, step=step, final=_list_final)


def _null_field_name() -> TideError:
    return TideError("field name must not be null", sqlstate=sqlstates.INVALID_PARAMETER_VALUE)


def _json_object_agg(aggregate: Aggregate, types: tuple[SqlType, ...]) -> Aggregate:
    key_text = F.text_formatter(types[0])
    convert = F.to_json_converter(types[1])

    def step(state: list[str] | None, key: Any, value: Any) -> list[str]:
        if key is None:
            raise _null_field_name()
        member = (
            F.json_string(key_text(key, _SETTINGS))
            + " : "
            + ("null" if value is None else convert(value, _SETTINGS))
        )
        if state is None:
            return [member]
        state.append(member)
        return state

    def final(state: list[str] | None) -> str | None:
        return None if state is None else "{ " + ", ".join(state) + " }"

    return replace(aggregate, step=step, final=final)


def _jsonb_object_agg(aggregate: Aggregate, types: tuple[SqlType, ...]) -> Aggregate:
    key_text = F.text_formatter(types[0])
    convert = F.to_jsonb_converter(types[1])

    def step(state: dict[str, Any] | None, key: Any, value: Any) -> dict[str, Any]:
        if key is None:
            raise _null_field_name()
        if state is None:
            state = {}
        state[key_text(key, _SETTINGS)] = None if value is None else convert(value, _SETTINGS)
        return state

    def final(state: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if state is None else dict(state)

    return replace(aggregate, step=step, final=final)


# ---------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------
_AGGREGATES: dict[str, list[Aggregate]] = {}


def _register(
    name: str,
    arg_types: Sequence[SqlType],
    result: SqlType,
    step: Step = _unspecialized,
    final: Final = _identity,
    init: Callable[[], object] = _none,
    **options: Any,
) -> None:
    _AGGREGATES.setdefault(name, []).append(
        Aggregate(name, tuple(arg_types), result, init, step, final, **options)
    )


_INTEGERS = (INT2, INT4, INT8)
# fmt: off
_ORDERED = (
    INT2, INT4, INT8, OID, FLOAT4, FLOAT8, NUMERIC, TEXT, BPCHAR, DATE, TIME, TIMESTAMP,
    TIMESTAMPTZ, INTERVAL, ANYARRAY,
)
# fmt: on


def _build_registry() -> None:
    _register("count", (), INT8, _count_step, init=_zero)
    _register("count", (ANY,), INT8, _count_step, init=_zero)

    for t in (INT2, INT4):
        _register("sum", (t,), INT8, _sum_int_step)
        _register("avg", (t,), NUMERIC, _avg_int_step, _avg_int_final)
    _register("sum", (INT8,), NUMERIC, _sum_exact_step, _int_sum_as_numeric)
    _register("avg", (INT8,), NUMERIC, _avg_int_step, _avg_int_final)
    _register("sum", (NUMERIC,), NUMERIC, _sum_numeric_step)
    _register("avg", (NUMERIC,), NUMERIC, _avg_numeric_step, _avg_numeric_final)
    _register("sum", (FLOAT4,), FLOAT4, _sum_float4_step)
    _register("sum", (FLOAT8,), FLOAT8, _sum_float8_step)
    for t in (FLOAT4, FLOAT8):
        _register("avg", (t,), FLOAT8, _float_accumulate, _float_avg_final)
    _register("sum", (INTERVAL,), INTERVAL, _sum_interval_step)
    _register("avg", (INTERVAL,), INTERVAL, _avg_interval_step, _avg_interval_final)

    variances = {
        "variance": (True, False),
        "var_samp": (True, False),
        "var_pop": (False, False),
        "stddev": (True, True),
        "stddev_samp": (True, True),
        "stddev_pop": (False, True),
    }
    for name, (sample, root) in variances.items():
        for t in (*_INTEGERS, NUMERIC):
            _register(name, (t,), NUMERIC, _numeric_accumulate, _numeric_variance(sample, root))
        for t in (FLOAT4, FLOAT8):
            _register(name, (t,), FLOAT8, _float_accumulate, _float_variance(sample, root))

    for name in ("min", "max"):
        for t in _ORDERED:
            _register(name, (t,), t, specialize=_extreme)

    for name, step in (("bool_and", _bool_and_step), ("bool_or", _bool_or_step)):
        _register(name, (BOOL,), BOOL, step)
    _register("every", (BOOL,), BOOL, _bool_and_step)
    for t in _INTEGERS:
        _register("bit_and", (t,), t, _bit_and_step)
        _register("bit_or", (t,), t, _bit_or_step)
        _register("bit_xor", (t,), t, _bit_xor_step)

    _register(
        "string_agg", (TEXT, TEXT), TEXT, _string_agg_step, _string_agg_text_final, strict=False
    )
    _register(
        "string_agg", (BYTEA, BYTEA), BYTEA, _string_agg_step, _string_agg_bytes_final, strict=False
    )
    _register("array_agg", (ANYNONARRAY,), ANYARRAY, _array_agg_step, _list_final, strict=False)
    _register("array_agg", (ANYARRAY,), ANYARRAY, _array_agg_arrays_step, _list_final, strict=False)
    _register("json_agg", (ANYELEMENT,), JSON, strict=False, specialize=_json_agg)
    _register("jsonb_agg", (ANYELEMENT,), JSONB, strict=False, specialize=_jsonb_agg)
    _register("json_object_agg", (ANY, ANY), JSON, strict=False, specialize=_json_object_agg)
    _register("jsonb_object_agg", (ANY, ANY), JSONB, strict=False, specialize=_jsonb_object_agg)


_build_registry()


def is_aggregate(name: str) -> bool:
    """Whether ``name`` is a built-in aggregate function."""
    return name in _AGGREGATES


@lru_cache(maxsize=1024)
def _resolve_cached(name: str, arg_types: tuple[SqlType, ...]) -> Aggregate:
    candidates = _AGGREGATES.get(name, [])
    match = F.resolve_signature(name, [(a.arg_types, None) for a in candidates], arg_types)
    aggregate = candidates[match.index]
    result = match.result_type(aggregate.result_type)
    if aggregate.result_type_fn is not None:
        result = aggregate.result_type_fn(list(match.concrete))
    if aggregate.specialize is not None:
        aggregate = aggregate.specialize(aggregate, match.concrete)
    return replace(
        aggregate,
        arg_types=match.concrete,
        result_type=result,
        result_type_fn=None,
        specialize=None,
    )


def resolve_aggregate(name: str, arg_types: list[SqlType]) -> Aggregate:
    """The aggregate ``name`` over arguments of ``arg_types`` (``[]`` for ``count(*)``)."""
    return _resolve_cached(name, tuple(arg_types))
