"""Read-only transactions: ``BEGIN READ ONLY``, ``START TRANSACTION READ ONLY``,
``SET TRANSACTION READ ONLY`` (extended mode) and ``default_transaction_read_only``.

Aurora DSQL runs PostgreSQL's transaction grammar, so a read-only transaction refuses
what PostgreSQL 16 refuses, with 25006 and PostgreSQL's words: ``cannot execute INSERT in
a read-only transaction`` — the statement's command tag (``CREATE TABLE``, ``DROP
INDEX``, ``GRANT``, ``COPY FROM``, ``SELECT FOR UPDATE``), or ``nextval()`` /
``setval()`` for the sequence functions. A SELECT with a data-modifying WITH is refused
as ``SELECT``, as PostgreSQL names it by its top-level statement.

Whether the current transaction is read-only is decided when it begins: by BEGIN's
option, else by ``default_transaction_read_only`` at that moment. Outside a block each
statement is its own transaction and takes the default. The check runs before the
statement's handler, so a refused statement writes nothing; a read-only transaction
commits with no coordination (it has no writes), as every read-only transaction does.
"""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.parser import ParsedStatement

#: Statement kind → the command tag PostgreSQL names in the refusal (kinds whose tag
#: depends on the node are in ``_TAGGERS``).
_FIXED_TAGS: dict[str, str] = {
    "insert_stmt": "INSERT",
    "update_stmt": "UPDATE",
    "delete_stmt": "DELETE",
    "merge_stmt": "MERGE",
    "truncate_stmt": "TRUNCATE TABLE",
    "create_stmt": "CREATE TABLE",
    "create_table_as_stmt": "CREATE TABLE AS",
    "index_stmt": "CREATE INDEX",
    "view_stmt": "CREATE VIEW",
    "create_schema_stmt": "CREATE SCHEMA",
    "create_seq_stmt": "CREATE SEQUENCE",
    "alter_seq_stmt": "ALTER SEQUENCE",
    "create_function_stmt": "CREATE FUNCTION",
    "create_domain_stmt": "CREATE DOMAIN",
    "comment_stmt": "COMMENT",
    "create_role_stmt": "CREATE ROLE",
    "alter_role_stmt": "ALTER ROLE",
    "drop_role_stmt": "DROP ROLE",
}

_OBJECT_WORDS: dict[int, str] = {
    pb.OBJECT_MATVIEW: "MATERIALIZED VIEW",
    pb.OBJECT_FOREIGN_TABLE: "FOREIGN TABLE",
}


def _object_word(object_type: int) -> str:
    word = _OBJECT_WORDS.get(object_type)
    if word is not None:
        return word
    name: str = pb.ObjectType.Name(object_type)
    return name.removeprefix("OBJECT_").replace("_", " ")


def _drop(node: Any) -> str:
    return f"DROP {_object_word(node.remove_type)}"


def _alter_table(node: Any) -> str:
    return f"ALTER {_object_word(node.objtype)}"


def _rename(node: Any) -> str:
    # RENAME COLUMN / CONSTRAINT is named after the relation, as PostgreSQL does.
    if node.rename_type in (pb.OBJECT_COLUMN, pb.OBJECT_TABCONSTRAINT):
        return f"ALTER {_object_word(node.relation_type)}"
    return f"ALTER {_object_word(node.rename_type)}"


def _alter_schema(node: Any) -> str:
    return f"ALTER {_object_word(node.object_type)}"


def _grant(node: Any) -> str:
    return "GRANT" if node.is_grant else "REVOKE"


def _copy(node: Any) -> str | None:
    return "COPY FROM" if node.is_from else None


def _select(node: Any) -> str | None:
    for cte in node.with_clause.ctes if node.HasField("with_clause") else ():
        if cte.common_table_expr.ctequery.WhichOneof("node") != "select_stmt":
            return "SELECT"
    strongest = max((c.locking_clause.strength for c in node.locking_clause), default=None)
    return None if strongest is None else _LOCK_TAGS.get(strongest)


_LOCK_TAGS = {
    pb.LCS_FORKEYSHARE: "SELECT FOR KEY SHARE",
    pb.LCS_FORSHARE: "SELECT FOR SHARE",
    pb.LCS_FORNOKEYUPDATE: "SELECT FOR NO KEY UPDATE",
    pb.LCS_FORUPDATE: "SELECT FOR UPDATE",
}

_TAGGERS = {
    "drop_stmt": _drop,
    "alter_table_stmt": _alter_table,
    "rename_stmt": _rename,
    "alter_object_schema_stmt": _alter_schema,
    "alter_owner_stmt": _alter_schema,
    "grant_stmt": _grant,
    "grant_role_stmt": lambda node: "GRANT" if node.is_grant else "REVOKE",
    "copy_stmt": _copy,
    "select_stmt": _select,
}


def writing_command(statement: ParsedStatement) -> str | None:
    """The command tag a read-only transaction refuses this statement under, or None
    when the statement may run in one."""
    tag = _FIXED_TAGS.get(statement.kind)
    if tag is not None:
        return tag
    tagger = _TAGGERS.get(statement.kind)
    return None if tagger is None else tagger(statement.node)


def refusal(command: str) -> TideError:
    return TideError(
        f"cannot execute {command} in a read-only transaction",
        sqlstate=sqlstates.READ_ONLY_SQL_TRANSACTION,
    )


def check_statement(session: Any, statement: ParsedStatement) -> None:
    if not session.transaction_read_only():
        return
    command = writing_command(statement)
    if command is not None:
        raise refusal(command)


def check_function(session: Any, function_name: str) -> None:
    """``nextval()`` and ``setval()`` change a sequence, which a read-only transaction
    may not (currval and lastval only read the session's own values)."""
    if session.transaction_read_only():
        raise refusal(f"{function_name}()")
