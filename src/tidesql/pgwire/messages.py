"""The PostgreSQL v3 wire format, server side: frontend messages in, backend messages out.

A pure codec: no sockets, no clock, no session. :class:`FrameDecoder` takes bytes as
they arrive and hands back whole decoded messages; the ``encode_*`` functions and
constants build backend messages as ``bytes``.

Framing, and what happens to input that breaks it::

    startup phase:   [int32 length][int32 code][payload ...]        length ≤ 10 000
    normal phase:    [byte type][int32 length][payload ...]         length ≤ limit(type)
                                 └ counts itself, not the type byte

* A length that is impossible (< 4, or < 8 in the startup phase) or above the limit is
  a *fatal* :class:`ProtocolViolation`: we can no longer tell where the next message
  starts, so the connection must end. The limit is checked as soon as the five header
  bytes are in, so an oversized message is refused before its body is buffered.
* A frame that is well delimited but whose body does not parse (a string without its
  terminator, a count larger than the data, trailing bytes) is a *non-fatal*
  violation: the frame is consumed and the connection can report an ERROR and go on,
  exactly as PostgreSQL's ``pq_getmsg*`` functions do.
* An unknown message type is fatal, as in PostgreSQL ("invalid frontend message type").

Limits, as PostgreSQL sets them: Query, Parse, Bind, CopyData, FunctionCall and
CopyFail may be as long as ``message_bytes_max`` (64 MiB by default); the other types
carry only names and counts, so they get 10 000 bytes; authentication responses get
65 535 bytes (PostgreSQL's ``PG_MAX_AUTH_TOKEN_LENGTH``).

Strings travel as NUL-terminated UTF-8 (the only client_encoding we speak). Bytes
that are not UTF-8 are SQLSTATE 22021, as in PostgreSQL; every other malformation is
08P01.

Two decoders, one meaning. :func:`decode_frontend` reads a body field by field with
:class:`_BodyReader` and names every defect; it is the reference. The messages every
statement of the extended protocol sends (Bind, Describe, Execute, Sync, Parse, …) are
decoded by :class:`FrameDecoder` straight from its receive buffer instead, by short
functions that only recognise well-formed bodies: anything they do not accept goes to
the reference decoder, which then raises exactly what it always raised. So a fast
decoder may be stricter than the reference, never more lenient.

DataRow is the hot path of every query: :func:`encode_data_row` builds a row with one
``bytes.join`` over pre-packed length words, with no intermediate buffers.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tidesql import sqlstates
from tidesql.errors import TideError

# ---------------------------------------------------------------------------------------
# Limits and protocol constants
# ---------------------------------------------------------------------------------------

PROTOCOL_VERSION_3_0 = 196608  # (3 << 16) | 0
SSL_REQUEST_CODE = 80877103  # (1234 << 16) | 5679
GSSENC_REQUEST_CODE = 80877104  # (1234 << 16) | 5680
CANCEL_REQUEST_CODE = 80877102  # (1234 << 16) | 5678

#: PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
STARTUP_PACKET_BYTES_MAX = 10_000
#: PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, for messages that hold only names and counts.
SMALL_MESSAGE_BYTES_MAX = 10_000
#: PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, for password and SASL messages.
AUTH_MESSAGE_BYTES_MAX = 65_535
#: Default limit for messages that carry SQL text or data.
MESSAGE_BYTES_MAX_DEFAULT = 64 * 1024 * 1024

FORMAT_TEXT = 0
FORMAT_BINARY = 1

_INT16 = struct.Struct("!h")
_UINT16 = struct.Struct("!H")
_INT32 = struct.Struct("!i")
_UINT32 = struct.Struct("!I")
_HEADER = struct.Struct("!cI")
_STARTUP_HEADER = struct.Struct("!II")
_FIELD_DESCRIPTION = struct.Struct("!IhIhih")
_DATA_ROW_HEADER = struct.Struct("!cIH")
_NULL_FIELD = b"\xff\xff\xff\xff"
_TYPE_BYTES = tuple(bytes([code]) for code in range(256))

_LARGE_MESSAGE_TYPES = frozenset(b"QPBdFf")
_AUTH_MESSAGE_TYPES = frozenset(b"p")
_KNOWN_MESSAGE_TYPES = frozenset(b"QPBDESHCXFdcfp")


# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------


class ProtocolViolation(TideError):
    """Input that breaks the wire protocol (SQLSTATE 08P01 unless said otherwise).

    ``fatal`` means the byte stream can no longer be trusted (bad framing): the server
    answers with a FATAL ErrorResponse and closes. ``message_type`` is the type byte of
    the offending message when one was read, so the protocol layer knows whether it was
    an extended-protocol message (which starts skip-until-Sync).
    """

    sqlstate = sqlstates.PROTOCOL_VIOLATION

    def __init__(
        self,
        message: str,
        *,
        fatal: bool = False,
        message_type: bytes | None = None,
        sqlstate: str | None = None,
    ) -> None:
        super().__init__(message, sqlstate=sqlstate)
        self.fatal = fatal
        self.message_type = message_type


# ---------------------------------------------------------------------------------------
# Frontend messages
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartupMessage:
    protocol_version: int
    parameters: dict[str, str]

    @property
    def major(self) -> int:
        return self.protocol_version >> 16

    @property
    def minor(self) -> int:
        return self.protocol_version & 0xFFFF


@dataclass(frozen=True, slots=True)
class SSLRequest:
    pass


@dataclass(frozen=True, slots=True)
class GSSENCRequest:
    pass


@dataclass(frozen=True, slots=True)
class CancelRequest:
    process_id: int
    secret_key: int


StartupPacket = StartupMessage | SSLRequest | GSSENCRequest | CancelRequest


# The messages decoded for every statement (Query, Parse, Bind, Describe, Execute, Close)
# and every chunk of COPY data are slotted dataclasses that are not frozen: a frozen
# dataclass's __init__ calls object.__setattr__ once per field, which makes a Bind three
# times as costly to build. They are values all the same: nothing assigns to their
# fields once decoded, and they hash by value.


@dataclass(slots=True, unsafe_hash=True)
class Query:
    sql: str


@dataclass(slots=True, unsafe_hash=True)
class Parse:
    statement: str
    sql: str
    param_type_oids: tuple[int, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class Bind:
    portal: str
    statement: str
    param_formats: tuple[int, ...] = ()
    params: tuple[bytes | None, ...] = ()
    result_formats: tuple[int, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class Describe:
    kind: str  # "S" statement or "P" portal
    name: str


@dataclass(slots=True, unsafe_hash=True)
class Execute:
    portal: str
    max_rows: int = 0  # 0: no limit


@dataclass(frozen=True, slots=True)
class Sync:
    pass


@dataclass(frozen=True, slots=True)
class Flush:
    pass


@dataclass(slots=True, unsafe_hash=True)
class Close:
    kind: str  # "S" statement or "P" portal
    name: str


@dataclass(frozen=True, slots=True)
class Terminate:
    pass


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """The legacy fast-path function call; decoded so it can be refused politely."""

    function_oid: int
    arg_formats: tuple[int, ...] = ()
    args: tuple[bytes | None, ...] = ()
    result_format: int = 0


@dataclass(slots=True, unsafe_hash=True)
class CopyData:
    data: bytes


@dataclass(frozen=True, slots=True)
class CopyDone:
    pass


@dataclass(frozen=True, slots=True)
class CopyFail:
    message: str


@dataclass(frozen=True, slots=True)
class AuthenticationResponse:
    """A ``p`` message: PasswordMessage, SASLInitialResponse or SASLResponse.

    Which one it is depends on the authentication exchange in progress, so the codec
    keeps the raw body; :func:`decode_password` and :func:`decode_sasl_initial_response`
    read it once the exchange says what to expect.
    """

    data: bytes


FrontendMessage = (
    Query
    | Parse
    | Bind
    | Describe
    | Execute
    | Sync
    | Flush
    | Close
    | Terminate
    | FunctionCall
    | CopyData
    | CopyDone
    | CopyFail
    | AuthenticationResponse
)

#: Messages of the extended query protocol: an error while handling one of these
#: starts skip-until-Sync.
EXTENDED_MESSAGE_TYPES = frozenset(b"PBDECH")


# ---------------------------------------------------------------------------------------
# Reading message bodies
# ---------------------------------------------------------------------------------------


class _BodyReader:
    """Reads the fields of one message body; every shortfall is a non-fatal 08P01."""

    __slots__ = ("_data", "_message_type", "_offset")

    def __init__(self, data: bytes, message_type: bytes | None) -> None:
        self._data = data
        self._offset = 0
        self._message_type = message_type

    def _fail(self, message: str) -> ProtocolViolation:
        return ProtocolViolation(message, message_type=self._message_type)

    def _take(self, size: int) -> bytes:
        end = self._offset + size
        if size < 0 or end > len(self._data):
            raise self._fail("insufficient data left in message")
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk

    def int16(self) -> int:
        value: int = _INT16.unpack(self._take(2))[0]
        return value

    def uint16(self) -> int:
        value: int = _UINT16.unpack(self._take(2))[0]
        return value

    def int32(self) -> int:
        value: int = _INT32.unpack(self._take(4))[0]
        return value

    def uint32(self) -> int:
        value: int = _UINT32.unpack(self._take(4))[0]
        return value

    def cstring(self) -> str:
        end = self._data.find(b"\x00", self._offset)
        if end < 0:
            raise self._fail("invalid string in message")
        raw = self._data[self._offset : end]
        self._offset = end + 1
        return decode_utf8(raw, self._message_type)

    def sized_value(self) -> bytes | None:
        """A value prefixed by its int32 length; -1 means NULL."""
        length = self.int32()
        if length == -1:
            return None
        if length < 0:
            raise self._fail(f"invalid argument length {length} in message")
        return self._take(length)

    def format_codes(self) -> tuple[int, ...]:
        count = self.uint16()
        return tuple(self.int16() for _ in range(count))

    def rest(self) -> bytes:
        chunk = self._data[self._offset :]
        self._offset = len(self._data)
        return chunk

    def end(self) -> None:
        if self._offset != len(self._data):
            raise self._fail("invalid message format")


def decode_utf8(raw: bytes, message_type: bytes | None = None) -> str:
    """Decode client text; invalid UTF-8 is 22021 as in PostgreSQL."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start : exc.start + 1].hex()
        raise ProtocolViolation(
            f'invalid byte sequence for encoding "UTF8": 0x{bad}',
            message_type=message_type,
            sqlstate=sqlstates.CHARACTER_NOT_IN_REPERTOIRE,
        ) from None


