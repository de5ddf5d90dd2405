"""Physical plan nodes: each produces a list of row tuples for an execution context.

Plans are built once per statement text and catalog version and reused (prepared
statements, the plan cache), so a node keeps only compiled closures and constants;
everything that varies per execution — the transaction, parameter values, session
settings, rows of enclosing queries — comes in through ``ctx``.

Rows are materialized between nodes (lists of tuples): in Python a list comprehension
over a materialized input is much cheaper than a generator pipeline, and storage
answers a scan in one reply anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.keys import encode_key, prefix_end
from tidesql.sql import types as T
from tidesql.sql.catalog import IndexDef, TableInfo
from tidesql.sql.expr import Compiled

Row = tuple[Any, ...]


@dataclass
class OutputColumn:
    name: str
    type: T.SqlType
    table_oid: int = 0
    column_number: int = 0


class PlanNode:
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        raise NotImplementedError

    def explain(self) -> list[str]:
        raise NotImplementedError

    def children(self) -> list[PlanNode]:
        return []


def explain_tree(
    node: PlanNode, depth: int = 0, annotate: Callable[[PlanNode], str] | None = None
) -> list[str]:
    """PostgreSQL's text layout: a node at depth d starts its name in column 6·d (after
    ``->  ``), its detail lines two columns further in. ``annotate`` gives the text
    appended to each node's first line (EXPLAIN ANALYZE's actual figures)."""
    lines = node.explain()
    first = lines[0] + (annotate(node) if annotate is not None else "")
    column = 6 * depth
    out = [(" " * (column - 4) + "->  " if depth else "") + first]
    out += [" " * (column + 2) + extra for extra in lines[1:]]
    for child in node.children():
        out += explain_tree(child, depth + 1, annotate)
    return out


# ---------------------------------------------------------------- leaves
@dataclass
class Result(PlanNode):
    """One empty row: SELECT without FROM."""

    columns: list[OutputColumn] = field(default_factory=list)

    async def rows(self, ctx: Any) -> list[Row]:
        return [()]

    def explain(self) -> list[str]:
        return ["Result"]


@dataclass
class ValuesScan(PlanNode):
    values: list[list[Compiled]]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        return [tuple(f((), env) for f in row) for row in self.values]

    def explain(self) -> list[str]:
        return [f'Values Scan on "*VALUES*" (rows={len(self.values)})']


def _lock_and_filter(
    ctx: Any,
    info: TableInfo,
    pairs: Sequence[tuple[bytes, bytes]],
    with_key: bool,
    predicate: Callable[[Row, Any], bool] | None,
) -> list[Row]:
    """Decode, filter, and — under SELECT … FOR UPDATE / FOR KEY SHARE — lock the rows
    that remain: FOR UPDATE keys conflict at commit like writes, key-shares only with a
    concurrent delete of the row (see the adjudicator)."""
    locking: dict[int, str] | None = ctx.locking
    if not locking or info.oid not in locking:
        rows = _decode_rows(info, pairs, with_key)
        if predicate is not None:
            env = ctx.env
            rows = [row for row in rows if predicate(row, env)]
        return rows
    keyed = _decode_rows(info, pairs, True)
    if predicate is not None:
        env = ctx.env
        keyed = [row for row in keyed if predicate(row[:-1], env)]
    lock = ctx.txn.key_share if locking[info.oid] == "key share" else ctx.txn.lock
    for row in keyed:
        lock(row[-1])
    return keyed if with_key else [row[:-1] for row in keyed]


def _decode_rows(
    info: TableInfo, pairs: Sequence[tuple[bytes, bytes]], with_key: bool
) -> list[Row]:
    decode = info.codec.decode
    live = info.live_positions
    if live is None:
        if with_key:
            return [(*decode(value), key) for key, value in pairs]
        return [tuple(decode(value)) for _, value in pairs]
    out = []
    for key, value in pairs:
        values = decode(value)
        row = tuple(values[i] for i in live)
        out.append((*row, key) if with_key else row)
    return out


@dataclass
class TableScan(PlanNode):
    """Rows of a table in primary-key order, between two key bounds, filtered.

    ``low``/``high`` are compiled expression lists for the primary-key prefix bounds
    (empty: the whole table). ``with_key`` appends the row's storage key as a last
    column (for UPDATE, DELETE and FOR UPDATE).
    """

    info: TableInfo
    columns: list[OutputColumn]
    filter: Callable[[Row, Any], bool] | None = None
    filter_text: str = ""
    with_key: bool = False
    low: list[Compiled] = field(default_factory=list)
    low_inclusive: bool = True
    high: list[Compiled] = field(default_factory=list)
    high_inclusive: bool = True
    equal_prefix: list[Compiled] = field(default_factory=list)
    limit: int | None = None
    description: str = ""
    #: The FROM alias this scan reads for (a table may appear twice in one query).
    alias: str = ""

    async def rows(self, ctx: Any) -> list[Row]:
        info = self.info
        ctx.note_table_read(info)
        env = ctx.env
        oid = info.oid
        if self.equal_prefix:
            prefix = encode_key((oid, 0, *[f((), env) for f in self.equal_prefix]))
            low, high = prefix, prefix_end(prefix)
        else:
            low = info.key_prefix
            high = prefix_end(info.key_prefix)
            if self.low:
                bound = encode_key((oid, 0, *[f((), env) for f in self.low]))
                low = bound if self.low_inclusive else prefix_end(bound)
            if self.high:
                bound = encode_key((oid, 0, *[f((), env) for f in self.high]))
                high = prefix_end(bound) if self.high_inclusive else bound
        limit = self.limit if self.filter is None else None
        pairs = await ctx.txn.scan(low, high, limit=limit)
        return _lock_and_filter(ctx, info, pairs, self.with_key, self.filter)

    def explain(self) -> list[str]:
        kind = (
            "Index Scan using " + f"{self.info.name}_pkey on {self.info.name}"
            if (self.equal_prefix or self.low or self.high)
            else f"Seq Scan on {self.info.name}"
        )
        lines = [kind]
        return lines + _conditions(self.description, self.filter_text)


def _conditions(description: str, filter_text: str) -> list[str]:
    """The EXPLAIN lines shared by the scan nodes."""
    lines = [f"Index Cond: {description}"] if description else []
    return lines + ([f"Filter: {filter_text}"] if filter_text else [])


@dataclass
class PointLookup(PlanNode):
    """One row by its full primary key: the hot path of a prepared point SELECT."""

    info: TableInfo
    columns: list[OutputColumn]
    key_values: list[Compiled]
    filter: Callable[[Row, Any], bool] | None = None
    filter_text: str = ""
    with_key: bool = False
    description: str = ""

    async def rows(self, ctx: Any) -> list[Row]:
        info = self.info
        ctx.note_table_read(info)
        env = ctx.env
        key_values = self.key_values
        if len(key_values) == 1:  # the common single-column key, without a list
            value = key_values[0]((), env)
            if value is None:
                return []
            key = encode_key((info.oid, 0, value))
        else:
            values = [f((), env) for f in key_values]
            if None in values:
                return []
            key = encode_key((info.oid, 0, *values))
        data = await ctx.txn.get(key)
        if data is None:
            return []
        return _lock_and_filter(ctx, info, [(key, data)], self.with_key, self.filter)

    def explain(self) -> list[str]:
        lines = [f"Index Scan using {self.info.name}_pkey on {self.info.name}"]
        return lines + _conditions(self.description, self.filter_text)


@dataclass
class IndexLookup(PlanNode):
    """Rows whose secondary-index columns equal given values (a prefix of the index)."""

    info: TableInfo
    index: IndexDef
    columns: list[OutputColumn]
    key_values: list[Compiled]
    filter: Callable[[Row, Any], bool] | None = None
    filter_text: str = ""
    with_key: bool = False
    description: str = ""

    async def rows(self, ctx: Any) -> list[Row]:
        info = self.info
        ctx.note_table_read(info)
        env = ctx.env
        values = [f((), env) for f in self.key_values]
        if None in values:
            return []
        prefix = encode_key((info.oid, self.index.oid, *values))
        entries = await ctx.txn.scan(prefix, prefix_end(prefix))
        keys = [ctx.primary_key_from_index(info, self.index, k, v) for k, v in entries]
        pairs = []
        for key in keys:
            data = await ctx.txn.get(key)
            if data is not None:
                pairs.append((key, data))
        return _lock_and_filter(ctx, info, pairs, self.with_key, self.filter)

    def explain(self) -> list[str]:
        lines = [f"Index Scan using {self.index.name} on {self.info.name}"]
        return lines + _conditions(self.description, self.filter_text)


# ---------------------------------------------------------------- row operators
@dataclass
class Filter(PlanNode):
    child: PlanNode
    predicate: Callable[[Row, Any], bool]
    columns: list[OutputColumn]
    text: str = ""

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        predicate = self.predicate
        return [row for row in await self.child.rows(ctx) if predicate(row, env)]

    def explain(self) -> list[str]:
        return ["Filter", f"Filter: {self.text}"] if self.text else ["Filter"]

    def children(self) -> list[PlanNode]:
        return [self.child]


@dataclass
class Project(PlanNode):
    child: PlanNode
    exprs: list[Compiled]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        exprs = self.exprs
        rows = await self.child.rows(ctx)
        if len(exprs) == 1:
            (only,) = exprs
            return [(only(row, env),) for row in rows]
        return [tuple([f(row, env) for f in exprs]) for row in rows]

    def explain(self) -> list[str]:
        return ["Project"]

    def children(self) -> list[PlanNode]:
        return [self.child]


@dataclass
class SubPlan:
    """A subquery evaluated per row (or once when uncorrelated)."""

    plan: PlanNode
    kind: str  # "scalar" | "exists" | "array" | "rows"
    correlated: bool


@dataclass
class Apply(PlanNode):
    """Append each subquery's value for the row as extra columns."""

    child: PlanNode
    subplans: list[SubPlan]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        rows = await self.child.rows(ctx)
        cached: dict[int, Any] = {}
        out = []
        for row in rows:
            extra = []
            for position, sub in enumerate(self.subplans):
                if not sub.correlated and position in cached:
                    extra.append(cached[position])
                    continue
                ctx.env.outer.append(row)
                try:
                    result = await sub.plan.rows(ctx)
                finally:
                    ctx.env.outer.pop()
                value = _subquery_value(sub.kind, result)
                if not sub.correlated:
                    cached[position] = value
                extra.append(value)
            out.append((*row, *extra))
        return out

    def explain(self) -> list[str]:
        return ["SubPlan"]

    def children(self) -> list[PlanNode]:
        return [self.child] + [s.plan for s in self.subplans]


