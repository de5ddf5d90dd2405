"""Set-returning functions usable in FROM: generate_series and unnest."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T

#: A bound on the rows one call may produce, so a typo cannot exhaust memory.
SERIES_ROWS_MAX = 50_000_000
#: The set-returning functions, also usable in a select list (planner: ProjectSet).
NAMES = frozenset({"generate_series", "generate_subscripts", "unnest", "pg_partition_ancestors"})
#: int2vector and oidvector unnest like arrays; their subscripts start at 0.
_VECTOR_ELEMENTS = {T.INT2VECTOR.oid: T.INT2, T.OIDVECTOR.oid: T.OID}


def _series(start: Any, stop: Any, step: Any = 1) -> list[tuple[Any, ...]]:
    if step == 0:
        raise TideError("step size cannot equal zero", sqlstate=sqlstates.INVALID_PARAMETER_VALUE)
    out = []
    value = start
    while (step > 0 and value <= stop) or (step < 0 and value >= stop):
        out.append((value,))
        if len(out) > SERIES_ROWS_MAX:
            raise TideError(
                "generate_series produced too many rows", sqlstate=sqlstates.PROGRAM_LIMIT_EXCEEDED
            )
        value = value + step
    return out


def _time_series(env: Any, start: Any, stop: Any, step: Any) -> list[tuple[Any, ...]]:
    from tidesql.sql import functions as F

    add = F.resolve_operator("+", T.TIMESTAMPTZ if start.tzinfo else T.TIMESTAMP, T.INTERVAL)
    zero = T.Interval(0, 0, 0)
    if step == zero:
        raise TideError("step size cannot equal zero", sqlstate=sqlstates.INVALID_PARAMETER_VALUE)
    forward = step > zero
    out = []
    value = start
    while (forward and value <= stop) or (not forward and value >= stop):
        out.append((value,))
        if len(out) > SERIES_ROWS_MAX:
            raise TideError(
                "generate_series produced too many rows", sqlstate=sqlstates.PROGRAM_LIMIT_EXCEEDED
            )
        value = add.impl(env, value, step) if add.needs_env else add.impl(value, step)
    return out


def _unnest(values: list[Any]) -> list[tuple[Any, ...]]:
    flat: list[Any] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append(item)

    walk(values)
    return [(v,) for v in flat]


def _subscripts(
    env: Any, values: list[Any], dimension: int, reverse: bool = False
) -> list[tuple[Any, ...]]:
    """generate_subscripts(array, dim[, reverse]): 1..length of that dimension."""
    level = values
    for _ in range(dimension - 1):
        level = next((item for item in level if isinstance(item, list)), [])
    if dimension < 1 or not level:
        return []
    numbers = range(len(level), 0, -1) if reverse else range(1, len(level) + 1)
    return [(n,) for n in numbers]


def _vector_subscripts(
    env: Any, values: list[Any], dimension: int, reverse: bool = False
) -> list[tuple[Any, ...]]:
    return [(n - 1,) for (n,) in _subscripts(env, values, dimension, reverse)]


#: The set-returning functions usable at the top of a select item.
SET_RETURNING = NAMES


def set_returning_function(
    name: str, arg_types: list[T.SqlType]
) -> tuple[Callable[..., list[tuple[Any, ...]]], list[T.SqlType], list[T.SqlType], list[str]]:
    """(function(env, *args), argument types, result column types, column names)."""
    oids = [t.oid for t in arg_types]
    if name == "generate_series" and len(arg_types) in (2, 3):
        integers = {T.INT2.oid, T.INT4.oid, T.INT8.oid, T.UNKNOWN.oid}
        if all(o in integers for o in oids):
            kind = T.INT8 if T.INT8.oid in oids else T.INT4
            return (lambda env, *a: _series(*a)), [kind] * len(oids), [kind], ["generate_series"]
        if all(o in integers | {T.NUMERIC.oid} for o in oids):
            return (
                (lambda env, *a: _series(*[Decimal(x) for x in a])),
                [T.NUMERIC] * len(oids),
                [T.NUMERIC],
                ["generate_series"],
            )
        if len(oids) == 3 and oids[0] in (
            T.TIMESTAMP.oid,
            T.TIMESTAMPTZ.oid,
            T.DATE.oid,
            T.UNKNOWN.oid,
        ):
            kind = (
                T.TIMESTAMPTZ
                if T.TIMESTAMPTZ.oid in oids or T.UNKNOWN.oid in oids[:2]
                else T.TIMESTAMP
            )
            if T.TIMESTAMP.oid in oids or T.DATE.oid in oids:
                kind = T.TIMESTAMP if T.TIMESTAMPTZ.oid not in oids else T.TIMESTAMPTZ
            return _time_series, [kind, kind, T.INTERVAL], [kind], ["generate_series"]
    if name == "generate_subscripts" and len(arg_types) in (2, 3):
        types = [arg_types[0], T.INT4, T.BOOL][: len(oids)]
        if arg_types[0].element is not None:
            return _subscripts, types, [T.INT4], [name]
        if arg_types[0].oid in _VECTOR_ELEMENTS:
            return _vector_subscripts, types, [T.INT4], [name]
    if name == "unnest" and len(arg_types) == 1:
        element = arg_types[0].element or _VECTOR_ELEMENTS.get(arg_types[0].oid)
        if element is None:
            raise TideError(
                f"function unnest({arg_types[0].name}) does not exist",
                sqlstate=sqlstates.UNDEFINED_FUNCTION,
            )
        return (lambda env, values: _unnest(values)), arg_types, [element], ["unnest"]
    if name == "pg_partition_ancestors" and len(arg_types) == 1:
        # No table is partitioned: each is its own only ancestor (psql's \d asks).
        return (lambda env, oid: [(oid,)]), [T.REGCLASS], [T.REGCLASS], ["relid"]
    shown = ", ".join(t.name for t in arg_types)
    raise TideError(
        f"function {name}({shown}) does not exist",
        sqlstate=sqlstates.UNDEFINED_FUNCTION,
        hint="No function matches the given name and argument types. "
        "You might need to add explicit type casts.",
    )
