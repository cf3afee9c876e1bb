"""Numeric functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric).

ARM integers are 64-bit; results outside that range are an error, not a wrap.
"""
from __future__ import annotations

from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect, expect_int, expect_str, is_int, type_name
from validator.model import Unknown

_MIN, _MAX = -(2 ** 63), 2 ** 63 - 1


def _checked(name: str, value: int) -> int:
    if not _MIN <= value <= _MAX:
        raise ExpressionError(f"{name}: result {value} overflows a 64-bit integer")
    return value


def _two_ints(name: str, args) -> tuple[int, int]:
    arity(name, args, 2, 2)
    return expect_int(name, 1, args[0]), expect_int(name, 2, args[1])


def _add(ctx, args):
    a, b = _two_ints("add", args)
    return _checked("add", a + b)


def _sub(ctx, args):
    a, b = _two_ints("sub", args)
    return _checked("sub", a - b)


def _mul(ctx, args):
    a, b = _two_ints("mul", args)
    return _checked("mul", a * b)


def _truncated_quotient(name: str, a: int, b: int) -> int:
    if b == 0:
        raise ExpressionError(f"{name}: division by zero")
    quotient = abs(a) // abs(b)  # .NET integer division truncates toward zero
    return quotient if (a >= 0) == (b > 0) else -quotient


def _div(ctx, args):
    a, b = _two_ints("div", args)
    return _checked("div", _truncated_quotient("div", a, b))


def _mod(ctx, args):
    a, b = _two_ints("mod", args)
    return a - b * _truncated_quotient("mod", a, b)  # the sign follows the dividend, as in .NET


def _int(ctx, args):
    arity("int", args, 1, 1)
    value = args[0]
    if is_int(value):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return _checked("int", int(value.strip()))
        except ValueError:
            raise ExpressionError(f"int: '{value}' is not an integer") from None
    raise ExpressionError(f"int: cannot convert {type_name(value)} to int")


def _float(ctx, args):
    arity("float", args, 1, 1)
    value = args[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(expect_str("float", 1, value))
    except ValueError:
        raise ExpressionError(f"float: '{value}' is not a number") from None


def _numbers(name: str, args) -> list:
    arity(name, args, 1)
    values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
    if not values:
        raise ExpressionError(f"{name}: needs at least one value")
    for i, value in enumerate(values):
        if isinstance(value, Unknown):
            return [value]
        expect(name, i + 1, value, int, float)
    return values


def _min(ctx, args):
    values = _numbers("min", args)
    return values[0] if isinstance(values[0], Unknown) else min(values)


def _max(ctx, args):
    values = _numbers("max", args)
    return values[0] if isinstance(values[0], Unknown) else max(values)


def _copy_index(ctx, args):
    arity("copyIndex", args, 0, 2)
    loop, offset = None, 0
    if args and isinstance(args[0], str):
        loop = args[0]
        args = args[1:]
    if args:
        offset = expect_int("copyIndex", 2 if loop else 1, args[0])
    key = loop.lower() if loop else None
    if key not in ctx.copy_index:
        where = f"loop '{loop}'" if loop else "a copy loop"
        raise ExpressionError(f"copyIndex() used outside {where}")
    index = ctx.copy_index[key]
    if isinstance(index, Unknown):
        return index
    return index + offset


FUNCTIONS = {
    "add": _add,
    "copyindex": _copy_index,
    "div": _div,
    "float": _float,
    "int": _int,
    "max": _max,
    "min": _min,
    "mod": _mod,
    "mul": _mul,
    "sub": _sub,
}
