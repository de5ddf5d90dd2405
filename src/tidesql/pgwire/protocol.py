"""The query protocol of one authenticated connection, as a state machine without sockets.

:class:`QueryProtocol` consumes decoded frontend messages (:meth:`handle`), drives the
engine through the async :class:`SessionLike` interface, and produces backend messages
into an output buffer that the server writes (:meth:`take_output`). It never reads or
writes a socket, so it can be driven by a test, a fuzzer or the asyncio server alike.

Simple query protocol — one Query message, any number of statements::

    C: Query "INSERT …; SELECT …"
    S:   CommandComplete "INSERT 0 1"                     one block per statement
    S:   RowDescription, DataRow*, CommandComplete "SELECT n"
    S: ReadyForQuery (I | T | E)

    An error stops the rest: ErrorResponse, then ReadyForQuery. An empty string gives
    EmptyQueryResponse instead of any CommandComplete.

Extended query protocol — batches that end with Sync::

    C: Parse(stmt, sql, types)  S: ParseComplete
    C: Bind(portal, stmt, …)    S: BindComplete
    C: Describe(S stmt)         S: ParameterDescription, RowDescription | NoData
    C: Describe(P portal)       S: RowDescription (with the Bind's formats) | NoData
    C: Execute(portal, n)       S: DataRow* then CommandComplete,
                                    or exactly n DataRows then PortalSuspended
    C: Execute(portal, n)       S: … resumes where the last one stopped
    C: Close(S|P name)          S: CloseComplete
    C: Sync                     S: ReadyForQuery        (ends an implicit transaction)

    After an error in any of these messages the server answers nothing more until Sync:
    READY ──error──▶ SKIP_UNTIL_SYNC ──Sync──▶ READY (ReadyForQuery).

COPY, from either protocol::

    FROM STDIN:  S: CopyInResponse   C: CopyData* then CopyDone | CopyFail
                 S: CommandComplete "COPY n" | ErrorResponse
    TO STDOUT:   S: CopyOutResponse, CopyData per row, CopyDone, CommandComplete

The states and what moves between them (every move goes through ``_transition``,
which checks it against ``_TRANSITIONS``)::

    from             on                                              to
    ───────────────  ──────────────────────────────────────────────  ───────────────
    READY            error in Parse/Bind/Describe/Execute/Close/Flush  SKIP_UNTIL_SYNC
    READY            COPY … FROM STDIN (from Query or Execute)       COPY_IN
    SKIP_UNTIL_SYNC  Sync (answered with ReadyForQuery)              READY
    COPY_IN          CopyDone                                        READY
    COPY_IN          error or CopyFail, the COPY came from Query     READY (+ ReadyForQuery)
    COPY_IN          error or CopyFail, the COPY came from Execute   SKIP_UNTIL_SYNC
    any              Terminate, or the connection is gone            CLOSED

Semantics copied from PostgreSQL, because clients depend on them:

* The unnamed statement is replaced by the next Parse of "" and dropped by a simple
  Query; the unnamed portal is replaced by the next Bind to "". Named ones must be
  closed first (42P05 / 42P03 otherwise).
* A portal is executed at its first Execute; its rows are held with a cursor so an
  Execute with a row limit can be resumed. Portals end with their transaction: when a
  Sync or Query leaves the session idle, every portal is dropped.
* In COPY_IN, Flush and Sync are ignored (libpq sends a Sync right after an Execute it
  did not know was a COPY); any other message aborts the COPY with 08P01. After an
  aborted COPY from a simple Query, stray CopyData/CopyDone/CopyFail are dropped.
* ParameterStatus for settings a statement changed is sent before the next
  ReadyForQuery, as PostgreSQL 14+ does.
* A TideError becomes an ErrorResponse with its SQLSTATE, message, detail, hint and
  position; any other exception from the engine becomes XX000 with its text and is
  logged with its traceback. Neither ends the connection. InvariantViolation is never
  caught.

What a statement prepared once and executed again and again costs, per execution (the
pgbench pattern: Bind, Describe portal, Execute, Sync in one packet): the server hands
over the whole packet at once (:meth:`QueryProtocol.handle_buffered`); Bind, Describe,
Close and Flush are plain functions and only Execute (and a Sync that commits) is a
coroutine; the RowDescription for each set of result format codes, the checked codes
and the DataRow encoder are kept on the statement; ReadyForQuery and the common
CommandComplete tags are encoded once. Nothing of this changes what goes on the wire.
"""

from __future__ import annotations

import enum
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import CoroutineType
from typing import Any, Protocol, TypeVar, cast

