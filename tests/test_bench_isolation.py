"""``tidesql bench isolation`` at a tiny size against tidesql in extended mode."""

from __future__ import annotations

from pathlib import Path

from tidesql.bench.isolation import LEVELS, draw_chart, run


async def test_isolation_benchmark_shape(extended_dsn: str, tmp_path: Path) -> None:
    cells = await run({"tidesql": extended_dsn}, ["rw", "upd"], list(LEVELS), [2], 2, 0.5)
    assert {(c.workload, c.level) for c in cells} == {
        (w, level) for w in ("rw", "upd") for level in LEVELS
    }
    assert all(c.committed_per_s > 0 for c in cells)
    chart = tmp_path / "isolation.png"
    draw_chart(cells, str(chart))
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