def _decode_query(r: _BodyReader) -> Query:
    return Query(r.cstring())


def _decode_parse(r: _BodyReader) -> Parse:
    statement = r.cstring()
    sql = r.cstring()
    count = r.uint16()
    oids = tuple(r.uint32() for _ in range(count))
    return Parse(statement, sql, oids)


def _decode_bind(r: _BodyReader) -> Bind:
    portal = r.cstring()
    statement = r.cstring()
    param_formats = r.format_codes()
    count = r.uint16()
    params = tuple(r.sized_value() for _ in range(count))
    result_formats = r.format_codes()
    return Bind(portal, statement, param_formats, params, result_formats)


def _decode_kind_and_name(r: _BodyReader, what: str) -> tuple[str, str]:
    kind = r._take(1)
    if kind not in (b"S", b"P"):
        raise r._fail(f"invalid {what} message subtype {kind[0] if kind else 0}")
    return kind.decode("ascii"), r.cstring()


def _decode_describe(r: _BodyReader) -> Describe:
    return Describe(*_decode_kind_and_name(r, "DESCRIBE"))


def _decode_close(r: _BodyReader) -> Close:
    return Close(*_decode_kind_and_name(r, "CLOSE"))


def _decode_execute(r: _BodyReader) -> Execute:
    portal = r.cstring()
    max_rows = r.int32()
    return Execute(portal, max(max_rows, 0))


