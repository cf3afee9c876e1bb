"""Comparison functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison).
"""
from __future__ import annotations

from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, arm_equals, has_unknown, type_name, unknown_from
from validator.model import Unknown


def _coalesce(ctx, args):
    arity("coalesce", args, 1)
    for value in args:
        if isinstance(value, Unknown):
            # it may turn out null, so what follows it cannot be chosen either
            return unknown_from("coalesce", value)
        if value is not None:
            return value
    return None


def _equals(ctx, args):
    arity("equals", args, 2, 2)
    if has_unknown(*args):
        return unknown_from("equals", *args)
    # Strings compare case-sensitively (Bicep compiles its case-insensitive =~ to
    # equals(toLower(a), toLower(b)), so equals itself is exact).
    return arm_equals(args[0], args[1])


def _string_key(text: str) -> tuple:
    # The documented example has greater('A', 'a') == true: ARM orders strings
    # like .NET's invariant culture (letters first case-insensitively, then
    # lower case before upper case), not by code point.
    return text.casefold(), tuple(0 if c.islower() else 1 for c in text)


def _compare(name: str, args) -> int:
    arity(name, args, 2, 2)
    left, right = args
    if isinstance(left, bool) or isinstance(right, bool):
        raise ExpressionError(f"{name}: cannot compare bool values")
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        a, b = _string_key(left), _string_key(right)
        return (a > b) - (a < b)
    raise ExpressionError(f"{name}: arguments must be two ints or two strings, got {type_name(left)} and {type_name(right)}")


def _greater(ctx, args):
    return _compare("greater", args) > 0


def _greater_or_equals(ctx, args):
    return _compare("greaterOrEquals", args) >= 0


def _less(ctx, args):
    return _compare("less", args) < 0


def _less_or_equals(ctx, args):
    return _compare("lessOrEquals", args) <= 0


FUNCTIONS = {
    "coalesce": _coalesce,
    "equals": _equals,
    "greater": _greater,
    "greaterorequals": _greater_or_equals,
    "less": _less,
    "lessorequals": _less_or_equals,
}
UNKNOWN_AWARE = {"coalesce"}
