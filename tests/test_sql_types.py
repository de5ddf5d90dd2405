"""SQL types: every expected value here was produced by PostgreSQL 15.

The tables were filled by running the same literal or cast through ``psql`` on a
PostgreSQL 15 server (``select 'lit'::type::text``, ``numeric_send(...)``, ``ORDER BY``
over a VALUES list…) and pasting its answer, error SQLSTATE and message included. The
tests themselves need no server. Hypothesis adds round trips (binary and text) for every
type and order properties for ``sort_key``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import struct
import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.interval import Interval, format_interval, parse_interval
from tidesql.sql.types import (
    DEFAULT_SETTINGS,
    JSON_NULL,
    FormatSettings,
    SqlType,
    array_of,
    can_coerce,
    cast_value,
    common_type,
    decode_binary,
    encode_binary,
    format_type,
    format_value,
    parse_value,
    sort_key,
    type_from_name,
    values_equal,
)

UTC = dt.UTC
NEW_YORK = FormatSettings(timezone="America/New_York")

_SPEC = re.compile(r'([a-z0-9 "]+?)(?:\((-?\d+)(?:,(-?\d+))?\))?(\[\])?$')


def sql_type(spec: str) -> SqlType:
    """'varchar(3)', 'numeric(5,2)', 'int[]', '"char"' -> SqlType (pg_query style)."""
    match = _SPEC.match(spec)
    assert match, spec
    name, first, second, array = match.groups()
    typmods = [] if first is None else [int(first)] + ([int(second)] if second else [])
    names = [name.strip()]
    if names[0] in ("char", "character"):
        # pg_query turns SQL's char/character into pg_catalog.bpchar(1).
        names = ["pg_catalog", "bpchar"]
        typmods = typmods or [1]
    return type_from_name(names, typmods, 1 if array else 0)


def text_of(text: str, spec: str, config: FormatSettings = DEFAULT_SETTINGS) -> str:
    """PostgreSQL's ``'text'::type`` as psql shows it: input, then output."""
    target = sql_type(spec)
    return format_value(cast_value(text, T.UNKNOWN, target, config), target, config)