def _subquery_value(kind: str, result: list[Row]) -> Any:
    if kind == "exists":
        return bool(result)
    if kind == "scalar":
        if len(result) > 1:
            raise TideError(
                "more than one row returned by a subquery used as an expression",
                sqlstate=sqlstates.CARDINALITY_VIOLATION,
            )
        return result[0][0] if result else None
    return [r[0] for r in result]


@dataclass
class NestedLoopJoin(PlanNode):
    left: PlanNode
    right: PlanNode
    kind: str  # inner | left | right | full | cross
    condition: Callable[[Row, Any], bool] | None
    columns: list[OutputColumn]
    left_width: int = 0
    right_width: int = 0
    text: str = ""

    async def rows(self, ctx: Any) -> list[Row]:
        left_rows = await self.left.rows(ctx)
        right_rows = await self.right.rows(ctx)
        return _join(
            left_rows,
            right_rows,
            self.kind,
            self.condition,
            ctx.env,
            self.left_width,
            self.right_width,
            None,
        )

    def explain(self) -> list[str]:
        lines = [
            "Nested Loop"
            + (f" {self.kind.title()} Join" if self.kind not in ("inner", "cross") else "")
        ]
        if self.text:
            lines.append(f"Join Filter: {self.text}")
        return lines

    def children(self) -> list[PlanNode]:
        return [self.left, self.right]


