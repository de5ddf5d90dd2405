"""Transaction commands: BEGIN, COMMIT, ROLLBACK, savepoints, and the isolation level
and access mode options they and SET TRANSACTION share."""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import dsql
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind
from tidesql.sql.result import StatementResult
from tidesql.txn import Isolation


async def _transaction(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    node = statement.node
    kind = node.kind
    if kind in (pb.TRANS_STMT_BEGIN, pb.TRANS_STMT_START):
        isolation = _isolation_option(session, node.options)
        read_only = _read_only_option(node.options)
        if session.in_block:
            return StatementResult(
                "BEGIN", notices=[_notice("25001", "there is already a transaction in progress")]
            )
        if read_only is None:
            read_only = session.settings["default_transaction_read_only"] == "on"
        session.in_block = True
        session.block_isolation = isolation
        session.block_read_only = read_only
        return StatementResult("BEGIN")
    if kind in (pb.TRANS_STMT_COMMIT,):
        if not session.in_block:
            return StatementResult(
                "COMMIT", notices=[_notice("25P01", "there is no transaction in progress")]
            )
        before = session.reported_values()
        if session.failed:
            session._rollback()
            return StatementResult("ROLLBACK", parameter_status=_changed(session, before))
        await session._commit()
        return StatementResult("COMMIT", parameter_status=_changed(session, before))
    if kind in (pb.TRANS_STMT_ROLLBACK,):
        if not session.in_block:
            session._rollback()
            return StatementResult(
                "ROLLBACK", notices=[_notice("25P01", "there is no transaction in progress")]
            )
        before = session.reported_values()
        session._rollback()
        return StatementResult("ROLLBACK", parameter_status=_changed(session, before))
    if kind in (pb.TRANS_STMT_SAVEPOINT, pb.TRANS_STMT_RELEASE, pb.TRANS_STMT_ROLLBACK_TO):
        if session.engine.mode == "dsql":
            raise TideError("SAVEPOINT is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)
        name = node.savepoint_name
        if kind == pb.TRANS_STMT_SAVEPOINT:
            await session.savepoint(name)
            return StatementResult("SAVEPOINT")
        if kind == pb.TRANS_STMT_RELEASE:
            session.release_savepoint(name)
            return StatementResult("RELEASE")
        return StatementResult("ROLLBACK", parameter_status=session.rollback_to_savepoint(name))
    raise TideError(
        "this transaction command is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
    )


def _changed(session: Any, before: dict[str, str]) -> dict[str, str]:
    """Reported settings whose value the end of a block changed (SET LOCAL reverting, or
    a ROLLBACK undoing a SET): PostgreSQL sends ParameterStatus for them."""
    after: dict[str, str] = session.reported_values()
    return {name: value for name, value in after.items() if before.get(name) != value}


def _notice(code: str, message: str) -> Any:
    from tidesql.sql.result import Notice

    return Notice("WARNING", code, message)


def _isolation_option(session: Any, options: Any) -> Isolation | None:
    isolation = None
    for option in options:
        element = option.def_elem
        if element.defname == "transaction_isolation":
            level = node_kind(element.arg)[1].sval.sval.lower()
            isolation = check_isolation(session, level)
    return isolation


def _read_only_option(options: Any) -> bool | None:
    """READ ONLY → True, READ WRITE → False, neither → None (the last one given wins)."""
    read_only = None
    for option in options:
        element = option.def_elem
        if element.defname == "transaction_read_only":
            read_only = bool(node_kind(element.arg)[1].ival.ival)
    return read_only


def set_transaction_read_only(session: Any, read_only: bool) -> None:
    """SET TRANSACTION READ ONLY / READ WRITE, or SET transaction_read_only: the current
    block's access mode (outside a block the statement's own transaction ends at once)."""
    transaction = session.transaction
    if not read_only and transaction is not None and transaction.read_only:
        # The transaction has already run a statement (it is opened lazily).
        raise TideError(
            "transaction read-write mode must be set before any query",
            sqlstate=sqlstates.ACTIVE_SQL_TRANSACTION,
        )
    if transaction is not None:
        transaction.read_only = read_only
    if session.in_block:
        session.block_read_only = read_only


def check_isolation(session: Any, level: str) -> Isolation:
    from tidesql.sql.session import ISOLATION_NAMES

    if session.engine.mode == "dsql" and level != "repeatable read":
        raise dsql.isolation_refusal(level)
    return ISOLATION_NAMES[level]
