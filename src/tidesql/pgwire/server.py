"""The asyncio layer: sockets in, state machines in the middle, sockets out.

Everything protocol-shaped lives in :mod:`~tidesql.pgwire.startup` (before a session
exists) and :mod:`~tidesql.pgwire.protocol` (after); this module only moves bytes
between them and the network, upgrades to TLS when asked, enforces the timeouts, and
keeps the table of backend keys for CancelRequest.

One connection, start to end::

    accept ─▶ read startup packets ─▶ [SSLRequest: 'S' + TLS handshake | 'N']
           ─▶ StartupMessage ─▶ authentication exchange ─▶ AuthenticationOk
           ─▶ session_factory(user, database, parameters)      (TideError: FATAL, close)
           ─▶ ParameterStatus*, BackendKeyData, ReadyForQuery
           ─▶ loop: decode every whole message in the buffer and hand it to the
                    protocol; write what it produced; read more
           ─▶ Terminate / EOF / fatal violation / server stop ─▶ session.close()

Costs and bounds, so that thousands of idle connections stay cheap:

* one task per connection and nothing else: no reader/writer tasks, no per-connection
  timers except while starting up. The connection is its own ``asyncio.Protocol``:
  received bytes go straight into the frame decoder (no StreamReader buffer between
  them), and the task writes each batch of replies with one ``transport.write``;
* an idle connection holds an empty input buffer, the session, and the protocol's
  small dictionaries of statements and portals;
* while the task is busy, at most ``READ_BUFFER_BYTES_HIGH`` bytes are taken in
  before reading pauses (more only to complete a message the task waits for);
* a client must finish startup and authentication within ``startup_timeout_s``
  (PostgreSQL's ``authentication_timeout``) or is dropped;
* at most ``connections_max`` connections; past that a client gets 53300;
* a message may not exceed ``message_bytes_max``; output is written and drained in
  chunks of at most :data:`~tidesql.pgwire.protocol.OUTPUT_BYTES_HIGH` while a large
  result is being sent, so a slow reader applies back-pressure instead of memory.

Output is written once all complete input messages have been handled (and whenever
it grows large), which is what PostgreSQL's Flush and Sync would give and never
leaves a reply waiting while we block on input. A client that sends Bind, Describe,
Execute and Sync in one packet, as libpq does, gets every reply in one write: one
TLS record and one system call per statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import socket
import ssl
from collections.abc import Awaitable, Callable, Sequence
from typing import Self, cast

from tidesql import sqlstates
from tidesql.errors import InvariantViolation, TideError
from tidesql.pgwire import messages
from tidesql.pgwire.auth import (
    Authenticator,
    AuthMethod,
    IamCredentials,
    PasswordLookup,
    make_authenticator,
)
from tidesql.pgwire.messages import ErrorFields, FrameDecoder, ProtocolViolation
from tidesql.pgwire.protocol import QueryProtocol, SessionLike, error_fields, resolve
from tidesql.pgwire.startup import AnswerEncryption, Cancel, Send, Startup, StartupState

log = logging.getLogger(__name__)

SessionFactory = Callable[[str, str, dict[str, str]], "SessionLike | Awaitable[SessionLike]"]

#: Received bytes held while the connection's task is busy before reading pauses.
READ_BUFFER_BYTES_HIGH = 256 * 1024
STARTUP_TIMEOUT_S_DEFAULT = 60.0
CONNECTIONS_MAX_DEFAULT = 10_000
_PROCESS_ID_MAX = 2**31 - 1


class _Backend:
    """What a CancelRequest needs to find a session."""

    __slots__ = ("secret_key", "session")

    def __init__(self, secret_key: int, session: SessionLike) -> None:
        self.secret_key = secret_key
        self.session = session


class PgServer:
    """A PostgreSQL-protocol server in front of ``session_factory``.

    ``session_factory(user, database, startup_parameters)`` is called once a client has
    authenticated and returns the connection's Session (or an awaitable of one); it may
    raise TideError (e.g. 3D000 for an unknown database), which the client receives as
    a FATAL ErrorResponse.
    """

    def __init__(
        self,
        session_factory: SessionFactory,
        *,
        host: str | Sequence[str] | None = "127.0.0.1",
        port: int = 5432,
        auth_method: AuthMethod | str = AuthMethod.TRUST,
        password_lookup: PasswordLookup | None = None,
        iam_credentials: IamCredentials | None = None,
        ssl_context: ssl.SSLContext | None = None,
        startup_timeout_s: float = STARTUP_TIMEOUT_S_DEFAULT,
        message_bytes_max: int = messages.MESSAGE_BYTES_MAX_DEFAULT,
        connections_max: int = CONNECTIONS_MAX_DEFAULT,
    ) -> None:
        self.auth_method = AuthMethod(auth_method)
        if self.auth_method is AuthMethod.PASSWORD and password_lookup is None:
            raise ValueError("auth_method 'password' needs a password_lookup")
        if self.auth_method is AuthMethod.IAM and iam_credentials is None:
            raise ValueError("auth_method 'iam' needs iam_credentials")
        self._session_factory = session_factory
        self._host = host
        self._requested_port = port
        self._password_lookup = password_lookup
        self._iam_credentials = iam_credentials
        self.ssl_context = ssl_context
        self.startup_timeout_s = startup_timeout_s
        self.message_bytes_max = message_bytes_max
        self.connections_max = connections_max
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[object]] = set()
        self._backends: dict[int, _Backend] = {}

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the server is already started")
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self), self._host, self._requested_port, reuse_address=True
        )
        log.info("listening for PostgreSQL clients on %s", self.addresses)

    async def stop(self) -> None:
        """Stop listening, end every connection (57P01) and wait until they are gone."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        connections = list(self._connections)
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)
        await server.wait_closed()

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        server = self._server
        if server is None:
            raise InvariantViolation("server vanished right after start")
        await server.serve_forever()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        if self._server is None:
            return ()
        return tuple(self._server.sockets)

    @property
    def port(self) -> int:
        """The port actually bound (useful with ``port=0``)."""
        for sock in self.sockets:
            bound_port: int = sock.getsockname()[1]
            return bound_port
        raise RuntimeError("the server is not listening")

    @property
    def addresses(self) -> list[str]:
        return [str(sock.getsockname()[:2]) for sock in self.sockets]

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    # -- backend keys ------------------------------------------------------------------

    def _register(self, session: SessionLike) -> tuple[int, int]:
        while True:
            process_id = secrets.randbelow(_PROCESS_ID_MAX) + 1
            if process_id not in self._backends:
                break
        secret_key = int.from_bytes(secrets.token_bytes(4), "big", signed=True)
        self._backends[process_id] = _Backend(secret_key, session)
        return process_id, secret_key

    def _unregister(self, process_id: int) -> None:
        self._backends.pop(process_id, None)

    async def _cancel(self, process_id: int, secret_key: int) -> None:
        backend = self._backends.get(process_id)
        given = secret_key.to_bytes(4, "big", signed=True)
        if backend is None or not hmac.compare_digest(
            backend.secret_key.to_bytes(4, "big", signed=True), given
        ):
            log.info("CancelRequest for an unknown backend key ignored")
            return
        try:
            await resolve(backend.session.cancel())
        except InvariantViolation:
            raise
        except Exception:
            log.exception("cancelling a session failed")

    # -- connections -------------------------------------------------------------------

    def _authenticator_for(self, user: str) -> Authenticator:
        return make_authenticator(
            self.auth_method,
            user,
            password_lookup=self._password_lookup,
            iam_credentials=self._iam_credentials,
        )

    def _connection_made(self, connection: _Connection, loop: asyncio.AbstractEventLoop) -> None:
        """Start the task that runs a new connection, and track it."""
        task = loop.create_task(self._run_connection(connection))
        self._connections.add(task)
        task.add_done_callback(connection.task_done)

    async def _run_connection(self, connection: _Connection) -> None:
        try:
            if len(self._connections) > self.connections_max:
                await connection.refuse(
                    TideError(
                        "sorry, too many clients already", sqlstate=sqlstates.TOO_MANY_CONNECTIONS
                    )
                )
                return
            await connection.run()
        except (ConnectionError, TimeoutError, ssl.SSLError, OSError) as error:
            log.debug("connection from %s ended: %r", connection.peer, error)
        except asyncio.CancelledError:
            # The server is stopping. The task ends normally rather than cancelled, so
            # that stop() gathers connections that all ended the same way.
            connection.say_goodbye()
        finally:
            task = asyncio.current_task()
            if task is not None:
                self._connections.discard(task)
            await connection.close()