def _decode_function_call(r: _BodyReader) -> FunctionCall:
    oid = r.uint32()
    arg_formats = r.format_codes()
    count = r.uint16()
    args = tuple(r.sized_value() for _ in range(count))
    result_format = r.int16()
    return FunctionCall(oid, arg_formats, args, result_format)


def _decode_copy_data(r: _BodyReader) -> CopyData:
    return CopyData(r.rest())


def _decode_copy_fail(r: _BodyReader) -> CopyFail:
    return CopyFail(r.cstring())


def _decode_authentication_response(r: _BodyReader) -> AuthenticationResponse:
    return AuthenticationResponse(r.rest())


_Decoder = Callable[[_BodyReader], FrontendMessage]


def _constant(message: FrontendMessage) -> _Decoder:
    def decode(_r: _BodyReader) -> FrontendMessage:
        return message

    return decode


_DECODERS: dict[int, _Decoder] = {
    ord("Q"): _decode_query,
    ord("P"): _decode_parse,
    ord("B"): _decode_bind,
    ord("D"): _decode_describe,
    ord("E"): _decode_execute,
    ord("S"): _constant(Sync()),
    ord("H"): _constant(Flush()),
    ord("C"): _decode_close,
    ord("X"): _constant(Terminate()),
    ord("F"): _decode_function_call,
    ord("d"): _decode_copy_data,
    ord("c"): _constant(CopyDone()),
    ord("f"): _decode_copy_fail,
    ord("p"): _decode_authentication_response,
}


