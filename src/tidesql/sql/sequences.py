"""Sequences: ``nextval`` outside every transaction, across the query processors of every AZ.

What is a sequence made of?
    A relation of kind ``"S"`` in the catalog (``TableDef.sequence`` holds its options,
    versioned with the rest of the schema) and one row in its own key range,
    ``(oid, 0, 1) → [last_value, log_cnt, is_called]``: the last value *reserved* by
    anyone. ``SELECT * FROM s`` reads that row like any table row.

How can ``nextval`` ignore ROLLBACK and still never hand a value out twice?
    A query processor reserves a block of CACHE values by a small core transaction of
    its own — read the row, write ``last_value`` = the block's last value, commit —
    which commits whatever the caller's transaction later does. Two processors that
    reserve at once write the same key, so the adjudicator lets the first commit and
    refuses the other (OC000), which simply tries again at a fresh snapshot: each value
    belongs to exactly one block. The processor then hands values out of its block, one
    per call, to any of its sessions. With CACHE 1 every call reserves one value::

        row: last_value 0, is_called f
        az1 reserves [1..65536]    → row: 65536, t     az1 hands out 1, 2, 3, …
        az2 reserves [65537..131072] → row: 131072, t  az2 hands out 65537, …

What happens on a restart?
    Blocks live in memory; the row is durable. A restarted server reserves after the
    row's ``last_value``, so values of blocks not used up before are lost (gaps), as in
    PostgreSQL after a crash — never handed out twice.

What is transactional, then?
    CREATE/ALTER/DROP SEQUENCE, like every DDL (ALTER also bumps the sequence's
    ``generation`` so that processors drop blocks reserved under the old options). A
    sequence created or altered by the caller's own open transaction is not visible to
    a separate transaction, so its values come from the caller's transaction.
    ``setval`` writes the row in a transaction of its own, like ``nextval``.
    ``currval`` and ``lastval`` are per session.

In ``--mode dsql`` the rules of Aurora DSQL apply: CACHE must be given, and be 1 or at
least 65536; sequences and identity columns are bigint; SERIAL does not exist.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from tidesql import sqlstates
from tidesql.errors import SerializationFailure, TideError
from tidesql.sql import catalog as C
from tidesql.sql import readonly
from tidesql.sql import types as T
from tidesql.sql.expr import Compiled, Const, Expr, SlotRef
from tidesql.sql.parser import ParsedStatement
from tidesql.sql.plan import OutputColumn, PlanNode
from tidesql.sql.planner import (
    BindContext,
    Planner,
    SubqueryMarker,
    node_kind,
    string_values,
)
from tidesql.sql.result import Notice, StatementResult
from tidesql.txn import Isolation

#: A reservation retried this many times without committing gives up (40001).
RESERVATION_ATTEMPTS_MAX = 100
#: DSQL accepts CACHE 1 or at least this.
DSQL_CACHE_MIN = 65536

TYPE_RANGES: dict[int, tuple[int, int]] = {
    T.INT2.oid: (-(2**15), 2**15 - 1),
    T.INT4.oid: (-(2**31), 2**31 - 1),
    T.INT8.oid: (-(2**63), 2**63 - 1),
}
SEQUENCE_COLUMNS = (("last_value", T.INT8), ("log_cnt", T.INT8), ("is_called", T.BOOL))
SERIAL_TYPES = {
    "smallserial": T.INT2,
    "serial2": T.INT2,
    "serial": T.INT4,
    "serial4": T.INT4,
    "bigserial": T.INT8,
    "serial8": T.INT8,
}


def _invalid(message: str) -> TideError:
    return TideError(message, sqlstate=sqlstates.INVALID_PARAMETER_VALUE)


def _not_supported(message: str, hint: str | None = None) -> TideError:
    return TideError(message, sqlstate=sqlstates.FEATURE_NOT_SUPPORTED, hint=hint)


def _type_name(type_oid: int) -> str:
    return T.format_type(T.type_by_oid(type_oid))


# ---------------------------------------------------------------- options
@dataclass
class ParsedOptions:
    definition: C.SequenceDef
    #: ALTER … RESTART [WITH n]: the value the next nextval returns.
    restart: int | None = None
    #: OWNED BY: None when not given, [] for NONE, else [table…, column].
    owned_by: list[str] | None = None
    cache_given: bool = False


def _integer(node: Any) -> int:
    kind, value = node_kind(node)
    if kind == "integer":
        return int(value.ival)
    if kind == "float":
        return int(value.fval)
    raise TideError("an integer is required", sqlstate=sqlstates.SYNTAX_ERROR)


def parse_options(
    options: Any,
    *,
    existing: C.SequenceDef | None = None,
    type_oid: int | None = None,
    allow_type: bool = True,
) -> ParsedOptions:
    """Sequence options as PostgreSQL's ``init_params`` reads them (CREATE, ALTER, identity)."""
    given: dict[str, Any] = {}
    restart: int | None = None
    restart_given = False
    owned_by: list[str] | None = None
    for option in options:
        element = option.def_elem
        name = element.defname
        if name in given or (name == "restart" and restart_given):
            raise TideError("conflicting or redundant options", sqlstate=sqlstates.SYNTAX_ERROR)
        has_arg = element.HasField("arg")
        if name == "as":
            if not allow_type:
                raise TideError(
                    "identity column sequence options cannot include AS",
                    sqlstate=sqlstates.SYNTAX_ERROR,
                )
            names = string_values(element.arg.type_name.names)
            sql_type = T.type_from_name(names, [], 0)
            if sql_type.oid not in TYPE_RANGES:
                raise _invalid("sequence type must be smallint, integer, or bigint")
            given["as"] = sql_type.oid
        elif name in ("increment", "start", "cache"):
            given[name] = _integer(element.arg)
        elif name in ("minvalue", "maxvalue"):
            given[name] = _integer(element.arg) if has_arg else None
        elif name == "cycle":
            given[name] = bool(element.arg.boolean.boolval)
        elif name == "restart":
            restart_given = True
            restart = _integer(element.arg) if has_arg else None
        elif name == "owned_by":
            owned_by = [node_kind(item)[1].sval for item in element.arg.list.items]
            if [n.lower() for n in owned_by] == ["none"]:
                owned_by = []
        elif name == "sequence_name":
            given[name] = string_values(element.arg.list.items)
        else:
            raise TideError(f'option "{name}" not recognized', sqlstate=sqlstates.SYNTAX_ERROR)
    base = existing
    old_type = base.type_oid if base is not None else None
    new_type = given.get("as", type_oid if type_oid is not None else old_type or T.INT8.oid)
    low, high = TYPE_RANGES[new_type]
    increment = given.get("increment", base.increment if base is not None else 1)
    if increment == 0:
        raise _invalid("INCREMENT must not be zero")
    cycle = given.get("cycle", base.cycle if base is not None else False)
    if "maxvalue" in given and given["maxvalue"] is not None:
        max_value = given["maxvalue"]
    elif (
        "maxvalue" in given
        or base is None
        or (old_type != new_type and base.max_value == TYPE_RANGES[old_type or new_type][1])
    ):
        max_value = high if increment > 0 else -1
    else:
        max_value = base.max_value
    if "minvalue" in given and given["minvalue"] is not None:
        min_value = given["minvalue"]
    elif (
        "minvalue" in given
        or base is None
        or (old_type != new_type and base.min_value == TYPE_RANGES[old_type or new_type][0])
    ):
        min_value = 1 if increment > 0 else low
    else:
        min_value = base.min_value
    type_name = _type_name(new_type)
    if not low <= max_value <= high:
        raise _invalid(f"MAXVALUE ({max_value}) is out of range for sequence data type {type_name}")
    if not low <= min_value <= high:
        raise _invalid(f"MINVALUE ({min_value}) is out of range for sequence data type {type_name}")
    if min_value >= max_value:
        raise _invalid(f"MINVALUE ({min_value}) must be less than MAXVALUE ({max_value})")
    if "start" in given:
        start = given["start"]
    elif base is not None:
        start = base.start
    else:
        start = min_value if increment > 0 else max_value
    if start < min_value:
        raise _invalid(f"START value ({start}) cannot be less than MINVALUE ({min_value})")
    if start > max_value:
        raise _invalid(f"START value ({start}) cannot be greater than MAXVALUE ({max_value})")
    if restart_given:
        restart = start if restart is None else restart
        if restart < min_value:
            raise _invalid(f"RESTART value ({restart}) cannot be less than MINVALUE ({min_value})")
        if restart > max_value:
            raise _invalid(
                f"RESTART value ({restart}) cannot be greater than MAXVALUE ({max_value})"
            )
    cache = given.get("cache", base.cache if base is not None else 1)
    if cache <= 0:
        raise _invalid(f"CACHE ({cache}) must be greater than zero")
    definition = C.SequenceDef(
        type_oid=new_type,
        start=start,
        increment=increment,
        min_value=min_value,
        max_value=max_value,
        cache=cache,
        cycle=cycle,
    )
    if base is not None:
        definition = replace(
            definition,
            owner_table=base.owner_table,
            owner_column=base.owner_column,
            identity=base.identity,
            generation=base.generation + 1,
        )
    return ParsedOptions(definition, restart, owned_by, cache_given="cache" in given)


