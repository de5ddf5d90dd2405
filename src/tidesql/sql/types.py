"""SQL types: identity (OIDs, names, modifiers), text and binary I/O, casts, ordering.

Everything the rest of tidesql knows about a PostgreSQL data type lives here, so that a
value leaves the server byte-for-byte as PostgreSQL 15 would send it.

What is a type?
    A :class:`SqlType` value: PostgreSQL's OID, its ``format_type()`` name, ``typlen``,
    ``typcategory``, the OID of its array type, the element type (arrays only) and the
    type modifier (``varchar(10)`` is ``VARCHAR`` with modifier 14, stored PostgreSQL's
    way). Types are plain frozen values, compared by value; :data:`ALL_TYPES` maps every
    built-in OID to its modifier-less type.

How are values represented?
    Fixed, because every other module relies on it: NULL is ``None``; bool ``bool``;
    int2/int4/int8/oid/reg* ``int``; numeric ``Decimal`` (NaN and ±Infinity included,
    never a negative zero, exponent never positive so the scale is kept: ``1.50``);
    float4/float8 ``float`` (a float4 holds a value exactly representable in 32 bits);
    text, varchar, bpchar (already blank-padded), name ``str``; ``"char"`` a ``str`` of
    at most one character (its byte value, '' for the zero byte); bytea ``bytes``; date
    ``datetime.date``; time a naive ``datetime.time``; timestamp a naive ``datetime``;
    timestamptz an aware ``datetime`` in UTC; interval :class:`Interval`; uuid
    ``uuid.UUID``; json the ``str`` as given; jsonb parsed Python values whose numbers are
    ``int`` or ``Decimal`` (``1.50`` stays ``1.50``), with :data:`JSON_NULL` for a jsonb
    that is JSON ``null`` as a whole (``None`` would read as SQL NULL; nested nulls are
    ``None``); arrays nested ``list`` (one level per dimension, lower bound 1; arrays of
    jsonb, int2vector and oidvector, whose values are lists, are one-dimensional);
    int2vector/oidvector ``list[int]``.

How does a value become text, or bytes, and back?
    Through dispatch tables keyed by OID: ``_TEXT_OUT``, ``_TEXT_IN``, ``_BINARY_SEND``,
    ``_BINARY_RECV``. :func:`format_value` is one dict lookup and one call, which
    matters: it runs for every column of every row. :func:`text_formatter` goes one step
    further and hands the protocol layer a per-column callable (``str`` itself for
    integers). Output follows PostgreSQL's rules exactly: shortest round-trip floats
    (``extra_float_digits`` > 0, the PostgreSQL 12+ default), ``DateStyle`` and
    ``IntervalStyle``, jsonb's canonical key order (shorter keys first, then bytewise),
    array quoting. Input is a port of PostgreSQL's parsers for the common spellings:
    ``ParseDateTime``/``DecodeDateTime`` for dates and times, ``DecodeInterval`` (in
    ``interval.py``), ``array_in``'s grammar, and the integer, float, numeric, bool,
    bytea and uuid readers, with the same SQLSTATEs and messages.

How is a cast done?
    :func:`cast_value` follows the ``pg_cast`` rows of PostgreSQL 15 for these types
    (``_CASTS``, each with its context: implicit, assignment or explicit), then the
    I/O-conversion rule (anything to a string type by its output function, a string type
    to anything by the input function), then element-wise array casts, and finally the
    type modifier (length or precision) of the target. :func:`can_coerce` answers the
    same question without a value; :func:`common_type` is ``select_common_type``
    (UNION, CASE, COALESCE).

How are values ordered?
    :func:`sort_key` gives a key that makes Python's ``sorted`` agree with PostgreSQL's
    btree order under the C collation: NaN sorts above every float and numeric, ``-0.0``
    equals ``0.0``, intervals compare by their folded length, bpchar ignores trailing
    blanks, jsonb follows ``compareJsonbContainers`` (null < string < number < boolean <
    array < object, an object with more pairs is greater), arrays compare element by
    element with NULL last, then by length and dimensions.

How was it checked?
    Against a PostgreSQL 15 server: the tables in ``tests/test_sql_types.py`` hold its
    answers (outputs, errors, ``*_send`` bytes, ORDER BY results, UNION result types).

Non-goals: infinite dates and timestamps, BC years and years after 9999, and
``time '24:00:00'`` (Python's datetime cannot hold them; they raise 0A000 or 22008),
array lower bounds other than 1, multidimensional arrays of jsonb, composite (record)
values, and regclass/regproc names, which need the catalog (it can be handed in as
:attr:`FormatSettings.catalog`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import ipaddress
import json
import math
import re
import struct
import uuid
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import interval as _iv
from tidesql.sql.interval import Interval

__all__ = [
    "ALL_TYPES",
    "DEFAULT_SETTINGS",
    "JSON_NULL",
    "CatalogNames",
    "FormatSettings",
    "Interval",
    "SqlType",
    "array_of",
    "can_coerce",
    "cast_value",
    "common_type",
    "decode_binary",
    "encode_binary",
    "format_type",
    "format_value",
    "is_array",
    "is_datetime",
    "is_numeric",
    "is_string",
    "parse_value",
    "sort_key",
    "text_formatter",
    "text_parser",
    "type_by_oid",
    "type_from_name",
    "values_equal",
    "with_modifier",
]


# =======================================================================================
# 1. Identity: the types, their names and modifiers


@dataclass(frozen=True, slots=True)
class SqlType:
    """A PostgreSQL type as a value: ``name`` is PostgreSQL's format_type() spelling."""

    name: str
    oid: int
    typlen: int
    category: str
    array_oid: int = 0
    element: SqlType | None = None
    modifier: int = -1


class CatalogNames(Protocol):
    """What regclass/regproc I/O needs from the catalog (names <-> OIDs)."""

    def object_name(self, reg_type_oid: int, object_oid: int) -> str | None:
        """The display name of object ``object_oid`` (a relation for REGCLASS…)."""
        ...

    def object_oid(self, reg_type_oid: int, name: str) -> int | None:
        """The OID of the object named ``name``, or None if there is none."""
        ...


@dataclass(frozen=True, slots=True)
class FormatSettings:
    date_style: str = "ISO, MDY"
    interval_style: str = "postgres"
    timezone: str = "UTC"
    extra_float_digits: int = 1
    bytea_output: str = "hex"
    #: The transaction's start time (aware), which 'now', 'today', … mean on input.
    now: dt.datetime | None = None
    #: Resolves regclass/regproc names; without it only numeric OIDs are understood.
    catalog: CatalogNames | None = None


DEFAULT_SETTINGS = FormatSettings()

#: Every built-in type by OID (modifier -1), arrays included.
ALL_TYPES: dict[int, SqlType] = {}
_PREFERRED: set[int] = set()


def _define(
    name: str, oid: int, typlen: int, category: str, array_oid: int = 0, preferred: bool = False
) -> SqlType:
    sql_type = SqlType(name, oid, typlen, category, array_oid)
    ALL_TYPES[oid] = sql_type
    if array_oid:
        ALL_TYPES[array_oid] = SqlType(name + "[]", array_oid, -1, "A", 0, sql_type)
    if preferred:
        _PREFERRED.add(oid)
    return sql_type


# Values from PostgreSQL 15's pg_type (oid, typlen, typcategory, typarray, typispreferred).
BOOL = _define("boolean", 16, 1, "B", 1000, preferred=True)
BYTEA = _define("bytea", 17, -1, "U", 1001)
CHAR = _define('"char"', 18, 1, "Z", 1002)
NAME = _define("name", 19, 64, "S", 1003)
INT8 = _define("bigint", 20, 8, "N", 1016)
INT2 = _define("smallint", 21, 2, "N", 1005)
INT2VECTOR = _define("int2vector", 22, -1, "A", 1006)
INT4 = _define("integer", 23, 4, "N", 1007)
REGPROC = _define("regproc", 24, 4, "N", 1008)
TEXT = _define("text", 25, -1, "S", 1009, preferred=True)
OID = _define("oid", 26, 4, "N", 1028, preferred=True)
OIDVECTOR = _define("oidvector", 30, -1, "A", 1013)
JSON = _define("json", 114, -1, "U", 199)
FLOAT4 = _define("real", 700, 4, "N", 1021)
FLOAT8 = _define("double precision", 701, 8, "N", 1022, preferred=True)
UNKNOWN = _define("unknown", 705, -2, "X")
BPCHAR = _define("character", 1042, -1, "S", 1014)
VARCHAR = _define("character varying", 1043, -1, "S", 1015)
DATE = _define("date", 1082, 4, "D", 1182)
TIME = _define("time without time zone", 1083, 8, "D", 1183)
TIMESTAMP = _define("timestamp without time zone", 1114, 8, "D", 1115)
TIMESTAMPTZ = _define("timestamp with time zone", 1184, 8, "D", 1185, preferred=True)
INTERVAL = _define("interval", 1186, 16, "T", 1187, preferred=True)
NUMERIC = _define("numeric", 1700, -1, "N", 1231)
REGCLASS = _define("regclass", 2205, 4, "N", 2210)
REGTYPE = _define("regtype", 2206, 4, "N", 2211)
REGNAMESPACE = _define("regnamespace", 4089, 4, "N", 4090)
REGPROCEDURE = _define("regprocedure", 2202, 4, "N", 2207)
REGROLE = _define("regrole", 4096, 4, "N", 4097)
RECORD = _define("record", 2249, -1, "P", 2287)
VOID = _define("void", 2278, 4, "P")
UUID = _define("uuid", 2950, 16, "U", 2951)
#: Query-time only in DSQL (refused as a column there); values are ipaddress interfaces.
INET = _define("inet", 869, -1, "I", 1041)
JSONB = _define("jsonb", 3802, -1, "U", 3807)


def _array(element: SqlType) -> SqlType:
    return ALL_TYPES[element.array_oid]


BOOL_ARRAY = _array(BOOL)
BYTEA_ARRAY = _array(BYTEA)
CHAR_ARRAY = _array(CHAR)
NAME_ARRAY = _array(NAME)
INT8_ARRAY = _array(INT8)
INT2_ARRAY = _array(INT2)
INT2VECTOR_ARRAY = _array(INT2VECTOR)
INT4_ARRAY = _array(INT4)
REGPROC_ARRAY = _array(REGPROC)
TEXT_ARRAY = _array(TEXT)
OID_ARRAY = _array(OID)
OIDVECTOR_ARRAY = _array(OIDVECTOR)
JSON_ARRAY = _array(JSON)
FLOAT4_ARRAY = _array(FLOAT4)
FLOAT8_ARRAY = _array(FLOAT8)
BPCHAR_ARRAY = _array(BPCHAR)
VARCHAR_ARRAY = _array(VARCHAR)
DATE_ARRAY = _array(DATE)
TIME_ARRAY = _array(TIME)
TIMESTAMP_ARRAY = _array(TIMESTAMP)
TIMESTAMPTZ_ARRAY = _array(TIMESTAMPTZ)
INTERVAL_ARRAY = _array(INTERVAL)
NUMERIC_ARRAY = _array(NUMERIC)
REGCLASS_ARRAY = _array(REGCLASS)
REGTYPE_ARRAY = _array(REGTYPE)
RECORD_ARRAY = _array(RECORD)
UUID_ARRAY = _array(UUID)
JSONB_ARRAY = _array(JSONB)

_INT_OIDS = frozenset({INT2.oid, INT4.oid, INT8.oid})
_NUMERIC_OIDS = frozenset({INT2.oid, INT4.oid, INT8.oid, FLOAT4.oid, FLOAT8.oid, NUMERIC.oid})
_VECTOR_OIDS = frozenset({INT2VECTOR.oid, OIDVECTOR.oid})
# Types whose values may themselves be Python lists. An array of them cannot tell a
# nested list (a value) from another dimension, so such arrays are one-dimensional.
_LIST_VALUED_OIDS = _VECTOR_OIDS | {JSONB.oid}
_VARHDRSZ = 4