@dataclass
class HashJoin(PlanNode):
    """Build a hash table of the right rows by key, probe it with each left row.

    ``lookup`` is set by the planner when the join binds the right table's whole primary
    key: (the right table, the left key expressions in primary-key order); the planner
    may then turn this join into a ``LookupJoin`` once it knows the left side is small.
    """

    left: PlanNode
    right: PlanNode
    kind: str
    left_keys: list[Compiled]
    right_keys: list[Compiled]
    residual: Callable[[Row, Any], bool] | None
    columns: list[OutputColumn]
    left_width: int = 0
    right_width: int = 0
    text: str = ""
    lookup: tuple[TableInfo, list[Compiled]] | None = None

    async def rows(self, ctx: Any) -> list[Row]:
        left_rows = await self.left.rows(ctx)
        right_rows = await self.right.rows(ctx)
        env = ctx.env
        right_keys = self.right_keys
        table: dict[Any, list[int]] = {}
        for position, row in enumerate(right_rows):
            key = tuple(f(row, env) for f in right_keys)
            if None in key:
                continue
            table.setdefault(key, []).append(position)
        return _join(
            left_rows,
            right_rows,
            self.kind,
            self.residual,
            env,
            self.left_width,
            self.right_width,
            (table, self.left_keys),
        )

    def explain(self) -> list[str]:
        label = {
            "inner": "Hash Join",
            "left": "Hash Left Join",
            "right": "Hash Right Join",
            "full": "Hash Full Join",
        }.get(self.kind, "Hash Join")
        return [label, f"Hash Cond: {self.text}"] if self.text else [label]

    def children(self) -> list[PlanNode]:
        return [self.left, self.right]


