"""Privileges: GRANT / REVOKE on tables and schemas, GRANT role TO role, and their checks.

Aurora DSQL keeps PostgreSQL's privilege system: ``admin`` (created with the cluster, not
changeable) creates roles and grants them privileges; every other role reaches a table
only through what it owns or was granted. tidesql stores the grants as PostgreSQL does,
as aclitems in the catalog — ``app=arw/admin`` means ``admin`` granted ``app`` INSERT,
SELECT and UPDATE (``*`` after a letter: WITH GRANT OPTION; an empty grantee is PUBLIC):

* a table's ``acl`` is on its ``TableDef``, a schema's in its catalog entry; ``None``
  means the default — the owner holds every privilege, nobody else any (the ``public``
  schema also gives PUBLIC its USAGE, as PostgreSQL 15+ does);
* roles and their memberships (``member_of``) are catalog rows too, so a grant is a
  catalog change like any DDL: versioned, one per transaction in DSQL mode, and a
  statement planned before it is checked against the catalog it runs with.

A statement is checked when it runs, not when it is planned (plans are cached and shared
between sessions): the planner lists what each table needs (``r`` to read, ``a``/``w``/
``d`` to insert, update, delete), and ``check`` answers 42501 ``permission denied for
table t`` — or ``for schema s`` without USAGE on the table's schema. A superuser
(``admin``, or a role created SUPERUSER) passes every check. The owner of a table is
whoever created it (``ALTER TABLE … OWNER TO`` changes it); members of the owning role
are owners too.

Not checked: column privileges, privileges of the tables a view reads (a view is read
with its own ``r`` privilege only), sequences, functions, and ownership for DROP/ALTER.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C

ADMIN = "admin"
#: Privilege letters, in the order PostgreSQL prints them.
LETTER_ORDER = "arwdDxtXUCcT"
TABLE_PRIVILEGES = {
    "insert": "a",
    "select": "r",
    "update": "w",
    "delete": "d",
    "truncate": "D",
    "references": "x",
    "trigger": "t",
}
SCHEMA_PRIVILEGES = {"usage": "U", "create": "C"}
LETTER_NAMES = {
    letter: name.upper()
    for table in (TABLE_PRIVILEGES, SCHEMA_PRIVILEGES)
    for name, letter in table.items()
}
ALL_TABLE = "arwdDxt"
ALL_SCHEMA = "UC"


def denied(kind: str, name: str) -> TideError:
    return TideError(
        f"permission denied for {kind} {name}", sqlstate=sqlstates.INSUFFICIENT_PRIVILEGE
    )


# ---------------------------------------------------------------- aclitems
def parse_item(item: str) -> tuple[str, str, str]:
    """``app=r*w/admin`` → (grantee, privileges, grantor); PUBLIC's grantee is ``""``."""
    grantee, _, rest = item.partition("=")
    privileges, _, grantor = rest.partition("/")
    return grantee, privileges, grantor


def _letters(privileges: str) -> dict[str, bool]:
    """Letter → has grant option."""
    out: dict[str, bool] = {}
    for position, letter in enumerate(privileges):
        if letter == "*":
            continue
        out[letter] = privileges[position + 1 : position + 2] == "*"
    return out


def _format(grantee: str, letters: dict[str, bool], grantor: str) -> str:
    text = "".join(
        letter + ("*" if letters[letter] else "") for letter in LETTER_ORDER if letter in letters
    )
    return f"{grantee}={text}/{grantor}"


def table_acl(table: C.TableDef) -> list[str]:
    return table.acl if table.acl is not None else [f"{table.owner}={ALL_TABLE}/{table.owner}"]


def schema_owner(catalog: C.Catalog, schema_oid: int) -> str:
    return str(catalog.schema_entries.get(schema_oid, {}).get("owner", ADMIN))


