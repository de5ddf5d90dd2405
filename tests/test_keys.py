"""The key encoding: byte order must be SQL order, and decoding must invert encoding.

The order properties compare against ``sql_compare``, a small reference comparator written
from PostgreSQL's rules (NULL last, NaN above every number, equal numerics of different
scale equal, C collation for text), never from the encoding itself. Failing examples print
keys with ``format_key`` next to their bytes.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import itertools
import struct
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidesql.keys import (
    INT64_MAX,
    INT64_MIN,
    Descending,
    KeyEncodingError,
    decode_element,
    decode_key,
    encode_element,
    encode_key,
    format_key,
    prefix_end,
)

# -- the reference order -----------------------------------------------------------------


def _sign(number: int) -> int:
    return (number > 0) - (number < 0)


def sql_compare(a: object, b: object) -> int:
    """-1, 0 or 1 as PostgreSQL's btree orders two values of one column type."""
    if isinstance(a, Descending) and isinstance(b, Descending):
        return sql_compare(b.value, a.value)  # NULL, last when ascending, comes first
    if a is None or b is None:
        return (a is None) - (b is None)  # NULLS LAST
    if isinstance(a, float | Decimal) and isinstance(b, float | Decimal):
        a_nan, b_nan = _is_nan(a), _is_nan(b)
        if a_nan or b_nan:
            return a_nan - b_nan  # NaN equals NaN and is above every number
    if isinstance(a, uuid.UUID) and isinstance(b, uuid.UUID):
        return (a.bytes > b.bytes) - (a.bytes < b.bytes)  # memcmp
    if isinstance(a, bytes | bytearray) and isinstance(b, bytes | bytearray):
        return (bytes(a) > bytes(b)) - (bytes(a) < bytes(b))
    typed_a: Any = a
    return _sign((typed_a > b) - (typed_a < b))


def _is_nan(value: float | Decimal) -> bool:
    return value.is_nan() if isinstance(value, Decimal) else value != value


def sql_compare_tuples(a: Sequence[object], b: Sequence[object]) -> int:
    for x, y in zip(a, b, strict=False):
        result = sql_compare(x, y)
        if result:
            return result
    return _sign(len(a) - len(b))  # a proper prefix comes first


def bytes_compare(a: bytes, b: bytes) -> int:
    return (a > b) - (a < b)


def describe(key: bytes) -> str:
    return f"{format_key(key)} = {key.hex(' ')}"


def assert_same_order(rows: Sequence[Sequence[object]]) -> None:
    keys = [encode_key(row) for row in rows]
    for (row_a, key_a), (row_b, key_b) in itertools.combinations(zip(rows, keys, strict=True), 2):
        expected = sql_compare_tuples(row_a, row_b)
        assert bytes_compare(key_a, key_b) == expected, (
            f"{row_a!r} vs {row_b!r}: SQL says {expected}, bytes say {bytes_compare(key_a, key_b)}"
            f"\n  {describe(key_a)}\n  {describe(key_b)}"
        )


def assert_round_trip(row: Sequence[object]) -> None:
    key = encode_key(row)
    decoded = decode_key(key)
    assert len(decoded) == len(row), describe(key)
    for original, back in zip(row, decoded, strict=True):
        assert sql_compare(original, back) == 0, f"{original!r} came back as {back!r}"
        assert _type_name(back) == _type_name(original), f"{original!r} came back as {back!r}"
    assert encode_key(decoded) == key


def _type_name(value: object) -> str:
    if isinstance(value, Descending):
        return f"Descending({_type_name(value.value)})"
    if isinstance(value, bytearray | memoryview):
        return "bytes"
    if isinstance(value, datetime.datetime):
        return "timestamptz" if value.utcoffset() is not None else "timestamp"
    return type(value).__name__


# -- strategies --------------------------------------------------------------------------

