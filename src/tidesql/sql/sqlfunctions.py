"""SQL-language functions: ``CREATE FUNCTION … LANGUAGE sql``, inlined where called.

What is stored?
    A :class:`~tidesql.sql.catalog.FunctionDef` in the catalog's object table: name,
    argument names, types and defaults, result type, volatility, and the body as the
    text of one SELECT (``AS $$ SELECT … $$``, ``RETURN expr`` or ``BEGIN ATOMIC SELECT …;
    END`` all become that). Other languages are refused (0A000), as DSQL refuses them.

How is a call executed?
    By inlining, on the parse tree: the body's parameter references (``$1`` or the
    parameter's name, or ``f.name``) are replaced by the call's argument expressions,
    each cast to the declared argument type, and the result is cast to the declared
    result type. Then the planner binds the rewritten expression as if the user had
    written it:

    * a body that is ``SELECT expr`` alone becomes that expression;
    * any other body becomes a scalar subquery with ``LIMIT 1`` (a scalar SQL function
      returns the first row, or NULL without one);
    * a set-returning function (``RETURNS SETOF t`` / ``RETURNS TABLE (…)``) in FROM
      becomes a subquery in FROM.

    A name in the body that is a column of a table the body reads stays a column (as in
    PostgreSQL, the column wins over the parameter; ``f.name`` names the parameter).

What are the limits?
    Inlining expands nested calls at planning time, so a recursive function (even one
    with a base case) exceeds ``INLINE_DEPTH_MAX`` and fails with 54001, as PostgreSQL
    fails a runaway recursion. Bodies other than a single SELECT are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pg_query.pg_query_pb2 as pb

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import catalog as C
from tidesql.sql import types as T
from tidesql.sql.parser import ParsedStatement, parse
from tidesql.sql.result import Notice, StatementResult

INLINE_DEPTH_MAX = 32
#: Parameter numbers from here on stand for inlined arguments, never for client ones.
INLINE_PARAM_BASE = 1 << 30
_VOLATILITY = {"immutable": "i", "stable": "s", "volatile": "v"}
#: Parameter modes as pg_proc.proargmodes spells them.
_PARAM_MODES = {
    pb.FUNC_PARAM_IN: "i",
    pb.FUNC_PARAM_DEFAULT: "i",
    pb.FUNC_PARAM_OUT: "o",
    pb.FUNC_PARAM_INOUT: "b",
    pb.FUNC_PARAM_VARIADIC: "v",
    pb.FUNC_PARAM_TABLE: "t",
}


def not_supported(message: str) -> TideError:
    return TideError(message, sqlstate=sqlstates.FEATURE_NOT_SUPPORTED)


# ---------------------------------------------------------------- CREATE / DROP
async def create_function(session: Any, writer: Any, statement: ParsedStatement) -> StatementResult:
    from tidesql.sql.ddl import deparse_expression, deparse_select
    from tidesql.sql.domains import resolve_type_name
    from tidesql.sql.planner import node_kind, string_values

    node = statement.node
    if node.is_procedure:
        raise not_supported("unsupported statement: CREATE PROCEDURE")
    names = string_values(node.funcname)
    name = names[-1]
    schema_oid = writer.schema_for(names[0] if len(names) > 1 else None)
    catalog: C.Catalog = writer.catalog
    search_path = session.search_path()
    language, volatility, strict, body_text = "sql", "v", False, None
    for option in node.options:
        element = option.def_elem
        value: Any
        kind, value = node_kind(element.arg) if element.HasField("arg") else ("", None)
        if element.defname == "language":
            language = value.sval.lower() if kind == "string" else ""
        elif element.defname == "volatility":
            volatility = _VOLATILITY[value.sval]
        elif element.defname == "strict":
            strict = bool(value.boolval) if kind == "boolean" else False
        elif element.defname == "as":
            pieces = [node_kind(item)[1].sval for item in value.items] if kind == "list" else []
            body_text = pieces[0] if pieces else None
        elif element.defname in ("parallel", "leakproof", "cost", "rows", "security"):
            continue
        else:
            raise not_supported(f"CREATE FUNCTION option {element.defname} is not supported")
    if language != "sql":
        raise not_supported(f"CREATE FUNCTION with language {language} not supported")
    arg_names: list[str] = []
    arg_types: list[int] = []
    arg_defaults: list[str | None] = []
    out_names: list[str] = []
    out_types: list[int] = []
    param_modes: list[str] = []
    param_names: list[str] = []
    param_types: list[int] = []
    for parameter_node in node.parameters:
        parameter = parameter_node.function_parameter
        sql_type, _domain = resolve_type_name(catalog, parameter.arg_type, search_path)
        type_oid = sql_type.oid
        param_modes.append(_PARAM_MODES.get(parameter.mode, "i"))
        param_names.append(parameter.name)
        param_types.append(type_oid)
        if parameter.mode in (pb.FUNC_PARAM_OUT, pb.FUNC_PARAM_TABLE):
            out_names.append(parameter.name)
            out_types.append(type_oid)
            continue
        if parameter.mode not in (pb.FUNC_PARAM_IN, pb.FUNC_PARAM_DEFAULT):
            raise not_supported("only IN, OUT and TABLE parameters are supported")
        arg_names.append(parameter.name)
        arg_types.append(type_oid)
        arg_defaults.append(
            deparse_expression(parameter.defexpr) if parameter.HasField("defexpr") else None
        )
    if all(mode == "i" for mode in param_modes):
        param_modes, param_names, param_types = [], [], []
    returns_set = node.return_type.setof if node.HasField("return_type") else False
    row_table_oid = 0
    if node.HasField("return_type"):
        row_table = _row_type_table(catalog, node.return_type, search_path)
        if row_table is not None:
            row_table_oid = row_table.oid
            # RETURNS [SETOF] table_name: the table's row type.
            result_oid = T.RECORD.oid
            out_names = [c.name for c in row_table.live_columns]
            out_types = [c.type_oid for c in row_table.live_columns]
        else:
            result, _ = resolve_type_name(catalog, node.return_type, search_path)
            result_oid = result.oid
    elif len(out_types) == 1:
        result_oid = out_types[0]
    elif out_types:
        result_oid = T.RECORD.oid  # OUT parameters: a row of them
    else:
        raise TideError(
            "function result type must be specified", sqlstate=sqlstates.INVALID_FUNCTION_DEFINITION
        )
    if len(out_types) == 1 and not returns_set:
        out_names, out_types = [], []
    source = body_text
    if node.HasField("sql_body"):
        body, source = _standard_body(node.sql_body, deparse_expression, deparse_select)
    elif body_text is not None:
        body = _body_select(body_text)
    else:
        raise TideError(
            "no function body specified", sqlstate=sqlstates.INVALID_FUNCTION_DEFINITION
        )
    existing = _same_signature(catalog, schema_oid, name, arg_types)
    if existing is not None and not node.replace:
        signature = ", ".join(T.format_type(T.type_by_oid(t)) for t in arg_types)
        raise TideError(
            f'function "{name}" already exists with same argument types',
            sqlstate=sqlstates.DUPLICATE_FUNCTION,
            detail=f"{name}({signature})",
        )
    if existing is not None and (
        existing.result_type_oid != result_oid or existing.returns_set != returns_set
    ):
        raise TideError(
            "cannot change return type of existing function",
            sqlstate=sqlstates.INVALID_FUNCTION_DEFINITION,
            hint=f"Use DROP FUNCTION {name}(...) first.",
        )
    oid = existing.oid if existing is not None else await writer.new_oid()
    function = C.FunctionDef(
        oid,
        schema_oid,
        name,
        arg_names,
        arg_types,
        arg_defaults,
        result_oid,
        body,
        returns_set=returns_set,
        volatility=volatility,
        strict=strict,
        owner=session.user,
        out_names=out_names,
        out_type_oids=out_types,
        param_modes=param_modes,
        param_names=param_names,
        param_type_oids=param_types,
        row_table_oid=row_table_oid,
        source=source,
        standard_body=node.HasField("sql_body"),
    )
    _validate(session, catalog, function)
    writer.txn.put(C.object_key(oid), C.object_to_json(function), is_row=False)
    writer.bump()
    return StatementResult("CREATE FUNCTION")


def _row_type_table(catalog: C.Catalog, type_name: Any, search_path: list[str]) -> Any:
    from tidesql.sql.planner import string_values

    names = string_values(type_name.names)
    if len(names) > 2 or len(type_name.array_bounds):
        return None
    try:
        T.type_from_name(names, [], 0)
        return None
    except TideError:
        pass
    schema = names[0] if len(names) == 2 else None
    table = catalog.find_table(names[-1], schema, search_path)
    return table if table is not None and table.kind == "r" else None


def _standard_body(sql_body: Any, deparse_expression: Any, deparse_select: Any) -> tuple[str, str]:
    """A SQL-standard body → (the SELECT to inline, the body as pg_get_functiondef
    prints it: ``RETURN expr`` or ``BEGIN ATOMIC … END``)."""
    from tidesql.sql.planner import node_kind

    kind, value = node_kind(sql_body)
    if kind == "return_stmt":
        expression = deparse_expression(value.returnval)
        return f"SELECT {expression}", f"RETURN {expression}"
    if kind == "list":
        statements = [node_kind(item) for item in value.items]
        # BEGIN ATOMIC … END: a list holding the list of statements.
        if len(statements) == 1 and statements[0][0] == "list":
            statements = [node_kind(item) for item in statements[0][1].items]
        if len(statements) == 1:
            inner_kind, inner = statements[0]
            if inner_kind == "return_stmt":
                expression = deparse_expression(inner.returnval)
                return f"SELECT {expression}", f"BEGIN ATOMIC\n RETURN {expression};\nEND"
            if inner_kind == "select_stmt":
                text: str = deparse_select(inner)
                return text, f"BEGIN ATOMIC\n {text};\nEND"
    raise not_supported("SQL function bodies other than one SELECT are not supported")


def _body_select(text: str) -> str:
    statements = parse(text)
    if len(statements) != 1 or statements[0].kind != "select_stmt":
        raise not_supported("SQL function bodies other than one SELECT are not supported")
    return statements[0].text.rstrip(";")


def _same_signature(
    catalog: C.Catalog, schema_oid: int, name: str, arg_types: list[int]
) -> C.FunctionDef | None:
    for function in catalog.functions_named(name):
        if function.schema_oid == schema_oid and function.arg_type_oids == arg_types:
            return function
    return None


def _validate(session: Any, catalog: C.Catalog, function: C.FunctionDef) -> None:
    """Plan one call with typed NULL arguments, so a bad body fails CREATE FUNCTION."""
    from tidesql.sql.planner import Planner
    from tidesql.sql.statements import _virtual_tables

    functions = {
        oid: f
        for oid, f in catalog.functions.items()
        if not (f.name == function.name and f.arg_type_oids == function.arg_type_oids)
    }
    functions[function.oid] = function
    probe = C.Catalog(catalog.version, catalog.schemas, catalog.tables, catalog.domains, functions)
    args = ", ".join(f"NULL::{T.format_type(T.type_by_oid(t))}" for t in function.arg_type_oids)
    schema = catalog.schemas.get(function.schema_oid, "public")
    call = f"{_quote(schema)}.{_quote(function.name)}({args})"
    in_from = function.returns_set or function.out_names
    sql = f"SELECT * FROM {call}" if in_from else f"SELECT {call}"
    (statement,) = parse(sql)
    planner = Planner(probe, session.search_path(), virtual_tables=_virtual_tables(session))
    planner.plan_select(statement.node)


def _quote(name: str) -> str:
    from tidesql.sql.functions import quote_ident

    quoted: str = quote_ident(name)
    return quoted


async def drop_functions(session: Any, writer: Any, node: Any) -> StatementResult:
    from tidesql.sql.domains import resolve_type_name
    from tidesql.sql.planner import node_kind, string_values

    catalog: C.Catalog = writer.catalog
    notices = []
    for item in node.objects:
        owa = node_kind(item)[1]
        names = string_values(owa.objname)
        name = names[-1]
        schema_oid = catalog.schema_oid(names[0]) if len(names) > 1 else None
        candidates = [
            f
            for f in catalog.functions_named(name)
            if schema_oid is None or f.schema_oid == schema_oid
        ]
        if not owa.args_unspecified:
            wanted = [
                resolve_type_name(catalog, node_kind(a)[1], session.search_path())[0].oid
                for a in owa.objargs
            ]
            candidates = [f for f in candidates if f.arg_type_oids == wanted]
            signature = f"{name}({', '.join(_type_text(t) for t in wanted)})"
        else:
            signature = name
        if not candidates:
            if node.missing_ok:
                notices.append(
                    Notice("NOTICE", "00000", f"function {signature} does not exist, skipping")
                )
                continue
            raise TideError(
                f"function {signature} does not exist", sqlstate=sqlstates.UNDEFINED_FUNCTION
            )
        if len(candidates) > 1:
            raise TideError(
                f'function name "{name}" is not unique',
                sqlstate=sqlstates.AMBIGUOUS_FUNCTION,
                hint="Specify the argument list to select the function unambiguously.",
            )
        writer.txn.delete(C.object_key(candidates[0].oid), is_row=False)
        writer.bump()
    return StatementResult("DROP FUNCTION", notices=notices)


def _type_text(oid: int) -> str:
    return T.format_type(T.type_by_oid(oid))


# ---------------------------------------------------------------- calls
def find_function(
    planner: Any, names: list[str], call: Any
) -> tuple[C.FunctionDef, list[Any]] | None:
    """The user function a call names, and its argument nodes in declaration order
    (defaults filled in); None when no SQL function has that name."""
    from tidesql.sql.planner import node_kind
    from tidesql.sql.statements import _parse_expression

    catalog: C.Catalog = planner.catalog
    name = names[-1]
    candidates = catalog.functions_named(name)
    if not candidates:
        return None
    if len(names) > 1:
        schema_oid = catalog.schema_oid(names[0])
        candidates = [f for f in candidates if f.schema_oid == schema_oid]
    else:
        visible = {catalog.schema_oid(s) for s in planner.search_path}
        candidates = [f for f in candidates if f.schema_oid in visible]
    positional: list[Any] = []
    named: dict[str, Any] = {}
    for arg in call.args:
        kind, value = node_kind(arg)
        if kind == "named_arg_expr":
            named[value.name] = value.arg
        elif named:
            raise TideError(
                "positional argument cannot follow named argument",
                sqlstate=sqlstates.SYNTAX_ERROR,
            )
        else:
            positional.append(arg)
    fitting = []
    for function in candidates:
        count = len(function.arg_names)
        if len(positional) > count or any(n not in function.arg_names for n in named):
            continue
        args: list[Any] = []
        for position in range(count):
            arg_name = function.arg_names[position]
            if position < len(positional):
                if arg_name in named:
                    break
                args.append(positional[position])
            elif arg_name in named:
                args.append(named[arg_name])
            elif (default := function.arg_defaults[position]) is not None:
                args.append(_parse_expression(default))
            else:
                break
        else:
            fitting.append((function, args))
    if len(fitting) > 1:
        fitting = [f for f in fitting if _types_fit(planner, f[0], f[1])] or fitting
    if len(fitting) > 1:
        raise TideError(f"function {name}(…) is not unique", sqlstate=sqlstates.AMBIGUOUS_FUNCTION)
    if not fitting and named:
        raise TideError(
            f"function {name}(…) does not exist",
            sqlstate=sqlstates.UNDEFINED_FUNCTION,
            hint="No function matches the given name and argument types.",
        )
    return fitting[0] if fitting else None


def _types_fit(planner: Any, function: C.FunctionDef, args: list[Any]) -> bool:
    from tidesql.sql.planner import BindContext, Scope

    for arg, type_oid in zip(args, function.arg_type_oids, strict=True):
        try:
            bound = planner.bind(arg, BindContext(Scope(), "argument"))
        except TideError:
            continue  # depends on the row: assume it fits
        target = T.type_by_oid(type_oid)
        if bound.type.oid not in (target.oid, T.UNKNOWN.oid) and not T.can_coerce(
            bound.type, target, "implicit"
        ):
            return False
    return True


def scalar_call(planner: Any, function: C.FunctionDef, args: list[Any], call_scope: Any) -> Any:
    """The parse tree that replaces a call of a scalar SQL function."""
    if function.returns_set or function.out_names:
        raise not_supported(f"set-returning function {function.name} must be called in FROM")
    select = _substituted_body(planner, function, args, call_scope)
    simple = (
        len(select.target_list) == 1
        and not len(select.from_clause)
        and not select.HasField("where_clause")
        and not len(select.group_clause)
        and not select.HasField("having_clause")
        and not len(select.sort_clause)
        and not select.HasField("limit_count")
        and select.op == pb.SETOP_NONE
        and not len(select.values_lists)
    )
    if simple:
        expr = pb.Node()
        expr.CopyFrom(select.target_list[0].res_target.val)
    else:
        if not select.HasField("limit_count") and select.op == pb.SETOP_NONE:
            select.limit_count.a_const.ival.ival = 1
            select.limit_option = pb.LIMIT_OPTION_COUNT
        expr = pb.Node()
        expr.sub_link.sub_link_type = pb.EXPR_SUBLINK
        expr.sub_link.subselect.select_stmt.CopyFrom(select)
    return _cast(expr, function.result_type_oid)


def from_item(
    planner: Any, function: C.FunctionDef, args: list[Any], range_function: Any, call_scope: Any
) -> Any:
    """The FROM item (a subquery) that replaces a SQL function called in FROM."""
    select = _substituted_body(planner, function, args, call_scope)
    node = pb.Node()
    subselect = node.range_subselect
    subselect.lateral = range_function.lateral
    subselect.subquery.select_stmt.CopyFrom(select)
    if range_function.HasField("alias"):
        subselect.alias.CopyFrom(range_function.alias)
    else:
        subselect.alias.aliasname = function.name
    if not len(subselect.alias.colnames):
        if function.out_names:
            for column_name in function.out_names:
                subselect.alias.colnames.add().string.sval = column_name
        elif len(select.target_list) == 1 and not function.out_names:
            subselect.alias.colnames.add().string.sval = subselect.alias.aliasname
    return node


def _substituted_body(
    planner: Any, function: C.FunctionDef, args: list[Any], call_scope: Any
) -> Any:
    depth = planner.inline_depth
    if depth >= INLINE_DEPTH_MAX:
        raise TideError(
            "stack depth limit exceeded",
            sqlstate=sqlstates.STATEMENT_TOO_COMPLEX,
            hint=f"SQL function {function.name} is recursive or nested more than "
            f"{INLINE_DEPTH_MAX} deep; tidesql inlines SQL functions.",
        )
    planner.inline_depth = depth + 1
    (statement,) = parse(function.body)
    select = pb.SelectStmt()
    select.CopyFrom(statement.node)
    # Arguments go in as placeholders that the planner binds in the caller's scope
    # (``Planner._bind_param``), so a body column of the same name cannot capture them.
    typed_args = []
    for arg, type_oid in zip(args, function.arg_type_oids, strict=True):
        planner.inline_arg_count += 1
        number = INLINE_PARAM_BASE + planner.inline_arg_count
        planner.inline_args[number] = (arg, call_scope)
        placeholder = pb.Node()
        placeholder.param_ref.number = number
        typed_args.append(_cast(placeholder, type_oid))
    columns = _body_columns(planner, select)
    by_name = {n: a for n, a in zip(function.arg_names, typed_args, strict=True) if n}
    _substitute(select, function.name, by_name, typed_args, columns)
    return select


def bind_inline_arg(planner: Any, number: int, context: Any) -> Any:
    """Bind an inlined call's argument where the call was written."""
    from tidesql.sql.planner import BindContext, Scope

    arg, call_scope = planner.inline_args[number]
    level, scope = 0, context.scope
    while scope is not None and scope is not call_scope:
        if not scope.transparent:
            level += 1
        scope = scope.parent
    if scope is None or level == 0:
        return planner.bind(arg, context if scope is not None else BindContext(Scope()))
    proxy = call_scope
    for _ in range(level):
        proxy = Scope(parent=proxy)
    inner = BindContext(proxy, context.clause)
    inner.subqueries = context.subqueries
    return planner.bind(arg, inner)


