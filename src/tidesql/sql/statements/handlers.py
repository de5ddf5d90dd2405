"""The ``HANDLERS`` table: statement kind → the handler that runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tidesql.sql.ddl.handlers import _HANDLERS as DDL_HANDLERS
from tidesql.sql.foreign_keys import set_constraints
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.result import StatementResult
from tidesql.sql.statements.running import _run_planned, _select
from tidesql.sql.statements.set_show import _set, _show
from tidesql.sql.statements.transactions import _transaction
from tidesql.sql.statements.utility import (
    _close_all_or_unlisten,
    _copy,
    _ddl,
    _deallocate,
    _discard,
    _explain,
    _grant_role,
    _roles,
    _vacuum_or_analyze,
)

Handler = Callable[[Any, ParsedStatement, list[Any], Any], Awaitable[StatementResult]]


HANDLERS: dict[str, Handler] = {
    "select_stmt": _select,
    "insert_stmt": _run_planned,
    "update_stmt": _run_planned,
    "delete_stmt": _run_planned,
    "transaction_stmt": _transaction,
    "variable_set_stmt": _set,
    "variable_show_stmt": _show,
    "explain_stmt": _explain,
    "discard_stmt": _discard,
    "deallocate_stmt": _deallocate,
    "copy_stmt": _copy,
    "create_role_stmt": _roles,
    "alter_role_stmt": _roles,
    "drop_role_stmt": _roles,
    "grant_role_stmt": _grant_role,
    "close_portal_stmt": _close_all_or_unlisten,
    "unlisten_stmt": _close_all_or_unlisten,
    "vacuum_stmt": _vacuum_or_analyze,
    "constraints_set_stmt": set_constraints,
}
# Every statement the DDL module has a handler for goes there (one table, in ddl).
for _kind in DDL_HANDLERS:
    HANDLERS[_kind] = _ddl
