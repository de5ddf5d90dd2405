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
    (7, object oid)               a ``DomainDef`` or ``FunctionDef`` as JSON
    (3, "version")                catalog version, bumped by every DDL
    (3, "next_oid")               the next object id to hand out
    (table oid, -1)               the table's schema stamp (see below)
    (sequence oid, 0, 1)          a sequence's one row: last_value, log_cnt,
                                  is_called (``sequences.py``)
    ============================  ==========================================

A sequence is a relation of kind ``"S"`` whose ``TableDef.sequence`` holds its options;
its one row is its durable state, rewritten by small transactions of its own (never
by the caller's), which is what makes ``nextval`` non-transactional.

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
SYS_OBJECTS = 7  # domains and SQL functions, by oid
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


def object_key(oid: int) -> bytes:
    return encode_key((SYS_OBJECTS, oid))


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
    #: ADD COLUMN … DEFAULT on a table with rows: the default's value (text form) that
    #: rows written before the column existed read (PostgreSQL's attmissingval).
    missing: str | None = None
    #: The column's domain (CREATE DOMAIN), 0 for none: ``type_oid`` and ``modifier``
    #: are then the domain's base type, which is what rows store and clients are sent.
    domain_oid: int = 0
    #: COMMENT ON: the object's description (pg_description), None for none.
    description: str | None = None

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
    #: COMMENT ON: the object's description (pg_description), None for none.
    description: str | None = None
    nulls_not_distinct: bool = False
    is_primary: bool = False
    predicate: str | None = None  # WHERE of a partial index (SQL text)
    #: Key expressions, in order, for the key positions whose attnum is 0 (as
    #: pg_index.indkey): SQL text and the result type's oid.
    expressions: list[str] = field(default_factory=list)
    expression_type_oids: list[int] = field(default_factory=list)

    def key_parts(self) -> list[tuple[int, str | None]]:
        """(attnum, None) for a column key, (0, expression text) for an expression key."""
        texts = iter(self.expressions)
        return [(a, next(texts) if a == 0 else None) for a in self.columns]

    @property
    def plain(self) -> bool:
        """Whether every key is a column and every row has an entry (no WHERE)."""
        return not self.expressions and self.predicate is None


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
    #: COMMENT ON: the object's description (pg_description), None for none.
    description: str | None = None


@dataclass
class SequenceDef:
    """A sequence's options (pg_sequence) and what owns it."""

    type_oid: int
    start: int
    increment: int
    min_value: int
    max_value: int
    cache: int
    cycle: bool
    #: OWNED BY: the table and column (attnum) the sequence is dropped with; 0 for none.
    owner_table: int = 0
    owner_column: int = 0
    #: Made for an identity column (dropped with it, refused by DROP SEQUENCE).
    identity: bool = False
    #: Bumped by every ALTER SEQUENCE, so query processors drop blocks cached before it.
    generation: int = 0


#: The one row of a sequence lives under this hidden row id.
SEQUENCE_ROW_ID = 1


def sequence_row_key(sequence_oid: int) -> bytes:
    return encode_key((sequence_oid, PRIMARY_INDEX_ID, SEQUENCE_ROW_ID))


@dataclass
class DomainDef:
    """``CREATE DOMAIN name AS base [DEFAULT …] [NOT NULL] [CONSTRAINT c CHECK (…)]``."""

    oid: int
    schema_oid: int
    name: str
    type_oid: int  # the base type
    modifier: int = -1
    not_null: bool = False
    default: str | None = None
    checks: list[list[str]] = field(default_factory=list)  # [constraint name, SQL text]
    owner: str = "admin"
    kind: str = "domain"
    #: COMMENT ON: the object's description (pg_description), None for none.
    description: str | None = None

    @property
    def sql_type(self) -> T.SqlType:
        base = T.type_by_oid(self.type_oid)
        return base if self.modifier == -1 else replace(base, modifier=self.modifier)


@dataclass
class FunctionDef:
    """``CREATE FUNCTION … LANGUAGE sql``: the body is kept as SQL text."""

    oid: int
    schema_oid: int
    name: str
    arg_names: list[str]
    arg_type_oids: list[int]
    arg_defaults: list[str | None]  # SQL text of each argument's DEFAULT
    result_type_oid: int
    body: str  # one SELECT (``AS $$…$$`` or ``RETURN expr``) as SQL text
    returns_set: bool = False
    volatility: str = "v"  # provolatile: i, s, v
    strict: bool = False
    owner: str = "admin"
    #: RETURNS TABLE (…) / OUT columns: names and type oids (empty for a scalar result).
    out_names: list[str] = field(default_factory=list)
    out_type_oids: list[int] = field(default_factory=list)
    kind: str = "function"
    #: COMMENT ON: the object's description (pg_description), None for none.
    description: str | None = None
    #: Every declared parameter in order, as pg_proc's proargmodes (``i``, ``o``, ``t``),
    #: proargnames and proallargtypes have them; empty when all are IN parameters.
    param_modes: list[str] = field(default_factory=list)
    param_names: list[str] = field(default_factory=list)
    param_type_oids: list[int] = field(default_factory=list)
    #: ``RETURNS [SETOF] table_name``: the table whose row type is the result (0: none).
    row_table_oid: int = 0
    #: The body as written: the ``AS '…'`` string (pg_proc.prosrc), or for a SQL-standard
    #: body (``RETURN …``, ``BEGIN ATOMIC … END``) that clause (prosqlbody). None for
    #: functions created before these were kept: ``body`` stands in.
    source: str | None = None
    standard_body: bool = False


def object_from_json(data: bytes) -> DomainDef | FunctionDef:
    raw = json.loads(data)
    if raw.get("kind") == "function":
        return FunctionDef(**raw)
    return DomainDef(**raw)


def object_to_json(definition: DomainDef | FunctionDef) -> bytes:
    return json.dumps(asdict(definition), separators=(",", ":")).encode()


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
    sequence: SequenceDef | None = None  # kind "S" only
    #: Granted privileges as PostgreSQL aclitems (``app=r/admin``); None: the default
    #: (the owner has all of them). See privileges.py.
    acl: list[str] | None = None
    #: COMMENT ON: the object's description (pg_description), None for none.
    description: str | None = None

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
        if raw.get("sequence") is not None:
            raw["sequence"] = SequenceDef(**raw["sequence"])
        return TableDef(**raw)


class TableInfo:
    """What the planner and executor need of a table, derived once per catalog version."""

    def __init__(self, table: TableDef, schema_name: str, catalog: Catalog | None = None) -> None:
        self.table = table
        #: The catalog this table belongs to (index expressions bind against it).
        self.catalog: Any = catalog
        #: Compiled index keys by index oid (``indexkeys.keyer_for``), built on first use.
        self.keyers: dict[int, Any] = {}
        self.oid = table.oid
        self.name = table.name
        self.schema_name = schema_name
        self.columns = table.columns
        self.column_types: list[T.SqlType | None] = [
            None if c.dropped else c.sql_type for c in table.columns
        ]
        self.codec = RowCodec(
            self.column_types,
            missing={
                c.attnum - 1: T.parse_value(c.missing, c.sql_type)
                for c in table.columns
                if c.missing is not None and not c.dropped
            },
        )
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
    domains: dict[int, DomainDef] = field(default_factory=dict)
    functions: dict[int, FunctionDef] = field(default_factory=dict)
    #: Schema oid → its stored entry beyond the name: ``owner``, ``acl`` (aclitems).
    schema_entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Role name → its stored row (login, superuser, member_of); ``admin`` is not stored.
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        #: Compiled forms of catalog objects (domain checks…), per catalog version.
        self.compiled: dict[Any, Any] = {}
        self._domains_by_name = {(d.schema_oid, d.name): d for d in self.domains.values()}
        self._functions_by_name: dict[str, list[FunctionDef]] = {}
        for function in self.functions.values():
            self._functions_by_name.setdefault(function.name, []).append(function)
        self._schema_oids = {name: oid for oid, name in self.schemas.items()}
        self._by_name: dict[tuple[int, str], TableDef] = {
            (t.schema_oid, t.name): t for t in self.tables.values()
        }
        self._info: dict[int, TableInfo] = {}
        self._index_owner: dict[str, tuple[TableDef, IndexDef]] = {}
        #: Sequences by the (table oid, attnum) that owns them (OWNED BY, identity).
        self.owned_sequences: dict[tuple[int, int], TableDef] = {}
        #: Foreign keys by referenced table: (referencing table, constraint).
        self.referenced_by: dict[int, list[tuple[TableDef, ConstraintDef]]] = {}
        for table in self.tables.values():
            for index in table.indexes:
                self._index_owner[f"{table.schema_oid}.{index.name}"] = (table, index)
            sequence = table.sequence
            if sequence is not None and sequence.owner_table:
                self.owned_sequences[(sequence.owner_table, sequence.owner_column)] = table
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
            info = TableInfo(table, self.schemas.get(table.schema_oid, "?"), self)
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

    def find_domain(
        self, name: str, schema: str | None, search_path: list[str]
    ) -> DomainDef | None:
        for schema_name in [schema] if schema else search_path:
            oid = self.schema_oid(schema_name)
            if oid is not None and (oid, name) in self._domains_by_name:
                return self._domains_by_name[(oid, name)]
        return None

    def functions_named(self, name: str) -> list[FunctionDef]:
        return self._functions_by_name.get(name, [])

    def relation_name_taken(self, schema_oid: int, name: str) -> bool:
        return (schema_oid, name) in self._by_name or f"{schema_oid}.{name}" in self._index_owner


def load_catalog(
    version: int,
    schema_rows: list[tuple[bytes, bytes]],
    table_rows: list[tuple[bytes, bytes]],
    object_rows: list[tuple[bytes, bytes]] | None = None,
    role_rows: list[tuple[bytes, bytes]] | None = None,
) -> Catalog:
    schemas = {PG_CATALOG_OID: "pg_catalog", INFORMATION_SCHEMA_OID: "information_schema"}
    from tidesql.keys import decode_key

    schema_entries: dict[int, dict[str, Any]] = {}
    for key, value in schema_rows:
        oid = int(str(decode_key(key)[1]))
        entry = json.loads(value)
        schemas[oid] = entry["name"]
        schema_entries[oid] = entry
    roles = {}
    for _key, value in role_rows or []:
        role = json.loads(value)
        roles[role["name"]] = role
    tables = {}
    for _key, value in table_rows:
        table = TableDef.from_json(value)
        tables[table.oid] = table
    domains: dict[int, DomainDef] = {}
    functions: dict[int, FunctionDef] = {}
    for _key, value in object_rows or []:
        definition = object_from_json(value)
        if isinstance(definition, FunctionDef):
            functions[definition.oid] = definition
        else:
            domains[definition.oid] = definition
    return Catalog(version, schemas, tables, domains, functions, schema_entries, roles)
