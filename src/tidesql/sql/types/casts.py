"""Casts: :func:`cast_value` and :func:`can_coerce`.

``_CASTS`` holds the ``pg_cast`` rows of PostgreSQL 15 for these types, each with its
context (implicit, assignment or explicit) and conversion function. A cast follows them,
then the I/O-conversion rule (to a string type by the output function, from a string
type by the input function), then element-wise array casts, and finally applies the
target's type modifier through ``_TYPMOD_COERCE``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import interval as _iv
from tidesql.sql.interval import Interval
from tidesql.sql.types.datetimes import (
    _time_from_usec,
    _time_to_usec,
    _time_typmod,
    _timestamp_typmod,
)
from tidesql.sql.types.error_helpers import _out_of_range
from tidesql.sql.types.identity import (
    _INT_OIDS,
    _LIST_VALUED_OIDS,
    BOOL,
    BPCHAR,
    CHAR,
    DATE,
    DEFAULT_SETTINGS,
    FLOAT4,
    FLOAT8,
    INET,
    INT2,
    INT4,
    INT8,
    INTERVAL,
    JSON,
    JSONB,
    NAME,
    NUMERIC,
    OID,
    REGCLASS,
    REGNAMESPACE,
    REGPROC,
    REGPROCEDURE,
    REGROLE,
    REGTYPE,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    UNKNOWN,
    VARCHAR,
    FormatSettings,
    SqlType,
    with_modifier,
)
from tidesql.sql.types.session_settings import _local_to_utc, _zone
from tidesql.sql.types.text_io import format_value, parse_value
from tidesql.sql.types.text_numbers import (
    _EXACT,
    _INFINITY,
    _INT_RANGES,
    _NAN,
    _ONE,
    _numeric_apply_typmod,
    _numeric_normalize,
    _numeric_out,
    _to_float4,
)
from tidesql.sql.types.text_scalars import (
    JSON_NULL,
    Inet,
    _bpchar_coerce,
    _char_out,
    _jsonb_in,
    _jsonb_text,
    _name_in,
    _reg_in,
    _varchar_coerce,
)

CastFn = Callable[[Any, SqlType, SqlType, FormatSettings], Any]
_CONTEXT_LEVEL = {"implicit": 0, "assignment": 1, "explicit": 2}
_CAST_LEVEL = {"i": 0, "a": 1, "e": 2}


def _cannot_cast(source: SqlType, target: SqlType) -> TideError:
    return TideError(
        f"cannot cast type {source.name} to {target.name}", sqlstate=sqlstates.CANNOT_COERCE
    )


def _keep(value: Any, source: SqlType, target: SqlType, settings: FormatSettings) -> Any:
    return value


def _int_to_int(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    low, high = _INT_RANGES[target.oid]
    if low <= value <= high:
        return value
    raise _out_of_range(target.name)


def _int_to_oid(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    if source.oid == INT8.oid:
        if not 0 <= value <= 0xFFFFFFFF:
            raise _out_of_range("OID")
        return value
    return value & 0xFFFFFFFF


def _oid_to_int4(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    return value - 2**32 if value >= 2**31 else value


def _int_to_float8(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> float:
    return float(value)


def _int_to_float4(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> float:
    return _to_float4(float(value))


def _int_to_numeric(
    value: int, source: SqlType, target: SqlType, settings: FormatSettings
) -> Decimal:
    return Decimal(value)


def _float_to_int(value: float, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    """rint() then range check: 2.5 -> 2, 3.5 -> 4 (half to even)."""
    if value != value or math.isinf(value):
        raise _out_of_range(target.name)
    result = round(value)
    low, high = _INT_RANGES[target.oid]
    if low <= result <= high:
        return result
    raise _out_of_range(target.name)


def _float_to_numeric(
    value: float, source: SqlType, target: SqlType, settings: FormatSettings
) -> Decimal:
    """float8_numeric prints with DBL_DIG (15) significant digits, float4 with 6."""
    if value != value:
        return _NAN
    if math.isinf(value):
        return _INFINITY if value > 0 else -_INFINITY
    digits = 15 if source.oid == FLOAT8.oid else 6
    return _numeric_normalize(Decimal(f"{value:.{digits}g}"))


def _float8_to_float4(
    value: float, source: SqlType, target: SqlType, settings: FormatSettings
) -> float:
    result = _to_float4(value)
    if math.isinf(result) and not math.isinf(value):
        raise TideError(
            "value out of range: overflow", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE
        )
    if result == 0.0 and value != 0.0:
        raise TideError(
            "value out of range: underflow", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE
        )
    return result


def _numeric_to_int(
    value: Decimal, source: SqlType, target: SqlType, settings: FormatSettings
) -> int:
    """Round half away from zero; NaN and infinities cannot become integers (0A000)."""
    if isinstance(value, int):
        return _int_to_int(value, source, target, settings)
    if value.is_nan():
        raise TideError(
            f"cannot convert NaN to {target.name}", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    if value.is_infinite():
        raise TideError(
            f"cannot convert infinity to {target.name}", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    low, high = _INT_RANGES[target.oid]
    if value.adjusted() > 20:
        raise _out_of_range(target.name)
    result = int(value.quantize(_ONE, rounding=decimal.ROUND_HALF_UP, context=_EXACT))
    if low <= result <= high:
        return result
    raise _out_of_range(target.name)


def _numeric_to_float(
    value: Decimal, source: SqlType, target: SqlType, settings: FormatSettings
) -> float:
    if isinstance(value, int):
        value = Decimal(value)
    result = float(value)
    if target.oid == FLOAT4.oid:
        result = _to_float4(result)
    if value.is_finite() and (math.isinf(result) or (result == 0.0 and not value.is_zero())):
        raise TideError(
            f'"{_numeric_out(value, NUMERIC, settings)}" is out of range for type {target.name}',
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        )
    return result


def _bool_to_int(value: bool, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    return 1 if value else 0


def _int_to_bool(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> bool:
    return value != 0


def _bool_to_text(value: bool, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return "true" if value else "false"


def _char_to_int(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    code = ord(value) if value else 0
    return code - 256 if code >= 128 else code


def _int_to_char(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    if not -128 <= value <= 127:
        raise _out_of_range('"char"')
    code = value & 0xFF
    return chr(code) if code else ""


def _char_to_text(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return _char_out(value, source, settings)


def _text_to_char(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    if not value:
        return ""
    code = value.encode("utf-8")[0]
    return chr(code)


def _rtrim(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return value.rstrip(" ")


def _to_name(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    if source.oid == BPCHAR.oid:
        value = value.rstrip(" ")
    return _name_in(value, NAME, settings)


def _text_to_regclass(
    value: str, source: SqlType, target: SqlType, settings: FormatSettings
) -> int:
    return _reg_in(value, REGCLASS, settings)


def _date_to_timestamp(
    value: dt.date, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day)


def _date_to_timestamptz(
    value: dt.date, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return _local_to_utc(dt.datetime(value.year, value.month, value.day), _zone(settings.timezone))


def _timestamp_to_date(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.date:
    return value.date()


def _timestamp_to_time(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.time:
    return value.time()


def _timestamp_to_timestamptz(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return _local_to_utc(value, _zone(settings.timezone))


def _timestamptz_local(value: dt.datetime, settings: FormatSettings) -> dt.datetime:
    return value.astimezone(_zone(settings.timezone)).replace(tzinfo=None)


def _timestamptz_to_timestamp(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return _timestamptz_local(value, settings)


def _timestamptz_to_date(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.date:
    return _timestamptz_local(value, settings).date()


def _timestamptz_to_time(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.time:
    return _timestamptz_local(value, settings).time()


def _time_to_interval(
    value: dt.time, source: SqlType, target: SqlType, settings: FormatSettings
) -> Interval:
    return Interval(0, 0, _time_to_usec(value))


def _interval_to_time(
    value: Interval, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.time:
    """interval_time: the time part only, reduced modulo one day."""
    return _time_from_usec(value.microseconds % 86_400_000_000)


def _json_to_jsonb(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> Any:
    return _jsonb_in(value, JSONB, settings)


def _jsonb_to_json(value: Any, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return _jsonb_text(value)


def _jsonb_kind(value: Any) -> str:
    if value is None or value is JSON_NULL:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "numeric"


def _jsonb_to_scalar(value: Any, source: SqlType, target: SqlType, settings: FormatSettings) -> Any:
    """jsonb -> bool/numeric/int/float: only the matching scalar kind converts."""
    kind = _jsonb_kind(value)
    wanted = "boolean" if target.oid == BOOL.oid else "numeric"
    if kind != wanted:
        raise TideError(
            f"cannot cast jsonb {kind} to type {target.name}",
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    if wanted == "boolean":
        return value
    number = value if isinstance(value, Decimal) else Decimal(value)
    if target.oid == NUMERIC.oid:
        return number
    if target.oid in _INT_OIDS:
        return _numeric_to_int(number, NUMERIC, target, settings)
    return _numeric_to_float(number, NUMERIC, target, settings)


# pg_cast for the types above (PostgreSQL 15): (source, target) -> (context, function).
# Context 'i' implicit, 'a' assignment, 'e' explicit. Same-type rows (length coercion)
# are handled by the type modifier step instead.
_CASTS: dict[tuple[int, int], tuple[str, CastFn]] = {}


def _cast(context: str, function: CastFn, *pairs: tuple[SqlType, SqlType]) -> None:
    for source, target in pairs:
        _CASTS[(source.oid, target.oid)] = (context, function)


def _inet_to_text(value: Inet, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    """inet → text is network_show: the mask length always, unlike inet's output."""
    return str(value.ip) + f"/{value.network.prefixlen}"


