"""Bound expressions, compiled to Python closures ``f(row, env) -> value``.

The binder turns parse-tree expressions into these nodes, with every type resolved and
every implicit cast made explicit; ``compile()`` then turns a tree into nested closures,
once per plan, so evaluating a row costs only Python calls — no tree walking, no
dispatch on node kinds at run time. Three-valued logic follows SQL: ``NULL AND FALSE``
is FALSE, ``NULL OR TRUE`` is TRUE, anything else with NULL is NULL.

``env`` carries what varies per execution and not per row: parameter values, session
settings (TimeZone, …), the transaction's timestamps, and the rows of enclosing queries
for correlated subqueries (``env.outer``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T

Row = Sequence[Any]
Compiled = Callable[[Row, Any], Any]


class Expr:
    type: T.SqlType

    def compile(self) -> Compiled:
        raise NotImplementedError

    def children(self) -> list[Expr]:
        return []

    def key(self) -> str:
        """A structural identity, used to match GROUP BY expressions."""
        return repr(self)

    def walk(self) -> Iterator[Expr]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(repr=True, eq=False)
class Const(Expr):
    value: Any
    type: T.SqlType

    def compile(self) -> Compiled:
        value = self.value
        return lambda row, env: value

    def key(self) -> str:
        return f"Const({self.value!r},{self.type.oid})"


@dataclass(eq=False)
class ColumnRef(Expr):
    index: int
    type: T.SqlType
    name: str = "?column?"
    table_alias: str = ""

    def compile(self) -> Compiled:
        index = self.index
        return lambda row, env: row[index]

    def key(self) -> str:
        return f"Col({self.index})"


@dataclass(eq=False)
class OuterRef(Expr):
    """A column of an enclosing query's current row (correlated subqueries)."""

    level: int  # 1 = the immediately enclosing query
    index: int
    type: T.SqlType
    name: str = "?column?"

    def compile(self) -> Compiled:
        level, index = self.level, self.index
        return lambda row, env: env.outer[-level][index]

    def key(self) -> str:
        return f"Outer({self.level},{self.index})"


@dataclass(eq=False)
class Param(Expr):
    number: int  # 1-based
    type: T.SqlType

    def compile(self) -> Compiled:
        index = self.number - 1
        return lambda row, env: env.params[index]

    def key(self) -> str:
        return f"Param({self.number})"


@dataclass(eq=False)
class Cast(Expr):
    arg: Expr
    type: T.SqlType
    explicit: bool = True

    def children(self) -> list[Expr]:
        return [self.arg]

    def compile(self) -> Compiled:
        inner = self.arg.compile()
        source, target, explicit = self.arg.type, self.type, self.explicit
        cast_value = T.cast_value

        def run(row: Row, env: Any) -> Any:
            value = inner(row, env)
            if value is None:
                return None
            return cast_value(value, source, target, env.settings, explicit=explicit)

        return run

    def key(self) -> str:
        return f"Cast({self.arg.key()},{self.type.oid},{self.type.modifier})"


@dataclass(eq=False)
class Call(Expr):
    """A scalar function or operator with a resolved implementation."""

    name: str
    args: list[Expr]
    type: T.SqlType
    impl: Callable[..., Any]
    strict: bool = True
    needs_env: bool = False
    volatile: bool = False

    def children(self) -> list[Expr]:
        return list(self.args)

    def key(self) -> str:
        return f"Call({self.name},{','.join(a.key() for a in self.args)})"

    def compile(self) -> Compiled:
        impl = self.impl
        compiled = [a.compile() for a in self.args]
        strict, needs_env = self.strict, self.needs_env
        if len(compiled) == 2 and strict and not needs_env:
            left, right = compiled

            def binary(row: Row, env: Any) -> Any:
                a = left(row, env)
                if a is None:
                    return None
                b = right(row, env)
                if b is None:
                    return None
                return impl(a, b)

            return binary
        if len(compiled) == 1 and strict and not needs_env:
            (only,) = compiled

            def unary(row: Row, env: Any) -> Any:
                a = only(row, env)
                return None if a is None else impl(a)

            return unary

        def call(row: Row, env: Any) -> Any:
            values = [f(row, env) for f in compiled]
            if strict and None in values:
                return None
            if needs_env:
                return impl(env, *values)
            return impl(*values)

        return call


