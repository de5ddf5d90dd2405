"""EXTRACT, date_part and date_trunc.

Field names and their aliases (``yrs``, ``msec``, …) are resolved per type; EXTRACT
answers numeric, date_part float8; date_trunc works on the wall clock of the session
time zone (or a given zone) for timestamptz, and on interval fields for interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.sql.functions.arithmetic import _NUM, numeric_div
from tidesql.sql.functions.datetimes import (
    _EPOCH,
    _EPOCH_UTC,
    _JULIAN_OFFSET,
    _TIME_NAME,
    _TIMESTAMP_NAME,
    _TIMESTAMPTZ_NAME,
    DAYS_PER_MONTH,
    USECS_PER_DAY,
    USECS_PER_SECOND,
    _cdiv,
    _cmod,
    _date_to_timestamp,
    _interval,
    _microseconds_between,
    _timestamp_out_of_range,
    from_local,
    named_zone,
    session_zone,
    time_microseconds,
    to_local,
)
from tidesql.sql.functions.registry import EvalEnv, Impl, _error
from tidesql.sql.types import Interval

# --------------------------------------------------------------------------- extract
#: Unit spellings PostgreSQL accepts → canonical unit.
_UNIT_ALIASES: dict[str, str] = {}
for _canonical, _spellings in {
    "microseconds": "microsecond microseconds us usec usecs useconds",
    "milliseconds": "millisecond milliseconds ms msec msecs mseconds",
    "second": "second seconds s sec secs",
    "minute": "minute minutes m min mins",
    "hour": "hour hours h hr hrs",
    "day": "day days d",
    "week": "week weeks w",
    "month": "month months mon mons",
    "quarter": "quarter qtr",
    "year": "year years y yr yrs",
    "decade": "decade decades dec decs",
    "century": "century centuries c cent",
    "millennium": "millennium millennia mil mils",
    "epoch": "epoch",
    "dow": "dow",
    "doy": "doy",
    "isodow": "isodow",
    "isoyear": "isoyear",
    "julian": "julian j",
    "timezone": "timezone",
    "timezone_hour": "timezone_hour timezone_h",
    "timezone_minute": "timezone_minute timezone_m",
}.items():
    for _spelling in _spellings.split():
        _UNIT_ALIASES[_spelling] = _canonical


def _unit(field: str, type_name: str, supported: Sequence[str] | frozenset[str]) -> str:
    unit = _UNIT_ALIASES.get(field.lower())
    if unit is None:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f'unit "{field.lower()}" not recognized for type {type_name}',
        )
    if unit not in supported:
        raise _error(
            sqlstates.FEATURE_NOT_SUPPORTED,
            f'unit "{field.lower()}" not supported for type {type_name}',
        )
    return unit


def _seconds_decimal(second: int, microsecond: int, digits: int) -> Decimal:
    """Seconds as a numeric with ``digits`` decimals: 6 gives seconds (``56.789000``),
    3 milliseconds (``56789.000``), 0 microseconds (``56789000``)."""
    return Decimal(second * USECS_PER_SECOND + microsecond).scaleb(-digits)


def _julian(wall: datetime) -> Decimal:
    fraction = numeric_div(Decimal(time_microseconds(wall.time())), Decimal(USECS_PER_DAY))
    return _NUM.add(Decimal(wall.toordinal() + _JULIAN_OFFSET), fraction)


#: extract() fields of a wall-clock time (timestamp, or timestamptz in the session zone).
_WALL_FIELDS: dict[str, Callable[[datetime], Decimal]] = {
    "microseconds": lambda w: _seconds_decimal(w.second, w.microsecond, 0),
    "milliseconds": lambda w: _seconds_decimal(w.second, w.microsecond, 3),
    "second": lambda w: _seconds_decimal(w.second, w.microsecond, 6),
    "minute": lambda w: Decimal(w.minute),
    "hour": lambda w: Decimal(w.hour),
    "day": lambda w: Decimal(w.day),
    "month": lambda w: Decimal(w.month),
    "quarter": lambda w: Decimal((w.month - 1) // 3 + 1),
    "year": lambda w: Decimal(w.year),
    "decade": lambda w: Decimal(w.year // 10),
    "century": lambda w: Decimal((w.year + 99) // 100),
    "millennium": lambda w: Decimal((w.year + 999) // 1000),
    "week": lambda w: Decimal(w.isocalendar()[1]),
    "isoyear": lambda w: Decimal(w.isocalendar()[0]),
    "dow": lambda w: Decimal(w.isoweekday() % 7),
    "isodow": lambda w: Decimal(w.isoweekday()),
    "doy": lambda w: Decimal(w.timetuple().tm_yday),
    "julian": _julian,
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TIMESTAMP_UNITS = frozenset(_WALL_FIELDS) | {"epoch"}
_TIMESTAMPTZ_UNITS = _TIMESTAMP_UNITS | {"timezone", "timezone_hour", "timezone_minute"}
_DATE_UNITS = _words(
    "day month quarter year decade century millennium week isoyear dow isodow doy julian epoch"
)
_TIME_UNITS = _words("microseconds milliseconds second minute hour epoch")
_INTERVAL_UNITS = _words(
    "microseconds milliseconds second minute hour day month quarter year decade century "
    "millennium epoch"
)


def _extract_timestamp(field: str, ts: datetime) -> Decimal:
    unit = _unit(field, _TIMESTAMP_NAME, _TIMESTAMP_UNITS)
    if unit == "epoch":
        return Decimal(_microseconds_between(ts, _EPOCH)).scaleb(-6)
    return _WALL_FIELDS[unit](ts)


def _extract_timestamptz(env: EvalEnv, field: str, ts: datetime) -> Decimal:
    unit = _unit(field, _TIMESTAMPTZ_NAME, _TIMESTAMPTZ_UNITS)
    if unit == "epoch":
        return Decimal(_microseconds_between(ts, _EPOCH_UTC)).scaleb(-6)
    zone = session_zone(env.settings.timezone)
    local = ts.astimezone(zone) if zone is not UTC else ts
    if unit.startswith("timezone"):
        offset = int((local.utcoffset() or timedelta(0)).total_seconds())
        if unit == "timezone_hour":
            return Decimal(_cdiv(offset, 3600))
        if unit == "timezone_minute":
            return Decimal(_cmod(_cdiv(offset, 60), 60))
        return Decimal(offset)
    return _WALL_FIELDS[unit](local.replace(tzinfo=None))


def _extract_date(field: str, d: date) -> Decimal:
    unit = _unit(field, "date", _DATE_UNITS)
    if unit == "epoch":
        return Decimal((d - _EPOCH.date()).days * 86_400)
    if unit == "julian":
        return Decimal(d.toordinal() + _JULIAN_OFFSET)
    return _WALL_FIELDS[unit](_date_to_timestamp(d))


def _extract_time(field: str, t: time) -> Decimal:
    unit = _unit(field, _TIME_NAME, _TIME_UNITS)
    if unit == "epoch":
        return Decimal(time_microseconds(t)).scaleb(-6)
    if unit == "hour":
        return Decimal(t.hour)
    if unit == "minute":
        return Decimal(t.minute)
    return _seconds_decimal(t.second, t.microsecond, {"second": 6, "milliseconds": 3}.get(unit, 0))


def _interval_parts(span: Interval) -> tuple[int, int, int, int, int, int, int]:
    """(years, months, days, hours, minutes, seconds, microseconds) as interval2itm
    splits them: each field keeps the sign of its source."""
    years, months = _cdiv(span.months, 12), _cmod(span.months, 12)
    remaining = span.microseconds
    hours = _cdiv(remaining, 3600 * USECS_PER_SECOND)
    remaining -= hours * 3600 * USECS_PER_SECOND
    minutes = _cdiv(remaining, 60 * USECS_PER_SECOND)
    remaining -= minutes * 60 * USECS_PER_SECOND
    seconds = _cdiv(remaining, USECS_PER_SECOND)
    return years, months, span.days, hours, minutes, seconds, remaining - seconds * 10**6


def _extract_interval(field: str, span: Interval) -> Decimal:
    unit = _unit(field, "interval", _INTERVAL_UNITS)
    if unit == "epoch":
        day_month_seconds = (
            1461 * _cdiv(span.months, 12)
            + 4 * DAYS_PER_MONTH * _cmod(span.months, 12)
            + 4 * span.days
        ) * (86_400 // 4)
        return Decimal(day_month_seconds * USECS_PER_SECOND + span.microseconds).scaleb(-6)
    years, months, days, hours, minutes, seconds, micro = _interval_parts(span)
    values = {
        "microseconds": lambda: _seconds_decimal(seconds, micro, 0),
        "milliseconds": lambda: _seconds_decimal(seconds, micro, 3),
        "second": lambda: _seconds_decimal(seconds, micro, 6),
        "minute": lambda: Decimal(minutes),
        "hour": lambda: Decimal(hours),
        "day": lambda: Decimal(days),
        "month": lambda: Decimal(months),
        "quarter": lambda: Decimal(_cdiv(months, 3) + 1),
        "year": lambda: Decimal(years),
        "decade": lambda: Decimal(_cdiv(years, 10)),
        "century": lambda: Decimal(_cdiv(years, 100)),
        "millennium": lambda: Decimal(_cdiv(years, 1000)),
    }
    return values[unit]()


def _as_double(extract: Callable[..., Decimal]) -> Impl:
    """date_part(): the same fields as extract(), as double precision."""

    def date_part(*args: Any) -> float:
        return float(extract(*args))

    return date_part


def _date_part_date(field: str, d: date) -> float:
    # date_part(text, date) is date_part(text, date::timestamp): hours are zero.
    return float(_extract_timestamp(field, _date_to_timestamp(d)))


# --------------------------------------------------------------------------- date_trunc
_TRUNC_UNITS = _words(
    "microseconds milliseconds second minute hour day week month quarter year decade "
    "century millennium"
)
_SUB_DAY_UNITS = _words("microseconds milliseconds second minute hour")


def _trunc_unit(field: str, type_name: str) -> str:
    unit = _UNIT_ALIASES.get(field.lower())
    if unit not in _TRUNC_UNITS or unit is None:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f'unit "{field.lower()}" not recognized for type {type_name}',
        )
    return unit


def _truncate_wall(unit: str, wall: datetime) -> datetime:
    if unit == "microseconds":
        return wall
    if unit == "milliseconds":
        return wall.replace(microsecond=wall.microsecond // 1000 * 1000)
    if unit == "second":
        return wall.replace(microsecond=0)
    if unit == "minute":
        return wall.replace(second=0, microsecond=0)
    if unit == "hour":
        return wall.replace(minute=0, second=0, microsecond=0)
    day = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=wall.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(wall.month - 1) // 3 * 3 + 1, day=1)
    year = wall.year
    if unit == "decade":
        year = year // 10 * 10
    elif unit == "century":
        year = (year + 99) // 100 * 100 - 99
    elif unit == "millennium":
        year = (year + 999) // 1000 * 1000 - 999
    if year < 1:
        raise _timestamp_out_of_range()
    return day.replace(year=year, month=1, day=1)


def _date_trunc_timestamp(field: str, ts: datetime) -> datetime:
    return _truncate_wall(_trunc_unit(field, _TIMESTAMP_NAME), ts)


def date_trunc_timestamptz(field: str, ts: datetime, zone: tzinfo) -> datetime:
    """Truncate in the wall-clock time of ``zone``. Units of a day or more re-resolve
    the offset (midnight may be in another DST period); smaller ones keep it."""
    unit = _trunc_unit(field, _TIMESTAMPTZ_NAME)
    wall = to_local(ts, zone)
    truncated = _truncate_wall(unit, wall)
    if unit in _SUB_DAY_UNITS:
        return ts - (wall - truncated)
    return from_local(truncated, zone)


def _date_trunc_timestamptz(env: EvalEnv, field: str, ts: datetime) -> datetime:
    return date_trunc_timestamptz(field, ts, session_zone(env.settings.timezone))


def _date_trunc_timestamptz_zone(field: str, ts: datetime, zone: str) -> datetime:
    return date_trunc_timestamptz(field, ts, named_zone(zone))


def _date_trunc_interval(field: str, span: Interval) -> Interval:
    unit = _UNIT_ALIASES.get(field.lower())
    if unit is None or unit not in _TRUNC_UNITS:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f'unit "{field.lower()}" not recognized for type interval',
        )
    if unit == "week":
        raise _error(
            sqlstates.FEATURE_NOT_SUPPORTED,
            f'unit "{field.lower()}" not supported for type interval',
        )
    years, months, days, hours, minutes, seconds, micro = _interval_parts(span)
    order = [
        "millennium",
        "century",
        "decade",
        "year",
        "quarter",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "milliseconds",
        "microseconds",
    ]
    level = order.index(unit)
    if level <= order.index("year"):
        months = 0
        divisor = {"millennium": 1000, "century": 100, "decade": 10, "year": 1}[unit]
        years = _cdiv(years, divisor) * divisor
    elif unit == "quarter":
        months = _cdiv(months, 3) * 3
    if level <= order.index("month"):
        days = 0
    if level <= order.index("day"):
        hours = 0
    if level <= order.index("hour"):
        minutes = 0
    if level <= order.index("minute"):
        seconds = 0
    if level <= order.index("second"):
        micro = 0
    elif unit == "milliseconds":
        micro = _cdiv(micro, 1000) * 1000
    time_part = ((hours * 60 + minutes) * 60 + seconds) * USECS_PER_SECOND + micro
    return _interval(years * 12 + months, days, time_part)