_cast("a", _inet_to_text, (INET, TEXT), (INET, VARCHAR), (INET, BPCHAR))
_cast("e", _bool_to_int, (BOOL, INT4))
_cast("a", _bool_to_text, (BOOL, TEXT), (BOOL, BPCHAR), (BOOL, VARCHAR))
_cast("e", _char_to_int, (CHAR, INT4))
_cast("i", _char_to_text, (CHAR, TEXT))
_cast("a", _char_to_text, (CHAR, BPCHAR), (CHAR, VARCHAR))
_cast("i", _keep, (NAME, TEXT))
_cast("a", _keep, (NAME, BPCHAR), (NAME, VARCHAR))
_cast("a", _int_to_int, (INT8, INT2), (INT8, INT4), (INT4, INT2))
_cast("i", _int_to_int, (INT2, INT8), (INT2, INT4), (INT4, INT8))
_OID_TYPES = (REGPROC, OID, REGCLASS, REGTYPE)
_cast("i", _int_to_oid, *((src, dst) for src in (INT8, INT2, INT4) for dst in _OID_TYPES))
_cast("i", _int_to_float4, (INT8, FLOAT4), (INT2, FLOAT4), (INT4, FLOAT4))
_cast("i", _int_to_float8, (INT8, FLOAT8), (INT2, FLOAT8), (INT4, FLOAT8))
_cast("i", _int_to_numeric, (INT8, NUMERIC), (INT2, NUMERIC), (INT4, NUMERIC))
_cast("e", _int_to_bool, (INT4, BOOL))
_cast("e", _int_to_char, (INT4, CHAR))
_cast("a", _keep, (REGPROC, INT8), (OID, INT8), (REGCLASS, INT8), (REGTYPE, INT8))
_cast("a", _oid_to_int4, (REGPROC, INT4), (OID, INT4), (REGCLASS, INT4), (REGTYPE, INT4))
_cast("i", _keep, (REGPROC, OID), (REGCLASS, OID), (REGTYPE, OID))
_cast("i", _keep, (OID, REGPROC), (OID, REGCLASS), (OID, REGTYPE))
for _reg in (REGNAMESPACE, REGROLE, REGPROCEDURE):
    _cast("i", _int_to_oid, (INT8, _reg), (INT2, _reg), (INT4, _reg))
    _cast("a", _keep, (_reg, INT8))
    _cast("a", _oid_to_int4, (_reg, INT4))
    _cast("i", _keep, (_reg, OID), (OID, _reg))
