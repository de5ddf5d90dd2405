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

from tidesql.sql.interval import Interval
from tidesql.sql.types.binary_io import RecvFn as RecvFn
from tidesql.sql.types.binary_io import SendFn as SendFn
from tidesql.sql.types.binary_io import decode_binary, encode_binary
from tidesql.sql.types.casts import CastFn as CastFn
from tidesql.sql.types.casts import can_coerce, cast_value
from tidesql.sql.types.identity import (
    ALL_TYPES,
    DEFAULT_SETTINGS,
    CatalogNames,
    FormatSettings,
    SqlType,
    array_of,
    format_type,
    is_array,
    is_datetime,
    is_numeric,
    is_string,
    type_by_oid,
    type_from_name,
    with_modifier,
)
from tidesql.sql.types.identity import BOOL as BOOL
from tidesql.sql.types.identity import BOOL_ARRAY as BOOL_ARRAY
from tidesql.sql.types.identity import BPCHAR as BPCHAR
from tidesql.sql.types.identity import BPCHAR_ARRAY as BPCHAR_ARRAY
from tidesql.sql.types.identity import BYTEA as BYTEA
from tidesql.sql.types.identity import BYTEA_ARRAY as BYTEA_ARRAY
from tidesql.sql.types.identity import CHAR as CHAR
from tidesql.sql.types.identity import CHAR_ARRAY as CHAR_ARRAY
from tidesql.sql.types.identity import DATE as DATE
from tidesql.sql.types.identity import DATE_ARRAY as DATE_ARRAY
from tidesql.sql.types.identity import FLOAT4 as FLOAT4
from tidesql.sql.types.identity import FLOAT4_ARRAY as FLOAT4_ARRAY
from tidesql.sql.types.identity import FLOAT8 as FLOAT8
from tidesql.sql.types.identity import FLOAT8_ARRAY as FLOAT8_ARRAY
from tidesql.sql.types.identity import INET as INET
from tidesql.sql.types.identity import INT2 as INT2
from tidesql.sql.types.identity import INT2_ARRAY as INT2_ARRAY
from tidesql.sql.types.identity import INT2VECTOR as INT2VECTOR
from tidesql.sql.types.identity import INT2VECTOR_ARRAY as INT2VECTOR_ARRAY
from tidesql.sql.types.identity import INT4 as INT4
from tidesql.sql.types.identity import INT4_ARRAY as INT4_ARRAY
from tidesql.sql.types.identity import INT8 as INT8
from tidesql.sql.types.identity import INT8_ARRAY as INT8_ARRAY
from tidesql.sql.types.identity import INTERVAL as INTERVAL
from tidesql.sql.types.identity import INTERVAL_ARRAY as INTERVAL_ARRAY
from tidesql.sql.types.identity import JSON as JSON
from tidesql.sql.types.identity import JSON_ARRAY as JSON_ARRAY
from tidesql.sql.types.identity import JSONB as JSONB
from tidesql.sql.types.identity import JSONB_ARRAY as JSONB_ARRAY
from tidesql.sql.types.identity import NAME as NAME
from tidesql.sql.types.identity import NAME_ARRAY as NAME_ARRAY
from tidesql.sql.types.identity import NUMERIC as NUMERIC
from tidesql.sql.types.identity import NUMERIC_ARRAY as NUMERIC_ARRAY
from tidesql.sql.types.identity import OID as OID
from tidesql.sql.types.identity import OID_ARRAY as OID_ARRAY
from tidesql.sql.types.identity import OIDVECTOR as OIDVECTOR
from tidesql.sql.types.identity import OIDVECTOR_ARRAY as OIDVECTOR_ARRAY
from tidesql.sql.types.identity import RECORD as RECORD
from tidesql.sql.types.identity import RECORD_ARRAY as RECORD_ARRAY
from tidesql.sql.types.identity import REGCLASS as REGCLASS
from tidesql.sql.types.identity import REGCLASS_ARRAY as REGCLASS_ARRAY
from tidesql.sql.types.identity import REGNAMESPACE as REGNAMESPACE
from tidesql.sql.types.identity import REGPROC as REGPROC
from tidesql.sql.types.identity import REGPROC_ARRAY as REGPROC_ARRAY
from tidesql.sql.types.identity import REGPROCEDURE as REGPROCEDURE
from tidesql.sql.types.identity import REGROLE as REGROLE
from tidesql.sql.types.identity import REGTYPE as REGTYPE
from tidesql.sql.types.identity import REGTYPE_ARRAY as REGTYPE_ARRAY
from tidesql.sql.types.identity import TEXT as TEXT
from tidesql.sql.types.identity import TEXT_ARRAY as TEXT_ARRAY
from tidesql.sql.types.identity import TIME as TIME
from tidesql.sql.types.identity import TIME_ARRAY as TIME_ARRAY
from tidesql.sql.types.identity import TIMESTAMP as TIMESTAMP
from tidesql.sql.types.identity import TIMESTAMP_ARRAY as TIMESTAMP_ARRAY
from tidesql.sql.types.identity import TIMESTAMPTZ as TIMESTAMPTZ
from tidesql.sql.types.identity import TIMESTAMPTZ_ARRAY as TIMESTAMPTZ_ARRAY
from tidesql.sql.types.identity import UNKNOWN as UNKNOWN
from tidesql.sql.types.identity import UUID as UUID
from tidesql.sql.types.identity import UUID_ARRAY as UUID_ARRAY
from tidesql.sql.types.identity import VARCHAR as VARCHAR
from tidesql.sql.types.identity import VARCHAR_ARRAY as VARCHAR_ARRAY
from tidesql.sql.types.identity import VOID as VOID
from tidesql.sql.types.ordering import common_type, sort_key, values_equal
from tidesql.sql.types.text_io import Record as Record
from tidesql.sql.types.text_io import format_value, parse_value, text_formatter, text_parser
from tidesql.sql.types.text_numbers import InputFn as InputFn
from tidesql.sql.types.text_numbers import OutputFn as OutputFn
from tidesql.sql.types.text_numbers import _numeric_normalize as _numeric_normalize
from tidesql.sql.types.text_scalars import JSON_NULL
from tidesql.sql.types.text_scalars import Inet as Inet
from tidesql.sql.types.text_scalars import _jsonb_text as _jsonb_text
from tidesql.sql.types.text_scalars import inet_order_key as inet_order_key

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
