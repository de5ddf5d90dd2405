"""Authentication methods: trust, SCRAM-SHA-256 password, and DSQL's IAM token.

Each method is an :class:`Authenticator`: a small state machine that says which
message to send first and how to answer each ``p`` message the client sends back.
It does no I/O of its own; the server sends what it returns and, once ``done``,
follows with AuthenticationOk.

Message flow of each method (S = server, C = client)::

    trust      S: (nothing)                                 → AuthenticationOk
    password   S: AuthenticationSASL [SCRAM-SHA-256]
               C: SASLInitialResponse (client-first)
               S: AuthenticationSASLContinue (server-first: nonce, salt, iterations)
               C: SASLResponse (client-final with proof)
               S: AuthenticationSASLFinal (server signature) → AuthenticationOk
    iam        S: AuthenticationCleartextPassword
               C: PasswordMessage (the token)              → AuthenticationOk

Why each choice:

* SCRAM runs through ``scramp``'s ``ScramServer`` against PostgreSQL's stored form
  ``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``, so the server never
  holds a password. libpq sends an empty user name in client-first (``n=,``; the
  startup packet names the user), which scramp refuses; we hand scramp a placeholder
  name and put the original message back before the proof is checked, because the
  proof covers the exact bytes the client sent. Channel binding (SCRAM-SHA-256-PLUS)
  is not offered.
* An unknown user still gets a full SCRAM exchange with a made-up verifier whose salt
  is stable per user name, and fails at the proof, as PostgreSQL does, so a client
  cannot learn which users exist.
* An IAM token is the query string of a SigV4-presigned URL for
  ``GET https://<host>/?Action=DbConnect[Admin]`` with service ``dsql``, as
  ``boto3.client("dsql").generate_db_connect_admin_auth_token`` builds it (with the
  ``https://`` cut off). We verify it by signing the same request again with botocore's
  SigV4 query signer at the token's own X-Amz-Date and expiry, with the credentials
  tidesql was given, and comparing signatures in constant time. ``admin`` must use
  ``DbConnectAdmin``, every other user ``DbConnect``. A token whose X-Amz-Date +
  X-Amz-Expires is in the past is refused; one dated more than 5 minutes in the future
  too (clock skew allowance), and so is an expiry above DSQL's maximum of one week.

Failures are FATAL ErrorResponses: 28P01 ``password authentication failed for user
"x"`` for a wrong password or a token that does not verify, 28000 for a token that is
not a token at all, 08P01 for a malformed SASL exchange.
"""

from __future__ import annotations

import abc
import base64
import calendar
import enum
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from botocore.auth import SigV4QueryAuth  # type: ignore[import-untyped]
from botocore.awsrequest import AWSRequest  # type: ignore[import-untyped]
from botocore.credentials import Credentials  # type: ignore[import-untyped]
from scramp import ScramException, ScramMechanism  # type: ignore[import-untyped]

from tidesql import sqlstates
from tidesql.errors import TideError, invariant
from tidesql.pgwire import messages
from tidesql.pgwire.messages import ProtocolViolation

log = logging.getLogger(__name__)

SCRAM_MECHANISM = "SCRAM-SHA-256"
SCRAM_ITERATIONS_DEFAULT = 4096
IAM_ADMIN_USER = "admin"
IAM_TOKEN_EXPIRES_S_MAX = 604_800  # one week, DSQL's maximum
IAM_CLOCK_SKEW_S_MAX = 300
_SIGV4_TIMESTAMP = "%Y%m%dT%H%M%SZ"

PasswordLookup = Callable[[str], Awaitable[str | None]]


class AuthMethod(enum.StrEnum):
    TRUST = "trust"
    PASSWORD = "password"
    IAM = "iam"


class AuthenticationFailed(TideError):
    """The client did not prove who it is (SQLSTATE 28P01 unless said otherwise)."""

    sqlstate = sqlstates.INVALID_PASSWORD


