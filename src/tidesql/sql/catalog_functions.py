"""SQL functions over the catalog and the session: format_type, pg_get_indexdef,
pg_table_is_visible, to_regclass, version(), current_schema(), …

These are what psql, asyncpg, psycopg and SQLAlchemy call next to their pg_catalog
queries. They are ordinary overloads of the scalar function registry (``functions.py``),
added when this module is imported (the planner imports it). Those that read the
catalog or the session take the execution environment (``needs_env``), which is made per
statement, and reach the statement's :class:`~tidesql.sql.pg_catalog.CatalogView`
through it; that keeps them out of constant folding and out of cached plans' values.

``pg_typeof`` is different: its answer is the argument's *type*, known only to the
binder, so it is one of the planner's special functions (``SPECIAL_FUNCTIONS``, merged
into ``Planner._special_functions``): a builder ``(planner, args, context) -> Expr``.

What is approximated?
    Privileges: every ``has_*_privilege`` is true (tidesql has no GRANT). Sizes: every
    ``pg_*_size`` is 0 (storage is not per relation). ``shobj_description`` is NULL
    (pg_shdescription is empty). ``inet_server_addr``/``port`` are NULL, as for a Unix
    socket connection.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import functions as F
from tidesql.sql import types as T
from tidesql.sql.expr import Const, Expr
from tidesql.sql.pg_catalog import (
    DATABASE_NAME,
    DESCRIBED_CATALOGS,
    PG_CLASS_OID,
    UTF8_ENCODING,
    CatalogView,
    all_types,
    split_qualified,
    type_by_oid,
)
from tidesql.sql.planner import BindContext, Planner

Builder = Callable[[Planner, list[Expr], BindContext], Expr]

#: When this server process started: pg_postmaster_start_time().
STARTED = dt.datetime.now(dt.UTC)
_ENCODINGS = {0: "SQL_ASCII", UTF8_ENCODING: "UTF8"}


def _view(env: Any) -> CatalogView:
    return CatalogView.of_env(env)


# ---------------------------------------------------------------- types
def format_type(type_oid: int | None, modifier: int | None) -> str | None:
    """format_type(oid, typmod): ``numeric(10,2)``, ``character varying(20)``, ``text[]``;
    a NULL modifier means "no modifier known" (so bpchar reads as ``character``)."""
    if type_oid is None:
        return None
    sql_type = type_by_oid(type_oid)
    if sql_type is None:
        return "???"
    if modifier is None:
        return "character" if type_oid == T.BPCHAR.oid else T.format_type(sql_type)
    return T.format_type(T.with_modifier(sql_type, modifier))


def _format_type_in_catalog(env: Any, type_oid: int | None, modifier: int | None) -> str | None:
    """format_type that also knows the catalog's domains."""
    if type_oid is not None:
        view = _view(env)
        domain = view.catalog.domains.get(type_oid) if view.catalog is not None else None
        if domain is not None:
            return domain.name
    return format_type(type_oid, modifier)


def _to_regtype(env: Any, text: str) -> int | None:
    """to_regtype: a domain of the catalog, else a built-in type; NULL for neither."""
    domain = _view(env).object_oid(T.REGTYPE.oid, text)
    if domain is not None:
        return domain
    try:
        oid: int = T.parse_value(text, T.REGTYPE)
    except TideError:
        return None
    return oid


# ---------------------------------------------------------------- functions
def _to_regproc(env: Any, text: str) -> int | None:
    try:
        return _view(env).function_oid(text)
    except TideError:
        return None  # more than one function of that name


def _to_regprocedure(env: Any, text: str) -> int | None:
    try:
        return _view(env).procedure_oid(text)
    except TideError:
        return None


def _function_is_visible(env: Any, oid: int) -> bool:
    return oid in _view(env).visible_functions


def _function_arguments(env: Any, oid: int) -> str | None:
    return _view(env).function_arguments(oid)


def _function_identity_arguments(env: Any, oid: int) -> str | None:
    return _view(env).function_arguments(oid, defaults=False)


def _function_result(env: Any, oid: int) -> str | None:
    return _view(env).function_result(oid)


def _function_definition(env: Any, oid: int) -> str | None:
    return _view(env).function_definition(oid)


def _function_body(env: Any, oid: int) -> str | None:
    return _view(env).function_body(oid)


# ---------------------------------------------------------------- relations
def _to_regclass(env: Any, text: str) -> int | None:
    found = _view(env).find_relation(text)
    return None if found is None else found.oid


