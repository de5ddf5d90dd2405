"""Binary I/O: PostgreSQL's typsend/typreceive formats.

``_BINARY_SEND`` and ``_BINARY_RECV`` map every OID to its send and receive function,
producing and accepting byte-for-byte what PostgreSQL 15 does (big-endian integers,
numeric's base-10000 digit groups, microseconds since 2000-01-01, array headers with
dimensions and a null flag); :func:`encode_binary` and :func:`decode_binary` are the
entry points, and malformed input raises 22P03.
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import math
import struct
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import interval as _iv
from tidesql.sql.interval import Interval
from tidesql.sql.types.datetimes import (
    _EPOCH_DATE,
    _time_from_usec,
    _time_to_usec,
    _time_typmod,
    _timestamp_from_usec,
    _timestamp_to_usec,
    _timestamp_typmod,
)
from tidesql.sql.types.error_helpers import _bad_binary
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
    SqlType,
)
from tidesql.sql.types.text_io import _multidimensional_unsupported, _no_io
from tidesql.sql.types.text_numbers import (
    _EXACT,
    _FLOAT4,
    _INFINITY,
    _NAN,
    _numeric_apply_typmod,
    _numeric_normalize,
)
from tidesql.sql.types.text_scalars import (
    _INET_FAMILIES,
    Inet,
    _bpchar_in,
    _json_in,
    _jsonb_in,
    _jsonb_text,
    _name_in,
    _varchar_in,
)

SendFn = Callable[[Any, SqlType], bytes]
RecvFn = Callable[[bytes, SqlType], Any]

_INT2 = struct.Struct(">h")
_INT4 = struct.Struct(">i")
_INT8 = struct.Struct(">q")
_UINT4 = struct.Struct(">I")
_FLOAT8 = struct.Struct(">d")
_INTERVAL = struct.Struct(">qii")
_NUMERIC_HEADER = struct.Struct(">hhHH")
_ARRAY_HEADER = struct.Struct(">iiI")
_ARRAY_DIMENSION = struct.Struct(">ii")

_NUMERIC_POS = 0x0000
_NUMERIC_NEG = 0x4000
_NUMERIC_NAN = 0xC000
_NUMERIC_PINF = 0xD000
_NUMERIC_NINF = 0xF000


def _struct_codec(codec: struct.Struct) -> tuple[SendFn, RecvFn]:
    def send(value: Any, sql_type: SqlType) -> bytes:
        return codec.pack(value)

    def recv(data: bytes, sql_type: SqlType) -> Any:
        if len(data) != codec.size:
            raise _bad_binary(sql_type)
        return codec.unpack(data)[0]

    return send, recv


_send_int2, _recv_int2 = _struct_codec(_INT2)
_send_int4, _recv_int4 = _struct_codec(_INT4)
_send_int8, _recv_int8 = _struct_codec(_INT8)
_send_oid, _recv_oid = _struct_codec(_UINT4)
_send_float8, _recv_float8 = _struct_codec(_FLOAT8)
_send_float4, _recv_float4 = _struct_codec(_FLOAT4)


def _send_bool(value: bool, sql_type: SqlType) -> bytes:
    return b"\x01" if value else b"\x00"


def _recv_bool(data: bytes, sql_type: SqlType) -> bool:
    if len(data) != 1:
        raise _bad_binary(sql_type)
    return data != b"\x00"


def _decode_utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise TideError(
            f'invalid byte sequence for encoding "UTF8": 0x{bad}',
            sqlstate=sqlstates.CHARACTER_NOT_IN_REPERTOIRE,
        ) from None
    if "\0" in text:
        raise TideError(
            'invalid byte sequence for encoding "UTF8": 0x00',
            sqlstate=sqlstates.CHARACTER_NOT_IN_REPERTOIRE,
        )
    return text


def _send_text(value: str, sql_type: SqlType) -> bytes:
    return value.encode("utf-8")


def _recv_text(data: bytes, sql_type: SqlType) -> str:
    return _decode_utf8(data)


def _recv_varchar(data: bytes, sql_type: SqlType) -> str:
    return _varchar_in(_decode_utf8(data), sql_type, DEFAULT_SETTINGS)


def _recv_bpchar(data: bytes, sql_type: SqlType) -> str:
    return _bpchar_in(_decode_utf8(data), sql_type, DEFAULT_SETTINGS)


def _recv_name(data: bytes, sql_type: SqlType) -> str:
    return _name_in(_decode_utf8(data), sql_type, DEFAULT_SETTINGS)


def _send_char(value: str, sql_type: SqlType) -> bytes:
    return bytes([ord(value) & 0xFF]) if value else b"\x00"


def _recv_char(data: bytes, sql_type: SqlType) -> str:
    if len(data) != 1:
        raise _bad_binary(sql_type)
    return chr(data[0]) if data[0] else ""


def _send_bytea(value: bytes, sql_type: SqlType) -> bytes:
    return bytes(value)


def _recv_bytea(data: bytes, sql_type: SqlType) -> bytes:
    return bytes(data)


def _recv_json(data: bytes, sql_type: SqlType) -> str:
    return _json_in(_decode_utf8(data), sql_type, DEFAULT_SETTINGS)


def _send_jsonb(value: Any, sql_type: SqlType) -> bytes:
    return b"\x01" + _jsonb_text(value).encode("utf-8")


def _recv_jsonb(data: bytes, sql_type: SqlType) -> Any:
    if not data or data[0] != 1:
        version = data[0] if data else 0
        raise TideError(
            f"unsupported jsonb version number {version}",
            sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
        )
    return _jsonb_in(_decode_utf8(data[1:]), sql_type, DEFAULT_SETTINGS)


def _send_date(value: dt.date, sql_type: SqlType) -> bytes:
    return _INT4.pack((value - _EPOCH_DATE).days)


def _recv_date(data: bytes, sql_type: SqlType) -> dt.date:
    days = _recv_int4(data, sql_type)
    if days in (-(2**31), 2**31 - 1):
        raise TideError(
            "infinite dates are not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    try:
        return _EPOCH_DATE + dt.timedelta(days=days)
    except OverflowError:
        raise TideError("date out of range", sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW) from None


def _send_time(value: dt.time, sql_type: SqlType) -> bytes:
    return _INT8.pack(_time_to_usec(value))


def _recv_time(data: bytes, sql_type: SqlType) -> dt.time:
    return _time_typmod(_time_from_usec(_recv_int8(data, sql_type)), sql_type)


def _send_timestamp(value: dt.datetime, sql_type: SqlType) -> bytes:
    return _INT8.pack(_timestamp_to_usec(value))


def _recv_timestamp_common(data: bytes, sql_type: SqlType, aware: bool) -> dt.datetime:
    usec = _recv_int8(data, sql_type)
    if usec in (-(2**63), 2**63 - 1):
        raise TideError(
            "infinite timestamps are not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    return _timestamp_typmod(_timestamp_from_usec(usec, aware), sql_type)


def _recv_timestamp(data: bytes, sql_type: SqlType) -> dt.datetime:
    return _recv_timestamp_common(data, sql_type, False)


def _recv_timestamptz(data: bytes, sql_type: SqlType) -> dt.datetime:
    return _recv_timestamp_common(data, sql_type, True)


def _send_interval(value: Interval, sql_type: SqlType) -> bytes:
    return _INTERVAL.pack(value.microseconds, value.days, value.months)


def _recv_interval(data: bytes, sql_type: SqlType) -> Interval:
    if len(data) != _INTERVAL.size:
        raise _bad_binary(sql_type)
    usec, days, months = _INTERVAL.unpack(data)
    return _iv.apply_typmod(Interval(months, days, usec), sql_type.modifier)


def _send_inet(value: Inet, sql_type: SqlType) -> bytes:
    packed = value.ip.packed
    family = _INET_FAMILIES[value.version]
    return bytes((family, value.network.prefixlen, 0, len(packed))) + packed


def _recv_inet(data: bytes, sql_type: SqlType) -> Inet:
    if len(data) < 4 or len(data) != 4 + data[3] or data[3] not in (4, 16):
        raise _bad_binary(sql_type)
    address = ipaddress.ip_address(bytes(data[4:]))
    try:
        return ipaddress.ip_interface((address, data[1]))
    except ValueError:
        raise _bad_binary(sql_type) from None


def _send_uuid(value: uuid.UUID, sql_type: SqlType) -> bytes:
    return value.bytes


def _recv_uuid(data: bytes, sql_type: SqlType) -> uuid.UUID:
    if len(data) != 16:
        raise _bad_binary(sql_type)
    return uuid.UUID(bytes=bytes(data))


def _send_numeric(value: Decimal, sql_type: SqlType) -> bytes:
    """numeric_send: base-10000 digits with weight, sign and display scale."""
    if isinstance(value, int):
        value = Decimal(value)
    if value.is_nan():
        return _NUMERIC_HEADER.pack(0, 0, _NUMERIC_NAN, 0)
    if value.is_infinite():
        # PostgreSQL reads the display scale of an infinity out of its short header,
        # where bits of the sign word land: it sends 32. We match it byte for byte.
        sign = _NUMERIC_NINF if value.is_signed() else _NUMERIC_PINF
        return _NUMERIC_HEADER.pack(0, 0, sign, 32)
    sign_bit, digit_tuple, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise _bad_binary(sql_type)
    digits = "".join(map(str, digit_tuple))
    if exponent >= 0:
        whole = digits + "0" * exponent
        fraction = ""
    elif len(digits) > -exponent:
        whole = digits[:exponent]
        fraction = digits[exponent:]
    else:
        whole = ""
        fraction = "0" * (-exponent - len(digits)) + digits
    dscale = max(0, -exponent)
    whole = whole.lstrip("0")
    whole = whole.rjust(-(-len(whole) // 4) * 4, "0")
    fraction = fraction.ljust(-(-len(fraction) // 4) * 4, "0")
    groups = [int(whole[i : i + 4]) for i in range(0, len(whole), 4)]
    weight = len(groups) - 1
    groups += [int(fraction[i : i + 4]) for i in range(0, len(fraction), 4)]
    while groups and groups[0] == 0:
        groups.pop(0)
        weight -= 1
    while groups and groups[-1] == 0:
        groups.pop()
    if not groups:
        weight = 0
        sign_bit = 0
    header = _NUMERIC_HEADER.pack(
        len(groups), weight, _NUMERIC_NEG if sign_bit else _NUMERIC_POS, dscale
    )
    return header + struct.pack(f">{len(groups)}h", *groups)


def _recv_numeric(data: bytes, sql_type: SqlType) -> Decimal:
    if len(data) < _NUMERIC_HEADER.size:
        raise _bad_binary(sql_type)
    ndigits, weight, sign, dscale = _NUMERIC_HEADER.unpack_from(data)
    if ndigits < 0 or len(data) != _NUMERIC_HEADER.size + 2 * ndigits:
        raise TideError(
            'invalid length in external "numeric" value',
            sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
        )
    if sign not in (_NUMERIC_POS, _NUMERIC_NEG, _NUMERIC_NAN, _NUMERIC_PINF, _NUMERIC_NINF):
        raise TideError(
            'invalid sign in external "numeric" value',
            sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
        )
    if dscale > 0x3FFF:
        raise TideError(
            'invalid scale in external "numeric" value',
            sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
        )
    if sign == _NUMERIC_NAN:
        return _NAN
    if sign == _NUMERIC_PINF:
        return _numeric_apply_typmod(_INFINITY, sql_type.modifier)
    if sign == _NUMERIC_NINF:
        return _numeric_apply_typmod(-_INFINITY, sql_type.modifier)
    groups = struct.unpack_from(f">{ndigits}h", data, _NUMERIC_HEADER.size)
    if any(not 0 <= group < 10000 for group in groups):
        raise TideError(
            'invalid digit in external "numeric" value',
            sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
        )
    digits = "".join(f"{group:04d}" for group in groups) or "0"
    exponent = 4 * (weight - ndigits + 1)
    value = Decimal((1 if sign == _NUMERIC_NEG else 0, tuple(map(int, digits)), exponent))
    # numeric_recv truncates digits the display scale would hide.
    value = value.quantize(Decimal((0, (1,), -dscale)), rounding=decimal.ROUND_DOWN, context=_EXACT)
    value = _numeric_normalize(value)
    if sql_type.modifier >= 0:
        value = _numeric_apply_typmod(value, sql_type.modifier)
    return value


def _send_void(value: Any, sql_type: SqlType) -> bytes:
    return b""


def _recv_void(data: bytes, sql_type: SqlType) -> None:
    return None


def _send_array(value: list[Any], sql_type: SqlType) -> bytes:
    """array_send: ndim, has-nulls flag, element OID, (size, lower bound) per dimension,
    then each element as a length-prefixed value (-1 for NULL)."""
    element = sql_type.element
    if element is None:
        raise TideError(f"{sql_type.name} is not an array type")
    dims = _array_dims(value, element)
    flat: list[Any] = []
    _flatten(value, len(dims), flat)
    if not flat:
        return _ARRAY_HEADER.pack(0, 0, element.oid)
    send = _BINARY_SEND[element.oid]
    parts = [_ARRAY_HEADER.pack(len(dims), int(any(item is None for item in flat)), element.oid)]
    parts.extend(_ARRAY_DIMENSION.pack(size, 1) for size in dims)
    for item in flat:
        if item is None:
            parts.append(_INT4.pack(-1))
        else:
            payload = send(item, element)
            parts.append(_INT4.pack(len(payload)))
            parts.append(payload)
    return b"".join(parts)


def _array_dims(value: list[Any], element: SqlType) -> list[int]:
    """The size of each dimension, read down the first elements."""
    dims: list[int] = []
    probe: Any = value
    list_valued = element.oid in _LIST_VALUED_OIDS
    while isinstance(probe, list):
        dims.append(len(probe))
        if not probe or list_valued:
            break
        probe = probe[0]
    return dims


def _flatten(value: Any, depth: int, out: list[Any]) -> None:
    if depth == 0:
        out.append(value)
        return
    if not isinstance(value, list):
        raise TideError(
            "multidimensional arrays must have array expressions with matching dimensions",
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    for item in value:
        _flatten(item, depth - 1, out)


def _recv_array(data: bytes, sql_type: SqlType) -> list[Any]:
    element = sql_type.element
    if element is None:
        raise TideError(f"{sql_type.name} is not an array type")
    return _recv_array_of(data, sql_type, element)


def _recv_array_of(data: bytes, sql_type: SqlType, element: SqlType) -> list[Any]:
    if len(data) < _ARRAY_HEADER.size:
        raise _bad_binary(sql_type)
    ndim, flags, element_oid = _ARRAY_HEADER.unpack_from(data)
    if not 0 <= ndim <= 6:
        raise TideError(
            f"invalid number of dimensions: {ndim}",
            sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION,
        )
    if flags not in (0, 1):
        raise TideError("invalid array flags", sqlstate=sqlstates.INVALID_BINARY_REPRESENTATION)
    if element_oid != element.oid:
        actual = ALL_TYPES.get(element_oid)
        raise TideError(
            f"binary data has array element type {element_oid} "
            f"({actual.name if actual else '???'}) instead of expected {element.oid} "
            f"({element.name})",
            sqlstate=sqlstates.DATATYPE_MISMATCH,
        )
    pos = _ARRAY_HEADER.size
    dims = []
    for _ in range(ndim):
        if pos + _ARRAY_DIMENSION.size > len(data):
            raise _bad_binary(sql_type)
        size, _lower = _ARRAY_DIMENSION.unpack_from(data, pos)
        if size < 0:
            raise _bad_binary(sql_type)
        dims.append(size)
        pos += _ARRAY_DIMENSION.size
    total = math.prod(dims) if dims else 0
    recv = _BINARY_RECV[element.oid]
    flat: list[Any] = []
    for _ in range(total):
        if pos + 4 > len(data):
            raise _bad_binary(sql_type)
        (length,) = _INT4.unpack_from(data, pos)
        pos += 4
        if length == -1:
            flat.append(None)
            continue
        if length < 0 or pos + length > len(data):
            raise _bad_binary(sql_type)
        flat.append(recv(data[pos : pos + length], element))
        pos += length
    if pos != len(data):
        raise _bad_binary(sql_type)
    if ndim > 1 and element.oid in _LIST_VALUED_OIDS:
        raise _multidimensional_unsupported(element)
    for size in reversed(dims[1:]):
        flat = [flat[i : i + size] for i in range(0, len(flat), size)]
    return flat


def _send_vector(value: list[int], sql_type: SqlType) -> bytes:
    element = OID if sql_type.oid == OIDVECTOR.oid else INT2
    send = _BINARY_SEND[element.oid]
    parts = [_ARRAY_HEADER.pack(1, 0, element.oid), _ARRAY_DIMENSION.pack(len(value), 0)]
    for item in value:
        parts.append(_INT4.pack(element.typlen))
        parts.append(send(item, element))
    return b"".join(parts)


def _recv_vector(data: bytes, sql_type: SqlType) -> list[int]:
    element = OID if sql_type.oid == OIDVECTOR.oid else INT2
    items = _recv_array_of(data, sql_type, element)
    if any(item is None or isinstance(item, list) for item in items):
        raise _bad_binary(sql_type)
    return items


def _send_reg(value: int, sql_type: SqlType) -> bytes:
    return _UINT4.pack(value)


def _send_record(value: Any, sql_type: SqlType) -> bytes:
    """record_send: the field count, then each field's type OID, length and value."""
    field_types = getattr(value, "field_types", ())
    parts = [struct.pack("!i", len(value))]
    for index, item in enumerate(value):
        item_type = field_types[index] if index < len(field_types) else TEXT
        if item is None:
            parts.append(struct.pack("!Ii", item_type.oid, -1))
            continue
        data = encode_binary(item, item_type)
        parts.append(struct.pack("!Ii", item_type.oid, len(data)))
        parts.append(data)
    return b"".join(parts)


