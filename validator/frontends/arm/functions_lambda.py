"""Lambda functions
(https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda).

``lambda('x', body)`` evaluates to a ``LambdaValue`` closure; the body reads
its parameters with ``lambdaVariables('x')``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any

from validator.frontends.arm.syntax import ExpressionError, Literal
from validator.frontends.arm.values import arity, expect, expect_str, to_text, type_name, unknown_from
from validator.model import Unknown


@dataclass(frozen=True)
class LambdaValue:
    parameters: tuple
    body: Any
    ctx: Any

    def call(self, name: str, *values: Any) -> Any:
        """Apply to the first ``len(parameters)`` values (extra ones, like an index, are optional)."""
        if len(self.parameters) > len(values):
            raise ExpressionError(f"{name}: the lambda takes {len(self.parameters)} parameter(s), at most {len(values)} allowed")
        bound = dict(self.ctx.lambda_vars)
        bound.update({p.lower(): v for p, v in zip(self.parameters, values)})
        return self.ctx.derive(lambda_vars=bound).evaluate(self.body)


def _lambda(ctx, nodes):
    if not nodes:
        raise ExpressionError("lambda: expects parameter names and a body")
    names = []
    for node in nodes[:-1]:
        if not isinstance(node, Literal) or not isinstance(node.value, str):
            raise ExpressionError("lambda: parameter names must be string literals")
        names.append(node.value)
    return LambdaValue(tuple(names), nodes[-1], ctx)


def _lambda_variables(ctx, args):
    arity("lambdaVariables", args, 1, 1)
    name = expect_str("lambdaVariables", 1, args[0])
    if name.lower() not in ctx.lambda_vars:
        raise ExpressionError(f"lambdaVariables: '{name}' is not a parameter of an enclosing lambda")
    return ctx.lambda_vars[name.lower()]


def _function(name: str, value: Any, position: int) -> LambdaValue:
    if not isinstance(value, LambdaValue):
        raise ExpressionError(f"{name}: argument {position} must be a lambda, not {type_name(value)}")
    return value


def _filter(ctx, args):
    arity("filter", args, 2, 2)
    items, predicate = expect("filter", 1, args[0], list), _function("filter", args[1], 2)
    result = []
    for i, item in enumerate(items):
        keep = predicate.call("filter", item, i)
        if isinstance(keep, Unknown):
            return unknown_from("filter", keep)
        if expect("filter", 2, keep, bool):
            result.append(item)
    return result


def _map(ctx, args):
    arity("map", args, 2, 2)
    items, mapper = expect("map", 1, args[0], list), _function("map", args[1], 2)
    return [mapper.call("map", item, i) for i, item in enumerate(items)]


def _map_values(ctx, args):
    arity("mapValues", args, 2, 2)
    items, mapper = expect("mapValues", 1, args[0], dict), _function("mapValues", args[1], 2)
    return {key: mapper.call("mapValues", value) for key, value in items.items()}


def _reduce(ctx, args):
    arity("reduce", args, 3, 3)
    items, reducer = expect("reduce", 1, args[0], list), _function("reduce", args[2], 3)
    accumulator = args[1]
    for i, item in enumerate(items):
        accumulator = reducer.call("reduce", accumulator, item, i)
    return accumulator


def _sort(ctx, args):
    arity("sort", args, 2, 2)
    items, before = list(expect("sort", 1, args[0], list)), _function("sort", args[1], 2)
    unknown = []

    def compare(a, b):
        if before.call("sort", a, b) is True:
            return -1
        result = before.call("sort", b, a)
        if isinstance(result, Unknown):
            unknown.append(result)
        return 1 if result is True else 0

    ordered = sorted(items, key=cmp_to_key(compare))
    return unknown_from("sort", unknown[0]) if unknown else ordered


def _key(name: str, value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (dict, list)) or value is None:
        raise ExpressionError(f"{name}: keys must be strings, not {type_name(value)}")
    return to_text(value)


def _group_by(ctx, args):
    arity("groupBy", args, 2, 2)
    items, keyer = expect("groupBy", 1, args[0], list), _function("groupBy", args[1], 2)
    groups: dict = {}
    for item in items:
        key = _key("groupBy", keyer.call("groupBy", item))
        if isinstance(key, Unknown):
            return unknown_from("groupBy", key)
        groups.setdefault(key, []).append(item)
    return groups


def _to_object(ctx, args):
    arity("toObject", args, 2, 3)
    items = expect("toObject", 1, args[0], list)
    keyer = _function("toObject", args[1], 2)
    valuer = _function("toObject", args[2], 3) if len(args) > 2 else None
    result = {}
    for item in items:
        key = _key("toObject", keyer.call("toObject", item))
        if isinstance(key, Unknown):
            return unknown_from("toObject", key)
        result[key] = valuer.call("toObject", item) if valuer else item
    return result


FUNCTIONS = {
    "filter": _filter,
    "groupby": _group_by,
    "lambdavariables": _lambda_variables,
    "map": _map,
    "mapvalues": _map_values,
    "reduce": _reduce,
    "sort": _sort,
    "toobject": _to_object,
}
LAZY = {"lambda": _lambda}
