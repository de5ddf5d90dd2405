"""COMMENT ON … IS 'text' | NULL: descriptions of catalog objects.

A description is a field of the object's own stored definition (``TableDef``,
``ColumnDef``, ``IndexDef``, ``ConstraintDef``, ``DomainDef``, ``FunctionDef``, a
schema's entry), so it is versioned with the schema, seen by a transaction at its
snapshot, and dropped with its object — as PostgreSQL drops an object's
pg_description rows. ``IS NULL`` and ``IS ''`` remove it. COMMENT is DDL: in DSQL mode
it must be alone in its transaction.

pg_description is built from these fields (``CatalogView.descriptions``);
pg_shdescription stays empty (tidesql has no shared objects that take comments).
"""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind, string_values
from tidesql.sql.result import StatementResult

_RELATION_KINDS = {
    pb.OBJECT_TABLE: ("r", "a table"),
    pb.OBJECT_VIEW: ("v", "a view"),
    pb.OBJECT_SEQUENCE: ("S", "a sequence"),
}


def _split(names: list[str]) -> tuple[str | None, str]:
    if len(names) > 2:  # database.schema.name: the database is the one there is
        names = names[-2:]
    return (names[0], names[1]) if len(names) == 2 else (None, names[0])


async def comment(session: Any, writer: Any, statement: ParsedStatement) -> StatementResult:
    node = statement.node
    text: str | None = node.comment or None
    objtype = node.objtype
    path = session.search_path()
    catalog: C.Catalog = writer.catalog
    if objtype in _RELATION_KINDS:
        schema, name = _split(string_values(node.object.list.items))
        table = writer.get_table(name, schema, path)
        kind, article = _RELATION_KINDS[objtype]
        if table.kind != kind:
            raise TideError(f'"{name}" is not {article}', sqlstate=sqlstates.WRONG_OBJECT_TYPE)
        table.description = text
        writer.write_table(table)
    elif objtype == pb.OBJECT_INDEX:
        schema, name = _split(string_values(node.object.list.items))
        found = writer.find_index(name, schema, path)
        if found is None:
            if writer.find_table(name, schema, path) is not None:
                raise TideError(f'"{name}" is not an index', sqlstate=sqlstates.WRONG_OBJECT_TYPE)
            raise TideError(f'relation "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
        table, index = found
        index.description = text
        writer.write_table(table)
    elif objtype == pb.OBJECT_COLUMN:
        names = string_values(node.object.list.items)
        if len(names) < 2:
            raise TideError("column name must be qualified", sqlstate=sqlstates.SYNTAX_ERROR)
        schema, name = _split(names[:-1])
        table = writer.get_table(name, schema, path)
        column = table.column(names[-1])
        if column is None:
            raise TideError(
                f'column "{names[-1]}" of relation "{name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_COLUMN,
            )
        column.description = text
        writer.write_table(table)
    elif objtype == pb.OBJECT_TABCONSTRAINT:
        names = string_values(node.object.list.items)
        schema, name = _split(names[:-1])
        table = writer.get_table(name, schema, path)
        constraint = next((c for c in table.constraints if c.name == names[-1]), None)
        if constraint is None:
            raise TideError(
                f'constraint "{names[-1]}" for table "{name}" does not exist',
                sqlstate=sqlstates.UNDEFINED_OBJECT,
            )
        constraint.description = text
        writer.write_table(table)
    elif objtype == pb.OBJECT_SCHEMA:
        name = node.object.string.sval
        oid = catalog.schema_oid(name)
        if oid is None:
            raise TideError(
                f'schema "{name}" does not exist', sqlstate=sqlstates.INVALID_SCHEMA_NAME
            )
        if oid not in catalog.schema_entries:  # pg_catalog, information_schema
            raise TideError(
                f"must be owner of schema {name}", sqlstate=sqlstates.INSUFFICIENT_PRIVILEGE
            )
        entry = dict(catalog.schema_entries[oid])
        if text is None:
            entry.pop("description", None)
        else:
            entry["description"] = text
        writer.write_schema(oid, entry)
    elif objtype in (pb.OBJECT_DOMAIN, pb.OBJECT_TYPE):
        _comment_domain(session, writer, node.object.type_name, text)
    elif objtype == pb.OBJECT_FUNCTION:
        _comment_function(session, writer, node.object.object_with_args, text)
    else:
        word = pb.ObjectType.Name(objtype).removeprefix("OBJECT_").replace("_", " ")
        raise TideError(
            f"COMMENT ON {word} is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    return StatementResult("COMMENT")


def _comment_domain(session: Any, writer: Any, type_name: Any, text: str | None) -> None:
    catalog: C.Catalog = writer.catalog
    schema, name = _split(string_values(type_name.names))
    domain = catalog.find_domain(name, schema, session.search_path())
    if domain is None:
        from tidesql.sql.domains import resolve_type_name

        resolve_type_name(catalog, type_name, session.search_path())  # 42704 if unknown
        raise TideError(
            f"COMMENT ON TYPE {name} is not supported: only domains take comments",
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
    copy = C.object_from_json(C.object_to_json(domain))
    copy.description = text
    _write_object(writer, copy)


def _comment_function(session: Any, writer: Any, owa: Any, text: str | None) -> None:
    from tidesql.sql.domains import resolve_type_name
    from tidesql.sql.sqlfunctions import _type_text

    catalog: C.Catalog = writer.catalog
    schema, name = _split(string_values(owa.objname))
    if schema is not None:
        schema_oid = catalog.schema_oid(schema)
        candidates = [f for f in catalog.functions_named(name) if f.schema_oid == schema_oid]
    else:
        visible = {catalog.schema_oid(s) for s in session.search_path()}
        candidates = [f for f in catalog.functions_named(name) if f.schema_oid in visible]
    if owa.args_unspecified:
        if not candidates:
            raise TideError(
                f'could not find a function named "{name}"',
                sqlstate=sqlstates.UNDEFINED_FUNCTION,
            )
        if len(candidates) > 1:
            raise TideError(
                f'function name "{name}" is not unique',
                sqlstate=sqlstates.AMBIGUOUS_FUNCTION,
                hint="Specify the argument list to select the function unambiguously.",
            )
    else:
        wanted = [
            resolve_type_name(catalog, node_kind(a)[1], session.search_path())[0].oid
            for a in owa.objargs
        ]
        candidates = [f for f in candidates if f.arg_type_oids == wanted]
        if not candidates:
            signature = f"{name}({', '.join(_type_text(t) for t in wanted)})"
            raise TideError(
                f"function {signature} does not exist", sqlstate=sqlstates.UNDEFINED_FUNCTION
            )
    copy = C.object_from_json(C.object_to_json(candidates[0]))
    copy.description = text
    _write_object(writer, copy)


def _write_object(writer: Any, definition: C.DomainDef | C.FunctionDef) -> None:
    writer.txn.put(C.object_key(definition.oid), C.object_to_json(definition), is_row=False)
    writer.bump()
