"""Registration of every built-in overload, in one fixed order, at import.

Order is behaviour: among the overloads of one name, an exact match is taken in
registration order (``format(text)`` and ``jsonb_build_object()`` each have two), so
this module is the one place that fills the registry's tables: the plain rows, then
the integer and float families, comparisons, inet, the polymorphic functions and those
reading the session (clock, time zone, settings: current_setting, set_config).
"""

from __future__ import annotations

import ipaddress
import operator
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.functions.arithmetic import (
    _FLOAT4_OPS,
    _FLOAT8_OPS,
    _INT_OPS,
    _INT_TYPES,
    _random,
    _wider_int,
)
from tidesql.sql.functions.arrays import (
    _array_append,
    _array_cat,
    _array_comparison_factory,
    _array_contained_factory,
    _array_contains_factory,
    _array_dims_factory,
    _array_length_factory,
    _array_lower_factory,
    _array_ndims_factory,
    _array_overlap_factory,
    _array_position_factory,
    _array_positions_factory,
    _array_prepend,
    _array_remove_factory,
    _array_replace_factory,
    _array_to_string_factory,
    _cardinality_factory,
    _string_to_array,
)
from tidesql.sql.functions.comparisons import (
    _COMPARISON_OPS,
    _FLOAT_COMPARISONS,
    _PYTHON_COMPARISONS,
    _keyed_comparisons,
    comparison_impls,
)
from tidesql.sql.functions.datetimes import (
    _age_from_today,
    _age_tz,
    _age_tz_from_today,
    _clock_timestamp,
    _current_date,
    _date_to_timestamp,
    _localtime,
    _localtimestamp,
    _localtimestamp_precision,
    _make_interval,
    _make_timestamptz,
    _now,
    _now_precision,
    _statement_timestamp,
    _timestamptz_add,
    _timestamptz_add_reversed,
    _timestamptz_sub,
    from_local,
    session_zone,
)
from tidesql.sql.functions.extract import _as_double, _date_trunc_timestamptz, _extract_timestamptz
from tidesql.sql.functions.formatting import _to_char_timestamptz
from tidesql.sql.functions.jsonfuncs import (
    _empty_json_array,
    _empty_json_object,
    _empty_jsonb_array,
    _empty_jsonb_object,
    _json_build_array_factory,
    _json_build_object_factory,
    _json_extract_path,
    _json_extract_path_text,
    _jsonb_build_array_factory,
    _jsonb_build_object_factory,
    _jsonb_extract_path,
    _jsonb_extract_path_text,
    _to_json_factory,
    _to_jsonb_factory,
)
from tidesql.sql.functions.plain_overloads import _PLAIN_FUNCTIONS, _PLAIN_OPERATORS
from tidesql.sql.functions.registry import (
    ANY,
    ANYARRAY,
    ANYCOMPATIBLE,
    ANYCOMPATIBLEARRAY,
    ANYELEMENT,
    ANYNONARRAY,
    NULL_VALUE_NOT_ALLOWED,
    EvalEnv,
    Impl,
    _error,
    _function,
    _operator,
)
from tidesql.sql.functions.strings import (
    _concat_factory,
    _concat_ws_factory,
    _format_factory,
    _gen_random_uuid,
    _num_nonnulls,
    _num_nulls,
    _quote_literal_any,
    _quote_nullable,
    _quote_nullable_any,
    _text_concat_any_left,
    _text_concat_any_right,
)
from tidesql.sql.types import (
    BOOL,
    BPCHAR,
    BYTEA,
    CHAR,
    DATE,
    FLOAT4,
    FLOAT8,
    INT4,
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
    array_of,
)


# =======================================================================================
# Settings
# =======================================================================================
def _current_setting(env: EvalEnv, name: str) -> str:
    return env.get_setting(name)


def _current_setting_missing_ok(env: EvalEnv, name: str, missing_ok: bool) -> str | None:
    try:
        return env.get_setting(name)
    except TideError as failure:
        if missing_ok and failure.sqlstate == sqlstates.UNDEFINED_OBJECT:
            return None
        raise


