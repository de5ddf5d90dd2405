"""Order-preserving keys: tuples encoded so that byte order is SQL order.

Every key in the store is a tuple ``(table_id, index_id, key columns…)`` turned into bytes
by :func:`encode_key`. The one promise of this module is that **comparing two encoded keys
as byte strings gives the same answer as comparing the tuples with SQL semantics**
(PostgreSQL's btree order under the C collation, which is what DSQL uses). Storage can
therefore keep keys in a plain sorted map, a range scan is a byte range, and a shard is a
byte range (see ``ranges.py``). The layout follows FoundationDB's tuple layer, with
PostgreSQL's NULL placement and a descending wrapper added.

How is a tuple laid out?
------------------------
A key is the concatenation of its elements, ``encode_key(t) == b"".join(encode_element(v)
for v in t)``. Each element is a type code byte and a payload whose end can be found
without looking further, and the set of all element encodings is *prefix-free*: two
different elements differ at a byte inside both of them. Two consequences:

* Comparing two keys byte by byte compares the tuples element by element, because the
  first differing byte lies inside the first differing element, whatever follows it.
* The key of a tuple is a byte prefix of the key of every tuple that extends it, and only
  of those, so a tuple prefix is a byte prefix and sorts before its extensions.

Type codes::

    code        type              payload
    0x00        —                 never starts an element (it ends strings)
    0x05 0x06   bool              none: false, true
    0x0C–0x13   int < 0           8…1 bytes: (2^(8n) − 1) − |v|, big-endian
    0x14        int 0             none
    0x15–0x1C   int > 0           1…8 bytes: v, big-endian, no leading zero byte
    0x20–0x25   numeric           −Infinity, < 0, 0, > 0, +Infinity, NaN (see below)
    0x28        float8            8 bytes: IEEE bits, sign flipped (≥ 0) or all flipped (< 0)
    0x30        text              UTF-8, 0x00 escaped as 00 FF, ended by 00 01
    0x31        bytea             the same escaping
    0x38        date              4 bytes: days since 2000-01-01, sign bit flipped
    0x39        time              8 bytes: microseconds since midnight
    0x3A        timestamp         8 bytes: µs since 2000-01-01 00:00, sign bit flipped
    0x3B        timestamptz       the same, of the instant in UTC
    0x40        uuid              16 raw bytes (PostgreSQL compares uuids with memcmp)
    0x7F        NULL              none
    0x80–0xFE   Descending(x)     code 0xFF − code(x), then x's payload with every bit flipped
    0xFF        —                 never starts an element (see prefix_end)

Within one column every value has the same type or is NULL, so only the order within a
type matters; across types the order is that of the codes and means nothing. Integers use
the fewest bytes that hold them: ``(1001, 0, 42)`` is ``16 03 E9 · 14 · 15 2A``, 6 bytes.

Why is NULL's code the highest?
-------------------------------
PostgreSQL puts NULL after every value in an ascending index (NULLS LAST) and, since DESC
implies NULLS FIRST, before every value in a descending one. 0x7F is above every other
ascending code, so NULL sorts last; inside :class:`Descending` its code becomes
0xFF − 0x7F = 0x80, the lowest descending code, so it sorts first.

How does prefix_end work, and why may no element start with 0xFF?
-----------------------------------------------------------------
The keys that extend the tuple encoded as ``p`` are exactly the byte strings ``p + e…``
where ``e`` is the first byte of an element, so ``e ≤ 0xFE``. Hence ``p + b"\\xff"`` is
above all of them and below every key after them: ``scan(p, prefix_end(p))`` finds the
tuple ``p`` itself and all its extensions. (FoundationDB's ``strinc``, which increments
the last byte, would be wrong here: the prefix ``('a',)`` would take in ``('ab',)`` too.)

How are strings escaped?
------------------------
A text or bytea payload is the raw bytes with each 0x00 written as ``00 FF``, then the
terminator ``00 01``: ``'a'`` is ``30 61 00 01``, ``'a\\0'`` is ``30 61 00 FF 00 01`` and
``'ab'`` is ``30 61 62 00 01``. After a 0x00 byte comes 0x01 (end) or 0xFF (escaped zero),
and ``00 01 < 00 FF < any other byte``, so a string sorts before its extensions and byte
order is code point order (UTF-8 preserves it). FoundationDB ends strings with a single
0x00, which is not prefix-free (``'a'`` = ``61 00`` is a prefix of ``'a\\0'`` =
``61 00 FF 00``); ascending keys get away with it because no element starts with 0xFF, but
a flipped (descending) string would then sort on the wrong side of its extensions. The
two-byte terminator keeps every encoding prefix-free, which is what makes flipping bits a
correct way to reverse an order.

How are numerics laid out?
--------------------------
A finite, non-zero ``decimal.Decimal`` is written as ``±0.d1 d2 … dn × 10^E`` with
``d1 ≠ 0`` and no trailing zero digit, so equal values of different scale (``1.0``,
``1.00``) are the same digits and the same ``E``. The payload is ``E`` as an int element
(codes 0x0C–0x1C above), then the digits two to a byte as ``1 + 10·a + b`` (1…100, a last
odd digit padded with 0) and a 0x00 terminator. A larger ``E`` means a larger magnitude, and
at equal ``E`` the digit bytes compare like the digit strings, a shorter string (0.12) before
its extensions (0.123). For a negative number the whole payload (exponent and digits) is
bit-flipped, which reverses both comparisons. Worked example::

    Decimal('123.45')  = +0.12345 × 10^3
        23           positive
        15 03        E = 3
        0D 23 33 00  digit pairs 12, 34, 5(0) as 1 + pair, then the terminator
    Decimal('-123.45')
        21           negative
        EA FC        E = 3, flipped
        F2 DC CC FF  the digit bytes and terminator, flipped
    Decimal('123.4') = 23 15 03 0D 23 00, below 123.45 because 00 < 33.

Zero (including ``-0``) and the specials have their own codes, so NaN sorts above
+Infinity, which sorts above every finite number, as in PostgreSQL. Every NaN (``-NaN``,
``sNaN``, payloads) is the same key. Decoding returns the normalized value
(``Decimal('1.00')`` comes back as ``Decimal('1')``, ``Decimal('100')`` as
``Decimal('1E+2')``).

Decoding is strict: it raises :class:`KeyEncodingError` on any byte string that
:func:`encode_key` cannot produce, so each key value has exactly one encoding and a
decoded key re-encodes to the same bytes.

Non-goals: collations other than C, and an order across types (a column has one type).
"""

