"""SQL ``interval``: PostgreSQL's (months, days, microseconds) triple.

What is an interval?
    Three independent counters, exactly as PostgreSQL stores them: ``months`` (int32),
    ``days`` (int32) and ``microseconds`` (int64). They are kept apart because a month
    and a day are not fixed lengths of time: adding ``1 mon`` to Jan 31 and to Feb 28
    moves by different amounts, and ``1 day`` across a DST change is 23 or 25 hours.

How do two intervals compare?
    PostgreSQL's ``interval_cmp_value``: a month counts as 30 days and a day as 24 hours,
    and the three parts are folded into one number of microseconds. So ``'1 mon'`` equals
    ``'30 days'`` and ``'1 day'`` equals ``'24 hours'``, yet they print differently. The
    hash follows the same folded value, so equal intervals land in the same hash bucket
    (GROUP BY and DISTINCT rely on it)::

        1 mon           -> (1*30 + 0) * 86_400_000_000 + 0           = 2_592_000_000_000
        29 days 24:00   -> (0*30 + 29) * 86_400_000_000 + 86_400_000_000 = the same

How is text turned into an interval?
    A port of PostgreSQL 15's ``ParseDateTime`` + ``DecodeInterval`` (fields read right
    to left, so a bare number takes its unit from what follows it, ``1 day 2`` is one day
    and two seconds) and of ``DecodeISO8601Interval`` (``P1Y2M3DT4H5M6S`` and
    ``P0001-02-03T04:05:06``). Fractions spill down the way PostgreSQL spills them
    (``1.5 months`` = 1 mon 15 days, ``1.01 years`` = 1 year because 0.12 of a month
    rounds away), with the same double-precision arithmetic so the rounding matches.

How is an interval printed?
    All four ``IntervalStyle`` settings: ``postgres`` (the default, ``1 year 2 mons
    3 days 04:05:06.5``), ``postgres_verbose``, ``sql_standard`` and ``iso_8601``.

Non-goals: ``infinity`` intervals (PostgreSQL 17) and the ``sql_standard`` rule that a
leading minus sign negates every field on input.
"""

from __future__ import annotations

from dataclasses import dataclass

from tidesql import sqlstates
from tidesql.errors import TideError

USECS_PER_SEC = 1_000_000
USECS_PER_MINUTE = 60 * USECS_PER_SEC
USECS_PER_HOUR = 60 * USECS_PER_MINUTE
USECS_PER_DAY = 24 * USECS_PER_HOUR
DAYS_PER_MONTH = 30
MONTHS_PER_YEAR = 12

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Interval typmod: INTERVAL_TYPMOD(precision, range) = (range << 16) | precision.
# The range is a bit mask of the fields a declaration such as ``interval day to second``
# allows; the bit numbers are PostgreSQL's (datetime.h).
MASK_MONTH = 1 << 1
MASK_YEAR = 1 << 2
MASK_DAY = 1 << 3
MASK_HOUR = 1 << 10
MASK_MINUTE = 1 << 11
MASK_SECOND = 1 << 12
FULL_RANGE = 0x7FFF
FULL_PRECISION = 0xFFFF
MAX_PRECISION = 6

#: The range masks PostgreSQL accepts, with the words format_type() prints for them.
RANGE_NAMES: dict[int, str] = {
    MASK_YEAR: " year",
    MASK_MONTH: " month",
    MASK_DAY: " day",
    MASK_HOUR: " hour",
    MASK_MINUTE: " minute",
    MASK_SECOND: " second",
    MASK_YEAR | MASK_MONTH: " year to month",
    MASK_DAY | MASK_HOUR: " day to hour",
    MASK_DAY | MASK_HOUR | MASK_MINUTE: " day to minute",
    MASK_DAY | MASK_HOUR | MASK_MINUTE | MASK_SECOND: " day to second",
    MASK_HOUR | MASK_MINUTE: " hour to minute",
    MASK_HOUR | MASK_MINUTE | MASK_SECOND: " hour to second",
    MASK_MINUTE | MASK_SECOND: " minute to second",
    FULL_RANGE: "",
}


