"""Text I/O of booleans and numbers: int2/int4/int8/oid, bool, float4/float8, numeric.

Every output function takes (value, type, settings) and every input function takes
(text, type, settings); both kinds are registered by OID in the dispatch tables of
:mod:`tidesql.sql.types.text_io`. Integers follow ``pg_strtoint``, floats print the
shortest round-trip form (``extra_float_digits`` > 0), and numeric is exact ``Decimal``
arithmetic that never rounds except where a type modifier asks it to.
"""

from __future__ import annotations

import decimal
import math
import re
import struct
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.types.error_helpers import _invalid_syntax, _value_out_of_range
from tidesql.sql.types.identity import (
    _VARHDRSZ,
    INT2,
    INT4,
    INT8,
    FormatSettings,
    SqlType,
    _numeric_precision_scale,
)
from tidesql.sql.types.session_settings import _SPACES

OutputFn = Callable[[Any, SqlType, FormatSettings], str]
InputFn = Callable[[str, SqlType, FormatSettings], Any]

_INT_RANGES: dict[int, tuple[int, int]] = {
    INT2.oid: (-(2**15), 2**15 - 1),
    INT4.oid: (-(2**31), 2**31 - 1),
    INT8.oid: (-(2**63), 2**63 - 1),
}
_INT_SYNTAX = re.compile(r"[ \t\n\r\v\f]*([+-]?[0-9]+)[ \t\n\r\v\f]*\Z")


def _int_out(value: int, sql_type: SqlType, settings: FormatSettings) -> str:
    return str(value)


def _make_int_in(low: int, high: int) -> InputFn:
    """pg_strtoint for one width. The common case, plain ASCII digits, costs three C
    calls; int() alone would also accept '1_000', '²' and Unicode spaces, which
    PostgreSQL rejects, so anything else goes through the exact syntax."""

    def parse(text: str, sql_type: SqlType, settings: FormatSettings) -> int:
        if text.isdigit() and text.isascii():
            value = int(text)
            if value <= high:
                return value
            raise _value_out_of_range(sql_type.name, text)
        match = _INT_SYNTAX.match(text)
        if match is None:
            raise _invalid_syntax(sql_type.name, text)
        value = int(match.group(1))
        if low <= value <= high:
            return value
        raise _value_out_of_range(sql_type.name, text)

    return parse


_int2_in = _make_int_in(*_INT_RANGES[INT2.oid])
_int4_in = _make_int_in(*_INT_RANGES[INT4.oid])
_int8_in = _make_int_in(*_INT_RANGES[INT8.oid])


def _oid_in(text: str, sql_type: SqlType, settings: FormatSettings) -> int:
    """oidin: an unsigned 32-bit number; negatives down to -2^31 wrap around."""
    match = _INT_SYNTAX.match(text)
    if match is None:
        raise _invalid_syntax("oid", text)
    value = int(match.group(1))
    if not -(2**31) <= value <= 2**32 - 1:
        raise _value_out_of_range("oid", text)
    return value & 0xFFFFFFFF


def _bool_out(value: bool, sql_type: SqlType, settings: FormatSettings) -> str:
    return "t" if value else "f"


_BOOL_FAST = {"t": True, "f": False, "true": True, "false": False}


def _bool_in(text: str, sql_type: SqlType, settings: FormatSettings) -> bool:
    """parse_bool: any prefix of true/false/yes/no, on/off (two letters at least), 1/0."""
    fast = _BOOL_FAST.get(text)
    if fast is not None:
        return fast
    word = text.strip(_SPACES).lower()
    if word:
        first = word[0]
        if (first == "t" and "true".startswith(word)) or (first == "y" and "yes".startswith(word)):
            return True
        if (first == "f" and "false".startswith(word)) or (first == "n" and "no".startswith(word)):
            return False
        if word in ("on", "1"):
            return True
        if word in ("of", "off", "0"):
            return False
    raise _invalid_syntax("boolean", text)


# --- floats --------------------------------------------------------------------------

