"""Evaluation of ARM template expressions.

``evaluate_arm_expression`` is the public entry point; ``evaluate_string`` and
``EvalContext`` serve the template evaluator.  Functions live in modules named
by subject (``functions_string`` ...); each exports ``FUNCTIONS`` (evaluated
arguments), optionally ``LAZY`` (unevaluated argument nodes) and
``UNKNOWN_AWARE`` (names that want Unknown arguments instead of the default
"any Unknown argument gives an Unknown result").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from validator.frontends.arm import (
    functions_array, functions_comparison, functions_date, functions_deployment,
    functions_format, functions_lambda, functions_logical, functions_numeric, functions_resource,
    functions_scope, functions_string,
)
from validator.frontends.arm.syntax import (
    Call, ExpressionError, Literal, Member, UnknownFunctionError, parse_expression,
    split_template_string,
)
from validator.frontends.arm.functions_lambda import LambdaValue
from validator.frontends.arm.values import (
    UnknownInside, get_member, is_int, short, type_name, unknown_from,
)
from validator.model import Unknown

__all__ = ["EvalContext", "ExpressionError", "UnknownFunctionError", "evaluate_arm_expression",
           "evaluate_node", "evaluate_string", "PLACEHOLDER_SUBSCRIPTION",
           "PLACEHOLDER_RESOURCE_GROUP", "PLACEHOLDER_TENANT", "PLACEHOLDER_MANAGEMENT_GROUP",
           "PLACEHOLDER_DEPLOYMENT"]

# Placeholders for facts the scanned repository cannot tell (the validator does
# not know the target subscription): literal strings, so that two ids built in
# one deployment stay comparable; rules recognise them by these constants.
PLACEHOLDER_SUBSCRIPTION = "{subscriptionId}"
PLACEHOLDER_RESOURCE_GROUP = "{resourceGroup}"
PLACEHOLDER_TENANT = "{tenantId}"
PLACEHOLDER_MANAGEMENT_GROUP = "{managementGroup}"
PLACEHOLDER_DEPLOYMENT = "{deploymentName}"

MAX_CALL_DEPTH = 32  # user-defined functions and lambdas calling each other

_MODULES = (functions_array, functions_comparison, functions_date, functions_deployment, functions_format,
            functions_format, functions_lambda, functions_logical, functions_numeric, functions_resource,
            functions_scope, functions_string)
_FUNCTIONS: dict[str, Callable] = {}
_LAZY: dict[str, Callable] = {}
_UNKNOWN_AWARE: set[str] = set()
for _module in _MODULES:
    _FUNCTIONS.update(getattr(_module, "FUNCTIONS", {}))
    _LAZY.update(getattr(_module, "LAZY", {}))
    _UNKNOWN_AWARE.update(getattr(_module, "UNKNOWN_AWARE", ()))


@dataclass
class EvalContext:
    """Everything an expression can see.

    ``parameters`` and ``variables`` are mappings looked up case-insensitively
    (the template evaluator passes lazy mappings).  ``scope`` is the deployment
    scope kind: ``resourceGroup``, ``subscription``, ``managementGroup`` or
    ``tenant``.  ``location`` None means "not configured": the resource group
    location is then Unknown.
    """

    subscription_id: str = PLACEHOLDER_SUBSCRIPTION
    resource_group: str = PLACEHOLDER_RESOURCE_GROUP
    location: Any = None
    tenant_id: str = PLACEHOLDER_TENANT
    management_group: str = PLACEHOLDER_MANAGEMENT_GROUP
    deployment_name: str = PLACEHOLDER_DEPLOYMENT
    subscription_display_name: Any = None
    scope: str = "resourceGroup"
    parameters: Mapping = field(default_factory=dict)
    variables: Mapping = field(default_factory=dict)
    copy_index: dict = field(default_factory=dict)  # loop name (None: the current loop) -> index
    lambda_vars: dict = field(default_factory=dict)
    user_functions: dict = field(default_factory=dict)  # 'ns.name' (lower) -> definition
    symbols: Mapping = field(default_factory=dict)  # symbolic name -> resource id (languageVersion 2.0)
    template: dict = field(default_factory=dict)  # for deployment().properties.template
    call_depth: int = 0
    in_user_function: bool = False
    # (resource id, full) -> value or None: lets the template evaluator answer
    # reference() for what it knows statically (outputs of nested deployments).
    reference_hook: Callable | None = None

    def derive(self, **changes: Any) -> "EvalContext":
        """A copy with some fields changed (loops, lambdas and function bodies)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return EvalContext(**values)

    def evaluate(self, node: Any) -> Any:
        return evaluate_node(node, self)


