"""The planned statement: the value the plan cache holds for a query or DML (its plan,
output columns and parameter types) and the ``run`` that executes it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tidesql.sql import types as T
from tidesql.sql.plan import OutputColumn, PlanNode
from tidesql.sql.result import Column, StatementResult


@dataclass
class Planned:
    kind: str
    plan: PlanNode | None
    columns: list[OutputColumn] | None
    param_types: list[T.SqlType]
    catalog_version: int
    run: Callable[[Any, Any], Awaitable[StatementResult]]
    lock_tables: set[int] = field(default_factory=set)
    #: Table oid → the privileges the statement needs (checked on every run).
    privileges: dict[int, str] = field(default_factory=dict)
    _result_columns: list[Column] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def result_columns(self) -> list[Column] | None:
        """The row description (one list per plan, shared by every result it gives, so
        that the protocol can keep what it derived from it between executions)."""
        if self.columns is None:
            return None
        columns = self._result_columns
        if columns is None:
            columns = [Column(c.name, c.type, c.table_oid, c.column_number) for c in self.columns]
            self._result_columns = columns
        return columns