def _send_unsupported(value: Any, sql_type: SqlType) -> bytes:
    raise TideError(
        f"no binary output function available for type {sql_type.name}",
        sqlstate=sqlstates.UNDEFINED_FUNCTION,
    )


def _recv_unsupported(data: bytes, sql_type: SqlType) -> Any:
    raise TideError(
        f"no binary input function available for type {sql_type.name}",
        sqlstate=sqlstates.UNDEFINED_FUNCTION,
    )


_BINARY_SEND: dict[int, SendFn] = {
    BOOL.oid: _send_bool,
    BYTEA.oid: _send_bytea,
    CHAR.oid: _send_char,
    NAME.oid: _send_text,
    INT8.oid: _send_int8,
    INT2.oid: _send_int2,
    INT2VECTOR.oid: _send_vector,
    INT4.oid: _send_int4,
    REGPROC.oid: _send_reg,
    TEXT.oid: _send_text,
    OID.oid: _send_oid,
    OIDVECTOR.oid: _send_vector,
    JSON.oid: _send_text,
    FLOAT4.oid: _send_float4,
    FLOAT8.oid: _send_float8,
    UNKNOWN.oid: _send_text,
    BPCHAR.oid: _send_text,
    VARCHAR.oid: _send_text,
    DATE.oid: _send_date,
    TIME.oid: _send_time,
    TIMESTAMP.oid: _send_timestamp,
    TIMESTAMPTZ.oid: _send_timestamp,
    INTERVAL.oid: _send_interval,
    NUMERIC.oid: _send_numeric,
    REGCLASS.oid: _send_reg,
    REGTYPE.oid: _send_reg,
    REGNAMESPACE.oid: _send_reg,
    REGPROCEDURE.oid: _send_reg,
    REGROLE.oid: _send_reg,
    RECORD.oid: _send_record,
    VOID.oid: _send_void,
    UUID.oid: _send_uuid,
    JSONB.oid: _send_jsonb,
    INET.oid: _send_inet,
}