def evaluate_node(node: Any, ctx: EvalContext) -> Any:
    """Evaluate a parsed expression node."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Member):
        return _member(node, ctx)
    if isinstance(node, Call):
        return _call(node, ctx)
    raise ExpressionError(f"cannot evaluate {node!r}")


def _member(node: Member, ctx: EvalContext) -> Any:
    target = evaluate_node(node.target, ctx)
    key = evaluate_node(node.key, ctx) if node.computed else node.key
    if isinstance(key, Unknown):
        return unknown_from("index", key)
    if isinstance(target, Unknown):
        return target.child(key)
    if target is None and node.safe:
        return None
    if isinstance(target, dict):
        if not isinstance(key, str):
            raise ExpressionError(f"cannot index an object with {type_name(key)} {short(key)}")
        found, value = get_member(target, key)
        if found:
            return value
        if node.safe:
            return None
        raise ExpressionError(f"the object has no property '{key}' (properties: {', '.join(map(str, target)) or 'none'})")
    if isinstance(target, list):
        if not is_int(key):
            raise ExpressionError(f"cannot index an array with {type_name(key)} {short(key)}")
        if 0 <= key < len(target):
            return target[key]
        if node.safe:
            return None
        raise ExpressionError(f"index {key} is out of range for an array of length {len(target)}")
    raise ExpressionError(f"cannot access '{key}' on {type_name(target)} {short(target)}")


def _call(node: Call, ctx: EvalContext) -> Any:
    name = node.name.lower()
    if "." in name:
        return _user_function(node, ctx)
    lazy = _LAZY.get(name)
    if lazy is not None:
        return lazy(ctx, list(node.args))
    function = _FUNCTIONS.get(name)
    if function is None:
        if name.startswith("list"):  # list* actions read deployed resources: only deploy time knows
            return Unknown(f"{node.name}(...)")
        raise UnknownFunctionError(f"unknown function '{node.name}'")
    args = [evaluate_node(arg, ctx) for arg in node.args]
    if name not in _UNKNOWN_AWARE and any(isinstance(arg, Unknown) for arg in args):
        return unknown_from(node.name, *args)
    try:
        return function(ctx, args)
    except UnknownInside:  # text made from a value with an Unknown inside is Unknown
        return unknown_from(node.name, *args)


def _user_function(node: Call, ctx: EvalContext) -> Any:
    definition = ctx.user_functions.get(node.name.lower())
    if definition is None:
        raise UnknownFunctionError(f"unknown function '{node.name}'")
    if ctx.call_depth >= MAX_CALL_DEPTH:
        raise ExpressionError(f"user-defined functions nested deeper than {MAX_CALL_DEPTH} calls")
    declared = definition.get("parameters") or []
    output = definition.get("output")
    if not isinstance(declared, list) or not all(isinstance(p, dict) for p in declared) \
            or not isinstance(output, dict):
        raise ExpressionError(f"the user-defined function '{node.name}' is malformed "
                              "(it needs a 'parameters' array of objects and an 'output' object)")
    if len(declared) != len(node.args):
        raise ExpressionError(f"{node.name}: expects {len(declared)} argument(s), got {len(node.args)}")
    args = {str(p.get("name", "")): evaluate_node(a, ctx) for p, a in zip(declared, node.args)}
    output = output.get("value")
    # A user-defined function sees only its own parameters (and other functions),
    # never the template's parameters or variables (documented limitation).
    inner = ctx.derive(parameters=args, variables={}, call_depth=ctx.call_depth + 1,
                       copy_index={}, lambda_vars={}, in_user_function=True)
    return evaluate_json(output, inner)


def evaluate_string(text: str, ctx: EvalContext, parse: Callable = parse_expression) -> Any:
    """Evaluate one template string: an expression when bracketed, else the literal.

    ``parse`` lets callers cache parsed expressions.
    """
    is_expression, body = split_template_string(text)
    if not is_expression:
        return body
    value = evaluate_node(parse(body), ctx)
    if isinstance(value, LambdaValue):
        raise ExpressionError("a lambda can only be passed to filter, map, reduce, sort, groupBy, toObject or mapValues")
    return value


def evaluate_json(value: Any, ctx: EvalContext) -> Any:
    """Evaluate every expression string inside a JSON value (keys are taken literally)."""
    if isinstance(value, str):
        return evaluate_string(value, ctx)
    if isinstance(value, dict):
        return {key: evaluate_json(item, ctx) for key, item in value.items()}
    if isinstance(value, list):
        return [evaluate_json(item, ctx) for item in value]
    return value


def context_from_dict(context: Mapping | None) -> EvalContext:
    """Build an ``EvalContext`` from the public dictionary form (see ``evaluate_arm_expression``)."""
    context = dict(context or {})
    return EvalContext(
        subscription_id=context.get("subscriptionId") or PLACEHOLDER_SUBSCRIPTION,
        resource_group=context.get("resourceGroup") or PLACEHOLDER_RESOURCE_GROUP,
        location=context.get("location"),
        tenant_id=context.get("tenantId") or PLACEHOLDER_TENANT,
        management_group=context.get("managementGroup") or PLACEHOLDER_MANAGEMENT_GROUP,
        deployment_name=context.get("deploymentName") or PLACEHOLDER_DEPLOYMENT,
        subscription_display_name=context.get("subscriptionDisplayName"),
        scope=context.get("scope") or "resourceGroup",
        parameters=dict(context.get("parameters") or {}),
        variables=dict(context.get("variables") or {}),
    )


def evaluate_arm_expression(expression: str, context: dict | None = None) -> object:
    """Evaluate one ARM template string statically, the way ARM reads a JSON string value.

    ``"[concat('a', 'b')]"`` is an expression; a string not starting with ``[``
    (or not ending with ``]``) is the literal string itself; ``"[[x]"`` is the
    literal ``"[x]"``.  ``context`` may hold ``subscriptionId``,
    ``subscriptionDisplayName``, ``resourceGroup``, ``location``, ``tenantId``,
    ``managementGroup``, ``deploymentName``, ``scope`` (``resourceGroup``,
    ``subscription``, ``managementGroup``, ``tenant``) and ``parameters`` /
    ``variables`` (name -> value, already evaluated).  Missing ids become the
    ``PLACEHOLDER_*`` strings; a missing location, ``reference()``,
    ``list*()``, ``newGuid()``, ``utcNow()`` and values derived from them
    become ``validator.model.Unknown``.  Returns the JSON value; raises
    ``ExpressionError`` (``UnknownFunctionError`` for undefined functions) on
    syntax, type and argument errors.
    """
    if not isinstance(expression, str):
        raise ExpressionError(f"an expression must be a string, not {type_name(expression)}")
    try:
        return evaluate_string(expression, context_from_dict(context))
    except RecursionError:  # parsing caps nesting; deep values or lambdas could still exhaust the stack
        raise ExpressionError("expression too deeply nested to evaluate") from None
