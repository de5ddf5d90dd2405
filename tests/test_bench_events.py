"""``tidesql bench events`` at a tiny size against a real server: every event a writer
saw acknowledged is visible to the very next read, from any connection (AZ)."""

from __future__ import annotations

from tidesql.bench.events import run_events


async def test_first_read_finds_every_event(tidesql_dsn: str) -> None:
    report = await run_events(
        tidesql_dsn, tidesql_dsn, users=5, events=60, waits=[0, 1], progress=False
    )
    assert report["acknowledged"] == 60
    assert report["read_after_commit_misses"] == 0
    first = report["passes"][0]
    assert (first.number, first.waited_s, first.found, first.missing) == (1, 0.0, 60, 0)
    assert len(report["passes"]) == 1, "no second pass is needed"