def password_failed(user: str) -> AuthenticationFailed:
    return AuthenticationFailed(f'password authentication failed for user "{user}"')


@dataclass(frozen=True, slots=True)
class IamCredentials:
    """The AWS credentials tokens must be signed with.

    ``region`` and ``hostname``, when given, pin what a token may be signed for; when
    ``None`` the token's own region and host are used to recompute the signature
    (the signature still covers them, so they cannot be altered).
    """

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    region: str | None = None
    hostname: str | None = None


@dataclass(frozen=True, slots=True)
class AuthReply:
    """What to send next (possibly nothing) and whether the client is now authenticated."""

    message: bytes
    done: bool


class Authenticator(abc.ABC):
    """One authentication exchange for one connection."""

    def __init__(self, user: str) -> None:
        self.user = user

    @abc.abstractmethod
    def begin(self) -> AuthReply:
        """The first message to send (an Authentication* request), or done at once."""

    @abc.abstractmethod
    async def respond(self, data: bytes) -> AuthReply:
        """Handle the body of a ``p`` message; raises TideError when authentication fails."""


class TrustAuthenticator(Authenticator):
    def begin(self) -> AuthReply:
        return AuthReply(b"", done=True)

    async def respond(self, data: bytes) -> AuthReply:
        raise ProtocolViolation("unexpected authentication response", fatal=True)


# ---------------------------------------------------------------------------------------
# SCRAM-SHA-256
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScramVerifier:
    iterations: int
    salt: bytes
    stored_key: bytes
    server_key: bytes

    def __str__(self) -> str:
        b64 = base64.b64encode
        return (
            f"{SCRAM_MECHANISM}${self.iterations}:{b64(self.salt).decode()}"
            f"${b64(self.stored_key).decode()}:{b64(self.server_key).decode()}"
        )


def make_scram_verifier(
    password: str, *, iterations: int = SCRAM_ITERATIONS_DEFAULT, salt: bytes | None = None
) -> str:
    """PostgreSQL's stored form of a SCRAM-SHA-256 password (as in pg_authid)."""
    mechanism = ScramMechanism(SCRAM_MECHANISM)
    salt_bytes, stored_key, server_key, count = mechanism.make_auth_info(
        password, iteration_count=iterations, salt=salt
    )
    return str(ScramVerifier(int(count), bytes(salt_bytes), stored_key, server_key))


def parse_scram_verifier(verifier: str) -> ScramVerifier:
    """Parse ``SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>``; ValueError if not one."""
    try:
        mechanism, iteration_salt, keys = verifier.split("$")
        iterations_text, salt_b64 = iteration_salt.split(":")
        stored_b64, server_b64 = keys.split(":")
        parsed = ScramVerifier(
            int(iterations_text),
            base64.b64decode(salt_b64, validate=True),
            base64.b64decode(stored_b64, validate=True),
            base64.b64decode(server_b64, validate=True),
        )
    except (ValueError, TypeError) as exc:
        raise ValueError("not a SCRAM-SHA-256 verifier") from exc
    if mechanism != SCRAM_MECHANISM or parsed.iterations < 1 or len(parsed.stored_key) != 32:
        raise ValueError("not a SCRAM-SHA-256 verifier")
    return parsed


#: Keys the made-up verifiers of unknown users, so their salt is stable per name
#: within a server process and says nothing about whether the user exists.
_MOCK_SECRET = secrets.token_bytes(32)


def _mock_verifier(user: str) -> ScramVerifier:
    digest = hmac.new(_MOCK_SECRET, user.encode("utf-8"), hashlib.sha256).digest()
    return ScramVerifier(
        SCRAM_ITERATIONS_DEFAULT, digest[:16], secrets.token_bytes(32), secrets.token_bytes(32)
    )


class _ScramStage(enum.Enum):
    AWAIT_CLIENT_FIRST = "await client-first"
    AWAIT_CLIENT_FINAL = "await client-final"
    DONE = "done"


