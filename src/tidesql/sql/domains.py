"""Domains: ``CREATE DOMAIN name AS base [DEFAULT …] [NOT NULL] [CHECK (VALUE …)]``.

What is a domain to the executor?
    Its base type plus a check. A column of a domain stores, computes and sends its
    base type (PostgreSQL also sends the base type's OID in RowDescription); the catalog
    remembers the domain on the column (``ColumnDef.domain_oid``) so that pg_attribute,
    pg_type (typtype 'd', typbasetype) and information_schema.columns report it.

When is the check run?
    Where PostgreSQL coerces a value to the domain: writing a domain column (INSERT,
    UPDATE, COPY through the same writer) and an explicit cast ``'x'::mydomain``. A
    failed CHECK is 23514 ``value for domain d violates check constraint "d_check"``; a
    NULL in a NOT NULL domain is 23502 ``domain d does not allow null values``. A CHECK
    that yields NULL passes, as in PostgreSQL.

Checks are compiled once per catalog version (``Catalog.compiled``) with ``VALUE`` bound
to the value being checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.expr import Compiled, Expr
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.result import Notice, StatementResult

Checker = Callable[[Any, Any], None]  # (value, env) → None or raise


def find_domain_by_names(
    catalog: C.Catalog, names: list[str], search_path: list[str]
) -> C.DomainDef | None:
    if not names or len(names) > 2:
        return None
    schema = names[0] if len(names) == 2 else None
    return catalog.find_domain(names[-1], schema, search_path)


def checker_for(catalog: C.Catalog, domain: C.DomainDef) -> Checker:
    key = ("domain", domain.oid)
    checker: Checker | None = catalog.compiled.get(key)
    if checker is None:
        checker = _build_checker(catalog, domain)
        catalog.compiled[key] = checker
    return checker


def _build_checker(catalog: C.Catalog, domain: C.DomainDef) -> Checker:
    from tidesql.sql.planner import Planner, Scope, ScopeItem
    from tidesql.sql.statements import _parse_expression

    scope = Scope([ScopeItem("", "value", domain.sql_type, 0)])
    planner = Planner(catalog, ["pg_catalog", "public"])
    checks: list[tuple[str, Compiled]] = []
    for name, text in domain.checks:
        expr = planner.bind_standalone(_parse_expression(text), scope, "check constraint")
        checks.append((name, expr.compile()))
    label, not_null = domain.name, domain.not_null

    def check(value: Any, env: Any) -> None:
        if value is None:
            if not_null:
                raise TideError(
                    f"domain {label} does not allow null values",
                    sqlstate=sqlstates.NOT_NULL_VIOLATION,
                )
            return
        row = (value,)
        for name, predicate in checks:
            if predicate(row, env) is False:
                raise TideError(
                    f'value for domain {label} violates check constraint "{name}"',
                    sqlstate=sqlstates.CHECK_VIOLATION,
                )

    return check


def column_checkers(info: C.TableInfo) -> list[tuple[int, Checker]]:
    """(attnum − 1, checker) for each live domain column of the table."""
    catalog = info.catalog
    key = ("domain columns", info.oid)
    found: list[tuple[int, Checker]] | None = catalog.compiled.get(key) if catalog else None
    if found is not None:
        return found
    found = []
    for column in info.live_columns:
        domain = catalog.domains.get(column.domain_oid) if column.domain_oid and catalog else None
        if domain is not None:
            found.append((column.attnum - 1, checker_for(catalog, domain)))
    if catalog is not None:
        catalog.compiled[key] = found
    return found


@dataclass(eq=False)
class DomainCoerce(Expr):
    """``arg::domain``: the value, after the domain's constraints accepted it."""

    arg: Expr
    type: T.SqlType
    domain_oid: int
    checker: Checker

    def children(self) -> list[Expr]:
        return [self.arg]

    def compile(self) -> Compiled:
        inner, check = self.arg.compile(), self.checker

        def run(row: Any, env: Any) -> Any:
            value = inner(row, env)
            check(value, env)
            return value

        return run

    def key(self) -> str:
        return f"Domain({self.domain_oid},{self.arg.key()})"


def uses_of(catalog: C.Catalog, domain: C.DomainDef) -> Iterator[tuple[C.TableDef, C.ColumnDef]]:
    for table in catalog.tables.values():
        for column in table.live_columns:
            if column.domain_oid == domain.oid:
                yield table, column