def decode_frontend(message_type: int, body: bytes) -> FrontendMessage:
    """Decode the body of one typed frontend message (type given as its byte value)."""
    decoder = _DECODERS.get(message_type)
    type_byte = bytes([message_type])
    if decoder is None:
        raise ProtocolViolation(
            f"invalid frontend message type {message_type}", fatal=True, message_type=type_byte
        )
    reader = _BodyReader(body, type_byte)
    message = decoder(reader)
    reader.end()
    return message


def decode_startup_packet(body: bytes) -> StartupPacket:
    """Decode a startup-phase packet (the bytes after the length word).

    Every malformation here is fatal: PostgreSQL answers the startup packet once and
    closes on anything it cannot read.
    """
    if len(body) < 4:
        raise ProtocolViolation("invalid length of startup packet", fatal=True)
    code = _UINT32.unpack_from(body)[0]
    if code == SSL_REQUEST_CODE:
        if len(body) != 4:
            raise ProtocolViolation("invalid length of SSL request packet", fatal=True)
        return SSLRequest()
    if code == GSSENC_REQUEST_CODE:
        if len(body) != 4:
            raise ProtocolViolation("invalid length of GSSENC request packet", fatal=True)
        return GSSENCRequest()
    if code == CANCEL_REQUEST_CODE:
        if len(body) != 12:
            raise ProtocolViolation("invalid length of cancel request packet", fatal=True)
        process_id, secret_key = struct.unpack_from("!ii", body, 4)
        return CancelRequest(process_id, secret_key)
    return StartupMessage(code, _decode_startup_parameters(body[4:]))


def _decode_startup_parameters(data: bytes) -> dict[str, str]:
    """``name\\0value\\0 ... \\0``; PostgreSQL requires the final terminator."""
    parameters: dict[str, str] = {}
    if not data or data[-1] != 0:
        raise ProtocolViolation(
            "invalid startup packet layout: expected terminator as last byte", fatal=True
        )
    parts = data[:-1].split(b"\x00")
    if parts == [b""]:
        return parameters
    if parts[-1] != b"" or len(parts) % 2 != 1:
        raise ProtocolViolation(
            "invalid startup packet layout: expected terminator as last byte", fatal=True
        )
    for index in range(0, len(parts) - 1, 2):
        name = _startup_text(parts[index])
        if not name:
            raise ProtocolViolation(
                "invalid startup packet layout: empty parameter name", fatal=True
            )
        parameters[name] = _startup_text(parts[index + 1])
    return parameters


def _startup_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolViolation("invalid byte sequence in startup packet", fatal=True) from None


def decode_password(data: bytes) -> str:
    """The body of a PasswordMessage: one NUL-terminated string."""
    reader = _BodyReader(data, b"p")
    password = reader.cstring()
    reader.end()
    return password


def decode_sasl_initial_response(data: bytes) -> tuple[str, bytes | None]:
    """The body of a SASLInitialResponse: mechanism name and optional initial data."""
    reader = _BodyReader(data, b"p")
    mechanism = reader.cstring()
    initial = reader.sized_value()
    reader.end()
    return mechanism, initial


