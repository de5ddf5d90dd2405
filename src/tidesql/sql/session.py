"""A SQL session: what one client connection talks to.

The protocol layer (``pgwire``) drives a ``Session`` with these calls only:

* ``parameters`` — the ParameterStatus values to report after startup;
* ``transaction_status`` — ``"I"`` idle, ``"T"`` in a transaction block, ``"E"`` in a
  failed transaction block (every statement fails with 25P02 until ROLLBACK);
* ``execute_simple(sql)`` — the simple-query protocol: an async iterator of one
  ``StatementResult`` per statement; raises ``TideError`` at the first failing statement
  (the results already yielded stand);
* ``prepare(sql, param_type_oids)`` → ``PreparedStatement`` (parameter types inferred
  where given as 0; ``columns`` is the row description, or ``None`` for no rows);
* ``execute_prepared(prepared, params)`` → ``StatementResult`` (``params`` are Python
  values already decoded from text or binary with the parameter types);
* ``copy_in(request, rows)`` — finish ``COPY … FROM STDIN`` with the rows the client
  sent, each a list of ``str | None`` fields;
* ``sync()`` — the extended protocol's Sync: ends an implicit transaction;
* ``cancel()`` — called from another connection's CancelRequest: the running
  statement fails with 57014;
* ``close()`` — the connection is gone: roll back.

How one statement runs
----------------------
1. Outside a transaction block each statement is its own transaction (autocommit);
   inside ``BEGIN … COMMIT`` they share one. Several statements in one simple-query
   string form one implicit transaction, as in PostgreSQL.
2. The transaction's catalog is the one of its snapshot (``Engine.catalog_for``).
3. The statement is planned — or its plan taken from the cache, keyed by text, catalog
   version and search path — and executed against the transaction.
4. A failing statement is undone on its own (the notebook's statement undo); inside a
   block the block is then failed until ROLLBACK.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import roundtrips, sqlstates
from tidesql.errors import TideError
from tidesql.sql import readonly
from tidesql.sql import statements as sql_statements
from tidesql.sql import types as T
from tidesql.sql.catalog import Catalog, IndexDef, TableInfo, sequence_row_key
from tidesql.sql.dsql import DDL_AND_DML, MORE_THAN_ONE_DDL, statement_refusal
from tidesql.sql.engine import Engine
from tidesql.sql.parser import ParsedStatement, parse
from tidesql.sql.pg_catalog import SessionNames
from tidesql.sql.plan import OutputColumn, PlanNode
from tidesql.sql.result import Column, CopyRequest, StatementResult
from tidesql.txn import Isolation, Transaction
from tidesql.txn.transaction import NotebookMark

#: What Aurora DSQL reported in September 2026 (SHOW server_version, version()).
SERVER_VERSION = "16.15"
SERVER_VERSION_NUM = "160015"
VERSION_STRING = f"PostgreSQL {SERVER_VERSION} on x86_64-pc-linux-gnu, compiled by tidesql, 64-bit"
DSQL_VERSION_STRING = "PostgreSQL 16"

#: Settings and their defaults; the ones marked reported go out as ParameterStatus.
DEFAULT_SETTINGS: dict[str, str] = {
    "server_version": SERVER_VERSION,
    "server_version_num": SERVER_VERSION_NUM,
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "datestyle": "ISO, MDY",
    "intervalstyle": "postgres",
    "timezone": "UTC",
    "integer_datetimes": "on",
    "standard_conforming_strings": "on",
    "is_superuser": "on",
    "session_authorization": "admin",
    "application_name": "",
    "extra_float_digits": "1",
    "search_path": '"$user", public',
    "transaction_isolation": "repeatable read",
    "default_transaction_isolation": "repeatable read",
    "transaction_read_only": "off",
    "default_transaction_read_only": "off",
    "in_hot_standby": "off",
    "statement_timeout": "0",
    "lock_timeout": "0",
    "idle_in_transaction_session_timeout": "0",
    "bytea_output": "hex",
    "max_identifier_length": "63",
    "client_min_messages": "notice",
    "default_table_access_method": "heap",
    "tidesql.read_consistency": "strong",
}
REPORTED = {
    "server_version": "server_version",
    "server_encoding": "server_encoding",
    "client_encoding": "client_encoding",
    "application_name": "application_name",
    "datestyle": "DateStyle",
    "intervalstyle": "IntervalStyle",
    "timezone": "TimeZone",
    "integer_datetimes": "integer_datetimes",
    "standard_conforming_strings": "standard_conforming_strings",
    "is_superuser": "is_superuser",
    "session_authorization": "session_authorization",
    "default_transaction_read_only": "default_transaction_read_only",
    "in_hot_standby": "in_hot_standby",
}
READ_ONLY_SETTINGS = {
    "server_version",
    "server_version_num",
    "server_encoding",
    "integer_datetimes",
    "max_identifier_length",
    "is_superuser",
    "in_hot_standby",
}
ISOLATION_NAMES = {
    "read committed": Isolation.READ_COMMITTED,
    "repeatable read": Isolation.REPEATABLE_READ,
    "serializable": Isolation.SERIALIZABLE,
    "read uncommitted": Isolation.READ_COMMITTED,
}
_process_ids = itertools.count(1000)


@dataclass
class PreparedStatement:
    sql: str
    statement: ParsedStatement | None
    param_types: list[T.SqlType]
    columns: list[Column] | None
    planned: Any = None
    catalog_version: int = -1


@dataclass
class Env:
    """Per-execution values that expressions and functions read."""

    session: Session
    params: list[Any] = field(default_factory=list)
    settings: T.FormatSettings = field(default_factory=T.FormatSettings)
    transaction_timestamp: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    statement_timestamp: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    outer: list[Any] = field(default_factory=list)

    @property
    def user(self) -> str:
        return self.session.user

    @property
    def current_schema(self) -> str | None:
        from tidesql.sql.catalog_functions import current_schema

        return current_schema(self.session)

    def get_setting(self, name: str) -> str:
        return self.session.get_setting(name)

    def set_setting(self, name: str, value: str, is_local: bool) -> str:
        self.session.set_setting(name, value, local=is_local)
        return self.session.get_setting(name)


class ExecContext:
    """What plan nodes reach during one execution."""

    def __init__(self, session: Session, sql_txn: SqlTransaction, env: Env) -> None:
        self.session = session
        self.sql_txn = sql_txn
        self.txn = sql_txn.core
        self.env = env
        self.cte_results: dict[int, Any] = {}
        #: SELECT … FOR …: table oid → "update" or "key share", set by the SELECT's run.
        self.locking: dict[int, str] | None = None
        self.recursive_working: dict[int, Any] = {}
        #: Foreign-key checks to run when the statement ends, and writers for the tables
        #: that referential actions change (see foreign_keys).
        self.fk_pending: list[Any] = []
        self.fk_writers: dict[int, Any] = {}

    def note_table_read(self, info: TableInfo) -> None:
        self.sql_txn.note_table(info)

    def note_table_written(self, info: TableInfo) -> None:
        self.sql_txn.note_table(info)
        self.sql_txn.dml = True

    def primary_key_from_index(
        self, info: TableInfo, index: IndexDef, key: bytes, value: bytes
    ) -> bytes:
        from tidesql.keys import decode_key, encode_key

        if value:
            return encode_key((info.oid, 0, *decode_key(value)))
        parts = decode_key(key)
        pk_width = len(info.primary_key) or 1
        return encode_key((info.oid, 0, *parts[len(parts) - pk_width :]))


@dataclass(frozen=True)
class Savepoint:
    """What ROLLBACK TO SAVEPOINT restores: the notebook, the transaction's own view of
    the catalog (after its DDL), and the session's settings."""

    name: str
    notebook: NotebookMark
    catalog: Catalog
    ddl_count: int
    dml: bool
    settings: dict[str, str]
    local_settings: dict[str, str]
    pending_sync_job: Any
    #: Deferred foreign-key checks and SET CONSTRAINTS modes (PostgreSQL restores both).
    deferred_checks: list[Any]
    constraint_modes: dict[int, bool]
    constraints_all_deferred: bool | None
    #: The row of each sequence as the first ALTER SEQUENCE since the savepoint found it
    #: (None: not in the notebook then). PostgreSQL's ALTER gives the sequence a new
    #: relfilenode, so ROLLBACK TO undoes the values handed out after the ALTER but keeps
    #: those handed out before it.
    sequence_rows_before_alter: dict[int, bytes | None] = field(default_factory=dict)