def _join(
    left_rows: list[Row],
    right_rows: list[Row],
    kind: str,
    condition: Callable[[Row, Any], bool] | None,
    env: Any,
    left_width: int,
    right_width: int,
    hashed: tuple[dict[Any, list[int]], list[Compiled]] | None,
) -> list[Row]:
    out: list[Row] = []
    right_matched = [False] * len(right_rows) if kind in ("right", "full") else None
    left_nulls = (None,) * left_width
    right_nulls = (None,) * right_width
    for left in left_rows:
        matched = False
        if hashed is not None:
            table, left_keys = hashed
            key = tuple(f(left, env) for f in left_keys)
            candidates = table.get(key, ()) if None not in key else ()
        else:
            candidates = list(range(len(right_rows)))
        for position in candidates:
            right = right_rows[position]
            combined = left + right
            if condition is None or condition(combined, env):
                out.append(combined)
                matched = True
                if right_matched is not None:
                    right_matched[position] = True
        if not matched and kind in ("left", "full"):
            out.append(left + right_nulls)
    if right_matched is not None:
        for position, was in enumerate(right_matched):
            if not was:
                out.append(left_nulls + right_rows[position])
    return out


@dataclass
class LookupJoin(PlanNode):
    """For each left row, fetch the right table's row by its full primary key.

    Chosen over a hash join when the left side is small (a point lookup, an index
    lookup, a key range, a LIMIT…) and the join condition binds the right table's whole
    primary key, so the join reads a few rows instead of scanning the right table.
    """

    left: PlanNode
    info: TableInfo
    key_values: list[Compiled]  # over the left row, in primary-key order
    right_filter: Callable[[Row, Any], bool] | None
    kind: str  # inner | left
    residual: Callable[[Row, Any], bool] | None
    columns: list[OutputColumn]
    right_width: int = 0

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        info = self.info
        ctx.note_table_read(info)
        oid = info.oid
        out: list[Row] = []
        nulls = (None,) * self.right_width
        residual = self.residual
        for left in await self.left.rows(ctx):
            values = [f(left, env) for f in self.key_values]
            matched = False
            if None not in values:
                key = encode_key((oid, 0, *values))
                data = await ctx.txn.get(key)
                if data is not None:
                    for right in _lock_and_filter(
                        ctx, info, [(key, data)], False, self.right_filter
                    ):
                        combined = left + right
                        if residual is None or residual(combined, env):
                            out.append(combined)
                            matched = True
            if not matched and self.kind == "left":
                out.append(left + nulls)
        return out

    def explain(self) -> list[str]:
        label = "Nested Loop" if self.kind == "inner" else "Nested Loop Left Join"
        return [label, f"->  Index Scan using {self.info.name}_pkey on {self.info.name}"]

    def children(self) -> list[PlanNode]:
        return [self.left]


@dataclass
class LateralJoin(PlanNode):
    """FROM a, LATERAL (subquery over a): the right side runs once per left row, which it
    sees as the nearest enclosing row (``env.outer``)."""

    left: PlanNode
    right: PlanNode
    columns: list[OutputColumn]
    left_width: int = 0

    async def rows(self, ctx: Any) -> list[Row]:
        out: list[Row] = []
        outer = ctx.env.outer
        for left in await self.left.rows(ctx):
            outer.append(left)
            try:
                right_rows = await self.right.rows(ctx)
            finally:
                outer.pop()
            out.extend(left + right for right in right_rows)
        return out

    def explain(self) -> list[str]:
        return ["Nested Loop (LATERAL)"]

    def children(self) -> list[PlanNode]:
        return [self.left, self.right]


