"""Roles: CREATE/ALTER/DROP ROLE, stored in the catalog, and password lookup for login.

A role is one catalog row ``(5, name)`` holding whether it may log in, whether it is a
superuser, and its password as a SCRAM-SHA-256 verifier — never the password itself.
``admin`` always exists (DSQL's administrative user) and is not stored.
"""

from __future__ import annotations

import json
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.keys import encode_key, prefix_end
from tidesql.sql.catalog import SYS_ROLES, VERSION_KEY
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind
from tidesql.sql.result import StatementResult
from tidesql.txn import Isolation

ADMIN = "admin"


def role_key(name: str) -> bytes:
    return encode_key((SYS_ROLES, name))


def _options(options: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for option in options:
        element = option.def_elem
        if not element.HasField("arg"):
            out[element.defname] = None
            continue
        kind, value = node_kind(element.arg)
        if kind == "boolean":
            out[element.defname] = value.boolval
        elif kind == "string":
            out[element.defname] = value.sval
        elif kind == "integer":
            out[element.defname] = value.ival
        else:
            out[element.defname] = value
    return out


def _apply(role: dict[str, Any], options: dict[str, Any]) -> None:
    from tidesql.pgwire.auth import make_scram_verifier

    if "canlogin" in options:
        role["login"] = bool(options["canlogin"])
    if "superuser" in options:
        role["superuser"] = bool(options["superuser"])
    if "password" in options:
        password = options["password"]
        role["verifier"] = None if password is None else make_scram_verifier(str(password))


async def bump_catalog_version(txn: Any) -> None:
    """Roles are part of the catalog (privilege checks read them from it), so a change to
    one is a catalog change: concurrent role changes collide, cached catalogs refresh."""
    raw = await txn.get(VERSION_KEY)
    txn.put(VERSION_KEY, str(int(raw or b"0") + 1).encode(), is_row=False)


async def execute_role_statement(session: Any, statement: ParsedStatement) -> StatementResult:
    node = statement.node
    sql_txn = await session.ensure_transaction()
    txn = sql_txn.core
    await bump_catalog_version(txn)
    if statement.kind == "create_role_stmt":
        name = node.role
        if name == ADMIN or await txn.get(role_key(name)) is not None:
            raise TideError(f'role "{name}" already exists', sqlstate=sqlstates.DUPLICATE_OBJECT)
        role: dict[str, Any] = {
            "name": name,
            "login": node.stmt_type == pb.ROLESTMT_USER,
            "superuser": False,
        }
        _apply(role, _options(node.options))
        txn.put(role_key(name), json.dumps(role).encode(), is_row=False)
        sql_txn.ddl_count += 1
        return StatementResult("CREATE ROLE")
    if statement.kind == "alter_role_stmt":
        name = node.role.rolename
        raw = await txn.get(role_key(name))
        if raw is None:
            raise TideError(f'role "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT)
        role = json.loads(raw)
        _apply(role, _options(node.options))
        txn.put(role_key(name), json.dumps(role).encode(), is_row=False)
        sql_txn.ddl_count += 1
        return StatementResult("ALTER ROLE")
    for item in node.roles:
        name = item.role_spec.rolename
        if await txn.get(role_key(name)) is None:
            if node.missing_ok:
                continue
            raise TideError(f'role "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT)
        if name == session.user:
            raise TideError("current user cannot be dropped", sqlstate=sqlstates.OBJECT_IN_USE)
        txn.delete(role_key(name), is_row=False)
    sql_txn.ddl_count += 1
    return StatementResult("DROP ROLE")


async def list_roles(engine: Any) -> list[dict[str, Any]]:
    txn = engine.begin(Isolation.REPEATABLE_READ)
    low = encode_key((SYS_ROLES,))
    rows = await txn.scan(low, prefix_end(low))
    await txn.commit()
    return [json.loads(value) for _, value in rows]


def password_lookup(engine: Any, admin_password: str | None = None) -> Any:
    """The pgwire password lookup: the SCRAM verifier of a role that may log in.

    ``admin`` is not a stored role: its password comes from the server's configuration.
    """
    from tidesql.pgwire.auth import make_scram_verifier

    admin_verifier = make_scram_verifier(admin_password) if admin_password else None

    async def lookup(user: str) -> str | None:
        if user == ADMIN:
            return admin_verifier
        txn = engine.begin(Isolation.REPEATABLE_READ)
        raw = await txn.get(role_key(user))
        await txn.commit()
        if raw is None:
            return None
        role = json.loads(raw)
        if not role.get("login"):
            return None
        verifier: str | None = role.get("verifier")
        return verifier

    return lookup
