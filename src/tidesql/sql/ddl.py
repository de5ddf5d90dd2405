"""DDL: changes to the catalog, made as ordinary transactional writes.

Each DDL statement reads the catalog of its transaction's snapshot, builds the changed
definitions, and writes them back together with the new catalog version and the
touched tables' schema stamps. Two concurrent DDL statements therefore write the same
version key and the later one fails at COMMIT with OC001; a concurrent DML transaction
on a changed table fails the same way through the table's stamp.

In ``dsql`` mode a transaction may hold one DDL statement and no DML, as in DSQL.
"""

from __future__ import annotations

import json
from typing import Any

import pg_query
import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import foreign_keys as FK
from tidesql.sql import types as T
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind, string_values
from tidesql.sql.result import Notice, StatementResult

RELATION_KINDS = {
    pb.OBJECT_TABLE: "table",
    pb.OBJECT_VIEW: "view",
    pb.OBJECT_INDEX: "index",
    pb.OBJECT_SCHEMA: "schema",
    pb.OBJECT_SEQUENCE: "sequence",
}


def not_supported(message: str, hint: str | None = None) -> TideError:
    return TideError(message, sqlstate=sqlstates.FEATURE_NOT_SUPPORTED, hint=hint)


def refuse(session: Any, statement: ParsedStatement) -> TideError:
    words = statement.text.split()
    name = " ".join(words[:2]).upper() if words else statement.kind
    return not_supported(f"unsupported statement: {name}")


def deparse_expression(node: Any) -> str:
    """SQL text for an expression node (stored for DEFAULT and CHECK)."""
    result = pb.ParseResult(version=160001)
    raw = result.stmts.add()
    select = raw.stmt.select_stmt
    target = select.target_list.add()
    target.res_target.val.CopyFrom(node)
    text: str = pg_query.deparse(result)
    return text[len("SELECT ") :].rstrip(";")


def deparse_select(node: Any) -> str:
    result = pb.ParseResult(version=160001)
    raw = result.stmts.add()
    raw.stmt.select_stmt.CopyFrom(node)
    text: str = pg_query.deparse(result)
    return text


class CatalogWriter:
    """Reads ``next_oid`` and the catalog version; writes definitions, stamps and version."""

    def __init__(self, session: Any, sql_txn: Any) -> None:
        self.session = session
        self.sql_txn = sql_txn
        self.txn = sql_txn.core
        self.catalog: C.Catalog = sql_txn.catalog
        #: The catalog version this transaction has read or written (set by execute).
        self.version = self.catalog.version
        self._next_oid: int | None = None

    async def new_oid(self) -> int:
        if self._next_oid is None:
            raw = await self.txn.get(C.NEXT_OID_KEY)
            self._next_oid = int(raw or str(C.FIRST_USER_OID))
        oid = self._next_oid
        self._next_oid += 1
        self.txn.put(C.NEXT_OID_KEY, str(self._next_oid).encode(), is_row=False)
        return oid

    # The catalog object is shared by every transaction of its version (the cache), so
    # DDL changes private copies of the definitions, never the cached ones.
    def find_table(
        self, name: str, schema: str | None, search_path: list[str]
    ) -> C.TableDef | None:
        table = self.catalog.find_table(name, schema, search_path)
        return None if table is None else C.TableDef.from_json(table.to_json())

    def get_table(self, name: str, schema: str | None, search_path: list[str]) -> C.TableDef:
        table = self.catalog.get_table(name, schema, search_path)
        return C.TableDef.from_json(table.to_json())

    def find_index(
        self, name: str, schema: str | None, search_path: list[str]
    ) -> tuple[C.TableDef, C.IndexDef] | None:
        found = self.catalog.find_index(name, schema, search_path)
        if found is None:
            return None
        table = C.TableDef.from_json(found[0].to_json())
        index = next(i for i in table.indexes if i.oid == found[1].oid)
        return table, index

    def write_table(self, table: C.TableDef) -> None:
        self.txn.put(C.relation_key(table.oid), table.to_json(), is_row=False)
        self.stamp(table.oid)

    def delete_table(self, table: C.TableDef) -> None:
        self.txn.delete(C.relation_key(table.oid), is_row=False)
        self.stamp(table.oid)

    def stamp(self, table_oid: int) -> None:
        self.txn.put(C.schema_stamp_key(table_oid), str(self.version + 1).encode(), is_row=False)
        self.bump()

    def bump(self) -> None:
        self.txn.put(C.VERSION_KEY, str(self.version + 1).encode(), is_row=False)

    def schema_for(self, schema: str | None) -> int:
        if schema is None:
            for name in self.session.search_path():
                if name == "pg_catalog":
                    continue
                oid = self.catalog.schema_oid(name)
                if oid is not None:
                    return oid
            raise TideError(
                "no schema has been selected to create in", sqlstate=sqlstates.INVALID_SCHEMA_NAME
            )
        oid = self.catalog.schema_oid(schema)
        if oid is None:
            raise TideError(
                f'schema "{schema}" does not exist', sqlstate=sqlstates.INVALID_SCHEMA_NAME
            )
        if oid in (C.PG_CATALOG_OID, C.INFORMATION_SCHEMA_OID, C.SYS_SCHEMA_OID):
            raise TideError(
                f"permission denied for schema {schema}", sqlstate=sqlstates.INSUFFICIENT_PRIVILEGE
            )
        return oid