from __future__ import annotations

import datetime
import decimal
import struct
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

__all__ = [
    "Descending",
    "KeyEncodingError",
    "decode_element",
    "decode_key",
    "encode_element",
    "encode_key",
    "format_key",
    "prefix_end",
]


class KeyEncodingError(ValueError):
    """A value that cannot be part of a key, or bytes that are not a valid key."""


@dataclass(frozen=True, slots=True)
class Descending:
    """A key element that sorts in reverse order, for a ``DESC`` index column.

    NULL in a descending column is ``Descending(None)``, which sorts before every other
    ``Descending`` value (PostgreSQL's DESC implies NULLS FIRST).
    """

    value: object

    def __post_init__(self) -> None:
        if isinstance(self.value, Descending):
            raise KeyEncodingError("Descending(Descending(…)) is not a key element")


# -- type codes --------------------------------------------------------------------------

CODE_FALSE: Final = 0x05
CODE_TRUE: Final = 0x06
CODE_INT_ZERO: Final = 0x14  # 0x14 − n: negative in n bytes; 0x14 + n: positive
CODE_NUMERIC_NEGATIVE_INFINITY: Final = 0x20
CODE_NUMERIC_NEGATIVE: Final = 0x21
CODE_NUMERIC_ZERO: Final = 0x22
CODE_NUMERIC_POSITIVE: Final = 0x23
CODE_NUMERIC_POSITIVE_INFINITY: Final = 0x24
CODE_NUMERIC_NAN: Final = 0x25
CODE_FLOAT: Final = 0x28
CODE_TEXT: Final = 0x30
CODE_BYTEA: Final = 0x31
CODE_DATE: Final = 0x38
CODE_TIME: Final = 0x39
CODE_TIMESTAMP: Final = 0x3A
CODE_TIMESTAMPTZ: Final = 0x3B
CODE_UUID: Final = 0x40
CODE_NULL: Final = 0x7F
#: The lowest code of a Descending element: 0xFF − CODE_NULL.
CODE_DESCENDING_MIN: Final = 0x80

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
_INT_BYTES_MAX: Final = 8

