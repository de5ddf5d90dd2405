"""The text dispatch tables and the public text API, with the composite text forms.

``_TEXT_OUT`` and ``_TEXT_IN`` map every OID to its output and input function;
:func:`format_value`, :func:`parse_value`, :func:`text_formatter` and :func:`text_parser`
are the entry points the rest of tidesql uses. Records (``record_out``) and arrays
(``array_out``, ``array_in``'s grammar) live beside the tables because they format and
parse their elements through them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.types.datetimes import (
    _date_in,
    _date_out,
    _interval_in,
    _interval_out,
    _time_in,
    _time_out,
    _timestamp_in,
    _timestamp_out,
    _timestamptz_in,
    _timestamptz_out,
)
from tidesql.sql.types.identity import (
    _LIST_VALUED_OIDS,
    ALL_TYPES,
    BOOL,
    BPCHAR,
    BYTEA,
    CHAR,
    DATE,
    DEFAULT_SETTINGS,
    FLOAT4,
    FLOAT8,
    INET,
    INT2,
    INT2VECTOR,
    INT4,
    INT8,
    INTERVAL,
    JSON,
    JSONB,
    NAME,
    NUMERIC,
    OID,
    OIDVECTOR,
    RECORD,
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
    UUID,
    VARCHAR,
    VOID,
    FormatSettings,
    SqlType,
)
from tidesql.sql.types.session_settings import _SPACES
from tidesql.sql.types.text_numbers import (
    InputFn,
    OutputFn,
    _bool_in,
    _bool_out,
    _float4_in,
    _float4_out,
    _float8_in,
    _float8_out,
    _int2_in,
    _int4_in,
    _int8_in,
    _int_out,
    _numeric_in,
    _numeric_out,
    _oid_in,
)
from tidesql.sql.types.text_scalars import (
    _bpchar_in,
    _bytea_in,
    _bytea_out,
    _char_in,
    _char_out,
    _inet_in,
    _inet_out,
    _json_in,
    _jsonb_in,
    _jsonb_out,
    _name_in,
    _reg_in,
    _reg_out,
    _text_in,
    _text_out,
    _uuid_in,
    _uuid_out,
    _varchar_in,
    _vector_in,
    _vector_out,
    _void_in,
    _void_out,
)

# --- records -------------------------------------------------------------------------


class Record(tuple):  # type: ignore[type-arg]
    """A value of type record: ``ROW(…)`` or a whole table row. It carries its fields'
    types, since the record type itself does not say them."""

    field_types: tuple[SqlType, ...] = ()

    @staticmethod
    def of(values: Sequence[Any], field_types: Sequence[SqlType]) -> Record:
        record = Record(values)
        record.field_types = tuple(field_types)
        return record


_RECORD_QUOTE_NEEDED = frozenset('"\\(),') | frozenset(" \t\n\r\v\f")


def _record_out(value: Any, sql_type: SqlType, settings: FormatSettings) -> str:
    """PostgreSQL's record_out: ``(1,"a b",)`` — NULL is nothing, and a field is quoted
    when empty or when it holds a quote, backslash, parenthesis, comma or space."""
    field_types = getattr(value, "field_types", ())
    parts = []
    for index, item in enumerate(value):
        if item is None:
            parts.append("")
            continue
        item_type = field_types[index] if index < len(field_types) else TEXT
        text = format_value(item, item_type, settings)
        if text == "" or any(c in _RECORD_QUOTE_NEEDED for c in text):
            text = '"' + text.replace("\\", "\\\\").replace('"', '""') + '"'
        parts.append(text)
    return "(" + ",".join(parts) + ")"


def _record_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Any:
    raise TideError(
        "input of anonymous composite types is not implemented",
        sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
    )


# --- arrays --------------------------------------------------------------------------

_ARRAY_QUOTE_NEEDED = re.compile(r'[{}",\\ \t\n\r\v\f]')


def _array_element_text(text: str) -> str:
    if text == "" or _ARRAY_QUOTE_NEEDED.search(text) or text.lower() == "null":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _array_out(value: list[Any], sql_type: SqlType, settings: FormatSettings) -> str:
    element = sql_type.element
    if element is None:
        raise TideError(f"{sql_type.name} is not an array type")
    element_out = _TEXT_OUT[element.oid]
    # A nested list is another dimension, except for list-valued elements (jsonb,
    # int2vector, oidvector), whose arrays are one-dimensional.
    nested = element.oid not in _LIST_VALUED_OIDS

    def render(items: list[Any]) -> str:
        parts = []
        for item in items:
            if item is None:
                parts.append("NULL")
            elif nested and isinstance(item, list):
                parts.append(render(item))
            else:
                parts.append(_array_element_text(element_out(item, element, settings)))
        return "{" + ",".join(parts) + "}"

    return render(value)


def _multidimensional_unsupported(element: SqlType) -> TideError:
    return TideError(
        f"multidimensional arrays of {element.name} are not supported",
        sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
    )


_ARRAY_BOUND = re.compile(r"\[\s*([+-]?\d+)\s*(?::\s*([+-]?\d+)\s*)?\]")
_ARRAY_DIMENSIONS = re.compile(r"(?:\[\s*[+-]?\d+\s*(?::\s*[+-]?\d+\s*)?\])+\s*=\s*")


class _ArrayReader:
    """array_in's grammar: nested braces, quoted or unquoted elements, NULL."""

    def __init__(self, text: str, element: SqlType, settings: FormatSettings) -> None:
        self.text = text
        self.element = element
        self.settings = settings
        self.element_in = _TEXT_IN[element.oid]

    def error(self, detail: str) -> TideError:
        return TideError(
            f'malformed array literal: "{self.text}"',
            sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION,
            detail=detail,
        )

    def skip_spaces(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos] in _SPACES:
            pos += 1
        return pos

    def read(self) -> list[Any]:
        text = self.text
        pos = self.skip_spaces(0)
        if pos < len(text) and text[pos] == "[":
            pos = self.read_dimensions(pos)
        if pos >= len(text) or text[pos] != "{":
            raise self.error('Array value must start with "{" or dimension information.')
        value, pos = self.read_level(pos, 0)
        pos = self.skip_spaces(pos)
        if pos != len(text):
            raise self.error("Junk after closing right brace.")
        if self.element.oid not in _LIST_VALUED_OIDS:
            self.check_shape(value)
        return value

    def read_dimensions(self, pos: int) -> int:
        """'[1:3][1:2]=' decoration: accepted when every lower bound is 1."""
        match = _ARRAY_DIMENSIONS.match(self.text, pos)
        if match is None:
            raise self.error('Missing "]" after array dimensions.')
        for lower, upper in _ARRAY_BOUND.findall(match.group(0)):
            if upper and int(lower) != 1:
                raise TideError(
                    "array lower bounds other than 1 are not supported",
                    sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
                )
        return match.end()

    def read_level(self, pos: int, depth: int) -> tuple[list[Any], int]:
        text = self.text
        items: list[Any] = []
        pos += 1
        expect_element = True
        kind = ""
        while True:
            pos = self.skip_spaces(pos)
            if pos >= len(text):
                raise self.error("Unexpected end of input.")
            char = text[pos]
            if char == "{":
                if kind == "scalar" or not expect_element:
                    raise self.error('Unexpected "{" character.')
                kind = "sub"
                if self.element.oid in _LIST_VALUED_OIDS:
                    raise _multidimensional_unsupported(self.element)
                sub, pos = self.read_level(pos, depth + 1)
                items.append(sub)
                expect_element = False
            elif char == "}":
                if expect_element and (items or depth > 0):
                    raise self.error('Unexpected "}" character.')
                return items, pos + 1
            elif char == ",":
                if expect_element:
                    raise self.error('Unexpected "," character.')
                expect_element = True
                pos += 1
            else:
                if kind == "sub" or not expect_element:
                    raise self.error("Unexpected array element.")
                kind = "scalar"
                item, pos = self.read_element(pos)
                items.append(item)
                expect_element = False

    def read_element(self, pos: int) -> tuple[Any, int]:
        text = self.text
        chars: list[str] = []
        if text[pos] == '"':
            pos += 1
            while True:
                if pos >= len(text):
                    raise self.error("Unexpected end of input.")
                char = text[pos]
                if char == "\\":
                    pos += 1
                    if pos >= len(text):
                        raise self.error("Unexpected end of input.")
                    chars.append(text[pos])
                elif char == '"':
                    pos += 1
                    break
                else:
                    chars.append(char)
                pos += 1
            return self.convert("".join(chars)), pos
        significant = 0
        escaped = False
        while pos < len(text):
            char = text[pos]
            if char in ",}":
                break
            if char in '{"':
                raise self.error(f'Unexpected "{char}" character.')
            if char == "\\":
                pos += 1
                if pos >= len(text):
                    raise self.error("Unexpected end of input.")
                chars.append(text[pos])
                significant = len(chars)
                escaped = True
            else:
                chars.append(char)
                if char not in _SPACES:
                    significant = len(chars)
            pos += 1
        word = "".join(chars[:significant])
        if not escaped and word.lower() == "null":
            return None, pos
        return self.convert(word), pos

    def convert(self, word: str) -> Any:
        return self.element_in(word, self.element, self.settings)

    def check_shape(self, value: list[Any]) -> None:
        """Every sub-array at one depth must have the same length and depth."""

        def shape(items: list[Any]) -> tuple[int, ...]:
            if items and isinstance(items[0], list):
                shapes = {shape(item) for item in items}
                if len(shapes) != 1:
                    raise self.error(
                        "Multidimensional arrays must have sub-arrays with matching dimensions."
                    )
                return (len(items), *shapes.pop())
            return (len(items),)

        shape(value)