_int_edges = sorted(
    {INT64_MIN, INT64_MIN + 1, INT64_MAX - 1, INT64_MAX}
    | {sign * (2 ** (8 * n) + delta) for n in range(8) for sign in (1, -1) for delta in (-1, 0)}
)
ints = st.one_of(
    st.integers(-3, 3),
    st.sampled_from(_int_edges),
    st.integers(-70_000, 70_000),
    st.integers(INT64_MIN, INT64_MAX),
)


def _decimal_from(sign: int, coefficient: int, exponent: int, trailing_zeros: int) -> Decimal:
    digits = tuple(int(digit) for digit in str(coefficient)) + (0,) * trailing_zeros
    return Decimal((sign, digits, exponent - trailing_zeros))


finite_decimals = st.builds(
    _decimal_from,
    st.integers(0, 1),
    st.one_of(st.integers(0, 120), st.integers(0, 10**6), st.integers(0, 10**40)),
    st.one_of(st.integers(-4, 4), st.integers(-40, 40), st.integers(-(10**9), 10**9)),
    st.integers(0, 3),  # equal values at different scales
)
special_decimals = st.sampled_from(
    [Decimal(text) for text in ("NaN", "-NaN", "sNaN", "NaN12", "Infinity", "-Infinity", "-0")]
)
decimals = st.one_of(
    finite_decimals, special_decimals, st.decimals(allow_nan=True, allow_infinity=True)
)

floats = st.one_of(
    st.floats(),
    st.sampled_from([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 5e-324, -5e-324]),
    st.integers(0, 2**64 - 1).map(lambda bits: struct.unpack(">d", struct.pack(">Q", bits))[0]),
)

# Small alphabets make shared prefixes, embedded zero bytes and escapes likely.
texts = st.one_of(
    st.text(alphabet="\x00\x01ab\xff\u0100\uffff\U0001f600", max_size=5),
    st.text(max_size=12),
)
byteas = st.one_of(
    st.lists(st.sampled_from([0x00, 0x01, 0x61, 0xFE, 0xFF]), max_size=5).map(bytes),
    st.binary(max_size=12),
)

dates = st.one_of(
    st.sampled_from([datetime.date.min, datetime.date.max, datetime.date(2000, 1, 1)]),
    st.dates(),
)
times = st.times()
timestamps = st.one_of(
    st.sampled_from([datetime.datetime.min, datetime.datetime.max, datetime.datetime(2000, 1, 1)]),
    st.datetimes(),
)
_offsets = st.builds(
    datetime.timezone,
    st.timedeltas(
        min_value=datetime.timedelta(hours=-23, minutes=-59),
        max_value=datetime.timedelta(hours=23, minutes=59),
    ),
)
timestamptzs = st.datetimes(
    min_value=datetime.datetime(1, 1, 2),
    max_value=datetime.datetime(9999, 12, 30),
    timezones=_offsets,
)
uuids = st.one_of(st.uuids(), st.integers(0, 3).map(lambda n: uuid.UUID(int=n << 120 | n)))

COLUMN_TYPES: dict[str, st.SearchStrategy[Any]] = {
    "bool": st.booleans(),
    "int": ints,
    "numeric": decimals,
    "float8": floats,
    "text": texts,
    "bytea": byteas,
    "date": dates,
    "time": times,
    "timestamp": timestamps,
    "timestamptz": timestamptzs,
    "uuid": uuids,
}


def column_values(type_name: str, descending: bool) -> st.SearchStrategy[Any]:
    values = st.one_of(st.none(), COLUMN_TYPES[type_name])
    return values.map(Descending) if descending else values


# A column is a type and a direction; a schema is (table_id, index_id) then 1–4 columns.
schemas = st.lists(st.tuples(st.sampled_from(sorted(COLUMN_TYPES)), st.booleans()), max_size=4)


def rows_of(schema: Sequence[tuple[str, bool]]) -> st.SearchStrategy[tuple[Any, ...]]:
    return st.tuples(
        st.sampled_from([1001, 1002]),
        st.integers(0, 1),
        *[column_values(type_name, descending) for type_name, descending in schema],
    )


