"""Date and time arithmetic.

Time zones (the session's ``TimeZone`` setting, named and POSIX offset zones) and the
conversions between wall-clock and instants; the operators between date, time,
timestamp, timestamptz and interval; interval multiplication, division and justify_*;
age; the current-time functions (now, localtimestamp, …); make_date/make_time/
make_timestamp(tz)/make_interval; to_timestamp, timezone() and isfinite.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.functions.arithmetic import _division_by_zero
from tidesql.sql.functions.registry import EvalEnv, _error
from tidesql.sql.types import Interval

# =======================================================================================
# Date and time
# =======================================================================================
USECS_PER_SECOND = 1_000_000
USECS_PER_DAY = 86_400 * USECS_PER_SECOND
DAYS_PER_MONTH = 30
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
#: date.toordinal() + this = PostgreSQL's Julian day number (date2j).
_JULIAN_OFFSET = 1721425
_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1

_TIMESTAMP_NAME = "timestamp without time zone"
_TIMESTAMPTZ_NAME = "timestamp with time zone"
_TIME_NAME = "time without time zone"


def _timestamp_out_of_range() -> TideError:
    return _error(sqlstates.DATETIME_FIELD_OVERFLOW, "timestamp out of range")


def _date_out_of_range() -> TideError:
    return _error(sqlstates.DATETIME_FIELD_OVERFLOW, "date out of range")


def _interval_out_of_range() -> TideError:
    return _error(sqlstates.DATETIME_FIELD_OVERFLOW, "interval out of range")


def _cdiv(a: int, b: int) -> int:
    """C integer division: truncates toward zero."""
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def _cmod(a: int, b: int) -> int:
    """C remainder: takes the sign of the dividend."""
    return a - _cdiv(a, b) * b


_POSIX_OFFSET_ZONE = re.compile(r"(?i)(?:[a-z]{3,}|<[^>]*>)?([+-]?)(\d{1,2})(?::(\d{2}))?\Z")
_NUMERIC_ZONE = re.compile(r"[+-]?\d+(?:\.\d+)?\Z")
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "ZULU", "UT", "UCT", "UNIVERSAL", "ETC/UTC"})


@lru_cache(maxsize=1)
def _zone_names_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@lru_cache(maxsize=256)
def named_zone(name: str) -> tzinfo:
    """The zone of ``AT TIME ZONE name``: an IANA name (in any case), UTC, or a POSIX
    offset, where ``'+05'`` and ``'UTC+5'`` are five hours *west* of Greenwich."""
    key = name.strip()
    if key.upper() in _UTC_NAMES:
        return UTC
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    proper = _zone_names_by_lower().get(key.lower())
    if proper is not None:
        return ZoneInfo(proper)
    match = _POSIX_OFFSET_ZONE.match(key)
    if match is not None:
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timezone(timedelta(minutes=-sign * minutes))
    raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'time zone "{name}" not recognized')


@lru_cache(maxsize=256)
def session_zone(setting: str) -> tzinfo:
    """The zone of the TimeZone setting: as :func:`named_zone`, except that a bare
    number is hours *east* of UTC (``SET TIME ZONE -7`` is UTC−7), as in PostgreSQL."""
    key = setting.strip()
    if _NUMERIC_ZONE.match(key):
        return timezone(timedelta(seconds=round(float(key) * 3600)))
    return named_zone(key)


def to_local(instant: datetime, zone: tzinfo) -> datetime:
    """The wall-clock time (naive) of a UTC instant in ``zone``."""
    if zone is UTC:
        return instant.replace(tzinfo=None)
    return instant.astimezone(zone).replace(tzinfo=None)


def from_local(wall: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``. A time skipped by a spring-forward
    transition is read with the offset before it, a repeated one with the offset after
    it (PostgreSQL's DetermineTimeZoneOffset); both are the smaller of the two offsets."""
    if zone is UTC:
        return wall.replace(tzinfo=UTC)
    first = wall.replace(tzinfo=zone, fold=0).utcoffset() or timedelta(0)
    second = wall.replace(tzinfo=zone, fold=1).utcoffset() or timedelta(0)
    try:
        return (wall - min(first, second)).replace(tzinfo=UTC)
    except OverflowError:
        raise _timestamp_out_of_range() from None


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(value: datetime, months: int) -> datetime:
    total = value.year * 12 + value.month - 1 + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise _timestamp_out_of_range()
    month = month0 + 1
    day = min(value.day, _days_in_month(year, month))
    return value.replace(year=year, month=month, day=day)


