"""The view of one catalog: :class:`CatalogView`, made once per statement over the
catalog of its transaction, from which every table's producer derives its rows; and
:class:`SessionNames`, by which a session prints regclass values.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.keys import encode_key, prefix_end
from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.functions import quote_ident
from tidesql.sql.pg_catalog.registry import (
    _ATTRDEF_OID_BASE,
    _CHECK_OID_BASE,
    _POSITION_BITS,
    PG_CLASS_OID,
    PG_CONSTRAINT_OID,
    PG_NAMESPACE_OID,
    PG_PROC_OID,
    PG_TYPE_OID,
    REGISTRY,
    SUPERUSER_NAME,
    SUPERUSER_OID,
    SYSTEM_SCHEMAS,
    Row,
    VirtualTable,
)
from tidesql.sql.pg_catalog.typeinfo import PROC_NAMES, PROCS, type_by_oid
from tidesql.sql.ruleutils import expression_text, index_key_text


def split_qualified(text: str) -> tuple[str | None, str]:
    """``'public."My Table"'`` → ``('public', 'My Table')``; unquoted parts fold to
    lower case as identifiers do."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"' and text[i + 1 : i + 2] == '"':
                current.append('"')
                i += 1
            elif char == '"':
                quoted = False
            else:
                current.append(char)
        elif char == '"':
            quoted = True
        elif char == ".":
            parts.append("".join(current))
            current = []
        elif not char.isspace():
            current.append(char.lower())
        i += 1
    parts.append("".join(current))
    if len(parts) == 1:
        return None, parts[0]
    return parts[-2], parts[-1]


@dataclass(frozen=True, slots=True)
class Relation:
    """One pg_class row: a table, a view, an index or a virtual table."""

    oid: int
    name: str
    namespace: int
    kind: str  # 'r' table, 'v' view, 'i' index
    owner: str
    table: C.TableDef | None = None
    index: C.IndexDef | None = None
    virtual: VirtualTable | None = None


def _simple_call(text: str) -> bool:
    """Whether an index expression prints bare in pg_get_indexdef: ``lower(a)``, not
    ``(a + 1)``."""
    head, _, rest = text.partition("(")
    if not rest or not head.replace("_", "").replace(".", "").isalnum():
        return False
    depth = 0
    for position, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and char == ")":
            return position == len(text) - 1
    return False


def relation_width(relation: Relation) -> int:
    """pg_class.relnatts: the number of columns, dropped ones included."""
    if relation.virtual is not None:
        return len(relation.virtual.columns)
    if relation.index is not None:
        return len(relation.index.columns) + len(relation.index.include)
    return len(relation.table.columns) if relation.table is not None else 0


@dataclass(frozen=True, slots=True)
class Attribute:
    """One pg_attribute row."""

    relation: int
    name: str
    sql_type: T.SqlType | None  # None for a dropped column
    number: int
    not_null: bool = False
    has_default: bool = False
    identity: str = ""
    domain_oid: int = 0  # the column's domain: pg_attribute.atttypid names it


@dataclass(frozen=True, slots=True)
class Constraint:
    oid: int
    table: C.TableDef
    definition: C.ConstraintDef


@dataclass(frozen=True, slots=True)
class Default:
    oid: int
    table: C.TableDef
    column: C.ColumnDef


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    oid: int
    superuser: bool = False
    login: bool = True


#: Roles other than the superuser have no OID in tidesql; theirs is derived from the
#: name, so that it is the same in every statement: base + CRC-32 of the name (28 bits).
_ROLE_OID_BASE = 0x50000000


def role_oid(name: str) -> int:
    if name == SUPERUSER_NAME:
        return SUPERUSER_OID
    return _ROLE_OID_BASE + (zlib.crc32(name.encode()) & 0x0FFFFFFF)


def session_catalog(session: Any) -> C.Catalog | None:
    """The catalog a session sees now: its transaction's, or between transactions (while
    a result is being sent) the newest one loaded."""
    transaction = session.transaction
    if transaction is not None:
        catalog: C.Catalog = transaction.catalog
        return catalog
    latest: C.Catalog | None = session.engine.latest_catalog
    return latest