class _Connection(asyncio.Protocol):
    """The I/O of one client connection; the decisions are made by the state machines.

    As the transport's protocol it is told of received bytes (fed to the decoder at
    once), end of input, loss of the connection and back-pressure; its task
    (:meth:`run`) waits on those in :meth:`_read_more` and :meth:`_write`.
    """

    def __init__(self, server: PgServer) -> None:
        self._server = server
        self._decoder = FrameDecoder(server.message_bytes_max)
        self._transport: asyncio.Transport | None = None
        # The loop, known from connection_made on (get_running_loop costs a getpid call).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: SessionLike | None = None
        self._protocol: QueryProtocol | None = None
        self._process_id: int | None = None
        self.peer: object = None
        # Input: bytes arrived since the task last looked; end of input; the
        # connection is gone, and why (None when it closed cleanly).
        self._received = False
        self._eof = False
        self._lost = False
        self._lost_error: BaseException | None = None
        self._read_waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        # Output: the transport asked us to stop writing until its buffer drains.
        self._writing_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._tls = False

    # -- transport callbacks -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._loop = loop = asyncio.get_running_loop()
        self.peer = transport.get_extra_info("peername")
        self._server._connection_made(self, loop)

    def data_received(self, data: bytes) -> None:
        self._decoder.feed(data)
        self._received = True
        waiter = self._read_waiter
        if waiter is not None:
            self._read_waiter = None
            if not waiter.done():
                waiter.set_result(None)
        elif (
            not self._reading_paused
            and self._transport is not None
            and self._decoder.buffered_bytes > READ_BUFFER_BYTES_HIGH
        ):
            self._reading_paused = True
            self._transport.pause_reading()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake_reader()
        # Keep a plain TCP connection open so that replies still being made can go out
        # (the client only half-closed); TLS cannot half-close.
        return not self._tls

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self._lost_error = exc
        self._eof = True
        self._wake_reader()
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(ConnectionResetError("Connection lost"))

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        waiter, self._drain_waiter = self._drain_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake_reader(self) -> None:
        waiter, self._read_waiter = self._read_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def task_done(self, task: asyncio.Task[None]) -> None:
        """The connection's task ended; an exception that escaped it is reported."""
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            task.get_loop().call_exception_handler(
                {
                    "message": "unhandled exception in a PostgreSQL connection",
                    "exception": error,
                    "transport": self._transport,
                }
            )
            if self._transport is not None:
                self._transport.close()

    # -- bytes -------------------------------------------------------------------------

    def _send_now(self, data: bytes) -> bool:
        """Hand ``data`` to the transport; True when the caller must then :meth:`_drained`."""
        if not data:
            return False
        if self._lost:
            raise ConnectionResetError("Connection lost")
        _require_transport(self._transport).write(data)
        return self._writing_paused

    async def _drained(self) -> None:
        """Wait until the transport wants data again (it paused us: its buffer is full)."""
        if self._writing_paused:
            waiter: asyncio.Future[None] = _require_loop(self._loop).create_future()
            self._drain_waiter = waiter
            await waiter

    async def _write(self, data: bytes) -> None:
        if self._send_now(data):
            await self._drained()

    async def _read_more(self) -> bool:
        """Wait for more input (the decoder already has it); False at its end."""
        if self._reading_paused and self._transport is not None:
            self._reading_paused = False
            self._transport.resume_reading()
        if not self._received and not self._eof:
            waiter: asyncio.Future[None] = _require_loop(self._loop).create_future()
            self._read_waiter = waiter
            try:
                await waiter
            finally:
                self._read_waiter = None
        if self._received:
            self._received = False
            return True
        if self._lost_error is not None:
            raise self._lost_error
        return False

    async def _send_fatal(self, error: BaseException) -> None:
        fields = error_fields(error, severity="FATAL")
        await self._write(messages.encode_error_response(fields))

    async def refuse(self, error: TideError) -> None:
        await self._send_fatal(error)

    def say_goodbye(self) -> None:
        """The server is stopping: tell the client why, without waiting for it."""
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        fields = ErrorFields(
            "FATAL", sqlstates.ADMIN_SHUTDOWN, "terminating connection due to administrator command"
        )
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            transport.write(messages.encode_error_response(fields))

    # -- phases ------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            async with asyncio.timeout(self._server.startup_timeout_s):
                startup = await self._start_up()
        except TimeoutError:
            log.info("%s did not complete startup in time", self.peer)
            return
        if startup is None:
            return
        try:
            session = await resolve(
                self._server._session_factory(startup.user, startup.database, startup.parameters)
            )
        except TideError as error:
            await self._send_fatal(error)
            return
        except InvariantViolation:
            raise
        except Exception as error:
            log.exception("creating a session failed")
            await self._send_fatal(error)
            return
        self._session = session
        self._process_id, secret_key = self._server._register(session)
        protocol = QueryProtocol(session, flush=self._write)
        self._protocol = protocol
        protocol.greet(self._process_id, secret_key)
        await self._write(protocol.take_output())
        await self._serve(protocol)

    async def _start_up(self) -> Startup | None:
        """Negotiate encryption and authenticate; the Startup when it succeeded."""
        server = self._server
        startup = Startup(server._authenticator_for, tls_available=server.ssl_context is not None)
        try:
            while startup.state is StartupState.AWAITING_PACKET:
                packet = self._decoder.next_startup_packet()
                if packet is None:
                    if not await self._read_more():
                        return None
                    continue
                action = startup.on_packet(packet)
                if isinstance(action, Cancel):
                    await server._cancel(action.process_id, action.secret_key)
                    return None
                if isinstance(action, AnswerEncryption):
                    await self._answer_encryption(action)
                    continue
                await self._write(action.data)
            while startup.state is StartupState.AUTHENTICATING:
                message = self._decoder.next_message()
                if message is None:
                    if not await self._read_more():
                        return None
                    continue
                reply: Send | None = await startup.on_message(message)
                if reply is None:
                    return None
                await self._write(reply.data)
        except ProtocolViolation as violation:
            violation.fatal = True
            await self._send_fatal(violation)
            return None
        except TideError as error:
            await self._send_fatal(error)
            return None
        except (InvariantViolation, ConnectionError, OSError):
            raise
        except Exception as error:
            # A failing password lookup or credential check: the client learns only
            # that authentication could not be done; the log has the cause.
            log.exception("authentication of %s failed with an internal error", self.peer)
            await self._send_fatal(error)
            return None
        return startup if startup.state is StartupState.AUTHENTICATED else None

    async def _answer_encryption(self, action: AnswerEncryption) -> None:
        if self._decoder.buffered_bytes:
            # Bytes that arrived before our answer were not encrypted (CVE-2021-23214).
            raise ProtocolViolation("received unencrypted data after SSL request", fatal=True)
        await self._write(action.reply)
        context = self._server.ssl_context
        if action.upgrade_tls and context is not None:
            transport = await asyncio.get_running_loop().start_tls(
                _require_transport(self._transport), self, context, server_side=True
            )
            if transport is None:
                raise ConnectionResetError("the connection closed during the TLS handshake")
            self._transport = transport
            self._tls = True

    async def _serve(self, protocol: QueryProtocol) -> None:
        decoder = self._decoder
        while not protocol.closed:
            try:
                await protocol.handle_buffered(decoder)
            except ProtocolViolation as violation:
                # Fatal (bad framing, or a handler said so): the connection ends.
                await self._write(protocol.take_output())
                await self._send_fatal(violation)
                return
            if protocol.closed:
                break
            if self._send_now(protocol.take_output()):
                await self._drained()
            if not await self._read_more():
                return
        await self._write(protocol.take_output())

    async def close(self) -> None:
        if self._process_id is not None:
            self._server._unregister(self._process_id)
            self._process_id = None
        protocol, self._protocol = self._protocol, None
        session, self._session = self._session, None
        try:
            if protocol is not None:
                await protocol.close()
            if session is not None:
                await resolve(session.close())
        except InvariantViolation:
            raise
        except Exception:
            log.exception("closing a session failed")
        finally:
            if self._transport is not None:
                self._transport.close()


def _require_transport(transport: asyncio.Transport | None) -> asyncio.Transport:
    if transport is None:
        raise InvariantViolation("connection I/O before the transport was made")
    return transport


def _require_loop(loop: asyncio.AbstractEventLoop | None) -> asyncio.AbstractEventLoop:
    if loop is None:
        raise InvariantViolation("connection I/O before the connection was made")
    return loop