def check_dsql_rules(
    parsed: ParsedOptions, *, creating: bool, what: str = "CREATE SEQUENCE"
) -> None:
    """Aurora DSQL: CACHE given explicitly, 1 or at least 65536; bigint only."""
    cache = parsed.definition.cache
    if creating and not parsed.cache_given:
        raise _not_supported(
            f"{what} requires an explicit CACHE: CACHE 1 or CACHE >= {DSQL_CACHE_MIN}",
            hint=f"Add CACHE 1 (values in order) or CACHE {DSQL_CACHE_MIN} (throughput).",
        )
    if parsed.cache_given and cache != 1 and cache < DSQL_CACHE_MIN:
        raise _not_supported(
            f"unsupported CACHE value {cache}: CACHE must be 1 or at least {DSQL_CACHE_MIN}"
        )
    if parsed.definition.type_oid != T.INT8.oid:
        raise _not_supported(
            f"unsupported sequence type {_type_name(parsed.definition.type_oid)}: "
            "sequences must be bigint"
        )


# ---------------------------------------------------------------- the row
def sequence_columns() -> list[C.ColumnDef]:
    return [
        C.ColumnDef(name, sql_type.oid, attnum=position, not_null=True)
        for position, (name, sql_type) in enumerate(SEQUENCE_COLUMNS, start=1)
    ]


