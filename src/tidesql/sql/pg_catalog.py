"""Virtual tables: ``sys.jobs`` and the parts of ``pg_catalog`` and ``information_schema``
that clients read, computed from the transaction's catalog when a query scans them.

Why virtual?
    tidesql's catalog is a handful of JSON definitions (``catalog.py``); PostgreSQL's is
    some sixty tables. Rather than keep two copies in step, every table here is a
    function of the :class:`~tidesql.sql.catalog.Catalog` of the reading transaction: a
    scan calls the table's *producer*, which derives the rows. psql's ``\\d`` therefore
    sees exactly the schema its snapshot sees, DDL has no second write path, and nothing
    is stored.

How is a table declared?
    With its PostgreSQL 16 column list, spelled ``name:typname`` as ``\\d`` would show it,
    constant column values (``defaults``), and a producer ``(CatalogView) -> rows`` that
    yields one dict per row holding the columns that vary. Columns neither given nor
    defaulted are NULL. Tables no client needs rows from (pg_inherits, pg_policy, …)
    have no producer: they are empty, but exist with the right columns so that psql's
    and SQLAlchemy's queries bind. The registry ``REGISTRY`` maps (schema, name) to the
    table; the planner finds tables through :class:`VirtualTables`.

Which OIDs?
    * user objects keep their catalog OIDs (16384 and up): tables, views, schemas,
      indexes (the primary key's too) and constraints;
    * CHECK constraints and column defaults have no OID in the catalog; they get
      synthetic ones above 2³¹ (``_CHECK_OID_BASE``, ``_ATTRDEF_OID_BASE``) — unique, but
      meaningful only within one catalog version;
    * built-in objects have PostgreSQL's OIDs: pg_class is 1259, int4 is 23, pg_catalog
      is namespace 11, the bootstrap superuser (tidesql's ``admin``) is role 10;
    * the input/output functions that pg_type names (``int4in``…) get OIDs from 8000 up
      in a small function table (``PROCS``), so regproc columns print names;
    * roles have no OID in tidesql: other than ``admin`` (10), a role's OID is derived
      from its name (``role_oid``), so it is the same in every statement.

Which view of the catalog does a statement see?
    A :class:`CatalogView` over the catalog of its transaction (which includes the
    transaction's own DDL), made once per statement and kept on its ``Env``; scans and
    the catalog functions (``catalog_functions.py``) share it. Values of type regclass
    are printed after the statement, through the session's ``FormatSettings``, whose
    :class:`SessionNames` looks names up in the catalog the session sees at that moment.
    Stored roles (CREATE ROLE) live outside the catalog; tables that list roles read
    them through the statement's transaction first.

What does a scan cost?
    A producer builds all of its rows; filters run on top. Catalogs are small (hundreds
    of relations), but SQLAlchemy's column query reads pg_attrdef in a correlated
    subquery once per column, so one statement's rows are memoised per table on the
    statement's :class:`CatalogView`.

Column types tidesql lacks are replaced: ``pg_node_tree`` by text (it holds the SQL
text itself, which ``pg_get_expr`` returns), ``aclitem[]`` by text[] (always NULL: the
default privileges), ``xid`` by oid, ``inet`` and ``pg_lsn`` by text; the
information_schema domains by their base types.

pg_description holds the COMMENT ON descriptions kept in the definitions (comments.py);
pg_shdescription is empty.

pg_proc lists the types' I/O functions and the user-defined SQL functions (with
pg_language's internal, c and sql); not the built-in SQL-callable functions.

Non-goals: statistics (pg_stats, pg_statistic), the built-in functions in pg_proc, and
system columns (attnum < 0) in pg_attribute.
"""

from __future__ import annotations

import functools
import json
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.keys import encode_key, prefix_end
from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.functions import quote_ident
from tidesql.sql.plan import OutputColumn, PlanNode
from tidesql.sql.ruleutils import expression_text, index_key_text

Row = tuple[Any, ...]
Values = dict[str, Any]
Producer = Callable[["CatalogView"], Iterable[Values]]

DATABASE_OID = 5  # PostgreSQL's "postgres" database
DATABASE_NAME = "postgres"
SUPERUSER_OID = 10  # BOOTSTRAP_SUPERUSERID
SUPERUSER_NAME = "admin"
UTF8_ENCODING = 6
DEFAULT_COLLATION_OID = 100
C_COLLATION_OID = 950
POSIX_COLLATION_OID = 951
HEAP_AM_OID = 2
BTREE_AM_OID = 403
DEFAULT_TABLESPACE_OID = 1663
GLOBAL_TABLESPACE_OID = 1664
FIRST_VIEW_OID = 12000  # PostgreSQL's initdb-assigned OIDs: the system views
FIRST_PROC_OID = 8000
SQL_LANGUAGE_OID = 14  # pg_language: internal 12, c 13, sql 14
#: Synthetic OIDs: base + (table OID << 10) + position, unique while table OIDs stay
#: below 2^20 and a table has fewer than 1024 columns or CHECK constraints.
_CHECK_OID_BASE = 2**31
#: The catalogs whose objects take comments (pg_description.classoid).
PG_CLASS_OID, PG_CONSTRAINT_OID, PG_NAMESPACE_OID, PG_TYPE_OID, PG_PROC_OID = (
    1259,
    2606,
    2615,
    1247,
    1255,
)
DESCRIBED_CATALOGS = {
    "pg_class": PG_CLASS_OID,
    "pg_constraint": PG_CONSTRAINT_OID,
    "pg_namespace": PG_NAMESPACE_OID,
    "pg_type": PG_TYPE_OID,
    "pg_proc": PG_PROC_OID,
}
_ATTRDEF_OID_BASE = 3 * 2**30
_POSITION_BITS = 10

#: Schemas that exist without a catalog entry, and where virtual tables live.
SYSTEM_SCHEMAS = {
    "pg_catalog": C.PG_CATALOG_OID,
    "information_schema": C.INFORMATION_SCHEMA_OID,
    "sys": C.SYS_SCHEMA_OID,
}


# =======================================================================================
# 1. The registry


@dataclass
class VirtualScan(PlanNode):
    name: str
    producer: Callable[[Any], Awaitable[list[Row]]]
    columns: list[OutputColumn]
    alias: str = ""  # the FROM alias, by which the planner pushes WHERE conjuncts down

    async def rows(self, ctx: Any) -> list[Row]:
        return await self.producer(ctx)

    def explain(self) -> list[str]:
        return [f"Function Scan on {self.name}"]


@dataclass
class VirtualTable:
    schema: str
    name: str
    oid: int
    columns: list[OutputColumn]
    producer: Callable[[Any], Awaitable[list[Row]]]

    @property
    def kind(self) -> str:
        """pg_class.relkind: the base catalogs are tables, everything else a view."""
        return "r" if self.oid < FIRST_VIEW_OID else "v"

    def plan(self, alias: str = "") -> PlanNode:
        return VirtualScan(f"{self.schema}.{self.name}", self.producer, self.columns, alias)


REGISTRY: dict[tuple[str, str], VirtualTable] = {}


def register(table: VirtualTable) -> None:
    REGISTRY[(table.schema, table.name)] = table


class VirtualTables:
    """The planner's view of the registry (one shared instance)."""

    _instance: VirtualTables | None = None

    @classmethod
    def for_session(cls, session: Any) -> VirtualTables:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def lookup(self, name: str, schema: str | None, search_path: list[str]) -> VirtualTable | None:
        if schema is not None:
            return REGISTRY.get((schema, name))
        for candidate in search_path:
            table = REGISTRY.get((candidate, name))
            if table is not None:
                return table
        return None


#: Column type names as PostgreSQL's ``\d`` shows them (internal names), with the
#: stand-ins for types tidesql does not have.
COLUMN_TYPES: dict[str, T.SqlType] = {
    "oid": T.OID,
    "name": T.NAME,
    "char": T.CHAR,
    "int2": T.INT2,
    "int4": T.INT4,
    "int8": T.INT8,
    "float4": T.FLOAT4,
    "float8": T.FLOAT8,
    "bool": T.BOOL,
    "text": T.TEXT,
    "bytea": T.BYTEA,
    "regproc": T.REGPROC,
    "regclass": T.REGCLASS,
    "regtype": T.REGTYPE,
    "regnamespace": T.REGNAMESPACE,
    "regprocedure": T.REGPROCEDURE,
    "regrole": T.REGROLE,
    "int2vector": T.INT2VECTOR,
    "oidvector": T.OIDVECTOR,
    "interval": T.INTERVAL,
    "timestamptz": T.TIMESTAMPTZ,
    "_text": T.TEXT_ARRAY,
    "_oid": T.OID_ARRAY,
    "_int2": T.INT2_ARRAY,
    "_char": T.CHAR_ARRAY,
    "_float4": T.FLOAT4_ARRAY,
    "_regtype": T.REGTYPE_ARRAY,
    # stand-ins
    "pg_node_tree": T.TEXT,
    "_aclitem": T.TEXT_ARRAY,
    "xid": T.OID,
    "inet": T.TEXT,
    "pg_lsn": T.TEXT,
    "anyarray": T.TEXT,
    # information_schema's domains
    "sql_identifier": T.NAME,
    "cardinal_number": T.INT4,
    "character_data": T.VARCHAR,
    "yes_or_no": T.with_modifier(T.VARCHAR, 3 + 4),
    "time_stamp": T.TIMESTAMPTZ,
}


def _parse_columns(spec: str, table_oid: int) -> list[OutputColumn]:
    columns = []
    for number, item in enumerate(spec.split(), start=1):
        name, _, type_name = item.partition(":")
        columns.append(OutputColumn(name, COLUMN_TYPES[type_name], table_oid, number))
    return columns


def catalog_table(
    schema: str,
    name: str,
    oid: int,
    spec: str,
    *,
    live: bool = False,
    reads_roles: bool = False,
    reads_sequences: bool = False,
    **defaults: Any,
) -> Callable[[Producer], Producer]:
    """Register ``schema.name`` with columns ``spec``; the decorated function produces
    its rows as dicts, and ``defaults`` fill the columns a row does not give.

    Rows that follow from the catalog alone are kept with it (:func:`catalog_memo`);
    a ``live`` table (sessions, settings, jobs) is made again in every statement, and one
    that ``reads_roles`` first loads the stored roles (CREATE ROLE) into the view.
    """
    live = live or reads_roles or reads_sequences

    def decorate(producer: Producer) -> Producer:
        columns = _parse_columns(spec, oid)
        names = [c.name for c in columns]
        unknown = set(defaults) - set(names)
        if unknown:
            raise ValueError(f"{schema}.{name} has no columns {sorted(unknown)}")
        key = (schema, name)

        async def rows(ctx: Any) -> list[Row]:
            view = CatalogView.of_context(ctx)
            if reads_roles:
                await view.load_roles(ctx.txn)
            if reads_sequences:
                await view.load_sequence_rows(ctx.txn)
            memo = view.memo if live else catalog_memo(view.catalog)
            cached = memo.get(key)
            if cached is None:
                cached = [
                    tuple(values.get(n, defaults.get(n)) for n in names)
                    for values in producer(view)
                ]
                memo[key] = cached
            return cached

        register(VirtualTable(schema, name, oid, columns, rows))
        return producer

    return decorate


