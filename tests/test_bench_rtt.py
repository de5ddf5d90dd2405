"""``tidesql bench rtt`` at a tiny size: it starts real ``tidesql serve`` processes with
injected delays, and its table must show the talk's crossings."""

from __future__ import annotations

import pytest

from tidesql.bench import rtt


def _table(output: str) -> dict[tuple[str, str], tuple[int, float, float]]:
    rows = {}
    for line in output.splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[1] in rtt.PHASES:
            rows[(fields[0], fields[1])] = (int(fields[2]), float(fields[3]), float(fields[4]))
    return rows


def test_bench_rtt_counts_the_talks_crossings(capsys: pytest.CaptureFixture[str]) -> None:
    # 12 transactions: an equal share for each of the 3 (one region) or 6 (two regions)
    # sessions, one per AZ, so the averages are exact.
    rtt.main(
        ["--transactions", "12", "--rows", "120", "--reads", "2", "--writes", "2",
         "--az-delay-ms", "0.5", "--region-delay-ms", "2"]
    )  # fmt: skip
    table = _table(capsys.readouterr().out)
    for layout in ("one-region", "two-region"):
        assert table[(layout, "read")] == (24, 0.0, 0.0)
        assert table[(layout, "write")] == (24, 0.0, 0.0)
    # One region: 2 of 3 sessions reach the adjudicator in another AZ, and every commit
    # waits for one more AZ's journal copy.
    assert table[("one-region", "commit")] == (12, 1.67, 0.0)
    # Two regions: half the sessions are in the other region than the user data's
    # adjudicator, 2 of 6 in another AZ of its region; every commit needs a second region.
    assert table[("two-region", "commit")] == (12, 0.33, 1.5)
