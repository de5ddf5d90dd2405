"""The registry's vocabulary and PostgreSQL's overload resolution.

Holds :class:`Overload` and :class:`EvalEnv`, the pseudo-types (``anyelement``,
``anyarray``, ``anycompatible``…), the two overload tables (``_FUNCTIONS`` by name,
``_OPERATORS`` by symbol and arity), the helpers that append to them
(``_function``/``_operator``), and the resolvers the binder calls once per call site.

How is an overload chosen? (PostgreSQL manual, "Type Conversion", 10.2–10.3)
----------------------------------------------------------------------------
1. Candidates: overloads with the name and arity (a VARIADIC one expanded to fit).
2. Exact match on every argument type wins. For a binary operator with one untyped
   literal (``unknown``), the literal is first assumed to be of the other side's type:
   ``int_col + '1'`` is ``int4 + int4``.
3. Keep candidates whose every argument coerces implicitly (``unknown`` coerces to
   anything; ``anyelement``/``anyarray``/``anycompatible…`` must bind consistently).
4. Among several: keep those with the most exact matches; then the most arguments that
   are exact or the preferred type of their category (``float8`` for numbers, ``text``
   for strings, ``timestamptz``, ``interval``, ``bool``, ``oid``); then settle
   ``unknown`` arguments by category (string wins, else all candidates must agree, and
   preferred types win); last, if all known arguments share one type, assume the
   unknowns have it too.
5. None left: 42883 ``function f(integer) does not exist``; several: 42725
   ``function f(unknown) is not unique``.

Worked example, ``int4 + numeric``: ``numeric + numeric`` matches one argument exactly,
``float8 + float8`` and ``float4 + float8`` none, so step 4 keeps numeric (→ numeric).
``numeric + float8``: ``float8 + float8`` and ``float4 + float8`` both match one exactly;
the coerced argument lands on the preferred ``float8`` only in the first (→ float8).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.types import TEXT, UNKNOWN, FormatSettings, SqlType, array_of

Impl = Callable[..., Any]
#: 22004. sqlstates.NULL_VALUE_NOT_ALLOWED is shadowed by the 39004 entry of the same
#: name (externally-invoked routines), so the data-exception code is spelled out here.
NULL_VALUE_NOT_ALLOWED = "22004"

# ---------------------------------------------------------------------------------------
# Pseudo-types. These exist only as declared argument/result types of overloads; no value
# ever has one. OIDs and names are PostgreSQL's.
# ---------------------------------------------------------------------------------------
ANY = SqlType('"any"', 2276, 4, "P")
ANYELEMENT = SqlType("anyelement", 2283, 4, "P")
ANYARRAY = SqlType("anyarray", 2277, -1, "P")
ANYNONARRAY = SqlType("anynonarray", 2776, 4, "P")
ANYCOMPATIBLE = SqlType("anycompatible", 5077, 4, "P")
ANYCOMPATIBLEARRAY = SqlType("anycompatiblearray", 5078, -1, "P")

_ELEMENT_FAMILY = frozenset({ANYELEMENT.oid, ANYARRAY.oid, ANYNONARRAY.oid})
_COMPATIBLE_FAMILY = frozenset({ANYCOMPATIBLE.oid, ANYCOMPATIBLEARRAY.oid})
_POLYMORPHIC = _ELEMENT_FAMILY | _COMPATIBLE_FAMILY

#: pg_type.typispreferred: bool, text, oid, float8, timestamptz, interval.
_PREFERRED_OIDS = frozenset({16, 25, 26, 701, 1184, 1186})


# ---------------------------------------------------------------------------------------
# The registry's vocabulary
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Overload:
    """One signature of a function or operator and its implementation.

    ``impl_factory`` (tidesql's addition) builds ``impl`` from the concrete argument
    types for functions whose work depends on them: ``concat`` must format each
    ``"any"`` argument with its own output function, ``array_to_string`` its elements,
    ``=`` on arrays compares elements with the element type's equality. Overloads handed
    out by the resolvers always have ``impl`` set.
    """

    name: str
    arg_types: tuple[SqlType, ...]
    result_type: SqlType
    impl: Impl
    strict: bool = True
    needs_env: bool = False
    volatile: bool = False
    variadic: SqlType | None = None
    result_type_fn: Callable[[list[SqlType]], SqlType] | None = None
    impl_factory: Callable[[tuple[SqlType, ...]], Impl] | None = field(default=None, compare=False)


class EvalEnv(Protocol):
    """What impls with ``needs_env`` may use: per-execution, never per-row, state."""

    settings: FormatSettings
    transaction_timestamp: datetime
    statement_timestamp: datetime

    def get_setting(self, name: str) -> str: ...

    def set_setting(self, name: str, value: str, is_local: bool) -> str: ...


def _error(sqlstate: str, message: str, hint: str | None = None) -> TideError:
    return TideError(message, sqlstate=sqlstate, hint=hint)


def _identity(value: Any) -> Any:
    return value


def _unreachable(*_: Any) -> Any:
    """Placeholder impl of overloads that are always built by their ``impl_factory``."""
    raise TideError("internal: overload used without its factory")


# ---------------------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------------------
class _NoMatch(Exception):
    """No candidate fits. ``polymorphic_unknown``: one would, given a typed argument."""

    def __init__(self, polymorphic_unknown: bool = False) -> None:
        super().__init__()
        self.polymorphic_unknown = polymorphic_unknown


class _Ambiguous(Exception):
    """Several candidates fit equally well."""


@dataclass(frozen=True, slots=True)
class Binding:
    """What the polymorphic pseudo-types of one call are bound to."""

    element: SqlType | None = None  # anyelement / anynonarray; anyarray = element[]
    compatible: SqlType | None = None  # anycompatible; anycompatiblearray = compatible[]

    def concrete(self, declared: SqlType, actual: SqlType) -> SqlType:
        """The type an argument (or the result) declared ``declared`` has in this call."""
        oid = declared.oid
        if oid == ANYELEMENT.oid or oid == ANYNONARRAY.oid:
            return _invariant_type(self.element)
        if oid == ANYARRAY.oid:
            return array_of(_invariant_type(self.element))
        if oid == ANYCOMPATIBLE.oid:
            return _invariant_type(self.compatible)
        if oid == ANYCOMPATIBLEARRAY.oid:
            return array_of(_invariant_type(self.compatible))
        if oid == ANY.oid:
            return TEXT if actual.oid == UNKNOWN.oid else actual
        return declared


def _invariant_type(t: SqlType | None) -> SqlType:
    if t is None:
        raise TideError("internal: unbound polymorphic type")
    return t


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of resolution: which candidate, and how its arguments bind."""

    index: int
    declared: tuple[SqlType, ...]  # the candidate's argument types, VARIADIC expanded
    concrete: tuple[SqlType, ...]  # what each argument must be cast to
    binding: Binding

    def result_type(self, declared: SqlType) -> SqlType:
        """The concrete type of a result declared as ``declared``."""
        if declared.oid in _POLYMORPHIC:
            return self.binding.concrete(declared, declared)
        return declared


def _coercible(source: SqlType, target: SqlType) -> bool:
    if source.oid == target.oid or source.oid == UNKNOWN.oid:
        return True
    return bool(T.can_coerce(source, target, "implicit"))


def _is_array(t: SqlType) -> bool:
    return t.element is not None and t.category == "A"


def common_supertype(types: Sequence[SqlType]) -> SqlType | None:
    """PostgreSQL's select_common_type over known types, for ``anycompatible``.

    Walk the types keeping a current choice; switch to a later type when the current
    one is not preferred and coerces implicitly to it but not back. All types must then
    coerce to the choice, and all must share one category.
    """
    known = [t for t in types if t.oid != UNKNOWN.oid]
    if not known:
        return TEXT if types else None
    chosen = known[0]
    for t in known[1:]:
        if t.oid == chosen.oid:
            continue
        if t.category != chosen.category:
            return None
        if (
            chosen.oid not in _PREFERRED_OIDS
            and _coercible(chosen, t)
            and not _coercible(t, chosen)
        ):
            chosen = t
    if all(_coercible(t, chosen) for t in known):
        return chosen
    return None


def _bind(declared: Sequence[SqlType], actual: Sequence[SqlType]) -> Match | None:
    """Whether ``actual`` argument types fit ``declared`` ones; raises ``_NoMatch(True)``
    when the only obstacle is a polymorphic argument given only untyped literals."""
    element: SqlType | None = None
    compatible: list[SqlType] = []
    uses_element = uses_compatible = nonarray = False
    for d, a in zip(declared, actual, strict=True):
        oid = d.oid
        if oid in _ELEMENT_FAMILY:
            uses_element = True
            nonarray = nonarray or oid == ANYNONARRAY.oid
            if a.oid == UNKNOWN.oid:
                continue
            if oid == ANYARRAY.oid:
                if not _is_array(a) or a.element is None:
                    return None
                candidate = a.element
            else:
                candidate = a
            if element is None:
                element = candidate
            elif element.oid != candidate.oid:
                return None
        elif oid in _COMPATIBLE_FAMILY:
            uses_compatible = True
            if a.oid == UNKNOWN.oid:
                continue
            if oid == ANYCOMPATIBLEARRAY.oid:
                if not _is_array(a) or a.element is None:
                    return None
                compatible.append(a.element)
            else:
                compatible.append(a)
        elif oid != ANY.oid and not _coercible(a, d):
            return None
    if uses_element:
        if element is None:
            raise _NoMatch(polymorphic_unknown=True)
        if nonarray and _is_array(element):
            return None
    common: SqlType | None = None
    if uses_compatible:
        if not compatible:
            raise _NoMatch(polymorphic_unknown=True)
        common = common_supertype(compatible)
        if common is None:
            return None
    binding = Binding(element, common)
    concrete = tuple(binding.concrete(d, a) for d, a in zip(declared, actual, strict=True))
    return Match(-1, tuple(declared), concrete, binding)


def _expand(
    arg_types: tuple[SqlType, ...], variadic: SqlType | None, n: int
) -> tuple[SqlType, ...] | None:
    if variadic is None:
        return arg_types if len(arg_types) == n else None
    if n <= len(arg_types):
        return None
    return arg_types + (variadic,) * (n - len(arg_types))


def _category(t: SqlType) -> str:
    return str(t.category)


def _select_best(candidates: list[Match], actual: Sequence[SqlType]) -> list[Match]:
    """PostgreSQL's func_select_candidate heuristics (step 4 above)."""
    unknown = UNKNOWN.oid
    n = len(actual)

    def keep_best(score: Callable[[Match], int]) -> list[Match]:
        best = max(score(c) for c in candidates)
        return [c for c in candidates if score(c) == best]

    candidates = keep_best(
        lambda c: sum(
            1 for i in range(n) if actual[i].oid != unknown and c.declared[i].oid == actual[i].oid
        )
    )
    if len(candidates) == 1:
        return candidates

    def preferred_score(c: Match) -> int:
        score = 0
        for i in range(n):
            a = actual[i]
            if a.oid == unknown:
                continue
            d = c.declared[i]
            if d.oid == a.oid or (d.oid in _PREFERRED_OIDS and _category(d) == _category(a)):
                score += 1
        return score

    candidates = keep_best(preferred_score)
    if len(candidates) == 1:
        return candidates
    unknown_positions = [i for i in range(n) if actual[i].oid == unknown]
    if not unknown_positions:
        return candidates

    # Settle each unknown argument's category: STRING if any candidate offers it, else
    # the single category all candidates agree on.
    resolved = True
    slot_category: dict[int, str] = {}
    slot_preferred: dict[int, bool] = {}
    for i in unknown_positions:
        category: str | None = None
        preferred = False
        conflict = False
        for c in candidates:
            d = c.declared[i]
            d_category, d_preferred = _category(d), d.oid in _PREFERRED_OIDS
            if category is None:
                category, preferred = d_category, d_preferred
            elif d_category == category:
                preferred = preferred or d_preferred
            elif d_category == "S":
                category, preferred = d_category, d_preferred
            else:
                conflict = True
        if conflict and category != "S":
            resolved = False
            break
        slot_category[i] = category or ""
        slot_preferred[i] = preferred
    if resolved:
        kept = [
            c
            for c in candidates
            if all(
                _category(c.declared[i]) == slot_category[i]
                and (not slot_preferred[i] or c.declared[i].oid in _PREFERRED_OIDS)
                for i in unknown_positions
            )
        ]
        if len(kept) == 1:
            return kept
        if kept:
            candidates = kept

    # Last gasp: all known arguments share one type; assume the unknowns have it too.
    known = {a.oid: a for a in actual if a.oid != unknown}
    if len(known) == 1:
        (only,) = known.values()
        assumed = [only] * n
        fitting: list[Match] = []
        for c in candidates:
            try:
                if _bind(c.declared, assumed) is not None:
                    fitting.append(c)
            except _NoMatch:
                continue
        if len(fitting) == 1:
            return fitting
    return candidates


def match_signatures(
    signatures: Sequence[tuple[tuple[SqlType, ...], SqlType | None]],
    actual: Sequence[SqlType],
    exact_hint: Sequence[SqlType] | None = None,
) -> Match:
    """Choose among ``(arg_types, variadic)`` signatures for ``actual`` argument types.

    ``exact_hint`` is tried as an exact match first (binary operators pass the types
    with an unknown side replaced by the other side). Raises ``_NoMatch``/``_Ambiguous``.
    """
    n = len(actual)
    expanded: list[tuple[int, tuple[SqlType, ...]]] = []
    for index, (arg_types, variadic) in enumerate(signatures):
        declared = _expand(arg_types, variadic, n)
        if declared is not None:
            expanded.append((index, declared))
    for probe in (exact_hint, actual):
        if probe is None:
            continue
        probe_oids = [t.oid for t in probe]
        for index, declared in expanded:
            if [d.oid for d in declared] == probe_oids:
                return Match(index, declared, declared, Binding())
    fitting: list[Match] = []
    polymorphic_unknown = False
    for index, declared in expanded:
        try:
            bound = _bind(declared, actual)
        except _NoMatch:
            polymorphic_unknown = True
            continue
        if bound is not None:
            fitting.append(replace(bound, index=index))
    if not fitting:
        raise _NoMatch(polymorphic_unknown)
    if len(fitting) > 1:
        fitting = _select_best(fitting, actual)
    if len(fitting) > 1:
        raise _Ambiguous()
    return fitting[0]


def _type_list(types: Sequence[SqlType]) -> str:
    return ", ".join(t.name for t in types)


_FUNCTION_HINT = (
    "No function matches the given name and argument types. "
    "You might need to add explicit type casts."
)
_OPERATOR_HINT = (
    "No operator matches the given name and argument types. "
    "You might need to add explicit type casts."
)
_PREFIX_OPERATOR_HINT = (
    "No operator matches the given name and argument type. "
    "You might need to add an explicit type cast."
)


def polymorphic_unknown_error() -> TideError:
    return _error(
        sqlstates.DATATYPE_MISMATCH,
        "could not determine polymorphic type because input has type unknown",
    )


def _concretize(overload: Overload, match: Match) -> Overload:
    """The overload as the caller sees it: argument and result types concrete, impl
    specialised to them."""
    concrete = match.concrete
    result = match.result_type(overload.result_type)
    if overload.result_type_fn is not None and result.oid == overload.result_type.oid:
        result = overload.result_type_fn(list(concrete))
    impl = overload.impl
    if overload.impl_factory is not None:
        impl = overload.impl_factory(concrete)
    return replace(
        overload,
        arg_types=concrete,
        result_type=result,
        impl=impl,
        variadic=None,
        result_type_fn=None,
        impl_factory=None,
    )


def resolve_signature(
    name: str,
    signatures: Sequence[tuple[tuple[SqlType, ...], SqlType | None]],
    arg_types: tuple[SqlType, ...],
) -> Match:
    """Choose among the ``(arg_types, variadic)`` signatures of function ``name`` (also
    used for aggregates), with PostgreSQL's errors for no match and for an ambiguous one."""
    try:
        return match_signatures(signatures, arg_types)
    except _NoMatch as failure:
        if failure.polymorphic_unknown:
            raise polymorphic_unknown_error() from None
        raise _error(
            sqlstates.UNDEFINED_FUNCTION,
            f"function {name}({_type_list(arg_types)}) does not exist",
            _FUNCTION_HINT,
        ) from None
    except _Ambiguous:
        raise _error(
            sqlstates.AMBIGUOUS_FUNCTION,
            f"function {name}({_type_list(arg_types)}) is not unique",
            "Could not choose a best candidate function. You might need to add explicit "
            "type casts.",
        ) from None


_FUNCTIONS: dict[str, list[Overload]] = {}
_OPERATORS: dict[tuple[str, int], list[Overload]] = {}


@lru_cache(maxsize=4096)
def _resolve_function_cached(name: str, arg_types: tuple[SqlType, ...]) -> Overload:
    candidates = _FUNCTIONS.get(name, [])
    signatures = [(o.arg_types, o.variadic) for o in candidates]
    match = resolve_signature(name, signatures, arg_types)
    return _concretize(candidates[match.index], match)


def resolve_function(name: str, arg_types: list[SqlType]) -> Overload:
    """The overload of function ``name`` to call with arguments of ``arg_types``."""
    return _resolve_function_cached(name, tuple(arg_types))


@lru_cache(maxsize=4096)
def _resolve_operator_cached(op: str, left: SqlType | None, right: SqlType) -> Overload:
    arity = 1 if left is None else 2
    candidates = _OPERATORS.get((op, arity), [])
    actual: tuple[SqlType, ...] = (right,) if left is None else (left, right)
    exact_hint: tuple[SqlType, ...] | None = None
    if left is not None:
        if left.oid == UNKNOWN.oid and right.oid != UNKNOWN.oid:
            exact_hint = (right, right)
        elif right.oid == UNKNOWN.oid and left.oid != UNKNOWN.oid:
            exact_hint = (left, left)
    described = f"{op} {right.name}" if left is None else f"{left.name} {op} {right.name}"
    try:
        match = match_signatures(
            [(o.arg_types, None) for o in candidates], actual, exact_hint=exact_hint
        )
    except _NoMatch as failure:
        if failure.polymorphic_unknown:
            raise polymorphic_unknown_error() from None
        raise _error(
            sqlstates.UNDEFINED_FUNCTION,
            f"operator does not exist: {described}",
            _PREFIX_OPERATOR_HINT if left is None else _OPERATOR_HINT,
        ) from None
    except _Ambiguous:
        raise _error(
            sqlstates.AMBIGUOUS_FUNCTION,
            f"operator is not unique: {described}",
            "Could not choose a best candidate operator. You might need to add explicit "
            "type casts.",
        ) from None
    return _concretize(candidates[match.index], match)


def resolve_operator(op: str, left: SqlType | None, right: SqlType) -> Overload:
    """The overload of operator ``op``; ``left`` is None for a prefix operator.
    ``!=`` is ``<>``, as PostgreSQL's parser makes it (errors then say ``<>``)."""
    return _resolve_operator_cached("<>" if op == "!=" else op, left, right)


def function_names() -> frozenset[str]:
    """Names of all registered scalar functions (for the binder's error messages)."""
    return frozenset(_FUNCTIONS)


# ---------------------------------------------------------------------------------------
# Filling the tables (registration.py; sequences.py and catalog_functions.py add theirs)
# ---------------------------------------------------------------------------------------
def _function(
    name: str,
    arg_types: Sequence[SqlType],
    result: SqlType,
    impl: Impl = _unreachable,
    **options: Any,
) -> None:
    _FUNCTIONS.setdefault(name, []).append(
        Overload(name, tuple(arg_types), result, impl, **options)
    )


def _operator(
    op: str,
    arg_types: Sequence[SqlType],
    result: SqlType,
    impl: Impl = _unreachable,
    **options: Any,
) -> None:
    _OPERATORS.setdefault((op, len(arg_types)), []).append(
        Overload(op, tuple(arg_types), result, impl, **options)
    )
