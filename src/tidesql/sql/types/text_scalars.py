"""Text I/O of the other scalar types: strings, "char", bytea, uuid, inet, json and
jsonb, the oid-like reg* types, int2vector/oidvector and void.

Each reader and writer is a port of the PostgreSQL function of the same role
(``textin``, ``bpcharin``, ``byteaout``, ``uuid_in``, ``jsonb_out``, ``regtypein``, …),
raising the same SQLSTATEs and messages; like the numeric ones they are registered by OID
in :mod:`tidesql.sql.types.text_io`.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.types.error_helpers import _invalid_syntax
from tidesql.sql.types.identity import (
    _VARHDRSZ,
    ALL_TYPES,
    DEFAULT_SETTINGS,
    INT2,
    NUMERIC,
    OID,
    OIDVECTOR,
    REGCLASS,
    REGTYPE,
    FormatSettings,
    SqlType,
    array_of,
    format_type,
    type_from_name,
)
from tidesql.sql.types.session_settings import _SPACES
from tidesql.sql.types.text_numbers import (
    _float8_text,
    _int2_in,
    _numeric_normalize,
    _numeric_out,
    _oid_in,
)

# --- strings -------------------------------------------------------------------------


def _text_out(value: str, sql_type: SqlType, settings: FormatSettings) -> str:
    return value


def _text_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    return text


def _too_long(sql_type: SqlType) -> TideError:
    return TideError(
        f"value too long for type {format_type(sql_type)}",
        sqlstate=sqlstates.STRING_DATA_RIGHT_TRUNCATION,
    )


def _varchar_coerce(value: str, sql_type: SqlType, explicit: bool) -> str:
    """varchar(n): an explicit cast truncates; otherwise only blanks may be cut off."""
    if sql_type.modifier < _VARHDRSZ:
        return value
    length = sql_type.modifier - _VARHDRSZ
    if len(value) <= length:
        return value
    if not explicit and value[length:].strip(" "):
        raise _too_long(sql_type)
    return value[:length]


def _bpchar_coerce(value: str, sql_type: SqlType, explicit: bool) -> str:
    """character(n): as varchar(n), then blank-padded to n."""
    if sql_type.modifier < _VARHDRSZ:
        return value
    length = sql_type.modifier - _VARHDRSZ
    if len(value) > length:
        if not explicit and value[length:].strip(" "):
            raise _too_long(sql_type)
        return value[:length]
    return value.ljust(length)


def _varchar_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    if sql_type.modifier < _VARHDRSZ:
        return text
    return _varchar_coerce(text, sql_type, False)


def _bpchar_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    if sql_type.modifier < _VARHDRSZ:
        return text
    return _bpchar_coerce(text, sql_type, False)


_NAME_BYTES_MAX = 63  # NAMEDATALEN - 1


def _name_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    """name: truncated to 63 bytes, never in the middle of a character."""
    if len(text) <= _NAME_BYTES_MAX // 4:
        return text
    encoded = text.encode("utf-8")
    if len(encoded) <= _NAME_BYTES_MAX:
        return text
    return encoded[:_NAME_BYTES_MAX].decode("utf-8", errors="ignore")


def _char_out(value: str, sql_type: SqlType, settings: FormatSettings) -> str:
    """ "char": the byte itself, '' for zero, \\ooo for bytes with the high bit set."""
    if not value or value == "\0":
        return ""
    code = ord(value)
    return f"\\{code:03o}" if code >= 0x80 else value


_OCTAL_DIGITS = "01234567"


def _char_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    """charin: the first byte, or \\ooo."""
    if len(text) == 4 and text[0] == "\\" and all(c in _OCTAL_DIGITS for c in text[1:]):
        code = int(text[1:], 8) & 0xFF
    elif not text:
        return ""
    else:
        code = text.encode("utf-8")[0]
    return chr(code) if code else ""


# --- bytea ---------------------------------------------------------------------------

_HEX_SPACES = " \n\t\r"


def _bytea_out(value: bytes, sql_type: SqlType, settings: FormatSettings) -> str:
    if settings.bytea_output == "hex":
        return "\\x" + value.hex()
    parts = []
    for byte in value:
        if byte == 0x5C:
            parts.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        else:
            parts.append(f"\\{byte:03o}")
    return "".join(parts)


def _bytea_in(text: str, sql_type: SqlType, settings: FormatSettings) -> bytes:
    if text.startswith("\\x"):
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            return _bytea_hex_slow(text[2:])
    if "\\" not in text:
        return text.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\":
            out += char.encode("utf-8")
            i += 1
        elif text[i + 1 : i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif (
            len(text) >= i + 4
            and text[i + 1] in "0123"
            and text[i + 2] in _OCTAL_DIGITS
            and text[i + 3] in _OCTAL_DIGITS
        ):
            out.append(int(text[i + 1 : i + 4], 8))
            i += 4
        else:
            raise _invalid_syntax_plain("bytea")
    return bytes(out)


def _invalid_syntax_plain(type_name: str) -> TideError:
    return TideError(
        f"invalid input syntax for type {type_name}",
        sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION,
    )


def _bytea_hex_slow(digits: str) -> bytes:
    """hex_decode, for PostgreSQL's exact error messages."""
    out = bytearray()
    i = 0
    while i < len(digits):
        if digits[i] in _HEX_SPACES:
            i += 1
            continue
        pair = []
        for _ in range(2):
            if i >= len(digits):
                raise TideError(
                    "invalid hexadecimal data: odd number of digits",
                    sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
                )
            char = digits[i]
            if char not in "0123456789abcdefABCDEF":
                raise TideError(
                    f'invalid hexadecimal digit: "{char}"',
                    sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
                )
            pair.append(char)
            i += 1
        out.append(int("".join(pair), 16))
    return bytes(out)