async def execute(session: Any, statement: ParsedStatement) -> StatementResult:
    from tidesql.sql.statements import _check_dsql_mix

    sql_txn = await session.ensure_transaction()
    _check_dsql_mix(session, sql_txn, "ddl")
    handler = _HANDLERS.get(statement.kind)
    if handler is None:
        raise refuse(session, statement)
    writer = CatalogWriter(session, sql_txn)
    writer.version = int(await sql_txn.core.get(C.VERSION_KEY) or b"0")
    result = await handler(session, writer, statement)
    sql_txn.ddl_count += 1
    # Later statements of the transaction see its own DDL.
    sql_txn.catalog = await session.engine.private_catalog(sql_txn.core)
    return result


# ---------------------------------------------------------------- CREATE TABLE
async def _create_table(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    node = statement.node
    relation = node.relation
    dsql = session.engine.mode == "dsql"
    if relation.relpersistence == "t":
        raise not_supported(
            "unsupported statement: CREATE TEMPORARY TABLE"
            if dsql
            else "temporary tables are not supported"
        )
    if relation.relpersistence == "u" and dsql:
        raise not_supported("unsupported statement: CREATE UNLOGGED TABLE")
    if len(node.inh_relations):
        raise not_supported("table inheritance is not supported")
    if node.HasField("partspec"):
        raise not_supported("partitioned tables are not supported")
    if node.tablespacename:
        raise not_supported("tablespaces are not supported")
    schema_oid = writer.schema_for(relation.schemaname or None)
    name = relation.relname
    if writer.catalog.relation_name_taken(schema_oid, name):
        if node.if_not_exists:
            return StatementResult(
                "CREATE TABLE",
                notices=[Notice("NOTICE", "42P07", f'relation "{name}" already exists, skipping')],
            )
        raise TideError(f'relation "{name}" already exists', sqlstate=sqlstates.DUPLICATE_TABLE)
    table = C.TableDef(await writer.new_oid(), schema_oid, name, owner=session.user)
    pending_unique: list[tuple[str, list[str], bool]] = []
    pending_foreign: list[_PendingForeignKey] = []
    for element in node.table_elts:
        kind, value = node_kind(element)
        if kind == "column_def":
            _add_column(table, value, pending_unique, dsql, creating=True, foreign=pending_foreign)
        elif kind == "constraint":
            _table_constraint(table, value, pending_unique, pending_foreign)
        else:
            raise not_supported(f"{kind} in CREATE TABLE is not supported")
    if not table.columns:
        raise not_supported("tables without columns are not supported")
    for constraint_name, columns, is_primary in pending_unique:
        attnums = []
        for column_name in columns:
            column = table.column(column_name)
            if column is None:
                raise TideError(
                    f'column "{column_name}" named in key does not exist',
                    sqlstate=sqlstates.UNDEFINED_COLUMN,
                )
            attnums.append(column.attnum)
        if is_primary:
            if table.primary_key:
                raise TideError(
                    f'multiple primary keys for table "{name}" are not allowed',
                    sqlstate=sqlstates.INVALID_TABLE_DEFINITION,
                )
            table.primary_key = attnums
            for attnum in attnums:
                table.columns[attnum - 1].not_null = True
            index_oid = await writer.new_oid()
            index_name = constraint_name or f"{name}_pkey"
            table.indexes.append(
                C.IndexDef(index_oid, index_name, attnums, unique=True, is_primary=True)
            )
            table.constraints.append(
                C.ConstraintDef(
                    await writer.new_oid(), index_name, "p", attnums, index_oid=index_oid
                )
            )
        else:
            index_oid = await writer.new_oid()
            index_name = constraint_name or _unique_name(writer, schema_oid, name, columns, "key")
            table.indexes.append(C.IndexDef(index_oid, index_name, attnums, unique=True))
            table.constraints.append(
                C.ConstraintDef(
                    await writer.new_oid(), index_name, "u", attnums, index_oid=index_oid
                )
            )
    for constraint in table.constraints:
        if constraint.kind == "c" and not constraint.name:
            constraint.name = _check_name(table, constraint)
    for pending in pending_foreign:
        constraint = _define_foreign_key(session, writer, table, pending)
        constraint.validated = True  # the new table is empty (PostgreSQL ignores NOT VALID)
        constraint.oid = await writer.new_oid()
        table.constraints.append(constraint)
    writer.write_table(table)
    return StatementResult("CREATE TABLE")


class _PendingForeignKey:
    """A FOREIGN KEY clause waiting for the table's columns and keys to exist."""

    def __init__(self, node: Any, columns: list[str]) -> None:
        self.node = node
        self.columns = columns
        self.deferrable: bool = node.deferrable
        self.deferred: bool = node.initdeferred


def _define_foreign_key(
    session: Any, writer: CatalogWriter, table: C.TableDef, pending: _PendingForeignKey
) -> C.ConstraintDef:
    constraint = FK.define(
        writer.catalog, table, pending.node, pending.columns, session.search_path()
    )
    constraint.deferrable = pending.deferrable or pending.deferred
    constraint.deferred = pending.deferred
    if any(c.name == constraint.name for c in table.constraints):
        raise TideError(
            f'constraint "{constraint.name}" for relation "{table.name}" already exists',
            sqlstate=sqlstates.DUPLICATE_OBJECT,
        )
    if constraint.ref_table != table.oid:
        # Transactions that changed the parent without knowing of the new key fail (OC001).
        writer.stamp(constraint.ref_table)
    return constraint


def _unique_name(
    writer: CatalogWriter, schema_oid: int, table: str, columns: list[str], suffix: str
) -> str:
    base = f"{table}_{'_'.join(columns)}_{suffix}"
    name = base
    counter = 1
    while writer.catalog.relation_name_taken(schema_oid, name):
        name = f"{base}{counter}"
        counter += 1
    return name


def _check_name(table: C.TableDef, constraint: C.ConstraintDef) -> str:
    if constraint.columns:
        column = table.columns[constraint.columns[0] - 1].name
        return f"{table.name}_{column}_check"
    return f"{table.name}_check"


def _add_column(
    table: C.TableDef,
    value: Any,
    pending_unique: list[tuple[str, list[str], bool]],
    dsql: bool,
    *,
    creating: bool,
    foreign: list[_PendingForeignKey] | None = None,
) -> C.ColumnDef:
    name = value.colname
    if table.column(name) is not None:
        raise TideError(
            f'column "{name}" specified more than once'
            if creating
            else f'column "{name}" of relation "{table.name}" already exists',
            sqlstate=sqlstates.DUPLICATE_COLUMN,
        )
    type_name = value.type_name
    names = string_values(type_name.names)
    typmods = []
    for mod in type_name.typmods:
        kind, const = node_kind(mod)
        if kind == "a_const" and const.WhichOneof("val") == "ival":
            typmods.append(const.ival.ival)
    sql_type = T.type_from_name(names, typmods, len(type_name.array_bounds))
    from tidesql.sql.dsql import check_column_type

    check_column_type(sql_type, dsql)
    column = C.ColumnDef(name, sql_type.oid, sql_type.modifier, attnum=len(table.columns) + 1)
    for constraint_node in value.constraints:
        constraint = constraint_node.constraint
        contype = constraint.contype
        if contype == pb.CONSTR_NOTNULL:
            column.not_null = True
        elif contype == pb.CONSTR_NULL:
            column.not_null = False
        elif contype == pb.CONSTR_DEFAULT:
            column.default = deparse_expression(constraint.raw_expr)
        elif contype == pb.CONSTR_PRIMARY:
            pending_unique.append((constraint.conname, [name], True))
        elif contype == pb.CONSTR_UNIQUE:
            pending_unique.append((constraint.conname, [name], False))
        elif contype == pb.CONSTR_CHECK:
            table.constraints.append(
                C.ConstraintDef(
                    0,
                    constraint.conname,
                    "c",
                    [column.attnum],
                    deparse_expression(constraint.raw_expr),
                )
            )
        elif contype == pb.CONSTR_IDENTITY:
            raise not_supported("identity columns are not supported yet")
        elif contype == pb.CONSTR_FOREIGN:
            if foreign is None:
                raise not_supported("ADD COLUMN with REFERENCES is not supported")
            foreign.append(_PendingForeignKey(constraint, [name]))
        elif contype in _ATTRIBUTES:
            # DEFERRABLE / INITIALLY DEFERRED … qualify the constraint before them.
            if not foreign:
                raise TideError("misplaced DEFERRABLE clause", sqlstate=sqlstates.SYNTAX_ERROR)
            last = foreign[-1]
            if contype == pb.CONSTR_ATTR_DEFERRABLE:
                last.deferrable = True
            elif contype == pb.CONSTR_ATTR_NOT_DEFERRABLE:
                last.deferrable = False
            elif contype == pb.CONSTR_ATTR_DEFERRED:
                last.deferred = True
            else:
                last.deferred = False
        elif contype == pb.CONSTR_GENERATED:
            raise not_supported("generated columns are not supported")
        else:
            raise not_supported("this column constraint is not supported")
    table.columns.append(column)
    return column


_ATTRIBUTES = (
    pb.CONSTR_ATTR_DEFERRABLE,
    pb.CONSTR_ATTR_NOT_DEFERRABLE,
    pb.CONSTR_ATTR_DEFERRED,
    pb.CONSTR_ATTR_IMMEDIATE,
)


def _table_constraint(
    table: C.TableDef,
    constraint: Any,
    pending_unique: list[tuple[str, list[str], bool]],
    pending_foreign: list[_PendingForeignKey],
) -> None:
    contype = constraint.contype
    keys = string_values(constraint.keys)
    if contype == pb.CONSTR_PRIMARY:
        pending_unique.append((constraint.conname, keys, True))
    elif contype == pb.CONSTR_UNIQUE:
        pending_unique.append((constraint.conname, keys, False))
    elif contype == pb.CONSTR_CHECK:
        table.constraints.append(
            C.ConstraintDef(0, constraint.conname, "c", [], deparse_expression(constraint.raw_expr))
        )
    elif contype == pb.CONSTR_FOREIGN:
        pending_foreign.append(_PendingForeignKey(constraint, string_values(constraint.fk_attrs)))
    else:
        raise not_supported("this table constraint is not supported")


# ---------------------------------------------------------------- DROP
async def _drop(session: Any, writer: CatalogWriter, statement: ParsedStatement) -> StatementResult:
    node = statement.node
    kind = RELATION_KINDS.get(node.remove_type)
    if kind is None:
        raise refuse(session, statement)
    notices = []
    for item in node.objects:
        names = (
            string_values(node_kind(item)[1].items)
            if node_kind(item)[0] == "list"
            else [node_kind(item)[1].sval]
        )
        name = names[-1]
        schema = names[-2] if len(names) > 1 else None
        if kind == "schema":
            result = await _drop_schema(session, writer, name, node)
            if result:
                notices.append(result)
            continue
        if kind == "index":
            found = writer.find_index(name, schema, session.search_path())
            if found is None:
                if node.missing_ok:
                    notices.append(
                        Notice("NOTICE", "00000", f'index "{name}" does not exist, skipping')
                    )
                    continue
                raise TideError(
                    f'index "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT
                )
            owner, index = found
            if index.is_primary or any(c.index_oid == index.oid for c in owner.constraints):
                raise TideError(
                    f"cannot drop index {name} because constraint {name} on table "
                    f"{owner.name} requires it",
                    sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
                    hint=f"You can drop constraint {name} on table {owner.name} instead.",
                )
            owner.indexes = [i for i in owner.indexes if i.oid != index.oid]
            writer.write_table(owner)
            continue
        table = writer.find_table(name, schema, session.search_path())
        expected = "v" if kind == "view" else "r"
        if table is None or table.kind != expected:
            if node.missing_ok:
                notices.append(
                    Notice("NOTICE", "00000", f'{kind} "{name}" does not exist, skipping')
                )
                continue
            if table is not None:
                raise TideError(
                    f'"{name}" is not a {kind}',
                    sqlstate=sqlstates.WRONG_OBJECT_TYPE,
                    hint=f"Use DROP {'VIEW' if table.kind == 'v' else 'TABLE'} to remove a "
                    f"{'view' if table.kind == 'v' else 'table'}.",
                )
            raise TideError(f'{kind} "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
        notices.extend(_drop_referencing_keys(session, writer, node, table))
        writer.delete_table(table)
    tag = {
        "table": "DROP TABLE",
        "view": "DROP VIEW",
        "index": "DROP INDEX",
        "schema": "DROP SCHEMA",
        "sequence": "DROP SEQUENCE",
    }[kind]
    return StatementResult(tag, notices=notices)


def _drop_referencing_keys(
    session: Any, writer: CatalogWriter, node: Any, table: C.TableDef
) -> list[Notice]:
    """Foreign keys of other tables that reference a table being dropped: 2BP01, or with
    CASCADE the constraints are dropped (the referencing tables stay)."""
    dropping = set()
    for item in node.objects:
        kind, value = node_kind(item)
        names = string_values(value.items) if kind == "list" else [value.sval]
        found = writer.catalog.find_table(
            names[-1], names[-2] if len(names) > 1 else None, session.search_path()
        )
        if found is not None:
            dropping.add(found.oid)
    dependents = [
        (child, constraint)
        for child, constraint in writer.catalog.referenced_by.get(table.oid, [])
        if child.oid not in dropping
    ]
    if not dependents:
        return []
    if node.behavior != pb.DROP_CASCADE:
        details = "\n".join(
            f"constraint {c.name} on table {child.name} depends on table {table.name}"
            for child, c in dependents
        )
        raise TideError(
            f"cannot drop table {table.name} because other objects depend on it",
            sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
            detail=details,
            hint="Use DROP ... CASCADE to drop the dependent objects too.",
        )
    notices = []
    changed: dict[int, C.TableDef] = {}
    for child, constraint in dependents:
        copy = changed.setdefault(child.oid, C.TableDef.from_json(child.to_json()))
        copy.constraints = [c for c in copy.constraints if c.oid != constraint.oid]
        notices.append(
            Notice(
                "NOTICE",
                "00000",
                f"drop cascades to constraint {constraint.name} on table {child.name}",
            )
        )
    for copy in changed.values():
        writer.write_table(copy)
    return notices


async def _drop_schema(session: Any, writer: CatalogWriter, name: str, node: Any) -> Notice | None:
    oid = writer.catalog.schema_oid(name)
    if oid is None:
        if node.missing_ok:
            return Notice("NOTICE", "00000", f'schema "{name}" does not exist, skipping')
        raise TideError(f'schema "{name}" does not exist', sqlstate=sqlstates.INVALID_SCHEMA_NAME)
    if any(t.schema_oid == oid for t in writer.catalog.tables.values()):
        raise TideError(
            f"cannot drop schema {name} because other objects depend on it",
            sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
            hint="Use DROP ... CASCADE to drop the dependent objects too.",
        )
    writer.txn.delete(C.schema_key(oid), is_row=False)
    writer.bump()
    return None


# ---------------------------------------------------------------- schemas and views
async def _create_schema(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    node = statement.node
    name = node.schemaname
    if writer.catalog.schema_oid(name) is not None:
        if node.if_not_exists:
            return StatementResult(
                "CREATE SCHEMA",
                notices=[Notice("NOTICE", "42P06", f'schema "{name}" already exists, skipping')],
            )
        raise TideError(f'schema "{name}" already exists', sqlstate=sqlstates.DUPLICATE_SCHEMA)
    if name.startswith("pg_"):
        raise TideError(
            f'unacceptable schema name "{name}"',
            sqlstate=sqlstates.RESERVED_NAME,
            detail='The prefix "pg_" is reserved for system schemas.',
        )
    if len(node.schema_elts):
        raise not_supported("CREATE SCHEMA with elements is not supported")
    oid = await writer.new_oid()
    writer.txn.put(C.schema_key(oid), json.dumps({"name": name}).encode(), is_row=False)
    writer.bump()
    return StatementResult("CREATE SCHEMA")


async def _create_view(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.planner import Planner
    from tidesql.sql.statements import _virtual_tables

    node = statement.node
    relation = node.view
    schema_oid = writer.schema_for(relation.schemaname or None)
    existing = writer.catalog._by_name.get((schema_oid, relation.relname))
    if existing is not None and not (node.replace and existing.kind == "v"):
        raise TideError(
            f'relation "{relation.relname}" already exists', sqlstate=sqlstates.DUPLICATE_TABLE
        )
    query_sql = deparse_select(node.query.select_stmt)
    planner = Planner(
        writer.catalog, session.search_path(), virtual_tables=_virtual_tables(session)
    )
    planned = planner.plan_select(node.query.select_stmt)
    aliases = string_values(node.aliases)
    oid = existing.oid if existing is not None else await writer.new_oid()
    table = C.TableDef(
        oid,
        schema_oid,
        relation.relname,
        kind="v",
        view_sql=query_sql,
        view_columns=aliases,
        owner=session.user,
    )
    for position, column in enumerate(planned.columns):
        column_name = aliases[position] if position < len(aliases) else column.name
        table.columns.append(
            C.ColumnDef(column_name, column.type.oid, column.type.modifier, attnum=position + 1)
        )
    writer.write_table(table)
    return StatementResult("CREATE VIEW")


# ---------------------------------------------------------------- ALTER TABLE
async def _alter_table(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    node = statement.node
    relation = node.relation
    dsql = session.engine.mode == "dsql"
    table = writer.find_table(relation.relname, relation.schemaname or None, session.search_path())
    if table is None:
        if node.missing_ok:
            return StatementResult(
                "ALTER TABLE",
                notices=[
                    Notice(
                        "NOTICE", "00000", f'relation "{relation.relname}" does not exist, skipping'
                    )
                ],
            )
        raise TideError(
            f'relation "{relation.relname}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
        )
    for command_node in node.cmds:
        command = command_node.alter_table_cmd
        subtype = command.subtype
        if subtype == pb.AT_AddColumn:
            definition = getattr(command, "def").column_def
            if dsql and (len(definition.constraints)):
                raise not_supported(
                    "unsupported ALTER TABLE ADD COLUMN with constraints or defaults",
                    hint="Add the column without constraints or defaults.",
                )
            if command.missing_ok and table.column(definition.colname) is not None:
                continue
            pending: list[tuple[str, list[str], bool]] = []
            column = _add_column(table, definition, pending, dsql, creating=False)
            if pending:
                raise not_supported("ADD COLUMN with PRIMARY KEY or UNIQUE is not supported")
            if column.not_null and column.default is None:
                raise TideError(
                    f'column "{column.name}" of relation "{table.name}" contains null values',
                    sqlstate=sqlstates.NOT_NULL_VIOLATION,
                )
        elif subtype == pb.AT_DropColumn:
            dropping = table.column(command.name)
            if dropping is None:
                if command.missing_ok:
                    continue
                raise TideError(
                    f'column "{command.name}" of relation "{table.name}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_COLUMN,
                )
            referencing = [
                (child, c)
                for child, c in writer.catalog.referenced_by.get(table.oid, [])
                if dropping.attnum in c.ref_columns and child.oid != table.oid
            ]
            if referencing:
                child, c = referencing[0]
                raise TideError(
                    f"cannot drop column {dropping.name} of table {table.name} because "
                    "other objects depend on it",
                    sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
                    detail=f"constraint {c.name} on table {child.name} depends on column "
                    f"{dropping.name} of table {table.name}",
                    hint="Use DROP ... CASCADE to drop the dependent objects too.",
                )
            if dropping.attnum in table.primary_key:
                raise TideError(
                    f"cannot drop column {dropping.name} of table {table.name} because "
                    "other objects depend on it",
                    sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
                )
            dropping.dropped = True
            dropping.name = f"........pg.dropped.{dropping.attnum}........"
            table.indexes = [i for i in table.indexes if dropping.attnum not in i.columns]
            table.constraints = [
                c
                for c in table.constraints
                if dropping.attnum not in c.columns
                and not (
                    c.kind == "f" and c.ref_table == table.oid and dropping.attnum in c.ref_columns
                )
            ]
        elif subtype == pb.AT_AddConstraint:
            await _add_constraint(session, writer, table, getattr(command, "def").constraint)
        elif subtype == pb.AT_ValidateConstraint:
            job_result = await _validate_constraint(session, writer, statement, table, command.name)
            if job_result is not None:
                return job_result
        elif subtype == pb.AT_DropConstraint:
            found = next((c for c in table.constraints if c.name == command.name), None)
            if found is None:
                if command.missing_ok:
                    continue
                raise TideError(
                    f'constraint "{command.name}" of relation "{table.name}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_OBJECT,
                )
            if found.kind not in ("c", "f"):
                raise not_supported("dropping a PRIMARY KEY or UNIQUE constraint is not supported")
            table.constraints = [c for c in table.constraints if c is not found]
        elif subtype == pb.AT_AlterColumnType:
            raise not_supported("unsupported ALTER TABLE ALTER COLUMN ... TYPE")
        elif subtype == pb.AT_ColumnDefault and not dsql:
            altering = table.column(command.name)
            if altering is None:
                raise TideError(
                    f'column "{command.name}" of relation "{table.name}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_COLUMN,
                )
            altering.default = (
                deparse_expression(getattr(command, "def")) if command.HasField("def") else None
            )
        else:
            raise not_supported("unsupported ALTER TABLE operation")
    writer.write_table(table)
    return StatementResult("ALTER TABLE")


async def _add_constraint(
    session: Any, writer: CatalogWriter, table: C.TableDef, node: Any
) -> None:
    """ADD CONSTRAINT: CHECK or FOREIGN KEY. DSQL takes them only NOT VALID (validated
    later by ALTER TABLE ASYNC … VALIDATE CONSTRAINT); extended mode also validates the
    existing rows at once, as PostgreSQL does."""
    from tidesql.sql.jobs import check_existing_rows

    dsql = session.engine.mode == "dsql"
    if node.contype not in (pb.CONSTR_CHECK, pb.CONSTR_FOREIGN):
        raise not_supported("unsupported ALTER TABLE ADD CONSTRAINT: only CHECK and FOREIGN KEY")
    kind = "CHECK" if node.contype == pb.CONSTR_CHECK else "FOREIGN KEY"
    if dsql and not node.skip_validation:
        raise not_supported(
            f"unsupported ALTER TABLE ADD CONSTRAINT {kind} without NOT VALID",
            hint="Add the constraint NOT VALID, then validate it with "
            "ALTER TABLE ASYNC … VALIDATE CONSTRAINT.",
        )
    if node.contype == pb.CONSTR_CHECK:
        constraint = C.ConstraintDef(0, node.conname, "c", [], deparse_expression(node.raw_expr))
        if not constraint.name:
            constraint.name = _check_name(table, constraint)
    else:
        constraint = _define_foreign_key(
            session, writer, table, _PendingForeignKey(node, string_values(node.fk_attrs))
        )
    if any(c.name == constraint.name for c in table.constraints):
        raise TideError(
            f'constraint "{constraint.name}" for relation "{table.name}" already exists',
            sqlstate=sqlstates.DUPLICATE_OBJECT,
        )
    constraint.oid = await writer.new_oid()
    constraint.validated = not node.skip_validation
    if constraint.validated:
        await check_existing_rows(session, writer.txn, writer.catalog, table, constraint)
    table.constraints.append(constraint)


async def _validate_constraint(
    session: Any,
    writer: CatalogWriter,
    statement: ParsedStatement,
    table: C.TableDef,
    name: str,
) -> StatementResult | None:
    """VALIDATE CONSTRAINT: in DSQL only ``ALTER TABLE ASYNC``, which returns a job id and
    validates in the background; synchronous in extended mode."""
    from tidesql.sql.jobs import check_existing_rows, start_validation_job

    constraint = next((c for c in table.constraints if c.name == name), None)
    if constraint is None:
        raise TideError(
            f'constraint "{name}" of relation "{table.name}" does not exist',
            sqlstate=sqlstates.UNDEFINED_OBJECT,
        )
    if constraint.kind not in ("c", "f"):
        raise TideError(
            f'constraint "{name}" of relation "{table.name}" is not a foreign key or check '
            "constraint",
            sqlstate=sqlstates.WRONG_OBJECT_TYPE,
        )
    if statement.is_async:
        from tidesql.sql.result import Column

        job = start_validation_job(session, table, constraint)
        return StatementResult("ALTER TABLE", [Column("job_id", T.TEXT)], [(job.job_id,)])
    if session.engine.mode == "dsql":
        raise not_supported(
            "unsupported statement: ALTER TABLE ... VALIDATE CONSTRAINT; use ALTER TABLE "
            "ASYNC ... VALIDATE CONSTRAINT",
            hint="Aurora DSQL validates constraints asynchronously: ALTER TABLE ASYNC.",
        )
    if not constraint.validated:
        await check_existing_rows(session, writer.txn, writer.catalog, table, constraint)
        constraint.validated = True
    return None


async def _rename(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    node = statement.node
    if node.rename_type not in (pb.OBJECT_TABLE, pb.OBJECT_COLUMN, pb.OBJECT_VIEW, pb.OBJECT_INDEX):
        raise refuse(session, statement)
    relation = node.relation
    if node.rename_type == pb.OBJECT_INDEX:
        found = writer.find_index(
            relation.relname, relation.schemaname or None, session.search_path()
        )
        if found is None:
            raise TideError(
                f'relation "{relation.relname}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
            )
        owner, index = found
        index.name = node.newname
        writer.write_table(owner)
        return StatementResult("ALTER INDEX")
    table = writer.find_table(relation.relname, relation.schemaname or None, session.search_path())
    if table is None:
        raise TideError(
            f'relation "{relation.relname}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
        )
    if node.rename_type in (pb.OBJECT_TABLE, pb.OBJECT_VIEW):
        if writer.catalog.relation_name_taken(table.schema_oid, node.newname):
            raise TideError(
                f'relation "{node.newname}" already exists', sqlstate=sqlstates.DUPLICATE_TABLE
            )
        table.name = node.newname
    else:
        column = table.column(node.subname)
        if column is None:
            raise TideError(
                f'column "{node.subname}" does not exist', sqlstate=sqlstates.UNDEFINED_COLUMN
            )
        if table.column(node.newname) is not None:
            raise TideError(
                f'column "{node.newname}" of relation "{table.name}" already exists',
                sqlstate=sqlstates.DUPLICATE_COLUMN,
            )
        column.name = node.newname
    writer.write_table(table)
    return StatementResult("ALTER TABLE" if node.rename_type != pb.OBJECT_VIEW else "ALTER VIEW")


# ---------------------------------------------------------------- indexes
async def _create_index(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.jobs import start_index_job

    node = statement.node
    dsql = session.engine.mode == "dsql"
    if dsql and not statement.is_async:
        raise not_supported(
            "unsupported statement: CREATE INDEX; use CREATE INDEX ASYNC",
            hint="Aurora DSQL builds indexes asynchronously: CREATE INDEX ASYNC.",
        )
    if node.concurrent:
        raise not_supported("CREATE INDEX CONCURRENTLY is not supported; use CREATE INDEX ASYNC")
    relation = node.relation
    table = writer.get_table(relation.relname, relation.schemaname or None, session.search_path())
    if table.kind != "r":
        raise TideError(f'"{table.name}" is not a table', sqlstate=sqlstates.WRONG_OBJECT_TYPE)
    if node.access_method and node.access_method not in ("btree",):
        raise not_supported(f'access method "{node.access_method}" is not supported')
    attnums = []
    descending = []
    for element in node.index_params:
        index_elem = element.index_elem
        if index_elem.HasField("expr"):
            raise not_supported("indexes on expressions are not supported yet")
        column = table.column(index_elem.name)
        if column is None:
            raise TideError(
                f'column "{index_elem.name}" does not exist', sqlstate=sqlstates.UNDEFINED_COLUMN
            )
        attnums.append(column.attnum)
        descending.append(index_elem.ordering == pb.SORTBY_DESC)
    include = []
    for element in node.index_including_params:
        column = table.column(element.index_elem.name)
        if column is None:
            raise TideError(
                f'column "{element.index_elem.name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_COLUMN,
            )
        include.append(column.attnum)
    name = node.idxname or _unique_name(
        writer, table.schema_oid, table.name, [table.columns[a - 1].name for a in attnums], "idx"
    )
    if writer.catalog.relation_name_taken(table.schema_oid, name):
        if node.if_not_exists:
            return StatementResult(
                "CREATE INDEX",
                notices=[Notice("NOTICE", "42P07", f'relation "{name}" already exists, skipping')],
            )
        raise TideError(f'relation "{name}" already exists', sqlstate=sqlstates.DUPLICATE_TABLE)
    predicate = deparse_expression(node.where_clause) if node.HasField("where_clause") else None
    if predicate is not None:
        raise not_supported("partial indexes are not supported yet")
    index = C.IndexDef(
        await writer.new_oid(),
        name,
        attnums,
        unique=node.unique,
        include=include,
        valid=False,
        descending=descending,
        nulls_not_distinct=node.nulls_not_distinct,
    )
    # A unique index is not a constraint (as in PostgreSQL): no pg_constraint row.
    table.indexes.append(index)
    writer.write_table(table)
    job = start_index_job(session, table, index)
    if statement.is_async:
        from tidesql.sql.result import Column

        return StatementResult("CREATE INDEX", [Column("job_id", T.TEXT)], [(job.job_id,)])
    session.pending_sync_job = job
    return StatementResult("CREATE INDEX")


async def _truncate(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    raise not_supported("unsupported statement: TRUNCATE")


_HANDLERS = {
    "create_stmt": _create_table,
    "drop_stmt": _drop,
    "create_schema_stmt": _create_schema,
    "view_stmt": _create_view,
    "alter_table_stmt": _alter_table,
    "rename_stmt": _rename,
    "index_stmt": _create_index,
    "truncate_stmt": _truncate,
}
