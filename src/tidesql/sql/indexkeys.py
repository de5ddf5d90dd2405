"""The key of a row in a secondary index: columns, expressions, and a partial WHERE.

What does an index hold for a row?
    A plain index holds one entry per row, keyed by the row's values of the index
    columns. Two variants change that (both from ``CREATE INDEX``):

    * an *expression* key (``CREATE INDEX ON t (lower(email))``) is computed from the
      row when the row is written, by the same compiled closures the executor uses;
    * a *partial* index (``… WHERE active``) holds entries only for rows that satisfy
      its predicate, so its uniqueness holds among those rows only.

    Every writer (INSERT, UPDATE, DELETE, the ``CREATE INDEX ASYNC`` backfill) asks
    :func:`keyer_for` for the index's :class:`IndexKeyer`, so all of them agree on
    which rows have entries and what their keys are.

When may the planner read such an index?
    Never when it could change an answer. An expression key is usable only for a
    conjunct ``expr = value`` whose ``expr`` binds to exactly the same expression
    (structural identity, :meth:`Expr.key`); a partial index only when every conjunct
    of its predicate appears, identically, among the query's conjuncts (the query then
    implies the predicate). Anything subtler — ``a > 5`` implying ``a > 0`` — is left
    to a table scan. See ``Planner._scan_with``.

Expressions are compiled once per catalog version (keyers live on the ``TableInfo``)
and evaluated without a session: index expressions must be immutable, which
``CREATE INDEX`` checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.catalog import IndexDef, TableInfo

Row = Sequence[Any]


@dataclass(frozen=True, slots=True)
class _StaticEnv:
    """The environment of index expressions: immutable functions need no session."""

    settings: T.FormatSettings
    params: tuple[Any, ...] = ()


STATIC_ENV = _StaticEnv(T.FormatSettings())


@dataclass(frozen=True, slots=True)
class IndexKeyer:
    """How one index derives its key values from a full row (attnum − 1 positions)."""

    values: Callable[[Row], list[Any]]
    includes: Callable[[Row], bool]  # False: the row has no entry (partial index)
    labels: list[str]  # the key columns as PostgreSQL names them in messages


def full_row_scope(info: TableInfo, alias: str | None = None) -> Any:
    """A binding scope over a full row: column ``attnum`` at position ``attnum − 1``."""
    from tidesql.sql.planner import Scope, ScopeItem

    return Scope(
        [
            ScopeItem(alias or info.name, c.name, c.sql_type, c.attnum - 1, info.oid, c.attnum)
            for c in info.live_columns
        ]
    )


def bind_index_expression(info: TableInfo, text: str, clause: str) -> Any:
    """Bind ``text`` over a full row of the table; refuse what an index cannot hold."""
    from tidesql.sql.planner import Planner
    from tidesql.sql.statements import _parse_expression

    catalog = info.catalog
    planner = Planner(catalog, ["pg_catalog", info.schema_name, "public"])
    expr = planner.bind_standalone(_parse_expression(text), full_row_scope(info), clause)
    if planner.has_volatile or any(getattr(n, "volatile", False) for n in expr.walk()):
        raise TideError(
            f"functions in {clause} must be marked IMMUTABLE",
            sqlstate=sqlstates.INVALID_OBJECT_DEFINITION,
        )
    return expr


def keyer_for(info: TableInfo, index: IndexDef) -> IndexKeyer:
    keyer = info.keyers.get(index.oid)
    if keyer is None:
        keyer = _build(info, index)
        info.keyers[index.oid] = keyer
    return keyer


def _build(info: TableInfo, index: IndexDef) -> IndexKeyer:
    getters: list[Callable[[Row], Any]] = []
    labels: list[str] = []
    for attnum, text in index.key_parts():
        if text is None:
            getters.append(_column_getter(attnum - 1))
            labels.append(info.table.columns[attnum - 1].name)
        else:
            compiled = bind_index_expression(info, text, "index expression").compile()
            getters.append(_expression_getter(compiled))
            labels.append(text)
    includes: Callable[[Row], bool] = _always
    if index.predicate is not None:
        predicate = bind_index_expression(info, index.predicate, "index predicate").compile()

        def includes(row: Row) -> bool:
            return predicate(row, STATIC_ENV) is True

    if all(text is None for _, text in index.key_parts()):
        positions = [a - 1 for a in index.columns]
        return IndexKeyer(lambda row: [row[p] for p in positions], includes, labels)
    return IndexKeyer(lambda row: [get(row) for get in getters], includes, labels)


def _column_getter(position: int) -> Callable[[Row], Any]:
    return lambda row: row[position]


def _expression_getter(compiled: Callable[[Row, Any], Any]) -> Callable[[Row], Any]:
    return lambda row: compiled(row, STATIC_ENV)


def _always(row: Row) -> bool:
    return True


#: Types whose values the order-preserving key encoding (``tidesql.keys``) holds, so
#: they can be key columns of a primary key, a unique constraint or an index.
KEY_TYPE_OIDS = frozenset(
    t.oid
    for t in (
        T.INT2, T.INT4, T.INT8, T.OID, T.NUMERIC, T.FLOAT4, T.FLOAT8, T.TEXT, T.VARCHAR,
        T.BPCHAR, T.NAME, T.CHAR, T.BYTEA, T.BOOL, T.DATE, T.TIME, T.TIMESTAMP,
        T.TIMESTAMPTZ, T.UUID, T.REGCLASS, T.REGTYPE,
    )
)  # fmt: skip


def check_key_type(sql_type: T.SqlType, where: str) -> None:
    """Refuse (0A000) a key column whose values tidesql cannot order in a key."""
    if sql_type.oid not in KEY_TYPE_OIDS or sql_type.element is not None:
        raise TideError(
            f"tidesql cannot use a value of type {T.format_type(sql_type)} in {where}",
            sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            hint="Key on a column of a scalar type such as bigint, text, uuid or timestamp.",
        )