# -- order and round trip, one column type at a time ---------------------------------------


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("type_name", sorted(COLUMN_TYPES))
@settings(max_examples=40)
@given(data=st.data())
def test_one_column_orders_like_sql(type_name: str, descending: bool, data: st.DataObject) -> None:
    values = data.draw(st.lists(column_values(type_name, descending), min_size=2, max_size=8))
    rows = [(value,) for value in values]
    assert_same_order(rows)
    for row in rows:
        assert_round_trip(row)


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        (False, True),
        (-1, 0),
        (255, 256),
        (INT64_MIN, INT64_MIN + 1),
        (INT64_MAX - 1, INT64_MAX),
        (Decimal("-Infinity"), Decimal("-1E+999999999999999999")),
        (Decimal("-1E-1999999999999999997"), Decimal(0)),
        (Decimal(0), Decimal("1E-1999999999999999997")),
        (Decimal("0.12"), Decimal("0.123")),
        (Decimal("-0.123"), Decimal("-0.12")),
        (Decimal("99"), Decimal("100")),
        (Decimal("1E+999999999999999999"), Decimal("Infinity")),
        (Decimal("Infinity"), Decimal("NaN")),
        (float("-inf"), -1.0),
        (-5e-324, 0.0),
        (1.0, float("inf")),
        (float("inf"), float("nan")),
        ("", "\x00"),
        ("a", "a\x00"),
        ("a\x00", "a\x01"),
        ("a\x00b", "ab"),
        ("\uffff", "\U0001f600"),
        (b"", b"\x00"),
        (b"\x00", b"\x00\x00"),
        (b"\xfe", b"\xff"),
        (datetime.date(1999, 12, 31), datetime.date(2000, 1, 1)),
        (datetime.time(0, 0), datetime.time(0, 0, 0, 1)),
        (datetime.datetime(1999, 12, 31, 23, 59, 59, 999999), datetime.datetime(2000, 1, 1)),
        (
            datetime.datetime(
                2024, 1, 1, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=5))
            ),
            datetime.datetime(2024, 1, 1, 8, tzinfo=datetime.UTC),
        ),
        (uuid.UUID(int=1), uuid.UUID(int=1 << 127)),
        (123, None),
        ("zzz", None),
        (Decimal("NaN"), None),
        (Descending(None), Descending(INT64_MAX)),
        (Descending(2), Descending(1)),
        (Descending("ab"), Descending("a")),
        (Descending("a\x00"), Descending("a")),
        (Descending(Decimal("0.123")), Descending(Decimal("0.12"))),
    ],
)
def test_known_pairs(smaller: object, larger: object) -> None:
    assert sql_compare(smaller, larger) == -1  # the reference agrees with the table
    for tail in [(), (None,), (INT64_MIN,), (Descending(None),)]:
        small_key, large_key = encode_key((smaller, *tail)), encode_key((larger, *tail))
        assert small_key < large_key, f"\n  {describe(small_key)}\n  {describe(large_key)}"
    assert_round_trip((smaller, larger))


# -- composite keys, prefixes and ranges ---------------------------------------------------


@settings(max_examples=120)
@given(data=st.data())
def test_composite_keys_order_lexicographically(data: st.DataObject) -> None:
    schema = data.draw(schemas)
    rows = data.draw(st.lists(rows_of(schema), min_size=1, max_size=6))
    cuts = data.draw(st.lists(st.integers(0, len(schema) + 2), min_size=len(rows)))
    prefixes = [row[:cut] for row, cut in zip(rows, cuts, strict=False)]
    assert_same_order(rows + prefixes)
    for row in rows:
        assert_round_trip(row)
        assert encode_key(row) == b"".join(encode_element(value) for value in row)
        assert encode_key(list(row)) == encode_key(row)