def error_of(function: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(TideError) as caught:
        function(*args, **kwargs)
    return caught.value.sqlstate, caught.value.message


# -- type identity ------------------------------------------------------------------------


def test_type_constants_carry_postgres_catalog_values() -> None:
    # (oid, typlen, typcategory, typarray) from pg_type.
    expected = {
        T.BOOL: (16, 1, "B", 1000),
        T.BYTEA: (17, -1, "U", 1001),
        T.CHAR: (18, 1, "Z", 1002),
        T.NAME: (19, 64, "S", 1003),
        T.INT8: (20, 8, "N", 1016),
        T.INT2: (21, 2, "N", 1005),
        T.INT2VECTOR: (22, -1, "A", 1006),
        T.INT4: (23, 4, "N", 1007),
        T.REGPROC: (24, 4, "N", 1008),
        T.TEXT: (25, -1, "S", 1009),
        T.OID: (26, 4, "N", 1028),
        T.OIDVECTOR: (30, -1, "A", 1013),
        T.JSON: (114, -1, "U", 199),
        T.FLOAT4: (700, 4, "N", 1021),
        T.FLOAT8: (701, 8, "N", 1022),
        T.UNKNOWN: (705, -2, "X", 0),
        T.BPCHAR: (1042, -1, "S", 1014),
        T.VARCHAR: (1043, -1, "S", 1015),
        T.DATE: (1082, 4, "D", 1182),
        T.TIME: (1083, 8, "D", 1183),
        T.TIMESTAMP: (1114, 8, "D", 1115),
        T.TIMESTAMPTZ: (1184, 8, "D", 1185),
        T.INTERVAL: (1186, 16, "T", 1187),
        T.NUMERIC: (1700, -1, "N", 1231),
        T.REGCLASS: (2205, 4, "N", 2210),
        T.REGTYPE: (2206, 4, "N", 2211),
        T.RECORD: (2249, -1, "P", 2287),
        T.VOID: (2278, 4, "P", 0),
        T.UUID: (2950, 16, "U", 2951),
        T.JSONB: (3802, -1, "U", 3807),
    }
    for sql, (oid, typlen, category, array_oid) in expected.items():
        assert (sql.oid, sql.typlen, sql.category, sql.array_oid) == (
            oid,
            typlen,
            category,
            array_oid,
        )
        assert T.type_by_oid(oid) is sql
        if array_oid:
            array = array_of(sql)
            assert (array.oid, array.category, array.element) == (array_oid, "A", sql)
            assert T.ALL_TYPES[array_oid] == array
    assert T.TEXT_ARRAY.name == "text[]" and T.INT4_ARRAY.oid == 1007
    assert error_of(T.type_by_oid, 424242) == ("42704", "type with OID 424242 does not exist")
    assert error_of(array_of, T.UNKNOWN) == (
        "42704",
        "could not find array type for data type unknown",
    )
    assert array_of(T.INT4_ARRAY) is T.INT4_ARRAY


# (names, typmods, array bounds) -> format_type(), as format_type(oid, typmod) prints it.
TYPE_NAMES = [
    (["pg_catalog", "int4"], [], 0, "integer"),
    (["int4"], [], 0, "integer"),
    (["varchar"], [10], 0, "character varying(10)"),
    (["pg_catalog", "varchar"], [], 0, "character varying"),
    (["pg_catalog", "numeric"], [10, 2], 0, "numeric(10,2)"),
    (["pg_catalog", "numeric"], [10], 0, "numeric(10,0)"),
    (["numeric"], [10, -2], 0, "numeric(10,-2)"),
    (["timestamptz"], [], 0, "timestamp with time zone"),
    (["pg_catalog", "timestamp"], [], 0, "timestamp without time zone"),
    (["pg_catalog", "timestamp"], [3], 0, "timestamp(3) without time zone"),
    (["timestamptz"], [0], 0, "timestamp(0) with time zone"),
    (["time"], [2], 0, "time(2) without time zone"),
    (["text"], [], 0, "text"),
    (["bool"], [], 0, "boolean"),
    (["pg_catalog", "float8"], [], 0, "double precision"),
    (["uuid"], [], 0, "uuid"),
    (["jsonb"], [], 0, "jsonb"),
    (["json"], [], 0, "json"),
    (["pg_catalog", "bpchar"], [5], 0, "character(5)"),
    (["bpchar"], [], 0, "bpchar"),
    (["pg_catalog", "interval"], [], 0, "interval"),
    (["pg_catalog", "interval"], [32767, 3], 0, "interval(3)"),
    (["pg_catalog", "interval"], [7176, 3], 0, "interval day to second(3)"),
    (["pg_catalog", "interval"], [4], 0, "interval year"),
    (["pg_catalog", "interval"], [6], 0, "interval year to month"),
    (["bytea"], [], 0, "bytea"),
    (["integer"], [], 0, "integer"),
    (["int"], [], 0, "integer"),
    (["bigint"], [], 0, "bigint"),
    (["smallint"], [], 0, "smallint"),
    (["boolean"], [], 0, "boolean"),
    (["double precision"], [], 0, "double precision"),
    (["real"], [], 0, "real"),
    (["character varying"], [], 0, "character varying"),
    (["decimal"], [5, 1], 0, "numeric(5,1)"),
    (["timestamp with time zone"], [], 0, "timestamp with time zone"),
    (["regclass"], [], 0, "regclass"),
    (["regtype"], [], 0, "regtype"),
    (["oid"], [], 0, "oid"),
    (["name"], [], 0, "name"),
    (["char"], [], 0, '"char"'),
    (["pg_catalog", "bpchar"], [1], 0, "character(1)"),
    (['"char"'], [], 0, '"char"'),
    (["pg_catalog", "char"], [], 0, '"char"'),
    (["pg_catalog", "int4"], [], 1, "integer[]"),
    (["pg_catalog", "int4"], [], 2, "integer[]"),
    (["pg_catalog", "varchar"], [10], 1, "character varying(10)[]"),
    (["_int4"], [], 0, "integer[]"),
    (["pg_catalog", "bpchar"], [5], 1, "character(5)[]"),
]


@pytest.mark.parametrize(("names", "typmods", "bounds", "expected"), TYPE_NAMES)
def test_type_from_name_and_format_type(
    names: list[str], typmods: list[int], bounds: int, expected: str
) -> None:
    assert format_type(type_from_name(names, typmods, bounds)) == expected


def test_type_modifiers_are_stored_the_postgres_way() -> None:
    assert type_from_name(["varchar"], [10]).modifier == 14
    assert type_from_name(["numeric"], [10, 2]).modifier == (10 << 16 | 2) + 4
    assert type_from_name(["pg_catalog", "interval"], [32767, 2]).modifier == 2147418114
    assert type_from_name(["pg_catalog", "interval"], [6]).modifier == 458751
    assert type_from_name(["pg_catalog", "interval"], [7176, 3]).modifier == 470286339
    assert type_from_name(["timestamp"], [3]).modifier == 3


@pytest.mark.parametrize(
    ("names", "typmods", "sqlstate", "message"),
    [
        (["serial"], [], "42704", 'type "serial" does not exist'),
        (["nosuch"], [], "42704", 'type "nosuch" does not exist'),
        (["public", "foo"], [], "42704", 'type "public.foo" does not exist'),
        (["int4"], [3], "42601", 'type modifier is not allowed for type "integer"'),
        (["varchar"], [0], "22023", "length for type varchar must be at least 1"),
        (["numeric"], [1001], "22023", "NUMERIC precision 1001 must be between 1 and 1000"),
        (["numeric"], [5, 1001], "22023", "NUMERIC scale 1001 must be between -1000 and 1000"),
        (["pg_catalog", "interval"], [3], "22023", "invalid INTERVAL type modifier"),
    ],
)
def test_type_from_name_errors(
    names: list[str], typmods: list[int], sqlstate: str, message: str
) -> None:
    assert error_of(type_from_name, names, typmods) == (sqlstate, message)


def test_type_predicates() -> None:
    assert all(T.is_numeric(t) for t in (T.INT2, T.INT4, T.INT8, T.FLOAT4, T.FLOAT8, T.NUMERIC))
    assert not T.is_numeric(T.OID) and not T.is_numeric(T.TEXT)
    assert all(T.is_string(t) for t in (T.TEXT, T.VARCHAR, T.BPCHAR, T.NAME))
    assert not T.is_string(T.CHAR) and not T.is_string(T.JSON)
    assert all(T.is_datetime(t) for t in (T.DATE, T.TIME, T.TIMESTAMP, T.TIMESTAMPTZ, T.INTERVAL))
    assert not T.is_datetime(T.INT4)
    assert T.is_array(T.INT4_ARRAY) and not T.is_array(T.INT2VECTOR)


# -- text output --------------------------------------------------------------------------

TEXT_OUTPUT = [
    (True, T.BOOL, "t"),
    (False, T.BOOL, "f"),
    (-32768, T.INT2, "-32768"),
    (2147483647, T.INT4, "2147483647"),
    (-9223372036854775808, T.INT8, "-9223372036854775808"),
    (4294967295, T.OID, "4294967295"),
    (0.1, T.FLOAT8, "0.1"),
    (1e20, T.FLOAT8, "1e+20"),
    (1e15, T.FLOAT8, "1e+15"),
    (1e14, T.FLOAT8, "100000000000000"),
    (123456789012345678.0, T.FLOAT8, "1.2345678901234568e+17"),
    (1234567890123456.7, T.FLOAT8, "1.2345678901234568e+15"),
    (123456789012345.6, T.FLOAT8, "123456789012345.6"),
    (0.0001, T.FLOAT8, "0.0001"),
    (0.00001, T.FLOAT8, "1e-05"),
    (1.5e-7, T.FLOAT8, "1.5e-07"),
    (-0.0, T.FLOAT8, "-0"),
    (100.0, T.FLOAT8, "100"),
    (5e-324, T.FLOAT8, "5e-324"),
    (1.7976931348623157e308, T.FLOAT8, "1.7976931348623157e+308"),
    (math.nan, T.FLOAT8, "NaN"),
    (math.inf, T.FLOAT8, "Infinity"),
    (-math.inf, T.FLOAT8, "-Infinity"),
    (parse_value("0.1", T.FLOAT4), T.FLOAT4, "0.1"),
    (parse_value("1.23456789", T.FLOAT4), T.FLOAT4, "1.2345679"),
    (parse_value("1234567", T.FLOAT4), T.FLOAT4, "1.234567e+06"),
    (parse_value("123456.7", T.FLOAT4), T.FLOAT4, "123456.7"),
    (parse_value("33554432", T.FLOAT4), T.FLOAT4, "3.3554432e+07"),
    (parse_value("3.4028235e38", T.FLOAT4), T.FLOAT4, "3.4028235e+38"),
    (parse_value("1e-45", T.FLOAT4), T.FLOAT4, "1e-45"),
    (1e6, T.FLOAT4, "1e+06"),
    (-0.0, T.FLOAT4, "-0"),
    (math.nan, T.FLOAT4, "NaN"),
    (Decimal("1.50"), T.NUMERIC, "1.50"),
    (Decimal("-0.00"), T.NUMERIC, "0.00"),
    (Decimal("1E-7"), T.NUMERIC, "0.0000001"),
    (Decimal("1E+3"), T.NUMERIC, "1000"),
    (Decimal("NaN"), T.NUMERIC, "NaN"),
    (Decimal("-Infinity"), T.NUMERIC, "-Infinity"),
    (
        Decimal("123456789012345678901234567890.123"),
        T.NUMERIC,
        "123456789012345678901234567890.123",
    ),
    (42, T.NUMERIC, "42"),
    ("héllo", T.TEXT, "héllo"),
    ("ab ", sql_type("char(3)"), "ab "),
    ("a", T.CHAR, "a"),
    ("", T.CHAR, ""),
    ("\x80", T.CHAR, "\\200"),
    (b"\x00\x01\\\x7f\x80\xffA", T.BYTEA, "\\x00015c7f80ff41"),
    (b"", T.BYTEA, "\\x"),
    (dt.date(2024, 1, 31), T.DATE, "2024-01-31"),
    (dt.date(99, 1, 1), T.DATE, "0099-01-01"),
    (dt.time(12, 34, 56, 500000), T.TIME, "12:34:56.5"),
    (dt.time(0, 0), T.TIME, "00:00:00"),
    (dt.datetime(2024, 1, 31, 12, 34, 56, 789000), T.TIMESTAMP, "2024-01-31 12:34:56.789"),
    (dt.datetime(2024, 1, 31), T.TIMESTAMP, "2024-01-31 00:00:00"),
    (dt.datetime(2024, 1, 31, 12, 34, 56, tzinfo=UTC), T.TIMESTAMPTZ, "2024-01-31 12:34:56+00"),
    (Interval(14, 3, 14706500000), T.INTERVAL, "1 year 2 mons 3 days 04:05:06.5"),
    (Interval(0, -1, 0), T.INTERVAL, "-1 days"),
    (Interval(), T.INTERVAL, "00:00:00"),
    (
        uuid.UUID("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
        T.UUID,
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    ),
    ('{"b":1,  "a":2}', T.JSON, '{"b":1,  "a":2}'),
    (
        {"b": 1, "a": [1, Decimal("2.50"), "x"], "aa": None},
        T.JSONB,
        '{"a": [1, 2.50, "x"], "b": 1, "aa": null}',
    ),
    ({"é": 1, "z": 2, "zz": 3, "b": 4}, T.JSONB, '{"b": 4, "z": 2, "zz": 3, "é": 1}'),
    ('a\u00e9\n\t\x01"\\/', T.JSONB, '"aé\\n\\t\\u0001\\"\\\\/"'),
    (JSON_NULL, T.JSONB, "null"),
    ([], T.JSONB, "[]"),
    ([1, 2, None], T.INT4_ARRAY, "{1,2,NULL}"),
    (
        ["a b", 'c"d', "", "NULL", None, "x,y", "{}", "a\\b", " s "],
        T.TEXT_ARRAY,
        '{"a b","c\\"d","","NULL",NULL,"x,y","{}","a\\\\b"," s "}',
    ),
    ([], T.INT4_ARRAY, "{}"),
    ([[1, 2], [3, 4]], T.INT4_ARRAY, "{{1,2},{3,4}}"),
    ([b"\x01"], T.BYTEA_ARRAY, '{"\\\\x01"}'),
    ([1.5, math.nan], T.FLOAT8_ARRAY, "{1.5,NaN}"),
    ([dt.datetime(2024, 1, 31, 10)], T.TIMESTAMP_ARRAY, '{"2024-01-31 10:00:00"}'),
    ([Interval(0, 1, 0)], T.INTERVAL_ARRAY, '{"1 day"}'),
    (["é", "a\tb", "null", "nul"], T.TEXT_ARRAY, '{é,"a\tb","null",nul}'),
    ([1, 2], T.INT2VECTOR, "1 2"),
    (23, T.REGTYPE, "integer"),
    (1043, T.REGTYPE, "character varying"),
    (99999, T.REGTYPE, "99999"),
    (1259, T.REGCLASS, "1259"),
    (None, T.VOID, ""),
]


@pytest.mark.parametrize(("value", "sql", "expected"), TEXT_OUTPUT)
def test_text_output(value: Any, sql: SqlType, expected: str) -> None:
    assert format_value(value, sql) == expected
    assert T.text_formatter(sql)(value) == expected


def test_text_formatter_is_str_for_integers() -> None:
    assert T.text_formatter(T.INT4) is str
    assert T.text_formatter(T.TEXT)("x") == "x"


@pytest.mark.parametrize(
    ("value", "expected_by_digits"),
    [
        (0.1, {0: "0.1", -15: "0.1", 3: "0.1"}),
        (1e20, {0: "1e+20", -15: "1e+20"}),
        (1234.0, {-15: "1e+03"}),
        (123456789012345678.0, {0: "1.23456789012346e+17"}),
        (1.2345678901234568, {0: "1.23456789012346"}),
        (9.99999999999997e-311, {0: "9.99999999999997e-311"}),
    ],
)
def test_float8_output_with_extra_float_digits(
    value: float, expected_by_digits: dict[int, str]
) -> None:
    for digits, expected in expected_by_digits.items():
        assert format_value(value, T.FLOAT8, FormatSettings(extra_float_digits=digits)) == expected


def test_float4_output_with_extra_float_digits_zero() -> None:
    config = FormatSettings(extra_float_digits=0)
    assert (
        format_value(parse_value("123456789012345678", T.FLOAT4), T.FLOAT4, config) == "1.23457e+17"
    )
    assert format_value(parse_value("1.23456789012345678", T.FLOAT4), T.FLOAT4, config) == "1.23457"


def test_bytea_escape_output() -> None:
    config = FormatSettings(bytea_output="escape")
    assert (
        format_value(b"\x00\x01\\\x7f\x80\xffA", T.BYTEA, config)
        == "\\000\\001\\\\\\177\\200\\377A"
    )
    assert format_value(b"", T.BYTEA, config) == ""


# DateStyle (with TimeZone America/New_York) -> date, timestamp, two timestamptz.
DATE_STYLES = {
    "ISO, MDY": (
        "2024-01-31",
        "2024-01-31 12:34:56.789",
        "2024-01-31 07:34:56.789-05",
        "2024-07-31 08:34:56-04",
    ),
    "SQL, MDY": (
        "01/31/2024",
        "01/31/2024 12:34:56.789",
        "01/31/2024 07:34:56.789 EST",
        "07/31/2024 08:34:56 EDT",
    ),
    "SQL, DMY": (
        "31/01/2024",
        "31/01/2024 12:34:56.789",
        "31/01/2024 07:34:56.789 EST",
        "31/07/2024 08:34:56 EDT",
    ),
    "Postgres, MDY": (
        "01-31-2024",
        "Wed Jan 31 12:34:56.789 2024",
        "Wed Jan 31 07:34:56.789 2024 EST",
        "Wed Jul 31 08:34:56 2024 EDT",
    ),
    "Postgres, DMY": (
        "31-01-2024",
        "Wed 31 Jan 12:34:56.789 2024",
        "Wed 31 Jan 07:34:56.789 2024 EST",
        "Wed 31 Jul 08:34:56 2024 EDT",
    ),
    "German": (
        "31.01.2024",
        "31.01.2024 12:34:56.789",
        "31.01.2024 07:34:56.789 EST",
        "31.07.2024 08:34:56 EDT",
    ),
}


@pytest.mark.parametrize(("style", "expected"), DATE_STYLES.items())
def test_date_styles(style: str, expected: tuple[str, str, str, str]) -> None:
    config = FormatSettings(date_style=style, timezone="America/New_York")
    values = [
        (dt.date(2024, 1, 31), T.DATE),
        (dt.datetime(2024, 1, 31, 12, 34, 56, 789000), T.TIMESTAMP),
        (dt.datetime(2024, 1, 31, 12, 34, 56, 789000, tzinfo=UTC), T.TIMESTAMPTZ),
        (dt.datetime(2024, 7, 31, 12, 34, 56, tzinfo=UTC), T.TIMESTAMPTZ),
    ]
    assert tuple(format_value(v, t, config) for v, t in values) == expected


@pytest.mark.parametrize(
    ("style", "text", "expected"),
    [
        ("ISO, DMY", "1/2/2024", "2024-02-01"),
        ("ISO, DMY", "01/02/24", "2024-02-01"),
        ("ISO, YMD", "1/2/3", "2001-02-03"),
        ("ISO, YMD", "24/01/02", "2024-01-02"),
        ("SQL, DMY", "1/2/2024", "01/02/2024"),
    ],
)
def test_date_order_on_input(style: str, text: str, expected: str) -> None:
    assert text_of(text, "date", FormatSettings(date_style=style)) == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", "2024-07-01 12:00:00+00"),
        ("America/New_York", "2024-07-01 08:00:00-04"),
        ("Asia/Kolkata", "2024-07-01 17:30:00+05:30"),
        ("asia/kathmandu", "2024-07-01 17:45:00+05:45"),
        ("+02", "2024-07-01 14:00:00+02"),
        ("-03:30", "2024-07-01 15:30:00+03:30"),
        ("UTC+3", "2024-07-01 09:00:00-03"),
        ("Etc/GMT-3", "2024-07-01 15:00:00+03"),
    ],
)
def test_timestamptz_output_in_session_zone(zone: str, expected: str) -> None:
    value = dt.datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert format_value(value, T.TIMESTAMPTZ, FormatSettings(timezone=zone)) == expected


