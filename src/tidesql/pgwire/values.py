"""Python values ⇄ wire bytes, per column and per format code.

The only module of ``pgwire`` that calls the type I/O of :mod:`tidesql.sql.types`.
Converters are chosen once per column (a list of closures), so the per-row loop
does no type dispatch: for a text column it is ``format_value(v).encode()`` (for an
integer column ``str(v).encode()``), for a binary one ``encode_binary(v)``. A
:data:`RowEncoder` goes one step further and turns a whole row into its DataRow.

Formats follow the Bind message's rule for format codes, for parameters and results
alike: no codes means all text, one code applies to every column, otherwise one code
per column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.pgwire.messages import (
    FORMAT_BINARY,
    FORMAT_TEXT,
    FieldDescription,
    ProtocolViolation,
    encode_data_row,
    encode_single_field_data_row,
)
from tidesql.sql.result import Column
from tidesql.sql.types import (
    DEFAULT_SETTINGS,
    FormatSettings,
    SqlType,
    decode_binary,
    encode_binary,
    format_value,
    parse_value,
    text_formatter,
)

ValueEncoder = Callable[[object], bytes]
#: One result row (a sequence of Python values) → its DataRow message.
RowEncoder = Callable[[Sequence[object]], bytes]


def expand_format_codes(codes: Sequence[int], count: int, what: str) -> list[int]:
    """Apply the 0 / 1 / n rule for format codes; invalid codes are 22023 as in PostgreSQL."""
    if len(codes) == 0:
        expanded = [FORMAT_TEXT] * count
    elif len(codes) == 1:
        expanded = [codes[0]] * count
    elif len(codes) == count:
        expanded = list(codes)
    else:
        raise ProtocolViolation(f"bind message has {len(codes)} {what} formats but {count} {what}s")
    for code in expanded:
        if code not in (FORMAT_TEXT, FORMAT_BINARY):
            raise TideError(
                f"unsupported format code: {code}", sqlstate=sqlstates.INVALID_PARAMETER_VALUE
            )
    return expanded


def settings_from_parameters(parameters: Mapping[str, str]) -> FormatSettings:
    """FormatSettings from the session's reported parameters (DateStyle, TimeZone, …)."""
    base = DEFAULT_SETTINGS
    extra_digits = parameters.get("extra_float_digits")
    try:
        extra_float_digits = int(extra_digits) if extra_digits is not None else None
    except ValueError:
        extra_float_digits = None
    return FormatSettings(
        date_style=parameters.get("DateStyle", base.date_style),
        interval_style=parameters.get("IntervalStyle", base.interval_style),
        timezone=parameters.get("TimeZone", base.timezone),
        extra_float_digits=(
            base.extra_float_digits if extra_float_digits is None else extra_float_digits
        ),
        bytea_output=parameters.get("bytea_output", base.bytea_output),
    )


def field_descriptions(
    columns: Sequence[Column], formats: Sequence[int] | None = None
) -> list[FieldDescription]:
    """RowDescription fields for result columns (all text when ``formats`` is None)."""
    return [
        FieldDescription(
            name=column.name,
            type_oid=column.type.oid,
            type_size=column.type.typlen,
            type_modifier=column.type.modifier,
            table_oid=column.table_oid,
            column_number=column.column_number,
            format=FORMAT_TEXT if formats is None else formats[index],
        )
        for index, column in enumerate(columns)
    ]


def _text_encoder(sql_type: SqlType, settings: FormatSettings) -> ValueEncoder:
    try:
        formatter = text_formatter(sql_type, settings)
    except TideError:
        # A type without output function fails when a value of it is sent, not before
        # (a column that is NULL in every row goes out fine).
        def encode_late(value: object) -> bytes:
            return format_value(value, sql_type, settings).encode("utf-8")

        return encode_late
    if formatter is str:
        return _encode_str

    def encode(value: object) -> bytes:
        text: str = formatter(value)
        return text.encode("utf-8")

    return encode


def _encode_str(value: object) -> bytes:
    return str(value).encode("utf-8")


def _binary_encoder(sql_type: SqlType) -> ValueEncoder:
    def encode(value: object) -> bytes:
        return encode_binary(value, sql_type)

    return encode


def column_encoders(
    columns: Sequence[Column], formats: Sequence[int], settings: FormatSettings
) -> list[ValueEncoder]:
    return [
        _binary_encoder(c.type) if f == FORMAT_BINARY else _text_encoder(c.type, settings)
        for c, f in zip(columns, formats, strict=True)
    ]


def encode_row(row: Sequence[object], encoders: Sequence[ValueEncoder]) -> list[bytes | None]:
    """One row's values as wire fields; ``None`` stays ``None`` (sent as length -1)."""
    return [
        None if value is None else encode(value)
        for value, encode in zip(row, encoders, strict=True)
    ]


def row_encoder(
    columns: Sequence[Column], formats: Sequence[int], settings: FormatSettings
) -> RowEncoder:
    """The DataRow encoder for rows of ``columns`` sent in ``formats``."""
    encoders = column_encoders(columns, formats, settings)
    if len(encoders) != 1:

        def encode_many(row: Sequence[object]) -> bytes:
            return encode_data_row(encode_row(row, encoders))

        return encode_many
    (encode,) = encoders

    def encode_one(row: Sequence[object]) -> bytes:
        if len(row) != 1:
            return encode_data_row(encode_row(row, encoders))  # raises as encode_row does
        value = row[0]
        return encode_single_field_data_row(None if value is None else encode(value))

    return encode_one


def format_text(value: object, sql_type: SqlType, settings: FormatSettings) -> str | None:
    """A value as its text form (for COPY TO), ``None`` for NULL."""
    return None if value is None else format_value(value, sql_type, settings)


def decode_parameters(
    params: Sequence[bytes | None],
    formats: Sequence[int],
    types: Sequence[SqlType],
    settings: FormatSettings,
) -> list[object]:
    """Bind parameter values → Python values, by format code and parameter type.

    Errors in the type's own I/O come through as they are (a TideError with the type's
    SQLSTATE); anything else is reported as PostgreSQL does: 22P02 for text input it
    cannot read, 22P03 for binary input.
    """
    values: list[object] = []
    for index, (raw, fmt, sql_type) in enumerate(zip(params, formats, types, strict=True)):
        if raw is None:
            values.append(None)
        elif fmt == FORMAT_BINARY:
            values.append(_decode_binary_parameter(raw, sql_type, index + 1))
        else:
            values.append(_parse_text_parameter(raw, sql_type, settings))
    return values


def _decode_binary_parameter(raw: bytes, sql_type: SqlType, number: int) -> object:
    try:
        return decode_binary(raw, sql_type)
    except TideError:
        raise
    except Exception as exc:
        raise TideError(
            f"incorrect binary data format in bind parameter {number}",
            sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
            detail=str(exc) or None,
        ) from exc


def _parse_text_parameter(raw: bytes, sql_type: SqlType, settings: FormatSettings) -> object:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise TideError(
            f'invalid byte sequence for encoding "UTF8": 0x{bad}',
            sqlstate=sqlstates.CHARACTER_NOT_IN_REPERTOIRE,
        ) from None
    try:
        return parse_value(text, sql_type, settings)
    except TideError:
        raise
    except Exception as exc:
        raise TideError(
            f'invalid input syntax for type {sql_type.name}: "{text}"',
            sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION,
        ) from exc