# --- uuid ----------------------------------------------------------------------------

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


def _uuid_out(value: uuid.UUID, sql_type: SqlType, settings: FormatSettings) -> str:
    return str(value)


def _uuid_in(text: str, sql_type: SqlType, settings: FormatSettings) -> uuid.UUID:
    """string_to_uuid: 32 hex digits, optionally braced, optionally a '-' after any
    group of four."""
    pos = 0
    braces = text.startswith("{")
    if braces:
        pos = 1
    digits = []
    for index in range(16):
        pair = text[pos : pos + 2]
        if len(pair) != 2 or pair[0] not in _HEX_DIGITS or pair[1] not in _HEX_DIGITS:
            raise _invalid_syntax("uuid", text)
        digits.append(pair)
        pos += 2
        if index % 2 == 1 and index < 15 and text[pos : pos + 1] == "-":
            pos += 1
    if braces:
        if text[pos : pos + 1] != "}":
            raise _invalid_syntax("uuid", text)
        pos += 1
    if pos != len(text):
        raise _invalid_syntax("uuid", text)
    return uuid.UUID("".join(digits))


# --- inet ------------------------------------------------------------------------------

Inet = ipaddress.IPv4Interface | ipaddress.IPv6Interface

#: PostgreSQL's address families in inet's binary form (PGSQL_AF_INET, PGSQL_AF_INET6).
_INET_FAMILIES = {4: 2, 6: 3}


def _inet_out(value: Inet, sql_type: SqlType, settings: FormatSettings) -> str:
    """inet_out: the address, with its mask length only when it is not a single host."""
    if value.network.prefixlen == value.max_prefixlen:
        return str(value.ip)
    return str(value)


def inet_order_key(value: Inet) -> tuple[int, int, int, int]:
    """network_cmp's order: family, then the network bits, then the mask length, then
    the whole address."""
    network = value.network
    return (value.version, int(network.network_address), network.prefixlen, int(value.ip))


def _inet_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Inet:
    try:
        return ipaddress.ip_interface(text.strip())
    except ValueError:
        raise _invalid_syntax("inet", text) from None


# --- json and jsonb ------------------------------------------------------------------

_json_quote: Callable[[str], str] = json.encoder.encode_basestring


@dataclass(frozen=True, slots=True)
class _JsonNull:
    """The jsonb value ``'null'``, which is not SQL NULL."""

    def __repr__(self) -> str:
        return "JSON_NULL"


#: A jsonb whose whole value is JSON ``null``. Inside arrays and objects a JSON null is
#: plain ``None``; only at the top level would ``None`` be mistaken for SQL NULL.
JSON_NULL: Any = _JsonNull()


def _json_reject_constant(word: str) -> Any:
    raise ValueError(f'Token "{word}" is invalid.')


def _json_number(literal: str) -> Decimal:
    return _numeric_normalize(Decimal(literal))