def _array_in(text: str, sql_type: SqlType, settings: FormatSettings) -> list[Any]:
    element = sql_type.element
    if element is None:
        raise TideError(f"{sql_type.name} is not an array type")
    return _ArrayReader(text, element, settings).read()


# --- the dispatch tables and the public text API -------------------------------------

_TEXT_OUT: dict[int, OutputFn] = {
    BOOL.oid: _bool_out,
    BYTEA.oid: _bytea_out,
    CHAR.oid: _char_out,
    NAME.oid: _text_out,
    INT8.oid: _int_out,
    INT2.oid: _int_out,
    INT2VECTOR.oid: _vector_out,
    INT4.oid: _int_out,
    REGPROC.oid: _reg_out,
    TEXT.oid: _text_out,
    OID.oid: _int_out,
    OIDVECTOR.oid: _vector_out,
    JSON.oid: _text_out,
    FLOAT4.oid: _float4_out,
    FLOAT8.oid: _float8_out,
    UNKNOWN.oid: _text_out,
    BPCHAR.oid: _text_out,
    VARCHAR.oid: _text_out,
    DATE.oid: _date_out,
    TIME.oid: _time_out,
    TIMESTAMP.oid: _timestamp_out,
    TIMESTAMPTZ.oid: _timestamptz_out,
    INTERVAL.oid: _interval_out,
    NUMERIC.oid: _numeric_out,
    REGCLASS.oid: _reg_out,
    REGTYPE.oid: _reg_out,
    REGNAMESPACE.oid: _reg_out,
    REGPROCEDURE.oid: _reg_out,
    REGROLE.oid: _reg_out,
    RECORD.oid: _record_out,
    VOID.oid: _void_out,
    UUID.oid: _uuid_out,
    JSONB.oid: _jsonb_out,
    INET.oid: _inet_out,
}