def _set_config(env: EvalEnv, name: str | None, value: str | None, is_local: bool | None) -> str:
    if name is None:
        raise _error(NULL_VALUE_NOT_ALLOWED, "SET requires parameter name")
    return env.set_setting(name, value if value is not None else "", bool(is_local))


# =======================================================================================
# The registry
# =======================================================================================
def _register_integers() -> None:
    """Every pairing of int2/int4/int8 has its own + - * / and comparisons, with the
    wider type as result (PostgreSQL's int24pl, int48mul, …); % and the bitwise
    operators take two of the same type."""
    for left in _INT_TYPES:
        for right in _INT_TYPES:
            ops = _INT_OPS[_wider_int(left, right).oid]
            result = _wider_int(left, right)
            for symbol in ("+", "-", "*", "/"):
                _operator(symbol, (left, right), result, ops[symbol])
            for symbol in _COMPARISON_OPS:
                _operator(symbol, (left, right), BOOL, _PYTHON_COMPARISONS[symbol])
        ops = _INT_OPS[left.oid]
        _operator("%", (left, left), left, ops["%"])
        _operator("-", (left,), left, ops["neg"])
        _operator("+", (left,), left, int)
        _operator("@", (left,), left, ops["abs"])
        _operator("&", (left, left), left, operator.and_)
        _operator("|", (left, left), left, operator.or_)
        _operator("#", (left, left), left, operator.xor)
        _operator("~", (left,), left, operator.invert)
        _operator("<<", (left, INT4), left, ops["<<"])
        _operator(">>", (left, INT4), left, ops[">>"])


def _register_floats() -> None:
    """float4 and float8 in all four pairings; mixed pairs compute in double."""
    for left in (FLOAT4, FLOAT8):
        for right in (FLOAT4, FLOAT8):
            single = left.oid == right.oid == FLOAT4.oid
            ops = _FLOAT4_OPS if single else _FLOAT8_OPS
            result = FLOAT4 if single else FLOAT8
            for symbol in ("+", "-", "*", "/"):
                _operator(symbol, (left, right), result, ops[symbol])
            for symbol in _COMPARISON_OPS:
                _operator(symbol, (left, right), BOOL, _FLOAT_COMPARISONS[symbol])


#: Types with same-type comparison operators (varchar uses text's, as in PostgreSQL).
# fmt: off
_COMPARABLE = (
    BOOL, OID, TEXT, NAME, BPCHAR, CHAR, BYTEA, NUMERIC, DATE, TIME, TIMESTAMP, TIMESTAMPTZ,
    INTERVAL, UUID, JSONB,
)
# fmt: on


def _converted_comparison(
    op: str, left: Callable[[EvalEnv, Any], Any], right: Callable[[EvalEnv, Any], Any]
) -> Impl:
    compare = _PYTHON_COMPARISONS[op]

    def run(env: EvalEnv, a: Any, b: Any) -> bool:
        return bool(compare(left(env, a), right(env, b)))

    return run


def _date_first_comparison(compare: Impl) -> Impl:
    def run(a: date, b: datetime) -> bool:
        return bool(compare(_date_to_timestamp(a), b))

    return run


def _date_second_comparison(compare: Impl) -> Impl:
    def run(a: datetime, b: date) -> bool:
        return bool(compare(a, _date_to_timestamp(b)))

    return run


def _as_is(env: EvalEnv, value: Any) -> Any:
    return value


def _wall_as_instant(env: EvalEnv, value: datetime) -> datetime:
    return from_local(value, session_zone(env.settings.timezone))


def _date_as_instant(env: EvalEnv, value: date) -> datetime:
    return from_local(_date_to_timestamp(value), session_zone(env.settings.timezone))


# --- inet (query time only in DSQL) ----------------------------------------------------
def _inet_within(inner: T.Inet, outer: T.Inet, strict: bool) -> bool:
    """inet << inet (strict) and <<= : inner's network lies inside outer's."""
    if inner.version != outer.version:
        return False
    if strict and inner.network.prefixlen <= outer.network.prefixlen:
        return False
    return inner.network.prefixlen >= outer.network.prefixlen and inner.ip in outer.network


