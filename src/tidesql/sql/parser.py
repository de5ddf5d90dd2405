"""SQL text → PostgreSQL parse trees (libpg_query via pg-query-python), with DSQL syntax.

PostgreSQL's own grammar does the parsing, so what PostgreSQL 16 accepts we accept,
and syntax errors carry PostgreSQL's message and cursor position (SQLSTATE 42601).
DSQL adds a little syntax that the grammar does not know; it is recognised here first:

* ``CREATE [UNIQUE] INDEX ASYNC …`` — the ``ASYNC`` word is removed and the statement
  is marked asynchronous (it returns a job id and builds in the background). Without
  an index name PostgreSQL's grammar would take ``ASYNC`` for the name; DSQL's reading
  wins, and the index gets a generated name.
* ``ALTER TABLE ASYNC … VALIDATE CONSTRAINT …`` — likewise.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import pg_query

from tidesql import sqlstates
from tidesql.errors import TideError

_ASYNC_INDEX = re.compile(
    r"^(\s*create\s+(?:unique\s+)?index\s+)async\b", re.IGNORECASE | re.DOTALL
)
_ASYNC_ALTER = re.compile(r"^(\s*alter\s+table\s+)async\b", re.IGNORECASE | re.DOTALL)


class SqlSyntaxError(TideError):
    sqlstate = sqlstates.SYNTAX_ERROR

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    node: Any  # the pg_query protobuf message of the statement (SelectStmt, InsertStmt, …)
    kind: str  # the node's field name: "select_stmt", "insert_stmt", …
    text: str  # the statement's own text
    is_async: bool = False


#: Parsed statements by text: a repeated simple query skips libpg_query, as a prepared
#: one does. Parse trees are never modified after parsing, so sharing them is safe.
PARSE_CACHE_ENTRIES_MAX = 4096


def parse(sql: str) -> list[ParsedStatement]:
    """Split and parse ``sql``; raise 42601 with PostgreSQL's message on a syntax error."""
    return list(_parse_cached(sql))


@functools.lru_cache(maxsize=PARSE_CACHE_ENTRIES_MAX)
def _parse_cached(sql: str) -> tuple[ParsedStatement, ...]:
    return tuple(_parse(sql))


def _parse(sql: str) -> list[ParsedStatement]:
    statements: list[ParsedStatement] = []
    try:
        result = pg_query.parse(sql)
    except UnicodeDecodeError:
        # libpg_query points into the middle of a multibyte character when it reports an
        # error there; pg-query-python then fails to decode its own message.
        raise SqlSyntaxError("syntax error: invalid byte sequence in the statement") from None
    except pg_query.PgQueryError as error:
        # DSQL syntax is handled statement by statement below when the whole fails.
        if _ASYNC_INDEX.search(sql) or _ASYNC_ALTER.search(sql) or " async" in sql.lower():
            return _parse_with_dsql_syntax(sql)
        raise _syntax_error(error) from None
    if any(
        raw.stmt.WhichOneof("node") == "index_stmt" and raw.stmt.index_stmt.idxname == "async"
        for raw in result.stmts
    ):
        # ``CREATE INDEX ASYNC ON t (a)`` is valid PostgreSQL for an index named "async";
        # in DSQL the word is the keyword and the index gets a generated name.
        return _parse_with_dsql_syntax(sql)
    encoded = sql.encode("utf-8")
    for raw in result.stmts:
        which = raw.stmt.WhichOneof("node")
        start = raw.stmt_location
        length = raw.stmt_len or (len(encoded) - start)
        text = encoded[start : start + length].decode("utf-8").strip()
        if which is None:
            continue
        statements.append(ParsedStatement(getattr(raw.stmt, which), which, text))
    return statements


def _parse_with_dsql_syntax(sql: str) -> list[ParsedStatement]:
    out: list[ParsedStatement] = []
    for piece in split_statements(sql):
        is_async = False
        rewritten = piece
        for pattern in (_ASYNC_INDEX, _ASYNC_ALTER):
            match = pattern.search(piece)
            if match:
                rewritten = piece[: match.end(1)] + " " * 5 + piece[match.end() :]
                is_async = True
        try:
            result = pg_query.parse(rewritten)
        except pg_query.PgQueryError as error:
            raise _syntax_error(error) from None
        for raw in result.stmts:
            which = raw.stmt.WhichOneof("node")
            if which is not None:
                out.append(
                    ParsedStatement(getattr(raw.stmt, which), which, piece.strip(), is_async)
                )
    return out


def split_statements(sql: str) -> list[str]:
    """Split on top-level semicolons, respecting quotes, comments and dollar quotes."""
    pieces: list[str] = []
    start = 0
    i = 0
    n = len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif ch == "-" and sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif ch == "/" and sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == "$":
            match = re.match(r"\$[A-Za-z_0-9]*\$", sql[i:])
            if match:
                tag = match.group(0)
                end = sql.find(tag, i + len(tag))
                i = n if end < 0 else end + len(tag)
            else:
                i += 1
        elif ch == ";":
            if sql[start:i].strip():
                pieces.append(sql[start:i])
            start = i + 1
            i += 1
        else:
            i += 1
    if sql[start:].strip():
        pieces.append(sql[start:])
    return pieces


def _syntax_error(error: pg_query.PgQueryError) -> SqlSyntaxError:
    message = getattr(error, "message", None) or str(error)
    position = getattr(error, "cursorpos", None)
    sqlstate_error = SqlSyntaxError(message, position or None)
    if "unterminated" in message or "syntax error" in message or "at or near" in message:
        return sqlstate_error
    return sqlstate_error
