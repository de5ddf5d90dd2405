"""SET, RESET and SHOW of session settings (SET TRANSACTION included), with the
settings DSQL fixes."""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import dsql
from tidesql.sql import types as T
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind
from tidesql.sql.result import Column, StatementResult
from tidesql.sql.statements.transactions import (
    _isolation_option,
    _read_only_option,
    set_transaction_read_only,
)


async def _set(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    node = statement.node
    kind = node.kind
    name = node.name.lower()
    if session.engine.mode == "dsql":
        _check_dsql_set(session, node, name)
    if kind == pb.VAR_SET_MULTI:
        if name in ("transaction", "session characteristics"):
            level = _isolation_option(session, node.args)
            read_only = _read_only_option(node.args)
            if read_only is not None:
                if name == "transaction":
                    set_transaction_read_only(session, read_only)
                else:
                    session.settings["default_transaction_read_only"] = "on" if read_only else "off"
            if level is not None:
                if name == "transaction":
                    if (
                        session.transaction is not None
                        and session.transaction.core.state.read_keys is None
                    ):
                        pass
                    session.block_isolation = level
                else:
                    session.settings["default_transaction_isolation"] = level.value
            return StatementResult("SET")
        raise TideError(f"SET {name} is not supported", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)
    if kind in (pb.VAR_RESET, pb.VAR_SET_DEFAULT):
        from tidesql.sql.session import DEFAULT_SETTINGS

        session.get_setting(name)
        reported = session.set_setting(name, DEFAULT_SETTINGS.get(name, ""), local=node.is_local)
        return StatementResult(
            "RESET" if kind == pb.VAR_RESET else "SET", parameter_status=reported
        )
    if kind == pb.VAR_RESET_ALL:
        from tidesql.sql.session import DEFAULT_SETTINGS, READ_ONLY_SETTINGS

        # RESET ALL leaves what no SET can change, and what belongs to the session's
        # login or to the transaction rather than to its settings.
        kept = READ_ONLY_SETTINGS | {"session_authorization", "transaction_read_only"}
        reported = {}
        for setting, value in DEFAULT_SETTINGS.items():
            if setting not in kept:
                reported.update(session.set_setting(setting, value))
        return StatementResult("RESET", parameter_status=reported)
    values = []
    for arg in node.args:
        arg_kind, arg_value = node_kind(arg)
        if arg_kind == "a_const":
            which = arg_value.WhichOneof("val")
            if which == "sval":
                values.append(arg_value.sval.sval)
            elif which == "ival":
                values.append(str(arg_value.ival.ival))
            elif which == "fval":
                values.append(arg_value.fval.fval)
            elif which == "boolval":
                values.append("on" if arg_value.boolval.boolval else "off")
        elif arg_kind == "type_cast":
            inner = node_kind(arg_value.arg)[1]
            values.append(
                inner.sval.sval if inner.WhichOneof("val") == "sval" else str(inner.ival.ival)
            )
        else:
            raise TideError("unsupported SET value", sqlstate=sqlstates.SYNTAX_ERROR)
    value = ", ".join(values)
    if name == "timezone" and node.args and not values:
        value = "UTC"
    reported = session.set_setting(name, value, local=node.is_local)
    return StatementResult("SET", parameter_status=reported)


def _check_dsql_set(session: Any, node: Any, name: str) -> None:
    """DSQL fixes the isolation level: SET TRANSACTION … and SET of the isolation settings
    are refused, a level other than REPEATABLE READ with its own message."""
    if node.kind == pb.VAR_SET_MULTI and name in (
        "transaction",
        "session characteristics",
    ):
        _isolation_option(session, node.args)  # "Unsupported isolation level: …" first
        raise dsql.setting_refusal("TRANSACTION")
    if name in dsql.FIXED_SETTINGS and node.kind in (pb.VAR_SET_VALUE, pb.VAR_SET_CURRENT):
        raise dsql.setting_refusal(name)


async def _show(
    session: Any, statement: ParsedStatement, params: list[Any], prepared: Any
) -> StatementResult:
    name = statement.node.name.lower()
    if name == "all":
        rows: list[tuple[object, ...]] = [
            (k, session.get_setting(k), "") for k in sorted(session.settings)
        ]
        return StatementResult(
            "SHOW",
            [Column("name", T.TEXT), Column("setting", T.TEXT), Column("description", T.TEXT)],
            rows,
        )
    if name == "transaction isolation level":
        name = "transaction_isolation"
    if name == "transaction_isolation":
        level = session.block_isolation
        if session.transaction is not None:
            level = session.transaction.core.state.isolation
        value = (
            level.value if level is not None else session.settings["default_transaction_isolation"]
        )
        return StatementResult("SHOW", [Column(name, T.TEXT)], [(value,)])
    value = session.get_setting(name)
    display = (
        name
        if name not in ("timezone", "datestyle", "intervalstyle")
        else {"timezone": "TimeZone", "datestyle": "DateStyle", "intervalstyle": "IntervalStyle"}[
            name
        ]
    )
    return StatementResult("SHOW", [Column(display, T.TEXT)], [(value,)])