class SqlTransaction:
    """A core transaction plus what the SQL layer tracks about it."""

    def __init__(self, core: Transaction, catalog: Catalog) -> None:
        self.core = core
        self.catalog = catalog
        self.ddl_count = 0
        self.dml = False
        #: BEGIN READ ONLY, SET TRANSACTION READ ONLY, or default_transaction_read_only.
        self.read_only = False
        self.stamped: set[int] = set()
        self.timestamp = dt.datetime.now(dt.UTC)
        #: No statement has run yet (its statement_timestamp() is ``timestamp``).
        self.first_statement = True
        #: Open savepoints, oldest first (extended mode).
        self.savepoints: list[Savepoint] = []
        #: Checks of deferred foreign keys, run at COMMIT; SET CONSTRAINTS modes.
        self.deferred_checks: list[Any] = []
        self.constraint_modes: dict[int, bool] = {}
        self.constraints_all_deferred: bool | None = None

    def note_table(self, info: TableInfo) -> None:
        if info.oid not in self.stamped:
            self.stamped.add(info.oid)
            self.core.note_schema_read(info.stamp_key)


class Session:
    def __init__(
        self,
        engine: Engine,
        user: str = "admin",
        database: str = "postgres",
        startup: dict[str, str] | None = None,
        az: str | None = None,
    ) -> None:
        self.engine = engine
        self.user = user
        self.database = database
        self.process_id = next(_process_ids)
        self.az = az or engine.cluster.processor().az
        self.settings: dict[str, str] = dict(DEFAULT_SETTINGS)
        self.settings["session_authorization"] = user
        self.transaction: SqlTransaction | None = None
        #: The block's settings: as they were before its first SET (restored by ROLLBACK),
        #: and SET LOCAL values (gone at the block's end). A block's transaction opens at
        #: its first statement, so these live on the session, from BEGIN on. Set before
        #: the startup parameters are applied, which go through set_setting.
        self.in_block = False
        #: A multi-statement simple query is running as one implicit block.
        self.in_implicit_block = False
        self.block_saved_settings: dict[str, str] | None = None
        self.local_settings: dict[str, str] = {}
        #: The block's access mode, fixed at BEGIN (its option, else the default then).
        self.block_read_only: bool | None = None
        self._format_settings: tuple[dict[str, str], int, T.FormatSettings] | None = None
        self._settings_generation = 0
        for name, value in (startup or {}).items():
            lowered = name.lower()
            if lowered == "options":
                for setting, option_value in _startup_options(value):
                    try:
                        self.set_setting(setting, option_value)
                    except TideError:
                        continue
                continue
            if lowered in ("user", "database", "replication"):
                continue
            try:
                self.set_setting(lowered, value)
            except TideError:
                continue
        self.failed = False
        self.block_isolation: Isolation | None = None
        self.prepared: dict[str, PreparedStatement] = {}
        self.cancelled = False
        self._running: asyncio.Task[Any] | None = None
        self.pending_copy: tuple[int, list[int]] | None = None
        self.pending_sync_job: Any = None
        #: Round trips between AZs and regions this session's work caused (sys.round_trips).
        self.round_trips = roundtrips.RoundTripTally()
        #: currval of each sequence this session called nextval on, and lastval's sequence.
        self.sequence_values: dict[int, int] = {}
        self.last_sequence: int | None = None
        engine.sessions[self.process_id] = self

    # ------------------------------------------------------------ protocol-facing
    @property
    def parameters(self) -> dict[str, str]:
        return {wire: self.settings[name] for name, wire in REPORTED.items()}

    @property
    def transaction_status(self) -> str:
        if self.failed:
            return "E"
        return "T" if self.in_block else "I"

    def format_settings(self) -> T.FormatSettings:
        if self.local_settings:
            return self._build_format_settings()
        cached = self._format_settings
        if (
            cached is not None
            and cached[0] is self.settings
            and cached[1] == self._settings_generation
        ):
            return cached[2]
        settings = self._build_format_settings()
        self._format_settings = (self.settings, self._settings_generation, settings)
        return settings

    def _build_format_settings(self) -> T.FormatSettings:
        return T.FormatSettings(
            date_style=self.get_setting("datestyle"),
            interval_style=self.get_setting("intervalstyle"),
            timezone=self.get_setting("timezone"),
            extra_float_digits=int(self.get_setting("extra_float_digits") or "1"),
            bytea_output=self.get_setting("bytea_output"),
            catalog=SessionNames(self),
        )

    async def execute_simple(self, sql: str) -> AsyncIterator[StatementResult]:
        statements = parse(sql)
        implicit = len(statements) > 1 and not self.in_block
        if implicit:
            self._check_implicit_block(statements)
        try:
            for statement in statements:
                if implicit and statement.kind == "transaction_stmt":
                    implicit = False  # an explicit BEGIN/COMMIT takes over
                self.in_implicit_block = implicit
                result = await self._run_statement(statement, [], keep_open=implicit)
                yield result
            if implicit:
                await self._end_implicit(commit=True)
        except BaseException:
            if implicit:
                await self._end_implicit(commit=False)
            raise
        finally:
            self.in_implicit_block = False

    def _check_implicit_block(self, statements: list[ParsedStatement]) -> None:
        """DSQL's DDL rules for the implicit transaction of a multi-statement query,
        checked before any of it runs (as DSQL does: nothing of the string is executed).
        Statements after an explicit BEGIN/COMMIT are checked as they run."""
        if self.engine.mode != "dsql":
            return
        kinds = []
        for statement in statements:
            if statement.kind == "transaction_stmt":
                break
            kinds.append(classify(statement))
        if kinds.count("ddl") > 1:
            raise TideError(MORE_THAN_ONE_DDL, sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)
        if "ddl" in kinds and "dml" in kinds:
            raise TideError(DDL_AND_DML, sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)

    async def _end_implicit(self, commit: bool) -> None:
        if self.transaction is None or self.in_block:
            return
        if commit:
            await self._commit()
        else:
            self._rollback()

    async def prepare(
        self, sql: str, param_type_oids: list[int] | None = None, name: str = ""
    ) -> PreparedStatement:
        statements = parse(sql)
        if len(statements) > 1:
            raise TideError(
                "cannot insert multiple commands into a prepared statement",
                sqlstate=sqlstates.SYNTAX_ERROR,
            )
        declared = [T.type_by_oid(o) if o else T.UNKNOWN for o in (param_type_oids or [])]
        statement = statements[0] if statements else None
        prepared = PreparedStatement(sql, statement, declared, None)
        from tidesql.sql.jobs import is_wait_for_job

        if statement is not None and is_wait_for_job(statement):
            prepared.param_types = [T.TEXT] * len(declared or [T.TEXT])
            prepared.columns = [Column("wait_for_job", T.BOOL)]
        elif statement is not None and classify(statement) in ("query", "dml"):
            planned = await self._plan_in_transaction(statement, declared)
            prepared.planned = planned
            prepared.param_types = [
                t if t.oid != T.UNKNOWN.oid else T.TEXT for t in planned.param_types
            ]
            prepared.columns = planned.result_columns()
        elif statement is not None:
            prepared.columns = _utility_columns(statement)
            prepared.param_types = declared
        if name:
            self.prepared[name] = prepared
        return prepared

    async def execute_prepared(
        self, prepared: PreparedStatement, params: list[Any]
    ) -> StatementResult:
        if prepared.statement is None:
            return StatementResult("")
        return await self._run_statement(prepared.statement, params, prepared=prepared)

    async def copy_in(self, request: CopyRequest, rows: list[list[str | None]]) -> StatementResult:
        from tidesql.sql.copy import finish_copy_in

        return await self._guarded(finish_copy_in(self, request, rows))

    def sync(self) -> Awaitable[None] | None:
        """Commit an implicit transaction (what to await), or None when there is none."""
        if self.transaction is not None and not self.in_block:
            return self._commit()
        return None

    def cancel(self) -> None:
        self.cancelled = True
        task = self._running
        if task is not None and not task.done():
            task.cancel()

    async def close(self) -> None:
        self._rollback()
        self.engine.sessions.pop(self.process_id, None)

    # ------------------------------------------------------------ settings
    def get_setting(self, name: str) -> str:
        lowered = name.lower()
        if lowered == "transaction_read_only":
            return "on" if self.transaction_read_only() else "off"
        if lowered in self.local_settings:
            return self.local_settings[lowered]
        if lowered in self.settings:
            return self.settings[lowered]
        if "." in lowered:
            raise TideError(
                f'unrecognized configuration parameter "{name}"',
                sqlstate=sqlstates.UNDEFINED_OBJECT,
            )
        raise TideError(
            f'unrecognized configuration parameter "{name}"', sqlstate=sqlstates.UNDEFINED_OBJECT
        )

    def set_setting(self, name: str, value: str, *, local: bool = False) -> dict[str, str]:
        from tidesql.sql.settings import normalize_setting

        lowered = name.lower()
        if lowered not in self.settings and "." not in lowered:
            raise TideError(
                f'unrecognized configuration parameter "{name}"',
                sqlstate=sqlstates.UNDEFINED_OBJECT,
            )
        if lowered in READ_ONLY_SETTINGS:
            raise TideError(
                f'parameter "{name}" cannot be changed',
                sqlstate=sqlstates.CANT_CHANGE_RUNTIME_PARAM,
            )
        value = normalize_setting(self, lowered, value)
        if lowered == "transaction_read_only":
            sql_statements.set_transaction_read_only(self, value == "on")
            return {}
        self._settings_generation += 1
        if local:
            if not self.in_block:
                # PostgreSQL warns "SET LOCAL can only be used in transaction blocks" and
                # changes nothing.
                return {}
            self.local_settings[lowered] = value
        else:
            if self.in_block and self.block_saved_settings is None:
                self.block_saved_settings = dict(self.settings)
            self.settings[lowered] = value
        if lowered in REPORTED:
            return {REPORTED[lowered]: value}
        return {}

    def search_path(self) -> list[str]:
        out = []
        for part in self.get_setting("search_path").split(","):
            name = part.strip().strip('"')
            if name == "$user":
                name = self.user
            if name:
                out.append(name)
        return ["pg_catalog", *[n for n in out if n != "pg_catalog"]]

    # ------------------------------------------------------------ transactions
    def transaction_read_only(self) -> bool:
        """Whether the current (or, outside a block, the next) transaction is read-only."""
        if self.transaction is not None:
            return self.transaction.read_only
        if self.in_block and self.block_read_only is not None:
            return self.block_read_only
        return self.settings["default_transaction_read_only"] == "on"

    async def ensure_transaction(self, isolation: Isolation | None = None) -> SqlTransaction:
        if self.transaction is None:
            level = (
                isolation
                or self.block_isolation
                or ISOLATION_NAMES[self.settings["default_transaction_isolation"]]
            )
            eventual = self.settings["tidesql.read_consistency"] == "eventual"
            core = self.engine.begin(level, self.az, eventual=eventual)
            catalog = await self.engine.catalog_for(core)
            read_only = self.transaction_read_only()
            self.transaction = SqlTransaction(core, catalog)
            self.transaction.read_only = read_only
        return self.transaction

    async def _commit(self) -> None:
        transaction = self.transaction
        self.transaction = None
        self.in_block = False
        self.block_isolation = None
        self._end_block_settings(keep=True)
        self.block_read_only = None
        job, self.pending_sync_job = self.pending_sync_job, None
        if transaction is None:
            return
        if transaction.deferred_checks:
            from tidesql.sql.foreign_keys import check_deferred

            try:
                await check_deferred(self, transaction)
            except BaseException:
                transaction.core.rollback()
                raise
        tally = self.round_trips
        phase = tally.phase
        core = transaction.core
        tally.phase = roundtrips.READ_ONLY_COMMIT if core.is_read_only else roundtrips.COMMIT
        try:
            await core.commit()
        finally:
            tally.finish_operation()
            tally.phase = phase
        if job is not None:
            # A synchronous CREATE INDEX (extended mode) returns only once the index is
            # built, and fails as PostgreSQL does (e.g. 23505 for duplicates).
            await job.done.wait()
            if job.status != "completed":
                from tidesql.sql.jobs import discard_failed_index

                await discard_failed_index(self.engine, job)
                raise TideError(
                    job.error_message or f"could not create index: {job.details}",
                    sqlstate=job.error_sqlstate or sqlstates.OBJECT_NOT_IN_PREREQUISITE_STATE,
                )

    def _rollback(self) -> None:
        transaction = self.transaction
        self.transaction = None
        self.in_block = False
        self.failed = False
        self.block_isolation = None
        self.block_read_only = None
        self.pending_sync_job = None
        self._end_block_settings(keep=False)
        if transaction is not None:
            transaction.core.rollback()

    def _end_block_settings(self, *, keep: bool) -> None:
        """At the end of a block: SET LOCAL values go; a ROLLBACK also undoes its SETs."""
        saved, self.block_saved_settings = self.block_saved_settings, None
        if self.local_settings:
            self.local_settings = {}
            self._settings_generation += 1
        if not keep and saved is not None:
            self.settings = saved
            self._settings_generation += 1

    def reported_values(self) -> dict[str, str]:
        """The ParameterStatus values as the session sees them now (SET LOCAL included)."""
        return {wire: self.get_setting(name) for name, wire in REPORTED.items()}

    # ------------------------------------------------------------ savepoints
    async def savepoint(self, name: str) -> None:
        self._check_block("SAVEPOINT")
        # BEGIN opens the core transaction lazily; a savepoint needs it now.
        sql_txn = await self.ensure_transaction()
        sql_txn.savepoints.append(
            Savepoint(
                name,
                sql_txn.core.mark(),
                sql_txn.catalog,
                sql_txn.ddl_count,
                sql_txn.dml,
                dict(self.settings),
                dict(self.local_settings),
                self.pending_sync_job,
                list(sql_txn.deferred_checks),
                dict(sql_txn.constraint_modes),
                sql_txn.constraints_all_deferred,
            )
        )

    def release_savepoint(self, name: str) -> None:
        self._check_block("RELEASE SAVEPOINT")
        sql_txn, index = self._find_savepoint(name)
        del sql_txn.savepoints[index:]

    def rollback_to_savepoint(self, name: str) -> dict[str, str]:
        """Undo everything since the savepoint, which stays; the block is usable again.
        Returns the settings that changed back (for ParameterStatus)."""
        self._check_block("ROLLBACK TO SAVEPOINT")
        sql_txn, index = self._find_savepoint(name)
        savepoint = sql_txn.savepoints[index]
        del sql_txn.savepoints[index + 1 :]
        # nextval is not undone (PostgreSQL): the row of a sequence this transaction
        # created or altered before the savepoint keeps the values handed out since —
        # up to an ALTER SEQUENCE since the savepoint, which is undone with what it handed.
        core = sql_txn.core
        writes = core.state.writes
        carried: dict[bytes, bytes] = {}
        for table in savepoint.catalog.tables.values():
            key = sequence_row_key(table.oid)
            if table.kind != "S" or key not in savepoint.notebook.writes:
                continue
            if table.oid in savepoint.sequence_rows_before_alter:
                value = savepoint.sequence_rows_before_alter[table.oid]
            else:
                value = writes.get(key)
            if value is not None:
                carried[key] = value
        core.rollback_to(savepoint.notebook)
        for key, value in carried.items():
            assert value is not None
            core.put(key, value)
        sql_txn.catalog = savepoint.catalog
        sql_txn.ddl_count = savepoint.ddl_count
        sql_txn.dml = savepoint.dml
        changed = {
            REPORTED[setting]: value
            for setting, value in savepoint.settings.items()
            if setting in REPORTED and self.settings.get(setting) != value
        }
        self.settings = dict(savepoint.settings)
        self.local_settings = dict(savepoint.local_settings)
        self.pending_sync_job = savepoint.pending_sync_job
        # Checks queued since are for rows now undone; checks SET CONSTRAINTS … IMMEDIATE
        # took off the list since (even one that failed) are pending again.
        sql_txn.deferred_checks = list(savepoint.deferred_checks)
        sql_txn.constraint_modes = dict(savepoint.constraint_modes)
        sql_txn.constraints_all_deferred = savepoint.constraints_all_deferred
        self._settings_generation += 1
        self.failed = False
        return changed

    def _check_block(self, command: str) -> None:
        if not self.in_block:
            raise TideError(
                f"{command} can only be used in transaction blocks",
                sqlstate=sqlstates.NO_ACTIVE_SQL_TRANSACTION,
            )

    def _find_savepoint(self, name: str) -> tuple[SqlTransaction, int]:
        """The newest savepoint of that name, as PostgreSQL finds it."""
        sql_txn = self.transaction
        if sql_txn is not None:
            for index in range(len(sql_txn.savepoints) - 1, -1, -1):
                if sql_txn.savepoints[index].name == name:
                    return sql_txn, index
        raise TideError(
            f'savepoint "{name}" does not exist', sqlstate=sqlstates.INVALID_SAVEPOINT_SPECIFICATION
        )

    def _env(self, params: list[Any], sql_txn: SqlTransaction | None) -> Env:
        if sql_txn is None:
            now = dt.datetime.now(dt.UTC)
            return Env(self, params, self.format_settings(), now, now)
        if sql_txn.first_statement:
            # As in PostgreSQL, the first statement of a transaction has the transaction's
            # own timestamp as its statement_timestamp(): one clock read, not two.
            sql_txn.first_statement = False
            statement_timestamp = sql_txn.timestamp
        else:
            statement_timestamp = dt.datetime.now(dt.UTC)
        return Env(self, params, self.format_settings(), sql_txn.timestamp, statement_timestamp)

    # ------------------------------------------------------------ running
    async def _guarded(self, work: Awaitable[StatementResult]) -> StatementResult:
        """Run one statement in the caller's task; a CancelRequest cancels that task while
        the statement runs, and the cancellation becomes SQLSTATE 57014."""
        self.cancelled = False
        task = asyncio.current_task()
        self._running = task
        try:
            return await work
        except asyncio.CancelledError:
            if self.cancelled and task is not None:
                task.uncancel()
                raise TideError(
                    "canceling statement due to user request", sqlstate=sqlstates.QUERY_CANCELED
                ) from None
            raise
        finally:
            self._running = None

    async def _run_statement(
        self,
        statement: ParsedStatement,
        params: list[Any],
        *,
        prepared: PreparedStatement | None = None,
        keep_open: bool = False,
    ) -> StatementResult:
        if (
            self.failed
            and not _ends_block(statement)
            # ROLLBACK TO SAVEPOINT ends the failure (extended mode; DSQL has no savepoints).
            and not (_is_rollback_to(statement) and self.engine.mode != "dsql")
        ):
            raise TideError(
                "current transaction is aborted, commands ignored until end of transaction block",
                sqlstate=sqlstates.IN_FAILED_SQL_TRANSACTION,
            )
        autocommit = not self.in_block and not keep_open and statement.kind != "transaction_stmt"
        tally = self.round_trips
        roundtrips.current_tally.set(tally)
        tally.phase = _PHASES.get(statement.kind, roundtrips.OTHER)
        try:
            try:
                result = await self._guarded(self._dispatch(statement, params, prepared))
            finally:
                tally.finish_operation()
            if autocommit and self.transaction is not None:
                await self._commit()
            return result
        except BaseException as error:
            if self.in_block:
                # A failed statement fails the block, even one refused before the
                # block's transaction began (BEGIN; SAVEPOINT s → 25P02 until ROLLBACK).
                if not _ends_block(statement):
                    self.failed = True
                    if self.transaction is not None and isinstance(error, TideError):
                        self.transaction.core.undo_statement()
            elif self.transaction is not None:
                self._rollback()
            raise

    def _dispatch(
        self, statement: ParsedStatement, params: list[Any], prepared: PreparedStatement | None
    ) -> Awaitable[StatementResult]:
        """The statement's handler, called: what to await for its result."""
        if self.engine.mode == "dsql":
            refusal = statement_refusal(statement.kind, statement.node)
            if refusal is not None:
                raise refusal
        readonly.check_statement(self, statement)
        handler = sql_statements.HANDLERS.get(statement.kind)
        if handler is None:
            return sql_statements.unsupported(self, statement)
        return handler(self, statement, params, prepared)

    async def _plan_in_transaction(
        self, statement: ParsedStatement, declared: list[T.SqlType]
    ) -> Any:
        from tidesql.sql import statements as S

        sql_txn = await self.ensure_transaction()
        try:
            return S.plan_statement(self, sql_txn.catalog, statement, declared)
        finally:
            if not self.in_block:
                self._rollback()


