"""What DSQL refuses that PostgreSQL accepts (``--mode dsql``, the default)."""

from __future__ import annotations

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T


def check_column_type(sql_type: T.SqlType, dsql: bool) -> None:
    """DSQL stores only its supported types in columns; arrays work in expressions only."""
    if not dsql:
        return
    if sql_type.element is not None:
        raise TideError(
            f"datatype {T.format_type(sql_type)} not supported",
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
