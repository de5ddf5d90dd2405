"""Scalar functions and operators: the registry, and PostgreSQL's overload resolution.

What lives here
---------------
Every built-in scalar function and operator is an :class:`Overload`: declared argument
types, a result type, and a plain Python callable computing one value. The binder asks
:func:`resolve_function` / :func:`resolve_operator` once per call site at plan time
(answers are cached); the executor then calls ``impl`` once per row. Impls are closures
with everything bound in advance (type, range limits, formatter), so a row costs one
Python call and no dictionary lookups.

The returned Overload is *concrete*: ``arg_types`` are the types the caller must cast
each argument to (an untyped literal gets the declared type, a polymorphic argument its
bound type, a ``"any"`` argument keeps its own type) and ``result_type`` is the actual
result type, polymorphism resolved. Calling convention: ``impl(*values)``, or
``impl(env, *values)`` when ``needs_env``; a ``strict`` overload is never called with a
NULL (the caller returns NULL), a non-strict one sees ``None``.

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

Values
------
NULL is ``None``; numeric is ``Decimal`` (computed exactly in a context of unbounded
precision, division and transcendental functions rounded to PostgreSQL's result scale),
floats are ``float`` (float4 results rounded to binary32), timestamps are naive
``datetime``, timestamptz aware UTC ``datetime`` (calendar arithmetic done in the
session time zone), intervals :class:`Interval`, arrays ``list``, json ``str`` and
jsonb parsed Python values.

Non-goals: set-returning functions (unnest, generate_series, jsonb_each) and the
functions the binder evaluates itself (coalesce, nullif, greatest, least, pg_typeof,
version) are not here; neither are named arguments.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import ipaddress
import json
import math
import operator
import random
import re
import struct
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import MAX_EMAX as _DECIMAL_MAX_EMAX
from decimal import MAX_PREC as _DECIMAL_MAX_PREC
from decimal import MIN_EMIN as _DECIMAL_MIN_EMIN
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
)
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.types import (
    BOOL,
    BPCHAR,
    BYTEA,
    CHAR,
    DATE,
    FLOAT4,
    FLOAT8,
    INT2,
    INT4,
    INT8,
    INTERVAL,
    JSON,
    JSONB,
    NAME,
    NUMERIC,
    OID,
    TEXT,
    TIME,
    TIMESTAMP,
    TIMESTAMPTZ,
    UNKNOWN,
    UUID,
    VARCHAR,
    FormatSettings,
    Interval,
    SqlType,
    array_of,
)

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


# =======================================================================================
# Integers
# =======================================================================================
_INT_RANGES: dict[int, tuple[int, int, str]] = {
    INT2.oid: (-(2**15), 2**15 - 1, "smallint"),
    INT4.oid: (-(2**31), 2**31 - 1, "integer"),
    INT8.oid: (-(2**63), 2**63 - 1, "bigint"),
}
_INT_TYPES = (INT2, INT4, INT8)


def _division_by_zero() -> TideError:
    return _error(sqlstates.DIVISION_BY_ZERO, "division by zero")


def _int_ops(result: SqlType) -> dict[str, Impl]:
    """Arithmetic producing ``result``, with PostgreSQL's overflow errors."""
    lo, hi, label = _INT_RANGES[result.oid]

    def out_of_range() -> TideError:
        return _error(sqlstates.NUMERIC_VALUE_OUT_OF_RANGE, f"{label} out of range")

    def add(a: int, b: int) -> int:
        r = a + b
        if r < lo or r > hi:
            raise out_of_range()
        return r

    def sub(a: int, b: int) -> int:
        r = a - b
        if r < lo or r > hi:
            raise out_of_range()
        return r

    def mul(a: int, b: int) -> int:
        r = a * b
        if r < lo or r > hi:
            raise out_of_range()
        return r

    def div(a: int, b: int) -> int:
        # C semantics: truncate toward zero.
        if b == 0:
            raise _division_by_zero()
        q = abs(a) // abs(b)
        r = -q if (a < 0) != (b < 0) else q
        if r > hi:
            raise out_of_range()
        return r

    def mod(a: int, b: int) -> int:
        # The remainder takes the sign of the dividend.
        if b == 0:
            raise _division_by_zero()
        r = abs(a) % abs(b)
        return -r if a < 0 else r

    def neg(a: int) -> int:
        if a == lo:
            raise out_of_range()
        return -a

    def absolute(a: int) -> int:
        if a == lo:
            raise out_of_range()
        return abs(a)

    def shift_left(a: int, b: int) -> int:
        # Two's complement of the type's width, as C does.
        bits = hi.bit_length() + 1
        r = (a << (b % 64)) & ((1 << bits) - 1) if 0 <= b < 64 else 0
        return r - (1 << bits) if r > hi else r

    def shift_right(a: int, b: int) -> int:
        return a >> b if b >= 0 else a

    def gcd(a: int, b: int) -> int:
        r = math.gcd(a, b)
        if r > hi:
            raise out_of_range()
        return r

    def lcm(a: int, b: int) -> int:
        r = math.lcm(a, b)
        if r > hi:
            raise out_of_range()
        return r

    return {
        "+": add,
        "-": sub,
        "*": mul,
        "/": div,
        "%": mod,
        "neg": neg,
        "abs": absolute,
        "<<": shift_left,
        ">>": shift_right,
        "gcd": gcd,
        "lcm": lcm,
    }


_INT_OPS = {t.oid: _int_ops(t) for t in _INT_TYPES}


def _wider_int(a: SqlType, b: SqlType) -> SqlType:
    return a if a.typlen >= b.typlen else b


def _to_hex32(a: int) -> str:
    return format(a & 0xFFFFFFFF, "x")


def _to_hex64(a: int) -> str:
    return format(a & 0xFFFFFFFFFFFFFFFF, "x")


# =======================================================================================
# Floats
# =======================================================================================
_F4 = struct.Struct("f")


def float_overflow_error() -> TideError:
    return _error(sqlstates.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: overflow")


def _float_underflow() -> TideError:
    return _error(sqlstates.NUMERIC_VALUE_OUT_OF_RANGE, "value out of range: underflow")


def _to_float4(x: float) -> float:
    """Round a double to binary32, as storing into a C float does."""
    try:
        value: float = _F4.unpack(_F4.pack(x))[0]
    except OverflowError:
        raise float_overflow_error() from None
    return value


def _float_ops(single: bool) -> dict[str, Impl]:
    """Arithmetic of float8 (or float4 when ``single``), with check_float8_val's errors:
    an infinite result from finite inputs overflows; a zero result from non-zero
    inputs (for * and /) underflows."""
    narrow: Callable[[float], float] = _to_float4 if single else float

    def add(a: float, b: float) -> float:
        r = narrow(a + b)
        if math.isinf(r) and not (math.isinf(a) or math.isinf(b)):
            raise float_overflow_error()
        return r

    def sub(a: float, b: float) -> float:
        r = narrow(a - b)
        if math.isinf(r) and not (math.isinf(a) or math.isinf(b)):
            raise float_overflow_error()
        return r

    def mul(a: float, b: float) -> float:
        r = narrow(a * b)
        if math.isinf(r) and not (math.isinf(a) or math.isinf(b)):
            raise float_overflow_error()
        if r == 0.0 and a != 0.0 and b != 0.0:
            raise _float_underflow()
        return r

    def div(a: float, b: float) -> float:
        if b == 0.0 and not math.isnan(a):
            raise _division_by_zero()
        if math.isnan(b):
            return math.nan
        r = narrow(a / b) if b != 0.0 else math.nan
        if math.isinf(r) and not math.isinf(a):
            raise float_overflow_error()
        if r == 0.0 and a != 0.0 and not math.isinf(b):
            raise _float_underflow()
        return r

    return {"+": add, "-": sub, "*": mul, "/": div}


_FLOAT8_OPS = _float_ops(single=False)
_FLOAT4_OPS = _float_ops(single=True)
float8_add: Callable[[float, float], float] = _FLOAT8_OPS["+"]
float4_add: Callable[[float, float], float] = _FLOAT4_OPS["+"]


def _float_eq(a: float, b: float) -> bool:
    # NaN equals NaN and sorts above everything, as in PostgreSQL.
    return a == b or (a != a and b != b)


def _float_ne(a: float, b: float) -> bool:
    return not (a == b or (a != a and b != b))


def _float_lt(a: float, b: float) -> bool:
    return a < b or (a == a and b != b)


def _float_le(a: float, b: float) -> bool:
    return a <= b or b != b


def _float_gt(a: float, b: float) -> bool:
    return a > b or (a != a and b == b)


def _float_ge(a: float, b: float) -> bool:
    return a >= b or a != a


def _float_pow(a: float, b: float) -> float:
    if a == 0.0 and b < 0.0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "zero raised to a negative power is undefined",
        )
    if a < 0.0 and math.isfinite(b) and math.floor(b) != b:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "a negative number raised to a non-integer power yields a complex result",
        )
    if math.isnan(a):
        return 1.0 if b == 0.0 else math.nan
    if math.isnan(b):
        return 1.0 if a == 1.0 else math.nan
    try:
        r = math.pow(a, b)
    except OverflowError:
        raise float_overflow_error() from None
    if r == 0.0 and a != 0.0 and not math.isinf(b):
        raise _float_underflow()
    return r


def _float_sqrt(a: float) -> float:
    if a < 0.0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "cannot take square root of a negative number",
        )
    return math.sqrt(a)


def _float_exp(a: float) -> float:
    if math.isnan(a):
        return a
    try:
        r = math.exp(a)
    except OverflowError:
        raise float_overflow_error() from None
    if r == 0.0 and not math.isinf(a):
        raise _float_underflow()
    return r


def _float_log_check(a: float) -> None:
    if a == 0.0:
        raise _error(sqlstates.INVALID_ARGUMENT_FOR_LOGARITHM, "cannot take logarithm of zero")
    if a < 0.0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_LOGARITHM,
            "cannot take logarithm of a negative number",
        )


def _float_ln(a: float) -> float:
    _float_log_check(a)
    return math.log(a)


def _float_log10(a: float) -> float:
    _float_log_check(a)
    return math.log10(a)


def _float_round(a: float) -> float:
    # rint(): halves go to even.
    return float(round(a)) if math.isfinite(a) else a


def _float_trunc(a: float) -> float:
    return float(math.trunc(a)) if math.isfinite(a) else a


def _float_ceil(a: float) -> float:
    return float(math.ceil(a)) if math.isfinite(a) else a


def _float_floor(a: float) -> float:
    return float(math.floor(a)) if math.isfinite(a) else a


def _float_sign(a: float) -> float:
    if a > 0.0:
        return 1.0
    if a < 0.0:
        return -1.0
    return 0.0


def _float_neg(a: float) -> float:
    return -a


def _random() -> float:
    return random.random()


# =======================================================================================
# Numeric: exact Decimal arithmetic, PostgreSQL's result scales
# =======================================================================================
#: Exact for + - * (precision unbounded); never used to divide.
_NUM = Context(
    prec=_DECIMAL_MAX_PREC,
    rounding=ROUND_HALF_UP,
    Emax=_DECIMAL_MAX_EMAX,
    Emin=_DECIMAL_MIN_EMIN,
    traps=[],
)
_NUMERIC_NAN = Decimal("NaN")
_NUMERIC_ZERO = Decimal(0)
_NUMERIC_ONE = Decimal(1)
NUMERIC_MIN_SIG_DIGITS = 16
NUMERIC_MAX_DISPLAY_SCALE = 1000
#: A bound on result digits before the decimal point (PostgreSQL allows 131072).
NUMERIC_INTEGER_DIGITS_MAX = 131072


def _numeric_overflow() -> TideError:
    return _error(sqlstates.NUMERIC_VALUE_OUT_OF_RANGE, "value overflows numeric format")


def _decompose(d: Decimal) -> tuple[int, int]:
    """``(coefficient, exponent)`` of a finite Decimal, ``d == coefficient * 10**exponent``
    (``1.50`` → ``(150, -2)``). str() is the fastest way in: as_tuple builds a tuple of
    digits."""
    text = str(d)
    if "E" in text:
        sign, digits, exponent = d.as_tuple()
        coefficient = int("".join(map(str, digits)))
        return (-coefficient if sign else coefficient), int(exponent)
    head, _, tail = text.partition(".")
    return int(head + tail), -len(tail)


def numeric_scale(d: Decimal) -> int:
    """PostgreSQL's dscale: digits after the decimal point."""
    if not d.is_finite():
        return 0
    exponent = _decompose(d)[1]
    return -exponent if exponent < 0 else 0


def _nbase_weight(coefficient: int, exponent: int) -> tuple[int, int]:
    """Weight and first digit of ``|coefficient| * 10**exponent`` in PostgreSQL's
    base-10000 representation (1234.5 → weight 0, first digit 1234)."""
    if not coefficient:
        return 0, 0
    magnitude = abs(coefficient)
    weight = (len(str(magnitude)) - 1 + exponent) // 4
    shift = exponent - 4 * weight
    return weight, magnitude * 10**shift if shift >= 0 else magnitude // 10**-shift


def _clamp_scale(rscale: int) -> int:
    return max(0, min(rscale, NUMERIC_MAX_DISPLAY_SCALE))


def _div_scale(c1: int, e1: int, c2: int, e2: int) -> int:
    weight1, first1 = _nbase_weight(c1, e1)
    weight2, first2 = _nbase_weight(c2, e2)
    qweight = weight1 - weight2
    if first1 <= first2:
        qweight -= 1
    rscale = NUMERIC_MIN_SIG_DIGITS - qweight * 4
    return _clamp_scale(max(rscale, -e1, -e2))


def select_div_scale(a: Decimal, b: Decimal) -> int:
    """The scale of ``a / b``: at least 16 significant digits, never less than either
    input's scale (numeric.c's select_div_scale). 1/3 → 20 digits, 10/4 → 16."""
    return _div_scale(*_decompose(a), *_decompose(b))


def _round_ratio(numerator: int, denominator: int, rscale: int) -> Decimal:
    """numerator/denominator rounded half away from zero to ``rscale`` digits."""
    negative = (numerator < 0) != (denominator < 0)
    numerator, denominator = abs(numerator), abs(denominator)
    if rscale >= 0:
        numerator *= 10**rscale
    else:
        denominator *= 10**-rscale
    quotient, remainder = divmod(numerator, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    if negative and quotient:
        quotient = -quotient
    return Decimal(quotient).scaleb(-rscale, _NUM)


def _divide_parts(c1: int, e1: int, c2: int, e2: int, rscale: int) -> Decimal:
    # (c1·10^e1) / (c2·10^e2), exactly, then rounded.
    shift = e1 - e2
    if shift >= 0:
        return _round_ratio(c1 * 10**shift, c2, rscale)
    return _round_ratio(c1, c2 * 10**-shift, rscale)


def numeric_div_scaled(a: Decimal, b: Decimal, rscale: int) -> Decimal:
    """``a / b`` rounded half away from zero to ``rscale`` digits (finite, b ≠ 0)."""
    return _divide_parts(*_decompose(a), *_decompose(b), rscale)


def _numeric_special_div(a: Decimal, b: Decimal) -> Decimal:
    if a.is_nan() or b.is_nan():
        return _NUMERIC_NAN
    if a.is_infinite():
        if b.is_infinite():
            return _NUMERIC_NAN
        if not b:
            raise _division_by_zero()
        return a if b > 0 else a.copy_negate()
    return _NUMERIC_ZERO


def numeric_div(a: Decimal, b: Decimal) -> Decimal:
    if not (a.is_finite() and b.is_finite()):
        return _numeric_special_div(a, b)
    c1, e1 = _decompose(a)
    c2, e2 = _decompose(b)
    if not c2:
        raise _division_by_zero()
    return _divide_parts(c1, e1, c2, e2, _div_scale(c1, e1, c2, e2))


def _numeric_div_trunc(a: Decimal, b: Decimal) -> Decimal:
    """div(): the integer quotient, truncated toward zero."""
    if not (a.is_finite() and b.is_finite()):
        r = _numeric_special_div(a, b)
        return r if not r.is_finite() else r.to_integral_value(ROUND_DOWN)
    if not b:
        raise _division_by_zero()
    n1, d1 = a.as_integer_ratio()
    n2, d2 = b.as_integer_ratio()
    numerator, denominator = n1 * d2, d1 * n2
    q = abs(numerator) // abs(denominator)
    return Decimal(-q if (numerator < 0) != (denominator < 0) and q else q)


def numeric_add(a: Decimal, b: Decimal) -> Decimal:
    return _NUM.add(a, b)


def numeric_sub(a: Decimal, b: Decimal) -> Decimal:
    return _NUM.subtract(a, b)


def numeric_mul(a: Decimal, b: Decimal) -> Decimal:
    r = _NUM.multiply(a, b)
    # numeric has no negative zero.
    return r if r or r.is_nan() else r.copy_abs()


def _numeric_mod(a: Decimal, b: Decimal) -> Decimal:
    if not b and b.is_finite() and not a.is_nan():
        raise _division_by_zero()
    r = _NUM.remainder(a, b)
    return r if r or r.is_nan() else r.copy_abs()


def _numeric_neg(a: Decimal) -> Decimal:
    return a.copy_negate() if a else a


def _numeric_abs(a: Decimal) -> Decimal:
    return a.copy_abs()


def numeric_round(a: Decimal, scale: int = 0) -> Decimal:
    """round(numeric, int): half away from zero; the result keeps ``max(scale, 0)``."""
    if not a.is_finite():
        return a
    r = a.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP, context=_NUM)
    if scale < 0:
        r = r.quantize(_NUMERIC_ONE, context=_NUM)
    return r if r else r.copy_abs()


def _numeric_trunc(a: Decimal, scale: int = 0) -> Decimal:
    if not a.is_finite():
        return a
    r = a.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_DOWN, context=_NUM)
    if scale < 0:
        r = r.quantize(_NUMERIC_ONE, context=_NUM)
    return r if r else r.copy_abs()


def _numeric_ceil(a: Decimal) -> Decimal:
    if not a.is_finite():
        return a
    r = a.quantize(_NUMERIC_ONE, rounding=ROUND_CEILING, context=_NUM)
    return r if r else r.copy_abs()


def _numeric_floor(a: Decimal) -> Decimal:
    if not a.is_finite():
        return a
    return a.quantize(_NUMERIC_ONE, rounding=ROUND_FLOOR, context=_NUM)


def _numeric_sign(a: Decimal) -> Decimal:
    if a.is_nan():
        return a
    if a > 0:
        return Decimal(1)
    if a < 0:
        return Decimal(-1)
    return Decimal(0)


def _numeric_eq(a: Decimal, b: Decimal) -> bool:
    return a == b or (a.is_nan() and b.is_nan())


def _numeric_ne(a: Decimal, b: Decimal) -> bool:
    return not (a == b or (a.is_nan() and b.is_nan()))


def _numeric_lt(a: Decimal, b: Decimal) -> bool:
    if a.is_nan():
        return False
    return True if b.is_nan() else a < b


def _numeric_le(a: Decimal, b: Decimal) -> bool:
    if b.is_nan():
        return True
    return False if a.is_nan() else a <= b


def _numeric_gt(a: Decimal, b: Decimal) -> bool:
    return _numeric_lt(b, a)


def _numeric_ge(a: Decimal, b: Decimal) -> bool:
    return _numeric_le(b, a)


def _quantize_half_up(value: Decimal, rscale: int) -> Decimal:
    r = value.quantize(Decimal(1).scaleb(-rscale), rounding=ROUND_HALF_UP, context=_NUM)
    return r if r else r.copy_abs()


def _working_context(result_adjusted: int, rscale: int) -> Context:
    """A context precise enough for a result whose leading digit is at 10**result_adjusted
    to be rounded correctly at ``rscale`` digits (10 guard digits)."""
    return Context(
        prec=max(result_adjusted + 1, 1) + max(rscale, 0) + 10,
        rounding=ROUND_HALF_UP,
        Emax=_DECIMAL_MAX_EMAX,
        Emin=_DECIMAL_MIN_EMIN,
        traps=[],
    )


def _estimate_ln_dweight(x: Decimal) -> int:
    """Decimal weight of ln(x), as numeric.c's estimate_ln_dweight guesses it."""
    if x <= 0:
        return 0
    if Decimal("0.9") <= x <= Decimal("1.1"):
        delta = _NUM.subtract(x, _NUMERIC_ONE)
        return delta.adjusted() if delta else 0
    weight, _ = _nbase_weight(*_decompose(x))
    digits = int(x.scaleb(-(4 * weight - 4), _NUM))
    ln_estimate = math.log(digits) + (4 * weight - 4) * 2.302585092994046
    return int(math.log10(abs(ln_estimate))) if ln_estimate else 0


def _numeric_sqrt(x: Decimal) -> Decimal:
    if x.is_nan():
        return x
    if x < 0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "cannot take square root of a negative number",
        )
    if x.is_infinite():
        return x
    weight, _ = _nbase_weight(*_decompose(x))
    sweight = (weight + 1) * 4 // 2 - 1
    rscale = _clamp_scale(max(NUMERIC_MIN_SIG_DIGITS - sweight, numeric_scale(x)))
    return numeric_sqrt_scaled(x, rscale)