def new_sequence(
    oid: int, schema_oid: int, name: str, definition: C.SequenceDef, owner: str
) -> C.TableDef:
    return C.TableDef(
        oid, schema_oid, name, kind="S", columns=sequence_columns(), owner=owner,
        sequence=definition,
    )  # fmt: skip


# ---------------------------------------------------------------- DDL
async def create_sequence_object(
    writer: Any, schema_oid: int, name: str, definition: C.SequenceDef, owner: str
) -> C.TableDef:
    """Write a new sequence's definition and its row (``writer`` is a CatalogWriter)."""
    table = new_sequence(await writer.new_oid(), schema_oid, name, definition, owner)
    writer.write_table(table)
    writer.txn.put(C.sequence_row_key(table.oid), _stored_row(table, definition.start, False))
    return table


def _stored_row(table: C.TableDef, last_value: int, is_called: bool) -> bytes:
    from tidesql.sql.catalog import TableInfo

    return TableInfo(table, "").codec.encode([last_value, 0, is_called])


def _decode_stored(table: C.TableDef, data: bytes) -> tuple[int, bool]:
    from tidesql.sql.catalog import TableInfo

    row = TableInfo(table, "").codec.decode(data)
    return int(row[0]), bool(row[2])


async def read_sequence_row(txn: Any, table: C.TableDef) -> tuple[int, bool] | None:
    raw = await txn.get(C.sequence_row_key(table.oid), track=False)
    return None if raw is None else _decode_stored(table, raw)


