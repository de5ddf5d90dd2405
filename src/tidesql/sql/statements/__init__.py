"""Statement handlers: planning and running each kind of SQL statement.

Queries and DML are planned into a ``Planned`` (cached by text, catalog version, search
path and declared parameter types) and run against the session's transaction; the
utility statements (transaction control, SET/SHOW, EXPLAIN, COPY) and DDL are handled
directly.
"""

from tidesql.sql.statements.handlers import HANDLERS, Handler
from tidesql.sql.statements.planned import Planned
from tidesql.sql.statements.planning import PLANNERS, _virtual_tables, lock_modes, plan_statement
from tidesql.sql.statements.running import _check_dsql_mix, _run_planned
from tidesql.sql.statements.transactions import check_isolation, set_transaction_read_only
from tidesql.sql.statements.utility import unsupported
from tidesql.sql.statements.writes import (
    _compile_checks,
    _default_exprs,
    _full_scope,
    _parse_expression,
)

__all__ = [
    "HANDLERS",
    "PLANNERS",
    "Handler",
    "Planned",
    "_check_dsql_mix",
    "_compile_checks",
    "_default_exprs",
    "_full_scope",
    "_parse_expression",
    "_run_planned",
    "_virtual_tables",
    "check_isolation",
    "lock_modes",
    "plan_statement",
    "set_transaction_read_only",
    "unsupported",
]