_BINARY_RECV: dict[int, RecvFn] = {
    BOOL.oid: _recv_bool,
    BYTEA.oid: _recv_bytea,
    CHAR.oid: _recv_char,
    NAME.oid: _recv_name,
    INT8.oid: _recv_int8,
    INT2.oid: _recv_int2,
    INT2VECTOR.oid: _recv_vector,
    INT4.oid: _recv_int4,
    REGPROC.oid: _recv_oid,
    TEXT.oid: _recv_text,
    OID.oid: _recv_oid,
    OIDVECTOR.oid: _recv_vector,
    JSON.oid: _recv_json,
    FLOAT4.oid: _recv_float4,
    FLOAT8.oid: _recv_float8,
    UNKNOWN.oid: _recv_text,
    BPCHAR.oid: _recv_bpchar,
    VARCHAR.oid: _recv_varchar,
    DATE.oid: _recv_date,
    TIME.oid: _recv_time,
    TIMESTAMP.oid: _recv_timestamp,
    TIMESTAMPTZ.oid: _recv_timestamptz,
    INTERVAL.oid: _recv_interval,
    NUMERIC.oid: _recv_numeric,
    REGCLASS.oid: _recv_oid,
    REGTYPE.oid: _recv_oid,
    REGNAMESPACE.oid: _recv_oid,
    REGPROCEDURE.oid: _recv_oid,
    REGROLE.oid: _recv_oid,
    RECORD.oid: _recv_unsupported,
    VOID.oid: _recv_void,
    UUID.oid: _recv_uuid,
    JSONB.oid: _recv_jsonb,
    INET.oid: _recv_inet,
}

for _sql_type in list(ALL_TYPES.values()):
    if _sql_type.element is not None:
        _BINARY_SEND[_sql_type.oid] = _send_array
        _BINARY_RECV[_sql_type.oid] = _recv_array


def encode_binary(value: Any, sql_type: SqlType) -> bytes:
    """PostgreSQL's binary (typsend) form of a non-NULL ``value``."""
    try:
        send = _BINARY_SEND[sql_type.oid]
    except KeyError:
        raise _no_io(sql_type) from None
    try:
        return send(value, sql_type)
    except (struct.error, OverflowError):
        raise TideError(
            f"value out of range for type {sql_type.name}",
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        ) from None


def decode_binary(data: bytes, sql_type: SqlType) -> Any:
    """Read PostgreSQL's binary (typreceive) form; 22P03 if it is malformed."""
    try:
        recv = _BINARY_RECV[sql_type.oid]
    except KeyError:
        raise _no_io(sql_type) from None
    try:
        return recv(bytes(data), sql_type)
    except struct.error:
        raise _bad_binary(sql_type) from None
