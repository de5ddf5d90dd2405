"""The catalog: schemas, tables, columns, indexes and constraints, stored as MVCC data.

Where does schema live?
    In system tables of the same store as user data, so schema is versioned like data
    and a transaction sees the schema of its own snapshot:

    ============================  ==========================================
    key                           value
    ============================  ==========================================
    (1, schema oid)               {"name": …}
    (2, relation oid)             a whole ``TableDef`` as JSON (columns,
                                  indexes, constraints, view text)
    (3, "version")                catalog version, bumped by every DDL
    (3, "next_oid")               the next object id to hand out
    (table oid, -1)               the table's schema stamp (see below)
    ============================  ==========================================

How does a concurrent schema change fail a transaction (OC001)?
    Every DDL on a table rewrites the table's *schema stamp* key ``(oid, -1)``, which
    lies in the table's own key range (so the table's adjudicator owns it). A
    transaction that reads or writes rows of the table records the stamp as a schema
    key; the adjudicator refuses its commit if the stamp was rewritten after it began.

How is the catalog cached?
    Loading it means scanning the system tables, so loaded catalogs are cached by
    version: a transaction reads ``(3, "version")`` at its snapshot and reuses the
    catalog object of that version.

User objects get oids from 16384 up, as in PostgreSQL, so their key ranges sit above
the catalog's (table ids below 1000).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.keys import encode_key
from tidesql.sql import types as T
from tidesql.sql.rowcodec import RowCodec

SYS_SCHEMAS = 1
SYS_RELATIONS = 2
SYS_META = 3
SYS_JOBS = 4
SYS_ROLES = 5
SYS_SEQUENCES = 6
FIRST_USER_OID = 16384
PG_CATALOG_OID = 11
PUBLIC_OID = 2200
SYS_SCHEMA_OID = 16300
INFORMATION_SCHEMA_OID = 13000
PRIMARY_INDEX_ID = 0
SCHEMA_STAMP_ID = -1

VERSION_KEY = encode_key((SYS_META, "version"))
NEXT_OID_KEY = encode_key((SYS_META, "next_oid"))


def schema_key(oid: int) -> bytes:
    return encode_key((SYS_SCHEMAS, oid))


def relation_key(oid: int) -> bytes:
    return encode_key((SYS_RELATIONS, oid))


def schema_stamp_key(table_oid: int) -> bytes:
    return encode_key((table_oid, SCHEMA_STAMP_ID))


@dataclass
class ColumnDef:
    name: str
    type_oid: int
    modifier: int = -1
    not_null: bool = False
    default: str | None = None  # SQL text of the default expression
    attnum: int = 0
    dropped: bool = False
    identity: str = ""  # "", "a" (ALWAYS) or "d" (BY DEFAULT)

    @property
    def sql_type(self) -> T.SqlType:
        base = T.type_by_oid(self.type_oid)
        if self.modifier == -1:
            return base
        return replace(base, modifier=self.modifier)


@dataclass
class IndexDef:
    oid: int
    name: str
    columns: list[int]  # attnums
    unique: bool = False
    include: list[int] = field(default_factory=list)
    valid: bool = True  # False while CREATE INDEX ASYNC is building it
    descending: list[bool] = field(default_factory=list)
    nulls_not_distinct: bool = False
    is_primary: bool = False
    predicate: str | None = None


#: Referential actions, as pg_constraint's confupdtype/confdeltype spell them.
FK_NO_ACTION = "a"
FK_RESTRICT = "r"
FK_CASCADE = "c"
FK_SET_NULL = "n"
FK_SET_DEFAULT = "d"
FK_ACTION_NAMES = {
    FK_NO_ACTION: "NO ACTION",
    FK_RESTRICT: "RESTRICT",
    FK_CASCADE: "CASCADE",
    FK_SET_NULL: "SET NULL",
    FK_SET_DEFAULT: "SET DEFAULT",
}


@dataclass
class ConstraintDef:
    oid: int
    name: str
    kind: str  # "p" primary key, "u" unique, "c" check, "f" foreign key
    columns: list[int] = field(default_factory=list)
    expression: str | None = None  # CHECK text
    index_oid: int = 0
    #: Foreign keys: the referenced table and its columns (aligned with ``columns``).
    ref_table: int = 0
    ref_columns: list[int] = field(default_factory=list)
    on_update: str = FK_NO_ACTION
    on_delete: str = FK_NO_ACTION
    match_full: bool = False
    deferrable: bool = False
    deferred: bool = False  # INITIALLY DEFERRED
    #: False for a CHECK or FOREIGN KEY added NOT VALID until VALIDATE CONSTRAINT.
    validated: bool = True


@dataclass
class TableDef:
    oid: int
    schema_oid: int
    name: str
    kind: str = "r"  # "r" table, "v" view
    columns: list[ColumnDef] = field(default_factory=list)
    primary_key: list[int] = field(default_factory=list)  # attnums; empty: hidden row id
    indexes: list[IndexDef] = field(default_factory=list)
    constraints: list[ConstraintDef] = field(default_factory=list)
    view_sql: str | None = None
    view_columns: list[str] = field(default_factory=list)
    owner: str = "admin"

    @property
    def live_columns(self) -> list[ColumnDef]:
        return [c for c in self.columns if not c.dropped]

    def column(self, name: str) -> ColumnDef | None:
        for column in self.columns:
            if column.name == name and not column.dropped:
                return column
        return None

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @staticmethod
    def from_json(data: bytes) -> TableDef:
        raw = json.loads(data)
        raw["columns"] = [ColumnDef(**c) for c in raw["columns"]]
        raw["indexes"] = [IndexDef(**i) for i in raw["indexes"]]
        raw["constraints"] = [ConstraintDef(**c) for c in raw["constraints"]]
        return TableDef(**raw)


class TableInfo:
    """What the planner and executor need of a table, derived once per catalog version."""

    def __init__(self, table: TableDef, schema_name: str) -> None:
        self.table = table
        self.oid = table.oid
        self.name = table.name
        self.schema_name = schema_name
        self.columns = table.columns
        self.column_types: list[T.SqlType | None] = [
            None if c.dropped else c.sql_type for c in table.columns
        ]
        self.codec = RowCodec(self.column_types)
        self.by_name = {c.name: c for c in table.columns if not c.dropped}
        dropped = any(c.dropped for c in table.columns)
        #: Positions of live columns in a decoded row, or None when none was dropped.
        self.live_positions: list[int] | None = (
            [i for i, c in enumerate(table.columns) if not c.dropped] if dropped else None
        )
        self.live_columns = [c for c in table.columns if not c.dropped]
        self.primary_key = table.primary_key
        self.stamp_key = schema_stamp_key(table.oid)
        self.key_prefix = encode_key((table.oid, PRIMARY_INDEX_ID))
        self.valid_indexes = [i for i in table.indexes if i.valid and not i.is_primary]
        self.all_secondary_indexes = [i for i in table.indexes if not i.is_primary]

    def row_key(self, pk_values: tuple[Any, ...]) -> bytes:
        return encode_key((self.oid, PRIMARY_INDEX_ID, *pk_values))


@dataclass
class Catalog:
    version: int
    schemas: dict[int, str]
    tables: dict[int, TableDef]

    def __post_init__(self) -> None:
        self._schema_oids = {name: oid for oid, name in self.schemas.items()}
        self._by_name: dict[tuple[int, str], TableDef] = {
            (t.schema_oid, t.name): t for t in self.tables.values()
        }
        self._info: dict[int, TableInfo] = {}
        self._index_owner: dict[str, tuple[TableDef, IndexDef]] = {}
        #: Foreign keys by referenced table: (referencing table, constraint).
        self.referenced_by: dict[int, list[tuple[TableDef, ConstraintDef]]] = {}
        for table in self.tables.values():
            for index in table.indexes:
                self._index_owner[f"{table.schema_oid}.{index.name}"] = (table, index)
            for constraint in table.constraints:
                if constraint.kind == "f":
                    self.referenced_by.setdefault(constraint.ref_table, []).append(
                        (table, constraint)
                    )

    def schema_oid(self, name: str) -> int | None:
        return self._schema_oids.get(name)

    def info(self, table: TableDef) -> TableInfo:
        info = self._info.get(table.oid)
        if info is None:
            info = TableInfo(table, self.schemas.get(table.schema_oid, "?"))
            self._info[table.oid] = info
        return info

    def find_table(self, name: str, schema: str | None, search_path: list[str]) -> TableDef | None:
        if schema is not None:
            oid = self.schema_oid(schema)
            return None if oid is None else self._by_name.get((oid, name))
        for schema_name in search_path:
            oid = self.schema_oid(schema_name)
            if oid is not None and (oid, name) in self._by_name:
                return self._by_name[(oid, name)]
        return None

    def get_table(self, name: str, schema: str | None, search_path: list[str]) -> TableDef:
        table = self.find_table(name, schema, search_path)
        if table is None:
            full = f"{schema}.{name}" if schema else name
            raise TideError(f'relation "{full}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
        return table

    def find_index(
        self, name: str, schema: str | None, search_path: list[str]
    ) -> tuple[TableDef, IndexDef] | None:
        schemas = [schema] if schema else search_path
        for schema_name in schemas:
            oid = self.schema_oid(schema_name)
            if oid is not None and f"{oid}.{name}" in self._index_owner:
                return self._index_owner[f"{oid}.{name}"]
        return None

    def relation_name_taken(self, schema_oid: int, name: str) -> bool:
        return (schema_oid, name) in self._by_name or f"{schema_oid}.{name}" in self._index_owner


def load_catalog(
    version: int, schema_rows: list[tuple[bytes, bytes]], table_rows: list[tuple[bytes, bytes]]
) -> Catalog:
    schemas = {PG_CATALOG_OID: "pg_catalog", INFORMATION_SCHEMA_OID: "information_schema"}
    from tidesql.keys import decode_key

    for key, value in schema_rows:
        oid = decode_key(key)[1]
        schemas[int(str(oid))] = json.loads(value)["name"]
    tables = {}
    for _key, value in table_rows:
        table = TableDef.from_json(value)
        tables[table.oid] = table
    return Catalog(version, schemas, tables)