def schema_acl(catalog: C.Catalog, schema_oid: int) -> list[str]:
    entry = catalog.schema_entries.get(schema_oid, {})
    acl = entry.get("acl")
    if acl is not None:
        return list(acl)
    owner = schema_owner(catalog, schema_oid)
    default = [f"{owner}={ALL_SCHEMA}/{owner}"]
    if schema_oid in (C.PUBLIC_OID, C.PG_CATALOG_OID, C.INFORMATION_SCHEMA_OID, C.SYS_SCHEMA_OID):
        default.append(f"=U/{owner}")
    return default


# ---------------------------------------------------------------- who is who
def is_superuser(catalog: C.Catalog, role: str) -> bool:
    return role == ADMIN or bool(catalog.roles.get(role, {}).get("superuser"))


def role_exists(catalog: C.Catalog, role: str) -> bool:
    return role == ADMIN or role in catalog.roles


def roles_of(catalog: C.Catalog, role: str) -> set[str]:
    """The role, every role it is a member of (directly or not), and PUBLIC (``""``)."""
    found = {role, ""}
    pending = [role]
    while pending:
        for parent in catalog.roles.get(pending.pop(), {}).get("member_of", []):
            if parent not in found:
                found.add(parent)
                pending.append(parent)
    return found


def _holds(acl: Iterable[str], roles: set[str], letter: str, grant_option: bool = False) -> bool:
    for item in acl:
        grantee, privileges, _ = parse_item(item)
        if grantee in roles:
            held = _letters(privileges)
            if letter in held and (held[letter] or not grant_option):
                return True
    return False


def has_table(catalog: C.Catalog, role: str, table: C.TableDef, letter: str) -> bool:
    if is_superuser(catalog, role):
        return True
    roles = roles_of(catalog, role)
    return table.owner in roles or _holds(table_acl(table), roles, letter)


def has_schema(catalog: C.Catalog, role: str, schema_oid: int, letter: str) -> bool:
    if is_superuser(catalog, role):
        return True
    roles = roles_of(catalog, role)
    if schema_owner(catalog, schema_oid) in roles:
        return True
    return _holds(schema_acl(catalog, schema_oid), roles, letter)


def check(session: Any, catalog: C.Catalog, needs: dict[int, str]) -> None:
    """Raise 42501 unless the session's user may do what a statement needs: table oid →
    privilege letters (the planner's list)."""
    user = session.user
    if not needs or is_superuser(catalog, user):
        return
    for oid, letters in needs.items():
        table = catalog.tables.get(oid)
        if table is None:
            continue
        if not has_schema(catalog, user, table.schema_oid, "U"):
            raise denied("schema", catalog.schemas.get(table.schema_oid, "?"))
        for letter in letters:
            if not has_table(catalog, user, table, letter):
                raise denied("view" if table.kind == "v" else "table", table.name)


def check_create(session: Any, catalog: C.Catalog, schema_oid: int) -> None:
    if not has_schema(catalog, session.user, schema_oid, "C"):
        raise denied("schema", catalog.schemas.get(schema_oid, "?"))


