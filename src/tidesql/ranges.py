"""Key ranges and the static maps from keys to shards and adjudicators.

Keys are byte strings whose byte order is the SQL order (see ``keys.py``); a shard or an
adjudicator owns a contiguous range ``[low, high)`` of them. A map of ``n`` owners is
given by ``n − 1`` split keys in increasing order::

    split keys:   k1        k2
    owners:     0 |    1    |   2
              b"" ─ k1 ─────── k2 ──── ∞

The maps are static, from configuration; they are plain values so that any component
can hold a copy.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from tidesql.errors import invariant


@dataclass(frozen=True, slots=True)
class KeyRange:
    """Keys ``k`` with ``low <= k`` and (``high is None`` or ``k < high``)."""

    low: bytes
    high: bytes | None

    def contains(self, key: bytes) -> bool:
        return self.low <= key and (self.high is None or key < self.high)

    def intersect(self, low: bytes, high: bytes | None) -> KeyRange | None:
        new_low = max(self.low, low)
        if self.high is None:
            new_high = high
        elif high is None:
            new_high = self.high
        else:
            new_high = min(self.high, high)
        if new_high is not None and new_high <= new_low:
            return None
        return KeyRange(new_low, new_high)


@dataclass(frozen=True, slots=True)
class RangeMap:
    """Which owner (0 … n−1) holds a key, for contiguous ranges cut at ``split_keys``."""

    split_keys: tuple[bytes, ...]

    def __post_init__(self) -> None:
        invariant(
            all(a < b for a, b in zip(self.split_keys, self.split_keys[1:], strict=False)),
            "split keys must be strictly increasing",
        )

    @property
    def owner_count(self) -> int:
        return len(self.split_keys) + 1

    def owner_of(self, key: bytes) -> int:
        return bisect.bisect_right(self.split_keys, key)

    def range_of(self, owner: int) -> KeyRange:
        low = self.split_keys[owner - 1] if owner > 0 else b""
        high = self.split_keys[owner] if owner < len(self.split_keys) else None
        return KeyRange(low, high)

    def owners_overlapping(self, low: bytes, high: bytes | None) -> range:
        """The owners whose ranges meet ``[low, high)``, in key order."""
        first = self.owner_of(low)
        if high is None:
            return range(first, self.owner_count)
        last = bisect.bisect_left(self.split_keys, high)
        return range(first, max(first, last) + 1)