@dataclass(frozen=True, slots=True, eq=False)
class Interval:
    """An SQL interval; compares and hashes by PostgreSQL's folded length."""

    months: int = 0
    days: int = 0
    microseconds: int = 0

    def span(self) -> int:
        """The value PostgreSQL compares: a month is 30 days, a day 24 hours (µs)."""
        return (self.months * DAYS_PER_MONTH + self.days) * USECS_PER_DAY + self.microseconds

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self.span() == other.span()

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self.span() < other.span()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self.span() <= other.span()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self.span() > other.span()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Interval):
            return NotImplemented
        return self.span() >= other.span()

    def __hash__(self) -> int:
        return hash(self.span())

    def __neg__(self) -> Interval:
        return Interval(-self.months, -self.days, -self.microseconds)

    def __str__(self) -> str:
        return format_interval(self)


def check_range(value: Interval, text: str | None = None) -> Interval:
    """Raise 22008 (22015 for text input) unless every part fits PostgreSQL's widths."""
    if (
        INT32_MIN <= value.months <= INT32_MAX
        and INT32_MIN <= value.days <= INT32_MAX
        and INT64_MIN <= value.microseconds <= INT64_MAX
    ):
        return value
    if text is not None:
        raise TideError(
            f'interval field value out of range: "{text}"',
            sqlstate=sqlstates.INTERVAL_FIELD_OVERFLOW,
        )
    raise TideError("interval out of range", sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW)


# ---------------------------------------------------------------------------------------
# Output


