"""to_char: formatting timestamps, intervals and numbers by template.

Datetime templates (``YYYY``, ``HH24``, ``Month``, ``TZ``, fill mode ``FM``, ordinal
suffixes) and numeric templates (``9``, ``0``, ``D``, ``G``, ``S``, ``MI``, ``EEEE``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from tidesql.sql.functions.datetimes import _JULIAN_OFFSET, session_zone
from tidesql.sql.functions.extract import _interval_parts
from tidesql.sql.functions.registry import EvalEnv
from tidesql.sql.types import Interval

# --------------------------------------------------------------------------- to_char
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


@dataclass(frozen=True, slots=True)
class _Moment:
    """What to_char() reads: a wall-clock time and, for timestamptz, its zone."""

    wall: datetime
    zone_abbrev: str
    offset_seconds: int


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _offset_text(offset: int, with_minutes: bool) -> str:
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    if with_minutes or minutes:
        return f"{sign}{hours:02d}:{minutes:02d}" if minutes else f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}"


_NumericField = Callable[[_Moment], tuple[int, int]]  # (value, zero-padded width)
_TextField = Callable[[_Moment, bool], str]  # (moment, fill mode) → text


def _hour12(m: _Moment) -> tuple[int, int]:
    return ((m.wall.hour + 11) % 12 + 1, 2)


_NUMERIC_FIELDS: dict[str, _NumericField] = {
    "YYYY": lambda m: (m.wall.year, 4),
    "YYY": lambda m: (m.wall.year % 1000, 3),
    "YY": lambda m: (m.wall.year % 100, 2),
    "Y": lambda m: (m.wall.year % 10, 1),
    "IYYY": lambda m: (m.wall.isocalendar()[0], 4),
    "IYY": lambda m: (m.wall.isocalendar()[0] % 1000, 3),
    "IY": lambda m: (m.wall.isocalendar()[0] % 100, 2),
    "MM": lambda m: (m.wall.month, 2),
    "DDD": lambda m: (m.wall.timetuple().tm_yday, 3),
    "DD": lambda m: (m.wall.day, 2),
    "D": lambda m: (m.wall.isoweekday() % 7 + 1, 1),
    "ID": lambda m: (m.wall.isoweekday(), 1),
    "HH24": lambda m: (m.wall.hour, 2),
    "HH12": _hour12,
    "HH": _hour12,
    "MI": lambda m: (m.wall.minute, 2),
    "SSSSS": lambda m: (m.wall.hour * 3600 + m.wall.minute * 60 + m.wall.second, 1),
    "SSSS": lambda m: (m.wall.hour * 3600 + m.wall.minute * 60 + m.wall.second, 1),
    "SS": lambda m: (m.wall.second, 2),
    "MS": lambda m: (m.wall.microsecond // 1000, 3),
    "US": lambda m: (m.wall.microsecond, 6),
    "FF1": lambda m: (m.wall.microsecond // 100000, 1),
    "FF2": lambda m: (m.wall.microsecond // 10000, 2),
    "FF3": lambda m: (m.wall.microsecond // 1000, 3),
    "FF4": lambda m: (m.wall.microsecond // 100, 4),
    "FF5": lambda m: (m.wall.microsecond // 10, 5),
    "FF6": lambda m: (m.wall.microsecond, 6),
    "IW": lambda m: (m.wall.isocalendar()[1], 2),
    "WW": lambda m: ((m.wall.timetuple().tm_yday - 1) // 7 + 1, 2),
    "W": lambda m: ((m.wall.day - 1) // 7 + 1, 1),
    "Q": lambda m: ((m.wall.month - 1) // 3 + 1, 1),
    "CC": lambda m: ((m.wall.year + 99) // 100, 2),
    "J": lambda m: (m.wall.toordinal() + _JULIAN_OFFSET, 1),
}


def _name_field(
    names: list[str], index: Callable[[_Moment], int], style: str, width: int
) -> _TextField:
    def render(m: _Moment, fill_mode: bool) -> str:
        name = names[index(m)]
        if width == 3:
            name = name[:3]
        if style == "upper":
            name = name.upper()
        elif style == "lower":
            name = name.lower()
        return name if fill_mode or width == 3 else name.ljust(9)

    return render


def _month_index(m: _Moment) -> int:
    return m.wall.month - 1


def _day_index(m: _Moment) -> int:
    return m.wall.isoweekday() % 7


def _meridiem(upper: bool, dotted: bool) -> _TextField:
    def render(m: _Moment, fill_mode: bool) -> str:
        text = "P.M." if m.wall.hour >= 12 else "A.M."
        if not dotted:
            text = text.replace(".", "")
        return text if upper else text.lower()

    return render


_TEXT_FIELDS: dict[str, _TextField] = {
    "MONTH": _name_field(_MONTH_NAMES, _month_index, "upper", 9),
    "Month": _name_field(_MONTH_NAMES, _month_index, "title", 9),
    "month": _name_field(_MONTH_NAMES, _month_index, "lower", 9),
    "MON": _name_field(_MONTH_NAMES, _month_index, "upper", 3),
    "Mon": _name_field(_MONTH_NAMES, _month_index, "title", 3),
    "mon": _name_field(_MONTH_NAMES, _month_index, "lower", 3),
    "DAY": _name_field(_DAY_NAMES, _day_index, "upper", 9),
    "Day": _name_field(_DAY_NAMES, _day_index, "title", 9),
    "day": _name_field(_DAY_NAMES, _day_index, "lower", 9),
    "DY": _name_field(_DAY_NAMES, _day_index, "upper", 3),
    "Dy": _name_field(_DAY_NAMES, _day_index, "title", 3),
    "dy": _name_field(_DAY_NAMES, _day_index, "lower", 3),
    "AM": _meridiem(True, False),
    "PM": _meridiem(True, False),
    "am": _meridiem(False, False),
    "pm": _meridiem(False, False),
    "A.M.": _meridiem(True, True),
    "P.M.": _meridiem(True, True),
    "a.m.": _meridiem(False, True),
    "p.m.": _meridiem(False, True),
    "AD": lambda m, fm: "AD",
    "ad": lambda m, fm: "ad",
    "A.D.": lambda m, fm: "A.D.",
    "a.d.": lambda m, fm: "a.d.",
    "TZ": lambda m, fm: m.zone_abbrev.upper(),
    "tz": lambda m, fm: m.zone_abbrev.lower(),
    "OF": lambda m, fm: _offset_text(m.offset_seconds, False),
    "TZH": lambda m, fm: _offset_text(m.offset_seconds, False)[:3],
    "TZM": lambda m, fm: f"{abs(m.offset_seconds) // 60 % 60:02d}",
}
# Numeric patterns also work in lower case (yyyy, hh24, mi, …).
_NUMERIC_PATTERNS = {**_NUMERIC_FIELDS, **{k.lower(): v for k, v in _NUMERIC_FIELDS.items()}}
_DATETIME_PATTERNS = sorted(
    set(_NUMERIC_PATTERNS) | set(_TEXT_FIELDS) | {"Y,YYY", "y,yyy"}, key=len, reverse=True
)


def _format_moment(moment: _Moment, template: str) -> str:
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        fill_mode = False
        if template.startswith(("FM", "fm"), i):
            fill_mode = True
            i += 2
        c = template[i] if i < n else ""
        if c == '"':
            close = i + 1
            while close < n and template[close] != '"':
                if template[close] == "\\" and close + 1 < n:
                    close += 1
                out.append(template[close])
                close += 1
            i = close + 1
            continue
        if c == "\\" and i + 1 < n:
            out.append(template[i + 1])
            i += 2
            continue
        for pattern in _DATETIME_PATTERNS:
            if template.startswith(pattern, i):
                break
        else:
            out.append(c)
            i += 1
            continue
        i += len(pattern)
        if pattern in ("Y,YYY", "y,yyy"):
            year = moment.wall.year
            out.append(f"{year // 1000},{year % 1000:03d}")
            continue
        numeric = _NUMERIC_PATTERNS.get(pattern)
        if numeric is None:
            out.append(_TEXT_FIELDS[pattern](moment, fill_mode))
            continue
        value, width = numeric(moment)
        out.append(str(value) if fill_mode else str(value).zfill(width))
        if template.startswith(("TH", "th"), i):
            suffix = _ordinal_suffix(value)
            out.append(suffix.upper() if template[i] == "T" else suffix)
            i += 2
    return "".join(out)


def _to_char_timestamp(ts: datetime, template: str) -> str:
    return _format_moment(_Moment(ts, "", 0), template)


def _to_char_timestamptz(env: EvalEnv, ts: datetime, template: str) -> str:
    zone = session_zone(env.settings.timezone)
    local = ts.astimezone(zone)
    offset = int((local.utcoffset() or timedelta(0)).total_seconds())
    abbrev = local.tzname() or ""
    return _format_moment(_Moment(local.replace(tzinfo=None), abbrev, offset), template)


def _to_char_interval(span: Interval, template: str) -> str:
    years, months, days, hours, minutes, seconds, micro = _interval_parts(span)
    # to_char(interval) formats the interval's fields as if they were a timestamp's.
    wall = datetime(max(years, 1), max(months, 1), 1)
    moment = _Moment(wall, "", 0)
    replaced = {
        "HH24": (hours, 2),
        "HH": (hours, 2),
        "HH12": (hours, 2),
        "MI": (minutes, 2),
        "SS": (seconds, 2),
        "MS": (micro // 1000, 3),
        "US": (micro, 6),
        "DD": (days, 2),
        "MM": (months, 2),
        "YYYY": (years, 4),
        "DDD": (days, 3),
    }
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        fill_mode = template.startswith("FM", i)
        if fill_mode:
            i += 2
        for pattern in sorted(replaced, key=len, reverse=True):
            if template.startswith(pattern, i) or template.startswith(pattern.lower(), i):
                value, width = replaced[pattern]
                out.append(str(value) if fill_mode else str(value).zfill(width))
                i += len(pattern)
                break
        else:
            out.append(_format_moment(moment, template[i]) if i < n else "")
            i += 1
    return "".join(out)


_NUMBER_PATTERN = re.compile(r"(?i:FM|EEEE|MI|PL|SG)|9|0|\.|D|d|,|G|g|S|s|.", re.S)


def _to_char_number(value: Decimal, template: str, half_even: bool = False) -> str:
    """to_char(number, text) for the common patterns: 9 0 . D , G S MI PL SG FM EEEE.

    The value is rounded to the pattern's fraction digits; integer digits beyond the
    pattern's turn every digit into '#'. Leading blanks stand for unused '9's; the sign
    (blank when positive, unless FM) sits right before the first printed character,
    or where MI/SG/PL put it. A zero integer part prints only when nothing follows the
    point (``'   0'``, and with FM ``'0.'``).
    """
    tokens = _NUMBER_PATTERN.findall(template)
    fill_mode = any(t.upper() == "FM" for t in tokens)
    tokens = [t for t in tokens if t.upper() != "FM"]
    if not tokens:
        return ""
    point = next((i for i, t in enumerate(tokens) if t in (".", "D", "d")), len(tokens))
    int_positions = [i for i in range(point) if tokens[i] in ("9", "0")]
    frac_tokens = [t for t in tokens[point + 1 :] if t in ("9", "0")]
    magnitude = value.copy_abs()
    if any(t.upper() == "EEEE" for t in tokens):
        text = f"{float(magnitude):.{len(frac_tokens)}e}"
        mantissa, exponent = text.split("e")
        return ("-" if value < 0 else " ") + f"{mantissa}e{int(exponent):+03d}"
    if magnitude.is_finite():
        rounding = ROUND_HALF_EVEN if half_even else ROUND_HALF_UP
        rounded = magnitude.quantize(Decimal(1).scaleb(-len(frac_tokens)), rounding=rounding)
        int_text, _, frac_text = f"{rounded:f}".partition(".")
        is_zero = not rounded
    else:
        int_text, frac_text, is_zero = "9" * (len(int_positions) + 1), "", False
    negative = value < 0 and not is_zero
    overflow = len(int_text) > len(int_positions)
    frac_text = frac_text.ljust(len(frac_tokens), "0")
    frac_keep = len(frac_text)
    if fill_mode and not overflow:
        # FM drops trailing zeros standing in '9' fraction positions.
        while frac_keep and frac_tokens[frac_keep - 1] == "9" and frac_text[frac_keep - 1] == "0":
            frac_keep -= 1
    if int_text == "0" and frac_keep:
        int_text = ""
    upper = [t.upper() for t in tokens]
    implicit_sign = not any(t in ("S", "MI", "SG") for t in upper)
    lead = ("-" if negative else ("" if fill_mode else " ")) if implicit_sign else ""
    if "S" in upper:
        lead += "-" if negative else "+"
    first_zero = next(
        (k for k, i in enumerate(int_positions) if tokens[i] == "0"), len(int_positions)
    )
    digit_start = len(int_positions) - len(int_text)
    started_at = min(digit_start, first_zero)
    out: list[str] = []
    lead_placed = False
    int_index = frac_index = 0
    for position, token in enumerate(tokens):
        kind = upper[position]
        if token in ("9", "0") and position < point:
            k = int_index
            int_index += 1
            if not overflow and k < started_at:
                if not fill_mode:
                    out.append(" ")
                continue
            if not lead_placed:
                out.append(lead)
                lead_placed = True
            if overflow:
                out.append("#")
            else:
                out.append(int_text[k - digit_start] if k >= digit_start else "0")
        elif position == point:
            if frac_tokens or overflow:
                if not lead_placed:
                    out.append(lead)
                    lead_placed = True
                out.append(".")
        elif token in ("9", "0"):
            if frac_index < frac_keep:
                out.append("#" if overflow else frac_text[frac_index])
            frac_index += 1
        elif kind in (",", "G"):
            if position < point and not overflow and int_index <= started_at:
                if not fill_mode:
                    out.append(" ")
            else:
                out.append(",")
        elif kind == "S":
            continue
        elif kind == "MI":
            out.append("-" if negative else ("" if fill_mode else " "))
        elif kind == "PL":
            out.append("+" if not negative else ("" if fill_mode else " "))
        elif kind == "SG":
            out.append("-" if negative else "+")
        else:
            out.append(token)
    if not lead_placed:
        out.append(lead)
    return "".join(out)


def _to_char_numeric(value: Decimal, template: str) -> str:
    return _to_char_number(value, template)


def _to_char_int(value: int, template: str) -> str:
    return _to_char_number(Decimal(value), template)


def _to_char_float(value: float, template: str) -> str:
    if not math.isfinite(value):
        return _to_char_number(Decimal(str(value)), template)
    return _to_char_number(Decimal(value), template, half_even=True)