def finish_inline(planner: Any) -> None:
    planner.inline_depth = max(0, planner.inline_depth - 1)


def _body_columns(planner: Any, select: Any) -> set[str]:
    """Column names of the tables the body reads: they win over parameter names."""
    names: set[str] = set()
    for message in _messages(select):
        if isinstance(message, pb.RangeVar):
            table = planner.catalog.find_table(
                message.relname, message.schemaname or None, planner.search_path
            )
            if table is not None:
                names.update(c.name for c in table.live_columns)
    return names


def _messages(message: Any) -> Iterator[Any]:
    yield message
    for field_descriptor, value in message.ListFields():
        if field_descriptor.message_type is None:
            continue
        for item in [value] if hasattr(value, "ListFields") else value:
            yield from _messages(item)


def _substitute(
    message: Any,
    function_name: str,
    by_name: dict[str, Any],
    positional: list[Any],
    columns: set[str],
) -> None:
    """Replace parameter references inside ``message`` (in place)."""
    for field_descriptor, value in message.ListFields():
        if field_descriptor.message_type is None:
            continue
        for item in [value] if hasattr(value, "ListFields") else value:
            if isinstance(item, pb.Node):
                replacement = _replacement(item, function_name, by_name, positional, columns)
                if replacement is not None:
                    item.CopyFrom(replacement)
                    continue
            _substitute(item, function_name, by_name, positional, columns)