def drop_sequence_object(writer: Any, sequence: C.TableDef) -> None:
    writer.delete_table(sequence)
    writer.txn.delete(C.sequence_row_key(sequence.oid))


def sequence_name_for(writer: Any, schema_oid: int, table: str, column: str) -> str:
    base = f"{table}_{column}_seq"
    name = base
    counter = 1
    while writer.catalog.relation_name_taken(schema_oid, name):
        name = f"{table}_{column}_seq{counter}"
        counter += 1
    return name


def _owner_of(writer: Any, session: Any, names: list[str]) -> tuple[C.TableDef, C.ColumnDef]:
    if len(names) < 2:
        raise _invalid("invalid OWNED BY option")
    table = writer.catalog.find_table(
        names[-2], names[-3] if len(names) > 2 else None, session.search_path()
    )
    if table is None:
        raise TideError(
            f'relation "{names[-2]}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
        )
    if table.kind != "r":
        raise TideError(
            f'sequence cannot be owned by relation "{table.name}"',
            sqlstate=sqlstates.WRONG_OBJECT_TYPE,
        )
    column = table.column(names[-1])
    if column is None:
        raise TideError(
            f'column "{names[-1]}" of relation "{table.name}" does not exist',
            sqlstate=sqlstates.UNDEFINED_COLUMN,
        )
    return table, column


def _set_owner(
    writer: Any, session: Any, definition: C.SequenceDef, owned_by: list[str] | None
) -> C.SequenceDef:
    if owned_by is None:
        return definition
    if not owned_by:
        return replace(definition, owner_table=0, owner_column=0)
    table, column = _owner_of(writer, session, owned_by)
    return replace(definition, owner_table=table.oid, owner_column=column.attnum)


async def create_sequence(session: Any, writer: Any, statement: ParsedStatement) -> StatementResult:
    node = statement.node
    relation = node.sequence
    if relation.relpersistence == "t":
        raise _not_supported("temporary sequences are not supported")
    schema_oid = writer.schema_for(relation.schemaname or None)
    name = relation.relname
    from tidesql.sql.ddl.writer import name_taken

    skipped = name_taken(writer, schema_oid, name, node.if_not_exists, "CREATE SEQUENCE")
    if skipped is not None:
        return skipped
    parsed = parse_options(node.options)
    if session.engine.mode == "dsql":
        check_dsql_rules(parsed, creating=True)
    definition = _set_owner(writer, session, parsed.definition, parsed.owned_by)
    await create_sequence_object(writer, schema_oid, name, definition, session.user)
    return StatementResult("CREATE SEQUENCE")


async def alter_sequence(session: Any, writer: Any, statement: ParsedStatement) -> StatementResult:
    node = statement.node
    relation = node.sequence
    table = writer.find_table(relation.relname, relation.schemaname or None, session.search_path())
    if table is None or table.sequence is None:
        if table is None and node.missing_ok:
            return StatementResult(
                "ALTER SEQUENCE",
                notices=[
                    Notice(
                        "NOTICE", "00000", f'relation "{relation.relname}" does not exist, skipping'
                    )
                ],
            )
        if table is not None:
            raise TideError(
                f'"{table.name}" is not a sequence', sqlstate=sqlstates.WRONG_OBJECT_TYPE
            )
        raise TideError(
            f'relation "{relation.relname}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
        )
    parsed = parse_options(node.options, existing=table.sequence)
    if session.engine.mode == "dsql":
        check_dsql_rules(parsed, creating=False)
    definition = _set_owner(writer, session, parsed.definition, parsed.owned_by)
    table.sequence = definition
    writer.write_table(table)
    key = C.sequence_row_key(table.oid)
    writes = writer.txn.state.writes
    for savepoint in writer.sql_txn.savepoints:
        savepoint.sequence_rows_before_alter.setdefault(table.oid, writes.get(key))
    if parsed.restart is not None:
        writer.txn.put(key, _stored_row(table, parsed.restart, False))
    else:
        raw = await writer.txn.get(key)
        if raw is not None:
            # Rewriting the row makes a reservation racing with this ALTER conflict.
            writer.txn.put(key, raw)
    return StatementResult("ALTER SEQUENCE")


