"""Foreign keys: definition, enforcement as rows change, and optimistic conflicts.

What is checked, and when?
    A referencing ("child") row that is inserted, or updated so that its key changes,
    must find its referenced ("parent") row; a parent row that is deleted, or updated so
    that its referenced columns change, must leave no child pointing at the old values
    (or act on them: CASCADE, SET NULL, SET DEFAULT). As in PostgreSQL, NO ACTION and the
    child-side checks run at the end of the statement (``finish_statement``), or at
    COMMIT for a constraint that is ``DEFERRABLE INITIALLY DEFERRED`` (or deferred with
    ``SET CONSTRAINTS``); RESTRICT and the actions run as each parent row changes.

How do concurrent transactions stay consistent without locks?
    The checks read the transaction's snapshot, as DSQL's do. A child check that finds
    its parent takes a *key-share* on the parent's key — the primary-key row key, or
    the unique-index entry when the key is a UNIQUE constraint — which the adjudicator
    checks at COMMIT against *removals* of that key::

        T1: insert child → parent 1 found, key-share (p, 1) ── COMMIT → OC000
        T2:             delete parent 1 ── COMMIT (removes (p, 1))

    whichever of the two commits second fails with OC000. A non-key update of the parent
    rewrites its row key without removing it, so it does not conflict with T1. The
    parent side needs no lock of its own: its delete *is* the removal.

How are the children found?
    Through the child's primary key when it starts with the foreign-key columns, else
    through a valid secondary index that starts with them, else by scanning the child
    table (correct, and slow on a large table: DSQL recommends an index there too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.keys import decode_key, encode_key, prefix_end
from tidesql.sql import catalog as C
from tidesql.sql import types as T

#: How deep ON DELETE CASCADE / ON UPDATE actions may recurse through tables.
CASCADE_DEPTH_MAX = 64

_INTEGER_OIDS = {T.INT2.oid, T.INT4.oid, T.INT8.oid}


@dataclass(frozen=True)
class ForeignKey:
    """One foreign-key constraint resolved against a catalog, for checking rows."""

    constraint: C.ConstraintDef
    child: C.TableInfo
    parent: C.TableInfo
    #: Parent lookup: 0 = its primary key, else the oid of a unique index; ``parent_order``
    #: gives, per key column of that lookup, the position in the aligned values.
    parent_index_oid: int
    parent_order: tuple[int, ...]
    #: Child lookup: None = scan the table; 0 = primary-key prefix; else an index oid.
    child_index: C.IndexDef | None
    child_index_oid: int | None
    child_order: tuple[int, ...]

    @property
    def name(self) -> str:
        return self.constraint.name

    def child_values(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(row[a - 1] for a in self.constraint.columns)

    def parent_values(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(row[a - 1] for a in self.constraint.ref_columns)

    def parent_key(self, values: Sequence[Any]) -> bytes:
        ordered = [values[i] for i in self.parent_order]
        return encode_key((self.parent.oid, self.parent_index_oid, *ordered))

    def deferred(self, sql_txn: Any) -> bool:
        constraint = self.constraint
        if not constraint.deferrable:
            return False
        modes: dict[int, bool] = getattr(sql_txn, "constraint_modes", {})
        if constraint.oid in modes:
            return modes[constraint.oid]
        every = getattr(sql_txn, "constraints_all_deferred", None)
        return constraint.deferred if every is None else bool(every)


# ---------------------------------------------------------------- resolving
def outgoing(catalog: C.Catalog, table_oid: int) -> list[ForeignKey]:
    """The foreign keys of a table (it is the child)."""
    return _resolved(catalog)[0].get(table_oid, [])


def incoming(catalog: C.Catalog, table_oid: int) -> list[ForeignKey]:
    """The foreign keys that reference a table (it is the parent)."""
    return _resolved(catalog)[1].get(table_oid, [])


def _resolved(
    catalog: C.Catalog,
) -> tuple[dict[int, list[ForeignKey]], dict[int, list[ForeignKey]]]:
    # Derived once per catalog version, in the catalog's cache for such things.
    cached = catalog.compiled.get("foreign keys")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    out: dict[int, list[ForeignKey]] = {}
    into: dict[int, list[ForeignKey]] = {}
    for table in catalog.tables.values():
        for constraint in table.constraints:
            if constraint.kind != "f":
                continue
            parent = catalog.tables.get(constraint.ref_table)
            if parent is None:
                continue
            fk = resolve(catalog, table, constraint, parent)
            out.setdefault(table.oid, []).append(fk)
            into.setdefault(parent.oid, []).append(fk)
    resolved = (out, into)
    catalog.compiled["foreign keys"] = resolved
    return resolved


def resolve(
    catalog: C.Catalog, child: C.TableDef, constraint: C.ConstraintDef, parent: C.TableDef
) -> ForeignKey:
    parent_index_oid, parent_order = _parent_lookup(parent, constraint.ref_columns)
    child_index, child_index_oid, child_order = _child_lookup(child, constraint.columns)
    return ForeignKey(
        constraint,
        catalog.info(child),
        catalog.info(parent),
        parent_index_oid,
        parent_order,
        child_index,
        child_index_oid,
        child_order,
    )


def _parent_lookup(parent: C.TableDef, ref_columns: list[int]) -> tuple[int, tuple[int, ...]]:
    """How to find a parent row from the referenced values: its primary key or a unique,
    valid, non-partial index on exactly the referenced columns."""
    if parent.primary_key and sorted(parent.primary_key) == sorted(ref_columns):
        return C.PRIMARY_INDEX_ID, tuple(ref_columns.index(a) for a in parent.primary_key)
    for index in parent.indexes:
        if (
            index.unique
            and not index.is_primary
            and index.valid
            and index.predicate is None
            and sorted(index.columns) == sorted(ref_columns)
        ):
            return index.oid, tuple(ref_columns.index(a) for a in index.columns)
    raise TideError(
        f'there is no unique constraint matching given keys for referenced table "{parent.name}"',
        sqlstate=sqlstates.INVALID_FOREIGN_KEY,
    )


def _child_lookup(
    child: C.TableDef, columns: list[int]
) -> tuple[C.IndexDef | None, int | None, tuple[int, ...]]:
    width = len(columns)
    wanted = sorted(columns)
    if child.primary_key and sorted(child.primary_key[:width]) == wanted:
        return None, C.PRIMARY_INDEX_ID, tuple(columns.index(a) for a in child.primary_key[:width])
    for index in child.indexes:
        if (
            not index.is_primary
            and index.valid
            and index.predicate is None
            and sorted(index.columns[:width]) == wanted
        ):
            return index, index.oid, tuple(columns.index(a) for a in index.columns[:width])
    return None, None, ()


# ---------------------------------------------------------------- DDL
def define(
    catalog: C.Catalog,
    table: C.TableDef,
    node: Any,
    column_names: list[str],
    search_path: list[str],
) -> C.ConstraintDef:
    """A ConstraintDef for a FOREIGN KEY / REFERENCES clause of ``table`` (which may be
    the table being created, and may reference itself). ``column_names`` are the
    referencing columns (the column itself for a column constraint)."""
    from tidesql.sql.planner import string_values

    relation = node.pktable
    if relation.relname == table.name and (
        not relation.schemaname or catalog.schema_oid(relation.schemaname) == table.schema_oid
    ):
        parent = table
    else:
        parent = catalog.get_table(relation.relname, relation.schemaname or None, search_path)
    if parent.kind != "r":
        raise TideError(
            f'referenced relation "{parent.name}" is not a table',
            sqlstate=sqlstates.WRONG_OBJECT_TYPE,
        )
    columns = [_column(table, name, "referencing").attnum for name in column_names]
    ref_names = string_values(node.pk_attrs)
    if ref_names:
        ref_columns = [_column(parent, name, "referenced").attnum for name in ref_names]
    elif parent.primary_key:
        ref_columns = list(parent.primary_key)
    else:
        raise TideError(
            f'there is no primary key for referenced table "{parent.name}"',
            sqlstate=sqlstates.INVALID_FOREIGN_KEY,
        )
    if len(columns) != len(ref_columns):
        raise TideError(
            "number of referencing and referenced columns for foreign key disagree",
            sqlstate=sqlstates.INVALID_FOREIGN_KEY,
        )
    _parent_lookup(parent, ref_columns)  # raises 42830 when no unique key matches
    name = node.conname or _default_name(catalog, table, column_names)
    for attnum, ref_attnum in zip(columns, ref_columns, strict=True):
        mine = table.columns[attnum - 1]
        theirs = parent.columns[ref_attnum - 1]
        if not _comparable(mine.sql_type, theirs.sql_type):
            raise TideError(
                f'foreign key constraint "{name}" cannot be implemented',
                sqlstate=sqlstates.DATATYPE_MISMATCH,
                detail=f'Key columns "{mine.name}" and "{theirs.name}" are of incompatible '
                f"types: {T.format_type(mine.sql_type)} and {T.format_type(theirs.sql_type)}.",
            )
    if node.fk_matchtype == "p":
        raise TideError(
            "MATCH PARTIAL not yet implemented", sqlstate=sqlstates.FEATURE_NOT_SUPPORTED
        )
    return C.ConstraintDef(
        0,
        name,
        "f",
        columns,
        ref_table=parent.oid,
        ref_columns=ref_columns,
        on_update=node.fk_upd_action or C.FK_NO_ACTION,
        on_delete=node.fk_del_action or C.FK_NO_ACTION,
        match_full=node.fk_matchtype == "f",
        deferrable=node.deferrable,
        deferred=node.initdeferred,
        validated=not node.skip_validation,
    )


def _column(table: C.TableDef, name: str, role: str) -> C.ColumnDef:
    column = table.column(name)
    if column is None:
        raise TideError(
            f'column "{name}" referenced in foreign key constraint does not exist',
            sqlstate=sqlstates.UNDEFINED_COLUMN,
        )
    return column


def _default_name(catalog: C.Catalog, table: C.TableDef, column_names: list[str]) -> str:
    base = f"{table.name}_{'_'.join(column_names)}_fkey"
    taken = {c.name for c in table.constraints}
    name, counter = base, 1
    while name in taken or catalog.relation_name_taken(table.schema_oid, name):
        name, counter = f"{base}{counter}", counter + 1
    return name


def _comparable(mine: T.SqlType, theirs: T.SqlType) -> bool:
    """Whether values of the two types are stored alike, so that a key built from the
    child's values finds the parent's row."""
    if mine.oid == theirs.oid:
        return True
    if mine.oid in _INTEGER_OIDS and theirs.oid in _INTEGER_OIDS:
        return True
    return T.is_string(mine) and T.is_string(theirs)


# ---------------------------------------------------------------- errors
def _key_text(
    info: C.TableInfo, attnums: Sequence[int], values: Sequence[Any], settings: T.FormatSettings
) -> str:
    names = ", ".join(info.table.columns[a - 1].name for a in attnums)
    shown = ", ".join(
        "null" if v is None else T.format_value(v, info.table.columns[a - 1].sql_type, settings)
        for a, v in zip(attnums, values, strict=True)
    )
    return f"({names})=({shown})"


def missing_parent(fk: ForeignKey, values: Sequence[Any], settings: T.FormatSettings) -> TideError:
    key = _key_text(fk.child, fk.constraint.columns, values, settings)
    return TideError(
        f'insert or update on table "{fk.child.name}" violates foreign key constraint "{fk.name}"',
        sqlstate=sqlstates.FOREIGN_KEY_VIOLATION,
        detail=f'Key {key} is not present in table "{fk.parent.name}".',
    )


def still_referenced(
    fk: ForeignKey, values: Sequence[Any], settings: T.FormatSettings
) -> TideError:
    key = _key_text(fk.parent, fk.constraint.ref_columns, values, settings)
    return TideError(
        f'update or delete on table "{fk.parent.name}" violates foreign key constraint '
        f'"{fk.name}" on table "{fk.child.name}"',
        sqlstate=sqlstates.FOREIGN_KEY_VIOLATION,
        detail=f'Key {key} is still referenced from table "{fk.child.name}".',
    )


def _mixed_nulls(fk: ForeignKey) -> TideError:
    return TideError(
        f'insert or update on table "{fk.child.name}" violates foreign key constraint "{fk.name}"',
        sqlstate=sqlstates.FOREIGN_KEY_VIOLATION,
        detail="MATCH FULL does not allow mixing of null and nonnull key values.",
    )


def needs_parent(fk: ForeignKey, values: Sequence[Any]) -> bool:
    """Whether a child row with these values must find a parent (MATCH SIMPLE: no value
    is NULL; MATCH FULL: none is, and mixing NULL and non-NULL is an error)."""
    nulls = sum(1 for v in values if v is None)
    if nulls == 0:
        return True
    if fk.constraint.match_full and nulls != len(values):
        raise _mixed_nulls(fk)
    return False


# ---------------------------------------------------------------- checks
@dataclass(frozen=True)
class ChildCheck:
    """A child row (by key) must find its parent."""

    fk: ForeignKey
    child_key: bytes


@dataclass(frozen=True)
class ParentCheck:
    """Parent values that went away: no child may still reference them (NO ACTION)."""

    fk: ForeignKey
    values: tuple[Any, ...]


Check = ChildCheck | ParentCheck


async def run_check(txn: Any, check: Check, settings: T.FormatSettings) -> None:
    fk = check.fk
    if isinstance(check, ChildCheck):
        stored = await txn.get(check.child_key)
        if stored is None:
            return  # the row was deleted again since
        values = fk.child_values(fk.child.codec.decode(stored))
        if not needs_parent(fk, values):
            return
        parent_key = fk.parent_key(values)
        if await txn.get(parent_key) is None:
            raise missing_parent(fk, values, settings)
        txn.key_share(parent_key)
        return
    if await txn.get(fk.parent_key(check.values)) is not None:
        return  # a row with the same key exists again
    if await referencing_rows(txn, fk, check.values, limit=1):
        raise still_referenced(fk, check.values, settings)


async def referencing_rows(
    txn: Any, fk: ForeignKey, values: Sequence[Any], *, limit: int | None = None
) -> list[tuple[bytes, list[Any]]]:
    """Child rows (key, full row) whose foreign-key columns equal ``values``."""
    child = fk.child
    decode = child.codec.decode
    if fk.child_index_oid is None:
        prefix = encode_key((child.oid, C.PRIMARY_INDEX_ID))
        wanted = tuple(values)
        out = []
        for key, value in await txn.scan(prefix, prefix_end(prefix)):
            row = decode(value)
            if fk.child_values(row) == wanted:
                out.append((key, row))
                if limit is not None and len(out) >= limit:
                    break
        return out
    ordered = [values[i] for i in fk.child_order]
    prefix = encode_key((child.oid, fk.child_index_oid, *ordered))
    pairs = await txn.scan(prefix, prefix_end(prefix), limit=limit)
    if fk.child_index_oid == C.PRIMARY_INDEX_ID:
        return [(key, decode(value)) for key, value in pairs]
    out = []
    pk_width = len(child.primary_key) or 1
    for key, value in pairs:
        if value:
            row_key = encode_key((child.oid, C.PRIMARY_INDEX_ID, *decode_key(value)))
        else:
            parts = decode_key(key)
            row_key = encode_key((child.oid, C.PRIMARY_INDEX_ID, *parts[len(parts) - pk_width :]))
        stored = await txn.get(row_key)
        if stored is not None:
            out.append((row_key, decode(stored)))
    return out


# ---------------------------------------------------------------- row hooks
class RowHooks:
    """What a TableWriter does about foreign keys when it writes rows of one table."""

    def __init__(self, ctx: Any, outgoing_keys: list[ForeignKey], incoming_keys: list[ForeignKey]):
        self.ctx = ctx
        self.outgoing = outgoing_keys
        self.incoming = incoming_keys

    @staticmethod
    def for_table(ctx: Any, info: C.TableInfo) -> RowHooks | None:
        catalog = ctx.sql_txn.catalog
        out, into = outgoing(catalog, info.oid), incoming(catalog, info.oid)
        if not out and not into:
            return None
        return RowHooks(ctx, out, into)

    def _queue(self, check: Check) -> None:
        ctx = self.ctx
        if check.fk.deferred(ctx.sql_txn):
            ctx.sql_txn.deferred_checks.append(check)
        else:
            ctx.fk_pending.append(check)

    def after_insert(self, key: bytes, row: Sequence[Any]) -> None:
        for fk in self.outgoing:
            if needs_parent(fk, fk.child_values(row)):
                self._queue(ChildCheck(fk, key))

    async def after_update(
        self, old_key: bytes, old: Sequence[Any], new_key: bytes, new: Sequence[Any], depth: int
    ) -> None:
        for fk in self.outgoing:
            values = fk.child_values(new)
            if (new_key != old_key or values != fk.child_values(old)) and needs_parent(fk, values):
                self._queue(ChildCheck(fk, new_key))
        for fk in self.incoming:
            old_values = fk.parent_values(old)
            new_values = fk.parent_values(new)
            if old_values != new_values and None not in old_values:
                await self._parent_gone(fk, old_values, new_values, depth)

    async def after_delete(self, row: Sequence[Any], depth: int) -> None:
        for fk in self.incoming:
            values = fk.parent_values(row)
            if None not in values:
                await self._parent_gone(fk, values, None, depth)

    async def _parent_gone(
        self,
        fk: ForeignKey,
        values: tuple[Any, ...],
        new_values: tuple[Any, ...] | None,
        depth: int,
    ) -> None:
        constraint = fk.constraint
        action = constraint.on_delete if new_values is None else constraint.on_update
        ctx = self.ctx
        if action == C.FK_NO_ACTION:
            self._queue(ParentCheck(fk, values))
            return
        txn = ctx.txn
        if action == C.FK_RESTRICT:
            if await referencing_rows(txn, fk, values, limit=1):
                raise still_referenced(fk, values, ctx.env.settings)
            return
        if depth >= CASCADE_DEPTH_MAX:
            raise TideError(
                "foreign key actions nest too deeply",
                sqlstate=sqlstates.STATEMENT_TOO_COMPLEX,
            )
        rows = await referencing_rows(txn, fk, values)
        if not rows:
            return
        writer = child_writer(ctx, fk.child)
        defaults: dict[int, Any] = writer.defaults
        for key, row in rows:
            if action == C.FK_CASCADE and new_values is None:
                await writer.delete(key, row, depth=depth + 1)
                continue
            changed = list(row)
            for position, attnum in enumerate(constraint.columns):
                if action == C.FK_CASCADE:
                    assert new_values is not None
                    changed[attnum - 1] = new_values[position]
                elif action == C.FK_SET_NULL:
                    changed[attnum - 1] = None
                else:
                    default = defaults.get(attnum)
                    changed[attnum - 1] = None if default is None else await default.value(ctx)
            await writer.update(key, row, changed, depth=depth + 1)


def child_writer(ctx: Any, info: C.TableInfo) -> Any:
    """A TableWriter for a table changed by a referential action (with its CHECKs)."""
    writers: dict[int, Any] = ctx.fk_writers
    writer = writers.get(info.oid)
    if writer is None:
        from tidesql.sql.dml import TableWriter
        from tidesql.sql.planner import Planner
        from tidesql.sql.statements import _compile_checks, _default_exprs

        planner = Planner(ctx.sql_txn.catalog, ctx.session.search_path())
        writer = TableWriter(info, ctx, _compile_checks(planner, info))
        writer.defaults = _default_exprs(planner, info)
        writers[info.oid] = writer
    return writer


async def finish_statement(ctx: Any) -> None:
    """Run the checks the statement queued (child rows, NO ACTION parents)."""
    pending: list[Check] = ctx.fk_pending
    if not pending:
        return
    ctx.fk_pending = []
    settings = ctx.env.settings
    for check in pending:
        await run_check(ctx.txn, check, settings)


async def check_deferred(session: Any, sql_txn: Any) -> None:
    """At COMMIT: the checks of deferred constraints, in the order they were queued."""
    checks: list[Check] = sql_txn.deferred_checks
    if not checks:
        return
    sql_txn.deferred_checks = []
    settings = session.format_settings()
    sql_txn.core.begin_statement()
    for check in checks:
        await run_check(sql_txn.core, check, settings)
    sql_txn.core.end_statement()


# ---------------------------------------------------------------- SET CONSTRAINTS
async def set_constraints(session: Any, statement: Any, params: list[Any], prepared: Any) -> Any:
    """``SET CONSTRAINTS { ALL | name, … } { DEFERRED | IMMEDIATE }`` for the current
    transaction. Making a constraint IMMEDIATE checks its deferred rows at once."""
    from tidesql.sql.result import StatementResult

    node = statement.node
    sql_txn = await session.ensure_transaction()
    deferred = bool(node.deferred)
    chosen: set[int] | None = None
    if len(node.constraints):
        chosen = set()
        catalog: C.Catalog = sql_txn.catalog
        for item in node.constraints:
            relation = item.range_var
            found = [
                c
                for table in catalog.tables.values()
                for c in table.constraints
                if c.kind == "f"
                and c.name == relation.relname
                and (
                    not relation.schemaname
                    or catalog.schemas.get(table.schema_oid) == relation.schemaname
                )
            ]
            if not found:
                raise TideError(
                    f'constraint "{relation.relname}" does not exist',
                    sqlstate=sqlstates.UNDEFINED_OBJECT,
                )
            for constraint in found:
                if not constraint.deferrable:
                    raise TideError(
                        f'constraint "{constraint.name}" is not deferrable',
                        sqlstate=sqlstates.WRONG_OBJECT_TYPE,
                    )
                sql_txn.constraint_modes[constraint.oid] = deferred
                chosen.add(constraint.oid)
    else:
        sql_txn.constraints_all_deferred = deferred
        sql_txn.constraint_modes.clear()
    if not deferred and sql_txn.deferred_checks:
        now = [
            c for c in sql_txn.deferred_checks if chosen is None or c.fk.constraint.oid in chosen
        ]
        running = {id(c) for c in now}
        sql_txn.deferred_checks = [c for c in sql_txn.deferred_checks if id(c) not in running]
        settings = session.format_settings()
        for check in now:
            await run_check(sql_txn.core, check, settings)
    if not session.in_block and not session.in_implicit_block:
        from tidesql.sql.result import Notice

        # PostgreSQL warns and goes on (the mode dies with the statement's transaction).
        warning = Notice(
            "WARNING", "25P01", "SET CONSTRAINTS can only be used in transaction blocks"
        )
        return StatementResult("SET CONSTRAINTS", notices=[warning])
    return StatementResult("SET CONSTRAINTS")
