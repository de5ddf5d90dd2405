"""DDL: changes to the catalog, made as ordinary transactional writes.

Each DDL statement reads the catalog of its transaction's snapshot, builds the changed
definitions, and writes them back together with the new catalog version and the
touched tables' schema stamps. Two concurrent DDL statements therefore write the same
version key and the later one fails at COMMIT with OC001; a concurrent DML transaction
on a changed table fails the same way through the table's stamp.

In ``dsql`` mode a transaction may hold one DDL statement and no DML, as in DSQL.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pg_query
import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import dsql, privileges
from tidesql.sql import foreign_keys as FK
from tidesql.sql import types as T
from tidesql.sql.dsql import not_supported
from tidesql.sql.indexkeys import check_key_type
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


def refuse(session: Any, statement: ParsedStatement) -> TideError:
    return dsql.unsupported_statement(statement.node)


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

    def write_schema(self, oid: int, entry: dict[str, Any]) -> None:
        self.txn.put(C.schema_key(oid), json.dumps(entry).encode(), is_row=False)
        self.bump()

    def schema_for(self, schema: str | None) -> int:
        """The schema a new object goes in; the user needs CREATE on it."""
        oid = self._schema_for(schema)
        privileges.check_create(self.session, self.catalog, oid)
        return oid

    def _schema_for(self, schema: str | None) -> int:
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
    dsql_mode = session.engine.mode == "dsql"
    # DSQL mode refused TEMPORARY and UNLOGGED before this (dsql.REFUSED_STATEMENTS);
    # extended mode has no session-private storage, and treats UNLOGGED as logged.
    if relation.relpersistence == "t":
        raise not_supported("temporary tables are not supported")
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
    pending_sequences: list[PendingSequence] = []
    pending_foreign: list[_PendingForeignKey] = []
    for element in node.table_elts:
        kind, value = node_kind(element)
        if kind == "column_def":
            _add_column(
                table,
                value,
                pending_unique,
                dsql_mode,
                creating=True,
                sequences=pending_sequences,
                writer=writer,
                foreign=pending_foreign,
            )
        elif kind == "constraint":
            _table_constraint(table, value, pending_unique, pending_foreign)
        else:
            raise not_supported(f"{kind} in CREATE TABLE is not supported")
    if not table.columns:
        raise not_supported("tables without columns are not supported")
    _check_defaults(session, writer, table.columns)
    for constraint_name, columns, is_primary in pending_unique:
        attnums = []
        for column_name in columns:
            column = table.column(column_name)
            if column is None:
                raise TideError(
                    f'column "{column_name}" named in key does not exist',
                    sqlstate=sqlstates.UNDEFINED_COLUMN,
                )
            check_key_type(
                column.sql_type, "a primary key" if is_primary else "a unique constraint"
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
    await _create_column_sequences(session, writer, table, pending_sequences)
    for pending in pending_foreign:
        constraint = _define_foreign_key(session, writer, table, pending)
        constraint.validated = True  # the new table is empty (PostgreSQL ignores NOT VALID)
        constraint.oid = await writer.new_oid()
        table.constraints.append(constraint)
    writer.write_table(table)
    return StatementResult("CREATE TABLE")


@dataclass
class PendingSequence:
    """A sequence CREATE TABLE makes for a column: identity (with its options) or SERIAL."""

    column: C.ColumnDef
    options: Any
    identity: bool


async def _create_column_sequences(
    session: Any, writer: CatalogWriter, table: C.TableDef, pending: list[PendingSequence]
) -> None:
    from tidesql.sql import sequences as S

    taken: set[str] = set()
    for item in pending:
        column = item.column
        parsed = S.parse_options(item.options, type_oid=column.type_oid, allow_type=False)
        if item.identity and session.engine.mode == "dsql":
            S.check_dsql_rules(parsed, creating=True, what="an identity column")
        name = S.sequence_name_for(writer, table.schema_oid, table.name, column.name)
        for element in item.options:
            if element.def_elem.defname == "sequence_name":
                name = string_values(element.def_elem.arg.list.items)[-1]
        while name in taken or name == table.name:
            name += "1"
        taken.add(name)
        definition = replace(
            parsed.definition,
            owner_table=table.oid,
            owner_column=column.attnum,
            identity=item.identity,
        )
        await S.create_sequence_object(writer, table.schema_oid, name, definition, session.user)
        if not item.identity:
            schema = writer.catalog.schemas.get(table.schema_oid, "public")
            column.default = S.serial_default(name, schema)


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


def _expression_column_name(node: Any) -> str:
    """PostgreSQL's FigureColname for an index expression: a function's name, else "expr"."""
    kind, value = node_kind(node)
    if kind == "func_call":
        return string_values(value.funcname)[-1]
    if kind == "type_cast":
        return _expression_column_name(value.arg) if value.HasField("arg") else "expr"
    if kind == "column_ref":
        names = string_values(value.fields)
        return names[-1] if names else "expr"
    return "expr"


def _check_defaults(session: Any, writer: CatalogWriter, columns: list[C.ColumnDef]) -> None:
    """Bind each DEFAULT now, as PostgreSQL does when the default is declared: a function
    or a ``nextval('seq')`` relation that does not exist fails the DDL (42883, 42P01)."""
    from tidesql.sql.planner import BindContext, Planner, Scope
    from tidesql.sql.statements import _parse_expression

    for column in columns:
        if column.default is None or column.dropped:
            continue
        planner = Planner(writer.catalog, session.search_path())
        # As INSERT binds it (nextval binds as a correlated subquery, never run here).
        expr = planner.bind(_parse_expression(column.default), BindContext(Scope(), "DEFAULT"))
        planner.coerce(expr, column.sql_type, context="assignment")


def _check_name(table: C.TableDef, constraint: C.ConstraintDef) -> str:
    """PostgreSQL's name for an unnamed CHECK: ``table_column_check`` when its expression
    refers to exactly one column, else ``table_check``; a number is appended while the
    name is taken on the table (``t_check1``)."""
    columns = set(_column_references(constraint.expression or "true"))
    middle = f"_{columns.pop()}" if len(columns) == 1 else ""
    base = f"{table.name}{middle}_check"
    taken = {c.name for c in table.constraints if c is not constraint}
    return next(n for n in (f"{base}{i or ''}" for i in itertools.count()) if n not in taken)


def _add_column(
    table: C.TableDef,
    value: Any,
    pending_unique: list[tuple[str, list[str], bool]],
    dsql_mode: bool,
    *,
    creating: bool,
    sequences: list[PendingSequence] | None = None,
    writer: CatalogWriter | None = None,
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
    from tidesql.sql.domains import resolve_type_name
    from tidesql.sql.sequences import SERIAL_TYPES

    serial = (
        not dsql_mode
        and len(names) == 1
        and not len(type_name.array_bounds)
        and names[0] in SERIAL_TYPES
    )
    if dsql_mode:
        refusal = dsql.column_type_refusal(names, len(type_name.array_bounds))
        if refusal is not None:
            raise refusal
    domain = None
    if serial:
        sql_type = SERIAL_TYPES[names[0]]
    else:
        catalog = writer.catalog if writer is not None else C.Catalog(0, {}, {})
        search_path = writer.session.search_path() if writer is not None else []
        sql_type, domain = resolve_type_name(catalog, type_name, search_path)
    dsql.check_column_type(sql_type, dsql_mode)
    column = C.ColumnDef(name, sql_type.oid, sql_type.modifier, attnum=len(table.columns) + 1)
    if domain is not None:
        column.domain_oid = domain.oid
    if serial:
        if sequences is None:
            raise not_supported("ADD COLUMN of a serial type is not supported")
        column.not_null = True
        sequences.append(PendingSequence(column, [], identity=False))
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
            _identity_column(table, column, constraint, dsql_mode, sequences)
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


def _identity_column(
    table: C.TableDef,
    column: C.ColumnDef,
    constraint: Any,
    dsql_mode: bool,
    sequences: list[PendingSequence] | None,
) -> None:
    if sequences is None:
        raise not_supported("ADD COLUMN with an identity is not supported")
    if column.identity:
        raise TideError(
            f'multiple identity specifications for column "{column.name}" of table "{table.name}"',
            sqlstate=sqlstates.SYNTAX_ERROR,
        )
    if column.type_oid != T.INT8.oid and dsql_mode:
        raise not_supported(
            f"unsupported identity column type {T.format_type(column.sql_type)}: "
            "identity columns must be bigint"
        )
    if column.type_oid not in (T.INT2.oid, T.INT4.oid, T.INT8.oid):
        raise TideError(
            "identity column type must be smallint, integer, or bigint",
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    column.identity = constraint.generated_when or "a"
    column.not_null = True
    sequences.append(PendingSequence(column, constraint.options, identity=True))


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
    if node.remove_type == pb.OBJECT_FUNCTION:
        from tidesql.sql.sqlfunctions import drop_functions

        return await drop_functions(session, writer, node)
    dropping_type = node.remove_type == pb.OBJECT_TYPE
    if node.remove_type == pb.OBJECT_DOMAIN or (dropping_type and session.engine.mode != "dsql"):
        # DSQL refuses DROP TYPE outright (its cluster answers as for other objects it
        # lacks); PostgreSQL drops a domain by either name.
        from tidesql.sql.domains import drop_domains

        return await drop_domains(session, writer, node)
    kind = RELATION_KINDS.get(node.remove_type)
    if kind is None:
        raise not_supported("unsupported object in DROP statement")
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
            notices.extend(await _drop_schema(session, writer, name, node))
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
        expected = {"view": "v", "sequence": "S"}.get(kind, "r")
        if table is None or table.kind != expected:
            if node.missing_ok:
                notices.append(
                    Notice("NOTICE", "00000", f'{kind} "{name}" does not exist, skipping')
                )
                continue
            if table is not None:
                other = {"v": "view", "S": "sequence"}.get(table.kind, "table")
                raise TideError(
                    f'"{name}" is not a {kind}',
                    sqlstate=sqlstates.WRONG_OBJECT_TYPE,
                    hint=f"Use DROP {other.upper()} to remove a {other}.",
                )
            raise TideError(f'{kind} "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
        if kind == "sequence":
            _drop_sequence(writer, table, node.behavior == pb.DROP_CASCADE)
            continue
        notices.extend(_drop_referencing_keys(session, writer, node, table))
        writer.delete_table(table)
        _drop_owned_sequences(writer, table.oid)
    tag = {
        "table": "DROP TABLE",
        "view": "DROP VIEW",
        "index": "DROP INDEX",
        "schema": "DROP SCHEMA",
        "sequence": "DROP SEQUENCE",
    }[kind]
    return StatementResult(tag, notices=notices)


def _drop_sequence(writer: CatalogWriter, sequence: C.TableDef, cascade: bool) -> None:
    from tidesql.sql.sequences import check_drop_sequence, drop_sequence_object

    for user, column in check_drop_sequence(writer.catalog, sequence, cascade):
        # CASCADE drops the column defaults that call the sequence.
        changed = C.TableDef.from_json(user.to_json())
        changed.columns[column.attnum - 1].default = None
        writer.write_table(changed)
    drop_sequence_object(writer, sequence)


def _drop_owned_sequences(writer: CatalogWriter, table_oid: int, attnum: int | None = None) -> None:
    """Sequences owned by a dropped table or column (SERIAL, identity, OWNED BY) go with it."""
    from tidesql.sql.sequences import dependent_sequences, drop_sequence_object

    for sequence in dependent_sequences(writer.catalog, table_oid, attnum):
        drop_sequence_object(writer, sequence)


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


async def _drop_schema(session: Any, writer: CatalogWriter, name: str, node: Any) -> list[Notice]:
    """DROP SCHEMA: a schema holding objects fails with 2BP01 naming them (and what
    depends on them from outside); CASCADE drops them all — tables, views, sequences,
    domains and SQL functions — with the columns, defaults and foreign keys of other
    tables that depend on them, reported as PostgreSQL reports them."""
    from tidesql.sql.sequences import _mentions, drop_sequence_object
    from tidesql.sql.sqlfunctions import _type_text

    catalog = writer.catalog
    oid = catalog.schema_oid(name)
    if oid is None:
        if node.missing_ok:
            return [Notice("NOTICE", "00000", f'schema "{name}" does not exist, skipping')]
        raise TideError(f'schema "{name}" does not exist', sqlstate=sqlstates.INVALID_SCHEMA_NAME)
    owned = {id(s) for s in catalog.owned_sequences.values()}
    tables = sorted(
        (t for t in catalog.tables.values() if t.schema_oid == oid and id(t) not in owned),
        key=lambda t: t.oid,
    )
    dropped_tables = {t.oid for t in catalog.tables.values() if t.schema_oid == oid}
    outside = [t for t in catalog.tables.values() if t.oid not in dropped_tables]
    members: list[tuple[int, str, list[tuple[str, Callable[[C.TableDef], None], int]]]] = []
    # Each member: (oid, description, [(dependent, how to drop it from a copy, table)]).
    for domain in catalog.domains.values():
        if domain.schema_oid != oid:
            continue
        uses = []
        for table in outside:
            for column in table.live_columns:
                if column.domain_oid == domain.oid:
                    uses.append(
                        (
                            f"column {column.name} of table {table.name}",
                            _column_dropper(column.attnum),
                            table.oid,
                        )
                    )
        members.append((domain.oid, f"type {name}.{domain.name}", uses))
    for function in catalog.functions.values():
        if function.schema_oid == oid:
            arguments = ", ".join(_type_text(t) for t in function.arg_type_oids)
            members.append((function.oid, f"function {name}.{function.name}({arguments})", []))
    for table in tables:
        dependents = []
        if table.kind == "S":
            for user in outside:
                for column in user.live_columns:
                    if column.default and _mentions(column.default, table):
                        dependents.append(
                            (
                                f"default value for column {column.name} of table {user.name}",
                                _default_dropper(column.attnum),
                                user.oid,
                            )
                        )
        for child, constraint in catalog.referenced_by.get(table.oid, []):
            if child.oid not in dropped_tables:
                dependents.append(
                    (
                        f"constraint {constraint.name} on table {child.name}",
                        _constraint_dropper(constraint.oid),
                        child.oid,
                    )
                )
        kind = {"v": "view", "S": "sequence"}.get(table.kind, "table")
        members.append((table.oid, f"{kind} {name}.{table.name}", dependents))
    members.sort(key=lambda member: member[0])
    if members and node.behavior != pb.DROP_CASCADE:
        lines = []
        for _oid, description, dependents in members:
            lines.append(f"{description} depends on schema {name}")
            lines.extend(f"{d} depends on {description}" for d, _drop, _table in dependents)
        raise TideError(
            f"cannot drop schema {name} because other objects depend on it",
            sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
            detail="\n".join(lines),
            hint="Use DROP ... CASCADE to drop the dependent objects too.",
        )
    changed: dict[int, C.TableDef] = {}
    cascades = []
    for _oid, description, dependents in members:
        cascades.append(description)
        for dependent, drop, table_oid in dependents:
            cascades.append(dependent)
            copy = changed.get(table_oid)
            if copy is None:
                copy = C.TableDef.from_json(catalog.tables[table_oid].to_json())
                changed[table_oid] = copy
            drop(copy)
    for copy in changed.values():
        writer.write_table(copy)
    for table in catalog.tables.values():
        if table.oid in dropped_tables:
            if table.kind == "S":
                drop_sequence_object(writer, table)
            else:
                writer.delete_table(table)
                _drop_owned_sequences(writer, table.oid)
    objects: list[C.DomainDef | C.FunctionDef] = [
        *catalog.domains.values(),
        *catalog.functions.values(),
    ]
    for definition in objects:
        if definition.schema_oid == oid:
            writer.txn.delete(C.object_key(definition.oid), is_row=False)
    writer.txn.delete(C.schema_key(oid), is_row=False)
    writer.bump()
    if not cascades:
        return []
    if len(cascades) == 1:
        return [Notice("NOTICE", "00000", f"drop cascades to {cascades[0]}")]
    return [
        Notice(
            "NOTICE",
            "00000",
            f"drop cascades to {len(cascades)} other objects",
            detail="\n".join(f"drop cascades to {c}" for c in cascades),
        )
    ]


def _column_dropper(attnum: int) -> Callable[[C.TableDef], None]:
    """Drops a column (whose type is going) from a table's copy, with its indexes and
    constraints; a primary-key column cannot go (2BP01)."""

    def drop(table: C.TableDef) -> None:
        column = table.columns[attnum - 1]
        if attnum in table.primary_key:
            raise TideError(
                f"cannot drop column {column.name} of table {table.name} because "
                "other objects depend on it",
                sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
            )
        column.dropped = True
        column.name = f"........pg.dropped.{attnum}........"
        table.indexes = [i for i in table.indexes if attnum not in i.columns]
        table.constraints = [c for c in table.constraints if attnum not in c.columns]

    return drop


def _default_dropper(attnum: int) -> Callable[[C.TableDef], None]:
    def drop(table: C.TableDef) -> None:
        table.columns[attnum - 1].default = None

    return drop


def _constraint_dropper(oid: int) -> Callable[[C.TableDef], None]:
    def drop(table: C.TableDef) -> None:
        table.constraints = [c for c in table.constraints if c.oid != oid]

    return drop


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
    writer.write_schema(oid, {"name": name, "owner": session.user})
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
class AlterTable:
    """What one ALTER TABLE subcommand works on: the table's private copy, written once
    all subcommands have run."""

    def __init__(
        self,
        session: Any,
        writer: CatalogWriter,
        table: C.TableDef,
        statement: ParsedStatement,
    ) -> None:
        self.session = session
        self.writer = writer
        self.table = table
        self.statement = statement
        self.dsql = session.engine.mode == "dsql"

    def column(self, name: str) -> C.ColumnDef:
        column = self.table.column(name)
        if column is None:
            raise TideError(
                f'column "{name}" of relation "{self.table.name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_COLUMN,
            )
        return column


async def _alter_table(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    node = statement.node
    relation = node.relation
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
    alter = AlterTable(session, writer, table, statement)
    if statement.is_async and len(node.cmds) > 1:
        # ASYNC … VALIDATE CONSTRAINT answers with its job id alone: other subcommands
        # beside it would not be applied.
        raise not_supported(
            "unsupported statement: ALTER TABLE ASYNC with more than one subcommand",
            hint="Run the other subcommands in their own ALTER TABLE.",
        )
    commands = [command_node.alter_table_cmd for command_node in node.cmds]
    for command in commands:
        if command.subtype not in _ALTER_TABLE_COMMANDS or (
            alter.dsql and command.subtype in _REFUSED_IN_DSQL
        ):
            raise dsql.alter_table_refusal(command.subtype)
    # As PostgreSQL, in passes: drops, type changes, added columns, column attributes,
    # added constraints, defaults, the rest; in the written order within a pass.
    for command in sorted(commands, key=_alter_pass):
        result = await _ALTER_TABLE_COMMANDS[command.subtype](alter, command)
        if result is not None:
            return result  # ALTER TABLE ASYNC … VALIDATE CONSTRAINT: the job id
    writer.write_table(table)
    return StatementResult("ALTER TABLE")


async def _add_column_command(alter: AlterTable, command: Any) -> None:
    table = alter.table
    definition = getattr(command, "def").column_def
    if alter.dsql and len(definition.constraints):
        raise not_supported(
            dsql.ADD_COLUMN_WITH_CONSTRAINT,
            hint="Add the column, then ALTER COLUMN … SET DEFAULT.",
        )
    if command.missing_ok and table.column(definition.colname) is not None:
        return
    pending: list[tuple[str, list[str], bool]] = []
    existing = len(table.constraints)
    column = _add_column(
        table, definition, pending, alter.dsql, creating=False, writer=alter.writer
    )
    if pending:
        raise not_supported("ADD COLUMN with PRIMARY KEY or UNIQUE is not supported")
    _check_defaults(alter.session, alter.writer, [column])
    await _fill_new_column(alter, column)
    await _add_column_checks(alter, table.constraints[existing:])


async def _add_column_checks(alter: AlterTable, checks: list[C.ConstraintDef]) -> None:
    """CHECKs declared with an added column: named and given an oid as CREATE TABLE
    does, and checked against the rows already there (they read the column's default),
    as PostgreSQL does (23514)."""
    from tidesql.sql.jobs import check_existing_rows

    table, writer = alter.table, alter.writer
    for constraint in checks:
        if not constraint.name:
            constraint.name = _check_name(table, constraint)
        if any(c.name == constraint.name for c in table.constraints if c is not constraint):
            raise TideError(
                f'constraint "{constraint.name}" for relation "{table.name}" already exists',
                sqlstate=sqlstates.DUPLICATE_OBJECT,
            )
        constraint.oid = await writer.new_oid()
        constraint.validated = True
        await check_existing_rows(alter.session, writer.txn, writer.catalog, table, constraint)


async def _fill_new_column(alter: AlterTable, column: C.ColumnDef) -> None:
    """What rows stored before ADD COLUMN read in it: the default, computed once (as
    PostgreSQL's attmissingval), checked against NOT NULL and the column's domain."""
    from tidesql.keys import prefix_end
    from tidesql.sql.domains import checker_for
    from tidesql.sql.session import Env

    table, writer = alter.table, alter.writer
    prefix = C.TableInfo(table, "").key_prefix
    if not await writer.txn.scan(prefix, prefix_end(prefix), limit=1):
        return  # no rows: nothing reads the new column before it is written
    catalog = writer.catalog
    domain = catalog.domains.get(column.domain_oid) if column.domain_oid else None
    default = column.default
    if default is None and domain is not None:
        default = domain.default
    value = None
    if default is not None:
        from tidesql.sql.planner import Planner, Scope
        from tidesql.sql.statements import _parse_expression

        planner = Planner(catalog, alter.session.search_path())
        expr = planner.bind_standalone(_parse_expression(default), Scope(), "DEFAULT")
        expr = planner.coerce(expr, column.sql_type, context="assignment")
        if planner.has_volatile:
            raise not_supported(
                "ADD COLUMN with a volatile DEFAULT on a table with rows is not supported",
                hint="Add the column without a default, then UPDATE the rows.",
            )
        value = expr.compile()((), Env(alter.session))
    if value is None and column.not_null:
        raise TideError(
            f'column "{column.name}" of relation "{table.name}" contains null values',
            sqlstate=sqlstates.NOT_NULL_VIOLATION,
        )
    if domain is not None:
        checker_for(catalog, domain)(value, Env(alter.session))
    if value is not None:
        column.missing = T.format_value(value, column.sql_type)


async def _drop_column_command(alter: AlterTable, command: Any) -> None:
    table = alter.table
    dropping = table.column(command.name)
    if dropping is None:
        if command.missing_ok:
            return
        alter.column(command.name)
    assert dropping is not None
    referencing = [
        (child, c)
        for child, c in alter.writer.catalog.referenced_by.get(table.oid, [])
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
        # Rows are keyed by their primary key, so the key cannot lose a column; DSQL
        # refuses with this message, PostgreSQL would drop the key with the column.
        if alter.dsql:
            raise not_supported(f"cannot drop primary key column {dropping.name}")
        raise TideError(
            f"cannot drop column {dropping.name} of table {table.name} because "
            "other objects depend on it",
            sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
        )
    dropping.dropped = True
    dropping.name = f"........pg.dropped.{dropping.attnum}........"
    dropping.identity = ""
    _drop_owned_sequences(alter.writer, table.oid, dropping.attnum)
    # Indexes and constraints that use the column go with it, as in PostgreSQL — also
    # expression and partial indexes and CHECKs that name it only in their expression.
    column_name = command.name
    table.indexes = [
        i
        for i in table.indexes
        if dropping.attnum not in i.columns
        and dropping.attnum not in i.include
        and not any(_mentions_column(e, column_name) for e in i.expressions)
        and not (i.predicate is not None and _mentions_column(i.predicate, column_name))
    ]
    table.constraints = [
        c
        for c in table.constraints
        if dropping.attnum not in c.columns
        and not (c.kind == "f" and c.ref_table == table.oid and dropping.attnum in c.ref_columns)
        and not (c.kind == "c" and c.expression and _mentions_column(c.expression, column_name))
    ]


def _mentions_column(expression: str, column: str) -> bool:
    """Whether an index or CHECK expression (stored as text) refers to ``column``."""
    return column in _column_references(expression)


def _column_references(expression: str) -> list[str]:
    """The column names an expression (stored as text) refers to, in order — inside
    AND/OR, function arguments and lists too."""
    from tidesql.sql.sqlfunctions import _messages
    from tidesql.sql.statements import _parse_expression

    found: list[str] = []
    for message in _messages(_parse_expression(expression)):
        if isinstance(message, pb.ColumnRef):
            names = string_values(message.fields)
            if names and isinstance(names[-1], str):
                found.append(names[-1])
    return found


async def _column_default_command(alter: AlterTable, command: Any) -> None:
    """ALTER COLUMN … SET DEFAULT / DROP DEFAULT: only later INSERTs see the change."""
    column = alter.column(command.name)
    column.default = (
        deparse_expression(getattr(command, "def")) if command.HasField("def") else None
    )
    _check_defaults(alter.session, alter.writer, [column])


async def _drop_not_null_command(alter: AlterTable, command: Any) -> None:
    column = alter.column(command.name)
    if column.attnum in alter.table.primary_key:
        raise TideError(
            f'column "{column.name}" is in a primary key',
            sqlstate=sqlstates.INVALID_TABLE_DEFINITION,
        )
    column.not_null = False


async def _set_not_null_command(alter: AlterTable, command: Any) -> None:
    """SET NOT NULL (extended mode; DSQL refuses it): every stored row is checked."""
    from tidesql.keys import prefix_end

    column = alter.column(command.name)
    if column.not_null:
        return
    info = C.TableInfo(alter.table, "")
    for _, value in await alter.writer.txn.scan(info.key_prefix, prefix_end(info.key_prefix)):
        row = info.codec.decode(value)
        position = column.attnum - 1
        if position >= len(row) or row[position] is None:
            raise TideError(
                f'column "{column.name}" of relation "{alter.table.name}" contains null values',
                sqlstate=sqlstates.NOT_NULL_VIOLATION,
            )
    column.not_null = True


async def _alter_column_type_command(alter: AlterTable, command: Any) -> None:
    # Changing a column's type rewrites every row; DSQL refuses it, and so does tidesql
    # in both modes (with DSQL's message).
    raise dsql.alter_table_refusal(command.subtype)


async def _set_storage_command(alter: AlterTable, command: Any) -> None:
    """SET STORAGE: accepted and checked; tidesql stores every value the same way."""
    alter.column(command.name)


async def _change_owner_command(alter: AlterTable, command: Any) -> None:
    from tidesql.sql.roles import ADMIN, role_key

    spec = command.newowner
    if spec.roletype == pb.ROLESPEC_CSTRING:
        owner = spec.rolename
        if owner != ADMIN and await alter.writer.txn.get(role_key(owner)) is None:
            raise TideError(f'role "{owner}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT)
    else:
        owner = alter.session.user
    alter.table.owner = owner


async def _add_constraint_command(alter: AlterTable, command: Any) -> None:
    await _add_constraint(
        alter.session, alter.writer, alter.table, getattr(command, "def").constraint
    )


async def _validate_constraint_command(alter: AlterTable, command: Any) -> StatementResult | None:
    return await _validate_constraint(
        alter.session, alter.writer, alter.statement, alter.table, command.name
    )


async def _drop_constraint_command(alter: AlterTable, command: Any) -> None:
    table = alter.table
    found = next((c for c in table.constraints if c.name == command.name), None)
    if found is None:
        if command.missing_ok:
            return
        raise TideError(
            f'constraint "{command.name}" of relation "{table.name}" does not exist',
            sqlstate=sqlstates.UNDEFINED_OBJECT,
        )
    if found.kind not in ("c", "f"):
        raise not_supported("dropping a PRIMARY KEY or UNIQUE constraint is not supported")
    table.constraints = [c for c in table.constraints if c is not found]


AlterCommand = Callable[[AlterTable, Any], Awaitable[StatementResult | None]]

#: ALTER TABLE subcommand → handler. A subcommand missing here is refused with DSQL's
#: "unsupported ALTER TABLE <form> statement" (dsql.ALTER_TABLE_FORMS) in both modes.
_ALTER_TABLE_COMMANDS: dict[int, AlterCommand] = {
    pb.AT_AddColumn: _add_column_command,
    pb.AT_DropColumn: _drop_column_command,
    pb.AT_ColumnDefault: _column_default_command,
    pb.AT_DropNotNull: _drop_not_null_command,
    pb.AT_SetNotNull: _set_not_null_command,
    pb.AT_AlterColumnType: _alter_column_type_command,
    pb.AT_SetStorage: _set_storage_command,
    pb.AT_ChangeOwner: _change_owner_command,
    pb.AT_AddConstraint: _add_constraint_command,
    pb.AT_ValidateConstraint: _validate_constraint_command,
    pb.AT_DropConstraint: _drop_constraint_command,
}

#: The pass (PostgreSQL's AT_PASS_*, tablecmds.c) in which each subcommand runs, so
#: that ``ADD CONSTRAINT c CHECK (w > 0), ADD COLUMN w int`` finds its column.
_PASS_DROP, _PASS_ALTER_TYPE, _PASS_ADD_COL, _PASS_COL_ATTRS = 0, 1, 2, 3
_PASS_ADD_CONSTR, _PASS_ADD_OTHERCONSTR, _PASS_MISC = 4, 5, 6
_ALTER_PASSES: dict[int, int] = {
    pb.AT_DropColumn: _PASS_DROP,
    pb.AT_DropNotNull: _PASS_DROP,
    pb.AT_DropConstraint: _PASS_DROP,
    pb.AT_AlterColumnType: _PASS_ALTER_TYPE,
    pb.AT_AddColumn: _PASS_ADD_COL,
    pb.AT_SetNotNull: _PASS_COL_ATTRS,
    pb.AT_AddConstraint: _PASS_ADD_CONSTR,
}


def _alter_pass(command: Any) -> int:
    if command.subtype == pb.AT_ColumnDefault:
        # SET DEFAULT among the late constraints; DROP DEFAULT with the drops.
        return _PASS_ADD_OTHERCONSTR if command.HasField("def") else _PASS_DROP
    return _ALTER_PASSES.get(command.subtype, _PASS_MISC)


#: Subcommands tidesql runs in extended mode (as PostgreSQL does) but DSQL refuses.
_REFUSED_IN_DSQL = frozenset({pb.AT_SetNotNull})


async def _add_constraint(
    session: Any, writer: CatalogWriter, table: C.TableDef, node: Any
) -> None:
    """ADD CONSTRAINT: CHECK or FOREIGN KEY. DSQL takes them only NOT VALID (validated
    later by ALTER TABLE ASYNC … VALIDATE CONSTRAINT); extended mode also validates the
    existing rows at once, as PostgreSQL does."""
    from tidesql.sql.jobs import check_existing_rows

    dsql_mode = session.engine.mode == "dsql"
    if node.contype not in (pb.CONSTR_CHECK, pb.CONSTR_FOREIGN):
        raise dsql.alter_table_refusal(pb.AT_AddConstraint)
    kind = "CHECK" if node.contype == pb.CONSTR_CHECK else "FOREIGN KEY"
    if dsql_mode and not node.skip_validation:
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
    if node.rename_type not in (
        pb.OBJECT_TABLE,
        pb.OBJECT_COLUMN,
        pb.OBJECT_VIEW,
        pb.OBJECT_INDEX,
        pb.OBJECT_TABCONSTRAINT,
    ):
        raise not_supported("unsupported object in RENAME statement")
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
    if node.rename_type == pb.OBJECT_TABCONSTRAINT:
        _rename_constraint(writer, table, node.subname, node.newname)
    elif node.rename_type in (pb.OBJECT_TABLE, pb.OBJECT_VIEW):
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


def _rename_constraint(writer: CatalogWriter, table: C.TableDef, old: str, new: str) -> None:
    """RENAME CONSTRAINT; a primary key's or unique constraint's index is renamed with it,
    as in PostgreSQL."""
    constraint = next((c for c in table.constraints if c.name == old), None)
    if constraint is None:
        raise TideError(
            f'constraint "{old}" for table "{table.name}" does not exist',
            sqlstate=sqlstates.UNDEFINED_OBJECT,
        )
    if any(c.name == new for c in table.constraints):
        raise TideError(
            f'constraint "{new}" for relation "{table.name}" already exists',
            sqlstate=sqlstates.DUPLICATE_OBJECT,
        )
    if constraint.index_oid:
        if writer.catalog.relation_name_taken(table.schema_oid, new):
            raise TideError(f'relation "{new}" already exists', sqlstate=sqlstates.DUPLICATE_TABLE)
        for index in table.indexes:
            if index.oid == constraint.index_oid:
                index.name = new
    constraint.name = new


async def _set_schema(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    """ALTER TABLE / ALTER VIEW … SET SCHEMA: the relation and its indexes move."""
    node = statement.node
    tags = {pb.OBJECT_TABLE: "ALTER TABLE", pb.OBJECT_VIEW: "ALTER VIEW"}
    tag = tags.get(node.object_type)
    if tag is None:
        raise dsql.unsupported_statement(node)
    relation = node.relation
    table = writer.find_table(relation.relname, relation.schemaname or None, session.search_path())
    if table is None:
        if node.missing_ok:
            return StatementResult(
                tag,
                notices=[
                    Notice(
                        "NOTICE", "00000", f'relation "{relation.relname}" does not exist, skipping'
                    )
                ],
            )
        raise TideError(
            f'relation "{relation.relname}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
        )
    schema_oid = writer.schema_for(node.newschema)
    if schema_oid == table.schema_oid:
        return StatementResult(tag)
    for name in [table.name, *(i.name for i in table.indexes)]:
        if writer.catalog.relation_name_taken(schema_oid, name):
            raise TideError(
                f'relation "{name}" already exists in schema "{node.newschema}"',
                sqlstate=sqlstates.DUPLICATE_TABLE,
            )
    table.schema_oid = schema_oid
    writer.write_table(table)
    return StatementResult(tag)


# ---------------------------------------------------------------- indexes
async def _create_index(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.jobs import start_index_job

    node = statement.node
    dsql_mode = session.engine.mode == "dsql"
    if dsql_mode and not statement.is_async:
        raise not_supported(
            "unsupported mode. please use CREATE INDEX ASYNC.",  # DSQL's own words
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
    info = C.TableInfo(table, writer.catalog.schemas.get(table.schema_oid, "?"), writer.catalog)
    attnums: list[int] = []
    descending = []
    expressions: list[str] = []
    expression_types: list[int] = []
    name_parts: list[str] = []
    for element in node.index_params:
        index_elem = element.index_elem
        if index_elem.HasField("expr"):
            from tidesql.sql.indexkeys import bind_index_expression

            text = deparse_expression(index_elem.expr)
            bound = bind_index_expression(info, text, "index expression")
            check_key_type(bound.type, "an index key")
            attnums.append(0)
            expressions.append(text)
            expression_types.append(bound.type.oid)
            name_parts.append(_expression_column_name(index_elem.expr))
        else:
            column = table.column(index_elem.name)
            if column is None:
                raise TideError(
                    f'column "{index_elem.name}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_COLUMN,
                )
            check_key_type(column.sql_type, "an index key")
            attnums.append(column.attnum)
            name_parts.append(column.name)
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
        name_parts.append(column.name)
    name = node.idxname or _unique_name(writer, table.schema_oid, table.name, name_parts, "idx")
    if writer.catalog.relation_name_taken(table.schema_oid, name):
        if node.if_not_exists:
            return StatementResult(
                "CREATE INDEX",
                notices=[Notice("NOTICE", "42P07", f'relation "{name}" already exists, skipping')],
            )
        raise TideError(f'relation "{name}" already exists', sqlstate=sqlstates.DUPLICATE_TABLE)
    predicate = None
    if node.HasField("where_clause"):
        from tidesql.sql.indexkeys import bind_index_expression

        predicate = deparse_expression(node.where_clause)
        bound = bind_index_expression(info, predicate, "index predicate")
        if bound.type.oid != T.BOOL.oid:
            raise TideError(
                f"argument of WHERE must be type boolean, not type {bound.type.name}",
                sqlstate=sqlstates.DATATYPE_MISMATCH,
            )
    index = C.IndexDef(
        await writer.new_oid(),
        name,
        attnums,
        unique=node.unique,
        include=include,
        valid=False,
        descending=descending,
        nulls_not_distinct=node.nulls_not_distinct,
        predicate=predicate,
        expressions=expressions,
        expression_type_oids=expression_types,
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


async def _create_sequence(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.sequences import create_sequence

    return await create_sequence(session, writer, statement)


async def _alter_sequence(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.sequences import alter_sequence

    return await alter_sequence(session, writer, statement)


async def _truncate(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    raise not_supported("unsupported statement: Truncate")


async def _create_domain(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.domains import create_domain

    return await create_domain(session, writer, statement)


async def _create_function(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.sqlfunctions import create_function

    return await create_function(session, writer, statement)


async def _grant(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    await privileges.execute_grant(session, writer, statement.node)
    return StatementResult("GRANT" if statement.node.is_grant else "REVOKE")


async def _comment(
    session: Any, writer: CatalogWriter, statement: ParsedStatement
) -> StatementResult:
    from tidesql.sql.comments import comment

    return await comment(session, writer, statement)


_HANDLERS = {
    "comment_stmt": _comment,
    "create_domain_stmt": _create_domain,
    "create_function_stmt": _create_function,
    "create_stmt": _create_table,
    "drop_stmt": _drop,
    "create_schema_stmt": _create_schema,
    "view_stmt": _create_view,
    "alter_table_stmt": _alter_table,
    "rename_stmt": _rename,
    "index_stmt": _create_index,
    "truncate_stmt": _truncate,
    "create_seq_stmt": _create_sequence,
    "alter_seq_stmt": _alter_sequence,
    "alter_object_schema_stmt": _set_schema,
    "grant_stmt": _grant,
}