@settings(max_examples=120)
@given(data=st.data())
def test_prefix_range_holds_exactly_the_extensions(data: st.DataObject) -> None:
    schema = data.draw(schemas)
    rows = data.draw(st.lists(rows_of(schema), min_size=1, max_size=6))
    cuts = data.draw(st.lists(st.integers(0, len(schema) + 2), min_size=len(rows)))
    prefixes = [row[:cut] for row, cut in zip(rows, cuts, strict=False)]
    for prefix in prefixes:
        low = encode_key(prefix)
        high = prefix_end(low)
        for row in rows + prefixes:
            extends = (
                len(row) >= len(prefix) and sql_compare_tuples(row[: len(prefix)], prefix) == 0
            )
            key = encode_key(row)
            assert (low <= key < high) == extends, (
                f"range of {describe(low)}\n  key {describe(key)}"
            )


def test_prefix_end_separates_tables_and_indexes() -> None:
    table = encode_key((1001,))
    index = encode_key((1001, 0))
    inside = [(1001,), (1001, 0), (1001, 0, None), (1001, 0, "\U0010ffff" * 3), (1001, 1)]
    outside = [(), (1000, 0, None), (1002,), (1002, 0, INT64_MIN)]
    for row in inside:
        assert table <= encode_key(row) < prefix_end(table)
    for row in outside:
        assert not table <= encode_key(row) < prefix_end(table)
    assert not index <= encode_key((1001, 1)) < prefix_end(index)
    assert prefix_end(b"") == b"\xff"


@settings(max_examples=200)
@given(value=st.one_of(*[column_values(name, d) for name in COLUMN_TYPES for d in (False, True)]))
def test_no_element_starts_with_0xff_or_0x00(value: object) -> None:
    element = encode_element(value)
    assert 0x00 < element[0] < 0xFF
    back, end = decode_element(b"\x15\x01" + element + b"\x14", 2)
    assert end == 2 + len(element)
    assert sql_compare(back, value) == 0


# -- normalization -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["1", "1.0", "1.00", "0.1E1", "100E-2"],
        ["100", "1E+2", "100.000", "0.001E+5"],
        ["0", "-0", "0.000", "0E+10", "-0E-7"],
        ["-12.5", "-12.50", "-1.25E1"],
        ["NaN", "-NaN", "sNaN", "NaN123", "-sNaN4"],
        ["Infinity", "+Inf"],
    ],
)
def test_equal_numerics_encode_alike(spellings: list[str]) -> None:
    keys = {encode_key((Decimal(text),)) for text in spellings}
    assert len(keys) == 1, [describe(key) for key in keys]


@settings(max_examples=200)
@given(value=finite_decimals, trailing_zeros=st.integers(1, 5))
def test_numeric_scale_does_not_change_the_key(value: Decimal, trailing_zeros: int) -> None:
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    rescaled = Decimal((sign, (*digits, *(0,) * trailing_zeros), exponent - trailing_zeros))
    assert rescaled == value
    assert encode_element(rescaled) == encode_element(value)
    (decoded,) = decode_key(encode_element(value))
    assert isinstance(decoded, Decimal)
    assert decoded == value
    assert decoded.as_tuple() == value.normalize(_wide_context()).as_tuple() or not value


def _wide_context() -> decimal.Context:
    return decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


def test_floats_normalize_zero_and_nan() -> None:
    assert encode_element(-0.0) == encode_element(0.0)
    nans = [
        float("nan"),
        -float("nan"),
        struct.unpack(">d", b"\x7f\xf0\x00\x00\x00\x00\x00\x01")[0],
    ]
    assert len({encode_element(nan) for nan in nans}) == 1
    (back,) = decode_key(encode_element(-0.0))
    assert struct.pack(">d", back) == struct.pack(">d", 0.0)