_cast("a", _text_to_char, (TEXT, CHAR), (BPCHAR, CHAR), (VARCHAR, CHAR))
_cast("i", _to_name, (TEXT, NAME), (BPCHAR, NAME), (VARCHAR, NAME))
_cast("i", _keep, (TEXT, BPCHAR), (TEXT, VARCHAR), (VARCHAR, TEXT), (VARCHAR, BPCHAR))
_cast("i", _rtrim, (BPCHAR, TEXT), (BPCHAR, VARCHAR))
_cast("i", _text_to_regclass, (TEXT, REGCLASS), (VARCHAR, REGCLASS))
_cast("i", _keep, (REGPROC, REGPROCEDURE), (REGPROCEDURE, REGPROC))
_cast("a", _json_to_jsonb, (JSON, JSONB))
_cast("a", _jsonb_to_json, (JSONB, JSON))
_cast("a", _float_to_int, *((src, dst) for src in (FLOAT4, FLOAT8) for dst in (INT8, INT2, INT4)))
_cast("i", _keep, (FLOAT4, FLOAT8))
_cast("a", _float_to_numeric, (FLOAT4, NUMERIC), (FLOAT8, NUMERIC))
_cast("a", _float8_to_float4, (FLOAT8, FLOAT4))
_cast("i", _date_to_timestamp, (DATE, TIMESTAMP))
_cast("i", _date_to_timestamptz, (DATE, TIMESTAMPTZ))
_cast("i", _time_to_interval, (TIME, INTERVAL))
_cast("a", _timestamp_to_date, (TIMESTAMP, DATE))
_cast("a", _timestamp_to_time, (TIMESTAMP, TIME))
_cast("i", _timestamp_to_timestamptz, (TIMESTAMP, TIMESTAMPTZ))
_cast("a", _timestamptz_to_date, (TIMESTAMPTZ, DATE))
_cast("a", _timestamptz_to_time, (TIMESTAMPTZ, TIME))
_cast("a", _timestamptz_to_timestamp, (TIMESTAMPTZ, TIMESTAMP))
_cast("a", _interval_to_time, (INTERVAL, TIME))
_cast("a", _numeric_to_int, (NUMERIC, INT8), (NUMERIC, INT2), (NUMERIC, INT4))
_cast("i", _numeric_to_float, (NUMERIC, FLOAT4), (NUMERIC, FLOAT8))
_JSONB_SCALAR_TARGETS = (BOOL, INT8, INT2, INT4, FLOAT4, FLOAT8, NUMERIC)
_cast("e", _jsonb_to_scalar, *((JSONB, dst) for dst in _JSONB_SCALAR_TARGETS))

