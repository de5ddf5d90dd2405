"""COPY's text and CSV formats: fields in from CopyData, lines out to CopyData.

Pure functions over bytes and strings. The engine receives COPY FROM STDIN rows as
lists of ``str | None`` fields and converts them to the column types itself; for
COPY TO STDOUT the protocol layer formats each value to text with the column's type
and hands the strings to :func:`format_text_row` / :func:`format_csv_row`.

Text format (PostgreSQL's default), one line per row::

    1\\tO'Reilly\\t\\N\\n          → ["1", "O'Reilly", None]
    2\\tline\\\\none\\tx\\n         → ["2", "line\\none", "x"]   (backslash escapes)

* The NULL string (``\\N``) is compared with the field *before* backslash processing,
  so a data value ``\\N`` is sent as ``\\\\N``.
* Escapes: ``\\b \\f \\n \\r \\t \\v``, ``\\ooo`` (octal, 1–3 digits), ``\\xhh`` (hex,
  1–2 digits), and a backslash before any other character stands for that character.
  They yield bytes, so ``\\xc3\\xa9`` is "é"; the result must be valid UTF-8 (22021).
* Lines end with ``\\n``, ``\\r\\n`` or ``\\r``; a line ``\\.`` ends the data.

CSV format: fields separated by the delimiter (``,``), quoted with QUOTE (``"``); inside
quotes ESCAPE (default: QUOTE, i.e. ``""``) escapes QUOTE and itself, and newlines are
data. An unquoted field equal to the NULL string (default: empty) is NULL; a quoted one
never is, so ``,"",`` is an empty string and ``,,`` is NULL. HEADER skips the first line.

Errors carry PostgreSQL's SQLSTATE 22P04 (bad_copy_file_format) and its messages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.pgwire.messages import decode_utf8

Fields = list[str | None]

_SIMPLE_ESCAPES = {
    ord("b"): 0x08,
    ord("f"): 0x0C,
    ord("n"): 0x0A,
    ord("r"): 0x0D,
    ord("t"): 0x09,
    ord("v"): 0x0B,
}
_OCTAL = frozenset(b"01234567")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


class CopyFormatError(TideError):
    """Malformed COPY input (SQLSTATE 22P04), with the 1-based line it was found on."""

    sqlstate = sqlstates.BAD_COPY_FILE_FORMAT

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        #: Sent as the ErrorResponse's W (context) field, as PostgreSQL does.
        self.where = f"COPY, line {line}" if line is not None else None


def _check_columns(fields: Fields, column_names: Sequence[str] | None, line: int) -> None:
    if column_names is None:
        return
    if len(fields) > len(column_names):
        raise CopyFormatError("extra data after last expected column", line=line)
    if len(fields) < len(column_names):
        missing = column_names[len(fields)]
        raise CopyFormatError(f'missing data for column "{missing}"', line=line)


# ---------------------------------------------------------------------------------------
# Text format
# ---------------------------------------------------------------------------------------


def parse_text(
    data: bytes,
    *,
    delimiter: str = "\t",
    null: str = "\\N",
    column_names: Sequence[str] | None = None,
) -> list[Fields]:
    """Parse COPY text-format data into rows of fields (``None`` for NULL)."""
    delimiter_byte = delimiter.encode("utf-8")
    if len(delimiter_byte) != 1:
        raise TideError(
            "COPY delimiter must be a single one-byte character",
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
        )
    null_bytes = null.encode("utf-8")
    rows: list[Fields] = []
    lines = _LINE_BREAK.split(data)
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    for number, line in enumerate(lines, start=1):
        if line == b"\\.":
            break
        fields = _parse_text_line(line, delimiter_byte, null_bytes, number)
        _check_columns(fields, column_names, number)
        rows.append(fields)
    return rows


def _parse_text_line(line: bytes, delimiter: bytes, null: bytes, number: int) -> Fields:
    if b"\\" not in line:
        # The common case: no escapes, so splitting is exact.
        return [None if raw == null else decode_utf8(raw) for raw in line.split(delimiter)]
    fields: Fields = []
    delimiter_value = delimiter[0]
    start = 0
    index = 0
    size = len(line)
    while True:
        # Find the end of this field: the next delimiter not preceded by a backslash.
        index = start
        while index < size and line[index] != delimiter_value:
            index += 2 if line[index] == 0x5C else 1
        end = min(index, size)
        raw = line[start:end]
        fields.append(None if raw == null else _unescape_text(raw, number))
        if end >= size:
            return fields
        start = end + 1


def _unescape_text(raw: bytes, number: int) -> str:
    if b"\\" not in raw:
        return decode_utf8(raw)
    out = bytearray()
    index = 0
    size = len(raw)
    while index < size:
        byte = raw[index]
        if byte != 0x5C:
            out.append(byte)
            index += 1
            continue
        index += 1
        if index >= size:
            # A trailing backslash: PostgreSQL keeps it (end-of-line case is an error
            # only for the \. marker, which we have already handled).
            out.append(0x5C)
            break
        code = raw[index]
        if code in _OCTAL:
            end = index + 1
            while end < size and end < index + 3 and raw[end] in _OCTAL:
                end += 1
            out.append(int(raw[index:end], 8) & 0xFF)
            index = end
        elif code == ord("x") and index + 1 < size and raw[index + 1] in _HEX:
            end = index + 2
            if end < size and raw[end] in _HEX:
                end += 1
            out.append(int(raw[index + 1 : end], 16))
            index = end
        else:
            out.append(_SIMPLE_ESCAPES.get(code, code))
            index += 1
    if 0 in out:
        raise CopyFormatError("invalid byte sequence: null character not permitted", line=number)
    return decode_utf8(bytes(out))


_TEXT_ESCAPES = {
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def escape_text(value: str, delimiter: str = "\t") -> str:
    """Escape one value for the text format (the inverse of the parser)."""
    if not any(ch in value for ch in _TEXT_ESCAPES) and delimiter not in value:
        return value
    out = []
    for ch in value:
        escaped = _TEXT_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ch == delimiter:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def format_text_row(
    values: Sequence[str | None], *, delimiter: str = "\t", null: str = "\\N"
) -> bytes:
    """One text-format line, newline included."""
    parts = [null if v is None else escape_text(v, delimiter) for v in values]
    return (delimiter.join(parts) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------
# CSV format
# ---------------------------------------------------------------------------------------


def parse_csv(
    data: bytes,
    *,
    delimiter: str = ",",
    null: str = "",
    quote: str = '"',
    escape: str = '"',
    header: bool = False,
    column_names: Sequence[str] | None = None,
) -> list[Fields]:
    """Parse COPY CSV data into rows of fields (``None`` for NULL)."""
    text = decode_utf8(data)
    rows: list[Fields] = []
    parser = _CsvParser(text, delimiter, null, quote, escape)
    number = 0
    while True:
        row = parser.next_row()
        if row is None:
            break
        number += 1
        if header and number == 1:
            continue
        _check_columns(row, column_names, number)
        rows.append(row)
    return rows


class _CsvParser:
    """A character-level CSV reader that knows which fields were quoted."""

    __slots__ = ("delimiter", "escape", "index", "line", "null", "quote", "text")

    def __init__(self, text: str, delimiter: str, null: str, quote: str, escape: str) -> None:
        for name, value in (("delimiter", delimiter), ("quote", quote), ("escape", escape)):
            if len(value) != 1:
                raise TideError(
                    f"COPY {name} must be a single one-byte character",
                    sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
                )
        self.text = text
        self.delimiter = delimiter
        self.null = null
        self.quote = quote
        self.escape = escape
        self.index = 0
        self.line = 1

    def next_row(self) -> Fields | None:
        text = self.text
        size = len(text)
        if self.index >= size:
            return None
        line_end = self._line_end(self.index)
        if text[self.index : line_end] == "\\.":
            self.index = size
            return None
        fields: Fields = []
        while True:
            value, quoted, terminator = self._field()
            if not quoted and value == self.null:
                fields.append(None)
            else:
                fields.append(value)
            if terminator != self.delimiter:
                self.line += 1
                return fields

    def _line_end(self, start: int) -> int:
        positions = [
            p for p in (self.text.find("\n", start), self.text.find("\r", start)) if p >= 0
        ]
        return min(positions) if positions else len(self.text)

    def _field(self) -> tuple[str, bool, str]:
        """Read one field; returns (value, quoted, terminator), terminator "" at the end."""
        text = self.text
        size = len(text)
        out: list[str] = []
        quoted = False
        index = self.index
        while index < size:
            ch = text[index]
            if ch == self.delimiter:
                self.index = index + 1
                return "".join(out), quoted, ch
            if ch in "\r\n":
                index += 2 if text.startswith("\r\n", index) else 1
                self.index = index
                return "".join(out), quoted, "\n"
            if ch == self.quote:
                quoted = True
                index = self._quoted(index + 1, out)
                continue
            out.append(ch)
            index += 1
        self.index = size
        return "".join(out), quoted, ""

    def _quoted(self, index: int, out: list[str]) -> int:
        text = self.text
        size = len(text)
        start_line = self.line
        while index < size:
            ch = text[index]
            if (
                ch == self.escape
                and index + 1 < size
                and text[index + 1] in (self.quote, self.escape)
            ):
                out.append(text[index + 1])
                index += 2
                continue
            if ch == self.quote:
                return index + 1
            if ch == "\n":
                self.line += 1
            out.append(ch)
            index += 1
        raise CopyFormatError("unterminated CSV quoted field", line=start_line)


def format_csv_row(
    values: Sequence[str | None],
    *,
    delimiter: str = ",",
    null: str = "",
    quote: str = '"',
    escape: str = '"',
) -> bytes:
    """One CSV line, newline included; quotes a value only when it must."""
    parts: list[str] = []
    specials = (delimiter, quote, escape, "\r", "\n")
    for value in values:
        if value is None:
            parts.append(null)
            continue
        if value == null or value == "\\." or any(s in value for s in specials):
            body = value.replace(escape, escape + escape) if escape != quote else value
            body = body.replace(quote, escape + quote)
            parts.append(quote + body + quote)
        else:
            parts.append(value)
    return (delimiter.join(parts) + "\n").encode("utf-8")


def format_csv_header(
    names: Sequence[str], *, delimiter: str = ",", quote: str = '"', escape: str = '"'
) -> bytes:
    return format_csv_row(list(names), delimiter=delimiter, null="\x00", quote=quote, escape=escape)
