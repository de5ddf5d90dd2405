"""Session settings as the type I/O reads them: DateStyle and TimeZone.

Parses ``DateStyle`` into an output style and field order, and resolves ``TimeZone``
values (IANA names case-insensitively, numeric offsets, POSIX-style ``UTC+3`` whose sign
is inverted as in PostgreSQL) to ``tzinfo`` objects, with small caches because these run
for every timestamptz value. It also converts local wall-clock times to UTC and gives
the statement's "now" under the session's settings.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.types.identity import FormatSettings

_SPACES = " \t\n\r\v\f"


@functools.lru_cache(maxsize=32)
def _date_style(text: str) -> tuple[str, str]:
    """Parse DateStyle into (output style, field order): ('ISO', 'MDY')."""
    style = "ISO"
    order = ""
    for word in re.split(r"[\s,]+", text.strip()):
        upper = word.upper()
        if upper in ("ISO", "SQL", "POSTGRES", "GERMAN"):
            style = upper
        elif upper == "YMD":
            order = "YMD"
        elif upper in ("DMY", "EURO", "EUROPEAN"):
            order = "DMY"
        elif upper in ("MDY", "US", "NONEURO", "NONEUROPEAN"):
            order = "MDY"
        elif upper not in ("", "DEFAULT"):
            raise TideError(
                f'invalid value for parameter "DateStyle": "{text}"',
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
    if not order:
        order = "DMY" if style == "GERMAN" else "MDY"
    return style, order


def _format_offset(east_seconds: int) -> str:
    """'+05:30', '-04', '-04:56:02' as PostgreSQL prints a UTC offset."""
    sign = "-" if east_seconds < 0 else "+"
    total = abs(east_seconds)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}"
    if minutes or seconds:
        text += f":{minutes:02d}"
    if seconds:
        text += f":{seconds:02d}"
    return text


def _fixed_zone(east_seconds: int) -> dt.tzinfo:
    if east_seconds == 0:
        return dt.UTC
    return dt.timezone(dt.timedelta(seconds=east_seconds), _format_offset(east_seconds))


@functools.lru_cache(maxsize=1)
def _zone_names_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


_NUMERIC_ZONE = re.compile(r"[+-]?\d+(?:\.\d+)?\Z")
_POSIX_ZONE = re.compile(r"(?:[A-Za-z]{3,}|<[^>]*>)?([+-]?)(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?\Z")


def _lookup_zone(name: str) -> dt.tzinfo | None:
    """A zone from an IANA name (any case), a number of hours east ('+02', '5.5'), or a
    POSIX-style offset west of UTC ('UTC+3', '-03:30', as PostgreSQL reads them)."""
    key = name.strip()
    if key.upper() in ("UTC", "GMT", "Z", "ZULU", "UT", "UCT"):
        return dt.UTC
    if _NUMERIC_ZONE.match(key):
        return _fixed_zone(round(float(key) * 3600))
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    proper = _zone_names_by_lower().get(key.lower())
    if proper is not None:
        return zoneinfo.ZoneInfo(proper)
    match = _POSIX_ZONE.match(key)
    if match:
        sign, hours, minutes, seconds = match.groups()
        west = int(hours) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
        return _fixed_zone(west if sign == "-" else -west)
    return None


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> dt.tzinfo:
    """The session time zone named by the TimeZone setting."""
    zone = _lookup_zone(name)
    if zone is None:
        raise TideError(
            f'invalid value for parameter "TimeZone": "{name}"',
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    return zone


_UTC = dt.UTC


def _local_to_utc(naive: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Interpret a wall-clock time in ``zone`` the way PostgreSQL does.

    In a spring-forward gap PostgreSQL uses the offset from before the transition; for a
    fall-back repeat it uses the one after. Both are the smaller of the two candidate
    offsets, so that is what we take.
    """
    try:
        if isinstance(zone, dt.timezone):
            offset = zone.utcoffset(None)
        else:
            first = naive.replace(tzinfo=zone, fold=0).utcoffset()
            second = naive.replace(tzinfo=zone, fold=1).utcoffset()
            if first is None or second is None:
                raise TideError("time zone without an offset")
            offset = min(first, second)
        return (naive - offset).replace(tzinfo=_UTC)
    except OverflowError:
        raise _timestamp_out_of_range() from None


def _timestamp_out_of_range(text: str | None = None) -> TideError:
    message = "timestamp out of range" if text is None else f'timestamp out of range: "{text}"'
    return TideError(message, sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW)


def _now(settings: FormatSettings) -> dt.datetime:
    return settings.now if settings.now is not None else dt.datetime.now(_UTC)