def _startup_options(options: str) -> list[tuple[str, str]]:
    """``-c name=value`` pairs from the startup packet's ``options`` (libpq's PGOPTIONS)."""
    words = options.replace("--", "-c ").split()
    pairs = []
    for position, word in enumerate(words):
        if word == "-c" and position + 1 < len(words) and "=" in words[position + 1]:
            name, _, value = words[position + 1].partition("=")
            pairs.append((name, value))
        elif word.startswith("-c") and "=" in word[2:]:
            name, _, value = word[2:].partition("=")
            pairs.append((name, value))
    return pairs


#: The phase of a statement's work in the session's round-trip tally.
_PHASES = {
    "select_stmt": roundtrips.READ,
    "insert_stmt": roundtrips.WRITE,
    "update_stmt": roundtrips.WRITE,
    "delete_stmt": roundtrips.WRITE,
}


def _has_modifying_cte(node: Any) -> bool:
    if not node.HasField("with_clause"):
        return False
    return any(
        cte.common_table_expr.ctequery.WhichOneof("node") != "select_stmt"
        for cte in node.with_clause.ctes
    )


def classify(statement: ParsedStatement) -> str:
    kind = statement.kind
    if kind in ("select_stmt",):
        return "dml" if _has_modifying_cte(statement.node) else "query"
    if kind in ("insert_stmt", "update_stmt", "delete_stmt"):
        return "dml"
    if kind in (
        "create_stmt",
        "index_stmt",
        "drop_stmt",
        "alter_table_stmt",
        "rename_stmt",
        "view_stmt",
        "create_schema_stmt",
        "create_seq_stmt",
        "alter_seq_stmt",
        "create_function_stmt",
        "create_domain_stmt",
        "comment_stmt",
        "create_role_stmt",
        "alter_role_stmt",
        "drop_role_stmt",
        "grant_stmt",
        "grant_role_stmt",
        "create_table_as_stmt",
        "alter_object_schema_stmt",
    ):
        return "ddl"
    return "utility"


def _ends_block(statement: ParsedStatement) -> bool:
    if statement.kind != "transaction_stmt":
        return False
    return statement.node.kind in (
        pb.TRANS_STMT_ROLLBACK,
        pb.TRANS_STMT_COMMIT,
        pb.TRANS_STMT_ROLLBACK_PREPARED,
    )


def _is_rollback_to(statement: ParsedStatement) -> bool:
    return statement.kind == "transaction_stmt" and statement.node.kind == pb.TRANS_STMT_ROLLBACK_TO


def _utility_columns(statement: ParsedStatement) -> list[Column] | None:
    if statement.kind == "variable_show_stmt":
        return [Column(statement.node.name.lower(), T.TEXT)]
    if statement.kind == "explain_stmt":
        return [Column("QUERY PLAN", T.TEXT)]
    return None


def output_columns(columns: list[OutputColumn]) -> list[Column]:
    return [Column(c.name, c.type, c.table_oid, c.column_number) for c in columns]


__all__ = ["Column", "Engine", "PlanNode", "PreparedStatement", "Session", "StatementResult"]
