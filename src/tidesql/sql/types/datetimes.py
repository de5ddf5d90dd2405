"""Text I/O of date, time, timestamp, timestamptz and interval.

Output honours DateStyle; input is a port of PostgreSQL's ParseDateTime (shared with
``interval.py``) and DecodeDateTime, keeping its field masks so the same inputs are
accepted and rejected. The microsecond conversions and typmod rounding used by the binary
formats and casts live here too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import interval as _iv
from tidesql.sql.interval import Interval
from tidesql.sql.types.identity import FormatSettings, SqlType
from tidesql.sql.types.session_settings import (
    _UTC,
    _date_style,
    _format_offset,
    _local_to_utc,
    _lookup_zone,
    _now,
    _timestamp_out_of_range,
    _zone,
)

_MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _clock_text(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def _date_text(value: dt.date, style: str, order: str) -> str:
    y, m, d = value.year, value.month, value.day
    if style == "ISO":
        return f"{y:04d}-{m:02d}-{d:02d}"
    if style == "SQL":
        return f"{d:02d}/{m:02d}/{y:04d}" if order == "DMY" else f"{m:02d}/{d:02d}/{y:04d}"
    if style == "GERMAN":
        return f"{d:02d}.{m:02d}.{y:04d}"
    return f"{d:02d}-{m:02d}-{y:04d}" if order == "DMY" else f"{m:02d}-{d:02d}-{y:04d}"


def _date_out(value: dt.date, sql_type: SqlType, settings: FormatSettings) -> str:
    if settings.date_style == "ISO, MDY":
        return value.isoformat()
    style, order = _date_style(settings.date_style)
    return _date_text(value, style, order)


def _time_out(value: dt.time, sql_type: SqlType, settings: FormatSettings) -> str:
    text = value.isoformat()
    return text.rstrip("0") if value.microsecond else text


def _datetime_text(value: dt.datetime, settings: FormatSettings, zone_suffix: str | None) -> str:
    """EncodeDateTime for a local wall-clock time; ``zone_suffix`` is None for timestamp,
    else the (offset, abbreviation) rendering for the style."""
    style, order = _date_style(settings.date_style)
    if style == "POSTGRES":
        day_name = _DAY_ABBREVIATIONS[value.weekday()]
        month = _MONTH_ABBREVIATIONS[value.month - 1]
        if order == "DMY":
            text = f"{day_name} {value.day:02d} {month}"
        else:
            text = f"{day_name} {month} {value.day:02d}"
        text += f" {_clock_text(value)} {value.year:04d}"
    else:
        text = _date_text(value, style, order) + " " + _clock_text(value)
    if zone_suffix is not None:
        text += zone_suffix if style == "ISO" else " " + zone_suffix
    return text


def _timestamp_out(value: dt.datetime, sql_type: SqlType, settings: FormatSettings) -> str:
    if settings.date_style == "ISO, MDY":
        text = value.isoformat(" ")
        return text.rstrip("0") if value.microsecond else text
    return _datetime_text(value, settings, None)


def _timestamptz_out(value: dt.datetime, sql_type: SqlType, settings: FormatSettings) -> str:
    local = value.astimezone(_zone(settings.timezone))
    offset = local.utcoffset()
    east = int(offset.total_seconds()) if offset is not None else 0
    style = "ISO" if settings.date_style == "ISO, MDY" else _date_style(settings.date_style)[0]
    if style == "ISO":
        text = local.replace(tzinfo=None).isoformat(" ")
        if local.microsecond:
            text = text.rstrip("0")
        return text + _format_offset(east)
    abbreviation = local.tzname() or _format_offset(east)
    return _datetime_text(local.replace(tzinfo=None), settings, abbreviation)


def _interval_out(value: Interval, sql_type: SqlType, settings: FormatSettings) -> str:
    return _iv.format_interval(value, settings.interval_style)


def _interval_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Interval:
    return _iv.parse_interval(text, sql_type.modifier)


# --- DecodeDateTime ------------------------------------------------------------------

# Field masks (PostgreSQL's DTK_M bits).
_M_YEAR = 1 << 2
_M_MONTH = 1 << 1
_M_DAY = 1 << 3
_M_DATE = _M_YEAR | _M_MONTH | _M_DAY
_M_TIME = (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14)
_M_TZ = 1 << 5
_M_DOY = 1 << 15
_M_DOW = 1 << 16
_M_AMPM = 1 << 9
_M_ADBC = 1 << 17

# datetktbl: the words DecodeDateTime knows, as (kind, value).
_DATE_WORDS: dict[str, tuple[str, int]] = {}
for _number, _names in enumerate(
    (
        ("jan", "january"),
        ("feb", "february"),
        ("mar", "march"),
        ("apr", "april"),
        ("may",),
        ("jun", "june"),
        ("jul", "july"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _DATE_WORDS[_name] = ("month", _number)
for _number, _names in enumerate(
    (
        ("sun", "sunday"),
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
    )
):
    for _name in _names:
        _DATE_WORDS[_name] = ("dow", _number)
_DATE_WORDS.update(
    {
        "am": ("ampm", 0),
        "pm": ("ampm", 1),
        "ad": ("adbc", 0),
        "bc": ("adbc", 1),
        "epoch": ("special", 0),
        "infinity": ("special", 0),
        "+infinity": ("special", 0),
        "-infinity": ("special", 0),
        "now": ("special", 0),
        "today": ("special", 0),
        "tomorrow": ("special", 0),
        "yesterday": ("special", 0),
        "allballs": ("special", 0),
        "t": ("isotime", 0),
        "j": ("julian", 0),
        "jd": ("julian", 0),
        "julian": ("julian", 0),
        "at": ("ignore", 0),
        "on": ("ignore", 0),
    }
)
_TOKEN_KEYWORDS = frozenset(_DATE_WORDS) | {"y", "m", "d", "h", "s"}

# A subset of PostgreSQL's "Default" timezone abbreviation set: seconds east of UTC.
_ZONE_ABBREVIATIONS: dict[str, int] = {
    "utc": 0, "gmt": 0, "ut": 0, "z": 0, "zulu": 0, "wet": 0,
    "west": 3600, "bst": 3600, "cet": 3600, "mez": 3600,
    "cest": 7200, "mesz": 7200, "eet": 7200, "ist": 7200, "sast": 7200,
    "eest": 10800, "msk": 10800,
    "sgt": 28800, "hkt": 28800, "awst": 28800, "pht": 28800,
    "jst": 32400, "kst": 32400, "acst": 34200, "aest": 36000, "aedt": 39600,
    "nzst": 43200, "nzdt": 46800,
    "ndt": -9000, "nst": -12600, "adt": -10800, "art": -10800, "brt": -10800,
    "clt": -10800, "ast": -14400, "edt": -14400, "est": -18000, "cdt": -18000,
    "cst": -21600, "mdt": -21600, "mst": -25200, "pdt": -25200, "pst": -28800,
    "akdt": -28800, "akst": -32400, "hst": -36000,
}  # fmt: skip

_DAY_SHIFTS = {"today": 0, "tomorrow": 1, "yesterday": -1}
# Julian day 2451545 is 2000-01-01, whose proleptic Gregorian ordinal is 730120.
_JULIAN_ORDINAL_OFFSET = 1721425
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class _DateTimeError(Exception):
    """Internal: one of DecodeDateTime's DTERR_* outcomes."""

    def __init__(self, kind: str, field: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.field = field


def _dt_bad() -> _DateTimeError:
    return _DateTimeError("bad")


def _dt_overflow() -> _DateTimeError:
    return _DateTimeError("overflow")


@dataclass(slots=True)
class _Fields:
    """pg_tm plus what DecodeDateTime learns along the way."""

    year: int = 0
    month: int = 0
    day: int = 0
    hour: int = 0
    minute: int = 0
    second: int = 0
    microsecond: int = 0
    tz_east: int | None = None
    zone: dt.tzinfo | None = None
    special: str | None = None
    doy: int = 0


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _fraction_usec(text: str) -> int:
    """ParseFractionalSecond: '.123456789' -> rint(0.123456789 * 1e6)."""
    if text == ".":
        return 0
    if not text[1:].isdigit():
        raise _dt_bad()
    return round(float("0" + text) * 1_000_000)


def _decode_clock(text: str, fields: _Fields) -> None:
    """DecodeTime: hh:mm[:ss[.f]] (or mm:ss.f)."""
    parts = text.split(":")
    if len(parts) > 3 or not parts[0].isdigit():
        raise _dt_bad()
    hour = int(parts[0])
    minute_text = parts[1]
    usec = 0
    second = 0
    if len(parts) == 2 and "." in minute_text:
        minute_text, dot, fraction = minute_text.partition(".")
        hour, minute_value = 0, hour
        if not minute_text.isdigit():
            raise _dt_bad()
        second = int(minute_text)
        usec = _fraction_usec(dot + fraction)
        minute = minute_value
    else:
        if not minute_text.isdigit():
            raise _dt_bad()
        minute = int(minute_text)
        if len(parts) == 3:
            second_text, dot, fraction = parts[2].partition(".")
            if not second_text.isdigit():
                raise _dt_bad()
            second = int(second_text)
            if dot:
                usec = _fraction_usec(dot + fraction)
    if minute > 59 or second > 60 or usec > 1_000_000:
        raise _dt_overflow()
    if hour > 24 or (hour == 24 and (minute or second or usec)):
        raise _dt_overflow()
    fields.hour, fields.minute, fields.second, fields.microsecond = hour, minute, second, usec


def _decode_tz_offset(text: str) -> int:
    """DecodeTimezone: '+05', '-0530', '+05:30[:15]' -> seconds east of UTC."""
    sign = -1 if text[0] == "-" else 1
    body = text[1:]
    seconds = 0
    if ":" in body:
        pieces = body.split(":")
        if len(pieces) > 3 or not all(p.isdigit() for p in pieces):
            raise _dt_bad()
        hours, minutes = int(pieces[0]), int(pieces[1])
        if len(pieces) == 3:
            seconds = int(pieces[2])
    else:
        if not body.isdigit():
            raise _dt_bad()
        value = int(body)
        if len(text) > 3:
            hours, minutes = divmod(value, 100)
        else:
            hours, minutes = value, 0
    if hours > 15 or minutes >= 60 or seconds >= 60:
        raise _DateTimeError("tzdisp")
    return sign * ((hours * 60 + minutes) * 60 + seconds)


class _DateDecoder:
    """The state of one DecodeDateTime run."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.fields = _Fields()
        self.fmask = 0
        self.is2digits = False
        self.have_text_month = False
        self.bc = False
        self.ampm: int | None = None
        self.julian = False

    def number(self, text: str, fmask: int) -> int:
        """DecodeNumber: place one numeric date field by what is known so far."""
        f = self.fields
        digits, dot, fraction = text.partition(".")
        if not digits.isdigit():
            raise _dt_bad()
        if dot:
            if len(digits) > 2:
                return self.number_field(text, fmask)
            f.microsecond = _fraction_usec(dot + fraction)
        value = int(digits)
        flen = len(digits)
        if flen == 3 and (fmask & _M_DATE) == _M_YEAR and 1 <= value <= 366:
            f.doy = value
            return _M_DOY | _M_MONTH | _M_DAY
        known = fmask & _M_DATE
        if known == 0:
            if flen >= 3 or self.order == "YMD":
                mask = _M_YEAR
                f.year = value
            elif self.order == "DMY":
                mask = _M_DAY
                f.day = value
            else:
                mask = _M_MONTH
                f.month = value
        elif known == _M_YEAR:
            mask = _M_MONTH
            f.month = value
        elif known == _M_MONTH:
            if self.have_text_month and (flen >= 3 or self.order == "YMD"):
                mask = _M_YEAR
                f.year = value
            else:
                mask = _M_DAY
                f.day = value
        elif known == _M_YEAR | _M_MONTH:
            if self.have_text_month and flen >= 3 and self.is2digits:
                # DD-MON-YYYY: what looked like a two-digit year was the day.
                mask = _M_DAY
                f.day = f.year
                f.year = value
                self.is2digits = False
            else:
                mask = _M_DAY
                f.day = value
        elif known == _M_DAY:
            mask = _M_MONTH
            f.month = value
        elif known == _M_MONTH | _M_DAY:
            mask = _M_YEAR
            f.year = value
        elif known == _M_DATE:
            return self.number_field(text, fmask)
        else:
            raise _dt_bad()
        if mask == _M_YEAR:
            self.is2digits = flen <= 2
        return mask

    def number_field(self, text: str, fmask: int) -> int:
        """DecodeNumberField: run-together YYYYMMDD, hhmmss, hhmm (with fraction)."""
        f = self.fields
        digits, dot, fraction = text.partition(".")
        if dot:
            f.microsecond = _fraction_usec(dot + fraction)
        elif (fmask & _M_DATE) != _M_DATE and len(digits) >= 6:
            f.day = int(digits[-2:])
            f.month = int(digits[-4:-2])
            f.year = int(digits[:-4])
            if len(digits) - 4 == 2:
                self.is2digits = True
            return _M_DATE
        if (fmask & _M_TIME) != _M_TIME:
            if len(digits) == 6:
                f.hour, f.minute, f.second = int(digits[:2]), int(digits[2:4]), int(digits[4:])
                return _M_TIME
            if len(digits) == 4:
                f.hour, f.minute, f.second = int(digits[:2]), int(digits[2:]), 0
                return _M_TIME
        raise _dt_bad()

    def date(self, text: str, fmask: int) -> int:
        """DecodeDate: a delimited date such as 2024-01-31, 1/31/2024, jan-31-2024."""
        if not re.match(r"[0-9a-z]", text[-1]):
            raise _dt_bad()  # the string ends with a separator
        mask = 0
        numeric = []
        for part in re.findall(r"[0-9]+|[a-z]+", text):
            if part.isdigit():
                numeric.append(part)
                continue
            word = _DATE_WORDS.get(part)
            if word is None or word[0] not in ("month", "ignore"):
                raise _dt_bad()
            if word[0] == "ignore":
                continue
            if (fmask | mask) & _M_MONTH:
                raise _dt_bad()
            self.fields.month = word[1]
            self.have_text_month = True
            mask |= _M_MONTH
        for part in numeric:
            field_mask = self.number(part, fmask | mask)
            if (fmask | mask) & field_mask:
                raise _dt_bad()
            mask |= field_mask
        if (fmask | mask) & ~(_M_DOY | _M_TZ) != _M_DATE:
            raise _dt_bad()
        return mask

    def decode(self, text: str, settings: FormatSettings) -> _Fields:
        f = self.fields
        tokens = _iv.tokenize(text, _TOKEN_KEYWORDS)
        ptype: str | None = None
        for index, (kind, field) in enumerate(tokens):
            tmask = 0
            if kind == "date":
                if ptype == "julian":
                    raise _dt_bad()
                if (self.fmask & _M_DATE) == _M_DATE or ptype is not None:
                    if field[0].isdigit() or ptype is not None:
                        raise _dt_bad()
                    zone = _lookup_zone(field)
                    if zone is None:
                        raise _DateTimeError("zone", field)
                    f.zone = zone
                    tmask = _M_TZ
                else:
                    tmask = self.date(field, self.fmask)
            elif kind == "time":
                if ptype is not None:
                    if ptype != "isotime":
                        raise _dt_bad()
                    ptype = None
                _decode_clock(field, f)
                tmask = _M_TIME
            elif kind == "tz":
                f.tz_east = _decode_tz_offset(field)
                tmask = _M_TZ
            elif kind == "number":
                if ptype == "julian":
                    digits, _, _ = field.partition(".")
                    if not digits.isdigit():
                        raise _dt_bad()
                    try:
                        day = dt.date.fromordinal(int(digits) - _JULIAN_ORDINAL_OFFSET)
                    except (ValueError, OverflowError):
                        raise _dt_overflow() from None
                    f.year, f.month, f.day = day.year, day.month, day.day
                    self.julian = True
                    tmask = _M_DATE
                    ptype = None
                elif ptype == "isotime":
                    tmask = self.number_field(field, self.fmask)
                    if tmask != _M_TIME:
                        raise _dt_bad()
                    ptype = None
                else:
                    digits, dot, _ = field.partition(".")
                    run_together = (dot and len(digits) > 2) or (
                        len(field) >= 6 and (self.fmask & _M_DATE == 0 or self.fmask & _M_TIME == 0)
                    )
                    if dot and not (self.fmask & _M_DATE):
                        tmask = self.date(field, self.fmask)
                    elif run_together:
                        tmask = self.number_field(field, self.fmask)
                    else:
                        tmask = self.number(field, self.fmask)
            else:
                word = _DATE_WORDS.get(field)
                if word is None:
                    east = _ZONE_ABBREVIATIONS.get(field)
                    if east is not None:
                        f.tz_east = east
                    else:
                        zone = _lookup_zone(field) if kind == "string" else None
                        if zone is None:
                            raise _dt_bad()
                        f.zone = zone
                    tmask = _M_TZ
                else:
                    what, value = word
                    if what == "ignore":
                        continue
                    if what == "special":
                        tmask = self.special(field, settings)
                    elif what == "month":
                        tmask = _M_MONTH
                        if (
                            self.fmask & _M_MONTH
                            and not self.have_text_month
                            and not self.fmask & _M_DAY
                            and 1 <= f.month <= 31
                        ):
                            # "31 jan": the number taken for a month was the day.
                            f.day = f.month
                            tmask = _M_DAY
                        self.have_text_month = True
                        f.month = value
                    elif what == "dow":
                        tmask = _M_DOW
                    elif what == "ampm":
                        tmask = _M_AMPM
                        self.ampm = value
                    elif what == "adbc":
                        tmask = _M_ADBC
                        self.bc = value == 1
                    elif what == "isotime":
                        if (self.fmask & _M_DATE) != _M_DATE or index + 1 >= len(tokens):
                            raise _dt_bad()
                        if tokens[index + 1][0] not in ("number", "time", "date"):
                            raise _dt_bad()
                        ptype = "isotime"
                    else:
                        ptype = "julian"
            if tmask & self.fmask:
                raise _dt_bad()
            self.fmask |= tmask
        if ptype is not None:
            raise _dt_bad()
        self.validate()
        return f

    def special(self, word: str, settings: FormatSettings) -> int:
        f = self.fields
        if word == "allballs":
            f.hour = f.minute = f.second = f.microsecond = 0
            return _M_TIME
        if word in _DAY_SHIFTS:
            local_now = _now(settings).astimezone(_zone(settings.timezone))
            day = local_now.date() + dt.timedelta(days=_DAY_SHIFTS[word])
            f.year, f.month, f.day = day.year, day.month, day.day
            self.julian = True  # the year is final: no two-digit or BC adjustment
            return _M_DATE
        f.special = word
        return _M_DATE | _M_TIME | _M_TZ

    def validate(self) -> None:
        """ValidateDate and the AM/PM adjustment."""
        f = self.fields
        if f.special is not None:
            return
        if self.fmask & _M_YEAR:
            if self.julian:
                pass
            elif self.bc:
                if f.year <= 0:
                    raise _dt_overflow()
                f.year = -(f.year - 1)
            elif self.is2digits:
                if f.year < 70:
                    f.year += 2000
                elif f.year < 100:
                    f.year += 1900
            elif f.year <= 0:
                raise _dt_overflow()
        if self.fmask & _M_DOY:
            day = dt.date(max(f.year, 1), 1, 1) + dt.timedelta(days=f.doy - 1)
            f.month, f.day = day.month, day.day
        if self.fmask & _M_MONTH and not 1 <= f.month <= 12:
            raise _DateTimeError("md_overflow")
        if self.fmask & _M_DAY and not 1 <= f.day <= 31:
            raise _DateTimeError("md_overflow")
        if (self.fmask & _M_DATE) == _M_DATE:
            limit = 29 if f.month == 2 and _is_leap(f.year) else _DAYS_IN_MONTH[f.month - 1]
            if f.day > limit:
                raise _dt_overflow()
        if self.ampm is not None:
            if f.hour > 12:
                raise _dt_overflow()
            if self.ampm == 0 and f.hour == 12:
                f.hour = 0
            elif self.ampm == 1 and f.hour != 12:
                f.hour += 12


def _raise_datetime_error(error: _DateTimeError, type_name: str, text: str) -> TideError:
    if error.kind == "bad":
        return TideError(
            f'invalid input syntax for type {type_name}: "{text}"',
            sqlstate=sqlstates.INVALID_DATETIME_FORMAT,
        )
    if error.kind == "overflow":
        return TideError(
            f'date/time field value out of range: "{text}"',
            sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW,
        )
    if error.kind == "md_overflow":
        return TideError(
            f'date/time field value out of range: "{text}"',
            sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW,
            hint='Perhaps you need a different "datestyle" setting.',
        )
    if error.kind == "tzdisp":
        return TideError(
            f'time zone displacement out of range: "{text}"',
            sqlstate=sqlstates.INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
        )
    return TideError(
        f'time zone "{error.field}" not recognized', sqlstate=sqlstates.INVALID_PARAMETER_VALUE
    )


def _decode_datetime(text: str, type_name: str, settings: FormatSettings) -> _Fields:
    decoder = _DateDecoder(_date_style(settings.date_style)[1])
    try:
        fields = decoder.decode(text, settings)
    except _DateTimeError as error:
        raise _raise_datetime_error(error, type_name, text) from None
    if type_name == "time":
        complete = (decoder.fmask & _M_TIME) == _M_TIME or fields.special == "now"
    else:
        complete = (decoder.fmask & _M_DATE) == _M_DATE or fields.special is not None
    if not complete:
        raise _raise_datetime_error(_dt_bad(), type_name, text)
    return fields


def _special_local(
    fields: _Fields, text: str, type_name: str, settings: FormatSettings
) -> dt.datetime:
    """'epoch' or 'now' as a local wall-clock time ('infinity' is not representable)."""
    special = fields.special
    if special == "epoch":
        return dt.datetime(1970, 1, 1)
    if special in ("infinity", "+infinity", "-infinity"):
        raise TideError(
            f'infinite values are not supported for type {type_name}: "{text}"',
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
    return _now(settings).astimezone(_zone(settings.timezone)).replace(tzinfo=None)


def _fields_to_naive(fields: _Fields, text: str) -> dt.datetime:
    if not 1 <= fields.year <= 9999:
        raise _timestamp_out_of_range(text)
    try:
        return dt.datetime(fields.year, fields.month, fields.day) + dt.timedelta(
            hours=fields.hour,
            minutes=fields.minute,
            seconds=fields.second,
            microseconds=fields.microsecond,
        )
    except (OverflowError, ValueError):
        raise _timestamp_out_of_range(text) from None


def _timestamp_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.datetime:
    fields = _decode_datetime(text, "timestamp", settings)
    if fields.special is not None:
        if fields.special == "now":
            value = _now(settings).astimezone(_zone(settings.timezone)).replace(tzinfo=None)
        else:
            value = _special_local(fields, text, "timestamp", settings)
    else:
        value = _fields_to_naive(fields, text)
    return _timestamp_typmod(value, sql_type)


def _timestamptz_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.datetime:
    fields = _decode_datetime(text, "timestamp with time zone", settings)
    if fields.special == "epoch":
        value = dt.datetime(1970, 1, 1, tzinfo=_UTC)
    elif fields.special == "now":
        value = _now(settings).astimezone(_UTC)
    elif fields.special is not None:
        local = _special_local(fields, text, "timestamp with time zone", settings)
        value = _local_to_utc(local, _zone(settings.timezone))
    else:
        naive = _fields_to_naive(fields, text)
        if fields.tz_east is not None:
            try:
                value = (naive - dt.timedelta(seconds=fields.tz_east)).replace(tzinfo=_UTC)
            except OverflowError:
                raise _timestamp_out_of_range(text) from None
        else:
            value = _local_to_utc(naive, fields.zone or _zone(settings.timezone))
    return _timestamp_typmod(value, sql_type)


def _date_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.date:
    fields = _decode_datetime(text, "date", settings)
    if fields.special is not None:
        if fields.special == "epoch":
            return dt.date(1970, 1, 1)
        return _special_local(fields, text, "date", settings).date()
    if not 1 <= fields.year <= 9999:
        raise TideError(f'date out of range: "{text}"', sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW)
    return dt.date(fields.year, fields.month, fields.day)


def _time_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.time:
    fields = _decode_datetime(text, "time", settings)
    if fields.special == "now":
        return _time_typmod(_now(settings).astimezone(_zone(settings.timezone)).time(), sql_type)
    if fields.special is not None and fields.special != "allballs":
        raise _raise_datetime_error(_dt_bad(), "time", text)
    usec = (
        (fields.hour * 60 + fields.minute) * 60 + fields.second
    ) * 1_000_000 + fields.microsecond
    return _time_typmod(_time_from_usec(usec, text), sql_type)


def _time_from_usec(usec: int, text: str | None = None) -> dt.time:
    if not 0 <= usec < 86_400_000_000:
        # PostgreSQL has time '24:00:00'; Python's datetime.time does not.
        detail = None if text is None else f'"{text}" is 24:00:00 or later.'
        raise TideError(
            "time out of range", sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW, detail=detail
        )
    seconds, micro = divmod(usec, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


def _time_to_usec(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


_EPOCH_DATE = dt.date(2000, 1, 1)
_EPOCH_NAIVE = dt.datetime(2000, 1, 1)
_EPOCH_AWARE = dt.datetime(2000, 1, 1, tzinfo=_UTC)


def _timestamp_to_usec(value: dt.datetime) -> int:
    """Microseconds since 2000-01-01 00:00 (UTC for aware values), PostgreSQL's epoch."""
    delta = value - (_EPOCH_NAIVE if value.tzinfo is None else _EPOCH_AWARE)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _timestamp_from_usec(usec: int, aware: bool) -> dt.datetime:
    try:
        return (_EPOCH_AWARE if aware else _EPOCH_NAIVE) + dt.timedelta(microseconds=usec)
    except OverflowError:
        raise _timestamp_out_of_range() from None


def _timestamp_typmod(value: dt.datetime, sql_type: SqlType) -> dt.datetime:
    precision = sql_type.modifier
    if precision < 0 or precision >= 6 or not value.microsecond:
        return value
    usec = _timestamp_to_usec(value)
    rounded = _iv.round_microseconds(usec, precision)
    if rounded == usec:
        return value
    return _timestamp_from_usec(rounded, value.tzinfo is not None)


def _time_typmod(value: dt.time, sql_type: SqlType) -> dt.time:
    precision = sql_type.modifier
    if precision < 0 or precision >= 6 or not value.microsecond:
        return value
    return _time_from_usec(_iv.round_microseconds(_time_to_usec(value), precision))
