"""Logical functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical).
"""
from __future__ import annotations

from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect, is_int, type_name, unknown_from
from validator.model import Unknown


def _booleans(name: str, args) -> list:
    arity(name, args, 2)
    return [a if isinstance(a, Unknown) else expect(name, i + 1, a, bool) for i, a in enumerate(args)]


def _and(ctx, args):
    values = _booleans("and", args)
    if any(v is False for v in values):  # one false decides, whatever the Unknowns are
        return False
    if any(isinstance(v, Unknown) for v in values):
        return unknown_from("and", *values)
    return True


def _or(ctx, args):
    values = _booleans("or", args)
    if any(v is True for v in values):
        return True
    if any(isinstance(v, Unknown) for v in values):
        return unknown_from("or", *values)
    return False


def _not(ctx, args):
    arity("not", args, 1, 1)
    return not expect("not", 1, args[0], bool)


def _bool(ctx, args):
    arity("bool", args, 1, 1)
    value = args[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if is_int(value):
        return value != 0
    raise ExpressionError(f"bool: cannot convert {type_name(value)} {value!r} to bool")


def _true(ctx, args):
    arity("true", args, 0, 0)
    return True


def _false(ctx, args):
    arity("false", args, 0, 0)
    return False


def _if(ctx, nodes):
    """Only the chosen branch is evaluated (documented), so the other may fail safely."""
    arity("if", nodes, 3, 3)
    condition = ctx.evaluate(nodes[0])
    if isinstance(condition, Unknown):
        return unknown_from("if", condition)
    return ctx.evaluate(nodes[1] if expect("if", 1, condition, bool) else nodes[2])


FUNCTIONS = {
    "and": _and,
    "bool": _bool,
    "false": _false,
    "not": _not,
    "or": _or,
    "true": _true,
}
LAZY = {"if": _if}
UNKNOWN_AWARE = {"and", "or"}
