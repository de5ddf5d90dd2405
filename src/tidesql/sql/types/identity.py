"""Type identity: :class:`SqlType`, the built-in types, their names and modifiers.

Every built-in type is defined once here from PostgreSQL 15's ``pg_type`` row (OID,
``typlen``, ``typcategory``, array type, whether preferred) and registered in
:data:`ALL_TYPES`; array types are derived from their element types. The module also
holds the :class:`FormatSettings` every I/O function receives, the classification
predicates (``is_array``, ``is_numeric``, …), and the two directions between a type and
its name: :func:`type_from_name` (with PostgreSQL's typmod checks and errors) and
:func:`format_type`, which prints the name as ``format_type()`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Protocol

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import interval as _iv


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