def test_timestamptz_output_with_seconds_offset() -> None:
    value = dt.datetime(1883, 1, 1, 12, tzinfo=UTC)
    assert format_value(value, T.TIMESTAMPTZ, NEW_YORK) == "1883-01-01 07:03:58-04:56:02"


def test_unknown_time_zone_setting() -> None:
    config = FormatSettings(timezone="Mars/Olympus")
    value = dt.datetime(2024, 1, 1, tzinfo=UTC)
    assert error_of(format_value, value, T.TIMESTAMPTZ, config) == (
        "22023",
        'invalid value for parameter "TimeZone": "Mars/Olympus"',
    )


# IntervalStyle -> outputs of six intervals.
INTERVAL_STYLES = {
    "postgres": [
        "1 year 2 mons 3 days 04:05:06.5",
        "-1 days",
        "00:00:00",
        "-1 years -2 mons +3 days -04:05:06",
        "1 day -00:00:01",
        "-00:00:00.5",
    ],
    "iso_8601": ["P1Y2M3DT4H5M6.5S", "P-1D", "PT0S", "P-1Y-2M3DT-4H-5M-6S", "P1DT-1S", "PT-0.5S"],
    "postgres_verbose": [
        "@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs",
        "@ 1 day ago",
        "@ 0",
        "@ 1 year 2 mons -3 days 4 hours 5 mins 6 secs ago",
        "@ 1 day -1 sec",
        "@ 0.5 secs ago",
    ],
    "sql_standard": [
        "+1-2 +3 +4:05:06.5",
        "-1 0:00:00",
        "0",
        "-1-2 +3 -4:05:06",
        "+0-0 +1 -0:00:01",
        "-0:00:00.5",
    ],
}
STYLE_INPUTS = [
    "1 year 2 mons 3 days 04:05:06.5",
    "-1 days",
    "0",
    "-1 year -2 mons +3 days -04:05:06",
    "1 day -00:00:01",
    "-00:00:00.5",
]


@pytest.mark.parametrize(("style", "expected"), INTERVAL_STYLES.items())
def test_interval_styles(style: str, expected: list[str]) -> None:
    config = FormatSettings(interval_style=style)
    assert [format_value(parse_interval(s), T.INTERVAL, config) for s in STYLE_INPUTS] == expected


def test_more_interval_styles() -> None:
    standard = [
        "1 year 2 mons",
        "3 days 04:05:06",
        "-1 year -2 mons",
        "-3 days -04:05:06",
        "1 year -1 day",
        "04:05",
    ]
    assert [format_interval(parse_interval(s), "sql_standard") for s in standard] == [
        "1-2",
        "3 4:05:06",
        "-1-2",
        "-3 4:05:06",
        "+1-0 -1 +0:00:00",
        "4:05:00",
    ]
    verbose = ["1 mon -1 day", "-1 day -2 hours", "1 min 1 sec"]
    assert [format_interval(parse_interval(s), "postgres_verbose") for s in verbose] == [
        "@ 1 mon -1 days",
        "@ 1 day 2 hours ago",
        "@ 1 min 1 sec",
    ]


# -- text input ---------------------------------------------------------------------------