def _relation_oid(env: Any, name_or_oid: str | int) -> int:
    if isinstance(name_or_oid, int):
        return name_or_oid
    found = _view(env).find_relation(name_or_oid)
    if found is None:
        raise TideError(
            f'relation "{name_or_oid}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
        )
    return found.oid


def _index_definition(env: Any, oid: int, column: int = 0, pretty: bool = False) -> str | None:
    return _view(env).index_definition(oid, column)


def _constraint_definition(env: Any, oid: int, pretty: bool = False) -> str | None:
    return _view(env).constraint_definition(oid, pretty)


def _view_definition(env: Any, name_or_oid: str | int, pretty: bool = False) -> str | None:
    relation = _view(env).relations.get(_relation_oid(env, name_or_oid))
    if relation is None or relation.table is None or relation.kind != "v":
        return None
    return relation.table.view_sql


def _expression(text: str, relation: int, pretty: bool = False) -> str:
    """pg_get_expr: tidesql keeps expressions (defaults, checks) as SQL text already."""
    return text


def _table_is_visible(env: Any, oid: int) -> bool:
    return oid in _view(env).visible_relations


def _user_by_id(env: Any, oid: int) -> str:
    return _view(env).role_names.get(oid, f"unknown (OID={oid})")


def _relation_size(env: Any, name_or_oid: str | int, fork: str = "main") -> int:
    _relation_oid(env, name_or_oid)
    return 0


def _size_pretty(size: int) -> str:
    """pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB, PB, keeping one more
    bit than shown so that the last step rounds half away from zero."""
    limit = 10 * 1024
    if abs(size) < limit:
        return f"{size} bytes"
    value = size >> 9
    for unit in ("kB", "MB", "GB", "TB"):
        if abs(value) < limit * 2:
            return f"{_half_rounded(value)} {unit}"
        value >>= 10
    return f"{_half_rounded(value)} PB"


def _half_rounded(value: int) -> int:
    return (value + 1) // 2 if value >= 0 else -((1 - value) // 2)


# ---------------------------------------------------------------- session
def current_schema(session: Any) -> str | None:
    """PostgreSQL's current_schema(): the first schema of the search path that exists
    (pg_catalog counts only when named explicitly)."""
    view = CatalogView.for_session(session)
    for part in session.get_setting("search_path").split(","):
        name = part.strip().strip('"').replace("$user", session.user)
        if name in view.schema_oids:
            return str(name)
    return None


def current_schemas(session: Any, include_implicit: bool) -> list[str]:
    """current_schemas(bool): the existing schemas of the search path, with pg_catalog
    first when the implicit ones are asked for (or when it is named explicitly)."""
    view = CatalogView.for_session(session)
    path = [n for n in view.search_path if n in view.schema_oids]
    if not include_implicit and "pg_catalog" not in session.get_setting("search_path"):
        path = [n for n in path if n != "pg_catalog"]
    return path


def _current_database(env: Any) -> str:
    return str(getattr(env.session, "database", DATABASE_NAME))


def _current_schema(env: Any) -> str | None:
    return current_schema(env.session)


def _current_schemas(env: Any, include_implicit: bool) -> list[str]:
    return current_schemas(env.session, include_implicit)


def _backend_pid(env: Any) -> int:
    return int(env.session.process_id)


_transaction_ids = itertools.count(1000)


def _transaction_id(env: Any) -> int:
    """txid_current(): a number for the session's transaction, handed out on first use
    (tidesql transactions are identified by timestamps, not by counters)."""
    transaction = env.session.transaction
    number = getattr(transaction, "txid", None)
    if number is None:
        number = next(_transaction_ids)
        transaction.txid = number
    return int(number)


def _version(env: Any) -> str:
    """version(): DSQL answers ``PostgreSQL 16`` and nothing more; extended mode gives
    PostgreSQL's long form."""
    from tidesql.sql.session import DSQL_VERSION_STRING, VERSION_STRING

    return DSQL_VERSION_STRING if env.session.engine.mode == "dsql" else VERSION_STRING


def _always_true(*_: Any) -> bool:
    return True


def _always_null(*_: Any) -> None:
    return None


# ---------------------------------------------------------------- privileges
def _privilege_args(env: Any, args: tuple[Any, ...]) -> tuple[Any, str, Any, str]:
    """(catalog, user, object, mode) from has_*_privilege's ([user,] object, mode)."""
    catalog = env.session.transaction.catalog
    if len(args) == 2:
        return catalog, env.session.user, args[0], args[1]
    user = args[0]
    if isinstance(user, int):
        user = _view(env).role_names.get(user, "")
    return catalog, str(user), args[1], args[2]