# ---------------------------------------------------------------------------------------
# Fast decoders: well-formed bodies straight from the receive buffer
# ---------------------------------------------------------------------------------------
#
# Each takes the buffer and the body's [start, end) and returns the message, or None for
# anything it does not recognise (the reference decoder then reports the defect). A
# UnicodeDecodeError may escape too; FrameDecoder treats it like None.

_FastDecoder = Callable[[bytearray, int, int], "FrontendMessage | None"]
_unpack_int16 = _INT16.unpack_from
_unpack_uint16 = _UINT16.unpack_from
_unpack_int32 = _INT32.unpack_from
_SYNC = Sync()
_FLUSH = Flush()
_TERMINATE = Terminate()
_COPY_DONE = CopyDone()


def _fast_codes(buffer: bytearray, position: int, end: int) -> tuple[tuple[int, ...], int] | None:
    """A uint16 count and that many int16 codes; the codes and the position after them."""
    if position + 2 > end:
        return None
    count = _unpack_uint16(buffer, position)[0]
    position += 2
    if not count:
        return (), position
    after = position + 2 * count
    if after > end:
        return None
    if count == 1:
        return _unpack_int16(buffer, position), after
    return struct.unpack_from(f"!{count}h", buffer, position), after


def _fast_bind(buffer: bytearray, start: int, end: int) -> Bind | None:
    nul = buffer.find(0, start, end)
    if nul < 0:
        return None
    portal = buffer[start:nul].decode("utf-8") if nul > start else ""
    position = nul + 1
    nul = buffer.find(0, position, end)
    if nul < 0:
        return None
    statement = buffer[position:nul].decode("utf-8") if nul > position else ""
    codes = _fast_codes(buffer, nul + 1, end)
    if codes is None:
        return None
    param_formats, position = codes
    if position + 2 > end:
        return None
    count = _unpack_uint16(buffer, position)[0]
    position += 2
    params: list[bytes | None] = []
    for _ in range(count):
        if position + 4 > end:
            return None
        length = _unpack_int32(buffer, position)[0]
        position += 4
        if length < 0:
            if length != -1:
                return None
            params.append(None)
            continue
        after = position + length
        if after > end:
            return None
        params.append(bytes(buffer[position:after]))
        position = after
    codes = _fast_codes(buffer, position, end)
    if codes is None or codes[1] != end:
        return None
    return Bind(portal, statement, param_formats, tuple(params), codes[0])


def _fast_execute(buffer: bytearray, start: int, end: int) -> Execute | None:
    nul = buffer.find(0, start, end)
    if nul < 0 or nul + 5 != end:
        return None
    portal = buffer[start:nul].decode("utf-8") if nul > start else ""
    max_rows = _unpack_int32(buffer, nul + 1)[0]
    return Execute(portal, max_rows if max_rows > 0 else 0)


def _fast_kind_and_name(buffer: bytearray, start: int, end: int) -> tuple[str, str] | None:
    if start >= end:
        return None
    kind = buffer[start]
    if kind != 0x53 and kind != 0x50:  # S, P
        return None
    nul = buffer.find(0, start + 1, end)
    if nul < 0 or nul + 1 != end:
        return None
    name = buffer[start + 1 : nul].decode("utf-8") if nul > start + 1 else ""
    return ("S" if kind == 0x53 else "P"), name


def _fast_describe(buffer: bytearray, start: int, end: int) -> Describe | None:
    fields = _fast_kind_and_name(buffer, start, end)
    return None if fields is None else Describe(*fields)


def _fast_close(buffer: bytearray, start: int, end: int) -> Close | None:
    fields = _fast_kind_and_name(buffer, start, end)
    return None if fields is None else Close(*fields)


def _fast_parse(buffer: bytearray, start: int, end: int) -> Parse | None:
    nul = buffer.find(0, start, end)
    if nul < 0:
        return None
    statement = buffer[start:nul].decode("utf-8")
    position = nul + 1
    nul = buffer.find(0, position, end)
    if nul < 0 or nul + 3 > end:
        return None
    sql = buffer[position:nul].decode("utf-8")
    position = nul + 1
    count = _unpack_uint16(buffer, position)[0]
    position += 2
    if position + 4 * count != end:
        return None
    oids = struct.unpack_from(f"!{count}I", buffer, position) if count else ()
    return Parse(statement, sql, oids)