def test_numeric_worked_example_in_the_docstring() -> None:
    assert encode_element(Decimal("123.45")).hex(" ") == "23 15 03 0d 23 33 00"
    assert encode_element(Decimal("-123.45")).hex(" ") == "21 ea fc f2 dc cc ff"
    assert encode_element(Decimal("123.4")).hex(" ") == "23 15 03 0d 23 00"
    assert encode_key((1001, 0, 42)).hex(" ") == "16 03 e9 14 15 2a"


def test_timestamptz_decodes_to_utc_and_timestamp_stays_naive() -> None:
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    aware = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=plus_two)
    naive = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)
    aware_back, naive_back = decode_key(encode_key((aware, naive)))
    assert aware_back == aware
    assert isinstance(aware_back, datetime.datetime)
    assert aware_back.tzinfo is datetime.UTC
    assert naive_back == naive
    assert isinstance(naive_back, datetime.datetime)
    assert naive_back.tzinfo is None
    assert encode_element(aware) != encode_element(aware.replace(tzinfo=None))


def test_subclasses_encode_as_their_base_type() -> None:
    class Color(enum.IntEnum):
        RED = 7

    class Name(str):
        pass

    assert encode_key((Color.RED, Name("x"))) == encode_key((7, "x"))
    assert encode_key((bytearray(b"ab"), memoryview(b"ab"))) == encode_key((b"ab", b"ab"))
    assert encode_element(True) != encode_element(1)


# -- what is refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        INT64_MAX + 1,
        INT64_MIN - 1,
        2**100,
        object(),
        1j,
        [1],
        (1,),
        "\ud800",  # a lone surrogate has no UTF-8 form
        datetime.time(12, tzinfo=datetime.UTC),
        datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
        datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.timezone(datetime.timedelta(hours=-2))),
        datetime.timedelta(1),
    ],
    ids=repr,
)
def test_unsupported_values_are_refused(value: object) -> None:
    with pytest.raises(KeyEncodingError):
        encode_key((1001, value))
    with pytest.raises(KeyEncodingError):
        encode_element(Descending(value))


def test_nested_descending_is_refused() -> None:
    with pytest.raises(KeyEncodingError):
        Descending(Descending(1))


@pytest.mark.parametrize(
    "data",
    [
        b"\x00",  # no element starts with 0x00 …
        b"\xff",  # … or 0xFF
        b"\x01",  # an unused code
        b"\x99",  # an unused code, flipped
        b"\x16\x01",  # int truncated
        b"\x15\x00",  # int with a leading zero byte
        b"\x13\xff",  # negative int with a leading 0xFF byte
        b"\x1c\x80\x00\x00\x00\x00\x00\x00\x00",  # 2**63
        b"\x0c\x7f\xff\xff\xff\xff\xff\xff\xfe",  # -(2**63) - 1
        b"\x30abc",  # text without a terminator
        b"\x30abc\x00",  # text cut inside the terminator
        b"\x30a\x00\x02",  # a bad escape
        b"\x30\xc3\x28\x00\x01",  # not UTF-8
        b"\x30\xed\xa0\x80\x00\x01",  # an encoded surrogate
        b"\x31\x00\x00\x01",
        b"\x28\x80\x00\x00",  # float truncated
        b"\x28\x7f\xff\xff\xff\xff\xff\xff\xff",  # -0.0
        b"\x28\xff\xf0\x00\x00\x00\x00\x00\x01",  # a NaN that is not the canonical one
        b"\x23",  # numeric truncated
        b"\x23\x15\x03",  # numeric without digits
        b"\x23\x15\x03\x00",  # numeric with no digit byte
        b"\x23\x15\x03\x0d",  # numeric without a terminator
        b"\x23\x15\x03\x66\x00",  # a digit byte above 100
        b"\x23\x15\x03\x01\x0d\x00",  # a leading zero digit
        b"\x23\x15\x03\x0d\x01\x00",  # a trailing zero digit pair
        b"\x23\x05\x0d\x00",  # an exponent that is not an int
        b"\x23\x1c\x7f\xff\xff\xff\xff\xff\xff\xff\x0d\x00",  # beyond Decimal's exponents
        b"\x38\x00\x00\x00\x00",  # a date before year 1
        b"\x38\xff\xff\xff\xff",  # a date after year 9999
        b"\x39\x00\x00\x00\x14\x1d\xd7\x60\x00",  # 24:00:00
        b"\x3a\xff\xff\xff\xff\xff\xff\xff\xff",  # a timestamp beyond year 9999
        b"\x3b\x00\x00\x00\x00\x00\x00\x00\x00",
        b"\x40" + bytes(15),  # uuid truncated
        b"\x15\x01\x7f\x80\xff",  # a valid key and then 0xFF (a prefix_end)
        b"\xe9\xfe",  # Descending(int) truncated
        b"\xcf\x9e\xff",  # Descending(text) without its flipped terminator
    ],
    ids=lambda data: data.hex(),
)
def test_malformed_keys_are_refused(data: bytes) -> None:
    with pytest.raises(KeyEncodingError):
        decode_key(data)
    assert isinstance(format_key(data), str)