def _register_inet() -> None:
    inet = T.INET
    for symbol, impl in _keyed_comparisons(T.inet_order_key).items():
        _operator(symbol, (inet, inet), BOOL, impl)
    _operator("<<", (inet, inet), BOOL, lambda a, b: _inet_within(a, b, True))
    _operator("<<=", (inet, inet), BOOL, lambda a, b: _inet_within(a, b, False))
    _operator(">>", (inet, inet), BOOL, lambda a, b: _inet_within(b, a, True))
    _operator(">>=", (inet, inet), BOOL, lambda a, b: _inet_within(b, a, False))
    _operator(
        "&&",
        (inet, inet),
        BOOL,
        lambda a, b: _inet_within(a, b, False) or _inet_within(b, a, False),
    )
    _function("host", (inet,), TEXT, lambda v: str(v.ip))
    _function("masklen", (inet,), INT4, lambda v: v.network.prefixlen)
    _function("family", (inet,), INT4, lambda v: v.version)
    _function("text", (inet,), TEXT, str)
    _function("netmask", (inet,), inet, lambda v: ipaddress.ip_interface(v.network.netmask))
    _function(
        "broadcast",
        (inet,),
        inet,
        lambda v: ipaddress.ip_interface((v.network.broadcast_address, v.network.prefixlen)),
    )
    _function(
        "set_masklen",
        (inet, INT4),
        inet,
        lambda v, bits: ipaddress.ip_interface((v.ip, bits)),
    )