def is_array(sql_type: SqlType) -> bool:
    """True for array types (``integer[]``…), not for int2vector/oidvector."""
    return sql_type.element is not None


def is_numeric(sql_type: SqlType) -> bool:
    """smallint, integer, bigint, real, double precision, numeric."""
    return sql_type.oid in _NUMERIC_OIDS


def is_string(sql_type: SqlType) -> bool:
    """PostgreSQL's string category: text, varchar, bpchar, name."""
    return sql_type.category == "S"


def is_datetime(sql_type: SqlType) -> bool:
    """date, time, timestamp, timestamptz and interval (categories D and T)."""
    return sql_type.category in ("D", "T")


def type_by_oid(oid: int) -> SqlType:
    """The built-in type with this OID (modifier -1); 42704 if there is none."""
    try:
        return ALL_TYPES[oid]
    except KeyError:
        raise TideError(
            f"type with OID {oid} does not exist", sqlstate=sqlstates.UNDEFINED_OBJECT
        ) from None


def array_of(sql_type: SqlType) -> SqlType:
    """The array type whose elements are ``sql_type`` (keeping its modifier).

    An array of an array is the same array type, as in PostgreSQL, where
    ``ARRAY[ARRAY[1]]`` is a two-dimensional ``integer[]``.
    """
    if sql_type.element is not None:
        return sql_type
    if sql_type.array_oid == 0:
        raise TideError(
            f"could not find array type for data type {sql_type.name}",
            sqlstate=sqlstates.UNDEFINED_OBJECT,
        )
    base = ALL_TYPES[sql_type.array_oid]
    if sql_type.modifier < 0:
        return base
    return replace(base, element=sql_type, modifier=sql_type.modifier)


def with_modifier(sql_type: SqlType, modifier: int) -> SqlType:
    """``sql_type`` with another type modifier (for arrays, on the elements too)."""
    if sql_type.modifier == modifier:
        return sql_type
    if sql_type.element is not None:
        return replace(
            sql_type, element=with_modifier(sql_type.element, modifier), modifier=modifier
        )
    return replace(sql_type, modifier=modifier)


# The names type_from_name understands: pg_type.typname, and the SQL spellings users
# write (pg_query already turns most keywords into pg_catalog.<typname>).
_TYPE_NAMES: dict[str, SqlType] = {
    "bool": BOOL,
    "boolean": BOOL,
    "bytea": BYTEA,
    '"char"': CHAR,
    "name": NAME,
    "int8": INT8,
    "bigint": INT8,
    "int2": INT2,
    "smallint": INT2,
    "int2vector": INT2VECTOR,
    "int4": INT4,
    "int": INT4,
    "integer": INT4,
    "regproc": REGPROC,
    "text": TEXT,
    "oid": OID,
    "oidvector": OIDVECTOR,
    "json": JSON,
    "float4": FLOAT4,
    "real": FLOAT4,
    "float8": FLOAT8,
    "float": FLOAT8,
    "double precision": FLOAT8,
    "unknown": UNKNOWN,
    "bpchar": BPCHAR,
    "varchar": VARCHAR,
    "character varying": VARCHAR,
    "char varying": VARCHAR,
    "date": DATE,
    "time": TIME,
    "time without time zone": TIME,
    "timestamp": TIMESTAMP,
    "timestamp without time zone": TIMESTAMP,
    "timestamptz": TIMESTAMPTZ,
    "timestamp with time zone": TIMESTAMPTZ,
    "interval": INTERVAL,
    "numeric": NUMERIC,
    "decimal": NUMERIC,
    "dec": NUMERIC,
    "regclass": REGCLASS,
    "regtype": REGTYPE,
    "regnamespace": REGNAMESPACE,
    "regprocedure": REGPROCEDURE,
    "regrole": REGROLE,
    "record": RECORD,
    "void": VOID,
    "uuid": UUID,
    "jsonb": JSONB,
    "inet": INET,
}
# SQL's CHAR and CHARACTER without a length mean char(1).
_CHAR_ALIASES = frozenset({"char", "character"})
_MAX_VARCHAR_LENGTH = 10 * 1024 * 1024