_INVERT: Final = bytes(255 - byte for byte in range(256))
_STRING_TERMINATOR: Final = b"\x00\x01"
_STRING_ESCAPED_ZERO: Final = b"\x00\xff"
_DIGITS_TERMINATOR: Final = 0x00

_UINT32: Final = struct.Struct(">I")
_UINT64: Final = struct.Struct(">Q")
_FLOAT64: Final = struct.Struct(">d")
_SIGN_BIT_32: Final = 1 << 31
_SIGN_BIT_64: Final = 1 << 63
_ALL_BITS_64: Final = (1 << 64) - 1
_CANONICAL_NAN_BITS: Final = 0x7FF8_0000_0000_0000
_NEGATIVE_ZERO_BITS: Final = 0x8000_0000_0000_0000

_EPOCH_DATE_ORDINAL: Final = datetime.date(2000, 1, 1).toordinal()
_EPOCH: Final = datetime.datetime(2000, 1, 1)
_EPOCH_UTC: Final = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND: Final = datetime.timedelta(microseconds=1)
_MICROSECONDS_PER_DAY: Final = 86_400_000_000
#: The UTC instants a timestamptz can decode to (those of ``datetime``'s own range).
_TIMESTAMPTZ_MICROSECONDS_MIN: Final = (
    datetime.datetime.min.replace(tzinfo=datetime.UTC) - _EPOCH_UTC
) // _MICROSECOND
_TIMESTAMPTZ_MICROSECONDS_MAX: Final = (
    datetime.datetime.max.replace(tzinfo=datetime.UTC) - _EPOCH_UTC
) // _MICROSECOND

# -- encoding ----------------------------------------------------------------------------

_INT_CODE_BYTES: Final = tuple(
    bytes((CODE_INT_ZERO + n,)) for n in range(-_INT_BYTES_MAX, _INT_BYTES_MAX + 1)
)
_FALSE: Final = bytes((CODE_FALSE,))
_TRUE: Final = bytes((CODE_TRUE,))
_NULL: Final = bytes((CODE_NULL,))
_NUMERIC_NEGATIVE_INFINITY: Final = bytes((CODE_NUMERIC_NEGATIVE_INFINITY,))
_NUMERIC_NEGATIVE: Final = bytes((CODE_NUMERIC_NEGATIVE,))
_NUMERIC_ZERO: Final = bytes((CODE_NUMERIC_ZERO,))
_NUMERIC_POSITIVE: Final = bytes((CODE_NUMERIC_POSITIVE,))
_NUMERIC_POSITIVE_INFINITY: Final = bytes((CODE_NUMERIC_POSITIVE_INFINITY,))
_NUMERIC_NAN: Final = bytes((CODE_NUMERIC_NAN,))
_FLOAT: Final = bytes((CODE_FLOAT,))
_TEXT: Final = bytes((CODE_TEXT,))
_BYTEA: Final = bytes((CODE_BYTEA,))
_DATE: Final = bytes((CODE_DATE,))
_TIME: Final = bytes((CODE_TIME,))
_TIMESTAMP: Final = bytes((CODE_TIMESTAMP,))
_TIMESTAMPTZ: Final = bytes((CODE_TIMESTAMPTZ,))
_UUID: Final = bytes((CODE_UUID,))