def _malformed_scram(detail: str) -> ProtocolViolation:
    error = ProtocolViolation("malformed SCRAM message", fatal=True)
    error.detail = detail
    return error


class ScramAuthenticator(Authenticator):
    """SCRAM-SHA-256 through scramp's server, verifier fetched from ``password_lookup``."""

    _PLACEHOLDER_USER = "*"

    def __init__(self, user: str, password_lookup: PasswordLookup) -> None:
        super().__init__(user)
        self._lookup = password_lookup
        self._stage = _ScramStage.AWAIT_CLIENT_FIRST
        self._server: Any = None
        self._known_user = False

    def begin(self) -> AuthReply:
        return AuthReply(messages.encode_authentication_sasl([SCRAM_MECHANISM]), done=False)

    async def respond(self, data: bytes) -> AuthReply:
        if self._stage is _ScramStage.AWAIT_CLIENT_FIRST:
            return await self._client_first(data)
        if self._stage is _ScramStage.AWAIT_CLIENT_FINAL:
            return self._client_final(data)
        raise ProtocolViolation("unexpected SASL response", fatal=True)

    async def _client_first(self, data: bytes) -> AuthReply:
        mechanism, initial = messages.decode_sasl_initial_response(data)
        if mechanism != SCRAM_MECHANISM:
            raise ProtocolViolation(
                "client selected an invalid SASL authentication mechanism", fatal=True
            )
        if initial is None:
            raise _malformed_scram("the client-first message is missing")
        client_first = _scram_text(initial)
        verifier = await self._verifier()
        header, bare = _split_client_first(client_first)
        # libpq sends "n=," (the user is in the startup packet); scramp insists on a
        # name. The proof covers the original bytes, which we restore below.
        patched = bare
        if bare.startswith("n=,"):
            patched = f"n={self._PLACEHOLDER_USER}," + bare[3:]
        server = ScramMechanism(SCRAM_MECHANISM).make_server(
            lambda _name: (
                verifier.salt,
                verifier.stored_key,
                verifier.server_key,
                verifier.iterations,
            )
        )
        try:
            server.set_client_first(header + patched)
            invariant(
                getattr(server, "client_first_bare", None) == patched,
                "scramp no longer keeps client_first_bare; the empty-user adaptation needs review",
            )
            server.client_first_bare = bare
            server_first: str = server.get_server_first()
        except ScramException as exc:
            raise _malformed_scram(str(exc)) from None
        self._server = server
        self._stage = _ScramStage.AWAIT_CLIENT_FINAL
        return AuthReply(
            messages.encode_authentication_sasl_continue(server_first.encode("utf-8")), False
        )

    async def _verifier(self) -> ScramVerifier:
        stored = await self._lookup(self.user)
        if stored is not None:
            try:
                verifier = parse_scram_verifier(stored)
            except ValueError:
                log.warning('user "%s" has a password that is not a SCRAM verifier', self.user)
            else:
                self._known_user = True
                return verifier
        return _mock_verifier(self.user)

    def _client_final(self, data: bytes) -> AuthReply:
        client_final = _scram_text(data)
        try:
            self._server.set_client_final(client_final)
            server_final: str = self._server.get_server_final()
        except ScramException as exc:
            if exc.server_error is not None and exc.server_error.value == "invalid-proof":
                raise password_failed(self.user) from None
            raise _malformed_scram(str(exc)) from None
        if not self._known_user:
            raise password_failed(self.user)  # unreachable in practice: the proof fails
        self._stage = _ScramStage.DONE
        return AuthReply(
            messages.encode_authentication_sasl_final(server_final.encode("utf-8")), done=True
        )


def _scram_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed_scram("the message is not valid UTF-8") from None