@dataclass
class ZipScan(PlanNode):
    """Rows of several scans side by side, padded with NULLs to the longest."""

    scans: list[PlanNode]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        results = [await scan.rows(ctx) for scan in self.scans]
        widths = [len(scan.columns) for scan in self.scans]
        longest = max((len(r) for r in results), default=0)
        out: list[Row] = []
        for position in range(longest):
            row: tuple[Any, ...] = ()
            for rows, width in zip(results, widths, strict=True):
                row += rows[position] if position < len(rows) else (None,) * width
            out.append(row)
        return out

    def explain(self) -> list[str]:
        return ["ProjectSet"]

    def children(self) -> list[PlanNode]:
        return list(self.scans)


@dataclass
class AggregateSpec:
    aggregate: Any  # sql.aggregates.Aggregate
    args: list[Compiled]
    distinct: bool = False
    filter: Callable[[Row, Any], bool] | None = None
    order: list[tuple[Compiled, bool, bool, Callable[[Any], Any]]] = field(default_factory=list)
    star: bool = False


@dataclass
class Aggregate(PlanNode):
    """GROUP BY: output rows are (group values…, aggregate results…)."""

    child: PlanNode
    group: list[Compiled]
    aggregates: list[AggregateSpec]
    columns: list[OutputColumn]
    scalar: bool = False  # no GROUP BY: one row even on empty input

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        rows = await self.child.rows(ctx)
        groups: dict[tuple[Any, ...], list[Row]] = {}
        group = self.group
        if group:
            for row in rows:
                key = tuple(f(row, env) for f in group)
                bucket = groups.get(key)
                if bucket is None:
                    groups[key] = [row]
                else:
                    bucket.append(row)
        elif rows or self.scalar:
            groups[()] = rows
        out = []
        for key, members in groups.items():
            out.append((*key, *[_aggregate(spec, members, env) for spec in self.aggregates]))
        return out

    def explain(self) -> list[str]:
        return ["HashAggregate" if self.group else "Aggregate"]

    def children(self) -> list[PlanNode]:
        return [self.child]


def _aggregate(spec: AggregateSpec, rows: list[Row], env: Any) -> Any:
    aggregate = spec.aggregate
    if spec.filter is not None:
        rows = [row for row in rows if spec.filter(row, env)]
    if spec.order:
        rows = sort_rows(rows, spec.order, env)
    state = aggregate.init()
    step = aggregate.step
    if spec.star:
        for _ in rows:
            state = step(state)
        return aggregate.final(state)
    args = spec.args
    seen: set[Any] | None = set() if spec.distinct else None
    seen_list: list[Any] = []
    for row in rows:
        values = [f(row, env) for f in args]
        if aggregate.strict and None in values:
            continue
        if seen is not None:
            marker = tuple(values)
            try:
                if marker in seen:
                    continue
                seen.add(marker)
            except TypeError:
                if marker in seen_list:
                    continue
                seen_list.append(marker)
        state = step(state, *values)
    return aggregate.final(state)


def sort_rows(
    rows: list[Row], keys: list[tuple[Compiled, bool, bool, Callable[[Any], Any]]], env: Any
) -> list[Row]:
    """Stable multi-key sort; each key is (expr, descending, nulls_first, sort_key)."""
    out = list(rows)
    for expr, descending, nulls_first, sort_key in reversed(keys):
        decorated = [(expr(row, env), row) for row in out]
        nulls = [item for item in decorated if item[0] is None]
        values = [item for item in decorated if item[0] is not None]
        values.sort(key=lambda item: sort_key(item[0]), reverse=descending)
        ordered = nulls + values if nulls_first else values + nulls
        out = [row for _, row in ordered]
    return out


@dataclass
class Sort(PlanNode):
    child: PlanNode
    keys: list[tuple[Compiled, bool, bool, Callable[[Any], Any]]]
    columns: list[OutputColumn]
    text: str = ""

    async def rows(self, ctx: Any) -> list[Row]:
        return sort_rows(await self.child.rows(ctx), self.keys, ctx.env)

    def explain(self) -> list[str]:
        return ["Sort", f"Sort Key: {self.text}"] if self.text else ["Sort"]

    def children(self) -> list[PlanNode]:
        return [self.child]