_FLOAT4 = struct.Struct(">f")
_FLOAT_SYNTAX = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\n\r\v\f]*\Z"
)
_FLOAT_WORDS = {
    "nan": math.nan,
    "+nan": math.nan,
    "-nan": math.nan,
    "inf": math.inf,
    "+inf": math.inf,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-inf": -math.inf,
    "-infinity": -math.inf,
}


def _to_float4(value: float) -> float:
    """Round a double to the nearest float4 (inf if it does not fit)."""
    try:
        result: float = _FLOAT4.unpack(_FLOAT4.pack(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    return result


def _float_special(value: float) -> str | None:
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return None


def _digits_to_text(negative: bool, digits: str, exponent: int, fixed_below: int) -> str:
    """Lay out significant ``digits`` (d.ddd × 10^exponent) the way PostgreSQL's Ryu
    output does: fixed notation when -4 <= exponent < fixed_below, else d.ddde±XX."""
    sign = "-" if negative else ""
    if -4 <= exponent < fixed_below:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            fraction = digits[exponent + 1 :]
        else:
            whole = "0"
            fraction = "0" * (-exponent - 1) + digits
        return sign + whole + ("." + fraction if fraction else "")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def _float8_text(value: float, extra_float_digits: int) -> str:
    special = _float_special(value)
    if special is not None:
        return special
    if extra_float_digits <= 0:
        return f"{value:.{max(1, 15 + extra_float_digits)}g}"
    # repr() is the shortest string that reads back as the same double, which is what
    # PostgreSQL prints. Only the layout differs: Python switches to exponent notation
    # at 1e16, PostgreSQL at 1e15, and Python adds '.0' to integral values.
    text = repr(value)
    if "e" in text:
        return text
    if abs(value) >= 1e15:
        whole, _, fraction = text.lstrip("-").partition(".")
        digits = (whole + fraction).rstrip("0")
        return _digits_to_text(value < 0, digits, len(whole) - 1, 15)
    if text.endswith(".0"):
        return text[:-2]
    return text


def _float4_text(value: float, extra_float_digits: int) -> str:
    special = _float_special(value)
    if special is not None:
        return special
    if extra_float_digits <= 0:
        return f"{value:.{max(1, 6 + extra_float_digits)}g}"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    # The shortest decimal that reads back as the same float4 (at most 9 digits).
    text = f"{value:.8e}"
    for precision in range(1, 10):
        candidate = f"{value:.{precision - 1}e}"
        if _to_float4(float(candidate)) == value:
            text = candidate
            break
    mantissa, _, exponent = text.partition("e")
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    return _digits_to_text(value < 0, digits, int(exponent), 6)


def _float8_out(value: float, sql_type: SqlType, settings: FormatSettings) -> str:
    return _float8_text(value, settings.extra_float_digits)


def _float4_out(value: float, sql_type: SqlType, settings: FormatSettings) -> str:
    return _float4_text(value, settings.extra_float_digits)


def _parse_float(text: str, type_name: str) -> float:
    match = _FLOAT_SYNTAX.match(text)
    if match is None:
        word = _FLOAT_WORDS.get(text.strip(_SPACES).lower())
        if word is None:
            raise _invalid_syntax(type_name, text)
        return word
    literal = match.group(1)
    value = float(literal)
    if math.isinf(value) or (value == 0.0 and _has_nonzero_digit(literal)):
        raise TideError(
            f'"{text}" is out of range for type {type_name}',
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        )
    return value


def _has_nonzero_digit(literal: str) -> bool:
    mantissa = literal.split("e")[0].split("E")[0]
    return any(c in "123456789" for c in mantissa)


def _float8_in(text: str, sql_type: SqlType, settings: FormatSettings) -> float:
    return _parse_float(text, "double precision")


def _float4_in(text: str, sql_type: SqlType, settings: FormatSettings) -> float:
    value = _parse_float(text, "real")
    rounded = _to_float4(value)
    if (math.isinf(rounded) and not math.isinf(value)) or (rounded == 0.0 and value != 0.0):
        raise TideError(
            f'"{text}" is out of range for type real',
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
        )
    return rounded


# --- numeric -------------------------------------------------------------------------

# Decimal arithmetic here must never round: PostgreSQL's numeric is exact.
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)
_ONE = Decimal(1)
_NAN = Decimal("NaN")
_INFINITY = Decimal("Infinity")
_NUMERIC_SYNTAX = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\n\r\v\f]*\Z"
)
_NUMERIC_WORDS = {
    "nan": _NAN,
    "infinity": _INFINITY,
    "+infinity": _INFINITY,
    "inf": _INFINITY,
    "+inf": _INFINITY,
    "-infinity": -_INFINITY,
    "-inf": -_INFINITY,
}
_NUMERIC_MAX_WEIGHT_DIGITS = 131072
_NUMERIC_MAX_DSCALE = 16383