# (literal, type) -> what PostgreSQL prints for 'literal'::type (TimeZone UTC).
TEXT_INPUT = [
    (" 12 ", "int4", "12"),
    ("+12", "int4", "12"),
    ("-0", "int4", "0"),
    ("\t12\n", "int4", "12"),
    ("-32768", "int2", "-32768"),
    ("  -9223372036854775808 ", "int8", "-9223372036854775808"),
    ("-1", "oid", "4294967295"),
    (" 12 ", "oid", "12"),
    ("4294967295", "oid", "4294967295"),
    ("t", "bool", "t"),
    ("true", "bool", "t"),
    ("yes", "bool", "t"),
    ("on", "bool", "t"),
    ("1", "bool", "t"),
    (" TRUE ", "bool", "t"),
    ("tr", "bool", "t"),
    ("y", "bool", "t"),
    ("ON", "bool", "t"),
    ("f", "bool", "f"),
    ("false", "bool", "f"),
    ("no", "bool", "f"),
    ("off", "bool", "f"),
    ("0", "bool", "f"),
    ("of", "bool", "f"),
    ("n", "bool", "f"),
    ("fals", "bool", "f"),
    ("0.1", "float8", "0.1"),
    (" 1.5 ", "float8", "1.5"),
    (".5", "float8", "0.5"),
    ("5.", "float8", "5"),
    ("1e+02", "float8", "100"),
    ("1.0e1", "float8", "10"),
    ("1e-310", "float8", "1e-310"),
    ("inf", "float8", "Infinity"),
    ("+inf", "float8", "Infinity"),
    ("  -Infinity", "float8", "-Infinity"),
    ("nan", "float8", "NaN"),
    ("-NaN", "float8", "NaN"),
    ("INF", "float8", "Infinity"),
    ("-0", "float8", "-0"),
    ("1.23456789", "float4", "1.2345679"),
    ("1e38", "float4", "1e+38"),
    ("1e-45", "float4", "1e-45"),
    ("1.50", "numeric", "1.50"),
    (" 1e3 ", "numeric", "1000"),
    ("1.5e-3", "numeric", "0.0015"),
    ("-0", "numeric", "0"),
    ("-0.00", "numeric", "0.00"),
    ("NaN", "numeric", "NaN"),
    ("nan", "numeric", "NaN"),
    ("Infinity", "numeric", "Infinity"),
    ("-inf", "numeric", "-Infinity"),
    ("+Infinity", "numeric", "Infinity"),
    ("1.0e2", "numeric", "100"),
    (".5", "numeric", "0.5"),
    ("5.", "numeric", "5"),
    ("+3", "numeric", "3"),
    ("1E+2", "numeric", "100"),
    ("0.000", "numeric", "0.000"),
    ("999.994", "numeric(5,2)", "999.99"),
    ("-2.5", "numeric(5,0)", "-3"),
    ("2.5", "numeric(5,0)", "3"),
    ("NaN", "numeric(5,2)", "NaN"),
    ("123", "numeric(2,-1)", "120"),
    ("1234.5678", "numeric(6,-2)", "1200"),
    ("0.001", "numeric(3,5)", "0.00100"),
    ("abc", "text", "abc"),
    ("ab  ", "varchar(2)", "ab"),
    ("a", "char(3)", "a  "),
    ("abc  ", "varchar(3)", "abc"),
    ("abc", '"char"', "a"),
    ("", '"char"', ""),
    ("é", '"char"', "\\303"),
    ("\\101", '"char"', "A"),
    ("x" * 70, "name", "x" * 63),
    ("abc", "bytea", "\\x616263"),
    ("\\x0aff", "bytea", "\\x0aff"),
    ("\\x 0a ff", "bytea", "\\x0aff"),
    ("a\\\\b\\101", "bytea", "\\x615c6241"),
    ("\\x", "bytea", "\\x"),
    ("é", "bytea", "\\xc3a9"),
    ("\\\\", "bytea", "\\x5c"),
    ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ("A0EEBC999C0B4EF8BB6D6BB9BD380A11", "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ("{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ("a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11", "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    ("a0eebc99-9c0b4ef8-bb6d-6bb9bd380a11", "uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    (
        '{"b":1, "a": [1, 2.50, "x"], "aa": null}',
        "json",
        '{"b":1, "a": [1, 2.50, "x"], "aa": null}',
    ),
    ('"\\u0000"', "json", '"\\u0000"'),
    (
        '{"b":1, "a": [1, 2.50, "x"], "aa": null, "a": true}',
        "jsonb",
        '{"a": true, "b": 1, "aa": null}',
    ),
    ("  [1,2]  ", "jsonb", "[1, 2]"),
    ('"a\\u00e9\\n\\t\\u0001\\"\\\\\\/"', "jsonb", '"aé\\n\\t\\u0001\\"\\\\/"'),
    ("1e2", "jsonb", "100"),
    ("-0", "jsonb", "0"),
    ("1.0e2", "jsonb", "100"),
    ("1E-2", "jsonb", "0.01"),
    ("{}", "jsonb", "{}"),
    ("[]", "jsonb", "[]"),
    ('"\\ud83d\\ude00"', "jsonb", '"😀"'),
    ("null", "jsonb", "null"),
    ("{1,2,NULL}", "int[]", "{1,2,NULL}"),
    ("{}", "int[]", "{}"),
    ("{{1,2},{3,4}}", "int[]", "{{1,2},{3,4}}"),
    ("{ 1 , 2 }", "int[]", "{1,2}"),
    ("{{{1}}}", "int[]", "{{{1}}}"),
    ("  {1}  ", "int[]", "{1}"),
    (
        '{"a b","c\\"d", "", "NULL", null, "x,y", "{}", "a\\\\b", " s "}',
        "text[]",
        '{"a b","c\\"d","","NULL",NULL,"x,y","{}","a\\\\b"," s "}',
    ),
    ('{"\\\\x01"}', "bytea[]", '{"\\\\x01"}'),
    ("{t,f}", "bool[]", "{t,f}"),
    ("{a b}", "text[]", '{"a b"}'),
    ("{ a b , c }", "text[]", '{"a b",c}'),
    ('{a\\"b, "a\\\\b", \\n}', "text[]", '{"a\\"b","a\\\\b",n}'),
    ('{{"a"},{"b"}}', "text[]", "{{a},{b}}"),
    ('{NULL,"NULL",Null}', "text[]", '{NULL,"NULL",NULL}'),
    ("{a,bb}", "varchar(1)[]", "{a,b}"),
    ("[1:2]={1,2}", "int[]", "{1,2}"),
    ("1 2", "int2vector", "1 2"),
    ("1 2", "oidvector", "1 2"),
    ("int4", "regtype", "integer"),
    ("varchar(10)", "regtype", "character varying"),
    ("23", "regtype", "integer"),
    ("99999", "regtype", "99999"),
    ("integer[]", "regtype", "integer[]"),
    ("char", "regtype", "character"),
    ('"char"', "regtype", '"char"'),
    ("double precision", "regtype", "double precision"),
    ("999999", "regclass", "999999"),
]


@pytest.mark.parametrize(("text", "spec", "expected"), TEXT_INPUT)
def test_text_input(text: str, spec: str, expected: str) -> None:
    assert text_of(text, spec) == expected


# Dates and times; TimeZone UTC unless the case says otherwise.
DATETIME_INPUT = [
    ("2024-01-31", "timestamptz", "2024-01-31 00:00:00+00"),
    ("2024-01-31", "timestamp", "2024-01-31 00:00:00"),
    ("2024-01-31 10:00", "timestamptz", "2024-01-31 10:00:00+00"),
    ("2024-01-31T10:00:00Z", "timestamptz", "2024-01-31 10:00:00+00"),
    ("2024-01-31T10:00:00Z", "timestamp", "2024-01-31 10:00:00"),
    ("2024-01-31 12:34:56.789+05:30", "timestamptz", "2024-01-31 07:04:56.789+00"),
    ("2024-01-31 12:34:56.789+05:30", "timestamp", "2024-01-31 12:34:56.789"),
    ("2024-01-31 12:34:56.7891234", "timestamp", "2024-01-31 12:34:56.789123"),
    ("2024-01-31 23:59:59.9999999", "timestamp", "2024-02-01 00:00:00"),
    ("20240131 101010", "timestamp", "2024-01-31 10:10:10"),
    ("Jan 31 2024 10:00", "timestamp", "2024-01-31 10:00:00"),
    ("January 31, 2024", "timestamp", "2024-01-31 00:00:00"),
    ("31 Jan 2024", "timestamp", "2024-01-31 00:00:00"),
    ("1/31/2024", "timestamp", "2024-01-31 00:00:00"),
    ("2024-01-31 10:00 America/New_York", "timestamptz", "2024-01-31 15:00:00+00"),
    ("2024-01-31 10:00 EST", "timestamptz", "2024-01-31 15:00:00+00"),
    ("2024-01-31 10:00-0530", "timestamptz", "2024-01-31 15:30:00+00"),
    ("2024-01-31 10:00 +05", "timestamptz", "2024-01-31 05:00:00+00"),
    ("  2024-01-31  ", "timestamp", "2024-01-31 00:00:00"),
    ("2024-01-31 10:00:00 PM", "timestamp", "2024-01-31 22:00:00"),
    ("2024-01-31 12:00 AM", "timestamp", "2024-01-31 00:00:00"),
    ("epoch", "timestamptz", "1970-01-01 00:00:00+00"),
    ("epoch", "timestamp", "1970-01-01 00:00:00"),
    ("epoch", "date", "1970-01-01"),
    ("2024-01-31 10:00:00.5 UTC", "timestamptz", "2024-01-31 10:00:00.5+00"),
    ("2024-1-5 1:2:3", "timestamp", "2024-01-05 01:02:03"),
    ("2024-01-31 10:00:00+05:30:15", "timestamptz", "2024-01-31 04:29:45+00"),
    ("0099-01-01", "timestamp", "0099-01-01 00:00:00"),
    ("1/2/24", "date", "2024-01-02"),
    ("2024.01.31", "date", "2024-01-31"),
    ("2024/01/31 10:00", "timestamp", "2024-01-31 10:00:00"),
    ("J2451545", "date", "2000-01-01"),
    ("Wed Jan 31 10:00:00 2024", "timestamp", "2024-01-31 10:00:00"),
    ("2024-01-31 24:00:00", "timestamp", "2024-02-01 00:00:00"),
    ("2024-01-31 10:00 z", "timestamptz", "2024-01-31 10:00:00+00"),
    ("2024-02-29", "date", "2024-02-29"),
    ("2024-01-31 10:00", "date", "2024-01-31"),
    ("2024-01-31 10:00+02", "date", "2024-01-31"),
    ("2024-01-31 10:00:00.123 -08:00", "timestamptz", "2024-01-31 18:00:00.123+00"),
    ("2024-01-31 10:00:00 +1", "timestamptz", "2024-01-31 09:00:00+00"),
    ("2024-01-31 10:00:00 UTC+2", "timestamptz", "2024-01-31 12:00:00+00"),
    ("2024-01-31 10:00:00 Europe/Berlin", "timestamptz", "2024-01-31 09:00:00+00"),
    ("Jan-31-2024", "date", "2024-01-31"),
    ("31-Jan-2024", "date", "2024-01-31"),
    ("2024-Jan-31", "date", "2024-01-31"),
    ("2024 Jan 31", "date", "2024-01-31"),
    ("Mon, 31 Jan 2024 10:00:00 GMT", "timestamptz", "2024-01-31 10:00:00+00"),
    ("2024-01-31T101010", "timestamp", "2024-01-31 10:10:10"),
    ("2024-06-30 23:59:60", "timestamptz", "2024-07-01 00:00:00+00"),
    ("12:34", "time", "12:34:00"),
    ("12:34:56.123456789", "time", "12:34:56.123457"),
    ("1:2", "time", "01:02:00"),
    ("10:00 PM", "time", "22:00:00"),
    ("2024-01-31 10:00", "time", "10:00:00"),
    ("12:00 am", "time", "00:00:00"),
    ("allballs", "time", "00:00:00"),
    ("10:00+02", "time", "10:00:00"),
]


@pytest.mark.parametrize(("text", "spec", "expected"), DATETIME_INPUT)
def test_datetime_input(text: str, spec: str, expected: str) -> None:
    assert text_of(text, spec) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A spring-forward gap takes the offset from before it; a repeated hour the later one.
        ("2024-03-10 02:30", "2024-03-10 03:30:00-04"),
        ("2024-11-03 01:30", "2024-11-03 01:30:00-05"),
        ("2024-01-31 10:00", "2024-01-31 10:00:00-05"),
        ("2024-07-01 12:00+00", "2024-07-01 08:00:00-04"),
    ],
)
def test_timestamptz_input_in_new_york(text: str, expected: str) -> None:
    assert text_of(text, "timestamptz", NEW_YORK) == expected


def test_now_and_today_use_the_transaction_time() -> None:
    now = dt.datetime(2024, 3, 1, 2, 30, tzinfo=UTC)
    config = FormatSettings(timezone="America/New_York", now=now)
    assert parse_value("now", T.TIMESTAMPTZ, config) == now
    assert text_of("today", "date", config) == "2024-02-29"
    assert text_of("tomorrow", "timestamp", config) == "2024-03-01 00:00:00"
    assert text_of("yesterday 10:00", "timestamptz", config) == "2024-02-28 10:00:00-05"


# (literal, type) -> (SQLSTATE, message) as PostgreSQL reports them.
INPUT_ERRORS = [
    ("abc", "int4", "22P02", 'invalid input syntax for type integer: "abc"'),
    ("", "int4", "22P02", 'invalid input syntax for type integer: ""'),
    ("1.5", "int4", "22P02", 'invalid input syntax for type integer: "1.5"'),
    ("1_000", "int4", "22P02", 'invalid input syntax for type integer: "1_000"'),
    ("0x10", "int4", "22P02", 'invalid input syntax for type integer: "0x10"'),
    ("- 1", "int4", "22P02", 'invalid input syntax for type integer: "- 1"'),
    ("1 2", "int4", "22P02", 'invalid input syntax for type integer: "1 2"'),
    ("99999999999", "int4", "22003", 'value "99999999999" is out of range for type integer'),
    ("32768", "int2", "22003", 'value "32768" is out of range for type smallint'),
    (
        "9223372036854775808",
        "int8",
        "22003",
        'value "9223372036854775808" is out of range for type bigint',
    ),
    ("abc", "int8", "22P02", 'invalid input syntax for type bigint: "abc"'),
    ("abc", "int2", "22P02", 'invalid input syntax for type smallint: "abc"'),
    ("4294967296", "oid", "22003", 'value "4294967296" is out of range for type oid'),
    ("-2147483649", "oid", "22003", 'value "-2147483649" is out of range for type oid'),
    ("abc", "oid", "22P02", 'invalid input syntax for type oid: "abc"'),
    ("o", "bool", "22P02", 'invalid input syntax for type boolean: "o"'),
    ("10", "bool", "22P02", 'invalid input syntax for type boolean: "10"'),
    ("x", "bool", "22P02", 'invalid input syntax for type boolean: "x"'),
    ("abc", "float8", "22P02", 'invalid input syntax for type double precision: "abc"'),
    ("1e", "float8", "22P02", 'invalid input syntax for type double precision: "1e"'),
    (".", "float8", "22P02", 'invalid input syntax for type double precision: "."'),
    ("", "float4", "22P02", 'invalid input syntax for type real: ""'),
    ("1e400", "float8", "22003", '"1e400" is out of range for type double precision'),
    ("1e-400", "float8", "22003", '"1e-400" is out of range for type double precision'),
    ("1e39", "float4", "22003", '"1e39" is out of range for type real'),
    ("abc", "numeric", "22P02", 'invalid input syntax for type numeric: "abc"'),
    ("1e", "numeric", "22P02", 'invalid input syntax for type numeric: "1e"'),
    ("", "numeric", "22P02", 'invalid input syntax for type numeric: ""'),
    ("-NaN", "numeric", "22P02", 'invalid input syntax for type numeric: "-NaN"'),
    ("1 .5", "numeric", "22P02", 'invalid input syntax for type numeric: "1 .5"'),
    ("1e-16384", "numeric", "22003", "value overflows numeric format"),
    ("12345.678", "numeric(5,2)", "22003", "numeric field overflow"),
    ("999.995", "numeric(5,2)", "22003", "numeric field overflow"),
    ("Infinity", "numeric(5,2)", "22003", "numeric field overflow"),
    ("abc", "varchar(2)", "22001", "value too long for type character varying(2)"),
    ("abcd", "varchar(3)", "22001", "value too long for type character varying(3)"),
    ("abc", "char(2)", "22001", "value too long for type character(2)"),
    ("{a,bb}", "varchar(1)[]", "22001", "value too long for type character varying(1)"),
    ("\\x0g", "bytea", "22023", 'invalid hexadecimal digit: "g"'),
    ("\\x0", "bytea", "22023", "invalid hexadecimal data: odd number of digits"),
    ("\\9", "bytea", "22P02", "invalid input syntax for type bytea"),
    ("a\\", "bytea", "22P02", "invalid input syntax for type bytea"),
    (
        " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "uuid",
        "22P02",
        'invalid input syntax for type uuid: " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"',
    ),
    (
        "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11",
        "uuid",
        "22P02",
        'invalid input syntax for type uuid: "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11"',
    ),
    (
        "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "uuid",
        "22P02",
        'invalid input syntax for type uuid: "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"',
    ),
    ('{"a":1', "json", "22P02", "invalid input syntax for type json"),
    ("nan", "json", "22P02", "invalid input syntax for type json"),
    ("01", "json", "22P02", "invalid input syntax for type json"),
    ("[1,]", "jsonb", "22P02", "invalid input syntax for type json"),
    ('"\\ud800"', "jsonb", "22P02", "invalid input syntax for type json"),
    ("", "jsonb", "22P02", "invalid input syntax for type json"),
    ('"\\u0000"', "jsonb", "22P05", "unsupported Unicode escape sequence"),
    ("{{}}", "int[]", "22P02", 'malformed array literal: "{{}}"'),
    ("{1,2", "int[]", "22P02", 'malformed array literal: "{1,2"'),
    ("1,2", "int[]", "22P02", 'malformed array literal: "1,2"'),
    ("{{1,2},{3}}", "int[]", "22P02", 'malformed array literal: "{{1,2},{3}}"'),
    ("{{1,2},3}", "int[]", "22P02", 'malformed array literal: "{{1,2},3}"'),
    ("{1,{2}}", "int[]", "22P02", 'malformed array literal: "{1,{2}}"'),
    ('{"a"b}', "text[]", "22P02", 'malformed array literal: "{"a"b}"'),
    ("{1,,2}", "int[]", "22P02", 'malformed array literal: "{1,,2}"'),
    ("{a}", "int[]", "22P02", 'invalid input syntax for type integer: "a"'),
    ("{1,2}", "int2vector", "22P02", 'invalid input syntax for type smallint: "{1,2}"'),
    ("nosuch", "regtype", "42704", 'type "nosuch" does not exist'),
    ("nosuch", "regclass", "42P01", 'relation "nosuch" does not exist'),
    ("2024-02-30", "date", "22008", 'date/time field value out of range: "2024-02-30"'),
    ("2023-02-29", "date", "22008", 'date/time field value out of range: "2023-02-29"'),
    ("2024-13-01", "date", "22008", 'date/time field value out of range: "2024-13-01"'),
    ("2024-01-32", "date", "22008", 'date/time field value out of range: "2024-01-32"'),
    ("99-01-01", "timestamp", "22008", 'date/time field value out of range: "99-01-01"'),
    ("abc", "date", "22007", 'invalid input syntax for type date: "abc"'),
    ("", "date", "22007", 'invalid input syntax for type date: ""'),
    (
        "2024-01-31 25:00",
        "timestamp",
        "22008",
        'date/time field value out of range: "2024-01-31 25:00"',
    ),
    (
        "2024-01-31 10:61",
        "timestamp",
        "22008",
        'date/time field value out of range: "2024-01-31 10:61"',
    ),
    (
        "2024-01-31 10",
        "timestamp",
        "22007",
        'invalid input syntax for type timestamp: "2024-01-31 10"',
    ),
    (
        "10:00 2024-01-31",
        "timestamp",
        "22007",
        'invalid input syntax for type timestamp: "10:00 2024-01-31"',
    ),
    (
        "2024-01-31 13:00 PM",
        "timestamp",
        "22008",
        'date/time field value out of range: "2024-01-31 13:00 PM"',
    ),
    (
        "2024-01-31 10:00:00 foo",
        "timestamptz",
        "22007",
        'invalid input syntax for type timestamp with time zone: "2024-01-31 10:00:00 foo"',
    ),
    (
        "2024-01-31 10:00:00 Mars/Olympus",
        "timestamptz",
        "22023",
        'time zone "mars/olympus" not recognized',
    ),
    (
        "2024-01-31 10:00:00+16",
        "timestamptz",
        "22009",
        'time zone displacement out of range: "2024-01-31 10:00:00+16"',
    ),
    ("25:00", "time", "22008", 'date/time field value out of range: "25:00"'),
    ("12:60", "time", "22008", 'date/time field value out of range: "12:60"'),
    ("x", "time", "22007", 'invalid input syntax for type time: "x"'),
    ("10", "time", "22007", 'invalid input syntax for type time: "10"'),
    ("abc", "interval", "22007", 'invalid input syntax for type interval: "abc"'),
    ("1 day 1 day", "interval", "22007", 'invalid input syntax for type interval: "1 day 1 day"'),
    (
        "2147483648 days",
        "interval",
        "22015",
        'interval field value out of range: "2147483648 days"',
    ),
    ("1:60", "interval", "22015", 'interval field value out of range: "1:60"'),
    ("1", "record", "0A000", "input of anonymous composite types is not implemented"),
]


@pytest.mark.parametrize(("text", "spec", "sqlstate", "message"), INPUT_ERRORS)
def test_input_errors(text: str, spec: str, sqlstate: str, message: str) -> None:
    assert error_of(parse_value, text, sql_type(spec)) == (sqlstate, message)


@pytest.mark.parametrize(
    ("text", "spec", "detail", "hint"),
    [
        (
            "12345.678",
            "numeric(5,2)",
            "A field with precision 5, scale 2 must round to an absolute value less than 10^3.",
            None,
        ),
        (
            "Infinity",
            "numeric(5,2)",
            "A field with precision 5, scale 2 cannot hold an infinite value.",
            None,
        ),
        (
            "0.05",
            "numeric(1,3)",
            "A field with precision 1, scale 3 must round to an absolute value less than 10^-2.",
            None,
        ),
        ("2024-01-32", "date", None, 'Perhaps you need a different "datestyle" setting.'),
        ("2024-02-30", "date", None, None),
        ("{1,2", "int[]", "Unexpected end of input.", None),
        ("1,2", "int[]", 'Array value must start with "{" or dimension information.', None),
        (
            "{{1,2},{3}}",
            "int[]",
            "Multidimensional arrays must have sub-arrays with matching dimensions.",
            None,
        ),
        ("{{1,2},3}", "int[]", "Unexpected array element.", None),
        ("{1,{2}}", "int[]", 'Unexpected "{" character.', None),
        ("{{}}", "int[]", 'Unexpected "}" character.', None),
        ('{"a":1', "json", "The input string ended unexpectedly.", None),
        ("nan", "json", 'Token "nan" is invalid.', None),
        ("01", "json", 'Token "01" is invalid.', None),
        ("[1,]", "jsonb", 'Expected JSON value, but found "]".', None),
        ('"\\ud800"', "jsonb", "Unicode low surrogate must follow a high surrogate.", None),
        ('"\\u0000"', "jsonb", "\\u0000 cannot be converted to text.", None),
    ],
)
def test_error_details(text: str, spec: str, detail: str | None, hint: str | None) -> None:
    with pytest.raises(TideError) as caught:
        parse_value(text, sql_type(spec))
    assert (caught.value.detail, caught.value.hint) == (detail, hint)


def test_python_values_from_input() -> None:
    assert parse_value("1.50", T.NUMERIC).as_tuple().exponent == -2
    assert parse_value('{"a": 1.50, "b": 2}', T.JSONB) == {"a": Decimal("1.50"), "b": 2}
    assert str(parse_value('{"a": 1.50}', T.JSONB)["a"]) == "1.50"
    assert parse_value("null", T.JSONB) is JSON_NULL
    assert parse_value("[null]", T.JSONB) == [None]
    assert parse_value("a", sql_type("char(3)")) == "a  "
    assert parse_value("2024-01-31 10:00+02", T.TIMESTAMPTZ) == dt.datetime(
        2024, 1, 31, 8, tzinfo=UTC
    )
    assert parse_value("{{1,2},{3,4}}", T.INT4_ARRAY) == [[1, 2], [3, 4]]
    assert parse_value("1 2", T.INT2VECTOR) == [1, 2]
    assert parse_value("-1", T.OID) == 4294967295
    assert T.text_parser(T.INT4)("12") == 12


# -- intervals ----------------------------------------------------------------------------

# Interval input -> postgres-style output, or the SQLSTATE of the error.
INTERVALS = [
    ("1 day", "1 day"),
    ("2 hours 3 minutes", "02:03:00"),
    ("1 year 2 mons", "1 year 2 mons"),
    ("01:02:03", "01:02:03"),
    ("P1D", "1 day"),
    ("-1 day", "-1 days"),
    ("1.5 hours", "01:30:00"),
    ("1.5 months", "1 mon 15 days"),
    ("1.5 years", "1 year 6 mons"),
    ("1.5 days", "1 day 12:00:00"),
    ("1.5 weeks", "10 days 12:00:00"),
    ("0.1 months", "3 days"),
    ("1.01 years", "1 year"),
    ("1 day ago", "-1 days"),
    ("@ 1 day 2 hours ago", "-1 days -02:00:00"),
    ("-1 day +02:03", "-1 days +02:03:00"),
    ("1 day -02:03:04", "1 day -02:03:04"),
    ("5", "00:00:05"),
    ("1:2", "01:02:00"),
    ("100:00:00", "100:00:00"),
    ("1 2:03", "1 day 02:03:00"),
    ("1 2:03:04.5", "1 day 02:03:04.5"),
    ("1:02:03.123456789", "01:02:03.123457"),
    ("P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06"),
    ("PT1.5S", "00:00:01.5"),
    ("P0001-02-03T04:05:06", "1 year 2 mons 3 days 04:05:06"),
    ("PT36H", "36:00:00"),
    ("P1W", "7 days"),
    ("P-1D", "-1 days"),
    ("PT-1H", "-01:00:00"),
    ("-P1D", "22007"),
    ("1 ms", "00:00:00.001"),
    ("1 us", "00:00:00.000001"),
    ("2 decades", "20 years"),
    ("1 century", "100 years"),
    ("1 millennium", "1000 years"),
    ("3 w", "21 days"),
    ("1 microseconds 2 milliseconds", "00:00:00.002001"),
    ("1 year 1 decade", "11 years"),
    ("-1 mon 1 day", "-1 mons +1 day"),
    ("1 mon -1 day", "1 mon -1 days"),
    ("-1 year 1 mon", "-11 mons"),
    ("+1 day", "1 day"),
    ("1days", "1 day"),
    ("1day 2hours", "1 day 02:00:00"),
    ("-1.5", "-00:00:01.5"),
    ("1:30.5", "00:01:30.5"),
    ("1 hour 30", "01:00:30"),
    ("1 day 1", "1 day 00:00:01"),
    (".5 day", "12:00:00"),
    ("- 1 day", "-1 days"),
    ("1-2", "1 year 2 mons"),
    ("1-2 3 4:05:06", "1 year 2 mons 3 days 04:05:06"),
    ("1:59:60", "02:00:00"),
    ("2562047788:00:54.775807", "2562047788:00:54.775807"),
    ("-13 months", "-1 years -1 mons"),
    ("1 foo", "22007"),
    ("1 hour 2 hours", "22007"),
    ("1 hour 01:00", "22007"),
    ("1 ago", "22007"),
    ("1 2 3", "22007"),
    ("1:2:3:4", "22007"),
    ("--1 day", "22007"),
    ("1e2 seconds", "22007"),
    ("1:00:61", "22015"),
    ("", "22007"),
]


@pytest.mark.parametrize(("text", "expected"), INTERVALS)
def test_interval_input(text: str, expected: str) -> None:
    if expected.isdigit() or expected.startswith("22"):
        assert error_of(parse_interval, text)[0] == expected
    else:
        assert format_interval(parse_interval(text)) == expected


@pytest.mark.parametrize(
    ("text", "typmods", "expected"),
    [
        ("1 year 2 months", [32767, 0], "1 year 2 mons"),
        ("1.5 seconds", [32767, 0], "00:00:02"),
        ("2.5 seconds", [32767, 0], "00:00:03"),
        ("1.25 seconds", [32767, 1], "00:00:01.3"),
        ("1 year 2 mons 3 days 04:05:06", [6], "1 year 2 mons"),
        ("3 days 04:05:06", [8 | 1024], "3 days 04:00:00"),
        ("3 days 04:05:06.78", [2048 | 4096, 1], "3 days 04:05:06.8"),
        ("26 hours", [8], "00:00:00"),
        ("1 day", [1024], "1 day"),
        ("5", [2048], "00:05:00"),
        ("5", [6], "5 mons"),
        ("5", [8 | 1024], "05:00:00"),
        ("1:30", [2048 | 4096], "00:01:30"),
    ],
)
def test_interval_type_modifiers(text: str, typmods: list[int], expected: str) -> None:
    target = type_from_name(["pg_catalog", "interval"], typmods)
    assert format_value(cast_value(text, T.UNKNOWN, target), target) == expected


def test_interval_comparison_is_postgres_folded_length() -> None:
    assert Interval(months=1) == Interval(days=30)
    assert Interval(days=1) == Interval(microseconds=86_400_000_000)
    assert Interval(months=12) == Interval(days=360)
    assert Interval(months=1) < Interval(days=31)
    assert hash(Interval(months=1)) == hash(Interval(days=30))
    assert len({Interval(months=1), Interval(days=30)}) == 1
    assert -Interval(1, 2, 3) == Interval(-1, -2, -3)


# -- binary I/O ---------------------------------------------------------------------------

# Bytes from PostgreSQL's *_send functions.
BINARY_EXACT = [
    ("1234.5678", T.NUMERIC, "000200000000000404d2162e"),
    ("0.00", T.NUMERIC, "0000000000000002"),
    ("0", T.NUMERIC, "0000000000000000"),
    ("-1.5", T.NUMERIC, "000200004000000100011388"),
    ("NaN", T.NUMERIC, "00000000c0000000"),
    ("Infinity", T.NUMERIC, "00000000d0000020"),
    ("-Infinity", T.NUMERIC, "00000000f0000020"),
    ("10000", T.NUMERIC, "00010001000000000001"),
    ("0.0001", T.NUMERIC, "0001ffff000000040001"),
    ("100000000", T.NUMERIC, "00010002000000000001"),
    ("12345678.9", T.NUMERIC, "000300010000000104d2162e2328"),
    ("1e-20", T.NUMERIC, "0001fffb000000140001"),
    ("0.5", T.NUMERIC, "0001ffff000000011388"),
    ("9999.9999", T.NUMERIC, "0002000000000004270f270f"),
    ("1 year 2 mons 3 days 04:05:06.5", T.INTERVAL, "000000036c9361a0000000030000000e"),
    ("12:34:56.5", T.TIME, "0000000a8be1bd20"),
    ("2024-01-31 12:34:56.789", T.TIMESTAMP, "0002b33be00ca608"),
    ("2024-01-31 12:34:56.789+00", T.TIMESTAMPTZ, "0002b33be00ca608"),
    ("2024-01-31", T.DATE, "0000225c"),
    ("1999-01-01", T.DATE, "fffffe93"),
    ("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", T.UUID, "a0eebc999c0b4ef8bb6d6bb9bd380a11"),
    ('{"a":1}', T.JSONB, "017b2261223a20317d"),
    ('{"a": 1}', T.JSON, "7b2261223a20317d"),
    (
        "{1,2,NULL}",
        T.INT4_ARRAY,
        "000000010000000100000017000000030000000100000004000000010000000400000002ffffffff",
    ),
    ("{}", T.INT4_ARRAY, "000000000000000000000017"),
    (
        "{{1,2},{3,4}}",
        T.INT4_ARRAY,
        "000000020000000000000017000000020000000100000002000000010000000400000001000000040000000200000004000000030000000400000004",
    ),
    ("{a}", T.TEXT_ARRAY, "00000001000000000000001900000001000000010000000161"),
    ("1 2", T.INT2VECTOR, "0000000100000000000000150000000200000000000000020001000000020002"),
    ("t", T.BOOL, "01"),
    ("-2", T.INT2, "fffe"),
    ("1", T.INT8, "0000000000000001"),
    ("1.5", T.FLOAT8, "3ff8000000000000"),
    ("1.5", T.FLOAT4, "3fc00000"),
    ("4294967295", T.OID, "ffffffff"),
    ("\\x0aff", T.BYTEA, "0aff"),
    ("é", T.TEXT, "c3a9"),
]


@pytest.mark.parametrize(("text", "sql", "expected"), BINARY_EXACT)
def test_binary_matches_postgres_bytes(text: str, sql: SqlType, expected: str) -> None:
    value = parse_value(text, sql)
    assert encode_binary(value, sql).hex() == expected
    decoded = decode_binary(bytes.fromhex(expected), sql)
    assert format_value(decoded, sql) == format_value(value, sql)


@pytest.mark.parametrize(
    ("data", "sql", "sqlstate"),
    [
        ("000001", T.INT4, "22P03"),
        ("0000000001", T.INT4, "22P03"),
        ("00", T.INT8, "22P03"),
        ("0001", T.UUID, "22P03"),
        ("0001000000000000", T.NUMERIC, "22P03"),  # one digit promised, none sent
        ("000100001234000000012710", T.NUMERIC, "22P03"),  # bad sign
        ("0001000000000000ffff", T.NUMERIC, "22P03"),  # digit out of range
        ("02", T.JSONB, "22P03"),  # unknown jsonb version
        ("ff", T.TEXT, "22021"),  # not UTF-8
        ("00000001000000000000001700000001", T.INT4_ARRAY, "22P03"),
        ("000000010000000000000019000000010000000100000004ffff", T.INT4_ARRAY, "42804"),
        ("0000005200000000", T.TIME, "22008"),  # past 24:00
    ],
)
def test_binary_errors(data: str, sql: SqlType, sqlstate: str) -> None:
    assert error_of(decode_binary, bytes.fromhex(data), sql)[0] == sqlstate


def test_numeric_receive_truncates_hidden_digits() -> None:
    # ndigits 2, weight 0, positive, dscale 2: 1.2345 shown with two places is 1.23
    # (numeric_recv truncates rather than rounds).
    data = bytes.fromhex("00020000000000020001" + "0929")
    assert format_value(decode_binary(data, T.NUMERIC), T.NUMERIC) == "1.23"


# Strategies for Python values of each type.
INT32 = st.integers(-(2**31), 2**31 - 1)
SAFE_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"))


def numerics() -> st.SearchStrategy[Decimal]:
    finite = st.builds(
        lambda digits, scale, negative: T._numeric_normalize(
            Decimal((int(negative), tuple(int(c) for c in str(digits)), -scale))
        ),
        st.integers(0, 10**40),
        st.integers(0, 30),
        st.booleans(),
    )
    return st.one_of(
        finite, st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
    )


def float4s() -> st.SearchStrategy[float]:
    return st.floats(width=32, allow_nan=True, allow_infinity=True)


def jsonb_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**20), 10**20),
        numerics().filter(lambda d: d.is_finite()),
        SAFE_TEXT,
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(SAFE_TEXT, children, max_size=4)
        ),
        max_leaves=12,
    )


