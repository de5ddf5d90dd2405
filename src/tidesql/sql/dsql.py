"""What DSQL refuses that PostgreSQL accepts (``--mode dsql``, the default)."""

from __future__ import annotations

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T

#: DSQL's transaction rules for DDL, refused with 0A000 (session and statements use them).
MORE_THAN_ONE_DDL = "unsupported statement: more than one DDL statement in a transaction"
DDL_AND_DML = "unsupported statement: DDL and DML in the same transaction"


def check_column_type(sql_type: T.SqlType, dsql: bool) -> None:
    """DSQL stores only its supported types in columns; arrays work in expressions only."""
    if not dsql:
        return
    if sql_type.element is not None:
        raise TideError(
            f"datatype {T.format_type(sql_type)} not supported",
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