# ---------------------------------------------------------------- DDL
async def create_domain(session: Any, writer: Any, statement: ParsedStatement) -> StatementResult:
    from tidesql.sql.ddl import deparse_expression
    from tidesql.sql.dsql import not_supported
    from tidesql.sql.planner import string_values

    node = statement.node
    names = string_values(node.domainname)
    name = names[-1]
    schema_oid = writer.schema_for(names[0] if len(names) > 1 else None)
    catalog: C.Catalog = writer.catalog
    if (schema_oid, name) in catalog._domains_by_name or _builtin_type(name):
        raise TideError(f'type "{name}" already exists', sqlstate=sqlstates.DUPLICATE_OBJECT)
    base, base_domain = resolve_type_name(catalog, node.type_name, session.search_path())
    if base_domain is not None:
        raise not_supported("domains over domains are not supported")
    from tidesql.sql.dsql import check_column_type

    check_column_type(base, session.engine.mode == "dsql")
    domain = C.DomainDef(
        await writer.new_oid(), schema_oid, name, base.oid, base.modifier, owner=session.user
    )
    if len(node.coll_clause.collname):
        raise not_supported("COLLATE on a domain is not supported")
    for constraint_node in node.constraints:
        constraint = constraint_node.constraint
        if constraint.contype == pb.CONSTR_NOTNULL:
            domain.not_null = True
        elif constraint.contype == pb.CONSTR_NULL:
            domain.not_null = False
        elif constraint.contype == pb.CONSTR_DEFAULT:
            domain.default = deparse_expression(constraint.raw_expr)
        elif constraint.contype == pb.CONSTR_CHECK:
            text = deparse_expression(constraint.raw_expr)
            constraint_name = constraint.conname or _check_name(domain)
            domain.checks.append([constraint_name, text])
        else:
            raise TideError(
                "only NOT NULL, NULL, DEFAULT and CHECK constraints are allowed on a domain",
                sqlstate=sqlstates.SYNTAX_ERROR,
            )
    # Bind every check now, so that a bad one fails CREATE DOMAIN, not the first INSERT.
    probe = C.Catalog(catalog.version, catalog.schemas, catalog.tables, {domain.oid: domain})
    _build_checker(probe, domain)
    writer.txn.put(C.object_key(domain.oid), C.object_to_json(domain), is_row=False)
    writer.bump()
    return StatementResult("CREATE DOMAIN")


def _check_name(domain: C.DomainDef) -> str:
    base = f"{domain.name}_check"
    taken = {name for name, _ in domain.checks}
    name, counter = base, 1
    while name in taken:
        name = f"{base}{counter}"
        counter += 1
    return name


def _builtin_type(name: str) -> bool:
    try:
        T.type_from_name([name], [], 0)
    except TideError:
        return False
    return True


async def drop_domains(session: Any, writer: Any, node: Any) -> StatementResult:
    from tidesql.sql.planner import node_kind, string_values

    catalog: C.Catalog = writer.catalog
    notices = []
    for item in node.objects:
        kind, value = node_kind(item)
        names = string_values(value.names) if kind == "type_name" else string_values(value.items)
        domain = find_domain_by_names(catalog, names, session.search_path())
        if domain is None:
            if node.missing_ok:
                notices.append(
                    Notice("NOTICE", "00000", f'type "{names[-1]}" does not exist, skipping')
                )
                continue
            raise TideError(
                f'type "{".".join(names)}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT
            )
        uses = list(uses_of(catalog, domain))
        if uses and node.behavior != pb.DROP_CASCADE:
            from tidesql.sql.ddl.writer import cannot_drop

            raise cannot_drop(
                f"type {domain.name}",
                (
                    f"column {column.name} of table {table.name} depends on type {domain.name}"
                    for table, column in uses
                ),
            )
        for table, column in uses:
            changed = writer.get_table(table.name, catalog.schemas[table.schema_oid], [])
            notices.append(
                Notice(
                    "NOTICE",
                    "00000",
                    f"drop cascades to column {column.name} of table {changed.name}",
                )
            )
            from tidesql.sql.ddl.drop import remove_column

            remove_column(writer, changed, column.attnum)
            writer.write_table(changed)
        writer.txn.delete(C.object_key(domain.oid), is_row=False)
        writer.bump()
    return StatementResult("DROP DOMAIN", notices=notices)


# ---------------------------------------------------------------- type names
def resolve_type_name(
    catalog: C.Catalog, type_name: Any, search_path: list[str]
) -> tuple[T.SqlType, C.DomainDef | None]:
    """A TypeName node → (the type values have, the domain or None)."""
    from tidesql.sql.planner import node_kind, string_values

    names = string_values(type_name.names)
    typmods = []
    for mod in type_name.typmods:
        kind, const = node_kind(mod)
        if kind == "a_const" and const.WhichOneof("val") == "ival":
            typmods.append(const.ival.ival)
        else:
            raise TideError(
                "type modifiers must be simple constants", sqlstate=sqlstates.SYNTAX_ERROR
            )
    try:
        return T.type_from_name(names, typmods, len(type_name.array_bounds)), None
    except TideError as error:
        if error.sqlstate != sqlstates.UNDEFINED_OBJECT:
            raise
        domain = find_domain_by_names(catalog, names, search_path)
        if domain is None or len(type_name.array_bounds):
            raise
        return domain.sql_type, domain