def dependent_sequences(
    catalog: C.Catalog, table_oid: int, attnum: int | None = None
) -> list[C.TableDef]:
    """Sequences owned by a table (or by one of its columns): dropped with it."""
    return [
        s
        for (owner, column), s in catalog.owned_sequences.items()
        if owner == table_oid and (attnum is None or column == attnum)
    ]


def check_drop_sequence(
    catalog: C.Catalog, sequence: C.TableDef, cascade: bool
) -> list[tuple[C.TableDef, C.ColumnDef]]:
    """What a DROP SEQUENCE must change: column defaults that call it (CASCADE drops them)."""
    definition = sequence.sequence
    assert definition is not None
    if definition.identity:
        owner = catalog.tables.get(definition.owner_table)
        column_name = owner.columns[definition.owner_column - 1].name if owner else "?"
        owner_name = owner.name if owner else "?"
        raise TideError(
            f"cannot drop sequence {sequence.name} because column {column_name} of table "
            f"{owner_name} requires it",
            sqlstate=sqlstates.DEPENDENT_OBJECTS_STILL_EXIST,
            hint=f"You can drop column {column_name} of table {owner_name} instead.",
        )
    users: list[tuple[C.TableDef, C.ColumnDef]] = []
    for table in catalog.tables.values():
        for column in table.live_columns:
            if column.default and _mentions(column.default, sequence):
                users.append((table, column))
    if users and not cascade:
        table, column = users[0]
        from tidesql.sql.ddl.writer import cannot_drop

        raise cannot_drop(
            f"sequence {sequence.name}",
            [
                f"default value for column {column.name} of table {table.name} "
                f"depends on sequence {sequence.name}"
            ],
        )
    return users


def _mentions(default: str, sequence: C.TableDef) -> bool:
    lowered = default.lower()
    return "nextval(" in lowered and (
        f"'{sequence.name}'" in default or f".{sequence.name}'" in default
    )


def serial_default(sequence_name: str, schema: str) -> str:
    qualified = sequence_name if schema == "public" else f"{schema}.{sequence_name}"
    return f"nextval('{qualified}'::regclass)"


# ---------------------------------------------------------------- run time
@dataclass
class CachedBlock:
    """Values a query processor reserved and has not handed out yet."""

    generation: int
    next_value: int
    remaining: int
    increment: int


class SequenceCaches:
    """The cached blocks of every query processor, by (AZ, sequence oid)."""

    def __init__(self) -> None:
        self.blocks: dict[tuple[str, int], CachedBlock] = {}
        self._locks: dict[tuple[str, int], asyncio.Lock] = {}

    def lock(self, key: tuple[str, int]) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def forget(self, az: str, oid: int) -> None:
        self.blocks.pop((az, oid), None)


def _sequence(catalog: C.Catalog, oid: int) -> C.TableDef:
    table = catalog.tables.get(oid)
    if table is None:
        raise TideError(
            f"could not open relation with OID {oid}", sqlstate=sqlstates.UNDEFINED_TABLE
        )
    if table.sequence is None:
        raise TideError(f'"{table.name}" is not a sequence', sqlstate=sqlstates.WRONG_OBJECT_TYPE)
    return table