def _replacement(
    node: Any,
    function_name: str,
    by_name: dict[str, Any],
    positional: list[Any],
    columns: set[str],
) -> Any:
    which = node.WhichOneof("node")
    if which == "param_ref":
        number = node.param_ref.number
        if 0 < number <= len(positional):
            return positional[number - 1]
        raise TideError(f"there is no parameter ${number}", sqlstate=sqlstates.UNDEFINED_PARAMETER)
    if which == "column_ref":
        fields = [f.string.sval for f in node.column_ref.fields if f.WhichOneof("node") == "string"]
        if len(fields) != len(node.column_ref.fields):
            return None
        if len(fields) == 1 and fields[0] in by_name and fields[0] not in columns:
            return by_name[fields[0]]
        if len(fields) == 2 and fields[0] == function_name and fields[1] in by_name:
            return by_name[fields[1]]
    return None


def _cast(node: Any, type_oid: int) -> Any:
    """``CAST(node AS type)`` as a parse tree."""
    from tidesql.sql.planner import node_kind

    sql_type = T.type_by_oid(type_oid)
    (statement,) = parse(f"SELECT NULL::{T.format_type(sql_type)}")
    type_name = node_kind(statement.node.target_list[0].res_target.val)[1].type_name
    cast = pb.Node()
    cast.type_cast.arg.CopyFrom(node)
    cast.type_cast.type_name.CopyFrom(type_name)
    return cast
