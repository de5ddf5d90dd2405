"""What executing a statement gives back to the protocol layer: plain values.

The SQL engine never formats bytes for the wire; it returns Python values with their
SQL types, and ``pgwire`` turns them into text or binary with ``sql/types/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tidesql.sql.types import SqlType


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a result, as RowDescription describes it."""

    name: str
    type: SqlType
    table_oid: int = 0
    column_number: int = 0


@dataclass(slots=True)
class Notice:
    severity: str
    sqlstate: str
    message: str
    detail: str | None = None
    hint: str | None = None


@dataclass(slots=True)
class StatementResult:
    """The outcome of one statement.

    ``columns is None`` for statements that return no rows (INSERT without RETURNING,
    BEGIN, SET, …); otherwise ``rows`` holds tuples of Python values in column order.
    ``command_tag`` is PostgreSQL's CommandComplete tag: ``SELECT 3``, ``INSERT 0 1``,
    ``UPDATE 2``, ``BEGIN``, ``CREATE TABLE``, …
    """

    command_tag: str
    columns: list[Column] | None = None
    rows: list[tuple[object, ...]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    #: Set by COPY … FROM STDIN / TO STDOUT: the protocol layer runs the copy sub-protocol.
    copy: CopyRequest | None = None
    #: ParameterStatus messages the protocol layer should send (SET of a reported GUC).
    parameter_status: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class CopyRequest:
    direction: str  # "in" (FROM STDIN) or "out" (TO STDOUT)
    columns: list[Column]
    csv: bool = False
    delimiter: str = "\t"
    null: str = "\\N"
    header: bool = False
    quote: str = '"'
    escape: str = '"'
    #: For COPY TO: the rows to send.
    rows: list[tuple[object, ...]] = field(default_factory=list)