def _interval(months: int, days: int, microseconds: int) -> Interval:
    if abs(months) > _INT32_MAX or abs(days) > _INT32_MAX or abs(microseconds) > _INT64_MAX:
        raise _interval_out_of_range()
    return Interval(months, days, microseconds)


def timestamp_add_interval(ts: datetime, span: Interval) -> datetime:
    """timestamp + interval: months (clamping the day), then days, then the time part."""
    try:
        if span.months:
            ts = _add_months(ts, span.months)
        if span.days:
            ts = ts + timedelta(days=span.days)
        if span.microseconds:
            ts = ts + timedelta(microseconds=span.microseconds)
    except OverflowError:
        raise _timestamp_out_of_range() from None
    return ts


def _negate_interval(span: Interval) -> Interval:
    return _interval(-span.months, -span.days, -span.microseconds)


def _timestamp_sub_interval(ts: datetime, span: Interval) -> datetime:
    return timestamp_add_interval(ts, _negate_interval(span))


def timestamptz_add_interval(ts: datetime, span: Interval, zone: tzinfo) -> datetime:
    """timestamptz + interval: months and days move the wall clock in ``zone`` (so
    '1 day' across a DST change keeps the local time), the time part moves the instant."""
    try:
        if span.months:
            ts = from_local(_add_months(to_local(ts, zone), span.months), zone)
        if span.days:
            ts = from_local(to_local(ts, zone) + timedelta(days=span.days), zone)
        if span.microseconds:
            ts = ts + timedelta(microseconds=span.microseconds)
    except OverflowError:
        raise _timestamp_out_of_range() from None
    return ts


def _timestamptz_add(env: EvalEnv, ts: datetime, span: Interval) -> datetime:
    return timestamptz_add_interval(ts, span, session_zone(env.settings.timezone))


def _timestamptz_add_reversed(env: EvalEnv, span: Interval, ts: datetime) -> datetime:
    return timestamptz_add_interval(ts, span, session_zone(env.settings.timezone))


def _timestamptz_sub(env: EvalEnv, ts: datetime, span: Interval) -> datetime:
    return timestamptz_add_interval(ts, _negate_interval(span), session_zone(env.settings.timezone))


def _microseconds_between(a: datetime, b: datetime) -> int:
    delta = a - b
    return (delta.days * 86_400 + delta.seconds) * USECS_PER_SECOND + delta.microseconds


def _split_days(microseconds: int) -> Interval:
    """A time span as days plus time of the same sign (justify_hours of timestamp_mi)."""
    days = _cdiv(microseconds, USECS_PER_DAY)
    return _interval(0, days, microseconds - days * USECS_PER_DAY)


def _timestamp_diff(a: datetime, b: datetime) -> Interval:
    return _split_days(_microseconds_between(a, b))


def _date_add_days(d: date, n: int) -> date:
    try:
        return d + timedelta(days=n)
    except OverflowError:
        raise _date_out_of_range() from None


def _date_sub_days(d: date, n: int) -> date:
    return _date_add_days(d, -n)


def _days_add_date(n: int, d: date) -> date:
    return _date_add_days(d, n)


def _date_diff(a: date, b: date) -> int:
    return (a - b).days


