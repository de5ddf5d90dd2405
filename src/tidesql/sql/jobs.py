"""``CREATE INDEX ASYNC`` and ``ALTER TABLE ASYNC … VALIDATE CONSTRAINT``: background
jobs tracked in ``sys.jobs``.

The DDL transaction adds the index to the catalog as not yet valid and returns a job
id at once. From its commit on, every writer of the table maintains the index's
entries (and checks uniqueness), so the job only has to backfill the rows that existed
before: it scans the table in chunks, each chunk in its own transaction at a fresh
snapshot, writes their entries, and finally marks the index valid so the planner starts
using it. A chunk that collides with a concurrent write (OC000) is retried.

A validation job checks the rows of a table against a CHECK or FOREIGN KEY constraint
that was added ``NOT VALID`` (writers already enforce it on every row they write), in
chunks at fresh snapshots. A foreign-key chunk key-shares the parent keys it found, so
a concurrent delete of one of them conflicts with it (the chunk is retried and the row
found orphaned). When every row passes, the constraint is marked validated; the first
row that fails marks the job failed with the violation, and the constraint stays
NOT VALID.

``sys.wait_for_job(id)`` waits for the job and returns true, or raises if it failed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from tidesql import sqlstates
from tidesql.errors import SerializationFailure, TideError
from tidesql.keys import encode_key, prefix_end
from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.engine import Job
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.planner import node_kind, string_values
from tidesql.sql.result import Column, StatementResult
from tidesql.txn import Isolation, Status

log = logging.getLogger(__name__)

CHUNK_ROWS = 1_000
CHUNK_RETRIES_MAX = 50
WAIT_FOR_JOB_S_MAX = 3_600.0


JobSteps = Callable[[Any, Job], Awaitable[None]]


def start_index_job(session: Any, table: C.TableDef, index: C.IndexDef) -> Job:
    job = Job(_new_job_id(), table.oid, index.oid, index.name)
    return _start(session, job, _build_index)


def start_validation_job(session: Any, table: C.TableDef, constraint: C.ConstraintDef) -> Job:
    job = Job(
        _new_job_id(), table.oid, constraint.oid, constraint.name, job_type="VALIDATE_CONSTRAINT"
    )

    async def steps(engine: Any, job: Job) -> None:
        await _validate(engine, session, job)

    return _start(session, job, steps)


def _new_job_id() -> str:
    return str(uuid.uuid4()).replace("-", "")[:26]


def _start(session: Any, job: Job, steps: JobSteps) -> Job:
    engine = session.engine
    engine.jobs[job.job_id] = job
    ddl_txn = session.transaction.core
    task = asyncio.get_running_loop().create_task(_run(engine, job, ddl_txn, steps))
    engine._job_tasks.add(task)
    task.add_done_callback(engine._job_tasks.discard)
    return job


async def _build_index(engine: Any, job: Job) -> None:
    await _backfill(engine, job)
    await _mark_valid(engine, job)


def _set(job: Job, status: str, details: str = "") -> None:
    job.status = status
    job.details = details
    job.updated = dt.datetime.now(dt.UTC)
    if status in ("completed", "failed", "cancelled"):
        job.done.set()


async def _run(engine: Any, job: Job, ddl_txn: Any, steps: JobSteps) -> None:
    try:
        while ddl_txn.status is Status.ACTIVE:
            await asyncio.sleep(0.005)
        if ddl_txn.status is not Status.COMMITTED:
            _set(job, "cancelled", "the DDL transaction did not commit")
            return
        _set(job, "processing")
        await steps(engine, job)
        _set(job, "completed")
    except TideError as error:
        log.info("job %s failed: %s", job.job_id, error)
        job.error_sqlstate, job.error_message = error.sqlstate, error.message
        detail = f" {error.detail}" if error.detail else ""
        _set(job, "failed", f"{error.sqlstate}: {error.message}{detail}")
    except asyncio.CancelledError:
        _set(job, "cancelled", "the server stopped")
        raise
    except Exception as error:  # a bug: record it on the job rather than lose it
        log.exception("job %s crashed", job.job_id)
        _set(job, "failed", f"internal error: {error}")


async def _in_chunks(
    engine: Any,
    chunk: Callable[[Any, bytes | None], Awaitable[bytes | None]],
    what: str,
) -> None:
    """Run ``chunk(txn, cursor)`` in transactions of its own at fresh snapshots until it
    returns no cursor to go on from; a chunk whose commit conflicts with concurrent
    writes runs again (at most ``CHUNK_RETRIES_MAX`` times)."""
    cursor: bytes | None = None
    while True:
        for attempt in range(CHUNK_RETRIES_MAX):
            txn = engine.begin(Isolation.REPEATABLE_READ)
            following = await chunk(txn, cursor)
            try:
                await txn.commit()
                break
            except SerializationFailure:
                await asyncio.sleep(0.001 * (attempt + 1))
        else:
            raise TideError(
                f"{what} kept conflicting with concurrent writes",
                sqlstate=sqlstates.SERIALIZATION_FAILURE,
            )
        if following is None:
            return
        cursor = following


async def _backfill(engine: Any, job: Job) -> None:
    from tidesql.sql.dml import index_entry

    prefix = encode_key((job.table_oid, C.PRIMARY_INDEX_ID))
    end = prefix_end(prefix)

    async def chunk(txn: Any, cursor: bytes | None) -> bytes | None:
        catalog = await engine.catalog_for(txn)
        table = catalog.tables.get(job.table_oid)
        index = next((i for i in table.indexes if i.oid == job.index_oid), None) if table else None
        if table is None or index is None:
            raise TideError(
                "the index or its table was dropped", sqlstate=sqlstates.UNDEFINED_OBJECT
            )
        info = catalog.info(table)
        pairs = await txn.scan(cursor or prefix, end, limit=CHUNK_ROWS)
        for key, value in pairs:
            row = info.codec.decode(value)
            found = index_entry(info, index, row, key)
            if found is None:
                continue
            entry, entry_value, unique = found
            if unique:
                existing = await txn.get(entry)
                if existing is not None and existing != entry_value:
                    raise TideError(
                        f'could not create unique index "{index.name}"',
                        sqlstate=sqlstates.UNIQUE_VIOLATION,
                        detail="Key is duplicated.",
                    )
            txn.put(entry, entry_value, is_row=False)
        return pairs[-1][0] + b"\x00" if len(pairs) == CHUNK_ROWS else None

    await _in_chunks(engine, chunk, "index build")


async def change_table_definition(
    engine: Any,
    change: Callable[[C.Catalog], C.TableDef | None],
    failure: str,
    *,
    stamp: bool = False,
) -> None:
    """Commit one change to a table's catalog definition in a transaction of its own,
    retried at a fresh snapshot on conflict. ``change`` returns the changed copy, or None
    when there is nothing (left) to change; ``stamp`` also rewrites the table's schema
    stamp, failing transactions that relied on the old definition (OC001)."""
    for attempt in range(CHUNK_RETRIES_MAX):
        txn = engine.begin(Isolation.REPEATABLE_READ)
        catalog = await engine.catalog_for(txn)
        changed = change(catalog)
        if changed is None:
            txn.rollback()
            return
        version = str(catalog.version + 1).encode()
        txn.put(C.relation_key(changed.oid), changed.to_json(), is_row=False)
        if stamp:
            txn.put(C.schema_stamp_key(changed.oid), version, is_row=False)
        txn.put(C.VERSION_KEY, version, is_row=False)
        try:
            await txn.commit()
            return
        except SerializationFailure:
            await asyncio.sleep(0.002 * (attempt + 1))
    raise TideError(failure, sqlstate=sqlstates.SERIALIZATION_FAILURE)


def _copy_of(table: C.TableDef) -> C.TableDef:
    return C.TableDef.from_json(table.to_json())


async def _mark_valid(engine: Any, job: Job) -> None:
    def change(catalog: C.Catalog) -> C.TableDef:
        table = catalog.tables.get(job.table_oid)
        if table is None:
            raise TideError("the table was dropped", sqlstate=sqlstates.UNDEFINED_TABLE)
        changed = _copy_of(table)
        for index in changed.indexes:
            if index.oid == job.index_oid:
                index.valid = True
        return changed

    await change_table_definition(engine, change, "could not mark the index valid")


async def discard_failed_index(engine: Any, job: Job) -> None:
    """Remove the index of a failed synchronous build from the catalog, as PostgreSQL's
    failed CREATE INDEX leaves nothing behind (extended mode)."""

    def change(catalog: C.Catalog) -> C.TableDef | None:
        table = catalog.tables.get(job.table_oid)
        if table is None or all(i.oid != job.index_oid for i in table.indexes):
            return None
        changed = _copy_of(table)
        changed.indexes = [i for i in changed.indexes if i.oid != job.index_oid]
        return changed

    await change_table_definition(engine, change, "could not remove the failed index", stamp=True)


# ---------------------------------------------------------------- constraint validation
async def check_existing_rows(
    session: Any,
    txn: Any,
    catalog: C.Catalog,
    table: C.TableDef,
    constraint: C.ConstraintDef,
    *,
    cursor: bytes | None = None,
    limit: int | None = None,
) -> bytes | None:
    """Check the table's rows (from ``cursor``, at most ``limit``) against a CHECK or
    FOREIGN KEY constraint, raising the violation PostgreSQL reports for the first row
    that fails; return where the next chunk starts, or None at the end."""
    from tidesql.sql import foreign_keys as FK
    from tidesql.sql.planner import Planner
    from tidesql.sql.session import Env
    from tidesql.sql.statements import _full_scope, _parse_expression

    # Built afresh: ALTER TABLE checks its private copy of the table, whose new columns
    # (and what rows stored before read in them) the catalog's cached info lacks.
    info = C.TableInfo(table, catalog.schemas.get(table.schema_oid, "?"), catalog)
    prefix = encode_key((table.oid, C.PRIMARY_INDEX_ID))
    pairs = await txn.scan(cursor or prefix, prefix_end(prefix), limit=limit)
    env = Env(session)
    if constraint.kind == "c":
        planner = Planner(catalog, ["pg_catalog", "public"])
        expr = planner.bind_standalone(
            _parse_expression(constraint.expression or "true"),
            _full_scope(info, table.name),
            "CHECK",
        )
        predicate = expr.compile()
        for _key, value in pairs:
            if predicate(info.codec.decode(value), env) is False:
                raise TideError(
                    f'check constraint "{constraint.name}" of relation "{table.name}" is '
                    "violated by some row",
                    sqlstate=sqlstates.CHECK_VIOLATION,
                )
    else:
        parent = catalog.tables.get(constraint.ref_table)
        if constraint.ref_table == table.oid:
            parent = table
        if parent is None:
            raise TideError("the referenced table was dropped", sqlstate=sqlstates.UNDEFINED_TABLE)
        fk = FK.resolve(catalog, table, constraint, parent)
        for _key, value in pairs:
            values = fk.child_values(info.codec.decode(value))
            if not FK.needs_parent(fk, values):
                continue
            parent_key = fk.parent_key(values)
            if await txn.get(parent_key) is None:
                raise FK.missing_parent(fk, values, env.settings)
            txn.key_share(parent_key)
    if limit is None or len(pairs) < limit:
        return None
    following: bytes = pairs[-1][0] + b"\x00"
    return following


async def _validate(engine: Any, session: Any, job: Job) -> None:
    async def chunk(txn: Any, cursor: bytes | None) -> bytes | None:
        catalog = await engine.catalog_for(txn)
        table, constraint = _constraint_of(catalog, job)
        if constraint.validated:
            return None  # validated meanwhile (another job, or extended mode's VALIDATE)
        return await check_existing_rows(
            session, txn, catalog, table, constraint, cursor=cursor, limit=CHUNK_ROWS
        )

    await _in_chunks(engine, chunk, "constraint validation")

    def change(catalog: C.Catalog) -> C.TableDef | None:
        table, constraint = _constraint_of(catalog, job)
        if constraint.validated:
            return None
        changed = _copy_of(table)
        for definition in changed.constraints:
            if definition.oid == job.index_oid:
                definition.validated = True
        return changed

    await change_table_definition(engine, change, "could not mark the constraint valid")


def _constraint_of(catalog: C.Catalog, job: Job) -> tuple[C.TableDef, C.ConstraintDef]:
    table = catalog.tables.get(job.table_oid)
    constraint = (
        next((c for c in table.constraints if c.oid == job.index_oid), None) if table else None
    )
    if table is None or constraint is None:
        raise TideError(
            "the constraint or its table was dropped", sqlstate=sqlstates.UNDEFINED_OBJECT
        )
    return table, constraint


def is_wait_for_job(statement: ParsedStatement) -> bool:
    """Whether the statement is ``SELECT sys.wait_for_job(…)``, which is not planned."""
    node = statement.node
    if statement.kind != "select_stmt" or len(node.target_list) != 1 or len(node.from_clause):
        return False
    kind, call = node_kind(node.target_list[0].res_target.val)
    return kind == "func_call" and string_values(call.funcname) == ["sys", "wait_for_job"]


async def maybe_wait_for_job(
    session: Any, statement: ParsedStatement, params: list[Any]
) -> StatementResult | None:
    """``SELECT sys.wait_for_job('id')``: wait, then answer one row."""
    node = statement.node
    if len(node.target_list) != 1 or len(node.from_clause):
        return None
    kind, call = node_kind(node.target_list[0].res_target.val)
    if kind != "func_call" or string_values(call.funcname) != ["sys", "wait_for_job"]:
        return None
    arg_kind, arg = node_kind(call.args[0]) if len(call.args) == 1 else ("", None)
    job_id: str
    if arg is None:
        raise TideError(
            "sys.wait_for_job takes one job id", sqlstate=sqlstates.INVALID_PARAMETER_VALUE
        )
    if arg_kind == "a_const" and arg.WhichOneof("val") == "sval":
        job_id = arg.sval.sval
    elif arg_kind == "param_ref" and 0 < arg.number <= len(params):
        job_id = str(params[arg.number - 1])
    else:
        raise TideError(
            "sys.wait_for_job takes one job id", sqlstate=sqlstates.INVALID_PARAMETER_VALUE
        )
    job = session.engine.jobs.get(job_id)
    if job is None:
        raise TideError(f'job "{job_id}" does not exist', sqlstate=sqlstates.UNDEFINED_OBJECT)
    await asyncio.wait_for(job.done.wait(), WAIT_FOR_JOB_S_MAX)
    if job.status == "failed":
        raise TideError(
            f"job {job_id} failed: {job.details}",
            sqlstate=sqlstates.OBJECT_NOT_IN_PREREQUISITE_STATE,
        )
    name = node.target_list[0].res_target.name or "wait_for_job"
    return StatementResult("SELECT 1", [Column(name, T.BOOL)], [(job.status == "completed",)])


def wait_for_job_expr(planner: Any, args: list[Any]) -> Any:
    raise TideError(
        "sys.wait_for_job must be called on its own: SELECT sys.wait_for_job('job id')",
        sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
    )