def numeric_sqrt_scaled(x: Decimal, rscale: int) -> Decimal:
    """The square root of a non-negative ``x`` rounded half up to ``rscale`` digits."""
    if not x:
        return Decimal(0).scaleb(-rscale)
    return _quantize_half_up(x.sqrt(_working_context(x.adjusted() // 2 + 1, rscale)), rscale)


def _numeric_exp(x: Decimal) -> Decimal:
    if x.is_nan():
        return x
    if x.is_infinite():
        return x if x > 0 else _NUMERIC_ZERO
    estimate = float(x) * 0.434294481903252
    if estimate > NUMERIC_INTEGER_DIGITS_MAX:
        raise _numeric_overflow()
    estimate = max(-2000.0, min(estimate, 2000.0))
    rscale = _clamp_scale(max(NUMERIC_MIN_SIG_DIGITS - int(estimate), numeric_scale(x)))
    return _quantize_half_up(x.exp(_working_context(int(estimate) + 1, rscale)), rscale)


def _numeric_log_check(x: Decimal) -> None:
    if not x:
        raise _error(sqlstates.INVALID_ARGUMENT_FOR_LOGARITHM, "cannot take logarithm of zero")
    if x < 0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_LOGARITHM,
            "cannot take logarithm of a negative number",
        )


def _numeric_ln(x: Decimal) -> Decimal:
    if x.is_nan():
        return x
    _numeric_log_check(x)
    if x.is_infinite():
        return x
    ln_dweight = _estimate_ln_dweight(x)
    rscale = _clamp_scale(max(NUMERIC_MIN_SIG_DIGITS - ln_dweight, numeric_scale(x)))
    return _quantize_half_up(x.ln(_working_context(max(ln_dweight, 0) + 1, rscale)), rscale)


def _numeric_log(base: Decimal, x: Decimal) -> Decimal:
    """log(base, x) with log_var's scale: 16 significant digits, at least the inputs'."""
    if base.is_nan() or x.is_nan():
        return _NUMERIC_NAN
    _numeric_log_check(base)
    _numeric_log_check(x)
    if base == 1:
        raise _division_by_zero()
    result_dweight = _estimate_ln_dweight(x) - _estimate_ln_dweight(base)
    rscale = _clamp_scale(
        max(NUMERIC_MIN_SIG_DIGITS - result_dweight, numeric_scale(base), numeric_scale(x))
    )
    context = _working_context(abs(result_dweight) + 20, rscale + 20)
    value = context.divide(x.ln(context), base.ln(context))
    return _quantize_half_up(value, rscale)


def _numeric_log10(x: Decimal) -> Decimal:
    return _numeric_log(Decimal(10), x)


def _numeric_power(base: Decimal, exponent: Decimal) -> Decimal:
    """base ^ exponent: an integral exponent keeps 16 digits after the point (at least
    the base's scale); otherwise 16 significant digits of the result."""
    if base.is_nan() or exponent.is_nan():
        # 1 ^ NaN and NaN ^ 0 are 1, as in PostgreSQL.
        if base == 1 or (not exponent.is_nan() and not exponent):
            return Decimal(1)
        return _NUMERIC_NAN
    if not base and exponent < 0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "zero raised to a negative power is undefined",
        )
    integral = exponent.is_finite() and exponent == exponent.to_integral_value()
    if base < 0 and not integral:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            "a negative number raised to a non-integer power yields a complex result",
        )
    if not (base.is_finite() and exponent.is_finite()):
        return Decimal(str(_float_pow(float(base), float(exponent))))
    if integral and abs(exponent) <= 2**31 - 1:
        n = int(exponent)
        rscale = _clamp_scale(max(NUMERIC_MIN_SIG_DIGITS, numeric_scale(base)))
        if base and abs(n) * (abs(base.adjusted()) + 1) > NUMERIC_INTEGER_DIGITS_MAX:
            if n > 0 and base.adjusted() >= 0:
                raise _numeric_overflow()
            return Decimal(0).scaleb(-rscale)
        if n == 0:
            return _quantize_half_up(_NUMERIC_ONE, rscale)
        if n > 0:
            return _quantize_half_up(_NUM.power(base, n), rscale)
        numerator, denominator = base.as_integer_ratio()
        return _round_ratio(denominator**-n, numerator**-n, rscale)
    if not base:
        # 0 ^ non-integer: zero, at 16 digits (power_var avoids ln(0)).
        return Decimal(0).scaleb(-NUMERIC_MIN_SIG_DIGITS)
    estimate_context = Context(prec=30, traps=[])
    estimate = float(estimate_context.multiply(base.ln(estimate_context), exponent))
    estimate *= 0.434294481903252
    if estimate > NUMERIC_INTEGER_DIGITS_MAX:
        raise _numeric_overflow()
    rscale = _clamp_scale(
        max(
            NUMERIC_MIN_SIG_DIGITS - int(estimate),
            numeric_scale(base),
            numeric_scale(exponent),
        )
    )
    if estimate < -NUMERIC_MAX_DISPLAY_SCALE - 10:
        return Decimal(0).scaleb(-rscale)
    context = _working_context(int(estimate) + 1, rscale)
    return _quantize_half_up(context.power(base, exponent), rscale)


def _numeric_gcd(a: Decimal, b: Decimal) -> Decimal:
    if not (a.is_finite() and b.is_finite()):
        return _NUMERIC_NAN
    n1, d1 = a.as_integer_ratio()
    n2, d2 = b.as_integer_ratio()
    scale = max(numeric_scale(a), numeric_scale(b))
    factor = 10**scale
    g = math.gcd(n1 * factor // d1, n2 * factor // d2)
    return Decimal(g).scaleb(-scale, _NUM)


def _numeric_lcm(a: Decimal, b: Decimal) -> Decimal:
    if not (a.is_finite() and b.is_finite()):
        return _NUMERIC_NAN
    n1, d1 = a.as_integer_ratio()
    n2, d2 = b.as_integer_ratio()
    scale = max(numeric_scale(a), numeric_scale(b))
    factor = 10**scale
    g = math.lcm(n1 * factor // d1, n2 * factor // d2)
    return Decimal(g).scaleb(-scale, _NUM)


def _width_bucket_float(operand: float, low: float, high: float, count: int) -> int:
    if count <= 0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
            "count must be greater than zero",
        )
    if math.isnan(operand) or math.isnan(low) or math.isnan(high):
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
            "operand, lower bound, and upper bound cannot be NaN",
        )
    if math.isinf(low) or math.isinf(high):
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
            "lower and upper bounds must be finite",
        )
    if low == high:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
            "lower bound cannot equal upper bound",
        )
    if low < high:
        if operand < low:
            return 0
        if operand >= high:
            return count + 1
        return int((count * (operand - low)) / (high - low)) + 1
    if operand > low:
        return 0
    if operand <= high:
        return count + 1
    return int((count * (low - operand)) / (low - high)) + 1


def _width_bucket_numeric(operand: Decimal, low: Decimal, high: Decimal, count: int) -> int:
    if count <= 0:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
            "count must be greater than zero",
        )
    if low == high:
        raise _error(
            sqlstates.INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
            "lower bound cannot equal upper bound",
        )
    if low < high:
        if operand < low:
            return 0
        if operand >= high:
            return count + 1
        span_num, span_den = _NUM.subtract(operand, low), _NUM.subtract(high, low)
    else:
        if operand > low:
            return 0
        if operand <= high:
            return count + 1
        span_num, span_den = _NUM.subtract(low, operand), _NUM.subtract(low, high)
    n1, d1 = _NUM.multiply(span_num, Decimal(count)).as_integer_ratio()
    n2, d2 = span_den.as_integer_ratio()
    return (n1 * d2) // (d1 * n2) + 1


# =======================================================================================
# Text
# =======================================================================================
_TEXTUAL_OIDS = frozenset({TEXT.oid, VARCHAR.oid, BPCHAR.oid, NAME.oid, CHAR.oid, UNKNOWN.oid})
#: Bound on any string or byte string a function builds (PostgreSQL's 1 GB varlena limit).
TEXT_BYTES_MAX = 1 << 30

Formatter = Callable[[Any, FormatSettings], str]


def _identity_format(value: Any, settings: FormatSettings) -> str:
    return str(value)


def text_formatter(t: SqlType) -> Formatter:
    """The output function of ``t``, as ``f(value, settings) -> str``."""
    if t.oid in _TEXTUAL_OIDS:
        return _identity_format
    format_value = T.format_value

    def formatted(value: Any, settings: FormatSettings) -> str:
        return str(format_value(value, t, settings))

    return formatted


def _too_long() -> TideError:
    return _error(sqlstates.PROGRAM_LIMIT_EXCEEDED, "requested length too large")


def _length(s: str) -> int:
    return len(s)


def _bpchar_length(s: str) -> int:
    return len(s.rstrip(" "))


def _octet_length(s: str) -> int:
    return len(s.encode())


def _bit_length(s: str) -> int:
    return 8 * len(s.encode())


def _bytes_length(b: bytes) -> int:
    return len(b)


def _bytes_bit_length(b: bytes) -> int:
    return 8 * len(b)


def _char_lower(c: str) -> str:
    # PostgreSQL maps character by character (towlower): 'İ' stays one character.
    lowered = c.lower()
    return lowered if len(lowered) == 1 else c


def _char_upper(c: str) -> str:
    # ... and 'ß' stays 'ß' rather than becoming 'SS'.
    raised = c.upper()
    return raised if len(raised) == 1 else c


def _lower(s: str) -> str:
    return s.lower() if s.isascii() else "".join(map(_char_lower, s))


def _upper(s: str) -> str:
    return s.upper() if s.isascii() else "".join(map(_char_upper, s))


def _initcap(s: str) -> str:
    out: list[str] = []
    in_word = False
    for c in s:
        out.append(_char_lower(c) if in_word else _char_upper(c))
        in_word = c.isalnum()
    return "".join(out)


def _substring_bounds(start: int, count: int | None) -> tuple[int, int | None]:
    """Python slice bounds of SQL substring(… FROM start FOR count), 1-based start that
    may be zero or negative (the characters before position 1 count toward ``count``)."""
    if count is None:
        return max(start, 1) - 1, None
    if count < 0:
        raise _error(sqlstates.SUBSTRING_ERROR, "negative substring length not allowed")
    end = start + count
    begin = max(start, 1)
    if end <= begin:
        return 0, 0
    return begin - 1, end - 1


def _substr(s: str, start: int) -> str:
    begin, _ = _substring_bounds(start, None)
    return s[begin:]


def _substr_count(s: str, start: int, count: int) -> str:
    begin, end = _substring_bounds(start, count)
    return s[begin:end]


def _bytes_substr(b: bytes, start: int) -> bytes:
    begin, _ = _substring_bounds(start, None)
    return b[begin:]


def _bytes_substr_count(b: bytes, start: int, count: int) -> bytes:
    begin, end = _substring_bounds(start, count)
    return b[begin:end]


def _overlay(s: str, replacement: str, start: int, count: int | None = None) -> str:
    """overlay(s placing replacement from start [for count])."""
    length = len(replacement) if count is None else count
    if start < 1:
        raise _error(sqlstates.SUBSTRING_ERROR, "negative substring length not allowed")
    return _substr_count(s, 1, start - 1) + replacement + _substr(s, start + length)


def _strpos(s: str, sub: str) -> int:
    return s.find(sub) + 1


def _bytes_position(b: bytes, sub: bytes) -> int:
    return b.find(sub) + 1


def _replace(s: str, old: str, new: str) -> str:
    if not old:
        return s
    result = s.replace(old, new)
    if len(result) > TEXT_BYTES_MAX:
        raise _too_long()
    return result


def _btrim(s: str, chars: str = " ") -> str:
    return s.strip(chars)


def _ltrim(s: str, chars: str = " ") -> str:
    return s.lstrip(chars)


def _rtrim(s: str, chars: str = " ") -> str:
    return s.rstrip(chars)


def _bytes_btrim(b: bytes, chars: bytes) -> bytes:
    return b.strip(chars)


def _bytes_ltrim(b: bytes, chars: bytes) -> bytes:
    return b.lstrip(chars)


def _bytes_rtrim(b: bytes, chars: bytes) -> bytes:
    return b.rstrip(chars)


def _check_pad_length(length: int) -> None:
    if length > TEXT_BYTES_MAX:
        raise _too_long()