from tidesql import sqlstates
from tidesql.errors import InvariantViolation, TideError, invariant
from tidesql.pgwire import copyformat, messages, values
from tidesql.pgwire.messages import (
    AuthenticationResponse,
    Bind,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    ErrorFields,
    Execute,
    Flush,
    FrontendMessage,
    FunctionCall,
    Parse,
    ProtocolViolation,
    Query,
    Sync,
    Terminate,
)
from tidesql.sql.result import Column, CopyRequest, Notice, StatementResult
from tidesql.sql.types import FormatSettings, SqlType

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Pending output above this is written out (and drained) in the middle of a result.
OUTPUT_BYTES_HIGH = 256 * 1024
#: COPY FROM STDIN data held for one COPY before it is refused (54000).
COPY_IN_BYTES_MAX_DEFAULT = 256 * 1024 * 1024
#: Rows encoded between two checks of the output buffer.
_ROWS_PER_OUTPUT_CHECK = 256


# ---------------------------------------------------------------------------------------
# What the protocol needs from the engine
# ---------------------------------------------------------------------------------------


class PreparedLike(Protocol):
    """What ``Session.prepare`` returns, as far as the protocol is concerned."""

    @property
    def param_types(self) -> Sequence[SqlType]: ...

    @property
    def columns(self) -> Sequence[Column] | None: ...


class SessionLike(Protocol):
    """The Session interface of ``tidesql.sql.session``, structurally.

    Methods may be coroutines or plain functions; the protocol awaits what is awaitable.
    """

    @property
    def parameters(self) -> Mapping[str, str]: ...

    @property
    def transaction_status(self) -> str: ...

    def execute_simple(self, sql: str) -> AsyncIterator[StatementResult]: ...

    def prepare(
        self, sql: str, param_type_oids: list[int]
    ) -> Awaitable[PreparedLike] | PreparedLike: ...

    # ``prepared`` is whatever ``prepare`` returned (typed Any so that an engine may
    # declare its own PreparedStatement class here).
    def execute_prepared(
        self, prepared: Any, params: list[Any]
    ) -> Awaitable[StatementResult] | StatementResult: ...

    def copy_in(self, request: CopyRequest, rows: list[list[str | None]]) -> object: ...

    def sync(self) -> object: ...

    def cancel(self) -> object: ...

    def close(self) -> object: ...


def _require(value: T | None, message: str) -> T:
    """``value``, which the protocol's state guarantees is there; crash if it is not."""
    if value is None:
        raise InvariantViolation(message)
    return value


async def resolve(value: Awaitable[T] | T) -> T:
    """Await ``value`` if it is awaitable (engine methods may be sync or async)."""
    if inspect.isawaitable(value):
        return await cast(Awaitable[T], value)
    return value


# ---------------------------------------------------------------------------------------
# Errors → ErrorResponse
# ---------------------------------------------------------------------------------------


def error_fields(error: BaseException, severity: str = "ERROR") -> ErrorFields:
    """The ErrorResponse fields for an exception (XX000 for anything not a TideError)."""
    if isinstance(error, TideError):
        position = getattr(error, "position", None)
        where = getattr(error, "where", None)
        return ErrorFields(
            severity=severity,
            sqlstate=error.sqlstate,
            message=error.message,
            detail=error.detail,
            hint=error.hint,
            position=position if isinstance(position, int) and position > 0 else None,
            extra={"W": where} if isinstance(where, str) and where else {},
        )
    return ErrorFields(
        severity=severity,
        sqlstate=sqlstates.INTERNAL_ERROR,
        message=str(error) or type(error).__name__,
    )


def notice_fields(notice: Notice) -> ErrorFields:
    return ErrorFields(
        severity=notice.severity,
        sqlstate=notice.sqlstate,
        message=notice.message,
        detail=notice.detail,
        hint=notice.hint,
    )


# ---------------------------------------------------------------------------------------
# Connection state
# ---------------------------------------------------------------------------------------


class State(enum.Enum):
    READY = "ready"
    SKIP_UNTIL_SYNC = "skip until sync"
    COPY_IN = "copy in"
    CLOSED = "closed"


_TRANSITIONS: dict[State, frozenset[State]] = {
    State.READY: frozenset({State.SKIP_UNTIL_SYNC, State.COPY_IN, State.CLOSED}),
    State.SKIP_UNTIL_SYNC: frozenset({State.READY, State.CLOSED}),
    State.COPY_IN: frozenset({State.READY, State.SKIP_UNTIL_SYNC, State.CLOSED}),
    State.CLOSED: frozenset(),
}


class _Origin(enum.Enum):
    SIMPLE = "simple"
    EXTENDED = "extended"


_CachedRowEncoder = tuple[Sequence[Column], tuple[int, ...], FormatSettings, values.RowEncoder]


