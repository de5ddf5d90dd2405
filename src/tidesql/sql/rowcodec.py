"""Rows as stored values: a msgpack list indexed by column number, converted by type.

A table's row is stored under its primary key as ``msgpack([v1, v2, …])`` where
position ``i`` holds the column with ``attnum = i + 1``. Values msgpack cannot carry
natively are converted by the column's type, both ways:

====================  =====================================
numeric               str (exact)
date                  int (proleptic ordinal)
time                  int (microseconds since midnight)
timestamp             int (microseconds since 2000-01-01)
timestamptz           int (microseconds since 2000-01-01 UTC)
interval              [months, days, microseconds]
uuid                  16 bytes
jsonb                 JSON text
arrays                lists of converted elements
====================  =====================================

A row shorter than the table (written before ``ADD COLUMN``) reads as NULL in the
missing columns; a dropped column keeps its position and is ignored.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import msgpack

from tidesql.sql import types as T

EPOCH_2000 = dt.datetime(2000, 1, 1)
EPOCH_2000_UTC = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
Converter = Callable[[Any], Any]


def _micros(delta: dt.timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _time_out(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _time_in(micros: int) -> dt.time:
    seconds, micro = divmod(micros, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


def _jsonb_out(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(f"cannot store {type(value).__name__} in jsonb")


def _jsonb_in(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


def _interval_in(parts: list[int]) -> Any:
    return T.Interval(parts[0], parts[1], parts[2])


_TO_STORED: dict[int, Converter] = {
    T.NUMERIC.oid: str,
    T.DATE.oid: lambda v: v.toordinal(),
    T.TIME.oid: _time_out,
    T.TIMESTAMP.oid: lambda v: _micros(v - EPOCH_2000),
    T.TIMESTAMPTZ.oid: lambda v: _micros(v - EPOCH_2000_UTC),
    T.INTERVAL.oid: lambda v: [v.months, v.days, v.microseconds],
    T.UUID.oid: lambda v: v.bytes,
    T.JSONB.oid: _jsonb_out,
    T.INET.oid: str,
}
_FROM_STORED: dict[int, Converter] = {
    T.NUMERIC.oid: Decimal,
    T.DATE.oid: dt.date.fromordinal,
    T.TIME.oid: _time_in,
    T.TIMESTAMP.oid: lambda v: EPOCH_2000 + dt.timedelta(microseconds=v),
    T.TIMESTAMPTZ.oid: lambda v: EPOCH_2000_UTC + dt.timedelta(microseconds=v),
    T.INTERVAL.oid: _interval_in,
    T.UUID.oid: lambda v: uuid.UUID(bytes=v),
    T.JSONB.oid: _jsonb_in,
    T.INET.oid: ipaddress.ip_interface,
}


def _converter(table: dict[int, Converter], sql_type: T.SqlType) -> Converter | None:
    if sql_type.element is not None:
        inner = _converter(table, sql_type.element)
        if inner is None:
            return None

        def convert_array(values: Any, inner: Converter = inner) -> Any:
            return [
                None if v is None else convert_array(v) if isinstance(v, list) else inner(v)
                for v in values
            ]

        return convert_array
    return table.get(sql_type.oid)


class RowCodec:
    """Encode and decode one table's rows; built once per table definition."""

    def __init__(
        self, column_types: Sequence[T.SqlType | None], missing: dict[int, Any] | None = None
    ) -> None:
        # column_types[i] is the type of attnum i + 1, or None for a dropped column.
        # missing[i]: what a row stored before column i was added reads there (else NULL).
        self.width = len(column_types)
        self._out = [
            (i, c)
            for i, t in enumerate(column_types)
            if t is not None and (c := _converter(_TO_STORED, t)) is not None
        ]
        self._in = [
            (i, c)
            for i, t in enumerate(column_types)
            if t is not None and (c := _converter(_FROM_STORED, t)) is not None
        ]
        self._packer = msgpack.Packer(use_bin_type=True)
        padding: list[Any] = [None] * self.width
        for i, value in (missing or {}).items():
            column_type = column_types[i]
            convert = _converter(_TO_STORED, column_type) if column_type is not None else None
            padding[i] = convert(value) if convert is not None and value is not None else value
        self._padding = padding

    def encode(self, row: Sequence[Any]) -> bytes:
        values = list(row)
        for i, convert in self._out:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        packed: bytes = self._packer.pack(values)
        return packed

    def decode(self, data: bytes) -> list[Any]:
        values: list[Any] = msgpack.unpackb(data, raw=False, use_list=True)
        if len(values) < self.width:
            values.extend(self._padding[len(values) :])
        for i, convert in self._in:
            value = values[i]
            if value is not None:
                values[i] = convert(value)
        return values
