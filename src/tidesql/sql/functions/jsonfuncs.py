"""json and jsonb functions and operators.

json values are kept as their text and walked lazily; jsonb values are parsed Python
values. Holds the field, element and path operators (``->``, ``->>``, ``#>``,
``#>>``), containment and existence (``@>``, ``<@``, ``?``, ``?|``, ``?&``), ``||``,
deletion and jsonb_set, typeof/array_length/strip_nulls/pretty, and to_json(b) and
json(b)_build_* with their converters from SQL values.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql import types as T
from tidesql.sql.functions.arithmetic import _INT_RANGES, _NUM, _NUMERIC_ONE
from tidesql.sql.functions.comparisons import _holds_nested, _jsonb_eq
from tidesql.sql.functions.datetimes import session_zone
from tidesql.sql.functions.registry import NULL_VALUE_NOT_ALLOWED, EvalEnv, Impl, _error
from tidesql.sql.functions.strings import _TEXTUAL_OIDS, Formatter, text_formatter
from tidesql.sql.types import (
    BOOL,
    DATE,
    FLOAT4,
    FLOAT8,
    JSON,
    JSONB,
    NUMERIC,
    TIMESTAMP,
    TIMESTAMPTZ,
    FormatSettings,
    SqlType,
)

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