def _typmod_from_user(sql_type: SqlType, typmods: list[int]) -> int:
    """PostgreSQL's typmodin for the types that take modifiers."""
    if not typmods:
        return -1
    oid = sql_type.oid
    if oid in (VARCHAR.oid, BPCHAR.oid):
        keyword = "varchar" if oid == VARCHAR.oid else "char"
        if len(typmods) != 1:
            raise TideError("invalid type modifier", sqlstate=sqlstates.INVALID_PARAMETER_VALUE)
        length = typmods[0]
        if length < 1:
            raise TideError(
                f"length for type {keyword} must be at least 1",
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
        if length > _MAX_VARCHAR_LENGTH:
            raise TideError(
                f"length for type {keyword} cannot exceed {_MAX_VARCHAR_LENGTH}",
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
        return length + _VARHDRSZ
    if oid == NUMERIC.oid:
        if len(typmods) > 2:
            raise TideError(
                "invalid NUMERIC type modifier", sqlstate=sqlstates.INVALID_PARAMETER_VALUE
            )
        precision = typmods[0]
        scale = typmods[1] if len(typmods) == 2 else 0
        if not 1 <= precision <= 1000:
            raise TideError(
                f"NUMERIC precision {precision} must be between 1 and 1000",
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
        if not -1000 <= scale <= 1000:
            raise TideError(
                f"NUMERIC scale {scale} must be between -1000 and 1000",
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
        return ((precision << 16) | (scale & 0x7FF)) + _VARHDRSZ
    if oid in (TIMESTAMP.oid, TIMESTAMPTZ.oid, TIME.oid):
        if len(typmods) != 1:
            raise TideError("invalid type modifier", sqlstate=sqlstates.INVALID_PARAMETER_VALUE)
        precision = typmods[0]
        if precision < 0:
            word = "TIME" if oid == TIME.oid else "TIMESTAMP"
            suffix = "" if oid != TIMESTAMPTZ.oid else " WITH TIME ZONE"
            raise TideError(
                f"{word}({precision}){suffix} precision must not be negative",
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
        return min(precision, 6)
    if oid == INTERVAL.oid:
        return _iv.typmod_from_pg_query(typmods)
    raise TideError(
        f'type modifier is not allowed for type "{sql_type.name}"',
        sqlstate=sqlstates.SYNTAX_ERROR,
    )


def type_from_name(
    names: list[str], typmods: list[int] | None = None, array_bounds: int = 0
) -> SqlType:
    """Resolve a type name as pg_query's TypeName gives it.

    ``names`` is ``['pg_catalog', 'int4']``, ``['text']``, …; ``typmods`` are the
    user-level modifiers (``[10]`` for varchar(10), ``[10, 2]`` for numeric(10,2)),
    stored PostgreSQL's way; ``array_bounds`` > 0 makes it an array type. Common SQL
    spellings (``integer``, ``character varying``, ``double precision``…) are accepted;
    pg_query already turns SQL's unquoted ``char``/``character`` into
    ``pg_catalog.bpchar`` with modifier 1, so a bare ``char`` can only come from the quoted
    ``"char"``: the single-byte internal type. Unknown names raise 42704.
    """
    typmods = list(typmods or [])
    if len(names) == 2 and names[0] == "pg_catalog":
        name = names[1]
    elif len(names) == 1:
        name = names[0]
    else:
        raise TideError(
            f'type "{".".join(names)}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT
        )
    key = name if name.startswith('"') else name.lower()
    if key in ("char", '"char"'):
        sql_type: SqlType | None = CHAR
    elif key in _CHAR_ALIASES:
        sql_type = BPCHAR
        if not typmods:
            typmods = [1]
    elif key.startswith("_") and key[1:] in _TYPE_NAMES:
        element = _TYPE_NAMES[key[1:]]
        sql_type = ALL_TYPES.get(element.array_oid)
    else:
        sql_type = _TYPE_NAMES.get(key)
    if sql_type is None:
        raise TideError(f'type "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT)
    if typmods:
        base = sql_type.element if sql_type.element is not None else sql_type
        sql_type = with_modifier(sql_type, _typmod_from_user(base, typmods))
    if array_bounds > 0:
        sql_type = array_of(sql_type)
    return sql_type


def _numeric_precision_scale(modifier: int) -> tuple[int, int]:
    value = modifier - _VARHDRSZ
    scale = value & 0x7FF
    if scale >= 0x400:
        scale -= 0x800  # PostgreSQL 15 stores negative scales in 11 bits.
    return (value >> 16) & 0xFFFF, scale


def format_type(sql_type: SqlType) -> str:
    """PostgreSQL's ``format_type(oid, typmod)``: ``character varying(10)``,
    ``numeric(10,2)``, ``timestamp(3) with time zone``, ``integer[]``."""
    if sql_type.element is not None:
        return format_type(with_modifier(sql_type.element, sql_type.modifier)) + "[]"
    modifier = sql_type.modifier
    oid = sql_type.oid
    if modifier < 0:
        # format_type reports a modifier-less bpchar as "bpchar", because "character"
        # would mean character(1).
        return "bpchar" if oid == BPCHAR.oid else sql_type.name
    if oid in (VARCHAR.oid, BPCHAR.oid):
        return f"{sql_type.name}({modifier - _VARHDRSZ})"
    if oid == NUMERIC.oid:
        precision, scale = _numeric_precision_scale(modifier)
        return f"numeric({precision},{scale})"
    if oid == TIMESTAMP.oid:
        return f"timestamp({modifier}) without time zone"
    if oid == TIMESTAMPTZ.oid:
        return f"timestamp({modifier}) with time zone"
    if oid == TIME.oid:
        return f"time({modifier}) without time zone"
    if oid == INTERVAL.oid:
        return "interval" + _iv.typmod_suffix(modifier)
    return sql_type.name


# =======================================================================================
# 2. Session settings: DateStyle and TimeZone

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


# =======================================================================================
# 3. Error helpers


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


# =======================================================================================
# 4. Scalar text I/O
#
# Every output function takes (value, type, settings) and every input function takes
# (text, type, settings); both are registered by OID in the tables of section 7.

OutputFn = Callable[[Any, SqlType, FormatSettings], str]
InputFn = Callable[[str, SqlType, FormatSettings], Any]

_INT_RANGES: dict[int, tuple[int, int]] = {
    INT2.oid: (-(2**15), 2**15 - 1),
    INT4.oid: (-(2**31), 2**31 - 1),
    INT8.oid: (-(2**63), 2**63 - 1),
}
_INT_SYNTAX = re.compile(r"[ \t\n\r\v\f]*([+-]?[0-9]+)[ \t\n\r\v\f]*\Z")


def _int_out(value: int, sql_type: SqlType, settings: FormatSettings) -> str:
    return str(value)


def _make_int_in(low: int, high: int) -> InputFn:
    """pg_strtoint for one width. The common case, plain ASCII digits, costs three C
    calls; int() alone would also accept '1_000', '²' and Unicode spaces, which
    PostgreSQL rejects, so anything else goes through the exact syntax."""

    def parse(text: str, sql_type: SqlType, settings: FormatSettings) -> int:
        if text.isdigit() and text.isascii():
            value = int(text)
            if value <= high:
                return value
            raise _value_out_of_range(sql_type.name, text)
        match = _INT_SYNTAX.match(text)
        if match is None:
            raise _invalid_syntax(sql_type.name, text)
        value = int(match.group(1))
        if low <= value <= high:
            return value
        raise _value_out_of_range(sql_type.name, text)

    return parse


_int2_in = _make_int_in(*_INT_RANGES[INT2.oid])
_int4_in = _make_int_in(*_INT_RANGES[INT4.oid])
_int8_in = _make_int_in(*_INT_RANGES[INT8.oid])


def _oid_in(text: str, sql_type: SqlType, settings: FormatSettings) -> int:
    """oidin: an unsigned 32-bit number; negatives down to -2^31 wrap around."""
    match = _INT_SYNTAX.match(text)
    if match is None:
        raise _invalid_syntax("oid", text)
    value = int(match.group(1))
    if not -(2**31) <= value <= 2**32 - 1:
        raise _value_out_of_range("oid", text)
    return value & 0xFFFFFFFF


def _bool_out(value: bool, sql_type: SqlType, settings: FormatSettings) -> str:
    return "t" if value else "f"


_BOOL_FAST = {"t": True, "f": False, "true": True, "false": False}


def _bool_in(text: str, sql_type: SqlType, settings: FormatSettings) -> bool:
    """parse_bool: any prefix of true/false/yes/no, on/off (two letters at least), 1/0."""
    fast = _BOOL_FAST.get(text)
    if fast is not None:
        return fast
    word = text.strip(_SPACES).lower()
    if word:
        first = word[0]
        if (first == "t" and "true".startswith(word)) or (first == "y" and "yes".startswith(word)):
            return True
        if (first == "f" and "false".startswith(word)) or (first == "n" and "no".startswith(word)):
            return False
        if word in ("on", "1"):
            return True
        if word in ("of", "off", "0"):
            return False
    raise _invalid_syntax("boolean", text)


# --- floats --------------------------------------------------------------------------

_FLOAT4 = struct.Struct(">f")
_FLOAT_SYNTAX = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\n\r\v\f]*\Z"
)
_FLOAT_WORDS = {
    "nan": math.nan,
    "+nan": math.nan,
    "-nan": math.nan,
    "inf": math.inf,
    "+inf": math.inf,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-inf": -math.inf,
    "-infinity": -math.inf,
}


def _to_float4(value: float) -> float:
    """Round a double to the nearest float4 (inf if it does not fit)."""
    try:
        result: float = _FLOAT4.unpack(_FLOAT4.pack(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    return result


def _float_special(value: float) -> str | None:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return None


def _digits_to_text(negative: bool, digits: str, exponent: int, fixed_below: int) -> str:
    """Lay out significant ``digits`` (d.ddd × 10^exponent) the way PostgreSQL's Ryu
    output does: fixed notation when -4 <= exponent < fixed_below, else d.ddde±XX."""
    sign = "-" if negative else ""
    if -4 <= exponent < fixed_below:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            fraction = digits[exponent + 1 :]
        else:
            whole = "0"
            fraction = "0" * (-exponent - 1) + digits
        return sign + whole + ("." + fraction if fraction else "")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def _float8_text(value: float, extra_float_digits: int) -> str:
    special = _float_special(value)
    if special is not None:
        return special
    if extra_float_digits <= 0:
        return f"{value:.{max(1, 15 + extra_float_digits)}g}"
    # repr() is the shortest string that reads back as the same double, which is what
    # PostgreSQL prints. Only the layout differs: Python switches to exponent notation
    # at 1e16, PostgreSQL at 1e15, and Python adds '.0' to integral values.
    text = repr(value)
    if "e" in text:
        return text
    if abs(value) >= 1e15:
        whole, _, fraction = text.lstrip("-").partition(".")
        digits = (whole + fraction).rstrip("0")
        return _digits_to_text(value < 0, digits, len(whole) - 1, 15)
    if text.endswith(".0"):
        return text[:-2]
    return text


def _float4_text(value: float, extra_float_digits: int) -> str:
    special = _float_special(value)
    if special is not None:
        return special
    if extra_float_digits <= 0:
        return f"{value:.{max(1, 6 + extra_float_digits)}g}"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    # The shortest decimal that reads back as the same float4 (at most 9 digits).
    text = f"{value:.8e}"
    for precision in range(1, 10):
        candidate = f"{value:.{precision - 1}e}"
        if _to_float4(float(candidate)) == value:
            text = candidate
            break
    mantissa, _, exponent = text.partition("e")
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    return _digits_to_text(value < 0, digits, int(exponent), 6)


def _float8_out(value: float, sql_type: SqlType, settings: FormatSettings) -> str:
    return _float8_text(value, settings.extra_float_digits)


def _float4_out(value: float, sql_type: SqlType, settings: FormatSettings) -> str:
    return _float4_text(value, settings.extra_float_digits)


def _parse_float(text: str, type_name: str) -> float:
    match = _FLOAT_SYNTAX.match(text)
    if match is None:
        word = _FLOAT_WORDS.get(text.strip(_SPACES).lower())
        if word is None:
            raise _invalid_syntax(type_name, text)
        return word
    literal = match.group(1)
    value = float(literal)
    if math.isinf(value) or (value == 0.0 and _has_nonzero_digit(literal)):
        raise TideError(
            f'"{text}" is out of range for type {type_name}',
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        )
    return value


def _has_nonzero_digit(literal: str) -> bool:
    mantissa = literal.split("e")[0].split("E")[0]
    return any(c in "123456789" for c in mantissa)


def _float8_in(text: str, sql_type: SqlType, settings: FormatSettings) -> float:
    return _parse_float(text, "double precision")


def _float4_in(text: str, sql_type: SqlType, settings: FormatSettings) -> float:
    value = _parse_float(text, "real")
    rounded = _to_float4(value)
    if (math.isinf(rounded) and not math.isinf(value)) or (rounded == 0.0 and value != 0.0):
        raise TideError(
            f'"{text}" is out of range for type real',
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        )
    return rounded


# --- numeric -------------------------------------------------------------------------

# Decimal arithmetic here must never round: PostgreSQL's numeric is exact.
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)
_ONE = Decimal(1)
_NAN = Decimal("NaN")
_INFINITY = Decimal("Infinity")
_NUMERIC_SYNTAX = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\n\r\v\f]*\Z"
)
_NUMERIC_WORDS = {
    "nan": _NAN,
    "infinity": _INFINITY,
    "+infinity": _INFINITY,
    "inf": _INFINITY,
    "+inf": _INFINITY,
    "-infinity": -_INFINITY,
    "-inf": -_INFINITY,
}
_NUMERIC_MAX_WEIGHT_DIGITS = 131072
_NUMERIC_MAX_DSCALE = 16383


def _numeric_normalize(value: Decimal) -> Decimal:
    """PostgreSQL's form of a finite numeric: no positive exponent (an integer written
    1E+3 becomes 1000), no negative zero."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        value = value.quantize(_ONE, context=_EXACT)
    if value.is_signed() and value.is_zero():
        value = value.copy_abs()
    return value


def _numeric_check_size(value: Decimal) -> Decimal:
    if value.is_finite():
        exponent = value.as_tuple().exponent
        if (isinstance(exponent, int) and -exponent > _NUMERIC_MAX_DSCALE) or (
            not value.is_zero() and value.adjusted() >= _NUMERIC_MAX_WEIGHT_DIGITS
        ):
            raise TideError(
                "value overflows numeric format", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE
            )
    return value


def _numeric_out(value: Decimal | int, sql_type: SqlType, settings: FormatSettings) -> str:
    # str() is three times faster than format(value, "f") and gives the same plain
    # notation unless the number is tiny (or has a positive exponent, which a
    # normalized numeric never has); an int computed for a numeric column also works.
    text = str(value)
    if "E" in text:
        text = format(value, "f")
    if text[0] == "-" and (text == "-NaN" or not text.strip("-0.")):
        return text[1:]  # PostgreSQL has no negative zero
    return text


def _numeric_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Decimal:
    match = _NUMERIC_SYNTAX.match(text)
    if match is None:
        word = _NUMERIC_WORDS.get(text.strip(_SPACES).lower())
        if word is None:
            raise _invalid_syntax("numeric", text)
        value = word
    else:
        literal = match.group(1)
        if "e" in literal or "E" in literal:
            exponent = int(literal.replace("E", "e").rpartition("e")[2])
            if abs(exponent) > 1000 + len(literal):
                # PostgreSQL refuses exponents far outside the representable range.
                raise TideError(
                    "value overflows numeric format",
                    sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
                )
        value = _numeric_check_size(_numeric_normalize(Decimal(literal)))
    if sql_type.modifier >= 0:
        value = _numeric_apply_typmod(value, sql_type.modifier)
    return value


def _numeric_apply_typmod(value: Decimal, modifier: int) -> Decimal:
    """apply_typmod: round to the scale (half away from zero), then check precision."""
    if modifier < _VARHDRSZ or value.is_nan():
        return value
    precision, scale = _numeric_precision_scale(modifier)
    if value.is_infinite():
        raise TideError(
            "numeric field overflow",
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
            detail=f"A field with precision {precision}, scale {scale} cannot hold an "
            "infinite value.",
        )
    rounded = value.quantize(
        Decimal((0, (1,), -scale)), rounding=decimal.ROUND_HALF_UP, context=_EXACT
    )
    max_digits = precision - scale
    if not rounded.is_zero() and rounded.adjusted() >= max_digits:
        bound = f"10^{max_digits}" if max_digits else "1"
        raise TideError(
            "numeric field overflow",
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
            detail=f"A field with precision {precision}, scale {scale} must round to an "
            f"absolute value less than {bound}.",
        )
    return _numeric_normalize(rounded)


# --- strings -------------------------------------------------------------------------


def _text_out(value: str, sql_type: SqlType, settings: FormatSettings) -> str:
    return value


def _text_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    return text


def _too_long(sql_type: SqlType) -> TideError:
    return TideError(
        f"value too long for type {format_type(sql_type)}",
        sqlstate=sqlstates.STRING_DATA_RIGHT_TRUNCATION,
    )


def _varchar_coerce(value: str, sql_type: SqlType, explicit: bool) -> str:
    """varchar(n): an explicit cast truncates; otherwise only blanks may be cut off."""
    if sql_type.modifier < _VARHDRSZ:
        return value
    length = sql_type.modifier - _VARHDRSZ
    if len(value) <= length:
        return value
    if not explicit and value[length:].strip(" "):
        raise _too_long(sql_type)
    return value[:length]


def _bpchar_coerce(value: str, sql_type: SqlType, explicit: bool) -> str:
    """character(n): as varchar(n), then blank-padded to n."""
    if sql_type.modifier < _VARHDRSZ:
        return value
    length = sql_type.modifier - _VARHDRSZ
    if len(value) > length:
        if not explicit and value[length:].strip(" "):
            raise _too_long(sql_type)
        return value[:length]
    return value.ljust(length)


def _varchar_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    if sql_type.modifier < _VARHDRSZ:
        return text
    return _varchar_coerce(text, sql_type, False)


def _bpchar_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    if sql_type.modifier < _VARHDRSZ:
        return text
    return _bpchar_coerce(text, sql_type, False)


_NAME_BYTES_MAX = 63  # NAMEDATALEN - 1


def _name_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    """name: truncated to 63 bytes, never in the middle of a character."""
    if len(text) <= _NAME_BYTES_MAX // 4:
        return text
    encoded = text.encode("utf-8")
    if len(encoded) <= _NAME_BYTES_MAX:
        return text
    return encoded[:_NAME_BYTES_MAX].decode("utf-8", errors="ignore")


def _char_out(value: str, sql_type: SqlType, settings: FormatSettings) -> str:
    """ "char": the byte itself, '' for zero, \\ooo for bytes with the high bit set."""
    if not value or value == "\0":
        return ""
    code = ord(value)
    return f"\\{code:03o}" if code >= 0x80 else value


_OCTAL_DIGITS = "01234567"


def _char_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    """charin: the first byte, or \\ooo."""
    if len(text) == 4 and text[0] == "\\" and all(c in _OCTAL_DIGITS for c in text[1:]):
        code = int(text[1:], 8) & 0xFF
    elif not text:
        return ""
    else:
        code = text.encode("utf-8")[0]
    return chr(code) if code else ""


# --- bytea ---------------------------------------------------------------------------

_HEX_SPACES = " \n\t\r"


def _bytea_out(value: bytes, sql_type: SqlType, settings: FormatSettings) -> str:
    if settings.bytea_output == "hex":
        return "\\x" + value.hex()
    parts = []
    for byte in value:
        if byte == 0x5C:
            parts.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        else:
            parts.append(f"\\{byte:03o}")
    return "".join(parts)


def _bytea_in(text: str, sql_type: SqlType, settings: FormatSettings) -> bytes:
    if text.startswith("\\x"):
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            return _bytea_hex_slow(text[2:])
    if "\\" not in text:
        return text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
        elif text[i + 1 : i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif (
            len(text) >= i + 4
            and text[i + 1] in "0123"
            and text[i + 2] in _OCTAL_DIGITS
            and text[i + 3] in _OCTAL_DIGITS
        ):
            out.append(int(text[i + 1 : i + 4], 8))
            i += 4
        else:
            raise _invalid_syntax_plain("bytea")
    return bytes(out)


def _invalid_syntax_plain(type_name: str) -> TideError:
    return TideError(
        f"invalid input syntax for type {type_name}",
        sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION,
    )


def _bytea_hex_slow(digits: str) -> bytes:
    """hex_decode, for PostgreSQL's exact error messages."""
    out = bytearray()
    i = 0
    while i < len(digits):
        if digits[i] in _HEX_SPACES:
            i += 1
            continue
        pair = []
        for _ in range(2):
            if i >= len(digits):
                raise TideError(
                    "invalid hexadecimal data: odd number of digits",
                    sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
                )
            char = digits[i]
            if char not in "0123456789abcdefABCDEF":
                raise TideError(
                    f'invalid hexadecimal digit: "{char}"',
                    sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
                )
            pair.append(char)
            i += 1
        out.append(int("".join(pair), 16))
    return bytes(out)


# --- uuid ----------------------------------------------------------------------------

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _uuid_out(value: uuid.UUID, sql_type: SqlType, settings: FormatSettings) -> str:
    return str(value)


def _uuid_in(text: str, sql_type: SqlType, settings: FormatSettings) -> uuid.UUID:
    """string_to_uuid: 32 hex digits, optionally braced, optionally a '-' after any
    group of four."""
    pos = 0
    braces = text.startswith("{")
    if braces:
        pos = 1
    digits = []
    for index in range(16):
        pair = text[pos : pos + 2]
        if len(pair) != 2 or pair[0] not in _HEX_DIGITS or pair[1] not in _HEX_DIGITS:
            raise _invalid_syntax("uuid", text)
        digits.append(pair)
        pos += 2
        if index % 2 == 1 and index < 15 and text[pos : pos + 1] == "-":
            pos += 1
    if braces:
        if text[pos : pos + 1] != "}":
            raise _invalid_syntax("uuid", text)
        pos += 1
    if pos != len(text):
        raise _invalid_syntax("uuid", text)
    return uuid.UUID("".join(digits))


# --- inet ------------------------------------------------------------------------------

Inet = ipaddress.IPv4Interface | ipaddress.IPv6Interface

#: PostgreSQL's address families in inet's binary form (PGSQL_AF_INET, PGSQL_AF_INET6).
_INET_FAMILIES = {4: 2, 6: 3}


def _inet_out(value: Inet, sql_type: SqlType, settings: FormatSettings) -> str:
    """inet_out: the address, with its mask length only when it is not a single host."""
    if value.network.prefixlen == value.max_prefixlen:
        return str(value.ip)
    return str(value)


def inet_order_key(value: Inet) -> tuple[int, int, int, int]:
    """network_cmp's order: family, then the network bits, then the mask length, then
    the whole address."""
    network = value.network
    return (value.version, int(network.network_address), network.prefixlen, int(value.ip))


def _inet_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Inet:
    try:
        return ipaddress.ip_interface(text.strip())
    except ValueError:
        raise _invalid_syntax("inet", text) from None


# --- json and jsonb ------------------------------------------------------------------

_json_quote: Callable[[str], str] = json.encoder.encode_basestring


@dataclass(frozen=True, slots=True)
class _JsonNull:
    """The jsonb value ``'null'``, which is not SQL NULL."""

    def __repr__(self) -> str:
        return "JSON_NULL"


#: A jsonb whose whole value is JSON ``null``. Inside arrays and objects a JSON null is
#: plain ``None``; only at the top level would ``None`` be mistaken for SQL NULL.
JSON_NULL: Any = _JsonNull()


def _json_reject_constant(word: str) -> Any:
    raise ValueError(f'Token "{word}" is invalid.')


def _json_number(literal: str) -> Decimal:
    return _numeric_normalize(Decimal(literal))


_JSONB_DECODER = json.JSONDecoder(
    parse_float=_json_number, parse_constant=_json_reject_constant, strict=True
)
_JSON_DECODER = json.JSONDecoder(
    parse_float=str, parse_int=str, parse_constant=_json_reject_constant, strict=True
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _json_error(text: str, detail: str) -> TideError:
    return TideError(
        "invalid input syntax for type json",
        sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION,
        detail=detail,
    )


def _json_error_detail(text: str, error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        start = error.pos
        if error.msg.startswith("Extra data"):
            # PostgreSQL names the whole lexeme: '01' is one invalid token, not '1'.
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.+-"):
                start -= 1
        rest = text[start:].lstrip(" \t\n\r")
        if not rest:
            return "The input string ended unexpectedly."
        token = re.match(r"[A-Za-z0-9_.+-]+|.", rest, re.DOTALL)
        found = token.group(0) if token else rest[:1]
        if error.msg.startswith("Extra data") or found[0].isalnum():
            return f'Token "{found}" is invalid.'
        return f'Expected JSON value, but found "{found}".'
    return str(error)


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    return False


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\0" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any("\0" in k or _has_nul(v) for k, v in value.items())
    return False


def _json_parse(text: str, decoder: json.JSONDecoder) -> Any:
    try:
        value = decoder.decode(text)
    except ValueError as error:
        raise _json_error(text, _json_error_detail(text, error)) from None
    except RecursionError:
        raise TideError(
            "stack depth limit exceeded", sqlstate=sqlstates.STATEMENT_TOO_COMPLEX
        ) from None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) and _has_surrogate(value):
        raise _json_error(text, "Unicode low surrogate must follow a high surrogate.")
    return value


def _json_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    _json_parse(text, _JSON_DECODER)
    return text


def _jsonb_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Any:
    value = _json_parse(text, _JSONB_DECODER)
    if "\\u0000" in text and _has_nul(value):
        raise TideError(
            "unsupported Unicode escape sequence",
            sqlstate=sqlstates.UNTRANSLATABLE_CHARACTER,
            detail="\\u0000 cannot be converted to text.",
        )
    return JSON_NULL if value is None else value


def _jsonb_key_order(key: str) -> tuple[int, bytes]:
    encoded = key.encode("utf-8")
    return len(encoded), encoded


def _jsonb_text(value: Any) -> str:
    """jsonb's canonical text: ', ' and ': ', keys shortest first then bytewise."""
    if value is None or value is JSON_NULL:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_quote(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _numeric_out(_numeric_normalize(value), NUMERIC, DEFAULT_SETTINGS)
    if isinstance(value, float):
        return _float8_text(value, 1)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_jsonb_text(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_jsonb_key_order)
        return "{" + ", ".join(f"{_json_quote(k)}: {_jsonb_text(value[k])}" for k in keys) + "}"
    raise TideError(
        f"cannot represent {type(value).__name__} as jsonb",
        sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
    )


def _jsonb_out(value: Any, sql_type: SqlType, settings: FormatSettings) -> str:
    return _jsonb_text(value)


# --- oid-like ------------------------------------------------------------------------


def _reg_out(value: int, sql_type: SqlType, settings: FormatSettings) -> str:
    if value == 0:
        return "-"  # InvalidOid, as regclassout and friends print it
    if sql_type.oid == REGTYPE.oid:
        known = ALL_TYPES.get(value)
        if known is not None:
            return known.name
    if settings.catalog is not None:  # regtype: a domain of the catalog
        name = settings.catalog.object_name(sql_type.oid, value)
        if name is not None:
            return name
    return str(value)


def _reg_in(text: str, sql_type: SqlType, settings: FormatSettings) -> int:
    stripped = text.strip(_SPACES)
    if stripped.isdigit() and stripped.isascii():
        return _oid_in(text, OID, settings)
    if stripped == "-":
        return 0
    if settings.catalog is not None:
        found = settings.catalog.object_oid(sql_type.oid, stripped)
        if found is not None:
            return found
    if sql_type.oid == REGTYPE.oid:
        return _regtype_from_text(stripped).oid
    if sql_type.oid == REGCLASS.oid:
        raise TideError(f'relation "{stripped}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
    raise TideError(f'function "{stripped}" does not exist', sqlstate=sqlstates.UNDEFINED_FUNCTION)


_REGTYPE_SYNTAX = re.compile(r"(.+?)\s*(?:\(\s*[-\d\s,]+\))?\s*((?:\[\d*\])*)\Z", re.DOTALL)


def _regtype_from_text(text: str) -> SqlType:
    match = _REGTYPE_SYNTAX.match(text)
    words = match.group(1) if match else text
    names = [part.strip() for part in words.split(".")] if "." in words else [words]
    if len(names) == 1:
        names = [" ".join(words.split())]
        if names[0].lower() in ("char", "character"):
            # SQL's unquoted char is character(1); only "char" quoted is the byte type.
            names = ["bpchar"]
    sql_type = type_from_name(names)
    if match and match.group(2):
        sql_type = array_of(sql_type)
    return sql_type


def _vector_out(value: list[int], sql_type: SqlType, settings: FormatSettings) -> str:
    return " ".join(str(item) for item in value)


def _vector_in(text: str, sql_type: SqlType, settings: FormatSettings) -> list[int]:
    element_in = _oid_in if sql_type.oid == OIDVECTOR.oid else _int2_in
    element = OID if sql_type.oid == OIDVECTOR.oid else INT2
    return [element_in(part, element, settings) for part in text.split()]


def _void_out(value: Any, sql_type: SqlType, settings: FormatSettings) -> str:
    return ""


def _void_in(text: str, sql_type: SqlType, settings: FormatSettings) -> None:
    return None


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


# =======================================================================================
# 5. Dates and times
#
# Output honours DateStyle; input is a port of PostgreSQL's ParseDateTime (shared with
# interval.py) and DecodeDateTime, keeping its field masks so the same inputs are
# accepted and rejected.

_MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _clock_text(value: dt.time | dt.datetime) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def _date_text(value: dt.date, style: str, order: str) -> str:
    y, m, d = value.year, value.month, value.day
    if style == "ISO":
        return f"{y:04d}-{m:02d}-{d:02d}"
    if style == "SQL":
        return f"{d:02d}/{m:02d}/{y:04d}" if order == "DMY" else f"{m:02d}/{d:02d}/{y:04d}"
    if style == "GERMAN":
        return f"{d:02d}.{m:02d}.{y:04d}"
    return f"{d:02d}-{m:02d}-{y:04d}" if order == "DMY" else f"{m:02d}-{d:02d}-{y:04d}"


def _date_out(value: dt.date, sql_type: SqlType, settings: FormatSettings) -> str:
    if settings.date_style == "ISO, MDY":
        return value.isoformat()
    style, order = _date_style(settings.date_style)
    return _date_text(value, style, order)


def _time_out(value: dt.time, sql_type: SqlType, settings: FormatSettings) -> str:
    text = value.isoformat()
    return text.rstrip("0") if value.microsecond else text


def _datetime_text(value: dt.datetime, settings: FormatSettings, zone_suffix: str | None) -> str:
    """EncodeDateTime for a local wall-clock time; ``zone_suffix`` is None for timestamp,
    else the (offset, abbreviation) rendering for the style."""
    style, order = _date_style(settings.date_style)
    if style == "POSTGRES":
        day_name = _DAY_ABBREVIATIONS[value.weekday()]
        month = _MONTH_ABBREVIATIONS[value.month - 1]
        if order == "DMY":
            text = f"{day_name} {value.day:02d} {month}"
        else:
            text = f"{day_name} {month} {value.day:02d}"
        text += f" {_clock_text(value)} {value.year:04d}"
    else:
        text = _date_text(value, style, order) + " " + _clock_text(value)
    if zone_suffix is not None:
        text += zone_suffix if style == "ISO" else " " + zone_suffix
    return text


def _timestamp_out(value: dt.datetime, sql_type: SqlType, settings: FormatSettings) -> str:
    if settings.date_style == "ISO, MDY":
        text = value.isoformat(" ")
        return text.rstrip("0") if value.microsecond else text
    return _datetime_text(value, settings, None)


def _timestamptz_out(value: dt.datetime, sql_type: SqlType, settings: FormatSettings) -> str:
    local = value.astimezone(_zone(settings.timezone))
    offset = local.utcoffset()
    east = int(offset.total_seconds()) if offset is not None else 0
    style = "ISO" if settings.date_style == "ISO, MDY" else _date_style(settings.date_style)[0]
    if style == "ISO":
        text = local.replace(tzinfo=None).isoformat(" ")
        if local.microsecond:
            text = text.rstrip("0")
        return text + _format_offset(east)
    abbreviation = local.tzname() or _format_offset(east)
    return _datetime_text(local.replace(tzinfo=None), settings, abbreviation)


def _interval_out(value: Interval, sql_type: SqlType, settings: FormatSettings) -> str:
    return _iv.format_interval(value, settings.interval_style)


def _interval_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Interval:
    return _iv.parse_interval(text, sql_type.modifier)


# --- DecodeDateTime ------------------------------------------------------------------

# Field masks (PostgreSQL's DTK_M bits).
_M_YEAR = 1 << 2
_M_MONTH = 1 << 1
_M_DAY = 1 << 3
_M_DATE = _M_YEAR | _M_MONTH | _M_DAY
_M_TIME = (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14)
_M_TZ = 1 << 5
_M_DOY = 1 << 15
_M_DOW = 1 << 16
_M_AMPM = 1 << 9
_M_ADBC = 1 << 17

# datetktbl: the words DecodeDateTime knows, as (kind, value).
_DATE_WORDS: dict[str, tuple[str, int]] = {}
for _number, _names in enumerate(
    (
        ("jan", "january"),
        ("feb", "february"),
        ("mar", "march"),
        ("apr", "april"),
        ("may",),
        ("jun", "june"),
        ("jul", "july"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _DATE_WORDS[_name] = ("month", _number)
for _number, _names in enumerate(
    (
        ("sun", "sunday"),
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
    )
):
    for _name in _names:
        _DATE_WORDS[_name] = ("dow", _number)
_DATE_WORDS.update(
    {
        "am": ("ampm", 0),
        "pm": ("ampm", 1),
        "ad": ("adbc", 0),
        "bc": ("adbc", 1),
        "epoch": ("special", 0),
        "infinity": ("special", 0),
        "+infinity": ("special", 0),
        "-infinity": ("special", 0),
        "now": ("special", 0),
        "today": ("special", 0),
        "tomorrow": ("special", 0),
        "yesterday": ("special", 0),
        "allballs": ("special", 0),
        "t": ("isotime", 0),
        "j": ("julian", 0),
        "jd": ("julian", 0),
        "julian": ("julian", 0),
        "at": ("ignore", 0),
        "on": ("ignore", 0),
    }
)
_TOKEN_KEYWORDS = frozenset(_DATE_WORDS) | {"y", "m", "d", "h", "s"}

# A subset of PostgreSQL's "Default" timezone abbreviation set: seconds east of UTC.
_ZONE_ABBREVIATIONS: dict[str, int] = {
    "utc": 0, "gmt": 0, "ut": 0, "z": 0, "zulu": 0, "wet": 0,
    "west": 3600, "bst": 3600, "cet": 3600, "mez": 3600,
    "cest": 7200, "mesz": 7200, "eet": 7200, "ist": 7200, "sast": 7200,
    "eest": 10800, "msk": 10800,
    "sgt": 28800, "hkt": 28800, "awst": 28800, "pht": 28800,
    "jst": 32400, "kst": 32400, "acst": 34200, "aest": 36000, "aedt": 39600,
    "nzst": 43200, "nzdt": 46800,
    "ndt": -9000, "nst": -12600, "adt": -10800, "art": -10800, "brt": -10800,
    "clt": -10800, "ast": -14400, "edt": -14400, "est": -18000, "cdt": -18000,
    "cst": -21600, "mdt": -21600, "mst": -25200, "pdt": -25200, "pst": -28800,
    "akdt": -28800, "akst": -32400, "hst": -36000,
}  # fmt: skip

_DAY_SHIFTS = {"today": 0, "tomorrow": 1, "yesterday": -1}
# Julian day 2451545 is 2000-01-01, whose proleptic Gregorian ordinal is 730120.
_JULIAN_ORDINAL_OFFSET = 1721425
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class _DateTimeError(Exception):
    """Internal: one of DecodeDateTime's DTERR_* outcomes."""

    def __init__(self, kind: str, field: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.field = field


def _dt_bad() -> _DateTimeError:
    return _DateTimeError("bad")


def _dt_overflow() -> _DateTimeError:
    return _DateTimeError("overflow")


@dataclass(slots=True)
class _Fields:
    """pg_tm plus what DecodeDateTime learns along the way."""

    year: int = 0
    month: int = 0
    day: int = 0
    hour: int = 0
    minute: int = 0
    second: int = 0
    microsecond: int = 0
    tz_east: int | None = None
    zone: dt.tzinfo | None = None
    special: str | None = None
    doy: int = 0


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _fraction_usec(text: str) -> int:
    """ParseFractionalSecond: '.123456789' -> rint(0.123456789 * 1e6)."""
    if text == ".":
        return 0
    if not text[1:].isdigit():
        raise _dt_bad()
    return round(float("0" + text) * 1_000_000)


def _decode_clock(text: str, fields: _Fields) -> None:
    """DecodeTime: hh:mm[:ss[.f]] (or mm:ss.f)."""
    parts = text.split(":")
    if len(parts) > 3 or not parts[0].isdigit():
        raise _dt_bad()
    hour = int(parts[0])
    minute_text = parts[1]
    usec = 0
    second = 0
    if len(parts) == 2 and "." in minute_text:
        minute_text, dot, fraction = minute_text.partition(".")
        hour, minute_value = 0, hour
        if not minute_text.isdigit():
            raise _dt_bad()
        second = int(minute_text)
        usec = _fraction_usec(dot + fraction)
        minute = minute_value
    else:
        if not minute_text.isdigit():
            raise _dt_bad()
        minute = int(minute_text)
        if len(parts) == 3:
            second_text, dot, fraction = parts[2].partition(".")
            if not second_text.isdigit():
                raise _dt_bad()
            second = int(second_text)
            if dot:
                usec = _fraction_usec(dot + fraction)
    if minute > 59 or second > 60 or usec > 1_000_000:
        raise _dt_overflow()
    if hour > 24 or (hour == 24 and (minute or second or usec)):
        raise _dt_overflow()
    fields.hour, fields.minute, fields.second, fields.microsecond = hour, minute, second, usec


def _decode_tz_offset(text: str) -> int:
    """DecodeTimezone: '+05', '-0530', '+05:30[:15]' -> seconds east of UTC."""
    sign = -1 if text[0] == "-" else 1
    body = text[1:]
    seconds = 0
    if ":" in body:
        pieces = body.split(":")
        if len(pieces) > 3 or not all(p.isdigit() for p in pieces):
            raise _dt_bad()
        hours, minutes = int(pieces[0]), int(pieces[1])
        if len(pieces) == 3:
            seconds = int(pieces[2])
    else:
        if not body.isdigit():
            raise _dt_bad()
        value = int(body)
        if len(text) > 3:
            hours, minutes = divmod(value, 100)
        else:
            hours, minutes = value, 0
    if hours > 15 or minutes >= 60 or seconds >= 60:
        raise _DateTimeError("tzdisp")
    return sign * ((hours * 60 + minutes) * 60 + seconds)


class _DateDecoder:
    """The state of one DecodeDateTime run."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.fields = _Fields()
        self.fmask = 0
        self.is2digits = False
        self.have_text_month = False
        self.bc = False
        self.ampm: int | None = None
        self.julian = False

    def number(self, text: str, fmask: int) -> int:
        """DecodeNumber: place one numeric date field by what is known so far."""
        f = self.fields
        digits, dot, fraction = text.partition(".")
        if not digits.isdigit():
            raise _dt_bad()
        if dot:
            if len(digits) > 2:
                return self.number_field(text, fmask)
            f.microsecond = _fraction_usec(dot + fraction)
        value = int(digits)
        flen = len(digits)
        if flen == 3 and (fmask & _M_DATE) == _M_YEAR and 1 <= value <= 366:
            f.doy = value
            return _M_DOY | _M_MONTH | _M_DAY
        known = fmask & _M_DATE
        if known == 0:
            if flen >= 3 or self.order == "YMD":
                mask = _M_YEAR
                f.year = value
            elif self.order == "DMY":
                mask = _M_DAY
                f.day = value
            else:
                mask = _M_MONTH
                f.month = value
        elif known == _M_YEAR:
            mask = _M_MONTH
            f.month = value
        elif known == _M_MONTH:
            if self.have_text_month and (flen >= 3 or self.order == "YMD"):
                mask = _M_YEAR
                f.year = value
            else:
                mask = _M_DAY
                f.day = value
        elif known == _M_YEAR | _M_MONTH:
            if self.have_text_month and flen >= 3 and self.is2digits:
                # DD-MON-YYYY: what looked like a two-digit year was the day.
                mask = _M_DAY
                f.day = f.year
                f.year = value
                self.is2digits = False
            else:
                mask = _M_DAY
                f.day = value
        elif known == _M_DAY:
            mask = _M_MONTH
            f.month = value
        elif known == _M_MONTH | _M_DAY:
            mask = _M_YEAR
            f.year = value
        elif known == _M_DATE:
            return self.number_field(text, fmask)
        else:
            raise _dt_bad()
        if mask == _M_YEAR:
            self.is2digits = flen <= 2
        return mask

    def number_field(self, text: str, fmask: int) -> int:
        """DecodeNumberField: run-together YYYYMMDD, hhmmss, hhmm (with fraction)."""
        f = self.fields
        digits, dot, fraction = text.partition(".")
        if dot:
            f.microsecond = _fraction_usec(dot + fraction)
        elif (fmask & _M_DATE) != _M_DATE and len(digits) >= 6:
            f.day = int(digits[-2:])
            f.month = int(digits[-4:-2])
            f.year = int(digits[:-4])
            if len(digits) - 4 == 2:
                self.is2digits = True
            return _M_DATE
        if (fmask & _M_TIME) != _M_TIME:
            if len(digits) == 6:
                f.hour, f.minute, f.second = int(digits[:2]), int(digits[2:4]), int(digits[4:])
                return _M_TIME
            if len(digits) == 4:
                f.hour, f.minute, f.second = int(digits[:2]), int(digits[2:]), 0
                return _M_TIME
        raise _dt_bad()

    def date(self, text: str, fmask: int) -> int:
        """DecodeDate: a delimited date such as 2024-01-31, 1/31/2024, jan-31-2024."""
        if not re.match(r"[0-9a-z]", text[-1]):
            raise _dt_bad()  # the string ends with a separator
        mask = 0
        numeric = []
        for part in re.findall(r"[0-9]+|[a-z]+", text):
            if part.isdigit():
                numeric.append(part)
                continue
            word = _DATE_WORDS.get(part)
            if word is None or word[0] not in ("month", "ignore"):
                raise _dt_bad()
            if word[0] == "ignore":
                continue
            if (fmask | mask) & _M_MONTH:
                raise _dt_bad()
            self.fields.month = word[1]
            self.have_text_month = True
            mask |= _M_MONTH
        for part in numeric:
            field_mask = self.number(part, fmask | mask)
            if (fmask | mask) & field_mask:
                raise _dt_bad()
            mask |= field_mask
        if (fmask | mask) & ~(_M_DOY | _M_TZ) != _M_DATE:
            raise _dt_bad()
        return mask

    def decode(self, text: str, settings: FormatSettings) -> _Fields:
        f = self.fields
        tokens = _iv.tokenize(text, _TOKEN_KEYWORDS)
        ptype: str | None = None
        for index, (kind, field) in enumerate(tokens):
            tmask = 0
            if kind == "date":
                if ptype == "julian":
                    raise _dt_bad()
                if (self.fmask & _M_DATE) == _M_DATE or ptype is not None:
                    if field[0].isdigit() or ptype is not None:
                        raise _dt_bad()
                    zone = _lookup_zone(field)
                    if zone is None:
                        raise _DateTimeError("zone", field)
                    f.zone = zone
                    tmask = _M_TZ
                else:
                    tmask = self.date(field, self.fmask)
            elif kind == "time":
                if ptype is not None:
                    if ptype != "isotime":
                        raise _dt_bad()
                    ptype = None
                _decode_clock(field, f)
                tmask = _M_TIME
            elif kind == "tz":
                f.tz_east = _decode_tz_offset(field)
                tmask = _M_TZ
            elif kind == "number":
                if ptype == "julian":
                    digits, _, _ = field.partition(".")
                    if not digits.isdigit():
                        raise _dt_bad()
                    try:
                        day = dt.date.fromordinal(int(digits) - _JULIAN_ORDINAL_OFFSET)
                    except (ValueError, OverflowError):
                        raise _dt_overflow() from None
                    f.year, f.month, f.day = day.year, day.month, day.day
                    self.julian = True
                    tmask = _M_DATE
                    ptype = None
                elif ptype == "isotime":
                    tmask = self.number_field(field, self.fmask)
                    if tmask != _M_TIME:
                        raise _dt_bad()
                    ptype = None
                else:
                    digits, dot, _ = field.partition(".")
                    run_together = (dot and len(digits) > 2) or (
                        len(field) >= 6 and (self.fmask & _M_DATE == 0 or self.fmask & _M_TIME == 0)
                    )
                    if dot and not (self.fmask & _M_DATE):
                        tmask = self.date(field, self.fmask)
                    elif run_together:
                        tmask = self.number_field(field, self.fmask)
                    else:
                        tmask = self.number(field, self.fmask)
            else:
                word = _DATE_WORDS.get(field)
                if word is None:
                    east = _ZONE_ABBREVIATIONS.get(field)
                    if east is not None:
                        f.tz_east = east
                    else:
                        zone = _lookup_zone(field) if kind == "string" else None
                        if zone is None:
                            raise _dt_bad()
                        f.zone = zone
                    tmask = _M_TZ
                else:
                    what, value = word
                    if what == "ignore":
                        continue
                    if what == "special":
                        tmask = self.special(field, settings)
                    elif what == "month":
                        tmask = _M_MONTH
                        if (
                            self.fmask & _M_MONTH
                            and not self.have_text_month
                            and not self.fmask & _M_DAY
                            and 1 <= f.month <= 31
                        ):
                            # "31 jan": the number taken for a month was the day.
                            f.day = f.month
                            tmask = _M_DAY
                        self.have_text_month = True
                        f.month = value
                    elif what == "dow":
                        tmask = _M_DOW
                    elif what == "ampm":
                        tmask = _M_AMPM
                        self.ampm = value
                    elif what == "adbc":
                        tmask = _M_ADBC
                        self.bc = value == 1
                    elif what == "isotime":
                        if (self.fmask & _M_DATE) != _M_DATE or index + 1 >= len(tokens):
                            raise _dt_bad()
                        if tokens[index + 1][0] not in ("number", "time", "date"):
                            raise _dt_bad()
                        ptype = "isotime"
                    else:
                        ptype = "julian"
            if tmask & self.fmask:
                raise _dt_bad()
            self.fmask |= tmask
        if ptype is not None:
            raise _dt_bad()
        self.validate()
        return f

    def special(self, word: str, settings: FormatSettings) -> int:
        f = self.fields
        if word == "allballs":
            f.hour = f.minute = f.second = f.microsecond = 0
            return _M_TIME
        if word in _DAY_SHIFTS:
            local_now = _now(settings).astimezone(_zone(settings.timezone))
            day = local_now.date() + dt.timedelta(days=_DAY_SHIFTS[word])
            f.year, f.month, f.day = day.year, day.month, day.day
            self.julian = True  # the year is final: no two-digit or BC adjustment
            return _M_DATE
        f.special = word
        return _M_DATE | _M_TIME | _M_TZ

    def validate(self) -> None:
        """ValidateDate and the AM/PM adjustment."""
        f = self.fields
        if f.special is not None:
            return
        if self.fmask & _M_YEAR:
            if self.julian:
                pass
            elif self.bc:
                if f.year <= 0:
                    raise _dt_overflow()
                f.year = -(f.year - 1)
            elif self.is2digits:
                if f.year < 70:
                    f.year += 2000
                elif f.year < 100:
                    f.year += 1900
            elif f.year <= 0:
                raise _dt_overflow()
        if self.fmask & _M_DOY:
            day = dt.date(max(f.year, 1), 1, 1) + dt.timedelta(days=f.doy - 1)
            f.month, f.day = day.month, day.day
        if self.fmask & _M_MONTH and not 1 <= f.month <= 12:
            raise _DateTimeError("md_overflow")
        if self.fmask & _M_DAY and not 1 <= f.day <= 31:
            raise _DateTimeError("md_overflow")
        if (self.fmask & _M_DATE) == _M_DATE:
            limit = 29 if f.month == 2 and _is_leap(f.year) else _DAYS_IN_MONTH[f.month - 1]
            if f.day > limit:
                raise _dt_overflow()
        if self.ampm is not None:
            if f.hour > 12:
                raise _dt_overflow()
            if self.ampm == 0 and f.hour == 12:
                f.hour = 0
            elif self.ampm == 1 and f.hour != 12:
                f.hour += 12


def _raise_datetime_error(error: _DateTimeError, type_name: str, text: str) -> TideError:
    if error.kind == "bad":
        return TideError(
            f'invalid input syntax for type {type_name}: "{text}"',
            sqlstate=sqlstates.INVALID_DATETIME_FORMAT,
        )
    if error.kind == "overflow":
        return TideError(
            f'date/time field value out of range: "{text}"',
            sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW,
        )
    if error.kind == "md_overflow":
        return TideError(
            f'date/time field value out of range: "{text}"',
            sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW,
            hint='Perhaps you need a different "datestyle" setting.',
        )
    if error.kind == "tzdisp":
        return TideError(
            f'time zone displacement out of range: "{text}"',
            sqlstate=sqlstates.INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
        )
    return TideError(
        f'time zone "{error.field}" not recognized', sqlstate=sqlstates.INVALID_PARAMETER_VALUE
    )


def _decode_datetime(text: str, type_name: str, settings: FormatSettings) -> _Fields:
    decoder = _DateDecoder(_date_style(settings.date_style)[1])
    try:
        fields = decoder.decode(text, settings)
    except _DateTimeError as error:
        raise _raise_datetime_error(error, type_name, text) from None
    if type_name == "time":
        complete = (decoder.fmask & _M_TIME) == _M_TIME or fields.special == "now"
    else:
        complete = (decoder.fmask & _M_DATE) == _M_DATE or fields.special is not None
    if not complete:
        raise _raise_datetime_error(_dt_bad(), type_name, text)
    return fields


def _special_local(
    fields: _Fields, text: str, type_name: str, settings: FormatSettings
) -> dt.datetime:
    """'epoch' or 'now' as a local wall-clock time ('infinity' is not representable)."""
    special = fields.special
    if special == "epoch":
        return dt.datetime(1970, 1, 1)
    if special in ("infinity", "+infinity", "-infinity"):
        raise TideError(
            f'infinite values are not supported for type {type_name}: "{text}"',
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
    return _now(settings).astimezone(_zone(settings.timezone)).replace(tzinfo=None)


def _fields_to_naive(fields: _Fields, text: str) -> dt.datetime:
    if not 1 <= fields.year <= 9999:
        raise _timestamp_out_of_range(text)
    try:
        return dt.datetime(fields.year, fields.month, fields.day) + dt.timedelta(
            hours=fields.hour,
            minutes=fields.minute,
            seconds=fields.second,
            microseconds=fields.microsecond,
        )
    except (OverflowError, ValueError):
        raise _timestamp_out_of_range(text) from None


def _timestamp_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.datetime:
    fields = _decode_datetime(text, "timestamp", settings)
    if fields.special is not None:
        if fields.special == "now":
            value = _now(settings).astimezone(_zone(settings.timezone)).replace(tzinfo=None)
        else:
            value = _special_local(fields, text, "timestamp", settings)
    else:
        value = _fields_to_naive(fields, text)
    return _timestamp_typmod(value, sql_type)


def _timestamptz_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.datetime:
    fields = _decode_datetime(text, "timestamp with time zone", settings)
    if fields.special == "epoch":
        value = dt.datetime(1970, 1, 1, tzinfo=_UTC)
    elif fields.special == "now":
        value = _now(settings).astimezone(_UTC)
    elif fields.special is not None:
        local = _special_local(fields, text, "timestamp with time zone", settings)
        value = _local_to_utc(local, _zone(settings.timezone))
    else:
        naive = _fields_to_naive(fields, text)
        if fields.tz_east is not None:
            try:
                value = (naive - dt.timedelta(seconds=fields.tz_east)).replace(tzinfo=_UTC)
            except OverflowError:
                raise _timestamp_out_of_range(text) from None
        else:
            value = _local_to_utc(naive, fields.zone or _zone(settings.timezone))
    return _timestamp_typmod(value, sql_type)


def _date_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.date:
    fields = _decode_datetime(text, "date", settings)
    if fields.special is not None:
        if fields.special == "epoch":
            return dt.date(1970, 1, 1)
        return _special_local(fields, text, "date", settings).date()
    if not 1 <= fields.year <= 9999:
        raise TideError(f'date out of range: "{text}"', sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW)
    return dt.date(fields.year, fields.month, fields.day)


def _time_in(text: str, sql_type: SqlType, settings: FormatSettings) -> dt.time:
    fields = _decode_datetime(text, "time", settings)
    if fields.special == "now":
        return _time_typmod(_now(settings).astimezone(_zone(settings.timezone)).time(), sql_type)
    if fields.special is not None and fields.special != "allballs":
        raise _raise_datetime_error(_dt_bad(), "time", text)
    usec = (
        (fields.hour * 60 + fields.minute) * 60 + fields.second
    ) * 1_000_000 + fields.microsecond
    return _time_typmod(_time_from_usec(usec, text), sql_type)


def _time_from_usec(usec: int, text: str | None = None) -> dt.time:
    if not 0 <= usec < 86_400_000_000:
        # PostgreSQL has time '24:00:00'; Python's datetime.time does not.
        detail = None if text is None else f'"{text}" is 24:00:00 or later.'
        raise TideError(
            "time out of range", sqlstate=sqlstates.DATETIME_FIELD_OVERFLOW, detail=detail
        )
    seconds, micro = divmod(usec, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return dt.time(hour, minute, second, micro)


def _time_to_usec(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


_EPOCH_DATE = dt.date(2000, 1, 1)
_EPOCH_NAIVE = dt.datetime(2000, 1, 1)
_EPOCH_AWARE = dt.datetime(2000, 1, 1, tzinfo=_UTC)


def _timestamp_to_usec(value: dt.datetime) -> int:
    """Microseconds since 2000-01-01 00:00 (UTC for aware values), PostgreSQL's epoch."""
    delta = value - (_EPOCH_NAIVE if value.tzinfo is None else _EPOCH_AWARE)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _timestamp_from_usec(usec: int, aware: bool) -> dt.datetime:
    try:
        return (_EPOCH_AWARE if aware else _EPOCH_NAIVE) + dt.timedelta(microseconds=usec)
    except OverflowError:
        raise _timestamp_out_of_range() from None


def _timestamp_typmod(value: dt.datetime, sql_type: SqlType) -> dt.datetime:
    precision = sql_type.modifier
    if precision < 0 or precision >= 6 or not value.microsecond:
        return value
    usec = _timestamp_to_usec(value)
    rounded = _iv.round_microseconds(usec, precision)
    if rounded == usec:
        return value
    return _timestamp_from_usec(rounded, value.tzinfo is not None)


def _time_typmod(value: dt.time, sql_type: SqlType) -> dt.time:
    precision = sql_type.modifier
    if precision < 0 or precision >= 6 or not value.microsecond:
        return value
    return _time_from_usec(_iv.round_microseconds(_time_to_usec(value), precision))


# =======================================================================================
# 6. Arrays (text form)

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


# =======================================================================================
# 7. The text dispatch tables and the public text API

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


# =======================================================================================
# 8. Binary I/O (PostgreSQL's typsend/typreceive formats)

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


# =======================================================================================
# 9. Casts

CastFn = Callable[[Any, SqlType, SqlType, FormatSettings], Any]
_CONTEXT_LEVEL = {"implicit": 0, "assignment": 1, "explicit": 2}
_CAST_LEVEL = {"i": 0, "a": 1, "e": 2}


def _cannot_cast(source: SqlType, target: SqlType) -> TideError:
    return TideError(
        f"cannot cast type {source.name} to {target.name}", sqlstate=sqlstates.CANNOT_COERCE
    )


def _keep(value: Any, source: SqlType, target: SqlType, settings: FormatSettings) -> Any:
    return value


def _int_to_int(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    low, high = _INT_RANGES[target.oid]
    if low <= value <= high:
        return value
    raise _out_of_range(target.name)


def _int_to_oid(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    if source.oid == INT8.oid:
        if not 0 <= value <= 0xFFFFFFFF:
            raise _out_of_range("OID")
        return value
    return value & 0xFFFFFFFF


def _oid_to_int4(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    return value - 2**32 if value >= 2**31 else value


def _int_to_float8(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> float:
    return float(value)


def _int_to_float4(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> float:
    return _to_float4(float(value))


def _int_to_numeric(
    value: int, source: SqlType, target: SqlType, settings: FormatSettings
) -> Decimal:
    return Decimal(value)


def _float_to_int(value: float, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    """rint() then range check: 2.5 -> 2, 3.5 -> 4 (half to even)."""
    if value != value or math.isinf(value):
        raise _out_of_range(target.name)
    result = round(value)
    low, high = _INT_RANGES[target.oid]
    if low <= result <= high:
        return result
    raise _out_of_range(target.name)


def _float_to_numeric(
    value: float, source: SqlType, target: SqlType, settings: FormatSettings
) -> Decimal:
    """float8_numeric prints with DBL_DIG (15) significant digits, float4 with 6."""
    if value != value:
        return _NAN
    if math.isinf(value):
        return _INFINITY if value > 0 else -_INFINITY
    digits = 15 if source.oid == FLOAT8.oid else 6
    return _numeric_normalize(Decimal(f"{value:.{digits}g}"))


def _float8_to_float4(
    value: float, source: SqlType, target: SqlType, settings: FormatSettings
) -> float:
    result = _to_float4(value)
    if math.isinf(result) and not math.isinf(value):
        raise TideError(
            "value out of range: overflow", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE
        )
    if result == 0.0 and value != 0.0:
        raise TideError(
            "value out of range: underflow", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE
        )
    return result


def _numeric_to_int(
    value: Decimal, source: SqlType, target: SqlType, settings: FormatSettings
) -> int:
    """Round half away from zero; NaN and infinities cannot become integers (0A000)."""
    if isinstance(value, int):
        return _int_to_int(value, source, target, settings)
    if value.is_nan():
        raise TideError(
            f"cannot convert NaN to {target.name}", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    if value.is_infinite():
        raise TideError(
            f"cannot convert infinity to {target.name}", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    low, high = _INT_RANGES[target.oid]
    if value.adjusted() > 20:
        raise _out_of_range(target.name)
    result = int(value.quantize(_ONE, rounding=decimal.ROUND_HALF_UP, context=_EXACT))
    if low <= result <= high:
        return result
    raise _out_of_range(target.name)


def _numeric_to_float(
    value: Decimal, source: SqlType, target: SqlType, settings: FormatSettings
) -> float:
    if isinstance(value, int):
        value = Decimal(value)
    result = float(value)
    if target.oid == FLOAT4.oid:
        result = _to_float4(result)
    if value.is_finite() and (math.isinf(result) or (result == 0.0 and not value.is_zero())):
        raise TideError(
            f'"{_numeric_out(value, NUMERIC, settings)}" is out of range for type {target.name}',
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        )
    return result


def _bool_to_int(value: bool, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    return 1 if value else 0


def _int_to_bool(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> bool:
    return value != 0


def _bool_to_text(value: bool, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return "true" if value else "false"


def _char_to_int(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> int:
    code = ord(value) if value else 0
    return code - 256 if code >= 128 else code


def _int_to_char(value: int, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    if not -128 <= value <= 127:
        raise _out_of_range('"char"')
    code = value & 0xFF
    return chr(code) if code else ""


def _char_to_text(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return _char_out(value, source, settings)


def _text_to_char(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    if not value:
        return ""
    code = value.encode("utf-8")[0]
    return chr(code)


def _rtrim(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return value.rstrip(" ")


def _to_name(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    if source.oid == BPCHAR.oid:
        value = value.rstrip(" ")
    return _name_in(value, NAME, settings)


def _text_to_regclass(
    value: str, source: SqlType, target: SqlType, settings: FormatSettings
) -> int:
    return _reg_in(value, REGCLASS, settings)


def _date_to_timestamp(
    value: dt.date, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day)


def _date_to_timestamptz(
    value: dt.date, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return _local_to_utc(dt.datetime(value.year, value.month, value.day), _zone(settings.timezone))


def _timestamp_to_date(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.date:
    return value.date()


def _timestamp_to_time(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.time:
    return value.time()


def _timestamp_to_timestamptz(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return _local_to_utc(value, _zone(settings.timezone))


def _timestamptz_local(value: dt.datetime, settings: FormatSettings) -> dt.datetime:
    return value.astimezone(_zone(settings.timezone)).replace(tzinfo=None)


def _timestamptz_to_timestamp(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.datetime:
    return _timestamptz_local(value, settings)


def _timestamptz_to_date(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.date:
    return _timestamptz_local(value, settings).date()


def _timestamptz_to_time(
    value: dt.datetime, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.time:
    return _timestamptz_local(value, settings).time()


def _time_to_interval(
    value: dt.time, source: SqlType, target: SqlType, settings: FormatSettings
) -> Interval:
    return Interval(0, 0, _time_to_usec(value))


def _interval_to_time(
    value: Interval, source: SqlType, target: SqlType, settings: FormatSettings
) -> dt.time:
    """interval_time: the time part only, reduced modulo one day."""
    return _time_from_usec(value.microseconds % 86_400_000_000)


def _json_to_jsonb(value: str, source: SqlType, target: SqlType, settings: FormatSettings) -> Any:
    return _jsonb_in(value, JSONB, settings)


def _jsonb_to_json(value: Any, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    return _jsonb_text(value)


def _jsonb_kind(value: Any) -> str:
    if value is None or value is JSON_NULL:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "numeric"


def _jsonb_to_scalar(value: Any, source: SqlType, target: SqlType, settings: FormatSettings) -> Any:
    """jsonb -> bool/numeric/int/float: only the matching scalar kind converts."""
    kind = _jsonb_kind(value)
    wanted = "boolean" if target.oid == BOOL.oid else "numeric"
    if kind != wanted:
        raise TideError(
            f"cannot cast jsonb {kind} to type {target.name}",
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    if wanted == "boolean":
        return value
    number = value if isinstance(value, Decimal) else Decimal(value)
    if target.oid == NUMERIC.oid:
        return number
    if target.oid in _INT_OIDS:
        return _numeric_to_int(number, NUMERIC, target, settings)
    return _numeric_to_float(number, NUMERIC, target, settings)


# pg_cast for the types above (PostgreSQL 15): (source, target) -> (context, function).
# Context 'i' implicit, 'a' assignment, 'e' explicit. Same-type rows (length coercion)
# are handled by the type modifier step instead.
_CASTS: dict[tuple[int, int], tuple[str, CastFn]] = {}


def _cast(context: str, function: CastFn, *pairs: tuple[SqlType, SqlType]) -> None:
    for source, target in pairs:
        _CASTS[(source.oid, target.oid)] = (context, function)


def _inet_to_text(value: Inet, source: SqlType, target: SqlType, settings: FormatSettings) -> str:
    """inet → text is network_show: the mask length always, unlike inet's output."""
    return str(value.ip) + f"/{value.network.prefixlen}"


_cast("a", _inet_to_text, (INET, TEXT), (INET, VARCHAR), (INET, BPCHAR))
_cast("e", _bool_to_int, (BOOL, INT4))
_cast("a", _bool_to_text, (BOOL, TEXT), (BOOL, BPCHAR), (BOOL, VARCHAR))
_cast("e", _char_to_int, (CHAR, INT4))
_cast("i", _char_to_text, (CHAR, TEXT))
_cast("a", _char_to_text, (CHAR, BPCHAR), (CHAR, VARCHAR))
_cast("i", _keep, (NAME, TEXT))
_cast("a", _keep, (NAME, BPCHAR), (NAME, VARCHAR))
_cast("a", _int_to_int, (INT8, INT2), (INT8, INT4), (INT4, INT2))
_cast("i", _int_to_int, (INT2, INT8), (INT2, INT4), (INT4, INT8))
_OID_TYPES = (REGPROC, OID, REGCLASS, REGTYPE)
_cast("i", _int_to_oid, *((src, dst) for src in (INT8, INT2, INT4) for dst in _OID_TYPES))
_cast("i", _int_to_float4, (INT8, FLOAT4), (INT2, FLOAT4), (INT4, FLOAT4))
_cast("i", _int_to_float8, (INT8, FLOAT8), (INT2, FLOAT8), (INT4, FLOAT8))
_cast("i", _int_to_numeric, (INT8, NUMERIC), (INT2, NUMERIC), (INT4, NUMERIC))
_cast("e", _int_to_bool, (INT4, BOOL))
_cast("e", _int_to_char, (INT4, CHAR))
_cast("a", _keep, (REGPROC, INT8), (OID, INT8), (REGCLASS, INT8), (REGTYPE, INT8))
_cast("a", _oid_to_int4, (REGPROC, INT4), (OID, INT4), (REGCLASS, INT4), (REGTYPE, INT4))
_cast("i", _keep, (REGPROC, OID), (REGCLASS, OID), (REGTYPE, OID))
_cast("i", _keep, (OID, REGPROC), (OID, REGCLASS), (OID, REGTYPE))
for _reg in (REGNAMESPACE, REGROLE, REGPROCEDURE):
    _cast("i", _int_to_oid, (INT8, _reg), (INT2, _reg), (INT4, _reg))
    _cast("a", _keep, (_reg, INT8))
    _cast("a", _oid_to_int4, (_reg, INT4))
    _cast("i", _keep, (_reg, OID), (OID, _reg))
_cast("a", _text_to_char, (TEXT, CHAR), (BPCHAR, CHAR), (VARCHAR, CHAR))
_cast("i", _to_name, (TEXT, NAME), (BPCHAR, NAME), (VARCHAR, NAME))
_cast("i", _keep, (TEXT, BPCHAR), (TEXT, VARCHAR), (VARCHAR, TEXT), (VARCHAR, BPCHAR))
_cast("i", _rtrim, (BPCHAR, TEXT), (BPCHAR, VARCHAR))
_cast("i", _text_to_regclass, (TEXT, REGCLASS), (VARCHAR, REGCLASS))
_cast("i", _keep, (REGPROC, REGPROCEDURE), (REGPROCEDURE, REGPROC))
_cast("a", _json_to_jsonb, (JSON, JSONB))
_cast("a", _jsonb_to_json, (JSONB, JSON))
_cast("a", _float_to_int, *((src, dst) for src in (FLOAT4, FLOAT8) for dst in (INT8, INT2, INT4)))
_cast("i", _keep, (FLOAT4, FLOAT8))
_cast("a", _float_to_numeric, (FLOAT4, NUMERIC), (FLOAT8, NUMERIC))
_cast("a", _float8_to_float4, (FLOAT8, FLOAT4))
_cast("i", _date_to_timestamp, (DATE, TIMESTAMP))
_cast("i", _date_to_timestamptz, (DATE, TIMESTAMPTZ))
_cast("i", _time_to_interval, (TIME, INTERVAL))
_cast("a", _timestamp_to_date, (TIMESTAMP, DATE))
_cast("a", _timestamp_to_time, (TIMESTAMP, TIME))
_cast("i", _timestamp_to_timestamptz, (TIMESTAMP, TIMESTAMPTZ))
_cast("a", _timestamptz_to_date, (TIMESTAMPTZ, DATE))
_cast("a", _timestamptz_to_time, (TIMESTAMPTZ, TIME))
_cast("a", _timestamptz_to_timestamp, (TIMESTAMPTZ, TIMESTAMP))
_cast("a", _interval_to_time, (INTERVAL, TIME))
_cast("a", _numeric_to_int, (NUMERIC, INT8), (NUMERIC, INT2), (NUMERIC, INT4))
_cast("i", _numeric_to_float, (NUMERIC, FLOAT4), (NUMERIC, FLOAT8))
_JSONB_SCALAR_TARGETS = (BOOL, INT8, INT2, INT4, FLOAT4, FLOAT8, NUMERIC)
_cast("e", _jsonb_to_scalar, *((JSONB, dst) for dst in _JSONB_SCALAR_TARGETS))

# Type modifiers: (value, type with modifier, explicit) -> value.
_TYPMOD_COERCE: dict[int, Callable[[Any, SqlType, bool], Any]] = {
    VARCHAR.oid: _varchar_coerce,
    BPCHAR.oid: _bpchar_coerce,
    NUMERIC.oid: lambda value, sql_type, explicit: _numeric_apply_typmod(value, sql_type.modifier),
    TIMESTAMP.oid: lambda value, sql_type, explicit: _timestamp_typmod(value, sql_type),
    TIMESTAMPTZ.oid: lambda value, sql_type, explicit: _timestamp_typmod(value, sql_type),
    TIME.oid: lambda value, sql_type, explicit: _time_typmod(value, sql_type),
    INTERVAL.oid: lambda value, sql_type, explicit: _iv.apply_typmod(value, sql_type.modifier),
}


def _apply_typmod(value: Any, target: SqlType, explicit: bool) -> Any:
    if target.modifier < 0 or value is None:
        return value
    if target.element is not None:
        element = target.element
        return _map_nested(value, lambda item: _apply_typmod(item, element, explicit), element)
    coerce = _TYPMOD_COERCE.get(target.oid)
    return value if coerce is None else coerce(value, target, explicit)


def _map_nested(value: list[Any], function: Callable[[Any], Any], element: SqlType) -> list[Any]:
    """Apply ``function`` to every non-NULL element of a (nested) array value."""
    if element.oid in _LIST_VALUED_OIDS:
        return [None if item is None else function(item) for item in value]
    return [
        None
        if item is None
        else (_map_nested(item, function, element) if isinstance(item, list) else function(item))
        for item in value
    ]


def cast_value(
    value: Any,
    source: SqlType,
    target: SqlType,
    settings: FormatSettings = DEFAULT_SETTINGS,
    *,
    explicit: bool = True,
) -> Any:
    """Convert ``value`` of type ``source`` to ``target`` as PostgreSQL's CAST does.

    ``explicit=False`` gives assignment/implicit semantics for length checks (a too-long
    ``varchar(n)`` raises 22001 instead of being truncated). Which casts are *allowed*
    in a context is :func:`can_coerce`'s question; this function performs any cast that
    exists and raises 42846 when there is none.
    """
    if value is None:
        return None
    if source.oid == target.oid:
        if target.modifier < 0 or target.modifier == source.modifier:
            return value
        return _apply_typmod(value, target, explicit)
    entry = _CASTS.get((source.oid, target.oid))
    if entry is not None:
        result = entry[1](value, source, target, settings)
    elif source.element is not None and target.element is not None:
        source_element, target_element = source.element, target.element
        return _map_nested(
            value,
            lambda item: cast_value(
                item, source_element, target_element, settings, explicit=explicit
            ),
            source_element,
        )
    elif source.oid == UNKNOWN.oid or source.category == "S":
        # I/O conversion from a string type. Like PostgreSQL, the input function sees
        # no modifier (except interval's, which changes how the text is read); the
        # modifier is applied afterwards with the cast's semantics.
        read_as = target if target.oid == INTERVAL.oid else with_modifier(target, -1)
        result = parse_value(value, read_as, settings)
    elif target.category == "S":
        result = format_value(value, source, settings)
        if target.oid == NAME.oid:
            result = _name_in(result, NAME, settings)
    else:
        raise _cannot_cast(source, target)
    if target.modifier >= 0:
        result = _apply_typmod(result, target, explicit)
    return result


def can_coerce(source: SqlType, target: SqlType, context: str) -> bool:
    """Whether PostgreSQL would convert ``source`` to ``target`` in ``context``
    ('implicit', 'assignment' or 'explicit'), following pg_cast and the I/O rules."""
    level = _CONTEXT_LEVEL[context]
    if source.oid == target.oid or source.oid == UNKNOWN.oid:
        return True
    entry = _CASTS.get((source.oid, target.oid))
    if entry is not None:
        return level >= _CAST_LEVEL[entry[0]]
    if source.element is not None and target.element is not None:
        return can_coerce(source.element, target.element, context)
    if target.category == "S" and level >= 1:
        return True
    return source.category == "S" and level >= 2


# =======================================================================================
# 10. Type resolution for UNION, CASE, COALESCE, …


def common_type(types: list[SqlType], context: str) -> SqlType:
    """PostgreSQL's select_common_type (and select_common_typmod).

    Unknown literals take the type of the others (text if all are unknown); within one
    category the preferred type wins, or else the type the others convert to implicitly
    but not back; types of different categories raise 42804, as does an input that
    cannot be converted implicitly to the result (42846).
    """
    if not types:
        raise TideError(f"{context} has no inputs")
    first = types[0]
    if first.oid != UNKNOWN.oid and all(t.oid == first.oid for t in types):
        result = ALL_TYPES.get(first.oid, first)
    else:
        chosen = UNKNOWN
        preferred = False
        for candidate in types:
            if candidate.oid == UNKNOWN.oid or candidate.oid == chosen.oid:
                continue
            candidate_base = ALL_TYPES.get(candidate.oid, with_modifier(candidate, -1))
            if chosen.oid == UNKNOWN.oid:
                chosen = candidate_base
                preferred = candidate.oid in _PREFERRED
            elif candidate.category != chosen.category:
                raise TideError(
                    f"{context} types {chosen.name} and {candidate.name} cannot be matched",
                    sqlstate=sqlstates.DATATYPE_MISMATCH,
                )
            elif (
                not preferred
                and can_coerce(chosen, candidate_base, "implicit")
                and not can_coerce(candidate_base, chosen, "implicit")
            ):
                chosen = candidate_base
                preferred = candidate.oid in _PREFERRED
        result = TEXT if chosen.oid == UNKNOWN.oid else chosen
    for candidate in types:
        if not can_coerce(candidate, result, "implicit"):
            raise TideError(
                f"{context} could not convert type {candidate.name} to {result.name}",
                sqlstate=sqlstates.CANNOT_COERCE,
            )
    modifiers = {t.modifier for t in types if t.oid == result.oid}
    if len(modifiers) == 1 and all(t.oid == result.oid for t in types):
        return with_modifier(result, modifiers.pop())
    return result


# =======================================================================================
# 11. Ordering


def _float_key(value: float) -> tuple[int, float]:
    # NaN sorts above everything, and equal to itself; -0.0 == 0.0 already.
    return (1, 0.0) if value != value else (0, value)


def _numeric_key(value: Decimal) -> tuple[int, Decimal | int]:
    if isinstance(value, Decimal) and value.is_nan():
        return (1, 0)
    return (0, value)


def _bpchar_key(value: str) -> str:
    return value.rstrip(" ")


def _char_key(value: str) -> int:
    return ord(value) if value else 0


def _name_key(value: str) -> bytes:
    return value.encode("utf-8")


def _vector_key(value: list[int]) -> tuple[int, ...]:
    return tuple(value)


def _jsonb_value_key(value: Any) -> tuple[Any, ...]:
    """compareJsonbContainers for values inside a container."""
    if value is None or value is JSON_NULL:
        return (0,)
    if isinstance(value, bool):
        return (3, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, int | Decimal | float):
        return (2, value)
    if isinstance(value, list):
        return (4, len(value), 1, tuple(_jsonb_value_key(item) for item in value))
    if isinstance(value, dict):
        keys = sorted(value, key=_jsonb_key_order)
        return (5, len(value), tuple((k, _jsonb_value_key(value[k])) for k in keys))
    raise TideError(f"cannot compare {type(value).__name__} as jsonb")


def _jsonb_key(value: Any) -> tuple[Any, ...]:
    """A top-level scalar is stored as a one-element "raw scalar" array, so it compares
    with arrays by element count first (``[] < null``), then below a real array."""
    if isinstance(value, list | dict):
        return _jsonb_value_key(value)
    return (4, 1, 0, (_jsonb_value_key(value),))


_SORT_KEYS: dict[int, Callable[[Any], Any]] = {
    FLOAT4.oid: _float_key,
    FLOAT8.oid: _float_key,
    NUMERIC.oid: _numeric_key,
    BPCHAR.oid: _bpchar_key,
    CHAR.oid: _char_key,
    NAME.oid: _name_key,
    INTERVAL.oid: Interval.span,
    JSONB.oid: _jsonb_key,
    INT2VECTOR.oid: _vector_key,
    OIDVECTOR.oid: _vector_key,
}


def _array_key(element: SqlType) -> Callable[[list[Any]], Any]:
    """array_cmp: element by element (NULL greatest), then the element count, then the
    number of dimensions, then their sizes."""
    element_key = sort_key(element)

    def key(value: list[Any]) -> tuple[Any, ...]:
        dims = _array_dims(value, element)
        flat: list[Any] = []
        _flatten(value, len(dims), flat)
        items = tuple((1,) if item is None else (0, element_key(item)) for item in flat)
        return items, len(dims) if flat else 0, tuple(dims) if flat else ()

    return key


_SORT_KEYS[INET.oid] = inet_order_key


def sort_key(sql_type: SqlType) -> Callable[[Any], Any]:
    """A ``sorted()`` key for non-NULL values of ``sql_type`` in PostgreSQL's order."""
    if sql_type.element is not None:
        return _array_key(sql_type.element)
    if sql_type.oid == JSON.oid:
        raise _no_operator("an ordering", sql_type)
    return _SORT_KEYS.get(sql_type.oid, _identity)


def _no_operator(what: str, sql_type: SqlType) -> TideError:
    return TideError(
        f"could not identify {what} operator for type {sql_type.name}",
        sqlstate=sqlstates.UNDEFINED_FUNCTION,
    )


def values_equal(a: Any, b: Any, sql_type: SqlType) -> bool:
    """Equality as PostgreSQL's btree sees it (NaN = NaN, '1 mon' = '30 days', 'a ' =
    'a' for bpchar). Two NULLs are equal here, as in GROUP BY and DISTINCT."""
    if sql_type.oid == JSON.oid:
        raise _no_operator("an equality", sql_type)
    if a is None or b is None:
        return a is None and b is None
    key = sort_key(sql_type)
    return bool(key(a) == key(b))
