"""Binder and planner: PostgreSQL parse trees → bound expressions → physical plans.

One pass does both jobs, query block by query block:

1. ``FROM`` becomes a tree of scans and joins, and a *scope*: the columns of the joined
   row, each with its table alias, name, type and position.
2. ``WHERE`` is bound against the scope and split into conjuncts. A conjunct that only
   touches one base table is pushed into that table's scan; equalities and ranges on
   the primary key become key bounds (a point lookup when the whole key is fixed), and
   equalities on a secondary index's leading columns become an index lookup. An
   equality between two joined tables becomes a hash-join key.
3. Aggregates and ``GROUP BY`` produce rows of (group values…, aggregate results…);
   the select list, ``HAVING`` and ``ORDER BY`` are rewritten to read those slots.
4. Window functions append their values to each row.
5. The select list is projected (with hidden extra columns for ``ORDER BY``), then
   ``DISTINCT``, sort, ``LIMIT``/``OFFSET``, and a last projection drops hidden columns.

Subqueries in expressions become ``Apply`` nodes under the operator that evaluates the
expression; a correlated subquery sees the outer row through ``env.outer``.
"""

from __future__ import annotations

from tidesql.sql.planner.core import Planner
from tidesql.sql.planner.exprutil import (
    combine_conjuncts,
    describe,
    equi_join_pair,
    key_bound,
    key_compatible,
    map_children,
    referenced_aliases,
    shift_columns,
    split_conjuncts,
)
from tidesql.sql.planner.scopes import (
    BindContext,
    CteDef,
    QueryPlan,
    Scope,
    ScopeItem,
    SubqueryMarker,
    feature_not_supported,
    node_kind,
    string_values,
    undefined_column,
)

__all__ = [
    "BindContext",
    "CteDef",
    "Planner",
    "QueryPlan",
    "Scope",
    "ScopeItem",
    "SubqueryMarker",
    "combine_conjuncts",
    "describe",
    "equi_join_pair",
    "feature_not_supported",
    "key_bound",
    "key_compatible",
    "map_children",
    "node_kind",
    "referenced_aliases",
    "shift_columns",
    "split_conjuncts",
    "string_values",
    "undefined_column",
]

# pg_typeof and the catalog functions (format_type, …) register themselves on import.
from tidesql.sql import catalog_functions as _catalog_functions  # noqa: F401
from tidesql.sql import sequences as _sequences  # noqa: F401