_JSONB_DECODER = json.JSONDecoder(
    parse_float=_json_number, parse_constant=_json_reject_constant, strict=True
)
_JSON_DECODER = json.JSONDecoder(
    parse_float=str, parse_int=str, parse_constant=_json_reject_constant, strict=True
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _json_error(text: str, detail: str) -> TideError:
    return TideError(
        "invalid input syntax for type json",
        sqlstate=sqlstates.INVALID_TEXT_REPRESENTATION,
        detail=detail,
    )


def _json_error_detail(text: str, error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        start = error.pos
        if error.msg.startswith("Extra data"):
            # PostgreSQL names the whole lexeme: '01' is one invalid token, not '1'.
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.+-"):
                start -= 1
        rest = text[start:].lstrip(" \t\n\r")
        if not rest:
            return "The input string ended unexpectedly."
        token = re.match(r"[A-Za-z0-9_.+-]+|.", rest, re.DOTALL)
        found = token.group(0) if token else rest[:1]
        if error.msg.startswith("Extra data") or found[0].isalnum():
            return f'Token "{found}" is invalid.'
        return f'Expected JSON value, but found "{found}".'
    return str(error)


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    return False


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\0" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any("\0" in k or _has_nul(v) for k, v in value.items())
    return False


def _json_parse(text: str, decoder: json.JSONDecoder) -> Any:
    try:
        value = decoder.decode(text)
    except ValueError as error:
        raise _json_error(text, _json_error_detail(text, error)) from None
    except RecursionError:
        raise TideError(
            "stack depth limit exceeded", sqlstate=sqlstates.STATEMENT_TOO_COMPLEX
        ) from None
    if "\\u" in text and _SURROGATE_ESCAPE.search(text) and _has_surrogate(value):
        raise _json_error(text, "Unicode low surrogate must follow a high surrogate.")
    return value


def _json_in(text: str, sql_type: SqlType, settings: FormatSettings) -> str:
    _json_parse(text, _JSON_DECODER)
    return text


def _jsonb_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Any:
    value = _json_parse(text, _JSONB_DECODER)
    if "\\u0000" in text and _has_nul(value):
        raise TideError(
            "unsupported Unicode escape sequence",
            sqlstate=sqlstates.UNTRANSLATABLE_CHARACTER,
            detail="\\u0000 cannot be converted to text.",
        )
    return JSON_NULL if value is None else value


def _jsonb_key_order(key: str) -> tuple[int, bytes]:
    encoded = key.encode("utf-8")
    return len(encoded), encoded


def _jsonb_text(value: Any) -> str:
    """jsonb's canonical text: ', ' and ': ', keys shortest first then bytewise."""
    if value is None or value is JSON_NULL:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_quote(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return _numeric_out(_numeric_normalize(value), NUMERIC, DEFAULT_SETTINGS)
    if isinstance(value, float):
        return _float8_text(value, 1)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_jsonb_text(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_jsonb_key_order)
        return "{" + ", ".join(f"{_json_quote(k)}: {_jsonb_text(value[k])}" for k in keys) + "}"
    raise TideError(
        f"cannot represent {type(value).__name__} as jsonb",
        sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
    )


def _jsonb_out(value: Any, sql_type: SqlType, settings: FormatSettings) -> str:
    return _jsonb_text(value)


# --- oid-like ------------------------------------------------------------------------


def _reg_out(value: int, sql_type: SqlType, settings: FormatSettings) -> str:
    if value == 0:
        return "-"  # InvalidOid, as regclassout and friends print it
    if sql_type.oid == REGTYPE.oid:
        known = ALL_TYPES.get(value)
        if known is not None:
            return known.name
    if settings.catalog is not None:  # regtype: a domain of the catalog
        name = settings.catalog.object_name(sql_type.oid, value)
        if name is not None:
            return name
    return str(value)


def _reg_in(text: str, sql_type: SqlType, settings: FormatSettings) -> int:
    stripped = text.strip(_SPACES)
    if stripped.isdigit() and stripped.isascii():
        return _oid_in(text, OID, settings)
    if stripped == "-":
        return 0
    if settings.catalog is not None:
        found = settings.catalog.object_oid(sql_type.oid, stripped)
        if found is not None:
            return found
    if sql_type.oid == REGTYPE.oid:
        return _regtype_from_text(stripped).oid
    if sql_type.oid == REGCLASS.oid:
        raise TideError(f'relation "{stripped}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
    raise TideError(f'function "{stripped}" does not exist', sqlstate=sqlstates.UNDEFINED_FUNCTION)


_REGTYPE_SYNTAX = re.compile(r"(.+?)\s*(?:\(\s*[-\d\s,]+\))?\s*((?:\[\d*\])*)\Z", re.DOTALL)


def _regtype_from_text(text: str) -> SqlType:
    match = _REGTYPE_SYNTAX.match(text)
    words = match.group(1) if match else text
    names = [part.strip() for part in words.split(".")] if "." in words else [words]
    if len(names) == 1:
        names = [" ".join(words.split())]
        if names[0].lower() in ("char", "character"):
            # SQL's unquoted char is character(1); only "char" quoted is the byte type.
            names = ["bpchar"]
    sql_type = type_from_name(names)
    if match and match.group(2):
        sql_type = array_of(sql_type)
    return sql_type


def _vector_out(value: list[int], sql_type: SqlType, settings: FormatSettings) -> str:
    return " ".join(str(item) for item in value)


def _vector_in(text: str, sql_type: SqlType, settings: FormatSettings) -> list[int]:
    element_in = _oid_in if sql_type.oid == OIDVECTOR.oid else _int2_in
    element = OID if sql_type.oid == OIDVECTOR.oid else INT2
    return [element_in(part, element, settings) for part in text.split()]


def _void_out(value: Any, sql_type: SqlType, settings: FormatSettings) -> str:
    return ""


def _void_in(text: str, sql_type: SqlType, settings: FormatSettings) -> None:
    return None
