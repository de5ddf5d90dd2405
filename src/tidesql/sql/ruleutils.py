"""Expression text as PostgreSQL's ruleutils prints it (pg_get_indexdef, pg_get_expr).

PostgreSQL prints a stored expression from its analysed tree: every operator and
boolean expression in parentheses, string constants with their type (``'x'::text``),
casts as ``(a)::text``. tidesql stores expressions as SQL text, so this re-parses the
text and prints the common node kinds that way; anything else falls back to
libpg_query's deparser, in parentheses. Implicit casts PostgreSQL would show
(``lower((code)::text)`` for a varchar column) are not reconstructed.
"""

from __future__ import annotations

from typing import Any

import pg_query.pg_query_pb2 as pb

_BOOL_WORDS = {pb.AND_EXPR: " AND ", pb.OR_EXPR: " OR "}


def expression_text(sql: str) -> str:
    """``a > 0 AND NOT active`` → ``((a > 0) AND (NOT active))``."""
    from tidesql.sql.statements import _parse_expression

    return _print(_parse_expression(sql))


def index_key_text(sql: str) -> str:
    """An index key expression as pg_get_indexdef shows it: function calls bare, anything
    else in an extra pair of parentheses (``lower(email)``, ``((a + b))``)."""
    from tidesql.sql.planner import node_kind
    from tidesql.sql.statements import _parse_expression

    node = _parse_expression(sql)
    text = _print(node)
    return text if node_kind(node)[0] == "func_call" else f"({text})"


def _print(node: Any) -> str:
    from tidesql.sql.ddl import deparse_expression
    from tidesql.sql.planner import node_kind, string_values

    kind, value = node_kind(node)
    if kind == "column_ref":
        return ".".join(string_values(value.fields))
    if kind == "a_const":
        which = value.WhichOneof("val")
        if value.isnull or which is None:
            return "NULL"
        if which == "sval":
            literal: str = value.sval.sval
            return "'" + literal.replace("'", "''") + "'::text"
        if which == "boolval":
            return "true" if value.boolval.boolval else "false"
        return deparse_expression(node)
    if kind == "a_expr" and value.kind == pb.AEXPR_OP:
        operator = " ".join(string_values(value.name))
        if not value.HasField("lexpr"):
            return f"({operator} {_print(value.rexpr)})"
        return f"({_print(value.lexpr)} {operator} {_print(value.rexpr)})"
    if kind == "bool_expr":
        if value.boolop == pb.NOT_EXPR:
            return f"(NOT {_print(value.args[0])})"
        return "(" + _BOOL_WORDS[value.boolop].join(_print(a) for a in value.args) + ")"
    if kind == "null_test":
        test = "IS NULL" if value.nulltesttype == pb.IS_NULL else "IS NOT NULL"
        return f"({_print(value.arg)} {test})"
    if kind == "func_call" and not value.HasField("over") and not value.agg_star:
        name: str = ".".join(string_values(value.funcname))
        return f"{name}({', '.join(_print(a) for a in value.args)})"
    if kind == "type_cast":
        type_text = deparse_expression(node).rsplit("::", 1)[-1]
        return f"({_print(value.arg)})::{type_text}"
    return f"({deparse_expression(node)})"