def _encode_int(value: int) -> bytes:
    if value > 0:
        if value > INT64_MAX:
            raise KeyEncodingError(f"integer {value} is outside the int64 range")
        length = (value.bit_length() + 7) >> 3
        return _INT_CODE_BYTES[_INT_BYTES_MAX + length] + value.to_bytes(length, "big")
    if value < 0:
        if value < INT64_MIN:
            raise KeyEncodingError(f"integer {value} is outside the int64 range")
        length = ((-value).bit_length() + 7) >> 3
        # Ones' complement in `length` bytes: a larger magnitude gives smaller bytes.
        return _INT_CODE_BYTES[_INT_BYTES_MAX - length] + (
            value + (1 << (8 * length)) - 1
        ).to_bytes(length, "big")
    return _INT_CODE_BYTES[_INT_BYTES_MAX]


def _encode_bool(value: bool) -> bytes:
    return _TRUE if value else _FALSE


def _encode_none(value: None) -> bytes:
    return _NULL


def _encode_decimal(value: decimal.Decimal) -> bytes:
    if not value.is_finite():
        if value.is_nan():
            return _NUMERIC_NAN
        if value.is_signed():
            return _NUMERIC_NEGATIVE_INFINITY
        return _NUMERIC_POSITIVE_INFINITY
    if not value:
        return _NUMERIC_ZERO
    sign, digit_tuple, exponent_or_special = value.as_tuple()
    exponent = cast(int, exponent_or_special)  # finite, so never 'n', 'N' or 'F'
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    # value = 0.d1…dn × 10^scientific_exponent; trailing zeros do not move the point.
    scientific_exponent = exponent + len(digits)
    digits = digits.rstrip("0")
    if len(digits) % 2:
        digits += "0"
    digit_bytes = bytes([1 + int(digits[i : i + 2]) for i in range(0, len(digits), 2)])
    if not INT64_MIN <= scientific_exponent <= INT64_MAX:
        raise KeyEncodingError(f"numeric {value} has an exponent outside the int64 range")
    payload = _encode_int(scientific_exponent) + digit_bytes + bytes((_DIGITS_TERMINATOR,))
    if sign:
        return _NUMERIC_NEGATIVE + payload.translate(_INVERT)
    return _NUMERIC_POSITIVE + payload


def _encode_float(value: float) -> bytes:
    if value != value:
        bits = _CANONICAL_NAN_BITS
    else:
        # `+ 0.0` turns -0.0 into 0.0, which PostgreSQL holds equal to it.
        (bits,) = _UINT64.unpack(_FLOAT64.pack(value + 0.0))
    # Positive floats order like their bits once the sign bit is set; negative floats order
    # backwards, so all their bits are flipped.
    bits = bits ^ _ALL_BITS_64 if bits & _SIGN_BIT_64 else bits | _SIGN_BIT_64
    return _FLOAT + _UINT64.pack(bits)


def _encode_str(value: str) -> bytes:
    try:
        utf8 = value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise KeyEncodingError(f"text {value!r} is not valid Unicode: {error}") from None
    return _TEXT + utf8.replace(b"\x00", _STRING_ESCAPED_ZERO) + _STRING_TERMINATOR


def _encode_bytes(value: bytes | bytearray | memoryview) -> bytes:
    return _BYTEA + bytes(value).replace(b"\x00", _STRING_ESCAPED_ZERO) + _STRING_TERMINATOR


def _encode_date(value: datetime.date) -> bytes:
    days = value.toordinal() - _EPOCH_DATE_ORDINAL
    return _DATE + _UINT32.pack(days + _SIGN_BIT_32)


def _encode_time(value: datetime.time) -> bytes:
    if value.utcoffset() is not None:
        raise KeyEncodingError(f"time with a time zone is not a key type: {value!r}")
    microseconds = (
        (value.hour * 60 + value.minute) * 60 + value.second
    ) * 1_000_000 + value.microsecond
    return _TIME + _UINT64.pack(microseconds)