# ---------------------------------------------------------------- GRANT / REVOKE
def _grantees(catalog: C.Catalog, session: Any, specs: Any) -> list[str]:
    out = []
    for spec in specs:
        role = spec.role_spec
        if role.roletype == pb.ROLESPEC_PUBLIC:
            out.append("")
            continue
        name = session.user if role.roletype != pb.ROLESPEC_CSTRING else role.rolename
        if not role_exists(catalog, name):
            raise TideError(f'role "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT)
        out.append(name)
    return out


def _wanted(node: Any, names: dict[str, str], every: str, kind: str) -> str:
    if not len(node.privileges):
        return every  # ALL [PRIVILEGES]
    letters = ""
    for privilege in node.privileges:
        name = privilege.access_priv.priv_name
        letter = names.get(name)
        if letter is None or len(privilege.access_priv.cols):
            raise TideError(
                f"invalid privilege type {name.upper()} for {kind}",
                sqlstate=sqlstates.INVALID_GRANT_OPERATION,
            )
        letters += letter
    return letters


def apply_grant(
    acl: list[str],
    *,
    owner: str,
    grantor: str,
    grantees: list[str],
    letters: str,
    is_grant: bool,
    grant_option: bool,
) -> list[str]:
    """The ACL after one GRANT or REVOKE by ``grantor`` (the owner, when a superuser or
    the owner grants)."""
    items = [parse_item(item) for item in acl]
    table: dict[tuple[str, str], dict[str, bool]] = {}
    order: list[tuple[str, str]] = []
    for grantee, privileges, by in items:
        table[(grantee, by)] = _letters(privileges)
        order.append((grantee, by))
    for grantee in grantees:
        key = (grantee, grantor)
        held = table.get(key)
        if held is None:
            if not is_grant:
                continue
            held = table[key] = {}
            order.append(key)
        for letter in letters:
            if is_grant:
                held[letter] = held.get(letter, False) or grant_option
            elif grant_option:  # REVOKE GRANT OPTION FOR
                if letter in held:
                    held[letter] = False
            else:
                held.pop(letter, None)
    return [
        _format(grantee, table[(grantee, by)], by) for grantee, by in order if table[(grantee, by)]
    ]


def _grantor(catalog: C.Catalog, session: Any, owner: str, acl: list[str], letters: str) -> str:
    """Who the grant is recorded as from: the owner when the owner (or a member, or a
    superuser) grants, else the user, who must hold every privilege WITH GRANT OPTION."""
    user = str(session.user)
    roles = roles_of(catalog, user)
    if is_superuser(catalog, user) or owner in roles:
        return owner
    if all(_holds(acl, roles, letter, grant_option=True) for letter in letters):
        return user
    return ""


async def execute_grant(session: Any, writer: Any, node: Any) -> None:
    """GRANT/REVOKE privileges ON [TABLE] t, ON ALL TABLES IN SCHEMA s, ON SCHEMA s."""
    catalog: C.Catalog = writer.catalog
    grantees = _grantees(catalog, session, node.grantees)
    if node.objtype == pb.OBJECT_SCHEMA:
        letters = _wanted(node, SCHEMA_PRIVILEGES, ALL_SCHEMA, "schema")
        for item in node.objects:
            name = item.string.sval
            oid = catalog.schema_oid(name)
            if oid is None or oid in (C.PG_CATALOG_OID, C.INFORMATION_SCHEMA_OID):
                raise TideError(
                    f'schema "{name}" does not exist', sqlstate=sqlstates.INVALID_SCHEMA_NAME
                )
            owner = schema_owner(catalog, oid)
            acl = schema_acl(catalog, oid)
            grantor = _grantor(catalog, session, owner, acl, letters)
            if not grantor:
                raise denied("schema", name)
            entry = dict(catalog.schema_entries.get(oid, {"name": name}))
            entry.setdefault("owner", owner)
            entry["acl"] = apply_grant(
                acl,
                owner=owner,
                grantor=grantor,
                grantees=grantees,
                letters=letters,
                is_grant=node.is_grant,
                grant_option=node.grant_option,
            )
            writer.write_schema(oid, entry)
        return
    if node.objtype not in (pb.OBJECT_TABLE,):
        raise TideError(
            "GRANT is supported on tables, views and schemas only",
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
    letters = _wanted(node, TABLE_PRIVILEGES, ALL_TABLE, "table")
    tables: list[C.TableDef] = []
    if node.targtype == pb.ACL_TARGET_ALL_IN_SCHEMA:
        for item in node.objects:
            name = item.string.sval
            oid = catalog.schema_oid(name)
            if oid is None:
                raise TideError(
                    f'schema "{name}" does not exist', sqlstate=sqlstates.INVALID_SCHEMA_NAME
                )
            tables += [
                C.TableDef.from_json(t.to_json())
                for t in catalog.tables.values()
                if t.schema_oid == oid and t.kind in ("r", "v")
            ]
    else:
        for item in node.objects:
            relation = item.range_var
            tables.append(
                writer.get_table(
                    relation.relname, relation.schemaname or None, session.search_path()
                )
            )
    for table in tables:
        acl = table_acl(table)
        grantor = _grantor(catalog, session, table.owner, acl, letters)
        if not grantor:
            raise denied("view" if table.kind == "v" else "table", table.name)
        table.acl = apply_grant(
            acl,
            owner=table.owner,
            grantor=grantor,
            grantees=grantees,
            letters=letters,
            is_grant=node.is_grant,
            grant_option=node.grant_option,
        )
        writer.write_table(table)


async def execute_grant_role(session: Any, node: Any) -> None:
    """GRANT role TO role / REVOKE role FROM role: membership (``member_of``), which
    gives the member the role's privileges and ownerships."""
    import json

    from tidesql.sql.roles import bump_catalog_version, role_key

    sql_txn = await session.ensure_transaction()
    txn = sql_txn.core
    catalog: C.Catalog = sql_txn.catalog
    if not is_superuser(catalog, session.user):
        raise TideError(
            "permission denied to grant role", sqlstate=sqlstates.INSUFFICIENT_PRIVILEGE
        )
    granted = [p.access_priv.priv_name for p in node.granted_roles]
    for name in granted:
        if not role_exists(catalog, name):
            raise TideError(f'role "{name}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT)
    for member in _grantees(catalog, session, node.grantee_roles):
        if member in ("", ADMIN):
            raise TideError(
                "cannot change the membership of admin or PUBLIC",
                sqlstate=sqlstates.INVALID_GRANT_OPERATION,
            )
        raw = await txn.get(role_key(member))
        assert raw is not None
        role = json.loads(raw)
        member_of = list(role.get("member_of", []))
        for name in granted:
            if node.is_grant:
                if name == member or member in roles_of(catalog, name):
                    raise TideError(
                        f'role "{name}" is a member of role "{member}"',
                        sqlstate=sqlstates.INVALID_GRANT_OPERATION,
                    )
                if name not in member_of:
                    member_of.append(name)
            elif name in member_of:
                member_of.remove(name)
        role["member_of"] = member_of
        txn.put(role_key(member), json.dumps(role).encode(), is_row=False)
    await bump_catalog_version(txn)
    sql_txn.ddl_count += 1


def privilege_letters(text: str, names: dict[str, str]) -> list[tuple[str, bool]]:
    """``'SELECT, INSERT WITH GRANT OPTION'`` → [("r", False), ("a", True)]."""
    out = []
    for part in text.split(","):
        words = part.strip().lower()
        grant_option = words.endswith(" with grant option")
        if grant_option:
            words = words[: -len(" with grant option")].strip()
        letter = names.get(words)
        if letter is None:
            raise TideError(
                f'unrecognized privilege type: "{part.strip()}"',
                sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
            )
        out.append((letter, grant_option))
    return out


def has_table_privilege(catalog: C.Catalog, role: str, table: C.TableDef, privileges: str) -> bool:
    """has_table_privilege: true when the role holds any of the listed privileges."""
    for letter, grant_option in privilege_letters(privileges, TABLE_PRIVILEGES):
        if grant_option:
            roles = roles_of(catalog, role)
            if (
                is_superuser(catalog, role)
                or table.owner in roles
                or _holds(table_acl(table), roles, letter, grant_option=True)
            ):
                return True
        elif has_table(catalog, role, table, letter):
            return True
    return False


def has_schema_privilege(catalog: C.Catalog, role: str, schema_oid: int, privileges: str) -> bool:
    return any(
        has_schema(catalog, role, schema_oid, letter)
        for letter, _ in privilege_letters(privileges, SCHEMA_PRIVILEGES)
    )
