"""Types: what pg_type says about each SqlType (typname, length, category, I/O
functions), and the small function table ``PROCS`` that pg_proc and regproc use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from tidesql.sql import types as T
from tidesql.sql.pg_catalog.registry import C_COLLATION_OID, DEFAULT_COLLATION_OID, FIRST_PROC_OID

#: pg_type.typname of every type tidesql knows; arrays are "_" + their element's.
TYPNAMES: dict[int, str] = {
    16: "bool",
    17: "bytea",
    18: "char",
    19: "name",
    20: "int8",
    21: "int2",
    22: "int2vector",
    23: "int4",
    24: "regproc",
    25: "text",
    26: "oid",
    30: "oidvector",
    114: "json",
    700: "float4",
    701: "float8",
    705: "unknown",
    1042: "bpchar",
    1043: "varchar",
    1082: "date",
    1083: "time",
    1114: "timestamp",
    1184: "timestamptz",
    1186: "interval",
    1700: "numeric",
    2205: "regclass",
    2206: "regtype",
    2249: "record",
    2276: "any",
    2277: "anyarray",
    2278: "void",
    2283: "anyelement",
    2776: "anynonarray",
    2950: "uuid",
    3802: "jsonb",
    2202: "regprocedure",
    4089: "regnamespace",
    4096: "regrole",
    5077: "anycompatible",
    5078: "anycompatiblearray",
}
#: Pseudo-types (typtype 'p') that functions declare but no value has.
PSEUDO_TYPES: dict[int, T.SqlType] = {
    oid: T.SqlType(name, oid, length, "P")
    for oid, name, length in (
        (2276, '"any"', 4),
        (2277, "anyarray", -1),
        (2283, "anyelement", 4),
        (2776, "anynonarray", 4),
        (5077, "anycompatible", 4),
        (5078, "anycompatiblearray", -1),
    )
}
_PREFERRED_OIDS = frozenset({16, 25, 26, 701, 1184, 1186})
_COLLATABLE_OIDS = frozenset({25, 1042, 1043})
#: Types whose I/O functions are spelled ``<typname>_in`` rather than ``<typname>in``.
_UNDERSCORE_IO = frozenset(
    {"json", "jsonb", "date", "time", "timestamp", "timestamptz", "interval", "numeric"}
    | {"record", "void", "uuid", "any", "anyarray", "anyelement", "anynonarray"}
    | {"anycompatible", "anycompatiblearray"}
)
#: Types with a typmod: their typmodin/typmodout function prefixes.
_TYPMOD_IO = {
    1042: "bpchar",
    1043: "varchar",
    1700: "numeric",
    1083: "time",
    1114: "timestamp",
    1184: "timestamptz",
    1186: "interval",
}


@functools.cache
def all_types() -> dict[int, T.SqlType]:
    """Every type pg_type lists: the built-in ones and the pseudo-types."""
    return {**T.ALL_TYPES, **PSEUDO_TYPES}


def typname(sql_type: T.SqlType) -> str:
    known = TYPNAMES.get(sql_type.oid)
    if known is not None:
        return known
    if sql_type.element is not None:
        return "_" + typname(sql_type.element)
    return sql_type.name.replace(" ", "_").strip('"')


def type_by_oid(oid: int) -> T.SqlType | None:
    return T.ALL_TYPES.get(oid) or PSEUDO_TYPES.get(oid)


@dataclass(frozen=True, slots=True)
class TypeFacts:
    """The physical properties pg_type and pg_attribute report for a type."""

    byval: bool
    align: str
    storage: str
    collation: int
    element: int  # typelem: array elements; name and the vectors are subscriptable too
    kind: str  # typtype: 'b' base, 'p' pseudo


#: typelem of the non-array types that can be subscripted.
_SUBSCRIPTABLE_ELEMENTS = {
    T.NAME.oid: T.CHAR.oid,
    T.INT2VECTOR.oid: T.INT2.oid,
    T.OIDVECTOR.oid: T.OID.oid,
}


@functools.cache
def type_facts(sql_type: T.SqlType) -> TypeFacts:
    oid, length = sql_type.oid, sql_type.typlen
    if sql_type.element is not None:
        inner = type_facts(sql_type.element)
        return TypeFacts(
            False,
            "d" if inner.align == "d" else "i",
            "x",
            inner.collation,
            sql_type.element.oid,
            "b",
        )
    if length == 1 or oid in (T.NAME.oid, T.UNKNOWN.oid, T.UUID.oid):
        align = "c"
    elif length == 2:
        align = "s"
    elif length == 8 or oid in (T.INTERVAL.oid, T.RECORD.oid):
        align = "d"
    else:
        align = "i"
    if length != -1 or oid in (T.INT2VECTOR.oid, T.OIDVECTOR.oid):
        storage = "p"
    else:
        storage = "m" if oid == T.NUMERIC.oid else "x"
    collation = (
        DEFAULT_COLLATION_OID
        if oid in _COLLATABLE_OIDS
        else (C_COLLATION_OID if oid == T.NAME.oid else 0)
    )
    kind = "p" if sql_type.category in ("P", "X") else "b"
    element = _SUBSCRIPTABLE_ELEMENTS.get(oid, 0)
    return TypeFacts(length in (1, 2, 4, 8), align, storage, collation, element, kind)


def io_functions(sql_type: T.SqlType) -> dict[str, str]:
    """pg_type's regproc columns: typinput, typoutput, … → function name ('' = none)."""
    if sql_type.element is not None:
        modifier = _TYPMOD_IO.get(sql_type.element.oid)
        names = {suffix: f"array_{suffix}" for suffix in ("in", "out", "recv", "send")}
        subscript = "array_subscript_handler"
    else:
        base = typname(sql_type)
        sep = "_" if base in _UNDERSCORE_IO else ""
        names = {suffix: f"{base}{sep}{suffix}" for suffix in ("in", "out", "recv", "send")}
        modifier = _TYPMOD_IO.get(sql_type.oid)
        subscript = {
            T.JSONB.oid: "jsonb_subscript_handler",
            T.INT2VECTOR.oid: "array_subscript_handler",
            T.OIDVECTOR.oid: "array_subscript_handler",
            T.NAME.oid: "raw_array_subscript_handler",
        }.get(sql_type.oid, "")
    return {
        "typinput": names["in"],
        "typoutput": names["out"],
        "typreceive": names["recv"],
        "typsend": names["send"],
        "typmodin": f"{modifier}typmodin" if modifier else "",
        "typmodout": f"{modifier}typmodout" if modifier else "",
        "typsubscript": subscript,
    }


def _build_procs() -> dict[str, int]:
    names = {"heap_tableam_handler", "bthandler"}
    for sql_type in all_types().values():
        names.update(n for n in io_functions(sql_type).values() if n)
    return {name: FIRST_PROC_OID + i for i, name in enumerate(sorted(names))}


#: The functions pg_proc lists (types' I/O functions, access method handlers) → OID.
PROCS: dict[str, int] = _build_procs()
PROC_NAMES: dict[int, str] = {oid: name for name, oid in PROCS.items()}
