"""EXPLAIN options and EXPLAIN ANALYZE's measurements.

EXPLAIN ANALYZE plans the statement afresh (never from, nor into, the plan cache) and
then gives each node of that private plan its own ``rows`` — an instance attribute that
shadows the class's method — which counts calls (``loops``), rows and time. Plans that
run normally never see the wrapper, so measuring costs nothing outside EXPLAIN ANALYZE.

Nodes materialize their rows (see plan.py), so a node's first row is ready when its
whole result is: the startup time printed (``actual time=A..B``) is the time to that
result, equal to the total. Times and rows are per loop, averaged over loops, as
PostgreSQL prints them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.plan import PlanNode, Row

_BOOLEAN_WORDS = {"true": True, "on": True, "1": True, "false": False, "off": False, "0": False}


@dataclass
class ExplainOptions:
    analyze: bool = False
    costs: bool = True
    timing: bool = True
    summary: bool | None = None  # None: on with ANALYZE, off without
    verbose: bool = False
    buffers: bool = False


def _boolean(elem: Any) -> bool:
    if not elem.HasField("arg"):
        return True
    arg = elem.arg
    which = arg.WhichOneof("node")
    word: str = arg.string.sval.lower() if which == "string" else ""
    if word in _BOOLEAN_WORDS:
        return _BOOLEAN_WORDS[word]
    if which == "integer" and arg.integer.ival in (0, 1):
        return bool(arg.integer.ival == 1)
    raise TideError(f"{elem.defname} requires a Boolean value", sqlstate=sqlstates.SYNTAX_ERROR)


def parse_options(options: Any) -> ExplainOptions:
    """PostgreSQL's EXPLAIN options; the output is text whatever FORMAT says otherwise
    is refused (0A000). COSTS is accepted: tidesql prints no cost estimates."""
    result = ExplainOptions()
    timing_set = False
    for option in options:
        elem = option.def_elem
        name = elem.defname
        if name in ("analyze", "costs", "verbose", "buffers", "summary"):
            setattr(result, name, _boolean(elem))
        elif name == "timing":
            result.timing = _boolean(elem)
            timing_set = True
        elif name == "format":
            value = elem.arg.string.sval.lower() if elem.HasField("arg") else ""
            if value not in ("text", "json", "xml", "yaml"):
                raise TideError(
                    f'unrecognized value for EXPLAIN option "format": "{value}"',
                    sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
                )
            if value != "text":
                raise TideError(
                    f"EXPLAIN (FORMAT {value.upper()}) is not supported",
                    sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
                )
        elif name in ("settings", "wal", "generic_plan"):
            _boolean(elem)
        else:
            raise TideError(
                f'unrecognized EXPLAIN option "{name}"', sqlstate=sqlstates.SYNTAX_ERROR
            )
    if timing_set and result.timing and not result.analyze:
        raise TideError(
            "EXPLAIN option TIMING requires ANALYZE",
            sqlstate=sqlstates.INVALID_PARAMETER_VALUE,
        )
    if not timing_set:
        result.timing = result.analyze
    return result


class NodeStats:
    """What one node did over every call of its ``rows``."""

    __slots__ = ("loops", "rows", "seconds")

    def __init__(self) -> None:
        self.loops = 0
        self.rows = 0
        self.seconds = 0.0  # to the node's result, summed over loops

    def annotation(self, timing: bool) -> str:
        if self.loops == 0:
            return " (never executed)"
        loops = self.loops
        rows = round(self.rows / loops)
        if not timing:
            return f" (actual rows={rows} loops={loops})"
        # Rows are materialized: the first comes with the last (startup = total).
        ms = self.seconds * 1000 / loops
        return f" (actual time={ms:.3f}..{ms:.3f} rows={rows} loops={loops})"


def _measured(
    rows: Callable[[Any], Awaitable[list[Row]]], stats: NodeStats
) -> Callable[[Any], Awaitable[list[Row]]]:
    async def measured_rows(ctx: Any) -> list[Row]:
        stats.loops += 1
        start = time.perf_counter()
        result = await rows(ctx)
        stats.seconds += time.perf_counter() - start
        stats.rows += len(result)
        return result

    return measured_rows


def instrument(root: PlanNode) -> dict[int, NodeStats]:
    """Measure every node of a freshly planned tree (one nobody else runs): node id →
    its statistics, filled in as the plan runs."""
    stats: dict[int, NodeStats] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in stats:
            continue
        node_stats = stats[id(node)] = NodeStats()
        node.__dict__["rows"] = _measured(node.rows, node_stats)
        pending.extend(node.children())
    return stats


def measure_run(
    run: Callable[[Any, Any], Awaitable[Any]], stats: NodeStats, rows: Callable[[Any], int]
) -> Callable[[Any, Any], Awaitable[Any]]:
    """Measure a statement's ``run`` as the top node (Insert/Update/Delete on t)."""

    async def measured_run(session: Any, ctx: Any) -> Any:
        stats.loops += 1
        start = time.perf_counter()
        result = await run(session, ctx)
        stats.seconds += time.perf_counter() - start
        stats.rows += rows(result)
        return result

    return measured_run