_TEXT_IN: dict[int, InputFn] = {
    BOOL.oid: _bool_in,
    BYTEA.oid: _bytea_in,
    CHAR.oid: _char_in,
    NAME.oid: _name_in,
    INT8.oid: _int8_in,
    INT2.oid: _int2_in,
    INT2VECTOR.oid: _vector_in,
    INT4.oid: _int4_in,
    REGPROC.oid: _reg_in,
    TEXT.oid: _text_in,
    OID.oid: _oid_in,
    OIDVECTOR.oid: _vector_in,
    JSON.oid: _json_in,
    FLOAT4.oid: _float4_in,
    FLOAT8.oid: _float8_in,
    UNKNOWN.oid: _text_in,
    BPCHAR.oid: _bpchar_in,
    VARCHAR.oid: _varchar_in,
    DATE.oid: _date_in,
    TIME.oid: _time_in,
    TIMESTAMP.oid: _timestamp_in,
    TIMESTAMPTZ.oid: _timestamptz_in,
    INTERVAL.oid: _interval_in,
    NUMERIC.oid: _numeric_in,
    REGCLASS.oid: _reg_in,
    REGTYPE.oid: _reg_in,
    REGNAMESPACE.oid: _reg_in,
    REGPROCEDURE.oid: _reg_in,
    REGROLE.oid: _reg_in,
    RECORD.oid: _record_in,
    VOID.oid: _void_in,
    UUID.oid: _uuid_in,
    JSONB.oid: _jsonb_in,
    INET.oid: _inet_in,
}