@dataclass(slots=True)
class _Statement:
    name: str
    sql: str
    #: None for an empty query string: Execute answers EmptyQueryResponse.
    prepared: PreparedLike | None
    param_types: list[SqlType]
    param_count: int
    columns: list[Column] | None
    # What a statement executed again and again would otherwise rebuild every time,
    # remembered per result format codes (the client picks them at each Bind): the
    # checked codes, and the encoded RowDescription of ``columns``.
    result_formats: dict[tuple[int, ...], list[int]] = field(default_factory=dict)
    row_descriptions: dict[tuple[int, ...], bytes] = field(default_factory=dict)
    #: The DataRow encoder of the last execution: (columns, formats, settings, encoder).
    row_encoder: _CachedRowEncoder | None = None


@dataclass(slots=True)
class _Portal:
    name: str
    statement: _Statement
    params: list[object]
    result_format_codes: tuple[int, ...]
    result: StatementResult | None = None
    cursor: int = 0
    done: bool = False
    encoder: values.RowEncoder | None = None


@dataclass(slots=True)
class _CopyIn:
    request: CopyRequest
    origin: _Origin
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0


@dataclass(slots=True)
class _SimpleQuery:
    results: AsyncIterator[StatementResult]
    any_result: bool = False


class QueryProtocol:
    """One connection's query protocol over a session (see the module docstring)."""

    def __init__(
        self,
        session: SessionLike,
        *,
        flush: Callable[[bytes], Awaitable[None]] | None = None,
        copy_in_bytes_max: int = COPY_IN_BYTES_MAX_DEFAULT,
        output_bytes_high: int = OUTPUT_BYTES_HIGH,
    ) -> None:
        self.session = session
        self.state = State.READY
        self._flush = flush
        self._copy_in_bytes_max = copy_in_bytes_max
        self._output_bytes_high = output_bytes_high
        self._output: list[bytes] = []
        self._output_bytes = 0
        self._statements: dict[str, _Statement] = {}
        self._portals: dict[str, _Portal] = {}
        self._copy: _CopyIn | None = None
        self._simple: _SimpleQuery | None = None
        self._pending_status: dict[str, str] = {}
        format_settings = getattr(session, "format_settings", None)
        self._format_settings: Callable[[], object] | None = (
            format_settings if callable(format_settings) else None
        )
        # Handlers that finish at once return None; the others return what to await.
        # (Each takes the message type it is registered for.)
        self._dispatch: dict[type, Callable[[Any], Awaitable[None] | None]] = {
            Query: self._on_query,
            Parse: self._on_parse,
            Bind: self._on_bind,
            Describe: self._on_describe,
            Execute: self._on_execute,
            Sync: self._on_sync,
            Flush: self._on_flush,
            Close: self._on_close,
            Terminate: self._on_terminate,
            FunctionCall: self._on_function_call,
            CopyData: self._on_stray_copy,
            CopyDone: self._on_stray_copy,
            CopyFail: self._on_stray_copy,
            AuthenticationResponse: self._on_unexpected_auth,
        }

    # -- state -------------------------------------------------------------------------

    def _transition(self, target: State) -> None:
        invariant(
            target in _TRANSITIONS[self.state],
            f"protocol cannot go from {self.state.value} to {target.value}",
        )
        self.state = target

    @property
    def closed(self) -> bool:
        return self.state is State.CLOSED

    # -- output ------------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        self._output.append(data)
        self._output_bytes += len(data)

    def take_output(self) -> bytes:
        """Everything produced since the last call, ready for the socket."""
        data = b"".join(self._output)
        self._output.clear()
        self._output_bytes = 0
        return data

    async def _drain_if_full(self) -> None:
        if self._flush is not None and self._output_bytes >= self._output_bytes_high:
            await self._flush(self.take_output())

    def _send_error(self, error: BaseException) -> None:
        if not isinstance(error, TideError):
            log.error("internal error in a session", exc_info=error)
        self._send(messages.encode_error_response(error_fields(error)))

    def _send_ready_for_query(self) -> None:
        if self._pending_status:
            for name, value in self._pending_status.items():
                self._send(messages.encode_parameter_status(name, value))
            self._pending_status.clear()
        status = self.session.transaction_status
        ready = _READY_FOR_QUERY.get(status)
        if ready is None:
            raise InvariantViolation(f"invalid transaction status {status!r}")
        self._send(ready)
        if status == "I" and self._portals:
            # Portals live as long as their transaction.
            self._portals.clear()

    def greet(self, process_id: int, secret_key: int) -> None:
        """After authentication: ParameterStatus*, BackendKeyData, ReadyForQuery."""
        for name, value in self.session.parameters.items():
            self._send(messages.encode_parameter_status(name, value))
        self._send(messages.encode_backend_key_data(process_id, secret_key))
        self._send_ready_for_query()

    def _settings(self) -> FormatSettings:
        """How values are formatted: the session's own settings when it offers them
        (``format_settings``, attribute or method), else derived from its parameters."""
        method = self._format_settings
        if method is not None:
            settings = method()
        else:
            settings = getattr(self.session, "format_settings", None)
        if isinstance(settings, FormatSettings):
            return settings
        return values.settings_from_parameters(self.session.parameters)

    # -- input -------------------------------------------------------------------------

    async def handle(self, message: FrontendMessage) -> None:
        """Consume one frontend message."""
        state = self.state
        if state is not State.READY:
            if state is State.CLOSED:
                return
            if state is State.COPY_IN:
                await self._on_copy_in_message(message)
                return
            if state is State.SKIP_UNTIL_SYNC and not isinstance(message, Sync | Terminate):
                return
        try:
            pending = self._dispatch[type(message)](message)
            if pending is not None:
                await pending
        except InvariantViolation:
            raise
        except Exception as error:
            self._handler_failed(error)

    async def handle_buffered(self, decoder: messages.FrameDecoder) -> None:
        """Consume every whole message ``decoder`` holds, as :meth:`handle` would one by one.

        Frames that do not decode go to :meth:`handle_violation`; a fatal violation (from
        the decoder or a handler) propagates, for the server to end the connection. The
        messages of a READY connection are dispatched here directly, which is all that
        sets this apart from a loop over :meth:`handle`: one coroutine less per message.
        """
        next_message = decoder.next_message
        dispatch = self._dispatch
        while self.state is not State.CLOSED:
            try:
                message = next_message()
            except ProtocolViolation as violation:
                if violation.fatal:
                    raise
                await self.handle_violation(violation)
                continue
            if message is None:
                return
            if self.state is not State.READY:
                await self.handle(message)
                continue
            try:
                pending = dispatch[type(message)](message)
                if pending is not None:
                    await pending
            except InvariantViolation:
                raise
            except Exception as error:
                self._handler_failed(error)

    def _handler_failed(self, error: Exception) -> None:
        """A handler raised: ErrorResponse and skip-until-Sync; a fatal violation goes on up."""
        if isinstance(error, ProtocolViolation) and error.fatal:
            raise error
        self._fail_extended(error)

    async def handle_violation(self, violation: ProtocolViolation) -> None:
        """A frame that did not decode (non-fatal): report it as the message would have."""
        invariant(not violation.fatal, "fatal violations end the connection in the server")
        kind = violation.message_type
        if self.state is State.CLOSED:
            return
        if kind == b"X":
            await self.close()  # PostgreSQL exits on Terminate without reading its body
            return
        if self.state is State.COPY_IN:
            if kind not in (b"S", b"H"):  # ignored during COPY IN, whatever their body
                await self._abort_copy(violation)
            return
        if kind in (b"d", b"c", b"f"):
            return  # stray COPY messages are dropped unread
        if kind == b"S":
            # A Sync that does not parse still ends the skip and the batch, as in
            # PostgreSQL (its type is known before its body is read).
            if self.state is State.SKIP_UNTIL_SYNC:
                self._transition(State.READY)
            self._send_error(violation)
            self._send_ready_for_query()
            return
        if self.state is State.SKIP_UNTIL_SYNC:
            return
        if kind is not None and kind[0] in messages.EXTENDED_MESSAGE_TYPES:
            self._fail_extended(violation)
            return
        self._send_error(violation)
        if kind in (b"Q", b"F"):
            self._send_ready_for_query()

    def _fail_extended(self, error: BaseException) -> None:
        self._send_error(error)
        if self.state is State.READY:
            self._transition(State.SKIP_UNTIL_SYNC)

    async def close(self) -> None:
        """The connection is going away: stop what is in flight (the server closes the session)."""
        simple, self._simple = self._simple, None
        if simple is not None:
            await _close_iterator(simple.results)
        self._copy = None
        self._portals.clear()
        self._statements.clear()
        if self.state is not State.CLOSED:
            self._transition(State.CLOSED)

    # -- simple query ------------------------------------------------------------------

    async def _on_query(self, message: FrontendMessage) -> None:
        sql = cast(Query, message).sql
        self._statements.pop("", None)
        self._portals.pop("", None)
        try:
            results = self.session.execute_simple(sql)
            if not hasattr(results, "__anext__") and inspect.isawaitable(results):
                # Tolerate an ``async def`` that returns the iterator.
                results = await cast(Awaitable[AsyncIterator[StatementResult]], results)
        except InvariantViolation:
            raise
        except Exception as error:
            self._send_error(error)
            self._send_ready_for_query()
            return
        self._simple = _SimpleQuery(results)
        await self._continue_simple()

    async def _continue_simple(self) -> None:
        """Run the rest of a simple query (again after a COPY FROM STDIN in the middle)."""
        simple = _require(self._simple, "continuing a simple query that is not running")
        try:
            while True:
                try:
                    result = await anext(simple.results)
                except StopAsyncIteration:
                    break
                simple.any_result = True
                self._note_result(result)
                if result.copy is not None:
                    if result.copy.direction == "in":
                        self._begin_copy_in(result.copy, _Origin.SIMPLE)
                        return  # resumed by CopyDone
                    await self._copy_out(result)
                    continue
                await self._send_result(result)
        except InvariantViolation:
            raise
        except Exception as error:
            await _close_iterator(simple.results)
            self._send_error(error)
        else:
            if not simple.any_result:
                self._send(messages.EMPTY_QUERY_RESPONSE)
        self._simple = None
        self._send_ready_for_query()

    def _note_result(self, result: StatementResult) -> None:
        for notice in result.notices:
            self._send(messages.encode_notice_response(notice_fields(notice)))
        self._pending_status.update(result.parameter_status)

    async def _send_result(self, result: StatementResult) -> None:
        """A statement's whole result in text format (simple protocol)."""
        if result.columns is not None:
            self._send(messages.encode_row_description(values.field_descriptions(result.columns)))
            formats = [messages.FORMAT_TEXT] * len(result.columns)
            encoder = values.row_encoder(result.columns, formats, self._settings())
            await self._send_rows(result.rows, encoder)
        self._send(_command_complete(result.command_tag))

    async def _send_rows(
        self, rows: Sequence[tuple[object, ...]], encoder: values.RowEncoder
    ) -> None:
        send = self._send
        for start in range(0, len(rows), _ROWS_PER_OUTPUT_CHECK):
            for row in rows[start : start + _ROWS_PER_OUTPUT_CHECK]:
                send(encoder(row))
            await self._drain_if_full()

    # -- extended query ----------------------------------------------------------------

    async def _on_parse(self, message: FrontendMessage) -> None:
        parse = cast(Parse, message)
        if parse.statement and parse.statement in self._statements:
            raise TideError(
                f'prepared statement "{parse.statement}" already exists',
                sqlstate=sqlstates.DUPLICATE_PREPARED_STATEMENT,
            )
        if not parse.statement:
            self._statements.pop("", None)
        if parse.sql.strip() == "":
            statement = _Statement(
                parse.statement, parse.sql, None, [], len(parse.param_type_oids), None
            )
        else:
            prepared = await resolve(self.session.prepare(parse.sql, list(parse.param_type_oids)))
            columns = None if prepared.columns is None else list(prepared.columns)
            param_types = list(prepared.param_types)
            statement = _Statement(
                parse.statement, parse.sql, prepared, param_types, len(param_types), columns
            )
        self._statements[parse.statement] = statement
        self._send(messages.PARSE_COMPLETE)

    def _statement(self, name: str) -> _Statement:
        statement = self._statements.get(name)
        if statement is None:
            what = f'prepared statement "{name}"' if name else "unnamed prepared statement"
            raise TideError(f"{what} does not exist", sqlstate=sqlstates.INVALID_SQL_STATEMENT_NAME)
        return statement

    def _portal(self, name: str) -> _Portal:
        portal = self._portals.get(name)
        if portal is None:
            raise TideError(
                f'portal "{name}" does not exist', sqlstate=sqlstates.INVALID_CURSOR_NAME
            )
        return portal

    def _on_bind(self, bind: Bind) -> None:
        statement = self._statements.get(bind.statement) or self._statement(bind.statement)
        portal_name = bind.portal
        if portal_name and portal_name in self._portals:
            raise TideError(
                f'cursor "{portal_name}" already exists', sqlstate=sqlstates.DUPLICATE_CURSOR
            )
        raw_params = bind.params
        param_count = len(raw_params)
        param_formats = bind.param_formats
        if len(param_formats) > 1 and len(param_formats) != param_count:
            raise ProtocolViolation(
                f"bind message has {len(param_formats)} parameter formats "
                f"but {param_count} parameters"
            )
        if param_count != statement.param_count:
            raise ProtocolViolation(
                f"bind message supplies {param_count} parameters, but prepared statement "
                f'"{statement.name}" requires {statement.param_count}'
            )
        formats = values.expand_format_codes(param_formats, param_count, "parameter")
        if statement.columns is not None:
            self._result_formats(statement, bind.result_formats)
        if statement.prepared is None or not param_count:
            params: list[object] = []
        else:
            params = values.decode_parameters(
                raw_params, formats, statement.param_types, self._settings()
            )
        self._portals[portal_name] = _Portal(portal_name, statement, params, bind.result_formats)
        self._send(messages.BIND_COMPLETE)

    def _result_formats(self, statement: _Statement, codes: tuple[int, ...]) -> list[int]:
        """The statement's result format codes expanded and checked (once per distinct codes)."""
        known = statement.result_formats
        formats = known.get(codes)
        if formats is None:
            columns = _require(statement.columns, "result formats of a statement without rows")
            formats = _check_result_formats(codes, len(columns))
            if len(known) >= _FORMAT_VARIANTS_MAX:
                known.clear()
            known[codes] = formats
        return formats

    def _on_describe(self, describe: Describe) -> None:
        if describe.kind == "S":
            statement = self._statement(describe.name)
            oids = [t.oid for t in statement.param_types]
            if statement.prepared is None:
                oids = [0] * statement.param_count
            self._send(messages.encode_parameter_description(oids))
            if statement.columns is None:
                self._send(messages.NO_DATA)
            else:
                self._send(self._row_description(statement, ()))
            return
        portal = self._portals.get(describe.name) or self._portal(describe.name)
        if portal.result is None:
            # Not executed yet: the statement's columns, whose description is kept.
            if portal.statement.columns is None:
                self._send(messages.NO_DATA)
            else:
                self._send(self._row_description(portal.statement, portal.result_format_codes))
            return
        columns = portal.result.columns
        formats = None
        if columns is not None:
            formats = _check_result_formats(portal.result_format_codes, len(columns))
        self._send_row_description(columns, formats)

    def _row_description(self, statement: _Statement, codes: tuple[int, ...]) -> bytes:
        """RowDescription of ``statement.columns`` in the formats ``codes`` ask for."""
        described = statement.row_descriptions.get(codes)
        if described is None:
            columns = _require(statement.columns, "row description of a statement without rows")
            formats = self._result_formats(statement, codes)
            described = messages.encode_row_description(values.field_descriptions(columns, formats))
            if len(statement.row_descriptions) >= _FORMAT_VARIANTS_MAX:
                statement.row_descriptions.clear()
            statement.row_descriptions[codes] = described
        return described

    def _send_row_description(
        self, columns: Sequence[Column] | None, formats: Sequence[int] | None
    ) -> None:
        if columns is None:
            self._send(messages.NO_DATA)
        else:
            self._send(messages.encode_row_description(values.field_descriptions(columns, formats)))

    async def _on_execute(self, execute: Execute) -> None:
        portal = self._portals.get(execute.portal) or self._portal(execute.portal)
        prepared = portal.statement.prepared
        if prepared is None:
            self._send(messages.EMPTY_QUERY_RESPONSE)
            return
        result = portal.result
        if result is None:
            outcome: Any = self.session.execute_prepared(prepared, portal.params)
            if type(outcome) is CoroutineType or inspect.isawaitable(outcome):
                outcome = await outcome
            result = outcome
            portal.result = result
            if result.notices or result.parameter_status:
                self._note_result(result)
            if result.copy is not None:
                portal.done = True
                if result.copy.direction == "in":
                    self._begin_copy_in(result.copy, _Origin.EXTENDED)
                else:
                    await self._copy_out(result)
                return
        columns = result.columns
        if columns is None:
            if portal.done:
                raise TideError(
                    f'portal "{portal.name}" cannot be run',
                    sqlstate=sqlstates.OBJECT_NOT_IN_PREREQUISITE_STATE,
                )
            portal.done = True
            if result.command_tag == "":
                # The engine's answer to a statement text with nothing in it (";", a
                # comment): PostgreSQL says EmptyQueryResponse.
                self._send(messages.EMPTY_QUERY_RESPONSE)
            else:
                self._send(_command_complete(result.command_tag))
            return
        encoder = portal.encoder
        if encoder is None:
            encoder = portal.encoder = self._row_encoder(portal, columns)
        rows = result.rows
        start = portal.cursor
        max_rows = execute.max_rows
        end = len(rows) if max_rows <= 0 else min(len(rows), start + max_rows)
        if end - start <= _ROWS_PER_OUTPUT_CHECK:
            send = self._send
            for row in rows[start:end] if start or end < len(rows) else rows:
                send(encoder(row))
            if self._flush is not None and self._output_bytes >= self._output_bytes_high:
                await self._flush(self.take_output())
        else:
            await self._send_rows(rows[start:end], encoder)
        portal.cursor = end
        if end < len(rows):
            self._send(messages.PORTAL_SUSPENDED)
            return
        suspended_before = start > 0 or portal.done
        portal.done = True
        tag = result.command_tag
        if suspended_before:
            # PostgreSQL counts the rows of this Execute only: "SELECT 1" after 2 + 2 of 5.
            words = tag.rsplit(" ", 1)
            if len(words) == 2 and words[1].isdigit():
                tag = f"{words[0]} {end - start}"
        self._send(_command_complete(tag))

    def _row_encoder(self, portal: _Portal, columns: Sequence[Column]) -> values.RowEncoder:
        """The DataRow encoder for a portal's result; reused while nothing it depends on
        (the result's columns, the portal's format codes, the session's settings) changed."""
        statement = portal.statement
        codes = portal.result_format_codes
        settings = self._settings()
        cached = statement.row_encoder
        if (
            cached is not None
            and cached[0] is columns
            and cached[2] is settings
            and cached[1] == codes
        ):
            return cached[3]
        formats = _check_result_formats(codes, len(columns))
        encoder = values.row_encoder(columns, formats, settings)
        statement.row_encoder = (columns, codes, settings, encoder)
        return encoder

    def _on_sync(self, message: FrontendMessage) -> Awaitable[None] | None:
        if self.state is State.SKIP_UNTIL_SYNC:
            self._transition(State.READY)
        try:
            pending = self.session.sync()
        except InvariantViolation:
            raise
        except Exception as error:
            self._send_error(error)
            self._send_ready_for_query()
            return None
        if pending is not None and inspect.isawaitable(pending):
            return self._finish_sync(pending)
        self._send_ready_for_query()
        return None

    async def _finish_sync(self, pending: Awaitable[object]) -> None:
        try:
            await pending
        except InvariantViolation:
            raise
        except Exception as error:
            self._send_error(error)
        self._send_ready_for_query()

    def _on_flush(self, message: FrontendMessage) -> None:
        # The server writes all pending output before it waits for more input, so a
        # Flush needs no action of its own.
        return

    def _on_close(self, close: Close) -> None:
        if close.kind == "S":
            self._statements.pop(close.name, None)
        else:
            self._portals.pop(close.name, None)
        self._send(messages.CLOSE_COMPLETE)

    async def _on_terminate(self, message: FrontendMessage) -> None:
        await self.close()

    def _on_function_call(self, message: FrontendMessage) -> None:
        self._send_error(
            TideError(
                "the function call protocol message is not supported",
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            )
        )
        self._send_ready_for_query()

    def _on_stray_copy(self, message: FrontendMessage) -> None:
        # Left over from a COPY that already failed: PostgreSQL drops these silently.
        return

    def _on_unexpected_auth(self, message: FrontendMessage) -> None:
        raise ProtocolViolation("invalid frontend message type 112", fatal=True, message_type=b"p")

    # -- COPY --------------------------------------------------------------------------

    def _begin_copy_in(self, request: CopyRequest, origin: _Origin) -> None:
        self._copy = _CopyIn(request, origin)
        self._transition(State.COPY_IN)
        self._send(messages.encode_copy_in_response(len(request.columns)))

    async def _on_copy_in_message(self, message: FrontendMessage) -> None:
        copy = _require(self._copy, "COPY_IN without a copy in progress")
        if isinstance(message, CopyData):
            copy.size += len(message.data)
            if copy.size > self._copy_in_bytes_max:
                await self._abort_copy(
                    TideError(
                        f"COPY data exceeds the limit of {self._copy_in_bytes_max} bytes",
                        sqlstate=sqlstates.PROGRAM_LIMIT_EXCEEDED,
                    )
                )
                return
            copy.chunks.append(message.data)
        elif isinstance(message, CopyDone):
            await self._finish_copy_in(copy)
        elif isinstance(message, CopyFail):
            await self._abort_copy(
                TideError(
                    f"COPY from stdin failed: {message.message}",
                    sqlstate=sqlstates.QUERY_CANCELED,
                )
            )
        elif isinstance(message, Sync | Flush):
            return
        elif isinstance(message, Terminate):
            await self.close()
        else:
            code = _message_type_code(message)
            await self._abort_copy(
                ProtocolViolation(f"unexpected message type 0x{code:02X} during COPY from stdin")
            )

    async def _finish_copy_in(self, copy: _CopyIn) -> None:
        request = copy.request
        data = b"".join(copy.chunks)
        copy.chunks.clear()
        names = [column.name for column in request.columns]
        try:
            if request.csv:
                rows = copyformat.parse_csv(
                    data,
                    delimiter=request.delimiter,
                    null=request.null,
                    quote=request.quote,
                    escape=request.escape,
                    header=request.header,
                    column_names=names,
                )
            else:
                rows = copyformat.parse_text(
                    data, delimiter=request.delimiter, null=request.null, column_names=names
                )
            outcome = await resolve(self.session.copy_in(request, rows))
        except InvariantViolation:
            raise
        except Exception as error:
            await self._abort_copy(error)
            return
        if isinstance(outcome, StatementResult):
            self._note_result(outcome)
            tag = outcome.command_tag
        elif isinstance(outcome, int) and not isinstance(outcome, bool):
            tag = f"COPY {outcome}"
        else:
            tag = f"COPY {len(rows)}"
        self._copy = None
        self._transition(State.READY)
        self._send(messages.encode_command_complete(tag))
        if copy.origin is _Origin.SIMPLE:
            await self._continue_simple()

    async def _abort_copy(self, error: BaseException) -> None:
        copy, self._copy = self._copy, None
        self._send_error(error)
        if copy is not None and copy.origin is _Origin.EXTENDED:
            self._transition(State.SKIP_UNTIL_SYNC)
            return
        self._transition(State.READY)
        simple, self._simple = self._simple, None
        if simple is not None:
            await _close_iterator(simple.results)
        self._send_ready_for_query()

    async def _copy_out(self, result: StatementResult) -> None:
        request = _require(result.copy, "COPY TO without a request")
        settings = self._settings()
        columns = request.columns
        self._send(messages.encode_copy_out_response(len(columns)))
        if request.csv and request.header:
            header = copyformat.format_csv_row(
                [c.name for c in columns],
                delimiter=request.delimiter,
                null="\x00",
                quote=request.quote,
                escape=request.escape,
            )
            self._send(messages.encode_copy_data(header))
        types = [c.type for c in columns]
        for index, row in enumerate(request.rows):
            texts = [values.format_text(v, t, settings) for v, t in zip(row, types, strict=True)]
            if request.csv:
                line = copyformat.format_csv_row(
                    texts,
                    delimiter=request.delimiter,
                    null=request.null,
                    quote=request.quote,
                    escape=request.escape,
                )
            else:
                line = copyformat.format_text_row(
                    texts, delimiter=request.delimiter, null=request.null
                )
            self._send(messages.encode_copy_data(line))
            if index % _ROWS_PER_OUTPUT_CHECK == 0:
                await self._drain_if_full()
        self._send(messages.COPY_DONE)
        tag = result.command_tag
        if tag.strip() == "COPY":
            tag = f"COPY {len(request.rows)}"
        self._send(messages.encode_command_complete(tag))


