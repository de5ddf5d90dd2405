"""Virtual tables: ``sys.jobs`` and the parts of ``pg_catalog`` and ``information_schema``
that clients read, computed from the transaction's catalog when a query scans them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidesql.sql import types as T
from tidesql.sql.plan import OutputColumn, PlanNode


@dataclass
class VirtualScan(PlanNode):
    name: str
    producer: Callable[[Any], list[tuple[Any, ...]]]
    columns: list[OutputColumn]

    async def rows(self, ctx: Any) -> list[tuple[Any, ...]]:
        return self.producer(ctx)

    def explain(self) -> list[str]:
        return [f"Function Scan on {self.name}"]


@dataclass
class VirtualTable:
    schema: str
    name: str
    oid: int
    columns: list[OutputColumn]
    producer: Callable[[Any], list[tuple[Any, ...]]]

    def plan(self) -> PlanNode:
        return VirtualScan(f"{self.schema}.{self.name}", self.producer, self.columns)


def _jobs(ctx: Any) -> list[tuple[Any, ...]]:
    jobs = ctx.session.engine.jobs.values()
    return [
        (
            j.job_id,
            j.status,
            j.details,
            "INDEX_BUILD",
            j.table_oid,
            j.index_oid,
            j.object_name,
            j.started,
            j.updated,
        )
        for j in jobs
    ]


REGISTRY: dict[tuple[str, str], VirtualTable] = {}


def register(table: VirtualTable) -> None:
    REGISTRY[(table.schema, table.name)] = table


def _columns(*spec: tuple[str, T.SqlType]) -> list[OutputColumn]:
    return [OutputColumn(name, sql_type) for name, sql_type in spec]


register(
    VirtualTable(
        "sys",
        "jobs",
        16301,
        _columns(
            ("job_id", T.TEXT),
            ("status", T.TEXT),
            ("details", T.TEXT),
            ("job_type", T.TEXT),
            ("class_id", T.OID),
            ("object_id", T.OID),
            ("object_name", T.TEXT),
            ("start_time", T.TIMESTAMPTZ),
            ("update_time", T.TIMESTAMPTZ),
        ),
        _jobs,
    )
)


class VirtualTables:
    _instance: VirtualTables | None = None

    @classmethod
    def for_session(cls, session: Any) -> VirtualTables:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def lookup(self, name: str, schema: str | None, search_path: list[str]) -> VirtualTable | None:
        if schema is not None:
            return REGISTRY.get((schema, name))
        for candidate in search_path:
            table = REGISTRY.get((candidate, name))
            if table is not None:
                return table
        return None
