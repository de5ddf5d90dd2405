"""From a fresh socket to an authenticated user: the startup half of a connection.

A pure state machine: it is given decoded startup packets and authentication
responses and says what to do; the server performs the I/O (writing bytes,
upgrading to TLS, closing).

::

    AWAITING_PACKET ──SSLRequest──▶ reply 'S' (then TLS) or 'N' ──┐ (at most once each)
          │  ▲ ───GSSENCRequest──▶ reply 'N' ─────────────────────┤
          │  └────────────────────────────────────────────────────┘
          ├──CancelRequest──▶ cancel the matching backend ──▶ CLOSED
          └──StartupMessage──▶ [NegotiateProtocolVersion] + auth request
                                       │
                  trust ───────────────┤
                                       ▼
                               AUTHENTICATING ──p──▶ … ──▶ AUTHENTICATED
                                                   (AuthenticationOk sent)

Every refusal here is FATAL (the server sends an ErrorResponse with severity FATAL
and closes): protocol major version other than 3, no user name, an SSLRequest after
TLS is already set up, anything but a ``p`` message while authenticating.

Minor protocol versions above 3.0 and ``_pq_.*`` protocol options are answered with
NegotiateProtocolVersion (newest minor 0 plus the options we do not know), as
PostgreSQL does, and the connection continues at 3.0.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from tidesql import sqlstates
from tidesql.errors import InvariantViolation, TideError, invariant
from tidesql.pgwire import messages
from tidesql.pgwire.auth import Authenticator
from tidesql.pgwire.messages import (
    AuthenticationResponse,
    CancelRequest,
    FrontendMessage,
    GSSENCRequest,
    ProtocolViolation,
    SSLRequest,
    StartupMessage,
    StartupPacket,
    Terminate,
)

PROTOCOL_MAJOR = 3
PROTOCOL_MINOR_NEWEST = 0
_PROTOCOL_OPTION_PREFIX = "_pq_."
_FALSE_WORDS = frozenset({"false", "off", "no", "0", ""})


class StartupState(enum.Enum):
    AWAITING_PACKET = "awaiting startup packet"
    AUTHENTICATING = "authenticating"
    AUTHENTICATED = "authenticated"
    CLOSED = "closed"


_TRANSITIONS: dict[StartupState, frozenset[StartupState]] = {
    StartupState.AWAITING_PACKET: frozenset(
        {StartupState.AUTHENTICATING, StartupState.AUTHENTICATED, StartupState.CLOSED}
    ),
    StartupState.AUTHENTICATING: frozenset({StartupState.AUTHENTICATED, StartupState.CLOSED}),
    StartupState.AUTHENTICATED: frozenset(),
    StartupState.CLOSED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class AnswerEncryption:
    """Reply with one byte; when ``upgrade_tls``, start TLS right after it."""

    reply: bytes
    upgrade_tls: bool


@dataclass(frozen=True, slots=True)
class Cancel:
    process_id: int
    secret_key: int


@dataclass(frozen=True, slots=True)
class Send:
    """Bytes to send; when the state is AUTHENTICATED they end with AuthenticationOk."""

    data: bytes


StartupAction = AnswerEncryption | Cancel | Send


def fatal(message: str, sqlstate: str) -> TideError:
    return TideError(message, sqlstate=sqlstate)


class Startup:
    """The startup negotiation of one connection."""

    def __init__(
        self, authenticator_for: Callable[[str], Authenticator], *, tls_available: bool
    ) -> None:
        self._authenticator_for = authenticator_for
        self._tls_available = tls_available
        self._authenticator: Authenticator | None = None
        self._ssl_done = False
        self._gss_done = False
        self.state = StartupState.AWAITING_PACKET
        self.tls_active = False
        self.user = ""
        self.database = ""
        self.parameters: dict[str, str] = {}

    def _transition(self, target: StartupState) -> None:
        invariant(
            target in _TRANSITIONS[self.state],
            f"startup cannot go from {self.state.value} to {target.value}",
        )
        self.state = target

    def on_packet(self, packet: StartupPacket) -> StartupAction:
        invariant(self.state is StartupState.AWAITING_PACKET, "a startup packet after startup")
        if isinstance(packet, SSLRequest):
            if self._ssl_done:
                raise ProtocolViolation("SSL negotiation has already been done", fatal=True)
            self._ssl_done = True
            accept = self._tls_available
            self.tls_active = accept
            return AnswerEncryption(
                messages.SSL_ACCEPTED if accept else messages.SSL_REFUSED, upgrade_tls=accept
            )
        if isinstance(packet, GSSENCRequest):
            if self._gss_done or self.tls_active:
                raise ProtocolViolation("GSSAPI negotiation in the wrong place", fatal=True)
            self._gss_done = True
            return AnswerEncryption(messages.SSL_REFUSED, upgrade_tls=False)
        if isinstance(packet, CancelRequest):
            self._transition(StartupState.CLOSED)
            return Cancel(packet.process_id, packet.secret_key)
        return self._startup_message(packet)

    def _startup_message(self, packet: StartupMessage) -> Send:
        if packet.major != PROTOCOL_MAJOR:
            raise fatal(
                f"unsupported frontend protocol {packet.major}.{packet.minor}: "
                f"server supports {PROTOCOL_MAJOR}.0 to {PROTOCOL_MAJOR}.{PROTOCOL_MINOR_NEWEST}",
                sqlstates.FEATURE_NOT_SUPPORTED,
            )
        parameters: dict[str, str] = {}
        unknown_options: list[str] = []
        for name, value in packet.parameters.items():
            if name.startswith(_PROTOCOL_OPTION_PREFIX):
                unknown_options.append(name)
            else:
                parameters[name] = value
        user = parameters.get("user", "")
        if not user:
            raise fatal(
                "no PostgreSQL user name specified in startup packet",
                sqlstates.INVALID_AUTHORIZATION_SPECIFICATION,
            )
        if parameters.get("replication", "false").lower() not in _FALSE_WORDS:
            raise fatal(
                "replication connections are not supported", sqlstates.FEATURE_NOT_SUPPORTED
            )
        self.user = user
        self.database = parameters.get("database") or user
        self.parameters = parameters
        out = b""
        if packet.minor > PROTOCOL_MINOR_NEWEST or unknown_options:
            out += messages.encode_negotiate_protocol_version(
                PROTOCOL_MINOR_NEWEST, unknown_options
            )
        self._authenticator = self._authenticator_for(user)
        reply = self._authenticator.begin()
        if reply.done:
            self._transition(StartupState.AUTHENTICATED)
            return Send(out + reply.message + messages.AUTHENTICATION_OK)
        self._transition(StartupState.AUTHENTICATING)
        return Send(out + reply.message)

    async def on_message(self, message: FrontendMessage) -> Send | None:
        """An authentication response; ``None`` means the client said goodbye."""
        invariant(self.state is StartupState.AUTHENTICATING, "an auth message outside auth")
        if isinstance(message, Terminate):
            self._transition(StartupState.CLOSED)
            return None
        if not isinstance(message, AuthenticationResponse):
            raise ProtocolViolation(
                "expected password response, got another message type", fatal=True
            )
        authenticator = self._authenticator
        if authenticator is None:
            raise InvariantViolation("authenticating without an authenticator")
        reply = await authenticator.respond(message.data)
        if reply.done:
            self._transition(StartupState.AUTHENTICATED)
            return Send(reply.message + messages.AUTHENTICATION_OK)
        return Send(reply.message)

    def close(self) -> None:
        if (
            self.state is not StartupState.CLOSED
            and StartupState.CLOSED in _TRANSITIONS[self.state]
        ):
            self._transition(StartupState.CLOSED)