def _register_comparisons() -> None:
    for t in _COMPARABLE:
        impls = comparison_impls(t)
        if impls is None:
            raise TideError(f"internal: no comparisons for {t.name}")
        for symbol in _COMPARISON_OPS:
            _operator(symbol, (t, t), BOOL, impls[symbol])
    for symbol in _COMPARISON_OPS:
        _operator(symbol, (NAME, TEXT), BOOL, _PYTHON_COMPARISONS[symbol])
        _operator(symbol, (TEXT, NAME), BOOL, _PYTHON_COMPARISONS[symbol])
        _operator(
            symbol, (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_comparison_factory(symbol)
        )
    # Dates and timestamps compare across types: a date is its midnight; a timestamp or
    # a date meets a timestamptz in the session's time zone.
    for symbol in _COMPARISON_OPS:
        compare = _PYTHON_COMPARISONS[symbol]
        _operator(symbol, (DATE, TIMESTAMP), BOOL, _date_first_comparison(compare))
        _operator(symbol, (TIMESTAMP, DATE), BOOL, _date_second_comparison(compare))
        for left, right, convert_left, convert_right in (
            (DATE, TIMESTAMPTZ, _date_as_instant, _as_is),
            (TIMESTAMPTZ, DATE, _as_is, _date_as_instant),
            (TIMESTAMP, TIMESTAMPTZ, _wall_as_instant, _as_is),
            (TIMESTAMPTZ, TIMESTAMP, _as_is, _wall_as_instant),
        ):
            impl = _converted_comparison(symbol, convert_left, convert_right)
            _operator(symbol, (left, right), BOOL, impl, needs_env=True)


def _register_polymorphic() -> None:
    _operator("||", (TEXT, ANYNONARRAY), TEXT, needs_env=True, impl_factory=_text_concat_any_right)
    _operator("||", (ANYNONARRAY, TEXT), TEXT, needs_env=True, impl_factory=_text_concat_any_left)
    _operator(
        "||", (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE), ANYCOMPATIBLEARRAY, _array_append, strict=False
    )
    _operator(
        "||", (ANYCOMPATIBLE, ANYCOMPATIBLEARRAY), ANYCOMPATIBLEARRAY, _array_prepend, strict=False
    )
    _operator(
        "||", (ANYCOMPATIBLEARRAY, ANYCOMPATIBLEARRAY), ANYCOMPATIBLEARRAY, _array_cat, strict=False
    )
    _operator("@>", (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_contains_factory)
    _operator("<@", (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_contained_factory)
    _operator("&&", (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_overlap_factory)

    variadic_any: dict[str, Any] = {"variadic": ANY, "needs_env": True, "strict": False}
    _function("concat", (), TEXT, impl_factory=_concat_factory, **variadic_any)
    _function("concat_ws", (TEXT,), TEXT, impl_factory=_concat_ws_factory, **variadic_any)
    _function("format", (TEXT,), TEXT, impl_factory=_format_factory, **variadic_any)
    _function("format", (TEXT,), TEXT, needs_env=True, impl_factory=_format_factory)
    _function("num_nulls", (), INT4, _num_nulls, variadic=ANY, strict=False)
    _function("num_nonnulls", (), INT4, _num_nonnulls, variadic=ANY, strict=False)
    _function(
        "quote_literal",
        (ANYELEMENT,),
        TEXT,
        needs_env=True,
        impl_factory=lambda types: _quote_literal_any(types[0]),
    )
    _function("quote_nullable", (TEXT,), TEXT, _quote_nullable, strict=False)
    _function(
        "quote_nullable",
        (ANYELEMENT,),
        TEXT,
        needs_env=True,
        strict=False,
        impl_factory=lambda types: _quote_nullable_any(types[0]),
    )

    _function(
        "array_append",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        ANYCOMPATIBLEARRAY,
        _array_append,
        strict=False,
    )
    _function(
        "array_prepend",
        (ANYCOMPATIBLE, ANYCOMPATIBLEARRAY),
        ANYCOMPATIBLEARRAY,
        _array_prepend,
        strict=False,
    )
    _function(
        "array_cat",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLEARRAY),
        ANYCOMPATIBLEARRAY,
        _array_cat,
        strict=False,
    )
    _function("array_length", (ANYARRAY, INT4), INT4, impl_factory=_array_length_factory)
    _function("array_upper", (ANYARRAY, INT4), INT4, impl_factory=_array_length_factory)
    _function("array_lower", (ANYARRAY, INT4), INT4, impl_factory=_array_lower_factory)
    _function("array_ndims", (ANYARRAY,), INT4, impl_factory=_array_ndims_factory)
    _function("array_dims", (ANYARRAY,), TEXT, impl_factory=_array_dims_factory)
    _function("cardinality", (ANYARRAY,), INT4, impl_factory=_cardinality_factory)
    _function(
        "array_position",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        INT4,
        strict=False,
        impl_factory=_array_position_factory,
    )
    _function(
        "array_position",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, INT4),
        INT4,
        strict=False,
        impl_factory=_array_position_factory,
    )
    _function(
        "array_positions",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        array_of(INT4),
        strict=False,
        impl_factory=_array_positions_factory,
    )
    _function(
        "array_remove",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        ANYCOMPATIBLEARRAY,
        strict=False,
        impl_factory=_array_remove_factory,
    )
    _function(
        "array_replace",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, ANYCOMPATIBLE),
        ANYCOMPATIBLEARRAY,
        strict=False,
        impl_factory=_array_replace_factory,
    )
    _function(
        "array_to_string",
        (ANYARRAY, TEXT),
        TEXT,
        needs_env=True,
        strict=False,
        impl_factory=_array_to_string_factory,
    )
    _function(
        "array_to_string",
        (ANYARRAY, TEXT, TEXT),
        TEXT,
        needs_env=True,
        strict=False,
        impl_factory=_array_to_string_factory,
    )
    _function("string_to_array", (TEXT, TEXT), array_of(TEXT), _string_to_array, strict=False)
    _function("string_to_array", (TEXT, TEXT, TEXT), array_of(TEXT), _string_to_array, strict=False)

    _function("to_jsonb", (ANYELEMENT,), JSONB, needs_env=True, impl_factory=_to_jsonb_factory)
    _function("to_json", (ANYELEMENT,), JSON, needs_env=True, impl_factory=_to_json_factory)
    _function(
        "jsonb_build_object", (), JSONB, impl_factory=_jsonb_build_object_factory, **variadic_any
    )
    _function("jsonb_build_object", (), JSONB, _empty_jsonb_object)
    _function(
        "json_build_object", (), JSON, impl_factory=_json_build_object_factory, **variadic_any
    )
    _function("json_build_object", (), JSON, _empty_json_object)
    _function(
        "jsonb_build_array", (), JSONB, impl_factory=_jsonb_build_array_factory, **variadic_any
    )
    _function("jsonb_build_array", (), JSONB, _empty_jsonb_array)
    _function("json_build_array", (), JSON, impl_factory=_json_build_array_factory, **variadic_any)
    _function("json_build_array", (), JSON, _empty_json_array)
    _function("jsonb_extract_path", (JSONB,), JSONB, _jsonb_extract_path, variadic=TEXT)
    _function("jsonb_extract_path_text", (JSONB,), TEXT, _jsonb_extract_path_text, variadic=TEXT)
    _function("json_extract_path", (JSON,), JSON, _json_extract_path, variadic=TEXT)
    _function("json_extract_path_text", (JSON,), TEXT, _json_extract_path_text, variadic=TEXT)


def _register_environment_functions() -> None:
    """Functions reading the session (time zone, clock, settings) or with side effects."""
    env: dict[str, Any] = {"needs_env": True}
    _function("now", (), TIMESTAMPTZ, _now, **env)
    _function("current_timestamp", (), TIMESTAMPTZ, _now, **env)
    _function("current_timestamp", (INT4,), TIMESTAMPTZ, _now_precision, **env)
    _function("transaction_timestamp", (), TIMESTAMPTZ, _now, **env)
    _function("statement_timestamp", (), TIMESTAMPTZ, _statement_timestamp, **env)
    _function("clock_timestamp", (), TIMESTAMPTZ, _clock_timestamp, volatile=True)
    _function("current_date", (), DATE, _current_date, **env)
    _function("localtimestamp", (), TIMESTAMP, _localtimestamp, **env)
    _function("localtimestamp", (INT4,), TIMESTAMP, _localtimestamp_precision, **env)
    _function("localtime", (), TIME, _localtime, **env)
    _function("random", (), FLOAT8, _random, volatile=True)
    _function("gen_random_uuid", (), UUID, _gen_random_uuid, volatile=True)
    _function("age", (TIMESTAMP,), INTERVAL, _age_from_today, **env)
    _function("age", (TIMESTAMPTZ,), INTERVAL, _age_tz_from_today, **env)
    _function("age", (TIMESTAMPTZ, TIMESTAMPTZ), INTERVAL, _age_tz, **env)
    _function("date_part", (TEXT, TIMESTAMPTZ), FLOAT8, _as_double(_extract_timestamptz), **env)
    _function("extract", (TEXT, TIMESTAMPTZ), NUMERIC, _extract_timestamptz, **env)
    _function("date_trunc", (TEXT, TIMESTAMPTZ), TIMESTAMPTZ, _date_trunc_timestamptz, **env)
    _function(
        "make_timestamptz",
        (INT4, INT4, INT4, INT4, INT4, FLOAT8),
        TIMESTAMPTZ,
        _make_timestamptz,
        **env,
    )
    _function("to_char", (TIMESTAMPTZ, TEXT), TEXT, _to_char_timestamptz, **env)
    _function("current_setting", (TEXT,), TEXT, _current_setting, **env)
    _function("current_setting", (TEXT, BOOL), TEXT, _current_setting_missing_ok, **env)
    _function(
        "set_config", (TEXT, TEXT, BOOL), TEXT, _set_config, strict=False, volatile=True, **env
    )
    _operator("+", (TIMESTAMPTZ, INTERVAL), TIMESTAMPTZ, _timestamptz_add, **env)
    _operator("+", (INTERVAL, TIMESTAMPTZ), TIMESTAMPTZ, _timestamptz_add_reversed, **env)
    _operator("-", (TIMESTAMPTZ, INTERVAL), TIMESTAMPTZ, _timestamptz_sub, **env)
    for n in range(8):
        _function(
            "make_interval",
            (INT4, INT4, INT4, INT4, INT4, INT4, FLOAT8)[:n],
            INTERVAL,
            _make_interval,
        )


def _build_registry() -> None:
    for name, arg_types, result, impl in _PLAIN_FUNCTIONS:
        _function(name, arg_types, result, impl)
    for op, arg_types, result, impl in _PLAIN_OPERATORS:
        _operator(op, arg_types, result, impl)
    _register_integers()
    _register_floats()
    _register_comparisons()
    _register_inet()
    _register_polymorphic()
    _register_environment_functions()


_build_registry()