def _lpad(s: str, length: int, fill: str = " ") -> str:
    _check_pad_length(length)
    if length <= 0:
        return ""
    if len(s) >= length or not fill:
        return s[:length]
    missing = length - len(s)
    return (fill * (missing // len(fill) + 1))[:missing] + s


def _rpad(s: str, length: int, fill: str = " ") -> str:
    _check_pad_length(length)
    if length <= 0:
        return ""
    if len(s) >= length or not fill:
        return s[:length]
    missing = length - len(s)
    return s + (fill * (missing // len(fill) + 1))[:missing]


def _left(s: str, n: int) -> str:
    return s[:n] if n >= 0 else s[: max(len(s) + n, 0)]


def _right(s: str, n: int) -> str:
    if n >= 0:
        return s[max(len(s) - n, 0) :] if n else ""
    return s[min(-n, len(s)) :]


def _repeat(s: str, n: int) -> str:
    if n <= 0 or not s:
        return ""
    if len(s) * n > TEXT_BYTES_MAX:
        raise _too_long()
    return s * n


def _reverse(s: str) -> str:
    return s[::-1]


def _split_part(s: str, delimiter: str, n: int) -> str:
    if n == 0:
        raise _error(sqlstates.INVALID_PARAMETER_VALUE, "field position must not be zero")
    if not delimiter:
        return s if n in (1, -1) else ""
    parts = s.split(delimiter)
    if n > 0:
        return parts[n - 1] if n <= len(parts) else ""
    return parts[n] if -n <= len(parts) else ""


def _ascii(s: str) -> int:
    return ord(s[0]) if s else 0


def _chr(code: int) -> str:
    if code == 0:
        raise _error(sqlstates.PROGRAM_LIMIT_EXCEEDED, "null character not permitted")
    if code < 0:
        raise _error(sqlstates.INVALID_PARAMETER_VALUE, "character number must be positive")
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _error(
            sqlstates.PROGRAM_LIMIT_EXCEEDED, f"requested character too large for encoding: {code}"
        )
    return chr(code)


def _starts_with(s: str, prefix: str) -> bool:
    return s.startswith(prefix)


def _translate(s: str, source: str, target: str) -> str:
    table: dict[int, int | None] = {}
    for i, c in enumerate(source):
        if ord(c) not in table:
            table[ord(c)] = ord(target[i]) if i < len(target) else None
    return s.translate(table)


def _md5_text(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


def _md5_bytes(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def _hasher(name: str) -> Callable[[bytes], bytes]:
    def digest(b: bytes) -> bytes:
        return hashlib.new(name, b).digest()

    return digest


#: Keywords quote_ident() must quote: PostgreSQL 15's reserved, column-name and
#: type/function-name keywords (pg_get_keywords() where catcode <> 'U').
_QUOTED_KEYWORD_LIST = """all analyse analyze and any array as asc asymmetric authorization
    between bigint binary bit boolean both case cast char character check coalesce collate
    collation
    column concurrently constraint create cross current_catalog current_date current_role
    current_schema current_time current_timestamp current_user dec decimal default
    deferrable desc distinct do else end except exists extract false fetch float for
    foreign freeze from full grant greatest group grouping having ilike in initially inner
    inout int integer intersect interval into is isnull join lateral leading least left
    like limit localtime localtimestamp national natural nchar none normalize not notnull
    null nullif numeric offset on only or order out outer overlaps overlay placing position
    precision primary real references returning right row select session_user setof
    similar smallint some substring symmetric table tablesample then time timestamp to
    trailing treat trim true union unique user using values varchar variadic verbose when
    where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces
    xmlparse xmlpi xmlroot xmlserialize xmltable"""
_QUOTED_KEYWORDS = frozenset(_QUOTED_KEYWORD_LIST.split())
_SAFE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")


def quote_ident(s: str) -> str:
    if _SAFE_IDENTIFIER.match(s) and s not in _QUOTED_KEYWORDS:
        return s
    return '"' + s.replace('"', '""') + '"'


def quote_literal(s: str) -> str:
    escaped = s.replace("'", "''")
    if "\\" in s:
        return "E'" + escaped.replace("\\", "\\\\") + "'"
    return "'" + escaped + "'"


def _quote_nullable(s: str | None) -> str:
    return "NULL" if s is None else quote_literal(s)


def _quote_literal_any(t: SqlType) -> Impl:
    formatter = text_formatter(t)

    def quote(env: EvalEnv, value: Any) -> str:
        return quote_literal(formatter(value, env.settings))

    return quote


def _quote_nullable_any(t: SqlType) -> Impl:
    formatter = text_formatter(t)

    def quote(env: EvalEnv, value: Any) -> str:
        return "NULL" if value is None else quote_literal(formatter(value, env.settings))

    return quote


def _formatters(types: Sequence[SqlType]) -> list[Formatter]:
    return [text_formatter(t) for t in types]


def _concat_factory(types: tuple[SqlType, ...]) -> Impl:
    formatters = _formatters(types)

    def concat(env: EvalEnv, *values: Any) -> str:
        settings = env.settings
        return "".join(
            f(v, settings) for f, v in zip(formatters, values, strict=True) if v is not None
        )

    return concat


def _concat_ws_factory(types: tuple[SqlType, ...]) -> Impl:
    formatters = _formatters(types[1:])

    def concat_ws(env: EvalEnv, separator: str | None, *values: Any) -> str | None:
        if separator is None:
            return None
        settings = env.settings
        return separator.join(
            f(v, settings) for f, v in zip(formatters, values, strict=True) if v is not None
        )

    return concat_ws


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?(-)?(\d+|\*(?:\d+\$)?)?([sIL%]?)")


def _format_factory(types: tuple[SqlType, ...]) -> Impl:
    """format(): %s, %I, %L and %%, with positions (%2$s), width and the '-' flag."""
    formatters = _formatters(types[1:])

    def format_(env: EvalEnv, template: str | None, *values: Any) -> str | None:
        if template is None:
            return None
        settings = env.settings
        out: list[str] = []
        next_arg = 0
        pos = 0
        while True:
            percent = template.find("%", pos)
            if percent < 0:
                out.append(template[pos:])
                break
            out.append(template[pos:percent])
            spec = _FORMAT_SPEC.match(template, percent)
            if spec is None or not spec.group(4):
                if percent + 1 >= len(template):
                    raise _error(
                        sqlstates.INVALID_PARAMETER_VALUE, "unterminated format() type specifier"
                    )
                raise _error(
                    sqlstates.INVALID_PARAMETER_VALUE,
                    f'unrecognized format() type specifier "{template[percent + 1]}"',
                    'For a single "%" use "%%".',
                )
            position, left_align, width_text, kind = spec.groups()
            pos = spec.end()
            if kind == "%":
                out.append("%")
                continue
            width = 0
            if width_text:
                if width_text.startswith("*"):
                    if next_arg >= len(values):
                        raise _error(
                            sqlstates.INVALID_PARAMETER_VALUE, "too few arguments for format()"
                        )
                    width = int(values[next_arg] or 0)
                    next_arg += 1
                else:
                    width = int(width_text)
            if position is not None:
                index = int(position) - 1
                if index < 0:
                    raise _error(
                        sqlstates.INVALID_PARAMETER_VALUE,
                        "format specifies argument 0, but arguments are numbered from 1",
                    )
            else:
                index = next_arg
            if index >= len(values):
                raise _error(sqlstates.INVALID_PARAMETER_VALUE, "too few arguments for format()")
            next_arg = index + 1
            value = values[index]
            if kind == "I":
                if value is None:
                    raise _error(
                        NULL_VALUE_NOT_ALLOWED,
                        "null values cannot be formatted as an SQL identifier",
                    )
                text = quote_ident(formatters[index](value, settings))
            elif kind == "L":
                text = (
                    "NULL" if value is None else quote_literal(formatters[index](value, settings))
                )
            else:
                text = "" if value is None else formatters[index](value, settings)
            if width < 0:
                left_align, width = "-", -width
            if len(text) < width:
                text = text.ljust(width) if left_align else text.rjust(width)
            out.append(text)
        return "".join(out)

    return format_


# --------------------------------------------------------------------------- LIKE
def _pattern_error(message: str) -> TideError:
    return _error(sqlstates.INVALID_ESCAPE_SEQUENCE, message)


@lru_cache(maxsize=2048)
def like_regex(pattern: str, case_insensitive: bool) -> re.Pattern[str]:
    """A LIKE pattern (``%``, ``_``, ``\\`` escapes) as an anchored Python regex."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise _pattern_error("LIKE pattern must not end with escape character")
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "%":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append(re.escape(c))
        i += 1
    flags = re.DOTALL | (re.IGNORECASE if case_insensitive else 0)
    return re.compile("".join(out), flags)


@lru_cache(maxsize=2048)
def _bytes_like_regex(pattern: bytes) -> re.Pattern[bytes]:
    text = like_regex(pattern.decode("latin-1"), False).pattern
    return re.compile(text.encode("latin-1"), re.DOTALL)


def _like(s: str, pattern: str) -> bool:
    return like_regex(pattern, False).fullmatch(s) is not None


def _not_like(s: str, pattern: str) -> bool:
    return like_regex(pattern, False).fullmatch(s) is None


def _ilike(s: str, pattern: str) -> bool:
    return like_regex(pattern, True).fullmatch(s) is not None


def _not_ilike(s: str, pattern: str) -> bool:
    return like_regex(pattern, True).fullmatch(s) is None


def _bytes_like(b: bytes, pattern: bytes) -> bool:
    return _bytes_like_regex(pattern).fullmatch(b) is not None


def _bytes_not_like(b: bytes, pattern: bytes) -> bool:
    return _bytes_like_regex(pattern).fullmatch(b) is None


def _like_escape(pattern: str, escape: str) -> str:
    """Rewrite a pattern written with ``ESCAPE escape`` into backslash-escape form."""
    if not escape:
        return pattern.replace("\\", "\\\\")
    if len(escape) != 1:
        raise _error(
            sqlstates.INVALID_ESCAPE_SEQUENCE,
            "invalid escape string",
            "Escape string must be empty or one character.",
        )
    if escape == "\\":
        return pattern
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == escape:
            if i + 1 >= n:
                raise _pattern_error("LIKE pattern must not end with escape character")
            out.append("\\" + pattern[i + 1])
            i += 2
            continue
        out.append("\\\\" if c == "\\" else c)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------- regex
_POSIX_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r" \t\n\r\f\v",
    "blank": r" \t",
    "punct": r"!-/:-@\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": r"\w",
    "cntrl": r"\x00-\x1f\x7f",
    "print": r"\x20-\x7e",
    "graph": r"\x21-\x7e",
}
_REGEX_FLAGS = {"i": re.IGNORECASE, "c": 0, "n": 0, "s": 0, "x": re.VERBOSE, "g": 0}


#: Python's regex complaints in PostgreSQL's (Henry Spencer's) words, where they map.
_REGEX_ERRORS = (
    ("missing )", "parentheses () not balanced"),
    ("unbalanced parenthesis", "parentheses () not balanced"),
    ("unterminated character set", "brackets [] not balanced"),
    ("nothing to repeat", "quantifier operand invalid"),
    ("multiple repeat", "quantifier operand invalid"),
    ("bad escape (end of pattern)", "invalid escape \\ sequence"),
    ("invalid group reference", "invalid backreference number"),
)


def _regex_error_text(message: str) -> str:
    for python_text, postgres_text in _REGEX_ERRORS:
        if message.startswith(python_text):
            return postgres_text
    return message


def _invalid_regex(detail: str) -> TideError:
    return _error(sqlstates.INVALID_REGULAR_EXPRESSION, f"invalid regular expression: {detail}")


def _translate_regex(pattern: str, newline_sensitive: bool) -> str:
    """PostgreSQL ARE syntax → Python ``re``: POSIX bracket classes, \\m \\M \\y \\Y,
    and ``$`` meaning end of string (or of line, with the 'n' flag)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_bracket = False
    while i < n:
        c = pattern[i]
        if in_bracket:
            if c == "[" and pattern.startswith("[:", i):
                close = pattern.find(":]", i + 2)
                name = pattern[i + 2 : close] if close > 0 else ""
                if name in _POSIX_CLASSES:
                    out.append(_POSIX_CLASSES[name])
                    i = close + 2
                    continue
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_bracket = False
            if c == "\\" and i + 1 < n:
                out.append(pattern[i : i + 2])
                i += 2
                continue
            out.append("\\[" if c == "[" else c)
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append(
                {"m": r"\b(?=\w)", "M": r"\b(?<=\w)", "y": r"\b", "Y": r"\B"}.get(nxt, c + nxt)
            )
            i += 2
            continue
        if c == "[":
            in_bracket = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "$":
            out.append("$" if newline_sensitive else r"\Z")
        else:
            out.append(c)
        i += 1
    return "".join(out)


@lru_cache(maxsize=2048)
def compile_regex(pattern: str, flags: str = "") -> re.Pattern[str]:
    python_flags = 0
    newline_sensitive = False
    for flag in flags:
        if flag not in _REGEX_FLAGS:
            raise _error(
                sqlstates.INVALID_PARAMETER_VALUE, f'invalid regular expression option: "{flag}"'
            )
        if flag == "c":
            python_flags &= ~re.IGNORECASE
        elif flag == "n":
            newline_sensitive = True
        elif flag == "s":
            newline_sensitive = False
        else:
            python_flags |= _REGEX_FLAGS[flag]
    python_flags |= re.MULTILINE if newline_sensitive else re.DOTALL
    try:
        return re.compile(_translate_regex(pattern, newline_sensitive), python_flags)
    except re.error as failure:
        raise _invalid_regex(_regex_error_text(failure.msg)) from None


def _regex_match(s: str, pattern: str) -> bool:
    return compile_regex(pattern).search(s) is not None


def _regex_not_match(s: str, pattern: str) -> bool:
    return compile_regex(pattern).search(s) is None


def _regex_imatch(s: str, pattern: str) -> bool:
    return compile_regex(pattern, "i").search(s) is not None


def _regex_not_imatch(s: str, pattern: str) -> bool:
    return compile_regex(pattern, "i").search(s) is None


@lru_cache(maxsize=1024)
def _replacement_template(replacement: str) -> Callable[[re.Match[str]], str]:
    """A regexp_replace replacement (\\1…\\9, \\&, \\\\) as a function of the match."""
    parts: list[str | int] = []
    literal: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        c = replacement[i]
        if c == "\\" and i + 1 < n:
            nxt = replacement[i + 1]
            if nxt.isdigit() and nxt != "0":
                parts.append("".join(literal))
                literal = []
                parts.append(int(nxt))
                i += 2
                continue
            if nxt == "&":
                parts.append("".join(literal))
                literal = []
                parts.append(0)
                i += 2
                continue
            if nxt == "\\":
                literal.append("\\")
                i += 2
                continue
        literal.append(c)
        i += 1
    parts.append("".join(literal))

    def expand(match: re.Match[str]) -> str:
        out: list[str] = []
        groups = match.re.groups
        for part in parts:
            if isinstance(part, int):
                if part <= groups:
                    out.append(match.group(part) or "")
            else:
                out.append(part)
        return "".join(out)

    return expand


def _regexp_replace(s: str, pattern: str, replacement: str, flags: str = "") -> str:
    regex = compile_regex(pattern, flags.replace("g", ""))
    return regex.sub(_replacement_template(replacement), s, count=0 if "g" in flags else 1)


def _regexp_match(s: str, pattern: str, flags: str = "") -> list[str | None] | None:
    if "g" in flags:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            'regexp_match() does not support the "global" option',
            "Use the regexp_matches function instead.",
        )
    match = compile_regex(pattern, flags).search(s)
    if match is None:
        return None
    if match.re.groups:
        return list(match.groups())
    return [match.group(0)]


def _regexp_like(s: str, pattern: str, flags: str = "") -> bool:
    return compile_regex(pattern, flags).search(s) is not None


def _regexp_count(s: str, pattern: str) -> int:
    return sum(1 for _ in compile_regex(pattern).finditer(s))


def _regexp_split_to_array(s: str, pattern: str, flags: str = "") -> list[str]:
    regex = compile_regex(pattern, flags)
    out: list[str] = []
    start = 0
    for match in regex.finditer(s):
        # Degenerate (empty) matches at the ends, or right after a match, are skipped.
        if match.start() >= len(s) or match.end() <= start:
            continue
        if match.start() == match.end() and match.start() == 0:
            continue
        out.append(s[start : match.start()])
        start = match.end()
    out.append(s[start:])
    return out


def _substring_regex(s: str, pattern: str) -> str | None:
    match = compile_regex(pattern).search(s)
    if match is None:
        return None
    if match.re.groups:
        return match.group(1)
    return match.group(0)


def _similar_to_escape(pattern: str, escape: str | None = "\\") -> str:
    """SIMILAR TO pattern → the POSIX regex PostgreSQL matches it with."""
    if escape is not None and len(escape) > 1:
        raise _error(
            sqlstates.INVALID_ESCAPE_SEQUENCE,
            "invalid escape string",
            "Escape string must be empty or one character.",
        )
    out: list[str] = ["^(?:"]
    i, n = 0, len(pattern)
    in_bracket = False
    while i < n:
        c = pattern[i]
        if escape and c == escape:
            if i + 1 >= n:
                raise _pattern_error("SIMILAR TO pattern must not end with escape character")
            nxt = pattern[i + 1]
            out.append(nxt if nxt == '"' else "\\" + nxt)
            i += 2
            continue
        if in_bracket:
            if c == "]":
                in_bracket = False
            out.append("\\\\" if c == "\\" else c)
        elif c == "[":
            in_bracket = True
            out.append(c)
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        elif c in ".^$":
            out.append("\\" + c)
        elif c == "\\":
            out.append("\\\\")
        else:
            out.append(c)
        i += 1
    out.append(")$")
    return "".join(out)


def _similar_to_escape_default(pattern: str) -> str:
    return _similar_to_escape(pattern)


# --------------------------------------------------------------------------- encodings
def _encode(data: bytes, encoding: str) -> str:
    kind = encoding.lower()
    if kind == "hex":
        return data.hex()
    if kind == "base64":
        text = base64.b64encode(data).decode("ascii")
        return "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    if kind == "escape":
        out: list[str] = []
        for byte in data:
            if byte == 0x5C:
                out.append("\\\\")
            elif byte == 0 or byte >= 0x80:
                out.append(f"\\{byte:03o}")
            else:
                out.append(chr(byte))
        return "".join(out)
    raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'unrecognized encoding: "{encoding}"')


def _decode(text: str, encoding: str) -> bytes:
    kind = encoding.lower()
    if kind == "hex":
        digits = "".join(text.split())
        for c in digits:
            if c not in "0123456789abcdefABCDEF":
                raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'invalid hexadecimal digit: "{c}"')
        if len(digits) % 2:
            raise _error(
                sqlstates.INVALID_PARAMETER_VALUE, "invalid hexadecimal data: odd number of digits"
            )
        return bytes.fromhex(digits)
    if kind == "base64":
        compact = "".join(text.split())
        try:
            return base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            raise _error(sqlstates.INVALID_PARAMETER_VALUE, "invalid base64 end sequence") from None
    if kind == "escape":
        out = bytearray()
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c != "\\":
                out += c.encode()
                i += 1
            elif text[i + 1 : i + 2] == "\\":
                out.append(0x5C)
                i += 2
            elif re.fullmatch(r"[0-3][0-7][0-7]", text[i + 1 : i + 4]):
                out.append(int(text[i + 1 : i + 4], 8))
                i += 4
            else:
                raise _error(
                    sqlstates.INVALID_TEXT_REPRESENTATION,
                    "invalid input syntax for type bytea",
                )
        return bytes(out)
    raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'unrecognized encoding: "{encoding}"')


_PYTHON_CODECS = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode": "utf-8",
    "latin1": "latin-1",
    "iso88591": "latin-1",
    "sqlascii": "ascii",
    "sql_ascii": "ascii",
}


def _codec(name: str, role: str) -> str:
    codec = _PYTHON_CODECS.get(name.lower().replace("-", "").replace("_", ""))
    codec = codec or _PYTHON_CODECS.get(name.lower())
    if codec is None:
        raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'invalid {role} encoding name "{name}"')
    return codec


def _convert_to(text: str, encoding: str) -> bytes:
    codec = _codec(encoding, "destination")
    try:
        return text.encode(codec)
    except UnicodeEncodeError as failure:
        char = failure.object[failure.start]
        raise _error(
            sqlstates.UNTRANSLATABLE_CHARACTER,
            f'character with byte sequence 0x{char.encode().hex()} in encoding "UTF8" has no '
            f'equivalent in encoding "{encoding.upper()}"',
        ) from None


def _convert_from(data: bytes, encoding: str) -> str:
    codec = _codec(encoding, "source")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as failure:
        bad = failure.object[failure.start : failure.start + 1]
        raise _error(
            sqlstates.CHARACTER_NOT_IN_REPERTOIRE,
            f'invalid byte sequence for encoding "UTF8": 0x{bad.hex()}',
        ) from None


def _bytes_concat(a: bytes, b: bytes) -> bytes:
    return a + b


def _text_concat(a: str, b: str) -> str:
    return a + b


def _text_concat_any_right(types: tuple[SqlType, ...]) -> Impl:
    formatter = text_formatter(types[1])

    def concat(env: EvalEnv, a: str, b: Any) -> str:
        return a + formatter(b, env.settings)

    return concat


def _text_concat_any_left(types: tuple[SqlType, ...]) -> Impl:
    formatter = text_formatter(types[0])

    def concat(env: EvalEnv, a: Any, b: str) -> str:
        return formatter(a, env.settings) + b

    return concat


def _gen_random_uuid() -> uuid.UUID:
    return uuid.uuid4()


def _num_nulls(*values: Any) -> int:
    return sum(1 for v in values if v is None)


def _num_nonnulls(*values: Any) -> int:
    return sum(1 for v in values if v is not None)


# =======================================================================================
# Date and time
# =======================================================================================
USECS_PER_SECOND = 1_000_000
USECS_PER_DAY = 86_400 * USECS_PER_SECOND
DAYS_PER_MONTH = 30
_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
#: date.toordinal() + this = PostgreSQL's Julian day number (date2j).
_JULIAN_OFFSET = 1721425
_INT32_MAX = 2**31 - 1
_INT64_MAX = 2**63 - 1

_TIMESTAMP_NAME = "timestamp without time zone"
_TIMESTAMPTZ_NAME = "timestamp with time zone"
_TIME_NAME = "time without time zone"


def _timestamp_out_of_range() -> TideError:
    return _error(sqlstates.DATETIME_FIELD_OVERFLOW, "timestamp out of range")


def _date_out_of_range() -> TideError:
    return _error(sqlstates.DATETIME_FIELD_OVERFLOW, "date out of range")


def _interval_out_of_range() -> TideError:
    return _error(sqlstates.DATETIME_FIELD_OVERFLOW, "interval out of range")


def _cdiv(a: int, b: int) -> int:
    """C integer division: truncates toward zero."""
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def _cmod(a: int, b: int) -> int:
    """C remainder: takes the sign of the dividend."""
    return a - _cdiv(a, b) * b


_POSIX_OFFSET_ZONE = re.compile(r"(?i)(?:[a-z]{3,}|<[^>]*>)?([+-]?)(\d{1,2})(?::(\d{2}))?\Z")
_NUMERIC_ZONE = re.compile(r"[+-]?\d+(?:\.\d+)?\Z")
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "ZULU", "UT", "UCT", "UNIVERSAL", "ETC/UTC"})


@lru_cache(maxsize=1)
def _zone_names_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@lru_cache(maxsize=256)
def named_zone(name: str) -> tzinfo:
    """The zone of ``AT TIME ZONE name``: an IANA name (in any case), UTC, or a POSIX
    offset, where ``'+05'`` and ``'UTC+5'`` are five hours *west* of Greenwich."""
    key = name.strip()
    if key.upper() in _UTC_NAMES:
        return UTC
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    proper = _zone_names_by_lower().get(key.lower())
    if proper is not None:
        return ZoneInfo(proper)
    match = _POSIX_OFFSET_ZONE.match(key)
    if match is not None:
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return timezone(timedelta(minutes=-sign * minutes))
    raise _error(sqlstates.INVALID_PARAMETER_VALUE, f'time zone "{name}" not recognized')


@lru_cache(maxsize=256)
def session_zone(setting: str) -> tzinfo:
    """The zone of the TimeZone setting: as :func:`named_zone`, except that a bare
    number is hours *east* of UTC (``SET TIME ZONE -7`` is UTC−7), as in PostgreSQL."""
    key = setting.strip()
    if _NUMERIC_ZONE.match(key):
        return timezone(timedelta(seconds=round(float(key) * 3600)))
    return named_zone(key)


def to_local(instant: datetime, zone: tzinfo) -> datetime:
    """The wall-clock time (naive) of a UTC instant in ``zone``."""
    if zone is UTC:
        return instant.replace(tzinfo=None)
    return instant.astimezone(zone).replace(tzinfo=None)


