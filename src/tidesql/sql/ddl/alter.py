"""ALTER TABLE through its subcommand table and PostgreSQL's passes, ADD/VALIDATE
CONSTRAINT, RENAME and SET SCHEMA."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import dsql
from tidesql.sql import types as T
from tidesql.sql.ddl.drop import remove_column
from tidesql.sql.ddl.tables import (
    _add_column,
    _check_defaults,
    _check_name,
    _define_foreign_key,
    _PendingForeignKey,
)
from tidesql.sql.ddl.writer import CatalogWriter, cannot_drop, deparse_expression
from tidesql.sql.dsql import not_supported
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import string_values
from tidesql.sql.result import Notice, StatementResult


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
        raise cannot_drop(
            f"column {dropping.name} of table {table.name}",
            [
                f"constraint {c.name} on table {child.name} depends on column "
                f"{dropping.name} of table {table.name}"
            ],
        )
    if dropping.attnum in table.primary_key and alter.dsql:
        # DSQL refuses with this message; extended mode's refusal is remove_column's.
        raise not_supported(f"cannot drop primary key column {dropping.name}")
    remove_column(alter.writer, table, dropping.attnum)


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