@dataclass
class Limit(PlanNode):
    child: PlanNode
    limit: Compiled | None
    offset: Compiled | None
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        rows = await self.child.rows(ctx)
        offset = self.offset((), env) if self.offset is not None else None
        limit = self.limit((), env) if self.limit is not None else None
        if offset is not None and offset < 0:
            raise TideError(
                "OFFSET must not be negative",
                sqlstate=sqlstates.INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
            )
        if limit is not None and limit < 0:
            raise TideError(
                "LIMIT must not be negative", sqlstate=sqlstates.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE
            )
        start = offset or 0
        return rows[start:] if limit is None else rows[start : start + limit]

    def explain(self) -> list[str]:
        return ["Limit"]

    def children(self) -> list[PlanNode]:
        return [self.child]


def hashable_row(row: Row) -> Any:
    try:
        hash(row)
        return row
    except TypeError:
        return repr(row)


@dataclass
class Distinct(PlanNode):
    child: PlanNode
    columns: list[OutputColumn]
    on: list[Compiled] | None = None

    async def rows(self, ctx: Any) -> list[Row]:
        seen: set[Any] = set()
        out = []
        env = ctx.env
        for row in await self.child.rows(ctx):
            marker = (
                hashable_row(tuple(f(row, env) for f in self.on)) if self.on else hashable_row(row)
            )
            if marker not in seen:
                seen.add(marker)
                out.append(row)
        return out

    def explain(self) -> list[str]:
        return ["Unique" if self.on is None else "Unique (DISTINCT ON)"]

    def children(self) -> list[PlanNode]:
        return [self.child]


@dataclass
class SetOperation(PlanNode):
    kind: str  # union | intersect | except
    all: bool
    left: PlanNode
    right: PlanNode
    columns: list[OutputColumn]
    left_casts: list[Compiled] | None = None
    right_casts: list[Compiled] | None = None

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        left = await self.left.rows(ctx)
        right = await self.right.rows(ctx)
        if self.left_casts:
            left = [tuple(f(row, env) for f in self.left_casts) for row in left]
        if self.right_casts:
            right = [tuple(f(row, env) for f in self.right_casts) for row in right]
        if self.kind == "union":
            if self.all:
                return left + right
            return _unique(left + right)
        counts: dict[Any, int] = {}
        for row in right:
            marker = hashable_row(row)
            counts[marker] = counts.get(marker, 0) + 1
        out = []
        if self.kind == "intersect":
            for row in left if self.all else _unique(left):
                marker = hashable_row(row)
                if counts.get(marker, 0) > 0:
                    out.append(row)
                    counts[marker] -= 1 if self.all else 0
            return out
        for row in left if self.all else _unique(left):
            marker = hashable_row(row)
            if counts.get(marker, 0) > 0:
                if self.all:
                    counts[marker] -= 1
                continue
            out.append(row)
        return out

    def explain(self) -> list[str]:
        return [
            f"{'Append' if self.kind == 'union' and self.all else 'HashSetOp ' + self.kind.title()}"
        ]

    def children(self) -> list[PlanNode]:
        return [self.left, self.right]


def _unique(rows: list[Row]) -> list[Row]:
    seen: set[Any] = set()
    out = []
    for row in rows:
        marker = hashable_row(row)
        if marker not in seen:
            seen.add(marker)
            out.append(row)
    return out


@dataclass
class CteScan(PlanNode):
    name: str
    plan: PlanNode
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        cache = ctx.cte_results
        # A CTE inside a correlated subquery runs again for each enclosing row.
        key = (id(self.plan), *map(id, ctx.env.outer))
        if key not in cache:
            cache[key] = await self.plan.rows(ctx)
        rows: list[Row] = cache[key]
        return rows

    def explain(self) -> list[str]:
        return [f"CTE Scan on {self.name}"]

    def children(self) -> list[PlanNode]:
        return [self.plan]