#: pg_get_function_arguments' words for parameter modes other than IN.
_MODE_WORDS = {"o": "OUT", "b": "INOUT", "v": "VARIADIC", "t": "TABLE"}


def _split_arguments(text: str) -> list[str]:
    """``integer, numeric(10,2)`` → the argument type names, split at top-level commas."""
    parts: list[str] = []
    depth, start = 0, 0
    for position, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(text[start:position].strip())
            start = position + 1
    last = text[start:].strip()
    return [*parts, last] if last or parts else []


class CatalogView:
    """A catalog as pg_catalog presents it: relations, attributes and constraints by OID,
    name resolution for regclass/regproc (it is a :class:`types.CatalogNames`), and
    rendering of index and constraint definitions.

    One is made per statement (it rides on the statement's ``Env``), so the derived maps
    are built at most once per statement, lazily, and only those a query needs.
    """

    def __init__(
        self, catalog: C.Catalog | None, search_path: list[str], session: Any = None
    ) -> None:
        self.catalog = catalog
        self.search_path = search_path
        self.session = session
        self.memo: dict[tuple[str, str], list[Row]] = {}
        self.stored_roles: list[dict[str, Any]] | None = None
        #: Sequence oid → (last_value, is_called), once loaded (pg_sequences).
        self.sequence_rows: dict[int, tuple[int, bool]] = {}

    @classmethod
    def for_session(cls, session: Any) -> CatalogView:
        """A view of what a session sees now (see :func:`session_catalog`)."""
        return cls(session_catalog(session), session.search_path(), session)

    @classmethod
    def of_env(cls, env: Any) -> CatalogView:
        """The view of one execution (``Env`` is made per statement), made on first use."""
        view = getattr(env, "catalog_view", None)
        if not isinstance(view, CatalogView):
            view = cls.for_session(env.session)
            env.catalog_view = view
        return view

    @classmethod
    def of_context(cls, ctx: Any) -> CatalogView:
        """The view a scan of one statement reads, over the statement's own catalog."""
        view = cls.of_env(ctx.env)
        if view.catalog is not ctx.sql_txn.catalog:
            view = cls(ctx.sql_txn.catalog, ctx.session.search_path(), ctx.session)
            ctx.env.catalog_view = view
        return view

    # ------------------------------------------------------------ schemas and roles
    @cached_property
    def schemas(self) -> dict[int, str]:
        known = dict(self.catalog.schemas) if self.catalog is not None else {}
        for name, oid in SYSTEM_SCHEMAS.items():
            known.setdefault(oid, name)
        return dict(sorted(known.items()))

    @cached_property
    def schema_oids(self) -> dict[str, int]:
        return {name: oid for oid, name in self.schemas.items()}

    def schema_name(self, oid: int) -> str:
        return self.schemas.get(oid, str(oid))

    @cached_property
    def path_schemas(self) -> list[int]:
        """OIDs of the existing schemas of the search path, in order."""
        return [self.schema_oids[n] for n in self.search_path if n in self.schema_oids]

    async def load_sequence_rows(self, txn: Any) -> None:
        """Read each sequence's row (last_value, is_called) at the statement's snapshot."""
        from tidesql.sql.sequences import read_sequence_row

        for table in self.catalog.tables.values() if self.catalog is not None else ():
            if table.sequence is not None and table.oid not in self.sequence_rows:
                row = await read_sequence_row(txn, table)
                if row is not None:
                    self.sequence_rows[table.oid] = row

    async def load_roles(self, txn: Any) -> None:
        """Read the stored roles (``CREATE ROLE``) through the statement's transaction."""
        if self.stored_roles is not None:
            return
        low = encode_key((C.SYS_ROLES,))
        self.stored_roles = [json.loads(value) for _, value in await txn.scan(low, prefix_end(low))]
        for derived in ("roles", "role_names"):
            self.__dict__.pop(derived, None)

    @cached_property
    def roles(self) -> dict[str, Role]:
        """Role name → role: the superuser, the stored roles (once loaded), connected
        users and object owners."""
        roles = {SUPERUSER_NAME: Role(SUPERUSER_NAME, SUPERUSER_OID, superuser=True)}
        for stored in self.stored_roles or ():
            name = stored["name"]
            roles[name] = Role(
                name, role_oid(name), bool(stored.get("superuser")), bool(stored.get("login"))
            )
        names = set()
        if self.session is not None:
            names.add(self.session.user)
            names.update(other.user for other in self.session.engine.sessions.values())
        if self.catalog is not None:
            names.update(t.owner for t in self.catalog.tables.values())
        for name in sorted(names - set(roles)):
            roles[name] = Role(name, role_oid(name))
        return roles

    @cached_property
    def role_names(self) -> dict[int, str]:
        return {role.oid: name for name, role in self.roles.items()}

    # ------------------------------------------------------------ relations
    @cached_property
    def relations(self) -> dict[int, Relation]:
        out: dict[int, Relation] = {}
        for virtual in REGISTRY.values():
            namespace = SYSTEM_SCHEMAS.get(virtual.schema, C.PG_CATALOG_OID)
            out[virtual.oid] = Relation(
                virtual.oid, virtual.name, namespace, virtual.kind, SUPERUSER_NAME, virtual=virtual
            )
        tables = self.catalog.tables.values() if self.catalog is not None else ()
        for table in tables:
            out[table.oid] = Relation(
                table.oid, table.name, table.schema_oid, table.kind, table.owner, table=table
            )
            for index in table.indexes:
                out[index.oid] = Relation(
                    index.oid,
                    index.name,
                    table.schema_oid,
                    "i",
                    table.owner,
                    table=table,
                    index=index,
                )
        return dict(sorted(out.items()))

    @cached_property
    def relations_by_name(self) -> dict[tuple[int, str], Relation]:
        return {(r.namespace, r.name): r for r in self.relations.values()}

    @cached_property
    def visible_relations(self) -> set[int]:
        """OIDs of the relations a bare name finds (PostgreSQL's RelationIsVisible)."""
        seen: set[str] = set()
        visible: set[int] = set()
        for namespace in self.path_schemas:
            for relation in self.relations.values():
                if relation.namespace == namespace and relation.name not in seen:
                    visible.add(relation.oid)
            seen.update(r.name for r in self.relations.values() if r.namespace == namespace)
        return visible

    def find_relation(self, text: str) -> Relation | None:
        schema, name = split_qualified(text)
        if schema is not None:
            namespace = self.schema_oids.get(schema)
            return None if namespace is None else self.relations_by_name.get((namespace, name))
        for namespace in self.path_schemas:
            found = self.relations_by_name.get((namespace, name))
            if found is not None:
                return found
        return None

    def relation_name(self, oid: int) -> str | None:
        """regclass output: the name, schema-qualified when the search path misses it."""
        relation = self.relations.get(oid)
        if relation is None:
            return None
        if oid in self.visible_relations:
            return quote_ident(relation.name)
        return f"{quote_ident(self.schema_name(relation.namespace))}.{quote_ident(relation.name)}"

    def attributes(self, relation: Relation) -> list[Attribute]:
        oid = relation.oid
        if relation.virtual is not None:
            return [
                Attribute(oid, c.name, c.type, n)
                for n, c in enumerate(relation.virtual.columns, start=1)
            ]
        table = relation.table
        assert table is not None
        if relation.index is not None:
            index = relation.index
            types = iter(index.expression_type_oids)
            attributes = []
            parts = [*index.key_parts(), *((a, None) for a in index.include)]
            for n, (a, text) in enumerate(parts, start=1):
                if text is None:
                    column = table.columns[a - 1]
                    attributes.append(Attribute(oid, column.name, column.sql_type, n))
                else:
                    name = text.split("(", 1)[0] if _simple_call(text) else "expr"
                    attributes.append(Attribute(oid, name, T.type_by_oid(next(types)), n))
            return attributes
        return [
            Attribute(oid, c.name, None, c.attnum)
            if c.dropped
            else Attribute(
                oid,
                c.name,
                c.sql_type,
                c.attnum,
                c.not_null,
                c.default is not None,
                c.identity,
                c.domain_oid,
            )
            for c in table.columns
        ]

    # ------------------------------------------------------------ constraints, defaults
    @cached_property
    def constraints(self) -> dict[int, Constraint]:
        out: dict[int, Constraint] = {}
        for table in self.catalog.tables.values() if self.catalog is not None else ():
            for position, definition in enumerate(table.constraints):
                oid = definition.oid or (_CHECK_OID_BASE + (table.oid << _POSITION_BITS) + position)
                out[oid] = Constraint(oid, table, definition)
        return dict(sorted(out.items()))

    @cached_property
    def descriptions(self) -> dict[tuple[int, int, int], str]:
        """pg_description: (objoid, classoid, objsubid) → the COMMENT ON text."""
        out: dict[tuple[int, int, int], str] = {}
        catalog = self.catalog
        if catalog is None:
            return out
        for table in catalog.tables.values():
            if table.description is not None:
                out[(table.oid, PG_CLASS_OID, 0)] = table.description
            for column in table.live_columns:
                if column.description is not None:
                    out[(table.oid, PG_CLASS_OID, column.attnum)] = column.description
            for index in table.indexes:
                if index.description is not None:
                    out[(index.oid, PG_CLASS_OID, 0)] = index.description
        for oid, constraint in self.constraints.items():
            if constraint.definition.description is not None:
                out[(oid, PG_CONSTRAINT_OID, 0)] = constraint.definition.description
        for oid, entry in catalog.schema_entries.items():
            if entry.get("description") is not None:
                out[(oid, PG_NAMESPACE_OID, 0)] = entry["description"]
        for domain in catalog.domains.values():
            if domain.description is not None:
                out[(domain.oid, PG_TYPE_OID, 0)] = domain.description
        for function in catalog.functions.values():
            if function.description is not None:
                out[(function.oid, PG_PROC_OID, 0)] = function.description
        return dict(sorted(out.items()))

    @cached_property
    def defaults(self) -> dict[int, Default]:
        out: dict[int, Default] = {}
        for table in self.catalog.tables.values() if self.catalog is not None else ():
            for column in table.live_columns:
                if column.default is not None:
                    oid = _ATTRDEF_OID_BASE + (table.oid << _POSITION_BITS) + column.attnum
                    out[oid] = Default(oid, table, column)
        return out

    def index_definition(self, oid: int, column: int = 0) -> str | None:
        """pg_get_indexdef: the CREATE INDEX statement, or the ``column``-th key."""
        relation = self.relations.get(oid)
        if relation is None or relation.index is None or relation.table is None:
            return None
        index, table = relation.index, relation.table
        keys = [*index.key_parts(), *((a, None) for a in index.include)]

        def label(attnum: int, text: str | None) -> str:
            if text is not None:
                return index_key_text(text)
            return quote_ident(table.columns[attnum - 1].name)

        if column > 0:
            if column > len(keys):
                return ""
            return label(*keys[column - 1])
        parts = []
        for position, (attnum, text) in enumerate(index.key_parts()):
            part = label(attnum, text)
            if position < len(index.descending) and index.descending[position]:
                part += " DESC"
            parts.append(part)
        text = (
            f"CREATE {'UNIQUE ' if index.unique else ''}INDEX {quote_ident(index.name)} ON "
            f"{quote_ident(self.schema_name(table.schema_oid))}.{quote_ident(table.name)} "
            f"USING btree ({', '.join(parts)})"
        )
        if index.include:
            names = ", ".join(quote_ident(table.columns[a - 1].name) for a in index.include)
            text += f" INCLUDE ({names})"
        if index.nulls_not_distinct:
            text += " NULLS NOT DISTINCT"
        if index.predicate:
            text += f" WHERE {expression_text(index.predicate)}"
        return text

    def constraint_definition(self, oid: int, pretty: bool = False) -> str | None:
        """pg_get_constraintdef: ``PRIMARY KEY (id)``, ``UNIQUE (a, b)``, ``CHECK (…)``."""
        found = self.constraints.get(oid)
        if found is None:
            return None
        table, definition = found.table, found.definition
        columns = ", ".join(quote_ident(table.columns[a - 1].name) for a in definition.columns)
        not_valid = "" if definition.validated else " NOT VALID"
        if definition.kind == "c":
            expression = expression_text(definition.expression or "true", pretty)
            return f"CHECK ({expression}){not_valid}"
        if definition.kind == "f":
            return self._foreign_key_definition(table, definition) + not_valid
        index = next((i for i in table.indexes if i.oid == definition.index_oid), None)
        include = ""
        if index is not None and index.include:
            names = ", ".join(quote_ident(table.columns[a - 1].name) for a in index.include)
            include = f" INCLUDE ({names})"
        if definition.kind == "p":
            return f"PRIMARY KEY ({columns}){include}"
        if definition.kind == "u":
            nulls = " NULLS NOT DISTINCT" if index is not None and index.nulls_not_distinct else ""
            return f"UNIQUE{nulls} ({columns}){include}"
        return f"{definition.kind} ({columns})"

    def _foreign_key_definition(self, table: C.TableDef, definition: C.ConstraintDef) -> str:
        """``FOREIGN KEY (p) REFERENCES p(id) ON DELETE CASCADE DEFERRABLE …``, in the
        order and spelling of PostgreSQL's pg_get_constraintdef (clients parse it)."""
        columns = ", ".join(quote_ident(table.columns[a - 1].name) for a in definition.columns)
        parent = self.catalog.tables.get(definition.ref_table) if self.catalog else None
        if parent is None:
            return f"FOREIGN KEY ({columns})"
        ref_columns = ", ".join(
            quote_ident(parent.columns[a - 1].name) for a in definition.ref_columns
        )
        parent_schema = self.schema_name(parent.schema_oid)
        name = quote_ident(parent.name)
        if parent_schema not in ("public", "pg_catalog"):
            name = f"{quote_ident(parent_schema)}.{name}"
        text = f"FOREIGN KEY ({columns}) REFERENCES {name}({ref_columns})"
        if definition.match_full:
            text += " MATCH FULL"
        if definition.on_update != C.FK_NO_ACTION:
            text += f" ON UPDATE {C.FK_ACTION_NAMES[definition.on_update]}"
        if definition.on_delete != C.FK_NO_ACTION:
            text += f" ON DELETE {C.FK_ACTION_NAMES[definition.on_delete]}"
        if definition.deferrable:
            text += " DEFERRABLE"
        if definition.deferred:
            text += " INITIALLY DEFERRED"
        return text

    # ------------------------------------------------------------ functions
    @cached_property
    def functions(self) -> dict[int, C.FunctionDef]:
        """The user-defined (SQL-language) functions by OID."""
        return dict(sorted(self.catalog.functions.items())) if self.catalog is not None else {}

    @cached_property
    def visible_functions(self) -> set[int]:
        """OIDs of the functions a bare name finds (PostgreSQL's FunctionIsVisible): the
        first of each name and argument types along the search path; the built-in ones."""
        visible = set(PROC_NAMES)
        seen: set[tuple[str, tuple[int, ...]]] = set()
        for namespace in self.path_schemas:
            found = [f for f in self.functions.values() if f.schema_oid == namespace]
            for function in found:
                if (function.name, tuple(function.arg_type_oids)) not in seen:
                    visible.add(function.oid)
            seen.update((f.name, tuple(f.arg_type_oids)) for f in found)
        return visible

    def _function_label(self, function: C.FunctionDef) -> str:
        if function.oid in self.visible_functions:
            return quote_ident(function.name)
        schema = quote_ident(self.schema_name(function.schema_oid))
        return f"{schema}.{quote_ident(function.name)}"

    def _functions_named(self, text: str) -> list[C.FunctionDef]:
        """The user functions a possibly qualified name finds: in the named schema, or
        in the first schema of the search path that has one."""
        schema, name = split_qualified(text)
        candidates = self.catalog.functions_named(name) if self.catalog is not None else []
        if schema is not None:
            namespace = self.schema_oids.get(schema)
            return [f for f in candidates if f.schema_oid == namespace]
        return [f for f in candidates if f.oid in self.visible_functions]

    def function_oid(self, text: str) -> int | None:
        """regproc input: the one function of that name (42725 when there are more)."""
        schema, name = split_qualified(text)
        found = self._functions_named(text)
        if len(found) > 1:
            raise TideError(
                f'more than one function named "{text}"', sqlstate=sqlstates.AMBIGUOUS_FUNCTION
            )
        if found:
            return found[0].oid
        return PROCS.get(name) if schema in (None, "pg_catalog") else None

    def procedure_oid(self, text: str) -> int | None:
        """regprocedure input: ``name(type, …)`` → the function with those argument
        types (a domain stands for its base type, as argument types are stored)."""
        head, paren, rest = text.partition("(")
        if not paren or not rest.rstrip().endswith(")"):
            raise TideError(
                "expected a left parenthesis", sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION
            )
        wanted = [self._argument_type_oid(arg) for arg in _split_arguments(rest.rstrip()[:-1])]
        for function in self._functions_named(head.strip()):
            if function.arg_type_oids == wanted:
                return function.oid
        return None

    def _argument_type_oid(self, text: str) -> int:
        schema, name = split_qualified(text)
        if self.catalog is not None:
            domain = self.catalog.find_domain(name, schema, self.search_path)
            if domain is not None and "(" not in text and "[" not in text:
                return domain.type_oid
        oid: int = T.parse_value(text, T.REGTYPE)
        return oid

    def procedure_name(self, oid: int) -> str | None:
        """regprocedure output: ``name(integer,text)``."""
        function = self.functions.get(oid)
        if function is None:
            return None
        types = ",".join(self.type_text(t) for t in function.arg_type_oids)
        return f"{self._function_label(function)}({types})"

    def type_text(self, oid: int, modifier: int = -1) -> str:
        """format_type(oid, typmod), knowing the catalog's domains."""
        domain = self.catalog.domains.get(oid) if self.catalog is not None else None
        if domain is not None:
            return quote_ident(domain.name)
        sql_type = type_by_oid(oid)
        if sql_type is None:
            return "???"
        return T.format_type(sql_type if modifier == -1 else T.with_modifier(sql_type, modifier))

    def function_arguments(self, oid: int, defaults: bool = True) -> str | None:
        """pg_get_function_arguments (``x integer, y integer DEFAULT 1``), and without
        defaults pg_get_function_identity_arguments; TABLE columns are left out."""
        function = self.functions.get(oid)
        if function is None:
            return None
        modes = function.param_modes or ["i"] * len(function.arg_type_oids)
        names = function.param_names or function.arg_names
        types = function.param_type_oids or function.arg_type_oids
        # Defaults belong to the input parameters, in order.
        pending = iter(function.arg_defaults)
        parts = []
        for mode, name, type_oid in zip(modes, names, types, strict=True):
            if mode == "t":
                continue
            words = [_MODE_WORDS[mode]] if mode != "i" else []
            if name:
                words.append(quote_ident(name))
            words.append(self.type_text(type_oid))
            default = next(pending, None) if mode in ("i", "b", "v") else None
            if defaults and default is not None:
                words.append(f"DEFAULT {expression_text(default)}")
            parts.append(" ".join(words))
        return ", ".join(parts)

    def function_result(self, oid: int) -> str | None:
        """pg_get_function_result: ``integer``, ``SETOF integer``, ``TABLE(a integer)``."""
        function = self.functions.get(oid)
        if function is None:
            return None
        if "t" in function.param_modes:
            columns = ", ".join(
                f"{quote_ident(name)} {self.type_text(type_oid)}"
                for mode, name, type_oid in zip(
                    function.param_modes,
                    function.param_names,
                    function.param_type_oids,
                    strict=True,
                )
                if mode == "t"
            )
            return f"TABLE({columns})"
        table = self.catalog.tables.get(function.row_table_oid) if self.catalog else None
        if table is not None:
            result = self.relation_name(table.oid) or quote_ident(table.name)
        else:
            result = self.type_text(function.result_type_oid)
        return f"SETOF {result}" if function.returns_set else result

    def function_body(self, oid: int) -> str | None:
        """pg_get_function_sqlbody: a SQL-standard body (``RETURN …``), else NULL."""
        function = self.functions.get(oid)
        if function is None or not function.standard_body:
            return None
        return function.source

    def function_definition(self, oid: int) -> str | None:
        """pg_get_functiondef: the CREATE OR REPLACE FUNCTION statement, laid out as
        PostgreSQL lays it out."""
        function = self.functions.get(oid)
        if function is None:
            return None
        name = f"{quote_ident(self.schema_name(function.schema_oid))}.{quote_ident(function.name)}"
        text = f"CREATE OR REPLACE FUNCTION {name}({self.function_arguments(oid)})\n"
        text += f" RETURNS {self.function_result(oid)}\n LANGUAGE sql\n"
        options = {"i": " IMMUTABLE", "s": " STABLE"}.get(function.volatility, "")
        options += " STRICT" if function.strict else ""
        if options:
            text += options + "\n"
        if function.standard_body and function.source is not None:
            return text + function.source + "\n"
        source = function.source if function.source is not None else function.body
        quote = "$function"
        while quote + "$" in source:
            quote += "x"
        return f"{text}AS {quote}${source}{quote}$\n"

    # ------------------------------------------------------------ types.CatalogNames
    def object_name(self, reg_type_oid: int, object_oid: int) -> str | None:
        if object_oid == 0:
            return "-"
        if reg_type_oid == T.REGCLASS.oid:
            return self.relation_name(object_oid)
        if reg_type_oid == T.REGPROC.oid:
            function = self.functions.get(object_oid)
            if function is not None:
                return self._function_label(function)
            return PROC_NAMES.get(object_oid)
        if reg_type_oid == T.REGPROCEDURE.oid:
            return self.procedure_name(object_oid)
        if reg_type_oid == T.REGTYPE.oid:
            domain = self.catalog.domains.get(object_oid) if self.catalog is not None else None
            if domain is not None:
                return quote_ident(domain.name)
            found = type_by_oid(object_oid)
            return None if found is None else found.name
        if reg_type_oid == T.REGNAMESPACE.oid:
            schema = self.schemas.get(object_oid)
            return None if schema is None else quote_ident(schema)
        if reg_type_oid == T.REGROLE.oid:
            role = self.role_names.get(object_oid)
            return None if role is None else quote_ident(role)
        return None

    def object_oid(self, reg_type_oid: int, name: str) -> int | None:
        if name == "-":
            return 0
        if reg_type_oid == T.REGCLASS.oid:
            found = self.find_relation(name)
            return None if found is None else found.oid
        if reg_type_oid == T.REGTYPE.oid:
            # The catalog's domains; built-in type names are parsed by regtype input.
            schema, bare = split_qualified(name)
            if self.catalog is None or "(" in name or "[" in name:
                return None
            domain = self.catalog.find_domain(bare, schema, self.search_path)
            return None if domain is None else domain.oid
        if reg_type_oid == T.REGPROC.oid:
            return self.function_oid(name)
        if reg_type_oid == T.REGPROCEDURE.oid:
            return self.procedure_oid(name)
        if reg_type_oid == T.REGNAMESPACE.oid:
            return self.schema_oids.get(split_qualified(name)[1])
        if reg_type_oid == T.REGROLE.oid:
            role = self.roles.get(split_qualified(name)[1])
            return None if role is None else role.oid
        return None


class SessionNames:
    """Regclass/regproc names for a session's ``FormatSettings`` (which the session
    caches across statements): each lookup uses the catalog the session sees at that
    moment, through a view kept while the catalog and search path stay the same."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self._view: CatalogView | None = None

    def view(self) -> CatalogView:
        catalog = session_catalog(self.session)
        search_path = self.session.search_path()
        cached = self._view
        if cached is None or cached.catalog is not catalog or cached.search_path != search_path:
            self._view = cached = CatalogView(catalog, search_path, self.session)
        return cached

    def object_name(self, reg_type_oid: int, object_oid: int) -> str | None:
        return self.view().object_name(reg_type_oid, object_oid)

    def object_oid(self, reg_type_oid: int, name: str) -> int | None:
        return self.view().object_oid(reg_type_oid, name)