@dataclass(eq=False)
class BoolOp(Expr):
    op: str  # "and" | "or" | "not"
    args: list[Expr]
    type: T.SqlType = field(default_factory=lambda: T.BOOL)

    def children(self) -> list[Expr]:
        return list(self.args)

    def key(self) -> str:
        return f"{self.op}({','.join(a.key() for a in self.args)})"

    def compile(self) -> Compiled:
        compiled = [a.compile() for a in self.args]
        if self.op == "not":
            (only,) = compiled

            def negate(row: Row, env: Any) -> Any:
                value = only(row, env)
                return None if value is None else not value

            return negate
        if self.op == "and":

            def conjunction(row: Row, env: Any) -> Any:
                unknown = False
                for f in compiled:
                    value = f(row, env)
                    if value is None:
                        unknown = True
                    elif not value:
                        return False
                return None if unknown else True

            return conjunction

        def disjunction(row: Row, env: Any) -> Any:
            unknown = False
            for f in compiled:
                value = f(row, env)
                if value is None:
                    unknown = True
                elif value:
                    return True
            return None if unknown else False

        return disjunction


@dataclass(eq=False)
class IsNull(Expr):
    arg: Expr
    negated: bool = False
    type: T.SqlType = field(default_factory=lambda: T.BOOL)

    def children(self) -> list[Expr]:
        return [self.arg]

    def compile(self) -> Compiled:
        inner = self.arg.compile()
        if self.negated:
            return lambda row, env: inner(row, env) is not None
        return lambda row, env: inner(row, env) is None


@dataclass(eq=False)
class IsBool(Expr):
    """IS [NOT] TRUE / FALSE / UNKNOWN."""

    arg: Expr
    test: str  # "true" | "false" | "unknown"
    negated: bool = False
    type: T.SqlType = field(default_factory=lambda: T.BOOL)

    def children(self) -> list[Expr]:
        return [self.arg]

    def compile(self) -> Compiled:
        inner = self.arg.compile()
        target = {"true": True, "false": False, "unknown": None}[self.test]
        negated = self.negated

        def run(row: Row, env: Any) -> Any:
            value = inner(row, env)
            return (value is target) != negated

        return run


@dataclass(eq=False)
class Case(Expr):
    whens: list[tuple[Expr, Expr]]
    default: Expr | None
    type: T.SqlType

    def children(self) -> list[Expr]:
        out: list[Expr] = []
        for condition, result in self.whens:
            out += [condition, result]
        if self.default is not None:
            out.append(self.default)
        return out

    def compile(self) -> Compiled:
        whens = [(c.compile(), r.compile()) for c, r in self.whens]
        default = self.default.compile() if self.default is not None else None

        def run(row: Row, env: Any) -> Any:
            for condition, result in whens:
                if condition(row, env):
                    return result(row, env)
            return default(row, env) if default is not None else None

        return run


@dataclass(eq=False)
class Coalesce(Expr):
    args: list[Expr]
    type: T.SqlType
    kind: str = "coalesce"  # coalesce | greatest | least | nullif

    def children(self) -> list[Expr]:
        return list(self.args)

    def compile(self) -> Compiled:
        compiled = [a.compile() for a in self.args]
        kind = self.kind
        if kind == "coalesce":

            def coalesce(row: Row, env: Any) -> Any:
                for f in compiled:
                    value = f(row, env)
                    if value is not None:
                        return value
                return None

            return coalesce
        if kind == "nullif":
            first, second = compiled
            equal = T.values_equal
            sql_type = self.args[0].type

            def nullif(row: Row, env: Any) -> Any:
                a = first(row, env)
                b = second(row, env)
                if a is not None and b is not None and equal(a, b, sql_type):
                    return None
                return a

            return nullif
        sort_key = T.sort_key(self.type)
        pick = max if kind == "greatest" else min

        def extreme(row: Row, env: Any) -> Any:
            values = [v for f in compiled if (v := f(row, env)) is not None]
            return pick(values, key=sort_key) if values else None

        return extreme