def top_level_jsonb() -> st.SearchStrategy[Any]:
    return jsonb_values().map(lambda v: JSON_NULL if v is None else v)


TYPE_VALUES: list[tuple[SqlType, st.SearchStrategy[Any]]] = [
    (T.BOOL, st.booleans()),
    (T.INT2, st.integers(-(2**15), 2**15 - 1)),
    (T.INT4, INT32),
    (T.INT8, st.integers(-(2**63), 2**63 - 1)),
    (T.OID, st.integers(0, 2**32 - 1)),
    (T.REGCLASS, st.integers(0, 2**32 - 1)),
    (T.FLOAT8, st.floats(allow_nan=True, allow_infinity=True)),
    (T.FLOAT4, float4s()),
    (T.NUMERIC, numerics()),
    (T.TEXT, SAFE_TEXT),
    (T.VARCHAR, SAFE_TEXT),
    (T.BPCHAR, SAFE_TEXT),
    (T.NAME, st.text(st.characters(codec="ascii", exclude_characters="\x00"), max_size=63)),
    (T.CHAR, st.one_of(st.just(""), st.characters(max_codepoint=255, exclude_characters="\x00"))),
    (T.BYTEA, st.binary()),
    (T.DATE, st.dates()),
    (T.TIME, st.times()),
    (T.TIMESTAMP, st.datetimes()),
    (
        T.TIMESTAMPTZ,
        st.datetimes(
            min_value=dt.datetime(1, 1, 2),
            max_value=dt.datetime(9999, 12, 30),
            timezones=st.just(UTC),
        ),
    ),
    (T.INTERVAL, st.builds(Interval, INT32, INT32, st.integers(-(2**63), 2**63 - 1))),
    (T.UUID, st.uuids()),
    (T.JSON, jsonb_values().map(lambda v: T._jsonb_text(v))),
    (T.JSONB, top_level_jsonb()),
    (T.INT2VECTOR, st.lists(st.integers(-(2**15), 2**15 - 1), max_size=5)),
    (T.OIDVECTOR, st.lists(st.integers(0, 2**32 - 1), max_size=5)),
    (T.INT4_ARRAY, st.lists(st.one_of(st.none(), INT32), max_size=5)),
    (
        T.INT4_ARRAY,
        st.integers(1, 3).flatmap(
            lambda n: st.lists(st.lists(INT32, min_size=n, max_size=n), min_size=1, max_size=3)
        ),
    ),
    (T.TEXT_ARRAY, st.lists(st.one_of(st.none(), SAFE_TEXT), max_size=5)),
    (T.NUMERIC_ARRAY, st.lists(st.one_of(st.none(), numerics()), max_size=4)),
    (T.FLOAT8_ARRAY, st.lists(st.floats(), max_size=4)),
    (
        T.TIMESTAMPTZ_ARRAY,
        st.lists(st.datetimes(min_value=dt.datetime(1, 1, 2), timezones=st.just(UTC)), max_size=3),
    ),
    (T.JSONB_ARRAY, st.lists(jsonb_values(), max_size=3)),
    (T.BYTEA_ARRAY, st.lists(st.binary(), max_size=3)),
]
TYPE_IDS = [f"{sql.name}-{i}" for i, (sql, _) in enumerate(TYPE_VALUES)]