#: Rows of the tables that depend on the catalog alone, for the newest few catalogs. A
#: catalog object stands for one version and is never rebuilt in place (DDL makes a new
#: one), so its rows can serve every statement that reads it.
_ROWS_BY_CATALOG: OrderedDict[int, tuple[C.Catalog | None, dict[tuple[str, str], list[Row]]]] = (
    OrderedDict()
)
CATALOG_MEMOS_MAX = 8


def catalog_memo(catalog: C.Catalog | None) -> dict[tuple[str, str], list[Row]]:
    entry = _ROWS_BY_CATALOG.get(id(catalog))
    if entry is None or entry[0] is not catalog:
        entry = (catalog, {})
        _ROWS_BY_CATALOG[id(catalog)] = entry
        while len(_ROWS_BY_CATALOG) > CATALOG_MEMOS_MAX:
            _ROWS_BY_CATALOG.popitem(last=False)
    else:
        _ROWS_BY_CATALOG.move_to_end(id(catalog))
    return entry[1]


def empty_table(schema: str, name: str, oid: int, spec: str) -> None:
    """A table that exists so that queries bind, and has no rows."""
    catalog_table(schema, name, oid, spec)(lambda view: ())


# =======================================================================================
# 2. Types: what pg_type says about each SqlType


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


# =======================================================================================
# 3. The view of one catalog