@dataclass(eq=False)
class InList(Expr):
    """``arg [NOT] IN (e1, e2, …)`` and ``arg = ANY(array)`` with SQL NULL semantics."""

    arg: Expr
    items: list[Expr] | None
    array: Expr | None
    equals: Callable[[Any, Any], Any]
    negated: bool = False
    type: T.SqlType = field(default_factory=lambda: T.BOOL)

    def children(self) -> list[Expr]:
        return [self.arg, *(self.items or []), *([self.array] if self.array else [])]

    def compile(self) -> Compiled:
        arg = self.arg.compile()
        items = [i.compile() for i in self.items] if self.items is not None else None
        array = self.array.compile() if self.array is not None else None
        equals, negated = self.equals, self.negated
        constant_set: set[Any] | None = None
        if self.items is not None and all(isinstance(i, Const) for i in self.items):
            try:
                constant_set = {i.value for i in self.items if isinstance(i, Const)}
            except TypeError:
                constant_set = None
            if constant_set is not None and None in constant_set:
                constant_set = None

        def run(row: Row, env: Any) -> Any:
            value = arg(row, env)
            if array is not None:
                candidates = array(row, env)
                if candidates is None:
                    return None
            elif constant_set is not None:
                if value is None:
                    return None
                try:
                    if value in constant_set:
                        return not negated
                except TypeError:
                    pass
                else:
                    return negated
                candidates = list(constant_set)
            else:
                candidates = [f(row, env) for f in items or []]
            if value is None:
                return None
            unknown = False
            for candidate in candidates:
                if candidate is None:
                    unknown = True
                    continue
                if equals(value, candidate):
                    return not negated
            return None if unknown else negated

        return run


@dataclass(eq=False)
class AnyAll(Expr):
    """``arg op ANY|ALL (array)``."""

    arg: Expr
    array: Expr
    compare: Callable[[Any, Any], Any]
    all: bool
    type: T.SqlType = field(default_factory=lambda: T.BOOL)

    def children(self) -> list[Expr]:
        return [self.arg, self.array]

    def compile(self) -> Compiled:
        arg, array, compare, want_all = (
            self.arg.compile(),
            self.array.compile(),
            self.compare,
            self.all,
        )

        def run(row: Row, env: Any) -> Any:
            value = arg(row, env)
            candidates = array(row, env)
            if candidates is None:
                return None
            unknown = False
            for candidate in candidates:
                if value is None or candidate is None:
                    unknown = True
                    continue
                result = compare(value, candidate)
                if want_all and not result:
                    return False
                if not want_all and result:
                    return True
            if unknown:
                return None
            return want_all

        return run


@dataclass(eq=False)
class ArrayExpr(Expr):
    items: list[Expr]
    type: T.SqlType

    def children(self) -> list[Expr]:
        return list(self.items)

    def compile(self) -> Compiled:
        compiled = [i.compile() for i in self.items]
        return lambda row, env: [f(row, env) for f in compiled]


@dataclass(eq=False)
class Subscript(Expr):
    arg: Expr
    index: Expr
    type: T.SqlType

    def children(self) -> list[Expr]:
        return [self.arg, self.index]

    def compile(self) -> Compiled:
        arg, index = self.arg.compile(), self.index.compile()

        def run(row: Row, env: Any) -> Any:
            values = arg(row, env)
            position = index(row, env)
            if values is None or position is None or not 1 <= position <= len(values):
                return None
            return values[position - 1]

        return run


@dataclass(eq=False)
class SlotRef(Expr):
    """A value computed by a plan node below and placed in the row: a subquery's
    result (set by Apply), an aggregate's or a window function's result."""

    type: T.SqlType
    index: int = -1
    label: str = ""

    def compile(self) -> Compiled:
        index = self.index
        if index < 0:
            raise TideError(f"internal: unplaced {self.label}", sqlstate=sqlstates.INTERNAL_ERROR)
        return lambda row, env: row[index]

    def key(self) -> str:
        return f"Slot({self.label},{id(self)})"


@dataclass(eq=False)
class EnvValue(Expr):
    """A value of the execution environment (current_user, current_schema, …)."""

    getter: Callable[[Any], Any]
    type: T.SqlType
    name: str = ""

    def compile(self) -> Compiled:
        getter = self.getter
        return lambda row, env: getter(env)

    def key(self) -> str:
        return f"Env({self.name})"


def compile_predicate(expr: Expr | None) -> Callable[[Row, Any], bool] | None:
    if expr is None:
        return None
    compiled = expr.compile()
    return lambda row, env: compiled(row, env) is True