def _encode_datetime(value: datetime.datetime) -> bytes:
    if value.utcoffset() is None:
        microseconds = (value.replace(tzinfo=None) - _EPOCH) // _MICROSECOND
        return _TIMESTAMP + _UINT64.pack(microseconds + _SIGN_BIT_64)
    microseconds = (value - _EPOCH_UTC) // _MICROSECOND
    if not _TIMESTAMPTZ_MICROSECONDS_MIN <= microseconds <= _TIMESTAMPTZ_MICROSECONDS_MAX:
        raise KeyEncodingError(f"timestamptz {value!r} is outside the UTC datetime range")
    return _TIMESTAMPTZ + _UINT64.pack(microseconds + _SIGN_BIT_64)


def _encode_uuid(value: uuid.UUID) -> bytes:
    return _UUID + value.bytes


def _encode_descending(value: Descending) -> bytes:
    # A prefix-free set of byte strings with every bit flipped is still prefix-free and
    # compares in reverse, and the code moves from 0x01…0x7F to 0xFE…0x80.
    return encode_element(value.value).translate(_INVERT)


_ENCODERS: Final[dict[type, Callable[[Any], bytes]]] = {
    int: _encode_int,
    bool: _encode_bool,
    type(None): _encode_none,
    str: _encode_str,
    bytes: _encode_bytes,
    bytearray: _encode_bytes,
    memoryview: _encode_bytes,
    decimal.Decimal: _encode_decimal,
    float: _encode_float,
    datetime.datetime: _encode_datetime,
    datetime.date: _encode_date,
    datetime.time: _encode_time,
    uuid.UUID: _encode_uuid,
    Descending: _encode_descending,
}


def _encode_subclass(value: object) -> bytes:
    """Encode an instance of a subclass of a key type (an IntEnum, a str subclass…)."""
    for base in type(value).__mro__[1:]:
        encoder = _ENCODERS.get(base)
        if encoder is not None:
            return encoder(value)
    raise KeyEncodingError(f"{type(value).__name__} is not a key type: {value!r}")


def encode_element(value: object) -> bytes:
    """The encoding of one key element; keys are concatenations of these."""
    return _ENCODERS.get(type(value), _encode_subclass)(value)


def encode_key(values: Sequence[object]) -> bytes:
    """Encode a tuple (or list) so that byte order is the tuples' SQL order."""
    if type(values) is not tuple and isinstance(values, str | bytes | bytearray | memoryview):
        # These are sequences too, but a key made of their characters is surely a mistake.
        raise KeyEncodingError(f"a key is a tuple of values, not {type(values).__name__}")
    encoders = _ENCODERS
    return b"".join([encoders.get(type(value), _encode_subclass)(value) for value in values])


def prefix_end(prefix: bytes) -> bytes:
    """The end of the range ``[prefix, prefix_end(prefix))`` of keys that extend ``prefix``.

    ``prefix`` must be whole encoded elements (an :func:`encode_key` result). No element
    starts with 0xFF, so every extension is below ``prefix + b"\\xff"``.
    """
    return prefix + b"\xff"


# -- decoding ----------------------------------------------------------------------------

#: Decodes the payload of one element: (data, code, offset after the code) → (value, end).
_Decoder = Callable[[bytes, int, int], tuple[object, int]]


class _MalformedKey(KeyEncodingError):
    """Bytes that are not a key, with where and why, so a caller can restate it."""

    def __init__(self, data: bytes, offset: int, what: str) -> None:
        super().__init__(f"malformed key at byte {offset} ({what}): {data.hex()}")
        self.offset = offset
        self.what = what


def _malformed(data: bytes, offset: int, what: str) -> KeyEncodingError:
    return _MalformedKey(data, offset, what)


def _take(data: bytes, offset: int, length: int, what: str) -> bytes:
    end = offset + length
    if end > len(data):
        raise _malformed(data, offset, f"{what} truncated")
    return data[offset:end]