def _decode_or_none(data: bytes) -> tuple[object, ...] | None:
    try:
        return decode_key(data)
    except KeyEncodingError:
        return None


@settings(max_examples=300)
@given(data=st.binary(max_size=40))
def test_decoding_arbitrary_bytes_fails_cleanly_or_is_canonical(data: bytes) -> None:
    decoded = _decode_or_none(data)
    if decoded is not None:
        assert encode_key(decoded) == data  # one encoding per key value
    assert isinstance(format_key(data), str)


@settings(max_examples=150)
@given(
    data=st.data(),
    mutation=st.sampled_from(["truncate", "replace", "insert", "delete"]),
)
def test_decoding_damaged_keys_fails_cleanly_or_is_canonical(
    data: st.DataObject, mutation: str
) -> None:
    row = data.draw(rows_of(data.draw(schemas)))
    key = bytearray(encode_key(row))
    position = data.draw(st.integers(0, len(key) - 1))
    if mutation == "truncate":
        del key[position + 1 :]
    elif mutation == "replace":
        key[position] = data.draw(st.integers(0, 255))
    elif mutation == "insert":
        key.insert(position, data.draw(st.integers(0, 255)))
    else:
        del key[position]
    damaged = bytes(key)
    decoded = _decode_or_none(damaged)
    if decoded is not None:
        assert encode_key(decoded) == damaged
    assert isinstance(format_key(damaged), str)


# -- rendering ---------------------------------------------------------------------------


def test_format_key_renders_sql_literals() -> None:
    key = encode_key(
        (
            1001,
            0,
            42,
            "abc",
            None,
            True,
            Decimal("1.50"),
            Descending(-2.5),
            b"\x00\xff",
            datetime.date(2024, 2, 29),
            uuid.UUID(int=0),
        )
    )
    assert format_key(key) == (
        "(1001, 0, 42, 'abc', NULL, true, 1.5::numeric, -2.5::float8 DESC, '\\x00ff'::bytea,"
        " '2024-02-29'::date, '00000000-0000-0000-0000-000000000000'::uuid)"
    )
    assert format_key(prefix_end(encode_key((1001, 0)))) == "(1001, 0) + x'ff'"
    assert format_key(prefix_end(encode_key((1001, "a")))) == "(1001, 'a') + x'ff'"
    assert format_key(b"") == "()"
    assert format_key(b"\x30ab") == "() + x'306162'"
    assert format_key(encode_key((float("nan"), Decimal("-Infinity")))) == (
        "('NaN'::float8, '-Infinity'::numeric)"
    )


@settings(max_examples=200)
@given(data=st.binary(max_size=64))
def test_format_key_never_raises(data: bytes) -> None:
    rendered = format_key(data)
    assert rendered.startswith("(")
    if _decode_or_none(data) is None and data:
        assert "x'" in rendered
