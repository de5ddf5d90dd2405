"""Scalar functions and operators: the registry, and PostgreSQL's overload resolution.

What lives here
---------------
Every built-in scalar function and operator is an :class:`Overload`: declared argument
types, a result type, and a plain Python callable computing one value. The binder asks
:func:`resolve_function` / :func:`resolve_operator` once per call site at plan time
(answers are cached); the executor then calls ``impl`` once per row. Impls are closures
with everything bound in advance (type, range limits, formatter), so a row costs one
Python call and no dictionary lookups.

The returned Overload is *concrete*: ``arg_types`` are the types the caller must cast
each argument to (an untyped literal gets the declared type, a polymorphic argument its
bound type, a ``"any"`` argument keeps its own type) and ``result_type`` is the actual
result type, polymorphism resolved. Calling convention: ``impl(*values)``, or
``impl(env, *values)`` when ``needs_env``; a ``strict`` overload is never called with a
NULL (the caller returns NULL), a non-strict one sees ``None``.

Modules
-------
- ``registry``: Overload, the pseudo-types, the overload tables and resolution (how an
  overload is chosen, PostgreSQL's rules step by step, is told there).
- ``arithmetic``: int2/int4/int8, float4/float8 and numeric.
- ``strings``: text and bytea, quoting, concat/format, encodings.
- ``patterns``: LIKE, POSIX regular expressions, SIMILAR TO.
- ``datetimes``: time zones, date/time/timestamp/interval arithmetic, current time.
- ``extract``: EXTRACT, date_part, date_trunc.
- ``formatting``: to_char.
- ``jsonfuncs``: json and jsonb.
- ``comparisons``: the comparison operators of each type, arrays' order included.
- ``arrays``: array functions and operators.
- ``plain_overloads`` and ``registration``: the built-ins, registered in one fixed order
  when this package is imported.

Values
------
NULL is ``None``; numeric is ``Decimal`` (computed exactly in a context of unbounded
precision, division and transcendental functions rounded to PostgreSQL's result scale),
floats are ``float`` (float4 results rounded to binary32), timestamps are naive
``datetime``, timestamptz aware UTC ``datetime`` (calendar arithmetic done in the
session time zone), intervals :class:`Interval`, arrays ``list``, json ``str`` and
jsonb parsed Python values.

Non-goals: set-returning functions (unnest, generate_series, jsonb_each) and the
functions the binder evaluates itself (coalesce, nullif, greatest, least, pg_typeof,
version) are not here; neither are named arguments.
"""

from __future__ import annotations

# Importing registration fills the registry's tables with every built-in, in order.
from tidesql.sql.functions import registration
from tidesql.sql.functions.arithmetic import (
    NUMERIC_INTEGER_DIGITS_MAX,
    NUMERIC_MAX_DISPLAY_SCALE,
    NUMERIC_MIN_SIG_DIGITS,
    float4_add,
    float8_add,
    float_overflow_error,
    numeric_add,
    numeric_div,
    numeric_div_scaled,
    numeric_mul,
    numeric_round,
    numeric_scale,
    numeric_sqrt_scaled,
    numeric_sub,
    select_div_scale,
)
from tidesql.sql.functions.comparisons import array_dimensions, comparison_impls, jsonb_sort_key
from tidesql.sql.functions.datetimes import (
    DAYS_PER_MONTH,
    USECS_PER_DAY,
    USECS_PER_SECOND,
    from_local,
    interval_add,
    interval_divide,
    interval_multiply,
    interval_sort_key,
    named_zone,
    session_zone,
    time_microseconds,
    timestamp_add_interval,
    timestamptz_add_interval,
    to_local,
)
from tidesql.sql.functions.extract import date_trunc_timestamptz
from tidesql.sql.functions.jsonfuncs import (
    JSONB_NULL,
    JsonbConverter,
    JsonConverter,
    json_string,
    jsonb_contains,
    jsonb_key_order,
    jsonb_text,
    to_json_converter,
    to_jsonb_converter,
)
from tidesql.sql.functions.patterns import compile_regex, like_regex
from tidesql.sql.functions.registry import (
    ANY,
    ANYARRAY,
    ANYCOMPATIBLE,
    ANYCOMPATIBLEARRAY,
    ANYELEMENT,
    ANYNONARRAY,
    NULL_VALUE_NOT_ALLOWED,
    Binding,
    EvalEnv,
    Impl,
    Match,
    Overload,
    _function,
    common_supertype,
    function_names,
    match_signatures,
    polymorphic_unknown_error,
    resolve_function,
    resolve_operator,
    resolve_signature,
)
from tidesql.sql.functions.strings import (
    TEXT_BYTES_MAX,
    Formatter,
    quote_ident,
    quote_literal,
    text_formatter,
)

__all__ = [
    "ANY",
    "ANYARRAY",
    "ANYCOMPATIBLE",
    "ANYCOMPATIBLEARRAY",
    "ANYELEMENT",
    "ANYNONARRAY",
    "DAYS_PER_MONTH",
    "JSONB_NULL",
    "NULL_VALUE_NOT_ALLOWED",
    "NUMERIC_INTEGER_DIGITS_MAX",
    "NUMERIC_MAX_DISPLAY_SCALE",
    "NUMERIC_MIN_SIG_DIGITS",
    "TEXT_BYTES_MAX",
    "USECS_PER_DAY",
    "USECS_PER_SECOND",
    "Binding",
    "EvalEnv",
    "Formatter",
    "Impl",
    "JsonConverter",
    "JsonbConverter",
    "Match",
    "Overload",
    "_function",
    "array_dimensions",
    "common_supertype",
    "comparison_impls",
    "compile_regex",
    "date_trunc_timestamptz",
    "float4_add",
    "float8_add",
    "float_overflow_error",
    "from_local",
    "function_names",
    "interval_add",
    "interval_divide",
    "interval_multiply",
    "interval_sort_key",
    "json_string",
    "jsonb_contains",
    "jsonb_key_order",
    "jsonb_sort_key",
    "jsonb_text",
    "like_regex",
    "match_signatures",
    "named_zone",
    "numeric_add",
    "numeric_div",
    "numeric_div_scaled",
    "numeric_mul",
    "numeric_round",
    "numeric_scale",
    "numeric_sqrt_scaled",
    "numeric_sub",
    "polymorphic_unknown_error",
    "quote_ident",
    "quote_literal",
    "registration",
    "resolve_function",
    "resolve_operator",
    "resolve_signature",
    "select_div_scale",
    "session_zone",
    "text_formatter",
    "time_microseconds",
    "timestamp_add_interval",
    "timestamptz_add_interval",
    "to_json_converter",
    "to_jsonb_converter",
    "to_local",
]