def _first_of_block(table: C.TableDef, last_value: int, is_called: bool) -> int:
    definition = table.sequence
    assert definition is not None
    if not is_called:
        return last_value
    increment = definition.increment
    value = last_value + increment
    if increment > 0 and value > definition.max_value:
        if not definition.cycle:
            raise TideError(
                f'nextval: reached maximum value of sequence "{table.name}" '
                f"({definition.max_value})",
                sqlstate=sqlstates.SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
            )
        return definition.min_value
    if increment < 0 and value < definition.min_value:
        if not definition.cycle:
            raise TideError(
                f'nextval: reached minimum value of sequence "{table.name}" '
                f"({definition.min_value})",
                sqlstate=sqlstates.SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
            )
        return definition.max_value
    return value


def _block(table: C.TableDef, last_value: int, is_called: bool, wanted: int) -> tuple[int, int]:
    """(first value, count) of the next block of at most ``wanted`` values."""
    definition = table.sequence
    assert definition is not None
    first = _first_of_block(table, last_value, is_called)
    step = definition.increment
    room = (
        (definition.max_value - first) // step + 1
        if step > 0
        else (first - definition.min_value) // -step + 1
    )
    return first, max(1, min(wanted, room))


async def _reserve(session: Any, oid: int, wanted: int) -> tuple[C.TableDef, int, int]:
    """Reserve up to ``wanted`` values in a transaction of their own: (definition, first, count)."""
    engine = session.engine
    for _attempt in range(RESERVATION_ATTEMPTS_MAX):
        txn = engine.begin(Isolation.REPEATABLE_READ, session.az)
        raw_definition = await txn.get(C.relation_key(oid), track=False)
        raw_row = await txn.get(C.sequence_row_key(oid))
        if raw_definition is None or raw_row is None:
            txn.rollback()
            raise TideError(
                f"could not open relation with OID {oid}", sqlstate=sqlstates.UNDEFINED_TABLE
            )
        table = C.TableDef.from_json(raw_definition)
        last_value, is_called = _decode_stored(table, raw_row)
        first, count = _block(table, last_value, is_called, wanted)
        assert table.sequence is not None
        last = first + (count - 1) * table.sequence.increment
        txn.put(C.sequence_row_key(oid), _stored_row(table, last, True))
        try:
            await txn.commit()
        except SerializationFailure:
            continue
        return table, first, count
    raise TideError(
        "could not reserve sequence values: too many concurrent reservations, please retry",
        sqlstate=sqlstates.SERIALIZATION_FAILURE,
    )


async def _write_own_transaction(session: Any, oid: int, row: bytes) -> None:
    engine = session.engine
    for _attempt in range(RESERVATION_ATTEMPTS_MAX):
        txn = engine.begin(Isolation.REPEATABLE_READ, session.az)
        if await txn.get(C.sequence_row_key(oid)) is None:
            txn.rollback()
            raise TideError(
                f"could not open relation with OID {oid}", sqlstate=sqlstates.UNDEFINED_TABLE
            )
        txn.put(C.sequence_row_key(oid), row)
        try:
            await txn.commit()
        except SerializationFailure:
            continue
        return
    raise TideError(
        "could not set the sequence: too many concurrent changes, please retry",
        sqlstate=sqlstates.SERIALIZATION_FAILURE,
    )


def _in_own_transaction(ctx: Any, oid: int) -> bool:
    """The caller's open transaction created or changed the sequence (not yet committed)."""
    return C.sequence_row_key(oid) in ctx.txn.state.writes


async def nextval(ctx: Any, oid: int) -> int:
    session = ctx.session
    readonly.check_function(session, "nextval")
    table = _sequence(ctx.sql_txn.catalog, oid)
    definition = table.sequence
    assert definition is not None
    if _in_own_transaction(ctx, oid):
        raw = await ctx.txn.get(C.sequence_row_key(oid))
        assert raw is not None
        first, _ = _block(table, *_decode_stored(table, raw), 1)
        ctx.txn.put(C.sequence_row_key(oid), _stored_row(table, first, True))
        value = first
    else:
        caches: SequenceCaches = session.engine.sequences
        key = (session.az, oid)
        async with caches.lock(key):
            block = caches.blocks.get(key)
            if block is None or block.remaining <= 0 or block.generation < definition.generation:
                latest, first, count = await _reserve(session, oid, definition.cache)
                assert latest.sequence is not None
                block = CachedBlock(
                    latest.sequence.generation, first, count, latest.sequence.increment
                )
                caches.blocks[key] = block
            value = block.next_value
            block.next_value += block.increment
            block.remaining -= 1
    session.sequence_values[oid] = value
    session.last_sequence = oid
    return value