def _decode_int(data: bytes, code: int, offset: int) -> tuple[object, int]:
    # The hot path of every key: keep the common case (a positive int) to a few steps.
    length = code - CODE_INT_ZERO
    if length > 0:
        end = offset + length
        payload = data[offset:end]
        if len(payload) < length or payload[0] == 0 or (length == 8 and payload[0] > 0x7F):
            raise _int_error(data, offset, length)
        return int.from_bytes(payload, "big"), end
    if length == 0:
        return 0, offset
    length = -length
    end = offset + length
    payload = data[offset:end]
    if len(payload) < length or payload[0] == 0xFF:
        raise _int_error(data, offset, -length)
    value = int.from_bytes(payload, "big") - (1 << (8 * length)) + 1
    if value < INT64_MIN:
        raise _int_error(data, offset, -length)
    return value, end


def _int_error(data: bytes, offset: int, signed_length: int) -> KeyEncodingError:
    if offset + abs(signed_length) > len(data):
        return _malformed(data, offset, "int truncated")
    if data[offset] == (0 if signed_length > 0 else 0xFF):
        return _malformed(data, offset, "int not in its shortest form")
    return _malformed(data, offset, "int outside the int64 range")


def _decode_constant(value: object) -> _Decoder:
    def decode(data: bytes, code: int, offset: int) -> tuple[object, int]:
        return value, offset

    return decode


def _decode_numeric(data: bytes, code: int, offset: int) -> tuple[object, int]:
    negative = code == CODE_NUMERIC_NEGATIVE
    if offset >= len(data):
        raise _malformed(data, offset, "numeric truncated")
    exponent_code = data[offset] ^ 0xFF if negative else data[offset]
    if not CODE_INT_ZERO - _INT_BYTES_MAX <= exponent_code <= CODE_INT_ZERO + _INT_BYTES_MAX:
        raise _malformed(data, offset, "numeric exponent")
    exponent_bytes = _take(data, offset, 1 + abs(exponent_code - CODE_INT_ZERO), "numeric")
    digits_start = offset + len(exponent_bytes)
    terminator = _DIGITS_TERMINATOR ^ 0xFF if negative else _DIGITS_TERMINATOR
    digits_end = data.find(terminator, digits_start)
    if digits_end < 0:
        raise _malformed(data, offset, "numeric digits without a terminator")
    digit_bytes = data[digits_start:digits_end]
    if negative:
        exponent_bytes = exponent_bytes.translate(_INVERT)
        digit_bytes = digit_bytes.translate(_INVERT)
    scientific_exponent = cast(int, _decode_int(exponent_bytes, exponent_code, 1)[0])
    if not digit_bytes or max(digit_bytes) > 100:
        raise _malformed(data, digits_start, "numeric digits")
    digits = "".join([f"{byte - 1:02d}" for byte in digit_bytes])
    if digits.endswith("0"):
        digits = digits[:-1]  # the padding of an odd number of digits
    if digits.startswith("0") or digits.endswith("0"):
        raise _malformed(data, digits_start, "numeric digits not normalized")
    try:
        value = decimal.Decimal(
            (int(negative), tuple(map(int, digits)), scientific_exponent - len(digits))
        )
    except (decimal.InvalidOperation, ValueError, OverflowError):
        raise _malformed(data, offset, "numeric exponent out of range") from None
    return value, digits_end + 1


def _decode_float(data: bytes, code: int, offset: int) -> tuple[object, int]:
    (bits,) = _UINT64.unpack(_take(data, offset, 8, "float"))
    bits = bits ^ _SIGN_BIT_64 if bits & _SIGN_BIT_64 else bits ^ _ALL_BITS_64
    (value,) = _FLOAT64.unpack(_UINT64.pack(bits))
    if bits == _NEGATIVE_ZERO_BITS or (value != value and bits != _CANONICAL_NAN_BITS):
        raise _malformed(data, offset, "float not normalized")
    return value, offset + 8


