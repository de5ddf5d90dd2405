"""Expression text as PostgreSQL's ruleutils prints it (pg_get_constraintdef,
pg_get_indexdef, pg_get_expr).

PostgreSQL prints a stored expression from its analysed tree. Plainly, every operator
expression, boolean expression and test is in parentheses (``((a > 0) AND (b IS NULL))``),
casts are ``(a)::integer``, string constants carry their type (``'x'::text``), and a
negative number is a quoted constant (``'-1'::integer``). *Pretty* (the second argument
of pg_get_constraintdef, which psql's ``\\d`` passes) drops the parentheses a reader
does not need, by PostgreSQL's rules (``isSimpleNode``): ``a > 0 AND a < 10``, but
``(a + 1 * 2) > 0`` and ``(a = ANY (ARRAY[1, 2])) OR b IS NULL``.

tidesql stores expressions as SQL text, so this re-parses the text and prints the
parse tree the way the analysed tree would print: ``IN (…)`` as ``= ANY (ARRAY[…])``,
``BETWEEN`` as two comparisons, ``LIKE`` as ``~~``. Types are not known here, so
constants are labelled by their own type (``'x'::text`` even beside a varchar column),
and the implicit casts PostgreSQL would show (``(0)::numeric``) are not reconstructed.
Node kinds not handled here fall back to libpg_query's deparser, in parentheses.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from typing import Any

import pg_query.pg_query_pb2 as pb

_BOOL_WORDS = {pb.AND_EXPR: " AND ", pb.OR_EXPR: " OR "}
_BOOL_KINDS = {pb.AND_EXPR: "and", pb.OR_EXPR: "or", pb.NOT_EXPR: "not"}
_BOOLEAN_TESTS = {
    pb.IS_TRUE: "IS TRUE",
    pb.IS_NOT_TRUE: "IS NOT TRUE",
    pb.IS_FALSE: "IS FALSE",
    pb.IS_NOT_FALSE: "IS NOT FALSE",
    pb.IS_UNKNOWN: "IS UNKNOWN",
    pb.IS_NOT_UNKNOWN: "IS NOT UNKNOWN",
}
_INT4_MIN, _INT4_MAX = -(2**31), 2**31 - 1


@dataclass(frozen=True)
class _Shape:
    """What a printed node is, for deciding its parentheses (PostgreSQL's node tags):

    ``word`` a column or constant; ``call`` function-like (f(…), COALESCE, ARRAY[…],
    NULLIF, CASE, and the deparser's parenthesized fallback); ``cast``; ``op`` an
    operator (``name`` set when binary); ``bool`` (``name`` and/or/not); ``test`` IS
    [NOT] NULL, IS TRUE…, IS DISTINCT FROM; ``array_op`` ``= ANY (…)``."""

    kind: str
    name: str = ""
    inner: _Shape | None = None  # a cast's argument


_WORD = _Shape("word")
_CALL = _Shape("call")


def expression_text(sql: str, pretty: bool = False) -> str:
    """``a > 0 AND NOT active`` → ``((a > 0) AND (NOT active))``; pretty:
    ``a > 0 AND NOT active``."""
    from tidesql.sql.statements import _parse_expression

    return _Printer(pretty).rule(_parse_expression(sql))[0]


def index_key_text(sql: str) -> str:
    """An index key expression as pg_get_indexdef shows it: function calls bare, anything
    else in an extra pair of parentheses (``lower(email)``, ``((a + b))``)."""
    from tidesql.sql.planner import node_kind
    from tidesql.sql.statements import _parse_expression

    node = _parse_expression(sql)
    text = _Printer(False).rule(node)[0]
    return text if node_kind(node)[0] == "func_call" else f"({text})"


def _is_simple(shape: _Shape, parent: _Shape, pretty: bool) -> bool:
    """PostgreSQL's isSimpleNode: whether ``shape`` needs no parentheses under
    ``parent`` (consulted in pretty mode only)."""
    if shape.kind in ("word", "call"):
        return True
    if shape.kind == "cast":
        return shape.inner is not None and _is_simple(shape.inner, shape, pretty)
    if shape.kind == "op" and pretty and parent.kind == "op":
        return _simple_operand(shape.name, parent.name, False)
    if shape.kind in ("op", "test"):
        return parent.kind in ("bool", "call")
    if shape.kind == "bool":
        if parent.kind == "bool" and pretty:
            if shape.name in ("not", "and"):
                return parent.name in ("and", "or")
            return parent.name == "or"
        return parent.kind == "call"
    return False


def _simple_operand(operator: str, parent: str, left: bool) -> bool:
    """Arithmetic inside arithmetic: ``a + b * c`` and ``a - b - c`` need no parentheses;
    only one-character binary operators count."""
    low, high = "+-", "*/%"
    if len(operator) != 1 or len(parent) != 1:
        return False
    if not (operator in low or operator in high) or not (parent in low or parent in high):
        return False
    if operator in high and parent in low:
        return True
    if operator in low and parent in high:
        return False
    return left  # same priority: (a - b) - c needs none, a - (b - c) does


class _Printer:
    def __init__(self, pretty: bool) -> None:
        self.pretty = pretty

    def paren(self, node: Any, parent: _Shape, left: bool = False) -> str:
        """A child of ``parent`` (``left``: its first operand), parenthesized in pretty
        mode when it is not simple (in plain mode an operator brings its own)."""
        text, shape = self.rule(node)
        if not self.pretty:
            return text
        if shape.kind == "op" and parent.kind == "op":
            simple = _simple_operand(shape.name, parent.name, left)
        else:
            simple = _is_simple(shape, parent, self.pretty)
        return text if simple else f"({text})"

    def wrap(self, text: str) -> str:
        return text if self.pretty else f"({text})"

    def rule(self, node: Any) -> tuple[str, _Shape]:
        from tidesql.sql.planner import node_kind, string_values

        kind, value = node_kind(node)
        if kind == "column_ref" and all(node_kind(f)[0] == "string" for f in value.fields):
            return ".".join(string_values(value.fields)), _WORD
        if kind == "a_const":
            return self.constant(value, node), _WORD
        if kind == "a_expr":
            return self.a_expr(value, node)
        if kind == "bool_expr":
            shape = _Shape("bool", _BOOL_KINDS[value.boolop])
            if value.boolop == pb.NOT_EXPR:
                return self.wrap(f"NOT {self.paren(value.args[0], shape)}"), shape
            words = _BOOL_WORDS[value.boolop]
            return self.wrap(words.join(self.paren(a, shape) for a in value.args)), shape
        if kind == "null_test" and not value.argisrow:
            shape = _Shape("test")
            test = "IS NULL" if value.nulltesttype == pb.IS_NULL else "IS NOT NULL"
            return self.wrap(f"{self.paren(value.arg, shape)} {test}"), shape
        if kind == "boolean_test":
            shape = _Shape("test")
            test = _BOOLEAN_TESTS[value.booltesttype]
            return self.wrap(f"{self.paren(value.arg, shape)} {test}"), shape
        if kind == "func_call" and self.plain_call(value):
            name = ".".join(string_values(value.funcname)).removeprefix("pg_catalog.")
            return f"{name}({', '.join(self.rule(a)[0] for a in value.args)})", _CALL
        if kind == "coalesce_expr":
            return f"COALESCE({', '.join(self.rule(a)[0] for a in value.args)})", _CALL
        if kind == "min_max_expr":
            word = "GREATEST" if value.op == pb.IS_GREATEST else "LEAST"
            return f"{word}({', '.join(self.rule(a)[0] for a in value.args)})", _CALL
        if kind == "a_array_expr":
            return f"ARRAY[{', '.join(self.rule(a)[0] for a in value.elements)}]", _CALL
        if kind == "type_cast":
            return self.cast(value, node)
        return self.fallback(node)

    def fallback(self, node: Any) -> tuple[str, _Shape]:
        from tidesql.sql.ddl import deparse_expression

        return f"({deparse_expression(node)})", _CALL  # its own parentheses

    @staticmethod
    def plain_call(value: Any) -> bool:
        return (
            not value.HasField("over")
            and not value.agg_star
            and not value.agg_distinct
            and not len(value.agg_order)
            and not value.HasField("agg_filter")
            and value.funcformat != pb.COERCE_SQL_SYNTAX
        )

    def constant(self, value: Any, node: Any) -> str:
        """get_const_expr: integers bare unless negative, numerics bare when they look
        like one, strings with their type, booleans as words."""
        which = value.WhichOneof("val")
        if value.isnull or which is None:
            return "NULL"
        if which == "ival":
            number = value.ival.ival
            if number < 0:
                return f"'{number}'::integer"
            return str(number)
        if which == "fval":
            return _float_constant(value.fval.fval)
        if which == "sval":
            literal: str = value.sval.sval
            return _quote(literal) + "::text"
        if which == "boolval":
            return "true" if value.boolval.boolval else "false"
        return self.fallback(node)[0]

    def cast(self, value: Any, node: Any) -> tuple[str, _Shape]:
        """``(a)::integer``; a cast constant is the constant of that type (``'5'::int``
        is ``5``)."""
        from tidesql.sql.planner import node_kind

        type_text = _type_text(value.type_name)
        if type_text is None:
            return self.fallback(node)
        arg_kind, arg = node_kind(value.arg)
        if arg_kind == "a_const" and not arg.isnull:
            literal = _constant_literal(arg)
            if literal is not None:
                if type_text == "integer" and _is_int4(literal):
                    number = int(literal.strip())
                    return (str(number) if number >= 0 else f"'{number}'::integer"), _WORD
                if type_text == "boolean" and literal.strip().lower() in ("true", "false"):
                    return literal.strip().lower(), _WORD
                return f"{_quote(literal)}::{type_text}", _WORD
        text, inner = self.rule(value.arg)
        shape = _Shape("cast", inner=inner)
        if not self.pretty:
            return f"({text})::{type_text}", shape
        if not _is_simple(inner, shape, True):
            text = f"({text})"
        return f"{text}::{type_text}", shape

    def a_expr(self, value: Any, node: Any) -> tuple[str, _Shape]:
        from tidesql.sql.planner import node_kind, string_values

        operator = string_values(value.name)[-1] if len(value.name) else ""
        if value.kind in (pb.AEXPR_OP, pb.AEXPR_LIKE, pb.AEXPR_ILIKE):
            if not value.HasField("lexpr"):
                shape = _Shape("op")
                return self.wrap(f"{operator} {self.paren(value.rexpr, shape)}"), shape
            shape = _Shape("op", operator)
            left = self.paren(value.lexpr, shape, left=True)
            right = self.paren(value.rexpr, shape)
            return self.wrap(f"{left} {operator} {right}"), shape
        if value.kind in (pb.AEXPR_OP_ANY, pb.AEXPR_OP_ALL):
            word = "ANY" if value.kind == pb.AEXPR_OP_ANY else "ALL"
            return self.array_op(value.lexpr, operator, word, self.rule(value.rexpr)[0])
        if value.kind == pb.AEXPR_IN:
            items = node_kind(value.rexpr)[1].items
            if len(items) == 1:
                shape = _Shape("op", operator)
                left = self.paren(value.lexpr, shape, left=True)
                return self.wrap(f"{left} {operator} {self.paren(items[0], shape)}"), shape
            array = f"ARRAY[{', '.join(self.rule(item)[0] for item in items)}]"
            word = "ANY" if operator == "=" else "ALL"
            return self.array_op(value.lexpr, operator, word, array)
        if value.kind in (pb.AEXPR_DISTINCT, pb.AEXPR_NOT_DISTINCT):
            shape = _Shape("test")
            left, right = self.paren(value.lexpr, shape), self.paren(value.rexpr, shape)
            text = self.wrap(f"{left} IS DISTINCT FROM {right}")
            if value.kind == pb.AEXPR_DISTINCT:
                return text, shape
            # IS NOT DISTINCT FROM is NOT over IS DISTINCT FROM (simple under NOT).
            return self.wrap(f"NOT {text}"), _Shape("bool", "not")
        if value.kind == pb.AEXPR_NULLIF:
            return f"NULLIF({self.rule(value.lexpr)[0]}, {self.rule(value.rexpr)[0]})", _CALL
        if value.kind in (pb.AEXPR_BETWEEN, pb.AEXPR_NOT_BETWEEN):
            low, high = node_kind(value.rexpr)[1].items
            between = value.kind == pb.AEXPR_BETWEEN
            parts = [(">=", low), ("<=", high)] if between else [("<", low), (">", high)]
            bool_shape = _Shape("bool", "and" if between else "or")
            texts = []
            for comparison, bound in parts:
                shape = _Shape("op", comparison)
                left = self.paren(value.lexpr, shape, left=True)
                text = self.wrap(f"{left} {comparison} {self.paren(bound, shape)}")
                texts.append(text if _is_simple(shape, bool_shape, self.pretty) else f"({text})")
            return self.wrap((" AND " if between else " OR ").join(texts)), bool_shape
        return self.fallback(node)

    def array_op(self, left: Any, operator: str, word: str, array: str) -> tuple[str, _Shape]:
        shape = _Shape("array_op")
        return self.wrap(f"{self.paren(left, shape)} {operator} {word} ({array})"), shape


def _quote(literal: str) -> str:
    """simple_quote_literal with standard_conforming_strings on (as tidesql has it)."""
    return "'" + literal.replace("'", "''") + "'"


def _float_constant(text: str) -> str:
    """A literal the parser did not take as int4: an integer is a bigint (or numeric
    beyond), quoted; a numeric is bare when its output has a point and no sign."""
    if not any(c in text for c in ".eE"):
        label = "bigint" if -(2**63) <= int(text) < 2**63 else "numeric"
        return f"'{text}'::{label}"
    out = format(decimal.Decimal(text), "f")
    return out if out[0].isdigit() and "." in out else f"'{out}'::numeric"


def _is_int4(text: str) -> bool:
    stripped = text.strip()
    digits = stripped.removeprefix("-").removeprefix("+")
    return digits.isascii() and digits.isdigit() and _INT4_MIN <= int(stripped) <= _INT4_MAX


def _constant_literal(value: Any) -> str | None:
    which = value.WhichOneof("val")
    if which == "sval":
        text: str = value.sval.sval
        return text
    if which == "ival":
        return str(value.ival.ival)
    if which == "fval":
        number: str = value.fval.fval
        return number
    return None


def _type_text(type_name: Any) -> str | None:
    """format_type of a cast's target, or None for a type the printer cannot name."""
    from tidesql import errors
    from tidesql.sql import types as T
    from tidesql.sql.planner import node_kind, string_values

    names = string_values(type_name.names)
    typmods = []
    for mod in type_name.typmods:
        kind, const = node_kind(mod)
        if kind != "a_const" or const.WhichOneof("val") != "ival":
            return None
        typmods.append(const.ival.ival)
    try:
        sql_type = T.type_from_name(names, typmods, len(type_name.array_bounds))
    except errors.TideError:
        return ".".join(names) if len(names) == 1 else None
    return T.format_type(sql_type)