def from_local(wall: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a wall-clock time in ``zone``. A time skipped by a spring-forward
    transition is read with the offset before it, a repeated one with the offset after
    it (PostgreSQL's DetermineTimeZoneOffset); both are the smaller of the two offsets."""
    if zone is UTC:
        return wall.replace(tzinfo=UTC)
    first = wall.replace(tzinfo=zone, fold=0).utcoffset() or timedelta(0)
    second = wall.replace(tzinfo=zone, fold=1).utcoffset() or timedelta(0)
    try:
        return (wall - min(first, second)).replace(tzinfo=UTC)
    except OverflowError:
        raise _timestamp_out_of_range() from None


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _add_months(value: datetime, months: int) -> datetime:
    total = value.year * 12 + value.month - 1 + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise _timestamp_out_of_range()
    month = month0 + 1
    day = min(value.day, _days_in_month(year, month))
    return value.replace(year=year, month=month, day=day)


def _interval(months: int, days: int, microseconds: int) -> Interval:
    if abs(months) > _INT32_MAX or abs(days) > _INT32_MAX or abs(microseconds) > _INT64_MAX:
        raise _interval_out_of_range()
    return Interval(months, days, microseconds)


def timestamp_add_interval(ts: datetime, span: Interval) -> datetime:
    """timestamp + interval: months (clamping the day), then days, then the time part."""
    try:
        if span.months:
            ts = _add_months(ts, span.months)
        if span.days:
            ts = ts + timedelta(days=span.days)
        if span.microseconds:
            ts = ts + timedelta(microseconds=span.microseconds)
    except OverflowError:
        raise _timestamp_out_of_range() from None
    return ts


def _negate_interval(span: Interval) -> Interval:
    return _interval(-span.months, -span.days, -span.microseconds)


def _timestamp_sub_interval(ts: datetime, span: Interval) -> datetime:
    return timestamp_add_interval(ts, _negate_interval(span))


def timestamptz_add_interval(ts: datetime, span: Interval, zone: tzinfo) -> datetime:
    """timestamptz + interval: months and days move the wall clock in ``zone`` (so
    '1 day' across a DST change keeps the local time), the time part moves the instant."""
    try:
        if span.months:
            ts = from_local(_add_months(to_local(ts, zone), span.months), zone)
        if span.days:
            ts = from_local(to_local(ts, zone) + timedelta(days=span.days), zone)
        if span.microseconds:
            ts = ts + timedelta(microseconds=span.microseconds)
    except OverflowError:
        raise _timestamp_out_of_range() from None
    return ts


def _timestamptz_add(env: EvalEnv, ts: datetime, span: Interval) -> datetime:
    return timestamptz_add_interval(ts, span, session_zone(env.settings.timezone))


def _timestamptz_add_reversed(env: EvalEnv, span: Interval, ts: datetime) -> datetime:
    return timestamptz_add_interval(ts, span, session_zone(env.settings.timezone))


def _timestamptz_sub(env: EvalEnv, ts: datetime, span: Interval) -> datetime:
    return timestamptz_add_interval(ts, _negate_interval(span), session_zone(env.settings.timezone))


def _microseconds_between(a: datetime, b: datetime) -> int:
    delta = a - b
    return (delta.days * 86_400 + delta.seconds) * USECS_PER_SECOND + delta.microseconds


def _split_days(microseconds: int) -> Interval:
    """A time span as days plus time of the same sign (justify_hours of timestamp_mi)."""
    days = _cdiv(microseconds, USECS_PER_DAY)
    return _interval(0, days, microseconds - days * USECS_PER_DAY)


def _timestamp_diff(a: datetime, b: datetime) -> Interval:
    return _split_days(_microseconds_between(a, b))


def _date_add_days(d: date, n: int) -> date:
    try:
        return d + timedelta(days=n)
    except OverflowError:
        raise _date_out_of_range() from None


def _date_sub_days(d: date, n: int) -> date:
    return _date_add_days(d, -n)


def _days_add_date(n: int, d: date) -> date:
    return _date_add_days(d, n)


def _date_diff(a: date, b: date) -> int:
    return (a - b).days


def _date_to_timestamp(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _date_add_interval(d: date, span: Interval) -> datetime:
    return timestamp_add_interval(_date_to_timestamp(d), span)


def _interval_add_date(span: Interval, d: date) -> datetime:
    return timestamp_add_interval(_date_to_timestamp(d), span)


def _date_sub_interval(d: date, span: Interval) -> datetime:
    return _timestamp_sub_interval(_date_to_timestamp(d), span)


def _interval_add_timestamp(span: Interval, ts: datetime) -> datetime:
    return timestamp_add_interval(ts, span)


def _date_add_time(d: date, t: time) -> datetime:
    return datetime.combine(d, t)


def _time_add_date(t: time, d: date) -> datetime:
    return datetime.combine(d, t)


def time_microseconds(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * USECS_PER_SECOND + t.microsecond


def _time_from_microseconds(us: int) -> time:
    us %= USECS_PER_DAY
    seconds, micro = divmod(us, USECS_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _time_add_interval(t: time, span: Interval) -> time:
    return _time_from_microseconds(time_microseconds(t) + span.microseconds)


def _interval_add_time(span: Interval, t: time) -> time:
    return _time_add_interval(t, span)


def _time_sub_interval(t: time, span: Interval) -> time:
    return _time_from_microseconds(time_microseconds(t) - span.microseconds)


def _time_diff(a: time, b: time) -> Interval:
    return _interval(0, 0, time_microseconds(a) - time_microseconds(b))


def interval_add(a: Interval, b: Interval) -> Interval:
    return _interval(a.months + b.months, a.days + b.days, a.microseconds + b.microseconds)


def _interval_minus(a: Interval, b: Interval) -> Interval:
    return _interval(a.months - b.months, a.days - b.days, a.microseconds - b.microseconds)


def _ts_round(x: float) -> float:
    """TSROUND: round to microsecond precision to hide binary noise."""
    return round(x * 1e6) / 1e6


def interval_multiply(span: Interval, factor: float) -> Interval:
    """interval * float8: whole months and days scale, fractions cascade down (a month
    is 30 days, a day 24 hours), never up (numeric.c's interval_mul)."""
    if math.isnan(factor):
        raise _interval_out_of_range()
    month_product = span.months * factor
    day_product = span.days * factor
    if abs(month_product) > _INT32_MAX or abs(day_product) > _INT32_MAX:
        raise _interval_out_of_range()
    months = int(month_product)
    days = int(day_product)
    month_remainder_days = _ts_round((month_product - months) * DAYS_PER_MONTH)
    sec_remainder = _ts_round(
        (day_product - days + month_remainder_days - int(month_remainder_days)) * 86_400
    )
    if abs(sec_remainder) >= 86_400:
        days += int(sec_remainder / 86_400)
        sec_remainder -= int(sec_remainder / 86_400) * 86_400
    days += int(month_remainder_days)
    time_product = span.microseconds * factor + sec_remainder * USECS_PER_SECOND
    if math.isnan(time_product) or abs(time_product) > _INT64_MAX:
        raise _interval_out_of_range()
    return _interval(months, days, round(time_product))


def _interval_mul(span: Interval, factor: float) -> Interval:
    return interval_multiply(span, factor)


def _float_mul_interval(factor: float, span: Interval) -> Interval:
    return interval_multiply(span, factor)


def interval_divide(span: Interval, divisor: float) -> Interval:
    if divisor == 0.0:
        raise _division_by_zero()
    months_q = span.months / divisor
    days_q = span.days / divisor
    if abs(months_q) > _INT32_MAX or abs(days_q) > _INT32_MAX:
        raise _interval_out_of_range()
    months = int(months_q)
    days = int(days_q)
    month_remainder_days = _ts_round((months_q - months) * DAYS_PER_MONTH)
    sec_remainder = _ts_round(
        (days_q - days + month_remainder_days - int(month_remainder_days)) * 86_400
    )
    if abs(sec_remainder) >= 86_400:
        days += int(sec_remainder / 86_400)
        sec_remainder -= int(sec_remainder / 86_400) * 86_400
    days += int(month_remainder_days)
    return _interval(
        months, days, round(span.microseconds / divisor + sec_remainder * USECS_PER_SECOND)
    )


def interval_sort_key(span: Interval) -> int:
    """Intervals compare as if a month were 30 days and a day 24 hours."""
    return (span.months * DAYS_PER_MONTH + span.days) * USECS_PER_DAY + span.microseconds


def _justify_hours(span: Interval) -> Interval:
    whole_days = _cdiv(span.microseconds, USECS_PER_DAY)
    days = span.days + whole_days
    time_part = span.microseconds - whole_days * USECS_PER_DAY
    if days > 0 and time_part < 0:
        time_part += USECS_PER_DAY
        days -= 1
    elif days < 0 and time_part > 0:
        time_part -= USECS_PER_DAY
        days += 1
    return _interval(span.months, days, time_part)


def _justify_days(span: Interval) -> Interval:
    whole_months = _cdiv(span.days, DAYS_PER_MONTH)
    months = span.months + whole_months
    days = span.days - whole_months * DAYS_PER_MONTH
    if months > 0 and days < 0:
        days += DAYS_PER_MONTH
        months -= 1
    elif months < 0 and days > 0:
        days -= DAYS_PER_MONTH
        months += 1
    return _interval(months, days, span.microseconds)


def _justify_interval(span: Interval) -> Interval:
    months, days, time_part = span.months, span.days, span.microseconds
    whole_days = _cdiv(time_part, USECS_PER_DAY)
    days += whole_days
    time_part -= whole_days * USECS_PER_DAY
    whole_months = _cdiv(days, DAYS_PER_MONTH)
    months += whole_months
    days -= whole_months * DAYS_PER_MONTH
    if months > 0 and (days < 0 or (days == 0 and time_part < 0)):
        days += DAYS_PER_MONTH
        months -= 1
    elif months < 0 and (days > 0 or (days == 0 and time_part > 0)):
        days -= DAYS_PER_MONTH
        months += 1
    if days > 0 and time_part < 0:
        time_part += USECS_PER_DAY
        days -= 1
    elif days < 0 and time_part > 0:
        time_part -= USECS_PER_DAY
        days += 1
    return _interval(months, days, time_part)


def _symbolic_age(wall1: datetime, wall2: datetime, later_first: bool) -> Interval:
    """age(): field-by-field difference of two wall-clock times, borrowing from the
    next larger field with the month lengths PostgreSQL's timestamp_age uses."""
    negative = not later_first
    fields = [
        wall1.microsecond - wall2.microsecond,
        wall1.second - wall2.second,
        wall1.minute - wall2.minute,
        wall1.hour - wall2.hour,
        wall1.day - wall2.day,
        wall1.month - wall2.month,
        wall1.year - wall2.year,
    ]
    if negative:
        fields = [-f for f in fields]
    usec, sec, minute, hour, mday, mon, year = fields
    while usec < 0:
        usec += USECS_PER_SECOND
        sec -= 1
    while sec < 0:
        sec += 60
        minute -= 1
    while minute < 0:
        minute += 60
        hour -= 1
    while hour < 0:
        hour += 24
        mday -= 1
    while mday < 0:
        reference = wall2 if not negative else wall1
        mday += _days_in_month(reference.year, reference.month)
        mon -= 1
    while mon < 0:
        mon += 12
        year -= 1
    if negative:
        usec, sec, minute, hour, mday, mon, year = (
            -usec,
            -sec,
            -minute,
            -hour,
            -mday,
            -mon,
            -year,
        )
    micro = ((hour * 60 + minute) * 60 + sec) * USECS_PER_SECOND + usec
    return _interval(year * 12 + mon, mday, micro)


def _age(a: datetime, b: datetime) -> Interval:
    return _symbolic_age(a, b, a >= b)


def _age_tz(env: EvalEnv, a: datetime, b: datetime) -> Interval:
    zone = session_zone(env.settings.timezone)
    return _symbolic_age(to_local(a, zone), to_local(b, zone), a >= b)


def _current_date(env: EvalEnv) -> date:
    return to_local(env.transaction_timestamp, session_zone(env.settings.timezone)).date()


def _age_from_today(env: EvalEnv, a: datetime) -> Interval:
    return _age(_date_to_timestamp(_current_date(env)), a)


def _age_tz_from_today(env: EvalEnv, a: datetime) -> Interval:
    zone = session_zone(env.settings.timezone)
    today = from_local(_date_to_timestamp(_current_date(env)), zone)
    return _symbolic_age(to_local(today, zone), to_local(a, zone), today >= a)


def _now(env: EvalEnv) -> datetime:
    return env.transaction_timestamp


def _statement_timestamp(env: EvalEnv) -> datetime:
    return env.statement_timestamp


def _clock_timestamp() -> datetime:
    return datetime.now(UTC)


def _localtimestamp(env: EvalEnv) -> datetime:
    return to_local(env.transaction_timestamp, session_zone(env.settings.timezone))


def _localtime(env: EvalEnv) -> time:
    return _localtimestamp(env).time()


def _round_precision(ts: datetime, precision: int) -> datetime:
    if precision >= 6:
        return ts
    if precision < 0:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f"TIMESTAMP({precision}) precision must not be negative",
        )
    scale = 10 ** (6 - precision)
    rounded = (ts.microsecond + scale // 2) // scale * scale
    return ts.replace(microsecond=0) + timedelta(microseconds=rounded)


def _now_precision(env: EvalEnv, precision: int) -> datetime:
    return _round_precision(env.transaction_timestamp, precision)


def _localtimestamp_precision(env: EvalEnv, precision: int) -> datetime:
    return _round_precision(_localtimestamp(env), precision)


def _to_timestamp(seconds: float) -> datetime:
    if math.isnan(seconds):
        raise _error(sqlstates.DATETIME_FIELD_OVERFLOW, "timestamp cannot be NaN")
    if math.isinf(seconds):
        raise _timestamp_out_of_range()
    try:
        return _EPOCH_UTC + timedelta(microseconds=round(seconds * USECS_PER_SECOND))
    except OverflowError:
        raise _error(
            sqlstates.DATETIME_FIELD_OVERFLOW, f'timestamp out of range: "{seconds:g}"'
        ) from None


def _make_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _error(
            sqlstates.DATETIME_FIELD_OVERFLOW,
            f"date field value out of range: {year}-{month:02d}-{day:02d}",
        ) from None


def _make_time(hour: int, minute: int, second: float) -> time:
    whole = math.floor(second)
    micro = round((second - whole) * USECS_PER_SECOND)
    if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60) or micro >= 10**6:
        raise _error(
            sqlstates.DATETIME_FIELD_OVERFLOW,
            f"time field value out of range: {hour}:{minute:02d}:{second:02g}",
        )
    return time(hour, minute, int(whole), micro)


def _make_timestamp(
    year: int, month: int, day: int, hour: int, minute: int, second: float
) -> datetime:
    return datetime.combine(_make_date(year, month, day), _make_time(hour, minute, second))


def _make_timestamptz(
    env: EvalEnv, year: int, month: int, day: int, hour: int, minute: int, second: float
) -> datetime:
    wall = _make_timestamp(year, month, day, hour, minute, second)
    return from_local(wall, session_zone(env.settings.timezone))


def _make_timestamptz_zone(
    year: int, month: int, day: int, hour: int, minute: int, second: float, zone: str
) -> datetime:
    return from_local(_make_timestamp(year, month, day, hour, minute, second), named_zone(zone))


def _make_interval(
    years: int = 0,
    months: int = 0,
    weeks: int = 0,
    days: int = 0,
    hours: int = 0,
    minutes: int = 0,
    seconds: float = 0.0,
) -> Interval:
    if math.isinf(seconds) or math.isnan(seconds):
        raise _interval_out_of_range()
    micro = (hours * 60 + minutes) * 60 * USECS_PER_SECOND + round(seconds * USECS_PER_SECOND)
    return _interval(years * 12 + months, weeks * 7 + days, micro)


def _timezone_of_timestamptz(zone_name: str, ts: datetime) -> datetime:
    """timestamptz AT TIME ZONE zone → the wall-clock time there."""
    return to_local(ts, named_zone(zone_name))


def _timezone_of_timestamp(zone_name: str, wall: datetime) -> datetime:
    """timestamp AT TIME ZONE zone → the instant that wall-clock time names there."""
    return from_local(wall, named_zone(zone_name))


def _isfinite(_: Any) -> bool:
    return True


# --------------------------------------------------------------------------- extract
#: Unit spellings PostgreSQL accepts → canonical unit.
_UNIT_ALIASES: dict[str, str] = {}
for _canonical, _spellings in {
    "microseconds": "microsecond microseconds us usec usecs useconds",
    "milliseconds": "millisecond milliseconds ms msec msecs mseconds",
    "second": "second seconds s sec secs",
    "minute": "minute minutes m min mins",
    "hour": "hour hours h hr hrs",
    "day": "day days d",
    "week": "week weeks w",
    "month": "month months mon mons",
    "quarter": "quarter qtr",
    "year": "year years y yr yrs",
    "decade": "decade decades dec decs",
    "century": "century centuries c cent",
    "millennium": "millennium millennia mil mils",
    "epoch": "epoch",
    "dow": "dow",
    "doy": "doy",
    "isodow": "isodow",
    "isoyear": "isoyear",
    "julian": "julian j",
    "timezone": "timezone",
    "timezone_hour": "timezone_hour timezone_h",
    "timezone_minute": "timezone_minute timezone_m",
}.items():
    for _spelling in _spellings.split():
        _UNIT_ALIASES[_spelling] = _canonical


def _unit(field: str, type_name: str, supported: Sequence[str] | frozenset[str]) -> str:
    unit = _UNIT_ALIASES.get(field.lower())
    if unit is None:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f'unit "{field.lower()}" not recognized for type {type_name}',
        )
    if unit not in supported:
        raise _error(
            sqlstates.FEATURE_NOT_SUPPORTED,
            f'unit "{field.lower()}" not supported for type {type_name}',
        )
    return unit


def _seconds_decimal(second: int, microsecond: int, digits: int) -> Decimal:
    """Seconds as a numeric with ``digits`` decimals: 6 gives seconds (``56.789000``),
    3 milliseconds (``56789.000``), 0 microseconds (``56789000``)."""
    return Decimal(second * USECS_PER_SECOND + microsecond).scaleb(-digits)


def _julian(wall: datetime) -> Decimal:
    fraction = numeric_div(Decimal(time_microseconds(wall.time())), Decimal(USECS_PER_DAY))
    return _NUM.add(Decimal(wall.toordinal() + _JULIAN_OFFSET), fraction)


#: extract() fields of a wall-clock time (timestamp, or timestamptz in the session zone).
_WALL_FIELDS: dict[str, Callable[[datetime], Decimal]] = {
    "microseconds": lambda w: _seconds_decimal(w.second, w.microsecond, 0),
    "milliseconds": lambda w: _seconds_decimal(w.second, w.microsecond, 3),
    "second": lambda w: _seconds_decimal(w.second, w.microsecond, 6),
    "minute": lambda w: Decimal(w.minute),
    "hour": lambda w: Decimal(w.hour),
    "day": lambda w: Decimal(w.day),
    "month": lambda w: Decimal(w.month),
    "quarter": lambda w: Decimal((w.month - 1) // 3 + 1),
    "year": lambda w: Decimal(w.year),
    "decade": lambda w: Decimal(w.year // 10),
    "century": lambda w: Decimal((w.year + 99) // 100),
    "millennium": lambda w: Decimal((w.year + 999) // 1000),
    "week": lambda w: Decimal(w.isocalendar()[1]),
    "isoyear": lambda w: Decimal(w.isocalendar()[0]),
    "dow": lambda w: Decimal(w.isoweekday() % 7),
    "isodow": lambda w: Decimal(w.isoweekday()),
    "doy": lambda w: Decimal(w.timetuple().tm_yday),
    "julian": _julian,
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TIMESTAMP_UNITS = frozenset(_WALL_FIELDS) | {"epoch"}
_TIMESTAMPTZ_UNITS = _TIMESTAMP_UNITS | {"timezone", "timezone_hour", "timezone_minute"}
_DATE_UNITS = _words(
    "day month quarter year decade century millennium week isoyear dow isodow doy julian epoch"
)
_TIME_UNITS = _words("microseconds milliseconds second minute hour epoch")
_INTERVAL_UNITS = _words(
    "microseconds milliseconds second minute hour day month quarter year decade century "
    "millennium epoch"
)


def _extract_timestamp(field: str, ts: datetime) -> Decimal:
    unit = _unit(field, _TIMESTAMP_NAME, _TIMESTAMP_UNITS)
    if unit == "epoch":
        return Decimal(_microseconds_between(ts, _EPOCH)).scaleb(-6)
    return _WALL_FIELDS[unit](ts)


def _extract_timestamptz(env: EvalEnv, field: str, ts: datetime) -> Decimal:
    unit = _unit(field, _TIMESTAMPTZ_NAME, _TIMESTAMPTZ_UNITS)
    if unit == "epoch":
        return Decimal(_microseconds_between(ts, _EPOCH_UTC)).scaleb(-6)
    zone = session_zone(env.settings.timezone)
    local = ts.astimezone(zone) if zone is not UTC else ts
    if unit.startswith("timezone"):
        offset = int((local.utcoffset() or timedelta(0)).total_seconds())
        if unit == "timezone_hour":
            return Decimal(_cdiv(offset, 3600))
        if unit == "timezone_minute":
            return Decimal(_cmod(_cdiv(offset, 60), 60))
        return Decimal(offset)
    return _WALL_FIELDS[unit](local.replace(tzinfo=None))


def _extract_date(field: str, d: date) -> Decimal:
    unit = _unit(field, "date", _DATE_UNITS)
    if unit == "epoch":
        return Decimal((d - _EPOCH.date()).days * 86_400)
    if unit == "julian":
        return Decimal(d.toordinal() + _JULIAN_OFFSET)
    return _WALL_FIELDS[unit](_date_to_timestamp(d))


def _extract_time(field: str, t: time) -> Decimal:
    unit = _unit(field, _TIME_NAME, _TIME_UNITS)
    if unit == "epoch":
        return Decimal(time_microseconds(t)).scaleb(-6)
    if unit == "hour":
        return Decimal(t.hour)
    if unit == "minute":
        return Decimal(t.minute)
    return _seconds_decimal(t.second, t.microsecond, {"second": 6, "milliseconds": 3}.get(unit, 0))


def _interval_parts(span: Interval) -> tuple[int, int, int, int, int, int, int]:
    """(years, months, days, hours, minutes, seconds, microseconds) as interval2itm
    splits them: each field keeps the sign of its source."""
    years, months = _cdiv(span.months, 12), _cmod(span.months, 12)
    remaining = span.microseconds
    hours = _cdiv(remaining, 3600 * USECS_PER_SECOND)
    remaining -= hours * 3600 * USECS_PER_SECOND
    minutes = _cdiv(remaining, 60 * USECS_PER_SECOND)
    remaining -= minutes * 60 * USECS_PER_SECOND
    seconds = _cdiv(remaining, USECS_PER_SECOND)
    return years, months, span.days, hours, minutes, seconds, remaining - seconds * 10**6


def _extract_interval(field: str, span: Interval) -> Decimal:
    unit = _unit(field, "interval", _INTERVAL_UNITS)
    if unit == "epoch":
        day_month_seconds = (
            1461 * _cdiv(span.months, 12)
            + 4 * DAYS_PER_MONTH * _cmod(span.months, 12)
            + 4 * span.days
        ) * (86_400 // 4)
        return Decimal(day_month_seconds * USECS_PER_SECOND + span.microseconds).scaleb(-6)
    years, months, days, hours, minutes, seconds, micro = _interval_parts(span)
    values = {
        "microseconds": lambda: _seconds_decimal(seconds, micro, 0),
        "milliseconds": lambda: _seconds_decimal(seconds, micro, 3),
        "second": lambda: _seconds_decimal(seconds, micro, 6),
        "minute": lambda: Decimal(minutes),
        "hour": lambda: Decimal(hours),
        "day": lambda: Decimal(days),
        "month": lambda: Decimal(months),
        "quarter": lambda: Decimal(_cdiv(months, 3) + 1),
        "year": lambda: Decimal(years),
        "decade": lambda: Decimal(_cdiv(years, 10)),
        "century": lambda: Decimal(_cdiv(years, 100)),
        "millennium": lambda: Decimal(_cdiv(years, 1000)),
    }
    return values[unit]()


def _as_double(extract: Callable[..., Decimal]) -> Impl:
    """date_part(): the same fields as extract(), as double precision."""

    def date_part(*args: Any) -> float:
        return float(extract(*args))

    return date_part


def _date_part_date(field: str, d: date) -> float:
    # date_part(text, date) is date_part(text, date::timestamp): hours are zero.
    return float(_extract_timestamp(field, _date_to_timestamp(d)))


# --------------------------------------------------------------------------- date_trunc
_TRUNC_UNITS = _words(
    "microseconds milliseconds second minute hour day week month quarter year decade "
    "century millennium"
)
_SUB_DAY_UNITS = _words("microseconds milliseconds second minute hour")


def _trunc_unit(field: str, type_name: str) -> str:
    unit = _UNIT_ALIASES.get(field.lower())
    if unit not in _TRUNC_UNITS or unit is None:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f'unit "{field.lower()}" not recognized for type {type_name}',
        )
    return unit


def _truncate_wall(unit: str, wall: datetime) -> datetime:
    if unit == "microseconds":
        return wall
    if unit == "milliseconds":
        return wall.replace(microsecond=wall.microsecond // 1000 * 1000)
    if unit == "second":
        return wall.replace(microsecond=0)
    if unit == "minute":
        return wall.replace(second=0, microsecond=0)
    if unit == "hour":
        return wall.replace(minute=0, second=0, microsecond=0)
    day = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=wall.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(wall.month - 1) // 3 * 3 + 1, day=1)
    year = wall.year
    if unit == "decade":
        year = year // 10 * 10
    elif unit == "century":
        year = (year + 99) // 100 * 100 - 99
    elif unit == "millennium":
        year = (year + 999) // 1000 * 1000 - 999
    if year < 1:
        raise _timestamp_out_of_range()
    return day.replace(year=year, month=1, day=1)


def _date_trunc_timestamp(field: str, ts: datetime) -> datetime:
    return _truncate_wall(_trunc_unit(field, _TIMESTAMP_NAME), ts)


def date_trunc_timestamptz(field: str, ts: datetime, zone: tzinfo) -> datetime:
    """Truncate in the wall-clock time of ``zone``. Units of a day or more re-resolve
    the offset (midnight may be in another DST period); smaller ones keep it."""
    unit = _trunc_unit(field, _TIMESTAMPTZ_NAME)
    wall = to_local(ts, zone)
    truncated = _truncate_wall(unit, wall)
    if unit in _SUB_DAY_UNITS:
        return ts - (wall - truncated)
    return from_local(truncated, zone)


def _date_trunc_timestamptz(env: EvalEnv, field: str, ts: datetime) -> datetime:
    return date_trunc_timestamptz(field, ts, session_zone(env.settings.timezone))


def _date_trunc_timestamptz_zone(field: str, ts: datetime, zone: str) -> datetime:
    return date_trunc_timestamptz(field, ts, named_zone(zone))


def _date_trunc_interval(field: str, span: Interval) -> Interval:
    unit = _UNIT_ALIASES.get(field.lower())
    if unit is None or unit not in _TRUNC_UNITS:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            f'unit "{field.lower()}" not recognized for type interval',
        )
    if unit == "week":
        raise _error(
            sqlstates.FEATURE_NOT_SUPPORTED,
            f'unit "{field.lower()}" not supported for type interval',
        )
    years, months, days, hours, minutes, seconds, micro = _interval_parts(span)
    order = [
        "millennium",
        "century",
        "decade",
        "year",
        "quarter",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "milliseconds",
        "microseconds",
    ]
    level = order.index(unit)
    if level <= order.index("year"):
        months = 0
        divisor = {"millennium": 1000, "century": 100, "decade": 10, "year": 1}[unit]
        years = _cdiv(years, divisor) * divisor
    elif unit == "quarter":
        months = _cdiv(months, 3) * 3
    if level <= order.index("month"):
        days = 0
    if level <= order.index("day"):
        hours = 0
    if level <= order.index("hour"):
        minutes = 0
    if level <= order.index("minute"):
        seconds = 0
    if level <= order.index("second"):
        micro = 0
    elif unit == "milliseconds":
        micro = _cdiv(micro, 1000) * 1000
    time_part = ((hours * 60 + minutes) * 60 + seconds) * USECS_PER_SECOND + micro
    return _interval(years * 12 + months, days, time_part)


# --------------------------------------------------------------------------- to_char
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


@dataclass(frozen=True, slots=True)
class _Moment:
    """What to_char() reads: a wall-clock time and, for timestamptz, its zone."""

    wall: datetime
    zone_abbrev: str
    offset_seconds: int


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _offset_text(offset: int, with_minutes: bool) -> str:
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    if with_minutes or minutes:
        return f"{sign}{hours:02d}:{minutes:02d}" if minutes else f"{sign}{hours:02d}"
    return f"{sign}{hours:02d}"


_NumericField = Callable[[_Moment], tuple[int, int]]  # (value, zero-padded width)
_TextField = Callable[[_Moment, bool], str]  # (moment, fill mode) → text


def _hour12(m: _Moment) -> tuple[int, int]:
    return ((m.wall.hour + 11) % 12 + 1, 2)


_NUMERIC_FIELDS: dict[str, _NumericField] = {
    "YYYY": lambda m: (m.wall.year, 4),
    "YYY": lambda m: (m.wall.year % 1000, 3),
    "YY": lambda m: (m.wall.year % 100, 2),
    "Y": lambda m: (m.wall.year % 10, 1),
    "IYYY": lambda m: (m.wall.isocalendar()[0], 4),
    "IYY": lambda m: (m.wall.isocalendar()[0] % 1000, 3),
    "IY": lambda m: (m.wall.isocalendar()[0] % 100, 2),
    "MM": lambda m: (m.wall.month, 2),
    "DDD": lambda m: (m.wall.timetuple().tm_yday, 3),
    "DD": lambda m: (m.wall.day, 2),
    "D": lambda m: (m.wall.isoweekday() % 7 + 1, 1),
    "ID": lambda m: (m.wall.isoweekday(), 1),
    "HH24": lambda m: (m.wall.hour, 2),
    "HH12": _hour12,
    "HH": _hour12,
    "MI": lambda m: (m.wall.minute, 2),
    "SSSSS": lambda m: (m.wall.hour * 3600 + m.wall.minute * 60 + m.wall.second, 1),
    "SSSS": lambda m: (m.wall.hour * 3600 + m.wall.minute * 60 + m.wall.second, 1),
    "SS": lambda m: (m.wall.second, 2),
    "MS": lambda m: (m.wall.microsecond // 1000, 3),
    "US": lambda m: (m.wall.microsecond, 6),
    "FF1": lambda m: (m.wall.microsecond // 100000, 1),
    "FF2": lambda m: (m.wall.microsecond // 10000, 2),
    "FF3": lambda m: (m.wall.microsecond // 1000, 3),
    "FF4": lambda m: (m.wall.microsecond // 100, 4),
    "FF5": lambda m: (m.wall.microsecond // 10, 5),
    "FF6": lambda m: (m.wall.microsecond, 6),
    "IW": lambda m: (m.wall.isocalendar()[1], 2),
    "WW": lambda m: ((m.wall.timetuple().tm_yday - 1) // 7 + 1, 2),
    "W": lambda m: ((m.wall.day - 1) // 7 + 1, 1),
    "Q": lambda m: ((m.wall.month - 1) // 3 + 1, 1),
    "CC": lambda m: ((m.wall.year + 99) // 100, 2),
    "J": lambda m: (m.wall.toordinal() + _JULIAN_OFFSET, 1),
}


def _name_field(
    names: list[str], index: Callable[[_Moment], int], style: str, width: int
) -> _TextField:
    def render(m: _Moment, fill_mode: bool) -> str:
        name = names[index(m)]
        if width == 3:
            name = name[:3]
        if style == "upper":
            name = name.upper()
        elif style == "lower":
            name = name.lower()
        return name if fill_mode or width == 3 else name.ljust(9)

    return render


def _month_index(m: _Moment) -> int:
    return m.wall.month - 1


def _day_index(m: _Moment) -> int:
    return m.wall.isoweekday() % 7


def _meridiem(upper: bool, dotted: bool) -> _TextField:
    def render(m: _Moment, fill_mode: bool) -> str:
        text = "P.M." if m.wall.hour >= 12 else "A.M."
        if not dotted:
            text = text.replace(".", "")
        return text if upper else text.lower()

    return render


_TEXT_FIELDS: dict[str, _TextField] = {
    "MONTH": _name_field(_MONTH_NAMES, _month_index, "upper", 9),
    "Month": _name_field(_MONTH_NAMES, _month_index, "title", 9),
    "month": _name_field(_MONTH_NAMES, _month_index, "lower", 9),
    "MON": _name_field(_MONTH_NAMES, _month_index, "upper", 3),
    "Mon": _name_field(_MONTH_NAMES, _month_index, "title", 3),
    "mon": _name_field(_MONTH_NAMES, _month_index, "lower", 3),
    "DAY": _name_field(_DAY_NAMES, _day_index, "upper", 9),
    "Day": _name_field(_DAY_NAMES, _day_index, "title", 9),
    "day": _name_field(_DAY_NAMES, _day_index, "lower", 9),
    "DY": _name_field(_DAY_NAMES, _day_index, "upper", 3),
    "Dy": _name_field(_DAY_NAMES, _day_index, "title", 3),
    "dy": _name_field(_DAY_NAMES, _day_index, "lower", 3),
    "AM": _meridiem(True, False),
    "PM": _meridiem(True, False),
    "am": _meridiem(False, False),
    "pm": _meridiem(False, False),
    "A.M.": _meridiem(True, True),
    "P.M.": _meridiem(True, True),
    "a.m.": _meridiem(False, True),
    "p.m.": _meridiem(False, True),
    "AD": lambda m, fm: "AD",
    "ad": lambda m, fm: "ad",
    "A.D.": lambda m, fm: "A.D.",
    "a.d.": lambda m, fm: "a.d.",
    "TZ": lambda m, fm: m.zone_abbrev.upper(),
    "tz": lambda m, fm: m.zone_abbrev.lower(),
    "OF": lambda m, fm: _offset_text(m.offset_seconds, False),
    "TZH": lambda m, fm: _offset_text(m.offset_seconds, False)[:3],
    "TZM": lambda m, fm: f"{abs(m.offset_seconds) // 60 % 60:02d}",
}
# Numeric patterns also work in lower case (yyyy, hh24, mi, …).
_NUMERIC_PATTERNS = {**_NUMERIC_FIELDS, **{k.lower(): v for k, v in _NUMERIC_FIELDS.items()}}
_DATETIME_PATTERNS = sorted(
    set(_NUMERIC_PATTERNS) | set(_TEXT_FIELDS) | {"Y,YYY", "y,yyy"}, key=len, reverse=True
)


def _format_moment(moment: _Moment, template: str) -> str:
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        fill_mode = False
        if template.startswith(("FM", "fm"), i):
            fill_mode = True
            i += 2
        c = template[i] if i < n else ""
        if c == '"':
            close = i + 1
            while close < n and template[close] != '"':
                if template[close] == "\\" and close + 1 < n:
                    close += 1
                out.append(template[close])
                close += 1
            i = close + 1
            continue
        if c == "\\" and i + 1 < n:
            out.append(template[i + 1])
            i += 2
            continue
        for pattern in _DATETIME_PATTERNS:
            if template.startswith(pattern, i):
                break
        else:
            out.append(c)
            i += 1
            continue
        i += len(pattern)
        if pattern in ("Y,YYY", "y,yyy"):
            year = moment.wall.year
            out.append(f"{year // 1000},{year % 1000:03d}")
            continue
        numeric = _NUMERIC_PATTERNS.get(pattern)
        if numeric is None:
            out.append(_TEXT_FIELDS[pattern](moment, fill_mode))
            continue
        value, width = numeric(moment)
        out.append(str(value) if fill_mode else str(value).zfill(width))
        if template.startswith(("TH", "th"), i):
            suffix = _ordinal_suffix(value)
            out.append(suffix.upper() if template[i] == "T" else suffix)
            i += 2
    return "".join(out)


def _to_char_timestamp(ts: datetime, template: str) -> str:
    return _format_moment(_Moment(ts, "", 0), template)


def _to_char_timestamptz(env: EvalEnv, ts: datetime, template: str) -> str:
    zone = session_zone(env.settings.timezone)
    local = ts.astimezone(zone)
    offset = int((local.utcoffset() or timedelta(0)).total_seconds())
    abbrev = local.tzname() or ""
    return _format_moment(_Moment(local.replace(tzinfo=None), abbrev, offset), template)


def _to_char_interval(span: Interval, template: str) -> str:
    years, months, days, hours, minutes, seconds, micro = _interval_parts(span)
    # to_char(interval) formats the interval's fields as if they were a timestamp's.
    wall = datetime(max(years, 1), max(months, 1), 1)
    moment = _Moment(wall, "", 0)
    replaced = {
        "HH24": (hours, 2),
        "HH": (hours, 2),
        "HH12": (hours, 2),
        "MI": (minutes, 2),
        "SS": (seconds, 2),
        "MS": (micro // 1000, 3),
        "US": (micro, 6),
        "DD": (days, 2),
        "MM": (months, 2),
        "YYYY": (years, 4),
        "DDD": (days, 3),
    }
    out: list[str] = []
    i, n = 0, len(template)
    while i < n:
        fill_mode = template.startswith("FM", i)
        if fill_mode:
            i += 2
        for pattern in sorted(replaced, key=len, reverse=True):
            if template.startswith(pattern, i) or template.startswith(pattern.lower(), i):
                value, width = replaced[pattern]
                out.append(str(value) if fill_mode else str(value).zfill(width))
                i += len(pattern)
                break
        else:
            out.append(_format_moment(moment, template[i]) if i < n else "")
            i += 1
    return "".join(out)


_NUMBER_PATTERN = re.compile(r"(?i:FM|EEEE|MI|PL|SG)|9|0|\.|D|d|,|G|g|S|s|.", re.S)


def _to_char_number(value: Decimal, template: str, half_even: bool = False) -> str:
    """to_char(number, text) for the common patterns: 9 0 . D , G S MI PL SG FM EEEE.

    The value is rounded to the pattern's fraction digits; integer digits beyond the
    pattern's turn every digit into '#'. Leading blanks stand for unused '9's; the sign
    (blank when positive, unless FM) sits right before the first printed character,
    or where MI/SG/PL put it. A zero integer part prints only when nothing follows the
    point (``'   0'``, and with FM ``'0.'``).
    """
    tokens = _NUMBER_PATTERN.findall(template)
    fill_mode = any(t.upper() == "FM" for t in tokens)
    tokens = [t for t in tokens if t.upper() != "FM"]
    if not tokens:
        return ""
    point = next((i for i, t in enumerate(tokens) if t in (".", "D", "d")), len(tokens))
    int_positions = [i for i in range(point) if tokens[i] in ("9", "0")]
    frac_tokens = [t for t in tokens[point + 1 :] if t in ("9", "0")]
    magnitude = value.copy_abs()
    if any(t.upper() == "EEEE" for t in tokens):
        text = f"{float(magnitude):.{len(frac_tokens)}e}"
        mantissa, exponent = text.split("e")
        return ("-" if value < 0 else " ") + f"{mantissa}e{int(exponent):+03d}"
    if magnitude.is_finite():
        rounding = ROUND_HALF_EVEN if half_even else ROUND_HALF_UP
        rounded = magnitude.quantize(Decimal(1).scaleb(-len(frac_tokens)), rounding=rounding)
        int_text, _, frac_text = f"{rounded:f}".partition(".")
        is_zero = not rounded
    else:
        int_text, frac_text, is_zero = "9" * (len(int_positions) + 1), "", False
    negative = value < 0 and not is_zero
    overflow = len(int_text) > len(int_positions)
    frac_text = frac_text.ljust(len(frac_tokens), "0")
    frac_keep = len(frac_text)
    if fill_mode and not overflow:
        # FM drops trailing zeros standing in '9' fraction positions.
        while frac_keep and frac_tokens[frac_keep - 1] == "9" and frac_text[frac_keep - 1] == "0":
            frac_keep -= 1
    if int_text == "0" and frac_keep:
        int_text = ""
    upper = [t.upper() for t in tokens]
    implicit_sign = not any(t in ("S", "MI", "SG") for t in upper)
    lead = ("-" if negative else ("" if fill_mode else " ")) if implicit_sign else ""
    if "S" in upper:
        lead += "-" if negative else "+"
    first_zero = next(
        (k for k, i in enumerate(int_positions) if tokens[i] == "0"), len(int_positions)
    )
    digit_start = len(int_positions) - len(int_text)
    started_at = min(digit_start, first_zero)
    out: list[str] = []
    lead_placed = False
    int_index = frac_index = 0
    for position, token in enumerate(tokens):
        kind = upper[position]
        if token in ("9", "0") and position < point:
            k = int_index
            int_index += 1
            if not overflow and k < started_at:
                if not fill_mode:
                    out.append(" ")
                continue
            if not lead_placed:
                out.append(lead)
                lead_placed = True
            if overflow:
                out.append("#")
            else:
                out.append(int_text[k - digit_start] if k >= digit_start else "0")
        elif position == point:
            if frac_tokens or overflow:
                if not lead_placed:
                    out.append(lead)
                    lead_placed = True
                out.append(".")
        elif token in ("9", "0"):
            if frac_index < frac_keep:
                out.append("#" if overflow else frac_text[frac_index])
            frac_index += 1
        elif kind in (",", "G"):
            if position < point and not overflow and int_index <= started_at:
                if not fill_mode:
                    out.append(" ")
            else:
                out.append(",")
        elif kind == "S":
            continue
        elif kind == "MI":
            out.append("-" if negative else ("" if fill_mode else " "))
        elif kind == "PL":
            out.append("+" if not negative else ("" if fill_mode else " "))
        elif kind == "SG":
            out.append("-" if negative else "+")
        else:
            out.append(token)
    if not lead_placed:
        out.append(lead)
    return "".join(out)


def _to_char_numeric(value: Decimal, template: str) -> str:
    return _to_char_number(value, template)


def _to_char_int(value: int, template: str) -> str:
    return _to_char_number(Decimal(value), template)


def _to_char_float(value: float, template: str) -> str:
    if not math.isfinite(value):
        return _to_char_number(Decimal(str(value)), template)
    return _to_char_number(Decimal(value), template, half_even=True)


# =======================================================================================
# JSON and JSONB
# =======================================================================================
#: jsonb values are parsed Python values (dict, list, str, int, Decimal, bool). JSON null
#: is ``None`` inside arrays and objects, and this sentinel as a whole value
#: (``'{"a":null}' -> 'a'`` is not SQL NULL); :func:`_jsonb_inner` converts on the way in.
JSONB_NULL: Any = T.JSON_NULL
_MISSING: Any = object()
_JSON_DECODER = json.JSONDecoder(parse_float=Decimal)
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_error(message: str) -> TideError:
    return _error(sqlstates.INVALID_PARAMETER_VALUE, message)


def json_string(s: str) -> str:
    """A JSON string literal, escaped as PostgreSQL's escape_json does."""
    return json.dumps(s, ensure_ascii=False)


def jsonb_key_order(key: str) -> tuple[int, bytes]:
    """jsonb stores object keys shorter first, then bytewise."""
    encoded = key.encode()
    return len(encoded), encoded


def jsonb_text(value: Any) -> str:
    """jsonb's output text: ``{"a": 1, "b": [1, 2]}``, keys in jsonb order."""
    return str(T.format_value(value, JSONB))


def _jsonb_pretty(value: Any, indent: int = 0) -> str:
    pad = "    " * (indent + 1)
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: jsonb_key_order(kv[0]))
        body = ",\n".join(
            f"{pad}{json_string(k)}: {_jsonb_pretty(v, indent + 1)}" for k, v in items
        )
        return "{\n" + (body + "\n" if body else "") + "    " * indent + "}"
    if isinstance(value, list):
        body = ",\n".join(f"{pad}{_jsonb_pretty(v, indent + 1)}" for v in value)
        return "[\n" + (body + "\n" if body else "") + "    " * indent + "]"
    return jsonb_text(value)


def _jsonb_pretty_top(value: Any) -> str:
    return _jsonb_pretty(value)


def _jsonb_rank(value: Any) -> int:
    # Null < String < Number < Boolean < Array < Object.
    if value is None or value is JSONB_NULL:
        return 0
    if isinstance(value, str):
        return 1
    if isinstance(value, bool):
        return 3
    if isinstance(value, list):
        return 4
    if isinstance(value, dict):
        return 5
    return 2


#: jsonb's btree order (types.py's compareJsonbContainers), shared with ORDER BY.
jsonb_sort_key: Callable[[Any], Any] = T.sort_key(JSONB)


def _jsonb_inner(value: Any) -> Any:
    """A jsonb value as an element of an array or object (JSON null is ``None`` there)."""
    return None if value is JSONB_NULL else value


def _jsonb_whole(value: Any) -> Any:
    """A jsonb value as a whole (JSON null is the JSONB_NULL sentinel)."""
    return JSONB_NULL if value is None else value


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _jsonb_deep_contains(a: Any, b: Any) -> bool:
    if isinstance(b, dict):
        if not isinstance(a, dict):
            return False
        for key, wanted in b.items():
            if key not in a:
                return False
            have = a[key]
            if _is_container(wanted) or _is_container(have):
                if type(have) is not type(wanted) or not _jsonb_deep_contains(have, wanted):
                    return False
            elif not _jsonb_eq(have, wanted):
                return False
        return True
    if isinstance(b, list):
        if not isinstance(a, list):
            return False
        for wanted in b:
            if _is_container(wanted):
                if not any(
                    type(have) is type(wanted) and _jsonb_deep_contains(have, wanted) for have in a
                ):
                    return False
            elif not any(not _is_container(have) and _jsonb_eq(have, wanted) for have in a):
                return False
        return True
    return not _is_container(a) and _jsonb_eq(a, b)


def jsonb_contains(a: Any, b: Any) -> bool:
    """``a @> b``. At the top level an array contains a bare scalar it holds."""
    if isinstance(a, list) and not _is_container(b):
        return any(not _is_container(have) and _jsonb_eq(have, b) for have in a)
    return _jsonb_deep_contains(a, b)


def _jsonb_contained(a: Any, b: Any) -> bool:
    return jsonb_contains(b, a)


def _jsonb_exists(value: Any, key: str) -> bool:
    if isinstance(value, dict):
        return key in value
    if isinstance(value, list):
        return any(isinstance(v, str) and v == key for v in value)
    return isinstance(value, str) and value == key


def _jsonb_exists_any(value: Any, keys: list[str | None]) -> bool:
    return any(k is not None and _jsonb_exists(value, k) for k in keys)


def _jsonb_exists_all(value: Any, keys: list[str | None]) -> bool:
    return all(k is None or _jsonb_exists(value, k) for k in keys)


def _jsonb_out(value: Any) -> Any:
    """A jsonb result: a missing element is SQL NULL, a JSON null is JSONB_NULL."""
    if value is _MISSING:
        return None
    if value is None:
        return JSONB_NULL
    return value


def _jsonb_text_out(value: Any) -> str | None:
    """A ->> result: strings unquoted, JSON null and missing elements SQL NULL."""
    if value is _MISSING or value is None or value is JSONB_NULL:
        return None
    if isinstance(value, str):
        return value
    return jsonb_text(value)


def _jsonb_field(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key, _MISSING)
    return _MISSING


def _jsonb_element(value: Any, index: int) -> Any:
    if isinstance(value, list):
        if index < 0:
            index += len(value)
        return value[index] if 0 <= index < len(value) else _MISSING
    return _MISSING


def _jsonb_path(value: Any, path: list[str | None]) -> Any:
    for step in path:
        if step is None:
            return _MISSING
        if isinstance(value, dict):
            value = value.get(step, _MISSING)
        elif isinstance(value, list):
            try:
                index = int(step)
            except ValueError:
                return _MISSING
            value = _jsonb_element(value, index)
        else:
            return _MISSING
        if value is _MISSING:
            return value
    return value


def _jsonb_get_field(value: Any, key: str) -> Any:
    return _jsonb_out(_jsonb_field(value, key))


def _jsonb_get_field_text(value: Any, key: str) -> str | None:
    return _jsonb_text_out(_jsonb_field(value, key))


def _jsonb_get_element(value: Any, index: int) -> Any:
    return _jsonb_out(_jsonb_element(value, index))


def _jsonb_get_element_text(value: Any, index: int) -> str | None:
    if not isinstance(value, list | dict) and index in (0, -1):
        # A scalar is a one-element raw array for ->> 0.
        return _jsonb_text_out(value)
    return _jsonb_text_out(_jsonb_element(value, index))


def _jsonb_get_path(value: Any, path: list[str | None]) -> Any:
    return _jsonb_out(_jsonb_path(value, path))


def _jsonb_get_path_text(value: Any, path: list[str | None]) -> str | None:
    return _jsonb_text_out(_jsonb_path(value, path))


def _jsonb_extract_path(value: Any, *path: str | None) -> Any:
    return _jsonb_out(_jsonb_path(value, list(path)))


def _jsonb_extract_path_text(value: Any, *path: str | None) -> str | None:
    return _jsonb_text_out(_jsonb_path(value, list(path)))


def _jsonb_concat(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b}
    left = a if isinstance(a, list) else [_jsonb_inner(a)]
    right = b if isinstance(b, list) else [_jsonb_inner(b)]
    return left + right


def _jsonb_delete_key(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != key}
    if isinstance(value, list):
        return [v for v in value if not (isinstance(v, str) and v == key)]
    raise _json_error("cannot delete from scalar")


def _jsonb_delete_keys(value: Any, keys: list[str | None]) -> Any:
    for key in keys:
        if key is not None:
            value = _jsonb_delete_key(value, key)
    return value


def _jsonb_delete_index(value: Any, index: int) -> Any:
    if isinstance(value, dict):
        raise _json_error("cannot delete from object using integer index")
    if not isinstance(value, list):
        raise _json_error("cannot delete from scalar")
    if index < 0:
        index += len(value)
    if not 0 <= index < len(value):
        return value
    return value[:index] + value[index + 1 :]


def _path_index(step: str, position: int) -> int:
    try:
        return int(step)
    except ValueError:
        raise _error(
            sqlstates.INVALID_TEXT_REPRESENTATION,
            f'path element at position {position} is not an integer: "{step}"',
        ) from None


def _jsonb_delete_path(value: Any, path: list[str | None]) -> Any:
    if not isinstance(value, dict | list):
        raise _json_error("cannot delete path in scalar")
    if not path:
        return value

    def remove(node: Any, depth: int) -> Any:
        step = path[depth]
        if step is None:
            raise _error(
                NULL_VALUE_NOT_ALLOWED,
                f"path element at position {depth + 1} is null",
            )
        last = depth == len(path) - 1
        if isinstance(node, dict):
            if step not in node:
                return node
            if last:
                return {k: v for k, v in node.items() if k != step}
            return {**node, step: remove(node[step], depth + 1)}
        if isinstance(node, list):
            index = _path_index(step, depth + 1)
            if index < 0:
                index += len(node)
            if not 0 <= index < len(node):
                return node
            if last:
                return node[:index] + node[index + 1 :]
            return [*node[:index], remove(node[index], depth + 1), *node[index + 1 :]]
        return node

    return remove(value, 0)


def _jsonb_set(
    value: Any, path: list[str | None], new: Any, create_missing: bool | None = True
) -> Any:
    """jsonb_set(target, path, new_value[, create_missing]): replace (or add, as the
    last path step) one element; out-of-range array indexes append or prepend."""
    if not isinstance(value, dict | list):
        raise _json_error("cannot set path in scalar")
    if not path:
        return value
    create = bool(create_missing)
    new = _jsonb_inner(new)

    def assign(node: Any, depth: int) -> Any:
        step = path[depth]
        if step is None:
            raise _error(
                NULL_VALUE_NOT_ALLOWED,
                f"path element at position {depth + 1} is null",
            )
        last = depth == len(path) - 1
        if isinstance(node, dict):
            if step in node:
                return {**node, step: new if last else assign(node[step], depth + 1)}
            if last and create:
                return {**node, step: new}
            return node
        if isinstance(node, list):
            index = _path_index(step, depth + 1)
            if index < 0:
                index += len(node)
            if 0 <= index < len(node):
                replacement = new if last else assign(node[index], depth + 1)
                return [*node[:index], replacement, *node[index + 1 :]]
            if last and create:
                return [new, *node] if index < 0 else [*node, new]
            return node
        return node

    return assign(value, 0)


def _jsonb_set_default(value: Any, path: list[str | None], new: Any) -> Any:
    return _jsonb_set(value, path, new, True)


def _jsonb_strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonb_strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_jsonb_strip_nulls(v) for v in value]
    return value


_JSON_TYPE_NAMES = {0: "null", 1: "string", 2: "number", 3: "boolean", 4: "array", 5: "object"}


def _jsonb_typeof(value: Any) -> str:
    return _JSON_TYPE_NAMES[_jsonb_rank(value)]


def _jsonb_array_length(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    if isinstance(value, dict):
        raise _json_error("cannot get array length of a non-array")
    raise _json_error("cannot get array length of a scalar")


# --------------------------------------------------------------------------- json (text)
def _json_skip(text: str, i: int) -> int:
    match = _JSON_SPACE.match(text, i)
    return match.end() if match else i


def _json_value_end(text: str, i: int) -> int:
    try:
        _, end = _JSON_DECODER.raw_decode(text, i)
    except json.JSONDecodeError:
        raise _error(
            sqlstates.INVALID_TEXT_REPRESENTATION, "invalid input syntax for type json"
        ) from None
    return int(end)


def _json_members(text: str) -> Iterator[tuple[str, int, int]]:
    """(key, start, end) of each member of a JSON object text, in order."""
    i = _json_skip(text, 0)
    if not text.startswith("{", i):
        return
    i = _json_skip(text, i + 1)
    if text.startswith("}", i):
        return
    while True:
        key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
        i = _json_skip(text, i) + 1  # the colon
        start = _json_skip(text, i)
        end = _json_value_end(text, start)
        yield key, start, end
        i = _json_skip(text, end)
        if not text.startswith(",", i):
            return
        i = _json_skip(text, i + 1)


def _json_elements(text: str) -> list[tuple[int, int]] | None:
    i = _json_skip(text, 0)
    if not text.startswith("[", i):
        return None
    spans: list[tuple[int, int]] = []
    i = _json_skip(text, i + 1)
    if text.startswith("]", i):
        return spans
    while True:
        start = i
        end = _json_value_end(text, start)
        spans.append((start, end))
        i = _json_skip(text, end)
        if not text.startswith(",", i):
            return spans
        i = _json_skip(text, i + 1)


def _json_field(text: str, key: str) -> str | None:
    found: str | None = None
    for name, start, end in _json_members(text):
        if name == key:
            found = text[start:end]
    return found


def _json_element(text: str, index: int) -> str | None:
    spans = _json_elements(text)
    if spans is None:
        return None
    if index < 0:
        index += len(spans)
    if not 0 <= index < len(spans):
        return None
    start, end = spans[index]
    return text[start:end]


def _json_path(text: str | None, path: list[str | None]) -> str | None:
    for step in path:
        if text is None or step is None:
            return None
        first = text[_json_skip(text, 0) : _json_skip(text, 0) + 1]
        if first == "{":
            text = _json_field(text, step)
        elif first == "[":
            try:
                text = _json_element(text, int(step))
            except ValueError:
                return None
        else:
            return None
    return text


def _json_as_text(raw: str | None) -> str | None:
    if raw is None:
        return None
    raw = raw.strip(" \t\n\r")
    if raw == "null":
        return None
    if raw.startswith('"'):
        value: str = json.loads(raw)
        return value
    return raw


def _json_get_field(text: str, key: str) -> str | None:
    return _json_field(text, key)


def _json_get_field_text(text: str, key: str) -> str | None:
    return _json_as_text(_json_field(text, key))


def _json_get_element(text: str, index: int) -> str | None:
    return _json_element(text, index)


def _json_get_element_text(text: str, index: int) -> str | None:
    return _json_as_text(_json_element(text, index))


def _json_get_path(text: str, path: list[str | None]) -> str | None:
    return _json_path(text, path)


def _json_get_path_text(text: str, path: list[str | None]) -> str | None:
    return _json_as_text(_json_path(text, path))


def _json_extract_path(text: str, *path: str | None) -> str | None:
    return _json_path(text, list(path))


def _json_extract_path_text(text: str, *path: str | None) -> str | None:
    return _json_as_text(_json_path(text, list(path)))


def _json_typeof(text: str) -> str:
    first = text[_json_skip(text, 0) : _json_skip(text, 0) + 1]
    return {
        "{": "object",
        "[": "array",
        '"': "string",
        "t": "boolean",
        "f": "boolean",
        "n": "null",
    }.get(first, "number")


def _json_array_length(text: str) -> int:
    spans = _json_elements(text)
    if spans is None:
        kind = _json_typeof(text)
        raise _json_error(
            "cannot get array length of a non-array"
            if kind == "object"
            else "cannot get array length of a scalar"
        )
    return len(spans)


def _json_strip_nulls(text: str) -> str:
    return json.dumps(
        _jsonb_strip_nulls(json.loads(text, parse_float=Decimal)), separators=(",", ":")
    )


# --------------------------------------------------------------------------- to_json(b)
JsonbConverter = Callable[[Any, FormatSettings], Any]
JsonConverter = Callable[[Any, FormatSettings], str]
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


def _iso_timestamp(ts: datetime) -> str:
    text = ts.isoformat()
    if ts.microsecond:
        head, _, fraction = text.partition(".")
        text = head + "." + fraction.rstrip("0")
    return text


def _iso_timestamptz(ts: datetime, settings: FormatSettings) -> str:
    """ISO 8601 with the session zone's offset, as to_json() writes a timestamptz."""
    local = ts.astimezone(session_zone(settings.timezone))
    offset = int((local.utcoffset() or timedelta(0)).total_seconds())
    hours, minutes = divmod(abs(offset) // 60, 60)
    sign = "-" if offset < 0 else "+"
    return f"{_iso_timestamp(local.replace(tzinfo=None))}{sign}{hours:02d}:{minutes:02d}"


def _decimal_from_float_text(text: str) -> Decimal:
    number = Decimal(text)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        number = number.quantize(_NUMERIC_ONE, context=_NUM)
    return number


def to_jsonb_converter(t: SqlType) -> JsonbConverter:
    """How ``to_jsonb`` turns a value of ``t`` into a jsonb value."""
    oid = t.oid
    if t.element is not None and t.category == "A":
        element = to_jsonb_converter(t.element)
        nested = _holds_nested(t.element)

        def array(value: Any, settings: FormatSettings) -> Any:
            return [
                None
                if v is None
                else array(v, settings)
                if nested and isinstance(v, list)
                else element(v, settings)
                for v in value
            ]

        return array
    if oid == BOOL.oid or oid in _INT_RANGES:
        return lambda v, s: v
    if oid == JSONB.oid:
        return lambda v, s: _jsonb_inner(v)
    if oid == NUMERIC.oid:
        return lambda v, s: v if v.is_finite() else str(v).replace("Infinity", "Infinity")
    if oid in (FLOAT4.oid, FLOAT8.oid):
        formatter = text_formatter(t)

        def floating(value: Any, settings: FormatSettings) -> Any:
            if not math.isfinite(value):
                return formatter(value, settings)
            return _decimal_from_float_text(repr(value))

        return floating
    if oid == JSON.oid:
        return lambda v, s: json.loads(v, parse_float=Decimal)
    if oid == DATE.oid:
        return lambda v, s: v.isoformat()
    if oid == TIMESTAMP.oid:
        return lambda v, s: _iso_timestamp(v)
    if oid == TIMESTAMPTZ.oid:
        return _iso_timestamptz
    if oid in _TEXTUAL_OIDS:
        return lambda v, s: v
    return text_formatter(t)


def to_json_converter(t: SqlType) -> JsonConverter:
    """How ``to_json`` turns a value of ``t`` into JSON text."""
    oid = t.oid
    if t.element is not None and t.category == "A":
        element = to_json_converter(t.element)
        nested = _holds_nested(t.element)

        def array(value: Any, settings: FormatSettings) -> str:
            items = (
                "null"
                if v is None
                else array(v, settings)
                if nested and isinstance(v, list)
                else element(v, settings)
                for v in value
            )
            return "[" + ",".join(items) + "]"

        return array
    if oid == BOOL.oid:
        return lambda v, s: "true" if v else "false"
    if oid == JSON.oid:
        return lambda v, s: str(v)
    if oid == JSONB.oid:
        return lambda v, s: jsonb_text(v)
    if oid in _INT_RANGES or oid in (NUMERIC.oid, FLOAT4.oid, FLOAT8.oid):
        formatter = text_formatter(t)

        def number(value: Any, settings: FormatSettings) -> str:
            text = formatter(value, settings)
            return text if _JSON_NUMBER.match(text) else json_string(text)

        return number
    jsonb = to_jsonb_converter(t)
    return lambda v, s: json_string(str(jsonb(v, s)))


def _to_jsonb_factory(types: tuple[SqlType, ...]) -> Impl:
    convert = to_jsonb_converter(types[0])

    def to_jsonb(env: EvalEnv, value: Any) -> Any:
        return _jsonb_whole(convert(value, env.settings))

    return to_jsonb


def _to_json_factory(types: tuple[SqlType, ...]) -> Impl:
    convert = to_json_converter(types[0])

    def to_json(env: EvalEnv, value: Any) -> str:
        return convert(value, env.settings)

    return to_json


def _object_key(value: Any, position: int, formatter: Formatter, settings: FormatSettings) -> str:
    if value is None:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE, f"argument {position}: key must not be null"
        )
    return formatter(value, settings)


def _check_pairs(types: tuple[SqlType, ...], name: str) -> None:
    if len(types) % 2:
        raise _error(
            sqlstates.INVALID_PARAMETER_VALUE,
            "argument list must have even number of elements",
            f"The arguments of {name}() must consist of alternating keys and values.",
        )


def _jsonb_build_object_factory(types: tuple[SqlType, ...]) -> Impl:
    _check_pairs(types, "jsonb_build_object")
    keys = [text_formatter(t) for t in types[0::2]]
    values = [to_jsonb_converter(t) for t in types[1::2]]

    def build(env: EvalEnv, *args: Any) -> Any:
        settings = env.settings
        out: dict[str, Any] = {}
        for i, (key_format, convert) in enumerate(zip(keys, values, strict=True)):
            key = _object_key(args[2 * i], 2 * i + 1, key_format, settings)
            value = args[2 * i + 1]
            out[key] = None if value is None else convert(value, settings)
        return out

    return build


def _json_build_object_factory(types: tuple[SqlType, ...]) -> Impl:
    _check_pairs(types, "json_build_object")
    keys = [text_formatter(t) for t in types[0::2]]
    values = [to_json_converter(t) for t in types[1::2]]

    def build(env: EvalEnv, *args: Any) -> str:
        settings = env.settings
        parts: list[str] = []
        for i, (key_format, convert) in enumerate(zip(keys, values, strict=True)):
            key = _object_key(args[2 * i], 2 * i + 1, key_format, settings)
            value = args[2 * i + 1]
            parts.append(
                json_string(key) + " : " + ("null" if value is None else convert(value, settings))
            )
        return "{" + ", ".join(parts) + "}"

    return build


def _jsonb_build_array_factory(types: tuple[SqlType, ...]) -> Impl:
    converters = [to_jsonb_converter(t) for t in types]

    def build(env: EvalEnv, *args: Any) -> Any:
        settings = env.settings
        return [
            None if v is None else c(v, settings) for c, v in zip(converters, args, strict=True)
        ]

    return build


def _json_build_array_factory(types: tuple[SqlType, ...]) -> Impl:
    converters = [to_json_converter(t) for t in types]

    def build(env: EvalEnv, *args: Any) -> str:
        settings = env.settings
        return (
            "["
            + ", ".join(
                "null" if v is None else c(v, settings)
                for c, v in zip(converters, args, strict=True)
            )
            + "]"
        )

    return build


def _empty_jsonb_object() -> Any:
    return {}


def _empty_jsonb_array() -> Any:
    return []


def _empty_json_object() -> str:
    return "{}"


def _empty_json_array() -> str:
    return "[]"


# =======================================================================================
# Comparison families
# =======================================================================================
_COMPARISON_OPS = ("=", "<>", "<", "<=", ">", ">=")
_PYTHON_COMPARISONS: dict[str, Impl] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLOAT_COMPARISONS: dict[str, Impl] = {
    "=": _float_eq,
    "<>": _float_ne,
    "<": _float_lt,
    "<=": _float_le,
    ">": _float_gt,
    ">=": _float_ge,
}
_NUMERIC_COMPARISONS: dict[str, Impl] = {
    "=": _numeric_eq,
    "<>": _numeric_ne,
    "<": _numeric_lt,
    "<=": _numeric_le,
    ">": _numeric_gt,
    ">=": _numeric_ge,
}


def _keyed_comparisons(key: Callable[[Any], Any]) -> dict[str, Impl]:
    def eq(a: Any, b: Any) -> bool:
        return bool(key(a) == key(b))

    def ne(a: Any, b: Any) -> bool:
        return bool(key(a) != key(b))

    def lt(a: Any, b: Any) -> bool:
        return bool(key(a) < key(b))

    def le(a: Any, b: Any) -> bool:
        return bool(key(a) <= key(b))

    def gt(a: Any, b: Any) -> bool:
        return bool(key(a) > key(b))

    def ge(a: Any, b: Any) -> bool:
        return bool(key(a) >= key(b))

    return {"=": eq, "<>": ne, "<": lt, "<=": le, ">": gt, ">=": ge}


def _strip_padding(s: str) -> str:
    return s.rstrip(" ")


#: character(n) compares without its trailing spaces.
_BPCHAR_COMPARISONS = _keyed_comparisons(_strip_padding)
_JSONB_COMPARISONS = _keyed_comparisons(jsonb_sort_key)
_jsonb_eq = _JSONB_COMPARISONS["="]

#: Types whose Python values already order as PostgreSQL orders them.
# fmt: off
_PLAIN_ORDERED_OIDS = frozenset(t.oid for t in (
    BOOL, INT2, INT4, INT8, OID, TEXT, VARCHAR, NAME, CHAR, BYTEA, DATE, TIME, TIMESTAMP,
    TIMESTAMPTZ, INTERVAL, UUID,
))
# fmt: on


def comparison_impls(t: SqlType) -> dict[str, Impl] | None:
    """``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=`` between two values of ``t`` (None if
    the type has no ordering). Used by the operator table, arrays and min()/max()."""
    oid = t.oid
    if t.element is not None and t.category == "A":
        return _array_comparisons(t.element)
    if oid in (FLOAT4.oid, FLOAT8.oid):
        return _FLOAT_COMPARISONS
    if oid == NUMERIC.oid:
        return _NUMERIC_COMPARISONS
    if oid == BPCHAR.oid:
        return _BPCHAR_COMPARISONS
    if oid == JSONB.oid:
        return _JSONB_COMPARISONS
    if oid in _PLAIN_ORDERED_OIDS:
        return _PYTHON_COMPARISONS
    return None


# =======================================================================================
# Arrays (values are Python lists; multi-dimensional arrays are nested lists)
# =======================================================================================
def _holds_nested(element: SqlType) -> bool:
    """Whether nested lists in an array of ``element`` are sub-arrays (not values)."""
    return element.oid not in (JSONB.oid, JSON.oid)


def _flatten(value: list[Any], nested: bool) -> list[Any]:
    if not nested or not value or not isinstance(value[0], list):
        return value
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item, nested) if isinstance(item, list) else [item])
    return out


def array_dimensions(value: list[Any], nested: bool) -> list[int]:
    dims: list[int] = []
    current: Any = value
    while isinstance(current, list):
        dims.append(len(current))
        if not nested or not current:
            break
        current = current[0]
    return dims if value else []


@lru_cache(maxsize=256)
def _array_comparisons(element: SqlType) -> dict[str, Impl]:
    """PostgreSQL's array_cmp: element by element (NULL sorts after any value, NULLs are
    equal to each other), then the shorter array first, then by dimensions."""
    impls = comparison_impls(element) or _PYTHON_COMPARISONS
    eq, lt = impls["="], impls["<"]
    nested = _holds_nested(element)

    def compare(a: list[Any], b: list[Any]) -> int:
        flat_a, flat_b = _flatten(a, nested), _flatten(b, nested)
        for x, y in zip(flat_a, flat_b, strict=False):
            if x is None or y is None:
                if x is None and y is None:
                    continue
                return 1 if x is None else -1
            if eq(x, y):
                continue
            return -1 if lt(x, y) else 1
        if len(flat_a) != len(flat_b):
            return -1 if len(flat_a) < len(flat_b) else 1
        dims_a, dims_b = array_dimensions(a, nested), array_dimensions(b, nested)
        if dims_a != dims_b:
            return -1 if (len(dims_a), dims_a) < (len(dims_b), dims_b) else 1
        return 0

    return {
        "=": lambda a, b: compare(a, b) == 0,
        "<>": lambda a, b: compare(a, b) != 0,
        "<": lambda a, b: compare(a, b) < 0,
        "<=": lambda a, b: compare(a, b) <= 0,
        ">": lambda a, b: compare(a, b) > 0,
        ">=": lambda a, b: compare(a, b) >= 0,
    }


def _element_equality(element: SqlType) -> Impl:
    impls = comparison_impls(element)
    return impls["="] if impls is not None else operator.eq


def _array_comparison_factory(op: str) -> Callable[[tuple[SqlType, ...]], Impl]:
    def build(types: tuple[SqlType, ...]) -> Impl:
        element = types[0].element
        return _array_comparisons(element if element is not None else TEXT)[op]

    return build


def _array_element_type(types: tuple[SqlType, ...], position: int = 0) -> SqlType:
    element = types[position].element
    return element if element is not None else TEXT


def _array_contains_factory(types: tuple[SqlType, ...]) -> Impl:
    element = _array_element_type(types)
    eq, nested = _element_equality(element), _holds_nested(element)

    def contains(a: list[Any], b: list[Any]) -> bool:
        flat_a = [x for x in _flatten(a, nested) if x is not None]
        for y in _flatten(b, nested):
            if y is None or not any(eq(x, y) for x in flat_a):
                return False
        return True

    return contains


def _array_contained_factory(types: tuple[SqlType, ...]) -> Impl:
    contains = _array_contains_factory(types)
    return lambda a, b: contains(b, a)


def _array_overlap_factory(types: tuple[SqlType, ...]) -> Impl:
    element = _array_element_type(types)
    eq, nested = _element_equality(element), _holds_nested(element)

    def overlap(a: list[Any], b: list[Any]) -> bool:
        flat_b = [y for y in _flatten(b, nested) if y is not None]
        return any(x is not None and any(eq(x, y) for y in flat_b) for x in _flatten(a, nested))

    return overlap


def _array_append(a: list[Any] | None, item: Any) -> list[Any]:
    return [*(a or []), item]


def _array_prepend(item: Any, a: list[Any] | None) -> list[Any]:
    return [item, *(a or [])]


def _array_cat(a: list[Any] | None, b: list[Any] | None) -> list[Any] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _array_length_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_length(a: list[Any], dimension: int) -> int | None:
        dims = array_dimensions(a, nested)
        return dims[dimension - 1] if 1 <= dimension <= len(dims) else None

    return array_length


def _array_lower_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_lower(a: list[Any], dimension: int) -> int | None:
        return 1 if 1 <= dimension <= len(array_dimensions(a, nested)) else None

    return array_lower


def _array_ndims_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_ndims(a: list[Any]) -> int | None:
        return len(array_dimensions(a, nested)) or None

    return array_ndims


def _array_dims_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def array_dims(a: list[Any]) -> str | None:
        dims = array_dimensions(a, nested)
        return "".join(f"[1:{d}]" for d in dims) or None

    return array_dims


def _cardinality_factory(types: tuple[SqlType, ...]) -> Impl:
    nested = _holds_nested(_array_element_type(types))

    def cardinality(a: list[Any]) -> int:
        return len(_flatten(a, nested))

    return cardinality


def _array_position_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_position(a: list[Any] | None, item: Any, start: int | None = 1) -> int | None:
        if a is None:
            return None
        if start is None:
            raise _error(NULL_VALUE_NOT_ALLOWED, "initial position must not be null")
        for index in range(max(start, 1) - 1, len(a)):
            value = a[index]
            if (value is None and item is None) or (
                value is not None and item is not None and eq(value, item)
            ):
                return index + 1
        return None

    return array_position


def _array_positions_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_positions(a: list[Any] | None, item: Any) -> list[int] | None:
        if a is None:
            return None
        return [
            i + 1
            for i, value in enumerate(a)
            if (value is None and item is None)
            or (value is not None and item is not None and eq(value, item))
        ]

    return array_positions


def _array_remove_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_remove(a: list[Any] | None, item: Any) -> list[Any] | None:
        if a is None:
            return None
        if item is None:
            return [v for v in a if v is not None]
        return [v for v in a if v is None or not eq(v, item)]

    return array_remove


def _array_replace_factory(types: tuple[SqlType, ...]) -> Impl:
    eq = _element_equality(_array_element_type(types))

    def array_replace(a: list[Any] | None, old: Any, new: Any) -> list[Any] | None:
        if a is None:
            return None
        return [
            new
            if (v is None and old is None) or (v is not None and old is not None and eq(v, old))
            else v
            for v in a
        ]

    return array_replace


def _trim_array(a: list[Any], n: int) -> list[Any]:
    if n < 0 or n > len(a):
        raise _error(
            sqlstates.ARRAY_SUBSCRIPT_ERROR,
            "number of elements to trim must be between 0 and " + str(len(a)),
        )
    return a[: len(a) - n]


def _array_to_string_factory(types: tuple[SqlType, ...]) -> Impl:
    element = _array_element_type(types)
    formatter, nested = text_formatter(element), _holds_nested(element)

    def array_to_string(
        env: EvalEnv, a: list[Any] | None, delimiter: str | None, null_text: str | None = None
    ) -> str | None:
        if a is None or delimiter is None:
            return None
        settings = env.settings
        parts: list[str] = []
        for v in _flatten(a, nested):
            if v is not None:
                parts.append(formatter(v, settings))
            elif null_text is not None:
                parts.append(null_text)
        return delimiter.join(parts)

    return array_to_string


def _string_to_array(
    s: str | None, delimiter: str | None, null_text: str | None = None
) -> list[str | None] | None:
    if s is None:
        return None
    if not s:
        return []
    if delimiter is None:
        parts = list(s)
    elif not delimiter:
        parts = [s]
    else:
        parts = s.split(delimiter)
    return [None if null_text is not None and p == null_text else p for p in parts]


# =======================================================================================
# Settings
# =======================================================================================
def _current_setting(env: EvalEnv, name: str) -> str:
    return env.get_setting(name)


def _current_setting_missing_ok(env: EvalEnv, name: str, missing_ok: bool) -> str | None:
    try:
        return env.get_setting(name)
    except TideError as failure:
        if missing_ok and failure.sqlstate == sqlstates.UNDEFINED_OBJECT:
            return None
        raise


def _set_config(env: EvalEnv, name: str | None, value: str | None, is_local: bool | None) -> str:
    if name is None:
        raise _error(NULL_VALUE_NOT_ALLOWED, "SET requires parameter name")
    return env.set_setting(name, value if value is not None else "", bool(is_local))


# =======================================================================================
# The registry
# =======================================================================================
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


# (name, argument types, result type, impl): strict, immutable, no environment.
_PLAIN_FUNCTIONS: list[tuple[str, tuple[SqlType, ...], SqlType, Impl]] = [
    # --- mathematics
    ("abs", (INT2,), INT2, _INT_OPS[INT2.oid]["abs"]),
    ("abs", (INT4,), INT4, _INT_OPS[INT4.oid]["abs"]),
    ("abs", (INT8,), INT8, _INT_OPS[INT8.oid]["abs"]),
    ("abs", (FLOAT4,), FLOAT4, abs),
    ("abs", (FLOAT8,), FLOAT8, abs),
    ("abs", (NUMERIC,), NUMERIC, _numeric_abs),
    ("ceil", (FLOAT8,), FLOAT8, _float_ceil),
    ("ceil", (NUMERIC,), NUMERIC, _numeric_ceil),
    ("ceiling", (FLOAT8,), FLOAT8, _float_ceil),
    ("ceiling", (NUMERIC,), NUMERIC, _numeric_ceil),
    ("floor", (FLOAT8,), FLOAT8, _float_floor),
    ("floor", (NUMERIC,), NUMERIC, _numeric_floor),
    ("round", (FLOAT8,), FLOAT8, _float_round),
    ("round", (NUMERIC,), NUMERIC, numeric_round),
    ("round", (NUMERIC, INT4), NUMERIC, numeric_round),
    ("trunc", (FLOAT8,), FLOAT8, _float_trunc),
    ("trunc", (NUMERIC,), NUMERIC, _numeric_trunc),
    ("trunc", (NUMERIC, INT4), NUMERIC, _numeric_trunc),
    ("sign", (FLOAT8,), FLOAT8, _float_sign),
    ("sign", (NUMERIC,), NUMERIC, _numeric_sign),
    ("mod", (INT2, INT2), INT2, _INT_OPS[INT2.oid]["%"]),
    ("mod", (INT4, INT4), INT4, _INT_OPS[INT4.oid]["%"]),
    ("mod", (INT8, INT8), INT8, _INT_OPS[INT8.oid]["%"]),
    ("mod", (NUMERIC, NUMERIC), NUMERIC, _numeric_mod),
    ("div", (NUMERIC, NUMERIC), NUMERIC, _numeric_div_trunc),
    ("power", (FLOAT8, FLOAT8), FLOAT8, _float_pow),
    ("power", (NUMERIC, NUMERIC), NUMERIC, _numeric_power),
    ("pow", (FLOAT8, FLOAT8), FLOAT8, _float_pow),
    ("pow", (NUMERIC, NUMERIC), NUMERIC, _numeric_power),
    ("sqrt", (FLOAT8,), FLOAT8, _float_sqrt),
    ("sqrt", (NUMERIC,), NUMERIC, _numeric_sqrt),
    ("cbrt", (FLOAT8,), FLOAT8, math.cbrt),
    ("exp", (FLOAT8,), FLOAT8, _float_exp),
    ("exp", (NUMERIC,), NUMERIC, _numeric_exp),
    ("ln", (FLOAT8,), FLOAT8, _float_ln),
    ("ln", (NUMERIC,), NUMERIC, _numeric_ln),
    ("log", (FLOAT8,), FLOAT8, _float_log10),
    ("log", (NUMERIC,), NUMERIC, _numeric_log10),
    ("log", (NUMERIC, NUMERIC), NUMERIC, _numeric_log),
    ("log10", (FLOAT8,), FLOAT8, _float_log10),
    ("log10", (NUMERIC,), NUMERIC, _numeric_log10),
    ("gcd", (INT4, INT4), INT4, _INT_OPS[INT4.oid]["gcd"]),
    ("gcd", (INT8, INT8), INT8, _INT_OPS[INT8.oid]["gcd"]),
    ("gcd", (NUMERIC, NUMERIC), NUMERIC, _numeric_gcd),
    ("lcm", (INT4, INT4), INT4, _INT_OPS[INT4.oid]["lcm"]),
    ("lcm", (INT8, INT8), INT8, _INT_OPS[INT8.oid]["lcm"]),
    ("lcm", (NUMERIC, NUMERIC), NUMERIC, _numeric_lcm),
    ("scale", (NUMERIC,), INT4, numeric_scale),
    ("degrees", (FLOAT8,), FLOAT8, math.degrees),
    ("radians", (FLOAT8,), FLOAT8, math.radians),
    ("sin", (FLOAT8,), FLOAT8, math.sin),
    ("cos", (FLOAT8,), FLOAT8, math.cos),
    ("tan", (FLOAT8,), FLOAT8, math.tan),
    ("atan", (FLOAT8,), FLOAT8, math.atan),
    ("atan2", (FLOAT8, FLOAT8), FLOAT8, math.atan2),
    ("width_bucket", (FLOAT8, FLOAT8, FLOAT8, INT4), INT4, _width_bucket_float),
    ("width_bucket", (NUMERIC, NUMERIC, NUMERIC, INT4), INT4, _width_bucket_numeric),
    ("pi", (), FLOAT8, lambda: math.pi),
    ("to_hex", (INT4,), TEXT, _to_hex32),
    ("to_hex", (INT8,), TEXT, _to_hex64),
    # --- strings
    ("length", (TEXT,), INT4, _length),
    ("length", (BPCHAR,), INT4, _bpchar_length),
    ("length", (BYTEA,), INT4, _bytes_length),
    ("char_length", (TEXT,), INT4, _length),
    ("char_length", (BPCHAR,), INT4, _bpchar_length),
    ("character_length", (TEXT,), INT4, _length),
    ("character_length", (BPCHAR,), INT4, _bpchar_length),
    ("octet_length", (TEXT,), INT4, _octet_length),
    ("octet_length", (BPCHAR,), INT4, _octet_length),
    ("octet_length", (BYTEA,), INT4, _bytes_length),
    ("bit_length", (TEXT,), INT4, _bit_length),
    ("bit_length", (BYTEA,), INT4, _bytes_bit_length),
    ("lower", (TEXT,), TEXT, _lower),
    ("upper", (TEXT,), TEXT, _upper),
    ("initcap", (TEXT,), TEXT, _initcap),
    ("substr", (TEXT, INT4), TEXT, _substr),
    ("substr", (TEXT, INT4, INT4), TEXT, _substr_count),
    ("substr", (BYTEA, INT4), BYTEA, _bytes_substr),
    ("substr", (BYTEA, INT4, INT4), BYTEA, _bytes_substr_count),
    ("substring", (TEXT, INT4), TEXT, _substr),
    ("substring", (TEXT, INT4, INT4), TEXT, _substr_count),
    ("substring", (TEXT, TEXT), TEXT, _substring_regex),
    ("substring", (BYTEA, INT4), BYTEA, _bytes_substr),
    ("substring", (BYTEA, INT4, INT4), BYTEA, _bytes_substr_count),
    ("strpos", (TEXT, TEXT), INT4, _strpos),
    ("overlay", (TEXT, TEXT, INT4), TEXT, _overlay),
    ("overlay", (TEXT, TEXT, INT4, INT4), TEXT, _overlay),
    ("position", (TEXT, TEXT), INT4, _strpos),
    ("position", (BYTEA, BYTEA), INT4, _bytes_position),
    ("replace", (TEXT, TEXT, TEXT), TEXT, _replace),
    ("btrim", (TEXT,), TEXT, _btrim),
    ("btrim", (TEXT, TEXT), TEXT, _btrim),
    ("btrim", (BYTEA, BYTEA), BYTEA, _bytes_btrim),
    ("ltrim", (TEXT,), TEXT, _ltrim),
    ("ltrim", (TEXT, TEXT), TEXT, _ltrim),
    ("ltrim", (BYTEA, BYTEA), BYTEA, _bytes_ltrim),
    ("rtrim", (TEXT,), TEXT, _rtrim),
    ("rtrim", (TEXT, TEXT), TEXT, _rtrim),
    ("rtrim", (BYTEA, BYTEA), BYTEA, _bytes_rtrim),
    ("lpad", (TEXT, INT4), TEXT, _lpad),
    ("lpad", (TEXT, INT4, TEXT), TEXT, _lpad),
    ("rpad", (TEXT, INT4), TEXT, _rpad),
    ("rpad", (TEXT, INT4, TEXT), TEXT, _rpad),
    ("left", (TEXT, INT4), TEXT, _left),
    ("right", (TEXT, INT4), TEXT, _right),
    ("repeat", (TEXT, INT4), TEXT, _repeat),
    ("reverse", (TEXT,), TEXT, _reverse),
    ("split_part", (TEXT, TEXT, INT4), TEXT, _split_part),
    ("ascii", (TEXT,), INT4, _ascii),
    ("chr", (INT4,), TEXT, _chr),
    ("starts_with", (TEXT, TEXT), BOOL, _starts_with),
    ("translate", (TEXT, TEXT, TEXT), TEXT, _translate),
    ("md5", (TEXT,), TEXT, _md5_text),
    ("md5", (BYTEA,), TEXT, _md5_bytes),
    ("sha224", (BYTEA,), BYTEA, _hasher("sha224")),
    ("sha256", (BYTEA,), BYTEA, _hasher("sha256")),
    ("sha384", (BYTEA,), BYTEA, _hasher("sha384")),
    ("sha512", (BYTEA,), BYTEA, _hasher("sha512")),
    ("quote_ident", (TEXT,), TEXT, quote_ident),
    ("quote_literal", (TEXT,), TEXT, quote_literal),
    ("regexp_replace", (TEXT, TEXT, TEXT), TEXT, _regexp_replace),
    ("regexp_replace", (TEXT, TEXT, TEXT, TEXT), TEXT, _regexp_replace),
    ("regexp_match", (TEXT, TEXT), array_of(TEXT), _regexp_match),
    ("regexp_match", (TEXT, TEXT, TEXT), array_of(TEXT), _regexp_match),
    ("regexp_like", (TEXT, TEXT), BOOL, _regexp_like),
    ("regexp_like", (TEXT, TEXT, TEXT), BOOL, _regexp_like),
    ("regexp_count", (TEXT, TEXT), INT4, _regexp_count),
    ("regexp_split_to_array", (TEXT, TEXT), array_of(TEXT), _regexp_split_to_array),
    ("regexp_split_to_array", (TEXT, TEXT, TEXT), array_of(TEXT), _regexp_split_to_array),
    ("like_escape", (TEXT, TEXT), TEXT, _like_escape),
    ("similar_to_escape", (TEXT,), TEXT, _similar_to_escape_default),
    ("similar_to_escape", (TEXT, TEXT), TEXT, _similar_to_escape),
    ("encode", (BYTEA, TEXT), TEXT, _encode),
    ("decode", (TEXT, TEXT), BYTEA, _decode),
    ("convert_to", (TEXT, NAME), BYTEA, _convert_to),
    ("convert_from", (BYTEA, NAME), TEXT, _convert_from),
    ("trim_array", (ANYARRAY, INT4), ANYARRAY, _trim_array),
    # --- date and time
    ("age", (TIMESTAMP, TIMESTAMP), INTERVAL, _age),
    ("date_part", (TEXT, TIMESTAMP), FLOAT8, _as_double(_extract_timestamp)),
    ("date_part", (TEXT, DATE), FLOAT8, _date_part_date),
    ("date_part", (TEXT, TIME), FLOAT8, _as_double(_extract_time)),
    ("date_part", (TEXT, INTERVAL), FLOAT8, _as_double(_extract_interval)),
    ("extract", (TEXT, TIMESTAMP), NUMERIC, _extract_timestamp),
    ("extract", (TEXT, DATE), NUMERIC, _extract_date),
    ("extract", (TEXT, TIME), NUMERIC, _extract_time),
    ("extract", (TEXT, INTERVAL), NUMERIC, _extract_interval),
    ("date_trunc", (TEXT, TIMESTAMP), TIMESTAMP, _date_trunc_timestamp),
    ("date_trunc", (TEXT, TIMESTAMPTZ, TEXT), TIMESTAMPTZ, _date_trunc_timestamptz_zone),
    ("date_trunc", (TEXT, INTERVAL), INTERVAL, _date_trunc_interval),
    ("justify_days", (INTERVAL,), INTERVAL, _justify_days),
    ("justify_hours", (INTERVAL,), INTERVAL, _justify_hours),
    ("justify_interval", (INTERVAL,), INTERVAL, _justify_interval),
    ("make_date", (INT4, INT4, INT4), DATE, _make_date),
    ("make_time", (INT4, INT4, FLOAT8), TIME, _make_time),
    ("make_timestamp", (INT4, INT4, INT4, INT4, INT4, FLOAT8), TIMESTAMP, _make_timestamp),
    (
        "make_timestamptz",
        (INT4, INT4, INT4, INT4, INT4, FLOAT8, TEXT),
        TIMESTAMPTZ,
        _make_timestamptz_zone,
    ),
    ("to_timestamp", (FLOAT8,), TIMESTAMPTZ, _to_timestamp),
    ("timezone", (TEXT, TIMESTAMPTZ), TIMESTAMP, _timezone_of_timestamptz),
    ("timezone", (TEXT, TIMESTAMP), TIMESTAMPTZ, _timezone_of_timestamp),
    ("isfinite", (DATE,), BOOL, _isfinite),
    ("isfinite", (TIMESTAMP,), BOOL, _isfinite),
    ("isfinite", (TIMESTAMPTZ,), BOOL, _isfinite),
    ("isfinite", (INTERVAL,), BOOL, _isfinite),
    ("to_char", (TIMESTAMP, TEXT), TEXT, _to_char_timestamp),
    ("to_char", (INTERVAL, TEXT), TEXT, _to_char_interval),
    ("to_char", (INT4, TEXT), TEXT, _to_char_int),
    ("to_char", (INT8, TEXT), TEXT, _to_char_int),
    ("to_char", (NUMERIC, TEXT), TEXT, _to_char_numeric),
    ("to_char", (FLOAT4, TEXT), TEXT, _to_char_float),
    ("to_char", (FLOAT8, TEXT), TEXT, _to_char_float),
    # --- json and jsonb
    ("jsonb_typeof", (JSONB,), TEXT, _jsonb_typeof),
    ("json_typeof", (JSON,), TEXT, _json_typeof),
    ("jsonb_array_length", (JSONB,), INT4, _jsonb_array_length),
    ("json_array_length", (JSON,), INT4, _json_array_length),
    ("jsonb_pretty", (JSONB,), TEXT, _jsonb_pretty_top),
    ("jsonb_strip_nulls", (JSONB,), JSONB, _jsonb_strip_nulls),
    ("json_strip_nulls", (JSON,), JSON, _json_strip_nulls),
    ("jsonb_set", (JSONB, array_of(TEXT), JSONB), JSONB, _jsonb_set_default),
    ("jsonb_set", (JSONB, array_of(TEXT), JSONB, BOOL), JSONB, _jsonb_set),
]

_PLAIN_OPERATORS: list[tuple[str, tuple[SqlType, ...], SqlType, Impl]] = [
    ("%", (NUMERIC, NUMERIC), NUMERIC, _numeric_mod),
    ("+", (NUMERIC, NUMERIC), NUMERIC, numeric_add),
    ("-", (NUMERIC, NUMERIC), NUMERIC, numeric_sub),
    ("*", (NUMERIC, NUMERIC), NUMERIC, numeric_mul),
    ("/", (NUMERIC, NUMERIC), NUMERIC, numeric_div),
    ("^", (NUMERIC, NUMERIC), NUMERIC, _numeric_power),
    ("-", (NUMERIC,), NUMERIC, _numeric_neg),
    ("+", (NUMERIC,), NUMERIC, _identity),
    ("@", (NUMERIC,), NUMERIC, _numeric_abs),
    ("^", (FLOAT8, FLOAT8), FLOAT8, _float_pow),
    ("-", (FLOAT8,), FLOAT8, _float_neg),
    ("-", (FLOAT4,), FLOAT4, _float_neg),
    ("+", (FLOAT8,), FLOAT8, float),
    ("+", (FLOAT4,), FLOAT4, float),
    ("@", (FLOAT8,), FLOAT8, abs),
    ("@", (FLOAT4,), FLOAT4, abs),
    ("|/", (FLOAT8,), FLOAT8, _float_sqrt),
    ("||/", (FLOAT8,), FLOAT8, math.cbrt),
    # --- strings
    ("||", (TEXT, TEXT), TEXT, _text_concat),
    ("||", (BYTEA, BYTEA), BYTEA, _bytes_concat),
    ("~~", (TEXT, TEXT), BOOL, _like),
    ("~~", (BPCHAR, TEXT), BOOL, _like),
    ("~~", (NAME, TEXT), BOOL, _like),
    ("~~", (BYTEA, BYTEA), BOOL, _bytes_like),
    ("!~~", (TEXT, TEXT), BOOL, _not_like),
    ("!~~", (BPCHAR, TEXT), BOOL, _not_like),
    ("!~~", (NAME, TEXT), BOOL, _not_like),
    ("!~~", (BYTEA, BYTEA), BOOL, _bytes_not_like),
    ("~~*", (TEXT, TEXT), BOOL, _ilike),
    ("~~*", (BPCHAR, TEXT), BOOL, _ilike),
    ("~~*", (NAME, TEXT), BOOL, _ilike),
    ("!~~*", (TEXT, TEXT), BOOL, _not_ilike),
    ("!~~*", (BPCHAR, TEXT), BOOL, _not_ilike),
    ("!~~*", (NAME, TEXT), BOOL, _not_ilike),
    ("~", (TEXT, TEXT), BOOL, _regex_match),
    ("~", (BPCHAR, TEXT), BOOL, _regex_match),
    ("~", (NAME, TEXT), BOOL, _regex_match),
    ("~*", (TEXT, TEXT), BOOL, _regex_imatch),
    ("~*", (BPCHAR, TEXT), BOOL, _regex_imatch),
    ("~*", (NAME, TEXT), BOOL, _regex_imatch),
    ("!~", (TEXT, TEXT), BOOL, _regex_not_match),
    ("!~", (BPCHAR, TEXT), BOOL, _regex_not_match),
    ("!~", (NAME, TEXT), BOOL, _regex_not_match),
    ("!~*", (TEXT, TEXT), BOOL, _regex_not_imatch),
    ("!~*", (BPCHAR, TEXT), BOOL, _regex_not_imatch),
    ("!~*", (NAME, TEXT), BOOL, _regex_not_imatch),
    ("^@", (TEXT, TEXT), BOOL, _starts_with),
    # --- date and time
    ("+", (DATE, INT4), DATE, _date_add_days),
    ("+", (INT4, DATE), DATE, _days_add_date),
    ("-", (DATE, INT4), DATE, _date_sub_days),
    ("-", (DATE, DATE), INT4, _date_diff),
    ("+", (DATE, INTERVAL), TIMESTAMP, _date_add_interval),
    ("+", (INTERVAL, DATE), TIMESTAMP, _interval_add_date),
    ("-", (DATE, INTERVAL), TIMESTAMP, _date_sub_interval),
    ("+", (DATE, TIME), TIMESTAMP, _date_add_time),
    ("+", (TIME, DATE), TIMESTAMP, _time_add_date),
    ("+", (TIMESTAMP, INTERVAL), TIMESTAMP, timestamp_add_interval),
    ("+", (INTERVAL, TIMESTAMP), TIMESTAMP, _interval_add_timestamp),
    ("-", (TIMESTAMP, INTERVAL), TIMESTAMP, _timestamp_sub_interval),
    ("-", (TIMESTAMP, TIMESTAMP), INTERVAL, _timestamp_diff),
    ("-", (TIMESTAMPTZ, TIMESTAMPTZ), INTERVAL, _timestamp_diff),
    ("+", (TIME, INTERVAL), TIME, _time_add_interval),
    ("+", (INTERVAL, TIME), TIME, _interval_add_time),
    ("-", (TIME, INTERVAL), TIME, _time_sub_interval),
    ("-", (TIME, TIME), INTERVAL, _time_diff),
    ("+", (INTERVAL, INTERVAL), INTERVAL, interval_add),
    ("-", (INTERVAL, INTERVAL), INTERVAL, _interval_minus),
    ("-", (INTERVAL,), INTERVAL, _negate_interval),
    ("+", (INTERVAL,), INTERVAL, _identity),
    ("*", (INTERVAL, FLOAT8), INTERVAL, _interval_mul),
    ("*", (FLOAT8, INTERVAL), INTERVAL, _float_mul_interval),
    ("/", (INTERVAL, FLOAT8), INTERVAL, interval_divide),
    # --- jsonb and json
    ("->", (JSONB, TEXT), JSONB, _jsonb_get_field),
    ("->", (JSONB, INT4), JSONB, _jsonb_get_element),
    ("->>", (JSONB, TEXT), TEXT, _jsonb_get_field_text),
    ("->>", (JSONB, INT4), TEXT, _jsonb_get_element_text),
    ("#>", (JSONB, array_of(TEXT)), JSONB, _jsonb_get_path),
    ("#>>", (JSONB, array_of(TEXT)), TEXT, _jsonb_get_path_text),
    ("@>", (JSONB, JSONB), BOOL, jsonb_contains),
    ("<@", (JSONB, JSONB), BOOL, _jsonb_contained),
    ("?", (JSONB, TEXT), BOOL, _jsonb_exists),
    ("?|", (JSONB, array_of(TEXT)), BOOL, _jsonb_exists_any),
    ("?&", (JSONB, array_of(TEXT)), BOOL, _jsonb_exists_all),
    ("||", (JSONB, JSONB), JSONB, _jsonb_concat),
    ("-", (JSONB, TEXT), JSONB, _jsonb_delete_key),
    ("-", (JSONB, INT4), JSONB, _jsonb_delete_index),
    ("-", (JSONB, array_of(TEXT)), JSONB, _jsonb_delete_keys),
    ("#-", (JSONB, array_of(TEXT)), JSONB, _jsonb_delete_path),
    ("->", (JSON, TEXT), JSON, _json_get_field),
    ("->", (JSON, INT4), JSON, _json_get_element),
    ("->>", (JSON, TEXT), TEXT, _json_get_field_text),
    ("->>", (JSON, INT4), TEXT, _json_get_element_text),
    ("#>", (JSON, array_of(TEXT)), JSON, _json_get_path),
    ("#>>", (JSON, array_of(TEXT)), TEXT, _json_get_path_text),
]


def _register_integers() -> None:
    """Every pairing of int2/int4/int8 has its own + - * / and comparisons, with the
    wider type as result (PostgreSQL's int24pl, int48mul, …); % and the bitwise
    operators take two of the same type."""
    for left in _INT_TYPES:
        for right in _INT_TYPES:
            ops = _INT_OPS[_wider_int(left, right).oid]
            result = _wider_int(left, right)
            for symbol in ("+", "-", "*", "/"):
                _operator(symbol, (left, right), result, ops[symbol])
            for symbol in _COMPARISON_OPS:
                _operator(symbol, (left, right), BOOL, _PYTHON_COMPARISONS[symbol])
        ops = _INT_OPS[left.oid]
        _operator("%", (left, left), left, ops["%"])
        _operator("-", (left,), left, ops["neg"])
        _operator("+", (left,), left, int)
        _operator("@", (left,), left, ops["abs"])
        _operator("&", (left, left), left, operator.and_)
        _operator("|", (left, left), left, operator.or_)
        _operator("#", (left, left), left, operator.xor)
        _operator("~", (left,), left, operator.invert)
        _operator("<<", (left, INT4), left, ops["<<"])
        _operator(">>", (left, INT4), left, ops[">>"])


def _register_floats() -> None:
    """float4 and float8 in all four pairings; mixed pairs compute in double."""
    for left in (FLOAT4, FLOAT8):
        for right in (FLOAT4, FLOAT8):
            single = left.oid == right.oid == FLOAT4.oid
            ops = _FLOAT4_OPS if single else _FLOAT8_OPS
            result = FLOAT4 if single else FLOAT8
            for symbol in ("+", "-", "*", "/"):
                _operator(symbol, (left, right), result, ops[symbol])
            for symbol in _COMPARISON_OPS:
                _operator(symbol, (left, right), BOOL, _FLOAT_COMPARISONS[symbol])


#: Types with same-type comparison operators (varchar uses text's, as in PostgreSQL).
# fmt: off
_COMPARABLE = (
    BOOL, OID, TEXT, NAME, BPCHAR, CHAR, BYTEA, NUMERIC, DATE, TIME, TIMESTAMP, TIMESTAMPTZ,
    INTERVAL, UUID, JSONB,
)
# fmt: on


def _converted_comparison(
    op: str, left: Callable[[EvalEnv, Any], Any], right: Callable[[EvalEnv, Any], Any]
) -> Impl:
    compare = _PYTHON_COMPARISONS[op]

    def run(env: EvalEnv, a: Any, b: Any) -> bool:
        return bool(compare(left(env, a), right(env, b)))

    return run


def _date_first_comparison(compare: Impl) -> Impl:
    def run(a: date, b: datetime) -> bool:
        return bool(compare(_date_to_timestamp(a), b))

    return run


def _date_second_comparison(compare: Impl) -> Impl:
    def run(a: datetime, b: date) -> bool:
        return bool(compare(a, _date_to_timestamp(b)))

    return run


def _as_is(env: EvalEnv, value: Any) -> Any:
    return value


def _wall_as_instant(env: EvalEnv, value: datetime) -> datetime:
    return from_local(value, session_zone(env.settings.timezone))


def _date_as_instant(env: EvalEnv, value: date) -> datetime:
    return from_local(_date_to_timestamp(value), session_zone(env.settings.timezone))


# --- inet (query time only in DSQL) ----------------------------------------------------
def _inet_within(inner: T.Inet, outer: T.Inet, strict: bool) -> bool:
    """inet << inet (strict) and <<= : inner's network lies inside outer's."""
    if inner.version != outer.version:
        return False
    if strict and inner.network.prefixlen <= outer.network.prefixlen:
        return False
    return inner.network.prefixlen >= outer.network.prefixlen and inner.ip in outer.network


def _register_inet() -> None:
    inet = T.INET
    for symbol, impl in _keyed_comparisons(T.inet_order_key).items():
        _operator(symbol, (inet, inet), BOOL, impl)
    _operator("<<", (inet, inet), BOOL, lambda a, b: _inet_within(a, b, True))
    _operator("<<=", (inet, inet), BOOL, lambda a, b: _inet_within(a, b, False))
    _operator(">>", (inet, inet), BOOL, lambda a, b: _inet_within(b, a, True))
    _operator(">>=", (inet, inet), BOOL, lambda a, b: _inet_within(b, a, False))
    _operator(
        "&&",
        (inet, inet),
        BOOL,
        lambda a, b: _inet_within(a, b, False) or _inet_within(b, a, False),
    )
    _function("host", (inet,), TEXT, lambda v: str(v.ip))
    _function("masklen", (inet,), INT4, lambda v: v.network.prefixlen)
    _function("family", (inet,), INT4, lambda v: v.version)
    _function("text", (inet,), TEXT, str)
    _function("netmask", (inet,), inet, lambda v: ipaddress.ip_interface(v.network.netmask))
    _function(
        "broadcast",
        (inet,),
        inet,
        lambda v: ipaddress.ip_interface((v.network.broadcast_address, v.network.prefixlen)),
    )
    _function(
        "set_masklen",
        (inet, INT4),
        inet,
        lambda v, bits: ipaddress.ip_interface((v.ip, bits)),
    )


def _register_comparisons() -> None:
    for t in _COMPARABLE:
        impls = comparison_impls(t)
        if impls is None:
            raise TideError(f"internal: no comparisons for {t.name}")
        for symbol in _COMPARISON_OPS:
            _operator(symbol, (t, t), BOOL, impls[symbol])
    for symbol in _COMPARISON_OPS:
        _operator(symbol, (NAME, TEXT), BOOL, _PYTHON_COMPARISONS[symbol])
        _operator(symbol, (TEXT, NAME), BOOL, _PYTHON_COMPARISONS[symbol])
        _operator(
            symbol, (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_comparison_factory(symbol)
        )
    # Dates and timestamps compare across types: a date is its midnight; a timestamp or
    # a date meets a timestamptz in the session's time zone.
    for symbol in _COMPARISON_OPS:
        compare = _PYTHON_COMPARISONS[symbol]
        _operator(symbol, (DATE, TIMESTAMP), BOOL, _date_first_comparison(compare))
        _operator(symbol, (TIMESTAMP, DATE), BOOL, _date_second_comparison(compare))
        for left, right, convert_left, convert_right in (
            (DATE, TIMESTAMPTZ, _date_as_instant, _as_is),
            (TIMESTAMPTZ, DATE, _as_is, _date_as_instant),
            (TIMESTAMP, TIMESTAMPTZ, _wall_as_instant, _as_is),
            (TIMESTAMPTZ, TIMESTAMP, _as_is, _wall_as_instant),
        ):
            impl = _converted_comparison(symbol, convert_left, convert_right)
            _operator(symbol, (left, right), BOOL, impl, needs_env=True)


def _register_polymorphic() -> None:
    _operator("||", (TEXT, ANYNONARRAY), TEXT, needs_env=True, impl_factory=_text_concat_any_right)
    _operator("||", (ANYNONARRAY, TEXT), TEXT, needs_env=True, impl_factory=_text_concat_any_left)
    _operator(
        "||", (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE), ANYCOMPATIBLEARRAY, _array_append, strict=False
    )
    _operator(
        "||", (ANYCOMPATIBLE, ANYCOMPATIBLEARRAY), ANYCOMPATIBLEARRAY, _array_prepend, strict=False
    )
    _operator(
        "||", (ANYCOMPATIBLEARRAY, ANYCOMPATIBLEARRAY), ANYCOMPATIBLEARRAY, _array_cat, strict=False
    )
    _operator("@>", (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_contains_factory)
    _operator("<@", (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_contained_factory)
    _operator("&&", (ANYARRAY, ANYARRAY), BOOL, impl_factory=_array_overlap_factory)

    variadic_any: dict[str, Any] = {"variadic": ANY, "needs_env": True, "strict": False}
    _function("concat", (), TEXT, impl_factory=_concat_factory, **variadic_any)
    _function("concat_ws", (TEXT,), TEXT, impl_factory=_concat_ws_factory, **variadic_any)
    _function("format", (TEXT,), TEXT, impl_factory=_format_factory, **variadic_any)
    _function("format", (TEXT,), TEXT, needs_env=True, impl_factory=_format_factory)
    _function("num_nulls", (), INT4, _num_nulls, variadic=ANY, strict=False)
    _function("num_nonnulls", (), INT4, _num_nonnulls, variadic=ANY, strict=False)
    _function(
        "quote_literal",
        (ANYELEMENT,),
        TEXT,
        needs_env=True,
        impl_factory=lambda types: _quote_literal_any(types[0]),
    )
    _function("quote_nullable", (TEXT,), TEXT, _quote_nullable, strict=False)
    _function(
        "quote_nullable",
        (ANYELEMENT,),
        TEXT,
        needs_env=True,
        strict=False,
        impl_factory=lambda types: _quote_nullable_any(types[0]),
    )

    _function(
        "array_append",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        ANYCOMPATIBLEARRAY,
        _array_append,
        strict=False,
    )
    _function(
        "array_prepend",
        (ANYCOMPATIBLE, ANYCOMPATIBLEARRAY),
        ANYCOMPATIBLEARRAY,
        _array_prepend,
        strict=False,
    )
    _function(
        "array_cat",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLEARRAY),
        ANYCOMPATIBLEARRAY,
        _array_cat,
        strict=False,
    )
    _function("array_length", (ANYARRAY, INT4), INT4, impl_factory=_array_length_factory)
    _function("array_upper", (ANYARRAY, INT4), INT4, impl_factory=_array_length_factory)
    _function("array_lower", (ANYARRAY, INT4), INT4, impl_factory=_array_lower_factory)
    _function("array_ndims", (ANYARRAY,), INT4, impl_factory=_array_ndims_factory)
    _function("array_dims", (ANYARRAY,), TEXT, impl_factory=_array_dims_factory)
    _function("cardinality", (ANYARRAY,), INT4, impl_factory=_cardinality_factory)
    _function(
        "array_position",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        INT4,
        strict=False,
        impl_factory=_array_position_factory,
    )
    _function(
        "array_position",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, INT4),
        INT4,
        strict=False,
        impl_factory=_array_position_factory,
    )
    _function(
        "array_positions",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        array_of(INT4),
        strict=False,
        impl_factory=_array_positions_factory,
    )
    _function(
        "array_remove",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE),
        ANYCOMPATIBLEARRAY,
        strict=False,
        impl_factory=_array_remove_factory,
    )
    _function(
        "array_replace",
        (ANYCOMPATIBLEARRAY, ANYCOMPATIBLE, ANYCOMPATIBLE),
        ANYCOMPATIBLEARRAY,
        strict=False,
        impl_factory=_array_replace_factory,
    )
    _function(
        "array_to_string",
        (ANYARRAY, TEXT),
        TEXT,
        needs_env=True,
        strict=False,
        impl_factory=_array_to_string_factory,
    )
    _function(
        "array_to_string",
        (ANYARRAY, TEXT, TEXT),
        TEXT,
        needs_env=True,
        strict=False,
        impl_factory=_array_to_string_factory,
    )
    _function("string_to_array", (TEXT, TEXT), array_of(TEXT), _string_to_array, strict=False)
    _function("string_to_array", (TEXT, TEXT, TEXT), array_of(TEXT), _string_to_array, strict=False)

    _function("to_jsonb", (ANYELEMENT,), JSONB, needs_env=True, impl_factory=_to_jsonb_factory)
    _function("to_json", (ANYELEMENT,), JSON, needs_env=True, impl_factory=_to_json_factory)
    _function(
        "jsonb_build_object", (), JSONB, impl_factory=_jsonb_build_object_factory, **variadic_any
    )
    _function("jsonb_build_object", (), JSONB, _empty_jsonb_object)
    _function(
        "json_build_object", (), JSON, impl_factory=_json_build_object_factory, **variadic_any
    )
    _function("json_build_object", (), JSON, _empty_json_object)
    _function(
        "jsonb_build_array", (), JSONB, impl_factory=_jsonb_build_array_factory, **variadic_any
    )
    _function("jsonb_build_array", (), JSONB, _empty_jsonb_array)
    _function("json_build_array", (), JSON, impl_factory=_json_build_array_factory, **variadic_any)
    _function("json_build_array", (), JSON, _empty_json_array)
    _function("jsonb_extract_path", (JSONB,), JSONB, _jsonb_extract_path, variadic=TEXT)
    _function("jsonb_extract_path_text", (JSONB,), TEXT, _jsonb_extract_path_text, variadic=TEXT)
    _function("json_extract_path", (JSON,), JSON, _json_extract_path, variadic=TEXT)
    _function("json_extract_path_text", (JSON,), TEXT, _json_extract_path_text, variadic=TEXT)


def _register_environment_functions() -> None:
    """Functions reading the session (time zone, clock, settings) or with side effects."""
    env: dict[str, Any] = {"needs_env": True}
    _function("now", (), TIMESTAMPTZ, _now, **env)
    _function("current_timestamp", (), TIMESTAMPTZ, _now, **env)
    _function("current_timestamp", (INT4,), TIMESTAMPTZ, _now_precision, **env)
    _function("transaction_timestamp", (), TIMESTAMPTZ, _now, **env)
    _function("statement_timestamp", (), TIMESTAMPTZ, _statement_timestamp, **env)
    _function("clock_timestamp", (), TIMESTAMPTZ, _clock_timestamp, volatile=True)
    _function("current_date", (), DATE, _current_date, **env)
    _function("localtimestamp", (), TIMESTAMP, _localtimestamp, **env)
    _function("localtimestamp", (INT4,), TIMESTAMP, _localtimestamp_precision, **env)
    _function("localtime", (), TIME, _localtime, **env)
    _function("random", (), FLOAT8, _random, volatile=True)
    _function("gen_random_uuid", (), UUID, _gen_random_uuid, volatile=True)
    _function("age", (TIMESTAMP,), INTERVAL, _age_from_today, **env)
    _function("age", (TIMESTAMPTZ,), INTERVAL, _age_tz_from_today, **env)
    _function("age", (TIMESTAMPTZ, TIMESTAMPTZ), INTERVAL, _age_tz, **env)
    _function("date_part", (TEXT, TIMESTAMPTZ), FLOAT8, _as_double(_extract_timestamptz), **env)
    _function("extract", (TEXT, TIMESTAMPTZ), NUMERIC, _extract_timestamptz, **env)
    _function("date_trunc", (TEXT, TIMESTAMPTZ), TIMESTAMPTZ, _date_trunc_timestamptz, **env)
    _function(
        "make_timestamptz",
        (INT4, INT4, INT4, INT4, INT4, FLOAT8),
        TIMESTAMPTZ,
        _make_timestamptz,
        **env,
    )
    _function("to_char", (TIMESTAMPTZ, TEXT), TEXT, _to_char_timestamptz, **env)
    _function("current_setting", (TEXT,), TEXT, _current_setting, **env)
    _function("current_setting", (TEXT, BOOL), TEXT, _current_setting_missing_ok, **env)
    _function(
        "set_config", (TEXT, TEXT, BOOL), TEXT, _set_config, strict=False, volatile=True, **env
    )
    _operator("+", (TIMESTAMPTZ, INTERVAL), TIMESTAMPTZ, _timestamptz_add, **env)
    _operator("+", (INTERVAL, TIMESTAMPTZ), TIMESTAMPTZ, _timestamptz_add_reversed, **env)
    _operator("-", (TIMESTAMPTZ, INTERVAL), TIMESTAMPTZ, _timestamptz_sub, **env)
    for n in range(8):
        _function(
            "make_interval",
            (INT4, INT4, INT4, INT4, INT4, INT4, FLOAT8)[:n],
            INTERVAL,
            _make_interval,
        )


def _build_registry() -> None:
    for name, arg_types, result, impl in _PLAIN_FUNCTIONS:
        _function(name, arg_types, result, impl)
    for op, arg_types, result, impl in _PLAIN_OPERATORS:
        _operator(op, arg_types, result, impl)
    _register_integers()
    _register_floats()
    _register_comparisons()
    _register_inet()
    _register_polymorphic()
    _register_environment_functions()


_build_registry()