def _unescape(data: bytes, offset: int) -> tuple[bytes, int]:
    """The raw bytes of a text or bytea payload starting at ``offset``, and its end."""
    parts = []
    start = offset
    while True:
        zero = data.find(0, start)
        if zero < 0 or zero + 1 >= len(data):
            raise _malformed(data, offset, "string without a terminator")
        parts.append(data[start:zero])
        marker = data[zero + 1]
        if marker == 0x01:
            return b"\x00".join(parts), zero + 2
        if marker != 0xFF:
            raise _malformed(data, zero, "string with a bad escape")
        start = zero + 2


def _decode_text(data: bytes, code: int, offset: int) -> tuple[object, int]:
    raw, end = _unescape(data, offset)
    try:
        return raw.decode("utf-8"), end
    except UnicodeDecodeError:
        raise _malformed(data, offset, "text that is not UTF-8") from None


def _decode_bytea(data: bytes, code: int, offset: int) -> tuple[object, int]:
    return _unescape(data, offset)


def _decode_date(data: bytes, code: int, offset: int) -> tuple[object, int]:
    (biased_days,) = _UINT32.unpack(_take(data, offset, 4, "date"))
    try:
        value = datetime.date.fromordinal(biased_days - _SIGN_BIT_32 + _EPOCH_DATE_ORDINAL)
    except (ValueError, OverflowError):
        raise _malformed(data, offset, "date out of range") from None
    return value, offset + 4