def _date_to_timestamp(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _date_add_interval(d: date, span: Interval) -> datetime:
    return timestamp_add_interval(_date_to_timestamp(d), span)


def _interval_add_date(span: Interval, d: date) -> datetime:
    return timestamp_add_interval(_date_to_timestamp(d), span)


def _date_sub_interval(d: date, span: Interval) -> datetime:
    return _timestamp_sub_interval(_date_to_timestamp(d), span)


def _interval_add_timestamp(span: Interval, ts: datetime) -> datetime:
    return timestamp_add_interval(ts, span)


def _date_add_time(d: date, t: time) -> datetime:
    return datetime.combine(d, t)


def _time_add_date(t: time, d: date) -> datetime:
    return datetime.combine(d, t)


def time_microseconds(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * USECS_PER_SECOND + t.microsecond


def _time_from_microseconds(us: int) -> time:
    us %= USECS_PER_DAY
    seconds, micro = divmod(us, USECS_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _time_add_interval(t: time, span: Interval) -> time:
    return _time_from_microseconds(time_microseconds(t) + span.microseconds)


def _interval_add_time(span: Interval, t: time) -> time:
    return _time_add_interval(t, span)


def _time_sub_interval(t: time, span: Interval) -> time:
    return _time_from_microseconds(time_microseconds(t) - span.microseconds)


def _time_diff(a: time, b: time) -> Interval:
    return _interval(0, 0, time_microseconds(a) - time_microseconds(b))


def interval_add(a: Interval, b: Interval) -> Interval:
    return _interval(a.months + b.months, a.days + b.days, a.microseconds + b.microseconds)


def _interval_minus(a: Interval, b: Interval) -> Interval:
    return _interval(a.months - b.months, a.days - b.days, a.microseconds - b.microseconds)


def _ts_round(x: float) -> float:
    """TSROUND: round to microsecond precision to hide binary noise."""
    return round(x * 1e6) / 1e6


def interval_multiply(span: Interval, factor: float) -> Interval:
    """interval * float8: whole months and days scale, fractions cascade down (a month
    is 30 days, a day 24 hours), never up (numeric.c's interval_mul)."""
    if math.isnan(factor):
        raise _interval_out_of_range()
    month_product = span.months * factor
    day_product = span.days * factor
    if abs(month_product) > _INT32_MAX or abs(day_product) > _INT32_MAX:
        raise _interval_out_of_range()
    months = int(month_product)
    days = int(day_product)
    month_remainder_days = _ts_round((month_product - months) * DAYS_PER_MONTH)
    sec_remainder = _ts_round(
        (day_product - days + month_remainder_days - int(month_remainder_days)) * 86_400
    )
    if abs(sec_remainder) >= 86_400:
        days += int(sec_remainder / 86_400)
        sec_remainder -= int(sec_remainder / 86_400) * 86_400
    days += int(month_remainder_days)
    time_product = span.microseconds * factor + sec_remainder * USECS_PER_SECOND
    if math.isnan(time_product) or abs(time_product) > _INT64_MAX:
        raise _interval_out_of_range()
    return _interval(months, days, round(time_product))


def _interval_mul(span: Interval, factor: float) -> Interval:
    return interval_multiply(span, factor)


def _float_mul_interval(factor: float, span: Interval) -> Interval:
    return interval_multiply(span, factor)


def interval_divide(span: Interval, divisor: float) -> Interval:
    if divisor == 0.0:
        raise _division_by_zero()
    months_q = span.months / divisor
    days_q = span.days / divisor
    if abs(months_q) > _INT32_MAX or abs(days_q) > _INT32_MAX:
        raise _interval_out_of_range()
    months = int(months_q)
    days = int(days_q)
    month_remainder_days = _ts_round((months_q - months) * DAYS_PER_MONTH)
    sec_remainder = _ts_round(
        (days_q - days + month_remainder_days - int(month_remainder_days)) * 86_400
    )
    if abs(sec_remainder) >= 86_400:
        days += int(sec_remainder / 86_400)
        sec_remainder -= int(sec_remainder / 86_400) * 86_400
    days += int(month_remainder_days)
    return _interval(
        months, days, round(span.microseconds / divisor + sec_remainder * USECS_PER_SECOND)
    )


def interval_sort_key(span: Interval) -> int:
    """Intervals compare as if a month were 30 days and a day 24 hours."""
    return (span.months * DAYS_PER_MONTH + span.days) * USECS_PER_DAY + span.microseconds


def _justify_hours(span: Interval) -> Interval:
    whole_days = _cdiv(span.microseconds, USECS_PER_DAY)
    days = span.days + whole_days
    time_part = span.microseconds - whole_days * USECS_PER_DAY
    if days > 0 and time_part < 0:
        time_part += USECS_PER_DAY
        days -= 1
    elif days < 0 and time_part > 0:
        time_part -= USECS_PER_DAY
        days += 1
    return _interval(span.months, days, time_part)


def _justify_days(span: Interval) -> Interval:
    whole_months = _cdiv(span.days, DAYS_PER_MONTH)
    months = span.months + whole_months
    days = span.days - whole_months * DAYS_PER_MONTH
    if months > 0 and days < 0:
        days += DAYS_PER_MONTH
        months -= 1
    elif months < 0 and days > 0:
        days -= DAYS_PER_MONTH
        months += 1
    return _interval(months, days, span.microseconds)


def _justify_interval(span: Interval) -> Interval:
    months, days, time_part = span.months, span.days, span.microseconds
    whole_days = _cdiv(time_part, USECS_PER_DAY)
    days += whole_days
    time_part -= whole_days * USECS_PER_DAY
    whole_months = _cdiv(days, DAYS_PER_MONTH)
    months += whole_months
    days -= whole_months * DAYS_PER_MONTH
    if months > 0 and (days < 0 or (days == 0 and time_part < 0)):
        days += DAYS_PER_MONTH
        months -= 1
    elif months < 0 and (days > 0 or (days == 0 and time_part > 0)):
        days -= DAYS_PER_MONTH
        months += 1
    if days > 0 and time_part < 0:
        time_part += USECS_PER_DAY
        days -= 1
    elif days < 0 and time_part > 0:
        time_part -= USECS_PER_DAY
        days += 1
    return _interval(months, days, time_part)


def _symbolic_age(wall1: datetime, wall2: datetime, later_first: bool) -> Interval:
    """age(): field-by-field difference of two wall-clock times, borrowing from the
    next larger field with the month lengths PostgreSQL's timestamp_age uses."""
    negative = not later_first
    fields = [
        wall1.microsecond - wall2.microsecond,
        wall1.second - wall2.second,
        wall1.minute - wall2.minute,
        wall1.hour - wall2.hour,
        wall1.day - wall2.day,
        wall1.month - wall2.month,
        wall1.year - wall2.year,
    ]
    if negative:
        fields = [-f for f in fields]
    usec, sec, minute, hour, mday, mon, year = fields
    while usec < 0:
        usec += USECS_PER_SECOND
        sec -= 1
    while sec < 0:
        sec += 60
        minute -= 1
    while minute < 0:
        minute += 60
        hour -= 1
    while hour < 0:
        hour += 24
        mday -= 1
    while mday < 0:
        reference = wall2 if not negative else wall1
        mday += _days_in_month(reference.year, reference.month)
        mon -= 1
    while mon < 0:
        mon += 12
        year -= 1
    if negative:
        usec, sec, minute, hour, mday, mon, year = (
            -usec,
            -sec,
            -minute,
            -hour,
            -mday,
            -mon,
            -year,
        )
    micro = ((hour * 60 + minute) * 60 + sec) * USECS_PER_SECOND + usec
    return _interval(year * 12 + mon, mday, micro)


def _age(a: datetime, b: datetime) -> Interval:
    return _symbolic_age(a, b, a >= b)


def _age_tz(env: EvalEnv, a: datetime, b: datetime) -> Interval:
    zone = session_zone(env.settings.timezone)
    return _symbolic_age(to_local(a, zone), to_local(b, zone), a >= b)


def _current_date(env: EvalEnv) -> date:
    return to_local(env.transaction_timestamp, session_zone(env.settings.timezone)).date()


def _age_from_today(env: EvalEnv, a: datetime) -> Interval:
    return _age(_date_to_timestamp(_current_date(env)), a)


def _age_tz_from_today(env: EvalEnv, a: datetime) -> Interval:
    zone = session_zone(env.settings.timezone)
    today = from_local(_date_to_timestamp(_current_date(env)), zone)
    return _symbolic_age(to_local(today, zone), to_local(a, zone), today >= a)


def _now(env: EvalEnv) -> datetime:
    return env.transaction_timestamp


def _statement_timestamp(env: EvalEnv) -> datetime:
    return env.statement_timestamp


def _clock_timestamp() -> datetime:
    return datetime.now(UTC)


def _localtimestamp(env: EvalEnv) -> datetime:
    return to_local(env.transaction_timestamp, session_zone(env.settings.timezone))


def _localtime(env: EvalEnv) -> time:
    return _localtimestamp(env).time()


def _round_precision(ts: datetime, precision: int) -> datetime:
    if precision >= 6:
        return ts
    if precision < 0:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f"TIMESTAMP({precision}) precision must not be negative",
        )
    scale = 10 ** (6 - precision)
    rounded = (ts.microsecond + scale // 2) // scale * scale
    return ts.replace(microsecond=0) + timedelta(microseconds=rounded)


def _now_precision(env: EvalEnv, precision: int) -> datetime:
    return _round_precision(env.transaction_timestamp, precision)


def _localtimestamp_precision(env: EvalEnv, precision: int) -> datetime:
    return _round_precision(_localtimestamp(env), precision)


def _to_timestamp(seconds: float) -> datetime:
    if math.isnan(seconds):
        raise _error(sqlstates.DATETIME_FIELD_OVERFLOW, "timestamp cannot be NaN")
    if math.isinf(seconds):
        raise _timestamp_out_of_range()
    try:
        return _EPOCH_UTC + timedelta(microseconds=round(seconds * USECS_PER_SECOND))
    except OverflowError:
        raise _error(
            sqlstates.DATETIME_FIELD_OVERFLOW, f'timestamp out of range: "{seconds:g}"'
        ) from None


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _error(
            sqlstates.DATETIME_FIELD_OVERFLOW,
            f"date field value out of range: {year}-{month:02d}-{day:02d}",
        ) from None


def _make_time(hour: int, minute: int, second: float) -> time:
    whole = math.floor(second)
    micro = round((second - whole) * USECS_PER_SECOND)
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60) or micro >= 10**6:
        raise _error(
            sqlstates.DATETIME_FIELD_OVERFLOW,
            f"time field value out of range: {hour}:{minute:02d}:{second:02g}",
        )
    return time(hour, minute, int(whole), micro)


def _make_timestamp(
    year: int, month: int, day: int, hour: int, minute: int, second: float
) -> datetime:
    return datetime.combine(_make_date(year, month, day), _make_time(hour, minute, second))


def _make_timestamptz(
    env: EvalEnv, year: int, month: int, day: int, hour: int, minute: int, second: float
) -> datetime:
    wall = _make_timestamp(year, month, day, hour, minute, second)
    return from_local(wall, session_zone(env.settings.timezone))


def _make_timestamptz_zone(
    year: int, month: int, day: int, hour: int, minute: int, second: float, zone: str
) -> datetime:
    return from_local(_make_timestamp(year, month, day, hour, minute, second), named_zone(zone))


def _make_interval(
    years: int = 0,
    months: int = 0,
    weeks: int = 0,
    days: int = 0,
    hours: int = 0,
    minutes: int = 0,
    seconds: float = 0.0,
) -> Interval:
    if math.isinf(seconds) or math.isnan(seconds):
        raise _interval_out_of_range()
    micro = (hours * 60 + minutes) * 60 * USECS_PER_SECOND + round(seconds * USECS_PER_SECOND)
    return _interval(years * 12 + months, weeks * 7 + days, micro)


def _timezone_of_timestamptz(zone_name: str, ts: datetime) -> datetime:
    """timestamptz AT TIME ZONE zone → the wall-clock time there."""
    return to_local(ts, named_zone(zone_name))


def _timezone_of_timestamp(zone_name: str, wall: datetime) -> datetime:
    """timestamp AT TIME ZONE zone → the instant that wall-clock time names there."""
    return from_local(wall, named_zone(zone_name))


def _isfinite(_: Any) -> bool:
    return True
