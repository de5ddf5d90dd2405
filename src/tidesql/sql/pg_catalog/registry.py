"""The registry of virtual tables: :class:`VirtualTable`, the :func:`catalog_table`
decorator by which each table module registers its tables at import, ``REGISTRY`` and
the planner's :class:`VirtualTables`; with the OIDs and names the tables share.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.plan import OutputColumn, PlanNode

if TYPE_CHECKING:
    from tidesql.sql.pg_catalog.catalog_view import CatalogView


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
            # The view's module imports this one, so it is looked up when a scan runs.
            from tidesql.sql.pg_catalog.catalog_view import CatalogView

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
