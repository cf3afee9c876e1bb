"""Logical functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical).
"""
from __future__ import annotations

from validator.frontends.arm.syntax import ExpressionError
from validator.frontends.arm.values import arity, expect, is_int, type_name, unknown_from
from validator.model import Unknown


def _short_circuit(name: str, ctx, nodes, decisive: bool):
    """``and``/``or`` stop at the first argument that decides, left to right, as the deployment
    engine does: compiled Bicep guards property access with them (``contains(x, 'a') && x.a``,
    seen in the Azure Verified Modules), which would fail if every argument were evaluated."""
    arity(name, nodes, 2)
    unknown = None
    for position, node in enumerate(nodes):
        try:
            value = ctx.evaluate(node)
        except ExpressionError:
            if unknown is not None:  # the guard before it is not known: neither is the result
                return unknown_from(name, unknown)
            raise
        if isinstance(value, Unknown):
            unknown = unknown or value
            continue
        if expect(name, position + 1, value, bool) is decisive:
            return decisive
    return unknown_from(name, unknown) if unknown is not None else not decisive


def _and(ctx, nodes):
    return _short_circuit("and", ctx, nodes, False)


def _or(ctx, nodes):
    return _short_circuit("or", ctx, nodes, True)


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
    "bool": _bool,
    "false": _false,
    "not": _not,
    "true": _true,
}
LAZY = {"if": _if, "and": _and, "or": _or}