def _decode_time(data: bytes, code: int, offset: int) -> tuple[object, int]:
    (microseconds,) = _UINT64.unpack(_take(data, offset, 8, "time"))
    if microseconds >= _MICROSECONDS_PER_DAY:
        raise _malformed(data, offset, "time out of range")
    seconds, microsecond = divmod(microseconds, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return datetime.time(hour, minute, second, microsecond), offset + 8


def _decode_timestamp(data: bytes, code: int, offset: int) -> tuple[object, int]:
    (biased,) = _UINT64.unpack(_take(data, offset, 8, "timestamp"))
    epoch = _EPOCH_UTC if code == CODE_TIMESTAMPTZ else _EPOCH
    try:
        value = epoch + (biased - _SIGN_BIT_64) * _MICROSECOND
    except OverflowError:
        raise _malformed(data, offset, "timestamp out of range") from None
    return value, offset + 8


def _decode_uuid(data: bytes, code: int, offset: int) -> tuple[object, int]:
    return uuid.UUID(bytes=_take(data, offset, 16, "uuid")), offset + 16


def _decode_unknown(data: bytes, code: int, offset: int) -> tuple[object, int]:
    raise _malformed(data, offset - 1, f"unknown type code 0x{code:02x}")


def _build_decoders() -> tuple[_Decoder, ...]:
    decoders: list[_Decoder] = [_decode_unknown] * 256
    for length in range(-_INT_BYTES_MAX, _INT_BYTES_MAX + 1):
        decoders[CODE_INT_ZERO + length] = _decode_int
    decoders[CODE_FALSE] = _decode_constant(False)
    decoders[CODE_TRUE] = _decode_constant(True)
    decoders[CODE_NULL] = _decode_constant(None)
    decoders[CODE_NUMERIC_NEGATIVE_INFINITY] = _decode_constant(decimal.Decimal("-Infinity"))
    decoders[CODE_NUMERIC_NEGATIVE] = _decode_numeric
    decoders[CODE_NUMERIC_ZERO] = _decode_constant(decimal.Decimal(0))
    decoders[CODE_NUMERIC_POSITIVE] = _decode_numeric
    decoders[CODE_NUMERIC_POSITIVE_INFINITY] = _decode_constant(decimal.Decimal("Infinity"))
    decoders[CODE_NUMERIC_NAN] = _decode_constant(decimal.Decimal("NaN"))
    decoders[CODE_FLOAT] = _decode_float
    decoders[CODE_TEXT] = _decode_text
    decoders[CODE_BYTEA] = _decode_bytea
    decoders[CODE_DATE] = _decode_date
    decoders[CODE_TIME] = _decode_time
    decoders[CODE_TIMESTAMP] = _decode_timestamp
    decoders[CODE_TIMESTAMPTZ] = _decode_timestamp
    decoders[CODE_UUID] = _decode_uuid
    return tuple(decoders)


#: Indexed by type code; only ascending codes (below 0x80) have real decoders.
_DECODERS: Final = _build_decoders()


def _decode_descending(data: bytes, inverted: bytes, offset: int) -> tuple[object, int]:
    """Decode the Descending element at ``offset``, given ``data`` with every bit flipped.

    The flipped bytes are an ascending element at the same offsets.
    """
    code = inverted[offset]
    try:
        value, end = _DECODERS[code](inverted, code, offset + 1)
    except _MalformedKey as error:
        # Report the bytes as stored, not the flipped copy the decoder saw.
        raise _malformed(data, error.offset, f"{error.what}, in a Descending element") from None
    return Descending(value), end


def decode_element(data: bytes, offset: int = 0) -> tuple[object, int]:
    """Decode the element that starts at ``offset``: its value and the offset after it."""
    data = bytes(data)
    if not 0 <= offset < len(data):
        raise _malformed(data, offset, "no element here")
    code = data[offset]
    if code < CODE_DESCENDING_MIN:
        return _DECODERS[code](data, code, offset + 1)
    return _decode_descending(data, data.translate(_INVERT), offset)


def decode_key(data: bytes) -> tuple[object, ...]:
    """The tuple that :func:`encode_key` turned into ``data``."""
    if type(data) is not bytes:
        data = bytes(data)
    decoders = _DECODERS
    values: list[object] = []
    inverted: bytes | None = None
    offset = 0
    length = len(data)
    while offset < length:
        code = data[offset]
        if code < CODE_DESCENDING_MIN:
            value, offset = decoders[code](data, code, offset + 1)
        else:
            if inverted is None:
                inverted = data.translate(_INVERT)
            value, offset = _decode_descending(data, inverted, offset)
        values.append(value)
    return tuple(values)


# -- rendering ---------------------------------------------------------------------------


def _format_value(value: object) -> str:
    if isinstance(value, Descending):
        return f"{_format_value(value.value)} DESC"
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return f"{value}::numeric" if value.is_finite() else f"'{value}'::numeric"
    if isinstance(value, float):
        if value != value:
            return "'NaN'::float8"
        if value - value != 0:
            return "'Infinity'::float8" if value > 0 else "'-Infinity'::float8"
        return f"{value!r}::float8"
    if isinstance(value, bytes):
        return f"'\\x{value.hex()}'::bytea"
    if isinstance(value, datetime.datetime):
        type_name = "timestamp" if value.tzinfo is None else "timestamptz"
        return f"'{value.isoformat(sep=' ')}'::{type_name}"
    if isinstance(value, datetime.date):
        return f"'{value.isoformat()}'::date"
    if isinstance(value, datetime.time):
        return f"'{value.isoformat()}'::time"
    if isinstance(value, uuid.UUID):
        return f"'{value}'::uuid"
    return repr(value)


def format_key(data: bytes) -> str:
    """A readable rendering such as ``(1001, 0, 42, 'abc')``, for messages; never raises.

    Bytes that do not decode are shown in hex after the elements that do, so the end of a
    prefix range reads ``(1001, 0) + x'ff'``.
    """
    try:
        data = bytes(data)
        elements: list[str] = []
        offset = 0
        while offset < len(data):
            try:
                value, offset_after = decode_element(data, offset)
            except KeyEncodingError:
                break
            elements.append(_format_value(value))
            offset = offset_after
        rendered = f"({', '.join(elements)})"
        if offset < len(data):
            rendered += f" + x'{data[offset:].hex()}'"
        return rendered
    except Exception:  # A message about a bad key must never fail in its turn.
        return f"x'{bytes(data).hex()}'" if isinstance(data, bytes | bytearray) else repr(data)
