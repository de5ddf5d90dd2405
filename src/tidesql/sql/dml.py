"""Writing rows: INSERT, UPDATE, DELETE with constraints and secondary indexes.

A row is written as one key/value pair under its primary key, and every secondary
index gets an entry in the same transaction::

    (table, 0, pk…)                      → msgpack row
    (table, index, values…, pk…)         → b""                       non-unique index
    (table, index, values…)              → encode_key(pk…)           unique index, no NULLs

Uniqueness is checked against the transaction's snapshot (23505 if the key is there);
two transactions that insert the same key concurrently both write the same index or
row key, so the adjudicator refuses the later one at COMMIT (40001, OC000) — the same
outcome DSQL gives.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.keys import decode_key, encode_key
from tidesql.sql import types as T
from tidesql.sql.catalog import IndexDef, TableInfo
from tidesql.sql.domains import column_checkers
from tidesql.sql.foreign_keys import RowHooks
from tidesql.sql.indexkeys import keyer_for


def hidden_row_id() -> int:
    return int.from_bytes(os.urandom(8), "big") >> 1


def format_row(info: TableInfo, row: Sequence[Any], settings: T.FormatSettings) -> str:
    parts = []
    for column in info.live_columns:
        value = row[column.attnum - 1]
        parts.append("null" if value is None else T.format_value(value, column.sql_type, settings))
    return "(" + ", ".join(parts) + ")"


def _key_text(
    labels: list[str],
    types: list[T.SqlType | None],
    values: Sequence[Any],
    settings: T.FormatSettings,
) -> str:
    shown = ", ".join(
        "null" if v is None else T.format_value(v, t, settings) if t is not None else str(v)
        for t, v in zip(types, values, strict=True)
    )
    return f"Key ({', '.join(labels)})=({shown}) already exists."


def index_entry(
    info: TableInfo, index: IndexDef, row: Sequence[Any], row_key: bytes
) -> tuple[bytes, bytes, bool] | None:
    """The index entry of a row: (entry key, entry value, enforces uniqueness), or None
    when the row has no entry (it fails a partial index's predicate)."""
    if index.plain:
        values = [row[a - 1] for a in index.columns]
    else:
        keyer = keyer_for(info, index)
        if not keyer.includes(row):
            return None
        values = keyer.values(row)
    pk = decode_key(row_key)[2:]
    unique = index.unique and (index.nulls_not_distinct or None not in values)
    if unique:
        return encode_key((info.oid, index.oid, *values)), encode_key(pk), True
    return encode_key((info.oid, index.oid, *values, *pk)), b"", False


def index_key_types(info: TableInfo, index: IndexDef) -> list[T.SqlType | None]:
    texts = iter(index.expression_type_oids)
    return [
        info.table.columns[a - 1].sql_type if a else T.type_by_oid(next(texts))
        for a in index.columns
    ]


class TableWriter:
    """Row writes for one table inside one statement."""

    def __init__(self, info: TableInfo, ctx: Any, checks: list[tuple[str, Any]]) -> None:
        self.info = info
        self.ctx = ctx
        self.txn = ctx.txn
        self.env = ctx.env
        self.checks = checks  # (constraint name, compiled predicate over a full row)
        self.domain_checks = column_checkers(info)
        #: Foreign keys in or out of this table (None: neither, nothing to do).
        self.foreign_keys = RowHooks.for_table(ctx, info)
        #: Compiled column defaults, for ON DELETE/UPDATE SET DEFAULT (set by foreign_keys).
        self.defaults: dict[int, Any] = {}
        ctx.note_table_written(info)

    # ------------------------------------------------------------ keys
    def primary_values(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(row[a - 1] for a in self.info.primary_key)

    def row_key(self, row: Sequence[Any], hidden_id: int | None = None) -> bytes:
        if self.info.primary_key:
            return encode_key((self.info.oid, 0, *self.primary_values(row)))
        return encode_key(
            (self.info.oid, 0, hidden_id if hidden_id is not None else hidden_row_id())
        )

    # ------------------------------------------------------------ checks
    def check_row(self, row: list[Any]) -> None:
        info = self.info
        for position, check_domain in self.domain_checks:
            check_domain(row[position], self.env)
        for column in info.live_columns:
            if column.not_null and row[column.attnum - 1] is None:
                raise TideError(
                    f'null value in column "{column.name}" of relation "{info.name}" '
                    "violates not-null constraint",
                    sqlstate=sqlstates.NOT_NULL_VIOLATION,
                    detail=f"Failing row contains {format_row(info, row, self.env.settings)}.",
                )
        for name, predicate in self.checks:
            if predicate(row, self.env) is False:
                raise TideError(
                    f'new row for relation "{info.name}" violates check constraint "{name}"',
                    sqlstate=sqlstates.CHECK_VIOLATION,
                    detail=f"Failing row contains {format_row(info, row, self.env.settings)}.",
                )

    async def _ensure_unique_row(self, key: bytes, row: Sequence[Any]) -> None:
        if await self.txn.get(key) is not None:
            raise self.duplicate(
                f"{self.info.name}_pkey", self.info.primary_key, self.primary_values(row)
            )

    def duplicate(self, name: str, attnums: list[int], values: Sequence[Any]) -> TideError:
        columns = [self.info.table.columns[a - 1] for a in attnums]
        return self._duplicate(
            name, [c.name for c in columns], [c.sql_type for c in columns], values
        )

    def _duplicate(
        self, name: str, labels: list[str], types: list[T.SqlType | None], values: Sequence[Any]
    ) -> TideError:
        return TideError(
            f'duplicate key value violates unique constraint "{name}"',
            sqlstate=sqlstates.UNIQUE_VIOLATION,
            detail=_key_text(labels, types, values, self.env.settings),
        )

    async def conflicting_key(
        self, row: Sequence[Any], indexes: list[IndexDef] | None
    ) -> bytes | None:
        """The row key of an existing row that conflicts with ``row`` on the arbiters."""
        info = self.info
        if info.primary_key and (indexes is None or any(i.is_primary for i in indexes)):
            key = self.row_key(row)
            if await self.txn.get(key) is not None:
                return key
        for index in info.all_secondary_indexes:
            if not index.unique or (indexes is not None and index not in indexes):
                continue
            found = index_entry(self.info, index, row, encode_key((info.oid, 0, 0)))
            if found is None or not found[2]:
                continue
            entry = found[0]
            existing = await self.txn.get(entry)
            if existing is not None:
                return encode_key((info.oid, 0, *decode_key(existing)))
        return None

    # ------------------------------------------------------------ writes
    async def insert(self, row: list[Any]) -> bytes:
        self.check_row(row)
        key = self.row_key(row)
        if self.info.primary_key:
            await self._ensure_unique_row(key, row)
        await self._write_indexes(None, None, row, key)
        self.txn.put(key, self.info.codec.encode(row))
        if self.foreign_keys is not None:
            self.foreign_keys.after_insert(key, row)
        return key

    async def delete(self, key: bytes, row: Sequence[Any], *, depth: int = 0) -> None:
        for index in self.info.all_secondary_indexes:
            found = index_entry(self.info, index, row, key)
            if found is not None:
                self.txn.delete(found[0], is_row=False)
        self.txn.delete(key)
        if self.foreign_keys is not None:
            await self.foreign_keys.after_delete(row, depth)

    async def update(
        self, key: bytes, old: Sequence[Any], new: list[Any], *, depth: int = 0
    ) -> bytes:
        self.check_row(new)
        info = self.info
        new_key = key
        if info.primary_key and self.primary_values(old) != self.primary_values(new):
            new_key = self.row_key(new)
            await self._ensure_unique_row(new_key, new)
            self.txn.delete(key)
        await self._write_indexes(old, key, new, new_key)
        self.txn.put(new_key, info.codec.encode(new))
        if self.foreign_keys is not None:
            await self.foreign_keys.after_update(key, old, new_key, new, depth)
        return new_key

    async def _write_indexes(
        self, old: Sequence[Any] | None, old_key: bytes | None, new: Sequence[Any], new_key: bytes
    ) -> None:
        for index in self.info.all_secondary_indexes:
            found = index_entry(self.info, index, new, new_key)
            if old is not None and old_key is not None:
                old_found = index_entry(self.info, index, old, old_key)
                if old_found is not None:
                    if found is not None and old_found[:2] == found[:2]:
                        continue
                    self.txn.delete(old_found[0], is_row=False)
            if found is None:
                continue
            entry, value, unique = found
            if unique:
                existing = await self.txn.get(entry)
                if existing is not None and (
                    old_key is None
                    or encode_key((self.info.oid, 0, *decode_key(existing))) != old_key
                ):
                    raise self._duplicate(
                        index.name,
                        keyer_for(self.info, index).labels,
                        index_key_types(self.info, index),
                        keyer_for(self.info, index).values(new),
                    )
            self.txn.put(entry, value, is_row=False)