# Type modifiers: (value, type with modifier, explicit) -> value.
_TYPMOD_COERCE: dict[int, Callable[[Any, SqlType, bool], Any]] = {
    VARCHAR.oid: _varchar_coerce,
    BPCHAR.oid: _bpchar_coerce,
    NUMERIC.oid: lambda value, sql_type, explicit: _numeric_apply_typmod(value, sql_type.modifier),
    TIMESTAMP.oid: lambda value, sql_type, explicit: _timestamp_typmod(value, sql_type),
    TIMESTAMPTZ.oid: lambda value, sql_type, explicit: _timestamp_typmod(value, sql_type),
    TIME.oid: lambda value, sql_type, explicit: _time_typmod(value, sql_type),
    INTERVAL.oid: lambda value, sql_type, explicit: _iv.apply_typmod(value, sql_type.modifier),
}


def _apply_typmod(value: Any, target: SqlType, explicit: bool) -> Any:
    if target.modifier < 0 or value is None:
        return value
    if target.element is not None:
        element = target.element
        return _map_nested(value, lambda item: _apply_typmod(item, element, explicit), element)
    coerce = _TYPMOD_COERCE.get(target.oid)
    return value if coerce is None else coerce(value, target, explicit)


def _map_nested(value: list[Any], function: Callable[[Any], Any], element: SqlType) -> list[Any]:
    """Apply ``function`` to every non-NULL element of a (nested) array value."""
    if element.oid in _LIST_VALUED_OIDS:
        return [None if item is None else function(item) for item in value]
    return [
        None
        if item is None
        else (_map_nested(item, function, element) if isinstance(item, list) else function(item))
        for item in value
    ]


def cast_value(
    value: Any,
    source: SqlType,
    target: SqlType,
    settings: FormatSettings = DEFAULT_SETTINGS,
    *,
    explicit: bool = True,
) -> Any:
    """Convert ``value`` of type ``source`` to ``target`` as PostgreSQL's CAST does.

    ``explicit=False`` gives assignment/implicit semantics for length checks (a too-long
    ``varchar(n)`` raises 22001 instead of being truncated). Which casts are *allowed*
    in a context is :func:`can_coerce`'s question; this function performs any cast that
    exists and raises 42846 when there is none.
    """
    if value is None:
        return None
    if source.oid == target.oid:
        if target.modifier < 0 or target.modifier == source.modifier:
            return value
        return _apply_typmod(value, target, explicit)
    entry = _CASTS.get((source.oid, target.oid))
    if entry is not None:
        result = entry[1](value, source, target, settings)
    elif source.element is not None and target.element is not None:
        source_element, target_element = source.element, target.element
        return _map_nested(
            value,
            lambda item: cast_value(
                item, source_element, target_element, settings, explicit=explicit
            ),
            source_element,
        )
    elif source.oid == UNKNOWN.oid or source.category == "S":
        # I/O conversion from a string type. Like PostgreSQL, the input function sees
        # no modifier (except interval's, which changes how the text is read); the
        # modifier is applied afterwards with the cast's semantics.
        read_as = target if target.oid == INTERVAL.oid else with_modifier(target, -1)
        result = parse_value(value, read_as, settings)
    elif target.category == "S":
        result = format_value(value, source, settings)
        if target.oid == NAME.oid:
            result = _name_in(result, NAME, settings)
    else:
        raise _cannot_cast(source, target)
    if target.modifier >= 0:
        result = _apply_typmod(result, target, explicit)
    return result


def can_coerce(source: SqlType, target: SqlType, context: str) -> bool:
    """Whether PostgreSQL would convert ``source`` to ``target`` in ``context``
    ('implicit', 'assignment' or 'explicit'), following pg_cast and the I/O rules."""
    level = _CONTEXT_LEVEL[context]
    if source.oid == target.oid or source.oid == UNKNOWN.oid:
        return True
    entry = _CASTS.get((source.oid, target.oid))
    if entry is not None:
        return level >= _CAST_LEVEL[entry[0]]
    if source.element is not None and target.element is not None:
        return can_coerce(source.element, target.element, context)
    if target.category == "S" and level >= 1:
        return True
    return source.category == "S" and level >= 2
