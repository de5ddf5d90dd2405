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

* one task per connection (the one ``asyncio.start_server`` creates) and nothing
  else: no reader/writer tasks, no per-connection timers except while starting up;
* an idle connection holds an empty input buffer, the session, and the protocol's
  small dictionaries of statements and portals;
* a client must finish startup and authentication within ``startup_timeout_s``
  (PostgreSQL's ``authentication_timeout``) or is dropped;
* at most ``connections_max`` connections; past that a client gets 53300;
* a message may not exceed ``message_bytes_max``; output is written and drained in
  chunks of at most :data:`~tidesql.pgwire.protocol.OUTPUT_BYTES_HIGH` while a large
  result is being sent, so a slow reader applies back-pressure instead of memory.

Output is written once all complete input messages have been handled (and whenever
it grows large), which is what PostgreSQL's Flush and Sync would give and never
leaves a reply waiting while we block on input.
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
from typing import Self

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

READ_BYTES = 64 * 1024
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
        self._server = await asyncio.start_server(
            self._on_connection, self._host, self._requested_port, reuse_address=True
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

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is None:
            raise InvariantViolation("a connection handler outside a task")
        self._connections.add(task)
        connection = _Connection(self, reader, writer)
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
            # The server is stopping. The task ends normally rather than cancelled:
            # asyncio's start_server callback (3.11) would log a cancelled handler task
            # as an unhandled exception.
            connection.say_goodbye()
        finally:
            self._connections.discard(task)
            await connection.close()


class _Connection:
    """The I/O of one client connection; the decisions are made by the state machines."""

    __slots__ = (
        "_decoder",
        "_process_id",
        "_protocol",
        "_reader",
        "_server",
        "_session",
        "_writer",
        "peer",
    )

    def __init__(
        self, server: PgServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self._server = server
        self._reader = reader
        self._writer = writer
        self._decoder = FrameDecoder(server.message_bytes_max)
        self._session: SessionLike | None = None
        self._protocol: QueryProtocol | None = None
        self._process_id: int | None = None
        self.peer = writer.get_extra_info("peername")

    # -- bytes -------------------------------------------------------------------------

    async def _write(self, data: bytes) -> None:
        if data:
            self._writer.write(data)
            await self._writer.drain()

    async def _read_more(self) -> bool:
        data = await self._reader.read(READ_BYTES)
        if not data:
            return False
        self._decoder.feed(data)
        return True

    async def _send_fatal(self, error: BaseException) -> None:
        fields = error_fields(error, severity="FATAL")
        await self._write(messages.encode_error_response(fields))

    async def refuse(self, error: TideError) -> None:
        await self._send_fatal(error)

    def say_goodbye(self) -> None:
        """The server is stopping: tell the client why, without waiting for it."""
        if self._writer.is_closing():
            return
        fields = ErrorFields(
            "FATAL", sqlstates.ADMIN_SHUTDOWN, "terminating connection due to administrator command"
        )
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            self._writer.write(messages.encode_error_response(fields))

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
            await self._writer.start_tls(context)

    async def _serve(self, protocol: QueryProtocol) -> None:
        decoder = self._decoder
        while not protocol.closed:
            try:
                message = decoder.next_message()
            except ProtocolViolation as violation:
                if violation.fatal:
                    await self._write(protocol.take_output())
                    await self._send_fatal(violation)
                    return
                await protocol.handle_violation(violation)
                continue
            if message is None:
                await self._write(protocol.take_output())
                if not await self._read_more():
                    return
                continue
            try:
                await protocol.handle(message)
            except ProtocolViolation as violation:
                await self._write(protocol.take_output())
                await self._send_fatal(violation)
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
            self._writer.close()
