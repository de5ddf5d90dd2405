"""Builders for the errors the type I/O raises, with PostgreSQL's SQLSTATEs and
message wording: invalid input syntax (22P02), value out of range (22003), and malformed
binary input (22P03). They return the error rather than raise it, so callers can write
``raise _invalid_syntax(...)`` and static checkers see the raise.
"""

from __future__ import annotations

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.types.identity import SqlType


def _invalid_syntax(type_name: str, text: str) -> TideError:
    return TideError(
        f'invalid input syntax for type {type_name}: "{text}"',
        sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION,
    )


def _value_out_of_range(type_name: str, text: str) -> TideError:
    return TideError(
        f'value "{text}" is out of range for type {type_name}',
        sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
    )


def _out_of_range(what: str) -> TideError:
    return TideError(f"{what} out of range", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE)


def _bad_binary(sql_type: SqlType, detail: str | None = None) -> TideError:
    return TideError(
        f"incorrect binary data format for type {sql_type.name}",
        sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
        detail=detail,
    )