def _has_table_privilege(env: Any, *args: Any) -> bool:
    from tidesql.sql import privileges

    catalog, user, table, mode = _privilege_args(env, args)
    if isinstance(table, int):
        definition = catalog.tables.get(table)
        if definition is None:
            return True  # catalog views: readable by everyone
    else:
        schema, name = split_qualified(table)
        definition = catalog.find_table(name, schema, env.session.search_path())
        if definition is None:
            if schema in ("pg_catalog", "information_schema", "sys") or name.startswith("pg_"):
                return True  # catalog views: readable by everyone
            raise TideError(
                f'relation "{table}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
            )
    return privileges.has_table_privilege(catalog, user, definition, mode)


def _has_schema_privilege(env: Any, *args: Any) -> bool:
    from tidesql.sql import privileges

    catalog, user, schema, mode = _privilege_args(env, args)
    oid = schema if isinstance(schema, int) else catalog.schema_oid(schema)
    if oid is None:
        raise TideError(f'schema "{schema}" does not exist', sqlstate=sqlstates.INVALID_SCHEMA_NAME)
    return privileges.has_schema_privilege(catalog, user, oid, mode)


_PRIVILEGE_FUNCTIONS: dict[str, Callable[..., bool]] = {
    "table": _has_table_privilege,
    "schema": _has_schema_privilege,
}


# ---------------------------------------------------------------- comments
def _object_description(env: Any, oid: int, catalog_name: str | None = None) -> str | None:
    """obj_description(oid [, catalog]): the object's COMMENT (objsubid 0); without a
    catalog name, the first of any catalog (PostgreSQL's deprecated form)."""
    descriptions = _view(env).descriptions
    if catalog_name is not None:
        classoid = DESCRIBED_CATALOGS.get(catalog_name)
        return None if classoid is None else descriptions.get((oid, classoid, 0))
    return next((d for (o, _c, sub), d in descriptions.items() if o == oid and sub == 0), None)


def _column_description(env: Any, table_oid: int, attnum: int) -> str | None:
    return _view(env).descriptions.get((table_oid, PG_CLASS_OID, attnum))


# ---------------------------------------------------------------- the registry
_ENV: dict[str, Any] = {"needs_env": True}
_NULLABLE: dict[str, Any] = {"strict": False}