@dataclass
class ModifyingCte(PlanNode):
    """An INSERT, UPDATE or DELETE in WITH: run once per execution, its RETURNING rows
    kept for every reader. Unlike PostgreSQL, the statement's other parts run after it
    and see its changes (PostgreSQL shows them the snapshot from before)."""

    name: str
    run: Callable[[Any, Any], Awaitable[Any]]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        cache = ctx.cte_results
        key = ("modifying", id(self))
        if key not in cache:
            result = await self.run(ctx.session, ctx)
            cache[key] = [tuple(row) for row in result.rows]
        rows: list[Row] = cache[key]
        return rows

    def explain(self) -> list[str]:
        return [f"CTE {self.name} (data-modifying)"]


@dataclass
class RecursiveCte(PlanNode):
    name: str
    anchor: PlanNode
    recursive: PlanNode
    union_all: bool
    columns: list[OutputColumn]
    rows_max: int = 10_000_000

    async def rows(self, ctx: Any) -> list[Row]:
        cache = ctx.cte_results
        key = (id(self), *map(id, ctx.env.outer))
        if key in cache:
            cached: list[Row] = cache[key]
            return cached
        result = list(await self.anchor.rows(ctx))
        seen = {hashable_row(r) for r in result} if not self.union_all else None
        working = result
        while working:
            ctx.recursive_working[id(self)] = working
            produced = await self.recursive.rows(ctx)
            if seen is not None:
                fresh = []
                for row in produced:
                    marker = hashable_row(row)
                    if marker not in seen:
                        seen.add(marker)
                        fresh.append(row)
                produced = fresh
            result.extend(produced)
            if len(result) > self.rows_max:
                raise TideError(
                    "recursive query produced too many rows",
                    sqlstate=sqlstates.PROGRAM_LIMIT_EXCEEDED,
                )
            working = produced
        cache[key] = result
        return result

    def explain(self) -> list[str]:
        return [f"Recursive Union ({self.name})"]

    def children(self) -> list[PlanNode]:
        return [self.anchor, self.recursive]


@dataclass
class WorkTableScan(PlanNode):
    owner: list[Any]  # [RecursiveCte] filled in after construction
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        return list(ctx.recursive_working.get(id(self.owner[0]), []))

    def explain(self) -> list[str]:
        return ["WorkTable Scan"]


@dataclass
class FunctionScan(PlanNode):
    """A set-returning function in FROM: generate_series, unnest."""

    function: Callable[..., list[Row]]
    args: list[Compiled]
    columns: list[OutputColumn]
    name: str = ""
    needs_env: bool = False
    lateral: bool = False

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        values = [f((), env) for f in self.args]
        if None in values:  # the set-returning functions are strict: no rows
            return []
        if self.needs_env:
            return self.function(env, *values)
        return self.function(*values)

    def explain(self) -> list[str]:
        return [f"Function Scan on {self.name}"]


@dataclass
class ProjectSet(PlanNode):
    """Set-returning functions in a select list: for each input row, call every function
    and emit as many rows as the longest result gives, each the input row followed by
    every function's next value (NULL once a shorter result has run out), as
    PostgreSQL 10 and later do."""

    child: PlanNode
    functions: list[tuple[Callable[..., list[Row]], list[Compiled]]]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        out: list[Row] = []
        for row in await self.child.rows(ctx):
            results = []
            for function, args in self.functions:
                values = [f(row, env) for f in args]
                results.append([] if None in values else function(env, *values))
            for n in range(max((len(r) for r in results), default=0)):
                out.append((*row, *(r[n][0] if n < len(r) else None for r in results)))
        return out

    def explain(self) -> list[str]:
        return ["ProjectSet"]

    def children(self) -> list[PlanNode]:
        return [self.child]


@dataclass
class WindowSpec:
    function: str
    args: list[Compiled]
    partition: list[Compiled]
    order: list[tuple[Compiled, bool, bool, Callable[[Any], Any]]]
    aggregate: Any = None  # an Aggregate for aggregate window functions
    frame_rows: bool = False  # ROWS frame (else RANGE, PostgreSQL's default)
    frame_whole: bool = False  # no ORDER BY or an unbounded-following frame
    default: Compiled | None = None