async def setval(ctx: Any, oid: int, value: int, is_called: bool = True) -> int:
    session = ctx.session
    readonly.check_function(session, "setval")
    table = _sequence(ctx.sql_txn.catalog, oid)
    definition = table.sequence
    assert definition is not None
    if not definition.min_value <= value <= definition.max_value:
        raise TideError(
            f'setval: value {value} is out of bounds for sequence "{table.name}" '
            f"({definition.min_value}..{definition.max_value})",
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        )
    row = _stored_row(table, value, is_called)
    if _in_own_transaction(ctx, oid):
        ctx.txn.put(C.sequence_row_key(oid), row)
    else:
        caches: SequenceCaches = session.engine.sequences
        async with caches.lock((session.az, oid)):
            await _write_own_transaction(session, oid, row)
            caches.forget(session.az, oid)
    if is_called:
        session.sequence_values[oid] = value
        session.last_sequence = oid
    return value


def currval(env: Any, oid: int) -> int:
    session = env.session
    value = session.sequence_values.get(oid)
    if value is None:
        catalog = session.transaction.catalog if session.transaction else None
        table = _sequence(catalog, oid) if catalog is not None else None
        name = table.name if table is not None else str(oid)
        raise TideError(
            f'currval of sequence "{name}" is not yet defined in this session',
            sqlstate=sqlstates.OBJECT_NOT_IN_PREREQUISITE_STATE,
        )
    return int(value)


def lastval(env: Any) -> int:
    session = env.session
    oid = session.last_sequence
    if oid is None:
        raise TideError(
            "lastval is not yet defined in this session",
            sqlstate=sqlstates.OBJECT_NOT_IN_PREREQUISITE_STATE,
        )
    return int(session.sequence_values[oid])


# ---------------------------------------------------------------- binding
@dataclass
class SequenceCall(PlanNode):
    """nextval/setval for the current row: evaluated by an Apply like a subquery, since
    it must await a reservation (expressions are synchronous)."""

    function: str
    args: list[Compiled]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[Any]:
        env = ctx.env
        # Apply pushed the current row as the innermost outer row; the arguments were
        # bound against that row itself, and their own outer references against the rest.
        if env.outer:
            row = env.outer.pop()
            try:
                values = [a(row, env) for a in self.args]
            finally:
                env.outer.append(row)
        else:
            values = [a((), env) for a in self.args]
        if any(v is None for v in values):
            return [(None,)]
        if self.function == "nextval":
            return [(await nextval(ctx, values[0]),)]
        return [(await setval(ctx, *values),)]

    def explain(self) -> list[str]:
        return [self.function]


def _regclass_argument(planner: Planner, arg: Expr) -> Expr:
    if isinstance(arg, Const) and arg.type.oid in (T.UNKNOWN.oid, T.TEXT.oid, T.VARCHAR.oid):
        if arg.value is None:
            return Const(None, T.REGCLASS)
        name, schema = _split_name(str(arg.value))
        table = planner.catalog.find_table(name, schema, planner.search_path)
        if table is None:
            raise TideError(
                f'relation "{arg.value}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
            )
        return Const(table.oid, T.REGCLASS)
    return planner.coerce(arg, T.REGCLASS)


def _split_name(text: str) -> tuple[str, str | None]:
    """'Schema.Name' the way regclass input reads it: unquoted parts fold to lower case."""
    parts = []
    for part in _split_dots(text):
        parts.append(part[1:-1].replace('""', '"') if part.startswith('"') else part.lower())
    return parts[-1], (parts[-2] if len(parts) > 1 else None)