for _sql_type in list(ALL_TYPES.values()):
    if _sql_type.element is not None:
        _TEXT_OUT[_sql_type.oid] = _array_out
        _TEXT_IN[_sql_type.oid] = _array_in


def _no_io(sql_type: SqlType) -> TideError:
    return TideError(
        f"no input/output function for type {sql_type.name}",
        sqlstate=sqlstates.UNDEFINED_FUNCTION,
    )


def format_value(value: Any, sql_type: SqlType, settings: FormatSettings = DEFAULT_SETTINGS) -> str:
    """PostgreSQL's text output of a non-NULL ``value`` of ``sql_type``."""
    try:
        output = _TEXT_OUT[sql_type.oid]
    except KeyError:
        raise _no_io(sql_type) from None
    return output(value, sql_type, settings)


def parse_value(text: str, sql_type: SqlType, settings: FormatSettings = DEFAULT_SETTINGS) -> Any:
    """PostgreSQL's text input for ``sql_type`` (its modifier checked as on INSERT)."""
    try:
        read = _TEXT_IN[sql_type.oid]
    except KeyError:
        raise _no_io(sql_type) from None
    return read(text, sql_type, settings)


def text_formatter(
    sql_type: SqlType, settings: FormatSettings = DEFAULT_SETTINGS
) -> Callable[[Any], str]:
    """A one-argument formatter for a result column, resolved once per column.

    For integers this is ``str`` itself and for text types the identity, so sending a
    row costs one call per value.
    """
    output = _TEXT_OUT.get(sql_type.oid)
    if output is None:
        raise _no_io(sql_type)
    if output is _int_out:
        return str
    if output is _text_out:
        return _identity

    def formatter(value: Any) -> str:
        return output(value, sql_type, settings)

    return formatter


def text_parser(
    sql_type: SqlType, settings: FormatSettings = DEFAULT_SETTINGS
) -> Callable[[str], Any]:
    """A one-argument parser for a parameter or COPY column, resolved once."""
    read = _TEXT_IN.get(sql_type.oid)
    if read is None:
        raise _no_io(sql_type)
    if read is _text_in:
        return _identity

    def parser(text: str) -> Any:
        return read(text, sql_type, settings)

    return parser


def _identity(value: Any) -> Any:
    return value
