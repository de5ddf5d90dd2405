"""Pattern matching: LIKE/ILIKE, POSIX regular expressions and SIMILAR TO.

Patterns are translated to Python's ``re`` (POSIX classes, flags, PostgreSQL's error
texts) and the compiled forms cached: ``~~``/``~~*``, ``~``/``~*`` and their negations,
regexp_replace/match/like/count/split_to_array, substring(... from pattern),
like_escape and similar_to_escape.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.functions.registry import _error


# --------------------------------------------------------------------------- LIKE
def _pattern_error(message: str) -> TideError:
    return _error(sqlstates.INVALID_ESCAPE_SEQUENCE, message)


@lru_cache(maxsize=2048)
def like_regex(pattern: str, case_insensitive: bool) -> re.Pattern[str]:
    """A LIKE pattern (``%``, ``_``, ``\\`` escapes) as an anchored Python regex."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise _pattern_error("LIKE pattern must not end with escape character")
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "%":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append(re.escape(c))
        i += 1
    flags = re.DOTALL | (re.IGNORECASE if case_insensitive else 0)
    return re.compile("".join(out), flags)


@lru_cache(maxsize=2048)
def _bytes_like_regex(pattern: bytes) -> re.Pattern[bytes]:
    text = like_regex(pattern.decode("latin-1"), False).pattern
    return re.compile(text.encode("latin-1"), re.DOTALL)


def _like(s: str, pattern: str) -> bool:
    return like_regex(pattern, False).fullmatch(s) is not None


def _not_like(s: str, pattern: str) -> bool:
    return like_regex(pattern, False).fullmatch(s) is None


def _ilike(s: str, pattern: str) -> bool:
    return like_regex(pattern, True).fullmatch(s) is not None


def _not_ilike(s: str, pattern: str) -> bool:
    return like_regex(pattern, True).fullmatch(s) is None


def _bytes_like(b: bytes, pattern: bytes) -> bool:
    return _bytes_like_regex(pattern).fullmatch(b) is not None


def _bytes_not_like(b: bytes, pattern: bytes) -> bool:
    return _bytes_like_regex(pattern).fullmatch(b) is None


def _like_escape(pattern: str, escape: str) -> str:
    """Rewrite a pattern written with ``ESCAPE escape`` into backslash-escape form."""
    if not escape:
        return pattern.replace("\\", "\\\\")
    if len(escape) != 1:
        raise _error(
            sqlstates.INVALID_ESCAPE_SEQUENCE,
            "invalid escape string",
            "Escape string must be empty or one character.",
        )
    if escape == "\\":
        return pattern
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == escape:
            if i + 1 >= n:
                raise _pattern_error("LIKE pattern must not end with escape character")
            out.append("\\" + pattern[i + 1])
            i += 2
            continue
        out.append("\\\\" if c == "\\" else c)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------- regex
_POSIX_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "blank": r" \t",
    "punct": r"!-/:-@\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": r"\w",
    "cntrl": r"\x00-\x1f\x7f",
    "print": r"\x20-\x7e",
    "graph": r"\x21-\x7e",
}
_REGEX_FLAGS = {"i": re.IGNORECASE, "c": 0, "n": 0, "s": 0, "x": re.VERBOSE, "g": 0}


#: Python's regex complaints in PostgreSQL's (Henry Spencer's) words, where they map.
_REGEX_ERRORS = (
    ("missing )", "parentheses () not balanced"),
    ("unbalanced parenthesis", "parentheses () not balanced"),
    ("unterminated character set", "brackets [] not balanced"),
    ("nothing to repeat", "quantifier operand invalid"),
    ("multiple repeat", "quantifier operand invalid"),
    ("bad escape (end of pattern)", "invalid escape \\ sequence"),
    ("invalid group reference", "invalid backreference number"),
)


def _regex_error_text(message: str) -> str:
    for python_text, postgres_text in _REGEX_ERRORS:
        if message.startswith(python_text):
            return postgres_text
    return message


def _invalid_regex(detail: str) -> TideError:
    return _error(sqlstates.INVALID_REGULAR_EXPRESSION, f"invalid regular expression: {detail}")


