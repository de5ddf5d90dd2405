"""The sys schema: tidesql's own tables (sys.jobs, sys.round_trips)."""

from __future__ import annotations

from collections.abc import Iterator

from tidesql.sql.pg_catalog.catalog_view import CatalogView
from tidesql.sql.pg_catalog.registry import Values, catalog_table


@catalog_table(
    "sys", "jobs", 16301,
    "job_id:text status:text details:text job_type:text class_id:oid object_id:oid "
    "object_name:text start_time:timestamptz update_time:timestamptz",
    job_type="INDEX_BUILD", live=True,
)  # fmt: skip
def _jobs(view: CatalogView) -> Iterator[Values]:
    session = view.session
    if session is None:
        return
    for job in session.engine.jobs.values():
        yield {
            "job_id": job.job_id,
            "status": job.status,
            "details": job.details,
            "job_type": job.job_type,
            "class_id": job.table_oid,
            "object_id": job.index_oid,
            "object_name": job.object_name,
            "start_time": job.started,
            "update_time": job.updated,
        }


@catalog_table(
    "sys", "round_trips", 16302,
    "phase:text operations:int8 az_round_trips:int8 region_round_trips:int8",
    live=True,
)  # fmt: skip
def _round_trips(view: CatalogView) -> Iterator[Values]:
    """This session's work by phase, and the round trips between AZs and regions it
    caused (see ``tidesql.roundtrips``)."""
    session = view.session
    if session is None:
        return
    for phase, count in session.round_trips.counts.items():
        yield {
            "phase": phase,
            "operations": count.operations,
            "az_round_trips": count.az_round_trips,
            "region_round_trips": count.region_round_trips,
        }