def _split_client_first(client_first: str) -> tuple[str, str]:
    """gs2-header ("n,," / "y,," / "p=cb,") and client-first-bare."""
    first = client_first.find(",")
    second = client_first.find(",", first + 1) if first >= 0 else -1
    if second < 0:
        raise _malformed_scram("the gs2 header is incomplete")
    return client_first[: second + 1], client_first[second + 1 :]


# ---------------------------------------------------------------------------------------
# DSQL IAM tokens
# ---------------------------------------------------------------------------------------


def _bad_token(reason: str) -> AuthenticationFailed:
    return AuthenticationFailed(
        "invalid IAM authentication token",
        sqlstate=sqlstates.INVALID_AUTHORIZATION_SPECIFICATION,
        detail=reason,
    )


@dataclass(frozen=True, slots=True)
class IamToken:
    """The parts of a DSQL token we need, parsed but not yet verified."""

    host: str
    action: str
    access_key_id: str
    scope_date: str
    region: str
    amz_date: str
    expires_s: int
    signature: str
    security_token: str | None

    @property
    def issued_at_s(self) -> int:
        return calendar.timegm(time.strptime(self.amz_date, _SIGV4_TIMESTAMP))


def parse_iam_token(token: str) -> IamToken:
    """Split a token into its parts; anything that is not a DSQL token is 28000."""
    location, separator, query = token.partition("?")
    if not separator:
        raise _bad_token("the token has no query string")
    for scheme in ("https://", "http://"):
        location = location.removeprefix(scheme)
    host = location.removesuffix("/")
    if not host or "/" in host:
        raise _bad_token("the token does not start with a host name")
    pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False)
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise _bad_token(f"the token repeats {name}")
        params[name] = value
    required = (
        "Action",
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Signature",
    )
    missing = [name for name in required if name not in params]
    if missing:
        raise _bad_token(f"the token lacks {', '.join(missing)}")
    if params["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
        raise _bad_token("the token is not signed with AWS4-HMAC-SHA256")
    if params["X-Amz-SignedHeaders"] != "host":
        raise _bad_token("the token must sign exactly the host header")
    credential = params["X-Amz-Credential"].split("/")
    if len(credential) != 5 or credential[3] != "dsql" or credential[4] != "aws4_request":
        raise _bad_token("the token's credential scope is not for dsql")
    access_key_id, scope_date, region = credential[0], credential[1], credential[2]
    amz_date = params["X-Amz-Date"]
    try:
        time.strptime(amz_date, _SIGV4_TIMESTAMP)
        expires_s = int(params["X-Amz-Expires"])
    except ValueError:
        raise _bad_token("the token's X-Amz-Date or X-Amz-Expires is malformed") from None
    if not 1 <= expires_s <= IAM_TOKEN_EXPIRES_S_MAX:
        raise _bad_token(f"X-Amz-Expires must be between 1 and {IAM_TOKEN_EXPIRES_S_MAX}")
    if scope_date != amz_date[:8]:
        raise _bad_token("the credential scope date does not match X-Amz-Date")
    return IamToken(
        host=host,
        action=params["Action"],
        access_key_id=access_key_id,
        scope_date=scope_date,
        region=region,
        amz_date=amz_date,
        expires_s=expires_s,
        signature=params["X-Amz-Signature"],
        security_token=params.get("X-Amz-Security-Token"),
    )


class _FixedTimeQueryAuth(SigV4QueryAuth):  # type: ignore[misc]
    """botocore's SigV4 query signer, signing as of a given X-Amz-Date instead of now."""

    def __init__(
        self, credentials: Credentials, region: str, expires_s: int, amz_date: str
    ) -> None:
        super().__init__(credentials, "dsql", region, expires=expires_s)
        self._amz_date = amz_date

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._amz_date
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        signature = self.signature(string_to_sign, request)
        self._inject_signature_to_request(request, signature)


def expected_signature(token: IamToken, credentials: IamCredentials) -> str:
    """Sign the token's request again with our credentials; returns the hex signature."""
    aws_credentials = Credentials(
        credentials.access_key_id, credentials.secret_access_key, credentials.session_token
    )
    request = AWSRequest(method="GET", url=f"https://{token.host}/", data={"Action": token.action})
    _FixedTimeQueryAuth(aws_credentials, token.region, token.expires_s, token.amz_date).add_auth(
        request
    )
    url: str = request.url
    _, _, signature = url.rpartition("X-Amz-Signature=")
    return signature


def required_iam_action(user: str) -> str:
    return "DbConnectAdmin" if user == IAM_ADMIN_USER else "DbConnect"


def verify_iam_token(
    token_text: str, user: str, credentials: IamCredentials, now_s: float
) -> IamToken:
    """Verify a DSQL IAM token for ``user`` at time ``now_s``; raises AuthenticationFailed."""
    token = parse_iam_token(token_text)
    failed = password_failed(user)
    if token.action not in ("DbConnect", "DbConnectAdmin"):
        raise _bad_token(f"unknown action {token.action!r}")
    if token.action != required_iam_action(user):
        failed.detail = f'user "{user}" needs a token for {required_iam_action(user)}'
        raise failed
    if credentials.region is not None and token.region != credentials.region:
        failed.detail = f"the token is for region {token.region}"
        raise failed
    if credentials.hostname is not None and token.host != credentials.hostname:
        failed.detail = f"the token is for host {token.host}"
        raise failed
    if not hmac.compare_digest(token.access_key_id, credentials.access_key_id):
        failed.detail = "the token is signed with unknown credentials"
        raise failed
    if (token.security_token or None) != (credentials.session_token or None):
        failed.detail = "the token's security token does not match"
        raise failed
    issued_at_s = token.issued_at_s
    if now_s > issued_at_s + token.expires_s:
        failed.detail = "the token has expired"
        raise failed
    if issued_at_s > now_s + IAM_CLOCK_SKEW_S_MAX:
        failed.detail = "the token is dated in the future"
        raise failed
    expected = expected_signature(token, credentials)
    if not hmac.compare_digest(
        expected.encode("ascii"), token.signature.encode("ascii", "replace")
    ):
        failed.detail = "the token's signature does not match"
        raise failed
    return token


class IamAuthenticator(Authenticator):
    def __init__(
        self, user: str, credentials: IamCredentials, clock_s: Callable[[], float] = time.time
    ) -> None:
        super().__init__(user)
        self._credentials = credentials
        self._clock_s = clock_s
        self._answered = False

    def begin(self) -> AuthReply:
        return AuthReply(messages.AUTHENTICATION_CLEARTEXT_PASSWORD, done=False)

    async def respond(self, data: bytes) -> AuthReply:
        if self._answered:
            raise ProtocolViolation("unexpected authentication response", fatal=True)
        self._answered = True
        try:
            token = messages.decode_password(data)
        except ProtocolViolation:
            raise _bad_token("the password message is malformed") from None
        if not token:
            raise AuthenticationFailed(
                f'empty password returned by client for user "{self.user}"',
                sqlstate=sqlstates.INVALID_PASSWORD,
            )
        verify_iam_token(token, self.user, self._credentials, self._clock_s())
        return AuthReply(b"", done=True)


def make_authenticator(
    method: AuthMethod | str,
    user: str,
    *,
    password_lookup: PasswordLookup | None = None,
    iam_credentials: IamCredentials | None = None,
    clock_s: Callable[[], float] = time.time,
) -> Authenticator:
    """The authenticator for one connection of ``user`` under the server's method."""
    match AuthMethod(method):
        case AuthMethod.TRUST:
            return TrustAuthenticator(user)
        case AuthMethod.PASSWORD:
            if password_lookup is None:
                raise ValueError("the password method needs a password_lookup")
            return ScramAuthenticator(user, password_lookup)
        case AuthMethod.IAM:
            if iam_credentials is None:
                raise ValueError("the iam method needs iam_credentials")
            return IamAuthenticator(user, iam_credentials, clock_s)
