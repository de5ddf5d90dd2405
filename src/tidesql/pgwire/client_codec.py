"""The other half of the wire format: frontend messages out, backend messages in.

The server never needs this module. It exists so tests, fuzzers and tools can speak
the protocol byte for byte without a driver in the way, and so every encoder in
:mod:`tidesql.pgwire.messages` has a decoder to round-trip against (and vice versa).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tidesql.pgwire.messages import (
    CANCEL_REQUEST_CODE,
    GSSENC_REQUEST_CODE,
    PROTOCOL_VERSION_3_0,
    SSL_REQUEST_CODE,
    AuthenticationResponse,
    Bind,
    CancelRequest,
    Close,
    CopyData,
    CopyDone,
    CopyFail,
    Describe,
    ErrorFields,
    Execute,
    FieldDescription,
    Flush,
    FrontendMessage,
    FunctionCall,
    GSSENCRequest,
    Parse,
    ProtocolViolation,
    Query,
    SSLRequest,
    StartupMessage,
    StartupPacket,
    Sync,
    Terminate,
)

_INT16 = struct.Struct("!h")
_INT32 = struct.Struct("!i")
_UINT32 = struct.Struct("!I")


def _frame(type_byte: bytes, body: bytes) -> bytes:
    return type_byte + _INT32.pack(len(body) + 4) + body


def _cstring(text: str) -> bytes:
    return text.encode("utf-8") + b"\x00"


def _sized(value: bytes | None) -> bytes:
    return _INT32.pack(-1) if value is None else _INT32.pack(len(value)) + value


def _codes(codes: tuple[int, ...]) -> bytes:
    return struct.pack("!H", len(codes)) + b"".join(_INT16.pack(c) for c in codes)


# ---------------------------------------------------------------------------------------
# Frontend encoders
# ---------------------------------------------------------------------------------------


def encode_startup(packet: StartupPacket) -> bytes:
    if isinstance(packet, SSLRequest):
        body = _UINT32.pack(SSL_REQUEST_CODE)
    elif isinstance(packet, GSSENCRequest):
        body = _UINT32.pack(GSSENC_REQUEST_CODE)
    elif isinstance(packet, CancelRequest):
        body = _UINT32.pack(CANCEL_REQUEST_CODE) + struct.pack(
            "!ii", packet.process_id, packet.secret_key
        )
    else:
        pairs = b"".join(_cstring(k) + _cstring(v) for k, v in packet.parameters.items())
        body = _UINT32.pack(packet.protocol_version) + pairs + b"\x00"
    return _INT32.pack(len(body) + 4) + body


def startup_message(user: str, database: str | None = None, **extra: str) -> bytes:
    parameters = {"user": user}
    if database is not None:
        parameters["database"] = database
    parameters.update(extra)
    return encode_startup(StartupMessage(PROTOCOL_VERSION_3_0, parameters))


def encode_frontend(message: FrontendMessage) -> bytes:
    """Encode any frontend message to its exact wire bytes."""
    match message:
        case Query(sql):
            return _frame(b"Q", _cstring(sql))
        case Parse(statement, sql, oids):
            body = _cstring(statement) + _cstring(sql) + struct.pack("!H", len(oids))
            return _frame(b"P", body + b"".join(_UINT32.pack(o) for o in oids))
        case Bind(portal, statement, param_formats, params, result_formats):
            body = _cstring(portal) + _cstring(statement) + _codes(param_formats)
            body += struct.pack("!H", len(params)) + b"".join(_sized(p) for p in params)
            return _frame(b"B", body + _codes(result_formats))
        case Describe(kind, name):
            return _frame(b"D", kind.encode("ascii") + _cstring(name))
        case Execute(portal, max_rows):
            return _frame(b"E", _cstring(portal) + _INT32.pack(max_rows))
        case Sync():
            return _frame(b"S", b"")
        case Flush():
            return _frame(b"H", b"")
        case Close(kind, name):
            return _frame(b"C", kind.encode("ascii") + _cstring(name))
        case Terminate():
            return _frame(b"X", b"")
        case FunctionCall(oid, arg_formats, args, result_format):
            body = _UINT32.pack(oid) + _codes(arg_formats)
            body += struct.pack("!H", len(args)) + b"".join(_sized(a) for a in args)
            return _frame(b"F", body + _INT16.pack(result_format))
        case CopyData(data):
            return _frame(b"d", data)
        case CopyDone():
            return _frame(b"c", b"")
        case CopyFail(text):
            return _frame(b"f", _cstring(text))
        case AuthenticationResponse(data):
            return _frame(b"p", data)
    raise TypeError(f"not a frontend message: {message!r}")


def password_message(password: str) -> bytes:
    return encode_frontend(AuthenticationResponse(_cstring(password)))


def sasl_initial_response(mechanism: str, data: bytes | None) -> bytes:
    return encode_frontend(AuthenticationResponse(_cstring(mechanism) + _sized(data)))


# ---------------------------------------------------------------------------------------
# Backend decoding
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackendMessage:
    """A decoded backend message: its type byte and the fields it carries."""

    type: str
    fields: tuple[object, ...] = ()


def split_backend(data: bytes) -> tuple[list[tuple[str, bytes]], bytes]:
    """Split a backend byte stream into (type, body) frames and the unfinished rest."""
    frames: list[tuple[str, bytes]] = []
    offset = 0
    while len(data) - offset >= 5:
        length = _UINT32.unpack_from(data, offset + 1)[0]
        if length < 4:
            raise ProtocolViolation(f"invalid backend message length {length}", fatal=True)
        end = offset + 1 + length
        if end > len(data):
            break
        frames.append((chr(data[offset]), data[offset + 5 : end]))
        offset = end
    return frames, data[offset:]


def _cstrings(body: bytes) -> list[str]:
    return [part.decode("utf-8") for part in body.split(b"\x00")[:-1]]


def decode_error_fields(body: bytes) -> ErrorFields:
    values: dict[str, str] = {}
    offset = 0
    while body[offset] != 0:
        end = body.index(b"\x00", offset)
        values[chr(body[offset])] = body[offset + 1 : end].decode("utf-8")
        offset = end + 1
    core = {"S", "V", "C", "M", "D", "H", "P"}
    return ErrorFields(
        severity=values.get("V", values.get("S", "")),
        sqlstate=values.get("C", ""),
        message=values.get("M", ""),
        detail=values.get("D"),
        hint=values.get("H"),
        position=int(values["P"]) if "P" in values else None,
        extra={k: v for k, v in values.items() if k not in core},
    )


def decode_backend(type_char: str, body: bytes) -> BackendMessage:
    """Decode one backend message body into its fields (used by tests and tools)."""
    if type_char == "R":
        code = _INT32.unpack_from(body)[0]
        if code == 10:
            return BackendMessage("R", (code, *_cstrings(body[4:-1])))
        return BackendMessage("R", (code, body[4:]) if len(body) > 4 else (code,))
    if type_char == "S":
        name, value = _cstrings(body)
        return BackendMessage("S", (name, value))
    if type_char == "K":
        return BackendMessage("K", struct.unpack("!ii", body))
    if type_char == "Z":
        return BackendMessage("Z", (body.decode("ascii"),))
    if type_char == "T":
        return BackendMessage("T", tuple(_row_description(body)))
    if type_char == "D":
        return BackendMessage("D", tuple(_data_row(body)))
    if type_char == "C":
        return BackendMessage("C", (body[:-1].decode("utf-8"),))
    if type_char in ("E", "N"):
        return BackendMessage(type_char, (decode_error_fields(body),))
    if type_char == "t":
        count = _INT16.unpack_from(body)[0]
        return BackendMessage("t", struct.unpack_from(f"!{count}I", body, 2))
    if type_char in ("G", "H", "W"):
        overall, count = struct.unpack_from("!bh", body)
        return BackendMessage(type_char, (overall, struct.unpack_from(f"!{count}h", body, 3)))
    if type_char == "d":
        return BackendMessage("d", (body,))
    if type_char == "v":
        minor, count = struct.unpack_from("!ii", body)
        return BackendMessage("v", (minor, tuple(_cstrings(body[8:]))[:count]))
    return BackendMessage(type_char, (body,) if body else ())


def _row_description(body: bytes) -> list[FieldDescription]:
    count = _INT16.unpack_from(body)[0]
    offset = 2
    fields: list[FieldDescription] = []
    for _ in range(count):
        end = body.index(b"\x00", offset)
        name = body[offset:end].decode("utf-8")
        table_oid, column, type_oid, size, modifier, fmt = struct.unpack_from(
            "!IhIhih", body, end + 1
        )
        fields.append(FieldDescription(name, type_oid, size, modifier, table_oid, column, fmt))
        offset = end + 1 + 18
    return fields


def _data_row(body: bytes) -> list[bytes | None]:
    count = _INT16.unpack_from(body)[0]
    offset = 2
    values: list[bytes | None] = []
    for _ in range(count):
        length = _INT32.unpack_from(body, offset)[0]
        offset += 4
        if length < 0:
            values.append(None)
        else:
            values.append(body[offset : offset + length])
            offset += length
    return values
