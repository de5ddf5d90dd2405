"""DROP of tables, views, sequences, indexes and schemas: owned sequences and referencing
foreign keys go with a table, and DROP SCHEMA … CASCADE takes what depends on its objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql.ddl.tables import _column_references
from tidesql.sql.ddl.writer import RELATION_KINDS, CatalogWriter, cannot_drop
from tidesql.sql.dsql import not_supported
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind, string_values
from tidesql.sql.result import Notice, StatementResult


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
        raise cannot_drop(
            f"table {table.name}",
            (
                f"constraint {c.name} on table {child.name} depends on table {table.name}"
                for child, c in dependents
            ),
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
                            _column_dropper(writer, column.attnum),
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
        raise cannot_drop(f"schema {name}", lines)
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


def remove_column(writer: CatalogWriter, table: C.TableDef, attnum: int) -> None:
    """Drop a column from a table's copy (ALTER TABLE DROP COLUMN, and the CASCADE of a
    dropped domain or schema), with what depends on it inside the table, as PostgreSQL
    does: the sequences it owns, indexes keyed on or including it, expression and partial
    indexes and CHECKs that name it, self-referencing foreign keys to it. A primary-key
    column cannot go (2BP01): rows are keyed by it."""
    column = table.columns[attnum - 1]
    name = column.name
    if attnum in table.primary_key:
        raise TideError(
            f"cannot drop column {name} of table {table.name} because other objects depend on it",
            sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
        )
    column.dropped = True
    column.name = f"........pg.dropped.{attnum}........"
    column.identity = ""
    _drop_owned_sequences(writer, table.oid, attnum)
    table.indexes = [
        i
        for i in table.indexes
        if attnum not in i.columns
        and attnum not in i.include
        and not any(_mentions_column(e, name) for e in i.expressions)
        and not (i.predicate is not None and _mentions_column(i.predicate, name))
    ]
    table.constraints = [
        c
        for c in table.constraints
        if attnum not in c.columns
        and not (c.kind == "f" and c.ref_table == table.oid and attnum in c.ref_columns)
        and not (c.kind == "c" and c.expression and _mentions_column(c.expression, name))
    ]


def _mentions_column(expression: str, column: str) -> bool:
    """Whether an index or CHECK expression (stored as text) refers to ``column``."""
    return column in _column_references(expression)


def _column_dropper(writer: CatalogWriter, attnum: int) -> Callable[[C.TableDef], None]:
    """Drops a column (whose type is going) from a table's copy."""

    def drop(table: C.TableDef) -> None:
        remove_column(writer, table, attnum)

    return drop


def _default_dropper(attnum: int) -> Callable[[C.TableDef], None]:
    def drop(table: C.TableDef) -> None:
        table.columns[attnum - 1].default = None

    return drop


def _constraint_dropper(oid: int) -> Callable[[C.TableDef], None]:
    def drop(table: C.TableDef) -> None:
        table.constraints = [c for c in table.constraints if c.oid != oid]

    return drop