def same(a: Any, b: Any, sql: SqlType) -> bool:
    if sql.oid == T.JSON.oid:  # json has no equality operator; it keeps its text
        return bool(a == b)
    return values_equal(a, b, sql) and format_value(a, sql) == format_value(b, sql)


@pytest.mark.parametrize(("sql", "values"), TYPE_VALUES, ids=TYPE_IDS)
def test_binary_round_trip(sql: SqlType, values: st.SearchStrategy[Any]) -> None:
    @settings(max_examples=40, deadline=None)
    @given(values)
    def check(value: Any) -> None:
        assert same(decode_binary(encode_binary(value, sql), sql), value, sql)

    check()


@pytest.mark.parametrize(("sql", "values"), TYPE_VALUES, ids=TYPE_IDS)
def test_text_round_trip(sql: SqlType, values: st.SearchStrategy[Any]) -> None:
    @settings(max_examples=40, deadline=None)
    @given(values)
    def check(value: Any) -> None:
        text = format_value(value, sql)
        assert same(parse_value(text, sql), value, sql), text

    check()


@settings(max_examples=100, deadline=None)
@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_timestamptz_text_round_trip_in_a_dst_zone(value: dt.datetime) -> None:
    text = format_value(value, T.TIMESTAMPTZ, NEW_YORK)
    assert parse_value(text, T.TIMESTAMPTZ, NEW_YORK) == value


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float8_output_is_shortest_round_trip(value: float) -> None:
    text = format_value(value, T.FLOAT8)
    assert float(text) == value
    assert ("e" in text) == (value != 0 and not 1e-4 <= abs(value) < 1e15)