def _fast_query(buffer: bytearray, start: int, end: int) -> Query | None:
    nul = buffer.find(0, start, end)
    if nul < 0 or nul + 1 != end:
        return None
    return Query(buffer[start:nul].decode("utf-8"))


def _fast_copy_data(buffer: bytearray, start: int, end: int) -> CopyData:
    return CopyData(bytes(buffer[start:end]))


def _fast_constant(message: FrontendMessage) -> _FastDecoder:
    def decode(buffer: bytearray, start: int, end: int) -> FrontendMessage | None:
        return message if start == end else None

    return decode


_FAST_DECODERS: dict[int, _FastDecoder] = {
    ord("B"): _fast_bind,
    ord("D"): _fast_describe,
    ord("E"): _fast_execute,
    ord("S"): _fast_constant(_SYNC),
    ord("P"): _fast_parse,
    ord("C"): _fast_close,
    ord("H"): _fast_constant(_FLUSH),
    ord("Q"): _fast_query,
    ord("X"): _fast_constant(_TERMINATE),
    ord("d"): _fast_copy_data,
    ord("c"): _fast_constant(_COPY_DONE),
}


# ---------------------------------------------------------------------------------------
# Incremental framing
# ---------------------------------------------------------------------------------------


class FrameDecoder:
    """Turns a byte stream into frontend messages, one complete frame at a time.

    ``feed`` appends received bytes; ``next_startup_packet`` / ``next_message`` return a
    decoded message, or ``None`` when the buffer does not yet hold a complete frame.
    The connection starts in the startup phase (untyped frames) and the caller switches
    with :meth:`begin_typed_phase` once the StartupMessage has been accepted.
    """

    __slots__ = ("_buffer", "_limits", "_message_bytes_max", "_offset")

    def __init__(self, message_bytes_max: int = MESSAGE_BYTES_MAX_DEFAULT) -> None:
        self._buffer = bytearray()
        self._offset = 0
        self._message_bytes_max = message_bytes_max
        # The length limit of every type byte; 0 for the types that do not exist.
        self._limits = [
            self.limit_for(code) if code in _KNOWN_MESSAGE_TYPES else 0 for code in range(256)
        ]

    @property
    def buffered_bytes(self) -> int:
        return len(self._buffer) - self._offset

    def feed(self, data: bytes) -> None:
        if self._offset and self._offset == len(self._buffer):
            self._buffer.clear()
            self._offset = 0
        elif self._offset > 65_536 and self._offset * 2 > len(self._buffer):
            del self._buffer[: self._offset]
            self._offset = 0
        self._buffer += data

    def limit_for(self, message_type: int) -> int:
        if message_type in _LARGE_MESSAGE_TYPES:
            return self._message_bytes_max
        if message_type in _AUTH_MESSAGE_TYPES:
            return AUTH_MESSAGE_BYTES_MAX
        return SMALL_MESSAGE_BYTES_MAX

    def next_startup_packet(self) -> StartupPacket | None:
        available = len(self._buffer) - self._offset
        if available < 4:
            return None
        length = _UINT32.unpack_from(self._buffer, self._offset)[0]
        if length < 8 or length > STARTUP_PACKET_BYTES_MAX:
            raise ProtocolViolation("invalid length of startup packet", fatal=True)
        if available < length:
            return None
        start = self._offset + 4
        body = bytes(self._buffer[start : self._offset + length])
        self._offset += length
        return decode_startup_packet(body)

    def _frame_end(self) -> int:
        """Where the next typed frame ends, or 0 while it is incomplete (limits checked)."""
        buffer = self._buffer
        offset = self._offset
        if len(buffer) - offset < 5:
            return 0
        message_type = buffer[offset]
        length = _UINT32.unpack_from(buffer, offset + 1)[0]
        if length < 4 or length > self._limits[message_type]:
            self._refuse_frame(message_type, length)
        end = offset + 1 + length
        return end if end <= len(buffer) else 0

    def _refuse_frame(self, message_type: int, length: int) -> None:
        """Raise the fatal violation for a frame header over its limit (unknown types
        have the limit 0)."""
        type_byte = _TYPE_BYTES[message_type]
        if not self._limits[message_type]:
            raise ProtocolViolation(
                f"invalid frontend message type {message_type}",
                fatal=True,
                message_type=type_byte,
            )
        raise ProtocolViolation(
            f"invalid message length {length} for message type {type_byte!r}",
            fatal=True,
            message_type=type_byte,
        )

    def next_frame(self) -> tuple[int, bytes] | None:
        """The next typed frame as (type byte value, body), checked against the limits."""
        end = self._frame_end()
        if not end:
            return None
        offset = self._offset
        message_type = self._buffer[offset]
        body = bytes(self._buffer[offset + 5 : end])
        self._offset = end
        return message_type, body

    def next_message(self) -> FrontendMessage | None:
        """Decode the next typed message; a body error consumes the frame and raises."""
        # The framing of _frame_end, inlined: this runs for every message.
        buffer = self._buffer
        offset = self._offset
        if len(buffer) - offset < 5:
            return None
        message_type = buffer[offset]
        length = _UINT32.unpack_from(buffer, offset + 1)[0]
        if length < 4 or length > self._limits[message_type]:
            self._refuse_frame(message_type, length)
        end = offset + 1 + length
        if end > len(buffer):
            return None
        self._offset = end
        fast = _FAST_DECODERS.get(message_type)
        if fast is not None:
            try:
                message = fast(buffer, offset + 5, end)
            except UnicodeDecodeError:
                message = None
            if message is not None:
                return message
        return decode_frontend(message_type, bytes(buffer[offset + 5 : end]))