def _register() -> None:
    """Add the overloads to functions.py's registry (at import, before any lookup)."""
    add = F._function
    oid, text, boolean, int4, name = T.OID, T.TEXT, T.BOOL, T.INT4, T.NAME
    add("format_type", (oid, int4), text, _format_type_in_catalog, **_NULLABLE, **_ENV)
    add("pg_get_indexdef", (oid,), text, _index_definition, **_ENV)
    add("pg_get_indexdef", (oid, int4, boolean), text, _index_definition, **_ENV)
    add("pg_get_constraintdef", (oid,), text, _constraint_definition, **_ENV)
    add("pg_get_constraintdef", (oid, boolean), text, _constraint_definition, **_ENV)
    # There are no triggers (pg_trigger is empty); psql's \d still names the function.
    add("pg_get_triggerdef", (oid,), text, lambda o: None, **_NULLABLE)
    add("pg_get_triggerdef", (oid, boolean), text, lambda o, pretty: None, **_NULLABLE)
    add("pg_get_expr", (text, oid), text, _expression)
    add("pg_get_expr", (text, oid, boolean), text, _expression)
    for args in ((oid,), (oid, boolean), (text,), (text, boolean)):
        add("pg_get_viewdef", args, text, _view_definition, **_ENV)
    add("pg_get_userbyid", (oid,), name, _user_by_id, **_ENV)
    add("pg_table_is_visible", (oid,), boolean, _table_is_visible, **_ENV)
    add("pg_type_is_visible", (oid,), boolean, lambda o: o in all_types())
    add("pg_function_is_visible", (oid,), boolean, _function_is_visible, **_ENV)
    add("pg_get_function_arguments", (oid,), text, _function_arguments, **_ENV)
    add("pg_get_function_identity_arguments", (oid,), text, _function_identity_arguments, **_ENV)
    add("pg_get_function_result", (oid,), text, _function_result, **_ENV)
    add("pg_get_functiondef", (oid,), text, _function_definition, **_ENV)
    add("pg_get_function_sqlbody", (oid,), text, _function_body, **_ENV)
    for kind in ("collation", "opclass", "operator", "conversion", "ts_config"):
        add(f"pg_{kind}_is_visible", (oid,), boolean, _always_true)
    add("obj_description", (oid,), text, _object_description, **_ENV)
    add("obj_description", (oid, name), text, _object_description, **_ENV)
    add("col_description", (oid, int4), text, _column_description, **_ENV)
    add("shobj_description", (oid, name), text, _always_null, **_NULLABLE)
    add("pg_encoding_to_char", (int4,), name, lambda e: _ENCODINGS.get(e, ""))
    add("pg_char_to_encoding", (name,), int4, lambda n: {"UTF8": UTF8_ENCODING}.get(n, -1))
    add("pg_client_encoding", (), name, lambda: "UTF8")
    add("to_regclass", (text,), T.REGCLASS, _to_regclass, **_ENV)
    add("to_regtype", (text,), T.REGTYPE, _to_regtype, **_ENV)
    add("to_regproc", (text,), T.REGPROC, _to_regproc, **_ENV)
    add("to_regprocedure", (text,), T.REGPROCEDURE, _to_regprocedure, **_ENV)
    add("to_regnamespace", (text,), oid, lambda env, n: _view(env).schema_oids.get(n), **_ENV)
    add("to_regrole", (text,), oid, lambda env, n: _view(env).roles.get(n), **_ENV)
    add("pg_get_statisticsobjdef_columns", (oid,), text, _always_null, **_NULLABLE)
    add("pg_get_partkeydef", (oid,), text, _always_null, **_NULLABLE)
    add("pg_relation_is_publishable", (T.REGCLASS,), boolean, lambda o: False)
    add("pg_relation_is_publishable", (text,), boolean, lambda o: False)
    for function in ("pg_relation_size", "pg_total_relation_size", "pg_table_size"):
        add(function, (oid,), T.INT8, _relation_size, **_ENV)
        add(function, (text,), T.INT8, _relation_size, **_ENV)
    add("pg_relation_size", (oid, text), T.INT8, _relation_size, **_ENV)
    add("pg_indexes_size", (oid,), T.INT8, _relation_size, **_ENV)
    add("pg_size_pretty", (T.INT8,), text, _size_pretty)
    add("pg_tablespace_location", (oid,), text, lambda o: "")
    # Privileges: (object), (user, object) with each as a name or an OID, then the mode.
    objects = {
        "table": (text, oid),
        "schema": (text, oid),
        "database": (text, oid),
        "sequence": (text, oid),
        "function": (text, oid),
        "any_column": (text, oid),
    }
    for kind, object_types in objects.items():
        checker = _PRIVILEGE_FUNCTIONS.get(kind)
        extra = _ENV if checker is not None else {}
        check = checker or _always_true
        for object_type in object_types:
            add(f"has_{kind}_privilege", (object_type, text), boolean, check, **extra)
            for user_type in (name, oid):
                add(
                    f"has_{kind}_privilege", (user_type, object_type, text), boolean, check, **extra
                )
    for table_type in (text, oid):
        add("has_column_privilege", (table_type, text, text), boolean, _always_true)
        add("has_column_privilege", (name, table_type, text, text), boolean, _always_true)
    add("pg_has_role", (name, text), boolean, _always_true)
    add("pg_has_role", (name, name, text), boolean, _always_true)
    # The session and the server.
    add("version", (), text, _version, **_ENV)
    add("current_database", (), name, _current_database, **_ENV)
    add("current_schema", (), name, _current_schema, **_ENV)
    add("current_schemas", (boolean,), T.array_of(name), _current_schemas, **_ENV)
    add("pg_backend_pid", (), int4, _backend_pid, **_ENV)
    add("pg_postmaster_start_time", (), T.TIMESTAMPTZ, lambda: STARTED)
    add("pg_conf_load_time", (), T.TIMESTAMPTZ, lambda: STARTED)
    add("pg_is_in_recovery", (), boolean, lambda: False)
    add("txid_current", (), T.INT8, _transaction_id, **_ENV)
    add("pg_advisory_unlock_all", (), T.VOID, _always_null, **_NULLABLE)
    for function in ("inet_server_addr", "inet_client_addr"):
        add(function, (), text, _always_null, **_NULLABLE)
    for function in ("inet_server_port", "inet_client_port"):
        add(function, (), int4, _always_null, **_NULLABLE)


def _pg_typeof(planner: Planner, args: list[Expr], context: BindContext) -> Expr:
    if len(args) != 1:
        raise TideError(
            "function pg_typeof() takes exactly one argument",
            sqlstate=sqlstates.UNDEFINED_FUNCTION,
        )
    return Const(args[0].type.oid, T.REGTYPE)


#: Functions the binder evaluates itself, by name (unqualified or pg_catalog.).
SPECIAL_FUNCTIONS: dict[str, Builder] = {
    "pg_typeof": _pg_typeof,
}

_register()
Planner._special_functions.update(SPECIAL_FUNCTIONS)