def _split_dots(text: str) -> list[str]:
    parts: list[str] = []
    current = ""
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _marker(planner: Planner, context: BindContext, function: str, args: list[Expr]) -> Expr:
    planner.has_volatile = True
    slot = SlotRef(T.INT8, label=function)
    call = SequenceCall(function, [a.compile() for a in args], [OutputColumn(function, T.INT8)])
    context.subqueries.append(SubqueryMarker(call, "scalar", True, slot))
    return slot


def _bind_nextval(planner: Planner, args: list[Expr], context: BindContext) -> Expr:
    if len(args) != 1:
        raise TideError(
            "function nextval() takes exactly one argument", sqlstate=sqlstates.UNDEFINED_FUNCTION
        )
    return _marker(planner, context, "nextval", [_regclass_argument(planner, args[0])])


def _bind_setval(planner: Planner, args: list[Expr], context: BindContext) -> Expr:
    if len(args) not in (2, 3):
        raise TideError(
            "function setval() takes two or three arguments",
            sqlstate=sqlstates.UNDEFINED_FUNCTION,
        )
    bound = [_regclass_argument(planner, args[0]), planner.coerce(args[1], T.INT8)]
    if len(args) == 3:
        bound.append(planner.coerce(args[2], T.BOOL))
    return _marker(planner, context, "setval", bound)


def _bind_currval(planner: Planner, args: list[Expr], context: BindContext) -> Expr:
    if len(args) != 1:
        raise TideError(
            "function currval() takes exactly one argument", sqlstate=sqlstates.UNDEFINED_FUNCTION
        )
    return planner._function("currval", [_regclass_argument(planner, args[0])], context)


def nextval_expression(planner: Planner, context: BindContext, sequence_oid: int) -> Expr:
    """nextval(sequence) for an identity column's default."""
    return _marker(planner, context, "nextval", [Const(sequence_oid, T.REGCLASS)])


def identity_sequence(catalog: C.Catalog, table: C.TableDef, column: C.ColumnDef) -> C.TableDef:
    sequence = catalog.owned_sequences.get((table.oid, column.attnum))
    if sequence is None or sequence.sequence is None or not sequence.sequence.identity:
        raise TideError(
            f'no identity sequence for column "{column.name}"', sqlstate=sqlstates.INTERNAL_ERROR
        )
    return sequence


def _serial_sequence(env: Any, table_name: str, column_name: str) -> str | None:
    from tidesql.sql.functions import quote_ident
    from tidesql.sql.pg_catalog import CatalogView

    view: CatalogView = env.settings.catalog.view()
    catalog = view.catalog
    found = view.find_relation(table_name)
    if found is None or catalog is None:
        raise TideError(
            f'relation "{table_name}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE
        )
    table = catalog.tables.get(found.oid)
    column = table.column(column_name) if table is not None else None
    if table is None or column is None:
        raise TideError(
            f'column "{column_name}" of relation "{table_name}" does not exist',
            sqlstate=sqlstates.UNDEFINED_COLUMN,
        )
    sequence = catalog.owned_sequences.get((table.oid, column.attnum))
    if sequence is None:
        return None
    schema = catalog.schemas.get(sequence.schema_oid, "public")
    return f"{quote_ident(schema)}.{quote_ident(sequence.name)}"


def _register() -> None:
    from tidesql.sql import functions as F

    F._function("currval", (T.REGCLASS,), T.INT8, currval, needs_env=True, volatile=True)
    F._function("lastval", (), T.INT8, lastval, needs_env=True, volatile=True)
    F._function(
        "pg_get_serial_sequence", (T.TEXT, T.TEXT), T.TEXT, _serial_sequence,
        needs_env=True, volatile=True,
    )  # fmt: skip
    Planner._special_functions.update(
        {"nextval": _bind_nextval, "setval": _bind_setval, "currval": _bind_currval}
    )


_register()