@settings(max_examples=200, deadline=None)
@given(float4s().filter(math.isfinite))
def test_float4_output_round_trips_as_float4(value: float) -> None:
    text = format_value(value, T.FLOAT4)
    assert struct.unpack(">f", struct.pack(">f", float(text)))[0] == value
    digits = re.sub(r"e.*|[-.]", "", text).strip("0")
    assert len(digits) <= 9


# -- casts --------------------------------------------------------------------------------

# (literal, source, target) -> PostgreSQL's  ('literal'::source)::target  shown as text.
CASTS = [
    ("true", "bool", "text", "true"),
    ("false", "bool", "varchar", "false"),
    ("true", "bool", "char(3)", "tru"),
    ("true", "bool", "int4", "1"),
    ("1", "int4", "bool", "t"),
    ("0", "int4", "bool", "f"),
    ("5", "int4", "bool", "t"),
    ("2.5", "numeric", "int4", "3"),
    ("-2.5", "numeric", "int4", "-3"),
    ("0.5", "numeric", "int8", "1"),
    ("3.5", "float8", "int4", "4"),
    ("2.5", "float8", "int4", "2"),
    ("-2.5", "float8", "int4", "-2"),
    ("2.5", "float4", "int2", "2"),
    ("0.1", "float8", "numeric", "0.1"),
    ("0.3333333333333333", "float8", "numeric", "0.333333333333333"),
    ("0.1", "float4", "numeric", "0.1"),
    ("1e20", "float8", "numeric", "100000000000000000000"),
    ("1.5e-10", "float8", "numeric", "0.00000000015"),
    ("nan", "float8", "numeric", "NaN"),
    ("inf", "float8", "numeric", "Infinity"),
    ("123456789012345678", "float8", "numeric", "123456789012346000"),
    ("1e16", "float4", "numeric", "10000000000000000"),
    ("1.23456789", "float4", "float8", "1.2345678806304932"),
    ("1e300", "numeric", "float8", "1e+300"),
    ("1.50", "numeric", "float4", "1.5"),
    ("12", "int4", "numeric", "12"),
    ("1.5", "numeric(3,1)", "text", "1.5"),
    ("1.50", "float8", "text", "1.5"),
    ("abc", "varchar", "varchar(2)", "ab"),
    ("abc", "text", "char(2)", "ab"),
    ("a", "char(3)", "text", "a"),
    ("a", "char(3)", "varchar", "a"),
    ("ab", "char(3)", "varchar(5)", "ab"),
    ("abc  ", "text", "varchar(3)", "abc"),
    ("1", "int4", "char(3)", "1  "),
    ("ab", "text", "name", "ab"),
    ("65", "int4", '"char"', "A"),
    ("abc", "text", '"char"', "a"),
    ("a", '"char"', "int4", "97"),
    ("-1", "int4", '"char"', "\\377"),
    ("-1", "int4", "oid", "4294967295"),
    ("4294967295", "oid", "int4", "-1"),
    ("4294967295", "oid", "int8", "4294967295"),
    ("2024-01-31", "date", "timestamp", "2024-01-31 00:00:00"),
    ("2024-01-31 10:00", "timestamp", "date", "2024-01-31"),
    ("2024-01-31 10:00", "timestamp", "time", "10:00:00"),
    ("1 day 02:03", "interval", "time", "02:03:00"),
    ("-1 second", "interval", "time", "23:59:59"),
    ("25 hours", "interval", "time", "01:00:00"),
    ("10:00", "time", "interval", "10:00:00"),
    ("12:34:56.5", "time", "time(0)", "12:34:57"),
    ("2024-01-31 12:34:56.56", "timestamp", "timestamp(1)", "2024-01-31 12:34:56.6"),
    # Half a second rounds away from 2000-01-01, PostgreSQL's epoch: earlier before it.
    ("1999-12-31 23:59:58.5", "timestamp", "timestamp(0)", "1999-12-31 23:59:58"),
    ("1999-12-31 23:59:59.5", "timestamp", "timestamp(0)", "1999-12-31 23:59:59"),
    ("2000-01-01 00:00:00.5", "timestamp", "timestamp(0)", "2000-01-01 00:00:01"),
    ("2024-01-31 12:34:56.5+00", "timestamptz", "timestamptz(0)", "2024-01-31 12:34:57+00"),
    ('{"a":1}', "json", "jsonb", '{"a": 1}'),
    ('{"b":1,"a":2}', "jsonb", "json", '{"a": 2, "b": 1}'),
    ('{"a":1}', "jsonb", "text", '{"a": 1}'),
    ("1", "jsonb", "int4", "1"),
    ("1.5", "jsonb", "int4", "2"),
    ("true", "jsonb", "bool", "t"),
    ("1.5", "jsonb", "float8", "1.5"),
    ("2", "jsonb", "numeric", "2"),
    ('"x"', "jsonb", "text", '"x"'),
    ("null", "json", "jsonb", "null"),
    (
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "uuid",
        "text",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    ),
    (
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "text",
        "uuid",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    ),
    ("\\x01", "bytea", "text", "\\x01"),
    ("abc", "text", "bytea", "\\x616263"),
    ("1 day", "interval", "text", "1 day"),
    ("1 day", "interval", "varchar(3)", "1 d"),
    ("{1,2}", "int[]", "text[]", "{1,2}"),
    ("{1,2}", "int[]", "int8[]", "{1,2}"),
    ("{1.5,2.5}", "numeric[]", "int[]", "{2,3}"),
    ('{"1"}', "text[]", "int[]", "{1}"),
    ("{a,bb}", "text[]", "varchar(1)[]", "{a,b}"),
    ("{1,2}", "int[]", "text", "{1,2}"),
    ("{1,2}", "text", "int[]", "{1,2}"),
    ("{1,2}", "int[]", "bool[]", "{t,t}"),
    ("12", "text", "int4", "12"),
    ("2024-01-31", "text", "date", "2024-01-31"),
    ("yes", "text", "bool", "t"),
    ("1 day", "text", "interval", "1 day"),
    ("5", "int4", "int4", "5"),
]


@pytest.mark.parametrize(("text", "source", "target", "expected"), CASTS)
def test_casts(text: str, source: str, target: str, expected: str) -> None:
    source_type, target_type = sql_type(source), sql_type(target)
    value = cast_value(parse_value(text, source_type), source_type, target_type, NEW_YORK)
    assert format_value(value, target_type) == expected


@pytest.mark.parametrize(
    ("text", "source", "target", "expected"),
    [
        ("2024-01-31 10:00", "timestamp", "timestamptz", "2024-01-31 10:00:00-05"),
        ("2024-01-31 10:00+00", "timestamptz", "time", "05:00:00"),
        ("2024-01-31 02:00+00", "timestamptz", "date", "2024-01-30"),
        ("2024-01-31 02:00+00", "timestamptz", "timestamp", "2024-01-30 21:00:00"),
        ("2024-01-31", "date", "timestamptz", "2024-01-31 00:00:00-05"),
    ],
)
def test_casts_use_the_session_time_zone(
    text: str, source: str, target: str, expected: str
) -> None:
    source_type, target_type = sql_type(source), sql_type(target)
    value = cast_value(parse_value(text, source_type, NEW_YORK), source_type, target_type, NEW_YORK)
    assert format_value(value, target_type, NEW_YORK) == expected


CAST_ERRORS = [
    ("2147483647.5", "numeric", "int4", "22003", "integer out of range"),
    ("NaN", "numeric", "int4", "0A000", "cannot convert NaN to integer"),
    ("NaN", "numeric", "int2", "0A000", "cannot convert NaN to smallint"),
    ("Infinity", "numeric", "int8", "0A000", "cannot convert infinity to bigint"),
    ("NaN", "float8", "int4", "22003", "integer out of range"),
    ("Infinity", "float8", "int8", "22003", "bigint out of range"),
    ("32768", "int4", "int2", "22003", "smallint out of range"),
    ("2147483648", "int8", "int4", "22003", "integer out of range"),
    ("9223372036854775807.5", "numeric", "int8", "22003", "bigint out of range"),
    ("1e19", "float8", "int8", "22003", "bigint out of range"),
    ("1e300", "float8", "float4", "22003", "value out of range: overflow"),
    ("1e-300", "float8", "float4", "22003", "value out of range: underflow"),
    ("12345.6789", "numeric", "numeric(6,2)", "22003", "numeric field overflow"),
    (
        "1e39",
        "numeric",
        "float4",
        "22003",
        '"1000000000000000000000000000000000000000" is out of range for type real',
    ),
    ("128", "int4", '"char"', "22003", '"char" out of range'),
    ("4294967296", "int8", "oid", "22003", "OID out of range"),
    ("-1", "int8", "oid", "22003", "OID out of range"),
    ('"x"', "jsonb", "int4", "22023", "cannot cast jsonb string to type integer"),
    ("{}", "jsonb", "numeric", "22023", "cannot cast jsonb object to type numeric"),
    ("null", "jsonb", "int4", "22023", "cannot cast jsonb null to type integer"),
    ("abc", "text", "int4", "22P02", 'invalid input syntax for type integer: "abc"'),
    ("1", "int4", "date", "42846", "cannot cast type integer to date"),
    ("2024-01-31", "date", "int4", "42846", "cannot cast type date to integer"),
    ("1", "int8", "bool", "42846", "cannot cast type bigint to boolean"),
    (
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "uuid",
        "bytea",
        "42846",
        "cannot cast type uuid to bytea",
    ),
]


@pytest.mark.parametrize(("text", "source", "target", "sqlstate", "message"), CAST_ERRORS)
def test_cast_errors(text: str, source: str, target: str, sqlstate: str, message: str) -> None:
    source_type, target_type = sql_type(source), sql_type(target)
    value = parse_value(text, source_type)
    assert error_of(cast_value, value, source_type, target_type) == (sqlstate, message)


def test_length_coercion_depends_on_context() -> None:
    varchar3, char3 = sql_type("varchar(3)"), sql_type("char(3)")
    assert cast_value("abcd", T.TEXT, varchar3) == "abc"
    assert cast_value("abc   ", T.TEXT, varchar3, explicit=False) == "abc"
    assert error_of(cast_value, "abcd", T.TEXT, varchar3, explicit=False) == (
        "22001",
        "value too long for type character varying(3)",
    )
    assert cast_value("abcd", T.UNKNOWN, char3) == "abc"
    assert cast_value("a", T.UNKNOWN, char3, explicit=False) == "a  "
    assert error_of(cast_value, "abcd", T.VARCHAR, char3, explicit=False)[0] == "22001"
    assert cast_value(["ab", None], T.TEXT_ARRAY, array_of(sql_type("varchar(1)"))) == ["a", None]
    assert cast_value(None, T.TEXT, T.INT4) is None


