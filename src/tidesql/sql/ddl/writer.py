"""Catalog writes shared by every DDL handler: :class:`CatalogWriter`, refusals,
and deparsing of expressions and queries back to SQL text."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pg_query
import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import dsql, privileges
from tidesql.sql.parser import ParsedStatement
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


def name_taken(
    writer: CatalogWriter, schema_oid: int, name: str, if_not_exists: bool, tag: str
) -> StatementResult | None:
    """A new relation's name against the schema's tables, views, sequences and indexes:
    None when it is free; ``tag`` with PostgreSQL's skipping notice under IF NOT EXISTS;
    otherwise 42P07."""
    if not writer.catalog.relation_name_taken(schema_oid, name):
        return None
    if if_not_exists:
        return StatementResult(
            tag, notices=[Notice("NOTICE", "42P07", f'relation "{name}" already exists, skipping')]
        )
    raise TideError(f'relation "{name}" already exists', sqlstate=sqlstates.DUPLICATE_TABLE)


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


def cannot_drop(what: str, dependents: Iterable[str]) -> TideError:
    """PostgreSQL's 2BP01 for a DROP that other objects depend on; ``dependents`` are
    the DETAIL lines ("constraint c on table t depends on table p")."""
    return TideError(
        f"cannot drop {what} because other objects depend on it",
        sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
        detail="\n".join(dependents),
        hint="Use DROP ... CASCADE to drop the dependent objects too.",
    )
