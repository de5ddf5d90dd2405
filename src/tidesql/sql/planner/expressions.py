"""Binding expressions: coercion, operators, constants, parameters, columns, casts, CASE,
arrays, rows and comparisons.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import functions as F
from tidesql.sql import types as T
from tidesql.sql.expr import (
    AnyAll,
    ArrayExpr,
    BoolOp,
    Call,
    Case,
    Cast,
    Coalesce,
    ColumnRef,
    Const,
    EnvValue,
    Expr,
    InList,
    IsBool,
    IsNull,
    OuterRef,
    Param,
    Subscript,
)
from tidesql.sql.planner.base import PlannerBase
from tidesql.sql.planner.exprutil import (
    _RUNTIME_REG_OIDS,
    _VECTOR_ELEMENTS,
    _Closure,
    _row_items,
    _row_value,
    _scopes,
    _settings_free,
)
from tidesql.sql.planner.scopes import (
    BindContext,
    Scope,
    feature_not_supported,
    node_kind,
    string_values,
    undefined_column,
)


class ExpressionBinding(PlannerBase):
    """Binding expressions: coercion, operators, leaves, casts, rows, comparisons."""

    def coerce_bool(self, expr: Expr, clause: str) -> Expr:
        if expr.type.oid == T.UNKNOWN.oid:
            return self.coerce(expr, T.BOOL, clause)
        if expr.type.oid != T.BOOL.oid:
            raise TideError(
                f"argument of {clause} must be type boolean, not type {expr.type.name}",
                sqlstate=sqlstates.DATATYPE_MISMATCH,
            )
        return expr

    def coerce(
        self,
        expr: Expr,
        target: T.SqlType,
        clause: str = "",
        *,
        explicit: bool = False,
        context: str = "implicit",
    ) -> Expr:
        source = expr.type
        if source.oid == target.oid and (
            target.modifier == -1 or source.modifier == target.modifier
        ):
            return expr
        if isinstance(expr, Param) and source.oid == T.UNKNOWN.oid:
            self._set_param_type(expr.number, target)
            return Param(expr.number, target)
        if isinstance(expr, Const):
            if expr.value is None:
                return Const(None, target)
            # Fold the cast now unless its result depends on session settings (TimeZone,
            # DateStyle, extra_float_digits…): plans are shared across sessions.
            if _settings_free(source, target):
                if source.oid == T.UNKNOWN.oid:
                    # An explicit cast truncates to a length modifier; input does not.
                    value = T.cast_value(expr.value, T.UNKNOWN, target, explicit=explicit)
                    return Const(value, target)
                if explicit or T.can_coerce(source, target, context):
                    value = T.cast_value(expr.value, source, target, explicit=explicit)
                    return Const(value, target)
        if not explicit and not T.can_coerce(source, target, context):
            raise TideError(
                f"{('argument of ' + clause + ' ') if clause and clause.isupper() else ''}"
                f"column is of type {T.format_type(target)} "
                f"but expression is of type {T.format_type(source)}"
                if context == "assignment"
                else f"cannot cast type {T.format_type(source)} to {T.format_type(target)}",
                sqlstate=sqlstates.DATATYPE_MISMATCH,
                hint="You will need to rewrite or cast the expression."
                if context == "assignment"
                else None,
            )
        return Cast(expr, target, explicit)

    def _set_param_type(self, number: int, sql_type: T.SqlType) -> None:
        while len(self.param_types) < number:
            self.param_types.append(T.UNKNOWN)
        if self.param_types[number - 1].oid == T.UNKNOWN.oid:
            self.param_types[number - 1] = sql_type

    def operator(self, op: str, left: Expr | None, right: Expr) -> Expr:
        left_type = left.type if left is not None else None
        overload = F.resolve_operator(op, left_type, right.type)
        args = [left, right] if left is not None else [right]
        coerced = [self.coerce(a, t) for a, t in zip(args, overload.arg_types, strict=True)]
        return self._call(overload, coerced)

    def _call(self, overload: Any, args: list[Expr]) -> Expr:
        result_type = overload.result_type
        if overload.result_type_fn is not None:
            result_type = overload.result_type_fn([a.type for a in args])
        if overload.volatile:
            self.has_volatile = True
        call = Call(
            overload.name,
            args,
            result_type,
            overload.impl,
            overload.strict,
            overload.needs_env,
            overload.volatile,
        )
        if (
            all(isinstance(a, Const) for a in args)
            and not overload.volatile
            and not overload.needs_env
        ):
            try:
                value = call.compile()((), None)
            except TideError:
                return call
            return Const(value, result_type)
        return call

    # -- leaves
    def _bind_const(self, value: Any, context: BindContext) -> Expr:
        if value.isnull:
            return Const(None, T.UNKNOWN)
        which = value.WhichOneof("val")
        if which == "ival":
            return Const(value.ival.ival, T.INT4)
        if which == "fval":
            text = value.fval.fval
            number = Decimal(text)
            if number == number.to_integral_value() and "." not in text and "e" not in text.lower():
                integer = int(number)
                if -(2**63) <= integer < 2**63:
                    return Const(integer, T.INT8)
            return Const(number, T.NUMERIC)
        if which == "sval":
            return Const(value.sval.sval, T.UNKNOWN)
        if which == "boolval":
            return Const(value.boolval.boolval, T.BOOL)
        if which == "bsval":
            return Const(value.bsval.bsval, T.UNKNOWN)
        raise feature_not_supported("this constant is not supported")

    def _bind_param(self, value: Any, context: BindContext) -> Expr:
        number = value.number
        if number in self.inline_args:
            from tidesql.sql.sqlfunctions import bind_inline_arg

            bound: Expr = bind_inline_arg(self, number, context)
            return bound
        if number < 1:
            raise TideError(
                f"there is no parameter ${number}", sqlstate=sqlstates.UNDEFINED_PARAMETER
            )
        while len(self.param_types) < number:
            self.param_types.append(T.UNKNOWN)
        return Param(number, self.param_types[number - 1])

    def _bind_column(self, value: Any, context: BindContext) -> Expr:
        fields = string_values(value.fields)
        if fields[-1] == "*":
            raise feature_not_supported("* is not allowed here")
        name = fields[-1]
        alias = fields[-2] if len(fields) >= 2 else None
        if len(fields) > 3:
            raise feature_not_supported("cross-database references are not implemented")
        scope: Scope | None = context.scope
        level = 0
        while scope is not None:
            item = scope.lookup(name, alias)
            if item is not None:
                if level == 0:
                    return ColumnRef(item.index, item.type, name, item.alias)
                self.outer_refs_created += 1
                return OuterRef(level, item.index, item.type, name)
            if alias is None and level == 0 and scope.has_alias(name):
                # A table's name as a value: the whole row, a record.
                return _row_value(
                    [
                        ColumnRef(i.index, i.type, i.name, i.alias)
                        for i in scope.items
                        if i.alias == name and not i.hidden
                    ]
                )
            if alias is not None and scope.has_alias(alias) and level == 0:
                raise TideError(
                    f"column {alias}.{name} does not exist", sqlstate=sqlstates.UNDEFINED_COLUMN
                )
            if not scope.transparent:
                level += 1
            scope = scope.parent
        if alias is not None:
            if not any(s.has_alias(alias) for s in _scopes(context.scope)):
                raise TideError(
                    f'missing FROM-clause entry for table "{alias}"',
                    sqlstate=sqlstates.UNDEFINED_TABLE,
                )
            raise TideError(
                f"column {alias}.{name} does not exist", sqlstate=sqlstates.UNDEFINED_COLUMN
            )
        raise undefined_column(name)

    # -- operators
    def _bind_a_expr(self, value: Any, context: BindContext) -> Expr:
        kind = value.kind
        names = string_values(value.name)
        op = names[-1] if names else ""
        left_row = _row_items(value.lexpr) if value.HasField("lexpr") else None
        if left_row is not None:
            if kind == pb.AEXPR_IN:
                rows = [_row_items(item) for item in value.rexpr.list.items]
                if any(row is None for row in rows):
                    raise TideError(
                        "IN with a row on the left needs rows in the list",
                        sqlstate=sqlstates.SYNTAX_ERROR,
                    )
                negated = op == "<>"
                tests = [
                    self._row_comparison("<>" if negated else "=", left_row, row, context)
                    for row in rows
                    if row is not None
                ]
                return BoolOp("and" if negated else "or", tests)
            right_row = _row_items(value.rexpr)
            if right_row is not None:
                if kind == pb.AEXPR_OP:
                    return self._row_comparison(op, left_row, right_row, context)
                if kind in (pb.AEXPR_DISTINCT, pb.AEXPR_NOT_DISTINCT):
                    return self._row_distinct(
                        left_row, right_row, context, kind == pb.AEXPR_DISTINCT
                    )
        if kind == pb.AEXPR_OP:
            right = self.bind(value.rexpr, context)
            left = self.bind(value.lexpr, context) if value.HasField("lexpr") else None
            return self.operator(op, left, right)
        if kind in (pb.AEXPR_LIKE, pb.AEXPR_ILIKE):
            left = self.bind(value.lexpr, context)
            right = self.bind(value.rexpr, context)
            return self.operator(op, left, right)
        if kind == pb.AEXPR_IN:
            left = self.bind(value.lexpr, context)
            items = [self.bind(item, context) for item in value.rexpr.list.items]
            common = T.common_type([left.type, *[i.type for i in items]], "IN")
            if common.oid == T.UNKNOWN.oid:
                common = T.TEXT
            left = self.coerce(left, common)
            items = [self.coerce(i, common) for i in items]
            equals = self._comparison("=", common)
            return InList(left, items, None, equals, negated=op == "<>")
        if kind in (pb.AEXPR_OP_ANY, pb.AEXPR_OP_ALL):
            left = self.bind(value.lexpr, context)
            array = self.bind(value.rexpr, context)
            if array.type.element is None:
                if array.type.oid == T.UNKNOWN.oid:
                    array = self.coerce(
                        array, T.array_of(left.type if left.type.oid != T.UNKNOWN.oid else T.TEXT)
                    )
                else:
                    raise TideError(
                        "op ANY/ALL (array) requires array on right side",
                        sqlstate=sqlstates.WRONG_OBJECT_TYPE,
                    )
            element = array.type.element
            assert element is not None
            if left.type.oid == T.UNKNOWN.oid:
                left = self.coerce(left, element)
            compare = self._comparison(op, left.type, element)
            return AnyAll(left, array, compare, kind == pb.AEXPR_OP_ALL)
        if kind in (
            pb.AEXPR_BETWEEN,
            pb.AEXPR_NOT_BETWEEN,
            pb.AEXPR_BETWEEN_SYM,
            pb.AEXPR_NOT_BETWEEN_SYM,
        ):
            subject = self.bind(value.lexpr, context)
            low, high = (self.bind(n, context) for n in value.rexpr.list.items)
            inside = BoolOp(
                "and", [self.operator(">=", subject, low), self.operator("<=", subject, high)]
            )
            if kind in (pb.AEXPR_BETWEEN_SYM, pb.AEXPR_NOT_BETWEEN_SYM):
                swapped = BoolOp(
                    "and", [self.operator(">=", subject, high), self.operator("<=", subject, low)]
                )
                inside = BoolOp("or", [inside, swapped])
            if kind in (pb.AEXPR_NOT_BETWEEN, pb.AEXPR_NOT_BETWEEN_SYM):
                return BoolOp("not", [inside])
            return inside
        if kind == pb.AEXPR_NULLIF:
            left = self.bind(value.lexpr, context)
            right = self.bind(value.rexpr, context)
            common = T.common_type([left.type, right.type], "NULLIF")
            return Coalesce(
                [self.coerce(left, common), self.coerce(right, common)], common, "nullif"
            )
        if kind in (pb.AEXPR_DISTINCT, pb.AEXPR_NOT_DISTINCT):
            left = self.bind(value.lexpr, context)
            right = self.bind(value.rexpr, context)
            return self._distinct(left, right, kind == pb.AEXPR_DISTINCT)
        if kind == pb.AEXPR_SIMILAR:
            raise feature_not_supported("SIMILAR TO is not supported")
        raise feature_not_supported("this operator form is not supported")

    def _comparison(
        self, op: str, left: T.SqlType, right: T.SqlType | None = None
    ) -> Callable[[Any, Any], Any]:
        overload = F.resolve_operator(op, left, right or left)
        compare: Callable[[Any, Any], Any] = overload.impl
        return compare

    def _bind_bool(self, value: Any, context: BindContext) -> Expr:
        args = [
            self.coerce_bool(
                self.bind(a, context),
                {pb.AND_EXPR: "AND", pb.OR_EXPR: "OR"}.get(value.boolop, "NOT"),
            )
            for a in value.args
        ]
        op = {pb.AND_EXPR: "and", pb.OR_EXPR: "or", pb.NOT_EXPR: "not"}[value.boolop]
        return BoolOp(op, args)

    def _bind_null_test(self, value: Any, context: BindContext) -> Expr:
        return IsNull(self.bind(value.arg, context), negated=value.nulltesttype == pb.IS_NOT_NULL)

    def _bind_boolean_test(self, value: Any, context: BindContext) -> Expr:
        test, negated = {
            pb.IS_TRUE: ("true", False),
            pb.IS_NOT_TRUE: ("true", True),
            pb.IS_FALSE: ("false", False),
            pb.IS_NOT_FALSE: ("false", True),
            pb.IS_UNKNOWN: ("unknown", False),
            pb.IS_NOT_UNKNOWN: ("unknown", True),
        }[value.booltesttype]
        return IsBool(self.coerce_bool(self.bind(value.arg, context), "IS"), test, negated)

    def _bind_type_cast(self, value: Any, context: BindContext) -> Expr:
        from tidesql.sql.domains import DomainCoerce, checker_for, resolve_type_name

        target, domain = resolve_type_name(self.catalog, value.type_name, self.search_path)
        if domain is not None:
            base = self.coerce(
                self.bind(value.arg, context), target, explicit=True, context="explicit"
            )
            return DomainCoerce(base, target, domain.oid, checker_for(self.catalog, domain))
        arg_kind, arg_value = node_kind(value.arg)
        if (
            arg_kind == "a_const"
            and target.oid in (T.REGCLASS.oid, T.REGTYPE.oid)
            and not arg_value.isnull
        ):
            return self._reg_cast(arg_value, target)
        arg = self.bind(value.arg, context)
        if arg.type.oid == T.UNKNOWN.oid and target.oid in _RUNTIME_REG_OIDS:
            # 'public'::regnamespace: the name is looked up when the statement runs, in
            # the catalog its FormatSettings carry.
            return Cast(self.coerce(arg, T.TEXT), target)
        return self.coerce(arg, target, explicit=True, context="explicit")

    def _reg_cast(self, value: Any, target: T.SqlType) -> Expr:
        text = value.sval.sval if value.WhichOneof("val") == "sval" else str(value.ival.ival)
        if text.isdigit():
            return Const(int(text), target)
        if target.oid == T.REGCLASS.oid:
            parts = text.split(".")
            name = parts[-1].strip('"')
            schema = parts[0].strip('"') if len(parts) > 1 else None
            table = self.catalog.find_table(name, schema, self.search_path)
            if table is not None:
                return Const(table.oid, target)
            found = self.catalog.find_index(name, schema, self.search_path)
            if found is not None:
                return Const(found[1].oid, target)
            if self.virtual_tables is not None:
                virtual = self.virtual_tables.lookup(name, schema, self.search_path)
                if virtual is not None:
                    return Const(virtual.oid, target)
            raise TideError(f'relation "{text}" does not exist', sqlstate=sqlstates.UNDEFINED_TABLE)
        from tidesql.sql.domains import resolve_type_name
        from tidesql.sql.parser import parse

        statement = parse(f"SELECT NULL::{text}")[0]
        type_name = statement.node.target_list[0].res_target.val.type_cast.type_name
        # A domain is a type of its own: 'posint'::regtype is the domain, not its base.
        sql_type, domain = resolve_type_name(self.catalog, type_name, self.search_path)
        return Const(domain.oid if domain is not None else sql_type.oid, target)

    def type_from_name(self, type_name: Any) -> T.SqlType:
        names = string_values(type_name.names)
        typmods = []
        for mod in type_name.typmods:
            kind, value = node_kind(mod)
            if kind == "a_const" and value.WhichOneof("val") == "ival":
                typmods.append(value.ival.ival)
            else:
                raise TideError(
                    "type modifiers must be simple constants", sqlstate=sqlstates.SYNTAX_ERROR
                )
        try:
            return T.type_from_name(names, typmods, len(type_name.array_bounds))
        except TideError as error:
            from tidesql.sql.domains import find_domain_by_names

            domain = find_domain_by_names(self.catalog, names, self.search_path)
            if error.sqlstate != sqlstates.UNDEFINED_OBJECT or domain is None:
                raise
            return domain.sql_type

    def _bind_case(self, value: Any, context: BindContext) -> Expr:
        subject = self.bind(value.arg, context) if value.HasField("arg") else None
        conditions: list[Expr] = []
        results: list[Expr] = []
        for when_node in value.args:
            when = when_node.case_when
            condition = self.bind(when.expr, context)
            if subject is not None:
                condition = self.operator("=", subject, condition)
            conditions.append(self.coerce_bool(condition, "CASE/WHEN"))
            results.append(self.bind(when.result, context))
        default = self.bind(value.defresult, context) if value.HasField("defresult") else None
        types = [r.type for r in results] + ([default.type] if default is not None else [])
        result_type = T.common_type(types, "CASE")
        if result_type.oid == T.UNKNOWN.oid:
            result_type = T.TEXT
        whens = [
            (c, self.coerce(r, result_type, "CASE"))
            for c, r in zip(conditions, results, strict=True)
        ]
        return Case(
            whens, self.coerce(default, result_type) if default is not None else None, result_type
        )

    def _bind_coalesce(self, value: Any, context: BindContext) -> Expr:
        args = [self.bind(a, context) for a in value.args]
        common = T.common_type([a.type for a in args], "COALESCE")
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        return Coalesce([self.coerce(a, common) for a in args], common)

    def _bind_min_max(self, value: Any, context: BindContext) -> Expr:
        args = [self.bind(a, context) for a in value.args]
        word = "GREATEST" if value.op == pb.IS_GREATEST else "LEAST"
        common = T.common_type([a.type for a in args], word)
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        return Coalesce([self.coerce(a, common) for a in args], common, word.lower())

    def _bind_array(self, value: Any, context: BindContext) -> Expr:
        items = [self.bind(e, context) for e in value.elements]
        if not items:
            return Const([], T.array_of(T.TEXT))
        common = T.common_type([i.type for i in items], "ARRAY")
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        return ArrayExpr([self.coerce(i, common) for i in items], T.array_of(common))

    def _bind_indirection(self, value: Any, context: BindContext) -> Expr:
        expr = self.bind(value.arg, context)
        for node in value.indirection:
            kind, item = node_kind(node)
            if kind != "a_indices" or item.is_slice:
                raise feature_not_supported("only simple array subscripts are supported")
            element = expr.type.element or _VECTOR_ELEMENTS.get(expr.type.oid)
            if element is None:
                raise TideError(
                    f"cannot subscript type {expr.type.name} "
                    "because it does not support subscripting",
                    sqlstate=sqlstates.DATATYPE_MISMATCH,
                )
            index = self.coerce(self.bind(item.uidx, context), T.INT4)
            if expr.type.element is None:  # int2vector, oidvector: subscripts start at 0
                index = self.operator("+", index, Const(1, T.INT4))
            expr = Subscript(expr, index, element)
        return expr

    def _bind_sql_value(self, value: Any, context: BindContext) -> Expr:
        op = value.op
        if op in (pb.SVFOP_CURRENT_TIMESTAMP, pb.SVFOP_CURRENT_TIMESTAMP_N):
            return self._function("now", [], context)
        if op == pb.SVFOP_CURRENT_DATE:
            return self._function("current_date", [], context)
        if op in (pb.SVFOP_LOCALTIMESTAMP, pb.SVFOP_LOCALTIMESTAMP_N):
            return self._function("localtimestamp", [], context)
        if op in (
            pb.SVFOP_CURRENT_TIME,
            pb.SVFOP_CURRENT_TIME_N,
            pb.SVFOP_LOCALTIME,
            pb.SVFOP_LOCALTIME_N,
        ):
            return self._function("localtime", [], context)
        if op in (
            pb.SVFOP_CURRENT_USER,
            pb.SVFOP_USER,
            pb.SVFOP_SESSION_USER,
            pb.SVFOP_CURRENT_ROLE,
        ):
            return EnvValue(lambda env: env.user, T.NAME, "current_user")
        if op == pb.SVFOP_CURRENT_CATALOG:
            return EnvValue(lambda env: "postgres", T.NAME, "current_catalog")
        if op == pb.SVFOP_CURRENT_SCHEMA:
            return EnvValue(lambda env: env.current_schema, T.NAME, "current_schema")
        raise feature_not_supported("this SQL value function is not supported")

    def _bind_collate(self, value: Any, context: BindContext) -> Expr:
        names = string_values(value.collname)
        if names and names[-1] not in ("C", "POSIX", "default", "ucs_basic"):
            raise TideError(
                f'collation "{names[-1]}" for encoding "UTF8" does not exist',
                sqlstate=sqlstates.UNDEFINED_OBJECT,
            )
        return self.bind(value.arg, context)

    def _bind_row(self, value: Any, context: BindContext) -> Expr:
        """``ROW(a, b)`` or ``(a, b)`` as a value: a record; ``ROW(t.*)`` takes t's columns."""
        items = [self._settle_unknown(e) for e in self._bind_row_items(value.args, context)]
        return _row_value(items)

    def _bind_row_items(self, nodes: Any, context: BindContext) -> list[Expr]:
        items: list[Expr] = []
        for item in nodes:
            kind, ref = node_kind(item)
            fields = string_values(ref.fields) if kind == "column_ref" else []
            if fields and fields[-1] == "*":
                items.extend(self._star_columns(fields[-2] if len(fields) > 1 else None, context))
            else:
                items.append(self.bind(item, context))
        return items

    def _star_columns(self, alias: str | None, context: BindContext) -> list[Expr]:
        """The columns ``alias.*`` (or ``*``) stands for in the current FROM."""
        scope = context.scope
        chosen = [i for i in scope.items if not i.hidden and (alias is None or i.alias == alias)]
        if alias is not None and not chosen:
            raise TideError(
                f'missing FROM-clause entry for table "{alias}"',
                sqlstate=sqlstates.UNDEFINED_TABLE,
            )
        return [ColumnRef(i.index, i.type, i.name, i.alias) for i in chosen]

    def _settle_unknown(self, expr: Expr) -> Expr:
        return self.coerce(expr, T.TEXT) if expr.type.oid == T.UNKNOWN.oid else expr

    def _distinct(self, left: Expr, right: Expr, distinct: bool) -> Expr:
        """``left IS [NOT] DISTINCT FROM right``: NULLs compare as equal values."""
        common = T.common_type([left.type, right.type], "IS DISTINCT FROM")
        if common.oid == T.UNKNOWN.oid:
            common = T.TEXT
        equal = self._comparison("=", common)
        left_f = self.coerce(left, common).compile()
        right_f = self.coerce(right, common).compile()

        def is_distinct(row: Any, env: Any) -> bool:
            a, b = left_f(row, env), right_f(row, env)
            same = (a is None and b is None) or (a is not None and b is not None and equal(a, b))
            return (not same) if distinct else same

        return _Closure(is_distinct, T.BOOL, f"distinct({left.key()},{right.key()})", [left, right])

    def _row_pairs(
        self, left: list[Any], right: list[Any], context: BindContext
    ) -> list[tuple[Expr, Expr]]:
        """The fields of two row constructors, bound (``t.*`` expanded) and paired."""
        bound_left = self._bind_row_items(left, context)
        bound_right = self._bind_row_items(right, context)
        if len(bound_left) != len(bound_right):
            raise TideError(
                "unequal number of entries in row expressions", sqlstate=sqlstates.SYNTAX_ERROR
            )
        return list(zip(bound_left, bound_right, strict=True))

    def _row_comparison(
        self, op: str, left: list[Any], right: list[Any], context: BindContext
    ) -> Expr:
        """``(a, b) op (c, d)`` as PostgreSQL defines it: = and <> field by field; the
        orderings lexicographic, decided by the first pair that is unequal or NULL."""
        if op not in ("=", "<>", "<", "<=", ">", ">="):
            raise TideError(
                f"operator {op} is not supported for row expressions",
                sqlstate=sqlstates.FEATURE_NOT_SUPPORTED,
            )
        pairs = self._row_pairs(left, right, context)
        if op in ("=", "<>"):
            return BoolOp("and" if op == "=" else "or", [self.operator(op, a, b) for a, b in pairs])
        strict = op[0]
        last_a, last_b = pairs[-1]
        result = self.operator(op, last_a, last_b)
        for a, b in reversed(pairs[:-1]):
            result = BoolOp(
                "or",
                [self.operator(strict, a, b), BoolOp("and", [self.operator("=", a, b), result])],
            )
        return result

    def _row_distinct(
        self, left: list[Any], right: list[Any], context: BindContext, distinct: bool
    ) -> Expr:
        tests = [self._distinct(a, b, distinct) for a, b in self._row_pairs(left, right, context)]
        return BoolOp("or" if distinct else "and", tests)