def _tdiv(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // b
    return -q if a < 0 else q


def _split(value: Interval) -> tuple[int, int, int, int, int, int, int]:
    """PostgreSQL's interval2itm: year, mon, mday, hour, min, sec, usec (C semantics)."""
    year = _tdiv(value.months, MONTHS_PER_YEAR)
    mon = value.months - year * MONTHS_PER_YEAR
    time = value.microseconds
    hour = _tdiv(time, USECS_PER_HOUR)
    time -= hour * USECS_PER_HOUR
    minute = _tdiv(time, USECS_PER_MINUTE)
    time -= minute * USECS_PER_MINUTE
    sec = _tdiv(time, USECS_PER_SEC)
    usec = time - sec * USECS_PER_SEC
    return year, mon, value.days, hour, minute, sec, usec


def _seconds(sec: int, usec: int, fill_zeros: bool) -> str:
    """AppendSeconds: absolute seconds, then a fraction without trailing zeros."""
    text = f"{abs(sec):02d}" if fill_zeros else str(abs(sec))
    if usec:
        text += "." + f"{abs(usec):06d}".rstrip("0")
    return text


def format_interval(value: Interval, style: str = "postgres") -> str:
    """PostgreSQL's interval_out under the given IntervalStyle."""
    year, mon, mday, hour, minute, sec, usec = _split(value)
    style = style.lower()
    if style == "postgres":
        return _format_postgres(year, mon, mday, hour, minute, sec, usec)
    if style == "iso_8601":
        return _format_iso(year, mon, mday, hour, minute, sec, usec)
    if style == "sql_standard":
        return _format_sql_standard(year, mon, mday, hour, minute, sec, usec)
    if style == "postgres_verbose":
        return _format_verbose(year, mon, mday, hour, minute, sec, usec)
    raise TideError(
        f'invalid value for parameter "IntervalStyle": "{style}"',
        sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
    )


def _format_postgres(
    year: int, mon: int, mday: int, hour: int, minute: int, sec: int, usec: int
) -> str:
    parts: list[str] = []
    is_before = False
    for amount, unit in ((year, "year"), (mon, "mon"), (mday, "day")):
        if amount == 0:
            continue
        # Each nonzero field sets is_before for (only) the next one: that is how
        # PostgreSQL has always printed '-1 days +02:03:00'.
        plus = "+" if is_before and amount > 0 else ""
        parts.append(f"{plus}{amount} {unit}{'' if amount == 1 else 's'}")
        is_before = amount < 0
    if not parts or hour or minute or sec or usec:
        minus = hour < 0 or minute < 0 or sec < 0 or usec < 0
        sign = "-" if minus else ("+" if is_before else "")
        parts.append(f"{sign}{abs(hour):02d}:{abs(minute):02d}:{_seconds(sec, usec, True)}")
    return " ".join(parts)


def _format_iso(year: int, mon: int, mday: int, hour: int, minute: int, sec: int, usec: int) -> str:
    if not (year or mon or mday or hour or minute or sec or usec):
        return "PT0S"
    text = "P"
    for amount, unit in ((year, "Y"), (mon, "M"), (mday, "D")):
        if amount:
            text += f"{amount}{unit}"
    if hour or minute or sec or usec:
        text += "T"
    for amount, unit in ((hour, "H"), (minute, "M")):
        if amount:
            text += f"{amount}{unit}"
    if sec or usec:
        text += ("-" if sec < 0 or usec < 0 else "") + _seconds(sec, usec, False) + "S"
    return text


def _format_sql_standard(
    year: int, mon: int, mday: int, hour: int, minute: int, sec: int, usec: int
) -> str:
    fields = (year, mon, mday, hour, minute, sec, usec)
    has_negative = any(f < 0 for f in fields)
    has_positive = any(f > 0 for f in fields)
    has_year_month = year != 0 or mon != 0
    has_day_time = any(f != 0 for f in fields[2:])
    standard = not (has_negative and has_positive) and not (has_year_month and has_day_time)
    prefix = ""
    if has_negative and standard:
        prefix = "-"
        year, mon, mday, hour, minute, sec, usec = (-f for f in fields)
    if not has_negative and not has_positive:
        return "0"
    if not standard:
        year_sign = "-" if year < 0 or mon < 0 else "+"
        day_sign = "-" if mday < 0 else "+"
        sec_sign = "-" if hour < 0 or minute < 0 or sec < 0 or usec < 0 else "+"
        return (
            f"{year_sign}{abs(year)}-{abs(mon)} {day_sign}{abs(mday)} "
            f"{sec_sign}{abs(hour)}:{abs(minute):02d}:{_seconds(sec, usec, True)}"
        )
    if has_year_month:
        return f"{prefix}{year}-{mon}"
    clock = f"{hour}:{minute:02d}:{_seconds(sec, usec, True)}"
    if mday != 0:
        return f"{prefix}{mday} {clock}"
    return prefix + clock


def _format_verbose(
    year: int, mon: int, mday: int, hour: int, minute: int, sec: int, usec: int
) -> str:
    text = "@"
    is_zero = True
    is_before = False
    for amount, unit in (
        (year, "year"),
        (mon, "mon"),
        (mday, "day"),
        (hour, "hour"),
        (minute, "min"),
    ):
        if amount == 0:
            continue
        # The first nonzero field decides "ago"; later ones are printed relative to it.
        if is_zero:
            is_before = amount < 0
            amount = abs(amount)
        elif is_before:
            amount = -amount
        text += f" {amount} {unit}{'' if amount == 1 else 's'}"
        is_zero = False
    if sec or usec:
        text += " "
        if sec < 0 or (sec == 0 and usec < 0):
            if is_zero:
                is_before = True
            elif not is_before:
                text += "-"
        elif is_before:
            text += "-"
        text += _seconds(sec, usec, False)
        text += " sec" + ("s" if abs(sec) != 1 or usec != 0 else "")
        is_zero = False
    if is_zero:
        text += " 0"
    if is_before:
        text += " ago"
    return text


# ---------------------------------------------------------------------------------------
# Input

# Field masks for duplicate detection (datetime.h bit numbers).
_M_YEAR = MASK_YEAR
_M_MONTH = MASK_MONTH
_M_DAY = MASK_DAY
_M_HOUR = MASK_HOUR
_M_MINUTE = MASK_MINUTE
_M_SECOND = MASK_SECOND
_M_MILLISECOND = 1 << 13
_M_MICROSECOND = 1 << 14
_M_WEEK = 1 << 24
_M_DECADE = 1 << 25
_M_CENTURY = 1 << 26
_M_MILLENNIUM = 1 << 27
_M_ALL_SECS = _M_SECOND | _M_MILLISECOND | _M_MICROSECOND
_M_TIME = _M_HOUR | _M_MINUTE | _M_ALL_SECS

# deltatktbl: unit words PostgreSQL recognises in interval input. Lookups use only the
# first ten characters (TOKMAXLEN), which is why "microseconds" matches "microsecon".
_UNITS: dict[str, str] = {}
for _words, _unit in (
    (("c", "cent", "centuries", "century"), "century"),
    (("d", "day", "days"), "day"),
    (("dec", "decade", "decades", "decs"), "decade"),
    (("h", "hour", "hours", "hr", "hrs"), "hour"),
    (("m", "min", "mins", "minute", "minutes"), "minute"),
    (("microsecon", "us", "usec", "usecond", "useconds", "usecs"), "microsecond"),
    (("mil", "millennia", "millennium", "mils"), "millennium"),
    (("millisecon", "ms", "msec", "msecond", "mseconds", "msecs"), "millisecond"),
    (("mon", "mons", "month", "months"), "month"),
    (("s", "sec", "second", "seconds", "secs"), "second"),
    (("w", "week", "weeks"), "week"),
    (("y", "year", "years", "yr", "yrs"), "year"),
):
    for _word in _words:
        _UNITS[_word] = _unit

_BAD_FORMAT = "bad"
_OVERFLOW = "overflow"


class _DecodeError(Exception):
    """Internal: which of PostgreSQL's DTERR_* codes a decode step hit."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _bad() -> _DecodeError:
    return _DecodeError(_BAD_FORMAT)


def _overflow() -> _DecodeError:
    return _DecodeError(_OVERFLOW)


_SPACE = " \t\n\r\v\f"


def tokenize(text: str, keywords: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """PostgreSQL's ParseDateTime: split ``text`` into ``(kind, field)`` pairs.

    ``kind`` is one of number, time, date, tz, string, special; letters are lowercased.
    A word directly followed by a digit or '+' starts a date-like token (a zone name
    such as ``etc/gmt+3``) unless it is one of ``keywords`` (``j2451545`` is ``j`` then
    a number).
    """
    fields: list[tuple[str, str]] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _SPACE:
            i += 1
            continue
        start = i
        if "0" <= ch <= "9":
            i += 1
            while i < n and "0" <= text[i] <= "9":
                i += 1
            if i < n and text[i] == ":":
                i += 1
                while i < n and ("0" <= text[i] <= "9" or text[i] in ":."):
                    i += 1
                fields.append(("time", text[start:i]))
            elif i < n and text[i] in "-/.":
                delim = text[i]
                i += 1
                if i < n and "0" <= text[i] <= "9":
                    kind = "number" if delim == "." else "date"
                    while i < n and "0" <= text[i] <= "9":
                        i += 1
                    if i < n and text[i] == delim:
                        kind = "date"
                        i += 1
                        while i < n and ("0" <= text[i] <= "9" or text[i] == delim):
                            i += 1
                    fields.append((kind, text[start:i]))
                else:
                    while i < n and ((text[i].isascii() and text[i].isalnum()) or text[i] == delim):
                        i += 1
                    fields.append(("date", text[start:i].lower()))
            else:
                fields.append(("number", text[start:i]))
        elif ch == ".":
            i += 1
            while i < n and "0" <= text[i] <= "9":
                i += 1
            fields.append(("number", text[start:i]))
        elif ch.isascii() and ch.isalpha():
            i += 1
            while i < n and text[i].isascii() and text[i].isalpha():
                i += 1
            word = text[start:i].lower()
            is_date = False
            if i < n and text[i] in "-/.":
                is_date = True
            elif i < n and (text[i] == "+" or "0" <= text[i] <= "9"):
                is_date = word not in keywords
            if is_date:
                i += 1
                while i < n and (text[i] in "+-/_.:" or (text[i].isascii() and text[i].isalnum())):
                    i += 1
                fields.append(("date", text[start:i].lower()))
            else:
                fields.append(("string", word))
        elif ch in "+-":
            i += 1
            while i < n and text[i] in _SPACE:
                i += 1
            if i < n and "0" <= text[i] <= "9":
                digits_start = i
                while i < n and ("0" <= text[i] <= "9" or text[i] in ":.-"):
                    i += 1
                fields.append(("tz", ch + text[digits_start:i]))
            elif i < n and text[i].isascii() and text[i].isalpha():
                word_start = i
                while i < n and text[i].isascii() and text[i].isalpha():
                    i += 1
                fields.append(("special", ch + text[word_start:i].lower()))
            else:
                raise _bad()
        elif ch.isascii() and not ch.isalnum() and ch.isprintable():
            # Other punctuation (such as the '@' of postgres_verbose) only delimits.
            i += 1
        else:
            raise _bad()
    return fields


def _strtoi(text: str, pos: int) -> tuple[int, int]:
    """strtol: optional sign and digits from ``pos``; returns (value, end)."""
    i = pos
    if i < len(text) and text[i] in "+-":
        i += 1
    j = i
    while j < len(text) and "0" <= text[j] <= "9":
        j += 1
    if j == i:
        return 0, pos
    return int(text[pos:j]), j


def _parse_fraction(text: str) -> float:
    """ParseFraction: ``text`` starts at the '.'; return its value as a double."""
    if text == ".":
        return 0.0
    if not all("0" <= c <= "9" for c in text[1:]):
        raise _bad()
    return float("0" + text)


def _decode_time(text: str, range_mask: int) -> int:
    """DecodeTimeCommon for intervals: hh:mm[:ss[.f]] (or mm:ss.f) to microseconds."""
    hour, pos = _strtoi(text, 0)
    if pos >= len(text) or text[pos] != ":":
        raise _bad()
    minute, pos = _strtoi(text, pos + 1)
    sec = 0
    fsec = 0
    rest = text[pos:]
    if rest == "":
        if range_mask == (MASK_MINUTE | MASK_SECOND):
            hour, minute, sec = 0, hour, minute
    elif rest[0] == ".":
        # mm:ss.sss is always MINUTE TO SECOND.
        fsec = round(_parse_fraction(rest) * USECS_PER_SEC)
        hour, minute, sec = 0, hour, minute
    elif rest[0] == ":":
        sec, pos = _strtoi(text, pos + 1)
        rest = text[pos:]
        if rest:
            if rest[0] != ".":
                raise _bad()
            fsec = round(_parse_fraction(rest) * USECS_PER_SEC)
    else:
        raise _bad()
    if (
        hour < 0
        or minute < 0
        or minute > 59
        or sec < 0
        or sec > 60
        or not 0 <= fsec <= USECS_PER_SEC
    ):
        raise _overflow()
    return hour * USECS_PER_HOUR + minute * USECS_PER_MINUTE + sec * USECS_PER_SEC + fsec


class _Accumulator:
    """pg_itm_in: the fields being built, with PostgreSQL's fraction spilling rules."""

    __slots__ = ("day", "month", "usec", "year")

    def __init__(self) -> None:
        self.year = 0
        self.month = 0
        self.day = 0
        self.usec = 0

    def fract_usec(self, frac: float, scale: int) -> None:
        if frac == 0:
            return
        frac *= scale
        whole = int(frac)
        self.usec += whole + round(frac - whole)

    def fract_days(self, frac: float, scale: int) -> None:
        if frac == 0:
            return
        frac *= scale
        extra = int(frac)
        self.day += extra
        self.fract_usec(frac - extra, USECS_PER_DAY)

    def fract_years(self, frac: float, scale: int) -> None:
        self.month += round(frac * scale * MONTHS_PER_YEAR)

    def add(self, unit: str, val: int, fval: float) -> int:
        """Apply ``val + fval`` of ``unit``; return the field mask it used."""
        if unit == "microsecond":
            self.usec += val
            self.fract_usec(fval, 1)
            return _M_MICROSECOND
        if unit == "millisecond":
            self.usec += val * 1000
            self.fract_usec(fval, 1000)
            return _M_MILLISECOND
        if unit == "second":
            self.usec += val * USECS_PER_SEC
            self.fract_usec(fval, USECS_PER_SEC)
            return _M_SECOND if fval == 0 else _M_ALL_SECS
        if unit == "minute":
            self.usec += val * USECS_PER_MINUTE
            self.fract_usec(fval, USECS_PER_MINUTE)
            return _M_MINUTE
        if unit == "hour":
            self.usec += val * USECS_PER_HOUR
            self.fract_usec(fval, USECS_PER_HOUR)
            return _M_HOUR
        if unit == "day":
            self.day += val
            self.fract_usec(fval, USECS_PER_DAY)
            return _M_DAY
        if unit == "week":
            self.day += val * 7
            self.fract_days(fval, 7)
            return _M_WEEK
        if unit == "month":
            self.month += val
            self.fract_days(fval, DAYS_PER_MONTH)
            return _M_MONTH
        scale, mask = {
            "year": (1, _M_YEAR),
            "decade": (10, _M_DECADE),
            "century": (100, _M_CENTURY),
            "millennium": (1000, _M_MILLENNIUM),
        }[unit]
        self.year += val * scale
        self.fract_years(fval, scale)
        return mask

    def result(self) -> Interval:
        if not (INT32_MIN <= self.year <= INT32_MAX and INT32_MIN <= self.month <= INT32_MAX):
            raise _overflow()
        return Interval(self.year * MONTHS_PER_YEAR + self.month, self.day, self.usec)


def _default_unit(range_mask: int) -> str:
    """The unit of a trailing bare number, from the declared field range."""
    if range_mask == MASK_YEAR:
        return "year"
    if range_mask in (MASK_MONTH, MASK_YEAR | MASK_MONTH):
        return "month"
    if range_mask == MASK_DAY:
        return "day"
    if range_mask in (MASK_HOUR, MASK_DAY | MASK_HOUR):
        return "hour"
    if range_mask in (MASK_MINUTE, MASK_HOUR | MASK_MINUTE, MASK_DAY | MASK_HOUR | MASK_MINUTE):
        return "minute"
    return "second"


def _decode_interval(fields: list[tuple[str, str]], range_mask: int) -> Interval:
    """DecodeInterval: walk the fields right to left so units precede their values."""
    acc = _Accumulator()
    fmask = 0
    unit: str | None = None
    parsing_unit_val = False
    is_before = False
    for index in range(len(fields) - 1, -1, -1):
        kind, field = fields[index]
        tmask = 0
        if kind == "time" or (kind == "tz" and ":" in field[1:]):
            if kind == "time":
                acc.usec += _decode_time(field, range_mask)
            else:
                usec = _decode_time(field[1:], range_mask)
                acc.usec += -usec if field[0] == "-" else usec
            tmask = _M_TIME
            unit = "day"
            parsing_unit_val = False
        elif kind in ("tz", "date", "number"):
            if unit is None:
                unit = _default_unit(range_mask)
            if unit == "ago":
                raise _bad()
            val, pos = _strtoi(field, 0)
            rest = field[pos:]
            fval = 0.0
            if rest.startswith("-") and pos > 0:
                # SQL "years-months" syntax.
                val2, end = _strtoi(rest, 1)
                if end == 1:
                    raise _bad()
                if val2 < 0 or val2 >= MONTHS_PER_YEAR:
                    raise _overflow()
                if end != len(rest):
                    raise _bad()
                unit = "month"
                if field.startswith("-"):
                    val2 = -val2
                val = val * MONTHS_PER_YEAR + val2
            elif rest.startswith("."):
                fval = _parse_fraction(rest)
                if field.startswith("-"):
                    fval = -fval
            elif rest or pos == 0:
                raise _bad()
            if not INT64_MIN <= val <= INT64_MAX:
                raise _overflow()
            tmask = acc.add(unit, val, fval)
            if unit == "hour":
                unit = "day"
            parsing_unit_val = False
        elif kind in ("string", "special"):
            if parsing_unit_val:
                raise _bad()
            if field == "ago":
                # A number directly before "ago" has no unit: PostgreSQL rejects it.
                is_before = True
                unit = "ago"
                continue
            found = _UNITS.get(field[:10])
            if found is None:
                raise _bad()
            unit = found
            parsing_unit_val = True
            continue
        else:
            raise _bad()
        if tmask & fmask:
            raise _bad()
        fmask |= tmask
    if fmask == 0 or parsing_unit_val:
        raise _bad()
    result = acc.result()
    return -result if is_before else result


def _iso_number(text: str, pos: int) -> tuple[int, float, int]:
    """ParseISO8601Number: a signed decimal number; returns (int part, fraction, end)."""
    i = pos
    if i < len(text) and text[i] in "+-":
        i += 1
    j = i
    while j < len(text) and "0" <= text[j] <= "9":
        j += 1
    k = j
    if k < len(text) and text[k] == ".":
        k += 1
        while k < len(text) and "0" <= text[k] <= "9":
            k += 1
    if k == i or text[i:k] == ".":
        raise _bad()
    number = float(text[pos:k])
    whole = int(number)
    if not INT64_MIN <= whole <= INT64_MAX:
        raise _overflow()
    return whole, number - whole, k


def _decode_iso8601(text: str) -> Interval:
    """DecodeISO8601Interval: ``P[nY][nM][nW][nD][T[nH][nM][nS]]`` or the alternative
    ``PYYYY-MM-DDTHH:MM:SS`` format."""
    if len(text) < 3 or text[0] != "P":
        raise _bad()
    acc = _Accumulator()
    pos = 1
    date_part = True
    have_field = False
    while pos < len(text):
        if date_part and text[pos] == "T":
            date_part = False
            have_field = False
            pos += 1
            continue
        val, fval, pos = _iso_number(text, pos)
        unit = text[pos] if pos < len(text) else "\0"
        pos += 1
        if date_part:
            if unit == "Y":
                acc.add("year", val, fval)
            elif unit == "M":
                acc.add("month", val, fval)
            elif unit == "W":
                acc.add("week", val, fval)
            elif unit == "D":
                acc.add("day", val, fval)
            elif unit == "-" and not have_field:
                # Alternative format, extended: YYYY-MM-DD, then maybe THH:MM:SS.
                acc.add("year", val, fval)
                val, fval, pos = _iso_number(text, pos)
                acc.add("month", val, fval)
                if pos < len(text) and text[pos] == "-":
                    val, fval, pos = _iso_number(text, pos + 1)
                    acc.add("day", val, fval)
                if pos == len(text):
                    break
                if text[pos] != "T":
                    raise _bad()
                continue
            else:
                raise _bad()
        else:
            if unit == "H":
                acc.add("hour", val, fval)
            elif unit == "M":
                acc.add("minute", val, fval)
            elif unit == "S":
                acc.add("second", val, fval)
            elif unit == ":" and not have_field:
                acc.add("hour", val, fval)
                val, fval, pos = _iso_number(text, pos)
                acc.add("minute", val, fval)
                if pos < len(text) and text[pos] == ":":
                    val, fval, pos = _iso_number(text, pos + 1)
                    acc.add("second", val, fval)
                if pos != len(text):
                    raise _bad()
                break
            else:
                raise _bad()
        have_field = True
    return acc.result()


def parse_interval(text: str, typmod: int = -1) -> Interval:
    """PostgreSQL's interval_in (typmod selects the default unit and is then applied)."""
    range_mask = FULL_RANGE if typmod < 0 else (typmod >> 16) & 0x7FFF
    try:
        try:
            value = _decode_interval(tokenize(text), range_mask)
        except _DecodeError as error:
            if error.kind != _BAD_FORMAT:
                raise
            value = _decode_iso8601(text)
    except _DecodeError as error:
        if error.kind == _OVERFLOW:
            raise TideError(
                f'interval field value out of range: "{text}"',
                sqlstate=sqlstates.INTERVAL_FIELD_OVERFLOW,
            ) from None
        raise TideError(
            f'invalid input syntax for type interval: "{text}"',
            sqlstate=sqlstates.INVALID_DATETIME_FORMAT,
        ) from None
    check_range(value, text)
    return apply_typmod(value, typmod) if typmod >= 0 else value


# ---------------------------------------------------------------------------------------
# Type modifier


def typmod_from_pg_query(typmods: list[int]) -> int:
    """intervaltypmodin: ``[range]`` or ``[range, precision]`` as pg_query gives them."""
    if not typmods or len(typmods) > 2 or typmods[0] not in RANGE_NAMES:
        raise TideError(
            "invalid INTERVAL type modifier", sqlstate=sqlstates.INVALID_PARAMETER_VALUE
        )
    range_mask = typmods[0]
    if len(typmods) == 1:
        return -1 if range_mask == FULL_RANGE else (range_mask << 16) | FULL_PRECISION
    precision = typmods[1]
    if precision < 0:
        raise TideError(
            f"INTERVAL({precision}) precision must not be negative",
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    return (range_mask << 16) | min(precision, MAX_PRECISION)


def typmod_suffix(typmod: int) -> str:
    """intervaltypmodout: ``' day to second(3)'``, ``'(2)'`` or ``''``."""
    if typmod < 0:
        return ""
    range_mask = (typmod >> 16) & 0x7FFF
    precision = typmod & 0xFFFF
    words = RANGE_NAMES.get(range_mask)
    if words is None:
        raise TideError(f"invalid INTERVAL typmod: {typmod:#x}")
    return words if precision == FULL_PRECISION else f"{words}({precision})"


_PRECISION_SCALES = (1_000_000, 100_000, 10_000, 1_000, 100, 10, 1)


def round_microseconds(value: int, precision: int) -> int:
    """Round µs to ``precision`` fractional digits, half away from zero (PostgreSQL)."""
    if precision >= MAX_PRECISION:
        return value
    scale = _PRECISION_SCALES[precision]
    half = scale // 2
    if value >= 0:
        return (value + half) // scale * scale
    return -((-value + half) // scale * scale)


def apply_typmod(value: Interval, typmod: int) -> Interval:
    """AdjustIntervalForTypmod: drop fields outside the range, round the seconds."""
    if typmod < 0:
        return value
    range_mask = (typmod >> 16) & 0x7FFF
    precision = typmod & 0xFFFF
    months, days, usec = value.months, value.days, value.microseconds
    if range_mask == MASK_YEAR:
        months = _tdiv(months, MONTHS_PER_YEAR) * MONTHS_PER_YEAR
        days = usec = 0
    elif range_mask in (MASK_MONTH, MASK_YEAR | MASK_MONTH):
        days = usec = 0
    elif range_mask == MASK_DAY:
        usec = 0
    elif range_mask in (MASK_HOUR, MASK_DAY | MASK_HOUR):
        usec = _tdiv(usec, USECS_PER_HOUR) * USECS_PER_HOUR
    elif range_mask in (MASK_MINUTE, MASK_DAY | MASK_HOUR | MASK_MINUTE, MASK_HOUR | MASK_MINUTE):
        usec = _tdiv(usec, USECS_PER_MINUTE) * USECS_PER_MINUTE
    if precision != FULL_PRECISION:
        usec = round_microseconds(usec, precision)
    if (months, days, usec) == (value.months, value.days, value.microseconds):
        return value
    return Interval(months, days, usec)