# ---------------------------------------------------------------------------------------
# Backend messages
# ---------------------------------------------------------------------------------------


def _message(type_byte: bytes, body: bytes) -> bytes:
    return _HEADER.pack(type_byte, len(body) + 4) + body


def _cstring(text: str) -> bytes:
    return text.encode("utf-8") + b"\x00"


SSL_ACCEPTED = b"S"
SSL_REFUSED = b"N"

AUTHENTICATION_OK = _message(b"R", _INT32.pack(0))
AUTHENTICATION_CLEARTEXT_PASSWORD = _message(b"R", _INT32.pack(3))
PARSE_COMPLETE = _message(b"1", b"")
BIND_COMPLETE = _message(b"2", b"")
CLOSE_COMPLETE = _message(b"3", b"")
NO_DATA = _message(b"n", b"")
PORTAL_SUSPENDED = _message(b"s", b"")
EMPTY_QUERY_RESPONSE = _message(b"I", b"")
COPY_DONE = _message(b"c", b"")

AUTH_SASL = 10
AUTH_SASL_CONTINUE = 11
AUTH_SASL_FINAL = 12


def encode_authentication_sasl(mechanisms: Iterable[str]) -> bytes:
    body = _INT32.pack(AUTH_SASL) + b"".join(_cstring(m) for m in mechanisms) + b"\x00"
    return _message(b"R", body)


def encode_authentication_sasl_continue(data: bytes) -> bytes:
    return _message(b"R", _INT32.pack(AUTH_SASL_CONTINUE) + data)


def encode_authentication_sasl_final(data: bytes) -> bytes:
    return _message(b"R", _INT32.pack(AUTH_SASL_FINAL) + data)


def encode_parameter_status(name: str, value: str) -> bytes:
    return _message(b"S", _cstring(name) + _cstring(value))


def encode_backend_key_data(process_id: int, secret_key: int) -> bytes:
    return _message(b"K", struct.pack("!ii", process_id, secret_key))


_READY_FOR_QUERY = {status: _message(b"Z", status.encode("ascii")) for status in "ITE"}


def encode_ready_for_query(transaction_status: str) -> bytes:
    """``I`` idle, ``T`` in a transaction block, ``E`` in a failed transaction block."""
    message = _READY_FOR_QUERY.get(transaction_status)
    if message is None:
        raise ValueError(f"invalid transaction status {transaction_status!r}")
    return message


@dataclass(frozen=True, slots=True)
class FieldDescription:
    """One column of a RowDescription."""

    name: str
    type_oid: int
    type_size: int = -1
    type_modifier: int = -1
    table_oid: int = 0
    column_number: int = 0
    format: int = FORMAT_TEXT


