"""Errors that reach a client carry a PostgreSQL SQLSTATE; broken invariants crash.

Every error the system reports to a user is a :class:`TideError` (or a subclass) with
the SQLSTATE PostgreSQL would use, a message, and optionally a detail and a hint, so
the protocol layer can turn it into an ErrorResponse without guessing.

A broken internal invariant is different: it means the code is wrong, and carrying on
could lose or corrupt data, so :func:`invariant` raises :class:`InvariantViolation`,
which nothing catches. We do not use ``assert`` for this because ``python -O`` strips it.
"""

from __future__ import annotations

from tidesql import sqlstates


class TideError(Exception):
    """An error with a SQLSTATE, reported to the client as an ErrorResponse."""

    sqlstate: str = sqlstates.INTERNAL_ERROR

    def __init__(
        self,
        message: str,
        *,
        sqlstate: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if sqlstate is not None:
            self.sqlstate = sqlstate
        self.detail = detail
        self.hint = hint

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sqlstate}: {self.message!r})"


class SerializationFailure(TideError):
    """A transaction lost an optimistic concurrency check (SQLSTATE 40001)."""

    sqlstate = sqlstates.SERIALIZATION_FAILURE


class ProgramLimitExceeded(TideError):
    """A transaction went over one of DSQL's limits (SQLSTATE 54000)."""

    sqlstate = sqlstates.PROGRAM_LIMIT_EXCEEDED


class ReadTimeout(TideError):
    """A replica could not serve a read within its bound (SQLSTATE 57014)."""

    sqlstate = sqlstates.QUERY_CANCELED


class TransactionStateError(TideError):
    """An operation on a transaction that is no longer open (SQLSTATE 25000)."""

    sqlstate = sqlstates.INVALID_TRANSACTION_STATE


class InvariantViolation(Exception):
    """An internal invariant does not hold: a bug. Never caught."""


def invariant(condition: bool, message: str) -> None:
    """Crash if ``condition`` is false. Unlike ``assert`` this survives ``python -O``."""
    if not condition:
        raise InvariantViolation(message)
