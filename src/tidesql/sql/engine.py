"""The SQL engine: one per server, shared by every session.

It owns the embedded cluster, the catalog cache (by catalog version), the plan cache (by
statement text, catalog version and session settings that change binding), the
background jobs of ``CREATE INDEX ASYNC``, and the bootstrap of an empty store.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from tidesql.cluster.embedded import EmbeddedCluster
from tidesql.errors import SerializationFailure
from tidesql.keys import encode_key, prefix_end
from tidesql.sql import catalog as C
from tidesql.txn import Isolation, Transaction

log = logging.getLogger(__name__)

PLAN_CACHE_ENTRIES_MAX = 4096
CATALOG_CACHE_ENTRIES_MAX = 16


@dataclass
class Job:
    job_id: str
    table_oid: int
    index_oid: int
    object_name: str
    status: str = "submitted"  # submitted | processing | completed | failed | cancelled
    job_type: str = "INDEX_BUILD"  # or "VALIDATE_CONSTRAINT" (object: the constraint)
    details: str = ""
    #: For a failed job, the error as the client should see it.
    error_sqlstate: str = ""
    error_message: str = ""
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    updated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    done: asyncio.Event = field(default_factory=asyncio.Event)


class SqlKeyDescriber:
    """Names keys in conflict messages by table and key columns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self, key: bytes) -> str:
        from tidesql.keys import decode_key, format_key

        try:
            parts = decode_key(key)
        except Exception:
            return format_key(key)
        catalog = self.engine.latest_catalog
        if catalog is not None and parts and isinstance(parts[0], int):
            table = catalog.tables.get(parts[0])
            if table is not None:
                if len(parts) >= 2 and parts[1] == C.SCHEMA_STAMP_ID:
                    return f'the schema of relation "{table.name}"'
                values = ", ".join(repr(p) for p in parts[2:])
                if len(parts) >= 2 and parts[1] == C.PRIMARY_INDEX_ID:
                    names = (
                        ", ".join(table.columns[a - 1].name for a in table.primary_key) or "row id"
                    )
                    return f'({names})=({values}) of relation "{table.name}"'
                index = next((i for i in table.indexes if i.oid == parts[1]), None)
                if index is not None:
                    return f'({values}) in index "{index.name}" of relation "{table.name}"'
            if parts[0] in (C.SYS_RELATIONS, C.SYS_SCHEMAS, C.SYS_META, C.SYS_OBJECTS):
                return "a catalog entry"
        return format_key(key)

    def is_schema_key(self, key: bytes) -> bool:
        from tidesql.keys import decode_key

        try:
            parts = decode_key(key)
        except Exception:
            return False
        return (
            bool(parts)
            and isinstance(parts[0], int)
            and (parts[0] < 1000 or (len(parts) >= 2 and parts[1] == C.SCHEMA_STAMP_ID))
        )


async def _read_catalog(txn: Transaction, version: int) -> C.Catalog:
    """Every catalog system table, read through ``txn`` (its own DDL included)."""
    schema_low = encode_key((C.SYS_SCHEMAS,))
    relation_low = encode_key((C.SYS_RELATIONS,))
    schemas = await txn.scan(schema_low, prefix_end(schema_low), track=False)
    relations = await txn.scan(relation_low, prefix_end(relation_low), track=False)
    objects = await _scan_objects(txn)
    roles = await _scan_roles(txn)
    return C.load_catalog(version, schemas, relations, objects, roles)


async def _scan_objects(txn: Transaction) -> list[tuple[bytes, bytes]]:
    low = encode_key((C.SYS_OBJECTS,))
    objects: list[tuple[bytes, bytes]] = await txn.scan(low, prefix_end(low), track=False)
    return objects


async def _scan_roles(txn: Transaction) -> list[tuple[bytes, bytes]]:
    low = encode_key((C.SYS_ROLES,))
    roles: list[tuple[bytes, bytes]] = await txn.scan(low, prefix_end(low), track=False)
    return roles


class Engine:
    def __init__(self, cluster: EmbeddedCluster, *, mode: str = "dsql") -> None:
        self.cluster = cluster
        self.mode = mode
        self._catalogs: OrderedDict[int, C.Catalog] = OrderedDict()
        self.plan_cache: OrderedDict[Any, Any] = OrderedDict()
        self.latest_catalog: C.Catalog | None = None
        self._private_catalogs = 0
        self.jobs: dict[str, Job] = {}
        self._job_tasks: set[asyncio.Task[None]] = set()
        self.sessions: dict[int, Any] = {}
        self.compiled_table_parts: dict[tuple[int, int], Any] = {}
        from tidesql.sql.sequences import SequenceCaches

        #: Each query processor's cached blocks of sequence values (``sequences.py``).
        self.sequences = SequenceCaches()

    async def start(self) -> None:
        self.cluster.set_describer(SqlKeyDescriber(self))
        await self._bootstrap()

    async def stop(self) -> None:
        for task in list(self._job_tasks):
            task.cancel()
        for task in list(self._job_tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _bootstrap(self) -> None:
        txn = self.cluster.begin()
        if await txn.get(C.VERSION_KEY) is not None:
            await txn.commit()
            return
        txn.put(C.VERSION_KEY, b"1")
        txn.put(C.NEXT_OID_KEY, str(C.FIRST_USER_OID).encode())
        txn.put(C.schema_key(C.PUBLIC_OID), json.dumps({"name": "public"}).encode())
        txn.put(C.schema_key(C.SYS_SCHEMA_OID), json.dumps({"name": "sys"}).encode())
        try:
            await txn.commit()
        except SerializationFailure:
            log.info("another process bootstrapped the catalog first")

    # ------------------------------------------------------------ catalog
    async def catalog_for(self, txn: Transaction) -> C.Catalog:
        raw = await txn.get(C.VERSION_KEY, track=False)
        version = int(raw or b"0")
        cached = self._catalogs.get(version)
        if cached is not None:
            self._catalogs.move_to_end(version)
            return cached
        catalog = await _read_catalog(txn, version)
        self._catalogs[version] = catalog
        while len(self._catalogs) > CATALOG_CACHE_ENTRIES_MAX:
            self._catalogs.popitem(last=False)
        if self.latest_catalog is None or version >= self.latest_catalog.version:
            self.latest_catalog = catalog
        return catalog

    async def private_catalog(self, txn: Transaction) -> C.Catalog:
        """The catalog as ``txn`` sees it after its own DDL, for its next statements.

        It is read through the transaction (so it includes uncommitted definitions) and
        never cached or shared; its version is a negative number of its own, so no plan
        cached for it can be used by another transaction (CatalogWriter reads the real
        version from the version key).
        """
        self._private_catalogs += 1
        return await _read_catalog(txn, -self._private_catalogs)

    def cache_plan(self, key: Any, planned: Any) -> None:
        self.plan_cache[key] = planned
        while len(self.plan_cache) > PLAN_CACHE_ENTRIES_MAX:
            self.plan_cache.popitem(last=False)

    def begin(
        self, isolation: Isolation, az: str | None = None, *, eventual: bool = False
    ) -> Transaction:
        return self.cluster.begin(isolation, az, eventual=eventual)