@pytest.mark.parametrize(
    ("source", "target", "implicit", "assignment", "explicit"),
    [
        (T.INT4, T.INT8, True, True, True),
        (T.INT8, T.INT4, False, True, True),
        (T.INT2, T.NUMERIC, True, True, True),
        (T.NUMERIC, T.FLOAT8, True, True, True),
        (T.FLOAT8, T.NUMERIC, False, True, True),
        (T.TEXT, T.INT4, False, False, True),
        (T.INT4, T.TEXT, False, True, True),
        (T.UNKNOWN, T.DATE, True, True, True),
        (T.VARCHAR, T.TEXT, True, True, True),
        (T.TEXT, T.VARCHAR, True, True, True),
        (T.BPCHAR, T.TEXT, True, True, True),
        (T.INT4, T.BOOL, False, False, True),
        (T.INT8, T.BOOL, False, False, False),
        (T.BOOL, T.TEXT, False, True, True),
        (T.JSON, T.JSONB, False, True, True),
        (T.JSONB, T.INT4, False, False, True),
        (T.UUID, T.INT4, False, False, False),
        (T.DATE, T.TIMESTAMPTZ, True, True, True),
        (T.TIMESTAMPTZ, T.DATE, False, True, True),
        (T.TIME, T.INTERVAL, True, True, True),
        (T.INTERVAL, T.TIME, False, True, True),
        (T.INT4, T.OID, True, True, True),
        (T.OID, T.INT4, False, True, True),
        (T.INT4_ARRAY, T.INT8_ARRAY, True, True, True),
        (T.INT4_ARRAY, T.TEXT_ARRAY, False, True, True),
        (T.TEXT_ARRAY, T.INT4_ARRAY, False, False, True),
    ],
)
def test_can_coerce(
    source: SqlType, target: SqlType, implicit: bool, assignment: bool, explicit: bool
) -> None:
    assert [can_coerce(source, target, c) for c in ("implicit", "assignment", "explicit")] == [
        implicit,
        assignment,
        explicit,
    ]


# -- common type --------------------------------------------------------------------------

V3, V5, C3 = sql_type("varchar(3)"), sql_type("varchar(5)"), sql_type("char(3)")

COMMON_TYPES = [
    ([T.INT2, T.INT4], "integer"),
    ([T.INT4, T.NUMERIC], "numeric"),
    ([T.NUMERIC, T.INT4], "numeric"),
    ([T.INT4, T.FLOAT8], "double precision"),
    ([T.TEXT, T.VARCHAR], "text"),
    ([T.VARCHAR, T.TEXT], "character varying"),
    ([T.DATE, T.TIMESTAMP], "timestamp without time zone"),
    ([T.TIMESTAMP, T.TIMESTAMPTZ], "timestamp with time zone"),
    ([T.UNKNOWN, T.UNKNOWN], "text"),
    ([T.INT4, T.UNKNOWN], "integer"),
    ([T.UNKNOWN, T.INT4], "integer"),
    ([V3, V3], "character varying(3)"),
    ([V3, V5], "character varying"),
    ([T.NUMERIC, T.FLOAT4], "real"),
    ([T.FLOAT4, T.FLOAT8], "double precision"),
    ([T.NUMERIC, T.FLOAT8], "double precision"),
    ([T.FLOAT8, T.NUMERIC], "double precision"),
    ([T.INT8, T.NUMERIC], "numeric"),
    ([T.INT4, T.INT2, T.INT8], "bigint"),
    ([C3, T.VARCHAR], "bpchar"),
    ([T.TEXT, C3], "text"),
    ([T.NAME, T.TEXT], "name"),
    ([T.OID, T.INT4], "oid"),
    ([T.INT4, T.OID], "oid"),
    ([T.INT4_ARRAY, T.INT8_ARRAY], "bigint[]"),
]


@pytest.mark.parametrize(("types", "expected"), COMMON_TYPES)
def test_common_type(types: list[SqlType], expected: str) -> None:
    assert format_type(common_type(types, "UNION")) == expected


@pytest.mark.parametrize(
    ("types", "context", "sqlstate", "message"),
    [
        ([T.INT4, T.TEXT], "UNION", "42804", "UNION types integer and text cannot be matched"),
        ([T.TEXT, T.INT4], "CASE", "42804", "CASE types text and integer cannot be matched"),
        (
            [T.INT4, T.TEXT],
            "COALESCE",
            "42804",
            "COALESCE types integer and text cannot be matched",
        ),
        ([T.BOOL, T.INT4], "UNION", "42804", "UNION types boolean and integer cannot be matched"),
        (
            [T.INTERVAL, T.TIME],
            "UNION",
            "42804",
            "UNION types interval and time without time zone cannot be matched",
        ),
        (
            [T.INT4_ARRAY, T.TEXT_ARRAY],
            "UNION",
            "42846",
            "UNION could not convert type text[] to integer[]",
        ),
        ([T.JSONB, T.JSON], "UNION", "42846", "UNION could not convert type json to jsonb"),
    ],
)
def test_common_type_errors(
    types: list[SqlType], context: str, sqlstate: str, message: str
) -> None:
    assert error_of(common_type, types, context) == (sqlstate, message)


# -- ordering -----------------------------------------------------------------------------

# PostgreSQL's ORDER BY over these literals (text under COLLATE "C"); ties by their text.
ORDERS = [
    ("float8", ["-Infinity", "-1e+300", "-0", "0", "1e-300", "0.5", "1", "Infinity", "NaN"]),
    ("float4", ["-Infinity", "-0", "0", "0.5", "1", "Infinity", "NaN"]),
    ("numeric", ["-Infinity", "-2", "0", "0", "0.5", "0.50", "1", "1e100", "Infinity", "NaN"]),
    ("text", ["", "B", "Z", "a", "a b", "ab", "b", "~", "ä", "é"]),
    ("bpchar", ["", " a", "a", "a  ", "b"]),
    (
        "interval",
        [
            "-1 day",
            "-00:00:00.000001",
            "00:00:00.000001",
            "1 day",
            "24 hours",
            "1 mon",
            "30 days",
            "31 days",
            "1 year",
            "360 days",
        ],
    ),
    (
        "jsonb",
        [
            "[]",
            "null",
            '""',
            '"a"',
            '"aa"',
            '"b"',
            "-1",
            "1",
            "1.0",
            "2",
            "false",
            "true",
            "[null]",
            '["a"]',
            "[0]",
            "[1]",
            "[2]",
            "[true]",
            "[[]]",
            "[[1]]",
            "[{}]",
            "[1,2]",
            "[1,2,3]",
            "{}",
            '{"a":null}',
            '{"a":[]}',
            '{"a":{}}',
            '{"aa":1}',
            '{"b":1}',
            '{"c":1}',
            '{"a":1,"b":2}',
            '{"aa":1,"b":1}',
            '{"ab":1,"b":2}',
        ],
    ),
    (
        "int[]",
        [
            "{}",
            "{0}",
            "{1}",
            "{{1}}",
            "{1,2}",
            "{1,2,3}",
            "{1,2,3,4}",
            "{{1,2,3,4}}",
            "{{1,2},{3,4}}",
            "{{1},{2},{3},{4}}",
            "{1,NULL}",
            "{2}",
            "{NULL}",
            "{NULL,1}",
        ],
    ),
    ("text[]", ["{}", '{""}', "{a}", "{a,b}", "{b}", "{NULL}"]),
    ("bool", ["f", "t"]),
    (
        "uuid",
        [
            "00000000-0000-0000-0000-000000000000",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a10",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ],
    ),
    ("bytea", ["\\x", "\\x00", "\\x0000", "\\x01", "\\xff"]),
    ('"char"', ["", "A", "a", "b", "\\200", "\\377"]),
    ("timestamptz", ["2024-01-31 04:00+05", "2024-01-31 10:00+00", "2024-01-31 10:00-01"]),
]


@pytest.mark.parametrize(("spec", "ordered"), ORDERS)
def test_sort_key_matches_postgres_order(spec: str, ordered: list[str]) -> None:
    target = sql_type(spec)
    values = [parse_value(text, target) for text in ordered]
    key = sort_key(target)
    assert [key(v) for v in sorted(reversed(values), key=key)] == [key(v) for v in values]
    assert all(key(a) <= key(b) for a, b in itertools.pairwise(values))


def test_values_equal() -> None:
    assert values_equal(math.nan, math.nan, T.FLOAT8)
    assert values_equal(-0.0, 0.0, T.FLOAT8)
    assert values_equal(Decimal("NaN"), Decimal("NaN"), T.NUMERIC)
    assert values_equal(Decimal("1.0"), Decimal("1.00"), T.NUMERIC)
    assert values_equal(Interval(months=1), Interval(days=30), T.INTERVAL)
    assert values_equal("a ", "a", T.BPCHAR)
    assert not values_equal("a ", "a", T.TEXT)
    assert values_equal(Decimal("1.0"), 1, T.JSONB)
    assert not values_equal(True, 1, T.JSONB)
    assert not values_equal(JSON_NULL, [], T.JSONB)
    assert values_equal(None, None, T.INT4) and not values_equal(None, 0, T.INT4)
    assert error_of(values_equal, "{}", "{}", T.JSON) == (
        "42883",
        "could not identify an equality operator for type json",
    )
    assert error_of(sort_key, T.JSON)[0] == "42883"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=True), max_size=8))
def test_float_order_puts_nan_last(values: list[float]) -> None:
    ordered = sorted(values, key=sort_key(T.FLOAT8))
    finite = [v for v in ordered if not math.isnan(v)]
    assert finite == sorted(finite)
    assert all(math.isnan(v) for v in ordered[len(finite) :])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.builds(
            Interval, st.integers(-5, 5), st.integers(-40, 40), st.integers(-(10**11), 10**11)
        ),
        max_size=8,
    )
)
def test_interval_order_follows_the_folded_length(values: list[Interval]) -> None:
    ordered = sorted(values, key=sort_key(T.INTERVAL))
    spans = [v.span() for v in ordered]
    assert spans == sorted(spans)


@settings(max_examples=60, deadline=None)
@given(st.lists(top_level_jsonb(), max_size=6))
def test_jsonb_sort_key_is_a_total_order(values: list[Any]) -> None:
    key = sort_key(T.JSONB)
    ordered = sorted(values, key=key)  # never raises for mixed kinds
    keys = [key(v) for v in ordered]
    assert keys == sorted(keys)
    for a in values:
        for b in values:
            assert values_equal(a, b, T.JSONB) == (key(a) == key(b))
            if values_equal(a, b, T.JSONB):
                assert format_value(a, T.JSONB) == format_value(b, T.JSONB) or a == b


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(-3, 3)), max_size=3), max_size=6))
def test_array_order_is_elementwise_with_null_last(values: list[list[int | None]]) -> None:
    def reference(value: list[int | None]) -> tuple[tuple[tuple[int, int], ...], int]:
        return tuple((1, 0) if v is None else (0, v) for v in value), len(value)

    ordered = sorted(values, key=sort_key(T.INT4_ARRAY))
    assert [reference(v) for v in ordered] == sorted(reference(v) for v in values)