def _numeric_normalize(value: Decimal) -> Decimal:
    """PostgreSQL's form of a finite numeric: no positive exponent (an integer written
    1E+3 becomes 1000), no negative zero."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        value = value.quantize(_ONE, context=_EXACT)
    if value.is_signed() and value.is_zero():
        value = value.copy_abs()
    return value


def _numeric_check_size(value: Decimal) -> Decimal:
    if value.is_finite():
        exponent = value.as_tuple().exponent
        if (isinstance(exponent, int) and -exponent > _NUMERIC_MAX_DSCALE) or (
            not value.is_zero() and value.adjusted() >= _NUMERIC_MAX_WEIGHT_DIGITS
        ):
            raise TideError(
                "value overflows numeric format", sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE
            )
    return value


def _numeric_out(value: Decimal | int, sql_type: SqlType, settings: FormatSettings) -> str:
    # str() is three times faster than format(value, "f") and gives the same plain
    # notation unless the number is tiny (or has a positive exponent, which a
    # normalized numeric never has); an int computed for a numeric column also works.
    text = str(value)
    if "E" in text:
        text = format(value, "f")
    if text[0] == "-" and (text == "-NaN" or not text.strip("-0.")):
        return text[1:]  # PostgreSQL has no negative zero
    return text


def _numeric_in(text: str, sql_type: SqlType, settings: FormatSettings) -> Decimal:
    match = _NUMERIC_SYNTAX.match(text)
    if match is None:
        word = _NUMERIC_WORDS.get(text.strip(_SPACES).lower())
        if word is None:
            raise _invalid_syntax("numeric", text)
        value = word
    else:
        literal = match.group(1)
        if "e" in literal or "E" in literal:
            exponent = int(literal.replace("E", "e").rpartition("e")[2])
            if abs(exponent) > 1000 + len(literal):
                # PostgreSQL refuses exponents far outside the representable range.
                raise TideError(
                    "value overflows numeric format",
                    sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
                )
        value = _numeric_check_size(_numeric_normalize(Decimal(literal)))
    if sql_type.modifier >= 0:
        value = _numeric_apply_typmod(value, sql_type.modifier)
    return value


def _numeric_apply_typmod(value: Decimal, modifier: int) -> Decimal:
    """apply_typmod: round to the scale (half away from zero), then check precision."""
    if modifier < _VARHDRSZ or value.is_nan():
        return value
    precision, scale = _numeric_precision_scale(modifier)
    if value.is_infinite():
        raise TideError(
            "numeric field overflow",
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
            detail=f"A field with precision {precision}, scale {scale} cannot hold an "
            "infinite value.",
        )
    rounded = value.quantize(
        Decimal((0, (1,), -scale)), rounding=decimal.ROUND_HALF_UP, context=_EXACT
    )
    max_digits = precision - scale
    if not rounded.is_zero() and rounded.adjusted() >= max_digits:
        bound = f"10^{max_digits}" if max_digits else "1"
        raise TideError(
            "numeric field overflow",
            sqlstate=sqlstates.NUMERIC_VALUE_OUT_OF_RANGE,
            detail=f"A field with precision {precision}, scale {scale} must round to an "
            f"absolute value less than {bound}.",
        )
    return _numeric_normalize(rounded)