#: The ReadyForQuery message of each transaction status.
_READY_FOR_QUERY = {status: messages.encode_ready_for_query(status) for status in "ITE"}
#: Result format variants remembered per prepared statement before the memory is reset.
_FORMAT_VARIANTS_MAX = 16
#: Command tags whose CommandComplete is kept encoded ("SELECT 1", "UPDATE 1", …).
_COMMAND_COMPLETE_CACHE_MAX = 1024
_command_completes: dict[str, bytes] = {}


def _command_complete(tag: str) -> bytes:
    encoded = _command_completes.get(tag)
    if encoded is None:
        encoded = messages.encode_command_complete(tag)
        if len(_command_completes) >= _COMMAND_COMPLETE_CACHE_MAX:
            _command_completes.clear()
        _command_completes[tag] = encoded
    return encoded


def _check_result_formats(codes: Sequence[int], column_count: int) -> list[int]:
    if len(codes) > 1 and len(codes) != column_count:
        raise ProtocolViolation(
            f"bind message has {len(codes)} result formats but query has {column_count} columns"
        )
    return values.expand_format_codes(codes, column_count, "result")


_MESSAGE_TYPE_CODES: dict[type, str] = {
    Query: "Q",
    Parse: "P",
    Bind: "B",
    Describe: "D",
    Execute: "E",
    Sync: "S",
    Flush: "H",
    Close: "C",
    Terminate: "X",
    FunctionCall: "F",
    CopyData: "d",
    CopyDone: "c",
    CopyFail: "f",
    AuthenticationResponse: "p",
}


def _message_type_code(message: FrontendMessage) -> int:
    return ord(_MESSAGE_TYPE_CODES[type(message)])


async def _close_iterator(results: AsyncIterator[StatementResult]) -> None:
    aclose = getattr(results, "aclose", None)
    if aclose is None:
        return
    try:
        await aclose()
    except InvariantViolation:
        raise
    except Exception:
        log.exception("closing a simple query's result iterator failed")
