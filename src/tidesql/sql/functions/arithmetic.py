"""Integer, float and numeric arithmetic.

int2/int4/int8 operators with PostgreSQL's overflow checks (22003) and division by
zero (22012); float4/float8 with its overflow and underflow errors and float4 results
rounded to binary32; numeric as exact ``Decimal`` with PostgreSQL's result scales for
division, sqrt, exp, ln, log and power; width_bucket.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Callable
from decimal import MAX_EMAX as _DECIMAL_MAX_EMAX
from decimal import MAX_PREC as _DECIMAL_MAX_PREC
from decimal import MIN_EMIN as _DECIMAL_MIN_EMIN
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal

from tidesql import sqlstates
from tidesql.errors import TideError
from tidesql.sql.functions.registry import Impl, _error
from tidesql.sql.types import INT2, INT4, INT8, SqlType

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
