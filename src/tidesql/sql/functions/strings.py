"""Text and bytea functions.

Length, case, substring, trim, pad, split_part and friends; hashing (md5, sha*);
quoting (quote_ident, quote_literal, quote_nullable); concat, concat_ws and format,
which format each ``"any"`` argument with its own output function; ``||``; and
encode/decode/convert_to/convert_from between encodings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.functions.registry import NULL_VALUE_NOT_ALLOWED, EvalEnv, Impl, _error
from tidesql.sql.types import BPCHAR, CHAR, NAME, TEXT, UNKNOWN, VARCHAR, FormatSettings, SqlType

# =======================================================================================
# Text
# =======================================================================================
_TEXTUAL_OIDS = frozenset({TEXT.oid, VARCHAR.oid, BPCHAR.oid, NAME.oid, CHAR.oid, UNKNOWN.oid})
#: Bound on any string or byte string a function builds (PostgreSQL's 1 GB varlena limit).
TEXT_BYTES_MAX = 1 << 30

Formatter = Callable[[Any, FormatSettings], str]


def _identity_format(value: Any, settings: FormatSettings) -> str:
    return str(value)


def text_formatter(t: SqlType) -> Formatter:
    """The output function of ``t``, as ``f(value, settings) -> str``."""
    if t.oid in _TEXTUAL_OIDS:
        return _identity_format
    format_value = T.format_value

    def formatted(value: Any, settings: FormatSettings) -> str:
        return str(format_value(value, t, settings))

    return formatted


def _too_long() -> TideError:
    return _error(sqlstates.PROGRAM_LIMIT_EXCEEDED, "requested length too large")


def _length(s: str) -> int:
    return len(s)


def _bpchar_length(s: str) -> int:
    return len(s.rstrip(" "))


def _octet_length(s: str) -> int:
    return len(s.encode())


def _bit_length(s: str) -> int:
    return 8 * len(s.encode())


def _bytes_length(b: bytes) -> int:
    return len(b)


def _bytes_bit_length(b: bytes) -> int:
    return 8 * len(b)


def _char_lower(c: str) -> str:
    # PostgreSQL maps character by character (towlower): 'İ' stays one character.
    lowered = c.lower()
    return lowered if len(lowered) == 1 else c


def _char_upper(c: str) -> str:
    # ... and 'ß' stays 'ß' rather than becoming 'SS'.
    raised = c.upper()
    return raised if len(raised) == 1 else c


def _lower(s: str) -> str:
    return s.lower() if s.isascii() else "".join(map(_char_lower, s))


def _upper(s: str) -> str:
    return s.upper() if s.isascii() else "".join(map(_char_upper, s))


def _initcap(s: str) -> str:
    out: list[str] = []
    in_word = False
    for c in s:
        out.append(_char_lower(c) if in_word else _char_upper(c))
        in_word = c.isalnum()
    return "".join(out)


def _substring_bounds(start: int, count: int | None) -> tuple[int, int | None]:
    """Python slice bounds of SQL substring(… FROM start FOR count), 1-based start that
    may be zero or negative (the characters before position 1 count toward ``count``)."""
    if count is None:
        return max(start, 1) - 1, None
    if count < 0:
        raise _error(sqlstates.SUBSTRING_ERROR, "negative substring length not allowed")
    end = start + count
    begin = max(start, 1)
    if end <= begin:
        return 0, 0
    return begin - 1, end - 1


def _substr(s: str, start: int) -> str:
    begin, _ = _substring_bounds(start, None)
    return s[begin:]


def _substr_count(s: str, start: int, count: int) -> str:
    begin, end = _substring_bounds(start, count)
    return s[begin:end]


def _bytes_substr(b: bytes, start: int) -> bytes:
    begin, _ = _substring_bounds(start, None)
    return b[begin:]


def _bytes_substr_count(b: bytes, start: int, count: int) -> bytes:
    begin, end = _substring_bounds(start, count)
    return b[begin:end]


def _overlay(s: str, replacement: str, start: int, count: int | None = None) -> str:
    """overlay(s placing replacement from start [for count])."""
    length = len(replacement) if count is None else count
    if start < 1:
        raise _error(sqlstates.SUBSTRING_ERROR, "negative substring length not allowed")
    return _substr_count(s, 1, start - 1) + replacement + _substr(s, start + length)


def _strpos(s: str, sub: str) -> int:
    return s.find(sub) + 1


def _bytes_position(b: bytes, sub: bytes) -> int:
    return b.find(sub) + 1


def _replace(s: str, old: str, new: str) -> str:
    if not old:
        return s
    result = s.replace(old, new)
    if len(result) > TEXT_BYTES_MAX:
        raise _too_long()
    return result


def _btrim(s: str, chars: str = " ") -> str:
    return s.strip(chars)


def _ltrim(s: str, chars: str = " ") -> str:
    return s.lstrip(chars)


def _rtrim(s: str, chars: str = " ") -> str:
    return s.rstrip(chars)


def _bytes_btrim(b: bytes, chars: bytes) -> bytes:
    return b.strip(chars)


def _bytes_ltrim(b: bytes, chars: bytes) -> bytes:
    return b.lstrip(chars)


def _bytes_rtrim(b: bytes, chars: bytes) -> bytes:
    return b.rstrip(chars)


def _check_pad_length(length: int) -> None:
    if length > TEXT_BYTES_MAX:
        raise _too_long()


def _lpad(s: str, length: int, fill: str = " ") -> str:
    _check_pad_length(length)
    if length <= 0:
        return ""
    if len(s) >= length or not fill:
        return s[:length]
    missing = length - len(s)
    return (fill * (missing // len(fill) + 1))[:missing] + s


def _rpad(s: str, length: int, fill: str = " ") -> str:
    _check_pad_length(length)
    if length <= 0:
        return ""
    if len(s) >= length or not fill:
        return s[:length]
    missing = length - len(s)
    return s + (fill * (missing // len(fill) + 1))[:missing]


def _left(s: str, n: int) -> str:
    return s[:n] if n >= 0 else s[: max(len(s) + n, 0)]


def _right(s: str, n: int) -> str:
    if n >= 0:
        return s[max(len(s) - n, 0) :] if n else ""
    return s[min(-n, len(s)) :]


def _repeat(s: str, n: int) -> str:
    if n <= 0 or not s:
        return ""
    if len(s) * n > TEXT_BYTES_MAX:
        raise _too_long()
    return s * n


def _reverse(s: str) -> str:
    return s[::-1]


def _split_part(s: str, delimiter: str, n: int) -> str:
    if n == 0:
        raise _error(sqlstates.INVALID_PARAMETER_VALUE, "field position must not be zero")
    if not delimiter:
        return s if n in (1, -1) else ""
    parts = s.split(delimiter)
    if n > 0:
        return parts[n - 1] if n <= len(parts) else ""
    return parts[n] if -n <= len(parts) else ""


def _ascii(s: str) -> int:
    return ord(s[0]) if s else 0


def _chr(code: int) -> str:
    if code == 0:
        raise _error(sqlstates.PROGRAM_LIMIT_EXCEEDED, "null character not permitted")
    if code < 0:
        raise _error(sqlstates.INVALID_PARAMETER_VALUE, "character number must be positive")
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _error(
            sqlstates.PROGRAM_LIMIT_EXCEEDED, f"requested character too large for encoding: {code}"
        )
    return chr(code)


def _starts_with(s: str, prefix: str) -> bool:
    return s.startswith(prefix)


def _translate(s: str, source: str, target: str) -> str:
    table: dict[int, int | None] = {}
    for i, c in enumerate(source):
        if ord(c) not in table:
            table[ord(c)] = ord(target[i]) if i < len(target) else None
    return s.translate(table)


def _md5_text(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


def _md5_bytes(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def _hasher(name: str) -> Callable[[bytes], bytes]:
    def digest(b: bytes) -> bytes:
        return hashlib.new(name, b).digest()

    return digest


#: Keywords quote_ident() must quote: PostgreSQL 15's reserved, column-name and
#: type/function-name keywords (pg_get_keywords() where catcode <> 'U').
_QUOTED_KEYWORD_LIST = """all analyse analyze and any array as asc asymmetric authorization
    between bigint binary bit boolean both case cast char character check coalesce collate
    collation
    column concurrently constraint create cross current_catalog current_date current_role
    current_schema current_time current_timestamp current_user dec decimal default
    deferrable desc distinct do else end except exists extract false fetch float for
    foreign freeze from full grant greatest group grouping having ilike in initially inner
    inout int integer intersect interval into is isnull join lateral leading least left
    like limit localtime localtimestamp national natural nchar none normalize not notnull
    null nullif numeric offset on only or order out outer overlaps overlay placing position
    precision primary real references returning right row select session_user setof
    similar smallint some substring symmetric table tablesample then time timestamp to
    trailing treat trim true union unique user using values varchar variadic verbose when
    where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces
    xmlparse xmlpi xmlroot xmlserialize xmltable"""
_QUOTED_KEYWORDS = frozenset(_QUOTED_KEYWORD_LIST.split())
_SAFE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")


def quote_ident(s: str) -> str:
    if _SAFE_IDENTIFIER.match(s) and s not in _QUOTED_KEYWORDS:
        return s
    return '"' + s.replace('"', '""') + '"'


def quote_literal(s: str) -> str:
    escaped = s.replace("'", "''")
    if "\\" in s:
        return "E'" + escaped.replace("\\", "\\\\") + "'"
    return "'" + escaped + "'"


def _quote_nullable(s: str | None) -> str:
    return "NULL" if s is None else quote_literal(s)


def _quote_literal_any(t: SqlType) -> Impl:
    formatter = text_formatter(t)

    def quote(env: EvalEnv, value: Any) -> str:
        return quote_literal(formatter(value, env.settings))

    return quote


def _quote_nullable_any(t: SqlType) -> Impl:
    formatter = text_formatter(t)

    def quote(env: EvalEnv, value: Any) -> str:
        return "NULL" if value is None else quote_literal(formatter(value, env.settings))

    return quote


def _formatters(types: Sequence[SqlType]) -> list[Formatter]:
    return [text_formatter(t) for t in types]


def _concat_factory(types: tuple[SqlType, ...]) -> Impl:
    formatters = _formatters(types)

    def concat(env: EvalEnv, *values: Any) -> str:
        settings = env.settings
        return "".join(
            f(v, settings) for f, v in zip(formatters, values, strict=True) if v is not None
        )

    return concat


def _concat_ws_factory(types: tuple[SqlType, ...]) -> Impl:
    formatters = _formatters(types[1:])

    def concat_ws(env: EvalEnv, separator: str | None, *values: Any) -> str | None:
        if separator is None:
            return None
        settings = env.settings
        return separator.join(
            f(v, settings) for f, v in zip(formatters, values, strict=True) if v is not None
        )

    return concat_ws


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?(-)?(\d+|\*(?:\d+\$)?)?([sIL%]?)")


def _format_factory(types: tuple[SqlType, ...]) -> Impl:
    """format(): %s, %I, %L and %%, with positions (%2$s), width and the '-' flag."""
    formatters = _formatters(types[1:])

    def format_(env: EvalEnv, template: str | None, *values: Any) -> str | None:
        if template is None:
            return None
        settings = env.settings
        out: list[str] = []
        next_arg = 0
        pos = 0
        while True:
            percent = template.find("%", pos)
            if percent < 0:
                out.append(template[pos:])
                break
            out.append(template[pos:percent])
            spec = _FORMAT_SPEC.match(template, percent)
            if spec is None or not spec.group(4):
                if percent + 1 >= len(template):
                    raise _error(
                        sqlstates.INVALID_PARAMETER_VALUE, "unterminated format() type specifier"
                    )
                raise _error(
                    sqlstates.INVALID_PARAMETER_VALUE,
                    f'unrecognized format() type specifier "{template[percent + 1]}"',
                    'For a single "%" use "%%".',
                )
            position, left_align, width_text, kind = spec.groups()
            pos = spec.end()
            if kind == "%":
                out.append("%")
                continue
            width = 0
            if width_text:
                if width_text.startswith("*"):
                    if next_arg >= len(values):
                        raise _error(
                            sqlstates.INVALID_PARAMETER_VALUE, "too few arguments for format()"
                        )
                    width = int(values[next_arg] or 0)
                    next_arg += 1
                else:
                    width = int(width_text)
            if position is not None:
                index = int(position) - 1
                if index < 0:
                    raise _error(
                        sqlstates.INVALID_PARAMETER_VALUE,
                        "format specifies argument 0, but arguments are numbered from 1",
                    )
            else:
                index = next_arg
            if index >= len(values):
                raise _error(sqlstates.INVALID_PARAMETER_VALUE, "too few arguments for format()")
            next_arg = index + 1
            value = values[index]
            if kind == "I":
                if value is None:
                    raise _error(
                        NULL_VALUE_NOT_ALLOWED,
                        "null values cannot be formatted as an SQL identifier",
                    )
                text = quote_ident(formatters[index](value, settings))
            elif kind == "L":
                text = (
                    "NULL" if value is None else quote_literal(formatters[index](value, settings))
                )
            else:
                text = "" if value is None else formatters[index](value, settings)
            if width < 0:
                left_align, width = "-", -width
            if len(text) < width:
                text = text.ljust(width) if left_align else text.rjust(width)
            out.append(text)
        return "".join(out)

    return format_


# --------------------------------------------------------------------------- encodings
def _encode(data: bytes, encoding: str) -> str:
    kind = encoding.lower()
    if kind == "hex":
        return data.hex()
    if kind == "base64":
        text = base64.b64encode(data).decode("ascii")
        return "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    if kind == "escape":
        out: list[str] = []
        for byte in data:
            if byte == 0x5C:
                out.append("\\\\")
            elif byte == 0 or byte >= 0x80:
                out.append(f"\\{byte:03o}")
            else:
                out.append(chr(byte))
        return "".join(out)
    raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'unrecognized encoding: "{encoding}"')


def _decode(text: str, encoding: str) -> bytes:
    kind = encoding.lower()
    if kind == "hex":
        digits = "".join(text.split())
        for c in digits:
            if c not in "0123456789abcdefABCDEF":
                raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'invalid hexadecimal digit: "{c}"')
        if len(digits) % 2:
            raise _error(
                sqlstates.INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits"
            )
        return bytes.fromhex(digits)
    if kind == "base64":
        compact = "".join(text.split())
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise _error(sqlstates.INVALID_PARAMETER_VALUE, "invalid base64 end sequence") from None
    if kind == "escape":
        out = bytearray()
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c != "\\":
                out += c.encode()
                i += 1
            elif text[i + 1 : i + 2] == "\\":
                out.append(0x5C)
                i += 2
            elif re.fullmatch(r"[0-3][0-7][0-7]", text[i + 1 : i + 4]):
                out.append(int(text[i + 1 : i + 4], 8))
                i += 4
            else:
                raise _error(
                    sqlstates.INVALID_TEXT_REPRESENTATION,
                    "invalid input syntax for type bytea",
                )
        return bytes(out)
    raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'unrecognized encoding: "{encoding}"')


_PYTHON_CODECS = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode": "utf-8",
    "latin1": "latin-1",
    "iso88591": "latin-1",
    "sqlascii": "ascii",
    "sql_ascii": "ascii",
}


def _codec(name: str, role: str) -> str:
    codec = _PYTHON_CODECS.get(name.lower().replace("-", "").replace("_", ""))
    codec = codec or _PYTHON_CODECS.get(name.lower())
    if codec is None:
        raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'invalid {role} encoding name "{name}"')
    return codec


def _convert_to(text: str, encoding: str) -> bytes:
    codec = _codec(encoding, "destination")
    try:
        return text.encode(codec)
    except UnicodeEncodeError as failure:
        char = failure.object[failure.start]
        raise _error(
            sqlstates.UNTRANSLATABLE_CHARACTER,
            f'character with byte sequence 0x{char.encode().hex()} in encoding "UTF8" has no '
            f'equivalent in encoding "{encoding.upper()}"',
        ) from None


def _convert_from(data: bytes, encoding: str) -> str:
    codec = _codec(encoding, "source")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as failure:
        bad = failure.object[failure.start : failure.start + 1]
        raise _error(
            sqlstates.CHARACTER_NOT_IN_REPERTOIRE,
            f'invalid byte sequence for encoding "UTF8": 0x{bad.hex()}',
        ) from None


def _bytes_concat(a: bytes, b: bytes) -> bytes:
    return a + b


def _text_concat(a: str, b: str) -> str:
    return a + b


def _text_concat_any_right(types: tuple[SqlType, ...]) -> Impl:
    formatter = text_formatter(types[1])

    def concat(env: EvalEnv, a: str, b: Any) -> str:
        return a + formatter(b, env.settings)

    return concat


def _text_concat_any_left(types: tuple[SqlType, ...]) -> Impl:
    formatter = text_formatter(types[0])

    def concat(env: EvalEnv, a: Any, b: str) -> str:
        return formatter(a, env.settings) + b

    return concat


def _gen_random_uuid() -> uuid.UUID:
    return uuid.uuid4()


def _num_nulls(*values: Any) -> int:
    return sum(1 for v in values if v is None)


def _num_nonnulls(*values: Any) -> int:
    return sum(1 for v in values if v is not None)