@dataclass
class Window(PlanNode):
    """Window functions: output rows are input rows plus one value per window call."""

    child: PlanNode
    windows: list[WindowSpec]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Row]:
        env = ctx.env
        rows = await self.child.rows(ctx)
        extra: list[list[Any]] = [[None] * len(self.windows) for _ in rows]
        for w_index, spec in enumerate(self.windows):
            partitions: dict[Any, list[int]] = {}
            for position, row in enumerate(rows):
                key = hashable_row(tuple(f(row, env) for f in spec.partition))
                partitions.setdefault(key, []).append(position)
            for members in partitions.values():
                ordered = members
                if spec.order:
                    indexed = [(rows[p], p) for p in members]
                    decorated = sort_rows([(*r, p) for r, p in indexed], spec.order, env)
                    ordered = [r[-1] for r in decorated]
                values = _window_values(spec, [rows[p] for p in ordered], env)
                for position, value in zip(ordered, values, strict=True):
                    extra[position][w_index] = value
        return [(*row, *more) for row, more in zip(rows, extra, strict=True)]

    def explain(self) -> list[str]:
        return ["WindowAgg"]

    def children(self) -> list[PlanNode]:
        return [self.child]


def _peer_groups(rows: list[Row], spec: WindowSpec, env: Any) -> list[int]:
    """For each row, the index of the last row of its peer group (same ORDER BY values)."""
    keys = [tuple(f(row, env) for f, *_ in spec.order) for row in rows]
    ends = [0] * len(rows)
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or keys[i] != keys[start]:
            for j in range(start, i):
                ends[j] = i - 1
            start = i
    return ends


def _window_values(spec: WindowSpec, rows: list[Row], env: Any) -> list[Any]:
    out: list[Any]
    n = len(rows)
    name = spec.function
    if name == "row_number":
        return list(range(1, n + 1))
    if name in ("rank", "dense_rank", "percent_rank", "cume_dist"):
        keys = [tuple(f(row, env) for f, *_ in spec.order) for row in rows]
        out = []
        rank = dense = 0
        previous: Any = object()
        for i, key in enumerate(keys):
            if key != previous:
                rank = i + 1
                dense += 1
                previous = key
            out.append(rank if name == "rank" else dense)
        if name == "percent_rank":
            return [(r - 1) / (n - 1) if n > 1 else 0.0 for r in out]
        if name == "cume_dist":
            ends = _peer_groups(rows, spec, env)
            return [(ends[i] + 1) / n for i in range(n)]
        return out
    if name == "ntile":
        buckets = spec.args[0](rows[0], env) if rows else 1
        return [i * buckets // n + 1 for i in range(n)]
    if name in ("lag", "lead"):
        arg = spec.args[0]
        offset_f = spec.args[1] if len(spec.args) > 1 else None
        default_f = spec.args[2] if len(spec.args) > 2 else None
        out = []
        for i, row in enumerate(rows):
            offset = offset_f(row, env) if offset_f else 1
            j = i - offset if name == "lag" else i + offset
            if 0 <= j < n:
                out.append(arg(rows[j], env))
            else:
                out.append(default_f(row, env) if default_f else None)
        return out
    if name in ("first_value", "last_value", "nth_value"):
        arg = spec.args[0]
        ends = _peer_groups(rows, spec, env) if spec.order and not spec.frame_whole else [n - 1] * n
        out = []
        for i in range(n):
            if name == "first_value":
                out.append(arg(rows[0], env))
            elif name == "last_value":
                out.append(arg(rows[ends[i]], env))
            else:
                k = spec.args[1](rows[i], env)
                out.append(arg(rows[k - 1], env) if k - 1 <= ends[i] else None)
        return out
    # An aggregate over the frame: the whole partition, or from its start to the current
    # row's last peer (RANGE) or the current row (ROWS).
    aggregate = spec.aggregate
    if spec.frame_whole or not spec.order:
        value = _aggregate(AggregateSpec(aggregate, spec.args, star=not spec.args), rows, env)
        return [value] * n
    ends = list(range(n)) if spec.frame_rows else _peer_groups(rows, spec, env)
    out = []
    state = aggregate.init()
    consumed = 0
    for i in range(n):
        while consumed <= ends[i]:
            values = [f(rows[consumed], env) for f in spec.args]
            if not spec.args:
                state = aggregate.step(state)
            elif not (aggregate.strict and None in values):
                state = aggregate.step(state, *values)
            consumed += 1
        out.append(aggregate.final(_copy_state(state)))
    return out


def _copy_state(state: Any) -> Any:
    if isinstance(state, list):
        return list(state)
    if isinstance(state, dict):
        return dict(state)
    return state
