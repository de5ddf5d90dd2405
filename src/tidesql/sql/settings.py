"""Validation and normalisation of SET values, as PostgreSQL reports them back."""

from __future__ import annotations

import zoneinfo
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError

BOOLEAN_SETTINGS = {
    "standard_conforming_strings",
    "transaction_read_only",
    "default_transaction_read_only",
}
TRUE_WORDS = {"on", "true", "yes", "1", "t", "y"}
FALSE_WORDS = {"off", "false", "no", "0", "f", "n"}


def invalid(name: str, value: str) -> TideError:
    return TideError(
        f'invalid value for parameter "{name}": "{value}"',
        sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
    )


def normalize_setting(session: Any, name: str, value: str) -> str:
    if name == "timezone":
        return _timezone(value)
    if name == "datestyle":
        return _datestyle(session, value)
    if name in ("client_encoding",):
        if value.replace("-", "").replace("_", "").upper() in ("UTF8", "UNICODE"):
            return "UTF8"
        raise TideError(
            f'invalid value for parameter "client_encoding": "{value}"',
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    if name in ("transaction_isolation", "default_transaction_isolation"):
        from tidesql.sql.statements import check_isolation

        level = value.strip().lower()
        check_isolation(session, level)
        return level
    if name == "extra_float_digits":
        try:
            digits = int(value)
        except ValueError:
            raise invalid(name, value) from None
        if not -15 <= digits <= 3:
            raise TideError(
                f"{digits} is outside the valid range for parameter "
                '"extra_float_digits" (-15 .. 3)',
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
        return str(digits)
    if name in BOOLEAN_SETTINGS:
        lowered = value.strip().lower()
        if lowered in TRUE_WORDS:
            return "on"
        if lowered in FALSE_WORDS:
            return "off"
        raise TideError(
            f'parameter "{name}" requires a Boolean value',
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    if name == "intervalstyle":
        lowered = value.strip().lower()
        if lowered not in ("postgres", "postgres_verbose", "sql_standard", "iso_8601"):
            raise invalid(name, value)
        return lowered
    if name == "tidesql.read_consistency":
        lowered = value.strip().lower()
        if lowered not in ("strong", "eventual"):
            raise invalid(name, value)
        if lowered == "eventual" and session.engine.mode == "dsql":
            raise TideError(
                "eventual reads are available only in --mode extended",
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            )
        return lowered
    if name == "bytea_output":
        lowered = value.strip().lower()
        if lowered not in ("hex", "escape"):
            raise invalid(name, value)
        return lowered
    return value


def _timezone(value: str) -> str:
    stripped = value.strip()
    if stripped.upper() in ("UTC", "GMT", "Z", "ZULU"):
        return "UTC" if stripped.upper() != "GMT" else "GMT"
    if stripped.lower() == "local" or stripped.lower() == "default":
        return "UTC"
    try:
        zoneinfo.ZoneInfo(stripped)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TideError(
            f'invalid value for parameter "TimeZone": "{value}"',
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        ) from None
    return stripped


def _datestyle(session: Any, value: str) -> str:
    parts = [p.strip().lower() for p in value.split(",") if p.strip()]
    current = session.settings.get("datestyle", "ISO, MDY").split(", ")
    style, order = current[0], current[1] if len(current) > 1 else "MDY"
    order_given = False
    for part in parts:
        if part in ("iso", "sql", "postgres", "german"):
            style = {"iso": "ISO", "sql": "SQL", "postgres": "Postgres", "german": "German"}[part]
        elif part in ("mdy", "us", "noneuropean"):
            order, order_given = "MDY", True
        elif part in ("dmy", "euro", "european"):
            order, order_given = "DMY", True
        elif part == "ymd":
            order, order_given = "YMD", True
        else:
            raise TideError(
                f'invalid value for parameter "DateStyle": "{value}"',
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
    if style == "German" and not order_given:
        order = "DMY"  # as PostgreSQL: German dates are day-first unless told otherwise
    return f"{style}, {order}"
