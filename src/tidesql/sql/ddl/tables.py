"""CREATE TABLE: columns, defaults, identity and serial sequences, table constraints
and foreign keys."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import dsql
from tidesql.sql import foreign_keys as FK
from tidesql.sql import types as T
from tidesql.sql.ddl.writer import CatalogWriter, deparse_expression, name_taken
from tidesql.sql.dsql import not_supported
from tidesql.sql.indexkeys import check_key_type
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind, string_values
from tidesql.sql.result import StatementResult


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
    skipped = name_taken(writer, schema_oid, name, node.if_not_exists, "CREATE TABLE")
    if skipped is not None:
        return skipped
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