def encode_row_description(fields: Sequence[FieldDescription]) -> bytes:
    parts = [_INT16.pack(len(fields))]
    for f in fields:
        parts.append(_cstring(f.name))
        parts.append(
            _FIELD_DESCRIPTION.pack(
                f.table_oid, f.column_number, f.type_oid, f.type_size, f.type_modifier, f.format
            )
        )
    return _message(b"T", b"".join(parts))


def encode_data_row(values: Sequence[bytes | None]) -> bytes:
    """One DataRow from already-encoded column values (``None`` is SQL NULL).

    Built with a single join: the header is packed last into slot 0, once the total
    size is known, so no byte is copied twice.
    """
    parts: list[bytes] = [b""]
    append = parts.append
    size = 6  # the length word itself and the column count
    for value in values:
        if value is None:
            append(_NULL_FIELD)
            size += 4
        else:
            length = len(value)
            append(length.to_bytes(4, "big"))
            append(value)
            size += 4 + length
    parts[0] = _DATA_ROW_HEADER.pack(b"D", size, len(values))
    return b"".join(parts)


_SINGLE_FIELD_DATA_ROW = struct.Struct("!cIHI")
_SINGLE_NULL_DATA_ROW = _DATA_ROW_HEADER.pack(b"D", 10, 1) + _NULL_FIELD


def encode_single_field_data_row(value: bytes | None) -> bytes:
    """``encode_data_row([value])``, for the many results of one column."""
    if value is None:
        return _SINGLE_NULL_DATA_ROW
    length = len(value)
    return _SINGLE_FIELD_DATA_ROW.pack(b"D", 10 + length, 1, length) + value


def encode_command_complete(tag: str) -> bytes:
    return _message(b"C", _cstring(tag))


def encode_parameter_description(type_oids: Sequence[int]) -> bytes:
    return _message(
        b"t", _INT16.pack(len(type_oids)) + b"".join(_UINT32.pack(o) for o in type_oids)
    )


@dataclass(frozen=True, slots=True)
class ErrorFields:
    """The fields of an ErrorResponse or NoticeResponse we send.

    ``severity`` is both the localized (S) and non-localized (V) severity: ERROR, FATAL,
    PANIC, WARNING, NOTICE, DEBUG, INFO, LOG. ``position`` is 1-based, in characters of
    the statement text.
    """

    severity: str
    sqlstate: str
    message: str
    detail: str | None = None
    hint: str | None = None
    position: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


def _encode_fields(type_byte: bytes, fields: ErrorFields) -> bytes:
    items: list[tuple[str, str]] = [
        ("S", fields.severity),
        ("V", fields.severity),
        ("C", fields.sqlstate),
        ("M", fields.message),
    ]
    if fields.detail is not None:
        items.append(("D", fields.detail))
    if fields.hint is not None:
        items.append(("H", fields.hint))
    if fields.position is not None:
        items.append(("P", str(fields.position)))
    items.extend(fields.extra.items())
    body = b"".join(code.encode("ascii") + _cstring(value) for code, value in items) + b"\x00"
    return _message(type_byte, body)


def encode_error_response(fields: ErrorFields) -> bytes:
    return _encode_fields(b"E", fields)


def encode_notice_response(fields: ErrorFields) -> bytes:
    return _encode_fields(b"N", fields)


def _copy_response(type_byte: bytes, column_count: int, overall_format: int) -> bytes:
    body = (
        struct.pack("!bh", overall_format, column_count)
        + _INT16.pack(overall_format) * column_count
    )
    return _message(type_byte, body)


def encode_copy_in_response(column_count: int, overall_format: int = FORMAT_TEXT) -> bytes:
    return _copy_response(b"G", column_count, overall_format)


def encode_copy_out_response(column_count: int, overall_format: int = FORMAT_TEXT) -> bytes:
    return _copy_response(b"H", column_count, overall_format)


def encode_copy_data(data: bytes) -> bytes:
    return _HEADER.pack(b"d", len(data) + 4) + data


def encode_negotiate_protocol_version(newest_minor: int, unrecognized: Sequence[str]) -> bytes:
    body = _INT32.pack(newest_minor) + _INT32.pack(len(unrecognized))
    body += b"".join(_cstring(name) for name in unrecognized)
    return _message(b"v", body)