def split_qualified(text: str) -> tuple[str | None, str]:
    """``'public."My Table"'`` → ``('public', 'My Table')``; unquoted parts fold to
    lower case as identifiers do."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"' and text[i + 1 : i + 2] == '"':
                current.append('"')
                i += 1
            elif char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"':
            quoted = True
        elif char == ".":
            parts.append("".join(current))
            current = []
        elif not char.isspace():
            current.append(char.lower())
        i += 1
    parts.append("".join(current))
    if len(parts) == 1:
        return None, parts[0]
    return parts[-2], parts[-1]


@dataclass(frozen=True, slots=True)
class Relation:
    """One pg_class row: a table, a view, an index or a virtual table."""

    oid: int
    name: str
    namespace: int
    kind: str  # 'r' table, 'v' view, 'i' index
    owner: str
    table: C.TableDef | None = None
    index: C.IndexDef | None = None
    virtual: VirtualTable | None = None


def _simple_call(text: str) -> bool:
    """Whether an index expression prints bare in pg_get_indexdef: ``lower(a)``, not
    ``(a + 1)``."""
    head, _, rest = text.partition("(")
    if not rest or not head.replace("_", "").replace(".", "").isalnum():
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and char == ")":
            return position == len(text) - 1
    return False


def relation_width(relation: Relation) -> int:
    """pg_class.relnatts: the number of columns, dropped ones included."""
    if relation.virtual is not None:
        return len(relation.virtual.columns)
    if relation.index is not None:
        return len(relation.index.columns) + len(relation.index.include)
    return len(relation.table.columns) if relation.table is not None else 0


@dataclass(frozen=True, slots=True)
class Attribute:
    """One pg_attribute row."""

    relation: int
    name: str
    sql_type: T.SqlType | None  # None for a dropped column
    number: int
    not_null: bool = False
    has_default: bool = False
    identity: str = ""
    domain_oid: int = 0  # the column's domain: pg_attribute.atttypid names it


@dataclass(frozen=True, slots=True)
class Constraint:
    oid: int
    table: C.TableDef
    definition: C.ConstraintDef


@dataclass(frozen=True, slots=True)
class Default:
    oid: int
    table: C.TableDef
    column: C.ColumnDef


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    oid: int
    superuser: bool = False
    login: bool = True


#: Roles other than the superuser have no OID in tidesql; theirs is derived from the
#: name, so that it is the same in every statement: base + CRC-32 of the name (28 bits).
_ROLE_OID_BASE = 0x50000000


def role_oid(name: str) -> int:
    if name == SUPERUSER_NAME:
        return SUPERUSER_OID
    return _ROLE_OID_BASE + (zlib.crc32(name.encode()) & 0x0FFFFFFF)


def session_catalog(session: Any) -> C.Catalog | None:
    """The catalog a session sees now: its transaction's, or between transactions (while
    a result is being sent) the newest one loaded."""
    transaction = session.transaction
    if transaction is not None:
        catalog: C.Catalog = transaction.catalog
        return catalog
    latest: C.Catalog | None = session.engine.latest_catalog
    return latest


#: pg_get_function_arguments' words for parameter modes other than IN.
_MODE_WORDS = {"o": "OUT", "b": "INOUT", "v": "VARIADIC", "t": "TABLE"}


def _split_arguments(text: str) -> list[str]:
    """``integer, numeric(10,2)`` → the argument type names, split at top-level commas."""
    parts: list[str] = []
    depth, start = 0, 0
    for position, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(text[start:position].strip())
            start = position + 1
    last = text[start:].strip()
    return [*parts, last] if last or parts else []


class CatalogView:
    """A catalog as pg_catalog presents it: relations, attributes and constraints by OID,
    name resolution for regclass/regproc (it is a :class:`types.CatalogNames`), and
    rendering of index and constraint definitions.

    One is made per statement (it rides on the statement's ``Env``), so the derived maps
    are built at most once per statement, lazily, and only those a query needs.
    """

    def __init__(
        self, catalog: C.Catalog | None, search_path: list[str], session: Any = None
    ) -> None:
        self.catalog = catalog
        self.search_path = search_path
        self.session = session
        self.memo: dict[tuple[str, str], list[Row]] = {}
        self.stored_roles: list[dict[str, Any]] | None = None
        #: Sequence oid → (last_value, is_called), once loaded (pg_sequences).
        self.sequence_rows: dict[int, tuple[int, bool]] = {}

    @classmethod
    def for_session(cls, session: Any) -> CatalogView:
        """A view of what a session sees now (see :func:`session_catalog`)."""
        return cls(session_catalog(session), session.search_path(), session)

    @classmethod
    def of_env(cls, env: Any) -> CatalogView:
        """The view of one execution (``Env`` is made per statement), made on first use."""
        view = getattr(env, "catalog_view", None)
        if not isinstance(view, CatalogView):
            view = cls.for_session(env.session)
            env.catalog_view = view
        return view

    @classmethod
    def of_context(cls, ctx: Any) -> CatalogView:
        """The view a scan of one statement reads, over the statement's own catalog."""
        view = cls.of_env(ctx.env)
        if view.catalog is not ctx.sql_txn.catalog:
            view = cls(ctx.sql_txn.catalog, ctx.session.search_path(), ctx.session)
            ctx.env.catalog_view = view
        return view

    # ------------------------------------------------------------ schemas and roles
    @cached_property
    def schemas(self) -> dict[int, str]:
        known = dict(self.catalog.schemas) if self.catalog is not None else {}
        for name, oid in SYSTEM_SCHEMAS.items():
            known.setdefault(oid, name)
        return dict(sorted(known.items()))

    @cached_property
    def schema_oids(self) -> dict[str, int]:
        return {name: oid for oid, name in self.schemas.items()}

    def schema_name(self, oid: int) -> str:
        return self.schemas.get(oid, str(oid))

    @cached_property
    def path_schemas(self) -> list[int]:
        """OIDs of the existing schemas of the search path, in order."""
        return [self.schema_oids[n] for n in self.search_path if n in self.schema_oids]

    async def load_sequence_rows(self, txn: Any) -> None:
        """Read each sequence's row (last_value, is_called) at the statement's snapshot."""
        from tidesql.sql.sequences import read_sequence_row

        for table in self.catalog.tables.values() if self.catalog is not None else ():
            if table.sequence is not None and table.oid not in self.sequence_rows:
                row = await read_sequence_row(txn, table)
                if row is not None:
                    self.sequence_rows[table.oid] = row

    async def load_roles(self, txn: Any) -> None:
        """Read the stored roles (``CREATE ROLE``) through the statement's transaction."""
        if self.stored_roles is not None:
            return
        low = encode_key((C.SYS_ROLES,))
        self.stored_roles = [json.loads(value) for _, value in await txn.scan(low, prefix_end(low))]
        for derived in ("roles", "role_names"):
            self.__dict__.pop(derived, None)

    @cached_property
    def roles(self) -> dict[str, Role]:
        """Role name → role: the superuser, the stored roles (once loaded), connected
        users and object owners."""
        roles = {SUPERUSER_NAME: Role(SUPERUSER_NAME, SUPERUSER_OID, superuser=True)}
        for stored in self.stored_roles or ():
            name = stored["name"]
            roles[name] = Role(
                name, role_oid(name), bool(stored.get("superuser")), bool(stored.get("login"))
            )
        names = set()
        if self.session is not None:
            names.add(self.session.user)
            names.update(other.user for other in self.session.engine.sessions.values())
        if self.catalog is not None:
            names.update(t.owner for t in self.catalog.tables.values())
        for name in sorted(names - set(roles)):
            roles[name] = Role(name, role_oid(name))
        return roles

    @cached_property
    def role_names(self) -> dict[int, str]:
        return {role.oid: name for name, role in self.roles.items()}

    # ------------------------------------------------------------ relations
    @cached_property
    def relations(self) -> dict[int, Relation]:
        out: dict[int, Relation] = {}
        for virtual in REGISTRY.values():
            namespace = SYSTEM_SCHEMAS.get(virtual.schema, C.PG_CATALOG_OID)
            out[virtual.oid] = Relation(
                virtual.oid, virtual.name, namespace, virtual.kind, SUPERUSER_NAME, virtual=virtual
            )
        tables = self.catalog.tables.values() if self.catalog is not None else ()
        for table in tables:
            out[table.oid] = Relation(
                table.oid, table.name, table.schema_oid, table.kind, table.owner, table=table
            )
            for index in table.indexes:
                out[index.oid] = Relation(
                    index.oid,
                    index.name,
                    table.schema_oid,
                    "i",
                    table.owner,
                    table=table,
                    index=index,
                )
        return dict(sorted(out.items()))

    @cached_property
    def relations_by_name(self) -> dict[tuple[int, str], Relation]:
        return {(r.namespace, r.name): r for r in self.relations.values()}

    @cached_property
    def visible_relations(self) -> set[int]:
        """OIDs of the relations a bare name finds (PostgreSQL's RelationIsVisible)."""
        seen: set[str] = set()
        visible: set[int] = set()
        for namespace in self.path_schemas:
            for relation in self.relations.values():
                if relation.namespace == namespace and relation.name not in seen:
                    visible.add(relation.oid)
            seen.update(r.name for r in self.relations.values() if r.namespace == namespace)
        return visible

    def find_relation(self, text: str) -> Relation | None:
        schema, name = split_qualified(text)
        if schema is not None:
            namespace = self.schema_oids.get(schema)
            return None if namespace is None else self.relations_by_name.get((namespace, name))
        for namespace in self.path_schemas:
            found = self.relations_by_name.get((namespace, name))
            if found is not None:
                return found
        return None

    def relation_name(self, oid: int) -> str | None:
        """regclass output: the name, schema-qualified when the search path misses it."""
        relation = self.relations.get(oid)
        if relation is None:
            return None
        if oid in self.visible_relations:
            return quote_ident(relation.name)
        return f"{quote_ident(self.schema_name(relation.namespace))}.{quote_ident(relation.name)}"

    def attributes(self, relation: Relation) -> list[Attribute]:
        oid = relation.oid
        if relation.virtual is not None:
            return [
                Attribute(oid, c.name, c.type, n)
                for n, c in enumerate(relation.virtual.columns, start=1)
            ]
        table = relation.table
        assert table is not None
        if relation.index is not None:
            index = relation.index
            types = iter(index.expression_type_oids)
            attributes = []
            parts = [*index.key_parts(), *((a, None) for a in index.include)]
            for n, (a, text) in enumerate(parts, start=1):
                if text is None:
                    column = table.columns[a - 1]
                    attributes.append(Attribute(oid, column.name, column.sql_type, n))
                else:
                    name = text.split("(", 1)[0] if _simple_call(text) else "expr"
                    attributes.append(Attribute(oid, name, T.type_by_oid(next(types)), n))
            return attributes
        return [
            Attribute(oid, c.name, None, c.attnum)
            if c.dropped
            else Attribute(
                oid,
                c.name,
                c.sql_type,
                c.attnum,
                c.not_null,
                c.default is not None,
                c.identity,
                c.domain_oid,
            )
            for c in table.columns
        ]

    # ------------------------------------------------------------ constraints, defaults
    @cached_property
    def constraints(self) -> dict[int, Constraint]:
        out: dict[int, Constraint] = {}
        for table in self.catalog.tables.values() if self.catalog is not None else ():
            for position, definition in enumerate(table.constraints):
                oid = definition.oid or (_CHECK_OID_BASE + (table.oid << _POSITION_BITS) + position)
                out[oid] = Constraint(oid, table, definition)
        return dict(sorted(out.items()))

    @cached_property
    def descriptions(self) -> dict[tuple[int, int, int], str]:
        """pg_description: (objoid, classoid, objsubid) → the COMMENT ON text."""
        out: dict[tuple[int, int, int], str] = {}
        catalog = self.catalog
        if catalog is None:
            return out
        for table in catalog.tables.values():
            if table.description is not None:
                out[(table.oid, PG_CLASS_OID, 0)] = table.description
            for column in table.live_columns:
                if column.description is not None:
                    out[(table.oid, PG_CLASS_OID, column.attnum)] = column.description
            for index in table.indexes:
                if index.description is not None:
                    out[(index.oid, PG_CLASS_OID, 0)] = index.description
        for oid, constraint in self.constraints.items():
            if constraint.definition.description is not None:
                out[(oid, PG_CONSTRAINT_OID, 0)] = constraint.definition.description
        for oid, entry in catalog.schema_entries.items():
            if entry.get("description") is not None:
                out[(oid, PG_NAMESPACE_OID, 0)] = entry["description"]
        for domain in catalog.domains.values():
            if domain.description is not None:
                out[(domain.oid, PG_TYPE_OID, 0)] = domain.description
        for function in catalog.functions.values():
            if function.description is not None:
                out[(function.oid, PG_PROC_OID, 0)] = function.description
        return dict(sorted(out.items()))

    @cached_property
    def defaults(self) -> dict[int, Default]:
        out: dict[int, Default] = {}
        for table in self.catalog.tables.values() if self.catalog is not None else ():
            for column in table.live_columns:
                if column.default is not None:
                    oid = _ATTRDEF_OID_BASE + (table.oid << _POSITION_BITS) + column.attnum
                    out[oid] = Default(oid, table, column)
        return out

    def index_definition(self, oid: int, column: int = 0) -> str | None:
        """pg_get_indexdef: the CREATE INDEX statement, or the ``column``-th key."""
        relation = self.relations.get(oid)
        if relation is None or relation.index is None or relation.table is None:
            return None
        index, table = relation.index, relation.table
        keys = [*index.key_parts(), *((a, None) for a in index.include)]

        def label(attnum: int, text: str | None) -> str:
            if text is not None:
                return index_key_text(text)
            return quote_ident(table.columns[attnum - 1].name)

        if column > 0:
            if column > len(keys):
                return ""
            return label(*keys[column - 1])
        parts = []
        for position, (attnum, text) in enumerate(index.key_parts()):
            part = label(attnum, text)
            if position < len(index.descending) and index.descending[position]:
                part += " DESC"
            parts.append(part)
        text = (
            f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {quote_ident(index.name)} ON "
            f"{quote_ident(self.schema_name(table.schema_oid))}.{quote_ident(table.name)} "
            f"USING btree ({', '.join(parts)})"
        )
        if index.include:
            names = ", ".join(quote_ident(table.columns[a - 1].name) for a in index.include)
            text += f" INCLUDE ({names})"
        if index.nulls_not_distinct:
            text += " NULLS NOT DISTINCT"
        if index.predicate:
            text += f" WHERE {expression_text(index.predicate)}"
        return text

    def constraint_definition(self, oid: int, pretty: bool = False) -> str | None:
        """pg_get_constraintdef: ``PRIMARY KEY (id)``, ``UNIQUE (a, b)``, ``CHECK (…)``."""
        found = self.constraints.get(oid)
        if found is None:
            return None
        table, definition = found.table, found.definition
        columns = ", ".join(quote_ident(table.columns[a - 1].name) for a in definition.columns)
        not_valid = "" if definition.validated else " NOT VALID"
        if definition.kind == "c":
            expression = expression_text(definition.expression or "true", pretty)
            return f"CHECK ({expression}){not_valid}"
        if definition.kind == "f":
            return self._foreign_key_definition(table, definition) + not_valid
        index = next((i for i in table.indexes if i.oid == definition.index_oid), None)
        include = ""
        if index is not None and index.include:
            names = ", ".join(quote_ident(table.columns[a - 1].name) for a in index.include)
            include = f" INCLUDE ({names})"
        if definition.kind == "p":
            return f"PRIMARY KEY ({columns}){include}"
        if definition.kind == "u":
            nulls = " NULLS NOT DISTINCT" if index is not None and index.nulls_not_distinct else ""
            return f"UNIQUE{nulls} ({columns}){include}"
        return f"{definition.kind} ({columns})"

    def _foreign_key_definition(self, table: C.TableDef, definition: C.ConstraintDef) -> str:
        """``FOREIGN KEY (p) REFERENCES p(id) ON DELETE CASCADE DEFERRABLE …``, in the
        order and spelling of PostgreSQL's pg_get_constraintdef (clients parse it)."""
        columns = ", ".join(quote_ident(table.columns[a - 1].name) for a in definition.columns)
        parent = self.catalog.tables.get(definition.ref_table) if self.catalog else None
        if parent is None:
            return f"FOREIGN KEY ({columns})"
        ref_columns = ", ".join(
            quote_ident(parent.columns[a - 1].name) for a in definition.ref_columns
        )
        parent_schema = self.schema_name(parent.schema_oid)
        name = quote_ident(parent.name)
        if parent_schema not in ("public", "pg_catalog"):
            name = f"{quote_ident(parent_schema)}.{name}"
        text = f"FOREIGN KEY ({columns}) REFERENCES {name}({ref_columns})"
        if definition.match_full:
            text += " MATCH FULL"
        if definition.on_update != C.FK_NO_ACTION:
            text += f" ON UPDATE {C.FK_ACTION_NAMES[definition.on_update]}"
        if definition.on_delete != C.FK_NO_ACTION:
            text += f" ON DELETE {C.FK_ACTION_NAMES[definition.on_delete]}"
        if definition.deferrable:
            text += " DEFERRABLE"
        if definition.deferred:
            text += " INITIALLY DEFERRED"
        return text

    # ------------------------------------------------------------ functions
    @cached_property
    def functions(self) -> dict[int, C.FunctionDef]:
        """The user-defined (SQL-language) functions by OID."""
        return dict(sorted(self.catalog.functions.items())) if self.catalog is not None else {}

    @cached_property
    def visible_functions(self) -> set[int]:
        """OIDs of the functions a bare name finds (PostgreSQL's FunctionIsVisible): the
        first of each name and argument types along the search path; the built-in ones."""
        visible = set(PROC_NAMES)
        seen: set[tuple[str, tuple[int, ...]]] = set()
        for namespace in self.path_schemas:
            found = [f for f in self.functions.values() if f.schema_oid == namespace]
            for function in found:
                if (function.name, tuple(function.arg_type_oids)) not in seen:
                    visible.add(function.oid)
            seen.update((f.name, tuple(f.arg_type_oids)) for f in found)
        return visible

    def _function_label(self, function: C.FunctionDef) -> str:
        if function.oid in self.visible_functions:
            return quote_ident(function.name)
        schema = quote_ident(self.schema_name(function.schema_oid))
        return f"{schema}.{quote_ident(function.name)}"

    def _functions_named(self, text: str) -> list[C.FunctionDef]:
        """The user functions a possibly qualified name finds: in the named schema, or
        in the first schema of the search path that has one."""
        schema, name = split_qualified(text)
        candidates = self.catalog.functions_named(name) if self.catalog is not None else []
        if schema is not None:
            namespace = self.schema_oids.get(schema)
            return [f for f in candidates if f.schema_oid == namespace]
        return [f for f in candidates if f.oid in self.visible_functions]

    def function_oid(self, text: str) -> int | None:
        """regproc input: the one function of that name (42725 when there are more)."""
        schema, name = split_qualified(text)
        found = self._functions_named(text)
        if len(found) > 1:
            raise TideError(
                f'more than one function named "{text}"', sqlstate=sqlstates.AMBIGUOUS_FUNCTION
            )
        if found:
            return found[0].oid
        return PROCS.get(name) if schema in (None, "pg_catalog") else None

    def procedure_oid(self, text: str) -> int | None:
        """regprocedure input: ``name(type, …)`` → the function with those argument
        types (a domain stands for its base type, as argument types are stored)."""
        head, paren, rest = text.partition("(")
        if not paren or not rest.rstrip().endswith(")"):
            raise TideError(
                "expected a left parenthesis", sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION
            )
        wanted = [self._argument_type_oid(arg) for arg in _split_arguments(rest.rstrip()[:-1])]
        for function in self._functions_named(head.strip()):
            if function.arg_type_oids == wanted:
                return function.oid
        return None

    def _argument_type_oid(self, text: str) -> int:
        schema, name = split_qualified(text)
        if self.catalog is not None:
            domain = self.catalog.find_domain(name, schema, self.search_path)
            if domain is not None and "(" not in text and "[" not in text:
                return domain.type_oid
        oid: int = T.parse_value(text, T.REGTYPE)
        return oid

    def procedure_name(self, oid: int) -> str | None:
        """regprocedure output: ``name(integer,text)``."""
        function = self.functions.get(oid)
        if function is None:
            return None
        types = ",".join(self.type_text(t) for t in function.arg_type_oids)
        return f"{self._function_label(function)}({types})"

    def type_text(self, oid: int, modifier: int = -1) -> str:
        """format_type(oid, typmod), knowing the catalog's domains."""
        domain = self.catalog.domains.get(oid) if self.catalog is not None else None
        if domain is not None:
            return quote_ident(domain.name)
        sql_type = type_by_oid(oid)
        if sql_type is None:
            return "???"
        return T.format_type(sql_type if modifier == -1 else T.with_modifier(sql_type, modifier))

    def function_arguments(self, oid: int, defaults: bool = True) -> str | None:
        """pg_get_function_arguments (``x integer, y integer DEFAULT 1``), and without
        defaults pg_get_function_identity_arguments; TABLE columns are left out."""
        function = self.functions.get(oid)
        if function is None:
            return None
        modes = function.param_modes or ["i"] * len(function.arg_type_oids)
        names = function.param_names or function.arg_names
        types = function.param_type_oids or function.arg_type_oids
        # Defaults belong to the input parameters, in order.
        pending = iter(function.arg_defaults)
        parts = []
        for mode, name, type_oid in zip(modes, names, types, strict=True):
            if mode == "t":
                continue
            words = [_MODE_WORDS[mode]] if mode != "i" else []
            if name:
                words.append(quote_ident(name))
            words.append(self.type_text(type_oid))
            default = next(pending, None) if mode in ("i", "b", "v") else None
            if defaults and default is not None:
                words.append(f"DEFAULT {expression_text(default)}")
            parts.append(" ".join(words))
        return ", ".join(parts)

    def function_result(self, oid: int) -> str | None:
        """pg_get_function_result: ``integer``, ``SETOF integer``, ``TABLE(a integer)``."""
        function = self.functions.get(oid)
        if function is None:
            return None
        if "t" in function.param_modes:
            columns = ", ".join(
                f"{quote_ident(name)} {self.type_text(type_oid)}"
                for mode, name, type_oid in zip(
                    function.param_modes,
                    function.param_names,
                    function.param_type_oids,
                    strict=True,
                )
                if mode == "t"
            )
            return f"TABLE({columns})"
        table = self.catalog.tables.get(function.row_table_oid) if self.catalog else None
        if table is not None:
            result = self.relation_name(table.oid) or quote_ident(table.name)
        else:
            result = self.type_text(function.result_type_oid)
        return f"SETOF {result}" if function.returns_set else result

    def function_body(self, oid: int) -> str | None:
        """pg_get_function_sqlbody: a SQL-standard body (``RETURN …``), else NULL."""
        function = self.functions.get(oid)
        if function is None or not function.standard_body:
            return None
        return function.source

    def function_definition(self, oid: int) -> str | None:
        """pg_get_functiondef: the CREATE OR REPLACE FUNCTION statement, laid out as
        PostgreSQL lays it out."""
        function = self.functions.get(oid)
        if function is None:
            return None
        name = f"{quote_ident(self.schema_name(function.schema_oid))}.{quote_ident(function.name)}"
        text = f"CREATE OR REPLACE FUNCTION {name}({self.function_arguments(oid)})\n"
        text += f" RETURNS {self.function_result(oid)}\n LANGUAGE sql\n"
        options = {"i": " IMMUTABLE", "s": " STABLE"}.get(function.volatility, "")
        options += " STRICT" if function.strict else ""
        if options:
            text += options + "\n"
        if function.standard_body and function.source is not None:
            return text + function.source + "\n"
        source = function.source if function.source is not None else function.body
        quote = "$function"
        while quote + "$" in source:
            quote += "x"
        return f"{text}AS {quote}${source}{quote}$\n"

    # ------------------------------------------------------------ types.CatalogNames
    def object_name(self, reg_type_oid: int, object_oid: int) -> str | None:
        if object_oid == 0:
            return "-"
        if reg_type_oid == T.REGCLASS.oid:
            return self.relation_name(object_oid)
        if reg_type_oid == T.REGPROC.oid:
            function = self.functions.get(object_oid)
            if function is not None:
                return self._function_label(function)
            return PROC_NAMES.get(object_oid)
        if reg_type_oid == T.REGPROCEDURE.oid:
            return self.procedure_name(object_oid)
        if reg_type_oid == T.REGTYPE.oid:
            domain = self.catalog.domains.get(object_oid) if self.catalog is not None else None
            if domain is not None:
                return quote_ident(domain.name)
            found = type_by_oid(object_oid)
            return None if found is None else found.name
        if reg_type_oid == T.REGNAMESPACE.oid:
            schema = self.schemas.get(object_oid)
            return None if schema is None else quote_ident(schema)
        if reg_type_oid == T.REGROLE.oid:
            role = self.role_names.get(object_oid)
            return None if role is None else quote_ident(role)
        return None

    def object_oid(self, reg_type_oid: int, name: str) -> int | None:
        if name == "-":
            return 0
        if reg_type_oid == T.REGCLASS.oid:
            found = self.find_relation(name)
            return None if found is None else found.oid
        if reg_type_oid == T.REGTYPE.oid:
            # The catalog's domains; built-in type names are parsed by regtype input.
            schema, bare = split_qualified(name)
            if self.catalog is None or "(" in name or "[" in name:
                return None
            domain = self.catalog.find_domain(bare, schema, self.search_path)
            return None if domain is None else domain.oid
        if reg_type_oid == T.REGPROC.oid:
            return self.function_oid(name)
        if reg_type_oid == T.REGPROCEDURE.oid:
            return self.procedure_oid(name)
        if reg_type_oid == T.REGNAMESPACE.oid:
            return self.schema_oids.get(split_qualified(name)[1])
        if reg_type_oid == T.REGROLE.oid:
            role = self.roles.get(split_qualified(name)[1])
            return None if role is None else role.oid
        return None


class SessionNames:
    """Regclass/regproc names for a session's ``FormatSettings`` (which the session
    caches across statements): each lookup uses the catalog the session sees at that
    moment, through a view kept while the catalog and search path stay the same."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._view: CatalogView | None = None

    def view(self) -> CatalogView:
        catalog = session_catalog(self.session)
        search_path = self.session.search_path()
        cached = self._view
        if cached is None or cached.catalog is not catalog or cached.search_path != search_path:
            self._view = cached = CatalogView(catalog, search_path, self.session)
        return cached

    def object_name(self, reg_type_oid: int, object_oid: int) -> str | None:
        return self.view().object_name(reg_type_oid, object_oid)

    def object_oid(self, reg_type_oid: int, name: str) -> int | None:
        return self.view().object_oid(reg_type_oid, name)


# =======================================================================================
# 4. pg_catalog

_PG = "pg_catalog"


@catalog_table(
    _PG, "pg_namespace", 2615,
    "oid:oid nspname:name nspowner:oid nspacl:_aclitem",
    nspowner=SUPERUSER_OID,
)  # fmt: skip
def _pg_namespace(view: CatalogView) -> Iterator[Values]:
    entries = view.catalog.schema_entries if view.catalog is not None else {}
    for oid, name in view.schemas.items():
        yield {"oid": oid, "nspname": name, "nspacl": entries.get(oid, {}).get("acl")}


_PG_CLASS = """oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid
    relam:oid relfilenode:oid reltablespace:oid relpages:int4 reltuples:float4
    relallvisible:int4 reltoastrelid:oid relhasindex:bool relisshared:bool
    relpersistence:char relkind:char relnatts:int2 relchecks:int2 relhasrules:bool
    relhastriggers:bool relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool
    relispopulated:bool relreplident:char relispartition:bool relrewrite:oid
    relfrozenxid:xid relminmxid:xid relacl:_aclitem reloptions:_text relpartbound:pg_node_tree"""


@catalog_table(
    _PG, "pg_class", 1259, _PG_CLASS,
    reltype=0, reloftype=0, reltablespace=0, relpages=0, reltuples=-1.0, relallvisible=0,
    reltoastrelid=0, relisshared=False, relpersistence="p", relchecks=0, relhasrules=False,
    relhastriggers=False, relhassubclass=False, relrowsecurity=False,
    relforcerowsecurity=False, relispopulated=True, relreplident="d", relispartition=False,
    relrewrite=0, relfrozenxid=0, relminmxid=0,
)  # fmt: skip
def _pg_class(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        table = relation.table
        row: Values = {
            "oid": relation.oid,
            "relname": relation.name,
            "relnamespace": relation.namespace,
            "relowner": role_oid(relation.owner),
            "relkind": relation.kind,
            "relam": {"r": HEAP_AM_OID, "i": BTREE_AM_OID}.get(relation.kind, 0),
            "relfilenode": relation.oid if relation.kind in ("r", "i") else 0,
            "relhasindex": False,
            "relnatts": relation_width(relation),
        }
        if relation.kind in ("i", "v"):
            row["relreplident"] = "n"
        if table is not None and relation.index is None:
            row["relhasindex"] = bool(table.indexes)
            row["relchecks"] = sum(1 for c in table.constraints if c.kind == "c")
            row["relhasrules"] = table.kind == "v"
            row["relacl"] = table.acl
            # PostgreSQL enforces foreign keys with triggers on both tables, and psql's
            # \d lists foreign keys and "Referenced by" only when this is set.
            row["relhastriggers"] = any(c.kind == "f" for c in table.constraints) or bool(
                view.catalog is not None and view.catalog.referenced_by.get(table.oid)
            )
        yield row


_PG_ATTRIBUTE = """attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2
    attnum:int2 attndims:int4 attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char
    attstorage:char attcompression:char attnotnull:bool atthasdef:bool atthasmissing:bool
    attidentity:char attgenerated:char attisdropped:bool attislocal:bool attinhcount:int4
    attcollation:oid attacl:_aclitem attoptions:_text attfdwoptions:_text
    attmissingval:anyarray"""


@catalog_table(
    _PG, "pg_attribute", 1249, _PG_ATTRIBUTE,
    attstattarget=-1, attcacheoff=-1, attcompression="", atthasmissing=False,
    attgenerated="", attislocal=True, attinhcount=0,
)  # fmt: skip
def _pg_attribute(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        for attribute in view.attributes(relation):
            sql_type = attribute.sql_type
            if sql_type is None:
                yield {
                    "attrelid": attribute.relation,
                    "attname": attribute.name,
                    "atttypid": 0,
                    "attlen": -1,
                    "attnum": attribute.number,
                    "attndims": 0,
                    "atttypmod": -1,
                    "attbyval": False,
                    "attalign": "i",
                    "attstorage": "p",
                    "attnotnull": False,
                    "atthasdef": False,
                    "attidentity": "",
                    "attisdropped": True,
                    "attcollation": 0,
                }
                continue
            facts = type_facts(sql_type)
            yield {
                "attrelid": attribute.relation,
                "attname": attribute.name,
                "atttypid": attribute.domain_oid or sql_type.oid,
                "attlen": sql_type.typlen,
                "attnum": attribute.number,
                "attndims": 1 if sql_type.element is not None else 0,
                "atttypmod": sql_type.modifier,
                "attbyval": facts.byval,
                "attalign": facts.align,
                "attstorage": facts.storage,
                "attnotnull": attribute.not_null,
                "atthasdef": attribute.has_default,
                "attidentity": attribute.identity,
                "attisdropped": False,
                "attcollation": facts.collation,
            }


_PG_TYPE = """oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool
    typtype:char typcategory:char typispreferred:bool typisdefined:bool typdelim:char
    typrelid:oid typsubscript:regproc typelem:oid typarray:oid typinput:regproc
    typoutput:regproc typreceive:regproc typsend:regproc typmodin:regproc typmodout:regproc
    typanalyze:regproc typalign:char typstorage:char typnotnull:bool typbasetype:oid
    typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin:pg_node_tree typdefault:text
    typacl:_aclitem"""


@catalog_table(
    _PG, "pg_type", 1247, _PG_TYPE,
    typnamespace=C.PG_CATALOG_OID, typowner=SUPERUSER_OID, typisdefined=True, typdelim=",",
    typrelid=0, typanalyze=0, typnotnull=False, typbasetype=0, typtypmod=-1, typndims=0,
)  # fmt: skip
def _pg_type(view: CatalogView) -> Iterator[Values]:
    for oid, sql_type in sorted(all_types().items()):
        facts = type_facts(sql_type)
        procs = {column: PROCS.get(name, 0) for column, name in io_functions(sql_type).items()}
        yield {
            "oid": oid,
            "typname": typname(sql_type),
            "typlen": sql_type.typlen,
            "typbyval": facts.byval,
            "typtype": facts.kind,
            "typcategory": sql_type.category,
            "typispreferred": oid in _PREFERRED_OIDS,
            "typelem": facts.element,
            "typarray": sql_type.array_oid,
            "typalign": facts.align,
            "typstorage": facts.storage,
            "typcollation": facts.collation,
            **procs,
        }
    for domain in view.catalog.domains.values() if view.catalog is not None else ():
        base = domain.sql_type
        facts = type_facts(T.type_by_oid(domain.type_oid))
        yield {
            "oid": domain.oid,
            "typname": domain.name,
            "typnamespace": domain.schema_oid,
            "typowner": role_oid(domain.owner),
            "typlen": base.typlen,
            "typbyval": facts.byval,
            "typtype": "d",
            "typcategory": base.category,
            "typispreferred": False,
            "typelem": 0,
            "typarray": 0,
            "typalign": facts.align,
            "typstorage": facts.storage,
            "typcollation": facts.collation,
            "typnotnull": domain.not_null,
            "typbasetype": domain.type_oid,
            "typtypmod": domain.modifier,
            "typdefault": domain.default,
            "typdefaultbin": domain.default,
            "typinput": PROCS.get("domain_in", 0),
            "typoutput": PROCS.get(io_functions(base)["typoutput"], 0),
            "typreceive": PROCS.get("domain_recv", 0),
            "typsend": PROCS.get(io_functions(base)["typsend"], 0),
        }


_PG_INDEX = """indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool
    indnullsnotdistinct:bool indisprimary:bool indisexclusion:bool indimmediate:bool
    indisclustered:bool indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool
    indisreplident:bool indkey:int2vector indcollation:oidvector indclass:oidvector
    indoption:int2vector indexprs:pg_node_tree indpred:pg_node_tree"""


@catalog_table(
    _PG, "pg_index", 2610, _PG_INDEX,
    indisexclusion=False, indimmediate=True, indisclustered=False, indcheckxmin=False,
    indisready=True, indislive=True, indisreplident=False,
)  # fmt: skip
def _pg_index(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        index, table = relation.index, relation.table
        if index is None or table is None:
            continue
        keys = [*index.columns, *index.include]
        yield {
            "indexrelid": index.oid,
            "indrelid": table.oid,
            "indnatts": len(keys),
            "indnkeyatts": len(index.columns),
            "indisunique": index.unique,
            "indnullsnotdistinct": index.nulls_not_distinct,
            "indisprimary": index.is_primary,
            "indisvalid": index.valid,
            "indkey": keys,
            "indcollation": [
                type_facts(table.columns[a - 1].sql_type).collation if a else 0
                for a in index.columns
            ],
            "indclass": [0] * len(index.columns),
            # INDOPTION_DESC | INDOPTION_NULLS_FIRST: DESC sorts NULLs first by default.
            "indoption": [
                3 if position < len(index.descending) and index.descending[position] else 0
                for position in range(len(index.columns))
            ],
            "indpred": index.predicate,
            "indexprs": " ".join(index.expressions) if index.expressions else None,
        }


_PG_CONSTRAINT = """oid:oid conname:name connamespace:oid contype:char condeferrable:bool
    condeferred:bool convalidated:bool conrelid:oid contypid:oid conindid:oid
    conparentid:oid confrelid:oid confupdtype:char confdeltype:char confmatchtype:char
    conislocal:bool coninhcount:int4 connoinherit:bool conkey:_int2 confkey:_int2
    conpfeqop:_oid conppeqop:_oid conffeqop:_oid confdelsetcols:_int2 conexclop:_oid
    conbin:pg_node_tree"""


@catalog_table(
    _PG, "pg_constraint", 2606, _PG_CONSTRAINT,
    condeferrable=False, condeferred=False, convalidated=True, contypid=0, conparentid=0,
    confrelid=0, confupdtype=" ", confdeltype=" ", confmatchtype=" ", conislocal=True,
    coninhcount=0, connoinherit=False,
)  # fmt: skip
def _pg_constraint(view: CatalogView) -> Iterator[Values]:
    for oid, found in view.constraints.items():
        definition = found.definition
        row: Values = {
            "oid": oid,
            "conname": definition.name,
            "connamespace": found.table.schema_oid,
            "contype": definition.kind,
            "conrelid": found.table.oid,
            "conindid": definition.index_oid,
            "conkey": list(definition.columns) or None,
            "conbin": definition.expression,
            "convalidated": definition.validated,
        }
        if definition.kind == "f":
            row.update(
                condeferrable=definition.deferrable,
                condeferred=definition.deferred,
                conindid=_referenced_index(view, definition),
                confrelid=definition.ref_table,
                confupdtype=definition.on_update,
                confdeltype=definition.on_delete,
                confmatchtype="f" if definition.match_full else "s",
                confkey=list(definition.ref_columns),
            )
        yield row


def _referenced_index(view: CatalogView, definition: C.ConstraintDef) -> int:
    """The parent's primary-key or unique index that a foreign key relies on."""
    parent = view.catalog.tables.get(definition.ref_table) if view.catalog else None
    if parent is None:
        return 0
    wanted = sorted(definition.ref_columns)
    for index in parent.indexes:
        if index.unique and sorted(index.columns) == wanted:
            return index.oid
    return 0


def _unique_constraint_of(
    view: CatalogView, definition: C.ConstraintDef
) -> tuple[C.TableDef, C.ConstraintDef] | None:
    """The parent's PRIMARY KEY or UNIQUE constraint that a foreign key references."""
    parent = view.catalog.tables.get(definition.ref_table) if view.catalog else None
    if parent is None:
        return None
    index_oid = _referenced_index(view, definition)
    for constraint in parent.constraints:
        if constraint.kind in ("p", "u") and constraint.index_oid == index_oid:
            return parent, constraint
    return None


@catalog_table(_PG, "pg_attrdef", 2604, "oid:oid adrelid:oid adnum:int2 adbin:pg_node_tree")
def _pg_attrdef(view: CatalogView) -> Iterator[Values]:
    for oid, found in view.defaults.items():
        yield {
            "oid": oid,
            "adrelid": found.table.oid,
            "adnum": found.column.attnum,
            "adbin": found.column.default,
        }


_PG_DATABASE = """oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char
    datistemplate:bool datallowconn:bool datconnlimit:int4 datfrozenxid:xid datminmxid:xid
    dattablespace:oid datcollate:text datctype:text daticulocale:text daticurules:text
    datcollversion:text datacl:_aclitem"""


@catalog_table(
    _PG, "pg_database", 1262, _PG_DATABASE,
    datdba=SUPERUSER_OID, encoding=UTF8_ENCODING, datlocprovider="c", datistemplate=False,
    datallowconn=True, datconnlimit=-1, datfrozenxid=0, datminmxid=1,
    dattablespace=DEFAULT_TABLESPACE_OID, datcollate="C", datctype="C", live=True,
)  # fmt: skip
def _pg_database(view: CatalogView) -> Iterator[Values]:
    yield {"oid": DATABASE_OID, "datname": DATABASE_NAME}
    session_database = getattr(view.session, "database", DATABASE_NAME)
    if session_database != DATABASE_NAME:
        yield {"oid": DATABASE_OID + 1, "datname": session_database}


def _role_rows(view: CatalogView) -> Iterator[Values]:
    """The roles as pg_roles shows them: a superuser may do everything."""
    for role in view.roles.values():
        yield {
            "oid": role.oid,
            "rolname": role.name,
            "rolsuper": role.superuser,
            "rolinherit": True,
            "rolcreaterole": role.superuser,
            "rolcreatedb": role.superuser,
            "rolcanlogin": role.login,
            "rolreplication": role.superuser,
            "rolbypassrls": role.superuser,
            "rolconnlimit": -1,
        }


_PG_ROLES = """rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool
    rolcanlogin:bool rolreplication:bool rolconnlimit:int4 rolpassword:text
    rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:_text oid:oid"""
_PG_AUTHID = """oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool
    rolcreatedb:bool rolcanlogin:bool rolreplication:bool rolbypassrls:bool
    rolconnlimit:int4 rolpassword:text rolvaliduntil:timestamptz"""
_PG_USER = """usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool
    usebypassrls:bool passwd:text valuntil:timestamptz useconfig:_text"""

catalog_table(_PG, "pg_roles", 12000, _PG_ROLES, reads_roles=True, rolpassword="********")(
    _role_rows
)
catalog_table(_PG, "pg_authid", 1260, _PG_AUTHID, reads_roles=True)(_role_rows)


def _user_rows(view: CatalogView) -> Iterator[Values]:
    for role in _role_rows(view):
        yield {
            "usename": role["rolname"],
            "usesysid": role["oid"],
            "usecreatedb": role["rolcreatedb"],
            "usesuper": role["rolsuper"],
            "userepl": role["rolreplication"],
            "usebypassrls": role["rolbypassrls"],
        }


catalog_table(_PG, "pg_user", 12014, _PG_USER, reads_roles=True, passwd="********")(_user_rows)
catalog_table(_PG, "pg_shadow", 12005, _PG_USER, reads_roles=True)(_user_rows)


@catalog_table(_PG, "pg_am", 2601, "oid:oid amname:name amhandler:regproc amtype:char")
def _pg_am(view: CatalogView) -> Iterator[Values]:
    yield {
        "oid": HEAP_AM_OID,
        "amname": "heap",
        "amhandler": PROCS["heap_tableam_handler"],
        "amtype": "t",
    }
    yield {"oid": BTREE_AM_OID, "amname": "btree", "amhandler": PROCS["bthandler"], "amtype": "i"}


_PG_COLLATION = """oid:oid collname:name collnamespace:oid collowner:oid collprovider:char
    collisdeterministic:bool collencoding:int4 collcollate:text collctype:text
    colliculocale:text collicurules:text collversion:text"""


@catalog_table(
    _PG, "pg_collation", 3456, _PG_COLLATION,
    collnamespace=C.PG_CATALOG_OID, collowner=SUPERUSER_OID, collisdeterministic=True,
    collencoding=-1,
)  # fmt: skip
def _pg_collation(view: CatalogView) -> Iterator[Values]:
    yield {"oid": DEFAULT_COLLATION_OID, "collname": "default", "collprovider": "d"}
    for oid, name in ((C_COLLATION_OID, "C"), (POSIX_COLLATION_OID, "POSIX")):
        yield {
            "oid": oid,
            "collname": name,
            "collprovider": "c",
            "collcollate": name,
            "collctype": name,
        }


@catalog_table(
    _PG, "pg_tablespace", 1213,
    "oid:oid spcname:name spcowner:oid spcacl:_aclitem spcoptions:_text",
    spcowner=SUPERUSER_OID,
)  # fmt: skip
def _pg_tablespace(view: CatalogView) -> Iterator[Values]:
    yield {"oid": DEFAULT_TABLESPACE_OID, "spcname": "pg_default"}
    yield {"oid": GLOBAL_TABLESPACE_OID, "spcname": "pg_global"}


_PG_PROC = """oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4
    prorows:float4 provariadic:oid prosupport:regproc prokind:char prosecdef:bool
    proleakproof:bool proisstrict:bool proretset:bool provolatile:char proparallel:char
    pronargs:int2 pronargdefaults:int2 prorettype:oid proargtypes:oidvector
    proallargtypes:_oid proargmodes:_char proargnames:_text proargdefaults:pg_node_tree
    protrftypes:_oid prosrc:text probin:text prosqlbody:pg_node_tree proconfig:_text
    proacl:_aclitem"""


@catalog_table(
    _PG, "pg_proc", 1255, _PG_PROC,
    pronamespace=C.PG_CATALOG_OID, proowner=SUPERUSER_OID, prolang=12, procost=1.0,
    prorows=0.0, provariadic=0, prosupport=0, prokind="f", prosecdef=False,
    proleakproof=False, proisstrict=True, proretset=False, provolatile="i",
    proparallel="s", pronargs=1, pronargdefaults=0, prorettype=0, proargtypes=[0],
)  # fmt: skip
def _pg_proc(view: CatalogView) -> Iterator[Values]:
    for name, oid in PROCS.items():
        yield {"oid": oid, "proname": name, "prosrc": name}
    for function in view.functions.values():
        defaults = [d for d in function.arg_defaults if d is not None]
        names = function.param_names or function.arg_names
        source = function.source if function.source is not None else function.body
        yield {
            "oid": function.oid,
            "proname": function.name,
            "pronamespace": function.schema_oid,
            "proowner": role_oid(function.owner),
            "prolang": SQL_LANGUAGE_OID,
            "procost": 100.0,
            "prorows": 1000.0 if function.returns_set else 0.0,
            "proisstrict": function.strict,
            "proretset": function.returns_set,
            "provolatile": function.volatility,
            "proparallel": "u",
            "pronargs": len(function.arg_type_oids),
            "pronargdefaults": len(defaults),
            "prorettype": function.result_type_oid,
            "proargtypes": list(function.arg_type_oids),
            "proallargtypes": list(function.param_type_oids) or None,
            "proargmodes": list(function.param_modes) or None,
            "proargnames": list(names) if any(names) else None,
            "proargdefaults": ", ".join(expression_text(d) for d in defaults) or None,
            "prosrc": "" if function.standard_body else source,
            "prosqlbody": function.source if function.standard_body else None,
        }


@catalog_table(
    _PG, "pg_language", 2612,
    "oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid "
    "laninline:oid lanvalidator:oid lanacl:_aclitem",
    lanowner=SUPERUSER_OID, lanispl=False, lanplcallfoid=0, laninline=0,
)  # fmt: skip
def _pg_language(view: CatalogView) -> Iterator[Values]:
    # PostgreSQL's built-in languages, with the OIDs of their validator functions.
    yield {"oid": 12, "lanname": "internal", "lanpltrusted": False, "lanvalidator": 2246}
    yield {"oid": 13, "lanname": "c", "lanpltrusted": False, "lanvalidator": 2247}
    yield {"oid": SQL_LANGUAGE_OID, "lanname": "sql", "lanpltrusted": True, "lanvalidator": 2248}


_PG_SETTINGS = """name:text setting:text unit:text category:text short_desc:text
    extra_desc:text context:text vartype:text source:text min_val:text max_val:text
    enumvals:_text boot_val:text reset_val:text sourcefile:text sourceline:int4
    pending_restart:bool"""


#: pg_settings spells a few names in mixed case (SHOW accepts any case).
_SETTING_NAMES = {
    "timezone": "TimeZone",
    "datestyle": "DateStyle",
    "intervalstyle": "IntervalStyle",
}


@catalog_table(
    _PG, "pg_settings", 12104, _PG_SETTINGS,
    category="Client Connection Defaults", short_desc="", context="user", vartype="string",
    pending_restart=False, live=True,
)  # fmt: skip
def _pg_settings(view: CatalogView) -> Iterator[Values]:
    from tidesql.sql.session import DEFAULT_SETTINGS, READ_ONLY_SETTINGS

    session = view.session
    if session is None:
        return
    for name in sorted(session.settings):
        value = session.get_setting(name)
        boot = DEFAULT_SETTINGS.get(name, value)
        yield {
            "name": _SETTING_NAMES.get(name, name),
            "setting": value,
            "context": "internal" if name in READ_ONLY_SETTINGS else "user",
            "source": "default" if value == boot else "session",
            "boot_val": boot,
            "reset_val": boot,
        }


@catalog_table(
    _PG, "pg_tables", 12033,
    "schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool "
    "hasrules:bool hastriggers:bool rowsecurity:bool",
    hasrules=False, hastriggers=False, rowsecurity=False,
)  # fmt: skip
def _pg_tables(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "r":
            table = relation.table
            yield {
                "schemaname": view.schema_name(relation.namespace),
                "tablename": relation.name,
                "tableowner": relation.owner,
                "hasindexes": bool(table is not None and table.indexes),
            }


@catalog_table(
    _PG, "pg_indexes", 12043,
    "schemaname:name tablename:name indexname:name tablespace:name indexdef:text",
)  # fmt: skip
def _pg_indexes(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "i" and relation.table is not None:
            yield {
                "schemaname": view.schema_name(relation.namespace),
                "tablename": relation.table.name,
                "indexname": relation.name,
                "indexdef": view.index_definition(relation.oid),
            }


@catalog_table(
    _PG, "pg_views", 12028, "schemaname:name viewname:name viewowner:name definition:text"
)
def _pg_views(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "v" and relation.table is not None:
            yield {
                "schemaname": view.schema_name(relation.namespace),
                "viewname": relation.name,
                "viewowner": relation.owner,
                "definition": relation.table.view_sql,
            }


_PG_STAT_ACTIVITY = """datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid
    usename:name application_name:text client_addr:inet client_hostname:text
    client_port:int4 backend_start:timestamptz xact_start:timestamptz query_start:timestamptz
    state_change:timestamptz wait_event_type:text wait_event:text state:text
    backend_xid:xid backend_xmin:xid query_id:int8 query:text backend_type:text"""


@catalog_table(
    _PG, "pg_stat_activity", 12222, _PG_STAT_ACTIVITY,
    datid=DATABASE_OID, query="", backend_type="client backend", live=True,
)  # fmt: skip
def _pg_stat_activity(view: CatalogView) -> Iterator[Values]:
    session = view.session
    if session is None:
        return
    for pid, other in sorted(session.engine.sessions.items()):
        transaction = other.transaction
        if other is session:
            state = "active"
        elif other.in_block:
            state = "idle in transaction (aborted)" if other.failed else "idle in transaction"
        else:
            state = "idle"
        yield {
            "datname": other.database,
            "pid": pid,
            "usesysid": role_oid(other.user),
            "usename": other.user,
            "application_name": other.settings.get("application_name", ""),
            "xact_start": transaction.timestamp if transaction is not None else None,
            "state": state,
        }


_PG_PREPARED = """name:text statement:text prepare_time:timestamptz parameter_types:_regtype
    from_sql:bool generic_plans:int8 custom_plans:int8"""


@catalog_table(
    _PG, "pg_prepared_statements", 12095, _PG_PREPARED,
    from_sql=False, generic_plans=0, custom_plans=0, live=True,
)  # fmt: skip
def _pg_prepared_statements(view: CatalogView) -> Iterator[Values]:
    session = view.session
    if session is None:
        return
    for name, prepared in sorted(session.prepared.items()):
        yield {
            "name": name,
            "statement": prepared.sql,
            "parameter_types": [t.oid for t in prepared.param_types],
        }


@catalog_table(
    _PG, "pg_description", 2609, "objoid:oid classoid:oid objsubid:int4 description:text"
)
def _pg_description(view: CatalogView) -> Iterator[Values]:
    for (objoid, classoid, objsubid), description in view.descriptions.items():
        yield {
            "objoid": objoid,
            "classoid": classoid,
            "objsubid": objsubid,
            "description": description,
        }


_PG_STAT_USER_TABLES = """relid:oid schemaname:name relname:name seq_scan:int8
    last_seq_scan:timestamptz seq_tup_read:int8 idx_scan:int8 last_idx_scan:timestamptz
    idx_tup_fetch:int8 n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 n_tup_hot_upd:int8
    n_tup_newpage_upd:int8 n_live_tup:int8 n_dead_tup:int8 n_mod_since_analyze:int8
    n_ins_since_vacuum:int8 last_vacuum:timestamptz last_autovacuum:timestamptz
    last_analyze:timestamptz last_autoanalyze:timestamptz vacuum_count:int8
    autovacuum_count:int8 analyze_count:int8 autoanalyze_count:int8"""

# Tables that exist so that client queries bind; tidesql has none of these objects.
for _schema, _name, _oid, _spec in (
    (_PG, "pg_shdescription", 2396, "objoid:oid classoid:oid description:text"),
    (_PG, "pg_enum", 3501, "oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name"),
    (_PG, "pg_range", 3541, "rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid "
     "rngsubopc:oid rngcanonical:regproc rngsubdiff:regproc"),
    (_PG, "pg_inherits", 2611, "inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool"),
    (_PG, "pg_policy", 3256, "oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool "
     "polroles:_oid polqual:pg_node_tree polwithcheck:pg_node_tree"),
    (_PG, "pg_statistic_ext", 3381, "oid:oid stxrelid:oid stxname:name stxnamespace:oid "
     "stxowner:oid stxstattarget:int4 stxkeys:int2vector stxkind:_char stxexprs:pg_node_tree"),
    (_PG, "pg_publication", 6104, "oid:oid pubname:name pubowner:oid puballtables:bool "
     "pubinsert:bool pubupdate:bool pubdelete:bool pubtruncate:bool pubviaroot:bool"),
    (_PG, "pg_publication_rel", 6106, "oid:oid prpubid:oid prrelid:oid prqual:pg_node_tree "
     "prattrs:int2vector"),
    (_PG, "pg_publication_namespace", 6237, "oid:oid pnpubid:oid pnnspid:oid"),
    (_PG, "pg_foreign_table", 3118, "ftrelid:oid ftserver:oid ftoptions:_text"),
    (_PG, "pg_foreign_server", 1417, "oid:oid srvname:name srvowner:oid srvfdw:oid "
     "srvtype:text srvversion:text srvacl:_aclitem srvoptions:_text"),
    (_PG, "pg_foreign_data_wrapper", 2328, "oid:oid fdwname:name fdwowner:oid "
     "fdwhandler:oid fdwvalidator:oid fdwacl:_aclitem fdwoptions:_text"),
    (_PG, "pg_partitioned_table", 3350, "partrelid:oid partstrat:char partnatts:int2 "
     "partdefid:oid partattrs:int2vector partclass:oidvector partcollation:oidvector "
     "partexprs:pg_node_tree"),
    (_PG, "pg_trigger", 2620, "oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid "
     "tgtype:int2 tgenabled:char tgisinternal:bool tgconstrrelid:oid tgconstrindid:oid "
     "tgconstraint:oid tgdeferrable:bool tginitdeferred:bool tgnargs:int2 tgattr:int2vector "
     "tgargs:bytea tgqual:pg_node_tree tgoldtable:name tgnewtable:name"),
    (_PG, "pg_rewrite", 2618, "oid:oid rulename:name ev_class:oid ev_type:char "
     "ev_enabled:char is_instead:bool ev_qual:pg_node_tree ev_action:pg_node_tree"),
    (_PG, "pg_matviews", 12038, "schemaname:name matviewname:name matviewowner:name "
     "tablespace:name hasindexes:bool ispopulated:bool definition:text"),
    (_PG, "pg_depend", 2608, "classid:oid objid:oid objsubid:int4 refclassid:oid "
     "refobjid:oid refobjsubid:int4 deptype:char"),
    (_PG, "pg_extension", 3079, "oid:oid extname:name extowner:oid extnamespace:oid "
     "extrelocatable:bool extversion:text extconfig:_oid extcondition:_text"),
    (_PG, "pg_available_extensions", 12081, "name:name default_version:text "
     "installed_version:text comment:text"),
    (_PG, "pg_locks", 12073, "locktype:text database:oid relation:oid page:int4 tuple:int2 "
     "virtualxid:text transactionid:xid classid:oid objid:oid objsubid:int2 "
     "virtualtransaction:text pid:int4 mode:text granted:bool fastpath:bool "
     "waitstart:timestamptz"),
    (_PG, "pg_auth_members", 1261, "oid:oid roleid:oid member:oid grantor:oid "
     "admin_option:bool inherit_option:bool set_option:bool"),
    (_PG, "pg_group", 12010, "groname:name grosysid:oid grolist:_oid"),
    (_PG, "pg_db_role_setting", 2964, "setdatabase:oid setrole:oid setconfig:_text"),
    (_PG, "pg_default_acl", 826, "oid:oid defaclrole:oid defaclnamespace:oid "
     "defaclobjtype:char defaclacl:_aclitem"),
    (_PG, "pg_init_privs", 3394, "objoid:oid classoid:oid objsubid:int4 privtype:char "
     "initprivs:_aclitem"),
    (_PG, "pg_seclabel", 3596, "objoid:oid classoid:oid objsubid:int4 provider:text label:text"),
    (_PG, "pg_event_trigger", 3466, "oid:oid evtname:name evtevent:name evtowner:oid "
     "evtfoid:oid evtenabled:char evttags:_text"),
    (_PG, "pg_opclass", 2616, "oid:oid opcmethod:oid opcname:name opcnamespace:oid "
     "opcowner:oid opcfamily:oid opcintype:oid opcdefault:bool opckeytype:oid"),
    (_PG, "pg_operator", 2617, "oid:oid oprname:name oprnamespace:oid oprowner:oid "
     "oprkind:char oprcanmerge:bool oprcanhash:bool oprleft:oid oprright:oid oprresult:oid "
     "oprcom:oid oprnegate:oid oprcode:regproc oprrest:regproc oprjoin:regproc"),
    (_PG, "pg_cast", 2605, "oid:oid castsource:oid casttarget:oid castfunc:oid "
     "castcontext:char castmethod:char"),
    (_PG, "pg_conversion", 2607, "oid:oid conname:name connamespace:oid conowner:oid "
     "conforencoding:int4 contoencoding:int4 conproc:regproc condefault:bool"),
    (_PG, "pg_aggregate", 2600, "aggfnoid:regproc aggkind:char aggnumdirectargs:int2 "
     "aggtransfn:regproc aggfinalfn:regproc aggcombinefn:regproc aggserialfn:regproc "
     "aggdeserialfn:regproc aggmtransfn:regproc aggminvtransfn:regproc aggmfinalfn:regproc "
     "aggfinalextra:bool aggmfinalextra:bool aggfinalmodify:char aggmfinalmodify:char "
     "aggsortop:oid aggtranstype:oid aggtransspace:int4 aggmtranstype:oid "
     "aggmtransspace:int4 agginitval:text aggminitval:text"),
    (_PG, "pg_stat_user_tables", 12161, _PG_STAT_USER_TABLES),
    (_PG, "pg_statio_user_tables", 12179, "relid:oid schemaname:name relname:name "
     "heap_blks_read:int8 heap_blks_hit:int8 idx_blks_read:int8 idx_blks_hit:int8 "
     "toast_blks_read:int8 toast_blks_hit:int8 tidx_blks_read:int8 tidx_blks_hit:int8"),
):  # fmt: skip
    empty_table(_schema, _name, _oid, _spec)


# =======================================================================================
# 5. information_schema (over PostgreSQL's catalog-level facts, as PostgreSQL defines it)

_IS = "information_schema"


@catalog_table(
    _IS, "schemata", 13382,
    "catalog_name:sql_identifier schema_name:sql_identifier schema_owner:sql_identifier "
    "default_character_set_catalog:sql_identifier default_character_set_schema:sql_identifier "
    "default_character_set_name:sql_identifier sql_path:character_data",
    catalog_name=DATABASE_NAME, schema_owner=SUPERUSER_NAME,
)  # fmt: skip
def _schemata(view: CatalogView) -> Iterator[Values]:
    for name in view.schemas.values():
        yield {"schema_name": name}


@catalog_table(
    _IS, "tables", 13425,
    "table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier "
    "table_type:character_data self_referencing_column_name:sql_identifier "
    "reference_generation:character_data user_defined_type_catalog:sql_identifier "
    "user_defined_type_schema:sql_identifier user_defined_type_name:sql_identifier "
    "is_insertable_into:yes_or_no is_typed:yes_or_no commit_action:character_data",
    table_catalog=DATABASE_NAME, is_typed="NO",
)  # fmt: skip
def _tables(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind in ("r", "v"):
            base = relation.kind == "r" and relation.virtual is None
            yield {
                "table_schema": view.schema_name(relation.namespace),
                "table_name": relation.name,
                "table_type": "BASE TABLE" if relation.kind == "r" else "VIEW",
                "is_insertable_into": "YES" if base else "NO",
            }


_COLUMNS = """table_catalog:sql_identifier table_schema:sql_identifier
    table_name:sql_identifier column_name:sql_identifier ordinal_position:cardinal_number
    column_default:character_data is_nullable:yes_or_no data_type:character_data
    character_maximum_length:cardinal_number character_octet_length:cardinal_number
    numeric_precision:cardinal_number numeric_precision_radix:cardinal_number
    numeric_scale:cardinal_number datetime_precision:cardinal_number
    interval_type:character_data interval_precision:cardinal_number
    character_set_catalog:sql_identifier character_set_schema:sql_identifier
    character_set_name:sql_identifier collation_catalog:sql_identifier
    collation_schema:sql_identifier collation_name:sql_identifier
    domain_catalog:sql_identifier domain_schema:sql_identifier domain_name:sql_identifier
    udt_catalog:sql_identifier udt_schema:sql_identifier udt_name:sql_identifier
    scope_catalog:sql_identifier scope_schema:sql_identifier scope_name:sql_identifier
    maximum_cardinality:cardinal_number dtd_identifier:sql_identifier
    is_self_referencing:yes_or_no is_identity:yes_or_no identity_generation:character_data
    identity_start:character_data identity_increment:character_data
    identity_maximum:character_data identity_minimum:character_data
    identity_cycle:yes_or_no is_generated:character_data
    generation_expression:character_data is_updatable:yes_or_no"""
#: information_schema's numeric_precision of the binary number types.
_BINARY_PRECISION = {21: 16, 23: 32, 20: 64, 700: 24, 701: 53}
_TEXT_OCTETS_MAX = 1073741824
_DATETIME_OIDS = frozenset({1082, 1083, 1114, 1184, 1186})


def column_type_facts(sql_type: T.SqlType) -> Values:
    """information_schema.columns' description of a type: data_type, lengths, precision."""
    oid, modifier = sql_type.oid, sql_type.modifier
    if sql_type.element is not None:
        data_type = "ARRAY"
    elif oid == T.BPCHAR.oid:
        data_type = "character"
    else:
        data_type = T.format_type(T.with_modifier(sql_type, -1))
    facts: Values = {"data_type": data_type, "udt_name": typname(sql_type)}
    if oid in (T.VARCHAR.oid, T.BPCHAR.oid, T.TEXT.oid):
        length = modifier - 4 if modifier >= 0 else None
        facts["character_maximum_length"] = length
        facts["character_octet_length"] = length * 4 if length is not None else _TEXT_OCTETS_MAX
    elif oid in _BINARY_PRECISION:
        facts["numeric_precision"] = _BINARY_PRECISION[oid]
        facts["numeric_precision_radix"] = 2
        facts["numeric_scale"] = 0 if oid in (20, 21, 23) else None
    elif oid == T.NUMERIC.oid:
        facts["numeric_precision_radix"] = 10
        if modifier >= 0:
            facts["numeric_precision"] = ((modifier - 4) >> 16) & 0xFFFF
            facts["numeric_scale"] = (modifier - 4) & 0x7FF
    elif oid in _DATETIME_OIDS:
        facts["datetime_precision"] = (
            0 if oid == T.DATE.oid else (modifier if 0 <= modifier <= 6 else 6)
        )
    return facts


@catalog_table(
    _IS, "columns", 13295, _COLUMNS,
    table_catalog=DATABASE_NAME, udt_catalog=DATABASE_NAME, udt_schema="pg_catalog",
    is_self_referencing="NO", is_generated="NEVER", identity_cycle="NO",
)  # fmt: skip
def _columns(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind not in ("r", "v"):
            continue
        schema = view.schema_name(relation.namespace)
        table = relation.table
        for attribute in view.attributes(relation):
            if attribute.sql_type is None:
                continue
            column = table.columns[attribute.number - 1] if table is not None else None
            identity = attribute.identity
            sequence = (
                view.catalog.owned_sequences.get((relation.oid, attribute.number))
                if identity and view.catalog is not None
                else None
            )
            options = sequence.sequence if sequence is not None else None
            if options is not None:
                yield_identity: Values = {
                    "identity_start": str(options.start),
                    "identity_increment": str(options.increment),
                    "identity_maximum": str(options.max_value),
                    "identity_minimum": str(options.min_value),
                    "identity_cycle": "YES" if options.cycle else "NO",
                }
            else:
                yield_identity = {}
            yield {
                "table_schema": schema,
                "table_name": relation.name,
                "column_name": attribute.name,
                "ordinal_position": attribute.number,
                "column_default": column.default if column is not None else None,
                "is_nullable": "NO" if attribute.not_null else "YES",
                "dtd_identifier": str(attribute.number),
                "is_identity": "YES" if identity else "NO",
                "identity_generation": {"a": "ALWAYS", "d": "BY DEFAULT"}.get(identity),
                "is_updatable": "YES" if relation.kind == "r" and table is not None else "NO",
                **column_type_facts(attribute.sql_type),
                **yield_identity,
                **_domain_facts(view, attribute.domain_oid),
            }


def _domain_facts(view: CatalogView, domain_oid: int) -> Values:
    """information_schema.columns.domain_*: the column's domain, if it has one."""
    domain = view.catalog.domains.get(domain_oid) if domain_oid and view.catalog else None
    if domain is None:
        return {}
    return {
        "domain_catalog": DATABASE_NAME,
        "domain_schema": view.schema_name(domain.schema_oid),
        "domain_name": domain.name,
    }


_CONSTRAINT_TYPES = {"p": "PRIMARY KEY", "u": "UNIQUE", "c": "CHECK", "f": "FOREIGN KEY"}


@catalog_table(
    _IS, "table_constraints", 13411,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier table_catalog:sql_identifier table_schema:sql_identifier "
    "table_name:sql_identifier constraint_type:character_data is_deferrable:yes_or_no "
    "initially_deferred:yes_or_no enforced:yes_or_no nulls_distinct:yes_or_no",
    constraint_catalog=DATABASE_NAME, table_catalog=DATABASE_NAME, is_deferrable="NO",
    initially_deferred="NO", enforced="YES",
)  # fmt: skip
def _table_constraints(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        table, definition = found.table, found.definition
        schema = view.schema_name(table.schema_oid)
        nulls_distinct = None
        if definition.kind == "u":
            index = next((i for i in table.indexes if i.oid == definition.index_oid), None)
            nulls_distinct = "NO" if index is not None and index.nulls_not_distinct else "YES"
        yield {
            "constraint_schema": schema,
            "constraint_name": definition.name,
            "table_schema": schema,
            "table_name": table.name,
            "constraint_type": _CONSTRAINT_TYPES.get(definition.kind, definition.kind),
            "nulls_distinct": nulls_distinct,
            "is_deferrable": "YES" if definition.deferrable else "NO",
            "initially_deferred": "YES" if definition.deferred else "NO",
        }
    # PostgreSQL lists each NOT NULL column as a CHECK constraint with a made-up name.
    for table, column in _not_null_columns(view):
        schema = view.schema_name(table.schema_oid)
        yield {
            "constraint_schema": schema,
            "constraint_name": _not_null_name(table, column),
            "table_schema": schema,
            "table_name": table.name,
            "constraint_type": "CHECK",
        }


def _not_null_columns(view: CatalogView) -> Iterator[tuple[C.TableDef, C.ColumnDef]]:
    for relation in view.relations.values():
        table = relation.table
        if relation.kind == "r" and table is not None:
            for column in table.live_columns:
                if column.not_null:
                    yield table, column


def _not_null_name(table: C.TableDef, column: C.ColumnDef) -> str:
    return f"{table.schema_oid}_{table.oid}_{column.attnum}_not_null"


@catalog_table(
    _IS, "check_constraints", 13260,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier check_clause:character_data",
    constraint_catalog=DATABASE_NAME,
)  # fmt: skip
def _check_constraints(view: CatalogView) -> Iterator[Values]:
    for oid, found in view.constraints.items():
        if found.definition.kind == "c":
            yield {
                "constraint_schema": view.schema_name(found.table.schema_oid),
                "constraint_name": found.definition.name,
                # PostgreSQL's view: pg_get_constraintdef without its "CHECK ".
                "check_clause": (view.constraint_definition(oid) or "")[len("CHECK ") :],
            }
    for table, column in _not_null_columns(view):
        yield {
            "constraint_schema": view.schema_name(table.schema_oid),
            "constraint_name": _not_null_name(table, column),
            "check_clause": f"{quote_ident(column.name)} IS NOT NULL",
        }


@catalog_table(
    _IS, "key_column_usage", 13329,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier table_catalog:sql_identifier table_schema:sql_identifier "
    "table_name:sql_identifier column_name:sql_identifier ordinal_position:cardinal_number "
    "position_in_unique_constraint:cardinal_number",
    constraint_catalog=DATABASE_NAME, table_catalog=DATABASE_NAME,
)  # fmt: skip
def _key_column_usage(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        table, definition = found.table, found.definition
        if definition.kind not in ("p", "u", "f"):
            continue
        schema = view.schema_name(table.schema_oid)
        unique_positions: list[int | None] = [None] * len(definition.columns)
        if definition.kind == "f":
            referenced = _unique_constraint_of(view, definition)
            if referenced is not None:
                unique_columns = referenced[1].columns
                unique_positions = [
                    unique_columns.index(a) + 1 if a in unique_columns else None
                    for a in definition.ref_columns
                ]
        for position, attnum in enumerate(definition.columns, start=1):
            yield {
                "constraint_schema": schema,
                "constraint_name": definition.name,
                "table_schema": schema,
                "table_name": table.name,
                "column_name": table.columns[attnum - 1].name,
                "ordinal_position": position,
                "position_in_unique_constraint": unique_positions[position - 1],
            }


@catalog_table(
    _IS, "constraint_column_usage", 13300,
    "table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier "
    "column_name:sql_identifier constraint_catalog:sql_identifier "
    "constraint_schema:sql_identifier constraint_name:sql_identifier",
    table_catalog=DATABASE_NAME, constraint_catalog=DATABASE_NAME,
)  # fmt: skip
def _constraint_column_usage(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        table, definition = found.table, found.definition
        schema = view.schema_name(table.schema_oid)
        columns = definition.columns
        if definition.kind == "f":
            # PostgreSQL lists the referenced columns of a foreign key here.
            parent = view.catalog.tables.get(definition.ref_table) if view.catalog else None
            if parent is None:
                continue
            table, columns = parent, definition.ref_columns
            schema = view.schema_name(table.schema_oid)
        for attnum in columns:
            yield {
                "table_schema": schema,
                "table_name": table.name,
                "column_name": table.columns[attnum - 1].name,
                "constraint_schema": view.schema_name(found.table.schema_oid),
                "constraint_name": definition.name,
            }


@catalog_table(
    _IS, "views", 13483,
    "table_catalog:sql_identifier table_schema:sql_identifier table_name:sql_identifier "
    "view_definition:character_data check_option:character_data is_updatable:yes_or_no "
    "is_insertable_into:yes_or_no is_trigger_updatable:yes_or_no "
    "is_trigger_deletable:yes_or_no is_trigger_insertable_into:yes_or_no",
    table_catalog=DATABASE_NAME, check_option="NONE", is_updatable="NO",
    is_insertable_into="NO", is_trigger_updatable="NO", is_trigger_deletable="NO",
    is_trigger_insertable_into="NO",
)  # fmt: skip
def _views(view: CatalogView) -> Iterator[Values]:
    for relation in view.relations.values():
        if relation.kind == "v" and relation.table is not None:
            yield {
                "table_schema": view.schema_name(relation.namespace),
                "table_name": relation.name,
                "view_definition": relation.table.view_sql,
            }


@catalog_table(
    _IS, "referential_constraints", 13339,
    "constraint_catalog:sql_identifier constraint_schema:sql_identifier "
    "constraint_name:sql_identifier unique_constraint_catalog:sql_identifier "
    "unique_constraint_schema:sql_identifier unique_constraint_name:sql_identifier "
    "match_option:character_data update_rule:character_data delete_rule:character_data",
    constraint_catalog=DATABASE_NAME, unique_constraint_catalog=DATABASE_NAME,
)  # fmt: skip
def _referential_constraints(view: CatalogView) -> Iterator[Values]:
    for found in view.constraints.values():
        definition = found.definition
        if definition.kind != "f":
            continue
        referenced = _unique_constraint_of(view, definition)
        yield {
            "constraint_schema": view.schema_name(found.table.schema_oid),
            "constraint_name": definition.name,
            "unique_constraint_schema": (
                view.schema_name(referenced[0].schema_oid) if referenced else None
            ),
            "unique_constraint_name": referenced[1].name if referenced else None,
            "match_option": "FULL" if definition.match_full else "NONE",
            "update_rule": C.FK_ACTION_NAMES[definition.on_update],
            "delete_rule": C.FK_ACTION_NAMES[definition.on_delete],
        }


def _sequences(view: CatalogView) -> Iterator[tuple[Relation, C.SequenceDef]]:
    for relation in view.relations.values():
        table = relation.table
        if relation.kind == "S" and table is not None and table.sequence is not None:
            yield relation, table.sequence


@catalog_table(
    _PG, "pg_sequence", 2224,
    "seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 "
    "seqcache:int8 seqcycle:bool",
)  # fmt: skip
def _pg_sequence(view: CatalogView) -> Iterator[Values]:
    for relation, sequence in _sequences(view):
        yield {
            "seqrelid": relation.oid,
            "seqtypid": sequence.type_oid,
            "seqstart": sequence.start,
            "seqincrement": sequence.increment,
            "seqmax": sequence.max_value,
            "seqmin": sequence.min_value,
            "seqcache": sequence.cache,
            "seqcycle": sequence.cycle,
        }


@catalog_table(
    _PG, "pg_sequences", 12048,
    "schemaname:name sequencename:name sequenceowner:name data_type:regtype "
    "start_value:int8 min_value:int8 max_value:int8 increment_by:int8 cycle:bool "
    "cache_size:int8 last_value:int8",
    reads_sequences=True,
)  # fmt: skip
def _pg_sequences(view: CatalogView) -> Iterator[Values]:
    for relation, sequence in _sequences(view):
        last_value, is_called = view.sequence_rows.get(relation.oid, (None, False))
        yield {
            "schemaname": view.schema_name(relation.namespace),
            "sequencename": relation.name,
            "sequenceowner": relation.owner,
            "data_type": sequence.type_oid,
            "start_value": sequence.start,
            "min_value": sequence.min_value,
            "max_value": sequence.max_value,
            "increment_by": sequence.increment,
            "cycle": sequence.cycle,
            "cache_size": sequence.cache,
            # As in PostgreSQL: NULL until the first nextval (or setval … true).
            "last_value": last_value if is_called else None,
        }


@catalog_table(
    _IS, "sequences", 13386,
    "sequence_catalog:sql_identifier sequence_schema:sql_identifier "
    "sequence_name:sql_identifier data_type:character_data numeric_precision:cardinal_number "
    "numeric_precision_radix:cardinal_number numeric_scale:cardinal_number "
    "start_value:character_data minimum_value:character_data maximum_value:character_data "
    "increment:character_data cycle_option:yes_or_no",
    sequence_catalog=DATABASE_NAME, numeric_precision_radix=2, numeric_scale=0,
)  # fmt: skip
def _information_schema_sequences(view: CatalogView) -> Iterator[Values]:
    for relation, sequence in _sequences(view):
        yield {
            "sequence_schema": view.schema_name(relation.namespace),
            "sequence_name": relation.name,
            "data_type": T.format_type(T.type_by_oid(sequence.type_oid)),
            "numeric_precision": _BINARY_PRECISION[sequence.type_oid],
            "start_value": str(sequence.start),
            "minimum_value": str(sequence.min_value),
            "maximum_value": str(sequence.max_value),
            "increment": str(sequence.increment),
            "cycle_option": "YES" if sequence.cycle else "NO",
        }


# =======================================================================================
# 6. sys


@catalog_table(
    "sys", "jobs", 16301,
    "job_id:text status:text details:text job_type:text class_id:oid object_id:oid "
    "object_name:text start_time:timestamptz update_time:timestamptz",
    job_type="INDEX_BUILD", live=True,
)  # fmt: skip
def _jobs(view: CatalogView) -> Iterator[Values]:
    session = view.session
    if session is None:
        return
    for job in session.engine.jobs.values():
        yield {
            "job_id": job.job_id,
            "status": job.status,
            "details": job.details,
            "job_type": job.job_type,
            "class_id": job.table_oid,
            "object_id": job.index_oid,
            "object_name": job.object_name,
            "start_time": job.started,
            "update_time": job.updated,
        }


@catalog_table(
    "sys", "round_trips", 16302,
    "phase:text operations:int8 az_round_trips:int8 region_round_trips:int8",
    live=True,
)  # fmt: skip
def _round_trips(view: CatalogView) -> Iterator[Values]:
    """This session's work by phase, and the round trips between AZs and regions it
    caused (see ``tidesql.roundtrips``)."""
    session = view.session
    if session is None:
        return
    for phase, count in session.round_trips.counts.items():
        yield {
            "phase": phase,
            "operations": count.operations,
            "az_round_trips": count.az_round_trips,
            "region_round_trips": count.region_round_trips,
        }