def _translate_regex(pattern: str, newline_sensitive: bool) -> str:
    """PostgreSQL ARE syntax → Python ``re``: POSIX bracket classes, \\m \\M \\y \\Y,
    and ``$`` meaning end of string (or of line, with the 'n' flag)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_bracket = False
    while i < n:
        c = pattern[i]
        if in_bracket:
            if c == "[" and pattern.startswith("[:", i):
                close = pattern.find(":]", i + 2)
                name = pattern[i + 2 : close] if close > 0 else ""
                if name in _POSIX_CLASSES:
                    out.append(_POSIX_CLASSES[name])
                    i = close + 2
                    continue
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_bracket = False
            if c == "\\" and i + 1 < n:
                out.append(pattern[i : i + 2])
                i += 2
                continue
            out.append("\\[" if c == "[" else c)
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append(
                {"m": r"\b(?=\w)", "M": r"\b(?<=\w)", "y": r"\b", "Y": r"\B"}.get(nxt, c + nxt)
            )
            i += 2
            continue
        if c == "[":
            in_bracket = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "$":
            out.append("$" if newline_sensitive else r"\Z")
        else:
            out.append(c)
        i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def compile_regex(pattern: str, flags: str = "") -> re.Pattern[str]:
    python_flags = 0
    newline_sensitive = False
    for flag in flags:
        if flag not in _REGEX_FLAGS:
            raise _error(
                sqlstates.INVALID_PARAMETER_VALUE, f'invalid regular expression option: "{flag}"'
            )
        if flag == "c":
            python_flags &= ~re.IGNORECASE
        elif flag == "n":
            newline_sensitive = True
        elif flag == "s":
            newline_sensitive = False
        else:
            python_flags |= _REGEX_FLAGS[flag]
    python_flags |= re.MULTILINE if newline_sensitive else re.DOTALL
    try:
        return re.compile(_translate_regex(pattern, newline_sensitive), python_flags)
    except re.error as failure:
        raise _invalid_regex(_regex_error_text(failure.msg)) from None


def _regex_match(s: str, pattern: str) -> bool:
    return compile_regex(pattern).search(s) is not None


def _regex_not_match(s: str, pattern: str) -> bool:
    return compile_regex(pattern).search(s) is None


def _regex_imatch(s: str, pattern: str) -> bool:
    return compile_regex(pattern, "i").search(s) is not None


def _regex_not_imatch(s: str, pattern: str) -> bool:
    return compile_regex(pattern, "i").search(s) is None


@lru_cache(maxsize=1024)
def _replacement_template(replacement: str) -> Callable[[re.Match[str]], str]:
    """A regexp_replace replacement (\\1…\\9, \\&, \\\\) as a function of the match."""
    parts: list[str | int] = []
    literal: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        c = replacement[i]
        if c == "\\" and i + 1 < n:
            nxt = replacement[i + 1]
            if nxt.isdigit() and nxt != "0":
                parts.append("".join(literal))
                literal = []
                parts.append(int(nxt))
                i += 2
                continue
            if nxt == "&":
                parts.append("".join(literal))
                literal = []
                parts.append(0)
                i += 2
                continue
            if nxt == "\\":
                literal.append("\\")
                i += 2
                continue
        literal.append(c)
        i += 1
    parts.append("".join(literal))

    def expand(match: re.Match[str]) -> str:
        out: list[str] = []
        groups = match.re.groups
        for part in parts:
            if isinstance(part, int):
                if part <= groups:
                    out.append(match.group(part) or "")
            else:
                out.append(part)
        return "".join(out)

    return expand


def _regexp_replace(s: str, pattern: str, replacement: str, flags: str = "") -> str:
    regex = compile_regex(pattern, flags.replace("g", ""))
    return regex.sub(_replacement_template(replacement), s, count=0 if "g" in flags else 1)


def _regexp_match(s: str, pattern: str, flags: str = "") -> list[str | None] | None:
    if "g" in flags:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            'regexp_match() does not support the "global" option',
            "Use the regexp_matches function instead.",
        )
    match = compile_regex(pattern, flags).search(s)
    if match is None:
        return None
    if match.re.groups:
        return list(match.groups())
    return [match.group(0)]


def _regexp_like(s: str, pattern: str, flags: str = "") -> bool:
    return compile_regex(pattern, flags).search(s) is not None


def _regexp_count(s: str, pattern: str) -> int:
    return sum(1 for _ in compile_regex(pattern).finditer(s))


def _regexp_split_to_array(s: str, pattern: str, flags: str = "") -> list[str]:
    regex = compile_regex(pattern, flags)
    out: list[str] = []
    start = 0
    for match in regex.finditer(s):
        # Degenerate (empty) matches at the ends, or right after a match, are skipped.
        if match.start() >= len(s) or match.end() <= start:
            continue
        if match.start() == match.end() and match.start() == 0:
            continue
        out.append(s[start : match.start()])
        start = match.end()
    out.append(s[start:])
    return out


def _substring_regex(s: str, pattern: str) -> str | None:
    match = compile_regex(pattern).search(s)
    if match is None:
        return None
    if match.re.groups:
        return match.group(1)
    return match.group(0)


def _similar_to_escape(pattern: str, escape: str | None = "\\") -> str:
    """SIMILAR TO pattern → the POSIX regex PostgreSQL matches it with."""
    if escape is not None and len(escape) > 1:
        raise _error(
            sqlstates.INVALID_ESCAPE_SEQUENCE,
            "invalid escape string",
            "Escape string must be empty or one character.",
        )
    out: list[str] = ["^(?:"]
    i, n = 0, len(pattern)
    in_bracket = False
    while i < n:
        c = pattern[i]
        if escape and c == escape:
            if i + 1 >= n:
                raise _pattern_error("SIMILAR TO pattern must not end with escape character")
            nxt = pattern[i + 1]
            out.append(nxt if nxt == '"' else "\\" + nxt)
            i += 2
            continue
        if in_bracket:
            if c == "]":
                in_bracket = False
            out.append("\\\\" if c == "\\" else c)
        elif c == "[":
            in_bracket = True
            out.append(c)
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        elif c in ".^$":
            out.append("\\" + c)
        elif c == "\\":
            out.append("\\\\")
        else:
            out.append(c)
        i += 1
    out.append(")$")
    return "".join(out)


def _similar_to_escape_default(pattern: str) -> str:
    return _similar_to_escape(pattern)
